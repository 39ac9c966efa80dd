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
