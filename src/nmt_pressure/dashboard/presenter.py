"""The presenter: the core's news for the current session, turned into the view-model and view signals.

The :class:`~nmt_pressure.dashboard.controller.SessionController` hands it only the news of the current
session (it filters out the older ones still winding down). It writes what the core said into the
:class:`~nmt_pressure.dashboard.viewmodel.ViewModel` and says, with plain data, what the views should
draw: a hold's band starts or ends, an alert is raised or cleared, an event is marked. It decides
nothing about holds or alerts itself: every alert is one of the core's debounced ``band_exit`` events,
cleared by ``band_enter`` or the end of the hold. One place for the verdict, the state text and the
timer's hold, so a change to what the screen says is made here, not in a view.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QObject, Signal

from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.core.events import STATE_HOLD, STATE_MOVING, STATE_NAMES, Event, Hold
from nmt_pressure.dashboard.model import DashListener, band_of
from nmt_pressure.dashboard.viewmodel import IDLE_HINT, ViewModel
from nmt_pressure.link.calibration import DeviceInfo

#: The state readout says "released" this long after a release, "stepping" this long after a step (s).
RELEASED_S = 1.5
STEPPING_S = 1.0
#: A finished hold counts as "in band" on the plot when at least this share of it was in its band.
IN_BAND_SHARE = 0.9


class Presenter(QObject):
    """Keeps ``vm`` and emits what the views draw (GUI thread only)."""

    #: A new session begins: the views forget the old one (its DetectorConfig).
    view_reset = Signal(object)
    #: The device (re)connected: its DeviceInfo.
    link_up = Signal(object)
    #: The device was lost (the banner's text); the reader reconnects by itself.
    link_lost = Signal(str)
    #: A hold's band begins: (device time, low and high edge in newtons).
    hold_started = Signal(float, float, float)
    #: The watched hold's band is where the core alerted: its settled level (low and high edge, N).
    band_moved = Signal(float, float)
    #: The hold being watched is over at this device time.
    hold_ended = Signal(float)
    #: An alert is raised ("high"/"low") or cleared ("").
    alert = Signal(str)
    #: An event to mark on the plot: (device time, kind for its colour, label).
    annotation = Signal(float, str, str)
    #: The core's finished holds so far (a list of Hold).
    holds_changed = Signal(object)
    #: The core reported a band exit: mark it on the plot (device time, "high"/"low").
    band_exit = Signal(float, str)
    #: A finished hold's result, for its band on the plot: (onset, end, verdict "in"/"high"/"low"/"").
    hold_scored = Signal(float, float, str)
    #: The view-model's news changed: the readouts should show it now, not at the next tick.
    news = Signal()

    def __init__(self, vm: ViewModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self._exits: dict[float, str] = {}  # hold told (confirmed) -> its latest exit's direction
        self._scored: set[float] = set()  # the finished holds already scored (their ``confirmed``)

    # ---- a session begins, its link comes and goes
    def begin(self, cfg: DetectorConfig) -> None:
        self.vm.reset_session()
        self._exits.clear()
        self._scored.clear()
        self.view_reset.emit(cfg)
        self._set_alert("")

    def connected(self, info: DeviceInfo) -> None:
        self.vm.banner_text = ""
        self.link_up.emit(info)

    def lost(self, reason: str) -> None:
        self.vm.banner_text = f"Device lost — {reason}. Reconnecting…"
        self.link_lost.emit(self.vm.banner_text)
        self._set_alert("")

    # ---- the core's news
    def _set_alert(self, direction: str) -> None:
        """Raise (``"high"``/``"low"``: one of the core's band exits) or clear (``""``) the alert."""
        self.vm.alert_direction = direction
        if direction:
            self.vm.alerts_raised += 1
        self.alert.emit(direction)

    def _end_hold(self, t_end: float) -> None:
        self.vm.hold_event = None
        self.hold_ended.emit(t_end)

    def marker(self, t: float) -> None:
        self.vm.markers_seen.append(t)
        self.annotation.emit(t, "marker", "marker")

    def core_event(self, e: Event, cfg: DetectorConfig) -> None:
        """One of the core's events (``cfg``: the session's, for the hold's band). Not named
        ``event``: that is QObject's handler of Qt's own events, which Qt calls with a QEvent (a
        deferred delete, a property change) and which an override of another signature crashed."""
        vm = self.vm
        vm.events_seen.append(e)
        if e.kind == "hold_start":
            self._end_hold(e.t)  # a hold still watched ends where the new one starts
            vm.hold_event = e
            lo, hi = band_of(cfg, float(e.level or 0.0))
            self.hold_started.emit(e.t_detected, lo, hi)
            self._set_alert("")
        elif e.kind == "band_exit":
            self._set_alert(e.direction or "high")
            if vm.hold_event is not None:
                self._exits[vm.hold_event.t_detected] = e.direction or "high"
                if e.level is not None:
                    # The hold_start's level is the core's first estimate; the band it alerts on is
                    # centred on the settled level, which the exit carries: draw the edge that alerted.
                    self.band_moved.emit(*band_of(cfg, float(e.level)))
            self.band_exit.emit(e.t_detected, e.direction or "high")
        elif e.kind == "band_enter":
            self._set_alert("")
        elif e.kind in ("step", "release"):
            self._end_hold(e.t)
            self._set_alert("")
            arrow = {"up": " ↑", "down": " ↓"}.get(e.direction or "", "")
            self.annotation.emit(e.t, e.kind, f"{e.kind}{arrow}")
            if e.kind == "release":
                vm.released_at = e.t_detected
            else:
                vm.stepped_at = e.t_detected
        self.news.emit()

    def holds(self, holds: list[Hold]) -> None:
        """The core's finished holds so far."""
        self.holds_changed.emit(holds)
        for h in holds:
            if h.confirmed not in self._scored:
                self._scored.add(h.confirmed)
                self.hold_scored.emit(h.start, h.end, self.hold_verdict(h))
        if holds:
            self.vm.last_hold = holds[-1]
        # The hold on show is over once the core lists it. Steps and releases said so by their events
        # already; a hold that ended "left" or "end_of_data" has no event, only this. Matched by when
        # it was told (Hold.confirmed is its hold_start's t_detected; its start is dated again once
        # its level has settled), never by position: the list may come before or after the events
        # of the same block.
        told = self.vm.hold_event.t_detected if self.vm.hold_event is not None else None
        ended = next((h for h in reversed(holds) if h.confirmed == told), None)
        if ended is not None:
            self._end_hold(ended.end)
            self._set_alert("")
            if ended.ended_by == "left":  # the departure's onset, marked as steps and releases are
                self.annotation.emit(ended.end, "left", "left")
        self.news.emit()

    def hold_verdict(self, h: Hold) -> str:
        """A finished hold's result on the plot: "in" when it kept its band (its share of time in band
        at least IN_BAND_SHARE), else the side it left the band on ("" if the core saw no exit)."""
        share = h.time_in_band / h.duration if h.duration > 0 else 1.0
        if share >= IN_BAND_SHARE:
            return "in"
        return self._exits.get(h.confirmed, "")

    # ---- the snapshot the views read on each readout tick
    def refresh(self, listener: DashListener | None) -> None:
        """Copy the session's latest force, state and open hold into the view-model (None: no session)."""
        vm = self.vm
        vm.has_session = listener is not None
        if listener is None:
            vm.force, vm.state_text, vm.moving, vm.open_hold = None, "not connected", False, None
            vm.hint = IDLE_HINT
            vm.verdict, vm.timer_frozen = "", False
            return
        vm.hint = ""
        has_data = listener.ring.last_t is not None
        vm.force = listener.filtered if has_data else None
        vm.state_text = self._state_text(listener)
        # While the core classifies a change (step, release, departure or drift) the old level's band
        # gives no "in band" verdict; an alert already raised stays (band_enter or the hold's end).
        vm.moving = listener.state == STATE_MOVING
        vm.open_hold = listener.open_hold() if vm.hold_event is not None else None
        # While the core classifies a change the hold may be over: its timer stops where the change
        # began (shown dim), rather than running on as if the hold went on.
        # (device time: the same on a replay at any speed as live).
        vm.timer_frozen = vm.moving and vm.open_hold is not None
        if vm.timer_frozen and vm.open_hold is not None:
            since = listener.state_since
            t_stop = min(since, vm.open_hold.t_now) if since is not None else vm.open_hold.t_now
            vm.open_hold = dataclasses.replace(vm.open_hold, t_now=max(t_stop, vm.open_hold.start))
        vm.verdict = self._verdict()

    def _verdict(self) -> str:
        """The one verdict on screen: the drill's while one runs, else the core's alert or the watched
        hold's band. Never "in" with a force outside the band shown: the core debounces an exit
        (0.15 s) and classifies a change before it says so; meanwhile the verdict is "moving"."""
        vm = self.vm
        if vm.drill is not None:
            return vm.drill.state
        if vm.alert_direction:
            return vm.alert_direction
        if vm.hold_event is None:
            return ""
        if vm.moving:
            return "moving"
        if vm.open_hold is not None and vm.force is not None:
            lo, hi = vm.open_hold.band
            if not lo <= vm.force <= hi:
                return "moving"
        return "in"

    def _state_text(self, listener: DashListener) -> str:
        st = listener.state
        t_now = listener.ring.last_t
        if t_now is None:
            return "waiting for data"
        vm = self.vm
        # After a release the force may rest above the contact threshold (state contact): still
        # "released" for a moment.
        if vm.released_at is not None and st not in (STATE_HOLD, STATE_MOVING) and \
                t_now - vm.released_at < RELEASED_S:
            return "released"
        # The core says when a change inside the hold is under way ("moving"); no guessing here, and
        # nothing else (not "holding", not "stepping") while it does.
        if st == STATE_MOVING:
            return STATE_NAMES[st]
        # "stepping" just after a step, until the new hold is confirmed: once it is, "holding" for
        # good (no stepping -> holding -> stepping).
        new_hold = vm.hold_event is not None and vm.stepped_at is not None and \
            vm.hold_event.t_detected >= vm.stepped_at
        if vm.stepped_at is not None and t_now - vm.stepped_at < STEPPING_S and not new_hold:
            return "stepping"
        return STATE_NAMES.get(st, "?")
