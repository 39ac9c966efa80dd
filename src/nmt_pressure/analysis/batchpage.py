"""The batch outputs of `nmt-pressure report`: statistics across files, one HTML page, one long table.

``index.html`` is a single self-contained page (no scripts, no network): the summary across files, the
distribution figure, a row per file with links to its figure and tables, the files that could not be
read with the reason, and the detector settings to cite. ``summary.json`` carries the same numbers for
scripts; ``holds_all.csv`` every hold of every file in one table with a ``file`` column.
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from nmt_pressure._version import __version__
from nmt_pressure.analysis.batch import FileResult, write_csv_table
from nmt_pressure.analysis.holdstats import HOLD_COLUMNS, finite_median
from nmt_pressure.analysis.report import to_json
from nmt_pressure.core.events import ENDED_BY

__all__ = ["summarize", "write_batch_outputs"]


def _quantiles(values: Sequence[float]) -> dict[str, float | None]:
    data = np.array([v for v in values if v is not None and math.isfinite(v)], dtype=np.float64)
    if data.size == 0:
        return {"n": 0, "mean": None, "min": None, "p25": None, "median": None, "p75": None,
                "p90": None, "max": None}
    q = np.percentile(data, [25, 50, 75, 90])
    return {"n": int(data.size), "mean": float(data.mean()), "min": float(data.min()),
            "p25": float(q[0]), "median": float(q[1]), "p75": float(q[2]), "p90": float(q[3]),
            "max": float(data.max())}


def summarize(results: Sequence[FileResult]) -> dict[str, Any]:
    """Statistics across the files that could be reported (per-hold values pooled over files)."""
    ok = [r for r in results if r.ok]
    holds = [h for r in ok for h in r.holds]
    total_hold = sum(h["duration"] for h in holds)
    total_in = sum(h["time_in_band"] for h in holds)
    return {
        "files": len(results),
        "files_reported": len(ok),
        "files_failed": len(results) - len(ok),
        "holds": len(holds),
        "holds_per_file": _quantiles([float(len(r.holds)) for r in ok]),
        "cv_pct": _quantiles([100.0 * h["cv"] for h in holds]),
        "time_in_band_pct": _quantiles([h["time_in_band_pct"] for h in holds]),
        # Pooled: all in-band time over all hold time (long holds weigh more than in the median).
        "time_in_band_pooled_pct": 100.0 * total_in / total_hold if total_hold > 0 else None,
        "hold_duration_s": _quantiles([h["duration"] for h in holds]),
        "rmse_n": _quantiles([h["rmse_n"] for h in holds]),
        "excursions_total": int(sum(h["excursions"] for h in holds)),
        "loading_rate_n_per_s": _quantiles([h["loading_rate_n_per_s"] for h in holds]),
        # How the holds ended; "left" (a departure that neither came back nor settled) has no event,
        # so it is counted here from the holds, not from the event counts.
        "holds_ended_by": {k: sum(1 for h in holds if h["ended_by"] == k) for k in ENDED_BY},
    }


def _fmt(x: Any, spec: str = ".3g", none: str = "–") -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return none
    return format(x, spec)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1200px; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f0f4f8; } td.name, th.name { text-align: left; }
.failed td { background: #fff0f0; } .note { color: #555; font-size: 0.9em; }
img.thumb { width: 360px; border: 1px solid #ddd; } img.wide { max-width: 100%; }
code { background: #f4f4f4; padding: 0 0.2em; }
"""


def _config_text(cfg: dict[str, Any]) -> str:
    band = (f"fixed {cfg['target']:g} N" if cfg.get("target") is not None
            else "relative to each hold's level")
    return (f"causal 2-pole low-pass at {cfg['lowpass_hz']:g} Hz after single-sample spike rejection "
            f"(k = {cfg['spike_k']:g}); contact above {cfg['contact_threshold']:g} N; holds of at least "
            f"{cfg['min_hold']:g} s within ±{100 * cfg['hold_band']:g} %; steps of at least "
            f"{100 * cfg['step_min']:g} % within {cfg['step_max_duration']:g} s; band {band} "
            f"± {100 * cfg['tolerance']:g} %, alert debounce {cfg['alert_debounce']:g} s")


def render_html(results: Sequence[FileResult], summary: dict[str, Any], figure: str | None) -> str:
    """The batch page as one HTML document."""
    e = html.escape
    out = io.StringIO()
    w = out.write
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    w(f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      f"<title>nmt-pressure report: {_count(summary['files'], 'file')}</title><style>{_CSS}</style>"
      "</head><body>\n")
    w(f"<h1>Pressure-hold report: {summary['files_reported']} of {summary['files']} files</h1>\n")
    w(f"<p class=\"note\">nmt-pressure {e(__version__)}, {e(stamp)}. Statistics are computed on the "
      "core's low-passed force over each hold (from where the force arrived at its level to the onset "
      "of the step, release or departure that ended it); the README's researcher page defines every "
      "column.</p>\n")

    cv, tib, hpf = summary["cv_pct"], summary["time_in_band_pct"], summary["holds_per_file"]
    w("<h2>Across files</h2>\n<table>\n<tr><th class=\"name\"></th><th>n</th><th>mean</th><th>min</th>"
      "<th>25 %</th><th>median</th><th>75 %</th><th>90 %</th><th>max</th></tr>\n")
    for label, q in (("holds per file", hpf), ("CV of a hold (%)", cv), ("time in band (% of a hold)", tib),
                     ("hold duration (s)", summary["hold_duration_s"]),
                     ("RMSE from band centre (N)", summary["rmse_n"]),
                     ("loading rate of the ramp (N/s)", summary["loading_rate_n_per_s"])):
        w(f"<tr><td class=\"name\">{e(label)}</td><td>{q['n']}</td>"
          + "".join(f"<td>{_fmt(q[k])}</td>" for k in ("mean", "min", "p25", "median", "p75", "p90", "max"))
          + "</tr>\n")
    w("</table>\n")
    ended = ", ".join(f"{n} by {k.replace('_', ' ')}" for k, n in summary["holds_ended_by"].items() if n)
    w(f"<p>{summary['holds']} holds in all{f' (ended {ended})' if ended else ''}; "
      f"{summary['excursions_total']} band excursions; pooled time in "
      f"band {_fmt(summary['time_in_band_pooled_pct'], '.1f')} % of all hold time.</p>\n")
    if figure:
        w(f"<img class=\"wide\" src=\"{e(figure)}\" alt=\"distributions of CV, time in band and holds "
          "per file\">\n")

    w("<h2>Files</h2>\n<table>\n<tr><th class=\"name\">file</th><th class=\"name\">format</th>"
      "<th>duration (s)</th><th>rate (Hz)</th><th>holds</th><th>median CV (%)</th>"
      "<th>median time in band (%)</th><th>excursions</th><th>steps</th><th>releases</th>"
      "<th title=\"holds that ended left: the force left the level and neither came back nor settled\">"
      "left</th><th class=\"name\">outputs</th></tr>\n")
    for r in results:
        if not r.ok:
            continue
        links = " ".join(f"<a href=\"{e(v)}\">{e(k)}</a>" for k, v in r.outputs.items())
        kind = (r.format or "") + (f" (force in {r.unit_assumed})" if r.unit_assumed else "")  # never silent
        w(f"<tr><td class=\"name\">{e(Path(r.source).name)}</td><td class=\"name\">{e(kind)}</td>"
          f"<td>{_fmt(r.duration_s, '.1f')}</td><td>{_fmt(r.sample_rate_hz, '.4g')}</td>"
          f"<td>{len(r.holds)}</td><td>{_fmt(finite_median([100 * h['cv'] for h in r.holds]), '.2f')}</td>"
          f"<td>{_fmt(finite_median([h['time_in_band_pct'] for h in r.holds]), '.1f')}</td>"
          f"<td>{sum(h['excursions'] for h in r.holds)}</td><td>{r.event_counts.get('step', 0)}</td>"
          f"<td>{r.event_counts.get('release', 0)}</td>"
          f"<td>{sum(1 for h in r.holds if h['ended_by'] == 'left')}</td>"
          f"<td class=\"name\">{links}</td></tr>\n")
    w("</table>\n")

    failed = [r for r in results if not r.ok]
    if failed:
        w(f"<h2>Files that could not be reported ({len(failed)})</h2>\n<table>\n"
          "<tr><th class=\"name\">file</th><th class=\"name\">reason</th></tr>\n")
        for r in failed:
            w(f"<tr class=\"failed\"><td class=\"name\">{e(r.source)}</td>"
              f"<td class=\"name\">{e(r.error or '')}</td></tr>\n")
        w("</table>\n")

    configs = {to_json(r.config) for r in results if r.ok}
    if configs:
        first = next(r.config for r in results if r.ok)
        w("<h2>Settings to cite</h2>\n")
        w(f"<p>{e(_config_text(first))}.</p>\n")
        if len(configs) > 1:
            w("<p class=\"note\">Not every file was analysed with the same settings (recordings carry "
              "the settings they were monitored with); each file's JSON has its own.</p>\n")

    pngs = [r for r in results if r.ok and "png" in r.outputs]
    if pngs:
        w("<h2>Figures</h2>\n")
        for r in pngs:
            src = e(r.outputs["png"])
            w(f"<a href=\"{src}\"><img class=\"thumb\" src=\"{src}\" alt=\"{e(Path(r.source).name)}\" "
              "loading=\"lazy\"></a>\n")
    w("</body></html>\n")
    return out.getvalue()


def write_batch_outputs(out_dir: str | Path, results: Sequence[FileResult], figures: bool = True,
                        parquet: bool = False) -> dict[str, Any]:
    """Write ``summary.json``, ``holds_all.csv`` (and with ``parquet`` ``holds_all.parquet``), the
    distribution figure and ``index.html``."""
    out = Path(out_dir)
    summary = summarize(results)
    rows = [{"file": r.source, **h} for r in results if r.ok for h in r.holds]
    table = io.StringIO()
    write_csv_table(table, rows, ("file", *HOLD_COLUMNS))
    (out / "holds_all.csv").write_text(table.getvalue(), encoding="utf-8", newline="\n")
    if parquet:
        from nmt_pressure.analysis.frames import HOLD_TYPES, write_parquet

        write_parquet(out / "holds_all.parquet", rows, {"file": "string", **HOLD_TYPES})
    (out / "summary.json").write_text(to_json({
        "summary": summary, "files": [r.to_dict() for r in results]}), encoding="utf-8")
    figure = None
    if figures and summary["files_reported"]:
        from nmt_pressure.analysis.figures import draw_distributions

        holds = [h for r in results if r.ok for h in r.holds]
        draw_distributions(out / "distributions.png", [100 * h["cv"] for h in holds],
                           [h["time_in_band_pct"] for h in holds],
                           [len(r.holds) for r in results if r.ok])
        figure = "distributions.png"
    (out / "index.html").write_text(render_html(results, summary, figure), encoding="utf-8")
    return summary
