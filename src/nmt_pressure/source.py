"""What the live monitor and a replay have in common: a background thread that feeds the listeners.

``Monitor`` (a device) and ``Replayer`` (a recording) both run their ``_run`` on one thread, are
stopped through one event, and are driven the same way by the terminal monitor and the dashboard.
"""

from __future__ import annotations

import threading


class BackgroundSource:
    """Start/stop/join of a source's thread; subclasses implement ``_run`` and watch ``_stop``."""

    thread_name = "nmt-source"

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        raise NotImplementedError

    def _wake(self) -> None:
        """Hook: interrupt whatever the thread waits on, so that a stop takes effect at once."""

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
