"""Looking back over the session: freeze the plot, scroll and zoom its time axis, and return to live.

Live, the plot's x axis is "seconds before now" and only the data move (the cheap way to draw a
scrolling trace, see :mod:`~nmt_pressure.dashboard.plotview`). Frozen, it is **session seconds** (from
the session's first sample), the time base the holds table and the replay position use too, and it
stays where the researcher put it while the data keep flowing into the ring, the session history and
the recording. A bar on the plot says so ("paused — view frozen") with a Live button to return.

What a frozen view shows comes from the session's whole record, not from the live plot's items
(which keep only the last half minute): the force from the ring at full rate where it still holds the
range, else from the session history's min/max envelope; the core's finished holds (and the open
one) as their bands; the core's steps, releases and "left" ends and the markers as marks. It decides
nothing: every band and mark is one the core or the session said.

Input: the mouse wheel zooms and a drag pans the time axis (pyqtgraph's own view-box handling, x
only); keys F (freeze / live), End (live), Home (the whole session), ←/→ (scroll), +/− (zoom).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QHBoxLayout, QLabel, QPushButton, QWidget

from nmt_pressure.core.events import Hold
from nmt_pressure.dashboard.model import DashListener, band_of
from nmt_pressure.dashboard.plotview import BAND_BRUSH, EVENT_COLOURS, PlotView
from nmt_pressure.dashboard.viewmodel import ViewModel

#: The narrowest and the widest frozen view (s); a hold clicked in the table gets this much around it.
MIN_SPAN = 0.5
HOLD_MARGIN = 0.25  # of the hold's length, at least 1 s each side
#: One arrow key scrolls this share of the view; one +/− zooms by this factor.
SCROLL_STEP = 0.25
ZOOM_STEP = 2.0
LIVE_LABEL = "seconds before now"
FROZEN_LABEL = "session time (s)"
BAR_STYLE = ("QWidget#navbar { background: rgba(13, 15, 18, 215); border: 1px solid #cfd8dc; "
             "border-radius: 4px; } QLabel { color: #eef1f4; font-size: 15px; font-weight: bold; } "
             "QPushButton { font-size: 15px; font-weight: bold; padding: 2px 10px; }")


def clock(seconds: float) -> str:
    """Session seconds as m:ss (h:mm:ss past an hour): how a researcher reads a position."""
    s = max(0, round(seconds))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


class NavBar(QWidget):
    """The frozen view's sign on the plot: what is shown, and the way back to live."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("navbar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(BAR_STYLE)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 3, 4, 3)
        self.label = QLabel("")
        self.live_button = QPushButton("Live ▶ (End)")
        self.live_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.live_button.setToolTip("follow the force again (End); the frozen view is only a view: "
                                    "nothing was lost meanwhile")
        lay.addWidget(self.label)
        lay.addWidget(self.live_button)
        self.hide()

    def say(self, text: str) -> None:
        if self.label.text() != text:
            self.label.setText(text)
            self.adjustSize()


class Navigator(QObject):
    """Live or frozen; frozen, the plot shows ``x_range`` (session seconds) of the whole session."""

    #: Live or frozen, or the frozen range, changed.
    changed = Signal()

    def __init__(self, plot: PlotView, vm: ViewModel,
                 listener_of: Callable[[], DashListener | None]) -> None:
        super().__init__(plot)
        self.plot = plot
        self.vm = vm
        self.listener_of = listener_of
        self.live = True
        self.x_range = (0.0, 0.0)
        self.holds: list[Hold] = []  # the core's finished holds (the table's list)
        self._overlay: list[Any] = []
        self._last_seen: float | None = None  # the newest sample the frozen view's tick saw
        self.bar = NavBar(plot)
        self.bar.move(70, 8)
        self.bar.live_button.clicked.connect(self.go_live)
        vb = plot.plot_item.getViewBox()
        # The wheel and a drag move the time axis only; the force axis stays the plot's to choose.
        vb.setMouseEnabled(x=True, y=False)
        vb.sigRangeChangedManually.connect(self._user_moved)

    # ---- keys
    def install_keys(self, window: QWidget) -> list[QAction]:
        """The navigation keys, as window-wide actions (no toolbar room is taken)."""
        acts = []
        for keys, slot, tip in (
                (("F",), self.toggle, "freeze the plot (the data keep recording) / back to live"),
                (("End",), self.go_live, "back to the live plot"),
                (("Home",), self.whole, "the whole session on the plot"),
                (("Left",), lambda: self.scroll(-SCROLL_STEP), "scroll back in time"),
                (("Right",), lambda: self.scroll(SCROLL_STEP), "scroll on in time"),
                (("+", "="), lambda: self.zoom(1.0 / ZOOM_STEP), "zoom in on time"),
                (("-",), lambda: self.zoom(ZOOM_STEP), "zoom out on time")):
            a = QAction(tip, window)
            a.setShortcuts([QKeySequence(k) for k in keys])
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            a.triggered.connect(slot)
            window.addAction(a)
            acts.append(a)
        return acts

    # ---- the session's clock
    def _origin(self) -> tuple[DashListener, float] | None:
        lis = self.listener_of()
        if lis is None or lis.history.t0 is None:
            return None
        return lis, lis.history.t0

    def now_s(self) -> float | None:
        """The latest sample, in session seconds (None before the first one)."""
        o = self._origin()
        if o is None:
            return None
        lis, t0 = o
        last = lis.history.t_last
        return None if last is None else last - t0

    # ---- what the user asks
    def toggle(self) -> None:
        if self.live:
            self.freeze()
        else:
            self.go_live()

    def freeze(self, x_range: tuple[float, float] | None = None) -> None:
        """Stop following; show ``x_range`` (session seconds; default: what the live plot shows)."""
        o = self._origin()
        if o is None:
            return
        _, t0 = o
        if x_range is None:
            if not self.live:
                return
            drawn = self.plot.t_last if self.plot.t_last is not None else o[0].history.t_last
            end = (drawn or t0) - t0
            x_range = (end - self.plot.window_s, end)
        if self.live:
            self.live = False
            self.plot.plot_item.setLabel("bottom", FROZEN_LABEL)
            self._hide_live_items()
        self.set_range(*x_range)

    def go_live(self) -> None:
        """Follow the force again: the live plot redraws everything on its next tick."""
        if self.live:
            return
        self.live = True
        self._clear_overlay()
        plot = self.plot
        for band in plot.bands:
            band.item.show()
        for mark in plot.annotations:
            mark.line.show()
        plot.plot_item.setLabel("bottom", LIVE_LABEL)
        plot.plot_item.setXRange(-plot.window_s, 0.0, padding=0)
        for curve in (plot.raw_curve, plot.filt_curve):
            curve.setData([], [], connect="all")
        plot.t_last = None  # the next tick draws even if no new sample came (a paused replay)
        self.bar.hide()
        self.changed.emit()

    def whole(self) -> None:
        now = self.now_s()
        if now is not None:
            self.freeze((0.0, max(now, MIN_SPAN)))

    def scroll(self, share: float) -> None:
        if self.live:
            self.freeze()
        if self.live:
            return
        a, b = self.x_range
        d = share * (b - a)
        self.set_range(a + d, b + d)

    def zoom(self, factor: float, centre: float | None = None) -> None:
        if self.live:
            self.freeze()
        if self.live:
            return
        a, b = self.x_range
        c = (a + b) / 2.0 if centre is None else centre
        self.set_range(c - (c - a) * factor, c + (b - c) * factor)

    def show_hold(self, t_from: float, t_to: float) -> None:
        """Show device times ``t_from``..``t_to`` (a hold clicked in the table) with a margin."""
        o = self._origin()
        if o is None:
            return
        t0 = o[1]
        pad = max(1.0, HOLD_MARGIN * (t_to - t_from))
        self.freeze((t_from - t0 - pad, t_to - t0 + pad))

    def reset(self, *_: Any) -> None:
        """A new session: live, and nothing of the old one."""
        self.holds = []
        self.go_live()

    def set_holds(self, holds: list[Hold]) -> None:
        self.holds = list(holds)
        if not self.live:
            self._draw_overlay()

    def _user_moved(self, *_: Any) -> None:
        """The wheel or a drag moved the time axis: freeze there (from live, converting the axis)."""
        (a, b), _y = self.plot.plot_item.getViewBox().viewRange()
        if not self.live:
            self.set_range(a, b)
            return
        o = self._origin()
        if o is None or self.plot.t_last is None:
            self.plot.plot_item.setXRange(-self.plot.window_s, 0.0, padding=0)  # nothing to look at
            return
        shift = self.plot.t_last - o[1]  # live x is seconds before the newest sample drawn
        self.freeze((a + shift, b + shift))

    # ---- the frozen view
    def set_range(self, a: float, b: float) -> None:
        """Show session seconds ``a``..``b`` (kept within the session, at least MIN_SPAN wide)."""
        now = self.now_s() or 0.0
        # At most the whole session (or the live window, early on), never narrower than MIN_SPAN;
        # it may not leave the data: a view wider than the session so far ends at now.
        span = min(max(MIN_SPAN, b - a), max(now * 1.1, self.plot.window_s))
        margin = 0.05 * span
        a = min(max(a, min(-margin, now - span)), now + margin - span)
        b = a + span
        self.x_range = (a, b)
        self.plot.plot_item.setXRange(a, b, padding=0)
        self._draw()
        self.changed.emit()

    def tick(self, t: np.ndarray) -> bool:
        """The redraw tick while frozen: nothing moves; live items the presenter added meanwhile stay
        hidden; the bar's "of" follows the session. True if a new sample came (the readouts update)."""
        self._hide_live_items()
        self._say()
        if t.size == 0:
            return False
        new = self._last_seen != float(t[-1])
        self._last_seen = float(t[-1])
        return new

    def _hide_live_items(self) -> None:
        for band in self.plot.bands:
            if band.item.isVisible():
                band.item.hide()
        for mark in self.plot.annotations:
            if mark.line.isVisible():
                mark.line.hide()

    def _say(self) -> None:
        a, b = self.x_range
        now = self.now_s() or 0.0
        self.bar.say(f"paused — view frozen · {clock(max(a, 0.0))}–{clock(min(b, now))} of {clock(now)}")
        if not self.bar.isVisible():
            self.bar.show()
            self.bar.raise_()

    def _draw(self) -> None:
        o = self._origin()
        if o is None:
            return
        lis, t0 = o
        a, b = self.x_range
        t_from, t_to = t0 + a, t0 + b
        t, raw, filt = lis.ring.latest(max(lis.ring.last_t or t_to, t_to) - t_from + 0.1)
        plot = self.plot
        if t.size and t[0] <= max(t_from, t0):
            # the ring still holds this range (or the whole session so far): every sample
            i0, i1 = np.searchsorted(t, [t_from, t_to])
            i0, i1 = max(0, int(i0) - 1), min(t.size, int(i1) + 1)
            x = t[i0:i1] - t0
            plot.raw_curve.setData(x, raw[i0:i1], connect="all")
            plot.filt_curve.setData(x, filt[i0:i1], connect="all")
            top = float(raw[i0:i1].max()) if i1 > i0 else 0.0
        else:
            # older: the envelope (each bucket's min and max; empty buckets are gaps)
            te, raw_env = lis.history.envelope(t_from, t_to, filtered=False)
            tf, filt_env = lis.history.envelope(t_from, t_to, filtered=True)
            plot.raw_curve.setData(te - t0, raw_env, connect="finite")
            plot.filt_curve.setData(tf - t0, filt_env, connect="finite")
            top = float(np.nanmax(raw_env)) if raw_env.size and not np.all(np.isnan(raw_env)) else 0.0
        self._draw_overlay()
        plot.show_force_top(top)
        self._say()

    # ---- the session's bands and marks, for the frozen range
    def _clear_overlay(self) -> None:
        for item in self._overlay:
            self.plot.plot_item.removeItem(item)
        self._overlay = []

    def _draw_overlay(self) -> None:
        self._clear_overlay()
        o = self._origin()
        if o is None:
            return
        lis, t0 = o
        a, b = self.x_range
        spans: list[tuple[float, float, float]] = [(h.start, h.end, h.level) for h in self.holds]
        oh = self.vm.open_hold
        if oh is not None and not any(h.confirmed == oh.confirmed for h in self.holds):
            spans.append((oh.start, oh.t_now, oh.level))
        for start, end, level in spans:
            if end - t0 < a or start - t0 > b:
                continue
            lo, hi = band_of(lis.cfg, level)
            item = QGraphicsRectItem(QRectF(start - t0, lo, max(0.0, end - start), hi - lo))
            item.setPen(QPen(QColor(*BAND_BRUSH[:3]), 0))
            item.setBrush(QBrush(QColor(*BAND_BRUSH)))
            item.setZValue(-10)
            self.plot.plot_item.addItem(item, ignoreBounds=True)
            self._overlay.append(item)
        marks: list[tuple[float, str, str]] = []
        for e in self.vm.events_seen:
            if e.kind in ("step", "release"):
                arrow = {"up": " ↑", "down": " ↓"}.get(e.direction or "", "")
                marks.append((e.t, e.kind, f"{e.kind}{arrow}"))
        marks += [(h.end, "left", "left") for h in self.holds if h.ended_by == "left"]
        marks += [(t, "marker", "marker") for t in self.vm.markers_seen]
        for t, kind, text in marks:
            if not a <= t - t0 <= b:
                continue
            colour = EVENT_COLOURS[kind]
            line = pg.InfiniteLine(pos=t - t0, angle=90, movable=False,
                                   pen=pg.mkPen(colour, width=2, style=Qt.PenStyle.DashLine),
                                   # below the bar that says the view is frozen
                                   label=text, labelOpts={"position": 0.86, "color": colour,
                                                          "fill": (13, 15, 18, 200), "movable": False})
            self.plot.plot_item.addItem(line, ignoreBounds=True)
            self._overlay.append(line)
