"""Report figures as PNG files, drawn headless.

matplotlib's object API with the Agg canvas (no pyplot, no GUI backend, no global state), so figures
can be drawn in worker processes and on machines without a display. An hour at 1 kHz is 3.6 M points:
traces are reduced to a min/max envelope per horizontal pixel first, which draws the same picture
(every spike stays visible) in a fraction of the time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.core.events import Event, Hold

__all__ = ["distributions_figure", "draw_distributions", "draw_recording", "envelope"]

F64 = npt.NDArray[np.float64]

WIDTH_IN, HEIGHT_IN, DPI = 12.0, 4.5, 100
#: Envelope buckets: about one per horizontal pixel of the plot area.
BUCKETS = 1200


def envelope(t: F64, y: F64, buckets: int = BUCKETS) -> tuple[F64, F64]:
    """Min/max envelope of ``y`` in ``buckets`` equal slices of samples, drawn as a zig-zag line.

    Short traces come back unchanged; long ones as two points (min and max, in time order) a bucket.
    """
    n = t.size
    if n <= 2 * buckets:
        return t, y
    size = n // buckets
    m = size * buckets
    yy = y[:m].reshape(buckets, size)
    tt = t[:m].reshape(buckets, size)
    kmin = yy.argmin(axis=1)
    kmax = yy.argmax(axis=1)
    rows = np.arange(buckets)
    first = np.minimum(kmin, kmax)
    second = np.maximum(kmin, kmax)
    out_t = np.empty(2 * buckets)
    out_y = np.empty(2 * buckets)
    out_t[0::2], out_t[1::2] = tt[rows, first], tt[rows, second]
    out_y[0::2], out_y[1::2] = yy[rows, first], yy[rows, second]
    if m < n:  # the remainder (fewer samples than a bucket) goes on as it is
        out_t = np.concatenate([out_t, t[m:]])
        out_y = np.concatenate([out_y, y[m:]])
    return out_t, out_y


def _new_figure(width: float = WIDTH_IN, height: float = HEIGHT_IN):  # type: ignore[no-untyped-def]
    from nmt_pressure.extras import require

    # The `report` extra; a missing matplotlib is one sentence (MissingExtraError), not a traceback.
    require("matplotlib", "report", "drawing report figures", instead="use --no-figures")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def draw_recording(out: str | Path, t: F64, raw: F64, filtered: F64, events: Sequence[Event],
                   holds: Sequence[Hold], cfg: DetectorConfig, title: str) -> Path:
    """Force over time: raw faint, filtered bold, holds shaded, each hold's band, events marked, and
    the end of each hold that ended ``left`` (no event marks it)."""
    fig = _new_figure()
    ax = fig.add_subplot(1, 1, 1)
    et, ey = envelope(t, raw)
    ax.plot(et, ey, color="#9bb7d4", linewidth=0.6, label="force (raw)")
    ft, fy = envelope(t, filtered)
    ax.plot(ft, fy, color="#1f4e79", linewidth=1.4, label="force (filtered)")

    for k, h in enumerate(holds):
        ax.axvspan(h.start, h.end, color="#2e8b57", alpha=0.10, linewidth=0,
                   label="hold" if k == 0 else None)
        centre = cfg.target if cfg.target is not None else h.level
        lo, hi = centre * (1.0 - cfg.tolerance), centre * (1.0 + cfg.tolerance)
        ax.fill_between([h.start, h.end], [lo, lo], [hi, hi], color="#2e8b57", alpha=0.22, linewidth=0,
                        label="band" if k == 0 else None)
        ax.hlines(centre, h.start, h.end, color="#2e8b57", linewidth=0.8, linestyles="dotted")

    # A hold that ended "left" (the force left its level and neither came back nor settled) has no
    # event: its end, the departure's onset, is marked from the hold itself.
    for k, h in enumerate(x for x in holds if x.ended_by == "left"):
        ax.axvline(h.end, color="#e65100", linewidth=0.9, linestyle="-.",
                   label="hold left its level" if k == 0 else None)

    def y_at(x: float) -> float:
        i = int(np.clip(np.searchsorted(t, x), 0, t.size - 1))
        return float(filtered[i])

    seen: set[str] = set()

    def once(name: str) -> str | None:
        if name in seen:
            return None
        seen.add(name)
        return name

    for e in events:
        if e.kind == "step":
            up = e.direction == "up"
            ax.plot([e.t], [y_at(e.t)], marker="^" if up else "v", color="#d2691e", markersize=8,
                    linestyle="none", label=once("step"))
        elif e.kind == "release":
            ax.axvline(e.t, color="#555555", linewidth=0.9, linestyle="--", label=once("release"))
        elif e.kind == "band_exit":
            ax.plot([e.t], [y_at(e.t)], marker="x", color="#c62828", markersize=8, markeredgewidth=2,
                    linestyle="none", label=once("band exit"))
        elif e.kind == "hold_start":
            ax.plot([e.t], [y_at(e.t)], marker="o", color="#2e8b57", markersize=4, linestyle="none",
                    label=once("hold start"))

    ax.set_xlabel("time (s, device clock)")
    ax.set_ylabel("force (N)")
    ax.set_title(title, fontsize=10, loc="left")
    ax.grid(True, alpha=0.3)
    if t.size:
        ax.set_xlim(float(t[0]), float(t[-1]))
    ax.set_ylim(bottom=min(0.0, float(np.min(raw)) if raw.size else 0.0))
    # Below the axes: a legend inside would hide the very peaks a reader looks for.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=8, ncols=8, frameon=False)
    path = Path(out)
    # The title also as the PNG's own Title: an image copied out of the report still says what it
    # shows, and a script (or a test) can read it back without looking at pixels.
    fig.savefig(path, metadata={"Title": title})
    return path


def distributions_figure(cv_pct: Sequence[float], in_band_pct: Sequence[float],
                         holds_per_file: Sequence[int]) -> Any:
    """The batch page's figure (a matplotlib Figure): CV, time in band and holds per file as three
    histograms. Every count is a whole number, so the count axes are ticked at whole numbers only
    (a batch of two files must not show 0.2 files)."""
    from matplotlib.ticker import MaxNLocator

    fig = _new_figure(12.0, 3.6)
    panels = (
        (cv_pct, "CV of each hold (%)", "holds", False),
        (in_band_pct, "time in band (% of each hold)", "holds", False),
        (holds_per_file, "holds per file", "files", True),
    )
    for k, (values, xlabel, ylabel, whole_x) in enumerate(panels, start=1):
        ax = fig.add_subplot(1, 3, k)
        data = [float(v) for v in values if v is not None and math.isfinite(float(v))]
        if data and whole_x:
            # A bar per whole number of holds, centred on it: fractional bin edges would split or
            # merge counts arbitrarily.
            first, last = math.floor(min(data)), math.ceil(max(data))
            step = max(1, math.ceil((last - first + 1) / 30))
            edges = np.arange(first - 0.5, last + step + 0.5, step)
            ax.hist(data, bins=edges, color="#1f4e79", alpha=0.85)
        elif data:
            lo, hi = min(data), max(data)
            if hi - lo < 1e-9 * max(1.0, abs(hi)):  # one value (e.g. a single file): one bar around it
                lo, hi = lo - 0.5, hi + 0.5
            ax.hist(data, bins=min(30, max(5, len(data) // 3)), range=(lo, hi), color="#1f4e79", alpha=0.85)
        else:
            ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if whole_x:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
    return fig


def draw_distributions(out: str | Path, cv_pct: Sequence[float], in_band_pct: Sequence[float],
                       holds_per_file: Sequence[int]) -> Path:
    """:func:`distributions_figure` saved as a PNG."""
    path = Path(out)
    distributions_figure(cv_pct, in_band_pct, holds_per_file).savefig(path)
    return path
