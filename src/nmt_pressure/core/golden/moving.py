"""An excursion being classified: a wobble, a step, a release, a departure (``left``) or drift."""

from __future__ import annotations

import math

from nmt_pressure.core.golden.constants import (
    ARRIVAL_K,
    B_IN,
    BRISK_RATE,
    BRISK_WAVER,
    FLAT,
    KNEE,
    LONG_FLAT,
    LONG_HOLD,
    PENDING_SLACK,
    RATE_LAG,
    SETTLE_TIME,
    SLOW_ARRIVAL,
    SLOW_RETRY,
    SLOW_SPAN,
    SPAN_20_80,
    STATS_LAG,
    TURN_PEAK,
    VEL_MEAN,
    WAVER_EVERY,
    WAVER_N,
)
from nmt_pressure.core.golden.steps import Steps


class Moving(Steps):
    """The moving sub-state: one tick of classifying an excursion."""

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
            elif self.mv_back >= 0.0 and (up == self.mv_ep_up or self.mv_homed) and \
                    self.mv_back - self.mv_ep <= c.leave_time:
                # Out again, having come back within leave_time: a new time away, timed and dated
                # on its own. On the other side it may only have passed through the band (a burst,
                # then a fall; a stroke's swing): the same departure goes on, unless it had come
                # to rest at its level first (a flinch back, then a twitch: failure mode 56). One
                # that stayed away longer had left.
                self.mv_ep = t
                self.mv_ep_on = self._scan_departure(self.mv_ref, self.mv_tol, k_now, 1 if up else -1,
                                                     self._hold_floor())
            self.mv_ep_up = up
            self.mv_back = -1.0
            self.mv_homed = False
            if self.mv_out < 0.0:
                self.mv_out = t
        elif self.mv_back < 0.0:
            # (Back when the force showed it: a tick ending a silence holds its value over it, and
            # a return seen only at a heartbeat a second later had come back within leave_time:
            # failure mode 63.)
            self.mv_back = self._shown_by(k_now, self._oldest())
        elif not self.mv_homed:
            # Back inside, it has come to rest at its level once it lay still there (moved under
            # half the hold band) for SETTLE_TIME: a swing passing through moves further.
            k0 = self._last_at(k_now, self._mean_lo(), t - SETTLE_TIME)
            if self.ht[self._h(k0)] >= self.mv_back and \
                    abs(y - self.hy[self._h(k0)]) <= 0.5 * self._wide(self.h_level):
                self.mv_homed = True
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
                if not self._partway_back():
                    self._leave(t)
                elif t - self.mv_back >= c.leave_time:
                    # Back only to the band's edge, and still there leave_time later: the force
                    # settled within the hold band of one level with the hold's (no step away,
                    # no new hold), and the hold goes on; its band told what lay outside it.
                    self._resume(t, y, False)
                # (Until then, wait: a return that goes on to the level or through it is no longer
                # partway, and the hold was left.)
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
            if ok and self._window_after(after) and (self.mv_fast or self._flat(t) or self._waving(t, after)):
                start, level = self._settle(mid, self.mv_onset)
                self.cd_start = start
                self.cd_level = level
                self.cd_out = -1.0
                self.cd_span = -1.0
                self.cd_brisk = -1.0
                self.cd_try = 0.0
                self.cd_wave = 0.0
                self.cd_knee = 0.0
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
                hold = c.slow_step_hold
                held = t - self.cd_start
                flat = held >= hold and t >= self.cd_try and self._flat(t)
                # A level that the patient's breathing or a sway moves 2-3 % every few seconds is
                # seldom flat over a min_hold, which gates the windows below; once it has held more
                # than LONG_HOLD times slow_step_hold, all it has held may judge it at any moment
                # the force lies at it (not away: a let-go under way is not flat, but it is out of
                # the candidate's band), its thirds averaging the waving out at the same drift rate
                # (failure mode 57).
                waved = not flat and not away and held >= hold and t >= self.cd_wave
                # ... or, from slow_step_hold on, flat within the waver steady holds showed: a
                # breath moves a slow_step_hold's thirds by a few percent, as much as a drift of
                # 1-2 %/s does, which only a longer window tells apart - over all the new level has
                # held, a drift goes on and a breath averages out (failure mode 59).
                # A level a brisk change reached is judged so too, with a waver of at least
                # BRISK_WAVER (failure mode 61).
                wv = self._level_waver(frm)
                wavy = waved and wv > 0.0 and self._flat(t, wv)
                waved = waved and held > LONG_HOLD * hold
                if flat or waved or wavy:
                    sgn = 1 if slow_dy > 0.0 else -1
                    # (Flat over slow_step_hold, or, for a hand that wavers, over twice as long by
                    # 2-s means, or over all it has held since it arrived: the same drift rate,
                    # less of the waver. A waver as slow as the 6-s window spreads its thirds by
                    # its whole swing; a longer one averages it out (failure mode 53).)
                    # (The longer windows, and a wavy level's, within their flatness widened by the
                    # waver steady holds showed: failure mode 59.)
                    long = LONG_HOLD * hold
                    w_long = self._wavered(LONG_FLAT, long, wv)
                    w_held = self._wavered(FLAT * held / hold, held, wv)
                    if not self._steady_for(t, hold) or \
                            not ((flat and (self._flat_thirds(t, hold, sgn) or
                                            (held >= long and self._flat_thirds(t, long, sgn, w_long)))) or
                                 (wavy and self._flat_thirds(t, hold, sgn, self._wavered(FLAT, hold, wv)) and
                                  self._flat_thirds(t, held, sgn, w_held)) or
                                 (held > long and self._flat_thirds(t, held, sgn, w_held))):
                        # An outlier or a trend in the window: not before it has moved on.
                        if flat:
                            self.cd_try = t + SLOW_RETRY
                        else:
                            self.cd_wave = t + SLOW_RETRY
                    else:
                        arrived = self._scan_arrival(mid, SLOW_ARRIVAL * mid + ARRIVAL_K * self.sig_f,
                                                     self._wide(mid), self.mv_onset)
                        if t - arrived < hold:
                            self.cd_try = arrived + hold
                            self.cd_wave = self.cd_try
                            self.cd_knee = self.cd_try  # (flat, and arriving: its own verdict first)
                        elif self._span(self.mv_base, mid, arrived) <= SLOW_SPAN * slow_max:
                            self._step(t, k_now, True)
                        else:
                            self._resume(t, y, True)  # too slow for an ease: a drift that came to rest
                        return
                if t - self.cd_start >= hold and t >= self.cd_knee:
                    # ... or not flat, but settled after the ease into a give back far slower than
                    # it (failure mode 45).
                    self._knee_step(t, k_now, mid)
                return  # wait: steady long enough at the new level makes it a slow step
            if away:
                return  # back to the candidate, or it lapses
            if relative and abs(self.cd_level - self.h_level) >= self._step_thr(self.h_level) and \
                    self._left_fast():
                self._leave(t)  # it left fast and settled where no step leads: a new hold begins
            elif self.h_lv_cut and self._take_level_behind(t):
                # ... not while the arrival it cut short has settled on a level within a step: that
                # is this hold's level (a staircase arrival's last stair), and the hold goes on.
                self._resume(t, y, False)
            elif relative and (not self.mv_fast or
                               (self.sl_onset < self.mv_onset and
                                self.mv_dir * (self.mv_ref - self.mv_base) > 0.0)) and \
                    t - self.sl_left <= slow_max + c.min_hold + PENDING_SLACK:
                # A slow ease may rest a moment on its way, or a brisk push carry it on the way it
                # went (failure mode 43): wait until it can no longer be a step. (A push back the
                # other way is a change of its own, judged from the hold resumed.)
                pass
            else:
                self._resume(t, y, True)  # near the old level, or a slow drift that came to rest
            return
        # No new hold yet: give up waiting when neither kind of step can still complete.
        fast_open = t - self.mv_onset <= c.step_max_duration + c.min_hold + PENDING_SLACK
        # (A fast movement that has come back from its peak is no slow step on its way.)
        slow_open = relative and t - self.sl_left <= slow_max + c.min_hold + PENDING_SLACK and \
            not (self.mv_fast and self._back_from_peak(y))
        if fast_open or slow_open:
            return
        if y < self._release_floor(self.h_level):
            # A let-go under way, light contact left: its release (the 15 % rule) ends the hold, or,
            # if the force comes back before, it is judged then - no drift, nor yet a departure.
            pass
        elif self._away_for(t) > c.leave_time and self._left_fast():
            self._leave(t)
        else:
            self._resume(t, y, out)  # drift that never settled (the band watches it), or back

    def _back_from_peak(self, y: float) -> bool:
        """The force ``y`` lies more than a hold band back from the movement's peak: a band of the
        hold's level, or of the peak's where that is higher - a step up to twice the level and more
        wavers on its new level by the new level's band, and an overshoot settling there is not a
        movement back (failure mode 62)."""
        peak = self.sl_ref + self.mv_peak if y > self.sl_ref else self.sl_ref - self.mv_peak
        if peak < self.h_level:
            peak = self.h_level
        return self.mv_peak - abs(y - self.sl_ref) > self._wide(peak)

    def _waving(self, t: float, after: float) -> bool:
        """After a slow excursion (which needs the last min_hold flat for a new level to be
        measured), a level that the patient's breathing or a sway keeps moving seldom is: it is
        measured too where the last LONG_HOLD times slow_step_hold, all after the movement (from
        ``after``), lay near one level a step from the hold's, its thirds within LONG_FLAT and no
        peak (the longer window of failure mode 39; failure mode 57). Asked every SLOW_RETRY."""
        dur = LONG_HOLD * self.cfg.slow_step_hold
        if t < self.cd_wave or t - dur < after:
            return False
        if self._steady_for(t, dur) and \
                self._flat_thirds(t, dur, self.mv_dir, self._wavered(LONG_FLAT, dur, self.wv)):
            return True
        self.cd_wave = t + SLOW_RETRY
        return False

    def _level_waver(self, frm: float) -> float:
        """The waver a slow step's new level is judged with: the one steady holds showed (``wv``,
        failure mode 59), and after a brisk change from ``frm`` at least BRISK_WAVER. Brisk: faster
        than the step rate at its peak (``mv_fast``) and, on average over its middle 60 % (its 20-80 %
        span), than BRISK_RATE of it - no slow drift, whose turn FLAT guards against, nor a drift
        that a wobble on its way lifted over the rate test once. A hand that has just moved briskly
        onto a new barrier wavers on it (cross-fibre friction, a novice hunting around it) where the
        hold it came from may have been still and taught nothing (failure mode 61)."""
        if self.mv_fast and self.wv < BRISK_WAVER:
            if self.cd_brisk < 0.0:  # (the candidate's change lies in the past: measured once)
                # (At BRISK_RATE of the step rate, the change's middle 60 % takes at most this long.)
                most = 0.6 * abs(self.cd_level - frm) / (BRISK_RATE * self.cfg.step_rate * frm) \
                    if frm > 0.0 else -1.0
                self.cd_brisk = 1.0 if self._span(frm, self.cd_level, self.cd_start) <= most else 0.0
            if self.cd_brisk > 0.0:
                return BRISK_WAVER
        return self.wv

    def _learn_waver(self, t: float, k_now: int, spoilt: bool) -> None:
        """Learn the waver of steady holds (``wv``): every WAVER_EVERY s, twice the last
        slow_step_hold's middle third's bow off the line through the outer two, less the thirds'
        noise, relative to the level; ``wv`` is the median of the last WAVER_N. Only from windows
        that lie wholly in a hold's settled part and in which it stayed steady on every tick (not
        ``spoilt``: out of its band, or drifting): a flinch or a nudge that took it out is no waver
        of its level (failure mode 59)."""
        if spoilt or self.wv_k != k_now - 1:
            self.wv_calm = t
        self.wv_k = k_now
        hold = self.cfg.slow_step_hold
        if spoilt or self.h_lv_open or t < self.wv_next or t - hold < max(self.wv_calm, self.h_settled):
            return
        self.wv_next = t + WAVER_EVERY
        m0, m1, m2 = self._thirds(t, hold)
        mean = (m0 + m1 + m2) / 3.0
        if mean <= 0.0:
            return
        # (Twice the middle third's bow off the line through the outer two: a breath's spread, which
        # a drift's does not show, less what the thirds' noise gives it.)
        bow = m1 - 0.5 * (m0 + m2)
        spread = 2.0 * (bow if bow > 0.0 else -bow) - self._means_apart(hold / 3.0)
        self.wv_buf[self.wv_n % WAVER_N] = (spread if spread > 0.0 else 0.0) / mean
        self.wv_n += 1
        n = self.wv_n if self.wv_n < WAVER_N else WAVER_N
        if 3 * n < WAVER_N:
            return  # (too few windows yet to say)
        b = sorted(self.wv_buf[:n])
        self.wv = b[n // 2] if n % 2 else 0.5 * (b[n // 2 - 1] + b[n // 2])

    def _thirds(self, t: float, dur: float) -> tuple[float, float, float]:
        """The means of the thirds of the ``dur`` seconds up to ``t`` (now, or earlier), oldest
        first."""
        third = dur / 3.0
        lo = max(self._oldest(), self.win_from)
        k = self._last_at(self.n - 1, lo, t)
        b = k + 1
        means = [0.0, 0.0, 0.0]
        for j in range(1, 4):
            k = self._back_to(k, lo, t - j * third)
            means[3 - j] = self._mean_ticks(k, b)
            b = k
        return means[0], means[1], means[2]

    def _thirds_tol(self, level: float, dur: float, flat_frac: float) -> float:
        """How far a ``dur``-s window's thirds may lie apart and still be flat: ``flat_frac`` of
        the level and the thirds' means' noise allowance, in quadrature (see ``_flat_thirds``)."""
        flat = flat_frac * level
        noise = self._means_apart(dur / 3.0)
        return math.sqrt(flat * flat + noise * noise)

    def _line_back(self, t_end: float, dur: float, direction: int,
                   rate: float) -> tuple[bool, float, float]:
        """Whether the ``dur`` seconds before ``t_end`` lie on a line no steeper than ``rate`` (N/s)
        and not on the way ``direction`` (the step's sign) went: its middle third's mean within the
        thirds' flatness tolerance of the outer two's mean, and not beyond it away from the old
        level by more than ``TURN_PEAK`` of it (no peak, as ``_flat_thirds`` judges a level); the
        line's slope; and its value where the window begins (the oldest third's centre is dur/6 in)."""
        m_old, m_mid, m_new = self._thirds(t_end, dur)
        slope = (m_new - m_old) / (2.0 * dur / 3.0)
        start = m_old - slope * dur / 6.0
        if abs(slope) > rate or direction * slope > 0.0:
            return False, slope, start  # (too steep, or on the way the ease went: still easing)
        tol = self._thirds_tol(m_mid, dur, FLAT)
        bow = direction * (m_mid - 0.5 * (m_old + m_new))
        return -tol <= bow <= TURN_PEAK * tol, slope, start

    def _knee(self, t: float, dur: float, direction: int, rate: float) -> float:
        """Where the force, settled after an ease into a slow line back (``KNEE``, failure mode 45),
        began it: the line's value ``dur`` seconds ago, the barrier the ease reached; NaN if it has
        not. The last ``dur`` seconds, and those a third of it before, lie on such lines
        (``_line_back``: a drift's turn whose first moments look like a gentle line has the drift's
        end in the earlier window); the rate now (``v``) lies within ``_flat``'s allowance of the
        line's; and the last ``min_hold``'s thirds, the line taken off, within ``_flat``'s tolerance
        of each other (the averaged rate lags a turn that has just begun)."""
        on, slope, start = self._line_back(t, dur, direction, rate)
        if not on or not self._line_back(t - dur / 3.0, dur, direction, rate)[0]:
            return math.nan
        m0, m1, m2 = self._last_thirds()
        if abs(self.v - slope) > FLAT * m1 / (0.5 * self.cfg.min_hold) + self._v_floor():
            return math.nan
        rise = slope * self.cfg.min_hold / 3.0  # (between the thirds' centres)
        if max(m0 + rise, m1, m2 - rise) - min(m0 + rise, m1, m2 - rise) > FLAT * m1 + ARRIVAL_K * self.sig_f:
            return math.nan
        return start

    def _knee_step(self, t: float, k_now: int, mid: float) -> None:
        """A slow step whose new level gives back (``KNEE``, failure mode 45): the
        ``slow_step_hold`` window near one level a step away (``_steady_for``) lies on a line back at
        most ``KNEE`` times as steep as the ease before it, which came from the excursion's base to
        the level now (``mid``) within an ease's 20-80 % span; the hold's level is where that line
        began. Else tried again ``SLOW_RETRY`` later."""
        hold = self.cfg.slow_step_hold
        dy = mid - self.mv_base
        direction = 1 if dy > 0.0 else -1
        m0, m1, m2 = self._last_thirds()
        # (Cheapest first: a force still moving on the ease's way over the last min_hold, as a
        # drift goes on, fails _knee's own last test; the scans below cost a few hundred ticks.)
        if direction * (m2 - m0) <= FLAT * m1 + ARRIVAL_K * self.sig_f:
            sp = self._span(self.mv_base, mid, t - hold)
            if 0.0 < sp <= SLOW_SPAN * self.cfg.slow_step_limit and self._steady_for(t, hold):
                at = self._knee(t, hold, direction, KNEE * 0.6 * abs(dy) / sp)
                if not math.isnan(at):
                    self._step(t, k_now, True, at)
                    return
        self.cd_knee = t + SLOW_RETRY

