"""Time columns of date-times: ISO 8601 stamps read as seconds since the first row.

Lab scripts often stamp each sample with the computer's clock (Python's ``datetime.now()``:
``2025-01-27 15:13:03.983837``) rather than a count of seconds. :func:`read_columns` reads such a
column row for row with the table's other columns, which :func:`nmt_pressure.io.csvtable.read_columns`
reads as ever: the same lines are data rows (:func:`~nmt_pressure.io.csvtable.row_text`), split into
cells the same way, so the n-th time is the n-th force.

A date-time is a date and a time to the minute at least (``T``, ``t`` or a space between), with or
without seconds, a fraction of them and a UTC offset (``Z``, ``+01:00``), as
:meth:`datetime.datetime.fromisoformat` reads them. The other forms it takes (``20250127T151303``,
week dates, a date alone) are not date-times here: a column of those is rarer than one of numbers
that happen to read as one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt

from nmt_pressure.io import csvtable
from nmt_pressure.io.csvtable import Columns, Head
from nmt_pressure.io.rectypes import TIME_ORIGIN, RecordingError, brief

__all__ = ["TIME_ORIGIN", "at", "first_datetime", "parse", "read_columns"]

_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}")
_MICROSECOND = timedelta(microseconds=1)
_EOL = re.compile(rb"\r\n|\r|\n")  # the line ends the table reader knows


def parse(cell: str) -> datetime | None:
    """The date-time a cell holds, or None if it holds none."""
    if _DATE_TIME.match(cell) is None:
        return None
    try:
        return datetime.fromisoformat(cell)
    except ValueError:  # 2025-13-01, 25:00, something after the time...
        return None


def at(origin: str, seconds: float) -> str:
    """The date-time ``seconds`` after the first row's (``origin``, in ISO form), as a message quotes
    it for the user to find in the file: to the microsecond, in the first row's UTC offset."""
    try:
        when = datetime.fromisoformat(origin) + timedelta(microseconds=round(seconds * 1e6))
    except (OverflowError, ValueError):  # rows spanning millennia, seconds rounded past year 9999
        return f"{seconds:.15g} s after {origin}"
    return when.isoformat(sep=" ")


def _rows(data: bytes, head: Head) -> Iterator[tuple[int, list[str]]]:
    """(file line, cells) of each data row, found and split as the table reader does; lazily, as
    :func:`first_datetime` wants only the first."""
    encoding = ""  # the file's, as the table reader decodes a line that is not ASCII (rare)
    d = head.delimiter
    pos, n, line_no = head.data_offset, len(data), head.header_line
    while pos < n:
        m = _EOL.search(data, pos)
        end, nxt = (m.start(), m.end()) if m else (n, n)
        line_no += 1
        raw = data[pos:end]
        pos = nxt
        if not raw.isascii():
            encoding = encoding or csvtable.file_encoding(data)
        text = csvtable.row_text(raw.decode(encoding or "ascii"))
        if text is None:
            continue
        if d is None:
            yield line_no, csvtable.split_blanks(text)
        else:  # without quotes the csv module splits at every delimiter: str.split does so faster
            yield line_no, text.split(d) if '"' not in text else csvtable.csv_cells(text, d)


def first_datetime(data: bytes, head: Head, col: int) -> str | None:
    """Column ``col``'s cell in the first data row if it is a date-time (the column is then read as
    date-times), else None (read as numbers, any message being the number reader's)."""
    for _, cells in _rows(data, head):
        cell = cells[col].strip().strip('"') if col < len(cells) else ""
        return cell if parse(cell) is not None else None
    return None


def read_columns(p: Path, data: bytes, head: Head, cols: Sequence[int],
                 names: Sequence[str]) -> tuple[Columns, str | None]:
    """Columns ``cols`` of every data row, as :func:`~nmt_pressure.io.csvtable.read_columns` reads
    them but the first (the time) as date-times: seconds since the first row; and that row's
    date-time in ISO form (None without rows).

    A bad line is named as the number reader would name it: the first in the file, and on one line the
    time's problem, the first column read.
    """
    try:
        numbers = csvtable.read_columns(p, data, head, cols[1:], names[1:]) if len(cols) > 1 else None
    except RecordingError as number_error:
        try:
            _seconds(p, data, head, cols, names)
        except RecordingError as time_error:
            if (time_error.line or 0) <= (number_error.line or 0):
                raise time_error from None
        raise number_error from None
    t, line_numbers, first = _seconds(p, data, head, cols, names)
    others = numbers.values if numbers is not None else []
    if any(v.size != t.size for v in others):  # the two readers took other lines for data rows
        raise RuntimeError(f"{p}: {t.size} date-times but {others[0].size} numbers read (a bug)")

    def line_of(i: int) -> int:
        return line_numbers[i] if 0 <= i < len(line_numbers) else head.header_line + 1 + i
    return Columns([t, *others], line_of), None if first is None else first.isoformat()


def _seconds(p: Path, data: bytes, head: Head, cols: Sequence[int],
             names: Sequence[str]) -> tuple[npt.NDArray[np.float64], list[int], datetime | None]:
    """Column ``cols[0]`` of every data row as seconds since the first row, the rows' file lines and
    the first row's date-time. All of ``cols`` are checked to be there, for a short line's message."""
    micros: list[int] = []
    line_numbers: list[int] = []
    first: tuple[datetime, str] | None = None
    last_col = max(cols)
    for line_no, cells in _rows(data, head):
        if len(cells) <= last_col:
            raise csvtable.short_row(p, line_no, len(cells), cols, names)
        cell = cells[cols[0]].strip().strip('"')
        when = parse(cell)
        if when is None:
            like = f" like the first row's {brief(first[1])}" if first is not None else ""
            what = "is empty" if not cell else f"has {brief(cell)}, which is not a date-time{like}"
            raise csvtable.cell_error(p, line_no, len(micros), names[0], what, "fix or delete that line")
        if first is None:
            first = when, cell
        elif (when.utcoffset() is None) != (first[0].utcoffset() is None):
            # Which zone a time without an offset is in is unknown: hours off without a word.
            said = "states no UTC offset where the rows before it state one" if when.utcoffset() is None \
                else "states a UTC offset where the rows before it state none"
            raise csvtable.cell_error(p, line_no, len(micros), names[0], f"has {brief(cell)}, which {said}",
                                      "write every time with a UTC offset or every time without")
        # Whole microseconds, the date-times' own resolution: exact, then divided once (rounded once).
        micros.append((when - first[0]) // _MICROSECOND)
        line_numbers.append(line_no)
    seconds = np.asarray(micros, dtype=np.float64) / 1e6
    return seconds, line_numbers, None if first is None else first[0]
