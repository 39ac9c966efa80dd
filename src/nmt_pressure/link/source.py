"""What the live monitor and a replay have in common: a background thread that feeds the listeners.

``Monitor`` (a device) and ``Replayer`` (a recording) both run their ``_run`` on one thread, are
stopped through one event, and are driven the same way by the terminal monitor and the dashboard.
"""

from __future__ import annotations

import threading
from typing import Any


class BackgroundSource:
    """Start/stop/join of a source's thread; subclasses implement ``_run`` and watch ``_stop``."""

    thread_name = "nmt-source"
    # What every source has, for summary(): set by the subclasses.
    port: str
    info: Any  # calibration.DeviceInfo
    stats: Any  # reader.LinkStats
    events: list[Any]
    detector: Any
    listener: Any  # listeners.Listener

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._holds_told = 0  # how many of the core's finished holds the listener has had

    def _tell_holds(self) -> None:
        """Hand the listener the holds the core finished since the last call (after the block's
        events): a hold that ends ``left`` or ``end_of_data`` has no event of its own."""
        holds = self.detector.holds
        while self._holds_told < len(holds):
            hold = holds[self._holds_told]
            self._holds_told += 1
            self.listener.on_hold(hold)

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

    def summary(self) -> dict[str, Any]:
        """Counters, latency, every event and every finished hold: what ``--summary-json`` writes.
        """
        st = self.stats
        det = self.detector
        return {
            "port": self.port,
            "device": self.info.name,
            "format": self.info.fmt,
            "samples": st.samples,
            "dropped": st.dropped,
            "crc_errors": st.crc_errors,
            "corrected_frames": st.corrected,
            "framing_errors": st.framing_errors,
            "garbage_bytes": st.garbage_bytes,
            "reconnects": st.reconnects,
            "latency_p99_ms": st.latency_p99_ms(),
            "spikes_rejected": int(getattr(det, "spikes", 0)),
            "events": [e.to_dict() for e in self.events],
            "holds": [h.to_dict() for h in det.holds],
        }
