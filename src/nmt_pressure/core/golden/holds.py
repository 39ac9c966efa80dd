"""A hold's beginning and end, and its statistics as running sums folded in a little behind real time."""

from __future__ import annotations

import math

from nmt_pressure.core.events import Hold
from nmt_pressure.core.golden.constants import (
    ARRIVAL_K,
    B_IN,
    CONTACT,
    HOLD,
    LEVEL_ARRIVAL,
    LEVEL_OVERSHOOT,
    STEADY,
)
from nmt_pressure.core.golden.level import Level


class Holds(Level):
    """Opening and closing holds, and their time-weighted statistics."""

    def _begin_hold(self, t: float, start: float, level: float, settled: float) -> None:
        """A hold from ``start`` (reported) whose statistics are taken from ``settled`` on."""
        if start > t - self.cfg.min_hold:
            # Its steady window is min_hold long: the force came within the hold band of a level
            # re-measured on it later than the window began, but no hold is shorter than min_hold
            # (nor may a release right after it be dated past the tick that tells it).
            start = t - self.cfg.min_hold
        # Nor does it begin before the hold it follows in this contact ended (where a silence lay
        # inside that window: then it may be the shorter).
        self.h_floor = self.last_end if self.held else -math.inf
        if start < self.h_floor:
            start = self.h_floor
        self.st = HOLD
        self.sub = STEADY
        self.h_start = start
        self.h_conf_k = self.n - 1
        self.h_told = self.t_now
        self.h_settled = settled if settled > start else start
        self.h_level = level
        self.h_shift = level
        self.ref = level
        self.held = True
        self.drifting = False
        self.low_since = -1.0
        self.cd_start = -1.0
        self.c_level = self.c_level0 = self.c_level1 = 0.0  # no level left pending: this hold is it
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
        self.h_lv_dir = 1 if level > self.hm[self._h(k)] else -1
        self.h_lv_k = self._past_overshoot(level, LEVEL_OVERSHOOT * level + noise,
                                           LEVEL_ARRIVAL * level + noise, noise, self.h_lv_k, self.h_lv_dir)
        frm = self.ht[self._h(self.h_lv_k)]
        self.h_lv_from = frm
        self.h_lv_open = True
        self.h_lv_tries = 0
        self.h_lv_cut = False
        self.h_lv_wait = False
        # (A level final already - a hold told back-dated at a let-go, a step or the data's end - is
        # not dated again: such a hold may end at once, and a later start could leave it shorter
        # than min_hold. _redate runs while the hold goes on.)
        self._refine(t)
        self.b_state = B_IN
        self.b_cand = B_IN
        self.b_told = B_IN
        self.b_since = t
        self.b_floor = t
        self.b_held.clear()
        self.b_last = -math.inf
        self._emit("hold_start", start, None, level)

    def _redate(self, t: float) -> None:
        """The hold's level is final (``_refine``'s window closed, or ``_level_behind`` took it). Its
        start was dated against the level given at confirmation (``h_shift``; the hold_start event
        tells both). Where that level still held an overshoot settling back (it lies outside the
        settled part, ``_arrival_tol``, of the level that settled), the first dating lies on the
        rise, and only the settled level shows the overshoot: the arrival passed through its band,
        overshot it and came back within ``leave_time`` (``_overshoot_peak``). People date such a
        hold anywhere from the first moment within the band to the end of the settling; the record's
        start is dated again midway between the first dating and the peak (failure mode 65), and
        the event keeps the first. (At the peak itself, as where an overshoot had settled by
        confirmation, a real squeeze whose rise took a second to peak began 1.2 s after its label.)
        No other start is dated again: people date a creep onto a level from where the force first
        came near it, as the first dating does, not from where it came within the band of the level
        it crept to (real squeezes and pulls: 1.2-1.7 s later, five holds missed)."""
        if abs(self.h_level - self.h_shift) <= self._arrival_tol(self.h_level):
            return
        peak = self._overshoot_peak(self.h_level, self.h_floor, self.h_conf_k)
        if peak <= self.h_start:
            return  # (none, or no later than the first dating)
        start = 0.5 * (self.h_start + peak)
        if start > t - self.cfg.min_hold:
            # (No hold is shorter than min_hold: _begin_hold. The level is final min_hold after its
            # window began, inside the hold, so this never reaches back past the first dating.)
            start = t - self.cfg.min_hold
        lo = self._oldest()
        if self._back_to(self.n - 1, lo, self.h_start) <= lo:
            return  # (the history no longer reaches back before the hold: its sums stand)
        # The statistics folded so far are taken back and folded again from the new start: the
        # drift's time origin and the time in band are the start's.
        self._unfold_from_time(self.h_start)
        self.h_start = start
        if self.h_settled < start:
            self.h_settled = start
        self.h_cursor = self._back_to(self.n - 1, lo, start)

    def _take_level_behind(self, t: float) -> bool:
        """``_level_behind``, and where it took the level, the start dated again against it
        (``_redate``): every caller that lets an excursion's end settle the level goes through here."""
        if not self._level_behind(t):
            return False
        self._redate(t)
        return True

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
            time_in_band=self.s_in, drift_per_s=slope, ended_by=ended_by, confirmed=self.h_told))
        self.st = CONTACT
        self.sub = STEADY
        self.c_try = 0.0
        self.last_level = self.h_level
        self.last_end = end
        self.low_since = -1.0
        return end
