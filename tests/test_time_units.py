"""Time units never read silently: a unit in the time column's name is the unit (``time_ms``,
``Time (ms)``, ``t[µs]``, ``millis``), ``--time-unit`` gives it where the name does not and may not
contradict it, times are read into seconds, and a column naming no unit whose rows are a second or
more apart (an Arduino's ``millis()`` read as seconds) is refused in one sentence naming both fixes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nmt_pressure.cli import main as cli
from nmt_pressure.io.recording import RecordingError, read_recording, write_recording
from nmt_pressure.io.rectypes import column_unit, time_column_unit, time_unit_factor

PY = sys.executable
#: The other helpers' convention (tests/test_scoring.py): the shared real recordings beside the checkout.
REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
EXAMPLE = Path(__file__).resolve().parents[1] / "src" / "nmt_pressure" / "data" / "example_session.csv"


# --------------------------------------------------------------------------------------------------
# the unit in a time column's name
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "unit"), [
    ("t_s", "s"), ("time_s", "s"), ("Time (s)", "s"), ("elapsed-sec", "s"), ("seconds", "s"),
    ("Zeit [s]", "s"), ("time_secs", "s"),
    ("Time (ms)", "ms"), ("time_ms", "ms"), ("TIME_MS", "ms"), ("millis", "ms"), ("ms", "ms"),
    ("Time (msec)", "ms"), ("time (in ms)", "ms"), ("t_milliseconds", "ms"),
    ("t[µs]", "us"), ("t[μs]", "us"), ("timestamp_us", "us"), ("micros", "us"), ("t/usec", "us"),
    ("Time (µs)", "us"),
    ("t_ns", "ns"), ("time [nanoseconds]", "ns"),
    ("time_min", "min"), ("Time (minutes)", "min"),
])
def test_a_time_unit_in_the_name_is_found(name: str, unit: str) -> None:
    found = time_column_unit(name)
    assert found is not None and found.unit == unit


@pytest.mark.parametrize("name", [
    "time", "Time", "timestamp", "t", "ts", "Timestamp (raw)", "sample", "msgs", "seconds_total",
    "t_n", "time_kg",  # force units mean nothing in a time column
])
def test_no_time_unit_inside_words_or_in_the_first_word(name: str) -> None:
    assert time_column_unit(name) is None


@pytest.mark.parametrize("name", ["force_s", "load_ms", "millis", "F (us)"])
def test_time_units_mean_nothing_in_a_force_column(name: str) -> None:
    # One table per role: `force_s` is no force unit, and must not become one by sharing the parser.
    assert column_unit(name) is None


@pytest.mark.parametrize("name", ["time_h", "Time (hours)", "t_ps", "elapsed [hr]"])
def test_a_time_unit_without_a_factor_is_reported_as_such(name: str) -> None:
    found = time_column_unit(name)
    assert found is not None and found.unit is None and found.written in name


def test_two_different_time_units_in_one_name() -> None:
    with pytest.raises(ValueError, match="s and ms"):
        time_column_unit("time_ms (s)")
    assert time_column_unit("t_ms (msec)") is not None  # the same unit twice is one unit


@pytest.mark.parametrize(("text", "unit", "per_unit"), [
    ("s", "s", 1.0), ("ms", "ms", 1e-3), ("us", "us", 1e-6), ("µs", "us", 1e-6), ("ns", "ns", 1e-9),
    ("min", "min", 60.0), ("MSEC", "ms", 1e-3), (" usec ", "us", 1e-6), ("sec", "s", 1.0),
])
def test_time_unit_option_names(text: str, unit: str, per_unit: float) -> None:
    assert time_unit_factor(text) == (unit, per_unit)


# --------------------------------------------------------------------------------------------------
# a recording in milliseconds or microseconds reads as its twin in seconds
# --------------------------------------------------------------------------------------------------

def hold_10n_ms(start_ms: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """An Arduino's millis() at 100 Hz: 0.5 s rest, 1 s ramp to 10 N, 8 s hold, release, rest."""
    ms = start_ms + 10 * np.arange(1100, dtype=np.int64)
    rel = (ms - start_ms) / 1000.0
    f = np.interp(rel, [0.0, 0.5, 1.5, 9.5, 9.8, 11.0], [0.0, 0.0, 10.0, 10.0, 0.0, 0.0])
    return ms, f + np.random.default_rng(7).normal(0.0, 0.01, ms.size)


def clock_table(tmp_path: Path, time_col: str, unit: str, name: str, start_ms: int = 0) -> Path:
    """The hold with its time in ``unit`` (exact decimals of the same instants) under ``time_col``."""
    ms, f = hold_10n_ms(start_ms)
    cells = {"s": [f"{m / 1000:.3f}" for m in ms], "ms": [str(m) for m in ms],
             "us": [str(m * 1000) for m in ms], "ns": [str(m * 1_000_000) for m in ms]}[unit]
    p = tmp_path / name
    rows = "".join(f"{c},{float(b)!r}\n" for c, b in zip(cells, f, strict=True))
    p.write_text(f"{time_col},force\n{rows}", encoding="utf-8")
    return p


def analyze_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert cli.main(["analyze", *args, "--json", "-"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The one-line error of a command that must exit 2 without output or traceback."""
    assert cli.main(list(args)) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("nmt-pressure") and lines[0].rstrip().endswith(".")
    return lines[0]


@pytest.mark.parametrize(("time_col", "unit", "start_ms"), [
    ("time_ms", "ms", 0), ("Time (ms)", "ms", 0), ("millis", "ms", 123_456), ("timestamp_us", "us", 0),
    ("t[µs]", "us", 5_000), ("micros", "us", 0), ("t_ns", "ns", 0),
])
def test_a_clock_in_the_name_gives_the_same_events_as_seconds(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], time_col: str, unit: str, start_ms: int) -> None:
    seconds = clock_table(tmp_path, "t_s", "s", "s.csv", start_ms)
    other = clock_table(tmp_path, time_col, unit, "other.csv", start_ms)
    want = analyze_json(capsys, str(seconds), "--force-col", "force")
    got = analyze_json(capsys, str(other), "--time-col", time_col, "--force-col", "force")
    assert len(want["holds"]) == 1 and want["holds"][0]["duration"] == pytest.approx(8.0, abs=0.5)
    assert got["events"] == want["events"] and got["holds"] == want["holds"]
    assert (got["meta"]["time_unit"], got["meta"]["time_unit_source"]) == (unit, "column")
    assert (want["meta"]["time_unit"], want["meta"]["time_unit_source"]) == ("s", "column")
    assert got["meta"]["duration_s"] == want["meta"]["duration_s"]
    assert got["meta"]["sample_rate_hz"] == pytest.approx(100.0)
    # exactly the same seconds, not merely close: 12 ms is read as 0.012 s is
    np.testing.assert_array_equal(read_recording(other, time_col=time_col, force_col="force").t,
                                  read_recording(seconds, force_col="force").t)


def test_the_real_command_reads_milliseconds(tmp_path: Path) -> None:
    p = clock_table(tmp_path, "Time (ms)", "ms", "ms.csv", 40_000)
    proc = subprocess.run([PY, "-m", "nmt_pressure", "analyze", str(p), "--time-col", "Time (ms)",
                           "--force-col", "force", "--json", "-"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert len(doc["holds"]) == 1 and doc["holds"][0]["start"] == pytest.approx(41.5, abs=0.5)
    assert doc["meta"]["time_unit"] == "ms"


def test_minutes_are_read_as_sixty_seconds(tmp_path: Path) -> None:
    p = tmp_path / "min.csv"
    p.write_text("time_min,force\n0,1\n0.5,2\n1.5,3\n")
    rec = read_recording(p, time_col="time_min", force_col="force")
    assert rec.t.tolist() == [0.0, 30.0, 90.0] and (rec.time_unit, rec.time_unit_source) == ("min", "column")


def test_the_header_names_the_time_unit_and_its_source(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    p = clock_table(tmp_path, "time_ms", "ms", "ms.csv")
    assert cli.main(["analyze", str(p), "--time-col", "time_ms", "--force-col", "force"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert "duration: 11.0 s" in first and "time: ms (column 'time_ms'; shown in s)" in first
    assert cli.main(["analyze", str(p), "--time-col", "time_ms", "--force-col", "force", "--time-unit",
                     "ms"]) == 0  # repeating the name's unit is no contradiction
    assert "time: ms (column 'time_ms'; shown in s)" in capsys.readouterr().out.splitlines()[0]


def test_other_columns_of_a_millisecond_file_line_up(tmp_path: Path) -> None:
    p = tmp_path / "extra.csv"
    p.write_text("time_ms,force,raw\n0,1,10\n10,2,20\n20,3,30\n")
    rec = read_recording(p, time_col="time_ms", force_col="force")
    assert rec.other_columns is not None
    extra, skipped = rec.other_columns()  # raises "has changed" if the times were compared unconverted
    assert extra["raw"].tolist() == [10.0, 20.0, 30.0] and skipped == []
    pytest.importorskip("pandas")
    df = rec.to_pandas()
    assert df["t_s"].tolist() == [0.0, 0.01, 0.02] and df.attrs["time_unit"] == "ms"
    assert df.attrs["units"]["t_s"] == "s"


# --------------------------------------------------------------------------------------------------
# --time-unit
# --------------------------------------------------------------------------------------------------

def test_time_unit_option_reads_a_column_naming_none(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    seconds = clock_table(tmp_path, "t_s", "s", "s.csv")
    plain = clock_table(tmp_path, "time", "ms", "plain.csv")
    want = analyze_json(capsys, str(seconds), "--force-col", "force")
    got = analyze_json(capsys, str(plain), "--time-col", "time", "--force-col", "force", "--time-unit", "ms")
    assert got["events"] == want["events"] and got["holds"] == want["holds"]
    assert (got["meta"]["time_unit"], got["meta"]["time_unit_source"]) == ("ms", "option")
    assert cli.main(["analyze", str(plain), "--time-col", "time", "--force-col", "force", "--time-unit",
                     "msec"]) == 0
    assert "time: ms (--time-unit; shown in s)" in capsys.readouterr().out.splitlines()[0]


@pytest.mark.parametrize(("time_col", "given", "said"), [
    ("time_ms", "s", "ms"), ("Time (ms)", "us", "ms"), ("t_s", "ms", "s"), ("t[µs]", "ms", "µs"),
    ("millis", "us", "millis"),
])
def test_a_time_unit_contradicting_the_column_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         time_col: str, given: str, said: str) -> None:
    p = clock_table(tmp_path, time_col, "ms", "c.csv")
    msg = refused(capsys, "analyze", str(p), "--time-col", time_col, "--force-col", "force",
                  "--time-unit", given)
    assert f"the time column {time_col!r} is in {said} by its name but --time-unit says {given}" in msg
    assert "leave out --time-unit" in msg and str(p) in msg


def test_time_unit_refusal_through_the_real_command(tmp_path: Path) -> None:
    p = clock_table(tmp_path, "time_ms", "ms", "c.csv")
    proc = subprocess.run([PY, "-m", "nmt_pressure", "analyze", str(p), "--time-col", "time_ms",
                           "--force-col", "force", "--time-unit", "s"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "'time_ms' is in ms by its name but --time-unit says s" in proc.stderr


def test_an_unknown_time_unit_is_refused_before_any_file_is_read(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no-such-file.csv"
    msg = refused(capsys, "analyze", str(missing), "--time-unit", "hours")
    assert "--time-unit" in msg and "'hours'" in msg and "s, ms, us, ns, min" in msg
    assert "no-such-file" not in msg  # the flag, not the file
    msg = refused(capsys, "report", str(missing), "--out", str(tmp_path / "r"), "--time-unit", "h")
    assert "--time-unit" in msg and not (tmp_path / "r").exists()


@pytest.mark.parametrize("col", ["time_h", "Time (hours)"])
def test_a_time_unit_without_a_factor_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 col: str) -> None:
    p = tmp_path / "h.csv"
    p.write_text(f"{col},force\n0,1\n0.001,2\n")
    msg = refused(capsys, "analyze", str(p), "--time-col", col, "--force-col", "force")
    assert "cannot be read here" in msg and "s, ms, us, ns, min" in msg and "name that unit" in msg


def test_two_time_units_in_the_name_are_refused(tmp_path: Path) -> None:
    p = tmp_path / "two.csv"
    p.write_text("time_ms (s),force\n0,1\n0.1,2\n")
    with pytest.raises(RecordingError, match=r"time column 'time_ms \(s\)' names two units \(s and ms\); "
                                             r"rename the column"):
        read_recording(p, time_col="time_ms (s)", force_col="force")


def test_report_reads_and_refuses_time_units(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = clock_table(tmp_path, "time", "ms", "arduino.csv")
    out = tmp_path / "rep"
    base = ["report", str(p), "--out", str(out), "--time-col", "time", "--force-col", "force", "--no-figures",
            "--quiet", "--jobs", "1"]
    assert cli.main([*base, "--time-unit", "ms"]) == 0
    doc = json.loads((out / "arduino.holds.json").read_text())
    assert (doc["meta"]["time_unit"], doc["meta"]["time_unit_source"]) == ("ms", "option")
    assert len(doc["holds"]) == 1 and doc["holds"][0]["duration"] == pytest.approx(8.0, abs=0.5)
    summary = json.loads((out / "summary.json").read_text())
    assert json.dumps(summary).count('"time_unit_source": "option"') >= 1
    capsys.readouterr()
    # without it the guard refuses the file, by name, and the batch says so
    assert cli.main(base) == 2
    err = capsys.readouterr().err
    assert "names no unit" in err and "--time-unit ms" in err


# --------------------------------------------------------------------------------------------------
# the guard: a column naming no unit, a second or more per row
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("unit", "step"), [("ms", "10"), ("us", "10000")])
def test_a_clock_in_a_column_naming_no_unit_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       unit: str, step: str) -> None:
    p = clock_table(tmp_path, "time", unit, "arduino.csv", 2_000)
    msg = refused(capsys, "analyze", str(p), "--time-col", "time", "--force-col", "force")
    assert str(p) in msg and "the time column 'time' names no unit" in msg
    assert f"a median {step} apart" in msg
    assert "--time-unit ms if it is in milliseconds" in msg and "--time-unit s to read it as seconds" in msg
    with pytest.raises(RecordingError, match="names no unit"):
        read_recording(p, time_col="time", force_col="force")


def test_the_guard_gives_way_to_a_unit_given(tmp_path: Path) -> None:
    p = clock_table(tmp_path, "time", "ms", "arduino.csv")
    rec = read_recording(p, time_col="time", force_col="force", time_unit="s")  # "seconds anyway"
    assert (rec.time_unit, rec.time_unit_source) == ("s", "option") and rec.duration == 10990.0
    rec = read_recording(p, time_col="time", force_col="force", time_unit="ms")
    assert rec.duration == pytest.approx(10.99)


def test_the_guard_spares_seconds_and_slow_but_named_clocks(tmp_path: Path) -> None:
    p = tmp_path / "s.csv"
    p.write_text("time,force\n" + "".join(f"{k * 0.1:.1f},1\n" for k in range(50)))  # 10 Hz, as an HX711
    assert read_recording(p, time_col="time", force_col="force").time_unit_source == "assumed"
    slow = tmp_path / "slow.csv"
    slow.write_text("t_s,force\n0,1\n1,2\n2,3\n")  # one sample a second, but the name says seconds
    assert read_recording(slow, force_col="force").t.tolist() == [0.0, 1.0, 2.0]
    # A Tindeq export's time is seconds by its format (the app writes nothing else): no guard.
    tindeq = tmp_path / "tindeq.csv"
    tindeq.write_text("time,weight\n0,1\n1,2\n2,3\n")
    rec = read_recording(tindeq)
    assert (rec.format, rec.time_unit, rec.time_unit_source) == ("tindeq", "s", "file")


def test_time_going_backwards_is_said_in_the_files_unit(tmp_path: Path) -> None:
    p = tmp_path / "back.csv"
    p.write_text("time_ms,force\n1714000000100,1\n1714000000200,2\n1714000000150,3\n")
    with pytest.raises(RecordingError) as info:
        read_recording(p, time_col="time_ms", force_col="force")
    assert "time goes backwards (1714000000150 ms after 1714000000200 ms)" in str(info.value)
    assert info.value.line == 4


# --------------------------------------------------------------------------------------------------
# what must not change
# --------------------------------------------------------------------------------------------------

def test_our_own_recordings_read_as_before(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ms, f = hold_10n_ms()
    t = ms / 1000.0
    p = write_recording(tmp_path / "own.csv", t, f, {"device": "synthetic"})
    rec = read_recording(p)
    assert (rec.time_col, rec.time_unit, rec.time_unit_source) == ("t_s", "s", "column")
    np.testing.assert_array_equal(rec.t, np.round(t, 6))
    assert cli.main(["analyze", str(p)]) == 0
    out = capsys.readouterr()
    assert "time: s (column 't_s')" in out.out.splitlines()[0] and out.err == ""
    # t_s is seconds by its name: a --time-unit that says otherwise is a mistake
    msg = refused(capsys, "analyze", str(p), "--time-unit", "ms")
    assert "'t_s' is in s by its name but --time-unit says ms" in msg


def test_the_bundled_example_reads_in_seconds() -> None:
    rec = read_recording(EXAMPLE)
    assert (rec.time_unit, rec.time_unit_source, rec.format) == ("s", "column", "nmt_pressure")


def test_grip_connect_times_keep_their_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t0 = 1714000000000
    rows = [f'"{t0 + 50 * (k // 4 + 1)}","{1_000_000 + 12_500 * k}","0","{100 + k}","{20.0 + k / 100}"'
            for k in range(40)]
    p = tmp_path / "gc.csv"
    p.write_text("\r\n".join(rows))
    rec = read_recording(p)
    assert (rec.format, rec.time_col, rec.time_unit, rec.time_unit_source) == \
        ("grip-connect-csv", "sampleNum", "us", "file")
    np.testing.assert_allclose(rec.t, [(1_000_000 + 12_500 * k) / 1e6 for k in range(40)], rtol=0, atol=1e-12)
    msg = refused(capsys, "analyze", str(p), "--time-unit", "ms")
    assert "Grip-Connect" in msg and "leave out --time-unit" in msg


@pytest.mark.skipif(not REALDATA.is_dir(), reason=f"no real recordings at {REALDATA}")
@pytest.mark.parametrize(("name", "time_col", "force_col", "source"), [
    ("ot_grip_9x9s_10hz.csv", None, None, "file"),
    ("hx711_deadweight_staircase_10hz_lbf.csv", "t_s", "lc1_lbf", "column"),
    ("forceplate_imtp_ex1_500hz_N.csv", "Time", "Fz", "assumed"),
    ("forceplate_imtp_ex2_1000hz_N.csv", "Time", "Fz", "assumed"),
    ("forceplate_imtp_ex3_1000hz_N.csv", "Time", "Fz", "assumed"),
])
def test_real_recordings_do_not_trip_the_guard(name: str, time_col: str | None, force_col: str | None,
                                               source: str) -> None:
    rec = read_recording(REALDATA / name, time_col=time_col, force_col=force_col)
    assert (rec.time_unit, rec.time_unit_source) == ("s", source)
    assert 5.0 < 1.0 / float(np.median(np.diff(rec.t))) < 2000.0
