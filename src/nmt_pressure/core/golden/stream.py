"""The public detector, and the per-sample stage: time checks, spike rejection, the low-pass and the ticks."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from nmt_pressure.core.events import Event
from nmt_pressure.core.golden.constants import (
    BATCH_FRAC,
    BRISK_SPAN,
    CONTACT,
    HOLD,
    IDLE,
    MAR_ALPHA,
    MAR_PER_SIGMA,
    REPEAT_CAP,
    REPEAT_SPAN,
    SPIKE_FLOOR,
    STEADY,
    TICK_DUE,
    VEL_MEAN,
    VEL_SPAN,
    WARMUP,
)
from nmt_pressure.core.golden.states import States


class Detector(States):
    """Pure-Python hold detector. Same API and results as the compiled ``_core.Detector``."""

    def process(self, t: Sequence[float] | np.ndarray, force: Sequence[float] | np.ndarray,
                filtered: np.ndarray | None = None) -> list[Event]:
        """Feed a block of samples; returns the events they produced (chunk-invariant).

        ``filtered``, if given (a float64 array as long as ``t``), receives the low-passed force after
        each sample: the bold trace a display draws.
        """
        ta = np.asarray(t, dtype=np.float64)
        fa = np.asarray(force, dtype=np.float64)
        if ta.shape != fa.shape or ta.ndim != 1:
            raise ValueError("t and force must be 1-D arrays of the same length")
        if filtered is not None and (filtered.shape != ta.shape or filtered.dtype != np.float64):
            raise ValueError("filtered must be a float64 array as long as t")
        for i in range(ta.shape[0]):
            self._sample(float(ta[i]), float(fa[i]))
            if filtered is not None:
                filtered[i] = self.y2
        out = self._events
        self._events = []
        return out

    def push(self, t: float, force: float) -> list[Event]:
        """Feed one sample; returns the events it produced (usually none)."""
        self._sample(float(t), float(force))
        out = self._events
        self._events = []
        return out

    def finish(self) -> list[Event]:
        """End of data: close an open hold (``ended_by='end_of_data'``). Returns events (none today)."""
        self.ignored += len(self.rep)  # a run still waiting for a next stamp has no time to be fed at
        self.rep.clear()
        if self.started:
            self._end_of_data(self.t_last)
        out = self._events
        self._events = []
        return out

    def reset(self) -> None:
        """Forget the stream (holds found so far are kept)."""
        self._reset_stream()

    @property
    def state(self) -> int:
        """0 idle, 1 contact, 2 holding, 3 moving (a change inside a hold being classified)."""
        if self.st == HOLD and self.sub != STEADY:
            return 3
        return self.st

    @property
    def filtered(self) -> float:
        return self.y2

    def _sample(self, t: float, x: float) -> None:
        if not (math.isfinite(t) and math.isfinite(x)):
            self.ignored += 1
            return
        if not self.started:
            self.t_now = t
            self._start_stream(t, x)
            return
        dt = t - self.t_last
        if dt == 0.0 or 0.0 < dt < BATCH_FRAC * self.dt_avg:
            # The same timestamp again (a batch stamped on arrival, a coarse clock), or one a
            # small fraction of the sample interval later (a batch whose lines were stamped as
            # they were parsed): the sample is real but its time is not known until the next
            # timestamp comes.
            if len(self.rep) < REPEAT_CAP:
                self.rep.append(x)
            else:
                self.ignored += 1
            return
        if not (dt > 0.0):
            # Time going back: the sample is ignored, and the clock events are told by (t_now)
            # stays where the stream is - what the end of data tells is told no earlier than what
            # came before it, nor before the last sample it closes.
            self.ignored += 1
            return
        self.t_now = t
        if self.rep:
            # Spread the run evenly between its timestamp and this one, in arrival order.
            if dt <= REPEAT_SPAN and dt <= self.cfg.max_gap:
                t0 = self.t_last
                k = len(self.rep) + 1
                for j, xr in enumerate(self.rep, 1):
                    self._accept(t0 + j * dt / k, xr)
            else:
                self.ignored += len(self.rep)
            self.rep.clear()
        if dt > self.cfg.max_gap:
            # A silence: close what was open at the last real sample and start afresh, rather than
            # bridging the gap with a filter that would invent a ramp.
            self.gaps += 1
            self._end_of_data(self.t_last)
            self._reset_stream()
            self.t_now = t
            self._start_stream(t, x)
            return
        self._accept(t, x)

    def _accept(self, t: float, x: float) -> None:
        """A sample with a time after the last one's, within ``max_gap``: spike check, then the filter."""
        self.samples += 1
        self.t_last = t
        # Single-sample spike rejection: predict linearly from the last two fed samples; a sample far
        # off the prediction is held back until the next one says whether the jump was real.
        if self.fed < WARMUP:
            self._feed(t, x)  # too little seen yet to call anything a spike
            return
        thr = self.thr
        if self.pend:
            self.pend = False
            # A lone spike: the next sample is back nearer where the stream was than where the
            # suspect went. A real fast change goes on (or stays) where the suspect pointed.
            if abs(x - self.x1) < 0.5 * abs(self.pend_x - self.x1):
                self.spikes += 1  # the held sample was a lone spike: drop it
            else:
                self._feed(self.pend_t, self.pend_x)
            self._feed(t, x)
            return
        r = x - (2.0 * self.x1 - self.x2)
        d = self.x1 - self.x2
        # ... but one that stops short of the line, between the last sample and it, is a fast
        # movement stopped (a let-go at zero, a press at its level): a glitch overshoots the line.
        if abs(r) > thr and not (r * d <= 0.0 and abs(r) <= abs(d)):
            self.pend = True
            self.pend_t = t
            self.pend_x = x
            return
        self._feed(t, x)

    def _start_stream(self, t: float, x: float) -> None:
        self.started = True
        self.t_last = t
        self.t_fed = t
        self.x1 = self.x2 = x
        self.y1 = self.y2 = x
        self.next_tick = t
        self.t_tick = t
        self.samples += 1
        self._feed(t, x)

    def _feed(self, t: float, x: float) -> None:
        # Robust noise tracker: the mean absolute linear-prediction residual. Each residual is
        # clipped at three times the current estimate (so ramps and spikes barely move it) and the
        # estimate is updated once per tick from their mean, which keeps the per-sample path short.
        r = abs(x - (2.0 * self.x1 - self.x2))
        dq = abs(x - self.x1)
        if 0.0 < dq < self.quantum:
            self.quantum = dq
        if x < self.x_lo:
            self.x_lo = x
        if self.fed < WARMUP:
            # Warm-up: a plain running mean, so the estimate is usable within a few samples.
            self.fed += 1
            if self.fed > 2:
                if self.fed > 5 and r > self.r_lim:
                    r = self.r_lim  # a ramp already under way must not pass for noise
                self.mar += (r - self.mar) / (self.fed - 2)
                self.thr = self.cfg.spike_k * self.mar + SPIKE_FLOOR
                self.r_lim = 3.0 * self.mar + 0.01
        else:
            self.r_acc += r if r < self.r_lim else self.r_lim
            self.r_n += 1
        self.x2 = self.x1
        self.x1 = x
        dt = t - self.t_fed
        self.t_fed = t
        if dt > 0.0:
            # Timestamps of a uniform stream differ in their last bits; a gain recomputed only when
            # the interval really changes spares a division per sample at no cost in accuracy.
            if abs(dt - self.dt_c) > 1e-6 * dt:
                self.dt_c = dt
                self.alpha = dt / (self.tau + dt)
            self.y1 += self.alpha * (x - self.y1)
            self.y2 += self.alpha * (self.y1 - self.y2)
        self.n_in_tick += 1
        if t >= self.next_tick:
            self._tick_due(t)

    def _tick_due(self, t: float) -> None:
        """The sample at ``t`` (already fed) closes a tick: the per-tick noise statistics, then
        detection. (Its own step, as in Cython, whose fast per-sample path runs it directly.)"""
        w = t - self.t_tick
        if w > 0.0:
            if self.dt_avg == 0.0:
                self.dt_avg = w / self.n_in_tick
            self.dt_avg += 0.2 * (w / self.n_in_tick - self.dt_avg)
        if self.r_n > 0:
            a = MAR_ALPHA * self.r_n
            self.mar += (a if a < 1.0 else 1.0) * (self.r_acc / self.r_n - self.mar)
            self.thr = self.cfg.spike_k * self.mar + SPIKE_FLOOR
            self.r_lim = 3.0 * self.mar + 0.01
            self.r_acc = 0.0
            self.r_n = 0
        self.n_in_tick = 0
        self.t_tick = t
        self.next_tick = t + TICK_DUE * self.cfg.tick
        self._tick(t, self.y2, w)
        self.x_lo = math.inf

    def _tick(self, t: float, y: float, w: float) -> None:
        c = self.cfg
        # Safety: a tick about to be overwritten in the ring is folded into the statistics first.
        if self.st == HOLD and self.n - self.h_cursor >= self.cap:
            self._fold(self.n - self.cap + 1)
        j = self._h(self.n)
        self.ht[j] = t
        self.hy[j] = y
        self.hw[j] = w
        # Running sums (as of each tick) make the mean over any recent stretch O(1).
        self.sum_w += w
        self.sum_wy += w * y
        self.cw[j] = self.sum_w
        self.cy[j] = self.sum_wy
        k_now = self.n
        self.n += 1

        # Noise of the filtered force, from the raw-noise tracker and the filter's noise bandwidth.
        sig = self.mar / MAR_PER_SIGMA
        # (Taken again only when the tick's mean interval moved by more than a millionth, as the
        # filter's alpha is: host-stamped and rounded times jitter it in its last bits every tick,
        # and a square root and a division on every tick cost the compiled core 2-4 % at 1 kHz.)
        if abs(self.dt_avg - self.dt_avg_c) > 1e-6 * self.dt_avg:
            self.dt_avg_c = self.dt_avg
            ratio = self.dt_avg / (4.0 * self.tau)
            self.sqrt_c = math.sqrt(ratio if ratio < 1.0 else 1.0)
        self.sig_f = sig * self.sqrt_c
        self._pass_noise(t, y, k_now)

        # Sliding max/min over the steadiness window (monotonic deques of tick numbers).
        while self.qmax_t > self.qmax_h and self.hy[self._h(self.qmax_i[(self.qmax_t - 1) % self.cap])] <= y:
            self.qmax_t -= 1
        self.qmax_i[self.qmax_t % self.cap] = k_now
        self.qmax_t += 1
        while self.qmin_t > self.qmin_h and self.hy[self._h(self.qmin_i[(self.qmin_t - 1) % self.cap])] >= y:
            self.qmin_t -= 1
        self.qmin_i[self.qmin_t % self.cap] = k_now
        self.qmin_t += 1
        w_lo = t - c.min_hold
        while self.ht[self._h(self.qmax_i[self.qmax_h % self.cap])] < w_lo or \
                self.qmax_i[self.qmax_h % self.cap] < self.win_from:
            self.qmax_h += 1
        while self.ht[self._h(self.qmin_i[self.qmin_h % self.cap])] < w_lo or \
                self.qmin_i[self.qmin_h % self.cap] < self.win_from:
            self.qmin_h += 1

        # Velocity: the change over VEL_SPAN of the force averaged over the last VEL_MEAN (ticks
        # iv2+1 .. now), kept per tick in hm.
        lo = max(self._oldest(), self.win_from)
        if self.iv < lo:
            self.iv = lo
        while self.iv + 1 < k_now and self.ht[self._h(self.iv + 1)] <= t - VEL_SPAN:
            self.iv += 1
        if self.iv2 < lo:
            self.iv2 = lo
        while self.iv2 + 1 < k_now and self.ht[self._h(self.iv2 + 1)] <= t - VEL_MEAN:
            self.iv2 += 1
        m = self._mean_ticks(self.iv2 + 1, self.n)
        # A tick longer than VEL_MEAN (a silence: a sensor that reports only on change, a dropout)
        # counts with only the part of its span inside the window: counted whole, the value it held
        # over a second's silence outweighed the fall that followed it for up to that long, the rate
        # lagged, and a fast step's band exit was told before the step was seen (failure mode 63).
        a = self.iv2 + 1
        ja = self._h(a)
        if self.hw[ja] > VEL_MEAN and a > 0 and (self.n <= self.cap or a > self.n - self.cap):
            xs = self.hw[ja] - (self.ht[ja] - (t - VEL_MEAN))
            jb = self._h(a - 1)
            sw = self.cw[j] - self.cw[jb] - xs
            if xs > 0.0 and sw > 0.0:
                m = (self.cy[j] - self.cy[jb] - xs * self.hy[ja]) / sw
        self.hm[j] = m
        t0 = self.ht[self._h(self.iv)]
        if self.iv + 1 < self.n and self.hw[self._h(self.iv + 1)] > VEL_MEAN:
            # ... and from VEL_SPAN ago when a silence lies between (the tick after iv ends one): the
            # force stood at iv's level until the silence ended, as far as the sensor told (one that
            # reports only on change sends a row once the force has moved). Measured from iv's own
            # stamp, seconds back, the rate of a fall just after a heartbeat was diluted several
            # times, and a let-go from a hold that had crept near its band's edge was told as a band
            # exit before the rate saw it (failure mode 64).
            t0 = t - VEL_SPAN
        self.v = (m - self.hm[self._h(self.iv)]) / (t - t0) if t > t0 else 0.0
        # First tick of the steadiness window (kept, so asking where the window begins costs nothing).
        if self.iw < lo:
            self.iw = lo
        while self.iw < k_now and self.ht[self._h(self.iw)] < t - c.min_hold:
            self.iw += 1
        # ... and of the two halves of the last min_hold (the flatness test).
        lo_c = self._sum_lo()
        half = 0.5 * c.min_hold
        self.ih1 = self._first_since(self.ih1, lo_c, k_now, t - half)
        self.ih2 = self._first_since(self.ih2, lo_c, k_now, t - 2.0 * half)
        # ... and of its thirds (the flatness test's parts: a turn's halves agree, its thirds do not).
        third = c.min_hold / 3.0
        self.it1 = self._first_since(self.it1, lo_c, k_now, t - third)
        self.it2 = self._first_since(self.it2, lo_c, k_now, t - 2.0 * third)
        self.ib = self._first_since(self.ib, lo_c, k_now, t - BRISK_SPAN)

        if self.st == IDLE:
            if not self.rs_on and y < self.rs_at - self.c_off and y < self.rs_lim:
                # The resting force moved away below where it had come to rest (the limb shifted on
                # the gauge, or went off it): where it rests now is found again.
                self.rs_on = self.rs_lim > 0.0
                self.rs_base = self.rest
                self.rs_fell = True
                self.rs_t = t
                self.rs_lo = self.rs_hi = y
            if self.rs_on:
                self._find_rest(t, y)
            if not self.rs_on:
                # After a release that left light contact, the next contact begins a threshold above
                # the force the hand rests with (the lowest seen since), not at the bare threshold.
                self.rest = self._lower_rest(self.rest, y)
                thr = self.rest + self.c_on if self.rest > 0.0 else self.c_on
                if y > thr:
                    self._contact(t, y, thr)
        elif self.st == CONTACT:
            self._in_contact(t, y, k_now)
        else:
            self._in_hold(t, y, k_now)
        self.y_prev_tick = y
        self.t_prev_tick = t

    def _pass_noise(self, t: float, y: float, k_now: int) -> None:
        """The noise of the filtered force measured on the filtered force itself: the running mean
        absolute second difference over ``PASS_LAG`` (white noise's ``MAR_PER_SIGMA`` per sigma, as
        the raw tracker's), each clipped at three times the mean (movements barely move it). The raw
        tracker scaled by the filter's noise bandwidth assumes white noise: a stream whose noise lies
        far above the cut-off (50-Hz hum sampled at 80 Hz aliases to 30 Hz) is credited with noise the
        filter removes. So ``sig_f`` is ``PASS_K`` times the output's own measure wherever that is lower
        (never raised by it: tremor, pulse and wander pass the filter too)."""
        lo = self._oldest()
        self.ip = self._first_since(self.ip, lo, k_now, t - self.pass_lag)
        d = k_now - self.ip
        if d <= 0 or k_now - 2 * d < lo:
            return
        r = abs(y - 2.0 * self.hy[self._h(k_now - d)] + self.hy[self._h(k_now - 2 * d)])
        if self.p_mar < 0.0:
            self.p_mar = self.sig_f * MAR_PER_SIGMA  # start from the raw tracker's figure
        lim = 3.0 * self.p_mar + 0.01
        a = (t - self.t_prev_tick) * self.pass_w
        self.p_mar += (a if a < 1.0 else 1.0) * ((r if r < lim else lim) - self.p_mar)
        sp = self.pass_k * self.p_mar
        if sp < self.sig_f:
            self.sig_f = sp
