"""An excursion begins: the jitter and reference learned only while steady, and the departure dated."""

from __future__ import annotations

import math

from nmt_pressure.core.golden.constants import DEPART, DEPART_K, LEARN_FRAC, MOVING, RATE_LAG, STEADY
from nmt_pressure.core.golden.leaving import Leaving


class Excursion(Leaving):
    """Learning while steady, and the start of an excursion."""

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

    def _left_rest(self, k_now: int, direction: int, onset: float,
                   passed: float) -> tuple[float, float, float]:
        """A slow excursion's onset and where it passed the departure tolerance, from where the
        force last rested: a hold that had crept or given a few percent (inside its band) and rested
        there for ``min_hold`` before it left is left from that rest (a hold by the contract's
        letter, and the same one), not from where the creep first took it past the tolerance about
        the hold's level - seconds earlier, which dated a slow step's ease that long early and
        counted its deadline from there (failure mode 50). The latest rest (``_rest_level``) lying
        wholly after ``passed``, if it lay within the hold band of the hold's level (one further off
        is where a change had led, not where it began); and its level, where the excursion began:
        its distance is measured from there (whether it got a step away as fast as a departure must
        is judged from the rest, not from the hold's level with the creep's percent already on it).
        ``(onset, passed, NaN)`` where there is none."""
        half = 0.5 * self.cfg.min_hold
        lo = self._mean_lo()
        kb = k_now
        km = self._back_to(kb, lo, self.ht[self._h(kb)] - half)
        ka = self._back_to(km, lo, self.ht[self._h(kb)] - 2.0 * half)
        while kb > lo and self.ht[self._h(kb)] - 2.0 * half >= passed:
            level = self._rest_level(ka, km, kb, lo)
            if not math.isnan(level):
                if abs(level - self.h_level) > self.cfg.hold_band * self.h_level:
                    break  # resting away from the hold (where a change led): not the hold's rest
                tol = DEPART * level + DEPART_K * self.sig_f
                onset, passed = self._departure(level, tol, k_now, direction, self._hold_floor())
                return onset, passed, level
            kb -= 1
            t_end = self.ht[self._h(kb)]
            km = self._back_to(km, lo, t_end - half)
            ka = self._back_to(ka, lo, t_end - 2.0 * half)
        return onset, passed, math.nan

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
            self.mv_homed = False
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
        self.cd_brisk = -1.0
        self.mv_fast = fast
        self.mv_dir = direction
        self.mv_ref = ref
        self.mv_tol = DEPART * ref + DEPART_K * self.sig_f
        self.mv_onset, passed = self._departure(ref, self.mv_tol, k_now, direction, self._hold_floor())
        rest = math.nan
        if fresh and not fast:
            self.mv_onset, passed, rest = self._left_rest(k_now, direction, self.mv_onset, passed)
        if fresh or (fast and was_slow and self.mv_out >= 0.0 and t - self.mv_out <= RATE_LAG):
            # (A slow excursion that turns fast within the rate's lag of going out was this fast
            # movement all along - a creeping or drifting hold near its band's edge when it began:
            # the level test only saw it first, the rate being an average.)
            self.sl_onset = self.mv_onset
            self.sl_ref = ref if math.isnan(rest) else rest
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
