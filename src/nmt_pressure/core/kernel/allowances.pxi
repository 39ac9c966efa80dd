# Included by _core.pyx (one translation unit); the golden twin is core/golden/allowances.py.
# Allowances in newtons: the sensor's quantum, the measured noise, and the tolerances built from them.

cdef inline double quantum(Core* s) noexcept nogil:
    return s.quantum if s.quantum < INFINITY else 0.0


cdef inline double sig_n(Core* s) noexcept nogil:
    # the filtered noise beyond the quantum's (which adds at most (q/2)^2 to the variance)
    cdef double hq = 0.5 * quantum(s) * s.sqrt_c
    cdef double n2 = s.sig_f * s.sig_f - hq * hq
    return sqrt(n2) if n2 > 0.0 else 0.0


cdef inline double noise_frac(Core* s, double dur) noexcept nogil:
    # golden._noise_frac: the fraction of one filtered sample's noise left in a mean over dur
    cdef double span = 4.0 * s.tau
    if s.dt_avg > span:
        span = s.dt_avg
    return sqrt(span / dur) if span < dur else 1.0


cdef inline double mean_noise(Core* s, double dur) noexcept nogil:
    return s.sig_f * noise_frac(s, dur)


cdef inline double means_apart(Core* s, double dur) noexcept nogil:
    # golden._means_apart: two means over dur each apart by noise alone, ARRIVAL_K of their sd
    return ARRIVAL_K * 1.4142135623730951 * mean_noise(s, dur)


cdef inline double wide_by(Core* s, double level, double frac) noexcept nogil:
    # golden._wide: the noise allowance scaled by frac for a mean
    cdef double band = s.hold_band * level
    cdef double allow = NOISE_K * sig_n(s) * frac + WIDE_QUANTA * quantum(s)
    return band + (allow if allow < band else band)


cdef inline double wide(Core* s, double level) noexcept nogil:
    return wide_by(s, level, 1.0)


cdef inline double wide_mean(Core* s, double level) noexcept nogil:
    # golden._wide_mean: the steady band for the mean over the last half min_hold
    return wide_by(s, level, noise_frac(s, 0.5 * s.min_hold))


cdef inline double step_thr(Core* s, double level) noexcept nogil:
    cdef double a = s.step_min * level
    cdef double b = STEP_QUANTA * quantum(s)
    return a if a > b else b


cdef inline double v_floor(Core* s) noexcept nogil:
    cdef double noise = NOISE_K * 1.4142135623730951 * s.sig_f
    cdef double q = quantum(s)
    cdef double alt
    if q > 0.0:
        # the quantum moves the rate by at most q / VEL_SPAN: that bound plus the noise beyond it
        alt = NOISE_K * 1.4142135623730951 * sig_n(s) + q
        if alt < noise:
            noise = alt
    return 4.0 * s.vj + noise / VEL_SPAN


cdef inline double arrival_tol(Core* s, double m) noexcept nogil:
    # the settled part about a level m (golden._arrival_tol)
    return ARRIVAL * m + ARRIVAL_K * s.sig_f + quantum(s)


cdef inline double hold_floor(Core* s) noexcept nogil:
    return s.h_start + s.min_hold


cdef inline bint unsettled(Core* s, double diff, double m, double frac) noexcept nogil:
    # halves over frac (LEVEL_SETTLED, LEVEL_BACK) apart, beyond their noise and a quantum (golden._unsettled)
    return fabs(diff) > frac * m + means_apart(s, 0.5 * s.min_hold) + quantum(s)


cdef inline int left_drift(Core* s, double y, double m) noexcept nogil:
    # golden._left_drift: the force (or its mean m) has left where it was when judged drift
    if fabs(y - s.dr_level) > wide(s, s.dr_level):
        return 1
    return fabs(m - s.dr_level) > wide_mean(s, s.dr_level)
