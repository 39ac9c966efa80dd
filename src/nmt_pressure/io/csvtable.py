"""Delimited text tables: the head above the data, and numeric columns read fast and exactly.

A table is bytes: comment lines (``#``; those shaped ``# key: value`` are metadata), a header row
naming the columns (its delimiter -- comma, semicolon, tab or runs of spaces -- is the file's), then
rows. :func:`read_columns` returns chosen columns as float64 without decoding the bytes into text:
the compiled scanner (``_csvscan``) reads every line it is sure of and hands any other line to
:func:`parse_row`, the reference parser, which reads it or raises the one-sentence error naming
that line. Without the compiled scanner (no C compiler, or ``NMT_PRESSURE_PUREPYTHON=1``) numpy's
``loadtxt`` reads the same bytes, and :func:`parse_row` goes over them line by line when numpy cannot
(or would read them otherwise: quotes, spaces other than space and tab). Both give the very same
values or the very same error; ``tools/fuzz.py`` checks that on a million hostile files.

A file that a recorder is still appending to may end in a half-written line: see
:func:`without_partial_row`.

Decimal marks: with a delimiter other than the comma, numbers may use decimal commas ("0,125"), as
European spreadsheets write them. The first number with a decimal mark decides the file's mark;
a later number with the other one is an error, since such files are ambiguous ("1.500").
"""

from __future__ import annotations

import contextlib
import csv
import importlib
import io
import os
import re
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from nmt_pressure.io.rectypes import DEFAULT_FORCE_COL, DEFAULT_TIME_COL, RecordingError, brief

#: The compiled scanner, or None to use numpy's reader (tests set it to None to compare the two).
SCANNER: Any = None
if os.environ.get("NMT_PRESSURE_PUREPYTHON", "") in ("", "0"):
    with contextlib.suppress(ImportError):  # built without a C compiler: numpy's reader is used
        SCANNER = importlib.import_module("nmt_pressure.io._csvscan")

#: Most columns the compiled scanner reads at once (its MAX_COLS); more go to numpy's reader.
_SCANNER_MAX_COLS = 64
# Statuses of _csvscan.scan().
_DONE, _STUCK, _FULL, _LIMIT = 0, 1, 2, 3

DELIMITERS = (",", ";", "\t")
_EOL = re.compile(rb"\r\n|\r|\n")
_LINE_END = re.compile(rb"[\r\n]")
_NON_BLANK = re.compile(rb"\S")
_BLANK_LINE = re.compile(r"(?m)^[ \t]+$")
_BLANKS = re.compile(r"[ \t]+")
_ODD_SPACE = re.compile(r"[^\S \t\n]")  # whitespace other than space, tab and line end
_NUMBER_WITH_POINT = re.compile(r"[0-9]\.|\.[0-9]")


def decode(raw: bytes) -> str:
    """Text of some bytes of a file: UTF-8, else latin-1 (Windows spreadsheets; it never fails)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def file_encoding(data: bytes) -> str:
    """How a whole file's data lines are decoded: "utf-8" if all of it is UTF-8, else "latin-1".

    One answer per file, whichever reader runs, so that a cell quoted in a message reads the same.
    """
    if data.isascii():
        return "utf-8"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8"


def is_blank(data: bytes, start: int = 0) -> bool:
    """Whether ``data[start:]`` holds nothing but whitespace (without copying it)."""
    return _NON_BLANK.search(data, start) is None


def lines(data: bytes, pos: int = 0, line_no: int = 0) -> Iterator[tuple[int, str, int]]:
    """(line number, text without its line end, offset of the next line) from ``pos`` on.

    ``\\n``, ``\\r\\n`` and a lone ``\\r`` each end a line. Meant for the few lines of a head.
    """
    n = len(data)
    while pos < n:
        m = _EOL.search(data, pos)
        end, nxt = (m.start(), m.end()) if m else (n, n)
        line_no += 1
        yield line_no, decode(data[pos:end]), nxt
        pos = nxt


def comment_metadata(comment: str) -> tuple[str, str] | None:
    """``key: value`` from the text after a ``#``, or None for a free-form comment."""
    key, sep, value = comment.partition(":")
    key = key.strip()
    if not sep or not key:
        return None
    return key, value.strip()


_CSV_LIMIT = threading.Lock()


def csv_cells(line: str, delimiter: str, skipinitialspace: bool = False) -> list[str]:
    """One line split by the csv module (quotes understood), even with a cell over its 128 KiB limit."""
    try:
        return next(csv.reader([line], delimiter=delimiter, skipinitialspace=skipinitialspace), [])
    except csv.Error:
        pass
    # The only error a single line without line breaks can give is a cell over the module's limit,
    # which is process-wide: raise it for this one line.
    with _CSV_LIMIT:
        saved = csv.field_size_limit()
        csv.field_size_limit(max(saved, len(line) + 1))
        try:
            return next(csv.reader([line], delimiter=delimiter, skipinitialspace=skipinitialspace), [])
        except csv.Error:  # pragma: no cover - nothing else is left to go wrong
            return line.split(delimiter)
        finally:
            csv.field_size_limit(saved)


def split_blanks(line: str) -> list[str]:
    """Cells separated by runs of spaces and tabs (not by every character str.split() calls space:
    a stray 0xA0 or 0x1C inside a cell is part of it, for the compiled scanner and numpy too)."""
    return _BLANKS.split(line.strip(" \t")) if line.strip(" \t") else []


def split_cells(line: str, delimiter: str | None) -> list[str]:
    """The cells of a head row, unquoted and stripped."""
    cells = split_blanks(line) if delimiter is None else csv_cells(line, delimiter, skipinitialspace=True)
    return [c.strip().strip('"').strip("'").strip() for c in cells]


def split_header(line: str) -> tuple[list[str], str | None]:
    """The header row's cells and the file's delimiter (None: runs of whitespace)."""
    delimiter = next((d for d in DELIMITERS if d in line), None)
    return split_cells(line, delimiter), delimiter


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@dataclass
class Head:
    """What precedes the data: metadata, the header row and where the data start."""

    metadata: dict[str, str]
    header: list[str]
    delimiter: str | None  # None: runs of whitespace
    header_line: int  # file line of the header row (0: no header, the data start at line 1)
    data_offset: int  # byte offset of the line after the header row


def parse_head(p: Path, data: bytes, start: int = 0) -> Head:
    """Comments (metadata) up to the first other line, which must be the header row."""
    metadata: dict[str, str] = {}
    for line_no, raw, nxt in lines(data, start):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            kv = comment_metadata(line[1:])
            if kv is not None:
                metadata[kv[0]] = kv[1]
            continue
        header, delimiter = split_header(line)
        if all(is_number(c) for c in header if c):
            raise RecordingError(
                f"{p} has no header row (line {line_no} is already numbers); add a first line that names "
                f"the columns, such as {DEFAULT_TIME_COL},{DEFAULT_FORCE_COL}.", path=p, line=line_no)
        return Head(metadata, header, delimiter, line_no, nxt)
    raise RecordingError(
        f"{p} has no header row, only comments; add a line that names the columns, such as "
        f"{DEFAULT_TIME_COL},{DEFAULT_FORCE_COL}, followed by the data.", path=p)


def trailing_metadata(data: bytes, start: int) -> dict[str, str]:
    """``# key: value`` lines among the data rows (rare, so found by searching for '#')."""
    found: dict[str, str] = {}
    pos = data.find(b"#", start)
    while pos != -1:
        line_start = max(data.rfind(b"\n", start, pos), data.rfind(b"\r", start, pos), start - 1) + 1
        m = _LINE_END.search(data, pos)
        line_end = m.start() if m else len(data)
        if not data[line_start:pos].strip():
            kv = comment_metadata(decode(data[pos + 1:line_end]))
            if kv is not None:
                found[kv[0]] = kv[1]
        pos = data.find(b"#", line_end)
    return found


# --------------------------------------------------------------------------------------------------
# a file still being written
# --------------------------------------------------------------------------------------------------

#: Metadata key saying that an unfinished last line was left out, and which.
PARTIAL_LAST_LINE = "partial_last_line"
T = TypeVar("T")


def unterminated_row(data: bytes, head: Head) -> tuple[int, int] | None:
    """(byte offset, file line) of a last data line with no line end after it, or None.

    Blank and comment-only last lines are no rows, so None too.
    """
    if len(data) <= head.data_offset or data.endswith((b"\n", b"\r")):
        return None
    cut = max(data.rfind(b"\n", head.data_offset), data.rfind(b"\r", head.data_offset)) + 1
    cut = max(cut, head.data_offset)
    if not data[cut:].split(b"#", 1)[0].strip():
        return None
    a = head.data_offset
    ends = data.count(b"\n", a, cut) + data.count(b"\r", a, cut) - data.count(b"\r\n", a, cut)
    return cut, head.header_line + 1 + ends


def without_partial_row(data: bytes, head: Head, read: Callable[[bytes], T], *,
                        written_by_us: bool) -> tuple[T, str | None]:
    """``read(data)``, leaving out a last line that a writer may not have finished yet.

    A recorder appends rows while the file is analysed, so the file's last line may be cut anywhere,
    even mid-number. A line without a line end after it is therefore left out when ``read`` fails
    on that very line (an error naming it), or always when the file was ``written_by_us``: our
    writer ends every row, so such a line is unfinished even when it reads (as "12.3" from
    "12.345"). A last line that does end, yet is bad, is still an error. Returns what ``read``
    returned and, if a line was left out, a note for the metadata (:data:`PARTIAL_LAST_LINE`).
    """
    tail = unterminated_row(data, head)
    if tail is None:
        return read(data), None
    cut, line = tail
    note = f"line {line}: no line end yet (a recording still being written?), left out"
    if written_by_us:
        return read(data[:cut]), note
    try:
        return read(data), None
    except RecordingError as exc:
        if exc.line != line:
            raise
    return read(data[:cut]), note


# --------------------------------------------------------------------------------------------------
# one row: the reference parser
# --------------------------------------------------------------------------------------------------

class DecimalMark:
    """The file's decimal mark as far as it is known: '' (none seen yet), '.' or ','."""

    def __init__(self, delimiter: str | None) -> None:
        self.comma_allowed = delimiter != ","
        self.value = "" if self.comma_allowed else "."

    @property
    def code(self) -> int:
        return ord(self.value) if self.value else 0

    @code.setter
    def code(self, code: int) -> None:
        self.value = chr(code) if code else ""


def cell_error(p: Path, line_no: int, row_index: int, name: str, what: str, fix: str) -> RecordingError:
    """The error for a bad cell: the file, its line and data row, the column, what is wrong, the fix."""
    return RecordingError(
        f"{p} line {line_no} (data row {row_index + 1}): column {brief(name)} {what}; {fix}.",
        path=p, line=line_no)


def short_row(p: Path, line_no: int, n_cells: int, cols: Sequence[int],
              names: Sequence[str]) -> RecordingError:
    """The error for a line with too few cells for ``cols``, naming the last column wanted."""
    need = max(cols) + 1
    last = names[list(cols).index(need - 1)]
    return RecordingError(
        f"{p} line {line_no} has {n_cells} cell{'s' if n_cells != 1 else ''} but column "
        f"{brief(last)} is number {need}; complete or delete that line.", path=p, line=line_no)


def _to_float(p: Path, cell: str, name: str, line_no: int, row_index: int, mark: DecimalMark) -> float:
    fix = "fix or delete that line"
    if "," in cell and mark.comma_allowed:
        if "." in cell:
            raise cell_error(p, line_no, row_index, name,
                             f"has {brief(cell)}, which mixes decimal points and commas (thousands "
                             "separators are not supported)",
                             "write the number without thousands separators")
        if mark.value == ".":
            raise cell_error(p, line_no, row_index, name,
                             f"has {brief(cell)} with a decimal comma where the numbers before it use "
                             "points",
                             "use one decimal mark throughout the file")
        here = ","
        text = cell.replace(",", ".")
    else:
        here = "." if "." in cell else ""
        if here and mark.value == ",":
            raise cell_error(p, line_no, row_index, name,
                             f"has {brief(cell)} with a decimal point where the numbers before it use "
                             "commas",
                             "use one decimal mark throughout the file")
        text = cell
    try:
        if "_" in text or not text.isascii():
            # float() accepts 1_000 and other scripts' digits ("٣", "１"); the scanner and numpy's
            # parser do not, and a recording's numbers are ASCII.
            raise ValueError(text)
        value = float(text)
    except ValueError:
        what = "is empty" if not cell else f"has {brief(cell)}, which is not a number"
        raise cell_error(p, line_no, row_index, name, what, fix) from None
    if here:
        mark.value = here
    return value


def row_text(raw: str) -> str | None:
    """A line's text before any ``#``, or None when that is blank: no data row (skipped)."""
    line = raw.split("#", 1)[0] if "#" in raw else raw
    return line if line.strip() else None


def parse_row(p: Path, raw: str, line_no: int, row_index: int, head: Head, cols: Sequence[int],
              names: Sequence[str], mark: DecimalMark) -> list[float] | None:
    """The wanted cells of one line as floats, or None for a blank or comment line.

    This is the definition of what a data line means; the fast paths read a subset of it the same
    way and leave the rest to it. Raises the error naming the line for anything else.
    """
    line = row_text(raw)
    if line is None:
        return None
    cells = split_blanks(line) if head.delimiter is None else csv_cells(line, head.delimiter)
    if len(cells) <= max(cols):
        raise short_row(p, line_no, len(cells), cols, names)
    return [_to_float(p, cells[c].strip().strip('"'), name, line_no, row_index, mark)
            for c, name in zip(cols, names, strict=True)]


# --------------------------------------------------------------------------------------------------
# columns
# --------------------------------------------------------------------------------------------------

@dataclass
class Columns:
    """The columns read, and a way to find the file line of a data row (for error messages)."""

    values: list[npt.NDArray[np.float64]]
    _line_of: Callable[[int], int]

    def line_of(self, index: int) -> int:
        """File line number of data row ``index`` (0-based)."""
        return self._line_of(index)


def read_columns(p: Path, data: bytes, head: Head, cols: Sequence[int], names: Sequence[str]) -> Columns:
    """Columns ``cols`` (0-based cell indices; ``names`` for messages) of every data row as float64."""
    if len(cols) != len(names) or not cols or min(cols) < 0:
        raise ValueError("give one name for each of one or more column indices")
    if SCANNER is not None and len(cols) <= _SCANNER_MAX_COLS:
        out, rows, _ = _scan(p, data, head, cols, names)
        if out.shape[1] > rows * 1.25 + 4096:  # the estimate was far off (many blank lines): trim
            out = out[:, :rows].copy()
        return Columns([out[j, :rows] for j in range(len(cols))],
                       lambda i: _scan(p, data, head, cols, names, max_rows=i + 1)[2])
    return _read_with_numpy(p, data, head, cols, names)


def _estimate_rows(data: bytes, offset: int) -> int:
    sample = data[offset:offset + (1 << 16)]
    n = sample.count(b"\n") or sample.count(b"\r")
    if offset + len(sample) >= len(data):
        return n + 2
    return int((len(data) - offset) * max(n, 1) / len(sample) * 1.05) + 1024


def _grow(out: npt.NDArray[np.float64], rows: int) -> npt.NDArray[np.float64]:
    bigger = np.empty((out.shape[0], int(out.shape[1] * 1.5) + 1024), dtype=np.float64)
    bigger[:, :rows] = out[:, :rows]
    return bigger


def _scan(p: Path, data: bytes, head: Head, cols: Sequence[int], names: Sequence[str],
          max_rows: int | None = None) -> tuple[npt.NDArray[np.float64], int, int]:
    """Scanned rows as a (columns, capacity) array, the number of rows, and the last row's line."""
    slots = np.full(max(cols) + 1, -1, dtype=np.intc)
    slots[list(cols)] = np.arange(len(cols))
    delimiter = -1 if head.delimiter is None else ord(head.delimiter)
    cap = max_rows if max_rows is not None else _estimate_rows(data, head.data_offset)
    out = np.empty((len(cols), max(cap, 1)), dtype=np.float64)
    limit = sys.maxsize if max_rows is None else max_rows
    mark = DecimalMark(head.delimiter)
    pos, line, row, last = head.data_offset, head.header_line + 1, 0, 0
    encoding = ""  # the file's, found at the first line the scanner hands back (rare)
    while True:
        status, pos, line, row, mark.code, last_read = SCANNER.scan(
            data, pos, line, delimiter, slots, out, row, limit, mark.code)
        last = last_read or last
        if status in (_DONE, _LIMIT):
            return out, row, last
        if status == _FULL:
            out = _grow(out, row)
            continue
        # A line the scanner is not sure of: the reference parser reads it or names the error.
        m = _LINE_END.search(data, pos)
        end = m.start() if m else len(data)
        encoding = encoding or file_encoding(data)
        values = parse_row(p, data[pos:end].decode(encoding), line, row, head, cols, names, mark)
        if values is not None:
            if row == out.shape[1]:
                out = _grow(out, row)
            out[:, row] = values
            row += 1
            last = line
        em = _EOL.match(data, end)
        pos = em.end() if em else len(data)
        line += 1


def _odd_spaces(text: str) -> bool:
    """Whether ``text`` holds whitespace other than space, tab and line ends (numpy splits at it)."""
    if text.isascii():  # the usual case, checked at memchr speed
        return any(c in text for c in "\x0b\x0c\x1c\x1d\x1e\x1f")
    return _ODD_SPACE.search(text) is not None


def _read_with_numpy(p: Path, data: bytes, head: Head, cols: Sequence[int], names: Sequence[str]) -> Columns:
    """numpy's C parser on the file; anything it rejects goes through :func:`parse_row`."""
    encoding = file_encoding(data)
    text = data[head.data_offset:].decode(encoding)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")

    def loadtxt(text: str) -> npt.NDArray[np.float64]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data" for header-only files
            return np.loadtxt(io.StringIO(text), dtype=np.float64, delimiter=head.delimiter,
                              comments="#", usecols=tuple(cols), ndmin=2, encoding=encoding,
                              quotechar='"')

    def data_lines() -> list[int]:
        return [n for n, raw in enumerate(text.split("\n"), head.header_line + 1)
                if (raw.split("#", 1)[0] if "#" in raw else raw).strip()]

    arr: npt.NDArray[np.float64] | None = None
    # numpy's quotes are not the csv module's: a quoted cell may run on over line ends and hold a
    # '#', and a quote inside a cell opens one; and numpy takes any Unicode space (0xA0, U+2028...)
    # for a separator. A file with quotes or such spaces is read line by line by parse_row, the
    # definition (slower, but this is the reader without a C compiler).
    if '"' not in text and not _odd_spaces(text):
        try:
            # From the bytes already read, not from the file again: numpy would be faster reading
            # the path, but a file that a recorder is still appending to would have grown in between.
            arr = loadtxt(text)
        except (ValueError, IndexError):
            # Lines of only spaces trip numpy's reader (it sees a row with one empty cell); blank
            # them and try once more.
            blanked = _BLANK_LINE.sub("", text)
            with contextlib.suppress(ValueError, IndexError):
                arr = loadtxt(blanked)
            if arr is None and head.delimiter != "," and "," in blanked and \
                    not _NUMBER_WITH_POINT.search(blanked):
                # Decimal commas and no decimal point anywhere: the same numbers with points.
                with contextlib.suppress(ValueError, IndexError):
                    arr = loadtxt(blanked.replace(",", "."))
    if arr is not None:
        return Columns([np.ascontiguousarray(arr[:, j]) for j in range(len(cols))],
                       lambda i: _nth(data_lines(), i, head))

    mark = DecimalMark(head.delimiter)
    rows: list[list[float]] = []
    line_numbers: list[int] = []
    for line_no, raw in enumerate(text.split("\n"), head.header_line + 1):
        values = parse_row(p, raw, line_no, len(rows), head, cols, names, mark)
        if values is not None:
            rows.append(values)
            line_numbers.append(line_no)
    table = np.array(rows, dtype=np.float64).reshape(len(rows), len(cols))
    return Columns([np.ascontiguousarray(table[:, j]) for j in range(len(cols))],
                   lambda i: _nth(line_numbers, i, head))


def _nth(line_numbers: list[int], index: int, head: Head) -> int:
    return line_numbers[index] if 0 <= index < len(line_numbers) else head.header_line + 1 + index


def check_values(p: Path, columns: Columns, names: Sequence[str], time_index: int | None = 0,
                 time_unit: str = "s", time_text: Callable[[float], str] | None = None) -> None:
    """Every value finite, and the time column (``values[time_index]``) never going backwards.

    The times are still the file's own numbers (converted to seconds only once they are checked), so
    a message quotes them in ``time_unit``, the unit they are in, and with up to 15 digits (a
    millisecond clock reads 1714000000123, which ``:g`` would cut to 1.714e+12): the user finds them
    in the file. A column of date-times, read as seconds since its first, is quoted as date-times
    again (``time_text``).
    """
    for values, name in zip(columns.values, names, strict=True):
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            i = int(bad[0])
            line = columns.line_of(i)
            # float(): the value as written (inf, nan); numpy 2's own repr reads np.float64(inf).
            raise RecordingError(
                f"{p} line {line} (data row {i + 1}): column {brief(name)} is {float(values[i])!r}, not a "
                f"finite number ({bad.size} such row{'s' if bad.size != 1 else ''}); fix or delete "
                f"{'that line' if bad.size == 1 else 'those lines'}.", path=p, line=line)
    if time_index is None:
        return
    t = columns.values[time_index]
    back = np.flatnonzero(t[1:] < t[:-1])  # not np.diff: far-apart huge values would overflow
    if back.size:
        i = int(back[0]) + 1
        line = columns.line_of(i)
        now, before = (time_text(t[i]), time_text(t[i - 1])) if time_text is not None else \
            (f"{t[i]:.15g} {time_unit}", f"{t[i - 1]:.15g} {time_unit}")
        raise RecordingError(
            f"{p} line {line} (data row {i + 1}): time goes backwards ({now} after {before}); "
            f"sort the rows by time, or choose the time column with --time-col if "
            f"{brief(names[time_index])} is not it.", path=p, line=line)
