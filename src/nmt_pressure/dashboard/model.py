"""What the reader thread hands the dashboard: a ring buffer of samples and a Qt bridge for events.

The :class:`DashListener` runs on the reader thread (the same one that feeds the terminal monitor and
the recorder) and does no detection of its own. Samples go into a preallocated, lock-protected
:class:`SampleRing` that the GUI's redraw timer reads; events, markers and link news cross to the GUI
thread as queued Qt signals, one per event (events are rare: the core debounces them), never one
per sample. For the open hold it keeps running sums of the core's low-passed force, so the GUI can
show a live mean, CV and drift; the final figures are the core's own :class:`~nmt_pressure.core.events.Hold`.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from PySide6.QtCore import QObject, Signal

from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.core.events import STATE_IDLE, Event, Hold
from nmt_pressure.dashboard.history import SessionHistory
from nmt_pressure.link.calibration import DeviceInfo, Samples
from nmt_pressure.link.listeners import Listener

#: Longest plot window the ring is sized for (s) at the highest rate (Hz).
RING_SECONDS = 60.0
RING_MAX_RATE = 4000.0


class Source(Protocol):
    """A :class:`~nmt_pressure.link.reader.Monitor` or a :class:`~nmt_pressure.analysis.replay.Replayer`."""

    detector: Any
    info: DeviceInfo
    fatal: str | None

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def join(self, timeout: float | None = None) -> None: ...
    def send(self, command: str) -> None: ...
    def finish(self) -> list[Event]: ...
    def summary(self) -> dict[str, Any]: ...

    @property
    def running(self) -> bool: ...


class SampleRing:
    """Time, raw force and filtered force of the latest samples, in preallocated arrays.

    Every sample is written twice, at ``i`` and ``i + capacity``, so the newest ``m`` samples are
    always one contiguous slice: a redraw copies one slice per trace, never concatenates.
    """

    def __init__(self, capacity: int = int(RING_SECONDS * RING_MAX_RATE)) -> None:
        if capacity < 2:
            raise ValueError("capacity must be at least 2")
        self.capacity = capacity
        self._buf = np.zeros((3, 2 * capacity), dtype=np.float64)
        self._head = 0  # where the next sample goes, in [0, capacity)
        self._count = 0
        self.total = 0  # samples ever appended
        self._lock = threading.Lock()

    def append(self, t: np.ndarray, raw: np.ndarray, filtered: np.ndarray) -> None:
        n = int(t.size)
        if n == 0:
            return
        cap = self.capacity
        if n > cap:
            t, raw, filtered = t[-cap:], raw[-cap:], filtered[-cap:]
            n = cap
        with self._lock:
            buf, h = self._buf, self._head
            k = min(n, cap - h)
            for row, src in enumerate((t, raw, filtered)):
                buf[row, h:h + k] = src[:k]
                buf[row, h + cap:h + cap + k] = src[:k]
                if k < n:
                    buf[row, 0:n - k] = src[k:]
                    buf[row, cap:cap + n - k] = src[k:]
            self._head = (h + n) % cap
            self._count = min(self._count + n, cap)
            self.total += n

    def _view(self) -> np.ndarray:
        end = self._head + self.capacity
        return self._buf[:, end - self._count:end]

    def latest(self, span_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Copies of (t, raw, filtered) for the samples within ``span_s`` of the newest one."""
        with self._lock:
            v = self._view()
            if v.shape[1] == 0:
                e = np.empty(0)
                return e, e, e
            i0 = int(np.searchsorted(v[0], v[0, -1] - span_s, side="left"))
            out = v[:, i0:].copy()
        return out[0], out[1], out[2]

    def after(self, t0: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Copies of (t, raw, filtered) for the samples after device time ``t0`` (what a redraw has
        not drawn yet: a few dozen samples, not the window's 30 000, copied under the lock)."""
        with self._lock:
            v = self._view()
            i0 = int(np.searchsorted(v[0], t0, side="right"))
            out = v[:, i0:].copy()
        return out[0], out[1], out[2]

    def since(self, t0: float) -> tuple[np.ndarray, np.ndarray]:
        """Copies of (t, filtered) for the samples at or after device time ``t0``."""
        with self._lock:
            v = self._view()
            i0 = int(np.searchsorted(v[0], t0, side="left"))
            return v[0, i0:].copy(), v[2, i0:].copy()

    @property
    def last_t(self) -> float | None:
        with self._lock:
            if self._count == 0:
                return None
            return float(self._buf[0, self._head + self.capacity - 1])

    def __len__(self) -> int:
        return self._count


@dataclass
class OpenHold:
    """Live figures of the hold in progress (display only; the core's Hold is the final word)."""

    start: float  # the core's back-dated onset (hold_start.t)
    confirmed: float  # when the core knew (hold_start.t_detected): the band is watched from here
    level: float
    band: tuple[float, float]
    t_now: float
    mean: float
    sd: float
    cv: float
    drift_per_s: float
    in_band: float  # share of the hold's samples inside the band, 0..1

    @property
    def held(self) -> float:
        return max(0.0, self.t_now - self.start)


class _Sums:
    """Running sums of the filtered force since a hold's onset: mean, SD and least-squares slope."""

    def __init__(self, e: Event, band: tuple[float, float]) -> None:
        self.start = e.t
        self.confirmed = e.t_detected
        self.level = float(e.level or 0.0)
        self.band = band
        self.n = 0
        self.sx = self.sy = self.sxx = self.sxy = self.syy = 0.0
        self.inside = 0
        self.t_now = e.t_detected

    def add(self, t: np.ndarray, y: np.ndarray) -> None:
        if t.size == 0:
            return
        x = t - self.start  # relative time keeps the sums well conditioned
        self.n += int(t.size)
        self.sx += float(x.sum())
        self.sy += float(y.sum())
        self.sxx += float(x @ x)
        self.sxy += float(x @ y)
        self.syy += float(y @ y)
        lo, hi = self.band
        self.inside += int(np.count_nonzero((y >= lo) & (y <= hi)))
        self.t_now = float(t[-1])

    def snapshot(self) -> OpenHold:
        n = self.n
        mean = self.sy / n if n else self.level
        var = max(self.syy / n - mean * mean, 0.0) if n > 1 else 0.0
        sd = math.sqrt(var)
        den = n * self.sxx - self.sx * self.sx
        slope = (n * self.sxy - self.sx * self.sy) / den if n > 2 and den > 0 else 0.0
        return OpenHold(start=self.start, confirmed=self.confirmed, level=self.level, band=self.band,
                        t_now=self.t_now, mean=mean, sd=sd, cv=sd / mean if mean > 0 else 0.0,
                        drift_per_s=slope, in_band=self.inside / n if n else 1.0)


def band_of(cfg: DetectorConfig, level: float) -> tuple[float, float]:
    """The alert band of a hold at ``level`` (the contract: target ± tolerance·target)."""
    centre = cfg.target if cfg.target is not None else level
    return centre * (1.0 - cfg.tolerance), centre * (1.0 + cfg.tolerance)


class Bridge(QObject):
    """Carries news from the reader thread to the GUI thread.

    Connect its signals with ``Qt.QueuedConnection`` to methods of an object living in the GUI
    thread. Every signal's first argument is the generation of the session that sent it, so news
    from a session that is winding down can be told from the current one's.
    """

    detected = Signal(int, object)  # a core event (not `event`: that is QObject's own method)
    #: The core's finished holds, whenever that list grew.
    holds = Signal(int, object)
    marker = Signal(int, float)
    connected = Signal(int, object)
    disconnected = Signal(int, str)
    message = Signal(int, str)


class DashListener(Listener):
    """The dashboard's listener on the reader thread: samples into the ring, events over the bridge."""

    def __init__(self, cfg: DetectorConfig, bridge: Bridge, ring: SampleRing | None = None,
                 gen: int = 0) -> None:
        self.cfg = cfg
        self.bridge = bridge
        self.gen = gen
        self.ring = ring if ring is not None else SampleRing()
        #: The whole session's force, decimated (the ring keeps only the last minute): for scrolling back.
        self.history = SessionHistory()
        #: The source whose detector holds the finished holds (set by whoever starts it).
        self.source: Source | None = None
        self.state = STATE_IDLE
        #: Device time of the first block in the current state (a block's end: the state is per block).
        self.state_since: float | None = None
        self.filtered = 0.0
        self.samples = 0
        self._holds_sent = 0
        self._sums: _Sums | None = None
        self._lock = threading.Lock()

    # ---- listener (reader thread)
    def on_connect(self, info: DeviceInfo) -> None:
        self.bridge.connected.emit(self.gen, info)

    def on_disconnect(self, reason: str) -> None:
        self.bridge.disconnected.emit(self.gen, reason)

    def on_message(self, text: str) -> None:
        self.flush_holds()  # a replay closes its last hold just before saying it finished
        self.bridge.message.emit(self.gen, text)

    def on_samples(self, block: Samples, filtered: float, state: int) -> None:
        filt = block.filtered if block.filtered is not None else np.full(block.t.size, filtered)
        self.ring.append(block.t, block.force, filt)
        self.history.append(block.t, block.force, filt)
        if state != self.state and block.t.size:
            self.state_since = float(block.t[-1])
        self.state = state
        self.filtered = filtered
        self.samples += int(block.t.size)
        with self._lock:
            if self._sums is not None:
                self._sums.add(block.t, filt)

    def on_event(self, event: Event) -> None:
        if event.kind == "hold_start":
            sums = _Sums(event, band_of(self.cfg, float(event.level or 0.0)))
            t, y = self.ring.since(event.t)  # the hold began before the core could know it
            sums.add(t, y)
            with self._lock:
                self._sums = sums
        elif event.kind in ("step", "release"):
            with self._lock:
                self._sums = None
        self.bridge.detected.emit(self.gen, event)
        self.flush_holds()

    def on_hold(self, hold: Hold) -> None:
        # The only news of a hold that ended "left" or "end_of_data" (no event marks those ends).
        with self._lock:
            if self._sums is not None and self._sums.confirmed == hold.confirmed:
                self._sums = None
        self.flush_holds()

    def flush_holds(self) -> None:
        """Send the core's finished holds if there are new ones (also after ``finish()``)."""
        det = self.source.detector if self.source is not None else None
        if det is None or len(det.holds) == self._holds_sent:
            return
        holds = list(det.holds)
        new = holds[self._holds_sent:]
        self._holds_sent = len(holds)
        with self._lock:
            # The open hold is over once the core lists it, whatever ended it (a step, a release,
            # "left", the end of the data): matched by when its hold_start was told (Hold.confirmed;
            # its start is dated again once its level has settled), as the window matches its band.
            if self._sums is not None and any(h.confirmed == self._sums.confirmed for h in new):
                self._sums = None
        self.bridge.holds.emit(self.gen, holds)

    def on_marker(self, t: float) -> None:
        self.bridge.marker.emit(self.gen, t)

    # ---- for the GUI thread
    def open_hold(self) -> OpenHold | None:
        with self._lock:
            return self._sums.snapshot() if self._sums is not None else None
