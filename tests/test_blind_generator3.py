"""``tools/blind_generator3.py``: the same sessions for a seed (the very bytes figures were measured on)
and other ones for another, files the scorer reads in newtons, a checker that passes a fresh run and
catches a broken label, the models it claims, and one sentence for a user's error. No detector runs
here: the full evaluation is ``python tools/blind_generator3.py OUT --seed S`` then ``python
tools/score_detection.py --realdata OUT`` (or ``eval_detection.py --blind3 SEEDS``)."""

from __future__ import annotations

import copy
import json
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from toolmods import load_tool

bg = load_tool("blind_generator3")
sd = load_tool("score_detection")

SEED = 28
# Seed 28's first ten sessions have all five protocols, all five sensors and all five units (N, g, kg,
# kgf, lbf), Wi-Fi dropouts, fast and slow steps, fast, slow and resting releases, required and optional
# band exits, touches, strokes, algometer ramps, a pumping departure and a hold cut by the end of the
# data (test_the_sessions_cover_the_models_the_generator_claims says so). A tenth of a second each.
SESSIONS = 10
SENSORS = {"fsr", "ads1115", "gauge", "daq", "wifi"}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("blind3")
    assert bg.main([str(out), "--sessions", str(SESSIONS), "--seed", str(SEED)]) == 0
    return out


@pytest.fixture(scope="module")
def sessions() -> list[Any]:
    return [bg.make_session(SEED, i) for i in range(SESSIONS)]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _name(s: Any) -> str:
    return str(bg.session_name(s.seed, s.index))


def test_the_same_seed_writes_the_same_bytes_and_another_seed_other_sessions(run: Path, tmp_path: Path):
    first = _files(run)
    assert sorted(first) == [f"bg3_s{SEED}_{i:03d}{ext}" for i in range(SESSIONS)
                             for ext in (".csv", ".labels.json")]
    assert bg.main([str(tmp_path / "again"), "--sessions", "2", "--seed", str(SEED)]) == 0
    again = _files(tmp_path / "again")
    assert len(again) == 4 and all(first[name] == data for name, data in again.items())
    assert bg.main([str(tmp_path / "other"), "--sessions", "2", "--seed", str(SEED + 1)]) == 0
    other = _files(tmp_path / "other")
    assert sorted(other) == [f"bg3_s{SEED + 1}_{i:03d}{ext}" for i in range(2)
                             for ext in (".csv", ".labels.json")]
    assert not set(first.values()) & set(other.values())


def test_the_files_load_through_the_scorers_reader_in_newtons(run: Path, sessions: list[Any]):
    for s in sessions:
        csv = run / f"{_name(s)}.csv"
        t, force_n, labels, _ = sd.read_real(csv)
        assert labels == json.loads((run / f"{_name(s)}.labels.json").read_text())
        assert labels["unit"] == s.sensor.unit and labels["force_column"] == s.sensor.fcol
        assert len(t) == s.rec.t_rec.size == len(csv.read_text().splitlines()) - 1
        assert np.all(np.diff(t) >= 0)
        # The reader turns the file's unit into N: every hold's median force is its level (in N) within 5 %.
        per_n = 1.0 / bg.UNIT_PER_N[labels["unit"]]
        for a, b, level in labels["holds"]:
            inside = force_n[(t >= a) & (t <= b)]
            assert abs(np.median(inside) / (level * per_n) - 1) < 0.05, (_name(s), a)
        # A dropout is a gap in the file's time column, where the labels put it.
        for g0, g1 in s.rec.gaps:
            near = (t > s.sensor.sim2rec(g0) - 1.0) & (t < s.sensor.sim2rec(g1) + 1.0)
            assert np.max(np.diff(t[near])) > (g1 - g0) - 0.15, (_name(s), g0)
    assert {s.sensor.unit for s in sessions} == set(bg.UNIT_PER_N)


def test_the_checker_passes_a_fresh_run(run: Path, sessions: list[Any], capsys: pytest.CaptureFixture[str]):
    for strict in (True, False):
        assert [bg.check_session(s.lab, s.labels, s.sensor, s.rec.gaps, strict) for s in sessions] == [
            []] * SESSIONS
    assert bg.main([str(run), "--check", "--seed", str(SEED)]) == 0
    out, err = capsys.readouterr()
    assert f"checked {SESSIONS} sessions" in out and err == ""


def _broken(s: Any, change: Callable[[dict[str, Any]], None]) -> str:
    labels = copy.deepcopy(s.labels)
    change(labels)
    return " ".join(bg.check_session(s.lab, labels, s.sensor, s.rec.gaps, False))


def test_the_checker_catches_broken_labels(sessions: list[Any]):
    s = sessions[2]   # an ADS1115 in N: holds joined by fast steps, releases, required band exits
    assert s.steps[0][2] == "step_fast" and s.labels["releases"] and s.labels["band_exits"]
    level = s.labels["holds"][0][2]

    def short_hold(lab: dict[str, Any]) -> None:
        lab["holds"][0][1] = lab["holds"][0][0] + 1.2

    def small_step(lab: dict[str, Any]) -> None:
        lab["holds"][1][2] = round(level * 1.05, 4)

    def wrong_way(lab: dict[str, Any]) -> None:
        lab["steps"][0][1] = "down" if lab["steps"][0][1] == "up" else "up"

    def extra_exit(lab: dict[str, Any]) -> None:
        lab["band_exits"].insert(0, [lab["holds"][0][0] + 2.0, "high"])

    def late_release(lab: dict[str, Any]) -> None:
        lab["releases"][0][0] += 3.0

    n_exits = len(s.labels["band_exits"])
    assert "hold 0 shorter than 2.5 s" in _broken(s, short_hold)
    assert "step 0: level change 0.048 too small" in _broken(s, small_step)
    assert "step 0: wrong direction" in _broken(s, wrong_way)
    assert f"band exits differ: labelled {n_exits + 1}, rule gives {n_exits}" in _broken(s, extra_exit)
    assert "a release label is not at a hold's end" in _broken(s, late_release)
    assert f"labelled {n_exits - 1}, rule gives {n_exits}" in _broken(s, lambda lab: lab["band_exits"].pop())


def test_check_mode_fails_a_file_that_was_changed(run: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]):
    for p in run.iterdir():
        shutil.copy(p, tmp_path / p.name)
    name = bg.session_name(SEED, 2)
    labels = tmp_path / f"{name}.labels.json"
    lab = json.loads(labels.read_text())
    lab["band_exits"].pop()   # a designed exit left out
    labels.write_text(json.dumps(lab, indent=1) + "\n")
    csv = tmp_path / f"{bg.session_name(SEED, 5)}.csv"
    lines = csv.read_text().splitlines(keepends=True)
    csv.write_text("".join([lines[0], *lines[1:100], *lines[101:]]))   # a row lost
    (tmp_path / f"{bg.session_name(SEED, 7)}.labels.json").write_text("{not json")
    assert bg.main([str(tmp_path), "--check", "--seed", str(SEED)]) == 1
    err = capsys.readouterr().err
    assert f"session 2: {name}: labels on disk differ from the regenerated ones" in err
    assert f"session 2: {name} (on disk): band exits differ" in err
    assert f"session 5: {bg.session_name(SEED, 5)}: csv rows or time order wrong" in err
    assert f"session 7: {bg.session_name(SEED, 7)}: labels file does not load" in err
    assert len(err.strip().splitlines()) == 4 and "Traceback" not in err


def test_the_sessions_cover_the_models_the_generator_claims(sessions: list[Any]):
    assert {s.kind for s in sessions} == set(bg.KINDS)
    assert {s.sensor.kind for s in sessions} == SENSORS == {k for v in bg.SENSORS_FOR.values() for k in v}
    seen: Counter[str] = Counter()
    for s in sessions:
        seen.update(bg.counts(s))
        seen["give"] += len(s.plan.gives)
        seen["surge"] += sum(len(h.surges) for h in s.plan.holds)
        seen["fade"] += sum(1 for h in s.plan.holds if h.fade)
        seen["relaxation"] += sum(1 for h in s.plan.holds if h.relax)
        seen["pulse"] += s.hand.pulse > 0
        # the notes name the session and the models it was drawn with
        assert s.labels["notes"].startswith(f"Synthetic session (blind generator 3, seed {SEED}, "
                                            f"session {s.index}, attempt {s.attempt}).")
        assert f"Sensor: {s.sensor.desc}; unit {s.sensor.unit}." in s.labels["notes"]
    want = ["steps_fast", "steps_slow", "releases", "rel_slow", "rel_resting", "exits_req", "exits_opt",
            "touches", "strokes", "ppt", "left", "eod", "dropouts", "glitches", "give", "surge", "fade",
            "relaxation", "pulse"]
    assert all(seen[k] > 0 for k in want), seen
