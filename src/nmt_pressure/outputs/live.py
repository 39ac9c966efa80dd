"""The live monitor's main loop: start the reader thread, wait, stop cleanly, write the summary.

Shared by ``nmt-pressure monitor`` (terminal view) and, later, the dashboard: both are listeners on the
same reader thread.
"""

from __future__ import annotations

import json
import logging
import signal
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.link.listeners import FanOut, Listener
from nmt_pressure.link.reader import Monitor
from nmt_pressure.outputs.recorder import LiveRecorder, RecorderError

if TYPE_CHECKING:
    from nmt_pressure.outputs.lsl import LslPublisher

# The CLI prints ERROR as `nmt-pressure: error: ...` and the INFO summary line as it is.
_log = logging.getLogger(__name__)


class MonitorError(Exception):
    """A user error that stops the monitor before it starts (one sentence)."""


def run_monitor(port: str, cfg: DetectorConfig, listeners: Sequence[Listener], *, fmt: str = "auto",
                baud: int = 115200, duration: float | None = None, record: str | None = None,
                overwrite: bool = False, summary_json: str | None = None, poll: str | None = None,
                unit: str | None = None, lsl_name: str | None = None) -> int:
    """Monitor ``port`` until ``duration`` elapses or Ctrl-C; returns the exit status.

    ``lsl_name`` (e.g. ``"nmt_pressure"``) publishes the force and the events as Lab Streaming Layer
    streams named after it; None (the default) opens no network socket at all.
    """
    if summary_json and not Path(summary_json).parent.exists():  # before any file is created
        raise MonitorError(f"cannot write the summary to {summary_json}: its folder does not exist.")
    all_listeners = list(listeners)
    publisher: LslPublisher | None = None
    if lsl_name is not None:
        from nmt_pressure.outputs.lsl import LslError, LslPublisher

        try:
            publisher = LslPublisher(cfg, port=port, name=lsl_name)
        except LslError as exc:
            raise MonitorError(str(exc)) from None
        # First in line: it reads the clock when a block arrives, before the others take their turn.
        all_listeners.insert(0, publisher)
    recorder: LiveRecorder | None = None
    if record:
        try:
            recorder = LiveRecorder(record, cfg, overwrite=overwrite, source=port)
        except RecorderError as exc:
            if publisher is not None:
                publisher.close()
            raise MonitorError(str(exc)) from None
        all_listeners.append(recorder)
    fan = FanOut(all_listeners)
    if publisher is not None:
        publisher.news = fan.on_message  # its news reach the terminal like the device's
    mon = Monitor(port, cfg, fan, fmt=fmt, baud=baud, poll=poll, unit=unit)
    stop = _StopFlag()
    # SIGTERM (kill, systemd) and SIGHUP (the terminal closed, an ssh link dropped) end the session as
    # Ctrl-C does: the recording is flushed and synced and the summary written, not cut off.
    old = {sig: signal.signal(sig, stop.handler) for sig in _STOP_SIGNALS}
    t0 = time.monotonic()
    mon.start()
    try:
        while mon.running and not stop.set:
            if duration is not None and time.monotonic() - t0 >= duration:
                break
            time.sleep(0.05)
    except KeyboardInterrupt:
        pass
    finally:
        mon.stop()
        mon.join(5.0)
        for sig, handler in old.items():
            signal.signal(sig, handler)
    if mon.fatal:
        fan.close()
        if recorder is not None:
            recorder.discard_if_empty()  # nothing was recorded: the fixed command may use the name
        raise MonitorError(mon.fatal)
    mon.finish()
    fan.close()
    summary = mon.summary()
    summary["duration_s"] = round(time.monotonic() - t0, 3)
    # The median beside the p99: a link that delivers in bursts (a USB latency timer) moves both; a
    # single scheduling hiccup of the host moves only the p99.
    summary["latency_p50_ms"] = mon.stats.latency_ms(50.0)
    if mon.unitless is not None:
        summary["unitless_readings_unit"] = mon.unitless  # "N (assumed)" or "kg (--unit)"
    if recorder is not None:
        summary["recording"] = str(recorder.path)
        summary["recording_error"] = recorder.failed
    if publisher is not None:
        summary["lsl"] = publisher.counts()
    if summary_json:
        _write_summary(summary_json, summary)
    _print_totals(summary)
    return 0


_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class _StopFlag:
    set = False

    def handler(self, signum: int, frame: Any) -> None:
        self.set = True


def _write_summary(path: str, summary: dict[str, Any]) -> None:
    try:
        Path(path).write_text(json.dumps(summary, indent=2, allow_nan=False, default=_nan_safe) + "\n",
                              encoding="utf-8")
    except (OSError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        _log.error("cannot write the summary to %s (%s).", path, why)


def _nan_safe(obj: object) -> object:
    return None


def _print_totals(s: dict[str, Any]) -> None:
    p99 = s["latency_p99_ms"]
    lat = f"{p99:.2f} ms" if p99 is not None else "n/a"
    kinds: dict[str, int] = {}
    for e in s["events"]:
        kinds[e["kind"]] = kinds.get(e["kind"], 0) + 1
    ev = ", ".join(f"{n} {k}" for k, n in kinds.items()) or "no events"
    _log.info("summary: %s samples, %s dropped, %s CRC errors, %s reconnects, latency p99 %s; %s.",
              s["samples"], s["dropped"], s["crc_errors"], s["reconnects"], lat, ev)
