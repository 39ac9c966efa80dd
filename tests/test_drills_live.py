"""Whole drills against the simulator process: a scripted hand that follows the prompts well, one that
follows them badly, the scores they get, and the rows they leave in the practice history.

The simulator runs its device clock faster than the wall clock (``--speed``) so that a 2½-minute drill
takes seconds; the drill keeps device time, so it plays exactly as at 1×.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from test_drills import BAD_CONSISTENCY, GOOD_CONSISTENCY, GOOD_TPPR

from nmt_pressure.cli import main as cli
from nmt_pressure.link.simproc import SimulatorProcess

SPEED = "10"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NMT_PRESSURE_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def play(tmp_path: Path, drill: str, script: str, *extra: str, rate: int = 200) -> int:
    path = tmp_path / f"{drill}.txt"
    path.write_text(script)
    sim_args = ["--rate", str(rate), "--script", str(path), "--speed", SPEED, "--seed", "3"]
    with SimulatorProcess(sim_args) as sim:
        return cli.main(["drill", drill, "--port", sim.port, "--practitioner", "Ann", *extra])


def rows(home: Path) -> list[sqlite3.Row]:
    con = sqlite3.connect(home / "history.sqlite3")
    con.row_factory = sqlite3.Row
    return con.execute("SELECT p.name, s.device, s.recording, r.* FROM drill_results r JOIN sessions s ON "
                       "r.session_id = s.id JOIN practitioners p ON s.practitioner_id = p.id "
                       "ORDER BY r.id").fetchall()


def test_following_the_prompts_well_and_badly(tmp_path: Path, home: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    rec = tmp_path / "good.csv"
    assert play(tmp_path, "consistency", GOOD_CONSISTENCY, "--record", str(rec)) == 0
    out = capsys.readouterr().out
    assert out.count("PRESS SLOWLY TO 30 N") == 5 and out.count("HOLD 15 S") == 5
    assert "score card: Consistency" in out and "saved for Ann" in out

    assert play(tmp_path, "consistency", BAD_CONSISTENCY) == 0
    out = capsys.readouterr().out
    assert "work on: staying in the band (too much pressure" in out

    good, bad = rows(home)
    assert good["name"] == bad["name"] == "Ann" and good["drill"] == "consistency"
    assert good["completed"] == bad["completed"] == 1
    assert good["score"] >= 90 and bad["score"] < 60
    assert good["time_in_band"] > 95 and bad["time_in_band"] < 20
    assert good["ramp_rate"] == 100 and bad["ramp_rate"] < 40
    assert good["hold_duration"] > 99 and bad["hold_duration"] < 65
    assert good["recording"] == str(rec.resolve()) and rec.stat().st_size > 0
    assert bad["recording"] is None and "nmt-sim" in good["device"]

    assert cli.main(["history", "--practitioner", "ann"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert len(listing) == 3 and "consistency" in listing[1]


def test_tppr_on_the_simulator(tmp_path: Path, home: Path) -> None:
    assert play(tmp_path, "tppr", GOOD_TPPR) == 0
    (row,) = rows(home)
    assert row["drill"] == "tppr" and row["score"] >= 90


def test_drill_sim_with_a_user_drill(tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (home / "drills").mkdir(parents=True)
    (home / "drills" / "quick.toml").write_text(
        'title = "Quick"\n[[phase]]\nkind = "press"\ntarget = 12\nmax_ramp_rate = 30\n'
        '[[phase]]\nkind = "hold"\nduration = 3\n[[phase]]\nkind = "release"\n')
    script = tmp_path / "quick.txt"
    script.write_text("idle 1\nramp 1 to 12\nhold 4.5\nrelease 0.5\nidle 2\n")
    assert cli.main(["drill", "quick", "--sim", "--script", str(script), "--sim-speed", "5",
                     "--practitioner", "Bo", "--json", str(tmp_path / "card.json")]) == 0
    assert "[1/3] PRESS SLOWLY TO 12 N" in capsys.readouterr().out
    (row,) = rows(home)
    assert row["name"] == "Bo" and row["drill"] == "quick" and row["score"] > 80
    assert (tmp_path / "card.json").read_text().startswith("{")


@pytest.mark.parametrize("argv, needle", [
    (["drill"], "name a drill"),
    (["drill", "nope", "--sim"], "there is no drill 'nope'"),
    (["drill", "consistency"], "--port PORT, --sim, or --replay FILE"),
    (["drill", "consistency", "--port", "/dev/null", "--script", "x.txt"], "--script plays on the simulator"),
])
def test_drill_usage_errors(home: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                            needle: str) -> None:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0]
