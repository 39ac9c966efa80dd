"""What every recording reader shares: the Recording, its error, and the force and time units.

Kept apart from :mod:`nmt_pressure.io.recording` (the public face, which re-exports all of it) so that
the table reader and the format readers can use them without importing each other.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.core.detector import AnalysisResult, analyze, estimate_sample_rate
from nmt_pressure.extras import require

#: First line of every recording this project writes.
FORMAT_LINE = "# nmt_pressure recording"
DEFAULT_TIME_COL = "t_s"
DEFAULT_FORCE_COL = "force_n"
#: Fewest data rows a usable recording has (one interval is needed for a sample rate).
MIN_SAMPLES = 2

#: Force units a recording may be in, as newtons per unit. ``kg``/``g``/``lb`` mean the force units
#: (kilogram-force etc.), which is what scales and hanging load cells report.
UNITS: dict[str, float] = {
    "N": 1.0,
    "kg": 9.80665,
    "g": 0.00980665,
    "lb": 4.4482216152605,
    "lbf": 4.4482216152605,
}
_UNIT_ALIASES: dict[str, str] = {
    **{name.casefold(): name for name in UNITS},
    "kgf": "kg",
    "lbs": "lb",
}

#: Where :attr:`Recording.unit` came from: the force column's name, the ``--unit`` option, the file
#: itself (an app's export that names its unit or has a fixed one), or nowhere (a default, assumed).
#: :attr:`Recording.time_unit_source` says the same of the time unit (``--time-unit`` for "option").
UNIT_SOURCES = ("column", "option", "file", "assumed")

#: Metadata key of a date-time time column's first row (ISO 8601), from which its times are counted.
TIME_ORIGIN = "time_origin"

#: Time units a recording's time column may be in, as seconds per unit (times are read into seconds).
TIME_UNITS: dict[str, float] = {
    "s": 1.0,
    "ms": 1e-3,
    "us": 1e-6,
    "ns": 1e-9,
    "min": 60.0,
}
#: Units a time column's name may state, or ``--time-unit`` may give (case-folded) -> a TIME_UNITS name.
#: Both the micro sign (U+00B5) and the Greek mu (U+03BC) are written for micro; case-folding turns
#: the first into the second, so the keys are folded once here.
_TIME_NAME_UNITS: dict[str, str] = {k.casefold(): v for k, v in {
    "s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
    "ms": "ms", "msec": "ms", "msecs": "ms", "millis": "ms", "millisecond": "ms", "milliseconds": "ms",
    "us": "us", "µs": "us", "μs": "us", "usec": "us", "usecs": "us", "micros": "us",
    "microsecond": "us", "microseconds": "us",
    "ns": "ns", "nsec": "ns", "nsecs": "ns", "nanos": "ns", "nanosecond": "ns", "nanoseconds": "ns",
    "min": "min", "mins": "min", "minute": "min", "minutes": "min",
}.items()}
#: Time units a name may state that are not read here. Hours (and days) are no time base for a
#: force trace sampled many times a second (an ``hour`` column is more likely a clock's hour field),
#: and picoseconds no device's clock: refused, like kN in a force column, rather than read as seconds.
_FOREIGN_TIME_UNITS = frozenset({"h", "hr", "hrs", "hour", "hours", "day", "days", "ps", "psec",
                                 "picosecond", "picoseconds"})

#: What :attr:`Recording.format` may say.
FORMATS = ("nmt_pressure", "csv", "tindeq", "grip-connect-csv", "grip-connect-json")


def brief(value: object, limit: int = 60) -> str:
    """``repr(value)`` for a message, cut short: a hostile file's 100 kB cell must not fill the screen."""
    try:
        text = repr(value)
    except RecursionError:  # a JSON value nested a thousand deep
        return f"a {type(value).__name__} nested too deeply to show"
    if len(text) <= limit:
        return text
    size = f" ({len(value)} characters)" if isinstance(value, str) else ""
    return f"{text[:limit - 1]}…{size}"


def brief_list(names: list[str], limit: int = 8) -> str:
    """Names for a message, ``'a', 'b'``, at most ``limit`` of them."""
    shown = ", ".join(brief(n, 30) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


class RecordingError(ValueError):
    """A recording cannot be read or written as asked; the message is one sentence naming the fix."""

    def __init__(self, message: str, *, path: str | os.PathLike[str] | None = None,
                 line: int | None = None) -> None:
        super().__init__(message)
        self.path = None if path is None else Path(path)
        self.line = line


def unit_factor(unit: str | None, path: str | os.PathLike[str] | None = None) -> tuple[str, float]:
    """Canonical name and newtons-per-unit of a force unit name (case-insensitive; None means N)."""
    if unit is None:
        return "N", 1.0
    canonical = _UNIT_ALIASES.get(str(unit).strip().casefold())
    if canonical is None:
        where = f" for {path}" if path is not None else ""
        raise RecordingError(
            f"unknown force unit {brief(unit)}{where}; use one of {', '.join(UNITS)} "
            "(kg, g and lb meaning kilogram-, gram- and pound-force; kgf and lbs also work).",
            path=path)
    return canonical, UNITS[canonical]


def time_unit_factor(unit: str | None, path: str | os.PathLike[str] | None = None) -> tuple[str, float]:
    """Canonical name and seconds-per-unit of a time unit name (``ms``, ``msec``, ``µs``...; any case;
    None means s)."""
    if unit is None:
        return "s", 1.0
    canonical = _TIME_NAME_UNITS.get(str(unit).strip().casefold())
    if canonical is None:
        where = f" for {path}" if path is not None else ""
        raise RecordingError(
            f"unknown time unit {brief(unit)}{where}; use one of {', '.join(TIME_UNITS)} (seconds, "
            "milliseconds, microseconds, nanoseconds, minutes).", path=path)
    return canonical, TIME_UNITS[canonical]


#: Force units a column's name may state (case-folded as written) -> the name :data:`UNITS` knows.
_NAME_UNITS: dict[str, str] = {
    "n": "N", "newton": "N", "newtons": "N",
    "kg": "kg", "kgf": "kg", "kgs": "kg", "kilogram": "kg", "kilograms": "kg",
    "g": "g", "gf": "g", "gram": "g", "grams": "g",
    "lb": "lb", "lbs": "lb", "pound": "lb", "pounds": "lb", "lbf": "lbf",
}
#: Units of force or mass a name may state that have no factor here: reading them as newtons would be
#: the very silent mistake this guards against, so they are refused.
_FOREIGN_UNITS = frozenset({"kn", "mn", "cn", "dan", "µn", "μn", "un", "oz", "ozf", "mg", "µg", "μg", "kip",
                            "kips", "dyn", "dyne", "tf"})
#: Bracketed parts of a name: ``Force (kg)``, ``force[N]``, ``Load {lb}``.
_BRACKETED = re.compile(r"[(\[{]\s*(?:in\s+)?([^()\[\]{}]*?)\s*[)\]}]", re.IGNORECASE)
#: What separates a quantity from its unit in a name: ``force_kg``, ``load-g``, ``weight lbf``, ``F/N``.
_SEPARATORS = re.compile(r"[\s_\-./:,;|]+")


class ColumnUnit(NamedTuple):
    """A unit stated in a column's name: the canonical unit, or None for one we cannot convert."""

    unit: str | None
    written: str


class NameUnits(NamedTuple):
    """The units a column's name may state in one role (force or time).

    One table per role, so that a word is a unit only where it makes sense: ``s`` is seconds in a
    time column and nothing in a force column (``force_s``), ``n`` newtons in a force column and
    nothing in a time column (``t_n``).
    """

    #: canonical unit -> its factor (newtons or seconds per unit): two names of one unit agree.
    factors: dict[str, float]
    #: a word as written, case-folded -> its canonical unit.
    names: dict[str, str]
    #: words that are units of this quantity with no factor here (refused by the caller).
    foreign: frozenset[str]


FORCE_NAME_UNITS = NameUnits(UNITS, _NAME_UNITS, _FOREIGN_UNITS)
TIME_NAME_UNITS = NameUnits(TIME_UNITS, _TIME_NAME_UNITS, _FOREIGN_TIME_UNITS)


def name_unit(name: str, table: NameUnits) -> ColumnUnit | None:
    """The unit of ``table`` that a column's name states, or None when it states none.

    A unit is a bracketed part of the name or a separated word after the first (the first names the
    quantity; a name that is only a unit, ``kg`` or ``millis``, counts too), never a part of a word:
    ``weight``, ``lung``, ``gauge`` and ``timestamp`` state nothing. Case does not matter
    (``force_n`` is this project's own newton column, ``t_s`` its seconds column). A unit of the
    quantity without a factor here (kN, oz; hours) comes back with ``unit`` None, for the caller to
    refuse. A name stating two different units raises ``ValueError`` with them as its text
    ("kg and N"), for the caller to word with the file.
    """
    found: list[ColumnUnit] = []
    for m in _BRACKETED.finditer(name):
        _add_unit(found, m[1], table)
    outside = _BRACKETED.sub(" ", name)
    words = [w for w in _SEPARATORS.split(outside) if w]
    for word in words[1:] if len(words) > 1 else words:
        _add_unit(found, word, table)
    if not found:
        return None
    distinct = {(u.unit and table.factors[u.unit], u.unit is None and u.written.casefold()) for u in found}
    if len(distinct) > 1:
        raise ValueError(" and ".join(dict.fromkeys(u.written for u in found)))
    return found[0]


def column_unit(name: str) -> ColumnUnit | None:
    """The force unit a column's name states (``force_kg``, ``Force (kg)``, ``force[N]``, ``F/lbf``);
    see :func:`name_unit`."""
    return name_unit(name, FORCE_NAME_UNITS)


def time_column_unit(name: str) -> ColumnUnit | None:
    """The time unit a column's name states (``t_s``, ``time_ms``, ``Time (ms)``, ``t[µs]``,
    ``elapsed-sec``, ``millis``); see :func:`name_unit`. ``time`` and ``timestamp`` state none."""
    return name_unit(name, TIME_NAME_UNITS)


def _add_unit(found: list[ColumnUnit], text: str, table: NameUnits) -> None:
    key = text.strip().casefold()
    if key in table.names:
        found.append(ColumnUnit(table.names[key], text.strip()))
    elif key in table.foreign:
        found.append(ColumnUnit(None, text.strip()))


#: Where row ``i`` of a file is, for a message: ("line 12", 12) or ("item 3 of the JSON list", None).
Where = Callable[[int], tuple[str, int | None]]


def newtons(p: Path, force: npt.NDArray[np.float64], factor: float, where: Where) -> npt.NDArray[np.float64]:
    """Force in newtons; a value too large for a double once converted is the file's error."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = force * factor if factor != 1.0 else force
    bad = np.flatnonzero(~np.isfinite(out))
    if bad.size:
        place, line = where(int(bad[0]))
        raise RecordingError(f"{p} {place}: the force is too large to express in newtons (over 1.8e308 N); "
                             f"fix or delete that {place.split()[0]}.", path=p, line=line)
    return out


def to_seconds(p: Path, t: npt.NDArray[np.float64], unit: str, where: Where) -> npt.NDArray[np.float64]:
    """Times in ``unit`` as seconds; a time too large for a double once converted is the file's error.

    Divided by the whole number of units in a second rather than multiplied by its inverse: ``12 / 1000``
    is the double nearest 0.012, so a file in milliseconds reads into the very seconds its twin in
    seconds does (``12 * 1e-3`` can be one bit off, and events would move by that bit).
    """
    per_unit = TIME_UNITS[unit]
    if per_unit == 1.0:
        return t
    with np.errstate(over="ignore", invalid="ignore"):
        out = t / round(1.0 / per_unit) if per_unit < 1.0 else t * per_unit
    bad = np.flatnonzero(~np.isfinite(out))
    if bad.size:
        place, line = where(int(bad[0]))
        raise RecordingError(f"{p} {place}: the time is too large to express in seconds (over 1.8e308 s); "
                             f"fix or delete that {place.split()[0]}.", path=p, line=line)
    return out


@dataclass
class Recording:
    """A force trace read from disk: times in seconds, force in newtons, and the file's metadata."""

    t: npt.NDArray[np.float64]
    force_n: npt.NDArray[np.float64]
    metadata: dict[str, str] = field(default_factory=dict)
    #: Every column named in the file's header row, in order.
    columns: list[str] = field(default_factory=list)
    source: Path | None = None
    #: The column names actually used for time and force.
    time_col: str = DEFAULT_TIME_COL
    force_col: str = DEFAULT_FORCE_COL
    #: The unit the force column was in (converted to newtons in ``force_n``).
    unit: str = "N"
    #: Who said so: one of :data:`UNIT_SOURCES`. "assumed" means nothing did: a user should hear it.
    unit_source: str = "column"
    #: The unit the time column was in (converted to seconds in ``t``): one of :data:`TIME_UNITS`.
    time_unit: str = "s"
    #: Who said so, as :attr:`unit_source` (``--time-unit`` for "option").
    time_unit_source: str = "column"
    #: What was read: one of :data:`FORMATS` ("csv" is any other table with a header row).
    format: str = "csv"
    #: The file's other numeric columns and the names of those left out, read again when called (set
    #: by the reader that made this recording; None where the format has none).
    other_columns: Callable[[], tuple[dict[str, npt.NDArray[np.float64]], list[str]]] | None = \
        field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return int(self.t.size)

    @property
    def unit_assumed(self) -> bool:
        """Nothing named the force unit: it is a default, which the user should be told."""
        return self.unit_source == "assumed"

    def unit_note(self) -> str:
        """The force unit and who named it, for a report's header: ``kg (column 'force_kg'; shown in N)``."""
        shown = "" if self.unit == "N" else "; shown in N"
        if self.unit_source == "column":
            return f"{self.unit} (column {brief(self.force_col, 40)}{shown})"
        if self.unit_source == "option":
            return f"{self.unit} (--unit{shown})"
        if self.unit_source == "file":
            return f"{self.unit} (as the file says{shown})"
        others = [u for u in UNITS if UNITS[u] != UNITS[self.unit]]
        return (f"{self.unit}, assumed: the column {brief(self.force_col, 40)} names no unit (give --unit "
                f"{'|'.join(others)} if it is in another{shown})")

    def time_note(self) -> str:
        """The time unit and who named it, for a report's header: ``ms (column 'time_ms'; shown in s)``."""
        shown = "" if self.time_unit == "s" else "; shown in s"
        if self.time_unit_source == "column":
            return f"{self.time_unit} (column {brief(self.time_col, 40)}{shown})"
        if self.time_unit_source == "option":
            return f"{self.time_unit} (--time-unit{shown})"
        if self.time_unit_source == "file":
            origin = self.metadata.get(TIME_ORIGIN)
            if origin:  # date-times: say from when, which the seconds alone no longer show
                return f"{self.time_unit} (date-times, counted from {brief(origin, 40)}{shown})"
            return f"{self.time_unit} (as the file says{shown})"
        # Said as the default rather than "assumed": a column it could not be (one a second or more
        # per row) has been refused by the reader, so this is no guess in the dark.
        others = [u for u in TIME_UNITS if u != self.time_unit]
        return (f"{self.time_unit} by default: the column {brief(self.time_col, 40)} names no unit (give "
                f"--time-unit {'|'.join(others)} if it is in another{shown})")

    @property
    def duration(self) -> float:
        """Seconds from the first to the last sample."""
        return float(self.t[-1] - self.t[0]) if self.t.size else 0.0

    def analyze(self, config: DetectorConfig | None = None) -> AnalysisResult:
        """Run the recording through the core, as ``nmt-pressure analyze`` and ``report`` do with no
        flags: with the detector settings it was recorded with (its ``detector_config`` metadata;
        the defaults for another device's file) and the sample rate read off its timestamps, or with
        ``config``. The result keeps the core's filtered force, so its
        :meth:`~nmt_pressure.core.detector.AnalysisResult.holds_frame` is the report's per-hold table.
        """
        cfg = config if config is not None else replay_config(self)
        return analyze(self.t, self.force_n, cfg, keep_filtered=True)

    def to_pandas(self, *, filtered: bool = False, config: DetectorConfig | None = None) -> Any:
        """The samples as a pandas DataFrame (needs the ``data`` extra: pandas is imported only here).

        Columns: ``t_s`` (s, the recording's own time base) and ``force_n`` (N, converted from the
        file's unit), then the file's other numeric columns under their own names (``raw`` and
        ``flags`` in our recordings, ``flags`` as int64; read again from the file, see
        :func:`nmt_pressure.io.recording.read_other_columns`), and with ``filtered`` the core's
        low-passed force ``force_filtered_n`` (N; what the hold statistics are computed on, from
        :meth:`analyze` with ``config``). One row per sample, a plain integer index.

        ``df.attrs`` holds the rest: ``source``, ``format``, ``time_col``/``force_col``, ``unit`` and
        ``time_unit`` (as in the file), ``units`` (column -> unit), ``device``, ``rate_hz`` (as the
        device said, or None), ``rate_hz_estimated``, ``detector_config`` (a dict: the settings the
        recording was made with, or those ``filtered`` used; None for another device's file),
        ``metadata`` (every ``# key: value`` line) and ``columns_skipped`` (columns that are not
        numbers).
        """
        return samples_frame(self, filtered=filtered, config=config)


def recorded_config(metadata: dict[str, str]) -> dict[str, Any] | None:
    """The detector configuration a live recording was monitored with (its ``detector_config``
    metadata), or None if the file carries none (another device's export)."""
    text = metadata.get("detector_config")
    if not text:
        return None
    try:
        cfg = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, a number of over 4300 digits, or nested too deep
        return None
    return cfg if isinstance(cfg, dict) else None


def replay_config(rec: Recording, *, target: float | None = None, tolerance: float | None = None,
                  sample_rate: float | None = None) -> DetectorConfig:
    """The configuration ``nmt-pressure analyze`` would use for ``rec`` (flags given here win)."""
    kwargs: dict[str, Any] = {k: v for k, v in (recorded_config(rec.metadata) or {}).items()
                              if k in DetectorConfig.field_names()}
    kwargs["sample_rate"] = sample_rate if sample_rate is not None else estimate_sample_rate(rec.t)
    if target is not None:
        kwargs["target"] = target
    if tolerance is not None:
        kwargs["tolerance"] = tolerance
    return DetectorConfig(**kwargs)


#: Units of our own recordings' columns (the recorder's ``units`` metadata line says the same).
_OWN_UNITS = {"t_s": "s", "force_n": "N", "raw": "device counts or value as read",
              "flags": "bits: 0 marker, 1 overload, 2 tared"}


def samples_frame(rec: Recording, *, filtered: bool = False, config: DetectorConfig | None = None) -> Any:
    """:meth:`Recording.to_pandas` (see there)."""
    pd = require("pandas", "data", "`Recording.to_pandas()`")
    extra, skipped = rec.other_columns() if rec.other_columns is not None else ({}, [])
    cols: dict[str, Any] = {"t_s": rec.t, "force_n": rec.force_n}
    units = {"t_s": "s", "force_n": "N"}
    for name, values in extra.items():
        key = name if name not in cols and name != "force_filtered_n" else f"{name} (file)"
        if rec.format == "nmt_pressure":
            if name == "flags" and np.all(values == np.trunc(values)):
                values = values.astype(np.int64)  # bits: integers, as the recorder wrote them
            if name in _OWN_UNITS:
                units[key] = _OWN_UNITS[name]
        cols[key] = values
    result = None
    if filtered:
        result = rec.analyze(config)
        cols["force_filtered_n"] = result.filtered
        units["force_filtered_n"] = "N"
    df = pd.DataFrame(cols)
    try:  # the rate the device said it runs at; None for a file that does not say
        device_rate: float | None = float(rec.metadata["rate_hz"])
    except (KeyError, ValueError):
        device_rate = None
    df.attrs.update({
        "source": None if rec.source is None else str(rec.source),
        "format": rec.format,
        "time_col": rec.time_col,
        "force_col": rec.force_col,
        "unit": rec.unit,
        "time_unit": rec.time_unit,
        "units": units,
        "device": rec.metadata.get("device"),
        "rate_hz": device_rate if device_rate is not None and math.isfinite(device_rate) else None,
        "rate_hz_estimated": estimate_sample_rate(rec.t),
        "detector_config": (result.config.to_dict() if result is not None
                            else recorded_config(rec.metadata)),
        "metadata": dict(rec.metadata),
        "columns_skipped": skipped,
    })
    return df
