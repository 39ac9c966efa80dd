"""The dashboard's readouts, hold timer and hold table: large type, readable at arm's length."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nmt_pressure.core.events import Hold
from nmt_pressure.dashboard.model import OpenHold

#: Newtons per display unit (kg and lb are kilogram- and pound-force).
UNIT_FACTORS = {"N": 1.0, "kg": 9.80665, "lb": 4.4482216152605}
#: NMT guidance: a steady hold of 10-20 s, at most about 30 s. The timer marks these.
TIMER_MARKS = (10.0, 20.0, 30.0)

PANEL_BG = "#15181c"
TEXT = "#eef1f4"
DIM = "#8a939c"
OK_GREEN = "#2e7d32"
HIGH_RED = "#d32f2f"
HIGH_RED_FLASH = "#ff6659"
LOW_ORANGE = "#e65100"
LOW_ORANGE_FLASH = "#ff9d3f"
ALERT_COLOURS = {"high": (HIGH_RED, HIGH_RED_FLASH), "low": (LOW_ORANGE, LOW_ORANGE_FLASH)}
ALERT_TEXT = {"high": "TOO MUCH", "low": "TOO LITTLE"}


def _font(px: int, bold: bool = False) -> QFont:
    f = QFont()
    f.setPixelSize(px)
    f.setBold(bold)
    return f


def _label(px: int, bold: bool = False, colour: str = TEXT,
           align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> QLabel:
    lab = QLabel()
    lab.setFont(_font(px, bold))
    lab.setStyleSheet(f"color: {colour}; background: transparent;")
    lab.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
    return lab


def _set_text(label: QLabel, text: str) -> None:
    """setText only when it changes: a repaint saved is CPU saved at 10 Hz."""
    if label.text() != text:
        label.setText(text)


class HoldBar(QWidget):
    """A bar that fills as the hold goes on, with marks at 10, 20 and 30 s and the goal."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.held: float | None = None
        self.goal = 20.0
        self.setMinimumHeight(44)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_state(self, held: float | None, goal: float) -> None:
        # Repaint only when the bar moves by a pixel or so.
        old = self.held
        changed = (held is None) != (old is None) or goal != self.goal or \
            (held is not None and old is not None and abs(held - old) * self.width() / self.span() >= 1.0)
        self.held, self.goal = held, goal
        if changed:
            self.update()

    def span(self) -> float:
        return max(35.0, self.goal + 5.0)

    def paintEvent(self, event: object) -> None:
        p = QPainter(self)
        w, h = self.width(), self.height()
        bar_h = h - 16
        span = self.span()
        p.fillRect(0, 0, w, bar_h, QColor("#2a2f36"))
        if self.held is not None:
            held = self.held
            colour = "#1e88e5" if held < self.goal else (OK_GREEN if held < 30.0 else "#f9a825")
            p.fillRect(QRectF(0, 0, w * min(held, span) / span, bar_h), QColor(colour))
        p.setFont(_font(12))
        for m in TIMER_MARKS:
            x = w * m / span
            p.setPen(QPen(QColor(TEXT), 2))
            p.drawLine(int(x), 0, int(x), bar_h)
            p.setPen(QColor(DIM))
            p.drawText(QRectF(x - 20, bar_h, 40, 16), Qt.AlignmentFlag.AlignCenter, f"{m:g}")
        gx = w * self.goal / span
        p.setPen(QPen(QColor("#ffd54f"), 4))
        p.drawLine(int(gx), 0, int(gx), bar_h)
        p.end()


class ReadoutPanel(QFrame):
    """Force, state, band alert, hold timer and the open hold's steadiness, in large type.

    ``alert`` is ``"high"``, ``"low"`` or ``""``; while it is set, ``flash`` toggles (the window's
    flash timer) and the force readout alternates between two shades of the alert colour. Without an
    alert the verdict is "in band" while a hold is watched, or "moving" while the core classifies a
    change inside it (:meth:`set_moving`): the old level's band cannot vouch for a force on the move.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readouts")
        self.setStyleSheet(f"#readouts {{ background: {PANEL_BG}; }}")
        self.setMinimumWidth(380)
        self.alert = ""
        self.flash = False
        self.watching = False  # a hold's band is watched
        self.moving = False  # the core's state is "moving"

        cap = DIM
        self.force_caption = _label(16, colour=cap)
        self.force_caption.setText("FORCE")
        self.force_box = QFrame()
        self.force_box.setObjectName("forcebox")
        self.force_value = _label(88, bold=True, align=Qt.AlignmentFlag.AlignRight)
        self.force_unit = _label(30, colour=DIM)
        fl = QHBoxLayout(self.force_box)
        fl.setContentsMargins(12, 0, 12, 0)
        fl.addWidget(self.force_value, 1)
        fl.addWidget(self.force_unit, 0, Qt.AlignmentFlag.AlignBottom)

        self.state_value = _label(34, bold=True)
        self.alert_value = _label(40, bold=True, align=Qt.AlignmentFlag.AlignCenter)
        self.alert_value.setMinimumHeight(62)

        self.timer_caption = _label(16, colour=cap)
        self.timer_caption.setText("HOLD")
        self.timer_value = _label(56, bold=True)
        self.goal_value = _label(18, colour=DIM, align=Qt.AlignmentFlag.AlignRight)
        self.bar = HoldBar()

        self.level_value = _label(22)
        self.steady_value = _label(22)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 10, 14, 10)
        lay.setSpacing(4)
        lay.addWidget(self.force_caption)
        lay.addWidget(self.force_box)
        lay.addWidget(self.state_value)
        lay.addWidget(self.alert_value)
        lay.addSpacing(8)
        row = QHBoxLayout()
        row.addWidget(self.timer_caption)
        row.addStretch(1)
        row.addWidget(self.goal_value)
        lay.addLayout(row)
        lay.addWidget(self.timer_value)
        lay.addWidget(self.bar)
        lay.addSpacing(8)
        lay.addWidget(self.level_value)
        lay.addWidget(self.steady_value)
        lay.addStretch(1)
        self._box_style = ""
        self._alert_style = ""
        self.set_alert("", hold=False)

    # ---- alert
    def set_alert(self, direction: str, *, hold: bool) -> None:
        """``direction`` "high"/"low" raises the alert, "" clears it (``hold``: a band is watched)."""
        self.alert = direction
        self.watching = hold
        self.flash = False
        self.setProperty("alert", direction)
        self._show_verdict()
        self._restyle()

    def set_moving(self, moving: bool) -> None:
        """The core's state is (or is no longer) "moving": no in-band verdict meanwhile; an alert
        already shown stays."""
        if moving != self.moving:
            self.moving = moving
            self._show_verdict()
            self._restyle()

    def _show_verdict(self) -> None:
        if self.alert:
            text = ALERT_TEXT[self.alert]
        elif not self.watching:
            text = ""
        else:
            text = "moving" if self.moving else "in band"
        _set_text(self.alert_value, text)

    def toggle_flash(self) -> None:
        if self.alert:
            self.flash = not self.flash
            self._restyle()

    def _restyle(self) -> None:
        if self.alert:
            base, bright = ALERT_COLOURS[self.alert]
            bg = bright if self.flash else base
            box = f"#forcebox {{ background: {bg}; border-radius: 8px; }}"
            alert = f"color: white; background: {bg}; border-radius: 8px;"
        else:
            box = "#forcebox { background: transparent; }"
            colour = {"in band": OK_GREEN, "moving": DIM}.get(self.alert_value.text())
            alert = f"color: {colour}; background: transparent;" if colour else "background: transparent;"
        if box != self._box_style:
            self._box_style = box
            self.force_box.setStyleSheet(box)
        if alert != self._alert_style:
            self._alert_style = alert
            self.alert_value.setStyleSheet(alert)

    # ---- values
    def set_force(self, newtons: float | None, unit: str) -> None:
        if newtons is None:
            _set_text(self.force_value, "—")
        else:
            v = newtons / UNIT_FACTORS[unit]
            _set_text(self.force_value, f"{v:.1f}" if abs(v) < 1000 else f"{v:.0f}")
        _set_text(self.force_unit, unit)

    def set_state(self, text: str) -> None:
        _set_text(self.state_value, text)

    def set_hold(self, hold: OpenHold | None, goal: float, unit: str, last: Hold | None = None) -> None:
        _set_text(self.goal_value, f"goal {goal:g} s")
        f = UNIT_FACTORS[unit]
        if hold is None:
            self.bar.set_state(None, goal)
            if last is not None:
                _set_text(self.timer_value, f"last {last.duration:.1f} s")
                self.timer_value.setStyleSheet(f"color: {DIM}; background: transparent;")
                _set_text(self.level_value, f"level {last.level / f:.1f} {unit}")
                _set_text(self.steady_value, f"CV {100 * last.cv:.1f} %   drift "
                                             f"{_pct(last.drift_per_s, last.level)} %/s")
            else:
                _set_text(self.timer_value, "—")
                _set_text(self.level_value, "")
                _set_text(self.steady_value, "")
            return
        self.timer_value.setStyleSheet(f"color: {TEXT}; background: transparent;")
        _set_text(self.timer_value, f"{hold.held:.1f} s")
        self.bar.set_state(hold.held, goal)
        lo, hi = hold.band
        _set_text(self.level_value, f"level {hold.level / f:.1f}   band {lo / f:.1f}–{hi / f:.1f} {unit}")
        _set_text(self.steady_value,
                  f"CV {100 * hold.cv:.1f} %   drift {_pct(hold.drift_per_s, hold.level)} %/s")


def _pct(per_s: float, level: float) -> str:
    if not level:
        return "—"
    return f"{round(100.0 * per_s / level, 1) + 0.0:+.1f}"  # + 0.0: no "-0.0"


# --------------------------------------------------------------------------------------------------
# hold table
# --------------------------------------------------------------------------------------------------
HEADERS = ("#", "start s", "dur s", "level", "CV %", "in band %", "drift %/s", "ended by")


def hold_row(i: int, h: Hold, unit: str = "N") -> list[str]:
    """The table's cells for finished hold number ``i`` (1-based)."""
    f = UNIT_FACTORS[unit]
    in_band = 100.0 * min(h.time_in_band / h.duration, 1.0) if h.duration > 0 else 100.0
    return [str(i), f"{h.start:.2f}", f"{h.duration:.1f}", f"{h.level / f:.1f}", f"{100 * h.cv:.1f}",
            f"{in_band:.0f}", _pct(h.drift_per_s, h.level), h.ended_by.replace("_", " ")]


def open_row(i: int, h: OpenHold, unit: str = "N") -> list[str]:
    f = UNIT_FACTORS[unit]
    return [str(i), f"{h.start:.2f}", f"{h.held:.1f}", f"{h.level / f:.1f}", f"{100 * h.cv:.1f}",
            f"{100 * h.in_band:.0f}", _pct(h.drift_per_s, h.level), "holding…"]


class HoldTable(QTableWidget):
    """One row per hold: the core's finished holds, then the open hold (italic) updating live."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.holds: list[Hold] = []
        self.open: OpenHold | None = None
        self.unit = "N"
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.setFont(_font(17))
        self.horizontalHeader().setFont(_font(15, bold=True))
        self.verticalHeader().setDefaultSectionSize(28)
        self.setStyleSheet(f"QTableWidget {{ background: {PANEL_BG}; color: {TEXT}; "
                           f"gridline-color: #333a42; }} QHeaderView::section {{ background: #22272e; "
                           f"color: {DIM}; border: none; padding: 4px; }}")
        self._set_headers()

    def _set_headers(self) -> None:
        labels = list(HEADERS)
        labels[3] = f"level {self.unit}"
        self.setHorizontalHeaderLabels(labels)

    def set_unit(self, unit: str) -> None:
        self.unit = unit
        self._set_headers()
        self._refill()

    def set_holds(self, holds: Sequence[Hold]) -> None:
        self.holds = list(holds)
        self._refill()

    def set_open(self, hold: OpenHold | None) -> None:
        if hold is None and self.open is None:
            return
        self.open = hold
        n = len(self.holds)
        if hold is None:
            if self.rowCount() > n:
                self.setRowCount(n)
            return
        if self.rowCount() != n + 1:
            self.setRowCount(n + 1)
        self._fill_row(n, open_row(n + 1, hold, self.unit), italic=True)
        self.scrollToBottom()

    def _refill(self) -> None:
        self.setRowCount(len(self.holds))
        for i, h in enumerate(self.holds):
            self._fill_row(i, hold_row(i + 1, h, self.unit))
        if self.open is not None:
            self.set_open(self.open)
        self.scrollToBottom()

    def _fill_row(self, r: int, cells: list[str], italic: bool = False) -> None:
        for c, text in enumerate(cells):
            item = self.item(r, c)
            if item is None:
                item = QTableWidgetItem()
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.setItem(r, c, item)
            if item.text() != text:
                item.setText(text)
            font = item.font()
            if font.italic() != italic:
                font.setItalic(italic)
                item.setFont(font)
            item.setForeground(QBrush(QColor(DIM if italic else TEXT)))

    def rows_text(self) -> list[list[str]]:
        """Every row's cells as shown (for tests and the summary)."""
        def text(r: int, c: int) -> str:
            item = self.item(r, c)
            return item.text() if item is not None else ""

        return [[text(r, c) for c in range(self.columnCount())] for r in range(self.rowCount())]
