#!/usr/bin/env python
"""A third blind generator of labelled force traces: other eyes once more, with models of its own.

Written from the public contract alone (its definitions of holds, steps, releases and band exits) by
a helper who never saw the detector, independently of ``blind_generator.py`` and
``blind_generator2.py``. It was ported into the tree by a helper who did not read the detector
either, without changing a byte of what it writes: the sessions of seeds 1-6 that figures were
measured on are, file for file, the ones it writes now. Its sessions are scored like labelled real
recordings (``score_detection.py --realdata``); ``eval_detection.py --blind3 SEEDS`` scores groups of
its seeds.

Every session is deterministic per (seed, session): attempt a uses numpy default_rng([seed, session, a]);
an attempt whose labels could honestly be read two ways is rejected and redrawn (up to 150 attempts).
A session is one of five protocols: NMT trigger-point work (a ramp to a barrier, holds, steps to new
barriers, a release), ischemic compression holds of 30-60 s, pressure-algometer PPT ramps, repeated
short training holds to one target, gliding strokes and touches around holds (which may end pumping).

Models (all internal simulation on a 200 Hz grid, forces in newtons)
--------------------------------------------------------------------
Planner (intended force u(t)): protocol scripts built of moves, holds, releases, touches and strokes.
  * moves: constant-rate ramps, raised-cosine-velocity ("bell") moves, or two-stage moves (two bell
    sub-moves with a short pause); every arrival aims past (overshoot) or short of (undershoot) the target by
    3-15 % of the change and is then corrected exponentially within a settle time of 0.3-1.5 s.
  * postural sway: multiplicative band-limited noise (0.05 Hz - 0.2..0.5 Hz), SD 0.3-1.5 % of the force.
  * surges (a brief extra push of 17-30 %, 0.6-1.0 s), fatigue fades or lean-in drifts of 1.5-3.5 %/s in
    the last part of a hold that ends in a release, pumping bursts (a fast departure into a +-35-55 %
    oscillation at 0.6-1.4 Hz that runs to the end of the recording: the hold then ended "left").
Hand plant: muscle activation dynamics (first order, 20-40 ms when rising, 40-80 ms when falling; a
  per-sample nonlinear recursion) followed by the limb as a second-order mass-spring-damper
  (natural frequency 2-6 Hz, damping ratio 0.45-0.9).
Tissue: multiplicative stress relaxation per hold, d*(1-exp(-t/tau)) with d 3-7 % (uncompensated) or
  d 6-12 % with the hand compensating through a first-order lag of 0.8-2.5 s; "the tissue gives": an
  additive dip of 18-30 % of the level in 0.08-0.2 s that the hand restores within 0.45-0.75 s;
  arterial pulse 1-1.6 Hz, 0.2-0.6 % (multiplicative; in 60 % of sessions).
Excluded from the labels (added after the label signal is taken): signal-dependent motor noise (SD
  0.6-1.6 % of the force, low-passed at 2-6 Hz), physiological tremor (6-12 Hz, 0.2-0.8 %), sensor lag,
  sensor noise, mains hum, quantisation, glitches, timestamp jitter, dropouts.
Sensors (each with its own static transfer S(F), lag, noise, time base and unit):
  * fsr: force-sensitive resistor in a divider on a 10/12-bit MCU ADC, 50-200 Hz, millisecond time stamps;
    power-law residual nonlinearity, a play-operator hysteresis, creep 2-5 % over 10 s of loading, RC lag.
  * ads1115: bridge load cell on a 16-bit ADS1115 at 128 or 860 SPS, micros() time stamps, rare single-
    sample I2C glitches (full-scale, zero or an MSB flip).
  * gauge: commercial digital force gauge streaming ASCII at 10-50 Hz in lbf or kgf with 0.01-0.1
    resolution, internal moving average, host receive time stamps (jitter, two lines per read).
  * daq: strain-gauge amplifier into a 1-2 kHz DAQ with 50/60 Hz hum and a temperature zero drift.
  * wifi: wireless capacitive pressure sensor, 20-100 Hz, host arrival time stamps with latency jitter,
    single-packet loss and dropouts of 0.2-2.5 s.
Loads: light 4-11 N, medium 10-150 N, heavy 150-600 N.  Units N, kg (kgf), kgf, g, lbf.

Label signal and labelling rules
--------------------------------
The label signal is the sensor's static transfer S applied to the noise-free applied force, which includes
the planner's sway, surges, fades, the tissue relaxation and gives and the pulse, but none of the excluded
items above.  (The structural labels are also required to come out the same on the true applied force and
on a 0.1 s moving average of the noisy force, otherwise the session is redrawn.)
  * hold start: where the label signal comes within +-8 % of the settled level (median of the 1.5 s after
    the arrival's correction settled) to stay, walking back from the settled moment.
  * hold end: the onset of the step / release / departure that ends it, or the end of the data.
    Onset = first moment the plant output without sway/tissue departs by 3 % of the change from its
    linear extrapolation over the preceding 0.5 s.
  * level: median of the label signal over [start, end].
  * step: onset of a change between two holds of the same contact ("up"/"down"); fast steps complete
    (90 %) within 1.7 s, slow deliberate ones take 2.7-7.6 s and stay within +-5 % for 3.5 s after.
  * release: onset of the drop; the force falls below 15 % of the level within 1.8 s and stays there.
  * band exits (required): per hold, watched from start+1.5 s to its end, force outside +-10 % of the level
    for 0.15 s, one per excursion, re-armed after 0.5 s back inside.  band_exits_optional: the old band's
    exit during a slow deliberate step or during a slow let-go release (drop taking over 0.8 s).
  * touches (< 0.75 s), strokes, algometer ramps and pumping are contacts and are never holds.
Rejected (redrawn) when: a hold < 3 s or < 70 % within +-8 %, hold start moving > 0.5 s for a +-7/9 %
band, relative level change < 14.5 % (either normalisation), fast step > 1.7 s or slow step outside
2.7-7.6 s or not steady 3.5 s, release not below 15 % within 1.8 s, band exits changing when the level
moves +-1 %, the debounce becomes 0.10/0.25 s, re-arm 0.4/0.6 s, confirmation 1.2/1.8 s, or on the true
or the noisy force; an exit within 1 s of its hold's end; a touch of 0.75-1.35 s; a hold-like (+-8 % for
1.2 s) stretch in any non-hold contact; a dropout > 2.5 s in a hold or within 1 s of an event.

Files: ``OUT/bg3_sS_NNN.csv`` (a header naming the sensor's own time and force columns, the force in
the sensor's unit, times on its own clock) and ``OUT/bg3_sS_NNN.labels.json`` (unit, force_column,
holds [start, end, level], steps [t, up/down], releases [t], band_exits and band_exits_optional
[t, high/low], notes naming the session's models; levels in the file's unit, times on its clock).

``--check`` regenerates OUT's sessions (as many as it holds, or ``--sessions``) and checks every label
against the noise-free label signal by the generator's own checker (written from the definitions, with
the looser tolerances of a second reader), and every file against the regeneration (labels equal, the
header, the number of rows, time never running back).

Usage::

    python tools/blind_generator3.py OUT --seed S [--sessions 48]   # OUT/bg3_sS_NNN.csv, .labels.json
    python tools/blind_generator3.py OUT --seed S --check           # regenerates and checks OUT
    python tools/score_detection.py --realdata OUT

Exits 0 when done (``--check``: when every session and file passes), 1 when ``--check`` finds a
failure, 2 with one sentence for a bad argument or an OUT that cannot be written or read.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage, signal

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tool_args import UsageError, generator_main  # (a sibling in tools/)

FS = 200.0
DT = 1.0 / FS
G0 = 9.80665
LBF = 4.4482216152605
UNIT_PER_N = {"N": 1.0, "kg": 1.0 / G0, "kgf": 1.0 / G0, "g": 1000.0 / G0, "lbf": 1.0 / LBF}
MAX_ATTEMPTS = 150


class Reject(Exception):
    """Raised when an attempt's labels could be read two ways (or a model limit is hit)."""


def idx(t: float) -> int:
    # int(): t is often a numpy float, whose round() gives a float under numpy < 2 (a bad slice index)
    return int(round(t * FS))  # noqa: RUF046


# --------------------------------------------------------------------------------------------------
# Planner
# --------------------------------------------------------------------------------------------------
@dataclass
class HoldPlan:
    level: float
    t_move: float  # command onset of the arriving move
    t_arrive: float  # command reaches the target (settle included)
    contact: int
    via: str  # approach | step_fast | step_slow
    t_end_cmd: float = float("nan")
    end: str = "eod"  # step_fast | step_slow | release | left | eod
    rel_kind: str = ""
    delta_end: float = 0.0
    fade: tuple[float, float] | None = None  # (t start, total relative change)
    relax: str = ""
    gives: list[float] = field(default_factory=list)
    surges: list[float] = field(default_factory=list)


@dataclass
class Plan:
    parts: list[np.ndarray] = field(default_factory=list)
    n: int = 0
    cur: float = 0.0
    holds: list[HoldPlan] = field(default_factory=list)
    touches: list[tuple[float, float]] = field(default_factory=list)
    strokes: list[tuple[float, float]] = field(default_factory=list)
    ppts: list[tuple[float, float]] = field(default_factory=list)
    pump: tuple[float, float] | None = None
    gives: list[tuple[float, float, float, float]] = field(default_factory=list)
    relax: list[tuple[float, float, float, float, int]] = field(default_factory=list)
    contact_end: dict[int, float] = field(default_factory=dict)
    contact: int = 0
    resting: list[tuple[float, float]] = field(default_factory=list)

    def now(self) -> float:
        return self.n * DT

    def push(self, arr: np.ndarray) -> None:
        if arr.size:
            self.parts.append(arr)
            self.n += arr.size
            self.cur = float(arr[-1])

    def flat(self, dur: float) -> None:
        self.push(np.full(max(1, idx(dur)), self.cur))

    def u(self) -> np.ndarray:
        return np.concatenate(self.parts)


def shape_profile(n: int, shape: str, rng: np.random.Generator) -> np.ndarray:
    """Fraction of the move completed at each of n samples (ends at 1)."""
    s = np.arange(1, n + 1) / n
    if shape == "ramp":
        return s
    if shape == "bell":
        return s - np.sin(2 * np.pi * s) / (2 * np.pi)
    # two-stage: bell sub-move, short pause, bell sub-move
    a1 = rng.uniform(0.55, 0.8)
    pause = min(rng.uniform(0.08, 0.18), 0.6 / (n * DT))
    t1 = rng.uniform(0.35, 0.5) * (1 - pause)
    out = np.empty(n)
    for i, x in enumerate(s):
        if x <= t1:
            v = x / t1
            out[i] = a1 * (v - np.sin(2 * np.pi * v) / (2 * np.pi))
        elif x <= t1 + pause:
            out[i] = a1
        else:
            v = (x - t1 - pause) / (1 - t1 - pause)
            out[i] = a1 + (1 - a1) * (v - np.sin(2 * np.pi * v) / (2 * np.pi))
    return out


def move(p: Plan, target: float, dur: float, shape: str, over: float, settle: float,
         rng: np.random.Generator) -> None:
    a = p.cur
    delta = target - a
    peak = target + over * delta
    n = max(2, idx(dur))
    p.push(a + (peak - a) * shape_profile(n, shape, rng))
    n2 = idx(settle)
    if n2 > 0:
        k = np.arange(1, n2 + 1) * DT
        seg = target + (peak - target) * np.exp(-k / (settle / 4.0))
        seg[-1] = target
        p.push(seg)
    p.cur = target


def bump(n: int) -> np.ndarray:
    s = np.arange(n) / max(1, n - 1)
    return 0.5 * (1 - np.cos(2 * np.pi * s))


def do_hold(p: Plan, h: HoldPlan, dur: float, rng: np.random.Generator, feats: dict[str, Any]) -> None:
    """A hold of `dur` s after the arrival; features: gives, surges, fade, relax."""
    t0 = p.now()
    n = max(1, idx(dur))
    seg = np.full(n, h.level)
    fade = feats.get("fade")
    t_fade = t0 + dur
    if fade is not None:
        rate, total = fade
        dfade = abs(total) / rate
        if dfade > dur - 3.0:
            raise Reject("fade longer than hold")
        t_fade = t0 + dur - dfade
        k0 = idx(dur - dfade)
        ramp = np.arange(n - k0) * DT * rate * np.sign(total)
        seg[k0:] = h.level * (1 + ramp)
        h.fade = (t_fade, total)
    # events in the flat part, spaced >= 3 s, >= 3 s from both ends
    slots = []
    for kind in ("give", "surge"):
        for _ in range(feats.get(kind, 0)):
            slots.append(kind)
    lo, hi = t0 + 3.0, min(t0 + dur, t_fade) - 3.0
    times: list[float] = []
    for kind in slots:
        for _ in range(30):
            tc = rng.uniform(lo, hi) if hi > lo else -1.0
            if tc > 0 and all(abs(tc - x) > 3.5 for x in times):
                times.append(tc)
                if kind == "give":
                    g = rng.uniform(0.18, 0.30)
                    p.gives.append((tc, g, rng.uniform(0.08, 0.2), rng.uniform(0.45, 0.75)))
                    h.gives.append(tc)
                else:
                    s = rng.uniform(0.17, 0.30)
                    nb = idx(rng.uniform(0.6, 1.0))
                    k = idx(tc - t0)
                    seg[k:k + nb] += s * h.level * bump(nb)[: max(0, min(nb, n - k))]
                    h.surges.append(tc)
                break
    relax = feats.get("relax", "")
    if relax:
        if relax == "comp":
            d, tau_h = rng.uniform(0.06, 0.12), rng.uniform(0.8, 2.5)
        else:
            d, tau_h = rng.uniform(0.03, 0.07), 0.0
        p.relax.append((h.t_arrive, d, rng.uniform(3.0, 15.0), tau_h, h.contact))
        h.relax = f"{relax} d={d * 100:.1f}%"
    p.push(seg)


@dataclass
class Hand:
    tau_a: float
    tau_d: float
    fn: float
    zeta: float
    sway_sd: float
    sway_hi: float
    motor_sd: float
    motor_fc: float
    trem_f: float
    trem_sd: float
    pulse: float
    pulse_f: float

    @staticmethod
    def draw(rng: np.random.Generator) -> Hand:
        return Hand(
            tau_a=rng.uniform(0.02, 0.04), tau_d=rng.uniform(0.04, 0.08), fn=rng.uniform(2.0, 6.0),
            zeta=rng.uniform(0.45, 0.9), sway_sd=rng.uniform(0.003, 0.015), sway_hi=rng.uniform(0.2, 0.5),
            motor_sd=rng.uniform(0.006, 0.016), motor_fc=rng.uniform(2.0, 6.0),
            trem_f=rng.uniform(6.0, 12.0), trem_sd=rng.uniform(0.002, 0.008),
            pulse=rng.uniform(0.002, 0.006) if rng.random() < 0.6 else 0.0,
            pulse_f=rng.uniform(1.0, 1.6),
        )


LOADS = {"light": (4.5, 7.5, 11.0), "medium": (12.0, 90.0, 150.0), "heavy": (160.0, 420.0, 600.0)}


class Protocol:
    """Builds a session's command u(t) and its plan."""

    def __init__(self, rng: np.random.Generator, load: str):
        self.rng = rng
        self.load = load
        self.p = Plan()
        self.lo, self.hi, self.cap = LOADS[load]

    def r(self, a: float, b: float) -> float:
        return float(self.rng.uniform(a, b))

    def level(self) -> float:
        return float(np.exp(self.rng.uniform(np.log(self.lo), np.log(self.hi))))

    def arrival_error(self) -> tuple[float, float]:
        return self.r(0.03, 0.15) * (1 if self.rng.random() < 0.7 else -1), self.r(0.3, 1.5)

    def approach(self, level: float, dur: float, shape: str) -> HoldPlan:
        p = self.p
        self.p.contact += 1
        t_move = p.now()
        over, settle = self.arrival_error()
        move(p, level, dur, shape, over, settle, self.rng)
        h = HoldPlan(level, t_move, p.now(), p.contact, "approach")
        p.holds.append(h)
        return h

    def step(self, h: HoldPlan, ratio: float, slow: bool) -> HoldPlan:
        p = self.p
        rng = self.rng
        shape = str(rng.choice(["ramp", "ramp", "bell", "two"] if slow else ["bell", "ramp", "two"]))
        dur = self.r(4.2, 7.0) if slow else self.r(0.3, 1.2)
        new = h.level * ratio
        h.t_end_cmd = p.now()
        h.end = "step_slow" if slow else "step_fast"
        h.delta_end = new - h.level
        over, settle = self.arrival_error()
        if slow or over < 0:
            over *= 0.4
        move(p, new, dur, shape, over, settle, rng)
        nh = HoldPlan(new, h.t_end_cmd, p.now(), p.contact, h.end)
        p.holds.append(nh)
        return nh

    def release(self, h: HoldPlan, kind: str) -> None:
        p = self.p
        rng = self.rng
        h.t_end_cmd = p.now()
        h.end = "release"
        h.rel_kind = kind
        h.delta_end = -p.cur
        if kind == "fast":
            move(p, 0.0, self.r(0.15, 0.5), "bell", 0.0, 0.0, rng)
        elif kind == "slow":
            move(p, 0.0, self.r(0.8, 1.5), str(rng.choice(["bell", "ramp"])), 0.0, 0.0, rng)
        else:  # leaves light resting contact of 1-5 N (<= 10 % of the level)
            rest = self.r(1.0, min(5.0, 0.1 * h.level))
            move(p, rest, self.r(0.3, 0.9), "bell", 0.0, 0.0, rng)
            t0 = p.now()
            p.flat(self.r(2.0, 5.0))
            p.resting.append((t0, p.now()))
            move(p, 0.0, self.r(0.3, 0.8), "bell", 0.0, 0.0, rng)
        p.contact_end[h.contact] = p.now() + 0.2

    def hold(self, h: HoldPlan, dur: float, feats: dict[str, Any] | None = None) -> None:
        do_hold(self.p, h, dur, self.rng, feats or {})

    def rest(self, dur: float) -> None:
        self.p.flat(dur)

    def touch(self) -> None:
        p = self.p
        peak = self.r(4.0, 12.0) if self.load == "light" else self.r(5.0, 40.0)
        n = idx(self.r(0.2, 0.45))
        t0 = p.now()
        p.push(p.cur + peak * bump(n))
        p.touches.append((t0, p.now()))

    def stroke(self) -> None:
        p = self.p
        mean = self.r(6.0, 9.0) if self.load == "light" else self.r(15.0, 80.0)
        amp = self.r(0.35, 0.55)
        mean = max(mean, 3.8 / (1 - amp))
        f = self.r(0.5, 1.4)
        dur = self.r(3.0, 8.0)
        n = idx(dur)
        s = np.arange(n) * DT
        env = np.clip(np.minimum(s / 0.3, (dur - s) / 0.3), 0, 1)
        base = mean * (1 + amp * np.sin(2 * np.pi * f * s - np.pi / 2))
        t0 = p.now()
        p.push(p.cur + env * base)
        p.push(np.zeros(1))
        p.strokes.append((t0, p.now()))

    def ppt(self) -> None:
        p = self.p
        rate = self.r(5.0, 10.0)
        peak = rate * self.r(2.0, 5.2)
        t0 = p.now()
        p.push(np.arange(1, idx(peak / rate) + 1) * DT * rate)
        move(p, 0.0, self.r(0.15, 0.4), "bell", 0.0, 0.0, self.rng)
        p.ppts.append((t0, p.now()))

    def pump(self, h: HoldPlan) -> None:
        p = self.p
        h.t_end_cmd = p.now()
        h.end = "left"
        amp = self.r(0.35, 0.55)
        m = self.r(0.75, 1.1)
        f = self.r(0.6, 1.4)
        dur = self.r(4.0, 8.0)
        s = np.arange(1, idx(dur) + 1) * DT
        sgn = 1 if self.rng.random() < 0.5 else -1
        seg = h.level * (1 + (m - 1) * np.minimum(s / 0.3, 1) + sgn * amp * np.sin(2 * np.pi * f * s))
        h.delta_end = h.level * amp
        t0 = p.now()
        p.push(seg)
        p.pump = (t0, p.now())
        p.contact_end[h.contact] = p.now() + 10

    # ---------------------------------------------------------------------------------------------
    def filler(self) -> None:
        rng = self.rng
        self.rest(self.r(2.0, 4.5))
        if rng.random() < 0.45:
            for _ in range(int(rng.integers(1, 3))):
                self.touch()
                self.rest(self.r(1.5, 3.0))
        if rng.random() < 0.3:
            self.stroke()
            self.rest(self.r(2.0, 3.5))

    def hold_feats(self, dur: float, ends_release: bool, style: str) -> dict[str, Any]:
        rng = self.rng
        f: dict[str, Any] = {}
        pg, ps, prl = {"nmt": (0.4, 0.3, 0.4), "isch": (0.6, 0.2, 0.75), "train": (0.0, 0.3, 0.15)}[style]
        room = dur - 6.0
        if room > 4 and rng.random() < pg:
            f["give"] = 1 if room < 15 else int(rng.integers(1, 3))
        if room > 4 and rng.random() < ps:
            f["surge"] = 1
        if rng.random() < prl:
            f["relax"] = "comp" if rng.random() < 0.5 else "free"
        if ends_release and rng.random() < (0.6 if style == "isch" else 0.25):
            rate = self.r(0.015, 0.035)
            sgn = -1 if rng.random() < 0.75 else 1
            # (the condition draws first, then the chosen size: the order of the draws is the session)
            total = (self.r(0.03, 0.06) if rng.random() < 0.5
                     else self.r(max(0.135, 0.10 + 1.6 * rate), 0.22))
            # outside +-8 % must stay under ~25 % of the hold
            if (total - 0.08) / rate < 0.22 * dur and total / rate < dur - 6.0:
                f["fade"] = (rate, sgn * total)
                if total / rate > dur - 10:
                    f.pop("surge", None)
        return f

    def nmt_contact(self) -> HoldPlan:
        rng = self.rng
        lvl = self.level()
        h = self.approach(lvl, self.r(1.5, 5.0), str(rng.choice(["ramp", "bell", "two"])))
        nsteps = int(rng.integers(1, 4))
        dur = self.r(9.0, 24.0)
        for _ in range(nsteps):
            self.hold(h, dur, self.hold_feats(dur, False, "nmt"))
            up = rng.random() < 0.72
            ratio = self.r(1.2, 1.4) if up else self.r(0.62, 0.82)
            if h.level * ratio > self.cap or h.level * ratio < 0.7 * self.lo:
                ratio = 1 / ratio if ratio > 1 else ratio
                if h.level * ratio < 0.7 * self.lo:
                    break
            slow = rng.random() < 0.4
            h = self.step(h, ratio, slow)
            dur = self.r(6.0, 14.0)
        return h

    def build(self, kind: str) -> Plan:
        rng = self.rng
        self.rest(self.r(1.0, 4.0))
        last: HoldPlan | None = None
        if kind == "nmt":
            nc = int(rng.integers(1, 4))
            for c in range(nc):
                h = self.nmt_contact()
                last = h
                if c == nc - 1 and rng.random() < 0.2:
                    break
                dur = self.r(6.0, 14.0)
                self.hold(h, dur, self.hold_feats(dur, True, "nmt"))
                self.release(h, self.release_kind(h))
                last = None
                if c < nc - 1:
                    self.filler()
        elif kind == "isch":
            nc = int(rng.integers(1, 3))
            for c in range(nc):
                h = self.approach(self.level(), self.r(1.5, 4.0), str(rng.choice(["ramp", "bell", "two"])))
                dur = self.r(30.0, 60.0)
                self.hold(h, dur, self.hold_feats(dur, True, "isch"))
                self.release(h, self.release_kind(h))
                if c < nc - 1:
                    self.filler()
        elif kind == "ppt":
            for _ in range(int(rng.integers(3, 6))):
                self.ppt()
                self.rest(self.r(4.0, 10.0))
                if rng.random() < 0.2:
                    self.touch()
                    self.rest(self.r(2.0, 4.0))
            if rng.random() < 0.4:
                h = self.approach(self.level(), self.r(1.5, 4.0), "bell")
                dur = self.r(8.0, 16.0)
                self.hold(h, dur, self.hold_feats(dur, True, "nmt"))
                self.release(h, self.release_kind(h))
        elif kind == "train":
            target = self.level()
            for _ in range(int(rng.integers(5, 10))):
                h = self.approach(target * self.r(0.97, 1.03), self.r(0.4, 1.2), "bell")
                dur = self.r(4.5, 9.0)
                self.hold(h, dur, self.hold_feats(dur, True, "train"))
                self.release(h, "fast" if rng.random() < 0.75 else "slow")
                self.rest(self.r(2.0, 5.0))
                if rng.random() < 0.15:
                    self.touch()
                    self.rest(self.r(1.5, 3.0))
        else:  # glide: strokes and touches around one or two holds, may end pumping
            for c in range(int(rng.integers(1, 3))):
                self.stroke()
                self.rest(self.r(1.5, 3.0))
                self.touch()
                self.rest(self.r(1.5, 3.0))
                h = self.approach(self.level(), self.r(1.0, 3.0), str(rng.choice(["ramp", "bell"])))
                dur = self.r(8.0, 18.0)
                if c == 1 or rng.random() < 0.35:
                    self.hold(h, dur, self.hold_feats(dur, False, "nmt"))
                    self.pump(h)
                    return self.p
                self.hold(h, dur, self.hold_feats(dur, True, "nmt"))
                self.release(h, self.release_kind(h))
                self.rest(self.r(2.0, 4.0))
            self.stroke()
        if last is not None:  # recording stops during the hold
            self.hold(last, self.r(6.0, 12.0), {})
            return self.p
        self.rest(self.r(1.5, 4.0))
        return self.p

    def release_kind(self, h: HoldPlan) -> str:
        x = self.rng.random()
        if h.level >= 20.0 and x < 0.25:
            return "resting"
        return "slow" if x < 0.5 else "fast"


# --------------------------------------------------------------------------------------------------
# Hand + tissue simulation
# --------------------------------------------------------------------------------------------------
def band_noise(rng: np.random.Generator, n: int, lo: float | None, hi: float) -> np.ndarray:
    w = rng.standard_normal(n + 2000)
    if lo is None:
        sos = signal.butter(2, hi, "lowpass", fs=FS, output="sos")
    else:
        sos = signal.butter(2, [lo, hi], "bandpass", fs=FS, output="sos")
    x = signal.sosfiltfilt(sos, w)[1000:-1000]
    return x / (np.std(x) + 1e-12)


def activation(u1: np.ndarray, u2: np.ndarray, ta: float, td: float) -> tuple[np.ndarray, np.ndarray]:
    ka, kd = DT / ta, DT / td
    x1 = x2 = 0.0
    o1: list[float] = []
    o2: list[float] = []
    for p, q in zip(u1.tolist(), u2.tolist(), strict=True):
        x1 += (p - x1) * (ka if p > x1 else kd)
        x2 += (q - x2) * (ka if q > x2 else kd)
        o1.append(x1)
        o2.append(x2)
    return np.asarray(o1), np.asarray(o2)


@dataclass
class HandSim:
    u: np.ndarray
    y0: np.ndarray  # plant output without sway / tissue (for onsets)
    force: np.ndarray  # true applied force, noise-free (labels' physics)
    noisy: np.ndarray  # + motor noise + tremor


def simulate_hand(p: Plan, hand: Hand, rng: np.random.Generator) -> HandSim:
    u = p.u()
    n = u.size
    t = np.arange(n) * DT
    sway = hand.sway_sd * band_noise(rng, n, 0.05, hand.sway_hi)
    a0, a1 = activation(u, u * (1 + sway), hand.tau_a, hand.tau_d)
    wn = 2 * np.pi * hand.fn
    b, a = signal.bilinear([wn * wn], [1.0, 2 * hand.zeta * wn, wn * wn], fs=FS)
    y0 = signal.lfilter(b, a, a0)
    y = signal.lfilter(b, a, a1)
    # tissue stress relaxation
    rel = np.zeros(n)
    for t0, d, tau, tau_h, contact in p.relax:
        k0 = idx(t0)
        k1 = min(n, idx(p.contact_end.get(contact, t[-1])))
        if k1 <= k0:
            continue
        s = np.arange(k1 - k0) * DT
        dd = d * (1 - np.exp(-s / tau))
        if tau_h > 0:
            al = DT / tau_h
            dd = dd - signal.lfilter([al], [1, -(1 - al)], dd)
        rel[k0:k1] += dd
    f = y * (1 - rel)
    if hand.pulse > 0:
        fp = hand.pulse_f * (1 + 0.04 * band_noise(rng, n, None, 0.05))
        f = f * (1 + hand.pulse * np.sin(2 * np.pi * np.cumsum(fp) * DT + rng.uniform(0, 6.28)))
    for tg, g, td, tr in p.gives:
        k = idx(tg)
        lvl = float(np.median(f[k - 40:k]))
        nd, nr = max(2, idx(td)), max(2, idx(tr))
        shp = np.concatenate([0.5 * (1 - np.cos(np.pi * np.arange(1, nd + 1) / nd)),
                              0.5 * (1 + np.cos(np.pi * np.arange(1, nr + 1) / nr))])
        f[k:k + shp.size] -= g * lvl * shp[: max(0, min(shp.size, n - k))]
    f = np.maximum(f, 0.0)
    motor = hand.motor_sd * band_noise(rng, n, None, hand.motor_fc)
    trem = hand.trem_sd * np.sqrt(2) * band_noise(rng, n, hand.trem_f - 0.8, hand.trem_f + 0.8)
    noisy = np.maximum(f * (1 + motor + trem), 0.0)
    return HandSim(u, y0, f, noisy)


# --------------------------------------------------------------------------------------------------
# Sensors
# --------------------------------------------------------------------------------------------------
@dataclass
class Sensor:
    kind: str
    unit: str
    fs: float
    desc: str
    params: dict[str, float]
    tcol: str
    fcol: str
    t_off: float
    ppm: float
    lat: float = 0.0  # mean latency added to host time stamps

    def sim2rec(self, ts: np.ndarray | float) -> np.ndarray | float:
        return self.t_off + np.asarray(ts) * (1 + self.ppm * 1e-6) + self.lat

    def rec2sim(self, tr: float) -> float:
        return (tr - self.t_off - self.lat) / (1 + self.ppm * 1e-6)


SENSORS_FOR = {"light": ["fsr", "ads1115", "wifi"], "medium": ["fsr", "ads1115", "gauge", "daq", "wifi"],
               "heavy": ["ads1115", "gauge", "daq", "wifi"]}


def draw_sensor(rng: np.random.Generator, load: str, fmin: float, fmax: float, dur: float,
                kind: str | None = None) -> Sensor:
    kind = kind or str(rng.choice(SENSORS_FOR[load]))
    r = rng.uniform
    big_off = float(np.round(r(20.0, 90000.0), 3)) if rng.random() < 0.6 else 0.0
    if kind == "fsr":
        unit = str(rng.choice(["N", "g"]))
        rng_n = 20.0 if load == "light" else 150.0
        bits = int(rng.choice([10, 12])) if load == "light" else 12
        pr = {"kappa": r(0.97, 1.03), "fref": fmax * 0.7, "hyst_w": 0.04 * fmax, "hyst_h": r(0.2, 0.5),
              "creep": r(0.05, 0.08), "creep_tau": r(10.0, 20.0), "rc": r(0.005, 0.02),
              "q": rng_n / (2**bits - 1), "noise": r(0.0005, 0.0012) * rng_n, "f_on": r(0.1, 0.3)}
        fs = float(rng.choice([50.0, 100.0, 200.0]))
        desc = (f"FSR in a voltage divider on a {bits}-bit MCU ADC ({rng_n:.0f} N range), {fs:.0f} Hz, "
                f"millisecond time stamps; power-law residual nonlinearity, hysteresis, creep")
        tcol, fcol = ("t_mcu_s", "fsr_force_g") if unit == "g" else ("time_s", "fsr_N")
        return Sensor(kind, unit, fs, desc, pr, tcol, fcol, float(np.round(big_off)), r(-200, 200))
    if kind == "ads1115":
        unit = str(rng.choice(["N", "g", "kg"])) if load != "heavy" else str(rng.choice(["N", "kg"]))
        fs = float(rng.choice([128.0, 860.0]))
        full = fmax * r(1.4, 2.5)
        pr = {"gain": r(0.995, 1.005), "q": full / 32767, "noise": (2.0 if fs > 500 else 0.8) * full / 32767,
              "glitch_rate": r(1 / 60, 1 / 15), "full": full}
        desc = (f"bridge load cell on an ADS1115 16-bit ADC at {fs:.0f} SPS ({full:.0f} N full scale), "
                f"micros() time stamps, occasional single-sample I2C glitches")
        return Sensor(kind, unit, fs * r(0.97, 1.03), desc, pr, "t_s", f"force_{unit}", big_off,
                      r(-500, 500))
    if kind == "gauge":
        unit = str(rng.choice(["lbf", "kgf"]))
        k = UNIT_PER_N[unit]
        res = 0.1
        for cand in (0.1, 0.05, 0.02, 0.01):
            res = cand
            if cand <= 0.012 * fmin * k:
                break
        fs = float(rng.choice([10.0, 25.0, 50.0]))
        pr = {"res": res, "avg": r(0.04, 0.12), "jit": r(0.002, 0.015), "dbl": r(0.0, 0.05)}
        desc = (f"digital force gauge streaming ASCII at {fs:.0f} Hz in {unit} (resolution {res:g}), "
                f"internal averaging, host receive time stamps with jitter")
        off = float(np.round(r(30000.0, 80000.0), 3))
        return Sensor(kind, unit, fs, desc, pr, "host_time_s", f"load_{unit}", off, r(-50, 50),
                      lat=pr["jit"] * 0.5 + 0.004)
    if kind == "daq":
        unit = str(rng.choice(["N", "kgf"]))
        fs = float(rng.choice([1000.0, 1500.0, 2000.0])) if dur < 160 else 1000.0
        full = fmax * r(1.5, 2.5)
        pr = {"hum_f": float(rng.choice([50.0, 60.0])), "hum": min(0.002 * full, 0.006 * fmin, 1.2),
              "noise": min(0.0005 * full, 0.003 * fmin, 0.6), "drift": r(0.3, 1.0) * rng.choice([-1, 1]),
              "drift_tau": r(60.0, 400.0), "q": full / 65535}
        desc = (f"strain-gauge bridge amplifier into a 16-bit DAQ at {fs:.0f} Hz ({full:.0f} N range), "
                f"{pr['hum_f']:.0f} Hz mains hum, temperature zero drift {pr['drift']:+.2f} N")
        return Sensor(kind, unit, fs, desc, pr, "Time", f"F_{unit}", 0.0, 0.0)
    unit = str(rng.choice(["N", "lbf", "kg"]))
    fs = float(rng.choice([20.0, 40.0, 50.0, 100.0]))
    pr = {"nl": r(-0.015, 0.015), "fmax": fmax, "avg": r(0.02, 0.05), "noise_rel": r(0.002, 0.005),
          "noise_abs": 0.01, "loss": r(0.005, 0.02), "lat_mean": r(0.005, 0.02), "jit": r(0.003, 0.02),
          "n_drop": int(rng.integers(1, 5))}
    desc = (f"wireless capacitive pressure sensor over Wi-Fi/UDP at {fs:.0f} Hz, host arrival time stamps "
            f"with latency jitter, packet loss and dropouts")
    return Sensor(kind, unit, fs, desc, pr, "t_host", f"pressure_force_{unit}", big_off, r(-100, 100),
                  lat=pr["lat_mean"] + pr["jit"])


def static_transfer(s: Sensor, f: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The sensor's deterministic reading of force f (N) on the sim grid (no noise, no lag)."""
    pr = s.params
    if s.kind == "fsr":
        fr = pr["fref"]
        x = np.where(f > pr["f_on"], fr * (np.maximum(f, 1e-9) / fr) ** pr["kappa"], 0.0)
        w = pr["hyst_w"]
        z = 0.0
        zz: list[float] = []
        for v in f.tolist():
            z = min(max(z, v - w), v + w)
            zz.append(z)
        x = x + pr["hyst_h"] * (np.asarray(zz) - f) * (f > pr["f_on"])
        load = np.clip(f / fr, 0, 1)
        al = DT / pr["creep_tau"]
        q = signal.lfilter([al], [1, -(1 - al)], load)
        return np.maximum(x * (1 + pr["creep"] * q), 0.0)
    if s.kind == "ads1115":
        return f * pr["gain"]
    if s.kind == "gauge":
        return f.copy()
    if s.kind == "daq":
        return f + pr["drift"] * (1 - np.exp(-t / pr["drift_tau"]))
    return f * (1 + pr["nl"] * f / pr["fmax"])


@dataclass
class Recording:
    t_rec: np.ndarray
    x: np.ndarray  # in unit
    gaps: list[tuple[float, float]]  # sim times of dropouts
    glitches: list[float]  # sim times


def record(s: Sensor, noisy_static: np.ndarray, rng: np.random.Generator,
           drops: list[tuple[float, float]], glitch_times: list[float]) -> Recording:
    n = noisy_static.size
    tsim_end = (n - 1) * DT
    pr = s.params
    x = noisy_static
    # lag
    if s.kind in ("fsr",):
        al = DT / max(pr["rc"], DT)
        x = signal.lfilter([al], [1, -(1 - al)], x)
    elif s.kind in ("gauge", "wifi"):
        m = max(1, idx(pr["avg"]))
        x = signal.lfilter(np.ones(m) / m, [1.0], x)
    period = 1.0 / s.fs
    ts = np.arange(0.0, tsim_end, period)
    if s.kind == "ads1115":
        ts = ts + rng.normal(0, 2e-5, ts.size)
    v = np.interp(ts, np.arange(n) * DT, x)
    if s.kind == "daq":
        hum = np.sin(2 * np.pi * pr["hum_f"] * ts + 1.0) + 0.3 * np.sin(6 * np.pi * pr["hum_f"] * ts)
        v = v + pr["hum"] * hum
        v = v + rng.normal(0, pr["noise"], ts.size)
        v = np.round(v / pr["q"]) * pr["q"]
    elif s.kind == "fsr":
        v = v + rng.normal(0, pr["noise"], ts.size) * (v > 0)
        v = np.maximum(np.round(v / pr["q"]) * pr["q"], 0)
    elif s.kind == "ads1115":
        v = v + rng.normal(0, pr["noise"], ts.size)
        v = np.round(v / pr["q"]) * pr["q"]
    elif s.kind == "wifi":
        v = v + rng.normal(0, 1, ts.size) * (pr["noise_rel"] * v + pr["noise_abs"])
    k = UNIT_PER_N[s.unit]
    v = v * k
    if s.kind == "gauge":
        v = np.round(v / pr["res"]) * pr["res"]
    elif s.kind == "wifi":
        v = np.round(v, 3)
    glitched: list[float] = []
    if s.kind == "ads1115":
        for tg in glitch_times:
            j = int(np.searchsorted(ts, tg))
            if j >= ts.size:
                continue
            mode = rng.integers(0, 3)
            full = pr["full"] * k
            v[j] = full if mode == 0 else (0.0 if mode == 1 else v[j] - np.sign(v[j] + 1e-9) * full / 2)
            glitched.append(float(ts[j]))
    keep = np.ones(ts.size, bool)
    for a, b in drops:
        keep &= ~((ts > a) & (ts < b))
    if s.kind == "wifi":
        keep &= rng.random(ts.size) > pr["loss"]
    ts, v = ts[keep], v[keep]
    tr = np.asarray(s.t_off + ts * (1 + s.ppm * 1e-6))
    if s.kind == "fsr":
        tr = np.round(tr, 3)
    elif s.kind == "ads1115":
        tr = np.round(tr, 6)
    if s.kind == "wifi":
        lat = pr["lat_mean"] + rng.exponential(pr["jit"], ts.size)
        tr = np.maximum.accumulate(tr + lat)
    elif s.kind == "gauge":
        lat = 0.004 + rng.uniform(0, pr["jit"], ts.size)
        tr = tr + lat
        dbl = np.flatnonzero(rng.random(ts.size - 1) < pr["dbl"])
        tr[dbl] = tr[dbl + 1]
        tr = np.maximum.accumulate(tr)
    return Recording(tr, v, drops, glitched)


# --------------------------------------------------------------------------------------------------
# Label extraction
# --------------------------------------------------------------------------------------------------
def onset(y0: np.ndarray, t_cmd: float, delta: float) -> float:
    kc = idx(t_cmd)
    kf = max(0, kc - idx(0.5))
    tt = np.arange(kf, kc + 1) * DT
    c = np.polyfit(tt, y0[kf:kc + 1], 1)
    k = np.arange(kc - 20, min(y0.size, kc + idx(4.0)))
    dev = np.abs(y0[k] - np.polyval(c, k * DT))
    hit = np.flatnonzero(dev > 0.03 * abs(delta))
    if hit.size == 0:
        raise Reject("no onset")
    return float(k[hit[0]] * DT)


def exits_runs(sig: np.ndarray, k0: int, k1: int, level: float, tol: float = 0.10, deb: float = 0.15,
               rearm: float = 0.5) -> list[tuple[float, str]]:
    """Band exits by outside-run analysis (generator's implementation)."""
    if k1 <= k0:
        return []
    seg = sig[k0:k1]
    out = np.abs(seg - level) > tol * level
    d = np.diff(np.concatenate([[0], out.astype(int), [0]]))
    starts, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
    res: list[tuple[float, str]] = []
    armed = True
    prev_e = 0
    nd = int(np.ceil(deb * FS - 1e-9))
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        if not armed and (s - prev_e) >= rearm * FS:
            armed = True
        if armed and e - s > nd:
            res.append(((k0 + s + nd) * DT, "high" if seg[s] > level else "low"))
            armed = False
        prev_e = e
    return res


def same_exits(a: list[tuple[float, str]], b: list[tuple[float, str]], tol: float = 0.35) -> bool:
    if len(a) != len(b):
        return False
    return all(x[1] == y[1] and abs(x[0] - y[0]) <= tol for x, y in zip(a, b, strict=True))


@dataclass
class HoldLab:
    start: float
    end: float
    level: float
    end_kind: str
    plan: HoldPlan


@dataclass
class Session:
    seed: int
    index: int
    attempt: int
    kind: str
    load: str
    hand: Hand
    sensor: Sensor
    plan: Plan
    sim: HandSim
    lab: np.ndarray  # label signal, N, sim grid
    true: np.ndarray
    smooth_noisy: np.ndarray
    holds: list[HoldLab]
    steps: list[tuple[float, str, str]]
    releases: list[tuple[float, str]]
    exits: list[tuple[float, str]]
    exits_opt: list[tuple[float, str]]
    rec: Recording
    labels: dict[str, Any]


def extract(p: Plan, hs: HandSim, lab: np.ndarray) -> tuple[list[HoldLab], list[tuple[float, str, str]],
                                                           list[tuple[float, str]]]:
    n = lab.size
    t_end = (n - 1) * DT
    holds: list[HoldLab] = []
    steps: list[tuple[float, str, str]] = []
    rels: list[tuple[float, str]] = []
    prev_end = 0.0
    for h in p.holds:
        end = t_end if h.end == "eod" else onset(hs.y0, h.t_end_cmd, h.delta_end)
        ks = idx(h.t_arrive + 0.4)
        ke = idx(end)
        if ke - ks < idx(3.0):
            raise Reject("hold too short after settle")
        ls = float(np.median(lab[ks:ks + idx(1.5)]))
        kmin = max(idx(prev_end), idx(h.t_move))
        starts = []
        for ref, tol in ((ls, 0.08), (ls, 0.07), (ls, 0.09)):
            inside = np.abs(lab[kmin:ks + 1] - ref) <= tol * ref
            if not inside[-1]:
                raise Reject("not settled at arrival")
            bad = np.flatnonzero(~inside)
            starts.append(kmin + (int(bad[-1]) + 1 if bad.size else 0))
        k0 = starts[0]
        level = float(np.median(lab[k0:ke]))
        inside = np.abs(lab[kmin:ks + 1] - level) <= 0.08 * level
        if not inside[-1]:
            raise Reject("not settled at arrival (median level)")
        bad = np.flatnonzero(~inside)
        starts.append(kmin + (int(bad[-1]) + 1 if bad.size else 0))
        if (max(starts) - min(starts)) * DT > (0.9 if h.via == "step_slow" else 0.5):
            raise Reject("hold start ambiguous")
        inside = np.abs(lab[k0:ke] - level) <= 0.08 * level
        if (ke - k0) * DT < 3.0 or inside.mean() < 0.70:
            raise Reject("hold short or unsteady")
        if abs(ls - level) > 0.03 * level:
            raise Reject("settled level differs from median")
        if level < 3.0:
            raise Reject("hold below 3 N")
        holds.append(HoldLab(k0 * DT, end, level, h.end, h))
        if h.end.startswith("step"):
            steps.append((end, "up" if h.delta_end > 0 else "down", h.end))
        elif h.end == "release":
            rels.append((end, h.rel_kind))
        prev_end = end
    return holds, steps, rels


def hold_windows(holds: list[HoldLab], confirm: float = 1.5) -> list[tuple[int, int]]:
    return [(idx(h.start + confirm), idx(h.end)) for h in holds]


def all_exits(sig: np.ndarray, holds: list[HoldLab], levels: list[float], confirm: float = 1.5,
              tol: float = 0.10, deb: float = 0.15, rearm: float = 0.5) -> list[tuple[float, str]]:
    out: list[tuple[float, str]] = []
    for (k0, k1), lv in zip(hold_windows(holds, confirm), levels, strict=True):
        out += exits_runs(sig, k0, k1, lv, tol, deb, rearm)
    return out


def settled_level(sig: np.ndarray, t_arrive: float) -> float:
    return float(np.median(sig[idx(t_arrive):idx(t_arrive + 1.5)]))


def robust_exits(sess_lab: np.ndarray, true: np.ndarray, smooth: np.ndarray,
                 holds: list[HoldLab]) -> list[tuple[float, str]]:
    lv = [h.level for h in holds]
    nominal = all_exits(sess_lab, holds, lv)
    variants = [
        all_exits(sess_lab, holds, [x * 1.01 for x in lv]),
        all_exits(sess_lab, holds, [x * 0.99 for x in lv]),
        all_exits(sess_lab, holds, lv, deb=0.10),
        all_exits(sess_lab, holds, lv, deb=0.25),
        all_exits(sess_lab, holds, lv, rearm=0.4),
        all_exits(sess_lab, holds, lv, rearm=0.6),
        all_exits(sess_lab, holds, lv, confirm=1.2),
        all_exits(sess_lab, holds, lv, confirm=1.8),
        all_exits(sess_lab, holds, [settled_level(sess_lab, h.plan.t_arrive) for h in holds]),
    ]
    for sig in (true, smooth):
        lv2 = [float(np.median(sig[idx(h.start):idx(h.end)])) for h in holds]
        variants.append(all_exits(sig, holds, lv2))
    for v in variants:
        if not same_exits(nominal, v):
            raise Reject("band exits not robust")
    for h in holds:
        for te, _ in nominal:
            if h.start < te <= h.end and te > h.end - 1.0:
                raise Reject("band exit too near the hold's end")
    return nominal


def optional_exits(lab: np.ndarray, holds: list[HoldLab]) -> list[tuple[float, str]]:
    res: list[tuple[float, str]] = []
    for i, h in enumerate(holds):
        slow_rel = False
        if h.end_kind == "release":
            k = idx(h.end)
            below = np.flatnonzero(lab[k:k + idx(3.0)] < 0.15 * h.level)
            slow_rel = below.size > 0 and below[0] * DT > 0.8
        if h.end_kind == "step_slow" or slow_rel:
            k1 = idx(holds[i + 1].start) if h.end_kind == "step_slow" else idx(h.end + 2.0)
            ex = exits_runs(lab, idx(h.end), k1, h.level)
            if ex:
                res.append(ex[0])
    return res


# --------------------------------------------------------------------------------------------------
# Independent checker (rules written from the definitions; used as a gate and by --check)
# --------------------------------------------------------------------------------------------------
def check_session(lab: np.ndarray, labels: dict[str, Any], s: Sensor, gaps: list[tuple[float, float]],
                  strict: bool) -> list[str]:
    """Check labels against the noise-free label signal `lab` (N, 200 Hz grid from t_sim = 0)."""
    err: list[str] = []
    k = UNIT_PER_N[labels["unit"]]
    n = lab.size
    t_last = (n - 1) * DT

    def ts(x: float) -> float:
        return s.rec2sim(x)

    def ki(x: float) -> int:
        return min(n - 1, max(0, int(round(x * FS))))  # noqa: RUF046 (x may be a numpy float; see idx)

    holds = [(ts(a), ts(b), c / k) for a, b, c in labels["holds"]]
    steps = [(ts(a), d) for a, d in labels["steps"]]
    rels = [ts(a[0]) for a in labels["releases"]]
    exits = [(ts(a), d) for a, d in labels["band_exits"]]
    opt = [(ts(a), d) for a, d in labels["band_exits_optional"]]
    min_dur, min_frac = (3.0, 0.70) if strict else (2.5, 0.65)
    for i, (a, b, lv) in enumerate(holds):
        seg = lab[ki(a):ki(b)]
        if b - a < min_dur:
            err.append(f"hold {i} shorter than {min_dur} s")
        if seg.size == 0 or np.mean(np.abs(seg - lv) <= 0.08 * lv) < min_frac:
            err.append(f"hold {i} under {min_frac:.0%} within 8 %")
            continue
        if abs(np.median(seg) - lv) > 0.01 * lv + 0.002 / k:
            err.append(f"hold {i} level is not the median")
        settled = float(np.median(lab[ki(a):ki(a + 2.0)]))
        if min(abs(lab[ki(a)] / settled - 1), abs(lab[ki(a)] / lv - 1)) > 0.09:
            err.append(f"hold {i} starts outside the 8 % band of its settled level")
        if i + 1 < len(holds) and holds[i + 1][0] < b - 1e-6:
            err.append(f"holds {i} and {i + 1} overlap")
    # ends
    used_steps: set[int] = set()
    used_rels: set[int] = set()
    for i, (_a, b, lv) in enumerate(holds):
        js = [j for j, (x, _) in enumerate(steps) if abs(x - b) < 0.01]
        jr = [j for j, x in enumerate(rels) if abs(x - b) < 0.01]
        kb = ki(b)
        if js:
            used_steps.add(js[0])
            if i + 1 >= len(holds):
                err.append(f"step after the last hold {i}")
                continue
            a2, _, lv2 = holds[i + 1]
            if any(b - 0.01 < x < a2 for x in rels):
                err.append(f"release between step-linked holds {i}")
            ratio = lv2 / lv
            change = min(abs(ratio - 1), abs(1 / ratio - 1))
            if change < (0.145 if strict else 0.10):
                err.append(f"step {i}: level change {change:.3f} too small")
            if (steps[js[0]][1] == "up") != (ratio > 1):
                err.append(f"step {i}: wrong direction")
            tgt = lv + 0.9 * (lv2 - lv)
            seg = lab[kb:kb + idx(10.0)]
            reach = np.flatnonzero((seg - tgt) * np.sign(lv2 - lv) >= 0)
            if reach.size == 0:
                err.append(f"step {i} never completes")
                continue
            d90 = reach[0] * DT
            fast_max, slow_min, slow_max, steady = (1.7, 2.7, 7.6, 3.5) if strict else (2.0, 2.5, 8.0, 3.0)
            if d90 > fast_max:
                if not slow_min <= d90 <= slow_max:
                    err.append(f"step {i}: change takes {d90:.2f} s")
                tgt97 = lv + 0.97 * (lv2 - lv)
                r97 = np.flatnonzero((seg - tgt97) * np.sign(lv2 - lv) >= 0)
                k97 = kb + (int(r97[0]) if r97.size else seg.size)
                st = lab[k97:k97 + idx(steady)]
                if st.size < idx(steady) - 1 or np.any(np.abs(st - lv2) > (0.05 if strict else 0.08) * lv2):
                    err.append(f"slow step {i}: not steady {steady} s after")
        elif jr:
            used_rels.add(jr[0])
            lim, stay = (1.8, 1.2) if strict else (2.0, 1.0)
            seg = lab[kb:kb + idx(lim)]
            below = np.flatnonzero(seg < 0.15 * lv)
            if below.size == 0:
                err.append(f"release after hold {i} not below 15 % within {lim} s")
            else:
                kk = kb + int(below[0])
                if np.any(lab[kk:kk + idx(stay)] >= 0.15 * lv):
                    err.append(f"release after hold {i} does not stay below 15 %")
        elif abs(b - t_last) < 0.06:
            pass  # end of data
        else:  # left: fast departure, no return within 1 s
            seg = lab[kb:kb + idx(0.7)]
            if not np.any(np.abs(seg - lv) > 0.08 * lv):
                err.append(f"hold {i} end is neither step, release, eod nor a fast departure")
            after = np.abs(lab[kb + idx(0.7):kb + idx(6.0)] - lv) <= 0.08 * lv
            runs = np.diff(np.concatenate([[0], after.astype(int), [0]]))
            st_, en_ = np.flatnonzero(runs == 1), np.flatnonzero(runs == -1)
            if st_.size and np.max(en_ - st_) * DT >= 0.6:
                err.append(f"hold {i} comes back after its fast departure")
    if len(used_steps) != len(steps):
        err.append("a step label is not at a hold's end")
    if len(used_rels) != len(rels):
        err.append("a release label is not at a hold's end")
    # consecutive holds within one contact must be linked by a step
    for i in range(len(holds) - 1):
        b, a2 = holds[i][1], holds[i + 1][0]
        seg = lab[ki(b):ki(a2) + 1]
        no_release = not any(b - 0.01 < x < a2 for x in rels)
        if no_release and seg.size and seg.min() >= 2.0 and not any(abs(x - b) < 0.01 for x, _ in steps):
            err.append(f"holds {i} and {i + 1} share a contact without a step")
    # band exits: sample-by-sample state machine
    got: list[tuple[float, str]] = []
    for a, b, lv in holds:
        armed, t_out, t_in = True, -1.0, -1.0
        for kk in range(ki(a + 1.5), ki(b)):
            tt = kk * DT
            v = lab[kk]
            if abs(v - lv) > 0.10 * lv:
                t_in = -1.0
                if t_out < 0:
                    t_out = tt
                if armed and tt - t_out >= 0.15 - 1e-9:
                    got.append((tt, "high" if v > lv else "low"))
                    armed = False
            else:
                t_out = -1.0
                if not armed:
                    if t_in < 0:
                        t_in = tt
                    if tt - t_in >= 0.5 - 1e-9:
                        armed = True
    if len(got) != len(exits) or any(g[1] != e[1] or abs(g[0] - e[0]) > 0.02 for g, e in zip(got, exits,
                                                                                             strict=False)):
        err.append(f"band exits differ: labelled {len(exits)}, rule gives {len(got)}")
    for to, d in opt:
        prev = [h for h in holds if h[1] <= to + 1e-6]
        if not prev or to - prev[-1][1] > 8.0:
            err.append("optional exit not after a slow change")
            continue
        lv = prev[-1][2]
        v = lab[ki(to)]
        if abs(v - lv) <= 0.10 * lv or (d == "high") != (v > lv):
            err.append("optional exit not outside the old band")
    # hidden holds outside labelled holds
    win = 1.2 if strict else 1.5
    # contact: 2 N above zero, or after a release 2 N above the lowest force since that release
    floor = np.zeros(n)
    starts_after = sorted(h[0] for h in holds)
    for r in rels:
        k0 = ki(r)
        nxt = [x for x in starts_after if x > r]
        k1 = ki(nxt[0] - 1.5) if nxt else n
        if k1 > k0:
            floor[k0:k1] = np.minimum.accumulate(lab[k0:k1])
    allowed = lab > floor + 2.0
    for i, (a, b, _) in enumerate(holds):
        allowed[ki(a - 1.5):ki(b + 2.0)] = False
        if i + 1 < len(holds) and any(abs(x - b) < 0.01 for x, _ in steps):
            allowed[ki(b):ki(holds[i + 1][0])] = False
    w = idx(win)
    mx = ndimage.maximum_filter1d(lab, w, mode="nearest")
    mn = ndimage.minimum_filter1d(lab, w, mode="nearest")
    allw = ndimage.minimum_filter1d(allowed.astype(np.int8), w, mode="nearest") > 0
    stable = allw & (mx <= mn * (1.08 / 0.92))
    if np.any(stable):
        err.append(f"hold-like stretch outside labelled holds at t_sim={np.flatnonzero(stable)[0] * DT:.2f}")
    # contact runs without holds: touches must be short, never 0.8-1.3 s
    lo_t, hi_t = (0.75, 1.35) if strict else (0.8, 1.3)
    for thr in (1.5, 2.0, 2.5) if strict else (2.0,):
        above = (lab > thr).astype(int)
        d = np.diff(np.concatenate([[0], above, [0]]))
        for c0, c1 in zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True):
            dur = (c1 - c0) * DT
            if lo_t <= dur <= hi_t and not any(c0 * DT <= h[0] <= c1 * DT for h in holds):
                err.append(f"contact of {dur:.2f} s (touch/hold ambiguity) at t_sim={c0 * DT:.2f}")
    # dropouts
    ev = [x for h in holds for x in (h[0], h[1])] + [x for x, _ in steps] + rels
    ev += [x for x, _ in exits] + [x for x, _ in opt]
    for g0, g1 in gaps:
        if any(g0 - 1.0 < x < g1 + 1.0 for x in ev):
            err.append(f"dropout {g0:.2f}-{g1:.2f} within 1 s of an event")
        for a, b, lv in holds:
            if a < g1 and g0 < b:
                if g1 - g0 > 2.5:
                    err.append("dropout over 2.5 s inside a hold")
                for x in (g0, g1):
                    if abs(lab[ki(x)] - lv) > 0.08 * lv:
                        err.append("dropout in a hold not at the hold's level")
    return err


# --------------------------------------------------------------------------------------------------
# Session assembly
# --------------------------------------------------------------------------------------------------
KINDS = ["nmt", "nmt", "nmt", "isch", "isch", "isch", "ppt", "train", "train", "glide"]


def place_drops(rng: np.random.Generator, s: Sensor, lab: np.ndarray, holds: list[HoldLab],
                events: list[float], p: Plan) -> list[tuple[float, float]]:
    if s.kind != "wifi":
        return []
    n = lab.size
    t_end = (n - 1) * DT
    busy = [(a - 1.0, b + 1.0) for a, b in p.touches + p.strokes + p.ppts]
    if p.pump:
        busy.append((p.pump[0] - 1, p.pump[1] + 1))
    out: list[tuple[float, float]] = []
    for _ in range(int(s.params["n_drop"])):
        for _ in range(60):
            d = float(rng.uniform(0.2, 2.5))
            g0 = float(rng.uniform(1.0, t_end - d - 1.0))
            g1 = g0 + d
            if any(g0 - 1.2 < x < g1 + 1.2 for x in events):
                continue
            if any(a < g1 and g0 < b for a, b in busy + out):
                continue
            inhold = [h for h in holds if h.start < g1 and g0 < h.end]
            if inhold:
                h = inhold[0]
                seg = lab[idx(g0) - idx(0.3):idx(g1) + idx(0.3)]
                if np.any(np.abs(seg - h.level) > 0.06 * h.level):
                    continue
            elif np.max(lab[idx(g0 - 1.0):idx(g1 + 1.0)]) > 0.5 and not any(
                    a < g0 and g1 < b for a, b in p.resting):
                continue
            out.append((g0, g1))
            break
    return sorted(out)


def make_session(seed: int, index: int) -> Session:
    last_reason = ""
    for attempt in range(MAX_ATTEMPTS):
        rng = np.random.default_rng([seed, index, attempt])
        try:
            return build_attempt(rng, seed, index, attempt)
        except Reject as e:
            last_reason = str(e)
    raise RuntimeError(f"session {index}: no acceptable attempt ({last_reason})")


def build_attempt(rng: np.random.Generator, seed: int, index: int, attempt: int) -> Session:
    kind = KINDS[(index + seed) % len(KINDS)] if rng.random() < 0.5 else str(rng.choice(KINDS))
    load = "medium" if kind == "ppt" else str(rng.choice(["light", "medium", "medium", "heavy"]))
    proto = Protocol(rng, load)
    p = proto.build(kind)
    hand = Hand.draw(rng)
    hs = simulate_hand(p, hand, rng)
    n = hs.u.size
    t = np.arange(n) * DT
    fmax = float(hs.force.max())
    levels = [h.level for h in p.holds] or [fmax]
    s = draw_sensor(rng, load, min(levels), fmax, n * DT,
                    "gauge" if kind == "ppt" and rng.random() < 0.5 else None)
    lab = static_transfer(s, hs.force, t)
    noisy_static = static_transfer(s, hs.noisy, t)
    smooth = ndimage.uniform_filter1d(noisy_static, 20, mode="nearest")
    holds, steps, rels = extract(p, hs, lab)
    exits = robust_exits(lab, hs.force, smooth, holds)
    opt = optional_exits(lab, holds)
    events = [x for h in holds for x in (h.start, h.end)] + [x for x, _ in exits + opt]
    events += [a for a, _, _ in steps] + [a for a, _ in rels]
    events += [a for a, _ in p.touches + p.strokes + p.ppts] + [g[0] for g in p.gives]
    drops = place_drops(rng, s, lab, holds, events, p)
    glitches: list[float] = []
    if s.kind == "ads1115":
        tg = 2.0
        while True:
            tg += float(rng.exponential(1 / s.params["glitch_rate"]))
            if tg > n * DT - 1:
                break
            if all(abs(tg - x) > 0.5 for x in events):
                glitches.append(tg)
    rec = record(s, noisy_static, rng, drops, glitches)
    sess = Session(seed, index, attempt, kind, load, hand, s, p, hs, lab, hs.force, smooth, holds, steps,
                   rels, exits, opt, rec, {})
    sess.labels = make_labels(sess)
    errs = check_session(lab, sess.labels, s, drops, strict=True)
    if errs:
        raise Reject("; ".join(errs[:3]))
    return sess


def make_labels(ss: Session) -> dict[str, Any]:
    s = ss.sensor
    k = UNIT_PER_N[s.unit]

    def tr(x: float) -> float:
        return round(float(s.sim2rec(x)), 3)

    nd = 2 if s.unit == "g" else 4
    holds = [[tr(h.start), tr(h.end), round(h.level * k, nd)] for h in ss.holds]
    steps = [[tr(a), d] for a, d, _ in ss.steps]
    rels = [[tr(a)] for a, _ in ss.releases]
    exits = [[tr(a), d] for a, d in ss.exits]
    opt = [[tr(a), d] for a, d in ss.exits_opt]
    return {"unit": s.unit, "force_column": s.fcol, "holds": holds, "steps": steps, "releases": rels,
            "band_exits": exits, "band_exits_optional": opt, "notes": notes(ss)}


def notes(ss: Session) -> str:
    p, h, s = ss.plan, ss.hand, ss.sensor
    k = UNIT_PER_N[s.unit]
    proto = {"nmt": "NMT trigger-point work (ramp to a barrier, hold, step to new barriers, release)",
             "isch": "ischemic compression holds of 30-60 s", "ppt": "pressure-algometer PPT ramps "
             "(steady 5-10 N/s ramp straight to a release, no hold)",
             "train": "repeated short training holds to one target", "glide": "gliding strokes and touches "
             "around holds"}[ss.kind]
    nfast = sum(1 for x in ss.steps if x[2] == "step_fast")
    nslow = len(ss.steps) - nfast
    rk = [x[1] for x in ss.releases]
    parts = [
        f"Synthetic session (blind generator 3, seed {ss.seed}, session {ss.index}, attempt {ss.attempt}).",
        f"Protocol: {proto}; {ss.load} load.",
        f"Hand: activation {h.tau_a * 1000:.0f}/{h.tau_d * 1000:.0f} ms, limb {h.fn:.1f} Hz "
        f"zeta {h.zeta:.2f}, "
        f"sway {h.sway_sd * 100:.1f} %, motor noise {h.motor_sd * 100:.1f} %, tremor {h.trem_f:.1f} Hz, "
        f"pulse {h.pulse * 100:.1f} %.",
        f"Sensor: {s.desc}; unit {s.unit}.",
        f"Counts: {len(ss.holds)} holds, {len(ss.steps)} steps ({nfast} fast, {nslow} slow), "
        f"{len(ss.releases)} releases ({rk.count('fast')} fast, {rk.count('slow')} slow let-go, "
        f"{rk.count('resting')} leaving light resting contact), {len(ss.exits)} required band exits, "
        f"{len(ss.exits_opt)} optional, {len(p.touches)} touches, {len(p.strokes)} gliding strokes, "
        f"{len(p.ppts)} algometer ramps, {len(p.gives)} tissue gives, "
        f"{sum(len(x.surges) for x in p.holds)} surges, {len(ss.rec.gaps)} dropouts, "
        f"{len(ss.rec.glitches)} single-sample glitches.",
    ]
    for i, hl in enumerate(ss.holds):
        hp = hl.plan
        extra = []
        if hp.relax:
            extra.append(f"tissue relaxation {hp.relax}")
        if hp.fade:
            extra.append(f"{'fade' if hp.fade[1] < 0 else 'lean-in drift'} {abs(hp.fade[1]) * 100:.0f} %")
        if hp.gives:
            extra.append(f"{len(hp.gives)} give(s)")
        if hp.surges:
            extra.append("surge")
        if extra:
            parts.append(f"Hold {i} ({hl.level * k:.4g} {s.unit}): " + ", ".join(extra) + ".")
    if any(x.end_kind == "left" for x in ss.holds):
        parts.append("The last hold ends 'left': a fast departure into pumping that runs to the end of the "
                     "data (no step, no release labelled there).")
    if any(x.end_kind == "eod" for x in ss.holds):
        parts.append("The recording stops during the last hold (its end is the end of the data).")
    if s.kind == "ads1115" and ss.rec.glitches:
        parts.append("Glitches are single-sample I2C read faults, not releases.")
    parts.append("Levels and times come from the noise-free applied force read through the sensor's static "
                 "transfer (motor noise, tremor, sensor noise, lag, quantisation, glitches excluded). "
                 "Step and release times are onsets (3 % of the change); band exits at 0.15 s outside "
                 "+-10 % of the hold's median; optional exits are where a slow deliberate step or a slow "
                 "let-go leaves the old band.")
    return " ".join(parts)


def write_session(out: Path, ss: Session) -> None:
    s = ss.sensor
    name = session_name(ss.seed, ss.index)
    nd = {"g": 2, "N": 4, "kg": 5, "kgf": 5, "lbf": 4}[s.unit]
    if s.kind == "gauge":
        nd = 2 if s.params["res"] >= 0.01 else 3
    arr = np.column_stack([ss.rec.t_rec, ss.rec.x])
    np.savetxt(out / f"{name}.csv", arr, fmt=["%.6f", f"%.{nd}f"], delimiter=",",
               header=f"{s.tcol},{s.fcol}", comments="")
    (out / f"{name}.labels.json").write_text(json.dumps(ss.labels, indent=1) + "\n")


def counts(ss: Session) -> dict[str, int]:
    rk = [x[1] for x in ss.releases]
    return {"sessions": 1, "holds": len(ss.holds),
            "steps_fast": sum(1 for x in ss.steps if x[2] == "step_fast"),
            "steps_slow": sum(1 for x in ss.steps if x[2] == "step_slow"), "releases": len(ss.releases),
            "rel_slow": rk.count("slow"), "rel_resting": rk.count("resting"), "exits_req": len(ss.exits),
            "exits_opt": len(ss.exits_opt), "touches": len(ss.plan.touches), "strokes": len(ss.plan.strokes),
            "ppt": len(ss.plan.ppts), "left": sum(1 for h in ss.holds if h.end_kind == "left"),
            "eod": sum(1 for h in ss.holds if h.end_kind == "eod"), "dropouts": len(ss.rec.gaps),
            "glitches": len(ss.rec.glitches), f"sensor_{ss.sensor.kind}": 1, f"unit_{ss.sensor.unit}": 1,
            f"kind_{ss.kind}": 1, "attempts": ss.attempt + 1}


def check_files(out: Path, ss: Session) -> list[str]:
    """What is wrong with a session's two files in ``out`` against its regeneration (nothing: [])."""
    name = session_name(ss.seed, ss.index)
    err: list[str] = []
    lf, cf = out / f"{name}.labels.json", out / f"{name}.csv"
    if not lf.exists() or not cf.exists():
        return [f"{name}: files missing"]
    # A file that does not parse is a failure of that file (exit 1), not a reason to stop the check.
    try:
        disk = json.loads(lf.read_text())
    except ValueError as e:
        err.append(f"{name}: labels file does not load ({e})")
    else:
        if disk != json.loads(json.dumps(ss.labels)):
            err.append(f"{name}: labels on disk differ from the regenerated ones")
            try:
                found = check_session(ss.lab, disk, ss.sensor, ss.rec.gaps, False)
                err += [f"{name} (on disk): {e}" for e in found]
            except (KeyError, TypeError, ValueError, IndexError) as e:
                err.append(f"{name}: labels on disk unreadable ({e})")
    try:
        with cf.open() as fh:
            head = fh.readline().strip().split(",")
        data = np.loadtxt(cf, delimiter=",", skiprows=1, ndmin=2)
    except ValueError as e:
        return [*err, f"{name}: csv does not load ({e})"]
    if head != [ss.sensor.tcol, ss.sensor.fcol]:
        err.append(f"{name}: header {head}")
    if data.shape != (ss.rec.t_rec.size, 2) or np.any(np.diff(data[:, 0]) < 0):
        err.append(f"{name}: csv rows or time order wrong")
    return err


# --------------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------------
DEFAULT_SESSIONS = 48


def session_name(seed: int, index: int) -> str:
    return f"bg3_s{seed}_{index:03d}"


def _add(total: dict[str, int], ss: Session) -> None:
    for key, v in counts(ss).items():
        total[key] = total.get(key, 0) + v


def generate(out: Path, seed: int, sessions: int) -> None:
    """Write sessions 0..sessions-1 of ``seed`` to ``out`` and say what they hold."""
    t0 = time.time()
    total: dict[str, int] = {}
    try:
        out.mkdir(parents=True, exist_ok=True)
        for i in range(sessions):
            ss = make_session(seed, i)
            _add(total, ss)
            write_session(out, ss)
    except OSError as exc:
        raise UsageError(f"cannot write the sessions to {out} ({exc.strerror or exc}): give a folder "
                         "that can be created and written") from None
    print(json.dumps(total, sort_keys=True))
    print(f"wrote {sessions} sessions in {time.time() - t0:.1f} s")


def sessions_in(out: Path, seed: int) -> int:
    """How many sessions of ``seed`` ``out`` holds: the highest NNN of bg3_sSEED_NNN.csv, plus 1."""
    prefix = session_name(seed, 0)[:-3]
    found = [p.stem[len(prefix):] for p in out.glob(prefix + "*.csv")]
    return max((int(x) + 1 for x in found if x.isdigit()), default=0)


def run_check(out: Path, seed: int, sessions: int | None) -> int:
    """Regenerate ``out``'s sessions, check them and their files: 0 when all pass, else 1."""
    if not out.is_dir():
        raise UsageError(f"{out} is no folder: give one that blind_generator3.py wrote")
    t0 = time.time()
    total: dict[str, int] = {}
    failures: list[str] = []
    try:
        n = sessions_in(out, seed) if sessions is None else sessions
        if n == 0:
            raise UsageError(f"{out} holds no session of seed {seed} ({session_name(seed, 0)}.csv ...): "
                             "give the --seed it was written with")
        for i in range(n):
            ss = make_session(seed, i)
            _add(total, ss)
            errs = check_session(ss.lab, ss.labels, ss.sensor, ss.rec.gaps, strict=False)
            errs += check_files(out, ss)
            failures += [f"session {i}: {e}" for e in errs]
    except OSError as exc:
        raise UsageError(f"cannot read the sessions in {out} ({exc.strerror or exc}): give a folder that "
                         "can be read") from None
    print(json.dumps(total, sort_keys=True))
    print(f"checked {n} sessions in {time.time() - t0:.1f} s")
    if failures:
        print("\n".join(failures), file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return generator_main(argv, tool="blind_generator3.py", doc=__doc__, default_sessions=DEFAULT_SESSIONS,
                          seed_default=None, generate=generate, run_check=run_check)


if __name__ == "__main__":
    sys.exit(main())
