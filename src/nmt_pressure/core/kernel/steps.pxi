# Included by _core.pyx (one translation unit); the golden twin is core/golden/steps.py.
# A step to a new barrier: a fast jump, a shelf on the way, or a slow ease that settled; or back again.

cdef int outside_since(Core* s, i64 k, double d, double w) noexcept nogil:
    # golden._outside_since: outside the band on d's side for leave_time up to tick k
    cdef i64 lo = imax(oldest(s), s.win_from)
    cdef double edge = s.ht[hix(s, k)] - s.leave_time
    cdef double e
    while True:
        e = s.hy[hix(s, k)] - s.h_level
        if e * d <= 0.0 or fabs(e) <= w:
            return 0
        if k <= lo:
            return 0
        if s.ht[hix(s, k - 1)] < edge:
            return 1
        k -= 1


cdef void jump(Core* s, double t, double y, i64 k_now, double v_on) noexcept nogil:
    # from outside the band a step further away within fast_time, and not back where that began
    # for leave_time: the hold was left fast there (golden._jump)
    cdef double ft, ref, d, w, dn
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
        w = wide(s, s.h_level)
        dn = y - s.h_level
        # further away, or on through the band to outside its other side from a rest outside for
        # leave_time (golden; failure mode 60)
        if fabs(d) <= w or fabs(y - ref) < step_thr(s, s.h_level) or \
                not ((y - ref) * d > 0.0 or (dn * d < 0.0 and fabs(dn) > w and outside_since(s, s.ij, d, w))):
            return
        s.jp_dir = 1 if y > ref else -1
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


cdef int shelf(Core* s, double t, i64 k_now, int direction) noexcept nogil:
    cdef i64 lo = mean_lo(s)
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
    do_step(s, t, k1, 0, NAN)
    return 1


cdef inline bint wound_up(Core* s, int direction, double onset, double start) noexcept nogil:
    # golden._wound_up: the change first went a step away the other way, fast, in one departure
    # (unload and reload, surge and come down) and was complete within step_max_duration of where
    # it left the old hold: it began there (failure mode 66)
    return went_fast_by(s, onset) and s.mv_far_up != (direction > 0) and s.mv_ep_on < 0.0 and \
        hold_floor(s) <= s.mv_onset < onset and start - s.mv_onset <= s.step_max


cdef void do_step(Core* s, double t, i64 k_now, int slow, double knee) noexcept nogil:
    # knee: the level a slow step's ease reached before its new level began to give back (golden)
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
        onset = ease_onset(s, ref, level, hold_floor(s), s.n - 1)
    else:
        onset = scan_departure(s, ref, DEPART * ref + DEPART_K * s.sig_f, k_now, direction, hold_floor(s),
                               fabs(level - ref))
        onset = lead_in(s, onset, k_now, direction, start - s.step_max, level)
    cdef double latest = t - s.min_hold
    if onset > latest:  # golden._step: the change began before the new hold's steady window
        onset = s.mv_onset if s.mv_onset < latest else latest
    cdef double settled = start
    if slow and ok:
        level = mean_since(s, t - s.slow_hold)  # the level held over the slow_step_hold confirmed
    if not isnan(knee):
        level = knee  # a level that gives back has no settled mean: the barrier reached
    start = hold_start(s, level, onset, k_now)
    if not slow and wound_up(s, direction, onset, start):
        onset = s.mv_onset
    if slow:  # golden._step: the crossings' dating held near the fitted ramp
        onset = ease_fitted(s, onset, start, t, direction, latest, t)
    # a slow step tells the ease's held exits, unless its level was reached as briskly as a fast step's
    flush_held(s, INFINITY if slow and not s.mv_fast and not brisk_level(s) else onset)
    if slow and s.b_told != B_IN:
        enter_new_barrier(s, start, level)
    end_hold(s, onset, END_STEP)
    emit(s, EV_STEP, onset, direction, level)
    begin_hold(s, t, start, level, settled)
    if not isnan(knee):
        s.h_level = knee  # nor measured again as the force gives (golden)
        s.h_lv_open = 0


cdef void resume(Core* s, double t, double y, int drifting) noexcept nogil:
    s.sub = STEADY
    if s.h_lv_cut:
        take_level_behind(s, t)
    s.ref = y
    s.drifting = drifting
    if drifting:
        s.dr_level = mean_ticks(s, s.ih1, s.n)
    s.cd_start = -1.0
    flush_held(s, INFINITY)
    band(s, t, y, 0)
