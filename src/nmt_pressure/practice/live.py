"""`nmt-pressure drill`: a drill played live on a device (or the simulator), or over a recording.

The drill is one more listener on the reader thread (beside the terminal view and the recorder); this
module wires them up, waits until the drill is over (or Ctrl-C), prints the score card and stores it in
the practice history.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, TextIO

from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.core.events import STATE_IDLE, STATE_MOVING
from nmt_pressure.core.events import STATE_NAMES as CORE_STATE_NAMES
from nmt_pressure.link.calibration import Samples
from nmt_pressure.link.listeners import FanOut, Listener
from nmt_pressure.outputs.terminal_view import StatusLineView
from nmt_pressure.practice.engine import DrillRun, Prompt
from nmt_pressure.practice.spec import Drill

__all__ = ["DrillView", "play_live"]

#: The core's state names, in the drill's words where they differ (a user is told to take the hand off).
STATE_NAMES = {**CORE_STATE_NAMES, STATE_IDLE: "no contact"}


class DrillView(StatusLineView):
    """The drill in a terminal: each prompt on a line of its own; on a terminal also a status line
    redrawn in place (phase, countdown, force, and where the force is against the band)."""

    def __init__(self, run: DrillRun, stream: TextIO | None = None, *, live: bool | None = None) -> None:
        super().__init__(stream, live=live)
        self.run = run
        self.force = math.nan
        self.state = STATE_IDLE

    def prompt(self, p: Prompt) -> None:
        band = f"   band {p.band[0]:.1f}-{p.band[1]:.1f} N" if p.band else ""
        self._line(f"[{p.index + 1}/{p.total}] {p.text.upper()}{band}")

    def on_samples(self, block: Samples, filtered: float, state: int) -> None:
        self.force, self.state = filtered, state
        self.redraw()

    def status_text(self) -> str:
        p = self.run.prompt
        parts = [f"{self.force:7.1f} N", f"{STATE_NAMES.get(self.state, '?'):10s}"]
        if p is not None:
            parts.insert(0, f"[{p.index + 1}/{p.total}] {p.kind:7s}")
            left = self.run.remaining()
            if left is not None:
                parts.append(f"{left:5.1f} s left")
            if p.band is not None and not math.isnan(self.force):
                lo, hi = p.band
                where = "TOO MUCH" if self.force > hi else "too little" if self.force < lo else "in band"
                if where == "in band" and p.kind == "hold" and self.state == STATE_MOVING:
                    where = "moving"  # a change inside the hold is being classified: no verdict yet
                parts.append(where)
        return "  ".join(parts)


def play_live(drill: Drill, port: str, cfg: DetectorConfig, *, extra: list[Listener] | None = None,
              fmt: str = "auto", baud: int = 115200, unit: str | None = None, stream: TextIO | None = None,
              idle_timeout: float = 60.0, on_start: Callable[[], None] | None = None
              ) -> tuple[DrillRun, dict[str, Any]]:
    """Play ``drill`` on the device at ``port`` until it is over, Ctrl-C, or the device is gone for
    ``idle_timeout`` seconds. Returns the run and the link summary."""
    from nmt_pressure.link.reader import Monitor

    run = DrillRun(drill)
    view = DrillView(run, stream)
    run.on_prompt = view.prompt
    fan = FanOut([*(extra or []), view, run])
    mon = Monitor(port, cfg, fan, fmt=fmt, baud=baud, unit=unit)
    mon.start()
    if on_start is not None:
        on_start()
    last_samples, last_change = 0, time.monotonic()
    try:
        while not run.finished:
            time.sleep(0.05)
            if mon.fatal is not None or not mon.running:
                run.abort(mon.fatal or "the monitor stopped")
                break
            n = mon.stats.samples
            if n != last_samples:
                last_samples, last_change = n, time.monotonic()
            elif time.monotonic() - last_change > idle_timeout:
                run.abort(f"no data from the device for {idle_timeout:g} s")
                break
    except KeyboardInterrupt:
        run.abort("stopped with Ctrl-C")
        raise
    finally:
        mon.stop()
        mon.join(5.0)
        fan.close()
    return run, mon.summary()

