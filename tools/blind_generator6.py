#!/usr/bin/env python3
"""Blind generator 6: labelled therapy-pressure sessions for the hold detector, from the public contract only.

Usage::

    python blind_generator6.py OUT --seed S [--sessions N]     # OUT/bg6_sS_NNN.csv + .labels.json
    python blind_generator6.py OUT --seed S --check            # regenerate, compare, re-read the labels

Exit status: 0 good; 1 a failure (each named on stderr: a file missing, differing from its regeneration, or
labels the second reader disagrees with); 2 one sentence on stderr for a bad argument or an OUT that cannot
be written or read. ``--check`` without ``--sessions`` checks the sessions of seed S found in OUT.

Every session (40-200 s) is a sequence of contacts built from the models below, recorded by one simulated
sensor, and labelled from its *label signal*: the noise-free reading the file would show, i.e. the applied
force passed through the sensor's deterministic response (a gauge's running average, a cell's thermal zero
drift), without tremor, vibration, motor noise, sensor noise, quantisation or EMI spikes (the contract's
"tremor and sensor noise aside"). Labels are written by a plan-aware labeller and must agree with a second,
independently written reader of the Definitions (``read_definitions``) that knows nothing of the plan;
``--check`` runs that reader again on every labels file. Sessions where an event lies too near a threshold
of the Definitions are rejected and redrawn (``numpy.random.default_rng([seed, session, attempt])``).
Labels: the realdata format (``unit``, ``time_column``, ``force_column``, ``holds`` [start, end, level],
``steps`` [t, up|down], ``releases``, ``notes``) plus ``band_exits`` and ``band_exits_optional`` [t,
high|low], ``holds_ended_by``, ``models`` and ``generator``; times in the file's own time base (seconds).

Models (the ``models`` field of a labels file names those a session contains)
-----------------------------------------------------------------------------
Sensors and transport (one per session, ``SENSORS``):

* ``send_on_delta`` - an event-based smart sensor (send-on-delta reporting, Miskowicz 2006, *Sensors*
  6:49-63): an internal 100-Hz ADC, a row only when the value moved by 0.15-0.5 N or more from the last
  row sent (capped at 2.5 % of the session's lowest level, so that no report step looks like a step), or as
  a 1-s heartbeat: steady holds are a row a second, moves and tremor are dense. Device time since
  power-on, ms, N.
* ``avg_gauge`` - a digital force gauge streaming its display value at 10 or 20 Hz in kgf (0.01 kg): a
  causal running average over 0.5-0.8 s (a gauge's display filter). A boxcar starts moving at once, so
  onsets are kept; arrivals are stretched and brief lifts swallowed (bilateral sessions on a gauge have
  none), and its fast steps change by 30 % or more (smaller ones would leave the old level too slowly to
  have one onset). Labels are read on the averaged label signal: that is all any detector can see.
* ``lsl_stream`` - a Lab Streaming Layer export: irregular 90-110 Hz (instantaneous intervals 9.1-11 ms
  wandering with the host's scheduling), timestamps in seconds since boot (``local_clock()``), 1e3-2e5 s.
* ``ads1115`` - a 16-bit ADC (ADS1115 at 250 or 475 SPS; its internal oscillator is off by up to 5 % here,
  the datasheet allows 10 %) behind a load-cell amplifier: raw counts and grams (full scale 10/20/50 kgf,
  a 1-2 LSB noise); single-sample EMI spikes (a relay or motor nearby) of 5-40 % of full scale, every
  8-25 s on average and at least one per session, kept 0.3 s away from labelled moments. Time = the MCU's
  micros()/1e6 at data-ready.
* ``thermal_cell`` - a 24-bit bridge ADC (NAU7802-like, 80 SPS, +-3 % clock) switched on 1-10 s before the
  session, whose zero drifts as the board warms: 0.5-0.9 N (a 0.1 N/degC zero coefficient over 5-9 degC),
  time constant 40-90 s, plus an ambient slope of up to 1 mN/s the same way; lbf, with the board's
  temperature logged. The drift is part of the recorded force, so it is in the label signal; these sessions
  end at rest so that the drift shows between the first and last rest.

Hands (``hand`` of the spec: attentive, elderly, actuator):

* ``attention_pulses`` (attentive therapist) - the hand stiffens and relaxes with attention: pulses of
  +3..6 % of the hold's level every 2-5 s, a 0.15-0.4 s raised-cosine rise and a 0.3-0.7 s exponential
  relaxation (the time course of a brief co-contraction); from 3 s into a hold to 3.5 s before its end,
  not during vibration, lifts or leans. A session with fewer than three pulses keeps none.
* ``slow_tremor`` (elderly or tired therapist) - 4-6 Hz tremor of 1.5-3.5 % of the force, amplitude and
  frequency (+-0.3 Hz) wandering (essential tremor slows with age, Elble 2000, *Neurology* 55:1547; the
  earlier generators' hands shook at 8-12 Hz), and slower moves (arrivals 0.8-1.5 s, releases 0.35-0.9 s).
* ``motor_noise`` (any human hand) - signal-dependent noise (Harris & Wolpert 1998, *Nature* 394:780):
  force x CV 0.2-0.5 %, low-passed at 1-2.5 Hz.
* ``trapezoid_moves`` (any human hand) - arrivals (0.35-0.9 s), steps (0.3-0.9 s) and releases (0.2-0.55 s)
  with a trapezoidal velocity profile (cosine-blended corners of 25-50 % of the move): deliberate pressing
  at a constant speed, not a bell-shaped reach; no overshoot.
* ``pid_ringing`` (hand ``actuator``, protocol ``robotic_indentation``) - a position-controlled indenter on
  compliant tissue: a commanded ramp of 0.025 s to 0.3 ringing periods through an under-damped closed loop
  (3-8 Hz, damping 0.25-0.5, 16-44 % overshoot), then dead steady (no tremor, no motor noise); 6-45 N.

Techniques and events (``protocol`` of the spec names the technique):

* ``creep_relaxation`` (protocol ``sustained_creep``) - one very long hold (60-120 s) whose force relaxes
  by 3.5-6 % with a 15-30 s time constant (quasi-linear viscoelastic stress relaxation of soft tissue,
  Fung 1993, partly compensated by the therapist, so the hold stays inside its +-8 %).
* ``positional_ease`` (protocol ``positional_release``) - the patient's limb is moved passively during a
  15-35 s hold: the force eases 3.5-6.5 % down (one time in five up) over 2-4 s, dwells 1-3 s and comes
  back over 2-4 s; inside the band by design (see *Choices*): a hold that must not be split and raises no
  band alert.
* ``pumping`` (protocol ``pumping``) - rhythmic compression between holds: 5-12 compressions at 0.35-0.8 Hz
  (+-8 % per cycle), a sharp top (negative skew), trough 0-15 % of the 15-60 N peak, from rest to rest:
  contacts, never holds (never 1 s within +-8 %).
* ``slow_step`` (protocol ``barrier_easing``) - easing onto a new barrier: a constant-speed ease to
  +75..130 % (gauge: +110..170 %) or a back-off to 32-45 %, at 16 % (gauge 35 %) of the old level per
  second or 12.5 % of the new one, whichever is faster, so that it takes 2.6-7 s and yet has one onset and
  one arrival; then steady. A step in relative-band mode; its crossing of the old band is listed in
  ``band_exits_optional`` (the contract allows that exit).
* ``fast_step`` - a change of level of 14 % or more (hand moves, weight shifts in bilateral work, the
  actuator's commands), reaching the new hold within 1.6 s.
* ``partial_lift`` (protocol ``bilateral``) - the sensed hand lifts partly while the other takes the load:
  -20..-45 % in 0.06-0.14 s, 0.2-0.35 s there, back in 0.1-0.22 s: a band exit (low); the hold goes on.
* ``lean_in`` (protocol ``bilateral``) - the therapist leans onto the sensed hand for a moment: +16..30 %,
  same timing: a band exit (high); the hold goes on.
* ``vibration_assist`` (protocol ``vibration_assist``) - a percussive/vibration device on the hand during
  50-90 % of a hold: 20-50 Hz (massage guns run at about 20-53 Hz), 2-4.5 % of the force, with a 25 %
  second harmonic (percussion is no sine); capped at 0.4 x the sensor's internal rate.
* ``light_contact_release`` - a release that leaves a relaxed hand resting on the device at 3 N to 9 % of
  the hold's level for 2-4 s (the contract's fall below 15 % that stays there for 1 s), then lifting or
  pressing again; every bilateral session's first contact ends so.
* ``end_in_hold`` - the recording stops during a hold (``end_of_data``); one session in five.

Choices where the contract leaves room (sessions where the choice would matter are rejected)
---------------------------------------------------------------------------------------------
* Hold start = first moment the label signal is within +-8 % of the hold's level for good; the arrival's
  completion (within +-1.5 % for 1 s) must follow within 0.7 s, so both readings lie within the scorer's
  1 s. Level = the settled level = median of the label signal over the first 1.5 s of the hold (the
  realdata README's "plateau median" where a hold is flat); the hold's mean over its span and the recorded
  samples' median must lie within 5 % and 6 % of it.
* Hold end = onset of the step or release (the moment the force starts to move); the force must leave
  +-8 % of the level within 0.7 s of it. A session ending in a hold ends it at the last row (``end_of_data``).
* "Steady at the new level" (slow steps) is read strictly (within +-4 % of it for 3 s). A slow excursion
  beyond +-10 % and back would be a step under a lenient (+-8 %) reading and a drift under a strict one, so
  none is generated: in-hold slow deviations stay within +-7 % of the level (+-9.5 % with tremor and
  vibration amplitudes added) and band exits come only from brief lifts and leans.
* Step size is at least 14 % of the old level; a step down never goes below 30 % of it (far from 15 %).
  Fast changes reach the new hold within 1.6 s, slow ones in 2.6-7 s, and every hold after a step lasts at
  least 4.5 s, so the 2 s / 3 s / 8 s rules cannot disagree. Band exits during slow steps are optional
  labels; during fast steps and releases there are none (the contract: steps and releases raise none).
* "Comes back within 1 s", counted from the departure's onset: lifts and leans are back inside +-8 % within
  0.75 s, outside the +-10 % band for 0.3 s or more (debounce 0.15 s) and at least 14 % away at the peak.
* Release: the force falls below 10 % of the level within 1.2 s and stays there for 1.8 s or more. A
  resting hand stays 0.8 N or more above the 2 N contact threshold, so whether it is "light contact" is
  never in doubt; it is neither contact (the contract: above the resting level) nor a hold.
* Pumping, arrivals, releases and rests never stay within +-8 % for 1.0 s (holds need 1.5 s).
* Band exits are timed where the label signal leaves level x (1 +- 0.10), only after confirmation (hold
  start + 1.5 s) and at least 2.5 s apart. No clock wraps or resets (the contract allows none), no
  silences longer than 1 s (the contract bridges 3 s anyway).

The labeller and the second reader agree within 0.3 s (hold starts), 0.15 s (ends, steps, releases),
0.1 s (band exits), 1 % (levels), or the attempt is rejected; ``--check`` applies the same tolerances to
the labels files on disk.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.ndimage import maximum_filter1d, minimum_filter1d
from scipy.signal import butter, lfilter

__all__ = ["MODELS", "PROTOCOLS", "SENSORS", "Session", "SessionSpec", "build", "main", "read_definitions",
           "session_spec", "verify_labels"]

DT = 0.005                      # s, the label signal's grid (200 Hz)
KGF = 9.80665
LBF = 4.4482216152605
UNIT_N = {"N": 1.0, "kg": KGF, "g": KGF / 1000.0, "lbf": LBF}
PREFIX = "bg6"
MAX_ATTEMPTS = 400

SENSORS = ("send_on_delta", "avg_gauge", "lsl_stream", "ads1115", "thermal_cell")
PROTOCOLS = ("robotic_indentation", "sustained_creep", "positional_release", "pumping", "barrier_easing",
             "bilateral", "vibration_assist")
HANDS = ("attentive", "elderly", "actuator")
MODELS: dict[str, str] = {
    "send_on_delta": "sensor: rows on a change of 0.05-0.5 N or a 1-s heartbeat (internal 100 Hz)",
    "avg_gauge": "sensor: gauge display value, running average 0.5-0.8 s, 10/20 Hz, kgf",
    "lsl_stream": "sensor: LSL export, irregular 90-110 Hz, seconds since boot",
    "ads1115": "sensor: 16-bit ADC 250/475 SPS, raw counts + grams, single-sample EMI spikes",
    "thermal_cell": "sensor: 24-bit cell at 80 SPS in lbf with a warm-up zero drift of 0.5-0.9 N",
    "attention_pulses": "hand: +3..6 % pulses every 2-5 s (stiffening with attention)",
    "slow_tremor": "hand: 4-6 Hz tremor, 1.5-3.5 %, slow moves (elderly/tired therapist)",
    "motor_noise": "hand: signal-dependent force noise, CV 0.2-0.5 %, 1-2.5 Hz",
    "trapezoid_moves": "hand: trapezoidal-velocity arrivals, steps and releases",
    "pid_ringing": "actuator: commanded ramps through a 3-8 Hz under-damped loop, then dead steady",
    "creep_relaxation": "technique: a 60-120 s hold relaxing 3.5-6 % (tau 15-30 s)",
    "positional_ease": "technique: passive limb movement, in-band ease of 3.5-6.5 % and back",
    "pumping": "technique: rhythmic compression at 0.35-0.8 Hz between holds",
    "slow_step": "technique: easing onto a new barrier over 2.6-7 s (relative-band step)",
    "fast_step": "event: a change of level of >= 14 % within 1.6 s",
    "partial_lift": "event: brief partial lift of the sensed hand (band exit low)",
    "lean_in": "event: brief lean onto the sensed hand (band exit high)",
    "vibration_assist": "technique: 20-50 Hz vibration at 2-4.5 % during holds",
    "light_contact_release": "event: release leaving a resting hand at 3 N..9 % of the level",
    "end_in_hold": "event: the recording stops during a hold",
}


# ------------------------------------------------------------------------------------------------------
# The contract's Definitions (defaults) and this generator's margins around them
# ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Defs:
    contact: float = 2.0        # N
    min_hold: float = 1.5       # s
    hold_tol: float = 0.08      # +- fraction of the level
    step_min: float = 0.10      # fraction
    fast_step: float = 2.0      # s
    slow_step: float = 8.0      # s
    steady: float = 3.0         # s
    release_frac: float = 0.15  # of the hold's level
    release_stay: float = 1.0   # s
    come_back: float = 1.0      # s
    band_tol: float = 0.10      # fraction
    debounce: float = 0.15      # s, band exit
    enter: float = 0.5          # s, band enter


DEFS = Defs()


@dataclass(frozen=True)
class Tol:
    """How closely the labeller and the second reader must agree."""
    start: float = 0.3
    event: float = 0.15
    exit: float = 0.1
    optional: float = 0.15
    level: float = 0.01


TOL = Tol()


class Reject(Exception):
    """An attempt whose session could be read two ways (or is out of range): redraw."""


# ------------------------------------------------------------------------------------------------------
# Spec
# ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SessionSpec:
    seed: int
    index: int
    sensor: str
    protocol: str
    hand: str

    @property
    def name(self) -> str:
        return f"{PREFIX}_s{self.seed}_{self.index:03d}"


def session_spec(seed: int, i: int) -> SessionSpec:
    """Sensor, protocol and hand of session ``i``: a Latin rotation (every sensor meets every protocol
    within 35 sessions), the same for every attempt."""
    sensor = SENSORS[(i + seed) % len(SENSORS)]
    protocol = PROTOCOLS[(i + i // len(SENSORS) + seed) % len(PROTOCOLS)]
    hands = ("attentive", "elderly")
    hand = "actuator" if protocol == "robotic_indentation" else hands[(i // 7 + i + seed) % 2]
    return SessionSpec(seed, i, sensor, protocol, hand)


# ------------------------------------------------------------------------------------------------------
# Shapes
# ------------------------------------------------------------------------------------------------------
def _n(seconds: float) -> int:
    return max(1, round(seconds / DT))


def _trapezoid(duration: float, acc: float, dec: float) -> np.ndarray:
    """0 -> 1 over ``duration`` with a trapezoidal velocity (cosine-blended corners), sampled on the grid
    from the onset; the value after the window is 1."""
    n = max(2, round(duration / DT))
    dur = n * DT
    acc = min(max(acc, DT), 0.5 * dur)
    dec = min(max(dec, DT), 0.5 * dur)
    u = (np.arange(n) + 0.5) * DT
    v = np.ones(n)
    a = u < acc
    v[a] = 0.5 * (1.0 - np.cos(np.pi * u[a] / acc))
    d = u > dur - dec
    v[d] = np.minimum(v[d], 0.5 * (1.0 + np.cos(np.pi * (u[d] - (dur - dec)) / dec)))
    c = np.concatenate(([0.0], np.cumsum(v)[:-1]))
    return c / float(np.sum(v))


def _bump(rise: float, stay: float, fall: float) -> np.ndarray:
    """0 -> 1 -> 0: trapezoid up, a plateau, trapezoid down."""
    up = _trapezoid(rise, 0.4 * rise, 0.4 * rise)
    down = 1.0 - _trapezoid(fall, 0.4 * fall, 0.4 * fall)
    return np.concatenate((up, np.ones(_n(stay)), down, [0.0]))


def _pid_shape(f_ring: float, zeta: float, ramp: float) -> np.ndarray:
    """Unit response of an under-damped closed loop (ringing ``f_ring`` Hz, damping ``zeta``) to a linear
    commanded ramp of ``ramp`` s, until the ringing has decayed by e^-9."""
    wd = 2.0 * np.pi * f_ring
    wn = wd / np.sqrt(1.0 - zeta * zeta)
    n = _n(ramp + 9.0 / (zeta * wn))
    u = np.arange(n) * DT
    h = 1.0 - np.exp(-zeta * wn * u) * (np.cos(wd * u) + zeta / np.sqrt(1.0 - zeta * zeta) * np.sin(wd * u))
    k = _n(ramp)
    return np.convolve(h, np.ones(k) / k)[:n]


def _pump_profile(rng: np.random.Generator, peak: float, trough: float, freq: float, cycles: int,
                  skew: float) -> np.ndarray:
    """Rhythmic compression (N): ``cycles`` presses from rest and back to rest."""
    durs = np.array([1.0 / (freq * rng.uniform(0.92, 1.08)) for _ in range(cycles)])
    edges = np.concatenate(([0.0], np.cumsum(durs)))
    n = _n(float(edges[-1]))
    t = np.arange(n) * DT
    ph = np.interp(t, edges, np.arange(cycles + 1.0))
    frac = ph % 1.0
    w = frac + skew * np.sin(2.0 * np.pi * frac) / (2.0 * np.pi)
    g = 0.5 * (1.0 - np.cos(2.0 * np.pi * w))
    env = np.ones(n)
    h0, h1 = 0.5 * durs[0], 0.5 * durs[-1]
    a = t < h0
    env[a] = 0.5 * (1.0 - np.cos(np.pi * t[a] / h0))
    b = t > edges[-1] - h1
    env[b] = 0.5 * (1.0 + np.cos(np.pi * (t[b] - (edges[-1] - h1)) / h1))
    out: np.ndarray = peak * (trough * env + (1.0 - trough) * g)
    return out


def _boxcar(y: np.ndarray, window: float) -> np.ndarray:
    """Causal running average over ``window`` s (the first samples average what there is, padded)."""
    k = _n(window)
    c = np.cumsum(np.concatenate((np.full(k, y[0]), y)))
    return (c[k:] - np.concatenate(([0.0], c[: len(c) - k - 1]))) / k


# ------------------------------------------------------------------------------------------------------
# The plan: moves, holds, in-hold features, pumping
# ------------------------------------------------------------------------------------------------------
@dataclass
class _Move:
    i0: int
    delta: float
    shape: np.ndarray
    kind: str                   # arrive | step | slow | release | lift
    end: int                    # grid index where the motion (incl. ringing) is over


@dataclass
class _Feat:
    kind: str                   # pulse | ease | lift | lean | creep
    i0: int
    prof: np.ndarray            # relative modulation from i0 on


@dataclass
class _Hold:
    level: float
    arr: int                    # index of the arriving move
    end_move: int | None = None
    ended_by: str = "end_of_data"
    long: bool = False
    feats: list[_Feat] = field(default_factory=list)


@dataclass
class _Sensor:
    name: str
    unit: str
    time_col: str
    force_col: str
    rate: float                 # internal sample rate (Hz)
    t0: float                   # device time of the session's start
    window: float = 0.0         # running average (s)
    noise: float = 0.03         # N (counts for the ADS)
    delta: float = 0.0          # send-on-delta threshold (N)
    heartbeat: float = 1.0
    fs_kg: float = 0.0          # ADS full scale
    offset: int = 0             # ADS counts at zero
    spike_rate: float = 0.0     # per s
    zero: float = 0.0           # thermal zero drift (N)
    zero_tau: float = 60.0
    zero_slope: float = 0.0     # N/s
    warm: float = 0.0           # degC


class _Timeline:
    def __init__(self, rng: np.random.Generator, hand: str, averaged: bool = False) -> None:
        self.rng = rng
        self.hand = hand
        self.averaged = averaged            # the sensor averages: slow eases must start faster
        self.i = 0
        self.base = 0.0
        self.moves: list[_Move] = []
        self.holds: list[_Hold] = []
        self.pumps: list[tuple[int, np.ndarray]] = []
        self.rests: list[tuple[int, int]] = []       # light-contact rests (grid spans)
        self.cur: _Hold | None = None
        self.f_ring = float(rng.uniform(3.0, 8.0))
        self.zeta = float(rng.uniform(0.25, 0.5))

    @property
    def t(self) -> float:
        return self.i * DT

    def wait(self, seconds: float) -> None:
        self.i += _n(seconds)

    def _shape(self, kind: str) -> np.ndarray:
        r = self.rng
        if self.hand == "actuator":       # a ramp shorter than 0.3 ringing periods keeps the ringing
            return _pid_shape(self.f_ring, self.zeta, float(r.uniform(0.025, min(0.12, 0.3 / self.f_ring))))
        elderly = int(self.hand == "elderly")
        spans = {"arrive": ((0.35, 0.9), (0.8, 1.5)), "step": ((0.3, 0.9), (0.6, 1.3)),
                 "release": ((0.2, 0.55), (0.35, 0.9)), "lift": ((0.2, 0.5), (0.3, 0.7))}
        lo, hi = spans[kind][elderly]
        d = float(r.uniform(lo, hi))
        return _trapezoid(d, d * float(r.uniform(0.25, 0.45)), d * float(r.uniform(0.3, 0.5)))

    def _add(self, target: float, kind: str, shape: np.ndarray | None = None) -> int:
        if shape is None:
            shape = self._shape(kind)
        mv = _Move(self.i, target - self.base, shape, kind, self.i + len(shape))
        self.moves.append(mv)
        self.base = target
        self.i = mv.end
        return len(self.moves) - 1

    def arrive(self, level: float) -> None:
        k = self._add(level, "arrive")
        self.cur = _Hold(level, k)
        self.holds.append(self.cur)

    def step(self, level: float, slow: bool = False) -> None:
        assert self.cur is not None
        self.cur.end_move, self.cur.ended_by = len(self.moves), "step"
        shape = None
        if slow:
            # constant speed, fast enough to leave the old level's +-8 % within 0.5 s and to cross the
            # new one's in about 0.5 s, so that onset and arrival each have one reading
            r = self.rng
            v = max((0.35 if self.averaged else 0.16) * self.base, 0.125 * level) * float(r.uniform(1.0, 1.2))
            ca = float(r.uniform(0.1, 0.2) if self.averaged else r.uniform(0.25, 0.5))
            cd = float(r.uniform(0.15, 0.3))
            shape = _trapezoid(abs(level - self.base) / v + 0.5 * (ca + cd), ca, cd)
        k = self._add(level, "slow" if slow else "step", shape)
        self.cur = _Hold(level, k)
        self.holds.append(self.cur)

    def release(self, rest: float) -> None:
        assert self.cur is not None
        self.cur.end_move, self.cur.ended_by = len(self.moves), "release"
        self._add(rest, "release")
        self.cur = None

    def lift(self) -> None:
        self._add(0.0, "lift")

    def pump(self, prof: np.ndarray) -> None:
        self.pumps.append((self.i, prof))
        self.i += len(prof)


def _levels_fast(rng: np.random.Generator, first: float, count: int, lo: float, hi: float,
                 big: bool = False) -> list[float]:
    """A level sequence joined by fast steps of 25-80 % up or 20-55 % down (``big``: 40-80 % up or
    30-55 % down, which an averaging sensor needs to leave the old level within 0.7 s), inside [lo, hi]."""
    up_min, down_max = (1.4, 0.7) if big else (1.25, 0.8)
    out = [first]
    for _ in range(count - 1):
        cur = out[-1]
        up_ok, down_ok = cur * up_min <= hi, cur * down_max >= lo
        up = bool(rng.random() < 0.5) if (up_ok and down_ok) else up_ok
        if up:
            out.append(float(rng.uniform(cur * up_min, min(cur * 1.8, hi))))
        else:
            out.append(float(rng.uniform(max(cur * 0.45, lo), cur * down_max)))
    return out


def _chain(tl: _Timeline, levels: Sequence[float], kinds: Sequence[str], dwells: Sequence[float],
           open_end: bool, light_p: float) -> None:
    rng = tl.rng
    tl.arrive(levels[0])
    tl.wait(dwells[0])
    for lv, kd, dw in zip(levels[1:], kinds, dwells[1:], strict=True):
        tl.step(lv, slow=kd == "slow")
        tl.wait(dw)
    if open_end:
        return
    last = levels[-1]
    if tl.hand != "actuator" and last * 0.09 >= 3.5 and rng.random() < light_p:
        rest = float(rng.uniform(3.0, last * 0.09))
        tl.release(rest)
        a = tl.moves[-1].i0            # the resting hand is no contact (the contract), nor a hold
        tl.wait(float(rng.uniform(2.0, 4.0)))
        tl.rests.append((a, tl.i))
        if rng.random() < 0.5:
            tl.lift()
            tl.wait(float(rng.uniform(1.5, 4.0)))
    else:
        tl.release(0.0)
        tl.wait(float(rng.uniform(2.0, 6.0)))


def _episode(tl: _Timeline, proto: str, k: int, long_at: int, open_end: bool) -> None:
    """One contact (chain of holds) or one pumping bout of ``proto``; ``k`` counts the episodes."""
    r = tl.rng
    human_lo, human_hi = 12.0, 65.0
    if proto == "robotic_indentation":
        levels = _levels_fast(r, float(r.uniform(6.0, 40.0)), int(r.integers(1, 5)), 6.0, 45.0, tl.averaged)
        _chain(tl, levels, ["step"] * (len(levels) - 1), [float(r.uniform(5.0, 14.0)) for _ in levels],
               open_end, 0.0)
    elif proto == "sustained_creep":
        if k == long_at:
            _chain(tl, [float(r.uniform(15.0, 60.0))], [], [float(r.uniform(60.0, 120.0))], open_end, 0.3)
            tl.holds[-1].long = True
        else:
            levels = _levels_fast(r, float(r.uniform(human_lo, human_hi)), int(r.integers(1, 3)),
                                  human_lo, human_hi, tl.averaged)
            _chain(tl, levels, ["step"] * (len(levels) - 1), [float(r.uniform(5.0, 15.0)) for _ in levels],
                   open_end, 0.3)
    elif proto == "pumping" and k % 2 == 1:
        cycles = int(r.integers(5, 13))
        prof = _pump_profile(r, float(r.uniform(15.0, 60.0)), float(r.uniform(0.0, 0.15)),
                             float(r.uniform(0.35, 0.8)), cycles, float(r.uniform(-0.35, -0.1)))
        tl.pump(prof)
        tl.wait(float(r.uniform(1.5, 4.0)))
    elif proto == "barrier_easing":
        first = float(r.uniform(12.0, 26.0))
        levels, kinds = [first], []
        for _ in range(int(r.integers(1, 3))):
            cur = levels[-1]
            opts = []
            up_lo, up_hi = (2.1, 2.7) if tl.averaged else (1.75, 2.3)
            if cur * up_lo <= human_hi:
                opts.append("slow_up")
            if cur * 0.32 >= human_lo and not tl.averaged:
                opts.append("slow_down")
            if not opts:
                break
            choice = opts[int(r.integers(len(opts)))] if len(levels) > 1 else opts[0]
            if choice == "slow_up":
                levels.append(float(r.uniform(cur * up_lo, min(cur * up_hi, human_hi))))
            else:
                levels.append(float(r.uniform(max(cur * 0.32, human_lo), cur * 0.45)))
            kinds.append("slow")
            if r.random() < 0.4:
                nxt = _levels_fast(r, levels[-1], 2, human_lo, human_hi, tl.averaged)[1]
                levels.append(nxt)
                kinds.append("step")
        _chain(tl, levels, kinds, [float(r.uniform(5.5, 14.0)) for _ in levels], open_end, 0.3)
    else:
        dwell = {"positional_release": (15.0, 35.0), "pumping": (6.0, 15.0), "bilateral": (12.0, 30.0),
                 "vibration_assist": (10.0, 30.0)}[proto]
        count = int(r.integers(1, 4)) if proto == "bilateral" else int(r.integers(1, 3))
        levels = _levels_fast(r, float(r.uniform(human_lo, human_hi)), count, human_lo, human_hi, tl.averaged)
        light = 0.8 if proto == "bilateral" else 0.3
        if proto == "bilateral" and k == 0:     # the first contact ends with the hand left resting on it
            levels, light = [float(r.uniform(40.0, human_hi))], 1.0
        _chain(tl, levels, ["step"] * (len(levels) - 1), [float(r.uniform(*dwell)) for _ in levels],
               open_end, light)


def _free(spans: list[tuple[int, int]], a: int, b: int) -> bool:
    return all(b <= s0 or a >= s1 for s0, s1 in spans)


def _features(tl: _Timeline, spec: SessionSpec, n_end: int, sens: _Sensor) -> tuple[np.ndarray, float]:
    """In-hold features of every hold (appended to ``hold.feats``); returns the vibration envelope and
    frequency (0 where no vibration)."""
    r = tl.rng
    vib = np.zeros(n_end)
    f_vib = float(r.uniform(20.0, min(50.0, 0.4 * (200.0 if sens.name == "avg_gauge" else sens.rate))))
    for h in tl.holds:
        a = tl.moves[h.arr].end
        b = tl.moves[h.end_move].i0 if h.end_move is not None else n_end
        busy: list[tuple[int, int]] = []
        if h.long:
            c, tau = float(r.uniform(0.035, 0.06)), float(r.uniform(15.0, 30.0))
            u = np.arange(b - a) * DT
            prof = -c * (1.0 - np.exp(-u / tau))
            if h.end_move is not None:
                prof = np.concatenate((prof, prof[-1] * (1.0 - tl.moves[h.end_move].shape)))
            h.feats.append(_Feat("creep", a, prof))
        if spec.protocol == "positional_release":
            for _ in range(int(r.integers(1, 3))):
                down, dwell, up = (float(r.uniform(2.0, 4.0)), float(r.uniform(1.0, 3.0)),
                                   float(r.uniform(2.0, 4.0)))
                prof = _bump(down, dwell, up)
                lo, hi = a + _n(2.5), b - _n(3.5) - len(prof)
                if hi <= lo:
                    break
                i0 = int(r.integers(lo, hi))
                if not _free(busy, i0 - _n(1.0), i0 + len(prof) + _n(1.0)):
                    continue
                sign = -1.0 if r.random() < 0.8 else 1.0
                h.feats.append(_Feat("ease", i0, sign * float(r.uniform(0.035, 0.065)) * prof))
                busy.append((i0, i0 + len(prof)))
        if spec.protocol == "bilateral" and sens.window == 0.0:    # a gauge's average swallows them
            for _ in range(int(r.integers(1, 4))):
                prof = _bump(float(r.uniform(0.06, 0.14)), float(r.uniform(0.2, 0.35)),
                             float(r.uniform(0.1, 0.22)))
                lo, hi = a + _n(2.5), b - _n(2.5) - len(prof)
                if hi <= lo:
                    break
                i0 = int(r.integers(lo, hi))
                if not _free(busy, i0 - _n(2.6), i0 + len(prof) + _n(2.6)):
                    continue
                if r.random() < 0.6:
                    h.feats.append(_Feat("lift", i0, -float(r.uniform(0.2, 0.45)) * prof))
                else:
                    h.feats.append(_Feat("lean", i0, float(r.uniform(0.16, 0.3)) * prof))
                busy.append((i0, i0 + len(prof)))
        if spec.protocol == "vibration_assist" and (b - a) * DT > 4.0:
            span = (b - a) * DT - 1.5
            length = span * float(r.uniform(0.5, 0.9))
            v0 = a + _n(1.0 + float(r.uniform(0.0, span - length)))
            v1 = v0 + _n(length)
            env = np.ones(v1 - v0)
            ramp = _n(0.3)
            env[:ramp] = np.linspace(0.0, 1.0, ramp)
            env[-ramp:] = np.linspace(1.0, 0.0, ramp)
            vib[v0:v1] = float(r.uniform(0.02, 0.045)) * env
            busy.append((v0, v1))
        if spec.hand == "attentive" and r.random() < 0.85:
            i = a + _n(3.0 + float(r.uniform(0.0, 2.0)))
            while True:
                rise, tau = float(r.uniform(0.15, 0.4)), float(r.uniform(0.3, 0.7))
                n_rise, n_tail = _n(rise), _n(6.0 * tau)
                if i + n_rise + _n(3.5) > b:
                    break
                if _free(busy, i - _n(1.0), i + n_rise + _n(1.5)):
                    u = np.arange(n_rise + n_tail) * DT
                    prof = np.where(u < rise, 0.5 * (1.0 - np.cos(np.pi * u / rise)),
                                    np.exp(-(u - rise) / tau))
                    h.feats.append(_Feat("pulse", i, float(r.uniform(0.03, 0.06)) * prof))
                i += _n(float(r.uniform(2.0, 5.0)))
        h.feats.sort(key=lambda f: f.i0)
    if sum(f.kind == "pulse" for h in tl.holds for f in h.feats) < 3:      # a lone pulse is no pattern
        for h in tl.holds:
            h.feats = [f for f in h.feats if f.kind != "pulse"]
    return vib, f_vib


def _plan(spec: SessionSpec, rng: np.random.Generator, sens: _Sensor) -> tuple[_Timeline, int, bool]:
    """The session's timeline: episodes until a drawn target duration; returns (timeline, grid points,
    whether it ends in a hold)."""
    tl = _Timeline(rng, spec.hand, sens.window > 0.0)
    proto = spec.protocol
    target = float(rng.uniform(100.0, 170.0) if proto == "sustained_creep" else rng.uniform(45.0, 150.0))
    end_open = bool(rng.random() < 0.2) and sens.name != "thermal_cell"   # its drift shows at rest
    long_at = int(rng.integers(0, 2))
    k0 = int(rng.integers(0, 2)) if proto == "pumping" else 0
    tl.wait(float(rng.uniform(1.5, 4.0)))
    pumped = False
    for k in range(40):
        is_pump = proto == "pumping" and (k + k0) % 2 == 1
        last = tl.t > target - 30.0 and not is_pump and (pumped or proto != "pumping")
        if proto == "sustained_creep" and k <= long_at:
            last = False
        _episode(tl, proto, k + k0 if proto == "pumping" else k, long_at, end_open and last)
        pumped = pumped or is_pump
        if last:
            break
    else:
        raise Reject("too many episodes")
    if tl.cur is None:
        if tl.base > 0.0:
            tl.lift()
        tl.wait(float(rng.uniform(1.5, 4.0)))
    return tl, tl.i + 1, tl.cur is not None


# ------------------------------------------------------------------------------------------------------
# Sensors
# ------------------------------------------------------------------------------------------------------
def _sensor(name: str, rng: np.random.Generator) -> _Sensor:
    if name == "send_on_delta":
        return _Sensor(name, "N", "t_s", "force_n", 100.0, round(float(rng.uniform(2.0, 400.0)), 2),
                       noise=float(rng.uniform(0.02, 0.07)), delta=round(float(rng.uniform(0.15, 0.5)), 2))
    if name == "avg_gauge":
        return _Sensor(name, "kg", "time_s", "load_kgf", float(rng.choice([10.0, 20.0])), 0.0,
                       window=round(float(rng.uniform(0.5, 0.8)), 2), noise=float(rng.uniform(0.05, 0.15)))
    if name == "lsl_stream":
        return _Sensor(name, "N", "lsl_time", "force", 100.0, round(float(rng.uniform(1e3, 2e5)), 6),
                       noise=float(rng.uniform(0.03, 0.12)))
    if name == "ads1115":
        return _Sensor(name, "g", "t_s", "grams", float(rng.choice([250.0, 475.0])),
                       round(float(rng.uniform(0.5, 60.0)), 6), noise=float(rng.uniform(0.8, 2.0)),
                       fs_kg=float(rng.choice([10.0, 20.0, 50.0])), offset=int(rng.integers(150, 1500)),
                       spike_rate=1.0 / float(rng.uniform(8.0, 25.0)))
    if name == "thermal_cell":
        sign = 1.0 if rng.random() < 0.6 else -1.0
        return _Sensor(name, "lbf", "t_s", "force_lbf", 80.0, round(float(rng.uniform(1.0, 10.0)), 3),
                       noise=float(rng.uniform(0.01, 0.04)), zero=sign * float(rng.uniform(0.5, 0.9)),
                       zero_tau=float(rng.uniform(40.0, 90.0)),
                       zero_slope=sign * float(rng.uniform(0.0, 1e-3)),
                       warm=float(rng.uniform(5.0, 9.0)))
    raise ValueError(f"unknown sensor {name!r}")


def _zero_drift(sens: _Sensor, tau: np.ndarray) -> np.ndarray:
    if sens.name != "thermal_cell":
        return np.zeros_like(tau)
    z = sens.zero * (1.0 - np.exp(-(sens.t0 + tau) / sens.zero_tau)) + sens.zero_slope * tau
    return np.clip(z, -0.9, 0.9)


def _row_times(sens: _Sensor, rng: np.random.Generator, dur: float) -> np.ndarray:
    """Relative sample times (s from the session's start) of sensors with a clock of their own."""
    if sens.name == "avg_gauge":
        k = np.arange(int(dur * sens.rate) + 1)
        t = k / sens.rate + rng.uniform(-0.002, 0.002, k.size)
        t[0] = 0.0
        return t[t <= dur]
    if sens.name == "lsl_stream":
        m = int(dur * 112) + 10
        slow = 100.0 + 6.0 * np.sin(2.0 * np.pi * np.arange(m) / float(rng.uniform(300.0, 900.0))
                                    + float(rng.uniform(0.0, 6.3)))
        rate = np.clip(slow + rng.normal(0.0, 2.5, m), 90.5, 109.5)
        t = np.concatenate(([0.0], np.cumsum(1.0 / rate)))
        return t[t <= dur]
    if sens.name == "ads1115":
        actual = sens.rate * (1.0 + float(rng.uniform(-0.05, 0.05)))
        k = np.arange(int(dur * actual) + 1)
        t = k / actual + rng.normal(0.0, 15e-6, k.size)
        t[0] = 0.0
        return np.sort(t[t <= dur])
    if sens.name == "thermal_cell":
        actual = sens.rate * (1.0 + float(rng.uniform(-0.03, 0.03)))
        k = np.arange(int(dur * actual) + 1)
        return k / actual
    return np.arange(round(dur / 0.01) + 1) * 0.01      # send_on_delta's internal ADC


# ------------------------------------------------------------------------------------------------------
# The plan-aware labeller
# ------------------------------------------------------------------------------------------------------
@dataclass
class _Labels:
    holds: list[tuple[float, float, float, str]]           # start, end, level (N), ended_by
    steps: list[tuple[float, str]]
    releases: list[float]
    exits: list[tuple[float, str]]
    optional: list[tuple[float, str]]
    hold_idx: list[tuple[int, int]] = field(default_factory=list)
    dip_windows: list[tuple[int, int, int]] = field(default_factory=list)   # hold index, i0, i1


def _label(tl: _Timeline, y: np.ndarray, tg: np.ndarray, i_last: int, t_last: float, window: float
           ) -> _Labels:
    w15 = _n(DEFS.min_hold)
    out = _Labels([], [], [], [], [])
    for hi, h in enumerate(tl.holds):
        mv = tl.moves[h.arr]
        i_end = tl.moves[h.end_move].i0 if h.end_move is not None else i_last
        r0, r1 = mv.end + _n(0.3 + window), mv.end + _n(1.3 + window)
        if r1 >= i_end:
            raise Reject("hold too short to settle")
        ref = float(np.median(y[r0:r1]))
        bad = np.flatnonzero(np.abs(y[mv.i0:r0] - ref) > DEFS.hold_tol * ref)
        start = mv.i0 + (int(bad[-1]) + 1 if bad.size else 0)
        level = float(np.median(y[start:start + w15]))
        end = float(tg[i_end]) if h.end_move is not None else t_last
        out.holds.append((float(tg[start]), end, level, h.ended_by))
        out.hold_idx.append((start, i_end))
        if h.ended_by == "step":
            nxt = tl.holds[hi + 1]
            d = "up" if nxt.level > h.level else "down"
            out.steps.append((end, d))
            if tl.moves[h.end_move].kind == "slow":           # type: ignore[index]
                lo, hi_ = (1.0 - DEFS.band_tol) * level, (1.0 + DEFS.band_tol) * level
                seg = y[i_end:i_end + _n(8.0)]
                k = np.flatnonzero((seg < lo) | (seg > hi_))
                if k.size:
                    out.optional.append((float(tg[i_end + k[0]]), "high" if d == "up" else "low"))
        elif h.ended_by == "release":
            out.releases.append(end)
        for f in h.feats:
            if f.kind not in ("lift", "lean"):
                continue
            i1 = f.i0 + len(f.prof) + _n(window + 0.3)
            out.dip_windows.append((hi, f.i0, i1))
            seg = y[f.i0:i1] / level - 1.0
            k = np.flatnonzero(np.abs(seg) > DEFS.band_tol)
            if k.size:
                out.exits.append((float(tg[f.i0 + k[0]]), "low" if seg[k[0]] < 0 else "high"))
    return out


# ------------------------------------------------------------------------------------------------------
# Margins: reject what could honestly be read two ways
# ------------------------------------------------------------------------------------------------------
def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) of the True runs of a boolean array."""
    d = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))


def _margins(tl: _Timeline, lab: _Labels, y: np.ndarray, osc: np.ndarray, i_last: int) -> None:
    hold_tol, band = DEFS.hold_tol, DEFS.band_tol
    n = len(y)
    covered = np.zeros(n, dtype=bool)          # where a 1-s steady window is allowed
    for hi, (h, (s, e), lv) in enumerate(zip(tl.holds, lab.hold_idx, lab.holds, strict=True)):
        level = lv[2]
        if (e - s) * DT < 2.5:
            raise Reject("hold shorter than 2.5 s")
        if hi > 0 and tl.holds[hi - 1].ended_by == "step" and (e - s) * DT < 4.5:
            raise Reject("hold after a step shorter than 4.5 s")
        covered[max(0, s - _n(0.5)):e + 1] = True
        # arrival completion close to the +-8 % entry
        seg = np.abs(y[s:e] / level - 1.0) > 0.015
        win = _n(1.0)
        ok = np.flatnonzero(maximum_filter1d(seg.astype(np.int8), win, origin=-(win // 2)) == 0)
        if not ok.size or ok[0] * DT > 0.7:
            raise Reject("arrival settles too long after entering the band")
        # in-hold deviation and oscillation budget once arrived, outside lifts/leans
        dev = np.abs(y[s:e] / level - 1.0)
        mask = np.ones(e - s, dtype=bool)
        mask[: int(ok[0])] = False
        dips = [(i0, i1) for k, i0, i1 in lab.dip_windows if k == hi]
        for i0, i1 in dips:
            mask[max(0, i0 - s):max(0, i1 - s)] = False
        if np.any(dev[mask] > 0.07) or np.any(dev[mask] + osc[s:e][mask] > 0.095):
            raise Reject("in-hold deviation too near the band")
        mean = float(np.mean(y[s:e]))
        if abs(mean / level - 1.0) > 0.05:
            raise Reject("hold mean far from the settled level")
        if e < i_last and h.ended_by in ("step", "release"):
            left = np.flatnonzero(np.abs(y[e:e + _n(2.0)] / level - 1.0) > hold_tol)
            if not left.size or left[0] * DT > 0.7:
                raise Reject("the force leaves the level too slowly after the onset")
        last_exit = -1e9
        for i0, i1 in dips:
            d = y[i0:i1] / level - 1.0
            peak = float(np.max(np.abs(d)))
            if peak <= 0.065:
                continue
            out = np.abs(d) > band
            if peak < 0.14 or float(np.min(y[i0:i1])) < 0.3 * level:
                raise Reject("lift/lean depth ambiguous")
            runs = _runs(out)
            if len(runs) != 1 or (runs[0][1] - runs[0][0]) * DT < 0.3:
                raise Reject("band excursion too short or split")
            back = np.flatnonzero(np.abs(d) > hold_tol)
            if (back[-1] + 1) * DT > 0.75:
                raise Reject("lift/lean comes back too late")
            t_exit = i0 + runs[0][0]
            if t_exit < s + _n(2.0) or i1 > e - _n(1.0) or (t_exit - last_exit) * DT < 2.5:
                raise Reject("band exit too near the hold's edges or another exit")
            last_exit = t_exit
        if h.ended_by == "release" and e < i_last:
            after = y[e:e + _n(3.2)] / level
            below = np.flatnonzero(after < 0.10)
            if not below.size or below[0] * DT > 1.2 or np.any(after[below[0]:below[0] + _n(1.8)] >= 0.10):
                raise Reject("release does not clearly fall below 15 %")
        if h.ended_by == "end_of_data" and (e - s) * DT < 4.0:
            raise Reject("final hold too short")
    for hi, h in enumerate(tl.holds):
        if h.ended_by != "step":
            continue
        (_, e0), (s1, _) = lab.hold_idx[hi], lab.hold_idx[hi + 1]
        l0, l1 = lab.holds[hi][2], lab.holds[hi + 1][2]
        if abs(l1 / l0 - 1.0) < 0.14 or l1 < 0.3 * l0:
            raise Reject("step size near a threshold")
        took = (s1 - e0) * DT
        slow = tl.moves[h.end_move].kind == "slow"            # type: ignore[index]
        if (slow and not 2.6 <= took <= 7.0) or (not slow and took > 1.6):
            raise Reject("step duration near 2 s or beyond 8 s")
        covered[e0:s1 + 1] = True
    for a, b in tl.rests:
        covered[a:b + 1] = True
        settled = tl.moves[next(k for k, mv in enumerate(tl.moves) if mv.i0 == a)].end
        if float(np.min(y[settled:b])) < DEFS.contact + 0.8:     # light contact, clearly above 2 N
            raise Reject("resting hand too near the contact threshold")
    # no steady 1-s window in contact outside holds (pumping, moves, rests)
    win = _n(1.0)
    if n > win:
        mx = maximum_filter1d(y, win, origin=-(win // 2))[: n - win]
        mn = minimum_filter1d(y, win, origin=-(win // 2))[: n - win]
        steady = (mx * (1.0 - hold_tol) <= mn * (1.0 + hold_tol)) & (mn > DEFS.contact + 0.5)
        if np.any(steady & ~covered[: n - win]):
            raise Reject("a steady 1-s window outside the labelled holds")


# ------------------------------------------------------------------------------------------------------
# The second reader: the Definitions applied to a noise-free label signal, knowing nothing of the plan
# ------------------------------------------------------------------------------------------------------
@dataclass
class Reading:
    holds: list[tuple[float, float, float, str]]
    steps: list[tuple[float, str]]
    releases: list[float]
    band_exits: list[tuple[float, str]]
    band_exits_optional: list[tuple[float, str]]


def read_definitions(t: np.ndarray, y: np.ndarray, t_last: float, defs: Defs = DEFS) -> Reading:
    """Holds, steps, releases and band exits of a noise-free force ``y`` (N) on a uniform grid ``t``
    (device seconds), per the contract's Definitions, with the end of data at ``t_last``.

    Written apart from the labeller: a hold is found where a window of ``min_hold`` fits inside +-8 % of
    one level; it runs until the force leaves +-8 % of its settled level; the departure's onset is where
    the force began to move away; the departure is an excursion (back within ``come_back``), a release
    (contact lost or below 15 % for ``release_stay``), a step (a new hold at least 10 % away, reached
    within ``slow_step``; beyond ``fast_step`` it must stay within +-4 % for ``steady``) or "left"."""
    dt = float(t[1] - t[0])
    last = min(len(y) - 1, int(np.floor((t_last - t[0]) / dt + 1e-6)))
    y = y[: last + 1]
    n = y.size
    w = round(defs.min_hold / dt)
    lo_f, hi_f = 1.0 - defs.hold_tol, 1.0 + defs.hold_tol
    # forward windows [i, i + w]
    if n > w:
        fmax = np.full(n, np.inf)
        fmin = np.full(n, -np.inf)
        fmax[: n - w] = maximum_filter1d(y, w + 1, origin=-((w + 1) // 2))[: n - w]
        fmin[: n - w] = minimum_filter1d(y, w + 1, origin=-((w + 1) // 2))[: n - w]
    else:
        fmax, fmin = np.full(n, np.inf), np.full(n, -np.inf)
    fits = fmax * lo_f <= fmin * hi_f
    speed_floor = 0.003                      # fraction of the level per second: "still"
    holds: list[tuple[int, int, float, str]] = []
    steps: list[tuple[int, str]] = []
    releases: list[int] = []
    optional: list[tuple[int, str]] = []

    def find_hold(frm: int, thr: float) -> tuple[int, float] | None:
        cand = np.flatnonzero(fits[frm:] & (fmin[frm:] > thr))
        if not cand.size:
            return None
        s = frm + int(cand[0])
        # the level is the median of the hold's first min_hold, the start the first moment within
        # +-8 % of it: iterate to the fixed point (a window that began on the arrival's tail reads low)
        m = float(np.median(y[s:s + w + 1]))
        st = s
        for _ in range(8):
            inside = np.flatnonzero(np.abs(y[s:] - m) <= defs.hold_tol * m)
            if not inside.size:
                return None
            nst = s + int(inside[0])
            m = float(np.median(y[nst:nst + w]))
            if nst == st:
                break
            st = nst
        return st, m

    thr = defs.contact
    pos = 0
    cur: tuple[int, float] | None = None
    while True:
        if cur is None:
            found = find_hold(pos, thr)
            if found is None:
                break
            cur = found
            pos = found[0]
        st, lev = cur
        seg = y[pos:]
        out = np.flatnonzero((seg < lo_f * lev) | (seg > hi_f * lev))
        if not out.size:
            holds.append((st, last, lev, "end_of_data"))
            break
        x = pos + int(out[0])
        sgn = 1.0 if y[x] > lev else -1.0
        o = x
        step_floor = speed_floor * lev * dt
        while o > st and (y[o] - y[o - 1]) * sgn > step_floor:
            o -= 1
        back = np.flatnonzero((y[x:] >= lo_f * lev) & (y[x:] <= hi_f * lev))
        if back.size and (x + int(back[0]) - o) * dt <= defs.come_back:
            pos = x + int(back[0])
            continue
        # release: contact lost, or below 15 % of the level for release_stay
        nxt = find_hold(x, thr)
        low = np.flatnonzero((y[x:] < defs.release_frac * lev) | (y[x:] <= thr))
        # a "hold" below 15 % of the level is the resting hand of a release, not a step's new hold
        if low.size and sgn < 0 and (nxt is None or x + int(low[0]) < nxt[0]
                                     or nxt[1] < defs.release_frac * lev):
            q = x + int(low[0])
            between_ok = not np.any(y[x:q] >= lo_f * lev)
            stay = y[q:q + round(defs.release_stay / dt)]
            if between_ok and (y[q] <= thr or np.all(stay < defs.release_frac * lev)):
                holds.append((st, o, lev, "release"))
                releases.append(o)
                rest_seg = y[q + round(0.3 / dt):q + round(1.0 / dt)]
                rest = float(np.median(rest_seg)) if rest_seg.size else 0.0
                thr = rest + defs.contact if rest > defs.contact else defs.contact
                cur = None
                pos = q
                continue
        if nxt is not None and not np.any(y[x:nxt[0]] <= thr):
            st2, lev2 = nxt
            took = (st2 - o) * dt
            steady_n = round(defs.steady / dt)
            is_step = abs(lev2 - lev) >= defs.step_min * lev and took <= defs.slow_step
            if is_step and took > defs.fast_step:
                near = np.flatnonzero(np.abs(y[st2:] - lev2) <= 0.04 * lev2)
                k4 = st2 + int(near[0]) if near.size else y.size
                is_step = k4 + steady_n <= y.size and bool(
                    np.all(np.abs(y[k4:k4 + steady_n] - lev2) <= 0.04 * lev2))
                if is_step:
                    band = np.flatnonzero(np.abs(y[o:st2] / lev - 1.0) > defs.band_tol)
                    if band.size:
                        optional.append((o + int(band[0]), "high" if lev2 > lev else "low"))
            if is_step:
                holds.append((st, o, lev, "step"))
                steps.append((o, "up" if lev2 > lev else "down"))
                cur = nxt
                pos = st2
                continue
        holds.append((st, o, lev, "left"))
        cur = None
        pos = x
    # band exits: from confirmation to the hold's end; one per excursion
    exits: list[tuple[int, str]] = []
    deb, ent = round(defs.debounce / dt), round(defs.enter / dt)
    for st, en, lev, _ in holds:
        a = st + w
        if en <= a:
            continue
        seg = y[a:en] / lev - 1.0
        outside = np.abs(seg) > defs.band_tol
        armed = True
        inside_run = 0
        run = 0
        for k in range(seg.size):
            if outside[k]:
                run += 1
                inside_run = 0
                if armed and run >= deb:
                    k0 = k - run + 1
                    exits.append((a + k0, "high" if seg[k0] > 0 else "low"))
                    armed = False
            else:
                run = 0
                inside_run += 1
                if inside_run >= ent:
                    armed = True
    tt = t[: last + 1]
    return Reading(
        holds=[(float(tt[s]), float(t_last) if why == "end_of_data" else float(tt[e]), lv, why)
               for s, e, lv, why in holds],
        steps=[(float(tt[i]), d) for i, d in steps],
        releases=[float(tt[i]) for i in releases],
        band_exits=sorted((float(tt[i]), d) for i, d in exits),
        band_exits_optional=[(float(tt[i]), d) for i, d in optional])


def _compare(holds: Sequence[Sequence[Any]], ended_by: Sequence[str] | None, steps: Sequence[Sequence[Any]],
             releases: Sequence[float], exits: Sequence[Sequence[Any]], optional: Sequence[Sequence[Any]],
             rd: Reading) -> list[str]:
    """Differences between labels (N, device seconds) and a reading, beyond ``TOL``."""
    prob: list[str] = []
    if len(holds) != len(rd.holds):
        prob.append(f"{len(holds)} holds labelled, {len(rd.holds)} read")
    else:
        for k, (h, r) in enumerate(zip(holds, rd.holds, strict=True)):
            if abs(h[0] - r[0]) > TOL.start or abs(h[1] - r[1]) > TOL.event:
                prob.append(f"hold {k}: {h[0]:.2f}-{h[1]:.2f} s labelled, {r[0]:.2f}-{r[1]:.2f} s read")
            if abs(h[2] / r[2] - 1.0) > TOL.level:
                prob.append(f"hold {k}: level {h[2]:.2f} N labelled, {r[2]:.2f} N read")
            if ended_by is not None and ended_by[k] != r[3]:
                prob.append(f"hold {k}: ended by {ended_by[k]} labelled, {r[3]} read")

    def events(kind: str, lab: Sequence[tuple[float, str | None]], got: Sequence[tuple[float, str | None]],
               tol: float) -> None:
        if len(lab) != len(got):
            prob.append(f"{len(lab)} {kind} labelled, {len(got)} read")
            return
        for (a, da), (b, db) in zip(lab, got, strict=True):
            if abs(a - b) > tol or da != db:
                prob.append(f"{kind} at {a:.2f} s {da or ''} labelled, {b:.2f} s {db or ''} read")

    events("steps", [(float(a), str(d)) for a, d in steps], rd.steps, TOL.event)
    events("releases", [(float(a), None) for a in releases], [(b, None) for b in rd.releases], TOL.event)
    events("band exits", [(float(a), str(d)) for a, d in exits], rd.band_exits, TOL.exit)
    events("optional band exits", [(float(a), str(d)) for a, d in optional], rd.band_exits_optional,
           TOL.optional)
    return prob


# ------------------------------------------------------------------------------------------------------
# Building a session
# ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Session:
    """One generated session: file name stem, the CSV and labels bytes, and what they were made from."""
    name: str
    csv: bytes
    labels: bytes
    spec: SessionSpec
    attempt: int
    grid: np.ndarray             # device seconds of the label signal
    label_signal: np.ndarray     # N
    t_last: float
    models: tuple[str, ...]
    unit: str


def _fmt(cols: Sequence[np.ndarray], decimals: Sequence[int]) -> list[str]:
    parts = [[f"{v:.{d}f}" for v in c.tolist()] for c, d in zip(cols, decimals, strict=True)]
    return [",".join(row) for row in zip(*parts, strict=True)]


def _sample(sens: _Sensor, rng: np.random.Generator, tau: np.ndarray, y_true: np.ndarray, label: np.ndarray,
            osc_parts: dict[str, Any], avoid: list[tuple[float, float]]
            ) -> tuple[np.ndarray, np.ndarray, list[str], list[str], list[str]]:
    """Rows of the sensor: (relative times, recorded force in N, header, metadata lines, data lines)."""
    dur = float(tau[-1])

    def osc_at(tr: np.ndarray) -> np.ndarray:
        trem = np.interp(tr, tau, osc_parts["trem_amp"]) * np.sin(np.interp(tr, tau, osc_parts["trem_ph"]))
        fv, p1, p2 = osc_parts["f_vib"], osc_parts["vib_ph1"], osc_parts["vib_ph2"]
        vib = np.interp(tr, tau, osc_parts["vib_env"]) * (np.sin(2 * np.pi * fv * tr + p1)
                                                          + 0.25 * np.sin(4 * np.pi * fv * tr + p2))
        total: np.ndarray = trem + vib + np.interp(tr, tau, osc_parts["motor"])
        return total

    meta: list[str] = []
    if sens.name == "avg_gauge":
        raw = y_true * (1.0 + osc_at(tau)) + rng.normal(0.0, sens.noise, tau.size)
        shown = _boxcar(raw, sens.window)
        tr = _row_times(sens, rng, dur)
        kg = np.round(np.interp(tr, tau, shown) / KGF, 2)
        meta = [f"# device: digital force gauge, display filter = running average {sens.window:.2f} s",
                f"# output rate: {sens.rate:g} Hz, resolution 0.01 kgf (unit kg = kilogram-force)"]
        return tr, kg * KGF, ["time_s", "load_kgf"], meta, _fmt([tr + sens.t0, kg], [3, 2])
    tr = _row_times(sens, rng, dur)
    base = np.interp(tr, tau, y_true)
    slow_label = np.interp(tr, tau, label)
    raw = base * osc_at(tr) + slow_label
    if sens.name == "send_on_delta":
        vals = np.round(raw + rng.normal(0.0, sens.noise, tr.size), 2)
        keep = [0]
        last_v, last_t = vals[0], tr[0]
        for k in range(1, vals.size):
            if abs(vals[k] - last_v) >= sens.delta - 1e-9 or tr[k] - last_t >= sens.heartbeat - 1e-9:
                keep.append(k)
                last_v, last_t = vals[k], tr[k]
        idx = np.array(keep)
        meta = ["# device: send-on-delta force sensor, internal ADC 100 Hz",
                f"# report_delta_n: {sens.delta:.2f}", f"# heartbeat_s: {sens.heartbeat:.1f}",
                "# time: device seconds since power-on (ms)"]
        return (tr[idx], vals[idx], ["t_s", "force_n"], meta,
                _fmt([np.round(tr[idx] + sens.t0, 3), vals[idx]], [3, 2]))
    if sens.name == "lsl_stream":
        vals = np.round(raw + rng.normal(0.0, sens.noise, tr.size), 4)
        meta = ["# source: LSL outlet 'PressureSensor' (nominal 100 Hz, irregular), units N",
                "# time: LSL local_clock(), seconds since boot"]
        return tr, vals, ["lsl_time", "force"], meta, _fmt([tr + sens.t0, vals], [6, 4])
    if sens.name == "ads1115":
        lsb_g = sens.fs_kg * 1000.0 / 32767.0
        counts = np.round(raw / (KGF / 1000.0) / lsb_g + sens.offset + rng.normal(0.0, sens.noise, tr.size))
        t_abs = tr
        wanted, placed = max(1, int(rng.poisson(sens.spike_rate * dur))), 0
        for ts in rng.uniform(0.0, dur, 20 * wanted):
            if placed == wanted:
                break
            k = int(np.searchsorted(t_abs, ts))
            if any(a - 0.3 <= ts <= b + 0.3 for a, b in avoid) or not 2 < k < counts.size - 3:
                continue
            counts[k] += round(float(rng.choice([-1.0, 1.0])) * float(rng.uniform(0.05, 0.4)) * 32767.0)
            placed += 1
        counts = np.clip(counts, -32768, 32767)
        grams = (counts - sens.offset) * lsb_g
        meta = [f"# device: ADS1115 at {sens.rate:g} SPS behind a load-cell amplifier, "
                f"full scale {sens.fs_kg:g} kgf", f"# zero offset: {sens.offset} counts; "
                f"grams = (raw - offset) * {lsb_g:.6f}", "# time: micros()/1e6 at data-ready"]
        rec = np.round(grams, 2)
        return (tr, rec * KGF / 1000.0, ["t_s", "raw", "grams"], meta,
                _fmt([tr + sens.t0, counts.astype(np.int64), rec], [6, 0, 2]))
    # thermal_cell
    lbf = np.round((raw + rng.normal(0.0, sens.noise, tr.size)) / LBF, 4)
    temp = np.round(23.0 + sens.warm * (1.0 - np.exp(-(sens.t0 + tr) / sens.zero_tau))
                    + rng.normal(0.0, 0.03, tr.size), 1)
    meta = ["# device: 24-bit bridge ADC at 80 SPS, tared at power-on; board temperature logged",
            "# time: device seconds since power-on"]
    lines = _fmt([tr + sens.t0, lbf, temp], [3, 4, 1])
    return tr, lbf * LBF, ["t_s", "force_lbf", "board_temp_c"], meta, lines


def _attempt(spec: SessionSpec, attempt: int) -> Session:
    rng = np.random.default_rng([spec.seed, spec.index, attempt])
    sens = _sensor(spec.sensor, rng)
    tl, n, ends_open = _plan(spec, rng, sens)
    if sens.name == "send_on_delta":    # report steps under 2.5 % of every level: none looks like a step
        cap = float(np.floor(0.025 * min(h.level for h in tl.holds) * 100.0) / 100.0) if tl.holds else 0.5
        sens.delta = max(0.05, min(sens.delta, cap))
    dur = (n - 1) * DT
    if not 40.0 <= dur <= 200.0:
        raise Reject("duration out of range")
    tau = np.arange(n) * DT
    vib_env, f_vib = _features(tl, spec, n, sens)
    base = np.zeros(n)
    for mv in tl.moves:
        k = min(len(mv.shape), n - mv.i0)
        base[mv.i0:mv.i0 + k] += mv.delta * mv.shape[:k]
        base[mv.i0 + k:] += mv.delta
    for i0, prof in tl.pumps:
        base[i0:i0 + len(prof)] += prof[: n - i0]
    base = np.maximum(base, 0.0)
    mod = np.zeros(n)
    for h in tl.holds:
        for f in h.feats:
            k = min(len(f.prof), n - f.i0)
            mod[f.i0:f.i0 + k] += f.prof[:k]
    y_true = base * (1.0 + mod)
    # oscillations and motor noise (relative), not in the label signal
    trem_amp = np.zeros(n)
    trem_ph = np.zeros(n)
    motor = np.zeros(n)
    if spec.hand == "elderly":
        walk = np.cumsum(rng.normal(0.0, 1.0, n // 200 + 2))
        walk = (walk - walk.min()) / max(float(np.ptp(walk)), 1e-9)
        lo, hi = float(rng.uniform(0.015, 0.025)), float(rng.uniform(0.025, 0.035))
        trem_amp = np.interp(tau, np.arange(walk.size) * 1.0, lo + (hi - lo) * walk)
        f0 = float(rng.uniform(4.3, 5.7))
        fw = np.cumsum(rng.normal(0.0, 1.0, n // 400 + 2))
        fw = 0.3 * (fw - fw.mean()) / max(float(np.abs(fw - fw.mean()).max()), 1e-9)
        freq = f0 + np.interp(tau, np.arange(fw.size) * 2.0, fw)
        trem_ph = float(rng.uniform(0.0, 6.3)) + np.cumsum(2.0 * np.pi * freq * DT)
    if spec.hand != "actuator":
        fc = float(rng.uniform(1.0, 2.5))
        bb, aa = butter(2, fc / (0.5 / DT))
        noise = lfilter(bb, aa, rng.normal(0.0, 1.0, n + 400))[400:]
        motor = float(rng.uniform(0.002, 0.005)) * noise / max(float(np.std(noise)), 1e-12)
    osc_parts = {"trem_amp": trem_amp, "trem_ph": trem_ph, "vib_env": vib_env, "f_vib": f_vib,
                 "vib_ph1": float(rng.uniform(0.0, 6.3)), "vib_ph2": float(rng.uniform(0.0, 6.3)),
                 "motor": motor}
    osc_budget = trem_amp + 1.25 * vib_env
    averaged = sens.name == "avg_gauge"
    label = _boxcar(y_true, sens.window) if averaged else y_true + _zero_drift(sens, tau)
    avoid = [(mv.i0 * DT - 0.1, mv.end * DT) for mv in tl.moves]
    avoid += [(f.i0 * DT, (f.i0 + len(f.prof)) * DT + sens.window) for h in tl.holds for f in h.feats
              if f.kind in ("lift", "lean")]
    tr, rec, header, meta, lines = _sample(sens, rng, tau, y_true, label, osc_parts, avoid)
    t_last_rel = float(tr[-1])
    if np.any(np.diff(tr) > 1.0 + 1e-6):
        raise Reject("a silence longer than 1 s")
    grid = sens.t0 + tau
    i_last = int(np.floor(t_last_rel / DT + 1e-6))
    t_last = round(float(grid[0] + t_last_rel), 6)
    lab = _label(tl, label, grid, i_last, t_last, sens.window)
    if not lab.holds:
        raise Reject("no hold")
    _margins(tl, lab, label, osc_budget, i_last)
    rd = read_definitions(grid, label, t_last)
    prob = _compare(lab.holds, [h[3] for h in lab.holds], lab.steps, lab.releases, lab.exits, lab.optional,
                    rd)
    if prob:
        raise Reject("second reader disagrees: " + "; ".join(prob))
    for s, e, lv, _ in lab.holds:
        inside = rec[(tr + grid[0] >= s) & (tr + grid[0] <= e)]
        if inside.size < 3 or abs(float(np.median(inside)) / lv - 1.0) > 0.06:
            raise Reject("recorded median far from the level")
    models = _claims(spec, tl, lab, ends_open)
    factor = UNIT_N[sens.unit]
    nd = {"N": 3, "kg": 4, "g": 1, "lbf": 4}[sens.unit]
    labels: dict[str, Any] = {
        "unit": sens.unit,
        "time_column": header[0],
        "force_column": sens.force_col,
        "holds": [[round(s, 3), round(e, 3), round(lv / factor, nd)] for s, e, lv, _ in lab.holds],
        "holds_ended_by": [h[3] for h in lab.holds],
        "steps": [[round(t, 3), d] for t, d in lab.steps],
        "releases": [round(t, 3) for t in lab.releases],
        "band_exits": [[round(t, 3), d] for t, d in lab.exits],
        "band_exits_optional": [[round(t, 3), d] for t, d in lab.optional],
        "models": list(models),
        "notes": _notes(spec, sens, models),
        "generator": {"name": "blind_generator6", "seed": spec.seed, "session": spec.index,
                      "attempt": attempt, "sensor": spec.sensor, "protocol": spec.protocol,
                      "hand": spec.hand},
    }
    head = [f"# {spec.name}: blind_generator6 seed {spec.seed} session {spec.index} attempt {attempt}",
            f"# sensor {spec.sensor}, protocol {spec.protocol}, hand {spec.hand}", f"# unit: {sens.unit}",
            *meta, ",".join(header)]
    csv = ("\n".join(head + lines) + "\n").encode()
    text = _dumps(labels)
    return Session(spec.name, csv, (text + "\n").encode(), spec, attempt, grid, label, t_last, models,
                   sens.unit)


def _dumps(obj: dict[str, Any]) -> str:
    """JSON with one key per line and one list item (a hold, a step...) per line."""
    lines = []
    for key, val in obj.items():
        if isinstance(val, list) and val and all(isinstance(v, list) for v in val):
            inner = ",\n".join("  " + json.dumps(v) for v in val)
            lines.append(f" {json.dumps(key)}: [\n{inner}\n ]")
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(val)}")
    return "{\n" + ",\n".join(lines) + "\n}"


def _claims(spec: SessionSpec, tl: _Timeline, lab: _Labels, ends_open: bool) -> tuple[str, ...]:
    got = {spec.sensor}
    if spec.hand == "actuator":
        got.add("pid_ringing")
    else:
        got |= {"motor_noise", "trapezoid_moves"}
        if spec.hand == "elderly":
            got.add("slow_tremor")
    kinds = {f.kind for h in tl.holds for f in h.feats}
    got |= {name for kind, name in (("pulse", "attention_pulses"), ("creep", "creep_relaxation"),
                                    ("ease", "positional_ease")) if kind in kinds}
    if tl.pumps:
        got.add("pumping")
    mk = {tl.moves[h.end_move].kind for h in tl.holds if h.ended_by == "step"}  # type: ignore[index]
    if "slow" in mk:
        got.add("slow_step")
    if "step" in mk:
        got.add("fast_step")
    if any(d == "low" for _, d in lab.exits):
        got.add("partial_lift")
    if any(d == "high" for _, d in lab.exits):
        got.add("lean_in")
    if spec.protocol == "vibration_assist":
        got.add("vibration_assist")
    if tl.rests:
        got.add("light_contact_release")
    if ends_open:
        got.add("end_in_hold")
    return tuple(m for m in MODELS if m in got)


def _notes(spec: SessionSpec, sens: _Sensor, models: Sequence[str]) -> str:
    return (f"Synthetic session from blind_generator6 ({spec.protocol}, {spec.hand} hand, {spec.sensor}). "
            "Labels are read from the noise-free label signal (the sensor's deterministic response to the "
            "applied force, without tremor, vibration, noise or spikes) by the contract's Definitions: hold "
            "start = first time within +-8 % of its level, level = settled level (median of the first "
            "1.5 s), "
            "end = onset of the step or release, or the last row (end_of_data, see holds_ended_by). "
            "band_exits_optional: slow steps leaving the old band (allowed, not required). Sessions where a "
            "reading could differ were redrawn. Models: " + ", ".join(models) + ".")


def build(seed: int, i: int) -> Session:
    """Session ``i`` of ``seed``: the first attempt that passes every margin."""
    spec = session_spec(seed, i)
    reasons: dict[str, int] = {}
    for attempt in range(MAX_ATTEMPTS):
        try:
            return _attempt(spec, attempt)
        except Reject as exc:
            key = str(exc).split(":")[0]
            reasons[key] = reasons.get(key, 0) + 1
    raise RuntimeError(f"{spec.name}: no acceptable session in {MAX_ATTEMPTS} attempts: {reasons}")


def verify_labels(labels: dict[str, Any], sess: Session) -> list[str]:
    """Problems of a labels file (as read from disk) against the second reader on ``sess``'s label
    signal; empty when they agree."""
    try:
        factor = UNIT_N[str(labels["unit"])]
        holds = [(float(a), float(b), float(lv) * factor) for a, b, lv in labels["holds"]]
        ended = labels.get("holds_ended_by")
        steps = [(float(a), str(d)) for a, d in labels["steps"]]
        rel = [float(r[0] if isinstance(r, list) else r) for r in labels["releases"]]
        exits = [(float(a), str(d)) for a, d in labels.get("band_exits", [])]
        opt = [(float(a), str(d)) for a, d in labels.get("band_exits_optional", [])]
    except (KeyError, TypeError, ValueError) as exc:
        return [f"labels unreadable ({exc.__class__.__name__}: {exc})"]
    rd = read_definitions(sess.grid, sess.label_signal, sess.t_last)
    return _compare(holds, ended, steps, rel, exits, opt, rd)


# ------------------------------------------------------------------------------------------------------
# Command line
# ------------------------------------------------------------------------------------------------------
class _Usage(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:         # one sentence, exit 2, no usage dump
        raise _Usage(message)


def _args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = _Parser(prog="blind_generator6.py", description="Blind labelled sessions for the hold detector.")
    p.add_argument("out", metavar="OUT", help="output folder")
    p.add_argument("--seed", type=int, required=True, help="non-negative integer")
    p.add_argument("--sessions", type=int, default=None,
                   help="number of sessions (1-999; default 48, with --check: those found in OUT)")
    p.add_argument("--check", action="store_true", help="regenerate and compare with OUT, re-read labels")
    a = p.parse_args(argv)
    if a.seed < 0:
        raise _Usage(f"--seed must be a non-negative integer, not {a.seed}")
    if a.sessions is not None and not 1 <= a.sessions <= 999:
        raise _Usage(f"--sessions must be between 1 and 999, not {a.sessions}")
    return a


def _check(out: Path, seed: int, sessions: int) -> int:
    fails: list[str] = []
    for i in range(sessions):
        sess = build(seed, i)
        csv_p, lab_p = out / f"{sess.name}.csv", out / f"{sess.name}.labels.json"
        for p, want in ((csv_p, sess.csv), (lab_p, sess.labels)):
            if not p.is_file():
                fails.append(f"{p}: missing")
            elif p.read_bytes() != want:
                fails.append(f"{p}: differs from its regeneration")
        if lab_p.is_file():
            try:
                labels = json.loads(lab_p.read_text(encoding="utf-8"))
                prob = verify_labels(labels, sess) if isinstance(labels, dict) else ["not a JSON object"]
            except (ValueError, UnicodeDecodeError) as exc:
                prob = [f"not valid JSON ({exc})"]
            fails += [f"{lab_p}: second reader: {x}" for x in prob]
    for f in fails:
        print(f"FAIL {f}", file=sys.stderr)
    if fails:
        return 1
    print(f"ok: {sessions} sessions of seed {seed} in {out} match their regeneration and the second reader")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        a = _args(argv)
    except _Usage as exc:
        print(f"blind_generator6: {str(exc).rstrip('.')}.", file=sys.stderr)
        return 2
    out = Path(a.out)
    try:
        if a.check:
            if not out.is_dir():
                print(f"blind_generator6: cannot read {out}: not a folder.", file=sys.stderr)
                return 2
            next(out.iterdir(), None)
            n = a.sessions
            if n is None:       # the sessions of this seed that OUT holds (a gap is reported missing)
                found = [int(p.name[len(f"{PREFIX}_s{a.seed}_"):][:3]) for p in out.iterdir()
                         if p.name.startswith(f"{PREFIX}_s{a.seed}_") and p.name[-4:] in (".csv", "json")
                         and p.name[len(f"{PREFIX}_s{a.seed}_"):][:3].isdigit()]
                if not found:
                    print(f"FAIL {out}: no {PREFIX}_s{a.seed}_NNN files to check", file=sys.stderr)
                    return 1
                n = max(found) + 1
            return _check(out, a.seed, n)
        a.sessions = 48 if a.sessions is None else a.sessions
        out.mkdir(parents=True, exist_ok=True)
        for i in range(a.sessions):
            sess = build(a.seed, i)
            (out / f"{sess.name}.csv").write_bytes(sess.csv)
            (out / f"{sess.name}.labels.json").write_bytes(sess.labels)
    except OSError as exc:
        what = "read" if a.check else "write to"
        print(f"blind_generator6: cannot {what} {out}: {exc.strerror or exc}.", file=sys.stderr)
        return 2
    except RuntimeError as exc:       # no acceptable attempt (not seen in seeds 0-69): name the session
        print(f"FAIL {exc}", file=sys.stderr)
        return 1
    print(f"wrote {a.sessions} sessions of seed {a.seed} to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
