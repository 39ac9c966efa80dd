"""A simulated hand that follows a drill's prompts: any drill turned into a ``firmware_sim`` script.

``nmt-pressure drill NAME --sim`` plays this script on the simulator, so the drill shows what it asks
for (and what a good score looks like) without a hand on a real load cell. The script is open loop:
the simulator cannot see the prompts, so the hand acts when each prompt is due, a reaction time after
it, using what the core is known to do:

* a press or a step is confirmed (the next prompt) about :data:`CONFIRM_S` after the hand arrives, and
  the core dates the hold from a little before the arrival, so a hold of D seconds is over D seconds
  after the arrival at the latest;
* a release is reported about :data:`RELEASE_SEEN` of the drop's duration after it began, and a rest
  counts from then.

Each wait gets :data:`MARGIN_S` on top, so a prompt is never early for the hand: a fixed hold is never
cut short by the hand, a rest never interrupted. The hand is good, not perfect (seeded, reproducible):
it reacts in 0.3-0.8 s, lands within a few per cent of the target, lets the level wander slowly by up
to 3 % during a hold, approaches at 55-90 % of the drill's ramp limit (now and then a little over
it), and holds "until it gives" for 1.5-6 s past the minimum. The simulator adds the tremor.

The simulator must start the script when the drill starts (``python -m firmware_sim
--wait-for-host``): then script time is drill time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from nmt_pressure.practice.spec import Drill, Phase

__all__ = ["HandScript", "hand_script"]

#: From arriving at a level to the core confirming the hold there (s): the press or step is done.
CONFIRM_S = 2.0
#: ... after a slow step (an ease), which the core confirms once the new level was steady for 3 s.
CONFIRM_EASE_S = 3.5
#: A release is reported this fraction of its drop's duration after the drop began.
RELEASE_SEEN = 0.85
#: Added to every estimated prompt time (s): the hand waits rather than acts early.
MARGIN_S = 0.4
#: Reaction time to a prompt (s).
REACTION_S = (0.3, 0.8)
#: Before the first press (s): reading the first prompt.
LEAD_IN_S = (1.0, 2.0)
#: After the drill's last phase (s): the script must end with nothing on the cell.
TAIL_S = 3.0
#: The steepest slope of a minimum-jerk move, over its mean slope; the core's 10-90 % rate is below it.
MIN_JERK_PEAK = 1.875
#: The same for an ease (rounded corners of a quarter of its duration).
EASE_PEAK = 1.4
#: A move within this (s) is a step the core sees at once; a slower one is eased (a slow step).
FAST_STEP_S = 1.9
SLOW_STEP_MAX_S = 7.0
#: How fast the hand approaches, as a fraction of the drill's limit; now and then it is a bit too fast.
PACE = (0.55, 0.9)
TOO_FAST_PACE = (1.2, 1.6)
TOO_FAST_CHANCE = 0.2
#: Without a limit: the time a hand takes to press (s), and a step's rate (fraction of the level per s).
FREE_RAMP_S = (1.5, 3.0)
#: How far the hand lands from its target (SD, and the most, as fractions), and how far it wanders.
AIM_SD, AIM_MAX = 0.025, 0.05
WANDER_MAX = 0.04
#: A barrier the hand finds when a press names no force (N), and how much deeper the next one is.
BARRIER_N = (18.0, 32.0)
NEXT_BARRIER = (0.15, 0.3)
#: "Hold until it gives": the tissue gives this long after the minimum (s), well before the maximum.
GIVES_AFTER_S = (1.5, 6.0)


@dataclass
class HandScript:
    """The script (``firmware_sim`` text format) and how long the drill should take with it (s)."""

    text: str
    duration: float
    lines: list[str] = field(default_factory=list, repr=False)


class _Hand:
    """Writes the script while keeping the estimated drill clock: ``t`` is the end of the script so
    far, ``due`` when the current phase's prompt appears, ``onset`` the estimated onset of the hold."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.lines: list[str] = []
        self.t = 0.0
        self.due = 0.0
        self.level = 0.0
        self.onset = math.nan
        self.steady_until = 0.0  # no wander before this (a slow step is a step once steady 3 s)

    def u(self, lo_hi: tuple[float, float]) -> float:
        return float(self.rng.uniform(*lo_hi))

    def emit(self, kind: str, seconds: float, rest: str = "") -> None:
        self.lines.append(f"{kind} {seconds:.2f}{rest}")
        self.t += round(seconds, 2)

    def wait(self, until: float) -> None:
        """Stay as the hand is until ``until``: off the cell, or holding (wandering a little)."""
        gap = until - self.t
        if gap < 0.05:
            return
        if self.level <= 0.0:
            self.emit("idle", gap)
            return
        wander = self.u((-WANDER_MAX, WANDER_MAX)) if gap >= 4.0 else 0.0
        if abs(wander) < 0.005:
            self.emit("hold", gap)
            return
        # Steady first, then a slow wander: well under the core's drift rates, it stays one hold.
        # After an ease the hand rests on the new barrier until the core can confirm the slow step
        # (the contract's "steady at the new level for 3 s"); a creep before that is no steadiness.
        steady = max(gap * self.u((0.3, 0.5)), min(gap, self.steady_until - self.t))
        self.emit("hold", steady)
        self.level *= 1.0 + wander
        self.emit("drift", gap - steady, f" to {self.level:.2f}")

    def react(self) -> None:
        self.wait(max(self.t, self.due) + self.u(REACTION_S))

    def aim(self, target: float) -> float:
        err = float(np.clip(self.rng.normal(0.0, AIM_SD), -AIM_MAX, AIM_MAX))
        return target * (1.0 + err)

    def pace(self) -> float:
        return self.u(TOO_FAST_PACE) if self.rng.random() < TOO_FAST_CHANCE else self.u(PACE)


def _move_seconds(change: float, limit: float | None, pace: float, peak: float) -> float:
    """How long a move of ``change`` N takes when its steepest slope is ``pace`` times the ``limit``
    (N/s); without a limit, at a comfortable 15 N/s."""
    rate = (limit if limit is not None and limit > 0 else 15.0 / peak) * pace
    return max(0.5, peak * abs(change) / rate)


def _aimed_target(plan: tuple[Phase, ...], i: int, level: float) -> float | None:
    """What a press or step at ``plan[i]`` aims at: its target (or ``by`` from ``level``), else the
    next hold's target; None: a barrier the hand finds."""
    p = plan[i]
    if p.target is not None:
        return p.target
    if p.by is not None:
        return level * (1.0 + p.by)
    if i + 1 < len(plan) and plan[i + 1].kind == "hold":
        return plan[i + 1].target
    return None


def _press(h: _Hand, plan: tuple[Phase, ...], i: int) -> None:
    p = plan[i]
    h.react()
    target = _aimed_target(plan, i, 0.0)
    level = h.aim(target) if target is not None else h.u(BARRIER_N)
    longest = max(1.0, p.timeout - CONFIRM_S - REACTION_S[1] - MARGIN_S)
    limit = p.ramp_limit(level)
    seconds = h.u(FREE_RAMP_S) if limit is None else _move_seconds(level, limit, h.pace(), MIN_JERK_PEAK)
    h.lines.append(f"# phase {i + 1}: {p.describe(target)}")
    h.emit("ramp", min(seconds, longest), f" to {level:.2f}")
    h.level = level
    h.onset = h.t
    h.due = h.t + CONFIRM_S + MARGIN_S


def _step(h: _Hand, plan: tuple[Phase, ...], i: int, own_pace: bool) -> None:
    p = plan[i]
    if not own_pace:
        h.react()
    target = _aimed_target(plan, i, h.level)
    level = h.aim(target) if target is not None else h.level * (1.0 + h.u(NEXT_BARRIER))
    change = level - h.level
    limit = p.ramp_limit(level)
    pace = h.pace()
    h.lines.append(f"# phase {i + 1}: {p.describe(target, h.level)}")
    fast = _move_seconds(change, limit, pace, MIN_JERK_PEAK)
    fastest_allowed = _move_seconds(change, limit, 1.0, MIN_JERK_PEAK)
    if fast <= FAST_STEP_S or fastest_allowed <= FAST_STEP_S:
        # A quick step (the core sees it at once), as slow as the pace asks but never a slow step.
        h.emit("step", min(fast, FAST_STEP_S), f" to {level:.2f}")
        h.due = h.t + CONFIRM_S + MARGIN_S
    else:
        # Too far for the limit in 2 s: eased onto the new level (a slow step, confirmed once steady).
        longest = min(SLOW_STEP_MAX_S, p.timeout - CONFIRM_EASE_S - REACTION_S[1] - MARGIN_S)
        slow = _move_seconds(change, limit, pace, EASE_PEAK)
        h.emit("ease", max(FAST_STEP_S + 0.6, min(slow, longest)), f" to {level:.2f}")
        h.due = h.t + CONFIRM_EASE_S + MARGIN_S
        h.steady_until = h.t + CONFIRM_EASE_S
    h.level = level
    h.onset = h.t


def _hold(h: _Hand, p: Phase, i: int) -> bool:
    """Hold as asked; True if the hand itself ends the hold (it gives) rather than a prompt."""
    h.lines.append(f"# phase {i + 1}: {p.describe(None)}")
    if p.duration is not None:
        # The next prompt comes when the press is confirmed and the hold's time is up, whichever is later.
        h.due = max(h.due, h.onset + p.duration + MARGIN_S)
        h.wait(h.due)
        return False
    lo, hi = float(p.min_duration or 0.0), float(p.max_duration or 0.0)
    gives = lo + h.u(GIVES_AFTER_S)
    gives = min(gives, lo + 0.5 * (hi - lo)) if hi > lo else lo
    end = max(h.due, h.onset + gives + MARGIN_S)
    if end >= h.onset + hi:  # it does not give in time: the drill moves on at the maximum
        h.due = max(h.due, h.onset + hi + MARGIN_S)
        h.wait(h.due)
        return False
    h.wait(end)
    h.due = h.t
    return True


def _release(h: _Hand, p: Phase, i: int, own_pace: bool) -> None:
    h.lines.append(f"# phase {i + 1}: {p.describe(None)}")
    if h.level <= 0.0:
        return  # already off the cell: the drill sees that at once
    if not own_pace:
        h.react()
    seconds = h.u((0.6, 1.2))
    h.emit("release", seconds)
    h.level = 0.0
    h.due = h.t - seconds * (1.0 - RELEASE_SEEN) + MARGIN_S


def _rest(h: _Hand, p: Phase, i: int) -> None:
    h.lines.append(f"# phase {i + 1}: {p.describe(None)}")
    h.due = max(h.due, h.t) + float(p.duration or 0.0)


def hand_script(drill: Drill, seed: int = 0) -> HandScript:
    """A script of a good hand playing ``drill`` from its first prompt (the same for the same seed)."""
    h = _Hand(np.random.default_rng([int(seed) & 0xFFFFFFFF, 0xD7177]))
    h.lines.append(f"# a simulated hand following the drill {drill.name!r} (seed {seed})")
    h.due = h.u(LEAD_IN_S) - REACTION_S[0]  # the first prompt is read before the hand moves
    own_pace = False  # the hand moves on by itself: after a hold "until it gives"
    plan = drill.plan
    for i, p in enumerate(plan):
        if p.kind == "press":
            _press(h, plan, i)
        elif p.kind == "step":
            _step(h, plan, i, own_pace)
        elif p.kind == "hold":
            own_pace = _hold(h, p, i)
            continue
        elif p.kind == "release":
            _release(h, p, i, own_pace)
        else:
            _rest(h, p, i)
        own_pace = False
    end = max(h.t, h.due)
    h.lines.append("# the drill is over")
    h.wait(end + TAIL_S)
    return HandScript("\n".join(h.lines) + "\n", end, h.lines)
