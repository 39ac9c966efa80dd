"""``tools/blind_generator6.py``, the sixth blind generator (written from the contract alone): its
files load with the scorer's ``read_real``, every model it claims is in some session of a seed and
visible in that session's data, ``--check`` passes a fresh run and names a changed file, its second
reader catches wrong labels, and user errors exit 2 with one sentence. (Written with the generator by
the helper who wrote it; ported unchanged but for where it finds the tools.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import FrozenInstanceError, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.signal import welch
from toolmods import TOOLS, load_tool

sd = load_tool("score_detection")
bg = load_tool("blind_generator6")
read_real, truth_from_labels = sd.read_real, sd.truth_from_labels

SCRIPT = TOOLS / "blind_generator6.py"
SEED = 1


@dataclass
class Rec:
    sess: bg.Session
    t: np.ndarray
    f: np.ndarray                 # N
    labels: dict[str, Any]
    meta: list[str]

    @property
    def holds(self) -> list[tuple[float, float, float]]:
        k = bg.UNIT_N[self.labels["unit"]]
        return [(a, b, lv * k) for a, b, lv in self.labels["holds"]]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def seed_recs(tmp_path_factory: pytest.TempPathFactory) -> list[Rec]:
    out = tmp_path_factory.mktemp("seed1")
    recs = []
    for i in range(48):
        s = bg.build(SEED, i)
        (out / f"{s.name}.csv").write_bytes(s.csv)
        (out / f"{s.name}.labels.json").write_bytes(s.labels)
        t, f, labels, _ = read_real(out / f"{s.name}.csv")
        assert labels is not None
        meta = [ln for ln in s.csv.decode().splitlines() if ln.startswith("#")]
        recs.append(Rec(s, t, f, labels, meta))
    return recs


# ------------------------------------------------------------------------------------------------------
# API, format, determinism
# ------------------------------------------------------------------------------------------------------
def test_api() -> None:
    assert isinstance(bg.SENSORS, tuple) and len(bg.SENSORS) == 5
    spec = bg.session_spec(3, 7)
    assert spec.sensor in bg.SENSORS and spec.protocol in bg.PROTOCOLS and spec.hand in bg.HANDS
    with pytest.raises(FrozenInstanceError):
        spec.sensor = "x"  # type: ignore[misc]
    s = bg.build(3, 7)
    assert s.name == "bg6_s3_007" and isinstance(s.csv, bytes) and isinstance(s.labels, bytes)
    assert spec == bg.session_spec(3, 7) == s.spec


def test_labels_format_and_durations(seed_recs: list[Rec]) -> None:
    need = {"unit", "time_column", "force_column", "holds", "steps", "releases", "notes", "band_exits",
            "band_exits_optional", "models"}
    for r in seed_recs:
        lab = r.labels
        assert need <= set(lab), r.sess.name
        assert lab["unit"] in ("N", "kg", "g", "lbf")
        header = next(ln for ln in r.sess.csv.decode().splitlines() if not ln.startswith("#"))
        assert header.split(",")[0] == lab["time_column"] and lab["force_column"] in header.split(",")
        assert 40.0 <= r.t[-1] - r.t[0] <= 200.0, r.sess.name
        assert np.all(np.diff(r.t) > 0) and np.max(np.diff(r.t)) <= 1.0 + 1e-6
        assert set(lab["models"]) <= set(bg.MODELS)
        truth = truth_from_labels(lab)
        assert sum(x["kind"] == "hold" for x in truth) == len(lab["holds"]) >= 1
        for a, b, _ in lab["holds"]:
            assert b - a >= 2.5
        kinds = {x["kind"] for x in truth}
        assert kinds <= {"hold", "step", "release", "band_exit"}


def test_deterministic_across_hash_seeds(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for out, hs in ((a, "0"), (b, "4242")):
        p = _run(str(out), "--seed", "5", "--sessions", "3", env={"PYTHONHASHSEED": hs})
        assert p.returncode == 0, p.stderr
    names = sorted(x.name for x in a.iterdir())
    assert len(names) == 6 and names == sorted(x.name for x in b.iterdir())
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes(), n
    s = bg.build(5, 2)
    assert (a / "bg6_s5_002.csv").read_bytes() == s.csv
    assert (a / "bg6_s5_002.labels.json").read_bytes() == s.labels


# ------------------------------------------------------------------------------------------------------
# Loading with the scorer's reader, levels
# ------------------------------------------------------------------------------------------------------
def test_every_sensor_loads_and_levels_agree(seed_recs: list[Rec]) -> None:
    seen = set()
    for r in seed_recs:
        seen.add(r.sess.spec.sensor)
        assert r.t.size > 100 and np.all(np.isfinite(r.f))
        for a, b, lv in r.holds:
            inside = r.f[(r.t >= a) & (r.t <= b)]
            assert inside.size >= 3
            assert abs(float(np.median(inside)) / lv - 1.0) <= 0.06, (r.sess.name, a, b, lv)
    assert seen == set(bg.SENSORS)


def test_label_signal_is_the_recording_without_noise(seed_recs: list[Rec]) -> None:
    """Inside the holds the recording follows the label signal (the labels describe the file)."""
    for r in seed_recs:
        y = np.interp(r.t, r.sess.grid, r.sess.label_signal)
        for a, b, lv in r.holds:
            m = (r.t >= a) & (r.t <= b)
            assert abs(float(np.median(r.f[m] - y[m]))) <= 0.03 * lv + 0.1, r.sess.name


# ------------------------------------------------------------------------------------------------------
# --check and the second reader
# ------------------------------------------------------------------------------------------------------
def test_check_passes_and_names_a_changed_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(str(out), "--seed", "2", "--sessions", "3").returncode == 0
    ok = _run(str(out), "--seed", "2", "--sessions", "3", "--check")
    assert ok.returncode == 0, ok.stderr
    csv = out / "bg6_s2_001.csv"
    data = bytearray(csv.read_bytes())
    data[-3] = ord("9") if data[-3] != ord("9") else ord("8")
    csv.write_bytes(bytes(data))
    bad = _run(str(out), "--seed", "2", "--sessions", "3", "--check")
    assert bad.returncode == 1 and "bg6_s2_001.csv" in bad.stderr
    assert "bg6_s2_000" not in bad.stderr and "Traceback" not in bad.stderr


def test_check_rereads_a_wrong_labels_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(str(out), "--seed", "2", "--sessions", "2").returncode == 0
    lp = out / "bg6_s2_000.labels.json"
    lab = json.loads(lp.read_text())
    lab["holds"][0][2] *= 1.2
    lp.write_text(json.dumps(lab))
    bad = _run(str(out), "--seed", "2", "--sessions", "2", "--check")
    assert bad.returncode == 1
    lines = [ln for ln in bad.stderr.splitlines() if "second reader" in ln]
    assert lines and all("bg6_s2_000.labels.json" in ln for ln in lines)


def _mutations(lab: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}

    def mut(name: str, fn: Callable[[dict[str, Any]], None]) -> None:
        m = json.loads(json.dumps(lab))
        fn(m)
        out[name] = m

    mut("level +12 %", lambda m: m["holds"][0].__setitem__(2, m["holds"][0][2] * 1.12))
    mut("start +0.6 s", lambda m: m["holds"][-1].__setitem__(0, m["holds"][-1][0] + 0.6))
    mut("hold dropped", lambda m: m["holds"].pop())
    if lab["steps"]:
        mut("step moved 0.5 s", lambda m: m["steps"][0].__setitem__(0, m["steps"][0][0] + 0.5))
        mut("step direction", lambda m: m["steps"][0].__setitem__(1, "up" if m["steps"][0][1] == "down"
                                                                    else "down"))
    if lab["releases"]:
        mut("release moved 0.4 s", lambda m: m["releases"].__setitem__(0, m["releases"][0] - 0.4))
        mut("release dropped", lambda m: m["releases"].pop())
    if lab["band_exits"]:
        mut("exit dropped", lambda m: m["band_exits"].pop(0))
        mut("exit direction", lambda m: m["band_exits"][0].__setitem__(1, "high" if m["band_exits"][0][1]
                                                                        == "low" else "low"))
    else:
        mut("exit invented", lambda m: m["band_exits"].append([m["holds"][0][0] + 2.0, "low"]))
    if lab["band_exits_optional"]:
        mut("optional moved", lambda m: m["band_exits_optional"][0].__setitem__(
            0, m["band_exits_optional"][0][0] + 0.4))
    mut("ended_by", lambda m: m["holds_ended_by"].__setitem__(0, "left"))
    mut("unit", lambda m: m.__setitem__("unit", "lbf" if m["unit"] != "lbf" else "N"))
    return out


def test_second_reader_catches_wrong_labels(seed_recs: list[Rec]) -> None:
    kinds = set()
    for r in seed_recs[:12]:
        assert bg.verify_labels(r.labels, r.sess) == [], r.sess.name
        for what, lab in _mutations(r.labels).items():
            assert bg.verify_labels(lab, r.sess), (r.sess.name, what)
            kinds.add(what)
    assert {"step moved 0.5 s", "exit dropped", "optional moved", "release dropped"} <= kinds


def test_second_reader_on_a_hand_made_trace() -> None:
    """The reader's Definitions on a trace whose answer is known by construction."""
    dt = 0.005
    t = np.arange(0.0, 40.0, dt)
    y = np.zeros_like(t)
    y[(t >= 2.0) & (t < 12.0)] = 20.0        # hold 1 at 20 N
    y[(t >= 12.0) & (t < 20.0)] = 30.0       # step up at 12 s
    y[(t >= 15.0) & (t < 15.4)] = 22.0       # a brief dip: a band exit, the hold goes on
    y[(t >= 20.0) & (t < 24.0)] = 2.5        # release leaving light contact (< 15 %)
    y[(t >= 24.0) & (t < 24.6)] = 25.0       # a touch: never a hold
    y[(t >= 27.0)] = 15.0                    # a last hold to the end of data
    rd = bg.read_definitions(t, y, 39.9)
    assert [(round(a, 2), round(b, 2), round(lv, 1), w) for a, b, lv, w in rd.holds] == [
        (2.0, 12.0, 20.0, "step"), (12.0, 20.0, 30.0, "release"), (27.0, 39.9, 15.0, "end_of_data")]
    assert [(round(a, 2), d) for a, d in rd.steps] == [(12.0, "up")]
    assert [round(a, 2) for a in rd.releases] == [20.0]
    assert [(round(a, 2), d) for a, d in rd.band_exits] == [(15.0, "low")]


# ------------------------------------------------------------------------------------------------------
# Every claimed model is in the seed and in its data
# ------------------------------------------------------------------------------------------------------
def _meta(r: Rec, key: str) -> float:
    for ln in r.meta:
        if key in ln:
            tail = ln.split(key, 1)[1].lstrip(":= ")
            return float(tail.split()[0].rstrip(",;"))
    raise KeyError(key)


def _smooth(t: np.ndarray, f: np.ndarray, rate: float, width: float) -> tuple[np.ndarray, np.ndarray]:
    """Uniform resampling at ``rate`` and a moving average of ``width`` s."""
    tu = np.arange(t[0], t[-1], 1.0 / rate)
    fu = np.interp(tu, t, f)
    k = max(1, round(width * rate))
    padded = np.pad(fu, (k // 2, k - 1 - k // 2), mode="edge")
    return tu, np.convolve(padded, np.ones(k) / k, mode="valid")


def _window(r: Rec, a: float, b: float, rate: float, width: float) -> tuple[np.ndarray, np.ndarray]:
    """The recording between ``a`` and ``b`` resampled at ``rate`` (linear between rows, so sparse
    send-on-delta rows count as held values) and smoothed over ``width`` s."""
    tu = np.arange(a, b, 1.0 / rate)
    f = r.f.copy()
    f[1:-1] = np.median(np.stack([r.f[:-2], r.f[1:-1], r.f[2:]]), axis=0)   # no single-sample spikes
    return _smooth(tu, np.interp(tu, r.t, f), rate, width)


def _hold_data(r: Rec, a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    m = (r.t >= a) & (r.t <= b)
    return r.t[m], r.f[m]


def _peak_freq(r: Rec, lo: float, hi: float, band: tuple[float, float]) -> bool:
    """Some hold's spectrum (resampled at the sensor's rate) peaks inside ``band`` within [lo, hi] Hz."""
    rate = 1.0 / float(np.median(np.diff(r.t)))
    for a, b, _ in sorted(r.holds, key=lambda h: h[0] - h[1]):
        if b - a < 6.0:
            continue
        t, f = _hold_data(r, a + 1.0, b - 1.0)
        tu = np.arange(t[0], t[-1], 1.0 / rate)
        fu = np.interp(tu, t, f)
        k = max(1, round(0.5 * rate))
        fu = fu - np.convolve(fu, np.ones(k) / k, mode="same")
        fr, p = welch(fu[k:-k], fs=rate, nperseg=min(512, fu.size - 2 * k))
        sel = (fr >= lo) & (fr <= hi)
        pk = fr[sel][int(np.argmax(p[sel]))]
        if band[0] <= pk <= band[1]:
            return True
    return False


def ev_send_on_delta(r: Rec) -> bool:
    delta, beat = _meta(r, "report_delta_n"), _meta(r, "heartbeat_s")
    gaps, jumps = np.diff(r.t), np.abs(np.diff(r.f))
    rule = (jumps >= delta - 0.0051) | (gaps >= beat - 0.0011)
    return bool(np.all(rule) and np.any(gaps >= 0.5) and gaps.max() <= beat + 0.0011)


def ev_avg_gauge(r: Rec) -> bool:
    window = _meta(r, "running average")
    rate = 1.0 / float(np.median(np.diff(r.t)))
    # a boxcar limits the slope to a jump (at most 1.5 x the largest level, actuator overshoot) per window
    slope_cap = 1.5 * float(r.f.max()) / (window * rate) + 0.15
    return bool(np.max(np.abs(np.diff(r.f))) <= slope_cap and abs(rate - round(rate)) < 0.2)


def ev_lsl_stream(r: Rec) -> bool:
    d = np.diff(r.t)
    return bool(r.t[0] > 900.0 and d.min() >= 1 / 110 - 1e-5 and d.max() <= 1 / 90 + 1e-5 and d.std() > 2e-4)


def ev_ads1115(r: Rec) -> bool:
    fs_n = _meta(r, "full scale") * bg.KGF
    f = r.f
    med = np.median(np.stack([f[:-4], f[1:-3], f[3:-1], f[4:]]), axis=0)
    spikes = np.abs(f[2:-2] - med) > 0.04 * fs_n
    lines = [ln for ln in r.sess.csv.decode().splitlines() if ln[:1].isdigit()]
    raw = np.array([int(ln.split(",")[1]) for ln in lines[:2000]])
    return bool(spikes.sum() >= 1 and np.all(raw == np.round(raw)))


def _rests(r: Rec) -> list[tuple[float, float]]:
    """(mid time, median force) of every stretch of 1.5 s or more below 1.5 N."""
    rest = r.f < 1.5
    runs, start = [], None
    for k, v in enumerate([*rest.tolist(), False]):
        if v and start is None:
            start = k
        elif not v and start is not None:
            if r.t[k - 1] - r.t[start] >= 1.5:
                runs.append((0.5 * (r.t[start] + r.t[k - 1]), float(np.median(r.f[start + 20:k - 20]))))
            start = None
    return runs


def ev_thermal_cell(r: Rec) -> bool:
    runs = [m for _, m in _rests(r)]
    temps = [float(ln.split(",")[2]) for ln in r.sess.csv.decode().splitlines() if ln[:1].isdigit()]
    return len(runs) >= 2 and abs(runs[-1] - runs[0]) >= 0.08 and temps[-1] - temps[0] >= 1.0


def ev_attention_pulses(r: Rec) -> bool | None:
    if r.sess.spec.sensor == "send_on_delta":
        return None                    # a pulse smaller than two report steps leaves no row
    bumps = 0
    thr = 0.01 if r.sess.spec.sensor == "avg_gauge" else 0.015
    for a, b, _ in r.holds:
        if b - a < 5.0:
            continue
        _, fs = _window(r, a + 0.5, b - 0.5, 50.0, 0.25)
        base = np.array([np.median(fs[max(0, i - 100):i + 100]) for i in range(0, fs.size, 5)])
        dev = fs[::5][: base.size] / base - 1.0
        above = np.flatnonzero(dev > thr)
        if above.size:
            bumps += 1 + int(np.sum(np.diff(above) > 6))
    return bumps >= 2


def ev_slow_tremor(r: Rec) -> bool | None:
    if r.sess.spec.sensor in ("send_on_delta", "avg_gauge"):
        return None                    # irregular rows / averaged away
    return _peak_freq(r, 2.0, 15.0, (3.5, 6.5))


def ev_motor_noise(r: Rec) -> bool | None:
    if r.sess.spec.sensor in ("send_on_delta", "avg_gauge"):
        return None                    # change-driven rows / a 0.5-0.8 s average removes 1-2.5 Hz
    for a, b, lv in r.holds:
        if b - a < 8.0:
            continue
        _, fs = _window(r, a + 0.5, b - 0.5, 50.0, 0.4)
        trend = np.array([np.median(fs[max(0, i - 150):i + 150]) for i in range(fs.size)])
        if np.std((fs - trend)[25:-25]) / lv >= 0.001:
            return True
    return False


def _transitions(r: Rec) -> list[tuple[float, float, float, float]]:
    """(onset, next hold start, old level, new level) of every labelled step."""
    out = []
    for t0, _ in r.labels["steps"]:
        i = next(k for k, h in enumerate(r.holds) if abs(h[1] - t0) < 1e-6)
        out.append((t0, r.holds[i + 1][0], r.holds[i][2], r.holds[i + 1][2]))
    return out


def _overshoot(r: Rec, t0: float, s1: float, old: float, new: float, width: float) -> float:
    """How far (fraction of the step) the force goes beyond the new level between onset and 1 s into
    the new hold, smoothed over ``width`` s."""
    _, fs = _window(r, t0 - 0.2, s1 + 1.0, 200.0, width)
    fs = fs[int(0.1 * 200):-int(0.1 * 200)]
    far = np.max(fs - new) if new > old else np.max(new - fs)
    return float(far / abs(new - old))


def ev_trapezoid_moves(r: Rec) -> bool | None:
    if r.sess.spec.sensor == "send_on_delta" or not r.labels["steps"]:
        return None
    return all(_overshoot(r, t0, s1, old, new, 0.2) < 0.1 for t0, s1, old, new in _transitions(r))


def ev_pid_ringing(r: Rec) -> bool | None:
    if r.sess.spec.sensor in ("avg_gauge", "send_on_delta") or not r.labels["steps"]:
        return None                    # averaged away / peaks only to within a report step
    return any(_overshoot(r, t0, s1, old, new, 0.03) >= 0.1 for t0, s1, old, new in _transitions(r))


def ev_creep_relaxation(r: Rec) -> bool:
    """The force between attention pulses (lowest fifth) has relaxed by 2 % or more by the hold's end,
    measured from the zero (a thermal cell's drifting zero is read off its rests)."""
    rests = _rests(r) if r.sess.spec.sensor == "thermal_cell" else []
    for a, b, lv in r.holds:
        if b - a < 55.0:
            continue
        z0, z1 = (np.interp([a, b], [t for t, _ in rests], [m for _, m in rests]) if rests else (0.0, 0.0))
        if np.percentile(_hold_data(r, b - 10.0, b)[1], 20) - z1 <= 0.98 * (lv - z0):
            return True
    return False


def ev_positional_ease(r: Rec) -> bool:
    for a, b, lv in r.holds:
        _, fs = _window(r, a + 1.0, b - 1.0, 50.0, 1.0)
        off = np.abs(fs[50:-50] / lv - 1.0) >= 0.025
        run = best = 0
        for v in off.tolist():
            run = run + 1 if v else 0
            best = max(best, run)
        if best >= 100:
            return True
    return False


def ev_pumping(r: Rec) -> bool:
    outside = np.ones(r.t.size, dtype=bool)
    for a, b, _ in r.holds:
        outside &= ~((r.t >= a - 1.0) & (r.t <= b + 1.0))
    tu, fs = _smooth(r.t, np.where(outside, r.f, 0.0), 50.0, 0.2)
    peaks = np.flatnonzero((fs[1:-1] > fs[:-2]) & (fs[1:-1] >= fs[2:]) & (fs[1:-1] > 8.0)) + 1
    gaps = np.diff(tu[peaks])
    return int(np.sum((gaps >= 1.1) & (gaps <= 3.2))) >= 3


def ev_slow_step(r: Rec) -> bool:
    return any(s1 - t0 >= 2.5 for t0, s1, _, _ in _transitions(r))


def ev_fast_step(r: Rec) -> bool:
    return any(s1 - t0 <= 1.7 for t0, s1, _, _ in _transitions(r))


def _excursion(r: Rec, sign: str) -> bool:
    for te, d in r.labels["band_exits"]:
        if d != sign:
            continue
        lv = next(h[2] for h in r.holds if h[0] <= te <= h[1])
        _, fs = _window(r, te - 0.5, te + 1.5, 200.0, 0.05)
        dev = fs / lv - 1.0
        peak = dev.min() if sign == "low" else dev.max()
        if abs(peak) >= 0.12 and abs(dev[-20:]).max() <= 0.08:
            return True
    return False


def ev_partial_lift(r: Rec) -> bool:
    return _excursion(r, "low")


def ev_lean_in(r: Rec) -> bool:
    return _excursion(r, "high")


def ev_vibration_assist(r: Rec) -> bool | None:
    if r.sess.spec.sensor in ("send_on_delta", "avg_gauge"):
        return None                    # change-driven rows / averaged away
    return _peak_freq(r, 15.0, 0.49 / float(np.median(np.diff(r.t))), (19.0, 51.0))


def ev_light_contact_release(r: Rec) -> bool:
    for tr in r.labels["releases"]:
        lv = next(h[2] for h in r.holds if abs(h[1] - tr) < 1e-6)
        seg = _hold_data(r, tr + 1.2, tr + 2.4)[1]
        if seg.size and 2.5 <= np.median(seg) <= 0.15 * lv:
            return True
    return False


def ev_end_in_hold(r: Rec) -> bool:
    return abs(r.labels["holds"][-1][1] - r.t[-1]) < 1e-3


EVIDENCE: dict[str, Callable[[Rec], bool | None]] = {
    name: globals()[f"ev_{name}"] for name in bg.MODELS
}


def test_every_model_is_claimed_and_in_the_data(seed_recs: list[Rec]) -> None:
    claimed: dict[str, list[Rec]] = {m: [] for m in bg.MODELS}
    for r in seed_recs:
        assert tuple(r.labels["models"]) == r.sess.models
        for m in r.labels["models"]:
            claimed[m].append(r)
    missing = [m for m, rs in claimed.items() if not rs]
    assert not missing, f"models no session of seed {SEED} claims: {missing}"
    for m, rs in claimed.items():
        verdicts = [(r.sess.name, EVIDENCE[m](r)) for r in rs]
        applicable = [(n, v) for n, v in verdicts if v is not None]
        assert applicable, f"{m}: no claiming session where it can be seen"
        bad = [n for n, v in applicable if not v]
        assert not bad, f"{m} claimed but not visible in {bad}"


def test_spec_rotation_covers_sensors_protocols_and_hands() -> None:
    specs = [bg.session_spec(SEED, i) for i in range(48)]
    assert {(s.sensor, s.protocol) for s in specs[:35]} == {(a, b) for a in bg.SENSORS for b in bg.PROTOCOLS}
    hands = {(s.protocol, s.hand) for s in specs}
    for p in bg.PROTOCOLS:
        want = {"actuator"} if p == "robotic_indentation" else {"attentive", "elderly"}
        assert {h for q, h in hands if q == p} == want


# ------------------------------------------------------------------------------------------------------
# User errors
# ------------------------------------------------------------------------------------------------------
USER_ERRORS = [
    [],
    ["OUT"],
    ["OUT", "--seed", "abc"],
    ["OUT", "--seed", "-3"],
    ["OUT", "--seed", "1", "--sessions", "0"],
    ["OUT", "--seed", "1", "--sessions", "1000"],
    ["OUT", "--seed", "1", "--bogus"],
    ["FILE", "--seed", "1", "--sessions", "1"],
    ["FILE/sub", "--seed", "1", "--sessions", "1"],
    ["MISSING", "--seed", "1", "--check"],
    ["FILE", "--seed", "1", "--check"],
]


def _one_sentence(stderr: str) -> None:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].endswith(".") and "Traceback" not in stderr, stderr
    assert ". " not in lines[0], stderr


def test_user_errors_exit_2_with_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a_file = tmp_path / "plain.txt"
    a_file.write_text("x")
    subst = {"OUT": str(tmp_path / "o"), "FILE": str(a_file), "FILE/sub": str(a_file / "sub"),
             "MISSING": str(tmp_path / "nope")}
    for args in USER_ERRORS:
        code = bg.main([subst.get(a, a) for a in args])
        err = capsys.readouterr().err
        assert code == 2, (args, err)
        _one_sentence(err)


@pytest.mark.parametrize("args", [["--seed", "x"], ["--seed", "1", "--check"]])
def test_user_errors_from_the_command_line(tmp_path: Path, args: list[str]) -> None:
    p = _run(str(tmp_path / "missing"), *args)
    assert p.returncode == 2 and p.stdout == ""
    _one_sentence(p.stderr)
