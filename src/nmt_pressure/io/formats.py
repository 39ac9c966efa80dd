"""Other apps' exports, recognised by their content: Tindeq Progressor and Grip-Connect.

* **Tindeq Progressor app** (CSV). Optionally a summary block first -- a header row starting with
  ``date,tag,comment,unit``, one row of values, then a blank (or all-commas) row, and in some tests
  a block of their own (a critical-force test's median values) -- or a rep summary (``,Avg,Rep 1``
  or ``,Overall Avg``, ``Avg`` and ``Peak`` rows), and then the data under a ``time,weight``
  header: seconds and, for ``unit`` SI, kilograms(-force); ``US`` (or imperial, lb, lbs) means
  pounds. The app writes dates YEAR-DAY-MONTH ("2023-24-05" is 24 May).
* **Grip-Connect** (the ``@hangtime/grip-connect`` web library's ``download()``). CSV: no header,
  every cell quoted, each row ``"received","sampleNum","battRaw",samples...,masses...`` with
  ``received`` the packet's arrival (Unix ms), ``sampleNum`` the device's clock (µs on a Tindeq
  Progressor; a packet counter elsewhere) and ``masses`` kilograms, one per zone (a Motherboard has
  three: the force is their sum). JSON: a list of those packets as objects, or (newer versions)
  of measurements ``{"current", "unit": "kg"|"lbs", "timestamp": Unix ms, "samplingRateHz"?, ...}``.

Times keep the device's clock when there is a usable one (seconds); arrival times become seconds
from the first sample, with the absolute start in the metadata (``recorded_at``, UTC).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nmt_pressure.io.csvtable import (
    PARTIAL_LAST_LINE,
    Head,
    check_values,
    decode,
    is_number,
    lines,
    read_columns,
    split_cells,
    without_partial_row,
)
from nmt_pressure.io.rectypes import (
    MIN_SAMPLES,
    Recording,
    RecordingError,
    Where,
    brief,
    newtons,
    unit_factor,
)

TINDEQ_COLUMNS = ("time", "weight")
_TINDEQ_UNITS = {"": "kg", "si": "kg", "metric": "kg", "kg": "kg", "kgf": "kg",
                 "us": "lb", "imperial": "lb", "lb": "lb", "lbs": "lb", "lbf": "lb"}
_YEAR_DAY_MONTH = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_QUOTED_ROW = re.compile(r'"[^"]*"(?:,"[^"]*")*')
#: How a JSON document starts (a CSV header such as "[s],[N]" does not).
_JSON_START = re.compile(r'\{|\[\s*(?:$|[\[{"\]0-9-])')
#: Unix milliseconds from 2001 to 5138: what a Grip-Connect ``received`` looks like.
_EPOCH_MS = (1e12, 1e14)
T0_EXAMPLE_MS = 1714000000000
_CLOCK_WRAP = 2.0 ** 32


def strip_trailing_empty(cells: Sequence[str]) -> list[str]:
    out = list(cells)
    while out and not out[-1]:
        out.pop()
    return out


def is_tindeq_header(header: Sequence[str]) -> bool:
    """Whether a header row is the Tindeq app's data header (``time,weight``, trailing commas aside)."""
    return [c.casefold() for c in strip_trailing_empty(header)] == list(TINDEQ_COLUMNS)


def year_day_month(text: str) -> str | None:
    """ISO 8601 of a Tindeq date (YEAR-DAY-MONTH[ hh:mm[:ss]]), or None if it is no such date."""
    m = _YEAR_DAY_MONTH.fullmatch(text.strip())
    if m is None:
        return None
    year, day, month = int(m[1]), int(m[2]), int(m[3])
    try:
        when = datetime(year, month, day, int(m[4] or 0), int(m[5] or 0), int(m[6] or 0))
    except ValueError:  # day > 31, month > 12, 30 February...: kept as text by the caller
        return None
    return when.isoformat() if m[4] else when.date().isoformat()


def tindeq_unit(text: str) -> str | None:
    """The force unit ("kg" or "lb") of a Tindeq ``unit`` field, or None if unknown."""
    return _TINDEQ_UNITS.get(text.strip().casefold())


def tindeq_summary(p: Path, data: bytes, head: Head) -> tuple[Head, str] | None:
    """If ``head`` is the Tindeq app's summary header: the data head below it and the ``unit`` text.

    The summary's fields become metadata (``tindeq.<field>``; the date also as ISO ``recorded_at``).
    """
    keys = [k.strip() for k in head.header]
    folded = [k.casefold() for k in keys]
    if not (folded and folded[0] == "date" and "tag" in folded and "unit" in folded):
        return None
    values: list[str] | None = None
    block = 0  # the line of the first row after the summary's values that is not the data header
    for line_no, raw, nxt in lines(data, head.data_offset, head.header_line):
        cells = split_cells(raw, head.delimiter)
        if not any(cells):
            continue  # the blank or all-commas separator row
        if is_tindeq_header(cells):
            metadata = dict(head.metadata)
            unit = ""
            for key, value in zip(keys, values or [], strict=False):
                if not key or not value:
                    continue
                if key.casefold() == "date":
                    metadata["tindeq.date"] = value
                    iso = year_day_month(value)
                    if iso is not None:
                        metadata["recorded_at"] = iso
                    continue
                if key.casefold() == "unit":
                    unit = value
                metadata[f"tindeq.{key}"] = value
            return Head(metadata, strip_trailing_empty(cells), head.delimiter, line_no, nxt), unit
        if values is None:
            values = cells
            continue
        # Some tests put blocks of their own between the summary and the data, each under a title or
        # header of its own (a critical-force test's "median values", one number a row, and its
        # "threshold time,threshold weight" pairs): passed over. A data row right after the summary
        # means the data header is missing there.
        if not block:
            if _is_data_row(cells):
                raise _no_tindeq_header(p, line_no, f"the summary rows at line {head.header_line}")
            block = line_no
    if block:  # (what looked like a block was the data under another header)
        raise _no_tindeq_header(p, block, f"the summary rows at line {head.header_line}")
    raise RecordingError(
        f"{p} has the summary rows of a Tindeq export but no 'time,weight' data below them; export "
        "the test again with its data.", path=p)


def _no_tindeq_header(p: Path, line: int, after: str) -> RecordingError:
    return RecordingError(
        f"{p} line {line} should be the 'time,weight' header of a Tindeq export's data (it follows "
        f"{after}); restore that header row.", path=p, line=line)


def tindeq_rep_summary(p: Path, data: bytes, head: Head) -> Head | None:
    """If ``head`` opens the rep summary some Tindeq app exports start with instead of the dated one
    (``,Avg,Rep 1`` or ``,Overall Avg``, then ``Avg,...`` and ``Peak,...`` rows and a separator): the
    data head below it. It names no unit."""
    keys = [k.strip().casefold() for k in head.header]
    if not (len(keys) >= 2 and keys[0] == "" and keys[1].endswith("avg")):
        return None
    for line_no, raw, nxt in lines(data, head.data_offset, head.header_line):
        cells = split_cells(raw, head.delimiter)
        if is_tindeq_header(cells):
            return Head(dict(head.metadata), strip_trailing_empty(cells), head.delimiter, line_no, nxt)
        if _is_data_row(cells):
            raise _no_tindeq_header(p, line_no, f"the rep summary at line {head.header_line}")
    raise RecordingError(
        f"{p} has the rep summary of a Tindeq export but no 'time,weight' data below it; export the "
        "test again with its data.", path=p)


def _is_data_row(cells: Sequence[str]) -> bool:
    """A row of the Tindeq app's data (a time and a weight), not of a summary or a block of a test's."""
    kept = strip_trailing_empty(cells)
    return len(kept) == 2 and all(is_number(c) for c in kept)


# --------------------------------------------------------------------------------------------------
# Grip-Connect
# --------------------------------------------------------------------------------------------------

def sniff(data: bytes, start: int) -> str | None:
    """"grip-connect-json", "grip-connect-csv" or None (a table with a header row) by content."""
    for _, raw, _ in lines(data, start):
        line = raw.strip()
        if not line:
            continue
        if _JSON_START.match(line):
            return "grip-connect-json"
        if _QUOTED_ROW.fullmatch(line):
            # A bad cell further on is the table reader's to report, with its line.
            cells = [c.strip('"') for c in line.split(",")]
            if len(cells) >= 5 and len(cells) % 2 == 1 and is_number(cells[0]) and is_number(cells[1]) \
                    and _EPOCH_MS[0] <= float(cells[0]) < _EPOCH_MS[1]:
                return "grip-connect-csv"
        return None
    return None


def _iso_utc(epoch_s: float) -> str:
    try:
        return datetime.fromtimestamp(epoch_s, tz=UTC).isoformat(timespec="milliseconds")
    except (OverflowError, ValueError, OSError):  # before year 1 or after 9999: say it as it is
        return f"{epoch_s:.3f} s after 1970-01-01T00:00:00+00:00"


def spread_repeats(t: npt.NDArray[np.float64], step: float | None = None) -> npt.NDArray[np.float64]:
    """Times stamped on arrival, with the samples of one packet spread back over the packet interval.

    The samples of one BLE packet all carry the packet's arrival time. They were measured before it,
    one sampling interval apart: the last keeps the arrival time and the others are placed ``step``
    apart before it (``step`` defaults to the typical interval per sample; it never reaches back past
    the previous packet), so the times increase strictly and the rate comes out right.
    """
    n = t.size
    if n < 2:
        return t.copy()
    new_run = np.empty(n, dtype=bool)
    new_run[0] = True
    np.not_equal(t[1:], t[:-1], out=new_run[1:])
    starts = np.flatnonzero(new_run)
    counts = np.diff(np.append(starts, n))
    if counts.max() == 1:
        return t.copy()
    gaps = np.diff(t[starts])
    if step is None:
        per_sample = gaps / counts[1:]
        per_sample = per_sample[per_sample > 0]
        if per_sample.size == 0:
            return t.copy()  # one packet: nothing to tell the interval by
        step = float(np.median(per_sample))
    before = np.concatenate(([np.inf], gaps))
    run_step = np.minimum(step, before / counts)
    run = np.cumsum(new_run) - 1
    back = counts[run] - 1 - (np.arange(n) - starts[run])
    return t - back * run_step[run]


def _device_seconds(clock: npt.NDArray[np.float64], received_ms: npt.NDArray[np.float64]
                    ) -> npt.NDArray[np.float64] | None:
    """The device clock (µs) in seconds if it is one: increasing (across 32-bit wraps) at the pace
    of the arrival times; None for a packet counter or a clock that stands still."""
    if clock.size < 2 or not np.all(np.isfinite(clock)):
        return None
    with np.errstate(over="ignore", invalid="ignore"):  # a corrupt clock may span beyond 1e308
        wraps = np.diff(clock) < -_CLOCK_WRAP / 2  # an int32/uint32 µs counter wraps after 36/72 min
        if wraps.any():
            clock = clock + _CLOCK_WRAP * np.concatenate(([0.0], np.cumsum(wraps)))
        if not np.all(np.diff(clock) > 0):
            return None
        span_device = (clock[-1] - clock[0]) / 1e6
        span_received = (received_ms[-1] - received_ms[0]) / 1e3
        if not math.isfinite(span_device) or (
                span_received >= 1.0 and not 0.5 < span_device / span_received < 2.0):
            return None
    return clock / 1e6


def _gc_times(received_ms: npt.NDArray[np.float64], clock: npt.NDArray[np.float64] | None,
              step: float | None) -> tuple[npt.NDArray[np.float64], str, dict[str, str]]:
    """Sample times, the name of the time source and metadata saying where time zero is."""
    meta = {"start_epoch_ms": f"{received_ms[0]:.0f}"}
    device = None if clock is None else _device_seconds(clock, received_ms)
    if device is not None:
        meta["recorded_at"] = _iso_utc(received_ms[0] / 1e3)
        meta["time_base"] = "sampleNum: the device's clock in seconds"
        return device, "sampleNum", meta
    # Relative to the first arrival before anything else: epoch seconds in a double keep only
    # about 0.2 µs, which would show as jitter in the intervals.
    arrival = spread_repeats((received_ms - received_ms[0]) / 1e3, step)
    meta["recorded_at"] = _iso_utc((received_ms[0] + 1e3 * arrival[0]) / 1e3)
    meta["time_base"] = ("arrival time in seconds from recorded_at (the samples of one packet spread "
                         "over the packet interval)")
    return arrival - arrival[0], "received", meta


def _gc_time_unit(time_col: str) -> str:
    """The unit the chosen time source is in: the device clock (``sampleNum``) counts microseconds,
    the arrival times (``received``, ``timestamp``) are Unix milliseconds. Said in the Recording
    (source "file"), though the times are seconds by then."""
    return "us" if time_col == "sampleNum" else "ms"


def _force_unit(p: Path, unit: str | None, default: str) -> tuple[str, float]:
    return unit_factor(unit if unit is not None else default, p)


def _unit_source(unit: str | None) -> str:
    """Grip-Connect's masses are kilograms by its format, its measurements name their unit."""
    return "option" if unit is not None else "file"


def _too_few(p: Path, n: int) -> RecordingError:
    return RecordingError(
        f"{p} has {n} sample{'s' if n != 1 else ''}; a recording needs at least {MIN_SAMPLES} (record "
        "for longer or check that this is the right file).", path=p)


def read_grip_connect_csv(p: Path, data: bytes, start: int, unit: str | None) -> Recording:
    """A Grip-Connect CSV export: one quoted row per sample, no header."""
    first = next(raw for _, raw, _ in lines(data, start) if raw.strip())
    zones = (len(first.split(",")) - 3) // 2
    names = ["received", "sampleNum", "battRaw"]
    names += [f"sample{i + 1}" for i in range(zones)] + [f"mass{i + 1}" for i in range(zones)]
    cols = [0, 1, *range(3 + zones, 3 + 2 * zones)]
    used = [names[c] for c in cols]
    head = Head({}, names, ",", 0, start)
    unit_name, factor = _force_unit(p, unit, "kg")

    def load(part: bytes) -> tuple[npt.NDArray[np.float64], ...]:
        columns = read_columns(p, part, head, cols, used)
        check_values(p, columns, used, time_index=0, time_unit="ms")  # a bad line first: it says more
        if columns.values[0].size < MIN_SAMPLES:
            raise _too_few(p, columns.values[0].size)
        received, clock, *masses = columns.values

        def where(i: int) -> tuple[str, int | None]:
            line = columns.line_of(i)
            return f"line {line}", line
        _check_epoch(p, received, "received", where)
        with np.errstate(over="ignore", invalid="ignore"):
            total = np.sum(masses, axis=0)
        return received, clock, newtons(p, total, factor, where)

    # The app writes no line end after the last row: a last row that does not read is a torn one.
    (received, clock, force), left_out = without_partial_row(data, head, load, written_by_us=False)
    t, time_col, meta = _gc_times(received, clock, None)
    meta["grip_connect.zones"] = str(zones)
    if left_out is not None:
        meta[PARTIAL_LAST_LINE] = left_out
    return Recording(t=t, force_n=force, metadata=meta, columns=names, source=p, time_col=time_col,
                     force_col="mass" if zones == 1 else "sum of " + ", ".join(names[-zones:]),
                     unit=unit_name, format="grip-connect-csv", unit_source=_unit_source(unit),
                     time_unit=_gc_time_unit(time_col), time_unit_source="file")


def _not_grip_connect(p: Path) -> RecordingError:
    return RecordingError(
        f"{p} is JSON but not a Grip-Connect export (a list of packets with \"received\" and \"masses\", "
        "or of measurements with \"timestamp\" and \"current\"); export the recording as CSV with a "
        "header row instead.", path=p)


def _finite(v: object) -> float | None:
    """A JSON value as a finite float, or None (text, bool, null, NaN, or an int beyond float range)."""
    if not isinstance(v, int | float) or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except OverflowError:  # an integer of hundreds of digits
        return None
    return f if math.isfinite(f) else None


def _numbers(p: Path, items: list[dict[str, Any]], key: str, optional: bool = False
             ) -> npt.NDArray[np.float64]:
    """``key`` of every item as float64; the error names the first item without a finite number."""
    raw = [item.get(key) for item in items]
    if optional and all(v is None for v in raw):
        return np.full(len(items), np.nan)
    values = [_finite(v) for v in raw]
    for i, v in enumerate(values):
        if v is None:
            raise RecordingError(
                f"{p}: item {i + 1} of the JSON list has {brief(raw[i])} as {brief(key)}, not a finite "
                "number; fix or delete that item.", path=p)
    return np.array(values, dtype=np.float64)


def _masses(p: Path, items: list[dict[str, Any]]) -> npt.NDArray[np.float64]:
    first = items[0].get("masses")
    zones = len(first) if isinstance(first, list) else 0
    for i, item in enumerate(items):
        m = item.get("masses")
        if not isinstance(m, list) or len(m) != zones or zones == 0 or \
                not all(_finite(v) is not None for v in m):
            raise RecordingError(
                f"{p}: item {i + 1} of the JSON list has {brief(m)} as 'masses', not a list of "
                f"{zones or 'some'} finite numbers like the first item; fix or delete that item.", path=p)
    return np.array([item["masses"] for item in items], dtype=np.float64).reshape(len(items), zones)


def _check_epoch(p: Path, times_ms: npt.NDArray[np.float64], key: str, where: Where) -> None:
    """Arrival times must be Unix milliseconds (2001 to 5138), as every Grip-Connect export has them."""
    bad = np.flatnonzero((times_ms < _EPOCH_MS[0]) | (times_ms >= _EPOCH_MS[1]))
    if bad.size:
        i = int(bad[0])
        place, line = where(i)
        raise RecordingError(
            f"{p} {place}: {key!r} is {times_ms[i]:g}, not a time in Unix milliseconds like "
            f"{T0_EXAMPLE_MS}; fix or delete that {place.split()[0]}.", path=p, line=line)


def _check_order(p: Path, times_ms: npt.NDArray[np.float64], key: str) -> None:
    back = np.flatnonzero(times_ms[1:] < times_ms[:-1])
    if back.size:
        i = int(back[0]) + 1
        raise RecordingError(
            f"{p}: item {i + 1} of the JSON list goes back in time ({key} {times_ms[i]:.0f} ms after "
            f"{times_ms[i - 1]:.0f} ms); sort the items by {key!r}.", path=p)


def _item(i: int) -> tuple[str, int | None]:
    return f"item {i + 1} of the JSON list", None


def _unit_text(value: object) -> str:
    if not value:
        return "kg"
    return value if isinstance(value, str) else brief(value)


def read_grip_connect_json(p: Path, data: bytes, start: int, unit: str | None) -> Recording:
    """A Grip-Connect JSON export: packets (``received``/``masses``) or measurements (``current``)."""
    try:
        items = json.loads(decode(data[start:]))
    except json.JSONDecodeError as exc:
        raise RecordingError(f"{p} line {exc.lineno} is not valid JSON ({exc.msg}); export the recording "
                             "again.", path=p, line=exc.lineno) from None
    except RecursionError:
        raise RecordingError(f"{p} is JSON nested too deeply to be a Grip-Connect export; export the "
                             "recording again.", path=p) from None
    except ValueError:  # an integer of over 4300 digits
        raise RecordingError(f"{p} holds a number too long to read; export the recording again.",
                             path=p) from None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise _not_grip_connect(p)
    if len(items) < MIN_SAMPLES:
        if items and not ({"received", "masses"} <= items[0].keys() or
                          {"timestamp", "current"} <= items[0].keys()):
            raise _not_grip_connect(p)
        raise _too_few(p, len(items))
    keys = [str(k) for k in items[0]]
    if {"received", "masses"} <= items[0].keys():
        received = _numbers(p, items, "received")
        _check_epoch(p, received, "received", _item)
        _check_order(p, received, "received")
        clock = _numbers(p, items, "sampleNum", optional=True)
        masses = _masses(p, items)
        t, time_col, meta = _gc_times(received, clock, None)
        meta["grip_connect.zones"] = str(masses.shape[1])
        unit_name, factor = _force_unit(p, unit, "kg")
        with np.errstate(over="ignore", invalid="ignore"):
            total = masses.sum(axis=1)
        return Recording(t=t, force_n=newtons(p, total, factor, _item), metadata=meta, columns=keys,
                         source=p, time_col=time_col, force_col="masses", unit=unit_name,
                         format="grip-connect-json", unit_source=_unit_source(unit),
                         time_unit=_gc_time_unit(time_col), time_unit_source="file")
    if {"timestamp", "current"} <= items[0].keys():
        stamp = _numbers(p, items, "timestamp")
        _check_epoch(p, stamp, "timestamp", _item)
        _check_order(p, stamp, "timestamp")
        current = _numbers(p, items, "current")
        rate = _finite(items[0].get("samplingRateHz"))
        good_rate = rate is not None and 1e-3 < rate < 1e6
        t, time_col, meta = _gc_times(stamp, None, 1.0 / rate if rate is not None and good_rate else None)
        time_col = "timestamp"
        if good_rate:
            meta["sampling_rate_hz"] = f"{rate:g}"
        app_unit = _unit_text(items[0].get("unit"))
        meta["grip_connect.unit"] = app_unit
        if unit is None and any(_unit_text(item.get("unit")) != app_unit for item in items):
            raise RecordingError(
                f"{p} mixes force units between its items ({brief(app_unit)} first); give the unit with "
                "--unit kg or --unit lb.", path=p)
        if unit is None and app_unit.casefold() not in ("kg", "kgf", "lb", "lbs", "lbf"):
            raise RecordingError(f"{p} gives its force in {brief(app_unit)}, which is not a known unit; "
                                 "give the unit with --unit kg or --unit lb.", path=p)
        unit_name, factor = _force_unit(p, unit, app_unit)
        return Recording(t=t, force_n=newtons(p, current, factor, _item), metadata=meta, columns=keys,
                         source=p, time_col=time_col, force_col="current", unit=unit_name,
                         format="grip-connect-json", unit_source=_unit_source(unit),
                         time_unit=_gc_time_unit(time_col), time_unit_source="file")
    raise _not_grip_connect(p)
