"""Force units never read silently: a unit in the force column's name is the unit (or the command
refuses in one sentence), an assumed unit is said in the header, and a monitored ASCII device whose
lines carry no unit is told to the user with the unit taken and the option that changes it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from devices import Sim

from nmt_pressure.cli import main as cli
from nmt_pressure.io.recording import RecordingError, read_recording, write_recording
from nmt_pressure.io.rectypes import column_unit

PY = sys.executable
KG = 9.80665
LB = 4.4482216152605
G = 0.00980665


# --------------------------------------------------------------------------------------------------
# the unit in a column's name
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "unit"), [
    ("force_kg", "kg"), ("Force (kg)", "kg"), ("force[N]", "N"), ("weight_lbf", "lbf"), ("load-g", "g"),
    ("F (kgf)", "kg"), ("force_N", "N"), ("force_n", "N"), ("FORCE_KG", "kg"), ("Load {lb}", "lb"),
    ("force_lbs", "lb"), ("Kraft (kg)", "kg"), ("F/N", "N"), ("Force (in lb)", "lb"), ("load kg", "kg"),
    ("weight_in_grams", "g"), ("force_n_filtered", "N"), ("kg", "kg"), ("Force [ N ]", "N"),
])
def test_a_unit_in_the_name_is_found(name: str, unit: str) -> None:
    found = column_unit(name)
    assert found is not None and found.unit == unit


@pytest.mark.parametrize("name", [
    "weight", "lung", "gauge", "Force", "load", "load cell 1", "Fz", "force_raw", "Force (raw)", "time",
    "kgforce", "gforce", "n_force", "g_force", "Newtonmeter",
])
def test_no_unit_inside_words_or_in_the_first_word(name: str) -> None:
    assert column_unit(name) is None


@pytest.mark.parametrize("name", ["Force (kN)", "force_oz", "load [mN]", "F (daN)", "Kraft (µN)"])
def test_a_unit_without_a_factor_is_reported_as_such(name: str) -> None:
    found = column_unit(name)
    assert found is not None and found.unit is None and found.written in name


def test_two_different_units_in_one_name() -> None:
    with pytest.raises(ValueError, match="kg"):
        column_unit("force_kg (N)")
    assert column_unit("force_lb (lbf)") is not None  # the same unit twice is one unit


# --------------------------------------------------------------------------------------------------
# analyze
# --------------------------------------------------------------------------------------------------

def hold_10n(rate: float = 100.0) -> tuple[np.ndarray, np.ndarray]:
    """0.5 s rest, 1 s ramp to 10 N, 8 s hold, 0.3 s release, rest: newtons, a little noise."""
    t = np.arange(0.0, 11.0, 1.0 / rate)
    f = np.interp(t, [0.0, 0.5, 1.5, 9.5, 9.8, 11.0], [0.0, 0.0, 10.0, 10.0, 0.0, 0.0])
    return t, f + np.random.default_rng(4).normal(0.0, 0.01, t.size)


def table(tmp_path: Path, header: str, per_unit: float, name: str = "f.csv", sep: str = ",") -> Path:
    """The 10 N hold written in a unit of ``per_unit`` newtons, under ``header``."""
    t, f = hold_10n()
    rows = "\n".join(f"{a:.3f}{sep}{float(b) / per_unit!r}" for a, b in zip(t, f, strict=True))
    p = tmp_path / name
    p.write_text(header + "\n" + rows + "\n", encoding="utf-8")
    return p


def analyze_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert cli.main(["analyze", *args, "--json", "-"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def numbers(p: Path, col: int = 1, sep: str = ",") -> np.ndarray:
    return np.array([float(line.split(sep)[col]) for line in p.read_text().splitlines()[1:]])


@pytest.mark.parametrize(("header", "force_col", "per_unit", "unit"), [
    ("time_s,force_kg", "force_kg", KG, "kg"),
    ("time_s,Force (kg)", "Force (kg)", KG, "kg"),
    ("time_s,weight_lbf", "weight_lbf", LB, "lbf"),
    ("time_s,load-g", "load-g", G, "g"),
    ("time_s,F (kgf)", "F (kgf)", KG, "kg"),
])
def test_the_column_name_gives_the_unit(tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str,
                                        force_col: str, per_unit: float, unit: str) -> None:
    p = table(tmp_path, header, per_unit)
    rec = read_recording(p, time_col="time_s", force_col=force_col)
    assert (rec.unit, rec.unit_source) == (unit, "column")
    np.testing.assert_allclose(rec.force_n, numbers(p) * per_unit, rtol=1e-15)

    doc = analyze_json(capsys, str(p), "--time-col", "time_s", "--force-col", force_col)
    assert doc["meta"]["unit"] == unit and doc["meta"]["unit_source"] == "column"
    assert len(doc["holds"]) == 1  # the 10 N hold does not vanish under the 2 N contact threshold
    assert doc["holds"][0]["level"] == pytest.approx(10.0, rel=0.02)
    # exactly what the same numbers under a column naming no unit give with --unit
    plain = p.with_name("plain.csv")
    plain.write_text(p.read_text().replace(header, "time_s,force", 1))
    same = analyze_json(capsys, str(plain), "--time-col", "time_s", "--force-col", "force", "--unit", unit)
    assert same["events"] == doc["events"] and same["holds"] == doc["holds"]


def test_levels_are_9_80665_times_the_kilograms(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = table(tmp_path, "time_s;force_kg", KG, sep=";")
    doc = analyze_json(capsys, str(p), "--time-col", "time_s", "--force-col", "force_kg")
    level_n = doc["holds"][0]["level"]
    kg = numbers(p, sep=";")
    in_hold = kg[(np.arange(kg.size) > 300) & (np.arange(kg.size) < 900)]
    assert level_n / float(np.median(in_hold)) == pytest.approx(KG, rel=0.005)


def test_the_table_header_names_the_unit_and_its_source(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    p = table(tmp_path, "time_s,force_kg", KG)
    assert cli.main(["analyze", str(p), "--time-col", "time_s", "--force-col", "force_kg"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert "force: kg (column 'force_kg'; shown in N)" in first


@pytest.mark.parametrize(("header", "col", "given"), [
    ("time_s,force_kg", "force_kg", "N"), ("time_s,Force (kg)", "Force (kg)", "lb"),
    ("time_s,force[N]", "force[N]", "kg"), ("time_s,load_g", "load_g", "kg"),
])
def test_a_unit_contradicting_the_column_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    header: str, col: str, given: str) -> None:
    p = table(tmp_path, header, 1.0)
    assert cli.main(["analyze", str(p), "--time-col", "time_s", "--force-col", col, "--unit", given]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err
    named = column_unit(col)
    assert named is not None
    msg = lines[0]
    assert msg.startswith("nmt-pressure: error: ") and msg.endswith(".")
    assert f"in {named.written} by its name" in msg and f"--unit says {given}" in msg
    assert "leave out --unit" in msg and str(p) in msg


def test_refusal_through_the_real_command(tmp_path: Path) -> None:
    p = table(tmp_path, "time_s,force_kg", KG)
    proc = subprocess.run([PY, "-m", "nmt_pressure", "analyze", str(p), "--time-col", "time_s",
                           "--force-col", "force_kg", "--unit", "N"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "'force_kg' is in kg by its name but --unit says N" in proc.stderr


@pytest.mark.parametrize(("header", "col", "given", "unit"), [
    ("time_s,force_kg", "force_kg", "kgf", "kg"), ("time_s,force_kg", "force_kg", "KG", "kg"),
    ("time_s,weight_lb", "weight_lb", "lbf", "lb"), ("time_s,force_N", "force_N", "n", "N"),
])
def test_an_agreeing_unit_is_accepted(tmp_path: Path, header: str, col: str, given: str, unit: str) -> None:
    rec = read_recording(table(tmp_path, header, 1.0), time_col="time_s", force_col=col, unit=given)
    assert (rec.unit, rec.unit_source) == (unit, "column")


@pytest.mark.parametrize("col", ["Force (kN)", "force_oz"])
def test_a_unit_without_a_factor_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            col: str) -> None:
    p = table(tmp_path, f"time_s,{col}", 1.0)
    assert cli.main(["analyze", str(p), "--time-col", "time_s", "--force-col", col]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "cannot be read here" in err and "N, kg, g, lb, lbf" in err


def test_two_units_in_the_name_are_refused(tmp_path: Path) -> None:
    p = table(tmp_path, "time_s,force_kg (N)", 1.0)
    with pytest.raises(RecordingError, match=r"names two units \(N and kg\); rename the column"):
        read_recording(p, time_col="time_s", force_col="force_kg (N)")


def test_no_unit_anywhere_is_newtons_and_the_header_says_assumed(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    p = table(tmp_path, "Time,Load", 1.0)
    assert cli.main(["analyze", str(p), "--time-col", "Time", "--force-col", "Load"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert "force: N, assumed: the column 'Load' names no unit (give --unit kg|g|lb|lbf" in first
    # the JSON says so too, and so does stderr, which a person reads
    assert cli.main(["analyze", str(p), "--time-col", "Time", "--force-col", "Load", "--json", "-"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["meta"]["unit_source"] == "assumed"
    assert "note:" in captured.err and "assumed" in captured.err and "--unit" in captured.err
    # a unit given is no assumption
    assert cli.main(["analyze", str(p), "--time-col", "Time", "--force-col", "Load", "--unit", "lb"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert "force: lb (--unit; shown in N)" in first and "assumed" not in first


def test_our_own_recordings_read_as_before(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t, f = hold_10n()
    p = write_recording(tmp_path / "own.csv", t, f, {"device": "synthetic"})
    rec = read_recording(p)
    assert (rec.unit, rec.unit_source, rec.format) == ("N", "column", "nmt_pressure")
    np.testing.assert_array_equal(rec.force_n, np.round(f, 4))
    assert cli.main(["analyze", str(p)]) == 0
    out = capsys.readouterr()
    assert "force: N (column 'force_n')" in out.out.splitlines()[0] and out.err == ""
    # force_n is newtons by the format: a --unit that says otherwise is a mistake
    assert cli.main(["analyze", str(p), "--unit", "kg"]) == 2
    assert "'force_n' is in N by its name but --unit says kg" in capsys.readouterr().err


def test_tindeq_exports_say_where_their_unit_came_from(tmp_path: Path) -> None:
    bare = tmp_path / "bare.csv"
    bare.write_text("time,weight\n0,1\n0.1,2\n")
    rec = read_recording(bare)
    assert (rec.unit, rec.unit_source) == ("kg", "assumed")
    full = tmp_path / "full.csv"
    full.write_text("date,tag,comment,unit\n2023-24-05,1,,US\n\ntime,weight\n0,1\n0.1,2\n")
    rec = read_recording(full)
    assert (rec.unit, rec.unit_source) == ("lb", "file")


def test_report_tells_of_assumed_units_and_reads_the_column_unit(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    kg = table(tmp_path, "time_s,force_kg", KG, name="kg.csv")
    bare = table(tmp_path, "time_s,force", 1.0, name="bare.csv")
    out = tmp_path / "rep"
    assert cli.main(["report", str(kg), "--out", str(out), "--time-col", "time_s", "--force-col",
                     "force_kg", "--no-figures", "--quiet", "--jobs", "1"]) == 0
    meta = json.loads((out / "kg.holds.json").read_text())["meta"]
    holds = json.loads((out / "kg.holds.json").read_text())["holds"]
    assert (meta["unit"], meta["unit_source"]) == ("kg", "column")
    assert len(holds) == 1 and holds[0]["level"] == pytest.approx(10.0, rel=0.02)
    assert "assumed" not in capsys.readouterr().err

    assert cli.main(["report", str(bare), "--out", str(out), "--time-col", "time_s", "--force-col", "force",
                     "--no-figures", "--quiet", "--jobs", "1"]) == 0
    err = capsys.readouterr().err
    assert f"{bare}: force in N, assumed" in err and "--unit" in err
    assert "force in N, assumed" in (out / "index.html").read_text()

    assert cli.main(["report", str(kg), "--out", str(out), "--time-col", "time_s", "--force-col",
                     "force_kg", "--unit", "lb", "--no-figures", "--quiet", "--jobs", "1"]) == 2
    assert "by its name but --unit says lb" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------------
# monitor: ASCII lines without a unit
# --------------------------------------------------------------------------------------------------

def monitor(tmp_path: Path, port: str, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any],
                                                            np.ndarray, np.ndarray]:
    rec, js = tmp_path / "r.csv", tmp_path / "s.json"
    proc = subprocess.run([PY, "-m", "nmt_pressure", "monitor", "--port", port, "--format", "ascii",
                           "--duration", "3", "--record", str(rec), "--overwrite", "--summary-json", str(js),
                           *args], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    r = read_recording(rec)
    raw = np.array([float(x) for x in _column(rec, "raw")])  # the value as the device sent it
    return proc, json.loads(js.read_text()), r.force_n, raw


def _column(path: Path, name: str) -> list[str]:
    lines = [ln for ln in path.read_text().splitlines() if not ln.startswith("#")]
    i = lines[0].split(",").index(name)
    return [ln.split(",")[i] for ln in lines[1:]]


def test_monitor_says_it_assumes_newtons_for_bare_readings(sims: list[Sim], tmp_path: Path) -> None:
    s = Sim("--rate", "100", "--scenario", "steady", "--seed", "5", "--format", "ascii")
    sims.append(s)
    proc, summary, force, raw = monitor(tmp_path, s.port)
    said = [ln for ln in proc.stdout.splitlines() if "carry no unit" in ln]
    assert len(said) == 1, proc.stdout
    assert "taken as newtons (N)" in said[0] and "--unit kg" in said[0]
    assert summary["unitless_readings_unit"] == "N (assumed)"
    assert force.size > 100 and np.array_equal(force, raw)


def test_monitor_reads_bare_readings_in_the_unit_given(sims: list[Sim], tmp_path: Path) -> None:
    s = Sim("--rate", "100", "--scenario", "steady", "--seed", "5", "--format", "ascii", "--unit", "kg")
    sims.append(s)
    proc, summary, force, raw = monitor(tmp_path, s.port, "--unit", "kg")
    assert "carry no unit: taken as kg (--unit kg)" in proc.stdout
    assert summary["unitless_readings_unit"] == "kg (--unit)"
    assert force.size > 100
    np.testing.assert_allclose(force, raw * KG, rtol=1e-12)


def test_monitor_keeps_a_unit_the_line_names(sims: list[Sim], tmp_path: Path) -> None:
    s = Sim("--rate", "100", "--scenario", "steady", "--seed", "5", "--format", "ascii-unit", "--unit", "lb")
    sims.append(s)
    proc, summary, force, raw = monitor(tmp_path, s.port, "--unit", "kg")
    said = [ln for ln in proc.stdout.splitlines() if "name their unit" in ln]
    assert len(said) == 1 and "(lb)" in said[0]
    assert "--unit kg applies only to readings without one" in said[0]
    assert "carry no unit" not in proc.stdout and "unitless_readings_unit" not in summary
    np.testing.assert_allclose(force, raw * LB, rtol=1e-12)


def test_drill_refuses_an_unknown_unit_before_starting(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["drill", "consistency", "--port", "/dev/null", "--unit", "stone", "--no-history"]) == 2
    err = capsys.readouterr().err
    assert "invalid --unit" in err and "'stone'" in err and "Traceback" not in err
