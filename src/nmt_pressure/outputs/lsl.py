"""Lab Streaming Layer: the force and the events as LSL streams, recorded beside EEG/EMG.

:class:`LslPublisher` is a listener on the reader thread (like the recorder). When the device is up
it opens three outlets:

* ``"<name> force"`` (type ``Force``, double64, the device's nominal rate): channels ``force``
  (calibrated, newtons), ``force_filtered`` (the core's low-passed force, newtons) and
  ``device_time`` (the sample's time in the recording's own time base, seconds: ``t_s`` of a
  ``--record`` file), so an XDF file can be lined up with the project's own recording sample for
  sample;
* ``"<name> events"`` (type ``Markers``, one cf_string channel ``kind``, irregular): the plain kind
  of each event (``contact``, ``hold_start``, ``step``, ``release``, ``band_exit``, ``band_enter``),
  ``marker`` for the client's marker presses and ``hold_end`` for every hold the core finishes (a
  hold that ends ``left`` or ``end_of_data`` has no event, and without this marker a recording would
  not show where it ended);
* ``"<name> event details"`` (type ``MarkerDetails``, two cf_string channels ``kind`` and
  ``details``, irregular): for every marker, pushed right after it with the very same timestamp, its
  kind again and one compact JSON object ``{"kind","t","t_detected","direction","level"}`` exactly
  as ``analyze --json`` writes events (device seconds; a ``hold_end`` has ``t`` the hold's end,
  ``direction`` its ``ended_by``, and adds ``"hold"``: the hold's statistics, as ``Hold.to_dict``).

Why two streams, not one JSON string per marker nor a second channel in the marker stream: XDF
importers make events of a marker stream's strings and group them by the string, so the string must
be the plain kind; and they expect one channel. EEGLAB's ``eeg_load_xdf`` takes sample ``e`` of a
string stream as ``time_series{e}`` (linear indexing: a second channel would interleave the JSON
with the kinds and drop half the events); MNELAB's ``read_raw_xdf`` makes annotations only of
single-channel irregular streams, and the usual pyxdf-to-MNE recipe (descriptions ``[item for sub in
time_series for item in sub]``) needs one string per timestamp. The details stream is of a type
EEGLAB does not import (it takes ``Markers`` and ``Events``) and has two channels, so MNELAB leaves
it out too; LabRecorder records both, and a script joins them by order or by timestamp
(:func:`parse_details`).

Timestamps are ``lsl_local_clock()`` times. Device time is mapped onto that clock by an offset:
local clock at a block's arrival minus the device time of its newest sample, the *smallest* such
value over the last :data:`CLOCK_WINDOW_S` seconds (the transit floor: USB and scheduler delays only
ever make a block later, so the minimum is the estimate they do not reach), re-established on every
(re)connection. Each sample keeps its device spacing (``t + offset``); each event is stamped at its
onset ``t`` mapped the same way, which may lie in the past. docs/LSL.md says what that means for
aligning with EEG.

pylsl is imported only when LSL is switched on (:func:`load_pylsl`): a missing liblsl is then one
sentence naming the fix. liblsl's own INFO lines on stderr are silenced unless the user's LSL
configuration says otherwise (:func:`quiet_config`).
"""

from __future__ import annotations

import collections
import contextlib
import json
import logging
import math
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np

from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.core.events import EVENT_KINDS, Event, Hold
from nmt_pressure.link.calibration import DeviceInfo, Samples
from nmt_pressure.link.listeners import Listener

_log = logging.getLogger(__name__)

DEFAULT_NAME = "nmt_pressure"
FORCE_TYPE = "Force"
MARKER_TYPE = "Markers"
FORCE_CHANNELS = (("force", "newtons", "Force"), ("force_filtered", "newtons", "Force"),
                  ("device_time", "seconds", "Time"))
DETAILS_TYPE = "MarkerDetails"
#: Channels of the details stream: the marker's kind again, and its JSON details.
DETAILS_CHANNELS = ("kind", "details")
#: The keys every details object starts with, in order (a ``hold_end`` adds ``"hold"``).
MARKER_KEYS = ("kind", "t", "t_detected", "direction", "level")
#: ``hold_end``: a finished hold; its ``direction`` says how it ended (``events.ENDED_BY``).
MARKER_KINDS = (*EVENT_KINDS, "marker", "hold_end")

#: Seconds of arrivals over which the smallest offset is taken: long enough that a lucky (prompt)
#: block is always in it, short enough that the drift of two crystals (up to ~100 ppm) moves the
#: estimate by well under a millisecond.
CLOCK_WINDOW_S = 10.0
#: After a (re)connection, samples and markers wait this long (host time) before they are stamped,
#: so that the first blocks (a burst that waited for the device's calibration) do not carry a
#: transit time they did not have.
SETTLE_S = 0.5
#: The offset may fall by at most this share of the device time between two blocks, so that a
#: better (smaller) estimate never makes a timestamp go back.
SLEW = 0.5

#: liblsl's log verbosity when we set it: -2 keeps errors, drops INFO and WARNING chatter.
QUIET_LOG = "[log]\nlevel = -2\n"

_pylsl: ModuleType | None = None
_load_lock = threading.Lock()


class LslError(Exception):
    """LSL cannot be switched on (one sentence naming the fix)."""


# --------------------------------------------------------------------------------------------------
# loading pylsl and liblsl's configuration
# --------------------------------------------------------------------------------------------------

def config_candidates(environ: Mapping[str, str] | None = None) -> list[Path]:
    """The configuration files liblsl looks for, in its order (the first readable one wins)."""
    env = os.environ if environ is None else environ
    paths: list[Path] = []
    if env.get("LSLAPICFG"):
        paths.append(Path(env["LSLAPICFG"]))
    paths.append(Path("lsl_api.cfg"))
    paths.append(Path("~/lsl_api/lsl_api.cfg").expanduser())
    paths.append(Path("/etc/lsl_api/lsl_api.cfg"))
    return paths


def _sets_logging(text: str) -> bool | None:
    """Whether a liblsl config text sets ``[log] level`` or ``file``; None if liblsl would reject it.

    Mirrors liblsl's INI reader: ``;`` comments at the start of a line, ``[section]`` lines,
    ``key = value`` lines with a value, no key twice.
    """
    section = ""
    seen: set[str] = set()
    for line in text.splitlines():
        if not line.strip() or line.startswith(";"):
            continue
        if line.startswith("["):
            end = line.find("]")
            if end < 0:
                return None
            section = line[1:end]
            continue
        key, eq, value = line.partition("=")
        if not eq or not key.strip() or not value.strip():
            return None
        full = f"{section}.{key.strip()}"
        if full in seen:
            return None
        seen.add(full)
    return bool(seen & {"log.level", "log.file"})


def quiet_config(environ: Mapping[str, str] | None = None) -> str | None:
    """The configuration content to hand liblsl so that it stays quiet, or None to leave it be.

    Without a configuration file of the user's: just ``[log] level = -2``. With one that says nothing
    about logging: that file's settings plus the quiet log level (liblsl takes content given this way
    instead of any file, so the user's settings must come along; their file is only read). With one
    that sets the log level or a log file, or that liblsl could not read: None, the user's file rules.
    """
    for path in config_candidates(environ):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # liblsl skips a file it cannot read, too
        verdict = _sets_logging(text)
        if verdict is None or verdict:
            return None
        return text.rstrip("\r\n") + "\n\n" + QUIET_LOG
    return QUIET_LOG


def load_pylsl() -> ModuleType:
    """Import pylsl (and liblsl) once, quietly; raises :class:`LslError` naming the fix."""
    global _pylsl
    with _load_lock:
        if _pylsl is not None:
            return _pylsl
        from nmt_pressure.extras import MissingExtraError, require

        try:
            pylsl = require("pylsl", "lsl", "LSL output (--lsl)")
        except MissingExtraError as exc:
            raise LslError(str(exc)) from None
        except (RuntimeError, OSError) as exc:
            # pylsl raises RuntimeError at import when it cannot find or load liblsl.
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise LslError(f"LSL needs the liblsl library, which pylsl could not load ({first.rstrip('. ')}"
                           "); install liblsl (conda install -c conda-forge liblsl, or your system's "
                           "liblsl package) or set PYLSL_LIB to the path of liblsl's shared library."
                           ) from None
        content = quiet_config()
        if content is not None:
            # Before any other LSL call, or it has no effect. A liblsl older than 1.17.7 lacks it:
            # its INFO lines then stay.
            with contextlib.suppress(AttributeError, NotImplementedError):
                pylsl.set_config_content(content)
        _pylsl = pylsl
        return pylsl


# --------------------------------------------------------------------------------------------------
# device time -> LSL clock
# --------------------------------------------------------------------------------------------------

class ClockMap:
    """Maps device time onto ``lsl_local_clock()`` by the smallest recent arrival offset.

    :meth:`observe` each block's arrival (``local`` clock then, ``device`` time of its newest
    sample); :meth:`offset` is the minimum of ``local - device`` over the last ``window_s`` seconds
    of arrivals (a monotonic deque: O(1) per block). :meth:`stamp` turns device times into
    timestamps, letting the offset rise at once but fall only gradually (:data:`SLEW`), so the
    stamps it hands out always increase.
    """

    def __init__(self, window_s: float = CLOCK_WINDOW_S, settle_s: float = SETTLE_S) -> None:
        self.window_s = window_s
        self.settle_s = settle_s
        self._win: collections.deque[tuple[float, float]] = collections.deque()
        self._first: float | None = None
        self._applied: float | None = None  # the offset the last stamps used
        self._last_device: float | None = None
        self._last_stamp: float | None = None

    def reset(self) -> None:
        """A new link: the transit floor and the device clock may both be new. Stamps still increase."""
        self._win.clear()
        self._first = None
        self._applied = None
        self._last_device = None

    def observe(self, device: float, local: float) -> None:
        off = local - device
        win = self._win
        while win and win[-1][1] >= off:
            win.pop()  # a later arrival with a smaller offset makes older, larger ones irrelevant
        win.append((local, off))
        while win[0][0] < local - self.window_s:
            win.popleft()
        if self._first is None:
            self._first = local

    @property
    def offset(self) -> float | None:
        return self._win[0][1] if self._win else None

    def settled(self, local: float) -> bool:
        return self._first is not None and local - self._first >= self.settle_s

    def stamp(self, device: np.ndarray) -> np.ndarray:
        """Timestamps for increasing device times (a block); needs one :meth:`observe` first."""
        est = self.offset
        assert est is not None
        off = est
        if self._applied is not None and self._last_device is not None and est < self._applied:
            gap = max(float(device[0]) - self._last_device, 0.0)
            off = max(est, self._applied - SLEW * gap)
        stamps = device + off
        if self._last_stamp is not None and stamps[0] <= self._last_stamp:
            # only after a reconnection (a fresh estimate): continue just after the last stamp
            off += self._last_stamp - float(stamps[0]) + 1e-6
            stamps = device + off
        self._applied = off
        self._last_device = float(device[-1])
        self._last_stamp = float(stamps[-1])
        return stamps

    def stamp_one(self, device: float) -> float:
        """A marker's timestamp: the offset the samples use now (a marker may lie in the past)."""
        off = self._applied if self._applied is not None else self.offset
        assert off is not None
        return device + off


# --------------------------------------------------------------------------------------------------
# markers
# --------------------------------------------------------------------------------------------------

def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


class Marker(NamedTuple):
    """One marker: the plain ``kind`` (the marker stream's string) and its JSON ``details``."""

    kind: str
    details: str


def marker(kind: str, t: float, t_detected: float | None = None, direction: str | None = None,
           level: float | None = None, hold: Hold | None = None) -> Marker:
    """A marker: its kind, and details as compact JSON with :data:`MARKER_KEYS` (device seconds),
    plus ``"hold"`` (the hold's statistics) when a hold is given."""
    obj: dict[str, Any] = {"kind": kind, "t": _finite(t),
                           "t_detected": _finite(t if t_detected is None else t_detected),
                           "direction": direction, "level": _finite(level)}
    if hold is not None:
        obj["hold"] = {k: _finite(v) if isinstance(v, float) else v for k, v in hold.to_dict().items()}
    return Marker(kind, json.dumps(obj, separators=(",", ":"), allow_nan=False))


def event_marker(e: Event) -> Marker:
    return marker(e.kind, e.t, e.t_detected, e.direction, e.level)


def hold_end_marker(h: Hold, t_known: float | None = None) -> Marker:
    """The marker of a finished hold: at its end, ``direction`` = ``ended_by``, ``level`` its level,
    ``hold`` its statistics; ``t_detected`` the newest sample's time when the core handed it over
    (``t_known``)."""
    return marker("hold_end", h.end, t_known, h.ended_by, h.level, hold=h)


def parse_details(text: str) -> dict[str, Any]:
    """A details string back to its object (what a LabRecorder user's script would do)."""
    obj = json.loads(text)
    if not isinstance(obj, dict) or tuple(obj)[:len(MARKER_KEYS)] != MARKER_KEYS or \
            not set(obj) <= {*MARKER_KEYS, "hold"}:
        raise ValueError(f"not the details of an nmt_pressure marker: {text!r}")
    return obj


def source_id_for(info: DeviceInfo, port: str) -> str:
    """Stable per device: its model and serial when it says them (a replugged device may come back
    on another port), else the port it is on."""
    serial = info.fields.get("serial")
    if serial:
        model = info.fields.get("name") or info.name.split(" ", 1)[0]
        return f"{DEFAULT_NAME}:{model}:{serial}"
    return f"{DEFAULT_NAME}:{port}"


def _drop(outlets: list[Any]) -> None:
    outlets.clear()  # the last references: pylsl destroys the outlets here, on this thread


# --------------------------------------------------------------------------------------------------
# the listener
# --------------------------------------------------------------------------------------------------

class LslPublisher(Listener):
    """Publishes the force and the events of one monitor as LSL streams.

    Runs on the reader thread: pushes are asynchronous in liblsl (a few microseconds a block) and
    nothing here waits on the network. It never raises: should liblsl fail, publishing stops with one
    message (through ``news``) and monitoring goes on.
    """

    def __init__(self, cfg: DetectorConfig, *, port: str = "", name: str = DEFAULT_NAME,
                 source_id: str | None = None, info: DeviceInfo | None = None,
                 news: Callable[[str], None] | None = None) -> None:
        self.pylsl = load_pylsl()  # LslError here, before anything starts
        self.cfg = cfg
        self.port = port
        self.name = name
        self.fixed_source_id = source_id
        self.news = news
        self.force_name = f"{name} force"
        self.marker_name = f"{name} events"
        self.details_name = f"{name} event details"
        self.source_id: str | None = None
        self.rate: float = 0.0
        self.force_samples = 0
        self.markers = 0
        self.failed: str | None = None
        self.clock = ClockMap()
        self._info = info if info is not None else DeviceInfo()
        self._force: Any = None
        self._marks: Any = None
        self._details: Any = None
        #: Samples ("s", t, data) and markers ("m", t, Marker) waiting for the clock map to settle.
        self._held: list[tuple[str, Any, Any]] = []
        self._announced = False
        self._t_last: float | None = None  # device time of the newest sample seen

    # ---- state
    @property
    def active(self) -> bool:
        """Outlets are open (the streams can be resolved)."""
        return self._force is not None

    def counts(self) -> dict[str, Any]:
        """For ``--summary-json``."""
        out: dict[str, Any] = {"force_samples": self.force_samples, "markers": self.markers,
                               "force_stream": self.force_name, "marker_stream": self.marker_name,
                               "details_stream": self.details_name, "source_id": self.source_id}
        if self.failed:
            out["error"] = self.failed
        return out

    def describe(self) -> str:
        rate = f"{self.rate:g} Hz" if self.rate else "irregular rate"
        return (f"LSL: publishing \u201c{self.force_name}\u201d (force and force_filtered in N, "
                f"device_time in s; {rate}), \u201c{self.marker_name}\u201d (the event kinds) and "
                f"\u201c{self.details_name}\u201d (their details as JSON), source id {self.source_id}")

    # ---- listener
    def on_connect(self, info: DeviceInfo) -> None:
        self._guard(self._connect, info)

    def on_disconnect(self, reason: str) -> None:
        self._guard(self._disconnect)

    def on_samples(self, block: Samples, filtered: float, state: int) -> None:
        self._guard(self._samples, block, filtered)

    def on_event(self, event: Event) -> None:
        self._guard(self._marker, event.t, event_marker(event))

    def on_hold(self, hold: Hold) -> None:
        self._guard(self._marker, hold.end, hold_end_marker(hold, self._t_last))

    def on_marker(self, t: float) -> None:
        self._guard(self._marker, t, marker("marker", t))

    def close(self) -> None:
        """Push what is still held, then close the outlets (the streams disappear)."""
        if self._held and self.clock.offset is not None and self.failed is None:
            self._guard(self._flush)
        self._held.clear()
        self._force = self._marks = self._details = None  # pylsl destroys an outlet with its last reference

    # ---- the work
    def _guard(self, fn: Callable[..., None], *args: Any) -> None:
        if self.failed is not None:
            return
        try:
            fn(*args)
        except Exception as exc:  # liblsl trouble must not end monitoring (FanOut would drop us)
            self.failed = f"LSL publishing stopped ({type(exc).__name__}: {exc}); monitoring goes on."
            self._force = self._marks = self._details = None
            self._say(self.failed)

    def _say(self, text: str) -> None:
        if self.news is not None:
            self.news(text)
        else:
            _log.warning("%s", text)  # no `news` (a library user): standard logging

    def _connect(self, info: DeviceInfo) -> None:
        if self._held and self.clock.offset is not None:
            self._flush()  # what came before belongs to the old link's clock
        self._held.clear()
        self.clock.reset()
        self._info = info
        self._open()

    def _disconnect(self) -> None:
        if self._held and self.clock.offset is not None:
            self._flush()
        self._held.clear()
        self.clock.reset()

    def _open(self) -> None:
        """Open the outlets for the current device; reopen only if it is another device or rate."""
        info = self._info
        sid = self.fixed_source_id or source_id_for(info, self.port)
        rate = float(info.rate) if info.rate and info.rate > 0 else 0.0
        if self._force is not None and sid == self.source_id and rate == self.rate:
            return
        if self._force is not None:
            # Another device (or rate) on this link. Destroying an outlet waits for its threads
            # (~25 ms): that happens on a thread of its own, not the reader's.
            old = [self._force, self._marks, self._details]
            self._force = self._marks = self._details = None
            threading.Thread(target=_drop, args=(old,), name="nmt-lsl-close", daemon=True).start()
        lsl = self.pylsl
        self.source_id, self.rate = sid, rate
        finfo = lsl.StreamInfo(self.force_name, FORCE_TYPE, len(FORCE_CHANNELS), rate, lsl.cf_double64,
                               sid)
        self._describe_force(finfo.desc(), info)
        minfo = lsl.StreamInfo(self.marker_name, MARKER_TYPE, 1, lsl.IRREGULAR_RATE, lsl.cf_string,
                               f"{sid}:events")
        self._describe_markers(minfo.desc(), info)
        dinfo = lsl.StreamInfo(self.details_name, DETAILS_TYPE, len(DETAILS_CHANNELS), lsl.IRREGULAR_RATE,
                               lsl.cf_string, f"{sid}:event-details")
        self._describe_details(dinfo.desc(), info)
        self._force = lsl.StreamOutlet(finfo)
        self._marks = lsl.StreamOutlet(minfo)
        self._details = lsl.StreamOutlet(dinfo)
        if not self._announced:
            self._announced = True
            self._say(self.describe())

    def _samples(self, block: Samples, filtered: float) -> None:
        n = int(block.t.size)
        if n == 0:
            return
        self._t_last = float(block.t[-1])
        now = self.pylsl.local_clock()
        if self._force is None:
            self._open()  # attached while the device was already streaming
        self.clock.observe(float(block.t[-1]), now)
        filt = block.filtered if block.filtered is not None else np.full(n, filtered)
        data = np.column_stack((block.force, filt, block.t)).astype(np.float64, copy=False)
        t = np.array(block.t, dtype=np.float64)
        if not self.clock.settled(now):
            self._held.append(("s", t, data))
            return
        if self._held:
            self._flush()
        self._push(t, data)

    def _marker(self, t: float, m: Marker) -> None:
        if self._force is None or self.clock.offset is None or self._held or \
                not self.clock.settled(self.pylsl.local_clock()):
            self._held.append(("m", t, m))
            return
        self._push_marker(t, m)

    def _flush(self) -> None:
        held, self._held = self._held, []
        for what, t, payload in held:
            if what == "s":
                self._push(t, payload)
            else:
                self._push_marker(t, payload)

    def _push(self, t: np.ndarray, data: np.ndarray) -> None:
        if self._force is None:
            return
        stamps = self.clock.stamp(t)
        self._force.push_chunk(data, stamps.tolist())
        self.force_samples += int(t.size)

    def _push_marker(self, t: float, m: Marker) -> None:
        if self._marks is None or self._details is None or self.clock.offset is None:
            return
        stamp = self.clock.stamp_one(t)
        # The same stamp on both: a script joins a marker and its details by time as well as by order.
        self._marks.push_sample([m.kind], stamp)
        self._details.push_sample([m.kind, m.details], stamp)
        self.markers += 1

    # ---- stream descriptions (XDF meta-data conventions: channels/channel, acquisition)
    def _describe_force(self, desc: Any, info: DeviceInfo) -> None:
        chans = desc.append_child("channels")
        for label, unit, kind in FORCE_CHANNELS:
            ch = chans.append_child("channel")
            ch.append_child_value("label", label)
            ch.append_child_value("unit", unit)
            ch.append_child_value("type", kind)
        desc.append_child_value("force_filter", f"low-pass {self.cfg.lowpass_hz:g} Hz (the detector's)")
        self._describe_common(desc, info)

    def _describe_markers(self, desc: Any, info: DeviceInfo) -> None:
        ch = desc.append_child("channels").append_child("channel")
        ch.append_child_value("label", "kind")
        ch.append_child_value("type", "Marker")
        desc.append_child_value("format", "kind")
        desc.append_child_value("kinds", ",".join(MARKER_KINDS))
        desc.append_child_value("details_stream", self.details_name)
        desc.append_child_value("times", "the LSL timestamp is the event's onset t (device time, the force "
                                         "stream's device_time channel) mapped to lsl_local_clock")
        self._describe_common(desc, info)

    def _describe_details(self, desc: Any, info: DeviceInfo) -> None:
        chans = desc.append_child("channels")
        for label in DETAILS_CHANNELS:
            ch = chans.append_child("channel")
            ch.append_child_value("label", label)
            ch.append_child_value("type", "Marker")
        desc.append_child_value("format", "json")
        desc.append_child_value("keys", ",".join(MARKER_KEYS))
        desc.append_child_value("kinds", ",".join(MARKER_KINDS))
        desc.append_child_value("marker_stream", self.marker_name)
        desc.append_child_value("hold_end", "a finished hold: t is its end, direction how it ended ("
                                            "step, release, left or end_of_data), level its level, hold "
                                            "its statistics")
        desc.append_child_value("times", "t and t_detected in device seconds (the force stream's "
                                         "device_time channel); each sample has the timestamp of its "
                                         "marker in the marker stream")
        self._describe_common(desc, info)

    def _describe_common(self, desc: Any, info: DeviceInfo) -> None:
        from nmt_pressure._version import __version__

        acq = desc.append_child("acquisition")
        acq.append_child_value("manufacturer", DEFAULT_NAME)
        acq.append_child_value("model", info.fields.get("name") or info.name)
        if info.fields.get("serial"):
            acq.append_child_value("serial_number", info.fields["serial"])
        dev = desc.append_child("device")
        dev.append_child_value("name", info.name)
        dev.append_child_value("port", self.port)
        dev.append_child_value("format", info.fmt)
        if info.rate:
            dev.append_child_value("rate_hz", f"{info.rate:g}")
        if info.calibrated:
            dev.append_child_value("calibration", f"force_n = (raw - {info.offset!r}) / {info.scale!r}")
        for k, v in info.fields.items():
            if k.isidentifier() and k not in ("name",):
                dev.append_child_value(f"id_{k}", str(v))
        det = desc.append_child("detector")
        for k, v in self.cfg.to_dict().items():
            det.append_child_value(k, "" if v is None else repr(v) if isinstance(v, float) else str(v))
        det.append_child_value("band", "fixed target" if self.cfg.target is not None
                               else "relative to each hold's level")
        sw = desc.append_child("software")
        sw.append_child_value("name", DEFAULT_NAME)
        sw.append_child_value("version", __version__)
        sw.append_child_value("pylsl", str(getattr(self.pylsl, "__version__", "")))
        clk = desc.append_child("clock")
        clk.append_child_value("mapping", "lsl_timestamp = device_time + offset; offset = min over "
                                          f"{CLOCK_WINDOW_S:g} s of (lsl_local_clock at arrival - device "
                                          "time of the block's newest sample), reset on reconnection")
