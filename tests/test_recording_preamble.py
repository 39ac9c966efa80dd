"""Tables below a preamble, and time columns of date-times: what a lab script writes for a hand
dynamometer (a participant's details, a blank line, then ``Force,Timestamp`` rows stamped with the
computer's clock) reads with ``--time-col Timestamp --force-col Force``, keeping none of the preamble."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from nmt_pressure.cli import main as cli
from nmt_pressure.io import csvtable, datetimes
from nmt_pressure.io.recording import RecordingError, read_other_columns, read_recording

#: The lab script's layout, to the byte: a preamble naming the participant, a blank line, the table.
PREAMBLE = """Participant Information
Name,Jane Doe
Age,
Sex,
Dominant Hand,
Date,2025-01-27_15h13.03.403

Force,Timestamp
"""
T0 = datetime(2025, 1, 27, 15, 13, 3, 983837)
LAB = {"time_col": "Timestamp", "force_col": "Force"}


def stamps(n: int, seed: int = 0, start: datetime = T0) -> list[datetime]:
    """~100 Hz wall-clock stamps with a few milliseconds of jitter, as a script's datetime.now()."""
    rng = np.random.default_rng(seed)
    return [start + timedelta(microseconds=10_000 * i + (int(rng.integers(0, 4000)) if i else 0))
            for i in range(n)]


def squeeze(n: int, seed: int = 0) -> np.ndarray:
    """At 100 Hz: 1 s at rest, a 1-s ramp to 50 N, 6 s held, a 0.5-s let-go, rest to the end."""
    rng = np.random.default_rng(seed + 1)
    i = np.arange(n)
    level = np.interp(i, [0, 100, 200, 800, 850, n], [0.2, 0.2, 50.0, 50.0, 0.2, 0.2])
    return level + rng.normal(0.0, 0.15, n)


def lab_file(tmp_path: Path, when: list[datetime], force: np.ndarray, *, name: str = "lab.csv",
             text: str = "") -> Path:
    rows = "".join(f"{float(f)!r},{w.isoformat(sep=' ')}\n" for f, w in zip(force, when, strict=True))
    p = tmp_path / name
    p.write_text(PREAMBLE + (text or rows))
    return p


def seconds(when: list[datetime]) -> np.ndarray:
    return np.array([(w - when[0]) / timedelta(seconds=1) for w in when])


def error_of(path: Path, **kw: str) -> str:
    with pytest.raises(RecordingError) as info:
        read_recording(path, **kw)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(str(path)) and msg.endswith("."), msg
    return msg


# --------------------------------------------------------------------------------------------------
# the lab script's file
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("scanner", ["compiled", "numpy"])
def test_the_lab_scripts_file_reads_with_its_column_names(tmp_path: Path, scanner: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    if scanner == "numpy":
        monkeypatch.setattr(csvtable, "SCANNER", None)
    when, force = stamps(1100), squeeze(1100)
    rec = read_recording(lab_file(tmp_path, when, force), **LAB)
    assert rec.t[0] == 0.0
    np.testing.assert_array_equal(rec.t, seconds(when))  # exact: whole microseconds, divided once
    np.testing.assert_array_equal(rec.force_n, force)
    assert rec.columns == ["Force", "Timestamp"] and (rec.time_col, rec.force_col) == ("Timestamp", "Force")
    assert (rec.time_unit, rec.time_unit_source) == ("s", "file")
    assert rec.time_note() == "s (date-times, counted from '2025-01-27T15:13:03.983837')"  # a report's header
    # Of the preamble only its length: the participant's name goes nowhere.
    assert rec.metadata == {"preamble_lines": "7", "time_origin": "2025-01-27T15:13:03.983837"}
    assert "Jane" not in repr(rec.metadata)


def test_column_names_match_ignoring_case_below_a_preamble(tmp_path: Path) -> None:
    when, force = stamps(50), squeeze(50)
    rec = read_recording(lab_file(tmp_path, when, force), time_col="timestamp", force_col="FORCE")
    np.testing.assert_array_equal(rec.t, seconds(when))
    assert (rec.time_col, rec.force_col) == ("Timestamp", "Force")


def test_analyze_finds_the_hold_in_a_lab_scripts_file(tmp_path: Path) -> None:
    when, force = stamps(1100, seed=3), squeeze(1100, seed=3)
    p = lab_file(tmp_path, when, force)
    proc = subprocess.run([sys.executable, "-m", "nmt_pressure", "analyze", str(p), "--time-col", "Timestamp",
                           "--force-col", "Force", "--json", "-"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert len(doc["holds"]) == 1
    hold = doc["holds"][0]
    assert hold["level"] == pytest.approx(50.0, abs=1.0) and hold["duration"] == pytest.approx(6.0, abs=1.0)
    assert 1.5 < hold["start"] < 3.5
    assert (doc["meta"]["time_unit"], doc["meta"]["time_unit_source"]) == ("s", "file")
    assert doc["meta"]["time_origin"] == when[0].isoformat()  # what the seconds count from
    assert doc["meta"]["sample_rate_hz"] == pytest.approx(100.0, rel=0.05)
    assert "Jane" not in proc.stdout + proc.stderr


def test_without_the_flags_the_error_names_the_table_below_the_preamble(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = lab_file(tmp_path, stamps(20), squeeze(20))
    msg = error_of(p)
    assert msg == (f"{p} has no time column 't_s' and no force column 'force_n' (its columns are "
                   "'Participant', 'Information'; a table at line 8 has columns 'Force', 'Timestamp'); "
                   "name them with --time-col NAME --force-col NAME.")
    assert cli.main(["analyze", str(p)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "a table at line 8" in err
    # Only one of the two named: the table below is named all the same.
    assert "a table at line 8 has columns 'Force', 'Timestamp'" in error_of(p, time_col="Timestamp")


def test_a_numeric_table_below_a_preamble_reads_with_no_flags(tmp_path: Path) -> None:
    t = np.arange(30) / 100.0
    f = np.linspace(0.0, 12.5, 30)
    p = tmp_path / "numeric.csv"
    rows = "".join(f"{float(a)!r},{float(b)!r}\n" for a, b in zip(t, f, strict=True))
    p.write_text("# exported: by a test\nSubject;Jane Doe\nRig;3\n\nt_s,force_n\n" + rows)
    rec = read_recording(p)
    np.testing.assert_array_equal(rec.t, t)
    np.testing.assert_array_equal(rec.force_n, f)
    assert (rec.time_unit, rec.time_unit_source) == ("s", "column")
    # The comment above the first line is metadata as in any file; the preamble's lines are not.
    assert rec.metadata == {"exported": "by a test", "preamble_lines": "3"}


# --------------------------------------------------------------------------------------------------
# date-times
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("cells", "offsets_s"), [
    (["2025-01-27T15:13:03.98Z", "2025-01-27T15:13:04.005Z", "2025-01-27T15:13:04.03Z"], [0, 0.025, 0.05]),
    (["2025-01-27T15:13:03+01:00", "2025-01-27T15:13:04+01:00", "2025-01-27T15:13:06+01:00"], [0, 1, 3]),
    (["2025-01-27 15:13:03.5-05:00", "2025-01-27 15:13:03.75-05:00", "2025-01-27 15:13:04-05:00"],
     [0, 0.25, 0.5]),
    (["2025-01-27T15:13:03", "2025-01-27T15:13:04", "2025-01-27T15:13:05"], [0, 1, 2]),
    (["2025-01-27 15:13:59.9", "2025-01-27 15:14:00.0", "2025-01-27 15:14:00.1"], [0, 0.1, 0.2]),
    # Midnight, and a clock moving to summer time: the time that passed, not the clock's reading.
    (["2025-01-27 23:59:59.95", "2025-01-28 00:00:00.05", "2025-01-28 00:00:00.15"], [0, 0.1, 0.2]),
    (["2025-03-30T01:59:59.9+01:00", "2025-03-30T03:00:00.0+02:00", "2025-03-30T03:00:00.1+02:00"],
     [0, 0.1, 0.2]),
])
def test_iso_date_times_in_their_forms(tmp_path: Path, cells: list[str], offsets_s: list[float]) -> None:
    p = tmp_path / "forms.csv"
    p.write_text("time,force\n" + "".join(f"{c},{i}.5\n" for i, c in enumerate(cells)))
    rec = read_recording(p, force_col="force", time_col="time")
    np.testing.assert_allclose(rec.t, offsets_s, atol=1e-9, rtol=0)
    np.testing.assert_array_equal(rec.force_n, [0.5, 1.5, 2.5])
    assert rec.metadata["time_origin"] == datetime.fromisoformat(cells[0]).isoformat()


def test_rows_stay_aligned_across_comments_blank_lines_and_quotes(tmp_path: Path) -> None:
    text = ('"Timestamp";"Trial";"Force"\n'
            '"2025-01-27T15:13:03.000";1;"0,5"\n'
            "\n# a note: between rows\n"
            "2025-01-27T15:13:03.010;1;1,5   # after a row\n"
            "   \n"
            "2025-01-27T15:13:03.030;2;2,5\n")
    p = tmp_path / "aligned.csv"
    p.write_text(text)
    rec = read_recording(p, time_col="Timestamp", force_col="Force")
    np.testing.assert_allclose(rec.t, [0.0, 0.01, 0.03], atol=1e-12, rtol=0)
    np.testing.assert_array_equal(rec.force_n, [0.5, 1.5, 2.5])
    assert rec.metadata["a note"] == "between rows"
    # The other columns are read again row for row with the date-times.
    others, skipped = read_other_columns(rec)
    np.testing.assert_array_equal(others["Trial"], [1, 1, 2])
    assert skipped == []


@pytest.mark.parametrize(("cell", "what"), [
    ("oops", "has 'oops', which is not a date-time like the first row's '2025-01-27 15:13:03.983837'"),
    ("2025-01-27 15:13:61", "has '2025-01-27 15:13:61', which is not a date-time like the first row's"),
    ("12.5", "has '12.5', which is not a date-time like the first row's"),
    ("", "is empty"),
    ("2025-01-27 15:13:04.1+00:00",
     "has '2025-01-27 15:13:04.1+00:00', which states a UTC offset where the rows before it state none; "
     "write every time with a UTC offset or every time without."),
])
def test_a_bad_date_time_mid_file_is_one_sentence_naming_its_line(tmp_path: Path, cell: str,
                                                                  what: str) -> None:
    when, force = stamps(20), squeeze(20)
    lines = [f"{float(f)!r},{w.isoformat(sep=' ')}" for f, w in zip(force, when, strict=True)]
    lines[11] = f"{float(force[11])!r},{cell}"
    p = lab_file(tmp_path, when, force, text="\n".join(lines) + "\n")
    msg = error_of(p, **LAB)
    assert msg.startswith(f"{p} line 20 (data row 12): column 'Timestamp' {what}")
    assert msg.endswith(("; fix or delete that line.", "every time without."))


def test_naive_after_aware_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "zones.csv"
    p.write_text("t,F\n2025-01-27T15:13:03Z,1\n2025-01-27T15:13:04Z,1\n2025-01-27T15:13:05,1\n")
    assert error_of(p, time_col="t", force_col="F") == (
        f"{p} line 4 (data row 3): column 't' has '2025-01-27T15:13:05', which states no UTC offset where "
        "the rows before it state one; write every time with a UTC offset or every time without.")


def test_the_first_bad_line_is_named_whichever_column_it_is_in(tmp_path: Path) -> None:
    when, force = stamps(20), squeeze(20)
    lines = [f"{float(f)!r},{w.isoformat(sep=' ')}" for f, w in zip(force, when, strict=True)]
    lines[14] = "lots," + when[14].isoformat(sep=" ")  # a bad force below...
    lines[5] = f"{float(force[5])!r},soon"  # ...a bad time
    p = lab_file(tmp_path, when, force, text="\n".join(lines) + "\n")
    assert "line 14 (data row 6): column 'Timestamp' has 'soon'" in error_of(p, **LAB)
    lines[5] = f"{float(force[5])!r}"  # a line short of its time cell
    p.write_text(PREAMBLE + "\n".join(lines) + "\n")
    assert error_of(p, **LAB) == (f"{p} line 14 has 1 cell but column 'Timestamp' is number 2; complete "
                                  "or delete that line.")


def test_time_unit_is_refused_for_date_times(tmp_path: Path) -> None:
    p = lab_file(tmp_path, stamps(20), squeeze(20))
    assert error_of(p, **LAB, time_unit="ms") == (
        f"{p}: the time column 'Timestamp' is date-times ('2025-01-27 15:13:03.983837' in its first row), "
        "read as seconds since the first; leave out --time-unit.")


@pytest.mark.parametrize("zone", [None, timezone(timedelta(hours=1))])
def test_date_times_going_backwards_are_judged_as_numbers_are(tmp_path: Path, zone: timezone | None) -> None:
    when = stamps(20, start=T0.replace(tzinfo=zone))
    when[9], when[10] = when[10], when[9]
    p = lab_file(tmp_path, when, squeeze(20))
    msg = error_of(p, **LAB)
    # ... and quoted as the date-times the user finds in the file (they were quoted as seconds since
    # the first row: "0.1 s after 0.2 s").
    assert msg.startswith(f"{p} line 19 (data row 11): time goes backwards ({when[10].isoformat(sep=' ')} "
                          f"after {when[9].isoformat(sep=' ')}); sort the rows by time")


def test_date_times_quoted_past_the_last_one_python_knows_fall_back_to_seconds() -> None:
    # Seconds since a first row in year 1, rounded as floats, may land past 9999-12-31: quoted then
    # as seconds after the first row, not an OverflowError.
    span = (datetime(9999, 12, 31, 23, 59, 59, 999999) - datetime(1, 1, 1)) / timedelta(seconds=1)
    assert datetimes.at("0001-01-01 00:00:00", span) == f"{span:.15g} s after 0001-01-01 00:00:00"
    assert datetimes.at("2025-01-27 15:13:03", 0.25) == "2025-01-27 15:13:03.250000"


def test_a_live_files_cut_last_date_time_is_left_out(tmp_path: Path) -> None:
    when, force = stamps(30), squeeze(30)
    rows = "".join(f"{float(f)!r},{w.isoformat(sep=' ')}\n" for f, w in zip(force, when, strict=True))
    p = lab_file(tmp_path, when, force, text=rows + "0.25,2025-01-27 15:1")
    rec = read_recording(p, **LAB)
    np.testing.assert_array_equal(rec.t, seconds(when))
    assert rec.metadata["partial_last_line"].startswith("line 39: no line end yet")

