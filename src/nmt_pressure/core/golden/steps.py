"""A step to a new barrier: a fast jump, a shelf on the way, or a slow ease that settled; or back again."""

from __future__ import annotations

import math

from nmt_pressure.core.golden.band import Band
from nmt_pressure.core.golden.constants import (
    ARRIVAL,
    ARRIVAL_K,
    B_IN,
    DEPART,
    DEPART_K,
    SPAN_20_80,
    STEADY,
    VEL_MEAN,
)


class Steps(Band):
    """Steps (fast and slow) and the return to the hold an excursion left."""

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
            wide = self._wide(self.h_level)
            # Further away, or on through the band to outside its other side from where the force
            # had lain outside for leave_time: a thumb slipping off the point while a drift had the
            # force above the band leaves the hold as much as a let-go from a sag does; the way back
            # from a dip through the band is no departure (failure mode 60).
            dn = y - self.h_level
            if abs(d) <= wide or abs(y - ref) < self._step_thr(self.h_level) or \
                    not ((y - ref) * d > 0.0 or
                         (dn * d < 0.0 and abs(dn) > wide and self._outside_since(self.ij, d, wide))):
                return
            self.jp_dir = 1 if y > ref else -1
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

    def _outside_since(self, k: int, d: float, wide: float) -> bool:
        """The force lay outside the hold's band, on ``d``'s side, for ``leave_time`` up to tick
        ``k`` (a drift's rest out there, not a dip through it)."""
        lo = max(self._oldest(), self.win_from)
        edge = self.ht[self._h(k)] - self.cfg.leave_time
        while True:
            if (self.hy[self._h(k)] - self.h_level) * d <= 0.0 or \
                    abs(self.hy[self._h(k)] - self.h_level) <= wide:
                return False
            if k <= lo:
                return False  # (not that much history)
            if self.ht[self._h(k - 1)] < edge:
                return True
            k -= 1

    def _shelf(self, t: float, k_now: int, direction: int) -> bool:
        """A fast movement came to rest, and a new one begins before the hold at its new level could
        be confirmed (that window must lie after the movement ended). If the force lay within the
        hold band of one level for ``min_hold`` before the new movement began (the contract's hold,
        counted, as any hold is, from where it came within that band), that was a hold: when the
        first movement is a fast step from where it began, it is told now, and the new movement is
        classified from that hold (``direction``: the new movement's). Returns whether it was."""
        c = self.cfg
        lo = self._mean_lo()
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

    def _step(self, t: float, k_now: int, slow: bool, knee: float = math.nan) -> None:
        """The excursion was a step (``slow``: an ease), to a hold confirmed now; ``knee``: the level
        a slow step's ease reached before its new level began to give back (failure mode 45)."""
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
            onset = self._lead_in(onset, k_now, direction, start - self.cfg.step_max_duration, level)
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
        if not math.isnan(knee):
            level = knee  # (a level that gives back has no settled mean: the barrier reached)
        start = self._hold_start(level, onset, k_now)
        if not slow and self._wound_up(direction, onset, start):
            onset = self.mv_onset
        if slow:
            # The crossings' dating held near the fitted ramp (noise moves them; the fit uses all).
            onset = self._ease_fitted(onset, start, t, direction, latest, t)
        # (Held back by a brisk slow excursion that became a slow step: the ease's exits are told,
        # unless its level was reached as briskly as a fast step's - a change completed within
        # step_max_duration that the fast test missed on its tail - whose exits are dropped.)
        self._flush_held(math.inf if slow and not self.mv_fast and not self._brisk_level() else onset)
        if slow and self.b_told != B_IN:
            # The band follows the new barrier: the alert raised while easing onto it is over.
            self._enter_new_barrier(start, level)
        self._end_hold(onset, "step")
        self._emit("step", onset, "up" if direction > 0 else "down", level)
        self._begin_hold(t, start, level, settled)
        if not math.isnan(knee):
            # Nor is it measured again as the force gives: the band stays on the barrier reached,
            # and the give leaves it as the drift it is.
            self.h_level = knee
            self.h_lv_open = False

    def _wound_up(self, direction: int, onset: float, start: float) -> bool:
        """A fast step to the new hold at ``start`` (``direction``: its sign), found by the scan to
        begin at ``onset``, had first gone a step away the other way in the same departure - a hand
        that half-unloads and reloads onto a new level (moving between points), or surges and comes
        down onto a lower one - fast (``_went_fast_by``: a tissue giving, slower, is the old hold's
        drift, failure mode 49), and the whole change, from where it left the old hold, reached the
        new one within ``step_max_duration`` (a change completed within it is a step): the change
        began where the excursion did, not where the scan met the force passing back through the
        old level, and what the band saw on the way belongs to the step, which raises no band
        events (failure mode 66). Not before the old hold's first ``min_hold``."""
        return self._went_fast_by(onset) and self.mv_far_up != (direction > 0) and self.mv_ep_on < 0.0 and \
            self._hold_floor() <= self.mv_onset < onset and \
            start - self.mv_onset <= self.cfg.step_max_duration

    def _resume(self, t: float, y: float, drifting: bool) -> None:
        self.sub = STEADY
        if self.h_lv_cut:
            self._take_level_behind(t)
        self.ref = y
        self.drifting = drifting
        if drifting:
            self.dr_level = self._mean_ticks(self.ih1, self.n)
        self.cd_start = -1.0
        self._flush_held(math.inf)
        self._band(t, y)
