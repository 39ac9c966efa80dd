"""The headless live view: a status line (force, state, hold timer, band) and one line per event.

Band events quote the force when the core told them (its filtered force at that sample, what the
status line showed), with the band's limits beside it; the core's own ``level`` of a band event is the
band's centre, which a reader of "band exit high" does not expect in the place of the force.

On a terminal the status line is redrawn in place about ten times a second; piped into a file or
another program only the event lines (and link messages) are written, so logs stay readable.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

import numpy as np

from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.core.events import STATE_HOLD, STATE_IDLE, STATE_MOVING, STATE_NAMES, Event, Hold
from nmt_pressure.link.calibration import DeviceInfo, Samples
from nmt_pressure.link.listeners import Listener

REDRAW_S = 0.1


class StatusLineView(Listener):
    """Lines for what happens, and on a terminal a status line redrawn in place beneath them.

    Subclasses say what the status line holds (:meth:`status_text`) and call :meth:`redraw` as samples
    come; link news are printed the same way for every view.
    """

    def __init__(self, stream: TextIO | None = None, *, live: bool | None = None) -> None:
        self.out = stream or sys.stdout
        self.live = self.out.isatty() if live is None else live
        self._last_draw = 0.0
        self._status_shown = False

    def status_text(self) -> str:
        raise NotImplementedError

    def on_connect(self, info: DeviceInfo) -> None:
        rate = f", {info.rate:g} Hz" if info.rate else ""
        self._line(f"connected: {info.name} ({info.fmt}{rate})")

    def on_disconnect(self, reason: str) -> None:
        self._line(f"link lost: {reason}; reconnecting…")

    def on_message(self, text: str) -> None:
        self._line(text)

    def close(self) -> None:
        if self._status_shown:
            self.out.write("\n")
            self.out.flush()

    def redraw(self) -> None:
        """Redraw the status line, at most every REDRAW_S (a terminal cannot show more)."""
        now = time.monotonic()
        if self.live and now - self._last_draw >= REDRAW_S:
            self._last_draw = now
            self._draw()

    def _draw(self) -> None:
        self.out.write("\r\x1b[2K" + self.status_text())
        self.out.flush()
        self._status_shown = True

    def _line(self, text: str) -> None:
        if self.live and self._status_shown:
            self.out.write("\r\x1b[2K")
        self.out.write(text + "\n")
        if self.live:
            self._draw()
        else:
            self.out.flush()


class TerminalView(StatusLineView):
    """``cfg`` gives the band (``target``, ``tolerance``); without it the defaults' relative band."""

    def __init__(self, stream: TextIO | None = None, *, live: bool | None = None,
                 cfg: DetectorConfig | None = None) -> None:
        super().__init__(stream, live=live)
        cfg = cfg or DetectorConfig()
        self.target, self.tolerance = cfg.target, cfg.tolerance
        self.centre: float | None = cfg.target  # the band's centre: the target, or the hold's level
        self._block: Samples | None = None  # the newest block: the force at an event's sample
        self.force = 0.0
        self.state = STATE_IDLE
        self.t = 0.0
        self.hold_start: float | None = None
        self.hold_told: float | None = None  # ... and when the core told it (Hold.confirmed)
        self.hold_level: float | None = None
        self.band = "in band"
        self.samples = 0

    # ---- listener
    def on_samples(self, block: Samples, filtered: float, state: int) -> None:
        self.force = filtered
        self.state = state
        self._block = block
        self.t = float(block.t[-1])
        self.samples += int(block.t.size)
        if state not in (STATE_HOLD, STATE_MOVING):  # moving: still the hold, its end undecided
            self.hold_start = None
        self.redraw()

    def on_event(self, e: Event) -> None:
        if e.kind == "hold_start":
            self.hold_start, self.hold_level, self.band = e.t, e.level, "in band"
            self.hold_told = e.t_detected
            if self.target is None:
                self.centre = e.level
        elif e.kind == "band_exit":
            self.band = "TOO MUCH" if e.direction == "high" else "TOO LITTLE"
            if self.target is None and e.level is not None:
                # The core's settled level, refined after hold_start's first estimate: the band it
                # alerted on.
                self.centre = self.hold_level = e.level
        elif e.kind == "band_enter":
            self.band = "in band"
        elif e.kind in ("release", "step"):
            self.hold_start = None
        if e.kind in ("band_exit", "band_enter") and e.level is not None:
            self._line(format_band_event(e, self.force_at(e.t_detected), self.limits(e.level)))
        else:
            self._line(format_event(e))

    def force_at(self, t: float) -> float:
        """The core's filtered force at the sample at time ``t`` (an event's ``t_detected``): the
        listeners hear a block's events right after the block itself."""
        b = self._block
        if b is not None and b.filtered is not None and b.t.size:
            i = int(np.searchsorted(b.t, t))
            if i < b.t.size and b.t[i] == t:
                return float(b.filtered[i])
        return self.force

    def limits(self, centre: float) -> tuple[float, float]:
        half = self.tolerance * centre
        return centre - half, centre + half

    def on_hold(self, h: Hold) -> None:
        # The hold on show is over (a step or release event says so first): matched by when it was
        # told, as its start is dated again once its level has settled.
        if h.confirmed == self.hold_told:
            self.hold_start = None
        if h.ended_by == "left":  # no event marks this end: without the line the log would not show it
            self._line(format_hold_end(h, self.t))

    def on_marker(self, t: float) -> None:
        self._line(f"{t:10.3f} s  marker      (client: too much)")

    # ---- drawing
    def status_text(self) -> str:
        parts = [f"{self.force:8.2f} N", f"{STATE_NAMES.get(self.state, '?'):8s}"]
        if self.hold_start is not None:
            held = max(0.0, self.t - self.hold_start)
            marks = "".join("|" if held >= m else "." for m in (10, 20, 30))
            parts.append(f"hold {held:5.1f} s [{marks}]")
            if self.hold_level is not None:
                parts.append(f"level {self.hold_level:.1f} N")
            if self.centre is not None:
                parts.append(format_band(self.limits(self.centre)))
            # While a change is being classified the old level's band says nothing yet; an alert
            # already raised stays until band_enter or the hold's end.
            parts.append("moving" if self.state == STATE_MOVING and self.band == "in band" else self.band)
        elif self.target is not None:  # a fixed band is where to go, before any hold too
            parts.append(format_band(self.limits(self.target)))
        return "  ".join(parts)


def format_band(limits: tuple[float, float]) -> str:
    return f"band {limits[0]:.1f}–{limits[1]:.1f} N"


def format_band_event(e: Event, force: float, limits: tuple[float, float]) -> str:
    """``band_exit high 27.90 N`` (the force when the core told it) ``too much, band 22.50–27.50 N``."""
    what = " ".join(x for x in (e.direction, f"{force:.2f} N") if x)
    verdict = {"high": "too much", "low": "too little"}.get(e.direction or "", "back in")
    lag = e.t_detected - e.t
    return (f"{e.t:10.3f} s  {e.kind:11s} {what:18s} {verdict}, band {limits[0]:.2f}–{limits[1]:.2f} N "
            f"(known {lag:+.2f} s later)")


def format_event(e: Event) -> str:
    extra = []
    if e.direction:
        extra.append(e.direction)
    if e.level is not None:
        extra.append(f"{e.level:.2f} N")
    lag = e.t_detected - e.t
    return f"{e.t:10.3f} s  {e.kind:11s} {' '.join(extra):18s} (known {lag:+.2f} s later)"


def format_hold_end(h: Hold, t_known: float) -> str:
    """The line for a hold that ended without an event (``left``), at its end (the departure's onset);
    ``t_known`` is the newest sample's time when the core told it."""
    what = f"{h.ended_by.replace('_', ' ')} {h.level:.2f} N"
    return f"{h.end:10.3f} s  {'hold_end':11s} {what:18s} (known {t_known - h.end:+.2f} s later)"
