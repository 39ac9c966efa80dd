#!/usr/bin/env python
"""A second blind generator of labelled force traces: other eyes again, with other models.

Written by a helper who never saw the detector: its own hand, sensor, protocol and label models,
nothing read from ``src/nmt_pressure`` or ``firmware_sim``, nothing tuned to what the detector
reports, and none of ``blind_generator.py``'s models either. Its sessions are scored like labelled
real recordings (``score_detection.py --realdata``); ``eval_detection.py --blind2 SEEDS`` scores groups
of its seeds.

A session (55-195 s, 64 per seed by default) is built on a 1 kHz grid (2 kHz for the DAQ):

* **hands** (half each): *submove*, intermittent control - every change of force is 2-4 overlapping
  sub-movements with lognormal velocity profiles (the primary, velocity peak 0.13-0.28 s, misses by
  5-15 %, the others correct it), a slow ease a chain of 3-6 of them; *feedback*, a first-order muscle
  (tau 50-120 ms) driven by a feed-forward intent that misjudges each change by 4-12 % (eases 2-6 %)
  and a PI loop on the force seen 150-300 ms late. A lift-off is one lognormal sub-movement.
* **protocols** (45/25/30 %): *nmt*, trigger-point pressure release - a 2-6 s ramp (or a fast
  arrival) to a barrier, 1-3 holds of 10-30 s in which the tissue creeps (2-4.5 %) or gives (13-18 %
  after a creep), steps of 15-40 % or slow eases of 25-50 % over 4-7 s between them, a lean on the
  last, then a release or a let-go onto 2-6 N of resting contact; *grip* - 1-2 grips of 3-10 s, steps
  of 14-35 %, fatigue declines of 13-18 %, creep; *training* - 2-4 holds of 4-12 s, steps of 14-40 %
  (a fifth of them slow eases of 25-45 %), band excursions of 13-16 %, creep, leans. Between
  contacts: touches (0.35-0.8 s) and gliding strokes (3-7 s, ±40-60 % at 0.8-1.5 Hz). Loads light
  3.6-8.6 N, medium 9-130 N, heavy 90-650 N.
* **physiology**: slow wander with a peak of 1-2.5 % (1/f at 0.05-1 Hz for the submove hand,
  drift and small corrective jerks for the feedback hand), a 1-1.6 Hz pulse (0.2-0.6 %) in 40 % of
  sessions, 8-12 Hz amplitude-modulated tremor, 1/f motor noise at 1.5-20 Hz.
* **sensors**: an offset of up to 1 % of the lightest hold (at most 1 N) and a slow zero drift; then
  one of six: a 24-bit load cell at 320 Hz, an Arduino 10-bit ADC at ~200 Hz (millis() stamps, loop
  jitter, a 0.3-0.6 N quantum), a force gauge at 50 Hz (0.1 N, 10-40 ms lag), a BLE sensor at 20-60 Hz
  (2-6 samples per notification sharing one stamp, 0-3 dropouts of 0.3-2.5 s), an HX711 at 10 or 80 Hz
  reporting kg in 0.01-0.05 kg steps (host stamps with jitter), a 2 kHz DAQ with 50/60 Hz hum. The
  device clock starts at 0 or at 1000-90000 s and runs up to 60 ppm off.

Labels (``NAME.labels.json``: unit, force_column, holds, steps, releases, band_exits,
band_exits_optional, notes; levels in the file's unit, kg for the HX711, times on the device's clock)
are read off the noise-free force: offset, zero drift and hand force times (1 + wander + pulse). The
hand's slow wander is in it; tremor, motor noise and the sensor (noise, quantisation, lag) are not. A
hold starts where that force enters ±8 % of its level for good, but no earlier than 0.8 s before the
hand settles within 2 % of its target, and ends at the onset (2 % of the way) of the step or release
that follows; its level is the mean force from settling to the start of any creep, give, fatigue,
lean or excursion. A band exit is the first crossing of level ±10 % plus 0.15 s (outside for
0.15 s, from 1.5 s into the hold, re-armed after 0.5 s back inside); an optional band exit is where a
slow ease leaves the old hold's band (allowed, not required).

A draw whose labels could be read two ways is drawn again (``default_rng([seed, session, attempt])``,
up to 150 attempts): a plateau under 1.5 s, more than 1.7 s from entering ±8 % to settling, a hold
under 2.5 s, under 65 % of its time within ±8 % or within 3 % of its band's edge (before a designed
exit), band exits that change with the level ±1 %, the band ±0.5 % or a debounce of 0.10 or 0.25 s, a
designed exit missing or under 0.5 s (or an exit not designed), a step under 13 % (an ease under 15 %),
a fast step that settles after 1.9 s, an ease outside 3-8.5 s or not steady for 4 s after it, a
release that does not fall under 15 % of the level within 2 s, a contact that dips near the resting
force, a session outside 55-195 s.

``--check`` regenerates OUT's sessions (as many as it holds, or ``--sessions``) and checks every
label against the noise-free force by rules of its own (holds of at least 1.5 s, mostly within ±8 %,
each ended by one step or release; steps of at least 10 % the way they say; releases under 15 % within
2 s for 1 s; touches and strokes never holds; band exits against a sample-by-sample alert; dropouts
away from events) and every file against the regeneration.

Usage::

    python tools/blind_generator2.py OUT [--sessions 64] [--seed 1]   # OUT/bg2_sSEED_NNN.csv, .labels.json
    python tools/blind_generator2.py OUT --check [--seed 1]           # regenerates and checks OUT
    python tools/score_detection.py --realdata OUT

Exits 0 when done (``--check``: when every session and file passes), 1 when ``--check`` finds a
failure, 2 with one sentence for a bad argument or an OUT that cannot be written or read.
"""

from __future__ import annotations

import io
import json
import math
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from scipy import signal
from scipy.special import ndtr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tool_args import UsageError, generator_main  # (a sibling in tools/)

Array = NDArray[np.float64]
Rng = np.random.Generator
#: A sample index. Some are numpy integers and some Python ones, exactly as the draw made them: a
#: label's time is rounded by ``round()``, which rounds a numpy float its own way, so converting them
#: would move a few labels by a millisecond against earlier runs.
Index = Any

G = 9.80665
#: Force over the resting force that counts as contact (N).
CONTACT_N = 2.0
DEFAULT_SESSIONS = 64
#: Draws per session before the generator gives up (none has come near it).
MAX_ATTEMPTS = 150
HANDS = ("submove", "feedback")
PROTOCOLS = ("nmt", "grip", "training")
PROTOCOL_WEIGHTS = (0.45, 0.25, 0.30)
SENSORS = ("loadcell24", "arduino10", "gauge50", "ble", "hx711", "daq2k")
SENSOR_WEIGHTS = (0.19, 0.15, 0.17, 0.18, 0.16, 0.15)
LABEL_KEYS = ["unit", "force_column", "holds", "steps", "releases", "band_exits", "band_exits_optional",
              "notes"]


class Reject(Exception):
    """This draw would give labels that could be read two ways: draw the session again."""


# --------------------------------------------------------------------------- signal helpers
def smoothstep(x: Array | float) -> Array:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def lognormal_cdf(t: Array, t0: float, mu: float, sig: float) -> Array:
    """The position profile of one sub-movement: a lognormal velocity starting at ``t0``."""
    out = np.zeros_like(t, dtype=float)
    m = t > t0
    out[m] = ndtr((np.log(t[m] - t0) - mu) / sig)
    return out


def settle_time(p: Array, tol: float, dt: float) -> float:
    """When a unit response is within ``tol`` of 1 for good."""
    bad = np.nonzero(np.abs(p - 1.0) > tol)[0]
    return 0.0 if len(bad) == 0 else (bad[-1] + 1) * dt


def onset_time(p: Array, dt: float, frac: float = 0.02) -> float:
    """When a unit response has gone ``frac`` of the way (the label's onset of a move)."""
    i = np.nonzero(np.abs(p) >= frac)[0]
    return (i[0] if len(i) else 0) * dt


def settled_from(x: Array, i0: Index, i1: Index, ref: float, tol: float) -> Index:
    """The first index in [i0, i1] after which |x/ref - 1| <= tol for good (up to i1)."""
    seg = np.abs(x[i0:i1] / ref - 1.0) > tol
    nz = np.nonzero(seg)[0]
    return i0 if len(nz) == 0 else i0 + nz[-1] + 1


def shaped_noise(rng: Rng, n: int, fs: float, f_lo: float, f_hi: float, alpha: float = 1.0) -> Array:
    """Unit-RMS noise with a 1/f^alpha power spectrum between f_lo and f_hi (soft edges)."""
    nfft = 1 << math.ceil(math.log2(max(n, 16)))
    spectrum = np.fft.rfft(rng.standard_normal(nfft))
    f = np.fft.rfftfreq(nfft, 1.0 / fs)
    gain = np.zeros_like(f)
    m = f > 0
    gain[m] = f[m] ** (-alpha / 2.0)
    gain[m] *= 1.0 / np.sqrt(1.0 + (f_lo / f[m]) ** 4) / np.sqrt(1.0 + (f[m] / f_hi) ** 4)
    x = np.fft.irfft(spectrum * gain, nfft)[:n]
    s = x.std()
    return x / s if s > 0 else x


def band_exits(F: Array, i0: Index, i1: Index, level: float, fs: float, tol: float = 0.10,
               deb: float = 0.15, reenter: float = 0.5) -> list[tuple[Index, int, Index]]:
    """The band alert on a noise-free force: an exit after ``deb`` s outside level*(1+-tol), re-armed
    after ``reenter`` s back inside. [(index of the report, +1 high / -1 low, samples outside)]."""
    if i1 - i0 < 2:
        return []
    dev = F[i0:i1] / level - 1.0
    out = np.abs(dev) > tol
    d = np.diff(out.astype(np.int8))
    starts: list[Index] = list(np.nonzero(d == 1)[0] + 1)
    ends: list[Index] = list(np.nonzero(d == -1)[0] + 1)
    if out[0]:
        starts = [0, *starts]
    if out[-1]:
        ends = [*ends, len(out)]
    deb_n = max(1, round(deb * fs))
    re_n = max(1, round(reenter * fs))
    res = []
    inside = True
    last_end: Index = 0
    for s, e in zip(starts, ends, strict=False):
        if not inside and s - last_end >= re_n:
            inside = True
        if inside:
            if e - s >= deb_n:
                k = s + deb_n - 1
                res.append((i0 + s + deb_n, 1 if dev[k] > 0 else -1, e - s))
                inside = False
                last_end = e
        else:
            last_end = e
    return res


# --------------------------------------------------------------------------- hands
def release_profile(rng: Rng, D: float, dt: float) -> Array:
    """An open-loop lift-off: one lognormal sub-movement whose 99 % time is D."""
    sig = rng.uniform(0.25, 0.40)
    mu = math.log(D) - 2.33 * sig
    T = math.exp(mu + 3.6 * sig)
    t = np.arange(0.0, T + dt, dt)
    return lognormal_cdf(t, 0.0, mu, sig)


class Hand(Protocol):
    """A hand model: the unit responses (0 -> 1) of its fast changes and slow eases."""

    kind: str

    def describe(self) -> str: ...

    def fast(self, rng: Rng) -> Array: ...

    def slow(self, rng: Rng, D: float) -> Array: ...


#: A sub-movement: (start, lognormal mu, lognormal sigma, amplitude).
Submove = tuple[float, float, float, float]


class SubmoveHand:
    """Intermittent control: every change is a few overlapping lognormal-velocity sub-movements."""

    kind = "submove"

    def __init__(self, rng: Rng, dt: float) -> None:
        self.dt = dt
        self.sig = rng.uniform(0.24, 0.36)
        self.tpk = rng.uniform(0.13, 0.28)
        self.gap = rng.uniform(0.45, 0.75)

    def describe(self) -> str:
        return ("an intermittent (sub-movement) hand: each change is 2-4 overlapping lognormal-velocity "
                f"sub-movements, the primary (velocity peak {self.tpk:.2f} s) missing by 5-15 % and then "
                "corrected; slow eases are chains of 3-6 sub-movements; slow 1/f wander")

    def _build(self, comps: list[Submove]) -> Array:
        dt = self.dt
        T = max(t0 + math.exp(mu + 3.6 * sig) for t0, mu, sig, a in comps)
        t = np.arange(0.0, T + dt, dt)
        p = np.zeros_like(t)
        for t0, mu, sig, a in comps:
            p += a * lognormal_cdf(t, t0, mu, sig)
        return p

    def fast(self, rng: Rng) -> Array:
        """A primary sub-movement that misses by 5-15 %, then 1-3 corrections that close the gap."""
        n = int(rng.integers(2, 5))
        sig = self.sig * rng.uniform(0.9, 1.1)
        tpk = self.tpk * rng.uniform(0.8, 1.25)
        mu = math.log(tpk) + sig * sig
        a = 1.0 + rng.choice([-1.0, 1.0]) * rng.uniform(0.05, 0.15)
        comps = [(0.0, mu, sig, a)]
        tot = a
        t0 = 0.0
        dur = math.exp(mu + 2.33 * sig)
        for k in range(1, n):
            t0 += self.gap * rng.uniform(0.85, 1.15) * dur
            s = rng.uniform(0.22, 0.34)
            tp = rng.uniform(0.07, 0.16)
            m = math.log(tp) + s * s
            rem = 1.0 - tot
            ak = rem if k == n - 1 else rem * rng.uniform(0.6, 1.5)
            comps.append((t0, m, s, ak))
            tot += ak
            dur = math.exp(m + 2.33 * s)
        return self._build(comps)

    def slow(self, rng: Rng, D: float) -> Array:
        """A chain of 3-6 sub-movements over D s that misses by 2-6 %, and one correction."""
        n = int(rng.integers(3, 7))
        sp = D / (n + 0.6)
        w = rng.uniform(0.6, 1.4, n)
        w /= w.sum()
        e = rng.choice([-1.0, 1.0]) * rng.uniform(0.02, 0.06)
        w *= 1.0 + e
        comps = []
        for i in range(n):
            t99 = sp * rng.uniform(1.4, 1.9)
            s = rng.uniform(0.30, 0.42)
            m = math.log(t99) - 2.33 * s
            t0 = 0.0 if i == 0 else i * sp * (1.0 + rng.uniform(-0.08, 0.08))
            comps.append((t0, m, s, w[i]))
        s = rng.uniform(0.25, 0.35)
        t99c = rng.uniform(0.3, 0.6)
        comps.append(((n - 1) * sp + sp * rng.uniform(0.9, 1.3), math.log(t99c) - 2.33 * s, s, -e))
        return self._build(comps)


class FeedbackHand:
    """A first-order muscle driven by a feed-forward intent and a delayed visual PI loop."""

    kind = "feedback"

    def __init__(self, rng: Rng, dt: float) -> None:
        self.dt = dt
        self.tau = self.d = self.Ki = self.Kp = 0.0
        self._draw_stable(rng)

    def _draw_stable(self, rng: Rng) -> None:
        """Muscle lag, delay and gains whose 14 %-misjudged fast changes neither ring nor crawl."""
        for _ in range(300):
            self.tau = rng.uniform(0.05, 0.12)
            self.d = rng.uniform(0.15, 0.30)
            self.Ki = rng.uniform(1.3, 2.6)
            self.Kp = rng.uniform(0.0, 0.3)
            if all(self._well_behaved(g) for g in (0.86, 1.14)):
                return
        raise Reject("no stable feedback hand")

    def _well_behaved(self, g: float) -> bool:
        dt = self.dt
        intent = smoothstep(np.arange(0.0, 0.4, dt) / 0.4)
        p = self._sim(intent, g)
        return not (p.max() > 1.25 or p.min() < -0.05) and settle_time(p, 0.02, dt) <= 1.8

    def describe(self) -> str:
        return (f"a first-order-plus-delay force controller: muscle lag {self.tau * 1000:.0f} ms, visual "
                f"feedback delay {self.d * 1000:.0f} ms, PI correction (Ki {self.Ki:.1f}/s) of a "
                "feed-forward intent that misjudges each change by 4-12 %; hold wander is intermittent drift "
                "with small corrective jerks")

    def _sim(self, intent: Array, g: float, tail: float = 6.0) -> Array:
        """The force for an intent (0 -> 1) misjudged by the gain ``g``; its last second is eased onto 1
        (the hand's later corrections), so that every change ends exactly at its target."""
        dt = self.dt
        n = len(intent) + int(tail / dt)
        T = np.ones(n)
        T[:len(intent)] = intent
        F = np.zeros(n)
        nd = max(1, round(self.d / dt))
        a = dt / self.tau
        ki = self.Ki * dt
        kp = self.Kp
        # the hand compares the (delayed) seen force with the force its internal forward model expected
        # (intent through the muscle lag), so the PI loop only corrects the misjudged part of the change
        TL = signal.lfilter([a], [1.0, a - 1.0], np.concatenate([[0.0], T[:-1]]))
        integral = 0.0
        f = 0.0
        for i in range(1, n):
            j = i - 1 - nd
            e = (TL[j] - F[j]) if j >= 0 else 0.0
            integral += ki * e
            f = f + (g * T[i - 1] + integral + kp * e - f) * a
            F[i] = f
        k = int(1.0 / dt)
        F[-k:] += (1.0 - F[-1]) * smoothstep(np.linspace(0.0, 1.0, k))
        return F

    def fast(self, rng: Rng) -> Array:
        Di = rng.uniform(0.25, 0.6)
        intent = smoothstep(np.arange(0.0, Di, self.dt) / Di)
        g = 1.0 + rng.choice([-1.0, 1.0]) * rng.uniform(0.04, 0.12)
        return self._sim(intent, g)

    def slow(self, rng: Rng, D: float) -> Array:
        dt = self.dt
        ta = rng.uniform(0.3, 0.6)
        td = rng.uniform(0.4, 0.8)
        t = np.arange(0.0, D, dt)
        v = np.ones_like(t)
        v[t < ta] = 0.5 - 0.5 * np.cos(np.pi * t[t < ta] / ta)
        m = t > D - td
        v[m] = 0.5 + 0.5 * np.cos(np.pi * (t[m] - (D - td)) / td)
        # slight unevenness of a deliberate ease
        v *= 1.0 + 0.15 * np.sin(2 * np.pi * t / rng.uniform(1.2, 2.5) + rng.uniform(0, 6.28))
        x = np.cumsum(v)
        intent = x / x[-1]
        g = 1.0 + rng.choice([-1.0, 1.0]) * rng.uniform(0.02, 0.06)
        return self._sim(intent, g)


def make_hand(kind: str, rng: Rng, dt: float) -> Hand:
    return SubmoveHand(rng, dt) if kind == "submove" else FeedbackHand(rng, dt)


# --------------------------------------------------------------------------- plans
@dataclass
class HoldPlan:
    L: float                    # level (N)
    H: float                    # duration from settling (s), before a modulation lengthens it
    mod: str                    # none, creep, give, fatigue, lean or excursion
    tmin: float | None = None   # earliest start of the modulation after settling (s)


#: A move's kind ("fast", "ramp" or "slow") and duration (s; None for a fast one).
MovePlan = tuple[str, float | None]


@dataclass
class ContactPlan:
    protocol: str
    arrival: MovePlan
    holds: list[HoldPlan]
    trans: list[MovePlan]       # the moves between holds
    release_D: float            # the lift-off's duration (s)
    rest: float                 # resting force after it (N; > 0: a let-go)
    base0: float                # resting force before the contact (N)


class Planner:
    """The holds of one contact for a protocol, between the levels lo and hi around a base load B."""

    def __init__(self, rng: Rng, B: float, lo: float, hi: float) -> None:
        self.rng, self.B, self.lo, self.hi = rng, B, lo, hi

    def clampL(self, x: float) -> float:
        return float(min(max(x, self.lo), self.hi))

    def next_level(self, L: float, direction: int, amin: float, amax: float) -> float:
        """A level amin..amax away, turned the other way when the range clamps it too close."""
        for _ in range(50):
            A = self.rng.uniform(amin, amax)
            Ln = self.clampL(L * (1 + A) if direction > 0 else L * (1 - A))
            if abs(Ln / L - 1) >= amin:
                return Ln
            direction = -direction
        raise Reject("level")

    def slow_D(self, A: float) -> float | None:
        # slow eases: 4-7 s, and fast enough at the end that entering +-8 % and settling are < 1.7 s apart
        dmax = min(7.0, 20.0 * A / (1 + A))
        if A < 0.25 or dmax < 4.0:
            return None
        return self.rng.uniform(4.0, dmax)

    def slow_A(self, amin: float, amax: float) -> tuple[float, float | None]:
        """An ease's relative size and duration (the last draw, if none of 50 fits)."""
        for _ in range(50):
            A = self.rng.uniform(amin, amax)
            D = self.slow_D(A)
            if D is not None:
                break
        return A, D

    def nmt(self, budget: float) -> tuple[MovePlan, list[HoldPlan], list[MovePlan], float] | None:
        """A ramp to a barrier, 1-3 long holds that creep or give, steps up or eases between them."""
        rng = self.rng
        nb = int(rng.integers(1, 4))
        Hs = [rng.uniform(10, 30) for _ in range(nb)]
        while nb > 1 and sum(Hs) + 8 + 4 * nb > budget:
            nb -= 1
            Hs = Hs[:nb]
        if sum(Hs) + 12 > budget:
            Hs = [max(10.0, budget - 12)]
            if budget < 22:
                return None
        arrival: MovePlan = ("ramp", rng.uniform(2.0, 6.0)) if rng.random() < 0.7 else ("fast", None)
        holds: list[HoldPlan] = []
        trans: list[MovePlan] = []
        L = self.clampL(self.B * rng.uniform(0.75, 1.15))
        for j in range(nb):
            last = j == nb - 1
            mods, pr = ["creep", "give", "none"], [0.5, 0.33, 0.17]
            if last:
                mods, pr = [*mods, "lean"], [0.47, 0.3, 0.15, 0.08]
            mod = str(rng.choice(mods, p=pr))
            holds.append(HoldPlan(L=L, H=Hs[j], mod=mod))
            if not last:
                slow_ok = mod in ("creep", "none")
                if slow_ok and rng.random() < 0.45:
                    A, D = self.slow_A(0.25, 0.5)
                    Ln = self.clampL(L * (1 + A))
                    if Ln / L - 1 < 0.25:
                        Ln = self.clampL(L * (1 - A))
                        D = self.slow_D(1 - Ln / L)
                        if D is None:
                            raise Reject("slow")
                    trans.append(("slow", D))
                else:
                    Ln = self.next_level(L, +1, 0.15, 0.40)
                    trans.append(("fast", None))
                L = Ln
        return arrival, holds, trans, rng.uniform(0.2, 1.5)

    def grip(self, budget: float) -> tuple[MovePlan, list[HoldPlan], list[MovePlan], float] | None:
        """1-2 short grips, the last one fading with fatigue or creeping."""
        rng = self.rng
        nb = 1 if rng.random() < 0.55 else 2
        arrival: MovePlan = ("fast", None)
        holds: list[HoldPlan] = []
        trans: list[MovePlan] = []
        L = self.clampL(self.B * rng.uniform(0.7, 1.3))
        for j in range(nb):
            last = j == nb - 1
            mod = str(rng.choice(["fatigue", "creep", "none"], p=[0.4, 0.35, 0.25])) if last else \
                str(rng.choice(["creep", "none"]))
            H = rng.uniform(3.0, 10.0)
            holds.append(HoldPlan(L=L, H=H, mod=mod))
            if not last:
                direction = 1 if rng.random() < 0.5 else -1
                Ln = self.next_level(L, direction, 0.18 if direction < 0 else 0.14, 0.35)
                trans.append(("fast", None))
                L = Ln
        rel_D = rng.uniform(0.2, 0.6)
        if sum(h.H for h in holds) + 10 > budget:
            return None
        return arrival, holds, trans, rel_D

    def training(self, budget: float) -> tuple[MovePlan, list[HoldPlan], list[MovePlan], float] | None:
        """2-4 holds at varying levels, steps up and down (some slow eases), band excursions."""
        rng = self.rng
        nb = int(rng.integers(2, 5))
        while nb > 1 and nb * 12 + 10 > budget:
            nb -= 1
        arrival: MovePlan = ("fast", None) if rng.random() < 0.7 else ("ramp", rng.uniform(1.5, 3.0))
        holds: list[HoldPlan] = []
        trans: list[MovePlan] = []
        L = self.clampL(self.B * rng.uniform(0.7, 1.3))
        for j in range(nb):
            last = j == nb - 1
            mods, pr = ["excursion", "creep", "none"], [0.3, 0.3, 0.4]
            if last:
                mods, pr = [*mods, "lean"], [0.27, 0.28, 0.35, 0.1]
            mod = str(rng.choice(mods, p=pr))
            H = rng.uniform(4.0, 12.0)
            holds.append(HoldPlan(L=L, H=H, mod=mod))
            if not last:
                direction = 1 if rng.random() < 0.5 else -1
                if rng.random() < 0.2:
                    A, D = self.slow_A(0.25, 0.45)
                    Ln = self.clampL(L * (1 + A) if direction > 0 else L * (1 - A))
                    Ar = abs(Ln / L - 1)
                    if Ar < 0.25:
                        raise Reject("slow clamp")
                    D = self.slow_D(Ar)
                    if D is None:
                        raise Reject("slow D")
                    trans.append(("slow", D))
                else:
                    Ln = self.next_level(L, direction, 0.18 if direction < 0 else 0.14, 0.40)
                    trans.append(("fast", None))
                L = Ln
        rel_D = rng.uniform(0.2, 1.2)
        if sum(max(h.H, 14 if h.mod == "excursion" else 0) for h in holds) + 10 > budget:
            return None
        return arrival, holds, trans, rel_D


def plan_contact(protocol: str, rng: Rng, B: float, lo: float, hi: float, budget: float, base: float,
                 light: bool) -> ContactPlan | None:
    """One contact of the protocol that fits the time left (None if none does)."""
    planner = Planner(rng, B, lo, hi)
    drawn = {"nmt": planner.nmt, "grip": planner.grip, "training": planner.training}[protocol](budget)
    if drawn is None:
        return None
    arrival, holds, trans, rel_D = drawn
    for j, tr in enumerate(trans):
        if tr[0] == "slow":  # the new level must stay steady >= 4 s before any creep/give/excursion
            holds[j + 1].tmin = 4.5
            holds[j + 1].H = max(holds[j + 1].H, 7.0)
    rest = 0.0
    p_letgo = 0.25 if protocol == "nmt" else 0.1
    if not light and rng.random() < p_letgo:
        r = rng.uniform(2.0, 6.0)
        if r <= 0.10 * holds[-1].L and holds[-1].mod != "lean":
            rest = r
    if base > 0 and max(10 * base, base + 8) > holds[0].L:
        raise Reject("contact from resting too low")
    return ContactPlan(protocol=protocol, arrival=arrival, holds=holds, trans=trans, release_D=rel_D,
                       rest=rest, base0=base)


# --------------------------------------------------------------------------- session builder
@dataclass
class Move:
    """A change of force: an arrival, a step or a release, and the onset its label names."""

    kind: str                   # arrival-fast, arrival-ramp, step-fast, step-slow or release
    t0: float
    onset: float
    to: float = 0.0             # the hand's target after the move (N)
    frm: float = 0.0            # the hand's force before it (N)


@dataclass
class Hold:
    cid: int                    # the contact's index
    j: int                      # the hold's index in its contact
    L: float
    mod: str
    exp_exit: str | None        # the band exit its modulation is designed to make (high/low)
    arr: Move                   # the move that led into it
    t_mod: float                # when its modulation starts (its end if it has none)
    t_end: float
    cur_end: float              # the hand's force at its end
    next: Move


@dataclass
class Contact:
    t0: float
    t1: float
    holds: list[Hold]
    base0: float
    rest: float
    protocol: str


#: A modulation of a hold: (deviation in N from its start, start after settling, hold duration,
#: the band exit it is designed to make).
Modulation = tuple[Array | None, float | None, float, str | None]


class SessionBuilder:
    """The hand's force on the session's grid, written move by move, and what was put where."""

    def __init__(self, fs: float, tmax: float) -> None:
        self.fs = fs
        self.dt = 1.0 / fs
        self.N = int(tmax * fs)
        self.M = np.zeros(self.N)
        self.t = 0.0        # the script's clock (s)
        self.cur = 0.0      # the hand's force target now (N)
        self.base = 0.0     # the resting force between contacts (N; > 0 after a let-go)
        self.holds: list[Hold] = []
        self.contacts: list[Contact] = []
        self.touches: list[tuple[float, float, float]] = []
        self.strokes: list[tuple[float, float, float, float, float]] = []
        self.busy: list[tuple[float, float]] = []
        self.n_letgo = 0

    def i(self, t: float) -> int:
        return round(t * self.fs)

    def _add(self, t0: float, delta: float, p: Array) -> None:
        """A move of ``delta`` N with the unit response ``p`` from ``t0``, held after it."""
        i0 = self.i(t0)
        if i0 + len(p) + 10 >= self.N:
            raise Reject("buffer")
        self.M[i0:i0 + len(p)] += delta * p
        self.M[i0 + len(p):] += delta

    def _put(self, x: Array) -> None:
        i0 = self.i(self.t)
        if i0 + len(x) >= self.N:
            raise Reject("buffer")
        self.M[i0:i0 + len(x)] += x

    def rest(self, d: float) -> None:
        self.t += d

    def touch(self, rng: Rng, peak: float) -> None:
        """A brief touch (0.35-0.8 s): never a hold."""
        T = rng.uniform(0.35, 0.8)
        tt = np.arange(0.0, T, self.dt)
        shape = np.sin(np.pi * tt / T) ** rng.uniform(1.5, 2.5)
        self._put(peak * shape)
        self.touches.append((self.t, self.t + T, peak))
        self.busy.append((self.t, self.t + T))
        self.t += T

    def stroke(self, rng: Rng, mean: float) -> None:
        """A gliding stroke: contact swinging +-40-60 % at 0.8-1.5 Hz, never a hold."""
        D = rng.uniform(3.0, 7.0)
        a = rng.uniform(0.40, 0.60)
        f = rng.uniform(0.8, 1.5)
        ph = rng.uniform(0, 2 * np.pi)
        tt = np.arange(0.0, D, self.dt)
        env = smoothstep(tt / 0.5) * smoothstep((D - tt) / 0.5)
        x = mean * env * (1.0 + a * np.sin(2 * np.pi * f * tt + ph)
                          + 0.15 * a * np.sin(4 * np.pi * f * tt + 2 * ph))
        self._put(np.maximum(x, 0.0))
        self.strokes.append((self.t, self.t + D, mean, a, f))
        self.busy.append((self.t, self.t + D))
        self.t += D

    def lift(self, rng: Rng) -> None:
        """Off a resting contact, down to nothing."""
        D = rng.uniform(0.3, 1.0)
        p = release_profile(rng, D, self.dt)
        self._add(self.t, -self.cur, p)
        self.busy.append((self.t, self.t + len(p) * self.dt))
        self.t += len(p) * self.dt
        self.cur = 0.0
        self.base = 0.0

    # ---- hold modulations (deviation in N, starting at t_mod, frozen after its end)
    def _mod(self, kind: str, L: float, H: float, rng: Rng, tmin: float | None = None) -> Modulation:
        if kind == "none":
            return None, None, H, None
        tmin = 1.5 if tmin is None else tmin
        if kind == "creep":
            return self._creep(L, H, rng, tmin)
        if kind == "give":
            return self._give(L, H, rng, tmin)
        if kind in ("fatigue", "lean"):
            return self._fade(kind, L, rng, tmin)
        if kind == "excursion":
            return self._excursion(L, H, rng, tmin)
        raise ValueError(kind)

    def _creep(self, L: float, H: float, rng: Rng, tmin: float) -> Modulation:
        """The tissue creeps: the force sags 2-4.5 % exponentially, inside the band."""
        tf = rng.uniform(tmin, tmin + 2.5)
        H = max(H, tf + 2.0)
        tau = rng.uniform(5.0, 20.0)
        r_end = rng.uniform(0.02, 0.045)
        tt = np.arange(0.0, H - tf, self.dt)
        rinf = r_end / (1.0 - math.exp(-(H - tf) / tau))
        return -L * rinf * (1.0 - np.exp(-tt / tau)), tf, H, None

    def _give(self, L: float, H: float, rng: Rng, tmin: float) -> Modulation:
        """The tissue creeps, then gives 13-18 % (a sigmoid): out of the band low, and the hold ends
        0.8-2 s after the band crossing."""
        dt = self.dt
        tf = rng.uniform(tmin, tmin + 2.5)
        tau = rng.uniform(5.0, 20.0)
        r1 = rng.uniform(0.015, 0.035)
        r2 = rng.uniform(0.13, 0.18)
        s = rng.uniform(2.5, 4.0) / 4.39
        tg = max(H, tf + 6.0) - tf
        tt = np.arange(0.0, tg + 4.0 * s + 4.0, dt)
        give = r2 / (1.0 + np.exp(-(tt - tg) / s)) - r2 / (1.0 + math.exp(tg / s))
        dev = r1 * (1.0 - np.exp(-tt / tau)) + give
        ic = np.nonzero(dev >= 0.10)[0]
        if len(ic) == 0:
            raise Reject("give")
        te = tt[ic[0]] + rng.uniform(0.8, 2.0)
        ie = round(te / dt)
        if dev[ie] > 0.175:
            raise Reject("give too deep")
        return -L * dev[:ie], tf, tf + te, "low"

    def _fade(self, kind: str, L: float, rng: Rng, tmin: float) -> Modulation:
        """Fatigue (down) or a lean (up): 13-18 % along a power curve, out of the band at the end."""
        sign = -1.0 if kind == "fatigue" else 1.0
        for _ in range(100):
            tf = rng.uniform(tmin, tmin + 1.5)
            Tf = rng.uniform(3.5, 7.0)
            r_end = rng.uniform(0.13, 0.18)
            pw = rng.uniform(1.5, 2.5)
            tc = Tf * (0.1 / r_end) ** (1.0 / pw)
            # slow enough (<= 6 %/s at the end) and outside the band for 0.8 s before the hold ends
            if pw * r_end / Tf <= 0.06 and Tf - tc >= 0.8:
                break
        else:
            raise Reject("fatigue")
        tt = np.arange(0.0, Tf, self.dt)
        return sign * L * r_end * (tt / Tf) ** pw, tf, tf + Tf, ("low" if sign < 0 else "high")

    def _excursion(self, L: float, H: float, rng: Rng, tmin: float) -> Modulation:
        """Out of the band by 13-16 % and back: rise 3-4.5 s, stay 0.3-1 s, return 1.5-3 s."""
        sign = rng.choice([-1.0, 1.0])
        a = rng.uniform(0.13, 0.16)
        tx = rng.uniform(max(2.0, tmin), max(2.0, tmin) + 2.0)
        r1 = rng.uniform(3.0, 4.5)
        st = rng.uniform(0.3, 1.0)
        r2 = rng.uniform(1.5, 3.0)
        tt = np.arange(0.0, r1 + st + r2, self.dt)
        dev = a * smoothstep(tt / r1) * (1.0 - smoothstep((tt - r1 - st) / r2))
        H = max(H, tx + r1 + st + r2 + rng.uniform(3.0, 5.0))
        return sign * L * dev, tx, H, ("high" if sign > 0 else "low")

    def _move(self, hand: Hand, rng: Rng, plan: MovePlan) -> Array:
        kind, D = plan
        if kind == "fast":
            return hand.fast(rng)
        assert D is not None  # (a ramp or an ease is always planned with its duration)
        return hand.slow(rng, D)

    def _modulate(self, t_mod: float, L: float, m: Array) -> float:
        """A hold's modulation from t_mod, its last deviation kept (the hand does not undo a give or a
        fade): the hand's force at the hold's end."""
        i0 = self.i(t_mod)
        if i0 + len(m) + 10 >= self.N:
            raise Reject("buffer")
        self.M[i0:i0 + len(m)] += m
        self.M[i0 + len(m):] += m[-1]
        return float(L + m[-1])

    def contact(self, plan: ContactPlan, hand: Hand, rng: Rng) -> None:
        """Arrive, hold (each hold modulated as planned), step between holds, release."""
        dt = self.dt
        cid = len(self.contacts)
        t0 = self.t
        holds = plan.holds
        p = self._move(hand, rng, plan.arrival)
        self._add(t0, holds[0].L - self.cur, p)
        arr = Move(kind="arrival-" + plan.arrival[0], t0=t0, onset=t0 + onset_time(p, dt))
        t_h0 = t0 + settle_time(p, 0.01, dt)
        self.cur = holds[0].L
        c_holds = []
        for j, hp in enumerate(holds):
            into = arr
            L = hp.L
            m, tmod, H, exp_exit = self._mod(hp.mod, L, hp.H, rng, hp.tmin)
            t_end = t_h0 + H
            t_mod, cur_end = t_end, L
            if m is not None and tmod is not None:
                t_mod = t_h0 + tmod
                cur_end = self._modulate(t_mod, L, m)
            if j < len(holds) - 1:
                p = self._move(hand, rng, plan.trans[j])
                Ln = holds[j + 1].L
                self._add(t_end, Ln - cur_end, p)
                nxt = Move(kind="step-" + plan.trans[j][0], t0=t_end, onset=t_end + onset_time(p, dt), to=Ln,
                           frm=cur_end)
                arr = Move(kind=nxt.kind, t0=t_end, onset=nxt.onset)
                t_h0 = t_end + settle_time(p, 0.01, dt)
                self.cur = Ln
            else:
                nxt = self._release(plan, rng, t_end, cur_end)
            h = Hold(cid=cid, j=j, L=L, mod=hp.mod, exp_exit=exp_exit, arr=into, t_mod=t_mod, t_end=t_end,
                     cur_end=cur_end, next=nxt)
            c_holds.append(h)
            self.holds.append(h)
        self.contacts.append(Contact(t0=t0, t1=self.t, holds=c_holds, base0=plan.base0, rest=plan.rest,
                                     protocol=plan.protocol))
        self.busy.append((t0, self.t))

    def _release(self, plan: ContactPlan, rng: Rng, t_end: float, cur_end: float) -> Move:
        """The contact's end: a lift-off, down to nothing or (a let-go) to a light resting contact."""
        p = release_profile(rng, plan.release_D, self.dt)
        self._add(t_end, plan.rest - cur_end, p)
        nxt = Move(kind="release", t0=t_end, onset=t_end + onset_time(p, self.dt), to=plan.rest, frm=cur_end)
        self.t = t_end + len(p) * self.dt
        self.cur = plan.rest
        self.base = plan.rest
        if plan.rest > 0:
            self.n_letgo += 1
        return nxt


# --------------------------------------------------------------------------- sensors
@dataclass
class Sensor:
    kind: str                   # one of SENSORS
    fs: float                   # sampling rate (Hz)
    cls: str                    # load class it is used for: light, medium or heavy
    tdec: int                   # decimals written: time
    vdec: int                   # decimals written: force
    q: float = 0.0              # quantum (N)
    noise: float = 0.0          # noise (N rms)
    z0: int = 0                 # Arduino: ADC counts at zero force
    lag: float = 0.0            # force gauge: first-order lag (s)
    k: int = 1                  # BLE: samples per notification
    qkg: float = 0.0            # HX711: quantum (kg)
    jit: float = 0.0            # HX711: host stamp jitter (s)
    hum_f: float = 0.0          # DAQ: mains frequency (Hz)
    hum: float = 0.0            # DAQ: hum amplitude (N)


def choose_sensor(rng: Rng) -> Sensor:
    # (Keyword arguments are evaluated in order: each sensor's draws follow its field order here.)
    kind = str(rng.choice(list(SENSORS), p=list(SENSOR_WEIGHTS)))
    if kind == "loadcell24":
        return Sensor(kind, fs=320.0, noise=rng.uniform(0.003, 0.02),
                      cls=str(rng.choice(["light", "medium", "heavy"], p=[0.3, 0.5, 0.2])), tdec=6, vdec=4,
                      q=0.0)
    if kind == "arduino10":
        q = rng.uniform(0.3, 0.6)
        return Sensor(kind, fs=200.0, q=q, z0=int(rng.integers(15, 60)),
                      cls=str(rng.choice(["medium", "heavy"], p=[0.6, 0.4])), tdec=3, vdec=3)
    if kind == "gauge50":
        return Sensor(kind, fs=50.0, q=0.1, lag=rng.uniform(0.01, 0.04), noise=rng.uniform(0.015, 0.04),
                      cls=str(rng.choice(["light", "medium", "heavy"], p=[0.25, 0.6, 0.15])), tdec=3, vdec=1)
    if kind == "ble":
        fsb = float(rng.choice([20.0, 25.0, 30.0, 40.0, 50.0, 60.0]))
        return Sensor(kind, fs=fsb, k=int(rng.integers(2, min(6, int(0.2 * fsb)) + 1)),
                      noise=rng.uniform(0.01, 0.04), q=0.01,
                      cls=str(rng.choice(["light", "medium"], p=[0.35, 0.65])), tdec=3, vdec=2)
    if kind == "hx711":
        s = Sensor(kind, fs=float(rng.choice([10.0, 80.0])), qkg=float(rng.choice([0.01, 0.02, 0.05])),
                   cls=str(rng.choice(["medium", "heavy"], p=[0.7, 0.3])), tdec=3, vdec=2,
                   jit=rng.uniform(0.001, 0.004))
        s.q = s.qkg * G
        s.noise = rng.uniform(0.2, 0.6) * s.q
        return s
    return Sensor(kind, fs=2000.0, hum_f=float(rng.choice([50.0, 60.0])), noise=rng.uniform(0.01, 0.04),
                  cls=str(rng.choice(["light", "medium", "heavy"], p=[0.2, 0.5, 0.3])), tdec=6, vdec=4, q=0.0)


def sensor_describe(s: Sensor) -> str:
    k = s.kind
    if k == "loadcell24":
        return f"a 24-bit ADC load cell sampled at 320 Hz (noise {s.noise:.3f} N rms)"
    if k == "arduino10":
        return f"an Arduino 10-bit ADC at ~200 Hz (millis() stamps, loop jitter) with a {s.q:.2f} N quantum"
    if k == "gauge50":
        return f"a commercial force gauge at 50 Hz, 0.1 N resolution, {s.lag * 1000:.0f} ms lag"
    if k == "ble":
        return (f"a BLE force sensor sampling at {s.fs:.0f} Hz, {s.k:d} samples per notification sharing one "
                f"stamp (packet interval {1000 * s.k / s.fs:.0f} ms, jitter)")
    if k == "hx711":
        return (f"an HX711 load-cell amplifier at {s.fs:.0f} Hz reporting kg in {s.qkg:.2f} kg steps (host "
                "stamps with jitter)")
    return f"a 2 kHz lab DAQ with {s.hum_f:.0f} Hz mains hum ({s.hum:.2f} N)"


#: What a sensor reports: (true sample times, its stamps from its own start, values in its unit).
Sensed = tuple[Array, Array, Array]


def _sense_loadcell(s: Sensor, rng: Rng, Ft: Array, tg: Array, dur: float) -> Sensed:
    t = np.arange(0.0, dur, 1.0 / s.fs)
    v = np.interp(t, tg, Ft) + rng.normal(0, s.noise, len(t))
    return t, t.copy(), v


def _sense_arduino(s: Sensor, rng: Rng, Ft: Array, tg: Array, dur: float) -> Sensed:
    """A loop with 3 % period jitter, millis() stamps and 10-bit counts from z0 up."""
    per = (1.0 / s.fs) * (1.0 + rng.normal(0, 0.03, int(dur * s.fs * 1.1) + 10))
    t = np.cumsum(per)
    t = t[t < dur]
    x = np.interp(t, tg, Ft) + rng.normal(0, 0.35 * s.q, len(t))
    counts = np.clip(np.round(x / s.q + s.z0), 0, 1023)
    v = (counts - s.z0) * s.q
    stamps = np.floor(t * 1000.0) / 1000.0
    return t, stamps, v


def _sense_gauge(s: Sensor, rng: Rng, Ft: Array, tg: Array, dur: float, fs_int: float) -> Sensed:
    """A first-order lag, 50 Hz, 0.1 N steps."""
    alpha = (1.0 / fs_int) / (s.lag + 1.0 / fs_int)
    y = signal.lfilter([alpha], [1.0, alpha - 1.0], Ft, zi=[Ft[0] * (1 - alpha)])[0]
    t = np.arange(0.0, dur, 1.0 / s.fs)
    v = np.interp(t, tg, y) + rng.normal(0, s.noise, len(t))
    v = np.round(v / 0.1) * 0.1
    return t, t.copy(), v


def _sense_ble(s: Sensor, rng: Rng, Ft: Array, tg: Array, dur: float, fs_int: float,
               dropouts: Sequence[tuple[float, float]]) -> Sensed:
    """Averaged samples sent k to a notification, all stamped on its arrival; a dropout loses the
    whole notifications it touches."""
    w = max(1, round(fs_int / s.fs))
    y = signal.lfilter(np.ones(w) / w, 1.0, Ft)
    t = np.arange(0.0, dur, 1.0 / s.fs)
    v = np.interp(t, tg, y) + rng.normal(0, s.noise, len(t))
    v = np.round(v / 0.01) * 0.01
    npk = math.ceil(len(t) / s.k)
    pk = np.arange(len(t)) // s.k
    pst = t[::s.k] + rng.uniform(0.0, 0.012, npk)
    pst = np.maximum.accumulate(pst)
    stamps = pst[pk]
    keep = np.ones(len(t), bool)
    for a, b in dropouts:
        bad_pk = np.unique(pk[(t >= a) & (t <= b)])
        keep &= ~np.isin(pk, bad_pk)
    return t[keep], stamps[keep], v[keep]


def _sense_hx711(s: Sensor, rng: Rng, Ft: Array, tg: Array, dur: float, fs_int: float) -> Sensed:
    """Conversion averaging, kg in qkg steps, host stamps (latency, jitter, 1 ms, strictly rising)."""
    w = max(1, round(fs_int / s.fs))
    y = signal.lfilter(np.ones(w) / w, 1.0, Ft)
    n = int(dur * s.fs)
    t = np.arange(n) / s.fs
    stamps = t + rng.uniform(0.004, 0.012) + np.clip(rng.normal(0, s.jit, n), -0.004, 0.01)
    stamps = np.maximum.accumulate(np.round(stamps, 3))
    # strictly increasing host stamps
    for i in range(1, n):
        if stamps[i] <= stamps[i - 1]:
            stamps[i] = stamps[i - 1] + 0.001
    x = np.interp(t, tg, y) + rng.normal(0, s.noise, n)
    v = np.round(x / G / s.qkg) * s.qkg
    return t, stamps, v


def _sense_daq(s: Sensor, rng: Rng, Ft: Array, tg: Array) -> Sensed:
    """Every grid sample, mains hum (with its third harmonic) and noise."""
    t = tg.copy()
    fh = s.hum_f * (1 + rng.uniform(-0.001, 0.001))
    ph = rng.uniform(0, 2 * np.pi)
    hum = s.hum * (np.sin(2 * np.pi * fh * t + ph) + 0.3 * np.sin(6 * np.pi * fh * t + 2 * ph))
    v = Ft + hum + rng.normal(0, s.noise, len(t))
    return t, t.copy(), v


def sense(s: Sensor, rng: Rng, Ft: Array, fs_int: float, dur: float,
          dropouts: Sequence[tuple[float, float]]) -> Sensed:
    """The measured force ``Ft`` (on the grid at fs_int) as the sensor reports it."""
    tg = np.arange(len(Ft)) / fs_int
    if s.kind == "loadcell24":
        return _sense_loadcell(s, rng, Ft, tg, dur)
    if s.kind == "arduino10":
        return _sense_arduino(s, rng, Ft, tg, dur)
    if s.kind == "gauge50":
        return _sense_gauge(s, rng, Ft, tg, dur, fs_int)
    if s.kind == "ble":
        return _sense_ble(s, rng, Ft, tg, dur, fs_int, dropouts)
    if s.kind == "hx711":
        return _sense_hx711(s, rng, Ft, tg, dur, fs_int)
    return _sense_daq(s, rng, Ft, tg)


# --------------------------------------------------------------------------- physiology
def intermittent_wander(rng: Rng, n: int, fs: float, peak: float) -> Array:
    """Drift-and-correct: an OU drift velocity, corrected by quick (0.15-0.3 s) jerks when the error
    grows (or, now and then, when it is a third of that)."""
    fsw = 100.0
    m = int(n / fs * fsw) + 2
    dt = 1.0 / fsw
    thr = peak * rng.uniform(0.55, 0.8)
    tau_v = rng.uniform(0.5, 2.0)
    sv = peak * rng.uniform(0.6, 1.2)
    w = np.zeros(m)
    v = 0.0
    x = 0.0
    corr: list[float] | None = None     # (start, duration, from, to) of the jerk under way
    next_chk = rng.uniform(0.6, 2.5)
    tnow = 0.0
    for i in range(1, m):
        tnow += dt
        v += -v / tau_v * dt + sv * math.sqrt(dt) * rng.standard_normal() / tau_v * 1.5
        x += v * dt
        if corr is None and (abs(x) > thr or (tnow > next_chk and abs(x) > thr / 3)):
            corr = [tnow, rng.uniform(0.15, 0.3), x, x * rng.uniform(-0.3, 0.2)]
            next_chk = tnow + rng.uniform(0.6, 2.5)
            v *= 0.3
        if corr is not None:
            s = (tnow - corr[0]) / corr[1]
            base = corr[2] + (corr[3] - corr[2]) * float(smoothstep(s))
            x = base if s < 1 else x
            if s >= 1:
                x = corr[3]
                corr = None
        w[i] = x
    w = np.clip(w, -peak * 1.4, peak * 1.4)
    tw = np.arange(m) / fsw
    return np.interp(np.arange(n) / fs, tw, w)


def pulse_wave(rng: Rng, n: int, fs: float, amp: float) -> tuple[Array, float]:
    """An arterial pulse (relative), its rate wandering 4 %: (the wave, its mean rate in Hz)."""
    f0 = rng.uniform(1.0, 1.6)
    fvar = f0 * (1 + 0.04 * shaped_noise(rng, n, fs, 0.02, 0.3, 1.0))
    ph = 2 * np.pi * np.cumsum(fvar) / fs + rng.uniform(0, 6.28)
    return amp * (np.sin(ph) + 0.45 * np.sin(2 * ph + 1.1) + 0.15 * np.sin(3 * ph + 2.0)) / 1.2, f0


# --------------------------------------------------------------------------- labels
@dataclass
class LabelledHold:
    """A hold as labelled: its sample indices and levels on the noise-free force."""

    h: Hold
    i_st: Index                 # label start: entry into +-8 % (at most 0.8 s before settling)
    i_en: Index                 # entry into +-8 % for good
    i_set: Index                # the hand within 2 % of its target for good
    i_end: Index                # label end: the onset of the move that follows
    level: float                # the mean force from settling to the modulation
    mean: float                 # the mean force over the labelled hold
    exits: list[tuple[float, str]]


#: The band-exit variants a designed exit must survive unchanged: (level change, tolerance, debounce).
BAND_VARIANTS = [(0.01, 0.10, 0.15), (-0.01, 0.10, 0.15), (0.0, 0.095, 0.15), (0.0, 0.105, 0.15),
                 (0.0, 0.10, 0.10), (0.0, 0.10, 0.25)]


def _robust_exits(F: Array, w0: Index, i_end: Index, level: float, fs: float, mod: str
                  ) -> list[tuple[Index, int, Index]]:
    """The hold's band exits, the same (count, direction, within 0.45 s) for every BAND_VARIANT."""
    dt = 1.0 / fs
    base = band_exits(F, w0, i_end, level, fs)
    variants = [band_exits(F, w0, i_end, level * (1 + d), fs, tol=tl, deb=db) for d, tl, db in BAND_VARIANTS]
    for v in variants:
        if len(v) != len(base):
            raise Reject("band exit not robust (count) " + str(mod))
        for (a, sa, _), (b, sb, _) in zip(base, v, strict=True):
            if sa != sb or abs(a - b) * dt > 0.45:
                raise Reject("band exit not robust (time) " + str(mod))
    return base


def label_hold(bld: SessionBuilder, h: Hold, F: Array, fs: float) -> LabelledHold:
    """One hold's label, or Reject when it could be read two ways."""
    M = bld.M
    dt = 1.0 / fs
    i_a = bld.i(h.arr.t0)
    i_mod = bld.i(h.t_mod)
    i_end = bld.i(h.next.onset)
    L = h.L
    i_set = settled_from(M, i_a, i_mod, L, 0.02)
    if i_mod - i_set < 1.5 * fs:
        raise Reject("plateau too short for level")
    level = float(F[i_set:i_mod].mean())
    i_en = settled_from(F, i_a, i_set + 1, level, 0.08)
    gap = (i_set - i_en) * dt
    if gap > 1.7:
        raise Reject("arrival tail too long")
    i_st = i_en if gap <= 0.8 else i_set - round(0.8 * fs)
    dev = F / level - 1.0
    if np.any(np.abs(dev[i_en:i_mod]) > 0.08):
        raise Reject("not within 8% before modulation")
    chk_end = i_mod if h.exp_exit else i_end
    if np.max(np.abs(dev[i_set:chk_end])) > 0.07:
        raise Reject("too close to band edge")
    if (i_end - i_st) * dt < 2.5:
        raise Reject("hold too short")
    if np.mean(np.abs(dev[i_st:i_end]) <= 0.08) < 0.65:
        raise Reject("hold mostly outside 8%")
    mean = float(F[i_st:i_end].mean())
    if abs(mean / level - 1) > 0.05:
        raise Reject("hold mean off")
    w0 = i_st + int(1.5 * fs)
    base = _robust_exits(F, w0, i_end, level, fs, h.mod)
    want = h.exp_exit
    if want is None and base:
        raise Reject("unexpected band exit " + str(h.mod))
    if want is not None:
        if len(base) != 1 or base[0][1] != (1 if want == "high" else -1):
            raise Reject("designed band exit missing " + str(h.mod))
        if base[0][2] * dt < 0.35 + 0.15:
            raise Reject("band excursion too brief " + str(h.mod))
        if (base[0][0] - w0) * dt < 0.5:
            raise Reject("band exit too early")
    return LabelledHold(h=h, i_st=i_st, i_en=i_en, i_set=i_set, i_end=i_end, level=level, mean=mean,
                        exits=[(i * dt, "high" if s > 0 else "low") for i, s, _ in base])


def _check_release(bld: SessionBuilder, o: LabelledHold, F: Array, fs: float) -> None:
    """A release falls below 15 % of the level within 2 s; a let-go rests on at most 10 % of it."""
    dt = 1.0 / fs
    nx = o.h.next
    i0 = bld.i(nx.onset)
    thr = 0.15 * o.level
    seg = F[i0:i0 + int(3.5 * fs)]
    below = np.nonzero(seg < max(thr, F[i0 + int(3.4 * fs)] + 0.5))[0]
    if len(below) == 0 or below[0] * dt > 2.0:
        raise Reject("release does not drop")
    if nx.to > 0 and nx.to > 0.10 * o.level:
        raise Reject("let-go too heavy")


def _step_label(bld: SessionBuilder, o: LabelledHold, o2: LabelledHold, F: Array, fs: float,
                opt: list[tuple[float, str]]) -> tuple[float, str]:
    """The step from one hold to the next (an ease's optional band exit appended to ``opt``)."""
    dt = 1.0 / fs
    nx = o.h.next
    r = o2.level / o.level - 1.0
    r2 = nx.to / nx.frm - 1.0
    kind = nx.kind
    need = 0.13 if kind == "step-fast" else 0.15
    if abs(r) < need or abs(r2) < need or np.sign(r) != np.sign(r2):
        raise Reject("step too small")
    tset = o2.i_set * dt
    if kind == "step-fast" and tset - nx.onset > 1.9:
        raise Reject("fast step too slow")
    if kind == "step-slow":
        if not (3.0 <= tset - nx.onset <= 8.5):
            raise Reject("slow step timing")
        if (bld.i(o2.h.t_mod) - o2.i_set) * dt < 4.0 or (o2.i_end - o2.i_set) * dt < 4.0:
            raise Reject("slow step not steady 4 s")
        ex = band_exits(F, o.i_end, o2.i_st, o.level, fs)
        if not ex:
            raise Reject("slow ease: no band crossing")
        opt.append((ex[0][0] * dt, "high" if ex[0][1] > 0 else "low"))
    return nx.onset, "up" if r > 0 else "down"


def compute_labels(bld: SessionBuilder, F: Array, fs: float) -> tuple[
        list[LabelledHold], list[tuple[float, str]], list[float], list[tuple[float, str]]]:
    """(holds, steps, releases, optional band exits) read off the noise-free force F, or Reject."""
    out = [label_hold(bld, h, F, fs) for h in bld.holds]
    steps: list[tuple[float, str]] = []
    releases: list[float] = []
    opt: list[tuple[float, str]] = []
    for k, o in enumerate(out):
        if o.h.next.kind == "release":
            releases.append(o.h.next.onset)
            _check_release(bld, o, F, fs)
            continue
        steps.append(_step_label(bld, o, out[k + 1], F, fs, opt))
    # contact continuity: between a contact's first and last hold, the force stays well above rest
    for cid, c in enumerate(bld.contacts):
        hs = [o for o in out if o.h.cid == cid]
        i0, i1 = hs[0].i_st, hs[-1].i_end
        if F[i0:i1].min() < c.base0 + CONTACT_N + 0.6:
            raise Reject("contact dips")
    return out, steps, releases, opt


def choose_dropouts(rng: Rng, bld: SessionBuilder, out: list[LabelledHold], events: list[float], dur: float,
                    fs: float, F: Array, packet: float) -> list[tuple[float, float]]:
    """0-3 BLE dropouts of 0.3-2.5 s, each 1.5 s (and a packet) away from every labelled event and
    each other, at rest or inside a hold where the force stays within 6 % of the level."""
    drops: list[tuple[float, float]] = []
    mg = 1.5 + 2.0 * packet  # whole packets are lost, so the visible gap can be one packet longer each side
    n = int(rng.choice([0, 1, 2, 3], p=[0.2, 0.35, 0.3, 0.15]))
    ev = np.array(sorted(events))
    busy = sorted(bld.busy)
    for _ in range(n):
        for _try in range(60):
            Ld = rng.uniform(0.3, 2.5)
            a = rng.uniform(2.0, dur - 2.0 - Ld)
            b = a + Ld
            if len(ev) and np.any((ev > a - mg) & (ev < b + mg)):
                continue
            if any(not (b + mg < x0 or a - mg > x1) for x0, x1 in drops):
                continue
            if _dropout_fits(a, b, mg, busy, out, fs, F):
                drops.append((a, b))
                break
    return sorted(drops)


def _dropout_fits(a: float, b: float, mg: float, busy: list[tuple[float, float]], out: list[LabelledHold],
                  fs: float, F: Array) -> bool:
    """A dropout (with its margin) at rest, or inside one hold before any designed exit where the
    force stays within 6 % of the level: nowhere a label could be read from what it hides."""
    in_busy = [(x0, x1) for x0, x1 in busy if not (b + mg < x0 or a - mg > x1)]
    if not in_busy:
        return True  # rest
    for o in out:
        ts = o.i_st / fs
        te = min(o.i_end / fs, o.h.t_mod if o.h.exp_exit else 1e9)
        if a - mg >= ts and b + mg <= te:
            ia, ib = int((a - 0.5) * fs), int((b + 0.5) * fs)
            return bool(np.max(np.abs(F[ia:ib] / o.level - 1)) <= 0.06)
    return False


# --------------------------------------------------------------------------- session
@dataclass
class Session:
    """One drawn session: its files' content and what its labels were read from."""

    seed: int
    index: int
    attempt: int                # the draw that passed (earlier ones were ambiguous)
    labels: dict[str, Any]
    sensor: Sensor
    hand: str                   # one of HANDS
    protocol: str               # one of PROTOCOLS
    fs: float                   # the grid's rate (Hz)
    dur: float
    F: Array                    # the noise-free force on the grid (N): what the labels are read from
    M: Array                    # the hand's force on the grid (N)
    stamps: Array               # the sensor's stamps on the device's clock (s), before rounding
    vals: Array                 # the sensor's values in the file's unit, before rounding
    clock0: float               # the device's clock at the grid's 0 (s)
    ppm: float                  # the device's clock rate error
    offset: float               # the sensor's zero offset (N)
    touches: list[tuple[float, float, float]]
    strokes: list[tuple[float, float, float, float, float]]
    drops: list[tuple[float, float]]
    out: list[LabelledHold] = field(repr=False)
    contacts: list[Contact] = field(repr=False)

    @property
    def name(self) -> str:
        return session_name(self.seed, self.index)

    @property
    def unit(self) -> str:
        return str(self.labels["unit"])

    @property
    def ufac(self) -> float:
        """The file's unit per newton."""
        return 1.0 / G if self.unit == "kg" else 1.0


def session_name(seed: int, idx: int) -> str:
    return f"bg2_s{seed:d}_{idx:03d}"


def device_time(clock0: float, ppm: float, t: Any) -> Any:
    """Grid time (s, a number or an array) on the device's clock."""
    return clock0 + t * (1.0 + ppm)


def _load_range(rng: Rng, s: Sensor) -> tuple[float, float, float]:
    """The session's base load B and the range [lo, hi] its levels keep to (N), for its load class;
    coarse ADCs get loads of at least 55 quanta, an Arduino stays well inside its 10 bits."""
    req = 55.0 * s.q if s.kind in ("arduino10", "hx711") else 0.0
    if s.cls == "light":
        B, lo, hi = rng.uniform(4.5, 6.5), 3.6, 8.6
    elif s.cls == "medium":
        B = rng.uniform(max(14.0, req), 75.0)
        lo, hi = max(9.0, 0.7 * req), 130.0
    else:
        B, lo, hi = rng.uniform(130.0, 420.0), 90.0, 650.0
    if s.kind == "arduino10":
        fsn = (1023 - s.z0) * s.q
        hi = min(hi, 0.72 * fsn)
        B = min(B, 0.55 * fsn)
        if lo * 1.2 > B:
            raise Reject("arduino range")
    return B, lo, hi


def _between_contacts(rng: Rng, bld: SessionBuilder, B: float, light: bool, p_touch: float,
                      p_stroke: float) -> None:
    """Off the sensor: maybe 1-2 brief touches, maybe a gliding stroke."""
    if rng.random() < p_touch:
        for _ in range(int(rng.integers(1, 3))):
            pk = (rng.uniform(3.5, 8.0) if light
                  else rng.uniform(max(4.0, min(0.2 * B, 30.0)), min(0.8 * B, 80.0)))
            bld.touch(rng, pk)
            bld.rest(rng.uniform(1.5, 4.0))
        bld.rest(rng.uniform(0.5, 2.0))
    if rng.random() < p_stroke:
        mean = max(4.5, B * rng.uniform(0.5, 1.0)) if not light else rng.uniform(4.5, 6.0)
        bld.stroke(rng, mean)
        bld.rest(rng.uniform(2.0, 5.0))


def _after_contact(rng: Rng, bld: SessionBuilder, T_target: float) -> None:
    """A pause; after a let-go, mostly a lift-off from the resting contact too."""
    if bld.base > 0:
        bld.rest(rng.uniform(2.0, 6.0))
        if rng.random() < 0.6 or T_target - bld.t < 20:
            bld.lift(rng)
            bld.rest(rng.uniform(2.5, 6.0))
    else:
        bld.rest(rng.uniform(2.5, 9.0))


def _script(rng: Rng, fs: float, protocol: str, hand: Hand, B: float, lo: float, hi: float,
            light: bool) -> SessionBuilder:
    """The hand's force: contacts of the protocol (at least two) until the session's target length,
    touches and strokes between them."""
    T_target = rng.uniform(60.0, 180.0)
    bld = SessionBuilder(fs, T_target + 130.0)
    bld.rest(rng.uniform(2.0, 8.0))
    n_contacts = 0
    p_touch = rng.uniform(0.15, 0.5)
    p_stroke = rng.uniform(0.0, 0.35)
    while True:
        if n_contacts >= 2 and T_target - bld.t < 12:
            break
        if bld.base == 0:
            _between_contacts(rng, bld, B, light, p_touch, p_stroke)
        budget = max(T_target - bld.t, 25.0 if n_contacts < 2 else 0.0)
        plan = plan_contact(protocol, rng, B, lo, hi, budget, bld.base, light)
        if plan is None:
            if n_contacts >= 2:
                break
            raise Reject("no contact fits")
        bld.contact(plan, hand, rng)
        n_contacts += 1
        _after_contact(rng, bld, T_target)
        if bld.t > 200:
            raise Reject("too long")
    if bld.base > 0:
        bld.lift(rng)
    bld.rest(rng.uniform(3.0, 6.0))
    return bld


def _noise_free_force(rng: Rng, M: Array, hand_kind: str, Lmin: float, fs: float, dur: float
                      ) -> tuple[Array, float, float | None]:
    """(the force the labels are read from, the sensor's offset, the pulse rate or None): offset and
    zero drift (small against the lightest hold) plus the hand force times (1 + wander + pulse)."""
    n = len(M)
    offset = rng.uniform(-1.0, 1.0) * min(1.0, 0.01 * Lmin)
    drift_amp = rng.uniform(0.0, 0.005) * Lmin
    # (the direction is drawn before the noise: the expression is evaluated left to right)
    drift = drift_amp * (np.arange(n) / n * rng.choice([-1, 1])
                         + 0.4 * shaped_noise(rng, n, fs, 0.003, 0.05, 1.0))
    wpeak = rng.uniform(0.010, 0.025)
    if hand_kind == "submove":
        wander = shaped_noise(rng, int(dur * 50) + 2, 50.0, 0.05, 1.0, 1.0)
        wander = wander / np.max(np.abs(wander)) * wpeak
        wander = np.interp(np.arange(n) / fs, np.arange(len(wander)) / 50.0, wander)
    else:
        wander = intermittent_wander(rng, n, fs, wpeak)
    has_pulse = rng.random() < 0.4
    pamp = rng.uniform(0.002, 0.006) if has_pulse else 0.0
    pulse, f_hr = pulse_wave(rng, n, fs, pamp) if has_pulse else (np.zeros(n), 0.0)
    F = offset + drift + M * (1.0 + wander + pulse)
    return F, offset, (f_hr if has_pulse else None)


def _measured_force(rng: Rng, F: Array, M: Array, fs: float) -> Array:
    """F with what the labels leave out: 8-12 Hz amplitude-modulated tremor and 1/f motor noise."""
    n = len(F)
    fc = rng.uniform(8.5, 11.5)
    bw = rng.uniform(1.5, 3.0)
    sos = signal.butter(2, [fc - bw / 2, fc + bw / 2], btype="band", fs=fs, output="sos")
    trem = signal.sosfiltfilt(sos, rng.standard_normal(n))
    trem /= trem.std()
    trem *= 1.0 + 0.5 * shaped_noise(rng, n, fs, 0.05, 0.5, 0.0)
    tr_rel = rng.uniform(0.003, 0.012)
    tr_abs = rng.uniform(0.002, 0.01)
    mot = shaped_noise(rng, n, fs, 1.5, 20.0, 1.0)
    mot_rel = rng.uniform(0.0015, 0.004)
    Ft: Array = F + M * (tr_rel * trem + mot_rel * mot) + tr_abs * trem * (M > 0.3)
    return Ft


def _session_dropouts(rng: Rng, s: Sensor, bld: SessionBuilder, out: list[LabelledHold],
                      opt: list[tuple[float, str]], dur: float, fs: float,
                      F: Array) -> list[tuple[float, float]]:
    """BLE dropouts, away from every labelled event; none for the other sensors."""
    if s.kind != "ble":
        return []
    events: list[float] = []
    for o in out:
        events += [o.i_st / fs, o.i_end / fs] + [t for t, _ in o.exits]
    events += [t for t, _ in opt]
    return choose_dropouts(rng, bld, out, events, dur, fs, F, s.k / s.fs)


def _labels(out: list[LabelledHold], steps: list[tuple[float, str]], releases: list[float],
            opt: list[tuple[float, str]], fs: float, kg: bool, clock0: float, ppm: float) -> dict[str, Any]:
    """The labels file's content (notes to follow): times on the device clock, levels in its unit."""
    def dev_t(t: float) -> Any:
        return device_time(clock0, ppm, t)

    ufac = 1.0 / G if kg else 1.0
    return {
        "unit": "kg" if kg else "N",
        "force_column": "force_kg" if kg else "force_N",
        "holds": [[round(dev_t(o.i_st / fs), 3), round(dev_t(o.i_end / fs), 3),
                   round(o.level * ufac, 4 if kg else 3)] for o in out],
        "steps": [[round(dev_t(t), 3), d] for t, d in steps],
        "releases": [round(dev_t(t), 3) for t in releases],
        "band_exits": [[round(dev_t(t), 3), d] for o in out for t, d in o.exits],
        "band_exits_optional": [[round(dev_t(t), 3), d] for t, d in opt],
    }


PROTOCOL_TEXT = {
    "nmt": "a neuromuscular-therapy trigger-point protocol (ramp to a tissue barrier, long holds in which "
           "the tissue creeps or gives, up to three barriers, then release)",
    "grip": "a gripping/pulling protocol (short grips, fatigue declines)",
    "training": "a force-training protocol (holds at varying levels with up/down steps and band "
                "excursions)",
}


def _notes(labels: dict[str, Any], hand: Hand, s: Sensor, drops: list[tuple[float, float]], B: float,
           offset: float, clock0: float, protocol: str, bld: SessionBuilder, out: list[LabelledHold],
           opt: list[tuple[float, str]], pulse_hz: float | None) -> str:
    """The labels' notes: what the session holds and how its labels were read."""
    mods = [o.h.mod for o in out]
    n_fast = sum(1 for o in out if o.h.next.kind == "step-fast")
    n_slow = sum(1 for o in out if o.h.next.kind == "step-slow")
    lengths = ", ".join(f"{b - a:.1f}" for a, b in drops)
    dropped = f" with {len(drops)} dropout(s) of {lengths} s" if drops else ""
    exit_mods = ", ".join(sorted(set(m for m, o in zip(mods, out, strict=True) if o.exits))) or "none"
    pulse = "" if pulse_hz is None else f"; pulse {pulse_hz:.1f} Hz visible"
    and_pulse = "" if pulse_hz is None else " (and pulse)"
    in_kg = " Forces and hold levels are in kg (divide N by 9.80665)." if s.kind == "hx711" else ""
    n_steps, n_releases, n_exits = len(labels["steps"]), len(labels["releases"]), len(labels["band_exits"])
    return (f"Hand: {hand.describe()}. Sensor: {sensor_describe(s)}{dropped}; load class {s.cls} "
            f"(base {B:.1f} N), offset {offset:+.2f} N with slow zero drift, clock starts at {clock0:.3f} s. "
            f"Protocol: {PROTOCOL_TEXT[protocol]}. {len(bld.contacts)} contacts, {len(out)} holds, "
            f"{n_steps} steps ({n_fast} fast, {n_slow} slow eases), {n_releases} releases ({bld.n_letgo} "
            f"let-go leaving light contact), {n_exits} required band exits ({exit_mods}), {len(opt)} "
            f"optional band exits (slow eases leaving the old band), {len(bld.touches)} brief touches, "
            f"{len(bld.strokes)} gliding strokes{pulse}; hold modulations: {', '.join(mods)}. Labels follow "
            "the contract definitions and are computed from the force WITH the hand's slow "
            f"wander{and_pulse} but WITHOUT tremor, motor noise or sensor noise/quantisation/lag; hold "
            "start = entry into +-8 % of the settled level for good (moved at most 0.8 s towards the "
            "settling point), end = onset (2 % of the way) of the following step/release, band exit time "
            f"= 0.15 s after the force left level+-10 %.{in_kg}")


def _draw_session(rng: Rng, seed: int, idx: int, attempt: int) -> Session:
    """One draw of a session, or Reject when its labels could be read two ways. (The order of the
    draws below is the generator's: changing it changes every session after it.)"""
    s = choose_sensor(rng)
    hand_kind = "submove" if rng.random() < 0.5 else "feedback"
    protocol = str(rng.choice(list(PROTOCOLS), p=list(PROTOCOL_WEIGHTS)))
    fs = 2000.0 if s.kind == "daq2k" else 1000.0
    hand = make_hand(hand_kind, rng, 1.0 / fs)
    B, lo, hi = _load_range(rng, s)
    bld = _script(rng, fs, protocol, hand, B, lo, hi, s.cls == "light")
    dur = bld.t
    if dur > 195 or dur < 55:
        raise Reject("duration")
    n = int(dur * fs)
    M = np.maximum(bld.M[:n], 0.0)
    bld.M = M
    Lmin = min(h.L for h in bld.holds)
    F, offset, pulse_hz = _noise_free_force(rng, M, hand_kind, Lmin, fs, dur)
    out, steps, releases, opt = compute_labels(bld, F, fs)
    drops = _session_dropouts(rng, s, bld, out, opt, dur, fs, F)
    Ft = _measured_force(rng, F, M, fs)
    if s.kind == "daq2k":
        # mains hum: 0.5-2 % of the lightest hold, at most 0.3 N on medium and heavy loads
        hum = rng.uniform(0.005, 0.02) * Lmin
        s.hum = hum if s.cls == "light" else min(0.3, hum)
    _, stamps, vals = sense(s, rng, Ft, fs, dur, drops)
    clock0 = 0.0 if rng.random() < 0.5 else float(np.round(rng.uniform(1000.0, 90000.0), 3))
    ppm = rng.uniform(-60e-6, 60e-6)
    labels = _labels(out, steps, releases, opt, fs, s.kind == "hx711", clock0, ppm)
    labels["notes"] = _notes(labels, hand, s, drops, B, offset, clock0, protocol, bld, out, opt, pulse_hz)
    return Session(seed=seed, index=idx, attempt=attempt, labels=labels, sensor=s, hand=hand_kind,
                   protocol=protocol, fs=fs, dur=dur, F=F, M=M, stamps=device_time(clock0, ppm, stamps),
                   vals=vals, clock0=clock0, ppm=ppm, offset=offset, touches=bld.touches, strokes=bld.strokes,
                   drops=drops, out=out, contacts=bld.contacts)


class GenerationError(RuntimeError):
    """No draw of a session passed in MAX_ATTEMPTS (a bug in the generator, not a user's error)."""


def make_session(seed: int, idx: int, tries: int = MAX_ATTEMPTS) -> Session:
    """Session ``idx`` of ``seed``: the first unambiguous draw of default_rng([seed, idx, attempt])."""
    last = None
    for attempt in range(tries):
        rng = np.random.default_rng([seed, idx, attempt])
        try:
            return _draw_session(rng, seed, idx, attempt)
        except Reject as e:
            last = str(e)
    raise GenerationError(f"session {seed}/{idx}: could not draw an unambiguous session ({last})")


# --------------------------------------------------------------------------- files
def csv_text(ses: Session) -> str:
    """``NAME.csv``: time_s and force_N (force_kg for the HX711), at the sensor's resolution."""
    s = ses.sensor
    vals = np.round(ses.vals, s.vdec) + 0.0   # (+ 0.0: no "-0.0" in the file)
    stamps = np.round(ses.stamps, s.tdec)
    buf = io.StringIO()
    buf.write(f"time_s,{ses.labels['force_column']}\n")
    np.savetxt(buf, np.column_stack([stamps, vals]), fmt=[f"%.{s.tdec}f", f"%.{s.vdec}f"], delimiter=",")
    return buf.getvalue()


def labels_text(ses: Session) -> str:
    return json.dumps(ses.labels, indent=1)


def write_session(out_dir: Path, ses: Session) -> None:
    (out_dir / f"{ses.name}.csv").write_text(csv_text(ses))
    (out_dir / f"{ses.name}.labels.json").write_text(labels_text(ses))


COUNTED = ("holds", "steps", "releases", "band_exits", "band_exits_optional")


def generate(out_dir: Path, seed: int, sessions: int) -> None:
    """Write sessions 0..sessions-1 of ``seed`` to out_dir and say how many labels they hold."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        tot = dict.fromkeys(COUNTED, 0)
        for i in range(sessions):
            ses = make_session(seed, i)
            write_session(out_dir, ses)
            for k in tot:
                tot[k] += len(ses.labels[k])
    except OSError as exc:
        raise UsageError(f"cannot write the sessions to {out_dir} ({exc.strerror or exc}): give a folder "
                         "that can be created and written") from None
    print(f"seed {seed}: {sessions} sessions -> {out_dir}  " + " ".join(f"{k}={v}" for k, v in tot.items()))


# --------------------------------------------------------------------------- checking
@dataclass
class CheckStats:
    """What a check saw, for its summary line."""

    counts: Counter[str] = field(default_factory=Counter)   # sessions, labels, dropouts, sensors, units
    min_hold: float = 1e9
    min_frac8: float = 1.0
    min_step: float = 1e9
    max_touch: float = 0.0
    min_stroke_swing: float = 9.0


class _Clock:
    """The labels' device clock back on the session's grid."""

    def __init__(self, ses: Session) -> None:
        self.clock0, self.ppm, self.fs = ses.clock0, ses.ppm, ses.fs

    def T(self, tdev: float) -> float:
        return (tdev - self.clock0) / (1.0 + self.ppm)

    def I(self, tdev: float) -> int:  # noqa: E743 (the sample index of a label's time)
        return round((tdev - self.clock0) / (1.0 + self.ppm) * self.fs)


def naive_band_exits(F: Array, t: Array, level: float, tol: float = 0.10, deb: float = 0.15,
                     reenter: float = 0.5) -> list[tuple[float, str]]:
    """A straightforward sample-by-sample alert (independent of the generator's run-length version)."""
    out = []
    state = "in"
    since = None
    for k in range(len(F)):
        outside = abs(F[k] / level - 1.0) > tol
        if state == "in":
            if outside:
                if since is None:
                    since = t[k]
                if t[k] - since >= deb - 1e-9:
                    out.append((t[k], "high" if F[k] > level else "low"))
                    state = "out"
                    since = None
            else:
                since = None
        else:
            if not outside:
                if since is None:
                    since = t[k]
                if t[k] - since >= reenter - 1e-9:
                    state = "in"
                    since = None
            else:
                since = None
    return out


#: A label's hold on the grid's clock: (start, end, level in N).
GridHold = tuple[float, float, float]


def _check_holds(ses: Session, clk: _Clock, holds: list[GridHold], stats: CheckStats) -> list[str]:
    """At least 1.5 s, within +-8 % for 60 % of it, its mean within 10 % of its level, no overlap."""
    fails = []
    F, lab = ses.F, ses.labels["holds"]
    for k, (a, b, lev) in enumerate(holds):
        ia, ib = clk.I(lab[k][0]), clk.I(lab[k][1])
        seg = F[ia:ib] / lev - 1.0
        d = b - a
        stats.min_hold = min(stats.min_hold, d)
        if d < 1.5:
            fails.append(f"hold {k} shorter than 1.5 s ({d:.2f})")
        if ib > ia:  # (a label that ends before it starts has nothing to average)
            frac = float(np.mean(np.abs(seg) <= 0.08))
            stats.min_frac8 = min(stats.min_frac8, frac)
            if frac < 0.6:
                fails.append(f"hold {k} within 8% only {100 * frac:.0f}% of its time")
            if abs(np.mean(F[ia:ib]) / lev - 1) > 0.10:
                fails.append(f"hold {k} mean off by >10%")
        if k and a < holds[k - 1][1]:
            fails.append(f"holds overlap {k}")
    return fails


def _matching(times: list[float], t: float) -> list[int]:
    return [j for j, x in enumerate(times) if abs(x - t) <= 0.0021]


def _check_hold_ends(labels: dict[str, Any]) -> list[str]:
    """Every hold ends with exactly one step or release, and every step or release ends a hold."""
    fails = []
    ends = {round(h[1], 3) for h in labels["holds"]}
    events = [round(x[0], 3) for x in labels["steps"]] + [round(x, 3) for x in labels["releases"]]
    for k, h in enumerate(labels["holds"]):
        m = _matching(events, h[1])
        if len(m) != 1:
            fails.append(f"hold {k} end {h[1]:.3f} matched by {len(m)} step/release labels")
    for x in events:
        if not any(abs(x - e) <= 0.0021 for e in ends):
            fails.append(f"event {x:.3f} is not at a hold end")
    return fails


def _check_steps(ses: Session, clk: _Clock, holds: list[GridHold], stats: CheckStats) -> list[str]:
    """At least 10 % from one hold to the next, the way it says, in contact, within 8.5 s."""
    fails = []
    F, lab = ses.F, ses.labels["holds"]
    ends = [h[1] for h in lab]
    for tstep, direction in ses.labels["steps"]:
        k = _matching(ends, tstep)
        if not k or k[0] + 1 >= len(holds):
            fails.append(f"step {tstep:.3f} without following hold")
            continue
        j = k[0]
        r = holds[j + 1][2] / holds[j][2] - 1
        stats.min_step = min(stats.min_step, abs(r))
        if abs(r) < 0.10:
            fails.append(f"step {tstep:.3f} only {100 * r:.1f}%")
        if (r > 0) != (direction == "up"):
            fails.append(f"step {tstep:.3f} direction")
        i0, i1 = clk.I(lab[j][1]), clk.I(lab[j + 1][0])
        if i1 >= i0 and F[i0:i1 + 1].min() < CONTACT_N:
            fails.append(f"step {tstep:.3f} loses contact")
        if clk.T(lab[j + 1][0]) - clk.T(tstep) > 8.5:
            fails.append(f"step {tstep:.3f} takes > 8.5 s")
    return fails


def _check_releases(ses: Session, clk: _Clock, holds: list[GridHold]) -> list[str]:
    """Below 15 % of the level within 2 s and for 1 s, and not already falling before the onset."""
    fails = []
    F, fs = ses.F, ses.fs
    ends = [h[1] for h in ses.labels["holds"]]
    for tr in ses.labels["releases"]:
        k = _matching(ends, tr)
        if not k:
            continue  # (_check_hold_ends names it)
        lev = holds[k[0]][2]
        i0 = clk.I(tr)
        below = np.nonzero(F[i0:i0 + int(4 * fs)] < 0.15 * lev)[0]
        if len(below) == 0 or below[0] / fs > 2.0:
            fails.append(f"release {tr:.3f}: force does not fall below 15% within 2 s")
            continue
        j = i0 + below[0]
        if np.any(F[j:j + int(1.0 * fs)] >= 0.15 * lev):
            fails.append(f"release {tr:.3f}: does not stay below 15% for 1 s")
        if np.any(F[i0 - int(0.3 * fs):i0] < 0.75 * lev):
            fails.append(f"release {tr:.3f}: force already dropped before the onset")
    return fails


def _overlaps(holds: list[GridHold], a: float, b: float) -> bool:
    return any(not (hb < a or ha > b) for ha, hb, _ in holds)


def _check_touches_and_strokes(ses: Session, holds: list[GridHold], stats: CheckStats) -> list[str]:
    """A touch is in contact for under 1 s, a stroke swings +-30 % or more in every 1.5 s; no hold
    lies on either."""
    fails = []
    F, fs = ses.F, ses.fs
    for a, b, _ in ses.touches:
        ia, ib = int(a * fs), int(b * fs)
        above = np.sum(F[ia:ib] > ses.offset + CONTACT_N) / fs
        stats.max_touch = max(stats.max_touch, above)
        if above >= 1.0:
            fails.append(f"touch at {a:.1f} lasts {above:.2f} s")
        if _overlaps(holds, a, b):
            fails.append(f"hold overlaps touch at {a:.1f}")
    for a, b, *_ in ses.strokes:
        ia, ib = int((a + 0.5) * fs), int((b - 0.5) * fs)
        w = int(1.5 * fs)
        worst = 9.0
        for j in range(ia, ib - w, int(0.05 * fs)):
            seg = F[j:j + w]
            worst = min(worst, (seg.max() - seg.min()) / (seg.max() + seg.min()))
        stats.min_stroke_swing = min(stats.min_stroke_swing, worst)
        if worst < 0.30:
            fails.append(f"stroke at {a:.1f} swings only +-{100 * worst:.0f}%")
        if _overlaps(holds, a, b):
            fails.append(f"hold overlaps stroke at {a:.1f}")
    return fails


def _check_band_exits(ses: Session, clk: _Clock, holds: list[GridHold]) -> list[str]:
    """A required exit lies in a hold (1.5 s after its start or later) with the force outside the band
    for the 0.15 s before it, and every hold's exits agree with a naive alert's (within 0.05 s); an
    optional exit lies between two holds."""
    fails = []
    F, fs, labels = ses.F, ses.fs, ses.labels
    req = [(clk.T(t), d) for t, d in labels["band_exits"]]
    for t, d in req:
        inside = [j for j, (a, b, _) in enumerate(holds) if a + 1.5 <= t <= b + 1e-3]
        if len(inside) != 1:
            fails.append(f"band exit {t:.2f} not inside a confirmed hold")
            continue
        # the 0.15 s before the exit, less 10 ms at either end
        before = F[round((t - 0.15) * fs) + int(0.01 * fs):round(t * fs) - int(0.01 * fs)]
        seg = before / holds[inside[0]][2] - 1
        if (d == "high" and not np.all(seg > 0.10)) or (d == "low" and not np.all(seg < -0.10)):
            fails.append(f"band exit {t:.2f}: force not outside the band for 0.15 s")
    tl = np.arange(len(F)) / fs
    for k, (a, b, lev) in enumerate(holds):
        sub = slice(int((a + 1.5) * fs), clk.I(labels["holds"][k][1]), 5)
        ex = naive_band_exits(F[sub], tl[sub], lev)
        mine = [(t, d) for t, d in req if a <= t <= b + 1e-3]
        if len(ex) != len(mine) or any(x[1] != y[1] or abs(x[0] - y[0]) > 0.05
                                       for x, y in zip(ex, mine, strict=True)):
            fails.append(f"hold {k} band exits {mine} vs naive {ex}")
    for t_dev, _ in labels["band_exits_optional"]:
        t = clk.T(t_dev)
        if len([j for j in range(len(holds) - 1) if holds[j][1] <= t <= holds[j + 1][0]]) != 1:
            fails.append(f"optional exit {t:.2f} not inside a step")
    return fails


def _check_stamps(ses: Session, clk: _Clock, stats: CheckStats) -> list[str]:
    """Gaps (dropouts) 1.5 s or more from every labelled event and at most 3 s; time never runs
    back (and, but for BLE's shared packet stamps, always forward)."""
    fails = []
    labels, s = ses.labels, ses.sensor
    dts = np.diff(ses.stamps)
    evs = np.array([clk.T(x) for h in labels["holds"] for x in h[:2]]
                   + [clk.T(x[0]) for x in labels["band_exits"] + labels["band_exits_optional"]])
    gap_thr = 1.6 * s.k / s.fs + 0.05 if s.kind == "ble" else (0.3 if s.fs > 5 else 1.0)
    for j in np.nonzero(dts > gap_thr)[0]:
        a, b = clk.T(ses.stamps[j]), clk.T(ses.stamps[j + 1])
        if len(evs) and np.any((evs > a - 1.5) & (evs < b + 1.5)):
            fails.append(f"dropout {a:.2f}-{b:.2f} within 1.5 s of an event")
        if b - a > 3.0:
            fails.append("dropout longer than 3 s")
        stats.counts["dropouts"] += 1
    if np.any(dts < 0):
        fails.append("time decreasing")
    if s.kind != "ble" and np.any(dts <= 0):
        fails.append("time not strictly increasing")
    return fails


def check_session(ses: Session, stats: CheckStats | None = None) -> list[str]:
    """What is wrong with a session's labels, checked against its noise-free force by rules of the
    checker's own (an empty list: nothing)."""
    stats = CheckStats() if stats is None else stats
    labels = ses.labels
    if list(labels.keys()) != LABEL_KEYS:
        return [f"{ses.name}: label keys {list(labels.keys())}"]
    clk = _Clock(ses)
    holds = [(clk.T(a), clk.T(b), lev / ses.ufac) for a, b, lev in labels["holds"]]
    fails = (_check_holds(ses, clk, holds, stats) + _check_hold_ends(labels)
             + _check_steps(ses, clk, holds, stats) + _check_releases(ses, clk, holds)
             + _check_touches_and_strokes(ses, holds, stats) + _check_band_exits(ses, clk, holds)
             + _check_stamps(ses, clk, stats))
    stats.counts.update({key: len(labels[key]) for key in COUNTED})
    stats.counts.update(["sessions", "sensor:" + ses.sensor.kind, "unit:" + ses.unit])
    return [f"{ses.name}: {m}" for m in fails]


def _check_file(csv: Path, ses: Session | None) -> list[str]:
    """A written session: it parses, its time runs forward, its labels fit it, and (when it is one
    of the sessions checked) both files are what the generator writes."""
    fails = []
    text = csv.read_text()
    head = text.split("\n", 1)[0].strip()
    if head not in ("time_s,force_N", "time_s,force_kg"):
        fails.append(f"header {head!r}")
    try:
        a = np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1, ndmin=2)
        lab = json.loads(csv.with_name(csv.name[:-4] + ".labels.json").read_text())
    except (OSError, ValueError) as exc:
        return [f"does not load ({exc})"]
    if a.shape[1] != 2:
        return [*fails, f"shape {a.shape}"]
    if np.any(np.diff(a[:, 0]) < 0):
        fails.append("time decreases")
    if ses is not None and json.loads(labels_text(ses)) != lab:
        fails.append("labels differ from a regeneration")
    if ses is not None and csv_text(ses) != text:
        fails.append("csv differs from a regeneration")
    if not isinstance(lab, dict) or list(lab.keys()) != LABEL_KEYS:
        return [*fails, "label keys"]
    if lab["force_column"] != head.split(",")[-1]:
        fails.append(f"force_column {lab['force_column']} vs header {head}")
    if lab["holds"] and not (a[0, 0] <= lab["holds"][0][0] and lab["holds"][-1][1] <= a[-1, 0]):
        fails.append("labels outside the recording")
    return fails


def check_files(out_dir: Path, sessions: list[Session]) -> list[str]:
    """Every session's files are in out_dir, as the generator writes them, and no other CSV is."""
    by_name = {ses.name: ses for ses in sessions}
    csvs = sorted(out_dir.glob("*.csv"))
    fails = [f"{name}: not in {out_dir}" for name in sorted(by_name.keys() - {p.stem for p in csvs})]
    for p in csvs:
        if p.stem not in by_name:
            fails.append(f"{p.name}: not one of the {len(sessions)} sessions of seed {sessions[0].seed}")
        fails += [f"{p.name}: {m}" for m in _check_file(p, by_name.get(p.stem))]
    return fails


def sessions_in(out_dir: Path, seed: int) -> int:
    """How many sessions of ``seed`` out_dir holds: the highest NNN of bg2_sSEED_NNN.csv, plus 1."""
    prefix = session_name(seed, 0)[:-3]
    found = [p.stem[len(prefix):] for p in out_dir.glob(prefix + "*.csv")]
    return max((int(x) + 1 for x in found if x.isdigit()), default=0)


def summary(seed: int, stats: CheckStats, n_fails: int) -> str:
    c = stats.counts
    kinds = " ".join(f"{k.split(':')[1]}={v}" for k, v in sorted(c.items()) if k.startswith("sensor:"))
    verdict = f"{n_fails} FAILURES" if n_fails else "OK"
    return (f"seed {seed}: {c['sessions']} sessions  holds={c['holds']} steps={c['steps']} "
            f"releases={c['releases']} band_exits={c['band_exits']} optional={c['band_exits_optional']} "
            f"dropouts={c['dropouts']} | min hold {stats.min_hold:.2f} s, min frac within 8% "
            f"{stats.min_frac8:.2f}, min step {100 * stats.min_step:.1f}%, longest touch "
            f"{stats.max_touch:.2f} s, min stroke swing +-{100 * min(stats.min_stroke_swing, 9):.0f}% | "
            f"kg sessions {c['unit:kg']} | {kinds} | {verdict}")


def run_check(out_dir: Path, seed: int, sessions: int | None) -> int:
    """Regenerate out_dir's sessions, check them and their files: 0 when all pass, else 1."""
    if not out_dir.is_dir():
        raise UsageError(f"{out_dir} is no folder: give one that blind_generator2.py wrote")
    n = sessions_in(out_dir, seed) if sessions is None else sessions
    if n == 0:
        raise UsageError(f"{out_dir} holds no session of seed {seed} ({session_name(seed, 0)}.csv ...): "
                         "give the --seed it was written with")
    stats = CheckStats()
    regenerated = [make_session(seed, i) for i in range(n)]
    fails = [m for ses in regenerated for m in check_session(ses, stats)]
    fails += check_files(out_dir, regenerated)
    print(summary(seed, stats, len(fails)))
    for f in fails[:30]:
        print("   FAIL", f)
    bad = {f.split(":", 1)[0].removesuffix(".csv") for f in fails}
    print(f"{n - len(bad & {s.name for s in regenerated})}/{n} sessions pass"
          + ("" if not fails else f"; {len(fails)} failures"))
    return 1 if fails else 0


# --------------------------------------------------------------------------- command line
def main(argv: Sequence[str] | None = None) -> int:
    return generator_main(argv, tool="blind_generator2.py", doc=__doc__, default_sessions=DEFAULT_SESSIONS,
                          seed_default=1, generate=generate, run_check=run_check)


if __name__ == "__main__":
    sys.exit(main())
