# Included by _core.pyx (one translation unit); the golden twin is core/golden/moving.py.
# An excursion being classified: a wobble, a step, a release, a departure (``left``) or drift.

# The knee's tests (golden moving._thirds, _thirds_tol, _line_back, _knee), beside their one
# caller, not among the shape tests: placed there, process measured 3 % slower (BENCHMARKS (t)).
cdef void thirds(Core* s, double t, double dur, double* m_old, double* m_mid, double* m_new) noexcept nogil:
    # the means of the thirds of the dur seconds up to t (now, or earlier), oldest first
    # (golden._thirds)
    cdef double third = dur / 3.0
    cdef i64 lo = imax(oldest(s), s.win_from)
    cdef i64 b = last_at(s, s.n - 1, lo, t)
    cdef i64 k = back_to(s, b, lo, t - third)
    m_new[0] = mean_ticks(s, k, b + 1)
    b = k
    k = back_to(s, k, lo, t - 2.0 * third)
    m_mid[0] = mean_ticks(s, k, b)
    b = k
    k = back_to(s, k, lo, t - 3.0 * third)
    m_old[0] = mean_ticks(s, k, b)


cdef void learn_waver(Core* s, double t, i64 k_now, int spoilt) noexcept nogil:
    # golden._learn_waver: twice the bow of a steady hold's last slow_hold's middle third off the
    # line through the outer two, less the thirds' noise, relative to the level, every WAVER_EVERY
    # s from windows steady on every tick; wv is the median of the last WAVER_N (mode 59)
    if spoilt or s.wv_k != k_now - 1:
        s.wv_calm = t
    s.wv_k = k_now
    if spoilt or s.h_lv_open or t < s.wv_next or t - s.slow_hold < s.wv_calm or \
            t - s.slow_hold < s.h_settled:
        return
    s.wv_next = t + WAVER_EVERY
    cdef double m0, m1, m2
    thirds(s, t, s.slow_hold, &m0, &m1, &m2)
    cdef double mean = (m0 + m1 + m2) / 3.0
    if mean <= 0.0:
        return
    cdef double spread = 2.0 * fabs(m1 - 0.5 * (m0 + m2)) - means_apart(s, s.slow_hold / 3.0)
    s.wv_buf[s.wv_n % WAVER_N] = (spread if spread > 0.0 else 0.0) / mean
    s.wv_n += 1
    cdef int n = <int> s.wv_n if s.wv_n < WAVER_N else WAVER_N
    if 3 * n < WAVER_N:
        return
    cdef double b[16]
    cdef int i, j
    cdef double x
    for i in range(n):  # (insertion sort: at most 16)
        x = s.wv_buf[i]
        j = i
        while j > 0 and b[j - 1] > x:
            b[j] = b[j - 1]
            j -= 1
        b[j] = x
    s.wv = b[n // 2] if n % 2 else 0.5 * (b[n // 2 - 1] + b[n // 2])


cdef inline double thirds_tol(Core* s, double level, double dur, double flat_frac) noexcept nogil:
    # FLAT of the level and the thirds' means' noise allowance in quadrature (golden._thirds_tol)
    cdef double flat = flat_frac * level
    cdef double noise = means_apart(s, dur / 3.0)
    return sqrt(flat * flat + noise * noise)


cdef int line_back(Core* s, double t_end, double dur, int direction, double rate,
                   double* slope, double* start) noexcept nogil:
    # the dur seconds before t_end on a line no steeper than rate, not on the way the ease went,
    # bowed by no peak; its slope and its value where the window begins (golden._line_back)
    cdef double m_old, m_mid, m_new, tol, bow
    thirds(s, t_end, dur, &m_old, &m_mid, &m_new)
    slope[0] = (m_new - m_old) / (2.0 * dur / 3.0)
    start[0] = m_old - slope[0] * dur / 6.0
    if fabs(slope[0]) > rate or direction * slope[0] > 0.0:
        return 0
    tol = thirds_tol(s, m_mid, dur, FLAT)
    bow = direction * (m_mid - 0.5 * (m_old + m_new))
    return -tol <= bow <= TURN_PEAK * tol


cdef double knee(Core* s, double t, double dur, int direction, double rate) noexcept nogil:
    # where the force, settled after an ease into a slow line back, began it (NAN if it has not):
    # on such lines now and a third of the window before, moving along it now, the last min_hold's
    # thirds flat about it (golden._knee)
    cdef double slope, start, before, before_start, m0, m1, m2, lo, hi, rise
    if not line_back(s, t, dur, direction, rate, &slope, &start) or \
            not line_back(s, t - dur / 3.0, dur, direction, rate, &before, &before_start):
        return NAN
    last_thirds(s, &m0, &m1, &m2)
    if fabs(s.v - slope) > FLAT * m1 / (0.5 * s.min_hold) + v_floor(s):
        return NAN
    rise = slope * s.min_hold / 3.0
    m0 += rise
    m2 -= rise
    lo = m0 if m0 < m1 else m1
    if m2 < lo:
        lo = m2
    hi = m0 if m0 > m1 else m1
    if m2 > hi:
        hi = m2
    if hi - lo > FLAT * m1 + ARRIVAL_K * s.sig_f:
        return NAN
    return start


cdef void knee_step(Core* s, double t, i64 k_now, double mid) noexcept nogil:
    # a slow step whose new level gives back after the ease (golden._knee_step; cheapest first)
    cdef int direction = 1 if mid > s.mv_base else -1
    cdef double sp, at, m0, m1, m2
    last_thirds(s, &m0, &m1, &m2)
    if direction * (m2 - m0) <= FLAT * m1 + ARRIVAL_K * s.sig_f:
        sp = span(s, s.mv_base, mid, t - s.slow_hold, SLOW_SPAN * s.slow_max)
        if 0.0 < sp <= SLOW_SPAN * s.slow_max and steady_for(s, t, s.slow_hold, s.n - 1):
            at = knee(s, t, s.slow_hold, direction, KNEE * 0.6 * fabs(mid - s.mv_base) / sp)
            if not isnan(at):
                do_step(s, t, k_now, 1, at)
                return
    s.cd_knee = t + SLOW_RETRY


cdef double level_waver(Core* s, double frm) noexcept nogil:
    # golden._level_waver: wv, and after a brisk change from frm at least BRISK_WAVER (mode 61)
    cdef double most
    if s.mv_fast and s.wv < BRISK_WAVER:
        if s.cd_brisk < 0.0:  # measured once (span: inf past most, the same verdict)
            most = 0.6 * fabs(s.cd_level - frm) / (BRISK_RATE * s.step_rate * frm) if frm > 0.0 else -1.0
            s.cd_brisk = 1.0 if most >= 0.0 and span(s, frm, s.cd_level, s.cd_start, most) <= most else 0.0
        if s.cd_brisk > 0.0:
            return BRISK_WAVER
    return s.wv


cdef inline bint back_from_peak(Core* s, double y) noexcept nogil:
    # golden._back_from_peak: more than a hold band back from the movement's peak, the band of the
    # hold's level or of the peak's if higher (failure mode 62)
    cdef double pk = s.sl_ref + s.mv_peak if y > s.sl_ref else s.sl_ref - s.mv_peak
    if pk < s.h_level:
        pk = s.h_level
    return s.mv_peak - fabs(y - s.sl_ref) > wide(s, pk)


cdef int waving(Core* s, double t, double after) noexcept nogil:
    # golden._waving: after a slow excursion, a level that breathing keeps moving (failure mode 57)
    cdef double dur = LONG_HOLD * s.slow_hold
    if t < s.cd_wave or t - dur < after:
        return 0
    if steady_for(s, t, dur, s.n - 1) and flat_thirds(s, t, dur, s.mv_dir, wavered(s, LONG_FLAT, dur, s.wv), s.n - 1):
        return 1
    s.cd_wave = t + SLOW_RETRY
    return 0


cdef void moving(Core* s, double t, double y, i64 k_now, double v_on, int out) noexcept nogil:
    cdef int relative = not s.has_target
    cdef double d, mid, start, level, slow_dy, frm, v_now, floor, half, since, held, after, w_held, wv
    cdef bint past, away
    cdef double slow_max = s.slow_max
    cdef int fast_open, slow_open, quiet, up, sgn, flat, waved, wavy
    cdef i64 k0
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
        elif s.mv_back >= 0.0 and (up == s.mv_ep_up or s.mv_homed) and s.mv_back - s.mv_ep <= s.leave_time:
            # out again, having come back within leave_time: a new time away (golden)
            s.mv_ep = t
            s.mv_ep_on = scan_departure(s, s.mv_ref, s.mv_tol, k_now, 1 if up else -1, hold_floor(s))
        s.mv_ep_up = up
        s.mv_back = -1.0
        s.mv_homed = 0
        if s.mv_out < 0.0:
            s.mv_out = t
    elif s.mv_back < 0.0:
        s.mv_back = shown_by(s, k_now, oldest(s))  # back when the force showed it (mode 63)
    elif not s.mv_homed:
        # golden: back inside and lying still at the level for SETTLE_TIME, not passing through
        k0 = last_at(s, k_now, mean_lo(s), t - SETTLE_TIME)
        if s.ht[hix(s, k0)] >= s.mv_back and fabs(y - s.hy[hix(s, k0)]) <= 0.5 * wide(s, s.h_level):
            s.mv_homed = 1
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
            if not partway_back(s):
                leave(s, t, s.n - 1, left_at(s), s.cd_out < 0.0)
            elif t - s.mv_back >= s.leave_time:
                resume(s, t, y, 0)  # settled at the band's edge, within reach of the level: goes on
            # (until then wait: a return that goes on to the level or through it was a leave)
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
        after = s.mv_onset if s.mv_onset > s.mv_settle else s.mv_settle
        if steady_window(s, t, &mid) and window_after(s, after) and \
                (s.mv_fast or is_flat(s, t) or waving(s, t, after)):
            settle(s, mid, s.mv_onset, &start, &level)
            s.cd_start = start
            s.cd_level = level
            s.cd_out = -1.0
            s.cd_span = -1.0
            s.cd_brisk = -1.0
            s.cd_try = 0.0
            s.cd_wave = 0.0
            s.cd_knee = 0.0
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
            do_step(s, t, k_now, 0, NAN)
            return
        slow_dy = s.cd_level - s.mv_base
        if quiet and fabs(mid - s.mv_base) > fabs(slow_dy):
            slow_dy = mid - s.mv_base
        # golden: past the longest a slow step takes, a force drifting between candidates is judged
        if relative and (slow_dy > 0.0 or s.slow_down) and \
                t - s.sl_left <= slow_max + 2.0 * s.slow_hold + s.min_hold + PENDING_SLACK and \
                fabs(slow_dy) >= step_thr(s, s.mv_base) and from_hold(s, s.mv_base + slow_dy):
            held = t - s.cd_start
            flat = held >= s.slow_hold and t >= s.cd_try and is_flat(s, t)
            # golden: a level a breath keeps moving is judged by all it has held (failure mode 57)
            waved = not flat and not away and held >= s.slow_hold and t >= s.cd_wave
            # golden: or, from slow_hold on, flat within the waver steady holds showed (mode 59)
            # golden: a level reached faster than the step rate, with at least BRISK_WAVER (mode 61)
            wv = level_waver(s, frm)
            wavy = waved and wv > 0.0 and is_flat(s, t, wv)
            waved = waved and held > LONG_HOLD * s.slow_hold
            if flat or waved or wavy:
                # flat over slow_hold, or over LONG_HOLD times it by LONG_FLAT, or over all held
                # since the candidate began, at the same drift rate (golden; failure mode 53)
                sgn = 1 if slow_dy > 0.0 else -1
                # (the longer windows, and a wavy level's, widened by the waver: golden, mode 59)
                w_held = wavered(s, FLAT * held / s.slow_hold, held, wv)
                if not steady_for(s, t, s.slow_hold, s.n - 1) or \
                        not ((flat and (flat_thirds(s, t, s.slow_hold, sgn, FLAT, s.n - 1) or
                                        (held >= LONG_HOLD * s.slow_hold and
                                         flat_thirds(s, t, LONG_HOLD * s.slow_hold, sgn,
                                                     wavered(s, LONG_FLAT, LONG_HOLD * s.slow_hold, wv),
                                                     s.n - 1)))) or
                             (wavy and flat_thirds(s, t, s.slow_hold, sgn, wavered(s, FLAT, s.slow_hold, wv),
                                                   s.n - 1) and
                              flat_thirds(s, t, held, sgn, w_held, s.n - 1)) or
                             (held > LONG_HOLD * s.slow_hold and flat_thirds(s, t, held, sgn, w_held, s.n - 1))):
                    if flat:
                        s.cd_try = t + SLOW_RETRY
                    else:
                        s.cd_wave = t + SLOW_RETRY
                else:
                    start = scan_arrival(s, mid, SLOW_ARRIVAL * mid + ARRIVAL_K * s.sig_f, wide(s, mid),
                                         s.mv_onset, s.n - 1, s.hy)
                    if t - start < s.slow_hold:
                        s.cd_try = start + s.slow_hold
                        s.cd_wave = s.cd_try
                        s.cd_knee = s.cd_try  # flat and arriving: its own verdict first (golden)
                    elif span(s, s.mv_base, mid, start, SLOW_SPAN * slow_max) <= SLOW_SPAN * slow_max:
                        do_step(s, t, k_now, 1, NAN)
                    else:
                        resume(s, t, y, 1)
                    return
            if t - s.cd_start >= s.slow_hold and t >= s.cd_knee:
                knee_step(s, t, k_now, mid)  # a give back after the ease (failure mode 45)
            return
        if away:
            return
        if relative and fabs(s.cd_level - s.h_level) >= step_thr(s, s.h_level) and left_fast(s):
            leave(s, t, s.n - 1, left_at(s), s.cd_out < 0.0)
        elif s.h_lv_cut and take_level_behind(s, t):
            resume(s, t, y, 0)  # the arrival settled in this hold: its level measured, it goes on
        elif relative and (not s.mv_fast or (s.sl_onset < s.mv_onset and
                                             s.mv_dir * (s.mv_ref - s.mv_base) > 0.0)) and \
                t - s.sl_left <= slow_max + s.min_hold + PENDING_SLACK:
            pass  # an ease resting a moment, or pushed on the way it went: wait
        else:
            resume(s, t, y, 1)
        return
    fast_open = t - s.mv_onset <= s.step_max + s.min_hold + PENDING_SLACK
    slow_open = relative and t - s.sl_left <= slow_max + s.min_hold + PENDING_SLACK and \
        not (s.mv_fast and back_from_peak(s, y))
    if fast_open or slow_open:
        return
    if y < release_floor(s, s.h_level):
        pass  # a let-go under way: its release ends the hold, or it is judged when back (golden)
    elif away_for(s, t) > s.leave_time and left_fast(s):
        leave(s, t, s.n - 1, left_at(s), s.cd_out < 0.0)
    else:
        resume(s, t, y, out)
