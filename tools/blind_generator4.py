"""A fourth blind generator of labelled force traces: a patient who breathes, twitches and flinches.

Under the tool, a patient who breathes, twitches and flinches; a therapist who corrects by eye or leans
body weight; and sensors the other generators do not model (ESP32 ADC, 4-5 kHz DAQ, phone app export,
Unix-epoch logger).

Written from the public contract alone by a helper who never saw the detector, nor the other three
generators' code (told only what they model, to do something else): the labels follow the contract's
Definitions (``../shared/CONTRACT.md``) as read here, from a noise-free *label signal*, never from what
a detector reports. Its sessions are scored like labelled real recordings (``score_detection.py
--realdata``); ``eval_detection.py --blind4 SEEDS`` scores groups of its seeds.

Usage::

    python tools/blind_generator4.py OUT --seed S [--sessions 48]   # OUT/bg4_sS_NNN.csv, .labels.json
    python tools/blind_generator4.py OUT --seed S --check           # regenerates and checks OUT
    python tools/score_detection.py --realdata OUT

Exits 0 when done (``--check``: when every session and file passes), 1 when ``--check`` finds a
failure, 2 with one sentence for a bad argument or an OUT that cannot be written or read.

Models
------
* Protocols (``KINDS``): ``nmt`` (2-5 contacts of 1-3 holds of 8-20 s joined by fast steps or slow
  eases, releases fast, slow or onto a resting hand, touches between), ``ischemic`` (ischemic compression:
  holds of 30-90 s, the barrier sometimes followed by a slow ease), ``staircase`` (3-6 barriers up by fast
  steps of 13-60 %, sometimes back down), ``face`` (a thumb on face/neck points, 4-10 N).
* Tools: thumb, knuckle, elbow, T-bar, face thumb; the load and the patient's breathing depth follow it.
* Transitions: a beta-function velocity profile v(u) ~ u^(a-1) (1-u)^(b-1) (press-in, steps, eases,
  releases); fast steps take 0.25-1.2 s; slow eases (4-7.5 s) start briskly and decelerate as the tissue
  stiffens (a 1.0-1.4, b 1.4-2.2).
* Hands: ``screen`` (intermittent control: an Ornstein-Uhlenbeck hand error that the therapist, watching
  the screen, corrects in discrete minimum-jerk nudges of 1-3 % every 0.4-1.2 s past a dead band) and
  ``lean`` (body weight: rocking at 0.5-1 Hz, a slow lean-in creep of 0.5-2.5 %). Both sometimes let the force
  drift out of the band at 3-5 %/s to 14-20 %, stay 0.2-0.8 s and correct it back in 0.4-0.8 s
  (a drift excursion: slow drift by the contract, so the hold goes on and the band exit is required).
* Patient: breathing (irregular breath-by-breath period at 0.15-0.4 Hz, depth 1-3.5 % by tool, inhale
  shorter than exhale, sighs of 1.5x depth and 1.6x length), local twitch responses (5-25 % jerks of
  0.05-0.3 s, in runs of 1-3, from 2.5 s into a hold so that they never blur its start), flinches (a fast
  20-40 % drop, re-pressed so that the force is back within +-8 % in 0.85 s; from 3.5 s into a hold).
* Session length: about 1-6.5 minutes (the 4-5 kHz DAQ files under 170 s, to keep a seed near 100 MB).
* Sensors (``SENSORS``): ``esp32`` (12-bit ADC with the known dead zone near 0 V and compression into
  saturation near the top rail, noise of a few LSB, single-sample spikes, millis() stamps; N or kgf),
  ``daq5k`` (4-5 kHz, 24-bit, mains hum; N or lbf), ``phone`` (a BLE gauge through an app export at
  irregular 30-60 Hz with duplicated rows, BLE dropouts of 0.4-2.5 s, clipping at the gauge's range, a
  ``time_ms`` column; g or kg), ``epoch`` (a logger stamping Unix epoch
  seconds with millisecond resolution, tared under load so rests read slightly negative, thermal zero drift
  of 0.5-3 N over the session; lb or lbf). Each has a delay (filter group delay plus transmission) and a
  clock skew; labels are on the recording's clock with the delay included.

Label signal and nuisance
-------------------------
The label signal is what a perfect, noise-free reading of the sensor would show: the hand's intended force
(levels, transitions, nudges, rocking, creep, drift excursions) times (1 + breathing) times the flinch
factor, plus the sensor's zero offset (tare under load, thermal drift), through the sensor's static
transfer (the ESP32's rail nonlinearity, clipping at the range), in the file's unit. Nuisance, excluded
from it: twitches, motor noise, sensor noise, mains hum, quantisation, spikes, dropouts, duplicated rows,
the irregular sampling.

Label rules
-----------
* hold: from the arrival (the hand's trajectory within 4 % of the new level) to the onset of the next
  transition (or the end of the data); level = median of the label signal over the hold's first 4 s.
* step: between two holds of one contact; ``t`` = onset of the transition, direction from the levels.
* release: ``t`` = onset of the drop at the end of a contact's last hold (fast, slow, or onto a resting
  hand below 8 % of the level).
* band_exits: the contract's rule on the label signal, from hold start + 1.5 s to the hold's end:
  outside level * (1 +- 0.10) for 0.15 s makes an exit (labelled at the start of that outside run), back
  inside for 0.5 s ends the excursion.
  By design the required exits come from flinches (low) and drift excursions (high or low).
* band_exits_optional: where a slow ease leaves the old hold's band (its crossings of 8, 10 and 12 % of
  the old level: where the edge lies depends on the level a reader measured), and exits that twitches
  (nuisance) would cause under any of the rule's variants.

Rejection (the draw is redrawn with the next attempt seed)
---------------------------------------------------------
* holds under 2.5 s (5 s after a slow ease); a hold's level under 3.5 N or its label signal under 3 N
  (near the contact threshold);
* a level that is not settled: the 1.5-s median more than 4 % from the 4-s median;
* a hold leaving +-7 % of its level anywhere outside its designed excursion
  (breathing, nudges, rocking and creep must not graze the +-10 % band nor look like a step), more than
  20 % of it outside +-8 %, or its mean more than 5 % off its level;
* steps under 13 %; fast transitions not arrived (4 %) within 1.4 s, slow eases outside 2.8-7.5 s;
  an arrival tail (8 % -> 1.5 %) over 2 s, or a label signal already within +-8 % 1.3 s before the
  labelled start;
* an onset that has not moved the force by 3 % of the level within 0.6 s (fast) or 0.9 s (slow);
* band exits that differ between the rule's variants (level +-3 %, debounce 0.10/0.15/0.25 s, an 80-ms
  moving average) in count, direction or by more than 0.35 s; a designed excursion without exactly one
  exit, an undesigned exit, an exit within 1.5 s of the hold's end, a drift excursion ending within 3 s of
  it; a flinch not back within +-8 % in 0.85 s;
* a release that does not fall below 10 % of its level within 3 s or does not stay below 12 % for 1.5 s;
* touches over 0.8 s above the contact threshold; dropouts within 1.5 s of a labelled time (by
  construction).

Checker (``--check``)
---------------------
Regenerates each session, compares both files byte for byte, and reads the labels (the regenerated ones,
and those on disk where they differ) against the label signal with a second reader's looser tolerances,
written apart from the generator's rules: holds of at least 2 s whose median is the level within 4 %,
mostly within +-8 %, in contact and not starting more than 1.5 s late; a step (>= 11 %, right direction)
between every two holds not separated by a fall below 15 %, and nothing else; a release at every hold end
followed by such a fall (within 0.3 s of the end); band exits by a sample-by-sample monitor (every exit
labelled, required or optional, every required one found, within 0.5 s); no unlabelled stretch of 2.5 s
within +-7 % of its median in contact outside the labelled holds and steps.

Limits: the level of a breathing hold is only defined to about +-3 % (the 4-s median is labelled); an onset
is the start of the hand's movement, which a detector may place up to a few tenths of a second later; a
twitch's exit is only optional although a long strong twitch does meet the band rule (the label signal
treats twitches as nuisance).
"""

from __future__ import annotations

import io
import itertools
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from tool_args import UsageError, generator_main

Arr = NDArray[np.float64]

DT = 0.001                    # the label grid (sim time), s
CONTACT_N = 2.0               # the contract's contact threshold, N
KINDS = ("nmt", "ischemic", "staircase", "face")
SENSORS = ("esp32", "daq5k", "phone", "epoch")
UNITS_FOR = {"esp32": ("N", "kgf"), "daq5k": ("N", "lbf"), "phone": ("g", "kg"), "epoch": ("lb", "lbf")}
UNIT_PER_N = {"N": 1.0, "kg": 1 / 9.80665, "kgf": 1 / 9.80665, "g": 1000 / 9.80665,
              "lb": 1 / 4.4482216152605, "lbf": 1 / 4.4482216152605}
TOOLS = {"thumb": (12.0, 60.0), "knuckle": (30.0, 120.0), "elbow": (80.0, 400.0), "tbar": (100.0, 500.0),
         "face": (4.0, 10.0)}
BREATH_DEPTH = {"thumb": (0.010, 0.020), "knuckle": (0.012, 0.025), "elbow": (0.020, 0.035),
                "tbar": (0.020, 0.035), "face": (0.010, 0.018)}
MAX_ATTEMPTS = 400
# The models a seed's sessions show (``Session.models``; the tests check a few sessions cover them).
CLAIMED = ("breathing", "sigh", "twitch", "flinch", "drift_exit", "hand:screen", "hand:lean",
           "tare_under_load", "thermal_drift", "rail_compression", "dead_zone", "clipping", "dropout",
           "duplicates", "spike", "hum", "entry:fast", "entry:slow", "exit:rel_fast", "exit:rel_slow",
           "exit:rel_rest", "exit:eod", "step_down", "touch", "required_exit", "optional_exit", "ease_exit")


class Rejected(Exception):
    """A draw whose labels could be read two ways; the session is redrawn with the next attempt."""


# ----------------------------------------------------------------------------------------------- shapes

def beta_progress(n: int, a: float, b: float) -> Arr:
    """Progress 0 -> 1 over n samples with velocity ~ u^(a-1) (1-u)^(b-1) (a beta-function profile)."""
    n = max(n, 1)
    u = (np.arange(n) + 0.5) / n
    v = u ** (a - 1.0) * (1.0 - u) ** (b - 1.0)
    p = np.cumsum(v)
    return np.asarray(p / p[-1], dtype=np.float64)


def minjerk(n: int) -> Arr:
    u = (np.arange(n) + 1.0) / max(n, 1)
    return np.asarray(10 * u**3 - 15 * u**4 + 6 * u**5, dtype=np.float64)


def idx(t: float) -> int:
    return round(t / DT)


# ------------------------------------------------------------------------------------------------- plan

@dataclass
class HoldPlan:
    t_on: float            # onset of the transition into this hold (sim s)
    t_start: float         # arrival: hold start
    t_end: float           # onset of the next transition
    intent: float          # the hand's intended level, N
    entry: str             # press | fast | slow
    trans: float = 0.0     # the planned duration of the transition into it, s
    exit: str = ""         # fast | slow | rel_fast | rel_slow | rel_rest | eod
    level: float = 0.0     # label level in N (label signal, before the unit)
    drift: tuple[float, float, float, float, float] | None = None  # onset, sign, peak, rate, end
    flinch: tuple[float, float, float] | None = None  # onset, depth, end
    twitches: list[tuple[float, float, float]] = field(default_factory=list)  # onset, amp, dur


@dataclass
class Sensor:
    kind: str
    unit: str
    tcol: str
    fcol: str
    desc: str
    delay: float
    t0: float
    skew: float

    def rec(self, t_sim: Arr | float) -> Arr:
        """Sim time -> the recording's clock (delay included)."""
        return np.asarray(self.t0 + (np.asarray(t_sim) + self.delay) * (1.0 + self.skew), dtype=np.float64)


@dataclass
class Session:
    seed: int
    index: int
    attempt: int
    kind: str
    tool: str
    hand: str
    sensor: Sensor
    holds: list[HoldPlan]
    labels: dict[str, object]
    csv: bytes
    t_lab: Arr           # the label grid on the recording's clock
    s_lab: Arr           # the label signal in the file's unit
    thr: float           # the contact threshold in the file's unit
    models: set[str]
    gaps: list[tuple[float, float]]   # dropouts, recording clock


def session_name(seed: int, index: int) -> str:
    return f"bg4_s{seed}_{index:03d}"


# ------------------------------------------------------------------------------------------- the draw

Episode = tuple[float, float, float]


def _plan(rng: np.random.Generator, kind: str, tool: str,
          short: bool) -> tuple[list[HoldPlan], list[Episode], list[Episode], float]:
    """The contacts: holds (with their transitions), touches and resting phases. Returns the holds,
    touches (onset, peak N, duration), resting hands (onset, level N, duration) and the session length."""
    lo, hi = TOOLS[tool]
    holds: list[HoldPlan] = []
    touches: list[Episode] = []
    rests: list[Episode] = []
    t = float(rng.uniform(1.5, 4.0))
    # sessions of about 2-6 minutes (a 4-5 kHz DAQ file: up to about 2.5 minutes)
    if kind == "nmt":
        n_contacts = int(rng.integers(4, 9))
    elif kind == "ischemic" or kind == "staircase":
        n_contacts = int(rng.integers(2, 5))
    else:
        n_contacts = int(rng.integers(6, 13))
    if short:
        n_contacts = min(n_contacts, 3 if kind != "ischemic" else 2)
    for c in range(n_contacts):
        # Touches in the rest before a contact (never a hold: under 0.6 s).
        if c > 0 or rng.random() < 0.4:
            for _ in range(int(rng.integers(0, 3))):
                dur = float(rng.uniform(0.2, 0.6))
                peak = float(rng.uniform(4.0, 8.0) if tool == "face" else rng.uniform(5.0, 30.0))
                touches.append((t, peak, dur))
                t += dur + float(rng.uniform(1.8, 3.5))
        level = float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
        if kind == "staircase":
            level = float(rng.uniform(lo, lo + 0.35 * (hi - lo)))
            n_h = int(rng.integers(3, 7))
        elif kind == "ischemic" or kind == "face":
            n_h = int(rng.integers(1, 3))
        else:
            n_h = int(rng.integers(1, 4))
        entry = "press"
        t_on = t
        down_leg = kind == "staircase" and rng.random() < 0.5
        for h in range(n_h):
            if kind == "ischemic":
                dur = float(rng.uniform(30.0, 90.0) if h == 0 else rng.uniform(10.0, 30.0))
                if short:
                    dur = min(dur, 35.0)
            elif kind == "staircase":
                dur = float(rng.uniform(5.0, 12.0))
            elif kind == "face":
                dur = float(rng.uniform(4.0, 10.0))
            else:
                dur = float(rng.uniform(8.0, 20.0))
            if entry == "slow":
                trans = float(rng.uniform(4.0, 7.5))
                dur = max(dur, 6.0)
            elif entry == "fast":
                trans = float(rng.uniform(0.25, 1.2))
            else:
                trans = float(rng.uniform(0.3, 1.3))
            t_start = t_on + trans
            holds.append(HoldPlan(t_on=t_on, t_start=t_start, t_end=t_start + dur, intent=level, entry=entry,
                                  trans=trans))
            if h == n_h - 1:
                break
            # The next barrier: up mostly; a staircase climbs then may come back down.
            if kind == "staircase":
                going_down = down_leg and h >= n_h // 2 + 1
                ratio = float(rng.uniform(0.62, 0.86) if going_down else rng.uniform(1.14, 1.6))
            elif rng.random() < 0.75:
                ratio = float(rng.uniform(1.15, 1.6))
            else:
                ratio = float(rng.uniform(0.6, 0.86))
            # a barrier below the tool's lightest load is taken upwards instead
            if level * ratio < lo:
                ratio = 1.0 / ratio
            new = float(min(level * ratio, hi * 1.25))
            if abs(new / level - 1) < 0.14:
                new = level * (1.2 if ratio > 1 else 0.8)
            slow = kind in ("nmt", "ischemic") and rng.random() < 0.45
            holds[-1].exit = "slow" if slow else "fast"
            t_on = holds[-1].t_end
            entry = "slow" if slow else "fast"
            level = new
        # The end of the contact.
        r = rng.random()
        last = holds[-1]
        if tool != "face" and r < 0.25:
            last.exit = "rel_rest"
        elif r < 0.55:
            last.exit = "rel_slow"
        else:
            last.exit = "rel_fast"
        t = last.t_end + 3.0
        if last.exit == "rel_rest":
            rest_level = float(rng.uniform(0.03, 0.075)) * last.intent
            rest_dur = float(rng.uniform(2.5, 6.0))
            rests.append((last.t_end, rest_level, rest_dur))
            t = last.t_end + 2.5 + rest_dur
        t += float(rng.uniform(2.5, 10.0))
    end = t + float(rng.uniform(0.5, 2.0))
    # Now and then the data end inside the last hold (nothing after it is labelled).
    if rng.random() < 0.12 and holds[-1].t_end - holds[-1].t_start > 6.0:
        holds[-1].t_end = holds[-1].t_start + (holds[-1].t_end - holds[-1].t_start) * 0.7
        holds[-1].exit = "eod"
        end = holds[-1].t_end
        rests = [r for r in rests if r[0] < end]
    return holds, touches, rests, end


def _intent(rng: np.random.Generator, holds: list[HoldPlan], rests: list[tuple[float, float, float]],
            touches: list[tuple[float, float, float]], n: int) -> tuple[Arr, dict[int, tuple[float, float]]]:
    """The hand's intended force on the grid (levels and beta-profile transitions); returns it and, per
    transition into hold i, its (a, b) shape for the notes."""
    f = np.zeros(n)
    shapes: dict[int, tuple[float, float]] = {}
    for i, h in enumerate(holds):
        i_on, i_st = idx(h.t_on), idx(h.t_start)
        prev = holds[i - 1].intent if h.entry in ("fast", "slow") else 0.0
        if h.entry == "slow":
            # an ease starts briskly and decelerates as the tissue stiffens
            a, b = float(rng.uniform(1.0, 1.4)), float(rng.uniform(1.4, 2.2))
        elif h.entry == "fast":
            a, b = float(rng.uniform(1.6, 2.6)), float(rng.uniform(1.6, 3.0))
        else:
            a, b = float(rng.uniform(1.5, 2.5)), float(rng.uniform(1.5, 3.0))
        shapes[i] = (a, b)
        m = idx(h.trans)
        p = beta_progress(m, a, b)
        f[i_on:i_on + m] = prev + (h.intent - prev) * p[: max(0, min(m, n - i_on))]
        # the arrival: the trajectory within 4 % of the new level
        close = np.nonzero(np.abs(prev + (h.intent - prev) * p - h.intent) <= 0.04 * h.intent)[0]
        arrive = h.t_on + (close[0] if close.size else m) * DT
        h.t_start = arrive
        i_st = idx(h.t_on) + m
        i_end = n if h.exit == "eod" else min(idx(h.t_end), n)
        f[i_st:i_end] = h.intent
        if h.exit.startswith("rel"):
            if h.exit == "rel_fast":
                a2, b2 = float(rng.uniform(1.5, 2.2)), float(rng.uniform(1.5, 2.5))
                d2 = float(rng.uniform(0.12, 0.6))
            else:
                a2, b2 = float(rng.uniform(1.1, 1.5)), float(rng.uniform(1.5, 2.5))
                d2 = float(rng.uniform(1.0, 2.5))
            to = 0.0
            rest = [r for r in rests if abs(r[0] - h.t_end) < 1e-9]
            if rest:
                to = rest[0][1]
            m2 = idx(d2)
            q = beta_progress(m2, a2, b2)
            seg = h.intent + (to - h.intent) * q
            j = idx(h.t_end)
            k = min(n, j + m2)
            f[j:k] = seg[: k - j]
            if rest:
                r_end = min(n, j + m2 + idx(rest[0][2]))
                f[j + m2:r_end] = to
                m3 = idx(0.35)
                lift = to * (1 - beta_progress(m3, 2.0, 2.0))
                k3 = min(n, r_end + m3)
                f[r_end:k3] = lift[: k3 - r_end]
    for t0, peak, dur in touches:
        m = idx(dur)
        u = (np.arange(m) + 0.5) / m
        j = idx(t0)
        k = min(n, j + m)
        f[j:k] += (peak * np.sin(np.pi * u) ** 2)[: k - j]
    return f, shapes


def _breathing(rng: np.random.Generator, n: int, depth: float, fb: float) -> tuple[Arr, int]:
    """The patient's breathing as a relative modulation: breath by breath, irregular period and depth,
    inhale shorter than exhale, now and then a sigh. Returns it and the number of sighs."""
    out = np.zeros(n)
    i = 0
    sighs = 0
    t_len = n * DT
    phase_t = float(rng.uniform(0, 1.0 / fb))
    i = -idx(phase_t)
    while i < n:
        period = float(np.clip(rng.normal(1.0 / fb, 0.18 / fb), 1.0 / 0.42, 1.0 / 0.14))
        d = depth * float(rng.uniform(0.8, 1.2))
        if rng.random() < 0.06 and t_len > 30:
            period *= 1.6
            d = min(depth * 1.5, 0.045)
            sighs += 1
        m = idx(period)
        rho = float(rng.uniform(0.35, 0.45))
        u = (np.arange(m) + 0.5) / m
        w = np.where(u < rho, 0.5 * (1 - np.cos(np.pi * u / rho)),
                     0.5 * (1 + np.cos(np.pi * (u - rho) / (1 - rho))))
        seg = d * (w - w.mean()) / 0.5
        j0, j1 = max(i, 0), min(i + m, n)
        if j1 > j0:
            out[j0:j1] = seg[j0 - i:j1 - i]
        i += m
    return out, sighs


def _ou(rng: np.random.Generator, n: int, sigma: float, tau: float, step: float = 0.01) -> Arr:
    """An Ornstein-Uhlenbeck process on a coarse grid, interpolated onto the label grid."""
    m = int(n * DT / step) + 2
    x = np.zeros(m)
    a = np.exp(-step / tau)
    e = rng.normal(0, sigma * np.sqrt(1 - a * a), m)
    for k in range(1, m):
        x[k] = a * x[k - 1] + e[k]
    return np.asarray(np.interp(np.arange(n) * DT, np.arange(m) * step, x), dtype=np.float64)


def _hand_wobble(rng: np.random.Generator, hand: str, h: HoldPlan, n_total: int) -> tuple[int, Arr, int]:
    """The hand's relative wobble inside one hold, tapered to 0 at both ends so transitions stay clean.
    Returns (start index, wobble, nudges)."""
    j0, j1 = idx(h.t_start), min(idx(h.t_end), n_total)
    n = max(j1 - j0, 1)
    nudges = 0
    if hand == "screen":
        err = _ou(rng, n, float(rng.uniform(0.006, 0.014)), float(rng.uniform(1.5, 4.0)))
        corr = np.zeros(n)
        dead = float(rng.uniform(0.008, 0.015))
        gain = float(rng.uniform(0.5, 0.9))
        t = float(rng.uniform(0.4, 1.2))
        while idx(t) < n:
            k = idx(t)
            e = err[k] + corr[k]
            if abs(e) > dead:
                size = -float(np.sign(e)) * float(np.clip(gain * abs(e), 0.01, 0.03))
                m = idx(float(rng.uniform(0.15, 0.3)))
                ramp = size * minjerk(m)
                k2 = min(n, k + m)
                corr[k:k2] += ramp[: k2 - k]
                corr[k2:] += size
                nudges += 1
            t += float(rng.uniform(0.4, 1.2))
        w = err + corr
    else:
        fr = float(rng.uniform(0.5, 1.0))
        tt = np.arange(n) * DT
        ph = 2 * np.pi * fr * tt + 0.6 * np.sin(2 * np.pi * 0.07 * tt) + float(rng.uniform(0, 6.28))
        rock = float(rng.uniform(0.003, 0.009)) * np.sin(ph)
        creep = float(rng.choice([-1.0, 1.0])) * float(rng.uniform(0.005, 0.025)) * (
            1 - np.exp(-tt / float(rng.uniform(4.0, 15.0))))
        w = rock + creep + _ou(rng, n, 0.004, 2.0)
    taper = np.ones(n)
    m = min(idx(0.3), n // 2)
    if m > 0:
        taper[:m] = minjerk(m)
        taper[n - m:] = minjerk(m)[::-1]
    return j0, w * taper, nudges


# ------------------------------------------------------------------------------------------- sensors

def _esp32_code(v: Arr) -> Arr:
    """The ESP32 ADC's static curve (12 bits, 11 dB attenuation): dead below ~0.1 V (reads 0), linear in
    the middle, bending over above ~2.6 V into saturation at 4095 (tanh, the slope continuous at the knee)."""
    lin = (v - 0.10) / 3.0 * 4095.0
    knee = (2.6 - 0.10) / 3.0 * 4095.0
    over = np.maximum(v - 2.6, 0.0)
    room = 4095.0 - knee
    comp = knee + room * np.tanh(over * 4095.0 / 3.0 / room)
    code = np.where(v > 2.6, comp, lin)
    return np.asarray(np.clip(code, 0.0, 4095.0), dtype=np.float64)


@dataclass
class Channel:
    """A sensor's static transfer N -> N (the label signal passes through it) and its parameters."""
    kind: str
    v0: float = 0.0
    k: float = 0.0          # V per N (esp32)
    rng_n: float = 1e9      # clipping range, N

    def static(self, f: Arr) -> Arr:
        if self.kind == "esp32":
            code = _esp32_code(self.v0 + self.k * f)
            slope = self.k / 3.0 * 4095.0
            c0 = (self.v0 - 0.10) / 3.0 * 4095.0
            return np.asarray((code - c0) / slope, dtype=np.float64)
        return np.asarray(np.clip(f, -self.rng_n, self.rng_n), dtype=np.float64)


def _rows(fmt: str, *cols: NDArray[np.generic]) -> str:
    """CSV rows, one ``fmt`` per row, in a single formatting pass (numpy's savetxt is 5x slower on the
    4-5 kHz files and writes the same text)."""
    flat = np.column_stack(cols).ravel().tolist()
    return ((fmt + "\n") * len(cols[0])) % tuple(flat)


def _fmt(x: float, unit: str) -> float:
    return float(f"{x:.5g}") if unit == "g" else round(x, 4)


# ------------------------------------------------------------------------------------------ the rules

def band_exits(t: Arr, s: Arr, level: float, tol: float = 0.10, debounce: float = 0.15,
               enter: float = 0.5) -> list[tuple[float, str]]:
    """The contract's band rule over one watched window: outside for ``debounce`` makes an exit (at the
    start of that outside run); back inside for ``enter`` ends the excursion."""
    if t.size < 2:
        return []
    rel = s / level - 1.0
    state = np.where(rel > tol, 1, np.where(rel < -tol, -1, 0))
    cut = np.nonzero(np.diff(state))[0] + 1
    starts = np.concatenate(([0], cut))
    ends = np.concatenate((cut, [t.size]))
    out: list[tuple[float, str]] = []
    inside = True
    dt_last = float(t[-1] - t[-2])
    for a, b in zip(starts, ends, strict=True):
        dur = float(t[b - 1] - t[a]) + dt_last
        st = int(state[a])
        if inside and st != 0 and dur >= debounce:
            out.append((float(t[a]), "high" if st > 0 else "low"))
            inside = False
        elif not inside and st == 0 and dur >= enter:
            inside = True
    return out


def _smooth(s: Arr, width: int) -> Arr:
    k = np.ones(width) / width
    pad = np.concatenate((np.full(width, s[0]), s, np.full(width, s[-1])))
    return np.asarray(np.convolve(pad, k, mode="same")[width:-width], dtype=np.float64)


def _exits_variants(t: Arr, s: Arr, windows: list[tuple[int, int, float]]) -> list[list[tuple[float, str]]]:
    """Exits over all watched windows for the nominal rule (first) and its variants."""
    sm = _smooth(s, idx(0.08))
    res: list[list[tuple[float, str]]] = []
    for sig in (s, sm):
        for lf in (1.0, 0.97, 1.03):
            for db in (0.15, 0.10, 0.25):
                ex: list[tuple[float, str]] = []
                for j0, j1, lev in windows:
                    ex += band_exits(t[j0:j1], sig[j0:j1], lev * lf, debounce=db)
                res.append(ex)
    return res


def _same(a: list[tuple[float, str]], b: list[tuple[float, str]], tol: float) -> bool:
    return len(a) == len(b) and all(x[1] == y[1] and abs(x[0] - y[0]) <= tol
                                    for x, y in zip(a, b, strict=True))


# ------------------------------------------------------------------------------------------- a session

def make_session(seed: int, index: int) -> Session:
    """Session ``index`` of ``seed``: the first draw that passes every rejection rule."""
    for attempt in range(MAX_ATTEMPTS):
        rng = np.random.default_rng([seed, index, attempt])
        try:
            return _draw(rng, seed, index, attempt)
        except Rejected:
            continue
    raise RuntimeError(f"session {index} of seed {seed}: no acceptable draw in {MAX_ATTEMPTS} attempts")


def _draw(rng: np.random.Generator, seed: int, index: int, attempt: int) -> Session:
    # The session's identity (protocol, sensor, unit, tool, hand) comes from (seed, index) alone, so that
    # redrawing a rejected attempt cannot bias the mix towards the easy kinds. Every protocol and sensor
    # appears within the first eight sessions; then they are drawn freely.
    ident = np.random.default_rng([seed, index])
    kind = KINDS[index % len(KINDS)] if index < 8 else str(ident.choice(KINDS))
    sensor_kind = SENSORS[(index // 4 + index) % len(SENSORS)] if index < 8 else str(ident.choice(SENSORS))
    unit = UNITS_FOR[sensor_kind][index // 4 % 2] if index < 8 else str(ident.choice(UNITS_FOR[sensor_kind]))
    tool = "face" if kind == "face" else str(ident.choice(["thumb", "knuckle", "elbow", "tbar"]))
    hand = str(ident.choice(["screen", "lean"]))
    models: set[str] = {f"kind:{kind}", f"sensor:{sensor_kind}", f"hand:{hand}", f"tool:{tool}",
                        f"unit:{unit}"}
    short = sensor_kind == "daq5k"      # 4-5 kHz files stay under ~2.5 min
    holds, touches, rests, t_len = _plan(rng, kind, tool, short)
    if short and t_len > 170:
        raise Rejected("too long for the DAQ")
    n = idx(t_len) + 1
    tg: Arr = np.asarray(np.arange(n) * DT, dtype=np.float64)
    intent, shapes = _intent(rng, holds, rests, touches, n)

    # --- the hand's wobble, designed drift excursions and flinches inside the holds
    wob = np.zeros(n)
    drift = np.zeros(n)
    flinch = np.ones(n)
    nudges = 0
    for h in holds:
        j0, w, nn = _hand_wobble(rng, hand, h, n)
        wob[j0:j0 + w.size] += w
        nudges += nn
        dur = h.t_end - h.t_start
        drifting = dur >= 16.0 and rng.random() < 0.6
        if drifting:
            sign = float(rng.choice([-1.0, 1.0]))
            peak = float(rng.uniform(0.14, 0.20))
            # an average 3-5 %/s (under 7 %/s at its fastest): the contract's slow drift, not a departure
            rate = float(rng.uniform(0.03, 0.05))
            back = float(rng.uniform(0.4, 0.8))
            dwell = float(rng.uniform(0.2, 0.8))
            # a hold stays mostly near its level: the excursion's time past 8 % under a sixth of the hold
            drifting = dur >= 6.0 * ((peak - 0.08) / rate + dwell + back) and dur >= peak / rate + 10.0
        if drifting:
            t_d = h.t_start + float(rng.uniform(4.0, dur - peak / rate - dwell - back - 4.0))
            m1 = idx(peak / rate)
            h.drift = (t_d, sign, peak, rate, t_d + peak / rate + dwell + back)
            ramp = sign * peak * beta_progress(m1, 1.3, 1.3)
            m2 = idx(dwell)
            m3 = idx(back)
            seg = np.concatenate((ramp, np.full(m2, sign * peak), sign * peak * (1 - minjerk(m3))))
            k = idx(t_d)
            drift[k:k + seg.size] += seg[: max(0, min(seg.size, n - k))]
            models.add("drift_exit")
        elif dur >= 8.0 and rng.random() < 0.2:
            t_f = h.t_start + float(rng.uniform(3.5, dur - 3.5))
            f_depth = float(rng.uniform(0.2, 0.4))
            fall, dwell = float(rng.uniform(0.06, 0.15)), float(rng.uniform(0.1, 0.3))
            rep = float(rng.uniform(0.2, 0.4))
            h.flinch = (t_f, f_depth, t_f + fall + dwell + rep)
            seg = np.concatenate((1 - f_depth * minjerk(idx(fall)), np.full(idx(dwell), 1 - f_depth),
                                  1 - f_depth * (1 - minjerk(idx(rep)))))
            k = idx(t_f)
            flinch[k:k + seg.size] = seg[: max(0, min(seg.size, n - k))]
            models.add("flinch")
        if dur >= 6.0 and rng.random() < 0.45 and h.drift is None:
            t_w = h.t_start + float(rng.uniform(2.5, dur - 2.0))
            for _ in range(int(rng.integers(1, 4))):
                if t_w > h.t_end - 1.5:
                    break
                h.twitches.append((t_w, float(rng.uniform(0.05, 0.25)), float(rng.uniform(0.05, 0.3))))
                t_w += float(rng.uniform(0.3, 0.7))
            models.add("twitch")
    depth = float(rng.uniform(*BREATH_DEPTH[tool]))
    fb = float(rng.uniform(0.17, 0.35))
    breath, sighs = _breathing(rng, n, depth, fb)
    models.add("breathing")
    if sighs:
        models.add("sigh")
    true_f = intent * (1 + wob) * (1 + drift) * (1 + breath) * flinch

    # --- the sensor
    delay = 0.0
    tare = 0.0
    thermal = np.zeros(n)
    max_f = float(true_f.max())
    if sensor_kind == "esp32":
        v_max = float(rng.uniform(2.0, 3.2))
        # The bridge amplifier's zero sits at v0; below 0.1 V the ADC reads 0, so with a low v0 a rest
        # reads a small positive constant (the dead zone, kept under 0.8 N).
        k_v = (v_max - 0.3) / max_f
        v0 = float(rng.uniform(0.02, 0.1)) if rng.random() < 0.4 else float(rng.uniform(0.22, 0.4))
        v0 = max(v0, 0.1 - 0.8 * k_v)
        chan = Channel("esp32", v0=v0, k=k_v)
        if v0 < 0.1:
            models.add("dead_zone")
        delay = float(rng.uniform(0.005, 0.03))
        t0 = float(rng.uniform(1.0, 600.0))
        tcol = "t_s"
        desc = f"ESP32 12-bit ADC at {v_max:.2f} V full load, offset {v0:.2f} V"
        if v0 + k_v * max_f > 2.75:
            models.add("rail_compression")
    elif sensor_kind == "daq5k":
        cap = max_f * float(rng.uniform(1.6, 3.0))
        chan = Channel("daq5k", rng_n=cap)
        delay = float(rng.uniform(0.001, 0.004))
        t0 = 0.0
        tcol = "Time (s)"
        desc = f"DAQ 24-bit, range {cap:.0f} N"
    elif sensor_kind == "phone":
        cap_kg = float(rng.choice([20.0, 50.0, 100.0, 200.0]))
        cap = cap_kg * 9.80665
        if rng.random() < 0.3:
            cap = max_f * float(rng.uniform(0.92, 0.99))   # a gauge at the end of its range: peaks clip
        elif cap < max_f * 1.3:
            cap = max_f * float(rng.uniform(1.3, 2.0))
        chan = Channel("phone", rng_n=cap)
        if cap < max_f:
            models.add("clipping")
        delay = float(rng.uniform(0.06, 0.15))
        t0 = float(rng.choice([0.0, float(rng.uniform(1.0, 60.0))]))
        tcol = "time_ms"
        desc = f"BLE gauge via phone app, range {cap / 9.80665:.0f} kg"
    else:
        cap = max_f * float(rng.uniform(1.5, 3.0))
        chan = Channel("epoch", rng_n=cap)
        delay = float(rng.uniform(0.02, 0.05))
        t0 = round(float(rng.uniform(1.69e9, 1.76e9)), 3)
        tcol = "epoch_s"
        desc = f"epoch-stamped logger, range {cap:.0f} N"
        tare = -float(rng.uniform(0.3, 1.5))
        models.add("tare_under_load")
    min_level = min(h.intent for h in holds)
    if sensor_kind in ("epoch", "daq5k") and min_level >= 30.0:
        total = float(rng.choice([-1.0, 1.0])) * float(rng.uniform(0.5, 3.0))
        # a rest must not read above 1 N (it would look like contact at the 2-N threshold with noise)
        total = min(total, 1.0 - tare)
        thermal = total * (1 - np.exp(-tg / (t_len * 0.6))) / (1 - np.exp(-1 / 0.6))
        models.add("thermal_drift")
    fcol = {"N": "force_n", "kgf": "force_kgf", "kg": "force_kg", "g": "force_g", "lb": "load_lb",
            "lbf": "Force (lbf)" if sensor_kind == "daq5k" else "load_lbf"}[unit]
    if sensor_kind == "daq5k" and unit == "N":
        fcol = "Force (N)"
    skew = float(rng.uniform(-80e-6, 80e-6)) if sensor_kind != "daq5k" else 0.0
    sensor = Sensor(sensor_kind, unit, tcol, fcol, desc, delay, t0, skew)

    reading_clean = chan.static(true_f + tare + thermal)    # the label signal, N
    # --- levels and rejection on the label signal (sim time, N)
    s = reading_clean
    for i, h in enumerate(holds):
        j0, j1 = idx(h.t_start), min(idx(h.t_end), n)
        dur = h.t_end - h.t_start
        if dur < (5.0 if h.entry == "slow" else 2.5):
            raise Rejected("hold too short")
        j3 = min(j1, j0 + idx(4.0))
        h.level = float(np.median(s[j0:j3]))
        m15 = float(np.median(s[j0:min(j1, j0 + idx(1.5))]))
        if abs(m15 / h.level - 1) > 0.04:
            raise Rejected("level unsettled")
        if h.level < 3.5:
            raise Rejected("level too light")
        rel = np.abs(s[j0:j1] / h.level - 1)
        mask = np.ones(j1 - j0, dtype=bool)
        for ev in (h.drift, h.flinch):
            if ev is not None:
                mask[max(0, idx(ev[0]) - j0 - 10):idx(ev[-1]) - j0 + idx(0.3)] = False
        if rel[mask].max() > 0.07:
            raise Rejected("hold wobbles too much")
        if float(np.mean(rel <= 0.08)) < 0.8:
            raise Rejected("hold too long outside +-8 %")
        # the arrival must be clear: the force was not already near the level 1.3 s before it
        pre = s[max(0, j0 - idx(1.3)):j0]
        if pre.size and np.all(np.abs(pre / h.level - 1) <= 0.08):
            raise Rejected("arrival not clear")
        if abs(float(np.mean(s[j0:j1])) / h.level - 1) > 0.05:
            raise Rejected("hold mean off its level")
        if h.flinch is not None:
            # back within +-8 % well inside the contract's 1 s, counted from the flinch's onset
            f0 = idx(h.flinch[0])
            win = np.abs(s[f0:f0 + idx(1.5)] / h.level - 1)
            deepest = int(np.argmax(win))
            ret = np.nonzero(win[deepest:] <= 0.08)[0]
            if not ret.size or (deepest + int(ret[0])) * DT > 0.85:
                raise Rejected("flinch too long")
        if h.drift is not None and h.drift[-1] > h.t_end - 3.0:
            raise Rejected("drift excursion too near the end")
        if i > 0 and h.entry in ("fast", "slow"):
            prev = holds[i - 1]
            if abs(h.level / prev.level - 1) < 0.13:
                raise Rejected("step too small")
            span = h.t_start - h.t_on
            if (h.entry == "fast" and span > 1.4) or (h.entry == "slow" and not 2.8 <= span <= 7.5):
                raise Rejected("transition duration ambiguous")
            # the arrival must be sharp: from 8 % to 1.5 % of the level within 1.5 s
            seg = np.abs(intent[idx(h.t_on):j1] / h.intent - 1)
            a8 = np.nonzero(seg <= 0.08)[0]
            a15 = np.nonzero(seg <= 0.015)[0]
            if not a8.size or not a15.size or (a15[0] - a8[0]) * DT > 2.0:
                raise Rejected("arrival tail too long")
        if h.exit and h.exit != "eod":
            k = idx(h.t_end)
            lim = idx(0.6 if h.exit in ("fast", "rel_fast") else 0.9)
            moved = np.abs(s[k:k + lim] - s[k]) >= 0.03 * h.level
            if not moved.any():
                raise Rejected("onset unclear")
        if h.exit.startswith("rel"):
            k = idx(h.t_end)
            below = np.nonzero(s[k:k + idx(3.0)] < 0.10 * h.level)[0]
            if not below.size:
                raise Rejected("release does not fall")
            k1 = k + int(below[0])
            if np.any(s[k1:k1 + idx(1.5)] >= 0.12 * h.level):
                raise Rejected("release does not stay down")
        if h.t_start < 0.5:
            raise Rejected("hold too early")
        if s[j0:j1].min() < 1.5 * CONTACT_N:
            raise Rejected("a hold comes near the contact threshold")
    for t_t, _peak, _dur in touches:
        k = idx(t_t)
        above = np.nonzero(s[max(0, k - idx(0.5)):k + idx(1.5)] > CONTACT_N)[0]
        if above.size and (above[-1] - above[0]) * DT > 0.8:
            raise Rejected("touch too long")
    models.update({f"entry:{h.entry}" for h in holds if h.entry != "press"})
    models.update({f"exit:{h.exit}" for h in holds if h.exit})
    if any(b.level < a.level for a, b in itertools.pairwise(holds) if b.entry != "press"):
        models.add("step_down")
    if touches:
        models.add("touch")

    # --- band exits: nominal rule, its variants, twitches
    windows = [(idx(h.t_start + 1.5), min(idx(h.t_end), n), h.level) for h in holds]
    variants = _exits_variants(tg, s, windows)
    nominal = variants[0]
    if not all(_same(nominal, v, 0.35) for v in variants[1:]):
        raise Rejected("band exits not robust")
    for h in holds:
        designed = h.drift is not None or h.flinch is not None
        got = [e for e in nominal if h.t_start <= e[0] <= h.t_end]
        if len(got) != (1 if designed else 0):
            raise Rejected("band exits not where designed")
        if got and got[0][0] > h.t_end - 1.5:
            raise Rejected("exit near the hold's end")
    twitch = np.zeros(n)
    for h in holds:
        for t_w, amp, dur in h.twitches:
            m = idx(dur)
            u = np.arange(m) / m
            shape = (u / 0.25) * np.exp(1 - u / 0.25)
            shape *= np.sin(np.pi * u) ** 0.3
            k = idx(t_w)
            twitch[k:k + m] += (amp * h.intent * shape)[: max(0, min(m, n - k))]
    s_tw = chan.static(true_f + twitch + tare + thermal)
    optional: list[tuple[float, str]] = []
    for v in _exits_variants(tg, s_tw, windows):
        for e in v:
            if not any(abs(e[0] - x[0]) <= 0.5 and e[1] == x[1] for x in nominal + optional):
                optional.append(e)
    # slow eases leaving the old hold's band
    for i, h in enumerate(holds):
        if h.entry == "slow":
            prev = holds[i - 1]
            k0 = idx(h.t_on)
            seg = s[k0:idx(h.t_start) + 1] / prev.level - 1
            up = h.level > prev.level
            # where the 10 % edge lies depends on the level a reader measured: 8, 10 and 12 % all excused
            for edge in (0.08, 0.10, 0.12):
                cross = np.nonzero(seg > edge if up else seg < -edge)[0]
                if cross.size:
                    optional.append(((k0 + int(cross[0])) * DT, "high" if up else "low"))
                    models.add("ease_exit")
    optional.sort()
    if optional:
        models.add("optional_exit")
    if nominal:
        models.add("required_exit")

    # --- nuisance and the sampled file
    motor = _ou(rng, n, float(rng.uniform(0.002, 0.006)), 0.05) * intent
    f_nuis = true_f + twitch + motor + tare + thermal
    gaps: list[tuple[float, float]] = []
    if sensor_kind == "daq5k":
        fs = float(rng.choice([4000.0, 4096.0, 5000.0]))
        ts = np.arange(0.0, t_len, 1.0 / fs)
    elif sensor_kind == "esp32":
        fs = float(rng.uniform(100.0, 250.0))
        ts = np.cumsum(rng.uniform(0.8, 1.2, int(t_len * fs) + 10) / fs)
    elif sensor_kind == "phone":
        ts = np.cumsum(rng.uniform(1 / 60, 1 / 30, int(t_len * 60) + 10))
    else:
        fs = float(rng.uniform(20.0, 50.0))
        ts = np.cumsum(rng.normal(1.0 / fs, 0.05 / fs, int(t_len * fs) + 10))
    ts = ts[ts < t_len - DT]
    val = chan.static(np.interp(ts, tg, f_nuis))
    if sensor_kind == "esp32":
        slope = chan.k / 3.0 * 4095.0
        c0 = (chan.v0 - 0.10) / 3.0 * 4095.0
        code = val * slope + c0 + rng.normal(0, float(rng.uniform(1.5, 4.0)), ts.size)
        spikes = rng.random(ts.size) < 1 / 1500
        code[spikes] += rng.choice([-1, 1], int(spikes.sum())) * rng.uniform(50, 600, int(spikes.sum()))
        if spikes.any():
            models.add("spike")
        code = np.clip(np.round(code), 0, 4095)
        val = (code - c0) / slope
        t_file = np.round(sensor.rec(ts), 3)
    elif sensor_kind == "daq5k":
        hum = float(rng.uniform(0.0005, 0.003)) * chan.rng_n
        mains = float(rng.choice([50.0, 60.0]))
        val = val + hum * np.sin(2 * np.pi * mains * ts + float(rng.uniform(0, 6.3))) + rng.normal(
            0, 2e-4 * chan.rng_n, ts.size)
        models.add("hum")
        t_file = sensor.rec(ts)
    elif sensor_kind == "phone":
        # noise; the resolution of 10 g / 0.01 kg is applied when writing
        val = val + rng.normal(0, 0.0015 * max_f, ts.size)
        t_file = sensor.rec(ts)
        # BLE dropouts in long quiet stretches of holds, away from every labelled time
        events = [h.t_start for h in holds] + [h.t_end for h in holds]
        events += [e[0] for e in nominal + optional]
        for h in holds:
            if h.t_end - h.t_start > 12 and rng.random() < 0.5:
                g0 = h.t_start + float(rng.uniform(3.0, h.t_end - h.t_start - 5.0))
                g1 = g0 + float(rng.uniform(0.4, 2.5))
                if all(e < g0 - 1.5 or e > g1 + 1.5 for e in events):
                    keep = (ts < g0) | (ts > g1)
                    ts, val, t_file = ts[keep], val[keep], t_file[keep]
                    gaps.append((float(sensor.rec(g0)), float(sensor.rec(g1))))
                    models.add("dropout")
        dup = rng.random(ts.size) < float(rng.uniform(0.03, 0.08))
        reps = np.where(dup, 2, 1).astype(np.int64)
        val, t_file = np.repeat(val, reps), np.repeat(t_file, reps)
        models.add("duplicates")
    else:
        val = val + rng.normal(0, float(rng.uniform(0.03, 0.1)) + 0.002 * max_f, ts.size)
        t_file = np.round(sensor.rec(ts), 3)
    per = UNIT_PER_N[unit]
    out_val = val * per
    buf = io.StringIO()
    buf.write(f"{tcol},{fcol}\n")
    if sensor_kind == "phone":
        ms = np.floor(t_file * 1000.0).astype(np.int64)
        q = 10.0 if unit == "g" else 0.01
        vv = np.round(out_val / q) * q
        fmt_v = "%.0f" if unit == "g" else "%.2f"
        buf.write(_rows("%d," + fmt_v, ms, vv))
    elif sensor_kind == "daq5k":
        buf.write(_rows("%.6f,%.5f", t_file, out_val))
    elif sensor_kind == "esp32":
        buf.write(_rows("%.3f,%.4f", t_file, out_val))
    else:
        vv = np.round(out_val, 2)
        buf.write(_rows("%.3f,%.2f", t_file, vv))
    csv = buf.getvalue().encode()

    # --- the labels, on the recording's clock and in the file's unit
    def rt(x: float) -> float:
        return round(float(sensor.rec(x)), 3)

    lab_holds = [[rt(h.t_start), rt(h.t_end), _fmt(h.level * per, unit)] for h in holds]
    steps = [[rt(h.t_on), "up" if h.level > holds[i - 1].level else "down"]
             for i, h in enumerate(holds) if i > 0 and h.entry != "press"]
    releases = [[rt(h.t_end)] for h in holds if h.exit.startswith("rel")]
    notes = (f"Synthetic session (blind generator 4, seed {seed}, session {index}, attempt {attempt}). "
             f"Protocol {kind}, tool {tool}, hand {hand} ({nudges} screen nudges), breathing depth "
             f"{depth * 100:.1f} % at {fb:.2f} Hz ({sighs} sighs). Sensor: {desc}; unit {unit}; delay "
             f"{delay * 1000:.0f} ms, skew {skew * 1e6:.0f} ppm, tare {tare:.2f} N, thermal drift "
             f"{float(thermal[-1]):.2f} N. Holds: " + "; ".join(
                 f"{h.entry}->{h.exit or 'end'} {h.intent:.1f} N"
                 + (f", drift {h.drift[1] * h.drift[2] * 100:+.0f} % at {h.drift[3] * 100:.0f} %/s"
                    if h.drift else "")
                 + (f", flinch -{h.flinch[1] * 100:.0f} %" if h.flinch else "")
                 + (f", {len(h.twitches)} twitches" if h.twitches else "")
                 for h in holds) + f". Touches: {len(touches)}. Models: {', '.join(sorted(models))}.")
    labels: dict[str, object] = {
        "unit": unit, "force_column": fcol, "holds": lab_holds, "steps": steps, "releases": releases,
        "band_exits": [[rt(e[0]), e[1]] for e in nominal],
        "band_exits_optional": [[rt(e[0]), e[1]] for e in optional],
        "notes": notes}
    _ = shapes
    return Session(seed, index, attempt, kind, tool, hand, sensor, holds, labels, csv,
                   sensor.rec(tg), np.asarray(s * per, dtype=np.float64), CONTACT_N * per, models, gaps)


# --------------------------------------------------------------------------------------- the checker

def check_session(t: Arr, s: Arr, thr: float, labels: dict[str, object]) -> list[str]:
    """A second reader: checks labels against the label signal ``s`` (file unit, recording clock) by the
    contract's Definitions, with looser tolerances than the generator's own rules. Returns problems."""
    bad: list[str] = []
    try:
        holds = [(float(a), float(b), float(lv)) for a, b, lv in labels["holds"]]  # type: ignore[attr-defined]
        steps = [(float(x), str(d)) for x, d in labels["steps"]]  # type: ignore[attr-defined]
        rels = [float(x[0]) for x in labels["releases"]]  # type: ignore[attr-defined]
        exits = [(float(x), str(d)) for x, d in labels["band_exits"]]  # type: ignore[attr-defined]
        opt = [(float(x), str(d)) for x, d in labels["band_exits_optional"]]  # type: ignore[attr-defined]
    except (KeyError, TypeError, ValueError):
        return ["labels malformed"]
    # a second reader needs no 1-kHz grid: every 4 ms is plenty for 0.15-s and 0.5-s timers
    stride = max(1, round(0.004 / float(np.median(np.diff(t[:100])))))
    t, s = t[::stride], s[::stride]
    dt = float(np.median(np.diff(t)))

    def sl(a: float, b: float) -> slice:
        return slice(int(np.searchsorted(t, a)), int(np.searchsorted(t, b)))

    for i, (a, b, lv) in enumerate(holds):
        if b - a < 2.0:
            bad.append(f"hold {i} shorter than 2.0 s")
            continue
        seg = s[sl(a, b)]
        rel = np.abs(seg / lv - 1)
        if abs(float(np.median(seg)) / lv - 1) > 0.04:
            bad.append(f"hold {i}: level {lv} is not the hold's median {float(np.median(seg)):.4g}")
        if float(np.mean(rel <= 0.08)) < 0.7 or rel[: int(1.5 / dt)].max() > 0.08:
            bad.append(f"hold {i}: force does not stay near its level")
        if seg.min() <= thr:
            bad.append(f"hold {i}: contact lost")
        before = s[sl(a - 1.5, a)]
        if before.size and np.all(np.abs(before / lv - 1) <= 0.08):
            bad.append(f"hold {i} starts late")
    # steps: between holds with no fall below 15 % (no release) between them
    want: list[tuple[float, str]] = []
    for i in range(1, len(holds)):
        _a0, b0, l0 = holds[i - 1]
        a1, _b1, l1 = holds[i]
        between = s[sl(b0, a1)]
        if between.size and between.min() > max(thr, 0.15 * min(l0, l1)):
            want.append((b0, "up" if l1 > l0 else "down"))
            change = abs(l1 / l0 - 1)
            k = len(want) - 1
            if change < 0.11:
                bad.append(f"step {k}: level change {change:.3f} too small")
            if a1 - b0 > 8.5:
                bad.append(f"step {k}: change slower than 8 s")
    if len(want) != len(steps):
        bad.append(f"steps differ: labelled {len(steps)}, holds give {len(want)}")
    else:
        for k, (w, st) in enumerate(zip(want, steps, strict=True)):
            if abs(w[0] - st[0]) > 0.5:
                bad.append(f"step {k}: not at the hold's end")
            if w[1] != st[1]:
                bad.append(f"step {k}: wrong direction")
    # releases: at a hold's end, the force then below 15 % of the level for 1 s within 3 s
    ends = {round(b, 3): lv for _a, b, lv in holds}
    for r in rels:
        match = [lv for b, lv in ends.items() if abs(b - r) <= 0.3]
        if not match:
            bad.append("a release label is not at a hold's end")
            continue
        after = s[sl(r, r + 4.0)] < 0.15 * match[0]
        run = int(1.0 / dt)
        ok = after.size >= run and bool(np.any(np.convolve(after, np.ones(run), "valid") >= run - 1))
        if not ok:
            bad.append(f"release at {r}: force does not fall below 15 % for 1 s")
    n_rel_want = sum(1 for i, (_a, b, lv) in enumerate(holds)
                     if (i + 1 == len(holds) or not any(abs(w[0] - b) < 1e-6 for w in want))
                     and b < t[-1] - 1.0 and s[sl(b, b + 4.0)].size and s[sl(b, b + 4.0)].min() < 0.15 * lv)
    if n_rel_want != len(rels):
        bad.append(f"releases differ: labelled {len(rels)}, holds give {n_rel_want}")
    # band exits by the rule, watched from hold start + 1.5 s to the hold's end
    rule: list[tuple[float, str]] = []
    for a, b, lv in holds:
        j = sl(a + 1.5, b)
        rule += _watch_band(t[j], s[j], lv)
    unexplained = [e for e in rule if not any(abs(e[0] - x[0]) <= 0.5 and e[1] == x[1] for x in exits + opt)]
    missing = [x for x in exits if not any(abs(e[0] - x[0]) <= 0.5 and e[1] == x[1] for e in rule)]
    if unexplained or missing:
        bad.append(f"band exits differ: labelled {len(exits)}, rule gives {len(rule)}")
    # unlabelled holds: 2.5 s within +-7 % of their median, well in contact, outside every labelled hold
    # and every labelled step's change (a slow ease may look steady for a while; the contract calls it
    # a step)
    covered = np.zeros(t.size, dtype=bool)
    for i, (a, b, _lv) in enumerate(holds):
        covered[sl(a - 1.0, b + 1.0)] = True
        if i + 1 < len(holds) and any(abs(x[0] - b) <= 0.5 for x in steps):
            covered[sl(b, holds[i + 1][0])] = True
    width = int(2.5 / dt)
    stride = max(1, int(0.25 / dt))
    for k in range(0, t.size - width, stride):
        seg = s[k:k + width]
        if covered[k:k + width].any():
            continue
        med = float(np.median(seg))
        if med > 1.5 * thr and float(np.max(np.abs(seg / med - 1))) <= 0.07:
            # a resting hand after a release is no contact (the contract's resting level)
            prior = [lv for _a, b, lv in holds if b <= t[k]]
            if prior and med < 0.15 * prior[-1]:
                continue
            bad.append(f"an unlabelled hold near {t[k]:.1f} s")
            break
    return bad


def _watch_band(t: Arr, s: Arr, level: float) -> list[tuple[float, str]]:
    """The checker's own reading of the band rule, sample by sample as a monitor would watch it (written
    apart from ``band_exits``): 0.15 s outside makes an exit dated at the first sample outside, 0.5 s
    back inside re-arms it."""
    out: list[tuple[float, str]] = []
    armed = True
    since: float | None = None
    side = ""
    lo, hi = level * 0.9, level * 1.1
    for ti, si in zip(t.tolist(), s.tolist(), strict=True):
        now = "high" if si > hi else "low" if si < lo else ""
        if armed:
            if now and now == side and since is not None and ti - since >= 0.15 - 1e-9:
                out.append((since, side))
                armed, since, side = False, None, ""
            elif now != side:
                since, side = (ti, now) if now else (None, "")
        else:
            if not now:
                since = ti if since is None else since
                if ti - since >= 0.5 - 1e-9:
                    armed, since, side = True, None, ""
            else:
                since = None
    return out


# ------------------------------------------------------------------------------------------ commands

def generate(out: Path, seed: int, sessions: int) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot write the sessions to {out}: {exc.strerror or exc}") from None
    for i in range(sessions):
        s = make_session(seed, i)
        name = session_name(seed, i)
        (out / f"{name}.csv").write_bytes(s.csv)
        (out / f"{name}.labels.json").write_text(json.dumps(s.labels, indent=1) + "\n")
    print(f"wrote {sessions} sessions of seed {seed} to {out}")


def run_check(out: Path, seed: int, sessions: int | None) -> int:
    if not out.is_dir():
        raise UsageError(f"{out} is no folder")
    try:
        present = sorted(out.glob(f"bg4_s{seed}_*.labels.json"))
    except OSError as exc:
        raise UsageError(f"cannot read the sessions in {out}: {exc}") from None
    if sessions is None:
        sessions = len(present)
    if sessions == 0:
        raise UsageError(f"{out} holds no session of seed {seed}")
    for p in present:
        if not p.is_file():
            raise UsageError(f"cannot read the sessions in {out}: {p.name} is not a file")
    failures: list[str] = []
    for i in range(sessions):
        name = session_name(seed, i)
        s = make_session(seed, i)
        for problem in check_session(s.t_lab, s.s_lab, s.thr, s.labels):
            failures.append(f"session {i}: {name}: {problem}")
        csv_p, lab_p = out / f"{name}.csv", out / f"{name}.labels.json"
        try:
            disk = json.loads(lab_p.read_text())
        except (OSError, ValueError):
            failures.append(f"session {i}: {name}: labels file does not load")
        else:
            if disk != s.labels:
                failures.append(f"session {i}: {name}: labels on disk differ from the regenerated ones")
                for problem in check_session(s.t_lab, s.s_lab, s.thr, disk):
                    failures.append(f"session {i}: {name} (on disk): {problem}")
        try:
            data = csv_p.read_bytes()
        except OSError:
            failures.append(f"session {i}: {name}: csv missing")
            continue
        if data != s.csv:
            failures.append(f"session {i}: {name}: csv differs from its regeneration"
                            + ("" if _rows_ok(data, s.csv) else " (csv rows or time order wrong)"))
        elif not _rows_ok(data, s.csv):
            failures.append(f"session {i}: {name}: csv rows or time order wrong")
    for f in failures:
        print(f, file=sys.stderr)
    print(f"checked {sessions} sessions of seed {seed} in {out}: "
          + ("all pass" if not failures else f"{len(failures)} problems"))
    return 1 if failures else 0


def _rows_ok(data: bytes, want: bytes) -> bool:
    lines = data.decode(errors="replace").splitlines()
    if len(lines) != len(want.decode().splitlines()):
        return False
    try:
        tcol = np.array([float(x.split(",")[0]) for x in lines[1:]])
    except ValueError:
        return False
    return bool(np.all(np.diff(tcol) >= 0))


def main(argv: list[str] | None = None) -> int:
    return generator_main(argv, tool="blind_generator4.py", doc=__doc__, default_sessions=48,
                          seed_default=None, generate=generate, run_check=run_check)


if __name__ == "__main__":
    sys.exit(main())
