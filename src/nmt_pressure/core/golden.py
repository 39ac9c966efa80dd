"""The golden model: the signal core in plain Python, the readable specification of ``_core.pyx``.

Both implementations run the same arithmetic in the same order, so they agree to the last bit on
events and to 1e-9 on statistics; the tests hold them to that. Read this file to understand the core.

Two rates, as firmware would do it:

* **every sample** (cheap): time checks, single-sample spike rejection, a causal 2-pole low-pass;
* **every tick** (at most ``cfg.tick`` apart, i.e. <= 100 Hz): the detectors, on the low-passed force.

Detectors per tick, on the filtered force ``y`` (states and every constant: ``docs/DETECTION.md``):

* contact: ``y`` above ``contact_threshold`` (hysteresis down to ``contact_release_ratio`` of it), or,
  after a release that left light contact, a threshold above the resting force;
* hold: the last ``min_hold`` seconds of contact lie within ±``hold_band`` of their mid level (plus an
  allowance for measured noise and the sensor's quantum); its level is measured over the settled part
  (an overshoot excluded) and its start back-dated to where the force arrived within 4 % of it;
* inside a hold, two tests start an *excursion*: the rate test (the force moves faster than
  ``step_rate`` of the level, or than the measured jitter) and, in relative-band mode, the level test
  (it left the hold's band, however slowly: the force, or its mean over the last half ``min_hold``
  against that mean's smaller noise allowance; after a drift, a change away from where it rested,
  measured from there). The jitter and the reference level are learned only
  while the force is steady, so a movement that is building never raises its own bar. An excursion
  ends as one of: a wobble (back within ``leave_time``), a **step** (a new hold ``step_min`` or more
  away whose change went 20-80 % of the way within 0.45·``step_max_duration``, in relative mode up
  to where the force has gone on to if it went on past the level first found; or, in relative mode,
  one whose change went 20-80 % within ``SLOW_SPAN·slow_step_max`` that then stays near one level,
  flat, for ``slow_step_hold``),
  a **release** (contact lost, or below ``release_level`` of the level for ``release_time``; dated to
  the onset of the final fall), a departure (``left``: it went out fast and neither came back nor
  settled into a step), or drift (slow, never settling: the band watches it);
* band: outside ``centre·(1±tolerance)`` (plus a noise margin) for ``alert_debounce`` → exit, dated
  where the tremor-averaged force crossed the edge itself (``EXIT_MEAN``); the force averaged over
  ``VEL_MEAN`` back inside the edge (by that mean's noise and half a quantum) for
  ``band_enter_debounce`` → enter. While a fast movement is
  classified its band events are held back: told if it proves to be drift, dropped if it is a step,
  a departure or a release, which raise none.

Hold statistics are running sums over the hold's ticks, weighted by the time each tick stands for,
accumulated a little behind real time so that a hold's end can be back-dated to the onset of the step or
release that ended it without the transition leaking into the statistics.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

import numpy as np

from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.core.events import Event, Hold

# Detector states.
IDLE, CONTACT, HOLD = 0, 1, 2
# Sub-states inside a hold: steady, or an excursion being classified (step, release, departure, drift).
STEADY, MOVING = 0, 1
# Band states.
B_IN, B_HIGH, B_LOW = 0, 1, -1

#: The rate of the force is its change over this span (s), and the reference follows the force as
#: it was this long ago; also the noise allowance of the rate and the fade test of a release's onset.
VEL_SPAN = 0.25
#: ... the change of the force averaged over the last VEL_MEAN (s): one cycle of the slowest hand
#: tremor (3 Hz), so a periodic tremor of 3 Hz or faster, which the 4-Hz low-pass barely touches
#: at its low end, averages out (a ramp's rate is measured exactly). The same average dates a
#: change's 20-80 % span and tells a fall through the level from a return to it.
VEL_MEAN = 1.0 / 3.0
#: The rate so measured trails the force by about this much (s): half the span plus half the mean.
RATE_LAG = 0.5 * (VEL_SPAN + VEL_MEAN)
#: The contract's drift limit (fraction of the level per second): "slow drift (under ~10 %/s)". A slow
#: excursion whose averaged rate reached it may be a fast step the (lagging) rate test has not seen:
#: its band events are held back until it can no longer be one.
DRIFT_MAX = 0.10
#: A slow excursion's band exit is held back as a fast one's when the force averaged over VEL_MEAN
#: has moved over the last BRISK_SPAN seconds by more than a drift can (DRIFT_MAX), its noise and a
#: quantum aside: on a noisy light hold the rate test's jitter floor can exceed a fast step's rate
#: (tremor and sensor noise move the 0.25-s rate as far), but not its displacement over 0.5 s.
BRISK_SPAN = 0.5
#: A movement has ended when the rate stayed low this long (s).
SETTLE_TIME = 0.15
#: How long after the latest moment a fast step could have completed a new hold may still take to
#: qualify (s): a step completes within ``step_max_duration``, and its hold needs ``min_hold`` more.
PENDING_SLACK = 1.0
#: The jitter and reference trackers learn only while the rate stays under this fraction of the step
#: rate threshold: a smooth movement that is building must not raise the bar it is measured against.
LEARN_FRAC = 0.5
#: A coarse sensor's reading jumps by whole quanta: a step must change the level by this many quanta.
STEP_QUANTA = 1.5
#: A reading is within half a quantum of the force it quantises: the steady band allows this many
#: quanta for it (a whole quantum let a 3-4 % quantum's 8 % band reach an 11-12 % step).
WIDE_QUANTA = 0.5
#: A change is fast (a step in either band mode) when it went from 20 % to 80 % of the way within
#: this fraction of ``step_max_duration``: a minimum-jerk move spends 0.35 of its time there, a
#: raised cosine 0.41, a straight line 0.6; 0.45 lets any smooth hand movement completed within
#: ``step_max_duration`` count, with a little room for tremor on the way.
SPAN_20_80 = 0.45
#: A slow step's "steady at the new level for slow_step_hold" is timed from a close arrival, so the
#: tail of the ease itself, though near the new level, does not count towards it.
SLOW_ARRIVAL = 0.01
#: ... and held flat at the end: the two halves of the last min_hold differ by at most this
#: fraction of the level (about 1.3 %/s at the default min_hold; a drift turning back is faster).
FLAT = 0.01
#: A slow step's slow_step_hold must not pass over a peak: its middle third beyond both others (away
#: from the old level) and beyond their mean by more than TURN_PEAK of the thirds' flatness
#: tolerance. A 2 %/s drift's turn stands about 0.7 of its rate (1.4 %) out in the thirds' means,
#: and the range test alone lets much of it pass within FLAT.
TURN_PEAK = 0.3
#: ... or, once the new level has been held this many slow_step_hold, by thirds of that longer window
#: within LONG_FLAT: the same drift rate as FLAT over slow_step_hold's thirds (0.5 %/s between the outer
#: thirds' centres), with means over 2 s instead of 1. A hand whose 1-s means waver by a percent and
#: more (motor noise under 4 Hz, wander) keeps every 3-s window past FLAT for as long as it holds the
#: new barrier, and the old hold ran on through it. A drift spreads the longer window's thirds twice
#: as far, as its tolerance is twice as wide; a waver, averaged over 2 s, less. (Blind generator,
#: seeds 1-8: 22 of its 44 missed steps were such eases, their new level held 8-19 s; this finds 4,
#: and no false step more.
#: 1.5 or 2.5 times the window, or 3 % over 6 s, did less well there or on the matrix's drift turns:
#: BENCHMARKS (n).)
LONG_HOLD = 2.0
LONG_FLAT = FLAT * LONG_HOLD
#: A slow ease is dated back from where it passed EASE_FROM of the way by EASE_BACK times the time
#: it then took to EASE_TO, both crossings those of the force averaged over VEL_MEAN (tremor out;
#: the average trails by half VEL_MEAN, taken off). Which shape the hand eases with is unknown. At
#: 5 %/25 % the factor to its start is 0.25 for a straight ramp, 0.76 for a raised cosine, 1.11 for
#: minimum jerk; to where it has come 1 % of the way, 0.20, 0.42 and 0.49. A smooth ease's start
#: cannot be seen (minimum jerk has come 1 % of the way 0.85 s into an 8-s ease: a quarter of a
#: percent of the level on a 25 % step, under tremor), and a labeller marks it where it begins to
#: show (the blind generator: at 2 % of the change); a straight ramp's start and its 1 % point are
#: one. 0.45 dates a straight ramp 4 % of its duration before its start (0.32 s at 8 s), a raised
#: cosine and minimum jerk within 0.7 % of their 1 % points. The old 0.7 aimed between the shapes'
#: starts and left every straight ramp 9 % of its duration early, which is what the hands of all
#: three generators here ease with (the matrix's, the simulator's, the blind one's): the blind
#: generator's eases a median 0.41 s early, 59 of its 614 more than 1 s early (failure mode 24).
#: Low fractions see the start of the change, where the shapes differ least (7.5 %/25 %, the old
#: rule, left 9 % each way at best, and minimum jerk 0.9 s late under tremor); lower than 5 % lets
#: the hand's wander decide the crossing (5 % of an 11 % step is 0.55 % of the level; 4 % lost
#: three steps of the matrix's 6-s eases, dated 1.1-2 s early).
EASE_FROM = 0.05
EASE_TO = 0.25
EASE_BACK = 0.45
#: ... but a wandering hand moves both crossings, and the earlier one most (at 5 % of a small step
#: the wander decides it), so the further back from it the more of the wander's error is carried
#: back: EASE_BACK shrinks as EASE_BACK / (1 + (w / (EASE_WANDER · step))²), w the hand's wander
#: (N) before the ease, the median change between consecutive EASE_WANDER_SPAN-s means over the
#: EASE_WANDER_TIME (s) before it (a median: one second of the ease's own start does not count),
#: never below EASE_BACK_MIN (a straight ramp's factor to its start; to its 1 % point, 0.20). A
#: steady hand's means agree to a few tenths of a percent and keep EASE_BACK whole; at a tenth of
#: the step it is halved.
EASE_WANDER = 0.1
EASE_WANDER_SPAN = 1.0
EASE_WANDER_TIME = 5.0
EASE_BACK_MIN = 0.25
#: The crossings above lie in a hand's motor noise and wander, which move them by a second or more
#: on a slow ease (the blind generator: 44 of its 49 false steps a missed one 1-4.8 s away). A line
#: of three pieces - flat, a straight ramp, flat - fitted (least squares) to the filtered force from
#: EASE_FIT_BACK (s) before that onset (not before the hold began) to EASE_FIT_AFTER after the new
#: hold's start uses all of it, and bounds the onset: fitted to a clean ease, the ramp's start t0
#: lies 0, 0.14 and 0.20 of its duration in for a straight ramp, a raised cosine and minimum jerk
#: (t1 as far before the end), where the crossings' dating puts them 0.04, 0.11 and 0.16 of the
#: fitted ramp's length (t1 - t0) before t0. So the onset is held within EASE_FIT_EARLY of that
#: length before t0 and EASE_FIT_LATE after it: any shape's own dating stands, and noise cannot
#: take it further out than that. The grid: EASE_FIT_GRID (s), then EASE_FIT_FINE around the best;
#: ramps of at least EASE_FIT_MIN (s).
EASE_FIT_BACK = 4.0
EASE_FIT_AFTER = 1.5
EASE_FIT_EARLY = 0.2
EASE_FIT_LATE = 0.05
EASE_FIT_GRID = 0.1
EASE_FIT_FINE = 0.02
EASE_FIT_MIN = 0.3
#: ... and the way is measured from the force's mean over this long (s) before that first estimate,
#: not from the hold's level: that was measured when the hold began, and by the time the hand eases
#: away the force may sit a percent off it (wander, a drift that came back, creep), a tenth of the
#: way of a small step, which would move the crossing of EASE_FROM by seconds.
EASE_BASE = 1.0
#: A force that came to the ease from beyond the old level (a drift out of the hold the other way)
#: began the ease where it turned: each base found further that way (by the departure tolerance)
#: dates the ease again from the mean before the new estimate, at most this many times in all. (A
#: first base on the old level's side is passed over when the EASE_BASE before it lies that far
#: beyond: a hand lingering a moment as it passes back through the old level.)
EASE_PASSES = 4
#: A slow step's 3-s window that held an outlier is looked at again this much later (s), not every
#: tick: the scan costs a few hundred ticks.
SLOW_RETRY = 0.25
#: A slow step's change went from 20 % to 80 % of the way within this fraction of
#: ``slow_step_max``: a straight ramp spends 0.6 of its duration there, a raised cosine 0.41, a
#: minimum-jerk ease 0.35; 0.75 takes any of them completed within ``slow_step_max`` with a quarter
#: to spare (a straight ramp up to 10 s at the default 8 s), and no drift slower than that.
SLOW_SPAN = 0.75
#: Band events held back while a fast movement is classified (a few at most: each needs a debounce).
BAND_HELD = 8
#: A hold's level is the mean since the force came within this fraction of it (plus ARRIVAL_K noise
#: units): the settled part, without the tail of the move into it. (The hold itself starts earlier,
#: where the force came within the hold band and stayed.)
ARRIVAL = 0.04
ARRIVAL_K = 2.0
#: ... and then measured again as the contract defines it ("once an arrival's overshoot or undershoot
#: has settled"), and the relative band centred on that: the mean over the ``min_hold`` from where the
#: force, tremor averaged out (over ``VEL_MEAN``), came within this fraction of the first level (plus
#: ARRIVAL_K noise units and a quantum) after it last stood twice as far off; refined tick by tick
#: after the hold is confirmed, until that window is complete. Within ARRIVAL a minimum-jerk arrival
#: still has its slowest part to go, and a small over- or undershoot its whole settling back: a mean
#: that takes them in is off by tenths of a percent to a percent and more, and a drift of 1 %/s
#: turns each 0.1 % into 0.1 s on its band exit.
LEVEL_ARRIVAL = 0.01
#: ... and past an overshoot too small for that: the arrival, followed on from the close arrival in
#: the direction it came from, went beyond the level by more than this fraction of it (plus the same
#: noise units) before it first turned back; its settling is then over where the force came back
#: that near. (Of the settling's tail left in the window no more than this fraction can stand off:
#: at 0.25 % over a few tenths of a 1.5-s window, under 0.1 % of level, under 0.1 s at 1 %/s.)
LEVEL_OVERSHOOT = 0.0025
#: ... and only once it has settled (the contract's level): a window whose halves' means lie more
#: than twice LEVEL_ARRIVAL apart (plus their noise), or that the force left the settled part
#: (ARRIVAL) of, is still settling, as an exponential settle of a 6-16 % overshoot over 0.3-1 s is
#: (real pulls and squeezes: failure mode 4): the level is measured again over the next min_hold,
#: up to LEVEL_TRIES more times. A window measured again has settled only if its halves also lie
#: within that, and their change per second has fallen to LEVEL_DECAY of the window's before: a
#: settling slows down (by e^(-1.5/tau) in each window, under 0.25 for tau up to 1 s), while a drift
#: from the start, or a wandering hand's stray window, goes on much as it was. Nor is it ever
#: outside the hold band of the level the hold began at. If none has settled, the first window's
#: mean stands, as before. (Twice, not once: a steady hand's 1-% wander moves 0.75-s means a
#: percent apart often enough that a window measured again is then just another sample of it.)
LEVEL_SETTLED = 2.0 * LEVEL_ARRIVAL
LEVEL_TRIES = 2
LEVEL_DECAY = 0.5
#: A hold whose arrival overshot its band begins at the peak (``_hold_start``) when the overshoot was
#: at most this fraction of the arrival's way past the level: real arrivals overshoot by 5-19 % of
#: the level (the issue's repeaters, a finger gauge's pulls), a tenth to a fifth of the way from rest;
#: a fall from a burst through the level to a near let-go, and a new squeeze, goes far past it.
ARRIVAL_OVERSHOOT = 0.5
#: A movement began where the force last lay within this fraction of the level (plus DEPART_K
#: noise units) on the side it left from.
DEPART = 0.02
DEPART_K = 2.0
#: A fast step's onset is back-dated from its departure-tolerance crossing by the time it then took
#: to 4 tolerances (a smooth start: the deviation growing as the square of the time, 4 tolerances
#: take twice as long as one), while 4 tolerances lie within this fraction of the change: a
#: minimum-jerk move passes 20 % and 80 % of its way at 0.33 and 0.67 of its duration, and the
#: rule still lands on its start. A smaller change (a light hand on a noisy sensor: a 20 % step
#: of 4 N is 4 tolerances) got 4 out only on the new level's noise, seconds after it arrived, and
#: was dated that much early: its second crossing is taken here instead, the back-dating scaled to
#: it (sqrt(tol/far) / (1 - sqrt(tol/far)) times the time between), at most SMOOTH_MAX times.
SMOOTH_START = 0.8
SMOOTH_MAX = 2.0
#: Noise units by which the force must pass a band edge before it counts as outside (hysteresis).
BAND_K = 1.0
#: A band exit is dated where the force, averaged over this window (s) centred on each moment,
#: crossed the band edge itself: one cycle of the slowest hand tremor (3 Hz), so a tremor, hum or
#: coarse quantum riding on a drift dates the exit at the drift's crossing, not at the first peak
#: (too early) or at the last trough (too late) past the edge plus its noise margin. Dating only:
#: the exit is still decided, as fast as before, on the filtered force.
EXIT_MEAN = 1.0 / 3.0
#: A drift's exit is told where the line fitted to the filtered force over this span (s) before the
#: exit was decided crosses the edge: a hand's motor noise and wander (0.5-3 Hz and slower, 1-2 % of
#: the level) ride on a slow drift, and at 1-2 %/s they move the moment the force averaged over
#: EXIT_MEAN first crosses by up to a second either way; the trend over 1.5 s averages most of the
#: motor noise out. Dating only, and only where that line leaves the band no faster than drift (a
#: burst's or a dip's crossing is its own).
TREND_SPAN = 1.5
#: A tick is due once this fraction of its period has passed: timestamps of a stream at exactly the
#: tick rate differ in their last bits, and must not skip every other tick.
TICK_DUE = 0.999
#: Hold statistics trail real time by this much (s), more than any onset is ever back-dated while
#: a hold looks steady.
STATS_LAG = 1.0
#: Noise units of allowance when judging steadiness and departures.
NOISE_K = 3.0
#: Mean absolute second-difference residual of white noise is this many noise sigmas (√6·√(2/π)).
MAR_PER_SIGMA = 1.9544100476116797
#: Samples sharing one timestamp that are kept until the next timestamp says where they belong: a
#: host that stamps a whole batch (250 ms at 4 kHz) with its arrival time, a millisecond clock at 2 kHz.
REPEAT_CAP = 1024
#: The longest interval (s) such a run is spread over; a longer silence after it is no batch, and its
#: samples, which carry no time of their own, are dropped (counted in ``ignored``).
REPEAT_SPAN = 1.0
#: Samples of plain averaging before the noise tracker turns robust and spike rejection starts.
WARMUP = 10
#: Jumps below this (N) are never called spikes: quantisation and a noise-free sensor stay quiet.
SPIKE_FLOOR = 0.02
#: Time constant of the robust noise tracker, in samples.
MAR_ALPHA = 0.02
#: Critically damped 2-pole: each pole's time constant for a -3 dB point at the cut-off.
TAU_PER_CUTOFF = 0.6435942529055827 / (2.0 * math.pi)
#: The noise the low-pass passes is also measured on its own output: the second difference of the
#: filtered force over this lag (in pole time constants; 8 tau = 0.2 s at 4 Hz, over which the filtered
#: noise is uncorrelated: the 2-pole's correlation there is 9·e^-8 < 0.01).
PASS_LAG = 8.0
#: Time constant (s) of that measure's running mean.
PASS_TC = 2.0
#: The measure on the output replaces the raw-noise one only where it is this many times lower (the
#: raw stream's noise is not white: hum or its alias far above the cut-off); never raises it (tremor,
#: pulse and wander pass the filter too, and are no sensor noise).
PASS_K = 1.5


def _ease_dated(t_from: float, t_to: float, back: float) -> float:
    """A slow ease's onset from its ``EASE_FROM`` and ``EASE_TO`` crossings: back from the first by
    ``back`` times the time between them, less half ``VEL_MEAN`` (the average's lag)."""
    return t_from - 0.5 * VEL_MEAN - back * (t_to - t_from)


def _ramp_fit(p1: list[float], px: list[float], pxx: list[float], py: list[float], pxy: list[float],
              m: int, ia: int, ib: int, t0: float, t1: float, direction: float) -> float:
    """How well ``L0`` before ``t0``, a straight ramp to ``L1`` at ``t1``, ``L1`` after, fits the
    weighted points (prefix sums; ``ia`` the first point at or past ``t0``, ``ib`` the first past
    ``t1``): the least-squares fit's explained sum, ``L0·Σv·y + L1·Σu·y`` (the residual is Σy² less
    it), u the ramp's progress 0-1 and v = 1 - u; minus infinity for a degenerate fit or a ramp
    against ``direction``."""
    r = 1.0 / (t1 - t0)  # (one division: the grid's inner loop runs ~10,000 times a step)
    bw = p1[ib] - p1[ia]
    bx = px[ib] - px[ia]
    su = p1[m] - p1[ib] + (bx - t0 * bw) * r
    suu = p1[m] - p1[ib] + (pxx[ib] - pxx[ia] - 2.0 * t0 * bx + t0 * t0 * bw) * (r * r)
    suy = py[m] - py[ib] + (pxy[ib] - pxy[ia] - t0 * (py[ib] - py[ia])) * r
    svv = p1[m] - 2.0 * su + suu
    suv = su - suu
    svy = py[m] - suy
    det = svv * suu - suv * suv
    if det <= 1e-12 * p1[m] * p1[m]:
        return -math.inf
    # L1 - L0 = (svv·suy - suv·svy - suu·svy + suv·suy) / det, and det > 0
    if (svv * suy - suv * svy - suu * svy + suv * suy) * direction <= 0.0:
        return -math.inf
    return (suu * svy * svy - 2.0 * suv * svy * suy + svv * suy * suy) / det


class Detector:
    """Pure-Python hold detector. Same API and results as the compiled ``_core.Detector``."""

    def __init__(self, cfg: DetectorConfig | None = None) -> None:
        self.cfg = cfg if cfg is not None else DetectorConfig()
        c = self.cfg
        self.tau = TAU_PER_CUTOFF / c.lowpass_hz
        self.pass_lag = PASS_LAG * self.tau  # the filtered force's own noise measure: its lag (s) ...
        self.pass_w = 1.0 / PASS_TC  # ... its running mean's weight per second ...
        self.pass_k = PASS_K / MAR_PER_SIGMA  # ... and sigma_f per unit of it
        self.cap = c.history_capacity
        self.hist_s = c.history_seconds  # nothing is dated further back than this before it is told
        self.c_on = c.contact_threshold
        self.c_off = c.contact_threshold * c.contact_release_ratio
        self.has_target = c.target is not None
        self.target = float(c.target) if c.target is not None else 0.0
        self.holds: list[Hold] = []
        self._events: list[Event] = []
        self.samples = 0
        self.ignored = 0
        self.spikes = 0
        self.gaps = 0
        # Buffers, allocated once.
        self.ht = [0.0] * self.cap  # history of ticks: time
        self.hy = [0.0] * self.cap  # history of ticks: filtered force
        self.hm = [0.0] * self.cap  # ... and its mean over the last VEL_MEAN (tremor averaged out)
        self.hw = [0.0] * self.cap  # history of ticks: weight (seconds the tick stands for)
        self.hin = [0.0] * self.cap  # ... and the time in band it added to the open hold
        self.cw = [0.0] * self.cap  # running sum of weights up to and including each tick
        self.cy = [0.0] * self.cap  # running sum of weight x force
        self.qmax_i = [0] * self.cap  # monotonic deques of history indices (absolute tick numbers)
        self.qmin_i = [0] * self.cap
        self._reset_stream()

    # ------------------------------------------------------------------ public API
    def process(self, t: Sequence[float] | np.ndarray, force: Sequence[float] | np.ndarray,
                filtered: np.ndarray | None = None) -> list[Event]:
        """Feed a block of samples; returns the events they produced (chunk-invariant).

        ``filtered``, if given (a float64 array as long as ``t``), receives the low-passed force after
        each sample: the bold trace a display draws.
        """
        ta = np.asarray(t, dtype=np.float64)
        fa = np.asarray(force, dtype=np.float64)
        if ta.shape != fa.shape or ta.ndim != 1:
            raise ValueError("t and force must be 1-D arrays of the same length")
        if filtered is not None and (filtered.shape != ta.shape or filtered.dtype != np.float64):
            raise ValueError("filtered must be a float64 array as long as t")
        for i in range(ta.shape[0]):
            self._sample(float(ta[i]), float(fa[i]))
            if filtered is not None:
                filtered[i] = self.y2
        out = self._events
        self._events = []
        return out

    def push(self, t: float, force: float) -> list[Event]:
        """Feed one sample; returns the events it produced (usually none)."""
        self._sample(float(t), float(force))
        out = self._events
        self._events = []
        return out

    def finish(self) -> list[Event]:
        """End of data: close an open hold (``ended_by='end_of_data'``). Returns events (none today)."""
        self.ignored += len(self.rep)  # a run still waiting for a next stamp has no time to be fed at
        self.rep.clear()
        if self.started:
            self._end_of_data(self.t_last)
        out = self._events
        self._events = []
        return out

    def reset(self) -> None:
        """Forget the stream (holds found so far are kept)."""
        self._reset_stream()

    @property
    def state(self) -> int:
        """0 idle, 1 contact, 2 holding, 3 moving (a change inside a hold being classified)."""
        if self.st == HOLD and self.sub != STEADY:
            return 3
        return self.st

    @property
    def filtered(self) -> float:
        return self.y2

    # ------------------------------------------------------------------ per-sample stage
    def _reset_stream(self) -> None:
        self.started = False
        self.t_last = 0.0  # time of the last accepted sample
        self.t_fed = 0.0  # time of the last sample fed to the filter (a held-back one may lag)
        self.t_now = 0.0  # time of the sample being processed: every event's t_detected
        self.x1 = 0.0  # last two fed raw samples (for linear prediction)
        self.x2 = 0.0
        self.mar = 0.0  # mean absolute prediction residual (noise tracker)
        self.fed = 0  # samples fed since the stream (re)started, counted up to WARMUP
        self.thr = SPIKE_FLOOR  # spike threshold and residual clip, refreshed with the estimate
        self.r_lim = 0.01
        self.r_acc = 0.0  # clipped residuals accumulated since the last tick
        self.r_n = 0
        self.dt_avg = 0.0
        self.dt_avg_c = -1.0  # dt_avg when sqrt_c was computed
        self.sqrt_c = 0.0
        self.quantum = math.inf  # smallest non-zero step of the raw reading (a coarse sensor's quantum)
        self.x_lo = math.inf  # lowest raw sample fed since the last tick
        self.pend = False  # a suspicious sample is held back
        self.pend_t = 0.0
        self.pend_x = 0.0
        self.dt_c = -1.0  # cached dt and filter gain (uniform sampling pays one division, once)
        self.alpha = 0.0
        self.y1 = 0.0
        self.y2 = 0.0
        self.next_tick = 0.0
        self.t_tick = 0.0
        self.n_in_tick = 0  # samples fed since the last tick
        self.rep: list[float] = []  # forces stamped with t_last again, waiting for the next timestamp
        self._reset_detection()

    def _reset_detection(self) -> None:
        self.n = 0  # ticks pushed into the history so far (absolute count)
        self.st = IDLE
        self.sub = STEADY
        self.contact_t = 0.0
        self.y_prev_tick = 0.0
        self.t_prev_tick = 0.0
        self.qmax_h = self.qmax_t = 0
        self.qmin_h = self.qmin_t = 0
        self.win_from = 0  # first tick allowed in the steadiness window
        self.iv = 0  # tick used as the far end of the velocity span
        self.iv2 = 0  # last tick before the window of the tremor-averaged force
        self.iw = 0  # first tick of the steadiness window
        self.ih1 = 0  # first tick of the last half min_hold ...
        self.ih2 = 0  # ... and of the half before it
        self.it1 = 0  # first tick of the last third of min_hold ...
        self.it2 = 0  # ... and of the third before it (the flatness test's parts)
        self.ib = 0  # first tick of the last BRISK_SPAN (_brisk_move)
        self.sum_w = 0.0  # running sums of tick weight and weighted force (cw, cy hold them per tick)
        self.sum_wy = 0.0
        self.c_try = 0.0  # a hold in this contact is not tried again before this time
        self.v = 0.0
        self.v_slow = 0.0
        self.vj = 0.0
        self.sig_f = 0.0
        self.ip = 0  # the tick PASS_LAG before now (the filtered force's own noise measure) ...
        self.p_mar = -1.0  # ... and its mean absolute second difference (-1: not measured yet)
        self.ref = 0.0
        # hold
        self.h_start = 0.0
        self.h_settled = 0.0  # statistics are taken from here (the settled part of the hold)
        self.h_level = 0.0
        self.h_shift = 0.0  # the statistics' sums are taken about this (the level at confirmation)
        self.h_lv_from = 0.0  # the settled level's window begins here (the close arrival) ...
        self.h_lv_k = 0  # ... at this tick
        self.h_lv_open = False  # ... and the level is still being refined (until min_hold long)
        self.h_lv_tries = 0  # ... measured again this many times (still settling)
        self.h_lv_rate = 0.0  # ... the last window's change between its halves, per second of it
        self.h_lv_cut = False  # ... an excursion began while it was open (measured again after it)
        self.h_cursor = 0  # next tick to fold into the statistics
        self.s_w = self.s_y = self.s_yy = self.s_t = self.s_tt = self.s_ty = self.s_in = 0.0
        # movement
        self.mv_dir = 0
        self.mv_onset = 0.0
        self.mv_ref = 0.0
        self.mv_tol = 0.0
        self.mv_quiet = 0.0  # time the rate has been low since
        self.mv_settle = 0.0
        self.mv_fast = False  # the excursion moved faster than the step rate at some point
        self.b_brisk = False  # a slow excursion holds band events back: it may be a fast step
        self.mv_vpk = 0.0  # the excursion's highest averaged rate (N/s)
        self.bk_t = -math.inf  # the last time the force's mean moved faster than drift (_brisk_move)
        self.v_run = 0.0  # the highest averaged rate of a movement building in a steady hold (N/s)
        self.mv_away = False  # ... and that fast movement headed away from where the excursion began
        self.mv_out = -1.0  # when it first left the hold's band (-1: not yet)
        self.mv_ep = -1.0  # when this time away began: it went out (again) (-1: not yet)
        self.mv_ep_on = -1.0  # ... that departure's onset (-1: the excursion's own, mv_onset)
        self.mv_ep_up = False  # ... whether it is out above the band
        self.mv_back = -1.0  # when it last came back inside (-1: outside)
        self.sl_onset = 0.0  # onset of a slow excursion that a fast movement then took over ...
        self.sl_ref = 0.0  # ... and the level it left
        self.sl_left = 0.0  # ... and when it passed the departure tolerance (not back-dated)
        self.cd_level = 0.0  # a candidate new hold found during the excursion (cd_start < 0: none)
        self.cd_start = -1.0
        self.cd_out = -1.0  # since when the force lies outside the candidate's band
        self.cd_span = -1.0  # its change's 20-80 % span, once measured (-1: not yet)
        self.cd_try = 0.0  # its slow-step tests are not run again before this time
        self.cd_found = 0.0  # when it was found (a slow excursion's must still be flat later)
        self.low_since = -1.0  # since when the force lies below release_level of the hold's level
        self.c_peak = 0.0  # the current contact's highest force while it has not held
        self.drifting = False  # a slow excursion was judged drift: no new level test until back in band
        self.dr_level = 0.0  # ... where that drift was when so judged (a change away from it is looked at)
        self.mv_base = 0.0  # the level an excursion's change is measured from: the hold's, or that rest's
        self.held = False  # this contact has had a hold (a release is due when it ends)
        self.last_level = 0.0  # level of the contact's latest hold
        self.last_end = 0.0  # ... and when it ended
        self.base = 0.0  # resting force this contact rose from: a hold stands a threshold above it
        self.end_base = 0.0  # ... and the one it ends at (0 if that rest was a let-go's, not a release's)
        self.let_go = False  # the resting force was left by a contact that never held (no release)
        self.mv_peak = 0.0  # furthest the excursion went from where it began
        self.mv_far = -1.0  # when it first got a step away from there (-1: not yet)
        self.mv_far_up = False  # ... and whether that was above it (a burst) rather than below
        self.mv_rested = False  # a fast movement took over a slow excursion that had come to rest
        # A movement a step further away from outside the band, fast (_jump):
        self.ij = 0  # the tick a _fast_time() before now, not before the excursion began
        self.jp_onset = -1.0  # its onset while it is being confirmed (-1: none)
        self.jp_ref = 0.0  # ... the force it moved on from
        self.jp_dir = 0  # ... its direction, away from the level
        self.jp_far = 0.0  # ... when it was seen a step further
        self.jp_fast = False  # ... whether the rate test has seen it
        self.mv_jump = -1.0  # the onset of one that stayed away: the hold was left there (-1: none)
        self.mv_jump_at = -1.0  # ... and when that was known
        self.rest = 0.0  # resting force after a release that left light contact
        self.rs_on = False  # that rest is still being found: the force may rise to rs_lim meanwhile
        self.rs_lim = 0.0  # ... release_level of the released hold's level, until the next contact
        self.rs_at = 0.0  # ... and where it came to rest
        self.rs_fell = False  # ... and whether the force has been down under rs_lim since
        self.rs_base = 0.0  # ... and the rest as it would be without the search (the lowest since)
        self.rs_t = 0.0  # ... and has stayed within _rest_span since this time (rs_lo to rs_hi)
        self.rs_lo = 0.0
        self.rs_hi = 0.0
        # band
        self.b_state = B_IN
        self.b_cand = B_IN
        self.b_since = 0.0
        self.b_exit_t = 0.0
        self.b_last = -math.inf  # when the last band event this hold told was dated: it was on then
        self.b_floor = 0.0  # an exit is never dated before this: the watch began, or the last band event
        self.b_told = B_IN  # the band state as listeners were told it
        # band events held back: kind, time, direction, level, and the time to tell (an exit's dating)
        self.b_held: list[tuple[str, float, str | None, float, float]] = []

    def _sample(self, t: float, x: float) -> None:
        if not (math.isfinite(t) and math.isfinite(x)):
            self.ignored += 1
            return
        self.t_now = t
        if not self.started:
            self._start_stream(t, x)
            return
        dt = t - self.t_last
        if dt == 0.0:
            # The same timestamp again (a batch stamped on arrival, a coarse clock): the sample is
            # real but its time is not known until the next timestamp comes.
            if len(self.rep) < REPEAT_CAP:
                self.rep.append(x)
            else:
                self.ignored += 1
            return
        if not (dt > 0.0):
            self.ignored += 1
            return
        if self.rep:
            # Spread the run evenly between its timestamp and this one, in arrival order.
            if dt <= REPEAT_SPAN and dt <= self.cfg.max_gap:
                t0 = self.t_last
                k = len(self.rep) + 1
                for j, xr in enumerate(self.rep, 1):
                    self._accept(t0 + j * dt / k, xr)
            else:
                self.ignored += len(self.rep)
            self.rep.clear()
        if dt > self.cfg.max_gap:
            # A silence: close what was open at the last real sample and start afresh, rather than
            # bridging the gap with a filter that would invent a ramp.
            self.gaps += 1
            self._end_of_data(self.t_last)
            self._reset_stream()
            self.t_now = t
            self._start_stream(t, x)
            return
        self._accept(t, x)

    def _accept(self, t: float, x: float) -> None:
        """A sample with a time after the last one's, within ``max_gap``: spike check, then the filter."""
        self.samples += 1
        self.t_last = t
        # Single-sample spike rejection: predict linearly from the last two fed samples; a sample far
        # off the prediction is held back until the next one says whether the jump was real.
        if self.fed < WARMUP:
            self._feed(t, x)  # too little seen yet to call anything a spike
            return
        thr = self.thr
        if self.pend:
            self.pend = False
            # A lone spike: the next sample is back nearer where the stream was than where the
            # suspect went. A real fast change goes on (or stays) where the suspect pointed.
            if abs(x - self.x1) < 0.5 * abs(self.pend_x - self.x1):
                self.spikes += 1  # the held sample was a lone spike: drop it
            else:
                self._feed(self.pend_t, self.pend_x)
            self._feed(t, x)
            return
        r = x - (2.0 * self.x1 - self.x2)
        d = self.x1 - self.x2
        # ... but one that stops short of the line, between the last sample and it, is a fast
        # movement stopped (a let-go at zero, a press at its level): a glitch overshoots the line.
        if abs(r) > thr and not (r * d <= 0.0 and abs(r) <= abs(d)):
            self.pend = True
            self.pend_t = t
            self.pend_x = x
            return
        self._feed(t, x)

    def _start_stream(self, t: float, x: float) -> None:
        self.started = True
        self.t_last = t
        self.t_fed = t
        self.x1 = self.x2 = x
        self.y1 = self.y2 = x
        self.next_tick = t
        self.t_tick = t
        self.samples += 1
        self._feed(t, x)

    def _feed(self, t: float, x: float) -> None:
        # Robust noise tracker: the mean absolute linear-prediction residual. Each residual is
        # clipped at three times the current estimate (so ramps and spikes barely move it) and the
        # estimate is updated once per tick from their mean, which keeps the per-sample path short.
        r = abs(x - (2.0 * self.x1 - self.x2))
        dq = abs(x - self.x1)
        if 0.0 < dq < self.quantum:
            self.quantum = dq
        if x < self.x_lo:
            self.x_lo = x
        if self.fed < WARMUP:
            # Warm-up: a plain running mean, so the estimate is usable within a few samples.
            self.fed += 1
            if self.fed > 2:
                if self.fed > 5 and r > self.r_lim:
                    r = self.r_lim  # a ramp already under way must not pass for noise
                self.mar += (r - self.mar) / (self.fed - 2)
                self.thr = self.cfg.spike_k * self.mar + SPIKE_FLOOR
                self.r_lim = 3.0 * self.mar + 0.01
        else:
            self.r_acc += r if r < self.r_lim else self.r_lim
            self.r_n += 1
        self.x2 = self.x1
        self.x1 = x
        dt = t - self.t_fed
        self.t_fed = t
        if dt > 0.0:
            # Timestamps of a uniform stream differ in their last bits; a gain recomputed only when
            # the interval really changes spares a division per sample at no cost in accuracy.
            if abs(dt - self.dt_c) > 1e-6 * dt:
                self.dt_c = dt
                self.alpha = dt / (self.tau + dt)
            self.y1 += self.alpha * (x - self.y1)
            self.y2 += self.alpha * (self.y1 - self.y2)
        self.n_in_tick += 1
        if t >= self.next_tick:
            self._tick_due(t)

    def _tick_due(self, t: float) -> None:
        """The sample at ``t`` (already fed) closes a tick: the per-tick noise statistics, then
        detection. (Its own step, as in Cython, whose fast per-sample path runs it directly.)"""
        w = t - self.t_tick
        if w > 0.0:
            if self.dt_avg == 0.0:
                self.dt_avg = w / self.n_in_tick
            self.dt_avg += 0.2 * (w / self.n_in_tick - self.dt_avg)
        if self.r_n > 0:
            a = MAR_ALPHA * self.r_n
            self.mar += (a if a < 1.0 else 1.0) * (self.r_acc / self.r_n - self.mar)
            self.thr = self.cfg.spike_k * self.mar + SPIKE_FLOOR
            self.r_lim = 3.0 * self.mar + 0.01
            self.r_acc = 0.0
            self.r_n = 0
        self.n_in_tick = 0
        self.t_tick = t
        self.next_tick = t + TICK_DUE * self.cfg.tick
        self._tick(t, self.y2, w)
        self.x_lo = math.inf

    # ------------------------------------------------------------------ history helpers
    def _h(self, k: int) -> int:
        return k % self.cap

    def _oldest(self) -> int:
        return self.n - self.cap if self.n > self.cap else 0

    def _first_since(self, k: int, lo: int, k_now: int, edge: float) -> int:
        """A running pointer moved on to the first tick at or after ``edge`` (never before ``lo``,
        never past ``k_now``): the start of a trailing window, kept per tick at O(1) cost."""
        if k < lo:
            k = lo
        while k < k_now and self.ht[self._h(k)] < edge:
            k += 1
        return k

    def _back_to(self, k: int, lo: int, edge: float) -> int:
        """From tick ``k`` back to the first tick at or after ``edge`` (never before ``lo``): the
        start of a window that ends at ``k``, when no running pointer keeps it."""
        while k > lo and self.ht[self._h(k - 1)] >= edge:
            k -= 1
        return k

    def _last_at(self, k: int, lo: int, edge: float) -> int:
        """From tick ``k`` back to the last tick at or before ``edge`` (never before ``lo``): where a
        scan back over a change that ended by ``edge`` begins."""
        while k > lo and self.ht[self._h(k)] > edge:
            k -= 1
        return k

    def _scan_departure(self, ref: float, tol: float, frm: int, direction: int, floor: float,
                        span: float = math.inf) -> float:
        """Onset of a movement that has left ``ref`` in ``direction`` by the tick ``frm`` (``_departure``,
        ``span`` the change's size where known)."""
        return self._departure(ref, tol, frm, direction, floor, span)[0]

    def _departure(self, ref: float, tol: float, frm: int, direction: int,
                   floor: float, span: float = math.inf) -> tuple[float, float]:
        """Onset of a movement that has left ``ref`` in ``direction`` by the tick ``frm``, and where
        it passed ``tol``.

        The latest tick at which the force had not yet left ``ref`` by more than ``tol`` (one-sided,
        so a reference a little off the plateau still finds the right tick) marks where the
        deviation passed ``tol``. Once the movement has gone on to ``4·tol`` (known when a step or
        release is decided, rarely at first sight) the onset is back-dated from that first crossing
        by the time between the two: hands start smoothly, the deviation growing at least
        quadratically, and this removes most of the delay a fixed tolerance would leave. Never before
        ``floor`` (a hold's end may not fall inside its first ``min_hold``). A change of known size
        ``span`` under 5 tolerances never gets 4 of them out on its way (only the new level's noise
        does, seconds later): the second crossing is then taken at ``SMOOTH_START`` of the span and
        the back-dating scaled to it (the deviation growing as the square of the time from the
        onset), by at most ``SMOOTH_MAX`` times the time between the crossings. The second value is
        that first crossing itself, not back-dated (after the onset, wander aside: a constant-rate
        ease's onset the back-dating puts twice that crossing's delay early), never before ``floor``.
        """
        k = frm
        lo = max(self._oldest(), self.win_from)
        while k >= lo:
            if direction * (self.hy[self._h(k)] - ref) <= tol:
                break
            k -= 1
        if k < lo:
            return floor, floor
        if k >= frm:
            return self.ht[self._h(frm)], self.ht[self._h(frm)]
        t_a = self._crossing(k, ref, tol, direction)
        passed = t_a if t_a > floor else floor
        far = 4.0 * tol
        if far > SMOOTH_START * span:
            far = SMOOTH_START * span
        if far <= tol:
            return passed, passed  # (a change within the tolerance's reach: its crossing itself)
        kb = k
        while kb < frm and direction * (self.hy[self._h(kb + 1)] - ref) < far:
            kb += 1
        if kb >= frm:
            return passed, passed  # (not yet that far out: the crossing itself, never before floor)
        t_b = self._crossing(kb, ref, far, direction)
        r = math.sqrt(tol / far)
        back = r / (1.0 - r)  # 1 at 4·tol
        if back > SMOOTH_MAX:
            back = SMOOTH_MAX
        onset = t_a - back * (t_b - t_a)
        return (onset if onset > floor else floor), passed

    def _crossing(self, k: int, ref: float, d: float, direction: int, h: list[float] | None = None) -> float:
        """Time at which the deviation from ``ref`` reached ``d`` between ticks ``k`` and ``k+1``
        (of the filtered force, or of the history ``h``); the newest tick's time if ``k`` is the
        newest (not reached by now: there is no tick after it, its slot is the oldest's)."""
        if k >= self.n - 1:
            return self.ht[self._h(self.n - 1)]
        if h is None:
            h = self.hy
        j0 = self._h(k)
        j1 = self._h(k + 1)
        d0 = direction * (h[j0] - ref)
        d1 = direction * (h[j1] - ref)
        if d1 <= d0:
            return self.ht[j1]
        f = (d - d0) / (d1 - d0)
        f = 0.0 if f < 0.0 else (1.0 if f > 1.0 else f)
        return self.ht[j0] + f * (self.ht[j1] - self.ht[j0])

    def _scan_arrival(self, level: float, tol: float, wide: float, frm_t: float, k_end: int = -1,
                      h: list[float] | None = None) -> float:
        """Where the force arrived at ``level``: after its last excursion beyond ``wide`` (a ramp,
        a step, an overshoot settling back), the first tick within ``tol`` of the level; never
        before ``frm_t``. Looked for back from tick ``k_end`` (the latest, by default), on the
        filtered force or on the history ``h``."""
        if h is None:
            h = self.hy
        lo = max(self._oldest(), self.win_from)
        if k_end < 0:
            k_end = self.n - 1
        k = k_end
        while k > lo and self.ht[self._h(k - 1)] >= frm_t and abs(h[self._h(k - 1)] - level) <= wide:
            k -= 1
        while k < k_end and abs(h[self._h(k)] - level) > tol:
            k += 1
        return self.ht[self._h(k)]

    def _flat(self, t: float) -> bool:
        """The last ``min_hold`` is flat: its two halves agree, as they do for a hand resting on a
        level and not for one still easing towards it or turning back from a peak."""
        half = 0.5 * self.cfg.min_hold
        mid = self._mean_ticks(self.ih1, self.n)
        # ... and it is not moving now (a turn has just begun): the rate that would shift the
        # halves by that much, plus the hand's jitter and the noise of the rate.
        v_flat = FLAT * mid / half + self._v_floor()
        tol = FLAT * mid + ARRIVAL_K * self.sig_f
        if not (abs(mid - self._mean_ticks(self.ih2, self.ih1)) <= tol and abs(self.v) <= v_flat):
            return False
        # ... and no third of it stands apart: a drift's turn looks flat by halves at its peak.
        m0, m1, m2 = self._last_thirds()
        hi = m0 if m0 > m1 else m1
        lo = m0 if m0 < m1 else m1
        return (m2 if m2 > hi else hi) - (m2 if m2 < lo else lo) <= tol

    def _rested_before(self, t_end: float) -> bool:
        """The ``min_hold`` before ``t_end`` was flat: its two halves' means agree within ``FLAT`` of
        the level (plus noise), as ``_flat`` judges the last one (a 1.3 %/s change or faster is not)."""
        half = 0.5 * self.cfg.min_hold
        lo = max(self._oldest() + 1 if self.n > self.cap else 0, self.win_from)  # a mean needs the sum before
        kb = self._back_to(self.n - 1, lo, t_end)
        km = self._back_to(kb, lo, t_end - half)
        ka = self._back_to(km, lo, t_end - 2.0 * half)
        if ka <= lo or km >= kb or ka >= km:
            return False  # not that much history: nothing to judge by
        m1 = self._mean_ticks(km, kb)
        return abs(m1 - self._mean_ticks(ka, km)) <= FLAT * m1 + ARRIVAL_K * self.sig_f

    def _from_hold(self, level: float) -> bool:
        """A new level is a step from the hold's own, if the change is judged from where a rested
        slow excursion, or a drift, had taken the force: a change from one hold to another (a drift
        out and a push or an ease back to the level is none)."""
        return (not self.mv_rested and self.mv_base == self.h_level) or \
            abs(level - self.h_level) >= self._step_thr(self.h_level)

    def _turning(self, direction: int) -> bool:
        """The last min_hold's thirds show a turn, not a force resting on a new level
        (``direction``: the way the movement went; each by more than ``_flat``'s tolerance, FLAT of
        the level plus the noise):
        - on its way back: the newest third lies nearer where the movement came from than both
          before it. An overshoot settling back belongs to the movement (the rate is not quiet until
          it has settled, and the window lies after that); a drift's way back, slower than the rate
          test, does not;
        - centred on a peak: the middle third lies beyond both others, the force rising into it and
          falling out of it (a drift whose rate an aliased tremor lifted over the rate test and then
          let fall quiet on its way)."""
        tol = FLAT * self._mean_ticks(self.ih1, self.n) + ARRIVAL_K * self.sig_f
        m0, m1, m2 = self._last_thirds()
        a = direction * m0
        c = direction * m1
        e = direction * m2
        return (a if a < c else c) - e > tol or c - (a if a > e else e) > tol

    def _last_thirds(self) -> tuple[float, float, float]:
        """The means of the last ``min_hold``'s thirds, oldest first (from the running pointers)."""
        return (self._mean_ticks(self.ih2, self.it2), self._mean_ticks(self.it2, self.it1),
                self._mean_ticks(self.it1, self.n))

    def _flat_thirds(self, t: float, dur: float, direction: int, flat_frac: float = FLAT) -> bool:
        """The last ``dur`` seconds are flat too: the means of its thirds agree within ``FLAT`` (or
        ``flat_frac``: ``LONG_FLAT`` over ``LONG_HOLD`` times the window). A
        hand resting on a new barrier holds them together; a drift passing over its peak and turning
        back is still rising in the first third or falling in the last, which the halves of the last
        ``min_hold`` (centred on the peak, the same on either side) cannot tell.

        Nor do the thirds show the force passing over a peak (``direction``: the step's sign): the
        middle third beyond both others, away from the old level, and beyond their mean by more than
        ``TURN_PEAK`` of that tolerance. A returning drift of ~2 %/s stays within the tolerance around
        its turn; a hand's sway is as often the other way, and a window it spoils is looked at again
        ``SLOW_RETRY`` later.

        The tolerance's noise allowance is that of the thirds' means, not of one filtered sample: a
        mean over a second of the filtered force holds many independent stretches of its noise, and
        a light hold's 1 % is not swamped by an allowance its means never need. The two parts add in
        quadrature, as independent spreads do: added straight, a light or coarse sensor's noise
        allowance stacked on FLAT let a hand's wander (its means a percent apart) pass as flat, and
        a drift turning back on a light hold passed as a slow step."""
        third = dur / 3.0
        lo = max(self._oldest(), self.win_from)
        k = self.n - 1
        b = self.n
        m_lo = math.inf
        m_hi = -math.inf
        m_new = m_mid = m = 0.0
        for j in range(1, 4):
            edge = t - j * third
            k = self._back_to(k, lo, edge)
            m = self._mean_ticks(k, b)
            if j == 1:
                m_new = m
            elif j == 2:
                m_mid = m
            if m < m_lo:
                m_lo = m
            if m > m_hi:
                m_hi = m
            b = k
        flat = flat_frac * 0.5 * (m_hi + m_lo)
        noise = ARRIVAL_K * 1.4142135623730951 * self._mean_noise(third)
        tol = math.sqrt(flat * flat + noise * noise)
        if m_hi - m_lo > tol:
            return False
        a = direction * m  # the oldest third, then the middle and the newest, signed outwards
        c = direction * m_mid
        e = direction * m_new
        return not (c > a and c > e and c - 0.5 * (a + e) > TURN_PEAK * tol)  # no peak: out and back

    def _tick_gap(self) -> float:
        """The longest interval between two ticks that is no silence: twice the sample interval (at
        low rates the ticks are the samples, a little irregular) and a tick."""
        return 2.0 * self.dt_avg + self.cfg.tick

    def _mean_noise(self, dur: float) -> float:
        """Noise (sd, N) of the filtered force's mean over ``dur`` seconds: ``sig_f`` is that of one
        filtered sample, whose noise is correlated over ``4·tau`` (the low-pass's noise span, from
        which ``sig_f`` is computed) or over a sample interval if that is longer; a mean over
        ``dur`` averages ``dur`` / that many independent parts of it."""
        return self.sig_f * self._noise_frac(dur)

    def _noise_frac(self, dur: float) -> float:
        """The fraction of one filtered sample's noise left in a mean over ``dur`` seconds (see
        ``_mean_noise``)."""
        span = 4.0 * self.tau
        if self.dt_avg > span:
            span = self.dt_avg
        return math.sqrt(span / dur) if span < dur else 1.0

    def _mean_ticks(self, a: int, b: int) -> float:
        """Time-weighted mean of ticks ``a .. b-1`` from the running sums (the latest if none). The
        sums before the oldest tick kept are gone (its slot holds the newest's): a mean reaching back
        to it starts one tick later."""
        if self.n > self.cap and a <= self.n - self.cap:
            a = self.n - self.cap + 1
        sw = (self.cw[self._h(b - 1)] if b > 0 else 0.0) - (self.cw[self._h(a - 1)] if a > 0 else 0.0)
        sy = (self.cy[self._h(b - 1)] if b > 0 else 0.0) - (self.cy[self._h(a - 1)] if a > 0 else 0.0)
        return sy / sw if sw > 0.0 else self.hy[self._h(self.n - 1)]

    def _mean_since(self, t0: float) -> float:
        k = self.n - 1
        lo = self._oldest()
        sw = 0.0
        sy = 0.0
        while k >= lo and self.ht[self._h(k)] >= t0:
            j = self._h(k)
            sw += self.hw[j]
            sy += self.hw[j] * self.hy[j]
            k -= 1
        return sy / sw if sw > 0.0 else self.hy[self._h(self.n - 1)]

    # ------------------------------------------------------------------ per-tick stage
    def _tick(self, t: float, y: float, w: float) -> None:
        c = self.cfg
        # Safety: a tick about to be overwritten in the ring is folded into the statistics first.
        if self.st == HOLD and self.n - self.h_cursor >= self.cap:
            self._fold(self.n - self.cap + 1)
        j = self._h(self.n)
        self.ht[j] = t
        self.hy[j] = y
        self.hw[j] = w
        # Running sums (as of each tick) make the mean over any recent stretch O(1).
        self.sum_w += w
        self.sum_wy += w * y
        self.cw[j] = self.sum_w
        self.cy[j] = self.sum_wy
        k_now = self.n
        self.n += 1

        # Noise of the filtered force, from the raw-noise tracker and the filter's noise bandwidth.
        sig = self.mar / MAR_PER_SIGMA
        if self.dt_avg != self.dt_avg_c:  # a uniform stream settles on one value: one sqrt, once
            self.dt_avg_c = self.dt_avg
            ratio = self.dt_avg / (4.0 * self.tau)
            self.sqrt_c = math.sqrt(ratio if ratio < 1.0 else 1.0)
        self.sig_f = sig * self.sqrt_c
        self._pass_noise(t, y, k_now)

        # Sliding max/min over the steadiness window (monotonic deques of tick numbers).
        while self.qmax_t > self.qmax_h and self.hy[self._h(self.qmax_i[(self.qmax_t - 1) % self.cap])] <= y:
            self.qmax_t -= 1
        self.qmax_i[self.qmax_t % self.cap] = k_now
        self.qmax_t += 1
        while self.qmin_t > self.qmin_h and self.hy[self._h(self.qmin_i[(self.qmin_t - 1) % self.cap])] >= y:
            self.qmin_t -= 1
        self.qmin_i[self.qmin_t % self.cap] = k_now
        self.qmin_t += 1
        w_lo = t - c.min_hold
        while self.ht[self._h(self.qmax_i[self.qmax_h % self.cap])] < w_lo or \
                self.qmax_i[self.qmax_h % self.cap] < self.win_from:
            self.qmax_h += 1
        while self.ht[self._h(self.qmin_i[self.qmin_h % self.cap])] < w_lo or \
                self.qmin_i[self.qmin_h % self.cap] < self.win_from:
            self.qmin_h += 1

        # Velocity: the change over VEL_SPAN of the force averaged over the last VEL_MEAN (ticks
        # iv2+1 .. now), kept per tick in hm.
        lo = max(self._oldest(), self.win_from)
        if self.iv < lo:
            self.iv = lo
        while self.iv + 1 < k_now and self.ht[self._h(self.iv + 1)] <= t - VEL_SPAN:
            self.iv += 1
        if self.iv2 < lo:
            self.iv2 = lo
        while self.iv2 + 1 < k_now and self.ht[self._h(self.iv2 + 1)] <= t - VEL_MEAN:
            self.iv2 += 1
        m = self._mean_ticks(self.iv2 + 1, self.n)
        self.hm[j] = m
        t0 = self.ht[self._h(self.iv)]
        self.v = (m - self.hm[self._h(self.iv)]) / (t - t0) if t > t0 else 0.0
        # First tick of the steadiness window (kept, so asking where the window begins costs nothing).
        if self.iw < lo:
            self.iw = lo
        while self.iw < k_now and self.ht[self._h(self.iw)] < t - c.min_hold:
            self.iw += 1
        # ... and of the two halves of the last min_hold (the flatness test).
        lo_c = self._oldest() + 1 if self.n > self.cap else 0
        half = 0.5 * c.min_hold
        self.ih1 = self._first_since(self.ih1, lo_c, k_now, t - half)
        self.ih2 = self._first_since(self.ih2, lo_c, k_now, t - 2.0 * half)
        # ... and of its thirds (the flatness test's parts: a turn's halves agree, its thirds do not).
        third = c.min_hold / 3.0
        self.it1 = self._first_since(self.it1, lo_c, k_now, t - third)
        self.it2 = self._first_since(self.it2, lo_c, k_now, t - 2.0 * third)
        self.ib = self._first_since(self.ib, lo_c, k_now, t - BRISK_SPAN)

        if self.st == IDLE:
            if not self.rs_on and y < self.rs_at - self.c_off and y < self.rs_lim:
                # The resting force moved away below where it had come to rest (the limb shifted on
                # the gauge, or went off it): where it rests now is found again.
                self.rs_on = self.rs_lim > 0.0
                self.rs_base = self.rest
                self.rs_fell = True
                self.rs_t = t
                self.rs_lo = self.rs_hi = y
            if self.rs_on:
                self._find_rest(t, y)
            if not self.rs_on:
                # After a release that left light contact, the next contact begins a threshold above
                # the force the hand rests with (the lowest seen since), not at the bare threshold.
                self.rest = self._lower_rest(self.rest, y)
                thr = self.rest + self.c_on if self.rest > 0.0 else self.c_on
                if y > thr:
                    self._contact(t, y, thr)
        elif self.st == CONTACT:
            self._in_contact(t, y, k_now)
        else:
            self._in_hold(t, y, k_now)
        self.y_prev_tick = y
        self.t_prev_tick = t

    def _pass_noise(self, t: float, y: float, k_now: int) -> None:
        """The noise of the filtered force measured on the filtered force itself: the running mean
        absolute second difference over ``PASS_LAG`` (white noise's ``MAR_PER_SIGMA`` per sigma, as
        the raw tracker's), each clipped at three times the mean (movements barely move it). The raw
        tracker scaled by the filter's noise bandwidth assumes white noise: a stream whose noise lies
        far above the cut-off (50-Hz hum sampled at 80 Hz aliases to 30 Hz) is credited with noise the
        filter removes. So ``sig_f`` is ``PASS_K`` times the output's own measure wherever that is lower
        (never raised by it: tremor, pulse and wander pass the filter too)."""
        lo = self._oldest()
        self.ip = self._first_since(self.ip, lo, k_now, t - self.pass_lag)
        d = k_now - self.ip
        if d <= 0 or k_now - 2 * d < lo:
            return
        r = abs(y - 2.0 * self.hy[self._h(k_now - d)] + self.hy[self._h(k_now - 2 * d)])
        if self.p_mar < 0.0:
            self.p_mar = self.sig_f * MAR_PER_SIGMA  # start from the raw tracker's figure
        lim = 3.0 * self.p_mar + 0.01
        a = (t - self.t_prev_tick) * self.pass_w
        self.p_mar += (a if a < 1.0 else 1.0) * ((r if r < lim else lim) - self.p_mar)
        sp = self.pass_k * self.p_mar
        if sp < self.sig_f:
            self.sig_f = sp

    def _contact(self, t: float, y: float, thr: float) -> None:
        # Back-date to the threshold crossing: between the previous tick and this one, or, where a
        # rise that began while the rest was still being found (_find_rest) lay above the threshold
        # for a while, between the two ticks where it crossed (not before the release).
        k = self.n - 1
        lo = max(self._oldest(), self.win_from)
        while k - 1 > lo and self.hy[self._h(k - 1)] > thr:
            k -= 1
        y0, t0, y1, t1 = self.y_prev_tick, self.t_prev_tick, y, t
        if k < self.n - 1:
            y0, t0 = self.hy[self._h(k - 1)], self.ht[self._h(k - 1)]
            y1, t1 = self.hy[self._h(k)], self.ht[self._h(k)]
        tc = t1
        if self.n > 1 and y1 > y0:
            tc = t0 + (thr - y0) / (y1 - y0) * (t1 - t0)
            if tc < t0:
                tc = t0
        self.st = CONTACT
        self.contact_t = tc
        self.base = thr - self.c_on  # the resting force this contact rose from (0 from no contact)
        # The contract's resting level is a release's: one a let-go left (no hold, no release) is no
        # end of contact, only no start of one (the next contact still rises a threshold above it),
        # so a hold let go onto it ends `left`, its release at the contact's end.
        self.end_base = 0.0 if self.let_go else self.base
        self.let_go = False
        self.c_try = 0.0
        self.rest = 0.0
        self.rs_lim = 0.0
        self.held = False
        self.low_since = -1.0
        self.c_peak = y
        self._restart_window()
        self._emit("contact", tc, None, y)

    def _restart_window(self) -> None:
        """Steadiness and velocity look only at ticks from now on (a new contact or a release)."""
        self.win_from = self.n - 1
        self.qmax_h = self.qmax_t - 1
        self.qmin_h = self.qmin_t - 1
        self.iv = self.n - 1
        self.iv2 = self.n - 1
        self.vj = 0.0
        self.v_slow = 0.0

    def _win_start_t(self) -> float:
        """Time of the first tick of the current contact window (-inf once it left the ring)."""
        if self.win_from < self._oldest():
            return -math.inf
        return self.ht[self._h(self.win_from)]

    def _steady_window(self, t: float) -> tuple[bool, float]:
        """Whether the last ``min_hold`` seconds of contact were steady; and their mid level."""
        c = self.cfg
        if self._win_start_t() > t - c.min_hold + 1e-9:
            return False, 0.0
        ymax = self.hy[self._h(self.qmax_i[self.qmax_h % self.cap])]
        ymin = self.hy[self._h(self.qmin_i[self.qmin_h % self.cap])]
        k0 = self.ih2 - 1  # the last tick before the window
        if k0 >= self.win_from and k0 >= self._oldest() and \
                self.ht[self._h(self.ih2)] - self.ht[self._h(k0)] > self._tick_gap():
            # A silence at the window's start: the force before it counts (the contract bridges a
            # silence where the force on both sides lies at one level), or a window of a few ticks
            # after it, ranged only over those, passes for min_hold of steadiness.
            y0 = self.hy[self._h(k0)]
            if y0 > ymax:
                ymax = y0
            elif y0 < ymin:
                ymin = y0
        mid = 0.5 * (ymax + ymin)
        # Noise widens the band, but never beyond twice its width: at low sample rates the noise
        # tracker also sees real swings (a gliding stroke), which must not pass for a hold.
        return 0.5 * (ymax - ymin) <= self._wide(mid), mid

    def _in_contact(self, t: float, y: float, k_now: int) -> None:
        """Contact without a hold: the end of contact, a release after a departure, or a new hold."""
        c = self.cfg
        if self._contact_lost(y):
            if self.held:  # the contact held before the force left its level: this is its release
                self._release_after_leave(k_now)
                return
            self.st = IDLE
            # A touch or stroke from a resting hand ends back at rest: the next contact, again, is
            # a threshold above that resting force.
            self.rest = y if y >= self.c_off else 0.0
            return
        if self.held:
            if self._low_for(t, y, self.last_level):
                self._release_after_leave(k_now)
                return
        else:
            # A squeeze or touch that never held and fell back to light contact (below
            # release_level of its highest force, for release_time) was let go onto a resting hand,
            # as a release with light contact left is: the contact ends there, with no release
            # (nothing was held), and the resting force is no hold; the next contact rises a
            # threshold above it. (A dynamometer's relaxed grip rests at 2-4 N.)
            if y > self.c_peak:
                self.c_peak = y
            if self._low_for(t, y, self.c_peak):
                self.st = IDLE
                self.rest = y  # still in contact here, so above c_off
                self.let_go = True
                return
        if t < self.c_try:
            return
        ok, mid = self._steady_window(t)
        if not ok or mid < self.base + self.c_on:
            return
        frm = self._win_start_t()
        if self.held and frm < self.last_end:
            frm = self.last_end
        start, level = self._settle(mid, frm)
        if start <= t - c.min_hold:
            self._begin_hold(t, self._hold_start(level, frm), level, start)
        else:
            self.c_try = start + c.min_hold  # no hold is shorter than min_hold: try once it could be

    def _release_after_leave(self, k_now: int) -> None:
        """The end of a contact whose hold had ended ``left``: its release, at the final fall."""
        onset = self._drop_onset(k_now, self.last_end, self.last_level)
        self._emit("release", onset, None, self.last_level)
        self._after_release()

    def _settle(self, mid: float, frm_t: float) -> tuple[float, float]:
        """Where a new hold began, and its settled level.

        Arrival is found against the steady window's mid level first, then once more against the
        level measured over the settled part only (a tighter tolerance), so neither the tail of the
        ramp nor an overshoot biases the level a relative band is drawn around.
        """
        hb = self.cfg.hold_band
        start = self._scan_arrival(mid, 0.5 * hb * mid + NOISE_K * self.sig_f, self._wide(mid), frm_t)
        # A first estimate from the window's later half: an overshoot settling early in the window
        # must not pull the level it is then judged against.
        half = self.ht[self._h(self.n - 1)] - 0.5 * self.cfg.min_hold
        level = self._mean_since(start if start > half else half)
        start = self._scan_arrival(level, ARRIVAL * level + ARRIVAL_K * self.sig_f, self._wide(level),
                                   frm_t)
        return start, self._mean_since(start)

    def _band_start(self, level: float, frm_t: float, k_end: int = -1) -> float:
        """Where a hold at ``level`` began: where the force came within the hold band of it and
        stayed (the contract's "a stretch in which the force stays near one level", as people label
        it), earlier than the settled part its level is measured over."""
        return self._scan_arrival(level, self.cfg.hold_band * level + ARRIVAL_K * self.sig_f,
                                  self._wide(level), frm_t, k_end)

    def _hold_start(self, level: float, frm_t: float, k_end: int = -1) -> float:
        """Where a hold at ``level`` began, as reported: where the force came within the hold band
        of it and stayed, tremor and sensor noise aside (``_mean_arrival``); or, where the arrival
        passed through the hold band, overshot it and came back into it within ``leave_time`` of its
        peak, that peak (``_overshoot_peak``). People date such a hold anywhere from the first
        moment within the band to the end of the settling: the peak lies between."""
        peak = self._overshoot_peak(level, frm_t, k_end)
        return peak if peak > -math.inf else self._mean_arrival(level, frm_t, k_end)

    def _mean_arrival(self, level: float, frm_t: float, k_end: int = -1) -> float:
        """``_band_start`` on the force averaged over ``VEL_MEAN`` (the crossing taken back by the half
        ``VEL_MEAN`` the mean trails by), never before ``frm_t``, and with no noise allowance: the
        mean's noise is symmetric about the force, and an allowance only moves the crossing earlier.
        One filtered sample's (2 sigma: 4 % of a 4-N hold on an HX711) put a slow arrival's start
        1-1.8 s before the force came within the band; two of the mean's, 0.5-1 s."""
        t = self._scan_arrival(level, self.cfg.hold_band * level, self._wide(level), frm_t, k_end,
                               self.hm) - 0.5 * VEL_MEAN
        return t if t > frm_t else frm_t

    def _overshoot_peak(self, level: float, frm_t: float, k_end: int = -1) -> float:
        """The peak of an arrival at ``level`` that passed through the hold band, overshot it and came
        back into it within ``leave_time`` of its peak (-inf if there was none). The hand's movement
        onto the level ended there; the settling back is part of the hold, as a return within
        ``leave_time`` is inside one, and the level is measured after it (the contract's settled
        level)."""
        start = self._band_start(level, frm_t, k_end)
        tol = self.cfg.hold_band * level + ARRIVAL_K * self.sig_f  # (the band _band_start came into)
        lo = max(self._oldest(), self.win_from)
        k = self._back_to(self.n - 1 if k_end < 0 else k_end, lo, start)
        if k <= lo:
            return -math.inf
        d = 1.0 if self.hy[self._h(k - 1)] > level else -1.0
        j = k - 1
        kp = j
        while j >= lo and self.ht[self._h(j)] >= frm_t and d * (self.hy[self._h(j)] - level) > tol:
            if self.hy[self._h(j)] * d > self.hy[self._h(kp)] * d:
                kp = j
            j -= 1
        if j < lo or self.ht[self._h(j)] < frm_t or start - self.ht[self._h(kp)] > self.cfg.leave_time:
            return -math.inf  # not an overshoot seen whole, or one that took too long to settle
        # ... on an arrival that passed through the band from the other side (not a bump above a
        # level the force already lay at).
        while j >= lo and self.ht[self._h(j)] >= frm_t and abs(self.hy[self._h(j)] - level) <= tol:
            j -= 1
        if j < lo or self.ht[self._h(j)] < frm_t or d * (self.hy[self._h(j)] - level) > -tol:
            return -math.inf
        # ... and small beside the movement that arrived (ARRIVAL_OVERSHOOT of its way: a let-go and
        # a new squeeze look like one from far above, not like an arrival's overshoot).
        far = 0.0
        while j >= lo and self.ht[self._h(j)] >= frm_t:
            x = -d * (self.hy[self._h(j)] - level)
            if x > far:
                far = x
            j -= 1
        if d * (self.hy[self._h(kp)] - level) > ARRIVAL_OVERSHOOT * far:
            return -math.inf
        return self.ht[self._h(kp)]

    def _wide(self, level: float, frac: float = 1.0) -> float:
        """Half-width of "steady" around ``level``: the hold band, widened by noise (and a coarse
        sensor's quantum) up to twice. The quantum counts by its bound (a reading is within half a
        quantum of the force), only the noise beyond it in sigmas (``_sig_n``), scaled by ``frac``
        for a mean whose noise is that fraction of one filtered sample's."""
        band = self.cfg.hold_band * level
        allow = NOISE_K * self._sig_n() * frac + WIDE_QUANTA * self._q()
        return band + (allow if allow < band else band)

    def _wide_mean(self, level: float) -> float:
        """``_wide`` for the force averaged over the last half ``min_hold`` (its noise a fraction of
        one filtered sample's; the quantum's bound is the same)."""
        return self._wide(level, self._noise_frac(0.5 * self.cfg.min_hold))

    def _left_drift(self, y: float, m: float) -> bool:
        """The force (``y``, or ``m``, its mean over the last half min_hold) has left where it was
        when an excursion was judged drift (``dr_level``): by the steady band about it, as the level
        test sees a hold's."""
        if abs(y - self.dr_level) > self._wide(self.dr_level):
            return True
        return abs(m - self.dr_level) > self._wide_mean(self.dr_level)

    def _q(self) -> float:
        """The reading's quantum, or 0 for a sensor finer than anything that matters here."""
        return self.quantum if self.quantum < math.inf else 0.0

    def _step_thr(self, level: float) -> float:
        """Smallest change of level that is a step: ``step_min``, and more than one quantum."""
        a = self.cfg.step_min * level
        b = STEP_QUANTA * self._q()
        return a if a > b else b

    def _begin_hold(self, t: float, start: float, level: float, settled: float) -> None:
        """A hold from ``start`` (reported) whose statistics are taken from ``settled`` on."""
        if start > t - self.cfg.min_hold:
            # Its steady window is min_hold long: the force came within the hold band of a level
            # re-measured on it later than the window began, but no hold is shorter than min_hold
            # (nor may a release right after it be dated past the tick that tells it).
            start = t - self.cfg.min_hold
        if self.held and start < self.last_end:
            # Nor does it begin before the hold it follows in this contact ended (where a silence
            # lay inside that window: then it may be the shorter).
            start = self.last_end
        self.st = HOLD
        self.sub = STEADY
        self.h_start = start
        self.h_settled = settled if settled > start else start
        self.h_level = level
        self.h_shift = level
        self.ref = level
        self.held = True
        self.drifting = False
        self.low_since = -1.0
        self.cd_start = -1.0
        self.s_w = self.s_y = self.s_yy = self.s_t = self.s_tt = self.s_ty = self.s_in = 0.0
        lo = self._oldest()
        k = self._back_to(self.n - 1, lo, start)
        self.h_cursor = k
        # The settled level: the mean over the min_hold from the close arrival (LEVEL_ARRIVAL, on the
        # tremor-averaged force, after it last stood twice that far off: a small over- or undershoot
        # settling back, the slow end of a smooth arrival), never before the settled part. Until half
        # that window is in, the level given (which the hold_start event tells) stands.
        noise = ARRIVAL_K * self.sig_f + self._q()
        frm = self._scan_arrival(level, LEVEL_ARRIVAL * level + noise, 2.0 * LEVEL_ARRIVAL * level + noise,
                                 self.h_settled, -1, self.hm)
        self.h_lv_k = self._first_since(k, lo, self.n - 1, frm)
        # ... and past an overshoot too small for that (under twice LEVEL_ARRIVAL): the arrival, in
        # the direction it came from the hold's start, may go on past the level before it turns.
        self.h_lv_k = self._past_overshoot(level, LEVEL_OVERSHOOT * level + noise,
                                           LEVEL_ARRIVAL * level + noise, noise, self.h_lv_k,
                                           1 if level > self.hm[self._h(k)] else -1)
        frm = self.ht[self._h(self.h_lv_k)]
        self.h_lv_from = frm
        self.h_lv_open = True
        self.h_lv_tries = 0
        self.h_lv_cut = False
        self._refine(t)
        self.b_state = B_IN
        self.b_cand = B_IN
        self.b_told = B_IN
        self.b_since = t
        self.b_floor = t
        self.b_held.clear()
        self.b_last = -math.inf
        self._emit("hold_start", start, None, level)

    def _past_overshoot(self, level: float, tol: float, near: float, turn: float, k0: int, d: int) -> int:
        """The close arrival (tick ``k0``) moved on past an overshoot: the tremor-averaged force,
        followed on from ``k0`` in the arrival's direction ``d``, goes beyond ``tol`` past ``level``
        before it first turns back (by more than ``turn`` from its farthest point), and then settles
        back: it comes within ``tol`` again and does not go on through the level (``near`` on the
        other side, up to now). The overshoot has settled where it came back; otherwise ``k0``
        stands: a force that turns within ``tol`` (wander, pulse, a settled arrival) made no
        overshoot, one not back yet or passing back through the level (a fade that began at a peak)
        did not settle from one."""
        kn = self.n - 1
        k = k0
        far = -math.inf
        over = False
        back = -1
        while k <= kn:
            x = d * (self.hm[self._h(k)] - level)
            if back >= 0:
                if x < -near:
                    return k0
            elif over:
                if x <= tol:
                    back = k
            elif x > tol:
                over = True
            elif x > far:
                far = x
            elif x < far - turn:
                return k0
            k += 1
        return back if back >= 0 else k0

    def _refine(self, t: float) -> None:
        """The hold's level (and the relative band's centre) follows the mean since the close arrival
        until that window is ``min_hold`` long, then stays. It stops early when an excursion begins
        (the caller). A window the force left the settled part (ARRIVAL) of, or that had not settled
        (LEVEL_SETTLED), is measured again from there (an overshoot settling back slowly): the level
        stays the first window's until a later one has settled, and stays it if none has (a drift
        that begins at once is not averaged into the level it drifts from)."""
        c = self.cfg
        if t - self.h_lv_from < 0.5 * c.min_hold:
            return  # too short to be better than the first estimate
        m = self._mean_ticks(self.h_lv_k, self.n)
        tol = self._arrival_tol(m)
        # (nor is the first window's level ever outside the first estimate's settled part)
        left = abs(self.hm[self._h(self.n - 1)] - m) > tol or \
            (self.h_lv_tries == 0 and abs(m - self.h_shift) > tol)
        done = t >= self.h_lv_from + c.min_hold
        diff = 0.0
        if done or left:
            # The change between the window's halves so far: ...
            diff = self._halves_change(self.h_lv_k, 0.5 * (self.h_lv_from + t))
        if done and not left:
            # ... over LEVEL_SETTLED it is still settling, and a window measured again has settled
            # only if that change has also shrunk to LEVEL_DECAY of the one before (a settling
            # decays; a drift from the start goes on as it began).
            left = self._unsettled(diff, m) or \
                (self.h_lv_tries > 0 and abs(diff) / (t - self.h_lv_from) > LEVEL_DECAY * self.h_lv_rate)
            if not left and self.h_lv_tries > 0 and abs(m - self.h_shift) > c.hold_band * self.h_shift:
                # Nor is a level measured again ever outside the hold band of the one the hold began
                # at (hold_start's): a force that settled further off moved on from the hold. The
                # first window's level stands.
                self.h_lv_open = False
                return
        if left:
            if self.h_lv_tries < LEVEL_TRIES:
                self.h_lv_tries += 1
                self.h_lv_rate = abs(diff) / (t - self.h_lv_from)
                self.h_lv_k = self.n - 1
                self.h_lv_from = t
            else:
                self.h_lv_open = False
            return
        if done or self.h_lv_tries == 0:
            self.h_level = m
        if done:
            self.h_lv_open = False

    def _level_behind(self, t: float) -> bool:
        """An excursion cut the level's window short and has ended in the same hold (back, come to
        rest, or on a level under a step away): the arrival may only now have ended (a staircase's
        last stair). The level is the last min_hold's mean if that has settled (halves within
        LEVEL_SETTLED, the averaged force within ARRIVAL of it) and lies within a step of the level
        the hold began at; True if it was taken. Only within the time the measurement had (the
        window and LEVEL_TRIES more): later, a drift that comes to rest is drift, for the band."""
        c = self.cfg
        if t > self.h_lv_from + (LEVEL_TRIES + 1 - self.h_lv_tries) * c.min_hold:
            self.h_lv_cut = False
            return False
        lo = self._oldest() + 1 if self.n > self.cap else 0  # a mean needs the running sum before it
        k0 = self._back_to(self.n - 1, lo, t - c.min_hold)
        if self.ht[self._h(k0)] < self.h_lv_from:
            return False
        m = self._mean_ticks(k0, self.n)
        if self._unsettled(self._halves_change(k0, t - 0.5 * c.min_hold), m) or \
                abs(self.hm[self._h(self.n - 1)] - m) > self._arrival_tol(m):
            return False
        if abs(m - self.h_shift) > self._step_thr(self.h_shift):
            return False
        self.h_level = m
        self.h_lv_cut = False
        return True

    def _arrival_tol(self, m: float) -> float:
        """How far the averaged force may lie from a level ``m`` and still be in its settled part
        (ARRIVAL, plus noise and a quantum)."""
        return ARRIVAL * m + ARRIVAL_K * self.sig_f + self._q()

    def _halves_change(self, k0: int, t_mid: float) -> float:
        """The mean of the ticks from ``t_mid`` to now less that of those from tick ``k0`` to it: how
        far a level window's later half lies from its earlier one."""
        k_mid = self._back_to(self.n - 1, k0, t_mid)
        return self._mean_ticks(k_mid, self.n) - self._mean_ticks(k0, k_mid)

    def _unsettled(self, diff: float, m: float) -> bool:
        """A level window whose halves lie ``diff`` apart about ``m`` is still settling: more than
        LEVEL_SETTLED, beyond the noise of two half-window means' difference and a quantum."""
        return abs(diff) > LEVEL_SETTLED * m + \
            ARRIVAL_K * 1.4142135623730951 * self._mean_noise(0.5 * self.cfg.min_hold) + self._q()

    def _cut_level(self) -> None:
        """An excursion begins: the level stays what it was, and one still being measured is
        measured again if the excursion ends in this hold (``_level_behind``)."""
        if self.h_lv_open:
            self.h_lv_cut = True
        self.h_lv_open = False

    def _fold(self, upto: int) -> None:
        """Fold history ticks [h_cursor, upto) into the hold's running sums."""
        while self.h_cursor < upto:
            self._fold_tick(self._h(self.h_cursor), math.inf, 1.0)
            self.h_cursor += 1

    def _unfold_from_time(self, t_end: float) -> None:
        """Take back ticks at or after ``t_end``: an onset found late may lie behind the cursor."""
        lo = self._oldest()
        while self.h_cursor > lo and self.ht[self._h(self.h_cursor - 1)] >= t_end:
            self.h_cursor -= 1
            self._fold_tick(self._h(self.h_cursor), math.inf, -1.0)

    def _fold_tick(self, j: int, end: float, sign: float) -> None:
        """Add (sign +1) or take back (-1) tick ``j``, weighted by the part of the interval it
        stands for inside the hold."""
        c = self.cfg
        t1 = self.ht[j] if self.ht[j] < end else end
        t0 = self.ht[j] - self.hw[j]
        # Time in band counts over the whole hold ...
        a = t0 if t0 > self.h_start else self.h_start
        centre = self.target if self.has_target else self.h_level
        if sign < 0.0:
            # Taken back as it was added: the centre may have been refined since (judged again
            # about the new one, a tick counted out and taken back in left more in band than the
            # hold was long).
            self.s_in -= self.hin[j]
        else:
            self.hin[j] = (t1 - a) if t1 > a and abs(self.hy[j] - centre) <= c.tolerance * centre else 0.0
            self.s_in += self.hin[j]
        # ... mean, sd and drift over its settled part: steadiness is not the tail of the arrival.
        b = t0 if t0 > self.h_settled else self.h_settled
        w = t1 - b
        if not (w > 0.0):
            return
        y = self.hy[j] - self.h_shift  # shifted: no cancellation in the sums of squares
        tt = self.ht[j] - self.h_start
        w *= sign
        self.s_w += w
        self.s_y += w * y
        self.s_yy += w * y * y
        self.s_t += w * tt
        self.s_tt += w * tt * tt
        self.s_ty += w * tt * y

    def _fold_until_time(self, t_end: float) -> None:
        k = self.h_cursor
        while k < self.n and self.ht[self._h(k)] < t_end:
            k += 1
        self._fold(k)

    def _flush_held(self, t_end: float) -> None:
        """Band events held back during a fast movement belong to the hold if they came before its
        end (drift before a release); those after it were the step, departure or release itself.
        One is told where it was dated, or, if its drift's trend crossed only after that end (the
        line reached into the movement), where the force went out: inside the hold it belongs to."""
        for kind, tb, direction, level, told in self.b_held:
            if tb < t_end:
                self._tell_band(kind, told if told < t_end else tb, direction, level)
        self.b_held.clear()

    def _end_hold(self, t_end: float, ended_by: str) -> float:
        """Close the hold at ``t_end``; returns the end recorded. A hold let go or left was on when
        it told its last band event (the band is watched until the hold ends): it ends no earlier
        (a fade past the band's edge told an exit before it turned into the let-go it was dated
        into). A step's ease may carry the old band's exits past its onset: that is the contract's."""
        if ended_by != "step" and t_end < self.b_last:
            t_end = self.b_last
        self._flush_held(t_end)
        self._fold_until_time(t_end)
        self._unfold_from_time(t_end)
        if self.h_cursor < self.n:  # the tick whose interval holds the end counts in part
            self._fold_tick(self._h(self.h_cursor), t_end, 1.0)
        sw = self.s_w
        if sw > 0.0:
            my = self.s_y / sw
            mean = self.h_shift + my
            var = self.s_yy / sw - my * my
            sd = math.sqrt(var) if var > 0.0 else 0.0
            den = sw * self.s_tt - self.s_t * self.s_t
            slope = (sw * self.s_ty - self.s_t * self.s_y) / den if den > 0.0 else 0.0
        else:
            mean = self.h_level
            sd = 0.0
            slope = 0.0
        end = t_end if t_end > self.h_start else self.h_start
        self.holds.append(Hold(
            start=self.h_start, end=end, level=self.h_level, mean=mean, sd=sd,
            cv=sd / mean if mean > 0.0 else 0.0, duration=end - self.h_start,
            time_in_band=self.s_in, drift_per_s=slope, ended_by=ended_by))
        self.st = CONTACT
        self.sub = STEADY
        self.c_try = 0.0
        self.last_level = self.h_level
        self.last_end = end
        self.low_since = -1.0
        return end

    def _end_of_data(self, t: float) -> None:
        if self.st == HOLD:
            out = self.mv_ep >= 0.0 > self.mv_back  # away still, this time
            # A fast movement the data ends in had left: out longer than leave_time, or out still and
            # gone a step away fast - with no data after, it neither comes back nor settles. Unless
            # it had settled: a new level found and held min_hold, the step it may be (a slow one
            # needs slow_step_hold) not yet told. The contract ends a hold `left` only where the
            # force neither came back nor settled into a new hold; a change that settled and was no
            # step yet when the data ended is drift, and the hold goes on to the end.
            settled = self.cd_start >= 0.0 and self.cd_out < 0.0 and t - self.cd_start >= self.cfg.min_hold
            if self.sub == MOVING and self.mv_fast and not settled and \
                    (self._away_for(t) > self.cfg.leave_time or (out and self._left_fast())):
                self._end_hold(self._left_at(), "left")
                return
            self._fold(self.n)
            self._end_hold(t, "end_of_data")

    def _v_floor(self) -> float:
        """The least rate (N/s) that is movement: the hand's velocity jitter (tremor, pulse, aliasing)
        and the noise of the rate estimate; the rate test and the quiet test never go below it."""
        noise = NOISE_K * 1.4142135623730951 * self.sig_f
        q = self._q()
        if q > 0.0:
            # The quantum moves the rate by at most q / VEL_SPAN (each mean is within q/2 of the
            # force's), however much of sig_f it makes: that bound plus the noise beyond it.
            alt = NOISE_K * 1.4142135623730951 * self._sig_n() + q
            if alt < noise:
                noise = alt
        return 4.0 * self.vj + noise / VEL_SPAN

    def _brisk_move(self) -> bool:
        """The force averaged over VEL_MEAN has moved over the last BRISK_SPAN by more than drift
        at DRIFT_MAX can, the difference of two such means' noise (NOISE_K sigmas) and a quantum
        aside: a change faster than drift, whatever the rate's jitter floor."""
        d = abs(self.hm[self._h(self.n - 1)] - self.hm[self._h(self.ib)])
        return d > DRIFT_MAX * self.h_level * BRISK_SPAN + \
            NOISE_K * 1.4142135623730951 * self._mean_noise(VEL_MEAN) + self._q()

    def _sig_n(self) -> float:
        """The filtered force's noise beyond what the reading's quantum makes: a quantised reading is
        within q/2 of the force, so the quantum adds at most (q/2)^2 to the raw variance (a steady
        force between two quanta, read as one or the other); what is left is noise that is not
        bounded, to which a noise allowance of NOISE_K sigmas applies."""
        hq = 0.5 * self._q() * self.sqrt_c
        n2 = self.sig_f * self.sig_f - hq * hq
        return math.sqrt(n2) if n2 > 0.0 else 0.0

    def _low_for(self, t: float, y: float, level: float) -> bool:
        """The force has been below ``release_level`` of ``level`` for ``release_time``: a release
        even where light contact remains."""
        if y >= self.cfg.release_level * level:
            self.low_since = -1.0
        elif self.low_since < 0.0:
            self.low_since = t
        elif t - self.low_since >= self.cfg.release_time:
            return True
        return False

    def _contact_lost(self, y: float) -> bool:
        """The contact's end: the filtered force under the hysteresis above the contact's rest, or a
        let-go shorter than the filter's lag (``_raw_off``)."""
        return y < self.end_base + self.c_off or self._raw_off(y)

    def _raw_off(self, y: float) -> bool:
        """A sample since the last tick (past the spike check) touched rest while the filtered force
        still lies a threshold above where contact begins: a let-go shorter than the filter's lag,
        which the low-pass would bridge as a dip. Nearer the threshold the filtered force decides: a
        light press's raw samples straddle the hysteresis for a while after the low-pass crossed it.
        And the sample lies below the filtered force by more than the raw noise reaches (``spike_k``
        mean residuals, as far as a spike lies off its line): a light hold on a very noisy sensor
        (1 N on 4.3 N) dips under the hysteresis every few seconds."""
        return self.x_lo < self.end_base + self.c_off and y > self.end_base + 2.0 * self.c_on and \
            y - self.x_lo > self.cfg.spike_k * self.mar

    def _hold_floor(self) -> float:
        """No hold ends inside its first ``min_hold``: the earliest a departure may be dated."""
        return self.h_start + self.cfg.min_hold

    def _in_hold(self, t: float, y: float, k_now: int) -> None:
        c = self.cfg
        v_on = c.step_rate * self.ref
        floor = self._v_floor()
        if v_on < floor:
            v_on = floor
        # A release is the end of the contact: while the force falls it ends at the contact
        # threshold; otherwise (a hold just above it, noise) only below the hysteresis.
        if self._contact_lost(y) or \
                (y < self.end_base + self.c_on and self.sub == MOVING and self.mv_dir < 0) or \
                (y < c.release_fraction * self.mv_ref and self.sub != STEADY and self.v < 0.0):
            self._release(t, k_now)
            return
        # ... or a fall far below the level that lasts, even with light contact left.
        if self._low_for(t, y, self.h_level):
            self._release(t, k_now)
            return
        dev = y - self.h_level
        out = abs(dev) > self._wide(self.h_level)
        m = 0.0  # the force's mean over the last half min_hold, where a level test reads it
        brisk = False
        if self.sub == STEADY or not self.mv_fast:
            m = self._mean_ticks(self.ih1, self.n)
            # ... tremor and sensor noise aside: the band widened for one filtered sample's noise
            # swallows a 12-18 % change on a noisy sensor (3 N on an HX711: up to twice the hold
            # band), which that mean shows against its own, smaller allowance. (Not for a fast
            # movement: its going out and coming back are timed on the force itself, which the
            # mean trails.)
            if not out and abs(m - self.h_level) > self._wide_mean(self.h_level):
                out = True
                dev = m - self.h_level
            # ... or the force averaged over VEL_MEAN is out of the bare hold band, having got there
            # faster than drift (a brisk move the widened band and the half-min_hold mean lag).
            hmn = self.hm[self._h(k_now)]
            if abs(hmn - self.h_level) > self.cfg.hold_band * self.h_level and self._brisk_move():
                self.bk_t = t
                if not out and not self.drifting:
                    brisk = True
                    dev = hmn - self.h_level
        if self.sub == STEADY:
            # Statistics trail real time by a little, so a back-dated end never includes a ramp (and
            # wait for the settled level: time in band is counted about it).
            if not self.h_lv_open:
                self._fold_until_time(t - STATS_LAG)
            if self.drifting and not out:
                self.drifting = False
            if abs(self.v) <= LEARN_FRAC * v_on:
                self.v_run = 0.0
            elif abs(self.v) > self.v_run:
                self.v_run = abs(self.v)
            if abs(self.v) > v_on:
                # The rate test: a movement faster than the step rate.
                self._excursion(t, k_now, True, 1 if self.v > 0 else -1, self.ref)
            elif (out or brisk) and not self.drifting and not self.has_target:
                # The level test: a slow change out of the hold's band may be easing onto a new
                # barrier (relative band only: with a fixed target a slow change stays drift).
                self._excursion(t, k_now, False, 1 if dev > 0 else -1, self.h_level)
            elif self.drifting and not self.has_target and self._left_drift(y, m):
                # ... and a change away from where a drift came to rest outside the band (a step on
                # from it: a staircase whose first step the band swallowed) is looked at from there.
                self._excursion(t, k_now, False, 1 if m > self.dr_level else -1, self.dr_level)
            else:
                if self.h_lv_open:
                    self._refine(t)
                self._learn(t, y, v_on)
                self._band(t, y, True)
                return
        self._cut_level()
        self._moving(t, y, k_now, v_on, out)

    def _learn(self, t: float, y: float, v_on: float) -> None:
        """Track the reference level and the velocity jitter, from steady stretches only: a movement
        that is building must not drag the level it is measured against nor raise its own bar."""
        dv = self.v - self.v_slow
        if abs(self.v) > LEARN_FRAC * v_on:
            return
        dt = t - self.t_prev_tick
        # The reference follows the force as it was VEL_SPAN ago (the far end of the rate's span):
        # the rate, an average, sees a movement begin only that much later, and by then the
        # reference must not have followed its start.
        self.ref += dt / (0.3 + dt) * (self.hy[self._h(self.iv)] - self.ref)
        self.v_slow += 0.02 * dv
        self.vj += 0.02 * ((dv if dv >= 0 else -dv) - self.vj)

    def _excursion(self, t: float, k_now: int, fast: bool, direction: int, ref: float) -> None:
        """Start classifying a change; a fast movement inside a slow excursion restarts it but keeps
        the slow excursion's onset (a slow step may end in a brisk last push)."""
        fresh = self.sub == STEADY
        was_slow = not fresh and not self.mv_fast
        if fresh:
            self.mv_out = -1.0
            self.mv_ep = -1.0
            self.mv_ep_on = -1.0
            self.mv_back = -1.0
            self.cd_start = -1.0
            self.b_held.clear()
            self.b_brisk = False
            # (The rate may have peaked before the level test saw the force leave: the movement's
            # peak counts from where it began building.)
            self.mv_vpk = self.v_run
            self.v_run = 0.0
            # (From a drift that came to rest out of the band, a change is measured from that rest:
            # the hold's own level lies a drift away, and a step on from the rest would be as slow
            # as the drift and the step together.)
            self.mv_base = self.dr_level if self.drifting else self.h_level
        self.sub = MOVING
        self.cd_span = -1.0  # a takeover changes what the candidate's change is measured from
        self.mv_fast = fast
        self.mv_dir = direction
        self.mv_ref = ref
        self.mv_tol = DEPART * ref + DEPART_K * self.sig_f
        self.mv_onset, passed = self._departure(ref, self.mv_tol, k_now, direction, self._hold_floor())
        if fresh or (fast and was_slow and self.mv_out >= 0.0 and t - self.mv_out <= RATE_LAG):
            # (A slow excursion that turns fast within the rate's lag of going out was this fast
            # movement all along - a creeping or drifting hold near its band's edge when it began:
            # the level test only saw it first, the rate being an average.)
            self.sl_onset = self.mv_onset
            self.sl_ref = ref
            self.sl_left = passed
            self.mv_peak = 0.0
            self.mv_far = -1.0
            self.mv_far_up = False
            self.mv_away = fast
            self.mv_rested = False
            self.ij = k_now
            self.jp_onset = -1.0
            self.mv_jump = -1.0
            self.mv_jump_at = -1.0
        else:
            # A slow excursion turned fast: away from where it began (a brisk push at the end of
            # an ease), or back towards it (the return from a drift's turn, which did not leave fast).
            self.mv_away = direction * (self.hy[self._h(k_now)] - self.sl_ref) > 0.0
            # ... from a force resting where the slow excursion had taken it (a fade inside the hold,
            # a drift that stopped), not from one still easing on: then the fast movement is a change
            # of its own, judged from where it began, as from a hold.
            self.mv_rested = self._rested_before(self.mv_onset)
        self.mv_quiet = -1.0
        self.mv_settle = -1.0

    def _moving(self, t: float, y: float, k_now: int, v_on: float, out: bool) -> None:
        c = self.cfg
        relative = not self.has_target
        if not self.mv_fast and abs(self.v) > v_on:
            self._excursion(t, k_now, True, 1 if self.v > 0 else -1, self.ref)
        # Quiet once the rate falls under half the threshold, and until it passes the whole of it
        # again (hysteresis: tremor riding on a settled force must not keep a movement going). The
        # threshold is taken at the force's new level: drift there is as slow as drift anywhere.
        v_now = self.cfg.step_rate * y
        floor = self._v_floor()
        if v_now < floor:
            v_now = floor  # never under the jitter floor
        if self.mv_quiet < 0.0:
            if abs(self.v) < 0.5 * v_now:
                self.mv_quiet = t
        elif abs(self.v) > v_now:
            self.mv_quiet = -1.0
            if self.mv_fast and self.mv_settle >= 0.0 and self.cd_start < 0.0 and \
                    self._shelf(t, k_now, 1 if self.v > 0 else -1):
                return  # the movement had come to rest on a hold: the new one starts from it
        if self.mv_quiet >= 0.0 and t - self.mv_quiet >= SETTLE_TIME:
            self.mv_settle = self.mv_quiet - 0.5 * VEL_MEAN  # the latest end (the mean trails by half)
        if abs(self.v) > self.mv_vpk:
            self.mv_vpk = abs(self.v)
        d = abs(y - self.sl_ref)
        if d > self.mv_peak:
            self.mv_peak = d
        if self.mv_far < 0.0 and d >= self._step_thr(self.h_level):
            self.mv_far = t
            self.mv_far_up = y > self.sl_ref
        self._jump(t, y, k_now, v_on)
        if out:
            up = y > self.h_level
            if self.mv_ep < 0.0:
                self.mv_ep = t
            elif self.mv_back >= 0.0 and up == self.mv_ep_up and self.mv_back - self.mv_ep <= c.leave_time:
                # Out again on the side it came back from, within leave_time: a new time away, timed
                # and dated on its own (on the other side it passed through the band, and one that
                # stayed away longer had left: the same departure goes on).
                self.mv_ep = t
                self.mv_ep_on = self._scan_departure(self.mv_ref, self.mv_tol, k_now, 1 if up else -1,
                                                     self._hold_floor())
            self.mv_ep_up = up
            self.mv_back = -1.0
            if self.mv_out < 0.0:
                self.mv_out = t
        elif self.mv_back < 0.0:
            self.mv_back = t
        if not self.mv_fast:
            # A slow excursion is drift until it settles on a new level: the band watches it and
            # the statistics take it in (a later slow step takes back what follows its onset).
            self._learn(t, y, v_on)
            self._fold_until_time(t - STATS_LAG)
        # The band is watched throughout; while a fast movement is classified what it finds is held
        # back, to be told if the movement proves to be drift and dropped if it is a step, a
        # departure or a release (which raise no band events).
        self._band(t, y)
        if self.b_brisk and not self.mv_fast:
            # Band events held back by a brisk slow excursion are told once it can no longer be a
            # change completed within step_max_duration: still moving that long after its onset
            # (the averaged rate's lag allowed), or no fast step's new hold can still be confirmed -
            # unless the new level it found was reached by a change as brisk as a fast step's: then
            # they wait for that level's verdict (a step drops them; given up, they are told).
            since = t - self.sl_onset
            rest = 0.5 * c.step_min / c.step_max_duration * self.h_level
            if rest < floor:
                rest = floor  # never under the jitter floor
            if (since > c.step_max_duration + RATE_LAG and abs(self.v) > rest) or \
                    (since > c.step_max_duration + c.min_hold + PENDING_SLACK and
                     not (self.cd_start >= 0.0 and self._brisk_level())):
                self.b_brisk = False
                self._flush_held(math.inf)
        quiet = self.mv_quiet >= 0.0 and t - self.mv_quiet >= SETTLE_TIME
        if not out and self.mv_back >= 0.0 and (quiet or t - self.mv_back >= c.leave_time) and \
                abs(y - self.hm[self._h(k_now)]) <= self._wide(self.h_level) and \
                not (self.b_brisk and self.b_state != B_IN):
            # Back at the level: a wobble, or a departure that stayed away too long to be one; not
            # passing through it (a fast fall is a hold band away from its own mean over VEL_MEAN
            # before the rate, taken on that mean, has caught up with it); nor while an exit held
            # back as a possible fast step stands outside the band (a noisy sensor widens the
            # steady band past it: a light hand's new level 13 % away lies "at" the old one).
            if self.mv_fast and self.mv_settle >= 0.0 and self.cd_start < 0.0 and \
                    self._shelf(t, k_now, 1 if y > self.hm[self._h(k_now)] else -1):
                # It had come to rest on a short hold, and coming back is a new movement from it,
                # which the (averaged, lagging) rate has not seen yet: looked at now, as when it has.
                return
            if self._away_for(t) > c.leave_time and self._left_fast():
                self._leave(t)
            else:
                self._resume(t, y, False)
            return
        # A new hold at a new level? Once found it survives a wobble, as a hold does: back is the
        # force and its VEL_MEAN average both inside its band, not a fall passing through it.
        if self.cd_start >= 0.0:
            if abs(y - self.cd_level) <= self._wide(self.cd_level) and \
                    abs(self.hm[self._h(k_now)] - self.cd_level) <= self._wide(self.cd_level):
                self.cd_out = -1.0
            elif self.cd_out < 0.0:
                self.cd_out = t
            elif t - self.cd_out > c.leave_time:
                self.cd_start = -1.0
        if self.cd_start < 0.0 and self.mv_settle >= 0.0:
            # A new level is measured only once the movement has ended (the rate quiet) and, after a
            # slow excursion, once the last min_hold is flat: the tail of a slow ease is "near one
            # level" over 1.5 s long before it arrives where it is heading.
            ok, mid = self._steady_window(t)
            after = self.mv_onset if self.mv_onset > self.mv_settle else self.mv_settle
            if ok and self._window_after(after) and (self.mv_fast or self._flat(t)):
                start, level = self._settle(mid, self.mv_onset)
                self.cd_start = start
                self.cd_level = level
                self.cd_out = -1.0
                self.cd_span = -1.0
                self.cd_try = 0.0
                self.cd_found = t
        slow_max = c.slow_step_limit
        if self.cd_start >= 0.0:
            if t - self.cd_start < c.min_hold:
                return  # the new hold has not lasted min_hold yet
            # The force has left the candidate (for under leave_time): it may come back to it, or
            # the candidate lapses; no hold is begun at a level the force is not at now (a level
            # found on a sag's bottom, the force climbing on past it). Only a slow step, whose size
            # is measured to where the force is now and whose level is taken over the
            # slow_step_hold just held, may still be judged (an ease's tail goes on past the level
            # found on it, and a wandering hand keeps crossing that level's band edge).
            away = self.cd_out >= 0.0
            # A fast movement that took over a slow excursion is judged on the whole change: a
            # slow ease does not become a step by speeding up on its way (unless the excursion had
            # come to rest before it: then from where it began, as from a hold).
            frm = self.mv_base if self.sl_onset < self.mv_onset and not self.mv_rested else self.mv_ref
            if self.cd_span < 0.0:  # the candidate's change lies in the past: measured once
                self.cd_span = self._span(frm, self.cd_level, self.cd_start)
            # In relative mode, judged up to where the force is now (the last half min_hold, while
            # quiet) if it has gone on past the level found: a change that went on after its level
            # was found had not ended there (a drift whose first part a hand's wander made brisk
            # pauses, goes on, and turns back: measured to the pause it looked fast). If that makes
            # it slower than a fast step, the slow-step test judges it, which needs the force held
            # for slow_step_hold; with a target there is no slow step, and the level found stands.
            # (That span is a scan back over the change: measured last, once the rest has passed.)
            mid = self._mean_ticks(self.ih1, self.n)
            past = relative and quiet and (mid - self.cd_level) * (self.cd_level - frm) > 0.0
            # A level found in a slow excursion must still be held half a min_hold later (flat):
            # a drift's turn looks like a fast change to its peak's mean and passes at once. One
            # found after a fast movement must not be on its way back already: a drift whose rate a
            # hand's sway lifted over the rate test is judged as a fast movement, and its new level
            # is taken after the rate fell quiet - at its turn, the way back being slower; nor
            # centred on a turn (at 10 Hz a tremor aliased to ~1 Hz lets the rate fall quiet on the
            # way out, and the window rises into the peak and falls out of it).
            if not away and abs(self.cd_level - self.mv_ref) >= self._step_thr(self.mv_ref) and \
                    self._from_hold(self.cd_level) and \
                    ((self.mv_fast and not self._turning(1 if self.cd_level > self.mv_ref else -1)) or
                     (t - self.cd_found >= 0.5 * c.min_hold and self._flat(t))) and \
                    (self._span(frm, mid, t) if past else self.cd_span) <= SPAN_20_80 * c.step_max_duration:
                self._step(t, k_now, False)
                return
            # A slow step's size: the candidate may have been found on the ease's tail, which has
            # since gone on; the farther of its level and the force's now (the last half min_hold),
            # while the force is quiet (not while it leaves fast: a let-go passes every level).
            slow_dy = self.cd_level - self.mv_base
            if quiet and abs(mid - self.mv_base) > abs(slow_dy):
                slow_dy = mid - self.mv_base
            # A slow step completes within slow_max of where the force left, then holds for
            # slow_step_hold (under wander its flatness can take a second one to show; min_hold and
            # slack for finding its level): past that, a force that keeps drifting from one
            # candidate to the next is judged now, not waited on (a 22-s wait dated its departure
            # beyond the history, which DetectorConfig.history_seconds sizes for this deadline).
            slow_due = t - self.sl_left > slow_max + 2.0 * c.slow_step_hold + c.min_hold + PENDING_SLACK
            if relative and (slow_dy > 0.0 or c.slow_step_down) and not slow_due and \
                    abs(slow_dy) >= self._step_thr(self.mv_base) and self._from_hold(self.mv_base + slow_dy):
                # Holding there now, not passing over a peak on its way back (flat), near one level
                # for slow_step_hold, and arrived that long ago judged closely: the ease's own tail,
                # though near the new level, is not yet holding it. (Cheapest test first.)
                if t - self.cd_start >= c.slow_step_hold and t >= self.cd_try and self._flat(t):
                    hold = c.slow_step_hold
                    sgn = 1 if slow_dy > 0.0 else -1
                    # (Flat over slow_step_hold, or, for a hand that wavers, over twice as long by
                    # 2-s means: the same drift rate, less of the waver.)
                    if not self._steady_for(t, hold) or \
                            not (self._flat_thirds(t, hold, sgn) or
                                 (t - self.cd_start >= LONG_HOLD * hold and
                                  self._flat_thirds(t, LONG_HOLD * hold, sgn, LONG_FLAT))):
                        # An outlier or a trend in the window: not before it has moved on.
                        self.cd_try = t + SLOW_RETRY
                    else:
                        arrived = self._scan_arrival(mid, SLOW_ARRIVAL * mid + ARRIVAL_K * self.sig_f,
                                                     self._wide(mid), self.mv_onset)
                        if t - arrived < c.slow_step_hold:
                            self.cd_try = arrived + c.slow_step_hold
                        elif self._span(self.mv_base, mid, arrived) <= SLOW_SPAN * slow_max:
                            self._step(t, k_now, True)
                        else:
                            self._resume(t, y, True)  # too slow for an ease: a drift that came to rest
                return  # wait: steady long enough at the new level makes it a slow step
            if away:
                return  # back to the candidate, or it lapses
            if relative and abs(self.cd_level - self.h_level) >= self._step_thr(self.h_level) and \
                    self._left_fast():
                self._leave(t)  # it left fast and settled where no step leads: a new hold begins
            elif self.h_lv_cut and self._level_behind(t):
                # ... not while the arrival it cut short has settled on a level within a step: that
                # is this hold's level (a staircase arrival's last stair), and the hold goes on.
                self._resume(t, y, False)
            elif relative and not self.mv_fast and \
                    t - self.sl_left <= slow_max + c.min_hold + PENDING_SLACK:
                pass  # a slow ease may rest a moment on its way: wait until it can no longer be a step
            else:
                self._resume(t, y, True)  # near the old level, or a slow drift that came to rest
            return
        # No new hold yet: give up waiting when neither kind of step can still complete.
        fast_open = t - self.mv_onset <= c.step_max_duration + c.min_hold + PENDING_SLACK
        slow_open = relative and t - self.sl_left <= slow_max + c.min_hold + PENDING_SLACK and \
            not (self.mv_fast and self.mv_peak - abs(y - self.sl_ref) > self._wide(self.h_level))
        if fast_open or slow_open:
            return
        if y < c.release_level * self.h_level:
            # A let-go under way, light contact left: its release (the 15 % rule) ends the hold, or,
            # if the force comes back before, it is judged then - no drift, nor yet a departure.
            pass
        elif self._away_for(t) > c.leave_time and self._left_fast():
            self._leave(t)
        else:
            self._resume(t, y, out)  # drift that never settled (the band watches it), or back

    def _shelf(self, t: float, k_now: int, direction: int) -> bool:
        """A fast movement came to rest, and a new one begins before the hold at its new level could
        be confirmed (that window must lie after the movement ended). If the force lay within the
        hold band of one level for ``min_hold`` before the new movement began (the contract's hold,
        counted, as any hold is, from where it came within that band), that was a hold: when the
        first movement is a fast step from where it began, it is told now, and the new movement is
        classified from that hold (``direction``: the new movement's). Returns whether it was."""
        c = self.cfg
        lo = max(self._oldest() + 1 if self.n > self.cap else 0, self.win_from)  # a mean needs the sum before
        before = self.hy[self._h(self.iv)]  # the force a VEL_SPAN ago, as this movement began
        t1 = self._scan_departure(before, DEPART * before + DEPART_K * self.sig_f, k_now, direction,
                                  self.mv_onset)
        k1 = k_now
        while k1 > lo and self.ht[self._h(k1)] > t1:
            k1 -= 1
        k, _, steady = self._steady_back(k1, lo, t1 - c.min_hold)
        if k <= lo or self.ht[self._h(k)] < self.mv_onset:
            return False  # not min_hold of history since the first movement began
        if not steady:
            return False
        # Its level as any hold's: from the settled part (an arrival's overshoot or tail excluded).
        half = t1 - 0.5 * c.min_hold
        ka = k1
        while ka > lo and self.ht[self._h(ka - 1)] >= half:
            ka -= 1
        level = self._mean_ticks(ka, k1 + 1)
        settled = self._scan_arrival(level, ARRIVAL * level + ARRIVAL_K * self.sig_f, self._wide(level),
                                     self.mv_onset, k1)
        ka = k1
        while ka > lo and self.ht[self._h(ka - 1)] >= settled:
            ka -= 1
        level = self._mean_ticks(ka, k1 + 1)
        if t1 - self._band_start(level, self.mv_onset, k1) < c.min_hold or \
                abs(level - self.mv_ref) < self._step_thr(self.mv_ref) or not self._from_hold(level):
            return False
        # ... and the first movement was faster than drift: over the middle 60 % of its way at
        # least at the rate that starts a movement (a drift that turns back under tremor is not).
        # (The span's crossings are those of the VEL_MEAN mean, which _span looks for up to half
        # that after the time it is given: the mean must end at t1, before the new movement.)
        frm = self.h_level if self.sl_onset < self.mv_onset and not self.mv_rested else self.mv_ref
        sp = self._span(frm, level, t1 - 0.5 * VEL_MEAN)
        if sp > SPAN_20_80 * c.step_max_duration or 0.6 * abs(level - frm) < c.step_rate * self.h_level * sp:
            return False
        self.cd_start = settled
        self.cd_level = level
        self._step(t, k1, False)
        return True

    def _brisk_level(self) -> bool:
        """The candidate's level was reached as briskly as a fast step's: its change's 20-80 % span,
        once measured, within ``SPAN_20_80·step_max_duration``."""
        return 0.0 <= self.cd_span <= SPAN_20_80 * self.cfg.step_max_duration

    def _away_for(self, t: float) -> float:
        """How long the force has been out of the hold's band this time away, up to ``t`` (or until
        it came back) (s). "Neither comes back within leave_time" is asked of each time it went out,
        not of the span from the first going out to the last coming back: a hold with short dips in
        quick succession (an electrically stimulated muscle) comes back after each. Passing through
        the band to the other side is no coming back (a burst above, then a fall below)."""
        if self.mv_ep < 0.0:
            return 0.0
        return (t if self.mv_back < 0.0 else self.mv_back) - self.mv_ep

    def _away_onset(self, first: float) -> float:
        """Onset of this time away's departure: ``first``, the excursion's own, or that of a later
        going out on the side the force had come back from within leave_time (unless a fast movement
        has taken the excursion over since: then its own)."""
        return first if self.mv_ep_on < first else self.mv_ep_on

    def _left_fast(self) -> bool:
        """The excursion went out faster than drift does: the rate test saw it move away from where
        it began, and it got a step away within ``step_min / step_rate`` seconds of its onset (a
        fade, the slip of a tiring hand, a wandering one is smaller or slower; a drift near 10 %/s
        that the rate test never saw, or saw only on its way back, did not leave) - or, from outside
        the band, the force later moved on a step further as fast and stayed away (:meth:`_jump`)."""
        return self._left_fast_by(math.inf)

    def _left_fast_by(self, t_drop: float) -> bool:
        """As :meth:`_left_fast`, counting only what happened before ``t_drop`` (the final fall is
        the release, not the departure)."""
        return self._went_fast_by(t_drop) or 0.0 <= self.mv_jump_at < t_drop

    def _went_fast_by(self, t_drop: float) -> bool:
        """The excursion itself went out fast, before ``t_drop``."""
        return self.mv_away and 0.0 <= self.mv_far < t_drop and \
            self.mv_far - self.sl_onset <= self._fast_time()

    def _fast_time(self) -> float:
        """Longest a departure may take to get a step away and still have left fast (s)."""
        return self._step_thr(self.h_level) / (self.cfg.step_rate * self.h_level)

    def _left_at(self, by: float = math.inf, first: float | None = None) -> float:
        """Onset of the departure that left the hold: if the excursion went out fast (before ``by``),
        that of this time away (:meth:`_away_onset`, the excursion's own onset ``first`` unless
        given: ``mv_onset``); else that of the fast movement that took the force on from outside
        the band (:meth:`_jump`)."""
        if self._went_fast_by(by) or self.mv_jump < 0.0:
            return self._away_onset(self.mv_onset if first is None else first)
        return self.mv_jump

    def _jump(self, t: float, y: float, k_now: int, v_on: float) -> None:
        """Watch for a departure inside the excursion: the force, from outside the hold's band,
        moved a step further away within :meth:`_fast_time`, the rate test saw it (a slow ease
        whose speed peaks near the step rate covers a step in that time too), and it did not come
        back half way to where it moved from for ``leave_time`` after. Then the hold was left fast
        there, whatever the excursion did first: a fade or a sag, then the let-go (a finger gauge's
        fading pull dropped to a resting hand and taken up again). A dip from where a drift came to
        rest that comes back is a wobble of that rest."""
        if self.mv_jump >= 0.0 or self.h_level <= 0.0:
            return  # (a hold garbage left at level 0 has no rate to be fast by)
        ft = self._fast_time()
        if self.ij < self._oldest():
            self.ij = self._oldest()
        while self.ij + 1 < k_now and self.ht[self._h(self.ij + 1)] <= t - ft:
            self.ij += 1
        if self.jp_onset < 0.0:
            ref = self.hy[self._h(self.ij)]
            d = ref - self.h_level
            if abs(d) <= self._wide(self.h_level) or (y - ref) * d <= 0.0 or \
                    abs(y - ref) < self._step_thr(self.h_level):
                return
            self.jp_dir = 1 if d > 0.0 else -1
            self.jp_ref = ref
            # Dated where the fast part began (a slow sag before it belongs to the hold's drift).
            fr = self.hy[self._h(self._fast_start(k_now, self.jp_dir))]
            self.jp_onset = self._scan_departure(fr, DEPART * fr + DEPART_K * self.sig_f, k_now, self.jp_dir,
                                                 self._hold_floor())
            self.jp_far = t
            self.jp_fast = False
        if self.jp_dir * self.v > v_on:
            self.jp_fast = True
        if self.jp_dir * (y - self.jp_ref) <= 0.5 * self._step_thr(self.h_level):
            self.jp_onset = -1.0  # back, more than half way, to where it began
        elif t - self.jp_far > self.cfg.leave_time and self.jp_fast:
            self.mv_jump = self.jp_onset
            self.mv_jump_at = t

    def _fast_start(self, k_now: int, direction: int) -> int:
        """Back from tick ``k_now`` (not before the jump window's start) to where the force last
        moved in ``direction`` slower than ``step_rate`` of the level over a VEL_SPAN."""
        v_fast = self.cfg.step_rate * self.h_level
        k = k_now
        kb = k_now
        while k > self.ij:
            k -= 1
            while kb > k and self.ht[self._h(kb)] - self.ht[self._h(k)] > VEL_SPAN:
                kb -= 1
            dt = self.ht[self._h(kb)] - self.ht[self._h(k)]
            if dt > 0.5 * VEL_SPAN and direction * (self.hy[self._h(kb)] - self.hy[self._h(k)]) < v_fast * dt:
                break
        return k

    def _steady_for(self, t: float, dur: float) -> bool:
        """The force stayed near one level, a step away from the hold's, for the last ``dur`` s."""
        k, mid, steady = self._steady_back(self.n - 1, max(self._oldest(), self.win_from), t - dur)
        # Not that much history since the contact began (or a silence at the window's start): the
        # first tick inside lies further after its start than ticks lie apart. (One tick's length
        # was too strict below 1/tick Hz: a 9.96-Hz HX711's 3-s windows start between samples, the
        # first one inside 0.05 s later, and no slow step was ever judged steady.)
        if self.ht[self._h(k)] > t - dur + self._tick_gap():
            return False
        return steady and abs(mid - self.h_level) >= self._step_thr(self.h_level)

    def _steady_back(self, k: int, lo: int, t0: float) -> tuple[int, float, bool]:
        """The ticks from ``k`` back to ``t0`` (not before ``lo``): the first of them, their mid
        level, and whether they stayed within the steady band of it."""
        ymax = ymin = self.hy[self._h(k)]
        while k > lo and self.ht[self._h(k - 1)] >= t0:
            k -= 1
            yk = self.hy[self._h(k)]
            if yk > ymax:
                ymax = yk
            elif yk < ymin:
                ymin = yk
        mid = 0.5 * (ymax + ymin)
        return k, mid, 0.5 * (ymax - ymin) <= self._wide(mid)

    def _span(self, a: float, b: float, t_end: float) -> float:
        """How long the change from level ``a`` to ``b`` that ended by ``t_end`` took to go from 20 %
        to 80 % of the way: a measure of its duration that neither noise at its ends nor an
        overshoot can stretch (inf when it lies beyond the history). The crossings are those of the
        force averaged over VEL_MEAN (which trails it by half that): a tremor riding on a slow drift
        would otherwise date its 20 % crossing at the last trough and its 80 % one at the first
        peak, and make a drift at 3-5 %/s look like a step completed within 2 s."""
        d = b - a
        direction = 1 if d > 0 else -1
        d = abs(d)
        k = self.n - 1
        lo = max(self._oldest(), self.win_from)
        hm = self.hm
        k = self._last_at(k, lo, t_end + 0.5 * VEL_MEAN)
        k = self._back_below(k, lo, a, 0.8 * d, direction, hm)
        if k <= lo:
            return math.inf
        t80 = self._crossing(k, a, 0.8 * d, direction, hm)
        k = self._back_below(k, lo, a, 0.2 * d, direction, hm)
        if direction * (hm[self._h(k)] - a) >= 0.2 * d:
            return math.inf
        return t80 - self._crossing(k, a, 0.2 * d, direction, hm)

    def _back_below(self, k: int, lo: int, a: float, d: float, direction: int,
                    h: list[float] | None = None) -> int:
        """From tick ``k`` back to the latest tick (not before ``lo``) at which the force (or the
        history ``h``) had not yet gone ``d`` from ``a`` in ``direction``: the start of the crossing
        of ``d``."""
        if h is None:
            h = self.hy
        while k > lo and direction * (h[self._h(k)] - a) >= d:
            k -= 1
        return k

    def _ease_onset(self, a: float, b: float, floor: float) -> float:
        """Onset of a slow change from level ``a`` to ``b``: dated from ``a`` first, then again from
        the force's mean over the ``EASE_BASE`` before that estimate; each dated back by an
        ``EASE_BACK`` that the hand's wander before the first estimate (made with the whole of it,
        the earliest, so none of the ease lies in the wander's window) has shrunk."""
        t_from, t_to = self._ease_crossings(a, b)
        d = abs(b - a)
        # No ease accepted as a slow step spends this long between its 5 % and 25 % crossings (any
        # smooth one under half its 20-80 % span, at most SLOW_SPAN·slow_max): the force had come
        # part of the way before and rested there (a drift inside the old hold, seconds earlier),
        # and the ease began where the excursion did: dated from there (its base taken before it).
        rested = t_to - t_from > 0.5 * SLOW_SPAN * self.cfg.slow_step_limit
        first = self.sl_onset if rested else _ease_dated(t_from, t_to, EASE_BACK)
        w = self._wander(first, self.h_start) / (EASE_WANDER * d) if d > 0.0 else 0.0
        back = EASE_BACK / (1.0 + w * w)
        if back < EASE_BACK_MIN:
            back = EASE_BACK_MIN
        onset = first if rested else _ease_dated(t_from, t_to, back)
        # Dated again from the force's mean before the estimate; while that mean lies further beyond
        # the old level, away from the new one, than the last (the force came from a drift the other
        # way, and the ease began at its turn), again from the mean before the new estimate.
        direction = 1.0 if b > a else -1.0
        tol = DEPART * abs(a) + DEPART_K * self.sig_f
        prev = a
        for i in range(EASE_PASSES):
            base = self._ease_base(onset)
            if base is None or (b - base) * (b - a) <= 0.0:
                break
            onset = _ease_dated(*self._ease_crossings(base, b), back)
            if direction * (prev - base) <= tol:
                if i > 0:
                    break  # no further out: the walk back has reached the turn
                # From the old level's side: dated once again, as ever - unless the force had come
                # to it from beyond it, the EASE_BASE before (a fade the other way that the ease
                # turned from, back through the old level, where a wandering hand lingered a
                # moment): then dated from that mean, and the walk goes on from there.
                peek = self._ease_base(onset - EASE_BASE)
                if peek is None or direction * (a - peek) <= tol:
                    break
                onset = _ease_dated(*self._ease_crossings(peek, b), back)
                base = peek
            prev = base
        return onset if onset > floor else floor

    def _ease_base(self, onset: float) -> float | None:
        """The force's mean over the ``EASE_BASE`` before ``onset`` (None before the history)."""
        lo = max(self._oldest(), self.win_from)
        k = self.n - 1
        while k > lo and self.ht[self._h(k)] >= onset:
            k -= 1
        kb = k + 1
        k = self._back_to(k, lo, onset - EASE_BASE)
        if kb > k and self.ht[self._h(k)] < onset:  # (an onset before the history has no base there)
            return self._mean_ticks(k, kb)
        return None

    def _wander(self, t_end: float, t_first: float) -> float:
        """The hand's wander (N) before ``t_end``: the median change between consecutive
        ``EASE_WANDER_SPAN`` means over the ``EASE_WANDER_TIME`` before it, none before ``t_first``
        nor the history; 0 where fewer than two means fit."""
        lo = max(self._oldest() + 1 if self.n > self.cap else 0, self.win_from)  # a mean needs the sum before
        b = self._back_to(self.n - 1, lo, t_end)
        k = b
        prev = 0.0
        diffs: list[float] = []
        for j in range(1, int(EASE_WANDER_TIME / EASE_WANDER_SPAN + 0.5) + 1):
            edge = t_end - j * EASE_WANDER_SPAN
            if edge < t_first:
                break
            k = self._back_to(k, lo, edge)
            if k >= b or self.ht[self._h(k)] - edge > 0.5 * EASE_WANDER_SPAN:
                break  # the history ends inside this span
            m = self._mean_ticks(k, b)
            if j > 1:
                diffs.append(abs(m - prev))
            prev = m
            b = k
        if not diffs:
            return 0.0
        diffs.sort()
        h = len(diffs) // 2
        return diffs[h] if len(diffs) % 2 else 0.5 * (diffs[h - 1] + diffs[h])

    def _ease_fit(self, onset: float, start: float, t: float, direction: float) -> float:
        """A slow ease's onset held near the ramp of a flat-ramp-flat line fitted to the filtered
        force (``EASE_FIT_*`` above): within ``EASE_FIT_EARLY`` of the ramp's length before its start
        and ``EASE_FIT_LATE`` after it, less the filter's lag (2·tau). ``onset`` as it is where there
        is too little to fit, or the fitted ramp goes the other way."""
        lo_t = onset - EASE_FIT_BACK
        if lo_t < self.h_start:
            lo_t = self.h_start
        hi_t = start + EASE_FIT_AFTER
        if hi_t > t:
            hi_t = t
        lo = self._oldest()
        k_hi = self._last_at(self.n - 1, lo, hi_t)
        k = self._back_to(k_hi, lo, lo_t)
        m = k_hi - k + 1
        if start - lo_t < 2.0 * EASE_FIT_MIN or hi_t - lo_t < 2.0 or m < 20:
            return onset
        # Prefix sums over the window's ticks (weights w, time x about now, force y).
        xs = [0.0] * m
        p1 = [0.0] * (m + 1)
        px = [0.0] * (m + 1)
        pxx = [0.0] * (m + 1)
        py = [0.0] * (m + 1)
        pxy = [0.0] * (m + 1)
        for i in range(m):
            j = self._h(k + i)
            w = self.hw[j]
            x = self.ht[j] - t
            y = self.hy[j]
            xs[i] = x
            p1[i + 1] = p1[i] + w
            px[i + 1] = px[i] + w * x
            pxx[i + 1] = pxx[i] + w * x * x
            py[i + 1] = py[i] + w * y
            pxy[i + 1] = pxy[i] + w * x * y
        a0 = lo_t - t
        n0 = 0
        while a0 + EASE_FIT_GRID * n0 < start - t:
            n0 += 1
        n1 = 0
        while a0 + EASE_FIT_GRID * n1 < hi_t - t:
            n1 += 1
        if n1 > self.cap:  # (a tick longer than the grid's step: no more points than ticks)
            n1 = self.cap
        # Where each grid time falls among the ticks, once: the first tick at or past it, and the
        # first past it.
        ga = [bisect.bisect_left(xs, a0 + EASE_FIT_GRID * g) for g in range(n1)]
        gb = [bisect.bisect_right(xs, a0 + EASE_FIT_GRID * g) for g in range(n1)]
        best = -math.inf
        b0 = b1 = 0.0
        jmin = round(EASE_FIT_MIN / EASE_FIT_GRID)
        for i in range(n0):
            t0 = a0 + EASE_FIT_GRID * i
            for j in range(i + jmin, n1):
                t1 = a0 + EASE_FIT_GRID * j
                sc = _ramp_fit(p1, px, pxx, py, pxy, m, ga[i], gb[j], t0, t1, direction)
                if sc > best:
                    best = sc
                    b0 = t0
                    b1 = t1
        if best == -math.inf:
            return onset
        c0 = b0
        c1 = b1
        for i in range(10):
            t0 = c0 + EASE_FIT_FINE * (i - 5)
            for j in range(10):
                t1 = c1 + EASE_FIT_FINE * (j - 5)
                if t1 - t0 < EASE_FIT_MIN - 1e-9:
                    continue
                ia = bisect.bisect_left(xs, t0)
                ib = bisect.bisect_right(xs, t1)
                sc = _ramp_fit(p1, px, pxx, py, pxy, m, ia, ib, t0, t1, direction)
                if sc > best:
                    best = sc
                    b0 = t0
                    b1 = t1
        r0 = t + b0 - 2.0 * self.tau
        span = b1 - b0
        if onset < r0 - EASE_FIT_EARLY * span:
            return r0 - EASE_FIT_EARLY * span
        if onset > r0 + EASE_FIT_LATE * span:
            return r0 + EASE_FIT_LATE * span
        return onset

    def _ease_crossings(self, a: float, b: float) -> tuple[float, float]:
        """Where a slow change from ``a`` to ``b`` last passed ``EASE_FROM`` and ``EASE_TO`` of the
        way before its midpoint, on the ``VEL_MEAN`` average (a fixed noise tolerance would sit in
        wander, far up a slow ease's smooth start): the ease is dated from these (``_ease_dated``)."""
        d = b - a
        direction = 1 if d > 0 else -1
        d = abs(d)
        lo = max(self._oldest(), self.win_from)
        hm = self.hm
        k = self._back_below(self.n - 1, lo, a, 0.5 * d, direction, hm)
        k = self._back_below(k, lo, a, EASE_TO * d, direction, hm)
        t_to = self._crossing(k, a, EASE_TO * d, direction, hm)
        k = self._back_below(k, lo, a, EASE_FROM * d, direction, hm)
        return self._crossing(k, a, EASE_FROM * d, direction, hm), t_to

    def _window_after(self, t0: float) -> bool:
        """The steadiness window lies entirely after ``t0`` (it excludes the transition)."""
        lo = max(self._oldest(), self.win_from)
        return self.ht[self._h(self.iw if self.iw > lo else lo)] >= t0

    def _step(self, t: float, k_now: int, slow: bool) -> None:
        start = self.cd_start
        level = self.cd_level
        ok, mid = self._steady_window(t)
        if ok and abs(mid - level) <= self._wide(level):
            # Measured again now, the level is the settled one: an ease's slow tail and an
            # arrival's overshoot are behind us.
            start, level = self._settle(mid, self.mv_onset)
        ref = self.mv_base if slow else self.mv_ref
        direction = 1 if level > ref else -1
        if slow:
            onset = self._ease_onset(ref, level, self._hold_floor())
        else:
            tol = DEPART * ref + DEPART_K * self.sig_f
            # (a light hand's step on a noisy sensor may be under 5 tolerances: see _departure)
            onset = self._scan_departure(ref, tol, k_now, direction, self._hold_floor(), abs(level - ref))
            onset = self._lead_in(onset, k_now, direction, start - self.cfg.step_max_duration)
        latest = t - self.cfg.min_hold
        if onset > latest:
            # The new hold's steady window (the min_hold before now) began before the onset found:
            # the scan back met the force passing near the old level inside it (a stroke's swing).
            # The change began where the excursion did, and before the hold it led to.
            onset = self.mv_onset if self.mv_onset < latest else latest
        settled = start
        if slow and ok:
            # A slow ease's tail lies within ARRIVAL of the new level for seconds: the settled level
            # is the one held steady over the slow_step_hold just confirmed (after its close
            # arrival), and the hold began where the force came within the hold band of that.
            level = self._mean_since(t - self.cfg.slow_step_hold)
        start = self._hold_start(level, onset, k_now)
        if slow:
            # The crossings' dating held near the fitted ramp (noise moves them; the fit uses all).
            fitted = self._ease_fit(onset, start, t, float(direction))
            floor = self._hold_floor()
            if fitted < floor:
                fitted = floor
            if fitted > latest:
                fitted = latest
            if start > fitted >= t - self.hist_s:  # (a ramp reaching back past the history: as dated)
                onset = fitted
        # (Held back by a brisk slow excursion that became a slow step: the ease's exits are told,
        # unless its level was reached as briskly as a fast step's - a change completed within
        # step_max_duration that the fast test missed on its tail - whose exits are dropped.)
        self._flush_held(math.inf if slow and not self.mv_fast and not self._brisk_level() else onset)
        if slow and self.b_told != B_IN:
            # The band follows the new barrier: the alert raised while easing onto it is over.
            self._emit("band_enter", start if start > self.b_exit_t else self.b_exit_t, None, level)
        self._end_hold(onset, "step")
        self._emit("step", onset, "up" if direction > 0 else "down", level)
        self._begin_hold(t, start, level, settled)

    def _lead_in(self, onset: float, k_now: int, direction: int, lim: float) -> float:
        """A fast step's onset, taken back over its lead-in: the reference the fast part departs from
        follows a slower first movement the same way (a hand that eases off first, or stalls on its
        way), but the change began where the force left the level it held before. That level is the
        mean over the ``min_hold`` before ``lim``, so that the change, lead-in and all, lies within
        ``step_max_duration`` of its arrival; a one-quantum jump is no lead-in."""
        floor = self._hold_floor()
        if lim < floor:
            lim = floor
        k = k_now
        lo = max(self._oldest() + 1 if self.n > self.cap else 0, self.win_from)  # a mean needs the sum before
        k = self._last_at(k, lo, lim)
        ka = k
        while ka > lo and self.ht[self._h(ka - 1)] >= lim - self.cfg.min_hold:
            ka -= 1
        if k <= lo or self.ht[self._h(ka)] > lim - 0.5 * self.cfg.min_hold:
            return onset  # not that much history before: nothing to compare with
        ref = self._mean_ticks(ka, k + 1)
        tol = DEPART * ref + DEPART_K * self.sig_f + self._q()
        while ka <= k:
            if abs(self.hy[self._h(ka)] - ref) > tol:
                return onset  # the force was not lying at one level then (wander, a movement)
            ka += 1
        k = self._last_at(k_now, lo, onset)
        dev = self.hy[self._h(k)] - ref
        if abs(dev) <= tol:
            return onset  # the force still lay at that level when the fast part began: no lead-in
        # A lead-in the same way, or a counter-movement (a dip before a push): where it left.
        return self._scan_departure(ref, tol, k, 1 if dev > 0 else -1, lim)

    def _leave(self, t: float, k_end: int = -1, onset: float | None = None,
               at_it: bool | None = None) -> None:
        """The force left the hold fast and neither came back nor stepped: the hold ends there (a
        new one begins at the candidate it settled at, if any, as it was at tick ``k_end``). The
        departure's ``onset`` is the movement's unless given, and the force is at the candidate
        unless it is out of its band now (``at_it``, when not given)."""
        if onset is None:
            onset = self._left_at()
        if at_it is None:
            at_it = self.cd_out < 0.0
        start = self.cd_start
        level = self.cd_level
        onset = self._end_hold(onset, "left")
        # The steadiness window restarts at the departure, so a new hold lies wholly after it.
        self.win_from = self._back_to(self.n - 1, max(self._oldest(), self.win_from), onset)
        # (No hold begun at a level the force has left; nor one the departure leaves under min_hold
        # before now - a departure dated at a later fast move than the candidate's start: the
        # contact goes on, and a hold after the departure is found as any is.)
        if start >= 0.0 and at_it and onset <= t - self.cfg.min_hold:
            self._begin_hold(t, self._hold_start(level, onset, k_end), level, start)

    def _resume(self, t: float, y: float, drifting: bool) -> None:
        self.sub = STEADY
        if self.h_lv_cut:
            self._level_behind(t)
        self.ref = y
        self.drifting = drifting
        if drifting:
            self.dr_level = self._mean_ticks(self.ih1, self.n)
        self.cd_start = -1.0
        self._flush_held(math.inf)
        self._band(t, y)

    def _drop_onset(self, k_now: int, floor: float, level: float) -> float:
        """Onset of the fall that ends at tick ``k_now``: back from it to the last peak, or to where
        the force was falling slower than ``step_rate`` of ``level`` (a fade before the hand let
        go belongs to the hold), never before ``floor``; then dated as any departure is."""
        k = k_now
        lo = max(self._oldest(), self.win_from)
        # Past the low tail first (a 15 % release is known only after a second down there): all of
        # it below release_level of the level, which is rest, whatever it does there - a strap's
        # shelf on the way down, a V to zero and a hump of a resting hand are no pressure the hand
        # held, and the drop that took it off began above them.
        tail = self.hy[self._h(k_now)] + DEPART * level + DEPART_K * self.sig_f
        if tail < self.cfg.release_level * level:
            tail = self.cfg.release_level * level
        while k > lo and self.ht[self._h(k - 1)] >= floor and self.hy[self._h(k - 1)] <= tail:
            k -= 1
        kb = k
        m = self.hy[self._h(k)]
        v_fast = self.cfg.step_rate * level
        while k > lo and self.ht[self._h(k - 1)] >= floor:
            k -= 1
            yk = self.hy[self._h(k)]
            if yk > m:
                m = yk
            elif yk < m - (DEPART * m + DEPART_K * self.sig_f):
                break
            while kb > k and self.ht[self._h(kb)] - self.ht[self._h(k)] > VEL_SPAN:
                kb -= 1
            dt = self.ht[self._h(kb)] - self.ht[self._h(k)]
            if dt > 0.5 * VEL_SPAN and yk - self.hy[self._h(kb)] < v_fast * dt:
                break
        return self._scan_departure(m, DEPART * m + DEPART_K * self.sig_f, k_now, -1, floor)

    def _release(self, t: float, k_now: int) -> None:
        c = self.cfg
        floor = self._hold_floor()
        if self.sub == STEADY:
            tol = DEPART * self.ref + DEPART_K * self.sig_f
            onset = self._scan_departure(self.ref, tol, k_now, -1, floor)
            level = self.ref
        else:
            level = self.mv_ref
            onset = self._scan_departure(self.mv_ref, self.mv_tol, k_now, -1, floor)
            drop = self._drop_onset(k_now, onset, self.h_level)
            # Where it left, if it did (the excursion's own onset at the earliest where the fall
            # began before it).
            went = self._went_fast_by(drop)
            left_at = self._left_at(drop, min(onset, self.mv_onset))
            k_drop = self._settled_before(drop) if self.mv_fast and self._left_fast_by(drop) else -1
            if k_drop >= 0:
                # It left fast and had settled into a new hold, min_hold long and a step away, when
                # the let-go came (a slow change's candidate waits slow_step_hold to be judged a
                # step): the old hold ended at the departure, as where no step leads, and the new
                # one is what was released.
                # (At the candidate until the let-go itself; the departure dated as a release's
                # `left` is - but not as the let-go's own going out of the band, the latest time
                # away where the force had come back before: the departure came before the new
                # hold, which would begin there, shorter than min_hold. Then the excursion's.)
                if left_at >= drop:
                    left_at = min(onset, self.mv_onset)
                self._leave(t, k_drop, left_at, True)
                if self.st != HOLD:  # (no room for the new hold after the departure)
                    self._release_after_leave(k_now)
                    return
                onset = self._drop_onset(k_now, self._hold_floor(), self.h_level)
                onset = self._end_hold(onset, "release")
                self._emit("release", onset, None, self.h_level)
                self._after_release()
                return
            if not (self.mv_fast and self._left_fast_by(drop)):
                onset = drop  # a slow drift belonged to the hold: it ends where the fall began
            elif (self.mv_far_up if went else self.jp_dir > 0) or drop - left_at > c.leave_time:
                # The force had left the hold before it was taken off: two ends, not one (the
                # departure dated from the excursion's start: pumping passes the level often). A
                # burst above the level left it however soon the let-go came (it neither came back
                # nor settled); a fall that the let-go went on with is the release itself unless it
                # had stayed away longer than leave_time.
                end = self._end_hold(left_at, "left")
                self._emit("release", drop if drop > end else end, None, self.last_level)
                self._after_release()
                return
        onset = self._end_hold(onset, "release")
        self._emit("release", onset, None, level)
        self._after_release()

    def _settled_before(self, drop: float) -> int:
        """In relative mode, the tick just before ``drop`` if the force had lain within the hold band
        of a new level (the candidate), a step from the hold's, for the ``min_hold`` before it; else -1."""
        if self.has_target or self.cd_start < 0.0 or \
                abs(self.cd_level - self.h_level) < self._step_thr(self.h_level):
            return -1
        k = self._last_at(self.n - 1, self._oldest(), drop)
        if self._band_start(self.cd_level, self.mv_onset, k) > drop - self.cfg.min_hold:
            return -1
        return k

    def _after_release(self) -> None:
        k = self.n - 1
        y = self.hy[self._h(k)]
        self.held = False
        self.st = IDLE
        # Light contact left: the next contact must rise a threshold above the resting force (the
        # lowest seen from now on; a force still falling to zero soon resets it).
        self.rest = y if y >= self.c_off else 0.0
        self.let_go = False
        self._restart_window()
        # ... unless the force comes to rest a contact hysteresis above that lowest force, below
        # release_level of the hold's level (a strap or a limb settling back onto the gauge after the
        # let-go bounced off zero): then that rest. Until it has come to rest (stayed within
        # _rest_span for release_time) a rise below release_level starts no contact; a rise past
        # it ends the search, and the lowest force seen is the rest, as without it. Steady since
        # when is read back from the history, not from now: a release told late (the 15 % rule
        # waits release_time) was at rest already, and the next press may be near.
        self.rs_lim = self.cfg.release_level * self.last_level
        self.rs_on = self.rs_lim > 0.0
        self.rs_base = self.rest
        self.rs_fell = False
        lo = self._oldest()
        span = self._rest_span()
        self.rs_lo = self.rs_hi = y
        while k > lo:
            yk = self.hy[self._h(k - 1)]
            if (yk if yk > self.rs_hi else self.rs_hi) - (yk if yk < self.rs_lo else self.rs_lo) > span:
                break
            k -= 1
            self.rs_lo = min(self.rs_lo, yk)
            self.rs_hi = max(self.rs_hi, yk)
        self.rs_t = self.ht[self._h(k)]
        if self.rs_on:
            self._find_rest(self.ht[self._h(self.n - 1)], y)

    def _lower_rest(self, rest: float, y: float) -> float:
        """A resting force after ``y``: the lowest seen, none (0) once under the hysteresis."""
        if rest <= 0.0:
            return rest
        if y < self.c_off:
            return 0.0
        return y if y < rest else rest

    def _rest_span(self) -> float:
        """Widest a resting force moves over ``release_time`` (N): half a contact threshold, and
        its noise and a coarse sensor's quantum either way."""
        return 0.5 * self.c_on + 2.0 * (NOISE_K * self._sig_n() + WIDE_QUANTA * self._q())

    def _find_rest(self, t: float, y: float) -> None:
        """One tick of the search for where the force comes to rest after a release (see
        _after_release): ends with ``rs_on`` False and ``rest`` set."""
        # The rest as it would be without the search: what a press that ends it is judged from.
        self.rs_base = self._lower_rest(self.rs_base, y)
        if y > self.rs_lim:
            if self.rs_fell or y > self.rs_lo + self.c_on:
                # It rose past light contact, or rose again before it got down there: a press.
                self.rs_on = False
                self.rs_lim = 0.0
                self.rest = self.rs_base
                return
            # Still falling (a release may be told before its fall has ended): no rest yet.
            if y < self.rs_lo:
                self.rs_lo = y
            self.rs_hi = y
            self.rs_t = t
            return
        self.rs_fell = True
        if y < self.rs_lo:
            self.rs_lo = y
        if y > self.rs_hi:
            self.rs_hi = y
        if self.rs_hi - self.rs_lo > self._rest_span():
            self.rs_t = t  # still settling: steady from here at the earliest
            self.rs_lo = self.rs_hi = y
        elif t - self.rs_t >= self.cfg.release_time:
            # At rest. Where it rests, if that lies a hysteresis above the lowest force since (it
            # bounced off zero, or dipped and came back); else as without the search.
            self.rs_on = False
            if self.rs_lo >= self.c_off and self.rs_lo - self.rs_base > self.c_off:
                self.rest = self.rs_lo
            else:
                self.rest = self.rs_base
            self.rs_at = self.rest

    def _band(self, t: float, y: float, steady: bool = False) -> None:
        """Watch the band (``steady``: from a hold's steady tick, where a change may begin)."""
        c = self.cfg
        centre = self.target if self.has_target else self.h_level
        half = c.tolerance * centre
        margin = BAND_K * self.sig_f
        if margin > 0.5 * half:
            margin = 0.5 * half
        tj = t  # the moment the judged force stands for
        if y > centre + half + margin:
            cand = B_HIGH
        elif y < centre - half - margin:
            cand = B_LOW
        else:
            cand = self.b_state  # near the edge: no evidence of a change
        if self.b_state != B_IN:
            # Back inside is judged on the force averaged over VEL_MEAN (tremor out), which stands
            # for the middle of that window: inside the edge itself by that mean's own noise and the
            # quantum's bound (a coarse reading is within half a quantum of the force), not by a
            # fixed share of the band. A tremor peak past the edge does not interrupt it.
            m = self.hm[self._h(self.n - 1)]
            if abs(m - centre) <= half - BAND_K * self._mean_noise(VEL_MEAN) - WIDE_QUANTA * self._q():
                cand = B_IN
                tj = t - 0.5 * VEL_MEAN
        if cand != self.b_cand:
            self.b_cand = cand
            self.b_since = tj
        need = c.band_enter_debounce if cand == B_IN else c.alert_debounce
        if cand != self.b_state and tj - self.b_since >= need:
            if cand == B_IN:
                self._band_event("band_enter", self.b_since, None, centre, self.b_since)
            else:
                onset = self.b_since
                from_in = self.b_state == B_IN
                if not from_in:  # high → low without passing through the band
                    self._band_event("band_enter", self.b_since, None, centre, self.b_since)
                else:
                    onset = self._exit_onset(centre + half if cand == B_HIGH else centre - half,
                                             1.0 if cand == B_HIGH else -1.0)
                # Where the rate cannot tell a step from drift (its jitter floor above the drift
                # limit: a light hold on a noisy sensor), the crossing can: the force went from half
                # the band out to its edge faster than drift can.
                # (Not about a level of 0 or less: a stream of garbage can leave one, and the
                # crossing's time is measured against a rate of that level.)
                v_floor = self._v_floor()
                brisk = self.h_level > 0.0 and v_floor > DRIFT_MAX * self.h_level and \
                    self._crossed_briskly(centre, half, 1.0 if cand == B_HIGH else -1.0, onset)
                if brisk and steady and not self.drifting and not self.has_target:
                    # ... and there the band, by its edge and one noise unit, sees the force leave
                    # before the hold's own tests (widened by that noise) do: a change begins now.
                    self._excursion(t, self.n - 1, False, 1 if cand == B_HIGH else -1, self.h_level)
                    self._cut_level()
                # A drift out of the band is told where its trend crossed the edge (the decisions
                # here stand on the averaged force's own crossing, ``onset``).
                told = self._trend_onset(centre + half if cand == B_HIGH else centre - half,
                                         1.0 if cand == B_HIGH else -1.0, onset, t) if from_in else onset
                if self.sub == MOVING and not self.mv_fast and not self.b_brisk and \
                        t - self.sl_onset <= c.step_max_duration + RATE_LAG and \
                        (brisk or (self.mv_vpk >= DRIFT_MAX * self.h_level and
                                   (self.mv_vpk >= v_floor or t - self.bk_t <= BRISK_SPAN))):
                    # A slow excursion that moved faster than drift may be a fast step the averaged
                    # (lagging) rate test has not seen: its band events are held back like a fast
                    # one's, told (dated as ever) as soon as it can no longer be such a step.
                    self.b_brisk = True
                    tb = self.b_since
                    self.b_since = onset
                    self._band_event("band_exit", tb, "high" if cand == B_HIGH else "low", centre, told)
                elif self.sub == MOVING and self.mv_fast:
                    # Held back: whether it belongs to the hold is judged by when the force itself
                    # went out (the centred average leads a fast drop, whose own exit is dropped);
                    # if it does (drift), it is told where its trend crossed.
                    self._band_event("band_exit", self.b_since, "high" if cand == B_HIGH else "low", centre,
                                     told)
                else:
                    self.b_since = onset
                    self._band_event("band_exit", onset, "high" if cand == B_HIGH else "low", centre, told)
                self.b_exit_t = self.b_since
            self.b_state = cand
            self.b_floor = self.b_since

    def _crossed_briskly(self, centre: float, half: float, sgn: float, onset: float) -> bool:
        """The force averaged over EXIT_MEAN went from half the band out to its edge (at ``onset``)
        faster than drift can."""
        t_half = self._exit_onset(centre + sgn * 0.5 * half, sgn)
        return onset - t_half < 0.5 * half / (DRIFT_MAX * self.h_level)

    def _exit_onset(self, edge: float, sgn: float) -> float:
        """Where an exit past ``edge`` (``sgn`` +1 high, -1 low) began: the last moment the force
        averaged over EXIT_MEAN around it crossed the edge, back from the latest moment whose window
        is complete; ``b_since`` if that average is not outside (a peak, no drift), never before
        ``b_floor``."""
        t_end = self.ht[self._h(self.n - 1)]
        lo = self._oldest() + 1 if self.n > self.cap else 0  # a mean needs the running sum before it
        hw = 0.5 * EXIT_MEAN
        kc = self.n - 1
        while kc > lo and self.ht[self._h(kc)] > t_end - hw:
            kc -= 1
        kb = self.n - 1  # last tick of the window around kc
        ka = kc  # first tick of the window around kc
        while ka > lo and self.ht[self._h(ka - 1)] >= self.ht[self._h(kc)] - hw:
            ka -= 1
        m = self._mean_ticks(ka, kb + 1)
        if sgn * (m - edge) <= 0.0:
            return self.b_since
        t_after = self.ht[self._h(kc)]
        m_after = m
        while kc > lo and self.ht[self._h(kc - 1)] >= self.b_floor:
            kc -= 1
            tc = self.ht[self._h(kc)]
            while kb > kc and self.ht[self._h(kb)] > tc + hw:
                kb -= 1
            while ka > lo and self.ht[self._h(ka - 1)] >= tc - hw:
                ka -= 1
            m = self._mean_ticks(ka, kb + 1)
            if sgn * (m - edge) <= 0.0:
                # Between this tick and the next: where the average met the edge.
                tx = tc + (edge - m) / (m_after - m) * (t_after - tc)
                return tx if tx < self.b_since else self.b_since
            t_after = tc
            m_after = m
        return t_after if t_after < self.b_since else self.b_since

    def _trend_onset(self, edge: float, sgn: float, onset: float, t: float) -> float:
        """Where a drift out past ``edge`` (``sgn`` +1 high, -1 low) crossed it: the line fitted
        (time-weighted least squares) to the filtered force over the ``TREND_SPAN`` before ``t``,
        never before ``b_floor``, met the edge, less the filter's lag on a ramp (2·tau). ``onset``
        where that line does not leave the band as a drift does (it points back in, or moves faster
        than drift), the span is less than half there, or the crossing lies outside [the span's start
        less its length, ``t``]."""
        lo_t = t - TREND_SPAN
        if lo_t < self.b_floor:
            lo_t = self.b_floor
        if t - lo_t < 0.5 * TREND_SPAN:
            return onset
        lo = self._oldest()
        k = self.n - 1
        sw = sx = sy = sxx = sxy = 0.0
        while k >= lo and self.ht[self._h(k)] >= lo_t:
            j = self._h(k)
            w = self.hw[j]
            x = self.ht[j] - t  # about now: a clock at 90,000 s keeps its precision
            sw += w
            sx += w * x
            sy += w * self.hy[j]
            sxx += w * x * x
            sxy += w * x * self.hy[j]
            k -= 1
        den = sw * sxx - sx * sx
        if sw <= 0.0 or den <= 0.0:
            return onset
        b = (sw * sxy - sx * sy) / den
        if sgn * b <= 0.0 or sgn * b > DRIFT_MAX * self.h_level:
            return onset
        a = (sy - b * sx) / sw
        tx = t + (edge - a) / b - 2.0 * self.tau
        if tx > t or tx < lo_t - (t - lo_t) or tx < self.b_floor:
            return onset
        return tx

    def _emit(self, kind: str, t: float, direction: str | None, level: float | None) -> None:
        self._events.append(Event(kind, t, self.t_now, direction, level))

    def _band_event(self, kind: str, t: float, direction: str | None, level: float, told: float) -> None:
        if self.sub == MOVING and (self.mv_fast or self.b_brisk):
            if len(self.b_held) < BAND_HELD:
                self.b_held.append((kind, t, direction, level, told))
        else:
            self._tell_band(kind, told, direction, level)

    def _tell_band(self, kind: str, t: float, direction: str | None, level: float) -> None:
        self._emit(kind, t, direction, level)
        if t > self.b_last:
            self.b_last = t
        self.b_told = B_IN if kind == "band_enter" else (B_HIGH if direction == "high" else B_LOW)
