"""One tick in each state: idle (contact?), in contact (a hold?), holding (an excursion? a release?)."""

from __future__ import annotations

from nmt_pressure.core.golden.constants import (
    CONTACT,
    IDLE,
    LEARN_FRAC,
    MOVING,
    SLOW_SPAN,
    SPAN_20_80,
    STATS_LAG,
    STEADY,
)
from nmt_pressure.core.golden.moving import Moving


class States(Moving):
    """The per-state handlers a tick dispatches to."""

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
        self.c_level = self.c_level0 = self.c_level1 = 0.0
        self._restart_window()
        self._emit("contact", tc, None, y)

    def _in_contact(self, t: float, y: float, k_now: int) -> None:
        """Contact without a hold: the end of contact, a release after a departure, or a new hold."""
        c = self.cfg
        if self._contact_lost(y):
            if self._pending_hold(t, k_now):
                return
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
                if not self._pending_hold(t, k_now):
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
                if self._pending_hold(t, k_now):
                    return
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
            if self._step_from_pending(t, k_now, level, start) and frm < self.last_end:
                frm = self.last_end
            self._begin_hold(t, self._hold_start(level, frm), level, start)
        else:
            self.c_try = start + c.min_hold  # no hold is shorter than min_hold: try once it could be
            # ... and if the hand lets go before then, the level it was at is judged at the let-go.
            # (The one found before it is kept too: a level found on the fall's first part, which
            # the lagging filtered force still shows as steady, must not hide the hold let go. And
            # the one before that: a level tried again - its settled part, found to begin a hair
            # later, not min_hold old after all - pushes its own first try back, and a level a step
            # away tried before both must still be judged when the new one is confirmed: failure
            # mode 47.)
            self.c_level1, self.c_from1, self.c_settled1 = self.c_level0, self.c_from0, self.c_settled0
            self.c_level0, self.c_from0, self.c_settled0 = self.c_level, self.c_from, self.c_settled
            self.c_level = level
            self.c_from = frm
            self.c_settled = start

    def _step_from_pending(self, t: float, k_now: int, level: float, start: float) -> bool:
        """The hold confirmed now at ``level`` (settled from ``start``) follows one the change came too
        soon to confirm: a level tried before it in this contact, a step away, on which the force lay
        within the hold band ``min_hold`` or longer (dated as at a let-go, failure mode 40) until the
        change began, a change completed as a step's is (its 20-80 % span within a slow step's, or
        with a target a fast one's). That hold is begun back-dated and ended by the step, which is
        told; then the caller begins the new one. A level that creeps on at 4 %/s or more for 2 s
        and then steps was otherwise dropped, its step with it."""
        c = self.cfg
        for was, frm, settled in self._take_pending():
            if was <= 0.0 or abs(level - was) < self._step_thr(was):
                continue
            d = 1 if level > was else -1
            begun, onset = self._pending_span(was, frm, k_now, d)
            limit = SPAN_20_80 * c.step_max_duration if self.has_target else SLOW_SPAN * c.slow_step_limit
            if onset - begun < c.min_hold or onset >= start or self._span(was, level, start) > limit:
                continue
            self._begin_hold(t, begun, was, settled)
            self._end_hold(onset, "step")
            self._emit("step", onset, "up" if d > 0 else "down", level)
            return True
        return False

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
                    if self._refine(t):
                        self._redate(t)
                elif self.h_lv_wait:
                    # An excursion that cut the level short ended too soon to judge it: judged once
                    # its last min_hold lies in the hold (failure mode 52).
                    self._take_level_behind(t)
                self._learn(t, y, v_on)
                self._learn_waver(t, k_now, out or self.drifting)
                self._band(t, y, True)
                return
        self._cut_level()
        self._moving(t, y, k_now, v_on, out)
