"""Human- and machine-readable reports of an analysed trace: the table and the contract's JSON.

Kept apart from the command line so that later views (the live monitor's exit summary, the dashboard's
export) print the very same table and JSON.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from nmt_pressure.analysis.holdstats import finite_median
from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.core.events import Event, Hold

__all__ = ["analysis_dict", "band_description", "format_events", "format_holds", "format_report",
           "format_summary", "to_json"]


def _finite(value: Any) -> Any:
    """JSON has no NaN or infinity: such numbers become null, recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def analysis_dict(events: Sequence[Event], holds: Sequence[Hold],
                  meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The contract's ``{"events": [...], "holds": [...]}``, plus an optional ``"meta"`` key."""
    out: dict[str, Any] = {
        "events": [e.to_dict() for e in events],
        "holds": [h.to_dict() for h in holds],
    }
    if meta is not None:
        out["meta"] = dict(meta)
    return _finite(out)  # type: ignore[no-any-return]


def to_json(data: Mapping[str, Any]) -> str:
    """Strict JSON text (no NaN), indented for people, ending in a newline."""
    return json.dumps(_finite(data), indent=2, allow_nan=False) + "\n"


def band_description(cfg: DetectorConfig) -> str:
    tol = cfg.tolerance * 100.0
    if cfg.target is None:
        return f"relative (each hold's own level ± {tol:g} %)"
    lo, hi = cfg.target * (1.0 - cfg.tolerance), cfg.target * (1.0 + cfg.tolerance)
    return f"fixed {cfg.target:g} N ± {tol:g} % ({lo:.4g}-{hi:.4g} N)"


def _num(x: float | None, fmt: str, none: str = "-") -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return none
    return format(x, fmt)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], left: set[int]) -> list[str]:
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        parts = [c.ljust(w) if i in left else c.rjust(w)
                 for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "  ".join(parts).rstrip()

    return [line(header), *(line(r) for r in rows)]


def format_holds(holds: Sequence[Hold]) -> list[str]:
    """One row per hold. CV is a fraction in the data and a percentage here; ``time_in_band`` is in
    seconds, shown as a share of the hold's duration; drift also as a share of the level per second."""
    header = ["#", "start s", "end s", "dur s", "level N", "mean N", "SD N", "CV %", "in band %",
              "drift N/s", "drift %/s", "ended by"]
    rows = []
    for i, h in enumerate(holds, 1):
        in_band = 100.0 * min(h.time_in_band / h.duration, 1.0) if h.duration > 0 else None
        drift_pct = 100.0 * h.drift_per_s / h.level if h.level else None
        rows.append([str(i), _num(h.start, ".2f"), _num(h.end, ".2f"), _num(h.duration, ".2f"),
                     _num(h.level, ".2f"), _num(h.mean, ".2f"), _num(h.sd, ".3f"),
                     _num(h.cv * 100.0, ".1f"), _num(in_band, ".0f"), _num(h.drift_per_s, "+.3f"),
                     _num(drift_pct, "+.2f"), h.ended_by])
    return _table(header, rows, left={11})


def format_events(events: Sequence[Event]) -> list[str]:
    """One row per event: onset, when it was known, kind, direction and level."""
    header = ["time s", "detected s", "kind", "direction", "level N"]
    rows = [[_num(e.t, ".2f"), _num(e.t_detected, ".2f"), e.kind, e.direction or "-",
             _num(e.level, ".2f")] for e in events]
    return _table(header, rows, left={2, 3})


def format_summary(events: Sequence[Event], holds: Sequence[Hold]) -> str:
    """One line: how many holds, steps, releases and band alerts, and how steady the holds were.

    Holds that ended ``left`` (the force left the level and neither came back nor settled) have no
    event: they are counted from the holds, and named only when there are any."""
    kinds = Counter(e.kind for e in events)
    steps = [e for e in events if e.kind == "step"]
    ups = sum(1 for e in steps if e.direction == "up")
    held = sum(h.duration for h in holds)

    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    parts = [f"{n(len(holds), 'hold')} ({held:.1f} s held)"]
    parts.append(n(len(steps), "step") + (f" ({ups} up, {len(steps) - ups} down)" if steps else ""))
    parts.append(n(kinds["release"], "release"))
    left = sum(1 for h in holds if h.ended_by == "left")
    if left:
        parts.append(f"{n(left, 'hold')} left")
    parts.append(n(kinds["band_exit"], "band exit"))
    parts.append(n(kinds["contact"], "contact"))
    line = "summary: " + ", ".join(parts)
    median = finite_median(h.cv * 100.0 for h in holds)
    if median is not None:
        line += f"; median CV {median:.1f} %"
    return line + "."


def format_report(*, source: str, samples: int, duration: float, rate: float, rate_note: str,
                  cfg: DetectorConfig, events: Sequence[Event], holds: Sequence[Hold],
                  peak_force: float | None = None, unit_note: str | None = None,
                  time_note: str | None = None) -> str:
    """The whole readable report of one analysed recording; ``unit_note`` and ``time_note`` say what
    unit the force and the time were read in and who said so (an assumed unit must never be silent)."""
    when = f"   time: {time_note}" if time_note else ""
    force = f"   force: {unit_note}" if unit_note else ""
    out = [f"file: {source}   samples: {samples}   duration: {duration:.1f} s   "
           f"rate: {rate:.4g} Hz ({rate_note})   band: {band_description(cfg)}{when}{force}", ""]
    if holds:
        out.append(f"holds ({len(holds)})")
        out += ["  " + ln for ln in format_holds(holds)]
    else:
        note = ""
        if peak_force is not None and peak_force < cfg.contact_threshold:
            note = (f" (the force never reaches the {cfg.contact_threshold:g} N contact threshold: "
                    "is the unit right? see --unit)")
        out.append(f"holds: none{note}")
    out.append("")
    if events:
        out.append(f"events ({len(events)})")
        out += ["  " + ln for ln in format_events(events)]
    else:
        out.append("events: none")
    out += ["", format_summary(events, holds)]
    return "\n".join(out) + "\n"
