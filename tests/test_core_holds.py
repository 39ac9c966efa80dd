"""The contract's hold: one contact, where it starts (the arrival, an overshoot, a staircase's last
stair), and its level, the settled level, measured once an arrival has settled and not on a drift."""

from __future__ import annotations

import numpy as np
import pytest
from contract_cases import kinds, of, one_release


@pytest.mark.parametrize("rate", [10.8, 80.0])
@pytest.mark.parametrize("frac", [0.2, -0.2])
def test_sensor_noise_does_not_move_a_slow_arrivals_hold_start(impl, trace, run_trace, invariants,
                                                               rate, frac):
    """A 4-N hand eases 20 % over 6 s (3 %/s) onto a new barrier, read clean and then with an HX711's
    noise (0.09 N at 10.8 Hz, 0.23 N at 80 Hz). The new hold starts where the force came within the
    hold band of its level; taken on the filtered force with two of its sigmas of allowance (4 % of the
    level here) the noisy reading's start came 0.3-1.8 s before the clean one's (median 1.2 s, over
    eight seeds), more than a labeller's second. Taken on the force averaged over VEL_MEAN, noise
    aside (no allowance: the mean's noise is symmetric, an allowance only moves the crossing
    earlier), it lies within 0.7 s of it, 0.2 s in the median."""
    tr = trace(rate=rate).rest(1.0).ramp(4.0, 1.0).hold(8.0).drift(frac, 6.0).hold(9.0).release(0.3).rest(1.0)
    t, f = tr.build(tremor=0.01, seed=1)
    events, holds, _ = run_trace(impl, t, f)
    assert len(holds) == 2
    clean = holds[1].start
    shifts = []
    for seed in range(1, 9):
        t, f = tr.build(noise=0.09 if rate < 20.0 else 0.23, tremor=0.01, seed=seed)
        events, holds, _ = run_trace(impl, t, f)
        invariants(events, holds, t)
        assert len(holds) == 2, seed
        shifts.append(holds[1].start - clean)
    assert max(abs(x) for x in shifts) <= 1.0, shifts
    assert float(np.median(np.abs(shifts))) <= 0.4, shifts


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("sag", [0.86, 0.87])
def test_a_level_found_on_a_sag_is_no_hold_once_the_force_climbs_away_from_it(impl, trace, run_trace,
                                                                            invariants, rate, sag):
    # A dynamometer squeeze: a fast step up to 106 N, a sag of 13-14 % that lies near one level
    # for min_hold, a climb back to 108 N, a let-go 1.3 s later. A new level is found on the sag,
    # but when it has lasted min_hold the force has climbed away from it, and the let-go passing
    # back through it is no return: no hold is told at a level the force is not holding (before,
    # one at ~92 N was, with its end, and the release, pushed past the let-go). Nothing after the
    # step lies within the hold band for min_hold, so the 55-N hold has ended `left`.
    tr = trace(rate=rate).rest(1.0).ramp(55.0, 1.0).hold(4.0).ramp(106.0, 0.5, mark="up").hold(0.5)
    tr = tr.ramp(106.0 * sag, 1.0).hold(0.3).ramp(108.0, 0.7).hold(0.6)
    t, f = tr.release(0.4, mark="off").rest(1.0).build(noise=0.03, tremor=0.01, seed=13)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    for h in holds:
        assert h.mean == pytest.approx(h.level, rel=0.1), (h.level, h.mean)
        assert h.end <= tr.marks["off"][0] + 0.3, (h.level, h.end)
    assert [(round(h.level), h.ended_by) for h in holds] == [(55, "left")]
    assert abs(holds[0].end - tr.marks["up"][0]) <= 0.3
    one_release(events, tr.marks["off"][0], 0.5)


@pytest.mark.parametrize("rate", [10.0, 80.0, 1000.0])
@pytest.mark.parametrize("level", [3.0, 3.5])
@pytest.mark.parametrize("seed", [3, 4, 5])
def test_a_light_press_whose_raw_noise_straddles_the_threshold_is_one_contact(impl, trace, run_trace,
                                                                              invariants, rate, level,
                                                                              seed):
    """The cost of the test above: a light press (3-3.5 N, pressed in over 3 s) read through 0.3 N of sensor
    noise, whose raw samples cross the contact threshold's hysteresis for a while after the low-pass
    crossed it. Near the threshold the filtered force decides (a raw touch of rest counts only where the
    filtered force is a threshold above where contact begins): one contact, one hold."""
    tr = trace(rate=rate).rest(1.0).ramp(level, 3.0).hold(8.0).release(0.5, mark="off").rest(1.5)
    t, f = tr.build(noise=0.3, seed=seed)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    # (noise of 10 % of the level may take the force out of the band: not this test's business)
    assert [k for k in kinds(events) if not k.startswith("band")] == ["contact", "hold_start", "release"]
    assert holds[0].level == pytest.approx(level, rel=0.08)
    assert abs(of(events, "release")[0].t - tr.marks["off"][0]) <= 0.5


@pytest.mark.parametrize("rate", [80.0, 1000.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_light_hold_on_a_very_noisy_sensor_is_not_ended_by_its_noise(impl, trace, run_trace, invariants,
                                                                        rate, seed):
    """Another cost of the let-go test: a 4.3-N press read through 1 N of sensor noise, whose raw samples fall
    under the hysteresis every few seconds while the filtered force lies above twice the threshold. A
    sample counts as a touch of rest only beyond the raw noise's reach (spike_k mean residuals below the
    filtered force, as far as a spike must lie off its line): one contact, as the filtered force alone
    gives."""
    tr = trace(rate=rate).rest(1.0).ramp(4.3, 0.5).hold(40.0).release(0.5).rest(1.5)
    t, f = tr.build(noise=1.0, seed=seed)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert len(of(events, "contact")) == 1, kinds(events)
    assert len(of(events, "release")) <= 1


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("over", [0.05, 0.10, 0.15])
def test_the_level_is_taken_after_an_overshoot_settles(impl, trace, run_trace, invariants, rate, over):
    tr = trace(rate=rate).rest(1.0).ramp(20.0 * (1 + over), 0.8).ramp(20.0, 0.8).hold(8.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.01, seed=7)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "release"]
    assert holds[0].level == pytest.approx(20.0, rel=0.02)


def _told_where_the_drift_left(events, hold, tr) -> None:
    """The first band exit is high, about ``hold``'s level, within 1 s of where the trace's 15 %
    drift (marked "drift", from 20 N) left 20 N · 1.10."""
    exits = of(events, "band_exit")
    assert exits[0].direction == "high" and exits[0].level == hold.level
    t0, t1 = tr.marks["drift"]
    crossing = t0 + (t1 - t0) * 0.10 / 0.15
    assert abs(exits[0].t - crossing) <= 1.0, (exits[0].t, crossing)


def _settling_arrival(trace, rate: float, over: float, tau: float, drift: float, seed: int):
    """(trace, t, force): from rest to ``over`` past 20 N in 0.5 s, settling back exponentially
    (time constant ``tau``) as a real pull or squeeze does, held to 14 s, then ``drift`` of the
    level over the next 15 s, 2 s more and a release. (The pieces' own moves are minimum-jerk: the
    settling is laid over their flat top.)"""
    tr = trace(rate=rate).rest(1.0).ramp(20.0 * (1.0 + over), 0.5, mark="rise").hold(12.5)
    tr = tr.drift(drift, 15.0, mark="drift").hold(2.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.02, tremor=0.003, seed=seed)
    peak = tr.marks["rise"][1]
    settle = (1.0 + over * np.exp(-np.maximum(t - peak, 0.0) / tau)) / (1.0 + over)
    return tr, t, np.where(t > peak, f * settle, f)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("tau", [0.8, 1.0])
def test_the_level_is_measured_once_a_slow_settling_has_settled(impl, trace, run_trace, invariants, rate,
                                                                 tau):
    """An arrival 12 % past 20 N that settles back exponentially over a second (tau 0.8-1 s, still
    3-5 % high when the hold is confirmed), then a drift out of the band at 1 %/s. The old core took
    the level over the first min_hold window from the close arrival, inside the settling (20.5-21.3
    N): the relative band sat 2.5-6.6 % high and the drift's exit came 2.6-3.6 s late or never. The
    window's halves lie more than LEVEL_SETTLED apart, so the level is measured again once it has
    settled."""
    tr, t, f = _settling_arrival(trace, rate, 0.12, tau, 0.15, seed=3)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "band_exit", "release"], kinds(events)
    assert holds[0].level == pytest.approx(20.0, rel=0.01), holds[0]
    _told_where_the_drift_left(events, holds[0], tr)


@pytest.mark.parametrize(("rate", "over"), [(10.0, 0.08), (100.0, 0.06), (100.0, 0.08), (1000.0, 0.06),
                                           (1000.0, 0.08)])
@pytest.mark.parametrize("tau", [0.7, 0.9])
def test_the_level_is_measured_once_a_small_overshoot_has_settled_back(impl, trace, run_trace, invariants,
                                                                       rate, over, tau):
    """An arrival 6-8 % past 20 N that settles back exponentially (tau 0.7-0.9 s: the blind
    generator's asymmetric hands), then a drift out of the band at 1 %/s. The first window's halves
    lie under LEVEL_SETTLED (2 %) apart, so the old cores took its mean, 1.2-2.4 % high, and told
    the drift's exit 1.3-2.7 s late. A window whose thirds move back against the arrival, each by
    less than the one before (an overshoot decaying onto its level), is still settling from
    LEVEL_BACK (1 %) on, and is measured again."""
    tr, t, f = _settling_arrival(trace, rate, over, tau, 0.15, seed=4)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "band_exit", "release"], kinds(events)
    assert holds[0].level == pytest.approx(20.0, rel=0.01), holds[0]
    _told_where_the_drift_left(events, holds[0], tr)


@pytest.mark.parametrize("rate", [10.0, 80.0, 1000.0])
@pytest.mark.parametrize(("over", "rise", "settle"), [(0.12, 2.5, 1.3), (0.13, 2.2, 1.2), (0.12, 2.0, 1.3)])
@pytest.mark.parametrize("seed", [1, 2])
def test_the_level_is_measured_again_after_an_excursion_cut_it_within_min_hold(
        impl, trace, run_trace, invariants, rate, over, rise, settle, seed):
    """A slow press to 38 N that overshoots 12-13 % and settles back over 1.2-1.3 s (a limb that
    overshoots its aim, a third blind generator's hand): the hold is confirmed on a window that
    still holds the overshoot (40.8-41.2 N), and the settling, at 15 %/s, trips the rate test a tick
    later. That excursion cut the level's measurement and was back within min_hold of where it
    began, so the level measured again had to reach back before the hold's window - and was never
    measured: the old cores kept 40.8-41.2 N (+7-8 %), a band centred high that a steady hand
    leaves on a 3 % dip (16 of 18 here: all but 10 Hz's slowest settling; `bg3_s7_027`: 16 false
    band exits in one 60-s hold). It is
    now judged on the first steady tick its last min_hold lies in the hold (failure mode 52)."""
    tr = trace(rate=rate).rest(1.0).ramp(38.0 * (1.0 + over), rise).ramp(38.0, settle).hold(20.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.05, tremor=0.003, seed=seed)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "release"], kinds(events)
    assert holds[0].level == pytest.approx(38.0, rel=0.01), holds[0]


@pytest.mark.parametrize("rate", [10.0, 80.0, 1000.0])
@pytest.mark.parametrize(("over", "rise", "settle"), [(0.12, 2.5, 1.3), (0.13, 2.8, 1.3)])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_hold_confirmed_on_its_overshoot_is_dated_again_against_its_settled_level(
        impl, trace, run_trace, invariants, rate, over, rise, settle, seed):
    """A press to 38 N that overshoots 12-13 % and settles back over 1.3 s (the test above's hand):
    confirmed at 40.8-41.2 N, its start was dated where the rise came within 8 % of that, on the
    rise, 1.1-1.3 s before the force came back within 8 % of 38 N (the third blind generator's
    label; `bg3_s7_027`: 1.08 s early, a missed hold). Against the settled 38 N the arrival
    overshot the band and came back: people date such a hold anywhere from the first moment within
    the band to the end of the settling. Once the level has settled the record's start is dated
    again between the two, within a second of both readings; the hold_start event, told before
    the level was known, keeps the first dating, and the record names it by ``confirmed``
    (failure mode 65)."""
    tr = trace(rate=rate).rest(1.0).ramp(38.0 * (1.0 + over), rise, mark="rise").ramp(38.0, settle)
    t, f = tr.hold(20.0).release(0.3).rest(1.0).build(noise=0.05, tremor=0.003, seed=seed)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "release"], kinds(events)
    (h,) = holds
    (told,) = of(events, "hold_start")
    assert h.confirmed == told.t_detected and told.t < h.start < tr.marks["rise"][1], (h, told)
    entry = _first_time(tr, t, tr.marks["rise"][0], lambda x: x >= 0.92 * 38.0)
    back = _first_time(tr, t, tr.marks["rise"][1], lambda x: x <= 1.08 * 38.0)
    assert abs(h.start - entry) <= 1.0 and abs(h.start - back) <= 1.0, (h.start, entry, back, told.t)
    assert h.level == pytest.approx(38.0, rel=0.01), h
    assert h.duration == pytest.approx(h.end - h.start, abs=1e-9)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("pct", [1.2, 2.0, 3.0])
def test_a_drift_from_the_arrival_is_not_measured_as_the_level(impl, trace, run_trace, invariants, rate, pct):
    """Guard: a hold that drifts up at 1.2-3 %/s from the moment it arrives never settles, so no
    window measured again is taken for its level (a drift goes on as it began; a settling slows):
    the level stays the first window's, within ARRIVAL of 20 N, and the band exit comes within
    1.5 s of where the drift crossed 22 N (a level chasing the drift would put it seconds later)."""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 0.8).drift(pct / 100.0 * 12.0, 12.0, mark="drift")
    t, f = tr.release(0.3).rest(1.0).build(noise=0.02, tremor=0.003, seed=6)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "band_exit", "release"], kinds(events)
    assert holds[0].level == pytest.approx(20.0, rel=0.04), holds[0]
    crossing = tr.marks["drift"][0] + 10.0 / pct
    exit_t = of(events, "band_exit")[0].t
    assert 0.0 <= exit_t - crossing <= 1.5, (exit_t, crossing)


def _staircase(trace, rate: float, mid: float, rise: float, tremor: float):
    """(trace, t, force): a hold at 16.4 N, then a staircase arrival onto 20 N - a stair to 18.3 N
    held 0.8 s, on to ``mid`` of 20 N over ``rise`` s and the last 0.8 s onto it - held 8 s, a
    drift up 15 % over 15 s, 2 s more and a release."""
    tr = trace(rate=rate).rest(1.0).ramp(16.4, 0.8).hold(6.0).ramp(18.3, 0.5).hold(0.8)
    tr = tr.ramp(mid * 20.0, rise).ramp(20.0, 0.8).hold(8.0).drift(0.15, 15.0, mark="drift")
    t, f = tr.hold(2.0).release(0.3).rest(1.0).build(noise=0.02, tremor=tremor, seed=4)
    return tr, t, f


@pytest.mark.parametrize("rate", [10.0, 80.0, 1000.0])
@pytest.mark.parametrize("tremor", [0.01, 0.02])
@pytest.mark.parametrize("mid,rise", [(0.96, 1.0), (0.98, 1.0), (0.98, 1.5)])
def test_an_arrival_cut_short_by_its_last_stair_is_measured_where_it_settled(impl, trace, run_trace,
                                                                            invariants, rate, tremor, mid,
                                                                            rise):
    """A step up that arrives in stairs: the hold is confirmed on the stair at 18.3 N (its steady
    window lies within the hold band) while its level is still being measured, and the last stairs,
    8-9 % more, begin an excursion that cuts that measurement short. They end in the same hold (no
    step: under 10 %). The old core kept the stair's level (18.4-18.8 N): the relative band's upper
    edge sat at 20.2-20.7 N, and the drift's exit came 6-9 s early, as the hold began to drift (12 of
    these 18 cases). The level is measured again where the excursion settled, within the time the
    measurement had (LEVEL_TRIES windows more), so the band is centred on 20 N."""
    tr, t, f = _staircase(trace, rate, mid, rise, tremor)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "step", "hold_start", "band_exit", "release"], \
        kinds(events)
    assert of(events, "step")[0].direction == "up"
    assert holds[1].level == pytest.approx(20.0, rel=0.01), holds[1]
    _told_where_the_drift_left(events, holds[1], tr)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("at,bump", [(0.8, 0.06), (1.2, 0.12)])
def test_a_level_cut_short_is_not_measured_on_a_drift_long_after(impl, trace, run_trace, invariants, rate,
                                                                 at, bump):
    """Guard: a hold reaches 20 N and 0.8-1.2 s later a quick bump of 6-12 % and back begins an
    excursion that cuts its level's measurement short; 6 s on, a drift up over 3 s pauses at +6 %
    for 3 s and drifts on out of the band. Measured where that drift paused (nothing limiting when the cut
    measurement may be taken again), the level was 21.5-21.9 N and no exit was told. It may be
    taken again only within the time the measurement had (LEVEL_TRIES windows more): the level
    stays within 2 % of 20 N and the exit comes within 1.5 s of where the drift crossed 22 N."""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 0.8).hold(at).ramp(20.0 * (1.0 + bump), 0.3).ramp(20.0, 0.3)
    tr = tr.hold(6.0).drift(0.06, 3.0).hold(3.0).drift(0.09 / 1.06, 6.0, mark="drift")
    t, f = tr.hold(2.0).release(0.3).rest(1.0).build(noise=0.02, tremor=0.01, seed=6)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "band_exit", "release"], kinds(events)
    assert holds[0].level == pytest.approx(20.0, rel=0.02), holds[0]
    t0, t1 = tr.marks["drift"]
    crossing = t0 + (t1 - t0) * (22.0 / 21.2 - 1.0) / (0.09 / 1.06)  # the second drift, from 21.2 N
    exit_t = of(events, "band_exit")[0].t
    assert abs(exit_t - crossing) <= 1.5, (exit_t, crossing)


def _first_time(tr, t: np.ndarray, after: float, pred) -> float:
    """The first sample time from ``after`` on at which the clean force satisfies ``pred``."""
    tt = t[t >= after]
    return float(tt[np.flatnonzero(pred(tr.force_at(tt)))[0]])


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("over", [0.15, 0.19])
@pytest.mark.parametrize("settle", [0.6, 1.0])
@pytest.mark.parametrize("before", [None, 10.0])
def test_a_hold_whose_arrival_overshot_begins_where_the_arrival_ended(impl, trace, run_trace, invariants,
                                                                     rate, over, settle, before):
    """A climber's pull (real finger-gauge arrivals overshoot 12-19 % and settle back within a
    second): from rest, or by a step up from 10 N, to 15-19 % above 20 N, back onto 20 N over
    0.6-1.0 s. People date such a hold from the first moment within the hold band (the real
    labels) or from the end of the settling (the project's generator); the hold begins at the
    overshoot's peak, where the hand's movement onto the level ended, between the two and within
    a second of each. The old core began it where the settling came back into the band, 0.3-0.6 s
    after the peak (1.1-1.2 s after the first entry on the real pulls). Its level stays the
    settled one."""
    tr = trace(rate=rate).rest(1.0)
    if before is not None:
        tr = tr.ramp(before, 1.0).hold(5.0)
    tr = tr.ramp(20.0 * (1.0 + over), 0.6, mark="rise").ramp(20.0, settle).hold(6.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.02, tremor=0.003, seed=8)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert len(holds) == (1 if before is None else 2), kinds(events)
    h = holds[-1]
    peak = tr.marks["rise"][1]
    entry = _first_time(tr, t, tr.marks["rise"][0], lambda x: x >= 0.92 * 20.0)
    back = _first_time(tr, t, peak, lambda x: x <= 1.08 * 20.0)
    lag = 0.15 + 1.5 / rate  # the filtered force's peak, a tick or two late at 10 Hz
    assert entry - 0.05 <= h.start <= peak + lag, (h.start, entry, peak, back)
    assert abs(h.start - entry) <= 1.0 and abs(h.start - back) <= 1.0
    assert h.level == pytest.approx(20.0, rel=0.015), h
    if before is not None:
        assert [s.direction for s in of(events, "step")] == ["up"], kinds(events)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
def test_an_overshoot_that_settles_slowly_is_not_part_of_the_hold(impl, trace, run_trace, invariants,
                                                                   rate):
    """An arrival 30 % past 20 N that takes 1.35 s to come back within the hold band (longer than
    leave_time; never 1.5 s near one level on its way, which would be a hold of its own): the hold
    begins where it came back, as people label it, not at the peak."""
    tr = trace(rate=rate).rest(1.0).ramp(26.0, 0.5, mark="rise").ramp(20.0, 2.2).hold(6.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.02, tremor=0.003, seed=9)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert len(holds) == 1, kinds(events)
    back = _first_time(tr, t, tr.marks["rise"][1], lambda x: x <= 1.08 * 20.0)
    assert holds[0].start >= back - 0.15, (holds[0].start, back)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
def test_a_hold_after_a_burst_and_a_near_let_go_begins_on_the_last_rise(impl, trace, run_trace, invariants,
                                                                         rate):
    """A dynamometer grip: a hold at 20 N, a burst to 30 N, a fall to 4 N and a squeeze back to 20 N
    within a second. The fall through the band and the rise from 4 N look like an arrival from
    above that undershot; it is no overshoot (it went more than half the arrival's way past the
    level), so the new hold begins on the last rise, not at the bottom of the fall."""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(5.0).ramp(30.0, 0.4).ramp(4.0, 0.5)
    tr = tr.ramp(20.0, 0.6, mark="again").hold(6.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.02, tremor=0.003, seed=10)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert len(holds) == 2 and holds[0].ended_by == "left", kinds(events)
    entry = _first_time(tr, t, tr.marks["again"][0], lambda x: x >= 0.92 * 20.0)
    assert holds[1].start >= entry - 0.05, (holds[1].start, entry)


def _squeeze(trace, rate: float, creep: float):
    """A quick maximal squeeze: up to 600 N in 0.5 s (``rise``), then creeping on to 660 N over
    ``creep`` seconds (minimum jerk: 4-5 %/s at its steepest over 2-2.3 s)."""
    return trace(rate=rate).rest(1.0).ramp(600.0, 0.5, mark="rise").ramp(660.0, creep)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("creep", [2.0, 2.3])
@pytest.mark.parametrize("seed", [0, 1])
def test_a_short_hold_let_go_while_its_level_still_creeps_is_a_hold(impl, trace, run_trace, invariants,
                                                                    rate, creep, seed):
    """A quick maximal squeeze (a real dynamometer's, `hg_fastmax_03`): up to 600 N, then creeping
    on to 660 N (4-5 %/s at its steepest) for 2-2.3 s, and let go. The force lies within the hold
    band of its level for longer than min_hold, so it is a hold; but the level measured on the
    steady window kept moving with the creep, and the confirmation, which waits for the settled part
    to be min_hold old, never came before the let-go: no hold, no release. At the let-go the level
    last found is now judged as any hold's start is dated (where the force came within the hold band
    of it), and the hold is begun back-dated and released."""
    tr = _squeeze(trace, rate, creep)
    t, f = tr.release(0.3, mark="off").rest(1.0).build(noise=0.5, tremor=0.005, seed=seed)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "release"], kinds(events)
    (h,) = holds
    assert h.ended_by == "release" and h.duration >= 1.5
    assert abs(h.start - tr.marks["rise"][1]) <= 0.3, (h.start, tr.marks["rise"])
    assert abs(h.end - tr.marks["off"][0]) <= 0.15, (h.end, tr.marks["off"])
    assert abs(of(events, "release")[0].t - h.end) <= 1e-9
    assert 600.0 <= h.level <= 660.0, h.level


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
def test_a_creep_let_go_before_it_lay_min_hold_near_one_level_is_no_hold(impl, trace, run_trace,
                                                                        invariants, rate):
    """The same squeeze let go after 1.2 s of creep: under min_hold near its level, no hold."""
    tr = _squeeze(trace, rate, 1.2)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.5, tremor=0.005, seed=0)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert holds == [] and kinds(events) == ["contact"], kinds(events)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("creep", [1.2, 2.0, 2.3])
def test_a_creeping_hold_the_data_end_in_is_closed_there(impl, trace, run_trace, invariants, rate, creep):
    """The same squeeze with the recording cut while the level still creeps (no let-go): a hold if
    the force had lain within its hold band min_hold or longer by the data's end, closed
    `end_of_data` there, as any hold open at the end is; none after 1.2 s of creep."""
    tr = _squeeze(trace, rate, creep)
    t, f = tr.build(noise=0.5, tremor=0.005, seed=0)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    if creep < 1.5:
        assert holds == [] and kinds(events) == ["contact"], kinds(events)
        return
    assert kinds(events) == ["contact", "hold_start"], kinds(events)
    (h,) = holds
    assert h.ended_by == "end_of_data" and h.end == t[-1] and h.duration >= 1.5
    assert abs(h.start - tr.marks["rise"][1]) <= 0.3, (h.start, tr.marks["rise"])


@pytest.mark.parametrize(("rate", "creep"), [(10.0, 2.3), (100.0, 2.0), (100.0, 2.3), (1000.0, 2.0),
                                             (1000.0, 2.3)])
@pytest.mark.parametrize("to", [800.0, 500.0])
def test_a_creeping_hold_that_steps_to_a_new_level_is_a_hold_and_a_step(impl, trace, run_trace, invariants,
                                                                         rate, creep, to):
    """The same squeeze, and instead of a let-go a quick change (0.4 s) to a new level held 5 s, up
    (+21 %) or down (-24 %). The first level never got its confirmation (the change came while the
    settled part was still under min_hold old), and the new level's was the only hold: one hold, no
    step. When the new level is confirmed, a level tried before it a step away is judged as at a
    let-go (within its hold band min_hold or longer until the change began): hold, step, hold."""
    tr = _squeeze(trace, rate, creep)
    tr = tr.ramp(to, 0.4, mark="change").hold(5.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.5, tremor=0.005, seed=0)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "step", "hold_start", "release"], kinds(events)
    first, second = holds
    # (it starts where the force came within the hold band of its level: with the level taken late in
    # a creep, up to half a second after the rise)
    assert first.ended_by == "step" and first.duration >= 1.5
    assert first.start >= tr.marks["rise"][1] - 0.3, (first.start, tr.marks["rise"])
    (step,) = of(events, "step")
    assert step.direction == ("up" if to > 660.0 else "down")
    assert abs(step.t - tr.marks["change"][0]) <= 0.3 and first.end == step.t, (step.t, tr.marks["change"])
    assert abs(second.level - to) <= 0.02 * to and second.start >= first.end
