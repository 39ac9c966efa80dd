"""The public face of the signal core: picks the compiled kernel or the golden model, and `analyze`.

``NMT_PRESSURE_PUREPYTHON=1`` selects the pure-Python golden model explicitly; a build without a C
compiler falls back to it with a warning (as msgpack-python does with its ``fallback.py``).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from nmt_pressure.core import golden
from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.core.events import Event, Hold

IMPLEMENTATION: str
if os.environ.get("NMT_PRESSURE_PUREPYTHON", "") not in ("", "0"):
    Detector: Any = golden.Detector
    IMPLEMENTATION = "python"
else:
    try:
        from nmt_pressure import _core  # type: ignore[attr-defined]

        Detector = _core.Detector
        IMPLEMENTATION = "cython"
    except ImportError:  # pragma: no cover - depends on how the package was built
        warnings.warn(
            "nmt_pressure: the compiled core is not available (was it built without a C compiler?); "
            "using the pure-Python golden model, which is about 100x slower. Reinstall with a C "
            "compiler present to get the fast core.",
            RuntimeWarning,
            stacklevel=2,
        )
        Detector = golden.Detector
        IMPLEMENTATION = "python"


def estimate_sample_rate(t: npt.ArrayLike) -> float:
    """Nominal rate of a recording from its median interval (robust to jitter and gaps).

    Samples sharing one stamp (a host stamping a batch with its arrival time, a millisecond clock read
    at 2 kHz) are samples, as the core treats them: each positive gap is shared by the run of samples
    stamped at its start, so a 100-ms batch of 10 samples counts as ten 10-ms intervals, not one.
    """
    ta = np.asarray(t, dtype=np.float64)
    if ta.size < 2:
        return DetectorConfig.sample_rate
    dt = np.diff(ta)
    ends = np.flatnonzero(dt > 0)  # the last sample of each run of equal stamps
    if ends.size == 0:
        return DetectorConfig.sample_rate
    counts = np.diff(ends, prepend=-1)  # samples in each run
    per_sample = np.repeat(dt[ends] / counts, counts)
    return float(1.0 / np.median(per_sample))


@dataclass
class AnalysisResult:
    """Everything the core found in one whole trace."""

    events: list[Event]
    holds: list[Hold]
    config: DetectorConfig
    extra: dict[str, Any] = field(default_factory=dict)
    #: The core's low-passed force after each sample, when asked for (``keep_filtered=True``).
    filtered: npt.NDArray[np.float64] | None = None
    #: The trace analysed (seconds, newtons; set by :func:`analyze`), for the hold statistics
    #: (:func:`nmt_pressure.analysis.holdstats.result_hold_stats`).
    t: npt.NDArray[np.float64] | None = field(default=None, repr=False, compare=False)
    force: npt.NDArray[np.float64] | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "events": [e.to_dict() for e in self.events],
            "holds": [h.to_dict() for h in self.holds],
        }


def analyze(t: npt.ArrayLike, force: npt.ArrayLike, cfg: DetectorConfig | None = None,
            *, detector_class: Any = None, keep_filtered: bool = False) -> AnalysisResult:
    """Run a whole trace through the core: the same code path as live monitoring, sample for sample.

    Without ``cfg`` the defaults are used with the sample rate read off the timestamps. With
    ``keep_filtered`` the result also carries the core's low-passed force (what reports and figures
    compute on, so they agree with the live statistics).
    """
    ta = np.ascontiguousarray(t, dtype=np.float64)
    fa = np.ascontiguousarray(force, dtype=np.float64)
    if cfg is None:
        cfg = DetectorConfig(sample_rate=estimate_sample_rate(ta))
    det = (detector_class or Detector)(cfg)
    filtered = np.empty_like(ta) if keep_filtered else None
    events = det.process(ta, fa, filtered) if filtered is not None else det.process(ta, fa)
    events += det.finish()
    return AnalysisResult(events=events, holds=list(det.holds), config=cfg, filtered=filtered, t=ta, force=fa)
