# Included by _core.pyx (one translation unit); the golden twin is core/golden/shape.py.
# Tests of a stretch of force: steady (the window's running min/max), flat by thirds, turning, brisk;
# a change's 20-80 % span.

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


cdef int steady_for(Core* s, double t, double dur, i64 k_end) noexcept nogil:
    # (the dur s up to tick k_end, at t: golden._steady_for)
    cdef double mid
    cdef int steady
    cdef i64 k = steady_back(s, k_end, imax(oldest(s), s.win_from), t - dur, &mid, &steady)
    if s.ht[hix(s, k)] > t - dur + tick_gap(s):  # history (or no silence) back to t - dur
        return 0
    return steady and fabs(mid - s.h_level) >= step_thr(s, s.h_level)


cdef inline double wavered(Core* s, double frac, double dur, double waver) noexcept nogil:
    # golden._wavered: frac widened in quadrature by a waver (of the level; failure mode 59)
    cdef double w = waver
    if dur > s.slow_hold:
        w *= s.slow_hold / dur
    return sqrt(frac * frac + w * w)


cdef int is_flat(Core* s, double t, double waver=0.0) noexcept nogil:
    cdef double half = 0.5 * s.min_hold
    cdef double mid = mean_ticks(s, s.ih1, s.n)
    cdef double flat = wavered(s, FLAT, s.min_hold, waver) if waver > 0.0 else FLAT
    cdef double v_flat = flat * mid / half + v_floor(s)
    cdef double tol = flat * mid + ARRIVAL_K * s.sig_f
    if not (fabs(mid - mean_ticks(s, s.ih2, s.ih1)) <= tol and fabs(s.v) <= v_flat):
        return 0
    cdef double m0, m1, m2
    last_thirds(s, &m0, &m1, &m2)
    cdef double hi = m0 if m0 > m1 else m1
    cdef double lo = m0 if m0 < m1 else m1
    return (m2 if m2 > hi else hi) - (m2 if m2 < lo else lo) <= tol


cdef inline void last_thirds(Core* s, double* m0, double* m1, double* m2) noexcept nogil:
    # The means of the last min_hold's thirds, oldest first (golden._last_thirds).
    m0[0] = mean_ticks(s, s.ih2, s.it2)
    m1[0] = mean_ticks(s, s.it2, s.it1)
    m2[0] = mean_ticks(s, s.it1, s.n)


cdef int turning(Core* s, int direction) noexcept nogil:
    # The last min_hold's thirds show a turn: on its way back, or centred on a peak (golden._turning).
    cdef double tol = FLAT * mean_ticks(s, s.ih1, s.n) + ARRIVAL_K * s.sig_f
    cdef double m0, m1, m2
    last_thirds(s, &m0, &m1, &m2)
    cdef double a = direction * m0
    cdef double c = direction * m1
    cdef double e = direction * m2
    return (a if a < c else c) - e > tol or c - (a if a > e else e) > tol


cdef int flat_thirds(Core* s, double t, double dur, int direction, double flat_frac,
                     i64 k_end) noexcept nogil:
    # (the dur s up to tick k_end, at t: golden._flat_thirds)
    cdef double third = dur / 3.0
    cdef i64 lo = imax(oldest(s), s.win_from)
    cdef i64 k = k_end
    cdef i64 b = k_end + 1
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
    noise = means_apart(s, third)
    tol = sqrt(flat * flat + noise * noise)
    if m_hi - m_lo > tol:
        return 0
    a = direction * m
    c = direction * m_mid
    e = direction * m_new
    return not (c > a and c > e and c - 0.5 * (a + e) > TURN_PEAK * tol)


cdef int rested_before(Core* s, double t_end) noexcept nogil:
    # the min_hold before t_end was a rest (golden._rested_before)
    cdef double half = 0.5 * s.min_hold
    cdef i64 lo = mean_lo(s)
    cdef i64 kb = back_to(s, s.n - 1, lo, t_end)
    cdef i64 km = back_to(s, kb, lo, t_end - half)
    cdef i64 ka = back_to(s, km, lo, t_end - 2.0 * half)
    return not isnan(rest_level(s, ka, km, kb, lo))


cdef double rest_level(Core* s, i64 ka, i64 km, i64 kb, i64 lo) noexcept nogil:
    # a rest's level over ticks ka..kb-1 (halves split at km), NAN if none: flat by halves, and near
    # one level (golden._rest_level)
    cdef i64 k
    cdef double m1, tol
    if ka <= lo or km >= kb or ka >= km:
        return NAN
    m1 = mean_ticks(s, km, kb)
    if fabs(m1 - mean_ticks(s, ka, km)) > FLAT * m1 + ARRIVAL_K * s.sig_f:
        return NAN
    # ... and the VEL_MEAN mean near that level all the while: a rest is min_hold on one level
    tol = FLAT * m1 + NOISE_K * mean_noise(s, VEL_MEAN) + quantum(s)
    k = ka
    while k < kb:
        if fabs(s.hm[hix(s, k)] - m1) > tol:
            return NAN
        k += 1
    return m1


cdef inline int from_hold(Core* s, double level) noexcept nogil:
    # a step from the hold's own level too, when judged from a rested excursion or a drift's rest
    # (golden._from_hold)
    return (not s.mv_rested and s.mv_base == s.h_level) or fabs(level - s.h_level) >= step_thr(s, s.h_level)


cdef inline int brisk_move(Core* s) noexcept nogil:
    # golden._brisk_move: the VEL_MEAN average has moved over BRISK_SPAN further than drift can
    cdef double d = fabs(s.hm[hix(s, s.n - 1)] - s.hm[hix(s, s.ib)])
    return d > DRIFT_MAX * s.h_level * BRISK_SPAN + \
        NOISE_K * 1.4142135623730951 * mean_noise(s, VEL_MEAN) + quantum(s)


cdef inline int brisk_level(Core* s) noexcept nogil:
    # the candidate's level was reached as briskly as a fast step's (golden._brisk_level)
    return 0.0 <= s.cd_span <= SPAN_20_80 * s.step_max


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
