# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The signal core, written as firmware would be: the compiled twin of ``core/golden.py``.

All state lives in one C struct; every buffer is allocated once, at construction, with sizes taken
from the configuration; ``step`` is a ``noexcept nogil`` function of one sample with no Python objects
inside; events and finished holds go into fixed rings that are turned into Python objects only at the
boundary (``process``/``push``/``finish``). ``core/golden.py`` is the readable specification: every
function here has a namesake there, doing the same arithmetic in the same order, and the tests hold
the two equal.
"""

from libc.math cimport fabs, sqrt, isfinite, INFINITY, NAN, isnan, llround
from libc.stdlib cimport calloc, free
from libc.string cimport memcpy

import numpy as np

from nmt_pressure.core.events import Event, Hold
from nmt_pressure.core import golden as _spec

# ---- constants shared with the golden model (one definition, read from it at import) ----
cdef double VEL_SPAN = _spec.VEL_SPAN
cdef double VEL_MEAN = _spec.VEL_MEAN
cdef double RATE_LAG = _spec.RATE_LAG
cdef double SETTLE_TIME = _spec.SETTLE_TIME
cdef double DRIFT_MAX = _spec.DRIFT_MAX
cdef double BRISK_SPAN = _spec.BRISK_SPAN
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
cdef double LEARN_FRAC = _spec.LEARN_FRAC
cdef double STEP_QUANTA = _spec.STEP_QUANTA
cdef double WIDE_QUANTA = _spec.WIDE_QUANTA
cdef double SPAN_20_80 = _spec.SPAN_20_80
cdef double SLOW_ARRIVAL = _spec.SLOW_ARRIVAL
cdef double LEVEL_ARRIVAL = _spec.LEVEL_ARRIVAL
cdef double LEVEL_OVERSHOOT = _spec.LEVEL_OVERSHOOT
cdef double LEVEL_SETTLED = _spec.LEVEL_SETTLED
cdef int LEVEL_TRIES = _spec.LEVEL_TRIES
cdef double LEVEL_DECAY = _spec.LEVEL_DECAY
cdef double ARRIVAL_OVERSHOOT = _spec.ARRIVAL_OVERSHOOT
cdef double FLAT = _spec.FLAT
cdef double TURN_PEAK = _spec.TURN_PEAK
cdef double LONG_HOLD = _spec.LONG_HOLD
cdef double LONG_FLAT = _spec.LONG_FLAT
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

ctypedef struct HoldRec:
    double start, end, level, mean, sd, cv, duration, tib, drift
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
    int h_lv_open, h_lv_tries, h_lv_cut
    double mv_onset, mv_ref, mv_tol, mv_quiet, mv_settle, b_since, b_exit_t, b_floor, b_last
    double bk_t, mv_vpk, v_run, mv_out, mv_back, mv_peak, mv_far, cd_span, cd_try, cd_found, sl_onset, sl_ref, sl_left, cd_level, cd_start, cd_out
    double dr_level, mv_base
    double sp_a, sp_min  # span_now's cache: the change's start, and its least excess past 80 % since sp_k80
    i64 sp_k80, sp_kend  # (sp_kend -1: none)
    int sp_dir
    double mv_ep, mv_ep_on  # when this time away began, and its departure's onset (-1: mv_onset)
    int mv_ep_up
    double low_since, last_level, last_end, rest, base, c_try, c_peak, end_base
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
    double* fit  # an ease's fit: its window's times and five prefix sums, (cap + 1) each
    i64* fit_ix  # ... and where each point of its grid falls among them (two, cap + 1 each)
    double hist  # history_seconds: nothing is dated further back before it is told
    EvRec ev[EV_CAP]
    EvRec hq[BAND_HELD]  # band events held back; t_det holds the time to tell (an exit's dating)
    int ev_n
    HoldRec hd[HD_CAP]
    int hd_n


# ---------------------------------------------------------------- helpers
cdef inline i64 hix(Core* s, i64 k) noexcept nogil:
    return k & s.mask  # cap is a power of two (DetectorConfig.history_capacity)

cdef inline i64 oldest(Core* s) noexcept nogil:
    return s.n - s.cap if s.n > s.cap else 0

cdef inline i64 imax(i64 a, i64 b) noexcept nogil:
    return a if a > b else b

cdef inline i64 first_since(Core* s, i64 k, i64 lo, i64 k_now, double edge) noexcept nogil:
    # A running pointer moved on to the first tick at or after edge (not before lo, not past k_now).
    if k < lo:
        k = lo
    while k < k_now and s.ht[hix(s, k)] < edge:
        k += 1
    return k

cdef inline i64 back_to(Core* s, i64 k, i64 lo, double edge) noexcept nogil:
    # From tick k back to the first tick at or after edge (not before lo): the start of a window
    # that ends at k, when no running pointer keeps it.
    while k > lo and s.ht[hix(s, k - 1)] >= edge:
        k -= 1
    return k

cdef inline i64 last_at(Core* s, i64 k, i64 lo, double edge) noexcept nogil:
    # From tick k back to the last tick at or before edge (not before lo): where a scan back over a
    # change that ended by edge begins.
    while k > lo and s.ht[hix(s, k)] > edge:
        k -= 1
    return k

cdef inline void emit(Core* s, int kind, double t, int direction, double level) noexcept nogil:
    if s.ev_n >= EV_CAP:
        return  # unreachable by the drain marks; a guard against writing past the ring all the same
    cdef EvRec* e = &s.ev[s.ev_n]
    e.kind = kind
    e.t = t
    e.t_det = s.t_now
    e.direction = direction
    e.level = level
    s.ev_n += 1


cdef void reset_detection(Core* s) noexcept nogil:
    s.n = 0
    s.sp_kend = -1
    s.st = IDLE
    s.sub = STEADY
    s.contact_t = 0.0
    s.y_prev_tick = 0.0
    s.t_prev_tick = 0.0
    s.qmax_h = 0
    s.qmax_t = 0
    s.qmin_h = 0
    s.qmin_t = 0
    s.mm_stale = 1
    s.win_from = 0
    s.iv = 0
    s.iv2 = 0
    s.iw = 0
    s.ih1 = 0
    s.ih2 = 0
    s.it1 = 0
    s.it2 = 0
    s.ib = 0
    s.sum_w = 0.0
    s.sum_wy = 0.0
    s.c_try = 0.0
    s.v = 0.0
    s.v_slow = 0.0
    s.vj = 0.0
    s.sig_f = 0.0
    s.ip = 0
    s.p_mar = -1.0
    s.ref = 0.0
    s.h_start = 0.0
    s.h_settled = 0.0
    s.h_level = 0.0
    s.h_shift = 0.0
    s.h_lv_from = 0.0
    s.h_lv_k = 0
    s.h_lv_open = 0
    s.h_lv_tries = 0
    s.h_lv_rate = 0.0
    s.h_lv_cut = 0
    s.h_cursor = 0
    s.s_w = 0.0
    s.s_y = 0.0
    s.s_yy = 0.0
    s.s_t = 0.0
    s.s_tt = 0.0
    s.s_ty = 0.0
    s.s_in = 0.0
    s.mv_dir = 0
    s.mv_onset = 0.0
    s.mv_ref = 0.0
    s.mv_tol = 0.0
    s.mv_quiet = 0.0
    s.mv_settle = 0.0
    s.mv_fast = 0
    s.b_brisk = 0
    s.mv_vpk = 0.0
    s.bk_t = -INFINITY
    s.v_run = 0.0
    s.mv_away = 0
    s.mv_rested = 0
    s.mv_out = -1.0
    s.mv_ep = -1.0
    s.mv_ep_on = -1.0
    s.mv_ep_up = 0
    s.mv_back = -1.0
    s.sl_onset = 0.0
    s.sl_ref = 0.0
    s.sl_left = 0.0
    s.cd_level = 0.0
    s.cd_start = -1.0
    s.cd_out = -1.0
    s.cd_span = -1.0
    s.cd_try = 0.0
    s.cd_found = 0.0
    s.low_since = -1.0
    s.c_peak = 0.0
    s.drifting = 0
    s.dr_level = 0.0
    s.mv_base = 0.0
    s.held = 0
    s.last_level = 0.0
    s.last_end = 0.0
    s.rest = 0.0
    s.rs_on = 0
    s.rs_lim = 0.0
    s.rs_at = 0.0
    s.rs_t = 0.0
    s.rs_lo = 0.0
    s.rs_hi = 0.0
    s.rs_fell = 0
    s.rs_base = 0.0
    s.base = 0.0
    s.end_base = 0.0
    s.let_go = 0
    s.mv_peak = 0.0
    s.mv_far = -1.0
    s.mv_far_up = 0
    s.ij = 0
    s.jp_onset = -1.0
    s.jp_ref = 0.0
    s.jp_dir = 0
    s.jp_far = 0.0
    s.jp_fast = 0
    s.mv_jump = -1.0
    s.mv_jump_at = -1.0
    s.b_state = B_IN
    s.b_cand = B_IN
    s.b_since = 0.0
    s.b_exit_t = 0.0
    s.b_last = -INFINITY
    s.b_floor = 0.0
    s.b_told = B_IN
    s.held_n = 0


cdef void reset_stream(Core* s) noexcept nogil:
    s.started = 0
    s.t_last = 0.0
    s.t_fed = 0.0
    s.t_now = 0.0
    s.x1 = 0.0
    s.x2 = 0.0
    s.mar = 0.0
    s.fed = 0
    s.thr = SPIKE_FLOOR
    s.r_lim = 0.01
    s.r_acc = 0.0
    s.r_n = 0
    s.dt_avg = 0.0
    s.dt_avg_c = -1.0
    s.sqrt_c = 0.0
    s.quantum = INFINITY
    s.x_lo = INFINITY
    s.raw_gate = -INFINITY
    s.pend = 0
    s.pend_t = 0.0
    s.pend_x = 0.0
    s.dt_c = -1.0
    s.alpha = 0.0
    s.y1 = 0.0
    s.y2 = 0.0
    s.next_tick = 0.0
    s.t_tick = 0.0
    s.n_in_tick = 0
    s.rep_n = 0
    reset_detection(s)


# ---------------------------------------------------------------- band events held back
cdef inline void tell_band(Core* s, int kind, double t, int direction, double level) noexcept nogil:
    emit(s, kind, t, direction, level)
    if t > s.b_last:
        s.b_last = t
    s.b_told = B_IN if kind == EV_BAND_ENTER else (B_HIGH if direction == 2 else B_LOW)


cdef inline void band_event(Core* s, int kind, double t, int direction, double level,
                            double told) noexcept nogil:
    cdef EvRec* e
    if s.sub == MOVING and (s.mv_fast or s.b_brisk):
        if s.held_n < BAND_HELD:
            e = &s.hq[s.held_n]
            e.kind = kind
            e.t = t
            e.t_det = told
            e.direction = direction
            e.level = level
            s.held_n += 1
    else:
        tell_band(s, kind, told, direction, level)


cdef void flush_held(Core* s, double t_end) noexcept nogil:
    cdef int i
    cdef EvRec* e
    for i in range(s.held_n):
        e = &s.hq[i]
        if e.t < t_end:
            # told where dated, or where the force went out if that lies past the end (golden)
            tell_band(s, e.kind, e.t_det if e.t_det < t_end else e.t, e.direction, e.level)
    s.held_n = 0


# ---------------------------------------------------------------- history scans (bounded by cap)
cdef double crossing(Core* s, i64 k, double ref, double d, int direction, double* h) noexcept nogil:
    # golden._crossing: the newest tick's time if k is the newest (no tick after it)
    cdef i64 j0, j1
    cdef double d0, d1, f
    if k >= s.n - 1:
        return s.ht[hix(s, s.n - 1)]
    j0 = hix(s, k)
    j1 = hix(s, k + 1)
    d0 = direction * (h[j0] - ref)
    d1 = direction * (h[j1] - ref)
    if d1 <= d0:
        return s.ht[j1]
    f = (d - d0) / (d1 - d0)
    f = 0.0 if f < 0.0 else (1.0 if f > 1.0 else f)
    return s.ht[j0] + f * (s.ht[j1] - s.ht[j0])


cdef double departure(Core* s, double ref, double tol, i64 frm, int direction, double floor,
                      double* passed, double span=INFINITY) noexcept nogil:
    # golden._departure: the onset (back-dated by the smooth-start rule) and, in *passed, where the
    # force passed tol (not back-dated).
    cdef i64 k = frm
    cdef i64 lo = imax(oldest(s), s.win_from)
    cdef i64 kb
    cdef double t_a, t_b, onset, far, r, back
    while k >= lo:
        if direction * (s.hy[hix(s, k)] - ref) <= tol:
            break
        k -= 1
    if k < lo:
        passed[0] = floor
        return floor
    if k >= frm:
        passed[0] = s.ht[hix(s, frm)]
        return passed[0]
    t_a = crossing(s, k, ref, tol, direction, s.hy)
    passed[0] = t_a if t_a > floor else floor
    far = 4.0 * tol
    if far > SMOOTH_START * span:
        far = SMOOTH_START * span  # golden: a change under 5 tolerances, its second crossing within it
    if far <= tol:
        return passed[0]
    kb = k
    while kb < frm and direction * (s.hy[hix(s, kb + 1)] - ref) < far:
        kb += 1
    if kb >= frm:
        return passed[0]  # (not yet that far out: the crossing itself, never before floor)
    t_b = crossing(s, kb, ref, far, direction, s.hy)
    r = sqrt(tol / far)
    back = r / (1.0 - r)  # 1 at 4·tol
    if back > SMOOTH_MAX:
        back = SMOOTH_MAX
    onset = t_a - back * (t_b - t_a)
    return onset if onset > floor else floor


cdef inline double scan_departure(Core* s, double ref, double tol, i64 frm, int direction,
                                  double floor, double span=INFINITY) noexcept nogil:
    cdef double passed
    return departure(s, ref, tol, frm, direction, floor, &passed, span)


cdef double scan_arrival(Core* s, double level, double tol, double wide, double frm_t,
                         i64 k_end, double* h) noexcept nogil:
    cdef i64 lo = imax(oldest(s), s.win_from)
    cdef i64 k = k_end
    while k > lo and s.ht[hix(s, k - 1)] >= frm_t and fabs(h[hix(s, k - 1)] - level) <= wide:
        k -= 1
    while k < k_end and fabs(h[hix(s, k)] - level) > tol:
        k += 1
    return s.ht[hix(s, k)]


cdef inline double tick_gap(Core* s) noexcept nogil:
    # golden._tick_gap: the longest interval between two ticks that is no silence
    return 2.0 * s.dt_avg + s.tick


cdef inline double noise_frac(Core* s, double dur) noexcept nogil:
    # golden._noise_frac: the fraction of one filtered sample's noise left in a mean over dur
    cdef double span = 4.0 * s.tau
    if s.dt_avg > span:
        span = s.dt_avg
    return sqrt(span / dur) if span < dur else 1.0


cdef inline double mean_noise(Core* s, double dur) noexcept nogil:
    return s.sig_f * noise_frac(s, dur)


cdef inline double mean_ticks(Core* s, i64 a, i64 b) noexcept nogil:
    # golden._mean_ticks: the sums before the oldest tick kept are gone (its slot holds the newest's)
    if s.n > s.cap and a <= s.n - s.cap:
        a = s.n - s.cap + 1
    cdef double sw = (s.cw[hix(s, b - 1)] if b > 0 else 0.0) - (s.cw[hix(s, a - 1)] if a > 0 else 0.0)
    cdef double sy = (s.cy[hix(s, b - 1)] if b > 0 else 0.0) - (s.cy[hix(s, a - 1)] if a > 0 else 0.0)
    return sy / sw if sw > 0.0 else s.hy[hix(s, s.n - 1)]


cdef double mean_since(Core* s, double t0) noexcept nogil:
    cdef i64 k = s.n - 1
    cdef i64 lo = oldest(s)
    cdef double sw = 0.0
    cdef double sy = 0.0
    cdef i64 j
    while k >= lo and s.ht[hix(s, k)] >= t0:
        j = hix(s, k)
        sw += s.hw[j]
        sy += s.hw[j] * s.hy[j]
        k -= 1
    return sy / sw if sw > 0.0 else s.hy[hix(s, s.n - 1)]


# ---------------------------------------------------------------- hold statistics
cdef void fold_tick(Core* s, i64 j, double end, double sign) noexcept nogil:
    cdef double t1 = s.ht[j] if s.ht[j] < end else end
    cdef double t0 = s.ht[j] - s.hw[j]
    cdef double w, centre, y, tt, a, b
    a = t0 if t0 > s.h_start else s.h_start
    centre = s.target if s.has_target else s.h_level
    if sign < 0.0:
        s.s_in -= s.hin[j]  # golden._fold_tick: what was added, whatever the centre is now
    else:
        s.hin[j] = (t1 - a) if t1 > a and fabs(s.hy[j] - centre) <= s.tolerance * centre else 0.0
        s.s_in += s.hin[j]
    b = t0 if t0 > s.h_settled else s.h_settled
    w = t1 - b
    if not (w > 0.0):
        return
    y = s.hy[j] - s.h_shift
    tt = s.ht[j] - s.h_start
    w *= sign
    s.s_w += w
    s.s_y += w * y
    s.s_yy += w * y * y
    s.s_t += w * tt
    s.s_tt += w * tt * tt
    s.s_ty += w * tt * y


cdef void fold(Core* s, i64 upto) noexcept nogil:
    while s.h_cursor < upto:
        fold_tick(s, hix(s, s.h_cursor), INFINITY, 1.0)
        s.h_cursor += 1


cdef void unfold_from_time(Core* s, double t_end) noexcept nogil:
    cdef i64 lo = oldest(s)
    while s.h_cursor > lo and s.ht[hix(s, s.h_cursor - 1)] >= t_end:
        s.h_cursor -= 1
        fold_tick(s, hix(s, s.h_cursor), INFINITY, -1.0)


cdef void fold_until_time(Core* s, double t_end) noexcept nogil:
    cdef i64 k = s.h_cursor
    while k < s.n and s.ht[hix(s, k)] < t_end:
        k += 1
    fold(s, k)


cdef double end_hold(Core* s, double t_end, int ended_by) noexcept nogil:
    # golden._end_hold: returns the end recorded; a hold let go or left ends no earlier than the
    # last band event it told
    if ended_by != END_STEP and t_end < s.b_last:
        t_end = s.b_last
    flush_held(s, t_end)
    fold_until_time(s, t_end)
    unfold_from_time(s, t_end)
    if s.h_cursor < s.n:
        fold_tick(s, hix(s, s.h_cursor), t_end, 1.0)
    cdef double sw = s.s_w
    cdef double my, mean, var, sd, den, slope, end
    if sw > 0.0:
        my = s.s_y / sw
        mean = s.h_shift + my
        var = s.s_yy / sw - my * my
        sd = sqrt(var) if var > 0.0 else 0.0
        den = sw * s.s_tt - s.s_t * s.s_t
        slope = (sw * s.s_ty - s.s_t * s.s_y) / den if den > 0.0 else 0.0
    else:
        mean = s.h_level
        sd = 0.0
        slope = 0.0
    end = t_end if t_end > s.h_start else s.h_start
    cdef HoldRec* h = &s.hd[s.hd_n]
    h.start = s.h_start
    h.end = end
    h.level = s.h_level
    h.mean = mean
    h.sd = sd
    h.cv = sd / mean if mean > 0.0 else 0.0
    h.duration = end - s.h_start
    h.tib = s.s_in
    h.drift = slope
    h.ended_by = ended_by
    s.hd_n += 1
    s.st = CONTACT
    s.sub = STEADY
    s.c_try = 0.0
    s.last_level = s.h_level
    s.last_end = end
    s.low_since = -1.0
    return end


cdef void end_of_data(Core* s, double t) noexcept nogil:
    cdef bint settled
    if s.st == HOLD:
        # a new level held min_hold, the step it may be still to be told: it settled (golden)
        settled = s.cd_start >= 0.0 and s.cd_out < 0.0 and t - s.cd_start >= s.min_hold
        if s.sub == MOVING and s.mv_fast and not settled and (away_for(s, t) > s.leave_time or
                                                              (s.mv_ep >= 0.0 > s.mv_back and left_fast(s))):
            # It had left before the data ended: out longer than leave_time, or out still and
            # gone a step away fast - with no data after, it neither comes back nor settles.
            end_hold(s, left_at(s), END_LEFT)
            return
        fold(s, s.n)
        end_hold(s, t, END_EOD)


# ---------------------------------------------------------------- detectors
cdef void restart_window(Core* s) noexcept nogil:
    s.win_from = s.n - 1
    s.qmax_h = s.qmax_t - 1
    s.qmin_h = s.qmin_t - 1
    s.iv = s.n - 1
    s.iv2 = s.n - 1
    s.vj = 0.0
    s.v_slow = 0.0


cdef inline double win_start_t(Core* s) noexcept nogil:
    if s.win_from < oldest(s):
        return -INFINITY
    return s.ht[hix(s, s.win_from)]


cdef inline bint raw_off(Core* s, double y) noexcept nogil:
    # golden._raw_off: the raw force touched rest under a filtered force still a threshold above it,
    # and further below it than the raw noise reaches
    return s.x_lo < s.end_base + s.c_off and y > s.end_base + 2.0 * s.c_on and \
        y - s.x_lo > s.spike_k * s.mar


cdef inline bint contact_lost(Core* s, double y) noexcept nogil:
    # golden._contact_lost: the filtered force under the hysteresis above the contact's rest, or raw_off
    return y < s.end_base + s.c_off or raw_off(s, y)


cdef inline double quantum(Core* s) noexcept nogil:
    return s.quantum if s.quantum < INFINITY else 0.0


cdef inline double sig_n(Core* s) noexcept nogil:
    # the filtered noise beyond the quantum's (which adds at most (q/2)^2 to the variance)
    cdef double hq = 0.5 * quantum(s) * s.sqrt_c
    cdef double n2 = s.sig_f * s.sig_f - hq * hq
    return sqrt(n2) if n2 > 0.0 else 0.0


cdef inline double wide_by(Core* s, double level, double frac) noexcept nogil:
    # golden._wide: the noise allowance scaled by frac for a mean
    cdef double band = s.hold_band * level
    cdef double allow = NOISE_K * sig_n(s) * frac + WIDE_QUANTA * quantum(s)
    return band + (allow if allow < band else band)


cdef inline double wide(Core* s, double level) noexcept nogil:
    return wide_by(s, level, 1.0)


cdef inline double wide_mean(Core* s, double level) noexcept nogil:
    # golden._wide_mean: the steady band for the mean over the last half min_hold
    return wide_by(s, level, noise_frac(s, 0.5 * s.min_hold))


cdef inline int left_drift(Core* s, double y, double m) noexcept nogil:
    # golden._left_drift: the force (or its mean m) has left where it was when judged drift
    if fabs(y - s.dr_level) > wide(s, s.dr_level):
        return 1
    return fabs(m - s.dr_level) > wide_mean(s, s.dr_level)


cdef inline double step_thr(Core* s, double level) noexcept nogil:
    cdef double a = s.step_min * level
    cdef double b = STEP_QUANTA * quantum(s)
    return a if a > b else b


cdef inline void mm_push(Core* s, i64 k) noexcept nogil:
    # tick k into the window's max and min deques (golden._tick)
    cdef double y = s.hy[hix(s, k)]
    while s.qmax_t > s.qmax_h and s.hy[hix(s, s.qmax_i[(s.qmax_t - 1) & s.mask])] <= y:
        s.qmax_t -= 1
    s.qmax_i[s.qmax_t & s.mask] = k
    s.qmax_t += 1
    while s.qmin_t > s.qmin_h and s.hy[hix(s, s.qmin_i[(s.qmin_t - 1) & s.mask])] >= y:
        s.qmin_t -= 1
    s.qmin_i[s.qmin_t & s.mask] = k
    s.qmin_t += 1


cdef void mm_rebuild(Core* s, double w_lo) noexcept nogil:
    # The deques golden._tick keeps: the window's ticks (from win_from and w_lo to now) pushed in order.
    # After the pops they hold exactly the window's suffix maxima (minima), whatever ticks came before.
    cdef i64 k_now = s.n - 1
    cdef i64 k = back_to(s, k_now, imax(oldest(s), s.win_from), w_lo)
    s.qmax_h = 0
    s.qmax_t = 0
    s.qmin_h = 0
    s.qmin_t = 0
    while k <= k_now:
        mm_push(s, k)
        k += 1
    s.mm_stale = 0


cdef inline void minmax_tick(Core* s, double t, i64 k_now) noexcept nogil:
    # Why the deques may go stale: golden._tick updates them every tick, but only steady_window reads
    # them, which runs in CONTACT and in a hold's MOVING state, never in IDLE or a steady hold (and
    # not in the tick an excursion starts: mv_settle is -1 there). In those states the update is
    # skipped and the deques marked stale; the first tick that needs them rebuilds them from the
    # window (mm_rebuild), giving the same deques, so the same max and min. The ticks of a steady
    # hold, most of a session, pay nothing for them.
    cdef double w_lo = t - s.min_hold
    if not (s.st == CONTACT or (s.st == HOLD and s.sub == MOVING)):
        s.mm_stale = 1
        return
    if s.mm_stale:
        mm_rebuild(s, w_lo)
        return
    mm_push(s, k_now)
    while s.ht[hix(s, s.qmax_i[s.qmax_h & s.mask])] < w_lo or s.qmax_i[s.qmax_h & s.mask] < s.win_from:
        s.qmax_h += 1
    while s.ht[hix(s, s.qmin_i[s.qmin_h & s.mask])] < w_lo or s.qmin_i[s.qmin_h & s.mask] < s.win_from:
        s.qmin_h += 1


cdef int steady_window(Core* s, double t, double* mid) noexcept nogil:
    if win_start_t(s) > t - s.min_hold + 1e-9:
        mid[0] = 0.0
        return 0
    if s.mm_stale:
        mm_rebuild(s, t - s.min_hold)  # (minmax_tick rebuilds them first; a guard all the same)
    cdef double ymax = s.hy[hix(s, s.qmax_i[s.qmax_h & s.mask])]
    cdef double ymin = s.hy[hix(s, s.qmin_i[s.qmin_h & s.mask])]
    cdef i64 k0 = s.ih2 - 1
    cdef double y0
    if k0 >= s.win_from and k0 >= oldest(s) and \
            s.ht[hix(s, s.ih2)] - s.ht[hix(s, k0)] > tick_gap(s):
        y0 = s.hy[hix(s, k0)]  # golden._steady_window: the force before a silence at its start
        if y0 > ymax:
            ymax = y0
        elif y0 < ymin:
            ymin = y0
    mid[0] = 0.5 * (ymax + ymin)
    return 0.5 * (ymax - ymin) <= wide(s, mid[0])


cdef void settle(Core* s, double mid, double frm_t, double* start, double* level) noexcept nogil:
    cdef double hb = s.hold_band
    cdef double half
    start[0] = scan_arrival(s, mid, 0.5 * hb * mid + NOISE_K * s.sig_f, wide(s, mid), frm_t, s.n - 1, s.hy)
    half = s.ht[hix(s, s.n - 1)] - 0.5 * s.min_hold
    level[0] = mean_since(s, start[0] if start[0] > half else half)
    start[0] = scan_arrival(s, level[0], ARRIVAL * level[0] + ARRIVAL_K * s.sig_f, wide(s, level[0]),
                            frm_t, s.n - 1, s.hy)
    level[0] = mean_since(s, start[0])


cdef inline double band_start(Core* s, double level, double frm_t, i64 k_end) noexcept nogil:
    return scan_arrival(s, level, s.hold_band * level + ARRIVAL_K * s.sig_f, wide(s, level), frm_t, k_end,
                        s.hy)


cdef double hold_start(Core* s, double level, double frm_t, i64 k_end) noexcept nogil:
    # Where a hold began, as reported: the peak of an arrival's overshoot (overshoot_peak), or where
    # the force came within the hold band of it, noise aside (mean_arrival) (golden._hold_start).
    cdef double peak = overshoot_peak(s, level, frm_t, k_end)
    return peak if peak > -INFINITY else mean_arrival(s, level, frm_t, k_end)


cdef inline double mean_arrival(Core* s, double level, double frm_t, i64 k_end) noexcept nogil:
    # golden._mean_arrival: band_start on the VEL_MEAN average, noise aside (no allowance)
    cdef double t = scan_arrival(s, level, s.hold_band * level, wide(s, level), frm_t, k_end,
                                 s.hm) - 0.5 * VEL_MEAN
    return t if t > frm_t else frm_t


cdef double overshoot_peak(Core* s, double level, double frm_t, i64 k_end) noexcept nogil:
    # The peak of an arrival's overshoot that came back into the band within leave_time and was at
    # most half the arrival's way, or -inf (golden._overshoot_peak).
    cdef double start = band_start(s, level, frm_t, k_end)
    cdef double tol = s.hold_band * level + ARRIVAL_K * s.sig_f  # (the band band_start came into)
    cdef i64 lo = imax(oldest(s), s.win_from)
    cdef i64 k = back_to(s, k_end, lo, start)
    cdef i64 j, kp
    cdef double d, x, far
    if k <= lo:
        return -INFINITY
    d = 1.0 if s.hy[hix(s, k - 1)] > level else -1.0
    j = k - 1
    kp = j
    while j >= lo and s.ht[hix(s, j)] >= frm_t and d * (s.hy[hix(s, j)] - level) > tol:
        if s.hy[hix(s, j)] * d > s.hy[hix(s, kp)] * d:
            kp = j
        j -= 1
    if j < lo or s.ht[hix(s, j)] < frm_t or start - s.ht[hix(s, kp)] > s.leave_time:
        return -INFINITY
    while j >= lo and s.ht[hix(s, j)] >= frm_t and fabs(s.hy[hix(s, j)] - level) <= tol:
        j -= 1
    if j < lo or s.ht[hix(s, j)] < frm_t or d * (s.hy[hix(s, j)] - level) > -tol:
        return -INFINITY
    far = 0.0
    while j >= lo and s.ht[hix(s, j)] >= frm_t:
        x = -d * (s.hy[hix(s, j)] - level)
        if x > far:
            far = x
        j -= 1
    if d * (s.hy[hix(s, kp)] - level) > ARRIVAL_OVERSHOOT * far:
        return -INFINITY
    return s.ht[hix(s, kp)]


cdef void begin_hold(Core* s, double t, double start, double level, double settled) noexcept nogil:
    if start > t - s.min_hold:
        start = t - s.min_hold  # golden._begin_hold: no hold is shorter than its steady window
    if s.held and start < s.last_end:
        start = s.last_end  # ... nor overlaps the one before in this contact
    s.st = HOLD
    s.sub = STEADY
    s.h_start = start
    s.h_settled = settled if settled > start else start
    s.h_level = level
    s.h_shift = level
    s.ref = level
    s.held = 1
    s.drifting = 0
    s.low_since = -1.0
    s.cd_start = -1.0
    s.s_w = 0.0
    s.s_y = 0.0
    s.s_yy = 0.0
    s.s_t = 0.0
    s.s_tt = 0.0
    s.s_ty = 0.0
    s.s_in = 0.0
    cdef i64 lo = oldest(s)
    cdef i64 k = back_to(s, s.n - 1, lo, start)
    s.h_cursor = k
    # the settled level: refined over the min_hold from the close arrival (golden._begin_hold)
    cdef double noise = ARRIVAL_K * s.sig_f + quantum(s)
    cdef double frm = scan_arrival(s, level, LEVEL_ARRIVAL * level + noise, 2.0 * LEVEL_ARRIVAL * level + noise,
                                   s.h_settled, s.n - 1, s.hm)
    s.h_lv_k = first_since(s, k, lo, s.n - 1, frm)
    s.h_lv_k = past_overshoot(s, level, LEVEL_OVERSHOOT * level + noise, LEVEL_ARRIVAL * level + noise, noise,
                              s.h_lv_k, 1 if level > s.hm[hix(s, k)] else -1)
    frm = s.ht[hix(s, s.h_lv_k)]
    s.h_lv_from = frm
    s.h_lv_open = 1
    s.h_lv_tries = 0
    s.h_lv_cut = 0
    refine(s, t)
    s.b_state = B_IN
    s.b_cand = B_IN
    s.b_told = B_IN
    s.b_since = t
    s.b_floor = t
    s.held_n = 0
    s.b_last = -INFINITY
    emit(s, EV_HOLD_START, start, 0, level)


cdef i64 past_overshoot(Core* s, double level, double tol, double near, double turn, i64 k0,
                        int d) noexcept nogil:
    # the close arrival moved on past a settled overshoot under twice LEVEL_ARRIVAL (golden._past_overshoot)
    cdef i64 kn = s.n - 1
    cdef i64 k = k0
    cdef double far = -INFINITY
    cdef bint over = 0
    cdef i64 back = -1
    cdef double x
    while k <= kn:
        x = d * (s.hm[hix(s, k)] - level)
        if back >= 0:
            if x < -near:
                return k0
        elif over:
            if x <= tol:
                back = k
        elif x > tol:
            over = 1
        elif x > far:
            far = x
        elif x < far - turn:
            return k0
        k += 1
    return back if back >= 0 else k0


cdef inline double arrival_tol(Core* s, double m) noexcept nogil:
    # the settled part about a level m (golden._arrival_tol)
    return ARRIVAL * m + ARRIVAL_K * s.sig_f + quantum(s)


cdef inline double halves_change(Core* s, i64 k0, double t_mid) noexcept nogil:
    # a level window's later half's mean less its earlier one's (golden._halves_change)
    cdef i64 k_mid = back_to(s, s.n - 1, k0, t_mid)
    return mean_ticks(s, k_mid, s.n) - mean_ticks(s, k0, k_mid)


cdef inline bint unsettled(Core* s, double diff, double m) noexcept nogil:
    # halves over LEVEL_SETTLED apart, beyond their noise and a quantum (golden._unsettled)
    return fabs(diff) > LEVEL_SETTLED * m + \
        ARRIVAL_K * 1.4142135623730951 * mean_noise(s, 0.5 * s.min_hold) + quantum(s)


cdef inline void cut_level(Core* s) noexcept nogil:
    # an excursion: the level stays; one still measured is measured again after it (golden._cut_level)
    if s.h_lv_open:
        s.h_lv_cut = 1
    s.h_lv_open = 0


cdef void refine(Core* s, double t) noexcept nogil:
    # the hold's level: the mean over the first min_hold window from the close arrival that has
    # settled, measured again (up to LEVEL_TRIES times) while it has not (golden._refine)
    if t - s.h_lv_from < 0.5 * s.min_hold:
        return
    cdef double m = mean_ticks(s, s.h_lv_k, s.n)
    cdef double tol = arrival_tol(s, m)
    cdef bint left = fabs(s.hm[hix(s, s.n - 1)] - m) > tol or \
        (s.h_lv_tries == 0 and fabs(m - s.h_shift) > tol)
    cdef bint done = t >= s.h_lv_from + s.min_hold
    cdef double diff = 0.0
    if done or left:
        diff = halves_change(s, s.h_lv_k, 0.5 * (s.h_lv_from + t))
    if done and not left:
        left = unsettled(s, diff, m) or \
            (s.h_lv_tries > 0 and fabs(diff) / (t - s.h_lv_from) > LEVEL_DECAY * s.h_lv_rate)
        if not left and s.h_lv_tries > 0 and fabs(m - s.h_shift) > s.hold_band * s.h_shift:
            s.h_lv_open = 0
            return
    if left:
        if s.h_lv_tries < LEVEL_TRIES:
            s.h_lv_tries += 1
            s.h_lv_rate = fabs(diff) / (t - s.h_lv_from)
            s.h_lv_k = s.n - 1
            s.h_lv_from = t
        else:
            s.h_lv_open = 0
        return
    if done or s.h_lv_tries == 0:
        s.h_level = m
    if done:
        s.h_lv_open = 0


cdef bint level_behind(Core* s, double t) noexcept nogil:
    # an excursion cut the level's window and ended in the same hold: the last min_hold's mean, if
    # settled, within a step of hold_start's level (golden._level_behind)
    if t > s.h_lv_from + (LEVEL_TRIES + 1 - s.h_lv_tries) * s.min_hold:
        s.h_lv_cut = 0
        return 0
    cdef i64 lo = oldest(s) + 1 if s.n > s.cap else 0
    cdef i64 k0 = back_to(s, s.n - 1, lo, t - s.min_hold)
    if s.ht[hix(s, k0)] < s.h_lv_from:
        return 0
    cdef double m = mean_ticks(s, k0, s.n)
    if unsettled(s, halves_change(s, k0, t - 0.5 * s.min_hold), m) or \
            fabs(s.hm[hix(s, s.n - 1)] - m) > arrival_tol(s, m):
        return 0
    if fabs(m - s.h_shift) > step_thr(s, s.h_shift):
        return 0
    s.h_level = m
    s.h_lv_cut = 0
    return 1


cdef void contact(Core* s, double t, double y, double thr) noexcept nogil:
    # golden._contact: back-dated to the crossing, before the previous tick after a followed rise
    cdef i64 k = s.n - 1
    cdef i64 lo = imax(oldest(s), s.win_from)
    while k - 1 > lo and s.hy[hix(s, k - 1)] > thr:
        k -= 1
    cdef double y0 = s.y_prev_tick
    cdef double t0 = s.t_prev_tick
    cdef double y1 = y
    cdef double t1 = t
    if k < s.n - 1:
        y0 = s.hy[hix(s, k - 1)]
        t0 = s.ht[hix(s, k - 1)]
        y1 = s.hy[hix(s, k)]
        t1 = s.ht[hix(s, k)]
    cdef double tc = t1
    if s.n > 1 and y1 > y0:
        tc = t0 + (thr - y0) / (y1 - y0) * (t1 - t0)
        if tc < t0:
            tc = t0
    s.st = CONTACT
    s.contact_t = tc
    s.base = thr - s.c_on
    s.end_base = 0.0 if s.let_go else s.base  # a let-go's rest starts no contact but ends none (golden)
    s.let_go = 0
    s.c_try = 0.0
    s.rest = 0.0
    s.rs_lim = 0.0
    s.held = 0
    s.low_since = -1.0
    s.c_peak = y
    restart_window(s)
    emit(s, EV_CONTACT, tc, 0, y)


cdef void band(Core* s, double t, double y, int steady) noexcept nogil:
    cdef double centre = s.target if s.has_target else s.h_level
    cdef double half = s.tolerance * centre
    cdef double margin = BAND_K * s.sig_f
    cdef double need, onset, tb, m, vfl, told
    cdef int brisk, from_in
    cdef double tj = t
    if margin > 0.5 * half:
        margin = 0.5 * half
    cdef int cand
    if y > centre + half + margin:
        cand = B_HIGH
    elif y < centre - half - margin:
        cand = B_LOW
    else:
        cand = s.b_state
    if s.b_state != B_IN:
        # back inside: the force averaged over VEL_MEAN (its window's middle), by its noise and a quantum's bound
        m = s.hm[hix(s, s.n - 1)]
        if fabs(m - centre) <= half - BAND_K * mean_noise(s, VEL_MEAN) - WIDE_QUANTA * quantum(s):
            cand = B_IN
            tj = t - 0.5 * VEL_MEAN
    if cand != s.b_cand:
        s.b_cand = cand
        s.b_since = tj
    need = s.enter_debounce if cand == B_IN else s.debounce
    if cand != s.b_state and tj - s.b_since >= need:
        if cand == B_IN:
            band_event(s, EV_BAND_ENTER, s.b_since, 0, centre, s.b_since)
        else:
            onset = s.b_since
            from_in = s.b_state == B_IN
            if not from_in:
                band_event(s, EV_BAND_ENTER, s.b_since, 0, centre, s.b_since)
            else:
                onset = exit_onset(s, centre + half if cand == B_HIGH else centre - half,
                                   1.0 if cand == B_HIGH else -1.0)
            # where the rate cannot tell a step from drift, the crossing can (golden)
            vfl = v_floor(s)
            brisk = s.h_level > 0.0 and vfl > DRIFT_MAX * s.h_level and \
                crossed_briskly(s, centre, half, 1.0 if cand == B_HIGH else -1.0, onset)
            if brisk and steady and not s.drifting and not s.has_target:
                excursion(s, t, s.n - 1, 0, 1 if cand == B_HIGH else -1, s.h_level)
                cut_level(s)
            # a drift out is told where its trend crossed; the decisions stand on onset (golden)
            told = onset
            if from_in:
                told = trend_onset(s, centre + half if cand == B_HIGH else centre - half,
                                   1.0 if cand == B_HIGH else -1.0, onset, t)
            if s.sub == MOVING and not s.mv_fast and not s.b_brisk and \
                    t - s.sl_onset <= s.step_max + RATE_LAG and \
                    (brisk or (s.mv_vpk >= DRIFT_MAX * s.h_level and
                               (s.mv_vpk >= vfl or t - s.bk_t <= BRISK_SPAN))):
                s.b_brisk = 1  # faster than drift: it may be a fast step the lagging rate missed
                tb = s.b_since
                s.b_since = onset
                band_event(s, EV_BAND_EXIT, tb, 2 if cand == B_HIGH else -2, centre, told)
            elif s.sub == MOVING and s.mv_fast:
                band_event(s, EV_BAND_EXIT, s.b_since, 2 if cand == B_HIGH else -2, centre, told)
            else:
                s.b_since = onset
                band_event(s, EV_BAND_EXIT, onset, 2 if cand == B_HIGH else -2, centre, told)
            s.b_exit_t = s.b_since
        s.b_state = cand
        s.b_floor = s.b_since


cdef double trend_onset(Core* s, double edge, double sgn, double onset, double t) noexcept nogil:
    # golden._trend_onset: where the line fitted to the filtered force over TREND_SPAN met the edge
    cdef double lo_t = t - TREND_SPAN
    cdef i64 lo = oldest(s)
    cdef i64 k = s.n - 1
    cdef i64 j
    cdef double sw = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0
    cdef double w, x, den, b, a, tx
    if lo_t < s.b_floor:
        lo_t = s.b_floor
    if t - lo_t < 0.5 * TREND_SPAN:
        return onset
    while k >= lo and s.ht[hix(s, k)] >= lo_t:
        j = hix(s, k)
        w = s.hw[j]
        x = s.ht[j] - t
        sw += w
        sx += w * x
        sy += w * s.hy[j]
        sxx += w * x * x
        sxy += w * x * s.hy[j]
        k -= 1
    den = sw * sxx - sx * sx
    if sw <= 0.0 or den <= 0.0:
        return onset
    b = (sw * sxy - sx * sy) / den
    if sgn * b <= 0.0 or sgn * b > DRIFT_MAX * s.h_level:
        return onset
    a = (sy - b * sx) / sw
    tx = t + (edge - a) / b - 2.0 * s.tau
    if tx > t or tx < lo_t - (t - lo_t) or tx < s.b_floor:
        return onset
    return tx


cdef inline int crossed_briskly(Core* s, double centre, double half, double sgn, double onset) noexcept nogil:
    # golden._crossed_briskly: from half the band out to its edge (at onset) faster than drift can
    cdef double t_half = exit_onset(s, centre + sgn * 0.5 * half, sgn)
    return onset - t_half < 0.5 * half / (DRIFT_MAX * s.h_level)


cdef double exit_onset(Core* s, double edge, double sgn) noexcept nogil:
    cdef double t_end = s.ht[hix(s, s.n - 1)]
    cdef i64 lo = oldest(s) + 1 if s.n > s.cap else 0
    cdef double hw = 0.5 * EXIT_MEAN
    cdef i64 kc = s.n - 1
    cdef i64 kb, ka
    cdef double m, t_after, m_after, tc, tx
    while kc > lo and s.ht[hix(s, kc)] > t_end - hw:
        kc -= 1
    kb = s.n - 1
    ka = kc
    while ka > lo and s.ht[hix(s, ka - 1)] >= s.ht[hix(s, kc)] - hw:
        ka -= 1
    m = mean_ticks(s, ka, kb + 1)
    if sgn * (m - edge) <= 0.0:
        return s.b_since
    t_after = s.ht[hix(s, kc)]
    m_after = m
    while kc > lo and s.ht[hix(s, kc - 1)] >= s.b_floor:
        kc -= 1
        tc = s.ht[hix(s, kc)]
        while kb > kc and s.ht[hix(s, kb)] > tc + hw:
            kb -= 1
        while ka > lo and s.ht[hix(s, ka - 1)] >= tc - hw:
            ka -= 1
        m = mean_ticks(s, ka, kb + 1)
        if sgn * (m - edge) <= 0.0:
            tx = tc + (edge - m) / (m_after - m) * (t_after - tc)
            return tx if tx < s.b_since else s.b_since
        t_after = tc
        m_after = m
    return t_after if t_after < s.b_since else s.b_since


cdef inline double v_floor(Core* s) noexcept nogil:
    cdef double noise = NOISE_K * 1.4142135623730951 * s.sig_f
    cdef double q = quantum(s)
    cdef double alt
    if q > 0.0:
        # the quantum moves the rate by at most q / VEL_SPAN: that bound plus the noise beyond it
        alt = NOISE_K * 1.4142135623730951 * sig_n(s) + q
        if alt < noise:
            noise = alt
    return 4.0 * s.vj + noise / VEL_SPAN


cdef inline int brisk_move(Core* s) noexcept nogil:
    # golden._brisk_move: the VEL_MEAN average has moved over BRISK_SPAN further than drift can
    cdef double d = fabs(s.hm[hix(s, s.n - 1)] - s.hm[hix(s, s.ib)])
    return d > DRIFT_MAX * s.h_level * BRISK_SPAN + \
        NOISE_K * 1.4142135623730951 * mean_noise(s, VEL_MEAN) + quantum(s)


cdef inline int low_for(Core* s, double t, double y, double level) noexcept nogil:
    if y >= s.release_level * level:
        s.low_since = -1.0
    elif s.low_since < 0.0:
        s.low_since = t
    elif t - s.low_since >= s.release_time:
        return 1
    return 0


cdef inline double hold_floor(Core* s) noexcept nogil:
    return s.h_start + s.min_hold


cdef double drop_onset(Core* s, i64 k_now, double floor, double level) noexcept nogil:
    cdef i64 k = k_now
    cdef i64 lo = imax(oldest(s), s.win_from)
    cdef double tail = s.hy[hix(s, k_now)] + DEPART * level + DEPART_K * s.sig_f
    cdef double m, yk, dt, v_fast
    cdef i64 kb
    if tail < s.release_level * level:
        tail = s.release_level * level  # golden: all of the rest below release_level is tail
    while k > lo and s.ht[hix(s, k - 1)] >= floor and s.hy[hix(s, k - 1)] <= tail:
        k -= 1
    kb = k
    m = s.hy[hix(s, k)]
    v_fast = s.step_rate * level
    while k > lo and s.ht[hix(s, k - 1)] >= floor:
        k -= 1
        yk = s.hy[hix(s, k)]
        if yk > m:
            m = yk
        elif yk < m - (DEPART * m + DEPART_K * s.sig_f):
            break
        while kb > k and s.ht[hix(s, kb)] - s.ht[hix(s, k)] > VEL_SPAN:
            kb -= 1
        dt = s.ht[hix(s, kb)] - s.ht[hix(s, k)]
        if dt > 0.5 * VEL_SPAN and yk - s.hy[hix(s, kb)] < v_fast * dt:
            break
    return scan_departure(s, m, DEPART * m + DEPART_K * s.sig_f, k_now, -1, floor)


cdef void after_release(Core* s) noexcept nogil:
    cdef i64 k = s.n - 1
    cdef i64 lo = oldest(s)
    cdef double y = s.hy[hix(s, k)]
    cdef double yk, span
    s.held = 0
    s.st = IDLE
    s.rest = y if y >= s.c_off else 0.0
    s.let_go = 0
    restart_window(s)
    # golden._after_release: the rest is found once the force has come to rest, steady since when
    # read back from the history
    s.rs_lim = s.release_level * s.last_level
    s.rs_on = s.rs_lim > 0.0
    s.rs_base = s.rest
    s.rs_fell = 0
    span = rest_span(s)
    s.rs_lo = y
    s.rs_hi = y
    while k > lo:
        yk = s.hy[hix(s, k - 1)]
        if (yk if yk > s.rs_hi else s.rs_hi) - (yk if yk < s.rs_lo else s.rs_lo) > span:
            break
        k -= 1
        if yk < s.rs_lo:
            s.rs_lo = yk
        if yk > s.rs_hi:
            s.rs_hi = yk
    s.rs_t = s.ht[hix(s, k)]
    if s.rs_on:
        find_rest(s, s.ht[hix(s, s.n - 1)], y)


cdef inline double lower_rest(Core* s, double rest, double y) noexcept nogil:
    # golden._lower_rest
    if rest <= 0.0:
        return rest
    if y < s.c_off:
        return 0.0
    return y if y < rest else rest


cdef inline double rest_span(Core* s) noexcept nogil:
    # golden._rest_span
    return 0.5 * s.c_on + 2.0 * (NOISE_K * sig_n(s) + WIDE_QUANTA * quantum(s))


cdef void find_rest(Core* s, double t, double y) noexcept nogil:
    # golden._find_rest
    s.rs_base = lower_rest(s, s.rs_base, y)
    if y > s.rs_lim:
        if s.rs_fell or y > s.rs_lo + s.c_on:
            s.rs_on = 0
            s.rs_lim = 0.0
            s.rest = s.rs_base
            return
        if y < s.rs_lo:
            s.rs_lo = y
        s.rs_hi = y
        s.rs_t = t
        return
    s.rs_fell = 1
    if y < s.rs_lo:
        s.rs_lo = y
    if y > s.rs_hi:
        s.rs_hi = y
    if s.rs_hi - s.rs_lo > rest_span(s):
        s.rs_t = t
        s.rs_lo = y
        s.rs_hi = y
    elif t - s.rs_t >= s.release_time:
        s.rs_on = 0
        if s.rs_lo >= s.c_off and s.rs_lo - s.rs_base > s.c_off:
            s.rest = s.rs_lo
        else:
            s.rest = s.rs_base
        s.rs_at = s.rest


cdef void release_after_leave(Core* s, i64 k_now) noexcept nogil:
    cdef double onset = drop_onset(s, k_now, s.last_end, s.last_level)
    emit(s, EV_RELEASE, onset, 0, s.last_level)
    after_release(s)


cdef i64 settled_before(Core* s, double drop) noexcept nogil:
    # the tick before drop if the force lay within the hold band of the candidate, a step from the
    # hold's level, for the min_hold before it (relative mode); else -1 (golden._settled_before)
    cdef i64 k = s.n - 1
    cdef i64 lo = oldest(s)
    if s.has_target or s.cd_start < 0.0 or fabs(s.cd_level - s.h_level) < step_thr(s, s.h_level):
        return -1
    k = last_at(s, k, lo, drop)
    if band_start(s, s.cd_level, s.mv_onset, k) > drop - s.min_hold:
        return -1
    return k


cdef void release(Core* s, double t, i64 k_now) noexcept nogil:
    cdef double floor = hold_floor(s)
    cdef double tol, onset, level, drop, left
    cdef i64 k_drop
    cdef int went
    if s.sub == STEADY:
        tol = DEPART * s.ref + DEPART_K * s.sig_f
        onset = scan_departure(s, s.ref, tol, k_now, -1, floor)
        level = s.ref
    else:
        level = s.mv_ref
        onset = scan_departure(s, s.mv_ref, s.mv_tol, k_now, -1, floor)
        drop = drop_onset(s, k_now, onset, s.h_level)
        went = went_fast_by(s, drop)
        left = left_at_by(s, drop, onset if onset < s.mv_onset else s.mv_onset)  # (golden)
        k_drop = settled_before(s, drop) if s.mv_fast and left_fast_by(s, drop) else -1
        if k_drop >= 0:
            # left fast and had settled into a new hold (min_hold, a step away) when let go: the old
            # hold ended there, the new one is released (golden)
            if left >= drop:  # the let-go's own going out: the excursion's departure (golden)
                left = onset if onset < s.mv_onset else s.mv_onset
            leave(s, t, k_drop, left, 1)
            if s.st != HOLD:  # no room for the new hold after the departure (golden)
                release_after_leave(s, k_now)
                return
            onset = drop_onset(s, k_now, hold_floor(s), s.h_level)
            onset = end_hold(s, onset, END_RELEASE)
            emit(s, EV_RELEASE, onset, 0, s.h_level)
            after_release(s)
            return
        if not (s.mv_fast and left_fast_by(s, drop)):
            onset = drop
        elif (s.mv_far_up if went else (1 if s.jp_dir > 0 else 0)) or drop - left > s.leave_time:
            onset = end_hold(s, left, END_LEFT)
            emit(s, EV_RELEASE, drop if drop > onset else onset, 0, s.last_level)
            after_release(s)
            return
    onset = end_hold(s, onset, END_RELEASE)
    emit(s, EV_RELEASE, onset, 0, level)
    after_release(s)


cdef void in_contact(Core* s, double t, double y, i64 k_now) noexcept nogil:
    cdef double mid, start, level, frm
    if contact_lost(s, y):
        if s.held:
            release_after_leave(s, k_now)
            return
        s.st = IDLE
        s.rest = y if y >= s.c_off else 0.0
        return
    if s.held:
        if low_for(s, t, y, s.last_level):
            release_after_leave(s, k_now)
            return
    else:
        # a contact that never held, let go onto a resting hand: it ends there, no release (golden)
        if y > s.c_peak:
            s.c_peak = y
        if low_for(s, t, y, s.c_peak):
            s.st = IDLE
            s.rest = y  # still in contact here, so above c_off
            s.let_go = 1
            return
    if t < s.c_try:
        return
    if not steady_window(s, t, &mid) or mid < s.base + s.c_on:
        return
    frm = win_start_t(s)
    if s.held and frm < s.last_end:
        frm = s.last_end
    settle(s, mid, frm, &start, &level)
    if start <= t - s.min_hold:
        begin_hold(s, t, hold_start(s, level, frm, s.n - 1), level, start)
    else:
        s.c_try = start + s.min_hold


cdef inline void learn(Core* s, double t, double y, double v_on) noexcept nogil:
    cdef double dv = s.v - s.v_slow
    cdef double dt
    if fabs(s.v) > LEARN_FRAC * v_on:
        return
    dt = t - s.t_prev_tick
    s.ref += dt / (0.3 + dt) * (s.hy[hix(s, s.iv)] - s.ref)
    s.v_slow += 0.02 * dv
    s.vj += 0.02 * ((dv if dv >= 0 else -dv) - s.vj)


cdef void excursion(Core* s, double t, i64 k_now, int fast, int direction, double ref) noexcept nogil:
    cdef int fresh = s.sub == STEADY
    cdef int was_slow = not fresh and not s.mv_fast
    if fresh:
        s.mv_out = -1.0
        s.mv_ep = -1.0
        s.mv_ep_on = -1.0
        s.mv_back = -1.0
        s.cd_start = -1.0
    s.sub = MOVING
    s.cd_span = -1.0
    s.mv_fast = fast
    if fresh:
        s.held_n = 0
        s.b_brisk = 0
        s.mv_vpk = s.v_run  # the rate may have peaked before the level test saw it leave
        s.v_run = 0.0
        s.mv_base = s.dr_level if s.drifting else s.h_level  # from a drift's rest, from there
    s.mv_dir = direction
    s.mv_ref = ref
    s.mv_tol = DEPART * ref + DEPART_K * s.sig_f
    cdef double passed
    s.mv_onset = departure(s, ref, s.mv_tol, k_now, direction, hold_floor(s), &passed)
    if fresh or (fast and was_slow and s.mv_out >= 0.0 and t - s.mv_out <= RATE_LAG):
        s.sl_onset = s.mv_onset
        s.sl_ref = ref
        s.sl_left = passed
        s.mv_peak = 0.0
        s.mv_far = -1.0
        s.mv_far_up = 0
        s.mv_away = fast
        s.mv_rested = 0
        s.ij = k_now
        s.jp_onset = -1.0
        s.mv_jump = -1.0
        s.mv_jump_at = -1.0
    else:
        s.mv_away = direction * (s.hy[hix(s, k_now)] - s.sl_ref) > 0.0
        # from a force resting where the slow excursion took it: a change of its own (golden)
        s.mv_rested = rested_before(s, s.mv_onset)
    s.mv_quiet = -1.0
    s.mv_settle = -1.0


cdef inline double away_for(Core* s, double t) noexcept nogil:
    # how long the force has been out of the band this time away (golden._away_for)
    if s.mv_ep < 0.0:
        return 0.0
    return (t if s.mv_back < 0.0 else s.mv_back) - s.mv_ep


cdef inline double away_onset(Core* s, double first) noexcept nogil:
    # this time away's departure onset, first the excursion's own (golden._away_onset)
    return first if s.mv_ep_on < first else s.mv_ep_on


cdef inline double fast_time(Core* s) noexcept nogil:
    # longest a departure may take to get a step away and still have left fast (golden._fast_time)
    return step_thr(s, s.h_level) / (s.step_rate * s.h_level)


cdef inline int went_fast_by(Core* s, double t_drop) noexcept nogil:
    return s.mv_away and 0.0 <= s.mv_far < t_drop and s.mv_far - s.sl_onset <= fast_time(s)


cdef inline int left_fast_by(Core* s, double t_drop) noexcept nogil:
    # the excursion went out fast, or later moved on a step from outside the band as fast (golden)
    return went_fast_by(s, t_drop) or 0.0 <= s.mv_jump_at < t_drop


cdef inline double left_at_by(Core* s, double by, double first) noexcept nogil:
    # where the hold was left: this time away's onset, or the jump's (golden._left_at)
    return away_onset(s, first) if went_fast_by(s, by) or s.mv_jump < 0.0 else s.mv_jump


cdef inline double left_at(Core* s) noexcept nogil:
    return left_at_by(s, INFINITY, s.mv_onset)


cdef void jump(Core* s, double t, double y, i64 k_now, double v_on) noexcept nogil:
    # from outside the band a step further away within fast_time, and not back where that began
    # for leave_time: the hold was left fast there (golden._jump)
    cdef double ft, ref, d
    cdef i64 lo
    if s.mv_jump >= 0.0 or s.h_level <= 0.0:
        return  # (a hold garbage left at level 0 has no rate to be fast by: golden)
    ft = fast_time(s)
    lo = oldest(s)
    if s.ij < lo:
        s.ij = lo
    while s.ij + 1 < k_now and s.ht[hix(s, s.ij + 1)] <= t - ft:
        s.ij += 1
    if s.jp_onset < 0.0:
        ref = s.hy[hix(s, s.ij)]
        d = ref - s.h_level
        if fabs(d) <= wide(s, s.h_level) or (y - ref) * d <= 0.0 or fabs(y - ref) < step_thr(s, s.h_level):
            return
        s.jp_dir = 1 if d > 0.0 else -1
        s.jp_ref = ref
        d = s.hy[hix(s, fast_start(s, k_now, s.jp_dir))]  # dated where the fast part began
        s.jp_onset = scan_departure(s, d, DEPART * d + DEPART_K * s.sig_f, k_now, s.jp_dir, hold_floor(s))
        s.jp_far = t
        s.jp_fast = 0
    if s.jp_dir * s.v > v_on:
        s.jp_fast = 1  # the rate test saw it
    if s.jp_dir * (y - s.jp_ref) <= 0.5 * step_thr(s, s.h_level):
        s.jp_onset = -1.0  # back, more than half way, to where it began
    elif t - s.jp_far > s.leave_time and s.jp_fast:
        s.mv_jump = s.jp_onset
        s.mv_jump_at = t


cdef i64 fast_start(Core* s, i64 k_now, int direction) noexcept nogil:
    # back to where the force last moved in direction slower than step_rate (golden._fast_start)
    cdef double v_fast = s.step_rate * s.h_level
    cdef double dt
    cdef i64 k = k_now
    cdef i64 kb = k_now
    while k > s.ij:
        k -= 1
        while kb > k and s.ht[hix(s, kb)] - s.ht[hix(s, k)] > VEL_SPAN:
            kb -= 1
        dt = s.ht[hix(s, kb)] - s.ht[hix(s, k)]
        if dt > 0.5 * VEL_SPAN and direction * (s.hy[hix(s, kb)] - s.hy[hix(s, k)]) < v_fast * dt:
            break
    return k


cdef inline int brisk_level(Core* s) noexcept nogil:
    # the candidate's level was reached as briskly as a fast step's (golden._brisk_level)
    return 0.0 <= s.cd_span <= SPAN_20_80 * s.step_max


cdef inline int left_fast(Core* s) noexcept nogil:
    return left_fast_by(s, INFINITY)


cdef inline void last_thirds(Core* s, double* m0, double* m1, double* m2) noexcept nogil:
    # The means of the last min_hold's thirds, oldest first (golden._last_thirds).
    m0[0] = mean_ticks(s, s.ih2, s.it2)
    m1[0] = mean_ticks(s, s.it2, s.it1)
    m2[0] = mean_ticks(s, s.it1, s.n)


cdef inline int from_hold(Core* s, double level) noexcept nogil:
    # a step from the hold's own level too, when judged from a rested excursion or a drift's rest
    # (golden._from_hold)
    return (not s.mv_rested and s.mv_base == s.h_level) or fabs(level - s.h_level) >= step_thr(s, s.h_level)


cdef int rested_before(Core* s, double t_end) noexcept nogil:
    # the min_hold before t_end was flat: its halves' means agree within FLAT (golden._rested_before)
    cdef double half = 0.5 * s.min_hold
    cdef i64 lo = imax(oldest(s) + 1 if s.n > s.cap else 0, s.win_from)
    cdef i64 kb = back_to(s, s.n - 1, lo, t_end)
    cdef i64 km = back_to(s, kb, lo, t_end - half)
    cdef i64 ka = back_to(s, km, lo, t_end - 2.0 * half)
    cdef double m1
    if ka <= lo or km >= kb or ka >= km:
        return 0
    m1 = mean_ticks(s, km, kb)
    return fabs(m1 - mean_ticks(s, ka, km)) <= FLAT * m1 + ARRIVAL_K * s.sig_f


cdef int is_flat(Core* s, double t) noexcept nogil:
    cdef double half = 0.5 * s.min_hold
    cdef double mid = mean_ticks(s, s.ih1, s.n)
    cdef double v_flat = FLAT * mid / half + v_floor(s)
    cdef double tol = FLAT * mid + ARRIVAL_K * s.sig_f
    if not (fabs(mid - mean_ticks(s, s.ih2, s.ih1)) <= tol and fabs(s.v) <= v_flat):
        return 0
    cdef double m0, m1, m2
    last_thirds(s, &m0, &m1, &m2)
    cdef double hi = m0 if m0 > m1 else m1
    cdef double lo = m0 if m0 < m1 else m1
    return (m2 if m2 > hi else hi) - (m2 if m2 < lo else lo) <= tol


cdef int turning(Core* s, int direction) noexcept nogil:
    # The last min_hold's thirds show a turn: on its way back, or centred on a peak (golden._turning).
    cdef double tol = FLAT * mean_ticks(s, s.ih1, s.n) + ARRIVAL_K * s.sig_f
    cdef double m0, m1, m2
    last_thirds(s, &m0, &m1, &m2)
    cdef double a = direction * m0
    cdef double c = direction * m1
    cdef double e = direction * m2
    return (a if a < c else c) - e > tol or c - (a if a > e else e) > tol


cdef int flat_thirds(Core* s, double t, double dur, int direction, double flat_frac) noexcept nogil:
    cdef double third = dur / 3.0
    cdef i64 lo = imax(oldest(s), s.win_from)
    cdef i64 k = s.n - 1
    cdef i64 b = s.n
    cdef double m = 0.0
    cdef double m_new = 0.0
    cdef double m_mid = 0.0
    cdef double edge, tol, flat, noise, a, c, e
    cdef double m_lo = INFINITY
    cdef double m_hi = -INFINITY
    cdef int j
    for j in range(1, 4):
        edge = t - j * third
        k = back_to(s, k, lo, edge)
        m = mean_ticks(s, k, b)
        if j == 1:
            m_new = m
        elif j == 2:
            m_mid = m
        if m < m_lo:
            m_lo = m
        if m > m_hi:
            m_hi = m
        b = k
    # FLAT of the level and the means' noise allowance add in quadrature (golden._flat_thirds)
    flat = flat_frac * 0.5 * (m_hi + m_lo)
    noise = ARRIVAL_K * 1.4142135623730951 * mean_noise(s, third)
    tol = sqrt(flat * flat + noise * noise)
    if m_hi - m_lo > tol:
        return 0
    a = direction * m
    c = direction * m_mid
    e = direction * m_new
    return not (c > a and c > e and c - 0.5 * (a + e) > TURN_PEAK * tol)


cdef inline i64 back_below(Core* s, i64 k, i64 lo, double a, double d, int direction,
                           double* h) noexcept nogil:
    while k > lo and direction * (h[hix(s, k)] - a) >= d:
        k -= 1
    return k


cdef void ease_crossings(Core* s, double a, double b, double* t_from, double* t_to) noexcept nogil:
    # Where a slow change from a to b last passed EASE_FROM and EASE_TO of the way before its
    # midpoint, on the VEL_MEAN average (golden._ease_crossings).
    cdef double d = b - a
    cdef int direction = 1 if d > 0 else -1
    cdef i64 k = s.n - 1
    cdef i64 lo = imax(oldest(s), s.win_from)
    d = fabs(d)
    k = back_below(s, k, lo, a, 0.5 * d, direction, s.hm)
    k = back_below(s, k, lo, a, EASE_TO * d, direction, s.hm)
    t_to[0] = crossing(s, k, a, EASE_TO * d, direction, s.hm)
    k = back_below(s, k, lo, a, EASE_FROM * d, direction, s.hm)
    t_from[0] = crossing(s, k, a, EASE_FROM * d, direction, s.hm)


cdef inline double ease_dated(double t_from, double t_to, double back) noexcept nogil:
    # The onset: back from the first crossing by back times the time between them (golden._ease_dated).
    return t_from - 0.5 * VEL_MEAN - back * (t_to - t_from)


cdef double wander(Core* s, double t_end, double t_first) noexcept nogil:
    # The hand's wander before t_end: the median change between consecutive EASE_WANDER_SPAN means
    # over the EASE_WANDER_TIME before it, none before t_first nor the history (golden._wander).
    cdef i64 lo = imax(oldest(s) + 1 if s.n > s.cap else 0, s.win_from)
    cdef i64 b = back_to(s, s.n - 1, lo, t_end)
    cdef i64 k = b
    cdef int spans = <int>(EASE_WANDER_TIME / EASE_WANDER_SPAN + 0.5)
    cdef int j, i, h
    cdef int nd = 0
    cdef double diffs[WANDER_CAP]
    cdef double edge, m, x
    cdef double prev = 0.0
    if spans > WANDER_CAP + 1:
        spans = WANDER_CAP + 1
    for j in range(1, spans + 1):
        edge = t_end - j * EASE_WANDER_SPAN
        if edge < t_first:
            break
        k = back_to(s, k, lo, edge)
        if k >= b or s.ht[hix(s, k)] - edge > 0.5 * EASE_WANDER_SPAN:
            break
        m = mean_ticks(s, k, b)
        if j > 1:
            # kept sorted as it grows (a handful of values)
            x = fabs(m - prev)
            i = nd
            while i > 0 and diffs[i - 1] > x:
                diffs[i] = diffs[i - 1]
                i -= 1
            diffs[i] = x
            nd += 1
        prev = m
        b = k
    if nd == 0:
        return 0.0
    h = nd // 2
    return diffs[h] if nd % 2 else 0.5 * (diffs[h - 1] + diffs[h])


cdef bint ease_base(Core* s, double onset, double* base) noexcept nogil:
    # golden._ease_base: the force's mean over EASE_BASE before onset (false before the history)
    cdef i64 lo = imax(oldest(s), s.win_from)
    cdef i64 k = s.n - 1
    cdef i64 kb
    while k > lo and s.ht[hix(s, k)] >= onset:
        k -= 1
    kb = k + 1
    k = back_to(s, k, lo, onset - EASE_BASE)
    if kb > k and s.ht[hix(s, k)] < onset:  # (an onset before the history has no base there)
        base[0] = mean_ticks(s, k, kb)
        return 1
    return 0


cdef double ease_onset(Core* s, double a, double b, double floor) noexcept nogil:
    # Dated back by an EASE_BACK the wander before the first estimate has shrunk (golden._ease_onset).
    cdef double t_from, t_to, onset, w, back, base
    cdef double d = fabs(b - a)
    ease_crossings(s, a, b, &t_from, &t_to)
    # golden: an interval no accepted ease spends between 5 % and 25 %: it began where the excursion did
    cdef bint rested = t_to - t_from > 0.5 * SLOW_SPAN * s.slow_max
    cdef double first = s.sl_onset if rested else ease_dated(t_from, t_to, EASE_BACK)
    w = wander(s, first, s.h_start) / (EASE_WANDER * d) if d > 0.0 else 0.0
    back = EASE_BACK / (1.0 + w * w)
    if back < EASE_BACK_MIN:
        back = EASE_BACK_MIN
    onset = first if rested else ease_dated(t_from, t_to, back)
    # golden: again from the mean before each estimate while it lies further beyond the old level
    cdef double direction = 1.0 if b > a else -1.0
    cdef double tol = DEPART * fabs(a) + DEPART_K * s.sig_f
    cdef double prev = a
    cdef double peek
    cdef int i
    for i in range(EASE_PASSES):
        if not ease_base(s, onset, &base) or (b - base) * (b - a) <= 0.0:
            break
        ease_crossings(s, base, b, &t_from, &t_to)
        onset = ease_dated(t_from, t_to, back)
        if direction * (prev - base) <= tol:
            if i > 0:
                break  # no further out: at the turn
            # golden: from the old level's side once, unless the force came to it from beyond it
            if not ease_base(s, onset - EASE_BASE, &peek) or direction * (a - peek) <= tol:
                break
            ease_crossings(s, peek, b, &t_from, &t_to)
            onset = ease_dated(t_from, t_to, back)
            base = peek
        prev = base
    return onset if onset > floor else floor


cdef i64 steady_back(Core* s, i64 k, i64 lo, double t0, double* mid, int* steady) noexcept nogil:
    # The ticks from k back to t0 (not before lo): the first of them (returned), their mid level,
    # and whether they stayed within the steady band of it.
    cdef double ymax = s.hy[hix(s, k)]
    cdef double ymin = ymax
    cdef double yk
    while k > lo and s.ht[hix(s, k - 1)] >= t0:
        k -= 1
        yk = s.hy[hix(s, k)]
        if yk > ymax:
            ymax = yk
        elif yk < ymin:
            ymin = yk
    mid[0] = 0.5 * (ymax + ymin)
    steady[0] = 0.5 * (ymax - ymin) <= wide(s, mid[0])
    return k


cdef int steady_for(Core* s, double t, double dur) noexcept nogil:
    cdef double mid
    cdef int steady
    cdef i64 k = steady_back(s, s.n - 1, imax(oldest(s), s.win_from), t - dur, &mid, &steady)
    if s.ht[hix(s, k)] > t - dur + tick_gap(s):  # history (or no silence) back to t - dur
        return 0
    return steady and fabs(mid - s.h_level) >= step_thr(s, s.h_level)


cdef double span_from(Core* s, i64 k, i64 lo, double a, double d, int direction, double limit) noexcept nogil:
    # The rest of golden._span, from the tick k short of its 80 % crossing, as far as any caller
    # looks: each only asks whether the span is within limit, so the walk back to the 20 % crossing
    # stops (inf) once it has passed limit before the 80 % one (plus a slack far above the
    # interpolation's rounding): that crossing lies before the tick, the span beyond limit. The same
    # verdicts; the walk over a slow ease is cut to limit's ticks.
    cdef double t80 = crossing(s, k, a, 0.8 * d, direction, s.hm)
    cdef double t_stop = t80 - limit - SPAN_SLACK
    while k > lo and direction * (s.hm[hix(s, k)] - a) >= 0.2 * d:
        if s.ht[hix(s, k)] < t_stop:
            return INFINITY
        k -= 1
    if direction * (s.hm[hix(s, k)] - a) >= 0.2 * d:
        return INFINITY
    return t80 - crossing(s, k, a, 0.2 * d, direction, s.hm)


cdef double span(Core* s, double a, double b, double t_end, double limit) noexcept nogil:
    # golden._span (inf where it exceeds limit: span_from)
    cdef double d = b - a
    cdef int direction = 1 if d > 0 else -1
    cdef i64 k = s.n - 1
    cdef i64 lo = imax(oldest(s), s.win_from)
    d = fabs(d)
    k = last_at(s, k, lo, t_end + 0.5 * VEL_MEAN)
    k = back_below(s, k, lo, a, 0.8 * d, direction, s.hm)
    if k <= lo:
        return INFINITY
    return span_from(s, k, lo, a, d, direction, limit)


cdef inline i64 walk_past(Core* s, i64 k, i64 stop, double a, double dd, int direction,
                          double* emin) noexcept nogil:
    # back_below from tick k (not below stop), keeping in emin the least excess past a of the
    # ticks it passed
    cdef double e
    while k > stop:
        e = direction * (s.hm[hix(s, k)] - a)
        if e < dd:
            break
        if e < emin[0]:
            emin[0] = e
        k -= 1
    return k


cdef double span_now(Core* s, double a, double b, double t_end, double limit) noexcept nogil:
    # span(), asked tick after tick of a candidate the force has gone past (the same start a, the
    # end b its mean now, t_end now): the walk back to the 80 % crossing goes over the same ticks
    # each time. So the last call's crossing (sp_k80), how far its walk reached (sp_kend) and the
    # least excess past a over the ticks between (sp_min) are kept: when that excess still reaches
    # 80 % of the new way, only the ticks since are walked, and the crossing is the old one if it
    # still lies short of 80 %; otherwise the walk goes on from there. Ticks are never rewritten
    # while they lie in the ring (lo), and reset_detection clears the cache, so the crossing found
    # is the one span() would find, tick for tick: the same return value.
    cdef double d = b - a
    cdef int direction = 1 if d > 0 else -1
    cdef i64 lo = imax(oldest(s), s.win_from)
    cdef i64 kend, k
    cdef double emin = INFINITY
    d = fabs(d)
    kend = last_at(s, s.n - 1, lo, t_end + 0.5 * VEL_MEAN)
    k = kend
    if s.sp_kend >= 0 and a == s.sp_a and direction == s.sp_dir and kend >= s.sp_kend and s.sp_k80 > lo:
        k = walk_past(s, k, s.sp_kend, a, 0.8 * d, direction, &emin)  # the ticks since
        if k == s.sp_kend and s.sp_min >= 0.8 * d:
            if emin > s.sp_min:
                emin = s.sp_min
            k = s.sp_k80  # every tick after it lies 80 % of the way on, as walked before
        elif k == s.sp_kend:
            k = kend  # the old walk no longer holds: walk it all
            emin = INFINITY
    k = walk_past(s, k, lo, a, 0.8 * d, direction, &emin)
    s.sp_a = a
    s.sp_dir = direction
    s.sp_kend = kend if k > lo else -1
    s.sp_k80 = k
    s.sp_min = emin
    if k <= lo:
        return INFINITY
    return span_from(s, k, lo, a, d, direction, limit)


cdef inline int window_after(Core* s, double t0) noexcept nogil:
    cdef i64 lo = imax(oldest(s), s.win_from)
    return s.ht[hix(s, s.iw if s.iw > lo else lo)] >= t0


cdef double lead_in(Core* s, double onset, i64 k_now, int direction, double lim) noexcept nogil:
    cdef double floor = hold_floor(s)
    cdef i64 k = k_now
    cdef i64 lo = imax(oldest(s) + 1 if s.n > s.cap else 0, s.win_from)
    cdef i64 ka
    cdef double ref, tol
    if lim < floor:
        lim = floor
    k = last_at(s, k, lo, lim)
    ka = k
    while ka > lo and s.ht[hix(s, ka - 1)] >= lim - s.min_hold:
        ka -= 1
    if k <= lo or s.ht[hix(s, ka)] > lim - 0.5 * s.min_hold:
        return onset
    ref = mean_ticks(s, ka, k + 1)
    tol = DEPART * ref + DEPART_K * s.sig_f + quantum(s)
    while ka <= k:
        if fabs(s.hy[hix(s, ka)] - ref) > tol:
            return onset
        ka += 1
    k = last_at(s, k_now, lo, onset)
    cdef double dev = s.hy[hix(s, k)] - ref
    if fabs(dev) <= tol:
        return onset
    return scan_departure(s, ref, tol, k, 1 if dev > 0 else -1, lim)


cdef inline i64 first_at(double* xs, i64 m, double x, int inclusive) noexcept nogil:
    # the first index of the sorted xs[:m] at or past x (inclusive: past it only); golden: bisect
    cdef i64 lo = 0, hi = m, mid
    while lo < hi:
        mid = (lo + hi) // 2
        if xs[mid] < x or (inclusive and xs[mid] == x):
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef inline double ramp_fit(double* p1, double* px, double* pxx, double* py, double* pxy, i64 m, i64 ia,
                            i64 ib, double t0, double t1, double direction) noexcept nogil:
    # golden._ramp_fit: the flat-ramp-flat least-squares fit's explained sum (-inf: degenerate, or against)
    cdef double r = 1.0 / (t1 - t0)
    cdef double bw = p1[ib] - p1[ia]
    cdef double bx = px[ib] - px[ia]
    cdef double su = p1[m] - p1[ib] + (bx - t0 * bw) * r
    cdef double suu = p1[m] - p1[ib] + (pxx[ib] - pxx[ia] - 2.0 * t0 * bx + t0 * t0 * bw) * (r * r)
    cdef double suy = py[m] - py[ib] + (pxy[ib] - pxy[ia] - t0 * (py[ib] - py[ia])) * r
    cdef double svv = p1[m] - 2.0 * su + suu
    cdef double suv = su - suu
    cdef double svy = py[m] - suy
    cdef double det = svv * suu - suv * suv
    if det <= 1e-12 * p1[m] * p1[m]:
        return -INFINITY
    if (svv * suy - suv * svy - suu * svy + suv * suy) * direction <= 0.0:  # L1 - L0 against direction
        return -INFINITY
    return (suu * svy * svy - 2.0 * suv * svy * suy + svv * suy * suy) / det


cdef double ease_fit(Core* s, double onset, double start, double t, double direction) noexcept nogil:
    # golden._ease_fit: the onset held near the ramp of a flat-ramp-flat line fitted to the filtered force
    cdef double lo_t = onset - EASE_FIT_BACK
    cdef double hi_t = start + EASE_FIT_AFTER
    cdef i64 lo = oldest(s)
    cdef i64 k, k_hi, m, i, j, jmin, n0, n1, g, q0, q1
    cdef i64 c = s.cap + 1
    cdef double* xs = s.fit
    cdef double* p1 = s.fit + c
    cdef double* px = s.fit + 2 * c
    cdef double* pxx = s.fit + 3 * c
    cdef double* py = s.fit + 4 * c
    cdef double* pxy = s.fit + 5 * c
    cdef i64* ga = s.fit_ix
    cdef i64* gb = s.fit_ix + c
    cdef double w, x, y, a0, best, b0, b1, c0, c1, t0, t1, sc, r0, span
    if lo_t < s.h_start:
        lo_t = s.h_start
    if hi_t > t:
        hi_t = t
    k_hi = last_at(s, s.n - 1, lo, hi_t)
    k = back_to(s, k_hi, lo, lo_t)
    m = k_hi - k + 1
    if start - lo_t < 2.0 * EASE_FIT_MIN or hi_t - lo_t < 2.0 or m < 20:
        return onset
    p1[0] = 0.0
    px[0] = 0.0
    pxx[0] = 0.0
    py[0] = 0.0
    pxy[0] = 0.0
    for i in range(m):
        j = hix(s, k + i)
        w = s.hw[j]
        x = s.ht[j] - t
        y = s.hy[j]
        xs[i] = x
        p1[i + 1] = p1[i] + w
        px[i + 1] = px[i] + w * x
        pxx[i + 1] = pxx[i] + w * x * x
        py[i + 1] = py[i] + w * y
        pxy[i + 1] = pxy[i] + w * x * y
    a0 = lo_t - t
    n0 = 0
    while a0 + EASE_FIT_GRID * n0 < start - t:
        n0 += 1
    n1 = 0
    while a0 + EASE_FIT_GRID * n1 < hi_t - t:
        n1 += 1
    if n1 > s.cap:  # (a tick longer than the grid's step: no more points than ticks)
        n1 = s.cap
    q0 = 0
    q1 = 0
    for g in range(n1):  # where each grid time falls among the ticks, once
        x = a0 + EASE_FIT_GRID * g
        while q0 < m and xs[q0] < x:
            q0 += 1
        while q1 < m and xs[q1] <= x:
            q1 += 1
        ga[g] = q0
        gb[g] = q1
    best = -INFINITY
    b0 = 0.0
    b1 = 0.0
    jmin = <i64> llround(EASE_FIT_MIN / EASE_FIT_GRID)
    for i in range(n0):
        t0 = a0 + EASE_FIT_GRID * i
        for j in range(i + jmin, n1):
            t1 = a0 + EASE_FIT_GRID * j
            sc = ramp_fit(p1, px, pxx, py, pxy, m, ga[i], gb[j], t0, t1, direction)
            if sc > best:
                best = sc
                b0 = t0
                b1 = t1
    if best == -INFINITY:
        return onset
    c0 = b0
    c1 = b1
    for i in range(10):
        t0 = c0 + EASE_FIT_FINE * (i - 5)
        for j in range(10):
            t1 = c1 + EASE_FIT_FINE * (j - 5)
            if t1 - t0 < EASE_FIT_MIN - 1e-9:
                continue
            sc = ramp_fit(p1, px, pxx, py, pxy, m, first_at(xs, m, t0, 0), first_at(xs, m, t1, 1), t0, t1,
                          direction)
            if sc > best:
                best = sc
                b0 = t0
                b1 = t1
    r0 = t + b0 - 2.0 * s.tau
    span = b1 - b0
    if onset < r0 - EASE_FIT_EARLY * span:
        return r0 - EASE_FIT_EARLY * span
    if onset > r0 + EASE_FIT_LATE * span:
        return r0 + EASE_FIT_LATE * span
    return onset


cdef void do_step(Core* s, double t, i64 k_now, int slow) noexcept nogil:
    cdef double start = s.cd_start
    cdef double level = s.cd_level
    cdef double mid
    cdef bint ok = steady_window(s, t, &mid)
    if ok and fabs(mid - level) <= wide(s, level):
        settle(s, mid, s.mv_onset, &start, &level)
    cdef double ref = s.mv_base if slow else s.mv_ref
    cdef int direction = 1 if level > ref else -1
    cdef double onset
    if slow:
        onset = ease_onset(s, ref, level, hold_floor(s))
    else:
        onset = scan_departure(s, ref, DEPART * ref + DEPART_K * s.sig_f, k_now, direction, hold_floor(s),
                               fabs(level - ref))
        onset = lead_in(s, onset, k_now, direction, start - s.step_max)
    cdef double latest = t - s.min_hold
    if onset > latest:  # golden._step: the change began before the new hold's steady window
        onset = s.mv_onset if s.mv_onset < latest else latest
    cdef double settled = start
    if slow and ok:
        level = mean_since(s, t - s.slow_hold)  # the level held over the slow_step_hold confirmed
    start = hold_start(s, level, onset, k_now)
    cdef double fitted, fl
    if slow:  # golden._step: the crossings' dating held near the fitted ramp
        fitted = ease_fit(s, onset, start, t, <double> direction)
        fl = hold_floor(s)
        if fitted < fl:
            fitted = fl
        if fitted > latest:
            fitted = latest
        if start > fitted >= t - s.hist:  # (a ramp reaching back past the history: as dated)
            onset = fitted
    # a slow step tells the ease's held exits, unless its level was reached as briskly as a fast step's
    flush_held(s, INFINITY if slow and not s.mv_fast and not brisk_level(s) else onset)
    if slow and s.b_told != B_IN:
        emit(s, EV_BAND_ENTER, start if start > s.b_exit_t else s.b_exit_t, 0, level)
    end_hold(s, onset, END_STEP)
    emit(s, EV_STEP, onset, direction, level)
    begin_hold(s, t, start, level, settled)


cdef void leave(Core* s, double t, i64 k_end, double onset, int at_it) noexcept nogil:
    # (a new hold at the candidate as it was at tick k_end: the latest, n - 1, but at a let-go;
    # the departure dated at onset; at_it: the force is at the candidate)
    cdef double start = s.cd_start
    cdef double level = s.cd_level
    onset = end_hold(s, onset, END_LEFT)
    s.win_from = back_to(s, s.n - 1, imax(oldest(s), s.win_from), onset)
    # no hold begun at a level the force has left, nor under min_hold after the departure (golden)
    if start >= 0.0 and at_it and onset <= t - s.min_hold:
        begin_hold(s, t, hold_start(s, level, onset, k_end), level, start)


cdef void resume(Core* s, double t, double y, int drifting) noexcept nogil:
    s.sub = STEADY
    if s.h_lv_cut:
        level_behind(s, t)
    s.ref = y
    s.drifting = drifting
    if drifting:
        s.dr_level = mean_ticks(s, s.ih1, s.n)
    s.cd_start = -1.0
    flush_held(s, INFINITY)
    band(s, t, y, 0)


cdef int shelf(Core* s, double t, i64 k_now, int direction) noexcept nogil:
    cdef i64 lo = imax(oldest(s) + 1 if s.n > s.cap else 0, s.win_from)
    cdef double before = s.hy[hix(s, s.iv)]
    cdef double t1 = scan_departure(s, before, DEPART * before + DEPART_K * s.sig_f, k_now, direction,
                                    s.mv_onset)
    cdef i64 k1 = k_now
    cdef i64 k, ka
    cdef int steady
    cdef double mid, half, level, settled, frm, sp
    while k1 > lo and s.ht[hix(s, k1)] > t1:
        k1 -= 1
    k = steady_back(s, k1, lo, t1 - s.min_hold, &mid, &steady)
    if k <= lo or s.ht[hix(s, k)] < s.mv_onset:
        return 0
    if not steady:
        return 0
    half = t1 - 0.5 * s.min_hold
    ka = k1
    while ka > lo and s.ht[hix(s, ka - 1)] >= half:
        ka -= 1
    level = mean_ticks(s, ka, k1 + 1)
    settled = scan_arrival(s, level, ARRIVAL * level + ARRIVAL_K * s.sig_f, wide(s, level), s.mv_onset, k1,
                           s.hy)
    ka = k1
    while ka > lo and s.ht[hix(s, ka - 1)] >= settled:
        ka -= 1
    level = mean_ticks(s, ka, k1 + 1)
    if t1 - band_start(s, level, s.mv_onset, k1) < s.min_hold or \
            fabs(level - s.mv_ref) < step_thr(s, s.mv_ref) or not from_hold(s, level):
        return 0
    frm = s.h_level if s.sl_onset < s.mv_onset and not s.mv_rested else s.mv_ref
    # the mean must end before the new movement
    sp = span(s, frm, level, t1 - 0.5 * VEL_MEAN, SPAN_20_80 * s.step_max)
    if sp > SPAN_20_80 * s.step_max or 0.6 * fabs(level - frm) < s.step_rate * s.h_level * sp:
        return 0
    s.cd_start = settled
    s.cd_level = level
    do_step(s, t, k1, 0)
    return 1


cdef void moving(Core* s, double t, double y, i64 k_now, double v_on, int out) noexcept nogil:
    cdef int relative = not s.has_target
    cdef double d, mid, start, level, slow_dy, frm, v_now, floor, half, since
    cdef bint past, away
    cdef double slow_max = s.slow_max
    cdef int fast_open, slow_open, quiet, up, sgn
    if not s.mv_fast and fabs(s.v) > v_on:
        excursion(s, t, k_now, 1, 1 if s.v > 0 else -1, s.ref)
    v_now = s.step_rate * y
    floor = v_floor(s)
    if v_now < floor:
        v_now = floor
    if s.mv_quiet < 0.0:
        if fabs(s.v) < 0.5 * v_now:
            s.mv_quiet = t
    elif fabs(s.v) > v_now:
        s.mv_quiet = -1.0
        if s.mv_fast and s.mv_settle >= 0.0 and s.cd_start < 0.0 and \
                shelf(s, t, k_now, 1 if s.v > 0 else -1):
            return
    if s.mv_quiet >= 0.0 and t - s.mv_quiet >= SETTLE_TIME:
        s.mv_settle = s.mv_quiet - 0.5 * VEL_MEAN
    if fabs(s.v) > s.mv_vpk:
        s.mv_vpk = fabs(s.v)
    d = fabs(y - s.sl_ref)
    if d > s.mv_peak:
        s.mv_peak = d
    if s.mv_far < 0.0 and d >= step_thr(s, s.h_level):
        s.mv_far = t
        s.mv_far_up = y > s.sl_ref
    jump(s, t, y, k_now, v_on)
    if out:
        up = y > s.h_level
        if s.mv_ep < 0.0:
            s.mv_ep = t
        elif s.mv_back >= 0.0 and up == s.mv_ep_up and s.mv_back - s.mv_ep <= s.leave_time:
            # out again on the side it came back from within leave_time: a new time away (golden)
            s.mv_ep = t
            s.mv_ep_on = scan_departure(s, s.mv_ref, s.mv_tol, k_now, 1 if up else -1, hold_floor(s))
        s.mv_ep_up = up
        s.mv_back = -1.0
        if s.mv_out < 0.0:
            s.mv_out = t
    elif s.mv_back < 0.0:
        s.mv_back = t
    if not s.mv_fast:
        learn(s, t, y, v_on)
        fold_until_time(s, t - STATS_LAG)
    band(s, t, y, 0)
    if s.b_brisk and not s.mv_fast:
        # told once it can no longer be a change completed within step_max_duration, unless the
        # level it found was reached as briskly as a fast step's: then at that level's verdict
        since = t - s.sl_onset
        half = 0.5 * s.step_min / s.step_max * s.h_level
        if half < floor:
            half = floor
        if (since > s.step_max + RATE_LAG and fabs(s.v) > half) or \
                (since > s.step_max + s.min_hold + PENDING_SLACK and
                 not (s.cd_start >= 0.0 and brisk_level(s))):
            s.b_brisk = 0
            flush_held(s, INFINITY)
    quiet = s.mv_quiet >= 0.0 and t - s.mv_quiet >= SETTLE_TIME
    if not out and s.mv_back >= 0.0 and (quiet or t - s.mv_back >= s.leave_time) and \
            fabs(y - s.hm[hix(s, k_now)]) <= wide(s, s.h_level) and \
            not (s.b_brisk and s.b_state != B_IN):  # (nor while a held-back exit stands: golden)
        if s.mv_fast and s.mv_settle >= 0.0 and s.cd_start < 0.0 and \
                shelf(s, t, k_now, 1 if y > s.hm[hix(s, k_now)] else -1):
            return  # came to rest on a short hold; coming back is a new movement (the rate lags)
        if away_for(s, t) > s.leave_time and left_fast(s):
            leave(s, t, s.n - 1, left_at(s), s.cd_out < 0.0)
        else:
            resume(s, t, y, 0)
        return
    if s.cd_start >= 0.0:  # survives a wobble; back = the force and its mean inside, not passing
        if fabs(y - s.cd_level) <= wide(s, s.cd_level) and \
                fabs(s.hm[hix(s, k_now)] - s.cd_level) <= wide(s, s.cd_level):
            s.cd_out = -1.0
        elif s.cd_out < 0.0:
            s.cd_out = t
        elif t - s.cd_out > s.leave_time:
            s.cd_start = -1.0
    if s.cd_start < 0.0 and s.mv_settle >= 0.0:
        if steady_window(s, t, &mid) and \
                window_after(s, s.mv_onset if s.mv_onset > s.mv_settle else s.mv_settle) and \
                (s.mv_fast or is_flat(s, t)):
            settle(s, mid, s.mv_onset, &start, &level)
            s.cd_start = start
            s.cd_level = level
            s.cd_out = -1.0
            s.cd_span = -1.0
            s.cd_try = 0.0
            s.cd_found = t
    if s.cd_start >= 0.0:
        if t - s.cd_start < s.min_hold:
            return
        # left the candidate (under leave_time): no hold begun at a level the force is not at;
        # only a slow step (sized to the force now, its level taken over slow_step_hold) is judged
        away = s.cd_out >= 0.0
        frm = s.mv_base if s.sl_onset < s.mv_onset and not s.mv_rested else s.mv_ref
        if s.cd_span < 0.0:
            s.cd_span = span(s, frm, s.cd_level, s.cd_start, SPAN_20_80 * s.step_max)
        # relative: up to where the force is now if it has gone on past the level found (while
        # quiet): a change that went on after its level was found had not ended there (golden;
        # that span scans back over the change, so it is measured last)
        mid = mean_ticks(s, s.ih1, s.n)
        past = relative and quiet and (mid - s.cd_level) * (s.cd_level - frm) > 0.0
        if not away and fabs(s.cd_level - s.mv_ref) >= step_thr(s, s.mv_ref) and \
                from_hold(s, s.cd_level) and \
                ((s.mv_fast and not turning(s, 1 if s.cd_level > s.mv_ref else -1)) or
                 (t - s.cd_found >= 0.5 * s.min_hold and is_flat(s, t))) and \
                (span_now(s, frm, mid, t, SPAN_20_80 * s.step_max) if past else s.cd_span) <= SPAN_20_80 * s.step_max:
            do_step(s, t, k_now, 0)
            return
        slow_dy = s.cd_level - s.mv_base
        if quiet and fabs(mid - s.mv_base) > fabs(slow_dy):
            slow_dy = mid - s.mv_base
        # golden: past the longest a slow step takes, a force drifting between candidates is judged
        if relative and (slow_dy > 0.0 or s.slow_down) and \
                t - s.sl_left <= slow_max + 2.0 * s.slow_hold + s.min_hold + PENDING_SLACK and \
                fabs(slow_dy) >= step_thr(s, s.mv_base) and from_hold(s, s.mv_base + slow_dy):
            if t - s.cd_start >= s.slow_hold and t >= s.cd_try and is_flat(s, t):
                # flat over slow_hold, or over LONG_HOLD times it by LONG_FLAT (golden)
                sgn = 1 if slow_dy > 0.0 else -1
                if not steady_for(s, t, s.slow_hold) or \
                        not (flat_thirds(s, t, s.slow_hold, sgn, FLAT) or
                             (t - s.cd_start >= LONG_HOLD * s.slow_hold and
                              flat_thirds(s, t, LONG_HOLD * s.slow_hold, sgn, LONG_FLAT))):
                    s.cd_try = t + SLOW_RETRY
                else:
                    start = scan_arrival(s, mid, SLOW_ARRIVAL * mid + ARRIVAL_K * s.sig_f, wide(s, mid),
                                         s.mv_onset, s.n - 1, s.hy)
                    if t - start < s.slow_hold:
                        s.cd_try = start + s.slow_hold
                    elif span(s, s.mv_base, mid, start, SLOW_SPAN * slow_max) <= SLOW_SPAN * slow_max:
                        do_step(s, t, k_now, 1)
                    else:
                        resume(s, t, y, 1)
            return
        if away:
            return
        if relative and fabs(s.cd_level - s.h_level) >= step_thr(s, s.h_level) and left_fast(s):
            leave(s, t, s.n - 1, left_at(s), s.cd_out < 0.0)
        elif s.h_lv_cut and level_behind(s, t):
            resume(s, t, y, 0)  # the arrival settled in this hold: its level measured, it goes on
        elif relative and not s.mv_fast and t - s.sl_left <= slow_max + s.min_hold + PENDING_SLACK:
            pass
        else:
            resume(s, t, y, 1)
        return
    fast_open = t - s.mv_onset <= s.step_max + s.min_hold + PENDING_SLACK
    slow_open = relative and t - s.sl_left <= slow_max + s.min_hold + PENDING_SLACK and \
        not (s.mv_fast and s.mv_peak - fabs(y - s.sl_ref) > wide(s, s.h_level))
    if fast_open or slow_open:
        return
    if y < s.release_level * s.h_level:
        pass  # a let-go under way: its release ends the hold, or it is judged when back (golden)
    elif away_for(s, t) > s.leave_time and left_fast(s):
        leave(s, t, s.n - 1, left_at(s), s.cd_out < 0.0)
    else:
        resume(s, t, y, out)


cdef void in_hold(Core* s, double t, double y, i64 k_now) noexcept nogil:
    cdef double v_on = s.step_rate * s.ref
    cdef double floor = v_floor(s)
    cdef double dev, dm, m, hmn
    cdef int out
    cdef int brisk = 0
    if v_on < floor:
        v_on = floor
    if contact_lost(s, y) or \
            (y < s.end_base + s.c_on and s.sub == MOVING and s.mv_dir < 0) or \
            (y < s.release_fraction * s.mv_ref and s.sub != STEADY and s.v < 0.0):
        release(s, t, k_now)
        return
    if low_for(s, t, y, s.h_level):
        release(s, t, k_now)
        return
    dev = y - s.h_level
    out = fabs(dev) > wide(s, s.h_level)
    m = 0.0
    if s.sub == STEADY or not s.mv_fast:
        # tremor and sensor noise aside: the mean over the last half min_hold (golden._in_hold)
        m = mean_ticks(s, s.ih1, s.n)
        dm = m - s.h_level
        # (inside the bare band it is inside the widened one: no noise estimate needed)
        if not out and fabs(dm) > s.hold_band * s.h_level and fabs(dm) > wide_mean(s, s.h_level):
            out = 1
            dev = dm
        # or the VEL_MEAN average past the bare band, got there faster than drift (golden)
        hmn = s.hm[hix(s, k_now)]
        if fabs(hmn - s.h_level) > s.hold_band * s.h_level and brisk_move(s):
            s.bk_t = t
            if not out and not s.drifting:
                brisk = 1
                dev = hmn - s.h_level
    if s.sub == STEADY:
        if not s.h_lv_open:
            fold_until_time(s, t - STATS_LAG)
        if s.drifting and not out:
            s.drifting = 0
        if fabs(s.v) <= LEARN_FRAC * v_on:
            s.v_run = 0.0
        elif fabs(s.v) > s.v_run:
            s.v_run = fabs(s.v)
        if fabs(s.v) > v_on:
            excursion(s, t, k_now, 1, 1 if s.v > 0 else -1, s.ref)
        elif (out or brisk) and not s.drifting and not s.has_target:
            excursion(s, t, k_now, 0, 1 if dev > 0 else -1, s.h_level)
        elif s.drifting and not s.has_target and left_drift(s, y, m):
            # a change away from where a drift came to rest, looked at from there (golden)
            excursion(s, t, k_now, 0, 1 if m > s.dr_level else -1, s.dr_level)
        else:
            if s.h_lv_open:
                refine(s, t)
            learn(s, t, y, v_on)
            band(s, t, y, 1)
            return
    cut_level(s)
    moving(s, t, y, k_now, v_on, out)


cdef inline void pass_noise(Core* s, double t, double y, i64 k_now) noexcept nogil:
    # The noise of the filtered force measured on itself; replaces the raw tracker's where
    # PASS_K times lower (see golden._pass_noise).
    cdef i64 lo = oldest(s)
    s.ip = first_since(s, s.ip, lo, k_now, t - s.pass_lag)
    cdef i64 d = k_now - s.ip
    if d <= 0 or k_now - 2 * d < lo:
        return
    cdef double r = fabs(y - 2.0 * s.hy[hix(s, k_now - d)] + s.hy[hix(s, k_now - 2 * d)])
    if s.p_mar < 0.0:
        s.p_mar = s.sig_f * MAR_PER_SIGMA
    cdef double lim = 3.0 * s.p_mar + 0.01
    cdef double a = (t - s.t_prev_tick) * s.pass_w
    s.p_mar += (a if a < 1.0 else 1.0) * ((r if r < lim else lim) - s.p_mar)
    cdef double sp = s.pass_k * s.p_mar
    if sp < s.sig_f:
        s.sig_f = sp

cdef void tick(Core* s, double t, double y, double w) noexcept nogil:
    if s.st == HOLD and s.n - s.h_cursor >= s.cap:
        fold(s, s.n - s.cap + 1)
    cdef i64 j = hix(s, s.n)
    s.ht[j] = t
    s.hy[j] = y
    s.hw[j] = w
    s.sum_w += w
    s.sum_wy += w * y
    s.cw[j] = s.sum_w
    s.cy[j] = s.sum_wy
    cdef i64 k_now = s.n
    s.n += 1

    cdef double sig = s.mar / MAR_PER_SIGMA
    cdef double ratio
    if s.dt_avg != s.dt_avg_c:
        s.dt_avg_c = s.dt_avg
        ratio = s.dt_avg / (4.0 * s.tau)
        s.sqrt_c = sqrt(ratio if ratio < 1.0 else 1.0)
    s.sig_f = sig * s.sqrt_c
    pass_noise(s, t, y, k_now)

    minmax_tick(s, t, k_now)

    cdef i64 lo = imax(oldest(s), s.win_from)
    if s.iv < lo:
        s.iv = lo
    while s.iv + 1 < k_now and s.ht[hix(s, s.iv + 1)] <= t - VEL_SPAN:
        s.iv += 1
    if s.iv2 < lo:
        s.iv2 = lo
    while s.iv2 + 1 < k_now and s.ht[hix(s, s.iv2 + 1)] <= t - VEL_MEAN:
        s.iv2 += 1
    cdef double m = mean_ticks(s, s.iv2 + 1, s.n)
    s.hm[j] = m
    cdef double t0 = s.ht[hix(s, s.iv)]
    s.v = (m - s.hm[hix(s, s.iv)]) / (t - t0) if t > t0 else 0.0
    if s.iw < lo:
        s.iw = lo
    while s.iw < k_now and s.ht[hix(s, s.iw)] < t - s.min_hold:
        s.iw += 1
    cdef i64 lo_c = oldest(s) + 1 if s.n > s.cap else 0
    cdef double half = 0.5 * s.min_hold
    s.ih1 = first_since(s, s.ih1, lo_c, k_now, t - half)
    s.ih2 = first_since(s, s.ih2, lo_c, k_now, t - 2.0 * half)
    cdef double third = s.min_third
    s.it1 = first_since(s, s.it1, lo_c, k_now, t - third)
    s.it2 = first_since(s, s.it2, lo_c, k_now, t - 2.0 * third)
    s.ib = first_since(s, s.ib, lo_c, k_now, t - BRISK_SPAN)

    cdef double thr
    if s.st == IDLE:
        if not s.rs_on and y < s.rs_at - s.c_off and y < s.rs_lim:
            # golden: the resting force moved away below where it had come to rest: found again
            s.rs_on = s.rs_lim > 0.0
            s.rs_base = s.rest
            s.rs_fell = 1
            s.rs_t = t
            s.rs_lo = y
            s.rs_hi = y
        if s.rs_on:
            find_rest(s, t, y)
        if not s.rs_on:
            s.rest = lower_rest(s, s.rest, y)
            thr = s.rest + s.c_on if s.rest > 0.0 else s.c_on
            if y > thr:
                contact(s, t, y, thr)
    elif s.st == CONTACT:
        in_contact(s, t, y, k_now)
    else:
        in_hold(s, t, y, k_now)
    s.y_prev_tick = y
    s.t_prev_tick = t
    s.raw_gate = -INFINITY if s.st == IDLE else s.end_base + s.c_off


# ---------------------------------------------------------------- per-sample stage
cdef inline void feed(Core* s, double t, double x) noexcept nogil:
    cdef double r = fabs(x - (2.0 * s.x1 - s.x2))
    cdef double dq = fabs(x - s.x1)
    cdef double dt
    if 0.0 < dq < s.quantum:
        s.quantum = dq
    if x < s.x_lo:
        s.x_lo = x
    if s.fed < WARMUP:
        s.fed += 1
        if s.fed > 2:
            if s.fed > 5 and r > s.r_lim:
                r = s.r_lim
            s.mar += (r - s.mar) / (s.fed - 2)
            s.thr = s.spike_k * s.mar + SPIKE_FLOOR
            s.r_lim = 3.0 * s.mar + 0.01
    else:
        s.r_acc += r if r < s.r_lim else s.r_lim
        s.r_n += 1
    s.x2 = s.x1
    s.x1 = x
    dt = t - s.t_fed
    s.t_fed = t
    if dt > 0.0:
        if fabs(dt - s.dt_c) > 1e-6 * dt:
            s.dt_c = dt
            s.alpha = dt / (s.tau + dt)
        s.y1 += s.alpha * (x - s.y1)
        s.y2 += s.alpha * (s.y1 - s.y2)
    s.n_in_tick += 1
    if t >= s.next_tick:
        tick_due(s, t)


cdef void tick_due(Core* s, double t) noexcept nogil:
    # The sample at t (already fed) closes a tick: update the per-tick noise statistics and detect.
    cdef double w, a
    w = t - s.t_tick
    if w > 0.0:
        if s.dt_avg == 0.0:
            s.dt_avg = w / s.n_in_tick
        s.dt_avg += 0.2 * (w / s.n_in_tick - s.dt_avg)
    if s.r_n > 0:
        a = MAR_ALPHA * s.r_n
        s.mar += (a if a < 1.0 else 1.0) * (s.r_acc / s.r_n - s.mar)
        s.thr = s.spike_k * s.mar + SPIKE_FLOOR
        s.r_lim = 3.0 * s.mar + 0.01
        s.r_acc = 0.0
        s.r_n = 0
    s.n_in_tick = 0
    s.t_tick = t
    s.next_tick = t + TICK_DUE * s.tick
    tick(s, t, s.y2, w)
    s.x_lo = INFINITY


cdef void start_stream(Core* s, double t, double x) noexcept nogil:
    s.started = 1
    s.t_last = t
    s.t_fed = t
    s.x1 = x
    s.x2 = x
    s.y1 = x
    s.y2 = x
    s.next_tick = t
    s.t_tick = t
    s.samples += 1
    feed(s, t, x)


cdef void gap(Core* s, double t, double x) noexcept nogil:
    s.gaps += 1
    end_of_data(s, s.t_last)
    reset_stream(s)
    s.t_now = t
    start_stream(s, t, x)


cdef inline void step(Core* s, double t, double x) noexcept nogil:
    """One sample in: O(1) amortised, no allocation, no Python (a run of repeated stamps is fed
    when the next stamp comes: O(run), at most REPEAT_CAP)."""
    cdef double dt
    if not (isfinite(t) and isfinite(x)):
        s.ignored += 1
        return
    s.t_now = t
    if not s.started:
        start_stream(s, t, x)
        return
    dt = t - s.t_last
    if dt == 0.0:
        if s.rep_n < REPEAT_CAP:
            s.rep[s.rep_n] = x
            s.rep_n += 1
        else:
            s.ignored += 1
        return
    if not (dt > 0.0):
        s.ignored += 1
        return
    if s.rep_n > 0:
        spread_repeats(s, t)
    if dt > s.max_gap:
        gap(s, t, x)
        return
    accept(s, t, x)


cdef void spread_repeats(Core* s, double t) noexcept nogil:
    """The run of samples stamped ``t_last`` again, spread evenly up to ``t``, in arrival order."""
    cdef double t0 = s.t_last, dt = t - s.t_last
    cdef double k = s.rep_n + 1
    cdef int j
    if dt <= REPEAT_SPAN and dt <= s.max_gap:
        for j in range(s.rep_n):
            accept(s, t0 + (j + 1) * dt / k, s.rep[j])
    else:
        s.ignored += s.rep_n
    s.rep_n = 0


cdef inline void accept(Core* s, double t, double x) noexcept nogil:
    cdef double thr, r, d
    s.samples += 1
    s.t_last = t
    if s.fed < WARMUP:
        feed(s, t, x)
        return
    thr = s.thr
    if s.pend:
        s.pend = 0
        if fabs(x - s.x1) < 0.5 * fabs(s.pend_x - s.x1):
            s.spikes += 1
        else:
            feed(s, s.pend_t, s.pend_x)
        feed(s, t, x)
        return
    r = x - (2.0 * s.x1 - s.x2)
    d = s.x1 - s.x2
    # golden._accept: a sample that stops short of the line (between the last and it) is no spike
    if fabs(r) > thr and not (r * d <= 0.0 and fabs(r) <= fabs(d)):
        s.pend = 1
        s.pend_t = t
        s.pend_x = x
        return
    feed(s, t, x)


cdef inline u64 bits_of(double d) noexcept nogil:
    cdef u64 u
    memcpy(&u, &d, 8)
    return u


cdef Py_ssize_t run_block(Core* s, const double* tv, const double* fv, double* yo, Py_ssize_t i,
                          Py_ssize_t n) noexcept nogil:
    """``step`` over samples ``i..n`` until the event ring needs draining; returns where it stopped.

    The common sample (stream running, no spike suspected) takes a fast path with the hot state in
    locals (registers), doing exactly what ``step``/``feed`` do for it; one that closes a tick writes
    the state back and runs ``tick_due`` (what ``feed`` does next), without going through ``step``'s
    checks again; anything else writes the state back and goes through ``step``. Results are
    bit-identical either way.
    """
    cdef double t, x, dt, r, ar, dq
    cdef double quantum = s.quantum
    cdef double t_last = s.t_last, x1 = s.x1, x2 = s.x2, y1 = s.y1, y2 = s.y2
    cdef double alpha = s.alpha, dt_c = s.dt_c, r_acc = s.r_acc, thr = s.thr, r_lim = s.r_lim
    cdef double next_tick = s.next_tick, tau = s.tau
    # step's "dt > 0.0 and dt <= max_gap" as one unsigned compare of dt's bits: positive doubles
    # (and +inf, then NaN) order as their bit patterns; +0.0 wraps to the top under "- 1", and every
    # negative (sign bit set) lies above any positive max_gap's bits. The same verdict, fewer ops.
    cdef u64 gap_bits = bits_of(s.max_gap)
    cdef Py_ssize_t i0
    cdef bint fast = s.started and not s.pend and s.fed >= WARMUP and s.rep_n == 0
    cdef bint due = False  # the last sample fed closes a tick
    while True:
        if fast:
            i0 = i
            while i < n:
                t = tv[i]
                x = fv[i]
                dt = t - t_last
                r = x - (2.0 * x1 - x2)
                ar = fabs(r)
                # NaN and inf fail these comparisons, so they take the slow path (which counts them).
                # So does a sample under raw_gate, where feed keeps the lowest for the tick (a
                # running minimum kept in this loop cost 0.9 ns a sample; the gate, from memory, none).
                if not (bits_of(dt) - 1 < gap_bits and ar <= thr and x >= s.raw_gate):
                    break
                t_last = t
                dq = fabs(x - x1)
                # feed's 0.0 < dq < quantum as one unsigned compare of the bits (dq >= 0, quantum
                # > 0; +0.0 wraps to the top, as in gap_bits): one branch, taken only for a new
                # smallest change. As two tests, the first went either way on a coarse sensor's runs
                # of equal readings (dq == 0): mispredicted on a third of its samples.
                if bits_of(dq) - 1 < bits_of(quantum) - 1:
                    quantum = dq
                r_acc += ar if ar < r_lim else r_lim
                x2 = x1
                x1 = x
                if fabs(dt - dt_c) > 1e-6 * dt:
                    dt_c = dt
                    alpha = dt / (tau + dt)
                y1 += alpha * (x - y1)
                y2 += alpha * (y1 - y2)
                if yo != NULL:
                    yo[i] = y2
                i += 1
                if t >= next_tick:
                    due = True  # fed already; its tick runs below, once the state is written back
                    break
            # hand the hot state back before anything else reads it; the per-sample counters
            # (samples, r_n, n_in_tick) rise by the number of samples fed here
            s.samples += i - i0
            s.r_n += <int> (i - i0)
            s.n_in_tick += <int> (i - i0)
            s.t_last = t_last
            s.t_fed = t_last
            s.t_now = t_last
            s.x1 = x1
            s.x2 = x2
            s.y1 = y1
            s.y2 = y2
            s.alpha = alpha
            s.dt_c = dt_c
            s.r_acc = r_acc
            s.quantum = quantum
        if due:
            due = False
            tick_due(s, t_last)  # a tick leaves the filter alone: yo[i - 1] (y2) stays right
        elif i >= n:
            return i
        else:
            step(s, tv[i], fv[i])
            if yo != NULL:
                yo[i] = s.y2
            i += 1
        t_last = s.t_last
        x1 = s.x1
        x2 = s.x2
        y1 = s.y1
        y2 = s.y2
        alpha = s.alpha
        dt_c = s.dt_c
        r_acc = s.r_acc
        thr = s.thr
        r_lim = s.r_lim
        next_tick = s.next_tick
        quantum = s.quantum
        fast = s.started and not s.pend and s.fed >= WARMUP and s.rep_n == 0
        if s.ev_n >= EV_HIGH or s.hd_n >= HD_HIGH:
            return i


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
        s.fit = <double*> calloc(6 * (s.cap + 1), sizeof(double))
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
                                   h.drift, _ENDED[h.ended_by]))
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
