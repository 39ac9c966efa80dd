# Included by _core.pyx (one translation unit); the golden twin is core/golden/leaving.py.
# How a hold ends other than by a step: left, released (even with light contact left) or the end of data;
# and the resting force a release leaves behind.

cdef inline double away_for(Core* s, double t) noexcept nogil:
    # how long the force has been out of the band this time away (golden._away_for)
    if s.mv_ep < 0.0:
        return 0.0
    return (t if s.mv_back < 0.0 else s.mv_back) - s.mv_ep


cdef inline bint partway_back(Core* s) noexcept nogil:
    # back inside the band only to its edge: averaged over VEL_MEAN, still half the way or more out
    # to the excursion's farthest point on the side it first got a step away (golden._partway_back)
    if s.mv_far < 0.0:
        return 0
    cdef double m = s.hm[hix(s, s.n - 1)]
    cdef double d = m - s.sl_ref if s.mv_far_up else s.sl_ref - m
    return d >= 0.5 * s.mv_peak


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


cdef inline int left_fast(Core* s) noexcept nogil:
    return left_fast_by(s, INFINITY)


cdef inline double left_at_by(Core* s, double by, double first) noexcept nogil:
    # where the hold was left: this time away's onset, or the jump's (golden._left_at)
    return away_onset(s, first) if went_fast_by(s, by) or s.mv_jump < 0.0 else s.mv_jump


cdef inline double left_at(Core* s) noexcept nogil:
    return left_at_by(s, INFINITY, s.mv_onset)


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


cdef inline double release_floor(Core* s, double level) noexcept nogil:
    # golden._release_floor: release_level of the force held above the contact's resting force
    return s.base + s.release_level * (level - s.base)


cdef double drop_onset(Core* s, i64 k_now, double floor, double level) noexcept nogil:
    cdef i64 k = k_now
    cdef i64 lo = imax(oldest(s), s.win_from)
    cdef double tail = s.hy[hix(s, k_now)] + DEPART * level + DEPART_K * s.sig_f
    cdef double rel_floor = release_floor(s, level)
    cdef double m, yk, dt, v_fast
    cdef i64 kb
    if tail < rel_floor:
        tail = rel_floor  # golden: all of the rest below the release floor is tail
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


cdef i64 eased_before(Core* s, double drop, double* level_out) noexcept nogil:
    # the tick before drop (and in level_out the level held over the slow_step_hold before it) if
    # the slow excursion had settled on that new barrier and the let-go came too soon to confirm it:
    # the window as the slow-step test asks it; else -1 (golden._eased_before, failure mode 48)
    cdef double hold = s.slow_hold
    cdef double limit = SLOW_SPAN * s.slow_max
    cdef double level, dy, arrived
    cdef i64 lo, k
    if s.has_target or s.cd_start < 0.0 or drop - s.cd_start < hold or \
            drop - s.sl_left > s.slow_max + 2.0 * hold + s.min_hold + PENDING_SLACK:
        return -1
    lo = mean_lo(s)
    k = last_at(s, s.n - 1, lo, drop)
    level = mean_ticks(s, back_to(s, k, lo, drop - hold), k + 1)
    level_out[0] = level
    dy = level - s.mv_base
    if not (dy > 0.0 or s.slow_down) or fabs(dy) < step_thr(s, s.mv_base) or not from_hold(s, level):
        return -1
    if not steady_for(s, drop, hold, k) or not flat_thirds(s, drop, hold, 1 if dy > 0.0 else -1, FLAT, k):
        return -1
    # (from the slow excursion's onset: the let-go, a fast movement, has taken it over)
    arrived = scan_arrival(s, level, SLOW_ARRIVAL * level + ARRIVAL_K * s.sig_f, wide(s, level), s.sl_onset,
                           k, s.hy)
    if drop - arrived < hold or span(s, s.mv_base, level, arrived, limit) > limit:
        return -1
    return k


cdef void eased_step(Core* s, double t, i64 k_end, double level, double drop) noexcept nogil:
    # the slow step eased_before found (to level), told as the slow-step test tells one; the caller
    # releases the new hold (golden._eased_step)
    cdef double settled = s.cd_start
    cdef int direction = 1 if level > s.mv_base else -1
    cdef double onset = ease_onset(s, s.mv_base, level, hold_floor(s), k_end)
    cdef double latest = drop - s.min_hold
    cdef double start
    if onset > latest:
        onset = s.sl_onset if s.sl_onset < latest else latest
    start = hold_start(s, level, onset, k_end)
    onset = ease_fitted(s, onset, start, drop, direction, latest, t)
    flush_held(s, drop)  # the ease's held band events belong to the old hold; the let-go's are none
    if s.b_told != B_IN:
        enter_new_barrier(s, start, level)
    end_hold(s, onset, END_STEP)
    emit(s, EV_STEP, onset, direction, level)
    begin_hold(s, t, start, level, settled)


cdef void release_begun(Core* s, i64 k_now) noexcept nogil:
    # golden._release_begun: the hold just begun at a let-go is what was released, at the onset of
    # the fall that ends at tick k_now
    cdef double onset = drop_onset(s, k_now, hold_floor(s), s.h_level)
    onset = end_hold(s, onset, END_RELEASE)
    emit(s, EV_RELEASE, onset, 0, s.h_level)
    after_release(s)


cdef inline int low_for(Core* s, double t, double y, double level) noexcept nogil:
    if y >= release_floor(s, level):
        s.low_since = -1.0
    elif s.low_since < 0.0:
        s.low_since = t
    elif t - s.low_since >= s.release_time:
        return 1
    return 0


cdef inline bint raw_off(Core* s, double y) noexcept nogil:
    # golden._raw_off: the raw force touched rest under a filtered force still a threshold above it,
    # and further below it than the raw noise reaches
    return s.x_lo < s.end_base + s.c_off and y > s.end_base + 2.0 * s.c_on and \
        y - s.x_lo > s.spike_k * s.mar


cdef inline bint contact_lost(Core* s, double y) noexcept nogil:
    # golden._contact_lost: the filtered force under the hysteresis above the contact's rest, or raw_off
    return y < s.end_base + s.c_off or raw_off(s, y)


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
    # read back from the history; its limit of the whole level, not release_floor (golden)
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


cdef void release_after_leave(Core* s, i64 k_now) noexcept nogil:
    cdef double onset = drop_onset(s, k_now, s.last_end, s.last_level)
    emit(s, EV_RELEASE, onset, 0, s.last_level)
    after_release(s)


cdef void release(Core* s, double t, i64 k_now) noexcept nogil:
    cdef double floor = hold_floor(s)
    cdef double tol, onset, level, drop, left, eased
    cdef i64 k_drop, k_eased
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
            release_begun(s, k_now)
            return
        if not (s.mv_fast and left_fast_by(s, drop)):
            k_eased = eased_before(s, drop, &eased)
            if k_eased >= 0:
                # eased onto a new barrier and held it slow_step_hold when let go, before the
                # slow-step test confirmed it: that step, and the new hold released (golden)
                eased_step(s, t, k_eased, eased, drop)
                release_begun(s, k_now)
                return
            onset = drop
        elif (s.mv_far_up if went else (1 if s.jp_dir > 0 else 0)) or drop - left > s.leave_time:
            onset = end_hold(s, left, END_LEFT)
            emit(s, EV_RELEASE, drop if drop > onset else onset, 0, s.last_level)
            after_release(s)
            return
    onset = end_hold(s, onset, END_RELEASE)
    emit(s, EV_RELEASE, onset, 0, level)
    after_release(s)


cdef inline void take_pending(Core* s, double* level, double* frm, double* settled) noexcept nogil:
    # golden._take_pending: the levels tried and not confirmed yet, newest first (0: none); spent
    level[0] = s.c_level
    frm[0] = s.c_from
    settled[0] = s.c_settled
    level[1] = s.c_level0
    frm[1] = s.c_from0
    settled[1] = s.c_settled0
    level[2] = s.c_level1
    frm[2] = s.c_from1
    settled[2] = s.c_settled1
    s.c_level = 0.0
    s.c_level0 = 0.0
    s.c_level1 = 0.0


cdef inline double pending_span(Core* s, double level, double frm, i64 k_now, int direction, int given,
                                double end, double* start) noexcept nogil:
    # golden._pending_span: where a pending level was held, from its start to end (unless given:
    # where the force left it in direction by tick k_now); returns that end
    if not given:
        end = scan_departure(s, level, DEPART * level + DEPART_K * s.sig_f, k_now, direction, frm)
    start[0] = hold_start(s, level, frm, last_at(s, s.n - 1, oldest(s), end))
    return end


cdef int pending_hold(Core* s, double t, i64 k_now, int at_end) noexcept nogil:
    # golden._pending_hold: a hold the let-go (or the data's end) came too soon to confirm (the
    # level last tried, then the two before it), begun back-dated and released (or closed) here
    cdef double level[PENDING_N]
    cdef double frm[PENDING_N]
    cdef double settled[PENDING_N]
    cdef double end, start
    cdef int j
    take_pending(s, level, frm, settled)
    for j in range(PENDING_N):
        if level[j] <= 0.0:
            continue
        end = pending_span(s, level[j], frm[j], k_now, -1, at_end, t, &start)
        if end - start >= s.min_hold:
            begin_hold(s, t, start, level[j], settled[j])
            if at_end:
                fold(s, s.n)
                end_hold(s, t, END_EOD)
            else:
                release(s, t, k_now)
            return 1
    return 0


cdef void end_of_data(Core* s, double t) noexcept nogil:
    cdef bint settled
    if s.st == HOLD:
        # a new level held min_hold, the step it may be still to be told: it settled (golden)
        settled = s.cd_start >= 0.0 and s.cd_out < 0.0 and t - s.cd_start >= s.min_hold
        if s.sub == MOVING and s.mv_fast and not settled and (away_for(s, t) > s.leave_time or
                                                              (s.mv_ep >= 0.0 > s.mv_back and left_fast(s))):
            # It had left before the data ended: out longer than leave_time, or out still and
            # gone a step away fast - with no data after, it neither comes back nor settles.
            if s.x1 < release_floor(s, s.h_level):
                # ... unless its last sample fell under the release floor: a let-go the
                # data's end cut short of release_time, released at its onset (golden)
                release(s, t, s.n - 1)
                return
            end_hold(s, left_at(s), END_LEFT)
            return
        fold(s, s.n)
        end_hold(s, t, END_EOD)
    elif s.st == CONTACT:
        pending_hold(s, t, s.n - 1, 1)
