"""``tools/blind_generator4.py``: the same sessions for a seed and other ones for another, files that the
product's public reader loads in newtons where the labels say, a checker that passes a fresh run and catches
broken labels, ``--check`` catching a changed file, the models the generator claims, and one sentence for a
user's error. No detector runs here."""

from __future__ import annotations

import copy
import functools
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from toolmods import load_tool

from nmt_pressure.io.recording import read_recording

bg = load_tool("blind_generator4")

SEED = 28
# Seed 28's first twelve sessions show every protocol, sensor and unit and every model in bg.CLAIMED
# (test_the_sessions_cover_the_models_the_generator_claims says so).
SESSIONS = 12
# Session 0: an ESP32 session in N with a step down and one up, releases and a flinch's required exit.
BROKEN = 0
FRESH = bg.make_session


@pytest.fixture(scope="module", autouse=True)
def _cached() -> Any:
    """Generating a session takes up to a second (the 4-5 kHz files): within this module each one is made
    once (they are deterministic; the first test checks that against fresh regenerations)."""
    bg.make_session = functools.lru_cache(maxsize=None)(FRESH)
    yield
    bg.make_session = FRESH


@pytest.fixture(scope="module")
def sessions() -> list[Any]:
    return [bg.make_session(SEED, i) for i in range(SESSIONS)]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, sessions: list[Any]) -> Path:
    out = tmp_path_factory.mktemp("blind4")
    assert bg.main([str(out), "--sessions", str(SESSIONS), "--seed", str(SEED)]) == 0
    return out


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_the_same_seed_writes_the_same_bytes_and_another_seed_other_sessions(run: Path):
    first = _files(run)
    assert sorted(first) == [f"bg4_s{SEED}_{i:03d}{ext}" for i in range(SESSIONS)
                             for ext in (".csv", ".labels.json")]
    for i in (2, 3):   # regenerated from scratch, not from this module's cache
        again = FRESH(SEED, i)
        assert again.csv == first[f"bg4_s{SEED}_{i:03d}.csv"]
        assert json.dumps(again.labels, indent=1) + "\n" == first[f"bg4_s{SEED}_{i:03d}.labels.json"].decode()
        other = FRESH(SEED + 1, i)
        assert other.csv not in first.values() and other.labels != again.labels


def test_the_files_load_through_the_public_reader_in_newtons(run: Path, sessions: list[Any]):
    for s in sessions:
        name = bg.session_name(SEED, s.index)
        csv = run / f"{name}.csv"
        labels = json.loads((run / f"{name}.labels.json").read_text())
        assert labels == s.labels and labels["unit"] == s.sensor.unit
        rec = read_recording(csv, time_col=s.sensor.tcol, force_col=labels["force_column"],
                             unit=labels["unit"])
        t, force_n = np.asarray(rec.t), np.asarray(rec.force_n)
        assert len(t) == len(csv.read_text().splitlines()) - 1 and np.all(np.diff(t) >= 0)
        # every hold's median force is its level (in N) within 5 %, on the file's own clock
        per_n = 1.0 / bg.UNIT_PER_N[labels["unit"]]
        for a, b, level in labels["holds"]:
            inside = force_n[(t >= a) & (t <= b)]
            assert inside.size > 10 and abs(np.median(inside) / (level * per_n) - 1) < 0.05, (name, a)
        # a release leaves the force below 15 % of the hold's level within 3 s
        for (r,) in labels["releases"]:
            level = next(lv for _a, b, lv in labels["holds"] if abs(b - r) < 1e-6) * per_n
            after = force_n[(t > r + 2.0) & (t < r + 3.0)]
            assert np.median(after) < 0.15 * level, (name, r)
        # a dropout is a gap in the file's time column where the session put it
        for g0, g1 in s.gaps:
            near = (t > g0 - 1.0) & (t < g1 + 1.0)
            assert np.max(np.diff(t[near])) > (g1 - g0) - 0.1, (name, g0)
    assert {s.sensor.unit for s in sessions} == set(bg.UNIT_PER_N)
    # the phone's time column is in milliseconds, the logger's in Unix epoch seconds
    assert {s.sensor.tcol for s in sessions} >= {"time_ms", "epoch_s"}


def test_the_checker_passes_a_fresh_run(run: Path, sessions: list[Any], capsys: pytest.CaptureFixture[str]):
    assert [bg.check_session(s.t_lab, s.s_lab, s.thr, s.labels) for s in sessions] == [[]] * SESSIONS
    assert bg.main([str(run), "--check", "--seed", str(SEED)]) == 0
    out, err = capsys.readouterr()
    assert f"checked {SESSIONS} sessions" in out and "all pass" in out and err == ""


def _broken(s: Any, change: Callable[[dict[str, Any]], None]) -> str:
    labels = copy.deepcopy(s.labels)
    change(labels)
    return " | ".join(bg.check_session(s.t_lab, s.s_lab, s.thr, labels))


def test_the_checker_catches_broken_labels(sessions: list[Any]):
    s = sessions[BROKEN]
    lab = s.labels
    assert lab["steps"] and lab["releases"] and lab["band_exits"]
    k = next(i for i, h in enumerate(lab["holds"]) if abs(h[1] - lab["steps"][0][0]) < 1e-6)

    def short_hold(lab: dict[str, Any]) -> None:
        lab["holds"][0][1] = lab["holds"][0][0] + 1.2

    def small_step(lab: dict[str, Any]) -> None:
        lab["holds"][k + 1][2] = round(lab["holds"][k][2] * 1.05, 4)

    def wrong_way(lab: dict[str, Any]) -> None:
        lab["steps"][0][1] = "down" if lab["steps"][0][1] == "up" else "up"

    def extra_exit(lab: dict[str, Any]) -> None:
        lab["band_exits"].insert(0, [lab["holds"][0][0] + 2.0, "high"])

    def late_release(lab: dict[str, Any]) -> None:
        lab["releases"][0][0] += 3.0

    def missing_step(lab: dict[str, Any]) -> None:
        lab["steps"].pop(0)

    n_exits = len(lab["band_exits"])
    assert "hold 0 shorter than 2.0 s" in _broken(s, short_hold)
    assert "step 0: level change 0.050 too small" in _broken(s, small_step)
    assert "step 0: wrong direction" in _broken(s, wrong_way)
    assert f"band exits differ: labelled {n_exits + 1}, rule gives {n_exits}" in _broken(s, extra_exit)
    assert "a release label is not at a hold's end" in _broken(s, late_release)
    assert f"labelled {n_exits - 1}, rule gives {n_exits}" in _broken(s, lambda lab: lab["band_exits"].pop())
    assert "band exits differ" in _broken(s, lambda lab: lab["band_exits"][0].__setitem__(1, "high"))
    assert f"steps differ: labelled {len(lab['steps']) - 1}" in _broken(s, missing_step)
    assert "releases differ" in _broken(s, lambda lab: lab["releases"].pop())
    assert "an unlabelled hold" in _broken(s, lambda lab: lab["holds"].pop())
    assert _broken(s, lambda lab: None) == ""


def test_check_mode_fails_a_file_that_was_changed(run: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]):
    for p in run.iterdir():
        shutil.copy(p, tmp_path / p.name)
    name = bg.session_name(SEED, BROKEN)
    labels = tmp_path / f"{name}.labels.json"
    lab = json.loads(labels.read_text())
    lab["band_exits"].pop()   # a designed exit left out
    labels.write_text(json.dumps(lab, indent=1) + "\n")
    csv = tmp_path / f"{bg.session_name(SEED, 3)}.csv"
    lines = csv.read_text().splitlines(keepends=True)
    csv.write_text("".join([lines[0], *lines[1:100], *lines[101:]]))   # a row lost
    (tmp_path / f"{bg.session_name(SEED, 6)}.labels.json").write_text("{not json")
    assert bg.main([str(tmp_path), "--check", "--seed", str(SEED)]) == 1
    err = capsys.readouterr().err
    assert f"session {BROKEN}: {name}: labels on disk differ from the regenerated ones" in err
    assert f"session {BROKEN}: {name} (on disk): band exits differ" in err
    assert f"session 3: {bg.session_name(SEED, 3)}: csv differs from its regeneration (csv rows" in err
    assert f"session 6: {bg.session_name(SEED, 6)}: labels file does not load" in err
    assert len(err.strip().splitlines()) == 4 and "Traceback" not in err


def test_the_sessions_cover_the_models_the_generator_claims(sessions: list[Any]):
    assert {s.kind for s in sessions} == set(bg.KINDS)
    assert {s.sensor.kind for s in sessions} == set(bg.SENSORS)
    seen: set[str] = set()
    for s in sessions:
        seen |= s.models
        # the notes name the session and the models it was drawn with
        assert s.labels["notes"].startswith(f"Synthetic session (blind generator 4, seed {SEED}, "
                                            f"session {s.index}, attempt {s.attempt}).")
        assert f"Sensor: {s.sensor.desc}; unit {s.sensor.unit};" in s.labels["notes"]
        # levels are in the file's unit, times on the file's clock
        t0 = float(s.t_lab[0])
        assert all(h[0] >= t0 for h in s.labels["holds"])
    assert set(bg.CLAIMED) <= seen, sorted(set(bg.CLAIMED) - seen)
