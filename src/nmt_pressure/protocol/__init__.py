"""Frame formats between bytes and frames: nmtp (our binary protocol) and ASCII lines (other devices).

Pure codecs: ``feed(bytes) -> list[Frame]``, never blocking, never raising on line noise, counting what
they drop in :class:`CodecStats`. ``make_decoder("auto" | "nmtp" | "ascii")`` picks one. The wire
format is documented byte by byte in ``docs/PROTOCOL.md``.
"""

from nmt_pressure.protocol.ascii import AsciiDecoder, parse_line
from nmt_pressure.protocol.auto import FORMATS, AutoDecoder, make_decoder
from nmt_pressure.protocol.frames import (
    FLAG_MARKER,
    FLAG_OVERLOAD,
    FLAG_TARED,
    Banner,
    CodecStats,
    CommandFrame,
    Decoder,
    Frame,
    Reading,
    Response,
    SampleBlock,
)
from nmt_pressure.protocol.nmtp import (
    COUNTS_MAX,
    COUNTS_MIN,
    MAX_FRAME,
    MAX_SAMPLES,
    MAX_TEXT,
    SUPPORTED_RATES,
    ClockUnwrapper,
    CobsError,
    CommandDecoder,
    NmtpDecoder,
    SequenceTracker,
    cobs_decode,
    cobs_encode,
    crc16_ccitt_false,
    encode_banner,
    encode_command,
    encode_response,
    encode_samples,
    parse_kv,
)

__all__ = [
    "COUNTS_MAX",
    "COUNTS_MIN",
    "FLAG_MARKER",
    "FLAG_OVERLOAD",
    "FLAG_TARED",
    "FORMATS",
    "MAX_FRAME",
    "MAX_SAMPLES",
    "MAX_TEXT",
    "SUPPORTED_RATES",
    "AsciiDecoder",
    "AutoDecoder",
    "Banner",
    "ClockUnwrapper",
    "CobsError",
    "CodecStats",
    "CommandDecoder",
    "CommandFrame",
    "Decoder",
    "Frame",
    "NmtpDecoder",
    "Reading",
    "Response",
    "SampleBlock",
    "SequenceTracker",
    "cobs_decode",
    "cobs_encode",
    "crc16_ccitt_false",
    "encode_banner",
    "encode_command",
    "encode_response",
    "encode_samples",
    "make_decoder",
    "parse_kv",
    "parse_line",
]
