"""The session controller: port, simulator, replay, recording, LSL and drills, with no widgets.

Data flow (DESIGN.md): a :class:`~nmt_pressure.link.reader.Monitor` (a live device or the built-in
simulator) or a :class:`~nmt_pressure.analysis.replay.Replayer` (a recording) runs the core on its own
thread and tells its listeners. The dashboard's listener (:class:`~nmt_pressure.dashboard.model.DashListener`)
fills a ring buffer the plot reads and sends the core's events here as queued signals; the controller
passes the current session's to its :class:`~nmt_pressure.dashboard.presenter.Presenter`, which keeps
the view-model. The controller owns no widget: it says what happened with signals of plain data.

Each connection or replay is a :class:`Session` with a generation number; news from an older session
that is still winding down is ignored.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Qt, Signal, Slot

from nmt_pressure.analysis.replay import Replayer
from nmt_pressure.core.config import ConfigError, DetectorConfig
from nmt_pressure.core.events import Event, Hold
from nmt_pressure.dashboard.model import Bridge, DashListener, SampleRing, Source
from nmt_pressure.dashboard.presenter import Presenter
from nmt_pressure.dashboard.viewmodel import LinkStatus, ViewModel
from nmt_pressure.io.recording import Recording, RecordingError, read_recording
from nmt_pressure.io.rectypes import replay_config
from nmt_pressure.link.calibration import DeviceInfo
from nmt_pressure.link.listeners import FanOut
from nmt_pressure.link.reader import Monitor
from nmt_pressure.link.simproc import SimulatorProcess, simulator_args
from nmt_pressure.outputs.lsl import DEFAULT_NAME as LSL_DEFAULT_NAME
from nmt_pressure.outputs.lsl import LslError, LslPublisher
from nmt_pressure.outputs.recorder import LiveRecorder, RecorderError
from nmt_pressure.practice.engine import DrillRun


@dataclasses.dataclass
class Session:
    """One source (a live link or a replay) and what hangs off it."""

    gen: int
    kind: str  # "live" or "replay"
    source: Source
    listener: DashListener
    fan: FanOut
    cfg: DetectorConfig
    port: str = ""
    recorder: LiveRecorder | None = None
    lsl: LslPublisher | None = None
    replay_path: str | None = None
    stopping: bool = False
    connected: bool = False
    winding: threading.Thread | None = None  # the thread that stops it, once one does
    drill: DrillRun | None = None  # a practice drill playing on this session's listeners
    recording_failure_shown: bool = False


class SessionController(QObject):
    """Owns the session (and the simulator child); its presenter keeps the view-model."""

    # -- to the window and the views (GUI thread, plain data)
    #: A line for the status bar: (text, is an error).
    message = Signal(str, bool)
    #: Something the toolbar shows changed (session, simulator, recording, LSL, pause).
    controls_changed = Signal()
    #: A session is about to end: (the drill playing on it, or None); it cannot go on without its source.
    ending = Signal(object)
    #: A session ended (its recording saved, its outputs closed).
    ended = Signal()

    # -- from worker threads to this object (queued)
    #: A background stop finished: (generation of the stopped session).
    _stopped = Signal(int)
    #: A recording opened in the background: (generation, Replayer or error text).
    _replay_ready = Signal(int, object)
    #: The simulator child said its port or cannot start: (its SimulatorProcess).
    _sim_outcome = Signal(object)

    def __init__(self, cfg: DetectorConfig, vm: ViewModel, *, settings: QSettings,
                 band_override: dict[str, Any] | None = None, fmt: str = "auto", baud: int = 115200,
                 lsl_name: str = LSL_DEFAULT_NAME, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cfg = cfg
        self.vm = vm
        #: Turns the current session's news into the view-model and the views' signals.
        self.presenter = Presenter(vm, parent=self)
        self.settings = settings
        self.band_override = band_override  # applied to replays too, as analyze's flags are
        self.fmt, self.baud = fmt, baud
        self.session: Session | None = None
        self.sim: SimulatorProcess | None = None
        self._sim_fmt: str | None = None  # the wire format to read the simulator with (None: self.fmt)
        self.gen = 0
        self._after_stop: dict[int, Callable[[], None]] = {}
        #: A recording to start once the next live session begins: (path, overwrite).
        self.pending_record: tuple[str, bool] | None = None
        #: The speed a replay reopened with a new band runs at (the toolbar's choice).
        self.replay_speed: float | None = 1.0
        # LSL output: off unless asked (it opens network sockets), and never remembered across runs.
        self.lsl_on = False
        self.lsl_name = lsl_name
        q = Qt.ConnectionType.QueuedConnection
        self._stopped.connect(self._on_stopped, q)
        self._replay_ready.connect(self._on_replay_ready, q)
        self._sim_outcome.connect(self._on_sim_outcome, q)

    def show_message(self, text: str, error: bool = False) -> None:
        self.message.emit(text, error)

    # ------------------------------------------------------------------------------------------
    # sources
    # ------------------------------------------------------------------------------------------
    def connect_port(self, port: str) -> None:
        """Connect to a device path or pyserial URL (ends the current session first)."""
        port = port.strip()
        if not port:
            self.show_message("choose a port (or start the simulator).")
            return
        if self.sim is None or self.sim.port != port:
            self.settings.setValue("port", port)
        self.end_session(then=lambda: self._start_live(port))

    def start_sim(self, rate: int, scenario: str = "session", seed: int = 0,
                  script: str | None = None, speed: float = 1.0, wait_for_host: bool = False) -> None:
        """Start the built-in simulator (a child process) and connect to it when it says its port;
        ``speed`` runs its device clock that many times faster than the wall clock; ``wait_for_host``:
        its hand starts when the reader connects (a drill's hand: script time is drill time)."""

        def go() -> None:
            self.stop_sim()
            self.show_message(f"starting the simulator ({rate} Hz)…")
            args = simulator_args(rate, scenario=scenario, seed=seed, script=script, speed=speed)
            sim = SimulatorProcess([*args, "--wait-for-host"] if wait_for_host else args)
            # a waiting hand starts at the ID that an nmtp reader sends (auto-detection would wait
            # for data that never comes)
            self._sim_fmt = "nmtp" if wait_for_host else None
            self.sim = sim
            # Spawned here, on the GUI thread, which lives as long as the window (the child's death
            # signal follows the thread that started it); its port comes back as a queued signal.
            sim.spawn(on_outcome=self._sim_outcome.emit)
            self.cfg = dataclasses.replace(self.cfg, sample_rate=float(rate))
            self.controls_changed.emit()

        self.end_session(then=go)

    @Slot(object)
    def _on_sim_outcome(self, sim: SimulatorProcess) -> None:
        if sim is not self.sim:
            return  # a simulator replaced or stopped meanwhile
        if sim.failure is None:
            self._start_live(sim.port, fmt=self._sim_fmt)
            return
        self.show_message(f"the simulator did not start ({sim.failure.rstrip('.')}).", error=True)
        self.stop_sim()
        self.controls_changed.emit()

    def stop_sim(self) -> None:
        if self.sim is not None:
            self.sim.stop(wait=3.0)
            self.sim = None

    def open_replay(self, source: str | Recording, speed: float | None = 1.0, until: float | None = None,
                    cfg: DetectorConfig | None = None) -> None:
        """Replay a recording (a path, read in the background, or a Recording already read)."""

        def go() -> None:
            self.stop_sim()
            self.gen += 1
            gen = self.gen
            self.show_message(f"opening {source if isinstance(source, str) else source.source}…")

            def load() -> None:
                try:
                    rec = source if isinstance(source, Recording) else read_recording(source)
                    rcfg = cfg if cfg is not None else replay_config(rec, **(self.band_override or {}))
                    self._replay_ready.emit(gen, (rec, rcfg, speed, until))
                except (RecordingError, ConfigError, OSError) as exc:
                    self._replay_ready.emit(gen, str(exc))

            if isinstance(source, Recording):
                load()
            else:
                threading.Thread(target=load, name="nmt-open", daemon=True).start()

        self.end_session(then=go)

    @Slot(int, object)
    def _on_replay_ready(self, gen: int, result: object) -> None:
        if gen != self.gen:
            return
        if isinstance(result, str):
            self.show_message(result, error=True)
            self.controls_changed.emit()
            return
        assert isinstance(result, tuple)
        rec: Recording = result[0]
        rcfg: DetectorConfig = result[1]
        spd: float | None = result[2]
        until: float | None = result[3]
        listener, fan = self.new_listener(gen, rcfg)
        rep = Replayer(rec, fan, cfg=rcfg, speed=spd, until=until)
        self.replay_speed = spd  # the speed box shows the replay's own (`dash --speed`)
        listener.source = rep
        self.begin(Session(gen, "replay", rep, listener, fan, rcfg, port=rep.port,
                           replay_path=str(rec.source) if rec.source else None))
        if rec.source is not None:
            self.settings.setValue("open_dir", str(Path(rec.source).parent))

    def _start_live(self, port: str, fmt: str | None = None) -> None:
        self.gen += 1
        listener, fan = self.new_listener(self.gen, self.cfg)
        mon = Monitor(port, self.cfg, fan, fmt=fmt or self.fmt, baud=self.baud)
        listener.source = mon
        session = Session(self.gen, "live", mon, listener, fan, self.cfg, port=port)
        if self.lsl_on:
            self._attach_lsl(session)  # before the reader starts: its first connection is published
        self.begin(session)
        if self.pending_record is not None:
            path, overwrite = self.pending_record
            self.pending_record = None
            self.start_recording(path, overwrite=overwrite)

    def new_listener(self, gen: int, cfg: DetectorConfig) -> tuple[DashListener, FanOut]:
        """The dashboard's listener for session ``gen``, its bridge wired (queued) to this object."""
        bridge = Bridge(self)
        q = Qt.ConnectionType.QueuedConnection
        # Queued, to methods of this object (GUI thread): the reader thread never runs GUI code.
        bridge.detected.connect(self._on_event, q)
        bridge.holds.connect(self._on_holds, q)
        bridge.marker.connect(self._on_marker, q)
        bridge.connected.connect(self._on_connected, q)
        bridge.disconnected.connect(self._on_disconnected, q)
        bridge.message.connect(self._on_message, q)
        listener = DashListener(cfg, bridge, SampleRing(), gen=gen)
        return listener, FanOut([listener])

    def begin(self, session: Session) -> None:
        """Make ``session`` the current one (the views start afresh) and start its source."""
        self.presenter.begin(session.cfg)
        self.session = session
        session.source.start()
        self.show_message(f"replaying {session.replay_path}" if session.kind == "replay"
                          else f"connecting to {session.port}…")
        self.controls_changed.emit()

    def disconnect_source(self) -> None:
        """End the session (and the simulator, if it is ours)."""
        self.end_session(then=self.stop_sim)

    def end_session(self, then: Callable[[], None] | None = None) -> None:
        """Stop the session in the background (a device may take a moment); then ``then()``."""
        s = self.session
        self.ending.emit(s.drill if s is not None else None)
        if s is None or s.stopping:
            if s is not None and then is not None:
                self._after_stop[s.gen] = then
            elif then is not None:
                then()
            return
        s.stopping = True
        if then is not None:
            self._after_stop[s.gen] = then
        s.source.stop()

        def wind_down() -> None:
            s.source.join(5.0)
            with contextlib.suppress(Exception):
                s.source.finish()  # close the open hold (end of data), as the monitor does at exit
            s.listener.flush_holds()
            s.fan.close()  # the recorder, if any, flushes and syncs
            self._stopped.emit(s.gen)

        s.winding = threading.Thread(target=wind_down, name="nmt-stop", daemon=True)
        s.winding.start()

    @Slot(int)
    def _on_stopped(self, gen: int) -> None:
        s = self.session
        if s is not None and s.gen == gen:
            if s.recorder is not None:
                self.show_message(f"recording saved: {s.recorder.path}")
            s.recorder = None
            s.lsl = None  # closed with the session's listeners
            self.session = None
            if not s.source.running:
                s.listener.bridge.deleteLater()  # nothing can emit on it any more
        self.ended.emit()
        self.controls_changed.emit()
        then = self._after_stop.pop(gen, None)
        if then is not None:
            then()

    def stop_now(self, timeout: float = 5.0) -> None:
        """Stop everything synchronously (at exit, and for unattended runs)."""
        s = self.session
        if s is not None and s.winding is not None:
            if s.winding is not threading.current_thread():
                s.winding.join(timeout)  # a stop already under way finishes the session
        elif s is not None:
            s.stopping = True
            s.source.stop()
            s.source.join(timeout)
            with contextlib.suppress(Exception):
                s.source.finish()
            s.listener.flush_holds()
            s.fan.close()
            s.winding = threading.current_thread()  # done: a second call has nothing to do
        self.stop_sim()

    # ------------------------------------------------------------------------------------------
    # what the toolbar asks of the session
    # ------------------------------------------------------------------------------------------
    def set_speed(self, speed: float | None) -> None:
        """The replay speed (None: as fast as it goes), now and for the replays opened after."""
        self.replay_speed = speed
        s = self.session
        if s is not None and isinstance(s.source, Replayer):
            s.source.set_speed(speed)

    def toggle_pause(self) -> None:
        s = self.session
        if s is None or not isinstance(s.source, Replayer):
            return
        if s.source.paused:
            s.source.resume()
        else:
            s.source.pause()
        self.controls_changed.emit()

    def tare(self) -> None:
        s = self.session
        if s is None or s.kind != "live":
            self.show_message("tare needs a connected device.")
            return
        s.source.send("TARE")
        self.show_message("tare sent: the cell reads zero with nothing on it.")

    def marker(self) -> None:
        """The client says "too much": our devices echo MARK into the stream (and the recording);
        for other devices the marker is stamped here with the latest sample's time."""
        s = self.session
        if s is None:
            return
        if s.kind == "live" and s.source.info.fmt == "nmtp":
            s.source.send("MARK")
            return
        t = s.listener.ring.last_t
        if t is not None:
            s.fan.on_marker(t)

    def start_recording(self, path: str, overwrite: bool = False) -> bool:
        """Attach a recorder to the live session's listeners; False (and a message) if it cannot."""
        s = self.session
        if s is None or s.kind != "live":
            return False
        try:
            rec = LiveRecorder(path, s.cfg, overwrite=overwrite, source=s.port)
        except RecorderError as exc:
            self.show_message(str(exc), error=True)
            self.controls_changed.emit()
            return False
        rec.on_connect(s.source.info)  # the device so far, for the file's head
        s.fan.add(rec)
        s.recorder = rec
        self.settings.setValue("record_dir", str(Path(path).parent))
        self.show_message(f"recording to {path}")
        self.controls_changed.emit()
        return True

    def stop_recording(self) -> None:
        s = self.session
        if s is None or s.recorder is None:
            return
        rec = s.recorder
        s.recorder = None
        s.fan.remove(rec)  # waits for the block in progress: rec is never called again
        rec.close()
        msg = f"recording saved: {rec.path} ({rec.rows} samples)"
        self.show_message(msg if rec.failed is None else rec.failed, error=rec.failed is not None)
        self.controls_changed.emit()

    def set_lsl(self, on: bool) -> bool:
        """Publish live sessions to Lab Streaming Layer (now and every connection after) or stop;
        False (and a message) if LSL cannot be switched on here."""
        s = self.session
        if on and not self.lsl_on:
            from nmt_pressure.outputs.lsl import load_pylsl

            try:
                load_pylsl()
            except LslError as exc:
                self.show_message(str(exc), error=True)
                self.controls_changed.emit()
                return False
            self.lsl_on = True
            if s is not None and s.kind == "live" and not s.stopping:
                self._attach_lsl(s)
            else:
                self.show_message("LSL on: the next live connection is published.")
        elif not on and self.lsl_on:
            self.lsl_on = False
            if s is not None and s.lsl is not None:
                self._detach_lsl(s)
            self.show_message("LSL off: no streams published.")
        self.controls_changed.emit()
        return True

    def _attach_lsl(self, s: Session) -> None:
        bridge, gen = s.listener.bridge, s.gen

        def news(text: str) -> None:  # from any thread: a queued signal to the status bar
            bridge.message.emit(gen, text)

        try:
            pub = LslPublisher(s.cfg, port=s.port, name=self.lsl_name, info=s.source.info, news=news)
        except LslError as exc:  # pragma: no cover - set_lsl loaded pylsl already
            self.show_message(str(exc), error=True)
            return
        if s.connected:
            pub.on_connect(s.source.info)  # the streams appear now, not with the next block
        s.fan.add(pub)
        s.lsl = pub

    def _detach_lsl(self, s: Session) -> None:
        pub, s.lsl = s.lsl, None
        if pub is not None:
            s.fan.remove(pub)  # waits for the block in progress: pub is never called again
            pub.close()  # the streams disappear

    def set_band(self, target: float | None, tolerance: float) -> bool:
        """Set the band (None: relative to each hold); restarts the session's core. False (and a
        message) if invalid. The core watches the band, so a change needs a new session."""
        try:
            new = dataclasses.replace(self.cfg, target=target, tolerance=tolerance)
        except ConfigError as exc:
            self.show_message(f"band not changed: {exc}", error=True)
            return False
        self.cfg = new
        self.band_override = {"target": target, "tolerance": tolerance}
        self.settings.setValue("band/mode", "fixed" if target is not None else "relative")
        if target is not None:
            self.settings.setValue("band/target", target)
        self.settings.setValue("band/tolerance", tolerance)
        s = self.session
        if s is None or s.stopping:
            return True
        if s.recorder is not None:
            self.show_message("the new band applies from the next connection (a recording is running).")
        elif s.drill is not None:  # restarting the core would end the drill
            self.show_message("the new band applies from the next connection (a drill is running).")
        elif s.kind == "live":
            port = s.port
            self.show_message("band changed: restarting the detector")
            self.end_session(then=lambda: self._start_live(port))
        elif s.replay_path is not None:
            path = s.replay_path
            self.end_session(then=lambda: self.open_replay(path, speed=self.replay_speed))
        return True

    # ---- practice drills: the drill panel drives them, the session carries them
    def attach_drill(self, run: DrillRun) -> str | None:
        """Hang ``run`` on the live session's listeners, like the recorder; the reason if it cannot."""
        s = self.session
        if s is not None and s.kind == "replay":
            return ("a drill needs a live source: connect a device or start the simulator (a replay "
                    "cannot be practised on; `nmt-pressure drill NAME --replay FILE` scores one).")
        if s is None or s.stopping:
            return "a drill needs a live source: connect a device or start the simulator first."
        if s.drill is not None and not s.drill.finished:
            return "a drill is running already: stop it first."
        s.drill = run
        s.fan.add(run)  # from the next block on: the drill starts with the samples it sees
        return None

    def detach_drill(self, run: DrillRun) -> None:
        """Take ``run`` off whichever session it plays on (it may be winding down already)."""
        s = self.session
        if s is not None and s.drill is run:
            s.drill = None
            s.fan.remove(run)  # waits for the block in progress: run is never called again

    def filtered_force(self) -> float:
        """The session's latest filtered force (NaN before its first sample or without a session)."""
        s = self.session
        return s.listener.filtered if s is not None and s.listener.ring.last_t is not None else math.nan

    def core_state(self) -> int | None:
        """The core's state on the session (``core.events.STATE_*``; None without a session)."""
        s = self.session
        return s.listener.state if s is not None else None

    def device_name(self) -> str:
        """The session's device ("" without one)."""
        s = self.session
        return s.source.info.name if s is not None else ""

    def recording_path(self) -> str | None:
        """The session's recording, as an absolute path (None if it records nothing)."""
        s = self.session
        rec = s.recorder if s is not None else None
        return str(Path(rec.path).resolve()) if rec is not None else None

    # ------------------------------------------------------------------------------------------
    # news from the reader thread (queued), into the view-model and the views' signals
    # ------------------------------------------------------------------------------------------
    def _current(self, gen: int) -> Session | None:
        s = self.session
        return s if s is not None and s.gen == gen else None

    @Slot(int, object)
    def _on_connected(self, gen: int, info: DeviceInfo) -> None:
        s = self._current(gen)
        if s is None:
            return
        s.connected = True
        rate = f", {info.rate:g} Hz" if info.rate else ""
        self.show_message(f"connected: {info.name} ({info.fmt}{rate})")
        self.presenter.connected(info)

    @Slot(int, str)
    def _on_disconnected(self, gen: int, reason: str) -> None:
        s = self._current(gen)
        if s is None or s.stopping:
            return
        s.connected = False
        self.presenter.lost(reason)

    @Slot(int, str)
    def _on_message(self, gen: int, text: str) -> None:
        if self._current(gen) is not None:
            self.show_message(text)
            self.controls_changed.emit()

    @Slot(int, float)
    def _on_marker(self, gen: int, t: float) -> None:
        if self._current(gen) is not None:
            self.presenter.marker(t)

    @Slot(int, object)
    def _on_event(self, gen: int, e: Event) -> None:
        s = self._current(gen)
        if s is not None:
            self.presenter.core_event(e, s.cfg)

    @Slot(int, object)
    def _on_holds(self, gen: int, holds: list[Hold]) -> None:
        s = self._current(gen)
        if s is not None:
            self.vm.t0 = s.listener.history.t0  # the table's rows count session seconds from here
            self.presenter.holds(holds)

    def refresh_view(self) -> None:
        """Copy the session's latest force, state and open hold into the view-model."""
        s = self.session
        self.presenter.refresh(s.listener if s is not None else None)
        if s is None:
            return
        self.vm.t0 = s.listener.history.t0
        if isinstance(s.source, Replayer) and s.source.finished:
            # The file is over: the core closed its last hold (end of data); nothing is "holding".
            self.vm.state_text = "replay ended"

    def poll(self) -> None:
        """The status timer's look at the session: its status into the view-model; a recording that
        failed is said at once; a session whose source died ends."""
        s = self.session
        if s is None:
            self.vm.status = None
            return
        src = s.source
        info = src.info
        rec = s.recorder
        if rec is not None and rec.failed and not s.recording_failure_shown:
            # A full disk stopped the recording; the session goes on, and the user must see it now,
            # not when pressing Stop recording.
            s.recording_failure_shown = True
            self.show_message(rec.failed, error=True)
        pub = s.lsl
        lsl, detail = "", ""
        if pub is not None and pub.failed:
            lsl, detail = "stopped", pub.failed
        elif pub is not None and pub.active:
            lsl = "on"
            detail = f"{pub.describe()}; sent {pub.force_samples} samples and {pub.markers} markers so far"
        elif pub is not None:
            lsl = "waiting"
        st = getattr(src, "stats", None)
        if isinstance(src, Replayer):
            # A file has no link: its facts are its name, length and where the replay is.
            self.vm.status = self._file_status(s, src, lsl, detail)
        else:
            hist = s.listener.history
            self.vm.status = LinkStatus(
                name=info.name, fmt=info.fmt or s.kind, rate=info.rate or None,
                recording=rec.path.name if rec is not None else None,
                recording_stopped=bool(rec is not None and rec.failed), lsl=lsl, lsl_detail=detail,
                dropped=st.dropped if st is not None else None,
                crc_errors=st.crc_errors if st is not None else 0,
                reconnects=st.reconnects if st is not None else 0,
                latency_p99_ms=st.latency_p99_ms() if st is not None and s.kind == "live" else None,
                session_s=hist.span if hist.t0 is not None else None)
        if src.fatal and not s.stopping:
            self.show_message(src.fatal, error=True)
            self.end_session()
        elif s.kind == "live" and not src.running and not s.stopping:
            self.end_session()

    @staticmethod
    def _file_status(s: Session, rep: Replayer, lsl: str, detail: str) -> LinkStatus:
        rec = rep.recording
        first = float(rec.t[0]) if len(rec) else 0.0
        pos = rep.position
        name = Path(s.replay_path).name if s.replay_path else rep.info.name
        return LinkStatus(name=name, fmt="file", rate=rep.info.rate or None, lsl=lsl, lsl_detail=detail,
                          file=name, file_length_s=rep.duration,
                          position_s=(pos - first) if pos is not None else 0.0,
                          speed=rep.speed, paused=rep.paused, finished=rep.finished)

    def source_summary(self) -> dict[str, Any]:
        """The session's counters, events and holds (as the monitor's summary)."""
        s = self.session
        return s.source.summary() if s is not None else {"events": [], "holds": []}

    def outputs_summary(self) -> dict[str, Any]:
        """The session's recording and LSL figures (empty without them)."""
        s = self.session
        out: dict[str, Any] = {}
        if s is not None and s.recorder is not None:
            out["recording"] = str(s.recorder.path)
            out["recording_error"] = s.recorder.failed
        if s is not None and s.lsl is not None:
            out["lsl"] = s.lsl.counts()
        return out
