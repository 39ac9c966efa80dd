"""The live recorder: a listener that writes what the core saw, crash-safe, in the project's CSV format.

* Samples go to ``FILE`` (``t_s,force_n,raw,flags`` after a ``#`` metadata head that names the device,
  its calibration, the rate, the units, the detector configuration and the start time), written with
  round-trip precision so that ``nmt-pressure analyze FILE`` replays to exactly the live events.
* Events go to ``FILE.events.jsonl``, one JSON object a line, as they happen; markers too.
* Everything appended is handed to the operating system at least every ``FLUSH_S`` seconds, so a
  monitor killed with SIGKILL loses at most that much and the file still reads (a torn last line is
  skipped by the reader).
* A disk that fills up (or any write error) stops the recording with one clear message; monitoring
  goes on and what was written stays readable.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from nmt_pressure.calibration import DeviceInfo, Samples
from nmt_pressure.config import DetectorConfig
from nmt_pressure.events import Event
from nmt_pressure.listeners import Listener
from nmt_pressure.recording import RecordingWriter

#: Longest time (s) appended data may sit in our buffers before the operating system has it.
FLUSH_S = 0.2


class RecorderError(OSError):
    """The recording cannot be started (the message names the fix)."""


def events_path(path: str | os.PathLike[str]) -> Path:
    return Path(str(path) + ".events.jsonl")


class LiveRecorder(Listener):
    def __init__(self, path: str | os.PathLike[str], cfg: DetectorConfig, *, overwrite: bool = False,
                 source: str = "") -> None:
        self.path = Path(path)
        self.cfg = cfg
        self.source = source
        self.rows = 0
        self.failed: str | None = None
        if self.path.exists() and not overwrite:
            raise RecorderError(f"{self.path} already exists; choose another file name or pass "
                                "--overwrite to replace it.")
        if self.path.is_dir():
            raise RecorderError(f"{self.path} is a folder; give a file name such as session.csv.")
        try:
            self._f: TextIO | None = open(self.path, "w", encoding="utf-8", newline="")  # noqa: SIM115
            self._ev: TextIO | None = open(events_path(self.path), "w", encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise RecorderError(f"cannot write {self.path} ({exc.strerror or exc}); check that its "
                                "folder exists and is writable.") from None
        self._writer: RecordingWriter | None = None
        self._info = DeviceInfo()
        self._last_flush = time.monotonic()

    # ---- listener
    def on_connect(self, info: DeviceInfo) -> None:
        self._info = info
        if self._writer is not None:
            self._write_event({"kind": "reconnect", "device": info.name})

    def on_samples(self, block: Samples, filtered: float, state: int) -> None:
        if self._f is None or block.t.size == 0:
            return
        try:
            if self._writer is None:
                self._writer = RecordingWriter(self._f, self._metadata(), ("raw", "flags"), exact=True)
            self._writer.append(block.t, block.force, {"raw": block.raw, "flags": block.flags})
            self.rows += int(block.t.size)
            now = time.monotonic()
            if now - self._last_flush >= FLUSH_S:
                self._f.flush()
                self._last_flush = now
        except OSError as exc:
            self._fail(exc)

    def on_event(self, event: Event) -> None:
        self._write_event(event.to_dict())

    def on_marker(self, t: float) -> None:
        self._write_event({"kind": "marker", "t": t})

    def close(self) -> None:
        for f in (self._f, self._ev):
            if f is not None:
                try:
                    f.flush()
                    os.fsync(f.fileno())
                    f.close()
                except OSError as exc:
                    self._fail(exc)
        self._f = self._ev = None

    # ---- helpers
    def _write_event(self, obj: dict[str, Any]) -> None:
        if self._ev is None:
            return
        try:
            self._ev.write(json.dumps(obj) + "\n")
            self._ev.flush()
        except OSError as exc:
            self._fail(exc)

    def _fail(self, exc: OSError) -> None:
        if self.failed is None:
            reason = "the disk is full" if exc.errno == 28 else (exc.strerror or str(exc))
            self.failed = (f"recording to {self.path} stopped: {reason}; monitoring goes on, and the "
                           f"{self.rows} samples written so far are kept. Free space or choose another "
                           "folder to record again.")
            print(f"nmt-pressure: error: {self.failed}", file=sys.stderr)
        self._f = None
        self._ev = None

    def _metadata(self) -> dict[str, Any]:
        info = self._info
        meta: dict[str, Any] = {
            "started": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "source": self.source,
            "device": info.name,
            "format": info.fmt,
            "units": "t_s: s (device time); force_n: N; raw: device counts or value as read; flags: "
                     "bit 0 marker, bit 1 overload, bit 2 tared",
            "detector_config": json.dumps(self.cfg.to_dict()),
        }
        if info.rate:
            meta["rate_hz"] = info.rate
        if info.calibrated:
            meta["calibration"] = f"force_n = (raw - {info.offset!r}) / {info.scale!r}"
        for k, v in info.fields.items():
            if k not in ("scale", "offset", "rate", "name") and k.isidentifier():
                meta[f"device_{k}"] = v
        return meta
