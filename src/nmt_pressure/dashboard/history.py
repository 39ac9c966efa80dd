"""The whole session's force, decimated: a min/max envelope per time bucket, in bounded memory.

The ring buffer (:class:`~nmt_pressure.dashboard.model.SampleRing`) keeps only the last minute at full
rate, enough for the live plot. A researcher scrolling back over an hour needs the rest: this keeps,
for every bucket of ``width`` seconds since the session's first sample, the lowest and highest raw and
filtered force. When the buckets run out the width doubles and neighbouring pairs merge, so memory is
fixed (``capacity`` buckets, 4 floats each: 2 MB for the default) however long the session runs, and
the envelope stays honest: a peak is never averaged away, only widened in time.

The reader thread appends (numpy only, one lock); the GUI thread reads copies.
"""

from __future__ import annotations

import threading

import numpy as np

#: Buckets kept (a power of two, so merging pairs halves it exactly).
CAPACITY = 1 << 16
#: The starting bucket width (s): 100 buckets a second, finer than a 30 s plot's pixels.
BASE_WIDTH = 0.01

#: The envelope's rows: raw min, raw max, filtered min, filtered max.
RAW_MIN, RAW_MAX, FILT_MIN, FILT_MAX = range(4)


class SessionHistory:
    """Min/max envelope of the raw and filtered force over the whole session (device time)."""

    def __init__(self, capacity: int = CAPACITY, base_width: float = BASE_WIDTH) -> None:
        if capacity < 2 or capacity & (capacity - 1):
            raise ValueError("capacity must be a power of two, at least 2")
        if base_width <= 0:
            raise ValueError("base_width must be positive")
        self.capacity = capacity
        self.width = base_width
        self.t0: float | None = None  # device time of the session's first sample
        self.t_last: float | None = None
        self._env = np.full((4, capacity), np.nan)
        self._used = 0  # buckets in use: index of the latest bucket + 1
        self._lock = threading.Lock()

    # ---- the reader thread
    def append(self, t: np.ndarray, raw: np.ndarray, filtered: np.ndarray) -> None:
        """Fold a block of samples (device time, raw and filtered newtons) into the envelope."""
        if t.size == 0:
            return
        with self._lock:
            if self.t0 is None:
                self.t0 = float(t[0])
            # A clock that steps back (a device reset) lands in the first bucket, never before it.
            rel = np.maximum(t - self.t0, 0.0)
            top = float(rel.max())
            while top / self.width >= self.capacity:
                self._merge_pairs()
            idx = (rel / self.width).astype(np.int64)
            if idx.size > 1 and np.any(np.diff(idx) < 0):
                self._fold_unsorted(idx, raw, filtered)
            else:
                # Sorted (the usual case): one reduceat per row over the runs of equal bucket.
                starts = np.concatenate(([0], np.flatnonzero(np.diff(idx)) + 1))
                u = idx[starts]
                env = self._env
                for row, src, op in ((RAW_MIN, raw, np.minimum), (RAW_MAX, raw, np.maximum),
                                     (FILT_MIN, filtered, np.minimum), (FILT_MAX, filtered, np.maximum)):
                    red = op.reduceat(src, starts)
                    # fmin/fmax: an empty bucket (NaN) takes the new value
                    env[row, u] = (np.fmin if op is np.minimum else np.fmax)(env[row, u], red)
            self._used = max(self._used, int(idx.max()) + 1)
            self.t_last = float(t[-1]) if self.t_last is None else max(self.t_last, float(t[-1]))

    def _fold_unsorted(self, idx: np.ndarray, raw: np.ndarray, filtered: np.ndarray) -> None:
        env = self._env
        for row, src, op in ((RAW_MIN, raw, np.fmin), (RAW_MAX, raw, np.fmax),
                             (FILT_MIN, filtered, np.fmin), (FILT_MAX, filtered, np.fmax)):
            op.at(env[row], idx, src)

    def _merge_pairs(self) -> None:
        """Double the bucket width: bucket ``i`` becomes ``i // 2`` (memory stays the same)."""
        env = self._env
        half = self.capacity // 2
        merged = np.empty((4, half))
        for row, op in ((RAW_MIN, np.fmin), (RAW_MAX, np.fmax), (FILT_MIN, np.fmin), (FILT_MAX, np.fmax)):
            merged[row] = op(env[row, 0::2], env[row, 1::2])
        env[:, :half] = merged
        env[:, half:] = np.nan
        self._used = (self._used + 1) // 2
        self.width *= 2.0

    # ---- the GUI thread
    @property
    def span(self) -> float:
        """Seconds from the first sample to the latest (0 before any)."""
        with self._lock:
            if self.t0 is None or self.t_last is None:
                return 0.0
            return self.t_last - self.t0

    def envelope(self, t_from: float, t_to: float, filtered: bool = True
                 ) -> tuple[np.ndarray, np.ndarray]:
        """(t, force) of the envelope between device times ``t_from`` and ``t_to``: each bucket
        gives its minimum and its maximum, at the bucket's start and middle, so one line through
        them draws every peak; empty buckets are NaN (a gap, drawn as one with ``connect="finite"``)."""
        with self._lock:
            if self.t0 is None or t_to < t_from:
                e = np.empty(0)
                return e, e
            w = self.width
            i0 = max(0, int((t_from - self.t0) / w))
            i1 = min(self._used, int((t_to - self.t0) / w) + 1)
            if i1 <= i0:
                e = np.empty(0)
                return e, e
            lo_row, hi_row = (FILT_MIN, FILT_MAX) if filtered else (RAW_MIN, RAW_MAX)
            lo = self._env[lo_row, i0:i1].copy()
            hi = self._env[hi_row, i0:i1].copy()
            t0 = self.t0
        starts = t0 + w * np.arange(i0, i1, dtype=np.float64)
        t = np.empty(2 * lo.size)
        y = np.empty(2 * lo.size)
        t[0::2], t[1::2] = starts, starts + 0.5 * w
        y[0::2], y[1::2] = lo, hi
        return t, y

    def peak(self, t_from: float, t_to: float) -> float | None:
        """The highest raw force between two device times (None if no sample lies there)."""
        _, y = self.envelope(t_from, t_to, filtered=False)
        if y.size == 0 or np.all(np.isnan(y)):
            return None
        return float(np.nanmax(y))

    def nbytes(self) -> int:
        return int(self._env.nbytes)
