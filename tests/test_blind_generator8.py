"""tools/blind_generator8.py: its files load with the project's reader, every model appears in one seed of
15 sessions and shows in the data, ``--check`` passes on a fresh run and names a changed file, the second
reader catches a wrong label, and user errors exit 2 with one sentence."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from toolmods import load_tool

g = load_tool("blind_generator8")
sd = load_tool("score_detection")
TOOL = Path(__file__).resolve().parent.parent / "tools" / "blind_generator8.py"
SEED = 3
N_SESSIONS = 15
N_WRITTEN = 3


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOOL), *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def sessions() -> list[Any]:
    return [g.build_session(SEED, i) for i in range(N_SESSIONS)]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bg8") / "out"
    res = run_tool(str(out), "--seed", str(SEED), "--sessions", str(N_WRITTEN), "--jobs", "1")
    assert res.returncode == 0, res.stderr
    return out


# ---------------------------------------------------------------------------------------------------------
# Files and the project's reader
# ---------------------------------------------------------------------------------------------------------
def test_files_load_with_the_project_reader(written: Path, sessions: list[Any]) -> None:
    csvs = sorted(written.glob("bg8_s3_*.csv"))
    assert [p.name for p in csvs] == [f"bg8_s3_{i:03d}.csv" for i in range(N_WRITTEN)]
    for i, path in enumerate(csvs):
        t, f, labels, _ = sd.read_real(path)
        s = sessions[i]
        assert labels is not None and labels["unit"] in ("N", "kg", "g", "lb", "lbf")
        assert labels["force_column"] == s.force_column and labels["time_column"] == s.time_column
        assert len(t) == len(s.t) and np.all(np.diff(t) > 0)
        np.testing.assert_allclose(t, s.t, rtol=0, atol=1e-6)
        np.testing.assert_allclose(f, s.f * g.UNIT_N[s.unit], rtol=1e-9, atol=1e-9)
        truth = sd.truth_from_labels(labels)
        kinds = {x["kind"] for x in truth}
        assert {"hold", "release"} <= kinds
        assert len(labels["holds_ended_by"]) == len(labels["holds"])
        # each labelled level is where the recorded force sits just after the hold's start
        for a, _b, lv in labels["holds"]:
            seg = f[(t >= a + 0.2) & (t <= a + 1.5)]
            assert abs(np.median(seg) / (lv * g.UNIT_N[s.unit]) - 1) < 0.03


def test_labels_follow_the_definitions(sessions: list[Any]) -> None:
    for s in sessions:
        lab = s.labels
        holds = lab["holds"]
        for (a, b, lv), by in zip(holds, lab["holds_ended_by"], strict=True):
            assert b - a >= 4.0 and lv > 0 and by in ("step", "release", "end_of_data")
        for (_, b1, l1), (a2, _, l2), by in zip(holds, holds[1:], lab["holds_ended_by"], strict=False):
            if by == "step":
                assert min(abs(l2 / l1 - 1), abs(l1 / l2 - 1)) >= 0.18 and 0 < a2 - b1 <= 6.5
        assert [t for t, _ in lab["steps"]] == [
            b for (_, b, _), by in zip(holds, lab["holds_ended_by"], strict=True) if by == "step"
        ]
        for t, d in lab["band_exits"]:
            assert d in ("high", "low")
            assert any(a + 1.5 <= t < b for a, b, _ in holds), (s.name, t)
        assert len(s.csv_text) < 2_500_000


def test_deterministic() -> None:
    a, b = g.build_session(SEED, 1), g.build_session(SEED, 1)
    assert a.csv_text == b.csv_text and a.labels_text == b.labels_text
    assert a.labels["generator"].endswith(f"attempt {a.attempt}")


# ---------------------------------------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------------------------------------
def _movavg(x: np.ndarray, k: float) -> np.ndarray:
    k = max(1, int(k))
    c = np.concatenate([[0.0], np.cumsum(x)])
    out = (c[k:] - c[:-k]) / k
    return np.concatenate([np.full(k // 2, out[0]), out, np.full(len(x) - len(out) - k // 2, out[-1])])


def _span(s: Any, a: float, b: float) -> np.ndarray:
    return s.f[(s.t >= a) & (s.t <= b)] * s.factor


def _holds_n(s: Any) -> list[tuple[float, float, float]]:
    return [(a, b, lv * s.factor) for a, b, lv in s.labels["holds"]]


def _rate(s: Any) -> float:
    return float(1.0 / np.median(np.diff(s.t)))


def _band_rms(x: np.ndarray, rate: float, lo: float, hi: float) -> float:
    x = x - x.mean()
    sp = np.fft.rfft(x * np.hanning(len(x)))
    fr = np.fft.rfftfreq(len(x), 1 / rate)
    return float(np.sqrt(np.sum(np.abs(sp[(fr >= lo) & (fr <= hi)]) ** 2)) / len(x))


def vis_myofascial(s: Any) -> bool:
    return any(b - a >= 60 and 7.0 <= lv <= 41.0 for a, b, lv in _holds_n(s))


def vis_counterstrain(s: Any) -> bool:
    return any(b - a >= 30 and 2.8 <= lv <= 8.7 for a, b, lv in _holds_n(s))


def vis_stroking(s: Any) -> bool:
    ok = []
    for st in s.info["strokes"]:
        a, b = s.file_time(st["t0"] + 0.5), s.file_time(st["t1"] - 0.5)
        seg = _span(s, a, b)
        swing = (np.percentile(seg, 95) - np.percentile(seg, 5)) / np.median(seg)
        ok.append(swing >= 0.6 and seg.min() > 2.0 and all(hb < a or ha > b for ha, hb, _ in _holds_n(s)))
    return bool(ok) and all(ok)


def vis_reinforced(s: Any) -> bool:
    ok = []
    for r in s.info["reinforced"]:
        tf = s.file_time(r["t"] + r["Tf"])
        lv = next(h[2] for h in _holds_n(s) if h[0] > s.file_time(r["t"]))
        early = _span(s, tf, tf + 0.4)  # just after the fast part: not there yet
        late = _span(s, tf + 1.5, tf + 2.5)  # the settle done
        ok.append(np.mean(early) / lv <= 0.99 and abs(np.median(late) / lv - 1) <= 0.01)
    return bool(ok) and all(ok)


def vis_pause(s: Any) -> bool:
    ok = []
    for p in s.info["pauses"]:
        a, b = s.file_time(p["t0"]), s.file_time(p["t1"])
        ok.append(b - a >= 8.0 and float(np.mean(_span(s, a, b) > 2.0)) < 0.06)
    return bool(ok) and all(ok)


def vis_fatigue(s: Any) -> bool:
    """Tremor (7.5-12 Hz) grows: the last hold's over the first's, where the sensor can show it."""
    rate = _rate(s)
    holds = _holds_n(s)
    if rate < 90 or s.info["config"].sensor == "serial_burst" or len(holds) < 2:
        return s.info["trem_env"][1] >= 3.0 * s.info["trem_env"][0]
    f = s.f * s.factor
    v = []
    for a, b, lv in holds:
        m = (s.t > a + 1.0) & (s.t < min(b, a + 8.0) - 0.3)
        v.append(_band_rms(f[m], rate, 7.5, 12.0) / lv)
    return v[-1] >= 1.3 * v[0]


def vis_damped(s: Any) -> bool:
    """Overdamped arrivals: a long tail, 90->97 % takes over a third of 10->90 %."""
    f = _movavg(s.f * s.factor, 1)
    ratios = []
    for a, _b, lv in _holds_n(s):
        m = (s.t > a - 3) & (s.t < a + 1.0)
        tt, ff = s.t[m], f[m]
        if ff[0] > 0.2 * lv:
            continue

        def cross(fr: float, tt: np.ndarray = tt, ff: np.ndarray = ff, lv: float = lv) -> float:
            y = ff[0] + fr * (lv - ff[0])
            k = max(1, int(np.argmax(ff >= y)))
            return float(np.interp(y, ff[k - 1 : k + 1], tt[k - 1 : k + 1]))

        ratios.append((cross(0.97) - cross(0.9)) / (cross(0.9) - cross(0.1)))
    return bool(ratios) and max(ratios) >= 0.35


def vis_dip(s: Any) -> bool:
    ok = []
    for d in s.info["dips"]:
        t0, tm = s.file_time(d["t0"]), s.file_time(d["t_main"])
        lv = next(h[2] for h in _holds_n(s) if h[0] < t0 < h[1] + 1)
        pre = np.median(_span(s, t0 - 0.8, t0 - 0.1)) / lv
        dip = np.median(_span(s, tm - 0.2, tm + 0.1)) / lv
        ok.append(dip <= 0.985 * pre)
    return bool(ok) and all(ok)


def vis_rocking(s: Any) -> bool:
    ok = []
    for r in s.info["rocks"]:
        a, b = s.file_time(r["t0"]), s.file_time(r["t1"])
        lv = next(h[2] for h in _holds_n(s) if h[0] < a < h[1])
        ok.append(float(np.min(_movavg(_span(s, a, b), 3))) / lv <= 0.88)
    return bool(ok) and all(ok)


def vis_resonant(s: Any) -> bool:
    """A spectral peak at the fixture's resonance in the loaded force."""
    rate, f = s.info["rate"], s.f * s.factor
    r = (f - _movavg(f, rate / 12))[f > 3.0]
    x = r[: (len(r) // 1024) * 1024].reshape(-1, 1024)
    spec = np.mean(np.abs(np.fft.rfft(x * np.hanning(1024), axis=1)) ** 2, axis=0)
    fr = np.fft.rfftfreq(1024, 1 / rate)
    band = (fr > 14) & (fr < 48)
    peak = fr[band][np.argmax(spec[band])]
    return abs(peak - s.info["f0"]) < 2.0 and spec[band].max() > 10 * np.median(spec[band])


def vis_hx711(s: Any) -> bool:
    d = np.diff(s.t)
    return float(np.mean(np.diff(s.f) == 0)) > 0.4 and np.std(d) / np.mean(d) > 0.03


def vis_rate_switch(s: Any) -> bool:
    ts = s.file_time(s.info["t_switch"])
    d1, d2 = np.median(np.diff(s.t[s.t < ts])), np.median(np.diff(s.t[s.t > ts + 1]))
    r1, r2 = s.info["rates"]
    return abs(d1 * r1 - 1) < 0.05 and abs(d2 * r2 - 1) < 0.05 and np.max(np.diff(s.t)) >= 0.1


def vis_serial(s: Any) -> bool:
    d = np.diff(s.t)
    return float(np.mean(d < 0.002)) > 0.2 and d.max() > 0.06


def vis_lossy(s: Any) -> bool:
    lost = s.info["lost"]
    return len(lost) >= 0.004 * len(s.t) and bool(np.all(s.f[lost] == s.f[lost - 1]))


def vis_float32(s: Any) -> bool:
    t = s.t
    return t[0] >= 512.0 and float(np.max(np.abs(t.astype(np.float32).astype(float) - t))) <= 1e-5


def vis_tare(s: Any) -> bool:
    f = s.f * s.factor
    rest = f[: max(5, int(np.argmax(f > 2.0)) - 3)]
    off, tol = s.info["offset_n"], 0.03 + 3 * s.info["noise_n"] / np.sqrt(len(rest))
    return s.unit in ("g", "lb") and abs(off) >= 0.15 and abs(float(np.median(rest)) - off) < tol


VISIBLE: dict[str, Callable[[Any], bool]] = {
    "myofascial_release": vis_myofascial,
    "strain_counterstrain": vis_counterstrain,
    "deep_stroking": vis_stroking,
    "reinforced_thumb": vis_reinforced,
    "repositioning_pause": vis_pause,
    "fatigued_therapist": vis_fatigue,
    "damped_hand": vis_damped,
    "pre_release_dip": vis_dip,
    "rocking_tip": vis_rocking,
    "resonant_cell": vis_resonant,
    "hx711_fast_poll": vis_hx711,
    "rate_switch": vis_rate_switch,
    "serial_burst": vis_serial,
    "lossy_repeat": vis_lossy,
    "float32_time": vis_float32,
    "tare_units": vis_tare,
}


def test_every_model_appears_in_one_seed(sessions: list[Any]) -> None:
    assert set(VISIBLE) == set(g.ALL_MODELS)
    seen = {m for s in sessions for m in s.models}
    assert seen == set(g.ALL_MODELS)
    assert len(g.PROTOCOLS) + len(g.HANDS) >= 6 and len(g.SENSORS) + len(g.TRANSPORTS) >= 4


@pytest.mark.parametrize("model", sorted(g.ALL_MODELS))
def test_model_is_visible_in_the_data(sessions: list[Any], model: str) -> None:
    having = [s for s in sessions if model in s.models]
    assert having
    shown = [s.name for s in having if VISIBLE[model](s)]
    if model == "fatigued_therapist":  # tremor growth needs a fast sensor and two holds: one such is enough
        assert shown, model
    else:
        assert len(shown) == len(having), (model, [s.name for s in having if s.name not in shown])


def test_every_label_kind_is_present(sessions: list[Any]) -> None:
    ended = {e for s in sessions for e in s.labels["holds_ended_by"]}
    assert {"step", "release", "end_of_data"} <= ended
    assert any(s.labels["band_exits_optional"] for s in sessions)
    assert {d for s in sessions for _, d in s.labels["band_exits"]} == {"high", "low"}
    assert {d for s in sessions for _, d in s.labels["steps"]} == {"up", "down"}
    assert any(s.info["strokes"] for s in sessions)
    rates = {
        round(_rate(s)) for s in sessions if s.info["config"].sensor in ("resonant_cell", "lossy_repeat")
    }
    assert min(rates) <= 100 and max(rates) >= 250


# ---------------------------------------------------------------------------------------------------------
# The second reader
# ---------------------------------------------------------------------------------------------------------
def test_second_reader_agrees_and_catches_wrong_labels(sessions: list[Any]) -> None:
    s = next(x for x in sessions if x.labels["steps"] and x.labels["band_exits"])
    labels = json.loads(s.labels_text)
    assert g.reader_check(s, labels) == []

    def broken(edit: Callable[[dict[str, Any]], None]) -> list[str]:
        lab = copy.deepcopy(labels)
        edit(lab)
        return g.reader_check(s, lab)

    def shift_step(lab: dict[str, Any]) -> None:
        lab["steps"][0][0] += 1.0

    def flip_step(lab: dict[str, Any]) -> None:
        lab["steps"][0][1] = "down" if lab["steps"][0][1] == "up" else "up"

    def drop_exit(lab: dict[str, Any]) -> None:
        del lab["band_exits"][0]

    def move_exit(lab: dict[str, Any]) -> None:
        lab["band_exits"][0][0] -= 0.4

    def scale_level(lab: dict[str, Any]) -> None:
        lab["holds"][0][2] *= 1.05

    def late_start(lab: dict[str, Any]) -> None:
        lab["holds"][0][0] += 0.6

    def extra_release(lab: dict[str, Any]) -> None:
        lab["releases"].append(lab["holds"][0][0] + 2.0)

    def wrong_ending(lab: dict[str, Any]) -> None:
        lab["holds_ended_by"][0] = "left"

    for edit in (
        shift_step,
        flip_step,
        drop_exit,
        move_exit,
        scale_level,
        late_start,
        extra_release,
        wrong_ending,
    ):
        assert broken(edit), edit.__name__


def test_near_threshold_variants_cover_the_definitions() -> None:
    names = " ".join(name for name, *_ in g.VARIANTS)
    for word in (
        "hold 1.0",
        "hold tolerance",
        "step",
        "return",
        "slow rate",
        "steady",
        "slow max",
        "band",
        "debounce",
        "re-arm",
        "contact",
        "smoothed",
    ):
        assert word in names


# ---------------------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------------------
def test_check_passes_then_names_a_changed_file(written: Path, tmp_path: Path) -> None:
    out = tmp_path / "copy"
    shutil.copytree(written, out)
    res = run_tool(str(out), "--seed", str(SEED), "--sessions", str(N_WRITTEN), "--check", "--jobs", "1")
    assert res.returncode == 0, res.stderr
    csv = out / "bg8_s3_001.csv"
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    k = len(lines) // 2
    tcell, fcell = lines[k].rstrip("\n").split(",")
    lines[k] = f"{tcell},{float(fcell) + 1.0}\n"
    csv.write_text("".join(lines), encoding="utf-8")
    lab = out / "bg8_s3_002.labels.json"
    data = json.loads(lab.read_text(encoding="utf-8"))
    data["holds"][0][0] += 2.0
    lab.write_text(json.dumps(data), encoding="utf-8")
    res = run_tool(str(out), "--seed", str(SEED), "--sessions", str(N_WRITTEN), "--check", "--jobs", "2")
    assert res.returncode == 1
    assert str(csv) in res.stderr
    assert f"{lab}: differs" in res.stderr and f"{lab}: second reader" in res.stderr
    assert "bg8_s3_000" not in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["OUT", "--seed", "abc"],
        ["OUT", "--seed", "-1"],
        ["OUT", "--seed", "1", "--sessions", "0"],
        ["OUT", "--seed", "1", "--bogus"],
        ["OUT"],
        ["FILE", "--seed", "1"],
        ["MISSING", "--seed", "1", "--check"],
    ],
)
def test_user_errors_exit_2_with_one_sentence(tmp_path: Path, args: list[str]) -> None:
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    subst = {"OUT": str(tmp_path / "out"), "FILE": str(a_file), "MISSING": str(tmp_path / "missing")}
    res = run_tool(*[subst.get(x, x) for x in args])
    assert res.returncode == 2
    err = res.stderr.strip()
    assert err.count("\n") == 0 and err.endswith(".") and "Traceback" not in err, err
    assert not (tmp_path / "out").exists()
