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

import contextlib
import datetime as _dt
import json
import logging
import os
import time
from pathlib import Path
from typing import Any, Literal, TextIO

from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.core.events import Event
from nmt_pressure.io.recording import RecordingWriter
from nmt_pressure.link.calibration import DeviceInfo, Samples
from nmt_pressure.link.listeners import Listener

_log = logging.getLogger(__name__)  # the CLI prints it as `nmt-pressure: error: ...`

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
        if self.path.is_dir():
            raise RecorderError(f"{self.path} is a folder; give a file name such as session.csv.")
        # Without --overwrite the files are created exclusively ("x"): an existing recording, or the
        # events of an old one whose CSV was deleted, is never replaced, even by a file that appears
        # between a check and the open.
        mode: Literal["w", "x"] = "w" if overwrite else "x"
        ev_path = events_path(self.path)
        self._f: TextIO | None = None
        self._ev: TextIO | None = None
        try:
            self._f = open(self.path, mode, encoding="utf-8", newline="")  # noqa: SIM115
            self._ev = open(ev_path, mode, encoding="utf-8")  # noqa: SIM115
        except FileExistsError as exc:
            self._discard_new()
            raise RecorderError(f"{exc.filename or self.path} already exists; choose another file name or "
                                "pass --overwrite to replace it.") from None
        except OSError as exc:
            self._discard_new()
            raise RecorderError(f"cannot write {self.path} ({exc.strerror or exc}); check that its "
                                "folder exists and is writable.") from None
        self._writer: RecordingWriter | None = None
        self._info = DeviceInfo()
        self._last_t: float | None = None
        self._last_flush = time.monotonic()

    def _discard_new(self) -> None:
        """The CSV was created but its events file could not be: leave nothing half-made behind."""
        if self._f is not None:
            self._f.close()
            self._f = None
            with contextlib.suppress(OSError):
                self.path.unlink()

    # ---- listener
    def on_connect(self, info: DeviceInfo) -> None:
        self._info = info
        if self._writer is not None:
            # The CSV's head names the first device; a device that comes back (or another one, at
            # another rate) is noted here, at the last time recorded before it.
            ev: dict[str, Any] = {"kind": "reconnect", "device": info.name, "t_before": self._last_t}
            if info.rate:
                ev["rate_hz"] = info.rate
            self._write_event(ev)

    def on_disconnect(self, reason: str) -> None:
        # The device may stay away for long: what came before it must not wait in a buffer meanwhile.
        if self._f is not None:
            try:
                self._f.flush()
                self._last_flush = time.monotonic()
            except OSError as exc:
                self._fail(exc)

    def on_samples(self, block: Samples, filtered: float, state: int) -> None:
        if self._f is None or block.t.size == 0:
            return
        try:
            if self._writer is None:
                self._writer = RecordingWriter(self._f, self._metadata(), ("raw", "flags"), exact=True)
            self._writer.append(block.t, block.force, {"raw": block.raw, "flags": block.flags})
            self.rows += int(block.t.size)
            self._last_t = float(block.t[-1])
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
        for name in ("_f", "_ev"):
            f = getattr(self, name)  # looked up each time: a failure on the first closes both
            if f is not None:
                try:
                    f.flush()
                    os.fsync(f.fileno())
                    f.close()
                except OSError as exc:
                    self._fail(exc)
        self._f = self._ev = None

    def discard_if_empty(self) -> bool:
        """After :meth:`close`: remove the files if nothing was ever recorded (the monitor could not
        start, e.g. a mistyped port), so that the corrected command is not refused for "already
        exists". True if they were removed."""
        if self.rows or self._writer is not None:
            return False
        for p in (self.path, events_path(self.path)):
            with contextlib.suppress(OSError):
                p.unlink()
        return True

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
            _log.error("%s", self.failed)
        # Close now, discarding what could not be written: left open, the files would try again when
        # collected and print "Exception ignored" tracebacks; what reached the disk stays readable.
        for f in (self._f, self._ev):
            if f is not None:
                with contextlib.suppress(OSError, ValueError):
                    f.close()
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
