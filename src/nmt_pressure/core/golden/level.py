"""Where the force left a level, where it arrived at one and settled, and what that level is."""

from __future__ import annotations

import math

from nmt_pressure.core.golden.allowances import Allowances
from nmt_pressure.core.golden.constants import (
    ARRIVAL,
    ARRIVAL_K,
    ARRIVAL_OVERSHOOT,
    LEVEL_BACK,
    LEVEL_DECAY,
    LEVEL_TRIES,
    NOISE_K,
    SMOOTH_MAX,
    SMOOTH_START,
    VEL_MEAN,
)


class Level(Allowances):
    """Departure and arrival scans, the overshoot, and the settled level of a hold (refined as it goes on)."""

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

    def _scan_departure(self, ref: float, tol: float, frm: int, direction: int, floor: float,
                        span: float = math.inf) -> float:
        """Onset of a movement that has left ``ref`` in ``direction`` by the tick ``frm`` (``_departure``,
        ``span`` the change's size where known)."""
        return self._departure(ref, tol, frm, direction, floor, span)[0]

    def _scan_arrival(self, level: float, tol: float, wide: float, frm_t: float, k_end: int = -1,
                      h: list[float] | None = None) -> float:
        """Where the force arrived at ``level``: after its last excursion beyond ``wide`` (a ramp,
        a step, an overshoot settling back), the first tick within ``tol`` of the level; never
        before ``frm_t``. Looked for back from tick ``k_end`` (the latest, by default), on the
        filtered force or on the history ``h``."""
        return self.ht[self._h(self._arrival_tick(level, tol, wide, frm_t, k_end, h))]

    def _arrival_tick(self, level: float, tol: float, wide: float, frm_t: float, k_end: int = -1,
                      h: list[float] | None = None) -> int:
        """The tick ``_scan_arrival`` dates the arrival by."""
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
        return k

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

    def _mean_arrival(self, level: float, frm_t: float, k_end: int = -1) -> float:
        """``_band_start`` on the force averaged over ``VEL_MEAN`` (the crossing taken back by the half
        ``VEL_MEAN`` the mean trails by), never before ``frm_t``, and with no noise allowance: the
        mean's noise is symmetric about the force, and an allowance only moves the crossing earlier.
        One filtered sample's (2 sigma: 4 % of a 4-N hold on an HX711) put a slow arrival's start
        1-1.8 s before the force came within the band; two of the mean's, 0.5-1 s.

        The first tick within the band is taken at the time the force showed it (``_shown_by``: a
        tick ending a silence, up to seconds after the mean had reached it: failure mode 63)."""
        k = self._arrival_tick(level, self.cfg.hold_band * level, self._wide(level), frm_t, k_end,
                               self.hm)
        t = self._shown_by(k, max(self._oldest(), self.win_from)) - 0.5 * VEL_MEAN
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

    def _hold_start(self, level: float, frm_t: float, k_end: int = -1) -> float:
        """Where a hold at ``level`` began, as reported: where the force came within the hold band
        of it and stayed, tremor and sensor noise aside (``_mean_arrival``); or, where the arrival
        passed through the hold band, overshot it and came back into it within ``leave_time`` of its
        peak, that peak (``_overshoot_peak``). People date such a hold anywhere from the first
        moment within the band to the end of the settling: the peak lies between."""
        peak = self._overshoot_peak(level, frm_t, k_end)
        return peak if peak > -math.inf else self._mean_arrival(level, frm_t, k_end)

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

    def _halves_change(self, k0: int, t_mid: float) -> float:
        """The mean of the ticks from ``t_mid`` to now less that of those from tick ``k0`` to it: how
        far a level window's later half lies from its earlier one."""
        k_mid = self._back_to(self.n - 1, k0, t_mid)
        return self._mean_ticks(k_mid, self.n) - self._mean_ticks(k0, k_mid)

    def _settling_back(self, k0: int, t0: float, t: float) -> bool:
        """The level window's thirds (from tick ``k0``, time ``t0``, to now) move back against the
        arrival, each by less than the one before: an overshoot decaying onto its level."""
        third = (t - t0) / 3.0
        k1 = self._back_to(self.n - 1, k0, t0 + third)
        k2 = self._back_to(self.n - 1, k1, t0 + 2.0 * third)
        a = self._mean_ticks(k0, k1)
        b = self._mean_ticks(k1, k2)
        c = self._mean_ticks(k2, self.n)
        d = -self.h_lv_dir
        return 0.0 < d * (c - b) < d * (b - a)

    def _refine(self, t: float) -> bool:
        """The hold's level (and the relative band's centre) follows the mean since the close arrival
        until that window is ``min_hold`` long, then stays. It stops early when an excursion begins
        (the caller). A window the force left the settled part (ARRIVAL) of, or that had not settled
        (LEVEL_SETTLED, or LEVEL_BACK where an overshoot is decaying), is measured again from there
        (an overshoot settling back slowly): the level stays the first window's until a later one
        has settled, and stays it if none has (a drift that begins at once is not averaged into the
        level it drifts from). True once the level is final: the caller dates the start against it
        again (``_redate``)."""
        c = self.cfg
        if t - self.h_lv_from < 0.5 * c.min_hold:
            return False  # too short to be better than the first estimate
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
            # ... over LEVEL_SETTLED it is still settling (over LEVEL_BACK if back against the
            # arrival by decaying thirds: an overshoot settling back, failure mode 44), and a window
            # measured again has settled only if that change has also shrunk to LEVEL_DECAY of the
            # one before (a settling decays; a drift from the start goes on as it began).
            left = self._unsettled(diff, m) or \
                (diff * self.h_lv_dir < 0.0 and self._unsettled(diff, m, LEVEL_BACK) and
                 self._settling_back(self.h_lv_k, self.h_lv_from, t)) or \
                (self.h_lv_tries > 0 and abs(diff) / (t - self.h_lv_from) > LEVEL_DECAY * self.h_lv_rate)
            if not left and self.h_lv_tries > 0 and abs(m - self.h_shift) > c.hold_band * self.h_shift:
                # Nor is a level measured again ever outside the hold band of the one the hold began
                # at (hold_start's): a force that settled further off moved on from the hold. The
                # first window's level stands.
                self.h_lv_open = False
                return True
        if left:
            if self.h_lv_tries < LEVEL_TRIES:
                self.h_lv_tries += 1
                self.h_lv_rate = abs(diff) / (t - self.h_lv_from)
                self.h_lv_k = self.n - 1
                self.h_lv_from = t
                return False
            self.h_lv_open = False
            return True
        if done or self.h_lv_tries == 0:
            self.h_level = m
        if done:
            self.h_lv_open = False
        return done

    def _level_behind(self, t: float) -> bool:
        """An excursion cut the level's window short and has ended in the same hold (back, come to
        rest, or on a level under a step away): the arrival may only now have ended (a staircase's
        last stair). The level is the last min_hold's mean if that has settled (halves within
        LEVEL_SETTLED, the averaged force within ARRIVAL of it) and lies within a step of the level
        the hold began at; True if it was taken. Only within the time the measurement had (the
        window and LEVEL_TRIES more): later, a drift that comes to rest is drift, for the band."""
        c = self.cfg
        if t > self.h_lv_from + (LEVEL_TRIES + 1 - self.h_lv_tries) * c.min_hold:
            self.h_lv_cut = self.h_lv_wait = False
            return False
        lo = self._sum_lo()
        k0 = self._back_to(self.n - 1, lo, t - c.min_hold)
        if self.ht[self._h(k0)] < self.h_lv_from:
            # Too soon: the last min_hold reaches back past where the level's window began (the
            # excursion ended within min_hold of it). Tried again on each steady tick until it does
            # not (_in_hold), then judged once: tried only at an excursion's end, a level measured on
            # an arrival still settling back from its overshoot stayed, 7-10 % high (failure mode 52).
            self.h_lv_wait = True
            return False
        self.h_lv_wait = False
        m = self._mean_ticks(k0, self.n)
        if self._unsettled(self._halves_change(k0, t - 0.5 * c.min_hold), m) or \
                abs(self.hm[self._h(self.n - 1)] - m) > self._arrival_tol(m):
            return False
        if abs(m - self.h_shift) > self._step_thr(self.h_shift):
            return False
        self.h_level = m
        self.h_lv_cut = False
        return True

    def _cut_level(self) -> None:
        """An excursion begins: the level stays what it was, and one still being measured is
        measured again if the excursion ends in this hold (``_level_behind``)."""
        if self.h_lv_open:
            self.h_lv_cut = True
        self.h_lv_open = False
