"""The score card of a drill: how well each hold and each approach went, one overall score, and what
to work on.

Everything is computed after the drill from the samples it saw (the core's low-passed force) and the
phase records, with the same definitions as the researchers' reports (:mod:`nmt_pressure.analysis.holdstats`):

* **time in band**: share of each hold phase (from the hold's onset to the end of the phase) with the
  force within the phase's band, weighted by the seconds each hold asks for; a missed hold scores 0;
* **steadiness**: each hold's CV (SD / mean of the force over the same stretch) mapped onto 0-100 %
  linearly from :data:`CV_GOOD` (100 %) to :data:`CV_BAD` (0 %) — a steady hand is 1-3 %, a wobbly
  one 8 % or more;
* **ramp rate**: each press or step with a ramp limit: 100 % at or under the limit, else
  ``limit / rate`` (pressing twice too fast scores 50 %); the rate is the mean slope between 10 % and
  90 % of the approach. Missed approaches score 0; a drill without ramp limits has no ramp component;
* **hold duration**: each hold's achieved seconds over the seconds it asks for (at most 100 %).

The overall score is the weighted mean of the components there are (:data:`WEIGHTS`), 0-100.

A drill in which no press was made at all - the core saw no contact: an idle device, a user who never
touched it, a drill stopped before the first touch - is **abandoned**: there is nothing to score, so
its card has no overall score, no components and no advice, and it is stored as such, not as 0 / 100.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from nmt_pressure.analysis.holdstats import loading_rate, sample_weights
from nmt_pressure.practice.engine import DrillRun, PhaseRecord

__all__ = ["CV_BAD", "CV_GOOD", "STATUSES", "WEIGHTS", "HoldScore", "RampScore", "ScoreCard", "score_run"]

CV_GOOD, CV_BAD = 2.0, 12.0  # percent
WEIGHTS = {"time_in_band": 0.35, "steadiness": 0.25, "ramp_rate": 0.20, "hold_duration": 0.20}
#: Components under this (percent) are named in "what to work on".
WORK_ON_BELOW = 85.0
LABELS = {"time_in_band": "time in band", "steadiness": "steadiness (CV)", "ramp_rate": "ramp rate",
          "hold_duration": "hold duration"}

F64 = npt.NDArray[np.float64]


@dataclass
class HoldScore:
    phase: int  # 1-based position in the drill
    status: str
    target: float | None
    required_s: float
    achieved_s: float
    time_in_band_pct: float
    mean_n: float
    cv_pct: float
    above_pct: float  # share of the hold spent above the band (the rest of "out" is below)

    @property
    def duration_pct(self) -> float:
        return 100.0 * min(1.0, self.achieved_s / self.required_s) if self.required_s > 0 else 100.0

    @property
    def steadiness_pct(self) -> float:
        if math.isnan(self.cv_pct):
            return 0.0
        return 100.0 * min(1.0, max(0.0, (CV_BAD - self.cv_pct) / (CV_BAD - CV_GOOD)))


@dataclass
class RampScore:
    phase: int
    kind: str
    status: str
    rate_n_per_s: float
    limit_n_per_s: float

    @property
    def score_pct(self) -> float:
        if self.status == "missed" or math.isnan(self.rate_n_per_s) or not self.limit_n_per_s > 0:
            return 0.0
        rate = abs(self.rate_n_per_s)
        return 100.0 if rate <= self.limit_n_per_s else 100.0 * self.limit_n_per_s / rate


#: Events that say a hand was on the cell during the drill; without any, the drill is abandoned.
TOUCHED = ("contact", "hold_start", "step", "release")
#: ScoreCard.status: every phase played; ended early; no press was made (not scored).
STATUSES = ("completed", "stopped", "abandoned")


@dataclass
class ScoreCard:
    drill: str
    title: str
    overall: float | None  # None: abandoned, not scored
    components: dict[str, float | None]
    holds: list[HoldScore] = field(default_factory=list)
    ramps: list[RampScore] = field(default_factory=list)
    missed: int = 0
    completed: bool = True
    work_on: list[str] = field(default_factory=list)
    status: str = "completed"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for h, hd in zip(self.holds, d["holds"], strict=True):
            hd["duration_pct"], hd["steadiness_pct"] = h.duration_pct, h.steadiness_pct
        for r, rd in zip(self.ramps, d["ramps"], strict=True):
            rd["score_pct"] = r.score_pct
        return d

    def format(self) -> str:
        """The card as terminal text."""
        if self.overall is None:
            return (f"score card: {self.title}\n  not scored: no press was made, so the drill is recorded "
                    "as abandoned")
        lines = [f"score card: {self.title}", f"  overall          {self.overall:5.0f} / 100"
                 + ("" if self.completed else "   (drill not completed)")]
        for key, label in LABELS.items():
            v = self.components.get(key)
            lines.append(f"  {label:16s} {'   -' if v is None else f'{v:5.0f} %'}")
        if self.holds:
            lines.append("  holds:  #  target N  held s / asked  in band %  CV %  status")
            for h in self.holds:
                lines.append(f"         {h.phase:2d}  {_num(h.target, 8, 1)}  {_num(h.achieved_s, 6, 1)} / "
                             f"{h.required_s:<5g}  {_num(h.time_in_band_pct, 9, 0)}  {_num(h.cv_pct, 4, 1)}  "
                             f"{h.status}")
        if self.ramps:
            lines.append("  ramps:  #  kind   rate N/s  limit N/s  score %")
            for r in self.ramps:
                rate = _num(abs(r.rate_n_per_s), 8, 1)
                lines.append(f"         {r.phase:2d}  {r.kind:5s} {rate}  {_num(r.limit_n_per_s, 9, 1)}  "
                             f"{r.score_pct:7.0f}")
        if self.missed:
            lines.append(f"  missed phases: {self.missed}")
        advice = "; ".join(self.work_on) if self.work_on else "nothing stands out: keep it up"
        lines.append("  work on: " + advice)
        return "\n".join(lines)


def _num(x: float | None, width: int, decimals: int) -> str:
    """A number for the card's tables; "-" where there is none (a missed hold's CV, an unset limit)."""
    return f"{'-':>{width}}" if x is None or not math.isfinite(x) else f"{x:{width}.{decimals}f}"


def _hold(rec: PhaseRecord, t: F64, y: F64, w: F64) -> HoldScore:
    required = float(rec.phase.required_hold or 0.0)
    if rec.status == "missed" or math.isnan(rec.hold_onset):
        return HoldScore(rec.index + 1, "missed", rec.target, required, 0.0, 0.0, math.nan, math.nan, 0.0)
    end = rec.end if not math.isnan(rec.end) else float(t[-1])
    i0 = int(np.searchsorted(t, rec.hold_onset, side="left"))
    i1 = int(np.searchsorted(t, end, side="right"))
    seg, ws = y[i0:i1], w[i0:i1]
    achieved = max(0.0, end - rec.hold_onset)
    if seg.size == 0 or ws.sum() <= 0:
        return HoldScore(rec.index + 1, rec.status, rec.target, required, achieved, 0.0, math.nan,
                         math.nan, 0.0)
    total = float(ws.sum())
    mean = float(np.sum(ws * seg) / total)
    sd = math.sqrt(max(0.0, float(np.sum(ws * (seg - mean) ** 2) / total)))
    target = rec.target if rec.target is not None and math.isfinite(rec.target) else mean
    half = rec.phase.tolerance * target
    inside = float(ws[np.abs(seg - target) <= half].sum()) / total
    above = float(ws[seg > target + half].sum()) / total
    return HoldScore(rec.index + 1, rec.status, target, required, achieved, 100.0 * inside, mean,
                     100.0 * sd / mean if mean > 0 else math.nan, 100.0 * above)


def _ramp(rec: PhaseRecord, t: F64, y: F64) -> RampScore | None:
    level = rec.target
    if rec.status == "done":
        i = int(np.clip(np.searchsorted(t, rec.end), 0, t.size - 1)) if t.size else 0
        level = level if level is not None else (float(y[i]) if t.size else None)
    limit = rec.phase.ramp_limit(level) if level is not None else None
    if limit is None and rec.phase.max_ramp_pct is None and rec.phase.max_ramp_rate is None:
        return None
    if rec.status != "done" or math.isnan(rec.ramp_start) or limit is None:
        return RampScore(rec.index + 1, rec.phase.kind, "missed", math.nan, float(limit or math.nan))
    rate = loading_rate(t, y, rec.ramp_start, rec.end)
    if math.isnan(rate):
        return None  # an approach too short to measure (the hand was there already): not scored
    return RampScore(rec.index + 1, rec.phase.kind, rec.status, rate, limit)


def _work_on(components: dict[str, float | None], holds: list[HoldScore], ramps: list[RampScore]
             ) -> list[str]:
    """What to work on, weakest component first: one phrase each, every number in it a real one
    (a missed hold has no CV, an unmeasured approach no rate: they are left out, not shown as nan)."""
    weak = sorted(((v, k) for k, v in components.items() if v is not None and v < WORK_ON_BELOW))
    advice = []
    kept = [h for h in holds if h.status != "missed"]
    for _, key in weak:
        if key == "time_in_band":
            advice.append(_band_advice(kept))
        elif key == "steadiness":
            cvs = [h.cv_pct for h in kept if math.isfinite(h.cv_pct)]
            cv = f"CV {float(np.median(cvs)):.1f} %; " if cvs else ""
            advice.append(f"a steadier hold ({cv}brace the hand and breathe out slowly)")
        elif key == "ramp_rate":
            advice.append(_ramp_advice(ramps))
        elif key == "hold_duration":
            short = [h for h in holds if h.duration_pct < 100 and math.isfinite(h.achieved_s)]
            if short:
                h = min(short, key=lambda x: x.duration_pct)
                advice.append(f"holding for the full time ({h.achieved_s:.0f} of {h.required_s:g} s at "
                              "worst)")
            else:
                advice.append("holding for the full time")
    return advice


def _band_advice(kept: list[HoldScore]) -> str:
    if not kept:
        return "staying in the band (no hold was kept: press to the target and stay there)"
    above = float(np.mean([h.above_pct for h in kept]))
    out = float(np.mean([100.0 - h.time_in_band_pct for h in kept]))
    side = ("too much pressure: ease off when you drift up" if above > out / 2
            else "too little pressure: you tend to fade below the band")
    return f"staying in the band ({side})"


def _ramp_advice(ramps: list[RampScore]) -> str:
    fast = [r for r in ramps if r.status != "missed" and r.score_pct < 100 and math.isfinite(r.rate_n_per_s)
            and math.isfinite(r.limit_n_per_s) and r.limit_n_per_s > 0]
    if fast:
        worst = max(fast, key=lambda r: abs(r.rate_n_per_s) / r.limit_n_per_s)
        return (f"pressing in more slowly ({abs(worst.rate_n_per_s):.0f} N/s against at most "
                f"{worst.limit_n_per_s:.0f} N/s)")
    if any(r.status == "missed" for r in ramps):
        return "making every approach (some presses or steps were missed)"
    return "pressing in slowly and evenly"


def score_run(run: DrillRun) -> ScoreCard:
    """The score card of a drill that has finished (or was stopped)."""
    if not any(e.kind in TOUCHED for e in run.events):
        return ScoreCard(drill=run.drill.name, title=run.drill.title, overall=None,
                         components={k: None for k in WEIGHTS}, missed=len(run.plan), completed=False,
                         status="abandoned")
    t, _, y = run.trace()
    w = sample_weights(t) if t.size else t
    holds = [_hold(r, t, y, w) for r in run.records if r.phase.kind == "hold"]
    ramps = [s for r in run.records if r.phase.kind in ("press", "step") if (s := _ramp(r, t, y))]
    # Phases the drill never reached (stopped early) count as missed.
    reached = {r.index for r in run.records}
    for i, p in enumerate(run.plan):
        if i in reached:
            continue
        if p.kind == "hold":
            holds.append(HoldScore(i + 1, "missed", p.target, float(p.required_hold or 0.0), 0.0, 0.0,
                                   math.nan, math.nan, 0.0))
        elif p.kind in ("press", "step") and (p.max_ramp_rate is not None or p.max_ramp_pct is not None):
            ramps.append(RampScore(i + 1, p.kind, "missed", math.nan, math.nan))
    components: dict[str, float | None] = {k: None for k in WEIGHTS}
    if holds:
        weights = np.array([max(h.required_s, 1e-9) for h in holds])
        components["time_in_band"] = float(np.average([h.time_in_band_pct for h in holds], weights=weights))
        components["steadiness"] = float(np.mean([h.steadiness_pct for h in holds]))
        components["hold_duration"] = float(np.mean([h.duration_pct for h in holds]))
    if ramps:
        components["ramp_rate"] = float(np.mean([r.score_pct for r in ramps]))
    present = {k: v for k, v in components.items() if v is not None}
    total_w = sum(WEIGHTS[k] for k in present)
    overall = sum(WEIGHTS[k] * v for k, v in present.items()) / total_w if total_w else 0.0
    missed = sum(1 for r in run.records if r.status == "missed") + len(run.plan) - len(reached)
    return ScoreCard(drill=run.drill.name, title=run.drill.title, overall=overall, components=components,
                     holds=sorted(holds, key=lambda h: h.phase), ramps=sorted(ramps, key=lambda r: r.phase),
                     missed=missed, completed=run.completed,
                     work_on=_work_on(components, holds, ramps),
                     status="completed" if run.completed else "stopped")
