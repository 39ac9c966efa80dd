"""A therapist's hand on a load cell: the force it *means* to apply, plus ground-truth labels.

The hand is a list of :class:`Segment` objects laid end to end in time (idle, ramp, hold, drift,
step, ease, release, rest, lift, depart, touch, stroke). :meth:`Hand.clean` turns them into the
intended force, a continuous function of time; :meth:`Hand.force` adds what a real hand adds on top
(physiological tremor and slow wander, both proportional to the force, so an idle hand is exactly
zero). What the *sensor* adds (sampling, noise, offset, spikes) lives in :mod:`firmware_sim.sensor`.

:func:`plan_session` draws a random session from a numpy ``Generator`` and returns the hand together
with labels in the terms of the project's public contract (``CONTRACT.md``, "Definitions"; labels
describe the default relative-band mode):

* ``{"kind": "contact", "t", "start", "of", "rest"}`` - the clean force rises by the contact
  threshold above ``rest``, the resting level it starts from (0, or a light rest / offset, below);
* ``{"kind": "hold", "start", "end", "level", "ended_by", "level_end", "drift", "move_start",
  "in_band"}`` - from the end of the ramp/step to the onset of the step/release/departure; ``level``
  is the settled level the band refers to, ``level_end`` the level after a drift (``drift``:
  up/down/None); ``ended_by`` is ``step``, ``release`` or ``left`` (a departure); ``move_start`` is
  the onset of the ramp/step into the hold and ``in_band`` the moment its clean force came within
  ±8 % of ``level`` (informational: the moves end asymptotically);
* ``{"kind": "step", "t", "t_end", "direction", "from_level", "to_level", "slow", "duration"}`` -
  onset and completion. ``slow`` steps take longer than 2 s (the planner's take 2.5-6 s, at drift-like
  rates under 10 %/s) and are followed by at least 3 s steady at the new level: steps in the
  contract's relative-band mode only (with a fixed ``--target`` they stay drift);
* ``{"kind": "release", "t", "t_end", "level", "rest", "light_contact"}`` - onset of the drop and the
  moment the force reaches ``rest`` (0, a resting offset, or 3-6 N of light contact that stays for
  at least 1.5 s below 10 % of the level); ``light_contact``: ``rest`` is at or above the threshold;
* ``{"kind": "band_exit", "t", "direction", "level", "during", "optional"}`` - the clean force first
  leaves ``level * (1 ± tolerance)``; ``during`` is ``drift`` (a required alert) or ``step``: a slow
  step crosses the band before it can be told from drift, an exit the contract allows (it then
  reports a band_enter) but does not require, so ``optional`` is true. Fast steps, ramps and
  releases never raise one;
* ``{"kind": "departure", "t", "t_end", "direction", "from_level", "mean", "swing"}`` - the force
  leaves the hold's level fast (a burst of pumping above it, or a let-go to fidgeting light contact
  below it) and neither comes back nor settles: the hold ends at ``t`` with ``ended_by: "left"``; a
  release follows at ``t_end``;
* ``{"kind": "rest", "start", "end", "level", "light_contact"}`` - the hand resting on the cell
  between contacts at a non-zero level (light contact after a let-go, or a resting offset);
* ``{"kind": "touch" | "stroke", "start", "end", "rest"}`` (+ ``peak`` or ``mean``/``swing``) -
  contacts that must never become holds.

Labels are sorted by their time (``t`` or ``start``) and are plain JSON-able dicts.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

#: Force (N) above which the clean hand is "in contact" - the contract's default threshold.
CONTACT_THRESHOLD_N = 2.0
#: Relative band half-width used for the band_exit labels (the contract's default tolerance).
BAND_TOLERANCE = 0.10
#: The contract's "near one level" for holds; used only for the informational ``in_band`` label field.
HOLD_BAND = 0.08
#: Range of hold levels a therapist's thumb uses (N).
LEVEL_RANGE_N = (5.0, 120.0)
#: Peak relative amplitude bounds of tremor and wander. Their sum (<= 2.7 %) stays far inside both
#: the detector's ±8 % hold band and the ±10 % alert band, so neither leaves a band by itself and the
#: labels stay honest. Wander is kept to the lower part of the "≤ ~2 %" range because every percent
#: of wander moves the observed band crossing of a 4 %/s drift by a quarter of a second.
TREMOR_AMP_RANGE = (0.005, 0.015)
WANDER_AMP_RANGE = (0.003, 0.012)
#: Drift rates (fraction of level per second, mean over the drift). With corners of at most a quarter
#: of the drift each, the peak rate is below 0.07 / 0.75 < 0.10 /s: drift, not a step.
DRIFT_RATE_RANGE = (0.04, 0.07)
#: Steps complete at a mean rate of at least this (fraction per second): clearly faster than drift.
STEP_MIN_RATE = 0.15

# The contract's definitions (defaults), used by the labels.
#: A change completed within this (s) is a step in both band modes.
FAST_STEP_MAX_S = 2.0
#: In relative-band mode a slower change completed within this (s) is a step too ...
SLOW_STEP_MAX_S = 8.0
#: ... once the force has stayed steady at the new level this long (s).
SLOW_STEP_SETTLE_S = 3.0
#: Smallest change of level that is a step (fraction of the hold's level).
STEP_MIN_CHANGE = 0.10
#: A fall below this fraction of the hold's level that stays there RELEASE_STAY_S is a release.
RELEASE_FRACTION = 0.15
RELEASE_STAY_S = 1.0
#: A departure that comes back within this (s) does not end the hold.
DEPARTURE_RETURN_S = 1.0
#: Shortest hold the contract allows (s).
MIN_HOLD_S = 1.5

# The planner's choices for the amended contract, each well clear of the limits above.
#: Slow steps: 2.5-6 s (clear of the 2 s and 8 s limits), mean rate at most this (fraction per second);
#: with rounded corners of 20-30 % the peak rate stays under 0.065 / 0.7 < 0.10 /s: drift-like.
SLOW_STEP_DURATION_RANGE = (2.5, 6.0)
SLOW_STEP_RATE = 0.065
SLOW_STEP_CORNER_RANGE = (0.2, 0.3)
#: Steady time at the new level after a slow step (s, at least), and at most after a drift before the
#: hold ends: well over and well under the contract's 3 s.
SLOW_STEP_SETTLED_MIN_S = 4.0
DRIFT_SETTLED_MAX_S = 1.0
#: Light contact left by a let-go (N) and how long it lasts at least (s); it stays below this fraction
#: of the hold's level (the contract: 15 %).
LIGHT_REST_RANGE_N = (3.0, 6.0)
LIGHT_REST_MIN_S = 1.5
REST_MAX_FRACTION = 0.10
#: A relaxed hand's (or a drifted zero's) offset between presses (N).
OFFSET_RANGE_N = (0.5, 4.0)
#: Departures: how long they last (s), their relative swing and frequency.
DEPARTURE_DURATION_RANGE = (2.5, 5.0)
DEPARTURE_SWING_MIN = 0.30
DEPARTURE_FREQ_RANGE = (0.8, 2.0)
#: Departures keep at least this relative distance from the level they left (beyond the ±10 % band).
DEPARTURE_CLEARANCE = 0.15
#: Lifting a resting hand off the cell (s).
LIFT_RANGE_S = (0.3, 0.8)


# --------------------------------------------------------------------------------------------------
# Shapes on a normalised time tau in [0, 1]
# --------------------------------------------------------------------------------------------------
def min_jerk(tau: FloatArray) -> FloatArray:
    """Minimum-jerk position profile 10τ³ − 15τ⁴ + 6τ⁵ (zero velocity and acceleration at both ends).

    Voluntary point-to-point movements follow this closely (Flash & Hogan 1985), which is why ramps,
    steps and releases use it.
    """
    x = np.clip(tau, 0.0, 1.0)
    return x * x * x * (10.0 + x * (-15.0 + 6.0 * x))


def smooth_linear(tau: FloatArray, corner: float) -> FloatArray:
    """A linear ramp 0 → 1 whose two corners (each ``corner`` of the duration) are rounded.

    The velocity is a trapezoid with raised-cosine flanks: a hand leaning in or tiring moves at a
    roughly constant rate, and starts and stops that movement smoothly.
    """
    c = float(np.clip(corner, 1e-6, 0.5))
    x = np.clip(tau, 0.0, 1.0)
    v = 1.0 / (1.0 - c)  # plateau velocity: corners contribute v*c/2 each, so the total is 1

    def corner_pos(s: FloatArray) -> FloatArray:
        # ∫ v (1 − cos(π u / c)) / 2 du from 0 to s
        return v * 0.5 * (s - (c / math.pi) * np.sin(math.pi * s / c))

    return np.where(x < c, corner_pos(x),
                    np.where(x > 1.0 - c, 1.0 - corner_pos(1.0 - x), v * (0.5 * c + (x - c))))


# --------------------------------------------------------------------------------------------------
# Segments and the hand
# --------------------------------------------------------------------------------------------------
#: Segment kinds. "ramp", "step", "release" and "lift" are all minimum-jerk moves from f0 to f1;
#: "drift" and "ease" (a slow step) are smooth-linear changes; "hold" and "rest" are constant.
SEGMENT_KINDS = ("idle", "ramp", "hold", "drift", "step", "ease", "release", "rest", "lift", "depart",
                 "touch", "stroke")
#: Kinds that move the force between levels with a minimum-jerk profile.
MOVE_KINDS = ("ramp", "step", "release", "lift")
#: Kinds between contacts: nothing on the cell, or a hand resting lightly on it.
GAP_KINDS = ("idle", "rest", "lift")


@dataclass(frozen=True)
class Segment:
    """One piece of intended force over [t0, t1).

    ``f0``/``f1`` are the force at the start and end (moves, holds, drifts, rests). Touches use ``f0``
    as their peak and ``edge`` as the rise (= fall) time; strokes use ``f0`` as mean force, ``amp`` as
    the relative swing, ``freq``/``phase`` for the oscillation and ``edge`` for their fade in and out;
    both rise from and return to ``base`` (a hand resting on the cell). A departure (``depart``) moves
    from ``f0`` to a mean ``f1`` in ``edge`` seconds (minimum jerk) while a swing of relative amplitude
    ``amp`` fades in, and fades the swing out again over its last ``edge`` seconds.
    """

    kind: str
    t0: float
    t1: float
    f0: float = 0.0
    f1: float = 0.0
    amp: float = 0.0
    freq: float = 0.0
    phase: float = 0.0
    edge: float = 0.0
    base: float = 0.0

    @property
    def duration(self) -> float:
        return self.t1 - self.t0

    def evaluate(self, t: FloatArray) -> FloatArray:
        """Intended force at times ``t`` (all assumed inside this segment)."""
        d = max(self.duration, 1e-12)
        tau = (t - self.t0) / d
        if self.kind == "idle":
            return np.zeros_like(t)
        if self.kind in ("hold", "rest"):
            return np.full_like(t, self.f0)
        if self.kind in MOVE_KINDS:
            return self.f0 + (self.f1 - self.f0) * min_jerk(tau)
        if self.kind in ("drift", "ease"):
            return self.f0 + (self.f1 - self.f0) * smooth_linear(tau, self.edge / d)
        if self.kind == "touch":
            return self.base + (self.f0 - self.base) * self._envelope(t)
        if self.kind == "stroke":
            swing = 1.0 + self.amp * np.sin(2.0 * math.pi * self.freq * (t - self.t0) + self.phase)
            return self.base + (self.f0 * swing - self.base) * self._envelope(t)
        if self.kind == "depart":
            e = max(self.edge, 1e-9)
            centre = self.f0 + (self.f1 - self.f0) * min_jerk((t - self.t0) / e)
            swing = np.sin(2.0 * math.pi * self.freq * (t - self.t0) + self.phase)
            return centre * (1.0 + self.amp * swing * self._envelope(t))
        raise ValueError(f"unknown segment kind {self.kind!r}")

    def _envelope(self, t: FloatArray) -> FloatArray:
        """0 → 1 → 0 with minimum-jerk edges of length ``edge`` (touches, strokes, departures' swing)."""
        e = max(self.edge, 1e-9)
        up = min_jerk((t - self.t0) / e)
        down = min_jerk((self.t1 - t) / e)
        return np.minimum(up, down)


@dataclass(frozen=True)
class Tremor:
    """Hand-side fluctuations, relative to the intended force.

    Tremor: two sinusoids a fraction of a hertz apart near the physiological 6-12 Hz, so its amplitude
    beats slowly as real tremor does. Wander: three slow sinusoids (0.05-0.5 Hz). Each group's
    amplitudes sum to its stated peak, so the peak is a hard bound, not a typical value.
    """

    tremor_amp: float = 0.0
    tremor_freqs: tuple[float, ...] = ()
    tremor_phases: tuple[float, ...] = ()
    wander_amp: float = 0.0
    wander_freqs: tuple[float, ...] = ()
    wander_phases: tuple[float, ...] = ()

    def relative(self, t: FloatArray) -> FloatArray:
        out = np.zeros_like(t)
        for amp, freqs, phases in ((self.tremor_amp, self.tremor_freqs, self.tremor_phases),
                                   (self.wander_amp, self.wander_freqs, self.wander_phases)):
            if amp <= 0 or not freqs:
                continue
            a = amp / len(freqs)
            for f, p in zip(freqs, phases, strict=True):
                out += a * np.sin(2.0 * math.pi * f * t + p)
        return out

    @property
    def peak(self) -> float:
        return self.tremor_amp + self.wander_amp

    @classmethod
    def draw(cls, rng: np.random.Generator) -> Tremor:
        f0 = float(rng.uniform(6.0, 12.0))
        tremor_freqs = (f0, f0 + float(rng.uniform(0.2, 0.8)))
        wander_freqs = tuple(float(f) for f in np.sort(rng.uniform(0.05, 0.5, size=3)))
        return cls(
            tremor_amp=float(rng.uniform(*TREMOR_AMP_RANGE)),
            tremor_freqs=tremor_freqs,
            tremor_phases=tuple(float(p) for p in rng.uniform(0, 2 * math.pi, size=2)),
            wander_amp=float(rng.uniform(*WANDER_AMP_RANGE)),
            wander_freqs=wander_freqs,
            wander_phases=tuple(float(p) for p in rng.uniform(0, 2 * math.pi, size=3)),
        )


@dataclass(frozen=True)
class Hand:
    """Segments laid end to end from 0 to ``duration``, plus the hand's tremor and wander."""

    segments: tuple[Segment, ...]
    tremor: Tremor = field(default_factory=Tremor)

    def __post_init__(self) -> None:
        for a, b in itertools.pairwise(self.segments):
            if abs(a.t1 - b.t0) > 1e-9:
                raise ValueError(f"segments must be contiguous: {a.kind} ends {a.t1}, {b.kind} starts {b.t0}")

    @property
    def duration(self) -> float:
        return self.segments[-1].t1 if self.segments else 0.0

    def clean(self, t: npt.ArrayLike) -> FloatArray:
        """Intended force (N) at any times, in any order; zero outside the session."""
        ta = np.asarray(t, dtype=np.float64)
        out = np.zeros_like(ta)
        if not self.segments:
            return out
        starts = np.array([s.t0 for s in self.segments])
        idx = np.searchsorted(starts, ta, side="right") - 1
        inside = (idx >= 0) & (ta < self.duration)
        for i, seg in enumerate(self.segments):
            if seg.kind == "idle":
                continue
            m = inside & (idx == i)
            if m.any():
                out[m] = seg.evaluate(ta[m])
        return out

    def force(self, t: npt.ArrayLike) -> FloatArray:
        """What the hand actually applies: intended force with tremor and wander on top."""
        ta = np.asarray(t, dtype=np.float64)
        return self.clean(ta) * (1.0 + self.tremor.relative(ta))


# --------------------------------------------------------------------------------------------------
# Crossing times (for labels)
# --------------------------------------------------------------------------------------------------
def first_crossing(fn: Callable[[FloatArray], FloatArray], t0: float, t1: float, level: float,
                   upward: bool, resolution: float = 1e-6) -> float | None:
    """First time in [t0, t1] at which ``fn`` crosses ``level`` (upward or downward), or None.

    A dense scan finds the bracketing interval, bisection refines it; the profiles are smooth and
    monotonic where it matters, so this is exact to ``resolution``.
    """
    grid = np.linspace(t0, t1, max(int((t1 - t0) / 0.005), 2) + 1)
    v = fn(grid)
    beyond = v > level if upward else v < level
    hits = np.flatnonzero(beyond)
    if hits.size == 0:
        return None
    k = int(hits[0])
    if k == 0:
        return float(grid[0])
    lo, hi = float(grid[k - 1]), float(grid[k])
    while hi - lo > resolution:
        mid = 0.5 * (lo + hi)
        fm = float(fn(np.array([mid]))[0])
        if (fm > level) if upward else (fm < level):
            hi = mid
        else:
            lo = mid
    return hi


# --------------------------------------------------------------------------------------------------
# Random session
# --------------------------------------------------------------------------------------------------
@dataclass
class _Builder:
    """Accumulates segments and labels while a session is drawn."""

    segments: list[Segment] = field(default_factory=list)
    labels: list[dict[str, Any]] = field(default_factory=list)
    t: float = 0.0
    #: Force the part ends at (0, a resting offset, or light contact) and whether that is light contact
    #: left by a let-go (the hand then presses again from it or lifts off).
    end_base: float = 0.0
    light: bool = False

    def add(self, kind: str, duration: float, **kw: float) -> Segment:
        seg = Segment(kind, self.t, self.t + duration, **kw)
        self.segments.append(seg)
        self.t = seg.t1
        return seg


@dataclass(frozen=True)
class SessionSpec:
    """Knobs of :func:`plan_session`; the defaults produce the mixed session of the issues.

    Every behaviour the amended contract added can be switched off on its own by setting its
    probability to 0: ``p_slow_step``, ``p_light_release``, ``p_departure``, ``p_offset``.
    """

    duration_s: float = 120.0
    #: Lowest hold level (N). Callers raise it with the sensor noise so that noise stays a few percent
    #: of the force (a 0.3 N-noise cell is a big cell, used for firm pressure).
    min_level: float = LEVEL_RANGE_N[0]
    max_level: float = LEVEL_RANGE_N[1]
    #: Probabilities of the contact types after the first one (which is always a hold sequence).
    p_touch: float = 0.15
    p_stroke: float = 0.15
    #: Probability that the last hold of a hold sequence (not the first contact's) drifts slowly
    #: (15-25 % at 4-7 %/s; drawn for every hold, acted on for the last). The hold
    #: then ends within a second of the drift: had the force stayed steady at the new level for 3 s,
    #: the contract would call the change a (slow) step.
    p_drift: float = 0.35
    #: Probability that a step between two holds (not in the first contact) is slow: eased over 2.5-6 s
    #: at a drift-like rate and held at least 4 s (a step in relative-band mode), instead of a fast step
    #: (0.4-1.5 s).
    p_slow_step: float = 0.35
    #: Probability that a hold sequence (not the session's first contact) ends by letting go to light
    #: contact: 3-6 N (below 10 % of the level) that stays at least 1.5 s - a release.
    p_light_release: float = 0.25
    #: Probability that a hold sequence (not the first contact) ends in a departure before its release:
    #: a burst of pumping well above the level, or a let-go to fidgeting light contact well below it,
    #: 2.5-5 s long (the hold ends ``left``).
    p_departure: float = 0.15
    #: After a light-contact let-go, the probability that the hand presses again straight from it
    #: (else it lifts off before the next contact).
    p_press_from_rest: float = 0.5
    #: Probability that the session has a resting offset between presses (0.5-4 N: a relaxed hand or
    #: a drifted zero): from the release of its second hold sequence on, the force between contacts
    #: stays there instead of at zero (the hand lifts off before the session ends).
    p_offset: float = 0.3
    #: If set, the first hold sequence is released before this time (s).
    first_release_within: float | None = None
    contact_threshold: float = CONTACT_THRESHOLD_N
    tolerance: float = BAND_TOLERANCE


#: Kept free at the end of a session: a resting hand may lift off twice (light contact → offset → 0),
#: then at least 1 s with nothing on the cell.
END_RESERVE_S = 1.0 + 2 * LIFT_RANGE_S[1]


def _level(rng: np.random.Generator, lo: float, hi: float) -> float:
    # Log-uniform: light and firm pressure are both common; a uniform draw would favour firm.
    return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def _aux_rng(rng: np.random.Generator) -> np.random.Generator:
    """A second stream derived from ``rng``'s state, without advancing it.

    The amended contract's behaviours (slow steps, light contact, departures, offsets) draw from it, so
    that the main stream keeps the draws of the sessions the planner made before them: switching them
    off gives sessions that differ only in what the contract changed (drift), and a seed keeps most
    of its character (its first contact, for one, is unchanged unless it drifts).
    """
    digest = hashlib.sha256(repr(rng.bit_generator.state).encode()).digest()
    return np.random.default_rng([int.from_bytes(digest[k:k + 4], "little") for k in range(0, 16, 4)])


def _direction(rng: np.random.Generator, level: float, frac: float, lo: float,
               hi: float) -> tuple[int, float]:
    """Direction (+1 up, -1 down) and size of a change of ``frac`` that keeps the level in [lo, hi]."""
    up_ok = level * (1 + frac) <= hi
    down_ok = level * (1 - frac) >= lo
    if not (up_ok or down_ok):
        frac = 0.15  # always fits one way: plan_session insists on max/min ≥ 1.5
        up_ok = level * (1 + frac) <= hi
        down_ok = level * (1 - frac) >= lo
    direction = (1 if rng.random() < 0.5 else -1) if (up_ok and down_ok) else (1 if up_ok else -1)
    return direction, frac


def step_label(seg: Segment) -> dict[str, Any]:
    """The label of a change of level between two holds (a ``step`` or a slow ``ease``)."""
    return {"kind": "step", "t": seg.t0, "t_end": seg.t1, "direction": "up" if seg.f1 > seg.f0 else "down",
            "from_level": seg.f0, "to_level": seg.f1, "slow": seg.duration > FAST_STEP_MAX_S,
            "duration": seg.duration}


def release_label(seg: Segment, threshold: float = CONTACT_THRESHOLD_N) -> dict[str, Any]:
    return {"kind": "release", "t": seg.t0, "t_end": seg.t1, "level": seg.f0, "rest": seg.f1,
            "light_contact": seg.f1 >= threshold}


def rest_label(seg: Segment, threshold: float = CONTACT_THRESHOLD_N) -> dict[str, Any]:
    return {"kind": "rest", "start": seg.t0, "end": seg.t1, "level": seg.f0,
            "light_contact": seg.f0 >= threshold}


def departure_label(seg: Segment) -> dict[str, Any]:
    return {"kind": "departure", "t": seg.t0, "t_end": seg.t1,
            "direction": "up" if seg.f1 > seg.f0 else "down", "from_level": seg.f0, "mean": seg.f1,
            "swing": seg.amp}


def _departure(rng: np.random.Generator, level: float, end_floor: float,
               spec: SessionSpec) -> tuple[float, float] | None:
    """Mean and swing of a departure from ``level``, or None if neither kind fits.

    Up: a burst of pumping around 1.7-2× the level whose troughs stay 15 % above it. Down: a let-go to
    fidgeting light contact around 40-55 % of the level, peaks 15 % below it and troughs above 20 % of
    it (not a release) and well above the contact threshold. Either way the force never comes back
    near the level, and its ±30 % swing never lets it settle into a hold. What rests after the release
    (``end_floor``) must stay below 10 % of the lowest force, so that the release is one.
    """
    ratio = float(rng.uniform(1.7, 2.0))
    amp_up = float(rng.uniform(DEPARTURE_SWING_MIN, min(0.42, 1.0 - (1.0 + DEPARTURE_CLEARANCE) / ratio)))
    mean_up = level * ratio
    up_ok = (mean_up * (1 + amp_up) <= 1.5 * spec.max_level
             and end_floor <= REST_MAX_FRACTION * mean_up * (1 - amp_up))
    ratio_d = float(rng.uniform(0.4, 0.55))
    amp_down = float(rng.uniform(DEPARTURE_SWING_MIN, 0.4))
    mean_down = level * ratio_d
    trough = mean_down * (1 - amp_down)
    down_ok = (trough >= end_floor + 2 * spec.contact_threshold
               and end_floor <= REST_MAX_FRACTION * trough)
    up = rng.random() < 0.5
    if up_ok and (up or not down_ok):
        return mean_up, amp_up
    if down_ok:
        return mean_down, amp_down
    return None


def _hold_sequence(rng: np.random.Generator, aux: np.random.Generator, spec: SessionSpec, t_start: float,
                   latest_end: float, start_base: float = 0.0, end_floor: float = 0.0,
                   plain: bool = False) -> _Builder | None:
    """Ramp → hold → 0-2 steps (fast or slow) → [drift] → [departure] → release [→ light rest].

    The ramp starts from ``start_base`` (0, an offset, or light contact left by the last let-go); the
    release ends at ``end_floor`` (0 or the session's resting offset) or, for a light-contact let-go,
    at 3-6 N that then rests at least 1.5 s. A ``plain`` sequence (the session's first contact) has
    steady holds and fast steps only and is released to ``end_floor``: its timing is the same as
    before the contract was amended, for every seed. Returns None if the drawn sequence does not end by
    ``latest_end`` (the caller redraws). What the amended contract added is drawn from ``aux``.
    """
    b = _Builder(t=t_start)
    hi = spec.max_level
    # Whatever rests after the release stays below 10 % of every level (so the release is one), and a
    # press from a resting hand is a real press.
    lo = min(max(spec.min_level, end_floor / REST_MAX_FRACTION, 3.0 * start_base), hi / 1.5)
    level = _level(rng, lo, hi)
    b.add("ramp", float(rng.uniform(0.5, 3.0)), f0=start_base, f1=level)
    n_steps = int(rng.choice([0, 1, 2], p=[0.35, 0.4, 0.25]))
    ending = "release"
    if not plain:
        r = aux.random()
        ending = ("left" if r < spec.p_departure else
                  "light" if r < spec.p_departure + spec.p_light_release else "release")
    departure: tuple[float, float] | None = None
    settled = level
    for k in range(n_steps + 1):
        final = k == n_steps
        hold_start = b.t
        settled = level
        # The move into this hold approaches the level asymptotically; record when it came within the
        # contract's ±8 % hold band, the earliest a detector could call it a hold.
        move = b.segments[-1]
        rising = move.f1 > move.f0
        in_band = first_crossing(move.evaluate, move.t0, move.t1,
                                 level * (1 - HOLD_BAND if rising else 1 + HOLD_BAND), rising)
        if final and ending == "left":
            departure = _departure(aux, level, end_floor, spec)
            if departure is None:
                ending = "release"
        drift_dir = 0
        plain_hold = 0.0
        if rng.random() < spec.p_drift:
            # Drift: ≥ 4 s settled, 3-6 s of slow change, then the hold ends within a second - had the
            # force stayed steady at the new level for 3 s, the change would be a slow step. Only the
            # last hold of a later sequence drifts (a step after a drift could land within ±10 % of
            # the old level: a step by neither hold's terms); elsewhere the same draws, made as before
            # the contract was amended, give a steady hold of the same length.
            mag = float(rng.uniform(0.15, 0.25))
            up_ok = level * (1 + mag) <= hi
            down_ok = level * (1 - mag) >= lo
            if up_ok or down_ok:
                sign = (1 if rng.random() < 0.5 else -1) if (up_ok and down_ok) else (1 if up_ok else -1)
                d_lo = max(3.0, mag / DRIFT_RATE_RANGE[1])
                d_hi = min(6.0, mag / DRIFT_RATE_RANGE[0])
                dur = float(rng.uniform(d_lo, d_hi))
                corner = float(rng.uniform(0.1, 0.25)) * dur
                before = float(rng.uniform(3.0, 8.0))
                if plain or not final or ending == "left":
                    plain_hold = before + dur + float(rng.uniform(2.0, 10.0))
                else:
                    drift_dir = sign
                    b.add("hold", max(before, SLOW_STEP_SETTLED_MIN_S), f0=level)
                    new_level = level * (1 + drift_dir * mag)
                    drift = b.add("drift", dur, f0=level, f1=new_level, edge=corner)
                    # The alert band is relative to the settled level; the clean profile crosses it once.
                    edge_level = level * (1 + drift_dir * spec.tolerance)
                    t_exit = first_crossing(drift.evaluate, drift.t0, drift.t1, edge_level, drift_dir > 0)
                    assert t_exit is not None  # |mag| > tolerance, so the crossing exists
                    b.labels.append({"kind": "band_exit", "t": t_exit,
                                     "direction": "high" if drift_dir > 0 else "low", "level": level,
                                     "during": "drift", "optional": False})
                    level = new_level
                    # At least 1.5 s outside the band before the hold ends (a detector's alert has time).
                    flat = max(float(rng.uniform(0.3, DRIFT_SETTLED_MAX_S)), 1.5 - (drift.t1 - t_exit))
                    b.add("hold", min(flat, DRIFT_SETTLED_MAX_S), f0=level)
        if plain_hold:
            b.add("hold", plain_hold, f0=level)
        elif drift_dir == 0:
            b.add("hold", float(rng.uniform(4.0, 30.0) if k == 0 else rng.uniform(4.0, 20.0)), f0=level)
        hold = {"kind": "hold", "start": hold_start, "end": b.t, "level": settled,
                "ended_by": "step" if not final else "left" if ending == "left" else "release",
                "level_end": level,
                "drift": "up" if drift_dir > 0 else "down" if drift_dir < 0 else None,
                "move_start": move.t0, "in_band": in_band}
        b.labels.append(hold)
        if final:
            break
        # Fast step ±15-50 % of the current level, within the level range; mean rate ≥ 15 %/s.
        frac = float(rng.uniform(0.15, 0.5))
        direction, frac = _direction(rng, level, frac, lo, hi)
        dur = float(rng.uniform(0.4, min(1.5, frac / STEP_MIN_RATE)))
        if not plain and aux.random() < spec.p_slow_step:
            # Slow step instead: eased onto the new level over 2.5-6 s at a drift-like rate (a
            # deliberate move onto a new barrier), then held ≥ 4 s. It crosses the old band before it
            # can be told from drift: that band exit is labelled, as one the contract allows (a
            # band_enter follows once the band follows the new level) but does not require.
            frac = float(aux.uniform(0.15, 0.35))
            direction, frac = _direction(aux, level, frac, lo, hi)
            dur = float(aux.uniform(max(SLOW_STEP_DURATION_RANGE[0], frac / SLOW_STEP_RATE),
                                    SLOW_STEP_DURATION_RANGE[1]))
            corner = float(aux.uniform(*SLOW_STEP_CORNER_RANGE)) * dur
            ease = b.add("ease", dur, f0=level, f1=level * (1 + direction * frac), edge=corner)
            b.labels.append(step_label(ease))
            t_exit = first_crossing(ease.evaluate, ease.t0, ease.t1, level * (1 + direction * spec.tolerance),
                                    direction > 0)
            assert t_exit is not None  # frac ≥ 0.15 > tolerance
            b.labels.append({"kind": "band_exit", "t": t_exit,
                             "direction": "high" if direction > 0 else "low", "level": level,
                             "during": "step", "optional": True})
            level = ease.f1
        else:
            step = b.add("step", dur, f0=level, f1=level * (1 + direction * frac))
            b.labels.append(step_label(step))
            level = step.f1
    if ending == "left":
        assert departure is not None
        mean, amp = departure
        freq = float(aux.uniform(*DEPARTURE_FREQ_RANGE))
        edge = min(float(aux.uniform(0.25, 0.4)), 0.5 / freq)
        dep = b.add("depart", float(aux.uniform(*DEPARTURE_DURATION_RANGE)), f0=level, f1=mean, amp=amp,
                    freq=freq, phase=0.0 if mean > level else math.pi, edge=edge)
        b.labels.append(departure_label(dep))
        level = mean
    rest_to = end_floor
    if ending == "light":
        # Light contact that stays well below 15 % of the hold's level (and above the resting offset).
        r_hi = min(LIGHT_REST_RANGE_N[1], REST_MAX_FRACTION * min(settled, level))
        r_lo = max(LIGHT_REST_RANGE_N[0], end_floor + 1.0)
        if r_hi >= r_lo:
            rest_to = float(aux.uniform(r_lo, r_hi))
        else:
            ending = "release"
    rel = b.add("release", float(rng.uniform(0.15, 1.0)), f0=level, f1=rest_to)
    b.labels.append(release_label(rel, spec.contact_threshold))
    b.end_base = rest_to
    if ending == "light":
        rest = b.add("rest", float(aux.uniform(LIGHT_REST_MIN_S, 6.0)), f0=rest_to)
        b.labels.append(rest_label(rest, spec.contact_threshold))
        b.light = True
    return b if b.t <= latest_end else None


def _touch(rng: np.random.Generator, t_start: float, base: float = 0.0) -> _Builder:
    """A brief touch: under 1 s of contact, peaking 3-40 N above the resting level ``base``."""
    b = _Builder(t=t_start, end_base=base)
    dur = float(rng.uniform(0.2, 0.9))
    peak = base + float(rng.uniform(3.0, 40.0))
    b.add("touch", dur, f0=peak, edge=dur * float(rng.uniform(0.3, 0.5)), base=base)
    b.labels.append({"kind": "touch", "start": t_start, "end": b.t, "peak": peak, "rest": base})
    return b


def _stroke(rng: np.random.Generator, t_start: float, spec: SessionSpec, base: float = 0.0) -> _Builder:
    """A gliding stroke: 2-6 s of contact swinging ±30-50 % around a mean at 0.5-2 Hz.

    The mean keeps the trough (mean·(1−amp)) at least twice the contact threshold above the resting
    level ``base``, so the stroke is one contact and not a string of touches.
    """
    b = _Builder(t=t_start, end_base=base)
    dur = float(rng.uniform(2.0, 6.0))
    amp = float(rng.uniform(0.3, 0.5))
    low = max(8.0, spec.min_level, (base + 2 * spec.contact_threshold) / (1 - amp))
    mean = float(rng.uniform(low, max(40.0, spec.min_level * 2, low)))
    b.add("stroke", dur, f0=mean, amp=amp, freq=float(rng.uniform(0.5, 2.0)),
          phase=float(rng.uniform(0, 2 * math.pi)), edge=float(rng.uniform(0.3, 0.6)), base=base)
    b.labels.append({"kind": "stroke", "start": t_start, "end": b.t, "mean": mean, "swing": amp,
                     "rest": base})
    return b


def _label_time(label: dict[str, Any]) -> float:
    return float(label.get("t", label.get("start", 0.0)))


def plan_session(rng: np.random.Generator,
                 spec: SessionSpec | None = None) -> tuple[Hand, list[dict[str, Any]]]:
    """Draw a random therapy session: contacts separated by 1-5 s gaps, exactly ``duration_s`` long.

    The first contact is always a plain hold sequence (steady holds, fast steps) released to zero;
    later ones are hold sequences, touches or strokes. Between
    contacts the cell is empty, or carries the session's resting offset once it has appeared, or light
    contact after a let-go (from which the hand presses again or lifts off). The session ends empty.
    """
    spec = spec or SessionSpec()
    if spec.min_level * 1.5 > spec.max_level:
        # With max/min ≥ 1.5 a 15 % step fits one way or the other from any level in the range.
        raise ValueError(f"min_level {spec.min_level} N leaves no room for steps below {spec.max_level} N")
    segments: list[Segment] = []
    labels: list[dict[str, Any]] = []
    t = 0.0
    base = 0.0  # force between contacts now
    floor = 0.0  # the session's resting level between presses: 0 until its offset appears
    offset = 0.0
    aux = _aux_rng(rng)  # the amended contract's behaviours: see _aux_rng
    # Levels must leave room for the offset below 10 % of them (and for steps above that).
    o_hi = min(OFFSET_RANGE_N[1], REST_MAX_FRACTION * spec.max_level / 1.5)
    if aux.random() < spec.p_offset and o_hi >= OFFSET_RANGE_N[0]:
        offset = float(aux.uniform(OFFSET_RANGE_N[0], o_hi))

    def add(seg: Segment) -> Segment:
        nonlocal t
        segments.append(seg)
        t = seg.t1
        return seg

    def gap(d: float) -> None:
        if d <= 0:
            return
        if base > 0:
            labels.append(rest_label(add(Segment("rest", t, t + d, f0=base)), spec.contact_threshold))
        else:
            add(Segment("idle", t, t + d))

    def lift(to: float) -> None:
        nonlocal base
        add(Segment("lift", t, t + float(aux.uniform(*LIFT_RANGE_S)), f0=base, f1=to))
        base = to

    gap(float(rng.uniform(1.0, 3.0)))
    first = True
    latest = spec.duration_s - END_RESERVE_S
    while True:
        remaining = latest - t
        if remaining < 1.0:
            break
        kind = "hold"
        if not first and base <= floor:  # from light contact the hand only presses again
            r = rng.random()
            kind = "touch" if r < spec.p_touch else "stroke" if r < spec.p_touch + spec.p_stroke else "hold"
        part: _Builder | None = None
        if kind == "hold":
            hold_latest = latest
            if first and spec.first_release_within is not None:
                hold_latest = min(hold_latest, spec.first_release_within)
            for _ in range(30):  # redraw until it fits; long sessions rarely need more than one try
                part = _hold_sequence(rng, aux, spec, t, hold_latest, start_base=base,
                                      end_floor=0.0 if first else offset, plain=first)
                if part is not None:
                    break
            if part is None:
                if base > floor:
                    break
                kind = "stroke" if remaining >= 6.0 else "touch"
        if kind == "stroke":
            part = _stroke(rng, t, spec, base)
            if part.t > latest:
                kind, part = "touch", None
        if kind == "touch":
            part = _touch(rng, t, base)
        assert part is not None
        if part.t > latest:
            break
        contact_seg = part.segments[0]
        t_contact = first_crossing(contact_seg.evaluate, contact_seg.t0, contact_seg.t1,
                                   base + spec.contact_threshold, True)
        if t_contact is not None:
            labels.append({"kind": "contact", "t": t_contact, "start": contact_seg.t0, "of": kind,
                           "rest": base})
        segments.extend(part.segments)
        labels.extend(part.labels)
        t = part.t
        base = part.end_base
        if kind == "hold" and not first:
            floor = offset
        first = False
        if part.light:  # light contact has rested ≥ 1.5 s: press again from it, or lift off first
            if aux.random() < spec.p_press_from_rest:
                continue
            lift(floor)
        reserve = 1.0 + (LIFT_RANGE_S[1] if base > 0 else 0.0)
        d = float(rng.uniform(1.0, 5.0))
        if base >= spec.contact_threshold:  # light contact: it stays ≥ 1.5 s (the contract: 1 s)
            d = max(d, LIGHT_REST_MIN_S)
        gap(float(min(d, max(spec.duration_s - reserve - t, 0.0))))
    if base > 0:
        lift(0.0)
    if t < spec.duration_s:
        gap(spec.duration_s - t)
    labels.sort(key=_label_time)
    return Hand(tuple(segments), Tremor.draw(rng)), labels


def holding_time(labels: list[dict[str, Any]]) -> float:
    """Total true holding time (s): the sum of the hold labels' durations."""
    return float(sum(lab["end"] - lab["start"] for lab in labels if lab["kind"] == "hold"))
