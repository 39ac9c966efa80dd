"""The readout panel: force, state, verdict, hold timer and the open hold's steadiness, in large type.

It shows what the view-model says (:meth:`ReadoutPanel.show_view`): the presenter's one verdict (the
drill's while one runs), the hold's timer or the drill's count-down. It decides nothing itself.
The force's digits never change colour or background: an alert flashes the box's border, so the number
and its unit stay readable (WCAG AA contrast) whatever the alert does.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from nmt_pressure.core.events import Hold
from nmt_pressure.dashboard.model import OpenHold
from nmt_pressure.dashboard.style import (
    ALERT_COLOURS,
    DIM,
    GOAL_MARK,
    PANEL_BG,
    TEXT,
    TIMER_BLUE,
    TIMER_MARKS,
    TIMER_PAST_GOAL,
    VERDICT_STYLES,
    VERDICT_TEXT,
    drift_pct,
    fmt_force,
    font_px,
    label,
    set_text,
)
from nmt_pressure.dashboard.viewmodel import DrillLive, ViewModel


class HoldBar(QWidget):
    """A bar that fills as the hold goes on, with marks at 10, 20 and 30 s and the goal."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.held: float | None = None
        self.goal = 20.0
        self.setMinimumHeight(38)
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
            # Time, not a verdict: blue, lighter past the goal (never green: green is "in band").
            colour = TIMER_BLUE if held < self.goal else TIMER_PAST_GOAL
            p.fillRect(QRectF(0, 0, w * min(held, span) / span, bar_h), QColor(colour))
        p.setFont(font_px(12))
        for m in TIMER_MARKS:
            x = w * m / span
            p.setPen(QPen(QColor(TEXT), 2))
            p.drawLine(int(x), 0, int(x), bar_h)
            p.setPen(QColor(DIM))
            p.drawText(QRectF(x - 20, bar_h, 40, 16), Qt.AlignmentFlag.AlignCenter, f"{m:g}")
        gx = w * self.goal / span
        p.setPen(QPen(QColor(GOAL_MARK), 4))  # not the force trace's yellow
        p.drawLine(int(gx), 0, int(gx), bar_h)
        p.end()


class ReadoutPanel(QFrame):
    """Force, state, verdict, hold timer and the open hold's steadiness, in large type.

    ``alert`` is ``"high"``, ``"low"`` or ``""``; while it is set, ``flash`` toggles (the window's
    flash timer) and the force box's border alternates between two shades of the alert colour. The
    verdict ("in band", "TOO MUCH", "TOO LITTLE", "moving") is a filled box of equal weight each.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readouts")
        self.setStyleSheet(f"#readouts {{ background: {PANEL_BG}; }}")
        self.setMinimumWidth(300)
        self.alert = ""
        self.flash = False
        self.moving = False  # the verdict is "moving": the core classifies a change
        self.verdict = ""

        cap = DIM
        self.force_caption = label(16, colour=cap)
        self.force_caption.setText("FORCE")
        self.force_box = QFrame()
        self.force_box.setObjectName("forcebox")
        self.force_value = label(72, bold=True, align=Qt.AlignmentFlag.AlignRight)
        self.force_unit = label(30, colour=DIM)
        fl = QHBoxLayout(self.force_box)
        fl.setContentsMargins(12, 0, 12, 0)
        fl.addWidget(self.force_value, 1)
        fl.addWidget(self.force_unit, 0, Qt.AlignmentFlag.AlignBottom)

        self.state_value = label(30, bold=True)
        self.alert_value = label(34, bold=True, align=Qt.AlignmentFlag.AlignCenter)
        self.alert_value.setMinimumHeight(52)
        self.hint_value = label(18, colour=TEXT)
        self.hint_value.setWordWrap(True)

        self.timer_caption = label(16, colour=cap)
        self.timer_caption.setText("HOLD")
        self.timer_value = label(48, bold=True)
        self.goal_value = label(18, colour=DIM, align=Qt.AlignmentFlag.AlignRight)
        self.bar = HoldBar()

        self.level_value = label(19)
        self.level_value.setWordWrap(True)  # a narrow panel wraps the band rather than cut its unit
        self.steady_value = label(19)

        # compact enough for a 1024x640 window (the holds table keeps its rows below)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 8, 14, 8)
        lay.setSpacing(2)
        lay.addWidget(self.force_caption)
        lay.addWidget(self.force_box)
        lay.addWidget(self.state_value)
        lay.addWidget(self.hint_value)
        lay.addWidget(self.alert_value)
        lay.addSpacing(4)
        row = QHBoxLayout()
        row.addWidget(self.timer_caption)
        row.addStretch(1)
        row.addWidget(self.goal_value)
        lay.addLayout(row)
        lay.addWidget(self.timer_value)
        lay.addWidget(self.bar)
        lay.addSpacing(4)
        lay.addWidget(self.level_value)
        lay.addWidget(self.steady_value)
        lay.addStretch(1)
        self._box_style = ""
        self._alert_style = ""
        self.show_verdict("")

    # ---- the verdict and the alert's flash
    def show_verdict(self, verdict: str) -> None:
        """The presenter's verdict: "in", "high", "low", "moving" or "" (none)."""
        if verdict == self.verdict and self._alert_style:
            return
        self.verdict = verdict
        alert = verdict if verdict in ALERT_COLOURS else ""
        if alert != self.alert:
            self.alert = alert
            self.flash = False
            self.setProperty("alert", alert)
        self.moving = verdict == "moving"
        text = VERDICT_TEXT.get(verdict, "")
        set_text(self.alert_value, text)
        self._restyle()

    def toggle_flash(self) -> None:
        if self.alert:
            self.flash = not self.flash
            self._restyle()

    def _restyle(self) -> None:
        if self.alert:
            base, bright = ALERT_COLOURS[self.alert]
            edge = bright if self.flash else base
            box = f"#forcebox {{ background: transparent; border: 6px solid {edge}; border-radius: 8px; }}"
        else:
            # the same border, invisible: the digits do not move when an alert comes
            box = "#forcebox { background: transparent; border: 6px solid transparent; }"
        style = VERDICT_STYLES.get(self.alert_value.text())
        if style is not None:
            fill, fg = style
            alert = f"color: {fg}; background: {fill}; border-radius: 8px;"
        else:
            alert = "background: transparent;"
        if box != self._box_style:
            self._box_style = box
            self.force_box.setStyleSheet(box)
        if alert != self._alert_style:
            self._alert_style = alert
            self.alert_value.setStyleSheet(alert)

    # ---- values
    def show_view(self, vm: ViewModel) -> None:
        """Force, state, verdict and timer as the view-model says (the redraw's readout tick)."""
        self.set_force(vm.force, vm.unit)
        self.set_state(vm.state_text)
        set_text(self.hint_value, vm.hint)
        self.hint_value.setVisible(bool(vm.hint))
        self.show_verdict(vm.verdict)
        if vm.drill is not None:
            self.set_drill(vm.drill, vm.unit)
        else:
            self.set_hold(vm.open_hold, vm.goal_s, vm.unit, vm.last_hold, frozen=vm.timer_frozen)

    def set_force(self, newtons: float | None, unit: str) -> None:
        set_text(self.force_value, "—" if newtons is None else fmt_force(newtons, unit))
        set_text(self.force_unit, unit)

    def set_state(self, text: str) -> None:
        set_text(self.state_value, text)

    def _timer_colour(self, colour: str) -> None:
        style = f"color: {colour}; background: transparent;"
        if self.timer_value.styleSheet() != style:
            self.timer_value.setStyleSheet(style)

    def set_drill(self, d: DrillLive, unit: str) -> None:
        """A drill runs: its count-down is the only timer, its band the only band."""
        set_text(self.timer_caption, f"DRILL · {d.kind.upper()}")
        set_text(self.goal_value, "")
        self.bar.set_state(None, self.bar.goal)
        self._timer_colour(TEXT)
        set_text(self.timer_value, f"{d.left:.1f} s left" if d.left is not None else "—")
        if d.band is not None:
            lo, hi = d.band
            set_text(self.level_value, f"drill band {fmt_force(lo, unit)}–{fmt_force(hi, unit)} {unit}")
        else:
            set_text(self.level_value, "")
        set_text(self.steady_value, "")

    def set_hold(self, hold: OpenHold | None, goal: float, unit: str, last: Hold | None = None,
                 frozen: bool = False) -> None:
        set_text(self.timer_caption, "HOLD")
        set_text(self.goal_value, f"goal {goal:g} s")
        if hold is None:
            self.bar.set_state(None, goal)
            if last is not None:
                set_text(self.timer_value, f"last {last.duration:.1f} s")
                self._timer_colour(DIM)
                set_text(self.level_value, f"level {fmt_force(last.level, unit, with_unit=True)}")
                set_text(self.steady_value, f"CV {100 * last.cv:.1f} %   drift "
                                             f"{drift_pct(last.drift_per_s, last.level)} %/s")
            else:
                set_text(self.timer_value, "—")
                set_text(self.level_value, "")
                set_text(self.steady_value, "")
            return
        self._timer_colour(DIM if frozen else TEXT)  # stopped while the core classifies a change
        set_text(self.timer_value, f"{hold.held:.1f} s")
        self.bar.set_state(hold.held, goal)
        lo, hi = hold.band
        set_text(self.level_value, f"level {fmt_force(hold.level, unit)}   band "
                                   f"{fmt_force(lo, unit)}–{fmt_force(hi, unit)} {unit}")
        set_text(self.steady_value,
                  f"CV {100 * hold.cv:.1f} %   drift {drift_pct(hold.drift_per_s, hold.level)} %/s")
