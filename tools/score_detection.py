#!/usr/bin/env python
"""Score the hold detector against labelled synthetic sessions (firmware_sim) - a report, not a gate.

For every seed x sample rate x noise level it generates a session with :func:`firmware_sim.generate`,
runs ``nmt_pressure.analyze(t, force, DetectorConfig(sample_rate=rate))`` and matches the detections
one-to-one (greedy, closest first) with the labels:

* hold      - |start - true start| <= 0.5 s and |end - true end| <= 0.5 s (from ``result.holds``);
* step      - |t - true onset| <= 0.5 s, same direction;
* release   - |t - true onset| <= 0.3 s; latency = t_detected - true onset;
* band_exit - |t - true crossing| <= 0.5 s, same direction; latency = t_detected - true crossing;
  unmatched band exits are false alerts, counted per minute of true holding time;
* detected holds overlapping a touch or stroke are counted on their own (the goal is zero).

Examples::

    python tools/score_detection.py --quick
    python tools/score_detection.py --seeds 20 --json score.json
    python tools/score_detection.py --quick --pure --verbose
    python tools/score_detection.py --quick --baseline threshold      # a naive detector, for scale
    python tools/score_detection.py --quick --oracle                  # the scorer's own self-test
    python tools/score_detection.py --realdata /work/shared/realdata/ot_grip_9x9s_10hz.csv

It always exits 0.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:  # firmware_sim from the source tree when run as a script
    sys.path.insert(0, str(_ROOT))

from firmware_sim.traces import generate, trace_id  # noqa: E402

Dict = dict[str, Any]

# --------------------------------------------------------------------------------------------------
# Goals and tolerances
# --------------------------------------------------------------------------------------------------
HOLD_TOL = 0.5
STEP_TOL = 0.5
RELEASE_TOL = 0.3
BAND_TOL = 0.5

ALL_RATES = (10.0, 80.0, 100.0, 250.0, 1000.0, 2000.0)
ALL_NOISE = (0.03, 0.1, 0.3)


@dataclass(frozen=True)
class Goal:
    key: str          # key in an aggregate
    label: str        # row name in the table
    op: str           # ">=", "<=" or "=="
    value: float

    def met(self, x: float | None) -> bool:
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return False
        if self.op == ">=":
            return x >= self.value
        if self.op == "<=":
            return x <= self.value
        return x == self.value

    @property
    def text(self) -> str:
        return f"{self.op} {self.value:g}"


GOALS = (
    Goal("hold.f1", "hold F1", ">=", 0.97),
    Goal("step.f1", "step F1", ">=", 0.97),
    Goal("release.f1", "release F1", ">=", 0.99),
    Goal("release.latency_median", "release latency median (s)", "<=", 0.12),
    Goal("band_exit.f1", "band_exit F1", ">=", 0.95),
    Goal("band_exit.latency_median", "band_exit latency median (s)", "<=", 0.3),
    Goal("false_band_alerts_per_min", "false band alerts /min hold", "<=", 0.1),
    Goal("holds_in_touches", "holds in touches/strokes", "==", 0),
)

SCORED_KINDS = ("hold", "step", "release", "band_exit")


# --------------------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------------------
def greedy_match(candidates: Iterable[tuple[float, int, int]]) -> list[tuple[int, int]]:
    """One-to-one assignment from (cost, true index, detected index) candidates, cheapest first."""
    used_true: set[int] = set()
    used_det: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _cost, i, j in sorted(candidates):
        if i in used_true or j in used_det:
            continue
        used_true.add(i)
        used_det.add(j)
        pairs.append((i, j))
    return sorted(pairs)


def match_events(true_t: Sequence[float], det_t: Sequence[float], tol: float,
                 true_dir: Sequence[str | None] | None = None,
                 det_dir: Sequence[str | None] | None = None) -> list[tuple[int, int]]:
    """Pairs (true index, detected index) within ``tol`` seconds and, if given, of equal direction."""
    cands = []
    for i, ti in enumerate(true_t):
        for j, tj in enumerate(det_t):
            d = abs(tj - ti)
            if d > tol:
                continue
            if true_dir is not None and det_dir is not None and true_dir[i] != det_dir[j]:
                continue
            cands.append((d, i, j))
    return greedy_match(cands)


def match_holds(true_holds: Sequence[Dict], det_holds: Sequence[Dict], tol: float = HOLD_TOL
                ) -> list[tuple[int, int]]:
    """Pairs (true, detected) whose start and end both lie within ``tol``; closest total first."""
    cands = []
    for i, h in enumerate(true_holds):
        for j, d in enumerate(det_holds):
            ds, de = abs(d["start"] - h["start"]), abs(d["end"] - h["end"])
            if ds <= tol and de <= tol:
                cands.append((ds + de, i, j))
    return greedy_match(cands)


def _as_dict(obj: Any) -> Dict:
    """Event/Hold objects (dataclasses or anything with ``to_dict``) and plain dicts alike."""
    if isinstance(obj, dict):
        return obj
    if hasattr(obj, "to_dict"):
        return dict(obj.to_dict())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    return dict(vars(obj))


def _overlaps(a0: float, a1: float, b0: float, b1: float) -> bool:
    return a0 < b1 and b0 < a1


def _median(xs: Sequence[float]) -> float | None:
    return float(statistics.median(xs)) if xs else None


# --------------------------------------------------------------------------------------------------
# Scoring one trace
# --------------------------------------------------------------------------------------------------
def score_trace(labels: Sequence[Dict], events: Sequence[Any], holds: Sequence[Any],
                name: str = "") -> Dict:
    """Counts, latencies and the list of misses of one trace (see the module docstring for rules)."""
    ev = [_as_dict(e) for e in events]
    dh = [_as_dict(h) for h in holds]
    by_kind = {k: [lab for lab in labels if lab["kind"] == k] for k in SCORED_KINDS}
    det_kind = {k: [e for e in ev if e["kind"] == k] for k in ("step", "release", "band_exit")}
    out: Dict = {"name": name, "misses": []}

    def tally(kind: str, truth: list[Dict], det: list[Dict], pairs: list[tuple[int, int]],
              when: Callable[[Dict], str]) -> None:
        out[kind] = {"tp": len(pairs), "fn": len(truth) - len(pairs), "fp": len(det) - len(pairs)}
        mt = {i for i, _ in pairs}
        md = {j for _, j in pairs}
        out["misses"] += [{"trace": name, "kind": kind, "type": "missed", "at": when(x)}
                          for i, x in enumerate(truth) if i not in mt]
        out["misses"] += [{"trace": name, "kind": kind, "type": "false", "at": when(x)}
                          for j, x in enumerate(det) if j not in md]

    def span(h: Dict) -> str:
        return f"{h['start']:.2f}-{h['end']:.2f} s ({h.get('level', float('nan')):.1f} N)"

    def at(e: Dict) -> str:
        d = f" {e['direction']}" if e.get("direction") else ""
        return f"{e['t']:.2f} s{d}"

    # Holds
    hp = match_holds(by_kind["hold"], dh, HOLD_TOL)
    tally("hold", by_kind["hold"], dh, hp, span)
    th = by_kind["hold"]
    out["hold_level_err"] = [abs(dh[j]["level"] - th[i]["level"]) / th[i]["level"]
                             for i, j in hp if dh[j].get("level") is not None]
    out["hold"]["start_err"] = [dh[j]["start"] - th[i]["start"] for i, j in hp]
    out["hold"]["end_err"] = [dh[j]["end"] - th[i]["end"] for i, j in hp]
    # Steps, releases, band exits
    for kind, tol, use_dir in (("step", STEP_TOL, True), ("release", RELEASE_TOL, False),
                               ("band_exit", BAND_TOL, True)):
        truth, det = by_kind[kind], det_kind[kind]
        pairs = match_events([x["t"] for x in truth], [e["t"] for e in det], tol,
                             [x.get("direction") for x in truth] if use_dir else None,
                             [e.get("direction") for e in det] if use_dir else None)
        tally(kind, truth, det, pairs, at)
        out[kind]["latency"] = [det[j]["t_detected"] - truth[i]["t"] for i, j in pairs]
        out[kind]["onset_err"] = [det[j]["t"] - truth[i]["t"] for i, j in pairs]
    # Holds inside touches and strokes
    brief = [lab for lab in labels if lab["kind"] in ("touch", "stroke")]
    bad = [h for h in dh if any(_overlaps(h["start"], h["end"], b["start"], b["end"]) for b in brief)]
    out["holds_in_touches"] = len(bad)
    out["misses"] += [{"trace": name, "kind": "hold", "type": "in touch/stroke", "at": span(h)} for h in bad]
    out["holding_time_s"] = float(sum(h["end"] - h["start"] for h in by_kind["hold"]))
    return out


# --------------------------------------------------------------------------------------------------
# Aggregation
# --------------------------------------------------------------------------------------------------
def _prf(tp: int, fp: int, fn: int) -> tuple[float | None, float | None, float | None]:
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    if tp + fp + fn == 0:
        return None, None, None
    f1 = 2 * tp / (2 * tp + fp + fn)
    return p, r, f1


def aggregate(scores: Sequence[Dict]) -> Dict:
    """Sum the per-trace counts and compute precision, recall, F1, medians and alert rates."""
    ok = [s for s in scores if "error" not in s]
    agg: Dict = {"traces": len(scores), "errors": len(scores) - len(ok)}
    for kind in SCORED_KINDS:
        tp = sum(s[kind]["tp"] for s in ok)
        fp = sum(s[kind]["fp"] for s in ok)
        fn = sum(s[kind]["fn"] for s in ok)
        p, r, f1 = _prf(tp, fp, fn)
        entry: Dict = {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f1}
        if kind == "hold":
            entry["start_err_median"] = _median([x for s in ok for x in s[kind]["start_err"]])
            entry["end_err_median"] = _median([x for s in ok for x in s[kind]["end_err"]])
        else:
            lat = [x for s in ok for x in s[kind]["latency"]]
            err = [x for s in ok for x in s[kind]["onset_err"]]
            entry["latency_median"] = _median(lat)
            entry["latency_p90"] = float(np.percentile(lat, 90)) if lat else None
            entry["onset_err_median"] = _median(err)
        agg[kind] = entry
    hold_min = sum(s["holding_time_s"] for s in ok) / 60.0
    agg["holding_minutes"] = hold_min
    agg["false_band_alerts_per_min"] = (agg["band_exit"]["fp"] / hold_min) if hold_min > 0 else None
    agg["holds_in_touches"] = sum(s["holds_in_touches"] for s in ok)
    lvl = _median([x for s in ok for x in s["hold_level_err"]])
    agg["hold"]["level_err_median_pct"] = None if lvl is None else 100.0 * lvl
    return agg


def lookup(agg: Dict, key: str) -> Any:
    """``lookup(agg, "release.latency_median")``."""
    cur: Any = agg
    for part in key.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def _status(goal: Goal, value: Any) -> str:
    """PASS/MISS, or n/a when there was nothing to measure (no labels and no detections)."""
    if value is None:
        return "n/a"
    return "PASS" if goal.met(value) else "MISS"


def goal_status(agg: Dict) -> dict[str, str]:
    return {g.key: _status(g, lookup(agg, g.key)) for g in GOALS}


# --------------------------------------------------------------------------------------------------
# Detectors: the real one, an oracle (self-test) and a naive baseline (for scale)
# --------------------------------------------------------------------------------------------------
def run_nmt(t: np.ndarray, force: np.ndarray, rate: float) -> tuple[list[Dict], list[Dict]]:
    """The detector under test, exactly as the issue prescribes."""
    from nmt_pressure import DetectorConfig, analyze

    # --set overrides travel through the environment so that worker processes see them too.
    overrides = json.loads(os.environ.get("NMT_SCORE_OVERRIDES", "{}"))
    res = analyze(t, force, DetectorConfig(sample_rate=rate, **overrides))
    return [_as_dict(e) for e in res.events], [_as_dict(h) for h in res.holds]


def oracle_detection(labels: Sequence[Dict], shift: float = 0.0, latency: float = 0.05
                     ) -> tuple[list[Dict], list[Dict]]:
    """A perfect detector read off the labels (every time moved by ``shift``): scores F1 = 1."""
    events: list[Dict] = []
    holds: list[Dict] = []

    def ev(kind: str, t: float, t_det: float, direction: str | None = None,
           level: float | None = None) -> None:
        events.append({"kind": kind, "t": t + shift, "t_detected": t_det + shift,
                       "direction": direction, "level": level})

    for lab in labels:
        k = lab["kind"]
        if k == "contact":
            ev("contact", lab["t"], lab["t"] + latency)
        elif k == "hold":
            ev("hold_start", lab["start"], lab["start"] + 1.5, level=lab["level"])
            holds.append({"start": lab["start"] + shift, "end": lab["end"] + shift, "level": lab["level"],
                          "ended_by": lab["ended_by"]})
        elif k == "step":
            ev("step", lab["t"], lab["t"] + latency, lab["direction"])
        elif k == "release":
            ev("release", lab["t"], lab["t"] + latency)
        elif k == "band_exit":
            ev("band_exit", lab["t"], lab["t"] + 0.15, lab["direction"], lab["level"])
    events.sort(key=lambda e: e["t_detected"])
    return events, holds


def _rolling(t: np.ndarray, x: np.ndarray, window: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Causal mean, std and covered span over the time window (t - window, t], any timestamps."""
    c1 = np.concatenate([[0.0], np.cumsum(x)])
    c2 = np.concatenate([[0.0], np.cumsum(x * x)])
    lo = np.searchsorted(t, t - window, side="right")
    hi = np.arange(1, t.size + 1)
    n = hi - lo
    mean = (c1[hi] - c1[lo]) / n
    var = np.maximum((c2[hi] - c2[lo]) / n - mean * mean, 0.0)
    return mean, np.sqrt(var), t - t[lo]


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Inclusive (first, last) index pairs of the True runs of ``mask``."""
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1) - 1, strict=True))


def baseline_threshold(t: np.ndarray, force: np.ndarray, contact: float = 2.0, window: float = 1.0,
                       min_hold: float = 1.5, steady_cv: float = 0.04, tolerance: float = 0.10,
                       debounce: float = 0.15) -> tuple[list[Dict], list[Dict]]:
    """The naive way: contact threshold, and a hold wherever a 1 s rolling std stays small ≥ 1.5 s.

    A hold spans its steady windows (from the first window's start); it ends in a step when another
    hold follows within the same contact at a level ≥ 10 % away, else in a release at the hold's end
    (timed when the force crosses the contact threshold). Band exits: the 0.1 s mean leaves
    level·(1 ± tolerance) for ``debounce``. No spike rejection, no back-dating beyond this.
    """
    t = np.asarray(t, dtype=np.float64)
    x = np.asarray(force, dtype=np.float64)
    events: list[Dict] = []
    holds: list[Dict] = []
    if t.size < 3:
        return events, holds
    smooth, _, _ = _rolling(t, x, 0.1)
    mean, sd, covered = _rolling(t, x, window)
    in_contact = smooth > contact
    steady = in_contact & (sd < steady_cv * np.abs(mean)) & (covered >= 0.9 * window)
    contacts = _runs(in_contact)
    for a, _b in contacts:
        events.append({"kind": "contact", "t": float(t[a]), "t_detected": float(t[a]), "direction": None,
                       "level": None})
    # Steady runs → candidate holds, merged across short interruptions at the same level.
    cand: list[Dict] = []
    for a, b in _runs(steady):
        start, end = float(t[a]) - window, float(t[b])
        h = {"start": start, "end": end, "level": float(mean[a]), "level_end": float(mean[b]),
             "confirmed": float(t[a]), "ia": int(a), "ib": int(b)}
        if cand:
            prev = cand[-1]
            same_contact = bool(np.all(in_contact[prev["ib"]:a + 1]))
            if same_contact and start - prev["end"] < 0.5 and abs(h["level"] / prev["level_end"] - 1) < 0.08:
                prev.update(end=end, level_end=h["level_end"], ib=int(b))
                continue
        cand.append(h)
    cand = [h for h in cand if h["end"] - h["start"] >= min_hold]
    for k, h in enumerate(cand):
        nxt = cand[k + 1] if k + 1 < len(cand) else None
        same_contact = nxt is not None and bool(np.all(in_contact[h["ib"]:nxt["ia"] + 1]))
        events.append({"kind": "hold_start", "t": h["start"], "t_detected": h["start"] + min_hold,
                       "direction": None, "level": h["level"]})
        # Band watch over the hold
        ia = int(np.searchsorted(t, h["start"] + window))
        outside = np.zeros(t.size, dtype=bool)
        seg = slice(ia, h["ib"] + 1)
        outside[seg] = np.abs(smooth[seg] / h["level"] - 1.0) > tolerance
        for oa, ob in _runs(outside):
            if t[ob] - t[oa] >= debounce:
                hi_lo = "high" if smooth[oa] > h["level"] else "low"
                events.append({"kind": "band_exit", "t": float(t[oa]),
                               "t_detected": float(t[oa]) + debounce, "direction": hi_lo,
                               "level": h["level"]})
        if same_contact and nxt is not None and abs(nxt["level"] / h["level_end"] - 1) >= 0.10:
            ended_by = "step"
            events.append({"kind": "step", "t": h["end"], "t_detected": nxt["confirmed"],
                           "direction": "up" if nxt["level"] > h["level_end"] else "down",
                           "level": nxt["level"]})
        else:
            ended_by = "release"
            lost = next((t[b] for a, b in contacts if a <= h["ib"] <= b), t[-1])
            events.append({"kind": "release", "t": float(lost), "t_detected": float(lost),
                           "direction": None, "level": None})
        holds.append({"start": h["start"], "end": h["end"], "level": h["level"], "ended_by": ended_by})
    events.sort(key=lambda e: e["t_detected"])
    return events, holds


# --------------------------------------------------------------------------------------------------
# Jobs
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Job:
    seed: int
    rate: float
    noise: float
    irregular: bool
    duration: float
    detector: str  # "nmt", "threshold", "oracle"


def run_job(job: Job) -> Dict:
    """Generate one trace, detect, score. Errors are returned, not raised, so one crash is one row."""
    tr = generate(job.seed, job.rate, job.noise, duration_s=job.duration, irregular=job.irregular)
    name = trace_id(tr.meta)
    base = {"name": name, "rate": job.rate, "noise": job.noise, "irregular": job.irregular}
    t0 = time.perf_counter()
    try:
        if job.detector == "oracle":
            events, holds = oracle_detection(tr.labels)
        elif job.detector == "threshold":
            events, holds = baseline_threshold(tr.t, tr.force)
        else:
            events, holds = run_nmt(tr.t, tr.force, job.rate)
    except Exception as exc:  # a report, not a gate: show the crash and go on
        return {**base, "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
    s = score_trace(tr.labels, events, holds, name)
    s.update(base)
    s["seconds"] = time.perf_counter() - t0
    s["samples"] = int(tr.t.size)
    return s


def make_jobs(seeds: int, rates: Sequence[float], noises: Sequence[float], irregular: str,
              duration: float, detector: str, first_seed: int = 0) -> list[Job]:
    """Every seed x rate x noise; with ``irregular="mixed"`` every third seed has irregular timing."""
    jobs = []
    for seed in range(first_seed, first_seed + seeds):
        irr = {"none": False, "all": True}.get(irregular, seed % 3 == 2)
        for rate in rates:
            for noise in noises:
                jobs.append(Job(seed, float(rate), float(noise), irr, duration, detector))
    # Slowest first (high rates) so the two workers finish together.
    return sorted(jobs, key=lambda j: -j.rate)


def run_jobs(jobs: Sequence[Job], processes: int, progress: bool = True) -> list[Dict]:
    if processes <= 1 or len(jobs) <= 1:
        return [run_job(j) for j in jobs]
    import multiprocessing as mp

    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    results: list[Dict] = []
    with ctx.Pool(processes) as pool:
        for k, r in enumerate(pool.imap_unordered(run_job, jobs, chunksize=1), 1):
            results.append(r)
            if progress and sys.stderr.isatty():
                print(f"\r  {k}/{len(jobs)} traces", end="", file=sys.stderr, flush=True)
    if progress and sys.stderr.isatty():
        print(file=sys.stderr)
    return results


# --------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------
def _fmt(x: Any, key: str) -> str:
    if x is None:
        return "-"
    if key == "holds_in_touches" or isinstance(x, int):
        return str(x)
    if "latency" in key or ("_err_median" in key and not key.endswith("pct")):
        return f"{x:+.3f}"
    if key.endswith("per_min"):
        return f"{x:.2f}"
    if key.endswith("pct"):
        return f"{x:.1f}"
    return f"{x:.3f}"


#: Rows of the table: (label, key, goal or None).
def _rows() -> list[tuple[str, str, Goal | None]]:
    goals = {g.key: g for g in GOALS}
    rows: list[tuple[str, str, Goal | None]] = []
    for kind in SCORED_KINDS:
        rows.append((f"{kind} F1", f"{kind}.f1", goals.get(f"{kind}.f1")))
        rows.append(("  precision", f"{kind}.precision", None))
        rows.append(("  recall", f"{kind}.recall", None))
        if kind != "hold":
            key = f"{kind}.latency_median"
            rows.append(("  latency median (s)", key, goals.get(key)))
            rows.append(("  onset error median (s)", f"{kind}.onset_err_median", None))
        else:
            rows.append(("  start error median (s)", "hold.start_err_median", None))
            rows.append(("  end error median (s)", "hold.end_err_median", None))
            rows.append(("  level error median (%)", "hold.level_err_median_pct", None))
    key = "false_band_alerts_per_min"
    rows.append(("false band alerts /min hold", key, goals[key]))
    rows.append(("holds in touches/strokes", "holds_in_touches", goals["holds_in_touches"]))
    rows.append(("traces (errors)", "traces", None))
    return rows


def format_table(columns: dict[str, Dict], status_col: str | None = None) -> str:
    """A fixed-width table: one column per aggregate; a '*' marks a cell that misses its goal."""
    names = list(columns)
    w0, wc = 30, max(10, *(len(n) + 1 for n in names))
    head = f"{'metric':<{w0}}{'goal':>9} " + "".join(f"{n:>{wc}}" for n in names)
    if status_col:
        head += "  status"
    lines = [head, "-" * len(head)]
    for label, key, goal in _rows():
        cells = []
        for n in names:
            v = lookup(columns[n], key)
            s = _fmt(v, key)
            if key == "traces":
                s = f"{columns[n]['traces']} ({columns[n]['errors']})"
            if goal is not None and v is not None and not goal.met(v):
                s += "*"
            elif goal is not None:
                s += " "
            cells.append(f"{s:>{wc}}")
        line = f"{label:<{w0}}{goal.text if goal else '':>9} " + "".join(cells)
        if status_col and goal is not None:
            line += "  " + _status(goal, lookup(columns[status_col], key))
        lines.append(line)
    return "\n".join(lines)


def report(results: Sequence[Dict], title: str) -> tuple[str, Dict]:
    """The readable report and the machine-readable summary."""
    rates = sorted({r["rate"] for r in results})
    by_rate = {f"{r:g} Hz": aggregate([x for x in results if x["rate"] == r]) for r in rates}
    overall = aggregate(results)
    by_rate["all"] = overall
    noises = sorted({r["noise"] for r in results})
    by_cond = {f"n={n:g}": aggregate([x for x in results if x["noise"] == n]) for n in noises}
    for irr, name in ((False, "regular"), (True, "irregular")):
        sel = [x for x in results if x["irregular"] == irr]
        if sel:
            by_cond[name] = aggregate(sel)
    text = [title, "", "By sample rate ('*' = misses its goal there; status from the 'all' column):", "",
            format_table(by_rate, status_col="all"), "",
            "By noise sigma (N) and timing:", "", format_table(by_cond), ""]
    status = goal_status(overall)
    passed = sum(v == "PASS" for v in status.values())
    missed = [g.label for g in GOALS if status[g.key] == "MISS"]
    text.append(f"Goals met: {passed}/{len(status)}" + (f"  (missed: {', '.join(missed)})" if missed else ""))
    errors = [r for r in results if "error" in r]
    for r in errors[:5]:
        text.append(f"ERROR in {r['name']}: {r['error']}")
    summary = {"by_rate": by_rate, "by_condition": by_cond, "overall": overall, "status": status,
               "goals": [dataclasses.asdict(g) for g in GOALS]}
    return "\n".join(text), summary


def format_misses(results: Sequence[Dict], limit: int = 400) -> str:
    misses = [m for r in sorted(results, key=lambda r: r["name"]) for m in r.get("misses", [])]
    lines = [f"Misses ({len(misses)}; 'missed' = label not detected, 'false' = detection with no label):"]
    lines += [f"  {m['trace']:<24} {m['kind']:<10} {m['type']:<16} {m['at']}" for m in misses[:limit]]
    if len(misses) > limit:
        lines.append(f"  ... {len(misses) - limit} more (use --json for all)")
    for r in results:
        if "error" in r:
            lines.append(f"  {r['name']}: {r['traceback']}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# Real data
# --------------------------------------------------------------------------------------------------
KGF = 9.80665


def load_realdata(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """A real recording: columns ``time`` (s) and ``weight`` (kgf) → seconds and newtons.

    Files written by firmware_sim (``t_s``, ``force_n``) load too.
    """
    with open(path, encoding="utf-8") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.startswith("#")]
    header = [h.strip() for h in lines[0].split(",")]
    data = np.array([[float(v) for v in ln.split(",")[:len(header)]] for ln in lines[1:]])
    if "time" in header and "weight" in header:
        return data[:, header.index("time")], data[:, header.index("weight")] * KGF
    return data[:, header.index("t_s")], data[:, header.index("force_n")]


def realdata_report(path: str | Path, detector: str = "nmt",
                    expected_holds: int | None = 9) -> tuple[str, Dict]:
    t, f = load_realdata(path)
    rate = float(1.0 / np.median(np.diff(t)))
    if detector == "threshold":
        events, holds = baseline_threshold(t, f)
    else:
        events, holds = run_nmt(t, f, rate)
    count = {k: sum(e["kind"] == k for e in events) for k in ("contact", "hold_start", "step", "release",
                                                                 "band_exit", "band_enter")}
    count["holds"] = len(holds)
    lines = [f"Real data: {path}", f"  {t.size} samples, {t[-1] - t[0]:.1f} s, ~{rate:.1f} Hz, "
             f"peak {f.max():.1f} N", "  " + ", ".join(f"{k}: {v}" for k, v in count.items())]
    for h in holds:
        lines.append(f"    hold {h['start']:7.2f}-{h['end']:7.2f} s  level {h['level']:6.1f} N  "
                     f"ended by {h.get('ended_by')}")
    if expected_holds is not None:
        ok = count["holds"] == count["release"] == count["contact"] == expected_holds
        lines.append(f"  expected {expected_holds} holds, {expected_holds} releases, one per contact: "
                     + ("PASS" if ok else "MISS"))
    return "\n".join(lines), {"counts": count, "holds": holds, "events": events}


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------
def _floats(s: str) -> list[float]:
    return [float(x) for x in s.replace(",", " ").split()]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", type=int, default=None, help="number of seeds [20; --quick: 3]")
    p.add_argument("--first-seed", type=int, default=0)
    p.add_argument("--rates", type=_floats, default=None,
                   help="sample rates in Hz, comma separated [10,80,100,250,1000,2000; --quick: 10,100,1000]")
    p.add_argument("--noise", type=_floats, default=None,
                   help="noise sigmas in N [0.03,0.1,0.3; --quick: 0.1]")
    p.add_argument("--duration", type=float, default=None, help="session length in s [120; --quick: 60]")
    p.add_argument("--irregular", choices=("mixed", "none", "all"), default="mixed",
                   help="irregular timestamps: every third seed (mixed), none or all")
    p.add_argument("--quick", action="store_true", help="a small fast run")
    p.add_argument("--pure", action="store_true", help="force the pure-Python golden model")
    p.add_argument("--baseline", choices=("threshold",), default=None,
                   help="score a naive threshold-and-window detector instead, for scale")
    p.add_argument("--oracle", action="store_true", help="score a perfect detector read off the labels "
                   "(self-test of the scorer: every F1 must be 1)")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes [2]")
    p.add_argument("--json", metavar="OUT", help="write machine-readable results here")
    p.add_argument("--set", metavar="FIELD=VALUE", action="append", default=[],
                   help="override a DetectorConfig field (repeatable), e.g. --set release_fraction=0.4")
    p.add_argument("--verbose", action="store_true", help="list every miss with trace id and time")
    p.add_argument("--realdata", metavar="PATH",
                   help="analyse a real recording (time, weight in kgf) instead")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.pure:  # must happen before nmt_pressure is imported anywhere (workers inherit it)
        os.environ["NMT_PRESSURE_PUREPYTHON"] = "1"
    if args.set:
        overrides = {}
        for item in args.set:
            key, _, value = item.partition("=")
            overrides[key.strip()] = None if value.strip() == "None" else float(value)
        os.environ["NMT_SCORE_OVERRIDES"] = json.dumps(overrides)
        print(f"config overrides: {overrides}")
    detector = "oracle" if args.oracle else (args.baseline or "nmt")
    impl = {"oracle": "oracle (labels)",
            "threshold": "baseline threshold-and-window (for scale)"}.get(detector)
    if impl is None:
        try:
            import nmt_pressure
        except Exception as exc:
            print(f"cannot import nmt_pressure ({type(exc).__name__}: {exc}); nothing to score.")
            return 0
        version = getattr(nmt_pressure, "__version__", "?")
        impl = f"nmt_pressure {version} ({nmt_pressure.IMPLEMENTATION} core)"

    if args.realdata:
        try:
            text, data = realdata_report(args.realdata, detector if detector != "oracle" else "nmt")
        except Exception as exc:
            text, data = f"real data: {type(exc).__name__}: {exc}", {"error": str(exc)}
        print(f"detector: {impl}\n{text}")
        if args.json:
            Path(args.json).write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
        return 0

    q = args.quick
    seeds = args.seeds if args.seeds is not None else (3 if q else 20)
    rates = args.rates or ([10.0, 100.0, 1000.0] if q else list(ALL_RATES))
    noises = args.noise or ([0.1] if q else list(ALL_NOISE))
    duration = args.duration or (60.0 if q else 120.0)
    jobs = make_jobs(seeds, rates, noises, args.irregular, duration, detector, args.first_seed)
    t0 = time.perf_counter()
    results = run_jobs(jobs, args.jobs)
    wall = time.perf_counter() - t0
    title = (f"Detection score - detector: {impl}\n"
             f"{len(jobs)} traces: seeds {args.first_seed}..{args.first_seed + seeds - 1}, "
             f"rates {', '.join(f'{r:g}' for r in rates)} Hz, noise {', '.join(f'{n:g}' for n in noises)} N, "
             f"{duration:g} s each, irregular timing: {args.irregular}; {wall:.1f} s wall")
    text, summary = report(results, title)
    print(text)
    if args.verbose:
        print()
        print(format_misses(results))
    if args.json:
        summary["settings"] = {"detector": detector, "implementation": impl, "seeds": seeds,
                               "first_seed": args.first_seed, "rates": rates, "noise": noises,
                               "duration_s": duration, "irregular": args.irregular, "wall_s": wall}
        summary["traces"] = [{k: v for k, v in r.items() if k != "traceback"} for r in results]
        Path(args.json).write_text(json.dumps(summary, indent=1), encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
