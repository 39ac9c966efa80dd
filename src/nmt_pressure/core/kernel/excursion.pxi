# Included by _core.pyx (one translation unit); the golden twin is core/golden/excursion.py.
# An excursion begins: the jitter and reference learned only while steady, and the departure dated.

cdef inline void learn(Core* s, double t, double y, double v_on) noexcept nogil:
    cdef double dv = s.v - s.v_slow
    cdef double dt
    if fabs(s.v) > LEARN_FRAC * v_on:
        return
    dt = t - s.t_prev_tick
    s.ref += dt / (0.3 + dt) * (s.hy[hix(s, s.iv)] - s.ref)
    s.v_slow += 0.02 * dv
    s.vj += 0.02 * ((dv if dv >= 0 else -dv) - s.vj)


cdef double left_rest(Core* s, i64 k_now, int direction, double onset, double* passed,
                      double* rest) noexcept nogil:
    # a slow excursion's onset (and, in *passed, where it passed the tolerance; in *rest, the rest's
    # level or NAN) from the latest min_hold rest lying wholly after *passed: a hold that crept a few
    # percent and rested there is left from that rest (golden._left_rest; failure mode 50)
    cdef double half = 0.5 * s.min_hold
    cdef i64 lo = mean_lo(s)
    cdef i64 kb = k_now
    cdef i64 km = back_to(s, kb, lo, s.ht[hix(s, kb)] - half)
    cdef i64 ka = back_to(s, km, lo, s.ht[hix(s, kb)] - 2.0 * half)
    cdef double level, t_end
    rest[0] = NAN
    while kb > lo and s.ht[hix(s, kb)] - 2.0 * half >= passed[0]:
        level = rest_level(s, ka, km, kb, lo)
        if not isnan(level):
            if fabs(level - s.h_level) > s.hold_band * s.h_level:
                break  # resting away from the hold (where a change led): not the hold's rest
            rest[0] = level
            return departure(s, level, DEPART * level + DEPART_K * s.sig_f, k_now, direction,
                             hold_floor(s), passed)
        kb -= 1
        t_end = s.ht[hix(s, kb)]
        km = back_to(s, km, lo, t_end - half)
        ka = back_to(s, ka, lo, t_end - 2.0 * half)
    return onset


cdef void excursion(Core* s, double t, i64 k_now, int fast, int direction, double ref) noexcept nogil:
    cdef int fresh = s.sub == STEADY
    cdef int was_slow = not fresh and not s.mv_fast
    if fresh:
        s.mv_out = -1.0
        s.mv_ep = -1.0
        s.mv_ep_on = -1.0
        s.mv_back = -1.0
        s.mv_homed = 0
        s.cd_start = -1.0
    s.sub = MOVING
    s.cd_span = -1.0
    s.cd_brisk = -1.0
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
    cdef double passed, rest = NAN
    s.mv_onset = departure(s, ref, s.mv_tol, k_now, direction, hold_floor(s), &passed)
    if fresh and not fast:
        s.mv_onset = left_rest(s, k_now, direction, s.mv_onset, &passed, &rest)
    if fresh or (fast and was_slow and s.mv_out >= 0.0 and t - s.mv_out <= RATE_LAG):
        s.sl_onset = s.mv_onset
        s.sl_ref = ref if isnan(rest) else rest
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
