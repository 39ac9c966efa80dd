"""The contract's slow steps: an ease onto a new barrier over up to 8 s that then stays steady for 3 s
is a step (relative band only), dated at the ease's onset, and the band follows the new barrier."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from contract_cases import (
    FUZZ,
    kinds,
    minimum_jerk,
    of,
    one_eased_step,
    one_step,
    shows,
    swayed_changes,
    trapezoid,
    wander,
)

from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.io.recording import read_recording


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("dur", [2.5, 4.0, 6.0])
def test_slow_ease_onto_a_new_barrier_is_a_step_and_the_band_follows(impl, trace, run_trace, invariants,
                                                                    rate, dur):
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(6.0).step(0.25, dur, mark="ease").hold(8.0)
    tr = tr.release(0.3, mark="drop").rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.01, seed=3)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    one_eased_step(events, holds, "up", shows(tr.marks["ease"]), 25.0)
    # The band followed the new barrier: an exit raised while easing is cleared, none after.
    assert len(of(events, "band_exit")) == len(of(events, "band_enter"))
    assert not [e for e in of(events, "band_exit") if e.t > tr.marks["ease"][1] + 0.5]


@pytest.mark.parametrize("rate", [9.96, 10.3, 7.7, 23.0])
@pytest.mark.parametrize("frac", [0.25, -0.25])
def test_a_slow_ease_is_a_step_at_rates_whose_samples_do_not_tile_its_three_seconds(
        impl, trace, run_trace, invariants, rate, frac):
    """An HX711 runs at ~10 Hz by its own crystal (9.96 Hz on one board, 10.3 Hz on the grip file):
    the `slow_step_hold` window behind a sample then starts between two samples, the first inside it
    up to one interval later. The old test for "that much history" allowed one tick (10 ms) and so
    never judged such a window steady: every slow step at these rates was missed."""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(6.0).step(frac, 4.0, mark="ease").hold(9.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.01, seed=5)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    one_eased_step(events, holds, "up" if frac > 0 else "down", tr.marks["ease"][0], 20.0 * (1.0 + frac))


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_a_slow_ease_from_a_drift_the_other_way_is_dated_where_it_turned(impl, trace, run_trace,
                                                                         invariants, rate, sign):
    """The hold drifts 15 % out of its band one way, the hand rests there a moment and then eases
    over 4 s to a new barrier 25 % the other way from the hold: the change from the old hold began
    at the drift's turn. The mean before a first estimate lies beyond the old level there; dated
    again from the mean before the new estimate, as often as that lies further out, the onset
    reaches the turn (the old core re-dated once and put it 1.2-1.3 s late; now 0.7 s, the
    minimum-jerk ease's own lateness under an EASE_BACK the drift's "wander" shrank)."""
    tr = trace(rate=rate).rest(1.0).ramp(40.0, 1.0).hold(6.0).drift(-0.15 * sign, 4.0).hold(0.6)
    tr = tr.ramp(40.0 * (1.0 + 0.25 * sign), 4.0, mark="ease").hold(9.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.01, seed=14)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    step = one_step(events, "up" if sign > 0 else "down")
    assert abs(step.t - tr.marks["ease"][0]) <= 1.0
    assert step.level == pytest.approx(40.0 * (1.0 + 0.25 * sign), rel=0.03)


@pytest.mark.parametrize("rate", [10.0, 100.0])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_a_slow_ease_from_a_fade_the_other_way_that_lingers_at_the_old_level_is_dated_at_the_turn(
        impl, trace, run_trace, invariants, rate, sign):
    """The hold fades 12-15 % over 5 s, and the hand turns and eases straight on to a new barrier
    30 % the other way over 5 s, lingering 0.2-0.7 s as it passes the old level (a wandering hand):
    the change began at the turn. The mean before a first estimate lies on the old level, the
    moment's linger, and the old cores re-dated once from there: up to 2.6 s late (47 of 48 over
    1 s). The mean the second before it lies beyond the old level, so the onset walks on to the
    turn: now 0.17-0.27 s after it (blind generator: a fade that turns into an ease, DETECTION
    failure mode 17)."""
    offs = []
    for fade in (0.12, 0.15):
        for linger in (0.2, 0.4, 0.7):
            for seed in range(2):
                tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(8.0).drift(-fade * sign, 5.0)
                a, to = tr.level, 20.0 * (1.0 + 0.3 * sign)
                vel = abs(to - a) / 5.0
                d1, d2 = abs(20.0 - a) / vel, abs(to - 20.0) / vel  # one rate, either side of it
                tr = tr._add(d1, 20.0, trapezoid(a, 20.0, 0.25 / d1), "ease").hold(linger)
                tr = tr._add(d2, to, trapezoid(20.0, to, 0.25 / d2), None).hold(9.0)
                t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.005, seed=seed)
                f = f * wander(t, 0.003, hz=0.25, seed=seed)
                events, holds, _ = run_trace(impl, t, f)
                invariants(events, holds, t)
                step = one_step(events, "up" if sign > 0 else "down")
                assert step.level == pytest.approx(to, rel=0.03)
                offs.append(step.t - tr.marks["ease"][0])
    assert max(abs(o) for o in offs) <= 0.75, np.round(offs, 2)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize("ease", [3.0, 4.5])
def test_an_ease_on_from_where_a_drift_came_to_rest_is_a_step(impl, trace, run_trace, invariants,
                                                              rate, sign, ease):
    """The hold drifts 13 % over 12 s (too slow for an ease: drift, which the band alerts) and rests
    there; then the hand eases 16 % on from that rest over 3-4.5 s. The old cores looked for no new
    level test until the force came back into the hold's band, and measured any change from the
    hold's own level, a drift away: the ease was never a step and one hold ran on through it. A
    change away from where a drift came to rest is now looked at, and measured, from there."""
    tr = trace(rate=rate).rest(1.0).ramp(40.0, 1.0).hold(6.0).drift(0.13 * sign, 12.0).hold(5.0)
    tr = tr.step(0.16 * sign, ease, mark="ease").hold(9.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.01, seed=3)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    one_eased_step(events, holds, "up" if sign > 0 else "down", tr.marks["ease"][0],
                   40.0 * (1.0 + 0.13 * sign) * (1.0 + 0.16 * sign))
    assert holds[0].level == pytest.approx(40.0, rel=0.02)  # the drift stays the old hold's


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize("rest", [4.0, 6.0])
def test_an_ease_from_where_the_hold_had_crept_and_rested_is_a_step_dated_at_its_onset(
        impl, trace, run_trace, invariants, rate, sign, rest):
    """A hold whose tissue creeps 3.5 % in 2 s (inside its band: the same hold) and rests there for
    4-6 s; then the hand eases 40 % on over 5 s onto a new barrier and holds it. The slow excursion
    was measured from where the creep first passed the departure tolerance about the hold's level,
    seconds before the ease: its onset was dated there and the wait for its new level counted from
    there, which ran out before the new level had been held 3 s: no step, and the old hold ended
    `left` where the ease crossed its band (18 of 24 here on the core before; on an independent
    generator's trigger-point session, 8.5 N to 4.9 N, one hold ran on through both barriers at CV
    25 %). The excursion now leaves from where the force last rested, for min_hold, inside the hold
    band (DETECTION failure mode 50)."""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(6.0).drift(0.035 * sign, 2.0).hold(rest)
    tr = tr.step(0.4 * sign, 5.0, mark="ease").hold(9.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.003, seed=5)
    f = f * wander(t, 0.002, seed=5)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    one_eased_step(events, holds, "up" if sign > 0 else "down", tr.marks["ease"][0],
                   20.0 * (1.0 + 0.035 * sign) * (1.0 + 0.4 * sign))
    assert holds[0].level == pytest.approx(20.0, rel=0.02)  # the creep stays the old hold's


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize(("dip", "sign"), [(-0.16, 1.0), (-0.22, 1.0), (0.18, -1.0), (0.2, 1.0)])
@pytest.mark.parametrize("steady", [3.0, 3.2])
def test_an_ease_after_a_give_that_came_back_is_dated_where_the_ease_began(
        impl, trace, run_trace, invariants, rate, dip, sign, steady):
    """The tissue gives 16-22 % for a moment (or the hand surges 18-20 %) and the force comes back to
    the hold within a second, which goes on steady for 3 s; then the hand eases in stages (4 %, a
    pause, 9 %, a pause, 18 %) onto a new barrier. The ease's onset, dated from its crossings, lay
    right, but the flat-ramp-flat line it is held near was fitted from 4 s before that onset, which
    lay in the dip's way back: a line from the dip's low side through the staged ease fitted best,
    and the step was dated at the dip, 3.6-4 s early (15 of 24 here on the core before; a third blind
    generator's `bg3_s3_014`, and the first generator's `b055`, `b093`, `b024`). The fit now begins
    no earlier than the force's last return into the old hold's steady band, if it then lay there
    for min_hold before the onset (DETECTION failure mode 51)."""
    tr = trace(rate=rate).rest(1.0).ramp(40.0, 1.0).hold(7.0)
    tr = tr.ramp(40.0 * (1.0 + dip), 0.25).ramp(40.0 * (1.0 + 0.12 * dip), 0.5).ramp(40.0, 0.5).hold(steady)
    tr = tr.ramp(40.0 * (1.0 + 0.04 * sign), 0.5, mark="ease").hold(1.0).ramp(40.0 * (1.0 + 0.09 * sign), 0.5)
    tr = tr.hold(0.7).ramp(40.0 * (1.0 + 0.18 * sign), 1.0).hold(9.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.05, tremor=0.003, seed=7)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    one_eased_step(events, holds, "up" if sign > 0 else "down", tr.marks["ease"][0],
                   40.0 * (1.0 + 0.18 * sign))
    assert holds[0].level == pytest.approx(40.0, rel=0.02)  # the dip stays the old hold's


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize(("first", "ease", "pause", "to", "push"),
                         [(0.09, 2.5, 0.5, 0.22, 0.6), (-0.09, 2.5, 0.5, -0.22, 0.6),
                          (0.09, 2.0, 0.7, 0.22, 1.5), (-0.08, 2.0, 0.7, -0.2, 1.2)])
@pytest.mark.parametrize("seed", [0, 1])
def test_an_ease_that_pauses_on_its_way_for_less_than_min_hold_is_dated_at_its_onset(
        request, impl, trace, run_trace, invariants, rate, first, ease, pause, to, push, seed):
    """A hand eases 8-9 % towards a new barrier, stops for half a second and goes on faster to
    20-22 %, where it holds (a blind generator's `b030`). One change, begun where the ease began. The
    fast movement that takes over is judged from the pause only if the ease had come to rest there
    (min_hold near one level); the old cores took the ease's slow end and the pause for a rest,
    judged the push from it as a change of its own, or resumed the old hold as drift at once: the
    step was dated at the push, 3 s late (the hold after it is not moved: it starts at the push's
    arrival either way). Not covered: at 10 Hz, a 2-s ease's slow end, a 0.7-s pause and the
    push's slow start lie within the rest's tolerance (the VEL_MEAN mean's noise is larger there)
    for more than min_hold; then the push is dated as a step from the pause."""
    if rate == 10.0 and (first, pause) == (0.09, 0.7):
        request.applymarker(pytest.mark.xfail(strict=True, reason="judged a rest at 10 Hz: see above"))
    tr = trace(rate=rate).rest(1.0).ramp(120.0, 0.5).hold(5.0)
    tr = tr.ramp(120.0 * (1.0 + first), ease, mark="ease").hold(pause).ramp(120.0 * (1.0 + to), push)
    tr = tr.hold(8.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.2, tremor=0.005, seed=seed)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    one_eased_step(events, holds, "up" if to > 0 else "down", tr.marks["ease"][0], 120.0 * (1.0 + to))
    assert holds[0].level == pytest.approx(120.0, rel=0.02)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("frac", [0.12, -0.12])
def test_an_eight_second_straight_ease_is_a_step_dated_at_its_onset(impl, trace, run_trace, invariants,
                                                                    rate, frac):
    """The contract's longest slow change: a constant-rate ramp of 8 s with eased corners, only 12 %
    (1.5 %/s), under a slow wander. Its tail near the new level is flat long before it arrives, so
    a candidate found there is still short of a step; the step is judged where the force rests once
    it has arrived, and dated within 1 s of the ramp's start (straight ramps are easy to date too
    early: the old core missed these or put them 1-1.5 s early)."""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(7.0)
    a, to, c = tr.level, tr.level * (1.0 + frac), 0.5 / 8.0  # corners: 0.5 s of the 8 s
    eased = trapezoid(a, to, c)
    tr = tr._add(8.0, to, eased, "ease").hold(9.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.005, seed=5)
    f = f * wander(t, 0.004, hz=0.25, seed=5)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    one_eased_step(events, holds, "up" if frac > 0 else "down", tr.marks["ease"][0], 20.0 * (1.0 + frac))
    assert len(of(events, "band_exit")) == len(of(events, "band_enter"))


@pytest.mark.parametrize("rate", [100.0, 1000.0])
@pytest.mark.parametrize("frac", [0.15, -0.15])
@pytest.mark.parametrize("shape", ["straight", "minimum_jerk"])
def test_an_eight_second_ease_is_dated_alike_whatever_its_shape(impl, trace, run_trace, invariants,
                                                                 rate, frac, shape):
    """The hand's ease onto a new barrier may be a straight ramp or start slowly (minimum jerk: 1 %
    of the way only at a tenth of its duration, 5 % at a fifth). Under a 0.8 % tremor, an 8-s ease
    of 15 % is dated within 0.75 s of where it has come 1 % of the way either way: from the
    crossings of the tremor-averaged force at 5 % and 25 % of the way (the old 7.5 %/25 % rule on
    the raw force put these minimum-jerk eases 0.9-1.0 s after their start; dated to their starts,
    straight ramps came out about 0.5 s early)."""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(7.0)
    a, to = tr.level, tr.level * (1.0 + frac)
    # a straight ease has 0.25-s eased corners
    eased = minimum_jerk(a, to) if shape == "minimum_jerk" else trapezoid(a, to, 0.25 / 8.0)
    tr = tr._add(8.0, to, eased, "ease").hold(9.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.008, seed=7)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    step = one_step(events, "up" if frac > 0 else "down")
    assert abs(step.t - shows(tr.marks["ease"], eased)) <= 0.75, (step.t, tr.marks["ease"])
    assert [h.ended_by for h in holds] == ["step", "release"]


def straight_ease_offset(impl, trace, run_trace, invariants, rate: float, before: float, dur: float,
                         frac: float, after: float, seed: int, wander_amp: float, wander_hz: float) -> float:
    """A 20-N hold for ``before`` s, a straight ease (constant rate, 0.25-s eased corners) of ``frac``
    over ``dur`` s, ``after`` s at the new level and a release, under a hand's wander: the one step's
    onset minus the ease's start (the step and the two holds it joins checked on the way)."""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(before)
    a, to = tr.level, tr.level * (1.0 + frac)
    tr = tr._add(dur, to, trapezoid(a, to, 0.25 / dur), "ease").hold(after)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.005, seed=seed)
    f = f * wander(t, wander_amp, hz=wander_hz, seed=seed)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    step = one_step(events, "up" if frac > 0 else "down")
    assert [h.ended_by for h in holds] == ["step", "release"], (dur, frac, seed)
    return step.t - tr.marks["ease"][0]


@pytest.mark.parametrize("rate", [10.0, 100.0])
def test_a_straight_ease_is_dated_at_its_start_not_before(impl, trace, run_trace, invariants, rate):
    """Straight eases (constant rate, 0.25-s eased corners) of 5 and 8 s, 15 % and 25 %, up and down,
    from a 20-N hold, under a 0.4 % wander, four seeds: 32 slow steps. A straight ramp's start is
    where it begins to show, and it is dated there: on average within 0.2 s of it, and none more
    than 0.75 s early. The old cores dated the ease back from its 5 % crossing by 0.7 times the time
    it then took to 25 %, where a straight ramp needs 0.25: they put these a mean 0.36 s early at
    100 Hz and 0.44 s at 10 Hz, the 8-s ones down to 0.82 and 1.11 s (now 0.06 and 0.11 s; 0.37 and
    0.59 s). The blind generator's eases are straight ramps: a median 0.41 s early, 59 of 614 more
    than 1 s (DETECTION failure mode 24)."""
    offs = [straight_ease_offset(impl, trace, run_trace, invariants, rate, 7.0, dur, frac, 9.0, seed,
                                 0.004, 0.25)
            for dur in (5.0, 8.0) for frac in (0.15, -0.15, 0.25, -0.25) for seed in range(4)]
    assert abs(float(np.mean(offs))) <= 0.2, np.round(offs, 2)
    assert min(offs) >= -0.75, np.round(offs, 2)


def test_straight_eases_under_a_wandering_hand_are_not_dated_early(impl, trace, run_trace, invariants):
    """Straight eases (constant rate, 0.25-s eased corners) of 11 % and 14 %, up and down, over 6 s and
    8 s, from a 20-N hold, by a hand that wanders 1 % (at 0.5 Hz and 1.15 Hz: its consecutive 1-s means
    up to 0.9 % of the level apart), six wanders drawn (seeds 0-5): 48 slow steps. The onset is dated
    back from the ease's 5 % crossing by EASE_BACK (then 0.7, now 0.45) times the time it then took to
    25 %, where a straight ramp needs only 0.25; under wander the 5 % crossing (half a percent of the
    level on an 11 % step) is the wander's, and the further back from it, the more of its error is
    carried. The old core dated 10 of these 48 more than 0.75 s early (0.8-1.7 s). The back-dating now
    shrinks with the wander measured before the ease, and at most a few stay that early (the two left
    have a sway whose phase keeps consecutive 1-s means alike: the measure does not see it). Each is
    still one step, dated within 2 s either way: shorter back-dating moves every ease later, and where
    the wander delayed the 5 % crossing that is now up to 1.0 s late."""
    early = []
    for dur in (6.0, 8.0):
        for frac in (0.11, 0.14, -0.11, -0.14):
            for seed in range(6):
                off = straight_ease_offset(impl, trace, run_trace, invariants, 100.0, 8.0, dur, frac, 6.0,
                                           seed, 0.01, 0.5)
                assert abs(off) <= 2.0, (dur, frac, seed, off)
                if off < -0.75:
                    early.append((dur, frac, seed, round(off, 2)))
    assert len(early) <= 3, early


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
def test_a_slow_fall_that_settles_is_a_step_down(impl, trace, run_trace, invariants, rate):
    tr = trace(rate=rate).rest(1.0).ramp(30.0, 1.0).hold(5.0).step(-0.25, 4.0, mark="ease").hold(8.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.01, seed=4)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    step = one_step(events, "down")
    assert abs(step.t - tr.marks["ease"][0]) <= 1.0
    off = DetectorConfig(sample_rate=rate, slow_step_down=False)
    events, holds, _ = run_trace(impl, t, f, off)
    assert not of(events, "step") and len(holds) == 1


@pytest.mark.parametrize("rate", [10.0, 1000.0])
def test_with_a_fixed_target_a_slow_change_stays_drift(impl, trace, run_trace, invariants, rate):
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(6.0).step(0.25, 4.0, mark="ease").hold(8.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.01, seed=3)
    events, holds, _ = run_trace(impl, t, f, DetectorConfig(sample_rate=rate, target=20.0))
    invariants(events, holds, t)
    assert not of(events, "step")
    assert [h.ended_by for h in holds] == ["release"]
    exits = of(events, "band_exit")
    assert len(exits) == 1 and exits[0].direction == "high"


@pytest.mark.parametrize("rate", [80.0, 100.0])
@pytest.mark.parametrize(("frac", "dur"), [(0.15, 4.0), (-0.15, 4.0), (0.15, 6.0)])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_slow_ease_onto_a_new_barrier_on_a_light_noisy_hold_is_still_a_step(impl, trace, run_trace,
                                                                              invariants, rate, frac, dur,
                                                                              seed):
    """The same light, noisy hold and swaying hand (4 N, 0.12 N of noise, 0.3 %), easing 15 % onto a
    new barrier over 4-6 s and resting there: the tighter thirds tolerance (FLAT and the means'
    noise in quadrature) still takes a hand at rest for one (these are still steps with a third of
    it). A slow step, dated within 1.25 s of the ease's start (noise of 3 % of the level hides the
    ease's first percent: up to 0.9 s late here), the new hold at the new level."""
    tr = trace(rate=rate).rest(1.0).ramp(4.0, 1.0).hold(6.0).step(frac, dur, mark="ease").hold(8.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.12, tremor=0.01, seed=seed)
    f = f * wander(t, 0.003, seed=seed)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    step = one_step(events, "up" if frac > 0 else "down")
    assert abs(step.t - tr.marks["ease"][0]) <= 1.25, (step.t, tr.marks["ease"])
    assert [h.ended_by for h in holds] == ["step", "release"]
    assert holds[1].level == pytest.approx(4.0 * (1.0 + frac), rel=0.03)


def test_a_slow_ease_under_a_hands_motor_noise_and_wander_is_dated_near_its_start(
        impl, trace, run_trace, invariants):
    """A 30-N hold eases 20 % up or down in a straight 4 or 6 s and rests there, under 2 % of motor
    noise (0.5-12 Hz) and 1 % of wander, 10-1000 Hz, 96 traces. The ease's 5 % and 25 % crossings
    lie in that noise, and the old cores dated 6 of these more than 1 s from the ramp's start (RMS
    0.46 s); held within the ramp of a flat-ramp-flat line fitted to the force (DETECTION failure mode
    37), 1 (RMS 0.37 s)."""
    errs, missed = [], 0
    for tr, t, f, frac in swayed_changes(trace, (4.0, 6.0), 6.0, 6.0, 0.02, 0.01):
        events, holds, _ = run_trace(impl, t, f)
        invariants(events, holds, t)
        steps = of(events, "step")
        if len(steps) != 1:
            missed += 1
            continue
        assert steps[0].direction == ("up" if frac > 0 else "down")
        errs.append(steps[0].t - tr.marks["change"][0])
    e = np.abs(np.array(errs))
    assert missed <= 2, missed  # of 96 (1 on both the old cores and these)
    assert np.sum(e > 1.0) <= 3, sorted(np.round(e, 2))  # (the old cores: 6)
    assert float(np.sqrt(np.mean(e ** 2))) <= 0.42, float(np.sqrt(np.mean(e ** 2)))  # (the old: 0.46)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("frac", [0.2, -0.2])
def test_a_new_barrier_held_by_a_hand_that_wavers_a_percent_is_a_slow_step(impl, trace, run_trace,
                                                                           invariants, rate, frac):
    """A 30-N hold eases 20 % in 5 s onto a new barrier and rests there 14 s, the hand wavering
    ±1.2 % every 3 s. Any 3-s window's 1-s thirds then span 1.5-1.7 % of the level, past ``FLAT``:
    the old cores never confirmed the slow step, and the old hold ran on over the new barrier to the
    release (its band exit never cleared). Over twice that window the 2-s thirds agree within twice
    ``FLAT``, the same drift rate (``LONG_HOLD``, ``LONG_FLAT``): a step, dated at the ease, and the
    band follows the new barrier."""
    tr = trace(rate=rate).rest(1.0).ramp(30.0, 1.0).hold(8.0).step(frac, 5.0, mark="ease").hold(14.0)
    tr = tr.release(0.3).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.005, seed=5)
    f = f * (1.0 + 0.012 * np.sin(2.0 * np.pi * t / 3.0))
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    one_eased_step(events, holds, "up" if frac > 0 else "down", shows(tr.marks["ease"]), 30.0 * (1.0 + frac))
    assert len(of(events, "band_exit")) == len(of(events, "band_enter")), kinds(events)


def one_step_onto_a_moving_level(events: list[Any], holds: list[Any], ease: tuple[float, float],
                                 level: float) -> None:
    """One slow step to ``level`` from the 30-N hold, dated within 1.5 s of the ``ease`` (a waver of
    a tenth of the change moves the crossings it is dated by); two holds; every band exit cleared."""
    step = one_step(events, "up" if level > 30.0 else "down")
    assert abs(step.t - shows(ease)) <= 1.5, (step.t, shows(ease))
    assert step.level == pytest.approx(level, rel=0.03), step
    assert [h.ended_by for h in holds] == ["step", "release"], holds
    assert len(of(events, "band_exit")) == len(of(events, "band_enter")), kinds(events)


def breathing(t: np.ndarray, f: np.ndarray) -> np.ndarray:
    """The force under a patient who breathes: ±3 % every 2.5 s."""
    return f * (1.0 + 0.03 * np.sin(2.0 * np.pi * t / 2.5))


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("frac", [0.2, -0.2])
@pytest.mark.parametrize("amp", [0.02, 0.025])
def test_a_new_barrier_held_by_a_hand_that_wavers_slowly_is_a_slow_step_over_all_it_held(
        impl, trace, run_trace, invariants, rate, frac, amp):
    """As above, but the hand wavers ±2-2.5 % every 6 s and rests on the new barrier 12 s before the
    release. A 3-s window's 1-s thirds span up to 3.3-4.1 % of the level (near 1 % only where the
    window sits on a crest: a peak), and any 6-s window's 2-s thirds (one whole waver) 2.5-3.6 %,
    past ``LONG_FLAT``'s 2 %: the old cores never confirmed the slow step (9 of these 12 per
    implementation), and one hold ran over both barriers. Judged over all it has held since it
    arrived (past 6 s: 9-s thirds span at most 2.6-3.2 % against 3 %, 12-s ones 1.4-1.8 % against
    4 %: the same drift rate), the waver averages out: a step, and the band follows the new
    barrier."""
    tr = trace(rate=rate).rest(1.0).ramp(30.0, 1.0).hold(8.0).step(frac, 5.0, mark="ease").hold(12.0)
    tr = tr.release(0.3).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.005, seed=5)
    f = f * (1.0 + amp * np.sin(2.0 * np.pi * t / 6.0))
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    one_step_onto_a_moving_level(events, holds, tr.marks["ease"], 30.0 * (1.0 + frac))


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("frac", [0.2, 0.25, -0.2, -0.25])
@pytest.mark.parametrize("seed", [5, 6])
def test_a_new_barrier_that_the_patients_breathing_moves_is_a_slow_step(impl, trace, run_trace, invariants,
                                                                         rate, frac, seed):
    """An ease of 20-25 % up or down over 4 s onto a new barrier held 14 s, the whole session under a
    patient's breathing that moves the force ±3 % every 2.5 s. No min_hold of it is ever flat (its
    halves and thirds a breath apart): after a slow ease no new level was measured (down), or the
    slow-step test, gated on that flatness, never judged it (up), and one hold ran over both
    barriers or ended `left`. Now a level is also measured where the last 6 s lay near it, their
    2-s thirds within LONG_FLAT, and once it has held more than twice slow_step_hold, all it has held
    is judged at any moment: its thirds, whole breaths long, agree (failure mode 57)."""
    tr = trace(rate=rate).rest(1.0).ramp(30.0, 1.0).hold(8.0).step(frac, 4.0, mark="ease").hold(14.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.005, seed=seed)
    f = breathing(t, f)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    one_step_onto_a_moving_level(events, holds, tr.marks["ease"], 30.0 * (1.0 + frac))


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("frac", [0.2, 0.25, -0.2, -0.25])
@pytest.mark.parametrize("seed", [5, 6])
def test_a_breathing_barrier_held_5_s_then_left_is_a_slow_step(impl, trace, run_trace, invariants,
                                                               rate, frac, seed):
    """As above, but the new barrier is held 5 s and then left by a fast step back to the old one
    (the patient's limb back after a pin-and-stretch; a flinch or the next technique): less than
    the 6 s the longer windows need, and no 3-s window of it is flat within FLAT, so the old cores
    never confirmed the slow step and one hold ran over both barriers. The breath moved the old hold
    as it moves the new one: learned there (the bow of its 3-s windows' middle thirds), that waver
    widens the flatness the new level is judged by, where all it has held shows no drift
    (failure mode 59)."""
    tr = trace(rate=rate).rest(1.0).ramp(30.0, 1.0).hold(10.0).step(frac, 4.0, mark="ease").hold(5.0)
    tr = tr.step(-frac / (1.0 + frac), 0.5, mark="back").hold(6.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.005, seed=seed)
    f = breathing(t, f)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    # (A brisk ease down under a ±3 % breath is measured within about a breath's amplitude: the
    # cores before did so too, where they found the step.)
    there_and_back(events, holds, tr, frac, 1.5, 0.04)


def there_and_back(events: list[Any], holds: list[Any], tr: Any, frac: float, near: float,
                   rel: float) -> None:
    """A slow step by ``frac`` from the 30-N hold, dated within ``near`` s of the ease and its level
    within ``rel``, then a fast step back dated within 0.5 s of its start; three holds."""
    steps = of(events, "step")
    assert [s.direction for s in steps] == (["up", "down"] if frac > 0 else ["down", "up"]), kinds(events)
    assert abs(steps[0].t - shows(tr.marks["ease"])) <= near, (steps[0].t, shows(tr.marks["ease"]))
    assert steps[0].level == pytest.approx(30.0 * (1.0 + frac), rel=rel), steps[0]
    assert abs(steps[1].t - tr.marks["back"][0]) <= 0.5, steps[1]
    assert [h.ended_by for h in holds] == ["step", "step", "release"], holds


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("frac", [0.4, -0.3])
@pytest.mark.parametrize(("hz", "amp"), [(1.3, 0.02), (1.4, 0.025), (2.5, 0.035)])
def test_a_brisk_ease_onto_a_barrier_the_hand_rubs_held_5_s_then_left_is_a_slow_step(
        impl, trace, run_trace, invariants, rate, frac, hz, amp):
    """A still hand eases 40 % up (or 30 % down) in 3 s - faster than the step rate at its peak,
    slower than a fast step - onto a new barrier, rubs it (cross-fibre friction, ±2-3.5 % at
    1.3-2.5 Hz) for 5 s, and goes back to the old one in 0.5 s (pin-and-stretch: the limb moved
    under the pin, then returned). At 1.3-1.4 Hz the friction keeps the last min_hold's
    half-second thirds 1.2-1.8 % of the level apart at every moment, past FLAT, and the still hold
    before taught no waver: the old cores never judged the slow step at 100 and 1000 Hz; the old
    hold ended `left` at the ease and the new barrier, held 5 s, was no hold at all. A change that
    brisk is no slow drift, so its new level is judged as a wavering hand's, with a waver of at
    least BRISK_WAVER (failure mode 61); at 2.5 Hz it was, and still is, flat enough."""
    tr = trace(rate=rate).rest(1.0).ramp(30.0, 1.0).hold(10.0).step(frac, 3.0, mark="ease")
    tr = tr.hold(5.0, mark="rub").step(-frac / (1.0 + frac), 0.5, mark="back").hold(6.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.005, seed=5)
    a, b = tr.marks["rub"]
    f = f * (1.0 + np.where((t >= a) & (t < b), amp * np.sin(2.0 * np.pi * hz * (t - a)), 0.0))
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    there_and_back(events, holds, tr, frac, 1.0, 0.03)


@pytest.mark.parametrize("rate", [100.0, 475.0, 1000.0])
@pytest.mark.parametrize(("frac", "dur"), [(1.0, 3.0), (1.2, 3.7), (1.5, 4.5)])
@pytest.mark.parametrize("amp", [0.03, 0.04])
def test_a_slow_step_up_to_more_than_twice_the_level_under_a_slow_tremor_is_a_step(
        impl, trace, run_trace, invariants, rate, frac, dur, amp):
    """A 15-N hold is pressed at a constant rate to 2-2.5 times itself over 3-4.5 s (an actuator's
    trapezoid, or a hand) and held there 10 s, the whole under an elderly hand's 4-Hz tremor of
    ±3-4 %. Waiting for the slow step, the cores before gave up once the force lay more than a hold
    band below the movement's peak - the old level's band (1.2 N), which the tremor on the new level
    spans by itself: the hold ended `left` and the new one began with no step. A band of the peak's
    level is the measure there (failure mode 62): one step, at the ramp's start."""
    tr = trace(rate=rate).rest(1.0).ramp(15.0, 1.0).hold(8.0).drift(frac, dur, mark="ease").hold(10.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.02, tremor=0.005, seed=3)
    f = f * (1.0 + amp * np.sin(2.0 * np.pi * 4.0 * t))
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    step = one_step(events, "up")
    assert abs(step.t - tr.marks["ease"][0]) <= 1.0, (step.t, tr.marks["ease"])
    assert step.level == pytest.approx(15.0 * (1.0 + frac), rel=0.03), step
    assert [h.ended_by for h in holds] == ["step", "release"], kinds(events)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize(("frac", "dur", "give"), [(0.22, 3.5, 0.012), (0.25, 3.0, 0.015),
                                                   (-0.22, 3.5, 0.012), (-0.25, 3.0, 0.015)])
def test_a_new_barrier_that_gives_back_slowly_after_the_ease_is_a_slow_step(
        impl, trace, run_trace, invariants, rate, frac, dur, give):
    """A 30-N hold eases 22-25 % in 3-3.5 s onto a new barrier, and from there the force gives back
    steadily at 1.2-1.5 %/s (tissue yielding under the thumb after an ease up; a hand creeping back
    after an ease down) for 10 s, then the release. No 3-s window is flat there (its thirds span
    2.4-3 %), so the old cores never confirmed the slow step: one hold ran from the old barrier
    through the new one, its band exit never cleared. The new level lies on a line back against the
    ease, a quarter of its rate or less (``KNEE``): a step, dated at the ease, its level the barrier
    the ease reached (where the line began), and the band stays there: the give leaves it where the
    force crossed its edge, and that is told."""
    tr = trace(rate=rate).rest(1.0).ramp(30.0, 1.0).hold(6.0).step(frac, dur, mark="ease")
    back = -1.0 if frac > 0 else 1.0
    tr = tr.drift(back * give * 10.0, 10.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.005, seed=4)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    new = 30.0 * (1.0 + frac)
    eased = tr.marks["ease"][1]
    one_eased_step(events, holds, "up" if frac > 0 else "down", tr.marks["ease"][0], new)
    assert holds[1].level == pytest.approx(new, rel=0.03), holds[1]
    during = [e for e in of(events, "band_exit") if e.t <= eased + 0.5]
    assert len(of(events, "band_enter")) == len(during), kinds(events)  # the ease's exit cleared
    gave = [e for e in of(events, "band_exit") if e.t > eased + 0.5]
    assert len(gave) == 1 and gave[0].direction == ("low" if frac > 0 else "high"), kinds(events)
    assert abs(gave[0].t - (eased + 0.1 / give)) <= 1.0, (gave[0].t, eased + 0.1 / give)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("frac", [0.11, 0.13, -0.12])
def test_a_slow_step_hold_starts_where_the_force_came_within_the_band_of_its_settled_level(
        impl, trace, run_trace, invariants, rate, frac):
    """A small slow step (11-13 % in 8 s, a constant-rate ramp with eased corners): the ease's last
    seconds lie within ARRIVAL (4 %) of the new level, so a level measured from there is short of
    the settled one by about a percent, and the new hold, placed where the force came within the
    hold band of that, began 1-1.5 s too early. The new hold's level is the one held over the
    confirmed slow_step_hold, and it begins where the force came within 8 % of it (as labelled)."""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(7.0)
    a, to, c = tr.level, tr.level * (1.0 + frac), 0.25 / 8.0
    eased = trapezoid(a, to, c)
    tr = tr._add(8.0, to, eased, "ease").hold(8.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.003, seed=4)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    one_step(events, "up" if frac > 0 else "down")
    assert [h.ended_by for h in holds] == ["step", "release"]
    e0, e1 = tr.marks["ease"]
    tau = np.linspace(0.0, 1.0, 8001)
    inside = np.abs(eased(tau) / to - 1.0) <= 0.08
    t8 = e0 + (e1 - e0) * tau[np.argmax(inside)]  # the ease is monotonic: in from here on
    assert holds[1].level == pytest.approx(to, rel=0.005)
    assert abs(holds[1].start - t8) <= 0.6, (holds[1].start, t8)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize(("frac", "seed"), [(0.12, 2), (0.14, 2), (0.16, 6), (-0.12, 5), (-0.14, 5),
                                            (-0.14, 6)])
def test_a_slow_ease_that_wavers_at_the_band_edge_is_still_waited_for(impl, trace, run_trace, invariants,
                                                                      rate, frac, seed):
    """An 8-s constant-rate ease of 12-16 % under a hand's 0.4 % sway at 1.3 Hz: the force crosses the
    steady band's edge, sways back in (a wobble), and out again, by when it has gone four departure
    tolerances: the new excursion's onset is back-dated by the smooth-start rule (made for quick
    hands) 2-3 s before the ease began, and the wait for a slow step, counted from there, ran out
    before the ease had arrived: no step, one hold, a band exit. The wait now counts from where the
    force passed the departure tolerance (never later than the ease's own first 2 %)."""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(9.0)
    a, to, c = tr.level, 20.0 * (1.0 + frac), 0.25 / 8.0
    eased = trapezoid(a, to, c)
    tr = tr._add(8.0, to, eased, "ease").hold(8.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.003, seed=seed)
    f = f * wander(t, 0.004, hz=1.3, seed=seed)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    step = one_step(events, "up" if frac > 0 else "down")
    assert abs(step.t - tr.marks["ease"][0]) <= 1.0, (step.t, tr.marks["ease"])
    assert [h.ended_by for h in holds] == ["step", "release"]


def test_an_ease_from_a_level_the_hold_had_drifted_to_is_dated_where_it_began(impl, run_trace):
    """``tools/fuzz_core.py --case 6651`` (10 Hz, irregular timestamps): a hold at 54.6 N drifts
    within its band to 57-58 N and stays there 10 s, then eases to 68.9 N from about 16.3 s. Measured
    from the hold's level, the ease's 5 % crossing lay in that early drift, 13 s before its 25 %
    one, and the step was dated at the hold's floor, 3.1 s (told 23 s: 20 s back)."""
    _, t, f, cfg = FUZZ.make_case(6651)
    events, _, _ = run_trace(impl, t, f, cfg)
    steps = of(events, "step")
    assert len(steps) == 1 and steps[0].direction == "up" and 15.0 <= steps[0].t <= 16.8, steps


@pytest.mark.parametrize(("sign", "under", "held", "seed"), [
    (-1, 0.01, 1.6, 0), (-1, 0.01, 1.6, 2), (-1, 0.015, 2.0, 0), (1, 0.01, 2.0, 0), (1, 0.015, 2.4, 0),
])
def test_a_slow_step_let_go_before_its_confirmation_came_is_a_step(impl, trace, run_trace, invariants,
                                                                    sign, under, held, seed):
    """A spring-like hand's ease onto a new barrier 21 % away over 3.6 s, 1-1.5 % past it, back over
    1.2 s, held 1.6-2.4 s more and let go (10 Hz): the force lay within 1 % of the new level for over
    slow_step_hold before the let-go. The slow-step test's windows held the ease's tail, then the
    settling back (read as a trend), and were retried until the let-go was under way: the cores before
    gave one hold across both levels (no step). The slow_step_hold before the fall is now judged as
    that test judges the last one: a step, dated at the ease, and the new hold released (failure
    mode 48)."""
    level = 87.0 * (1.0 + 0.21 * sign)
    tr = trace(rate=10.0).rest(1.0).ramp(87.0, 0.5).hold(5.0)
    tr = tr.ramp(level * (1.0 - sign * under), 3.6, mark="ease").ramp(level, 1.2).hold(held)
    t, f = tr.release(0.3, mark="drop").rest(1.0).build(noise=0.1, tremor=0.005, seed=seed)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    step = one_eased_step(events, holds, "up" if sign > 0 else "down", tr.marks["ease"][0], level)
    assert step.t_detected >= tr.marks["drop"][0]  # (told at the let-go: the case this is about)
    assert abs(holds[1].end - tr.marks["drop"][0]) <= 0.3 and holds[1].cv < 0.02, holds[1]


def test_the_bundled_example_s_last_slow_step_is_a_step_though_let_go_soon_after(impl, run_trace, invariants):
    """The bundled example session's last press (the simulator's spring hand, 100 Hz): a hold at 87
    N, an ease over 3.6 s to 68.7 N with a small undershoot settling back, held 3.3 s and let go at
    116.2 s. With 10-ms ticks the slow-step test passed at 116.31 s, the fall begun; with 20-ms ones
    its tick at 116.34 s saw the fall, and the two levels were one hold (CV 10 %, 55 % in band)."""
    rec = read_recording(Path(__file__).resolve().parents[1] / "src" / "nmt_pressure" / "data" /
                         "example_session.csv")
    keep = rec.t >= 100.0
    t, f = rec.t[keep], rec.force_n[keep]
    events, holds, _ = run_trace(impl, t, f, DetectorConfig(sample_rate=100.0))
    invariants(events, holds, t)
    step = one_eased_step(events, holds, "down", 109.3, 68.7)
    assert step.t_detected > 116.2
    assert holds[1].level == pytest.approx(68.7, rel=0.01) and holds[1].cv < 0.02, holds[1]


@pytest.mark.parametrize("rate", [10.0, 100.0])
@pytest.mark.parametrize("sign", [1, -1])
def test_an_ease_that_drifts_on_until_the_let_go_is_no_step(impl, trace, run_trace, invariants, rate, sign):
    """The same ease, but the force drifts on at 1.5 %/s for the 3.5 s until the let-go: it never
    settled, so the slow_step_hold before the fall is no new barrier (not flat by thirds): one hold,
    released, and no step at the let-go."""
    level = 87.0 * (1.0 + 0.21 * sign)
    tr = trace(rate=rate).rest(1.0).ramp(87.0, 0.5).hold(5.0).ramp(level, 3.6, mark="ease")
    tr = tr.drift(0.015 * 3.5 * sign, 3.5)
    t, f = tr.release(0.3, mark="drop").rest(1.0).build(noise=0.1, tremor=0.005, seed=1)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert not of(events, "step") and [h.ended_by for h in holds] == ["release"], kinds(events)
