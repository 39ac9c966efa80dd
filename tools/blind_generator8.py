"""Blind generator 8: labelled therapy sessions for the pressure-hold detector, with hand, protocol and
sensor models of its own, labelled from the public contract's Definitions alone (the detector, its docs and
the other generators were never read).

Usage::

    python tools/blind_generator8.py OUT --seed S [--sessions N] [--check] [--jobs J]

writes ``OUT/bg8_sS_NNN.csv`` and ``OUT/bg8_sS_NNN.labels.json`` for sessions 0..N-1 (default N = 48; J worker
processes, default 2). Session i of seed S is drawn with ``numpy.random.default_rng([S, i, attempt])``,
attempt = 0, 1, ... until a draw passes every rejection rule below, so each file is a deterministic
function of (S, i). ``--check`` regenerates every session, compares both files byte for byte with OUT, and
re-reads every labels file with the second reader (below) on the regenerated label signal; they must agree
within the stated tolerances. Exit status: 0 good; 1 failures, each naming its file on stderr; 2 one
sentence on stderr for a bad argument or an OUT that cannot be written or read. ``build_session(seed,
index)`` returns a :class:`Session` (the file texts, the parsed columns, the labels, the label signal on
the reader's grid, the true-time -> file-time map and each model's parameters in ``info``).

Each session lasts 40-200 s, starts at rest and ends at rest (or, about one in ten, inside a hold:
``end_of_data``). Loads: light 3.5-8 N, medium 10-100 N or heavy 100-450 N (log-uniform). The CSV has one
``#`` line, a header ``TIME,FORCE`` (names vary) and rows; ``unit`` is N, kg (kgf), g, lb or lbf.

Models (``models`` in the labels). Session i has protocol ``PROTOCOLS[i % 5]``, hand ``HANDS[i % 4]`` (plus a
second hand with probability 0.35), sensor ``SENSORS[(i + i // 5) % 5]`` and, for i % 3 = 0 or 1,
``float32_time`` or ``tare_units``: any 15 consecutive sessions show every model.

Protocols (in the label signal)
-------------------------------
- ``myofascial_release``: one long light-to-moderate hold (8-40 N, 60-150 s) in which the hand sinks as the
  tissue yields: cycles of a 2-5 % yield over 6-15 s (half-cosine) and a re-load over 3-6 s (<= 1.7 %/s),
  plus 0-2 deep yields that drift out of the band and back (the drift below, always low). Barnes JF,
  Myofascial Release: The Search for Excellence (1990); Ajimsha MS et al., J Bodyw Mov Ther
  2015;19:102-112.
- ``strain_counterstrain``: positional release: light monitoring holds of 3.5-8 N for 30-90 s with jolts
  (twitches) every 3-12 s, at most one drift, then an unhurried lift (raised cosine 0.6-1.2 s). Jones LH,
  Strain and Counterstrain (1981); D'Ambrogio KJ, Roth GB, Positional Release Therapy (1997).
- ``deep_stroking``: deep stroking massage between holds: contacts of 4-12 s from rest to rest whose force
  M (1 + a sin(phase)) swings a = +-40-65 % around M = 8-60 N (8-20 N light) with a 0.9-1.8 s period
  (slightly frequency-modulated), 0.4-s cosine ramps in and out, never below 4 N inside: contacts, never
  holds, no release. Goats GC, Br J Sports Med 1994;28:149-152.
- ``reinforced_thumb``: compression with the other thumb reinforcing: each step up (>= one a session,
  +25-90 % for the first) is a raised cosine of 0.3-0.7 s covering all but 3.5-6 % of the new level, then
  an exponential settle (tau 0.35-0.6 s) of the rest. Simons DG, Travell JG, Simons LS, Myofascial Pain and
  Dysfunction: The Trigger Point Manual, 2nd ed. (1999).
- ``repositioning_pause``: the therapist re-positions the patient mid-session: 8-25 s at rest with 0-2
  knocks (touches of 0.1-0.35 s, 3-12 N) between blocks of holds.
Every session also has general blocks: an arrival (raised cosine 0.3-1.2 s, or the hand's own move),
holds of 5-14 s plus their events, 0-3 steps (fast: raised cosine 0.3-1.2 s, >= 18 % and <= 90 %, the new
level within 2 % by 1.5 s; slow: a linear ramp of 3-6 s with rounded 0.3-s corners at 3.2-6.5 %/s of the
old level, +20-37 % or -18-37 %, then >= 5.5 s quiet), a release (raised cosine 0.15-0.7 s), rests of
1.5-5 s with touches (sin^2 bumps of 0.2-0.6 s, 4-10/25/60 N by load) >= 1.2 s from other contacts.
In-hold events, from 3 s after the arrival (5.5 s after a slow step) to >= 2.5 s before the hold's end,
1.8-3.5 s apart:
- bump: a fast brief excursion of +-16-35 % (flat top: rise 0.08-0.15 s, top 0.3-0.38 s, fall
  0.08-0.15 s; a low one never under 3 N), back within 0.65 s: the hold goes on, one band exit;
- jolt: +-2.5-5 % for 0.2-0.5 s (sin^2): nothing;
- flick (lossy sensor at >= 100 Hz only): +-12-25 % for 0.04-0.1 s, out of the band < 0.06 s: nothing;
- drift: a slow excursion out of the band and back: a triangle of peak 14-20 % (16-22 % for a tired hand)
  with flanks of 3-5.5 %/s, smoothed by a 0.6-s Hann kernel (no plateau): the hold goes on, one band exit.
Holds with events are lengthened so that their mean stays within 2.5 % of the level.

Hands
-----
- ``fatigued_therapist``: physiological tremor (8-11.5 Hz band, not in the label) grows linearly from 0.4 %
  to 1.6-2 % RMS of the force over the session, and slow wander (3 sines of 0.02-0.08 Hz, in the label)
  from 0.5 % to 2-2.5 % peak; no slow steps once the wander passes 0.9 %. Furness P, Jessop J, Lippold OCJ,
  J Physiol 1977;265:821-831.
- ``damped_hand``: a stiff, heavily damped hand (co-contraction): every arrival, fast step and release
  (protocol moves too) is an overdamped second-order move 1 - (t1 e^(-t/t1) - t2 e^(-t/t2)) / (t1 - t2),
  t1 0.2-0.34 s, t2 0.05-0.11 s. Hogan N, IEEE Trans Autom Control 1984;29:681-690.
- ``pre_release_dip``: a habit of unloading a little before the lift: the force eases 3-5 % over
  0.25-0.45 s (raised cosine), then drops. Johansson RS, Westling G, Exp Brain Res 1984;56:550-564.
- ``rocking_tip``: pressure through a ball or wooden T-bar tip that rocks: the cell reads
  F cos(theta_x) cos(theta_y), theta_x a slow tilt wander of 6-10 deg (0.03-0.1 Hz) and theta_y a 2-5 deg one
  (<= 1.9 % together) plus rocks: slow ones (1 - cos theta follows the drift triangle, 14-20 %: a slow low
  exit) and quick wobbles (18-30 % for 0.3-0.45 s: a brief low exit); every such session has a wobble.
  Fischer AA, Pain 1987;30:115-126 (apply the algometer perpendicular).
Every hand adds signal-dependent motor noise (0.3-3 Hz, 0.15-0.3 % RMS; Harris CM, Wolpert DM, Nature
1998;394:780-784) and tremor (0.3-0.8 % RMS unless fatigued), neither in the label, and slow wander of
0.3-0.8 % (0.02-0.05 Hz), in the label.

Sensors (never in the label)
----------------------------
- ``resonant_cell``: a load cell on a fixture with a lightly damped resonance, f0 15-40 Hz (<= rate/6),
  zeta 0.02-0.06: the force passes through the second-order response, driven also by skin/tip
  micro-vibration (5-80 Hz, 0.1-0.3 % RMS of the force), and every move rings it with 3-8 % of its size
  (times min(1, 0.4 s / duration); letting go rings 0.3 times as much). A DAQ at 250, 400, 500 or 1000 Hz
  (<= 40 000 rows), or 2000 Hz in sessions of <= 60 s; unit N or lbf. Doebelin EO, Measurement Systems:
  Application and Design (2004), second-order instruments.
- ``hx711_fast_poll``: an HX711 converting at 10 or 80 SPS (each reading the mean over its conversion)
  polled by the host 2.2-4.5 (80 SPS: 2.2-3.2) times faster: runs of identical readings, host stamps with
  +-15 % jitter and 1-4 ms latency; kg or N. Avia Semiconductor, HX711 datasheet.
- ``rate_switch``: an averaging converter whose rate changes once, at 30-70 % of the session and >= 2.5 s
  from any event: 10<->80, 20<->100, 100<->500, 100->1000 or 1000->250 Hz, with a settling silence of
  0.1-0.4 s. HX711 RATE pin; TI ADS1232 datasheet (settling after a rate change).
- ``serial_burst``: a serial gauge at 10-20 Hz (+-100 ppm clock, averaging) whose lines the host reads every
  80-250 ms (+-30 %) and stamps on reading, 0.2-0.8 ms apart within a burst. FTDI AN232B-04 (latency timer).
- ``lossy_repeat``: a wireless sensor at 25, 50, 100 or 200 Hz losing single packets with probability
  1-5 %; the receiver repeats the last value at the lost packet's stamp. Perkins C, Hodson O, Hardman V,
  IEEE Network 1998;12(5):40-48 (repetition as loss concealment).
Transports and units:
- ``float32_time``: the time column is a 32-bit float far from zero: an offset in [2^(k-1), 2^k) with the
  float spacing 2^(k-23) <= a quarter of the shortest interval (written with 5 decimals). IEEE 754 binary32.
- ``tare_units``: the force in grams (0.1, 1 or 10 g) or pounds (0.001-0.1 lb) with a tare offset of
  0.15-0.6 N either way (in the label signal too: levels include it; rest reads the offset; the quantum
  <= a third of it). OIML R76.
Otherwise units N, kg or lbf with no offset. Sensor noise 0.05-0.15 % of the largest level (<= 0.25 % of
the smallest); the quantum is the coarsest of 1/10/100 (x 10^-k) units <= 0.4 % of the smallest level.

Label rules (the label signal, true time, newtons; then mapped to the file)
--------------------------------------------------------------------------
The label signal is what the file would show without tremor, motor noise, sensor noise, sensor dynamics,
sampling and quantisation (tare offset, tilt and wander included). Contract defaults: contact 2 N; hold
>= 1.5 s within +-8 %; step >= 10 %, fast <= 2 s, slow <= 8 s then 3 s steady; return 1 s; release below
15 % for 1 s; band +-10 %; debounce 0.15 s; re-arm 0.5 s.
- ``holds`` [start, end, level]: start = the first moment after the arrival's onset at which the signal is
  within 2 % of the settled level; level = the median of the signal over [start, start + 1.5 s] (the two
  solved together); end = the onset of the step or release that ends it, or the file's last stamp
  (``end_of_data``). ``holds_ended_by`` accordingly (no ``left`` endings are generated).
- ``steps`` [t, up|down]: the onset of the move between two holds.
- ``releases``: the onset of the drop; with a pre-release dip, half-way between the dip's onset and the
  drop's (either reading is within 0.23 s).
- ``band_exits`` [t, high|low]: band +-10 % of the level, watched from start + 1.5 s to the end; dated where
  the signal crossed out, once it has been out for 0.15 s; one per excursion; re-armed after 0.5 s inside.
- ``band_exits_optional``: where a slow step's ramp leaves the old hold's band (allowed, not required).
- Times go through the sensor's (true time -> stamp) samples by linear interpolation (the HX711's first
  stamp showing each conversion), rounded to 1 ms; levels are divided by the unit (kg = kgf, lb = lbf).

The second reader (``SecondReader``) sees only the label signal (100 Hz): contact = above 2 N; a hold
starts at the first window of 1.5 s in contact within +-8 % of one level (start and level then solved as
above from the last moment the signal was outside +-8 % of the level); it goes on through excursions back
within 1 s of their onset (onset: back from the crossing to where the rate fell under 15 % of its peak) and
through slow drifts (< 10 %/s) that come back; it ends by a release (below max(2 N, 15 %) within 3 s, for
1 s or out of contact), a fast step (a new hold >= 10 % away within 2 s of the onset), a slow step (a new
level >= 10 % away, steady -- within +-1.5 % and changing < 1.5 %/s -- for 3 s, reached within 8 s), else
``left``; band exits as above. Stated tolerances of agreement: holds' start and end 0.3 s, level 2 %,
steps and releases 0.3 s, band exits 0.2 s (optional ones too), ended-by and directions equal.

Rejection rules (a draw is redrawn when any fails)
--------------------------------------------------
- sessions last 40-200 s; every hold lasts >= 4 s, its mean lies within 4 % of its level, and the level
  read over [start+0.3, start+1.2] or [start, start+3] differs by <= 1.2 %; steps change the level by >= 18
  % of either level; fast steps complete (within 2 %) in <= 1.5 s, slow ones in >= 3 s;
- every labelled exit peaks >= 13.5 % from the level, stays out >= max(0.35 s, 3.5 samples) and crosses at
  >= 2.5 %/s; outside the designed exits the signal stays within 6.5 % of the level (flicks aside: out
  < 0.06 s); the exits computed equal the designed ones; touches are in contact (> 1.5 N) <= 0.7 s;
- the rate switch finds a quiet moment; float32 stamps stay strictly increasing;
- the second reader agrees with the labels at the nominal thresholds (stated tolerances) and still agrees
  (times 0.5 s, level 3 %, exits 0.35 s or, where said, counts and directions only) with each threshold
  moved: hold 1.0/2.2 s, hold tolerance 6/10 %, step 7/13 %, return 0.8/1.3 s, fast/slow rate 6/15 %/s,
  slow steady 2/4 s, slow max 6.5/10 s, band 9.2/10.8 % (times) and 8.5/11.5 % (counts), debounce 0.08/0.3
  s, re-arm 0.25/1 s, contact 1.5/2.6 N, settle 1.5/3 %, level windows [0.3, 1.2]/[0, 3] s, and the signal
  smoothed by a centred 0.1- or 0.25-s moving average. So no event lies near a threshold of the
  Definitions, and a correct detector has one reading of each.
Size and speed: one seed of 48 sessions is about 8-11 MB and takes about 4-5 s with 2 workers.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

GENERATOR = "blind_generator8"
PREFIX = "bg8"
GRID_HZ = 1000.0  # label signal grid
READ_HZ = 100.0  # the second reader's grid
KGF = 9.80665
LBF = 4.4482216152605
UNIT_N = {"N": 1.0, "kg": KGF, "g": KGF / 1000.0, "lb": LBF, "lbf": LBF}

# Contract defaults (Definitions)
CONTACT = 2.0
HOLD_MIN = 1.5
BAND = 0.10
DEBOUNCE = 0.15
REARM = 0.5
# This generator's reading of "arrival complete" and "settled level"
SETTLE = 0.02
LEVEL_WIN = (0.0, 1.5)

PROTOCOLS = (
    "myofascial_release",
    "strain_counterstrain",
    "deep_stroking",
    "reinforced_thumb",
    "repositioning_pause",
)
HANDS = ("fatigued_therapist", "damped_hand", "pre_release_dip", "rocking_tip")
SENSORS = ("resonant_cell", "hx711_fast_poll", "rate_switch", "serial_burst", "lossy_repeat")
TRANSPORTS = ("float32_time", "tare_units")
ALL_MODELS = PROTOCOLS + HANDS + SENSORS + TRANSPORTS
MAX_ATTEMPTS = 200


class Reject(Exception):
    """A draw that breaks a rejection rule (the message names the rule)."""


# ----------------------------------------------------------------------------------------------------
# Shapes
# ----------------------------------------------------------------------------------------------------
def _cos01(u: np.ndarray) -> np.ndarray:
    u = np.clip(u, 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * u)


def _frac(shape: str, tau: np.ndarray, p: dict[str, float]) -> np.ndarray:
    """Fraction 0..1 of a move completed ``tau`` s after its onset."""
    if shape == "cos":
        return _cos01(tau / p["D"])
    if shape == "lin":  # linear ramp with raised-cosine corners of length c
        d, c = p["D"], p["c"]
        tt = np.clip(tau, 0.0, d)
        a = np.where(
            tt < c,
            tt / 2 - c / (2 * np.pi) * np.sin(np.pi * tt / c),
            np.where(
                tt <= d - c,
                c / 2 + (tt - c),
                (d - c) - ((d - tt) / 2 - c / (2 * np.pi) * np.sin(np.pi * (d - tt) / c)),
            ),
        )
        return a / (d - c)
    if shape == "od":  # overdamped second order
        t1, t2 = p["t1"], p["t2"]
        return 1.0 - (t1 * np.exp(-tau / t1) - t2 * np.exp(-tau / t2)) / (t1 - t2)
    if shape == "reinf":  # fast raised cosine, then an exponential settle
        tf, rho, ts = p["Tf"], p["rho"], p["ts"]
        return (1 - rho) * _cos01(tau / tf) + rho * np.where(tau > tf, 1 - np.exp(-(tau - tf) / ts), 0.0)
    raise ValueError(shape)


def _shape_len(shape: str, p: dict[str, float]) -> float:
    if shape in ("cos", "lin"):
        return p["D"]
    if shape == "od":
        tau = np.arange(0, 12, 0.001)
        return float(tau[np.argmax(_frac("od", tau, p) >= 0.999)])
    if shape == "reinf":
        return p["Tf"] + p["ts"] * math.log(p["rho"] / 0.001)
    raise ValueError(shape)


def _flat_bump(tau: np.ndarray, r1: float, top: float, r2: float) -> np.ndarray:
    up = _cos01(tau / r1)
    down = 1 - _cos01((tau - r1 - top) / r2)
    return np.where(tau < r1 + top, up, down) * (tau >= 0)


def _hann_smooth(y: np.ndarray, width_samples: int) -> np.ndarray:
    k = np.hanning(width_samples + 2)[1:-1]
    k /= k.sum()
    return np.convolve(y, k, mode="same")


# ----------------------------------------------------------------------------------------------------
# Session configuration
# ----------------------------------------------------------------------------------------------------
@dataclass
class Config:
    protocol: str
    hands: list[str]
    sensor: str
    transport: str | None
    load: str
    min_rate: float  # the lowest sample rate of the session (for brief events; the lossy sensor's rate)
    flick_ok: bool
    t_target: float
    end_in_hold: bool


def _choose_config(rng: np.random.Generator, index: int) -> Config:
    protocol = PROTOCOLS[index % len(PROTOCOLS)]
    hands = [HANDS[index % len(HANDS)]]
    if rng.random() < 0.35:
        extra = HANDS[int(rng.integers(len(HANDS)))]
        if extra not in hands:
            hands.append(extra)
    sensor = SENSORS[(index + index // len(SENSORS)) % len(SENSORS)]
    transport: str | None = None
    if index % 3 == 0:
        transport = "float32_time" if sensor != "serial_burst" else "tare_units"
    elif index % 3 == 1:
        transport = "tare_units"
    load = str(rng.choice(["light", "medium", "heavy"], p=[0.2, 0.55, 0.25]))
    lo_hi = {
        "myofascial_release": (110.0, 200.0),
        "strain_counterstrain": (70.0, 190.0),
        "deep_stroking": (40.0, 150.0),
        "reinforced_thumb": (40.0, 140.0),
        "repositioning_pause": (55.0, 170.0),
    }[protocol]
    lo, hi = lo_hi
    short = False
    if sensor == "resonant_cell":
        hi = min(hi, max(lo + 10.0, 90.0))
        short = lo < 45.0 and rng.random() < 0.5
        if short:
            hi = 42.0  # a short session at 2 kHz
    t_target = float(rng.uniform(lo, hi))
    cap = 30000.0 / t_target  # rows a session, for the size budget
    res_rates = [r for r in (250.0, 400.0, 500.0, 1000.0) if r <= max(cap * 1.4, 250.0)]
    if sensor == "resonant_cell" and short:
        res_rates = [2000.0]
    lossy = [r for r in (25.0, 50.0, 100.0, 200.0) if r <= max(cap, 25.0)]
    rates = {
        "resonant_cell": float(rng.choice(res_rates)),
        "hx711_fast_poll": 10.0,
        "rate_switch": 10.0,
        "serial_burst": 10.0,
        "lossy_repeat": float(rng.choice(lossy)),
    }
    min_rate = rates[sensor]
    return Config(
        protocol=protocol,
        hands=hands,
        sensor=sensor,
        transport=transport,
        load=load,
        min_rate=min_rate,
        flick_ok=sensor == "lossy_repeat" and min_rate >= 100.0,
        t_target=t_target,
        end_in_hold=bool(rng.random() < 0.18) and protocol != "myofascial_release",
    )


# ----------------------------------------------------------------------------------------------------
# The plan: pieces of the base force, holds, events, overlays
# ----------------------------------------------------------------------------------------------------
@dataclass
class Hold:
    a0: float  # onset of the arriving move
    a1: float  # end of the arriving move
    level: float  # nominal base level, N
    kind: str
    quiet: float  # no events before a1 + quiet
    end: float = float("nan")
    ended_by: str = ""
    slow_in: bool = False
    area: float = 0.0  # signed integral of the designed relative deviations, s
    exits: list[str] = field(default_factory=list)  # designed exit directions
    spans: list[tuple[float, float, str]] = field(default_factory=list)  # designed excursion spans


class Plan:
    def __init__(self, rng: np.random.Generator, cfg: Config) -> None:
        self.rng = rng
        self.cfg = cfg
        self.t = 0.0
        self.f = 0.0
        self.pieces: list[tuple[float, float, str, dict[str, Any]]] = []
        self.holds: list[Hold] = []
        self.steps: list[dict[str, Any]] = []
        self.releases: list[dict[str, Any]] = []
        self.overlays: list[dict[str, Any]] = []  # relative deviations in holds
        self.tilts: list[dict[str, Any]] = []  # rocks of the tip (theta_y)
        self.contacts: list[tuple[float, float, str]] = []  # touches, strokes, knocks
        self.impacts: list[tuple[float, float]] = []  # (time, size N) of fast moves
        self.info: dict[str, Any] = {"reinforced": [], "dips": [], "rocks": [], "strokes": [], "pauses": []}
        self.wander_amp = float(rng.uniform(0.003, 0.008))
        self.fatigue = "fatigued_therapist" in cfg.hands
        # events every session of a model must show
        self.pending: list[str] = ["rock_quick"] if "rocking_tip" in cfg.hands else []

    def u(self, a: float, b: float) -> float:
        return float(self.rng.uniform(a, b))

    # -- wander envelope (relative) at time t, as rendered later
    def wander_env(self, t: float) -> float:
        if self.fatigue:
            return 0.005 + (self.fat_end - 0.005) * min(1.0, t / max(self.cfg.t_target, 1.0))
        return self.wander_amp

    # -- primitives
    def _piece(self, dur: float, kind: str, **kw: Any) -> None:
        self.pieces.append((self.t, self.t + dur, kind, kw))
        self.t += dur

    def dwell_until(self, t1: float) -> None:
        if t1 > self.t + 1e-9:
            self._piece(t1 - self.t, "const", f=self.f)

    def move(self, f1: float, shape: str, p: dict[str, float]) -> tuple[float, float]:
        t0 = self.t
        d = _shape_len(shape, p)
        self._piece(d, "move", f0=self.f, f1=f1, shape=shape, p=p)
        main = {"cos": p.get("D", 0.0), "lin": p.get("D", 0.0), "reinf": p.get("Tf", 0.0)}.get(
            shape, 3.0 * p.get("t1", 0.0)
        )
        # every move rings a resonant fixture, the faster the more; pressing more than letting go
        size = abs(f1 - self.f) * min(1.0, 0.4 / max(main, 1e-3)) * (1.0 if f1 > self.f else 0.3)
        self.impacts.append((t0 + 0.5 * main, size))
        self.f = f1
        return t0, self.t

    def _hand_move(self, kind: str) -> tuple[str, dict[str, float]]:
        if "damped_hand" in self.cfg.hands:
            return "od", {"t1": self.u(0.2, 0.34), "t2": self.u(0.05, 0.11)}
        if kind == "release":
            return "cos", {"D": self.u(0.15, 0.7)}
        return "cos", {"D": self.u(0.3, 1.2)}

    def _protocol_move(self, lo: float, hi: float) -> tuple[str, dict[str, float]]:
        """A protocol's unhurried move (raised cosine of lo-hi s), overdamped for a damped hand."""
        if "damped_hand" in self.cfg.hands:
            return "od", {"t1": self.u(0.26, 0.34), "t2": self.u(0.08, 0.11)}
        return "cos", {"D": self.u(lo, hi)}

    # -- holds
    def arrive(self, level: float, kind: str, shape: tuple[str, dict[str, float]] | None = None) -> Hold:
        assert self.f == 0.0
        sh, p = shape or self._hand_move("arrive")
        a0, a1 = self.move(level, sh, p)
        h = Hold(a0=a0, a1=a1, level=level, kind=kind, quiet=3.0)
        self.holds.append(h)
        return h

    def step(self, ratio: float, slow: bool) -> Hold:
        h = self.holds[-1]
        new = h.level * ratio
        h.end = self.t
        h.ended_by = "step"
        t0 = self.t
        if slow:  # 3-6 s at 3.2-6.5 %/s of the old level
            ch = abs(ratio - 1.0)
            lo_d = max(3.0, ch / 0.065)
            sh, p = "lin", {"D": self.u(lo_d, max(lo_d, min(6.0, ch / 0.032))), "c": 0.3}
        elif ratio > 1 and self.cfg.protocol == "reinforced_thumb":
            rho_rel = self.u(0.035, 0.06)
            p = {"Tf": self.u(0.3, 0.7), "rho": rho_rel * new / (new - h.level), "ts": self.u(0.35, 0.6)}
            sh = "reinf"
            self.info["reinforced"].append({"t": t0, "Tf": p["Tf"], "rho_rel": rho_rel, "ts": p["ts"]})
        else:
            sh, p = self._hand_move("step")
        a0, a1 = self.move(new, sh, p)
        self.steps.append({"t": t0, "dir": "up" if ratio > 1 else "down", "slow": slow, "t1": a1})
        nh = Hold(a0=a0, a1=a1, level=new, kind=h.kind, quiet=5.5 if slow else 3.0, slow_in=slow)
        self.holds.append(nh)
        return nh

    def release(self, shape: tuple[str, dict[str, float]] | None = None) -> None:
        h = self.holds[-1]
        t0 = self.t
        if "pre_release_dip" in self.cfg.hands:
            depth = self.u(0.03, 0.05)
            td = self.u(0.25, 0.45)
            self.move(self.f * (1 - depth), "cos", {"D": td})
            t_main = self.t
            onset = 0.5 * (t0 + t_main)
            self.info["dips"].append({"t0": t0, "t_main": t_main, "depth": depth, "level_n": h.level})
        else:
            t_main = t0
            onset = t0
        sh, p = shape or self._hand_move("release")
        self.move(0.0, sh, p)
        h.end = onset
        h.ended_by = "release"
        self.releases.append({"t": onset, "t_main": t_main})

    # -- in-hold events (absolute times)
    def add_event(self, h: Hold, kind: str, t0: float) -> float:
        """Put one event at t0 in hold h; returns its duration."""
        lv = h.level
        if kind == "bump":
            up = self.rng.random() < 0.5 or lv * 0.82 < 3.0
            amax = 0.35 if up else min(0.35, 1 - 3.0 / lv)
            a = self.u(0.16, max(0.165, amax)) * (1 if up else -1)
            r1, top, r2 = self.u(0.08, 0.15), self.u(0.3, 0.38), self.u(0.08, 0.15)
            d = r1 + top + r2
            self.overlays.append(
                {"kind": "bump", "t0": t0, "t1": t0 + d, "a": a, "r1": r1, "top": top, "r2": r2}
            )
            h.area += a * (top + 0.5 * (r1 + r2))
            self.impacts.append((t0 + r1, abs(a) * lv))
            self.impacts.append((t0 + r1 + top + r2, abs(a) * lv))
            h.exits.append("high" if a > 0 else "low")
            h.spans.append((t0, t0 + d, "exit"))
            return d
        if kind == "jolt":
            a = self.u(0.025, 0.05) * (1 if self.rng.random() < 0.5 else -1)
            d = self.u(0.2, 0.5)
            self.overlays.append({"kind": "hann", "t0": t0, "t1": t0 + d, "a": a})
            h.area += 0.5 * a * d
            return d
        if kind == "flick":
            a = self.u(0.12, 0.25) * (1 if self.rng.random() < 0.5 else -1)
            d = self.u(0.04, 0.1)
            self.overlays.append({"kind": "hann", "t0": t0, "t1": t0 + d, "a": a})
            self.impacts.append((t0 + d / 2, abs(a) * lv))
            h.spans.append((t0, t0 + d, "flick"))
            return d
        if kind in ("drift", "rock_slow"):
            lo_d, hi_d = (0.16, 0.22) if self.fatigue else (0.14, 0.2)
            dpk = self.u(lo_d, hi_d)
            up = kind == "drift" and self.rng.random() < 0.5
            s1, s2 = self.u(0.03, 0.055), self.u(0.03, 0.055)
            tu, td = dpk / s1, dpk / s2
            d = tu + td + 0.6
            ov = {"kind": "tri", "t0": t0, "t1": t0 + d, "a": dpk if up else -dpk, "tu": tu, "td": td}
            h.area += (1 if up else -1) * dpk * 0.5 * (tu + td)
            if kind == "drift":
                self.overlays.append(ov)
            else:
                ov["a"] = dpk
                self.tilts.append(ov)
                self.info["rocks"].append({"t0": t0, "t1": t0 + d, "depth": dpk, "level_n": lv})
            h.exits.append("high" if up else "low")
            h.spans.append((t0, t0 + d, "exit"))
            return d
        if kind == "rock_quick":
            a = self.u(0.18, 0.3)
            r1, top, r2 = self.u(0.08, 0.15), self.u(0.3, 0.38), self.u(0.08, 0.15)
            d = r1 + top + r2
            self.tilts.append(
                {"kind": "bump", "t0": t0, "t1": t0 + d, "a": a, "r1": r1, "top": top, "r2": r2}
            )
            h.area -= a * (top + 0.5 * (r1 + r2))
            self.info["rocks"].append({"t0": t0, "t1": t0 + d, "depth": a, "level_n": lv})
            h.exits.append("low")
            h.spans.append((t0, t0 + d, "exit"))
            return d
        if kind == "yield":
            y = self.u(0.02, 0.05)
            ty, tr = self.u(6.0, 15.0), self.u(max(3.0, y / 0.017), 6.0)
            d = ty + tr
            self.overlays.append({"kind": "yield", "t0": t0, "t1": t0 + d, "a": -y, "ty": ty, "tr": tr})
            h.area -= 0.5 * y * d
            return d
        raise ValueError(kind)

    def event_kinds(self, h: Hold) -> list[str]:
        kinds = ["bump", "bump", "jolt", "drift"]
        if self.cfg.flick_ok:
            kinds.append("flick")
        if "rocking_tip" in self.cfg.hands:
            kinds += ["rock_slow", "rock_quick", "rock_quick"]
        return kinds

    def body(
        self, h: Hold, min_len: float, n_events: int, kinds: list[str] | None = None, room: float = 1e9
    ) -> None:
        """Dwell in hold h for >= min_len s with n_events events; with little room, no long events."""
        cur = h.a1 + h.quiet + self.u(0.0, 1.5)
        pool = kinds or self.event_kinds(h)
        if room < 22.0:
            pool = [k for k in pool if k not in ("drift", "rock_slow")]
        if self.pending and kinds is None:
            n_events = max(n_events, 1)
        for _ in range(n_events):
            kind = pool[int(self.rng.integers(len(pool)))]
            if self.pending and kinds is None:
                kind = self.pending.pop(0)
            cur += self.add_event(h, kind, cur) + self.u(1.8, 3.5)
        end = max(cur + self.u(0.7, 2.0), h.a1 + min_len, self.area_end(h))
        self.dwell_until(end)

    @staticmethod
    def area_end(h: Hold) -> float:
        """The earliest end that keeps the hold's mean within 2.5 % of its level."""
        return h.a1 + abs(h.area) / 0.025

    # -- contacts that never hold
    def touch(self, peak: float, dur: float, kind: str = "touch") -> None:
        assert self.f == 0.0
        t0 = self.t
        self._piece(dur, "touch", peak=peak)
        self.contacts.append((t0, t0 + dur, kind))
        self.impacts.append((t0 + dur / 2, peak))

    def rest(self, dur: float, touches: int = 0) -> None:
        assert self.f == 0.0
        t_end = self.t + dur
        for _ in range(touches):
            if t_end - self.t < 1.2 + 0.6 + 1.2 + 0.3:
                break
            self.dwell_until(self.t + self.u(1.2, max(1.25, (t_end - self.t - 1.8) / 2)))
            hi = {"light": 10.0, "medium": 25.0, "heavy": 60.0}[self.cfg.load]
            self.touch(self.u(4.0, hi), self.u(0.2, 0.6))
        self.dwell_until(max(t_end, self.t + 1.2))

    def stroking(self) -> None:
        a = self.u(0.4, 0.65)
        m = self.u(max(8.0, 4.0 / (1 - a)), 60.0 if self.cfg.load != "light" else 20.0)
        period = self.u(0.9, 1.8)
        dur = self.u(4.0, 12.0)
        t0 = self.t
        self._piece(dur, "stroke", m=m, a=a, T=period, ph=self.u(0, 2 * math.pi), mod=self.u(0.1, 0.35))
        self.contacts.append((t0, t0 + dur, "stroke"))
        self.info["strokes"].append({"t0": t0, "t1": t0 + dur, "m": m, "a": a, "T": period})

    # -- levels
    def level(self, load: str | None = None) -> float:
        load = load or self.cfg.load
        if load == "light":
            return self.u(3.5, 8.0)
        if load == "medium":
            return float(math.exp(self.rng.uniform(math.log(10.0), math.log(100.0))))
        return float(math.exp(self.rng.uniform(math.log(100.0), math.log(450.0))))

    def step_ratio(self, lv: float, slow: bool = False) -> float:
        lo, hi = {"light": (3.5, 9.0), "medium": (8.0, 130.0), "heavy": (80.0, 500.0)}[self.cfg.load]
        up, down = ((1.2, 1.37), (0.63, 0.82)) if slow else ((1.2, 1.9), (0.45, 0.82))
        for _ in range(20):
            r = self.u(*up) if self.rng.random() < 0.5 else self.u(*down)
            if lo <= lv * r <= hi and lv * r >= 3.5:
                return r
        return 1.3 if lv * 1.3 <= hi else 0.7

    # -- blocks
    def general_block(self, last: bool, budget: float) -> None:
        t_stop = self.t + budget
        h = self.arrive(self.level(), "general")
        nsteps = int(self.rng.choice([0, 1, 1, 2, 2, 3]))
        nsteps = min(nsteps, 0 if budget < 15 else 1 if budget < 28 else 2 if budget < 45 else 3)
        reinforce = self.cfg.protocol == "reinforced_thumb" and not self.info["reinforced"] and not last
        if reinforce:
            nsteps = max(nsteps, 1)
        for k in range(nsteps + 1):
            n_ev = int(self.rng.choice([0, 1, 1, 2, 2, 3]))
            if budget < 30.0:
                n_ev = min(n_ev, 1)
            if self.t > t_stop - 10.0:
                n_ev = min(n_ev, 1)
                nsteps = max(k, 1 if reinforce else 0)
            room = budget / (nsteps + 1)
            if last and k == nsteps:
                self.body(h, self.u(5.0, 12.0), n_ev, room=room)
                self.dwell_until(self.t + self.u(3.0, 5.0))
                h.end = float("nan")
                h.ended_by = "end_of_data"
                return
            self.body(h, self.u(5.0, min(14.0, max(6.0, room - 4.0))), n_ev, room=room)
            if k < nsteps:
                slow = self.rng.random() < 0.4 and self.wander_env(self.t + 10) <= 0.009
                ratio = self.step_ratio(h.level, slow)
                if reinforce and k == 0:
                    slow, ratio = False, self.u(1.25, 1.9)
                h = self.step(ratio, slow)
        self.release()

    def myofascial_block(self, budget: float) -> None:
        h = self.arrive(self.u(8.0, 40.0), "myofascial", self._protocol_move(1.0, 2.5))
        dur = max(60.0, min(self.u(60.0, 150.0), budget - 8.0))
        t_end = h.a1 + dur
        cur = h.a1 + 3.0 + self.u(0.0, 2.0)
        n_deep = int(self.rng.integers(0, 3))
        deep_at = sorted(self.rng.uniform(0.15, 0.8, size=n_deep) * dur + h.a1)
        while True:
            if deep_at and cur >= deep_at[0]:
                deep_at.pop(0)
                kind = "rock_slow" if "rocking_tip" in self.cfg.hands and self.rng.random() < 0.5 else "drift"
                if cur + 18.0 > t_end - 3.0:
                    break
                d = self.add_event(h, kind, cur)
                ov = self.overlays[-1] if kind == "drift" else {"a": 0.0}
                if ov["a"] > 0:  # deep yields go down
                    h.area -= 2 * ov["a"] * 0.5 * (ov["tu"] + ov["td"])
                    ov["a"] = -ov["a"]
                    h.exits[-1] = "low"
                cur += d + self.u(2.0, 4.0)
                continue
            if cur + 22.0 > t_end - 3.0:
                break
            cur += self.add_event(h, "yield", cur) + self.u(1.0, 6.0)
        self.dwell_until(max(cur + 2.5, t_end, self.area_end(h)))
        self.release(self._protocol_move(0.8, 1.5))

    def counterstrain_block(self) -> None:
        h = self.arrive(self.u(3.5, 8.0), "counterstrain", self._protocol_move(0.8, 2.0))
        dur = self.u(30.0, 90.0)
        cur = h.a1 + 3.0 + self.u(0.0, 3.0)
        drift_done = False
        while cur < h.a1 + dur - 20.0:
            if not drift_done and self.rng.random() < 0.4:
                drift_done = True
                cur += self.add_event(h, "drift", cur) + self.u(2.0, 5.0)
            else:
                cur += self.add_event(h, "jolt", cur) + self.u(3.0, 12.0)
        self.dwell_until(max(cur + 2.5, h.a1 + dur, self.area_end(h)))
        self.release(self._protocol_move(0.6, 1.2))

    def pause_block(self) -> None:
        dur = self.u(8.0, 25.0)
        t0 = self.t
        t_end = t0 + dur
        for _ in range(int(self.rng.integers(0, 3))):
            if t_end - self.t < 6.0:
                break
            self.dwell_until(self.t + self.u(1.5, 4.0))
            self.touch(self.u(3.0, 12.0), self.u(0.1, 0.35), "knock")
        self.dwell_until(max(t_end, self.t + 1.5))
        self.info["pauses"].append({"t0": t0, "t1": self.t})

    def compose(self) -> float:
        cfg = self.cfg
        self.fat_end = self.u(0.02, 0.025)
        self.rest(self.u(1.0, 3.0))
        seq: list[str]
        if cfg.protocol == "myofascial_release":
            seq = (["general"] if self.rng.random() < 0.5 else []) + ["myofascial"]
        elif cfg.protocol == "strain_counterstrain":
            seq = ["counterstrain", "general"]
        elif cfg.protocol == "deep_stroking":
            seq = ["general", "stroke", "general"] if self.rng.random() < 0.6 else ["stroke", "general"]
        elif cfg.protocol == "repositioning_pause":
            seq = ["general", "pause", "general"]
        else:
            seq = ["general", "general"]
        extra = {
            "myofascial_release": ["general", "touchrest"],
            "strain_counterstrain": ["counterstrain", "general", "touchrest"],
            "deep_stroking": ["stroke", "general", "touchrest"],
            "reinforced_thumb": ["general", "touchrest"],
            "repositioning_pause": ["general", "touchrest"],
        }[cfg.protocol]
        target = cfg.t_target - (25.0 if cfg.end_in_hold else 0.0)
        i = 0
        while True:
            if i < len(seq):
                kind = seq[i]
            elif self.t < target - 12.0:
                kind = extra[int(self.rng.integers(len(extra)))]
            else:
                break
            i += 1
            budget = max((target - self.t) / max(1, len(seq) - i + 1), 15.0)
            if kind == "general":
                self.general_block(False, budget)
            elif kind == "myofascial":
                self.myofascial_block(budget)
            elif kind == "counterstrain":
                if budget < 40.0 and i > len(seq):
                    continue
                self.counterstrain_block()
            elif kind == "stroke":
                self.stroking()
            elif kind == "pause":
                self.pause_block()
            elif kind == "touchrest":
                self.rest(self.u(3.0, 6.0), touches=int(self.rng.integers(1, 3)))
                continue
            self.rest(self.u(1.5, 5.0), touches=int(self.rng.random() < 0.35))
        if cfg.end_in_hold:
            self.general_block(True, 25.0)
        if not self.holds or self.holds[-1].ended_by != "end_of_data":
            self.rest(self.u(1.5, 4.0))
        total = self.t
        for h in self.holds:
            if h.ended_by == "end_of_data":
                h.end = total
        if not 40.0 <= total <= 200.0:
            raise Reject(f"session length {total:.1f} s outside 40-200 s")
        return total


# ----------------------------------------------------------------------------------------------------
# Rendering the label signal and the physical force
# ----------------------------------------------------------------------------------------------------
def _band_noise(rng: np.random.Generator, n: int, fs: float, f_lo: float, f_hi: float) -> np.ndarray:
    """Unit-RMS noise band-limited to [f_lo, f_hi] Hz (smooth edges)."""
    m = 1 << math.ceil(math.log2(n))
    spec = np.fft.rfft(rng.standard_normal(m))
    f = np.fft.rfftfreq(m, 1.0 / fs)
    w = _cos01((f - f_lo * 0.7) / (f_lo * 0.3 + 1e-9)) * (1 - _cos01((f - f_hi) / (0.3 * f_hi)))
    y = np.fft.irfft(spec * w, m)[:n]
    return y / (np.sqrt(np.mean(y**2)) + 1e-12)


def _slow_wander(rng: np.random.Generator, tg: np.ndarray, f_lo: float, f_hi: float) -> np.ndarray:
    y = np.zeros_like(tg)
    for _ in range(3):
        y += rng.uniform(0.5, 1.0) * np.sin(2 * np.pi * rng.uniform(f_lo, f_hi) * tg + rng.uniform(0, 6.3))
    return y / np.max(np.abs(y))


def render(plan: Plan, total: float, offset_n: float) -> dict[str, np.ndarray]:
    rng = plan.rng
    n = round(total * GRID_HZ) + 1
    tg = np.arange(n) / GRID_HZ
    base = np.zeros(n)
    for t0, t1, kind, kw in plan.pieces:
        i0, i1 = round(t0 * GRID_HZ), round(t1 * GRID_HZ)
        if kind == "move" and i1 < n and t1 == plan.pieces[-1][1]:
            i1 = n
        tau = tg[i0:i1] - t0
        if kind == "const":
            base[i0:i1] = kw["f"]
        elif kind == "move":
            base[i0:i1] = kw["f0"] + (kw["f1"] - kw["f0"]) * _frac(kw["shape"], tau, kw["p"])
        elif kind == "touch":
            base[i0:i1] = kw["peak"] * np.sin(np.pi * tau / (t1 - t0)) ** 2
        elif kind == "stroke":
            d = t1 - t0
            env = _cos01(tau / 0.4) * _cos01((d - tau) / 0.4)
            ph = 2 * np.pi * tau / kw["T"] + kw["mod"] * np.sin(2 * np.pi * tau / (3.7 * kw["T"])) + kw["ph"]
            base[i0:i1] = kw["m"] * (1 + kw["a"] * np.sin(ph)) * env
    base[-1] = base[-2]
    ov = np.zeros(n)
    for o in plan.overlays:
        i0, i1 = round(o["t0"] * GRID_HZ), min(n, round(o["t1"] * GRID_HZ) + 1)
        tau = tg[i0:i1] - o["t0"]
        ov[i0:i1] += o["a"] * _overlay_shape(o, tau)
    cosfac = np.ones(n)
    if "rocking_tip" in plan.cfg.hands:
        thx = np.radians(rng.uniform(6.0, 10.0)) * _slow_wander(rng, tg, 0.03, 0.1)
        thy = np.radians(rng.uniform(2.0, 5.0)) * _slow_wander(rng, tg, 0.03, 0.1)
        dep = np.zeros(n)
        for o in plan.tilts:
            i0, i1 = round(o["t0"] * GRID_HZ), min(n, round(o["t1"] * GRID_HZ) + 1)
            dep[i0:i1] += o["a"] * _overlay_shape(o, tg[i0:i1] - o["t0"])
        thy = np.sign(thy + 1e-12) * np.sqrt(thy**2 + np.arccos(np.clip(1 - dep, -1, 1)) ** 2)
        cosfac = np.cos(thx) * np.cos(thy)
    if plan.fatigue:
        env = 0.005 + (plan.fat_end - 0.005) * np.clip(tg / max(plan.cfg.t_target, 1.0), 0, 1)
        wander = env * _slow_wander(rng, tg, 0.02, 0.08)
    else:
        wander = plan.wander_amp * _slow_wander(rng, tg, 0.02, 0.05)
    label = base * (1 + wander + ov) * cosfac + offset_n
    return {"t": tg, "label": label, "base": base}


def add_hand_noise(plan: Plan, sig: dict[str, np.ndarray]) -> None:
    """The physical force: the label signal plus tremor and motor noise (signal-dependent)."""
    rng, tg, base = plan.rng, sig["t"], sig["base"]
    n = len(tg)
    if plan.fatigue:
        trem_env = 0.004 + (rng.uniform(0.016, 0.02) - 0.004) * tg / tg[-1]
    else:
        trem_env = np.full(n, rng.uniform(0.003, 0.008))
    tremor = trem_env * _band_noise(rng, n, GRID_HZ, rng.uniform(8.0, 9.5), rng.uniform(10.0, 11.5))
    motor = rng.uniform(0.0015, 0.003) * _band_noise(rng, n, GRID_HZ, 0.3, 3.0)
    sig["phys"] = sig["label"] + base * (tremor + motor)
    sig["trem_env"] = trem_env


def _overlay_shape(o: dict[str, Any], tau: np.ndarray) -> np.ndarray:
    k = o["kind"]
    if k == "bump":
        return _flat_bump(tau, o["r1"], o["top"], o["r2"])
    if k == "hann":
        return np.sin(np.pi * np.clip(tau / (o["t1"] - o["t0"]), 0, 1)) ** 2
    if k == "tri":
        tu, td = o["tu"], o["td"]
        core = np.clip(np.minimum((tau - 0.3) / tu, (tu + td + 0.3 - tau) / td), 0.0, None)
        w = int(0.6 * GRID_HZ)
        pad = np.concatenate([np.zeros(w), core, np.zeros(w)])
        return _hann_smooth(pad, w)[w:-w]
    if k == "yield":
        ty, tr = o["ty"], o["tr"]
        return np.where(tau < ty, _cos01(tau / ty), 1 - _cos01((tau - ty) / tr))
    raise ValueError(k)


# ----------------------------------------------------------------------------------------------------
# First reading: labels from the plan, measured on the label signal
# ----------------------------------------------------------------------------------------------------
def _settle(
    t: np.ndarray,
    x: np.ndarray,
    i_from: int,
    guess: float,
    win: tuple[float, float] = LEVEL_WIN,
    tol: float = SETTLE,
) -> tuple[int, float]:
    """Fixed point: start = first index >= i_from within tol of L; L = median over start + win."""
    fs = 1.0 / (t[1] - t[0])
    lv = guess
    st = i_from
    for _ in range(60):
        near = np.abs(x[i_from:] / lv - 1.0) <= tol
        if not near.any():
            raise Reject("a hold never settles")
        st_new = i_from + int(np.argmax(near))
        a, b = st_new + round(win[0] * fs), st_new + round(win[1] * fs)
        lv_new = float(np.median(x[a : max(b, a + 1)]))
        if st_new == st and abs(lv_new / lv - 1) < 1e-6:
            break
        st, lv = st_new, lv_new
    return st, lv


def _exit_runs(dev: np.ndarray, band: float, fs: float) -> list[tuple[int, int]]:
    out = np.abs(dev) > band
    edges = np.diff(np.concatenate([[0], out.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def plan_labels(plan: Plan, sig: dict[str, np.ndarray], min_rate: float) -> dict[str, Any]:
    t, x = sig["t"], sig["label"]
    fs = GRID_HZ
    holds = []
    exits: list[tuple[float, str]] = []
    optional: list[tuple[float, str]] = []
    for hi, h in enumerate(plan.holds):
        i_a0 = round(h.a0 * fs)
        i_a1 = round(h.a1 * fs)
        guess = float(np.median(x[i_a1 : i_a1 + int(1.5 * fs)]))
        st, lv = _settle(t, x, i_a0, guess)
        start = float(t[st])
        end = h.end
        i_end = min(len(t) - 1, round(end * fs))
        if end - start < 4.0:
            raise Reject(f"hold at {start:.1f} s lasts {end - start:.2f} s (< 4 s)")
        mean = float(np.mean(x[st:i_end]))
        if abs(mean / lv - 1) > 0.04:
            raise Reject(f"hold at {start:.1f} s: mean {mean:.2f} is > 4 % from its level {lv:.2f}")
        for w in ((0.3, 1.2), (0.0, 3.0)):
            a, b = st + int(w[0] * fs), st + int(w[1] * fs)
            if abs(float(np.median(x[a:b])) / lv - 1) > 0.012:
                raise Reject(f"hold at {start:.1f} s: settled level depends on the window")
        # band exits, watched from start + 1.5 s to the end
        c0 = st + round(HOLD_MIN * fs)
        dev = x[c0:i_end] / lv - 1.0
        mine = _plan_exits(t[c0:i_end], dev, fs)
        exits += mine
        if [d for _, d in mine] != h.exits:
            raise Reject(f"hold at {start:.1f} s: exits {[d for _, d in mine]} differ from design {h.exits}")
        _check_deviation(t[c0:i_end], dev, h, min_rate, fs)
        # slow step leaving: optional exit where the ramp crosses the old band
        if h.ended_by == "step" and plan.holds[hi + 1].slow_in:
            nxt = plan.holds[hi + 1]
            j1 = min(len(t), round((nxt.a1 + 3.0) * fs))
            dev2 = x[i_end:j1] / lv - 1.0
            out = np.abs(dev2) > BAND
            if out.any():
                k = int(np.argmax(out))
                optional.append((float(t[i_end + k]), "high" if dev2[k] > 0 else "low"))
        holds.append({"start": start, "end": float(end), "level": lv, "ended_by": h.ended_by, "i_start": st})
    # step sizes and durations: a hold ended by a step is followed by the step's new hold
    for hi, h in enumerate(plan.holds):
        if h.ended_by != "step":
            continue
        a, b = holds[hi]["level"], holds[hi + 1]["level"]
        ch = min(abs(b / a - 1), abs(a / b - 1))
        if ch < 0.18:
            raise Reject(f"step at {h.end:.1f} s changes the level by {100 * ch:.0f} % only")
        comp = holds[hi + 1]["start"] - h.end
        slow = plan.holds[hi + 1].slow_in
        if (not slow and comp > 1.5) or (slow and comp < 3.0):
            raise Reject(f"step at {h.end:.1f} s completes after {comp:.2f} s")
    # touches: short, apart
    for t0, t1, kind in plan.contacts:
        if kind == "stroke":
            continue
        i0, i1 = round(t0 * fs), round(t1 * fs) + 1
        above = x[i0:i1] > 1.5
        if above.sum() / fs > 0.7:
            raise Reject("a touch lasts too long")
    return {
        "holds": holds,
        "steps": [(s["t"], s["dir"]) for s in plan.steps],
        "releases": [r["t"] for r in plan.releases],
        "exits": exits,
        "optional": optional,
    }


def _plan_exits(t: np.ndarray, dev: np.ndarray, fs: float) -> list[tuple[float, str]]:
    res = []
    armed = True
    last_end = -(10**9)
    for s, e in _exit_runs(dev, BAND, fs):
        if not armed and (s - last_end) / fs >= REARM:
            armed = True
        if armed and (e - s) / fs >= DEBOUNCE:
            res.append((float(t[s]), "high" if dev[s] > 0 else "low"))
            armed = False
        last_end = e
    return res


def _check_deviation(t: np.ndarray, dev: np.ndarray, h: Hold, min_rate: float, fs: float) -> None:
    """Margins of the band: designed exits clear, everything else well inside."""
    free = np.ones(len(t), bool)
    for a, b, kind in h.spans:
        m = (t >= a - 0.3) & (t <= b + 0.3)
        free &= ~m
        seg = dev[m]
        if not len(seg):
            continue
        if kind == "flick":
            if (np.abs(seg) > BAND).sum() / fs > 0.06:
                raise Reject("a flick stays out of the band too long")
            continue
        pk = float(np.max(np.abs(seg)))
        if pk < 0.135:
            raise Reject(f"an exit at {a:.1f} s peaks at {100 * pk:.1f} % only")
        out_t = (np.abs(seg) > BAND).sum() / fs
        if out_t < max(0.35, 3.5 / min_rate):
            raise Reject(f"an exit at {a:.1f} s is out for {out_t:.2f} s only")
        k = int(np.argmax(np.abs(seg) > BAND))
        rate = abs(float(seg[min(k + 5, len(seg) - 1)] - seg[max(k - 5, 0)])) * fs / 10
        if rate < 0.025:
            raise Reject(f"an exit at {a:.1f} s crosses at {100 * rate:.1f} %/s only")
    if free.any() and float(np.max(np.abs(dev[free]))) > 0.065:
        raise Reject(
            f"hold at {h.a1:.1f} s strays {100 * np.max(np.abs(dev[free])):.1f} % outside its events"
        )


# ----------------------------------------------------------------------------------------------------
# The second reader: the Definitions applied to the label signal alone
# ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReaderParams:
    contact: float = 2.0
    hold_min: float = 1.5
    hold_tol: float = 0.08
    settle: float = SETTLE
    level_win: tuple[float, float] = LEVEL_WIN
    step_min: float = 0.10
    fast_max: float = 2.0
    slow_max: float = 8.0
    slow_steady: float = 3.0
    steady_range: float = 0.03
    slow_rate: float = 0.10
    ret: float = 1.0
    rel_frac: float = 0.15
    rel_stay: float = 1.0
    band: float = 0.10
    debounce: float = 0.15
    rearm: float = 0.5
    smooth: float = 0.0


@dataclass
class Reading:
    holds: list[tuple[float, float, float, str]] = field(default_factory=list)
    steps: list[tuple[float, str]] = field(default_factory=list)
    releases: list[float] = field(default_factory=list)
    exits: list[tuple[float, str]] = field(default_factory=list)
    optional: list[tuple[float, str]] = field(default_factory=list)


def _window_extremes(a: np.ndarray, w: int) -> tuple[np.ndarray, np.ndarray]:
    """max and min of a[i:i+w] for every i (length len(a)-w+1), by doubling."""
    mx, mn = a.copy(), a.copy()
    span = 1
    while span * 2 <= w:
        mx = np.maximum(mx[:-span], mx[span:])
        mn = np.minimum(mn[:-span], mn[span:])
        span *= 2
    k = w - span
    m = len(a) - w + 1
    return np.maximum(mx[:m], mx[k : k + m]), np.minimum(mn[:m], mn[k : k + m])


class SecondReader:
    """Holds, steps, releases and band exits of a clean force signal (uniform grid), by the Definitions."""

    def __init__(self, t: np.ndarray, x: np.ndarray, p: ReaderParams) -> None:
        self.p = p
        self.t = t
        self.dt = float(t[1] - t[0])
        if p.smooth > 0:
            k = max(1, round(p.smooth / self.dt) | 1)
            pad = np.concatenate([np.full(k // 2, x[0]), x, np.full(k // 2, x[-1])])
            x = np.convolve(pad, np.ones(k) / k, mode="valid")
        self.x = x
        self.n = len(x)
        self.rate = np.gradient(x, self.dt)
        self.W = round(p.hold_min / self.dt)
        hi, lo = _window_extremes(x, self.W + 1)
        q = (1 + p.hold_tol) / (1 - p.hold_tol)
        self.win_ok = (hi <= lo * q) & (lo > p.contact)

    def idx(self, secs: float) -> int:
        return round(secs / self.dt)

    def next_window(self, i: int) -> int | None:
        if i >= len(self.win_ok):
            return None
        m = self.win_ok[i:]
        j = int(np.argmax(m))
        return i + j if m[j] else None

    def scan(self, k: int, test: Any, stop: int | None = None) -> int | None:
        """First index >= k (before stop) where test(x[...]) holds, looking ahead in growing chunks."""
        stop = self.n if stop is None else stop
        c = 256
        while k < stop:
            e = min(stop, k + c)
            m = test(self.x[k:e])
            if m.any():
                return k + int(np.argmax(m))
            k, c = e, c * 2
        return None

    def settle(self, k0: int, s: int) -> tuple[int, float]:
        x, p = self.x, self.p
        a = s + self.W
        lv = float(np.median(x[a : a + self.idx(1.5)])) if a + 2 < self.n else 0.0
        if lv <= p.contact:  # the window is the contact's last stretch: start from the window itself
            lv = float(np.median(x[s : s + self.W + 1]))
        st = -1
        for _ in range(80):
            # the arrival: from the last moment before the window outside the hold tolerance of lv
            far = np.flatnonzero(np.abs(x[k0:s] / lv - 1.0) > p.hold_tol)
            k1 = k0 + int(far[-1]) if len(far) else k0
            found = self.scan(k1, lambda v, lv=lv: np.abs(v / lv - 1.0) <= p.settle)
            if found is None:
                return s, lv
            st2 = found
            b0, b1 = st2 + self.idx(p.level_win[0]), st2 + self.idx(p.level_win[1])
            lv2 = float(np.median(x[b0 : max(b1, b0 + 1)]))
            if lv2 <= p.contact or (st2 == st and abs(lv2 / lv - 1) < 1e-9):
                st = st2
                break
            st, lv = st2, lv2
        return st, lv

    def onset(self, k0: int, a: int) -> int:
        lo = max(k0, a - self.idx(3.0))
        r = np.abs(self.rate[lo : a + 1])
        thr = 0.15 * float(r.max())
        below = np.flatnonzero(r < thr)
        return lo + int(below[-1]) if len(below) else lo

    def find_steady(self, a: int, b: int, lv: float) -> int | None:
        """First e in [a, b) from which the force stays steady for slow_steady s -- within +-steady_range/2
        of one level and changing by under 1.5 %/s of it -- at a level >= step_min away from lv."""
        w = self.idx(self.p.slow_steady) + 1
        if b - a < w:
            return None
        hi, lo = _window_extremes(self.x[a:b], w)
        rhi, rlo = _window_extremes(self.rate[a:b], w)
        mid = 0.5 * (hi + lo)
        ok = ((hi - lo) <= self.p.steady_range * mid) & (np.maximum(rhi, -rlo) <= 0.015 * mid)
        ok &= (np.abs(mid / lv - 1.0) >= self.p.step_min) & (lo > self.p.contact)
        if not ok.any():
            return None
        return a + int(np.argmax(ok))

    def exits(self, k0: int, k1: int, lv: float) -> list[tuple[float, str]]:
        p = self.p
        if k1 <= k0:
            return []
        dev = self.x[k0:k1] / lv - 1.0
        out = np.abs(dev) > p.band
        flips = np.flatnonzero(np.diff(out.astype(np.int8))) + 1
        bounds = np.concatenate([[0], flips, [len(out)]])
        res = []
        armed = True
        inside_since: int | None = 0
        for s, e in itertools.pairwise(bounds):
            if out[s]:
                if not armed and inside_since is not None and (s - inside_since) * self.dt >= p.rearm:
                    armed = True
                if armed and (e - s) * self.dt >= p.debounce:
                    res.append((float(self.t[k0 + s]), "high" if dev[s] > 0 else "low"))
                    armed = False
                inside_since = None
            else:
                inside_since = s
                if not armed and (e - s) * self.dt >= p.rearm:
                    armed = True
        return res

    def read(self) -> Reading:
        p, t = self.p, self.t
        out = Reading()
        i = 0
        while i < self.n:
            s = self.next_window(i)
            if s is None:
                break
            k0 = i
            # the arrival began where contact began (or at i)
            st, lv = self.settle(k0, s)
            while True:
                res = self.follow(st, lv)
                kind, o, nxt = res[0], res[1], res[2]
                end = self.n - 1 if kind == "end_of_data" else o
                c0 = st + self.W
                out.holds.append((float(t[st]), float(t[end]), lv, kind if kind != "step_slow" else "step"))
                out.exits += self.exits(c0, end, lv)
                if kind in ("step", "step_slow"):
                    st2, lv2 = res[3], res[4]
                    out.steps.append((float(t[o]), "up" if lv2 > lv else "down"))
                    if kind == "step_slow":
                        full = self.exits(c0, st2 + self.idx(p.slow_steady), lv)
                        out.optional += [e for e in full if e[0] >= t[o]]
                    st, lv = st2, lv2
                    continue
                if kind == "release":
                    out.releases.append(float(t[o]))
                break
            if kind == "end_of_data":
                break
            i = max(nxt, i + 1)
        return out

    def follow(self, st: int, lv: float) -> tuple[Any, ...]:
        p, x, t = self.p, self.x, self.t
        band_lo, band_hi = lv * (1 - p.hold_tol), lv * (1 + p.hold_tol)
        k = st
        while True:
            a_ = self.scan(k, lambda v: (v < band_lo) | (v > band_hi) | (v <= p.contact))
            if a_ is None:
                return ("end_of_data", self.n - 1, self.n)
            a = a_
            o = self.onset(st, a)
            b = self.scan(a, lambda v: (v >= band_lo) & (v <= band_hi))
            lost = x[a : (b if b is not None else self.n)] <= p.contact
            if b is not None and not lost.any() and t[b] - t[o] <= p.ret:
                k = b
                continue
            # release: below contact, or below rel_frac of the level for rel_stay
            line = max(p.contact, p.rel_frac * lv)
            q = self.scan(a, lambda v, line=line: v < line, min(self.n, a + self.idx(3.0) + 1))
            if (
                q is not None
                and (b is None or q < b)
                and (x[q] <= p.contact or bool(np.all(x[q : q + self.idx(p.rel_stay)] < line)))
            ):
                j = self.scan(q, lambda v: v > p.contact)
                return ("release", o, self.n if j is None else j)
            slow = float(np.max(np.abs(self.rate[o : a + 1]))) / lv < p.slow_rate
            limit = b if b is not None else self.n
            if lost.any():
                limit = min(limit, a + int(np.argmax(lost)))
            # a fast step: settled into a new hold within fast_max of the onset
            s2 = self.next_window(a)
            if s2 is not None and s2 < limit:
                st2, lv2 = self.settle(o, s2)
                if abs(lv2 / lv - 1) >= p.step_min and t[st2] - t[o] <= p.fast_max:
                    return ("step", o, st2, st2, lv2)
            # a slow step: steady at a new level for slow_steady, reached within slow_max of the onset
            e = self.find_steady(a, limit, lv)
            if e is not None:
                st2, lv2 = self.settle(o, e)
                if t[st2] - t[o] <= p.slow_max and abs(lv2 / lv - 1) >= p.step_min:
                    return ("step_slow", o, st2, st2, lv2)
            if slow and b is not None:  # slow drift: the hold goes on
                k = b
                continue
            return ("left", o, a)


# Variants of the thresholds: (name, params, time tolerance, level tolerance, exit tolerance or None)
NOMINAL_TOL = (0.3, 0.02, 0.2)
_P = ReaderParams()
VARIANTS: list[tuple[str, ReaderParams, float, float, float | None]] = [
    ("hold 1.0 s", replace(_P, hold_min=1.0), 0.5, 0.03, 0.35),
    ("hold 2.2 s", replace(_P, hold_min=2.2), 0.5, 0.03, 0.35),
    ("hold tolerance 6 %", replace(_P, hold_tol=0.06), 0.5, 0.03, 0.35),
    ("hold tolerance 10 %", replace(_P, hold_tol=0.10), 0.5, 0.03, 0.35),
    ("step 7 %", replace(_P, step_min=0.07), 0.5, 0.03, 0.35),
    ("step 13 %", replace(_P, step_min=0.13), 0.5, 0.03, 0.35),
    ("return 0.8 s", replace(_P, ret=0.8), 0.5, 0.03, 0.35),
    ("return 1.3 s", replace(_P, ret=1.3), 0.5, 0.03, 0.35),
    ("slow rate 6 %/s", replace(_P, slow_rate=0.06), 0.5, 0.03, 0.35),
    ("slow rate 15 %/s", replace(_P, slow_rate=0.15), 0.5, 0.03, 0.35),
    ("steady 2 s", replace(_P, slow_steady=2.0), 0.5, 0.03, 0.35),
    ("steady 4 s", replace(_P, slow_steady=4.0), 0.5, 0.03, 0.35),
    ("slow max 6.5 s", replace(_P, slow_max=6.5), 0.5, 0.03, 0.35),
    ("slow max 10 s", replace(_P, slow_max=10.0), 0.5, 0.03, 0.35),
    ("band 9.2 %", replace(_P, band=0.092), 0.5, 0.03, 0.35),
    ("band 10.8 %", replace(_P, band=0.108), 0.5, 0.03, 0.35),
    ("band 8.5 %", replace(_P, band=0.085), 0.5, 0.03, None),
    ("band 11.5 %", replace(_P, band=0.115), 0.5, 0.03, None),
    ("debounce 0.08 s", replace(_P, debounce=0.08), 0.5, 0.03, 0.35),
    ("debounce 0.3 s", replace(_P, debounce=0.3), 0.5, 0.03, 0.35),
    ("re-arm 0.25 s", replace(_P, rearm=0.25), 0.5, 0.03, 0.35),
    ("re-arm 1 s", replace(_P, rearm=1.0), 0.5, 0.03, 0.35),
    ("contact 1.5 N", replace(_P, contact=1.5), 0.5, 0.03, 0.35),
    ("contact 2.6 N", replace(_P, contact=2.6), 0.5, 0.03, 0.35),
    ("settle 1.5 %", replace(_P, settle=0.015), 0.5, 0.03, 0.35),
    ("settle 3 %", replace(_P, settle=0.03), 0.5, 0.03, 0.35),
    ("level window 0.3-1.2 s", replace(_P, level_win=(0.3, 1.2)), 0.5, 0.03, 0.35),
    ("level window 0-3 s", replace(_P, level_win=(0.0, 3.0)), 0.5, 0.03, 0.35),
    ("smoothed 0.1 s", replace(_P, smooth=0.1), 0.5, 0.03, 0.35),
    ("smoothed 0.25 s", replace(_P, smooth=0.25), 0.5, 0.03, 0.35),
]


def reading_to_labels(
    rd: Reading, tmap: tuple[np.ndarray, np.ndarray] | None, factor: float, t_last: float | None = None
) -> dict[str, Any]:
    """A Reading (true time, N) in the labels file's terms (file time base, file unit); a hold that runs
    to the end of the data ends at the file's last stamp t_last."""

    def m(v: float) -> float:
        return float(v) if tmap is None else float(np.interp(v, tmap[0], tmap[1]))

    def end(b: float, kind: str) -> float:
        return t_last if kind == "end_of_data" and t_last is not None else m(b)

    return {
        "holds": [[m(a), end(b, k), lv / factor] for a, b, lv, k in rd.holds],
        "holds_ended_by": [k for *_, k in rd.holds],
        "steps": [[m(a), d] for a, d in rd.steps],
        "releases": [m(a) for a in rd.releases],
        "band_exits": [[m(a), d] for a, d in rd.exits],
        "band_exits_optional": [[m(a), d] for a, d in rd.optional],
    }


def compare_labels(
    labels: dict[str, Any],
    got: dict[str, Any],
    t_tol: float,
    l_tol: float,
    x_tol: float | None,
    optional: bool = True,
) -> list[str]:
    """Differences between a labels file and a reading (both in file terms); empty when they agree."""
    errs: list[str] = []
    lh, gh = labels.get("holds", []), got["holds"]
    if len(lh) != len(gh):
        errs.append(f"{len(lh)} holds labelled, {len(gh)} read")
    else:
        for (a, b, lv), (c, d, lv2) in zip(lh, gh, strict=True):
            if abs(a - c) > t_tol or abs(b - d) > t_tol or abs(lv2 / lv - 1) > l_tol:
                errs.append(f"hold [{a:.2f}, {b:.2f}, {lv:.4g}] read as [{c:.2f}, {d:.2f}, {lv2:.4g}]")
        if list(labels.get("holds_ended_by", [])) != got["holds_ended_by"]:
            errs.append(f"holds ended by {labels.get('holds_ended_by')} read as {got['holds_ended_by']}")
    for key, tol in (("steps", t_tol), ("releases", t_tol), ("band_exits", x_tol)):
        if key == "band_exits" and tol is None:
            la, ga = labels.get(key, []), got[key]
            if [e[1] for e in la] != [e[1] for e in ga]:
                errs.append(f"{key}: {len(la)} labelled, {len(ga)} read")
            continue
        errs += _cmp_events(key, labels.get(key, []), got[key], float(tol or 0))
    if optional and x_tol is not None:
        errs += _cmp_events(
            "band_exits_optional", labels.get("band_exits_optional", []), got["band_exits_optional"], x_tol
        )
    return errs


def _cmp_events(key: str, lab: list[Any], got: list[Any], tol: float) -> list[str]:
    if len(lab) != len(got):
        return [f"{key}: {len(lab)} labelled, {len(got)} read"]
    errs = []
    for u, v in zip(lab, got, strict=True):
        tu, tv = (u[0], v[0]) if isinstance(u, list) else (u, v)
        du, dv = (u[1], v[1]) if isinstance(u, list) else (None, None)
        if abs(tu - tv) > tol or du != dv:
            errs.append(f"{key}: {u} read as {v}")
    return errs


# ----------------------------------------------------------------------------------------------------
# Sensors and transports
# ----------------------------------------------------------------------------------------------------
def _decimals(res: float) -> int:
    return max(0, math.ceil(-math.log10(res) - 1e-9))


def _quantise(v: np.ndarray, res: float) -> np.ndarray:
    return np.round(v / res) * res


@dataclass
class SensorOut:
    stamps: np.ndarray  # file time column, s
    values: np.ndarray  # file force column, in unit (quantised)
    tmap: tuple[np.ndarray, np.ndarray]  # (true time, stamp), increasing
    t_decimals: int
    info: dict[str, Any]


def sense(
    rng: np.random.Generator,
    cfg: Config,
    plan: Plan,
    sig: dict[str, np.ndarray],
    unit: str,
    res: float,
    noise_n: float,
    quiet: list[tuple[float, float]],
) -> SensorOut:
    tg, phys = sig["t"], sig["phys"]
    total = float(tg[-1])
    factor = UNIT_N[unit]
    info: dict[str, Any] = {}
    csum = np.concatenate([[0.0], np.cumsum(phys) / GRID_HZ])
    tc = np.concatenate([[0.0], tg + 1.0 / GRID_HZ])

    def mean_over(t_end: np.ndarray, period: float) -> np.ndarray:
        return (np.interp(t_end, tc, csum) - np.interp(t_end - period, tc, csum)) / period

    def finish(v_n: np.ndarray) -> np.ndarray:
        return _quantise((v_n + noise_n * rng.standard_normal(len(v_n))) / factor, res)

    if cfg.sensor == "resonant_cell":
        rate = cfg.min_rate
        if rate * total > (110000 if rate == 2000.0 else 36000):
            rate = max([250.0] + [r for r in (400.0, 500.0, 1000.0) if r * total <= 36000])
        f0 = float(rng.uniform(15.0, min(40.0, rate / 6)))
        zeta = float(rng.uniform(0.02, 0.06))
        cpl = float(rng.uniform(0.03, 0.08))
        vib = float(rng.uniform(0.001, 0.003))
        w0 = 2 * np.pi * f0
        wd = w0 * math.sqrt(1 - zeta**2)
        th = np.arange(0, min(5.0 / (zeta * w0), 4.0), 1.0 / GRID_HZ)
        h = w0**2 / wd * np.exp(-zeta * w0 * th) * np.sin(wd * th) / GRID_HZ
        nfft = 1 << math.ceil(math.log2(len(phys) + len(h)))
        # skin and tip micro-vibration (5-80 Hz, signal-dependent) excites the resonance all the time
        drive = phys - phys[0] + vib * sig["base"] * _band_noise(rng, len(phys), GRID_HZ, 5.0, 80.0)
        y = np.fft.irfft(np.fft.rfft(drive, nfft) * np.fft.rfft(h, nfft), nfft)[: len(phys)] + phys[0]
        ring = np.zeros_like(y)
        for ti, size in plan.impacts:
            i0 = round(ti * GRID_HZ)
            m = min(len(th), len(y) - i0)
            if m > 0:
                sgn = 1.0 if rng.random() < 0.5 else -1.0
                ring[i0 : i0 + m] += sgn * cpl * size * np.exp(-zeta * w0 * th[:m]) * np.sin(wd * th[:m])
        y = y + ring
        tt = np.arange(0.0, total, 1.0 / rate)
        vals = finish(np.interp(tt, tg, y))
        stamps = tt + float(rng.uniform(0.0, 900.0))
        info.update(
            rate=rate, f0=f0, zeta=zeta, coupling=cpl, vibration=vib, impacts=[a for a, _ in plan.impacts]
        )
        return SensorOut(stamps, vals, (tt, stamps), 5 if rate > 1000 else 4, info)

    if cfg.sensor == "hx711_fast_poll":
        conv = float(rng.choice([10.0, 80.0]))
        k = float(rng.uniform(2.2, 4.5 if conv == 10.0 else 3.2))
        k = min(k, max(2.2, 30000.0 / total / conv))
        poll = conv * k
        n_conv = int(total * conv)
        c_end = (np.arange(n_conv) + 1) / conv
        c_val = finish(mean_over(c_end, 1.0 / conv))
        gaps = (1.0 / poll) * (1 + rng.uniform(-0.15, 0.15, size=int(total * poll * 1.2) + 10))
        host = np.cumsum(gaps) + 0.002
        host = host[host < total]
        lat = float(rng.uniform(0.001, 0.004))
        which = np.searchsorted(c_end + lat, host, side="right") - 1
        ok = which >= 0
        host, which = host[ok], which[ok]
        vals = c_val[which]
        off = float(rng.uniform(0.0, 3000.0))
        stamps = host + off
        first = np.unique(which, return_index=True)[1]
        tt = c_end[which[first]] - 0.5 / conv
        info.update(conv_rate=conv, poll_rate=poll)
        return SensorOut(stamps, vals, (tt, stamps[first]), 4, info)

    if cfg.sensor == "rate_switch":
        pairs = [
            (10.0, 80.0),
            (80.0, 10.0),
            (20.0, 100.0),
            (100.0, 20.0),
            (100.0, 500.0),
            (500.0, 100.0),
            (100.0, 1000.0),
            (1000.0, 250.0),
        ]
        pairs = [pq for pq in pairs if max(pq) * total * 0.7 <= 35000]
        r1, r2 = pairs[int(rng.integers(len(pairs)))]
        gap = float(rng.uniform(0.1, 0.4))
        t_sw = None
        for _ in range(200):
            c = float(rng.uniform(0.3, 0.7)) * total
            if all(not (a - 2.5 < c + gap and c < b + 2.5) for a, b in quiet):
                t_sw = c
                break
        if t_sw is None:
            raise Reject("no quiet moment for the rate switch")
        e1 = np.arange(1, int(t_sw * r1) + 1) / r1
        e2 = e1[-1] + gap + np.arange(1, int((total - e1[-1] - gap) * r2) + 1) / r2
        ends = np.concatenate([e1, e2])
        per = np.concatenate([np.full(len(e1), 1 / r1), np.full(len(e2), 1 / r2)])
        vals = finish(mean_over(ends, per))
        tt = ends - per / 2
        stamps = ends + float(rng.uniform(0.0, 500.0))
        info.update(rates=(r1, r2), t_switch=t_sw, gap=gap)
        return SensorOut(stamps, vals, (tt, stamps), 4, info)

    if cfg.sensor == "serial_burst":
        rate = float(rng.uniform(10.0, 20.0)) * (1 + float(rng.uniform(-1e-4, 1e-4)))
        ends = np.arange(1, int(total * rate) + 1) / rate
        vals = finish(mean_over(ends, 1.0 / rate))
        tb = float(rng.uniform(0.08, 0.25))
        reads = np.cumsum(tb * (1 + rng.uniform(-0.3, 0.3, size=int(total / tb * 1.5) + 10)))
        lat = float(rng.uniform(0.002, 0.01))
        slot = np.searchsorted(reads, ends + lat)
        keep = slot < len(reads)
        ends, vals, slot = ends[keep], vals[keep], slot[keep]
        stamps = reads[slot].copy()
        # lines of one burst: a fraction of a millisecond apart
        pos = np.zeros(len(slot))
        same = np.concatenate([[False], slot[1:] == slot[:-1]])
        for i in np.flatnonzero(same):
            pos[i] = pos[i - 1] + 1
        stamps = stamps + pos * float(rng.uniform(0.0002, 0.0008)) + float(rng.uniform(0.0, 2000.0))
        stamps = np.round(stamps, 4)
        if np.any(np.diff(stamps) <= 0):
            raise Reject("burst stamps collide")
        tt = ends - 0.5 / rate
        info.update(rate=rate, read_every=tb)
        return SensorOut(stamps, vals, (tt, stamps), 4, info)

    if cfg.sensor == "lossy_repeat":
        rate = cfg.min_rate
        tt = np.arange(0.0, total, 1.0 / rate)
        vals = finish(mean_over(tt + 0.5 / rate, 1.0 / rate))
        p_loss = float(rng.uniform(0.01, 0.05))
        lost = rng.random(len(vals)) < p_loss
        lost[0] = False
        lost[1:] &= ~lost[:-1]  # single packets
        idx = np.arange(len(vals))
        idx[lost] = idx[lost] - 1
        vals = vals[idx]
        stamps = tt + float(rng.uniform(0.0, 5000.0))
        info.update(rate=rate, p_loss=p_loss, lost=np.flatnonzero(lost))
        return SensorOut(stamps, vals, (tt, stamps), 4, info)
    raise ValueError(cfg.sensor)


def _float32_time(rng: np.random.Generator, out: SensorOut) -> SensorOut:
    st = out.stamps - out.stamps[0]
    dmin = float(np.min(np.diff(st)))
    kmax = math.floor(math.log2(dmin / 4)) + 23
    span = float(st[-1])
    k = kmax
    while 2.0**k - 2.0 ** (k - 1) < span + 1 and k < 40:
        k += 1
    if 2.0 ** (k - 23) > dmin / 4:
        raise Reject("no float32 offset keeps the stamps apart")
    t0 = float(rng.uniform(2.0 ** (k - 1), 2.0**k - span - 1))
    new = (st + t0).astype(np.float32).astype(np.float64)
    if np.any(np.diff(new) <= 0):
        raise Reject("float32 stamps collide")
    tt, ts = out.tmap
    ts_new = np.interp(ts, out.stamps, new)
    info = dict(out.info, float32_offset=t0)
    return SensorOut(new, out.values, (tt, ts_new), 5, info)


# ----------------------------------------------------------------------------------------------------
# Sessions
# ----------------------------------------------------------------------------------------------------
@dataclass
class Session:
    seed: int
    index: int
    attempt: int
    name: str
    models: list[str]
    unit: str
    time_column: str
    force_column: str
    t: np.ndarray  # stamps as written
    f: np.ndarray  # force as written, in unit
    labels: dict[str, Any]
    csv_text: str
    labels_text: str
    read_t: np.ndarray  # the label signal on the reader's grid (true time, N)
    read_x: np.ndarray
    tmap: tuple[np.ndarray, np.ndarray]
    factor: float
    info: dict[str, Any]
    rejections: dict[str, int]

    def file_time(self, tau: Any) -> Any:
        """True (label-signal) time -> the file's time base."""
        return np.interp(tau, self.tmap[0], self.tmap[1])


def session_name(seed: int, index: int) -> str:
    return f"{PREFIX}_s{seed}_{index:03d}"


def _quiet_spans(plan: Plan) -> list[tuple[float, float]]:
    spans = [(h.a0, h.a1) for h in plan.holds]
    spans += [(h.end, h.end) for h in plan.holds if h.ended_by != "end_of_data"]
    spans += [(o["t0"], o["t1"]) for o in plan.overlays if o["kind"] != "yield"]
    spans += [(o["t0"], o["t1"]) for o in plan.tilts]
    spans += [(a, b) for a, b, _ in plan.contacts]
    spans += [(r["t"], r["t_main"] + 1.5) for r in plan.releases]
    return spans


def _draw(seed: int, index: int, attempt: int) -> Session:
    rng = np.random.default_rng([seed, index, attempt])
    cfg = _choose_config(rng, index)
    plan = Plan(rng, cfg)
    total = plan.compose()
    # units, tare, resolution, noise
    levels = [h.level for h in plan.holds] or [10.0]
    lmin, lmax = min(levels), max(levels)
    if cfg.transport == "tare_units":
        unit = str(rng.choice(["g", "lb"]))
        offset = float(rng.uniform(0.15, 0.6)) * (1 if rng.random() < 0.5 else -1)
    else:
        unit = {
            "resonant_cell": ["N", "lbf"],
            "hx711_fast_poll": ["kg", "N"],
            "rate_switch": ["N", "kg"],
            "serial_burst": ["N", "kg", "lbf"],
            "lossy_repeat": ["N", "kg"],
        }[cfg.sensor][int(rng.integers(2))]
        offset = 0.0
    factor = UNIT_N[unit]
    # the quantum: <= 0.4 % of the smallest level, and <= a third of a tare offset (so that it shows)
    quantum_max = min(0.004 * lmin, abs(offset) / 3 if offset else math.inf)
    cands = {
        "N": [0.1, 0.01, 0.001],
        "kg": [0.01, 0.001, 0.0001],
        "g": [10.0, 1.0, 0.1],
        "lb": [0.1, 0.01, 0.001],
        "lbf": [0.1, 0.01, 0.001],
    }[unit]
    res = (
        next(r for r in cands if r * factor <= quantum_max)
        if any(r * factor <= quantum_max for r in cands)
        else cands[-1]
    )
    noise_n = min(float(rng.uniform(0.0005, 0.0015)) * lmax, 0.0025 * lmin)
    sig = render(plan, total, offset)
    lab = plan_labels(plan, sig, cfg.min_rate)
    # the second reader at nominal and moved thresholds, on the label signal alone
    step = round(GRID_HZ / READ_HZ)
    rt, rx = sig["t"][::step], sig["label"][::step]
    ident = None
    plan_lab = _labels_in(lab, ident, 1.0)
    got = reading_to_labels(SecondReader(rt, rx, ReaderParams()).read(), ident, 1.0)
    errs = compare_labels(plan_lab, got, *NOMINAL_TOL)
    if errs:
        raise Reject("second reader: " + errs[0])
    for name, params, tt, lt, xt in VARIANTS:
        got = reading_to_labels(SecondReader(rt, rx, params).read(), ident, 1.0)
        errs = compare_labels(plan_lab, got, tt, lt, xt, optional=False)
        if errs:
            raise Reject(f"near a threshold ({name}): {errs[0]}")
    # the sensor
    add_hand_noise(plan, sig)
    out = sense(rng, cfg, plan, sig, unit, res, noise_n, _quiet_spans(plan))
    if cfg.transport == "float32_time":
        out = _float32_time(rng, out)
    labels = _labels_in(lab, out.tmap, factor, float(out.stamps[-1]))
    models = [cfg.protocol, *cfg.hands, cfg.sensor] + ([cfg.transport] if cfg.transport else [])
    tcol, fcol = _columns(rng, unit)
    name = session_name(seed, index)
    labels_full = _finish_labels(labels, unit, tcol, fcol, models, seed, index, attempt, cfg, plan, out)
    t_dec = out.t_decimals
    f_dec = _decimals(res)
    t_str = np.char.mod(f"%.{t_dec}f", out.stamps)
    f_str = np.char.mod(f"%.{f_dec}f", out.values + 0.0)
    lines = [
        f"# {GENERATOR} {name}: synthetic therapy session (seed {seed}, session {index})",
        f"{tcol},{fcol}",
    ]
    body = np.char.add(np.char.add(t_str, ","), f_str)
    csv_text = "\n".join(lines) + "\n" + "\n".join(body.tolist()) + "\n"
    info = dict(
        out.info,
        **plan.info,
        offset_n=offset,
        res=res,
        noise_n=noise_n,
        config=cfg,
        trem_env=(float(sig["trem_env"][0]), float(sig["trem_env"][-1])),
    )
    return Session(
        seed=seed,
        index=index,
        attempt=attempt,
        name=name,
        models=models,
        unit=unit,
        time_column=tcol,
        force_column=fcol,
        t=t_str.astype(float),
        f=f_str.astype(float),
        labels=labels_full,
        csv_text=csv_text,
        labels_text=dump_labels(labels_full),
        read_t=rt,
        read_x=rx,
        tmap=out.tmap,
        factor=factor,
        info=info,
        rejections={},
    )


def _labels_in(
    lab: dict[str, Any],
    tmap: tuple[np.ndarray, np.ndarray] | None,
    factor: float,
    t_last: float | None = None,
) -> dict[str, Any]:
    def m(v: float) -> float:
        return float(v) if tmap is None else float(np.interp(v, tmap[0], tmap[1]))

    def end(h: dict[str, Any]) -> float:
        return t_last if h["ended_by"] == "end_of_data" and t_last is not None else m(h["end"])

    return {
        "holds": [[m(h["start"]), end(h), h["level"] / factor] for h in lab["holds"]],
        "holds_ended_by": [h["ended_by"] for h in lab["holds"]],
        "steps": [[m(a), d] for a, d in lab["steps"]],
        "releases": [m(a) for a in lab["releases"]],
        "band_exits": [[m(a), d] for a, d in lab["exits"]],
        "band_exits_optional": [[m(a), d] for a, d in lab["optional"]],
    }


def _columns(rng: np.random.Generator, unit: str) -> tuple[str, str]:
    tcol = str(rng.choice(["t_s", "time", "timestamp", "t"]))
    fcol = {
        "N": ["force_n", "force", "load_N"],
        "kg": ["weight", "force_kg", "load_kg"],
        "g": ["weight_g", "grams", "load_g"],
        "lb": ["weight_lb", "lbs", "load_lb"],
        "lbf": ["force_lbf", "load_lbf", "lbf"],
    }[unit]
    return tcol, str(fcol[int(rng.integers(len(fcol)))])


def _r(v: float, nd: int) -> float:
    return float(round(v, nd))


def _finish_labels(
    labels: dict[str, Any],
    unit: str,
    tcol: str,
    fcol: str,
    models: list[str],
    seed: int,
    index: int,
    attempt: int,
    cfg: Config,
    plan: Plan,
    out: SensorOut,
) -> dict[str, Any]:
    lnd = 2 if unit == "g" else 4
    notes = (
        f"Synthetic session by {GENERATOR} (protocol {cfg.protocol}; hands {', '.join(cfg.hands)}; "
        f"sensor {cfg.sensor}{'; ' + cfg.transport if cfg.transport else ''}; {cfg.load} load). "
        "Labels are read off the noise-free label signal (no tremor, motor or sensor noise, sensor "
        "dynamics or quantisation; tare offset and tip tilt included) by the contract's Definitions with "
        "its defaults: hold start = first moment within 2 % of the settled level (the median of the first "
        "1.5 s), end = onset of the step or release, or the last sample. Band exits: relative band +-10 % "
        "from start + 1.5 s; optional exits where a slow step's ramp leaves the old band. No event lies "
        "near a threshold (redrawn otherwise)."
    )
    return {
        "unit": unit,
        "time_column": tcol,
        "force_column": fcol,
        "holds": [[_r(a, 3), _r(b, 3), _r(lv, lnd)] for a, b, lv in labels["holds"]],
        "holds_ended_by": labels["holds_ended_by"],
        "steps": [[_r(a, 3), d] for a, d in labels["steps"]],
        "releases": [_r(a, 3) for a in labels["releases"]],
        "band_exits": [[_r(a, 3), d] for a, d in labels["band_exits"]],
        "band_exits_optional": [[_r(a, 3), d] for a, d in labels["band_exits_optional"]],
        "models": models,
        "generator": f"{GENERATOR} seed {seed} session {index} attempt {attempt}",
        "notes": notes,
    }


def dump_labels(labels: dict[str, Any]) -> str:
    """The labels file's text: one key a line, one list item a line (deterministic)."""
    parts = []
    for k, v in labels.items():
        if isinstance(v, list) and v and isinstance(v[0], list):
            inner = ",\n    ".join(json.dumps(e) for e in v)
            parts.append(f'  "{k}": [\n    {inner}\n  ]')
        else:
            parts.append(f'  "{k}": {json.dumps(v)}')
    return "{\n" + ",\n".join(parts) + "\n}\n"


def build_session(seed: int, index: int) -> Session:
    """Session ``index`` of ``seed``: the first attempt whose draw passes every rejection rule."""
    rejections: dict[str, int] = {}
    for attempt in range(MAX_ATTEMPTS):
        try:
            s = _draw(seed, index, attempt)
        except Reject as exc:
            key = re.sub(r"-?[0-9][0-9.]*", "#", str(exc))[:90]
            rejections[key] = rejections.get(key, 0) + 1
            continue
        s.rejections = rejections
        return s
    raise RuntimeError(f"session {index} of seed {seed}: no acceptable draw in {MAX_ATTEMPTS} attempts")


def reader_check(session: Session, labels: dict[str, Any]) -> list[str]:
    """The second reader's reading of the session's label signal against a labels dict (file terms)."""
    rd = SecondReader(session.read_t, session.read_x, ReaderParams()).read()
    got = reading_to_labels(rd, session.tmap, session.factor, float(session.t[-1]))
    # labels are rounded to 1 ms and 4 decimals; the stated tolerances absorb that
    return compare_labels(labels, got, *NOMINAL_TOL)


# ----------------------------------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"blind_generator8: bad argument: {message}.\n")
        raise SystemExit(2)


def _args(argv: list[str] | None) -> argparse.Namespace:
    ap = _Parser(prog="blind_generator8.py", description=__doc__.split("\n")[0])
    ap.add_argument("out", metavar="OUT")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--sessions", type=int, default=48)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    a = ap.parse_args(argv)
    if not 1 <= a.jobs <= 64:
        ap.error("--jobs must be between 1 and 64")
    if a.seed < 0:
        ap.error("--seed must be a whole number >= 0")
    if not 1 <= a.sessions <= 1000:
        ap.error("--sessions must be between 1 and 1000")
    return a


def _check_one(job: tuple[int, int, str]) -> list[str]:
    """Failures of one session in OUT (both files byte for byte, then the second reader)."""
    seed, i, out_s = job
    out = Path(out_s)
    s = build_session(seed, i)
    failures = []
    for path, text in ((out / f"{s.name}.csv", s.csv_text), (out / f"{s.name}.labels.json", s.labels_text)):
        try:
            data = path.read_bytes()
        except OSError:
            failures.append(f"{path}: missing or unreadable")
            continue
        if data != text.encode("utf-8"):
            failures.append(f"{path}: differs from the regenerated file")
    lp = out / f"{s.name}.labels.json"
    try:
        errs = reader_check(s, json.loads(lp.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        errs = [f"cannot be read ({exc.__class__.__name__})"]
    return failures + [f"{lp}: second reader: {e}" for e in errs]


def _write_one(job: tuple[int, int, str]) -> str | None:
    """Write one session; the OS error's text when a file cannot be written."""
    seed, i, out_s = job
    s = build_session(seed, i)
    try:
        (Path(out_s) / f"{s.name}.csv").write_text(s.csv_text, encoding="utf-8")
        (Path(out_s) / f"{s.name}.labels.json").write_text(s.labels_text, encoding="utf-8")
    except OSError as exc:
        return str(exc.strerror or exc)
    return None


def _run(fn: Any, jobs: list[tuple[int, int, str]], workers: int) -> list[Any]:
    if workers <= 1 or len(jobs) <= 1:
        return [fn(j) for j in jobs]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as ex:
        return list(ex.map(fn, jobs))


def main(argv: list[str] | None = None) -> int:
    a = _args(argv)
    out = Path(a.out)
    jobs = [(a.seed, i, str(out)) for i in range(a.sessions)]
    if a.check:
        if not out.is_dir() or not os.access(out, os.R_OK | os.X_OK):
            sys.stderr.write(f"blind_generator8: cannot read {out}: it is not a readable directory.\n")
            return 2
        failures = [f for res in _run(_check_one, jobs, a.jobs) for f in res]
        for f in failures:
            sys.stderr.write(f + "\n")
        if not failures:
            print(f"{a.sessions} sessions of seed {a.seed} in {out}: files identical, second reader agrees")
        return 1 if failures else 0
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".{PREFIX}_write_probe"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        sys.stderr.write(f"blind_generator8: cannot write {out}: {exc.strerror or exc}.\n")
        return 2
    errors = [e for e in _run(_write_one, jobs, a.jobs) if e]
    if errors:
        sys.stderr.write(f"blind_generator8: cannot write {out}: {errors[0]}.\n")
        return 2
    print(f"wrote {a.sessions} sessions of seed {a.seed} to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
