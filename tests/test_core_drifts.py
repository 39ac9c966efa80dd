"""The contract's drift: a slow change inside a hold (a fade, a drift that turns back, a push from where
a drift came to rest by less than a step) is no step and does not end the hold."""

from __future__ import annotations

import numpy as np
import pytest
from contract_cases import assert_one_hold, brisk_then_on, kinds, of, out_and_back, wander


@pytest.mark.parametrize("rate", [100.0, 1000.0, 10.0])
@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize("dur", [1.0, 2.0])
def test_a_push_from_a_drifts_rest_past_the_holds_level_by_less_than_a_step_is_no_step(
        impl, trace, run_trace, invariants, rate, sign, dur, request):
    """The same drift of 13 % that rests, then a push from that rest the other way over 1-2 s, to 9 %
    past the hold's own level: from the drift's rest a change of 20-25 %, from the hold less than a
    step. A step is a change of at least 10 % from one hold to a new hold: none here, the drift came
    back (a band enter: 9 % is inside the 10 % band) and one hold goes on to the release. The old
    cores, stop 29's too, judged the push from where it began alone and told a step."""
    if rate == 10.0 and (dur, sign) == (2.0, 1.0):
        # At 10 Hz the steady band is wider and the push's end (9 % past the level) counts as back in
        # it. The 2-s push down from the drift up is told as a step from the force's reference.
        # Strict: a departure timed from a drift's rest rather than from the hold is the fix, not yet
        # made. (The 1-s push up from the drift down passes since stop 34: where it ends, at the
        # band's edge, the force goes out and back in, each time out shorter than leave_time and
        # timed on its own, DETECTION failure mode 28. The 1-s push down and the 2-s push up, out
        # since they began at the drift's rest and so "out" over leave_time, ended the hold "left"
        # until stop 45: their end lies at the band's edge, at least half the way out to the
        # excursion's farthest point, which is no coming back, and the hold goes on: failure mode 41.)
        request.applymarker(pytest.mark.xfail(strict=True, reason="a drift's rest taken for a departure"))
    end = 40.0 * (1.0 - 0.09 * sign)
    tr = trace(rate=rate).rest(1.0).ramp(40.0, 1.0).hold(6.0).drift(0.13 * sign, 12.0).hold(5.0)
    tr = tr.ramp(end, dur).hold(9.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.01, seed=3)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert_one_hold(events, holds, 40.0)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("rate_pct", [1.0, 2.0])
def test_a_drift_over_a_peak_and_back_is_no_step(impl, trace, run_trace, invariants, rate, rate_pct):
    """A drift that rises 15 % at 1-2 %/s, rests half a second and turns back as slowly: near its
    peak the last min_hold is flat and the force stays within the hold band for 3 s, but the thirds
    of those 3 s are not level (still rising, then falling), and at 1 %/s the change took too long
    for an ease. Drift, watched by the band: no step."""
    up = 15.0 / rate_pct
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(5.0)
    tr = tr.drift(0.15, up).hold(0.5).drift(-0.15 / 1.15, up).hold(6.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.005, seed=6)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert not of(events, "step"), kinds(events)
    assert [h.ended_by for h in holds] == ["release"]


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("rate_pct", [5.0, 7.0, 9.0])
def test_a_fatigue_fade_is_drift_not_a_step(impl, trace, run_trace, invariants, rate, rate_pct):
    """A tiring hand fades on until it lets go: never steady at a new level, so drift, one hold."""
    frac = -0.30
    tr = trace(rate=rate).rest(1.0).ramp(30.0, 1.0).hold(4.0)
    tr = tr.drift(frac, abs(frac) * 100.0 / rate_pct, mark="fade").release(0.3).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.01, seed=5)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert not of(events, "step"), kinds(events)
    assert [h.ended_by for h in holds] == ["release"]
    exits = of(events, "band_exit")
    assert len(exits) == 1 and exits[0].direction == "low"


@pytest.mark.parametrize(("rate", "rate_pct"), [(10.0, 2.0), (100.0, 2.0), (100.0, 8.0), (1000.0, 8.0)])
def test_a_drift_that_turns_back_is_one_hold_not_two_steps(impl, trace, run_trace, invariants, rate,
                                                          rate_pct):
    """A slow drift 15 % up and back (2-8 %/s, a turn of 0.3 s): drift inside one hold, not a step
    to its peak and one back. At the turn the force looks flat by halves (the way up and the way
    back average alike), but it is not holding there: no slow step (steady 3 s) nor a fast one."""
    t, f = out_and_back(trace, rate, 20.0, 0.15, rate_pct, 0.3, rate_pct)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert_one_hold(events, holds, 20.0)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
def test_a_slow_drift_that_turns_back_under_sway_is_not_a_slow_step(impl, trace, run_trace, invariants,
                                                                    rate):
    """A drift of 1.8 %/s, 14 % out, a turn of 0.5 s and back at 1.5 %/s, on a hand that sways
    (0.6 %): centred on the turn, the thirds of 3 s lie within 1 % of each other, so the range test
    alone took the turn for a hand resting on a new barrier (a step up there, and one back). The
    middle third stands out beyond both others: a peak, not a level held."""
    t, f = out_and_back(trace, rate, 20.0, 0.14, 1.8, 0.5, 1.5)
    f = f * wander(t, 0.006, seed=0)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert_one_hold(events, holds)


@pytest.mark.parametrize(("rate", "out_pct", "back_pct", "sway", "phase"),
                         [(100.0, 10.0, 6.0, 0.008, np.pi / 2), (100.0, 10.0, 6.0, 0.008, np.pi),
                          (10.0, 9.0, 7.0, 0.004, 3.0)])
def test_a_drift_whose_sway_passes_the_rate_test_is_no_step_at_its_turn(impl, trace, run_trace, invariants,
                                                                        rate, out_pct, back_pct, sway,
                                                                        phase):
    """A drift at the contract's ~10 %/s, 15 % up, a turn of 0.3 s and back, on a hand that sways
    (0.7 Hz): at the end of the way out the sway lifts the rate over the rate test (12 %/s), so the
    excursion is judged as a fast movement, whose new level is taken from the first min_hold after
    the rate fell quiet - at the turn, the way back being slower than the rate test. That window's
    newest third already lies a percent and more nearer the old level than the thirds before it:
    the force is on its way back, not resting on a new level (the old core told a step up to the
    peak and one back)."""
    t, f = out_and_back(trace, rate, 40.0, 0.15, out_pct, 0.3, back_pct, before=5.0, after=5.0)
    f = f * (1.0 + sway * np.sin(2.0 * np.pi * 0.7 * t + phase))
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert_one_hold(events, holds, 40.0)


@pytest.mark.parametrize("seed", [0, 1, 3])
def test_a_ten_hz_drift_under_an_aliased_tremor_is_no_step_to_its_peak(impl, trace, run_trace, invariants,
                                                                        seed):
    """At 10 Hz a 9-Hz tremor (1 %) aliases to 1 Hz, which the rate's VEL_MEAN average does not
    take out: a drift 15 % up at 9 %/s, a turn of 0.5 s and back at 9 %/s, on a hand that sways a
    little, passes the rate test on its way out and falls quiet in a dip of the alias while still
    rising. The fast movement's new level, the first min_hold after that, is then centred on the
    turn: its thirds rise into the peak and fall out of it, the middle one a percent and more beyond
    both. The old core told a step up to the peak (and the hold at the turn carried the way back);
    slow drift inside a hold is what the band alert is for."""
    t, f = out_and_back(trace, 10.0, 30.0, 0.15, 9.0, 0.5, 9.0, before=5.0, after=5.0)
    f = f * wander(t, 0.003, hz=0.3 + 0.2 * seed, seed=seed)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert_one_hold(events, holds, 30.0)
    assert of(events, "band_exit") and of(events, "band_enter"), kinds(events)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("turn", [0.0, 0.3])
def test_a_slow_drift_that_turns_back_on_a_light_noisy_hold_is_not_a_slow_step(impl, trace, run_trace,
                                                                               invariants, rate, turn):
    """An 8-N hold read with 0.1 N of sensor noise (1.25 % of the level), a drift of 2 %/s 15 % up,
    a short turn and back at 1.6 %/s, on a hand that sways a little (0.3 %). The thirds of a slow
    step's 3 s are means over a second each: their noise is a fraction of one filtered sample's.
    Allowed two single-sample noise units on top of their 1 %, they let the turn's thirds pass for a
    level held (at 10 Hz the allowance alone was 2.5 % of the level): a step up, and one back."""
    t, f = out_and_back(trace, rate, 8.0, 0.15, 2.0, turn, 1.6, after=5.0, noise=0.1)
    f = f * wander(t, 0.003, seed=0)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert_one_hold(events, holds, 8.0)


@pytest.mark.parametrize(("rate", "seed"), [
    (100.0, 1), (100.0, 2), (80.0, 3), (80.0, 5),
    # Since the level test also reads the averaged force (DETECTION failure mode 19), a noisy light
    # hold's drift is followed from 9 % out rather than 11 %, and this phase of the sway let the turn
    # through with 10-ms ticks: the 3 s after it decline by 1.1 % in thirds, monotonically, within
    # FLAT and noise. With 20-ms ticks the retries fall elsewhere on the turn and it stays drift;
    # that is where the ticks fall, not a rule that tells such a turn from a rest (failure mode 15).
    (100.0, 5),
])
def test_a_drift_that_turns_back_on_a_light_hold_is_not_steady_within_flat_plus_noise(impl, trace, run_trace,
                                                                                      invariants, rate, seed):
    """A 4-N hold read with 0.12 N of sensor noise (3 % of the level), a drift of 1.7 %/s 15 % up, a
    turn of 0.3 s and back at 1.36 %/s, on a hand that sways a little (0.3 %). A second or two after
    the turn the thirds of a slow step's 3 s lie 1.4-1.6 % of the level apart, and the middle one
    does not stand out beyond both others: the range test decides. Its noise allowance (that of the
    difference of two 1-s means) is here 0.7-0.8 % of the level; added straight to FLAT's 1 % it
    made 1.7-1.8 %, and the turn passed for a hand resting on a new barrier (the old core: a step up
    to 4.55 N, and at 100 Hz one back). Independent spreads add in quadrature, 1.2-1.3 %: the turn is
    not steady, and the drift stays inside one hold. (Other phases of the sway still let such a turn
    through, on both cores: DETECTION.md failure mode 15, not covered.)"""
    t, f = out_and_back(trace, rate, 4.0, 0.15, 1.7, 0.3, 1.36, after=5.0, noise=0.12, seed=seed)
    f = f * wander(t, 0.003, seed=seed)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert_one_hold(events, holds, 4.0)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize(("out_pct", "back_pct", "sway"), [(9.5, 9.5, 0.0), (10.0, 8.0, 0.003)])
def test_a_drift_near_ten_percent_that_turns_back_does_not_leave(impl, trace, run_trace, invariants, rate,
                                                                out_pct, back_pct, sway):
    """A drift 15 % down at the contract's ~10 %/s, a turn of 0.3 s, and back: out of the band for
    more than leave_time, but it never moved faster than the rate test (12 %/s): slow drift, which
    does not end a hold. It got a step away within step_min/step_rate of where it left 2 % of the
    level, so the old core took it for a fast departure (``left``), then the turn for a 1.5-s hold
    and the return for a step up."""
    t, f = out_and_back(trace, rate, 20.0, -0.15, out_pct, 0.3, back_pct, before=5.0, after=5.0)
    f = f * wander(t, sway, seed=0)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert_one_hold(events, holds, 20.0)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize(("pause", "on"), [(0.005, 0.03), (0.01, 0.03), (0.005, 0.02)])
def test_a_drift_that_goes_on_past_the_level_first_found_is_no_step_at_its_turn(impl, trace, run_trace,
                                                                                invariants, rate, pause, on):
    """Such an uneven drift, then a turn of 0.3 s and back at 4 %/s, under a 0.3 % sway. The level
    first found, on the pause, lies 2-3 % short of where the force goes on to: measured to it, the
    change went 20-80 % of the way within 0.9 s, a fast step's span, and the old core told a step up
    once the last min_hold was flat (just before the turn), and one back. The change had not ended
    where its level was found: measured to where the force has gone on to, it is slower than a fast
    step; and a slow step needs the force held there for 3 s, which a turn never gives."""
    tr = brisk_then_on(trace, rate, pause, on)
    out = 1.11 * (1.0 + pause) * (1.0 + on)
    tr = tr.hold(0.3).drift(1.0 / out - 1.0, (out - 1.0) * 100.0 / 4.0).hold(5.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.01, seed=0)
    f = f * wander(t, 0.003, seed=0)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert_one_hold(events, holds, 40.0)
