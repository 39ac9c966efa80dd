"""What the dashboard shows, checked as a user sees it (issue 14, items 1-5 and 7).

Each test looks at the window: widget text, colours, which band items exist, contrast ratios (WCAG's
relative-luminance formula), toolbar overflow at a given size. The core is played by a Feed (the reader
thread's calls, with known samples and events), so every check is about the display, not the detector.
Offscreen here; tests/test_dashboard_xvfb.py looks again on a real X screen. No timing assertions:
every wait is on a condition, with generous timeouts (the CPUs may be busy).
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import pytest
from dashwin import dash_settings, shown_window
from PySide6.QtWidgets import QToolBar, QToolButton
from test_dashboard import Feed

from nmt_pressure import DetectorConfig
from nmt_pressure.core.events import STATE_CONTACT, STATE_HOLD, STATE_MOVING, Hold
from nmt_pressure.dashboard.holdstable import HEADERS
from nmt_pressure.dashboard.style import (
    ALERT_COLOURS,
    DIM,
    FORCE_YELLOW,
    GOAL_MARK,
    OK_GREEN,
    PANEL_BG,
    TEXT,
    TIMER_BLUE,
    TIMER_PAST_GOAL,
    UNIT_DECIMALS,
    UNIT_FACTORS,
    VERDICT_STYLES,
    contrast,
    fmt_force,
)
from nmt_pressure.dashboard.viewmodel import DrillLive

AA = 4.5  # WCAG 2 AA for normal text


@pytest.fixture(autouse=True)
def _no_user_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NMT_PRESSURE_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("NMT_PRESSURE_HOME", str(tmp_path / "data"))


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> Any:
    yield from shown_window(qtbot, dash_settings(tmp_path), muted=True)


def a_hold(start: float, end: float, level: float, in_band: float, ended_by: str = "release") -> Hold:
    d = end - start
    return Hold(start=start, end=end, level=level, mean=level, sd=0.1, cv=0.1 / level, duration=d,
                time_in_band=in_band * d, drift_per_s=0.0, ended_by=ended_by, confirmed=start + 1.5)


def holding(feed: Feed, qtbot: Any, win: Any, level: float, onset: float) -> None:
    """A hold at ``level`` confirmed 1.5 s after ``onset`` (the feed's clock is at ``onset``)."""
    feed.samples(onset, onset + 1.5, level, STATE_HOLD)
    feed.event("hold_start", onset, onset + 1.5, None, level)
    feed.flow(qtbot, level, STATE_HOLD, lambda: win.vm.hold_event is not None and
              win.readouts.state_value.text() == "holding")


def style_colours(sheet: str) -> dict[str, str]:
    """``color`` and ``background`` of a one-rule style sheet."""
    out = {}
    for part in sheet.replace("{", ";").replace("}", ";").split(";"):
        if ":" in part:
            k, v = part.split(":", 1)
            out[k.strip().split()[-1]] = v.strip()
    return out


# --------------------------------------------------------------------------------------------------
# item 4: equally strong verdicts, readable digits, one meaning per colour
# --------------------------------------------------------------------------------------------------
def test_contrast_follows_the_wcag_formula() -> None:
    assert contrast("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # WCAG's classic example
    # the measurements of the old alert: white on the flashing orange / red
    assert contrast("#ffffff", "#ff9d3f") < 2.5 and contrast("#ffffff", "#ff6659") < 3.0


def test_verdicts_are_equally_strong_and_readable(window: Any, qtbot: Any) -> None:
    win, ro = window, window.readouts
    for text, (fill, fg) in VERDICT_STYLES.items():
        assert contrast(fill, fg) >= AA, text
    assert contrast(TEXT, PANEL_BG) >= AA and contrast(DIM, PANEL_BG) >= AA  # digits and unit

    feed = Feed(win, DetectorConfig(sample_rate=100.0))
    holding(feed, qtbot, win, 20.0, 0.0)
    shown = {}
    # in band, then above, then below: each a filled box with its own AA colours
    shown["in band"] = style_colours(ro.alert_value.styleSheet())
    feed.samples(feed.t, feed.t + 0.3, 23.0, STATE_HOLD)
    feed.event("band_exit", feed.t - 0.3, feed.t - 0.15, "high", 20.0)
    qtbot.waitUntil(lambda: ro.alert_value.text() == "TOO MUCH", timeout=5000)
    shown["TOO MUCH"] = style_colours(ro.alert_value.styleSheet())
    # the alert flashes the force box's border; the digits keep their colour on the panel's
    # background, and the unit stays shown
    box = ro.force_box.styleSheet()
    assert "border: 6px solid" in box and "background: transparent" in box
    assert ALERT_COLOURS["high"][0] in box or ALERT_COLOURS["high"][1] in box
    assert style_colours(ro.force_value.styleSheet()) == {"color": TEXT, "background": "transparent"}
    assert ro.force_unit.isVisible() and ro.force_unit.text() == "N"
    assert win.flashing
    qtbot.waitUntil(lambda: ro.flash, timeout=5000)
    assert ALERT_COLOURS["high"][1] in ro.force_box.styleSheet()  # the border, brighter
    assert style_colours(ro.force_value.styleSheet())["background"] == "transparent"

    feed.samples(feed.t, feed.t + 0.6, 20.0, STATE_HOLD)
    feed.event("band_enter", feed.t - 0.6, feed.t - 0.05, None, 20.0)
    qtbot.waitUntil(lambda: ro.alert_value.text() == "in band" and not win.flashing, timeout=5000)
    feed.samples(feed.t, feed.t + 0.3, 17.0, STATE_HOLD)
    feed.event("band_exit", feed.t - 0.3, feed.t - 0.15, "low", 20.0)
    qtbot.waitUntil(lambda: ro.alert_value.text() == "TOO LITTLE", timeout=5000)
    shown["TOO LITTLE"] = style_colours(ro.alert_value.styleSheet())
    for text, colours in shown.items():
        fill, fg = VERDICT_STYLES[text]
        assert colours["background"] == fill and colours["color"] == fg, text
        assert contrast(colours["background"], colours["color"]) >= AA, text
    # three different fills, each a box (none is plain text on the panel's background)
    assert len({c["background"] for c in shown.values()}) == 3


def test_one_meaning_per_colour(window: Any) -> None:
    win = window
    red = ALERT_COLOURS["high"]
    sheet = win.styleSheet()
    checked = sheet.split("QToolButton:checked")[1].split("}")[0]
    assert not any(c in checked for c in (*red, "#8e0000")), "a pressed button is not 'too much'"
    # the timer bar is time, never green (green is "in band"); the goal mark is not the trace's yellow
    bar = win.readouts.bar
    assert OK_GREEN not in (TIMER_BLUE, TIMER_PAST_GOAL) and GOAL_MARK != FORCE_YELLOW
    bar.resize(400, 44)
    bar.set_state(25.0, 20.0)  # past the goal
    img = bar.grab().toImage()
    fill = img.pixelColor(10, 10).name()
    assert fill == TIMER_PAST_GOAL and fill != OK_GREEN
    gx = round(400 * 20.0 / bar.span())
    assert any(img.pixelColor(x, 10).name() == GOAL_MARK for x in range(gx - 2, gx + 3))


# --------------------------------------------------------------------------------------------------
# item 3: a step never shows "in band" with a force outside the band
# --------------------------------------------------------------------------------------------------
def test_a_step_shows_moving_with_a_stopped_timer_and_no_flicker(window: Any, qtbot: Any) -> None:
    win, ro = window, window.readouts
    feed = Feed(win, DetectorConfig(sample_rate=100.0))
    holding(feed, qtbot, win, 13.5, 0.0)  # band 12.15-14.85
    assert ro.alert_value.text() == "in band"
    # 15.6 N, above the band shown, before the core said anything: not "in band"
    feed.flow(qtbot, 15.6, STATE_HOLD, lambda: ro.alert_value.text() == "moving")
    assert "14.85" not in ro.force_value.text() and not win.flashing
    # the core classifies the change: "moving" everywhere, the hold's timer stops (dim)
    feed.flow(qtbot, 15.6, STATE_MOVING, lambda: ro.state_value.text() == "moving")
    assert ro.alert_value.text() == "moving" and win.vm.timer_frozen
    frozen = ro.timer_value.text()
    assert style_colours(ro.timer_value.styleSheet())["color"] == DIM
    feed.flow(qtbot, 15.6, STATE_MOVING, lambda: feed.t > 5.0)
    feed.flow(qtbot, 15.6, STATE_MOVING, lambda: ro.state_value.text() == "moving")
    assert ro.timer_value.text() == frozen  # no stale timer running on
    # the step and the new hold: "holding" from then on, never back to "stepping"
    t = feed.t
    feed.event("step", 3.0, t, "up", 15.6)
    feed.hold(0.0, 3.0, 13.5, "step")
    feed.event("hold_start", 3.5, t, None, 15.6)
    states: list[str] = []

    def seen() -> bool:
        states.append(ro.state_value.text())
        return feed.t > t + 2.0

    feed.flow(qtbot, 15.6, STATE_HOLD, seen)
    after = states[states.index("holding"):] if "holding" in states else []
    assert after and set(after) == {"holding"}, states
    assert ro.alert_value.text() == "in band" and style_colours(ro.timer_value.styleSheet())["color"] == TEXT


# --------------------------------------------------------------------------------------------------
# item 1: a drill's band, verdict and timer are the only ones
# --------------------------------------------------------------------------------------------------
def test_during_a_drill_its_band_verdict_and_timer_are_the_only_ones(window: Any, qtbot: Any,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    win, ro = window, window.readouts
    feed = Feed(win, DetectorConfig(sample_rate=100.0))
    holding(feed, qtbot, win, 25.1, 0.0)  # the hold's own band: 22.6-27.6 N, "in band" by itself
    assert ro.alert_value.text() == "in band"
    drill = DrillLive(kind="hold", band=(27.0, 33.0), state="low", left=12.3)
    monkeypatch.setattr(win.drill_panel, "live", lambda: drill)
    win.set_drill_band(drill.band, drill.state)  # what the panel does when the force is below
    qtbot.waitUntil(lambda: ro.alert_value.text() == "TOO LITTLE", timeout=5000)
    assert ro.timer_value.text() == "12.3 s left" and "DRILL" in ro.timer_caption.text()
    assert not ro.bar.held  # no count-up to the hold goal beside the count-down
    assert "27.0–33.0 N" in ro.level_value.text()
    assert win.plot.visible_bands() == [pytest.approx((27.0, 33.0))]  # the hold's band gave way
    # the holds table's open row defers to the drill (its own band would say 100 % in band)
    col = HEADERS.index("in band %")
    qtbot.waitUntil(lambda: win.table.rows_text() and win.table.rows_text()[-1][col] == "drill", timeout=5000)
    # a core alert on the hold's own band says nothing while the drill runs (no sound, no colour)
    played = win.sound.played
    feed.samples(feed.t, feed.t + 0.3, 28.5, STATE_HOLD)
    feed.event("band_exit", feed.t - 0.3, feed.t - 0.15, "high", 25.1)
    qtbot.waitUntil(lambda: win.alert_direction == "high", timeout=5000)
    drill = DrillLive(kind="hold", band=(27.0, 33.0), state="in", left=11.0)
    win.set_drill_band(drill.band, drill.state)
    assert ro.alert_value.text() == "in band" and win.sound.played == played
    assert win.plot.visible_bands() == [pytest.approx((27.0, 33.0))]
    # the drill ends: the hold's band and timer are back
    monkeypatch.setattr(win.drill_panel, "live", lambda: None)
    win.set_drill_band(None)
    assert len(win.plot.visible_bands()) == 1 and ro.timer_caption.text() == "HOLD"


# --------------------------------------------------------------------------------------------------
# item 2: each hold keeps its own result; alerts colour the current hold only; exits are marked
# --------------------------------------------------------------------------------------------------
def test_bands_keep_their_own_result_and_exits_are_marked(window: Any, qtbot: Any) -> None:
    win, plot = window, window.plot
    feed = Feed(win, DetectorConfig(sample_rate=100.0))
    # hold 1: kept its band
    holding(feed, qtbot, win, 20.0, 0.0)
    feed.samples(feed.t, feed.t + 1.0, 0.0, STATE_CONTACT)
    h1 = a_hold(0.0, 3.0, 20.0, in_band=1.0)
    feed.src.detector.holds.append(h1)
    feed.event("release", 3.0, feed.t, None, 20.0)
    feed.listener.on_hold(h1)
    qtbot.waitUntil(lambda: plot.bands and plot.bands[0].verdict == "in", timeout=5000)
    # hold 2: 104 N, out of its band high nearly all along
    onset = feed.t
    holding(feed, qtbot, win, 104.0, onset)
    feed.samples(feed.t, feed.t + 0.5, 120.0, STATE_HOLD)
    feed.event("band_exit", feed.t - 0.4, feed.t - 0.25, "high", 104.0)
    qtbot.waitUntil(lambda: win.alert_direction == "high", timeout=5000)
    assert len(plot.exits) == 1 and plot.exits[0].line.label.format == "▲ out"
    # the alert colours the current hold's band only; hold 1 stays green
    colours = plot.result_colours()
    assert colours[0][2].green() > colours[0][2].red()
    assert colours[1][2].red() > 2 * colours[1][2].green()
    # released: the 104 N hold keeps its red, hold 1 its green (not everything green again)
    feed.samples(feed.t, feed.t + 1.0, 0.0, STATE_CONTACT)
    h2 = a_hold(onset, feed.t - 1.0, 104.0, in_band=0.0)
    feed.src.detector.holds.append(h2)
    feed.event("release", h2.end, feed.t, None, 104.0)
    feed.listener.on_hold(h2)
    qtbot.waitUntil(lambda: plot.open_band is None and plot.bands[1].verdict == "high", timeout=5000)
    (_, v1, c1), (_, v2, c2) = plot.result_colours()
    assert v1 == "in" and c1.green() > c1.red()
    assert v2 == "high" and c2.red() > 2 * c2.green() and c2.name() == ALERT_COLOURS["high"][0]
    assert not win.flashing
    # bands never overlap in time: no translucent fill over another
    ends = [(b.t0, b.t_end) for b in plot.bands]
    assert all(e0 is not None and e0 <= s1 for (_, e0), (s1, _) in itertools.pairwise(ends))


def test_a_fixed_band_is_an_outline(window: Any, qtbot: Any) -> None:
    win, plot = window, window.plot
    feed = Feed(win, DetectorConfig(sample_rate=100.0, target=20.0))
    assert plot.fixed_band.isVisible()
    assert plot.fixed_band.brush.style().name == "NoBrush"
    assert all(line.pen.color().alpha() == 255 for line in plot.fixed_band.lines)  # drawn edges
    holding(feed, qtbot, win, 20.0, 0.0)
    feed.samples(feed.t, feed.t + 0.3, 23.0, STATE_HOLD)
    feed.event("band_exit", feed.t - 0.3, feed.t - 0.15, "high", 20.0)
    qtbot.waitUntil(lambda: win.alert_direction == "high", timeout=5000)
    assert plot.fixed_band.brush.style().name == "NoBrush"  # the alert fills the hold's band only


# --------------------------------------------------------------------------------------------------
# item 5: kg and lb with enough decimals, the target box and the drill label in the unit
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("unit", ["kg", "lb"])
def test_kg_and_lb_resolve_well_under_a_newton(window: Any, qtbot: Any, unit: str) -> None:
    win, ro = window, window.readouts
    step_n = UNIT_FACTORS[unit] * 10 ** -UNIT_DECIMALS[unit]
    assert step_n < 0.25  # a step of the last digit is a quarter newton at most (a band is >= 2 N)
    assert fmt_force(24.5, unit) != fmt_force(25.5, unit)  # 1 N apart reads differently
    win.set_unit(unit)
    feed = Feed(win, DetectorConfig(sample_rate=100.0))
    holding(feed, qtbot, win, 24.5, 0.0)
    assert ro.force_value.text() == f"{24.5 / UNIT_FACTORS[unit]:.2f}" and ro.force_unit.text() == unit
    assert ro.level_value.text().endswith(f" {unit}")
    # the target box speaks the unit and keeps the newtons exact through a round trip
    spin = win.tools.target_spin
    assert spin.suffix() == f" {unit}" and spin.decimals() == UNIT_DECIMALS[unit]
    assert spin.value() == pytest.approx(30.0 / UNIT_FACTORS[unit], abs=0.01)
    assert win.tools.target_newtons() == pytest.approx(30.0)
    win.set_unit("N")
    assert spin.suffix() == " N" and spin.value() == pytest.approx(30.0)
    win.set_unit(unit)
    win.set_drill_band((27.0, 33.0), "in")
    assert win.plot.drill_band_label.format.endswith(f" {unit}")
    assert fmt_force(27.0, unit) in win.plot.drill_band_label.format


# --------------------------------------------------------------------------------------------------
# item 7: small screens
# --------------------------------------------------------------------------------------------------
def overflowed(win: Any) -> list[str]:
    """Toolbar actions not reachable without the "»" overflow button."""
    hidden = []
    for tb in win.findChildren(QToolBar):
        ext = tb.findChild(QToolButton, "qt_toolbar_ext_button")
        if ext is not None and ext.isVisible():
            hidden.append(f"{tb.windowTitle()}: »")
        for a in tb.actions():
            w = tb.widgetForAction(a)
            if a.isVisible() and not a.isSeparator() and (w is None or not w.isVisible()):
                hidden.append(a.text())
    return hidden


@pytest.mark.parametrize("size", [(1280, 720), (1024, 640)])
def test_small_screens_reach_every_action(window: Any, qtbot: Any, size: tuple[int, int]) -> None:
    win = window
    win.resize(*size)
    qtbot.waitUntil(lambda: (win.width(), win.height()) == size, timeout=5000)
    qtbot.waitUntil(lambda: not overflowed(win), timeout=3000)
    # a long message is elided, the whole text in the tooltip
    text = "take the hand off the cell first: it starts with a press, " * 4
    win.show_message(text)
    msg = win.status.msg
    qtbot.waitUntil(lambda: msg.shown_text() != text, timeout=3000)
    assert msg.shown_text().endswith("…") and msg.toolTip() == text
    # the drill panel open: the plot keeps a usable width
    win.show_drill_panel(True)
    qtbot.waitUntil(lambda: win.drill_dock.isVisible(), timeout=3000)
    qtbot.wait(50)
    assert win.plot.width() >= 0.36 * size[0], (win.plot.width(), win.drill_dock.width())
    assert not overflowed(win)


def test_disabled_buttons_look_disabled_and_the_empty_window_says_what_to_do(window: Any, qtbot: Any) -> None:
    win = window
    tare, sim = win.tools.act_tare, win.tools.act_sim
    assert not tare.isEnabled() and sim.isEnabled()

    def brightest(action: Any) -> int:
        """The lightest pixel of the button as drawn on its toolbar (its text: the bar is dark)."""
        tb = next(t for t in win.findChildren(QToolBar) if action in t.actions())
        img = tb.grab(tb.widgetForAction(action).geometry()).toImage()
        return max(img.pixelColor(x, y).lightness() for x in range(img.width()) for y in range(img.height()))

    assert brightest(tare) < brightest(sim) - 60  # faint text: visibly not pressable
    ro = win.readouts
    assert ro.state_value.text() == "not connected"
    assert ro.hint_value.isVisible() and "press S" in ro.hint_value.text()


def test_pressing_s_twice_quickly_never_says_the_simulator_did_not_start(window: Any, qtbot: Any) -> None:
    win = window
    said: list[tuple[str, bool]] = []
    win.controller.message.connect(lambda text, error: said.append((text, error)))
    for gap_ms in (0, 300):
        win.tools.act_sim.trigger()
        qtbot.wait(gap_ms)
        win.tools.act_sim.trigger()
        qtbot.waitUntil(lambda: win.sim is None and win.session is None, timeout=20000)
        qtbot.wait(500)  # any late news from the stopped child would arrive now
    assert not [t for t, err in said if err or "did not start" in t], said


@pytest.mark.parametrize("unit", ["kg", "lb"])
def test_the_holds_table_speaks_the_readouts_decimals(unit: str) -> None:
    """The table's level, band and mean with the readouts' decimals: 1 N apart reads differently."""
    from nmt_pressure.core.events import Hold
    from nmt_pressure.dashboard.holdstable import col, hold_row

    def row(level: float) -> list[str]:
        h = Hold(start=1.0, end=11.0, level=level, mean=level, sd=0.2, cv=0.2 / level, duration=10.0,
                 time_in_band=10.0, drift_per_s=0.0, ended_by="release", confirmed=2.5)
        return hold_row(1, h, unit, band=(0.9 * level, 1.1 * level))

    a, b = row(24.5), row(25.5)
    for name in ("level", "mean"):
        assert a[col(name)] != b[col(name)] and a[col(name)] == fmt_force(24.5, unit)
    assert a[col("band")] == f"{fmt_force(0.9 * 24.5, unit)}–{fmt_force(1.1 * 24.5, unit)}"
