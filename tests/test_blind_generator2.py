"""``tools/blind_generator2.py``: the same sessions for a seed and other ones for another, files the
scorer reads, a checker that passes a fresh run and catches a broken label, the models it claims, and
one sentence for a user's error. No detector runs here: the full evaluation is ``python
tools/blind_generator2.py OUT`` then ``python tools/score_detection.py --realdata OUT``."""

from __future__ import annotations

import copy
import dataclasses
import json
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from toolmods import load_tool

bg = load_tool("blind_generator2")
sd = load_tool("score_detection")

SEED = 9
# Seed 9's first four sessions have both hands, all three protocols and four sensors (an HX711 in kg,
# a BLE sensor with a dropout), fast steps and an ease, gives and fatigue, required and optional band
# exits (test_the_sessions_cover_the_models_the_generator_claims says so).
SESSIONS = 4


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("blind2")
    assert bg.main([str(out), "--sessions", str(SESSIONS), "--seed", str(SEED)]) == 0
    return out


@pytest.fixture(scope="module")
def sessions() -> list[Any]:
    return [bg.make_session(SEED, i) for i in range(SESSIONS)]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_the_same_seed_writes_the_same_bytes_and_another_seed_other_sessions(run: Path, tmp_path: Path):
    first = _files(run)
    assert len(first) == 2 * SESSIONS
    assert bg.main([str(tmp_path / "again"), "--sessions", "2", "--seed", str(SEED)]) == 0
    again = _files(tmp_path / "again")
    assert len(again) == 4 and all(first[name] == data for name, data in again.items())
    assert bg.main([str(tmp_path / "other"), "--sessions", "2", "--seed", str(SEED + 1)]) == 0
    other = _files(tmp_path / "other")
    names = [f"bg2_s{SEED + 1}_{i:03d}{ext}" for i in range(2) for ext in (".csv", ".labels.json")]
    assert sorted(other) == names
    assert not set(first.values()) & set(other.values())


def test_the_files_load_through_the_scorers_reader_in_newtons(run: Path, sessions: list[Any]):
    for s in sessions:
        csv = run / f"{s.name}.csv"
        t, force_n, labels, _ = sd.read_real(csv)
        assert labels == json.loads((run / f"{s.name}.labels.json").read_text())
        assert len(t) == len(s.stamps) == len(csv.read_text().splitlines()) - 1
        assert np.all(np.diff(t) >= 0)
        # The reader turns kg into N: every hold's median force is its level (in N) within 5 %.
        per_n = 9.80665 if labels["unit"] == "kg" else 1.0
        for a, b, level in labels["holds"]:
            inside = force_n[(t >= a) & (t <= b)]
            assert abs(np.median(inside) / (level * per_n) - 1) < 0.05, (s.name, a)
    assert {s.unit for s in sessions} == {"N", "kg"}


def test_the_checker_passes_a_fresh_run(run: Path, sessions: list[Any], capsys: pytest.CaptureFixture[str]):
    assert [bg.check_session(s) for s in sessions] == [[]] * SESSIONS
    assert bg.main([str(run), "--check", "--seed", str(SEED)]) == 0
    out = capsys.readouterr().out
    assert f"{SESSIONS}/{SESSIONS} sessions pass" in out and "| OK" in out and "FAIL" not in out


def _broken(s: Any, change: Callable[[dict[str, Any]], None]) -> str:
    labels = copy.deepcopy(s.labels)
    change(labels)
    return " ".join(bg.check_session(dataclasses.replace(s, labels=labels)))


def test_the_checker_catches_broken_labels(sessions: list[Any]):
    s = sessions[1]   # an HX711 in kg: four holds joined by fast steps, two releases
    assert bg.check_session(s) == []
    t_step, _ = s.labels["steps"][0]
    level = s.labels["holds"][0][2]

    def short_hold(lab: dict[str, Any]) -> None:
        lab["holds"][0][1] = lab["holds"][0][0] + 1.2

    def small_step(lab: dict[str, Any]) -> None:
        lab["holds"][1][2] = round(level * 1.05, 4)

    def wrong_way(lab: dict[str, Any]) -> None:
        lab["steps"][0][1] = "down" if lab["steps"][0][1] == "up" else "up"

    def extra_exit(lab: dict[str, Any]) -> None:
        lab["band_exits"].append([lab["holds"][0][0] + 2.0, "high"])

    def late_release(lab: dict[str, Any]) -> None:
        lab["releases"][0] += 3.0

    assert "hold 0 shorter than 1.5 s (1.20)" in _broken(s, short_hold)
    assert f"step {t_step:.3f} only 5.0%" in _broken(s, small_step)
    assert f"step {t_step:.3f} direction" in _broken(s, wrong_way)
    assert "force not outside the band" in _broken(s, extra_exit)
    assert "is not at a hold end" in _broken(s, late_release)
    # A designed exit left out: the naive alert still sees it.
    both = sessions[2]
    assert both.labels["band_exits"] and bg.check_session(both) == []
    assert "vs naive" in _broken(both, lambda lab: lab["band_exits"].pop())


def test_check_mode_fails_a_file_that_was_changed(run: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]):
    for p in run.iterdir():
        shutil.copy(p, tmp_path / p.name)
    labels = tmp_path / f"{bg.session_name(SEED, 0)}.labels.json"
    labels.write_text(labels.read_text().replace('"holds": [\n  [\n   ', '"holds": [\n  [\n   1', 1))
    csv = tmp_path / f"{bg.session_name(SEED, 2)}.csv"
    csv.write_text(csv.read_text().replace(",", ",1", 5))
    assert bg.main([str(tmp_path), "--check", "--seed", str(SEED)]) == 1
    out = capsys.readouterr().out
    assert "bg2_s9_000.csv: labels differ from a regeneration" in out
    assert "bg2_s9_002.csv: csv differs from a regeneration" in out
    assert f"{SESSIONS - 2}/{SESSIONS} sessions pass" in out


def test_the_sessions_cover_the_models_the_generator_claims(sessions: list[Any]):
    assert {s.hand for s in sessions} == set(bg.HANDS)
    assert {s.protocol for s in sessions} == set(bg.PROTOCOLS)
    assert {s.sensor.kind for s in sessions} == {"daq2k", "hx711", "ble", "arduino10"}
    seen: Counter[str] = Counter()
    for s in sessions:
        seen.update(o.h.next.kind for o in s.out)
        seen.update(o.h.mod for o in s.out)
        seen["dropout"] += len(s.drops)
        seen["band exit"] += len(s.labels["band_exits"])
        seen["optional exit"] += len(s.labels["band_exits_optional"])
        # the notes name the models the session was drawn with
        hand = "an intermittent" if s.hand == "submove" else "a first-order"
        assert s.labels["notes"].startswith(f"Hand: {hand}")
        assert bg.PROTOCOL_TEXT[s.protocol] in s.labels["notes"]
    want = ["step-fast", "step-slow", "release", "creep", "give", "fatigue", "dropout", "band exit",
            "optional exit"]
    assert all(seen[k] > 0 for k in want), seen


@pytest.mark.parametrize(("args", "says"), [
    (["{file}/out"], "cannot write the sessions to"),
    (["{tmp}/out", "--sessions", "0"], "argument --sessions: must be a whole number of at least 1, not '0'"),
    (["{tmp}/out", "--sessions", "many"], "argument --sessions: must be a whole number"),
    (["{tmp}/out", "--seed", "-1"], "argument --seed: must be a whole number of at least 0"),
    (["{tmp}/missing", "--check"], "is no folder"),
    (["{tmp}", "--check"], "holds no session of seed 1"),
    ([], "required: OUT"),
])
def test_a_users_error_ends_in_one_sentence_and_exit_2(args: list[str], says: str, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]):
    (tmp_path / "file").write_text("not a folder")
    argv = [a.format(tmp=tmp_path, file=tmp_path / "file") for a in args]
    assert bg.main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and says in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
