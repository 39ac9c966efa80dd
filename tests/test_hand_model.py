"""The labelled trace generator: honest, self-consistent labels, deterministic from the seed."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from firmware_sim import generate, read_csv, read_labels
from firmware_sim.hand import (
    BAND_TOLERANCE,
    LEVEL_RANGE_N,
    SessionSpec,
    min_jerk,
    plan_session,
    smooth_linear,
)
from firmware_sim.sensor import SensorConfig, read, sample_times

SEEDS = range(12)


@pytest.fixture(scope="module")
def traces():
    """A dozen sessions at 100 Hz (cheap), with some irregular timing."""
    return [generate(s, 100.0, 0.1, duration_s=120.0, irregular=(s % 3 == 2)) for s in SEEDS]


def _of(labels, kind):
    return [lab for lab in labels if lab["kind"] == kind]


def test_shapes_start_and_end_at_rest():
    tau = np.linspace(0, 1, 1001)
    mj = min_jerk(tau)
    assert mj[0] == 0 and mj[-1] == pytest.approx(1.0)
    assert np.all(np.diff(mj) >= 0)
    sl = smooth_linear(tau, 0.2)
    assert sl[0] == pytest.approx(0.0) and sl[-1] == pytest.approx(1.0)
    assert np.all(np.diff(sl) >= -1e-12)
    # Constant rate in the middle: 1 / (1 - corner) per unit time.
    v = np.gradient(sl, tau)
    assert v[500] == pytest.approx(1 / 0.8, rel=1e-3)


def test_deterministic_from_seed():
    a = generate(5, 250.0, 0.1, duration_s=60.0, irregular=True)
    b = generate(5, 250.0, 0.1, duration_s=60.0, irregular=True)
    np.testing.assert_array_equal(a.t, b.t)
    np.testing.assert_array_equal(a.force, b.force)
    assert a.labels == b.labels
    c = generate(6, 250.0, 0.1, duration_s=60.0, irregular=True)
    assert c.labels != a.labels


def test_same_session_at_every_rate():
    labels = [generate(3, r, 0.1, duration_s=60.0).labels for r in (10.0, 1000.0)]
    assert labels[0] == labels[1]


@pytest.mark.parametrize("rate", [10.0, 80.0, 2000.0])
def test_rate_as_asked(rate):
    tr = generate(1, rate, 0.03, duration_s=30.0)
    dt = np.diff(tr.t)
    assert np.allclose(dt, 1 / rate)
    assert tr.t[-1] <= 30.0
    irr = generate(1, rate, 0.03, duration_s=30.0, irregular=True)
    dti = np.diff(irr.t)
    assert np.all(dti > 0)
    assert np.median(dti) == pytest.approx(1 / rate, rel=0.05)
    assert dti.max() > 1.8 / rate  # dropped samples and gaps
    assert dti.std() > 0.05 / rate  # jitter


@pytest.mark.parametrize("noise", [0.03, 0.1, 0.3])
def test_noise_and_quantisation_as_asked(noise):
    tr = generate(2, 1000.0, noise, duration_s=40.0)
    idle = tr.hand.clean(tr.t) == 0.0
    x = tr.force[idle]
    # Robust sigma from successive differences: ignores offset, creep and the rare spikes.
    d = np.diff(x)
    sigma = 1.4826 * np.median(np.abs(d - np.median(d))) / math.sqrt(2)
    assert sigma == pytest.approx(noise, rel=0.15)
    q = tr.force / 0.01
    assert np.allclose(q, np.round(q), atol=1e-6)
    assert abs(np.median(x)) <= 0.5 + 0.1 + 3 * noise  # tare offset ±0.5 N plus creep


def test_levels_sensible_for_noise():
    tr = generate(4, 100.0, 0.3, duration_s=120.0)
    for h in _of(tr.labels, "hold"):
        assert h["level"] >= 50 * 0.3 - 1e-9
        assert h["level"] <= LEVEL_RANGE_N[1] + 1e-9


def test_labels_self_consistent(traces):
    for tr in traces:
        labels, dur = tr.labels, tr.meta["duration_s"]
        holds = _of(labels, "hold")
        assert holds, "every session has holds"
        for h in holds:
            assert 0 < h["start"] < h["end"] < dur
            assert h["end"] - h["start"] >= 4.0 - 1e-9
            assert LEVEL_RANGE_N[0] <= h["level"] <= LEVEL_RANGE_N[1]
            assert h["ended_by"] in ("step", "release", "left")
            assert h["move_start"] < h["in_band"] < h["start"]
            f_in = tr.hand.clean(np.array([h["in_band"]]))[0]
            assert abs(f_in / h["level"] - 1) == pytest.approx(0.08, abs=1e-4)
        for a, b in itertools.pairwise(holds):
            assert a["end"] <= b["start"]
        steps = _of(labels, "step")
        releases = _of(labels, "release")
        departures = _of(labels, "departure")
        for h in holds:
            if h["ended_by"] == "step":
                (s,) = [s for s in steps if s["t"] == h["end"]]
                nxt = [x for x in holds if x["start"] == s["t_end"]]
                assert len(nxt) == 1 and nxt[0]["level"] == pytest.approx(s["to_level"])
                assert s["duration"] == pytest.approx(s["t_end"] - s["t"])
                assert s["slow"] == (s["duration"] > 2.0)
                change = s["to_level"] / s["from_level"] - 1
                if s["slow"]:  # eased onto the new level; held ≥ 4 s (the contract asks 3 s)
                    assert 2.5 - 1e-9 <= s["duration"] <= 6.0 + 1e-9
                    assert 0.15 - 1e-9 <= abs(change) <= 0.35 + 1e-9
                    assert nxt[0]["end"] - nxt[0]["start"] >= 4.0 - 1e-9
                else:
                    assert 0.4 <= s["duration"] <= 1.5
                    assert 0.15 - 1e-9 <= abs(change) <= 0.5 + 1e-9
                assert s["direction"] == ("up" if change > 0 else "down")
            elif h["ended_by"] == "release":
                (r,) = [r for r in releases if r["t"] == h["end"]]
                assert 0.15 <= r["t_end"] - r["t"] <= 1.0
                assert r["level"] == pytest.approx(h["level_end"])
            else:  # left: a departure, then the release that ends the contact
                (d,) = [d for d in departures if d["t"] == h["end"]]
                assert d["from_level"] == pytest.approx(h["level_end"])
                (r,) = [r for r in releases if r["t"] == d["t_end"]]
                assert r["level"] == pytest.approx(d["mean"])
        assert len(steps) == sum(h["ended_by"] == "step" for h in holds)
        assert len(departures) == sum(h["ended_by"] == "left" for h in holds)
        assert len(releases) == sum(h["ended_by"] in ("release", "left") for h in holds)
        for lab in labels:
            for k in ("t", "t_end", "start", "end"):
                if k in lab:
                    assert 0 <= lab[k] <= dur
        assert tr.holding_time == pytest.approx(sum(h["end"] - h["start"] for h in holds))
        assert tr.meta["holding_time_s"] == pytest.approx(tr.holding_time)


def test_band_exits_only_from_drifts_and_slow_steps(traces):
    n_exits = {"drift": 0, "step": 0}
    for tr in traces:
        holds = _of(tr.labels, "hold")
        steps = _of(tr.labels, "step")
        exits = _of(tr.labels, "band_exit")
        assert {be["during"] for be in exits} <= {"drift", "step"}
        assert all(be["optional"] == (be["during"] == "step") for be in exits)  # slow steps' are allowed
        assert sum(be["during"] == "drift" for be in exits) == sum(h["drift"] is not None for h in holds)
        assert sum(be["during"] == "step" for be in exits) == sum(s["slow"] for s in steps)
        for be in exits:
            n_exits[be["during"]] += 1
            sign = 1 if be["direction"] == "high" else -1
            edge = be["level"] * (1 + sign * BAND_TOLERANCE)
            assert tr.hand.clean(np.array([be["t"]]))[0] == pytest.approx(edge, rel=1e-4)
            if be["during"] == "step":
                # A slow step crosses its hold's band on the way to the new level; fast ones raise none.
                (s,) = [s for s in steps if s["t"] < be["t"] < s["t_end"]]
                assert s["slow"] and be["level"] == s["from_level"]
                assert be["direction"] == ("high" if s["direction"] == "up" else "low")
                continue
            (h,) = [h for h in holds if h["start"] < be["t"] < h["end"]]
            assert h["drift"] is not None and be["level"] == h["level"]
            assert be["direction"] == ("high" if h["drift"] == "up" else "low")
            assert be["t"] - h["start"] >= 4.0  # drift starts ≥ 4 s after the hold settled
            assert h["end"] - be["t"] >= 1.5 - 1e-6  # time for the alert before the hold ends
            # Inside the band before the crossing, outside until the hold ends.
            before = np.linspace(h["start"], be["t"] - 0.01, 500)
            after = np.linspace(be["t"] + 0.01, h["end"], 500)
            assert np.all(np.abs(tr.hand.clean(before) / h["level"] - 1) <= BAND_TOLERANCE)
            assert np.all(sign * (tr.hand.clean(after) - edge) > 0)
            # Drift is slow (< 10 %/s) all through the hold (which ends in a release soon after it).
            tt = np.linspace(h["start"], h["end"] - 1e-9, 6001)
            rate = np.abs(np.gradient(tr.hand.clean(tt), tt)) / h["level"]
            assert rate.max() < 0.10
    assert n_exits["drift"] >= 3 and n_exits["step"] >= 3  # the fixture really exercises both


def test_holds_are_clean_and_tremor_stays_in_band(traces):
    for tr in traces[:4]:
        for h in _of(tr.labels, "hold"):
            tt = np.linspace(h["start"], h["end"], 4000)
            clean = tr.hand.clean(tt)
            if h["drift"] is None:
                assert np.allclose(clean, h["level"])
            ratio = tr.hand.force(tt) / clean - 1
            assert np.abs(ratio).max() <= tr.hand.tremor.peak + 1e-12 <= 0.03


def test_touches_and_strokes(traces):
    n = {"touch": 0, "stroke": 0}
    for tr in traces:
        holds = _of(tr.labels, "hold")
        for kind in ("touch", "stroke"):
            for b in _of(tr.labels, kind):
                n[kind] += 1
                d = b["end"] - b["start"]
                assert d < 1.0 if kind == "touch" else 2.0 <= d <= 6.0
                assert not any(h["start"] < b["end"] and b["start"] < h["end"] for h in holds)
                tt = np.linspace(b["start"], b["end"], 2000)
                f = tr.hand.clean(tt)
                if kind == "touch":  # 3-40 N above the resting level it starts from
                    assert 3.0 <= f.max() - b["rest"] <= 40.0
                    assert f[0] == pytest.approx(b["rest"]) and f[-1] == pytest.approx(b["rest"], abs=1e-6)
                else:  # a real swing: never steady
                    mid = f[(tt > b["start"] + 0.6) & (tt < b["end"] - 0.6)]
                    assert mid.max() / mid.min() > 1.3
        # One contact label per contact, each where the force rises by the contact threshold above
        # the resting level it starts from (zero, or a hand resting on the cell).
        contacts = _of(tr.labels, "contact")
        # (every hold sequence ends in exactly one release)
        n_contacts = sum(len(_of(tr.labels, k)) for k in ("release", "touch", "stroke"))
        assert len(contacts) == n_contacts
        for c in contacts:
            assert tr.hand.clean(np.array([c["start"]]))[0] == pytest.approx(c["rest"], abs=1e-9)
            assert tr.hand.clean(np.array([c["t"]]))[0] == pytest.approx(c["rest"] + 2.0, abs=1e-3)
    assert n["touch"] and n["stroke"]


def test_first_release_within():
    for seed in range(5):
        tr = generate(seed, 10.0, 0.1, duration_s=60.0, first_release_within=20.0)
        assert _of(tr.labels, "release")[0]["t_end"] <= 20.0


def test_time_offset_shifts_samples_and_labels():
    a = generate(8, 100.0, 0.1, duration_s=30.0)
    b = generate(8, 100.0, 0.1, duration_s=30.0, t0=1000.0)
    np.testing.assert_allclose(b.t, a.t + 1000.0)
    np.testing.assert_array_equal(a.force, b.force)
    for la, lb in zip(a.labels, b.labels, strict=True):
        for k, v in la.items():
            if k in ("t", "t_end", "start", "end", "move_start", "in_band"):
                assert lb[k] == pytest.approx(v + 1000.0)
            else:
                assert lb[k] == v


def test_csv_and_json_round_trip(tmp_path):
    tr = generate(9, 100.0, 0.1, duration_s=20.0)
    tr.write_csv(tmp_path / "x.csv")
    tr.write_labels(tmp_path / "x.json")
    text = (tmp_path / "x.csv").read_text().splitlines()
    assert text[0].startswith("# ") and "t_s,force_n" in text
    t, f = read_csv(tmp_path / "x.csv")
    np.testing.assert_allclose(t, tr.t, atol=1e-6)
    np.testing.assert_allclose(f, tr.force, atol=1e-6)
    labels, meta = read_labels(tmp_path / "x.json")
    assert labels == tr.labels and meta["seed"] == 9


def test_sensor_spikes_are_single_samples():
    rng = np.random.default_rng(0)
    cfg = SensorConfig(rate_hz=100.0, noise_n=0.1, spike_rate_per_s=1.0, quantum=0.0)
    t = sample_times(rng, 60.0, cfg)
    x = read(rng, lambda tt: np.full_like(tt, 10.0), t, cfg)
    big = np.flatnonzero(np.abs(x - 10.0) > 0.9)  # ≥ 10 sigma
    assert 20 <= big.size <= 110
    assert np.all(np.diff(big) >= 2)
    assert np.all(np.abs(x[big] - 10.0) <= 40 * 0.1 + 0.5)


def test_plan_rejects_impossible_levels():
    with pytest.raises(ValueError):
        plan_session(np.random.default_rng(0), SessionSpec(min_level=100.0, max_level=120.0))
