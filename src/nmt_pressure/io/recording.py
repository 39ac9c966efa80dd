"""Recordings on disk: the project's own CSV format, other devices' CSV exports, and apps' exports.

The format written here (and read back with no options)::

    # nmt_pressure recording
    # key: value            <- metadata, one per line, in any order
    t_s,force_n[,extra...]
    0.000000,0.0000
    ...

Reading accepts any CSV with a header row: ``#`` lines anywhere are comments, and those shaped
``# key: value`` become metadata; the delimiter (comma, semicolon, tab or spaces) is taken from the
header row, and with a delimiter other than the comma, decimal commas are read too; columns are
chosen by name (exact match first, then case-insensitive) and the force is converted to newtons from
the unit the force column's name states (``force_kg``, ``Force (kg)``) or, if it states none, the unit
the user names (else newtons, reported as assumed); the time likewise into seconds from the unit the
time column's name states (``t_s``, ``time_ms``, ``Time (ms)``, ``t[µs]``, ``millis``) or the user
names (else seconds, assumed, unless the rows are a second or more apart: that is a millisecond or
microsecond clock far more often than a recording of one sample a second, and is refused). A time
column of ISO 8601 date-times (``2025-01-27 15:13:03.983837``, ``2025-01-27T15:13:03.98Z``, with a UTC
offset or none) is read as seconds since its first row, whose date-time is kept as
``metadata["time_origin"]`` (:mod:`nmt_pressure.io.datetimes`). In a CSV whose first header row lacks
the time or force column, the first row further down the file's head that names both is the header;
the lines above it are a preamble (a lab script's participant details), and nothing of it is kept but
its length, ``metadata["preamble_lines"]`` (:mod:`nmt_pressure.io.preamble`).
Exports of the Tindeq Progressor app and of Grip-Connect (CSV and JSON) are recognised by their
content and read with no options (:mod:`nmt_pressure.io.formats`); :attr:`Recording.format` says what
was read. The table reading itself is :mod:`nmt_pressure.io.csvtable`.

A file still being written (a live recording) reads as the rows complete so far: a last line with no
line end yet is left out when it does not read, and always in our own format, whose writer ends every
row (the line may be cut mid-number); ``metadata["partial_last_line"]`` says so.

Every problem a user can cause raises :class:`RecordingError` with one sentence that names the file and
the fix, so the command line can print it without a traceback.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple, TextIO

import numpy as np
import numpy.typing as npt

from nmt_pressure.io import csvtable, datetimes, formats, preamble
from nmt_pressure.io.preamble import find_column
from nmt_pressure.io.rectypes import (
    DEFAULT_FORCE_COL,
    DEFAULT_TIME_COL,
    FORMAT_LINE,
    FORMATS,
    MIN_SAMPLES,
    TIME_UNITS,
    UNITS,
    ColumnUnit,
    Recording,
    RecordingError,
    brief,
    brief_list,
    column_unit,
    newtons,
    time_column_unit,
    time_unit_factor,
    to_seconds,
    unit_factor,
)

__all__ = [
    "DEFAULT_FORCE_COL",
    "DEFAULT_TIME_COL",
    "FORMATS",
    "FORMAT_LINE",
    "MIN_SAMPLES",
    "TIME_UNITS",
    "UNITS",
    "Recording",
    "RecordingError",
    "RecordingWriter",
    "read_other_columns",
    "read_recording",
    "time_unit_factor",
    "unit_factor",
    "write_recording",
]

_BOM = b"\xef\xbb\xbf"
_FORMAT_LINE = re.compile(rb"[ \t]*" + re.escape(FORMAT_LINE.encode()) + rb"[ \t]*(?:\r|\n|$)")


# --------------------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------------------

def read_recording(path: str | os.PathLike[str], time_col: str | None = None,
                   force_col: str | None = None, unit: str | None = None, *,
                   time_unit: str | None = None) -> Recording:
    """Read a recording into newtons and seconds.

    ``time_col``/``force_col`` default to ``t_s``/``force_n`` (``time``/``weight`` in a Tindeq
    export); ``unit`` (N, kg, g, lb, lbf; kgf and lbs as aliases; any case) is the unit of the force
    column. A unit the column's name states (``force_kg``, ``Force (kg)``, ``force[N]``; see
    :func:`~nmt_pressure.io.rectypes.column_unit`) is the unit: ``unit`` may repeat it, not contradict
    it. A column naming none is in ``unit``, else N (a Tindeq or Grip-Connect export says its own);
    :attr:`Recording.unit_source` says which, "assumed" when nothing did.

    ``time_unit`` (s, ms, us, ns, min; msec, µs and the like as aliases) is the time column's unit,
    on the same terms (:func:`~nmt_pressure.io.rectypes.time_column_unit`, ``t_s``, ``time_ms``,
    ``Time (ms)``; :attr:`Recording.time_unit` and :attr:`Recording.time_unit_source`); times are
    converted to seconds. A time column naming no unit, with none given, is read as seconds, unless
    its rows are a median of 1 or more apart: as seconds that is at most one sample a second, as an
    Arduino's ``millis()`` up to a kilohertz, so it is refused with both fixes named. A Grip-Connect export's
    time base is its format's, and a column of date-times is read as seconds since its first row:
    ``time_unit`` is refused for both.

    Raises :class:`RecordingError` for anything wrong with the file or the options, with a message
    meant for the user.
    """
    p = Path(path)
    if unit is not None:
        unit_factor(unit, p)  # a bad flag fails before a large file is read
    if time_unit is not None:
        time_unit_factor(time_unit, p)
    return read_data(p, _read_bytes(p), time_col, force_col, unit, time_unit=time_unit)


def read_data(p: Path, data: bytes, time_col: str | None = None, force_col: str | None = None,
              unit: str | None = None, *, time_unit: str | None = None) -> Recording:
    """:func:`read_recording` on bytes already in memory, ``p`` naming them in messages.

    Internal: the fuzzer (``tools/fuzz.py``) reads millions of files this way without a disk.
    """
    if unit is not None:
        unit_factor(unit, p)
    if time_unit is not None:
        time_unit_factor(time_unit, p)
    if b"\x00" in data[:65536]:
        raise RecordingError(f"{p} is not a text file; give a CSV recording.", path=p)
    start = len(_BOM) if data.startswith(_BOM) else 0
    if csvtable.is_blank(data, start):
        raise RecordingError(f"{p} is empty; record some data into it or choose another file.", path=p)

    kind = formats.sniff(data, start)
    if kind is not None:
        if time_col is not None or force_col is not None:
            raise RecordingError(
                f"{p} is a Grip-Connect export, whose columns have no names to choose; leave out "
                "--time-col and --force-col.", path=p)
        if time_unit is not None:
            raise RecordingError(
                f"{p} is a Grip-Connect export, whose times are in the units its format fixes (Unix "
                "milliseconds, a device clock in microseconds); leave out --time-unit.", path=p)
        if kind == "grip-connect-json":
            return formats.read_grip_connect_json(p, data, start, unit)
        return formats.read_grip_connect_csv(p, data, start, unit)

    head = csvtable.parse_head(p, data, start)
    fmt = "nmt_pressure" if _FORMAT_LINE.match(data, start) else "csv"
    default = ("N", "assumed")  # a generic CSV's force column naming no unit: newtons, and say so
    time_default = ("s", "assumed")  # and its time column naming none: seconds, checked by the guard
    summary = formats.tindeq_summary(p, data, head)
    reps = formats.tindeq_rep_summary(p, data, head) if summary is None else None
    if summary is not None:
        head, app_unit = summary
        fmt = "tindeq"
        found = formats.tindeq_unit(app_unit)
        if found is None and unit is None:
            raise RecordingError(
                f"{p} is a Tindeq export in the unit {brief(app_unit)}, which is not known; give the force "
                "unit with --unit kg or --unit lb.", path=p)
        default = (found, "file") if found else ("kg", "assumed")
    elif reps is not None:
        head = reps
        fmt, default = "tindeq", ("kg", "assumed")  # a rep summary names no unit
    elif formats.is_tindeq_header(head.header):
        fmt, default = "tindeq", ("kg", "assumed")  # the app's unit was in the summary it left out
    if fmt == "tindeq":
        head.header = formats.strip_trailing_empty(head.header)
        defaults = formats.TINDEQ_COLUMNS
        # The app writes seconds, with or without its summary (which names only the force unit).
        time_default = ("s", "file")
    else:
        defaults = (DEFAULT_TIME_COL, DEFAULT_FORCE_COL)
    return _read_table(p, data, head, fmt,
                       defaults[0] if time_col is None else time_col,
                       defaults[1] if force_col is None else force_col,
                       _Units(unit, default, time_unit, time_default))


def _read_bytes(p: Path) -> bytes:
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise RecordingError(f"{p} does not exist; check the path.", path=p) from None
    except IsADirectoryError:
        raise RecordingError(f"{p} is a directory, not a recording; give the path of a CSV file.",
                             path=p) from None
    except PermissionError:
        raise RecordingError(f"{p} cannot be read: permission denied; check the file's permissions.",
                             path=p) from None
    except OSError as exc:
        raise RecordingError(f"{p} cannot be read ({exc.strerror or exc}); check the path and the disk.",
                             path=p) from None
    return data


def _find_table(data: bytes, head: csvtable.Head, fmt: str, tname: str,
                fname: str) -> tuple[csvtable.Head, int | None, int | None]:
    """The head of the table holding the time and force columns, and their indices (None: not there).

    Below a preamble if the first header row lacks either, in a generic CSV only: our own recordings
    and the apps' exports have their header row where their format puts it.
    """
    ti, fi = find_column(head.header, tname), find_column(head.header, fname)
    if (ti is None or fi is None) and fmt == "csv":
        below = preamble.find_header(data, head, (tname, fname))
        if below is not None:
            head = below
            ti, fi = find_column(head.header, tname), find_column(head.header, fname)
    return head, ti, fi


class _Role(NamedTuple):
    """A column's role for its unit: the word in messages, the option that names its unit, what its
    name may state, and the units known for it (canonical name -> factor to newtons or seconds)."""

    word: str
    flag: str
    named_in: Callable[[str], ColumnUnit | None]
    factor_of: Callable[[str | None, Path], tuple[str, float]]
    table: Mapping[str, float]


_FORCE = _Role("force", "--unit", column_unit, unit_factor, UNITS)
_TIME = _Role("time", "--time-unit", time_column_unit, time_unit_factor, TIME_UNITS)


def _unit_of(role: _Role, p: Path, column: str, given: str | None,
             default: tuple[str, str]) -> tuple[str, str]:
    """A column's unit and where it came from ("column", "option", or ``default``'s source).

    A unit the column's name states is the unit: the option may repeat it but not contradict it, since
    one of the two is wrong and reading kilograms as newtons (milliseconds as seconds) is silently 9.8
    (1000) times off.
    """
    try:
        named = role.named_in(column)
    except ValueError as exc:
        raise RecordingError(
            f"{p}: the {role.word} column {brief(column)} names two units ({exc}); rename the column so "
            "that it names one.", path=p) from None
    if named is not None and named.unit is None:
        raise RecordingError(
            f"{p}: the {role.word} column {brief(column)} is in {named.written}, which cannot be read here; "
            f"convert it to one of {', '.join(role.table)} and name that unit in the column.", path=p)
    if named is None:
        return (role.factor_of(given, p)[0], "option") if given is not None else default
    assert named.unit is not None
    # Compared by factor: lb and lbf, kg and kgf are the same unit under two names.
    if given is not None and role.factor_of(given, p)[1] != role.table[named.unit]:
        said = named.unit if named.written.casefold() == named.unit.casefold() else named.written
        raise RecordingError(
            f"{p}: the {role.word} column {brief(column)} is in {said} by its name but {role.flag} says "
            f"{given.strip()}; leave out {role.flag} to read it in {said}, or rename the column if its "
            "name is wrong.", path=p)
    return named.unit, "column"


class _Units(NamedTuple):
    """The units asked for (None: not given) and what each column is in when neither its name nor the
    user says (the unit and its source, as :data:`~nmt_pressure.io.rectypes.UNIT_SOURCES`)."""

    force: str | None
    force_default: tuple[str, str]
    time: str | None
    time_default: tuple[str, str]


def _check_time_step(p: Path, column: str, t: npt.NDArray[np.float64]) -> None:
    """Refuse a time column that names no unit and steps by 1 or more (median of the steps forward).

    Read as seconds that is at most one sample a second, useless for holds of a few seconds; it is
    what an Arduino's ``millis()`` (or ``micros()``) prints. Reading it as seconds anyway would make a
    10-s hold a 10 000-s one without a word, so the user is asked to say which.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # far-apart huge values: inf, still a step
        steps = t[1:] - t[:-1]
    forward = steps > 0
    # Counting first: the median is below 1 unless at least half the forward steps are 1 or more,
    # and counting costs a tenth of the sort a median needs (every CSV naming no time unit pays it).
    n_forward = int(np.count_nonzero(forward))
    if n_forward == 0:
        return  # no time passes: nothing to judge by (the detector says what is wrong)
    if 2 * int(np.count_nonzero(steps >= 1.0)) < n_forward:
        return
    step = float(np.median(steps[forward]))
    if step < 1.0:
        return
    raise RecordingError(
        f"{p}: the time column {brief(column)} names no unit and its rows are a median {step:.6g} apart "
        f"(one sample every {step:.6g} s read as seconds, {1e3 / step:.3g} Hz read as milliseconds); "
        "give --time-unit ms if it is in milliseconds (us or ns for micro- or nanoseconds), or "
        "--time-unit s to read it as seconds anyway.", path=p)


def _read_table(p: Path, data: bytes, head: csvtable.Head, fmt: str, tname: str, fname: str,
                units: _Units) -> Recording:
    head, ti, fi = _find_table(data, head, fmt, tname, fname)
    if ti is None or fi is None:
        # A table further down with other names: the preamble's, and the names the user meant.
        later = preamble.later_table(data, head) if fmt == "csv" else None
        present = brief_list(head.header, 4 if later else 8)  # two lists: fewer names each
        if later is not None:
            present += f"; a table at line {later[0]} has columns {brief_list(later[1], 4)}"
        if ti is None and fi is None:
            raise RecordingError(
                f"{p} has no time column {brief(tname)} and no force column {brief(fname)} (its columns are "
                f"{present}); name them with --time-col NAME --force-col NAME.", path=p)
        role, name, flag = ("time", tname, "--time-col") if ti is None else ("force", fname, "--force-col")
        raise RecordingError(
            f"{p} has no {role} column {brief(name)} (its columns are {present}); name the {role} column "
            f"with {flag} NAME.", path=p)
    if ti == fi:
        raise RecordingError(
            f"{p}: the time and force columns are both {brief(head.header[ti])}; name two different "
            "columns with --time-col and --force-col.", path=p)

    names = [head.header[ti], head.header[fi]]
    unit_name, unit_source = _unit_of(_FORCE, p, names[1], units.force, units.force_default)
    factor = UNITS[unit_name]
    stamp = datetimes.first_datetime(data, head, ti)
    if stamp is None:
        time_unit, time_source = _unit_of(_TIME, p, names[0], units.time, units.time_default)
    elif units.time is not None:
        raise RecordingError(
            f"{p}: the time column {brief(names[0])} is date-times ({brief(stamp)} in its first row), read "
            "as seconds since the first; leave out --time-unit.", path=p)
    else:  # date-times: the unit is theirs, whatever the column's name says
        time_unit, time_source = "s", "file"

    def load(part: bytes) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], str | None]:
        origin = None
        if stamp is None:
            columns = csvtable.read_columns(p, part, head, (ti, fi), names)
        else:
            columns, origin = datetimes.read_columns(p, part, head, (ti, fi), names)
        t, raw = columns.values
        # A bad line first: it says more. The times are still in the file's unit here, as its message
        # quotes them; they become seconds below, once the whole column is known to be in order.
        csvtable.check_values(p, columns, names, time_index=0, time_unit=time_unit,
                              time_text=None if origin is None else functools.partial(datetimes.at, origin))
        if t.size < MIN_SAMPLES:
            raise RecordingError(
                f"{p} has {t.size} row{'s' if t.size != 1 else ''} of data below its header; a "
                f"recording needs at least {MIN_SAMPLES} (record for longer or check that this is the "
                "right file).", path=p)

        def where(i: int) -> tuple[str, int | None]:
            line = columns.line_of(i)
            return f"line {line}", line
        force = newtons(p, raw, factor, where)  # a bad line before a judgement of the whole column
        if time_source == "assumed":
            _check_time_step(p, names[0], t)
        return to_seconds(p, t, time_unit, where), force, origin

    # A live recorder may still be appending: its last line may be cut anywhere.
    (t, force, origin), left_out = csvtable.without_partial_row(data, head, load,
                                                                written_by_us=fmt == "nmt_pressure")
    metadata = dict(head.metadata)
    metadata.update(csvtable.trailing_metadata(data, head.data_offset))
    if left_out is not None:
        metadata[csvtable.PARTIAL_LAST_LINE] = left_out
    if origin is not None:
        metadata[datetimes.TIME_ORIGIN] = origin
    rec = Recording(t=t, force_n=force, metadata=metadata, columns=list(head.header), source=p,
                    time_col=names[0], force_col=names[1], unit=unit_name, unit_source=unit_source,
                    time_unit=time_unit, time_unit_source=time_source, format=fmt)
    rec.other_columns = functools.partial(read_other_columns, rec)
    return rec


def read_other_columns(rec: Recording) -> tuple[dict[str, npt.NDArray[np.float64]], list[str]]:
    """The numeric columns of ``rec``'s file besides time and force (``raw``, ``flags`` in our own
    recordings), row for row with ``rec.t``, and the names of the columns left out (not numbers).

    Read again from the file only when asked (``Recording.to_pandas``), so that reading a recording
    costs no more than its two columns; rows a live recorder appended since are left out. Only for
    plain tables (our format and other CSV); raises :class:`RecordingError` if the file no longer has
    the rows ``rec`` was read from.
    """
    p = rec.source
    if p is None or rec.format not in ("nmt_pressure", "csv"):
        return {}, []
    data = _read_bytes(p)
    start = len(_BOM) if data.startswith(_BOM) else 0
    head, ti, fi = _find_table(data, csvtable.parse_head(p, data, start), rec.format, rec.time_col,
                               rec.force_col)
    changed = RecordingError(f"{p} has changed since it was read; read it again with read_recording().",
                             path=p)
    if ti is None or fi is None:
        raise changed
    others = [(i, name) for i, name in enumerate(head.header) if i not in (ti, fi) and name.strip()]
    dates = datetimes.first_datetime(data, head, ti) is not None

    def load(wanted: list[tuple[int, str]]) -> Callable[[bytes], list[npt.NDArray[np.float64]]]:
        def read(part: bytes) -> list[npt.NDArray[np.float64]]:
            cols, names = [ti, *(i for i, _ in wanted)], [rec.time_col, *(n for _, n in wanted)]
            if dates:
                return datetimes.read_columns(p, part, head, cols, names)[0].values
            return csvtable.read_columns(p, part, head, cols, names).values
        return read

    ours = rec.format == "nmt_pressure"
    got: dict[str, npt.NDArray[np.float64]] = {}
    skipped: list[str] = []
    try:  # all at once: one pass over the file
        values, _ = csvtable.without_partial_row(data, head, load(others), written_by_us=ours)
        times, got = values[0], {n: v for (_, n), v in zip(others, values[1:], strict=True)}
    except RecordingError:  # some column is not numbers: each on its own, leaving those out
        times = None
        for col in others:
            try:
                values, _ = csvtable.without_partial_row(data, head, load([col]), written_by_us=ours)
            except RecordingError:
                skipped.append(col[1])
                continue
            times, got[col[1]] = values
    n = len(rec)
    if times is not None:
        # In the file's unit: converted as the reader did, they are rec.t again (the same division).
        try:
            seconds = to_seconds(p, times, rec.time_unit, lambda i: (f"data row {i + 1}", None))
        except RecordingError:  # it read before: the file is not what it was
            raise changed from None
        if times.size < n or not np.array_equal(seconds[:n], rec.t):
            raise changed
    return {name: v[:n] for name, v in got.items()}, skipped


# --------------------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------------------

def _clean_metadata(metadata: Mapping[str, Any]) -> list[tuple[str, str]]:
    items = []
    for key, value in metadata.items():
        k = str(key).strip()
        if not k or ":" in k or "\n" in k or "\r" in k:
            raise ValueError(f"metadata key {key!r} must be non-empty text without ':' or line breaks")
        v = " ".join(str(value).splitlines()).strip()
        items.append((k, v))
    return items


def _column_format(values: npt.NDArray[Any]) -> str:
    if np.issubdtype(values.dtype, np.integer) or np.issubdtype(values.dtype, np.bool_):
        return "%d"
    return "%.10g"


class RecordingWriter:
    """Writes the project's CSV format to an open text stream: the head once, then rows in blocks.

    The whole-file :func:`write_recording` uses it today; a live recorder appends blocks of samples as
    they arrive and calls :meth:`flush` to bound what a crash could lose.
    """

    def __init__(self, stream: TextIO, metadata: Mapping[str, Any] | None = None,
                 extra_columns: Sequence[str] = (), *, exact: bool = False) -> None:
        # exact: write time and force with as many digits as reading them back needs to give the
        # very same doubles (a live recording must replay to exactly the events seen live).
        self._exact = exact
        self._stream = stream
        self._metadata = _clean_metadata(metadata or {})
        self.extra_columns = [str(c) for c in extra_columns]
        for name in self.extra_columns:
            if not name or any(ch in name for ch in ',"\n\r#'):
                raise ValueError(f"column name {name!r} must be non-empty and free of , \" # and line breaks")
        self.columns = [DEFAULT_TIME_COL, DEFAULT_FORCE_COL, *self.extra_columns]
        if len(set(self.columns)) != len(self.columns):
            raise ValueError("extra column names must be distinct and differ from t_s and force_n")
        self.rows_written = 0
        self._head_written = False

    def write_head(self) -> None:
        """Format line, metadata and the header row; called by the first :meth:`append` if needed."""
        if self._head_written:
            return
        out = [FORMAT_LINE + "\n"]
        out += [f"# {k}: {v}\n" for k, v in self._metadata]
        out.append(",".join(self.columns) + "\n")
        self._stream.write("".join(out))
        self._head_written = True

    def append(self, t: npt.ArrayLike, force_n: npt.ArrayLike,
               extra: Mapping[str, npt.ArrayLike] | None = None) -> None:
        """Append a block of samples (time in s, force in N, one array per extra column)."""
        ta = np.atleast_1d(np.asarray(t, dtype=np.float64))
        fa = np.atleast_1d(np.asarray(force_n, dtype=np.float64))
        if ta.ndim != 1 or fa.shape != ta.shape:
            raise ValueError(f"t and force_n must be 1-D arrays of one length, got {ta.shape} and {fa.shape}")
        extra = extra or {}
        missing = set(self.extra_columns) - set(extra)
        unknown = set(extra) - set(self.extra_columns)
        if missing or unknown:
            raise ValueError(f"extra columns must be exactly {self.extra_columns}, got {sorted(extra)}")
        cols: list[list[Any]] = [ta.tolist(), fa.tolist()]
        fmts = ["%r", "%r"] if self._exact else ["%.6f", "%.4f"]
        for name in self.extra_columns:
            va = np.atleast_1d(np.asarray(extra[name]))
            if va.shape != ta.shape:
                raise ValueError(f"extra column {name!r} has shape {va.shape}, expected {ta.shape}")
            cols.append(va.tolist())
            fmts.append(_column_format(va))
        self.write_head()
        row = ",".join(fmts) + "\n"
        self._stream.write("".join(map(row.__mod__, zip(*cols, strict=True))))
        self.rows_written += int(ta.size)

    def flush(self) -> None:
        """Push what was appended to the operating system."""
        self._stream.flush()

    def close(self) -> None:
        self.write_head()
        self._stream.flush()

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def write_recording(path: str | os.PathLike[str], t: npt.ArrayLike, force_n: npt.ArrayLike,
                    metadata: Mapping[str, Any] | None = None,
                    extra_columns: Mapping[str, npt.ArrayLike] | None = None) -> Path:
    """Write a whole recording in the project's format; :func:`read_recording` reads it with no flags.

    The file appears complete or not at all (written beside the target, then renamed over it).
    Time is written with 6 decimals (µs), force with 4 (0.1 mN); extra columns with 10 significant
    digits (integers exactly).
    """
    p = Path(path)
    extra = dict(extra_columns or {})
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    try:
        fh = open(tmp, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise RecordingError(
            f"cannot write {p} ({exc.strerror or exc}); check that the folder exists and is writable.",
            path=p) from None
    try:
        with fh:
            writer = RecordingWriter(fh, metadata, extra_columns=list(extra))
            writer.append(t, force_n, extra)
            writer.close()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return p


