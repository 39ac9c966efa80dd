"""Queries over the ring of past ticks: where the force was, first or last beyond an edge, and its mean."""

from __future__ import annotations

from nmt_pressure.core.golden.constants import VEL_MEAN
from nmt_pressure.core.golden.state import State


class History(State):
    """The tick history: ring indexing, edge searches and weighted means over a span of ticks."""

    def _h(self, k: int) -> int:
        return k % self.cap

    def _oldest(self) -> int:
        return self.n - self.cap if self.n > self.cap else 0

    def _sum_lo(self) -> int:
        """The first tick a mean from the running sums may begin at: one after the oldest kept once
        the ring has wrapped (the sums before the oldest are gone, its slot holds the newest's)."""
        return self._oldest() + 1 if self.n > self.cap else 0

    def _mean_lo(self) -> int:
        """``_sum_lo``, and not before the window's floor ``win_from`` (a silence, a new contact)."""
        lo = self._sum_lo()
        return lo if lo > self.win_from else self.win_from

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

    def _mean_ticks(self, a: int, b: int) -> float:
        """Time-weighted mean of ticks ``a .. b-1`` from the running sums (the latest if none). The
        sums before the oldest tick kept are gone (its slot holds the newest's): a mean reaching back
        to it starts one tick later."""
        if self.n > self.cap and a <= self.n - self.cap:
            a = self.n - self.cap + 1
        sw = (self.cw[self._h(b - 1)] if b > 0 else 0.0) - (self.cw[self._h(a - 1)] if a > 0 else 0.0)
        sy = (self.cy[self._h(b - 1)] if b > 0 else 0.0) - (self.cy[self._h(a - 1)] if a > 0 else 0.0)
        return sy / sw if sw > 0.0 else self.hy[self._h(self.n - 1)]

    def _shown_by(self, k: int, lo: int) -> float:
        """When the force showed tick ``k``'s value: at its stamp, or, where the tick ends a silence
        longer than VEL_MEAN (a sensor that reports only on change, a dropout), VEL_MEAN after the
        tick before (not before tick ``lo``). A tick's value holds over its span, as the
        time-weighted means take it; the filtered force and its VEL_MEAN mean had reached it within
        that long, not only at the stamp a second later (failure mode 63)."""
        t = self.ht[self._h(k)]
        if k > lo:
            shown = self.ht[self._h(k - 1)] + VEL_MEAN
            if shown < t:
                return shown
        return t

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

    def _tick_gap(self) -> float:
        """The longest interval between two ticks that is no silence: twice the sample interval (at
        low rates the ticks are the samples, a little irregular) and a tick."""
        return 2.0 * self.dt_avg + self.cfg.tick

    def _window_after(self, t0: float) -> bool:
        """The steadiness window lies entirely after ``t0`` (it excludes the transition)."""
        lo = max(self._oldest(), self.win_from)
        return self.ht[self._h(self.iw if self.iw > lo else lo)] >= t0
