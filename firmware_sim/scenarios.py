"""What the hand does on the simulated device: named scenarios, custom scripts, endless sessions.

A *scenario* draws one session at a time from a seed: a :class:`~firmware_sim.hand.Hand` (segments
plus tremor), its ground-truth labels and the times at which the marker button is pressed. The
:class:`Player` lays sessions end to end for ever (session ``k`` uses seed ``seed + k``), evaluates
the force at any device time and keeps every label so far, shifted into device time.

Scenarios (``--scenario NAME``):

``session``
    A mixed therapy session (holds, fast and slow steps, drift, releases - some to light contact -,
    departures, a resting offset between presses in some sessions, touches, gliding strokes), exactly
    the session :func:`firmware_sim.traces.generate` draws for the same seed with ``noise_n=0.1`` and
    ``first_release_within=20``: its first hold is released (to zero) within the first 20 s.
``tppr``
    Trigger point pressure release: a slow ramp to a first barrier, a hold, the tissue gives (a slight
    drop that stays inside the band), then onto the next, deeper barrier - two of the three times
    eased slowly over 2.5-6 s (a slow step: its band exit is labelled), once a quick step - and held
    at least 4 s; then the release.
``steady``
    One long steady hold (60 s).
``drift``
    Three holds, each drifting slowly out of its band (15-25 %) just before the release.
``idle``
    No contact at all: only the sensor.

Custom scripts (``--script FILE``): one segment per line, ``#`` starts a comment, forces in newtons,
durations in seconds, levels carried over from the segment before::

    idle 2                     # nothing on the cell
    ramp 1.5 to 40             # minimum-jerk rise from the current level to 40 N
    hold 6                     # steady at the current level
    drift 4 to 34              # slow change (rounded corners) - a drift, not a step
    step 0.8 to 45             # quick change of level in contact (also: step 0.8 by +20%)
    ease 4 to 55               # slow change onto a new level (a slow step if held ≥ 3 s after it)
    mark                       # the client presses the marker button now
    hold 3
    release 0.5                # minimum-jerk drop to zero (also: release 0.5 to 4 - light contact)
    rest 2                     # the hand rests lightly at the level a release left
    lift 0.4                   # ... and lifts off (no label; also: lift 0.4 to 1)
    touch 0.5 peak 12          # a brief touch (< 1 s) peaking at 12 N
    stroke 4 mean 20 swing 0.4 freq 1    # a gliding stroke: 20 N ± 40 % at 1 Hz
    ramp 1 to 30
    hold 4
    depart 3 to 55 swing 0.35 freq 1.2   # leaves the hold fast, pumping around 55 N (the hold is 'left')
    release 0.5
    idle 3

A file ending in ``.json`` holds the same as a list of objects, e.g.
``[{"kind": "ramp", "duration": 1.5, "to": 40}, {"kind": "hold", "duration": 6}, {"kind": "mark"}]``
(keys: ``kind``, ``duration``, ``to``, ``by`` (fraction, e.g. 0.2), ``peak``, ``mean``, ``swing``,
``freq``). ``ramp`` from a pressing level is a step and ``ramp … to 0`` a release. The script must
not leave the hand pressing when an ``idle``, ``rest``, ``touch`` or ``stroke`` begins, nor anything
on the cell when an ``idle`` begins or when it ends. A script repeats for ever (each repetition draws
new tremor from the next seed).

Labels follow :mod:`firmware_sim.hand` (``contact``, ``hold``, ``step``, ``release``, ``band_exit``,
``departure``, ``rest``, ``touch``, ``stroke``), plus ``{"kind": "mark", "t": …}`` for marker presses.
Planned scenarios get their labels from :func:`label_segments`, which applies the contract's rules
to any segment sequence and gives exactly what :func:`~firmware_sim.hand.plan_session` gives for its
own sessions (a test holds the two equal).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from firmware_sim.hand import (
    BAND_TOLERANCE,
    CONTACT_THRESHOLD_N,
    DRIFT_RATE_RANGE,
    DRIFT_SETTLED_MAX_S,
    FAST_STEP_MAX_S,
    GAP_KINDS,
    HOLD_BAND,
    MIN_HOLD_S,
    SLOW_STEP_CORNER_RANGE,
    SLOW_STEP_DURATION_RANGE,
    SLOW_STEP_MAX_S,
    SLOW_STEP_RATE,
    SLOW_STEP_SETTLE_S,
    SLOW_STEP_SETTLED_MIN_S,
    STEP_MIN_CHANGE,
    FloatArray,
    Hand,
    Segment,
    SessionSpec,
    Tremor,
    departure_label,
    first_crossing,
    plan_session,
    release_label,
    rest_label,
    step_label,
)

SCENARIOS = ("session", "tppr", "steady", "drift", "idle")

#: Seed salt of :func:`firmware_sim.traces.generate`; reused so that ``session`` equals its sessions.
_TRACES_SALT = 0x4E4D54
#: Noise level whose session ``session`` reproduces (sets the lowest hold level: 50 × 0.1 = 5 N).
SESSION_NOISE_N = 0.1
#: ``session``: the first hold is released before this time (s), as the contract promises.
FIRST_RELEASE_WITHIN_S = 20.0

#: Segments of a hold: steady, drifting, or easing onto a new level (a slow step if it settles there).
_HOLDING = ("hold", "drift", "ease")
#: Segments that can bring the force into a hold.
_INTO_HOLD = ("ramp", "step", "ease", "drift")
#: Segments after which a contact is over.
_CONTACT_ENDS = ("release", "touch", "stroke")


class ScriptError(ValueError):
    """A script that cannot be played; the message names the file, the line and the fix."""


@dataclass(frozen=True)
class Plan:
    """One session: the hand, its labels and marker presses, all in session time (s from its start)."""

    hand: Hand
    labels: list[dict[str, Any]]
    marks: tuple[float, ...] = ()

    @property
    def duration(self) -> float:
        return self.hand.duration


# --------------------------------------------------------------------------------------------------
# Labels from segments
# --------------------------------------------------------------------------------------------------
def end_level(seg: Segment) -> float:
    """Force at the end of a segment (holds and rests keep ``f0``; touches and strokes end at ``base``)."""
    if seg.kind in ("hold", "rest"):
        return seg.f0
    if seg.kind == "idle":
        return 0.0
    if seg.kind in ("touch", "stroke"):
        return seg.base
    return seg.f1


def start_level(seg: Segment) -> float:
    """Force at the start of a segment (what a contact rises from: 0 or a resting level)."""
    if seg.kind == "idle":
        return 0.0
    if seg.kind in ("touch", "stroke"):
        return seg.base
    return seg.f0


def _label_time(label: dict[str, Any]) -> float:
    return float(label.get("t", label.get("start", 0.0)))


def label_segments(segments: Sequence[Segment], contact_threshold: float = CONTACT_THRESHOLD_N,
                   tolerance: float = BAND_TOLERANCE) -> list[dict[str, Any]]:
    """Ground-truth labels of any segment sequence, as :func:`~firmware_sim.hand.plan_session` gives them.

    The contract's rules (relative-band mode): a contact runs from a rise above the resting level to
    the end of its release (or touch, stroke); a hold is a run of ``hold``/``drift``/``ease`` segments;
    a slow change (``drift``/``ease``) that is completed within 8 s, changes the level by at least 10 %
    and is followed by at least 3 s steady is a step between two holds, otherwise a drift inside the
    hold; a hold ends at a step, a release or a departure (``left``). A band exit is the first time (per
    excursion) a slow change takes the clean force out of ``level·(1 ± tolerance)`` of its hold's
    settled level - drifts (required), and slow steps that cannot be told from drift until they settle
    (``optional``: the contract allows that exit but does not require it).
    """
    labels: list[dict[str, Any]] = []
    i, n = 0, len(segments)
    while i < n:
        if segments[i].kind in GAP_KINDS:
            if segments[i].kind == "rest":
                labels.append(rest_label(segments[i], contact_threshold))
            i += 1
            continue
        j = i + 1  # a contact ends after its release (or touch, stroke), or before a gap
        while j < n and segments[j].kind not in GAP_KINDS and segments[j - 1].kind not in _CONTACT_ENDS:
            j += 1
        labels.extend(_label_contact(segments, i, j, contact_threshold, tolerance))
        i = j
    labels.sort(key=_label_time)
    return labels


def is_slow_step(segs: Sequence[Segment], k: int, j: int, level: float) -> bool:
    """Whether the slow change ``segs[k]`` in a hold at ``level`` is a step (see :func:`label_segments`)."""
    s = segs[k]
    if s.kind not in ("drift", "ease") or s.f1 == s.f0 or level <= 0:
        return False
    settles = k + 1 < j and segs[k + 1].kind == "hold" and segs[k + 1].duration >= SLOW_STEP_SETTLE_S
    return settles and s.duration <= SLOW_STEP_MAX_S and abs(s.f1 / level - 1) >= STEP_MIN_CHANGE


def _label_contact(segs: Sequence[Segment], i: int, j: int, threshold: float,
                   tolerance: float) -> list[dict[str, Any]]:
    part = segs[i:j]
    kinds = {s.kind for s in part}
    of = "hold" if kinds & set(_HOLDING) else "stroke" if "stroke" in kinds else "touch"
    rest = start_level(part[0])
    out: list[dict[str, Any]] = []
    for s in part:  # the first rise of the contact threshold above the resting level
        t_c = first_crossing(s.evaluate, s.t0, s.t1, rest + threshold, True)
        if t_c is not None:
            out.append({"kind": "contact", "t": t_c, "start": part[0].t0, "of": of, "rest": rest})
            break
    hold: dict[str, Any] | None = None
    outside = False  # the clean force is outside the open hold's band (one exit per excursion)

    def close(end: float, ended_by: str, level_end: float) -> None:
        nonlocal hold
        if hold is not None:
            hold.update(end=end, ended_by=ended_by, level_end=level_end)
            out.append(hold)
            hold = None

    def exit_label(s: Segment, level: float, during: str) -> None:
        up = s.f1 > s.f0
        edge = level * (1 + tolerance if up else 1 - tolerance)
        t_exit = first_crossing(s.evaluate, s.t0, s.t1, edge, up)
        if t_exit is not None and t_exit > s.t0:
            out.append({"kind": "band_exit", "t": t_exit, "direction": "high" if up else "low",
                        "level": level, "during": during, "optional": during == "step"})

    for k in range(i, j):
        s = segs[k]
        if s.kind in _HOLDING:
            if hold is None:
                move = segs[k - 1] if k > i and segs[k - 1].kind in _INTO_HOLD else None
                level = s.f0
                in_band = None
                if move is not None:
                    rising = move.f1 > move.f0
                    in_band = first_crossing(move.evaluate, move.t0, move.t1,
                                             level * (1 - HOLD_BAND if rising else 1 + HOLD_BAND), rising)
                hold = {"kind": "hold", "start": s.t0, "end": s.t1, "level": level, "ended_by": "end_of_data",
                        "level_end": level, "drift": None,
                        "move_start": move.t0 if move is not None else None, "in_band": in_band}
                outside = False
            level = hold["level"]
            if s.t0 - hold["start"] >= MIN_HOLD_S and is_slow_step(segs, k, j, level):
                close(s.t0, "step", s.f0)
                out.append(step_label(s))
                if s.duration > FAST_STEP_MAX_S and not outside:
                    exit_label(s, level, "step")
            elif s.kind in ("drift", "ease"):
                if hold["drift"] is None and s.f1 != s.f0:
                    hold["drift"] = "up" if s.f1 > s.f0 else "down"
                if not outside:
                    exit_label(s, level, "drift")
                outside = abs(end_level(s) / level - 1) > tolerance if level else False
            if hold is not None:
                hold["end"], hold["level_end"] = s.t1, end_level(s)
            continue
        if hold is not None:
            ended_by = {"step": "step", "release": "release", "depart": "left"}.get(s.kind, "end_of_data")
            close(s.t0, ended_by, hold["level_end"])
        if s.kind == "touch":
            out.append({"kind": "touch", "start": s.t0, "end": s.t1, "peak": s.f0, "rest": s.base})
        elif s.kind == "stroke":
            out.append({"kind": "stroke", "start": s.t0, "end": s.t1, "mean": s.f0, "swing": s.amp,
                        "rest": s.base})
        elif s.kind == "step":
            out.append(step_label(s))
        elif s.kind == "release":
            out.append(release_label(s, threshold))
        elif s.kind == "depart":
            out.append(departure_label(s))
    if hold is not None:
        close(hold["end"], "end_of_data", hold["level_end"])
    return out


# --------------------------------------------------------------------------------------------------
# Planned scenarios
# --------------------------------------------------------------------------------------------------
class _Seq:
    """Lays segments end to end (levels carried over) - the builder of planned scenarios and scripts.

    ``level`` is the force now; ``pressing`` says whether it is a press (a contact that may hold) or
    what is left between contacts (nothing, or a hand resting lightly on the cell).
    """

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self.marks: list[float] = []
        self.t = 0.0
        self.level = 0.0
        self.pressing = False

    def add(self, kind: str, duration: float, **kw: float) -> Segment:
        seg = Segment(kind, self.t, self.t + duration, **kw)
        self.segments.append(seg)
        self.t = seg.t1
        self.level = end_level(seg)
        self.pressing = kind in ("ramp", "hold", "drift", "step", "ease", "depart")
        return seg

    def idle(self, d: float) -> None:
        self.add("idle", d)

    def move(self, d: float, to: float) -> None:
        """Ramp from the resting level, step while pressing, or release to zero."""
        if not self.pressing:
            self.add("ramp", d, f0=self.level, f1=to)
        else:
            self.add("release" if to == 0 else "step", d, f0=self.level, f1=to)

    def release(self, d: float, to: float = 0.0) -> None:
        """Let go to ``to`` (0, or light contact the hand then rests at)."""
        self.add("release", d, f0=self.level, f1=to)

    def hold(self, d: float) -> None:
        self.add("hold", d, f0=self.level)

    def drift(self, d: float, to: float, corner: float = 0.2) -> None:
        self.add("drift", d, f0=self.level, f1=to, edge=corner * d)

    def ease(self, d: float, to: float, corner: float = 0.25) -> None:
        self.add("ease", d, f0=self.level, f1=to, edge=corner * d)

    def rest(self, d: float) -> None:
        self.add("rest", d, f0=self.level)

    def lift(self, d: float, to: float = 0.0) -> None:
        self.add("lift", d, f0=self.level, f1=to)

    def depart(self, d: float, mean: float, swing: float, freq: float, edge: float = 0.3) -> None:
        self.add("depart", d, f0=self.level, f1=mean, amp=swing, freq=freq,
                 phase=0.0 if mean > self.level else math.pi, edge=min(edge, d / 3))


def _rng(seed: int, salt: int) -> np.random.Generator:
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, salt])


def _finish(seq: _Seq, rng: np.random.Generator | None, tremor: Tremor | None = None) -> Plan:
    if tremor is None:
        tremor = Tremor.draw(rng) if rng is not None else Tremor()
    hand = Hand(tuple(seq.segments), tremor)
    labels = label_segments(seq.segments)
    labels.extend({"kind": "mark", "t": t} for t in seq.marks)
    labels.sort(key=_label_time)
    return Plan(hand, labels, tuple(seq.marks))


def plan_session_scenario(seed: int) -> Plan:
    """The ``session`` scenario: :func:`firmware_sim.traces.generate`'s hand for this seed."""
    hand_ss, _ = np.random.SeedSequence([int(seed), _TRACES_SALT]).spawn(2)
    spec = SessionSpec(min_level=max(SessionSpec.min_level, 50.0 * SESSION_NOISE_N),
                       first_release_within=FIRST_RELEASE_WITHIN_S)
    hand, labels = plan_session(np.random.default_rng(hand_ss), spec)
    return Plan(hand, labels)


def plan_tppr(seed: int) -> Plan:
    """Trigger point pressure release: ramp slowly to a barrier, hold, the tissue gives, onto the next; 3×.

    Two of the three moves onto a deeper barrier are eased over 2.5-6 s at a drift-like rate (under
    10 %/s: slow steps, each crossing the band before it settles), one is a quick step; every new
    barrier is held at least 4 s before the tissue gives (4-7 %, inside the band) and is at least 15 %
    above the barrier before it.
    """
    rng = _rng(seed, 0x7099)
    s = _Seq()
    s.idle(float(rng.uniform(1.5, 3.0)))
    s.move(float(rng.uniform(3.0, 5.0)), float(rng.uniform(15.0, 30.0)))  # slow: feeling for the barrier
    slow = [bool(x) for x in rng.permutation([True, True, False])]
    for k in range(4):
        after_slow = k > 0 and slow[k - 1]
        s.hold(float(rng.uniform(SLOW_STEP_SETTLED_MIN_S, 6.0) if after_slow else rng.uniform(3.0, 6.0)))
        barrier = s.level
        # The tissue gives: the force sags 4-7 % over 2-4 s (stays inside the ±10 % band), then settles.
        s.drift(float(rng.uniform(2.0, 4.0)), s.level * (1 - float(rng.uniform(0.04, 0.07))), corner=0.25)
        s.hold(float(rng.uniform(1.5, 3.0)))
        if k == 3:
            break
        if slow[k]:
            to = max(s.level * (1 + float(rng.uniform(0.18, 0.3))), barrier * 1.15)
            change = to / s.level - 1
            dur = float(rng.uniform(max(SLOW_STEP_DURATION_RANGE[0], change / SLOW_STEP_RATE),
                                    SLOW_STEP_DURATION_RANGE[1]))
            s.ease(dur, to, corner=float(rng.uniform(*SLOW_STEP_CORNER_RANGE)))
        else:
            frac = float(rng.uniform(0.2, 0.35))
            to = max(s.level * (1 + frac), barrier * 1.15)
            s.move(float(rng.uniform(0.8, min(1.5, frac / 0.2))), to)
    s.move(float(rng.uniform(0.8, 1.5)), 0.0)
    s.idle(float(rng.uniform(3.0, 5.0)))
    return _finish(s, rng)


def plan_steady(seed: int) -> Plan:
    """One long steady hold."""
    rng = _rng(seed, 0x57EA)
    s = _Seq()
    s.idle(2.0)
    s.move(float(rng.uniform(1.0, 2.0)), float(rng.uniform(20.0, 60.0)))
    s.hold(60.0)
    s.move(float(rng.uniform(0.4, 0.8)), 0.0)
    s.idle(3.0)
    return _finish(s, rng)


def plan_drift(seed: int) -> Plan:
    """Three holds that drift slowly out of their band (15-25 %, at 4-7 %/s) before the release.

    Each is let go within a second of the drift's end: had the force stayed steady at the new level
    for 3 s, the contract would call the change a slow step.
    """
    rng = _rng(seed, 0xD21F)
    s = _Seq()
    s.idle(float(rng.uniform(1.0, 2.0)))
    for _ in range(3):
        level = float(rng.uniform(15.0, 80.0))
        s.move(float(rng.uniform(1.0, 2.0)), level)
        s.hold(float(rng.uniform(3.0, 6.0)))
        mag = float(rng.uniform(0.15, 0.25)) * (1 if rng.random() < 0.5 else -1)
        dur = float(np.clip(abs(mag) / rng.uniform(*DRIFT_RATE_RANGE), 3.0, 6.0))
        s.drift(dur, level * (1 + mag), corner=float(rng.uniform(0.1, 0.25)))
        s.hold(float(rng.uniform(0.5, DRIFT_SETTLED_MAX_S)))
        s.move(float(rng.uniform(0.3, 1.0)), 0.0)
        s.idle(float(rng.uniform(2.0, 4.0)))
    return _finish(s, rng)


def plan_idle(seed: int) -> Plan:
    """No contact: 30 s of nothing on the cell."""
    s = _Seq()
    s.idle(30.0)
    return _finish(s, None)


PLANNERS: dict[str, Callable[[int], Plan]] = {
    "session": plan_session_scenario, "tppr": plan_tppr, "steady": plan_steady, "drift": plan_drift,
    "idle": plan_idle,
}


# --------------------------------------------------------------------------------------------------
# Scripts
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One parsed script entry (``line`` for error messages)."""

    kind: str
    line: int
    duration: float = 0.0
    to: float | None = None
    by: float | None = None
    peak: float = 0.0
    mean: float = 0.0
    swing: float = 0.3
    freq: float = 1.0


_SCRIPT_KINDS = ("idle", "ramp", "hold", "drift", "step", "ease", "release", "rest", "lift", "depart",
                 "touch", "stroke", "mark")
_NEEDS_TARGET = ("ramp", "drift", "step", "ease", "depart")


def _number(text: str, where: str, what: str) -> float:
    try:
        v = float(text.rstrip("%")) / (100.0 if text.endswith("%") else 1.0)
    except ValueError:
        raise ScriptError(f"{where}: {what} {text!r} is not a number") from None
    if not math.isfinite(v):
        raise ScriptError(f"{where}: {what} must be finite")
    return v


def _parse_text(text: str, name: str) -> list[Step]:
    steps: list[Step] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        words = raw.split("#", 1)[0].split()
        if not words:
            continue
        where = f"{name} line {lineno}"
        kind = words[0].lower()
        if kind not in _SCRIPT_KINDS:
            raise ScriptError(f"{where}: unknown segment {words[0]!r}; use one of {', '.join(_SCRIPT_KINDS)}")
        kw: dict[str, Any] = {}
        rest = words[1:]
        if kind != "mark":
            if not rest:
                raise ScriptError(f"{where}: {kind} needs a duration in seconds, e.g. '{kind} 2'")
            kw["duration"] = _number(rest[0], where, "duration")
            rest = rest[1:]
        if len(rest) % 2:
            raise ScriptError(f"{where}: expected 'KEY VALUE' pairs after the duration, "
                              f"got {' '.join(rest)!r}")
        for key, val in zip(rest[::2], rest[1::2], strict=True):
            key = key.lower()
            if key not in ("to", "by", "peak", "mean", "swing", "freq"):
                raise ScriptError(f"{where}: unknown key {key!r} (to, by, peak, mean, swing, freq)")
            kw[key] = _number(val, where, key)
        steps.append(_make_step(kind, lineno, kw, where))
    return steps


def _parse_json(text: str, name: str) -> list[Step]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScriptError(f"{name}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if isinstance(doc, dict):
        doc = doc.get("segments")
    if not isinstance(doc, list):
        raise ScriptError(f"{name}: expected a list of segments (or {{\"segments\": [...]}})")
    steps = []
    for i, item in enumerate(doc, 1):
        where = f"{name} segment {i}"
        if not isinstance(item, dict) or not isinstance(item.get("kind"), str):
            raise ScriptError(f"{where}: each segment is an object with a \"kind\"")
        kind = item["kind"].lower()
        if kind not in _SCRIPT_KINDS:
            raise ScriptError(f"{where}: unknown kind {item['kind']!r}; "
                              f"use one of {', '.join(_SCRIPT_KINDS)}")
        kw = {}
        for k, v in item.items():
            if k == "kind":
                continue
            if k not in ("duration", "to", "by", "peak", "mean", "swing", "freq"):
                raise ScriptError(f"{where}: unknown key {k!r}")
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise ScriptError(f"{where}: {k} must be a number")
            kw[k] = float(v)
        if kind != "mark" and "duration" not in kw:
            raise ScriptError(f"{where}: {kind} needs a \"duration\" in seconds")
        steps.append(_make_step(kind, i, kw, where))
    return steps


def _make_step(kind: str, line: int, kw: dict[str, Any], where: str) -> Step:
    if kind != "mark" and not kw.get("duration", 0) > 0:
        raise ScriptError(f"{where}: the duration must be positive")
    if kind in _NEEDS_TARGET and ("to" in kw) == ("by" in kw):
        raise ScriptError(f"{where}: {kind} needs the new level: 'to NEWTONS' or 'by +20%'")
    if kind == "ramp" and "by" in kw:
        raise ScriptError(f"{where}: ramp needs 'to NEWTONS'")
    if kind == "touch" and not kw.get("peak", 0) > 0:
        raise ScriptError(f"{where}: touch needs 'peak NEWTONS' (positive)")
    if kind == "stroke" and not kw.get("mean", 0) > 0:
        raise ScriptError(f"{where}: stroke needs 'mean NEWTONS' (positive)")
    if kw.get("to", 0) < 0:
        raise ScriptError(f"{where}: the level must not be negative")
    return Step(kind=kind, line=line, **kw)


def load_script(path: str | Path) -> list[Step]:
    """Parse a script file (text, or JSON if the name ends in ``.json``); raises :class:`ScriptError`."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScriptError(f"cannot read script {p}: {getattr(exc, 'strerror', None) or exc}") from None
    steps = _parse_json(text, p.name) if p.suffix.lower() == ".json" else _parse_text(text, p.name)
    build_script(steps, p.name)  # validate now, so errors show at start-up
    if not any(s.kind != "mark" for s in steps):
        raise ScriptError(f"{p.name}: the script has no segments")
    return steps


def build_script(steps: Sequence[Step], name: str = "script") -> _Seq:
    """Lay a parsed script out as segments; raises :class:`ScriptError` for impossible sequences."""
    s = _Seq()
    for st in steps:
        where = f"{name} line {st.line}"
        pressing = s.pressing
        if st.kind in ("idle", "rest", "touch", "stroke") and pressing:
            raise ScriptError(f"{where}: {st.kind} while pressing ({s.level:g} N); add a 'release' first")
        if st.kind == "mark":
            s.marks.append(s.t)
        elif st.kind == "idle":
            if s.level > 0:
                raise ScriptError(f"{where}: idle while the hand rests at {s.level:g} N; add a 'lift' first")
            s.idle(st.duration)
        elif st.kind in ("rest", "lift"):
            if s.level <= 0:
                raise ScriptError(f"{where}: {st.kind} with nothing on the cell; use 'idle' "
                                  "(a hand rests after 'release D to NEWTONS')")
            to = st.to or 0.0
            if st.kind == "rest":
                s.rest(st.duration)
            elif to >= s.level:
                raise ScriptError(f"{where}: lift must go below the resting level ({s.level:g} N)")
            else:
                s.lift(st.duration, to)
        elif st.kind in ("hold", "drift", "step", "ease", "release", "depart") and not pressing:
            raise ScriptError(f"{where}: {st.kind} with nothing applied; start with 'ramp D to NEWTONS'")
        elif st.kind == "hold":
            s.hold(st.duration)
        elif st.kind == "release":
            to = st.to or 0.0
            if to >= s.level:
                raise ScriptError(f"{where}: release must go below the level ({s.level:g} N)")
            s.release(st.duration, to)
        elif st.kind in ("ramp", "step", "drift", "ease", "depart"):
            to = st.to if st.to is not None else s.level * (1.0 + (st.by or 0.0))
            if to == s.level:
                raise ScriptError(f"{where}: {st.kind} to the current level; use 'hold' instead")
            if st.kind == "ramp" and not pressing and to < s.level:
                raise ScriptError(f"{where}: ramp below the resting level ({s.level:g} N); use 'lift'")
            if st.kind == "drift":
                s.drift(st.duration, to)
            elif st.kind == "ease":
                s.ease(st.duration, to)
            elif st.kind == "depart":
                s.depart(st.duration, to, st.swing, st.freq)
            else:
                s.move(st.duration, to)
        elif st.kind == "touch":
            if st.peak <= s.level:
                raise ScriptError(f"{where}: touch must peak above the resting level ({s.level:g} N)")
            s.add("touch", st.duration, f0=st.peak, edge=0.4 * st.duration, base=s.level)
        elif st.kind == "stroke":
            s.add("stroke", st.duration, f0=st.mean, amp=st.swing, freq=st.freq,
                  edge=min(0.5, 0.25 * st.duration), base=s.level)
    if s.pressing:
        raise ScriptError(f"{name}: the script ends pressing ({s.level:g} N); end it with 'release D'")
    if s.level > 0:
        raise ScriptError(f"{name}: the script ends with the hand resting at {s.level:g} N; "
                          "end it with 'lift D'")
    return s


def script_planner(steps: Sequence[Step], name: str = "script") -> Callable[[int], Plan]:
    """A planner that plays the script, with tremor drawn from each session's seed."""

    def plan(seed: int) -> Plan:
        return _finish(build_script(steps, name), _rng(seed, 0x5C21))

    return plan


# --------------------------------------------------------------------------------------------------
# Endless playback
# --------------------------------------------------------------------------------------------------
_TIME_KEYS = ("t", "t_end", "start", "end", "move_start", "in_band")


def _shift(label: dict[str, Any], dt: float, session: int) -> dict[str, Any]:
    out = {k: (v + dt if k in _TIME_KEYS and v is not None else v) for k, v in label.items()}
    out["session"] = session
    return out


@dataclass
class _Session:
    start: float  # device seconds (unwrapped) of the session's t = 0
    plan: Plan
    seg_starts: FloatArray

    @property
    def end(self) -> float:
        return self.start + self.plan.duration


@dataclass
class Player:
    """Sessions of one planner laid end to end from device time ``t0`` (s) for ever.

    ``force(t)`` needs times in increasing chunks (the ADC asks for the next conversions each time);
    sessions are planned as time reaches them and kept only while they may still be needed. A player
    made ``waiting`` keeps the cell empty (no session, no label) until :meth:`begin` says when the first
    session starts: the hand that waits for the host (``--wait-for-host``).
    """

    planner: Callable[[int], Plan]
    seed: int = 0
    t0: float = 0.0
    waiting: bool = False
    labels: list[dict[str, Any]] = field(default_factory=list)
    sessions_started: int = 0
    _live: list[_Session] = field(default_factory=list)
    _marks: list[float] = field(default_factory=list)
    _origin: float | None = None  # start of the first session when it is not t0 (see begin)

    def begin(self, t: float) -> None:
        """A waiting player starts now: its first session begins at device time ``t`` (s)."""
        if self.waiting:
            self.waiting = False
            self._origin = t

    def _plan_next(self) -> _Session:
        start = self._live[-1].end if self._live else self._first_start
        k = self.sessions_started
        plan = self.planner(self.seed + k)
        if plan.duration <= 0:
            raise ValueError("a session must last longer than zero seconds")
        sess = _Session(start, plan, np.array([s.t0 for s in plan.hand.segments]))
        self._live.append(sess)
        self.labels.extend(_shift(lab, start, k) for lab in plan.labels)
        self._marks.extend(start + m for m in plan.marks)
        self.sessions_started += 1
        return sess

    @property
    def _first_start(self) -> float:
        return self.t0 if self._origin is None else self._origin

    def ensure(self, t: float) -> None:
        """Plan sessions up to device time ``t``; forget sessions that ended a while before it."""
        if self.waiting:
            return
        if not self._live:
            self._plan_next()
        while self._live[-1].end <= t:
            self._plan_next()
        while len(self._live) > 1 and self._live[0].end < t - 60.0:
            self._live.pop(0)

    @property
    def current_start(self) -> float:
        return self._live[-1].start if self._live else self._first_start

    def force(self, t: FloatArray) -> FloatArray:
        """What the hand applies (N) at device times ``t`` (s); zero before ``t0``."""
        out = np.zeros_like(t)
        if t.size == 0 or self.waiting:
            return out
        self.ensure(float(t.max()))
        lo = float(t.min())
        for sess in self._live:
            if sess.end <= lo or sess.start > float(t.max()):
                continue
            m = (t >= sess.start) & (t < sess.end)
            if m.any():
                out[m] = _session_force(sess, t[m] - sess.start)
        return out

    def take_marks(self, until: float) -> list[float]:
        """The device times (s) of the marker presses up to ``until``; they are then forgotten."""
        k = 0
        while k < len(self._marks) and self._marks[k] <= until:
            k += 1
        taken = self._marks[:k]
        del self._marks[:k]
        return taken

    def pop_marks(self, until: float) -> int:
        """How many marker presses happened up to device time ``until``; they are then forgotten."""
        k = 0
        while k < len(self._marks) and self._marks[k] <= until:
            k += 1
        del self._marks[:k]
        return k


def _session_force(sess: _Session, ts: FloatArray) -> FloatArray:
    """The hand's force at session times ``ts`` - only the few segments they fall in are evaluated."""
    hand = sess.plan.hand
    segs = hand.segments
    idx = np.searchsorted(sess.seg_starts, ts, side="right") - 1
    clean = np.zeros_like(ts)
    for i in range(max(int(idx.min()), 0), int(idx.max()) + 1):
        seg = segs[i]
        if seg.kind == "idle":
            continue
        m = idx == i
        if m.any():
            clean[m] = seg.evaluate(ts[m])
    if not clean.any():
        return clean
    return clean * (1.0 + hand.tremor.relative(ts))


def planner_for(scenario: str, script: str | Path | None = None) -> Callable[[int], Plan]:
    """The planner of a named scenario, or of a script file (raises ScriptError or KeyError)."""
    if script is not None:
        return script_planner(load_script(script), Path(script).name)
    return PLANNERS[scenario]


def save_labels(path: str, player: Player, meta: dict[str, Any]) -> None:
    """Write a labels file: ``meta`` (the device's own facts) plus the sessions ``player`` has begun,
    and every label so far. Atomically (written aside, then renamed), so a reader never sees half."""
    full = {**meta, "sessions": player.sessions_started, "current_session_start": player.current_start,
            "note": "labels of every session begun so far, the current one included in full (planned)"}
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump({"meta": full, "labels": player.labels}, fh, indent=1)
    os.replace(tmp, path)
