"""The contract's band: one exit per excursion however the force hovers at the edge, dated where the
drift itself crossed it, an enter after 0.5 s back inside, and the band centred on the settled level."""

from __future__ import annotations

import numpy as np
import pytest
from contract_cases import kinds, of, swayed_changes, to, wander

from nmt_pressure.core.config import DetectorConfig


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
