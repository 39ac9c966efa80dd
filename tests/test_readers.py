"""Reading recordings fast and exactly, and other apps' exports: the compiled scanner against numpy's
reader, decimal commas, Tindeq Progressor exports and Grip-Connect CSV/JSON.

Every fixture is a real file written into tmp_path; the numpy path is chosen by switching the module's
scanner off (``csvtable.SCANNER = None``), the same switch ``NMT_PRESSURE_PUREPYTHON=1`` flips.
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nmt_pressure.core.detector import analyze, estimate_sample_rate
from nmt_pressure.io import csvtable, formats
from nmt_pressure.io.recording import Recording, RecordingError, RecordingWriter, read_recording

REALDATA = Path("/work/shared/realdata/ot_grip_9x9s_10hz.csv")
KG = 9.80665
LB = 4.4482216152605
COMPILED = csvtable.SCANNER

needs_scanner = pytest.mark.skipif(COMPILED is None, reason="the compiled CSV scanner is not built")


def write(tmp_path: Path, text: str | bytes, name: str = "rec.csv") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    return p


def error_of(path: Path, **kw: str) -> str:
    with pytest.raises(RecordingError) as info:
        read_recording(path, **kw)
    msg = str(info.value)
    assert "\n" not in msg, "errors are one line"
    assert path.name in msg, "errors name the file"
    return msg


def read_with(path: Path, scanner: object, **kw: str) -> Recording | str:
    """The recording, or the error message, read with the given scanner (None: numpy's reader)."""
    saved = csvtable.SCANNER
    csvtable.SCANNER = scanner
    try:
        return read_recording(path, **kw)
    except RecordingError as exc:
        return str(exc)
    finally:
        csvtable.SCANNER = saved


def bits(a: np.ndarray) -> list[int]:
    return np.ascontiguousarray(a, dtype=np.float64).view(np.int64).tolist()


@pytest.fixture(params=["scanner", "numpy"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs a test with the compiled scanner and again with numpy's reader."""
    if request.param == "numpy":
        monkeypatch.setattr(csvtable, "SCANNER", None)
    elif COMPILED is None:
        pytest.skip("the compiled CSV scanner is not built")
    return str(request.param)


# --------------------------------------------------------------------------------------------------
# numbers: bit-identical to float()
# --------------------------------------------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=2, max_size=40),
       st.lists(st.floats(min_value=-1e12, max_value=1e12), min_size=2, max_size=40))
def test_repr_round_trips_bit_identical(tmp_path_factory: pytest.TempPathFactory, force: list[float],
                                        times: list[float]) -> None:
    # A live recording writes time and force with %r: reading them back must give the same doubles.
    n = min(len(force), len(times))
    t, f = np.sort(np.array(times[:n])), np.array(force[:n])
    p = tmp_path_factory.mktemp("rt") / "live.csv"
    with open(p, "w", encoding="utf-8", newline="\n") as fh, \
            RecordingWriter(fh, {"rate_hz": 1000}, ("raw",), exact=True) as w:
        w.append(t, f, {"raw": np.arange(n)})
    for scanner in (COMPILED, None):
        rec = read_with(p, scanner)
        assert isinstance(rec, Recording), rec
        assert bits(rec.t) == bits(t) and bits(rec.force_n) == bits(f)


@needs_scanner
@settings(max_examples=2000, deadline=None)
@given(st.from_regex(r"[+-]?[0-9]{0,24}(\.[0-9]{0,24})?([eE][+-]?[0-9]{1,3})?", fullmatch=True)
       .filter(lambda s: any(c.isdigit() for c in s.split("e")[0].split("E")[0])))
def test_scanner_numbers_equal_float(text: str) -> None:
    assert struct.pack("<d", COMPILED.parse_double(text.encode())) == struct.pack("<d", float(text))


@needs_scanner
def test_scanner_numbers_on_hard_cases() -> None:
    # Ties and near-ties between doubles, 17-19 digit mantissas, leading zeros, range ends.
    cases = ["9007199254740993", "9007199254740995", "18014398509481993", "9223372036854775807",
             "9999999999999999999", "1.00000000000000011102230246251565", "0.1", "0.3", "2.5e-22",
             "4.9406564584124654e-324", "2.2250738585072011e-308", "1.7976931348623157e+308",
             "0.000000000000000000000000012345678901234567", "123456789012345678901234", "1e23",
             "8.98846567431158e307", "7.3177701707893310e+15", "1234.5680000000002", "-0.0",
             "20.137792779273823", "1e-22", "1e22", "4503599627370497.5", "2.4703282292062328e-324"]
    rng = np.random.default_rng(7)
    cases += [repr(v) for v in (rng.standard_normal(20000) * 10.0 ** rng.integers(-25, 25, 20000)).tolist()]
    for text in cases:
        assert struct.pack("<d", COMPILED.parse_double(text.encode())) == struct.pack("<d", float(text)), text


@needs_scanner
def test_scanner_reads_decimal_commas_only_when_asked() -> None:
    assert COMPILED.parse_double(b"0,125", True) == 0.125
    with pytest.raises(ValueError):
        COMPILED.parse_double(b"0,125")
    for text in (b"nan", b"inf", b"1_0", b"0x10", b"1e", b".", b"-", b"1.5 "):
        with pytest.raises(ValueError):
            COMPILED.parse_double(text)


# --------------------------------------------------------------------------------------------------
# random files: the scanner and numpy's reader agree, on values and on errors
# --------------------------------------------------------------------------------------------------

@dataclass
class Table:
    data: bytes
    t: list[float]
    f: list[float]
    lines: list[int]  # file line of each data row
    decimal_comma: bool
    delimiter: str
    time_cell: int  # index of t_s among a row's cells


def number_text(v: float, style: int) -> str:
    if style == 0:
        return repr(v)
    if style == 1:
        return f"{v:.6f}"
    if style == 2:
        return f"{v:.3e}"
    return str(round(v))


@st.composite
def tables(draw: st.DrawFn) -> Table:
    delimiter = draw(st.sampled_from([",", ";", "\t", " "]))
    comma = delimiter != "," and draw(st.booleans())
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    sep = "  " if delimiter == " " else delimiter
    quoting = delimiter != " " and draw(st.booleans())
    extra_before = draw(st.booleans())
    n = draw(st.integers(2, 25))
    t = sorted(draw(st.lists(st.floats(-1e6, 1e6), min_size=n, max_size=n)))
    f = draw(st.lists(st.floats(-1e9, 1e9), min_size=n, max_size=n))
    header = ["t_s", "force_n", "raw"]
    if extra_before:
        header = ["label", *header]
    out = [draw(st.sampled_from(["", "\ufeff"])) + "# nmt_pressure recording", "# device: cell 7"]
    out.append(sep.join(f'"{h}"' if quoting else h for h in header))
    lines, values_t, values_f = [], [], []
    for i in range(n):
        for _ in range(draw(st.integers(0, 2))):
            out.append(draw(st.sampled_from(["", "   ", "\t", "# a comment", "# note: x", "  # k: v"])))
        cells = [number_text(t[i], draw(st.integers(0, 3))), number_text(f[i], draw(st.integers(0, 3)))]
        if values_t and float(cells[0]) < values_t[-1]:  # rounding must not send time backwards
            cells[0] = repr(values_t[-1])
        values_t.append(float(cells[0]))
        values_f.append(float(cells[1]))
        if comma:
            cells = [c.replace(".", ",") for c in cells]
        if quoting and draw(st.booleans()):
            cells = [f'"{c}"' for c in cells]
        if delimiter != " " and draw(st.booleans()):
            cells = [f" {c} " for c in cells]
        row = [*cells, str(i)]
        if extra_before:
            label = draw(st.sampled_from(["rest", "x y" if delimiter != " " else "x_y",
                                          '"hold, firm"' if delimiter == "," else "a"]))
            row = [label, *row]
        if delimiter != " " and draw(st.booleans()):
            row += ["", ""]  # trailing empty cells
        text = sep.join(row)
        if draw(st.booleans()):
            text += " # trailing comment"
        out.append(text)
        lines.append(len(out))
    data = eol.join(out) + draw(st.sampled_from(["", eol, eol + eol]))
    return Table(data.encode(), values_t, values_f, lines, comma, delimiter, int(extra_before))


@needs_scanner
@settings(max_examples=300, deadline=None)
@given(tables())
def test_scanner_and_numpy_read_random_files_alike(tmp_path_factory: pytest.TempPathFactory,
                                                    table: Table) -> None:
    p = tmp_path_factory.mktemp("tab") / "rec.csv"
    p.write_bytes(table.data)
    fast, slow = read_with(p, COMPILED), read_with(p, None)
    # Our writer ends every row: a last row without a line end is one still being written.
    n = len(table.t) - (not table.data.endswith((b"\n", b"\r")))
    if n < 2:
        assert fast == slow and "has 1 row" in str(fast)
        return
    assert isinstance(fast, Recording), fast
    assert isinstance(slow, Recording), slow
    assert bits(fast.t) == bits(slow.t) == bits(np.array(table.t[:n]))
    assert bits(fast.force_n) == bits(slow.force_n) == bits(np.array(table.f[:n]))
    assert fast.metadata == slow.metadata and fast.metadata["device"] == "cell 7"
    assert ("partial_last_line" in fast.metadata) == (n < len(table.t))
    assert fast.format == "nmt_pressure"


BAD_CELLS = ["abc", "", "1.2.3", "1_000", "--1", "nan", "1e", "0x1A", "½"]


@needs_scanner
@settings(max_examples=300, deadline=None)
@given(tables(), st.data())
def test_scanner_and_numpy_name_the_same_line(tmp_path_factory: pytest.TempPathFactory, table: Table,
                                              data: st.DataObject) -> None:
    eol = b"\r\n" if b"\r\n" in table.data else (b"\n" if b"\n" in table.data else b"\r")
    rows = table.data.split(eol)
    row = data.draw(st.integers(0, len(table.lines) - 1))
    index = table.lines[row] - 1
    sep = (" " if table.delimiter == " " else table.delimiter).encode()
    kind = data.draw(st.sampled_from(["cell", "short", "backwards", "mark"]))
    if kind == "cell":
        cells = rows[index].split(b"#")[0].replace(b'"hold, firm"', b"rest").split(sep)
        bad = data.draw(st.sampled_from(BAD_CELLS)).encode()
        cells[table.time_cell] = bad
        rows[index] = sep.join(cells) if table.delimiter != " " else b"x " + bad + b" 1"
    elif kind == "short":
        rows[index] = b"1"
    elif kind == "backwards":
        rows[index] = sep.join([b"-1e9", b"1", b"0"])
    else:  # the other decimal mark, or a comma where the delimiter is a comma (not a number)
        rows[index] = sep.join([b"0.5" if table.decimal_comma else b"0,5", b"1", b"0"])
    p = tmp_path_factory.mktemp("bad") / "rec.csv"
    p.write_bytes(eol.join(rows))
    fast, slow = read_with(p, COMPILED), read_with(p, None)
    assert fast == slow if isinstance(fast, str) else (isinstance(slow, Recording) and
                                                         bits(fast.t) == bits(slow.t) and
                                                         bits(fast.force_n) == bits(slow.force_n))
    # A last row with no line end after it is one our writer has not finished: left out, no error.
    unended = row == len(table.lines) - 1 and not table.data.endswith((b"\n", b"\r"))
    if kind in ("cell", "short") and not unended:  # a wrong decimal mark shows where the other one is used
        assert isinstance(fast, str) and re.search(rf"line {table.lines[row]}\b", fast), fast


def test_errors_name_the_line_far_into_a_big_file(tmp_path: Path, reader: str) -> None:
    t = np.arange(200_000) * 0.001
    body = "\n".join(f"{a!r},{b!r}" for a, b in zip(t.tolist(), np.sin(t).tolist(), strict=True))
    p = write(tmp_path, "# a: b\n\nt_s,force_n\n" + body + "\n0.5,1\n")
    msg = error_of(p)
    assert "line 200004 (data row 200001)" in msg and "backwards" in msg
    q = write(tmp_path, "t_s,force_n\n" + body + "\n1e9,oops\n", "q.csv")
    assert "line 200002 (data row 200001)" in error_of(q)


def test_output_grows_past_a_short_estimate(tmp_path: Path, reader: str) -> None:
    # Long rows first make the reader expect few rows; many short rows follow.
    long_rows = "".join(f"{i},1,{'x' * 2000}\n" for i in range(40))
    short_rows = "".join(f"{i + 40},{i % 7}\n" for i in range(60_000))
    rec = read_recording(write(tmp_path, "t_s,force_n,note\n" + long_rows + short_rows))
    assert len(rec) == 60_040 and rec.t[-1] == 60_039.0 and rec.force_n[-1] == 59_999 % 7


def test_layouts_read_as_before(tmp_path: Path, reader: str) -> None:
    text = ('\ufeff# nmt_pressure recording\r\n# device: a\r\n"t_s","force_n","raw",\r\n'
            '"0.000","1.5","7",,\r\n   \r\n\t\r\n# marker: lift\r\n0.001 , 2.5 ,8,extra,cells\r\n'
            '0.002,3.5,9 # note\r\n')
    rec = read_recording(write(tmp_path, text))
    assert rec.t.tolist() == [0.0, 0.001, 0.002] and rec.force_n.tolist() == [1.5, 2.5, 3.5]
    assert rec.metadata == {"device": "a", "marker": "lift"} and rec.format == "nmt_pressure"
    assert rec.columns == ["t_s", "force_n", "raw", ""]


def test_lone_carriage_returns_end_lines(tmp_path: Path, reader: str) -> None:
    rec = read_recording(write(tmp_path, "t_s,force_n\r0,1\r\r0.5,2\r"))
    assert rec.force_n.tolist() == [1.0, 2.0]
    assert "line 4" in error_of(write(tmp_path, "t_s,force_n\r0,1\r\rx,2\r", "b.csv"))


def test_nan_and_inf_are_read_then_refused(tmp_path: Path, reader: str) -> None:
    assert "line 3" in error_of(write(tmp_path, "t_s,force_n\n0,1\n0.1,1e999\n"))
    assert "line 2" in error_of(write(tmp_path, "t_s,force_n\n0,-Infinity\n0.1,1\n", "b.csv"))


# --------------------------------------------------------------------------------------------------
# semicolons, tabs and decimal commas
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sep", [";", "\t", " "])
def test_decimal_commas_need_no_flags(tmp_path: Path, reader: str, sep: str) -> None:
    text = f"t_s{sep}force_n\r\n0{sep}12,5\r\n0,125{sep}-1,5e-1\r\n0,25{sep}3\r\n"
    rec = read_recording(write(tmp_path, text))
    assert rec.t.tolist() == [0.0, 0.125, 0.25]
    assert rec.force_n.tolist() == [12.5, -0.15, 3.0]


def test_european_spreadsheet_export(tmp_path: Path, reader: str) -> None:
    text = '"Zeit (s)";"Kraft (kg)";"Kommentar"\n"0,000";"1,250";"Start; ruhig"\n"0,010";"1,375";""\n'
    p = tmp_path / "de.csv"
    p.write_bytes(text.encode("latin-1"))
    rec = read_recording(p, time_col="Zeit (s)", force_col="Kraft (kg)", unit="kg")
    np.testing.assert_allclose(rec.force_n, [1.25 * KG, 1.375 * KG], rtol=1e-15)
    assert rec.t.tolist() == [0.0, 0.01] and rec.format == "csv"


def test_points_after_commas_is_an_error(tmp_path: Path, reader: str) -> None:
    msg = error_of(write(tmp_path, "t_s;force_n\n0;1,5\n0,1;2,5\n# x\n0.2;3\n"))
    assert "line 5" in msg and "'0.2'" in msg and "one decimal mark" in msg


def test_commas_after_points_is_an_error(tmp_path: Path, reader: str) -> None:
    msg = error_of(write(tmp_path, "t_s\tforce_n\n0\t1.5\n0.1\t2\n0,2\t3\n"))
    assert "line 4" in msg and "'0,2'" in msg and "one decimal mark" in msg


def test_thousands_separators_are_an_error(tmp_path: Path, reader: str) -> None:
    msg = error_of(write(tmp_path, "t_s;force_n\n0;1\n1;1.234,5\n"))
    assert "line 3" in msg and "thousands" in msg


def test_decimal_comma_in_a_comma_separated_file_is_no_number(tmp_path: Path, reader: str) -> None:
    msg = error_of(write(tmp_path, 't_s,force_n\n0,1\n1,"2,5"\n'))
    assert "line 3" in msg and "'2,5'" in msg and "not a number" in msg


# --------------------------------------------------------------------------------------------------
# Tindeq Progressor app
# --------------------------------------------------------------------------------------------------

TINDEQ_RFD = ("date,tag,comment,unit,intervalTime (ms),IntervalThreshold,rfdInterval,rfd2080\n"
              "2023-24-05 19:31:30,10000001,,SI,100,0.5000000,-1.5650044,8.8909982\n"
              "\n"
              "time,weight\n"
              "0.054285,0.6558792114257814\n"
              "0.06568,0.5818464279174806\n"
              "0.077071,0.7021440505981445\n")

TINDEQ_ENDURANCE = ('date,tag,comment,unit,max,avg,duration,mvc,"Target Zone, lower(% of mvc)",'
                    '"Target Zone, upper (% of mvc)"\n'
                    "2023-30-04 18:48:28,10000001_balanza,,SI,29.8711592,25.7946183,30,-,-,-\n"
                    ",,,,,,,,,\n"
                    "time,weight,,,,,,,,\n"
                    "0,75,,,,,,,,\n"
                    "0.011406,75,,,,,,,,\n"
                    "0.022812,74.5,,,,,,,,\n")


def test_tindeq_export_with_summary(tmp_path: Path, reader: str) -> None:
    p = write(tmp_path, ("\ufeff" + TINDEQ_RFD).replace("\n", "\r\n").encode())
    rec = read_recording(p)
    assert (rec.format, rec.unit, rec.time_col, rec.force_col) == ("tindeq", "kg", "time", "weight")
    assert rec.t.tolist() == [0.054285, 0.06568, 0.077071]
    np.testing.assert_allclose(rec.force_n, np.array([0.6558792114257814, 0.5818464279174806,
                                                      0.7021440505981445]) * KG, rtol=1e-15)
    assert rec.metadata["recorded_at"] == "2023-05-24T19:31:30"  # YEAR-DAY-MONTH
    assert rec.metadata["tindeq.date"] == "2023-24-05 19:31:30"
    assert rec.metadata["tindeq.tag"] == "10000001"
    assert rec.metadata["tindeq.intervalTime (ms)"] == "100"
    assert rec.metadata["tindeq.unit"] == "SI"
    assert "tindeq.comment" not in rec.metadata  # empty fields are left out
    assert rec.columns == ["time", "weight"]


def test_tindeq_endurance_export_with_trailing_commas(tmp_path: Path, reader: str) -> None:
    rec = read_recording(write(tmp_path, TINDEQ_ENDURANCE))
    assert rec.format == "tindeq" and rec.columns == ["time", "weight"]
    assert rec.metadata["recorded_at"] == "2023-04-30T18:48:28"
    assert rec.metadata["tindeq.Target Zone, lower(% of mvc)"] == "-"
    assert rec.metadata["tindeq.max"] == "29.8711592"
    np.testing.assert_allclose(rec.force_n, [75 * KG, 75 * KG, 74.5 * KG], rtol=1e-15)


@pytest.mark.parametrize(("unit_field", "factor", "name"),
                         [("SI", KG, "kg"), ("US", LB, "lb"), ("imperial", LB, "lb"), ("lbs", LB, "lb"),
                          ("", KG, "kg")])
def test_tindeq_units(tmp_path: Path, unit_field: str, factor: float, name: str) -> None:
    rec = read_recording(write(tmp_path, TINDEQ_RFD.replace(",SI,", f",{unit_field},")))
    assert rec.unit == name
    np.testing.assert_allclose(rec.force_n[0], 0.6558792114257814 * factor, rtol=1e-15)


def test_tindeq_unit_flag_overrides(tmp_path: Path) -> None:
    rec = read_recording(write(tmp_path, TINDEQ_RFD), unit="N")
    assert rec.unit == "N" and rec.force_n[0] == 0.6558792114257814
    p = write(tmp_path, TINDEQ_RFD.replace(",SI,", ",stone,"), "stone.csv")
    assert "'stone'" in error_of(p) and "--unit" in error_of(p)
    assert read_recording(p, unit="lb").unit == "lb"


def test_tindeq_impossible_date_is_kept_as_text(tmp_path: Path) -> None:
    rec = read_recording(write(tmp_path, TINDEQ_RFD.replace("2023-24-05", "2023-05-24")))
    assert rec.metadata["tindeq.date"] == "2023-05-24 19:31:30" and "recorded_at" not in rec.metadata


@pytest.mark.parametrize(("text", "iso"), [
    ("2023-24-05 19:31:30", "2023-05-24T19:31:30"),
    ("2023-01-02 00:00:05", "2023-02-01T00:00:05"),  # 1 February, not 2 January
    ("2024-29-02", "2024-02-29"),
    ("2023-29-02 10:00", None),  # no 29 February in 2023
    ("2023-32-01 10:00:00", None),  # day 32
    ("2023-12-13 10:00:00", None),  # month 13
    ("2023-05-24 19:31:30", None),  # month 24: a YEAR-MONTH-DAY date is not taken for one
    ("yesterday", None),
])
def test_year_day_month(text: str, iso: str | None) -> None:
    assert formats.year_day_month(text) == iso


def test_plain_time_weight_is_tindeq_in_kilograms(tmp_path: Path, reader: str) -> None:
    rec = read_recording(write(tmp_path, "time,weight\n26.466,10.8\n26.514,15.7\n"))
    assert (rec.format, rec.unit, rec.time_col, rec.force_col) == ("tindeq", "kg", "time", "weight")
    np.testing.assert_allclose(rec.force_n, [10.8 * KG, 15.7 * KG], rtol=1e-15)
    flagged = read_recording(write(tmp_path, "time,weight\n0,1\n1,2\n", "n.csv"), unit="N")
    assert flagged.force_n.tolist() == [1.0, 2.0]


def test_tindeq_summary_without_data_is_an_error(tmp_path: Path) -> None:
    msg = error_of(write(tmp_path, TINDEQ_RFD.split("time,weight")[0]))
    assert "time,weight" in msg
    msg = error_of(write(tmp_path, TINDEQ_RFD.replace("time,weight", "t,w"), "b.csv"))
    assert "line 4" in msg and "time,weight" in msg


TINDEQ_DATA = "time,weight\n0.054285,0.6558792114257814\n0.06568,0.5818464279174806\n"
# What the app writes above the data in other tests: a critical-force test's median values and threshold
# crossings (blocks of their own under the summary), a repeaters set's or a partial export's rep summary.
TINDEQ_CF = ("date,tag,comment,unit,critical force,reps,Rest time,Work time\n"
             "2026-29-07 09:35:19,endurance test ,,US,10.3,24,3,7\n\n"
             "median values\n10.29\n10.39\n\n"
             "threshold time,threshold weight\n0.110805,3.07\n7.703949,2.99\n\n" + TINDEQ_DATA)
TINDEQ_REPS = ",Avg,Rep 1\nAvg,1.8,1.8\nPeak,3.0,3.0\n,\n" + TINDEQ_DATA
TINDEQ_OVERALL = ",Overall Avg\nAvg,0.0\nPeak,0.0\n,\n" + TINDEQ_DATA


@pytest.mark.parametrize(("text", "unit", "factor"), [(TINDEQ_CF, "lb", LB), (TINDEQ_REPS, "kg", KG),
                                                      (TINDEQ_OVERALL, "kg", KG)])
def test_tindeq_blocks_above_the_data_are_passed_over(tmp_path: Path, reader: str, text: str, unit: str,
                                                      factor: float) -> None:
    rec = read_recording(write(tmp_path, text.replace("\n", "\r\n")))
    assert (rec.format, rec.unit, rec.columns) == ("tindeq", unit, ["time", "weight"])
    assert rec.t.tolist() == [0.054285, 0.06568]  # the threshold crossings are not data
    np.testing.assert_allclose(rec.force_n, np.array([0.6558792114257814, 0.5818464279174806]) * factor,
                               rtol=1e-15)
    assert (rec.metadata.get("tindeq.unit"), rec.metadata.get("recorded_at")) == (
        ("US", "2026-07-29T09:35:19") if text is TINDEQ_CF else (None, None))


@pytest.mark.parametrize(("text", "line"), [
    (TINDEQ_RFD.replace("time,weight\n", ""), 4),  # data right below the summary: its header is gone
    (TINDEQ_CF.replace("time,weight\n", ""), 4),  # no header after the blocks: named where they begin
    (TINDEQ_REPS.replace("time,weight\n", ""), 5),  # data right below a rep summary
])
def test_a_tindeq_export_without_its_data_header_is_an_error_naming_the_line(
        tmp_path: Path, text: str, line: int) -> None:
    msg = error_of(write(tmp_path, text))
    assert f"line {line} should be the 'time,weight' header" in msg and "restore that header row" in msg


@pytest.mark.skipif(not REALDATA.exists(), reason="the shared real-data file is not here")
def test_real_tindeq_grip_recording_needs_no_flags(reader: str) -> None:
    rec = read_recording(REALDATA)
    assert (rec.format, rec.unit) == ("tindeq", "kg")
    assert estimate_sample_rate(rec.t) == pytest.approx(10.3, abs=0.1)
    assert rec.force_n.max() == pytest.approx(36.8 * KG, abs=0.5 * KG)
    assert len(analyze(rec.t, rec.force_n).holds) == 9
    flagged = read_recording(REALDATA, time_col="time", force_col="weight", unit="kg")
    assert bits(flagged.force_n) == bits(rec.force_n)


# --------------------------------------------------------------------------------------------------
# Grip-Connect
# --------------------------------------------------------------------------------------------------

T0_MS = 1_714_000_000_000  # 2024-04-24T23:06:40Z


def progressor_packets(n_packets: int = 40, per_packet: int = 4) -> Iterator[dict[str, object]]:
    """Tindeq Progressor through Grip-Connect: 80 Hz, a µs device clock, packets of 4 samples."""
    k = 0
    for j in range(n_packets):
        received = T0_MS + 50 * (j + 1)
        for _ in range(per_packet):
            mass = 20.0 + 0.5 * np.sin(k / 10.0)
            yield {"received": received, "sampleNum": 1_000_000 + 12_500 * k, "battRaw": 0,
                   "samples": [mass], "masses": [mass]}
            k += 1


def gc_csv(packets: list[dict[str, object]]) -> str:
    def row(p: dict[str, object]) -> str:
        cells = [p["received"], p["sampleNum"], p["battRaw"], *p["samples"], *p["masses"]]  # type: ignore[misc]
        return ",".join(f'"{c}"' for c in cells)
    return "\r\n".join(row(p) for p in packets)  # what download("csv") writes: no final line end


def test_grip_connect_csv_progressor(tmp_path: Path, reader: str) -> None:
    packets = list(progressor_packets())
    rec = read_recording(write(tmp_path, gc_csv(packets), "data-export-2024-04-25-01-06-40.csv"))
    assert (rec.format, rec.unit, rec.time_col) == ("grip-connect-csv", "kg", "sampleNum")
    np.testing.assert_allclose(rec.t, [p["sampleNum"] / 1e6 for p in packets], rtol=0, atol=1e-12)
    np.testing.assert_allclose(rec.force_n, [p["masses"][0] * KG for p in packets], rtol=1e-15)
    assert rec.metadata["recorded_at"] == "2024-04-24T23:06:40.050+00:00"
    assert rec.metadata["grip_connect.zones"] == "1"
    assert estimate_sample_rate(rec.t) == pytest.approx(80.0)


def test_grip_connect_detected_by_content_not_name(tmp_path: Path) -> None:
    rec = read_recording(write(tmp_path, gc_csv(list(progressor_packets())), "session.txt"))
    assert rec.format == "grip-connect-csv"


def test_grip_connect_csv_motherboard_sums_zones_and_spreads_packets(tmp_path: Path, reader: str) -> None:
    # Three zones; the counter in sampleNum is no clock, so the arrival times (ms, repeated for the
    # samples of one packet) are the time base.
    rows = []
    for j in range(30):
        for i in range(3):
            k = 3 * j + i
            rows.append({"received": T0_MS + 30 * j, "sampleNum": 3600, "battRaw": T0_MS,
                         "samples": [100 + k, 200 + k, 300 + k], "masses": [1.0 + k, 2.0, -0.5]})
    rec = read_recording(write(tmp_path, gc_csv(rows)))
    assert (rec.format, rec.time_col) == ("grip-connect-csv", "received")
    np.testing.assert_allclose(rec.force_n, [(2.5 + k) * KG for k in range(90)], rtol=1e-14)
    assert np.all(np.diff(rec.t) > 0) and rec.t[0] == 0.0
    np.testing.assert_allclose(np.diff(rec.t), 0.010, atol=1e-9)  # 30 ms packets of 3 samples
    assert rec.metadata["recorded_at"] == "2024-04-24T23:06:39.980+00:00"  # the first sample's time
    assert rec.metadata["grip_connect.zones"] == "3"


def test_grip_connect_device_clock_wraps(tmp_path: Path) -> None:
    packets = list(progressor_packets(8, 1))
    for i, p in enumerate(packets):  # a signed 32-bit µs counter crossing its wrap
        p["sampleNum"] = (2**31 - 30_000 + 12_500 * i + 2**31) % 2**32 - 2**31
    rec = read_recording(write(tmp_path, gc_csv(packets)))
    assert rec.time_col == "sampleNum"
    np.testing.assert_allclose(np.diff(rec.t), 0.0125, atol=1e-9)


def test_grip_connect_json_packets(tmp_path: Path, reader: str) -> None:
    packets = list(progressor_packets())
    rec = read_recording(write(tmp_path, json.dumps(packets, indent=2), "data-export.json"))
    csv_rec = read_recording(write(tmp_path, gc_csv(packets), "same.csv"))
    assert (rec.format, rec.time_col, rec.force_col) == ("grip-connect-json", "sampleNum", "masses")
    assert bits(rec.t) == bits(csv_rec.t) and bits(rec.force_n) == bits(csv_rec.force_n)
    assert rec.metadata == csv_rec.metadata


def test_grip_connect_json_measurements_in_pounds(tmp_path: Path) -> None:
    items = [{"current": 10.0 + k, "peak": 20.0, "mean": 12.0, "unit": "lbs",
              "timestamp": T0_MS + 40 * (k // 4 + 1), "samplingRateHz": 100, "samples": [1234 + k],
              "battRaw": 3900} for k in range(40)]
    rec = read_recording(write(tmp_path, json.dumps(items), "m.json"))
    assert (rec.format, rec.unit, rec.force_col) == ("grip-connect-json", "lb", "current")
    np.testing.assert_allclose(rec.force_n, [(10.0 + k) * LB for k in range(40)], rtol=1e-15)
    np.testing.assert_allclose(np.diff(rec.t), 0.010, atol=1e-9)  # spread at 1/samplingRateHz
    assert rec.metadata["sampling_rate_hz"] == "100" and rec.metadata["grip_connect.unit"] == "lbs"
    assert read_recording(write(tmp_path, json.dumps(items), "n.json"), unit="kg").unit == "kg"


@pytest.mark.parametrize("text", ['{"received": 1}', "[1, 2, 3]", '[{"time": 0, "force": 1}]', "[]",
                                  '[{"a": 1}]'])
def test_json_that_is_not_grip_connect(tmp_path: Path, text: str) -> None:
    msg = error_of(write(tmp_path, text, "x.json"))
    assert "Grip-Connect" in msg or "at least 2" in msg


def test_bracketed_csv_header_is_no_json(tmp_path: Path) -> None:
    rec = read_recording(write(tmp_path, "[s],[N]\n0,1\n1,2\n"), time_col="[s]", force_col="[N]")
    assert rec.format == "csv" and rec.force_n.tolist() == [1.0, 2.0]


def test_broken_json_names_the_line(tmp_path: Path) -> None:
    msg = error_of(write(tmp_path, '[\n  {"received": 1714000000000,\n  "masses": [1.0]\n', "x.json"))
    assert "not valid JSON" in msg and "line" in msg


def test_grip_connect_json_bad_item(tmp_path: Path) -> None:
    packets = list(progressor_packets(3, 1))
    packets[1]["masses"] = [1.0, 2.0]
    assert "item 2" in error_of(write(tmp_path, json.dumps(packets), "x.json"))
    packets[1]["masses"] = [1.0]
    packets[2]["received"] = "soon"
    assert "item 3" in error_of(write(tmp_path, json.dumps(packets), "y.json"))


def test_grip_connect_csv_bad_row_names_the_line(tmp_path: Path, reader: str) -> None:
    rows = gc_csv(list(progressor_packets(3, 2))).split("\r\n")
    rows[2] = rows[2].rsplit(",", 1)[0] + ',"x"'
    msg = error_of(write(tmp_path, "\r\n".join(rows)))
    assert "line 3 (data row 3)" in msg and "'mass1'" in msg and "'x'" in msg


def test_grip_connect_has_no_column_names_to_choose(tmp_path: Path) -> None:
    msg = error_of(write(tmp_path, gc_csv(list(progressor_packets()))), time_col="time")
    assert "--time-col" in msg


def test_spread_repeats_keeps_arrival_and_order() -> None:
    t = np.array([0.0, 0.0, 0.0, 0.03, 0.03, 0.03, 0.06, 0.06, 0.06, 5.0, 5.0])
    out = formats.spread_repeats(t)
    np.testing.assert_allclose(out[:9], np.arange(9) * 0.01 - 0.02, atol=1e-12)
    assert out[-1] == 5.0 and out[-2] == pytest.approx(4.99)  # a gap does not stretch a packet
    assert np.all(np.diff(out) > 0)
    assert formats.spread_repeats(np.array([1.0, 2.0, 3.0])).tolist() == [1.0, 2.0, 3.0]
