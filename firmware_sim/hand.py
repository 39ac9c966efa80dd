"""A therapist's hand on a load cell: the force it *means* to apply, plus ground-truth labels.

The hand is a list of :class:`Segment` objects laid end to end in time (idle, ramp, hold, drift,
step, release, touch, stroke). :meth:`Hand.clean` turns them into the intended force, a continuous
function of time; :meth:`Hand.force` adds what a real hand adds on top (physiological tremor and slow
wander, both proportional to the force, so an idle hand is exactly zero). What the *sensor* adds
(sampling, noise, offset, spikes) lives in :mod:`firmware_sim.sensor`.

:func:`plan_session` draws a random session from a numpy ``Generator`` and returns the hand together
with labels in the terms of the project's public contract:

* ``{"kind": "contact", "t", "start", "of"}`` - clean force crosses the contact threshold upwards;
* ``{"kind": "hold", "start", "end", "level", "ended_by", "level_end", "drift", "move_start",
  "in_band"}`` - from the end of the ramp/step to the onset of the step/release; ``level`` is the
  settled level the band refers to, ``level_end`` the level after a drift (``drift``: up/down/None);
  ``move_start`` is the onset of the ramp/step into the hold and ``in_band`` the moment its clean
  force came within ±8 % of ``level`` (informational: minimum-jerk moves end asymptotically);
* ``{"kind": "step", "t", "t_end", "direction", "from_level", "to_level"}`` - onset and completion;
* ``{"kind": "release", "t", "t_end", "level"}`` - onset of the drop and the moment force is zero;
* ``{"kind": "band_exit", "t", "direction", "level"}`` - the clean force first leaves
  ``level * (1 ± tolerance)`` (drifts only: nothing else leaves the band by itself);
* ``{"kind": "touch" | "stroke", "start", "end"}`` (+ ``peak`` or ``mean``/``swing``) - contacts
  that must never become holds.

Labels are sorted by their time (``t`` or ``start``) and are plain JSON-able dicts.
"""

from __future__ import annotations

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
#: Segment kinds. "ramp", "step" and "release" are all minimum-jerk moves from f0 to f1.
SEGMENT_KINDS = ("idle", "ramp", "hold", "drift", "step", "release", "touch", "stroke")


@dataclass(frozen=True)
class Segment:
    """One piece of intended force over [t0, t1).

    ``f0``/``f1`` are the force at the start and end (moves, holds, drifts). Touches use ``f0`` as
    their peak and ``edge`` as the rise (= fall) time; strokes use ``f0`` as mean force, ``amp`` as
    the relative swing, ``freq``/``phase`` for the oscillation and ``edge`` for their fade in and out.
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

    @property
    def duration(self) -> float:
        return self.t1 - self.t0

    def evaluate(self, t: FloatArray) -> FloatArray:
        """Intended force at times ``t`` (all assumed inside this segment)."""
        d = max(self.duration, 1e-12)
        tau = (t - self.t0) / d
        if self.kind == "idle":
            return np.zeros_like(t)
        if self.kind == "hold":
            return np.full_like(t, self.f0)
        if self.kind in ("ramp", "step", "release"):
            return self.f0 + (self.f1 - self.f0) * min_jerk(tau)
        if self.kind == "drift":
            return self.f0 + (self.f1 - self.f0) * smooth_linear(tau, self.edge / d)
        if self.kind == "touch":
            return self.f0 * self._envelope(t)
        if self.kind == "stroke":
            swing = 1.0 + self.amp * np.sin(2.0 * math.pi * self.freq * (t - self.t0) + self.phase)
            return self.f0 * swing * self._envelope(t)
        raise ValueError(f"unknown segment kind {self.kind!r}")

    def _envelope(self, t: FloatArray) -> FloatArray:
        """0 → 1 → 0 with minimum-jerk edges of length ``edge`` (touches and strokes)."""
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

    def add(self, kind: str, duration: float, **kw: float) -> Segment:
        seg = Segment(kind, self.t, self.t + duration, **kw)
        self.segments.append(seg)
        self.t = seg.t1
        return seg


@dataclass(frozen=True)
class SessionSpec:
    """Knobs of :func:`plan_session`; the defaults produce the mixed session of the issue."""

    duration_s: float = 120.0
    #: Lowest hold level (N). Callers raise it with the sensor noise so that noise stays a few percent
    #: of the force (a 0.3 N-noise cell is a big cell, used for firm pressure).
    min_level: float = LEVEL_RANGE_N[0]
    max_level: float = LEVEL_RANGE_N[1]
    #: Probabilities of the contact types after the first one (which is always a hold sequence).
    p_touch: float = 0.15
    p_stroke: float = 0.15
    #: Probability that a hold contains a slow drift.
    p_drift: float = 0.35
    #: If set, the first hold sequence is released before this time (s).
    first_release_within: float | None = None
    contact_threshold: float = CONTACT_THRESHOLD_N
    tolerance: float = BAND_TOLERANCE


def _level(rng: np.random.Generator, lo: float, hi: float) -> float:
    # Log-uniform: light and firm pressure are both common; a uniform draw would favour firm.
    return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def _hold_sequence(rng: np.random.Generator, spec: SessionSpec, t_start: float,
                   latest_end: float) -> _Builder | None:
    """Ramp → hold (maybe drifting) → 0-2 steps → release, starting at ``t_start``.

    Returns None if the drawn sequence does not end by ``latest_end`` (the caller redraws).
    """
    b = _Builder(t=t_start)
    lo, hi = spec.min_level, spec.max_level
    level = _level(rng, lo, hi)
    b.add("ramp", float(rng.uniform(0.5, 3.0)), f0=0.0, f1=level)
    n_steps = int(rng.choice([0, 1, 2], p=[0.35, 0.4, 0.25]))
    for k in range(n_steps + 1):
        hold_start = b.t
        settled = level
        # The move into this hold approaches the level asymptotically (minimum jerk); record when it
        # came within the contract's ±8 % hold band, the earliest a detector could call it a hold.
        move = b.segments[-1]
        rising = move.f1 > move.f0
        in_band = first_crossing(move.evaluate, move.t0, move.t1,
                                 level * (1 - HOLD_BAND if rising else 1 + HOLD_BAND), rising)
        drift_dir = 0
        if rng.random() < spec.p_drift:
            # Drift: ≥ 3 s settled, 3-6 s of slow change, ≥ 2 s at the new level; the hold goes on.
            mag = float(rng.uniform(0.15, 0.25))
            up_ok = level * (1 + mag) <= hi
            down_ok = level * (1 - mag) >= lo
            if up_ok or down_ok:
                drift_dir = (1 if rng.random() < 0.5 else -1) if (up_ok and down_ok) else (1 if up_ok else -1)
                d_lo = max(3.0, mag / DRIFT_RATE_RANGE[1])
                d_hi = min(6.0, mag / DRIFT_RATE_RANGE[0])
                dur = float(rng.uniform(d_lo, d_hi))
                corner = float(rng.uniform(0.1, 0.25)) * dur
                b.add("hold", float(rng.uniform(3.0, 8.0)), f0=level)
                new_level = level * (1 + drift_dir * mag)
                drift = b.add("drift", dur, f0=level, f1=new_level, edge=corner)
                # The alert band is relative to the settled level; the clean profile crosses it once.
                edge_level = level * (1 + drift_dir * spec.tolerance)
                t_exit = first_crossing(drift.evaluate, drift.t0, drift.t1, edge_level, drift_dir > 0)
                assert t_exit is not None  # |mag| > tolerance, so the crossing exists
                b.labels.append({"kind": "band_exit", "t": t_exit,
                                 "direction": "high" if drift_dir > 0 else "low", "level": level})
                level = new_level
                b.add("hold", float(rng.uniform(2.0, 10.0)), f0=level)
        if drift_dir == 0:
            b.add("hold", float(rng.uniform(4.0, 30.0) if k == 0 else rng.uniform(4.0, 20.0)), f0=level)
        hold = {"kind": "hold", "start": hold_start, "end": b.t, "level": settled,
                "ended_by": "step" if k < n_steps else "release", "level_end": level,
                "drift": "up" if drift_dir > 0 else "down" if drift_dir < 0 else None,
                "move_start": move.t0, "in_band": in_band}
        b.labels.append(hold)
        if k < n_steps:
            # Step ±15-50 % of the current level, within the level range; mean rate ≥ 15 %/s.
            frac = float(rng.uniform(0.15, 0.5))
            up_ok = level * (1 + frac) <= hi
            down_ok = level * (1 - frac) >= lo
            if not (up_ok or down_ok):
                frac = 0.15  # always fits one way: plan_session insists on max/min ≥ 1.5
                up_ok = level * (1 + frac) <= hi
                down_ok = level * (1 - frac) >= lo
            direction = (1 if rng.random() < 0.5 else -1) if (up_ok and down_ok) else (1 if up_ok else -1)
            new_level = level * (1 + direction * frac)
            dur = float(rng.uniform(0.4, min(1.5, frac / STEP_MIN_RATE)))
            step = b.add("step", dur, f0=level, f1=new_level)
            b.labels.append({"kind": "step", "t": step.t0, "t_end": step.t1,
                             "direction": "up" if direction > 0 else "down",
                             "from_level": level, "to_level": new_level})
            level = new_level
    rel = b.add("release", float(rng.uniform(0.15, 1.0)), f0=level, f1=0.0)
    b.labels.append({"kind": "release", "t": rel.t0, "t_end": rel.t1, "level": level})
    return b if b.t <= latest_end else None


def _touch(rng: np.random.Generator, t_start: float) -> _Builder:
    """A brief touch: under 1 s of contact, any level 3-40 N."""
    b = _Builder(t=t_start)
    dur = float(rng.uniform(0.2, 0.9))
    peak = float(rng.uniform(3.0, 40.0))
    b.add("touch", dur, f0=peak, edge=dur * float(rng.uniform(0.3, 0.5)))
    b.labels.append({"kind": "touch", "start": t_start, "end": b.t, "peak": peak})
    return b


def _stroke(rng: np.random.Generator, t_start: float, spec: SessionSpec) -> _Builder:
    """A gliding stroke: 2-6 s of contact swinging ±30-50 % around a mean at 0.5-2 Hz.

    The mean keeps the trough (mean·(1−amp)) above 3 N, so the stroke is one contact and not a
    string of touches.
    """
    b = _Builder(t=t_start)
    dur = float(rng.uniform(2.0, 6.0))
    amp = float(rng.uniform(0.3, 0.5))
    mean = float(rng.uniform(max(8.0, spec.min_level), max(40.0, spec.min_level * 2)))
    b.add("stroke", dur, f0=mean, amp=amp, freq=float(rng.uniform(0.5, 2.0)),
          phase=float(rng.uniform(0, 2 * math.pi)), edge=float(rng.uniform(0.3, 0.6)))
    b.labels.append({"kind": "stroke", "start": t_start, "end": b.t, "mean": mean, "swing": amp})
    return b


def _label_time(label: dict[str, Any]) -> float:
    return float(label.get("t", label.get("start", 0.0)))


def plan_session(rng: np.random.Generator,
                 spec: SessionSpec | None = None) -> tuple[Hand, list[dict[str, Any]]]:
    """Draw a random therapy session: contacts separated by 1-5 s idle, exactly ``duration_s`` long.

    The first contact is always a hold sequence; later ones are hold sequences, touches or strokes.
    """
    spec = spec or SessionSpec()
    if spec.min_level * 1.5 > spec.max_level:
        # With max/min ≥ 1.5 a 15 % step fits one way or the other from any level in the range.
        raise ValueError(f"min_level {spec.min_level} N leaves no room for steps below {spec.max_level} N")
    segments: list[Segment] = []
    labels: list[dict[str, Any]] = []
    t = 0.0

    def idle(d: float) -> None:
        nonlocal t
        if d > 0:
            segments.append(Segment("idle", t, t + d))
            t += d

    idle(float(rng.uniform(1.0, 3.0)))
    first = True
    while True:
        remaining = spec.duration_s - 1.0 - t  # keep at least 1 s of idle at the end
        if remaining < 1.0:
            break
        kind = "hold"
        if not first:
            r = rng.random()
            kind = "touch" if r < spec.p_touch else "stroke" if r < spec.p_touch + spec.p_stroke else "hold"
        part: _Builder | None = None
        if kind == "hold":
            latest = spec.duration_s - 1.0
            if first and spec.first_release_within is not None:
                latest = min(latest, spec.first_release_within)
            for _ in range(30):  # redraw until it fits; long sessions rarely need more than one try
                part = _hold_sequence(rng, spec, t, latest)
                if part is not None:
                    break
            if part is None:
                kind = "stroke" if remaining >= 6.0 else "touch"
        if kind == "stroke":
            part = _stroke(rng, t, spec)
            if part.t > spec.duration_s - 1.0:
                kind, part = "touch", None
        if kind == "touch":
            part = _touch(rng, t)
        assert part is not None
        if part.t > spec.duration_s - 1.0:
            break
        contact_seg = part.segments[0]
        t_contact = first_crossing(contact_seg.evaluate, contact_seg.t0, contact_seg.t1,
                                   spec.contact_threshold, True)
        if t_contact is not None:
            labels.append({"kind": "contact", "t": t_contact, "start": contact_seg.t0, "of": kind})
        segments.extend(part.segments)
        labels.extend(part.labels)
        t = part.t
        first = False
        idle(float(min(rng.uniform(1.0, 5.0), max(spec.duration_s - t, 0.0))))
    if t < spec.duration_s:
        idle(spec.duration_s - t)
    labels.sort(key=_label_time)
    return Hand(tuple(segments), Tremor.draw(rng)), labels


def holding_time(labels: list[dict[str, Any]]) -> float:
    """Total true holding time (s): the sum of the hold labels' durations."""
    return float(sum(lab["end"] - lab["start"] for lab in labels if lab["kind"] == "hold"))
