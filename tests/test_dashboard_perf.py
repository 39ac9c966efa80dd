"""What keeps the dashboard cheap, checked as behaviour (never as timing): it draws nothing when nothing
changed, draws about two points a pixel column that keep every column's min and max (a one-sample
spike included), redraws at the configured rate (30 Hz, faster only while the force moves), keeps its
plot items across frames, and the link's latency percentile is one numpy call over an array.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import numpy as np
import pytest
from dashwin import dash_settings, shown_window

from nmt_pressure import DetectorConfig
from nmt_pressure.core.events import STATE_CONTACT, STATE_IDLE
from nmt_pressure.dashboard import window as window_mod
from nmt_pressure.dashboard.controller import Session
from nmt_pressure.dashboard.decimate import ColumnCache, minmax_columns
from nmt_pressure.dashboard.plotview import PlotView
from nmt_pressure.link.calibration import DeviceInfo, Samples
from nmt_pressure.link.reader import LatencyLog, LinkStats


@pytest.fixture(autouse=True)
def _no_user_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NMT_PRESSURE_SETTINGS", str(tmp_path / "settings.ini"))


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> Any:
    yield from shown_window(qtbot, dash_settings(tmp_path), exposed=True)


class QuietSource:
    """A source whose thread never runs: the test plays the reader thread."""

    def __init__(self) -> None:
        self.detector = SimpleNamespace(holds=[])
        self.info = DeviceInfo(name="synthetic", fmt="test", rate=1000.0)
        self.fatal: str | None = None

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def join(self, timeout: float | None = None) -> None: ...
    def send(self, command: str) -> None: ...

    def finish(self) -> list[Any]:
        return []

    def summary(self) -> dict[str, Any]:
        return {"events": [], "holds": []}

    @property
    def running(self) -> bool:
        return False


class Feed:
    """Hands the window's listener blocks of samples, as the reader thread would, at 1 kHz."""

    def __init__(self, win: Any) -> None:
        c = win.controller
        c.gen += 1
        cfg = DetectorConfig()
        listener, fan = c.new_listener(c.gen, cfg)
        listener.source = QuietSource()
        c.begin(Session(c.gen, "replay", listener.source, listener, fan, cfg))
        self.listener = listener
        self.n = 0  # samples so far

    def samples(self, force: np.ndarray, state: int = STATE_CONTACT) -> None:
        t = (self.n + np.arange(force.size)) / 1000.0
        self.n += force.size
        f = force.astype(np.float64)
        self.listener.on_samples(Samples(t=t, force=f, raw=f, flags=np.zeros(t.size, dtype=np.int64),
                                         device_t_last=float(t[-1]), filtered=f), float(f[-1]), state)


# ------------------------------------------------------------------------------------------------
# decimation
# ------------------------------------------------------------------------------------------------
def test_decimation_keeps_every_columns_min_and_max_and_a_one_sample_spike() -> None:
    rng = np.random.default_rng(1)
    t = np.arange(30_000) / 1000.0
    y = 20.0 + rng.normal(0.0, 0.3, t.size)
    y[12_345] = 80.0  # one sample: the hand's slip, a knock on the cell
    y[20_001] = -5.0
    keep = np.ones(t.size, dtype=bool)
    keep[15_000:16_000] = False  # a gap in the data: its columns are simply absent
    t, y = t[keep], y[keep]
    dt = 30.0 / 997  # a 997-pixel plot
    xs, ys = minmax_columns(t, y, dt)
    assert xs.size == ys.size and xs.size <= 2 * (997 + 1)
    assert ys.max() == 80.0 and ys.min() == -5.0
    col = np.floor(t / dt).astype(np.int64)
    cols = np.unique(col)
    assert xs.size == 2 * cols.size
    for k, c in enumerate(cols):  # every column: exactly its raw min, then its raw max, at its centre
        in_col = y[col == c]
        assert ys[2 * k] == in_col.min() and ys[2 * k + 1] == in_col.max()
        assert xs[2 * k] == xs[2 * k + 1] == pytest.approx((c + 0.5) * dt)


def test_decimation_of_nothing_is_nothing() -> None:
    xs, ys = minmax_columns(np.empty(0), np.empty(0), 0.03)
    assert xs.size == 0 and ys.size == 0


def test_the_plot_draws_about_two_points_a_pixel_column_and_keeps_a_spike(qtbot: Any) -> None:
    view = PlotView(30.0, "N")
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.show()
    qtbot.waitExposed(view)
    t = np.arange(30_000) / 1000.0
    raw = 10.0 + 0.2 * np.sin(t * 40.0)
    raw[29_000] = 55.0
    assert view.draw(t, raw, raw.copy())
    x, y = view.raw_curve.getData()
    width = view.plot_item.getViewBox().width()
    assert x.size <= 2 * (width + 2), (x.size, width)  # not 30 000 points
    assert y.max() == 55.0  # the one-sample spike is still drawn
    assert view.columns_drawn >= 0.9 * width
    assert x.min() >= -30.0 - 1.0 and x.max() <= 0.0


def test_plot_items_are_kept_across_frames(qtbot: Any) -> None:
    view = PlotView(30.0, "N")
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.show()
    t = np.arange(5000) / 1000.0
    view.draw(t, np.full(t.size, 10.0), np.full(t.size, 10.0))
    items = list(view.plot_item.items)
    for k in range(1, 6):  # new samples, the same range: the same curves, grid lines and bands
        tk = t + 0.033 * k
        view.draw(tk, np.full(t.size, 10.0), np.full(t.size, 10.0))
    assert list(view.plot_item.items) == items


# ------------------------------------------------------------------------------------------------
# redraw only what changed, at the rate a person can use
# ------------------------------------------------------------------------------------------------
def test_the_redraw_timer_runs_at_most_30_hz_the_readouts_and_status_slower(window: Any) -> None:
    assert window.redraw_timer.isActive()
    assert 1000.0 / window.redraw_timer.interval() <= 30.0
    assert window.readout_timer.interval() >= window_mod.READOUT_MS >= 100
    assert window.status_timer.interval() >= 500


def test_the_view_does_not_redraw_when_nothing_changed(window: Any, qtbot: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    feed = Feed(window)
    feed.samples(np.full(3000, 12.0))
    draws: list[int] = []
    original = window.plot.draw
    monkeypatch.setattr(window.plot, "draw", lambda *a: draws.append(1) or original(*a))
    qtbot.waitUntil(lambda: len(draws) == 1, timeout=3000)  # the timer drew the new samples once
    qtbot.waitUntil(lambda: window.plot.paints.count > 0, timeout=3000)
    # Watched from here: the frames (curve data handed to Qt, hence paints) and the readouts.
    set_data: list[int] = []
    for curve in (window.plot.raw_curve, window.plot.filt_curve):
        monkeypatch.setattr(curve, "setData",
                            lambda *a, _o=curve.setData, **k: set_data.append(1) or _o(*a, **k))
    readouts: list[int] = []
    monkeypatch.setattr(window.readouts, "show_view", lambda vm: readouts.append(1))
    # The first block's news (contact, its state) reaches the window as queued signals, late on a busy
    # machine, and is shown when it comes; the test starts once it has all come (0.3 s quiet, 15 s at most).
    for _ in range(50):
        readouts.clear()
        qtbot.wait(300)
        if not readouts:
            break
    draws_before = len(draws)
    for _ in range(5):
        window._redraw()
        window._readout_tick()
    qtbot.wait(300)  # ~9 ticks of the redraw timer, 3 of the readouts': a paused replay, a silent device
    assert draws_before == 1 and draws == [1]
    assert readouts == []
    assert set_data == []  # no new points handed to the curves: nothing for Qt to repaint
    feed.samples(np.full(20, 12.5))  # news: drawn and shown again
    qtbot.waitUntil(lambda: len(draws) == 2 and len(readouts) >= 1 and bool(set_data), timeout=10000)


def test_faster_only_while_the_force_moves(window: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    rest_ms = window.redraw_timer.interval()
    feed = Feed(window)
    feed.samples(np.full(2000, 0.0), STATE_IDLE)
    window._redraw()
    assert window.redraw_timer.interval() == rest_ms and not window.moving_pace
    feed.samples(np.linspace(0.0, 30.0, 1000))  # a ramp: 30 N/s
    window._redraw()
    assert window.moving_pace
    assert window.redraw_timer.interval() < rest_ms
    monkeypatch.setattr(window_mod, "FAST_HOLD_S", 0.0)
    feed.samples(np.full(500, 30.0))  # held still: back to the resting rate
    window._redraw()
    assert not window.moving_pace
    assert window.redraw_timer.interval() == rest_ms


# ------------------------------------------------------------------------------------------------
# the reader's side
# ------------------------------------------------------------------------------------------------
def test_the_latency_percentile_is_over_the_kept_latencies() -> None:
    log = LatencyLog(maxlen=1000)
    assert log.percentile(99.0) is None and len(log) == 0
    values = np.random.default_rng(2).exponential(0.002, 2500)
    for v in values:
        log.append(float(v))
    assert len(log) == 1000
    assert log.percentile(99.0) == pytest.approx(float(np.percentile(values[-1000:], 99.0)))
    st = LinkStats()
    st.latencies_s.append(0.004)
    assert st.latency_p99_ms() == pytest.approx(4.0)


def test_the_kept_columns_equal_a_fresh_decimation_whatever_the_blocks() -> None:
    """Frame by frame, only the new samples are decimated: the picture is the one of all samples."""
    rng = np.random.default_rng(3)
    t = np.arange(20_000) / 1000.0
    y = np.cumsum(rng.normal(0.0, 0.5, t.size))
    y[7_777] += 40.0  # a one-sample spike inside a block
    f = y * 0.5
    dt = 0.0301
    cache = ColumnCache(traces=2)
    i = 0
    while i < t.size:
        j = min(t.size, i + int(rng.integers(1, 80)))
        lo = max(0, i - int(rng.integers(0, 50)))  # sometimes a block overlaps what was handed before
        cache.update(t[lo:j], (y[lo:j], f[lo:j]), dt, t_min=-np.inf)
        i = j
    for k, trace in enumerate((y, f)):
        xs, ys = cache.points(k)
        fx, fy = minmax_columns(t, trace, dt)
        assert np.array_equal(ys, fy) and np.allclose(xs, fx)
    assert cache.points(0)[1].max() == y.max()
    cache.update(t[-10:], (y[-10:], f[-10:]), dt, t_min=15.0)  # the window moves on
    assert ((cache.col + 1) * dt > 15.0).all() and cache.col.size < 200
