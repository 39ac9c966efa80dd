"""Trace builders and checks shared by the core's contract tests (``test_core_<topic>.py``).

Those files hold the amended contract's Definitions, one behaviour each, on both cores: each case is
a small labelled trace built by :class:`conftest.Trace` with the nuisance that broke the old detector (a
smooth step under tremor, an overshoot, a slow ease onto a barrier, a burst, a let-go that keeps light
contact, a coarse sensor, a hand hovering at the band's edge).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from toolmods import load_tool

from firmware_sim.hand import min_jerk  # the trace builder's own curve

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


def one_eased_step(events, holds, direction: str, at: float, level: float):
    """The one step in ``events`` (``direction``), dated within 1 s of ``at`` (the ease's onset), its
    level within 3 % of ``level``, and the holds it and the release ended: a slow step found whole."""
    step = one_step(events, direction)
    assert abs(step.t - at) <= 1.0, (step.t, at)
    assert step.level == pytest.approx(level, rel=0.03), step
    assert [h.ended_by for h in holds] == ["step", "release"], holds
    return step


def one_release(events, at: float, within: float):
    """The one release in ``events``, dated within ``within`` seconds of ``at`` (its onset)."""
    rel = of(events, "release")
    assert len(rel) == 1 and abs(rel[0].t - at) <= within, (rel, at)
    return rel[0]


def assert_one_fast_step(events, mark: tuple[float, float], direction: str) -> None:
    """One step, the right way, dated within 0.5 s of the movement's start (``mark``), told as a fast
    step (not as a slow one 3 s after it ended), and no band exit on the way."""
    step = one_step(events, direction)
    assert abs(step.t - mark[0]) < 0.5
    assert step.t_detected - mark[1] < 2.5
    assert not of(events, "band_exit"), kinds(events)


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


def to(tr, level: float, rate_pct: float):
    """A straight drift from the trace's level to ``level`` at ``rate_pct`` % of 20 N per second."""
    return tr.drift(level / tr.level - 1.0, abs(level - tr.level) / (0.2 * rate_pct))


def brisk_then_on(trace, rate: float, pause: float, on: float):
    """A hold at 40 N, then a change whose rate a hand's slow wander makes uneven: 11 % up in 1.6 s
    (6.9 %/s, under the rate test), a near pause (``pause`` in 1 s), then ``on`` more in 1.5 s."""
    tr = trace(rate=rate).rest(1.0).ramp(40.0, 1.0).hold(5.0)
    return tr.drift(0.11, 1.6, mark="brisk").drift(pause, 1.0).drift(on, 1.5)
