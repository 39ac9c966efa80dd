"""ASCII devices: one reading per text line (Arduino HX711 sketches, SparkFun OpenScale, force gauges).

Lines end in CR, LF or CR LF. Each line becomes a :class:`Reading` (value, unit, and the line's own
time when it carries one) or, when it is not a reading (a boot banner, a menu, a prompt, a CSV header,
a status line), a :class:`Banner`. Junk at the start of a line (the 0x00/0xFF of a board resetting as
the port opens) is stripped; a line with control characters further in (line noise, a binary stream
read as text) becomes neither: its bytes are counted in ``garbage_bytes``. The line buffer is bounded.

What a reading looks like (all of these verbatim from real devices, see ``tests/test_protocol_ascii.py``
and ``docs/PROTOCOL.md``):

* a number alone: ``12.34``, ``-0.5``, ``+012.34``, ``8355808`` (a raw HX711 count);
* a number and a force unit, with or without a space, any case: ``12.34 N``, ``-18.78 lbF``,
  ``0.85 kg``, ``- 23.02 lbf`` (Wagner FDX: sign, space, digits), ``12.34 lbf Peak`` (Wagner FDV);
* Imada's reply to ``D``: value, unit letter (N, K = kgf, O = lbf), mode (T real time, P peak) and an
  optional set-point judgement (L, O, H, E): ``+12.34NTO``; or with the unit alone, ``+012.34N``;
* a time and a value: ``0.123,12.34`` separated by comma, semicolon, tab or spaces (seconds);
* SparkFun OpenScale: ``1234,12.34,lbs,23.50,`` (ms since boot, value, unit, then raw counts and
  temperatures, every field followed by a comma) or without the timestamp ``12.34,lbs,``;
* a label and a value, as Arduino sketches print them: ``Reading: 12.3 kg``,
  ``one reading:\\t0.2\\t| average:\\t0.1`` (the first value is taken), ``Load_cell output val: 123.45``,
  ``HX711 reading: 8355808``. A label counts when its last word is reading/weight/force/load/val/value/
  output (so ``Zero factor: 8355808`` and ``Minimum time between reports: 163`` stay banners).

Units are returned normalised to ``N kg g lb lbf`` (``lbs``→lb, ``kgf``→kg, ``gf``→g, any case);
``''`` when the line had none. Converting to newtons is the calibration stage's job.
"""

from __future__ import annotations

import math
import re

from nmt_pressure.protocol.frames import Banner, CodecStats, Frame, Reading
from nmt_pressure.protocol.splitter import BoundedSplitter

__all__ = ["MAX_LINE", "UNIT_ALIASES", "AsciiDecoder", "parse_line"]

#: Longest line kept (bytes, without its line end); longer lines are dropped and counted as overflows.
MAX_LINE = 512

#: Force unit as written (case-folded) → the name the calibration stage knows.
UNIT_ALIASES: dict[str, str] = {
    "n": "N",
    "kg": "kg",
    "kgf": "kg",
    "g": "g",
    "gf": "g",
    "lb": "lb",
    "lbs": "lb",
    "lbf": "lbf",
}
#: Imada's one-letter unit codes.
_IMADA_UNITS = {"N": "N", "K": "kg", "O": "lbf"}

# (Digits after a point only: "\d+\.?\d*" splits a run of digits between its two parts in every way,
# and a long run that then fails to match - garbage on the line - costs quadratic time per pattern.)
_NUM = r"[+-]?\s*(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_UNIT = r"(?:lbf|lbs|lb|kgf|kg|gf|g|n)"
# A number, an optional unit (with or without a space) and an optional Wagner "Peak".
_VALUE = re.compile(rf"(?P<v>{_NUM})\s*(?:(?P<u>{_UNIT})(?:\s+peak)?)?", re.IGNORECASE)
_IMADA = re.compile(rf"(?P<v>{_NUM})(?P<u>[NKO])[TP][LOHE0]?")  # "0" as quoted in imada_forcegauge
_PAIR = re.compile(rf"(?P<t>{_NUM})\s+(?P<v>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(?P<u>{_UNIT})?",
                   re.IGNORECASE)
_UNIT_ONLY = re.compile(_UNIT, re.IGNORECASE)
_LABELLED = re.compile(rf"(?P<label>[A-Za-z][\w .()/-]*?)\s*[:=]\s*(?P<v>{_NUM})(?:\s*(?P<u>{_UNIT})\b)?"
                       r"(?![\w.])", re.IGNORECASE)
_FIELD_SEP = re.compile(r"[,;\t]")
_READING_WORDS = frozenset({"reading", "weight", "force", "load", "val", "value", "output"})
_NOT_READING_FIRST = frozenset({"get", "set"})
_LINE_END = re.compile(rb"[\r\n]")
_NUMERIC_START = frozenset("+-.0123456789")
#: Control characters (bar tab) mark a line as line noise.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
#: Bytes stripped from the start of a line: controls, DEL, and bytes that cannot begin a UTF-8
#: character (continuation bytes, 0xC0, 0xC1, 0xF5-0xFF).
_LEAD_JUNK = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xC2), *range(0xF5, 0x100)])


def _number(text: str) -> float | None:
    value = float(text.replace(" ", "").replace("\t", ""))
    return value if math.isfinite(value) else None


def _unit(text: str | None) -> str:
    return "" if not text else UNIT_ALIASES[text.casefold()]


def parse_line(line: str) -> Reading | None:
    """The reading a text line holds, or None if it holds none (a banner). Never raises."""
    s = line.strip()
    if not s:
        return None
    if s[0] in _NUMERIC_START and s.isascii() and "_" not in s:
        try:  # fast path: a plain number, the commonest line of all
            value = float(s)
        except ValueError:
            pass
        else:
            return Reading(value) if math.isfinite(value) else None
    try:
        return _parse(s)
    except (ValueError, KeyError, OverflowError):  # pragma: no cover - the patterns exclude these
        return None


def _parse(s: str) -> Reading | None:
    m = _VALUE.fullmatch(s)
    if m:
        v = _number(m["v"])
        return None if v is None else Reading(v, _unit(m["u"]))
    m = _IMADA.fullmatch(s)
    if m:
        v = _number(m["v"])
        return None if v is None else Reading(v, _IMADA_UNITS[m["u"]])
    if _FIELD_SEP.search(s):
        r = _fields(s)
        if r is not None:
            return r
    else:
        m = _PAIR.fullmatch(s)
        if m:
            t, v = _number(m["t"]), _number(m["v"])
            return None if t is None or v is None else Reading(v, _unit(m["u"]), t)
    m = _LABELLED.match(s)
    if m:
        words = m["label"].casefold().replace("_", " ").split()
        if words and words[-1] in _READING_WORDS and words[0] not in _NOT_READING_FIRST:
            v = _number(m["v"])
            return None if v is None else Reading(v, _unit(m["u"]))
    return None


def _fields(s: str) -> Reading | None:
    """Comma/semicolon/tab separated: ``value``, ``t,value``, OpenScale ``[ms,]value,unit,…,``."""
    fields = [f.strip() for f in _FIELD_SEP.split(s)]
    trailing = not fields[-1]
    while fields and not fields[-1]:
        fields.pop()
    if not fields or any(not f for f in fields):
        return None
    kinds = []  # per field: a Reading-less value match, a unit, or neither
    for f in fields:
        if _UNIT_ONLY.fullmatch(f):
            kinds.append("u")
        elif _VALUE.fullmatch(f):
            kinds.append("v")
        else:
            return None
    if "u" in kinds:
        # OpenScale: [ms,] value, unit, then numbers (raw counts, temperatures), every field + ','.
        iu = kinds.index("u")
        if iu not in (1, 2) or "u" in kinds[iu + 1:] or any(k != "v" for k in kinds[:iu]):
            return None
        m = _VALUE.fullmatch(fields[iu - 1])
        if m is None or m["u"]:
            return None
        v = _number(m["v"])
        if v is None:
            return None
        unit = _unit(fields[iu])
        if iu == 1:
            return Reading(v, unit)
        t = _number(fields[0])
        if t is None:
            return None
        return Reading(v, unit, t / 1000.0 if trailing else t)  # OpenScale stamps milliseconds
    if len(fields) == 1:
        return _parse_value(fields[0], None)
    if len(fields) == 2:
        tm = _VALUE.fullmatch(fields[0])
        if tm is None or tm["u"]:
            return None
        t = _number(tm["v"])
        return None if t is None else _parse_value(fields[1], t)
    return None


def _parse_value(field: str, t: float | None) -> Reading | None:
    m = _VALUE.fullmatch(field)
    if m is None:
        return None
    v = _number(m["v"])
    return None if v is None else Reading(v, _unit(m["u"]), t)


class AsciiDecoder:
    """Text lines → :class:`Reading` and :class:`Banner` frames; never blocks, never raises.

    Feeding a stream in any split gives the same frames and counts. Empty lines are skipped; a line
    longer than ``max_line`` bytes is dropped (``overflows``, its bytes in ``garbage_bytes``), and so
    is a line with control characters (``garbage_bytes``). ``stats.extra`` counts ``banners`` and
    ``garbage_lines``.
    """

    name = "ascii"

    def __init__(self, max_line: int = MAX_LINE) -> None:
        if max_line < 1:
            raise ValueError("max_line must be at least 1")
        self.max_line = max_line
        self.stats = CodecStats()
        self._lines = BoundedSplitter(_LINE_END.split, max_line)

    def reset(self) -> None:
        """Forget a partial line (after a reconnect); the counters are kept."""
        self._lines.reset()

    @property
    def buffered(self) -> int:
        """Bytes held for a line not yet complete (never more than ``max_line``)."""
        return self._lines.buffered

    def feed(self, data: bytes | bytearray | memoryview) -> list[Frame]:
        out: list[Frame] = []
        if data:
            for line in self._lines.feed(data, self.stats):
                self._line(line, out)
        return out

    def _line(self, raw: bytes, out: list[Frame]) -> None:
        # The splitter hands on no line longer than max_line (it counts those as overflows).
        st = self.stats
        if raw[0] in _LEAD_JUNK:  # e.g. the 0x00/0xFF an Arduino emits as the port resets it
            clean = raw.lstrip(_LEAD_JUNK)
            st.garbage_bytes += len(raw) - len(clean)
            raw = clean
            if not raw:
                return
        text = raw.decode("utf-8", "replace")
        if _CONTROL.search(text):
            st.garbage_bytes += len(raw)
            st.extra["garbage_lines"] = st.extra.get("garbage_lines", 0) + 1
            return
        reading = parse_line(text)
        if reading is not None:
            out.append(reading)
        else:
            text = text.strip()
            if not text:
                return  # spaces only: nothing to say
            out.append(Banner(text))
            st.extra["banners"] = st.extra.get("banners", 0) + 1
        st.frames += 1
