"""The dashboard's practice panel: choose a drill and a practitioner, play it, read the score card and
the trend of that practitioner's scores.

The drill itself is a :class:`~nmt_pressure.practice.engine.DrillRun` hung on the live session's listeners
(:meth:`DrillHost.attach_drill`, the window's), so it advances on the reader thread exactly as in the terminal
command. Its two callbacks (a new phase, the end) only emit queued signals: the GUI thread shows the
prompt and, at the end, scores the run. Between prompts a 10 Hz timer reads the countdown and the
latest filtered force (never a signal per sample) to colour the phase's band on the plot.

The practice history is SQLite and another program may hold it for a moment (its busy timeout is 5 s),
so every read and write runs on a short-lived worker thread and its news comes back as a queued
signal: the GUI never waits on the database, except once at exit to finish a result being saved.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyqtgraph as pg
from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nmt_pressure.analysis.report import to_json
from nmt_pressure.core.events import STATE_IDLE, STATE_MOVING
from nmt_pressure.dashboard.style import (
    DIM,
    OK_GREEN,
    PANEL_BG,
    TEXT,
    VERDICT_STYLES,
    VERDICT_TEXT,
    fmt_force,
)
from nmt_pressure.dashboard.viewmodel import DrillLive
from nmt_pressure.practice.engine import DrillRun, Prompt
from nmt_pressure.practice.history import History, HistoryError, ResultRow, now_iso
from nmt_pressure.practice.score import LABELS, WORK_ON_BELOW, ScoreCard, score_run
from nmt_pressure.practice.spec import Drill, available_drills

__all__ = ["DrillHost", "DrillPanel", "HistoryNews", "band_state", "load_trend", "save_result"]

#: The countdown and the band's colour are refreshed this often (ms).
TICK_MS = 100
#: The practitioner's name settles this long (ms) before the trend is read again.
NAME_SETTLE_MS = 400
AMBER = "#f9a825"
POOR_SCORE = "#b8860b"
PROMPT_COLOURS = {"press": "#64b5f6", "step": "#64b5f6", "hold": TEXT, "release": "#b0bec5",
                  "rest": "#b0bec5"}
HOLD_HEADERS = ("#", "target N", "held s", "asked s", "in band", "CV %", "status")


def score_colour(value: float | None) -> str:
    """Green where nothing needs work (the score card's own threshold), amber, deep amber under 60."""
    if value is None or math.isnan(value):
        return DIM
    # a poor score is amber, never red: red means "too much" on every view of the window
    return OK_GREEN if value >= WORK_ON_BELOW else AMBER if value >= 60.0 else POOR_SCORE


def band_state(kind: str, force: float, band: tuple[float, float] | None, moving: bool = False) -> str:
    """Where the force is against the phase's band: ``in``, ``high``, ``low``, ``moving`` or ``""``
    (nothing to say).

    During a hold every side counts, but while the core classifies a change inside it (``moving``:
    step, release, departure or drift) a force inside the band gets no "in band" verdict yet. On the
    way to a level (press, step) being short of the band is simply not there yet; only overshooting a
    press is worth a colour.
    """
    if band is None or math.isnan(force):
        return ""
    lo, hi = band
    if lo <= force <= hi:
        return "moving" if moving and kind == "hold" else "in"
    if kind == "hold":
        return "high" if force > hi else "low"
    if kind == "press" and force > hi:
        return "high"
    return ""


class DrillHost(Protocol):
    """What the panel needs of the window it sits in (the dashboard's window is one). Said here, by
    the panel, so that the window imports the panel and never the other way round."""

    @property
    def settings(self) -> QSettings:
        """Where the chosen drill and practitioner are remembered."""
        ...

    @property
    def unit(self) -> str:
        """The display unit (N, kg or lb) the band is said in."""
        ...

    def show_message(self, text: str, error: bool = False) -> None:
        """One line in the window's status bar."""
        ...

    def attach_drill(self, run: DrillRun) -> str | None:
        """Hang ``run`` on the live session's listeners; the reason if it cannot."""
        ...

    def detach_drill(self, run: DrillRun) -> None:
        """Take ``run`` off whichever session it plays on."""
        ...

    def set_drill_band(self, band: tuple[float, float] | None, state: str = "") -> None:
        """Show the phase's band on the plot (None hides it), filled by ``state``."""
        ...

    def filtered_force(self) -> float:
        """The session's latest filtered force (NaN before its first sample or without a session)."""
        ...

    def core_state(self) -> int | None:
        """The core's state on the session (``core.events.STATE_*``; None without a session)."""
        ...

    def device_name(self) -> str:
        """The session's device ("" without one)."""
        ...

    def recording_path(self) -> str | None:
        """The session's recording, as an absolute path (None if it records nothing)."""
        ...


# --------------------------------------------------------------------------------------------------
# the practice history, off the GUI thread
# --------------------------------------------------------------------------------------------------
@dataclass
class HistoryNews:
    """What a history job found: the practitioner's results for the drill (oldest first), everyone's
    names, and for a save the new result's id; ``error`` is one sentence if the history failed."""

    token: int
    practitioner: str
    drill: str
    rows: list[ResultRow] = field(default_factory=list)
    practitioners: list[str] = field(default_factory=list)
    saved: bool = False
    result_id: int | None = None
    error: str | None = None


def load_trend(path: Path, practitioner: str, drill: str, token: int = 0) -> HistoryNews:
    """The practitioner's results for ``drill``; no file yet is no results (it is not created here)."""
    news = HistoryNews(token, practitioner, drill)
    if not path.exists():
        return news
    try:
        with History(path) as h:
            news.practitioners = h.practitioners()
            if practitioner.strip():
                news.rows = h.results(practitioner, drill)
    except HistoryError as exc:
        news.error = str(exc)
    return news


def save_result(path: Path, practitioner: str, card: ScoreCard, *, device: str, recording: str | None,
                started: str, token: int = 0) -> HistoryNews:
    """Store one played drill as a sitting of its own (as ``nmt-pressure drill`` does), then read back
    the practitioner's results for the trend."""
    news = HistoryNews(token, practitioner, card.drill, saved=True)
    try:
        with History(path) as h:
            sid = h.start_session(practitioner, device=device, recording=recording, started=started)
            news.result_id = h.add_result(sid, card)
            h.end_session(sid)
            news.practitioners = h.practitioners()
            news.rows = h.results(practitioner, card.drill)
    except HistoryError as exc:
        news.error = str(exc)
    return news


class _Bridge(QObject):
    """The reader thread's (and the history workers') news for the GUI thread, always queued."""

    prompted = Signal(object, object)  # (DrillRun, Prompt)
    finished = Signal(object)  # DrillRun
    history = Signal(object)  # HistoryNews


def _label(px: int, bold: bool = False, colour: str = TEXT, wrap: bool = False) -> QLabel:
    lab = QLabel()
    font = lab.font()
    font.setPixelSize(px)
    font.setBold(bold)
    lab.setFont(font)
    lab.setStyleSheet(f"color: {colour}; background: transparent;")
    lab.setWordWrap(wrap)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return lab


def _box(title: str) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("drillbox")
    lay = QVBoxLayout(frame)
    lay.setContentsMargins(10, 8, 10, 10)
    lay.setSpacing(4)
    cap = _label(13, bold=True, colour=DIM)
    cap.setText(title.upper())
    lay.addWidget(cap)
    return frame, lay


# --------------------------------------------------------------------------------------------------
# the panel
# --------------------------------------------------------------------------------------------------
class DrillPanel(QWidget):
    """Drill and practitioner, Start/Stop, the prompt with its countdown and band, the score card and
    the trend. ``state``: ``idle``, ``running``, ``completed`` or ``stopped``."""

    #: A prompt is on screen (after the panel and the plot show it): the Prompt.
    prompt_shown = Signal(object)
    #: A drill is over and its result stored, or storing it failed (then ``error`` says why).
    done = Signal()

    def __init__(self, dash: DrillHost) -> None:
        super().__init__()
        self.dash = dash
        self.drills: dict[str, Drill] = {}
        self.run: DrillRun | None = None
        self.state = "idle"
        self.card: ScoreCard | None = None
        self.prompts_seen: list[Prompt] = []
        self.practitioner = ""
        self.result_id: int | None = None
        self.error: str | None = None
        self.trend_rows: list[ResultRow] = []
        self._prompt: Prompt | None = None
        self._band_state = ""
        self._handled: DrillRun | None = None  # the run whose end was dealt with
        self._started = ""
        self._device = ""
        self._recording: str | None = None
        self._token = 0
        self._workers: list[threading.Thread] = []
        self._bridge = _Bridge(self)
        q = Qt.ConnectionType.QueuedConnection
        self._bridge.prompted.connect(self._on_prompt, q)
        self._bridge.finished.connect(self._on_finished, q)
        self._bridge.history.connect(self._on_history, q)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._update_live)
        self._name_timer = QTimer(self)
        self._name_timer.setSingleShot(True)
        self._name_timer.setInterval(NAME_SETTLE_MS)
        self._name_timer.timeout.connect(self.reload_trend)
        self._build()
        self._show_idle()

    # ------------------------------------------------------------------------------------------
    # building
    # ------------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.setObjectName("drillpanel")
        self.setStyleSheet(
            f"#drillpanel {{ background: {PANEL_BG}; }} "
            f"#drillbox {{ background: #1b1f24; border-radius: 6px; }} "
            f"QComboBox, QPushButton {{ font-size: 15px; }} "
            f"QPushButton {{ padding: 6px 14px; }} "
            f"QProgressBar {{ background: #2a2f36; border: none; border-radius: 3px; color: {TEXT}; "
            f"font-size: 13px; text-align: center; }}")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.setSpacing(8)

        # ---- choice
        choose, cl = _box("Practice drill")
        self.drill_combo = QComboBox()
        self.drill_combo.setToolTip("bundled drills and your own (*.toml in your drills folder)")
        self.drill_combo.currentIndexChanged.connect(self._drill_chosen)
        cl.addWidget(self.drill_combo)
        self.description = _label(14, colour=TEXT, wrap=True)
        cl.addWidget(self.description)
        self.drill_info = _label(12, colour=DIM, wrap=True)
        cl.addWidget(self.drill_info)
        row = QHBoxLayout()
        who = _label(14, colour=DIM)
        who.setText("practitioner")
        row.addWidget(who)
        self.practitioner_combo = QComboBox()
        self.practitioner_combo.setEditable(True)
        self.practitioner_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.practitioner_combo.setToolTip("who is practising: results and the trend are theirs")
        self.practitioner_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.practitioner_combo.editTextChanged.connect(lambda _: self._name_timer.start())
        row.addWidget(self.practitioner_combo, 1)
        cl.addLayout(row)
        buttons = QHBoxLayout()
        self.start_button = QPushButton("Start")
        self.start_button.setToolTip("play the drill on the connected device")
        self.start_button.clicked.connect(lambda: self.start())
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("end the drill now: it is scored and saved as not completed")
        self.stop_button.clicked.connect(self.stop)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        cl.addLayout(buttons)
        lay.addWidget(choose)

        # ---- the prompt
        self.prompt_box, pl = _box("Now")
        self.phase_label = _label(15, colour=DIM)
        self.prompt_label = _label(34, bold=True, wrap=True)
        self.prompt_label.setMinimumHeight(48)
        self.countdown_label = _label(48, bold=True)
        self.band_label = _label(17, colour=TEXT)
        self.where_label = _label(26, bold=True)
        self.where_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.where_label.setMinimumHeight(40)
        for w in (self.phase_label, self.prompt_label, self.countdown_label, self.band_label,
                  self.where_label):
            pl.addWidget(w)
        lay.addWidget(self.prompt_box)

        # ---- the score card
        self.card_box, kl = _box("Score card")
        top = QHBoxLayout()
        self.overall_label = _label(52, bold=True)
        self.card_note = _label(14, colour=DIM, wrap=True)
        top.addWidget(self.overall_label)
        top.addWidget(self.card_note, 1)
        kl.addLayout(top)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        self.component_bars: dict[str, QProgressBar] = {}
        for i, (key, text) in enumerate(LABELS.items()):
            lab = _label(14, colour=TEXT)
            lab.setText(text)
            bar = QProgressBar()
            bar.setRange(0, 100)
            bar.setFixedHeight(20)
            grid.addWidget(lab, i, 0)
            grid.addWidget(bar, i, 1)
            self.component_bars[key] = bar
        grid.setColumnStretch(1, 1)
        kl.addLayout(grid)
        self.hold_table = QTableWidget(0, len(HOLD_HEADERS))
        self.hold_table.setHorizontalHeaderLabels(list(HOLD_HEADERS))
        self.hold_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.hold_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.hold_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hold_table.verticalHeader().setVisible(False)
        self.hold_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.hold_table.verticalHeader().setDefaultSectionSize(22)
        self.hold_table.setMinimumHeight(90)
        self.hold_table.setStyleSheet(
            f"QTableWidget {{ background: {PANEL_BG}; color: {TEXT}; gridline-color: #333a42; "
            f"font-size: 13px; }} QHeaderView::section {{ background: #22272e; color: {DIM}; "
            f"border: none; padding: 2px; font-size: 12px; }}")
        # What to work on before the per-hold detail: it is what the practitioner reads first.
        self.work_on_label = _label(15, colour=TEXT, wrap=True)
        kl.addWidget(self.work_on_label)
        self.saved_label = _label(12, colour=DIM, wrap=True)
        kl.addWidget(self.saved_label)
        kl.addWidget(self.hold_table)

        # ---- the trend
        trend, tl = _box("Trend")
        self.trend_plot = pg.PlotWidget()
        pi = self.trend_plot.getPlotItem()
        pi.setMenuEnabled(False)
        pi.setMouseEnabled(x=False, y=False)
        pi.hideButtons()
        pi.setYRange(0, 100, padding=0.02)
        pi.setXRange(0.5, 5.5, padding=0)
        pi.setLabel("left", "overall")
        pi.setLabel("bottom", "result (oldest → newest)")
        pi.getAxis("bottom").setTickSpacing(major=5, minor=1)
        good = pg.InfiniteLine(pos=WORK_ON_BELOW, angle=0, movable=False,
                               pen=pg.mkPen(OK_GREEN, width=1, style=Qt.PenStyle.DashLine))
        pi.addItem(good, ignoreBounds=True)
        self.trend_curve = pi.plot([], [], pen=pg.mkPen("#ffd54f", width=2), symbol="o", symbolSize=9,
                                   symbolPen=pg.mkPen("#0d0f12"))
        self.trend_plot.setMinimumHeight(130)
        self.trend_plot.setMaximumHeight(170)
        tl.addWidget(self.trend_plot)
        self.trend_caption = _label(13, colour=DIM, wrap=True)
        tl.addWidget(self.trend_caption)
        # Above the card: with the card's summary it fits a 900-pixel screen; the hold table scrolls.
        lay.addWidget(trend)
        lay.addWidget(self.card_box)
        lay.addStretch(1)

    # ------------------------------------------------------------------------------------------
    # choosing
    # ------------------------------------------------------------------------------------------
    def refresh_drills(self) -> None:
        """Read the drills again (the user may have added or fixed a file); a broken file is named in
        the status bar and the others stay available."""
        from nmt_pressure.practice.userdata import drills_dir

        drills, problems = available_drills(drills_dir())
        current = self.drill_combo.currentData() or str(self.dash.settings.value("drill/name", ""))
        for extra in self.drills.values():  # a drill given by path (dash --drill FILE) stays
            if extra.name not in drills and not extra.source.startswith("bundled/"):
                drills[extra.name] = extra
        self.drills = drills
        self.drill_combo.blockSignals(True)
        self.drill_combo.clear()
        for d in drills.values():
            mine = "" if d.source.startswith("bundled/") else "  (yours)"
            self.drill_combo.addItem(f"{d.title}{mine}", d.name)
        i = self.drill_combo.findData(current)
        self.drill_combo.setCurrentIndex(max(i, 0))
        self.drill_combo.blockSignals(False)
        self._drill_chosen()
        if problems:
            more = f" (and {len(problems) - 1} more broken drill files)" if len(problems) > 1 else ""
            self.dash.show_message(f"a drill file was left out: {problems[0].rstrip('.')}{more}.",
                                   error=True)

    def on_shown(self) -> None:
        """The panel became visible: read the drills again (the user may have added or fixed one since)
        and the trend; not while a drill runs (its choice is fixed then)."""
        if self.state == "running":
            return
        if not self.practitioner_combo.currentText():
            self.practitioner_combo.setEditText(self._default_practitioner())
        self.refresh_drills()

    def _default_practitioner(self) -> str:
        from nmt_pressure.practice.userdata import default_practitioner

        return str(self.dash.settings.value("drill/practitioner", "") or default_practitioner())

    @property
    def drill(self) -> Drill | None:
        name = self.drill_combo.currentData()
        return self.drills.get(name) if name else None

    def _drill_chosen(self) -> None:
        d = self.drill
        if d is None:
            self.description.setText("")
            self.drill_info.setText("")
            return
        self.description.setText(d.description or d.title)
        kinds = [p.kind for p in d.plan]
        timed = sum(float(p.duration or p.min_duration or 0.0) for p in d.plan)
        where = "bundled" if d.source.startswith("bundled/") else d.source
        self.drill_info.setText(f"{d.name} · {len(kinds)} phases, {kinds.count('hold')} holds · at least "
                                f"{timed:.0f} s of holds and rests · {where}")
        self.reload_trend()

    def set_drill(self, drill: Drill) -> None:
        """Choose ``drill`` (one from a file elsewhere is added to the list)."""
        if not self.drills:
            self.refresh_drills()
        if self.drills.get(drill.name) != drill:
            self.drills[drill.name] = drill
            i = self.drill_combo.findData(drill.name)
            if i >= 0:
                self.drill_combo.removeItem(i)
            self.drill_combo.addItem(f"{drill.title}  ({drill.source or 'given'})", drill.name)
        self.drill_combo.setCurrentIndex(self.drill_combo.findData(drill.name))

    def set_practitioner(self, name: str) -> None:
        self.practitioner_combo.setEditText(name)
        self.reload_trend()

    # ------------------------------------------------------------------------------------------
    # playing
    # ------------------------------------------------------------------------------------------
    def start(self, drill: Drill | None = None, practitioner: str | None = None) -> bool:
        """Play the chosen drill (or ``drill``) on the live session; False (and a status message) if it
        cannot start: no live source, no name, a drill already running."""
        if self.run is not None and self.state == "running":
            self.dash.show_message("a drill is running already: stop it first.", error=True)
            return False
        if drill is not None:
            self.set_drill(drill)
        if practitioner is not None:
            self.practitioner_combo.setEditText(practitioner)
        if not self.drills:
            self.refresh_drills()
        d = self.drill
        name = " ".join(self.practitioner_combo.currentText().split())
        if d is None:
            self.dash.show_message("choose a drill first.", error=True)
            return False
        if not name:
            self.dash.show_message("type who is practising (the practitioner) before starting a drill.",
                                   error=True)
            return False
        run = DrillRun(d, on_prompt=lambda p: self._bridge.prompted.emit(run, p),
                       on_finish=self._bridge.finished.emit)
        problem = self.dash.attach_drill(run)
        if problem:
            self.dash.show_message(problem, error=True)
            return False
        self.run, self.practitioner, self.state = run, name, "running"
        self.card, self.result_id, self.error = None, None, None
        self.prompts_seen = []
        self._prompt, self._band_state, self._handled = None, "", None
        self._started = now_iso()
        self._device = self.dash.device_name()
        self._recording = self.dash.recording_path()
        self.dash.settings.setValue("drill/name", d.name)
        self.dash.settings.setValue("drill/practitioner", name)
        self._show_running()
        self._tick.start()
        core = self.dash.core_state()
        hint = " (lift the hand first: it starts with a press)" \
            if core is not None and core != STATE_IDLE else ""
        self.dash.show_message(f"drill {d.name} started for {name}{hint}")
        return True

    def stop(self) -> None:
        """End the running drill now; it is scored and saved as not completed."""
        if self.run is not None and self.state == "running":
            self.run.abort("stopped in the dashboard")

    def source_ended(self, run: DrillRun, reason: str) -> None:
        """The session the drill plays on is ending (disconnect, band change, device gone)."""
        if run is self.run and self.state == "running":
            run.abort(reason)

    @Slot(object, object)
    def _on_prompt(self, run: DrillRun, p: Prompt) -> None:
        if run is not self.run:
            return
        self.prompts_seen.append(p)
        self._prompt = p
        d = run.drill
        per_round = len(d.phases)
        rnd = f" · round {p.index // per_round + 1}/{d.repeat}" if d.repeat > 1 else ""
        self.phase_label.setText(f"phase {p.index + 1} / {p.total} · {p.kind}{rnd}")
        self.prompt_label.setText(p.text.upper())
        self.prompt_label.setStyleSheet(f"color: {PROMPT_COLOURS.get(p.kind, TEXT)}; "
                                        "background: transparent;")
        if p.band is not None:
            lo, hi = p.band
            u = self.dash.unit
            target = "" if p.target is None else f" (target {fmt_force(p.target, u, with_unit=True)})"
            self.band_label.setText(f"band {fmt_force(lo, u)}–{fmt_force(hi, u)} {u}{target}")
        else:
            self.band_label.setText("")
        self._band_state = "?"  # repaint the band whatever the force does next
        self._update_live()
        self.prompt_shown.emit(p)

    def _update_live(self) -> None:
        """The countdown and where the force is against the band (10 Hz, GUI thread)."""
        run, p = self.run, self._prompt
        if run is None or p is None or self.state != "running":
            return
        # The prompt on screen's: a busy GUI thread may show it after the run has moved on.
        left = run.remaining(p)
        self.countdown_label.setText(f"{left:.1f} s" if left is not None else "")
        state = band_state(p.kind, self.dash.filtered_force(), p.band,
                           self.dash.core_state() == STATE_MOVING)
        if state != self._band_state:
            self._band_state = state
            # the same verdict boxes as the main panel: one look for one meaning
            text = VERDICT_TEXT.get(state, "")
            self.where_label.setText(text)
            fill, fg = VERDICT_STYLES.get(text, ("transparent", TEXT))
            self.where_label.setStyleSheet(f"color: {fg}; background: {fill}; border-radius: 6px;")
            self.dash.set_drill_band(p.band, state)

    def live(self) -> DrillLive | None:
        """The running drill's phase, band, verdict and count-down (None when no drill runs)."""
        run, p = self.run, self._prompt
        if run is None or p is None or self.state != "running":
            return None
        state = self._band_state if self._band_state != "?" else ""
        return DrillLive(kind=p.kind, band=p.band, state=state, left=run.remaining(p))

    @Slot(object)
    def _on_finished(self, run: DrillRun) -> None:
        if run is self.run and self._handled is not run:
            self._finish(run, sync=False)

    def _finish(self, run: DrillRun, *, sync: bool) -> None:
        """Score the run, show the card, store it (on a worker thread unless ``sync``)."""
        self._handled = run
        self._tick.stop()
        self.dash.detach_drill(run)
        self.dash.set_drill_band(None, "")
        self.state = "completed" if run.completed else "stopped"
        self._recording = self._recording or self.dash.recording_path()
        if not run.records:
            self.card = None
            self._show_idle()
            self.saved_label.setText("")
            self.dash.show_message("the drill stopped before it began: nothing to score or save.")
            self.done.emit()
            return
        card = score_run(run)
        self.card = card
        if card.status == "abandoned":
            self.state = "abandoned"  # no press was made: stored, but not scored
        self._show_card(card)
        self.saved_label.setText("saving…")
        path = self._history_path()
        self._token += 1
        job = functools.partial(save_result, path, self.practitioner, card,
                                device=self._device or "unknown device", recording=self._recording,
                                started=self._started, token=self._token)
        if sync:
            self._on_history(job())
        else:
            self._in_background(job)

    def finish_now(self, timeout: float = 10.0) -> None:
        """At exit (and at the end of an unattended run): stop a running drill, score and store it
        here and now, and wait for results still being stored."""
        run = self.run
        if run is not None and self.state == "running":
            run.abort("the dashboard closed")
        if run is not None and self._handled is not run and run.finished:
            self._finish(run, sync=True)
        for w in list(self._workers):
            w.join(timeout)

    # ------------------------------------------------------------------------------------------
    # the history and the trend
    # ------------------------------------------------------------------------------------------
    @staticmethod
    def _history_path() -> Path:
        from nmt_pressure.practice.userdata import history_path

        return history_path()

    def _in_background(self, job: Callable[[], HistoryNews]) -> None:
        emit = self._bridge.history.emit

        def work() -> None:
            emit(job())

        w = threading.Thread(target=work, name="nmt-history", daemon=True)
        self._workers = [x for x in self._workers if x.is_alive()] + [w]
        w.start()

    def reload_trend(self) -> None:
        """Read the chosen practitioner's results for the chosen drill (in the background)."""
        d = self.drill
        if d is None:
            return
        name = " ".join(self.practitioner_combo.currentText().split())
        self._token += 1
        self._in_background(functools.partial(load_trend, self._history_path(), name, d.name, self._token))

    @Slot(object)
    def _on_history(self, news: HistoryNews) -> None:
        if news.saved:
            self._saved(news)
        elif news.error:
            self.dash.show_message(news.error, error=True)
        self._set_names(news.practitioners)
        current = (" ".join(self.practitioner_combo.currentText().split()), self.drill_combo.currentData())
        # The newest news for what is chosen now wins; a save always shows what it stored.
        if (news.saved or news.token == self._token) and current == (news.practitioner, news.drill) \
                and not news.error:
            self._show_trend(news.rows, news.practitioner, news.drill)
        if news.saved:
            self._show_buttons()
            self.done.emit()

    def _saved(self, news: HistoryNews) -> None:
        if self.state == "running":
            return  # stored after the next drill began: only the trend changes
        self.result_id, self.error = news.result_id, news.error
        if news.error:
            self.saved_label.setText(f"not saved: {news.error}")
            self.dash.show_message(news.error, error=True)
            return
        self.saved_label.setText(f"saved for {news.practitioner} in {self._history_path()} "
                                 f"(result {news.result_id})")
        score = f": {self.card.overall:.0f} / 100" if self.card is not None and \
            self.card.overall is not None else ""
        self.dash.show_message(f"drill {news.drill} {self.state}{score}, saved for {news.practitioner}.")

    def _set_names(self, names: list[str]) -> None:
        combo = self.practitioner_combo
        have = [combo.itemText(i) for i in range(combo.count())]
        if not names or have == names:
            return
        text = combo.currentText()
        combo.blockSignals(True)
        combo.clear()
        combo.addItems(names)
        combo.setEditText(text)
        combo.blockSignals(False)

    def _show_trend(self, rows: list[ResultRow], practitioner: str, drill: str) -> None:
        rows = [r for r in rows if r.score is not None]  # an abandoned drill has no score to plot
        self.trend_rows = list(rows)
        xs = [float(i + 1) for i in range(len(rows))]
        ys = [float(r.score or 0.0) for r in rows]
        self.trend_curve.setData(xs, ys, symbolBrush=[pg.mkBrush(score_colour(y)) for y in ys])
        n = len(rows)
        self.trend_plot.getPlotItem().setXRange(0.5, max(5, n) + 0.5, padding=0)
        self.trend_plot.getPlotItem().getAxis("bottom").setTickSpacing(
            major=max(1, math.ceil(n / 8)), minor=1)
        if not rows:
            self.trend_caption.setText(f"no results yet for {practitioner or '—'} in {drill}")
            return
        last, best = rows[-1], max(rows, key=lambda r: r.score or 0.0)
        first_day, last_day = rows[0].finished[:10], last.finished[:10]
        span = last_day if first_day == last_day else f"{first_day} to {last_day}"
        self.trend_caption.setText(f"{practitioner} · {drill}: {n} result{'s' if n != 1 else ''} ({span}); "
                                   f"last {last.score:.0f}, best {best.score:.0f}")

    def trend_points(self) -> tuple[list[float], list[float]]:
        """The trend plot's points (result number, overall score), as drawn."""
        x, y = self.trend_curve.getData()
        if x is None or y is None:
            return [], []
        return [float(v) for v in x], [float(v) for v in y]

    # ------------------------------------------------------------------------------------------
    # views
    # ------------------------------------------------------------------------------------------
    def _show_buttons(self) -> None:
        running = self.state == "running"
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.drill_combo.setEnabled(not running)
        self.practitioner_combo.setEnabled(not running)

    def _set_live_rows(self, on: bool) -> None:
        """The countdown, band and where-the-force-is rows only while a drill runs (room for the card)."""
        for w in (self.countdown_label, self.band_label, self.where_label):
            w.setText("")
            w.setVisible(on)

    def _show_idle(self) -> None:
        self.phase_label.setText("not running")
        self.prompt_label.setText("Choose a drill and press Start")
        self.prompt_label.setStyleSheet(f"color: {DIM}; background: transparent;")
        self._set_live_rows(False)
        # A score card takes the prompt's place: the card and the trend fit without scrolling.
        self.prompt_box.setVisible(self.card is None)
        self.card_box.setVisible(self.card is not None)
        self._show_buttons()

    def _show_running(self) -> None:
        self.phase_label.setText("starting…")
        self.prompt_label.setText("get ready")
        self.prompt_label.setStyleSheet(f"color: {DIM}; background: transparent;")
        self._set_live_rows(True)
        self.card_box.hide()
        self.prompt_box.show()
        self._show_buttons()

    def _show_card(self, card: ScoreCard) -> None:
        self._show_idle()
        colour = score_colour(card.overall)
        self.overall_label.setText("—" if card.overall is None else f"{card.overall:.0f}")
        self.overall_label.setStyleSheet(f"color: {colour}; background: transparent;")
        done = "completed" if card.completed else "not completed"
        missed = f", {card.missed} phase{'s' if card.missed != 1 else ''} missed" if card.missed else ""
        if card.overall is None:
            self.card_note.setText("not scored\nabandoned: no press was made")
        else:
            self.card_note.setText(f"/ 100 overall\n{done}{missed}")
        self.card_note.setToolTip(card.title)
        for key, bar in self.component_bars.items():
            v = card.components.get(key)
            bar.setValue(0 if v is None else round(v))
            bar.setFormat("—  (not in this drill)" if v is None else f"{v:.0f} %")
            bar.setStyleSheet(f"QProgressBar::chunk {{ background: {score_colour(v)}; border-radius: 3px; }}")
        self.hold_table.setRowCount(len(card.holds))
        for r, h in enumerate(card.holds):
            cells = [str(h.phase), "—" if h.target is None else f"{h.target:.1f}", f"{h.achieved_s:.1f}",
                     f"{h.required_s:g}", f"{h.time_in_band_pct:.0f}",
                     "—" if math.isnan(h.cv_pct) else f"{h.cv_pct:.1f}", h.status]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.hold_table.setItem(r, c, item)
        rows = max(1, len(card.holds))
        self.hold_table.setFixedHeight(min(26 + 22 * rows, 26 + 22 * 5) + 4)
        advice = card.work_on or ["nothing stands out: keep it up" if card.overall is not None
                                  else "press when the drill says so"]
        self.work_on_label.setText("Work on:\n" + "\n".join(f"• {a}" for a in advice))
        self.card_box.show()

    def hold_rows(self) -> list[list[str]]:
        """The score card's hold table as shown."""
        t = self.hold_table
        return [[(t.item(r, c).text() if t.item(r, c) is not None else "")  # type: ignore[union-attr]
                 for c in range(t.columnCount())] for r in range(t.rowCount())]

    # ------------------------------------------------------------------------------------------
    # the unattended run's summary
    # ------------------------------------------------------------------------------------------
    def summary(self) -> dict[str, Any] | None:
        """The drill's part of ``dash --summary-json`` (None if no drill was started)."""
        if self.run is None:
            return None
        import json

        d = self.run.drill
        return {
            "name": d.name,
            "title": d.title,
            "practitioner": self.practitioner,
            "state": self.state,
            "completed": self.run.completed,
            "prompts": [{"index": p.index, "kind": p.kind, "text": p.text, "t": p.t,
                         "band": list(p.band) if p.band is not None else None} for p in self.prompts_seen],
            # strict JSON: a missed hold's CV is NaN, which the summary writer refuses
            "card": json.loads(to_json(self.card.to_dict())) if self.card is not None else None,
            "result_id": self.result_id,
            "history": str(self._history_path()),
            "history_error": self.error,
            "trend": [{"finished": r.finished, "score": r.score} for r in self.trend_rows],
        }

