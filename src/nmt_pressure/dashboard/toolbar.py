"""The window's two toolbars: the source (port, simulator, replay), then the session's actions (with
their keys) and the settings.

Both rows fit a 1024 px wide window without Qt's "»" overflow (tests/test_dashboard_look.py checks
1280×720 and 1024×640): short labels, the long words in the tooltips.

Session actions go straight to the :class:`~nmt_pressure.dashboard.controller.SessionController`;
what belongs to the window (unit, goal, band, mute, the drill panel) is said by a signal the window
acts on. :meth:`Toolbars.update_controls` shows the controller's state on the buttons.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFileDialog, QLabel, QMainWindow, QToolBar

from nmt_pressure.analysis.replay import Replayer
from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.dashboard.controller import SessionController
from nmt_pressure.dashboard.style import UNIT_DECIMALS, UNIT_FACTORS
from nmt_pressure.dashboard.viewmodel import ViewModel

SIM_RATES = ("10", "80", "250", "500", "1000", "2000")
SPEED_LABELS = {"1×": 1.0, "4×": 4.0, "max": None}
#: A band edit applies this long after the last change (ms): each change restarts the core.
BAND_EDIT_MS = 800


def speed_label(speed: float | None) -> str:
    """The speed box's text for a replay speed (None: as fast as it goes)."""
    return "max" if speed is None else f"{speed:g}×"


def speed_of(text: str) -> float | None:
    """The replay speed a speed box text stands for (``dash --speed`` may add one not listed)."""
    if text in SPEED_LABELS:
        return SPEED_LABELS[text]
    try:
        return float(text.rstrip("×x "))
    except ValueError:
        return 1.0


class Toolbars(QObject):
    """Builds the toolbars on ``window`` and keeps their buttons in step with ``controller``."""

    #: The unit chosen in the units box.
    unit_chosen = Signal(str)
    #: The hold goal chosen (s).
    goal_chosen = Signal(float)
    #: The band edited: (fixed target in newtons, or None for relative to each hold; tolerance).
    band_chosen = Signal(object, float)
    #: Mute pressed.
    mute_toggled = Signal()
    #: Drill pressed: show the practice panel or hide it.
    drill_toggled = Signal(bool)

    def __init__(self, window: QMainWindow, controller: SessionController, vm: ViewModel) -> None:
        super().__init__(window)
        self.window = window
        self.controller = controller
        self.settings = controller.settings
        self.unit = vm.unit
        self._build_source_bar()
        window.addToolBarBreak()
        self._build_settings_bar(vm)

    def _act(self, text: str, slot: Callable[[], Any], key: str | None = None, tip: str = "",
             checkable: bool = False) -> QAction:
        a = QAction(text, self.window)
        if key:
            a.setShortcut(QKeySequence(key))
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        a.setToolTip(f"{tip or text} ({key})" if key else (tip or text))
        a.setCheckable(checkable)
        a.triggered.connect(slot)
        self.window.addAction(a)  # shortcuts work wherever the focus is
        return a

    def _build_source_bar(self) -> None:
        s, c, act = self.settings, self.controller, self._act
        tb = QToolBar("source")
        tb.setMovable(False)
        tb.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.window.addToolBar(tb)
        tb.addWidget(QLabel("port"))
        self.port_combo = QComboBox()
        self.port_combo.setEditable(True)
        self.port_combo.setMinimumWidth(150)
        self.port_combo.setToolTip("a serial port or a pyserial URL (socket://127.0.0.1:5555)")
        tb.addWidget(self.port_combo)
        self.refresh_ports()
        last = str(s.value("port", ""))
        if last:
            self.port_combo.setEditText(last)

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
        c.replay_speed = speed_of(self.speed_combo.currentText())
        self.speed_combo.currentTextChanged.connect(self._speed_changed)
        self.act_pause = act("Pause", c.toggle_pause, "P", "pause / resume the replay")
        self.act_tare = act("Tare", c.tare, "T", "zero the load cell (nothing on it)")
        self.act_marker = act("Marker", c.marker, "Space", "the client says \"too much\"")
        self.act_record = act("Record", self.toggle_record, "R", "record to a file / stop",
                              checkable=True)
        self.act_mute = act("Mute", self.mute_toggled.emit, "M", "silence the alert sound", checkable=True)
        self.act_lsl = act("LSL", lambda: c.set_lsl(self.act_lsl.isChecked()), "L", "", checkable=True)
        self.act_drill = act("Drill", lambda: self.drill_toggled.emit(self.act_drill.isChecked()), "D",
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
        tb.addAction(self.act_lsl)
        tb.addAction(self.act_drill)

    def _build_settings_bar(self, vm: ViewModel) -> None:
        s = self.settings
        tb2 = QToolBar("settings")
        tb2.setMovable(False)
        tb2.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.window.addToolBar(tb2)
        # the session's actions first (the source bar has room only for LSL and Drill at 1024 px)
        for a in (self.act_tare, self.act_marker, self.act_record, self.act_mute):
            tb2.addAction(a)
        tb2.addSeparator()
        tb2.addWidget(QLabel("band"))
        self.mode_combo = QComboBox()
        self.mode_combo.addItems(["relative", "fixed"])
        self.mode_combo.setItemData(0, "relative to each hold's own level (therapy: keep what you found)",
                                    Qt.ItemDataRole.ToolTipRole)
        self.mode_combo.setItemData(1, "a fixed target ± tolerance (training to a set pressure)",
                                    Qt.ItemDataRole.ToolTipRole)
        self.mode_combo.setToolTip("the band: relative to each hold, or a fixed target")
        tb2.addWidget(self.mode_combo)
        self.target_spin = QDoubleSpinBox()
        self.target_spin.setToolTip("the fixed band's target, in the display unit")
        self._target_n: float = 30.0  # the target in newtons (the box shows it in the display unit)
        target: Any = s.value("band/target", 30.0)
        self._target_n = float(target or 30.0)
        self._show_target_unit()
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
        self.goal_spin.setValue(vm.goal_s)
        self.goal_spin.valueChanged.connect(self.goal_chosen.emit)
        tb2.addWidget(self.goal_spin)
        tb2.addSeparator()
        tb2.addWidget(QLabel("units"))
        self.unit_combo = QComboBox()
        self.unit_combo.addItems(list(UNIT_FACTORS))
        self.unit_combo.setCurrentText(vm.unit)
        self.unit_combo.currentTextChanged.connect(self.unit_chosen.emit)
        tb2.addWidget(self.unit_combo)
        self._band_timer = QTimer(self)
        self._band_timer.setSingleShot(True)
        self._band_timer.setInterval(BAND_EDIT_MS)
        self._band_timer.timeout.connect(self._band_changed)
        self.mode_combo.currentIndexChanged.connect(self._band_edited)
        self.target_spin.valueChanged.connect(self._band_edited)
        self.tol_spin.valueChanged.connect(self._band_edited)
        for w in (self.port_combo, self.rate_combo, self.speed_combo, self.mode_combo, self.target_spin,
                  self.tol_spin, self.goal_spin, self.unit_combo):
            w.setStyleSheet("font-size: 14px;")

    # ---- source actions
    def refresh_ports(self) -> None:
        from nmt_pressure.link.transport import list_ports

        text = self.port_combo.currentText()
        self.port_combo.clear()
        with contextlib.suppress(Exception):
            for dev, desc, _ in list_ports():
                self.port_combo.addItem(dev, desc)
        self.port_combo.setEditText(text)

    def toggle_connect(self) -> None:
        s = self.controller.session
        if s is not None and not s.stopping:
            self.controller.disconnect_source()
        else:
            self.controller.connect_port(self.port_combo.currentText())

    def toggle_sim(self) -> None:
        if self.controller.sim is not None:
            self.controller.disconnect_source()
        else:
            self.controller.start_sim(int(self.rate_combo.currentText()))

    def open_dialog(self) -> None:
        start = str(self.settings.value("open_dir", str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(self.window, "Replay a recording", start,
                                              "Recordings (*.csv *.txt);;All files (*)")
        if path:
            self.controller.open_replay(path, speed=speed_of(self.speed_combo.currentText()))

    def _speed_changed(self, text: str) -> None:
        self.settings.setValue("speed", text)
        self.controller.set_speed(speed_of(text))

    def show_speed(self, speed: float | None) -> None:
        """Show the replay's own speed (``dash --speed 2`` adds "2×") without counting it as a choice."""
        text = speed_label(speed)
        if self.speed_combo.currentText() == text:
            return
        self.speed_combo.blockSignals(True)
        if self.speed_combo.findText(text) < 0:
            self.speed_combo.addItem(text)
        self.speed_combo.setCurrentText(text)
        self.speed_combo.blockSignals(False)

    def toggle_record(self) -> None:
        c = self.controller
        s = c.session
        if s is not None and s.recorder is not None:
            c.stop_recording()
            return
        if s is None or s.kind != "live":
            self.act_record.setChecked(False)
            c.show_message("recording needs a connected device (a replay is a recording already).")
            return
        start = str(self.settings.value("record_dir", str(Path.home())))
        name = time.strftime("session-%Y%m%d-%H%M%S.csv")
        path, _ = QFileDialog.getSaveFileName(self.window, "Record to", str(Path(start) / name),
                                              "Recordings (*.csv)")
        if not path:
            self.act_record.setChecked(False)
            return
        c.start_recording(path, overwrite=True)  # the dialog asked before replacing a file

    # ---- settings
    def apply_band(self, cfg: DetectorConfig) -> None:
        """Show ``cfg``'s band in the band controls (without counting it as an edit)."""
        for w in (self.mode_combo, self.target_spin, self.tol_spin):
            w.blockSignals(True)
        self.mode_combo.setCurrentIndex(1 if cfg.target is not None else 0)
        if cfg.target is not None:
            self._target_n = cfg.target
            self.target_spin.setValue(cfg.target / UNIT_FACTORS[self.unit])
        self.tol_spin.setValue(round(cfg.tolerance * 100.0))
        self.target_spin.setEnabled(cfg.target is not None)
        for w in (self.mode_combo, self.target_spin, self.tol_spin):
            w.blockSignals(False)

    def _band_edited(self) -> None:
        self.target_spin.setEnabled(self.mode_combo.currentIndex() == 1)
        self._target_n = self.target_newtons()
        self._band_timer.start()

    def cancel_band_edit(self) -> None:
        self._band_timer.stop()

    def _band_changed(self) -> None:
        target = self.target_newtons() if self.mode_combo.currentIndex() == 1 else None
        self.band_chosen.emit(target, self.tol_spin.value() / 100.0)

    def target_newtons(self) -> float:
        """The target box's value in newtons (it shows the display unit)."""
        f = UNIT_FACTORS[self.unit]
        shown = self.target_spin.value()
        # unchanged since it was shown: the exact newtons, not the rounded display value
        if round(self._target_n / f, UNIT_DECIMALS[self.unit]) == round(shown, UNIT_DECIMALS[self.unit]):
            return self._target_n
        return shown * f

    def _show_target_unit(self) -> None:
        """The target box in the display unit: suffix, decimals, range and the target converted."""
        spin, f = self.target_spin, UNIT_FACTORS[self.unit]
        spin.blockSignals(True)
        spin.setDecimals(UNIT_DECIMALS[self.unit])
        spin.setSuffix(f" {self.unit}")
        spin.setRange(0.5 / f, 2000.0 / f)
        spin.setValue(self._target_n / f)
        spin.blockSignals(False)

    def show_unit(self, unit: str) -> None:
        if unit != self.unit:
            self._target_n = self.target_newtons()
            self.unit = unit
            self._show_target_unit()
        if self.unit_combo.currentText() != unit:
            self.unit_combo.setCurrentText(unit)

    def show_muted(self, muted: bool) -> None:
        self.act_mute.setChecked(muted)
        self.act_mute.setText("Muted" if muted else "Mute")

    # ---- the buttons show the session's state
    def update_controls(self) -> None:
        c = self.controller
        s = c.session
        live = s is not None and s.kind == "live" and not s.stopping
        replay = s is not None and s.kind == "replay" and not s.stopping
        self.act_connect.setText("Disconnect" if (s is not None and not s.stopping) else "Connect")
        self.act_sim.setText("Stop simulator" if c.sim is not None else "Simulator")
        self.act_tare.setEnabled(live)
        self.act_record.setEnabled(live)
        self.act_record.setChecked(bool(s is not None and s.recorder is not None))
        self.act_record.setText("● Stop rec" if self.act_record.isChecked() else "Record")
        self.act_pause.setEnabled(replay)
        if replay:
            self.show_speed(c.replay_speed)
        if replay and isinstance(s.source, Replayer):  # type: ignore[union-attr]
            self.act_pause.setText("Resume" if s.source.paused else "Pause")  # type: ignore[union-attr]
        self.act_marker.setEnabled(s is not None and not s.stopping)
        self.act_lsl.setChecked(c.lsl_on)
        self.act_lsl.setText("LSL on" if c.lsl_on else "LSL")
        pub = s.lsl if s is not None else None
        if pub is not None and pub.active:
            tip = f"{pub.describe()}; click to stop (L)"
        elif c.lsl_on:
            tip = (f"Lab Streaming Layer on: each live connection is published as \u201c{c.lsl_name} "
                   f"force\u201d and \u201c{c.lsl_name} events\u201d; click to stop (L)")
        else:
            tip = ("publish the force and the events as Lab Streaming Layer streams, for LabRecorder "
                   "(opens network sockets) (L)")
        self.act_lsl.setToolTip(tip)
