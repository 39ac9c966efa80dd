# Included by _core.pyx (one translation unit); the golden twin is core/golden/state.py.
# Resetting the state struct, and events out (band events may be held back while a change is classified).

cdef inline u64 bits_of(double d) noexcept nogil:
    # a double's bits: positive doubles (and +inf, then NaN) order as their bit patterns
    cdef u64 u
    memcpy(&u, &d, 8)
    return u


cdef inline void set_batch(Core* s) noexcept nogil:
    # where dt_avg changes (stream.tick_due, reset_stream): a stamp nearer the last than BATCH_FRAC
    # of it is a batch's (golden _sample), and hot_feed's time test, "batch <= dt <= max_gap" (dt > 0
    # with no batch yet), as one unsigned compare of dt's bits less lo_bits against span_bits (0:
    # nothing passes)
    s.batch = BATCH_FRAC * s.dt_avg
    s.lo_bits = bits_of(s.batch) if s.batch > 0.0 else 1
    cdef u64 hi = bits_of(s.max_gap)
    s.span_bits = hi - s.lo_bits + 1 if hi >= s.lo_bits else 0


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
    s.c_level = 0.0
    s.c_from = 0.0
    s.c_settled = 0.0
    s.c_level0 = 0.0
    s.c_from0 = 0.0
    s.c_settled0 = 0.0
    s.c_level1 = 0.0
    s.c_from1 = 0.0
    s.c_settled1 = 0.0
    s.v = 0.0
    s.v_slow = 0.0
    s.vj = 0.0
    s.sig_f = 0.0
    s.ip = 0
    s.p_mar = -1.0
    s.ref = 0.0
    s.h_start = 0.0
    s.h_floor = 0.0
    s.h_conf_k = 0
    s.h_told = 0.0
    s.h_settled = 0.0
    s.h_level = 0.0
    s.h_shift = 0.0
    s.h_lv_from = 0.0
    s.h_lv_k = 0
    s.h_lv_open = 0
    s.h_lv_tries = 0
    s.h_lv_rate = 0.0
    s.h_lv_cut = 0
    s.h_lv_wait = 0
    s.h_lv_dir = 0
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
    s.mv_homed = 0
    s.sl_onset = 0.0
    s.sl_ref = 0.0
    s.sl_left = 0.0
    s.cd_level = 0.0
    s.cd_start = -1.0
    s.cd_out = -1.0
    s.cd_span = -1.0
    s.cd_brisk = -1.0
    s.cd_try = 0.0
    s.cd_wave = 0.0
    s.cd_knee = 0.0
    s.cd_found = 0.0
    s.wv = 0.0
    s.wv_next = 0.0
    s.wv_calm = 0.0
    s.wv_k = -2
    s.wv_n = 0
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
    set_batch(s)
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


cdef inline void tell_band(Core* s, int kind, double t, int direction, double level) noexcept nogil:
    if kind == EV_BAND_ENTER and t < s.b_last:
        t = s.b_last  # golden: not before the exit it clears
    emit(s, kind, t, direction, level)
    if t > s.b_last:
        s.b_last = t
    s.b_told = B_IN if kind == EV_BAND_ENTER else (B_HIGH if direction == 2 else B_LOW)


cdef inline void enter_new_barrier(Core* s, double start, double level) noexcept nogil:
    # golden._enter_new_barrier: from the new hold's start, told as any enter
    tell_band(s, EV_BAND_ENTER, start if start > s.b_exit_t else s.b_exit_t, 0, level)


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
