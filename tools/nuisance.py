"""An independent labelled generator for the robustness matrix of ``tools/score_detection.py``.

Its own simple hand model (no code from ``firmware_sim``, whose hands tuned the detector): a session is a
script of contacts separated by rests - holds of 6-20 s at 5-60 N reached by a minimum-jerk arrival (with
over- or undershoot, or as a staircase), steps between holds, slow drifts out of the band that come back
or fade into a release, departures that leave a hold (pumping, a burst) before a let-go, brief touches and
gliding strokes - plus nuisances laid over it one family at a time (:data:`FAMILIES`): tremor, wander,
pulse, sensor noise, mains hum, quantisation, dropouts, creep, sample rate and timestamp faults; and a
``combined`` family with several of them at once, each at the middle of its range.

Ground truth follows the public contract (``CONTRACT.md``, "Definitions"); the conventions, exactly:

* **hold** ``start`` = the first moment from which the hand's force (tremor and noise aside) stays within
  ±8 % of the settled level until it has settled; ``end`` = the onset of whatever ends it (the step's or
  release's onset, or the onset of a fast departure: ``ended_by`` ``"step"``, ``"release"``, ``"left"``).
  ``level`` = the settled level: the mean of the slow reading (hand force with wander, creep and
  quantisation, without tremor, pulse and noise) over the 1.5 s after the arrival's over/undershoot has
  settled. Slow drifts inside a hold do not end it.
* **step** ``t`` = the onset of the change (start of the minimum-jerk movement, or of the slow ramp),
  ``direction`` up/down; every step changes the level by 11-30 % (1 % clear of the contract's 10 %, which
  no detector can judge exactly) and is followed by a hold of at least 6 s (a slow step's new level is
  steady for well over the contract's 3 s).
* **release** ``t`` = the onset of the drop (the start of the final continuous descent). Rests after a
  release last >= 1.5 s below 12 % of the level, some with light contact left (a resting hand, up to 3 N).
  A hold that ends by a departure (``left``) gets no step or release at the departure; the let-go that
  ends the contact afterwards is a release (the contact held).
* **band_exit** ``t`` = the moment the slow reading leaves ``level · (1 ± 0.10)`` for the excursion that
  lasts >= 0.15 s, with the contract's debounce rule (re-entry needs 0.5 s inside), watched only inside
  labelled holds from their confirmation (start + 1.5 s, and not before the level settled) to their end.
  Where a slow step (> 2 s, relative-band mode) leaves the old band, the contract allows an exit: it is
  labelled ``optional`` (neither required nor a false alert).
* **touch** / **stroke**: the spans of brief touches (< 1 s) and gliding strokes (±30-50 % at 0.3-1 Hz),
  and of the pumping after a ``left`` departure; no hold belongs inside them.

Everything is seeded (``numpy.random.default_rng``) and vectorised over samples.
"""

from __future__ import annotations

import dataclasses
import math
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import signal

Dict = dict[str, Any]

KGF = 9.80665
HOLD_BAND = 0.08       # contract: a hold stays within ±8 % of its level
BAND = 0.10            # contract: band tolerance
MIN_HOLD = 1.5         # contract: a hold is confirmed after 1.5 s
EXIT_DEBOUNCE = 0.15   # contract: outside this long -> band exit
ENTER_DEBOUNCE = 0.5   # contract: inside this long -> band enter
FAST_STEP_MAX = 2.0    # contract: a change completed within 2 s is a step in both band modes
GRID_HZ = 500.0        # the fine grid on which labels and fast nuisances are computed
SLOW_HZ = 20.0         # the grid of slow nuisances (wander, creep)


# --------------------------------------------------------------------------------------------------
# Knobs
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Params:
    """Everything a session can vary. The defaults are the mild setting every family starts from."""

    duration: float = 240.0                       # s of script (a session ends in a rest after it)
    rate: float = 100.0                           # Hz, nominal
    levels: tuple[float, float] = (5.0, 60.0)     # N, hold levels (log-uniform)
    hold_s: tuple[float, float] = (6.0, 20.0)     # s, plain hold length
    # tremor (multiplicative): "sine" at tremor_hz, "narrow" (2 Hz wide around tremor_hz), "broad" 3-15 Hz
    tremor_kind: str = "narrow"
    tremor_hz: float = 8.0
    tremor_rms: float = 0.003
    wander_rms: float = 0.003                     # 0.05-1 Hz, multiplicative, part of the slow reading
    pulse_rms: float = 0.002                      # arterial pulse 1-1.6 Hz, multiplicative
    white_n: float = 0.03                         # N RMS
    pink_n: float = 0.0                           # N RMS
    hum_n: float = 0.0                            # N amplitude
    hum_hz: float = 50.0
    quantum_n: float = 0.0                        # N (0 = none)
    creep: float = 0.0                            # fraction of the load, time constant creep_tau
    creep_tau: float = 15.0
    dropout_s: float = 0.0                        # a silence of this length inside every hold >= 6 s
    # timing: uniform jitter of ±jitter/2 sample intervals; a fraction of duplicated timestamps;
    # timestamps rounded to this many seconds; host batching (timestamps = bunch arrival time)
    jitter: float = 0.0
    duplicates: float = 0.0
    stamp_resolution: float = 0.0
    batch_s: float = 0.0
    # movements
    arrival_s: tuple[float, float] = (0.4, 1.5)
    step_s: tuple[float, float] = (0.4, 1.2)      # fast steps: minimum jerk
    step_size: tuple[float, float] = (0.11, 0.30)
    slow_step_s: tuple[float, float] | None = None  # slow steps: constant-rate ramps with eased corners
    steps_per_contact: tuple[float, float, float] = (0.35, 0.4, 0.25)  # P(0, 1, 2 steps)
    p_drift: float = 0.4
    drift_rate: tuple[float, float] = (0.03, 0.05)  # fraction of the level per second
    # on every arrival and step, in its direction: + past the target (of its level), - short (of the way)
    overshoot: tuple[float, float] = (-0.03, 0.03)
    stairs: int = 0                               # staircase arrivals with this many stairs (0 = none)
    release_s: tuple[float, float] = (0.15, 1.0)
    p_residual: float = 0.3                       # light contact left after a release
    p_left: float = 0.12                          # a hold left by pumping or a burst, then a let-go
    p_touch: float = 0.35
    p_stroke: float = 0.25
    stroke_hz: tuple[float, float] = (0.4, 0.8)
    min_quanta: float = 25.0                      # with a coarse quantum, levels of at least this many


@dataclass(frozen=True)
class Row:
    """One row of the matrix: a nuisance family at one level."""

    family: str
    level: str
    params: Params

    @property
    def name(self) -> str:
        return f"{self.family} {self.level}"


def _rows() -> list[Row]:
    P = Params
    rows: list[Row] = []

    def add(family: str, level: str, **kw: Any) -> None:
        rows.append(Row(family, level, dataclasses.replace(P(), **kw)))

    add("baseline", "mild")
    for hz, rms in ((3, 0.003), (3, 0.01), (3, 0.02), (6, 0.02), (10, 0.02), (15, 0.02)):
        add("tremor-sine", f"{hz} Hz {rms:.1%}", tremor_kind="sine", tremor_hz=float(hz), tremor_rms=rms)
    for hz, rms in ((4, 0.01), (4, 0.02), (8, 0.02), (12, 0.02)):
        add("tremor-narrow", f"{hz} Hz {rms:.1%}", tremor_kind="narrow", tremor_hz=float(hz), tremor_rms=rms)
    for rms in (0.003, 0.01, 0.02):
        add("tremor-broad", f"3-15 Hz {rms:.1%}", tremor_kind="broad", tremor_rms=rms)
    for rms in (0.003, 0.006, 0.01):
        add("wander", f"{rms:.1%}", wander_rms=rms)
    for rms in (0.002, 0.004, 0.006):
        add("pulse", f"{rms:.1%}", pulse_rms=rms)
    for n in (0.03, 0.06, 0.1):
        add("white-noise", f"{n:g} N", white_n=n)
    for n in (0.03, 0.06, 0.1):
        add("pink-noise", f"{n:g} N", pink_n=n)
    for hz, a, rate in ((50, 0.2, 1000), (50, 1.0, 1000), (60, 0.2, 1000), (60, 1.0, 1000), (50, 0.2, 80)):
        add("mains-hum", f"{hz} Hz {a:g} N @{rate} Hz", hum_hz=float(hz), hum_n=a, rate=float(rate))
    for kg, rate in ((0.01, 100), (0.05, 100), (0.1, 10)):
        add("quantisation", f"{kg:g} kg @{rate} Hz", quantum_n=kg * KGF, rate=float(rate))
    for s in (0.5, 1.5, 2.9):
        add("dropouts", f"{s:g} s", dropout_s=s)
    for c in (0.01, 0.02, 0.03):
        add("creep", f"{c:.0%}", creep=c)
    for s in (0.3, 0.8, 1.4, 2.0):
        add("steps", f"{s:g} s", step_s=(max(0.3, s - 0.1), s), steps_per_contact=(0.0, 0.5, 0.5))
    for s in (2.5, 4.0, 6.0, 8.0):
        add("slow-steps", f"{s:g} s", slow_step_s=(s - 0.5, s), steps_per_contact=(0.0, 0.5, 0.5))
    for r in (0.01, 0.02, 0.04, 0.08):
        add("drifts", f"{r:.0%}/s", drift_rate=(0.8 * r, r), p_drift=1.0)
    for o in (0.05, 0.10, 0.15, -0.05, -0.10, -0.15):
        lo, hi = sorted((0.8 * o, o))
        add("overshoot", f"{o:+.0%}", overshoot=(lo, hi))
    for k in (2, 3, 4):
        add("staircase", f"{k} stairs", stairs=k)
    add("light-holds", "3-4 N", levels=(3.0, 4.0))
    add("light-holds", "4-5 N", levels=(4.0, 5.0))
    add("heavy-holds", "100-200 N", levels=(100.0, 200.0))
    add("heavy-holds", "200-600 N", levels=(200.0, 600.0))
    for hz in (0.3, 0.5, 1.0):
        add("strokes", f"{hz:g} Hz", stroke_hz=(hz, hz), p_stroke=0.8)
    for rate in (10, 25, 80, 250, 1000, 2000):
        add("sample-rate", f"{rate} Hz", rate=float(rate))
    for j in (0.2, 0.5, 0.9):
        add("jitter", f"±{j / 2:.0%} of dt", jitter=j)
    add("duplicates", "2 %", duplicates=0.02)
    add("duplicates", "10 %", duplicates=0.10)
    add("duplicates", "2 kHz in ms", rate=2000.0, stamp_resolution=0.001)
    for b, rate in ((0.02, 1000), (0.1, 100), (0.25, 100)):
        add("batching", f"{b * 1000:g} ms @{rate} Hz", batch_s=b, rate=float(rate))
    # Several nuisances at once, each at the middle of its realistic range: a real hand has tremor,
    # wander and a pulse together, and eases, overshoots and drifts in one session. One at a time every
    # row above passes while these interact (a slow step's start lost in wander, say), so they are
    # rows of their own: the hand alone, then on three sensors.
    hand: dict[str, Any] = dict(tremor_kind="narrow", tremor_hz=8.0, tremor_rms=0.01, wander_rms=0.006,
                                pulse_rms=0.004, white_n=0.06, overshoot=(-0.08, 0.08),
                                drift_rate=(0.01, 0.06), step_s=(0.4, 2.0), slow_step_s=(2.5, 6.0))
    add("combined", "moderate hand", **hand)
    add("combined", "moderate hand, HX711 10 Hz 0.05 kg", **hand, rate=10.0, quantum_n=0.05 * KGF,
        levels=(20.0, 150.0))
    add("combined", "moderate hand, 1 kHz hum + pink", **hand, rate=1000.0, hum_n=0.2, pink_n=0.03)
    add("combined", "moderate hand, light 3-8 N", **hand, levels=(3.0, 8.0), pink_n=0.03)
    return rows


#: Every row of the matrix, in report order.
FAMILIES: list[Row] = _rows()


def quick_rows() -> list[Row]:
    """The --quick subset: per family its mildest and its harshest level (the extremes of the range)."""
    out: list[Row] = []
    by_family: dict[str, list[Row]] = {}
    for r in FAMILIES:
        by_family.setdefault(r.family, []).append(r)
    for rows in by_family.values():
        pick = rows if len(rows) <= 2 else [rows[0], rows[-1]]
        if rows[0].family in ("tremor-sine", "overshoot", "mains-hum", "combined"):  # not in order
            pick = rows
        out += pick
    return out


def session_seed(row: Row, index: int) -> int:
    """Deterministic seed of one session of a row (stable across runs and row reordering)."""
    return (zlib.crc32(row.name.encode()) * 1000 + index) % (2**32)


# --------------------------------------------------------------------------------------------------
# The hand's script: piecewise force, exact at any time
# --------------------------------------------------------------------------------------------------
_CONST, _MJ, _TRAP, _SINE = 0, 1, 2, 3


class Script:
    """Pieces of force laid end to end: constant, minimum jerk, eased constant-rate ramp, sine."""

    def __init__(self, t0: float) -> None:
        self.t = t0
        self.v = 0.0
        self._t0: list[float] = []
        self._dur: list[float] = []
        self._kind: list[int] = []
        self._p: list[tuple[float, float, float, float]] = []

    def _add(self, dur: float, kind: int, a: float, b: float, c: float = 0.0, d: float = 0.0) -> float:
        start = self.t
        self._t0.append(start)
        self._dur.append(max(dur, 1e-9))
        self._kind.append(kind)
        self._p.append((a, b, c, d))
        self.t += dur
        return start

    def const(self, dur: float) -> float:
        return self._add(dur, _CONST, self.v, self.v)

    def minjerk(self, to: float, dur: float) -> float:
        start = self._add(dur, _MJ, self.v, to)
        self.v = to
        return start

    def ramp(self, to: float, dur: float, corner: float = 0.25, ease: bool = False) -> float:
        """Constant rate with eased corners (trapezoidal velocity, ``corner`` s of acceleration);
        ``ease``: a slow barrier step (``EASE`` shapes it), not a drift (``RAMP``)."""
        start = self._add(dur, _TRAP, self.v, to, min(corner, dur / 3), 1.0 if ease else 0.0)
        self.v = to
        return start

    def sine(self, mean: float, amp: float, hz: float, dur: float, phase: float = 0.0) -> float:
        start = self._add(dur, _SINE, mean, amp, hz, phase)
        self.v = mean + amp * math.sin(2 * math.pi * hz * dur + phase)
        return start

    def __call__(self, t: np.ndarray) -> np.ndarray:
        t0 = np.asarray(self._t0)
        dur = np.asarray(self._dur)
        kind = np.asarray(self._kind)
        p = np.asarray(self._p)
        i = np.clip(np.searchsorted(t0, t, side="right") - 1, 0, t0.size - 1)
        u = np.clip(t - t0[i], 0.0, dur[i])
        a, b, c, d = p[i, 0], p[i, 1], p[i, 2], p[i, 3]
        k = kind[i]
        out = a.copy()
        m = k == _MJ
        out[m] = MOVE(a[m], b[m], u[m] / dur[i][m])
        for shape, m in ((RAMP, (k == _TRAP) & (d == 0.0)), (EASE, (k == _TRAP) & (d != 0.0))):
            out[m] = shape(a[m], b[m], u[m], dur[i][m], c[m])
        m = k == _SINE
        out[m] = a[m] + b[m] * np.sin(2 * np.pi * c[m] * u[m] + d[m])
        return out


def minimum_jerk(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """From ``a`` to ``b`` at progress ``x`` (0..1 of the piece's time), minimum jerk."""
    return a + (b - a) * x**3 * (10 - 15 * x + 6 * x * x)


def eased_ramp(a: np.ndarray, b: np.ndarray, u: np.ndarray, dur: np.ndarray, corner: np.ndarray
               ) -> np.ndarray:
    """From ``a`` to ``b`` at ``u`` s into a piece of ``dur`` s: constant rate, ``corner`` s eased."""
    return a + (b - a) * _trapezoid(u, dur, corner)


#: A ramp's shape: (from, to, seconds into the piece, its duration, its corners) -> force.
Ramp = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]

#: The hand's movement shapes (``tools/shape_matrix.py`` swaps them for another hand's): fast
#: movements, drifts, and slow barrier steps (eases; a drift's shape changes what its labels should
#: be, see shape_matrix, an ease's does not).
MOVE = minimum_jerk
RAMP = eased_ramp
EASE = eased_ramp


def _trapezoid(u: np.ndarray, dur: np.ndarray, corner: np.ndarray) -> np.ndarray:
    """Progress 0..1 of a move with a trapezoidal velocity profile."""
    c = np.maximum(corner, 1e-9)
    vmax = 1.0 / (dur - c)
    up = vmax * u * u / (2 * c)
    mid = vmax * (c / 2 + (u - c))
    down = 1.0 - vmax * (dur - u) ** 2 / (2 * c)
    return np.where(u < c, up, np.where(u > dur - c, down, mid))


# --------------------------------------------------------------------------------------------------
# A session: script and ground truth
# --------------------------------------------------------------------------------------------------
@dataclass
class Session:
    t: np.ndarray                      # reported timestamps (s)
    force: np.ndarray                  # reported force (N)
    rate: float                        # nominal rate (Hz)
    labels: list[Dict]
    meta: Dict = field(default_factory=dict)


@dataclass
class _HoldPlan:
    level: float          # target (settled) level of the hand
    change_start: float   # when the movement that arrives at it began
    settled: float        # when that movement (and its over/undershoot) is over
    end: float = math.nan
    ended_by: str = ""
    dropout: tuple[float, float] | None = None
    optional_exit_from: tuple[float, float, float] | None = None  # (t0, t1, old level) of a slow step


class _Builder:
    def __init__(self, p: Params, rng: np.random.Generator, t0: float) -> None:
        self.p = p
        self.rng = rng
        self.s = Script(t0)
        self.holds: list[_HoldPlan] = []
        self.events: list[Dict] = []
        self.spans: list[Dict] = []
        self.residual = 0.0
        lo, hi = p.levels
        if p.quantum_n > 0:
            lo = max(lo, p.min_quanta * p.quantum_n)
            hi = max(hi, 2.5 * lo)
        self.lo, self.hi = lo, hi

    def u(self, rng: tuple[float, float]) -> float:
        return float(self.rng.uniform(*rng))

    def level(self) -> float:
        lo = max(self.lo, self.residual + 2.5)
        return float(math.exp(self.rng.uniform(math.log(lo), math.log(max(self.hi, lo * 1.01)))))

    # ---- pieces of a contact --------------------------------------------------------------------
    def arrive(self, level: float, from_rest: bool) -> tuple[float, float]:
        """Move to ``level`` (possibly over/undershooting, or by stairs); returns (start, settled)."""
        p, s = self.p, self.s
        start = s.t
        if from_rest and p.stairs > 0:
            base = s.v
            for j in range(1, p.stairs + 1):
                s.minjerk(base + (level - base) * j / p.stairs, self.u((0.2, 0.4)))
                if j < p.stairs:
                    s.const(self.u((0.3, 0.8)))
            return start, s.t
        dur = self.u(p.arrival_s) if from_rest else self.u(p.step_s)
        o = self.u(p.overshoot)
        if abs(o) < 0.005:
            s.minjerk(level, dur)
            return start, s.t
        # Both in the movement's direction: an overshoot goes past the target by o of its level (real
        # repeaters arrive 5-17 % above the plateau), an undershoot stops short of it by |o| of the way
        # (from rest the way is about the level; on a 13 % step, 15 % of the level short would first
        # move away from the target, as the old form did on every step down or undershot step up).
        sign = 1.0 if level >= s.v else -1.0
        s.minjerk(level + sign * o * level if o > 0 else level + o * (level - s.v), dur)
        if o < 0:
            s.const(self.u((0.0, 0.2)))
        s.minjerk(level, self.u((0.3, 0.8)))
        return start, s.t

    def hold(self, level: float, change_start: float, settled: float, last: bool) -> _HoldPlan:
        """A hold at ``level`` (already arrived); a drift maybe; returns its plan (end set by caller)."""
        p, s, rng = self.p, self.s, self.rng
        h = _HoldPlan(level, change_start, settled)
        self.holds.append(h)
        dur = self.u(p.hold_s)
        drift = rng.random() < p.p_drift
        fade = drift and last and rng.random() < 0.5
        if p.dropout_s > 0 and not drift:
            # after the hold is confirmed, with >= 2 s at the level on the far side
            dur = max(dur, p.dropout_s + 5.0)
            a = s.t + self.u((2.5, dur - p.dropout_s - 2.0))
            h.dropout = (a, a + p.dropout_s)
        if not drift:
            s.const(dur)
            return h
        rate = self.u(p.drift_rate) * level
        sign = 1.0 if rng.random() < 0.5 else -1.0
        pre = self.u((3.0, 5.0))
        if p.dropout_s > 0:
            h.dropout = (s.t + 2.5, s.t + 2.5 + p.dropout_s)
            pre = max(pre, p.dropout_s + 4.5)
        s.const(pre)
        if fade:
            # Out of the band and on, then a let-go 1-2 s after the crossing (never steady: no step).
            beyond = self.u((1.0, 2.0))
            out = BAND * level / rate + beyond
            s.ramp(level + sign * rate * out, out, corner=0.2)
            return h
        excursion = self.u((0.13, 0.18)) * level
        s.ramp(level + sign * excursion, excursion / rate, corner=0.2)
        s.const(self.u((0.0, 0.5)))       # a turning point, not a plateau: never "steady for 3 s"
        back = rate * self.u((0.7, 1.3))
        s.ramp(level, excursion / back, corner=0.2)
        s.const(self.u((2.5, 5.0)))
        return h

    def release(self, ref: float) -> None:
        """The final continuous descent to the rest level (light contact left: < 12 % of ``ref``, the
        last hold's level); it is labelled, as the contact held."""
        p, s = self.p, self.s
        residual = 0.0
        if self.rng.random() < p.p_residual:
            residual = min(3.0, 0.1 * ref) * self.u((0.3, 1.0))
        onset = s.minjerk(residual, self.u(p.release_s))
        self.events.append({"kind": "release", "t": onset})
        self.residual = residual
        s.const(self.u((1.5, 4.0)))

    def leave(self, h: _HoldPlan) -> None:
        """A fast departure that neither comes back nor settles (pumping or a burst), then a let-go."""
        s, rng = self.s, self.rng
        start = s.t
        if h.level * 0.55 > 2.5 + self.residual and rng.random() < 0.6:
            hz = self.u((0.6, 1.0))
            amp = self.u((0.35, 0.45)) * h.level
            n = int(rng.integers(2, 4))
            sign = 1.0 if rng.random() < 0.5 else -1.0
            # Ends at a peak: the final descent starts there.
            phase = 0.0 if sign > 0 else math.pi
            dur = (n + 0.25) / hz if sign > 0 else (n + 0.75) / hz
            s.sine(h.level, amp, hz, dur, phase)
        else:
            s.minjerk(h.level * self.u((1.3, 1.6)), self.u((0.2, 0.4)))
            s.const(self.u((0.6, 1.0)))
        self.spans.append({"kind": "stroke", "start": start, "end": s.t})
        h.end, h.ended_by = start, "left"
        self.release(h.level)

    def hold_contact(self) -> None:
        p, s, rng = self.p, self.s, self.rng
        n_steps = int(rng.choice(3, p=np.asarray(p.steps_per_contact) / sum(p.steps_per_contact)))
        left = rng.random() < p.p_left
        level = self.level()
        start, settled = self.arrive(level, from_rest=True)
        h = self.hold(level, start, settled, last=n_steps == 0 and not left)
        for k in range(n_steps):
            size = self.u(p.step_size)
            room_up = 1.1 * self.hi / level - 1.0
            room_down = 1.0 - max(0.9 * self.lo, self.residual + 2.5) / level
            size = min(size, max(room_up, room_down))
            if size < p.step_size[0]:
                break                                  # no room for a step here
            up = rng.random() < 0.5 if size <= min(room_up, room_down) else size <= room_up
            new = level * (1 + size) if up else level * (1 - size)
            onset = s.t
            if p.slow_step_s is not None:
                dur = self.u(p.slow_step_s)
                s.ramp(new, dur, corner=0.25, ease=True)
                settled = s.t
                optional = (onset, s.t, level) if dur > FAST_STEP_MAX else None
            else:
                _, settled = self.arrive(new, from_rest=False)
                optional = None
            self.events.append({"kind": "step", "t": onset, "direction": "up" if up else "down"})
            h.end, h.ended_by = onset, "step"
            level = new
            h = self.hold(level, onset, settled, last=k == n_steps - 1 and not left)
            h.optional_exit_from = optional
        if left:
            self.leave(h)
            return
        h.end, h.ended_by = s.t, "release"
        self.release(h.level)

    def touch(self) -> None:
        s = self.s
        peak = self.residual + max(2.5, self.u((0.3, 1.2)) * self.level())
        dur = self.u((0.3, 0.9))
        start = s.minjerk(peak, dur / 2)
        s.minjerk(self.residual, dur / 2)
        self.spans.append({"kind": "touch", "start": start, "end": s.t})
        s.const(self.u((1.5, 3.0)))

    def stroke(self) -> None:
        s, p = self.s, self.p
        mean = self.level()
        amp = self.u((0.3, 0.5)) * mean
        hz = self.u(p.stroke_hz)
        n = int(self.rng.integers(3, 7))
        start = s.minjerk(mean, self.u((0.3, 0.6)))
        s.sine(mean, amp, hz, n / hz, 0.0)
        s.minjerk(self.residual, self.u((0.3, 0.6)))
        self.spans.append({"kind": "stroke", "start": start, "end": s.t})
        s.const(self.u((1.5, 3.0)))

    def build(self) -> None:
        p, s, rng = self.p, self.s, self.rng
        s.const(self.u((1.0, 3.0)))
        while s.t - s._t0[0] < p.duration:
            self.hold_contact()
            if rng.random() < p.p_touch:
                self.touch()
            if rng.random() < p.p_stroke:
                self.stroke()
        s.const(3.0)


# --------------------------------------------------------------------------------------------------
# Nuisances
# --------------------------------------------------------------------------------------------------
def _unit_rms(x: np.ndarray) -> np.ndarray:
    r = float(np.sqrt(np.mean(x * x)))
    return x / r if r > 0 else x


def _bandnoise(rng: np.random.Generator, n: int, fs: float, lo: float, hi: float) -> np.ndarray:
    sos = signal.butter(4, [lo, hi], btype="bandpass", fs=fs, output="sos")
    pad = int(fs * 5)
    x = signal.sosfiltfilt(sos, rng.standard_normal(n + 2 * pad))[pad:pad + n]
    return _unit_rms(x)


def _tremor(p: Params, rng: np.random.Generator, grid: np.ndarray) -> np.ndarray:
    if p.tremor_rms <= 0:
        return np.zeros_like(grid)
    if p.tremor_kind == "sine":
        x = np.sqrt(2.0) * np.sin(2 * np.pi * p.tremor_hz * grid + rng.uniform(0, 2 * np.pi))
    elif p.tremor_kind == "narrow":
        x = _bandnoise(rng, grid.size, GRID_HZ, max(0.5, p.tremor_hz - 1.0), p.tremor_hz + 1.0)
    else:
        x = _bandnoise(rng, grid.size, GRID_HZ, 3.0, 15.0)
    return p.tremor_rms * x


def _pulse(p: Params, rng: np.random.Generator, grid: np.ndarray) -> np.ndarray:
    if p.pulse_rms <= 0:
        return np.zeros_like(grid)
    hz = rng.uniform(1.0, 1.6)
    inst = hz * (1 + 0.04 * np.sin(2 * np.pi * 0.1 * grid + rng.uniform(0, 2 * np.pi)))  # heart-rate swing
    theta = 2 * np.pi * np.cumsum(inst) / GRID_HZ + rng.uniform(0, 2 * np.pi)
    x = np.sin(theta) + 0.5 * np.sin(2 * theta + 0.8) + 0.2 * np.sin(3 * theta + 1.9)  # a pulse's shape
    return p.pulse_rms * _unit_rms(x)


def _pink(rng: np.random.Generator, n: int) -> np.ndarray:
    spec = np.fft.rfft(rng.standard_normal(n))
    k = np.arange(spec.size, dtype=np.float64)
    k[0] = 1.0
    spec /= np.sqrt(k)
    spec[0] = 0.0
    return _unit_rms(np.fft.irfft(spec, n))


def _quantise(x: np.ndarray, q: float) -> np.ndarray:
    return np.round(x / q) * q if q > 0 else x


def _creep(p: Params, slow_t: np.ndarray, slow_f: np.ndarray) -> np.ndarray:
    """A load cell's creep: the reading follows a sustained load by ``creep`` with time constant tau
    (and comes back, as zero drift, after unloading)."""
    if p.creep <= 0:
        return np.zeros_like(slow_f)
    alpha = 1.0 - math.exp(-1.0 / (SLOW_HZ * p.creep_tau))
    return p.creep * signal.lfilter([alpha], [1.0, alpha - 1.0], slow_f)


def _sample_times(p: Params, rng: np.random.Generator, t0: float, t1: float,
                  gaps: Sequence[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    """True sampling instants and the timestamps the host reports for them."""
    n = int((t1 - t0) * p.rate)
    t_true = t0 + np.arange(n) / p.rate
    if p.jitter > 0:
        t_true = t_true + rng.uniform(-p.jitter / 2, p.jitter / 2, n) / p.rate
    keep = np.ones(n, dtype=bool)
    for a, b in gaps:
        keep &= ~((t_true > a) & (t_true < b))
    t_true = t_true[keep]
    t_rep = t_true.copy()
    if p.stamp_resolution > 0:
        t_rep = np.floor(t_rep / p.stamp_resolution) * p.stamp_resolution
    if p.duplicates > 0:
        dup = rng.random(t_rep.size) < p.duplicates
        dup[0] = False
        idx = np.where(dup, 0, np.arange(t_rep.size))
        t_rep = t_rep[np.maximum.accumulate(idx)]
    if p.batch_s > 0:
        t_rep = t0 + np.ceil((t_true - t0) / p.batch_s) * p.batch_s
    return t_true, t_rep


# --------------------------------------------------------------------------------------------------
# Labels from the script
# --------------------------------------------------------------------------------------------------
def _band_exits(gt: np.ndarray, slow: np.ndarray, level: float, a: float, b: float
                ) -> list[tuple[float, str]]:
    """The contract's band rule on the slow reading over [a, b]: an exit once it has been outside for
    0.15 s (timed at the crossing), the next one only after it has been back inside for 0.5 s."""
    i0, i1 = np.searchsorted(gt, [a, b])
    if i1 - i0 < 2:
        return []
    x = slow[i0:i1] / level - 1.0
    tt = gt[i0:i1]
    d = np.diff(np.concatenate([[0], (np.abs(x) > BAND).astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1)   # runs outside: [start, end)
    out: list[tuple[float, str]] = []
    armed = True
    prev_end = 0
    for sa, se in zip(starts, ends, strict=True):
        if not armed and tt[sa] - tt[prev_end] >= ENTER_DEBOUNCE:
            armed = True                      # a band_enter happened in the inside stretch before
        if armed and tt[se - 1] - tt[sa] >= EXIT_DEBOUNCE:
            out.append((float(tt[sa]), "high" if x[sa] > 0 else "low"))
            armed = False
        prev_end = min(se, tt.size - 1)
    return out


def _labels(b: _Builder, grid: np.ndarray, clean: np.ndarray, slow: np.ndarray) -> list[Dict]:
    labels: list[Dict] = []
    for h in b.holds:
        # start: from here on within ±8 % of the level until the arrival has settled
        i0, i1 = np.searchsorted(grid, [h.change_start, h.settled + 1e-9])
        off = np.flatnonzero(np.abs(clean[i0:i1] / h.level - 1.0) > HOLD_BAND)
        start = float(grid[i0 + off[-1] + 1]) if off.size else h.change_start
        j0, j1 = np.searchsorted(grid, [h.settled, h.settled + MIN_HOLD])
        level = float(np.mean(slow[j0:j1]))
        labels.append({"kind": "hold", "start": start, "end": float(h.end), "level": level,
                       "ended_by": h.ended_by, "settled": float(h.settled)})
        for t, d in _band_exits(grid, slow, level, max(start + MIN_HOLD, h.settled), h.end):
            labels.append({"kind": "band_exit", "t": t, "direction": d, "level": level})
        if h.optional_exit_from is not None:
            a, e, old = h.optional_exit_from
            k0, k1 = np.searchsorted(grid, [a, e])
            out = np.flatnonzero(np.abs(slow[k0:k1] / old - 1.0) > BAND)
            if out.size:
                k = k0 + out[0]
                labels.append({"kind": "band_exit", "t": float(grid[k]), "optional": True, "level": old,
                               "direction": "high" if slow[k] > old else "low"})
    labels += [dict(e) for e in b.events]
    labels += [dict(s) for s in b.spans]
    for h in b.holds:
        if h.dropout is not None:
            labels.append({"kind": "dropout", "start": h.dropout[0], "end": h.dropout[1]})
    return sorted(labels, key=lambda x: x.get("t", x.get("start", 0.0)))


# --------------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------------
def generate_session(p: Params, seed: int) -> Session:
    """One labelled session (see the module docstring for the label conventions)."""
    rng = np.random.default_rng(seed)
    t_start = float(rng.uniform(0.0, 100.0))          # device time does not start at zero
    b = _Builder(p, rng, t_start)
    b.build()
    t_end = b.s.t
    # Fine grid for labels and fast nuisances; slow grid for wander and creep.
    grid = np.arange(t_start, t_end, 1.0 / GRID_HZ)
    slow_t = np.arange(t_start - 1.0, t_end + 1.0, 1.0 / SLOW_HZ)
    wander_s = (p.wander_rms * _bandnoise(rng, slow_t.size, SLOW_HZ, 0.05, 1.0)
                if p.wander_rms > 0 else np.zeros_like(slow_t))
    hand_slow = b.s(slow_t) * (1.0 + wander_s)
    creep_s = _creep(p, slow_t, hand_slow)
    clean = b.s(grid)
    wander = np.interp(grid, slow_t, wander_s)
    creep = np.interp(grid, slow_t, creep_s)
    slow = _quantise(clean * (1.0 + wander) + creep, p.quantum_n)
    labels = _labels(b, grid, clean, slow)

    fast = _tremor(p, rng, grid) + _pulse(p, rng, grid)
    gaps = [h.dropout for h in b.holds if h.dropout is not None]
    t_true, t_rep = _sample_times(p, rng, t_start, t_end, gaps)
    hand = b.s(t_true)
    f = hand * (1.0 + np.interp(t_true, grid, wander + fast)) + np.interp(t_true, grid, creep)
    if p.white_n > 0:
        f += p.white_n * rng.standard_normal(f.size)
    if p.pink_n > 0:
        f += p.pink_n * _pink(rng, f.size)
    if p.hum_n > 0:
        hz = p.hum_hz * (1 + rng.uniform(-1e-3, 1e-3))          # the grid's frequency is never exact
        f += p.hum_n * np.sin(2 * np.pi * hz * t_true + rng.uniform(0, 2 * np.pi))
    f = _quantise(f, p.quantum_n)
    meta = {"seed": seed, "t_start": t_start, "t_end": t_end, "samples": int(t_rep.size),
            "params": dataclasses.asdict(p)}
    return Session(t=t_rep, force=f, rate=p.rate, labels=labels, meta=meta)


def label_counts(labels: Sequence[Dict]) -> dict[str, int]:
    out: dict[str, int] = {}
    for lab in labels:
        k = lab["kind"] + ("?" if lab.get("optional") else "")
        out[k] = out.get(k, 0) + 1
    return out
