"""The dashboard's palette, units and type: one place for what every view draws with.

Colours mean one thing each across the views:

- green: in band (the force where the band wants it), and nothing else;
- red: too much (above the band), and nothing else: not recording, not a pressed button;
- orange: too little (below the band);
- grey: neutral (moving, waiting, the past);
- blue: time (the hold timer's bar), cyan: the hold goal's mark, yellow: the filtered force trace.

The three verdicts (below, in band, above) are equally strong: a filled box each, with text at WCAG AA
contrast (at least 4.5:1) on its fill, so none of them reads as "less there" than the others.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel

#: Newtons per display unit (kg and lb are kilogram- and pound-force).
UNIT_FACTORS = {"N": 1.0, "kg": 9.80665, "lb": 4.4482216152605}
#: Decimals shown per unit: a step of the last digit stays well under 1 N (a 10 % band of a light
#: 10 N hold is 2 N wide), so a readout never looks in band while the core says it is out.
#: N: 0.1 N; kg: 0.01 kgf = 0.098 N; lb: 0.01 lbf = 0.044 N.
UNIT_DECIMALS = {"N": 1, "kg": 2, "lb": 2}
#: NMT guidance: a steady hold of 10-20 s, at most about 30 s. The timer marks these.
TIMER_MARKS = (10.0, 20.0, 30.0)

PANEL_BG = "#15181c"
TEXT = "#eef1f4"
DIM = "#8a939c"
#: A disabled control's text: visibly fainter than DIM and TEXT.
DISABLED_TEXT = "#4f575f"
OK_GREEN = "#2e7d32"
HIGH_RED = "#c62828"
HIGH_RED_FLASH = "#ff6659"
LOW_ORANGE = "#ef6c00"
LOW_ORANGE_FLASH = "#ffa040"
ALERT_COLOURS = {"high": (HIGH_RED, HIGH_RED_FLASH), "low": (LOW_ORANGE, LOW_ORANGE_FLASH)}
ALERT_TEXT = {"high": "TOO MUCH", "low": "TOO LITTLE"}
#: A neutral fill (the verdict "moving", a pressed toggle button): grey, never a verdict's colour.
NEUTRAL = "#3a424b"
#: The hold timer's bar (time, not a verdict) and the goal's mark on it (not the force trace's yellow).
TIMER_BLUE = "#1e88e5"
TIMER_PAST_GOAL = "#90caf9"
GOAL_MARK = "#26c6da"
FORCE_YELLOW = "#ffd54f"

#: The verdict boxes: text shown -> (fill, text colour). Each text is >= 4.5:1 on its fill
#: (tests/test_dashboard_look.py computes it).
VERDICT_STYLES = {
    "in band": (OK_GREEN, "#ffffff"),
    "TOO MUCH": (HIGH_RED, "#ffffff"),
    "TOO LITTLE": (LOW_ORANGE, "#000000"),
    "moving": (NEUTRAL, TEXT),
}
#: The verdict for each state the presenter names ("" shows none).
VERDICT_TEXT = {"in": "in band", "high": ALERT_TEXT["high"], "low": ALERT_TEXT["low"], "moving": "moving"}


def fmt_force(newtons: float, unit: str, *, with_unit: bool = False) -> str:
    """A force in ``unit`` with that unit's decimals (big values without)."""
    v = newtons / UNIT_FACTORS[unit]
    text = f"{v:.{UNIT_DECIMALS[unit]}f}" if abs(v) < 1000 else f"{v:.0f}"
    return f"{text} {unit}" if with_unit else text


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``."""
    def lin(c: int) -> float:
        s = c / 255.0
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    h = colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


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
