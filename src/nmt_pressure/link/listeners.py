"""Listeners: everything downstream of the core (terminal view, recorder, dashboard, summary).

The reader thread calls them in order for every block; they must be quick (no blocking I/O beyond a
buffered write) and must not raise: a failing listener is reported and detached, the others go on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from nmt_pressure.core.events import Event, Hold
from nmt_pressure.link.calibration import DeviceInfo, Samples

_log = logging.getLogger(__name__)  # the CLI prints it as `nmt-pressure: warning: ...`


class Listener:
    """Base class with a no-op for every notification; override what you need."""

    def on_connect(self, info: DeviceInfo) -> None:
        """A device link is up (again); ``info`` says what the device told us."""

    def on_disconnect(self, reason: str) -> None:
        """The link is lost; the reader is reconnecting."""

    def on_samples(self, block: Samples, filtered: float, state: int) -> None:
        """A block of calibrated samples went through the core."""

    def on_event(self, event: Event) -> None:
        """The core emitted an event."""

    def on_hold(self, hold: Hold) -> None:
        """The core finished a hold (any ``ended_by``), after the events of the same block.

        A hold ended by a step or a release was already announced by that event; one that ended
        ``left`` (the force left its level and neither came back nor settled) or ``end_of_data``
        (a silence too long to bridge, the end of the stream) has no event: this is the only news of
        it. Match it to the hold in progress by ``hold.confirmed``, which equals its
        ``hold_start.t_detected`` (not by its start: ``hold.start`` is dated again against the settled
        level, and may differ from ``hold_start.t``).
        """

    def on_marker(self, t: float) -> None:
        """The client pressed the marker button ("too much") at device time ``t``."""

    def on_message(self, text: str) -> None:
        """Something for the user to read (a device banner, a warning)."""

    def close(self) -> None:
        """The monitor stops: flush and release resources."""


class FanOut(Listener):
    """Calls every listener in turn; a listener that raises is detached with a one-line warning.

    Listeners may be attached and detached from another thread while the reader thread delivers
    (the dashboard starts and stops a recording): :meth:`add` and :meth:`remove` wait for the
    notification in progress, so a detached listener is never called again once ``remove`` returns.
    """

    def __init__(self, listeners: Iterable[Listener]) -> None:
        self.listeners = list(listeners)
        self._lock = threading.RLock()

    def add(self, listener: Listener) -> None:
        with self._lock:
            self.listeners.append(listener)

    def remove(self, listener: Listener) -> bool:
        """Detach ``listener``; False if it was not attached (e.g. it failed and was dropped)."""
        with self._lock:
            if listener in self.listeners:
                self.listeners.remove(listener)
                return True
            return False

    def _each(self, name: str, *args: object) -> None:
        with self._lock:
            for lst in list(self.listeners):
                try:
                    getattr(lst, name)(*args)
                except Exception as exc:
                    self.listeners.remove(lst)
                    _log.warning("%s stopped (%s); monitoring goes on.", type(lst).__name__, exc)

    def on_connect(self, info: DeviceInfo) -> None:
        self._each("on_connect", info)

    def on_disconnect(self, reason: str) -> None:
        self._each("on_disconnect", reason)

    def on_samples(self, block: Samples, filtered: float, state: int) -> None:
        self._each("on_samples", block, filtered, state)

    def on_event(self, event: Event) -> None:
        self._each("on_event", event)

    def on_hold(self, hold: Hold) -> None:
        self._each("on_hold", hold)

    def on_marker(self, t: float) -> None:
        self._each("on_marker", t)

    def on_message(self, text: str) -> None:
        self._each("on_message", text)

    def close(self) -> None:
        self._each("close")
