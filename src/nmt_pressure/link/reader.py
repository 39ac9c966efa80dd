"""The reader thread: device link → codec → calibration → core → listeners, and keeping the link alive.

One thread owns the port (pyserial's ReaderThread pattern): it reads whatever bytes have arrived, hands
them to the codec, turns frames into calibrated samples, runs them through the core and tells the
listeners. It never lets a protocol error or a vanished device end monitoring: on a read error, or
when the data stops (a watchdog re-issues START first), it closes the port and reconnects with a short
back-off, and the timeline, the core and the recording carry on.
"""

from __future__ import annotations

import collections
import contextlib
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.core.detector import Detector
from nmt_pressure.core.events import Event
from nmt_pressure.io.recording import unit_factor
from nmt_pressure.link.calibration import Calibrator, DeviceInfo, Samples
from nmt_pressure.link.identify import describe, uncalibrated_hint
from nmt_pressure.link.listeners import Listener
from nmt_pressure.link.source import BackgroundSource
from nmt_pressure.link.transport import LinkError, open_link
from nmt_pressure.protocol import (
    Banner,
    Reading,
    Response,
    SampleBlock,
    SequenceTracker,
    encode_command,
    make_decoder,
    parse_kv,
)

#: Reconnect back-off: first retry after BACKOFF_MIN, doubling up to BACKOFF_MAX (s).
BACKOFF_MIN = 0.05
BACKOFF_MAX = 0.5
#: Blocks kept while waiting for the device's ID reply (its calibration) after connecting.
PENDING_MAX = 400
#: The ID request is repeated this often (s) until its reply (the calibration) arrives: counts
#: without calibration are not forces, so they wait (the newest PENDING_MAX blocks) rather than pass.
ID_RETRY = 0.5
#: Bytes without a single valid frame after which the user hears about baud rate and format.
GARBLED_BYTES = 4096
#: Sample blocks arriving this long (s) without an answer to ID: the device streams but does not
#: answer, which no baud rate explains; said once while the request is repeated.
NO_ID_HINT_S = 3.0
#: Nothing at all from a port for this long (s) after it first opened: no device is sending on it.
#: A wrong or empty port is the user's to fix (one sentence, exit 2), not a vanished device to wait
#: for; an Arduino that resets when its port opens takes about 2 s to say anything.
SILENT_GIVE_UP_S = 5.0
#: Latencies kept for the percentile.
LATENCY_KEEP = 100_000


class LatencyLog:
    """The latest ``maxlen`` block latencies (s) in a preallocated array.

    The reader thread stores one float a block; a percentile is one C-level numpy call over the array.
    A deque read with ``np.fromiter`` was a Python loop over up to 100 000 floats, holding the GIL for
    ~4 ms each time the dashboard's status bar asked (twice a second): the reader waited behind it.
    """

    def __init__(self, maxlen: int = LATENCY_KEEP) -> None:
        self.maxlen = maxlen
        self._a = np.zeros(maxlen, dtype=np.float64)
        self._n = 0  # latencies ever stored

    def append(self, seconds: float) -> None:
        self._a[self._n % self.maxlen] = seconds
        self._n += 1

    def __len__(self) -> int:
        return min(self._n, self.maxlen)

    def percentile(self, q: float) -> float | None:
        """The ``q``-th percentile of the kept latencies (s), or None before the first."""
        n = len(self)
        if n == 0:
            return None
        # the order does not matter to a percentile: the array as it stands (np.percentile copies)
        return float(np.percentile(self._a[:n], q))


@dataclass
class LinkStats:
    """Counters of the link, as the summary and the status bar show them."""

    samples: int = 0
    blocks: int = 0
    dropped: int = 0
    crc_errors: int = 0
    corrected: int = 0  # frames repaired by their check bytes (one bad byte each)
    framing_errors: int = 0
    garbage_bytes: int = 0
    reconnects: int = 0
    connected: bool = False
    bytes_in: int = 0
    latencies_s: LatencyLog = field(default_factory=LatencyLog)

    def latency_p99_ms(self) -> float | None:
        return self.latency_ms(99.0)

    def latency_ms(self, percentile: float) -> float | None:
        """A percentile of the latencies kept (ms), or None before the first block."""
        p = self.latencies_s.percentile(percentile)
        return None if p is None else p * 1e3


class Monitor(BackgroundSource):
    """Runs the reader thread for one port. ``fatal`` holds the reason if it gave up for good."""

    def __init__(self, port: str, cfg: DetectorConfig, listener: Listener, *, fmt: str = "auto",
                 baud: int = 115200, poll: str | None = None, poll_interval: float = 0.1,
                 watchdog_s: float = 1.0, unit: str | None = None) -> None:
        super().__init__()
        self.port = port
        self.cfg = cfg
        self.listener = listener
        self.fmt = fmt
        self.baud = baud
        self.poll = poll
        self.poll_interval = poll_interval
        self.watchdog_s = watchdog_s
        self.detector = Detector(cfg)
        # Readings without a unit are read in ``unit``; None means nobody chose one: newtons, said aloud.
        self.unit_given = unit
        self.calibrator = Calibrator(default_unit=unit or "N")
        #: How readings without a unit were read ("N (assumed)", "kg (--unit)"), once any arrived.
        self.unitless: str | None = None
        self._units_told: set[str] = set()
        self.stats = LinkStats()
        self.info = DeviceInfo(fmt=fmt)
        self.events: list[Event] = []
        self.fatal: str | None = None
        self._clock_offset: float | None = None  # host − device time, smallest seen: the transit floor
        self._lock = threading.Lock()
        self._outbox: list[str] = []
        self._tracker = SequenceTracker()
        # Sequence gaps count as dropped only from the second block after the device answered ID
        # on this connection: before that they are a joining device's backlog (see _block).
        self._counting = False
        self._heard = False  # any byte ever arrived from the port (across connections)
        self._t_first_open: float | None = None
        # codec counters restart with each connection; these carry the totals of earlier ones
        self._base_crc = 0
        self._base_corrected = 0
        self._base_framing = 0
        self._base_garbage = 0

    # ---- control (start/stop/join/running: BackgroundSource)
    def send(self, command: str) -> None:
        """Queue a command for the device (TARE, MARK, …); sent by the reader thread."""
        with self._lock:
            self._outbox.append(command)

    # ---- the thread
    def _run(self) -> None:
        backoff = BACKOFF_MIN
        first = True
        while not self._stop.is_set():
            try:
                ser = open_link(self.port, self.baud)
            except LinkError as exc:
                if first:
                    # At start every failure is the user's to fix (a typo, a busy or missing port);
                    # once monitoring, a vanished device is waited for.
                    self.fatal = str(exc)
                    return
                self._stop.wait(backoff)
                backoff = min(backoff * 2.0, BACKOFF_MAX)
                continue
            if not first:
                self.stats.reconnects += 1
                self.calibrator.link_lost()
                self._clock_offset = None
                self._tracker = SequenceTracker()  # a restarted device counts from anywhere
            first = False
            backoff = BACKOFF_MIN
            if self._t_first_open is None:
                self._t_first_open = time.monotonic()
            reason = self._session(ser)
            with contextlib.suppress(Exception):
                ser.close()
            self.stats.connected = False
            if self.fatal:
                return
            if reason and not self._stop.is_set():
                self.listener.on_disconnect(reason)
                self.calibrator.link_lost()

    def _session(self, ser: Any) -> str | None:
        """Read from an open port until it fails, the data stops, or we are told to stop."""
        decoder = make_decoder(self.fmt)
        self.stats.connected = True
        self.info = DeviceInfo(fmt=self.fmt)  # maybe another device now: its own ID, its calibration
        pending: collections.deque[SampleBlock] = collections.deque(maxlen=PENDING_MAX)
        asked_id = False
        id_sent = 0.0
        announced = False
        t_open = time.monotonic()
        last_data = t_open
        restarted = False
        next_poll = t_open
        hinted = False
        bytes_at_open = self.stats.bytes_in
        frames_seen = 0  # valid frames of any kind on this connection
        first_block: float | None = None  # when the first sample block arrived on this connection
        id_hinted = False
        self._counting = False
        t_first = self._t_first_open if self._t_first_open is not None else t_open
        if self.fmt == "nmtp":
            self._write(ser, encode_command("ID"))
            asked_id, id_sent = True, t_open
        while not self._stop.is_set():
            now = time.monotonic()
            if self.poll is not None and now >= next_poll:
                self._write(ser, self.poll.encode() + b"\r\n")
                next_poll = now + self.poll_interval
            with self._lock:
                outbox, self._outbox = self._outbox, []
            for cmd in outbox:
                self._write(ser, encode_command(cmd) if self._is_nmtp(decoder) else cmd.encode() + b"\r\n")
            try:
                data = ser.read(ser.in_waiting or 1)
            except Exception as exc:
                self._remember_counts(decoder)
                return f"lost {self.port} ({exc})"
            t_recv = time.monotonic()
            if data:
                self._heard = True
                self.stats.bytes_in += len(data)
                frames = decoder.feed(data)
                frames_seen += len(frames)
                st = decoder.stats
                self.stats.crc_errors = self._base_crc + st.crc_errors
                self.stats.corrected = self._base_corrected + st.extra.get("corrected", 0)
                self.stats.framing_errors = self._base_framing + st.framing_errors
                self.stats.garbage_bytes = self._base_garbage + st.garbage_bytes
                if self._is_nmtp(decoder) and not self.info.calibrated and \
                        (not asked_id or t_recv - id_sent >= ID_RETRY):
                    self._write(ser, encode_command("ID"))
                    asked_id, id_sent = True, t_recv
                for fr in frames:
                    if isinstance(fr, SampleBlock):
                        last_data = t_recv
                        restarted = False
                        if first_block is None:
                            first_block = t_recv
                        if not self.info.calibrated:
                            pending.append(fr)  # wait for the calibration the ID reply brings
                            continue
                        if not announced:
                            announced = self._announce(decoder)
                        for blk in pending:
                            self._block(blk, t_recv, live=False)
                        pending.clear()
                        self._block(fr, t_recv, live=True)
                    elif isinstance(fr, Reading):
                        last_data = t_recv
                        if not announced:
                            announced = self._announce(decoder)
                        if fr.unit not in self._units_told:
                            self._tell_unit(fr.unit)
                        self._deliver(self.calibrator.reading(fr), t_recv, None)
                    elif isinstance(fr, Response):
                        self._response(fr.text)
                        if self.info.calibrated and not announced:
                            announced = self._announce(decoder)
                    elif isinstance(fr, Banner):
                        self.listener.on_message(fr.text)
            # Bytes but not one valid frame: the line itself is wrong (baud rate, format). Valid
            # frames without samples yet (a device that has not answered ID) are another matter.
            garbled = self.stats.bytes_in - bytes_at_open > GARBLED_BYTES
            if not hinted and garbled and frames_seen == 0:
                hinted = True
                self.listener.on_message(
                    f"receiving bytes from {self.port} but no valid data: check the baud rate (--baud, "
                    f"now {self.baud}; common: 9600, 115200) and the format (--format, now {self.fmt}).")
            if not id_hinted and not self.info.calibrated and first_block is not None and \
                    t_recv - first_block >= NO_ID_HINT_S:
                id_hinted = True
                self.listener.on_message(
                    f"device streaming but has not answered ID yet: its samples wait for the calibration "
                    f"the answer brings (ID is asked again every {ID_RETRY:g} s); if this goes on, check "
                    f"that the device receives what is sent to {self.port} (the cable's RX line).")
            # A slow device (an HX711 at 10 Hz, a gauge polled once a second) gets five of its own
            # intervals before it counts as silent.
            quiet = self.watchdog_s
            if self.info.rate:
                quiet = max(quiet, 5.0 / self.info.rate)
            if t_recv - last_data > quiet:
                if self._is_nmtp(decoder) and not restarted:
                    self._write(ser, encode_command("START"))  # a device that stopped streaming
                    restarted = True
                    last_data = t_recv - quiet / 2.0
                elif not self._heard:
                    # Nothing ever came: reopening will not help a port nobody sends on. Wait a
                    # while (a device being switched on, an Arduino booting), then say so once.
                    if t_recv - t_first >= SILENT_GIVE_UP_S:
                        self.fatal = self._silent(t_recv - t_first)
                        return None
                else:
                    self._remember_counts(decoder)
                    return f"no data from {self.port} for {quiet:g} s"
        if not self._heard and time.monotonic() - t_first >= self.watchdog_s:
            # Stopped (--duration, Ctrl-C) before anything ever arrived: the same mistake, said the
            # same way, rather than a summary of nothing.
            self.fatal = self._silent(time.monotonic() - t_first)
        self._remember_counts(decoder)
        return None

    def _silent(self, waited: float) -> str:
        """The one sentence for a port that opened but never delivered a byte."""
        where = (f"check that the device is plugged into {self.port} and switched on (`nmt-pressure "
                 "ports` lists the ports)")
        if self.poll is not None:
            return (f"nothing arrived from {self.port} in {waited:.0f} s, not even an answer to --poll "
                    f"{self.poll!r}: {where}, and that {self.poll!r} is the query the gauge answers.")
        if self.fmt == "nmtp":
            return (f"nothing arrived from {self.port} in {waited:.0f} s, not even an answer to ID and "
                    f"START: {where}.")
        return (f"nothing arrived from {self.port} in {waited:.0f} s: no device is sending on it; {where}, "
                "or add --poll QUERY for a gauge that only answers queries.")

    def _remember_counts(self, decoder: Any) -> None:
        """Codec counters restart with each connection: keep the totals so far."""
        self._base_crc = self.stats.crc_errors
        self._base_corrected = self.stats.corrected
        self._base_framing = self.stats.framing_errors
        self._base_garbage = self.stats.garbage_bytes

    @staticmethod
    def _is_nmtp(decoder: Any) -> bool:
        return getattr(decoder, "decided", decoder.name) == "nmtp"

    def _write(self, ser: Any, data: bytes) -> None:
        with contextlib.suppress(Exception):
            ser.write(data)

    def _announce(self, decoder: Any) -> bool:
        self.info.fmt = getattr(decoder, "decided", None) or decoder.name
        self.listener.on_connect(self.info)
        if self.info.fields.get("name") == "nmt-avr":
            # The project's own board: say what it is, and if its scale is only a guess, how to fix it.
            self.listener.on_message(describe(self.info.fields))
            hint = uncalibrated_hint(self.info.fields)
            if hint:
                self.listener.on_message(hint)
        return True

    def _tell_unit(self, unit: str) -> None:
        """Say once what unit readings are taken in when it is not what the line itself says.

        A bare number read in an assumed unit is a 9.8-fold error when the device sends kilograms:
        never silent. A line naming a unit other than ``--unit`` is read in its own unit (said once).
        """
        self._units_told.add(unit)
        given = self.unit_given
        if not unit:
            if given is None:
                self.unitless = "N (assumed)"
                self.listener.on_message(
                    f"readings from {self.port} carry no unit: taken as newtons (N); if the device sends "
                    "another unit, restart with --unit kg (or g, lb, lbf).")
            else:
                self.unitless = f"{self.calibrator.default_unit} (--unit)"
                self.listener.on_message(f"readings from {self.port} carry no unit: taken as "
                                         f"{self.calibrator.default_unit} (--unit {given}).")
        elif given is not None and unit_factor(unit)[1] != unit_factor(given)[1]:
            self.listener.on_message(f"readings from {self.port} name their unit ({unit}), which is used; "
                                     f"--unit {given} applies only to readings without one.")

    def _response(self, text: str) -> None:
        kind, kv = parse_kv(text)
        if kind == "id":
            self.info.fields = dict(kv)
            self.info.name = kv.get("name", "device") + (f" {kv['serial']}" if "serial" in kv else "")
        for key in ("scale", "offset", "rate"):
            if key in kv:
                try:
                    value = float(kv[key])
                except ValueError:
                    continue
                if key == "scale" and value != 0.0:
                    self.info.scale = value
                    self.info.fields["scale"] = kv[key]
                elif key == "offset":
                    self.info.offset = value
                elif key == "rate":
                    self.info.rate = value
        if kind == "err":
            self.listener.on_message(f"device: {text}")

    def _block(self, block: SampleBlock, t_recv: float, *, live: bool) -> None:
        """Deliver one block; ``live`` is False for blocks that waited for the ID reply.

        Only what was lost while we were reading counts as dropped. A device that streamed while
        nobody read (running when we joined, a port reopened) sends first the backlog its buffers
        held, then what it produced after the gap where it dropped frames because they were full.
        Its answer to our ID is queued behind all that, so the backlog and its gap come before the
        answer: gaps count from the second block after it (the first one's may still be the gap).
        """
        lost = self._tracker.update(block)
        if self._counting:
            self.stats.dropped += lost
        if live:
            self._counting = True
        self._deliver(self.calibrator.samples(block, self.info), t_recv, block)

    def _deliver(self, s: Samples, t_recv: float, block: SampleBlock | None) -> None:
        if s.t.size == 0:
            return
        s.filtered = np.empty_like(s.t)
        events = self.detector.process(s.t, s.force, s.filtered)
        self.stats.samples += int(s.t.size)
        self.stats.blocks += 1
        self.listener.on_samples(s, self.detector.filtered, self.detector.state)
        for e in events:
            self.events.append(e)
            self.listener.on_event(e)
        self._tell_holds()
        while self.calibrator.markers:
            self.listener.on_marker(self.calibrator.markers.pop(0))
        done = time.monotonic()
        if block is not None:
            # One-way latency without a shared clock: the smallest host−device offset seen is the
            # transit floor, so a block's delay is how much later than that it was fully processed.
            off = t_recv - s.device_t_last
            if self._clock_offset is None or off < self._clock_offset:
                self._clock_offset = off
            self.stats.latencies_s.append(done - (s.device_t_last + self._clock_offset))
        else:
            self.stats.latencies_s.append(done - t_recv)

    # ---- results
    def finish(self) -> list[Event]:
        """After the thread ended: close the last hold (end of data) and return every event."""
        tail = self.detector.finish()
        for e in tail:
            self.events.append(e)
            self.listener.on_event(e)
        self._tell_holds()  # the hold open at the end (end_of_data)
        return self.events
