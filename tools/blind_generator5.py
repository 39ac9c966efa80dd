#!/usr/bin/env python
"""Fifth blind generator: labelled MET, pin-and-stretch, trigger-point and tool-switch work on six sensors.

Written from the public contract alone (``../shared/CONTRACT.md``, *Definitions*, and the realdata
README's labels format) by a helper who never saw the detector, its tests or the other generators.
Each session is a therapist's session on the label signal - the intended force, noise-free, on a
1-kHz grid of true time - recorded through one sensor onto that sensor's own clock.

Hands and protocols (in the label signal):

* muscle-energy technique: at a barrier the patient pushes back isometrically for 5-7 s (a fast step up
  30-60 %, a slight fade and an effort waver), relaxes (a step down to about the barrier), and after
  the post-isometric relaxation the therapist takes up the slack (a step up 20-40 %, fast or eased);
* pin-and-stretch: a held point while the patient moves the limb through its range - the tissue
  lengthening under the pin is a slow step up (2.5-7 s), the limb's return a fast step down;
* trigger-point compression with a deeper barrier (a fast step up);
* a hand switching tools: thumb, then a T-bar (set down with a tap, its weight left resting on the
  point between holds) or an elbow, with wider, slower contacts;
* a novice hand hunting around the barrier: underdamped, decaying corrections on arrival;
* thumb repositioning: a brief partial unload (to 30-65 %) back within 1 s - a low band exit;
* cross-fibre friction during a hold (±2-4.5 % at 1.2-3 Hz);
* a thumb slipping off the point: a fast let-go that keeps light, searching contact (never a hold),
  then pressing again at the old level;
* slow drift inside a hold (tissue letting the hand in, or the hand backing off), a relaxed hand
  resting on the sensor after a release; small hand wander and tremor on top (not in the labels).

Sensors and clocks (the recording): a piezoresistive thin-film sensor in a voltage divider on a
12-bit ADC (its force quantum grows with force; sensitivity warming under the thumb; a ceramic
resonator's clock drift; grams); a capacitive pressure mat summed over 256 cells at 25-40 Hz
(per-cell gain spread, dead band and quantum, a footprint growing with force, dropped frames; N); a
digital force gauge exporting 0.1-s averages at 10 Hz with 0.01 kgf resolution, stamped by a PC
polling on a Windows timer (two readings in one poll share a stamp; kg); a 1200 Hz force plate (Fz
beside shear Fx, Fy; its resonance rung by a tool's tap; N); a strain-gauge amplifier at 250-500 Hz
with ratiometric supply ripple and cable-motion transients (lbf); a load-cell module at 100-200 Hz
that auto-zeros during rests, whose samples reach the host in packets stamped on arrival (host
batching; lb).

Labels (``NAME.labels.json``, the realdata README's format plus ``band_exits``,
``band_exits_optional``, ``models``) are read from the label signal, delays and clock included: an
event at true time t is written as the stamp of the row that first shows it. The rules, the
contract's as I read them:

* a hold starts where the force came inside ±8 % of its level for good (the contract's stretch
  "within ±8 %": after an overshoot or a novice's hunting, its last entry); its level is the settled
  level, the median of 1.5 s from the moment it is within 2.5 % of it; it ends at the onset of
  whatever ends it - a step, a release, or a fast departure that neither comes back within 1 s nor
  settles (a slip: no event);
* a step is a change of at least 15 % (of the larger level) between two holds of one contact, dated
  at its onset, ``up``/``down``; a release is the onset of a drop to below 15 % that stays there;
* band exits: the relative band (±10 % of the settled level) watched from the hold's confirmation
  (start + 1.5 s) to its end; an exit is dated where the force crossed out, once it stayed out
  0.15 s; another only after 0.5 s back inside. A slow step's crossing of the old band is an
  optional exit (the contract allows it but does not require it).

A session whose reading could honestly go two ways is redrawn (new parameters, same protocol, hand,
features and sensor): an excursion peaking between 6.5 % and 13.5 % of the level, one out of the
band for 0.08-0.4 s, a re-entry lasting 0.3-0.85 s, an exit within 0.3 s of a confirmation or
0.45 s of a hold's end, a hold reaching its level more than 0.8 s after entering ±8 % of it (the
plateau's visible start and the letter's), a hunting hand settling more than 1 s after its first
pass through the level, a hold under 2 s, a step under 13 % measured or not clear of the force
before it, an eased step not steady for 3.5 s after or longer than 7.5 s, a release that does not
stay below 15 % (and settle under 12 %), a slip that comes back, falls below 16 % or is pressed again
at another level, a hold whose median or mean strays 6 % from its settled level, or any steady 2-s
stretch (±5 %) in contact that lies mostly outside the holds.

``--check`` regenerates each session, compares both files byte for byte, and checks the labels with
a second reader, written apart from the first: on the label signal at each row's own stamp (what a
perfect reading of the recording would show) it checks every hold's first 1.5 s near its level and
later departures slow or brief, steps (≥10 %, contact kept, onset at a hold's end), releases (a fall
below 15 % that stays), slips (no return, no step), band exits against a sample-by-sample monitor,
and that no steady 2-s stretch in contact lies outside the holds.

Usage: ``python tools/blind_generator5.py OUT --seed S [--sessions N] [--check]`` writes
``OUT/bg5_sS_NNN.csv`` and ``.labels.json`` (48 sessions by default: every protocol x sensor x hand
once, in a seed's order).
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import signal as sps

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tool_args import UsageError, generator_main

# --- the contract's defaults (CONTRACT.md, Definitions) ------------------------------------------
CONTACT_N = 2.0
MIN_HOLD = 1.5
HOLD_BAND = 0.08
RELEASE_FRAC = 0.15
TOLERANCE = 0.10
EXIT_DEBOUNCE = 0.15
ENTER_DEBOUNCE = 0.5

# --- this generator's own margins around them (why: a label must not hang on a rounding) ---------
RATE = 1000.0            # the label signal's grid, Hz of true time
ARRIVED = 0.025          # "at the level": within 2.5 %
GREY = (0.065, 0.135)    # an excursion peaking in here could be read either way
MIN_OUT = 0.4            # an exit's excursion stays out at least this long (s)
SHORT_OUT = 0.08         # ...and a glance out is shorter than this
REENTRY = (0.3, 0.85)    # a time back inside in here could be read as re-entered or not
MIN_LABEL_HOLD = 2.0
KGF = 9.80665
LBF = 4.4482216152605
PREFIX = "bg5"

PROTOCOLS = ("met", "pin_stretch", "trigger_point", "tool_switch")
SENSORS = ("thin_film", "pressure_mat", "force_gauge", "force_plate", "strain_amp", "batched_host")
FEATURES = ("friction", "reposition", "slip", "drift", "resting_hand")

#: Every model a session can show, as its notes name it (``models`` in the labels lists the tags).
MODELS: dict[str, str] = {
    "met": "muscle-energy technique (an isometric push back, relaxation, slack taken up)",
    "pin_stretch": "pin-and-stretch (slow steps up as the patient moves the limb, fast returns)",
    "trigger_point": "trigger-point compression with a deeper barrier",
    "tool_switch": "a switch from thumb to a T-bar or an elbow",
    "hunting": "a novice hand hunting around the barrier (underdamped, decaying)",
    "reposition": "thumb repositioning (brief partial unloads, back within 1 s)",
    "friction": "cross-fibre friction during a hold",
    "slip": "a thumb slipping off the point (light searching contact, then pressed again)",
    "drift": "slow drift inside a hold",
    "resting_hand": "a relaxed hand resting on the sensor after a release",
    "tool_rest": "the T-bar's weight resting on the point between holds",
    "tool_tap": "the tool's tap as it is set down",
    "thin_film": "a thin-film piezoresistive sensor on a divider and 12-bit ADC (grams)",
    "nonlinear_quantum": "a force quantum that grows with force",
    "warming_drift": "sensitivity warming under the thumb",
    "clock_drift": "a steady device-clock drift",
    "pressure_mat": "a capacitive pressure mat summed over 256 cells",
    "dead_band": "per-cell dead band and quantum",
    "dropped_frames": "dropped frames",
    "force_gauge": "a digital force gauge at 10 Hz, 0.01 kgf",
    "poll_stamps": "PC-poll stamps on a Windows timer (repeated stamps)",
    "force_plate": "a 1200 Hz force plate (Fz, Fx, Fy)",
    "plate_ringing": "plate resonance rung by the tool's tap",
    "strain_amp": "a strain-gauge amplifier (lbf)",
    "ripple": "ratiometric supply ripple",
    "cable_artefacts": "cable-motion transients",
    "batched_host": "host batching: packets stamped on arrival (lb)",
    "auto_zero": "auto-zero during rests after thermal zero drift",
}
PROTOCOL_TEXT = {"met": "Muscle-energy technique", "pin_stretch": "Pin-and-stretch",
                 "trigger_point": "Trigger-point compression", "tool_switch": "Thumb-then-tool work"}
#: Contact radius (mm) at 30 N of each contact: what the pressure mat sees.
RADIUS = {"thumb": 7.0, "palm": 12.0, "t-bar": 4.5, "elbow": 14.0}


def samples(seconds: float) -> int:
    return max(1, round(seconds * RATE))


def minjerk(n: int) -> np.ndarray:
    """0 to 1 over n samples, a hand's smooth point-to-point move."""
    tau = np.arange(1, n + 1) / n
    return tau ** 3 * (10 - 15 * tau + 6 * tau ** 2)


def eased(n: int, corner: float = 0.25) -> np.ndarray:
    """0 to 1 at a constant speed with cosine-eased ends of ``corner`` seconds: a deliberate ease
    whose onset is plain (a minimum-jerk move that slow would start so gently that its onset would
    be a matter of taste)."""
    t = (np.arange(n) + 0.5) / RATE
    rest = n / RATE - t
    speed = np.ones(n)
    speed = np.where(t < corner, 0.5 - 0.5 * np.cos(np.pi * t / corner), speed)
    speed = np.where(rest < corner, 0.5 - 0.5 * np.cos(np.pi * rest / corner), speed)
    pos = np.cumsum(speed)
    return pos / pos[-1]


def second_order(x0: float, x1: float, zeta: float, fn: float) -> np.ndarray:
    """A novice's arrival: an underdamped step response from x0 to x1, run until its ringing is
    under 0.2 % of x1."""
    w = 2 * math.pi * fn
    root = math.sqrt(1 - zeta ** 2)
    dx = x1 - x0
    stop = math.log(max(abs(dx) / (0.002 * x1 * root), 1.0 + 1e-9)) / (zeta * w)
    u = np.arange(1, samples(stop) + 1) / RATE
    decay = np.exp(-zeta * w * u)
    return x1 - dx * decay * (np.cos(w * root * u) + zeta / root * np.sin(w * root * u))


def dip_shape(v: np.ndarray, fall: float, flat: float, rise: float) -> np.ndarray:
    """0 outside, 1 at the bottom of a repositioning unload, cosine edges."""
    g = np.zeros_like(v)
    a = (v > 0) & (v < fall)
    g[a] = 0.5 - 0.5 * np.cos(np.pi * v[a] / fall)
    g[(v >= fall) & (v < fall + flat)] = 1.0
    c = (v >= fall + flat) & (v < fall + flat + rise)
    g[c] = 0.5 + 0.5 * np.cos(np.pi * (v[c] - fall - flat) / rise)
    return g


def band_noise(rng: np.random.Generator, n: int, lo: float, hi: float, rms: float) -> np.ndarray:
    """White noise kept to lo..hi Hz on the label grid, scaled to ``rms``."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1.0 / RATE)
    spec[(f < lo) | (f > hi)] = 0.0
    y = np.fft.irfft(spec, n)
    sd = float(y.std())
    return y * (rms / sd) if sd > 0 else y


# ==================================================================================================
# The label signal, built move by move
# ==================================================================================================
@dataclass
class Hold:
    """A planned hold: when the move that brings the force to it begins and ends, its planned level
    (N), how it was reached and how it ends."""

    move_start: float
    body_start: float
    level: float
    arrival: str                 # approach | fast | slow | repress
    end: float = math.nan
    ended_by: str = ""           # step | release | left


class Track:
    """The intended force (N) on the 1-kHz grid of true time, with what was planned: the holds, the
    hand's movements (the amplifier's cable moves with them), tool taps and the contact (thumb, palm,
    tool) in use, and the models shown."""

    def __init__(self) -> None:
        self._parts: list[np.ndarray] = [np.zeros(1)]
        self._n = 1
        self.holds: list[Hold] = []
        self.moves: list[float] = []
        self.taps: list[tuple[float, float, float]] = []
        self.tools: list[tuple[float, str]] = [(0.0, "thumb")]
        self.used: set[str] = set()

    @property
    def t(self) -> float:
        return (self._n - 1) / RATE

    @property
    def x(self) -> float:
        return float(self._parts[-1][-1])

    def signal(self) -> np.ndarray:
        return np.concatenate(self._parts)

    def _add(self, values: np.ndarray) -> None:
        self._parts.append(values)
        self._n += len(values)

    def _close(self, how: str) -> None:
        hold = self.holds[-1]
        assert not hold.ended_by, "a hold is closed once"
        hold.end = self.t
        hold.ended_by = how

    def _move(self, target: float, shape: np.ndarray) -> None:
        self.moves.append(self.t)
        x0 = self.x
        self._add(x0 + (target - x0) * shape)

    def wait(self, seconds: float) -> None:
        self._add(np.full(samples(seconds), self.x))

    def lift(self, seconds: float) -> None:
        """Off the sensor entirely (from a resting hand or tool): no contact, no event."""
        self._move(0.0, minjerk(samples(seconds)))

    def _arrive(self, level: float, seconds: float, how: str, hunt: tuple[float, float] | None,
                slow: bool = False) -> None:
        start = self.t
        if hunt is not None:
            self.moves.append(self.t)
            self._add(second_order(self.x, level, *hunt))
            self.used.add("hunting")
        else:
            n = samples(seconds)
            self._move(level, eased(n) if slow else minjerk(n))
        self.holds.append(Hold(start, self.t, level, how))

    def press(self, level: float, seconds: float, contact: str, hunt: tuple[float, float] | None = None
              ) -> None:
        if self.tools[-1][1] != contact:
            self.tools.append((self.t, contact))
        self._arrive(level, seconds, "approach", hunt)

    def step(self, level: float, seconds: float, slow: bool = False,
             hunt: tuple[float, float] | None = None) -> None:
        self._close("step")
        self._arrive(level, seconds, "slow" if slow else "fast", hunt, slow)

    def release(self, seconds: float, rest: float) -> None:
        self._close("release")
        self._move(rest, minjerk(samples(seconds)))

    def slip(self, light: float, fall: float, wander: float, amp: float, freq: float, phase: float) -> None:
        """The thumb slides off: a fast fall to light contact that keeps searching (swinging ±30 %,
        never a hold) until it is pressed again."""
        self._close("left")
        self.used.add("slip")
        self._move(light, minjerk(samples(fall)))
        u = np.arange(1, samples(wander) + 1) / RATE
        ramp = np.minimum(1.0, u / 0.15)
        swing = amp * np.sin(2 * np.pi * freq * u) + 0.2 * amp * np.sin(2 * np.pi * 2.3 * freq * u + phase)
        self._add(light * (1.0 + ramp * swing))

    def repress(self, level: float, seconds: float) -> None:
        self._arrive(level, seconds, "repress", None)

    def place_tool(self, tool: str, weight: float, tap: float, settle: float) -> None:
        """A tool set down on the point: its tap (a few ms, in the force but not the labels) and its
        weight resting there."""
        self.tools.append((self.t, tool))
        self.taps.append((self.t, tap, 0.008))
        self.used.add("tool_tap")
        self._move(weight, minjerk(samples(0.05)))
        self.wait(settle)

    def body(self, seconds: float, *, drift: tuple[float, float] | None = None,
             friction: tuple[float, float, float, float] | None = None,
             dips: Sequence[tuple[float, float, float, float, float]] = (),
             waver: tuple[float, float, float, float, float, float] | None = None) -> None:
        """The hold at its level for ``seconds``: a linear drift (from, rate/s), cross-fibre friction
        (from, to, amplitude, Hz), repositioning unloads (at, depth, fall, flat, rise), an effort
        waver (two sines), all relative to the level and starting from the body's start."""
        level = self.holds[-1].level
        u = np.arange(1, samples(seconds) + 1) / RATE
        rel = np.ones_like(u)
        if drift is not None:
            rel += drift[1] * np.clip(u - drift[0], 0.0, None)
        if waver is not None:
            a1, f1, p1, a2, f2, p2 = waver
            taper = np.clip(np.minimum(u, seconds - u) / 0.4, 0.0, 1.0)
            rel += taper * (a1 * np.sin(2 * np.pi * f1 * u + p1) + a2 * np.sin(2 * np.pi * f2 * u + p2))
        if friction is not None:
            t0, t1, amp, freq = friction
            w = np.clip(np.minimum(u - t0, t1 - u) / 0.3, 0.0, 1.0)
            rel += amp * (0.5 - 0.5 * np.cos(np.pi * w)) * np.sin(2 * np.pi * freq * (u - t0))
        for at, depth, fall, flat, rise in dips:
            rel *= 1.0 - depth * dip_shape(u - at, fall, flat, rise)
            self.moves.append(self.t + at)
        self._add(level * rel)


# ==================================================================================================
# Sessions: what is drawn, and the protocols
# ==================================================================================================
@dataclass(frozen=True)
class Spec:
    """What a session is, fixed before any parameter is drawn (a redraw keeps it)."""

    protocol: str
    sensor: str
    novice: bool
    features: frozenset[str]
    seconds: float


def session_spec(seed: int, index: int) -> Spec:
    """Every protocol x sensor x hand once per 48 sessions, in an order of the seed's."""
    combos = [(p, s, nov) for p in PROTOCOLS for s in SENSORS for nov in (False, True)]
    order = np.random.default_rng([seed, index // len(combos), 0xB5]).permutation(len(combos))
    protocol, sensor, novice = combos[int(order[index % len(combos)])]
    rng = np.random.default_rng([seed, index, 0])
    features = frozenset(f for f in FEATURES if rng.random() < 0.5)
    # Keep one seed's folder small: a 1200-Hz plate writes 30 bytes a row.
    longest = {"force_plate": 150.0, "strain_amp": 240.0}.get(sensor, 360.0)
    return Spec(protocol, sensor, novice, features, float(rng.uniform(60.0, longest)))


Hunt = tuple[float, float] | None


def _hunt(rng: np.random.Generator, spec: Spec, chance: float = 0.75) -> Hunt:
    if spec.novice and rng.random() < chance:
        return float(rng.uniform(0.3, 0.45)), float(rng.uniform(1.1, 1.8))
    return None


def _ramp(rng: np.random.Generator, spec: Spec) -> float:
    return float(rng.uniform(0.5, 1.3)) * (1.25 if spec.novice else 1.0)


def _eased_time(rng: np.random.Generator, old: float, new: float) -> float:
    """A slow step's duration: 9-14 % of the new level a second, at least 2.5 s (plainly slower than
    the contract's 2 s)."""
    return float(np.clip((1.0 - old / new) / rng.uniform(0.09, 0.14), 2.5, 7.0))


def _waver(rng: np.random.Generator, size: float) -> tuple[float, float, float, float, float, float]:
    return (size * float(rng.uniform(0.5, 1.0)), float(rng.uniform(0.3, 0.8)), float(rng.uniform(0, 6.28)),
            size * float(rng.uniform(0.3, 0.6)), float(rng.uniform(0.9, 1.6)), float(rng.uniform(0, 6.28)))


def _let_go(tr: Track, rng: np.random.Generator, feats: frozenset[str], level: float) -> None:
    """The release, to nothing or to a relaxed hand resting on the sensor, then a rest."""
    if "resting_hand" in feats and rng.random() < 0.7:
        tr.used.add("resting_hand")
        tr.release(float(rng.uniform(0.25, 0.7)), min(float(rng.uniform(0.5, 3.0)), 0.1 * level))
        tr.wait(float(rng.uniform(1.5, 4.0)))
        tr.lift(float(rng.uniform(0.2, 0.4)))
    else:
        tr.release(float(rng.uniform(0.25, 0.7)), 0.0)
    tr.wait(float(rng.uniform(2.5, 7.0)))


def _main_hold(tr: Track, rng: np.random.Generator, spec: Spec, feats: frozenset[str],
               least: float = 4.0) -> None:
    """A block's long hold carrying the session's features, ending in a slip (pressed again at the
    old level) or ready for a release. Features start 2.4 s in, past the hold's confirmation (4 s
    after an eased step, which must first lie steady for 3 s to be one)."""
    cursor = float(rng.uniform(3.9, 4.6) if tr.holds[-1].arrival == "slow" else rng.uniform(2.4, 3.2))
    friction = None
    if "friction" in feats:
        span = float(rng.uniform(3.0, 8.0))
        friction = (cursor, cursor + span, float(rng.uniform(0.02, 0.045)), float(rng.uniform(1.2, 3.0)))
        tr.used.add("friction")
        cursor += span + float(rng.uniform(0.8, 1.5))
    dips: list[tuple[float, float, float, float, float]] = []
    if "reposition" in feats:
        tr.used.add("reposition")
        for _ in range(int(rng.integers(1, 3))):
            fall, flat, rise = (float(rng.uniform(0.12, 0.2)), float(rng.uniform(0.22, 0.4)),
                                float(rng.uniform(0.2, 0.35)))
            dips.append((cursor, float(rng.uniform(0.35, 0.7)), fall, flat, rise))
            cursor += fall + flat + rise + float(rng.uniform(2.5, 5.0))
    drift = None
    if "drift" in feats:
        tr.used.add("drift")
        # Either plainly inside the band or plainly out of it: totals near 10 % are redrawn anyway.
        # A drift out of the band starts after a steady stretch of at least half its own length, so
        # that the hold's mean and median stay near its settled level (the level a label gives).
        rate = float(rng.uniform(0.006, 0.015))
        if rng.random() < 0.6:
            lasts = float(rng.uniform(0.14, 0.17)) / rate
            cursor += lasts * float(rng.uniform(0.6, 1.0))
        else:
            lasts = float(rng.uniform(0.02, 0.05)) / rate
        drift = (cursor, rate if rng.random() < 0.5 else -rate)
        cursor += lasts
    else:
        cursor += float(rng.uniform(1.5, 4.0))
    tr.body(max(cursor, least), drift=drift, friction=friction, dips=dips)
    if "slip" in feats:
        level = tr.holds[-1].level
        tr.slip(level * float(rng.uniform(0.32, 0.42)), float(rng.uniform(0.08, 0.2)),
                float(rng.uniform(2.0, 3.2)), float(rng.uniform(0.28, 0.36)), float(rng.uniform(0.9, 1.6)),
                float(rng.uniform(0, 6.28)))
        tr.repress(level * float(rng.uniform(0.97, 1.03)), float(rng.uniform(0.5, 1.0)))
        tr.body(float(rng.uniform(4.0, 9.0)))


def block_met(tr: Track, rng: np.random.Generator, spec: Spec, feats: frozenset[str]) -> None:
    """Muscle-energy technique with the heel of the hand: 1-3 contract-relax rounds at a barrier."""
    tr.used.add("met")
    barrier = float(rng.uniform(18.0, 45.0))
    tr.press(barrier, _ramp(rng, spec), "palm", _hunt(rng, spec))
    tr.body(float(rng.uniform(2.5, 5.0)))
    rounds = int(rng.integers(1, 4))
    for r in range(rounds):
        push = barrier * float(rng.uniform(1.3, 1.6))
        if push > 170.0:
            break
        tr.step(push, float(rng.uniform(0.5, 1.3)))
        # The patient's push fades a little (up to 3 %) and wavers with the effort.
        tr.body(float(rng.uniform(5.0, 7.0)), drift=(0.5, -float(rng.uniform(0.0, 0.005))),
                waver=_waver(rng, 0.018))
        relaxed = barrier * float(rng.uniform(0.94, 1.04))
        tr.step(relaxed, float(rng.uniform(0.6, 1.4)))
        # Post-isometric relaxation: the tissue gives a little under the waiting hand.
        tr.body(float(rng.uniform(2.6, 5.0)), drift=(0.8, -float(rng.uniform(0.0, 0.008))))
        barrier = relaxed * float(rng.uniform(1.2, 1.4))
        if rng.random() < 0.5:
            tr.step(barrier, _eased_time(rng, relaxed, barrier), slow=True)
        else:
            tr.step(barrier, float(rng.uniform(0.6, 1.3)), hunt=_hunt(rng, spec, 0.5))
        if r == rounds - 1 or barrier * 1.6 > 170.0:
            _main_hold(tr, rng, spec, feats)
            break
        tr.body(float(rng.uniform(4.0, 7.0)))
    _let_go(tr, rng, feats, tr.holds[-1].level)


def block_pin_stretch(tr: Track, rng: np.random.Generator, spec: Spec, feats: frozenset[str]) -> None:
    """Pin-and-stretch: a held point while the patient moves the limb and returns it, 1-3 times."""
    tr.used.add("pin_stretch")
    pin = float(rng.uniform(15.0, 45.0))
    tr.press(pin, _ramp(rng, spec), "thumb", _hunt(rng, spec))
    tr.body(float(rng.uniform(2.5, 4.5)))
    rounds = int(rng.integers(1, 4))
    for r in range(rounds):
        stretched = pin * float(rng.uniform(1.25, 1.45))
        tr.step(stretched, _eased_time(rng, pin, stretched), slow=True)
        tr.body(float(rng.uniform(4.0, 6.5)), waver=_waver(rng, 0.012))
        pin = pin * float(rng.uniform(0.95, 1.04))
        tr.step(pin, float(rng.uniform(0.6, 1.3)))
        if r == rounds - 1:
            _main_hold(tr, rng, spec, feats)
        else:
            tr.body(float(rng.uniform(2.5, 4.5)))
    _let_go(tr, rng, feats, tr.holds[-1].level)


def block_trigger_point(tr: Track, rng: np.random.Generator, spec: Spec, feats: frozenset[str]) -> None:
    """Trigger-point compression with the thumb, often onto a deeper barrier."""
    tr.used.add("trigger_point")
    level = float(rng.uniform(12.0, 55.0))
    tr.press(level, _ramp(rng, spec), "thumb", _hunt(rng, spec))
    if rng.random() < 0.6:
        tr.body(float(rng.uniform(4.0, 8.0)))
        deeper = level * float(rng.uniform(1.2, 1.4))
        tr.step(deeper, float(rng.uniform(0.6, 1.3)), hunt=_hunt(rng, spec, 0.5))
    _main_hold(tr, rng, spec, feats, least=float(rng.uniform(8.0, 20.0)))
    _let_go(tr, rng, feats, tr.holds[-1].level)


def block_tool_switch(tr: Track, rng: np.random.Generator, spec: Spec, feats: frozenset[str]) -> None:
    """A thumb hold, then a tool: a T-bar (tapped down, its weight resting between holds) or an elbow."""
    tr.used.add("tool_switch")
    tr.press(float(rng.uniform(12.0, 40.0)), _ramp(rng, spec), "thumb", _hunt(rng, spec))
    tr.body(float(rng.uniform(5.0, 10.0)))
    tr.release(float(rng.uniform(0.25, 0.6)), 0.0)
    tr.wait(float(rng.uniform(3.0, 6.0)))         # the tool is picked up
    tbar = rng.random() < 0.5
    weight = 0.0
    if tbar:
        weight = float(rng.uniform(1.5, 3.0))
        tr.place_tool("t-bar", weight, float(rng.uniform(20.0, 60.0)), float(rng.uniform(0.4, 0.9)))
        level = float(rng.uniform(30.0, 90.0))
    else:
        level = float(rng.uniform(50.0, 130.0))
    tool = "t-bar" if tbar else "elbow"
    tr.press(level, float(rng.uniform(0.8, 1.8)), tool, _hunt(rng, spec))
    tr.body(float(rng.uniform(5.0, 10.0)))
    if rng.random() < 0.6:
        ratio = float(rng.uniform(1.2, 1.35) if rng.random() < 0.6 else rng.uniform(0.7, 0.8))
        tr.step(level * ratio, float(rng.uniform(0.6, 1.4)))
        level *= ratio
        tr.body(float(rng.uniform(4.0, 8.0)))
    tr.release(float(rng.uniform(0.3, 0.8)), weight)
    if tbar:
        tr.used.add("tool_rest")
    tr.wait(float(rng.uniform(2.0, 4.0)))
    tr.press(level * float(rng.uniform(0.9, 1.1)), float(rng.uniform(0.8, 1.6)), tool)
    _main_hold(tr, rng, spec, feats)
    tr.release(float(rng.uniform(0.3, 0.8)), weight)
    tr.wait(float(rng.uniform(1.0, 2.5)))
    if tbar:
        tr.lift(0.3)
    tr.wait(float(rng.uniform(2.5, 6.0)))


BLOCKS: dict[str, Callable[[Track, np.random.Generator, Spec, frozenset[str]], None]] = {
    "met": block_met, "pin_stretch": block_pin_stretch, "trigger_point": block_trigger_point,
    "tool_switch": block_tool_switch}


def compose(spec: Spec, rng: np.random.Generator) -> Track:
    """The session's label signal: blocks of its protocol until its length; the first block shows
    every feature of the spec, later ones about half of them."""
    tr = Track()
    tr.wait(float(rng.uniform(1.5, 4.0)))
    first = True
    while first or tr.t < spec.seconds - 25.0:
        # (In FEATURES' order: a frozenset's own order changes with the interpreter's hash seed.)
        feats = spec.features if first else frozenset(f for f in FEATURES
                                                      if f in spec.features and rng.random() < 0.5)
        BLOCKS[spec.protocol](tr, rng, spec, feats)
        first = False
    tr.wait(float(rng.uniform(2.0, 4.0)))
    return tr


# ==================================================================================================
# The first reader: labels from the label signal (true time), and what makes a session ambiguous
# ==================================================================================================
@dataclass
class Truth:
    """Labels in true time and newtons."""

    holds: list[tuple[float, float, float]] = field(default_factory=list)
    steps: list[tuple[float, str]] = field(default_factory=list)
    releases: list[float] = field(default_factory=list)
    exits: list[tuple[float, str]] = field(default_factory=list)
    optional: list[tuple[float, str]] = field(default_factory=list)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) of each run of True."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _arrival(x: np.ndarray, ms: int, bs: int, es: int, level: float) -> tuple[int, int, int] | None:
    """(start, at the level, first touch) of a hold reached by the move [ms, bs]: it starts where the
    force last came inside ±8 % of its level during the move (the contract's stretch "within ±8 %"),
    is at the level at the first sample within 2.5 % after that, and first touched the level (within
    2.5 %: a hunting hand's first pass) at the last."""
    dev = np.abs(x[ms:es] / level - 1.0)
    out = np.flatnonzero(dev[: bs - ms + 1] > HOLD_BAND)
    a8 = int(out[-1]) + 1 if out.size else 0
    near = np.flatnonzero(dev[a8:] <= ARRIVED)
    touch = np.flatnonzero(dev <= ARRIVED)
    if not near.size:
        return None
    return ms + a8, ms + a8 + int(near[0]), ms + int(touch[0])


def _band_exits(x: np.ndarray, a: int, e: int, level: float, why: list[str], name: str
                ) -> list[tuple[float, str]]:
    """The contract's band monitor on one hold (confirmation to end), with the ambiguity rules."""
    c = a + samples(MIN_HOLD)
    lo = c - samples(0.3)
    dev = x[lo:e] / level - 1.0
    for r0, r1 in _runs(np.abs(dev) > GREY[0]):
        peak = float(np.abs(dev[r0:r1]).max())
        if peak <= GREY[1]:
            why.append(f"{name}: an excursion peaks at {peak:.3f} of the level")
    exits: list[tuple[float, str]] = []
    armed, last_end = True, None
    for r0, r1 in _runs(np.abs(dev) > TOLERANCE):
        length = (r1 - r0) / RATE
        start_t = (lo + r0) / RATE
        if r0 < samples(0.6):
            why.append(f"{name}: out of the band within 0.3 s of the confirmation")
        if r1 == len(dev) and (e - lo - r0) / RATE < 0.45:
            why.append(f"{name}: out of the band just before the hold ends")
        elif SHORT_OUT <= length < MIN_OUT and r1 < len(dev):
            why.append(f"{name}: {length:.2f} s out of the band")
        if last_end is not None:
            gap = (r0 - last_end) / RATE
            if REENTRY[0] <= gap < REENTRY[1]:
                why.append(f"{name}: {gap:.2f} s back inside between excursions")
            if gap >= ENTER_DEBOUNCE:
                armed = True
        if armed and length >= EXIT_DEBOUNCE:
            exits.append((start_t, "high" if dev[r0] > 0 else "low"))
            armed = False
        last_end = r1
    return exits


def _steady_outside_holds(x: np.ndarray, spans: list[tuple[float, float]], levels: list[float]
                          ) -> list[str]:
    """Any 2-s stretch in contact that lies within ±5 % and mostly outside the labelled holds."""
    blk = samples(0.25)
    nb = len(x) // blk
    xb = x[: nb * blk].reshape(nb, blk)
    win = 8
    lo = np.lib.stride_tricks.sliding_window_view(xb.min(axis=1), win).min(axis=1)
    hi = np.lib.stride_tricks.sliding_window_view(xb.max(axis=1), win).max(axis=1)
    starts = np.array([s for s, _ in spans])
    out: list[str] = []
    for j in np.flatnonzero((lo >= 4.0) & (hi <= 1.10 * lo)):
        t0, t1 = j * 0.25, j * 0.25 + 2.0
        k = max(int(np.searchsorted(starts, t1)) - 1, 0)
        if lo[j] < 0.2 * levels[k]:
            continue            # a hand or tool resting after a release: not contact
        if sum(max(0.0, min(t1, e) - max(t0, s)) for s, e in spans) < 0.75:
            out.append(f"a steady stretch at {t0:.1f}-{t1:.1f} s outside the holds")
    return out


def read_truth(x: np.ndarray, track: Track) -> tuple[Truth, list[str]]:
    """The labels a careful reader takes from the label signal, and every reason the session could
    be read another way (empty: keep it)."""
    truth, why = Truth(), []
    arrivals: list[int] = []
    for i, h in enumerate(track.holds):
        name = f"hold {i} at {h.body_start:.1f} s"
        ms, bs, es = round(h.move_start * RATE), round(h.body_start * RATE), round(h.end * RATE)
        level, found = h.level, None
        for _ in range(2):          # the settled level and the arrival depend on each other
            found = _arrival(x, ms, bs, es, level)
            if found is None:
                break
            level = float(np.median(x[found[1]: found[1] + samples(MIN_HOLD)]))
        if found is None:
            why.append(f"{name}: never arrives")
            truth.holds.append((h.body_start, h.end, h.level))
            arrivals.append(bs)
            continue
        a, at_level, touch = found
        if (at_level - a) / RATE > 0.8:
            why.append(f"{name}: inside ±8 % {(at_level - a) / RATE:.2f} s before it reaches its level")
        if (a - touch) / RATE > 1.0:
            why.append(f"{name}: settles {(a - touch) / RATE:.2f} s after it first reached its level")
        if (es - a) / RATE < MIN_LABEL_HOLD:
            why.append(f"{name}: only {(es - a) / RATE:.2f} s long")
        if abs(level / h.level - 1.0) > 0.03:
            why.append(f"{name}: settles at {level:.1f} N, planned {h.level:.1f} N")
        span = x[a:es]
        if max(abs(float(np.median(span)) / level - 1.0), abs(float(span.mean()) / level - 1.0)) > 0.06:
            why.append(f"{name}: its median or mean strays from its settled level")
        truth.holds.append((a / RATE, h.end, level))
        arrivals.append(at_level)
        truth.exits += _band_exits(x, a, es, level, why, name)

    for i, h in enumerate(track.holds):
        _, end, level = truth.holds[i]
        es = round(end * RATE)
        name = f"hold {i} at {h.body_start:.1f} s"
        if h.ended_by == "step":
            _check_step(x, truth, i, arrivals[i + 1], why, name)
        elif h.ended_by == "release":
            truth.releases.append(end)
            fell = np.flatnonzero(x[es: es + samples(2.0)] < RELEASE_FRAC * level)
            stays = x[es + int(fell[0]): es + int(fell[0]) + samples(1.5)] if fell.size else x[:0]
            if (len(stays) < samples(1.5) or float(stays.max()) >= RELEASE_FRAC * level
                    or float(stays[samples(0.5):].max()) >= 0.12 * level):
                why.append(f"{name}: its release does not stay below 15 % (and settle under 12 %)")
        else:
            nxt = track.holds[i + 1]
            gap = x[es: round(nxt.move_start * RATE)]
            dev = np.abs(x[es: es + samples(1.5)] / level - 1.0)
            if (not np.any(dev[: samples(0.3)] > HOLD_BAND) or np.any(dev[samples(0.3):] < TOLERANCE)
                    or float(gap.min()) < 0.16 * level or nxt.move_start - end < 2.0
                    or abs(truth.holds[i + 1][2] / level - 1.0) > 0.06):
                why.append(f"{name}: its slip is not a plain let-go that keeps light contact")
    spans = [(s, e) for s, e, _ in truth.holds]
    why += _steady_outside_holds(x, spans, [lv for _, _, lv in truth.holds])
    return truth, why


def _check_step(x: np.ndarray, truth: Truth, i: int, a2: int, why: list[str], name: str) -> None:
    """A step from hold i to hold i+1: its label, an optional exit if it eased, and its doubts."""
    _, end, l1 = truth.holds[i]
    _, _, l2 = truth.holds[i + 1]
    es = round(end * RATE)
    up = l2 > l1
    truth.steps.append((end, "up" if up else "down"))
    if abs(l2 - l1) / max(l1, l2) < 0.13:
        why.append(f"{name}: a step of only {abs(l2 - l1) / max(l1, l2):.3f}")
    if (l2 - x[es]) * (1 if up else -1) < 0.12 * max(l2, float(x[es])):
        why.append(f"{name}: the step is not clear of the force before it")
    change = (a2 - es) / RATE
    if change > 7.5:
        why.append(f"{name}: a step taking {change:.1f} s")
    if change > 1.6:
        # Slow, or close enough to 2 s to be read so: it must be steady 3 s (with a margin) after.
        steady = x[a2: a2 + samples(3.5)]
        e2 = round(truth.holds[i + 1][1] * RATE)
        if e2 - a2 < samples(3.6) or float(np.abs(steady / l2 - 1.0).max()) > 0.05:
            why.append(f"{name}: an eased step not steady 3.5 s at its new level")
        dev = x[es:a2] / l1 - 1.0
        out = np.flatnonzero(np.abs(dev) > TOLERANCE)
        if out.size and a2 - es - int(out[0]) >= samples(EXIT_DEBOUNCE):
            truth.optional.append(((es + int(out[0])) / RATE, "high" if up else "low"))


# ==================================================================================================
# The hand's small variations and the sensors
# ==================================================================================================
@dataclass
class Recorded:
    """One sensor's recording: the rows' text, each row's true sample time (tau) and stamp, the
    sensor's delay (its averaging window's half), and how it names its columns."""

    meta: list[str]
    header: str
    rows: str
    tau: np.ndarray
    stamps: np.ndarray
    delay: float
    unit: str
    force_column: str
    tags: list[str]
    text: str


def true_force(rng: np.random.Generator, x: np.ndarray, track: Track, spec: Spec) -> np.ndarray:
    """What the hand really puts on the sensor: the label signal with a little wander (0.3-4 Hz)
    and tremor (7-12 Hz) in proportion - "tremor and sensor noise aside" - and the tools' taps."""
    n = len(x)
    wander = band_noise(rng, n, 0.3, 4.0, float(rng.uniform(0.002, 0.004)))
    tremor = band_noise(rng, n, 7.0, 12.0, float(rng.uniform(0.002, 0.004)) * (1.7 if spec.novice else 1.0))
    f = x * (1.0 + wander + tremor)
    for at, peak, width in track.taps:
        i0, k = round(at * RATE), samples(width)
        f[i0: i0 + k] += peak * np.sin(np.pi * (np.arange(k) + 0.5) / k)
    return np.maximum(f, 0.0)


def _averaged(f: np.ndarray, tau: np.ndarray, window: float) -> np.ndarray:
    """The force averaged over (tau - window, tau]: a sensor's integrating window (delay window/2)."""
    grid = np.arange(len(f)) / RATE
    if window <= 0:
        return np.interp(tau, grid, f)
    area = np.concatenate(([0.0], np.cumsum(0.5 * (f[1:] + f[:-1])) / RATE))
    return (np.interp(tau, grid, area) - np.interp(tau - window, grid, area)) / window


def _table(fmt: str, columns: Sequence[np.ndarray]) -> str:
    flat = np.column_stack(columns).ravel().tolist()
    return (fmt * len(columns[0])) % tuple(flat)


def _span(f: np.ndarray) -> float:
    return (len(f) - 1) / RATE


def rec_thin_film(rng: np.random.Generator, f: np.ndarray, track: Track) -> Recorded:
    """A thin-film piezoresistive sensor (conductance in proportion to force) under a divider on a
    12-bit ADC, calibrated to grams: the force quantum grows with force. Its sensitivity warms up
    under a loaded thumb (first order, 60-120 s, at most 1.5 %); an Arduino-style loop at 50-100 Hz
    stamps micros() on a ceramic resonator running 0.1-0.4 % off."""
    rate = float(rng.uniform(50.0, 100.0))
    ppm = float(rng.choice([-1.0, 1.0]) * rng.uniform(1000.0, 4000.0))
    n = int(_span(f) * rate * 1.05) + 10
    gaps = (1.0 + 0.01 * rng.standard_normal(n)) / rate
    stall = rng.random(n) < 0.004
    gaps[stall] += rng.integers(1, 4, int(stall.sum())) / rate       # a slow serial print
    tau = np.cumsum(gaps)
    tau = tau[tau < _span(f) - 0.01]
    stamps = np.round(float(rng.uniform(1.0, 30.0)) + tau * (1.0 + ppm * 1e-6), 6)
    alpha = 1.0 / (float(rng.uniform(60.0, 120.0)) * RATE)
    warm = sps.lfilter([alpha], [1.0, alpha - 1.0], (f > 3.0) * float(rng.uniform(0.008, 0.015)))
    force = np.interp(tau, np.arange(len(f)) / RATE, f * (1.0 + warm))
    a = 50.0                                   # N at half scale: V/Vcc = F / (F + a)
    v = force / (force + a) + rng.normal(0.0, 0.4 / 4096, len(tau))
    counts = np.clip(np.round(v * 4095), 0, 4094) + 0.0      # (+ 0.0: no "-0" in the file)
    grams = a * counts / (4095 - counts) / KGF * 1000.0
    return Recorded(["# sensor: thin-film piezoresistive, 10 kohm divider, 12-bit ADC, calibrated in grams",
                     f"# loop: ~{rate:.0f} Hz, micros() clock"],
                    "t_s,adc_counts,force_g", _table("%.6f,%d,%.1f\n", [stamps, counts, grams]),
                    tau, stamps, 0.0, "g", "force_g",
                    ["thin_film", "nonlinear_quantum", "warming_drift", "clock_drift"],
                    f"a thin-film sensor on a 12-bit divider at {rate:.0f} Hz in grams")


def rec_pressure_mat(rng: np.random.Generator, f: np.ndarray, track: Track) -> Recorded:
    """A capacitive pressure mat, 16 x 16 cells of 5 mm, scanned at 25-40 frames/s (each frame
    averages its scan: delay half a frame) and summed: a Hertzian footprint whose radius grows
    with the cube root of force, wandering a millimetre or two; each cell has its own gain (±3 %),
    noise, a dead band (0.04 N) and a quantum (0.01 N). The PC stamps frames in ms on arrival;
    0.5-2 % are dropped."""
    fps = float(rng.uniform(25.0, 40.0))
    frame = 1.0 / fps
    tau = np.arange(frame, _span(f) - 0.05, frame)
    keep = rng.random(len(tau)) > float(rng.uniform(0.005, 0.02))
    tau = tau[keep]
    force = np.maximum(_averaged(f, tau, frame), 0.0)
    starts = np.array([t for t, _ in track.tools])
    radius = np.array([RADIUS[c] for _, c in track.tools])[np.searchsorted(starts, tau, side="right") - 1]
    radius = radius * np.cbrt(force / 30.0)
    wob = np.cumsum(rng.normal(0.0, 0.08, (len(tau), 2)), axis=0)
    wob = 1.5 * np.tanh(wob / 1.5)
    pts = (np.arange(32) + 0.5) * 2.5 - 40.0
    gx, gy = (g.ravel() for g in np.meshgrid(pts, pts))
    # Cells' gains spread ±3 % after calibration: the total moves a little as the footprint wanders.
    gain = rng.normal(1.0, 0.03, 256)
    total = np.empty(len(tau))
    active = np.empty(len(tau))
    peak = np.empty(len(tau))
    for c0 in range(0, len(tau), 1000):
        sl = slice(c0, c0 + 1000)
        r2 = np.maximum(radius[sl], 1e-3)[:, None] ** 2
        d2 = (gx[None, :] - wob[sl, :1]) ** 2 + (gy[None, :] - wob[sl, 1:]) ** 2
        p = np.sqrt(np.clip(1.0 - d2 / r2, 0.0, None))
        tot = p.sum(axis=1, keepdims=True)
        w = (p / np.where(tot > 0, tot, 1.0)).reshape(-1, 16, 2, 16, 2).sum(axis=(2, 4)).reshape(-1, 256)
        cells = force[sl, None] * w * gain + rng.normal(0.0, 0.006, w.shape)
        cells = np.where(cells < 0.04, 0.0, np.round(cells / 0.01) * 0.01)
        total[sl] = cells.sum(axis=1)
        active[sl] = (cells > 0).sum(axis=1)
        peak[sl] = cells.max(axis=1) / 25e-6 / 1000.0
    host = float(rng.uniform(2.0, 40.0)) + tau + 0.015 + rng.exponential(0.003, len(tau))
    stamps = np.round(np.maximum.accumulate(host), 3)
    return Recorded(["# sensor: capacitive pressure mat, 16x16 cells of 5 mm, total force summed over cells",
                     f"# scan: {fps:.1f} frames/s, host time stamps in ms"],
                    "time_s,frame,total_force_n,active_cells,peak_kpa",
                    _table("%.3f,%d,%.2f,%d,%.1f\n", [stamps, np.flatnonzero(keep), total, active, peak]),
                    tau, stamps, frame / 2, "N", "total_force_n",
                    ["pressure_mat", "dead_band", "dropped_frames"],
                    f"a capacitive pressure mat summed over 256 cells at {fps:.0f} frames/s in N")


def rec_force_gauge(rng: np.random.Generator, f: np.ndarray, track: Track) -> Recorded:
    """A digital force gauge sending its 0.1-s average every 0.1 s on its own clock (±800 ppm) at
    0.01 kgf; the PC reads the serial buffer on a Windows timer (93.75 or 109.2 ms, jittered) and
    stamps every reading it finds with that poll's time: two readings in one poll share a stamp."""
    tick = 0.1 * (1.0 + float(rng.uniform(-800e-6, 800e-6)))
    tau = np.arange(float(rng.uniform(0.1, 0.2)), _span(f) - 0.3, tick)
    kgf = np.round(_averaged(f, tau, 0.1) / KGF, 2)
    period = float(rng.choice([0.09375, 0.1092]))
    polls = np.arange(0.0, _span(f) + 1.0, period)
    polls = np.maximum.accumulate(polls + rng.normal(0.0, 0.004, len(polls)))
    ready = tau + float(rng.uniform(0.002, 0.006))
    slot = np.searchsorted(polls, ready)
    ok = slot < len(polls)
    tau, kgf = tau[ok], kgf[ok]
    stamps = np.round(float(rng.uniform(0.2, 2.0)) + polls[slot[ok]], 3)
    return Recorded(["# sensor: digital force gauge, 0.01 kgf, 10 readings/s (0.1-s averages)",
                     f"# logger: PC polls every {period * 1000:.2f} ms, stamps at each poll"],
                    "elapsed_s,load_kgf", _table("%.3f,%.2f\n", [stamps, kgf]),
                    tau, stamps, 0.05, "kg", "load_kgf",
                    ["force_gauge", "poll_stamps", "clock_drift"],
                    "a digital force gauge at 10 readings/s, 0.01 kgf, PC-poll stamps, in kg")


def rec_force_plate(rng: np.random.Generator, f: np.ndarray, track: Track) -> Recorded:
    """A 1200 Hz force plate (DAQ crystal ±60 ppm) under the treated limb, tared: Fz is the push,
    Fx and Fy its shear at a 3-12 degree angle; its first mode (150-300 Hz, 3-6 % damping) rings
    when a tool is tapped down; 0.3-0.5 N noise and a 0.061 N quantum."""
    ppm = float(rng.uniform(-60.0, 60.0))
    k = np.arange(int(_span(f) * 1200) - 10)
    tau = k / (1200.0 * (1.0 + ppm * 1e-6))
    stamps = k / 1200.0
    fn, zeta = float(rng.uniform(150.0, 300.0)), float(rng.uniform(0.03, 0.06))
    wn = 2 * np.pi * fn
    b, a = sps.bilinear([wn ** 2], [1.0, 2 * zeta * wn, wn ** 2], fs=1200.0)
    push = _averaged(f, tau, 0.0)
    fz = sps.lfilter(b, a, push) + rng.normal(0.0, float(rng.uniform(0.3, 0.5)), len(tau))
    fz = np.round(fz / 0.061) * 0.061
    angle = np.radians(float(rng.uniform(3.0, 12.0))) + 0.02 * np.sin(2 * np.pi * 0.05 * tau)
    heading = float(rng.uniform(0.0, 2 * np.pi))
    fx = push * np.tan(angle) * np.cos(heading) + rng.normal(0.0, 0.3, len(tau))
    fy = push * np.tan(angle) * np.sin(heading) + rng.normal(0.0, 0.3, len(tau))
    tags = ["force_plate", "clock_drift"] + (["plate_ringing"] if track.taps else [])
    return Recorded(["# sensor: force plate, 1200 Hz, tared under the limb; Fz is the push"],
                    "time_s,Fx_N,Fy_N,Fz_N", _table("%.6f,%.2f,%.2f,%.3f\n", [stamps, fx, fy, fz]),
                    tau, stamps, 0.0, "N", "Fz_N", tags, "a 1200 Hz force plate (Fz) in N")


def rec_strain_amp(rng: np.random.Generator, f: np.ndarray, track: Track) -> Recorded:
    """A strain-gauge load cell on an amplifier into a DAQ at 250-500 Hz (clock ±300 ppm,
    integrating conversions: delay half a sample), in lbf. Its bridge excitation carries 0.3-1 %
    mains ripple that the ADC reference does not (ratiometric error: in proportion to force,
    aliased); its cable, flexed whenever the hand moves, adds triboelectric transients (0.4-2.5 N,
    40-90 Hz, decaying in 10-30 ms)."""
    fs = float(rng.integers(250, 501))
    ppm = float(rng.uniform(-300.0, 300.0))
    k0 = int(rng.integers(0, 100000))
    k = np.arange(int(_span(f) * fs) - 5)
    tau = k / (fs * (1.0 + ppm * 1e-6))
    stamps = (k0 + k) / fs
    force = _averaged(f, tau, 1.0 / fs)
    mains = float(rng.choice([100.0, 120.0])) * (1.0 + float(rng.normal(0.0, 1e-4)))
    r = float(rng.uniform(0.003, 0.01))
    force = force * (1.0 + r * np.sin(2 * np.pi * mains * tau + rng.uniform(0, 6.28))
                     + 0.3 * r * np.sin(4 * np.pi * mains * tau + rng.uniform(0, 6.28)))
    for at in track.moves:
        if rng.random() < 0.6:
            for _ in range(int(rng.integers(1, 4))):
                t0 = at + float(rng.uniform(0.0, 0.08))
                amp = float(rng.uniform(0.4, 2.5) * rng.choice([-1.0, 1.0]))
                fo, dec = float(rng.uniform(40.0, 90.0)), float(rng.uniform(0.01, 0.03))
                i0, i1 = np.searchsorted(tau, [t0, t0 + 6 * dec])
                v = tau[i0:i1] - t0
                force[i0:i1] += amp * np.exp(-v / dec) * np.sin(2 * np.pi * fo * v)
    force = force + rng.normal(0.0, float(rng.uniform(0.03, 0.1)), len(tau))
    return Recorded(["# sensor: strain-gauge load cell, bridge amplifier, DAQ", f"# rate: {fs:.0f} Hz"],
                    "t,force_lbf", _table("%.6f,%.4f\n", [stamps, force / LBF]),
                    tau, stamps, 0.5 / fs, "lbf", "force_lbf",
                    ["strain_amp", "ripple", "cable_artefacts", "clock_drift"],
                    f"a strain-gauge amplifier at {fs:.0f} Hz in lbf")


def rec_batched_host(rng: np.random.Generator, f: np.ndarray, track: Track) -> Recorded:
    """A load-cell module at 100-200 Hz (a 4-sample average: delay 1.5 samples) with a thermal zero
    drift under load (up to 0.25 N) that its firmware auto-zeros once the reading has lain within
    0.9 N of zero for 1.5 s - under a resting hand too. It sends packets of 6-12 samples; the host
    stamps each line on arrival (10-25 ms late, now and then a missed connection event), so a
    packet's samples share nearly one stamp. In lb."""
    rate = float(rng.uniform(100.0, 200.0))
    tau = np.arange(4.0 / rate, _span(f) - 0.3, 1.0 / rate)
    force = _averaged(f, tau, 4.0 / rate)
    heat = float(rng.uniform(0.004, 0.01))
    limit = float(rng.uniform(0.15, 0.25))
    noise = rng.normal(0.0, float(rng.uniform(0.02, 0.05)), len(tau))
    reading = np.empty(len(tau))
    zero, tare, quiet = 0.0, 0.0, 0
    dt = 1.0 / rate
    need, recent = int(1.5 * rate), int(0.5 * rate)
    for i, fi in enumerate(force):
        zero = min(zero + heat * dt, limit) if fi > 3.0 else zero * (1.0 - dt / 30.0)
        reading[i] = fi + zero - tare + noise[i]
        quiet = quiet + 1 if abs(reading[i]) < 0.9 else 0
        if quiet >= need:
            tare += float(reading[i - recent + 1: i + 1].mean())
            quiet = 0
    size = int(rng.integers(6, 13))
    last = np.minimum(np.arange(size - 1, len(tau) + size - 1, size), len(tau) - 1)
    late = rng.uniform(0.010, 0.025, len(last)) + rng.exponential(0.003, len(last))
    late += np.where(rng.random(len(last)) < 0.01, rng.uniform(0.02, 0.05, len(last)), 0.0)
    # A packet is read after the one before it (which took its lines' parsing time).
    gap = size * 1.5e-5 + 1e-4
    order = np.arange(len(last)) * gap
    arrive = np.maximum.accumulate(tau[last] + late - order) + order
    packet = np.arange(len(tau)) // size
    within = np.arange(len(tau)) % size
    stamps = np.round(float(rng.uniform(1000.0, 90000.0)) + arrive[packet] + within * 1.5e-5, 6)
    seq = np.arange(len(tau)) % 65536
    return Recorded(["# sensor: load-cell module with auto-zero, packets to the host",
                     f"# device rate ~{rate:.0f} Hz, {size} samples a packet, host time stamps"],
                    "host_s,seq,force_lb", _table("%.6f,%d,%.4f\n", [stamps, seq, reading / LBF]),
                    tau, stamps, 1.5 / rate, "lb", "force_lb",
                    ["batched_host", "auto_zero"],
                    f"a load-cell module at {rate:.0f} Hz in packets of {size} stamped on arrival, in lb")


RECORDERS: dict[str, Callable[[np.random.Generator, np.ndarray, Track], Recorded]] = {
    "thin_film": rec_thin_film, "pressure_mat": rec_pressure_mat, "force_gauge": rec_force_gauge,
    "force_plate": rec_force_plate, "strain_amp": rec_strain_amp, "batched_host": rec_batched_host}


# ==================================================================================================
# A session end to end
# ==================================================================================================
@dataclass
class Session:
    name: str
    csv: bytes
    labels: bytes
    stamps: np.ndarray
    seen: np.ndarray          # the label signal as each row shows it (N)


def accepted(seed: int, index: int) -> tuple[Spec, Track, np.ndarray, Truth, int]:
    """The first draw of the session that reads one way only: spec, track, label signal, labels,
    attempt."""
    spec = session_spec(seed, index)
    for attempt in range(200):
        track = compose(spec, np.random.default_rng([seed, index, attempt, 1]))
        x = track.signal()
        truth, why = read_truth(x, track)
        if not why:
            return spec, track, x, truth, attempt
    raise RuntimeError(f"session {index} of seed {seed}: no unambiguous draw in 200 attempts")


def session_models(seed: int, index: int) -> tuple[Spec, list[str]]:
    """The models a session shows (its labels' ``models``), without recording it."""
    spec, track, _, _, _ = accepted(seed, index)
    return spec, sorted(track.used) + _sensor_tags(spec, track)


def _sensor_tags(spec: Spec, track: Track) -> list[str]:
    tags = {"thin_film": ["thin_film", "nonlinear_quantum", "warming_drift", "clock_drift"],
            "pressure_mat": ["pressure_mat", "dead_band", "dropped_frames"],
            "force_gauge": ["force_gauge", "poll_stamps", "clock_drift"],
            "force_plate": ["force_plate", "clock_drift"] + (["plate_ringing"] if track.taps else []),
            "strain_amp": ["strain_amp", "ripple", "cable_artefacts", "clock_drift"],
            "batched_host": ["batched_host", "auto_zero"]}
    return tags[spec.sensor]


def _sig(v: float) -> float:
    return float(f"{v:.5g}")


def build(seed: int, index: int) -> Session:
    spec, track, x, truth, attempt = accepted(seed, index)
    f = true_force(np.random.default_rng([seed, index, attempt, 2]), x, track, spec)
    rec = RECORDERS[spec.sensor](np.random.default_rng([seed, index, attempt, 3]), f, track)
    assert rec.tags == _sensor_tags(spec, track)
    assert np.all(np.diff(rec.tau) > 0) and np.all(np.diff(rec.stamps) >= 0)

    def stamp(t: float) -> float:
        """The stamp of the row that first shows what happened at true time t."""
        return round(float(np.interp(t + rec.delay, rec.tau, rec.stamps)), 3)

    per = {"N": 1.0, "kg": KGF, "g": KGF / 1000.0, "lb": LBF, "lbf": LBF}[rec.unit]
    name = f"{PREFIX}_s{seed}_{index:03d}"
    models = sorted(track.used) + rec.tags
    hand = "a novice's hand" if spec.novice else "an experienced hand"
    notes = (f"{PROTOCOL_TEXT[spec.protocol]} by {hand}, recorded with {rec.text}; shows "
             + "; ".join(MODELS[m] for m in models) + ". Labels read from the noise-free intended force "
             "on this file's clock; levels are settled levels (the median of each hold's first 1.5 s).")
    labels = {
        "generator": "blind_generator5", "seed": seed, "session": index,
        "unit": rec.unit, "force_column": rec.force_column, "time_column": rec.header.split(",")[0],
        "holds": [[stamp(s), stamp(e), _sig(lv / per)] for s, e, lv in truth.holds],
        "steps": [[stamp(t), d] for t, d in truth.steps],
        "releases": [[stamp(t)] for t in truth.releases],
        "band_exits": [[stamp(t), d] for t, d in truth.exits],
        "band_exits_optional": [[stamp(t), d] for t, d in truth.optional],
        "models": models, "notes": notes}
    meta = [f"# blind_generator5 seed {seed} session {index}: {PROTOCOL_TEXT[spec.protocol]}, {hand}",
            *rec.meta, f"# unit: {rec.unit}"]
    csv = "\n".join([*meta, rec.header]) + "\n" + rec.rows
    seen = np.interp(rec.tau - rec.delay, np.arange(len(x)) / RATE, x)
    return Session(name, csv.encode(), (json.dumps(labels, indent=1) + "\n").encode(), rec.stamps, seen)


# ==================================================================================================
# The second reader (--check): written apart from the first, on the rows' own stamps
# ==================================================================================================
N_PER_UNIT = {"n": 1.0, "kg": 9.80665, "kgf": 9.80665, "g": 0.00980665, "lb": 4.4482216152605,
              "lbf": 4.4482216152605}


def _monitor(ts: np.ndarray, ys: np.ndarray, level: float) -> list[tuple[float, str]]:
    """The contract's band alert, sample by sample: out 0.15 s is an exit (dated where it went
    out), back in 0.5 s re-arms."""
    found: list[tuple[float, str]] = []
    armed = True
    out_since: float | None = None
    in_since: float | None = None
    for t, y in zip(ts.tolist(), ys.tolist(), strict=True):
        rel = y / level - 1.0
        if abs(rel) > 0.10:
            in_since = None
            if out_since is None:
                out_since, side = t, ("high" if rel > 0 else "low")
            if armed and t - out_since >= 0.15:
                found.append((out_since, side))
                armed = False
        else:
            out_since = None
            if not armed:
                in_since = t if in_since is None else in_since
                if t - in_since >= 0.5:
                    armed = True
    return found


def verify(labels: dict, ts: np.ndarray, ys: np.ndarray) -> list[str]:
    """What is wrong with ``labels`` against the label signal ``ys`` at stamps ``ts`` (empty: all
    agree), with looser tolerances than the generator's own rules."""
    per = N_PER_UNIT[str(labels["unit"]).casefold()]
    holds = [(float(s), float(e), float(v) * per) for s, e, v in labels["holds"]]
    steps = [(float(t), str(d)) for t, d in labels["steps"]]
    releases = [float(r[0]) for r in labels["releases"]]
    exits = [(float(t), str(d)) for t, d in labels["band_exits"]]
    optional = [(float(t), str(d)) for t, d in labels["band_exits_optional"]]
    bad: list[str] = []

    def rows(a: float, b: float) -> slice:
        return slice(int(np.searchsorted(ts, a)), int(np.searchsorted(ts, b)))

    def near(t: float, pool: list[float], tol: float = 0.05) -> bool:
        return any(abs(t - p) <= tol for p in pool)

    step_t = [t for t, _ in steps]
    monitored: list[tuple[float, str]] = []
    for k, (s, e, lv) in enumerate(holds):
        tag = f"hold {s:.2f}-{e:.2f}"
        if e - s < 1.5 or lv < CONTACT_N or (k and s < holds[k - 1][1]):
            bad.append(f"{tag}: shorter than 1.5 s, out of contact or overlapping")
            continue
        first = ys[rows(s + 0.25, s + 1.5)]
        if not first.size or np.abs(first / lv - 1).max() > 0.09 or abs(np.median(first) / lv - 1) > 0.04:
            bad.append(f"{tag}: its first 1.5 s are not at its level {lv:.2f} N")
        later = rows(s + 1.5, e)
        t_in, y_in = ts[later], ys[later]
        away = np.abs(y_in / lv - 1) > 0.09
        i = 0
        while i < len(away):
            if not away[i]:
                i += 1
                continue
            j = i
            while j < len(away) and away[j]:
                j += 1
            # A departure still under way at the hold's end is its ending (a batched clock puts a
            # few rows after the ending under the label's rounded stamp).
            back = j == len(away) or t_in[j] - t_in[i] <= 1.2
            before = ys[int(np.searchsorted(ts, t_in[i] - 0.5))]
            slow = abs(y_in[i] - before) < 0.06 * lv
            if not (back or slow):
                bad.append(f"{tag}: leaves its level fast at {t_in[i]:.2f} s and stays away")
            i = j
        monitored += _monitor(t_in, y_in, lv)
        tail = ys[rows(e, e + 2.5)]
        if tail.size and np.abs(tail / lv - 1).max() < 0.09:
            bad.append(f"{tag}: nothing happens at its end")
        nxt = holds[k + 1] if k + 1 < len(holds) else None
        if near(e, step_t):
            d = steps[[abs(e - t) <= 0.05 for t in step_t].index(True)][1]
            if nxt is None:
                bad.append(f"{tag}: a step with no hold after it")
                continue
            between = ys[rows(e, nxt[0])]
            if (abs(nxt[2] - lv) / max(nxt[2], lv) < 0.10 or d != ("up" if nxt[2] > lv else "down")
                    or nxt[0] - e > 8.5 or (between.size and between.min() < max(CONTACT_N, 0.15 * lv))):
                bad.append(f"{tag}: its step at {e:.2f} is not a change of level in contact")
        elif near(e, releases):
            window = rows(e, e + 2.5)
            fallen = np.flatnonzero(ys[window] < 0.15 * lv)
            if not fallen.size:
                bad.append(f"{tag}: no fall below 15 % after its release")
            else:
                # By row, not by stamp: a repeated stamp may hold rows from before the fall.
                i0 = window.start + int(fallen[0])
                if ys[i0: int(np.searchsorted(ts, ts[i0] + 1.0))].max() >= 0.15 * lv:
                    bad.append(f"{tag}: its release does not stay below 15 %")
        elif nxt is not None:
            gone = ys[rows(e + 0.5, e + 1.0)]
            if (np.abs(ys[rows(e, e + 0.5)] / lv - 1).max() < 0.08 or not gone.size
                    or np.abs(gone / lv - 1).min() < 0.08 or abs(nxt[2] / lv - 1) >= 0.10):
                bad.append(f"{tag}: it ends neither by a step nor a release, nor plainly leaves its level")
        else:
            bad.append(f"{tag}: the last hold ends without a release")
    for t, d in steps:
        if not any(abs(e - t) <= 0.05 for _, e, _ in holds):
            bad.append(f"step {t:.2f} {d}: at no hold's end")
    for t in releases:
        if not any(abs(e - t) <= 0.05 for _, e, _ in holds):
            bad.append(f"release {t:.2f}: at no hold's end")

    for t, d in monitored:
        if not any(abs(t - u) <= 0.25 and d == du for u, du in exits + optional):
            bad.append(f"an unlabelled band exit {d} at {t:.2f}")
    for u, du in exits:
        if not any(abs(t - u) <= 0.25 and d == du for t, d in monitored):
            bad.append(f"band exit {du} at {u:.2f}: the monitor sees none")
    for u, du in optional:
        prior = max((i for i, (_, e, _) in enumerate(holds) if e <= u and near(e, step_t)), default=None)
        if (prior is None or prior + 1 >= len(holds) or not (holds[prior][1] <= u <= holds[prior + 1][0])
                or du != ("high" if holds[prior + 1][2] > holds[prior][2] else "low")):
            bad.append(f"optional exit {du} at {u:.2f}: not inside a step's change its way")
            continue
        y = float(np.interp(u, ts, ys))
        if abs(abs(y / holds[prior][2] - 1) - 0.10) > 0.03:
            bad.append(f"optional exit at {u:.2f}: the force is not at the old band's edge")

    # No steady stretch in contact outside the holds.
    t = float(ts[0])
    while t + 2.0 <= ts[-1]:
        w = ys[rows(t, t + 2.0)]
        if w.size >= 5:
            med = float(np.median(w))
            before = [lv for s, _, lv in holds if s <= t + 2.0]
            ref = before[-1] if before else (holds[0][2] if holds else 0.0)
            if med >= 4.0 and med >= 0.2 * ref and w.max() - w.min() <= 0.10 * med:
                overlap = sum(max(0.0, min(t + 2.0, e) - max(t, s)) for s, e, _ in holds)
                if overlap < 0.5:
                    bad.append(f"a steady stretch at {t:.2f}-{t + 2.0:.2f} s that no hold covers")
        t += 0.25
    return bad


# ==================================================================================================
# Command line
# ==================================================================================================
def generate(out: Path, seed: int, sessions: int) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot write the sessions to {out} ({exc.strerror or exc}): give a folder "
                         "that can be created and written") from None
    for i in range(sessions):
        s = build(seed, i)
        try:
            (out / f"{s.name}.csv").write_bytes(s.csv)
            (out / f"{s.name}.labels.json").write_bytes(s.labels)
        except OSError as exc:
            raise UsageError(f"cannot write the sessions to {out} ({exc.strerror or exc}): give a "
                             "writable folder") from None
    print(f"wrote {sessions} sessions of seed {seed} to {out}")


def run_check(out: Path, seed: int, sessions: int | None) -> int:
    if not out.is_dir():
        raise UsageError(f"{out} is no folder: give the folder the sessions were written to")
    pattern = re.compile(rf"{PREFIX}_s{seed}_(\d{{3,}})\.labels\.json")
    present = [int(m.group(1)) for p in out.iterdir() if (m := pattern.fullmatch(p.name))]
    if not present and sessions is None:
        raise UsageError(f"{out} holds no session of seed {seed}: write them first "
                         f"(blind_generator5.py {out} --seed {seed})")
    count = sessions if sessions is not None else max(present) + 1
    failures = 0
    for i in range(count):
        name = f"{PREFIX}_s{seed}_{i:03d}"
        csv, lab = out / f"{name}.csv", out / f"{name}.labels.json"
        if not (csv.exists() and lab.exists()):
            print(f"{name}: missing")
            failures += 1
            continue
        try:
            got_csv, got_labels = csv.read_bytes(), lab.read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read the sessions in {out} ({exc.strerror or exc}): check the "
                             "folder's files") from None
        s = build(seed, i)
        problems = []
        if got_csv != s.csv:
            problems.append("the CSV differs from a regenerated one")
        if got_labels != s.labels:
            problems.append("the labels differ from regenerated ones")
        try:
            problems += verify(json.loads(got_labels), s.stamps, s.seen)
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            problems.append(f"the labels cannot be read ({exc})")
        for p in problems:
            print(f"{name}: {p}")
        failures += bool(problems)
    print(f"checked {count} sessions of seed {seed}: {count - failures} agree, {failures} fail")
    return 1 if failures else 0


def main(argv: Sequence[str] | None = None) -> int:
    return generator_main(argv, tool="blind_generator5.py", doc=__doc__, default_sessions=48,
                          seed_default=None, generate=generate, run_check=run_check)


if __name__ == "__main__":
    sys.exit(main())
