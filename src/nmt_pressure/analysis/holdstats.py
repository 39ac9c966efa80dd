"""Per-hold statistics for researchers, beyond the ones the core computes live.

The core's hold statistics (mean, SD, CV, time in band, drift) are running sums over its detection
ticks. The figures added here need the whole trace (a maximum, a count of excursions, the shape of the
ramp before the hold), so they are computed afterwards from the core's own low-passed force, sample by
sample, over exactly the stretch the core called the hold: ``[start, end]``, where ``start`` is where
the force arrived at its level and ``end`` the onset of the step, release or departure (``ended_by``
``left``: the force left the level fast and neither came back nor settled) that ended it.

Definitions (the README's researcher page repeats them):

* **centre**: the band centre, i.e. ``--target`` if one was given, else the hold's settled level;
* **rmse_n**: root-mean-square deviation of the filtered force from the centre, time-weighted (each
  sample stands for the interval up to the next one, so irregular timestamps weigh correctly);
* **max_deviation_n**: the largest ``|force - centre|`` during the hold (signed value in
  ``max_deviation_signed_n``), and ``max_deviation_pct`` as a percentage of the centre;
* **excursions**: how many band exits the core reported inside the hold (debounced, exactly the alerts
  a user saw live);
* **ramp**: the approach that ended at the hold's start. It began at the onset of the step that led to
  this hold, or, for the first hold of a contact, where the force crossed the contact threshold (after
  a release that left light contact: where it rose by the threshold above that resting level). A hold
  that formed after a departure (``left``) without a new contact has no ramp: the force wandered
  between the two holds, and no onset of an approach is known;
* **time_to_plateau_s**: ``start - ramp start``;
* **loading_rate_n_per_s**: the mean slope of the ramp between 10 % and 90 % of its rise (the usual
  rate-of-force-development window: it leaves out the slow toe and the rounded shoulder), negative for
  a step down; ``loading_rate_pct_per_s`` is the same relative to the hold's level.

Values that cannot be computed (a hold already under way when the recording began, or one that followed
a departure within the same contact, has no ramp) are NaN here and empty/null in the files.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.core.detector import AnalysisResult, analyze
from nmt_pressure.core.events import Event, Hold

__all__ = ["HOLD_COLUMNS", "HoldStats", "finite_median", "hold_stats", "loading_rate", "sample_weights"]

#: Fraction of the ramp's rise between which the loading rate is measured.
RAMP_LO, RAMP_HI = 0.10, 0.90

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class HoldStats:
    """One hold: the core's :class:`Hold` (the contract's fields) plus the research statistics (see
    the module docstring); flat in :meth:`to_dict`, as the tables have it."""

    index: int
    hold: Hold
    centre_n: float
    time_in_band_pct: float
    rmse_n: float
    max_deviation_n: float
    max_deviation_signed_n: float
    max_deviation_pct: float
    excursions: int
    ramp_start: float
    time_to_plateau_s: float
    loading_rate_n_per_s: float
    loading_rate_pct_per_s: float

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, **self.hold.to_dict()}
        out.update((f.name, getattr(self, f.name)) for f in fields(self)[2:])
        return out


#: Column order of the per-hold tables (CSV and JSON): index, the contract's hold fields, the rest.
HOLD_COLUMNS: tuple[str, ...] = ("index", *(f.name for f in fields(Hold)),
                                 *(f.name for f in fields(HoldStats)[2:]))


def finite_median(values: Iterable[float | None]) -> float | None:
    """The median of the finite values (the mean of the two middle ones for an even count), or None.

    The one median every report uses (summary line, figure titles, batch page), so that a figure and
    the table beside it always quote the same number.
    """
    data = [float(v) for v in values if v is not None and math.isfinite(v)]
    return float(statistics.median(data)) if data else None


def sample_weights(t: F64) -> F64:
    """Seconds each sample stands for: the interval to the next sample (the last repeats the one
    before), as a zero-order hold would draw it."""
    if t.size < 2:
        return np.ones_like(t)
    w = np.empty_like(t)
    w[:-1] = np.diff(t)
    w[-1] = w[-2]
    return w


def _ramp_start(hold: Hold, events: Sequence[Event], prev_end: float) -> float:
    """Onset of the step that led to ``hold``, or its contact's threshold crossing; NaN if neither
    lies between the previous hold's end and this hold's start."""
    best = math.nan
    for e in events:
        if (e.kind in ("contact", "step") and prev_end <= e.t <= hold.start
                and (math.isnan(best) or e.t >= best)):
            best = e.t
    return best


def loading_rate(t: F64, y: F64, t0: float, t1: float) -> float:
    """Mean slope between 10 % and 90 % of the rise from ``y(t0)`` to ``y(t1)`` (N/s)."""
    i0 = int(np.searchsorted(t, t0, side="left"))
    i1 = int(np.searchsorted(t, t1, side="right"))
    if i1 - i0 < 2:
        return math.nan
    seg_t, seg_y = t[i0:i1], y[i0:i1]
    rise = seg_y[-1] - seg_y[0]
    if rise == 0.0:
        return math.nan
    sign = 1.0 if rise > 0 else -1.0
    rel = (seg_y - seg_y[0]) * sign  # increasing towards |rise| either way
    lo, hi = RAMP_LO * abs(rise), RAMP_HI * abs(rise)
    k_lo = int(np.argmax(rel >= lo))
    k_hi = int(np.argmax(rel >= hi))
    if k_hi <= k_lo:
        return math.nan
    dt = float(seg_t[k_hi] - seg_t[k_lo])
    return float(seg_y[k_hi] - seg_y[k_lo]) / dt if dt > 0 else math.nan


def hold_stats(t: npt.ArrayLike, filtered: npt.ArrayLike, events: Sequence[Event],
               holds: Sequence[Hold], cfg: DetectorConfig) -> list[HoldStats]:
    """Research statistics of every hold, from the core's filtered force and its events."""
    ta = np.asarray(t, dtype=np.float64)
    ya = np.asarray(filtered, dtype=np.float64)
    w_all = sample_weights(ta)
    ordered = sorted(events, key=lambda e: e.t)
    exits = np.array([e.t for e in ordered if e.kind == "band_exit"], dtype=np.float64)
    out: list[HoldStats] = []
    prev_end = -math.inf
    for i, h in enumerate(holds):
        centre = cfg.target if cfg.target is not None else h.level
        i0 = int(np.searchsorted(ta, h.start, side="left"))
        i1 = int(np.searchsorted(ta, h.end, side="right"))
        seg, w = ya[i0:i1], w_all[i0:i1]
        if seg.size and w.sum() > 0:
            dev = seg - centre
            rmse = math.sqrt(float(np.sum(w * dev * dev) / np.sum(w)))
            k = int(np.argmax(np.abs(dev)))
            max_signed = float(dev[k])
        else:
            rmse = max_signed = math.nan
        n_exc = int(np.count_nonzero((exits >= h.start) & (exits <= h.end)))
        r0 = _ramp_start(h, ordered, prev_end)
        rate = loading_rate(ta, ya, r0, h.start) if not math.isnan(r0) else math.nan
        out.append(HoldStats(
            index=i + 1, hold=h, centre_n=centre,
            time_in_band_pct=100.0 * h.time_in_band / h.duration if h.duration > 0 else math.nan,
            rmse_n=rmse, max_deviation_n=abs(max_signed), max_deviation_signed_n=max_signed,
            max_deviation_pct=100.0 * abs(max_signed) / centre if centre > 0 else math.nan,
            excursions=n_exc, ramp_start=r0,
            time_to_plateau_s=h.start - r0 if not math.isnan(r0) else math.nan,
            loading_rate_n_per_s=rate,
            loading_rate_pct_per_s=100.0 * rate / h.level if h.level > 0 else math.nan))
        prev_end = h.end
    return out


def result_hold_stats(result: AnalysisResult) -> list[HoldStats]:
    """Every hold of an :func:`~nmt_pressure.analyze` result with the research statistics of
    ``nmt-pressure report``.

    They are computed on the core's filtered force: kept by ``analyze(..., keep_filtered=True)``
    (and :meth:`Recording.analyze <nmt_pressure.io.rectypes.Recording.analyze>`), else the trace is
    run through the core once more to get it.
    """
    if result.t is None or (result.filtered is None and result.force is None):
        raise ValueError("hold statistics need the trace: get this result from analyze()")
    filtered = result.filtered
    if filtered is None:
        assert result.force is not None
        filtered = analyze(result.t, result.force, result.config, keep_filtered=True).filtered
    assert filtered is not None
    return hold_stats(result.t, filtered, result.events, result.holds, result.config)
