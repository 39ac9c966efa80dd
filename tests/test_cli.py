"""`nmt-pressure analyze` in-process: exit statuses, the contract's JSON, the table, and user errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nmt_pressure.cli import analyze as cli_analyze
from nmt_pressure.cli import main as cli
from nmt_pressure.io.recording import write_recording

EVENT_KEYS = {"kind", "t", "t_detected", "direction", "level"}
#: The contract's hold keys, and the one it let us add: ``confirmed``, the ``t_detected`` of the
#: hold's ``hold_start`` (the record's start may be dated again later than that event's ``t``).
HOLD_KEYS = {"start", "end", "level", "mean", "sd", "cv", "duration", "time_in_band", "drift_per_s",
             "ended_by", "confirmed"}
EVENT_KINDS = {"contact", "hold_start", "step", "release", "band_exit", "band_enter"}
ENDED_BY = {"step", "release", "end_of_data"}


def ramp_hold_release(rate: float = 100.0) -> tuple[np.ndarray, np.ndarray]:
    """0.5 s rest, 1 s ramp to 20 N, 8 s hold, 0.3 s release, 1.2 s rest; a little sensor noise."""
    t = np.arange(0.0, 11.0, 1.0 / rate)
    f = np.interp(t, [0.0, 0.5, 1.5, 9.5, 9.8, 11.0], [0.0, 0.0, 20.0, 20.0, 0.0, 0.0])
    f = f + np.random.default_rng(3).normal(0.0, 0.03, t.size)
    return t, f


@pytest.fixture
def recording(tmp_path: Path) -> Path:
    t, f = ramp_hold_release()
    return write_recording(tmp_path / "session.csv", t, f, {"device": "synthetic"})


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert "Traceback" not in err
    assert lines, "an error message is printed"
    assert lines[-1].startswith("nmt-pressure"), lines
    return lines[-1]


# --------------------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------------------

def test_json_file_has_exactly_the_contract_keys(recording: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.json"
    assert cli.main(["analyze", str(recording), "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert {"events", "holds"} <= set(doc) <= {"events", "holds", "meta"}
    assert doc["events"] and doc["holds"]
    for e in doc["events"]:
        assert set(e) == EVENT_KEYS
        assert e["kind"] in EVENT_KINDS
    for h in doc["holds"]:
        assert set(h) == HOLD_KEYS
        assert h["ended_by"] in ENDED_BY
    assert "wrote" in capsys.readouterr().out


def test_json_finds_the_hold_and_the_release(recording: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["analyze", str(recording), "--json", "-"]) == 0
    doc = json.loads(capsys.readouterr().out)  # stdout is the JSON and nothing else
    assert len(doc["holds"]) >= 1
    hold = doc["holds"][0]
    assert hold["level"] == pytest.approx(20.0, rel=0.1)
    assert hold["ended_by"] == "release"
    releases = [e for e in doc["events"] if e["kind"] == "release"]
    assert len(releases) == 1
    assert 9.0 < releases[0]["t"] < 10.0
    assert releases[0]["t_detected"] >= releases[0]["t"]


def test_json_meta(recording: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["analyze", str(recording), "--json", "-", "--rate", "100", "--target", "20",
                     "--tolerance", "15%"]) == 0
    meta = json.loads(capsys.readouterr().out)["meta"]
    assert meta["samples"] == 1100
    assert meta["sample_rate_hz"] == 100.0 and meta["sample_rate_source"] == "given"
    assert meta["config"]["target"] == 20.0
    assert meta["config"]["tolerance"] == pytest.approx(0.15)
    assert meta["implementation"] in {"cython", "python"}


def test_estimated_rate(recording: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["analyze", str(recording), "--json", "-"]) == 0
    meta = json.loads(capsys.readouterr().out)["meta"]
    assert meta["sample_rate_hz"] == pytest.approx(100.0, rel=1e-3)
    assert meta["sample_rate_source"] == "estimated"


def test_other_device_columns_and_units(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t, f = ramp_hold_release(rate=10.0)
    rows = "\n".join(f"{a + 26.5:.3f},{b / 9.80665:.2f}" for a, b in zip(t, f, strict=True))
    p = tmp_path / "grip.csv"
    p.write_text("time,weight\n" + rows + "\n")
    assert cli.main(["analyze", str(p), "--time-col", "time", "--force-col", "weight", "--unit", "kg",
                     "--json", "-"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["holds"] and doc["holds"][0]["level"] == pytest.approx(20.0, rel=0.1)
    assert doc["holds"][0]["start"] > 26.5  # the file's own time base


# --------------------------------------------------------------------------------------------------
# table
# --------------------------------------------------------------------------------------------------

def test_table(recording: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["analyze", str(recording)]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert "session.csv" in first and "samples: 1100" in first and "100 Hz" in first
    assert "relative" in first
    assert "holds (" in out and "ended by" in out and "CV %" in out
    assert "events (" in out and "release" in out and "hold_start" in out
    assert out.strip().splitlines()[-1].startswith("summary: ")


def test_table_fixed_band(recording: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["analyze", str(recording), "--target", "20", "--tolerance", "0.1"]) == 0
    assert "fixed 20 N" in capsys.readouterr().out


def test_table_hints_at_units_when_force_is_tiny(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t, f = ramp_hold_release()
    p = write_recording(tmp_path / "tiny.csv", t, f / 1000.0, {})
    assert cli.main(["analyze", str(p)]) == 0
    assert "--unit" in capsys.readouterr().out


# --------------------------------------------------------------------------------------------------
# user errors: exit 2, one line on stderr, no traceback
# --------------------------------------------------------------------------------------------------

def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["analyze", str(tmp_path / "nope.csv")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    line = one_error_line(captured.err)
    assert line.startswith("nmt-pressure: error: ") and "nope.csv" in line


def test_bad_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "bad.csv"
    p.write_text("t_s,force_n\n0,1\n0.1,lots\n")
    assert cli.main(["analyze", str(p)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "line 3" in line and "'lots'" in line


def test_missing_column_suggests_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "other.csv"
    p.write_text("time,load\n0,1\n1,1\n")  # (time,weight is a Tindeq export: read with no flags)
    assert cli.main(["analyze", str(p)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "--time-col" in line and "'load'" in line


def test_bad_unit(recording: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["analyze", str(recording), "--unit", "stone"]) == 2
    assert "lbf" in one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize("tol", ["1.5", "0", "-0.1", "150%"])
def test_bad_tolerance_value(recording: Path, tol: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["analyze", str(recording), f"--tolerance={tol}"]) == 2
    assert "--tolerance" in one_error_line(capsys.readouterr().err)


def test_tolerance_not_a_number(recording: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["analyze", str(recording), "--tolerance", "abc"]) == 2
    assert "--tolerance" in one_error_line(capsys.readouterr().err)


def test_target_below_contact_threshold(recording: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["analyze", str(recording), "--target", "1"]) == 2
    assert "--target" in one_error_line(capsys.readouterr().err)


def test_bad_rate(recording: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["analyze", str(recording), "--rate", "-5"]) == 2
    one_error_line(capsys.readouterr().err)


def test_json_onto_the_recording_is_refused(recording: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = recording.read_bytes()
    assert cli.main(["analyze", str(recording), "--json", str(recording)]) == 2
    assert "overwrite" in one_error_line(capsys.readouterr().err)
    assert recording.read_bytes() == before


def test_json_into_missing_folder(recording: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["analyze", str(recording), "--json", str(tmp_path / "no" / "x.json")]) == 2
    assert "cannot write" in one_error_line(capsys.readouterr().err)


def test_no_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    assert "analyze" in one_error_line(capsys.readouterr().err)


def test_help_and_version_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert cli.main(["analyze", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--time-col" in out and "--tolerance" in out


# --------------------------------------------------------------------------------------------------
# interruptions
# --------------------------------------------------------------------------------------------------

def test_ctrl_c_exits_130_quietly(recording: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_analyze, "read_recording", interrupted)  # where analyze reads it
    assert cli.main(["analyze", str(recording)]) == 130
    assert capsys.readouterr().err == ""


def test_broken_pipe_is_quiet(recording: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class ClosedPipe:
        def write(self, text: str) -> int:
            raise BrokenPipeError

        def flush(self) -> None:
            raise BrokenPipeError

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert cli.main(["analyze", str(recording)]) == 141


def test_python_dash_m(recording: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "nmt_pressure", "analyze", str(recording), "--json", "-"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert set(json.loads(proc.stdout)) >= {"events", "holds"}
    proc = subprocess.run([sys.executable, "-m", "nmt_pressure", "analyze", "/nonexistent/x.csv"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "nmt-pressure: error:" in proc.stderr


# --------------------------------------------------------------------------------------------------
# demo
# --------------------------------------------------------------------------------------------------

def test_demo_analyses_the_bundled_example(capsys: pytest.CaptureFixture[str]) -> None:
    from nmt_pressure import demo

    assert demo.main(["--offline"]) == 0
    out = capsys.readouterr().out
    assert "example session" in out and "holds (" in out and "summary: " in out


def test_demo_explains_a_missing_example(monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from nmt_pressure import demo

    monkeypatch.setattr(demo, "EXAMPLE_NAME", "no_such_example.csv")
    assert demo.main(["--offline"]) == 1
    err = capsys.readouterr().err
    assert "no_such_example.csv" in err and "tools/make_example.py" in err
