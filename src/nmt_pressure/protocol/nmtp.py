"""nmtp: the binary protocol between our load-cell device and the host, in both directions.

This module is the one definition of the wire format: the simulated device (``firmware_sim``) and the
host both encode with the functions below, and ``docs/PROTOCOL.md`` documents it byte by byte.

Every frame on the wire is ``COBS(type:u8 | payload | crc:u16 LE) 0x00``. The CRC is CRC-16/CCITT-FALSE
(poly 0x1021, init 0xFFFF, no reflection, no final XOR) over type and payload. COBS removes every 0x00
from the frame, so a single 0x00 ends it and a receiver that starts mid-stream, or loses bytes,
resynchronises at the next 0x00.

Frame types::

    0x01 SAMPLES   device → host  seq:u16 | t0_us:u32 | dt_us:u16 | flags:u8 | n:u8 | n × counts:i24
    0x02 RESPONSE  device → host  UTF-8 text, the reply to one command ("ok …", "err …", "id …", …)
    0x03 BANNER    device → host  UTF-8 text, e.g. the boot banner
    0x10 COMMAND   host → device  UTF-8 text command ("ID", "TARE", "RATE 1000", …)

All integers are little-endian; counts are 24-bit two's complement. The decoders here never block and
never raise on any input: what they cannot use they count in :class:`CodecStats`.
"""

from __future__ import annotations

import binascii
import operator
import re
import shlex
import struct
from collections.abc import Sequence
from typing import Any

from nmt_pressure.protocol import ecc
from nmt_pressure.protocol.frames import Banner, CodecStats, CommandFrame, Frame, Response, SampleBlock
from nmt_pressure.protocol.splitter import BoundedSplitter

__all__ = [
    "COUNTS_MAX",
    "COUNTS_MIN",
    "MAX_FRAME",
    "MAX_SAMPLES",
    "MAX_TEXT",
    "RATE_MAX",
    "RATE_MIN",
    "SUPPORTED_RATES",
    "TYPE_BANNER",
    "TYPE_COMMAND",
    "TYPE_RESPONSE",
    "TYPE_SAMPLES",
    "ClockUnwrapper",
    "CobsError",
    "CommandDecoder",
    "NmtpDecoder",
    "SequenceTracker",
    "cobs_decode",
    "cobs_encode",
    "crc16_ccitt_false",
    "encode_banner",
    "encode_command",
    "encode_response",
    "encode_samples",
    "parse_kv",
    "rate_supported",
]

TYPE_SAMPLES = 0x01
TYPE_RESPONSE = 0x02
TYPE_BANNER = 0x03
TYPE_COMMAND = 0x10

#: Longest encoded frame a decoder accepts (bytes between two 0x00 delimiters). Longer runs are
#: discarded and counted in ``overflows``; this bounds the decoder's buffer.
MAX_FRAME = 1024
#: Longest text (UTF-8 bytes) of a RESPONSE, BANNER or COMMAND frame; its frame stays under MAX_FRAME.
MAX_TEXT = 960
#: Most samples in one SAMPLES frame (``n`` is a u8).
MAX_SAMPLES = 255
COUNTS_MIN = -(1 << 23)
COUNTS_MAX = (1 << 23) - 1
#: Sample rates (Hz) the device's RATE command accepts.
#: Rates a device typically offers (HX711: 10 and 80 Hz; faster ADCs the rest). Any whole number of
#: Hz from RATE_MIN to RATE_MAX is valid on the wire.
SUPPORTED_RATES = (10, 80, 250, 500, 1000, 2000)
RATE_MIN = 1
RATE_MAX = 4000


def rate_supported(hz: float) -> bool:
    """Whether ``hz`` is a sample rate the protocol carries (a whole number of Hz, 1 to 4000)."""
    return float(hz).is_integer() and RATE_MIN <= hz <= RATE_MAX

_SAMPLES_HEADER = struct.Struct("<BHIHBB")  # type, seq, t0_us, dt_us, flags, n
_SAMPLES_FIXED = _SAMPLES_HEADER.size + 2  # header with type, plus the CRC
_CRC_INIT = 0xFFFF


# --------------------------------------------------------------------------------------------------
# CRC-16/CCITT-FALSE
# --------------------------------------------------------------------------------------------------
def _make_crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
        table.append(crc & 0xFFFF)
    return tuple(table)


_CRC_TABLE = _make_crc_table()


def crc16_ccitt_false(data: bytes | bytearray | memoryview, crc: int = _CRC_INIT) -> int:
    """CRC-16/CCITT-FALSE of ``data``: poly 0x1021, init 0xFFFF, MSB first, no final XOR.

    Table-driven, one lookup per byte, as a microcontroller would compute it; ``crc`` continues an
    earlier computation. The decoders use :func:`binascii.crc_hqx`, the same CRC in C (the tests hold
    the two equal), because this loop would cost more than everything else a frame needs.
    """
    table = _CRC_TABLE
    for b in bytes(data):
        crc = ((crc << 8) & 0xFFFF) ^ table[((crc >> 8) ^ b) & 0xFF]
    return crc


_crc_fast = binascii.crc_hqx  # CRC-CCITT, MSB first: with init 0xFFFF it *is* CRC-16/CCITT-FALSE


# --------------------------------------------------------------------------------------------------
# COBS
# --------------------------------------------------------------------------------------------------
class CobsError(ValueError):
    """The bytes are not a valid COBS encoding."""


def cobs_encode(data: bytes | bytearray | memoryview) -> bytes:
    """COBS-encode ``data`` (the result contains no 0x00; the caller appends the delimiter).

    Every zero-free run is written as a code byte (run length + 1) and the run; a code of 0xFF means
    254 bytes with no zero after them. Overhead: one byte, plus one per 254 bytes.
    """
    out = bytearray()
    pieces = bytes(data).split(b"\x00")
    last = len(pieces) - 1
    for i, piece in enumerate(pieces):
        while len(piece) >= 254:
            out.append(0xFF)
            out += piece[:254]
            piece = piece[254:]
            if not piece and i == last:
                return bytes(out)  # a final full block needs no empty block after it
        out.append(len(piece) + 1)
        out += piece
    return bytes(out)


def cobs_decode(data: bytes | bytearray | memoryview) -> bytes:
    """Decode one COBS-encoded frame (without its 0x00 delimiter); :class:`CobsError` if invalid."""
    enc = bytes(data)
    out = bytearray()
    i = 0
    n = len(enc)
    while i < n:
        code = enc[i]
        if code == 0:
            raise CobsError(f"zero byte at {i} inside a COBS frame")
        end = i + code
        if end > n:
            raise CobsError(f"COBS block at {i} runs past the end of the frame ({code - 1} > {n - i - 1})")
        block = enc[i + 1:end]
        if 0 in block:
            raise CobsError("zero byte inside a COBS block")
        out += block
        i = end
        if code != 0xFF and i < n:
            out.append(0)
    return bytes(out)


def _frame(decoded: bytes | bytearray) -> bytes:
    """CRC, check bytes, COBS and delimiter around ``type | payload``."""
    crc = _crc_fast(decoded, _CRC_INIT)
    body = bytes(decoded) + bytes((crc & 0xFF, crc >> 8))
    return cobs_encode(body + ecc.parity(body)) + b"\x00"


def _verify(dec: bytes, stats: CodecStats | None) -> bytes | None:
    """``type | payload | crc`` of a decoded frame whose CRC holds, repairing one bad byte if need be.

    The CRC is tried first (the common, clean case costs one C call); only a failing frame pays for
    the error-correction syndromes, and a repaired frame must pass the CRC again.
    """
    if len(dec) < 5:
        return None
    body = dec[:-2]
    if _crc_fast(memoryview(body)[:-2], _CRC_INIT) == body[-2] | (body[-1] << 8):
        return body
    fixed = bytearray(dec)
    if not ecc.correct(fixed):
        return None
    body = bytes(fixed[:-2])
    if _crc_fast(memoryview(body)[:-2], _CRC_INIT) != body[-2] | (body[-1] << 8):
        return None
    if stats is not None:
        stats.extra["corrected"] = stats.extra.get("corrected", 0) + 1
    return body


# --------------------------------------------------------------------------------------------------
# Encoders (device and host)
# --------------------------------------------------------------------------------------------------
_I32 = {n: struct.Struct(f"<{n}i") for n in range(1, MAX_SAMPLES + 1)}


def encode_samples(seq: int, t0_us: int, dt_us: int, counts: Sequence[int], flags: int = 0) -> bytes:
    """A complete SAMPLES frame (COBS-encoded, with its trailing 0x00).

    ``seq`` is the sequence number of the first sample (taken modulo 2^16; the next block's is
    ``seq + len(counts)``), ``t0_us`` the device time of the first sample in µs (modulo 2^32) and
    ``dt_us`` the sampling interval (0 ≤ dt_us ≤ 65535; blocks of one sample may send 0, which is what
    rates under 15.3 Hz must do). ``counts`` are 1 to 255 signed 24-bit ADC readings. Out-of-range
    counts, ``dt_us`` or ``flags`` raise ValueError: a clipped reading would be a silent lie.
    """
    vals = [operator.index(c) for c in counts]
    n = len(vals)
    if not 1 <= n <= MAX_SAMPLES:
        raise ValueError(f"a SAMPLES frame carries 1 to {MAX_SAMPLES} counts, not {n}")
    if min(vals) < COUNTS_MIN or max(vals) > COUNTS_MAX:
        bad = min(vals) if min(vals) < COUNTS_MIN else max(vals)
        raise ValueError(f"count {bad} does not fit in 24 bits ({COUNTS_MIN}..{COUNTS_MAX})")
    dt_us = operator.index(dt_us)
    if not 0 <= dt_us <= 0xFFFF:
        raise ValueError(f"dt_us={dt_us} does not fit in 16 bits; below 15.3 Hz send one sample per block")
    flags = operator.index(flags)
    if not 0 <= flags <= 0xFF:
        raise ValueError(f"flags={flags} does not fit in 8 bits")
    packed = _I32[n].pack(*vals)
    body = bytearray(3 * n)
    body[0::3] = packed[0::4]
    body[1::3] = packed[1::4]
    body[2::3] = packed[2::4]
    head = _SAMPLES_HEADER.pack(TYPE_SAMPLES, operator.index(seq) & 0xFFFF,
                                operator.index(t0_us) & 0xFFFFFFFF, dt_us, flags, n)
    return _frame(head + body)


def _encode_text(kind: int, text: str) -> bytes:
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    raw = text.encode("utf-8")
    if len(raw) > MAX_TEXT:
        raise ValueError(f"text of {len(raw)} bytes is longer than the {MAX_TEXT} a frame may carry")
    return _frame(bytes((kind,)) + raw)


def encode_response(text: str) -> bytes:
    """A complete RESPONSE frame (device → host): the reply to one command."""
    return _encode_text(TYPE_RESPONSE, text)


def encode_banner(text: str) -> bytes:
    """A complete BANNER frame (device → host): free text such as the boot banner."""
    return _encode_text(TYPE_BANNER, text)


def encode_command(text: str) -> bytes:
    """A complete COMMAND frame (host → device), e.g. ``encode_command("RATE 1000")``."""
    return _encode_text(TYPE_COMMAND, text)


# --------------------------------------------------------------------------------------------------
# Decoders
# --------------------------------------------------------------------------------------------------
#: bytes.translate table: the top byte of a sign-extended 24-bit value, from its third byte.
_SIGN_FILL = bytes(0xFF if b & 0x80 else 0x00 for b in range(256))


def _split_at_zero(data: bytes) -> list[bytes]:
    return data.split(b"\x00")


class _Deframer:
    """Splits a byte stream at 0x00 into bounded frames, checks COBS and CRC, counts what fails.

    Subclasses turn a checked ``type | payload`` into frames in :meth:`_deliver`.
    """

    def __init__(self, max_frame: int = MAX_FRAME) -> None:
        if max_frame < 4:
            raise ValueError("max_frame must be at least 4 bytes")
        self.max_frame = max_frame
        self.stats = CodecStats()
        self._frames = BoundedSplitter(_split_at_zero, max_frame)

    def reset(self) -> None:
        """Forget a partial frame (after a reconnect); the counters are kept."""
        self._frames.reset()

    @property
    def buffered(self) -> int:
        """Bytes held for a frame not yet complete (never more than ``max_frame``)."""
        return self._frames.buffered

    def _split(self, data: bytes | bytearray | memoryview, out: list[Any]) -> None:
        for piece in self._frames.feed(data, self.stats):
            self._frame(piece, out)

    def _frame(self, enc: bytes, out: list[Any]) -> None:
        # The splitter hands on nothing longer than max_frame (it counts those as overflows).
        st = self.stats
        if enc[0] == len(enc):
            dec = enc[1:]  # the common short frame: one block, no zero inside
        else:
            try:
                dec = cobs_decode(enc)
            except CobsError:
                st.framing_errors += 1
                st.garbage_bytes += len(enc)
                return
        if len(dec) < 5:
            st.framing_errors += 1
            st.garbage_bytes += len(enc)
            return
        body = _verify(dec, st)
        if body is None:
            st.crc_errors += 1
            st.garbage_bytes += len(enc)
            return
        if not self._deliver(body, out):
            st.framing_errors += 1
            st.garbage_bytes += len(enc)

    def _deliver(self, dec: bytes, out: list[Any]) -> bool:
        raise NotImplementedError


class NmtpDecoder(_Deframer):
    """Host side: bytes from the device → :class:`SampleBlock`, :class:`Response`, :class:`Banner`.

    ``feed`` never blocks and never raises; feeding a stream in any split gives the same frames and
    the same counts. It holds at most ``max_frame`` bytes: a longer run without a 0x00 is dropped
    (``overflows``). Frames with a bad COBS encoding, length or type count as ``framing_errors``,
    with a bad CRC as ``crc_errors``; their bytes count in ``garbage_bytes``. COMMAND frames (a host
    hearing its own commands on a loopback) are skipped and counted in ``stats.extra["commands"]``.
    """

    name = "nmtp"

    def feed(self, data: bytes | bytearray | memoryview) -> list[Frame]:
        out: list[Frame] = []
        if data:
            self._split(data, out)
        return out

    def _deliver(self, dec: bytes, out: list[Any]) -> bool:
        kind = dec[0]
        if kind == TYPE_SAMPLES:
            if len(dec) < _SAMPLES_FIXED:
                return False
            _, seq, t0, dt, flags, n = _SAMPLES_HEADER.unpack_from(dec)
            if n == 0 or len(dec) != _SAMPLES_FIXED + 3 * n:
                return False
            body = dec[_SAMPLES_HEADER.size:-2]
            wide = bytearray(4 * n)
            wide[0::4] = body[0::3]
            wide[1::4] = body[1::3]
            wide[2::4] = body[2::3]
            wide[3::4] = body[2::3].translate(_SIGN_FILL)
            out.append(SampleBlock(seq, t0, dt, _I32[n].unpack(wide), flags))
        elif kind == TYPE_RESPONSE:
            out.append(Response(dec[1:-2].decode("utf-8", "replace")))
        elif kind == TYPE_BANNER:
            out.append(Banner(dec[1:-2].decode("utf-8", "replace")))
        elif kind == TYPE_COMMAND:
            extra = self.stats.extra
            extra["commands"] = extra.get("commands", 0) + 1
            return True
        else:
            return False
        self.stats.frames += 1
        return True


_PRINTABLE = frozenset(range(0x20, 0x7F)) | {0x09}
_LINE_END = re.compile(rb"[\r\n]")


class CommandDecoder(_Deframer):
    """Device side: bytes from the host → :class:`CommandFrame`.

    Takes COMMAND frames and also plain text lines ending in CR or LF (a person at a terminal typing
    ``STATUS``). At each CR/LF, the printable text since the previous CR, LF or 0x00 is a command
    line; it can never be the inside of a COMMAND frame, whose second byte is the type byte 0x10 (a
    control character). A CR or LF can be a frame's first (COBS code) byte, e.g. the one of
    ``encode_command("STATUS")`` is 0x0A, so a frame that fails its check is retried without the
    line ends a terminal may have left in front of it. Other frame types are counted in
    ``stats.extra["ignored"]``. A run of over ``max_frame`` bytes is dropped (``overflows``) up to
    the next 0x00 or line end, whichever comes first.
    """

    name = "nmtp-commands"

    def feed(self, data: bytes | bytearray | memoryview) -> list[CommandFrame]:
        out: list[CommandFrame] = []
        if not data:
            return out
        data = bytes(data)
        start = 0
        for m in _LINE_END.finditer(data):
            end = m.start()
            zero = data.rfind(b"\x00", start, end)
            if zero >= 0:
                self._split(data[start:zero + 1], out)
                start = zero + 1
            if self._frames.discarding:
                # An over-long run (neither a frame nor a command) ends at a line end as well as
                # at a 0x00, or line noise would leave a terminal's commands unheard until a 0x00.
                self.stats.garbage_bytes += end + 1 - start
                self._frames.reset()
                start = end + 1
                continue
            line = self._frames.pending() + data[start:end]
            if not line.strip(b"\r\n"):
                # Blank lines (a terminal's Enter) are idle; only this line end is kept, as it may be
                # the first (COBS code) byte of a frame. Line ends thus never pile up in the buffer.
                self._frames.take_pending()
                self._split(data[end:end + 1], out)
                start = end + 1
                continue
            cut = max(line.rfind(b"\r"), line.rfind(b"\n")) + 1
            text = line[cut:]
            # The whole line counts against max_frame, as it would byte by byte in the buffer.
            if len(line) <= self.max_frame and text.strip() and _PRINTABLE.issuperset(text):
                if line[:cut].strip():
                    self.stats.garbage_bytes += cut
                self._frames.take_pending()
                out.append(CommandFrame(text.decode("ascii").strip()))
                self.stats.frames += 1
                start = end + 1
                continue
            self._split(data[start:end + 1], out)  # the CR/LF is frame data (or garbage)
            if self._frames.discarding:
                self._frames.reset()  # the over-long run ended at this line end (counted)
            start = end + 1
        if start < len(data):
            self._split(data[start:], out)
        return out

    def _frame(self, enc: bytes, out: list[Any]) -> None:
        if enc[0] in (0x0A, 0x0D) and _check(enc) is None:
            # Line ends a terminal left in front of a frame (only tried when the frame fails).
            lead = len(enc) - len(enc.lstrip(b"\r\n"))
            for k in range(1, lead + 1):
                dec = _check(enc[k:])
                if dec is not None and dec[0] == TYPE_COMMAND:
                    self._deliver(dec, out)
                    return
        super()._frame(enc, out)

    def _deliver(self, dec: bytes, out: list[Any]) -> bool:
        if dec[0] == TYPE_COMMAND:
            out.append(CommandFrame(dec[1:-2].decode("utf-8", "replace").strip()))
            self.stats.frames += 1
            return True
        if dec[0] in (TYPE_SAMPLES, TYPE_RESPONSE, TYPE_BANNER):
            extra = self.stats.extra
            extra["ignored"] = extra.get("ignored", 0) + 1
            return True
        return False


def _check(enc: bytes) -> bytes | None:
    """``type | payload | crc`` of a frame whose COBS and CRC are valid, else None."""
    try:
        dec = enc[1:] if enc and enc[0] == len(enc) else cobs_decode(enc)
    except CobsError:
        return None
    return _verify(dec, None)


# --------------------------------------------------------------------------------------------------
# Host-side helpers
# --------------------------------------------------------------------------------------------------
class SequenceTracker:
    """Counts samples lost between SAMPLES blocks from their 16-bit sequence numbers.

    ``update(block)`` returns how many samples went missing just before ``block``. The sequence
    number wraps every 65536 samples (33 s at 2 kHz), so the block times settle how many whole wraps
    a long silence hid: of the counts the sequence numbers allow (gap + k·65536), the one nearest to
    the elapsed device time. A block dated more than half an interval before the expected time (a
    restarted device, a repeated block) counts nothing and is tallied in ``restarts``; so is one that
    goes back in sequence when no time base is known yet.
    """

    def __init__(self) -> None:
        self.dropped = 0  # samples lost in total
        self.samples = 0  # samples received in total
        self.restarts = 0  # blocks that went back (device restarted, block repeated)
        self.reset()

    def reset(self) -> None:
        """Start over (a new connection); the totals are kept."""
        self._next_seq: int | None = None
        self._next_t_us = 0
        self._last_t0_us = 0
        self._interval_us = 0.0  # per sample: dt_us, or learned from one-sample blocks

    def update(self, block: SampleBlock) -> int:
        n = len(block.counts)
        dropped = 0
        if self._next_seq is not None:
            gap = (block.seq - self._next_seq) & 0xFFFF
            elapsed = (block.t0_us - self._next_t_us) & 0xFFFFFFFF
            if elapsed >= 1 << 31:
                elapsed -= 1 << 32
            interval = float(block.dt_us) if block.dt_us > 0 else self._interval_us
            if interval > 0.0:
                if elapsed < -0.5 * interval:
                    self.restarts += 1
                else:
                    wraps = max(0, round((elapsed / interval - gap) / 65536.0))
                    dropped = gap + 65536 * wraps
                    if dropped == 0 and n == 1 and block.dt_us == 0:
                        step = (block.t0_us - self._last_t0_us) & 0xFFFFFFFF
                        if step < 1 << 31:
                            self._interval_us = float(step)
            elif gap < 1 << 15:
                dropped = gap
                if dropped == 0 and n == 1:
                    self._interval_us = float((block.t0_us - self._last_t0_us) & 0xFFFFFFFF)
            else:
                self.restarts += 1
        if block.dt_us > 0:
            self._interval_us = float(block.dt_us)
        self._next_seq = (block.seq + n) & 0xFFFF
        self._last_t0_us = block.t0_us
        self._next_t_us = (block.t0_us + round(n * self._interval_us)) & 0xFFFFFFFF
        self.dropped += dropped
        self.samples += n
        return dropped


class ClockUnwrapper:
    """Turns the device's 32-bit µs clock (wraps every 71.6 minutes) into seconds that keep counting.

    The first value is taken as it is (device time since boot); every later one is placed at the
    nearest point to its predecessor, so forward wraps add 2^32 µs and a small step back (never
    expected, but harmless) stays a small step back.
    """

    WRAP = 1 << 32

    def __init__(self) -> None:
        self._last: int | None = None
        self._ext = 0

    def reset(self) -> None:
        self._last = None
        self._ext = 0

    def unwrap(self, t_us: int) -> float:
        t = t_us & 0xFFFFFFFF
        if self._last is None:
            self._ext = t
        else:
            delta = (t - self._last) & 0xFFFFFFFF
            self._ext += delta if delta < 1 << 31 else delta - self.WRAP
        self._last = t
        return self._ext / 1e6


# --------------------------------------------------------------------------------------------------
# Replies
# --------------------------------------------------------------------------------------------------
def parse_kv(text: str) -> tuple[str, dict[str, str]]:
    """Split a device reply into its kind (first word) and its ``key=value`` fields.

    ``parse_kv("ok cal scale=1234.5")`` → ``("ok", {"cal": "", "scale": "1234.5"})``: words without
    ``=`` become keys with an empty value, so ``"tare" in kv`` works. Values may be double-quoted to
    hold spaces (``name="cell A"``). Never raises; an empty text gives ``("", {})``.
    """
    try:
        words = shlex.split(text, posix=True)
    except ValueError:  # an unbalanced quote: fall back to plain whitespace splitting
        words = text.split()
    if not words:
        return "", {}
    kv: dict[str, str] = {}
    for word in words[1:]:
        key, sep, value = word.partition("=")
        kv[key] = value if sep else ""
    return words[0], kv
