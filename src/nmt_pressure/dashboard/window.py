"""The dashboard's main window: scrolling force plot with the band, large readouts, hold table, controls.

Data flow (DESIGN.md): a :class:`~nmt_pressure.link.reader.Monitor` (a live device or the built-in
simulator) or a :class:`~nmt_pressure.analysis.replay.Replayer` (a recording) runs the core on its own thread
and tells its listeners. The dashboard is one of them (:class:`~nmt_pressure.dashboard.model.DashListener`):
samples go into a ring buffer that a QTimer redraws at 60 Hz (one persistent curve per trace,
``setData`` on numpy arrays); events arrive as queued signals and drive the band, the alerts, the
annotations and the hold table. The window decides nothing about holds or alerts itself: every alert
is one of the core's debounced ``band_exit`` events, cleared by ``band_enter`` or the end of the hold.

Each connection or replay is a :class:`Session` with a generation number; news from an older
session that is still winding down is ignored.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import resource
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QRectF, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QFileDialog,
    QGraphicsRectItem,
    QLabel,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from nmt_pressure.analysis.replay import Replayer
from nmt_pressure.core.config import ConfigError, DetectorConfig
from nmt_pressure.core.events import STATE_HOLD, STATE_MOVING, STATE_NAMES, Event, Hold
from nmt_pressure.dashboard.drill_panel import DrillPanel
from nmt_pressure.dashboard.model import Bridge, DashListener, OpenHold, SampleRing, Source, band_of
from nmt_pressure.dashboard.sound import AlertSound
from nmt_pressure.dashboard.widgets import (
    ALERT_COLOURS,
    DIM,
    PANEL_BG,
    TEXT,
    UNIT_FACTORS,
    HoldTable,
    ReadoutPanel,
)
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

#: The redraw timer's rate (Hz) and the readouts' (every n-th redraw).
REDRAW_HZ = 60.0
READOUT_EVERY = 6
STATUS_MS = 500
FLASH_MS = 250
#: The state readout says "released" this long after a release, "stepping" this long after a step (s).
RELEASED_S = 1.5
STEPPING_S = 1.0
#: Annotations kept at most (older ones scroll out of the window long before).
MAX_ANNOTATIONS = 200
SIM_RATES = ("10", "80", "250", "500", "1000", "2000")
SPEED_LABELS = {"1×": 1.0, "4×": 4.0, "max": None}

#: Samples kept per pixel column by the peak downsampling (pyqtgraph's default is 5).
DOWNSAMPLE_PER_PIXEL = 1.0
PLOT_BG = "#0d0f12"
GRID_PEN = "#262c33"
#: The force axis shrinks after the force stayed well below its top this long (s).
Y_SHRINK_S = 3.0
AXIS_TEXT = "#cfd8dc"
RAW_PEN = "#59636d"  # opaque: blending a translucent line costs more than drawing it
FILT_PEN = "#ffd54f"
BAND_BRUSH = (46, 160, 67, 70)
#: Plot marks: the step and release events, a hold that ended "left" (no event: its Hold tells) and markers.
EVENT_COLOURS = {"step": "#64b5f6", "release": "#b0bec5", "left": "#ffb74d", "marker": "#f06292"}
#: A drill phase's band: blue dashed edges (not the core's green hold band), filled by where the force
#: is: neutral on the way, green in the band, the alert colours above or below it.
DRILL_EDGE = "#64b5f6"
DRILL_NEUTRAL = (100, 181, 246, 45)


#: The window's size on a first run, and on every unattended run (which never restores a remembered one).
DEFAULT_SIZE = (1440, 900)


def settings_for(path: str | None = None) -> QSettings:
    """The settings store: ``path`` (an INI file) if given, else the user's (``nmt_pressure/dashboard``)."""
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings("nmt_pressure", "dashboard")


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


@dataclasses.dataclass
class _Band:
    """A hold's band on the plot, in device time (``t_end`` None while the hold is open)."""

    item: QGraphicsRectItem
    t0: float
    t_end: float | None
    lo: float
    hi: float


@dataclasses.dataclass
class _Mark:
    line: pg.InfiniteLine
    t: float


class _PaintCounter(QObject):
    """Counts the plot's real repaints (what "fps" means here), not the timer's ticks."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


class DashboardWindow(QMainWindow):
    """The dashboard. Drive it with :meth:`connect_port`, :meth:`start_sim`, :meth:`open_replay`."""

    #: A background stop finished: (generation of the stopped session).
    _stopped = Signal(int)
    #: A recording opened in the background: (generation, Replayer or error text).
    _replay_ready = Signal(int, object)
    #: The simulator child said its port or cannot start: (its SimulatorProcess).
    _sim_outcome = Signal(object)

    def __init__(self, cfg: DetectorConfig | None = None, *, settings: QSettings | None = None,
                 window_s: float = 30.0, goal_s: float | None = None, unit: str | None = None,
                 fmt: str = "auto", baud: int = 115200, band_override: dict[str, Any] | None = None,
                 redraw_hz: float = REDRAW_HZ, lsl_name: str = LSL_DEFAULT_NAME) -> None:
        super().__init__()
        self.settings = settings if settings is not None else settings_for()
        s = self.settings
        base = cfg or DetectorConfig()
        if band_override is None and s.value("band/mode") is not None:
            # The band remembered from the last run (the CLI's --target/--tolerance win over it).
            target: Any = s.value("band/target", None)
            tol: Any = s.value("band/tolerance", None)
            with contextlib.suppress(ConfigError, TypeError, ValueError):
                base = dataclasses.replace(
                    base, target=float(target) if s.value("band/mode") == "fixed" and target else None,
                    tolerance=float(tol) if tol is not None else base.tolerance)
        self.cfg = base
        self.band_override = band_override  # applied to replays too, as analyze's flags are
        self.window_s = window_s
        goal: Any = goal_s if goal_s is not None else s.value("goal_s", 20.0)
        self.goal_s = float(goal)
        self.unit = unit or str(s.value("unit", "N"))
        if self.unit not in UNIT_FACTORS:
            self.unit = "N"
        self.fmt, self.baud = fmt, baud
        self.redraw_hz = redraw_hz
        self.sound = AlertSound(muted=s.value("muted", "false") in (True, "true"))

        self.session: Session | None = None
        self.sim: SimulatorProcess | None = None
        self._gen = 0
        self._after_stop: dict[int, Callable[[], None]] = {}
        self._pending_record: tuple[str, bool] | None = None
        # LSL output: off unless asked (it opens network sockets), and never remembered across runs.
        self.lsl_on = False
        self.lsl_name = lsl_name

        # display state (GUI thread only)
        self.alert_direction = ""
        self.alerts_raised = 0
        self.events_seen: list[Event] = []
        self.markers_seen: list[float] = []
        self._hold_event: Event | None = None
        self._last_hold: Hold | None = None
        self._released_at: float | None = None
        self._stepped_at: float | None = None
        self._bands: deque[_Band] = deque()
        self._open_band: _Band | None = None
        self._annotations: deque[_Mark] = deque()
        self._y_top = 20.0
        self._low_since: float | None = None
        self._t_last: float | None = None
        self.banner_text = ""
        self.message = ""

        # performance counters
        self.ticks = 0
        self.redraws = 0
        self._paints = _PaintCounter()
        self._fps_hist: deque[tuple[float, int]] = deque(maxlen=8)
        self.fps = 0.0
        self._t_shown: float | None = None
        self._ru_shown: float | None = None

        self._build_ui()
        self._build_actions()
        self._apply_band_controls(self.cfg)
        self._stopped.connect(self._on_stopped, Qt.ConnectionType.QueuedConnection)
        self._replay_ready.connect(self._on_replay_ready, Qt.ConnectionType.QueuedConnection)
        self._sim_outcome.connect(self._on_sim_outcome, Qt.ConnectionType.QueuedConnection)

        self.redraw_timer = QTimer(self)
        self.redraw_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.redraw_timer.setInterval(max(1, round(1000.0 / redraw_hz)))
        self.redraw_timer.timeout.connect(self._redraw)
        self.flash_timer = QTimer(self)
        self.flash_timer.setInterval(FLASH_MS)
        self.flash_timer.timeout.connect(self._flash)
        self.status_timer = QTimer(self)
        self.status_timer.setInterval(STATUS_MS)
        self.status_timer.timeout.connect(self._update_status)
        self.redraw_timer.start()
        self.status_timer.start()

        geo = s.value("geometry")
        if geo is not None:
            self.restoreGeometry(geo)
        else:
            self.resize(*DEFAULT_SIZE)
        self.setWindowTitle("nmt-pressure dashboard")
        self._update_readouts()

    # ------------------------------------------------------------------------------------------
    # building
    # ------------------------------------------------------------------------------------------
    def _build_ui(self) -> None:
        pg.setConfigOptions(antialias=False, background=PLOT_BG, foreground="#cfd8dc")
        self.setStyleSheet(f"QMainWindow {{ background: {PANEL_BG}; }} "
                           f"QToolBar {{ background: #1b1f24; border: none; spacing: 6px; padding: 3px; }} "
                           f"QToolBar QLabel {{ color: {DIM}; font-size: 14px; }} "
                           f"QToolButton {{ color: {TEXT}; font-size: 14px; padding: 4px 8px; }} "
                           f"QToolButton:checked {{ background: #8e0000; }} "
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

        self.plot_widget = pg.PlotWidget()
        pw = self.plot_widget
        pi = pw.getPlotItem()
        self.plot_item = pi
        pi.setMenuEnabled(False)
        pi.setMouseEnabled(x=False, y=False)
        pi.hideButtons()
        pi.disableAutoRange()
        pi.showGrid(x=False, y=False)
        # Horizontal grid lines as plain items: an axis that draws the grid overlaps the view, so
        # every frame would replay its tick labels too (half the cost of a frame, measured).
        self._grid: list[pg.InfiniteLine] = []
        tick_font = self.font()
        tick_font.setPixelSize(15)
        for side in ("left", "bottom"):
            ax = pi.getAxis(side)
            ax.setTickFont(tick_font)
            ax.setStyle(tickTextOffset=6, tickLength=6)  # ticks outside the view: see below
        pi.setLabel("bottom", "seconds before now", color=AXIS_TEXT, **{"font-size": "15px"})
        self._set_axis_unit()
        self.raw_curve = pi.plot(pen=pg.mkPen(RAW_PEN, width=1), name="raw")
        self.filt_curve = pi.plot(pen=pg.mkPen(FILT_PEN, width=3), name="filtered")
        for c in (self.raw_curve, self.filt_curve):
            c.setClipToView(True)
            c.setDownsampling(auto=True, method="peak")
            c.setSkipFiniteCheck(True)
            # Peak downsampling keeps each pixel column's min and max: one bin a pixel draws the
            # same envelope as pyqtgraph's default five, with a fifth of the line segments.
            c.opts["autoDownsampleFactor"] = DOWNSAMPLE_PER_PIXEL
        self.fixed_band = pg.LinearRegionItem(values=(0, 1), orientation="horizontal", movable=False,
                                              brush=pg.mkBrush(*BAND_BRUSH[:3], 35),
                                              pen=pg.mkPen(None))
        self.fixed_band.setZValue(-20)
        for line in self.fixed_band.lines:
            line.setPen(pg.mkPen((*BAND_BRUSH[:3], 140), width=1, style=Qt.PenStyle.DashLine))
        pi.addItem(self.fixed_band, ignoreBounds=True)
        self.fixed_band.hide()
        self.drill_band = pg.LinearRegionItem(values=(0, 1), orientation="horizontal", movable=False,
                                              brush=pg.mkBrush(*DRILL_NEUTRAL), pen=pg.mkPen(None))
        self.drill_band.setZValue(-15)
        for line in self.drill_band.lines:
            line.setPen(pg.mkPen(DRILL_EDGE, width=2, style=Qt.PenStyle.DashLine))
        self.drill_band_label = pg.InfLineLabel(self.drill_band.lines[1], text="", position=0.04,
                                                anchors=[(0, 1), (0, 1)], color=DRILL_EDGE)
        label_font = self.font()
        label_font.setPixelSize(15)
        label_font.setBold(True)
        self.drill_band_label.setFont(label_font)
        self.drill_band_state = ""
        pi.addItem(self.drill_band, ignoreBounds=True)
        self.drill_band.hide()
        pi.setXRange(-self.window_s, 0.0, padding=0)
        pi.setYRange(-0.03 * self._y_top, self._y_top, padding=0)
        pw.viewport().installEventFilter(self._paints)
        self._update_grid()

        self.readouts = ReadoutPanel()
        self.table = HoldTable()
        self.table.set_unit(self.unit)

        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(pw)
        top.addWidget(self.readouts)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 1)
        top.setSizes([1000, 420])
        main = QSplitter(Qt.Orientation.Vertical)
        main.addWidget(top)
        main.addWidget(self.table)
        main.setStretchFactor(0, 4)
        main.setStretchFactor(1, 1)
        main.setSizes([640, 200])
        lay.addWidget(main, 1)
        self.setCentralWidget(central)

        sb = self.statusBar()
        self.status_device = QLabel("no device")
        self.status_link = QLabel("")
        self.status_fps = QLabel("")
        self.status_msg = QLabel("")
        sb.addWidget(self.status_device)
        sb.addWidget(self.status_link)
        sb.addWidget(self.status_msg, 1)
        sb.addPermanentWidget(self.status_fps)

    def _build_actions(self) -> None:
        s = self.settings
        tb = QToolBar("source")
        tb.setMovable(False)
        tb.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.addToolBar(tb)
        tb.addWidget(QLabel("port"))
        self.port_combo = QComboBox()
        self.port_combo.setEditable(True)
        self.port_combo.setMinimumWidth(220)
        self.port_combo.setToolTip("a serial port or a pyserial URL (socket://127.0.0.1:5555)")
        tb.addWidget(self.port_combo)
        self.refresh_ports()
        last = str(s.value("port", ""))
        if last:
            self.port_combo.setEditText(last)

        def act(text: str, slot: Callable[[], Any], key: str | None = None, tip: str = "",
                checkable: bool = False) -> QAction:
            a = QAction(text, self)
            if key:
                a.setShortcut(QKeySequence(key))
                a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            a.setToolTip(f"{tip or text} ({key})" if key else (tip or text))
            a.setCheckable(checkable)
            a.triggered.connect(slot)
            self.addAction(a)  # shortcuts work wherever the focus is
            return a

        self.act_refresh = act("⟳", self.refresh_ports, tip="list the serial ports again")
        self.act_connect = act("Connect", self.toggle_connect, "C", "connect to the port / disconnect")
        self.act_sim = act("Simulator", self.toggle_sim, "S", "start the built-in simulated device")
        self.rate_combo = QComboBox()
        self.rate_combo.addItems(SIM_RATES)
        self.rate_combo.setCurrentText(str(s.value("sim_rate", "1000")))
        self.act_open = act("Open…", self.open_dialog, "Ctrl+O", "replay a recording")
        self.speed_combo = QComboBox()
        self.speed_combo.addItems(list(SPEED_LABELS))
        self.speed_combo.setCurrentText(str(s.value("speed", "1×")))
        self.speed_combo.currentTextChanged.connect(self._speed_changed)
        self.act_pause = act("Pause", self.toggle_pause, "P", "pause / resume the replay")
        self.act_tare = act("Tare", self.tare, "T", "zero the load cell (nothing on it)")
        self.act_marker = act("Marker", self.marker, "Space", "the client says \"too much\"")
        self.act_record = act("Record", self.toggle_record, "R", "record to a file / stop",
                              checkable=True)
        self.act_mute = act("Mute", self.toggle_mute, "M", "silence the alert sound", checkable=True)
        self.act_mute.setChecked(self.sound.muted)
        self.act_lsl = act("LSL", self.toggle_lsl, "L", "", checkable=True)
        self.act_drill = act("Drill", self.toggle_drill_panel, "D",
                             "practice drills: prompts, countdown, score card and trend", checkable=True)
        for a in (self.act_refresh, self.act_connect):
            tb.addAction(a)
        tb.addSeparator()
        tb.addAction(self.act_sim)
        tb.addWidget(QLabel("Hz"))
        tb.addWidget(self.rate_combo)
        tb.addSeparator()
        tb.addAction(self.act_open)
        tb.addWidget(self.speed_combo)
        tb.addAction(self.act_pause)
        tb.addSeparator()
        for a in (self.act_tare, self.act_marker, self.act_record, self.act_mute, self.act_lsl):
            tb.addAction(a)
        tb.addSeparator()
        tb.addAction(self.act_drill)
        self._build_drill_dock()

        self.addToolBarBreak()
        tb2 = QToolBar("settings")
        tb2.setMovable(False)
        self.addToolBar(tb2)
        tb2.addWidget(QLabel("band"))
        self.mode_combo = QComboBox()
        self.mode_combo.addItems(["relative to each hold", "fixed target"])
        tb2.addWidget(self.mode_combo)
        self.target_spin = QDoubleSpinBox()
        self.target_spin.setRange(0.5, 2000.0)
        self.target_spin.setDecimals(1)
        self.target_spin.setSuffix(" N")
        target: Any = s.value("band/target", 30.0)
        self.target_spin.setValue(float(target or 30.0))
        tb2.addWidget(self.target_spin)
        tb2.addWidget(QLabel("±"))
        self.tol_spin = QDoubleSpinBox()
        self.tol_spin.setRange(1.0, 50.0)
        self.tol_spin.setDecimals(0)
        self.tol_spin.setSuffix(" %")
        tb2.addWidget(self.tol_spin)
        tb2.addSeparator()
        tb2.addWidget(QLabel("goal"))
        self.goal_spin = QDoubleSpinBox()
        self.goal_spin.setRange(3.0, 120.0)
        self.goal_spin.setDecimals(0)
        self.goal_spin.setSuffix(" s")
        self.goal_spin.setValue(self.goal_s)
        self.goal_spin.valueChanged.connect(self._goal_changed)
        tb2.addWidget(self.goal_spin)
        tb2.addSeparator()
        tb2.addWidget(QLabel("units"))
        self.unit_combo = QComboBox()
        self.unit_combo.addItems(list(UNIT_FACTORS))
        self.unit_combo.setCurrentText(self.unit)
        self.unit_combo.currentTextChanged.connect(self.set_unit)
        tb2.addWidget(self.unit_combo)
        self._band_timer = QTimer(self)
        self._band_timer.setSingleShot(True)
        self._band_timer.setInterval(800)
        self._band_timer.timeout.connect(self._band_changed)
        self.mode_combo.currentIndexChanged.connect(self._band_edited)
        self.target_spin.valueChanged.connect(self._band_edited)
        self.tol_spin.valueChanged.connect(self._band_edited)
        for w in (self.port_combo, self.rate_combo, self.speed_combo, self.mode_combo, self.target_spin,
                  self.tol_spin, self.goal_spin, self.unit_combo):
            w.setStyleSheet("font-size: 14px;")
        self._update_controls()

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
        dock.setMinimumWidth(400)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetMovable)
        dock.setStyleSheet(f"QDockWidget {{ color: {DIM}; font-size: 14px; }}")
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        dock.hide()
        dock.visibilityChanged.connect(self._drill_dock_visible)
        self.drill_dock = dock

    def _set_axis_unit(self) -> None:
        ax = self.plot_item.getAxis("left")
        ax.setScale(1.0 / UNIT_FACTORS[self.unit])  # data stay in newtons; the ticks speak the unit
        ax.setLabel(f"force ({self.unit})", color=AXIS_TEXT, **{"font-size": "15px"})

    # ------------------------------------------------------------------------------------------
    # sources
    # ------------------------------------------------------------------------------------------
    def refresh_ports(self) -> None:
        from nmt_pressure.link.transport import list_ports

        text = self.port_combo.currentText()
        self.port_combo.clear()
        with contextlib.suppress(Exception):
            for dev, desc, _ in list_ports():
                self.port_combo.addItem(dev, desc)
        self.port_combo.setEditText(text)

    def connect_port(self, port: str) -> None:
        """Connect to a device path or pyserial URL (ends the current session first)."""
        port = port.strip()
        if not port:
            self.show_message("choose a port (or start the simulator).")
            return
        if self.sim is None or self.sim.port != port:
            self.settings.setValue("port", port)
        self._end_session(then=lambda: self._start_live(port))

    def start_sim(self, rate: int | None = None, scenario: str = "session", seed: int = 0,
                  script: str | None = None, speed: float = 1.0) -> None:
        """Start the built-in simulator (a child process) and connect to it when it says its port;
        ``speed`` runs its device clock that many times faster than the wall clock."""
        rate = int(rate if rate is not None else self.rate_combo.currentText())

        def go() -> None:
            self._stop_sim()
            self.show_message(f"starting the simulator ({rate} Hz)…")
            sim = SimulatorProcess(simulator_args(rate, scenario=scenario, seed=seed, script=script,
                                                  speed=speed))
            self.sim = sim
            # Spawned here, on the GUI thread, which lives as long as the window (the child's death
            # signal follows the thread that started it); its port comes back as a queued signal.
            sim.spawn(on_outcome=self._sim_outcome.emit)
            self.cfg = dataclasses.replace(self.cfg, sample_rate=float(rate))
            self._update_controls()

        self._end_session(then=go)

    @Slot(object)
    def _on_sim_outcome(self, sim: SimulatorProcess) -> None:
        if sim is not self.sim:
            return  # a simulator replaced or stopped meanwhile
        if sim.failure is None:
            self._start_live(sim.port)
            return
        self.show_message(f"the simulator did not start ({sim.failure.rstrip('.')}).", error=True)
        self._stop_sim()
        self._update_controls()

    def _stop_sim(self) -> None:
        if self.sim is not None:
            self.sim.stop(wait=3.0)
            self.sim = None

    def open_replay(self, source: str | Recording, speed: float | str | None = "settings",
                    until: float | None = None, cfg: DetectorConfig | None = None) -> None:
        """Replay a recording (a path, read in the background, or a Recording already read)."""
        spd = SPEED_LABELS[self.speed_combo.currentText()] if speed == "settings" else speed
        assert not isinstance(spd, str)

        def go() -> None:
            self._stop_sim()
            self._gen += 1
            gen = self._gen
            self.show_message(f"opening {source if isinstance(source, str) else source.source}…")

            def load() -> None:
                try:
                    rec = source if isinstance(source, Recording) else read_recording(source)
                    rcfg = cfg if cfg is not None else replay_config(rec, **(self.band_override or {}))
                    self._replay_ready.emit(gen, (rec, rcfg, spd, until))
                except (RecordingError, ConfigError, OSError) as exc:
                    self._replay_ready.emit(gen, str(exc))

            if isinstance(source, Recording):
                load()
            else:
                threading.Thread(target=load, name="nmt-open", daemon=True).start()

        self._end_session(then=go)

    @Slot(int, object)
    def _on_replay_ready(self, gen: int, result: object) -> None:
        if gen != self._gen:
            return
        if isinstance(result, str):
            self.show_message(result, error=True)
            self._update_controls()
            return
        assert isinstance(result, tuple)
        rec: Recording = result[0]
        rcfg: DetectorConfig = result[1]
        spd: float | None = result[2]
        until: float | None = result[3]
        listener, fan = self._new_listener(gen, rcfg)
        rep = Replayer(rec, fan, cfg=rcfg, speed=spd, until=until)
        listener.source = rep
        self._begin(Session(gen, "replay", rep, listener, fan, rcfg, port=rep.port,
                            replay_path=str(rec.source) if rec.source else None))
        if rec.source is not None:
            self.settings.setValue("open_dir", str(Path(rec.source).parent))

    def _start_live(self, port: str) -> None:
        self._gen += 1
        listener, fan = self._new_listener(self._gen, self.cfg)
        mon = Monitor(port, self.cfg, fan, fmt=self.fmt, baud=self.baud)
        listener.source = mon
        session = Session(self._gen, "live", mon, listener, fan, self.cfg, port=port)
        if self.lsl_on:
            self._attach_lsl(session)  # before the reader starts: its first connection is published
        self._begin(session)
        if self._pending_record is not None:
            path, overwrite = self._pending_record
            self._pending_record = None
            self.start_recording(path, overwrite=overwrite)

    def _new_listener(self, gen: int, cfg: DetectorConfig) -> tuple[DashListener, FanOut]:
        bridge = Bridge(self)
        q = Qt.ConnectionType.QueuedConnection
        # Queued, to methods of this window: the reader thread never runs GUI code.
        bridge.detected.connect(self._on_event, q)
        bridge.holds.connect(self._on_holds, q)
        bridge.marker.connect(self._on_marker, q)
        bridge.connected.connect(self._on_connected, q)
        bridge.disconnected.connect(self._on_disconnected, q)
        bridge.message.connect(self._on_message, q)
        listener = DashListener(cfg, bridge, SampleRing(), gen=gen)
        return listener, FanOut([listener])

    def _begin(self, session: Session) -> None:
        self._reset_view(session.cfg)
        self.session = session
        self._apply_band_controls(session.cfg)
        session.source.start()
        self.show_message(f"replaying {session.replay_path}" if session.kind == "replay"
                          else f"connecting to {session.port}…")
        self._update_controls()

    def disconnect_source(self) -> None:
        """End the session (and the simulator, if it is ours)."""
        self._end_session(then=self._stop_sim)

    def _end_session(self, then: Callable[[], None] | None = None) -> None:
        """Stop the session in the background (a device may take a moment); then ``then()``."""
        s = self.session
        self._band_timer.stop()
        if s is not None and s.drill is not None:
            # A drill cannot go on without its source: it ends here, scored as not completed.
            self.drill_panel.source_ended(s.drill, "the connection ended")
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
        self.banner.hide()
        self._update_controls()
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
        self._stop_sim()

    # ------------------------------------------------------------------------------------------
    # controls
    # ------------------------------------------------------------------------------------------
    def toggle_connect(self) -> None:
        s = self.session
        if s is not None and not s.stopping:
            self.disconnect_source()
        else:
            self.connect_port(self.port_combo.currentText())

    def toggle_sim(self) -> None:
        if self.sim is not None:
            self.disconnect_source()
        else:
            self.start_sim()

    def open_dialog(self) -> None:
        start = str(self.settings.value("open_dir", str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(self, "Replay a recording", start,
                                              "Recordings (*.csv *.txt);;All files (*)")
        if path:
            self.open_replay(path)

    def _speed_changed(self, text: str) -> None:
        self.settings.setValue("speed", text)
        s = self.session
        if s is not None and isinstance(s.source, Replayer):
            s.source.set_speed(SPEED_LABELS[text])

    def toggle_pause(self) -> None:
        s = self.session
        if s is None or not isinstance(s.source, Replayer):
            return
        if s.source.paused:
            s.source.resume()
        else:
            s.source.pause()
        self._update_controls()

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

    def toggle_record(self) -> None:
        s = self.session
        if s is not None and s.recorder is not None:
            self.stop_recording()
            return
        if s is None or s.kind != "live":
            self.act_record.setChecked(False)
            self.show_message("recording needs a connected device (a replay is a recording already).")
            return
        start = str(self.settings.value("record_dir", str(Path.home())))
        name = time.strftime("session-%Y%m%d-%H%M%S.csv")
        path, _ = QFileDialog.getSaveFileName(self, "Record to", str(Path(start) / name),
                                              "Recordings (*.csv)")
        if not path:
            self.act_record.setChecked(False)
            return
        self.start_recording(path, overwrite=True)  # the dialog asked before replacing a file

    def start_recording(self, path: str, overwrite: bool = False) -> bool:
        """Attach a recorder to the live session's listeners; False (and a message) if it cannot."""
        s = self.session
        if s is None or s.kind != "live":
            return False
        try:
            rec = LiveRecorder(path, s.cfg, overwrite=overwrite, source=s.port)
        except RecorderError as exc:
            self.show_message(str(exc), error=True)
            self.act_record.setChecked(False)
            return False
        rec.on_connect(s.source.info)  # the device so far, for the file's head
        s.fan.add(rec)
        s.recorder = rec
        self.settings.setValue("record_dir", str(Path(path).parent))
        self.show_message(f"recording to {path}")
        self._update_controls()
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
        self._update_controls()

    def toggle_mute(self) -> None:
        self.set_muted(not self.sound.muted)

    def set_muted(self, muted: bool) -> None:
        self.sound.muted = muted
        self.act_mute.setChecked(muted)
        self.act_mute.setText("Muted" if muted else "Mute")
        self.settings.setValue("muted", muted)

    def toggle_lsl(self) -> None:
        self.set_lsl(self.act_lsl.isChecked())

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
                self._update_controls()
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
        self._update_controls()
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

    # ---- practice drills (the panel drives them; the window owns the session and the plot)
    def toggle_drill_panel(self) -> None:
        self.show_drill_panel(self.act_drill.isChecked())

    def show_drill_panel(self, on: bool = True) -> None:
        self.drill_dock.setVisible(on)
        self.act_drill.setChecked(on)

    def _drill_dock_visible(self, visible: bool) -> None:
        self.act_drill.setChecked(visible)
        if visible:
            self.drill_panel.on_shown()

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

    # What the drill panel reads of the session (its DrillHost protocol): the panel never sees Session.
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

    def set_drill_band(self, band: tuple[float, float] | None, state: str = "") -> None:
        """Show the drill phase's band (None hides it), filled by where the force is: ``in``,
        ``high``, ``low``, or neutral for ``""`` (nothing to say yet) and ``moving`` (the core is
        classifying a change inside the hold: no in-band colour meanwhile)."""
        if band is None:
            self.drill_band.hide()
            self.drill_band_state = ""
            return
        lo, hi = band
        if not self.drill_band.isVisible():
            self.drill_band.show()
            self._set_y(max(self._y_top, hi * 1.25))
        if self.drill_band.getRegion() != (lo, hi):
            self.drill_band.setRegion((lo, hi))
        # after show(): pyqtgraph's line label leaves its text alone while it is hidden
        self.drill_band_label.setFormat(f"drill {lo:.1f}–{hi:.1f} N")
        if state in ALERT_COLOURS:
            c = QColor(ALERT_COLOURS[state][0])
            c.setAlpha(110)
            brush = QBrush(c)
        elif state == "in":
            brush = pg.mkBrush(*BAND_BRUSH[:3], 95)
        else:
            brush = pg.mkBrush(*DRILL_NEUTRAL)
        self.drill_band.setBrush(brush)
        self.drill_band.update()
        self.drill_band_state = state

    def set_unit(self, unit: str) -> None:
        if unit not in UNIT_FACTORS:
            return
        self.unit = unit
        if self.unit_combo.currentText() != unit:
            self.unit_combo.setCurrentText(unit)
        self._set_axis_unit()
        self._update_grid()
        self.table.set_unit(unit)
        self.settings.setValue("unit", unit)
        self._update_readouts()

    def _goal_changed(self, value: float) -> None:
        self.goal_s = float(value)
        self.settings.setValue("goal_s", self.goal_s)
        self._update_readouts()

    # ---- band settings: the core watches the band, so a change restarts the session's core
    def _apply_band_controls(self, cfg: DetectorConfig) -> None:
        for w in (self.mode_combo, self.target_spin, self.tol_spin):
            w.blockSignals(True)
        self.mode_combo.setCurrentIndex(1 if cfg.target is not None else 0)
        if cfg.target is not None:
            self.target_spin.setValue(cfg.target)
        self.tol_spin.setValue(round(cfg.tolerance * 100.0))
        self.target_spin.setEnabled(cfg.target is not None)
        for w in (self.mode_combo, self.target_spin, self.tol_spin):
            w.blockSignals(False)

    def _band_edited(self) -> None:
        self.target_spin.setEnabled(self.mode_combo.currentIndex() == 1)
        self._band_timer.start()

    def set_band(self, target: float | None, tolerance: float) -> bool:
        """Set the band (None: relative to each hold); restarts the session's core. False if invalid."""
        try:
            new = dataclasses.replace(self.cfg, target=target, tolerance=tolerance)
        except ConfigError as exc:
            self.show_message(f"band not changed: {exc}", error=True)
            self._apply_band_controls(self.cfg)
            return False
        self.cfg = new
        self.band_override = {"target": target, "tolerance": tolerance}
        self.settings.setValue("band/mode", "fixed" if target is not None else "relative")
        if target is not None:
            self.settings.setValue("band/target", target)
        self.settings.setValue("band/tolerance", tolerance)
        self._apply_band_controls(new)
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
            self._end_session(then=lambda: self._start_live(port))
        elif s.replay_path is not None:
            path = s.replay_path
            self._end_session(then=lambda: self.open_replay(path))
        return True

    def _band_changed(self) -> None:
        target = self.target_spin.value() if self.mode_combo.currentIndex() == 1 else None
        self.set_band(target, self.tol_spin.value() / 100.0)

    def _update_controls(self) -> None:
        s = self.session
        live = s is not None and s.kind == "live" and not s.stopping
        replay = s is not None and s.kind == "replay" and not s.stopping
        self.act_connect.setText("Disconnect" if (s is not None and not s.stopping) else "Connect")
        self.act_sim.setText("Stop simulator" if self.sim is not None else "Simulator")
        self.act_tare.setEnabled(live)
        self.act_record.setEnabled(live)
        self.act_record.setChecked(bool(s is not None and s.recorder is not None))
        self.act_record.setText("● Stop recording" if self.act_record.isChecked() else "Record")
        self.act_pause.setEnabled(replay)
        if replay and isinstance(s.source, Replayer):  # type: ignore[union-attr]
            self.act_pause.setText("Resume" if s.source.paused else "Pause")  # type: ignore[union-attr]
        self.act_marker.setEnabled(s is not None and not s.stopping)
        self.act_lsl.setChecked(self.lsl_on)
        self.act_lsl.setText("LSL on" if self.lsl_on else "LSL")
        pub = s.lsl if s is not None else None
        if pub is not None and pub.active:
            tip = f"{pub.describe()}; click to stop (L)"
        elif self.lsl_on:
            tip = (f"Lab Streaming Layer on: each live connection is published as \u201c{self.lsl_name} "
                   f"force\u201d and \u201c{self.lsl_name} events\u201d; click to stop (L)")
        else:
            tip = ("publish the force and the events as Lab Streaming Layer streams, for LabRecorder "
                   "(opens network sockets) (L)")
        self.act_lsl.setToolTip(tip)

    # ------------------------------------------------------------------------------------------
    # news from the reader thread (queued)
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
        self.banner.hide()
        self.banner_text = ""
        rate = f", {info.rate:g} Hz" if info.rate else ""
        self.show_message(f"connected: {info.name} ({info.fmt}{rate})")
        self._update_status()

    @Slot(int, str)
    def _on_disconnected(self, gen: int, reason: str) -> None:
        s = self._current(gen)
        if s is None or s.stopping:
            return
        s.connected = False
        self.banner_text = f"Device lost — {reason}. Reconnecting…"
        self.banner.setText(self.banner_text)
        self.banner.show()
        self._clear_alert()

    @Slot(int, str)
    def _on_message(self, gen: int, text: str) -> None:
        if self._current(gen) is not None:
            self.show_message(text)
            self._update_controls()

    @Slot(int, float)
    def _on_marker(self, gen: int, t: float) -> None:
        if self._current(gen) is None:
            return
        self.markers_seen.append(t)
        self._annotate(t, "marker", "marker")

    @Slot(int, object)
    def _on_event(self, gen: int, e: Event) -> None:
        s = self._current(gen)
        if s is None:
            return
        self.events_seen.append(e)
        if e.kind == "hold_start":
            self._end_band(e.t)
            self._hold_event = e
            lo, hi = band_of(s.cfg, float(e.level or 0.0))
            self._start_band(e.t_detected, lo, hi)
            self._clear_alert()
        elif e.kind == "band_exit":
            self._raise_alert(e.direction or "high")
        elif e.kind == "band_enter":
            self._clear_alert()
        elif e.kind in ("step", "release"):
            self._end_band(e.t)
            self._hold_event = None
            self._clear_alert()
            arrow = {"up": " ↑", "down": " ↓"}.get(e.direction or "", "")
            self._annotate(e.t, e.kind, f"{e.kind}{arrow}")
            if e.kind == "release":
                self._released_at = e.t_detected
            else:
                self._stepped_at = e.t_detected
        self._update_readouts()

    @Slot(int, object)
    def _on_holds(self, gen: int, holds: list[Hold]) -> None:
        if self._current(gen) is None:
            return
        self.table.set_holds(holds)
        if holds:
            self._last_hold = holds[-1]
        # The hold on show is over once the core lists it. Steps and releases said so by their events
        # already; a hold that ended "left" or "end_of_data" has no event, only this. Matched by its
        # onset (Hold.start is its hold_start's t), never by position: the list may come before or
        # after the events of the same block.
        open_start = self._hold_event.t if self._hold_event is not None else None
        ended = next((h for h in reversed(holds) if h.start == open_start), None)
        if ended is not None:
            self._end_band(ended.end)
            self._hold_event = None
            self._clear_alert()
            self.table.set_open(None)
            if ended.ended_by == "left":  # the departure's onset, marked as steps and releases are
                self._annotate(ended.end, "left", "left")
        self._update_readouts()

    # ------------------------------------------------------------------------------------------
    # alerts
    # ------------------------------------------------------------------------------------------
    def _raise_alert(self, direction: str) -> None:
        self.alert_direction = direction
        self.alerts_raised += 1
        self.readouts.set_alert(direction, hold=True)
        self._colour_band(direction, bright=False)
        self.flash_timer.start()
        self.sound.play()

    def _clear_alert(self) -> None:
        self.flash_timer.stop()
        self.alert_direction = ""
        self.readouts.set_alert("", hold=self._hold_event is not None)
        self._colour_band("", bright=False)

    def _flash(self) -> None:
        self.readouts.toggle_flash()
        self._colour_band(self.alert_direction, bright=self.readouts.flash)

    @property
    def flashing(self) -> bool:
        return self.flash_timer.isActive()

    def _band_brush(self, direction: str, bright: bool) -> QBrush:
        if not direction:
            return QBrush(QColor(*BAND_BRUSH))
        c = QColor(ALERT_COLOURS[direction][1 if bright else 0])
        c.setAlpha(150 if bright else 95)
        return QBrush(c)

    def _colour_band(self, direction: str, bright: bool) -> None:
        brush = self._band_brush(direction, bright)
        if self._open_band is not None:
            self._open_band.item.setBrush(brush)
        if self.fixed_band.isVisible():
            self.fixed_band.setBrush(brush if direction else pg.mkBrush(*BAND_BRUSH[:3], 35))
            self.fixed_band.update()

    @property
    def band_colour(self) -> QColor | None:
        """The open band's fill colour (None when no hold is being watched)."""
        return self._open_band.item.brush().color() if self._open_band is not None else None

    # ------------------------------------------------------------------------------------------
    # plot items
    # ------------------------------------------------------------------------------------------
    def _reset_view(self, cfg: DetectorConfig) -> None:
        for band in self._bands:
            self.plot_item.removeItem(band.item)
        self._bands.clear()
        self._open_band = None
        for mark in self._annotations:
            self.plot_item.removeItem(mark.line)
        self._annotations.clear()
        self.raw_curve.setData([], [])
        self.filt_curve.setData([], [])
        self.events_seen = []
        self.markers_seen = []
        self._hold_event = None
        self._last_hold = None
        self._released_at = self._stepped_at = None
        self._t_last = None
        self.table.open = None
        self.table.set_holds([])
        self._clear_alert()
        self.alerts_raised = 0
        if cfg.target is not None:
            lo, hi = band_of(cfg, cfg.target)
            self.fixed_band.setRegion((lo, hi))
            self.fixed_band.show()
            self._set_y(max(self._y_top, hi * 1.25))
        else:
            self.fixed_band.hide()
        self.banner.hide()

    def _start_band(self, t0: float, lo: float, hi: float) -> None:
        item = QGraphicsRectItem(QRectF(0.0, lo, 0.0, hi - lo))
        item.setPen(QPen(Qt.PenStyle.NoPen))
        item.setBrush(self._band_brush("", False))
        item.setZValue(-10)
        self.plot_item.addItem(item, ignoreBounds=True)
        band = _Band(item, t0, None, lo, hi)
        self._open_band = band
        self._bands.append(band)
        if self._t_last is not None:
            self._place(band, self._t_last)

    def _end_band(self, t_end: float) -> None:
        band = self._open_band
        if band is None:
            return
        band.t_end = max(t_end, band.t0)
        band.item.setBrush(self._band_brush("", False))
        self._open_band = None
        if self._t_last is not None:
            self._place(band, self._t_last)

    @staticmethod
    def _place(band: _Band, t_last: float) -> None:
        end = band.t_end if band.t_end is not None else t_last
        band.item.setRect(QRectF(band.t0 - t_last, band.lo, max(0.0, end - band.t0), band.hi - band.lo))

    def _annotate(self, t: float, kind: str, text: str) -> None:
        colour = EVENT_COLOURS[kind]
        x = t - self._t_last if self._t_last is not None else 0.0
        line = pg.InfiniteLine(pos=x, angle=90, movable=False,
                               pen=pg.mkPen(colour, width=2, style=Qt.PenStyle.DashLine),
                               label=text, labelOpts={"position": 0.94, "color": colour,
                                                      "fill": (13, 15, 18, 200), "movable": False})
        font = self.font()
        font.setPixelSize(16)
        font.setBold(True)
        line.label.setFont(font)
        self.plot_item.addItem(line, ignoreBounds=True)
        self._annotations.append(_Mark(line, t))
        while len(self._annotations) > MAX_ANNOTATIONS:
            self.plot_item.removeItem(self._annotations.popleft().line)

    def _scroll_items(self, t_last: float) -> None:
        """Bands and annotations live in device time; the plot's x is time before now."""
        x0 = t_last - self.window_s - 1.0
        while self._annotations and self._annotations[0].t < x0:
            self.plot_item.removeItem(self._annotations.popleft().line)
        while self._bands and self._bands[0].t_end is not None and self._bands[0].t_end < x0:
            self.plot_item.removeItem(self._bands.popleft().item)
        for band in self._bands:
            self._place(band, t_last)
        for mark in self._annotations:
            mark.line.setValue(mark.t - t_last)

    # ------------------------------------------------------------------------------------------
    # the redraw timer
    # ------------------------------------------------------------------------------------------
    def _redraw(self) -> None:
        self.ticks += 1
        s = self.session
        if s is None:
            return
        t, raw, filt = s.listener.ring.latest(self.window_s + 0.5)
        if t.size < 2:
            return
        t_last = float(t[-1])
        if t_last == self._t_last:
            return  # nothing new (a paused replay, a silent device): no repaint
        self._t_last = t_last
        self.redraws += 1
        # The x axis is time before now and never moves: only the data do, so the axes are not
        # redrawn and the view paints once per frame (a moving range costs two paints and new ticks).
        x = t - t_last
        self.raw_curve.setData(x, raw, skipFiniteCheck=True)
        self.filt_curve.setData(x, filt, skipFiniteCheck=True)
        self._scroll_items(t_last)
        self._rescale_y(raw, s.cfg, t_last)
        if self.ticks % READOUT_EVERY == 0:
            self._update_readouts()

    def _rescale_y(self, raw: np.ndarray, cfg: DetectorConfig, t_last: float) -> None:
        """Grow the force axis at once; shrink it only after the force stayed low for a while (a
        range that changes is a frame with new ticks, so it changes seldom)."""
        top = float(raw.max()) if raw.size else 0.0
        if self._open_band is not None:
            top = max(top, self._open_band.hi)
        if cfg.target is not None:
            top = max(top, cfg.target * (1 + cfg.tolerance))
        if self.drill_band.isVisible():
            top = max(top, self.drill_band.getRegion()[1])
        want = max(10.0, top * 1.15)
        cur = self._y_top
        if want > cur:
            self._low_since = None
            self._set_y(want * 1.05)
        elif want < 0.6 * cur:
            if self._low_since is None:
                self._low_since = t_last
            elif t_last - self._low_since > Y_SHRINK_S:
                self._low_since = None
                self._set_y(want * 1.05)
        else:
            self._low_since = None

    def _set_y(self, top: float) -> None:
        self._y_top = top
        self.plot_item.setYRange(-0.03 * top, top, padding=0)
        self._update_grid()

    def _update_grid(self) -> None:
        for line in self._grid:
            self.plot_item.removeItem(line)
        self._grid = []
        ax = self.plot_item.getAxis("left")
        self._grid_height = ax.height()
        levels = ax.tickValues(-0.03 * self._y_top, self._y_top, max(ax.height(), 100.0))
        if not levels:
            return
        pen = pg.mkPen(GRID_PEN, width=1)
        for v in levels[0][1]:
            line = pg.InfiniteLine(pos=v, angle=0, movable=False, pen=pen)
            line.setZValue(-30)
            self.plot_item.addItem(line, ignoreBounds=True)
            self._grid.append(line)

    def _state_text(self, s: Session) -> str:
        st = s.listener.state
        t_now = s.listener.ring.last_t
        if t_now is None:
            return "waiting for data"
        # After a release the force may rest above the contact threshold (state contact): still
        # "released" for a moment.
        if self._released_at is not None and st not in (STATE_HOLD, STATE_MOVING) and \
                t_now - self._released_at < RELEASED_S:
            return "released"
        if self._stepped_at is not None and t_now - self._stepped_at < STEPPING_S:
            return "stepping"
        # The core says when a change inside the hold is under way ("moving"); no guessing here.
        return STATE_NAMES.get(st, "?")

    def _update_readouts(self) -> None:
        s = self.session
        ro = self.readouts
        if s is None:
            ro.set_force(None, self.unit)
            ro.set_state("not connected")
            ro.set_moving(False)
            ro.set_hold(None, self.goal_s, self.unit, self._last_hold)
            return
        has_data = s.listener.ring.last_t is not None
        ro.set_force(s.listener.filtered if has_data else None, self.unit)
        ro.set_state(self._state_text(s))
        # While the core classifies a change (step, release, departure or drift) the old level's band
        # gives no "in band" verdict; an alert already raised stays (band_enter or the hold's end).
        ro.set_moving(s.listener.state == STATE_MOVING)
        hold: OpenHold | None = s.listener.open_hold() if self._hold_event is not None else None
        ro.set_hold(hold, self.goal_s, self.unit, self._last_hold)
        self.table.set_open(hold)

    def _update_status(self) -> None:
        if self.plot_item.getAxis("left").height() != getattr(self, "_grid_height", None):
            self._update_grid()  # the window was resized: the axis chose other ticks
        now = time.monotonic()
        self._fps_hist.append((now, self._paints.count))
        if len(self._fps_hist) >= 2:
            (t0, c0), (t1, c1) = self._fps_hist[0], self._fps_hist[-1]
            self.fps = (c1 - c0) / (t1 - t0) if t1 > t0 else 0.0
        self.status_fps.setText(f"{self.fps:.0f} fps")
        s = self.session
        if s is None:
            self.status_device.setText("no device")
            self.status_link.setText("")
            self._update_readouts()
            return
        src = s.source
        info = src.info
        rate = f"{info.rate:g} Hz" if info.rate else "rate ?"
        rec = f" · ● REC {s.recorder.path.name}" if s.recorder is not None else ""
        if s.recorder is not None and s.recorder.failed:
            # A full disk stopped the recording; the session goes on, and the user must see it now,
            # not when pressing Stop recording.
            rec = " · REC stopped"
            if not s.recording_failure_shown:
                s.recording_failure_shown = True
                self.show_message(s.recorder.failed, error=True)
        pub = s.lsl
        lsl, tip = "", ""
        if pub is not None and pub.failed:
            lsl, tip = " · LSL stopped", pub.failed
        elif pub is not None and pub.active:
            lsl = " · LSL on"
            tip = f"{pub.describe()}; sent {pub.force_samples} samples and {pub.markers} markers so far"
        elif pub is not None:
            lsl = " · LSL waiting for the device"
        self.status_device.setText(f"{info.name} · {info.fmt or s.kind} · {rate}{rec}{lsl}")
        self.status_device.setToolTip(tip)
        st = getattr(src, "stats", None)
        if st is not None:
            p99 = st.latency_p99_ms() if s.kind == "live" else None
            lat = f"{p99:.1f} ms" if p99 is not None else "–"
            self.status_link.setText(f"dropped {st.dropped} · CRC errors {st.crc_errors} · reconnects "
                                     f"{st.reconnects} · latency p99 {lat}")
        if src.fatal and not s.stopping:
            self.show_message(src.fatal, error=True)
            self._end_session()
        elif s.kind == "live" and not src.running and not s.stopping:
            self._end_session()
        self._update_controls()

    def show_message(self, text: str, error: bool = False) -> None:
        self.message = text
        self.status_msg.setText(text)
        self.status_msg.setStyleSheet(f"color: {'#ff8a80' if error else TEXT};")

    # ------------------------------------------------------------------------------------------
    # window life
    # ------------------------------------------------------------------------------------------
    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._t_shown is None:
            self._t_shown = time.monotonic()
            ru = resource.getrusage(resource.RUSAGE_SELF)
            self._ru_shown = ru.ru_utime + ru.ru_stime
            self._paints_shown = self._paints.count

    def run_stats(self) -> dict[str, Any]:
        """fps and CPU since the window was shown (whole process: GUI, reader thread, everything)."""
        wall = time.monotonic() - (self._t_shown or time.monotonic())
        ru = resource.getrusage(resource.RUSAGE_SELF)
        cpu = ru.ru_utime + ru.ru_stime - (self._ru_shown or 0.0)
        paints = self._paints.count - getattr(self, "_paints_shown", 0)
        return {
            "fps": round(paints / wall, 2) if wall > 0 else 0.0,
            "redraws_per_s": round(self.redraws / wall, 2) if wall > 0 else 0.0,
            "timer_hz": self.redraw_hz,
            "frames": paints,
            "wall_s": round(wall, 3),
            "cpu_s": round(cpu, 3),
            "cpu_percent": round(100.0 * cpu / wall, 1) if wall > 0 else None,
        }

    def summary(self) -> dict[str, Any]:
        """The session's counters and events (as the monitor's summary) plus the display's figures."""
        s = self.session
        out: dict[str, Any] = s.source.summary() if s is not None else {"events": [], "holds": []}
        out.update(self.run_stats())
        out["alerts_raised"] = self.alerts_raised
        out["markers"] = list(self.markers_seen)
        out["hold_table"] = self.table.rows_text()
        out["sound"] = self.sound.backend
        if s is not None and s.recorder is not None:
            out["recording"] = str(s.recorder.path)
            out["recording_error"] = s.recorder.failed
        if s is not None and s.lsl is not None:
            out["lsl"] = s.lsl.counts()
        drill = self.drill_panel.summary()
        if drill is not None:
            out["drill"] = drill
        return out

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("geometry", self.saveGeometry())
        s.setValue("sim_rate", self.rate_combo.currentText())
        s.setValue("goal_s", self.goal_s)
        s.setValue("unit", self.unit)
        s.setValue("muted", self.sound.muted)
        s.sync()

    def closeEvent(self, event: Any) -> None:
        self.redraw_timer.stop()
        self.status_timer.stop()
        self.flash_timer.stop()
        self.save_settings()
        self.drill_panel.finish_now()  # a drill still running is scored and stored, not lost
        self.stop_now()
        self.sound.close()
        super().closeEvent(event)
