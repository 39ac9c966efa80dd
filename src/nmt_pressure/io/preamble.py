"""A preamble above a table: lines a lab script or an app writes before the header row.

A script for a hand dynamometer may begin its file with a participant's details (``Name,Jane Doe``,
``Date,...``) and a blank line before ``Force,Timestamp``. The first line that is not a comment is
then no header; when the columns asked for are not in it, :func:`find_header` looks further down
the file's head for the first row that names them all. Nothing of the preamble is kept but its
length (:data:`PREAMBLE_LINES`): it holds personal data, and metadata goes wherever the recording's
results go (a report's per-file meta, a DataFrame's attrs).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from nmt_pressure.io import csvtable, datetimes
from nmt_pressure.io.csvtable import Head

#: Metadata key: how many lines above the header row were passed over (from the first that is no comment).
PREAMBLE_LINES = "preamble_lines"
#: How far down a header row is looked for: a preamble is a few lines, not a table of its own.
HEAD_LINES = 200
HEAD_BYTES = 1 << 16


def find_column(header: Sequence[str], wanted: str) -> int | None:
    """Index of a column: an exact name match first, then a case-insensitive one."""
    if wanted in header:
        return header.index(wanted)
    folded = wanted.strip().casefold()
    for i, name in enumerate(header):
        if name.casefold() == folded:
            return i
    return None


def _rows(data: bytes, head: Head) -> Iterator[tuple[int, str, int]]:
    """(file line, text stripped, offset of the next line) of the lines below ``head``'s header row,
    within the file's head."""
    pos = head.data_offset
    for line_no, raw, nxt in csvtable.lines(data, pos, head.header_line):
        if line_no > HEAD_LINES or pos >= HEAD_BYTES:
            return
        yield line_no, raw.strip(), nxt
        pos = nxt


def find_header(data: bytes, head: Head, wanted: Sequence[str]) -> Head | None:
    """The head of the table whose header row is the first below ``head``'s to name every column
    ``wanted`` (as :func:`find_column` finds them), or None. Comments are no header rows."""
    for line_no, line, nxt in _rows(data, head):
        if not line or line.startswith("#"):
            continue
        cells, delimiter = csvtable.split_header(line)
        if all(find_column(cells, name) is not None for name in wanted):
            # The comments above the first line stay metadata; the preamble's lines are left out.
            metadata = {**head.metadata, PREAMBLE_LINES: str(line_no - head.header_line)}
            return Head(metadata, cells, delimiter, line_no, nxt)
    return None


def _is_value(cell: str) -> bool:
    return csvtable.is_number(cell) or datetimes.parse(cell) is not None


def later_table(data: bytes, head: Head) -> tuple[int, list[str]] | None:
    """(file line, columns) of a row below ``head``'s header row, within the file's head, that looks
    like a table's header: after a blank line, two or more cells and none of them a number or a
    date-time, and the next row (comments aside) two or more cells that all are. For a message
    naming the columns the user may have meant; None if there is no such row."""
    rows = [(n, line) for n, line, _ in _rows(data, head) if not line.startswith("#")]
    for (_, above), (line_no, line), (_, below) in zip(rows, rows[1:], rows[2:], strict=False):
        if above or not line or not below:
            continue
        cells, delimiter = csvtable.split_header(line)
        names = [c for c in cells if c]
        values = [c for c in csvtable.split_cells(below, delimiter) if c]
        if len(names) >= 2 and not any(map(_is_value, names)) and len(values) >= 2 and \
                all(map(_is_value, values)):
            return line_no, names
    return None
