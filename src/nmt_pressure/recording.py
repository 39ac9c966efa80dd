"""Recordings on disk: the project's own CSV format, and other devices' CSV exports.

The format written here (and read back with no options)::

    # nmt_pressure recording
    # key: value            <- metadata, one per line, in any order
    t_s,force_n[,extra...]
    0.000000,0.0000
    ...

Reading accepts any CSV with a header row: ``#`` lines anywhere are comments, and those shaped
``# key: value`` become metadata; the delimiter (comma, semicolon, tab or spaces) is taken from the
header row; columns are chosen by name (exact match first, then case-insensitive) and the force is
converted to newtons from the unit the user names.

Every problem a user can cause raises :class:`RecordingError` with one sentence that names the file and
the fix, so the command line can print it without a traceback.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt

__all__ = [
    "DEFAULT_FORCE_COL",
    "DEFAULT_TIME_COL",
    "FORMAT_LINE",
    "MIN_SAMPLES",
    "UNITS",
    "Recording",
    "RecordingError",
    "RecordingWriter",
    "read_recording",
    "unit_factor",
    "write_recording",
]

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

_DELIMITERS = (",", ";", "\t")
_BLANK_LINE = re.compile(r"(?m)^[ \t]+$")


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
            f"unknown force unit {unit!r}{where}; use one of {', '.join(UNITS)} "
            "(kg, g and lb meaning kilogram-, gram- and pound-force; kgf and lbs also work).",
            path=path)
    return canonical, UNITS[canonical]


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

    def __len__(self) -> int:
        return int(self.t.size)

    @property
    def duration(self) -> float:
        """Seconds from the first to the last sample."""
        return float(self.t[-1] - self.t[0]) if self.t.size else 0.0


# --------------------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------------------

@dataclass
class _Head:
    """What precedes the data: metadata, the header row and where the data starts."""

    metadata: dict[str, str]
    header: list[str]
    delimiter: str | None  # None: runs of whitespace
    header_line: int  # 1-based line number of the header row
    data_offset: int  # index into the text of the first character after the header row


def read_recording(path: str | os.PathLike[str], time_col: str | None = None,
                   force_col: str | None = None, unit: str | None = None) -> Recording:
    """Read a CSV recording into newtons and seconds.

    ``time_col``/``force_col`` default to ``t_s``/``force_n``; ``unit`` (N, kg, g, lb, lbf; kgf and
    lbs as aliases; any case) is the unit of the force column. Raises :class:`RecordingError` for
    anything wrong with the file or the options, with a message meant for the user.
    """
    p = Path(path)
    unit_name, factor = unit_factor(unit, p)
    text, encoding = _read_text(p)
    head = _parse_head(text, p)
    tname = DEFAULT_TIME_COL if time_col is None else time_col
    fname = DEFAULT_FORCE_COL if force_col is None else force_col
    ti = _find_column(head.header, tname)
    fi = _find_column(head.header, fname)
    if ti is None or fi is None:
        present = ", ".join(repr(h) for h in head.header)
        if ti is None and fi is None:
            raise RecordingError(
                f"{p} has no time column {tname!r} and no force column {fname!r} (its columns are "
                f"{present}); name them with --time-col NAME --force-col NAME.", path=p)
        role, name, flag = ("time", tname, "--time-col") if ti is None else ("force", fname, "--force-col")
        raise RecordingError(
            f"{p} has no {role} column {name!r} (its columns are {present}); name the {role} column "
            f"with {flag} NAME.", path=p)
    if ti == fi:
        raise RecordingError(
            f"{p}: the time and force columns are both {head.header[ti]!r}; name two different "
            "columns with --time-col and --force-col.", path=p)

    t, raw, lines = _parse_columns(p, text, encoding, head, ti, fi)
    if t.size < MIN_SAMPLES:
        raise RecordingError(
            f"{p} has {t.size} row{'s' if t.size != 1 else ''} of data below its header; a recording "
            f"needs at least {MIN_SAMPLES} (record for longer or check that this is the right file).",
            path=p)
    _check_values(p, text, t, raw, head, lines, head.header[ti], head.header[fi])

    metadata = dict(head.metadata)
    metadata.update(_trailing_metadata(text, head.data_offset))
    force = raw if factor == 1.0 else raw * factor
    return Recording(t=t, force_n=force, metadata=metadata, columns=list(head.header), source=p,
                     time_col=head.header[ti], force_col=head.header[fi], unit=unit_name)


def _read_text(p: Path) -> tuple[str, str]:
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
    if b"\x00" in data[:65536]:
        raise RecordingError(f"{p} is not a text file; give a CSV recording.", path=p)
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError:
        # Spreadsheet exports on Windows are often cp1252/latin-1 ("µ", "°" in headers): latin-1 never
        # fails, and the numbers we need are ASCII either way.
        text, encoding = data.decode("latin-1"), "latin-1"
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise RecordingError(f"{p} is empty; record some data into it or choose another file.", path=p)
    return text, encoding


def _comment_metadata(comment: str) -> tuple[str, str] | None:
    """``key: value`` from the text after a ``#``, or None for a free-form comment."""
    key, sep, value = comment.partition(":")
    key = key.strip()
    if not sep or not key:
        return None
    return key, value.strip()


def _split_header(line: str) -> tuple[list[str], str | None]:
    delimiter: str | None = None
    for d in _DELIMITERS:
        if d in line:
            delimiter = d
            break
    if delimiter is None:
        cells = line.split()
    else:
        cells = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True))
    return [c.strip().strip('"').strip("'").strip() for c in cells], delimiter


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _parse_head(text: str, p: Path) -> _Head:
    metadata: dict[str, str] = {}
    pos, line_no = 0, 0
    while pos < len(text):
        end = text.find("\n", pos)
        if end == -1:
            end = len(text)
        line_no += 1
        line = text[pos:end].strip()
        pos = end + 1
        if not line:
            continue
        if line.startswith("#"):
            kv = _comment_metadata(line[1:])
            if kv is not None:
                metadata[kv[0]] = kv[1]
            continue
        header, delimiter = _split_header(line)
        if all(_is_number(c) for c in header if c):
            raise RecordingError(
                f"{p} has no header row (line {line_no} is already numbers); add a first line that names "
                f"the columns, such as {DEFAULT_TIME_COL},{DEFAULT_FORCE_COL}.", path=p, line=line_no)
        return _Head(metadata, header, delimiter, line_no, min(pos, len(text)))
    raise RecordingError(
        f"{p} has no header row, only comments; add a line that names the columns, such as "
        f"{DEFAULT_TIME_COL},{DEFAULT_FORCE_COL}, followed by the data.", path=p)


def _find_column(header: Sequence[str], wanted: str) -> int | None:
    """Index of a column: an exact name match first, then a case-insensitive one."""
    if wanted in header:
        return header.index(wanted)
    folded = wanted.strip().casefold()
    for i, name in enumerate(header):
        if name.casefold() == folded:
            return i
    return None


def _parse_columns(p: Path, text: str, encoding: str, head: _Head, ti: int, fi: int
                   ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], list[int] | None]:
    """Time and force columns as float64, plus the line number of every data row when known.

    The fast path is numpy's C parser on the file itself; anything it rejects is parsed again slowly
    with the csv module, which either succeeds (e.g. whitespace-only lines) or finds the exact line.
    """
    def fast(source: str | Path | io.StringIO, skip: int) -> npt.NDArray[np.float64]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data" for header-only files
            return np.loadtxt(source, dtype=np.float64, delimiter=head.delimiter, comments="#",
                              skiprows=skip, usecols=(ti, fi), ndmin=2, encoding=encoding,
                              quotechar='"')

    try:
        arr = fast(p, head.header_line)  # numpy's reader is fastest straight from the file
    except (ValueError, IndexError, OSError):
        # Lines of only spaces trip numpy's reader (it sees a row with one empty cell); blank them
        # and try once more in memory before the slow line-by-line pass.
        data = _BLANK_LINE.sub("", text[head.data_offset:])
        try:
            arr = fast(io.StringIO(data), 0)
        except (ValueError, IndexError):
            return _parse_columns_slowly(p, text, head, ti, fi)
    return np.ascontiguousarray(arr[:, 0]), np.ascontiguousarray(arr[:, 1]), None


def _data_lines(text: str, head: _Head) -> Iterator[tuple[int, str]]:
    """(line number, content) of every data row: comments and blank lines left out."""
    line_no = head.header_line
    for raw in text[head.data_offset:].split("\n"):
        line_no += 1
        line = raw.split("#", 1)[0] if "#" in raw else raw
        if line.strip():
            yield line_no, line


def _parse_columns_slowly(p: Path, text: str, head: _Head, ti: int, fi: int
                          ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], list[int]]:
    tname, fname = head.header[ti], head.header[fi]
    need = max(ti, fi) + 1
    lines: list[int] = []
    tv: list[float] = []
    fv: list[float] = []
    for line_no, line in _data_lines(text, head):
        cells = line.split() if head.delimiter is None else next(csv.reader([line], delimiter=head.delimiter))
        if len(cells) < need:
            raise RecordingError(
                f"{p} line {line_no} has {len(cells)} cell{'s' if len(cells) != 1 else ''} but column "
                f"{head.header[max(ti, fi)]!r} is number {need}; complete or delete that line.",
                path=p, line=line_no)
        values = []
        for idx, name in ((ti, tname), (fi, fname)):
            cell = cells[idx].strip().strip('"')
            try:
                if "_" in cell:  # float() accepts 1_000; numpy's parser (the fast path) does not
                    raise ValueError(cell)
                values.append(float(cell))
            except ValueError:
                hint = ""
                if head.delimiter == ";" and "," in cell:
                    hint = " (decimal commas are not supported: use points)"
                what = "is empty" if not cell else f"has {cell!r}, which is not a number{hint}"
                raise RecordingError(
                    f"{p} line {line_no} (data row {len(lines) + 1}): column {name!r} {what}; "
                    "fix or delete that line.", path=p, line=line_no) from None
        lines.append(line_no)
        tv.append(values[0])
        fv.append(values[1])
    return np.array(tv, dtype=np.float64), np.array(fv, dtype=np.float64), lines


def _line_of(index: int, head: _Head, text: str, lines: list[int] | None) -> int:
    """File line number of data row ``index`` (0-based)."""
    if lines is None:
        lines = [n for n, _ in _data_lines(text, head)]
    return lines[index] if 0 <= index < len(lines) else head.header_line + 1 + index


def _check_values(p: Path, text: str, t: npt.NDArray[np.float64], force: npt.NDArray[np.float64],
                  head: _Head, lines: list[int] | None, tname: str, fname: str) -> None:
    for values, name in ((t, tname), (force, fname)):
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            i = int(bad[0])
            line = _line_of(i, head, text, lines)
            raise RecordingError(
                f"{p} line {line} (data row {i + 1}): column {name!r} is {values[i]!r}, not a finite "
                f"number ({bad.size} such row{'s' if bad.size != 1 else ''}); fix or delete "
                f"{'that line' if bad.size == 1 else 'those lines'}.", path=p, line=line)
    back = np.flatnonzero(np.diff(t) < 0)
    if back.size:
        i = int(back[0]) + 1
        line = _line_of(i, head, text, lines)
        raise RecordingError(
            f"{p} line {line} (data row {i + 1}): time goes backwards ({t[i]:g} s after {t[i - 1]:g} s); "
            f"sort the rows by time, or choose the time column with --time-col if {tname!r} is not it.",
            path=p, line=line)


def _trailing_metadata(text: str, start: int) -> dict[str, str]:
    """``# key: value`` lines among the data rows (rare, so found by searching for '#')."""
    found: dict[str, str] = {}
    pos = text.find("#", start)
    while pos != -1:
        line_start = text.rfind("\n", 0, pos) + 1
        line_end = text.find("\n", pos)
        if line_end == -1:
            line_end = len(text)
        if not text[line_start:pos].strip():
            kv = _comment_metadata(text[pos + 1:line_end])
            if kv is not None:
                found[kv[0]] = kv[1]
        pos = text.find("#", line_end)
    return found


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


