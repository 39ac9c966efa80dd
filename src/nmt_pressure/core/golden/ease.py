"""A slow step's onset: where an ease onto a new barrier began, dated through the hand's wander."""

from __future__ import annotations

import bisect
import math

from nmt_pressure.core.golden.constants import (
    DEPART,
    DEPART_K,
    EASE_BACK,
    EASE_BACK_MIN,
    EASE_BASE,
    EASE_FIT_AFTER,
    EASE_FIT_BACK,
    EASE_FIT_EARLY,
    EASE_FIT_FINE,
    EASE_FIT_GRID,
    EASE_FIT_LATE,
    EASE_FIT_MIN,
    EASE_FROM,
    EASE_PASSES,
    EASE_TO,
    EASE_WANDER,
    EASE_WANDER_SPAN,
    EASE_WANDER_TIME,
    LEAD_SHARE,
    SLOW_SPAN,
    VEL_MEAN,
)
from nmt_pressure.core.golden.shape import Shape


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


class Ease(Shape):
    """Dating a slow step (an ease over 2-8 s) and the lead-in of a fast one."""

    def _ease_onset(self, a: float, b: float, floor: float, k_end: int = -1) -> float:
        """Onset of a slow change from level ``a`` to ``b``: dated from ``a`` first, then again from
        the force's mean over the ``EASE_BASE`` before that estimate; each dated back by an
        ``EASE_BACK`` that the hand's wander before the first estimate (made with the whole of it,
        the earliest, so none of the ease lies in the wander's window) has shrunk. (The change
        looked for back from tick ``k_end`` if given: the newest by default.)"""
        t_from, t_to = self._ease_crossings(a, b, k_end)
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
            onset = _ease_dated(*self._ease_crossings(base, b, k_end), back)
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
                onset = _ease_dated(*self._ease_crossings(peek, b, k_end), back)
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
        lo = self._mean_lo()
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
        force (``EASE_FIT_*`` in ``constants``): within ``EASE_FIT_EARLY`` of the ramp's length before
        its start and ``EASE_FIT_LATE`` after it, less the filter's lag (2·tau). ``onset`` as it is
        where there is too little to fit, or the fitted ramp goes the other way."""
        lo_t = onset - EASE_FIT_BACK
        if lo_t < self.h_start:
            lo_t = self.h_start
        hi_t = start + EASE_FIT_AFTER
        if hi_t > t:
            hi_t = t
        lo = self._oldest()
        lo_t = self._fit_from(onset, lo_t, lo)
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

    def _fit_from(self, onset: float, lo_t: float, lo: int) -> float:
        """Where the fit's window may begin: not before the force's last return into the old hold's
        steady band before ``onset``, if it then lay there ``min_hold`` up to the onset - a give or
        surge that came back is no part of the flat the ramp left, and a least-squares line from its
        low side through a staged ease dated the ramp from the dip, seconds early (failure mode 51).
        ``lo_t`` as it is if the force lay outside the band at the onset itself, or came back into it
        less than ``min_hold`` before: a drift out turning into the ease, which the line through the
        turn dates (failure mode 17)."""
        k = self._last_at(self.n - 1, lo, onset)
        wide = self._wide(self.h_level)
        if abs(self.hy[self._h(k)] - self.h_level) > wide:
            return lo_t
        while k > lo and self.ht[self._h(k - 1)] >= lo_t:
            if abs(self.hy[self._h(k - 1)] - self.h_level) > wide:
                back = self.ht[self._h(k)]
                return back if onset - back >= self.cfg.min_hold else lo_t
            k -= 1
        return lo_t

    def _ease_fitted(self, onset: float, start: float, t_end: float, direction: int, latest: float,
                     t: float) -> float:
        """A slow step's crossings' dating held near the fitted ramp (:meth:`_ease_fit`, the force up
        to ``t_end``), never inside the old hold's first ``min_hold`` nor after ``latest`` (the new
        hold's steady window began there); ``onset`` as dated where the fit lies outside the start or
        back past the history at ``t`` (a ramp reaching back that far: as dated)."""
        fitted = self._ease_fit(onset, start, t_end, float(direction))
        floor = self._hold_floor()
        if fitted < floor:
            fitted = floor
        if fitted > latest:
            fitted = latest
        return fitted if start > fitted >= t - self.hist_s else onset

    def _ease_crossings(self, a: float, b: float, k_end: int = -1) -> tuple[float, float]:
        """Where a slow change from ``a`` to ``b`` last passed ``EASE_FROM`` and ``EASE_TO`` of the
        way before its midpoint, on the ``VEL_MEAN`` average (a fixed noise tolerance would sit in
        wander, far up a slow ease's smooth start): the ease is dated from these (``_ease_dated``)."""
        d = b - a
        direction = 1 if d > 0 else -1
        d = abs(d)
        lo = max(self._oldest(), self.win_from)
        hm = self.hm
        k = self._back_below(self.n - 1 if k_end < 0 else k_end, lo, a, 0.5 * d, direction, hm)
        k = self._back_below(k, lo, a, EASE_TO * d, direction, hm)
        t_to = self._crossing(k, a, EASE_TO * d, direction, hm)
        k = self._back_below(k, lo, a, EASE_FROM * d, direction, hm)
        return self._crossing(k, a, EASE_FROM * d, direction, hm), t_to

    def _lead_in(self, onset: float, k_now: int, direction: int, lim: float, level: float) -> float:
        """A fast step's onset, taken back over its lead-in: the reference the fast part departs from
        follows a first movement the same way (a step made in two stairs, a stall between them), but
        the change began where the force left the level it held before. That level is the mean over
        the ``min_hold`` before ``lim``, so that the change, lead-in and all, lies within
        ``step_max_duration`` of its arrival (``level``: the new hold's); a one-quantum jump is no
        lead-in, nor is a small movement first (failure mode 55)."""
        floor = self._hold_floor()
        if lim < floor:
            lim = floor
        k = k_now
        lo = self._mean_lo()
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
        y = self.hy[self._h(k)]
        dev = y - ref
        if abs(dev) <= tol:
            return onset  # the force still lay at that level when the fast part began: no lead-in
        if dev * (level - ref) <= 0.0 or abs(dev) < LEAD_SHARE * abs(level - ref):
            # A movement back first (a dip before a push), or one the step's way that had covered
            # under a quarter of the change when the fast part began, is the hold's own wander or
            # sag, not a stair of the step: the change began where the fast part did (three
            # independent labellers date it there; failure mode 55).
            return onset
        if abs(y - self.h_level) > self._wide(self.h_level):
            # A first movement that had taken the force out of the hold's steady band was no
            # lead-in but the hold's own drift, which its band watched (a tissue that gives
            # before the push to the next barrier, or before the let-down to a lower one): the
            # change began where the fast part did.
            return onset
        # A first stair of the step: the change began where it left.
        return self._scan_departure(ref, tol, k, 1 if dev > 0 else -1, lim)
