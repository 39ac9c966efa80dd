"""The readout panel: force, state, verdict, hold timer and the open hold's steadiness, in large type.

It shows what the view-model says (:meth:`ReadoutPanel.show_view`) and the alert the controller raised
(:meth:`ReadoutPanel.set_alert`); it decides nothing about holds or alerts itself.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from nmt_pressure.core.events import Hold
from nmt_pressure.dashboard.model import OpenHold
from nmt_pressure.dashboard.style import (
    ALERT_COLOURS,
    ALERT_TEXT,
    DIM,
    OK_GREEN,
    PANEL_BG,
    TEXT,
    TIMER_MARKS,
    UNIT_FACTORS,
    drift_pct,
    font_px,
    label,
    set_text,
)
from nmt_pressure.dashboard.viewmodel import ViewModel


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
        p.setFont(font_px(12))
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
        self.force_caption = label(16, colour=cap)
        self.force_caption.setText("FORCE")
        self.force_box = QFrame()
        self.force_box.setObjectName("forcebox")
        self.force_value = label(88, bold=True, align=Qt.AlignmentFlag.AlignRight)
        self.force_unit = label(30, colour=DIM)
        fl = QHBoxLayout(self.force_box)
        fl.setContentsMargins(12, 0, 12, 0)
        fl.addWidget(self.force_value, 1)
        fl.addWidget(self.force_unit, 0, Qt.AlignmentFlag.AlignBottom)

        self.state_value = label(34, bold=True)
        self.alert_value = label(40, bold=True, align=Qt.AlignmentFlag.AlignCenter)
        self.alert_value.setMinimumHeight(62)

        self.timer_caption = label(16, colour=cap)
        self.timer_caption.setText("HOLD")
        self.timer_value = label(56, bold=True)
        self.goal_value = label(18, colour=DIM, align=Qt.AlignmentFlag.AlignRight)
        self.bar = HoldBar()

        self.level_value = label(22)
        self.steady_value = label(22)

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
        set_text(self.alert_value, text)

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
    def show_view(self, vm: ViewModel) -> None:
        """Force, state, verdict and hold timer as the view-model says (the redraw's readout tick)."""
        self.set_force(vm.force, vm.unit)
        self.set_state(vm.state_text)
        self.set_moving(vm.moving)
        self.set_hold(vm.open_hold, vm.goal_s, vm.unit, vm.last_hold)

    def set_force(self, newtons: float | None, unit: str) -> None:
        if newtons is None:
            set_text(self.force_value, "—")
        else:
            v = newtons / UNIT_FACTORS[unit]
            set_text(self.force_value, f"{v:.1f}" if abs(v) < 1000 else f"{v:.0f}")
        set_text(self.force_unit, unit)

    def set_state(self, text: str) -> None:
        set_text(self.state_value, text)

    def set_hold(self, hold: OpenHold | None, goal: float, unit: str, last: Hold | None = None) -> None:
        set_text(self.goal_value, f"goal {goal:g} s")
        f = UNIT_FACTORS[unit]
        if hold is None:
            self.bar.set_state(None, goal)
            if last is not None:
                set_text(self.timer_value, f"last {last.duration:.1f} s")
                self.timer_value.setStyleSheet(f"color: {DIM}; background: transparent;")
                set_text(self.level_value, f"level {last.level / f:.1f} {unit}")
                set_text(self.steady_value, f"CV {100 * last.cv:.1f} %   drift "
                                             f"{drift_pct(last.drift_per_s, last.level)} %/s")
            else:
                set_text(self.timer_value, "—")
                set_text(self.level_value, "")
                set_text(self.steady_value, "")
            return
        self.timer_value.setStyleSheet(f"color: {TEXT}; background: transparent;")
        set_text(self.timer_value, f"{hold.held:.1f} s")
        self.bar.set_state(hold.held, goal)
        lo, hi = hold.band
        set_text(self.level_value, f"level {hold.level / f:.1f}   band {lo / f:.1f}–{hi / f:.1f} {unit}")
        set_text(self.steady_value,
                  f"CV {100 * hold.cv:.1f} %   drift {drift_pct(hold.drift_per_s, hold.level)} %/s")
