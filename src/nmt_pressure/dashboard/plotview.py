"""The plot view: the scrolling force traces, the band items and their colouring, the event marks.

It owns every plot item (curves, grid lines, hold bands, the fixed and the drill band, annotations)
and draws what it is told: bands start and end on the controller's word, the open band's fill follows
the alert the controller raised (that band only), a finished band keeps the result the presenter gave
it, band exits are marked, and the redraw tick hands it the ring's latest samples. Fills never overlap:
the fixed band is an outline, and while a drill shows its band the holds' bands give way. Bands and
marks live in device time; the x axis is time before now and never moves: only the data and items shift.
"""

from __future__ import annotations

import dataclasses
import time
from collections import deque

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.dashboard.decimate import ColumnCache
from nmt_pressure.dashboard.model import band_of
from nmt_pressure.dashboard.style import ALERT_COLOURS, FORCE_YELLOW, OK_GREEN, UNIT_FACTORS, fmt_force

#: Annotations kept at most (older ones scroll out of the window long before).
MAX_ANNOTATIONS = 200
#: Pixel columns per decimated column: each column is drawn as its min and max (2 points a column).
PIXELS_PER_COLUMN = 1.0
PLOT_BG = "#0d0f12"
GRID_PEN = "#262c33"
#: The force axis shrinks after the force stayed well below its top this long (s).
Y_SHRINK_S = 3.0
AXIS_TEXT = "#cfd8dc"
RAW_PEN = "#59636d"  # opaque: blending a translucent line costs more than drawing it
FILT_PEN = FORCE_YELLOW
BAND_BRUSH = (46, 160, 67, 70)
#: A finished hold's band, by its result: kept its band, left it high or low, or no exit seen.
RESULT_ALPHA = 80
NO_RESULT = (120, 130, 140, 55)
#: Plot marks: the step and release events, a hold that ended "left" (no event: its Hold tells) and markers.
EVENT_COLOURS = {"step": "#64b5f6", "release": "#b0bec5", "left": "#ffb74d", "marker": "#f06292"}
#: A drill phase's band: blue dashed edges (not the core's green hold band), filled by where the force
#: is: neutral on the way, green in the band, the alert colours above or below it.
DRILL_EDGE = "#64b5f6"
DRILL_NEUTRAL = (100, 181, 246, 45)


@dataclasses.dataclass
class Band:
    """A hold's band on the plot, in device time (``t_end`` None while the hold is open)."""

    item: QGraphicsRectItem
    t0: float
    t_end: float | None
    lo: float
    hi: float
    verdict: str | None = None  # the finished hold's result ("in", "high", "low", ""), once known


@dataclasses.dataclass
class Mark:
    """An event's vertical line, at device time ``t``."""

    line: pg.InfiniteLine
    t: float


class PaintCounter(QObject):
    """Counts the plot's real repaints (what "fps" means here), not the timer's ticks, and notes when
    the first one with data came (start-up time as a user sees it)."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self.has_data = False  # set by the first draw with samples
        self.first_data_paint: float | None = None  # time.monotonic() of the first paint with data

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
            if self.has_data and self.first_data_paint is None:
                self.first_data_paint = time.monotonic()
        return False


class PlotView(pg.PlotWidget):
    """The force plot over the last ``window_s`` seconds."""

    def __init__(self, window_s: float, unit: str) -> None:
        pg.setConfigOptions(antialias=False, background=PLOT_BG, foreground="#cfd8dc")
        super().__init__()
        self.window_s = window_s
        self.unit = unit
        self.cfg = DetectorConfig()
        self.bands: deque[Band] = deque()
        self.open_band: Band | None = None
        self.annotations: deque[Mark] = deque()
        self.exits: deque[Mark] = deque()  # the core's band exits, on the band's edge
        self.t_last: float | None = None  # device time of the newest sample drawn
        self._y_top = 20.0
        self._low_since: float | None = None
        self._grid_height: float | None = None
        self.paints = PaintCounter()

        pi = self.getPlotItem()
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
        # Bare curve items fed with points already decimated to the pixel columns (decimate.py):
        # pyqtgraph's own data item would clip, downsample and check every frame in Python again.
        self.raw_curve = pg.PlotCurveItem(pen=pg.mkPen(RAW_PEN, width=1), skipFiniteCheck=True)
        self.filt_curve = pg.PlotCurveItem(pen=pg.mkPen(FILT_PEN, width=3), skipFiniteCheck=True)
        for c in (self.raw_curve, self.filt_curve):
            pi.addItem(c)
        self.columns_drawn = 0  # pixel columns of the last frame (for tests and the curious)
        self._cols = ColumnCache(traces=2)  # raw and filtered, decimated, kept between frames
        # The fixed band (target ± tolerance) is the goal, drawn as an outline: a fill under every
        # hold's own band would mix into colours that mean nothing.
        self.fixed_band = pg.LinearRegionItem(values=(0, 1), orientation="horizontal", movable=False,
                                              brush=pg.mkBrush(None), pen=pg.mkPen(None))
        self.fixed_band.setZValue(-5)
        for line in self.fixed_band.lines:
            line.setPen(pg.mkPen(OK_GREEN, width=2))
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
        self.viewport().installEventFilter(self.paints)
        self.update_grid()

    # ---- settings
    def set_unit(self, unit: str) -> None:
        self.unit = unit
        self._set_axis_unit()
        self.update_grid()

    def _set_axis_unit(self) -> None:
        ax = self.plot_item.getAxis("left")
        ax.setScale(1.0 / UNIT_FACTORS[self.unit])  # data stay in newtons; the ticks speak the unit
        ax.setLabel(f"force ({self.unit})", color=AXIS_TEXT, **{"font-size": "15px"})

    # ---- a new session
    def reset(self, cfg: DetectorConfig) -> None:
        """Nothing of the previous session; the fixed band of ``cfg`` (if it has a target)."""
        self.cfg = cfg
        for band in self.bands:
            self.plot_item.removeItem(band.item)
        self.bands.clear()
        self.open_band = None
        for mark in (*self.annotations, *self.exits):
            self.plot_item.removeItem(mark.line)
        self.annotations.clear()
        self.exits.clear()
        self.raw_curve.setData([], [])
        self.filt_curve.setData([], [])
        self._cols.clear(0.0)
        self.t_last = None
        if cfg.target is not None:
            lo, hi = band_of(cfg, cfg.target)
            self.fixed_band.setRegion((lo, hi))
            self.fixed_band.show()
            self._set_y(max(self._y_top, hi * 1.25))
        else:
            self.fixed_band.hide()

    # ---- hold bands and their colour
    def start_band(self, t0: float, lo: float, hi: float) -> None:
        """A hold's band from ``t0`` on (the open band until :meth:`end_band`)."""
        item = QGraphicsRectItem(QRectF(0.0, lo, 0.0, hi - lo))
        item.setPen(QPen(Qt.PenStyle.NoPen))
        item.setBrush(self._band_brush("", False))
        item.setZValue(-10)
        item.setVisible(not self.drill_band.isVisible())  # a drill's band is the only one meanwhile
        self.plot_item.addItem(item, ignoreBounds=True)
        band = Band(item, t0, None, lo, hi)
        self.open_band = band
        self.bands.append(band)
        if self.t_last is not None:
            self._place(band, self.t_last)

    def move_band(self, lo: float, hi: float) -> None:
        """The open band's edges are now ``lo`` .. ``hi`` (the core's settled level, refined after
        the hold was confirmed)."""
        band = self.open_band
        if band is None:
            return
        band.lo, band.hi = lo, hi
        if self.t_last is not None:
            self._place(band, self.t_last)

    def end_band(self, t_end: float) -> None:
        """The open band (if any) ends at ``t_end``."""
        band = self.open_band
        if band is None:
            return
        band.t_end = max(t_end, band.t0)
        band.item.setBrush(self._result_brush(band.verdict))  # its result, or neutral until it comes
        self.open_band = None
        if self.t_last is not None:
            self._place(band, self.t_last)

    @staticmethod
    def _band_brush(direction: str, bright: bool) -> QBrush:
        if not direction:
            return QBrush(QColor(*BAND_BRUSH))
        c = QColor(ALERT_COLOURS[direction][1 if bright else 0])
        c.setAlpha(150 if bright else 95)
        return QBrush(c)

    @staticmethod
    def _result_brush(verdict: str | None) -> QBrush:
        if verdict == "in":
            return QBrush(QColor(*BAND_BRUSH[:3], RESULT_ALPHA))
        if verdict in ALERT_COLOURS:
            c = QColor(ALERT_COLOURS[verdict][0])
            c.setAlpha(RESULT_ALPHA)
            return QBrush(c)
        return QBrush(QColor(*NO_RESULT))

    def colour_band(self, direction: str, bright: bool) -> None:
        """Fill the open band (the current hold's only: earlier holds keep their own result) with
        the alert's colour, or green for ``""``."""
        if self.open_band is not None:
            self.open_band.item.setBrush(self._band_brush(direction, bright))

    def score_band(self, onset: float, end: float, verdict: str) -> None:
        """A finished hold's result (the presenter's): its band keeps that colour for good. The band
        is the one confirmed within the hold (``onset`` to ``end``)."""
        for band in reversed(self.bands):
            if onset - 1e-9 <= band.t0 <= end + 1.0 and band.verdict is None:
                band.verdict = verdict
                if band is not self.open_band:
                    band.item.setBrush(self._result_brush(verdict))
                return

    def result_colours(self) -> list[tuple[float, str | None, QColor]]:
        """Each band's onset, result and fill colour, oldest first (what the plot shows)."""
        return [(b.t0, b.verdict, b.item.brush().color()) for b in self.bands]

    def mark_exit(self, t: float, direction: str) -> None:
        """The core's band exit at device time ``t``: a short line in the alert's colour."""
        colour = ALERT_COLOURS.get(direction, ALERT_COLOURS["high"])[1]
        self._mark(self.exits, t, colour, Qt.PenStyle.DotLine, "▲ out" if direction == "high" else "▼ out",
                   position=0.86, px=14)

    @property
    def band_colour(self) -> QColor | None:
        """The open band's fill colour (None when no hold is being watched)."""
        return self.open_band.item.brush().color() if self.open_band is not None else None

    def set_drill_band(self, band: tuple[float, float] | None, state: str = "") -> None:
        """Show the drill phase's band (None hides it), filled by where the force is: ``in``,
        ``high``, ``low``, or neutral for ``""`` (nothing to say yet) and ``moving`` (the core is
        classifying a change inside the hold: no in-band colour meanwhile)."""
        if band is None:
            self.drill_band.hide()
            self.drill_band_state = ""
            self._show_hold_bands(True)
            return
        lo, hi = band
        if not self.drill_band.isVisible():
            self.drill_band.show()
            self._show_hold_bands(False)  # one band on screen while a drill runs: the drill's
            self._set_y(max(self._y_top, hi * 1.25))
        if self.drill_band.getRegion() != (lo, hi):
            self.drill_band.setRegion((lo, hi))
        # after show(): pyqtgraph's line label leaves its text alone while it is hidden
        u = self.unit
        self.drill_band_label.setFormat(f"drill {fmt_force(lo, u)}–{fmt_force(hi, u)} {u}")
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

    def _show_hold_bands(self, on: bool) -> None:
        for b in self.bands:
            b.item.setVisible(on)

    def visible_bands(self) -> list[tuple[float, float]]:
        """The bands drawn now (hold bands and the drill's; the fixed band is an outline), in newtons."""
        out = [(b.lo, b.hi) for b in self.bands if b.item.isVisible()]
        if self.drill_band.isVisible():
            out.append(tuple(self.drill_band.getRegion()))  # type: ignore[arg-type]
        return out

    # ---- event marks
    @staticmethod
    def _place(band: Band, t_last: float) -> None:
        end = band.t_end if band.t_end is not None else t_last
        band.item.setRect(QRectF(band.t0 - t_last, band.lo, max(0.0, end - band.t0), band.hi - band.lo))

    def annotate(self, t: float, kind: str, text: str) -> None:
        """A dashed vertical line labelled ``text`` at device time ``t``, coloured by ``kind``."""
        self._mark(self.annotations, t, EVENT_COLOURS[kind], Qt.PenStyle.DashLine, text, position=0.94, px=16)

    def _mark(self, into: deque[Mark], t: float, colour: str, style: Qt.PenStyle, text: str, *,
              position: float, px: int) -> None:
        """A vertical line at device time ``t`` with a bold label ``px`` high at ``position`` of its
        height, kept in ``into`` (the oldest dropped beyond MAX_ANNOTATIONS)."""
        x = t - self.t_last if self.t_last is not None else 0.0
        line = pg.InfiniteLine(pos=x, angle=90, movable=False, pen=pg.mkPen(colour, width=2, style=style),
                               label=text, labelOpts={"position": position, "color": colour,
                                                      "fill": (13, 15, 18, 200), "movable": False})
        font = self.font()
        font.setPixelSize(px)
        font.setBold(True)
        line.label.setFont(font)
        self.plot_item.addItem(line, ignoreBounds=True)
        into.append(Mark(line, t))
        while len(into) > MAX_ANNOTATIONS:
            self.plot_item.removeItem(into.popleft().line)

    def _scroll_items(self, t_last: float) -> None:
        """Bands and annotations live in device time; the plot's x is time before now."""
        x0 = t_last - self.window_s - 1.0
        while self.annotations and self.annotations[0].t < x0:
            self.plot_item.removeItem(self.annotations.popleft().line)
        while self.exits and self.exits[0].t < x0:
            self.plot_item.removeItem(self.exits.popleft().line)
        for mark in self.exits:
            mark.line.setValue(mark.t - t_last)
        while self.bands and self.bands[0].t_end is not None and self.bands[0].t_end < x0:
            self.plot_item.removeItem(self.bands.popleft().item)
        for band in self.bands:
            self._place(band, t_last)
        for mark in self.annotations:
            mark.line.setValue(mark.t - t_last)

    # ---- the redraw tick
    def drawn_until(self) -> float | None:
        """Device time of the newest sample drawn, or None when the next frame needs the whole window
        (a new session, a new plot width): the redraw then hands :meth:`draw` only what is newer."""
        cols = self._cols
        return cols.t_end if cols.t_end is not None and cols.dt == self.column_s() else None

    def draw(self, t: np.ndarray, raw: np.ndarray, filt: np.ndarray) -> bool:
        """Show the latest samples (device time, raw and filtered newtons): the whole window, or only
        those after :meth:`drawn_until`. False if nothing is new (a paused replay, a silent device):
        then nothing is repainted."""
        if t.size == 0:
            return False
        t_last = float(t[-1])
        if t_last == self.t_last:
            return False
        self.t_last = t_last
        self.paints.has_data = True
        # The x axis is time before now and never moves: only the data do, so the axes are not
        # redrawn and the view paints once per frame (a moving range costs two paints and new ticks).
        dt = self.column_s()
        cols = self._cols
        cols.update(t, (raw, filt), dt, t_last - self.window_s - 0.5)
        self.columns_drawn = int(cols.col.size)
        for k, curve in enumerate((self.raw_curve, self.filt_curve)):
            x, y = cols.points(k)
            # the newest column is still filling: drawn at "now", not half a column in the future
            # connect named: a frozen view's envelope may have left the curve on "finite"
            curve.setData(np.minimum(x - t_last, 0.0), y, connect="all")
        self._scroll_items(t_last)
        self._rescale_y(float(cols.hi[0].max()), t_last)
        return True

    def recent_span(self, seconds: float) -> float:
        """How far the filtered force ranged over the last ``seconds`` drawn (N)."""
        return self._cols.span_since(1, self.t_last - seconds) if self.t_last is not None else 0.0

    def column_s(self) -> float:
        """Device seconds per decimated column: the window over the plot's width in pixels."""
        width = max(float(self.plot_item.getViewBox().width()), 100.0)
        return self.window_s * PIXELS_PER_COLUMN / width

    def _rescale_y(self, top: float, t_last: float) -> None:
        """Grow the force axis at once to show ``top`` (the window's highest raw force); shrink it only
        after the force stayed low for a while (a range that changes is a frame with new ticks, so it
        changes seldom)."""
        cfg = self.cfg
        if self.open_band is not None:
            top = max(top, self.open_band.hi)
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

    def show_force_top(self, top: float) -> None:
        """A frozen view's force axis (navigation): room for ``top`` newtons and the fixed and drill
        bands, set at once (a frozen view changes only when the researcher moves it)."""
        if self.fixed_band.isVisible():
            top = max(top, self.fixed_band.getRegion()[1])
        if self.drill_band.isVisible():
            top = max(top, self.drill_band.getRegion()[1])
        self._set_y(max(10.0, top * 1.15) * 1.05)

    def _set_y(self, top: float) -> None:
        self._y_top = top
        self.plot_item.setYRange(-0.03 * top, top, padding=0)
        self.update_grid()

    def update_grid(self) -> None:
        """Grid lines at the left axis's ticks (again after a resize: the axis chose other ticks)."""
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

    def check_resize(self) -> None:
        """Redo the grid if the window was resized since (the status timer asks, twice a second)."""
        if self.plot_item.getAxis("left").height() != self._grid_height:
            self.update_grid()
