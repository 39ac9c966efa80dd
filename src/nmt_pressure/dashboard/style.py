"""The dashboard's palette, units and type: one place for what every view draws with.

Colours mean one thing each across the views (the issue-14 fixes retune them here, not per view).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel

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


def font_px(px: int, bold: bool = False) -> QFont:
    f = QFont()
    f.setPixelSize(px)
    f.setBold(bold)
    return f


def label(px: int, bold: bool = False, colour: str = TEXT,
          align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> QLabel:
    lab = QLabel()
    lab.setFont(font_px(px, bold))
    lab.setStyleSheet(f"color: {colour}; background: transparent;")
    lab.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
    return lab


def set_text(lab: QLabel, text: str) -> None:
    """setText only when it changes: a repaint saved is CPU saved at 10 Hz."""
    if lab.text() != text:
        lab.setText(text)


def drift_pct(per_s: float, level: float) -> str:
    """A drift (force per second) as a signed percentage of the level per second."""
    if not level:
        return "—"
    return f"{round(100.0 * per_s / level, 1) + 0.0:+.1f}"  # + 0.0: no "-0.0"
