#!/usr/bin/env python3
"""Blind labelled force traces: an evaluation made by other eyes than the detector's.

Written by a helper who never saw the detector, as the acceptance checks' generators are: its own hand,
sensor and label models, nothing read from ``src/nmt_pressure`` or ``firmware_sim``, nothing tuned to
what the detector reports. Its sessions are scored like labelled real recordings
(``score_detection.py --realdata``); the first run found the slow-step bug at ~10 Hz.

A session (60-180 s, one of 96 by default) is built on a 1 kHz grid:

* **hand**: a chain of states (rest, hold, light resting contact) joined by transitions whose unit
  responses come from the session's hand model: spring-damper (damping 0.5-1.2, 7-20 rad/s behind a
  0.03-0.6 s ramp command), logistic (0.3-1.5 s), asymmetric (a fast rise, then the last 6-14 % creeping
  in or a 6-16 % overshoot settling back, tau 0.3-0.9 s), two-stage staircase (45-70 % first, a
  0.15-0.4 s pause), or a per-transition mix. Loads light 3-8 N, medium 10-100 N, heavy 100-600 N; holds
  of 5-30 s with fatigue fades (0.1-3 %/s, at most 1.5-4.5 %) or creep, deliberate dips and bursts
  (16-26 % for 0.7-1.5 s) and slow drifts out of the band (1-2.2 %/s); fast steps of 13-40 %, slow eases
  of 15-30 % over 3.3-8 s; releases, let-goes onto 3-6 N of resting contact, touches (0.3-0.8 s) and
  gliding strokes (±35-60 % at 0.35-1 Hz) between contacts.
* **physiology** (multiplies the hand force): motor noise CV 0.5-2 %, amplitude-modulated 8-12 Hz tremor
  0.3-2 % RMS, wander 0.3-1 %, an arterial pulse (0.2-0.6 %) in 40 % of sessions.
* **load cell and sensor**: offset up to 1 N, zero drift up to ±0.4 N and zero wander, a 10-50 ms lag in
  40 %; then one of four sensors by session number: an HX711 at 9.8-10.9 or 78-82 Hz (conversion
  averaging, host timestamp jitter up to 50 ms, 1-ms stamps, 0.05 or 0.1 kgf quantisation in some), a
  Bluetooth gauge at 86.5-89.5 Hz (packets of 2-6 samples, 8-25 ms latency with jitter and hiccups,
  0.3-2.5 s dropouts), a USB gauge at 500-1000 Hz (50 or 60 Hz mains hum). Clocks start at 0, 1-120 s or
  1000-90000 s.

Labels (``NAME.labels.json``: holds, steps, releases, band_exits, band_exits_optional, notes) are read
off the NOISE-FREE force (hand force, offset and drift, through the sensor's lag) by the contract's
Definitions: a hold starts where the force enters ±8 % of its settled level for good and ends at the
onset (2 % of the change) of the step or release that follows; its level is the plateau before any
fade; a band exit is the force outside level ±10 % for over 0.15 s inside a hold; an optional band exit
is where a slow ease leaves the old hold's band (the contract allows one there, it does not require
it). Times are on the recording's clock, shifted by the sensor's median delay. Every session passes
:func:`check_session` (the Definitions with margins, so that labels are unambiguous) or is drawn again.
With ``--band-labels wander`` the band exits alone are read from that force with the hand's slow
wander in it, as the robustness matrix reads them (``BAND_LABELS``); a session whose wander adds or
removes an exit is drawn again, so some sessions differ from the default run's.

Usage::

    python tools/blind_generator.py OUT [--sessions 96] [--seed 1]    # writes OUT/NAME.csv, .labels.json
    python tools/blind_generator.py OUT --check [--seed 1]           # regenerates and checks OUT
    python tools/blind_generator.py OUT --band-labels wander          # band exits read with the wander
    python tools/score_detection.py --realdata OUT
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

Rng = np.random.Generator
Response = tuple[np.ndarray, float]   # a unit response on the grid and its nominal duration (s)

FS = 1000.0          # internal grid rate
DT = 1.0 / FS
SETTLE_S = 8.0       # length appended to every unit response before it is forced to 1
KGF = 9.80665

HOLD_TOL = 0.08      # contract: within +-8 % of the level
BAND_TOL = 0.10      # contract: relative band +-10 %
EXIT_DEBOUNCE = 0.15
#: What band exits are read from (``--band-labels``): "smooth", the noise-free force like every other
#: label; or "wander", that force with the hand's slow wander (0.05-1 Hz) in it, as the robustness
#: matrix (``nuisance.py``) reads them. Whether a wander that carries the force out of the band is an
#: exit is the labeller's choice (the contract sets tremor and sensor noise aside, not wander); on a
#: slow drift it moves the crossing by the wander over the drift's rate (0.5 % at 1 %/s: 0.5 s).
BAND_LABELS = ("smooth", "wander")
ONSET_FRAC = 0.02    # onset = where the (lagged) transition response reaches 2 % of the change
CONTACT = 2.0        # contract: contact threshold (N)

DEFAULT_SESSIONS = 96
SENSORS = ["hx711-10hz", "hx711-80hz", "ble-88hz", "usb"]
HANDS = ["spring", "sigmoid", "asym", "stair", "mixed"]
LOADS = {"light": (3.0, 8.0), "medium": (10.0, 100.0), "heavy": (100.0, 600.0)}


# ----------------------------------------------------------------------------- unit responses
def _tau(T: float) -> np.ndarray:
    n = round((T + SETTLE_S) * FS)
    return np.arange(n) * DT


def step2(t: np.ndarray, zeta: float, wn: float) -> np.ndarray:
    """Unit step response of a 2nd-order (spring-damper) system."""
    t = np.maximum(t, 0.0)
    if zeta < 0.995:
        s = math.sqrt(1 - zeta * zeta)
        wd = wn * s
        return 1 - np.exp(-zeta * wn * t) * (np.cos(wd * t) + zeta / s * np.sin(wd * t))
    if zeta <= 1.005:
        return 1 - np.exp(-wn * t) * (1 + wn * t)
    s = math.sqrt(zeta * zeta - 1)
    s1, s2 = -wn * (zeta - s), -wn * (zeta + s)
    return 1 - (s2 * np.exp(s1 * t) - s1 * np.exp(s2 * t)) / (s2 - s1)


def r_spring(T: float, zeta: float, wn: float) -> np.ndarray:
    """Linear-ramp motor command of duration T through a spring-damper limb."""
    tau = _tau(T)
    S = step2(tau, zeta, wn)
    m = round(T * FS)
    if m < 1:
        return S
    S1 = np.cumsum(S) * DT
    S1s = np.zeros_like(S1)
    S1s[m:] = S1[:-m]
    return (S1 - S1s) / (m * DT)


def r_sigmoid(T: float) -> np.ndarray:
    """Logistic transition, ~1 %..99 % in T."""
    w = T / 9.2
    c = 4.6 * w
    tau = _tau(T)
    s = 1.0 / (1.0 + np.exp(-(tau - c) / w))
    s0 = 1.0 / (1.0 + math.exp(c / w))
    return (s - s0) / (1 - s0)


def _crit(tau: np.ndarray, tc: float) -> np.ndarray:
    """Critically damped unit step with time constant tc."""
    x = tau / tc
    return 1 - np.exp(-x) * (1 + x)


def r_asym_creep(T: float, alpha: float, tau2: float) -> np.ndarray:
    """Rise fast to (1-alpha), then creep the last alpha slowly (settle-slow)."""
    tau = _tau(T + 3 * tau2)
    return (1 - alpha) * _crit(tau, T / 4.74) + alpha * _crit(tau, tau2 / 2)


def r_asym_over(T: float, beta: float, tau2: float) -> np.ndarray:
    """Rise fast, overshoot by ~beta and settle back slowly (exponential)."""
    tau = _tau(T + 3 * tau2)
    c = _crit(tau, T / 4.74)
    return c * (1 + beta * c * np.exp(-np.maximum(tau - T, 0.0) / tau2))


def _pad(r: np.ndarray, n: int) -> np.ndarray:
    """r cut or extended with its settled value 1 to n samples."""
    if len(r) >= n:
        return r[:n]
    return np.concatenate([r, np.ones(n - len(r))])


def r_stair(r1: np.ndarray, T1: float, P: float, r2: np.ndarray, p: float) -> np.ndarray:
    """Two-stage arrival: fraction p with r1, pause, then the rest with r2."""
    m = round((T1 + P) * FS)
    n = max(len(r1), m + len(r2))
    a = _pad(r1, n)
    b = np.concatenate([np.zeros(m), r2])
    b = _pad(b, n)
    return p * a + (1 - p) * b


def first_order_kernel(tau_s: float) -> np.ndarray:
    n = max(1, round(10 * tau_s * FS))
    k = np.exp(-np.arange(n) * DT / tau_s)
    return k / k.sum()


def lag(x: np.ndarray, tau_s: float) -> np.ndarray:
    """x through a first-order lag of tau_s seconds (none for 0), started settled at x[0]."""
    if not tau_s:
        return x
    k = first_order_kernel(tau_s)
    xp = np.concatenate([np.full(len(k) - 1, x[0]), x])
    return np.convolve(xp, k, mode="valid")


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) index pairs of the True runs of mask, end exclusive."""
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.nonzero(d == 1)[0], np.nonzero(d == -1)[0], strict=True))


# ----------------------------------------------------------------------------- noise
def _shaped_noise(rng: Rng, n: int, gain: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Gaussian noise of n grid samples with the spectral gain(f), scaled to unit SD."""
    f = np.fft.rfftfreq(n, 1.0 / FS)
    X = rng.standard_normal(len(f)) + 1j * rng.standard_normal(len(f))
    x = np.fft.irfft(X * gain(f), n)
    sd = x.std()
    return x / sd if sd > 0 else x


def band_noise(rng: Rng, n: int, f_lo: float, f_hi: float) -> np.ndarray:
    """Noise between f_lo and f_hi Hz, with soft edges."""
    def gain(f: np.ndarray) -> np.ndarray:
        H = ((f >= f_lo) & (f <= f_hi)).astype(float)
        return np.convolve(H, np.ones(9) / 9, mode="same")

    return _shaped_noise(rng, n, gain)


def tremor_noise(rng: Rng, n: int, centre: float, sigma_f: float) -> np.ndarray:
    """Noise with a Gaussian peak at centre Hz (a physiological tremor's narrow band)."""
    return _shaped_noise(rng, n, lambda f: np.exp(-0.5 * ((f - centre) / sigma_f) ** 2))


# ----------------------------------------------------------------------------- states
@dataclass
class Fade:
    """A slow change of a hold's level: fatigue fade or creep (saturating), or a drift out of the band."""

    kind: str             # fade | creep | exit
    t0: float
    rho: float            # initial rate (fraction of the level per s)
    cap: float            # fade/creep: total change (fraction); unused by exit, which is linear
    sign: int


@dataclass
class Excursion:
    """A deliberate dip or burst: a raised-cosine of relative depth D over W s."""

    kind: str             # dip | burst
    t0: float
    W: float
    D: float


@dataclass
class State:
    """A stationary target of the hand: rest (0), hold (level with fade/excursion), resting contact."""

    kind: str             # rest | hold | resting
    L: float = 0.0
    fade: Fade | None = None
    exc: Excursion | None = None
    t_arr: float = 0.0    # nominal arrival (plan)

    def value(self, t: np.ndarray) -> np.ndarray:
        v = np.full(np.shape(t), self.L, dtype=float)
        if self.kind != "hold":
            return v
        f = self.fade
        if f is not None:
            x = np.maximum(t - f.t0, 0.0)
            ts = 0.4
            xs = x - ts * (1 - np.exp(-x / ts))
            if f.kind in ("fade", "creep"):
                d = f.sign * f.cap * (1 - np.exp(-f.rho * xs / f.cap))
            else:  # exit drift: linear (after a soft start)
                d = f.sign * f.rho * xs
            v = v * (1 + d)
        e = self.exc
        if e is not None:
            u = (t - e.t0) / e.W
            m = (u > 0) & (u < 1)
            v = v + self.L * e.D * np.where(m, 0.5 * (1 - np.cos(2 * np.pi * np.clip(u, 0, 1))), 0.0)
        return v

    def rel(self, t: float) -> float:
        """Relative deviation of the target from its level at time t."""
        return float(self.value(np.array([t]))[0] / self.L - 1.0)


class Trans:
    """A transition from one state to the next, commanded at t, with unit response r."""

    def __init__(self, t: float, r: np.ndarray, kind: str) -> None:
        self.t = float(t)
        self.i = round(t * FS)
        self.r = r
        self.kind = kind      # rise | step-fast | step-ease | release | letgo | liftoff


class Extra(NamedTuple):
    """A touch or a gliding stroke laid on top of rest."""

    kind: str             # touch | stroke
    t0: float
    t1: float
    p: dict[str, float]


# ----------------------------------------------------------------------------- hand model
class Hand:
    """The session's hand: its model and the traits every transition of it shares."""

    def __init__(self, rng: Rng, model: str) -> None:
        self.rng = rng
        self.model = model
        self.zeta = rng.uniform(0.5, 0.68) if rng.random() < 0.5 else rng.uniform(0.68, 1.2)
        self.wn = rng.uniform(7.0, 20.0)
        self.alpha = rng.uniform(0.06, 0.14)
        self.tau2 = rng.uniform(0.3, 0.9)
        self.beta = rng.uniform(0.06, 0.16)
        self.asym_mode = rng.choice(["creep", "over"])
        self.stair_p = rng.uniform(0.45, 0.7)

    def params_text(self) -> str:
        sp = f"spring-damper zeta={self.zeta:.2f} wn={self.wn:.1f} rad/s behind a 0.03-0.6 s ramp command"
        sg = "logistic transitions 0.3-1.5 s"
        if self.asym_mode == "creep":
            asy = (f"asymmetric rise-fast to {1 - self.alpha:.2f} of the change then slow creep "
                   f"(tau2={self.tau2:.2f} s)")
        else:
            asy = (f"asymmetric rise-fast, overshoot ~{self.beta * 100:.0f} % of the change, slow "
                   f"exponential settle (tau2={self.tau2:.2f} s)")
        st = (f"two-stage staircase arrivals (first stage {self.stair_p:.2f} of the change, 0.15-0.4 s "
              "pause), logistic or spring stages")
        txt = {"spring": sp, "sigmoid": sg, "asym": asy, "stair": st,
               "mixed": "per-transition mix of: " + "; ".join([sp, sg, asy, st])}[self.model]
        return txt + (f"; slow eases: linear ramp through the spring (wn={self.wn:.1f}); releases: logistic "
                      "or critically damped 0.1-0.6 s")

    def arrival(self, purpose: str) -> Response:
        """Unit response for a rise from rest (purpose "rise") or a fast step ("step")."""
        kind = self.model
        if kind == "mixed":
            kind = self.rng.choice(["spring", "sigmoid", "asym", "stair"])
        fast = purpose == "step"
        return {"spring": self._spring, "sigmoid": self._sigmoid, "asym": self._asym,
                "stair": self._stair}[kind](fast)

    def _spring(self, fast: bool) -> Response:
        rng = self.rng
        z = float(np.clip(self.zeta + rng.normal(0, 0.05), 0.45, 1.25))
        wn = self.wn * rng.uniform(0.85, 1.15)
        T = rng.uniform(0.03, 0.4) if fast else rng.uniform(0.05, 0.6)
        return r_spring(T, z, wn), T + min(4.0 / (z * wn), 1.0)

    def _sigmoid(self, fast: bool) -> Response:
        T = self.rng.uniform(0.3, 1.4) if fast else self.rng.uniform(0.3, 1.5)
        return r_sigmoid(T), T

    def _asym(self, fast: bool) -> Response:
        rng = self.rng
        T = rng.uniform(0.2, 0.9) if fast else rng.uniform(0.25, 1.0)
        t2 = self.tau2 * rng.uniform(0.8, 1.2)
        if self.asym_mode == "creep":
            a = float(np.clip(self.alpha * rng.uniform(0.8, 1.2), 0.04, 0.15))
            return r_asym_creep(T, a, t2), T + 1.5 * t2
        b = float(np.clip(self.beta * rng.uniform(0.8, 1.2), 0.05, 0.22))
        return r_asym_over(T, b, t2), T + 1.5 * t2

    def _stair(self, fast: bool) -> Response:
        """Two stages, each logistic or spring."""
        rng = self.rng
        p = float(np.clip(self.stair_p + rng.normal(0, 0.05), 0.4, 0.75))
        T1 = rng.uniform(0.15, 0.5) if fast else rng.uniform(0.2, 0.7)
        T2 = rng.uniform(0.15, 0.5) if fast else rng.uniform(0.2, 0.7)
        P = rng.uniform(0.15, 0.4)
        if rng.random() < 0.5:
            r1, r2 = r_sigmoid(T1), r_sigmoid(T2)
        else:
            z = float(np.clip(max(self.zeta, 0.7) + rng.normal(0, 0.05), 0.65, 1.2))
            r1, r2 = r_spring(T1, z, self.wn), r_spring(T2, z, self.wn)
        return r_stair(r1, T1, P, r2, p), T1 + P + T2 + 0.3

    def ease(self, T: float) -> Response:
        """A slow, deliberate change: a linear ramp of T s through a well-damped spring."""
        z = float(np.clip(max(self.zeta, 0.8) + self.rng.normal(0, 0.05), 0.8, 1.2))
        return r_spring(T, z, self.wn), T + min(4.0 / (z * self.wn), 0.8)

    def release(self, kind: str) -> Response:
        """Unit response of a release, a let-go onto light contact, or a lift-off from it."""
        rng = self.rng
        if kind == "release":
            T = rng.uniform(0.1, 0.6)
        elif kind == "letgo":
            T = rng.uniform(0.15, 0.6)
        else:  # liftoff from light resting contact
            T = rng.uniform(0.3, 1.0)
        if rng.random() < 0.6:
            return r_sigmoid(T), T
        return _crit(_tau(T), T / 4.74), T


# ----------------------------------------------------------------------------- session script
def loguniform(rng: Rng, a: float, b: float) -> float:
    return float(math.exp(rng.uniform(math.log(a), math.log(b))))


class Script:
    """A session's plan: the chain of states and transitions, and the touches and strokes between."""

    def __init__(self, rng: Rng, hand: Hand, load: str, D: float) -> None:
        self.rng = rng
        self.hand = hand
        self.load = load
        self.lo, self.hi = LOADS[load]
        self.center = loguniform(rng, self.lo, self.hi)
        self.D = D
        self.states = [State("rest", 0.0)]
        self.trans: list[Trans] = []
        self.extras: list[Extra] = []
        self.p_touch = rng.uniform(0.05, 0.25)
        self.p_stroke = rng.uniform(0.0, 0.15)
        self.p_step = rng.uniform(0.3, 0.7)
        self.p_ease = rng.uniform(0.2, 0.5)
        self.p_letgo = rng.uniform(0.15, 0.45) if load != "light" else 0.0
        self.p_exc = rng.uniform(0.05, 0.2)
        self.p_exit = rng.uniform(0.03, 0.12)
        self.fade_bias = rng.uniform(0.3, 1.0)
        self.gap_rng = (2.5, rng.uniform(4.0, 9.0))

    def add(self, t: float, rparts: Response, kind: str, new_state: State) -> float:
        """Command a transition into new_state at t; returns its nominal duration."""
        r, T = rparts
        self.trans.append(Trans(t, r, kind))
        self.states.append(new_state)
        return T

    def pick_level(self) -> float:
        rng = self.rng
        for _ in range(50):
            L = self.center * loguniform(rng, 0.6, 1.6)
            if self.lo <= L <= self.hi:
                return L
        return float(np.clip(self.center, self.lo, self.hi))

    def hold_duration(self, room: float) -> float:
        d = 5.0 + 25.0 * self.rng.beta(1.3, 2.6)
        return min(d, room)

    def decorate_hold(self, st: State, t_arr: float, dur: float) -> tuple[float, str | None]:
        """Choose fade / creep / excursion / exit for a hold; may lengthen dur.

        Returns (dur, what): "low"/"high" for a drift out of the band, "dip"/"burst", or None.
        """
        u = self.rng.random()
        if dur >= 8.0 and u < self.p_exit:
            return self._exit_drift(st, t_arr)
        if dur >= 8.0 and u < self.p_exit + self.p_exc:
            return dur, self._excursion(st, t_arr, dur)
        self._fade(st, t_arr)
        return dur, None

    def _exit_drift(self, st: State, t_arr: float) -> tuple[float, str]:
        rng = self.rng
        sign = -1 if rng.random() < 0.7 else 1
        rho = rng.uniform(0.012, 0.022) if sign < 0 else rng.uniform(0.01, 0.02)
        t0 = t_arr + rng.uniform(1.5, 3.0)
        t_exit = t0 + 0.4 + BAND_TOL / rho
        post = rng.uniform(2.6, 3.4)          # the hold ends (step or release) 2.6-3.4 s after the exit
        st.fade = Fade("exit", t0, rho, 0.0, sign)
        return t_exit + post - t_arr, ("low" if sign < 0 else "high")

    def _excursion(self, st: State, t_arr: float, dur: float) -> str:
        rng = self.rng
        kind = "dip" if rng.random() < 0.65 else "burst"
        # Depth and width such that the dip is outside +-8 % for under 0.78 s (shorter than the 1 s that
        # would end the hold) and outside +-10 % for at least 0.35 s (clear of the 0.15-s debounce).
        for _ in range(100):
            D = rng.uniform(0.16, 0.26)
            W = rng.uniform(0.7, 1.5)
            frac8 = 1 - math.acos(max(-1.0, 1 - 2 * 0.09 / D)) / math.pi
            frac10 = 1 - math.acos(max(-1.0, 1 - 2 * 0.115 / D)) / math.pi
            if frac8 * W <= 0.78 and frac10 * W >= 0.35:
                break
        t0 = rng.uniform(t_arr + 3.0, t_arr + dur - 3.0 - W)
        st.exc = Excursion(kind, t0, W, -D if kind == "dip" else D)
        if rng.random() < 0.4:
            st.fade = Fade("creep", t_arr + 1.5, rng.uniform(0.001, 0.004), rng.uniform(0.005, 0.015),
                           rng.choice([-1, 1]))
        return kind

    def _fade(self, st: State, t_arr: float) -> None:
        rng = self.rng
        v = rng.random()
        if v < 0.55 * self.fade_bias + 0.1:
            # fatigue fade: initial rate 0.1-3 %/s, total capped at 1.5-4.5 %
            rho = loguniform(rng, 0.001, 0.03)
            cap = rng.uniform(0.015, 0.045)
            st.fade = Fade("fade", t_arr + rng.uniform(1.5, 4.0), rho, cap, -1)
        elif v < 0.75:
            st.fade = Fade("creep", t_arr + rng.uniform(1.5, 4.0), loguniform(rng, 0.001, 0.006),
                           rng.uniform(0.01, 0.045), 1)

    def step_target(self, L: float, F_now_rel: float, ease: bool, forced_dir: str | None
                    ) -> tuple[float, float] | None:
        """(new level, relative change) of a step from level L, or None if none fits the load class.

        The new level is at least 13 % from the force at the step's onset too (a hold that faded or
        drifted has moved from its level): 3 % clear of the contract's 10 %.
        """
        rng = self.rng
        for _ in range(40):
            x = rng.uniform(0.15, 0.30) if ease else rng.uniform(0.13, 0.40)
            up = (rng.random() < 0.5) if forced_dir is None else (forced_dir == "up")
            L2 = L * (1 + x) if up else L * (1 - x)
            if not (self.lo <= L2 <= self.hi):
                continue
            F_now = L * (1 + F_now_rel)
            ratio = L2 / F_now
            if up and ratio < 1.13:
                continue
            if not up and ratio > 1 / 1.13:
                continue
            return L2, x
        return None

    def press(self, t: float) -> tuple[float, bool]:
        """One contact with >= 1 hold. Returns end time and whether light contact remains."""
        st = State("hold", self.pick_level())
        t_arr = t + self.add(t, self.hand.arrival("rise"), "rise", st)
        nsteps = 0
        while True:
            room = self.D - t_arr - 9.0
            dur = self.hold_duration(max(room, 5.0))
            dur, what = self.decorate_hold(st, t_arr, dur)
            st.t_arr = t_arr
            t_out = t_arr + dur
            rel_now = st.rel(t_out)
            nxt = self._step(st, t_out, rel_now, what, nsteps)
            if nxt is None:
                return self._end_contact(st, t_out, rel_now)
            st, t_arr = nxt
            nsteps += 1

    def _step(self, st: State, t_out: float, rel_now: float, what: str | None, nsteps: int
              ) -> tuple[State, float] | None:
        """Maybe step from hold st at t_out: (the new hold, its arrival time), or None."""
        rng = self.rng
        can_step = nsteps < 4 and self.D - t_out > 19.0 and rng.random() < self.p_step * (0.85 ** nsteps)
        if not can_step:
            return None
        # A hold that drifted out of its band steps back across it, not further out.
        forced = {"low": "up", "high": "down"}.get(what or "")
        ease = rng.random() < self.p_ease
        tgt = self.step_target(st.L, rel_now, ease, forced)
        if tgt is None:
            return None
        L2, x = tgt
        st2 = State("hold", L2)
        if ease:
            # ramp long enough that even the +-5 % completion comes >= 2.5 s after onset
            Tmin = 2.6 / (1 - 0.05 * (1 + x) / x)
            Tmax = min(8.0, x / 0.025)
            Te = rng.uniform(Tmin, max(Tmin + 0.1, Tmax))
            T = self.add(t_out, self.hand.ease(Te), "step-ease", st2)
        else:
            T = self.add(t_out, self.hand.arrival("step"), "step-fast", st2)
        return st2, t_out + T

    def _end_contact(self, st: State, t_out: float, rel_now: float) -> tuple[float, bool]:
        """Release at t_out, or let go onto light resting contact (heavy enough holds only)."""
        rng = self.rng
        F_now = st.L * (1 + rel_now)
        if rng.random() < self.p_letgo and F_now >= 70.0:
            R = rng.uniform(3.0, 6.0)
            R = min(R, 0.10 * F_now)
            T = self.add(t_out, self.hand.release("letgo"), "letgo", State("resting", R))
            return t_out + T + rng.uniform(2.5, 5.0), True
        T = self.add(t_out, self.hand.release("release"), "release", State("rest", 0.0))
        return t_out + T, False

    def touch(self, t: float) -> float:
        rng = self.rng
        W = rng.uniform(0.3, 0.8)
        P = rng.uniform(3.0, 8.0) if self.load == "light" else max(4.0, self.center * rng.uniform(0.1, 1.2))
        a = rng.uniform(0.3, 0.6)
        self.extras.append(Extra("touch", t, t + W, dict(P=P, a=a, W=W)))
        return t + W

    def stroke(self, t: float) -> float:
        rng = self.rng
        dur = rng.uniform(4.0, 10.0)
        M = self.pick_level()
        A = rng.uniform(0.35, 0.6)
        f = rng.uniform(0.35, 1.0)
        tr = rng.uniform(0.4, 0.8)
        ph = rng.uniform(0, 2 * np.pi)
        self.extras.append(Extra("stroke", t, t + dur, dict(M=M, A=A, f=f, tr=tr, ph=ph)))
        return t + dur

    def build(self) -> Script:
        rng = self.rng
        t = rng.uniform(1.5, 5.0)
        light = False
        while True:
            rem = self.D - t
            if light:
                # re-press from light contact, or lift off
                if rem > 20.0 and rng.random() < 0.5:
                    t, light = self.press(t)
                    t += 0.0 if light else rng.uniform(*self.gap_rng)
                    continue
                T = self.add(t, self.hand.release("liftoff"), "liftoff", State("rest", 0.0))
                t += T + rng.uniform(*self.gap_rng)
                light = False
                continue
            if rem < 16.0:
                break
            u = rng.random()
            if u < self.p_touch:
                t = self.touch(t) + rng.uniform(*self.gap_rng)
            elif u < self.p_touch + self.p_stroke and rem > 20:
                t = self.stroke(t) + rng.uniform(*self.gap_rng)
            else:
                t, light = self.press(t)
                if not light:
                    t += rng.uniform(*self.gap_rng)
        if light:
            self.add(t, self.hand.release("liftoff"), "liftoff", State("rest", 0.0))
        return self


# ----------------------------------------------------------------------------- synthesis
def _weight(sc: Script, j: int, i0: int, i1: int) -> np.ndarray:
    """Progress of transition j over grid samples i0..i1 (1 before the first, 0 after the last)."""
    if j < 0:
        return np.ones(i1 - i0)
    if j >= len(sc.trans):
        return np.zeros(i1 - i0)
    tr = sc.trans[j]
    out = np.zeros(i1 - i0)
    idx = np.arange(i0, i1) - tr.i
    m = (idx >= 0) & (idx < len(tr.r))
    out[m] = tr.r[idx[m]]
    out[idx >= len(tr.r)] = 1.0
    return out


def render_states(sc: Script, n: int) -> np.ndarray:
    """Smooth hand force from the state chain: F = sum_k s_k (R_{k-1} - R_k)."""
    F = np.zeros(n)
    tg = np.arange(n) * DT
    for k in range(len(sc.states)):
        i0 = 0 if k == 0 else sc.trans[k - 1].i
        i1 = n if k >= len(sc.trans) else min(n, sc.trans[k].i + len(sc.trans[k].r))
        if i1 <= i0 or sc.states[k].L == 0.0:
            continue
        w = _weight(sc, k - 1, i0, i1) - _weight(sc, k, i0, i1)
        F[i0:i1] += sc.states[k].value(tg[i0:i1]) * w
    return F


def _touch_shape(u: np.ndarray, p: dict[str, float]) -> np.ndarray:
    """Raised-cosine rise over a fraction a of W, fall over the rest."""
    W, a, P = p["W"], p["a"], p["P"]
    y = np.where(u < a * W, 0.5 * (1 - np.cos(np.pi * u / (a * W))),
                 0.5 * (1 + np.cos(np.pi * np.clip(u - a * W, 0, None) / ((1 - a) * W))))
    y = np.where(u > W, 0, y)
    return P * y


def _stroke_shape(u: np.ndarray, dur: float, p: dict[str, float]) -> np.ndarray:
    """A force swinging +-A around M at f Hz, faded in and out over tr s."""
    tr = p["tr"]
    env = np.clip(np.minimum(u / tr, (dur - u) / tr), 0, 1)
    env = 0.5 * (1 - np.cos(np.pi * env))
    return p["M"] * env * (1 + p["A"] * np.sin(2 * np.pi * p["f"] * u + p["ph"]))


def render_extras(sc: Script, n: int) -> np.ndarray:
    F = np.zeros(n)
    for kind, t0, t1, p in sc.extras:
        i0, i1 = round(t0 * FS), min(n, round(t1 * FS) + 1)
        u = np.arange(i0, i1) * DT - t0
        F[i0:i1] += _touch_shape(u, p) if kind == "touch" else _stroke_shape(u, t1 - t0, p)
    return F


@dataclass
class Physio:
    """Physiological modulation of the hand force (fractions of it)."""

    cv: float             # motor noise 0.5-12 Hz
    trem_f: float         # tremor centre (Hz)
    trem_bw: float        # tremor bandwidth (Hz)
    trem_rms: float
    trem_mod: float       # tremor amplitude modulation depth
    wander: float         # 0.05-1 Hz
    pulse: float          # arterial pulse, 0 = none
    pulse_f: float        # heart rate (Hz)


def physio(rng: Rng, n: int, P: Physio) -> tuple[np.ndarray, np.ndarray]:
    """Multiplicative physiological modulation (mean 0): motor noise + tremor + wander + pulse; and the
    wander alone (``--band-labels wander`` reads band exits with it)."""
    m = np.zeros(n)
    m += P.cv * band_noise(rng, n, 0.5, 12.0)
    env = 1 + P.trem_mod * band_noise(rng, n, 0.05, 0.5)
    env = np.clip(env, 0.1, None)
    tr = tremor_noise(rng, n, P.trem_f, P.trem_bw) * env
    m += P.trem_rms * tr / np.sqrt(np.mean(tr ** 2))
    wander = P.wander * band_noise(rng, n, 0.05, 1.0)
    m += wander
    if P.pulse:
        fhr = P.pulse_f * (1 + 0.04 * band_noise(rng, n, 0.01, 0.3))
        ph = 2 * np.pi * np.cumsum(fhr) * DT + rng.uniform(0, 2 * np.pi)
        w = np.sin(ph) + 0.45 * np.sin(2 * ph - 0.6) + 0.2 * np.sin(3 * ph - 1.2)
        w /= (w.max() - w.min()) / 2
        m += P.pulse * w
    return m, wander


@dataclass
class Zero:
    """The load cell's zero: offset, linear drift over the session, slow wander (N)."""

    off0: float = 0.0
    drift: float = 0.0
    off_wander: float = 0.0


def offset_curve(rng: Rng, n: int, P: Zero) -> np.ndarray:
    t = np.arange(n) * DT
    o = P.off0 + P.drift * t / t[-1]
    if P.off_wander:
        o = o + P.off_wander * band_noise(rng, n, 0.003, 0.03)
    return o


# ----------------------------------------------------------------------------- sensors
@dataclass
class Sensor:
    """A sensor model; which fields apply depends on its kind (see _hx711, _ble, _usb)."""

    kind: str
    rate: float = 0.0
    noise: float = 0.0                # white noise (N)
    lag: float = 0.0                  # the load cell's first-order lag (s), 0 = none
    q: float = 0.0                    # HX711: quantum (N), 0 = none
    host_jit: float = 0.0             # HX711: host timestamp jitter (s)
    res: float = 0.0                  # BLE: resolution (N)
    batch: tuple[int, int] = (0, 0)   # BLE: samples per packet, min and max
    mode: str = ""                    # BLE: "shared" stamp per packet or "burst" (spread within it)
    lat: float = 0.0                  # BLE: latency (s)
    lat_jit: float = 0.0              # BLE: mean of its exponential jitter (s)
    p_drop_hold: float = 0.0          # BLE: chance of a dropout inside a hold
    hum: float = 0.0                  # USB: mains hum amplitude (N)
    mains: float = 0.0                # USB: 50 or 60 Hz
    h3: float = 0.0                   # USB: third harmonic, relative


def _hx711(rng: Rng, S: Sensor, load: str) -> None:
    S.rate = rng.uniform(9.8, 10.9) if S.kind == "hx711-10hz" else rng.uniform(78.0, 82.0)
    S.noise = rng.uniform(0.02, 0.12) * (1.0 if S.kind == "hx711-10hz" else 2.7)
    S.host_jit = rng.choice([0.0, rng.uniform(0.005, 0.05)])
    q = 0.0
    if load != "light" and rng.random() < 0.55:
        # a kgf scale's resolution, coarse only where the lightest load spans >= 15 quanta
        q = rng.choice([0.05, 0.1]) * KGF
        if LOADS[load][0] < 15 * q:
            q = 0.05 * KGF if LOADS[load][0] >= 15 * 0.05 * KGF else 0.0
    S.q = q


def _ble(rng: Rng, S: Sensor) -> None:
    S.rate = rng.uniform(86.5, 89.5)
    S.noise = rng.uniform(0.02, 0.08)
    S.res = rng.choice([0.0, 0.0981, 0.05])
    S.batch = (int(rng.integers(2, 4)), int(rng.integers(4, 7)))
    S.mode = rng.choice(["shared", "burst"])
    S.lat = rng.uniform(0.008, 0.025)
    S.lat_jit = rng.uniform(0.003, 0.015)
    S.p_drop_hold = rng.uniform(0.25, 0.6)


def _usb(rng: Rng, S: Sensor) -> None:
    S.rate = float(rng.choice([500.0, 600.0, 800.0, 1000.0]))
    S.noise = rng.uniform(0.03, 0.1)
    S.hum = rng.uniform(0.05, 0.3)
    S.mains = float(rng.choice([50.0, 60.0]))
    S.h3 = rng.uniform(0.1, 0.3)


@dataclass
class Params:
    """What a session draws before its script: models, load class, length, sensor, zero, physiology."""

    sensor: Sensor
    hand_model: str
    load: str
    D: float
    zero: Zero
    physio: Physio


def session_models(idx: int) -> tuple[str, str]:
    """(sensor kind, hand model) of session idx: every 20 sessions cover each pair once."""
    return SENSORS[idx % 4], HANDS[(idx // 4) % 5]


def choose_params(rng: Rng, idx: int) -> Params:
    kind, hand_model = session_models(idx)
    u = rng.random()
    load = "light" if u < 0.2 else ("medium" if u < 0.62 else "heavy")
    D = rng.uniform(60.0, 180.0)
    S = Sensor(kind)
    if kind.startswith("hx711"):
        _hx711(rng, S, load)
    elif kind == "ble-88hz":
        _ble(rng, S)
    else:
        _usb(rng, S)
    S.lag = rng.uniform(0.01, 0.05) if rng.random() < 0.4 else 0.0
    Pz = Zero()
    if rng.random() < 0.5:
        Pz.off0 = rng.uniform(0.0, 0.3) if load == "light" else rng.uniform(0.0, 1.0)
    if rng.random() < 0.4:
        Pz.drift = rng.uniform(-0.1, 0.1) if load == "light" else rng.uniform(-0.4, 0.4)
        Pz.off_wander = rng.uniform(0.01, 0.05) if load == "light" else rng.uniform(0.03, 0.12)
    Ph = Physio(cv=rng.uniform(0.005, 0.02), trem_f=rng.uniform(8.0, 12.0), trem_bw=rng.uniform(0.4, 1.2),
                trem_rms=rng.uniform(0.003, 0.02), trem_mod=rng.uniform(0.3, 0.7),
                wander=rng.uniform(0.003, 0.01),
                pulse=(rng.uniform(0.002, 0.006) if rng.random() < 0.4 else 0.0),
                pulse_f=rng.uniform(1.0, 1.6))
    return Params(S, hand_model, load, D, Pz, Ph)


def sensor_name(S: Sensor) -> str:
    name = f"usb-{int(S.rate)}hz" if S.kind == "usb" else S.kind
    if S.q:
        name += "-q"
    if S.lag:
        name += "-lag"
    return name


def sensor_describe(S: Sensor) -> str:
    lag_txt = f", first-order lag {S.lag * 1000:.0f} ms" if S.lag else ""
    if S.kind.startswith("hx711"):
        q = f", quantised to {S.q / KGF:.2f} kgf ({S.q:.3f} N)" if S.q else ""
        return (f"HX711 at {S.rate:.2f} Hz (conversion-window averaging), noise {S.noise:.3f} N, "
                f"host timestamp jitter 0-{S.host_jit * 1000:.0f} ms, 1-ms stamps{q}{lag_txt}")
    if S.kind == "usb":
        return (f"USB gauge at {S.rate:.0f} Hz, white noise {S.noise:.3f} N, mains hum {S.mains:.0f} Hz "
                f"{S.hum:.2f} N (+3rd harmonic {S.h3:.2f}){lag_txt}")
    return (f"Bluetooth gauge at {S.rate:.1f} Hz device rate, noise {S.noise:.3f} N, resolution "
            f"{S.res:.3f} N, packets of {S.batch[0]}-{S.batch[1]} samples ({S.mode} timestamps), latency "
            f"{S.lat * 1000:.0f} ms + exp jitter {S.lat_jit * 1000:.0f} ms{lag_txt}")


# ----------------------------------------------------------------------------- sampling
Sampled = tuple[np.ndarray, np.ndarray, float]   # time stamps, readings, median delay of stamps behind force


def integ_at(Ccum: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Integral of grid signal from 0 to time x (Ccum has n+1 entries)."""
    xi = np.clip(x * FS, 0, len(Ccum) - 1)
    return np.interp(xi, np.arange(len(Ccum)), Ccum)


def sample(rng: Rng, S: Sensor, Fm: np.ndarray, D: float, dropouts: Sequence[tuple[float, float]]) -> Sampled:
    """The force Fm on the grid as the sensor reports it."""
    if S.kind.startswith("hx711"):
        return _sample_hx711(rng, S, Fm, D)
    if S.kind == "usb":
        return _sample_usb(rng, S, Fm, D)
    return _sample_ble(rng, S, Fm, D, dropouts)


def _sample_hx711(rng: Rng, S: Sensor, Fm: np.ndarray, D: float) -> Sampled:
    per = 1.0 / S.rate
    m = int((D - 0.2) * S.rate)
    ts = 0.1 + per + np.cumsum(per * (1 + rng.normal(0, 0.002, m)))
    ts = ts[ts < D - 0.05]
    C = np.concatenate([[0.0], np.cumsum(Fm) * DT])
    v = (integ_at(C, ts) - integ_at(C, ts - per)) / per
    v += rng.normal(0, S.noise, len(v))
    if S.q:
        v = np.round(v / S.q) * S.q
    stamp = ts + (rng.uniform(0, S.host_jit, len(ts)) if S.host_jit else 0.0)
    stamp = np.round(stamp * 1000.0) / 1000.0
    stamp = np.maximum.accumulate(stamp)
    # a conversion averages the last period: the reading lags the force by ~per/2 (+ host delay)
    return stamp, v, float(np.median(stamp - ts)) + per / 2


def _sample_usb(rng: Rng, S: Sensor, Fm: np.ndarray, D: float) -> Sampled:
    m = int((D - 0.01) * S.rate)
    ts = np.arange(m) / S.rate
    v = np.interp(ts * FS, np.arange(len(Fm)), Fm)
    v += rng.normal(0, S.noise, m)
    amp = S.hum * (1 + 0.2 * np.sin(2 * np.pi * 0.05 * ts + rng.uniform(0, 6.3)))
    ph = rng.uniform(0, 2 * np.pi)
    v += amp * (np.sin(2 * np.pi * S.mains * ts + ph) + S.h3 * np.sin(6 * np.pi * S.mains * ts + 2 * ph))
    return ts, v, 0.0


def _sample_ble(rng: Rng, S: Sensor, Fm: np.ndarray, D: float, dropouts: Sequence[tuple[float, float]]
                ) -> Sampled:
    per = 1.0 / S.rate
    m = int((D - 0.2) * S.rate)
    ts = 0.05 + np.arange(m) * per
    v = np.interp(ts * FS, np.arange(len(Fm)), Fm) + rng.normal(0, S.noise, m)
    if S.res:
        v = np.round(v / S.res) * S.res
    keep = np.ones(m, bool)
    for a, b in dropouts:
        keep &= ~((ts >= a) & (ts < b))
    ts, v = ts[keep], v[keep]
    stamps = _packet_stamps(rng, S, ts)
    return stamps, v, float(np.median(stamps - ts))


def _packet_stamps(rng: Rng, S: Sensor, ts: np.ndarray) -> np.ndarray:
    """Arrival stamps: batches of samples arrive together after a latency, in order."""
    stamps = np.empty_like(ts)
    i = 0
    last = -1.0
    kmin, kmax = S.batch
    while i < len(ts):
        k = int(rng.integers(kmin, kmax + 1))
        j = min(len(ts), i + k)
        lat = S.lat + rng.exponential(S.lat_jit)
        if rng.random() < 0.01:
            lat += rng.uniform(0.05, 0.2)   # radio hiccup: later packets queue behind it
        arr = max(ts[j - 1] + lat, last + 0.0005)
        if S.mode == "shared":
            stamps[i:j] = arr
        else:
            stamps[i:j] = arr + np.arange(j - i) * rng.uniform(0.0001, 0.0006)
        last = stamps[j - 1]
        i = j
    return np.round(stamps * 1e4) / 1e4


# ----------------------------------------------------------------------------- labels
@dataclass
class HoldInfo:
    """A labelled hold on the grid, with what made it (for the checks and the dropouts)."""

    k: int                # index of its state in the script
    i_start: int
    i_end: int
    level: float
    fade: Fade | None
    exc: Excursion | None
    in_kind: str          # the transition into it
    out_kind: str         # the transition out of it
    in_onset: int
    ended_by: str         # step | release
    ease_exit: tuple[float, str] | None = None   # where a slow ease out of it leaves its band (s, dir)

    @property
    def designed_exit(self) -> bool:
        """Whether the script made it leave its band (a dip, a burst or a drift out)."""
        return self.exc is not None or (self.fade is not None and self.fade.kind == "exit")


@dataclass
class Truth:
    """Labels on the grid's clock: holds [start, end, level], steps [t, dir], releases, exits [t, dir]."""

    holds: list[list[Any]] = field(default_factory=list)
    steps: list[list[Any]] = field(default_factory=list)
    releases: list[Any] = field(default_factory=list)
    exits: list[list[Any]] = field(default_factory=list)
    info: list[HoldInfo] = field(default_factory=list)


def response_onset(tr: Trans, lag_s: float) -> int:
    """Grid index where the (lagged) response of tr reaches ONSET_FRAC of its change."""
    r = tr.r
    if lag_s:
        r = lag(np.concatenate([np.zeros(200), r]), lag_s)[200:]
    i = int(np.argmax(np.abs(r) >= ONSET_FRAC))
    return tr.i + i


def _hold_start(st: State, tin: Trans, tout: Trans, Fs: np.ndarray, lev: float) -> int:
    """The first index after which the force stays within +-8 % of lev until the hold's fade,
    excursion or end."""
    i_chk = tout.i
    if st.fade:
        i_chk = min(i_chk, round(st.fade.t0 * FS))
    if st.exc:
        i_chk = min(i_chk, round(st.exc.t0 * FS))
    seg = Fs[tin.i:i_chk]
    out = np.nonzero(np.abs(seg / lev - 1) > HOLD_TOL)[0]
    return tin.i + (out[-1] + 1 if len(out) else 0)


def _band_exits(Fs: np.ndarray, i_start: int, i_end: int, lev: float) -> list[tuple[int, str]]:
    """(index, direction) of each stretch outside lev +-10 % for longer than the debounce."""
    seg = Fs[i_start:i_end] / lev - 1
    return [(i_start + a, "high" if seg[a] > 0 else "low") for a, b in runs(np.abs(seg) > BAND_TOL)
            if (b - a) * DT > EXIT_DEBOUNCE]


def derive_labels(sc: Script, Fs: np.ndarray, off: np.ndarray, lag_s: float, n: int,
                  Fb: np.ndarray | None = None) -> Truth:
    """Labels of the noise-free reading Fs (see the module docstring); band exits, required and
    optional, of Fb instead where given (the reading with the hand's wander: ``--band-labels``)."""
    if Fb is None:
        Fb = Fs
    tg = np.arange(n) * DT
    truth = Truth()
    for k, st in enumerate(sc.states):
        if st.kind != "hold":
            continue
        tin, tout = sc.trans[k - 1], sc.trans[k]
        i_end = response_onset(tout, lag_s)
        lev = st.L + off[round(st.t_arr * FS)]
        i_start = _hold_start(st, tin, tout, Fs, lev)
        ended = "step" if tout.kind.startswith("step") else "release"
        h = HoldInfo(k=k, i_start=i_start, i_end=i_end, level=lev, fade=st.fade, exc=st.exc, in_kind=tin.kind,
                     out_kind=tout.kind, in_onset=response_onset(tin, lag_s), ended_by=ended)
        truth.holds.append([tg[i_start], tg[i_end], lev])
        truth.info.append(h)
        truth.exits += [[tg[i_x], dirn] for i_x, dirn in _band_exits(Fb, i_start, i_end, lev)]
        if ended == "release":
            truth.releases.append(tg[i_end])
            continue
        up = sc.states[k + 1].L > st.L
        truth.steps.append([tg[i_end], "up" if up else "down"])
        if tout.kind == "step-ease":
            # Where the ease leaves the old band on its own side: a hold that had faded out of the
            # band the other way before the ease began leaves it only once the ease has crossed it.
            away = (Fb[i_end:i_end + 10000] / lev - 1) * (1 if up else -1)
            dv = away > BAND_TOL
            if dv.any():
                h.ease_exit = ((i_end + int(np.argmax(dv))) * DT, "high" if up else "low")
    return truth


# ----------------------------------------------------------------------------- session
def _hold_dropouts(rng: Rng, S: Sensor, info: Sequence[HoldInfo]) -> list[tuple[float, float]]:
    """Dropouts of 0.3-2.5 s inside holds, 2 s clear of their ends and of designed band exits."""
    drops = []
    for h in info:
        a, b = h.i_start * DT + 2.0, h.i_end * DT - 2.0
        bad = []
        if h.exc:
            bad.append((h.exc.t0 - 1.5, h.exc.t0 + h.exc.W + 1.5))
        if h.fade and h.fade.kind == "exit":
            bad.append((h.fade.t0, 1e9))
        if b - a < 1.0 or rng.random() > S.p_drop_hold:
            continue
        for _ in range(20):
            L = rng.uniform(0.3, 2.5)
            if b - a < L:
                continue
            s = rng.uniform(a, b - L)
            if all(s + L < x or s > y for x, y in bad):
                drops.append((s, s + L))
                break
    return drops


def _rest_dropouts(rng: Rng, sc: Script) -> list[tuple[float, float]]:
    """A few dropouts in rest gaps, clear of touches and strokes."""
    drops = []
    for k in range(1, len(sc.trans)):
        if sc.states[k].kind == "rest" and rng.random() < 0.25:
            a, b = sc.trans[k - 1].t + 1.5, sc.trans[k].t - 1.5
            busy = [(t0 - 1.0, t1 + 1.0) for _, t0, t1, _ in sc.extras]
            L = rng.uniform(0.3, 2.5)
            if b - a > L:
                s = rng.uniform(a, b - L)
                if all(s + L < x or s > y for x, y in busy):
                    drops.append((s, s + L))
    return drops


def place_dropouts(rng: Rng, sc: Script, S: Sensor, info: Sequence[HoldInfo]) -> list[tuple[float, float]]:
    """The Bluetooth gauge's silences (none for the wired sensors)."""
    if S.kind != "ble-88hz":
        return []
    return sorted(_hold_dropouts(rng, S, info) + _rest_dropouts(rng, sc))


def contact_base(sc: Script, off: np.ndarray, n: int) -> np.ndarray:
    """The resting level contact is measured from: the zero, plus resting contact after a let-go."""
    base = off.copy()
    for k, st in enumerate(sc.states):
        if st.kind == "resting":
            i0 = sc.trans[k - 1].i
            i1 = sc.trans[k].i if k < len(sc.trans) else n
            base[i0:i1] += st.L
    return base


@dataclass
class Session:
    """A generated session: what is written, and what its checks read (on the 1 kHz grid)."""

    name: str
    sensor: str           # sensor kind
    hand_model: str
    load: str
    sc: Script
    f_smooth: np.ndarray  # the noise-free reading the labels are read from
    off: np.ndarray       # the load cell's zero
    base: np.ndarray      # the level contact is measured from
    truth: Truth
    drops: list[tuple[float, float]]
    t0: float             # the recording clock at grid time 0
    ts: np.ndarray        # sample stamps (grid clock)
    v: np.ndarray         # readings (N)
    labels: dict[str, Any]


def session_name(idx: int, p: Params) -> str:
    return f"b{idx:03d}_{sensor_name(p.sensor)}_{p.hand_model}-hand_{p.load}"


def _notes(p: Params, hand: Hand, sc: Script, drops: Sequence[tuple[float, float]], t0: float, bias: float,
           band: str = "smooth") -> str:
    Ph, Pz = p.physio, p.zero
    pulse = f"{Ph.pulse * 100:.2f} % at {Ph.pulse_f:.2f} Hz" if Ph.pulse else "none"
    gaps = ", ".join(f"{b - a:.1f} s" for a, b in drops) or "none"
    return (f"tools/blind_generator.py synthetic session. hand model: {p.hand_model} ({hand.params_text()}); "
            f"load class {p.load} ({LOADS[p.load][0]:g}-{LOADS[p.load][1]:g} N, centre {sc.center:.1f} N); "
            f"physiology: motor-noise CV {Ph.cv * 100:.2f} %, tremor {Ph.trem_f:.1f} Hz "
            f"{Ph.trem_rms * 100:.2f} % RMS (AM {Ph.trem_mod:.2f}), wander {Ph.wander * 100:.2f} %, "
            f"pulse {pulse}; "
            f"load cell: offset {Pz.off0:.2f} N, zero drift {Pz.drift:+.2f} N over the session, zero wander "
            f"{Pz.off_wander:.2f} N; sensor: {sensor_describe(p.sensor)}; dropouts: {len(drops)} ({gaps}). "
            "Labels derived from the noise-free force (hand force + offset + drift, through the sensor lag) "
            "on a 1 kHz grid: hold start = first time within +-8 % of the settled level after the arrival "
            "(overshoot included), hold end = onset (2 % of the change) of the next step or release; level = "
            "settled plateau (before any later fade/creep); band exits = "
            + ("smooth force" if band == "smooth" else
               "smooth force with the hand's wander (0.05-1 Hz) in it")
            + " outside level +-10 % for > 0.15 s inside a hold (deliberate dips, bursts or fades). "
            f"Timestamps: device/host clock + {t0:g} s; label times include the median delay of the stamps "
            f"behind the force ({bias * 1000:.0f} ms: conversion window / host and radio latency).")


def _labels(truth: Truth, notes: str, tl: float) -> dict[str, Any]:
    """The labels file's contents, times on the recording's clock (tl = its time at grid 0)."""
    ease_x = [h.ease_exit for h in truth.info if h.ease_exit is not None]
    if ease_x:
        notes += (" Optional band exits (band_exits_optional; ramps are kept out of band_exits): during "
                  "each slow ease the force leaves the OLD hold's +-10 % band before the ease can be "
                  "confirmed as a step, at " + ", ".join(f"{t + tl:.2f} s ({d})" for t, d in ease_x)
                  + "; a detector may report a band_exit there.")
    return {
        "unit": "N", "force_column": "force_n",
        "holds": [[round(a + tl, 3), round(b + tl, 3), round(L, 3)] for a, b, L in truth.holds],
        "steps": [[round(t + tl, 3), d] for t, d in truth.steps],
        "releases": [round(t + tl, 3) for t in truth.releases],
        "band_exits": [[round(t + tl, 3), d] for t, d in truth.exits],
        # The contract allows an exit where a slow ease leaves the old band, it does not require one.
        "band_exits_optional": [[round(t + tl, 3), d] for t, d in ease_x],
        "notes": notes,
    }


def make_session(idx: int, seed: int, attempt: int = 0, band: str = "smooth") -> Session:
    """Session idx of a seed; each attempt is a fresh, independent draw. ``band``: what the band exits
    are read from (``BAND_LABELS``)."""
    rng = np.random.default_rng([seed, idx, attempt])
    p = choose_params(rng, idx)
    hand = Hand(rng, p.hand_model)
    sc = Script(rng, hand, p.load, p.D).build()
    n = round(p.D * FS)
    f_hand = render_states(sc, n) + render_extras(sc, n)
    off = offset_curve(rng, n, p.zero)
    mod, wander = physio(rng, n, p.physio)
    f_smooth = lag(f_hand + off, p.sensor.lag)               # noise-free reading
    f_cell = lag(f_hand * (1 + mod) + off, p.sensor.lag)     # what the load cell sees
    f_band = lag(f_hand * (1 + wander) + off, p.sensor.lag) if band == "wander" else None
    truth = derive_labels(sc, f_smooth, off, p.sensor.lag, n, f_band)
    drops = place_dropouts(rng, sc, p.sensor, truth.info)
    ts, v, bias = sample(rng, p.sensor, f_cell, p.D, drops)
    t0 = float(rng.choice([0.0, round(rng.uniform(1, 120), 3), round(rng.uniform(1000, 90000), 3)]))
    # label time base = the recording's time stamps (sensor/host delay included)
    labels = _labels(truth, _notes(p, hand, sc, drops, t0, bias, band), t0 + bias)
    return Session(name=session_name(idx, p), sensor=p.sensor.kind, hand_model=p.hand_model, load=p.load,
                   sc=sc, f_smooth=f_smooth, off=off, base=contact_base(sc, off, n), truth=truth, drops=drops,
                   t0=t0, ts=ts, v=v, labels=labels)


Redraw = tuple[int, int, list[str]]   # session, attempt, its first problems


def good_session(idx: int, seed: int, log: list[Redraw], max_attempts: int = 30, band: str = "smooth"
                 ) -> Session:
    """Session idx of a seed whose labels pass check_session; failed attempts are logged."""
    probs: list[str] = []
    for attempt in range(max_attempts):
        s = make_session(idx, seed, attempt, band)
        probs = check_session(s)
        if not probs:
            return s
        log.append((idx, attempt, probs[:3]))
    raise RuntimeError(f"session {idx}: no valid attempt: {probs[:5]}")


def write_session(s: Session, out: Path) -> None:
    t = s.ts + s.t0
    body = "\n".join(f"{a:.6f},{b:.4f}" for a, b in zip(t.tolist(), s.v.tolist(), strict=True))
    (out / f"{s.name}.csv").write_text("t_s,force_n\n" + body + "\n", encoding="utf-8")
    (out / f"{s.name}.labels.json").write_text(json.dumps(s.labels, indent=1), encoding="utf-8")


# ----------------------------------------------------------------------------- checks
# The labels must be unambiguous, not merely true: the checks ask for margins beyond the contract's
# thresholds (steps of >= 12 %, holds of >= 3.5 s, excursions well clear of the debounce and of the 1 s
# that would end a hold), so a detector that meets the contract cannot fairly disagree with a label.
def check_session(s: Session) -> list[str]:
    """Problems of a session's labels against the Definitions on the noise-free force (empty: none)."""
    ev = _labelled_events(s)
    P: list[str] = []
    for h in s.truth.info:
        P += _check_hold(s, h)
    P += _check_steps(s)
    for h in s.truth.info:
        if h.ended_by == "release":
            P += _check_release(s, h)
    P += _check_spacing(ev)
    P += _check_unlabelled(s)
    P += _check_touches(s)
    P += _check_dropouts(s, ev)
    return P


def _check_hold(s: Session, h: HoldInfo) -> list[str]:
    Fs, base = s.f_smooth, s.base
    a, b, lev = h.i_start, h.i_end, h.level
    ta, tb = a * DT, b * DT
    tag = f"hold@{ta:.2f}"
    P = []
    if lev < 3.0:
        P.append(f"{tag}: level {lev:.2f} < 3 N")
    if tb - ta < 3.5:
        P.append(f"{tag}: duration {tb - ta:.2f} s < 3.5 s")
    if a > 0 and abs(Fs[a - 1] / lev - 1) <= 0.08:
        P.append(f"{tag}: start is not the first entry into +-8 %")
    dev = Fs[a:b] / lev - 1
    if np.any(Fs[a:b] < base[a:b] + CONTACT + 0.5):
        P.append(f"{tag}: contact not clear during hold")
    excs = [(t, d) for t, d in s.truth.exits if ta <= t < tb]
    want = 1 if h.designed_exit else 0
    if len(excs) != want:
        P.append(f"{tag}: {len(excs)} band exits, designed {want}")
    ok = np.ones(b - a, bool)   # where the force must stay within +-6.5 %: cleared by each part below
    P += _check_arrival(tag, h, dev, ok)
    if h.exc:
        P += _check_excursion(tag, h.exc, dev, ok, a)
    if h.fade and h.fade.kind == "exit":
        P += _check_drift_exit(tag, dev, ok)
    if np.any(ok) and np.max(np.abs(dev[ok])) > 0.065:
        worst = np.max(np.abs(dev[ok])) * 100
        P.append(f"{tag}: deviation {worst:.1f} % > 6.5 % outside designed excursions")
    for t, _ in excs:
        if t - ta < 2.5:
            P.append(f"{tag}: band exit {t:.2f} only {t - ta:.2f} s after hold start")
        if tb - t < 2.0:
            P.append(f"{tag}: band exit {t:.2f} only {tb - t:.2f} s before hold end")
    return P


def _check_arrival(tag: str, h: HoldInfo, dev: np.ndarray, ok: np.ndarray) -> list[str]:
    """From the first entry into +-8 % the force settles (within +-4 %) within 1.5 s (an ease: 6 s)
    without leaving +-8 % again; the settling is taken out of ok."""
    settled = np.nonzero(np.abs(dev) <= 0.04)[0]
    lim = 6.0 if h.in_kind == "step-ease" else 1.5
    if not len(settled) or settled[0] * DT > lim:
        return [f"{tag}: arrival does not settle within +-4 % in {lim} s"]
    # overshoot and ringing may last into the first 2 s, but inside +-8 %
    j = settled[0] if h.in_kind == "step-ease" else min(len(dev), max(settled[0], 2000))
    ok[:j] = False
    if np.any(np.abs(dev[:j]) > 0.0801):
        return [f"{tag}: arrival leaves +-8 % again"]
    return []


def _check_excursion(tag: str, e: Excursion, dev: np.ndarray, ok: np.ndarray, a: int) -> list[str]:
    """A dip or burst leaves +-8 % for under 0.9 s (1 s would end the hold) and +-10 % for >= 0.3 s."""
    i0, i1 = int((e.t0 - 0.1) / DT) - a, int((e.t0 + e.W + 0.1) / DT) - a
    ok[max(0, i0):max(0, i1)] = False
    P = [f"{tag}: excursion outside +-8 % for {(r1 - r0) * DT:.2f} s (>= 0.9 s: would end the hold)"
         for r0, r1 in runs(np.abs(dev) > 0.08) if (r1 - r0) * DT >= 0.9]
    o10 = [(r0, r1) for r0, r1 in runs(np.abs(dev) > 0.10) if (r1 - r0) * DT > 0.15]
    if len(o10) == 1 and (o10[0][1] - o10[0][0]) * DT < 0.3:
        out10 = (o10[0][1] - o10[0][0]) * DT
        P.append(f"{tag}: excursion outside +-10 % only {out10:.2f} s (debounce margin)")
    return P


def _check_drift_exit(tag: str, dev: np.ndarray, ok: np.ndarray) -> list[str]:
    """A drift out of the band leaves +-6.5 % for good, slower than 5 %/s (the contract's drift is
    under ~10 %/s); from there on it is taken out of ok."""
    big = np.nonzero(np.abs(dev) > 0.065)[0]
    big = big[ok[big]]
    if not len(big):
        return []
    P = []
    first = big[0]
    if np.any(np.abs(dev[first:]) <= 0.065):
        P.append(f"{tag}: drift exit not monotone")
    ok[first:] = False
    tail = dev[first:len(dev) - 300]
    rate = np.max(np.abs(np.diff(tail))) / DT if len(tail) > 2 else 0
    if rate > 0.05:
        P.append(f"{tag}: drift exit rate {rate * 100:.1f} %/s too fast")
    return P


def _check_steps(s: Session) -> list[str]:
    info = s.truth.info
    P = []
    for j, h in enumerate(info):
        if h.ended_by != "step":
            continue
        if j + 1 >= len(info) or info[j + 1].in_kind != h.out_kind:
            P.append(f"step@{h.i_end * DT:.2f}: no following hold")
            continue
        P += _check_step(s, h, info[j + 1])
    return P


def _check_step(s: Session, h: HoldInfo, h2: HoldInfo) -> list[str]:
    """At least 12 % from the old level and from the force at the onset, in contact, completed (within
    +-5 %) in 2 s if fast, in 2.2-8.5 s and followed by 4 s steady if slow."""
    Fs, base = s.f_smooth, s.base
    L1, L2 = h.level, h2.level
    on = h.i_end
    P = []
    ratio, ratio_now = L2 / L1, L2 / Fs[on]
    up = ratio > 1
    small = min(ratio, ratio_now) < 1.12 if up else max(ratio, ratio_now) > 1 / 1.12
    if small:
        P.append(f"step@{on * DT:.2f}: change too small ({ratio:.3f}, vs force at onset {ratio_now:.3f})")
    seg = Fs[on:h2.i_start]
    if np.any(seg < base[on:h2.i_start] + CONTACT + 0.5) or np.min(seg) < 0.3 * min(L1, L2):
        P.append(f"step@{on * DT:.2f}: contact lost during step")
    dev2 = Fs[on:h2.i_end] / L2 - 1
    comp = int(np.argmax(np.abs(dev2) <= 0.05)) * DT
    if h.out_kind == "step-fast" and comp > 2.0:
        P.append(f"step@{on * DT:.2f}: fast step completes in {comp:.2f} s (> 2 s)")
    if h.out_kind == "step-ease" and not (2.2 <= comp <= 8.5):
        P.append(f"step@{on * DT:.2f}: ease completes in {comp:.2f} s (outside 2.2-8.5 s)")
    if h.out_kind == "step-ease" and (h2.i_end - h2.i_start) * DT < 4.0:
        P.append(f"step@{on * DT:.2f}: ease not followed by >= 4 s steady")
    return P


def _check_release(s: Session, h: HoldInfo) -> list[str]:
    """The force falls below contact (a let-go: below 12 % of the level) within 1 s of the onset and
    stays there 1.5 s; a let-go leaves 3-6 N of resting contact."""
    Fs, base, n = s.f_smooth, s.base, len(s.f_smooth)
    on, lev = h.i_end, h.level
    thr = np.maximum(base + CONTACT - 0.5, 0.12 * lev) if h.out_kind == "release" else np.full(n, 0.12 * lev)
    i1 = min(n, on + 1000)
    below = Fs < thr
    if not below[on:i1].any():
        return [f"release@{on * DT:.2f}: force not below threshold within 1 s"]
    P = []
    k = on + int(np.argmax(below[on:i1]))
    stay = below[k:k + 1500]
    if len(stay) < 1500 or not stay.all():
        P.append(f"release@{on * DT:.2f}: does not stay released for 1.5 s")
    if h.out_kind == "letgo":
        rest = Fs[k:k + 2000]
        if np.any(rest < 3.0 + s.off[k] - 0.5) or np.any(rest > 0.12 * lev):
            P.append(f"release@{on * DT:.2f}: let-go resting contact not 3-6 N / < 12 %")
    return P


def _labelled_events(s: Session) -> list[tuple[float, str]]:
    """Hold starts, steps, releases and band exits on the grid's clock, in time order."""
    ev = [(h.i_start * DT, "hold_start_after_step" if h.in_kind.startswith("step") else "hold_start")
          for h in s.truth.info]
    ev += [(t, "step") for t, _ in s.truth.steps]
    ev += [(t, "release") for t in s.truth.releases]
    ev += [(t, "band_exit") for t, _ in s.truth.exits]
    return sorted(ev)


def _check_spacing(ev: Sequence[tuple[float, str]]) -> list[str]:
    """Labelled events 2 s apart (a step and the hold it leads to aside): each one is matched alone."""
    return [f"events {k1}@{t1:.2f} and {k2}@{t2:.2f} closer than 2 s"
            for (t1, k1), (t2, k2) in itertools.pairwise(ev)
            if not (k1 == "step" and k2 == "hold_start_after_step") and t2 - t1 < 2.0]


def _check_unlabelled(s: Session) -> list[str]:
    """No 1.5 s of contact within +-8 % of one level outside the labelled holds (and eases into them)."""
    dec = 10
    F = s.f_smooth[::dec]
    elig = (s.f_smooth > s.base + CONTACT)[::dec].copy()
    for h in s.truth.info:
        elig[h.i_start // dec:h.i_end // dec + 1] = False
        if h.in_kind == "step-ease":
            elig[h.in_onset // dec:h.i_start // dec + 1] = False
    W = 150
    if len(F) <= W:
        return []
    mx = sliding_window_view(F, W).max(axis=1)
    mn = sliding_window_view(F, W).min(axis=1)
    el = sliding_window_view(elig, W).all(axis=1)
    bad = el & (mn > 0) & (mx <= mn * (1.08 / 0.92))
    if not bad.any():
        return []
    i = int(np.argmax(bad))
    return [f"unlabelled hold-like stretch at {i * dec * DT:.2f} s (level ~{F[i]:.1f} N)"]


def _check_touches(s: Session) -> list[str]:
    """A touch is a contact under 0.9 s (the contract's brief touch: under ~1 s)."""
    Fs, base = s.f_smooth, s.base
    P = []
    for kind, t0, t1, _ in s.sc.extras:
        if kind != "touch":
            continue
        i0, i1 = int(t0 / DT) - 200, int(t1 / DT) + 500
        c = Fs[i0:i1] > base[i0:i1] + CONTACT
        if c.any() and max(r1 - r0 for r0, r1 in runs(c)) * DT >= 0.9:
            P.append(f"touch@{t0:.2f}: contact lasts >= 0.9 s")
    return P


def _check_dropouts(s: Session, ev: Sequence[tuple[float, str]]) -> list[str]:
    """Dropouts of at most 2.5 s (the contract bridges 3 s), 1.5 s clear of labelled events."""
    P = []
    for a, b in s.drops:
        if b - a > 2.5:
            P.append(f"dropout@{a:.2f} longer than 2.5 s")
        near = [t for t, _ in ev if a - 1.5 < t < b + 1.5]
        if near:
            P.append(f"dropout@{a:.2f} within 1.5 s of a labelled event at {near[0]:.2f}")
    return P


# ----------------------------------------------------------------------------- checking a written run
def _check_written(s: Session, name: str, lab: dict[str, Any], t: np.ndarray) -> list[str]:
    """The files against the regenerated session: same name and labels, sane timestamps."""
    P = []
    if s.name != name:
        P.append(f"name mismatch {s.name}")
    if json.dumps(lab, sort_keys=True) != json.dumps(s.labels, sort_keys=True):
        P.append("written labels differ from regenerated labels")
    if np.any(np.diff(t) < 0):
        P.append("timestamps decrease")
    gaps = np.diff(t)
    if np.any(gaps > 2.7):
        P.append(f"sample gap {gaps.max():.2f} s > 2.7 s")
    if not (60 <= t[-1] - t[0] + 0.3 <= 181):
        P.append(f"session length {t[-1] - t[0]:.1f} s")
    return P


def _noisy_warnings(s: Session, t: np.ndarray, f: np.ndarray) -> list[str]:
    """Where the noise (not the labels) might mislead: holds whose 0.3-s running median strays from
    +-8 %, or whose 0.2-s moving average leaves +-10 % for over 0.15 s (an unlabelled band exit)."""
    W = []
    for (h0, h1, lev), hi in zip(s.labels["holds"], s.truth.info, strict=True):
        if hi.designed_exit:
            continue
        m = (t >= h0 + 0.3) & (t < h1 - 0.3)
        if m.sum() < 5:
            continue
        x = f[m]
        step = np.median(np.diff(t[m]))
        k = max(1, int(0.3 / step if step > 0 else 3))
        if len(x) > k:
            x = np.median(sliding_window_view(x, k), axis=1)
        frac = np.mean(np.abs(x / lev - 1) <= 0.08)
        tag = f"{s.name} hold@{h0:.1f} ({lev:.1f} N)"
        if frac < 0.97:
            W.append(f"{tag}: smoothed noisy data within +-8 % only {frac * 100:.0f} %")
        m2 = (t >= h0 + 1.5) & (t < h1)
        if m2.sum() > 5:
            W += _moving_mean_exit(tag, t[m2], f[m2], lev)
    return W


def _moving_mean_exit(tag: str, tt: np.ndarray, ff: np.ndarray, lev: float) -> list[str]:
    cs = np.concatenate([[0], np.cumsum(ff)])
    j0 = np.searchsorted(tt, tt - 0.2)
    ma = (cs[1:] - cs[j0]) / np.maximum(np.arange(1, len(tt) + 1) - j0, 1)
    for r0, r1 in runs(np.abs(ma / lev - 1) > 0.10):
        if tt[min(r1, len(tt) - 1)] - tt[r0] > 0.15:
            return [f"{tag}: 0.2-s mean of noisy data outside +-10 % at {tt[r0]:.2f}"]
    return []


def _tally(stats: dict[str, int], s: Session) -> None:
    """What a session holds, added to the run's counts."""
    lab = s.labels
    stats["holds"] += len(lab["holds"])
    for h in s.truth.info:
        if h.ended_by == "step":
            stats["steps_fast" if h.out_kind == "step-fast" else "steps_slow"] += 1
        elif h.out_kind == "letgo":
            stats["letgo_releases"] += 1
        if h.exc:
            stats["dips" if h.exc.kind == "dip" else "bursts"] += 1
        if h.fade and h.fade.kind == "exit":
            stats["drift_exits"] += 1
        stats["overshoot_arrivals"] += _overshoots(s, h)
    for _, d in lab["steps"]:
        stats[d] += 1
    stats["releases"] += len(lab["releases"])
    stats["band_exits"] += len(lab["band_exits"])
    stats["band_exits_optional"] += len(lab["band_exits_optional"])
    for _, d in lab["band_exits"]:
        stats["exit_" + d] += 1
    stats["touches"] += sum(1 for e in s.sc.extras if e.kind == "touch")
    stats["strokes"] += sum(1 for e in s.sc.extras if e.kind == "stroke")
    stats["dropouts"] += len(s.drops)


def _overshoots(s: Session, h: HoldInfo) -> int:
    """1 if the arrival into h goes past the level by > 5 % of the change before settling."""
    i0 = s.sc.trans[h.k - 1].i
    seg = s.f_smooth[i0:min(h.i_end, h.i_start + 2000)]
    chg = h.level - s.f_smooth[i0]
    return int(chg != 0 and np.max((seg - h.level) * np.sign(chg)) > 0.05 * abs(chg))


def check_run(out: Path, seed: int, band: str = "smooth") -> int:
    """Regenerate every session of a written run and check it; prints counts; 1 if any session fails."""
    stats = dict.fromkeys(["sessions", "holds", "steps_fast", "steps_slow", "up", "down", "releases",
                           "letgo_releases", "band_exits", "exit_high", "exit_low", "band_exits_optional",
                           "dips", "bursts", "drift_exits", "touches", "strokes", "dropouts",
                           "overshoot_arrivals", "redraws", "samples"], 0)
    models: dict[str, dict[str, int]] = {"hands": {}, "sensors": {}, "loads": {}}
    warnings: list[str] = []
    nfail = 0
    for path in sorted(out.glob("*.labels.json")):
        name = path.name[:-len(".labels.json")]
        log: list[Redraw] = []
        s = good_session(int(name[1:4]), seed, log, band=band)
        lab = json.loads(path.read_text(encoding="utf-8"))
        d = np.loadtxt(out / f"{name}.csv", delimiter=",", skiprows=1)
        t, f = d[:, 0], d[:, 1]
        probs = _check_written(s, name, lab, t) + check_session(s)
        if probs:
            nfail += 1
            print(f"FAIL {name}:")
            for p in probs[:10]:
                print("   ", p)
        warnings += _noisy_warnings(s, t, f)
        stats["sessions"] += 1
        stats["redraws"] += len(log)
        stats["samples"] += len(t)
        _tally(stats, s)
        for key, value in (("hands", s.hand_model), ("sensors", s.sensor), ("loads", s.load)):
            models[key][value] = models[key].get(value, 0) + 1
    print("counts:", json.dumps(stats))
    print(" ".join(f"{k}: {v}" for k, v in models.items()))
    print(f"noisy-data warnings: {len(warnings)}")
    for w in warnings[:20]:
        print("   ", w)
    print(f"{stats['sessions'] - nfail}/{stats['sessions']} sessions pass")
    return 1 if nfail else 0


# ----------------------------------------------------------------------------- main
def generate(out: Path, sessions: int, seed: int, band: str = "smooth") -> list[Redraw]:
    """Write sessions 0..sessions-1 of a seed into out; returns the re-drawn attempts."""
    out.mkdir(parents=True, exist_ok=True)
    log: list[Redraw] = []
    for i in range(sessions):
        write_session(good_session(i, seed, log, band=band), out)
    return log


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("out", type=Path, help="folder for NAME.csv and NAME.labels.json")
    ap.add_argument("--sessions", type=int, default=DEFAULT_SESSIONS)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--check", action="store_true",
                    help="regenerate the sessions written in OUT (with --seed) and check files and labels")
    ap.add_argument("--band-labels", choices=BAND_LABELS, default="smooth",
                    help="what band exits are read from: the smooth force (default), or that force with the "
                         "hand's slow wander in it (the robustness matrix's reading); the other labels are "
                         "the same either way")
    a = ap.parse_args(argv)
    if a.check:
        return check_run(a.out, a.seed, a.band_labels)
    log = generate(a.out, a.sessions, a.seed, a.band_labels)
    print(f"wrote {a.sessions} sessions to {a.out} (seed {a.seed}); "
          f"sessions needing a re-draw: {len({i for i, _, _ in log})}")
    for i, att, p in log:
        print(f"  re-draw s{i} attempt {att}: {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
