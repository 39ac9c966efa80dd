# Included by _core.pyx (one translation unit); the golden twin is core/golden/band.py.
# The target band: exits and enters, each dated where the tremor-averaged force crossed the edge.

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


cdef inline int crossed_briskly(Core* s, double centre, double half, double sgn, double onset) noexcept nogil:
    # golden._crossed_briskly: from half the band out to its edge (at onset) faster than drift can
    cdef double t_half = exit_onset(s, centre + sgn * 0.5 * half, sgn)
    return onset - t_half < 0.5 * half / (DRIFT_MAX * s.h_level)


cdef double exit_onset(Core* s, double edge, double sgn) noexcept nogil:
    cdef double t_end = s.ht[hix(s, s.n - 1)]
    cdef i64 lo = sum_lo(s)
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
