# Included by _core.pyx (one translation unit); the golden twin is core/golden/holds.py.
# A hold's beginning and end, and its statistics as running sums folded in a little behind real time.

cdef void begin_hold(Core* s, double t, double start, double level, double settled) noexcept nogil:
    if start > t - s.min_hold:
        start = t - s.min_hold  # golden._begin_hold: no hold is shorter than its steady window
    s.h_floor = s.last_end if s.held else -INFINITY
    if start < s.h_floor:
        start = s.h_floor  # ... nor overlaps the one before in this contact
    s.st = HOLD
    s.sub = STEADY
    s.h_start = start
    s.h_conf_k = s.n - 1
    s.h_told = s.t_now
    s.h_settled = settled if settled > start else start
    s.h_level = level
    s.h_shift = level
    s.ref = level
    s.held = 1
    s.drifting = 0
    s.low_since = -1.0
    s.cd_start = -1.0
    s.c_level = 0.0  # no level left pending: this hold is it (golden)
    s.c_level0 = 0.0
    s.c_level1 = 0.0
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
    s.h_lv_dir = 1 if level > s.hm[hix(s, k)] else -1
    s.h_lv_k = past_overshoot(s, level, LEVEL_OVERSHOOT * level + noise, LEVEL_ARRIVAL * level + noise, noise,
                              s.h_lv_k, s.h_lv_dir)
    frm = s.ht[hix(s, s.h_lv_k)]
    s.h_lv_from = frm
    s.h_lv_open = 1
    s.h_lv_tries = 0
    s.h_lv_cut = 0
    s.h_lv_wait = 0
    refine(s, t)  # (not dated again here: golden._begin_hold)
    s.b_state = B_IN
    s.b_cand = B_IN
    s.b_told = B_IN
    s.b_since = t
    s.b_floor = t
    s.held_n = 0
    s.b_last = -INFINITY
    emit(s, EV_HOLD_START, start, 0, level)


cdef void redate(Core* s, double t) noexcept nogil:
    # golden._redate: the level final and settled outside the one the start was dated against, an
    # overshoot of the settled level: the record's start midway between the first dating and its
    # peak (the hold_start event told the first)
    if fabs(s.h_level - s.h_shift) <= arrival_tol(s, s.h_level):
        return
    cdef double peak = overshoot_peak(s, s.h_level, s.h_floor, s.h_conf_k)
    if peak <= s.h_start:
        return  # none, or no later than the first dating
    cdef double start = 0.5 * (s.h_start + peak)
    if start > t - s.min_hold:
        start = t - s.min_hold  # no hold is shorter than min_hold (golden._begin_hold)
    cdef i64 lo = oldest(s)
    if back_to(s, s.n - 1, lo, s.h_start) <= lo:
        return  # the history no longer reaches back before the hold: its sums stand
    unfold_from_time(s, s.h_start)  # folded again from the new start
    s.h_start = start
    if s.h_settled < start:
        s.h_settled = start
    s.h_cursor = back_to(s, s.n - 1, lo, start)


cdef bint take_level_behind(Core* s, double t) noexcept nogil:
    # golden._take_level_behind: level_behind, and where it took the level, the start dated again
    if not level_behind(s, t):
        return 0
    redate(s, t)
    return 1


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


cdef void flush_held(Core* s, double t_end) noexcept nogil:
    cdef int i
    cdef EvRec* e
    for i in range(s.held_n):
        e = &s.hq[i]
        if e.t < t_end:
            # told where dated, or where the force went out if that lies past the end (golden)
            tell_band(s, e.kind, e.t_det if e.t_det < t_end else e.t, e.direction, e.level)
    s.held_n = 0


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
    h.told = s.h_told
    s.hd_n += 1
    s.st = CONTACT
    s.sub = STEADY
    s.c_try = 0.0
    s.last_level = s.h_level
    s.last_end = end
    s.low_since = -1.0
    return end
