# Included by _core.pyx (one translation unit); the golden twin is core/golden/level.py.
# Where the force left a level, where it arrived at one and settled, and what that level is.

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


cdef i64 arrival_tick(Core* s, double level, double tol, double wide, double frm_t,
                      i64 k_end, double* h) noexcept nogil:
    # golden._arrival_tick: the tick golden._scan_arrival dates the arrival by
    cdef i64 lo = imax(oldest(s), s.win_from)
    cdef i64 k = k_end
    while k > lo and s.ht[hix(s, k - 1)] >= frm_t and fabs(h[hix(s, k - 1)] - level) <= wide:
        k -= 1
    while k < k_end and fabs(h[hix(s, k)] - level) > tol:
        k += 1
    return k


cdef inline double scan_arrival(Core* s, double level, double tol, double wide, double frm_t,
                                i64 k_end, double* h) noexcept nogil:
    return s.ht[hix(s, arrival_tick(s, level, tol, wide, frm_t, k_end, h))]


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


cdef inline double mean_arrival(Core* s, double level, double frm_t, i64 k_end) noexcept nogil:
    # golden._mean_arrival: band_start on the VEL_MEAN average, noise aside (no allowance)
    # ... at the time the force showed it (shown_by: a tick ending a silence, failure mode 63)
    cdef i64 k = arrival_tick(s, level, s.hold_band * level, wide(s, level), frm_t, k_end, s.hm)
    cdef double t = shown_by(s, k, imax(oldest(s), s.win_from)) - 0.5 * VEL_MEAN
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


cdef double hold_start(Core* s, double level, double frm_t, i64 k_end) noexcept nogil:
    # Where a hold began, as reported: the peak of an arrival's overshoot (overshoot_peak), or where
    # the force came within the hold band of it, noise aside (mean_arrival) (golden._hold_start).
    cdef double peak = overshoot_peak(s, level, frm_t, k_end)
    return peak if peak > -INFINITY else mean_arrival(s, level, frm_t, k_end)


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


cdef inline double halves_change(Core* s, i64 k0, double t_mid) noexcept nogil:
    # a level window's later half's mean less its earlier one's (golden._halves_change)
    cdef i64 k_mid = back_to(s, s.n - 1, k0, t_mid)
    return mean_ticks(s, k_mid, s.n) - mean_ticks(s, k0, k_mid)


cdef bint settling_back(Core* s, i64 k0, double t0, double t) noexcept nogil:
    # the level window's thirds move back against the arrival, each less (golden._settling_back)
    cdef double third = (t - t0) / 3.0
    cdef i64 k1 = back_to(s, s.n - 1, k0, t0 + third)
    cdef i64 k2 = back_to(s, s.n - 1, k1, t0 + 2.0 * third)
    cdef double a = mean_ticks(s, k0, k1)
    cdef double b = mean_ticks(s, k1, k2)
    cdef double c = mean_ticks(s, k2, s.n)
    cdef double d = -s.h_lv_dir
    return 0.0 < d * (c - b) < d * (b - a)


cdef bint refine(Core* s, double t) noexcept nogil:
    # the hold's level: the mean over the first min_hold window from the close arrival that has
    # settled, measured again (up to LEVEL_TRIES times) while it has not (golden._refine); true once
    # it is final
    if t - s.h_lv_from < 0.5 * s.min_hold:
        return 0
    cdef double m = mean_ticks(s, s.h_lv_k, s.n)
    cdef double tol = arrival_tol(s, m)
    cdef bint left = fabs(s.hm[hix(s, s.n - 1)] - m) > tol or \
        (s.h_lv_tries == 0 and fabs(m - s.h_shift) > tol)
    cdef bint done = t >= s.h_lv_from + s.min_hold
    cdef double diff = 0.0
    if done or left:
        diff = halves_change(s, s.h_lv_k, 0.5 * (s.h_lv_from + t))
    if done and not left:
        left = unsettled(s, diff, m, LEVEL_SETTLED) or \
            (diff * s.h_lv_dir < 0.0 and unsettled(s, diff, m, LEVEL_BACK) and
             settling_back(s, s.h_lv_k, s.h_lv_from, t)) or \
            (s.h_lv_tries > 0 and fabs(diff) / (t - s.h_lv_from) > LEVEL_DECAY * s.h_lv_rate)
        if not left and s.h_lv_tries > 0 and fabs(m - s.h_shift) > s.hold_band * s.h_shift:
            s.h_lv_open = 0
            return 1
    if left:
        if s.h_lv_tries < LEVEL_TRIES:
            s.h_lv_tries += 1
            s.h_lv_rate = fabs(diff) / (t - s.h_lv_from)
            s.h_lv_k = s.n - 1
            s.h_lv_from = t
            return 0
        s.h_lv_open = 0
        return 1
    if done or s.h_lv_tries == 0:
        s.h_level = m
    if done:
        s.h_lv_open = 0
    return done


cdef bint level_behind(Core* s, double t) noexcept nogil:
    # an excursion cut the level's window and ended in the same hold: the last min_hold's mean, if
    # settled, within a step of hold_start's level (golden._level_behind)
    if t > s.h_lv_from + (LEVEL_TRIES + 1 - s.h_lv_tries) * s.min_hold:
        s.h_lv_cut = 0
        s.h_lv_wait = 0
        return 0
    cdef i64 lo = sum_lo(s)
    cdef i64 k0 = back_to(s, s.n - 1, lo, t - s.min_hold)
    if s.ht[hix(s, k0)] < s.h_lv_from:
        s.h_lv_wait = 1  # too soon: judged again on the first steady tick it is not (golden)
        return 0
    s.h_lv_wait = 0
    cdef double m = mean_ticks(s, k0, s.n)
    if unsettled(s, halves_change(s, k0, t - 0.5 * s.min_hold), m, LEVEL_SETTLED) or \
            fabs(s.hm[hix(s, s.n - 1)] - m) > arrival_tol(s, m):
        return 0
    if fabs(m - s.h_shift) > step_thr(s, s.h_shift):
        return 0
    s.h_level = m
    s.h_lv_cut = 0
    return 1


cdef inline void cut_level(Core* s) noexcept nogil:
    # an excursion: the level stays; one still measured is measured again after it (golden._cut_level)
    if s.h_lv_open:
        s.h_lv_cut = 1
    s.h_lv_open = 0
