#!/usr/bin/env python
"""Score the hold detector - a report, not a gate. Three modes:

1. ``--matrix`` (issue 11, "evaluation that cannot flatter you"): labelled sessions from an independent
   hand model (``tools/nuisance.py``, not firmware_sim's hands that tuned the detector), one nuisance
   family at a time over its realistic range with the others mild. Each row (family x level) reports hold,
   step, release and band-exit F1, false band alerts per minute of holding and holds found inside touches
   or strokes, against the goals: F1 >= 0.97 (hold, step, release), band-exit F1 >= 0.95, <= 0.1 false
   band alerts/min, 0 holds in touches/strokes. Matching (one-to-one, greedy, closest first):

   * hold      - start and end each within 1 s of the label, and the detected hold's ``mean`` within 10 %
     of the label's level (the settled level);
   * step      - onset within 1 s, same direction;       * release - onset within 1 s;
   * band_exit - within 0.5 s of the moment the slow force left the band, same direction; exits the
     contract allows but does not require (a slow step leaving the old band) count neither way; every
     other unmatched exit is a false alert, counted per minute of labelled holding.
   * a "hold in a touch/stroke" is an unmatched detected hold lying at least half inside one.

2. ``--realdata DIR_OR_FILE``: real recordings. A CSV with ``NAME.labels.json`` beside it is scored per
   file and in total (hold, step, release precision/recall/F1) with the same hold/step/release rules,
   and band exits (the same 0.5-s rule) where the labels name ``band_exits``; one without labels is
   listed (counts of holds, steps, releases and the hold levels).

3. Without either: the simulator's labelled sessions (firmware_sim, seeds x rates x noise), with the same
   tolerances (hold, step, release 1 s; band exit 0.5 s) and latency figures.

Detection is always ``nmt_pressure.analyze(t, force, DetectorConfig(sample_rate=rate))`` on the installed
package; the report names the implementation that ran (``--pure`` forces the pure-Python golden model).

Examples::

    python tools/score_detection.py --matrix --quick --jobs 2          # ~1 min on 2 cores
    python tools/score_detection.py --matrix --jobs 2 --json matrix.json
    python tools/score_detection.py --matrix --quick --oracle          # the scorer's self-test: all 1.0
    python tools/score_detection.py --matrix --family drifts --verbose # one family, every miss listed
    python tools/score_detection.py --realdata /work/shared/realdata
    python tools/score_detection.py --realdata /work/shared/realdata/ot_grip_9x9s_10hz.csv
    python tools/score_detection.py --quick                            # the firmware_sim suite
    python tools/score_detection.py --quick --baseline threshold      # a naive detector, for scale

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

# nuisance.py beside this file; nmt_pressure and firmware_sim as installed, which the report names
# (implementation()): after a non-editable install the checkout's src/ has no compiled core.
_TOOLS = Path(__file__).resolve().parent
if str(_TOOLS) not in sys.path:
    sys.path.insert(0, str(_TOOLS))

import nuisance as nz  # noqa: E402

Dict = dict[str, Any]

# --------------------------------------------------------------------------------------------------
# Goals and tolerances
# --------------------------------------------------------------------------------------------------
# The matching rule (issue 11), the same for the simulator's sessions, the robustness matrix and
# the real recordings: holds by start and end within 1 s, steps and releases within 1 s.
HOLD_TOL = 1.0
STEP_TOL = 1.0
RELEASE_TOL = 1.0
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
    """Pairs (true, detected) whose start and end both lie within ``tol``; closest total first.

    A label that also names ``in_band`` (the simulator's: when the move into the hold came within the
    contract's ±8 % of its level) accepts a start anywhere from there to the move's end: both are
    readings of "a stretch in which the force stays near one level", as the real recordings' notes
    also allow for slow arrivals.
    """
    cands = []
    for i, h in enumerate(true_holds):
        lo = hi = h["start"]
        if h.get("in_band") is not None:
            lo, hi = min(lo, h["in_band"]), max(hi, h["in_band"])
        for j, d in enumerate(det_holds):
            ds = lo - d["start"] if d["start"] < lo else (d["start"] - hi if d["start"] > hi else 0.0)
            de = abs(d["end"] - h["end"])
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
                          "ended_by": lab.get("ended_by")})
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
    from firmware_sim.traces import generate, trace_id

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


def run_jobs(jobs: Sequence[Any], processes: int, progress: bool = True,
             worker: Callable[[Any], Dict] | None = None) -> list[Dict]:
    """Run ``worker`` (default :func:`run_job`) over ``jobs`` in ``processes`` worker processes."""
    worker = worker or run_job
    if processes <= 1 or len(jobs) <= 1:
        return [worker(j) for j in jobs]
    import multiprocessing as mp

    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    results: list[Dict] = []
    with ctx.Pool(processes) as pool:
        for k, r in enumerate(pool.imap_unordered(worker, jobs, chunksize=1), 1):
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
# Scoring against labels with the issue-11 rules (real data and the matrix)
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tolerances:
    hold: float = 1.0         # s, start and end each
    level: float = 0.10       # fraction of the label's level, for the detected hold's mean
    step: float = 1.0         # s
    release: float = 1.0      # s
    band_exit: float = 0.5    # s


TOL = Tolerances()


def hold_mean(d: Dict) -> float:
    """A detected hold's mean force (N); its level where a detector gives no mean."""
    m = d.get("mean")
    return float(d["level"] if m is None else m)


def match_holds_level(true_holds: Sequence[Dict], det_holds: Sequence[Dict], tol: float = TOL.hold,
                      level_tol: float = TOL.level) -> list[tuple[int, int]]:
    """Pairs (true, detected): start and end each within ``tol`` s and the detected mean within
    ``level_tol`` of the label's level; closest (summed start and end error) first, one-to-one."""
    cands = []
    for i, h in enumerate(true_holds):
        for j, d in enumerate(det_holds):
            ds, de = abs(d["start"] - h["start"]), abs(d["end"] - h["end"])
            if ds <= tol and de <= tol and abs(hold_mean(d) - h["level"]) <= level_tol * abs(h["level"]):
                cands.append((ds + de, i, j))
    return greedy_match(cands)


def _span(h: Dict) -> str:
    lvl = h.get("mean", h.get("level"))
    return f"{h['start']:.2f}-{h['end']:.2f} s ({lvl if lvl is not None else float('nan'):.1f} N)"


def _at(e: Dict) -> str:
    d = f" {e['direction']}" if e.get("direction") else ""
    return f"{e['t']:.2f} s{d}"


def _inside_fraction(a: float, b: float, spans: Sequence[tuple[float, float]]) -> float:
    if b <= a:
        return 0.0
    return sum(max(0.0, min(b, s1) - max(a, s0)) for s0, s1 in spans) / (b - a)


def score_labelled(labels: Sequence[Dict], events: Sequence[Any], holds: Sequence[Any], name: str = "",
                   tol: Tolerances = TOL) -> Dict:
    """Counts and misses of one recording or session against labels, with the issue-11 rules.

    ``labels``: dicts of kind ``hold`` (start, end, level in N), ``step`` (t, direction), ``release``
    (t), ``band_exit`` (t, direction, optionally ``optional: True``), ``touch``/``stroke`` (start, end).
    """
    ev = [_as_dict(e) for e in events]
    dh = [_as_dict(h) for h in holds]
    out: Dict = {"name": name, "misses": []}

    def tally(kind: str, truth: list[Dict], det: list[Dict], pairs: list[tuple[int, int]],
              when: Callable[[Dict], str]) -> None:
        out[kind] = {"tp": len(pairs), "fn": len(truth) - len(pairs), "fp": len(det) - len(pairs)}
        mt, md = {i for i, _ in pairs}, {j for _, j in pairs}
        out["misses"] += [f"{kind} missed {when(x)}" for i, x in enumerate(truth) if i not in mt]
        out["misses"] += [f"{kind} false {when(x)}" for j, x in enumerate(det) if j not in md]

    th = [lab for lab in labels if lab["kind"] == "hold"]
    hp = match_holds_level(th, dh, tol.hold, tol.level)
    tally("hold", th, dh, hp, _span)
    out["hold"]["start_err"] = [dh[j]["start"] - th[i]["start"] for i, j in hp]
    out["hold"]["end_err"] = [dh[j]["end"] - th[i]["end"] for i, j in hp]
    out["hold"]["level_err"] = [hold_mean(dh[j]) / th[i]["level"] - 1.0 for i, j in hp]
    for kind, t_tol, use_dir in (("step", tol.step, True), ("release", tol.release, False)):
        truth = [lab for lab in labels if lab["kind"] == kind]
        det = [e for e in ev if e["kind"] == kind]
        pairs = match_events([x["t"] for x in truth], [e["t"] for e in det], t_tol,
                             [x.get("direction") for x in truth] if use_dir else None,
                             [e.get("direction") for e in det] if use_dir else None)
        tally(kind, truth, det, pairs, _at)
        out[kind]["onset_err"] = [det[j]["t"] - truth[i]["t"] for i, j in pairs]
    # Band exits: required labels first, then the optional ones soak up what they explain.
    req = [lab for lab in labels if lab["kind"] == "band_exit" and not lab.get("optional")]
    opt = [lab for lab in labels if lab["kind"] == "band_exit" and lab.get("optional")]
    det = [e for e in ev if e["kind"] == "band_exit"]
    pairs = match_events([x["t"] for x in req], [e["t"] for e in det], tol.band_exit,
                         [x["direction"] for x in req], [e.get("direction") for e in det])
    used = {j for _, j in pairs}
    rest = [j for j in range(len(det)) if j not in used]
    opt_pairs = match_events([x["t"] for x in opt], [det[j]["t"] for j in rest], tol.band_exit,
                             [x["direction"] for x in opt], [det[j].get("direction") for j in rest])
    excused = {rest[k] for _, k in opt_pairs}
    kept = [j for j in range(len(det)) if j not in excused]
    renum = {j: k for k, j in enumerate(kept)}
    tally("band_exit", req, [det[j] for j in kept], [(i, renum[j]) for i, j in pairs], _at)
    out["band_exit"]["optional_matched"] = len(excused)
    out["band_exit"]["onset_err"] = [det[j]["t"] - req[i]["t"] for i, j in pairs]
    out["band_exit"]["latency"] = [det[j]["t_detected"] - req[i]["t"] for i, j in pairs]
    # Holds inside touches and strokes: unmatched detections lying at least half inside one.
    spans = [(lab["start"], lab["end"]) for lab in labels if lab["kind"] in ("touch", "stroke")]
    matched = {j for _, j in hp}
    bad = [d for j, d in enumerate(dh) if j not in matched
           and _inside_fraction(d["start"], d["end"], spans) >= 0.5]
    out["holds_in_touches"] = len(bad)
    out["misses"] += [f"hold in touch/stroke {_span(d)}" for d in bad]
    out["holding_time_s"] = float(sum(h["end"] - h["start"] for h in th))
    out["detected"] = {k: sum(e["kind"] == k for e in ev) for k in ("contact", "hold_start", "step",
                                                                    "release", "band_exit", "band_enter")}
    out["detected"]["holds"] = len(dh)
    return out


LABELLED_KINDS = ("hold", "step", "release", "band_exit")


def aggregate_labelled(scores: Sequence[Dict]) -> Dict:
    """Sums of counts, precision/recall/F1 per kind, false band alerts per minute of holding."""
    ok = [s for s in scores if "error" not in s]
    agg: Dict = {"sessions": len(scores), "errors": len(scores) - len(ok)}
    for kind in LABELLED_KINDS:
        tp, fp, fn = (sum(s[kind][k] for s in ok) for k in ("tp", "fp", "fn"))
        p, r, f1 = _prf(tp, fp, fn)
        entry: Dict = {"tp": tp, "fp": fp, "fn": fn, "labels": tp + fn, "precision": p, "recall": r,
                       "f1": f1}
        for key in ("onset_err", "start_err", "end_err", "level_err", "latency"):
            xs = [x for s in ok for x in s[kind].get(key, [])]
            if xs:
                entry[f"{key}_median"] = _median(xs)
        agg[kind] = entry
    minutes = sum(s["holding_time_s"] for s in ok) / 60.0
    agg["holding_minutes"] = minutes
    agg["false_band_alerts_per_min"] = agg["band_exit"]["fp"] / minutes if minutes > 0 else None
    agg["holds_in_touches"] = sum(s["holds_in_touches"] for s in ok)
    return agg


def _f(x: float | None, nd: int = 3) -> str:
    return "-" if x is None else f"{x:.{nd}f}"


# --------------------------------------------------------------------------------------------------
# Real data
# --------------------------------------------------------------------------------------------------
KGF = 9.80665
LBF = 4.4482216152605
#: Newtons per unit of a labels file's ``unit`` (kg and lb are kilogram- and pound-force).
LABEL_UNITS = {"n": 1.0, "kg": KGF, "kgf": KGF, "g": KGF / 1000.0, "lb": LBF, "lbf": LBF, "lbs": LBF}
#: What the realdata README says about files that carry no labels: (holds, releases).
README_COUNTS = {"ot_grip_9x9s_10hz.csv": (9, 9)}
# ../shared/realdata/README.md: a label's level is "the plateau's median", and a hold matches by its
# mean within 10 % of it. A label whose level lies further than this from the recording's median over
# its span (a settled level written for a hold that drifts far, say) is named, so that a miss it causes
# is not read as the detector's: 8 %, within 2 % of the rule, where a right mean may miss the label.
# (No label of the blind generator's seeds 1-8, settled levels of holds that drift a little, lies further.)
LEVEL_CHECK = 0.08


def labels_path(csv: Path) -> Path:
    return csv.with_name(csv.name[: -len(csv.suffix)] + ".labels.json")


def _first_column(path: Path) -> str:
    with open(path, encoding="utf-8-sig") as fh:
        for line in fh:
            if line.strip() and not line.startswith("#"):
                return line.split(",")[0].strip()
    raise ValueError(f"{path} has no header row")


def read_real(path: str | Path) -> tuple[np.ndarray, np.ndarray, Dict | None, Any]:
    """(t, force in N, labels or None, Recording) of a real recording, read by the package's reader:
    with labels, the first column is time and the labels name the force column and unit; without,
    the reader's own defaults (a Tindeq ``time,weight`` file is kg)."""
    from nmt_pressure.io.recording import read_recording

    p = Path(path)
    lp = labels_path(p)
    labels = json.loads(lp.read_text(encoding="utf-8")) if lp.exists() else None
    if labels is not None:
        rec = read_recording(p, time_col=_first_column(p), force_col=labels["force_column"],
                             unit=labels["unit"])
    else:
        rec = read_recording(p)
    return rec.t, rec.force_n, labels, rec


def load_realdata(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Seconds and newtons of a real recording (see :func:`read_real`)."""
    t, f, _, _ = read_real(path)
    return t, f


def truth_from_labels(labels: Dict) -> list[Dict]:
    """A labels file (levels in its own unit) as label dicts in newtons."""
    factor = LABEL_UNITS[str(labels["unit"]).strip().casefold()]
    holds = labels.get("holds", [])
    out: list[Dict] = [{"kind": "hold", "start": float(a), "end": float(b), "level": float(lv) * factor}
                       for a, b, lv in holds]
    out += [{"kind": "step", "t": float(t), "direction": d} for t, d in labels.get("steps", [])]
    out += [{"kind": "release", "t": float(r[0] if isinstance(r, list) else r)}
            for r in labels.get("releases", [])]
    # Band exits are optional: hand labels of real recordings leave them out (the moment a slow force
    # crossed ±10 % is hard to read off a plot), a generator that knows its noise-free force names them.
    out += [{"kind": "band_exit", "t": float(t), "direction": d} for t, d in labels.get("band_exits", [])]
    # Where a slow ease leaves the old hold's band before it can be a step, the contract allows an exit
    # but does not require one: such labels only excuse a detection (score_labelled), never miss one.
    out += [{"kind": "band_exit", "t": float(t), "direction": d, "optional": True}
            for t, d in labels.get("band_exits_optional", [])]
    return out


def realdata_kinds(labels: Dict) -> tuple[str, ...]:
    """The kinds a labels file scores: band exits only where it names them (even as an empty list)."""
    return ("hold", "step", "release") + (("band_exit",) if "band_exits" in labels else ())


def realdata_files(path: str | Path) -> list[Path]:
    p = Path(path)
    return sorted(p.glob("*.csv")) if p.is_dir() else [p]


def detect(t: np.ndarray, f: np.ndarray, detector: str = "nmt") -> tuple[list[Dict], list[Dict]]:
    from nmt_pressure.core.detector import estimate_sample_rate

    if detector == "threshold":
        return baseline_threshold(t, f)
    return run_nmt(t, f, estimate_sample_rate(t))


def realdata_one(path: Path, detector: str = "nmt") -> tuple[str, Dict]:
    """The report of one real recording: scored if it has labels, else listed."""
    from nmt_pressure.core.detector import estimate_sample_rate

    t, f, labels, rec = read_real(path)
    rate = estimate_sample_rate(t)
    events, holds = detect(t, f, detector)
    unit = rec.unit
    per_n = LABEL_UNITS[unit.casefold()]
    head = (f"{path.name}  ({rec.force_col}, {unit}; {t.size} samples, {t[-1] - t[0]:.1f} s from "
            f"{t[0]:g} s, ~{rate:.0f} Hz, peak {f.max():.1f} N)")
    lines = [head]
    data: Dict = {"file": str(path), "unit": unit, "force_col": rec.force_col, "samples": int(t.size),
                  "rate": rate, "events": events, "holds": holds}
    if labels is None:
        n = {k: sum(e["kind"] == k for e in events) for k in ("contact", "step", "release", "band_exit")}
        lines.append(f"  no labels: {len(holds)} holds, {n['step']} steps, {n['release']} releases "
                     f"({n['contact']} contacts, {n['band_exit']} band exits)")
        for h in holds:
            lines.append(f"    hold {h['start']:8.2f}-{h['end']:8.2f} s  mean {hold_mean(h):7.1f} N "
                         f"= {hold_mean(h) / per_n:6.2f} {unit}  ended by {h.get('ended_by')}")
        if path.name in README_COUNTS:
            eh, er = README_COUNTS[path.name]
            ok = len(holds) == eh and n["release"] == er
            lines.append(f"  README: {eh} holds, each followed by a release -> {'PASS' if ok else 'MISS'}")
        data["counts"] = {**n, "holds": len(holds)}
        return "\n".join(lines), data
    truth = truth_from_labels(labels)
    sc = score_labelled(truth, events, holds, path.name)
    lines.append(f"  {'':9}{'labels':>7}{'found':>7}{'tp':>5}{'fp':>5}{'fn':>5}"
                 f"{'precision':>11}{'recall':>8}{'F1':>7}")
    kinds = realdata_kinds(labels)
    for kind in kinds:
        c = sc[kind]
        p, r, f1 = _prf(c["tp"], c["fp"], c["fn"])
        lines.append(f"  {kind:<9}{c['tp'] + c['fn']:>7}{c['tp'] + c['fp']:>7}{c['tp']:>5}{c['fp']:>5}"
                     f"{c['fn']:>5}{_f(p):>11}{_f(r):>8}{_f(f1):>7}")
    if "band_exit" not in kinds:
        lines.append(f"  detected band exits {sc['detected']['band_exit']} (not labelled)")
    for m in sc["misses"]:
        if "band_exit" in kinds or not m.startswith("band_exit"):
            lines.append(f"    {m}")
    data["level_checks"] = level_checks(t, f, truth)
    for c in data["level_checks"]:
        lines.append(f"    label level {c['level']:.1f} N at {c['start']:.2f}-{c['end']:.2f} s is "
                     f"{100.0 * c['off']:+.1f} % from the recording's median there, {c['median']:.1f} N "
                     "(a label's level is the plateau's median)")
    data["score"] = sc
    data["kinds"] = kinds
    return "\n".join(lines), data


def level_checks(t: np.ndarray, f: np.ndarray, truth: Sequence[Dict]) -> list[Dict]:
    """The labelled holds whose level lies more than ``LEVEL_CHECK`` from the force's median over them.

    The median is of the samples, so a log that keeps a row only when the value changes (a
    time-weighted median there) may be named where its label is right: a place to look, not a verdict.
    """
    out = []
    for h in truth:
        if h["kind"] != "hold":
            continue
        inside = f[(t >= h["start"]) & (t <= h["end"])]
        if inside.size == 0:
            continue
        median = float(np.median(inside))
        off = h["level"] / median - 1.0 if median > 0.0 else math.inf
        if abs(off) > LEVEL_CHECK:
            out.append({"start": h["start"], "end": h["end"], "level": h["level"], "median": median,
                        "off": off})
    return out


def realdata_report(path: str | Path, detector: str = "nmt") -> tuple[str, Dict]:
    """Every CSV of a folder (or one file): per-file scores or listings, and the labelled total."""
    files = realdata_files(path)
    texts, per_file = [], []
    for p in files:
        try:
            text, data = realdata_one(p, detector)
        except Exception as exc:  # a report, not a gate
            text, data = f"{p.name}: {type(exc).__name__}: {exc}", {"file": str(p), "error": str(exc)}
        texts.append(text)
        per_file.append(data)
    scored = [d for d in per_file if "score" in d]
    total: Dict = {}
    if scored:
        lines = [f"Total over {len(scored)} labelled file(s):"]
        for kind in LABELLED_KINDS:
            # Band exits are totalled over the files that label them, and only if one does.
            of = [d["score"] for d in scored if kind in d["kinds"]]
            if not of:
                continue
            tp, fp, fn = (sum(s[kind][k] for s in of) for k in ("tp", "fp", "fn"))
            p, r, f1 = _prf(tp, fp, fn)
            total[kind] = {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f1}
            files = f"  ({len(of)} of {len(scored)} files)" if len(of) < len(scored) else ""
            lines.append(f"  {kind:<9} tp {tp:3d}  fp {fp:3d}  fn {fn:3d}   precision {_f(p)}  "
                         f"recall {_f(r)}  F1 {_f(f1)}{files}")
        texts.append("\n".join(lines))
    rules = ("Rules: hold = start and end within 1 s and mean within 10 % of the label level; step = onset "
             "within 1 s, same direction; release = onset within 1 s; band exit (where labelled) = within "
             "0.5 s, same direction; one-to-one, closest first.")
    return rules + "\n\n" + "\n\n".join(texts), {"files": per_file, "total": total}


# --------------------------------------------------------------------------------------------------
# The robustness matrix
# --------------------------------------------------------------------------------------------------
MATRIX_GOALS = (
    Goal("hold.f1", "hold F1", ">=", 0.97),
    Goal("step.f1", "step F1", ">=", 0.97),
    Goal("release.f1", "release F1", ">=", 0.97),
    Goal("band_exit.f1", "band-exit F1", ">=", 0.95),
    Goal("false_band_alerts_per_min", "false band alerts/min", "<=", 0.1),
    Goal("holds_in_touches", "holds in touches/strokes", "==", 0),
)


@dataclass(frozen=True)
class MatrixJob:
    row: int              # index into nuisance.FAMILIES
    index: int            # session number within the row
    duration: float
    detector: str         # "nmt", "oracle", "threshold"


def run_matrix_job(job: MatrixJob) -> Dict:
    """Generate one session, detect, score; an error is returned as a result, not raised."""
    row = nz.FAMILIES[job.row]
    seed = nz.session_seed(row, job.index)
    base: Dict = {"row": row.name, "family": row.family, "level": row.level, "seed": seed,
                  "name": f"{row.name} #{job.index}"}
    t0 = time.perf_counter()
    try:
        sess = nz.generate_session(dataclasses.replace(row.params, duration=job.duration), seed)
        t1 = time.perf_counter()
        if job.detector == "oracle":
            events, holds = oracle_detection(sess.labels)
        elif job.detector == "threshold":
            events, holds = baseline_threshold(sess.t, sess.force)
        else:
            events, holds = run_nmt(sess.t, sess.force, sess.rate)
    except Exception as exc:  # a report, not a gate: one crash is one session
        return {**base, "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
    sc = score_labelled(sess.labels, events, holds, base["name"])
    sc.update(base)
    sc["samples"] = int(sess.t.size)
    sc["t_start"] = float(sess.meta["t_start"])
    sc["generate_s"] = t1 - t0
    sc["detect_score_s"] = time.perf_counter() - t1
    return sc


def matrix_rows(quick: bool, families: Sequence[str] | None) -> list[int]:
    rows = nz.quick_rows() if quick else nz.FAMILIES
    idx = [nz.FAMILIES.index(r) for r in rows]
    if families:
        idx = [i for i in idx if any(f in nz.FAMILIES[i].name for f in families)]
    return idx


def _row_status(agg: Dict) -> list[str]:
    """Labels of the goals this row misses (a goal with nothing to measure is not missed)."""
    return [g.label for g in MATRIX_GOALS if _status(g, lookup(agg, g.key)) == "MISS"]


def _row_line(name: str, agg: Dict, width: int) -> str:
    miss = _row_status(agg)
    fba = agg["false_band_alerts_per_min"]
    return (f"{name:<{width}} {_f(agg['hold']['f1']):>6} {_f(agg['step']['f1']):>6} "
            f"{_f(agg['release']['f1']):>6} {_f(agg['band_exit']['f1']):>6} "
            f"{'-' if fba is None else f'{fba:.2f}':>6} {agg['holds_in_touches']:>4}   "
            + ("ok" if not miss else "MISS: " + ", ".join(miss)))


def _badness(agg: Dict) -> tuple[float, float]:
    """Sort key of the worst rows: the lowest of the four F1s, then the false alert rate."""
    f1s = [agg[k]["f1"] for k in LABELLED_KINDS if agg[k]["f1"] is not None]
    return (min(f1s) if f1s else 1.0, -(agg["false_band_alerts_per_min"] or 0.0))


def matrix_report(results: Sequence[Dict], title: str, verbose: bool = False) -> tuple[str, Dict]:
    by_row: dict[str, list[Dict]] = {}
    for r in results:
        by_row.setdefault(r["row"], []).append(r)
    order = [row.name for row in nz.FAMILIES if row.name in by_row]
    aggs = {name: aggregate_labelled(by_row[name]) for name in order}
    width = max(len(n) for n in order) + 1
    head = (f"{'row (family level)':<{width}} {'hold':>6} {'step':>6} {'rel':>6} {'band':>6} "
            f"{'fba/m':>6} {'in-t':>4}   status")
    goal_line = (f"{'goals':<{width}} {'>=.97':>6} {'>=.97':>6} {'>=.97':>6} {'>=.95':>6} {'<=0.1':>6} "
                 f"{'0':>4}")
    lines = [title, "", "F1 per kind; fba/m = false band alerts per minute of holding; in-t = holds "
             "inside touches/strokes", "", head, goal_line, "-" * (len(head) + 30)]
    lines += [_row_line(n, aggs[n], width) for n in order]
    met = [n for n in order if not _row_status(aggs[n])]
    missing = [n for n in order if _row_status(aggs[n])]
    lines += ["", f"Rows that miss ({len(missing)}):"]
    lines += [f"  {n}: " + ", ".join(f"{g} {_goal_value(aggs[n], g)}" for g in _row_status(aggs[n]))
              for n in missing] or ["  none"]
    worst = sorted(order, key=lambda n: _badness(aggs[n]))[:10]
    lines += ["", "Worst 10 rows (lowest F1 of the four, then false band alerts):", head]
    lines += [_row_line(n, aggs[n], width) for n in worst]
    errors = [r for r in results if "error" in r]
    for r in errors[:5]:
        lines.append(f"ERROR in {r['name']}: {r['error']}")
    if verbose:
        lines += ["", "Misses by session ('missed' = label not detected, 'false' = detection without label):"]
        for r in sorted(results, key=lambda r: (order.index(r["row"]), r["name"])):
            for m in r.get("misses", []):
                lines.append(f"  {r['name']:<{width + 4}} t0={r.get('t_start', 0):.3f}  {m}")
    overall = aggregate_labelled(list(results))
    lines += ["", "All rows pooled: " + ", ".join(
        f"{k} F1 {_f(overall[k]['f1'])}" for k in LABELLED_KINDS)
        + f", false band alerts/min {_f(overall['false_band_alerts_per_min'], 2)}"
        + f", holds in touches/strokes {overall['holds_in_touches']}"]
    lines.append(f"{len(met)} of {len(order)} rows meet every goal")
    summary = {"rows": [{"row": n, "family": by_row[n][0]["family"], "level": by_row[n][0]["level"],
                         "meets_every_goal": n in met, "missed_goals": _row_status(aggs[n]), **aggs[n]}
                        for n in order],
               "rows_meeting_every_goal": len(met), "rows_total": len(order), "worst": worst,
               "pooled": overall, "goals": [dataclasses.asdict(g) for g in MATRIX_GOALS]}
    return "\n".join(lines), summary


def _goal_value(agg: Dict, label: str) -> str:
    g = next(g for g in MATRIX_GOALS if g.label == label)
    v = lookup(agg, g.key)
    k = g.key.split(".")[0]
    if k in LABELLED_KINDS:
        c = agg[k]
        return f"{v:.3f} (tp {c['tp']}, fp {c['fp']}, fn {c['fn']})"
    return f"{v:.2f}" if isinstance(v, float) else str(v)


def implementation() -> str:
    """Which detector code runs: the package, its core (compiled or golden model) and where it lives."""
    try:
        import nmt_pressure
        from nmt_pressure.core import detector as core
    except Exception as exc:
        return f"cannot import nmt_pressure ({type(exc).__name__}: {exc})"
    mod = sys.modules.get(core.Detector.__module__)
    where = getattr(mod, "__file__", "?")
    return (f"nmt_pressure {getattr(nmt_pressure, '__version__', '?')}, {core.IMPLEMENTATION} core "
            f"({core.Detector.__module__}.{core.Detector.__name__} from {where})")


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------
def _floats(s: str) -> list[float]:
    return [float(x) for x in s.replace(",", " ").split()]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--matrix", action="store_true",
                   help="the robustness matrix on tools/nuisance.py sessions (one nuisance family at a time, "
                        "then several combined)")
    p.add_argument("--family", action="append", default=[], metavar="TEXT",
                   help="--matrix: only rows whose 'family level' name contains TEXT (repeatable)")
    p.add_argument("--sessions", type=int, default=None,
                   help="--matrix: sessions per row [24; --quick: 10]")
    p.add_argument("--seeds", type=int, default=None, help="number of seeds [20; --quick: 3]")
    p.add_argument("--first-seed", type=int, default=0)
    p.add_argument("--rates", type=_floats, default=None,
                   help="sample rates in Hz, comma separated [10,80,100,250,1000,2000; --quick: 10,100,1000]")
    p.add_argument("--noise", type=_floats, default=None,
                   help="noise sigmas in N [0.03,0.1,0.3; --quick: 0.1]")
    p.add_argument("--duration", type=float, default=None,
                   help="session length in s [120, --matrix 300; --quick: 60, --matrix --quick 200]")
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
    p.add_argument("--realdata", metavar="DIR_OR_FILE",
                   help="score real recordings with NAME.labels.json beside them; list the others")
    return p.parse_args(argv)


def _write_json(path: str, data: Any) -> None:
    Path(path).write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    print(f"\nwrote {path}")


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
        impl = implementation()
        if impl.startswith("cannot import"):
            print(f"{impl}; nothing to score.")
            return 0

    if args.realdata:
        t0 = time.perf_counter()
        text, data = realdata_report(args.realdata, "nmt" if detector == "oracle" else detector)
        print(f"Real data - detector: {impl if detector != 'oracle' else implementation()}\n\n{text}\n\n"
              f"({time.perf_counter() - t0:.2f} s)")
        if args.json:
            data["implementation"] = impl
            _write_json(args.json, data)
        return 0

    if args.matrix:
        q = args.quick
        sessions = args.sessions if args.sessions is not None else (10 if q else 24)
        duration = args.duration or (200.0 if q else 300.0)
        rows = matrix_rows(q, args.family)
        jobs = [MatrixJob(r, k, duration, detector) for r in rows for k in range(sessions)]
        # Fast rows last would leave a worker idle at the end: slowest (highest rate) first.
        jobs.sort(key=lambda j: -nz.FAMILIES[j.row].params.rate)
        t0 = time.perf_counter()
        results = run_jobs(jobs, args.jobs, worker=run_matrix_job)
        wall = time.perf_counter() - t0
        title = (f"Robustness matrix - detector: {impl}\n{len(rows)} rows x {sessions} sessions of "
                 f"~{duration:g} s (tools/nuisance.py), {len(jobs)} sessions, "
                 f"{sum(r.get('samples', 0) for r in results):,} samples; {wall:.1f} s wall with "
                 f"{args.jobs} job(s)")
        text, summary = matrix_report(results, title, args.verbose)
        print(text)
        if args.json:
            summary["settings"] = {"detector": detector, "implementation": impl, "quick": q,
                                   "sessions_per_row": sessions, "duration_s": duration, "jobs": args.jobs,
                                   "wall_s": wall, "tolerances": dataclasses.asdict(TOL)}
            summary["sessions"] = [{k: v for k, v in r.items() if k != "traceback"} for r in results]
            _write_json(args.json, summary)
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
        _write_json(args.json, summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
