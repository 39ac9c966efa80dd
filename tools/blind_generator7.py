#!/usr/bin/env python
"""Blind generator 7: labelled pressure-hold sessions from an independent reading of the public contract.

Written from ``CONTRACT.md`` ("Definitions") alone, without the detector's source, so that its labels are an
independent reading of the contract. Each session is a CSV recording plus a ``.labels.json`` in the format of
``shared/realdata`` (read by ``score_detection.py --realdata``: the first column is time in seconds, the
labels name the force column and its unit).

Usage::

    python blind_generator7.py OUT --seed S [--sessions N]   # OUT/bg7_sS_NNN.csv + .labels.json [N = 48]
    python blind_generator7.py OUT --seed S [--sessions N] --check

``--check`` regenerates every session and compares both files byte for byte with OUT, and re-reads every
labels file with a second reader of the Definitions (:func:`read_label_signal`: it sees only the label
signal, never the plan) that must agree with it. Exit 0 = good, 1 = failures (each named on stderr), 2 = a
bad argument or an unusable OUT (one sentence on stderr). Randomness: ``numpy.random.default_rng([seed,
session, attempt])``; an attempt whose events lie too near a threshold of the Definitions (the rules below)
is rejected and the session redrawn with the next attempt. Sessions last 40-200 s; one seed of 48 is about
11 MB. Every model below appears in every seed of >= 15 sessions (round robin over sensors and hands).

Label signal and label rules
----------------------------
The *label signal* is the noise-free reading the file would show: the applied force (moves and the hand
models below, without tremor or motor noise) through the sensor's deterministic response (pad, transducer,
amplifier, ADC filter), before electrical noise and quantisation. Labels are read on it with the contract's
defaults (contact 2 N; hold >= 1.5 s within +-8 %; step >= 10 %, completed within 2 s, or a slow step of
<= 8 s followed by 3 s steady; release; relative band +-10 %, exit after 0.15 s outside, enter after 0.5 s
inside, watched from confirmation; a fast departure that comes back within 1 s does not end a hold; drift
under ~10 %/s does not end a hold), in the file's time base and force unit:

* ``holds`` ``[start, end, level]``: level = median of the label signal over the 1.5 s after the arrival
  has settled (the settled level); start = first moment after the arrival's onset at which the label signal
  is within 4 % of the level; end = onset of the move that ends it. The *onset* of a move is where its
  velocity in the label signal first reaches 5 % of its peak (the move alone through the sensor's linear
  filters); for a hold pinned at full scale, the moment the reading leaves full scale.
  ``holds_ended_by``: ``step`` or ``release`` (sessions end at rest, never inside a hold).
* ``steps`` ``[t, "up"|"down"]``: t = end of the hold it leaves. Fast steps complete within 1.6 s; slow
  (ratchet) steps take 3.0-6.5 s and are then held steady >= 4.5 s.
* ``releases``: onset of the drop at the end of a contact; the label signal is at rest (below 10 % of the
  level and below 1 N) within 1.6 s and stays there >= 2 s.
* ``band_exits`` ``[t, "high"|"low"]``: where the label signal leaves the band (|y/level - 1| > 0.10) in a
  confirmed hold; one per designed excursion (flinch, probe, drift), never within 2.5 s of a hold's start.
* ``band_exits_optional``: where a slow step leaves the old band before it can be recognised as a step
  (the contract allows an exit there: it is excused, not required).

Rejected (redrawn) when, on the label signal: a hold lasts < 3 s; an arrival takes > 0.6 s from +-10 % to
+-4 % of the level; outside its designed excursions a hold strays > 7.5 % from its level, its median lies
> 5 % from it, or it comes below 4 N; a run outside the band lasts 0.06-0.25 s (neither a twitch nor an
exit), runs of one excursion lie > 0.2 s apart or of two < 0.9 s apart, an excursion's exits differ from
its design or it peaks < 13 % off; a flinch or probe is away (> 8 %) for > 0.75 s; a band exit (or an
optional one) moves by > 0.4 s (0.3 s) when the level is read 1.5 % higher or lower; a step changes the
level by < 13 % (or by < 12 % from the force just before it), a fast step takes > 1.6 s, a slow one not
3.0-6.5 s or stalls (moves < 7 % in some 1.5 s); a release does not come to rest; a label lies within 1 s
of a clock correction; or the second reader disagrees (hold starts within 0.35 s, ends, steps and releases
within 0.3 s, exits within 0.4 s, levels within 2.5 %, same counts, directions and endings).

Moves and noise (every session)
-------------------------------
Arrivals, steps and releases have a lognormal velocity profile (Plamondon's kinematic theory of rapid human
movements, Biol. Cybern. 72:295, 1995) truncated to its 0.5-99.5 % quantiles, shape 0.2-0.4: arrivals
0.4-1.4 s, fast steps 0.4-1.5 s (x1.20-1.60 or x0.60-0.83), releases 0.25-1.2 s. Levels 12-110 N (thumb,
fingers), rests 2.5-6 s at 0 N, holds 4-15 s. In the file only, not in the labels: tremor 8-12 Hz (0.2-0.8 %
of the force, wandering phase), motor noise (< 2 Hz, 0.2-0.6 %), electrical noise, the sensor's resolution.

Hand / patient models
---------------------
``twitch``
    Local twitch response of a taut band under the thumb (Simons, Travell & Simons, Myofascial Pain and
    Dysfunction, 2nd ed. 1999; Hong, Arch Phys Med Rehabil 75:12, 1994): a half-cosine bump of 0.10-0.30 s
    (rise 25-40 %), +3-8 %, or +10-14 % lasting 0.10-0.13 s. Label: none (never 0.06 s outside the band).
``jump_sign``
    The patient flinches from a tender point (Simons et al. 1999): the force drops by 35-60 % in 0.05-0.10
    s, stays 0.12-0.25 s, returns to the level in 0.18-0.30 s. Label: the hold continues (back within 1 s);
    one band exit ``low``.
``body_lean``
    Body-weight lean through a straight arm (elbow, forearm, heel of hand), 150-450 N, as in
    posteroanterior mobilisation (Snodgrass, Rivett & Robertson, J Manipulative Physiol Ther 29:316, 2006),
    with the therapist's standing sway (Winter, Gait Posture 3:193, 1995): two sinusoids of 0.10-0.25 Hz,
    together 0.6-1.5 % of the force; holds 8-25 s. Label: holds as usual (sway is under 3 %/s).
``ischemic_steps``
    Ischaemic compression / trigger-point pressure release (Simons et al. 1999; Hou et al., Arch Phys Med
    Rehabil 83:1406, 2002): 15-45 N (120-220 N leaning), then 3-5 deepening steps of 14-21 % each (19-26 %
    on a piezo sensor, whose decay eats into them) within 0.4-1.5 s, holds 4-9 s; with probability 0.35 per
    hold a nudge of 3-5 % (0.3-0.7 s) that is not a step. Label: steps ``up``; nudges nothing.
``ratchet_ease``
    A cogwheel ease onto a new barrier: a slow deliberate change (x1.40-1.70 up, x0.55-0.72 down) over
    3.2-6.2 s made of 5-8 jerks of 0.15-0.30 s with pauses of 0.35-0.65 s (intermittent control: Miall,
    Weir & Stein, J Mot Behav 25:53, 1993); jerks of fairly even size, each >= 5 % of the old level (the
    first >= 6 %), the last 11-14 % of the new one, no pause within 3 % of the old band's edge, and every
    1.5 s of the ease moves the force by >= 7 % (no stall that could pass for a hold, no doubt where the
    change begins). Not combined with the sinc^3 ADC or the pad, which smear it into a ramp. Label: a slow
    step dated at the first jerk, the new hold starting after the last; the old band's exit during the
    ease is optional.
``recheck_probe``
    The therapist re-checks the barrier with a quick deeper press: +22-40 % (rise 0.06-0.12 s, dwell
    0.12-0.25 s, back 0.15-0.30 s) to the same level. Label: the hold continues; one band exit ``high``.
``drift_correct``
    A hold drifts out of band (lean-in or fade, 4.5-6.5 %/s, to 14-20 % off; force held without visual
    feedback drifts: Vaillancourt & Russell, Exp Brain Res 145:275, 2002) and is corrected back to the level
    in 0.35-0.8 s; it spans < 40 % of its hold. Label: the hold continues; one band exit (``high``/``low``).

Excursions start >= 3.5 s after a hold's arrival (later behind a slow pad or filter, >= 5 s after a slow
step) and end >= 2 s before its end; at most two per hold.

Sensor / transport models
-------------------------
``foam_pad``
    A viscoelastic pad (foam, gel) between hand and sensor as a standard linear (Zener) solid: reading =
    lowpass_tl(F + r * highpass_tr(F)), never below 0; lag tl 0.08-0.25 s, relaxation r 3-7 % with tr
    0.3-0.7 s: arrivals overshoot and relax, steps down undershoot. 50-500 Hz; also added to 20 % of other
    sessions. Label: on the relaxed reading.
``clip_fullscale``
    An amplifier that saturates at full scale (FS 40-120 N, leaning 260-500 N; 100-250 Hz): one contact steps
    from 45-68 % FS to an applied 112-130 % FS, which reads as a flat FS (no noise at the rail); other holds
    stay below 72 % FS. Label: what the file shows, a hold at FS ending where the reading leaves FS.
``piezo_ac``
    A piezoelectric sensor on a charge amplifier, AC coupled with its long time constant, 300-600 s
    (Gautschi, Piezoelectric Sensorics, Springer 2002), as in piezoelectric force plates; DAQ at 250-1000
    Hz, columns ``Time``/``Fz`` in N, levels >= 25 N, holds <= 15 s, sessions <= 120 s: holds decay
    (slow drift, 1-5 %), releases undershoot below zero (a few N) and recover slowly. Shorter time
    constants (20-200 s) are not used: a 10-s hold would then decay by 5-40 %, out of the hold's +-8 %,
    and the undershoot would pile up to tens of newtons. Not combined with drift_correct or body_lean (its
    300-N holds). Label: on the decaying reading.
``sinc3_10sps``
    A 24-bit delta-sigma ADC at 10 samples/s (+-1 % clock) whose sinc^3 filter averages the last 0.3 s
    (three conversion periods, e.g. AD7124/AD7192 data sheets): every change is smoothed over 0.3 s and
    shows intermediate conversions. Label: on the filtered signal.
``hysteresis_bow``
    A low-cost transducer with non-linearity and hysteresis (OIML R60 definitions; thin-film sensors specify
    a few % FS, e.g. Tekscan FlexiForce): a bow of 1-2 % FS (4u(1-u) shape, u = F/FS) plus a play-operator
    hysteresis of 1-2 % FS between loading and unloading branches (play width 3-6 % FS); FS 60-200 N
    (leaning 500-800 N), levels 30-72 % FS, 40-200 Hz. Each session has one loop L -> x1.3-1.6 -> L whose two
    holds at the same applied force read differently; a probe leaves a hold on its unloading branch.
    Label: on the reading.
``usb_batch``
    A USB-serial adapter and a host loop that reads what has arrived every 40-120 ms (2 % stalls of 200-300
    ms) and stamps the whole batch with that moment to the millisecond (FTDI latency timer, AN232B-04):
    device 100-200 Hz, so about 4-60 rows share a timestamp, then time jumps. Label: device time shifted by
    the batches' mean delay (about 0.05 s uncertain).
``clock_step``
    Rows stamped with the host's wall clock (Unix seconds, 20-100 Hz) which an NTP/chrony correction steps
    forward once by 0.05-0.5 s: a gap in the time column with no rows missing. (A backward step would make
    the file unreadable: read_real rejects time that goes backwards.) Label: in the stepped time base.
``unit_g``
    A scale module logging gram-force (1 g or 0.1 g resolution): ``unit`` "g", levels in grams.

Other units used: N and lbs. Sign-inverted (compression-negative) sensors are not modelled: the labels
format has no sign option and read_real takes the column as it is.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
from scipy.special import ndtr

GENERATOR = "blind_generator7"
VERSION = 1
PREFIX = "bg7"
FINE_HZ = 1000.0
READ_HZ = 200.0
MAX_ATTEMPTS = 60

# The contract's defaults (Definitions).
CONTACT_N = 2.0
HOLD_MIN_S = 1.5
HOLD_BAND = 0.08
STEP_MIN = 0.10
FAST_STEP_S = 2.0
SLOW_STEP_S = 8.0
SLOW_STEADY_S = 3.0
RETURN_S = 1.0
RELEASE_FRAC = 0.15
RELEASE_STAY_S = 1.0
TOLERANCE = 0.10
DEBOUNCE_S = 0.15
ENTER_S = 0.5
DRIFT_RATE = 0.10

# This generator's own label rules and margins.
START_TOL = 0.04
EXIT_MIN_RUN = 0.25
TWITCH_MAX_RUN = 0.06
NON_EXCURSION_DEV = 0.075

SENSOR_MODELS = ("clip_fullscale", "piezo_ac", "sinc3_10sps", "usb_batch", "clock_step", "hysteresis_bow",
                 "foam_pad")
HAND_MODELS = ("twitch", "jump_sign", "body_lean", "ischemic_steps", "ratchet_ease", "recheck_probe",
               "drift_correct")
EXTRA_MODELS = ("unit_g",)
ALL_MODELS = SENSOR_MODELS + HAND_MODELS + EXTRA_MODELS
EXCURSION_MODELS = ("twitch", "jump_sign", "recheck_probe", "drift_correct")

UNITS = {"N": 1.0, "g": 9.80665e-3, "lbs": 4.4482216152605}
Z995 = 2.5758293035489004


class UserError(Exception):
    """A bad argument or an unusable OUT: one sentence for stderr, exit 2."""


class Rejected(Exception):
    """A session attempt whose events lie too near a threshold: redraw."""


# ------------------------------------------------------------------------------------------------------
# Plan
# ------------------------------------------------------------------------------------------------------
@dataclass
class Change:
    """A change of the applied base force: ``delta`` N over ``dur`` s from ``t0``, lognormal profile."""

    t0: float
    dur: float
    delta: float
    sigma: float


@dataclass
class Excursion:
    """A relative perturbation of a hold (multiplies the base force) from t0 to t1."""

    kind: str
    t0: float
    t1: float
    params: tuple[float, ...]
    exit_dir: str | None


@dataclass
class HoldPlan:
    a0: float
    a1: float
    level: float
    end: float = 0.0
    end_change: int = -1
    ended_by: str = "release"
    slow: bool = False
    clipped: bool = False
    excursions: list[Excursion] = field(default_factory=list)


@dataclass
class SensorPlan:
    primary: str
    rate: float
    unit: str
    time_col: str
    force_col: str
    noise_n: float
    quantum: float
    decimals: int
    settle: float
    clip_n: float | None = None
    piezo_tau: float | None = None
    sinc3: bool = False
    hyst: tuple[float, float, float, float] | None = None
    foam: tuple[float, float, float] | None = None
    timing: str = "regular"
    t_offset: float = 0.0
    clock_step: tuple[float, float] | None = None
    meta: list[str] = field(default_factory=list)


@dataclass
class Plan:
    seed: int
    index: int
    attempt: int
    duration: float
    models: list[str]
    sensor: SensorPlan
    changes: list[Change] = field(default_factory=list)
    holds: list[HoldPlan] = field(default_factory=list)
    contacts: list[tuple[float, float]] = field(default_factory=list)
    sway: list[tuple[float, float, float]] = field(default_factory=list)
    evidence: dict[str, list[float]] = field(default_factory=dict)
    loops: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Labels:
    """Labels in device time and newtons (before the file's time base and unit)."""

    holds: list[tuple[float, float, float]] = field(default_factory=list)
    ended_by: list[str] = field(default_factory=list)
    steps: list[tuple[float, str]] = field(default_factory=list)
    releases: list[float] = field(default_factory=list)
    exits: list[tuple[float, str]] = field(default_factory=list)
    optional: list[tuple[float, str]] = field(default_factory=list)


@dataclass
class Session:
    plan: Plan
    t_fine: np.ndarray
    y_fine: np.ndarray
    applied: np.ndarray
    t_file: np.ndarray
    f_file: np.ndarray
    labels: Labels
    label_time: Callable[[float], float]
    csv_text: str
    labels_text: str
    name: str


def _u(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(rng.uniform(lo, hi))


def _logu(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def lognormal_profile(u: np.ndarray, sigma: float) -> np.ndarray:
    """Fraction done (0..1) of a lognormal-velocity movement at normalised time u (0..1)."""
    lo, hi = math.exp(-Z995 * sigma), math.exp(Z995 * sigma)
    x = lo + np.clip(u, 0.0, 1.0) * (hi - lo)
    return np.asarray(np.clip((ndtr(np.log(x) / sigma) - 0.005) / 0.99, 0.0, 1.0), dtype=float)


def _edge(u: np.ndarray) -> np.ndarray:
    """Raised-cosine edge 0 -> 1 on u in [0, 1]."""
    return np.asarray(0.5 - 0.5 * np.cos(np.pi * np.clip(u, 0.0, 1.0)), dtype=float)


def excursion_shape(ex: Excursion, t: np.ndarray) -> np.ndarray:
    """The relative perturbation of one excursion on the times t (zero outside [t0, t1])."""
    out = np.zeros_like(t)
    m = (t >= ex.t0) & (t <= ex.t1)
    if not m.any():
        return out
    s = t[m] - ex.t0
    p = ex.params
    if ex.kind == "twitch":
        amp, rise, total = p
        v = np.where(s < rise, _edge(s / rise), 1.0 - _edge((s - rise) / (total - rise)))
        out[m] = amp * v
    elif ex.kind in ("jump_sign", "recheck_probe"):
        amp, a, dwell, b = p
        v = np.where(s < a, _edge(s / a), np.where(s < a + dwell, 1.0, 1.0 - _edge((s - a - dwell) / b)))
        out[m] = amp * v
    elif ex.kind == "drift_correct":
        sign, rate, peak, corr, sigma = p
        tdrift = peak / rate
        v = np.where(s < tdrift, rate * s, peak * (1.0 - lognormal_profile((s - tdrift) / corr, sigma)))
        out[m] = sign * v
    return out


# ------------------------------------------------------------------------------------------------------
# Planning
# ------------------------------------------------------------------------------------------------------
def plan_sensor(rng: np.random.Generator, primary: str, extras: set[str], lean: bool) -> SensorPlan:
    unit = "g" if "unit_g" in extras else ("lbs" if rng.random() < 0.25 else "N")
    if primary == "piezo_ac":
        unit = "N"
    names = {"clip_fullscale": ("t_s", "force"), "piezo_ac": ("Time", "Fz"),
             "sinc3_10sps": ("time_s", "load"),
             "usb_batch": ("host_time_s", "force"), "clock_step": ("unix_time", "force"),
             "hysteresis_bow": ("t", "reading"), "foam_pad": ("t_s", "F")}
    tcol, fcol = names[primary]
    fcol = {"N": fcol + "_N", "g": fcol + "_g", "lbs": fcol + "_lbs"}[unit] if primary != "piezo_ac" else fcol
    rates = {"clip_fullscale": (100.0, 125.0, 200.0, 250.0), "piezo_ac": (250.0, 500.0, 1000.0),
             "usb_batch": (100.0, 125.0, 200.0), "clock_step": (20.0, 25.0, 50.0, 100.0),
             "hysteresis_bow": (40.0, 50.0, 100.0, 200.0), "foam_pad": (50.0, 100.0, 200.0, 500.0)}
    if primary == "sinc3_10sps":
        rate = 10.0 * (1.0 + _u(rng, -0.01, 0.01))
    else:
        rate = float(rng.choice(rates[primary]))
    scale = 6.0 if lean else 1.0
    noise = _logu(rng, 0.01, 0.06) * scale
    if primary == "sinc3_10sps":
        noise = _logu(rng, 0.003, 0.015) * scale
    if primary == "piezo_ac":
        noise = _logu(rng, 0.03, 0.12) * scale
    if unit == "g":
        quantum = float(rng.choice((0.1, 1.0)))
        decimals = 1 if quantum < 1.0 else 0
    elif unit == "lbs":
        quantum, decimals = 0.001, 3
    else:
        quantum = 0.001 if primary in ("sinc3_10sps", "piezo_ac") else 0.01
        decimals = 3 if quantum < 0.01 else 2
    sp = SensorPlan(primary=primary, rate=rate, unit=unit, time_col=tcol, force_col=fcol, noise_n=noise,
                    quantum=quantum, decimals=decimals, settle=0.2)
    if primary == "piezo_ac":
        sp.piezo_tau = _u(rng, 300.0, 600.0)
    if primary == "sinc3_10sps":
        sp.sinc3 = True
        sp.settle += 0.3
    if primary == "foam_pad" or "foam_pad" in extras:
        tl, r, tr = _u(rng, 0.08, 0.25), _u(rng, 0.03, 0.07), _u(rng, 0.3, 0.7)
        sp.foam = (tl, r, tr)
        sp.settle += 3.0 * tl + 2.0 * tr
    if primary == "usb_batch":
        sp.timing = "usb_batch"
        sp.t_offset = _u(rng, 0.5, 4.0)
    elif primary == "clock_step":
        sp.timing = "clock_step"
        sp.t_offset = round(1.70e9 + _u(rng, 0.0, 6.0e7), 3)
    else:
        sp.t_offset = round(_u(rng, 0.0, 30.0), 3) if rng.random() < 0.6 else 0.0
    if rng.random() < 0.5:
        sp.meta = [f"# recorded with {primary.replace('_', ' ')} set-up", f"# unit: {unit}",
                   f"# nominal rate: {rate:.1f} Hz"]
    return sp


@dataclass
class Ctx:
    rng: np.random.Generator
    hands: set[str]
    shown: set[str]
    sensor: SensorPlan
    lean: bool
    fs_clip: float | None
    fs_hyst: float | None
    first_gap: float
    heavy_done: bool = False
    loop_done: bool = False


def _excursion(rng: np.random.Generator, kind: str, t0: float) -> Excursion:
    if kind == "twitch":
        if rng.random() < 0.6:
            amp, total = _u(rng, 0.03, 0.08), _u(rng, 0.10, 0.30)
        else:
            amp, total = _u(rng, 0.10, 0.14), _u(rng, 0.10, 0.13)
        rise = total * _u(rng, 0.25, 0.40)
        return Excursion(kind, t0, t0 + total, (amp, rise, total), None)
    if kind == "jump_sign":
        depth, fall, dwell, back = _u(rng, 0.35, 0.60), _u(rng, 0.05, 0.10), _u(rng, 0.12, 0.25), \
            _u(rng, 0.18, 0.30)
        return Excursion(kind, t0, t0 + fall + dwell + back, (-depth, fall, dwell, back), "low")
    if kind == "recheck_probe":
        h, rise, dwell, back = _u(rng, 0.22, 0.40), _u(rng, 0.06, 0.12), _u(rng, 0.12, 0.25), \
            _u(rng, 0.15, 0.30)
        return Excursion(kind, t0, t0 + rise + dwell + back, (h, rise, dwell, back), "high")
    sign = 1.0 if rng.random() < 0.5 else -1.0
    rate, peak = _u(rng, 0.045, 0.065), _u(rng, 0.14, 0.20)
    corr, sigma = _u(rng, 0.35, 0.8), _u(rng, 0.2, 0.35)
    return Excursion("drift_correct", t0, t0 + peak / rate + corr, (sign, rate, peak, corr, sigma),
                     "high" if sign > 0 else "low")


def _fill_hold(ctx: Ctx, hold: HoldPlan, base_dur: float, allow: bool, cap: float | None) -> float:
    """Place excursions in a hold that starts (arrives) at hold.a1; returns its end (the next onset)."""
    rng = ctx.rng
    kinds = [k for k in EXCURSION_MODELS if k in ctx.hands] if allow else []
    wanted = []
    for k in kinds:
        if k not in ctx.shown or rng.random() < 0.3:
            wanted.append(k)
    rng.shuffle(wanted)
    wanted = wanted[:2]
    t = hold.a1 + (max(5.0, ctx.first_gap + 1.5) if hold.slow else ctx.first_gap) + _u(rng, 0.0, 1.5)
    exc: list[Excursion] = []
    for k in wanted:
        ex = _excursion(rng, k, t)
        exc.append(ex)
        t = ex.t1 + _u(rng, 2.0, 3.0)
    if exc:
        span = t - hold.a1
        drift = [e for e in exc if e.kind == "drift_correct"]
        if drift:
            span = max(span, 2.5 * sum(e.t1 - e.t0 for e in drift) + 1.0)
        dur = max(base_dur, span)
        if cap is not None and dur > cap:
            exc, dur = [], min(base_dur, cap)
    else:
        dur = base_dur if cap is None else min(base_dur, cap)
    hold.excursions = exc
    for e in exc:
        ctx.shown.add(e.kind)
    return hold.a1 + dur


def _move(rng: np.random.Generator, plan: Plan, t0: float, frm: float, to: float, lo: float,
          hi: float) -> float:
    dur = _u(rng, lo, hi)
    plan.changes.append(Change(t0, dur, to - frm, _u(rng, 0.2, 0.4)))
    return t0 + dur


def _ratchet(rng: np.random.Generator, plan: Plan, t0: float, frm: float, to: float) -> float | None:
    """A slow step made of 5-8 jerks; returns the end of the last jerk, or None if no draw fits."""
    sign = 1.0 if to > frm else -1.0
    for _ in range(60):
        last = sign * _u(rng, 0.11, 0.14) * to
        rest = (to - frm - last) * sign
        most = int(min(7, rest / (0.05 * frm)))
        if most < 4:
            continue
        n = int(rng.integers(4, most + 1)) + 1
        jerk = rng.uniform(0.15, 0.30, n)
        pause = rng.uniform(0.35, 0.65, n - 1)
        total = float(jerk.sum() + pause.sum())
        if not 3.2 <= total <= 6.2:
            continue
        sizes = np.append(sign * rest * rng.dirichlet(np.full(n - 1, 10.0)), last)
        if np.min(sizes * sign) < 0.05 * frm or sizes[0] * sign < 0.06 * frm:
            continue
        # no pause near the old band's edge: the ease leaves the band during a jerk
        pauses = np.abs(np.cumsum(sizes)[:-1]) / frm
        if np.any((pauses > TOLERANCE - 0.03) & (pauses < TOLERANCE + 0.03)):
            continue
        t = t0
        for k in range(n):
            plan.changes.append(Change(t, float(jerk[k]), float(sizes[k]), _u(rng, 0.2, 0.35)))
            t += float(jerk[k]) + (float(pause[k]) if k < n - 1 else 0.0)
        return t
    return None


def plan_contact(ctx: Ctx, plan: Plan, t0: float) -> float | None:
    """Plan one contact from t0 (press onset); returns the end of its release move."""
    rng = ctx.rng
    sp = ctx.sensor
    cap = min(0.05 * sp.piezo_tau, 15.0) if sp.piezo_tau else None
    lvl_cap = math.inf
    if ctx.fs_clip:
        lvl_cap = 0.72 * ctx.fs_clip
    if ctx.fs_hyst:
        lvl_cap = 0.72 * ctx.fs_hyst
    lo_lvl = 150.0 if ctx.lean else (25.0 if sp.piezo_tau else 12.0)
    if ctx.fs_hyst:
        lo_lvl = max(lo_lvl, 0.3 * ctx.fs_hyst)
    hi_lvl = min(450.0 if ctx.lean else 110.0, lvl_cap)

    kind = "generic"
    if ctx.fs_clip and not ctx.heavy_done:
        kind = "heavy"
    elif ctx.fs_hyst and not ctx.loop_done:
        kind = "loop"
    elif "ischemic_steps" in ctx.hands and ("ischemic_steps" not in ctx.shown or rng.random() < 0.3):
        kind = "ischemic"

    levels: list[float] = []
    kinds_of_change: list[str] = []
    if kind == "heavy":
        assert ctx.fs_clip is not None
        levels = [_u(rng, 0.45, 0.68) * ctx.fs_clip, _u(rng, 1.12, 1.30) * ctx.fs_clip]
        kinds_of_change = ["fast"]
        if rng.random() < 0.5:
            levels.append(_u(rng, 0.45, 0.70) * ctx.fs_clip)
            kinds_of_change.append("fast")
        ctx.heavy_done = True
    elif kind == "loop":
        assert ctx.fs_hyst is not None
        l1 = _u(rng, 0.30, 0.45) * ctx.fs_hyst
        levels = [l1, l1 * _u(rng, 1.3, 1.6), l1]
        kinds_of_change = ["fast", "fast"]
        ctx.loop_done = True
    elif kind == "ischemic":
        lo_isch = max(120.0, 0.8 * lo_lvl) if ctx.lean else max(15.0, lo_lvl)
        l1 = _u(rng, lo_isch, max(1.3 * lo_isch, 220.0 if ctx.lean else 45.0))
        n = int(rng.integers(3, 6))
        levels = [l1]
        extra = 0.05 if sp.piezo_tau else 0.0
        for _ in range(n):
            levels.append(levels[-1] * _u(rng, 1.14 + extra, 1.21 + extra))
        if levels[-1] > hi_lvl:
            scale = hi_lvl / levels[-1]
            levels = [x * scale for x in levels]
        if levels[0] < lo_lvl * 0.8 and not ctx.lean:
            return None
        kinds_of_change = ["fast"] * n
        ctx.shown.add("ischemic_steps")
    else:
        n_holds = int(rng.integers(1, 4))
        if "ratchet_ease" in ctx.hands and "ratchet_ease" not in ctx.shown:
            n_holds = max(n_holds, 2)
        levels = [_logu(rng, lo_lvl, hi_lvl)]
        for _ in range(n_holds - 1):
            slow = "ratchet_ease" in ctx.hands and ("ratchet_ease" not in ctx.shown or rng.random() < 0.4)
            now = levels[-1]
            up_ok = now * (1.42 if slow else 1.22) <= hi_lvl
            down_ok = now * (0.7 if slow else 0.8) >= lo_lvl
            if not (up_ok or down_ok):
                break
            up = up_ok and (not down_ok or rng.random() < 0.5)
            if slow:
                r = _u(rng, 1.40, min(1.70, hi_lvl / now)) if up else _u(rng, max(0.55, lo_lvl / now), 0.72)
            else:
                r = _u(rng, 1.2, min(1.6, hi_lvl / now)) if up else _u(rng, max(0.6, lo_lvl / now), 0.83)
            levels.append(now * r)
            kinds_of_change.append("slow" if slow else "fast")
            if slow:
                ctx.shown.add("ratchet_ease")
    if min(levels) < 12.0:
        return None

    a1 = _move(rng, plan, t0, 0.0, levels[0], 0.4, 1.4)
    holds: list[HoldPlan] = []
    cur = HoldPlan(a0=t0, a1=a1, level=levels[0])
    for i, lvl in enumerate(levels):
        clipped = bool(ctx.fs_clip and lvl > ctx.fs_clip)
        cur.clipped = clipped
        if ctx.lean:
            base = _u(rng, 8.0, 25.0)
        elif kind == "ischemic":
            base = _u(rng, 4.0, 9.0)
        else:
            base = _u(rng, 4.0, 15.0)
        if kind == "loop":
            base = _u(rng, 6.0, 12.0)
        if cur.slow:
            base = max(base, _u(rng, 5.0, 8.0))
        end = _fill_hold(ctx, cur, base, allow=not clipped, cap=cap)
        if kind == "ischemic" and not cur.excursions and end - cur.a1 >= 6.0 and rng.random() < 0.35:
            tn = cur.a1 + _u(rng, min(max(2.5, ctx.first_gap), end - cur.a1 - 2.2), end - cur.a1 - 2.2)
            size = _u(rng, 0.03, 0.05) * (1.0 if rng.random() < 0.6 else -1.0)
            plan.changes.append(Change(tn, _u(rng, 0.3, 0.7), size * lvl, _u(rng, 0.2, 0.35)))
            plan.evidence.setdefault("nudge", []).append(tn)
            lvl_now = lvl * (1.0 + size)
        else:
            lvl_now = lvl
        cur.end = end
        cur.end_change = len(plan.changes)
        holds.append(cur)
        if i + 1 < len(levels):
            nxt = levels[i + 1]
            cur.ended_by = "step"
            if kinds_of_change[i] == "slow":
                a1n = _ratchet(rng, plan, end, lvl_now, nxt)
                if a1n is None:
                    return None
                plan.evidence.setdefault("ratchet_ease", []).append(end)
            else:
                a1n = _move(rng, plan, end, lvl_now, nxt, 0.4, 1.5)
            cur = HoldPlan(a0=end, a1=a1n, level=nxt, slow=kinds_of_change[i] == "slow")
        else:
            cur.ended_by = "release"
            t_end = _move(rng, plan, end, lvl_now, 0.0, 0.25, 1.2)
    if kind == "loop":
        plan.loops.append((len(plan.holds), len(plan.holds) + 2))
    plan.holds.extend(holds)
    plan.contacts.append((t0, t_end))
    if ctx.lean:
        f1, f2 = _u(rng, 0.10, 0.25), _u(rng, 0.10, 0.25)
        amp = _u(rng, 0.006, 0.015)
        share = _u(rng, 0.5, 0.8)
        plan.sway.append((amp * share, f1, _u(rng, 0.0, 2 * math.pi)))
        plan.sway.append((amp * (1 - share), f2, _u(rng, 0.0, 2 * math.pi)))
    return t_end


def plan_session(seed: int, index: int, attempt: int, rng: np.random.Generator) -> Plan:
    primary = SENSOR_MODELS[index % len(SENSOR_MODELS)]
    hand_primary = HAND_MODELS[(index + index // len(SENSOR_MODELS)) % len(HAND_MODELS)]
    if primary == "piezo_ac" and hand_primary in ("drift_correct", "body_lean"):
        hand_primary = "twitch" if hand_primary == "body_lean" else "recheck_probe"
    if primary in ("sinc3_10sps", "foam_pad") and hand_primary == "ratchet_ease":
        hand_primary = "ischemic_steps"
    hands = {hand_primary} | {m for m in HAND_MODELS if rng.random() < 0.3}
    if primary == "piezo_ac":
        hands -= {"drift_correct", "body_lean"}
    if primary in ("sinc3_10sps", "foam_pad"):
        hands.discard("ratchet_ease")
    if primary == "clip_fullscale" and rng.random() < 0.5:
        hands.add("body_lean")
    extras: set[str] = set()
    if primary not in ("foam_pad", "piezo_ac") and "ratchet_ease" not in hands and rng.random() < 0.2:
        extras.add("foam_pad")
    if primary != "piezo_ac" and (rng.random() < 0.25 or index % 15 == 14):
        extras.add("unit_g")
    lean = "body_lean" in hands
    sp = plan_sensor(rng, primary, extras, lean)
    fs_clip = fs_hyst = None
    if primary == "clip_fullscale":
        fs_clip = _u(rng, 260.0, 500.0) if lean else _u(rng, 40.0, 120.0)
        sp.clip_n = fs_clip
    if primary == "hysteresis_bow":
        fs_hyst = _u(rng, 500.0, 800.0) if lean else _u(rng, 60.0, 200.0)
        sp.hyst = (fs_hyst, _u(rng, 0.01, 0.02), _u(rng, 0.01, 0.02), _u(rng, 0.03, 0.06))
    target = _u(rng, 45.0, 200.0)
    if sp.rate >= 1000.0:
        target = min(target, 140.0)
    if sp.piezo_tau:
        target = min(target, 120.0)
    first_gap = max(3.5, sp.settle + 2.5)
    models = sorted({primary} | extras | hands)
    plan = Plan(seed, index, attempt, 0.0, models, sp)
    ctx = Ctx(rng, hands, set(), sp, lean, fs_clip, fs_hyst, first_gap)
    t = _u(rng, 1.5, 4.0)
    tries = 0
    while True:
        n_changes, n_holds = len(plan.changes), len(plan.holds)
        evidence = {k: list(v) for k, v in plan.evidence.items()}
        shown_before = set(ctx.shown)
        flags = (ctx.heavy_done, ctx.loop_done)
        n_sway = len(plan.sway)
        end = plan_contact(ctx, plan, t)
        if end is None or end + 2.5 > target:
            del plan.changes[n_changes:]
            del plan.holds[n_holds:]
            del plan.sway[n_sway:]
            plan.evidence = evidence
            plan.loops = [lp for lp in plan.loops if lp[1] < n_holds]
            plan.contacts = [c for c in plan.contacts if c[0] < t]
            ctx.shown = shown_before
            ctx.heavy_done, ctx.loop_done = flags
            tries += 1
            if end is None and tries < 20:
                continue
            break
        t = end + _u(rng, 2.5, 6.0)
    if not plan.holds:
        raise Rejected("no contact fits")
    plan.duration = round(max(t, plan.contacts[-1][1] + 2.5), 3)
    if plan.duration < 40.0:
        raise Rejected("session shorter than 40 s")
    missing = [m for m in hands if m != "body_lean" and m not in ctx.shown]
    if hand_primary in missing or (fs_clip and not ctx.heavy_done) or (fs_hyst and not ctx.loop_done):
        raise Rejected(f"model {hand_primary} not shown")
    plan.models = sorted(m for m in plan.models if m not in missing)
    for h in plan.holds:
        for e in h.excursions:
            plan.evidence.setdefault(e.kind, []).append(e.t0)
    if primary == "clock_step":
        plan.sensor.clock_step = (_u(rng, 10.0, plan.duration - 10.0), _u(rng, 0.05, 0.5))
    return plan


# ------------------------------------------------------------------------------------------------------
# Signals
# ------------------------------------------------------------------------------------------------------
def applied_force(plan: Plan, t: np.ndarray) -> np.ndarray:
    """The applied force (N) on the times t, without tremor or motor noise."""
    base = np.zeros_like(t)
    for c in plan.changes:
        i0 = int(np.searchsorted(t, c.t0))
        if i0 >= t.size:
            continue
        base[i0:] += c.delta * lognormal_profile((t[i0:] - c.t0) / c.dur, c.sigma)
    base = np.maximum(base, 0.0)
    rel = np.zeros_like(t)
    for amp, f, ph in plan.sway:
        rel += amp * np.sin(2 * math.pi * f * t + ph)
    for h in plan.holds:
        for e in h.excursions:
            rel += excursion_shape(e, t)
    return np.asarray(base * (1.0 + rel), dtype=float)


def _sps() -> Any:
    """scipy.signal, imported when first needed (it takes a second to import: argument errors do not wait)."""
    from scipy import signal

    return signal


def _lowpass(x: np.ndarray, tau: float, dt: float) -> np.ndarray:
    a = math.exp(-dt / tau)
    return np.asarray(_sps().lfilter([1.0 - a], [1.0, -a], x), dtype=float)


def _highpass(x: np.ndarray, tau: float, dt: float) -> np.ndarray:
    a = math.exp(-dt / tau)
    return np.asarray(_sps().lfilter([a, -a], [1.0, -a], x), dtype=float)


def _play(x: np.ndarray, w: float) -> np.ndarray:
    out = np.empty_like(x)
    p = 0.0
    for i, v in enumerate(x.tolist()):
        if v - p > w:
            p = v - w
        elif p - v > w:
            p = v + w
        out[i] = p
    return out


def move_onset(sp: SensorPlan, c: Change) -> float:
    """Onset of a move in the label signal: where its velocity, through the sensor's linear filters (pad,
    ADC filter), first reaches 5 % of its peak."""
    dt = 1.0 / FINE_HZ
    tt = np.arange(-0.2, c.dur + 1.5, dt)
    x = lognormal_profile(tt / c.dur, c.sigma)
    if sp.foam:
        tl, r, tr = sp.foam
        x = _lowpass(x + r * _highpass(x, tr, dt), tl, dt)
    if sp.sinc3:
        x = _sinc3(sp, x)
    v = np.abs(np.gradient(x, dt))
    return c.t0 + float(tt[int(np.argmax(v >= 0.05 * float(np.max(v))))])


def _sinc3(sp: SensorPlan, x: np.ndarray) -> np.ndarray:
    n = round(FINE_HZ / sp.rate)
    box = np.ones(n) / n
    k = np.convolve(np.convolve(box, box), box)
    return np.asarray(_sps().fftconvolve(x, k)[: x.size], dtype=float)


def respond(sp: SensorPlan, x: np.ndarray, dt: float, clip: bool = True) -> np.ndarray:
    """The sensor's deterministic response: pad, transducer, amplifier (clip), ADC filter."""
    y = x
    if sp.foam:
        tl, r, tr = sp.foam
        y = np.maximum(_lowpass(y + r * _highpass(y, tr, dt), tl, dt), 0.0)
    if sp.hyst:
        fs, hyst, bow, width = sp.hyst
        u = np.clip(y / fs, 0.0, 1.0)
        shape = 4.0 * u * (1.0 - u)
        p = _play(y, width * fs)
        y = y + bow * fs * shape + 0.5 * hyst * fs * shape * (p - y) / (width * fs)
    if sp.piezo_tau:
        y = _highpass(y, sp.piezo_tau, dt)
    if clip and sp.clip_n:
        y = np.minimum(y, sp.clip_n)
    if sp.sinc3:
        y = _sinc3(sp, y)
    return y


def hand_noise(rng: np.random.Generator, t: np.ndarray, applied: np.ndarray) -> np.ndarray:
    """Tremor (8-12 Hz) and motor noise (< 3 Hz) in proportion to the force: the file only."""
    f_tr = _u(rng, 8.0, 12.0)
    a_tr = _u(rng, 0.002, 0.008)
    wander = np.cumsum(rng.normal(0.0, 0.02, t.size))
    trem = a_tr * np.sin(2 * math.pi * f_tr * t + wander)
    motor = _lowpass(rng.normal(0.0, 1.0, t.size), 1.0 / (2 * math.pi * 2.0), 1.0 / FINE_HZ)
    motor *= _u(rng, 0.002, 0.006) / max(float(np.std(motor)), 1e-12)
    return np.asarray(applied * (trem + motor), dtype=float)


def sample_times(rng: np.random.Generator, sp: SensorPlan, duration: float) -> np.ndarray:
    n = int(duration * sp.rate)
    return np.arange(n) / sp.rate


def file_times(rng: np.random.Generator, sp: SensorPlan, td: np.ndarray) -> tuple[np.ndarray, float]:
    """The file's time column for device times td, and the mean shift of a label time (device -> file)."""
    if sp.timing == "usb_batch":
        arrive = td + rng.uniform(0.002, 0.006, td.size)
        polls = [td[0] + _u(rng, 0.0, 0.05)]
        end = float(arrive[-1]) + 0.5
        while polls[-1] < end:
            gap = _u(rng, 0.04, 0.12) if rng.random() > 0.02 else _u(rng, 0.2, 0.3)
            polls.append(polls[-1] + gap)
        parr = np.array(polls)
        host = parr[np.searchsorted(parr, arrive)]
        host = np.round(host + sp.t_offset, 3)
        return host, float(np.mean(host - td))
    if sp.timing == "clock_step":
        assert sp.clock_step is not None
        ts, d = sp.clock_step
        return np.round(td + sp.t_offset + np.where(td >= ts, d, 0.0), 3), sp.t_offset
    return np.round(td + sp.t_offset, 3), sp.t_offset


def label_time_fn(sp: SensorPlan, shift: float) -> Callable[[float], float]:
    if sp.timing == "clock_step":
        assert sp.clock_step is not None
        ts, d = sp.clock_step

        def fn_step(tau: float) -> float:
            return round(tau + shift + (d if tau >= ts else 0.0), 3)

        return fn_step

    def fn(tau: float) -> float:
        return round(tau + shift, 3)

    return fn


# ------------------------------------------------------------------------------------------------------
# Plan-aware labels and margins
# ------------------------------------------------------------------------------------------------------
def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Half-open index runs where mask is True."""
    if mask.size == 0:
        return []
    d = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))


def plan_labels(plan: Plan, t: np.ndarray, y: np.ndarray) -> tuple[Labels, list[str]]:
    """Labels from the plan, measured on the label signal y (fine grid); and margin violations."""
    sp = plan.sensor
    dt = t[1] - t[0]
    bad: list[str] = []
    lab = Labels()

    def ix(x: float) -> int:
        return int(min(max(round(x / dt), 0), t.size - 1))

    info: list[tuple[float, float, float]] = []
    for h in plan.holds:
        w0, w1 = ix(h.a1 + sp.settle), ix(h.a1 + sp.settle + HOLD_MIN_S)
        level = float(np.median(y[w0:w1]))
        dev = y / level - 1.0
        seg = np.flatnonzero(np.abs(dev[ix(h.a0):w1]) <= START_TOL)
        if seg.size == 0:
            raise Rejected("hold never arrives")
        i_start = ix(h.a0) + int(seg[0])
        start = float(t[i_start])
        i10 = ix(h.a0) + int(np.flatnonzero(np.abs(dev[ix(h.a0):w1]) <= TOLERANCE)[0])
        if start - t[i10] > 0.6:
            bad.append(f"hold at {start:.2f} s arrives slowly ({start - t[i10]:.2f} s from 10 % to 4 %)")
        end = move_onset(sp, plan.changes[h.end_change])
        if h.clipped and sp.clip_n is not None:
            k = np.flatnonzero(y[ix(h.end):] < sp.clip_n * (1.0 - 1e-9))
            end = float(t[ix(h.end) + int(k[0])])
            if np.any(y[i_start + ix(0.5):ix(h.end)] < sp.clip_n * (1.0 - 1e-9)):
                bad.append(f"clipped hold at {start:.2f} s leaves full scale")
        if end - start < 3.0:
            bad.append(f"hold at {start:.2f} s lasts only {end - start:.2f} s")
        info.append((start, end, level))
        i_end = ix(end)
        # designed excursions
        windows = [(ix(e.t0 - 0.05), ix(e.t1 + 0.4)) for e in h.excursions]
        calm = np.ones(i_end - i_start, dtype=bool)
        for a, b in windows:
            calm[max(a - i_start, 0):max(b - i_start, 0)] = False
        if calm.any() and np.max(np.abs(dev[i_start:i_end][calm])) > NON_EXCURSION_DEV:
            kk = int(np.argmax(np.where(calm, np.abs(dev[i_start:i_end]), 0.0)))
            bad.append(f"hold at {start:.2f} s strays {100 * dev[i_start + kk]:+.1f} % "
                       f"at {t[i_start + kk]:.2f} s")
        med = float(np.median(y[i_start:i_end]))
        if abs(med / level - 1.0) > 0.05:
            bad.append(f"hold at {start:.2f} s: median {med:.2f} N is {100 * (med / level - 1):+.1f} % off")
        if np.min(y[i_start:i_end]) < 4.0:
            bad.append(f"hold at {start:.2f} s comes near the contact threshold")
        # outside-band runs
        out = np.abs(dev[i_start:i_end]) > TOLERANCE
        runs = [(a + i_start, b + i_start) for a, b in _runs(out)]
        groups: list[list[tuple[int, int]]] = []
        for r in runs:
            dur = (r[1] - r[0]) * dt
            if TWITCH_MAX_RUN <= dur < EXIT_MIN_RUN:
                bad.append(f"outside-band run of {dur:.3f} s at {t[r[0]]:.2f} s")
            if dur < TWITCH_MAX_RUN:
                if not any(e.kind == "twitch" and e.t0 - 0.05 <= t[r[0]] <= e.t1 + 0.05
                           for e in h.excursions):
                    bad.append(f"unexpected blip outside the band at {t[r[0]]:.2f} s")
                continue
            if groups and (r[0] - groups[-1][-1][1]) * dt <= 0.2:
                groups[-1].append(r)
            else:
                if groups and (r[0] - groups[-1][-1][1]) * dt < 0.9:
                    bad.append(f"band excursions {t[r[0]]:.2f} s too close to the previous one")
                groups.append([r])
        designed = [e for e in h.excursions if e.exit_dir]
        if len(groups) != len(designed):
            bad.append(f"hold at {start:.2f} s: {len(groups)} excursions out of band, "
                       f"{len(designed)} designed")
            continue
        for g, e in zip(groups, designed, strict=True):
            tg = float(t[g[0][0]])
            if tg < start + 2.5:
                bad.append(f"band exit at {tg:.2f} s too soon after the hold start")
            if not e.t0 - 0.05 <= tg <= e.t1:
                bad.append(f"band exit at {tg:.2f} s outside its excursion")
            side = "high" if dev[g[0][0]] > 0 else "low"
            if side != e.exit_dir:
                bad.append(f"band exit at {tg:.2f} s goes {side}")
            peak = float(np.max(np.abs(dev[g[0][0]:g[-1][1]])))
            if peak < TOLERANCE + 0.03:
                bad.append(f"band exit at {tg:.2f} s only reaches {100 * peak:.1f} %")
            if e.kind in ("jump_sign", "recheck_probe"):
                away = np.flatnonzero(np.abs(dev[ix(e.t0 - 0.05):ix(e.t1 + 0.5)]) > HOLD_BAND)
                if away.size and (away[-1] - away[0]) * dt > 0.75:
                    bad.append(f"{e.kind} at {e.t0:.2f} s stays away {(away[-1] - away[0]) * dt:.2f} s")
            # exit time: where the signal first leaves the band after the excursion's onset; it must not
            # move by more than 0.4 s when the level is read 1.5 % higher or lower
            ex_t = []
            for f in (1.0, 0.985, 1.015):
                k = np.flatnonzero(np.abs(y[ix(e.t0):ix(e.t1) + 1] / (level * f) - 1.0) > TOLERANCE)
                ex_t.append(float(t[ix(e.t0) + int(k[0])]) if k.size else math.inf)
            if max(abs(x - ex_t[0]) for x in ex_t) > 0.4:
                bad.append(f"band exit at {ex_t[0]:.2f} s is too sensitive to the level")
            lab.exits.append((ex_t[0], e.exit_dir or ""))
    # holds, steps, releases
    for i, (h, (start, end, level)) in enumerate(zip(plan.holds, info, strict=True)):
        lab.holds.append((start, end, level))
        lab.ended_by.append(h.ended_by)
        if h.ended_by == "step":
            nxt = info[i + 1]
            ratio = nxt[2] / level
            pre = float(np.median(y[ix(end - 1.0):ix(end)]))
            if abs(ratio - 1.0) < 0.13 or abs(nxt[2] / pre - 1.0) < 0.12:
                bad.append(f"step at {end:.2f} s changes the level by only {100 * (ratio - 1):+.1f} %")
            dur = nxt[0] - end
            if plan.holds[i + 1].slow:
                if not 3.0 <= dur <= 6.5:
                    bad.append(f"slow step at {end:.2f} s takes {dur:.2f} s")
                if nxt[1] - nxt[0] < 4.5:
                    bad.append(f"slow step at {end:.2f} s is not held 4.5 s")
                # steady progress: every 1.5 s inside the ease moves the force by >= 7 % (no stall that
                # could pass for a hold, no doubt where it begins)
                ease = y[ix(end):ix(nxt[0]) + 1]
                w = round(HOLD_MIN_S / dt)
                if ease.size > w and np.min(np.abs(ease[w:] - ease[:-w])) < 0.07 * level:
                    bad.append(f"slow step at {end:.2f} s stalls for 1.5 s")
                d = "high" if ratio > 1 else "low"
                cross = []
                for f in (1.0, 0.985, 1.015):
                    rel = (y[ix(end):ix(nxt[0]) + 1] / (level * f) - 1.0) * (1 if ratio > 1 else -1)
                    kx = np.flatnonzero(rel > TOLERANCE)
                    cross.append(float(t[ix(end) + int(kx[0])]) if kx.size else math.inf)
                if max(abs(x - cross[0]) for x in cross) > 0.3:
                    bad.append(f"slow step at {end:.2f} s leaves the old band at an ill-defined moment")
                else:
                    lab.optional.append((cross[0], d))
            elif dur > 1.6:
                bad.append(f"step at {end:.2f} s takes {dur:.2f} s")
            lab.steps.append((end, "up" if ratio > 1 else "down"))
        else:
            lab.releases.append(end)
            i0 = ix(end)
            rest_end = plan.holds[i + 1].a0 if i + 1 < len(plan.holds) else plan.duration
            floor = min(0.10 * level, 1.0)
            low = np.flatnonzero(y[i0:ix(rest_end)] < floor)
            if low.size == 0 or low[0] * dt > 1.6:
                bad.append(f"release at {end:.2f} s does not come to rest within 1.6 s")
            else:
                rest = y[i0 + int(low[0]):ix(rest_end)]
                if rest.size * dt < 2.0 or np.max(rest) > floor:
                    bad.append(f"rest after the release at {end:.2f} s is short or not at rest")
    if sp.clock_step:
        ts = sp.clock_step[0]
        times = [x for h in lab.holds for x in h[:2]] + [s[0] for s in lab.steps] + lab.releases + \
            [e[0] for e in lab.exits] + [e[0] for e in lab.optional]
        if any(abs(x - ts) < 1.0 for x in times):
            bad.append(f"a label lies within 1 s of the clock correction at {ts:.2f} s")
    return lab, bad


# ------------------------------------------------------------------------------------------------------
# The second reader: the Definitions applied to the label signal alone
# ------------------------------------------------------------------------------------------------------
def _onset(t: np.ndarray, y: np.ndarray, dep: int, level: float, lo: int) -> int:
    """Onset of the move whose fast part begins at index dep: where y leaves the trend of the
    0.5 s before it by more than 0.5 % of the level (searching back from dep, never before lo)."""
    dt = t[1] - t[0]
    r1 = max(dep - round(0.35 / dt), lo + 2)
    r0 = max(r1 - round(0.5 / dt), lo)
    if r1 - r0 < 3:
        return int(dep)
    slope, icpt = np.polyfit(t[r0:r1] - t[r1], y[r0:r1], 1)
    pred = icpt + slope * (t[r0:dep + 1] - t[r1])
    far = np.flatnonzero(np.abs(y[r0:dep + 1] - pred) > 0.005 * level)
    if far.size == 0:
        return int(dep)
    # last index before dep at which y was still on the trend
    near = np.flatnonzero(np.abs(y[r0:dep + 1] - pred) <= 0.005 * level)
    near = near[near < (dep - r0)]
    if near.size == 0:
        return int(r0)
    return int(r0 + int(near[-1]))


def read_label_signal(t: np.ndarray, y: np.ndarray) -> Labels:
    """Holds, steps, releases and band exits of a noise-free force (N) on uniform times t, read with the
    contract's Definitions only."""
    dt = float(t[1] - t[0])
    n_hold = round(HOLD_MIN_S / dt)
    v = np.gradient(y, dt)
    moving = np.abs(v) / np.maximum(np.abs(y), CONTACT_N) > DRIFT_RATE
    lab = Labels()
    for c0, c1 in _runs(y > CONTACT_N):
        steady = [(a + c0, b + c0) for a, b in _runs(~moving[c0:c1])]
        found: list[dict[str, Any]] = []
        k = 0
        while k < len(steady):
            a, b = steady[k]
            if (b - a) < n_hold:
                k += 1
                continue
            l0 = float(np.median(y[a:a + n_hold]))
            i = max(a - round(0.5 / dt), c0)
            while i < b and abs(y[i] / l0 - 1.0) > 0.05:
                i += 1
            level = float(np.median(y[i:i + n_hold]))
            if np.any(np.abs(y[i:i + n_hold] / level - 1.0) > HOLD_BAND):
                k += 1
                continue
            # the settled level: after an overshoot's tail has relaxed
            level = float(np.median(y[i + round(0.8 / dt):i + round(0.8 / dt) + n_hold]))
            parts = [(a, b)]
            j = k
            while True:
                dep = steady[j][1]
                nxt = None
                for jj in range(j + 1, len(steady)):
                    a2, b2 = steady[jj]
                    if (a2 - dep) * dt >= 2.0:
                        break
                    ref = float(np.mean(y[a2:min(b2, a2 + round(0.2 / dt))]))
                    if abs(ref / level - 1.0) > HOLD_BAND:
                        continue
                    away = np.flatnonzero(np.abs(y[dep:a2] / level - 1.0) > HOLD_BAND)
                    back = (int(away[-1]) + 1) * dt if away.size else 0.0
                    if back < RETURN_S:
                        nxt = jj
                    break
                if nxt is None:
                    break
                parts.append(steady[nxt])
                j = nxt
            found.append({"start": i, "level": level, "parts": parts})
            k = j + 1
        # where each hold ends: the onset of its departure (a staircase of jerks counts from its first)
        for hd in found:
            parts = hd["parts"]
            dep = parts[-1][1]
            after = y[dep:min(dep + round(1.0 / dt), c1)]
            if after.size == 0:
                after = y[dep - 1:dep]
            s = 1.0 if float(np.mean(after)) > hd["level"] else -1.0
            while len(parts) >= 2 and (parts[-1][1] - parts[-1][0]) * dt < 1.4 and \
                    (y[parts[-1][0]] - y[parts[-2][1] - 1]) * s > 0:
                parts = parts[:-1]
            hd["parts"] = parts
            hd["dep"] = parts[-1][1]
            hd["end"] = _onset(t, y, parts[-1][1], hd["level"], hd["start"])
        for q, hd in enumerate(found):
            start, end, level = t[hd["start"]], t[hd["end"]], hd["level"]
            lab.holds.append((float(start), float(end), level))
            # band exits while the hold is confirmed
            w0, w1 = hd["start"] + n_hold, hd["end"]
            state_in, run_out, run_in = True, 0, 0
            for idx in range(w0, w1):
                dev = y[idx] / level - 1.0
                if abs(dev) > TOLERANCE:
                    run_out += 1
                    run_in = 0
                    if state_in and run_out * dt >= DEBOUNCE_S:
                        first = idx - run_out + 1
                        lab.exits.append((float(t[first]), "high" if y[first] > level else "low"))
                        state_in = False
                else:
                    run_in += 1
                    run_out = 0
                    if not state_in and run_in * dt >= ENTER_S:
                        state_in = True
            # what ended it
            nxt_h = found[q + 1] if q + 1 < len(found) else None
            fall = y[hd["end"]:c1 + 1] < RELEASE_FRAC * level
            low_runs = [r for r in _runs(fall)
                        if (r[1] - r[0]) * dt >= RELEASE_STAY_S or r[1] + hd["end"] >= c1]
            released = nxt_h is None or bool(low_runs and low_runs[0][0] + hd["end"] < nxt_h["start"])
            if released:
                lab.releases.append(float(end))
                lab.ended_by.append("release")
                continue
            assert nxt_h is not None
            change = nxt_h["level"] / level - 1.0
            took = t[nxt_h["start"]] - end
            held = t[nxt_h["end"]] - t[nxt_h["start"]]
            slow_ok = took <= SLOW_STEP_S and held >= SLOW_STEADY_S
            if abs(change) >= STEP_MIN and (took <= FAST_STEP_S or slow_ok):
                d = "up" if change > 0 else "down"
                lab.steps.append((float(end), d))
                lab.ended_by.append("step")
                if took > FAST_STEP_S:
                    seg = (y[hd["end"]:nxt_h["start"] + 1] / level - 1.0) * np.sign(change)
                    kk = np.flatnonzero(seg > TOLERANCE)
                    if kk.size:
                        side = "high" if change > 0 else "low"
                        lab.optional.append((float(t[hd["end"] + int(kk[0])]), side))
            else:
                lab.ended_by.append("left")
    return lab


def compare_labels(mine: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """Differences between two labels dicts (file format, same unit): the reader's and the file's."""
    out: list[str] = []
    unit = UNITS.get(str(theirs.get("unit")), 1.0)

    def near(a: float, b: float, tol: float) -> bool:
        return abs(a - b) <= tol

    ha, hb = mine.get("holds", []), theirs.get("holds", [])
    if len(ha) != len(hb):
        out.append(f"{len(hb)} holds labelled, the reader finds {len(ha)}")
    for x, z in zip(ha, hb, strict=False):
        if not (near(x[0], z[0], 0.35) and near(x[1], z[1], 0.3) and abs(x[2] / z[2] - 1.0) <= 0.025):
            out.append(f"hold {z[0]:.2f}-{z[1]:.2f} s ({z[2]:g} {theirs.get('unit')}) read as "
                       f"{x[0]:.2f}-{x[1]:.2f} s ({x[2]:g})")
    if mine.get("holds_ended_by") != theirs.get("holds_ended_by"):
        out.append(f"holds end by {theirs.get('holds_ended_by')}, "
                   f"the reader says {mine.get('holds_ended_by')}")
    for key, tol in (("steps", 0.3), ("band_exits", 0.4), ("band_exits_optional", 0.4)):
        a, b = mine.get(key, []), theirs.get(key, [])
        if len(a) != len(b):
            out.append(f"{len(b)} {key} labelled, the reader finds {len(a)}")
        for x, z in zip(a, b, strict=False):
            if x[1] != z[1] or not near(x[0], z[0], tol):
                out.append(f"{key[:-1]} {z[0]:.2f} s {z[1]} read as {x[0]:.2f} s {x[1]}")
    ra, rb = mine.get("releases", []), theirs.get("releases", [])
    if len(ra) != len(rb):
        out.append(f"{len(rb)} releases labelled, the reader finds {len(ra)}")
    for x, z in zip(ra, rb, strict=False):
        if not near(x, z, 0.3):
            out.append(f"release {z:.2f} s read as {x:.2f} s")
    del unit
    return out


# ------------------------------------------------------------------------------------------------------
# Building a session
# ------------------------------------------------------------------------------------------------------
def labels_dict(lab: Labels, sp: SensorPlan, fn: Callable[[float], float], plan: Plan) -> dict[str, Any]:
    per = UNITS[sp.unit]
    nd = {"N": 3, "g": 1, "lbs": 4}[sp.unit]
    return {
        "unit": sp.unit,
        "time_column": sp.time_col,
        "force_column": sp.force_col,
        "holds": [[fn(a), fn(b), round(lv / per, nd)] for a, b, lv in lab.holds],
        "holds_ended_by": list(lab.ended_by),
        "steps": [[fn(a), d] for a, d in lab.steps],
        "releases": [fn(a) for a in lab.releases],
        "band_exits": [[fn(a), d] for a, d in lab.exits],
        "band_exits_optional": [[fn(a), d] for a, d in lab.optional],
        "models": list(plan.models),
    }


def _notes(plan: Plan) -> str:
    sp = plan.sensor
    parts = [
        f"Synthetic session by {GENERATOR} v{VERSION} (seed {plan.seed}, session {plan.index}, "
        f"attempt {plan.attempt}); models: {', '.join(plan.models)}.",
        "Labels are the contract's Definitions read on the noise-free label signal (the applied force "
        "through the sensor's deterministic response; no tremor, motor noise, electrical noise or "
        "quantisation).",
        f"Levels are settled levels; times are in the file's time base ({sp.time_col}); an onset is where "
        "the move's velocity reaches 5 % of its peak.",
    ]
    if sp.clip_n:
        parts.append(f"The amplifier saturates at {sp.clip_n / UNITS[sp.unit]:.4g} {sp.unit}: the heavy "
                     "hold is labelled at full scale (what the file shows) and ends where the reading "
                     "leaves full scale.")
    if sp.piezo_tau:
        parts.append(f"Piezoelectric sensor, AC coupled (tau {sp.piezo_tau:.0f} s): holds decay slowly "
                     "(drift) and releases undershoot below zero.")
    if sp.sinc3:
        parts.append("sinc^3 ADC at 10 SPS: changes are smoothed over 0.3 s.")
    if sp.hyst:
        parts.append("Hysteresis and non-linearity: the loop's first and last holds (same applied force) "
                     "read differently, and a probe leaves a hold on the unloading branch; labels follow "
                     "the reading.")
    if sp.foam:
        parts.append("Viscoelastic pad: arrivals overshoot and relax; the level is the relaxed one.")
    if sp.timing == "usb_batch":
        parts.append("USB batches: the rows of a batch share a host timestamp; labels are device events "
                     "shifted by the batches' mean delay (about 0.05 s uncertain).")
    if sp.clock_step:
        parts.append(f"The wall clock was stepped forward by {sp.clock_step[1]:.3f} s once (a gap in the "
                     "time column, no rows missing); labels after it are in the stepped time base.")
    if any(e.kind == "twitch" for h in plan.holds for e in h.excursions):
        parts.append("Twitches never stay 0.06 s outside the band: no band exit.")
    if any(h.slow for h in plan.holds):
        parts.append("Ratchet eases are slow steps dated at their first jerk; leaving the old band during "
                     "the ease is an optional band exit.")
    if plan.evidence.get("nudge"):
        parts.append("Nudges of 3-5 % inside ischaemic-compression holds are not steps.")
    return " ".join(parts)


def labels_text(d: dict[str, Any]) -> str:
    """JSON with one event per line."""
    items = []
    for key, val in d.items():
        if isinstance(val, list) and val and isinstance(val[0], list):
            inner = ",\n".join("    " + json.dumps(v) for v in val)
            items.append(f"  {json.dumps(key)}: [\n{inner}\n  ]")
        else:
            items.append(f"  {json.dumps(key)}: {json.dumps(val)}")
    return "{\n" + ",\n".join(items) + "\n}\n"


def _csv(sp: SensorPlan, tf: np.ndarray, ff: np.ndarray) -> str:
    fmt = f"%.3f,%.{sp.decimals}f"
    lines = [*sp.meta, f"{sp.time_col},{sp.force_col}"]
    lines += [fmt % (a, b) for a, b in zip(tf.tolist(), ff.tolist(), strict=True)]
    return "\n".join(lines) + "\n"


def session_name(seed: int, index: int) -> str:
    return f"{PREFIX}_s{seed}_{index:03d}"


def build_attempt(seed: int, index: int, attempt: int) -> Session:
    rng = np.random.default_rng([seed, index, attempt])
    plan = plan_session(seed, index, attempt, rng)
    sp = plan.sensor
    dt = 1.0 / FINE_HZ
    t = np.arange(round(plan.duration * FINE_HZ) + 1) * dt
    applied = applied_force(plan, t)
    y = respond(sp, applied, dt)
    lab, bad = plan_labels(plan, t, y)
    if bad:
        raise Rejected("; ".join(bad[:3]))
    step = round(FINE_HZ / READ_HZ)
    mine = read_label_signal(t[::step], y[::step])
    # the file
    raw = respond(sp, applied + hand_noise(rng, t, applied), dt, clip=False)
    td = sample_times(rng, sp, plan.duration)
    fval = np.interp(td, t, raw) + rng.normal(0.0, sp.noise_n, td.size)
    if sp.clip_n:
        fval = np.minimum(fval, sp.clip_n)
    per = UNITS[sp.unit]
    fq = np.round(fval / per / sp.quantum) * sp.quantum
    if sp.clip_n:
        fq = np.minimum(fq, math.floor(sp.clip_n / per / sp.quantum) * sp.quantum)
    tf, shift = file_times(rng, sp, td)
    fn = label_time_fn(sp, shift)
    labels = labels_dict(lab, sp, fn, plan)
    problems = compare_labels(labels_dict(mine, sp, fn, plan), labels)
    if problems:
        raise Rejected("the second reader disagrees: " + "; ".join(problems[:3]))
    labels["notes"] = _notes(plan)
    labels["generator"] = f"{GENERATOR} v{VERSION} seed {seed} session {index} attempt {attempt}"
    name = session_name(seed, index)
    return Session(plan, t, y, applied, tf, fq, lab, fn, _csv(sp, tf, fq), labels_text(labels), name)


REJECTS: dict[str, int] = {}


def build_session(seed: int, index: int) -> Session:
    last = ""
    for attempt in range(MAX_ATTEMPTS):
        try:
            return build_attempt(seed, index, attempt)
        except Rejected as exc:
            last = str(exc)
            key = last.split(":")[0][:40]
            REJECTS[key] = REJECTS.get(key, 0) + 1
    raise RuntimeError(f"session {index} of seed {seed}: no attempt passed ({last})")


def reader_labels_for(sess: Session) -> dict[str, Any]:
    """The second reader's labels of a session, in the file's time base and unit."""
    step = round(FINE_HZ / READ_HZ)
    mine = read_label_signal(sess.t_fine[::step], sess.y_fine[::step])
    return labels_dict(mine, sess.plan.sensor, sess.label_time, sess.plan)


# ------------------------------------------------------------------------------------------------------
# CLI
# ------------------------------------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UserError(f"bad arguments: {message}.")


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = _Parser(prog="blind_generator7.py", description=__doc__.split("\n")[0])
    p.add_argument("out", metavar="OUT", help="output folder")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--sessions", type=int, default=48)
    p.add_argument("--check", action="store_true", help="regenerate and compare, re-read every labels file")
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args(argv)
    if a.seed < 0:
        raise UserError("--seed must be a non-negative integer.")
    if not 1 <= a.sessions <= 9999:
        raise UserError("--sessions must lie between 1 and 9999.")
    return a


def _writable(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} is a file, not a folder to write into.")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".{PREFIX}_write_probe"
        probe.write_text("x", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        raise UserError(f"cannot write to {out}: {exc.strerror or exc}.") from None


def write_session(out: Path, s: Session) -> int:
    """Write a session's CSV and labels into out; returns the characters written."""
    (out / f"{s.name}.csv").write_text(s.csv_text, encoding="utf-8")
    (out / f"{s.name}.labels.json").write_text(s.labels_text, encoding="utf-8")
    return len(s.csv_text) + len(s.labels_text)


def generate(out: Path, seed: int, sessions: int, quiet: bool) -> int:
    _writable(out)
    t0 = time.perf_counter()
    total = 0
    for i in range(sessions):
        try:
            s = build_session(seed, i)
        except RuntimeError as exc:
            print(str(exc), file=sys.stderr)
            return 1
        total += write_session(out, s)
    if not quiet:
        took = time.perf_counter() - t0
        print(f"wrote {sessions} sessions ({total / 1e6:.1f} MB) to {out} in {took:.1f} s")
    return 0


def check(out: Path, seed: int, sessions: int, quiet: bool) -> int:
    if not out.is_dir():
        raise UserError(f"{out} is not a folder to check.")
    failures: list[str] = []
    expected = set()
    for i in range(sessions):
        try:
            s = build_session(seed, i)
        except RuntimeError as exc:
            failures.append(str(exc))
            continue
        for suffix, text in ((".csv", s.csv_text), (".labels.json", s.labels_text)):
            p = out / f"{s.name}{suffix}"
            expected.add(p.name)
            if not p.exists():
                failures.append(f"{p}: missing")
            elif p.read_text(encoding="utf-8") != text:
                failures.append(f"{p}: differs from the regenerated file")
        lp = out / f"{s.name}.labels.json"
        if not lp.exists():
            continue
        try:
            disk = json.loads(lp.read_text(encoding="utf-8"))
            problems = compare_labels(reader_labels_for(s), disk)
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            problems = [f"unreadable labels ({type(exc).__name__}: {exc})"]
        failures += [f"{lp}: second reader: {x}" for x in problems]
    for p in sorted(out.glob(f"{PREFIX}_s{seed}_*")):
        if p.name not in expected:
            failures.append(f"{p}: not a file of seed {seed} with {sessions} sessions")
    for f in failures:
        print(f, file=sys.stderr)
    if not quiet:
        print(f"checked {sessions} sessions of seed {seed} in {out}: "
              f"{'OK' if not failures else f'{len(failures)} failure(s)'}")
    return 1 if failures else 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        a = parse(argv)
        out = Path(a.out)
        if a.check:
            return check(out, a.seed, a.sessions, a.quiet)
        return generate(out, a.seed, a.sessions, a.quiet)
    except UserError as exc:
        print(str(exc), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
