"""``tools/blind_generator7.py``, the seventh blind generator (written from the contract alone): its
files load with score_detection's reader, every model appears and is visible in the data, ``--check``
passes a fresh run and names a changed file, the second reader catches wrong labels, and user errors
exit 2 with one sentence. Fast: one seed of 15 sessions (all models), built once. (Written with the
generator by the helper who wrote it; ported unchanged but for where it finds the tools.)
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from toolmods import TOOLS, load_tool

SEED = int(os.environ.get("BG7_TEST_SEED", "3"))
SESSIONS = 15

g = load_tool("blind_generator7")


@pytest.fixture(scope="module")
def sd() -> ModuleType:
    return load_tool("score_detection")


@pytest.fixture(scope="module")
def sessions() -> list[Any]:
    return [g.build_session(SEED, i) for i in range(SESSIONS)]


@pytest.fixture(scope="module")
def seed_dir(tmp_path_factory: pytest.TempPathFactory, sessions: list[Any]) -> Path:
    """The seed's files as generate() writes them (--check below regenerates and compares them)."""
    out = tmp_path_factory.mktemp("bg7")
    for s in sessions:
        g.write_session(out, s)
    return out


@pytest.fixture(scope="module")
def loaded(seed_dir: Path, sd: ModuleType) -> dict[str, tuple[np.ndarray, np.ndarray, dict[str, Any]]]:
    out = {}
    for p in sorted(seed_dir.glob("*.csv")):
        t, f, labels, _ = sd.read_real(p)
        out[p.stem] = (t, f, labels)
    return out


# --------------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------------
def test_files_load_with_read_real(seed_dir: Path, sd: ModuleType,
                                   loaded: dict[str, tuple[np.ndarray, np.ndarray, dict[str, Any]]]) -> None:
    assert len(loaded) == SESSIONS
    for name, (t, f, labels) in loaded.items():
        assert labels is not None, name
        assert np.all(np.diff(t) >= 0.0) and np.all(np.isfinite(f)), name
        assert 40.0 <= t[-1] - t[0] <= 201.0, name
        truth = sd.truth_from_labels(labels)
        kinds = {k: sum(x["kind"] == k and not x.get("optional") for x in truth)
                 for k in ("hold", "step", "release", "band_exit")}
        assert kinds == {"hold": len(labels["holds"]), "step": len(labels["steps"]),
                         "release": len(labels["releases"]), "band_exit": len(labels["band_exits"])}, name
        assert kinds["hold"] >= 1 and kinds["release"] >= 1
        assert set(labels) >= {"unit", "time_column", "force_column", "holds", "steps", "releases", "notes",
                               "band_exits", "band_exits_optional", "holds_ended_by", "models", "generator"}
        assert len(labels["holds_ended_by"]) == len(labels["holds"])
        assert set(labels["models"]) <= set(g.ALL_MODELS)
        # every labelled hold lies on the recording near its level (the scorer's level check)
        assert sd.level_checks(t, f, truth) == [], name
        for a, b, _lv in labels["holds"]:
            assert t[0] <= a < b <= t[-1]


# --------------------------------------------------------------------------------------------------
# Every model appears and is visible in the data
# --------------------------------------------------------------------------------------------------
def _window(t: np.ndarray, f: np.ndarray, a: float, b: float) -> np.ndarray:
    return f[(t >= a) & (t <= b)]


def _excursion_times(s: Any, kind: str) -> list[tuple[float, float, tuple[float, ...]]]:
    return [(s.label_time(e.t0), s.label_time(e.t1), e.params)
            for h in s.plan.holds for e in h.excursions if e.kind == kind]


def see_twitch(s: Any, t: np.ndarray, f: np.ndarray, lab: dict[str, Any]) -> bool:
    for t0, _t1, p in _excursion_times(s, "twitch"):
        pre = float(np.median(_window(t, f, t0 - 1.0, t0)))
        if float(np.max(_window(t, f, t0, t0 + 0.45))) - pre >= 0.4 * p[0] * pre:
            return True
    return False


def see_jump(s: Any, t: np.ndarray, f: np.ndarray, lab: dict[str, Any]) -> bool:
    return any(np.min(_window(t, f, t0, t0 + 0.9)) < 0.8 * np.median(_window(t, f, t0 - 1.0, t0))
               for t0, _t1, _p in _excursion_times(s, "jump_sign"))


def see_probe(s: Any, t: np.ndarray, f: np.ndarray, lab: dict[str, Any]) -> bool:
    return any(np.max(_window(t, f, t0, t0 + 0.9)) > 1.12 * np.median(_window(t, f, t0 - 1.0, t0))
               for t0, _t1, _p in _excursion_times(s, "recheck_probe"))


def see_drift(s: Any, t: np.ndarray, f: np.ndarray, lab: dict[str, Any]) -> bool:
    for t0, t1, _p in _excursion_times(s, "drift_correct"):
        pre = float(np.median(_window(t, f, t0 - 1.0, t0)))
        dev = _window(t, f, t0, t1) / pre - 1.0
        after = float(np.median(_window(t, f, t1 + 0.5, t1 + 1.5))) / pre - 1.0
        if np.max(np.abs(dev)) > 0.1 and abs(after) < 0.06:
            return True
    return False


def see_lean(s: Any, t: np.ndarray, f: np.ndarray, lab: dict[str, Any]) -> bool:
    """Lean forces (>= 140 N) and a sway peak at 0.08-0.3 Hz in a long hold."""
    per = g.UNITS[lab["unit"]]
    for a, b, lv in lab["holds"]:
        if lv * per < 140.0 or b - a < 8.0:
            continue
        x = _window(t, f, a + 0.5, b - 0.5)
        tt = np.linspace(a + 0.5, b - 0.5, 512)
        xi = np.interp(tt, t[(t >= a + 0.5) & (t <= b - 0.5)], x)
        xi = xi - np.polyval(np.polyfit(tt, xi, 1), tt)
        spec = np.abs(np.fft.rfft(xi * np.hanning(xi.size))) ** 2
        fr = np.fft.rfftfreq(xi.size, tt[1] - tt[0])
        low = spec[(fr >= 0.08) & (fr <= 0.3)]
        mid = spec[(fr >= 0.6) & (fr <= 3.0)]
        if low.size and np.max(low) > 20.0 * np.mean(mid):
            return True
    return False


def see_ischemic(s: Any, t: np.ndarray, f: np.ndarray, lab: dict[str, Any]) -> bool:
    """Three or more consecutive up-steps of 10-25 % in the data."""
    med = [float(np.median(_window(t, f, a, b))) for a, b, _ in lab["holds"]]
    run = best = 0
    for i, how in enumerate(lab["holds_ended_by"][:-1]):
        r = med[i + 1] / med[i] - 1.0
        run = run + 1 if how == "step" and 0.10 <= r <= 0.27 else 0
        best = max(best, run)
    return best >= 3


def see_ratchet(s: Any, t: np.ndarray, f: np.ndarray, lab: dict[str, Any]) -> bool:
    """Four or more separate jerks (velocity bursts) in a slow step."""
    rate = (t.size - 1) / (t[-1] - t[0])      # rows per second (batched timestamps repeat)
    for h in s.plan.holds:
        if not h.slow:
            continue
        a, b = s.label_time(h.a0) - 0.2, s.label_time(h.a1) + 0.2
        x = _window(t, f, a, b)
        k = max(1, round(0.06 * rate))
        v = np.abs(np.gradient(np.convolve(x, np.ones(k) / k, mode="same"))) * rate
        fast = v > 0.15 * np.max(v[k:-k])
        if int(np.sum(np.diff(fast[k:-k].astype(int)) == 1)) >= 4:
            return True
    return False


def see_foam(s: Any, t: np.ndarray, f: np.ndarray, lab: dict[str, Any]) -> bool:
    """Where the applied force is steady but a pad would still be relaxing, the file matches the sensor
    with the pad at least twice as well as the same sensor without it."""
    sp = s.plan.sensor
    if sp.foam is None:
        return False
    dt = s.t_fine[1] - s.t_fine[0]
    bare = g.respond(dataclasses.replace(sp, foam=None), s.applied, dt)
    steady = np.abs(np.gradient(s.applied, dt)) < 0.01 * np.maximum(s.applied, 1.0)
    differ = np.abs(s.y_fine - bare) > 0.01 * np.maximum(s.y_fine, 1.0)
    look = steady & differ
    dev_t = t - s.label_time(0.0)
    at = np.interp(dev_t, s.t_fine, look.astype(float)) > 0.99
    if at.sum() < 5:
        return False
    with_pad = np.abs(f[at] - np.interp(dev_t[at], s.t_fine, s.y_fine))
    without = np.abs(f[at] - np.interp(dev_t[at], s.t_fine, bare))
    return bool(np.median(without) > 2.0 * np.median(with_pad))


def see_clip(s: Any, t: np.ndarray, f: np.ndarray, lab: dict[str, Any]) -> bool:
    """A flat rail: the file's largest value repeated over >= 2 s of consecutive rows."""
    top = f == np.max(f)
    runs = np.diff(np.concatenate(([0], top.astype(int), [0])))
    starts, ends = np.flatnonzero(runs == 1), np.flatnonzero(runs == -1)
    return bool(np.any(t[ends - 1] - t[starts] >= 2.0))


def see_piezo(s: Any, t: np.ndarray, f: np.ndarray, lab: dict[str, Any]) -> bool:
    """Releases undershoot below zero; holds decay."""
    last = lab["releases"][-1]
    rest = _window(t, f, last + 1.5, t[-1])
    a, b, _ = lab["holds"][0]
    first, end = np.median(_window(t, f, a, a + 1.0)), np.median(_window(t, f, b - 1.0, b))
    return bool(np.median(rest) < -0.2 and end < first)


def see_sinc3(s: Any, t: np.ndarray, f: np.ndarray, lab: dict[str, Any]) -> bool:
    """10 conversions per second, and around moves the file follows the force through a 0.3-s sinc^3
    response (the label signal) far better than the applied force itself."""
    dt = float(np.median(np.diff(t)))
    if not 0.098 <= dt <= 0.102:
        return False
    dev_t = t - s.label_time(0.0)
    moving = np.abs(np.gradient(np.interp(dev_t, s.t_fine, s.applied), dev_t)) > 5.0
    filtered = np.abs(f - np.interp(dev_t, s.t_fine, s.y_fine))[moving]
    raw = np.abs(f - np.interp(dev_t, s.t_fine, s.applied))[moving]
    return bool(moving.sum() >= 20 and np.median(raw) > 3.0 * np.median(filtered))


def see_hysteresis(s: Any, t: np.ndarray, f: np.ndarray, lab: dict[str, Any]) -> bool:
    """The loop's first and last holds (same applied force) read >= 1 % apart once settled."""
    for i, j in s.plan.loops:
        a = np.median(_window(t, f, lab["holds"][i][0] + 0.3, lab["holds"][i][0] + 1.8))
        b = np.median(_window(t, f, lab["holds"][j][0] + 0.3, lab["holds"][j][0] + 1.8))
        if abs(b / a - 1.0) >= 0.01:
            return True
    return False


def see_usb(s: Any, t: np.ndarray, f: np.ndarray, lab: dict[str, Any]) -> bool:
    d = np.diff(t)
    return bool(np.mean(d == 0.0) > 0.5 and np.median(d[d > 0]) >= 0.035)


def see_clock(s: Any, t: np.ndarray, f: np.ndarray, lab: dict[str, Any]) -> bool:
    d = np.diff(t)
    period = float(np.median(d))
    return bool(t[0] > 1.5e9 and np.sum(d > period + 0.04) == 1 and np.all(d > 0))


def see_grams(s: Any, t: np.ndarray, f: np.ndarray, lab: dict[str, Any]) -> bool:
    return bool(lab["unit"] == "g" and float(np.max(f)) / g.UNITS["g"] >= 1000.0)


VISIBLE: dict[str, Callable[[Any, np.ndarray, np.ndarray, dict[str, Any]], bool]] = {
    "twitch": see_twitch, "jump_sign": see_jump, "recheck_probe": see_probe, "drift_correct": see_drift,
    "body_lean": see_lean, "ischemic_steps": see_ischemic, "ratchet_ease": see_ratchet, "foam_pad": see_foam,
    "clip_fullscale": see_clip, "piezo_ac": see_piezo, "sinc3_10sps": see_sinc3,
    "hysteresis_bow": see_hysteresis, "usb_batch": see_usb, "clock_step": see_clock, "unit_g": see_grams,
}


def test_every_model_has_a_visibility_check() -> None:
    assert set(VISIBLE) == set(g.ALL_MODELS)


@pytest.mark.parametrize("model", sorted(VISIBLE))
def test_model_appears_and_is_visible(model: str, sessions: list[Any],
                                      loaded: dict[str, tuple[np.ndarray, np.ndarray, dict[str, Any]]]
                                      ) -> None:
    claiming = [s for s in sessions if model in loaded[s.name][2]["models"]]
    assert claiming, f"no session of seed {SEED} claims {model}"
    seen = [s.name for s in claiming if VISIBLE[model](s, *loaded[s.name][:2], loaded[s.name][2])]
    assert seen, f"{model} claimed by {[s.name for s in claiming]} but visible in none"


# --------------------------------------------------------------------------------------------------
# --check and the second reader
# --------------------------------------------------------------------------------------------------
def test_check_passes_a_fresh_run(seed_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert g.main([str(seed_dir), "--seed", str(SEED), "--sessions", str(SESSIONS), "--check"]) == 0
    assert capsys.readouterr().err == ""


@pytest.fixture()
def small_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Path]:
    assert g.main([str(tmp_path), "--seed", "11", "--sessions", "2"]) == 0
    assert capsys.readouterr().out.startswith("wrote 2 sessions")
    yield tmp_path


def test_check_names_a_changed_file(small_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = small_dir / "bg7_s11_001.csv"
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[-5] = lines[-5].replace(",", ",1")
    csv.write_text("".join(lines), encoding="utf-8")
    assert g.main([str(small_dir), "--seed", "11", "--sessions", "2", "--check", "--quiet"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"{csv}: differs from the regenerated file"]


def test_check_finds_missing_and_foreign_files(small_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (small_dir / "bg7_s11_000.labels.json").unlink()
    (small_dir / "bg7_s11_007.csv").write_text("t_s,force_N\n", encoding="utf-8")
    assert g.main([str(small_dir), "--seed", "11", "--sessions", "2", "--check", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "bg7_s11_000.labels.json: missing" in err and "bg7_s11_007.csv: not a file" in err


def test_second_reader_agrees_with_every_label(sessions: list[Any], seed_dir: Path) -> None:
    for s in sessions:
        disk = json.loads((seed_dir / f"{s.name}.labels.json").read_text(encoding="utf-8"))
        assert g.compare_labels(g.reader_labels_for(s), disk) == [], s.name


def _mutations(d: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []

    def mut(name: str, fn: Callable[[dict[str, Any]], None]) -> None:
        c = json.loads(json.dumps(d))
        fn(c)
        out.append((name, c))

    if d["steps"]:
        mut("step moved 0.8 s", lambda c: c["steps"][0].__setitem__(0, c["steps"][0][0] + 0.8))
        mut("step direction", lambda c: c["steps"][0].__setitem__(1, "up" if c["steps"][0][1] == "down"
                                                                     else "down"))
    mut("release dropped", lambda c: c["releases"].pop())
    mut("release moved 0.6 s", lambda c: c["releases"].__setitem__(0, c["releases"][0] - 0.6))
    mut("hold level +5 %", lambda c: c["holds"][0].__setitem__(2, c["holds"][0][2] * 1.05))
    mut("hold start 1 s late", lambda c: c["holds"][0].__setitem__(0, c["holds"][0][0] + 1.0))
    mut("hold dropped", lambda c: c["holds"].pop())
    mut("ended by", lambda c: c["holds_ended_by"].__setitem__(0, "left"))
    mut("extra band exit", lambda c: c["band_exits"].append([c["holds"][0][0] + 2.0, "high"]))
    if d["band_exits"]:
        mut("exit direction", lambda c: c["band_exits"][0].__setitem__(
            1, "high" if c["band_exits"][0][1] == "low" else "low"))
        mut("exit 0.6 s late", lambda c: c["band_exits"][0].__setitem__(0, c["band_exits"][0][0] + 0.6))
    return out


def test_second_reader_catches_wrong_labels(sessions: list[Any]) -> None:
    tried = 0
    for s in sessions[:6]:
        right = json.loads(s.labels_text)
        mine = g.reader_labels_for(s)
        assert g.compare_labels(mine, right) == []
        for name, wrong in _mutations(right):
            tried += 1
            assert g.compare_labels(mine, wrong), f"{s.name}: the reader missed '{name}'"
    assert tried >= 40


def test_check_reports_wrong_labels_through_the_reader(small_dir: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    p = small_dir / "bg7_s11_000.labels.json"
    d = json.loads(p.read_text(encoding="utf-8"))
    d["releases"][0] += 0.7
    p.write_text(json.dumps(d), encoding="utf-8")
    assert g.main([str(small_dir), "--seed", "11", "--sessions", "2", "--check", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"{p}: differs from the regenerated file" in err
    assert f"{p}: second reader: release" in err


def test_plan_labels_are_on_the_right_side_of_the_thresholds(sessions: list[Any]) -> None:
    """Label-signal facts the Definitions turn on, re-measured here without the generator's code."""
    for s in sessions:
        y, t, lab = s.y_fine, s.t_fine, s.labels
        dt = t[1] - t[0]
        steps = {round(x, 6): d for x, d in lab.steps}
        exits = [x for x, _ in lab.exits]
        for k, ((a, b, lv), how) in enumerate(zip(lab.holds, lab.ended_by, strict=True)):
            assert b - a >= 3.0
            inside = y[(t >= a) & (t <= b)]
            assert np.median(np.abs(inside / lv - 1.0)) < 0.05 and inside.min() > 2.0
            if how == "release":
                after = y[(t >= b + 1.6) & (t <= b + 2.6)]
                assert np.all(after < min(0.15 * lv, 2.0)), f"{s.name}: release at {b:.2f} s"
            else:
                r = lab.holds[k + 1][2] / lv - 1.0
                assert abs(r) >= 0.13 and steps[round(b, 6)] == ("up" if r > 0 else "down")
            # every stay of >= 0.15 s outside the band after confirmation is a labelled exit (at its start)
            m = (t >= a + 1.5) & (t < b)
            out = np.abs(y[m] / lv - 1.0) > 0.10
            edges = np.diff(np.concatenate(([0], out.astype(int), [0])))
            for r0, r1 in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
                if (r1 - r0) * dt >= 0.15:
                    t0 = t[m][r0]
                    assert any(abs(x - t0) < 0.01 for x in exits) or \
                        any(x < t0 and t0 - x < 1.2 for x in exits), f"{s.name}: unlabelled exit {t0:.2f} s"
                else:
                    assert (r1 - r0) * dt < 0.07, f"{s.name}: {1000 * (r1 - r0) * dt:.0f} ms outside the band"


def test_deterministic(sessions: list[Any]) -> None:
    again = g.build_session(SEED, 1)
    assert again.csv_text == sessions[1].csv_text and again.labels_text == sessions[1].labels_text


# --------------------------------------------------------------------------------------------------
# User errors
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [
    ["OUT", "--seed", "x"],
    [],
    ["OUT"],
    ["OUT", "--seed", "1", "--sessions", "0"],
    ["OUT", "--seed", "-3"],
    ["OUT", "--seed", "1", "--frobnicate"],
    ["/proc/no/such/dir", "--seed", "1"],
    ["FILE", "--seed", "1"],
    ["MISSING", "--seed", "1", "--check"],
])
def test_user_errors_exit_2_with_one_sentence(args: list[str], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "FILE").write_text("x", encoding="utf-8")
    args = [str(tmp_path / a) if a in ("OUT", "FILE", "MISSING") else a for a in args]
    assert g.main(args) == 2
    cap = capsys.readouterr()
    err = cap.err.strip()
    assert err and "\n" not in err and err.endswith("."), err
    assert cap.out == ""
    assert not (tmp_path / "OUT").exists()


def test_user_error_as_a_process_has_no_traceback(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, str(TOOLS / "blind_generator7.py"), str(tmp_path), "--seed", "one"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr and r.stdout == ""
