"""Allowances in newtons: the sensor's quantum, the measured noise, and the tolerances built from them."""

from __future__ import annotations

import math

from nmt_pressure.core.golden.constants import (
    ARRIVAL,
    ARRIVAL_K,
    LEVEL_SETTLED,
    NOISE_K,
    STEP_QUANTA,
    VEL_SPAN,
    WIDE_QUANTA,
)
from nmt_pressure.core.golden.history import History


class Allowances(History):
    """Noise, quantum and the tolerances that scale with them (a hold's band, a step's threshold)."""

    def _q(self) -> float:
        """The reading's quantum, or 0 for a sensor finer than anything that matters here."""
        return self.quantum if self.quantum < math.inf else 0.0

    def _sig_n(self) -> float:
        """The filtered force's noise beyond what the reading's quantum makes: a quantised reading is
        within q/2 of the force, so the quantum adds at most (q/2)^2 to the raw variance (a steady
        force between two quanta, read as one or the other); what is left is noise that is not
        bounded, to which a noise allowance of NOISE_K sigmas applies."""
        hq = 0.5 * self._q() * self.sqrt_c
        n2 = self.sig_f * self.sig_f - hq * hq
        return math.sqrt(n2) if n2 > 0.0 else 0.0

    def _noise_frac(self, dur: float) -> float:
        """The fraction of one filtered sample's noise left in a mean over ``dur`` seconds (see
        ``_mean_noise``)."""
        span = 4.0 * self.tau
        if self.dt_avg > span:
            span = self.dt_avg
        return math.sqrt(span / dur) if span < dur else 1.0

    def _mean_noise(self, dur: float) -> float:
        """Noise (sd, N) of the filtered force's mean over ``dur`` seconds: ``sig_f`` is that of one
        filtered sample, whose noise is correlated over ``4·tau`` (the low-pass's noise span, from
        which ``sig_f`` is computed) or over a sample interval if that is longer; a mean over
        ``dur`` averages ``dur`` / that many independent parts of it."""
        return self.sig_f * self._noise_frac(dur)

    def _means_apart(self, dur: float) -> float:
        """How far two means over ``dur`` seconds each may lie apart by noise alone: ``ARRIVAL_K``
        times their difference's sd (√2 times one mean's)."""
        return ARRIVAL_K * 1.4142135623730951 * self._mean_noise(dur)

    def _wide(self, level: float, frac: float = 1.0) -> float:
        """Half-width of "steady" around ``level``: the hold band, widened by noise (and a coarse
        sensor's quantum) up to twice. The quantum counts by its bound (a reading is within half a
        quantum of the force), only the noise beyond it in sigmas (``_sig_n``), scaled by ``frac``
        for a mean whose noise is that fraction of one filtered sample's."""
        band = self.cfg.hold_band * level
        allow = NOISE_K * self._sig_n() * frac + WIDE_QUANTA * self._q()
        return band + (allow if allow < band else band)

    def _wide_mean(self, level: float) -> float:
        """``_wide`` for the force averaged over the last half ``min_hold`` (its noise a fraction of
        one filtered sample's; the quantum's bound is the same)."""
        return self._wide(level, self._noise_frac(0.5 * self.cfg.min_hold))

    def _step_thr(self, level: float) -> float:
        """Smallest change of level that is a step: ``step_min``, and more than one quantum."""
        a = self.cfg.step_min * level
        b = STEP_QUANTA * self._q()
        return a if a > b else b

    def _v_floor(self) -> float:
        """The least rate (N/s) that is movement: the hand's velocity jitter (tremor, pulse, aliasing)
        and the noise of the rate estimate; the rate test and the quiet test never go below it."""
        noise = NOISE_K * 1.4142135623730951 * self.sig_f
        q = self._q()
        if q > 0.0:
            # The quantum moves the rate by at most q / VEL_SPAN (each mean is within q/2 of the
            # force's), however much of sig_f it makes: that bound plus the noise beyond it.
            alt = NOISE_K * 1.4142135623730951 * self._sig_n() + q
            if alt < noise:
                noise = alt
        return 4.0 * self.vj + noise / VEL_SPAN

    def _arrival_tol(self, m: float) -> float:
        """How far the averaged force may lie from a level ``m`` and still be in its settled part
        (ARRIVAL, plus noise and a quantum)."""
        return ARRIVAL * m + ARRIVAL_K * self.sig_f + self._q()

    def _hold_floor(self) -> float:
        """No hold ends inside its first ``min_hold``: the earliest a departure may be dated."""
        return self.h_start + self.cfg.min_hold

    def _unsettled(self, diff: float, m: float, frac: float = LEVEL_SETTLED) -> bool:
        """A level window whose halves lie ``diff`` apart about ``m`` is still settling: more than
        ``frac`` of it (LEVEL_SETTLED; LEVEL_BACK for an overshoot decaying), beyond the noise of two
        half-window means' difference and a quantum."""
        return abs(diff) > frac * m + self._means_apart(0.5 * self.cfg.min_hold) + self._q()

    def _left_drift(self, y: float, m: float) -> bool:
        """The force (``y``, or ``m``, its mean over the last half min_hold) has left where it was
        when an excursion was judged drift (``dr_level``): by the steady band about it, as the level
        test sees a hold's."""
        if abs(y - self.dr_level) > self._wide(self.dr_level):
            return True
        return abs(m - self.dr_level) > self._wide_mean(self.dr_level)
