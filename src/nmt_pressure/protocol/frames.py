"""What codecs hand on: the frames of the wire, independent of how they were encoded.

The data flows one way: transport (bytes) → codec (these frames) → calibration (seconds, newtons) →
core. A codec never blocks and never raises on line noise; it counts what it drops.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

#: Bits of ``SampleBlock.flags``.
FLAG_MARKER = 0x01  # the client pressed the marker button ("too much") during this block
FLAG_OVERLOAD = 0x02  # the ADC saturated (reading at full scale)
FLAG_TARED = 0x04  # the device tared itself just before this block


@dataclass(frozen=True, slots=True)
class SampleBlock:
    """Consecutive ADC readings carried by one nmtp SAMPLES frame.

    Sample ``i`` has sequence number ``(seq + i) % 65536`` and device time ``t0_us + i·dt_us``
    (a 32-bit microsecond clock that wraps; the host unwraps it).
    """

    seq: int
    t0_us: int
    dt_us: int
    counts: tuple[int, ...]
    flags: int = 0


@dataclass(frozen=True, slots=True)
class Reading:
    """One value from an ASCII device, already in physical units (``unit`` '' when the line had none).

    ``t`` is the line's own time in seconds when it carried one, else None (the host stamps it).
    """

    value: float
    unit: str = ""
    t: float | None = None


@dataclass(frozen=True, slots=True)
class Response:
    """A device's reply to a command (``ok …``, ``err …``, ``id …``, ``status …``)."""

    text: str


@dataclass(frozen=True, slots=True)
class Banner:
    """Free text from the device: a boot banner, a prompt, a log line."""

    text: str


@dataclass(frozen=True, slots=True)
class CommandFrame:
    """A command received by a device (nmtp COMMAND frame or a plain text line); device side only.

    Not part of :data:`Frame`: hosts never receive commands, so their decoders never return one.
    """

    text: str


Frame = SampleBlock | Reading | Response | Banner


@dataclass
class CodecStats:
    """What a codec saw. Every byte it could not use is counted somewhere here."""

    frames: int = 0  # frames delivered
    crc_errors: int = 0  # frames dropped for a bad CRC
    framing_errors: int = 0  # frames dropped for a bad length, type or COBS encoding
    garbage_bytes: int = 0  # bytes discarded while resynchronising
    overflows: int = 0  # over-long frames/lines discarded (bounded buffers)
    extra: dict[str, int] = field(default_factory=dict)


class Decoder(Protocol):
    """What every codec offers: a name, its counters, and ``feed`` (never blocks, never raises)."""

    @property
    def name(self) -> str: ...

    @property
    def stats(self) -> CodecStats: ...

    def feed(self, data: bytes) -> list[Frame]: ...

    def reset(self) -> None:
        """Forget any partial frame or line (after a reconnect); the counters are kept."""
        ...
