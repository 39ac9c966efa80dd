"""The holds table: one row per hold, the core's finished holds then the open one; it owns its columns."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from nmt_pressure.core.events import Hold
from nmt_pressure.dashboard.model import OpenHold
from nmt_pressure.dashboard.style import DIM, PANEL_BG, TEXT, UNIT_FACTORS, drift_pct, font_px
from nmt_pressure.dashboard.viewmodel import ViewModel

HEADERS = ("#", "start s", "dur s", "level", "CV %", "in band %", "drift %/s", "ended by")


def hold_row(i: int, h: Hold, unit: str = "N") -> list[str]:
    """The table's cells for finished hold number ``i`` (1-based)."""
    f = UNIT_FACTORS[unit]
    in_band = 100.0 * min(h.time_in_band / h.duration, 1.0) if h.duration > 0 else 100.0
    return [str(i), f"{h.start:.2f}", f"{h.duration:.1f}", f"{h.level / f:.1f}", f"{100 * h.cv:.1f}",
            f"{in_band:.0f}", drift_pct(h.drift_per_s, h.level), h.ended_by.replace("_", " ")]


def open_row(i: int, h: OpenHold, unit: str = "N") -> list[str]:
    f = UNIT_FACTORS[unit]
    return [str(i), f"{h.start:.2f}", f"{h.held:.1f}", f"{h.level / f:.1f}", f"{100 * h.cv:.1f}",
            f"{100 * h.in_band:.0f}", drift_pct(h.drift_per_s, h.level), "holding…"]


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
        self.setFont(font_px(17))
        self.horizontalHeader().setFont(font_px(15, bold=True))
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

    def show_view(self, vm: ViewModel) -> None:
        """The open hold's row as the view-model says. Without a session the table keeps what it
        shows (the last session's rows stay readable until the next one starts)."""
        if vm.has_session:
            self.set_open(vm.open_hold)
            if vm.drill is not None and self.open is not None:
                self._drill_owns_band()

    def _drill_owns_band(self) -> None:
        """While a drill runs, its band and score card judge the open hold: the hold's own in-band
        share would contradict them (100 % here, 0 on the card), so the cell defers to the drill."""
        col = next((c for c, h in enumerate(HEADERS) if h.startswith("in band")), None)
        item = self.item(self.rowCount() - 1, col) if col is not None else None
        if item is not None and item.text() != "drill":
            item.setText("drill")
            item.setToolTip("a drill is running: its own band and score card say how much was in band")

    def hold_over(self, _t_end: float) -> None:
        """The hold being watched ended: its open row goes (the core's list brings its final row)."""
        self.set_open(None)

    def reset_rows(self) -> None:
        """No rows: a new session starts."""
        self.open = None
        self.set_holds([])

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
