# Included by _core.pyx (one translation unit); the golden twin is core/golden/states.py.
# One tick in each state: idle (contact?), in contact (a hold?), holding (an excursion? a release?).

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
    s.c_level = 0.0
    s.c_level0 = 0.0
    s.c_level1 = 0.0
    restart_window(s)
    emit(s, EV_CONTACT, tc, 0, y)


cdef int step_from_pending(Core* s, double t, i64 k_now, double level, double start) noexcept nogil:
    # golden._step_from_pending: a level tried before, a step from the one confirmed now and held
    # min_hold until the change began (a step's change): its hold, back-dated and ended by the step
    cdef double was[PENDING_N]
    cdef double frm[PENDING_N]
    cdef double settled[PENDING_N]
    cdef double onset, begun
    cdef double limit = SPAN_20_80 * s.step_max if s.has_target else SLOW_SPAN * s.slow_max
    cdef int j, d
    take_pending(s, was, frm, settled)
    for j in range(PENDING_N):
        if was[j] <= 0.0 or fabs(level - was[j]) < step_thr(s, was[j]):
            continue
        d = 1 if level > was[j] else -1
        onset = pending_span(s, was[j], frm[j], k_now, d, 0, 0.0, &begun)
        if onset - begun < s.min_hold or onset >= start or span(s, was[j], level, start, limit) > limit:
            continue
        begin_hold(s, t, begun, was[j], settled[j])
        end_hold(s, onset, END_STEP)
        emit(s, EV_STEP, onset, d, level)
        return 1
    return 0


cdef void in_contact(Core* s, double t, double y, i64 k_now) noexcept nogil:
    cdef double mid, start, level, frm
    if contact_lost(s, y):
        if pending_hold(s, t, k_now, 0):
            return
        if s.held:
            release_after_leave(s, k_now)
            return
        s.st = IDLE
        s.rest = y if y >= s.c_off else 0.0
        return
    if s.held:
        if low_for(s, t, y, s.last_level):
            if not pending_hold(s, t, k_now, 0):
                release_after_leave(s, k_now)
            return
    else:
        # a contact that never held, let go onto a resting hand: it ends there, no release (golden)
        if y > s.c_peak:
            s.c_peak = y
        if low_for(s, t, y, s.c_peak):
            if pending_hold(s, t, k_now, 0):
                return
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
        if step_from_pending(s, t, k_now, level, start) and frm < s.last_end:
            frm = s.last_end
        begin_hold(s, t, hold_start(s, level, frm, s.n - 1), level, start)
    else:
        s.c_try = start + s.min_hold
        s.c_level1 = s.c_level0  # golden: judged at a let-go before then, as are the two before it
        s.c_from1 = s.c_from0
        s.c_settled1 = s.c_settled0
        s.c_level0 = s.c_level
        s.c_from0 = s.c_from
        s.c_settled0 = s.c_settled
        s.c_level = level
        s.c_from = frm
        s.c_settled = start


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
                if refine(s, t):
                    redate(s, t)
            elif s.h_lv_wait:
                take_level_behind(s, t)  # an excursion that cut the level ended too soon to judge (golden)
            learn(s, t, y, v_on)
            learn_waver(s, t, k_now, out or s.drifting)
            band(s, t, y, 1)
            return
    cut_level(s)
    moving(s, t, y, k_now, v_on, out)
