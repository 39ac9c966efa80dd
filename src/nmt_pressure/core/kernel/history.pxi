# Included by _core.pyx (one translation unit); the golden twin is core/golden/history.py.
# The ring of past ticks: indexing, edge searches, crossings and weighted means over a span of ticks.

cdef inline i64 hix(Core* s, i64 k) noexcept nogil:
    return k & s.mask  # cap is a power of two (DetectorConfig.history_capacity)


cdef inline i64 oldest(Core* s) noexcept nogil:
    return s.n - s.cap if s.n > s.cap else 0


cdef inline i64 sum_lo(Core* s) noexcept nogil:
    # the first tick a mean from the running sums may begin at (golden._sum_lo)
    return oldest(s) + 1 if s.n > s.cap else 0


cdef inline i64 mean_lo(Core* s) noexcept nogil:
    # sum_lo, and not before win_from (golden._mean_lo)
    return imax(sum_lo(s), s.win_from)


cdef inline i64 imax(i64 a, i64 b) noexcept nogil:
    return a if a > b else b


cdef inline i64 first_since(Core* s, i64 k, i64 lo, i64 k_now, double edge) noexcept nogil:
    # A running pointer moved on to the first tick at or after edge (not before lo, not past k_now).
    if k < lo:
        k = lo
    while k < k_now and s.ht[hix(s, k)] < edge:
        k += 1
    return k


cdef inline i64 back_to(Core* s, i64 k, i64 lo, double edge) noexcept nogil:
    # From tick k back to the first tick at or after edge (not before lo): the start of a window
    # that ends at k, when no running pointer keeps it.
    while k > lo and s.ht[hix(s, k - 1)] >= edge:
        k -= 1
    return k


cdef inline i64 last_at(Core* s, i64 k, i64 lo, double edge) noexcept nogil:
    # From tick k back to the last tick at or before edge (not before lo): where a scan back over a
    # change that ended by edge begins.
    while k > lo and s.ht[hix(s, k)] > edge:
        k -= 1
    return k


cdef inline i64 back_below(Core* s, i64 k, i64 lo, double a, double d, int direction,
                           double* h) noexcept nogil:
    while k > lo and direction * (h[hix(s, k)] - a) >= d:
        k -= 1
    return k


cdef double crossing(Core* s, i64 k, double ref, double d, int direction, double* h) noexcept nogil:
    # golden._crossing: the newest tick's time if k is the newest (no tick after it)
    cdef i64 j0, j1
    cdef double d0, d1, f
    if k >= s.n - 1:
        return s.ht[hix(s, s.n - 1)]
    j0 = hix(s, k)
    j1 = hix(s, k + 1)
    d0 = direction * (h[j0] - ref)
    d1 = direction * (h[j1] - ref)
    if d1 <= d0:
        return s.ht[j1]
    f = (d - d0) / (d1 - d0)
    f = 0.0 if f < 0.0 else (1.0 if f > 1.0 else f)
    return s.ht[j0] + f * (s.ht[j1] - s.ht[j0])


cdef inline double mean_ticks(Core* s, i64 a, i64 b) noexcept nogil:
    # golden._mean_ticks: the sums before the oldest tick kept are gone (its slot holds the newest's)
    if s.n > s.cap and a <= s.n - s.cap:
        a = s.n - s.cap + 1
    cdef double sw = (s.cw[hix(s, b - 1)] if b > 0 else 0.0) - (s.cw[hix(s, a - 1)] if a > 0 else 0.0)
    cdef double sy = (s.cy[hix(s, b - 1)] if b > 0 else 0.0) - (s.cy[hix(s, a - 1)] if a > 0 else 0.0)
    return sy / sw if sw > 0.0 else s.hy[hix(s, s.n - 1)]


cdef inline double shown_by(Core* s, i64 k, i64 lo) noexcept nogil:
    # golden._shown_by: tick k's stamp, or VEL_MEAN after the tick before where it ends a silence
    cdef double t = s.ht[hix(s, k)]
    cdef double shown
    if k > lo:
        shown = s.ht[hix(s, k - 1)] + VEL_MEAN
        if shown < t:
            return shown
    return t


cdef double mean_since(Core* s, double t0) noexcept nogil:
    cdef i64 k = s.n - 1
    cdef i64 lo = oldest(s)
    cdef double sw = 0.0
    cdef double sy = 0.0
    cdef i64 j
    while k >= lo and s.ht[hix(s, k)] >= t0:
        j = hix(s, k)
        sw += s.hw[j]
        sy += s.hw[j] * s.hy[j]
        k -= 1
    return sy / sw if sw > 0.0 else s.hy[hix(s, s.n - 1)]


cdef inline double tick_gap(Core* s) noexcept nogil:
    # golden._tick_gap: the longest interval between two ticks that is no silence
    return 2.0 * s.dt_avg + s.tick


cdef inline int window_after(Core* s, double t0) noexcept nogil:
    cdef i64 lo = imax(oldest(s), s.win_from)
    return s.ht[hix(s, s.iw if s.iw > lo else lo)] >= t0
