"""The amended contract's Definitions, one behaviour each, on both cores.

Each case is a small labelled trace built by :class:`conftest.Trace` with the nuisance that broke the
old detector (a smooth step under tremor, an overshoot, a slow ease onto a barrier, a burst, a let-go
that keeps light contact, a coarse sensor, a hand hovering at the band's edge).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from toolmods import load_tool

from firmware_sim.hand import min_jerk  # the trace builder's own curve
from nmt_pressure.core.config import DetectorConfig

FUZZ = load_tool("fuzz_core")  # its random hands and the contract's rules, as the fuzzer checks them


def kinds(events):
    return [e.kind for e in events]


def of(events, kind):
    return [e for e in events if e.kind == kind]


def wander(t: np.ndarray, amp: float, hz: float = 0.3, seed: int = 0) -> np.ndarray:
    """A slow relative wander (two sines), as a hand that cannot keep perfectly still."""
    rng = np.random.default_rng(seed)
    p1, p2 = rng.uniform(0, 2 * np.pi, 2)
    return 1.0 + amp * (0.7 * np.sin(2 * np.pi * hz * t + p1) + 0.3 * np.sin(2 * np.pi * 2.3 * hz * t + p2))


def trapezoid(a: float, to: float, c: float):
    """A straight ease from ``a`` to ``to`` with smooth corners: trapezoidal velocity, accelerating
    for the fraction ``c`` of its duration, cruising, decelerating for ``c`` (``tau`` runs 0-1)."""
    v = 1.0 / (1.0 - c)

    def eased(tau: np.ndarray) -> np.ndarray:
        p = np.where(tau < c, 0.5 * v * tau * tau / c,
                     np.where(tau > 1.0 - c, 1.0 - 0.5 * v * (1.0 - tau) ** 2 / c, v * (tau - 0.5 * c)))
        return a + (to - a) * p

    return eased


def minimum_jerk(a: float, to: float):
    """A minimum-jerk change from ``a`` to ``to`` (``tau`` runs 0-1): the trace builder's moves."""

    def moved(tau: np.ndarray) -> np.ndarray:
        return a + (to - a) * min_jerk(tau)

    return moved


def shows(mark: tuple[float, float], shape=None, way: float = 0.01) -> float:
    """Where a change over ``mark`` (its start and end) has come ``way`` of the way: where a slow
    ease begins to show, and where the core dates one (DETECTION failure mode 24). ``shape`` is its
    progress curve on ``tau`` 0-1 (minimum jerk if None): a straight ease shows at once, minimum
    jerk only a tenth of its duration in (0.85 s into 8 s), a start no hand trace reveals."""
    tau = np.linspace(0.0, 1.0, 20001)
    p = (shape or minimum_jerk(0.0, 1.0))(tau)
    p = (p - p[0]) / (p[-1] - p[0])
    return mark[0] + (mark[1] - mark[0]) * float(tau[np.argmax(p >= way)])


def out_and_back(trace, rate: float, level: float, frac: float, out_pct: float, turn: float,
                 back_pct: float, *, before: float = 4.0, after: float = 4.0, noise: float = 0.03,
                 seed: int = 0):
    """A hold at ``level``, a drift ``frac`` of it out (signed) at ``out_pct`` %/s, a turn of ``turn``
    s and back to the level at ``back_pct`` %/s, then a release: drift inside one hold."""
    tr = trace(rate=rate).rest(1.0).ramp(level, 1.0).hold(before)
    tr = tr.drift(frac, abs(frac) * 100.0 / out_pct, mark="out").hold(turn)
    tr = tr.drift(-frac / (1.0 + frac), abs(frac) * 100.0 / back_pct).hold(after)
    return tr.release(0.3).rest(1.0).build(noise=noise, tremor=0.01, seed=seed)


def assert_one_hold(events, holds, level: float | None = None) -> None:
    """No step, one hold ended by the release (at ``level`` within 3 %, if given)."""
    assert not of(events, "step"), kinds(events)
    assert [h.ended_by for h in holds] == ["release"]
    if level is not None:
        assert holds[0].level == pytest.approx(level, rel=0.03)


def one_step(events, direction: str):
    """The one step in ``events``, which went ``direction`` ("up" or "down")."""
    steps = of(events, "step")
    assert len(steps) == 1 and steps[0].direction == direction, kinds(events)
    return steps[0]


def assert_one_fast_step(events, mark: tuple[float, float], direction: str) -> None:
    """One step, the right way, dated within 0.5 s of the movement's start (``mark``), told as a fast
    step (not as a slow one 3 s after it ended), and no band exit on the way."""
    step = one_step(events, direction)
    assert abs(step.t - mark[0]) < 0.5
    assert step.t_detected - mark[1] < 2.5
    assert not of(events, "band_exit"), kinds(events)


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("dur", [2.5, 4.0, 6.0])
def test_slow_ease_onto_a_new_barrier_is_a_step_and_the_band_follows(impl, trace, run_trace, invariants,
                                                                    rate, dur):
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(6.0).step(0.25, dur, mark="ease").hold(8.0)
    tr = tr.release(0.3, mark="drop").rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.01, seed=3)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    step = one_step(events, "up")
    assert abs(step.t - shows(tr.marks["ease"])) <= 1.0
    assert step.level == pytest.approx(25.0, rel=0.03)
    assert [h.ended_by for h in holds] == ["step", "release"]
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
    step = one_step(events, "up" if frac > 0 else "down")
    assert abs(step.t - tr.marks["ease"][0]) <= 1.0
    assert step.level == pytest.approx(20.0 * (1.0 + frac), rel=0.03)
    assert [h.ended_by for h in holds] == ["step", "release"]


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


@pytest.mark.parametrize("rate", [10.8, 80.0])
@pytest.mark.parametrize("pct", [2.0, 5.0, -2.0, -5.0])
def test_a_drift_out_of_a_light_hold_on_a_noisy_sensor_is_told_at_once(impl, trace, run_trace, invariants,
                                                                      rate, pct):
    """The other side of holding a noisy light hold's exits back: a drift of 2-5 %/s, which takes a
    second or more from half the band to its edge, is told as soon as it is decided (a median 0.6-1.5 s
    after its crossing, as before), not held until the excursion can no longer be a fast step (holding
    every young excursion's exit on such a sensor told these 2-5 s after it)."""
    noise = 0.09 if rate < 20.0 else 0.23
    for seed in range(3):
        tr = trace(rate=rate).rest(1.0).ramp(4.0, 1.0).hold(6.0)
        tr = tr.drift(0.2 * np.sign(pct), 20.0 / abs(pct), mark="drift")
        t, f = tr.release(0.3).rest(1.0).build(noise=noise, tremor=0.015, seed=seed)
        events, holds, _ = run_trace(impl, t, f)
        invariants(events, holds, t)
        exits = of(events, "band_exit")
        assert len(exits) == 1 and exits[0].direction == ("high" if pct > 0 else "low"), kinds(events)
        crossing = tr.marks["drift"][0] + 10.0 / abs(pct)
        assert abs(exits[0].t - crossing) <= 1.2, (seed, exits[0].t, crossing)
        assert exits[0].t_detected - crossing <= 2.5, (seed, exits[0].t_detected, crossing)


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
    step = one_step(events, "up" if sign > 0 else "down")
    assert abs(step.t - tr.marks["ease"][0]) <= 1.0, (step.t, tr.marks["ease"])
    assert step.level == pytest.approx(40.0 * (1.0 + 0.13 * sign) * (1.0 + 0.16 * sign), rel=0.03)
    assert [h.ended_by for h in holds] == ["step", "release"]
    assert holds[0].level == pytest.approx(40.0, rel=0.02)  # the drift stays the old hold's


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
    if rate == 10.0 and (dur, sign) != (1.0, -1.0):
        # At 10 Hz the steady band is wider and the push's end (9 % past the level) counts as back in
        # it: the excursion, out since it began at the drift's rest, has then been "out" over
        # leave_time and left fast, and the hold ends "left" (or a step is told from the force's
        # reference). Strict: a departure timed from a drift's rest rather than from the hold is the
        # fix, not yet made. (The 1-s push up from the drift down passes since stop 34: where it ends,
        # at the band's edge, the force goes out and back in, each time out shorter than leave_time
        # and timed on its own, DETECTION failure mode 28.)
        request.applymarker(pytest.mark.xfail(strict=True, reason="a drift's rest taken for a departure"))
    end = 40.0 * (1.0 - 0.09 * sign)
    tr = trace(rate=rate).rest(1.0).ramp(40.0, 1.0).hold(6.0).drift(0.13 * sign, 12.0).hold(5.0)
    tr = tr.ramp(end, dur).hold(9.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.01, seed=3)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert_one_hold(events, holds, 40.0)


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
    step = one_step(events, "up" if frac > 0 else "down")
    assert abs(step.t - tr.marks["ease"][0]) <= 1.0, (step.t, tr.marks["ease"])
    assert step.level == pytest.approx(20.0 * (1.0 + frac), rel=0.03)
    assert [h.ended_by for h in holds] == ["step", "release"]
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
    # hold's drift is followed from 9 % out rather than 11 %, and this phase of the sway lets the turn
    # through too: the 3 s after it decline by 1.1 % in thirds, monotonically, within FLAT and noise.
    # Strict: a change that tells such a turn from a rest must take this off.
    pytest.param(100.0, 5, marks=pytest.mark.xfail(strict=True, reason="DETECTION failure modes 15 and 19")),
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
def test_a_burst_that_stays_away_ends_the_hold_as_left(impl, trace, run_trace, invariants, rate):
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(5.0)
    tr = tr.ramp(36.0, 0.3, mark="burst").stroke(0.2, 1.3, 2.0).ramp(20.0, 0.3).hold(5.0)
    t, f = tr.release(0.3, mark="drop").rest(1.0).build(noise=0.03, tremor=0.01, seed=2)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert not of(events, "step")
    assert [h.ended_by for h in holds] == ["left", "release"]
    assert abs(holds[0].end - tr.marks["burst"][0]) <= 0.5
    assert holds[0].duration >= 1.5
    assert holds[1].level == pytest.approx(20.0, rel=0.03)
    assert len(of(events, "release")) == 1


@pytest.mark.parametrize("rate", [10.0, 88.0, 1000.0])
@pytest.mark.parametrize("sag", [False, True])
@pytest.mark.parametrize("shelf", [1.0, 1.4])
def test_a_let_go_after_a_fade_that_is_taken_up_again_ended_the_hold_where_it_let_go(
        impl, trace, run_trace, invariants, rate, sag, shelf):
    """A finger gauge's repeater (a real critical-force session): a 300-N pull fades 15 % in 3 s
    (drift: the band tells it), sometimes sags a little more, rests 1.2 s, then the hand lets go to
    a resting hump at 17 % of the level (above release_level: no release) for 1-1.4 s and pulls
    again. The let-go left the hold fast and stayed away past leave_time: the hold ended there
    (``left``), and the next pull is a hold of its own. The old cores judged "left fast" only from
    the excursion's start, the fade, and resumed the first hold as drift when the force came back:
    one 300-N hold across both pulls."""
    tr = trace(rate=rate).rest(1.0).ramp(300.0, 0.8).hold(6.0).drift(-0.15, 3.0)
    if sag:
        tr = tr.ramp(245.0, 0.4)
    tr = tr.hold(1.2).ramp(52.0, 0.6, mark="let_go").hold(shelf).ramp(300.0, 0.5, mark="again")
    t, f = tr.hold(5.0).release(0.3, mark="off").rest(1.0).build(noise=0.5, tremor=0.01, seed=3)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert [h.ended_by for h in holds] == ["left", "release"], kinds(events)
    assert abs(holds[0].end - tr.marks["let_go"][0]) <= 0.3
    assert holds[1].start >= tr.marks["again"][0]
    assert [round(h.level, -1) for h in holds] == [300.0, 300.0]
    assert not of(events, "step")
    rel = of(events, "release")
    assert len(rel) == 1 and abs(rel[0].t - tr.marks["off"][0]) <= 0.3


@pytest.mark.parametrize("rate", [10.0, 88.0, 1000.0])
@pytest.mark.parametrize("back", [0.3, 0.6])
def test_a_dip_from_a_fades_rest_that_comes_back_keeps_the_hold(impl, trace, run_trace, invariants,
                                                               rate, back):
    """The cost of the test above: the same fade, rested on 1.2 s, then a dip a step further (15 %
    of the level in 0.2 s) that comes back where it began within leave_time - a wobble of the rest,
    not a departure - and the drift turns back to the level. One hold, ended by its release; the
    band told the fade."""
    tr = trace(rate=rate).rest(1.0).ramp(300.0, 0.8).hold(6.0).drift(-0.15, 3.0).hold(1.2)
    tr = tr.ramp(210.0, 0.2, mark="dip").ramp(255.0, back).hold(1.0).ramp(300.0, 3.0).hold(3.0)
    t, f = tr.release(0.3, mark="off").rest(1.0).build(noise=0.5, tremor=0.01, seed=4)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert [h.ended_by for h in holds] == ["release"], kinds(events)
    assert abs(holds[0].end - tr.marks["off"][0]) <= 0.3
    assert of(events, "band_exit")


@pytest.mark.parametrize("after", [3.0, 3.5, 4.0, 4.25, 4.5, 4.75, 5.0])
def test_a_let_go_to_light_contact_after_a_long_fade_is_released_at_its_onset(impl, trace, run_trace,
                                                                             invariants, after):
    """A sustained hand-grip (a real HX711 dynamometer): a 500-N squeeze fades 15 % in 5 s, wobbles
    (a 0.2-s dip the rate test sees), fades on at 5 %/s, and is let go to a resting hand's 7 N (1.4 %
    of the level) for 2 s. That fall is a release (below 15 % for 1 s), at its onset. When the
    excursion's wait for a step ran out during the let-go (3.5-4 s after the wobble), the old cores
    resumed the hold as drift at the bottom of the fall and dated the release from there (1.5 s
    late), or ended the hold `left` and took the resting hand for a new hold."""
    tr = trace(rate=100.0).rest(1.0).ramp(500.0, 0.5).hold(4.0).drift(-0.15, 5.0)
    tr = tr.ramp(360.0, 0.2).ramp(420.0, 0.3).drift(-0.05, after)
    tr = tr.ramp(7.0, 0.7, mark="off").hold(2.0).ramp(0.0, 0.2).rest(1.0)
    t, f = tr.build(noise=1.0, tremor=0.01, seed=5)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert [h.ended_by for h in holds] == ["release"], kinds(events)
    rel = of(events, "release")
    assert len(rel) == 1 and abs(rel[0].t - tr.marks["off"][0]) <= 0.3, (rel, tr.marks["off"])


def dips(tr, level: float, depth: float, gap: float, n: int = 3, last: float = 0.2):
    """``n`` fast dips to ``depth`` of ``level`` (0.15 s down, 0.2 s there - ``last`` for the last
    one - 0.25 s back), ``gap`` seconds back at the level between them."""
    for i in range(n):
        tr = tr.ramp(level * depth, 0.15, mark="dip" if i == 0 else f"dip{i}")
        tr = tr.hold(last if i == n - 1 else 0.2).ramp(level, 0.25).hold(gap)
    return tr


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("gap", [0.2, 0.35])
@pytest.mark.parametrize("depth", [0.7, 0.8])
def test_short_dips_in_quick_succession_keep_the_hold(impl, trace, run_trace, invariants, rate, gap,
                                                       depth):
    """A hold under electrical stimulation (a real dynamometer log): dips of 20-30 % in 0.15 s, each
    back at the level within 0.6 s, three in a row with 0.2-0.35 s at the level between them. Each
    comes back within leave_time, so none left the hold: one hold, ended by its release. The old
    cores timed "stayed away" from the first dip's going out to the last one's coming back (1.6-2 s)
    and ended the hold `left` at the first dip."""
    tr = dips(trace(rate=rate).rest(1.0).ramp(90.0, 1.0).hold(6.0), 90.0, depth, gap)
    t, f = tr.hold(6.0).release(0.3, mark="off").rest(1.0).build(noise=0.1, tremor=0.005, seed=7)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert [h.ended_by for h in holds] == ["release"], kinds(events)
    assert abs(holds[0].end - tr.marks["off"][0]) <= 0.3
    assert not of(events, "step")


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("gap", [0.2, 0.35])
def test_the_dip_of_a_series_that_stays_away_ends_the_hold_as_left(impl, trace, run_trace, invariants,
                                                                    rate, gap):
    """The cost of the test above: the same dips, but the last stays down for 1.2 s - longer than
    leave_time, shorter than a hold - before the force comes back. That one left the hold (`left`,
    at its own onset, not the first dip's), and the force back at the level is a new hold."""
    tr = dips(trace(rate=rate).rest(1.0).ramp(90.0, 1.0).hold(6.0), 90.0, 0.7, gap, last=1.2)
    t, f = tr.hold(6.0).release(0.3, mark="off").rest(1.0).build(noise=0.1, tremor=0.005, seed=7)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert [h.ended_by for h in holds] == ["left", "release"], kinds(events)
    assert abs(holds[0].end - tr.marks["dip2"][0]) <= 0.3
    assert holds[1].start >= tr.marks["dip2"][1]


@pytest.mark.parametrize("rate", [10.0, 88.0, 1000.0])
@pytest.mark.parametrize(("to", "after"), [(0.6, 0.5), (0.6, 0.8), (0.25, 0.7), (1.4, 0.7)])
@pytest.mark.parametrize("silence", [False, True])
def test_a_departure_the_data_ends_in_ends_the_hold_where_it_left(impl, trace, run_trace, invariants,
                                                                  rate, to, after, silence):
    """A recording stopped while the hand let go or pushed on (a real FES dynamometer log ends 1.07 s
    after its hold fell to 60 % of its level in 0.3 s, the force still away), or a silence longer
    than max_gap begins there. The force left fast, a step away, and has not come back when the data
    end: with nothing after, it neither comes back nor settles, so the hold ended `left` where it
    left, not where the data end (over a second later, where nobody dates it). The old cores asked
    for leave_time out of the band first: 0.6-0.9 s after the onset they closed it `end_of_data`."""
    tr = trace(rate=rate).rest(1.0).ramp(90.0, 0.8).hold(6.0).ramp(90.0 * to, 0.3, mark="away")
    tr = tr.hold(after)
    if silence:  # a silence over max_gap, then the force where it went, held and let go
        tr = tr.hold(3.5, mark="gap").hold(5.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.2, tremor=0.01, seed=5)
    if silence:
        keep = (t < tr.marks["gap"][0]) | (t >= tr.marks["gap"][1])
        t, f = t[keep], f[keep]
    events, holds, det = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert det.gaps == int(silence)
    assert holds[0].ended_by == "left", kinds(events)
    assert abs(holds[0].end - tr.marks["away"][0]) <= 0.3
    assert not of(events, "step")


@pytest.mark.parametrize("rate", [10.0, 88.0, 1000.0])
@pytest.mark.parametrize("end", ["back", "drift"])
def test_a_hold_the_data_end_in_after_a_dip_or_in_a_drift_ends_there(impl, trace, run_trace, invariants,
                                                                    rate, end):
    """The cost of the test above: the data end 0.5 s after a 30 % dip came back to the level, or in
    a slow drift out of the band. Neither left the hold fast and stayed away: it was on when the data
    ended (`end_of_data`, at their end)."""
    tr = trace(rate=rate).rest(1.0).ramp(90.0, 0.8).hold(6.0)
    tr = tr.ramp(63.0, 0.2).ramp(90.0, 0.3).hold(0.5) if end == "back" else tr.drift(-0.15, 3.0)
    t, f = tr.build(noise=0.2, tremor=0.01, seed=5)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert [h.ended_by for h in holds] == ["end_of_data"], kinds(events)
    assert holds[0].end == pytest.approx(t[-1])


@pytest.mark.parametrize("rate", [10.0, 88.0, 1000.0])
@pytest.mark.parametrize(("first", "after"), [(0.94, 2.0), (0.96, 2.0), (0.96, 2.5)])
def test_a_change_that_settled_and_was_no_step_yet_when_the_data_end_is_drift(impl, trace, run_trace,
                                                                              invariants, rate, first,
                                                                              after):
    """A recording stopped 2-2.5 s after the force eased down 15 % (a quick 4-6 % drop, then over
    2 s) and settled there: a slow step needs slow_step_hold (3 s) at the new level, so when the
    data end it was none yet; nor had the hold been left, since the force settled into a new level
    (held min_hold). It is drift, and the hold goes on to the end (`end_of_data`), as a slow
    excursion's does. The old cores closed it `left` in the middle of the ease wherever the quick
    drop had made the movement a fast one (here at 10 Hz; a real finger-gauge rep, 75 -> 64 N in
    2.3 s, the file ending 2.2 s later, lost its labelled hold that way)."""
    tr = trace(rate=rate).rest(1.0).ramp(90.0, 0.8).hold(6.0).ramp(90.0 * first, 0.3)
    t, f = tr.ramp(90.0 * 0.85, 2.0).hold(after).build(noise=0.2, tremor=0.01, seed=5)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert [h.ended_by for h in holds] == ["end_of_data"], kinds(events)
    assert holds[0].end == pytest.approx(t[-1])
    assert not of(events, "step")


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
@pytest.mark.parametrize("stay", [0.2, 0.5])
def test_a_burst_let_go_within_a_second_still_left_the_hold(impl, trace, run_trace, invariants, rate, stay):
    """A burst above the level, then the let-go before a second has passed: the force left fast and
    neither came back nor settled, so the hold ended at the burst (``left``) and the let-go is the
    release; the burst, outside the hold, raises no band exit. The old core, seeing the let-go within
    ``leave_time`` of the departure, ended the hold at the let-go and told the burst as an exit."""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(6.0)
    tr = tr.ramp(29.0, 0.25, mark="burst").hold(stay)
    t, f = tr.release(0.3, mark="drop").rest(1.5).build(noise=0.03, tremor=0.01, seed=3)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert [h.ended_by for h in holds] == ["left"]
    assert abs(holds[0].end - tr.marks["burst"][0]) <= 0.3
    assert holds[0].level == pytest.approx(20.0, rel=0.03)
    assert not of(events, "band_exit") and not of(events, "step"), kinds(events)
    rel = of(events, "release")
    assert len(rel) == 1 and abs(rel[0].t - tr.marks["drop"][0]) <= 0.3


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
def test_a_wobble_that_comes_back_within_a_second_is_part_of_the_hold(impl, trace, run_trace, invariants,
                                                                     rate):
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(5.0)
    tr = tr.ramp(16.5, 0.25).ramp(20.0, 0.35).hold(5.0)  # -17 % for about half a second
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.01, seed=2)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    # One hold throughout; the dip left the band for longer than the debounce, so it may be told
    # as one exit and its enter (drift inside a hold), never as a step or a second hold.
    assert [k for k in kinds(events) if not k.startswith("band_")] == ["contact", "hold_start", "release"]
    assert len(of(events, "band_exit")) == len(of(events, "band_enter")) <= 1


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
    rel = of(events, "release")
    assert len(rel) == 1 and abs(rel[0].t - tr.marks["off"][0]) <= 0.5


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
def test_a_level_settled_on_after_a_fast_start_is_the_hold_that_is_let_go(impl, trace, run_trace,
                                                                        invariants, rate):
    # A climber's pull: an overshoot held 1.6 s at 91 N, a fall that starts fast (-10 % in 0.6 s)
    # and fades on to 74 N, 2.2 s there, the let-go. The fall left fast and settled: the first hold
    # ended there (`left`) and the 74-N hold, which the slow-step test (slow_step_hold) had not
    # yet judged, is the one released - not lost with the let-go.
    tr = trace(rate=rate).rest(1.0).ramp(91.0, 0.3).hold(1.6).ramp(82.0, 0.6, mark="fall")
    tr = tr.drift(-0.098, 1.7).hold(2.2).release(0.3, mark="off").rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.01, seed=23)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert [h.ended_by for h in holds] == ["left", "release"]
    assert abs(holds[0].end - tr.marks["fall"][0]) <= 0.2
    assert holds[1].level == pytest.approx(75.0, rel=0.04)
    rel = of(events, "release")
    assert len(rel) == 1 and abs(rel[0].t - tr.marks["off"][0]) <= 0.3


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("rest", [3.0, 5.0])
def test_a_let_go_that_keeps_light_contact_is_a_release(impl, trace, run_trace, invariants, rate, rest):
    tr = trace(rate=rate).rest(1.0).ramp(40.0, 1.0).hold(6.0).ramp(rest, 0.5, mark="drop").hold(3.0)
    tr = tr.ramp(30.0, 1.0, mark="again").hold(5.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.01, seed=6)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "release", "contact", "hold_start", "release"]
    rel = of(events, "release")[0]
    assert abs(rel.t - tr.marks["drop"][0]) <= 0.3
    assert of(events, "contact")[1].t >= tr.marks["again"][0]
    assert [round(h.level) for h in holds] == [40, 30]  # no "hold" at the resting force


@pytest.mark.parametrize("rate", [10.0, 88.0, 1000.0])
@pytest.mark.parametrize("off", [0.0, 0.08])
def test_a_let_go_to_zero_shorter_than_the_filters_lag_is_a_release(impl, trace, run_trace, invariants,
                                                                     rate, off):
    """A pull let go to nothing and pulled again at once (the force at zero for 0-80 ms, a V): the raw force
    reached rest, so the contact ended, though the low-pass stayed far above the threshold. The old cores
    read the V as a dip that came back within leave_time, one hold across both pulls (a real finger-gauge
    session's reps, each ending in a touch of zero, missed 16 of 22 releases). At 10 Hz the touch lasts a
    sample longer here: one sample alone at the V's bottom is the next test's."""
    if rate < 20.0:
        off += 0.1
    tr = trace(rate=rate).rest(1.0).ramp(300.0, 0.4).hold(5.0).release(0.3, mark="off").rest(off)
    tr = tr.ramp(260.0, 0.3, mark="again").hold(5.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.05, tremor=0.01, seed=7)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "release", "contact", "hold_start", "release"]
    assert abs(of(events, "release")[0].t - tr.marks["off"][0]) <= 0.3
    assert of(events, "contact")[1].t >= tr.marks["off"][1] - 0.05
    assert [round(h.level) for h in holds] == [300, 260]


@pytest.mark.parametrize("rate", [10.0, 88.0, 1000.0])
@pytest.mark.parametrize("shift", [False, True])
def test_a_let_go_that_bounces_off_zero_and_settles_on_light_contact_leaves_no_rest_hold(
        impl, trace, run_trace, invariants, rate, shift):
    """A finger gauge's strap between pulls (real Tindeq sessions): the let-go drops to nearly nothing
    for a moment, then the resting limb settles back to 6 N on it for a minute. The contract's resting
    level is where the force comes to rest after the fall, not the bottom of the bounce: the old cores
    started a contact there and told a 6-N "hold" and its release for every rest. ``shift``: the limb
    shifts during the rest (down to 2.5 N and back within a second, as on the gauge), which is rest
    too; a force that rests a second down there has come to rest there, and the way back up is a new
    contact (the contract's letter)."""
    tr = trace(rate=rate).rest(1.0).ramp(140.0, 0.5).hold(6.0).ramp(0.4, 0.4, mark="off").hold(0.3)
    tr = tr.ramp(6.0, 1.0).hold(8.0)
    if shift:
        tr = tr.ramp(2.5, 0.3).hold(0.2).ramp(6.0, 0.5).hold(6.0)
    tr = tr.ramp(130.0, 0.5, mark="press").hold(6.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.05, tremor=0.01, seed=8)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "release", "contact", "hold_start", "release"]
    assert abs(of(events, "release")[0].t - tr.marks["off"][0]) <= 0.3
    assert of(events, "contact")[1].t >= tr.marks["press"][0] - 0.05
    assert [round(h.level) for h in holds] == [140, 130]


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("residual", [0.0, 2.5])
def test_a_light_hold_pressed_once_the_force_has_come_to_rest_is_a_hold(impl, trace, run_trace, invariants,
                                                                        rate, residual):
    """The guard of the test above: a light press (7 N, under release_level of the 60-N hold before it)
    made 1.5 s after the let-go came to rest is a contact and a hold. Over a 2.5-N resting hand the
    release is told by the 15 % rule a second after the fall, and the force has been at rest since
    then: a core that began to look for the rest only when it told the release took the press for
    the rest still settling."""
    tr = trace(rate=rate).rest(1.0).ramp(60.0, 0.5).hold(6.0).ramp(residual, 0.4, mark="off").hold(1.5)
    tr = tr.ramp(7.0, 0.8, mark="press").hold(5.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.01, seed=9)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "release", "contact", "hold_start", "release"]
    assert abs(of(events, "release")[0].t - tr.marks["off"][0]) <= 0.3
    assert [round(h.level) for h in holds] == [60, 7]


@pytest.mark.parametrize("level", [300.0, 80.0, 30.0])
@pytest.mark.parametrize("off", [0.0, 0.05])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_ten_hz_let_go_with_one_sample_at_zero_is_a_release(impl, trace, run_trace, invariants, level,
                                                               off, seed):
    """At 10 Hz the same let-go's V may hold one sample at zero, off the line through its two
    predecessors (the fall would have gone on below zero) and followed by one back up: the spike
    check dropped it as a lone spike, and the contact went on. A sample that stops short of the line,
    between the last sample and it, is a fast movement stopped - a glitch overshoots the line - and is
    no spike (HEAD before this split 55 of 72 such traces, now 72)."""
    tr = trace(rate=10.0).rest(1.0).ramp(level, 0.4).hold(5.0).release(0.3, mark="off").rest(off)
    tr = tr.ramp(level * 0.87, 0.3).hold(5.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.05, tremor=0.01, seed=seed)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "release", "contact", "hold_start", "release"]
    assert abs(of(events, "release")[0].t - tr.marks["off"][0]) <= 0.3


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
@pytest.mark.parametrize("rest", [2.5, 3.5])
def test_a_squeeze_let_go_onto_a_resting_hand_leaves_no_rest_hold(impl, trace, run_trace, invariants,
                                                                   rate, rest):
    # A dynamometer between squeezes: the relaxed grip rests at 2-4 N, above the bare contact
    # threshold. A squeeze that never held and fell back there is let go (as a release with light
    # contact left is), so the resting force is no hold and no release is told for the squeeze.
    tr = trace(rate=rate).rest(1.0).ramp(35.0, 0.5).ramp(rest, 0.4, mark="let_go").hold(4.0)
    tr = tr.ramp(30.0, 1.0, mark="press").hold(5.0).release(0.3, mark="off").rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.01, seed=11)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "contact", "hold_start", "release"]
    assert of(events, "contact")[1].t >= tr.marks["press"][0]
    assert [round(h.level) for h in holds] == [30]
    assert abs(of(events, "release")[0].t - tr.marks["off"][0]) <= 0.3


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
def test_a_hold_let_go_onto_that_resting_hand_for_under_a_second_is_left_not_released(
        impl, trace, run_trace, invariants, rate):
    # The contract's resting level is a release's. One a squeeze's let-go left starts no contact at
    # it, but ends none there either: a hold let go onto it for under release_time, then squeezed
    # again, has ended `left` (a let-go that keeps light contact), its release at the final fall.
    tr = trace(rate=rate).rest(1.0).ramp(35.0, 0.5).ramp(3.0, 0.4).hold(3.0)
    tr = tr.ramp(30.0, 1.0).hold(5.0).ramp(3.0, 0.3, mark="let_go").hold(0.6)
    tr = tr.ramp(40.0, 0.4).ramp(20.0, 0.4).release(0.3, mark="off").rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.01, seed=12)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert [h.ended_by for h in holds] == ["left"]
    assert abs(holds[0].end - tr.marks["let_go"][0]) <= 0.3
    rel = of(events, "release")
    assert len(rel) == 1 and rel[0].t >= tr.marks["let_go"][1]


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
def test_a_let_go_to_an_unsteady_middle_then_off_is_left_then_release(impl, trace, run_trace, invariants,
                                                                     rate):
    tr = trace(rate=rate).rest(1.0).ramp(40.0, 1.0).hold(6.0).ramp(14.0, 0.3, mark="leave")
    tr = tr.stroke(0.3, 1.0, 2.5).release(0.4, mark="off").rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.01, seed=6)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert [h.ended_by for h in holds] == ["left"]
    assert abs(holds[0].end - tr.marks["leave"][0]) <= 0.3
    rel = of(events, "release")
    assert len(rel) == 1 and rel[0].t >= tr.marks["leave"][1]


@pytest.mark.parametrize("rate", [10.0, 88.0, 1000.0])
@pytest.mark.parametrize("shape", ["hump", "shelves"])
def test_a_let_go_through_humps_or_shelves_below_the_release_level_is_dated_where_it_began(
        impl, trace, run_trace, invariants, rate, shape):
    """Real finger-gauge let-gos: a strap that falls in stages (shelves at 20 % and 10 % of the level,
    0.25 s each), or a fall to a V at zero and a resting hand's hump at 10 % before the contact
    ends. The release is the onset of the drop that took the pressure off; the old core dated it at
    the last stage's fall (a hump's: 1.1 s late) or, the shelves having outlasted leave_time, ended
    the hold `left` and told the release 2 s after the let-go began."""
    tr = trace(rate=rate).rest(1.0).ramp(100.0, 0.8).hold(7.0)
    if shape == "hump":
        tr = tr.ramp(0.5, 0.6, mark="drop").ramp(10.0, 0.25).hold(0.3).ramp(0.0, 0.25)
    else:
        tr = tr.ramp(20.0, 0.7, mark="drop").hold(0.25).ramp(10.0, 0.3).hold(0.3).ramp(0.0, 0.3)
    t, f = tr.rest(2.0).build(noise=0.05, tremor=0.01, seed=13)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert [h.ended_by for h in holds] == ["release"]
    rel = of(events, "release")
    assert len(rel) == 1 and abs(rel[0].t - tr.marks["drop"][0]) <= 0.3


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("over", [0.05, 0.10, 0.15])
def test_the_level_is_taken_after_an_overshoot_settles(impl, trace, run_trace, invariants, rate, over):
    tr = trace(rate=rate).rest(1.0).ramp(20.0 * (1 + over), 0.8).ramp(20.0, 0.8).hold(8.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.01, seed=7)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert kinds(events) == ["contact", "hold_start", "release"]
    assert holds[0].level == pytest.approx(20.0, rel=0.02)


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
def test_hovering_at_the_band_edge_is_one_exit(impl, trace, run_trace, invariants, rate):
    """Wander of 2 % around a level 10 % high: the force crosses the edge many times, but it is never
    back inside for the 0.5 s a band enter needs (the wander's inside stretches last under 0.4 s),
    so one excursion gives one exit. (At 0.8 Hz, as this case had it, some stretches inside last
    0.5-0.6 s: the contract's rule on the clean force then gives six exits, not one.)"""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(5.0).drift(0.10, 2.0).hold(10.0)
    tr = tr.drift(-0.10, 2.0).hold(6.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.01, seed=10)
    f = f * wander(t, 0.02, hz=1.5, seed=3)
    events, holds, _ = run_trace(impl, t, f, DetectorConfig(sample_rate=rate, target=20.0))
    invariants(events, holds, t)
    assert len(of(events, "band_exit")) == 1
    assert len(of(events, "band_enter")) == 1


def motor_sway(t: np.ndarray, rms: float, seed: int, lo: float = 0.5, hi: float = 12.0) -> np.ndarray:
    """A hand's motor noise: relative, band-limited (``lo``-``hi`` Hz) Gaussian noise of ``rms``."""
    rng = np.random.default_rng(seed)
    dt = 0.005
    n = int((t[-1] - t[0]) / dt) + 2
    spec = np.fft.rfft(rng.standard_normal(n))
    fr = np.fft.rfftfreq(n, dt)
    spec[(fr < lo) | (fr > hi)] = 0.0
    x = np.fft.irfft(spec, n)
    return 1.0 + np.interp(t, t[0] + dt * np.arange(n), x * (rms / x.std()))


def swayed_changes(trace, durs: tuple[float, ...], before: float, after: float, sway: float,
                   wander_amp: float):
    """A 30-N hold changing 20 % up or down in a straight line over each of ``durs`` (marked
    ``change``), held ``before`` and ``after`` it, under a hand's motor noise (``sway`` RMS) and
    wander (``wander_amp``, 0.3 Hz): 10, 88 and 1000 Hz, seeds 0-7. Yields (trace, t, f, frac)."""
    for rate, frac, dur, seed in itertools.product((10.0, 88.0, 1000.0), (0.2, -0.2), durs, range(8)):
        tr = trace(rate=rate).rest(1.0).ramp(30.0, 1.0).hold(before).drift(frac, dur, mark="change")
        t, f = tr.hold(after).release(0.3).rest(1.0).build(noise=0.05, tremor=0.01, seed=seed)
        f = f * motor_sway(t, sway, seed)
        if wander_amp:
            f = f * wander(t, wander_amp, hz=0.3, seed=seed)
        yield tr, t, f, frac


def test_a_drift_out_of_the_band_under_a_hands_motor_noise_is_dated_at_the_drifts_crossing(
        impl, trace, run_trace, invariants):
    """A 30-N hold drifts 20 % in 8 or 12 s (2.5 or 1.7 %/s) under 1.5 % of motor noise (0.5-12 Hz),
    10-1000 Hz, 96 traces. The exit is dated where the drift crossed the band's edge: the clean force
    (a labeller's reading, or the hand's intent) within 0.3 s, nearly always. The old cores dated it
    where the force averaged over a third of a second crossed, which the noise's 0.5-3 Hz part moves
    by up to 0.9 s either way, and the filter's lag makes late (19 of these 96 off by more than 0.3 s,
    RMS 0.28 s); the line fitted over the 1.5 s before the exit, less that lag, averages most of it
    out (8 of 96, RMS 0.17 s: DETECTION failure mode 36)."""
    errs = []
    tol = DetectorConfig().tolerance
    # (let go 1.5 s after: held 3 s at the new level, the drift would be a slow step)
    for tr, t, f, frac in swayed_changes(trace, (8.0, 12.0), 4.0, 1.5, 0.015, 0.0):
        events, holds, _ = run_trace(impl, t, f)
        invariants(events, holds, t)
        exits = of(events, "band_exit")
        assert exits, (frac, kinds(events))
        edge = exits[0].level * (1.0 + (tol if frac > 0 else -tol))
        a, b = tr.marks["change"]
        tt = np.arange(a, b, 1e-3)
        ff = tr.force_at(tt)
        errs.append(exits[0].t - float(tt[np.flatnonzero(ff >= edge if frac > 0 else ff <= edge)[0]]))
    e = np.abs(np.array(errs))
    assert np.sum(e > 0.3) <= 12, sorted(np.round(e, 2))  # of 96 (the old cores: 19)
    assert float(np.sqrt(np.mean(e ** 2))) <= 0.21, float(np.sqrt(np.mean(e ** 2)))  # (the old: 0.28)


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
    step = one_step(events, "up" if frac > 0 else "down")
    assert abs(step.t - shows(tr.marks["ease"])) <= 1.0
    assert step.level == pytest.approx(30.0 * (1.0 + frac), rel=0.03)
    assert [h.ended_by for h in holds] == ["step", "release"]
    assert len(of(events, "band_exit")) == len(of(events, "band_enter")), kinds(events)


def to(tr, level: float, rate_pct: float):
    """A straight drift from the trace's level to ``level`` at ``rate_pct`` % of 20 N per second."""
    return tr.drift(level / tr.level - 1.0, abs(level - tr.level) / (0.2 * rate_pct))


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
def test_back_inside_for_the_enter_debounce_rearms_at_the_edge(impl, trace, run_trace, invariants, rate):
    """A drift out at 2 %/s turns, comes back only 0.5 % of the level inside the edge, stays there a
    second, and leaves again: back inside for the 0.5 s a band enter needs, so a band enter and a
    second exit (the contract's rule on the clean force gives two). The old core asked the filtered
    force to come a tenth of the half-width (1 %) inside and told one exit."""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(5.0)
    tr = to(tr, 22.6, 2.0).hold(0.3)
    tr = to(tr, 21.9, 2.0).hold(1.0)
    tr = to(tr, 22.5, 2.0).hold(1.0)
    tr = to(tr, 20.0, 2.0).hold(4.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.01, seed=12)
    events, holds, _ = run_trace(impl, t, f, DetectorConfig(sample_rate=rate, target=20.0))
    invariants(events, holds, t)
    exits = of(events, "band_exit")
    assert [e.direction for e in exits] == ["high", "high"], kinds(events)
    # dated at the clean force's crossings of 22 N (at 0.4 N/s): 7 + 5 s, and 16.55 + 0.25 s
    assert exits[0].t == pytest.approx(12.0, abs=0.3) and exits[1].t == pytest.approx(16.8, abs=0.3), exits
    enters = of(events, "band_enter")
    # the clean force is inside from 15.3 s (at 10 Hz the 9-Hz tremor aliases to a 1-Hz sway of 1 %)
    assert enters and 15.2 <= enters[0].t <= exits[1].t - 0.5, enters


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
def test_no_hold_is_shorter_than_min_hold(impl, trace, run_trace, invariants, rate):
    # A steady stretch just long enough to confirm, then a step at once.
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(1.7).step(0.3, 0.4).hold(5.0).release(0.3)
    t, f = tr.rest(1.0).build(noise=0.03, tremor=0.01, seed=11)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert all(h.duration >= 1.5 for h in holds if h.ended_by != "end_of_data"), holds


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_a_hold_that_began_to_leave_before_it_was_confirmed_is_still_min_hold_long(
        impl, trace, run_trace, invariants, rate, seed):
    """A pull that fades from the moment it arrives (4 %/s, then 10 %/s, then slower: a finger
    gauge's tired pull) is confirmed as a hold once 1.5 s steady, by when the force has already
    begun to leave it. The departure's onset, found before it had gone 4 tolerances out, was not
    held to the hold's floor: the hold ended `left` 1.24-1.29 s after its start."""
    tr = trace(rate=rate).rest(1.0).ramp(80.0, 0.2).ramp(76.7, 0.9).ramp(68.6, 1.0).ramp(60.7, 1.3)
    tr = tr.ramp(58.1, 1.4).ramp(53.0, 1.2).hold(2.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.1, tremor=0.02, tremor_hz=3.0, seed=seed)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert holds and holds[0].start < 1.5, holds
    assert holds[0].duration >= 1.5 - 1e-9, holds[0]


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_a_step_onto_a_level_let_go_soon_after_dates_nothing_in_the_future(
        impl, trace, run_trace, invariants, rate, seed):
    """A 22 % step over 1.8 s, its new level held for about a second, then a release. The new hold,
    confirmed on its steady window, began where the force came within the hold band of the level
    measured on that window: 0.23 s before it was told, so its floor (start + min_hold) lay 1.3 s
    in the future, and the release that came 0.5 s later was dated 0.8 s after the sample that
    told it. A hold now begins no later than min_hold before it is told."""
    tr = trace(rate=rate).rest(1.0).ramp(43.2, 1.3).hold(2.9).drift(-0.01, 2.2)
    tr = tr.step(0.22, 1.8, mark="step").hold(1.0)
    t, f = tr.release(0.8, mark="drop").rest(1.0).build(noise=0.08, tremor=0.017, tremor_hz=5.2,
                                                         seed=seed)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)  # every event dated no later than told; no hold under min_hold
    release = of(events, "release")
    assert len(release) == 1 and release[0].t <= tr.marks["drop"][0] + 0.5, kinds(events)
    for e in of(events, "hold_start"):
        assert e.t <= e.t_detected - 1.5 + 1e-9, e


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_change_older_than_the_history_is_dated_inside_it(impl, trace, run_trace, invariants,
                                                            rate, seed):
    """A 20-s wandering descent and partial return, judged a slow step 20 s after it began: the
    first estimate of its onset lies before the oldest tick the history keeps. The mean before
    it was read from the running sums' slot before the oldest (which holds the newest), and the
    crossings from that level off the newest tick's end: the step was dated 38.5 s, 13 s after
    it was told and 9 s after the data ended."""
    tr = trace(rate=rate).rest(1.0).ramp(50.0, 0.6).ramp(63.4, 1.7).drift(-0.15, 5.8).drift(-0.17, 2.1)
    tr = tr.ramp(tr.level * 0.75, 1.85).ramp(tr.level * 0.75 * 0.955, 0.46).drift(0.127, 4.5)
    tr = tr.drift(0.116, 4.9).drift(-0.012, 3.5).hold(1.0)
    t, f = tr.release(1.0).rest(1.0).build(noise=0.1, tremor=0.004, tremor_hz=8.0, seed=seed)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert all(t[0] <= e.t <= e.t_detected for e in events), events


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("tremor_hz", [3.0, 6.0])
def test_a_drift_out_under_tremor_is_dated_at_its_own_crossing(impl, trace, run_trace, invariants, rate,
                                                                tremor_hz):
    """A 3 %/s drift carrying a 3 % tremor, out of a fixed band (a slow change stays drift): the exit
    is dated where the drift crossed the band edge, not at the last tremor trough past the edge plus
    its noise margin (0.5-1 s later at this rate)."""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(6.0).drift(0.18, 6.0, mark="drift").hold(6.0)
    t, f = tr.release(0.3).rest(1.0).build(noise=0.03, tremor=0.03, tremor_hz=tremor_hz, seed=4)
    events, holds, _ = run_trace(impl, t, f, DetectorConfig(sample_rate=rate, target=20.0))
    invariants(events, holds, t)
    exits = of(events, "band_exit")
    assert len(exits) == 1 and exits[0].direction == "high", kinds(events)
    t0, t1 = tr.marks["drift"]
    crossing = t0 + (t1 - t0) * 0.10 / 0.18  # where the drift itself left level · 1.10
    assert abs(exits[0].t - crossing) <= 0.2, (exits[0].t, crossing)


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
@pytest.mark.parametrize("lead", [0.045, -0.045])
def test_a_step_that_stalls_on_its_way_is_dated_from_where_it_left_the_level(impl, trace, run_trace,
                                                                             invariants, rate, sign, lead):
    """A hand that moves a little first (the same way, or back: a dip before a push), stalls, then
    makes the step (an overshooting or undershooting aim): the change began where the force left the
    old level, not at the stall that the reference it departs from had followed."""
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


# (overshoot as a fraction of the level, the level the arrival comes from; None: from rest)
SETTLING = [(over, before) for over in (0.07, -0.035, 0.012, 0.018) for before in (None, 16.0)] + \
    [(-0.015, None), (-0.015, 24.0)]


@pytest.mark.parametrize("rate", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize(("over", "before"), SETTLING)
def test_the_band_is_centred_on_the_level_after_the_overshoot_has_settled(impl, trace, run_trace, invariants,
                                                                          rate, over, before):
    """An arrival that over- or undershoots and settles back over 0.6 s onto 20 N, from rest or by a
    step (from 16 N, or from 24 N: -1.5 % past it on a step down), then drifts out of its relative
    band at 1 %/s. The contract's level is the settled one, and the band is centred on it: the hold's
    level is 20 N, and the exit is dated where the drift crossed 22 N; at 1 %/s each 0.1 % of level
    is 0.1 s on the exit (the scorer's tolerance is 0.5 s).
    - +7 % or -3.5 %: the old core took the level over everything since the force came within 4 %
      of it (still inside the settling): 19.83-20.37 N.
    - under 2 % (+1.2 %, +1.8 %, -1.5 %): the arrival comes within 1 % of 20 N on its way past, so
      the close arrival (which needs the force to have stood 2 % off) was found there, before the
      overshoot, and the level took in the settling (20.10-20.25 N, the exit 0.3-0.7 s early). The
      arrival is followed on past the level: it went beyond its tolerance before it turned, so the
      level is measured from where it came back."""
    tr = trace(rate=rate).rest(1.0)
    if before is not None:
        tr = tr.ramp(before, 1.0).hold(5.0)
    tr = tr.ramp(20.0 * (1.0 + over), 0.8).ramp(20.0, 0.6).hold(5.0).drift(0.15, 15.0, mark="drift")
    t, f = tr.hold(3.0).release(0.3).rest(1.0).build(noise=0.02, tremor=0.003, seed=5)
    events, holds, _ = run_trace(impl, t, f)
    invariants(events, holds, t)
    assert len(holds) == (1 if before is None else 2), kinds(events)
    h = holds[-1]
    assert h.level == pytest.approx(20.0, rel=0.0015), h
    exits = of(events, "band_exit")
    assert len(exits) == 1 and exits[0].direction == "high", kinds(events)
    assert exits[0].level == h.level
    t0, t1 = tr.marks["drift"]
    crossing = t0 + (t1 - t0) * 0.10 / 0.15  # where the drift left 20 N · 1.10
    assert abs(exits[0].t - crossing) <= 0.2, (exits[0].t, crossing)


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


@pytest.mark.parametrize("rate", [100.0, 1000.0])
@pytest.mark.parametrize("pct", [5.0, 9.0])
def test_a_brisk_drift_out_is_still_told_at_once(impl, trace, run_trace, invariants, rate, pct):
    """A straight drift out of the band at up to the contract's ~10 %/s is drift: its exit is told
    within the debounce and the rate's lag of its own crossing, not held back as a possible step."""
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(6.0).drift(pct / 100 * 4.0, 4.0, mark="drift")
    t, f = tr.hold(3.0).release(0.3).rest(1.0).build(noise=0.03, tremor=0.005, seed=6)
    events, holds, _ = run_trace(impl, t, f, DetectorConfig(sample_rate=rate, target=20.0))
    invariants(events, holds, t)
    exits = of(events, "band_exit")
    assert len(exits) == 1 and exits[0].direction == "high", kinds(events)
    crossing = tr.marks["drift"][0] + 10.0 / pct
    assert exits[0].t_detected - crossing <= 0.15 + 0.3, (exits[0].t_detected, crossing)


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


def brisk_then_on(trace, rate: float, pause: float, on: float):
    """A hold at 40 N, then a change whose rate a hand's slow wander makes uneven: 11 % up in 1.6 s
    (6.9 %/s, under the rate test), a near pause (``pause`` in 1 s), then ``on`` more in 1.5 s."""
    tr = trace(rate=rate).rest(1.0).ramp(40.0, 1.0).hold(5.0)
    return tr.drift(0.11, 1.6, mark="brisk").drift(pause, 1.0).drift(on, 1.5)


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


# Seeds whose traces broke these rules before they were fixed (stop 28: a step dated 13 s after it
# was told, a release 0.8 s after; a step's onset found inside its new hold's steady window, by a
# stroke's swing back past the old level; a release, or a departure into strokes, dated before a
# band exit the hold had told; a fast move on into 20 s of drift, waited on until its departure lay
# beyond the history), then a spread of others.
RANDOM_HAND_SEEDS = [197, 415, 549, 809, 842, 965, 966, 1105, 1794, 3514, 13587, 15965, 22788,
                     *range(0, 1200, 11)]


@pytest.mark.parametrize("seed", RANDOM_HAND_SEEDS)
def test_random_hand_sessions_keep_the_contracts_rules(impl, run_trace, seed):
    """Random strings of moves, holds, drifts and strokes (``tools/fuzz_core.py``, which runs
    thousands): what the contract promises of any stream holds on both cores - events told in
    order and dated within the data, no later than the sample that told them; holds in order,
    none overlapping, none shorter than min_hold unless the data ended; a step at every hold ended
    by one; band events inside their hold (a slow step's ease may carry the old band's exits past
    its onset: up to the new hold's start)."""
    rate, t, f = FUZZ.random_hand(seed)
    cfg = DetectorConfig(sample_rate=rate)
    events, holds, _ = run_trace(impl, t, f, cfg)
    assert not FUZZ.broken_rules(t, events, holds, cfg), (kinds(events), holds)


# A silence inside the new hold's steady window let it begin before the hold it followed had ended
# (a step's onset inside the silence; a departure dated on its far side): seeds 9683 and 45999.
@pytest.mark.parametrize("seed", [9683, 45999, *range(1, 1200, 17)])
def test_random_hand_sessions_with_a_silence_keep_the_contracts_rules(impl, run_trace, seed):
    """As above, with 0.3-4 s of the stream missing somewhere: holds still never overlap, and only
    a silence inside a new hold's window may leave it shorter than min_hold."""
    rate, t, f = FUZZ.random_hand(seed, silence=True)
    cfg = DetectorConfig(sample_rate=rate)
    events, holds, _ = run_trace(impl, t, f, cfg)
    assert not FUZZ.broken_rules(t, events, holds, cfg), (kinds(events), holds)


def test_a_let_go_from_a_new_level_not_yet_a_step_ends_the_old_hold_where_it_left(impl, run_trace,
                                                                                   invariants):
    """``tools/fuzz_core.py --case 13702`` (10 Hz; step_max_duration 1 s, slow_step_hold 5 s): a hold
    at 22.7 N fades, pumps between 16 and 24 N and settles at 19.5-20 N, a step below, for 4 s; then
    the hand lets go, before the slow step's 5 s. The old hold ended where it left and the new level,
    held min_hold, is what was released - but the departure was dated at the let-go's own going out
    of the band (9.50 s, the latest time away), so the new hold began there and was released 0.7 s
    later: a hold shorter than min_hold. The departure is the excursion's (4.33 s); the let-go is
    the release (9.46 s)."""
    _, t, f, cfg = FUZZ.make_case(13702)
    events, holds, _ = run_trace(impl, t, f, cfg)
    invariants(events, holds, t, cfg)
    assert [h.ended_by for h in holds] == ["left", "release"], kinds(events)
    assert 4.0 <= holds[0].end <= 4.6, holds[0]
    assert holds[1].start == holds[0].end and holds[1].duration >= cfg.min_hold, holds[1]
    assert holds[1].level == pytest.approx(19.5, rel=0.03)
    assert abs(of(events, "release")[0].t - 9.5) <= 0.1, kinds(events)


def test_a_departure_dated_too_late_for_a_new_hold_begins_none(impl, run_trace, invariants):
    """``tools/fuzz_core.py --case 76289`` (1000 Hz, irregular stamps; min_hold 3 s, lowpass 2 Hz): a
    hold at 12.4 N left for a new level at 14.1 N found from 12.1 s, then moved on fast from outside
    the band (17.57 s), which dated the departure; at 19.13 s the hold ended `left` there and a new
    hold began at the candidate - from the departure, 1.6 s before it was told, under min_hold. Its
    release 0.3 s later was dated at its floor, 20.57 s: 1.1 s after the sample that told it. A new
    hold begins at a departure only with min_hold of room before now; here the contact goes on, and
    its release follows the hold that was left."""
    _, t, f, cfg = FUZZ.make_case(76289)
    events, holds, _ = run_trace(impl, t, f, cfg)
    invariants(events, holds, t, cfg)
    assert [h.ended_by for h in holds] == ["left"], kinds(events)
    releases = of(events, "release")
    assert len(releases) == 1 and holds[0].end <= releases[0].t <= releases[0].t_detected, releases


def test_an_ease_from_a_level_the_hold_had_drifted_to_is_dated_where_it_began(impl, run_trace):
    """``tools/fuzz_core.py --case 6651`` (10 Hz, irregular timestamps): a hold at 54.6 N drifts
    within its band to 57-58 N and stays there 10 s, then eases to 68.9 N from about 16.3 s. Measured
    from the hold's level, the ease's 5 % crossing lay in that early drift, 13 s before its 25 %
    one, and the step was dated at the hold's floor, 3.1 s (told 23 s: 20 s back)."""
    _, t, f, cfg = FUZZ.make_case(6651)
    events, _, _ = run_trace(impl, t, f, cfg)
    steps = of(events, "step")
    assert len(steps) == 1 and steps[0].direction == "up" and 15.0 <= steps[0].t <= 16.8, steps
