"""The detector's state: every variable and buffer, set at construction and reset; events out."""

from __future__ import annotations

import math

from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.core.events import Event, Hold
from nmt_pressure.core.golden.constants import (
    B_HIGH,
    B_IN,
    B_LOW,
    BAND_HELD,
    IDLE,
    MAR_PER_SIGMA,
    MOVING,
    PASS_K,
    PASS_LAG,
    PASS_TC,
    SPIKE_FLOOR,
    STEADY,
    TAU_PER_CUTOFF,
    WAVER_N,
)


class State:
    """The bottom stage: what every stage above reads and writes, and how an event or a band event leaves."""

    def __init__(self, cfg: DetectorConfig | None = None) -> None:
        self.cfg = cfg if cfg is not None else DetectorConfig()
        c = self.cfg
        self.tau = TAU_PER_CUTOFF / c.lowpass_hz
        self.pass_lag = PASS_LAG * self.tau  # the filtered force's own noise measure: its lag (s) ...
        self.pass_w = 1.0 / PASS_TC  # ... its running mean's weight per second ...
        self.pass_k = PASS_K / MAR_PER_SIGMA  # ... and sigma_f per unit of it
        self.cap = c.history_capacity
        self.hist_s = c.history_seconds  # nothing is dated further back than this before it is told
        self.c_on = c.contact_threshold
        self.c_off = c.contact_threshold * c.contact_release_ratio
        self.has_target = c.target is not None
        self.target = float(c.target) if c.target is not None else 0.0
        self.holds: list[Hold] = []
        self._events: list[Event] = []
        self.samples = 0
        self.ignored = 0
        self.spikes = 0
        self.gaps = 0
        # Buffers, allocated once.
        self.ht = [0.0] * self.cap  # history of ticks: time
        self.hy = [0.0] * self.cap  # history of ticks: filtered force
        self.hm = [0.0] * self.cap  # ... and its mean over the last VEL_MEAN (tremor averaged out)
        self.hw = [0.0] * self.cap  # history of ticks: weight (seconds the tick stands for)
        self.hin = [0.0] * self.cap  # ... and the time in band it added to the open hold
        self.cw = [0.0] * self.cap  # running sum of weights up to and including each tick
        self.cy = [0.0] * self.cap  # running sum of weight x force
        self.qmax_i = [0] * self.cap  # monotonic deques of history indices (absolute tick numbers)
        self.qmin_i = [0] * self.cap
        self._reset_stream()

    def _reset_stream(self) -> None:
        self.started = False
        self.t_last = 0.0  # time of the last accepted sample
        self.t_fed = 0.0  # time of the last sample fed to the filter (a held-back one may lag)
        self.t_now = 0.0  # time of the sample being processed: every event's t_detected
        self.x1 = 0.0  # last two fed raw samples (for linear prediction)
        self.x2 = 0.0
        self.mar = 0.0  # mean absolute prediction residual (noise tracker)
        self.fed = 0  # samples fed since the stream (re)started, counted up to WARMUP
        self.thr = SPIKE_FLOOR  # spike threshold and residual clip, refreshed with the estimate
        self.r_lim = 0.01
        self.r_acc = 0.0  # clipped residuals accumulated since the last tick
        self.r_n = 0
        self.dt_avg = 0.0
        self.dt_avg_c = -1.0  # dt_avg when sqrt_c was computed
        self.sqrt_c = 0.0
        self.quantum = math.inf  # smallest non-zero step of the raw reading (a coarse sensor's quantum)
        self.x_lo = math.inf  # lowest raw sample fed since the last tick
        self.pend = False  # a suspicious sample is held back
        self.pend_t = 0.0
        self.pend_x = 0.0
        self.dt_c = -1.0  # cached dt and filter gain (uniform sampling pays one division, once)
        self.alpha = 0.0
        self.y1 = 0.0
        self.y2 = 0.0
        self.next_tick = 0.0
        self.t_tick = 0.0
        self.n_in_tick = 0  # samples fed since the last tick
        self.rep: list[float] = []  # forces stamped with t_last again, waiting for the next timestamp
        self._reset_detection()

    def _reset_detection(self) -> None:
        self.n = 0  # ticks pushed into the history so far (absolute count)
        self.st = IDLE
        self.sub = STEADY
        self.contact_t = 0.0
        self.y_prev_tick = 0.0
        self.t_prev_tick = 0.0
        self.qmax_h = self.qmax_t = 0
        self.qmin_h = self.qmin_t = 0
        self.win_from = 0  # first tick allowed in the steadiness window
        self.iv = 0  # tick used as the far end of the velocity span
        self.iv2 = 0  # last tick before the window of the tremor-averaged force
        self.iw = 0  # first tick of the steadiness window
        self.ih1 = 0  # first tick of the last half min_hold ...
        self.ih2 = 0  # ... and of the half before it
        self.it1 = 0  # first tick of the last third of min_hold ...
        self.it2 = 0  # ... and of the third before it (the flatness test's parts)
        self.ib = 0  # first tick of the last BRISK_SPAN (_brisk_move)
        self.sum_w = 0.0  # running sums of tick weight and weighted force (cw, cy hold them per tick)
        self.sum_wy = 0.0
        self.c_try = 0.0  # a hold in this contact is not tried again before this time
        self.c_level = 0.0  # ... the level last tried (0: none), judged at a let-go or data end before then
        self.c_from = 0.0  # ... the start of the steady window it was found in
        self.c_settled = 0.0  # ... and where its settled part began
        self.c_level0 = 0.0  # the level tried before that one, its window's start and settled part
        self.c_from0 = 0.0
        self.c_settled0 = 0.0
        self.c_level1 = 0.0  # ... and the one before that
        self.c_from1 = 0.0
        self.c_settled1 = 0.0
        self.v = 0.0
        self.v_slow = 0.0
        self.vj = 0.0
        self.sig_f = 0.0
        self.ip = 0  # the tick PASS_LAG before now (the filtered force's own noise measure) ...
        self.p_mar = -1.0  # ... and its mean absolute second difference (-1: not measured yet)
        self.ref = 0.0
        # hold
        self.h_start = 0.0
        self.h_floor = 0.0  # ... never before this (the end of the hold before it in this contact)
        self.h_conf_k = 0  # ... confirmed on this tick ...
        self.h_told = 0.0  # ... and told on the sample at this time (its hold_start's t_detected)
        self.h_settled = 0.0  # statistics are taken from here (the settled part of the hold)
        self.h_level = 0.0
        self.h_shift = 0.0  # the statistics' sums are taken about this (the level at confirmation)
        self.h_lv_from = 0.0  # the settled level's window begins here (the close arrival) ...
        self.h_lv_k = 0  # ... at this tick
        self.h_lv_open = False  # ... and the level is still being refined (until min_hold long)
        self.h_lv_tries = 0  # ... measured again this many times (still settling)
        self.h_lv_rate = 0.0  # ... the last window's change between its halves, per second of it
        self.h_lv_cut = False  # ... an excursion began while it was open (measured again after it)
        self.h_lv_wait = False  # ... and ended too soon to judge it: judged again once steady
        self.h_lv_dir = 0  # ... the way the force arrived at it (1: from below; an overshoot settles back)
        self.h_cursor = 0  # next tick to fold into the statistics
        self.s_w = self.s_y = self.s_yy = self.s_t = self.s_tt = self.s_ty = self.s_in = 0.0
        # movement
        self.mv_dir = 0
        self.mv_onset = 0.0
        self.mv_ref = 0.0
        self.mv_tol = 0.0
        self.mv_quiet = 0.0  # time the rate has been low since
        self.mv_settle = 0.0
        self.mv_fast = False  # the excursion moved faster than the step rate at some point
        self.b_brisk = False  # a slow excursion holds band events back: it may be a fast step
        self.mv_vpk = 0.0  # the excursion's highest averaged rate (N/s)
        self.bk_t = -math.inf  # the last time the force's mean moved faster than drift (_brisk_move)
        self.v_run = 0.0  # the highest averaged rate of a movement building in a steady hold (N/s)
        self.mv_away = False  # ... and that fast movement headed away from where the excursion began
        self.mv_out = -1.0  # when it first left the hold's band (-1: not yet)
        self.mv_ep = -1.0  # when this time away began: it went out (again) (-1: not yet)
        self.mv_ep_on = -1.0  # ... that departure's onset (-1: the excursion's own, mv_onset)
        self.mv_ep_up = False  # ... whether it is out above the band
        self.mv_back = -1.0  # when it last came back inside (-1: outside)
        self.mv_homed = False  # ... and has since lain still at its level for SETTLE_TIME
        self.sl_onset = 0.0  # onset of a slow excursion that a fast movement then took over ...
        self.sl_ref = 0.0  # ... and the level it left
        self.sl_left = 0.0  # ... and when it passed the departure tolerance (not back-dated)
        self.cd_level = 0.0  # a candidate new hold found during the excursion (cd_start < 0: none)
        self.cd_start = -1.0
        self.cd_out = -1.0  # since when the force lies outside the candidate's band
        self.cd_span = -1.0  # its change's 20-80 % span, once measured (-1: not yet)
        self.cd_brisk = -1.0  # its change went briskly (1) or not (0), once asked (-1; mode 61)
        self.cd_try = 0.0  # its slow-step tests are not run again before this time
        self.cd_wave = 0.0  # ... nor that of all it has held, on a level that is not flat (mode 57)
        self.cd_knee = 0.0  # ... nor its test for a fade or creep after the ease (failure mode 45)
        self.cd_found = 0.0  # when it was found (a slow excursion's must still be flat later)
        self.wv = 0.0  # the waver of steady holds: their slow_step_hold's thirds' spread / level
        self.wv_buf = [0.0] * WAVER_N  # ... the last WAVER_N windows' (wv is their median)
        self.wv_n = 0  # ... windows measured so far
        self.wv_next = 0.0  # ... learned again no sooner than this
        self.wv_calm = 0.0  # ... from windows after this (the steady branch ran on every tick since)
        self.wv_k = -2  # ... the last tick it ran on
        self.low_since = -1.0  # since when the force lies below release_level of the hold's level
        self.c_peak = 0.0  # the current contact's highest force while it has not held
        self.drifting = False  # a slow excursion was judged drift: no new level test until back in band
        self.dr_level = 0.0  # ... where that drift was when so judged (a change away from it is looked at)
        self.mv_base = 0.0  # the level an excursion's change is measured from: the hold's, or that rest's
        self.held = False  # this contact has had a hold (a release is due when it ends)
        self.last_level = 0.0  # level of the contact's latest hold
        self.last_end = 0.0  # ... and when it ended
        self.base = 0.0  # resting force this contact rose from: a hold stands a threshold above it
        self.end_base = 0.0  # ... and the one it ends at (0 if that rest was a let-go's, not a release's)
        self.let_go = False  # the resting force was left by a contact that never held (no release)
        self.mv_peak = 0.0  # furthest the excursion went from where it began
        self.mv_far = -1.0  # when it first got a step away from there (-1: not yet)
        self.mv_far_up = False  # ... and whether that was above it (a burst) rather than below
        self.mv_rested = False  # a fast movement took over a slow excursion that had come to rest
        # A movement a step further away from outside the band, fast (_jump):
        self.ij = 0  # the tick a _fast_time() before now, not before the excursion began
        self.jp_onset = -1.0  # its onset while it is being confirmed (-1: none)
        self.jp_ref = 0.0  # ... the force it moved on from
        self.jp_dir = 0  # ... its direction, away from the level
        self.jp_far = 0.0  # ... when it was seen a step further
        self.jp_fast = False  # ... whether the rate test has seen it
        self.mv_jump = -1.0  # the onset of one that stayed away: the hold was left there (-1: none)
        self.mv_jump_at = -1.0  # ... and when that was known
        self.rest = 0.0  # resting force after a release that left light contact
        self.rs_on = False  # that rest is still being found: the force may rise to rs_lim meanwhile
        self.rs_lim = 0.0  # ... release_level of the released hold's level, until the next contact
        self.rs_at = 0.0  # ... and where it came to rest
        self.rs_fell = False  # ... and whether the force has been down under rs_lim since
        self.rs_base = 0.0  # ... and the rest as it would be without the search (the lowest since)
        self.rs_t = 0.0  # ... and has stayed within _rest_span since this time (rs_lo to rs_hi)
        self.rs_lo = 0.0
        self.rs_hi = 0.0
        # band
        self.b_state = B_IN
        self.b_cand = B_IN
        self.b_since = 0.0
        self.b_exit_t = 0.0
        self.b_last = -math.inf  # when the last band event this hold told was dated: it was on then
        self.b_floor = 0.0  # an exit is never dated before this: the watch began, or the last band event
        self.b_told = B_IN  # the band state as listeners were told it
        # band events held back: kind, time, direction, level, and the time to tell (an exit's dating)
        self.b_held: list[tuple[str, float, str | None, float, float]] = []

    def _emit(self, kind: str, t: float, direction: str | None, level: float | None) -> None:
        self._events.append(Event(kind, t, self.t_now, direction, level))

    def _band_event(self, kind: str, t: float, direction: str | None, level: float, told: float) -> None:
        if self.sub == MOVING and (self.mv_fast or self.b_brisk):
            if len(self.b_held) < BAND_HELD:
                self.b_held.append((kind, t, direction, level, told))
        else:
            self._tell_band(kind, told, direction, level)

    def _enter_new_barrier(self, start: float, level: float) -> None:
        """The band follows a new barrier (a slow step): the exit told on the old one is over, from
        where the new hold began (told as any enter: never before that exit)."""
        self._tell_band("band_enter", start if start > self.b_exit_t else self.b_exit_t, None, level)

    def _tell_band(self, kind: str, t: float, direction: str | None, level: float) -> None:
        if kind == "band_enter" and t < self.b_last:
            # Not before the exit it clears (failure mode 54): a drift's exit is told where its
            # trend crossed the edge, which can lie after the moment the force itself came back in,
            # or after the new hold's start a slow step's enter is dated at.
            t = self.b_last
        self._emit(kind, t, direction, level)
        if t > self.b_last:
            self.b_last = t
        self.b_told = B_IN if kind == "band_enter" else (B_HIGH if direction == "high" else B_LOW)
