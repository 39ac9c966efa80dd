"""Playing a drill: which phase is on, what to tell the user, and when each phase is done.

:class:`DrillRun` is a listener (it hangs off the reader thread beside the recorder and the views)
and does no detection of its own: phases advance on the core's events (a press is done when the core
confirms a hold; a step when the new hold is confirmed; a release when the core reports it) and on
device time (a hold of 15 s is 15 s after the hold's onset, a rest 10 s after the release). Device
time, not the wall clock, so a drill replayed from a recording plays exactly as it did live.

When something does not go to plan the drill moves on instead of waiting for ever: a press or step
that does not come within its ``timeout`` is recorded as missed, and so is everything up to the next
phase the hand can do from where it is (a release ends any contact phase early, the hold it ends is
recorded as short).

A hold can also end without an event: the core's finished :class:`~nmt_pressure.core.events.Hold` says
``ended_by="left"`` (the force left the level fast and neither came back nor settled) or
``"end_of_data"`` (a silence too long to bridge). For a hold phase that is the end of its hold, at the
hold's end, like a step or release: short if it came before the phase's time (a "hold until it gives"
that lasted its minimum is done), and the drill goes on with the next phase. The hand is still on the
cell, so no phase is skipped: a following hold finds no hold to keep (missed), a step is completed by
the next hold that forms, its approach dated from the departure's onset. A contact without a hold ends
with no release event, so a release phase is also completed when the core reports no contact while no
hold is open.

Everything the user is told goes through ``on_prompt`` (one :class:`Prompt` per phase); the samples
it saw are kept for scoring (:mod:`nmt_pressure.practice.score`).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nmt_pressure.core.events import STATE_IDLE, Event, Hold
from nmt_pressure.link.calibration import Samples
from nmt_pressure.link.listeners import Listener
from nmt_pressure.practice.spec import Drill, Phase

__all__ = ["DrillRun", "PhaseRecord", "Prompt", "play_offline"]

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Prompt:
    """What to show when a phase begins: the instruction, the band and until when (device time)."""

    index: int  # 0-based position in the drill's plan
    total: int
    kind: str
    text: str
    t: float
    target: float | None
    band: tuple[float, float] | None
    #: Device time at which a timed phase (hold, rest) ends; None for phases that wait for the user.
    until: float | None


@dataclass
class PhaseRecord:
    """How one phase went. ``status``: ``done``, ``short`` (a hold ended early), ``missed``
    (timed out, or skipped because the hand was not where the phase needs it), or ``open``."""

    index: int
    phase: Phase
    start: float
    end: float = math.nan
    status: str = "open"
    target: float | None = None
    #: Hold phases: the hold's onset and the level the core confirmed it at ...
    hold_onset: float = math.nan
    #: ... and when it told it (its hold_start's t_detected: the finished Hold's ``confirmed``).
    hold_told: float = math.nan
    level: float = math.nan
    #: Press/step phases: where the approach began (the contact or step onset).
    ramp_start: float = math.nan
    note: str = ""


class DrillRun(Listener):
    """One play of a drill, fed by the reader thread (or by :func:`play_offline`)."""

    def __init__(self, drill: Drill, on_prompt: Callable[[Prompt], None] | None = None,
                 on_finish: Callable[[DrillRun], None] | None = None) -> None:
        self.drill = drill
        self.plan = drill.plan
        self.on_prompt = on_prompt or (lambda p: None)
        self.on_finish = on_finish or (lambda r: None)
        self.records: list[PhaseRecord] = []
        self.prompt: Prompt | None = None
        self.finished = False
        #: True once every phase has been played (False if the drill was stopped early).
        self.completed = False
        self.now = math.nan
        self._lock = threading.Lock()
        self._t: list[F64] = []
        self._force: list[F64] = []
        self._filtered: list[F64] = []
        self.events: list[Event] = []
        self._contact = False
        self._hold_onset = math.nan  # onset of the hold the core is in now (NaN: none) ...
        self._hold_told = math.nan  # ... and when the core told it (its Hold's ``confirmed``)
        self._hold_level = math.nan
        self._contact_onset = math.nan
        self._step_onset = math.nan
        self._level = math.nan  # the last hold's level: the reference of a relative step
        self._target: float | None = None

    # ------------------------------------------------------------------ listener
    def on_samples(self, block: Samples, filtered: float, state: int) -> None:
        with self._lock:
            if self.finished:
                return
            self._t.append(np.asarray(block.t, dtype=np.float64).copy())
            self._force.append(np.asarray(block.force, dtype=np.float64).copy())
            f = block.filtered if block.filtered is not None else np.full(block.t.size, filtered)
            self._filtered.append(np.asarray(f, dtype=np.float64).copy())
            self.now = float(block.t[-1])
            if state == STATE_IDLE and math.isnan(self._hold_onset):
                # No contact and no hold whose release event may still be on its way in this block:
                # the hand is off (a contact that lost its hold ends without a release event).
                self._contact = False
            if not self.records:
                self._begin(0, float(block.t[0]))
            self._tick()

    def on_event(self, event: Event) -> None:
        with self._lock:
            if self.finished:
                return
            self.events.append(event)
            self._track(event)
            if self.records:
                self._handle(event)

    def on_hold(self, hold: Hold) -> None:
        with self._lock:
            if self.finished or hold.confirmed != self._hold_told:
                return  # not the hold the hand is in: its step or release event told its end already
            # It ended "left" or "end_of_data", which no event marks.
            self._hold_onset = math.nan
            if hold.ended_by == "left":
                # Whatever comes next (a new hold, if one forms) was approached from the departure.
                self._step_onset = hold.end
            if self.records:
                self._hold_ended(hold)

    # ------------------------------------------------------------------ state
    def trace(self) -> tuple[F64, F64, F64]:
        """Every sample seen while the drill ran: time, force, filtered force."""
        with self._lock:
            if not self._t:
                empty = np.empty(0)
                return empty, empty, empty
            return np.concatenate(self._t), np.concatenate(self._force), np.concatenate(self._filtered)

    def remaining(self, prompt: Prompt | None = None) -> float | None:
        """Seconds left in a timed phase (hold, rest), at the newest sample's time: the current
        prompt's, or ``prompt``'s (a display may still show one the run has moved past)."""
        p = self.prompt if prompt is None else prompt
        if p is None or p.until is None or math.isnan(self.now):
            return None
        return max(0.0, p.until - self.now)

    def abort(self, reason: str = "stopped") -> None:
        """End the drill now (Ctrl-C, the device gone for good); the open phase is recorded as missed."""
        with self._lock:
            if self.finished:
                return
            if self.records and self.records[-1].status == "open":
                rec = self.records[-1]
                self._close(rec, self.now, "short" if rec.phase.kind == "hold" and
                            not math.isnan(rec.hold_onset) else "missed", reason)
            self.finished = True
        self.on_finish(self)

    # ------------------------------------------------------------------ internals
    def _track(self, e: Event) -> None:
        """What the core says about the hand, whatever phase is on."""
        if e.kind == "contact":
            self._contact, self._contact_onset, self._step_onset = True, e.t, math.nan
        elif e.kind == "hold_start":
            self._hold_onset, self._hold_level = e.t, float(e.level or math.nan)
            self._hold_told = e.t_detected
        elif e.kind == "step":
            self._step_onset = e.t
            self._hold_onset = math.nan
        elif e.kind == "release":
            self._contact, self._hold_onset = False, math.nan

    def _phase_target(self, phase: Phase) -> float | None:
        if phase.kind in ("press", "step") and phase.target is not None:
            return phase.target
        if phase.kind == "step" and phase.by is not None and not math.isnan(self._level):
            return self._level * (1.0 + phase.by)
        if phase.kind == "hold":
            return phase.target if phase.target is not None else self._target
        return None

    def _begin(self, index: int, t: float) -> None:
        if index >= len(self.plan):
            self.finished = self.completed = True
            self.prompt = None
            self.on_finish(self)
            return
        phase = self.plan[index]
        target = self._phase_target(phase)
        rec = PhaseRecord(index=index, phase=phase, start=t, target=target)
        self.records.append(rec)
        if phase.kind in ("press", "step"):
            self._target = target
        until = None
        if phase.kind == "hold":
            onset = self._hold_onset
            rec.hold_onset, rec.level = onset, self._hold_level
            rec.hold_told = self._hold_told
            if math.isnan(onset):  # the press before it was missed: nothing to hold
                self._close(rec, t, "missed", "no hold to keep")
                self._begin(index + 1, t)
                return
            if target is None:
                rec.target = target = self._hold_level  # relative band: keep what you found
            span = phase.duration if phase.duration is not None else phase.max_duration
            until = onset + float(span or 0.0)
        elif phase.kind == "rest":
            until = t + float(phase.duration or 0.0)
        band = None
        if target is not None and phase.kind in ("press", "step", "hold"):
            band = (target * (1.0 - phase.tolerance), target * (1.0 + phase.tolerance))
        self.prompt = Prompt(index=index, total=len(self.plan), kind=phase.kind,
                             text=phase.describe(target, None if math.isnan(self._level) else self._level),
                             t=t, target=target, band=band, until=until)
        self.on_prompt(self.prompt)
        if phase.kind == "release" and not self._contact:
            self._close(rec, t, "done", "already released")
            self._begin(index + 1, t)

    def _close(self, rec: PhaseRecord, t: float, status: str, note: str = "") -> None:
        rec.end, rec.status, rec.note = t, status, note

    def _next(self, t: float) -> None:
        self._begin(self.records[-1].index + 1, t)

    def _skip_to_hands_off(self, t: float, why: str) -> None:
        """The hand left the cell during contact phases: miss them up to the next release/rest/press."""
        i = self.records[-1].index + 1
        while i < len(self.plan) and self.plan[i].kind in ("hold", "step"):
            self.records.append(PhaseRecord(index=i, phase=self.plan[i], start=t, end=t, status="missed",
                                            note=why))
            i += 1
        self._begin(i, t)

    def _tick(self) -> None:
        """Timers: holds and rests end on device time; presses, steps and releases time out."""
        while not self.finished and self.records:
            rec = self.records[-1]
            p, now = rec.phase, self.now
            if rec.status != "open":
                return
            if p.kind == "hold":
                span = p.duration if p.duration is not None else p.max_duration
                if now >= rec.hold_onset + float(span or 0.0):
                    self._close(rec, rec.hold_onset + float(span or 0.0), "done")
                    self._level = rec.level
                    self._next(rec.end)
                    continue
            elif p.kind == "rest":
                if now >= rec.start + float(p.duration or 0.0):
                    self._close(rec, rec.start + float(p.duration or 0.0), "done")
                    self._next(rec.end)
                    continue
            elif p.kind == "release" and not self._contact:
                # Off the cell without a release event (the contact had lost its hold): done.
                self._close(rec, now, "done", "off the cell")
                self._next(now)
                continue
            elif now - rec.start >= p.timeout:
                self._close(rec, now, "missed", f"no {p.kind} within {p.timeout:g} s")
                if p.kind in ("press", "step"):
                    self._skip_to_hands_off(now, f"the {p.kind} before it was missed")
                else:
                    self._next(now)
                continue
            return

    def _handle(self, e: Event) -> None:
        rec = self.records[-1]
        if rec.status != "open":
            return
        p = rec.phase
        if p.kind in ("press", "step") and e.kind == "hold_start" and e.t_detected >= rec.start:
            rec.ramp_start = self._step_onset if p.kind == "step" else self._contact_onset
            if p.kind == "step" and math.isnan(rec.ramp_start):
                rec.ramp_start = rec.start
            self._level = float(e.level or math.nan)
            self._close(rec, e.t, "done")
            self._next(e.t_detected)
        elif p.kind == "hold" and e.kind in ("step", "release"):
            required = p.required_hold or 0.0
            # "Hold until it gives" (min/max) ends whenever the hand moves on after the minimum; a
            # fixed-duration hold that ends before its time is short.
            ok = p.duration is None and e.t - rec.hold_onset >= required
            self._close(rec, e.t, "done" if ok else "short",
                        "" if ok else f"{e.kind} after {e.t - rec.hold_onset:.1f} s")
            self._level = rec.level
            if e.kind == "release":
                self._skip_to_hands_off(e.t, "the hand was off the cell")
                self._release_now(e)
            else:
                # The core confirms the step's new hold in the same breath (a hold_start right after
                # this event), which completes the step phase begun here.
                self._next(e.t)
        elif p.kind == "release" and e.kind == "release" and e.t_detected >= rec.start:
            self._close(rec, e.t, "done")
            self._next(e.t_detected)
        elif p.kind == "step" and e.kind == "release":
            self._close(rec, e.t, "missed", "released instead of stepping")
            self._skip_to_hands_off(e.t, "the hand was off the cell")
            self._release_now(e)

    def _hold_ended(self, h: Hold) -> None:
        """The hold of the open hold phase ended without an event (``left``, ``end_of_data``): the
        phase ends there, as at a step (the hand may still be on the cell)."""
        rec = self.records[-1]
        if rec.status != "open" or rec.phase.kind != "hold" or rec.hold_told != h.confirmed:
            return
        p = rec.phase
        held = h.end - rec.hold_onset
        ok = p.duration is None and held >= (p.required_hold or 0.0)
        why = "left the level" if h.ended_by == "left" else "the data stopped"
        self._close(rec, h.end, "done" if ok else "short", "" if ok else f"{why} after {held:.1f} s")
        self._level = rec.level
        self._next(h.end)

    def _release_now(self, e: Event) -> None:
        """A release that came during a contact phase also completes the release phase now due."""
        rec = self.records[-1]
        if rec.phase.kind == "release" and rec.status == "open":
            self._close(rec, e.t, "done", "released early")
            self._next(e.t_detected)


def play_offline(drill: Drill, t: npt.ArrayLike, force: npt.ArrayLike, cfg: object | None = None,
                 block: int = 50, on_prompt: Callable[[Prompt], None] | None = None) -> DrillRun:
    """Play a drill over a recorded trace through the core, block by block as the reader would."""
    from nmt_pressure.core.config import DetectorConfig
    from nmt_pressure.core.detector import Detector, estimate_sample_rate

    ta = np.ascontiguousarray(t, dtype=np.float64)
    fa = np.ascontiguousarray(force, dtype=np.float64)
    if cfg is None:
        cfg = DetectorConfig(sample_rate=estimate_sample_rate(ta))
    det = Detector(cfg)
    run = DrillRun(drill, on_prompt=on_prompt)
    told = 0
    for i in range(0, ta.size, block):
        tb, fb = ta[i:i + block], fa[i:i + block]
        yb = np.empty_like(tb)
        events = det.process(tb, fb, yb)
        samples = Samples(t=tb, force=fb, raw=fb, flags=np.zeros(tb.size, dtype=np.int64),
                          device_t_last=float(tb[-1]), filtered=yb)
        run.on_samples(samples, float(yb[-1]), int(det.state))
        for e in events:
            run.on_event(e)
        while told < len(det.holds):  # as the reader does: finished holds after the block's events
            run.on_hold(det.holds[told])
            told += 1
        if run.finished:
            break
    if not run.finished:
        run.abort("the recording ended")
    return run

