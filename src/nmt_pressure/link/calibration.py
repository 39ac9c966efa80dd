"""Frames → samples: device counts or readings in any unit become (seconds, newtons) on one timeline.

The timeline is the device's own clock (the contract: times are in the recording's own time base),
unwrapped across the 32-bit microsecond wrap, and kept continuous and increasing across reconnects:
a device that restarted (its clock back at zero) or a link that was away for a while continues the
timeline at the last time plus the real time that passed, so the core sees a gap (and resets cleanly)
rather than time running backwards, and the recording stays one readable file.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from nmt_pressure.io.recording import unit_factor
from nmt_pressure.protocol.frames import FLAG_MARKER, Reading, SampleBlock

#: A device clock further than this ahead of the host-expected time after a reconnect is re-anchored.
MAX_CLOCK_JUMP_S = 5.0


@dataclass
class DeviceInfo:
    """What the device told us about itself (nmtp ``ID`` reply) or what we assume (ASCII devices)."""

    name: str = "unknown"
    fields: dict[str, str] = field(default_factory=dict)
    scale: float = 1.0  # counts per newton (nmtp)
    offset: float = 0.0  # counts at zero force (nmtp)
    rate: float | None = None
    fmt: str = ""

    @property
    def calibrated(self) -> bool:
        return "scale" in self.fields


@dataclass
class Samples:
    """A block of calibrated samples, ready for the core and the listeners."""

    t: np.ndarray  # seconds, device time base
    force: np.ndarray  # newtons
    raw: np.ndarray  # counts (nmtp) or the value as read (ASCII)
    flags: np.ndarray  # per-sample flags (block flags repeated)
    device_t_last: float  # device time of the block's last sample, before re-anchoring (s)
    #: The core's low-passed force after each sample (filled in by the reader as the core runs).
    filtered: np.ndarray | None = None


class Calibrator:
    """Turns SampleBlocks and Readings into :class:`Samples` on one continuous timeline."""

    def __init__(self, default_unit: str = "N") -> None:
        self.default_unit = default_unit
        self._unwrap_base = 0  # added to raw 32-bit µs after each wrap
        self._last_raw_us: int | None = None
        self._offset_s = 0.0  # added to device seconds to continue the timeline
        self._last_t: float | None = None
        self._reanchor = False
        self._host_lost_at = 0.0
        self._host_t0: float | None = None
        self.markers: list[float] = []
        self._factors: dict[str, float] = {}
        self._serial: str | None = None  # the device the timeline's clock belongs to (its ID serial)

    def link_lost(self) -> None:
        """The link went away: the next block may come from a restarted device or after a gap.

        Called when the loss is noticed and again on reconnecting; the first call dates the loss.
        """
        if not self._reanchor:
            self._reanchor = True
            self._host_lost_at = time.monotonic()

    # ---- nmtp
    def samples(self, block: SampleBlock, info: DeviceInfo) -> Samples:
        n = len(block.counts)
        # Another device (another serial in its ID reply) on the same port: its clock says nothing
        # about the old one's, even when it happens to lie a little ahead of it.
        serial = info.fields.get("serial")
        other_device = self._reanchor and serial is not None and self._serial not in (None, serial)
        if serial is not None:
            self._serial = serial
        if self._reanchor:  # maybe a restarted device: its clock says nothing about the old one
            self._unwrap_base = 0
            self._last_raw_us = None
        t_us = np.empty(n, dtype=np.float64)
        for i in range(n):
            t_us[i] = self._unwrap((block.t0_us + i * block.dt_us) & 0xFFFFFFFF)
        dev_t = t_us / 1e6
        raw = np.asarray(block.counts, dtype=np.float64)
        force = (raw - info.offset) / info.scale
        return self._finish(dev_t, force, raw, np.full(n, block.flags, dtype=np.int64), other_device)

    def _unwrap(self, raw_us: int) -> float:
        if self._last_raw_us is not None and raw_us < self._last_raw_us and \
                self._last_raw_us - raw_us > 0x80000000:
            self._unwrap_base += 0x100000000  # the 32-bit µs clock wrapped (every 71.6 min)
        self._last_raw_us = raw_us
        return float(self._unwrap_base + raw_us)

    # ---- ASCII
    def reading(self, r: Reading) -> Samples:
        unit = r.unit or self.default_unit
        factor = self._factors.get(unit)
        if factor is None:
            factor = self._factors[unit] = unit_factor(unit)[1]
        force = r.value * factor
        if r.t is not None:
            dev_t = r.t
        else:
            now = time.monotonic()
            if self._host_t0 is None:
                self._host_t0 = now
            dev_t = now - self._host_t0  # no device clock: the host stamps the reading
        return self._finish(np.array([dev_t]), np.array([force]), np.array([r.value]),
                            np.zeros(1, dtype=np.int64))

    # ---- shared
    def _finish(self, dev_t: np.ndarray, force: np.ndarray, raw: np.ndarray, flags: np.ndarray,
                other_device: bool = False) -> Samples:
        t = dev_t + self._offset_s
        if self._last_t is not None:
            expected = self._last_t + (time.monotonic() - self._host_lost_at if self._reanchor else 0.0)
            if other_device or t[0] < self._last_t or \
                    (self._reanchor and t[0] > expected + MAX_CLOCK_JUMP_S):
                # A restarted or another device (clock back near zero, or its own) or a clock far off:
                # continue the timeline at the last time plus the time that really passed.
                gap = max(expected - self._last_t, 1e-6)
                self._offset_s = self._last_t + gap - dev_t[0]
                t = dev_t + self._offset_s
            # Within one block times increase; across blocks drop what would go back in time. A
            # repeated stamp (a millisecond clock faster than 1 kHz) is kept: the core places it.
            keep = t >= self._last_t
            if not keep.all():
                t, force, raw, flags = t[keep], force[keep], raw[keep], flags[keep]
        self._reanchor = False
        if t.size:
            self._last_t = float(t[-1])
            if (flags & FLAG_MARKER).any():
                self.markers.append(float(t[np.argmax((flags & FLAG_MARKER) != 0)]))
        return Samples(t=t, force=force, raw=raw, flags=flags,
                       device_t_last=float(dev_t[-1]) if dev_t.size else 0.0)
