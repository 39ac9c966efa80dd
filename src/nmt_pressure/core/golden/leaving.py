"""How a hold ends other than by a step (left, released, end of data); the resting force a release leaves."""

from __future__ import annotations

import math

from nmt_pressure.core.golden.constants import (
    ARRIVAL_K,
    B_IN,
    CONTACT,
    DEPART,
    DEPART_K,
    FLAT,
    HOLD,
    IDLE,
    MOVING,
    NOISE_K,
    PENDING_SLACK,
    SLOW_ARRIVAL,
    SLOW_SPAN,
    STEADY,
    VEL_SPAN,
    WIDE_QUANTA,
)
from nmt_pressure.core.golden.ease import Ease


class Leaving(Ease):
    """Departures, releases, the end of data and the resting force."""

    def _away_for(self, t: float) -> float:
        """How long the force has been out of the hold's band this time away, up to ``t`` (or until
        it came back) (s). "Neither comes back within leave_time" is asked of each time it went out,
        not of the span from the first going out to the last coming back: a hold with short dips in
        quick succession (an electrically stimulated muscle) comes back after each. Passing through
        the band to the other side is no coming back (a burst above, then a fall below)."""
        if self.mv_ep < 0.0:
            return 0.0
        return (t if self.mv_back < 0.0 else self.mv_back) - self.mv_ep

    def _partway_back(self) -> bool:
        """The force has come back inside the hold's band only to its edge: averaged over
        VEL_MEAN, it still lies at least half the way out to the farthest point the excursion
        reached, on the side where it first got a step away. A departure that settles there has
        neither come back to the hold's level nor left it: the force lies within the hold band of
        one level throughout (a squeeze surging 12-13 % and easing back to 7-8 %, which the
        labellers of a hand dynamometer and a finger gauge read as one hold). A return still under
        way also looks so to the lagging average for a moment, so the caller keeps the hold only if
        this is still so ``leave_time`` after the force came back inside."""
        if self.mv_far < 0.0:
            return False
        m = self.hm[self._h(self.n - 1)]
        d = m - self.sl_ref if self.mv_far_up else self.sl_ref - m
        return d >= 0.5 * self.mv_peak

    def _away_onset(self, first: float) -> float:
        """Onset of this time away's departure: ``first``, the excursion's own, or that of a later
        going out on the side the force had come back from within leave_time (unless a fast movement
        has taken the excursion over since: then its own)."""
        return first if self.mv_ep_on < first else self.mv_ep_on

    def _fast_time(self) -> float:
        """Longest a departure may take to get a step away and still have left fast (s)."""
        return self._step_thr(self.h_level) / (self.cfg.step_rate * self.h_level)

    def _went_fast_by(self, t_drop: float) -> bool:
        """The excursion itself went out fast, before ``t_drop``."""
        return self.mv_away and 0.0 <= self.mv_far < t_drop and \
            self.mv_far - self.sl_onset <= self._fast_time()

    def _left_fast_by(self, t_drop: float) -> bool:
        """As :meth:`_left_fast`, counting only what happened before ``t_drop`` (the final fall is
        the release, not the departure)."""
        return self._went_fast_by(t_drop) or 0.0 <= self.mv_jump_at < t_drop

    def _left_fast(self) -> bool:
        """The excursion went out faster than drift does: the rate test saw it move away from where
        it began, and it got a step away within ``step_min / step_rate`` seconds of its onset (a
        fade, the slip of a tiring hand, a wandering one is smaller or slower; a drift near 10 %/s
        that the rate test never saw, or saw only on its way back, did not leave) - or, from outside
        the band, the force later moved on a step further as fast and stayed away (:meth:`_jump`)."""
        return self._left_fast_by(math.inf)

    def _left_at(self, by: float = math.inf, first: float | None = None) -> float:
        """Onset of the departure that left the hold: if the excursion went out fast (before ``by``),
        that of this time away (:meth:`_away_onset`, the excursion's own onset ``first`` unless
        given: ``mv_onset``); else that of the fast movement that took the force on from outside
        the band (:meth:`_jump`)."""
        if self._went_fast_by(by) or self.mv_jump < 0.0:
            return self._away_onset(self.mv_onset if first is None else first)
        return self.mv_jump

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
        rel_floor = self._release_floor(level)
        if tail < rel_floor:
            tail = rel_floor
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

    def _eased_before(self, drop: float) -> tuple[int, float]:
        """In relative mode, the tick just before ``drop`` and the level held over the
        ``slow_step_hold`` before it, if the slow excursion had settled on that new barrier and the
        let-go came too soon to confirm it (failure mode 48): the window as the slow-step test asks
        it of the last one - near one level, a step from where the excursion began (from the hold),
        flat by thirds, the force arrived there that long before, the change made within a slow
        step's span and before its deadline; else (-1, 0)."""
        c = self.cfg
        hold = c.slow_step_hold
        if self.has_target or self.cd_start < 0.0 or drop - self.cd_start < hold or \
                drop - self.sl_left > c.slow_step_limit + 2.0 * hold + c.min_hold + PENDING_SLACK:
            return -1, 0.0
        lo = self._mean_lo()
        k = self._last_at(self.n - 1, lo, drop)
        level = self._mean_ticks(self._back_to(k, lo, drop - hold), k + 1)
        dy = level - self.mv_base
        if not (dy > 0.0 or c.slow_step_down) or abs(dy) < self._step_thr(self.mv_base) or \
                not self._from_hold(level):
            return -1, 0.0
        if not self._steady_for(drop, hold, k) or \
                not self._flat_thirds(drop, hold, 1 if dy > 0.0 else -1, FLAT, k):
            return -1, 0.0
        # (From the slow excursion's onset: the let-go, a fast movement, has taken it over.)
        arrived = self._scan_arrival(level, SLOW_ARRIVAL * level + ARRIVAL_K * self.sig_f, self._wide(level),
                                     self.sl_onset, k)
        if drop - arrived < hold or self._span(self.mv_base, level, arrived) > SLOW_SPAN * c.slow_step_limit:
            return -1, 0.0
        return k, level

    def _eased_step(self, t: float, k_end: int, level: float, drop: float) -> None:
        """The slow step :meth:`_eased_before` found (up to tick ``k_end``, to ``level``), told as the
        slow-step test tells one: the ease dated, the old hold ended by it and the new one begun at
        that level (the band following it); the caller releases the new hold."""
        settled = self.cd_start
        direction = 1 if level > self.mv_base else -1
        onset = self._ease_onset(self.mv_base, level, self._hold_floor(), k_end)
        latest = drop - self.cfg.min_hold  # (the new hold's min_hold lies before the drop)
        if onset > latest:
            onset = self.sl_onset if self.sl_onset < latest else latest
        start = self._hold_start(level, onset, k_end)
        onset = self._ease_fitted(onset, start, drop, direction, latest, t)
        # The ease's band events held back belong to the old hold; the let-go's are none.
        self._flush_held(drop)
        if self.b_told != B_IN:
            self._enter_new_barrier(start, level)
        self._end_hold(onset, "step")
        self._emit("step", onset, "up" if direction > 0 else "down", level)
        self._begin_hold(t, start, level, settled)

    def _release_begun(self, k_now: int) -> None:
        """The hold just begun at a let-go (at the level it had settled on before the fall) is what
        was released: at the onset of the fall that ends at tick ``k_now``."""
        onset = self._drop_onset(k_now, self._hold_floor(), self.h_level)
        onset = self._end_hold(onset, "release")
        self._emit("release", onset, None, self.h_level)
        self._after_release()

    def _release_floor(self, level: float) -> float:
        """Below this a fall from ``level`` has taken the pressure off: ``release_level`` of the force
        held above the resting force the contact rose from (``base``; 0 from no contact: then of the
        level itself, the contract's 15 %). An arm or hand left resting on a gauge (12 N under a
        finger gauge's 100-N pulls) is no pressure the hand put on: let go back onto it, the force
        may lie at 17 % of the level, yet only 6 % of what was pressed."""
        return self.base + self.cfg.release_level * (level - self.base)

    def _low_for(self, t: float, y: float, level: float) -> bool:
        """The force has been below the release floor of ``level`` (:meth:`_release_floor`) for
        ``release_time``: a release even where light contact remains."""
        if y >= self._release_floor(level):
            self.low_since = -1.0
        elif self.low_since < 0.0:
            self.low_since = t
        elif t - self.low_since >= self.cfg.release_time:
            return True
        return False

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

    def _contact_lost(self, y: float) -> bool:
        """The contact's end: the filtered force under the hysteresis above the contact's rest, or a
        let-go shorter than the filter's lag (``_raw_off``)."""
        return y < self.end_base + self.c_off or self._raw_off(y)

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
        # waits release_time) was at rest already, and the next press may be near. (Of the whole
        # level, not the release floor above the contact's base: a rest that high is a limb still
        # settling or the next pull's start, whose contact the search would hold back - tried, stop
        # 50: a finger gauge's holds 0.812 -> 0.800, releases 0.967 -> 0.953.)
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

    def _release_after_leave(self, k_now: int) -> None:
        """The end of a contact whose hold had ended ``left``: its release, at the final fall."""
        onset = self._drop_onset(k_now, self.last_end, self.last_level)
        self._emit("release", onset, None, self.last_level)
        self._after_release()

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
                self._release_begun(k_now)
                return
            if not (self.mv_fast and self._left_fast_by(drop)):
                k_eased, eased = self._eased_before(drop)
                if k_eased >= 0:
                    # It had eased onto a new barrier and held it slow_step_hold when the let-go
                    # came, before the slow-step test confirmed it (its windows judged on the ease's
                    # tail, then retried): that slow step, and the new hold is what was released.
                    self._eased_step(t, k_eased, eased, drop)
                    self._release_begun(k_now)
                    return
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

    def _take_pending(self) -> tuple[tuple[float, float, float], ...]:
        """The last three levels tried in this contact and not confirmed yet, newest first, as
        (level, its steady window's start, where its settled part began; level 0: none); spent by
        asking."""
        found = ((self.c_level, self.c_from, self.c_settled), (self.c_level0, self.c_from0, self.c_settled0),
                 (self.c_level1, self.c_from1, self.c_settled1))
        self.c_level = self.c_level0 = self.c_level1 = 0.0
        return found

    def _pending_span(self, level: float, frm: float, k_now: int, direction: int,
                      end: float | None = None) -> tuple[float, float]:
        """Where a pending ``level`` (its window from ``frm``) was held: from where the force came
        within its hold band (any hold's start) to ``end``, by default where the force left it in
        ``direction`` by tick ``k_now`` (a steady hold's departure, the window's start its floor)."""
        if end is None:
            end = self._scan_departure(level, DEPART * level + DEPART_K * self.sig_f, k_now, direction, frm)
        return self._hold_start(level, frm, self._last_at(self.n - 1, self._oldest(), end)), end

    def _pending_hold(self, t: float, k_now: int, at_end: bool = False) -> bool:
        """A hold the let-go (or the data's end, ``at_end``) came too soon to confirm: the force lay
        within the hold band of the level last tried in this contact (not yet a hold: its close
        arrival was under ``min_hold`` old) from where it came within that band, as any hold's start
        is dated, until the fall began (or the data ended), ``min_hold`` or longer. That is a hold
        by the contract's definition, though the confirmation, which waits for the settled part to
        be ``min_hold`` old, never came: begun there (back-dated) and released (or closed
        ``end_of_data``) here. A short hold whose level creeps or settles slowly (a dynamometer's
        quick maximal squeeze, 1.6 s from 640 to 710 N) or a finger gauge's hump of 1.6 s between
        pulls is let go inside that wait. The two tried before the last are judged too: one found
        on the fall's own first part, which the lagging filtered force still shows as steady,
        replaces the level held."""
        for level, frm, settled in self._take_pending():
            if level <= 0.0:
                continue
            start, end = self._pending_span(level, frm, k_now, -1, t if at_end else None)
            if end - start >= self.cfg.min_hold:
                self._begin_hold(t, start, level, settled)
                if at_end:
                    self._fold(self.n)
                    self._end_hold(t, "end_of_data")
                else:
                    self._release(t, k_now)
                return True
        return False

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
                if self.x1 < self._release_floor(self.h_level):
                    # ... unless it fell under the release floor (the last sample: the
                    # filtered force lags a let-go's fall): no new hold a step away lies there, and
                    # once it had stayed release_time it would be released. The data's end cut that
                    # wait short: a let-go, released at its fall's onset (a departure that ends
                    # higher stays `left`).
                    self._release(t, self.n - 1)
                    return
                self._end_hold(self._left_at(), "left")
                return
            self._fold(self.n)
            self._end_hold(t, "end_of_data")
        elif self.st == CONTACT:
            self._pending_hold(t, self.n - 1, True)
