# Included by _core.pyx (one translation unit); the golden twin is core/golden/ease.py.
# A slow step's onset: where an ease onto a new barrier began, dated through the hand's wander; a fast
# step's lead-in.

cdef void ease_crossings(Core* s, double a, double b, i64 k_end, double* t_from,
                         double* t_to) noexcept nogil:
    # Where a slow change from a to b last passed EASE_FROM and EASE_TO of the way before its
    # midpoint, on the VEL_MEAN average, looked for back from tick k_end (golden._ease_crossings).
    cdef double d = b - a
    cdef int direction = 1 if d > 0 else -1
    cdef i64 k = k_end
    cdef i64 lo = imax(oldest(s), s.win_from)
    d = fabs(d)
    k = back_below(s, k, lo, a, 0.5 * d, direction, s.hm)
    k = back_below(s, k, lo, a, EASE_TO * d, direction, s.hm)
    t_to[0] = crossing(s, k, a, EASE_TO * d, direction, s.hm)
    k = back_below(s, k, lo, a, EASE_FROM * d, direction, s.hm)
    t_from[0] = crossing(s, k, a, EASE_FROM * d, direction, s.hm)


cdef inline double ease_dated(double t_from, double t_to, double back) noexcept nogil:
    # The onset: back from the first crossing by back times the time between them (golden._ease_dated).
    return t_from - 0.5 * VEL_MEAN - back * (t_to - t_from)


cdef double wander(Core* s, double t_end, double t_first) noexcept nogil:
    # The hand's wander before t_end: the median change between consecutive EASE_WANDER_SPAN means
    # over the EASE_WANDER_TIME before it, none before t_first nor the history (golden._wander).
    cdef i64 lo = mean_lo(s)
    cdef i64 b = back_to(s, s.n - 1, lo, t_end)
    cdef i64 k = b
    cdef int spans = <int>(EASE_WANDER_TIME / EASE_WANDER_SPAN + 0.5)
    cdef int j, i, h
    cdef int nd = 0
    cdef double diffs[WANDER_CAP]
    cdef double edge, m, x
    cdef double prev = 0.0
    if spans > WANDER_CAP + 1:
        spans = WANDER_CAP + 1
    for j in range(1, spans + 1):
        edge = t_end - j * EASE_WANDER_SPAN
        if edge < t_first:
            break
        k = back_to(s, k, lo, edge)
        if k >= b or s.ht[hix(s, k)] - edge > 0.5 * EASE_WANDER_SPAN:
            break
        m = mean_ticks(s, k, b)
        if j > 1:
            # kept sorted as it grows (a handful of values)
            x = fabs(m - prev)
            i = nd
            while i > 0 and diffs[i - 1] > x:
                diffs[i] = diffs[i - 1]
                i -= 1
            diffs[i] = x
            nd += 1
        prev = m
        b = k
    if nd == 0:
        return 0.0
    h = nd // 2
    return diffs[h] if nd % 2 else 0.5 * (diffs[h - 1] + diffs[h])


cdef bint ease_base(Core* s, double onset, double* base) noexcept nogil:
    # golden._ease_base: the force's mean over EASE_BASE before onset (false before the history)
    cdef i64 lo = imax(oldest(s), s.win_from)
    cdef i64 k = s.n - 1
    cdef i64 kb
    while k > lo and s.ht[hix(s, k)] >= onset:
        k -= 1
    kb = k + 1
    k = back_to(s, k, lo, onset - EASE_BASE)
    if kb > k and s.ht[hix(s, k)] < onset:  # (an onset before the history has no base there)
        base[0] = mean_ticks(s, k, kb)
        return 1
    return 0


cdef double ease_onset(Core* s, double a, double b, double floor, i64 k_end) noexcept nogil:
    # Dated back by an EASE_BACK the wander before the first estimate has shrunk (golden._ease_onset);
    # the change looked for back from tick k_end.
    cdef double t_from, t_to, onset, w, back, base
    cdef double d = fabs(b - a)
    ease_crossings(s, a, b, k_end, &t_from, &t_to)
    # golden: an interval no accepted ease spends between 5 % and 25 %: it began where the excursion did
    cdef bint rested = t_to - t_from > 0.5 * SLOW_SPAN * s.slow_max
    cdef double first = s.sl_onset if rested else ease_dated(t_from, t_to, EASE_BACK)
    w = wander(s, first, s.h_start) / (EASE_WANDER * d) if d > 0.0 else 0.0
    back = EASE_BACK / (1.0 + w * w)
    if back < EASE_BACK_MIN:
        back = EASE_BACK_MIN
    onset = first if rested else ease_dated(t_from, t_to, back)
    # golden: again from the mean before each estimate while it lies further beyond the old level
    cdef double direction = 1.0 if b > a else -1.0
    cdef double tol = DEPART * fabs(a) + DEPART_K * s.sig_f
    cdef double prev = a
    cdef double peek
    cdef int i
    for i in range(EASE_PASSES):
        if not ease_base(s, onset, &base) or (b - base) * (b - a) <= 0.0:
            break
        ease_crossings(s, base, b, k_end, &t_from, &t_to)
        onset = ease_dated(t_from, t_to, back)
        if direction * (prev - base) <= tol:
            if i > 0:
                break  # no further out: at the turn
            # golden: from the old level's side once, unless the force came to it from beyond it
            if not ease_base(s, onset - EASE_BASE, &peek) or direction * (a - peek) <= tol:
                break
            ease_crossings(s, peek, b, k_end, &t_from, &t_to)
            onset = ease_dated(t_from, t_to, back)
            base = peek
        prev = base
    return onset if onset > floor else floor


cdef inline i64 first_at(double* xs, i64 m, double x, int inclusive) noexcept nogil:
    # the first index of the sorted xs[:m] at or past x (inclusive: past it only); golden: bisect
    cdef i64 lo = 0, hi = m, mid
    while lo < hi:
        mid = (lo + hi) // 2
        if xs[mid] < x or (inclusive and xs[mid] == x):
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef inline double ramp_score(double a1, double ax, double axx, double ay, double axy, double b1,
                              double bx1, double bxx, double by, double bxy, double p1m, double pym,
                              double eps, double t0, double t1, double direction) noexcept nogil:
    # golden._ramp_fit: the flat-ramp-flat least-squares fit's explained sum (-inf: degenerate, or
    # against), from the prefix sums at the first point at or past t0 (a*) and past t1 (b*), and at the
    # end (p1m, pym; eps = 1e-12 * p1m * p1m). No branch: the verdict is a select (a quotient not used
    # is never a trap, -fno-trapping-math), so ease_fit's grid loop runs two points at a time.
    cdef double r = 1.0 / (t1 - t0)
    cdef double bw = b1 - a1
    cdef double bx = bx1 - ax
    cdef double su = p1m - b1 + (bx - t0 * bw) * r
    cdef double suu = p1m - b1 + (bxx - axx - 2.0 * t0 * bx + t0 * t0 * bw) * (r * r)
    cdef double suy = pym - by + (bxy - axy - t0 * (by - ay)) * r
    cdef double svv = p1m - 2.0 * su + suu
    cdef double suv = su - suu
    cdef double svy = pym - suy
    cdef double det = svv * suu - suv * suv
    cdef bint bad = (det <= eps) | ((svv * suy - suv * svy - suu * svy + suv * suy) * direction <= 0.0)
    cdef double q = (suu * svy * svy - 2.0 * suv * svy * suy + svv * suy * suy) / det
    return -INFINITY if bad else q


cdef inline double ramp_fit(double* p1, double* px, double* pxx, double* py, double* pxy, i64 m, i64 ia,
                            i64 ib, double t0, double t1, double direction) noexcept nogil:
    # ramp_score at the points ia (first at or past t0) and ib (first past t1)
    return ramp_score(p1[ia], px[ia], pxx[ia], py[ia], pxy[ia], p1[ib], px[ib], pxx[ib], py[ib], pxy[ib],
                      p1[m], py[m], 1e-12 * p1[m] * p1[m], t0, t1, direction)


cdef double fit_from(Core* s, double onset, double lo_t, i64 lo) noexcept nogil:
    # golden._fit_from: the fit begins no earlier than the force's last return into the old hold's
    # steady band before the onset, if it lay there min_hold up to the onset (a give that came back)
    cdef i64 k = last_at(s, s.n - 1, lo, onset)
    cdef double wd = wide(s, s.h_level)
    if fabs(s.hy[hix(s, k)] - s.h_level) > wd:
        return lo_t
    while k > lo and s.ht[hix(s, k - 1)] >= lo_t:
        if fabs(s.hy[hix(s, k - 1)] - s.h_level) > wd:
            return s.ht[hix(s, k)] if onset - s.ht[hix(s, k)] >= s.min_hold else lo_t
        k -= 1
    return lo_t


cdef double ease_fit(Core* s, double onset, double start, double t, double direction) noexcept nogil:
    # golden._ease_fit: the onset held near the ramp of a flat-ramp-flat line fitted to the filtered force
    cdef double lo_t = onset - EASE_FIT_BACK
    cdef double hi_t = start + EASE_FIT_AFTER
    cdef i64 lo = oldest(s)
    cdef i64 k, k_hi, m, i, j, jmin, n0, n1, g, q0, q1
    cdef i64 c = s.cap + 1
    cdef double* xs = s.fit
    cdef double* p1 = s.fit + c
    cdef double* px = s.fit + 2 * c
    cdef double* pxx = s.fit + 3 * c
    cdef double* py = s.fit + 4 * c
    cdef double* pxy = s.fit + 5 * c
    cdef i64* ga = s.fit_ix
    cdef i64* gb = s.fit_ix + c
    # The grid's end points, gathered: each one's time and the prefix sums at the first tick past it,
    # contiguous, so the inner loop reads them in order; and that loop's scores.
    cdef double* g1 = s.fit + 6 * c
    cdef double* gp1 = s.fit + 7 * c
    cdef double* gpx = s.fit + 8 * c
    cdef double* gpxx = s.fit + 9 * c
    cdef double* gpy = s.fit + 10 * c
    cdef double* gpxy = s.fit + 11 * c
    cdef double* out = s.fit + 12 * c
    cdef double w, x, y, a0, best, b0, b1, c0, c1, t0, t1, sc, r0, span
    cdef double p1m, pym, eps, a1, ax, axx, ay, axy
    if lo_t < s.h_start:
        lo_t = s.h_start
    if hi_t > t:
        hi_t = t
    lo_t = fit_from(s, onset, lo_t, lo)
    k_hi = last_at(s, s.n - 1, lo, hi_t)
    k = back_to(s, k_hi, lo, lo_t)
    m = k_hi - k + 1
    if start - lo_t < 2.0 * EASE_FIT_MIN or hi_t - lo_t < 2.0 or m < 20:
        return onset
    p1[0] = 0.0
    px[0] = 0.0
    pxx[0] = 0.0
    py[0] = 0.0
    pxy[0] = 0.0
    for i in range(m):
        j = hix(s, k + i)
        w = s.hw[j]
        x = s.ht[j] - t
        y = s.hy[j]
        xs[i] = x
        p1[i + 1] = p1[i] + w
        px[i + 1] = px[i] + w * x
        pxx[i + 1] = pxx[i] + w * x * x
        py[i + 1] = py[i] + w * y
        pxy[i + 1] = pxy[i] + w * x * y
    a0 = lo_t - t
    n0 = 0
    while a0 + EASE_FIT_GRID * n0 < start - t:
        n0 += 1
    n1 = 0
    while a0 + EASE_FIT_GRID * n1 < hi_t - t:
        n1 += 1
    if n1 > s.cap:  # (a tick longer than the grid's step: no more points than ticks)
        n1 = s.cap
    q0 = 0
    q1 = 0
    for g in range(n1):  # where each grid time falls among the ticks, once
        x = a0 + EASE_FIT_GRID * g
        while q0 < m and xs[q0] < x:
            q0 += 1
        while q1 < m and xs[q1] <= x:
            q1 += 1
        ga[g] = q0
        gb[g] = q1
        g1[g] = x
        gp1[g] = p1[q1]
        gpx[g] = px[q1]
        gpxx[g] = pxx[q1]
        gpy[g] = py[q1]
        gpxy[g] = pxy[q1]
    best = -INFINITY
    b0 = 0.0
    b1 = 0.0
    jmin = <i64> llround(EASE_FIT_MIN / EASE_FIT_GRID)
    p1m = p1[m]
    pym = py[m]
    eps = 1e-12 * p1[m] * p1[m]
    for i in range(n0):
        t0 = a0 + EASE_FIT_GRID * i
        a1 = p1[ga[i]]
        ax = px[ga[i]]
        axx = pxx[ga[i]]
        ay = py[ga[i]]
        axy = pxy[ga[i]]
        # the score at every end point, in a loop of no branch and no call (ramp_score inlined), which
        # the compiler runs two points at a time (the same operations in the same order on each: the
        # same scores); then the best taken in order, as when one loop called ramp_fit (that loop was
        # an eighth of the core's time on an input of slow steps)
        for j in range(i + jmin, n1):
            out[j] = ramp_score(a1, ax, axx, ay, axy, gp1[j], gpx[j], gpxx[j], gpy[j], gpxy[j], p1m, pym, eps,
                                t0, g1[j], direction)
        for j in range(i + jmin, n1):
            if out[j] > best:
                best = out[j]
                b0 = t0
                b1 = g1[j]
    if best == -INFINITY:
        return onset
    c0 = b0
    c1 = b1
    for i in range(10):
        t0 = c0 + EASE_FIT_FINE * (i - 5)
        for j in range(10):
            t1 = c1 + EASE_FIT_FINE * (j - 5)
            if t1 - t0 < EASE_FIT_MIN - 1e-9:
                continue
            sc = ramp_fit(p1, px, pxx, py, pxy, m, first_at(xs, m, t0, 0), first_at(xs, m, t1, 1), t0, t1,
                          direction)
            if sc > best:
                best = sc
                b0 = t0
                b1 = t1
    r0 = t + b0 - 2.0 * s.tau
    span = b1 - b0
    if onset < r0 - EASE_FIT_EARLY * span:
        return r0 - EASE_FIT_EARLY * span
    if onset > r0 + EASE_FIT_LATE * span:
        return r0 + EASE_FIT_LATE * span
    return onset


cdef double ease_fitted(Core* s, double onset, double start, double t_end, int direction, double latest,
                        double t) noexcept nogil:
    # golden._ease_fitted: the crossings' dating held near the ramp fitted to the force up to t_end,
    # not before the hold's floor nor after latest; as dated where the fit lies past the start or
    # back past the history at t
    cdef double fitted = ease_fit(s, onset, start, t_end, <double> direction)
    cdef double fl = hold_floor(s)
    if fitted < fl:
        fitted = fl
    if fitted > latest:
        fitted = latest
    return fitted if start > fitted >= t - s.hist else onset


cdef double lead_in(Core* s, double onset, i64 k_now, int direction, double lim,
                    double level) noexcept nogil:
    cdef double floor = hold_floor(s)
    cdef i64 k = k_now
    cdef i64 lo = mean_lo(s)
    cdef i64 ka
    cdef double ref, tol
    if lim < floor:
        lim = floor
    k = last_at(s, k, lo, lim)
    ka = k
    while ka > lo and s.ht[hix(s, ka - 1)] >= lim - s.min_hold:
        ka -= 1
    if k <= lo or s.ht[hix(s, ka)] > lim - 0.5 * s.min_hold:
        return onset
    ref = mean_ticks(s, ka, k + 1)
    tol = DEPART * ref + DEPART_K * s.sig_f + quantum(s)
    while ka <= k:
        if fabs(s.hy[hix(s, ka)] - ref) > tol:
            return onset
        ka += 1
    k = last_at(s, k_now, lo, onset)
    cdef double y = s.hy[hix(s, k)]
    cdef double dev = y - ref
    if fabs(dev) <= tol:
        return onset
    if dev * (level - ref) <= 0.0 or fabs(dev) < LEAD_SHARE * fabs(level - ref):
        return onset  # a dip first, or under a quarter of the change: the hold's wander (mode 55)
    if fabs(y - s.h_level) > wide(s, s.h_level):
        return onset  # a first movement out of the hold's steady band: its drift, no lead-in
    return scan_departure(s, ref, tol, k, 1 if dev > 0 else -1, lim)
