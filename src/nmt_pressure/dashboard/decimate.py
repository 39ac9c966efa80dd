"""Min/max decimation of a trace to the plot's pixel columns, in numpy (no Python loop over samples).

A 30 s window at 1 kHz is 30 000 samples for ~1000 pixel columns: drawing each column's lowest and
highest sample gives the very picture of all 30 000 (a one-sample spike is still drawn: it is its
column's max) with ~2000 points, so the frame's path, its paint and its GIL-holding stretch stay short.
Columns are aligned to multiples of their width in device time, not to the newest sample: a column
keeps the same samples while the trace scrolls, so the picture does not shimmer from frame to frame.
"""

from __future__ import annotations

import numpy as np


def minmax_columns(t: np.ndarray, y: np.ndarray, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """Every column of width ``dt`` (device s) holding samples of ``(t, y)``, as two points: its min
    then its max, both at the column's centre time. ``t`` is increasing; returns (times, values)."""
    if t.size == 0 or dt <= 0.0:
        return t[:0].astype(np.float64), y[:0].astype(np.float64)
    col = np.floor(t / dt).astype(np.int64)
    # where a new column begins: one boolean pass, no loop (gaps in the data simply skip columns)
    starts = np.flatnonzero(np.concatenate(([True], col[1:] != col[:-1])))
    lo = np.minimum.reduceat(y, starts)
    hi = np.maximum.reduceat(y, starts)
    x = (col[starts] + 0.5) * dt
    xs = np.repeat(x, 2)
    ys = np.empty(xs.size, dtype=np.float64)
    ys[0::2] = lo
    ys[1::2] = hi
    return xs, ys


class ColumnCache:
    """The min/max columns of a window of traces, kept from frame to frame.

    Each frame hands it only what it has not seen (anything older than the newest sample it holds is
    skipped, so a whole window may be handed too): the new samples are decimated, the first of their
    columns merged into the newest kept one (it was still filling), and the columns that left the
    window dropped. A frame then costs the ~30 new samples and ~1000 columns of array copies, not a
    pass over all 30 000 samples of the window.
    """

    def __init__(self, traces: int = 2) -> None:
        self.traces = traces
        self.clear(0.0)

    def clear(self, dt: float) -> None:
        """Forget every column; from now on columns are ``dt`` wide."""
        self.dt = dt
        self.col = np.empty(0, dtype=np.int64)  # each kept column's index: device time // dt
        self.lo = np.empty((self.traces, 0))
        self.hi = np.empty((self.traces, 0))
        self.t_end: float | None = None  # device time of the newest sample taken in

    def update(self, t: np.ndarray, ys: tuple[np.ndarray, ...], dt: float, t_min: float) -> None:
        """Take in the samples of ``t`` (increasing) newer than :attr:`t_end`, one array of ``ys`` per
        trace; drop the columns that end before ``t_min``. A new ``dt`` or time going back (a new
        session) starts over from what is handed."""
        if dt != self.dt or (self.t_end is not None and t.size and float(t[-1]) < self.t_end):
            self.clear(dt)
        if self.t_end is not None and t.size:
            i = int(np.searchsorted(t, self.t_end, side="right"))
            t, ys = t[i:], tuple(y[i:] for y in ys)
        if t.size:
            col = np.floor(t / dt).astype(np.int64)
            starts = np.flatnonzero(np.concatenate(([True], col[1:] != col[:-1])))
            lo = np.stack([np.minimum.reduceat(y, starts) for y in ys])
            hi = np.stack([np.maximum.reduceat(y, starts) for y in ys])
            new = col[starts]
            if self.col.size and new[0] == self.col[-1]:  # the newest kept column goes on filling
                self.lo[:, -1] = np.minimum(self.lo[:, -1], lo[:, 0])
                self.hi[:, -1] = np.maximum(self.hi[:, -1], hi[:, 0])
                new, lo, hi = new[1:], lo[:, 1:], hi[:, 1:]
            self.col = np.concatenate((self.col, new))
            self.lo = np.concatenate((self.lo, lo), axis=1)
            self.hi = np.concatenate((self.hi, hi), axis=1)
            self.t_end = float(t[-1])
        k = int(np.searchsorted(self.col, np.floor(t_min / dt) if dt > 0 else 0, side="left"))
        if k:
            self.col, self.lo, self.hi = self.col[k:], self.lo[:, k:], self.hi[:, k:]

    def points(self, trace: int) -> tuple[np.ndarray, np.ndarray]:
        """Trace ``trace`` as :func:`minmax_columns` draws it: (times, values), min then max a column."""
        xs = np.repeat((self.col + 0.5) * self.dt, 2)
        ys = np.empty(xs.size, dtype=np.float64)
        ys[0::2] = self.lo[trace]
        ys[1::2] = self.hi[trace]
        return xs, ys

    def span_since(self, trace: int, t0: float) -> float:
        """Highest minus lowest value of ``trace`` in the columns from device time ``t0`` on (0 if none)."""
        k = int(np.searchsorted(self.col, np.floor(t0 / self.dt) if self.dt > 0 else 0, side="left"))
        if k >= self.col.size:
            return 0.0
        return float(self.hi[trace, k:].max() - self.lo[trace, k:].min())
