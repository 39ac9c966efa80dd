"""The dashboard's main window: it builds the views, wires them to the session controller, and runs
the timers. It decides nothing itself.

- :mod:`~nmt_pressure.dashboard.controller`: the session (port, simulator, replay, recording, LSL,
  drills), with no widgets: it says what happened with signals of plain data;
- :mod:`~nmt_pressure.dashboard.presenter`: the core's news for the current session, into the
  view-model and into what the views draw (bands, alerts, marks);
- :mod:`~nmt_pressure.dashboard.viewmodel`: the one object the views read;
- :mod:`~nmt_pressure.dashboard.plotview`, :mod:`~nmt_pressure.dashboard.readouts`,
  :mod:`~nmt_pressure.dashboard.holdstable`, :mod:`~nmt_pressure.dashboard.statusbar`,
  :mod:`~nmt_pressure.dashboard.drill_panel`: the views;
- :mod:`~nmt_pressure.dashboard.toolbar`: the actions and the settings controls.

A QTimer redraws the plot at 30 Hz (60 Hz while the force moves) from the session's ring buffer,
only when samples arrived (one persistent curve per trace, decimated in numpy to each pixel column's
min and max); the readouts (10 Hz), the status bar and the open hold's table row (2 Hz) and the
alert's flash have timers of their own.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import resource
import tempfile
import time
from collections import deque
from typing import Any

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QScrollArea, QSplitter, QVBoxLayout, QWidget

from nmt_pressure.core.config import ConfigError, DetectorConfig
from nmt_pressure.core.events import Event
from nmt_pressure.dashboard.controller import Session, SessionController
from nmt_pressure.dashboard.drill_panel import DrillPanel
from nmt_pressure.dashboard.holdstable import HoldTable
from nmt_pressure.dashboard.model import DashListener
from nmt_pressure.dashboard.navigation import Navigator
from nmt_pressure.dashboard.plotview import PlotView
from nmt_pressure.dashboard.readouts import ReadoutPanel
from nmt_pressure.dashboard.sound import AlertSound
from nmt_pressure.dashboard.statusbar import StatusBar
from nmt_pressure.dashboard.style import DIM, DISABLED_TEXT, NEUTRAL, PANEL_BG, TEXT, UNIT_FACTORS
from nmt_pressure.dashboard.toolbar import Toolbars, speed_of
from nmt_pressure.dashboard.viewmodel import ViewModel
from nmt_pressure.io.recording import Recording
from nmt_pressure.link.calibration import DeviceInfo
from nmt_pressure.link.simproc import SimulatorProcess
from nmt_pressure.outputs.lsl import DEFAULT_NAME as LSL_DEFAULT_NAME
from nmt_pressure.practice.engine import DrillRun

#: The plot's redraw rate (Hz): a 30 s window scrolls ~1 pixel column per frame at 30 Hz on a 1000 px
#: plot, so more frames show nothing new to a person while they cost the reader thread its interpreter.
REDRAW_HZ = 30.0
#: While the force moves (a ramp, a step, a release) the plot redraws at this rate, so the change is
#: followed smoothly; it drops back to REDRAW_HZ once the force has been still for FAST_HOLD_S.
REDRAW_MOVING_HZ = 60.0
FAST_HOLD_S = 0.5
#: "Moving": the filtered force changed faster than this (N/s) over the last MOVING_LOOK_S seconds.
MOVING_N_PER_S = 2.0
MOVING_LOOK_S = 0.25
#: The readouts' own rate (ms): digits that change faster than 10 times a second cannot be read.
READOUT_MS = 100
#: The status bar's, the open hold's table row's and the frame-rate figure's rate (ms).
STATUS_MS = 500
FLASH_MS = 250
#: The drill panel's width (px): at least, and at most when it opens.
DRILL_DOCK_MIN = 320
DRILL_DOCK_MAX = 460

#: The window's size on a first run, and on every unattended run (which never restores a remembered one).
DEFAULT_SIZE = (1440, 900)

__all__ = ["DEFAULT_SIZE", "DashboardWindow", "Session", "settings_for"]


def process_started() -> float | None:
    """``time.monotonic()`` at this process's start (Linux, from /proc), or None where unknown: the
    start-up time a user waits includes Python's and Qt's imports, before any of our code runs."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        start_s = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22, starttime: ticks since boot
        return time.monotonic() - (time.clock_gettime(time.CLOCK_BOOTTIME) - start_s)
    except (OSError, ValueError, IndexError, AttributeError):
        return None


_PROCESS_STARTED = process_started()


def _interval_ms(hz: float) -> int:
    """A timer's interval for at most ``hz`` ticks a second (rounded up: 30 Hz is 34 ms, not 33)."""
    return max(1, math.ceil(1000.0 / hz))


def settings_for(path: str | None = None) -> QSettings:
    """The settings store: ``path`` (an INI file) if given, else the user's (``nmt_pressure/dashboard``)."""
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings("nmt_pressure", "dashboard")


def _remembered_band(base: DetectorConfig, s: QSettings) -> DetectorConfig:
    """The band remembered from the last run on top of ``base`` (the CLI's --target/--tolerance win)."""
    target: Any = s.value("band/target", None)
    tol: Any = s.value("band/tolerance", None)
    with contextlib.suppress(ConfigError, TypeError, ValueError):
        base = dataclasses.replace(
            base, target=float(target) if s.value("band/mode") == "fixed" and target else None,
            tolerance=float(tol) if tol is not None else base.tolerance)
    return base


class DashboardWindow(QMainWindow):
    """The dashboard. Drive it with :meth:`connect_port`, :meth:`start_sim`, :meth:`open_replay`."""

    def __init__(self, cfg: DetectorConfig | None = None, *, settings: QSettings | None = None,
                 window_s: float = 30.0, goal_s: float | None = None, unit: str | None = None,
                 fmt: str = "auto", baud: int = 115200, band_override: dict[str, Any] | None = None,
                 redraw_hz: float = REDRAW_HZ, lsl_name: str = LSL_DEFAULT_NAME) -> None:
        super().__init__()
        #: A drill's simulated hand writes its script here (set by the app; removed with the window).
        self.hand_dir: tempfile.TemporaryDirectory[str] | None = None
        self.settings = settings if settings is not None else settings_for()
        s = self.settings
        base = cfg or DetectorConfig()
        if band_override is None and s.value("band/mode") is not None:
            base = _remembered_band(base, s)
        self.window_s = window_s
        goal: Any = goal_s if goal_s is not None else s.value("goal_s", 20.0)
        unit = unit or str(s.value("unit", "N"))
        self.vm = ViewModel(unit=unit if unit in UNIT_FACTORS else "N", goal_s=float(goal))
        self.redraw_hz = redraw_hz
        self.sound = AlertSound(muted=s.value("muted", "false") in (True, "true"))
        self.controller = SessionController(base, self.vm, settings=s, band_override=band_override,
                                            fmt=fmt, baud=baud, lsl_name=lsl_name, parent=self)

        # performance counters
        self.ticks = 0
        self.redraws = 0
        self._fps_hist: deque[tuple[float, int]] = deque(maxlen=8)
        self.fps = 0.0
        self._t_shown: float | None = None
        self._ru_shown: float | None = None
        self._paints_shown = 0
        self._moving_paints = 0
        # what the plot and the readouts last showed: nothing new, nothing redrawn
        self._drawn_total = -1
        self._drawn_ring: object = None
        self._readout_total = -1
        self._moving_wall = 0.0

        self._build_views()
        self.tools = Toolbars(self, self.controller, self.vm)
        self.tools.apply_band(self.controller.cfg)
        self.tools.act_mute.setChecked(self.sound.muted)
        self._build_drill_dock()
        self.tools.update_controls()
        self._wire()

        self.redraw_timer = QTimer(self)
        self.redraw_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.redraw_timer.setInterval(_interval_ms(redraw_hz))
        self._moved_at: float | None = None  # wall time the force was last seen moving
        self.redraw_timer.timeout.connect(self._redraw)
        self.flash_timer = QTimer(self)
        self.flash_timer.setInterval(FLASH_MS)
        self.flash_timer.timeout.connect(self._flash)
        self.readout_timer = QTimer(self)
        self.readout_timer.setInterval(READOUT_MS)
        self.readout_timer.timeout.connect(self._readout_tick)
        self.status_timer = QTimer(self)
        self.status_timer.setInterval(STATUS_MS)
        self.status_timer.timeout.connect(self._update_status)
        self.redraw_timer.start()
        self.readout_timer.start()
        self.status_timer.start()

        geo = s.value("geometry")
        if geo is not None:
            self.restoreGeometry(geo)
        else:
            self.resize(*DEFAULT_SIZE)
        self.setWindowTitle("nmt-pressure dashboard")
        self._update_readouts()

    # ------------------------------------------------------------------------------------------
    # building and wiring
    # ------------------------------------------------------------------------------------------
    def _build_views(self) -> None:
        self.setStyleSheet(f"QMainWindow {{ background: {PANEL_BG}; }} "
                           f"QToolBar {{ background: #1b1f24; border: none; spacing: 6px; padding: 3px; }} "
                           f"QToolBar QLabel {{ color: {DIM}; font-size: 14px; }} "
                           f"QToolButton {{ color: {TEXT}; font-size: 14px; padding: 4px 8px; }} "
                           # a pressed toggle is neutral grey with an outline: red means too much only
                           f"QToolButton:checked {{ background: {NEUTRAL}; border: 1px solid {DIM}; "
                           f"border-radius: 3px; }} "
                           f"QToolButton:disabled {{ color: {DISABLED_TEXT}; }} "
                           f"QStatusBar {{ background: #1b1f24; color: {DIM}; font-size: 14px; }} "
                           f"QStatusBar QLabel {{ color: {DIM}; font-size: 14px; padding: 0 8px; }}")
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)

        self.banner = QLabel()
        self.banner.setStyleSheet("background: #f9a825; color: black; font-size: 22px; font-weight: bold;"
                                  " padding: 8px;")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.hide()
        lay.addWidget(self.banner)

        self.plot = PlotView(self.window_s, self.vm.unit)
        self.readouts = ReadoutPanel()
        self.table = HoldTable(self.vm)
        self.table.set_unit(self.vm.unit)
        # Freeze, scroll and zoom over the whole session (the plot's live drawing stays as it is).
        self.nav = Navigator(self.plot, self.vm, self._listener)
        self.nav.install_keys(self)

        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.plot)
        # In a scroll area: on a short screen the readouts' tail scrolls rather than push the holds
        # table below its four whole rows (the splitter cannot shrink a child below its minimum).
        ro_area = QScrollArea()
        ro_area.setWidget(self.readouts)
        ro_area.setWidgetResizable(True)
        ro_area.setFrameShape(QScrollArea.Shape.NoFrame)
        ro_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        ro_area.setStyleSheet(f"QScrollArea {{ background: {PANEL_BG}; border: none; }}")
        ro_area.setMinimumWidth(self.readouts.minimumWidth()
                                + ro_area.verticalScrollBar().sizeHint().width())
        top.addWidget(ro_area)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 1)
        top.setSizes([1000, 420])
        self._top_split = top
        main = QSplitter(Qt.Orientation.Vertical)
        main.addWidget(top)
        main.addWidget(self.table.panel)
        main.setStretchFactor(0, 4)
        main.setStretchFactor(1, 1)
        main.setCollapsible(1, False)  # the table keeps its whole rows (at least four) at any size
        main.setSizes([640, 200])
        lay.addWidget(main, 1)
        self.setCentralWidget(central)

        self.status = StatusBar()
        self.setStatusBar(self.status)

    def _build_drill_dock(self) -> None:
        """The practice panel, docked on the right and hidden until asked for (D, or dash --drill)."""
        self.drill_panel = DrillPanel(self)
        scroll = QScrollArea()
        scroll.setWidget(self.drill_panel)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setStyleSheet(f"QScrollArea {{ background: {PANEL_BG}; border: none; }}")
        dock = QDockWidget("Practice", self)
        dock.setObjectName("drill_dock")
        dock.setWidget(scroll)
        dock.setMinimumWidth(DRILL_DOCK_MIN)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetMovable)
        dock.setStyleSheet(f"QDockWidget {{ color: {DIM}; font-size: 14px; }}")
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        dock.hide()
        dock.visibilityChanged.connect(self._drill_dock_visible)
        self.drill_dock = dock

    def _drill_dock_visible(self, visible: bool) -> None:
        self.tools.act_drill.setChecked(visible)
        if visible:
            # The panel takes about a third of the window, the plot keeps a usable width: on a
            # small screen the readouts and the panel give up their spare room, not the plot.
            share = max(DRILL_DOCK_MIN, min(DRILL_DOCK_MAX, round(0.3 * self.width())))
            self.resizeDocks([self.drill_dock], [share], Qt.Orientation.Horizontal)
            self._top_split.setSizes([max(1, self.width() - share - 300), 300])
            self.drill_panel.on_shown()

    def _wire(self) -> None:
        """The controller's and the toolbar's signals to the views (all on the GUI thread: direct calls)."""
        tb = self.tools
        tb.unit_chosen.connect(self.set_unit)
        tb.goal_chosen.connect(self.set_goal)
        tb.band_chosen.connect(self.set_band)
        tb.mute_toggled.connect(lambda: self.set_muted(not self.sound.muted))
        tb.drill_toggled.connect(self.show_drill_panel)
        c = self.controller
        c.message.connect(self.show_message)
        c.controls_changed.connect(self.tools.update_controls)
        c.ending.connect(self._session_ending)
        c.ended.connect(self._session_ended)
        p = c.presenter
        p.view_reset.connect(self._reset_views)
        p.link_up.connect(self._link_up)
        p.link_lost.connect(self._link_lost)
        p.hold_started.connect(self.plot.start_band)
        p.band_moved.connect(self.plot.move_band)
        p.hold_ended.connect(self.plot.end_band)
        p.hold_ended.connect(self.table.hold_over)
        p.alert.connect(self._show_alert)
        p.annotation.connect(self.plot.annotate)
        p.band_exit.connect(self.plot.mark_exit)
        p.hold_scored.connect(self.plot.score_band)
        p.holds_changed.connect(self.table.set_holds)
        p.holds_changed.connect(self.nav.set_holds)
        p.view_reset.connect(self.nav.reset)
        self.table.hold_clicked.connect(self.nav.show_hold)
        p.news.connect(self._update_readouts)

    def _reset_views(self, cfg: DetectorConfig) -> None:
        self.plot.reset(cfg)
        self.table.reset_rows(cfg)
        self.banner.hide()
        self.tools.apply_band(cfg)

    def _session_ending(self, drill: DrillRun | None) -> None:
        self.tools.cancel_band_edit()  # a band edit still waiting would restart the next session
        if drill is not None:
            # A drill cannot go on without its source: it ends here, scored as not completed.
            self.drill_panel.source_ended(drill, "the connection ended")

    def _session_ended(self) -> None:
        self.banner.hide()

    def _link_up(self, _info: DeviceInfo) -> None:
        self.banner.hide()
        self._update_status()

    def _link_lost(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()

    # ------------------------------------------------------------------------------------------
    # the alert: the controller raises and clears it; the window flashes and sounds it
    # ------------------------------------------------------------------------------------------
    def _show_alert(self, direction: str) -> None:
        # While a drill runs its verdict is the only one: the core's hold band neither sounds nor
        # colours (the drill panel says too much / too little against the drill's band).
        if direction and self.vm.drill is None:
            self.sound.play()
        self.plot.colour_band(direction if self.vm.drill is None else "", bright=False)
        self._update_readouts()

    def _flash(self) -> None:
        self.readouts.toggle_flash()
        if self.vm.drill is None:
            self.plot.colour_band(self.vm.alert_direction, bright=self.readouts.flash)

    @property
    def flashing(self) -> bool:
        return self.flash_timer.isActive()

    @property
    def alert_direction(self) -> str:
        return self.vm.alert_direction

    @property
    def alerts_raised(self) -> int:
        return self.vm.alerts_raised

    @property
    def events_seen(self) -> list[Event]:
        return self.vm.events_seen

    @property
    def markers_seen(self) -> list[float]:
        return self.vm.markers_seen

    @property
    def band_colour(self) -> QColor | None:
        """The open band's fill colour (None when no hold is being watched)."""
        return self.plot.band_colour

    # ------------------------------------------------------------------------------------------
    # the session: the controller's, driven from here (the CLI, the tests and the toolbar)
    # ------------------------------------------------------------------------------------------
    @property
    def session(self) -> Session | None:
        return self.controller.session

    @property
    def sim(self) -> SimulatorProcess | None:
        return self.controller.sim

    @property
    def cfg(self) -> DetectorConfig:
        return self.controller.cfg

    @property
    def lsl_on(self) -> bool:
        return self.controller.lsl_on

    @property
    def unit(self) -> str:
        return self.vm.unit

    @property
    def goal_s(self) -> float:
        return self.vm.goal_s

    def connect_port(self, port: str) -> None:
        """Connect to a device path or pyserial URL (ends the current session first)."""
        self.controller.connect_port(port)

    def start_sim(self, rate: int | None = None, scenario: str = "session", seed: int = 0,
                  script: str | None = None, speed: float = 1.0, wait_for_host: bool = False) -> None:
        """Start the built-in simulator at ``rate`` Hz (the toolbar's rate if None)."""
        rate = int(rate if rate is not None else self.tools.rate_combo.currentText())
        self.controller.start_sim(rate, scenario=scenario, seed=seed, script=script, speed=speed,
                                  wait_for_host=wait_for_host)

    def open_replay(self, source: str | Recording, speed: float | str | None = "settings",
                    until: float | None = None, cfg: DetectorConfig | None = None) -> None:
        """Replay a recording (a path, read in the background, or a Recording already read) at
        ``speed`` (``"settings"``: the toolbar's)."""
        spd = speed_of(self.tools.speed_combo.currentText()) if speed == "settings" else speed
        assert not isinstance(spd, str)
        self.controller.open_replay(source, speed=spd, until=until, cfg=cfg)

    def disconnect_source(self) -> None:
        self.controller.disconnect_source()

    def stop_now(self, timeout: float = 5.0) -> None:
        """Stop everything synchronously (at exit, and for unattended runs)."""
        self.controller.stop_now(timeout)

    def start_recording(self, path: str, overwrite: bool = False) -> bool:
        return self.controller.start_recording(path, overwrite=overwrite)

    def set_lsl(self, on: bool) -> bool:
        return self.controller.set_lsl(on)

    def set_band(self, target: float | None, tolerance: float) -> bool:
        """Set the band (None: relative to each hold); restarts the session's core. False if invalid."""
        ok = self.controller.set_band(target, tolerance)
        self.tools.apply_band(self.controller.cfg)
        return ok

    def set_muted(self, muted: bool) -> None:
        self.sound.muted = muted
        self.tools.show_muted(muted)
        self.settings.setValue("muted", muted)

    def set_unit(self, unit: str) -> None:
        if unit not in UNIT_FACTORS:
            return
        self.vm.unit = unit
        self.tools.show_unit(unit)
        self.plot.set_unit(unit)
        self.table.set_unit(unit)
        self.settings.setValue("unit", unit)
        self._update_readouts()

    def set_goal(self, goal_s: float) -> None:
        self.vm.goal_s = float(goal_s)
        self.settings.setValue("goal_s", self.vm.goal_s)
        self._update_readouts()

    def show_drill_panel(self, on: bool = True) -> None:
        self.drill_dock.setVisible(on)
        self.tools.act_drill.setChecked(on)

    # ---- what the drill panel needs (its DrillHost protocol): the panel never sees the session
    def attach_drill(self, run: DrillRun) -> str | None:
        return self.controller.attach_drill(run)

    def detach_drill(self, run: DrillRun) -> None:
        self.controller.detach_drill(run)

    def filtered_force(self) -> float:
        return self.controller.filtered_force()

    def core_state(self) -> int | None:
        return self.controller.core_state()

    def device_name(self) -> str:
        return self.controller.device_name()

    def recording_path(self) -> str | None:
        return self.controller.recording_path()

    def set_drill_band(self, band: tuple[float, float] | None, state: str = "") -> None:
        self.plot.set_drill_band(band, state)
        self._update_readouts()  # the drill's verdict is the main panel's too

    # ------------------------------------------------------------------------------------------
    # the timers
    # ------------------------------------------------------------------------------------------
    def _redraw(self) -> None:
        """The plot, if samples arrived since its last frame: a paused replay or a silent device
        costs no copy, no decimation and no paint."""
        self.ticks += 1
        s = self.controller.session
        if s is None:
            return
        ring = s.listener.ring
        if not self.nav.live:
            # A frozen view stays put (navigation); the readouts follow the data on their own timer.
            self.nav.tick(np.empty(0) if ring.last_t is None else np.array([ring.last_t]))
            self._drawn_ring = None  # back to live, the plot takes its whole window again
            return
        if ring.total == self._drawn_total and ring is self._drawn_ring:
            return
        since = self.plot.drawn_until() if ring is self._drawn_ring else None
        last = ring.last_t
        if since is not None and last is not None and last < since:
            since = None  # device time went back (a new timeline): the whole window again
        self._drawn_total, self._drawn_ring = ring.total, ring
        # only what the plot has not drawn yet (its columns are kept), the whole window after a reset
        t, raw, filt = ring.latest(self.window_s + 0.5) if since is None else ring.after(since)
        if self.plot.draw(t, raw, filt):
            self.redraws += 1
            self._pace()

    @property
    def moving_pace(self) -> bool:
        """The redraw timer runs at the faster rate (the force is moving)."""
        return self._moved_at is not None

    def _pace(self) -> None:
        """REDRAW_MOVING_HZ while the filtered force moves, REDRAW_HZ (the configured rate) otherwise."""
        now = time.monotonic()
        if self.plot.recent_span(MOVING_LOOK_S) > MOVING_N_PER_S * MOVING_LOOK_S:
            if self._moved_at is None:
                self.redraw_timer.setInterval(_interval_ms(max(REDRAW_MOVING_HZ, self.redraw_hz)))
            self._moved_at = now
        elif self._moved_at is not None and now - self._moved_at > FAST_HOLD_S:
            self._moved_at = None
            self.redraw_timer.setInterval(_interval_ms(self.redraw_hz))

    def _readout_tick(self) -> None:
        """The readouts at their own rate, when samples arrived since (the news of an event shows at
        once through the presenter's ``news``)."""
        s = self.controller.session
        if s is None:
            return
        total = s.listener.ring.total
        if total == self._readout_total:
            return
        self._readout_total = total
        self.controller.refresh_view()
        self.readouts.show_view(self.vm)

    def _listener(self) -> DashListener | None:
        s = self.controller.session
        return s.listener if s is not None else None

    def _update_readouts(self) -> None:
        self.vm.drill = self.drill_panel.live()
        self.controller.refresh_view()
        self.readouts.show_view(self.vm)
        self.table.show_view(self.vm)
        # the border flashes while the verdict is too much / too little (the core's, or the drill's)
        if self.readouts.alert and not self.flash_timer.isActive():
            self.flash_timer.start()
        elif not self.readouts.alert and self.flash_timer.isActive():
            self.flash_timer.stop()

    def _update_status(self) -> None:
        self.plot.check_resize()
        now = time.monotonic()
        if self._fps_hist:
            self._count_moving(now, *self._fps_hist[-1])
        self._fps_hist.append((now, self.plot.paints.count))
        if len(self._fps_hist) >= 2:
            (t0, c0), (t1, c1) = self._fps_hist[0], self._fps_hist[-1]
            self.fps = (c1 - c0) / (t1 - t0) if t1 > t0 else 0.0
        self.status.show_fps(self.fps)
        had_session = self.controller.session is not None
        self.controller.poll()
        self.status.show_view(self.vm)
        if not had_session:
            self._update_readouts()
            return
        self.table.show_view(self.vm)  # the open hold's row, from the readouts' latest snapshot
        self.tools.update_controls()

    def _count_moving(self, now: float, t_prev: float, paints_prev: int) -> None:
        """Paints and wall time of the status intervals in which the force moved (``fps_moving``: the
        rate a person watching a change sees)."""
        s = self.controller.session
        if s is None or self._t_shown is None:
            return
        _, _, filt = s.listener.ring.latest(now - t_prev)
        if filt.size and float(filt.max() - filt.min()) > MOVING_N_PER_S * (now - t_prev):
            self._moving_paints += self.plot.paints.count - paints_prev
            self._moving_wall += now - t_prev

    @property
    def message(self) -> str:
        return self.status.message

    def show_message(self, text: str, error: bool = False) -> None:
        self.status.show_message(text, error)

    # ------------------------------------------------------------------------------------------
    # window life
    # ------------------------------------------------------------------------------------------
    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._t_shown is None:
            self._t_shown = time.monotonic()
            ru = resource.getrusage(resource.RUSAGE_SELF)
            self._ru_shown = ru.ru_utime + ru.ru_stime
            self._paints_shown = self.plot.paints.count

    def run_stats(self) -> dict[str, Any]:
        """fps and CPU since the window was shown (whole process: GUI, reader thread, everything)."""
        wall = time.monotonic() - (self._t_shown or time.monotonic())
        ru = resource.getrusage(resource.RUSAGE_SELF)
        cpu = ru.ru_utime + ru.ru_stime - (self._ru_shown or 0.0)
        paints = self.plot.paints.count - self._paints_shown
        first = self.plot.paints.first_data_paint
        mw = self._moving_wall
        return {
            "fps": round(paints / wall, 2) if wall > 0 else 0.0,
            "redraws_per_s": round(self.redraws / wall, 2) if wall > 0 else 0.0,
            "timer_hz": self.redraw_hz,
            "frames": paints,
            "wall_s": round(wall, 3),
            "cpu_s": round(cpu, 3),
            "cpu_percent": round(100.0 * cpu / wall, 1) if wall > 0 else None,
            # paints per second over the status intervals in which the force moved
            "fps_moving": round(self._moving_paints / mw, 2) if mw > 0 else None,
            "moving_s": round(mw, 1),
            # process start (Python and Qt imports included) to the first paint showing samples
            "first_frame_s": (round(first - _PROCESS_STARTED, 3)
                              if first is not None and _PROCESS_STARTED is not None else None),
        }

    def summary(self) -> dict[str, Any]:
        """The session's counters and events (as the monitor's summary) plus the display's figures."""
        out = self.controller.source_summary()
        out.update(self.run_stats())
        out["alerts_raised"] = self.vm.alerts_raised
        out["markers"] = list(self.vm.markers_seen)
        out["hold_table"] = self.table.rows_text()
        out["sound"] = self.sound.backend
        out.update(self.controller.outputs_summary())
        drill = self.drill_panel.summary()
        if drill is not None:
            out["drill"] = drill
        return out

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("geometry", self.saveGeometry())
        s.setValue("sim_rate", self.tools.rate_combo.currentText())
        s.setValue("goal_s", self.vm.goal_s)
        s.setValue("unit", self.vm.unit)
        s.setValue("muted", self.sound.muted)
        s.sync()

    def closeEvent(self, event: Any) -> None:
        self.redraw_timer.stop()
        self.readout_timer.stop()
        self.status_timer.stop()
        self.flash_timer.stop()
        self.save_settings()
        self.drill_panel.finish_now()  # a drill still running is scored and stored, not lost
        self.stop_now()
        self.sound.close()
        super().closeEvent(event)
