#!/usr/bin/env python3
"""Blind generator 9: labelled pressure-hold sessions, written as an outside evaluator would.

What it is
    An independent test-data generator for a pressure-hold detector.  It simulates a therapist pressing
    a thumb, knuckle, elbow or T-bar into a trigger point (levels 15-550 N), passes the force through one
    of four sensor models and writes CSV recordings with labels.  Labels are read off the *label
    signal* - the hand's force as the sensor deterministically reports it (its filters, gain, zero drift,
    AC coupling and device clock), without tremor, physiological noise, sensor noise, quantisation or
    dropouts - by the Definitions of /work/shared/CONTRACT.md.  Nothing here was tuned on a detector.

Usage
    python tools/blind_generator9.py OUT --seed S [--sessions N] [--check] [--jobs J]
    writes OUT/bg9_sS_NNN.csv and OUT/bg9_sS_NNN.labels.json for sessions 0..N-1 (N = 48, J = 2 by
    default).  Each session is drawn from numpy.random.default_rng([S, session, attempt]); a draw that
    fails a rejection rule (below) is redrawn with attempt + 1.  --check regenerates every session,
    compares both files byte for byte, then re-reads the labels with a second, independently written
    reader of the Definitions that sees only the label signal at the file's sample times (tolerances:
    hold start 0.4 s; hold end, step, release and band exit 0.3 s; level 2 %; equal counts, directions
    and ended_by).  Exit 0 good, 1 failures (each named on stderr), 2 bad argument or unusable OUT.
    Sessions last 40-200 s on the file's clock; one seed of 48 is about 10 MB and takes seconds.

Models (a session has one hand, one tool, two or three protocols, all physiology terms, one sensor)
  Hands - how a commanded force becomes force
    hand:rfd_limited_servo - proportional force servo (time constant 60-200 ms) whose rate of force
        development is capped (0.8-3 typical levels per s; relaxation 1.5-3x faster): linear ramps
        ending in an exponential creep-in, never an overshoot.  Maffiuletti et al. (2016) "Rate of
        force development: physiological and methodological considerations", Eur J Appl Physiol 116:1091.
    hand:delayed_feedback_dde - force corrected on a delayed percept, F'(t) = k (c(t) - F(t - d)),
        d = 120-220 ms, k d = 0.40-0.68: damped ringing at about 1/(4 d), overshoot 0-15 %.  Miall, Weir,
        Wolpert & Stein (1993) "Is the cerebellum a Smith predictor?", J Mot Behav 25:203; Glass & Mackey
        (1988) "From Clocks to Chaos" (delayed negative feedback).
    hand:position_servo_fung_qlv - the therapist controls depth, not force: a rate-limited position
        servo (40-120 ms) pushes into tissue of exponential stiffness F_e = S (exp(b x) - 1), b = 1.5-4,
        with quasi-linear viscoelastic relaxation (one Prony term, g = 3-12 %, tau = 0.25-0.9 s): convex
        loading ramps, an overshoot of up to g on fast arrivals that relaxes away (creep).  Fung (1993)
        "Biomechanics: Mechanical Properties of Living Tissues" (QLV); Serina, Mote & Rempel (1997)
        J Biomech 30:1035 and Pawluk & Howe (1999) J Biomech Eng 121:605 (fingertip pulp response).
  Protocols
    protocol:pain_feedback_titration - arrive, the patient reports too much, back off 18-35 % fast,
        a long hold (drift excursions at 3-6 %/s to 13-20 % and corrected back; nudges 14-22 % deeper or
        lighter that are back within 1 s; sub-threshold drifts 0.3-1.5 %/s), sometimes a slow easing
        onto the next barrier (+18-35 % over 3-6.5 s), then a release, sometimes after a sag that leaves
        the band (3-5 %/s) or stays in it.  Simons, Travell & Simons (1999) "Myofascial Pain and
        Dysfunction: The Trigger Point Manual" vol. 1 (trigger-point pressure release).
    protocol:exhale_paced_sinking - the therapist sinks deeper only while the patient breathes out
        (breathing period 3.6-6 s): 2-4 steps of 15-28 %, each commanded within the exhalation, held
        through 1-2 breaths; then a long hold and a back-off (20-40 %) or a release.  Chaitow & DeLany
        "Clinical Application of Neuromuscular Techniques" (pressure increased on exhalation); Lewit
        (1999) "Manipulative Therapy in Rehabilitation of the Locomotor System" (respiratory synkinesis).
    protocol:shiatsu_point_walk - stationary perpendicular body-weight pressure held 3.5-8 s on 3-6
        successive points; moving on, the hand half-unloads (to 25-55 %) and reloads to a level 18-40 %
        different (a step with a dip), or lifts off (a release).  Beresford-Cooke (2003) "Shiatsu Theory
        and Practice".
    protocol:cross_fibre_friction - a located hold (5-12 s), 10-20 s of deep transverse friction (normal
        force swinging +-25-45 % at 1-3 strokes/s: the hold is left), a settled hold within 6 % of the
        first, a release.  Cyriax (1984) "Textbook of Orthopaedic Medicine" vol. 2; Chamberlain (1982)
        "Cyriax's friction massage: a review", J Orthop Sports Phys Ther 4:16.
    protocol:reflexology_thumb_walk - 4-12 s of caterpillar "bites" (0.35-0.6 s presses every 0.45-0.8 s,
        the thumb resting at 15-35 % between them): contact, never a hold; then a hold.  Thumb-walking as
        taught in reflexology manuals (e.g. Kunz & Kunz).
    protocol:palpation_touches - brief exploratory presses (0.3-0.8 s) in the rests between episodes.
  Physiology (in the data only; multiplicative on the hand force)
    physio:ar2_tremor - narrow-band AR(2) tremor at 6-11 Hz (bandwidth 1-3 Hz), 0.3-1.5 % RMS (elbow
        x0.6), slowly amplitude-modulated.  Timmer, Lauk & Deuschl (1996) "Quantitative analysis of
        tremor time series", Electroencephalogr Clin Neurophysiol 101:461.
    physio:signal_dependent_lowband_noise - 0.3-3 Hz force variability proportional to force, 0.2-0.5 %
        RMS.  Slifkin & Newell (1999) J Exp Psychol Hum Percept Perform 25:837; Jones, Hamilton & Wolpert
        (2002) "Sources of signal-dependent noise during isometric force production", J Neurophysiol 88:1533.
    physio:therapist_respiration - the therapist's own breathing, 0.2-0.33 Hz, asymmetric, 0.15-0.5 %.
        Hunter & Kearney (1981) "Respiratory components of human postural sway", Neurosci Lett 25:155.
    physio:ballistocardiogram - cardiac recoil of the therapist's body: 55-95 beats/min, 4 % beat-to-beat
        variation, damped 5-8 Hz wavelet, 0.2-0.5 %.  Inan et al. (2015) "Ballistocardiography and
        seismocardiography: a review of recent advances", IEEE J Biomed Health Inform 19:1414.
    physio:patient_breathing - (exhale-paced sessions) the patient's breathing, 0.15-0.4 %, in phase with
        the staircase.
  Sensors (their deterministic parts are in the label signal; noise, quantisation and gaps are not)
    sensor:piezo_charge_amp - quartz force link and charge amplifier used quasi-statically: AC coupled
        with a 600-3000 s time constant (holds sag slightly, releases undershoot below zero), charge
        drift 2-10 mN/s, 16-bit ADC on a 500/1000/2000 N range, 500/1000/2000 Hz crystal clock (+-30 ppm),
        noise 0.03-0.07 N, unit N.  Gautschi (2002) "Piezoelectric Sensorics", Springer.
    sensor:sigma_delta_sinc3_rtc - 24-bit sigma-delta bridge ADC with a sinc3 decimator (impulse
        response a quadratic B-spline over 3 conversions), ODR 64/128/256/512 Hz that is off by up to
        2.5 % (internal clock), each DRDY stamped by a 32.768 kHz RTC, 0.2-1 % of DRDYs missed, gain
        +-0.5 %, noise 0.02-0.05 N, unit kg (0.1 g).  Analog Devices AD7190 data sheet (sinc3/sinc4).
    sensor:sd_card_logger - microcontroller loop at 100-250 Hz (+-2-8 % jitter) logging to an SD card,
        millis() stamps (1 ms), write-latency stalls (0.03-0.2 per s, 15-300 ms), 0-2 card-busy dropouts
        of 0.6-2.6 s inside holds and in 45 % of sessions one 3.6-6 s stall (inside a hold it closes the
        hold as end_of_data and a new one starts), bridge warm-up zero drift 0.1-1 N (tau 40-150 s),
        noise 0.04-0.1 N, unit g in 1/2/5 g steps.  SdFat documentation (W. Greiman) on occasional SD
        write latencies of 100 ms and more.
    sensor:rc_clock_force_gauge - hand-held gauge streaming 10/12.5/20/25/40 Hz; device time = sample
        count / nominal rate from an RC oscillator 0.5-3 % off that drifts a further 0.1-0.4 % while
        warming; integrating ADC (one period), firmware EMA (alpha 0.35-0.8), battery (non-ratiometric)
        gain sag 0.3-1.5 % over the session, 0.05/0.1 lb resolution, 0.2-1 % of lines lost, unit lb or
        lbf.  Microchip ATmega328P data sheet (internal RC oscillator accuracy and drift).

Label rules (the contract's Definitions; my conventions where it is silent)
  - Contact: 2 N above the resting level.  Levels are given in the file's unit.
  - Level (convention): the settled level = median of the label signal over 1.5 s from the moment it
    has stayed within 2 % of where the first flat stretch of the hold ends (after any overshoot,
    undershoot, ringing or tissue relaxation).
  - Hold start (convention): take the last time before settling that the signal was outside +-8 % of
    the level (from then on it stays in the hold tube); the hold starts at the first time from there
    on that the signal is within 3 % of the level (the arrival is complete).  After a silence longer
    than 3 s a hold starts afresh at the first sample after it.
  - Onset of a change (step, release, departure; convention): the first time the signal deviates by
    more than 0.3 % of the level from the straight line fitted to its 0.55 s before the command.
  - Hold end: that onset (ended_by step, release or left), or the last sample before a silence longer
    than 3 s or before the end of the file (end_of_data).  Silences up to 2.6 s inside holds, always
    with the force at the hold's level on both sides, are bridged.
  - Step: hold to hold without losing contact, the two levels at least 14 % apart (never 6-14 %);
    direction from the two levels (a shiatsu dip-and-reload is a step in the reload's direction).
    Slow steps ramp 3-6.5 s and then stay steady 5 s or more; a later contact after a release is a new
    hold, never a step.  Drift excursions never plateau at their far end, so they are never steps.
  - Release: onset of the drop; the label signal then falls below 12 % of the level within 2 s and
    stays below 13 % for 1.3 s or more (to zero, to a light resting hand at 4-10 %, or to a piezo
    undershoot).
  - Left: friction starts with a fast departure that neither comes back (returns into +-8 % and stays
    0.5 s) within 1 s nor settles (it swings for 10-20 s); the hold after friction is a new hold, not a
    step.  A nudge leaves fast but is back within 1 s: the hold goes on (with a band exit).
  - Band exits: band +-10 % of each hold's level, watched from start + 1.5 s to the hold's end; an exit
    needs 0.15 s outside and re-arms after 0.5 s back inside; t = the time the signal left the band.
    Optional exits: where the change of a step that took more than 1.5 s leaves the old band.

Rejection rules (the draw is redrawn with attempt + 1)
  - Hold start moves > 0.3 s with the tube at 7 %/9 % or the arrival tolerance at 2 %/4 %; the level
    moves > 0.6 % over the 1-2.5 s after settling; an onset moves > 0.4 s with a 0.15 %/1 % threshold.
  - Band exits change (count, direction, or time by > 0.3 s) with the band at 9 %/11 %, debounce
    0.05/0.3 s, re-arm 0.3/0.8 s or the watch start moved by 0.25 s; an exit within 0.6 s of its hold's
    end; the signal beyond 8 % at confirmation.
  - Labels read from the label signal interpolated between the file's samples differ from the
    continuous reading (start/end 0.25 s, level 1 %, exits 0.2 s); friction that, at the samples, does
    not leave +-12 % within 0.6 s or stops swinging beyond +-12 % for 0.6 s before its taper.
  - A hold shorter than 3 s or not settled; a hold median more than 4 % from its level; a step below
    14 %; a step's dip below 20 %; a release that does not stay low (above); a nudge outside the tube
    for more than 0.75 s or after 1.2 s; a 1.5 s stretch within +-10 % of one level (in contact) inside
    friction or thumb-walking; a silence of 2.7-3.4 s; no safe end point (rest 2 s after a release, or
    a flat stretch of a settled hold) within 42-194 s of true time.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing import Pool
from typing import Any

import numpy as np
from scipy.ndimage import maximum_filter1d, minimum_filter1d, uniform_filter1d
from scipy.signal import butter, lfilter, sosfilt

GENERATOR = "blind_generator9 v1 (independent; labels from the label signal by CONTRACT.md Definitions)"
DT = 0.002  # internal true-time grid, s
G_N = 9.80665
LB_N = 4.4482216152605
N_PER_UNIT = {"N": 1.0, "kg": G_N, "g": G_N / 1000.0, "lb": LB_N, "lbf": LB_N}

# Contract defaults
TUBE = 0.08
BAND = 0.10
DEBOUNCE = 0.15
REARM = 0.5
CONFIRM = 1.5
RELEASE_FRAC = 0.15
CONTACT_N = 2.0
BRIDGE_S = 3.0
# Generator conventions
ARRIVE_TOL = 0.03
SETTLE_TOL = 0.02
ONSET_DEV = 0.003
MIN_STEP = 0.14

HANDS = ("rfd_limited_servo", "delayed_feedback_dde", "position_servo_fung_qlv")
TOOLS = {"thumb": (15.0, 90.0), "knuckle": (30.0, 180.0), "tbar": (20.0, 150.0), "elbow": (80.0, 550.0)}
SENSOR_CYCLE = ("sd", "rc", "sigma", "rc", "sd", "sigma", "piezo", "rc")
EPISODES = ("titration", "exhale", "shiatsu", "friction", "walk")


class Reject(Exception):
    """The draw breaks a plan rule or its labels sit too near a contract threshold."""


# ----------------------------------------------------------------------------------------------- plan
@dataclass
class HoldPlan:
    t_in: float  # command time at which the transition into the hold starts
    t_lo: float  # earliest time the hold start may be searched from (onset of what came before)
    level: float  # commanded level, N
    t_flat: float  # command reaches the level
    kind_in: str  # arrive | step | slow_step | dip_step | after_left | after_gap
    t_flat_end: float = math.nan  # end of the first flat stretch of command
    t_out: float = math.nan  # command time of the transition out (or end time)
    out: str = ""
    quiet: list[tuple[float, float]] = field(default_factory=list)
    drifts: list[tuple[float, float]] = field(default_factory=list)
    nudges: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class Explicit:
    kind: str  # friction | walk | touch
    t0: float
    t1: float
    params: dict[str, Any]


def _u(rng: np.random.Generator, a: float, b: float) -> float:
    return float(rng.uniform(a, b))


class Planner:
    """Builds the commanded force (piecewise linear) and the hold plan, protocol by protocol."""

    def __init__(self, rng: np.random.Generator, lo: float, hi: float, ltyp: float) -> None:
        self.rng = rng
        self.lo, self.hi, self.ltyp = lo, hi, ltyp
        self.kt: list[float] = [0.0]
        self.kv: list[float] = [0.0]
        self.t = 0.0
        self.rest = 0.0
        self.level = 0.0
        self.cur: HoldPlan | None = None
        self.holds: list[HoldPlan] = []
        self.explicit: list[Explicit] = []
        self.slow_ramps: list[tuple[float, float]] = []
        self.rests: list[tuple[float, float]] = []
        self.used: list[str] = []
        self.breath: tuple[float, float, float] | None = None  # (t0, period, inhale duration)

    # -- primitives
    def lvl(self, f: float) -> float:
        return float(np.clip(self.ltyp * f, self.lo, self.hi))

    def knot(self, t: float, v: float) -> None:
        if t <= self.kt[-1] + 1e-9:
            t = self.kt[-1] + DT
        self.kt.append(t)
        self.kv.append(v)

    def _nonflat(self) -> None:
        if self.cur is not None and math.isnan(self.cur.t_flat_end):
            self.cur.t_flat_end = self.t

    def _close(self, out: str) -> None:
        assert self.cur is not None
        self._nonflat()
        self.cur.t_out = self.t
        self.cur.out = out
        self.holds.append(self.cur)
        self.cur = None

    def arrive(self, level: float, tc: float) -> None:
        t0 = self.t
        self.knot(t0, self.rest)
        self.knot(t0 + tc, level)
        self.cur = HoldPlan(t0, t0, level, t0 + tc, "arrive")
        self.level, self.t = level, t0 + tc

    def flat(self, dur: float) -> None:
        assert self.cur is not None
        t0 = self.t
        self.knot(t0 + dur, self.level)
        self.t = t0 + dur
        q = self.cur.quiet
        if q and abs(q[-1][1] - t0) < 1e-9:
            q[-1] = (q[-1][0], self.t)
        else:
            q.append((t0, self.t))

    def step(self, level: float, tc: float, slow: bool = False) -> None:
        t0 = self.t
        self._close("step")
        self.knot(t0 + tc, level)
        self.cur = HoldPlan(t0, t0, level, t0 + tc, "slow_step" if slow else "step")
        if slow:
            self.slow_ramps.append((t0, t0 + tc + 1.5))
        self.level, self.t = level, t0 + tc

    def dip_step(self, level: float, dip: float, t_down: float, t_dip: float, t_up: float) -> None:
        t0 = self.t
        v = self.level * dip
        self._close("step")
        self.knot(t0 + t_down, v)
        self.knot(t0 + t_down + t_dip, v)
        self.knot(t0 + t_down + t_dip + t_up, level)
        end = t0 + t_down + t_dip + t_up
        self.cur = HoldPlan(t0, t0, level, end, "dip_step")
        self.level, self.t = level, end

    def release(self, tc: float, rest: float) -> None:
        self._close("release")
        self.knot(self.t + tc, rest)
        self.rest = rest
        self.t += tc

    def rest_for(self, dur: float) -> None:
        self.knot(self.t + dur, self.rest)
        self.rests.append((self.t, self.t + dur))
        self.t += dur

    def drift(self, rate: float, dur: float, top: float, back: float) -> None:
        """Command drift at `rate` (fraction of level per s) for `dur`, pause `top`, return in `back`."""
        assert self.cur is not None
        self._nonflat()
        t0, lv = self.t, self.level
        peak = lv * (1.0 + rate * dur)
        self.knot(t0 + dur, peak)
        if top > 0:
            self.knot(t0 + dur + top, peak)
        end = t0 + dur + top + back
        self.knot(end, lv)
        self.cur.drifts.append((t0, end))
        self.t = end

    def nudge(self) -> None:
        """A brief deliberate press deeper (or a momentary ease) that is back within 1 s."""
        assert self.cur is not None
        rng = self.rng
        self._nonflat()
        t0, lv = self.t, self.level
        peak = lv * (1.0 + float(rng.choice([-1.0, 1.0, 1.0])) * _u(rng, 0.14, 0.22))
        t1 = t0 + _u(rng, 0.12, 0.25)
        t2 = t1 + _u(rng, 0.1, 0.3)
        end = t2 + _u(rng, 0.15, 0.3)
        self.knot(t1, peak)
        self.knot(t2, peak)
        self.knot(end, lv)
        self.cur.drifts.append((t0, end))
        self.cur.nudges.append((t0, end))
        self.t = end

    def sag(self, rate: float, dur: float) -> None:
        assert self.cur is not None
        self._nonflat()
        t0 = self.t
        self.knot(t0 + dur, self.level * (1.0 + rate * dur))
        self.cur.drifts.append((t0, t0 + dur))
        self.t = t0 + dur

    def touch(self, width: float, peak: float) -> None:
        rng = self.rng
        p = {"presses": [(0.0, peak, _u(rng, 0.3, 0.45) * width, width, _u(rng, 1.5, 3.0))],
             "valley": 0.0}
        self.explicit.append(Explicit("touch", self.t, self.t + width, p))
        self.knot(self.t + width, self.rest)
        self.t += width

    def walk(self, dur: float) -> float:
        rng = self.rng
        presses = []
        tt = 0.0
        peak0 = self.lvl(_u(rng, 0.5, 0.9))
        valley = peak0 * _u(rng, 0.15, 0.35)
        while True:
            w = _u(rng, 0.35, 0.6)
            if tt + w > dur:
                break
            presses.append((tt, peak0 * _u(rng, 0.75, 1.2) - valley, _u(rng, 0.3, 0.45) * w, w,
                            _u(rng, 1.5, 3.0)))
            tt += _u(rng, 0.45, 0.8)
        real = presses[-1][0] + presses[-1][3]
        p = {"presses": presses, "valley": valley, "v_on": presses[0][2], "v_off": real - 0.1}
        self.explicit.append(Explicit("walk", self.t, self.t + real, p))
        self.knot(self.t + real, self.rest)
        self.t += real
        return real

    def friction(self, dur: float, next_level: float, tc: float) -> None:
        rng = self.rng
        t0 = self.t
        ratio = _u(rng, 0.95, 1.05)
        self._close("left")
        nk = int(dur / 0.5) + 3
        p = {"ratio": ratio, "amp": _u(rng, 0.25, 0.45), "freq": _u(rng, 1.0, 3.0),
             "rise": _u(rng, 0.1, 0.25),
             "taper": _u(rng, 0.6, 1.2), "h2": _u(rng, 0.0, 0.3), "psi": _u(rng, 0, 2 * math.pi),
             "sign": float(rng.choice([-1.0, 1.0])), "jt": np.arange(nk) * 0.5,
             "jv": rng.standard_normal(nk), "av": rng.standard_normal(nk), "fjit": _u(rng, 0.03, 0.08)}
        self.explicit.append(Explicit("friction", t0, t0 + dur, p))
        lf = self.level * ratio
        self.knot(t0 + dur, lf)
        self.knot(t0 + dur + tc, next_level)
        self.cur = HoldPlan(t0 + dur, t0, next_level, t0 + dur + tc, "after_left")
        self.level, self.t = next_level, t0 + dur + tc

    # -- composite pieces
    def body(self, dur: float, p_exc: float = 0.45, p_sub: float = 0.25, first: tuple = (4.0, 6.0)) -> None:
        """Hold body: a first flat stretch, then drift excursions, sub-threshold drifts and flats."""
        rng = self.rng
        f = min(dur, _u(rng, *first))
        self.flat(f)
        left = dur - f
        while left > 0.5:
            r = rng.random()
            t0 = self.t
            if r < p_exc and left > 9.0:
                rate = _u(rng, 0.03, 0.06) * float(rng.choice([-1.0, 1.0]))
                dev = _u(rng, 0.13, 0.20)
                self.drift(rate, dev / abs(rate), _u(rng, 0.0, 0.25), _u(rng, 0.4, 1.0))
                self.flat(_u(rng, 3.0, 5.0))
            elif r < p_exc + 0.12 and left > 5.0:
                self.nudge()
                self.flat(_u(rng, 3.0, 5.0))
            elif r < p_exc + 0.12 + p_sub and left > 8.0:
                rate = _u(rng, 0.003, 0.015) * float(rng.choice([-1.0, 1.0]))
                dev = min(_u(rng, 0.02, 0.05), abs(rate) * 6.0)
                self.drift(rate, dev / abs(rate), 0.0, _u(rng, 2.0, 4.0))
                self.flat(_u(rng, 3.0, 5.0))
            else:
                self.flat(min(left, _u(rng, 3.0, 8.0)))
            left -= self.t - t0

    def rest_gap(self, dur: float, touches: bool = True) -> None:
        """Rest between episodes, possibly with palpation touches (each surrounded by >= 1 s rest)."""
        rng = self.rng
        left = dur
        if touches and dur > 4.0 and rng.random() < 0.5:
            n = int(rng.integers(1, 3))
            for _ in range(n):
                if left < 3.2:
                    break
                pre = _u(rng, 1.2, 1.8)
                self.rest_for(pre)
                w = _u(rng, 0.3, 0.8)
                self.touch(w, max(4.0, self.lvl(_u(rng, 0.2, 0.8))))
                left -= pre + w
                if "protocol:palpation_touches" not in self.used:
                    self.used.append("protocol:palpation_touches")
        self.rest_for(max(left, 1.2))

    def release_to_rest(self, p_sag: float = 0.0) -> None:
        rng = self.rng
        lv = self.level
        r = rng.random()
        if r < p_sag:  # fatigue: the hand gives way at 3-5 %/s, leaves the band, then lets go
            rate = _u(rng, 0.03, 0.05)
            self.sag(-rate, _u(rng, 0.14, 0.20) / rate)
        elif r < p_sag + 0.3:  # gentle sag that stays inside the band
            self.sag(-_u(rng, 0.005, 0.015), _u(rng, 2.0, 4.0))
        rest = lv * _u(rng, 0.04, 0.10) if (rng.random() < 0.35 and lv * 0.04 > 2.5) else 0.0
        self.release(_u(rng, 0.2, 0.8), rest)
        self.rest_for(_u(rng, 2.2, 3.0))
        if rest > 0 and rng.random() < 0.6:
            self.rest = 0.0
            self.knot(self.t + _u(rng, 0.5, 1.0), 0.0)
            self.t = self.kt[-1]
            self.rest_for(_u(rng, 1.0, 2.0))

    # -- episodes
    def ep_titration(self) -> None:
        rng = self.rng
        self.arrive(self.lvl(_u(rng, 1.0, 1.3)), _u(rng, 0.3, 1.5))
        self.flat(_u(rng, 4.5, 7.0))
        self.step(self.level * (1 - _u(rng, 0.18, 0.35)), _u(rng, 0.2, 0.9))
        self.body(_u(rng, 10.0, 40.0), p_exc=0.6)
        if rng.random() < 0.55:
            up = self.level * (1 + _u(rng, 0.18, 0.35))
            if up <= self.hi:
                dur = min(_u(rng, 3.0, 6.5), (up / self.level - 1) / 0.03)
                self.step(up, max(dur, 3.0), slow=True)
                self.body(_u(rng, 6.0, 18.0), p_exc=0.25, first=(5.0, 7.0))
        self.release_to_rest(p_sag=0.3)

    def ep_exhale(self) -> None:
        rng = self.rng
        if self.breath is None:
            tb = _u(rng, 3.6, 6.0)
            self.breath = (_u(rng, 0.0, tb), tb, tb * _u(rng, 0.35, 0.45))
        b0, tb, ti = self.breath
        te = tb - ti
        n = int(rng.integers(2, 5))
        lv = self.lvl(_u(rng, 0.55, 0.75))
        self.arrive(lv, _u(rng, 0.4, 1.2))
        self.flat(4.0)
        for _ in range(n):
            up = self.level * (1 + _u(rng, 0.15, 0.28))
            if up > self.hi:
                break
            k = math.ceil((self.t - b0 - ti) / tb)
            t_ex = b0 + k * tb + ti + _u(rng, 0.05, 0.3)
            self.flat(t_ex - self.t)
            self.step(up, te * _u(rng, 0.35, 0.6))
            self.flat(max(3.6, tb * float(rng.integers(1, 3))) + _u(rng, 0.0, 0.5))
        self.body(_u(rng, 6.0, 24.0), p_exc=0.3, first=(2.0, 3.0))
        if rng.random() < 0.4:
            self.step(self.level * (1 - _u(rng, 0.2, 0.4)), _u(rng, 0.3, 1.0))
            self.flat(_u(rng, 4.0, 8.0))
        self.release_to_rest()

    def ep_shiatsu(self) -> None:
        rng = self.rng
        n = int(rng.integers(3, 7))
        self.arrive(self.lvl(_u(rng, 0.7, 1.2)), _u(rng, 0.3, 1.0))
        self.flat(_u(rng, 3.5, 8.0))
        for _ in range(n - 1):
            ch = _u(rng, 0.18, 0.4)
            up = self.level * (1 + ch)
            dn = self.level * (1 - ch)
            new = dn if up > self.hi or (dn >= self.lo and rng.random() < 0.5) else up
            if not (self.lo <= new <= self.hi):
                break
            if rng.random() < 0.22:
                self.release_to_rest()
                self.arrive(new, _u(rng, 0.3, 1.0))
            else:
                self.dip_step(new, _u(rng, 0.25, 0.55), _u(rng, 0.2, 0.5), _u(rng, 0.1, 0.4),
                              _u(rng, 0.25, 0.7))
            self.flat(_u(rng, 3.5, 8.0))
        self.release_to_rest()

    def ep_friction(self) -> None:
        rng = self.rng
        self.arrive(self.lvl(_u(rng, 0.7, 1.1)), _u(rng, 0.3, 1.2))
        self.body(_u(rng, 5.0, 12.0), p_exc=0.0)
        self.friction(_u(rng, 10.0, 20.0), self.level * _u(rng, 0.94, 1.06), _u(rng, 0.3, 0.8))
        self.body(_u(rng, 5.0, 16.0), p_exc=0.4)
        self.release_to_rest(p_sag=0.2)

    def ep_walk(self) -> None:
        rng = self.rng
        self.walk(_u(rng, 4.0, 12.0))
        self.rest_for(_u(rng, 0.8, 2.0))
        self.arrive(self.lvl(_u(rng, 0.8, 1.3)), _u(rng, 0.3, 1.5))
        self.body(_u(rng, 6.0, 25.0), p_exc=0.35)
        if rng.random() < 0.4:
            new = self.level * (1 + float(rng.choice([-1, 1])) * _u(rng, 0.18, 0.35))
            if self.lo <= new <= self.hi:
                self.step(new, _u(rng, 0.2, 1.0))
                self.body(_u(rng, 5.0, 12.0), p_exc=0.3)
        self.release_to_rest(p_sag=0.2)

    def run(self, name: str) -> None:
        label = {"titration": "pain_feedback_titration", "exhale": "exhale_paced_sinking",
                 "shiatsu": "shiatsu_point_walk", "friction": "cross_fibre_friction",
                 "walk": "reflexology_thumb_walk"}[name]
        if f"protocol:{label}" not in self.used:
            self.used.append(f"protocol:{label}")
        getattr(self, f"ep_{name}")()

    # -- cutting the session at a safe end point
    def safe_ends(self, rest_only: bool) -> list[tuple[float, float]]:
        out = [(a + 2.0, b) for a, b in self.rests if b > a + 2.0]
        if not rest_only:
            for h in self.holds:
                for a, b in h.quiet:
                    a2 = max(a + 0.5, h.t_flat + 4.5)
                    if b - 1.0 > a2:
                        out.append((a2, b - 1.0))
        return sorted(out)

    def truncate(self, t_end: float) -> None:
        keep = []
        for h in self.holds:
            if h.t_in >= t_end:
                continue
            if h.t_out > t_end - 1.0:
                h.out, h.t_out = "end_of_data", t_end
                if math.isnan(h.t_flat_end) or h.t_flat_end > t_end:
                    h.t_flat_end = t_end
                h.quiet = [(a, min(b, t_end)) for a, b in h.quiet if a < t_end]
            keep.append(h)
        self.holds = keep
        self.explicit = [e for e in self.explicit if e.t0 < t_end]
        self.rests = [(a, min(b, t_end)) for a, b in self.rests if a < t_end]
        self.slow_ramps = [r for r in self.slow_ramps if r[0] < t_end]
        self.t = t_end


# -------------------------------------------------------------------------------------- explicit waves
def _smooth(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def wave_friction(tr: np.ndarray, f0: float, p: dict[str, Any]) -> np.ndarray:
    dur = tr[-1] + DT if tr.size else 0.0
    lf = f0 * p["ratio"]
    base = f0 + (lf - f0) * _smooth(tr / 0.5)
    env = p["amp"] * _smooth(tr / p["rise"]) * _smooth((dur - tr) / p["taper"])
    freq = p["freq"] * (1.0 + p["fjit"] * np.interp(tr, p["jt"], p["jv"]))
    phi = 2.0 * math.pi * np.cumsum(freq) * DT
    w = (np.sin(phi) + p["h2"] * np.sin(2.0 * phi + p["psi"])) / (1.0 + p["h2"])
    am = 1.0 + 0.15 * np.interp(tr, p["jt"], p["av"])
    return np.maximum(base * (1.0 + p["sign"] * env * am * w), 0.0)


def wave_presses(tr: np.ndarray, f0: float, p: dict[str, Any]) -> np.ndarray:
    out = np.full(tr.shape, f0)
    if p["valley"] > 0:
        out += p["valley"] * _smooth(tr / p["v_on"]) * _smooth((p["v_off"] - tr) / 0.25)
    for t0, amp, tp, w, a in p["presses"]:
        u = tr - t0
        m = (u >= 0) & (u <= w)
        uu = u[m]
        pulse = (uu / tp) ** a * np.exp(a * (1.0 - uu / tp)) * _smooth((w - uu) / (0.35 * w))
        out[m] += amp * pulse
    return out


# ------------------------------------------------------------------------------------------------ hands
def _sim_servo(c: list[float], F: list[float], i0: int, i1: int, p: dict[str, float]) -> None:
    k = 1.0 / p["tau"]
    up, dn = p["r_up"], p["r_dn"]
    f = F[i0 - 1] if i0 > 0 else 0.0
    for i in range(i0, i1):
        v = k * (c[i] - f)
        if v > up:
            v = up
        elif v < -dn:
            v = -dn
        f += v * DT
        if f < 0.0:
            f = 0.0
        F[i] = f


def _sim_dde(c: list[float], F: list[float], i0: int, i1: int, p: dict[str, float]) -> None:
    m = round(p["delay"] / DT)
    k = p["k"]
    f = F[i0 - 1] if i0 > 0 else 0.0
    for i in range(i0, i1):
        j = i - m
        fd = F[j] if j >= 0 else 0.0
        f += k * (c[i] - fd) * DT
        if f < 0.0:
            f = 0.0
        F[i] = f


def _sim_tissue(c: list[float], F: list[float], i0: int, i1: int, p: dict[str, float]) -> None:
    S, b, g, tr, tp, vmax = p["S"], p["beta"], p["g"], p["tau_r"], p["tau_p"], p["vmax"]
    f0 = F[i0 - 1] if i0 > 0 else 0.0
    d = math.log1p(f0 / ((1.0 - g) * S)) / b
    fe = S * math.expm1(b * d)
    h = 0.0
    decay = DT / tr
    for i in range(i0, i1):
        ci = c[i] if c[i] > 0.0 else 0.0
        target = math.log1p(ci / ((1.0 - g) * S)) / b
        v = (target - d) / tp
        if v > vmax:
            v = vmax
        elif v < -vmax:
            v = -vmax
        d += v * DT
        fe2 = S * math.expm1(b * d)
        h += (fe2 - fe) - h * decay
        fe = fe2
        f = (1.0 - g) * fe + g * h
        F[i] = f if f > 0.0 else 0.0


def hand_params(rng: np.random.Generator, hand: str, ltyp: float) -> dict[str, float]:
    if hand == "rfd_limited_servo":
        r = _u(rng, 0.8, 3.0) * ltyp
        return {"tau": _u(rng, 0.06, 0.2), "r_up": r, "r_dn": r * _u(rng, 1.5, 3.0)}
    if hand == "delayed_feedback_dde":
        d = _u(rng, 0.12, 0.22)
        return {"delay": d, "k": _u(rng, 0.40, 0.68) / d}
    beta = _u(rng, 1.5, 4.0)
    return {"S": ltyp / math.expm1(beta), "beta": beta, "g": _u(rng, 0.03, 0.12), "tau_r": _u(rng, 0.25, 0.9),
            "tau_p": _u(rng, 0.04, 0.12), "vmax": _u(rng, 0.8, 3.0)}


def simulate_hand(plan: Planner, hand: str, hp: dict[str, float], n: int) -> np.ndarray:
    tg = np.arange(n) * DT
    c = np.interp(tg, np.asarray(plan.kt), np.asarray(plan.kv)).tolist()
    F = [0.0] * n
    sim: Callable[..., None] = {"rfd_limited_servo": _sim_servo, "delayed_feedback_dde": _sim_dde,
                                "position_servo_fung_qlv": _sim_tissue}[hand]
    cursor = 0
    for e in sorted(plan.explicit, key=lambda x: x.t0):
        i0 = min(round(e.t0 / DT), n)
        i1 = min(round(e.t1 / DT), n)
        sim(c, F, cursor, i0, hp)
        f0 = F[i0 - 1] if i0 > 0 else 0.0
        tr = (np.arange(i0, i1) - i0) * DT
        w = wave_friction(tr, f0, e.params) if e.kind == "friction" else wave_presses(tr, f0, e.params)
        F[i0:i1] = w.tolist()
        cursor = i1
    sim(c, F, cursor, n, hp)
    return np.asarray(F)


# ------------------------------------------------------------------------------------------ physiology
def physiology(rng: np.random.Generator, n: int, tool: str, breath: tuple | None) -> tuple[np.ndarray, dict]:
    tg = np.arange(n) * DT
    info: dict[str, float] = {}
    # AR(2) tremor
    fc = _u(rng, 6.0, 11.0)
    bw = _u(rng, 1.0, 3.0)
    r = math.exp(-math.pi * bw * DT)
    x = lfilter([1.0], [1.0, -2.0 * r * math.cos(2 * math.pi * fc * DT), r * r], rng.standard_normal(n))
    x /= max(float(np.std(x)), 1e-12)
    trem = _u(rng, 0.003, 0.015) * (0.6 if tool == "elbow" else 1.0)
    am = 1.0 + 0.3 * np.sin(2 * math.pi * _u(rng, 0.02, 0.08) * tg + _u(rng, 0, 6.3))
    m = trem * x * am
    info["tremor_rms_pct"] = trem * 100
    info["tremor_hz"] = fc
    # signal-dependent low-band noise
    sos = butter(2, [0.3, 3.0], btype="bandpass", fs=1.0 / DT, output="sos")
    y = sosfilt(sos, rng.standard_normal(n))
    y /= max(float(np.std(y)), 1e-12)
    sdn = _u(rng, 0.002, 0.005)
    m += sdn * y
    info["sdn_rms_pct"] = sdn * 100
    # therapist respiration (asymmetric)
    fr = _u(rng, 0.2, 0.33)
    ph = 2 * math.pi * (fr * tg + _u(rng, 0, 1)) + 0.4 * np.sin(2 * math.pi * fr * tg)
    resp = _u(rng, 0.0015, 0.005)
    m += resp * (np.sin(ph) + 0.35 * np.sin(2 * ph + 0.8)) / 1.2
    info["resp_pct"] = resp * 100
    # ballistocardiogram
    hr = _u(rng, 55.0, 95.0) / 60.0
    beats = np.cumsum(rng.normal(1.0 / hr, 0.04 / hr, int(n * DT * hr) + 5)) + _u(rng, 0, 1)
    imp = np.zeros(n)
    idx = (beats / DT).astype(int)
    imp[idx[idx < n]] = 1.0
    kt = np.arange(int(0.6 / DT)) * DT
    fw = _u(rng, 5.0, 8.0)
    ker = (np.exp(-kt / 0.08) * np.sin(2 * math.pi * fw * kt)
           - 0.3 * np.exp(-kt / 0.15) * np.sin(math.pi * fw * kt))
    ker /= np.max(np.abs(ker))
    bcg = _u(rng, 0.002, 0.005)
    m += bcg * np.convolve(imp, ker)[:n]
    info["bcg_pct"] = bcg * 100
    info["heart_bpm"] = hr * 60
    if breath is not None:
        b0, tb, ti = breath
        phase = np.mod(tg - b0, tb)
        wav = np.where(phase < ti, np.sin(0.5 * math.pi * phase / ti),
                       np.cos(0.5 * math.pi * (phase - ti) / (tb - ti)))
        pb = _u(rng, 0.0015, 0.004)
        m += pb * (wav - 0.5)
        info["patient_breath_pct"] = pb * 100
    return m, info


# --------------------------------------------------------------------------------------------- sensors
@dataclass
class Sensor:
    name: str
    unit: str
    time_col: str
    force_col: str
    header: list[str]
    transfer: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (tg, x) -> deterministic response
    t_true: np.ndarray  # sample times, true clock
    t_dev: np.ndarray  # sample times, device clock
    dev: Callable[[np.ndarray], np.ndarray]
    noise_n: float
    quant: float  # in file unit
    tfmt: str
    ffmt: str
    info: dict[str, Any]


def sensor_limits(kind: str, rng: np.random.Generator) -> tuple[dict[str, Any], float]:
    """Draw the rate-related parameters first: they bound the session length (file size)."""
    if kind == "piezo":
        rate = float(rng.choice([500.0, 1000.0, 2000.0], p=[0.55, 0.3, 0.15]))
        return {"rate": rate}, {500.0: 90.0, 1000.0: 55.0, 2000.0: 46.0}[rate]
    if kind == "sigma":
        odr = float(rng.choice([64.0, 128.0, 256.0, 512.0]))
        return {"odr": odr}, min(200.0, max(46.0, 25000.0 / odr))
    if kind == "sd":
        rate = _u(rng, 100.0, 250.0)
        return {"rate": rate}, min(200.0, max(60.0, 24000.0 / rate))
    return {"rate": float(rng.choice([10.0, 12.5, 20.0, 25.0, 40.0]))}, 200.0


def _drop_gaps(t: np.ndarray, gaps: list[tuple[float, float]]) -> np.ndarray:
    keep = np.ones(t.size, bool)
    for a, b in gaps:
        keep &= ~((t > a) & (t < b))
    return t[keep]


def make_sensor(kind: str, lim: dict[str, Any], rng: np.random.Generator, T: float, hi: float,
                gaps: list[tuple[float, float]]) -> Sensor:
    if kind == "piezo":
        rate = lim["rate"]
        tc = _u(rng, 600.0, 3000.0)
        drift = _u(rng, 0.002, 0.01) * float(rng.choice([-1.0, 1.0]))
        eps = float(rng.normal(0.0, 30e-6))
        t0 = round(_u(rng, 5.0, 900.0), 3)
        rng_n = next(r for r in (500.0, 1000.0, 2000.0) if r >= 1.3 * hi)
        a = tc / (tc + DT)

        def tf_piezo(tg: np.ndarray, x: np.ndarray) -> np.ndarray:
            return lfilter([a, -a], [1.0, -a], x) + drift * tg

        nmax = int(T * rate * (1 + eps))
        t_dev = t0 + np.arange(nmax) / rate
        t_true = (t_dev - t0) / (1 + eps)
        keep = t_true <= T - DT
        return Sensor("piezo_charge_amp", "N", "time_s", "Fz_N",
                      [f"# quartz force link + charge amplifier, range {rng_n:.0f} N, long time constant",
                       f"# ADC 16 bit, fs = {rate:.0f} Hz, time = DAQ clock (s)"],
                      tf_piezo, t_true[keep], t_dev[keep], lambda t: t0 + t * (1 + eps),
                      _u(rng, 0.03, 0.07), rng_n / 65536.0, "%.5f" if rate > 1000 else "%.4f", "%.3f",
                      {"rate_hz": rate, "tc_s": tc, "drift_n_per_s": drift})
    if kind == "sigma":
        odr_nom = lim["odr"]
        odr = odr_nom * (1 + _u(rng, -0.025, 0.025))
        eps = float(rng.normal(0.0, 20e-6))
        off = _u(rng, 1.0, 3000.0)
        gain = 1.0 + float(rng.normal(0.0, 0.005))
        w = max(1, round(1.0 / (odr * DT)))
        ker = np.convolve(np.convolve(np.ones(w), np.ones(w)), np.ones(w))
        ker /= ker.sum()

        def tf_sigma(tg: np.ndarray, x: np.ndarray) -> np.ndarray:
            return gain * lfilter(ker, [1.0], x)

        t_true = _u(rng, 0.0, 1.0 / odr) + np.arange(int(T * odr)) / odr
        t_true = t_true[t_true <= T - DT]
        miss = _u(rng, 0.002, 0.01)
        t_true = t_true[rng.random(t_true.size) >= miss]

        def dev_sigma(t: np.ndarray) -> np.ndarray:
            return np.floor((off + t * (1 + eps)) * 32768.0) / 32768.0

        return Sensor("sigma_delta_sinc3_rtc", "kg", "rtc_s", "load_kg",
                      [f"# 24-bit sigma-delta bridge ADC, sinc3, ODR nominal {odr_nom:.0f} Hz",
                       "# timestamps: 32.768 kHz RTC ticks / 32768"],
                      tf_sigma, t_true, dev_sigma(t_true), dev_sigma, _u(rng, 0.02, 0.05), 0.0001,
                      "%.6f", "%.4f", {"odr_nominal": odr_nom, "odr_true": odr, "missed_drdy": miss})
    if kind == "sd":
        rate = lim["rate"]
        per = 1.0 / rate
        jit = _u(rng, 0.02, 0.08)
        n_est = int(T * rate * 1.1) + 10
        dts = per * (1.0 + rng.uniform(-jit, jit, n_est))
        # write-latency stalls
        stall_rate = _u(rng, 0.03, 0.2)
        stalls = rng.random(n_est) < stall_rate * per
        dts[stalls] += np.clip(rng.lognormal(math.log(0.06), 0.6, int(stalls.sum())), 0.015, 0.3)
        t_true = _u(rng, 0.0, per) + np.cumsum(dts)
        t_true = t_true[t_true <= T - DT]
        t_true = _drop_gaps(t_true, gaps)
        eps = float(rng.normal(0.0, 50e-6))
        off = _u(rng, 0.5, 20.0)
        z = _u(rng, 0.1, 1.0) * float(rng.choice([-1.0, 1.0]))
        tw = _u(rng, 40.0, 150.0)
        gain = 1.0 + float(rng.normal(0.0, 0.005))
        qg = float(rng.choice([1.0, 2.0, 5.0]))

        def tf_sd(tg: np.ndarray, x: np.ndarray) -> np.ndarray:
            return gain * x + z * (1.0 - np.exp(-tg / tw))

        def dev_sd(t: np.ndarray) -> np.ndarray:
            return np.floor((off + t * (1 + eps)) * 1000.0) / 1000.0

        return Sensor("sd_card_logger", "g", "time_s", "force_g",
                      [f"# SD logger, ADS1115 + bridge, loop {rate:.0f} Hz, t = millis()/1000"],
                      tf_sd, t_true, dev_sd(t_true), dev_sd, _u(rng, 0.04, 0.1), qg, "%.3f", "%.0f",
                      {"rate_hz": rate, "stalls_per_s": stall_rate, "zero_drift_n": z, "quant_g": qg,
                       "gaps": [(round(a, 2), round(b - a, 2)) for a, b in gaps]})
    # rc clock gauge
    f_nom = lim["rate"]
    e0 = _u(rng, 0.005, 0.03) * float(rng.choice([-1.0, 1.0]))
    e1 = _u(rng, 0.001, 0.004) * float(rng.choice([-1.0, 1.0]))
    tau = _u(rng, 30.0, 120.0)
    n0 = int(rng.integers(50, 5000))
    off = n0 / f_nom
    alpha = _u(rng, 0.35, 0.8)
    tau_e = (1.0 - alpha) / (alpha * f_nom)
    sag = _u(rng, 0.003, 0.015)
    ae = math.exp(-DT / tau_e)

    def dev_rc(t: np.ndarray) -> np.ndarray:
        return off + t * (1 + e0) + e1 * (t - tau * (1.0 - np.exp(-t / tau)))

    box = np.ones(max(1, round(1.0 / (f_nom * DT)))) / max(1, round(1.0 / (f_nom * DT)))

    def tf_rc(tg: np.ndarray, x: np.ndarray) -> np.ndarray:
        # integrating ADC (one conversion period), firmware EMA, battery gain sag
        return (1.0 - sag * tg / T) * lfilter([1.0 - ae], [1.0, -ae], lfilter(box, [1.0], x))

    tt = np.arange(0.0, T + 1.0, 0.01)
    dd = dev_rc(tt)
    t_dev = (n0 + np.arange(int((dd[-1] - off) * f_nom) + 1)) / f_nom
    t_true = np.interp(t_dev, dd, tt)
    keep = (t_true <= T - DT) & (rng.random(t_dev.size) >= _u(rng, 0.002, 0.01))
    unit = str(rng.choice(["lb", "lbf"]))
    res = 0.05 if hi < 120 else float(rng.choice([0.05, 0.1]))
    return Sensor("rc_clock_force_gauge", unit, "elapsed_s", f"reading_{unit}",
                  [f"# digital force gauge, stream {f_nom:g} Hz, resolution {res:g} {unit}"],
                  tf_rc, t_true[keep], t_dev[keep], dev_rc,
                  _u(rng, 0.03, 0.08) * math.sqrt(alpha / (2 - alpha)),
                  res, "%.3f", "%.2f", {"rate_nominal": f_nom, "clock_err": e0, "ema_alpha": alpha,
                                        "gain_sag": sag, "res": res})


# ------------------------------------------------------------------------------------- primary labels
def _idx(t: float) -> int:
    return round(t / DT)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    if mask.size == 0:
        return []
    d = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))


def band_exits(tg: np.ndarray, s: np.ndarray, lv: float, i0: int, i1: int, band: float = BAND,
               deb: float = DEBOUNCE, rearm: float = REARM) -> list[tuple[float, str]]:
    rel = s[i0:i1] / lv - 1.0
    hi = rel > band
    out = hi | (rel < -band)
    ev: list[tuple[float, str]] = []
    armed, last_end = True, 0
    for a, b in _runs(out):
        if not armed and (a - last_end) * DT >= rearm:
            armed = True
        if armed and (b - a) * DT >= deb - 1e-9:
            ev.append((float(tg[i0 + a]), "high" if hi[a] else "low"))
            armed = False
        if not armed:
            last_end = b
    return ev


@dataclass
class HoldLabel:
    start: float
    end: float
    level: float
    out: str
    exits: list[tuple[float, str]]
    kind_in: str
    plan: HoldPlan


def _settle(s: np.ndarray, h: HoldPlan, lo: int) -> tuple[int, float]:
    ife = _idx(h.t_flat_end)
    l0 = float(np.median(s[max(lo, ife - _idx(1.0)):ife]))
    bad = np.flatnonzero(np.abs(s[lo:ife] / l0 - 1.0) > SETTLE_TOL)
    iset = lo + (int(bad[-1]) + 1 if bad.size else 0)
    if ife - iset < _idx(CONFIRM):
        raise Reject("hold does not settle within its first flat stretch")
    return iset, float(np.median(s[iset:iset + _idx(CONFIRM)]))


def _start(s: np.ndarray, lo: int, iset: int, lv: float, tube: float, arr: float) -> int:
    rel = np.abs(s[lo:iset + 1] / lv - 1.0)
    out = np.flatnonzero(rel > tube)
    k = int(out[-1]) + 1 if out.size else 0
    inn = np.flatnonzero(rel[k:] <= arr)
    return lo + k + (int(inn[0]) if inn.size else rel.size - 1 - k)


def _onset(tg: np.ndarray, s: np.ndarray, t_c: float, lv: float, thr: float) -> int:
    a, b = _idx(t_c - 0.6), _idx(t_c - 0.05)
    co = np.polyfit(tg[a:b], s[a:b], 1)
    seg = slice(b, min(b + _idx(4.0), s.size))
    dev = np.abs(s[seg] - np.polyval(co, tg[seg]))
    hit = np.flatnonzero(dev > thr * lv)
    if not hit.size:
        raise Reject("transition without visible onset")
    return b + int(hit[0])


def primary_labels(plan: Planner, tg: np.ndarray, s: np.ndarray, t_samp: np.ndarray) -> list[HoldLabel]:
    gaps = [(float(t_samp[i]), float(t_samp[i + 1])) for i in np.flatnonzero(np.diff(t_samp) > 2.7)]
    for a, b in gaps:
        if b - a < 3.4:
            raise Reject("silence too close to the 3 s bridging limit")
    # split holds over long silences
    holds: list[HoldPlan] = []
    for h in plan.holds:
        cur = h
        for a, b in gaps:
            if cur.t_in < a < cur.t_out:
                first = HoldPlan(cur.t_in, cur.t_lo, cur.level, cur.t_flat, cur.kind_in,
                                 min(cur.t_flat_end, a), a, "end_of_data",
                                 [q for q in cur.quiet if q[0] < a], [d for d in cur.drifts if d[0] < a],
                                 [d for d in cur.nudges if d[0] < a])
                nxt = [q for q in cur.quiet if q[1] > b]
                if not nxt:
                    raise Reject("long silence without a flat stretch after it")
                fe = min(nxt[0][1], cur.t_flat_end) if cur.t_flat_end > b else nxt[0][1]
                cur = HoldPlan(b, b, cur.level, b, "after_gap", fe, cur.t_out, cur.out,
                               nxt, [d for d in cur.drifts if d[0] > b], [d for d in cur.nudges if d[0] > b])
                holds.append(first)
        holds.append(cur)
    labels: list[HoldLabel] = []
    last_sample = float(t_samp[-1])
    for h in holds:
        lo = _idx(h.t_lo)
        iset, lv = _settle(s, h, lo)
        later = s[iset + _idx(1.0):iset + _idx(2.5)]
        if later.size and abs(float(np.median(later)) / lv - 1.0) > 0.006:
            raise Reject("level still moving after settling (slow relaxation)")
        starts = [_start(s, lo, iset, lv, tube, arr) for tube, arr in
                  ((TUBE, ARRIVE_TOL), (0.07, ARRIVE_TOL), (0.09, ARRIVE_TOL), (TUBE, 0.02), (TUBE, 0.04))]
        if (max(starts) - min(starts)) * DT > 0.3:
            raise Reject("hold start sensitive to the tube or arrival tolerance")
        i_s = starts[0]
        if h.out == "end_of_data":
            prior = t_samp[t_samp <= h.t_out + 1e-9]
            t_end = float(prior[-1]) if prior.size else last_sample
            i_e = min(_idx(t_end), s.size - 1)
        else:
            ons = [_onset(tg, s, h.t_out, lv, thr) for thr in (ONSET_DEV, 0.0015, 0.01)]
            if (max(ons) - min(ons)) * DT > 0.4:
                raise Reject("onset sensitive to the deviation threshold")
            i_e = ons[0]
            t_end = float(tg[i_e])
        if (i_e - i_s) * DT < 3.0:
            raise Reject("hold shorter than 3 s")
        if abs(float(np.median(s[i_s:i_e])) / lv - 1.0) > 0.04:
            raise Reject("hold median far from its settled level")
        for a, b in h.nudges:
            rel = np.abs(s[_idx(a):_idx(b + 2.0)] / lv - 1.0) > TUBE
            if rel.sum() * DT > 0.75 or (rel.any() and np.flatnonzero(rel)[-1] * DT > 1.2):
                raise Reject("nudge not clearly back within 1 s")
        iw = i_s + _idx(CONFIRM)
        if abs(s[iw] / lv - 1.0) > TUBE:
            raise Reject("outside the tube at confirmation")
        ex = band_exits(tg, s, lv, iw, i_e)
        variants = [band_exits(tg, s, lv, iw, i_e, band=bd, deb=db, rearm=ra)
                    for bd, db, ra in ((0.09, DEBOUNCE, REARM), (0.11, DEBOUNCE, REARM), (BAND, 0.05, REARM),
                                       (BAND, 0.3, REARM), (BAND, DEBOUNCE, 0.3), (BAND, DEBOUNCE, 0.8))]
        variants += [band_exits(tg, s, lv, iw + k, i_e) for k in (-_idx(0.25), _idx(0.25))]
        for v in variants:
            if len(v) != len(ex) or any(a[1] != b[1] or abs(a[0] - b[0]) > 0.3
                                        for a, b in zip(v, ex, strict=True)):
                raise Reject("band exits sensitive to band, debounce, re-arm or watch start")
        for t, _ in ex:
            if t > t_end - 0.6:
                raise Reject("band exit too near the hold's end")
        labels.append(HoldLabel(float(tg[i_s]), t_end, lv, h.out, ex, h.kind_in, h))
    return labels


def check_plan_signal(plan: Planner, labels: list[HoldLabel], tg: np.ndarray, s: np.ndarray) -> None:
    """Rejection rules that look at what lies between and after holds."""
    for a, b in itertools.pairwise(labels):
        if a.out == "step":
            if abs(b.level / a.level - 1.0) < MIN_STEP:
                raise Reject("step smaller than 14 %")
            if b.kind_in not in ("step", "slow_step", "dip_step"):
                raise Reject("step into a hold that is not a step target")
    for h in labels:
        if h.out == "release":
            i0 = _idx(h.end)
            seg = s[i0:i0 + _idx(3.3)]
            below = np.flatnonzero(seg < 0.12 * h.level)
            if not below.size or below[0] * DT > 2.0:
                raise Reject("release does not fall below 12 %")
            j = i0 + int(below[0])
            if j + _idx(1.5) > s.size or np.any(s[j:j + _idx(1.3)] > 0.13 * h.level):
                raise Reject("release does not stay below 13 %")
        if h.out == "step":
            i0 = _idx(h.end)
            # a dip must not look like a release
            seg = s[i0:i0 + _idx(2.5)]
            if np.min(seg) < 0.2 * h.level:
                raise Reject("step dip too deep")
    # no hold-like stretch inside friction, thumb-walk or touches
    w = _idx(1.5)
    for e in plan.explicit:
        i0, i1 = _idx(e.t0), min(_idx(e.t1), s.size)
        if i1 - i0 <= w:
            continue
        seg = s[i0:i1]
        mx = maximum_filter1d(seg, w, origin=-(w // 2))[: seg.size - w]
        mn = minimum_filter1d(seg, w, origin=-(w // 2))[: seg.size - w]
        hold_like = (mx * 0.9 <= mn * 1.1) & (mn > CONTACT_N + 1.0)
        if np.any(hold_like):
            raise Reject(f"hold-like stretch inside {e.kind}")


# ------------------------------------------------------------------------------------------- session
@dataclass
class Session:
    csv: str
    labels: str
    t_dev: np.ndarray
    s_samples: np.ndarray  # label signal at the samples, N
    unit: str
    attempt: int


def _place_gaps(plan: Planner, labels_hint: list[HoldPlan],
                rng: np.random.Generator) -> list[tuple[float, float]]:
    """SD-card dropouts: 0-2 bridged ones (0.6-2.6 s) and sometimes one long stall (3.6-6 s)."""
    gaps: list[tuple[float, float]] = []
    cands = []
    for h in labels_hint:
        for a, b in h.quiet:
            a2 = max(a, h.t_flat + 3.5) + 1.0
            b2 = b - 1.2
            if b2 - a2 > 0.8:
                cands.append((a2, b2))
    order = rng.permutation(len(cands)) if cands else []
    n_mid = int(rng.integers(0, 3))
    for k in order[:n_mid]:
        a, b = cands[k]
        d = min(_u(rng, 0.6, 2.6), b - a)
        if d < 0.6:
            continue
        g0 = _u(rng, a, b - d)
        gaps.append((g0, g0 + d))
    if rng.random() < 0.45:
        d = _u(rng, 3.6, 6.0)
        opts = [(a + 2.5, b - d - 1.0) for a, b in plan.rests if b - a > d + 4.0]
        for h in labels_hint:
            for a, b in h.quiet:
                a2 = max(a, h.t_flat + 5.0)
                if b - 5.0 - d > a2 and not any(g[0] < b and g[1] > a for g in gaps):
                    opts.append((a2, b - 5.0 - d))
        if opts:
            a, b = opts[int(rng.integers(0, len(opts)))]
            g0 = _u(rng, a, max(a, b))
            gaps.append((g0, g0 + d))
    return sorted(gaps)


def _fmt_rows(t: np.ndarray, v: np.ndarray, tfmt: str, ffmt: str) -> str:
    ts = np.char.mod(tfmt, t)
    vs = np.char.mod(ffmt, v)
    return "\n".join(np.char.add(np.char.add(ts, ","), vs).tolist())


def build(seed: int, session: int) -> Session:
    last = ""
    for attempt in range(200):
        try:
            return _build_once(seed, session, attempt)
        except Reject as exc:
            last = str(exc)
    raise RuntimeError(f"session {session}: no acceptable draw in 200 attempts (last: {last})")


def _build_once(seed: int, session: int, attempt: int) -> Session:
    rng = np.random.default_rng([seed, session, attempt])
    kind = SENSOR_CYCLE[(seed + session) % len(SENSOR_CYCLE)]
    lim, dur_max = sensor_limits(kind, rng)
    hand = str(rng.choice(HANDS))
    tool = str(rng.choice(list(TOOLS), p=[0.35, 0.25, 0.2, 0.2]))
    lo, hi = TOOLS[tool]
    ltyp = float(math.exp(rng.uniform(math.log(lo * 1.6), math.log(hi * 0.7))))
    plan = Planner(rng, lo, hi, ltyp)
    n_rep = int(rng.integers(2, 4))
    repertoire = [str(x) for x in rng.choice(EPISODES, size=n_rep, replace=False)]
    t_target = _u(rng, 42.0, dur_max - 2.0)
    plan.rest_for(_u(rng, 1.0, 3.5))
    while plan.t < t_target + 3.0:
        plan.run(str(rng.choice(repertoire)))
        plan.rest_gap(_u(rng, 1.5, 6.0))
    hi_end = min(194.0, dur_max)  # 42-194 s true time: 40-200 s on a clock up to 3 % off
    rest_only = bool(rng.random() < 0.5)
    cands = [(max(a, 42.0), min(b, hi_end)) for a, b in plan.safe_ends(rest_only)
             if min(b, hi_end) > max(a, 42.0)]
    if not cands:
        raise Reject("no safe end point")
    a, b = min(cands, key=lambda ab: 0.0 if ab[0] <= t_target <= ab[1] else min(abs(ab[0] - t_target),
                                                                                    abs(ab[1] - t_target)))
    t_end = float(np.clip(t_target, a, b)) if b - a < 1.0 else _u(rng, a, b)
    plan.truncate(t_end)
    if not plan.holds:
        raise Reject("no hold")
    n = _idx(t_end) + 1
    tg = np.arange(n) * DT
    hp = hand_params(rng, hand, ltyp)
    F = simulate_hand(plan, hand, hp, n)
    m, pinfo = physiology(rng, n, tool, plan.breath)
    gaps = _place_gaps(plan, plan.holds, rng) if kind == "sd" else []
    sen = make_sensor(kind, lim, rng, t_end, hi, gaps)
    s = sen.transfer(tg, F)
    data = sen.transfer(tg, F * (1.0 + m))
    labels = primary_labels(plan, tg, s, sen.t_true)
    check_plan_signal(plan, labels, tg, s)
    # the reading must not depend on whether the label signal is read continuously or at the samples
    s_samp = np.interp(sen.t_true, tg, s)
    s_si = np.interp(tg, sen.t_true, s_samp)
    again = primary_labels(plan, tg, s_si, sen.t_true)
    for x, y in zip(labels, again, strict=True):
        if abs(x.start - y.start) > 0.25 or abs(x.end - y.end) > 0.25 or abs(x.level / y.level - 1) > 0.01 \
                or len(x.exits) != len(y.exits) \
                or any(abs(a[0] - b[0]) > 0.2 for a, b in zip(x.exits, y.exits, strict=True)):
            raise Reject("labels depend on reading the label signal at the samples")
    # friction must clearly leave the hold (as the samples show it) and keep swinging until its taper
    for h in labels:
        if h.out != "left":
            continue
        e = next(x for x in plan.explicit if x.kind == "friction" and abs(x.t0 - h.plan.t_out) < 1e-6)
        i0, i1 = _idx(e.t0), _idx(e.t1 - e.params["taper"])
        rel = np.abs(s_si[i0:i1] / h.level - 1.0)
        w = _idx(0.6)
        if rel.size <= w or not np.any(rel[:w] > 0.12) or \
                np.min(maximum_filter1d(rel, w, origin=-(w // 2))[: rel.size - w]) < 0.12:
            raise Reject("friction does not clearly leave the hold at the samples")
    # samples
    x = np.interp(sen.t_true, tg, data) + rng.normal(0.0, sen.noise_n, sen.t_true.size)
    xu = x / N_PER_UNIT[sen.unit]
    q = sen.quant
    xu = np.round(xu / q) * q + 0.0  # + 0.0: no "-0.00"
    csv = "\n".join([*sen.header, f"{sen.time_col},{sen.force_col}",
                     _fmt_rows(sen.t_dev, xu, sen.tfmt, sen.ffmt)]) + "\n"
    lab = to_json(plan, labels, sen, tg, s, hand, hp, tool, pinfo, attempt, seed, session, t_end)
    return Session(csv, lab, sen.t_dev, s_samp, sen.unit, attempt)


def to_json(plan: Planner, labels: list[HoldLabel], sen: Sensor, tg: np.ndarray, s: np.ndarray, hand: str,
            hp: dict[str, float], tool: str, pinfo: dict[str, float], attempt: int, seed: int, session: int,
            t_end: float) -> str:
    k = N_PER_UNIT[sen.unit]

    def d(t: float) -> float:
        return round(float(sen.dev(np.asarray([t]))[0]), 3)

    holds, ended, steps, rels, exits, opt = [], [], [], [], [], []
    for i, h in enumerate(labels):
        end = round(float(sen.t_dev[np.searchsorted(sen.t_true, h.end + 1e-9) - 1]), 3) \
            if h.out == "end_of_data" else d(h.end)
        holds.append([d(h.start), end, round(h.level / k, 4)])
        ended.append(h.out)
        if h.out == "step":
            nxt = labels[i + 1]
            steps.append([d(h.end), "up" if nxt.level > h.level else "down"])
            if nxt.start - h.end > 1.5:
                rel = s[_idx(h.end):_idx(nxt.start)] / h.level - 1.0
                hit = np.flatnonzero(np.abs(rel) > BAND)
                if hit.size:
                    j = int(hit[0])
                    opt.append([d(h.end + j * DT), "high" if rel[j] > 0 else "low"])
        elif h.out == "release":
            rels.append(d(h.end))
        exits += [[d(t), dr] for t, dr in h.exits]
    models = [f"hand:{hand}", *plan.used, "physio:ar2_tremor", "physio:signal_dependent_lowband_noise",
              "physio:therapist_respiration", "physio:ballistocardiogram"]
    if plan.breath is not None:
        models.append("physio:patient_breathing")
    models.append(f"sensor:{sen.name}")
    hp_txt = ", ".join(f"{a}={b:.3g}" for a, b in hp.items())
    si = ", ".join(f"{a}={b:.4g}" if isinstance(b, float) else f"{a}={b}" for a, b in sen.info.items())
    pi = ", ".join(f"{a}={b:.3g}" for a, b in pinfo.items())
    notes = (f"Seed {seed} session {session} (draw attempt {attempt}). A {tool} (typical level "
             f"{plan.ltyp:.0f} N, range {plan.lo:.0f}-{plan.hi:.0f} N) driven by the {hand} hand ({hp_txt}); "
             f"protocols: {', '.join(u.split(':')[1] for u in plan.used)}. {t_end:.1f} s recorded by "
             f"the {sen.name} ({si}); sensor noise {sen.noise_n:.3f} N, resolution {sen.quant:g} {sen.unit}. "
             f"Physiology in the data only: {pi}. {len(holds)} holds, {len(steps)} steps, {len(rels)} "
             f"releases, {len(exits)} band exits ({len(opt)} optional). Labels are read off the label "
             f"signal (the hand force through the sensor's deterministic response, no noise) by the "
             f"contract's Definitions with the conventions stated in tools/blind_generator9.py; times "
             f"are on the file's device clock.")
    out = {"unit": sen.unit, "time_column": sen.time_col, "force_column": sen.force_col, "holds": holds,
           "holds_ended_by": ended, "steps": steps, "releases": rels, "band_exits": exits,
           "band_exits_optional": opt, "models": models, "generator": GENERATOR, "notes": notes}
    return "{\n" + ",\n".join(f" {json.dumps(a)}: {json.dumps(b)}" for a, b in out.items()) + "\n}\n"


# ------------------------------------------------------------------------------------ second reader
def second_reading(t: np.ndarray, s: np.ndarray) -> dict[str, Any]:
    """Read holds, steps, releases and band exits from a label signal (N) sampled at times t.

    Written apart from the generator's labeller: it knows nothing of the plan.  It finds flat anchors
    (1 s windows whose range is within 3 % of their mean), reads each anchor's level, and walks
    from anchor to anchor deciding by the Definitions whether the force stayed in the hold (slow
    drift, or a fast excursion that came back within 1 s), stepped (a new level 10 % away reached
    without oscillating, within 8 s), was released (below 15 % for 1 s), or left (a fast departure
    that swings or does not settle).
    """
    G = 0.01
    res: dict[str, Any] = {"holds": [], "steps": [], "releases": [], "exits": []}
    cuts = np.flatnonzero(np.diff(t) > BRIDGE_S)
    bounds = list(zip(np.concatenate(([0], cuts + 1)).tolist(), np.concatenate((cuts, [t.size - 1])).tolist(),
                      strict=True))
    rest = 0.0
    for a, b in bounds:
        if t[b] - t[a] < 2.0:
            continue
        tg = np.arange(t[a], t[b] + 1e-9, G)
        sg = np.interp(tg, t[a:b + 1], s[a:b + 1])
        rest = _read_segment(tg, sg, float(t[b]), rest, res)
    return res


def _read_segment(tg: np.ndarray, sg: np.ndarray, t_last: float, rest: float, res: dict[str, Any]) -> float:
    G = 0.01
    n = sg.size
    sl = uniform_filter1d(np.gradient(sg, G), 9)
    w = 101
    mx = maximum_filter1d(sg, w)
    mn = minimum_filter1d(sg, w)
    mean = uniform_filter1d(sg, w)
    flat = (mx - mn) <= 0.03 * np.maximum(np.abs(mean), 1.0)
    anchors: list[list[float]] = []
    d = np.diff(np.concatenate(([0], flat.astype(np.int8), [0])))
    for i0, i1 in zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=True):
        if i1 - i0 < 20:
            continue
        r0, r1 = max(int(i0) - 50, 0), min(int(i1) - 1 + 50, n - 1)
        if anchors and r0 <= anchors[-1][1]:
            anchors[-1][1] = r1
        else:
            anchors.append([r0, r1])
    for an in anchors:
        # settled level: skip the anchor's first second when it is long enough (slow relaxation tails)
        j0 = an[0] + 100 if an[1] - an[0] >= 300 else an[0]
        an.append(float(np.median(sg[j0:min(j0 + 150, an[1] + 1)])))

    def onset_before(x: int) -> int:
        j0, j1 = max(x - 30, 0), min(x + 30, n)
        peak = float(np.max(np.abs(sl[j0:j1])))
        i = x
        while i > 0 and abs(sl[i]) >= 0.15 * peak:
            i -= 1
        return i

    def start_of(a0: int, lv: float, bound: int) -> int:
        rel = np.abs(sg[bound:a0 + 1] / lv - 1.0)
        out = np.flatnonzero(rel > TUBE)
        k = int(out[-1]) + 1 if out.size else 0
        inn = np.flatnonzero(rel[k:] <= ARRIVE_TOL)
        return bound + k + (int(inn[0]) if inn.size else rel.size - 1 - k)

    def fast_departure(e: int, stop: int, lv: float) -> int | None:
        rel = sg / lv - 1.0
        i = e
        while i < stop:
            if abs(rel[i]) > TUBE and abs(rel[i - 1]) <= TUBE and abs(sl[i]) >= 0.10 * lv:
                back = None
                for j in range(i, min(i + 101, n)):
                    if abs(rel[j]) <= TUBE and np.all(np.abs(rel[j:min(j + 50, n)]) <= TUBE):
                        back = j
                        break
                if back is None:
                    return i
                i = back
            i += 1
        return None

    def low_run(e: int, stop: int, lv: float) -> int | None:
        below = sg[e:stop] < RELEASE_FRAC * lv
        d2 = np.diff(np.concatenate(([0], below.astype(np.int8), [0])))
        for r0, r1 in zip(np.flatnonzero(d2 == 1), np.flatnonzero(d2 == -1), strict=True):
            if (r1 - r0) * G >= 1.0:
                return e + int(r0)
        return None

    def swings(x: int, y: int, lv: float) -> int:
        seg = sg[x:y]
        if seg.size < 3:
            return 0
        count, ref, direction = 0, seg[0], 0
        for v in seg[1:]:
            if direction >= 0 and v < ref - 0.1 * lv and direction == 1:
                count += 1
                direction, ref = -1, v
            elif direction <= 0 and v > ref + 0.1 * lv and direction == -1:
                count += 1
                direction, ref = 1, v
            elif direction == 0 and abs(v - ref) > 0.1 * lv:
                direction, ref = (1 if v > ref else -1), v
            elif (direction == 1 and v > ref) or (direction == -1 and v < ref):
                ref = v
        return count

    cur: dict[str, Any] | None = None
    bound = 0

    def close(end_i: int | None, how: str, t_end: float | None = None) -> None:
        assert cur is not None
        te = float(tg[end_i]) if end_i is not None else float(t_end)  # type: ignore[arg-type]
        res["holds"].append([cur["start"], te, cur["L"], how])
        if how == "release":
            res["releases"].append(te)

    for a0, a1, A in anchors:
        a0, a1 = int(a0), int(a1)
        if cur is None:
            if rest + CONTACT_N > A:
                rest = A
                bound = a1
                continue
            st = start_of(a0, A, bound)
            cur = {"start": float(tg[st]), "L": A, "e": a1}
            continue
        L, e = cur["L"], cur["e"]
        lr = low_run(e, a1 + 1, L)
        if lr is not None or rest + CONTACT_N > A:
            x = e + int(np.argmax(sg[e:] < 0.5 * L))
            on = onset_before(x)
            close(on, "release")
            cur = None
            if A < RELEASE_FRAC * L or rest + CONTACT_N > A:
                rest = A
                bound = a1
            else:
                bound = lr if lr is not None else a0
                st = start_of(a0, A, bound)
                cur = {"start": float(tg[st]), "L": A, "e": a1}
            continue
        x = fast_departure(e, a0, L)
        if x is None:
            if abs(A / L - 1.0) < 0.10:
                cur["e"] = a1
                continue
            # "stayed steady at the new level for 3 s": no more than 5 % of movement in those 3 s
            steady = a0 + 300 < n and float(np.ptp(sg[a0:a0 + 300])) <= 0.05 * A
            if not steady:
                cur["e"] = a1
                continue
            xm = e + int(np.argmax(np.abs(sl[e:a0])))
            on = onset_before(xm)
            close(on, "step")
            res["steps"].append([float(tg[on]), "up" if A > L else "down"])
            st = start_of(a0, A, on)
            cur = {"start": float(tg[st]), "L": A, "e": a1}
            continue
        on = onset_before(x)
        if swings(x, a0, L) <= 2 and (a0 - on) * G <= 8.0 and abs(A / L - 1.0) >= 0.10:
            close(on, "step")
            res["steps"].append([float(tg[on]), "up" if A > L else "down"])
        else:
            close(on, "left")
        st = start_of(a0, A, on)
        cur = {"start": float(tg[st]), "L": A, "e": a1}
    if cur is not None:
        L, e = cur["L"], cur["e"]
        lr = low_run(e, n, L)
        x = fast_departure(e, n - 1, L)
        if lr is not None:
            xx = e + int(np.argmax(sg[e:] < 0.5 * L))
            close(onset_before(xx), "release")
        elif x is not None:
            close(onset_before(x), "left")
        else:
            close(None, "end_of_data", t_last)
    # band exits for the holds of this segment
    for h in res["holds"]:
        if len(h) == 4 and tg[0] - 1e-6 <= h[0] <= tg[-1] + 1e-6:
            res["exits"] += _read_exits(tg, sg, h[0], h[1], h[2])
            h.append("done")
    return rest


def _read_exits(tg: np.ndarray, sg: np.ndarray, start: float, end: float, lv: float) -> list[list[Any]]:
    out: list[list[Any]] = []
    armed = True
    out_since: float | None = None
    in_since: float | None = None
    for t, v in zip(tg.tolist(), sg.tolist(), strict=True):
        if t < start + CONFIRM - 1e-9:
            continue
        if t >= end - 1e-9:
            break
        outside = abs(v / lv - 1.0) > BAND
        if outside:
            in_since = None
            if out_since is None:
                out_since = t
            if armed and t - out_since >= DEBOUNCE - 1e-9:
                out.append([out_since, "high" if v > lv else "low"])
                armed = False
        else:
            out_since = None
            if in_since is None:
                in_since = t
            if not armed and t - in_since >= REARM - 1e-9:
                armed = True
    return out


def compare(lab: dict[str, Any], rd: dict[str, Any], name: str) -> list[str]:
    k = N_PER_UNIT[lab["unit"]]
    errs: list[str] = []
    lh, rh = lab["holds"], rd["holds"]
    if len(lh) != len(rh):
        errs.append(f"{name}: {len(lh)} holds labelled, second reading finds {len(rh)}")
    else:
        for i, (x, y) in enumerate(zip(lh, rh, strict=True)):
            if abs(x[0] - y[0]) > 0.4 or abs(x[1] - y[1]) > 0.3 or abs(x[2] * k / y[2] - 1.0) > 0.02:
                yy = [round(y[0], 3), round(y[1], 3), round(y[2] / k, 4)]
                errs.append(f"{name}: hold {i} {x} vs second reading {yy}")
            if lab["holds_ended_by"][i] != y[3]:
                errs.append(f"{name}: hold {i} ended_by {lab['holds_ended_by'][i]} vs {y[3]}")
    for key, tol in (("steps", 0.3), ("releases", 0.3), ("band_exits", 0.3)):
        a = lab[key]
        b = rd["exits" if key == "band_exits" else key]
        if len(a) != len(b):
            errs.append(f"{name}: {len(a)} {key} labelled, second reading finds {len(b)}")
            continue
        for x, y in zip(a, b, strict=True):
            xt, yt = (x[0], y[0]) if isinstance(x, list) else (x, y)
            if abs(xt - yt) > tol or (isinstance(x, list) and x[1] != y[1]):
                errs.append(f"{name}: {key} {x} vs second reading {y}")
    return errs


# ------------------------------------------------------------------------------------------------- CLI
def _name(seed: int, i: int) -> str:
    return f"bg9_s{seed}_{i:03d}"


def _work_write(args: tuple[str, int, int]) -> tuple[int, int]:
    out, seed, i = args
    ses = build(seed, i)
    base = os.path.join(out, _name(seed, i))
    with open(base + ".csv", "w", encoding="utf-8", newline="") as f:
        f.write(ses.csv)
    with open(base + ".labels.json", "w", encoding="utf-8", newline="") as f:
        f.write(ses.labels)
    return i, len(ses.csv)


def _work_check(args: tuple[str, int, int]) -> list[str]:
    out, seed, i = args
    name = _name(seed, i)
    base = os.path.join(out, name)
    errs: list[str] = []
    ses = build(seed, i)
    for ext, txt in ((".csv", ses.csv), (".labels.json", ses.labels)):
        try:
            with open(base + ext, encoding="utf-8", newline="") as f:
                disk = f.read()
        except OSError:
            errs.append(f"{name}{ext}: missing or unreadable")
            continue
        if disk != txt:
            errs.append(f"{name}{ext}: differs from a fresh generation")
    try:
        with open(base + ".labels.json", encoding="utf-8") as f:
            lab = json.load(f)
    except (OSError, ValueError):
        errs.append(f"{name}.labels.json: not readable as JSON")
        return errs
    errs += compare(lab, second_reading(ses.t_dev, ses.s_samples), name)
    return errs


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"blind_generator9: {message}.\n")
        sys.exit(2)


def main(argv: list[str] | None = None) -> int:
    ap = _Parser(description="Blind generator 9: labelled therapy-pressure sessions.")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--sessions", type=int, default=48)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args(argv)
    if a.seed < 0 or a.sessions < 1 or a.jobs < 1:
        sys.stderr.write("blind_generator9: --seed must be >= 0, --sessions and --jobs >= 1.\n")
        return 2
    if a.check:
        if not os.path.isdir(a.out):
            sys.stderr.write(f"blind_generator9: {a.out} is not a directory to check.\n")
            return 2
    else:
        try:
            os.makedirs(a.out, exist_ok=True)
            probe = os.path.join(a.out, ".bg9_probe")
            with open(probe, "w", encoding="utf-8") as f:
                f.write("")
            os.remove(probe)
        except OSError as exc:
            sys.stderr.write(f"blind_generator9: cannot write to {a.out} ({exc.strerror}).\n")
            return 2
    jobs = [(a.out, a.seed, i) for i in range(a.sessions)]
    with Pool(min(a.jobs, a.sessions)) as pool:
        if a.check:
            errs = [e for r in pool.imap(_work_check, jobs) for e in r]
            for e in errs:
                sys.stderr.write(e + "\n")
            return 1 if errs else 0
        for _ in pool.imap_unordered(_work_write, jobs):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
