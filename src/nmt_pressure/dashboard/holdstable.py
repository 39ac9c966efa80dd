"""The holds table: one row per hold, the core's finished holds then the open one; it owns its columns.

Times are session seconds (from the session's first sample), the time base of the frozen plot and
of a replay's position; the device time is in each start cell's tooltip. Clicking a row shows that
hold on the plot. The table keeps its visible rows whole: its height is a whole number of rows, so
following the newest row never leaves the top one half under the header (a per-item scroll at its
end aligns the last row to the bottom edge, which pushed the first visible row under the header).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.core.events import Hold
from nmt_pressure.dashboard.model import OpenHold, band_of
from nmt_pressure.dashboard.style import (
    DIM,
    PANEL_BG,
    TEXT,
    UNIT_DECIMALS,
    UNIT_FACTORS,
    drift_pct,
    fmt_force,
    font_px,
)
from nmt_pressure.dashboard.viewmodel import ViewModel

HEADERS = ("#", "start s", "dur s", "level", "band", "mean", "SD", "CV %", "in band %", "exits",
           "markers", "drift %/s", "ended by")
#: Headers as shown where the name above is too wide for a 1024 px window (the tooltips say it all).
SHOWN = {"in band %": "in band"}
#: Each column's header tooltip: what it counts, in which time base or unit.
HEADER_TIPS = {
    "start s": "session seconds (from the session's first sample); the device time is in the cell's tooltip",
    "band": "the hold's alert band: the fixed target ± tolerance, or its own level ± tolerance",
    "mean": "mean of the low-passed force over the hold",
    "SD": "standard deviation of the low-passed force over the hold",
    "in band %": "share of the hold inside its band; ⚠ marks a hold never in its band",
    "exits": "band exits (excursions) in this hold, as the core counted them",
    "markers": "markers (“too much”) set during this hold",
}
#: Rows the table always shows whole, whatever the window's size.
MIN_ROWS = 4
ROW_PX = 28
#: A hold never in its band: marked by a sign and a word, and its colour as a second cue only.
NEVER_MARK = "⚠ "
NEVER_TEXT = "#ffb74d"


def col(name: str) -> int:
    """A column's index by its header (tests and callers need not count)."""
    return HEADERS.index(name)


def _in_band_text(share: float) -> str:
    pct = 100.0 * min(max(share, 0.0), 1.0)
    return f"{NEVER_MARK}0" if round(pct) == 0 else f"{pct:.0f}"


def _band_text(band: tuple[float, float] | None, unit: str) -> str:
    return "—" if band is None else f"{fmt_force(band[0], unit)}–{fmt_force(band[1], unit)}"


def _sd_text(sd_n: float, unit: str) -> str:
    # one decimal more than the force: an SD is a tenth of the level or less
    return f"{sd_n / UNIT_FACTORS[unit]:.{UNIT_DECIMALS[unit] + 1}f}"


def hold_row(i: int, h: Hold, unit: str = "N", *, t0: float = 0.0, band: tuple[float, float] | None = None,
             exits: int = 0, markers: int = 0) -> list[str]:
    """The table's cells for finished hold number ``i`` (1-based); ``t0`` is the session's origin
    (device time), ``band`` the hold's band in newtons, ``exits`` and ``markers`` its counts."""
    # Levels with the readouts' decimals: one decimal of kg is ~1 N, coarser than a band's edge.
    share = min(h.time_in_band / h.duration, 1.0) if h.duration > 0 else 1.0
    return [str(i), f"{h.start - t0:.2f}", f"{h.duration:.1f}", fmt_force(h.level, unit),
            _band_text(band, unit), fmt_force(h.mean, unit), _sd_text(h.sd, unit), f"{100 * h.cv:.1f}",
            _in_band_text(share), str(exits), str(markers), drift_pct(h.drift_per_s, h.level),
            h.ended_by.replace("_", " ")]


def open_row(i: int, h: OpenHold, unit: str = "N", *, t0: float = 0.0, exits: int = 0,
             markers: int = 0) -> list[str]:
    return [str(i), f"{h.start - t0:.2f}", f"{h.held:.1f}", fmt_force(h.level, unit),
            _band_text(h.band, unit), fmt_force(h.mean, unit), _sd_text(h.sd, unit), f"{100 * h.cv:.1f}",
            _in_band_text(h.in_band), str(exits), str(markers), drift_pct(h.drift_per_s, h.level), "holding…"]


class HoldPanel(QWidget):
    """The table's place in the window: the table inside it is always a whole number of rows high
    (at least :data:`MIN_ROWS`); what is left over below stays empty."""

    def __init__(self, table: HoldTable) -> None:
        super().__init__()
        self.table = table
        table.setParent(self)
        self.setStyleSheet(f"background: {PANEL_BG};")
        self.setMinimumHeight(table.height_for(MIN_ROWS))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        t = self.table
        rows = max(MIN_ROWS, t.rows_fitting(self.height()))
        t.setGeometry(0, 0, self.width(), t.height_for(rows))
        t.follow()


class HoldTable(QTableWidget):
    """One row per hold: the core's finished holds, then the open hold (italic) updating live."""

    #: A row was clicked: that hold's (start, end) in device time, for the plot to show.
    hold_clicked = Signal(float, float)

    def __init__(self, vm: ViewModel | None = None, parent: QWidget | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.vm = vm if vm is not None else ViewModel()
        self.cfg = DetectorConfig()
        self.holds: list[Hold] = []
        self.open: OpenHold | None = None
        self.unit = "N"
        self._counts: tuple[int, int] = (0, 0)  # events and markers seen when the rows were filled
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # Thirteen columns must fit 1024 px without eliding a band: a size smaller than the readouts'.
        self.setFont(font_px(15))
        self.horizontalHeader().setFont(font_px(13, bold=True))
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        vh = self.verticalHeader()
        vh.setDefaultSectionSize(ROW_PX)
        vh.setMinimumSectionSize(ROW_PX)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # rows of one height: whole rows fit
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("click a hold to show it on the plot (End: back to live)")
        self.cellClicked.connect(self._clicked)
        #: Following the newest row; a researcher who scrolled up to read stays where they are.
        self._pinned = True
        self.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.setStyleSheet(f"QTableWidget {{ background: {PANEL_BG}; color: {TEXT}; "
                           f"gridline-color: #333a42; }} QHeaderView::section {{ background: #22272e; "
                           f"color: {DIM}; border: none; padding: 4px; }}")
        self._set_headers()
        #: The widget the window lays out (it keeps this table a whole number of rows high).
        self.panel = HoldPanel(self)

    def _set_headers(self) -> None:
        labels = [SHOWN.get(h, h) for h in HEADERS]
        labels[3] = f"level {self.unit}"
        labels[4] = f"band {self.unit}"
        self.setHorizontalHeaderLabels(labels)
        for c, name in enumerate(HEADERS):
            item = self.horizontalHeaderItem(c)
            if item is not None and name in HEADER_TIPS:
                item.setToolTip(HEADER_TIPS[name])

    # ---- whole rows
    def height_for(self, rows: int) -> int:
        """The table's height showing ``rows`` whole rows under its header."""
        return self.horizontalHeader().sizeHint().height() + rows * ROW_PX + 2 * self.frameWidth()

    def rows_fitting(self, height: int) -> int:
        return max(0, (height - self.height_for(0)) // ROW_PX)

    def visible_rows(self) -> int:
        """Rows shown whole in the viewport now."""
        vp = self.viewport().rect()
        return sum(1 for r in range(self.rowCount())
                   if vp.contains(self.visualRect(self.model().index(r, 0)).adjusted(1, 1, -1, -1)))

    def _scrolled(self, value: int) -> None:
        self._pinned = value >= self.verticalScrollBar().maximum()

    def follow(self) -> None:
        """Keep the newest row in view unless scrolled up (the viewport is whole rows: the top row
        stays whole too)."""
        if self._pinned:
            self.scrollToBottom()

    def _clicked(self, row: int, _col: int) -> None:
        if row < len(self.holds):
            h = self.holds[row]
            self.hold_clicked.emit(h.start, h.end)
        elif self.open is not None:
            self.hold_clicked.emit(self.open.start, self.open.t_now)

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
            counts = (len(vm.events_seen), len(vm.markers_seen))
            if counts != self._counts:  # an exit or a marker came after its hold's row was filled
                self._refill()
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

    def reset_rows(self, cfg: DetectorConfig | None = None) -> None:
        """No rows: a new session starts (with ``cfg``'s band)."""
        if cfg is not None:
            self.cfg = cfg
        self.open = None
        self._pinned = True
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
        # Up to now, not to the hold's statistics time: those trail real time (the core's STATS_LAG),
        # and an exit the plot already marks must be counted in the row beside it.
        vm, end = self.vm, float("inf")
        self._fill_row(n, open_row(n + 1, hold, self.unit, t0=self._t0(), exits=vm.exits_in(hold.start, end),
                                   markers=vm.markers_in(hold.start, end)), italic=True)
        self.follow()

    def _t0(self) -> float:
        return self.vm.t0 if self.vm.t0 is not None else 0.0

    def row_cells(self, i: int, h: Hold) -> list[str]:
        """Finished hold ``h``'s cells (row ``i``, 0-based) as this table shows them."""
        vm = self.vm
        return hold_row(i + 1, h, self.unit, t0=self._t0(), band=band_of(self.cfg, h.level),
                        exits=vm.exits_in(h.start, h.end), markers=vm.markers_in(h.start, h.end))

    def _refill(self) -> None:
        self._counts = (len(self.vm.events_seen), len(self.vm.markers_seen))
        self.setRowCount(len(self.holds))
        for i, h in enumerate(self.holds):
            self._fill_row(i, self.row_cells(i, h))
            start = self.item(i, col("start s"))
            if start is not None:
                start.setToolTip(f"device time {h.start:.3f} s; click to show this hold on the plot")
        if self.open is not None:
            self.set_open(self.open)
        self.follow()

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
            never = text.startswith(NEVER_MARK)
            if font.bold() != never:
                font.setBold(never)
                item.setFont(font)
            item.setForeground(QBrush(QColor(NEVER_TEXT if never else DIM if italic else TEXT)))
            item.setToolTip("never in its band: the whole hold was outside it" if never else "")

    def rows_text(self) -> list[list[str]]:
        """Every row's cells as shown (for tests and the summary)."""
        def text(r: int, c: int) -> str:
            item = self.item(r, c)
            return item.text() if item is not None else ""

        return [[text(r, c) for c in range(self.columnCount())] for r in range(self.rowCount())]
