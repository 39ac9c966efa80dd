"""The target band: exits after ``alert_debounce`` outside, enters after ``band_enter_debounce`` back inside,
each dated where the tremor-averaged force crossed the edge."""

from __future__ import annotations

from nmt_pressure.core.golden.constants import (
    B_HIGH,
    B_IN,
    B_LOW,
    BAND_K,
    BRISK_SPAN,
    DRIFT_MAX,
    EXIT_MEAN,
    MOVING,
    RATE_LAG,
    TREND_SPAN,
    VEL_MEAN,
    WIDE_QUANTA,
)
from nmt_pressure.core.golden.excursion import Excursion


class Band(Excursion):
    """Band exits and enters, with their onsets."""

    def _band(self, t: float, y: float, steady: bool = False) -> None:
        """Watch the band (``steady``: from a hold's steady tick, where a change may begin)."""
        c = self.cfg
        centre = self.target if self.has_target else self.h_level
        half = c.tolerance * centre
        margin = BAND_K * self.sig_f
        if margin > 0.5 * half:
            margin = 0.5 * half
        tj = t  # the moment the judged force stands for
        if y > centre + half + margin:
            cand = B_HIGH
        elif y < centre - half - margin:
            cand = B_LOW
        else:
            cand = self.b_state  # near the edge: no evidence of a change
        if self.b_state != B_IN:
            # Back inside is judged on the force averaged over VEL_MEAN (tremor out), which stands
            # for the middle of that window: inside the edge itself by that mean's own noise and the
            # quantum's bound (a coarse reading is within half a quantum of the force), not by a
            # fixed share of the band. A tremor peak past the edge does not interrupt it.
            m = self.hm[self._h(self.n - 1)]
            if abs(m - centre) <= half - BAND_K * self._mean_noise(VEL_MEAN) - WIDE_QUANTA * self._q():
                cand = B_IN
                tj = t - 0.5 * VEL_MEAN
        if cand != self.b_cand:
            self.b_cand = cand
            self.b_since = tj
        need = c.band_enter_debounce if cand == B_IN else c.alert_debounce
        if cand != self.b_state and tj - self.b_since >= need:
            if cand == B_IN:
                self._band_event("band_enter", self.b_since, None, centre, self.b_since)
            else:
                onset = self.b_since
                from_in = self.b_state == B_IN
                if not from_in:  # high → low without passing through the band
                    self._band_event("band_enter", self.b_since, None, centre, self.b_since)
                else:
                    onset = self._exit_onset(centre + half if cand == B_HIGH else centre - half,
                                             1.0 if cand == B_HIGH else -1.0)
                # Where the rate cannot tell a step from drift (its jitter floor above the drift
                # limit: a light hold on a noisy sensor), the crossing can: the force went from half
                # the band out to its edge faster than drift can.
                # (Not about a level of 0 or less: a stream of garbage can leave one, and the
                # crossing's time is measured against a rate of that level.)
                v_floor = self._v_floor()
                brisk = self.h_level > 0.0 and v_floor > DRIFT_MAX * self.h_level and \
                    self._crossed_briskly(centre, half, 1.0 if cand == B_HIGH else -1.0, onset)
                if brisk and steady and not self.drifting and not self.has_target:
                    # ... and there the band, by its edge and one noise unit, sees the force leave
                    # before the hold's own tests (widened by that noise) do: a change begins now.
                    self._excursion(t, self.n - 1, False, 1 if cand == B_HIGH else -1, self.h_level)
                    self._cut_level()
                # A drift out of the band is told where its trend crossed the edge (the decisions
                # here stand on the averaged force's own crossing, ``onset``).
                told = self._trend_onset(centre + half if cand == B_HIGH else centre - half,
                                         1.0 if cand == B_HIGH else -1.0, onset, t) if from_in else onset
                if self.sub == MOVING and not self.mv_fast and not self.b_brisk and \
                        t - self.sl_onset <= c.step_max_duration + RATE_LAG and \
                        (brisk or (self.mv_vpk >= DRIFT_MAX * self.h_level and
                                   (self.mv_vpk >= v_floor or t - self.bk_t <= BRISK_SPAN))):
                    # A slow excursion that moved faster than drift may be a fast step the averaged
                    # (lagging) rate test has not seen: its band events are held back like a fast
                    # one's, told (dated as ever) as soon as it can no longer be such a step.
                    self.b_brisk = True
                    tb = self.b_since
                    self.b_since = onset
                    self._band_event("band_exit", tb, "high" if cand == B_HIGH else "low", centre, told)
                elif self.sub == MOVING and self.mv_fast:
                    # Held back: whether it belongs to the hold is judged by when the force itself
                    # went out (the centred average leads a fast drop, whose own exit is dropped);
                    # if it does (drift), it is told where its trend crossed.
                    self._band_event("band_exit", self.b_since, "high" if cand == B_HIGH else "low", centre,
                                     told)
                else:
                    self.b_since = onset
                    self._band_event("band_exit", onset, "high" if cand == B_HIGH else "low", centre, told)
                self.b_exit_t = self.b_since
            self.b_state = cand
            self.b_floor = self.b_since

    def _crossed_briskly(self, centre: float, half: float, sgn: float, onset: float) -> bool:
        """The force averaged over EXIT_MEAN went from half the band out to its edge (at ``onset``)
        faster than drift can."""
        t_half = self._exit_onset(centre + sgn * 0.5 * half, sgn)
        return onset - t_half < 0.5 * half / (DRIFT_MAX * self.h_level)

    def _exit_onset(self, edge: float, sgn: float) -> float:
        """Where an exit past ``edge`` (``sgn`` +1 high, -1 low) began: the last moment the force
        averaged over EXIT_MEAN around it crossed the edge, back from the latest moment whose window
        is complete; ``b_since`` if that average is not outside (a peak, no drift), never before
        ``b_floor``."""
        t_end = self.ht[self._h(self.n - 1)]
        lo = self._sum_lo()
        hw = 0.5 * EXIT_MEAN
        kc = self.n - 1
        while kc > lo and self.ht[self._h(kc)] > t_end - hw:
            kc -= 1
        kb = self.n - 1  # last tick of the window around kc
        ka = kc  # first tick of the window around kc
        while ka > lo and self.ht[self._h(ka - 1)] >= self.ht[self._h(kc)] - hw:
            ka -= 1
        m = self._mean_ticks(ka, kb + 1)
        if sgn * (m - edge) <= 0.0:
            return self.b_since
        t_after = self.ht[self._h(kc)]
        m_after = m
        while kc > lo and self.ht[self._h(kc - 1)] >= self.b_floor:
            kc -= 1
            tc = self.ht[self._h(kc)]
            while kb > kc and self.ht[self._h(kb)] > tc + hw:
                kb -= 1
            while ka > lo and self.ht[self._h(ka - 1)] >= tc - hw:
                ka -= 1
            m = self._mean_ticks(ka, kb + 1)
            if sgn * (m - edge) <= 0.0:
                # Between this tick and the next: where the average met the edge.
                tx = tc + (edge - m) / (m_after - m) * (t_after - tc)
                return tx if tx < self.b_since else self.b_since
            t_after = tc
            m_after = m
        return t_after if t_after < self.b_since else self.b_since

    def _trend_onset(self, edge: float, sgn: float, onset: float, t: float) -> float:
        """Where a drift out past ``edge`` (``sgn`` +1 high, -1 low) crossed it: the line fitted
        (time-weighted least squares) to the filtered force over the ``TREND_SPAN`` before ``t``,
        never before ``b_floor``, met the edge, less the filter's lag on a ramp (2·tau). ``onset``
        where that line does not leave the band as a drift does (it points back in, or moves faster
        than drift), the span is less than half there, or the crossing lies outside [the span's start
        less its length, ``t``]."""
        lo_t = t - TREND_SPAN
        if lo_t < self.b_floor:
            lo_t = self.b_floor
        if t - lo_t < 0.5 * TREND_SPAN:
            return onset
        lo = self._oldest()
        k = self.n - 1
        sw = sx = sy = sxx = sxy = 0.0
        while k >= lo and self.ht[self._h(k)] >= lo_t:
            j = self._h(k)
            w = self.hw[j]
            x = self.ht[j] - t  # about now: a clock at 90,000 s keeps its precision
            sw += w
            sx += w * x
            sy += w * self.hy[j]
            sxx += w * x * x
            sxy += w * x * self.hy[j]
            k -= 1
        den = sw * sxx - sx * sx
        if sw <= 0.0 or den <= 0.0:
            return onset
        b = (sw * sxy - sx * sy) / den
        if sgn * b <= 0.0 or sgn * b > DRIFT_MAX * self.h_level:
            return onset
        a = (sy - b * sx) / sw
        tx = t + (edge - a) / b - 2.0 * self.tau
        if tx > t or tx < lo_t - (t - lo_t) or tx < self.b_floor:
            return onset
        return tx
