"""``--format auto``: tell nmtp from ASCII by the first bytes, then hand everything to that decoder.

The rule, applied to what has arrived so far (at most ``probe`` bytes, 256 by default):

* nmtp as soon as one 0x00-delimited frame in it passes its CRC (our device greets with a BANNER frame,
  and a streaming device sends a SAMPLES frame every 10 ms). A random 16-bit CRC match is 1 in 65536
  and needs a valid COBS encoding too;
* ASCII as soon as two lines of printable text in a row have arrived (each with a line end before
  and after it, nothing but line ends between them). Two, not one: a binary stream may hold a short
  printable run between two 0x0A/0x0D bytes by chance, but every nmtp frame carries a control
  character (its type byte), so two such lines in a row before the first whole frame are
  vanishingly rare (about 1 in 10^5 for 256 random bytes, and a real stream shows a whole frame
  within its first 90 bytes);
* if ``probe`` bytes pass with neither, mostly printable bytes (≥ 90 %) mean ASCII, else nmtp.

Whichever of these happens first in the stream decides, whatever reads the stream arrived in. Until
it decides, ``feed`` returns nothing and holds the bytes; then it replays them all into the chosen
decoder, so no reading, banner or frame is lost to the decision.
"""

from __future__ import annotations

import re

from nmt_pressure.protocol.ascii import AsciiDecoder
from nmt_pressure.protocol.frames import CodecStats, Decoder, Frame
from nmt_pressure.protocol.nmtp import NmtpDecoder

__all__ = ["FORMATS", "PROBE_BYTES", "AutoDecoder", "make_decoder"]

FORMATS = ("auto", "nmtp", "ascii")
PROBE_BYTES = 256
#: Printable ASCII and the whitespace text devices send.
_TEXT_BYTES = frozenset(range(0x20, 0x7F)) | {0x09, 0x0A, 0x0D}
_LINE = rb"[\t\x20-\x7e]*[\x21-\x7e][\t\x20-\x7e]*"  # printable, not blank
#: Two whole printable lines in a row: a line end, a line, line ends, a line, a line end.
_TWO_TEXT_LINES = re.compile(rb"[\r\n]" + _LINE + rb"[\r\n]+" + _LINE + rb"[\r\n]")
#: Bytes that can complete a decision: the end of a frame, the end of a line.
_DECISIVE = re.compile(rb"[\x00\r\n]")


class AutoDecoder:
    """Decides between nmtp and ASCII from the first bytes, then delegates (see the module doc).

    ``decided`` is None until then, afterwards ``"nmtp"`` or ``"ascii"``; ``name`` is always
    ``"auto"``. ``stats`` are the chosen decoder's (all zero before the decision), so read them
    through this object each time rather than keeping the object.

    The decision is taken at the first byte that settles it, as if the bytes had come one at a
    time, so it does not depend on how the stream was cut into reads: a frame ending at byte 90
    wins over two text lines ending at byte 120 even when both arrive in one read.
    """

    name = "auto"

    def __init__(self, probe: int = PROBE_BYTES) -> None:
        if probe < 16:
            raise ValueError("probe must be at least 16 bytes")
        self.probe = probe
        self.decided: str | None = None
        self._delegate: NmtpDecoder | AsciiDecoder | None = None
        self._held = bytearray()
        self._idle_stats = CodecStats()
        self._start_probe()

    def _start_probe(self) -> None:
        self._trial = NmtpDecoder()  # fed the held bytes up to each 0x00: has a frame passed yet?
        self._trial_fed = 0  # bytes of _held fed to the trial decoder
        self._scanned = 0  # bytes of _held already looked at for a decision

    @property
    def stats(self) -> CodecStats:
        return self._delegate.stats if self._delegate is not None else self._idle_stats

    @property
    def delegate(self) -> NmtpDecoder | AsciiDecoder | None:
        """The decoder chosen, once there is one."""
        return self._delegate

    def reset(self) -> None:
        """Forget partial input (after a reconnect); the decision and the counters are kept."""
        self._held.clear()
        self._start_probe()
        if self._delegate is not None:
            self._delegate.reset()

    def feed(self, data: bytes | bytearray | memoryview) -> list[Frame]:
        if self._delegate is not None:
            return self._delegate.feed(data)
        if not data:
            return []
        self._held += data
        choice = self._decide()
        if choice is None:
            return []
        return self.decide(choice)

    def decide(self, fmt: str) -> list[Frame]:
        """Settle on ``fmt`` (``"nmtp"`` or ``"ascii"``) now and replay the bytes held so far."""
        if fmt not in ("nmtp", "ascii"):
            raise ValueError(f"unknown format {fmt!r}; use nmtp or ascii")
        if self._delegate is not None:
            return []
        self.decided = fmt
        self._delegate = NmtpDecoder() if fmt == "nmtp" else AsciiDecoder()
        held = bytes(self._held)
        self._held.clear()
        self._start_probe()
        return self._delegate.feed(held)

    def _decide(self) -> str | None:
        held = self._held
        end = min(len(held), self.probe)
        # Only a 0x00 (the end of a frame) or a line end (the end of a text line) can settle it;
        # they are looked at in the order they arrived, each once.
        for m in _DECISIVE.finditer(held, self._scanned, end):
            i = m.start()
            if held[i] == 0:
                got = self._trial.feed(held[self._trial_fed:i + 1])
                self._trial_fed = i + 1
                if got or self._trial.stats.extra.get("commands"):
                    return "nmtp"
            # No match could end at an earlier line end (each was tried when it arrived), so a
            # match in the bytes so far ends here. The stream's start counts as a line start (a
            # half line there is still printable text).
            elif _TWO_TEXT_LINES.search(b"\n" + held[:i + 1]):
                return "ascii"
        self._scanned = end
        if end >= self.probe:
            text = sum(1 for b in held[:end] if b in _TEXT_BYTES)
            return "ascii" if text >= 0.9 * end else "nmtp"
        return None


def make_decoder(fmt: str) -> Decoder:
    """A fresh decoder for ``fmt``: ``"auto"``, ``"nmtp"`` or ``"ascii"`` (case-insensitive)."""
    key = str(fmt).strip().lower()
    if key == "auto":
        return AutoDecoder()
    if key == "nmtp":
        return NmtpDecoder()
    if key == "ascii":
        return AsciiDecoder()
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
