"""The one view-model every dashboard view reads: what the core and the session said, as plain data.

The :class:`~nmt_pressure.dashboard.controller.SessionController` writes it (on the core's events, and
from the session's listener on each readout tick); the views (readouts, holds table, status bar) read it
when they redraw and decide nothing of their own. It lives on the GUI thread only.
"""

from __future__ import annotations

import dataclasses

from nmt_pressure.core.events import Event, Hold
from nmt_pressure.dashboard.model import OpenHold


@dataclasses.dataclass(frozen=True)
class LinkStatus:
    """The session's source and outputs, for the status bar (None fields: not known or not there)."""

    name: str
    fmt: str  # the wire format, or the session's kind ("live"/"replay") when the device named none
    rate: float | None
    recording: str | None = None  # the file's name while a recorder runs
    recording_stopped: bool = False  # it failed (a full disk): the session goes on without it
    lsl: str = ""  # "", "on", "stopped" or "waiting" (for the device)
    lsl_detail: str = ""  # the publisher's own words (or its failure) for the tooltip
    # the link's counters (None: the source keeps none); p99 only for a live link
    dropped: int | None = None
    crc_errors: int = 0
    reconnects: int = 0
    latency_p99_ms: float | None = None
    # a replayed file's facts (None for a live link): its name, length and where the replay is, in
    # session seconds (from the file's first sample); what it is at, and whether it has ended
    file: str | None = None
    file_length_s: float | None = None
    position_s: float | None = None
    speed: float | None = None
    paused: bool = False
    finished: bool = False
    # a live link's session time (s since its first sample): "now" on the plot's time-before-now axis
    session_s: float | None = None


@dataclasses.dataclass(frozen=True)
class DrillLive:
    """A running drill's phase as its panel shows it: while it runs, its band, verdict and count-down
    are the only ones on screen (the core's hold band and timer give way)."""

    kind: str  # the phase: press, hold, step, release, rest
    band: tuple[float, float] | None  # newtons (None: the phase has no band)
    state: str  # where the force is: "in", "high", "low", "moving" or "" (drill_panel.band_state)
    left: float | None  # seconds left in the phase (None: it waits for the core)


#: What the empty window says to do next.
IDLE_HINT = "press S for the simulator, or choose a port and press C (Ctrl+O replays a recording)"


@dataclasses.dataclass
class ViewModel:
    """What the views show. Display settings, then the session's news, then the latest snapshot."""

    unit: str = "N"
    goal_s: float = 20.0

    # -- the session's news, as the core's events said it (reset for each session)
    alert_direction: str = ""  # "high"/"low" while a debounced band_exit stands, else ""
    alerts_raised: int = 0
    hold_event: Event | None = None  # the hold_start of the hold being watched
    last_hold: Hold | None = None  # the core's latest finished hold
    released_at: float | None = None  # device time of the latest release / step (for the state text)
    stepped_at: float | None = None
    events_seen: list[Event] = dataclasses.field(default_factory=list)
    markers_seen: list[float] = dataclasses.field(default_factory=list)
    banner_text: str = ""  # the device-lost banner ("" hides it)
    #: Device time of the session's first sample: session seconds (table, frozen plot, replay
    #: position) count from here. None before the first sample.
    t0: float | None = None

    # -- the latest snapshot of the session's listener (refreshed on each readout tick)
    has_session: bool = False
    force: float | None = None  # filtered, newtons (None: no sample yet)
    state_text: str = "not connected"
    moving: bool = False  # the core classifies a change inside the hold: no in-band verdict
    open_hold: OpenHold | None = None
    status: LinkStatus | None = None
    drill: DrillLive | None = None  # a drill is running (the window copies it from the drill panel)
    # -- what the presenter decided from the above, for the readouts
    verdict: str = ""  # "in", "high", "low", "moving" or "" (none): one verdict on the whole screen
    timer_frozen: bool = False  # the core classifies a change: the hold's timer stops (shown dim)
    hint: str = IDLE_HINT  # what to do next ("" once there is a session)

    @property
    def watching(self) -> bool:
        """A hold's band is being watched."""
        return self.hold_event is not None

    def reset_session(self) -> None:
        """Forget the previous session's news (the display settings stay)."""
        self.alert_direction = ""
        self.alerts_raised = 0
        self.hold_event = None
        self.last_hold = None
        self.released_at = self.stepped_at = None
        self.events_seen = []
        self.markers_seen = []
        self.t0 = None

    def exits_in(self, t_from: float, t_to: float) -> int:
        """The core's band exits (one per excursion) with onsets between two device times."""
        return sum(1 for e in self.events_seen if e.kind == "band_exit" and t_from <= e.t <= t_to)

    def markers_in(self, t_from: float, t_to: float) -> int:
        """The markers between two device times."""
        return sum(1 for t in self.markers_seen if t_from <= t <= t_to)
