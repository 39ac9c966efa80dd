"""Reading and writing recordings: the project's format, other devices' CSVs, and every user error."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nmt_pressure.io.recording import (
    FORMAT_LINE,
    UNITS,
    Recording,
    RecordingError,
    RecordingWriter,
    read_recording,
    unit_factor,
    write_recording,
)


def write(tmp_path: Path, text: str, name: str = "rec.csv", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def error_of(path: Path, **kw: str) -> str:
    with pytest.raises(RecordingError) as info:
        read_recording(path, **kw)
    msg = str(info.value)
    assert "\n" not in msg, "errors are one line"
    assert path.name in msg, "errors name the file"
    return msg


# --------------------------------------------------------------------------------------------------
# round trip
# --------------------------------------------------------------------------------------------------

def test_round_trip_reads_back_with_no_flags(tmp_path: Path) -> None:
    t = np.arange(500) / 100.0 + 12.5
    f = 10.0 + np.sin(t) * 3.0
    meta = {"device": "nmt-cell-01", "rate_hz": 100, "started": "2024-05-01T10:30:00", "note": "two\nlines"}
    p = write_recording(tmp_path / "rec.csv", t, f, meta)
    text = p.read_text()
    assert text.splitlines()[0] == FORMAT_LINE
    assert "t_s,force_n" in text.splitlines()

    rec = read_recording(p)
    assert isinstance(rec, Recording)
    assert rec.t.dtype == np.float64 and rec.force_n.dtype == np.float64
    assert len(rec) == 500
    np.testing.assert_allclose(rec.t, t, atol=5e-7)
    np.testing.assert_allclose(rec.force_n, f, atol=5e-5)
    assert rec.metadata == {"device": "nmt-cell-01", "rate_hz": "100", "started": "2024-05-01T10:30:00",
                            "note": "two lines"}
    assert rec.columns == ["t_s", "force_n"]
    assert rec.source == p
    assert rec.unit == "N"
    assert rec.duration == pytest.approx(4.99)


def test_round_trip_with_extra_columns(tmp_path: Path) -> None:
    t = np.arange(10) * 0.001
    raw = np.arange(10, dtype=np.int64) * 1000 + 8_000_000
    extra = {"raw": raw, "temp_c": np.full(10, 21.5)}
    p = write_recording(tmp_path / "x.csv", t, np.full(10, 3.25), {}, extra_columns=extra)
    lines = p.read_text().splitlines()
    assert lines[1] == "t_s,force_n,raw,temp_c"
    assert lines[2] == "0.000000,3.2500,8000000,21.5"
    rec = read_recording(p)
    assert rec.columns == ["t_s", "force_n", "raw", "temp_c"]
    np.testing.assert_allclose(rec.force_n, 3.25)


def test_writer_appends_blocks_like_one_write(tmp_path: Path) -> None:
    t = np.arange(20) / 10.0
    f = np.linspace(0, 5, 20)
    whole = io.StringIO()
    RecordingWriter(whole, {"a": 1}).append(t, f)
    blocks = io.StringIO()
    with RecordingWriter(blocks, {"a": 1}) as w:
        w.append(t[:7], f[:7])
        w.flush()
        w.append(t[7:], f[7:])
        assert w.rows_written == 20
    assert blocks.getvalue() == whole.getvalue()


def test_write_replaces_file_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    p.write_text("old")
    write_recording(p, [0.0, 0.1], [1.0, 2.0], {})
    assert read_recording(p).force_n.tolist() == [1.0, 2.0]
    assert [q.name for q in tmp_path.iterdir()] == ["r.csv"]


def test_write_into_missing_folder_is_a_recording_error(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="folder"):
        write_recording(tmp_path / "no" / "r.csv", [0.0, 1.0], [1.0, 1.0], {})


def test_writer_rejects_bad_metadata_keys_and_shapes() -> None:
    with pytest.raises(ValueError):
        RecordingWriter(io.StringIO(), {"a:b": 1})
    with pytest.raises(ValueError):
        RecordingWriter(io.StringIO(), {}, extra_columns=["force_n"])
    with pytest.raises(ValueError):
        RecordingWriter(io.StringIO()).append([0.0, 1.0], [1.0])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1e5), st.floats(-1e4, 1e4)), min_size=2, max_size=60))
def test_round_trip_property(tmp_path_factory: pytest.TempPathFactory,
                             rows: list[tuple[float, float]]) -> None:
    t = np.sort(np.array([r[0] for r in rows]))
    f = np.array([r[1] for r in rows])
    p = write_recording(tmp_path_factory.mktemp("rt") / "r.csv", t, f, {"k": "v"})
    rec = read_recording(p)
    np.testing.assert_allclose(rec.t, t, atol=5.01e-7, rtol=0)
    np.testing.assert_allclose(rec.force_n, f, atol=5.01e-5, rtol=0)
    assert rec.metadata == {"k": "v"}


# --------------------------------------------------------------------------------------------------
# metadata and layout
# --------------------------------------------------------------------------------------------------

def test_metadata_anywhere_and_free_comments_ignored(tmp_path: Path) -> None:
    p = write(tmp_path, "# exported by some tool\n# subject: A-7\n\nt_s,force_n\n0,1\n# marker: lift\n"
                        "0.1,2\n  # operator: Kim\n0.2,3 # trailing comment\n\n")
    rec = read_recording(p)
    assert rec.metadata == {"subject": "A-7", "marker": "lift", "operator": "Kim"}
    assert rec.force_n.tolist() == [1.0, 2.0, 3.0]


def test_whitespace_only_lines_and_crlf_and_bom(tmp_path: Path) -> None:
    p = tmp_path / "w.csv"
    p.write_bytes("\ufefft_s,force_n\r\n0,1\r\n   \r\n0.5,2\r\n".encode())
    rec = read_recording(p)
    assert rec.columns == ["t_s", "force_n"]
    assert rec.t.tolist() == [0.0, 0.5]


def test_equal_timestamps_are_allowed(tmp_path: Path) -> None:
    # Millisecond clocks at kHz rates repeat timestamps; only going backwards is an error.
    rec = read_recording(write(tmp_path, "t_s,force_n\n0.001,1\n0.001,2\n0.002,3\n"))
    assert len(rec) == 3


# --------------------------------------------------------------------------------------------------
# other devices: columns, delimiters, units
# --------------------------------------------------------------------------------------------------

def test_other_device_columns_in_kilograms(tmp_path: Path) -> None:
    # Shaped like a grip-strength app export: time from app start, weight in kgf, irregular rate.
    p = write(tmp_path, "time,weight\n26.466,10.8\n26.514,15.7\n26.611,23.3\n")
    rec = read_recording(p, time_col="time", force_col="weight", unit="kg")
    np.testing.assert_allclose(rec.force_n, np.array([10.8, 15.7, 23.3]) * 9.80665)
    assert rec.t[0] == 26.466
    assert (rec.time_col, rec.force_col, rec.unit) == ("time", "weight", "kg")


def test_header_match_exact_first_then_case_insensitive(tmp_path: Path) -> None:
    # Times 0.1 s apart: a column naming no unit that steps by 1 is refused as a likely millis() clock.
    p = write(tmp_path, "Time,force,Force\n0,1,10\n0.1,2,20\n")
    assert read_recording(p, time_col="time", force_col="Force").force_n.tolist() == [10.0, 20.0]
    assert read_recording(p, time_col="TIME", force_col="force").force_n.tolist() == [1.0, 2.0]
    assert read_recording(p, time_col="time", force_col="FORCE").force_n.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("sep", [";", "\t", " "])
def test_other_delimiters(tmp_path: Path, sep: str) -> None:
    p = write(tmp_path, f"t_s{sep}force_n{sep}raw\n0{sep}1.5{sep}x\n0.1{sep}2.5{sep}y\n")
    assert read_recording(p).force_n.tolist() == [1.5, 2.5]


def test_quoted_cells_and_extra_text_columns(tmp_path: Path) -> None:
    p = write(tmp_path, '"t_s","force_n","label"\n"0","1","rest"\n"0.1","2","hold, firm"\n')
    assert read_recording(p).force_n.tolist() == [1.0, 2.0]


def test_latin1_header(tmp_path: Path) -> None:
    p = write(tmp_path, "Zeit (s);Kraft µ-Sensor (N)\n0;1\n1;2\n", encoding="latin-1")
    rec = read_recording(p, time_col="Zeit (s)", force_col="Kraft µ-Sensor (N)")
    assert rec.force_n.tolist() == [1.0, 2.0]


@pytest.mark.parametrize(("unit", "factor"), [
    (None, 1.0), ("N", 1.0), ("n", 1.0), ("kg", 9.80665), ("KG", 9.80665), ("kgf", 9.80665),
    ("g", 0.00980665), ("lb", 4.4482216152605), ("lbs", 4.4482216152605), ("LBF", 4.4482216152605),
])
def test_units(tmp_path: Path, unit: str | None, factor: float) -> None:
    p = write(tmp_path, "t_s,force\n0,2\n1,4\n")  # a column naming no unit: --unit says it
    rec = read_recording(p, force_col="force", unit=unit)
    np.testing.assert_allclose(rec.force_n, [2 * factor, 4 * factor], rtol=1e-15)
    assert rec.unit in UNITS


def test_unit_factor_canonical_names() -> None:
    assert unit_factor("Kgf") == ("kg", 9.80665)
    assert unit_factor("lbs") == ("lb", 4.4482216152605)


# --------------------------------------------------------------------------------------------------
# errors a user can cause: each one sentence naming the file and the fix
# --------------------------------------------------------------------------------------------------

def test_missing_file(tmp_path: Path) -> None:
    assert "does not exist" in error_of(tmp_path / "nope.csv")


def test_directory(tmp_path: Path) -> None:
    d = tmp_path / "dir.csv"
    d.mkdir()
    assert "directory" in error_of(d)


def test_binary_file(tmp_path: Path) -> None:
    p = tmp_path / "b.csv"
    p.write_bytes(b"\x00\x01\x02binary")
    assert "not a text file" in error_of(p)


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    assert "is empty" in error_of(write(tmp_path, text))


def test_only_comments_means_no_header(tmp_path: Path) -> None:
    msg = error_of(write(tmp_path, "# nmt_pressure recording\n# a: b\n"))
    assert "no header" in msg and "t_s,force_n" in msg


def test_numbers_where_the_header_should_be(tmp_path: Path) -> None:
    msg = error_of(write(tmp_path, "0.0,1.0\n0.1,2.0\n"))
    assert "no header" in msg and "line 1" in msg


def test_missing_time_column_lists_columns_and_flag(tmp_path: Path) -> None:
    msg = error_of(write(tmp_path, "time,force_n\n0,1\n1,2\n"))
    assert "'t_s'" in msg and "'time', 'force_n'" in msg and "--time-col" in msg


def test_missing_force_column_lists_columns_and_flag(tmp_path: Path) -> None:
    msg = error_of(write(tmp_path, "t_s,weight\n0,1\n1,2\n"))
    assert "'force_n'" in msg and "'weight'" in msg and "--force-col" in msg


def test_missing_both_columns(tmp_path: Path) -> None:
    msg = error_of(write(tmp_path, "time,load\n0,1\n1,2\n"))
    assert "--time-col" in msg and "--force-col" in msg


def test_same_column_twice(tmp_path: Path) -> None:
    assert "different" in error_of(write(tmp_path, "t_s,force_n\n0,1\n1,2\n"), force_col="t_s")


def test_non_numeric_cell_names_line_and_value(tmp_path: Path) -> None:
    msg = error_of(write(tmp_path, "# a: b\nt_s,force_n\n0,1\n0.1,2\n0.2,abc\n0.3,4\n"))
    assert "line 5" in msg and "'abc'" in msg and "force_n" in msg and "data row 3" in msg


def test_non_numeric_cell_after_comment_lines_counts_file_lines(tmp_path: Path) -> None:
    msg = error_of(write(tmp_path, "t_s,force_n\n0,1\n# x: y\n\n0.1,oops\n"))
    assert "line 5" in msg and "'oops'" in msg


def test_empty_cell(tmp_path: Path) -> None:
    msg = error_of(write(tmp_path, "t_s,force_n\n0,1\n0.1,\n"))
    assert "line 3" in msg and "empty" in msg


def test_short_row(tmp_path: Path) -> None:
    msg = error_of(write(tmp_path, "t_s,force_n\n0,1\n0.1\n"))
    assert "line 3" in msg and "1 cell" in msg


def test_decimal_commas_mixed_with_points(tmp_path: Path) -> None:
    # Decimal commas are read (tests/test_readers.py); a file mixing both marks is ambiguous.
    msg = error_of(write(tmp_path, "t_s;force_n\n0;1,5\n0,1;2.5\n"))
    assert "line 3" in msg and "'2.5'" in msg and "one decimal mark" in msg


def test_time_going_backwards_names_line(tmp_path: Path) -> None:
    msg = error_of(write(tmp_path, "t_s,force_n\n0,1\n0.2,1\n0.1,1\n0.3,1\n"))
    assert "backwards" in msg and "line 4" in msg and "sort" in msg


def test_time_going_backwards_after_comments(tmp_path: Path) -> None:
    msg = error_of(write(tmp_path, "# a: b\nt_s,force_n\n0,1\n# c: d\n0.2,1\n0.1,1\n"))
    assert "line 6" in msg


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf"])
def test_non_finite_values(tmp_path: Path, bad: str) -> None:
    msg = error_of(write(tmp_path, f"t_s,force_n\n0,1\n0.1,{bad}\n0.2,1\n"))
    assert "line 3" in msg and "finite" in msg
    # The value as the user wrote it, not numpy's repr of it (np.float64(inf)).
    assert f"is {bad}, not a finite number" in msg and "np." not in msg


def test_non_finite_time(tmp_path: Path) -> None:
    msg = error_of(write(tmp_path, "t_s,force_n\n0,1\nnan,1\n"))
    assert "t_s" in msg and "finite" in msg


@pytest.mark.parametrize("rows", ["", "0,1\n"])
def test_too_few_samples(tmp_path: Path, rows: str) -> None:
    msg = error_of(write(tmp_path, "t_s,force_n\n" + rows))
    assert "at least 2" in msg


def test_unknown_unit_lists_valid_ones(tmp_path: Path) -> None:
    msg = error_of(write(tmp_path, "t_s,force_n\n0,1\n1,1\n"), unit="stone")
    assert "'stone'" in msg
    for name in ("N", "kg", "g", "lb", "lbf", "kgf", "lbs"):
        assert name in msg


def test_recording_error_is_a_value_error_with_path_and_line(tmp_path: Path) -> None:
    p = write(tmp_path, "t_s,force_n\n0,1\n0.1,x\n")
    with pytest.raises(ValueError) as info:
        read_recording(p)
    assert isinstance(info.value, RecordingError)
    assert info.value.path == p and info.value.line == 3
