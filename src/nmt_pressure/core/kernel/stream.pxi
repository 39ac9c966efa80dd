# Included by _core.pyx (one translation unit); the golden twin is core/golden/stream.py.
# The per-sample stage: time checks, repeated stamps, spike rejection, the low-pass and the ticks; and
# the block loop ``process`` runs.

cdef inline void pass_noise(Core* s, double t, double y, i64 k_now) noexcept nogil:
    # The noise of the filtered force measured on itself; replaces the raw tracker's where
    # PASS_K times lower (see golden._pass_noise).
    cdef i64 lo = oldest(s)
    s.ip = first_since(s, s.ip, lo, k_now, t - s.pass_lag)
    cdef i64 d = k_now - s.ip
    if d <= 0 or k_now - 2 * d < lo:
        return
    cdef double r = fabs(y - 2.0 * s.hy[hix(s, k_now - d)] + s.hy[hix(s, k_now - 2 * d)])
    if s.p_mar < 0.0:
        s.p_mar = s.sig_f * MAR_PER_SIGMA
    cdef double lim = 3.0 * s.p_mar + 0.01
    cdef double a = (t - s.t_prev_tick) * s.pass_w
    s.p_mar += (a if a < 1.0 else 1.0) * ((r if r < lim else lim) - s.p_mar)
    cdef double sp = s.pass_k * s.p_mar
    if sp < s.sig_f:
        s.sig_f = sp


cdef void tick(Core* s, double t, double y, double w) noexcept nogil:
    if s.st == HOLD and s.n - s.h_cursor >= s.cap:
        fold(s, s.n - s.cap + 1)
    cdef i64 j = hix(s, s.n)
    s.ht[j] = t
    s.hy[j] = y
    s.hw[j] = w
    s.sum_w += w
    s.sum_wy += w * y
    s.cw[j] = s.sum_w
    s.cy[j] = s.sum_wy
    cdef i64 k_now = s.n
    s.n += 1

    cdef double sig = s.mar / MAR_PER_SIGMA
    cdef double ratio
    if fabs(s.dt_avg - s.dt_avg_c) > 1e-6 * s.dt_avg:  # golden: a millionth, as the filter's alpha
        s.dt_avg_c = s.dt_avg
        ratio = s.dt_avg / (4.0 * s.tau)
        s.sqrt_c = sqrt(ratio if ratio < 1.0 else 1.0)
    s.sig_f = sig * s.sqrt_c
    pass_noise(s, t, y, k_now)

    minmax_tick(s, t, k_now)

    cdef i64 lo = imax(oldest(s), s.win_from)
    if s.iv < lo:
        s.iv = lo
    while s.iv + 1 < k_now and s.ht[hix(s, s.iv + 1)] <= t - VEL_SPAN:
        s.iv += 1
    if s.iv2 < lo:
        s.iv2 = lo
    while s.iv2 + 1 < k_now and s.ht[hix(s, s.iv2 + 1)] <= t - VEL_MEAN:
        s.iv2 += 1
    cdef double m = mean_ticks(s, s.iv2 + 1, s.n)
    # golden: a tick longer than VEL_MEAN (a silence) counts with its part inside the window (mode 63)
    cdef i64 a = s.iv2 + 1
    cdef i64 ja = hix(s, a)
    cdef i64 jb
    cdef double xs, sw
    if s.hw[ja] > VEL_MEAN and a > 0 and (s.n <= s.cap or a > s.n - s.cap):
        xs = s.hw[ja] - (s.ht[ja] - (t - VEL_MEAN))
        jb = hix(s, a - 1)
        sw = s.cw[j] - s.cw[jb] - xs
        if xs > 0.0 and sw > 0.0:
            m = (s.cy[j] - s.cy[jb] - xs * s.hy[ja]) / sw
    s.hm[j] = m
    cdef double t0 = s.ht[hix(s, s.iv)]
    # across a silence: from VEL_SPAN ago, at iv's level (golden). (The gap back to iv is at least
    # the silence: a cheap test first, which regular ticks under VEL_MEAN - VEL_SPAN never pass.)
    if t - t0 > VEL_MEAN and s.iv + 1 < s.n and s.hw[hix(s, s.iv + 1)] > VEL_MEAN:
        t0 = t - VEL_SPAN
    s.v = (m - s.hm[hix(s, s.iv)]) / (t - t0) if t > t0 else 0.0
    if s.iw < lo:
        s.iw = lo
    while s.iw < k_now and s.ht[hix(s, s.iw)] < t - s.min_hold:
        s.iw += 1
    cdef i64 lo_c = sum_lo(s)
    cdef double half = 0.5 * s.min_hold
    s.ih1 = first_since(s, s.ih1, lo_c, k_now, t - half)
    s.ih2 = first_since(s, s.ih2, lo_c, k_now, t - 2.0 * half)
    cdef double third = s.min_third
    s.it1 = first_since(s, s.it1, lo_c, k_now, t - third)
    s.it2 = first_since(s, s.it2, lo_c, k_now, t - 2.0 * third)
    s.ib = first_since(s, s.ib, lo_c, k_now, t - BRISK_SPAN)

    cdef double thr
    if s.st == IDLE:
        if not s.rs_on and y < s.rs_at - s.c_off and y < s.rs_lim:
            # golden: the resting force moved away below where it had come to rest: found again
            s.rs_on = s.rs_lim > 0.0
            s.rs_base = s.rest
            s.rs_fell = 1
            s.rs_t = t
            s.rs_lo = y
            s.rs_hi = y
        if s.rs_on:
            find_rest(s, t, y)
        if not s.rs_on:
            s.rest = lower_rest(s, s.rest, y)
            thr = s.rest + s.c_on if s.rest > 0.0 else s.c_on
            if y > thr:
                contact(s, t, y, thr)
    elif s.st == CONTACT:
        in_contact(s, t, y, k_now)
    else:
        in_hold(s, t, y, k_now)
    s.y_prev_tick = y
    s.t_prev_tick = t
    s.raw_gate = -INFINITY if s.st == IDLE else s.end_base + s.c_off


cdef inline void feed(Core* s, double t, double x) noexcept nogil:
    cdef double r = fabs(x - (2.0 * s.x1 - s.x2))
    cdef double dq = fabs(x - s.x1)
    cdef double dt
    if 0.0 < dq < s.quantum:
        s.quantum = dq
    if x < s.x_lo:
        s.x_lo = x
    if s.fed < WARMUP:
        s.fed += 1
        if s.fed > 2:
            if s.fed > 5 and r > s.r_lim:
                r = s.r_lim
            s.mar += (r - s.mar) / (s.fed - 2)
            s.thr = s.spike_k * s.mar + SPIKE_FLOOR
            s.r_lim = 3.0 * s.mar + 0.01
    else:
        s.r_acc += r if r < s.r_lim else s.r_lim
        s.r_n += 1
    s.x2 = s.x1
    s.x1 = x
    dt = t - s.t_fed
    s.t_fed = t
    if dt > 0.0:
        if fabs(dt - s.dt_c) > 1e-6 * dt:
            s.dt_c = dt
            s.alpha = dt / (s.tau + dt)
        s.y1 += s.alpha * (x - s.y1)
        s.y2 += s.alpha * (s.y1 - s.y2)
    s.n_in_tick += 1
    if t >= s.next_tick:
        tick_due(s, t)


cdef void tick_due(Core* s, double t) noexcept nogil:
    # The sample at t (already fed) closes a tick: update the per-tick noise statistics and detect.
    cdef double w, a
    w = t - s.t_tick
    if w > 0.0:
        if s.dt_avg == 0.0:
            s.dt_avg = w / s.n_in_tick
        s.dt_avg += 0.2 * (w / s.n_in_tick - s.dt_avg)
        set_batch(s)
    if s.r_n > 0:
        a = MAR_ALPHA * s.r_n
        s.mar += (a if a < 1.0 else 1.0) * (s.r_acc / s.r_n - s.mar)
        s.thr = s.spike_k * s.mar + SPIKE_FLOOR
        s.r_lim = 3.0 * s.mar + 0.01
        s.r_acc = 0.0
        s.r_n = 0
    s.n_in_tick = 0
    s.t_tick = t
    s.next_tick = t + TICK_DUE * s.tick
    tick(s, t, s.y2, w)
    s.x_lo = INFINITY


cdef void start_stream(Core* s, double t, double x) noexcept nogil:
    s.started = 1
    s.t_last = t
    s.t_fed = t
    s.x1 = x
    s.x2 = x
    s.y1 = x
    s.y2 = x
    s.next_tick = t
    s.t_tick = t
    s.samples += 1
    feed(s, t, x)


cdef void gap(Core* s, double t, double x) noexcept nogil:
    s.gaps += 1
    end_of_data(s, s.t_last)
    reset_stream(s)
    s.t_now = t
    start_stream(s, t, x)


cdef inline bint batch_stamp(double dt, double batch) noexcept nogil:
    # golden._sample: the same stamp again, or one under batch (BATCH_FRAC of the sample interval)
    # after it - a batch's, whose time the next stamp tells
    return dt == 0.0 or 0.0 < dt < batch


cdef inline void step(Core* s, double t, double x) noexcept nogil:
    """One sample in: O(1) amortised, no allocation, no Python (a run of repeated stamps is fed
    when the next stamp comes: O(run), at most REPEAT_CAP)."""
    cdef double dt
    if not (isfinite(t) and isfinite(x)):
        s.ignored += 1
        return
    if not s.started:
        s.t_now = t
        start_stream(s, t, x)
        return
    dt = t - s.t_last
    if batch_stamp(dt, s.batch):
        if s.rep_n < REPEAT_CAP:
            s.rep[s.rep_n] = x
            s.rep_n += 1
        else:
            s.ignored += 1
        return
    if not (dt > 0.0):
        s.ignored += 1  # (nor does it turn back the clock events are told by: golden._sample)
        return
    s.t_now = t
    if s.rep_n > 0:
        spread_repeats(s, t)
    if dt > s.max_gap:
        gap(s, t, x)
        return
    accept(s, t, x)


cdef void spread_repeats(Core* s, double t) noexcept nogil:
    """The run of samples stamped ``t_last`` again, spread evenly up to ``t``, in arrival order."""
    cdef Hot h
    hot_load(s, &h)
    spread_hot(s, &h, t)
    hot_keep(s, &h)


cdef inline void spread_hot(Core* s, Hot* h, double t) noexcept nogil:
    """``spread_repeats`` with the hot state in ``h`` (loaded, and left so). Each sample of the run
    is what ``accept`` makes of it: the common one by ``hot_feed``, in registers, any other by
    ``accept`` itself (the same results). ``s.t_now`` is ``t``, the stamp that ends the run (step's),
    for the ticks run on the way."""
    cdef double t0 = h.t_last, dt = t - h.t_last
    cdef double k = s.rep_n + 1
    cdef double tj
    cdef int j
    cdef bint fast = not s.pend and s.fed >= WARMUP
    h.gap_bits = s.span_bits  # (0 while the run waited in run_block)
    if dt <= REPEAT_SPAN and dt <= s.max_gap:
        for j in range(s.rep_n):
            tj = t0 + (j + 1) * dt / k
            if fast and hot_feed(s, h, tj, s.rep[j]):
                if tj >= h.next_tick:  # feed's tick, once the state is written back
                    hot_store(s, h)
                    tick_due(s, tj)
                    hot_load(s, h)
            else:
                hot_keep(s, h)
                accept(s, tj, s.rep[j])
                hot_load(s, h)
                fast = not s.pend and s.fed >= WARMUP
    else:
        s.ignored += s.rep_n
    s.rep_n = 0


cdef inline void accept(Core* s, double t, double x) noexcept nogil:
    cdef double thr, r, d
    s.samples += 1
    s.t_last = t
    if s.fed < WARMUP:
        feed(s, t, x)
        return
    thr = s.thr
    if s.pend:
        s.pend = 0
        if fabs(x - s.x1) < 0.5 * fabs(s.pend_x - s.x1):
            s.spikes += 1
        else:
            feed(s, s.pend_t, s.pend_x)
        feed(s, t, x)
        return
    r = x - (2.0 * s.x1 - s.x2)
    d = s.x1 - s.x2
    # golden._accept: a sample that stops short of the line (between the last and it) is no spike
    if fabs(r) > thr and not (r * d <= 0.0 and fabs(r) <= fabs(d)):
        s.pend = 1
        s.pend_t = t
        s.pend_x = x
        return
    feed(s, t, x)


cdef inline void hot_load(Core* s, Hot* h) noexcept nogil:
    h.t_last = s.t_last
    h.x1 = s.x1
    h.x2 = s.x2
    h.y1 = s.y1
    h.y2 = s.y2
    h.alpha = s.alpha
    h.dt_c = s.dt_c
    h.r_acc = s.r_acc
    h.thr = s.thr
    h.r_lim = s.r_lim
    h.next_tick = s.next_tick
    h.quantum = s.quantum
    h.tau = s.tau
    h.batch = s.batch
    h.lo_bits = s.lo_bits
    h.gap_bits = s.span_bits
    h.fed = 0


cdef inline void hot_store(Core* s, Hot* h) noexcept nogil:
    # hand the hot state back before anything else reads it; the per-sample counters (samples, r_n,
    # n_in_tick) rise by the number of samples fed; t_now is the caller's (a spread run's is the
    # stamp that ended it). Only where no spike is pending: t_fed, unlike a fed sample's, then lies
    # behind t_last (hot_keep).
    s.samples += h.fed
    s.r_n += <int> h.fed
    s.n_in_tick += <int> h.fed
    h.fed = 0
    s.t_last = h.t_last
    s.t_fed = h.t_last
    s.x1 = h.x1
    s.x2 = h.x2
    s.y1 = h.y1
    s.y2 = h.y2
    s.alpha = h.alpha
    s.dt_c = h.dt_c
    s.r_acc = h.r_acc
    s.quantum = h.quantum


cdef inline void hot_keep(Core* s, Hot* h) noexcept nogil:
    # hot_store where a spike may be pending: only hot_feed changes the hot state, so with nothing
    # fed there is nothing to hand back
    if h.fed:
        hot_store(s, h)


cdef inline bint hot_feed(Core* s, Hot* h, double t, double x) noexcept nogil:
    """What ``accept`` and ``feed`` do with a common sample (no spike suspected, the time moving on
    by at most max_gap, the force at or above raw_gate), bar feed's tick, which the caller runs once
    ``t >= h.next_tick``; False, changing nothing, for any other sample. Only for a stream that is
    running, warmed up and has no spike pending (the caller's ``fast``)."""
    cdef double dt = t - h.t_last
    cdef double r = x - (2.0 * h.x1 - h.x2)
    cdef double ar = fabs(r)
    cdef double dq
    # step's "dt >= batch (dt > 0.0 before a batch is known) and dt <= max_gap" as one unsigned
    # compare of dt's bits: positive doubles (and +inf, then NaN) order as their bit patterns; one
    # under lo_bits (+0.0 among them) wraps to the top under "- lo_bits", and every negative (sign
    # bit set) lies above any positive max_gap's bits. The same verdict, fewer ops.
    # NaN and inf fail these comparisons, so they take the slow path (which counts them). So does a
    # sample under raw_gate, where feed keeps the lowest for the tick (a running minimum kept here
    # cost 0.9 ns a sample; the gate, from memory, none).
    if not (bits_of(dt) - h.lo_bits < h.gap_bits and ar <= h.thr and x >= s.raw_gate):
        return False
    h.t_last = t
    dq = fabs(x - h.x1)
    # feed's 0.0 < dq < quantum as one unsigned compare of the bits (dq >= 0, quantum > 0; +0.0
    # wraps to the top, as in gap_bits): one branch, taken only for a new smallest change. As two
    # tests, the first went either way on a coarse sensor's runs of equal readings (dq == 0):
    # mispredicted on a third of its samples.
    if bits_of(dq) - 1 < bits_of(h.quantum) - 1:
        h.quantum = dq
    h.r_acc += ar if ar < h.r_lim else h.r_lim
    h.x2 = h.x1
    h.x1 = x
    if fabs(dt - h.dt_c) > 1e-6 * dt:
        h.dt_c = dt
        h.alpha = dt / (h.tau + dt)
    h.y1 += h.alpha * (x - h.y1)
    h.y2 += h.alpha * (h.y1 - h.y2)
    h.fed += 1
    return True


cdef Py_ssize_t run_block(Core* s, const double* tv, const double* fv, double* yo, Py_ssize_t i,
                          Py_ssize_t n) noexcept nogil:
    """``step`` over samples ``i..n`` until the event ring needs draining; returns where it stopped.

    The common sample takes a fast path with the hot state in locals (``hot_feed``: registers),
    doing exactly what ``step``/``feed`` do for it. So does a run of repeated stamps (a host that
    stamps its batches on arrival, a coarse clock; stop 49: they cost 2.2-3x a clean stream's time
    going through ``step``): kept as ``step`` keeps it, and spread (``spread_hot``) when the next
    stamp comes, which ``accept`` then takes. A sample that closes a tick writes the state back and
    runs ``tick_due`` (what ``feed`` does next) without going through ``step``'s checks again;
    anything else writes the state back and goes through ``step``. Results are bit-identical
    either way, and the rings are drained as often (after every tick and every spread, at least).
    """
    cdef double t, x
    cdef double* rep = s.rep
    cdef int m, cap = REPEAT_CAP
    cdef Hot h
    hot_load(s, &h)
    cdef bint fast = s.started and not s.pend and s.fed >= WARMUP and s.rep_n == 0
    cdef bint due = False  # the last sample fed closes a tick
    cdef bint took = False  # the fast loop stopped after taking its last sample (no tick due)
    while True:
        if fast:
            while i < n:
                t = tv[i]
                x = fv[i]
                if not hot_feed(s, &h, t, x):
                    if batch_stamp(t - h.t_last, h.batch) and s.rep_n < cap and isfinite(x):
                        # a run of repeated stamps, or a batch's (step's test): kept until the next
                        # stamp, which no time passes hot_feed's test until then
                        m = s.rep_n
                        while True:
                            rep[m] = x
                            m += 1
                            if yo != NULL:
                                yo[i] = h.y2
                            i += 1
                            if m == cap or i == n:
                                break
                            x = fv[i]
                            if not (batch_stamp(tv[i] - h.t_last, h.batch) and isfinite(x)):
                                break
                        s.rep_n = m
                        h.gap_bits = 0
                        continue
                    if s.rep_n == 0 or not isfinite(x) or \
                            not (bits_of(t - h.t_last) - 1 < bits_of(s.max_gap)):
                        break  # anything else (a gap after repeats among it): step
                    # the next stamp after repeats: step spreads them, then accepts this one
                    s.t_now = t
                    spread_hot(s, &h, t)
                    if s.pend or not hot_feed(s, &h, t, x):
                        hot_keep(s, &h)
                        accept(s, t, x)
                        if yo != NULL:
                            yo[i] = s.y2
                        i += 1
                        took = True
                        break
                    if s.ev_n >= EV_HIGH or s.hd_n >= HD_HIGH:
                        # the spread's ticks filled the rings (a spread is one step, which the
                        # rings' marks allow for; not two: ticks that all fall inside spreads
                        # never stop this loop): this sample, then drain
                        if yo != NULL:
                            yo[i] = h.y2
                        i += 1
                        due = t >= h.next_tick
                        took = not due
                        break
                if yo != NULL:
                    yo[i] = h.y2
                i += 1
                if t >= h.next_tick:
                    due = True  # fed already; its tick runs below, once the state is written back
                    break
            if h.fed:  # (nothing fed: nothing to hand back; after accept, h is stale and empty)
                hot_store(s, &h)
                s.t_now = h.t_last
        if due:
            due = False
            tick_due(s, h.t_last)  # a tick leaves the filter alone: yo[i - 1] (y2) stays right
        elif took:
            took = False
        elif i >= n:
            return i
        else:
            step(s, tv[i], fv[i])
            if yo != NULL:
                yo[i] = s.y2
            i += 1
        hot_load(s, &h)
        fast = s.started and not s.pend and s.fed >= WARMUP and s.rep_n == 0
        if s.ev_n >= EV_HIGH or s.hd_n >= HD_HIGH:
            return i
