"""The contract's fast steps: a change of 10 % or more completed within 2 s, seen under tremor, wander,
hum, a noisy or coarse sensor, dated where it left the old level, with no band exit on the way."""

from __future__ import annotations

import numpy as np
import pytest
from contract_cases import assert_one_fast_step, brisk_then_on, kinds, of, one_step, wander

from nmt_pressure.core.config import DetectorConfig


@pytest.mark.parametrize("rate", [10.0, 80.0])
def test_a_small_fast_step_on_a_noisy_sensor_is_not_dated_by_the_noise_after_it(impl, trace, run_trace,
                                                                                invariants, rate):
    """A 4-N hold and a 0.3-s step of 20 % (0.8 N) up or down, under 0.08 N of sensor noise, eight
    seeds each. The departure tolerance (2 % and two noise units) is a quarter of the step, and a
    fast step's onset was back-dated from where it passed that tolerance by the time it then took
    to pass four of them (a smooth start): four lie at the new level, passed only by its noise,
    seconds later. The old cores put 7 of the 16 at 10 Hz 0.4-1.9 s early; the second crossing is
    now taken within the step (at 0.8 of it), the back-dating scaled to it: within 0.16 s, none
    beyond the move's own 0.3 s (DETECTION failure mode 25; blind generator: light hands on HX711s)."""
    offs = []
    for frac in (0.2, -0.2):
        for seed in range(8):
            tr = trace(rate=rate).rest(1.0).ramp(4.0, 1.0).hold(8.0).step(frac, 0.3, mark="step")
            t, f = tr.hold(6.0).release(0.3).rest(1.0).build(noise=0.08, tremor=0.01, seed=seed)
            events, holds, _ = run_trace(impl, t, f)
            invariants(events, holds, t)
            step = one_step(events, "up" if frac > 0 else "down")
            offs.append(step.t - tr.marks["step"][0])
    assert max(abs(o) for o in offs) <= 0.3, np.round(offs, 2)


@pytest.mark.parametrize("rate", [10.8, 80.0])
@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize("seed", [1, 2])
def test_fast_steps_of_a_light_hold_on_a_noisy_sensor_are_steps(impl, trace, run_trace, invariants,
                                                                rate, sign, seed):
    """A 4-N staircase of 15 % steps on an HX711's noise (0.09 N at 10.8 Hz, 0.23 N at 80 Hz):
    the steady band widened by 3 sigma of one filtered sample's noise reaches twice the hold band
    (+-16 %), and the rate test's floor (that noise over VEL_SPAN) lies above a 4-N hand's 0.4-s
    step. The old cores saw no step at all (one hold through the staircase); the force averaged
    over the last half min_hold, against its own smaller allowance, shows each."""
    noise = 0.09 if rate < 20.0 else 0.23
    tr = trace(rate=rate).rest(1.0).ramp(4.0, 1.0).hold(8.0)
    for i in range(3):
        tr = tr.step(0.15 * sign, 0.4, mark=f"s{i}").hold(7.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=noise, tremor=0.01, seed=seed)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    steps = of(events, "step")
    assert [s.direction for s in steps] == ["up" if sign > 0 else "down"] * 3
    for i, s in enumerate(steps):
        assert abs(s.t - tr.marks[f"s{i}"][0]) <= 1.0, (i, s.t, tr.marks[f"s{i}"])
    assert [h.ended_by for h in holds] == ["step"] * 3 + ["release"]


@pytest.mark.parametrize("rate", [10.8, 80.0])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_a_fast_step_of_a_light_hold_on_a_noisy_sensor_raises_no_band_exit(impl, trace, run_trace,
                                                                          invariants, rate, sign):
    """Contract: "ramps, steps and releases raise none" (band events). A 4-6 N hand steps 20 % in
    0.4 s on an HX711's noise with 1.5 % tremor: the rate test's jitter floor (tremor and noise over
    the 0.25-s rate) lies above the step's rate, so the step is first a slow excursion, whose band
    exit is told at once as drift's. The old cores told one in 5-9 of these ten steps; now, the force
    averaged over VEL_MEAN having moved further in BRISK_SPAN than drift can, the exit is held back
    as a fast step's and dropped when the step is found."""
    noise = 0.09 if rate < 20.0 else 0.23
    told = []
    for seed in range(1, 6):
        tr = trace(rate=rate).rest(1.0).ramp(4.0 if sign > 0 else 6.0, 1.0).hold(8.0)
        for i in range(2):
            tr = tr.step(0.2 * sign, 0.4, mark=f"s{i}").hold(7.0)
        t, f = tr.release(0.3).rest(1.0).build(noise=noise, tremor=0.015, seed=seed)
        events, holds, _ = run_trace(impl, t, f)
        invariants(events, holds, t)
        assert [s.direction for s in of(events, "step")] == ["up" if sign > 0 else "down"] * 2, seed
        for i in range(2):
            a, b = tr.marks[f"s{i}"]
            told += [(seed, i, e.t) for e in of(events, "band_exit") if a - 0.3 <= e.t <= b + 1.0]
    assert len(told) <= 1, told  # of ten steps (the old cores: 5-9)


@pytest.mark.parametrize("rate", [10.8, 80.0])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_a_step_of_a_light_hold_on_a_noisy_sensor_under_wander_raises_no_band_exit(
        impl, trace, run_trace, invariants, rate, sign):
    """Contract: steps raise no band events. A 4-N hand under 0.4 % wander steps 13 or 16 % in 0.5-1 s
    on an HX711's noise: the rate test's jitter floor lies several times above the drift limit, so
    neither the rate nor the half-second displacement can tell the step from drift, and the noise
    sends the excursion back to the hold for a tick or two (the rate peak it measured lost with it),
    or the band sees the force leave before the hold's noise-widened tests do. The old cores told the
    old hold's exit at 8-22 of each 24 steps here (blind generator: 30 false exits, all light hands
    on HX711s). Now, where the rate cannot tell, an exit whose force (averaged over EXIT_MEAN) came
    from half the band out to its edge faster than drift can is held back as a fast step's (starting
    the excursion if the hold was still steady), and the excursion is not taken back while that exit
    stands: 0-4 of 24 (DETECTION failure mode 26)."""
    noise = 0.09 if rate < 20.0 else 0.23
    told, n = [], 0
    for frac in (0.13, 0.16):
        for dur in (0.5, 1.0):
            for seed in range(3):
                tr = trace(rate=rate).rest(1.0).ramp(4.0, 1.0).hold(8.0)
                for i in range(2):
                    tr = tr.step(frac * sign, dur, mark=f"s{i}").hold(7.0)
                t, f = tr.release(0.3).rest(1.0).build(noise=noise, tremor=0.015, seed=seed)
                f = f * wander(t, 0.004, hz=0.25, seed=seed)
                events, holds, _ = run_trace(impl, t, f)
                invariants(events, holds, t)
                assert [s.direction for s in of(events, "step")] == ["up" if sign > 0 else "down"] * 2, \
                    (frac, dur, seed)
                for i in range(2):
                    a, b = tr.marks[f"s{i}"]
                    told += [(frac, dur, seed, i) for e in of(events, "band_exit")
                             if a - 0.3 <= e.t <= b + 1.0]
                    n += 1
    assert len(told) <= 5, (len(told), n, told)  # of 24 (the old cores: 8-22)


@pytest.mark.parametrize("rate", [100.0, 1000.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_a_brisk_change_that_settles_late_is_a_step_without_a_band_exit(impl, trace, run_trace, invariants,
                                                                         rate, seed):
    """A step down of 13 % whose change goes 20-80 % of the way as briskly as a fast step's, under a
    3 % tremor that keeps the averaged rate under the fast test, and whose last 1.5 % settles 0.7 s
    later: the fast test refuses it (measured to where the force went on, it is slower), the slow
    one confirms it. It is still a change completed like a step, so the exit held back while it
    moved is dropped, not told (the old core told it 2.5 s later, as a slow step's)."""
    tr = trace(rate=rate).rest(1.0).ramp(46.7, 1.0).hold(8.0)
    tr = tr.ramp(40.7 * 0.985, 2.3, mark="step").hold(0.1).ramp(40.7, 0.6).hold(8.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.03, tremor_hz=6.0, seed=seed)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    step = one_step(events, "down")
    assert abs(step.t - tr.marks["step"][0]) < 0.5
    assert not of(events, "band_exit"), kinds(events)
    assert [h.ended_by for h in holds] == ["step", "release"]
    assert holds[1].level == pytest.approx(40.7, rel=0.02)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
def test_a_fast_push_from_a_drift_that_came_to_rest_is_a_step(impl, trace, run_trace, invariants, rate):
    # A real dynamometer hold: 15 N drifting up to 19 N (about 6 %/s: drift), resting there, then a
    # fast push to 22 N held. The push is a change of its own, from where the force rested (+13 %),
    # not the tail of the slow drift: a step, not one drifting hold ended by the let-go.
    tr = trace(rate=rate).rest(1.0).ramp(15.0, 1.0).hold(4.0).drift(0.28, 5.0).hold(1.6)
    tr = tr.ramp(21.9, 0.4, mark="push").hold(2.5).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.01, seed=21)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    step = one_step(events, "up")
    assert abs(step.t - tr.marks["push"][0]) <= 0.2
    assert [h.ended_by for h in holds] == ["step", "release"]
    assert holds[1].level == pytest.approx(21.9, rel=0.03)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
def test_a_fast_drop_from_a_faded_hold_is_a_step_dated_at_the_drop(impl, trace, run_trace, invariants, rate):
    # A finger gauge at 280 N fading 9 % over 6 s, resting, then dropping fast to 198 N: a step
    # down from where the force rested, dated where the drop began (not at the fade).
    tr = trace(rate=rate).rest(1.0).ramp(280.0, 1.0).hold(4.0).drift(-0.09, 6.0).hold(2.0)
    tr = tr.ramp(198.0, 0.8, mark="drop").hold(2.5).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.01, seed=22)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    step = one_step(events, "down")
    assert abs(step.t - tr.marks["drop"][0]) <= 0.1
    assert [h.ended_by for h in holds] == ["step", "release"]


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("dur", [0.6, 1.2, 1.6])
def test_a_smooth_step_under_tremor_and_wander_is_seen(impl, trace, run_trace, invariants, rate, dur):
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(6.0).step(0.2, dur, mark="step").hold(6.0)
    tr = tr.release(0.3).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.02, tremor_hz=6.0, seed=8)
    f = f * wander(t, 0.01)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    step = one_step(events, "up")
    assert abs(step.t - tr.marks["step"][0]) <= (0.75 if rate < 20 else 0.5)
    assert [h.ended_by for h in holds] == ["step", "release"]


@pytest.mark.parametrize("impl_rate", [10.0, 80.0])
def test_one_quantum_of_a_coarse_sensor_is_not_a_step(impl, trace, run_trace, invariants, impl_rate):
    q = 0.1 * 9.80665  # a 0.1 kg display
    tr = trace(rate=impl_rate).rest(1.0).ramp(8.0, 1.0).hold(4.0).drift(0.12, 8.0).hold(4.0)
    tr = tr.release(0.3).rest(1.0)
    t, f = tr.build(noise=0.05, tremor=0.01, seed=9)
    f = np.round(f / q) * q
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert not of(events, "step"), kinds(events)
    assert [h.ended_by for h in holds] == ["release"]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_fast_step_of_a_few_quanta_is_a_step_without_a_band_exit(impl, trace, run_trace, invariants, seed):
    """An HX711 behind a 10-Hz Arduino showing 0.1 kg (a quantum of 3 % of a 30 N hold) and a
    fast 13 % step up: four quanta. The old core widened the steady band by a whole quantum (8 %
    + 3 %) and its rate floor by three sigmas of a reading that toggles between two quanta (whose
    error is bounded by half a quantum, not Gaussian): the step came back "inside" the widened band
    or never passed the rate test, its band exit was told and the step was found late, or not at
    all."""
    q = 0.1 * 9.80665
    tr = trace(rate=10.0).rest(1.0).ramp(30.0, 1.0).hold(8.0).step(0.13, 0.5, mark="step").hold(8.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.1, tremor=0.003, seed=seed)
    f = np.round(f * wander(t, 0.003, seed=seed) / q) * q
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert_one_fast_step(events, tr.marks["step"], "up")
    assert [h.ended_by for h in holds] == ["step", "release"]


@pytest.mark.parametrize("seed", [2, 3])
def test_a_reading_toggling_between_two_quanta_does_not_hide_a_fast_step(impl, trace, run_trace, invariants,
                                                                          seed):
    """The same sensor on a 34 N hold with 0.25 N of noise: the reading toggles between two quanta,
    and its noise estimate (about half a quantum) is mostly the quantum's, whose error is bounded
    (a reading is within half a quantum of the force). Taken as Gaussian, three of its sigmas
    raised the rate floor over a fast 15 % step's rate and widened the steady band: the step was
    found late as a slow one, after a band exit."""
    q = 0.1 * 9.80665
    tr = trace(rate=10.0).rest(1.0).ramp(33.8, 1.0).hold(10.0).step(-0.15, 0.6, mark="step").hold(8.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.25, tremor=0.003, seed=seed)
    f = np.round(f / q) * q
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert_one_fast_step(events, tr.marks["step"], "down")


@pytest.mark.parametrize("rate", [100.0, 1000.0])
@pytest.mark.parametrize("dur", [0.4, 0.8, 1.2])
def test_a_step_under_the_slowest_tremor_is_seen(impl, trace, run_trace, invariants, rate, dur):
    """A 3-Hz tremor of ±2.8 % (2 % rms; the slowest hand tremor, which the 4-Hz low-pass barely
    touches) swings a quarter-second rate of the filtered force by about ±25 %/s, twice the step
    rate: the old core kept starting excursions on it and never saw the force settle after a
    step. The rate is now taken on the force averaged over one tremor cycle (VEL_MEAN)."""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(8.0).step(0.12, dur, mark="step").hold(8.0)
    tr = tr.release(0.3).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.028, tremor_hz=3.0, seed=11)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    step = one_step(events, "up")
    assert abs(step.t - tr.marks["step"][0]) <= 0.5
    assert [h.ended_by for h in holds] == ["step", "release"]
    assert abs(holds[1].level / holds[0].level - 1.12) <= 0.02
    assert not of(events, "band_exit"), kinds(events)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize("lead", [0.07, 0.09])
def test_a_step_that_stalls_on_its_way_is_dated_from_where_it_left_the_level(impl, trace, run_trace,
                                                                             invariants, rate, sign, lead):
    """A hand that makes a third or more of a step first, stalls, then makes the rest (a step in two
    stairs): the change began where the force left the old level, not at the stall that the
    reference it departs from had followed."""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(6.0)
    tr = tr.step(sign * lead, 1.1, mark="lead").hold(0.2).ramp(20.0 * (1 + sign * 0.2), 0.5).hold(6.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.003, seed=9)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    step = one_step(events, "up" if sign > 0 else "down")
    assert abs(step.t - tr.marks["lead"][0]) <= 0.75  # the old core: 1.3 s late, at the stall
    assert [h.ended_by for h in holds] == ["step", "release"]
    assert abs(holds[0].end - tr.marks["lead"][0]) <= 0.75


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize("lead", [0.04, -0.04])
def test_a_small_movement_before_a_step_is_the_hold_s_own_and_the_step_begins_with_the_push(
        impl, trace, run_trace, invariants, rate, sign, lead):
    """A hold that sags or leans 4 % within its band over 1.5 s (the step's way, or back: a dip
    before a push), then a fast step of 20 %: the small movement is the hold's own wander, a fifth
    of the change (under LEAD_SHARE), and the step began where the push did (within 0.1 s here).
    The lead-in rule took any such movement for the step's first stair and dated the step 0.56-0.69
    s before the push (an independent generator labels these at the push: its fast steps dated
    within 0.5 s went from 2,113 to 2,170 of 2,174; DETECTION failure mode 55)."""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(6.0)
    tr = tr.step(sign * lead, 1.5, mark="lead").ramp(20.0 * (1 + sign * 0.2), 0.5, mark="push").hold(6.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.003, seed=9)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    step = one_step(events, "up" if sign > 0 else "down")
    push = tr.marks["push"][0]
    assert abs(step.t - push) <= 0.25, (step.t, push)
    assert [h.ended_by for h in holds] == ["step", "release"]
    assert abs(holds[0].end - push) <= 0.25
    assert not of(events, "band_exit"), kinds(events)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("give", [0.11, 0.13])
def test_a_push_after_the_tissue_gave_is_dated_where_the_push_began(impl, trace, run_trace, invariants,
                                                                   rate, give):
    """A hold whose tissue gives (the force eases 3 % over 2 s, then falls on at 8-9 %/s, out of the
    band: a band exit low), then the push to the next barrier, 20 % above the first. The give is
    the hold's own drift, which its band told; the step began where the push did. The lead-in rule
    (a dip before a push) took the give for a counter-movement and dated the step 1.5-1.6 s early,
    where its fall began, with the exit already told inside what it called the step (12 of 12 on
    the core before; an independent generator's trigger-point sessions; DETECTION failure mode
    49)."""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(6.0)
    tr = tr.drift(-0.03, 2.0).drift(-give / 0.97, 1.4, mark="give").ramp(24.0, 0.5, mark="push").hold(6.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.003, seed=4)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    step = one_step(events, "up")
    push = tr.marks["push"][0]
    assert abs(step.t - push) <= 0.3, (step.t, push)
    assert [h.ended_by for h in holds] == ["step", "release"]
    assert abs(holds[0].end - push) <= 0.3
    exits = of(events, "band_exit")
    assert [e.direction for e in exits] == ["low"] and tr.marks["give"][0] < exits[0].t < push, kinds(events)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("shelf", [1.35, 1.5])
@pytest.mark.parametrize("to", [40.0, 20.0])
def test_a_short_shelf_between_two_fast_steps_is_a_hold(impl, trace, run_trace, invariants, rate, shelf,
                                                        to):
    """A fast step down onto a shelf held just over min_hold, then a second fast movement (a pull,
    or a step back up to the first level): the shelf is a hold (the contract's, from where the force
    came within the hold band), though its confirmation window could not yet lie after the first
    movement ended; the first hold ends at the step down, not at the pull. The pull passes through
    the first hold's band, and the return ends in it, before the rate (on the tremor-averaged force,
    lagging) has seen the new movement: that is not the force coming back to the first hold."""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(6.0).step(-0.15, 0.6, mark="down")
    tr = tr.hold(shelf).ramp(to, 0.3, mark="pull").hold(6.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.003, seed=10)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    steps = of(events, "step")
    assert [s.direction for s in steps] == ["down", "up"], kinds(events)
    assert abs(steps[0].t - tr.marks["down"][0]) <= 0.5
    assert abs(steps[1].t - tr.marks["pull"][0]) <= 0.5
    assert [h.ended_by for h in holds] == ["step", "step", "release"]
    assert abs(holds[0].end - tr.marks["down"][0]) <= 0.5
    assert holds[1].level == pytest.approx(17.0, rel=0.03)


@pytest.mark.parametrize("rate", [100.0, 1000.0])
@pytest.mark.parametrize("frac", [0.12, -0.12, 0.13])
def test_a_smooth_two_second_step_raises_no_band_exit_from_the_old_hold(impl, trace, run_trace, invariants,
                                                                       rate, frac):
    """A 12-13 % minimum-jerk step completed in 2 s is a step (a change completed within 2 s), and steps
    raise no band events. Its averaged rate peaks just under the rate test, so the level test starts
    the excursion as slow and the old core told the old hold's band exit at once (a false alert)."""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(6.0).step(frac, 2.0, mark="step").hold(6.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.005, seed=5)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    one_step(events, "up" if frac > 0 else "down")
    assert of(events, "band_exit") == [], kinds(events)
    assert [h.ended_by for h in holds] == ["step", "release"]


@pytest.mark.parametrize("frac", [0.12, -0.12])
@pytest.mark.parametrize("dur", [0.6, 1.0, 1.5])
def test_a_fast_step_under_mains_hum_aliased_far_above_the_cut_off_is_a_step(impl, trace, run_trace,
                                                                            invariants, frac, dur):
    """50-Hz hum of 0.2 N sampled at 80 Hz aliases to 30 Hz: the low-pass removes it, but a noise
    estimate from the raw stream, scaled as if it were white, credited the filtered force with six
    times its noise, and the rate test's noise floor (~28 %/s on a 5-N hold) sent a 12 % step
    completed within 2 s down the slow path: missed, and its old hold's band exit told."""
    tr = trace(rate=80.0).rest(1.0).ramp(5.0, 1.0).hold(8.0).step(frac, dur, mark="step").hold(8.0)
    tr = tr.release(0.3).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.005, seed=1)
    f = f + 0.2 * np.sin(2 * np.pi * 50.02 * t + 0.4)
    events, holds, _ = run_trace(impl, t, f, DetectorConfig(sample_rate=80.0))
    invariants(events, holds, t)
    step = one_step(events, "up" if frac > 0 else "down")
    assert abs(step.t - tr.marks["step"][0]) <= 0.5
    assert not of(events, "band_exit"), kinds(events)
    assert [h.ended_by for h in holds] == ["step", "release"]


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize(("pause", "on"), [(0.005, 0.03), (0.01, 0.03), (0.005, 0.02)])
def test_a_change_that_goes_on_past_the_level_first_found_and_stays_is_a_step(impl, trace, run_trace,
                                                                              invariants, rate, pause, on):
    """The same uneven change, then held at where it went on to: a step up (in relative mode a slow
    change that settles is one), dated at the change's start, the hold at the level it settled on (the
    old core took it for a fast step to the pause: dated 0.5 s early, and, when the force went on 3 %,
    the new hold's level a percent and more short of the settled one)."""
    tr = brisk_then_on(trace, rate, pause, on)
    level = tr.level
    t, f = tr.hold(6.0).release(0.3).rest(1.0).build(noise=0.03, tremor=0.01, seed=0)
    f = f * wander(t, 0.003, seed=0)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    step = one_step(events, "up")
    assert abs(step.t - tr.marks["brisk"][0]) <= 0.6, (step.t, tr.marks["brisk"])
    assert [h.ended_by for h in holds] == ["step", "release"]
    assert holds[1].level == pytest.approx(level, rel=0.01)


@pytest.mark.parametrize("rate", [10.0, 80.0, 1000.0])
@pytest.mark.parametrize(("via", "to"), [(0.45, 1.25), (0.3, 1.2), (1.5, 0.78), (1.45, 0.8)])
def test_a_step_that_first_moves_the_other_way_is_dated_where_the_hand_left_the_old_hold(
        impl, trace, run_trace, invariants, rate, via, to):
    """A hand moving between points half-unloads and reloads onto a higher level (to 30-45 % of a
    30-N hold in 0.35 s, then on to 20-25 % above it in 0.55 s), or surges by 45-50 % and comes
    down onto one 20-22 % lower. The change began where the hand left the old hold; its first
    movement went the other way. The scan for the step's onset, looking back from the new level,
    met the force passing back through the old one and dated the step there, 0.71-0.75 s after the
    hand left, and the band of the old hold, watched to that onset, told the dip or the surge as
    a band exit (an independent generator's shiatsu point walk: a third of its steps missed and
    as many false exits). Now the step is dated where the excursion began, when it first went a
    step away the other way fast and the whole change reached the new hold within
    step_max_duration, and the old hold raises no band event (DETECTION failure mode 66)."""
    tr = trace(rate=rate).rest(1.0).ramp(30.0, 0.8).hold(8.0)
    tr = tr.ramp(30.0 * via, 0.35, mark="dip").ramp(30.0 * to, 0.55, mark="reload").hold(8.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.005, seed=3)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    step = one_step(events, "up" if to > 1.0 else "down")
    left = tr.marks["dip"][0]
    assert abs(step.t - left) <= 0.2, (step.t, left, tr.marks["reload"])
    assert [h.ended_by for h in holds] == ["step", "release"]
    assert holds[0].end == step.t and holds[1].level == pytest.approx(30.0 * to, rel=0.03)
    assert not of(events, "band_exit"), kinds(events)
