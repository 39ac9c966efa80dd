"""A researcher's dashboard (issue 14, item 6): one time base, a frozen view that scrolls and zooms over
the whole session, a holds table with the figures a researcher asks for, and a replay that says where
it is and when it ended.

Every check looks at what the window shows (cell text, headers, rows in view, the plot's x range, the
status bar's and the readouts' text), on replays of the project's own example recording, of synthetic
recordings, and on the built-in simulator. Nothing here times anything: each wait is for a condition,
with room to spare on a busy machine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import numpy as np
import pytest
from dashwin import dash_settings, shown_window
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from nmt_pressure import DetectorConfig, analyze
from nmt_pressure.core.events import STATE_HOLD
from nmt_pressure.dashboard.history import SessionHistory
from nmt_pressure.dashboard.holdstable import MIN_ROWS, col
from nmt_pressure.dashboard.model import SampleRing
from nmt_pressure.dashboard.navigation import FROZEN_LABEL, LIVE_LABEL, clock
from nmt_pressure.dashboard.window import DashboardWindow
from nmt_pressure.io.recording import read_recording, write_recording

EXAMPLE = Path(__file__).resolve().parents[1] / "src" / "nmt_pressure" / "data" / "example_session.csv"
WAIT = 20000  # ms: generous, for two busy CPUs


@pytest.fixture(autouse=True)
def _no_user_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NMT_PRESSURE_SETTINGS", str(tmp_path / "settings.ini"))


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> Any:
    yield from shown_window(qtbot, dash_settings(tmp_path))


def x_range(win: Any) -> tuple[float, float]:
    (a, b), _ = win.plot.plot_item.getViewBox().viewRange()
    return a, b


def replay_to_end(win: Any, qtbot: Any, path: Path, n_holds: int, **kw: Any) -> None:
    win.open_replay(str(path), speed=None, **kw)
    qtbot.waitUntil(lambda: win.session is not None and win.session.source.finished
                    and len(win.table.holds) == n_holds, timeout=WAIT)


# --------------------------------------------------------------------------------------------------
# the session's history: bounded, and honest about peaks
# --------------------------------------------------------------------------------------------------
def test_the_history_keeps_hours_in_fixed_memory_and_never_loses_a_peak():
    hist = SessionHistory()
    size = hist.nbytes()
    rate, hours = 100.0, 4.0
    t_all = 50.0 + np.arange(int(hours * 3600 * rate)) / rate  # a device clock that starts at 50 s
    f_all = 20.0 + np.sin(t_all / 7.0)
    spike = int(2 * 3600 * rate)  # one sample of 95 N two hours in
    f_all[spike] = 95.0
    for i in range(0, t_all.size, 997):  # blocks as a reader hands them
        hist.append(t_all[i:i + 997], f_all[i:i + 997], f_all[i:i + 997])
    assert hist.nbytes() == size  # the same memory after four hours as after one second
    assert hist.t0 == 50.0 and hist.span == pytest.approx(hours * 3600, abs=0.02)
    assert hist.width > 0.1  # the buckets widened to fit
    assert hist.peak(50.0 + 7190, 50.0 + 7210) == 95.0  # the spike survived every merge
    t, y = hist.envelope(50.0, 50.0 + 600.0)
    assert t.size == y.size and t.size > 0 and np.nanmin(y) >= 19.0 - 1e-9 and np.nanmax(y) <= 21.0 + 1e-9
    assert t[0] == pytest.approx(50.0) and t[-1] <= 50.0 + 600.0 + hist.width


# --------------------------------------------------------------------------------------------------
# the holds table
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def off_target(tmp_path_factory: pytest.TempPathFactory, trace: Any) -> tuple[Path, float]:
    """A hold at 30 N against a fixed target of 20 N (never in its band), one at 20 N (in it), on a
    device clock that starts at 100 s, with a marker recorded during the first hold."""
    tr = (trace(rate=100.0).rest(1.0).ramp(30.0, 1.0).hold(6.0).release(0.4).rest(1.5)
          .ramp(20.0, 1.0).hold(6.0).release(0.4).rest(1.0))
    t, f = tr.build(noise=0.03, tremor=0.005, seed=5)
    t = t + 100.0
    path = tmp_path_factory.mktemp("research") / "off_target.csv"
    write_recording(path, t, f, {"device": "synthetic"})
    Path(str(path) + ".events.jsonl").write_text('{"kind": "marker", "t": 105.0}\n')
    return path, float(t[0])


def test_the_table_shows_band_mean_sd_exits_markers_and_marks_a_hold_never_in_band(window, qtbot, off_target):
    path, t0 = off_target
    cfg = DetectorConfig(sample_rate=100.0, target=20.0, tolerance=0.10)
    expected = analyze(read_recording(path).t, read_recording(path).force_n, cfg)
    win = window
    replay_to_end(win, qtbot, path, len(expected.holds), cfg=cfg)
    qtbot.waitUntil(lambda: len(win.markers_seen) == 1, timeout=WAIT)
    tb = win.table
    shown = [tb.horizontalHeaderItem(c).text() for c in range(tb.columnCount())]
    for name in ("band N", "mean", "SD", "exits", "markers", "in band", "start s", "ended by"):
        assert name in shown, shown
    assert tb.horizontalHeaderItem(col("start s")).toolTip().startswith("session seconds")
    qtbot.waitUntil(lambda: tb.rows_text()[0][col("markers")] == "1", timeout=WAIT)
    rows = tb.rows_text()
    assert len(rows) == 2
    first = expected.holds[0]
    exits = [e for e in expected.events if e.kind == "band_exit"]
    # one time base: session seconds (from the file's first sample), the device time in the tooltip
    assert rows[0][col("start s")] == f"{first.start - t0:.2f}"
    assert f"{first.start:.3f}" in tb.item(0, col("start s")).toolTip()
    assert rows[0][col("band")] == "18.0–22.0" and rows[1][col("band")] == "18.0–22.0"
    assert rows[0][col("mean")] == f"{first.mean:.1f}" and rows[0][col("SD")] == f"{first.sd:.2f}"
    assert rows[0][col("exits")] == str(sum(1 for e in exits if first.start <= e.t <= first.end)) == "1"
    assert rows[1][col("exits")] == "0" and rows[1][col("markers")] == "0"
    # never in its band: a sign and a word, not colour alone; the hold in band has no sign
    assert rows[0][col("in band %")] == "⚠ 0"
    assert "never in its band" in tb.item(0, col("in band %")).toolTip()
    assert tb.item(0, col("in band %")).font().bold()
    assert "⚠" not in rows[1][col("in band %")] and int(rows[1][col("in band %")]) > 50


def test_at_1024x640_the_table_shows_four_whole_rows_and_none_slips_under_the_header(window, qtbot):
    win = window
    win.resize(1024, 640)
    qtbot.waitUntil(lambda: (win.width(), win.height()) == (1024, 640), timeout=WAIT)
    n = len(analyze(read_recording(EXAMPLE).t, read_recording(EXAMPLE).force_n,
                    DetectorConfig(sample_rate=100.0)).holds)
    assert n > MIN_ROWS + 2
    replay_to_end(win, qtbot, EXAMPLE, n)
    tb = win.table
    QApplication.processEvents()
    assert tb.visible_rows() >= MIN_ROWS
    # following the newest row (what every new hold does) leaves the top row whole, not half under
    # the header: the viewport is a whole number of rows
    assert tb.viewport().height() % tb.rowHeight(0) == 0
    top = tb.rowAt(0)
    assert tb.visualRect(tb.model().index(top, 0)).top() == 0
    assert tb.visualRect(tb.model().index(n - 1, 0)).bottom() < tb.viewport().height()
    # scrolled to the top, row 1 is whole below the header
    tb.verticalScrollBar().setValue(0)
    QApplication.processEvents()
    assert tb.rowAt(0) == 0 and tb.visualRect(tb.model().index(0, 0)).top() == 0
    header = tb.horizontalHeader()
    assert header.geometry().bottom() < tb.viewport().geometry().top()
    assert tb.rows_text()[0][0] == "1"
    win.set_unit("kg")  # the rows are filled again: a reader scrolled up stays at row 1
    QApplication.processEvents()
    assert tb.rowAt(0) == 0 and tb.rows_text()[0][col("level")] != ""
    tb.verticalScrollBar().setValue(tb.verticalScrollBar().maximum())  # back down: it follows again
    win.set_unit("N")
    QApplication.processEvents()
    assert tb.rowAt(tb.viewport().height() - 1) == n - 1


# --------------------------------------------------------------------------------------------------
# navigation: clicking a hold, freezing, scrolling, zooming, and back to live
# --------------------------------------------------------------------------------------------------
def test_clicking_a_hold_shows_it_on_the_plot_in_the_tables_time_base(window, qtbot):
    win = window
    holds = analyze(read_recording(EXAMPLE).t, read_recording(EXAMPLE).force_n,
                    DetectorConfig(sample_rate=100.0)).holds
    replay_to_end(win, qtbot, EXAMPLE, len(holds))
    t0 = float(read_recording(EXAMPLE).t[0])
    tb = win.table
    tb.verticalScrollBar().setValue(0)
    QApplication.processEvents()
    h = holds[2]
    cell = tb.visualRect(tb.model().index(2, col("start s"))).center()
    qtbot.mouseClick(tb.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.waitUntil(lambda: not win.nav.live, timeout=WAIT)
    a, b = x_range(win)
    start = float(tb.rows_text()[2][col("start s")])  # what the table says is where the plot shows it
    assert start == pytest.approx(h.start - t0, abs=0.01)
    assert a < start < h.end - t0 < b
    assert b - a <= h.duration + 2 * max(1.0, 0.25 * h.duration) + 0.01
    assert win.plot.plot_item.getAxis("bottom").labelText == FROZEN_LABEL
    # the frozen view draws that hold's band (and only the session's own bands and marks)
    rects = [i for i in win.nav._overlay if hasattr(i, "rect")]
    assert any(r.rect().left() == pytest.approx(h.start - t0) for r in rects)
    x, _ = win.plot.filt_curve.getData()
    assert x is not None and x.min() <= start and x.max() >= h.end - t0
    qtbot.mouseClick(win.nav.bar.live_button, Qt.MouseButton.LeftButton)
    assert win.nav.live and x_range(win) == pytest.approx((-win.window_s, 0.0))
    assert win.plot.plot_item.getAxis("bottom").labelText == LIVE_LABEL


def test_freeze_scroll_zoom_and_live_while_the_simulator_records(qtbot, tmp_path):
    script = tmp_path / "press.txt"
    script.write_text("idle 0.5\nramp 0.8 to 25\nhold 600\nrelease 0.4\nidle 5\n")
    win = DashboardWindow(settings=QSettings(str(tmp_path / "dash.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    win.start_sim(rate=100, script=str(script), speed=10.0)  # its clock runs ten times faster
    qtbot.waitUntil(lambda: win.session is not None and win.session.connected, timeout=WAIT)
    assert win.start_recording(str(tmp_path / "live.csv"))
    lis = win.session.listener
    qtbot.waitUntil(lambda: lis.history.span > 40.0 and win.plot.t_last is not None, timeout=WAIT)
    # a port's status bar: link facts, and the session time of "now"
    qtbot.waitUntil(lambda: "dropped" in win.status.link.text(), timeout=WAIT)
    assert "latency p99" in win.status.link.text() and win.status.link.text().startswith("session ")
    assert not win.status.device.text().startswith("file ")

    qtbot.keyClick(win, Qt.Key.Key_F)  # freeze: the view stays, the data keep coming and recording
    assert not win.nav.live and win.nav.bar.isVisible()
    assert "paused — view frozen" in win.nav.bar.label.text()
    frozen = x_range(win)
    assert frozen[1] - frozen[0] == pytest.approx(win.window_s, abs=0.01)
    assert 0.0 < frozen[1] <= lis.history.span + 0.01  # session seconds, not seconds before now
    samples, rows = lis.samples, win.session.recorder.rows
    qtbot.waitUntil(lambda: lis.samples > samples + 100 and win.session.recorder.rows > rows, timeout=WAIT)
    assert x_range(win) == pytest.approx(frozen)
    assert win.readouts.force_value.text() not in ("", "—")  # the readouts still follow the force

    qtbot.keyClick(win, Qt.Key.Key_Left)  # a quarter back
    a, b = x_range(win)
    assert b - a == pytest.approx(frozen[1] - frozen[0], rel=1e-6) and a < frozen[0]
    qtbot.keyClick(win, Qt.Key.Key_Plus)  # zoom in: half the span around the centre
    a2, b2 = x_range(win)
    assert b2 - a2 == pytest.approx((b - a) / 2, rel=1e-6)
    assert (a2 + b2) / 2 == pytest.approx((a + b) / 2, abs=1e-6)
    qtbot.keyClick(win, Qt.Key.Key_Home)  # the whole session so far
    a3, b3 = x_range(win)
    assert a3 <= 0.0 + 0.05 * (b3 - a3) and b3 >= lis.history.span - 2.0
    for curve in (win.plot.raw_curve, win.plot.filt_curve):  # what paint draws: a path, no error
        assert curve.getPath().elementCount() > 0

    qtbot.keyClick(win, Qt.Key.Key_End)  # back to live: the axis is "seconds before now" again
    assert win.nav.live and not win.nav.bar.isVisible()
    assert x_range(win) == pytest.approx((-win.window_s, 0.0))
    assert win.plot.plot_item.getAxis("bottom").labelText == LIVE_LABEL
    last = win.plot.t_last
    qtbot.waitUntil(lambda: win.plot.t_last is not None and win.plot.t_last != last, timeout=WAIT)
    x, _ = win.plot.filt_curve.getData()
    assert x is not None and x.max() == pytest.approx(0.0, abs=0.1)  # the newest sample at "now"
    for curve in (win.plot.raw_curve, win.plot.filt_curve):
        assert curve.getPath().elementCount() > 0

    # the mouse wheel over the plot zooms the time axis, and that freezes the view too
    vp = win.plot.viewport()
    centre = QPointF(vp.width() / 2, vp.height() / 2)
    wheel = QWheelEvent(centre, QPointF(vp.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(vp, wheel)
    qtbot.waitUntil(lambda: not win.nav.live, timeout=WAIT)
    a4, b4 = x_range(win)
    assert b4 - a4 < win.window_s and b4 > 0.0  # zoomed in, now in session seconds
    qtbot.keyClick(win, Qt.Key.Key_F)  # F again: live
    assert win.nav.live
    win.close()


def test_scrolling_back_past_the_ring_draws_the_sessions_envelope(window, qtbot):
    """The ring keeps the last few seconds here; Home shows the whole minute from the history."""
    from test_dashboard import Feed  # the reader thread, played by hand

    win = window
    feed = Feed(win, DetectorConfig(sample_rate=100.0))
    feed.listener.ring = SampleRing(capacity=500)  # five seconds at 100 Hz
    for k in range(60):
        feed.samples(float(k), float(k + 1), 40.0 if 10 <= k < 12 else 10.0, STATE_HOLD)
    qtbot.waitUntil(lambda: win.plot.t_last is not None and win.plot.t_last > 59.0, timeout=WAIT)
    qtbot.keyClick(win, Qt.Key.Key_Home)
    assert not win.nav.live
    a, b = x_range(win)
    assert a <= 0.0 and b >= 59.0
    x, y = win.plot.raw_curve.getData()
    assert x is not None and x.min() <= 0.5 and x.max() >= 59.0  # from the first second on
    assert np.nanmax(y) == 40.0  # the press at 10-12 s, long gone from the ring
    assert "of 0:59" in win.nav.bar.label.text() or "of 1:00" in win.nav.bar.label.text()

    # a drag to the right over the plot pans back in time (the time axis only)
    qtbot.keyClick(win, Qt.Key.Key_Plus)
    qtbot.keyClick(win, Qt.Key.Key_Plus)
    a, b = x_range(win)
    vp = win.plot.viewport()
    y = vp.height() // 2
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=QPoint(vp.width() // 2, y))
    for dx in range(10, 210, 10):
        qtbot.mouseMove(vp, QPoint(vp.width() // 2 + dx, y))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=QPoint(vp.width() // 2 + 200, y))
    qtbot.waitUntil(lambda: x_range(win)[0] < a - 1.0, timeout=WAIT)
    a2, b2 = x_range(win)
    assert b2 - a2 == pytest.approx(b - a, rel=1e-3) and not win.nav.live


# --------------------------------------------------------------------------------------------------
# a replay: its file's facts, its position, its speed, its end
# --------------------------------------------------------------------------------------------------
def test_a_replay_shows_its_file_position_speed_and_end(window, qtbot):
    win = window
    rec = read_recording(EXAMPLE)
    length = clock(rec.duration)
    win.open_replay(str(EXAMPLE), speed=None, until=float(rec.t[0]) + 60.0)
    qtbot.waitUntil(lambda: win.session is not None and win.session.source.paused, timeout=WAIT)
    qtbot.waitUntil(lambda: win.status.link.text() == f"replay 1:00 / {length} · paused", timeout=WAIT)
    dev = win.status.device.text()
    assert dev.startswith("file example_session.csv") and "100 Hz" in dev and f"{length} long" in dev
    for word in ("dropped", "CRC", "latency"):  # a file has no link
        assert word not in win.status.link.text() and word not in dev
    assert win.tools.speed_combo.currentText() == "max"  # the speed it replays at

    win.session.source.resume()
    qtbot.waitUntil(lambda: win.readouts.state_value.text() == "replay ended", timeout=WAIT)
    qtbot.waitUntil(lambda: win.status.link.text() == f"replay ended · {length} / {length}", timeout=WAIT)

    # `dash --replay FILE --speed 2`: the box says 2×, without making it the remembered choice
    win.open_replay(str(EXAMPLE), speed=2.0)
    qtbot.waitUntil(lambda: win.session is not None and win.session.kind == "replay"
                    and win.tools.speed_combo.currentText() == "2×", timeout=WAIT)
    assert win.session.source.speed == 2.0
    qtbot.waitUntil(lambda: win.status.link.text().endswith("· 2×"), timeout=WAIT)
    assert win.settings.value("speed") is None


def test_the_open_row_counts_an_exit_the_plot_already_marks(window):
    """The open hold's statistics trail real time by about a second; its exits and markers do not."""
    from nmt_pressure.core.events import Event
    from nmt_pressure.dashboard.model import OpenHold

    win = window
    win.vm.events_seen.append(Event("band_exit", 12.0, 12.2, "high", 33.0))
    win.vm.markers_seen.append(12.5)
    hold = OpenHold(start=5.0, confirmed=6.0, level=30.0, band=(27.0, 33.0), t_now=11.0, mean=30.5,
                    sd=0.5, cv=0.016, drift_per_s=0.2, in_band=0.9)
    win.table.set_open(hold)
    row = [win.table.item(0, c).text() for c in range(win.table.columnCount())]
    assert row[col("exits")] == "1" and row[col("markers")] == "1"
