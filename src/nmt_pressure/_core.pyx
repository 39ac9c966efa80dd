# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The signal core, written as firmware would be: the compiled twin of ``core/golden/``.

All state lives in one C struct; every buffer is allocated once, at construction, with sizes taken
from the configuration; ``step`` is a ``noexcept nogil`` function of one sample with no Python objects
inside; events and finished holds go into fixed rings that are turned into Python objects only at the
boundary (``process``/``push``/``finish``). ``core/golden/`` is the readable specification: every
function here has a namesake there, doing the same arithmetic in the same order, and the tests hold
the two equal.

This file holds the constants, the state struct and the Python boundary; the functions of each stage are
in ``core/kernel/<stage>.pxi``, beside ``core/golden/<stage>.py`` (the same stages, in the same order).
They are included, not cimported, so the core stays one C translation unit: the compiler inlines across
stages as before, and no call goes through a module's function table.
"""

from libc.math cimport fabs, sqrt, isfinite, INFINITY, NAN, isnan, llround
from libc.stdlib cimport calloc, free
from libc.string cimport memcpy

import numpy as np

from nmt_pressure.core.events import Event, Hold
from nmt_pressure.core.golden import constants as _spec

# ---- constants shared with the golden model (one definition, read from it at import) ----
cdef double VEL_SPAN = _spec.VEL_SPAN
cdef double VEL_MEAN = _spec.VEL_MEAN
cdef double RATE_LAG = _spec.RATE_LAG
cdef double SETTLE_TIME = _spec.SETTLE_TIME
cdef double DRIFT_MAX = _spec.DRIFT_MAX
cdef double BRISK_SPAN = _spec.BRISK_SPAN
cdef double LEAD_SHARE = _spec.LEAD_SHARE
cdef double WAVER_EVERY = _spec.WAVER_EVERY
cdef double BRISK_WAVER = _spec.BRISK_WAVER
cdef double BRISK_RATE = _spec.BRISK_RATE
cdef int WAVER_N = _spec.WAVER_N
if not 0 < WAVER_N <= 16:
    raise ImportError("golden WAVER_N must fit the core's 16-slot waver ring")
cdef double PENDING_SLACK = _spec.PENDING_SLACK
cdef double STATS_LAG = _spec.STATS_LAG
cdef double NOISE_K = _spec.NOISE_K
cdef double ARRIVAL = _spec.ARRIVAL
cdef double TICK_DUE = _spec.TICK_DUE
cdef double DEPART = _spec.DEPART
cdef double DEPART_K = _spec.DEPART_K
cdef double BAND_K = _spec.BAND_K
cdef double EXIT_MEAN = _spec.EXIT_MEAN
cdef double TREND_SPAN = _spec.TREND_SPAN
cdef double EASE_FIT_BACK = _spec.EASE_FIT_BACK
cdef double EASE_FIT_AFTER = _spec.EASE_FIT_AFTER
cdef double EASE_FIT_EARLY = _spec.EASE_FIT_EARLY
cdef double EASE_FIT_LATE = _spec.EASE_FIT_LATE
cdef double EASE_FIT_GRID = _spec.EASE_FIT_GRID
cdef double EASE_FIT_FINE = _spec.EASE_FIT_FINE
cdef double EASE_FIT_MIN = _spec.EASE_FIT_MIN
cdef double ARRIVAL_K = _spec.ARRIVAL_K
cdef double MAR_PER_SIGMA = _spec.MAR_PER_SIGMA
cdef double MAR_ALPHA = _spec.MAR_ALPHA
cdef double TAU_PER_CUTOFF = _spec.TAU_PER_CUTOFF
cdef double PASS_LAG = _spec.PASS_LAG
cdef double PASS_TC = _spec.PASS_TC
cdef double PASS_K = _spec.PASS_K
cdef double SPIKE_FLOOR = _spec.SPIKE_FLOOR
cdef int WARMUP = _spec.WARMUP
cdef int REPEAT_CAP = _spec.REPEAT_CAP
cdef double REPEAT_SPAN = _spec.REPEAT_SPAN
cdef double BATCH_FRAC = _spec.BATCH_FRAC
cdef double LEARN_FRAC = _spec.LEARN_FRAC
cdef double STEP_QUANTA = _spec.STEP_QUANTA
cdef double WIDE_QUANTA = _spec.WIDE_QUANTA
cdef double SPAN_20_80 = _spec.SPAN_20_80
cdef double SLOW_ARRIVAL = _spec.SLOW_ARRIVAL
cdef double LEVEL_ARRIVAL = _spec.LEVEL_ARRIVAL
cdef double LEVEL_OVERSHOOT = _spec.LEVEL_OVERSHOOT
cdef double LEVEL_SETTLED = _spec.LEVEL_SETTLED
cdef double LEVEL_BACK = _spec.LEVEL_BACK
cdef int LEVEL_TRIES = _spec.LEVEL_TRIES
cdef double LEVEL_DECAY = _spec.LEVEL_DECAY
cdef double ARRIVAL_OVERSHOOT = _spec.ARRIVAL_OVERSHOOT
cdef double FLAT = _spec.FLAT
cdef double TURN_PEAK = _spec.TURN_PEAK
cdef double LONG_HOLD = _spec.LONG_HOLD
cdef double LONG_FLAT = _spec.LONG_FLAT
cdef double KNEE = _spec.KNEE
cdef double SLOW_RETRY = _spec.SLOW_RETRY
cdef double EASE_BACK = _spec.EASE_BACK
cdef double EASE_FROM = _spec.EASE_FROM
cdef double EASE_TO = _spec.EASE_TO
cdef double EASE_BASE = _spec.EASE_BASE
cdef double SMOOTH_START = _spec.SMOOTH_START
cdef double SMOOTH_MAX = _spec.SMOOTH_MAX
cdef int EASE_PASSES = _spec.EASE_PASSES
cdef double EASE_WANDER = _spec.EASE_WANDER
cdef double EASE_WANDER_SPAN = _spec.EASE_WANDER_SPAN
cdef double EASE_WANDER_TIME = _spec.EASE_WANDER_TIME
cdef double EASE_BACK_MIN = _spec.EASE_BACK_MIN
# (the changes between EASE_WANDER_TIME's means, kept on the stack: 5 s of 1-s means need 4)
cdef enum:
    WANDER_CAP = 32
# (the levels tried in a contact and not confirmed yet that are kept: golden._take_pending's three)
cdef enum:
    PENDING_N = 3
cdef double SLOW_SPAN = _spec.SLOW_SPAN
# span's early stop lies this far (s) beyond its limit: far above any rounding of a tick's time
cdef double SPAN_SLACK = 0.05

cdef enum:
    IDLE = 0
    CONTACT = 1
    HOLD = 2
    STEADY = 0
    MOVING = 1
    B_IN = 0
    B_HIGH = 1
    B_LOW = -1
    # event kinds
    EV_CONTACT = 0
    EV_HOLD_START = 1
    EV_STEP = 2
    EV_RELEASE = 3
    EV_BAND_EXIT = 4
    EV_BAND_ENTER = 5
    # ended_by
    END_STEP = 0
    END_RELEASE = 1
    END_LEFT = 2
    END_EOD = 3
    # rings: a sample can emit only a handful of events, so draining below these marks never overflows
    EV_CAP = 256
    EV_HIGH = 224
    HD_CAP = 64
    HD_HIGH = 48
    BAND_HELD = 8

_KINDS = ("contact", "hold_start", "step", "release", "band_exit", "band_enter")
_ENDED = ("step", "release", "left", "end_of_data")
_DIRS = {0: None, 1: "up", -1: "down", 2: "high", -2: "low"}

ctypedef long long i64
ctypedef unsigned long long u64

ctypedef struct EvRec:
    int kind
    double t
    double t_det
    int direction
    double level  # NaN: none

ctypedef struct Hot:
    # The per-sample state a run of common samples keeps in locals, so in registers (stream.pxi:
    # hot_load, hot_feed, hot_store): run_block's samples and spread_repeats' spread runs.
    double t_last, x1, x2, y1, y2, alpha, dt_c, r_acc, thr, r_lim, next_tick, quantum, tau
    double batch  # a stamp nearer the last than this is a batch's (Core's, set_batch)
    u64 lo_bits   # the bits of the least step of time hot_feed takes: batch's, else the least double
    u64 gap_bits  # how many bit patterns lie from lo_bits to max_gap's; 0 while a run waits to be spread
    i64 fed       # samples fed since the last hot_store

ctypedef struct HoldRec:
    double start, end, level, mean, sd, cv, duration, tib, drift, told
    int ended_by

ctypedef struct Core:
    # configuration (trusted: validated by DetectorConfig)
    double pass_lag, pass_w, pass_k
    double tau, c_on, c_off, tick, max_gap, min_hold, hold_band, step_min, step_max
    double step_rate, release_fraction, tolerance, debounce, spike_k, target
    double enter_debounce, release_level, release_time, leave_time, slow_max, slow_hold
    double min_third  # min_hold / 3.0, fixed by the configuration: a division the tick need not repeat
    int has_target, slow_down
    i64 cap, mask
    # counters
    i64 samples, ignored, spikes, gaps
    # per-sample stage
    int started, pend, fed, n_in_tick, r_n, rep_n
    double thr, r_lim, r_acc
    double t_last, t_fed, t_now, x1, x2, mar, dt_avg, dt_avg_c, sqrt_c, pend_t, pend_x, dt_c, alpha, y1, y2, quantum
    # lowest sample fed since the last tick, and the one under which a sample leaves the fast path
    # (contact's end, golden._raw_off; -inf at rest, where the raw force lies under it all the time)
    double x_lo, raw_gate
    double next_tick, t_tick
    # per-tick stage
    int mm_stale  # the min/max deques are not kept (see minmax_tick)
    i64 n, qmax_h, qmax_t, qmin_h, qmin_t, win_from, iv, iv2, iw, ih1, ih2, it1, it2, ib, h_cursor
    double sum_w, sum_wy
    int st, sub, mv_dir, b_state, b_cand, b_told, mv_fast, mv_away, mv_far_up, drifting, held, held_n, b_brisk
    int mv_rested  # a fast movement took over a slow excursion that had come to rest (golden)
    int jp_dir, jp_fast  # a movement a step on from outside the band, fast (golden._jump)
    i64 ij
    double jp_onset, jp_ref, jp_far, mv_jump, mv_jump_at
    double contact_t, y_prev_tick, t_prev_tick, v, v_slow, vj, sig_f, ref
    i64 ip
    double p_mar
    double h_start, h_settled, h_level, s_w, s_y, s_yy, s_t, s_tt, s_ty, s_in
    double h_shift, h_lv_from, h_lv_rate
    i64 h_lv_k
    int h_lv_open, h_lv_tries, h_lv_cut, h_lv_dir
    int h_lv_wait  # an excursion that cut the level ended too soon to judge it (golden)
    double h_floor, h_told  # the hold's earliest start, and when its hold_start was told
    i64 h_conf_k  # ... the tick it was confirmed on (golden._begin_hold; _redate looks again up to it)
    double mv_onset, mv_ref, mv_tol, mv_quiet, mv_settle, b_since, b_exit_t, b_floor, b_last
    double bk_t, mv_vpk, v_run, mv_out, mv_back, mv_peak, mv_far, cd_span, cd_brisk, cd_try, cd_wave, cd_knee, cd_found, sl_onset, sl_ref, sl_left, cd_level, cd_start, cd_out
    double dr_level, mv_base
    double batch  # a stamp nearer the last than this is a batch's: BATCH_FRAC of dt_avg (set_batch)
    u64 lo_bits, span_bits  # ... hot_feed's time test in bits: batch's (else 1), and up to max_gap's
    double wv, wv_next, wv_calm  # the waver of steady holds, learned (golden._learn_waver)
    double wv_buf[16]  # ... the last WAVER_N windows' (wv: their median)
    i64 wv_k, wv_n
    double sp_a, sp_min  # span_now's cache: the change's start, and its least excess past 80 % since sp_k80
    i64 sp_k80, sp_kend  # (sp_kend -1: none)
    int sp_dir
    double mv_ep, mv_ep_on  # when this time away began, and its departure's onset (-1: mv_onset)
    int mv_ep_up
    int mv_homed  # back inside, the force lay still at its level for SETTLE_TIME (golden)
    double low_since, last_level, last_end, rest, base, c_try, c_peak, end_base
    # golden._pending_hold: the level last tried in this contact (0: none), its window's start
    # and settled part; and the two tried before it
    double c_level, c_from, c_settled, c_level0, c_from0, c_settled0, c_level1, c_from1, c_settled1
    int let_go
    # golden._find_rest: the rest after a release, while it is being found (rs_on)
    double rs_lim, rs_at, rs_t, rs_lo, rs_hi, rs_base
    int rs_on, rs_fell
    # buffers
    double* ht
    double* hy
    double* hm
    double* hw
    double* hin
    double* cw
    double* cy
    i64* qmax_i
    i64* qmin_i
    double* rep  # forces stamped with t_last again, waiting for the next timestamp (REPEAT_CAP)
    double* fit  # an ease's fit: its window's times and five prefix sums; its grid's end points' times
    #              and prefix sums, gathered, and their scores (thirteen arrays of cap + 1)
    i64* fit_ix  # ... and where each point of its grid falls among them (two, cap + 1 each)
    double hist  # history_seconds: nothing is dated further back before it is told
    EvRec ev[EV_CAP]
    EvRec hq[BAND_HELD]  # band events held back; t_det holds the time to tell (an exit's dating)
    int ev_n
    HoldRec hd[HD_CAP]
    int hd_n


# The stages, bottom up: each calls its own functions and those of the stages above it in this list.
include "core/kernel/state.pxi"
include "core/kernel/history.pxi"
include "core/kernel/allowances.pxi"
include "core/kernel/level.pxi"
include "core/kernel/holds.pxi"
include "core/kernel/shape.pxi"
include "core/kernel/ease.pxi"
include "core/kernel/leaving.pxi"
include "core/kernel/excursion.pxi"
include "core/kernel/band.pxi"
include "core/kernel/steps.pxi"
include "core/kernel/moving.pxi"
include "core/kernel/states.pxi"
include "core/kernel/stream.pxi"


# ---------------------------------------------------------------- the Python boundary
cdef class Detector:
    """Compiled hold detector. Same API and results as ``core.golden.Detector``."""

    cdef Core* s
    cdef readonly object cfg
    cdef public list holds

    def __cinit__(self, cfg=None):
        self.s = <Core*> calloc(1, sizeof(Core))
        if self.s == NULL:
            raise MemoryError()

    def __init__(self, cfg=None):
        from nmt_pressure.core.config import DetectorConfig
        if cfg is None:
            cfg = DetectorConfig()
        self.cfg = cfg
        self.holds = []
        cdef Core* s = self.s
        s.tau = TAU_PER_CUTOFF / cfg.lowpass_hz
        s.pass_lag = PASS_LAG * s.tau
        s.pass_w = 1.0 / PASS_TC
        s.pass_k = PASS_K / MAR_PER_SIGMA
        s.cap = cfg.history_capacity
        s.hist = cfg.history_seconds
        s.mask = s.cap - 1
        s.c_on = cfg.contact_threshold
        s.c_off = cfg.contact_threshold * cfg.contact_release_ratio
        s.tick = cfg.tick
        s.max_gap = cfg.max_gap
        s.min_hold = cfg.min_hold
        s.min_third = s.min_hold / 3.0
        s.hold_band = cfg.hold_band
        s.step_min = cfg.step_min
        s.step_max = cfg.step_max_duration
        s.step_rate = cfg.step_rate
        s.release_fraction = cfg.release_fraction
        s.tolerance = cfg.tolerance
        s.debounce = cfg.alert_debounce
        s.enter_debounce = cfg.band_enter_debounce
        s.release_level = cfg.release_level
        s.release_time = cfg.release_time
        s.leave_time = cfg.leave_time
        s.slow_max = cfg.slow_step_limit
        s.slow_hold = cfg.slow_step_hold
        s.slow_down = 1 if cfg.slow_step_down else 0
        s.spike_k = cfg.spike_k
        s.has_target = cfg.target is not None
        s.target = float(cfg.target) if cfg.target is not None else 0.0
        free(s.ht); free(s.hy); free(s.hm); free(s.hw); free(s.hin); free(s.cw); free(s.cy); free(s.qmax_i)
        free(s.qmin_i)
        free(s.rep)
        free(s.fit)
        free(s.fit_ix)
        s.ht = <double*> calloc(s.cap, sizeof(double))
        s.cw = <double*> calloc(s.cap, sizeof(double))
        s.cy = <double*> calloc(s.cap, sizeof(double))
        s.hy = <double*> calloc(s.cap, sizeof(double))
        s.hm = <double*> calloc(s.cap, sizeof(double))
        s.hw = <double*> calloc(s.cap, sizeof(double))
        s.hin = <double*> calloc(s.cap, sizeof(double))
        s.qmax_i = <i64*> calloc(s.cap, sizeof(i64))
        s.qmin_i = <i64*> calloc(s.cap, sizeof(i64))
        s.rep = <double*> calloc(REPEAT_CAP, sizeof(double))
        s.fit = <double*> calloc(13 * (s.cap + 1), sizeof(double))
        s.fit_ix = <i64*> calloc(2 * (s.cap + 1), sizeof(i64))
        if not (s.ht and s.hy and s.hm and s.hw and s.hin and s.cw and s.cy and s.qmax_i and s.qmin_i and s.rep
                and s.fit and s.fit_ix):
            raise MemoryError()
        s.samples = 0
        s.ignored = 0
        s.spikes = 0
        s.gaps = 0
        s.ev_n = 0
        s.hd_n = 0
        reset_stream(s)

    def __dealloc__(self):
        if self.s != NULL:
            free(self.s.ht); free(self.s.hy); free(self.s.hm); free(self.s.hw); free(self.s.hin); free(self.s.cw)
            free(self.s.cy); free(self.s.qmax_i); free(self.s.qmin_i); free(self.s.rep); free(self.s.fit)
            free(self.s.fit_ix)
            free(self.s)

    cdef list _drain(self, list out):
        cdef Core* s = self.s
        cdef int i
        cdef EvRec* e
        cdef HoldRec* h
        # Holds first: an event's listener may look the hold up as soon as it sees the event.
        for i in range(s.hd_n):
            h = &s.hd[i]
            self.holds.append(Hold(h.start, h.end, h.level, h.mean, h.sd, h.cv, h.duration, h.tib,
                                   h.drift, _ENDED[h.ended_by], h.told))
        s.hd_n = 0
        for i in range(s.ev_n):
            e = &s.ev[i]
            out.append(Event(_KINDS[e.kind], e.t, e.t_det, _DIRS[e.direction],
                             None if isnan(e.level) else e.level))
        s.ev_n = 0
        return out

    def process(self, t, force, filtered=None):
        """Feed a block of samples; returns the events they produced (chunk-invariant).

        ``filtered``, if given (a float64 array as long as ``t``), receives the low-passed force after
        each sample: the bold trace a display draws.
        """
        cdef const double[::1] tv = np.ascontiguousarray(t, dtype=np.float64)
        cdef const double[::1] fv = np.ascontiguousarray(force, dtype=np.float64)
        if tv.shape[0] != fv.shape[0] or np.ndim(t) != 1:
            raise ValueError("t and force must be 1-D arrays of the same length")
        cdef double[::1] yv
        cdef double* yo = NULL
        if filtered is not None:
            if not (isinstance(filtered, np.ndarray) and filtered.dtype == np.float64
                    and filtered.ndim == 1 and filtered.shape[0] == tv.shape[0]
                    and filtered.flags.c_contiguous):
                raise ValueError("filtered must be a float64 array as long as t")
            yv = filtered
            if yv.shape[0] > 0:
                yo = &yv[0]
        cdef Py_ssize_t i = 0
        cdef Py_ssize_t n = tv.shape[0]
        cdef Core* s = self.s
        cdef list out = []
        while i < n:
            with nogil:
                i = run_block(s, &tv[0], &fv[0], yo, i, n)
            self._drain(out)
        return out

    cpdef list push(self, double t, double force):
        """Feed one sample; returns the events it produced (usually none)."""
        step(self.s, t, force)
        if self.s.ev_n == 0 and self.s.hd_n == 0:
            return []
        return self._drain([])

    def finish(self):
        """End of data: close an open hold (``ended_by='end_of_data'``)."""
        self.s.ignored += self.s.rep_n  # a run still waiting for a next stamp has no time to be fed at
        self.s.rep_n = 0
        if self.s.started:
            end_of_data(self.s, self.s.t_last)
        return self._drain([])

    def reset(self):
        """Forget the stream (holds found so far are kept)."""
        reset_stream(self.s)

    @property
    def state(self):
        """0 idle, 1 contact, 2 holding, 3 moving (a change inside a hold being classified)."""
        if self.s.st == HOLD and self.s.sub != STEADY:
            return 3
        return self.s.st

    @property
    def filtered(self):
        return self.s.y2

    @property
    def samples(self):
        return self.s.samples

    @property
    def ignored(self):
        return self.s.ignored

    @property
    def spikes(self):
        return self.s.spikes

    @property
    def gaps(self):
        return self.s.gaps
