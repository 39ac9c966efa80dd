"""The core's behaviour against the public contract (docs: CONTRACT.md, "Definitions"), for both
implementations, at sample rates from 10 Hz (HX711) to 2 kHz.

Each test builds a trace whose truth is known by construction (:class:`conftest.Trace`) and asserts
specific values: which events, in which order, with which directions, levels and times.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from nmt_pressure.core.config import DetectorConfig

RATES = (10.0, 100.0, 1000.0, 2000.0)
CFG = DetectorConfig()


def kinds(events: list[Any]) -> list[str]:
    return [e.kind for e in events]


def of(events: list[Any], kind: str) -> list[Any]:
    return [e for e in events if e.kind == kind]


def crossing(tr: Any, level: float, lo: float, hi: float) -> float:
    """When the clean force first reaches ``level`` between ``lo`` and ``hi`` (1 ms resolution)."""
    tt = np.arange(lo, hi, 1e-3)
    ff = tr.force_at(tt)
    up = ff[0] < level
    i = np.flatnonzero(ff >= level if up else ff <= level)[0]
    return float(tt[i])


# --------------------------------------------------------------------------------------------------
# contact, hold, release
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rate", RATES)
def test_ramp_hold_release(impl, trace, run_trace, invariants, rate):
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0, mark="ramp").hold(6.0).release(0.3, mark="drop")
    t, f = tr.rest(1.5).build(noise=0.02, seed=1)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "release"]
    contact, start, release = events
    ramp0, ramp1 = tr.marks["ramp"]
    drop0, drop1 = tr.marks["drop"]

    # contact: where the force crossed the threshold, found within a filter lag and a sample.
    assert contact.t == pytest.approx(crossing(tr, CFG.contact_threshold, ramp0, ramp1),
                                      abs=0.08 + 1.0 / rate)
    assert contact.t_detected >= contact.t
    assert contact.t_detected - contact.t <= 0.1 + 1.0 / rate
    # hold_start: back-dated to (near) the end of the ramp, confirmed within min_hold + slack.
    assert abs(start.t - ramp1) <= 0.5
    assert start.t_detected >= start.t
    assert start.t_detected <= ramp1 + CFG.min_hold + 0.5
    assert start.level == pytest.approx(20.0, rel=0.02)
    # release: dated to the onset of the drop, not to the threshold crossing.
    assert abs(release.t - drop0) <= 0.3
    assert release.t < crossing(tr, CFG.contact_threshold, drop0, drop1) - 0.05
    assert release.t_detected >= release.t
    assert release.t_detected <= drop1 + 0.3
    assert release.level == pytest.approx(20.0, rel=0.03)

    assert len(holds) == 1
    hold = holds[0]
    assert (hold.start, hold.end, hold.ended_by) == (start.t, release.t, "release")
    assert hold.mean == pytest.approx(20.0, rel=0.01)


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize(("frac", "direction"), [(0.25, "up"), (-0.30, "down"), (-0.55, "down")])
def test_step(impl, trace, run_trace, invariants, rate, frac, direction):
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(4.0).step(frac, 0.8, mark="step")
    t, f = tr.hold(4.0).release(0.3, mark="drop").rest(1.0).build(noise=0.03, tremor=0.01, seed=2)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "step", "hold_start", "release"]
    _, first, step, second, release = events
    step0, step1 = tr.marks["step"]
    new_level = 20.0 * (1.0 + frac)

    assert step.direction == direction
    assert abs(step.t - step0) <= 0.5, "a step is dated to its onset"
    assert step.t_detected >= step1
    assert step.level == pytest.approx(new_level, rel=0.03)
    assert first.level == pytest.approx(20.0, rel=0.03)
    assert second.level == pytest.approx(new_level, rel=0.03)
    assert abs(second.t - step1) <= 0.5
    assert second.t_detected == step.t_detected
    assert abs(release.t - tr.marks["drop"][0]) <= 0.3
    assert release.level == pytest.approx(new_level, rel=0.03)
    assert [h.ended_by for h in holds] == ["step", "release"]
    assert holds[0].end == step.t
    assert holds[0].mean == pytest.approx(20.0, rel=0.01)
    assert holds[1].mean == pytest.approx(new_level, rel=0.01)


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize(("frac", "direction"), [(-0.20, "low"), (0.20, "high")])
def test_slow_drift_keeps_the_hold_and_leaves_the_band(impl, trace, run_trace, invariants, rate, frac,
                                                        direction):
    """20 % over 4 s (5 %/s) is drift, not a step: one hold, and a band exit when the force has left
    level·(1 ± tolerance)."""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(3.0).drift(frac, 4.0, mark="drift")
    t, f = tr.hold(2.0).release(0.3, mark="drop").rest(1.0).build(noise=0.03, tremor=0.01, seed=3)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "band_exit", "release"]
    start, exit_ = events[1], events[2]
    assert exit_.direction == direction
    assert exit_.level == holds[0].level, "the relative band is centred on the hold's own level"
    assert exit_.level == pytest.approx(start.level, rel=0.01)
    # The clean force leaves the ±10 % band half-way through the drift.
    edge = start.level * (1.0 + (CFG.tolerance if frac > 0 else -CFG.tolerance))
    cross = crossing(tr, edge, *tr.marks["drift"])
    assert cross - 0.2 <= exit_.t <= cross + 0.6
    assert exit_.t_detected - exit_.t >= CFG.alert_debounce - 1e-9
    assert len(holds) == 1 and holds[0].ended_by == "release"
    assert abs(holds[0].end - tr.marks["drop"][0]) <= 0.3
    assert holds[0].time_in_band < holds[0].duration - 1.0
    assert holds[0].drift_per_s == pytest.approx(frac * 20.0 / 4.0, rel=0.5)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize(("target", "direction"), [(40.0, "low"), (10.0, "high"), (20.5, None)])
def test_fixed_target_band(impl, trace, run_trace, invariants, rate, target, direction):
    """With a target the band is fixed: a hold far from it is reported out of band as soon as the
    hold is confirmed (after the debounce), and one inside it raises nothing."""
    cfg = DetectorConfig(target=target, sample_rate=rate)
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(5.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.01, seed=4)
    events, holds, _ = run_trace(impl, t, f, cfg)
    invariants(events, holds, t)
    if direction is None:
        assert kinds(events) == ["contact", "hold_start", "release"]
        assert holds[0].time_in_band == pytest.approx(holds[0].duration, abs=0.05)
        return
    assert kinds(events) == ["contact", "hold_start", "band_exit", "release"]
    start, exit_ = events[1], events[2]
    assert exit_.direction == direction
    assert exit_.level == target
    assert start.t_detected <= exit_.t <= start.t_detected + 2.0 / rate + 0.02
    assert exit_.t_detected - start.t_detected <= cfg.alert_debounce + 0.1 + 2.0 / rate
    assert holds[0].time_in_band == 0.0


@pytest.mark.parametrize("rate", RATES)
def test_overshoot_then_settle(impl, trace, run_trace, invariants, rate):
    """Up to 24 N, settle back to 20 N, hold: the hold's level is the 20 N plateau, and it begins at
    the overshoot's peak (the settling back, within leave_time, is part of it)."""
    tr = trace(rate=rate).rest(0.5).ramp(24.0, 0.8).ramp(20.0, 0.8, mark="settle").hold(3.0)
    t, f = tr.release(0.4, mark="drop").rest(1.0).build(noise=0.02, seed=0)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "release"]
    start = events[1]
    peak = tr.marks["settle"][0]
    assert peak - 0.05 <= start.t <= peak + 0.15 + 1.5 / rate  # (the filtered peak is late at 10 Hz)
    assert start.level == pytest.approx(20.0, rel=0.03)
    assert holds[0].mean == pytest.approx(20.0, rel=0.02)


@pytest.mark.parametrize("rate", [100.0, 1000.0, 2000.0])
def test_release_is_never_dated_before_its_hold(impl, trace, run_trace, rate):
    """Up to 24 N, down 25 % to 18 N within 1 s, held 1.25 s, released over 0.8 s."""
    tr = trace(rate=rate).rest(0.5).ramp(24.0, 1.0).step(-0.25, 1.0).hold(1.25)
    t, f = tr.release(0.8, mark="drop").rest(1.0).build(tremor=0.01, seed=0)
    events, holds, _ = run_trace(impl, t, f)
    assert kinds(events) == ["contact", "hold_start", "release"]
    start, release = events[1], events[2]
    assert release.t >= start.t
    assert abs(release.t - tr.marks["drop"][0]) <= 0.3
    assert holds[0].duration >= 1.0


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
def test_large_step_down_staying_in_contact_is_a_step(impl, trace, run_trace, rate):
    """50 N -> 15 N in 0.6 s, then held 4 s at 15 N (far above the 2 N contact threshold)."""
    tr = trace(rate=rate).rest(1.0).ramp(50.0, 1.0).hold(4.0).step(-0.7, 0.6).hold(4.0).release(0.3)
    t, f = tr.rest(1.0).build(noise=0.03, tremor=0.01, seed=12)
    events, _, _ = run_trace(impl, t, f)
    assert kinds(events) == ["contact", "hold_start", "step", "hold_start", "release"]
    assert events[2].direction == "down"
    assert events[2].level == pytest.approx(15.0, rel=0.05)


# --------------------------------------------------------------------------------------------------
# contacts that are never holds
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rate", RATES)
def test_brief_touches_are_not_holds(impl, trace, run_trace, invariants, rate):
    tr = trace(rate=rate).rest(1.5)
    levels = (5.0, 15.0, 40.0, 100.0)
    for lv in levels:  # 0.6 s each, ramp in, brief press, ramp out
        tr.ramp(lv, 0.2).hold(0.2).release(0.2).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.01, seed=5)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact"] * len(levels)
    assert holds == []


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize(("level", "hz"), [(15.0, 1.0), (60.0, 1.0), (8.0, 1.0), (15.0, 0.5)])
def test_gliding_stroke_is_not_a_hold(impl, trace, run_trace, invariants, rate, level, hz):
    tr = trace(rate=rate).rest(1.0).ramp(level, 0.5).stroke(0.35, hz, 5.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.01, seed=6)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact"]
    assert holds == []


# --------------------------------------------------------------------------------------------------
# spikes, gaps, bad samples
# --------------------------------------------------------------------------------------------------
NOISE = 0.1


def spiky(t: np.ndarray, f: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Four single-sample spikes of 10-40x the noise, both signs, spread over [lo, hi]."""
    idx = np.flatnonzero((t >= lo) & (t <= hi))
    picks = idx[np.linspace(0, idx.size - 1, 4).astype(int)]
    g = np.array(f)
    g[picks] += np.array([40.0, -25.0, 10.0, -40.0]) * NOISE
    return g


def assert_spikes_change_nothing(impl, run_trace, invariants, t: np.ndarray, f: np.ndarray, g: np.ndarray,
                                 rate: float) -> list:
    """The trace with spikes (``g``) gives the clean one's (``f``) events, each within a tick or so
    and 2 % of its level, and its holds' ends; returns the clean events. (A contact's level is the
    force at the tick that saw it: where a dropped sample moved the ticks by a sample on the rise,
    that tick's level may differ by the rise over the time between the two.)"""
    clean, holds_c, _ = run_trace(impl, t, f)
    spikes, holds_s, _ = run_trace(impl, t, g)
    invariants(spikes, holds_s, t)
    assert [(e.kind, e.direction) for e in spikes] == [(e.kind, e.direction) for e in clean]
    tol = max(1.5 * CFG.tick, 1.5 / rate)  # a dropped sample may move a detection by a tick
    for a, b in zip(clean, spikes, strict=True):
        assert b.t == pytest.approx(a.t, abs=tol), (a, b)
        moved = 0.0
        if a.kind == "contact":
            lo, hi = sorted((a.t_detected, b.t_detected))
            pad = max(0.05, 1.5 / rate)  # (two samples at least either side)
            k = np.searchsorted(t, [lo - pad, hi + pad])
            rise = np.polyfit(t[k[0]:k[1]], f[k[0]:k[1]], 1)[0]  # N/s of the clean force there
            moved = abs(rise) * abs(b.t_detected - a.t_detected)
        assert abs(b.level - a.level) <= 0.02 * abs(a.level) + moved, (a, b)
    assert [h.ended_by for h in holds_s] == [h.ended_by for h in holds_c]
    return clean


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("where", ["idle", "hold"])
def test_single_sample_spikes_change_nothing(impl, trace, run_trace, invariants, rate, where):
    tr = trace(rate=rate).rest(3.0).ramp(20.0, 1.0).hold(6.0).release(0.3).rest(2.0)
    t, f = tr.build(noise=NOISE, seed=7)
    lo, hi = (2.0, 2.9) if where == "idle" else (5.0, 9.5)  # idle: after the warm-up samples
    clean = assert_spikes_change_nothing(impl, run_trace, invariants, t, f, spiky(t, f, lo, hi), rate)
    assert kinds(clean) == ["contact", "hold_start", "release"]


@pytest.mark.parametrize("rate", RATES[1:])
def test_single_sample_spikes_on_a_ramp_change_nothing(impl, trace, run_trace, invariants, rate):
    """A sample that stops short of the line through its two predecessors (between the last sample
    and the line) is a fast movement stopped, not a spike: the guard of that rule. Spikes of both
    signs (1-4 N) on a 1-s press to 20 N overshoot the line, by more than the ramp's own step per
    sample, and change nothing. (At 10 Hz that step is 2-4 N a sample, the spikes' size: no spike
    check tells them from the ramp there, on this core or the one before.)"""
    tr = trace(rate=rate).rest(3.0).ramp(20.0, 1.0).hold(6.0).release(0.3).rest(2.0)
    t, f = tr.build(noise=NOISE, seed=7)
    assert_spikes_change_nothing(impl, run_trace, invariants, t, f, spiky(t, f, 3.2, 3.8), rate)


def test_spikes_would_matter_without_rejection(trace, run_trace, golden):
    """The spikes above are big enough to fool a detector that does not reject them (10 Hz)."""
    tr = trace(rate=10.0).rest(3.0).ramp(20.0, 1.0).hold(6.0).release(0.3).rest(2.0)
    t, f = tr.build(noise=NOISE, seed=7)
    g = spiky(t, f, 2.0, 2.9)
    rejecting, _, _ = run_trace(golden, t, g)
    blind, _, _ = run_trace(golden, t, g, DetectorConfig(spike_k=1e9))
    assert kinds(rejecting) == ["contact", "hold_start", "release"]
    assert kinds(blind).count("contact") > 1


@pytest.mark.parametrize("rate", RATES)
def test_gap_in_a_hold_ends_it_as_end_of_data(impl, trace, run_trace, invariants, rate):
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(11.0).release(0.3, mark="drop").rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.01, seed=8)
    keep = ~((t > 5.0) & (t < 8.5))  # 3.5 s of silence > max_gap (3 s)
    t, f = t[keep], f[keep]
    before = t[t <= 5.0][-1]
    after = t[t >= 8.5][0]
    events, holds, det = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert det.gaps == 1
    assert kinds([e for e in events if e.t_detected <= before]) == ["contact", "hold_start"]
    assert not [e for e in events if e.kind in ("release", "step") and e.t < after + 1.0]
    assert holds[0].ended_by == "end_of_data"
    assert holds[0].end == before
    assert holds[0].level == pytest.approx(20.0, rel=0.03)
    # The stream restarts after the gap: the hold is found again and released at the drop.
    assert kinds(events).count("release") == 1
    release = of(events, "release")[0]
    assert abs(release.t - tr.marks["drop"][0]) <= 0.3
    assert [h.ended_by for h in holds] == ["end_of_data", "release"]
    assert holds[1].start >= after


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("gap", [0.5, 1.2, 2.8])
def test_dropout_inside_a_hold_is_bridged(impl, trace, run_trace, invariants, rate, gap):
    """A wireless sensor's dropout of up to max_gap (3 s) with the force at the hold's level on both
    sides is one hold, not several (the contract's bridged silence)."""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(12.0).release(0.3, mark="drop").rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.01, seed=8)
    keep = ~((t > 5.0) & (t < 5.0 + gap))
    t, f = t[keep], f[keep]
    events, holds, det = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert det.gaps == 0
    assert kinds(events) == ["contact", "hold_start", "release"]
    assert [h.ended_by for h in holds] == ["release"]
    assert abs(of(events, "release")[0].t - tr.marks["drop"][0]) <= 0.3


def on_change(t: np.ndarray, f: np.ndarray, delta: float, beat: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """The rows a sensor that reports only on change sends: a reading that moved ``delta`` from the
    last one sent, else a heartbeat every ``beat`` seconds (a BLE or IoT force sensor)."""
    keep = [0]
    for i in range(1, t.size):
        j = keep[-1]
        if abs(f[i] - f[j]) >= delta or t[i] - t[j] >= beat:
            keep.append(i)
    return t[keep], f[keep]


@pytest.mark.parametrize("frac", [-0.3, 0.25, 0.4])
@pytest.mark.parametrize("delta", [0.1, 0.2, 0.3])
def test_a_sensor_that_reports_only_on_change_dates_the_new_hold_and_tells_no_band_exit(
        impl, trace, run_trace, invariants, frac, delta):
    """A 25-N hold, then an actuator's fast step of -30 to +40 % in 0.12 s that rings ±12 % at 4 Hz
    as it settles, read by a sensor that sends a row only when the force moved 0.1-0.3 N, else a
    heartbeat each second: steady stretches are one row a second. Its first heartbeat after the
    step holds the settled value over a second's silence; the cores before dated the new hold from
    that row (0.8-1.1 s late, where the mean averaged over VEL_MEAN first showed it), and counted its
    whole second in that mean, whose rate then lagged the step so that the ringing was told as a
    band exit of the old hold. A tick that ends a silence longer than VEL_MEAN counts only for its
    part inside the window, and the mean reached its value VEL_MEAN after the tick before
    (failure mode 63): the hold starts within 0.5 s of the step's end, and no band event."""
    tr = trace(rate=100.0).rest(1.0).ramp(25.0, 1.0).hold(10.0).step(frac, 0.12, mark="step").hold(10.0)
    t, f = tr.release(0.3).rest(2.0).build()
    end = tr.marks["step"][1]
    u = np.clip(t - end, 0.0, None)
    ring = 0.12 * 25.0 * (1.0 + frac) * np.exp(-u / 0.12) * np.sin(2.0 * np.pi * 4.0 * u + 0.5)
    t, f = on_change(t, f - np.sign(frac) * np.where(t > end, ring, 0.0), delta)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "step", "hold_start", "release"], kinds(events)
    assert abs(holds[1].start - end) <= 0.5, (holds[1].start, end)
    assert holds[1].level == pytest.approx(25.0 * (1.0 + frac), rel=0.02), holds[1]


@pytest.mark.parametrize("lean", [0.2, 0.25, -0.2, -0.25])
@pytest.mark.parametrize("delta", [0.1, 0.3])
def test_a_lean_read_by_a_sensor_that_reports_only_on_change_is_a_band_exit_not_a_departure(
        impl, trace, run_trace, invariants, lean, delta):
    """As above: a 25-N hold, a lean of ±20-25 % held 0.3 s and let go in 0.08 s, back 0.53 s after
    it began; then a row a second. The filtered force came back into the band between the last row
    of the return and the next heartbeat, 1 s later: the cores before saw it back only at that
    heartbeat, away longer than leave_time, and ended the hold `left` there, a second one beginning
    at once. Back is dated when the force showed it (failure mode 63): one hold, one band exit and
    its band_enter."""
    tr = trace(rate=100.0).rest(1.0).ramp(25.0, 1.0).hold(8.0).step(lean, 0.15, mark="lean").hold(0.3)
    tr = tr.step(-lean / (1.0 + lean), 0.08).hold(10.0)
    t, f = on_change(*tr.release(0.3).rest(2.0).build(), delta)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "band_exit", "band_enter", "release"], kinds(events)
    assert of(events, "band_exit")[0].direction == ("high" if lean > 0 else "low")
    assert abs(of(events, "band_exit")[0].t - tr.marks["lean"][0]) <= 0.3
    assert [h.ended_by for h in holds] == ["release"], holds


@pytest.mark.parametrize("creep", [0.07, 0.09])
@pytest.mark.parametrize("let_go", [0.35, 0.5])
@pytest.mark.parametrize("delta", [0.15, 0.3])
def test_a_let_go_after_a_heartbeat_from_a_hold_crept_near_its_edge_is_a_release_and_no_band_exit(
        impl, run_trace, invariants, creep, let_go, delta):
    """A 16-N hold held a minute while the tissue relaxes under it (the force creeps 7-9 % down,
    exponentially, time constant 20 s), let go at constant speed in 0.35-0.5 s, read by a sensor
    that sends a row only when the force moved 0.15-0.3 N, else a heartbeat each second: the last
    row before the let-go is a heartbeat up to a second earlier. The band's lower edge lies 1-3 %
    below the crept force, so the let-go crosses it at once; the cores before measured the rate
    from that heartbeat, a second back, which diluted it several times: the band exit's debounce
    ran out before the rate saw a fast movement, and the let-go began with a band exit. Across a
    silence the rate is measured from VEL_SPAN ago, at the level before it (failure mode 64): a
    release and nothing else."""
    rate = 100.0
    t = np.arange(0.0, 67.0, 1.0 / rate)
    t_on, t_hold, t_go = 2.0, 2.5, 62.5
    level = 16.0
    f = np.zeros_like(t)
    up = (t >= t_on) & (t < t_hold)
    f[up] = level * (t[up] - t_on) / (t_hold - t_on)
    held = (t >= t_hold) & (t < t_go)
    f[held] = level * (1.0 - creep * (1.0 - np.exp(-(t[held] - t_hold) / 20.0)))
    last = level * (1.0 - creep * (1.0 - np.exp(-(t_go - t_hold) / 20.0)))
    fall = (t >= t_go) & (t < t_go + let_go)
    f[fall] = last * (1.0 - (t[fall] - t_go) / let_go)
    f = f + 0.02 * np.random.default_rng(1).standard_normal(t.size)
    t, f = on_change(t, f, delta)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "release"], kinds(events)
    assert abs(of(events, "release")[0].t - t_go) <= 0.3, of(events, "release")
    assert [h.ended_by for h in holds] == ["release"], holds


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
def test_nan_and_decreasing_timestamps_are_ignored(impl, trace, run_trace, same_events,
                                                        same_holds, rate):
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(3.0).step(0.3, 0.8).hold(3.0).release(0.3)
    t, f = tr.rest(1.0).build(noise=0.03, tremor=0.01, seed=9)
    ref_events, ref_holds, ref = run_trace(impl, t, f)
    rng = np.random.default_rng(int(rate))
    tl, fl = t.tolist(), f.tolist()
    bad = 0
    for j, i in enumerate(sorted(rng.choice(np.arange(2, t.size - 1), 40, replace=False), reverse=True)):
        prev = tl[i - 1]
        new = [(np.nan, 20.0), (np.inf, 20.0), (prev + 1e-4, np.nan), (prev + 1e-4, np.inf),
               (prev + 1e-4, -np.inf), (prev - 1e-9, 50.0), (prev - 0.5 / rate, 0.0),
               (prev - 30.0, 80.0)][j % 8]  # (a repeated stamp is a real sample: test_core_timestamps)
        tl.insert(i, new[0])
        fl.insert(i, new[1])
        bad += 1
    tl.insert(0, np.nan)  # a bad first sample too
    fl.insert(0, 1.0)
    bad += 1
    events, holds, det = run_trace(impl, np.array(tl), np.array(fl))
    assert det.ignored == bad
    assert ref.ignored == 0
    assert det.samples == ref.samples
    same_events(ref_events, events, "with bad samples")
    same_holds(ref_holds, holds, 0.0, "with bad samples")
    assert kinds(events) == ["contact", "hold_start", "step", "hold_start", "release"]


# --------------------------------------------------------------------------------------------------
# hold statistics
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("seed", [0, 1])
def test_hold_statistics_match_numpy(impl, trace, run_trace, invariants, rate, seed):
    """A hold that is 20 N + 1.2 N over 7 s + white noise: the core's statistics (on its low-passed,
    tick-weighted force) agree with numpy's on the raw samples over the hold's own span."""
    slope = 0.06 * 20.0 / 7.0
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0, mark="ramp").drift(0.06, 7.0)
    t, f = tr.release(0.3, mark="drop").rest(1.0).build(noise=0.05, seed=seed)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "release"]
    (h,) = holds
    assert abs(h.start - tr.marks["ramp"][1]) <= 0.5
    assert abs(h.end - tr.marks["drop"][0]) <= 0.3
    assert h.duration == pytest.approx(h.end - h.start, abs=1e-9)

    span = (t >= h.start) & (t < h.end)
    x, y = t[span], f[span]
    mean, sd = float(y.mean()), float(y.std())
    fit = float(np.polyfit(x, y, 1)[0])
    assert h.mean == pytest.approx(mean, rel=0.005)
    assert h.mean == pytest.approx(float(tr.force_at(x).mean()), rel=0.005)
    assert abs(h.sd - sd) <= 0.1 * sd + 0.02
    assert h.cv == pytest.approx(h.sd / h.mean, rel=1e-9)
    assert abs(h.cv - sd / mean) <= 0.1 * sd / mean + 0.001
    assert abs(h.drift_per_s - fit) <= 0.1 * abs(fit) + 0.01
    assert h.drift_per_s == pytest.approx(slope, rel=0.12)
    # ±3 % around the level stays inside the ±10 % band all along.
    assert h.time_in_band >= 0.95 * h.duration


@pytest.mark.parametrize("rate", RATES)
def test_constant_hold_statistics(impl, trace, run_trace, rate):
    """A flat hold: mean at the level, no drift, and from 100 Hz up an sd below the raw noise (the
    core low-passes). (At 10 Hz the 4 Hz low-pass hardly smooths, and the back-dated start tick on
    the ramp's tail may weigh in, so only the numpy comparison above applies there.)"""
    tr = trace(rate=rate).rest(1.0).ramp(30.0, 1.0).hold(6.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.1, seed=11)
    _, holds, _ = run_trace(impl, t, f)
    (h,) = holds
    assert h.mean == pytest.approx(30.0, rel=0.003)
    assert abs(h.drift_per_s) <= 0.002 * 30.0  # 0.2 %/s: nothing next to a drift
    assert h.cv == pytest.approx(h.sd / h.mean, rel=1e-9)
    if rate >= 100.0:
        assert h.sd <= 0.1


def _time_in_band_excess(holds: list[Any]) -> list[tuple[float, float, str]]:
    return [(h.time_in_band, h.duration, h.ended_by) for h in holds
            if h.time_in_band > h.duration + 1e-9]


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
def test_time_in_band_at_most_duration_open_hold(impl, trace, run_trace, rate):
    t, f = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(5.0).build(noise=0.05, seed=0)
    _, holds, _ = run_trace(impl, t, f)
    assert [h.ended_by for h in holds] == ["end_of_data"]
    assert _time_in_band_excess(holds) == []


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
def test_time_in_band_at_most_duration_jittered(impl, therapy, run_trace, rate):
    holds: list[Any] = []
    for seed in range(3):
        t, f = therapy(rate, seed=seed, jitter=0.3)
        holds += run_trace(impl, t, f)[1]
    assert len(holds) >= 15
    assert _time_in_band_excess(holds) == []


@pytest.mark.parametrize("rate", RATES)
def test_time_in_band_tracks_the_band(impl, therapy, run_trace, rate):
    """Steady holds spend (nearly) all their time in the band; the one that drifts out visibly less."""
    t, f = therapy(rate)
    _, holds, _ = run_trace(impl, t, f)
    assert len(holds) >= 5
    fractions = sorted(h.time_in_band / h.duration for h in holds)
    assert 0.0 < fractions[0] < 0.8, "the drifting hold"
    assert all(x >= 0.95 for x in fractions[1:]), fractions


# --------------------------------------------------------------------------------------------------
# 10 Hz, irregular
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_10hz_irregular_one_hold_per_contact(impl, trace, run_trace, invariants, seed):
    levels = (8.0, 20.0, 35.0, 60.0, 110.0)
    tr = trace(rate=10.0).rest(1.5)
    for i, lv in enumerate(levels):
        tr.ramp(lv, 1.0).hold(4.0).release(0.4, mark=f"drop{i}").rest(1.5)
    t, f = tr.build(noise=0.02, tremor=0.01, seed=seed, jitter=0.8, drop=0.2)
    assert np.diff(t).max() > 0.15 and np.diff(t).min() < 0.05  # really irregular
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "release"] * len(levels)
    for i, (lv, h) in enumerate(zip(levels, holds, strict=True)):
        assert h.level == pytest.approx(lv, rel=0.04)
        assert h.ended_by == "release"
        assert abs(h.end - tr.marks[f"drop{i}"][0]) <= 0.3
