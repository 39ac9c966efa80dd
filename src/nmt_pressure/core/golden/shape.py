"""Tests of a stretch of force: steady, flat by thirds, turning, brisk; a change's 20-80 % span."""

from __future__ import annotations

import math

from nmt_pressure.core.golden.constants import (
    ARRIVAL_K,
    BRISK_SPAN,
    DRIFT_MAX,
    FLAT,
    NOISE_K,
    SPAN_20_80,
    TURN_PEAK,
    VEL_MEAN,
    VEL_SPAN,
)
from nmt_pressure.core.golden.holds import Holds


class Shape(Holds):
    """Shape tests over a window of ticks, shared by contact, steps and releases."""

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

    def _steady_for(self, t: float, dur: float, k_end: int = -1) -> bool:
        """The force stayed near one level, a step away from the hold's, for the last ``dur`` s (up
        to tick ``k_end``, at ``t``, if given: the newest by default)."""
        k = self.n - 1 if k_end < 0 else k_end
        k, mid, steady = self._steady_back(k, max(self._oldest(), self.win_from), t - dur)
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

    def _flat(self, t: float, waver: float = 0.0) -> bool:
        """The last ``min_hold`` is flat: its two halves agree, as they do for a hand resting on a
        level and not for one still easing towards it or turning back from a peak (``waver``, if
        given: within FLAT widened by that waver, for a slow step's new level: failure modes 59
        and 61)."""
        half = 0.5 * self.cfg.min_hold
        mid = self._mean_ticks(self.ih1, self.n)
        flat = self._wavered(FLAT, self.cfg.min_hold, waver) if waver > 0.0 else FLAT
        # ... and it is not moving now (a turn has just begun): the rate that would shift the
        # halves by that much, plus the hand's jitter and the noise of the rate.
        v_flat = flat * mid / half + self._v_floor()
        tol = flat * mid + ARRIVAL_K * self.sig_f
        if not (abs(mid - self._mean_ticks(self.ih2, self.ih1)) <= tol and abs(self.v) <= v_flat):
            return False
        # ... and no third of it stands apart: a drift's turn looks flat by halves at its peak.
        m0, m1, m2 = self._last_thirds()
        hi = m0 if m0 > m1 else m1
        lo = m0 if m0 < m1 else m1
        return (m2 if m2 > hi else hi) - (m2 if m2 < lo else lo) <= tol

    def _wavered(self, frac: float, dur: float, waver: float) -> float:
        """A flatness tolerance ``frac`` (of the level) over a ``dur``-s window, widened in
        quadrature by a ``waver`` (of the level: the spread of slow_step_hold's thirds, as ``wv``
        learns it on steady holds; a longer window's thirds average that much more of it out:
        failure mode 59)."""
        w = waver
        hold = self.cfg.slow_step_hold
        if dur > hold:
            w *= hold / dur
        return math.sqrt(frac * frac + w * w)

    def _last_thirds(self) -> tuple[float, float, float]:
        """The means of the last ``min_hold``'s thirds, oldest first (from the running pointers)."""
        return (self._mean_ticks(self.ih2, self.it2), self._mean_ticks(self.it2, self.it1),
                self._mean_ticks(self.it1, self.n))

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

    def _flat_thirds(self, t: float, dur: float, direction: int, flat_frac: float = FLAT,
                     k_end: int = -1) -> bool:
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
        a drift turning back on a light hold passed as a slow step. (Up to tick ``k_end``, at ``t``,
        if given: the newest by default.)"""
        third = dur / 3.0
        lo = max(self._oldest(), self.win_from)
        k = self.n - 1 if k_end < 0 else k_end
        b = k + 1
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
        noise = self._means_apart(third)
        tol = math.sqrt(flat * flat + noise * noise)
        if m_hi - m_lo > tol:
            return False
        a = direction * m  # the oldest third, then the middle and the newest, signed outwards
        c = direction * m_mid
        e = direction * m_new
        return not (c > a and c > e and c - 0.5 * (a + e) > TURN_PEAK * tol)  # no peak: out and back

    def _rested_before(self, t_end: float) -> bool:
        """The ``min_hold`` before ``t_end`` was a rest (``_rest_level``; failure mode 43)."""
        half = 0.5 * self.cfg.min_hold
        lo = self._mean_lo()
        kb = self._back_to(self.n - 1, lo, t_end)
        km = self._back_to(kb, lo, t_end - half)
        ka = self._back_to(km, lo, t_end - 2.0 * half)
        return not math.isnan(self._rest_level(ka, km, kb, lo))

    def _rest_level(self, ka: int, km: int, kb: int, lo: int) -> float:
        """The level of a rest over ticks ``ka .. kb-1`` (a ``min_hold``, its halves split at
        ``km``), the mean of its later half; NaN if it was none: it is flat, its two halves' means
        agreeing within ``FLAT`` of the level (plus noise) as ``_flat`` judges the last one (a
        1.3 %/s change or faster is not), and near one level all the while."""
        if ka <= lo or km >= kb or ka >= km:
            return math.nan  # not that much history: nothing to judge by
        m1 = self._mean_ticks(km, kb)
        if abs(m1 - self._mean_ticks(ka, km)) > FLAT * m1 + ARRIVAL_K * self.sig_f:
            return math.nan
        # ... and the force, averaged over VEL_MEAN, lay near that level all the while: a rest is
        # min_hold on one level. An ease that pauses for less on its way is still easing: its halves
        # (its tail and the pause) can agree within FLAT, its tail a percent and more below the pause.
        tol = FLAT * m1 + NOISE_K * self._mean_noise(VEL_MEAN) + self._q()
        hm = self.hm
        for k in range(ka, kb):
            if abs(hm[self._h(k)] - m1) > tol:
                return math.nan
        return m1

    def _from_hold(self, level: float) -> bool:
        """A new level is a step from the hold's own, if the change is judged from where a rested
        slow excursion, or a drift, had taken the force: a change from one hold to another (a drift
        out and a push or an ease back to the level is none)."""
        return (not self.mv_rested and self.mv_base == self.h_level) or \
            abs(level - self.h_level) >= self._step_thr(self.h_level)

    def _brisk_move(self) -> bool:
        """The force averaged over VEL_MEAN has moved over the last BRISK_SPAN by more than drift
        at DRIFT_MAX can, the difference of two such means' noise (NOISE_K sigmas) and a quantum
        aside: a change faster than drift, whatever the rate's jitter floor."""
        d = abs(self.hm[self._h(self.n - 1)] - self.hm[self._h(self.ib)])
        return d > DRIFT_MAX * self.h_level * BRISK_SPAN + \
            NOISE_K * 1.4142135623730951 * self._mean_noise(VEL_MEAN) + self._q()

    def _brisk_level(self) -> bool:
        """The candidate's level was reached as briskly as a fast step's: its change's 20-80 % span,
        once measured, within ``SPAN_20_80·step_max_duration``."""
        return 0.0 <= self.cd_span <= SPAN_20_80 * self.cfg.step_max_duration

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
