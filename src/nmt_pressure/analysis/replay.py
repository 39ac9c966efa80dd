"""Replaying a recording through the core, paced like the device: the dashboard's "open recording".

A :class:`Replayer` has the shape of :class:`nmt_pressure.link.reader.Monitor` (``start``/``stop``/``join``,
``running``, ``detector``, ``stats``, ``info``, ``events``, ``fatal``, ``finish()``, ``summary()``,
``send()``), so whatever listens to a live device listens to a recording the same way. A background
thread cuts the recording into blocks of ``block_s`` seconds of device time, runs each through a
:class:`~nmt_pressure.core.detector.Detector` and hands it to the listener, at 1×, 4× or full speed.

It uses the configuration ``nmt-pressure analyze`` uses for the same file (the recording's own
``detector_config`` metadata, the sample rate estimated from its timestamps), and the core's chunk
invariance makes the block size irrelevant: a replay gives exactly the events ``analyze`` gives.

A replay can be held at a device time and moved on (``pause``, ``resume``, ``advance``): the
dashboard's pause button, and a way for tests and the screenshot tool to stop at a chosen moment.
Nothing here imports Qt.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.core.detector import Detector
from nmt_pressure.core.events import Event
from nmt_pressure.io.recording import Recording, read_recording
from nmt_pressure.io.rectypes import replay_config
from nmt_pressure.link.calibration import DeviceInfo, Samples
from nmt_pressure.link.listeners import Listener
from nmt_pressure.link.reader import LinkStats
from nmt_pressure.link.source import BackgroundSource

__all__ = ["BLOCK_S", "SPEEDS", "Replayer", "parse_speed"]

#: Device time per block handed to the listeners (s): what a device sends in one frame or so.
BLOCK_S = 0.01
#: The speeds a user can pick: a factor on device time, None meaning as fast as the core runs.
SPEEDS: dict[str, float | None] = {"1": 1.0, "4": 4.0, "max": None}


def parse_speed(text: str) -> float | None:
    """``1``, ``4``, ``max`` (also ``1x``, ``4×``) → a factor, or None for full speed."""
    key = text.strip().lower()
    if key[-1:] in ("x", "×") and key[:-1].isdigit():
        key = key[:-1]
    if key not in SPEEDS:
        raise ValueError(f"unknown replay speed {text!r}; use one of {', '.join(SPEEDS)}")
    return SPEEDS[key]


def _recorded_markers(path: Path | None) -> np.ndarray:
    """Marker times from a live recording's ``FILE.events.jsonl`` (empty if there is none)."""
    if path is None:
        return np.empty(0)
    side = Path(str(path) + ".events.jsonl")
    out: list[float] = []
    try:
        with open(side, encoding="utf-8") as f:
            for line in f:
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue  # a torn last line of a killed monitor
                if isinstance(obj, dict) and obj.get("kind") == "marker" and \
                        isinstance(obj.get("t"), (int, float)):
                    out.append(float(obj["t"]))
    except OSError:
        pass
    return np.sort(np.asarray(out, dtype=np.float64))


class Replayer(BackgroundSource):
    """Feeds a recording through a Detector to ``listener`` from a background thread.

    ``source`` is a path (read at once; a bad file raises :class:`~nmt_pressure.io.recording.RecordingError`)
    or a :class:`Recording`. ``speed`` is a factor on device time (1.0, 4.0) or None for full speed.
    ``until`` holds the replay at that device time (see :meth:`advance`).
    """

    def __init__(self, source: str | os.PathLike[str] | Recording, listener: Listener, *,
                 cfg: DetectorConfig | None = None, speed: float | None = 1.0, block_s: float = BLOCK_S,
                 until: float | None = None) -> None:
        super().__init__()
        self.recording = source if isinstance(source, Recording) else read_recording(source)
        rec = self.recording
        self.path = rec.source
        self.port = f"replay:{self.path}" if self.path is not None else "replay"
        self.cfg = cfg if cfg is not None else replay_config(rec)
        self.listener = listener
        if not (block_s > 0 and math.isfinite(block_s)):
            raise ValueError("block_s must be a positive number of seconds")
        self.block_s = block_s
        self.detector = Detector(self.cfg)
        self.stats = LinkStats()
        name = f"replay of {self.path.name}" if self.path is not None else "replay"
        self.info = DeviceInfo(name=name, fmt="replay", rate=self.cfg.sample_rate,
                               fields=dict(rec.metadata))
        self.events: list[Event] = []
        self.fatal: str | None = None
        #: Device time of the last sample handed on (None before the first block).
        self.position: float | None = None
        self.finished = False  # the end of the data was reached (and the last hold closed)
        self._markers = _recorded_markers(self.path)
        self._next_marker = 0
        self._speed = speed
        self._until = until
        self._wakeup = threading.Event()
        self._lock = threading.Lock()
        self._finish_lock = threading.Lock()
        self._finished_core = False
        self._pace_wall = 0.0  # wall clock and device time at which the pacing was last set
        self._pace_t = 0.0

    # ---- control (start/stop/join/running: BackgroundSource, Monitor's shape)
    thread_name = "nmt-replay"

    def _wake(self) -> None:
        self._wakeup.set()

    def send(self, command: str) -> None:
        """A recording takes no commands (TARE, MARK): they are ignored."""

    # ---- pacing
    @property
    def speed(self) -> float | None:
        return self._speed

    def set_speed(self, speed: float | None) -> None:
        with self._lock:
            self._speed = speed
            self._repace()
        self._wakeup.set()

    @property
    def duration(self) -> float:
        return self.recording.duration

    @property
    def paused(self) -> bool:
        """Held at ``until`` (or by :meth:`pause`), with data left to replay."""
        with self._lock:
            until = self._until
        return (until is not None and self.position is not None and self.position >= until
                and not self.finished)

    def advance(self, until: float | None) -> None:
        """Replay on up to device time ``until`` (None: to the end) and hold there."""
        with self._lock:
            self._until = until
            self._repace()
        self._wakeup.set()

    def pause(self) -> None:
        with self._lock:
            self._until = self.position if self.position is not None else float(self.recording.t[0])
        self._wakeup.set()

    def resume(self) -> None:
        self.advance(None)

    def _repace(self) -> None:
        """Pacing restarts from where the replay is now (after a pause or a change of speed)."""
        self._pace_wall = time.monotonic()
        self._pace_t = self.position if self.position is not None else float(self.recording.t[0])

    # ---- the thread
    def _run(self) -> None:
        try:
            self._replay()
        except Exception as exc:  # a listener is the listeners' business; this is ours
            self.fatal = f"the replay stopped: {exc}"

    def _replay(self) -> None:
        t, f = self.recording.t, self.recording.force_n
        n = int(t.size)
        # Block boundaries on device time (10 Hz files give blocks of one sample, 2 kHz of twenty).
        bins = np.floor((t - t[0]) / self.block_s).astype(np.int64)
        starts = np.concatenate(([0], np.flatnonzero(np.diff(bins)) + 1, [n]))
        self.stats.connected = True
        self.listener.on_connect(self.info)
        with self._lock:
            self._repace()
        i = 0
        k = 0
        while i < n and not self._stop.is_set():
            while k + 1 < len(starts) and starts[k + 1] <= i:
                k += 1
            end = int(starts[k + 1])
            with self._lock:
                until = self._until
                speed = self._speed
                pace_wall, pace_t = self._pace_wall, self._pace_t
            if until is not None:
                end = min(end, int(np.searchsorted(t, until, side="right")))
                if end <= i:  # held: wait for advance(), resume() or stop()
                    self._wakeup.wait()
                    self._wakeup.clear()
                    continue
            if speed is not None:
                due = pace_wall + (float(t[end - 1]) - pace_t) / speed
                delay = due - time.monotonic()
                if delay > 0:
                    self._wakeup.clear()
                    if self._wakeup.wait(delay):  # woken early: speed, hold or stop changed
                        continue
            self._deliver(t[i:end], f[i:end])
            i = end
        self.stats.connected = False
        if i >= n and not self._stop.is_set():
            self._finish_core()
            self.finished = True
            self.listener.on_message(f"replay finished: {n} samples, {self.duration:.1f} s")

    def _deliver(self, tb: np.ndarray, fb: np.ndarray) -> None:
        filtered = np.empty_like(tb)
        events = self.detector.process(tb, fb, filtered)
        self.stats.samples += int(tb.size)
        self.stats.blocks += 1
        block = Samples(t=tb, force=fb, raw=fb, flags=np.zeros(tb.size, dtype=np.int64),
                        device_t_last=float(tb[-1]), filtered=filtered)
        self.position = float(tb[-1])
        self.listener.on_samples(block, self.detector.filtered, self.detector.state)
        for e in events:
            self.events.append(e)
            self.listener.on_event(e)
        self._tell_holds()
        while self._next_marker < self._markers.size and self._markers[self._next_marker] <= tb[-1]:
            self.listener.on_marker(float(self._markers[self._next_marker]))
            self._next_marker += 1

    def _finish_core(self) -> None:
        with self._finish_lock:
            if self._finished_core:
                return
            self._finished_core = True
            tail = self.detector.finish()
        for e in tail:
            self.events.append(e)
            self.listener.on_event(e)
        self._tell_holds()  # the hold open at the end (end_of_data)

    # ---- results
    def finish(self) -> list[Event]:
        """After the thread ended: close the last hold (end of data) and return every event."""
        self._finish_core()
        return self.events

    def summary(self) -> dict[str, Any]:
        out = super().summary()
        out["replay"] = str(self.path) if self.path is not None else None
        out["speed"] = "max" if self._speed is None else self._speed
        return out
