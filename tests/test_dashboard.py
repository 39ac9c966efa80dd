"""The dashboard and the replayer: real widgets, real recordings, real simulator processes.

Alerts, the hold table and replays are checked against ``analyze`` on the same data; the ``dash``
command runs as a user (and the acceptance check) runs it. Settings always go to a temporary file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import numpy as np
import pytest
from dashwin import dash_settings, shown_window
from PySide6.QtCore import QSettings, Qt

from nmt_pressure import DetectorConfig
from nmt_pressure.analysis.replay import Replayer, parse_speed
from nmt_pressure.cli.main import main as cli_main
from nmt_pressure.core.events import STATE_CONTACT, STATE_HOLD, STATE_MOVING, Event, Hold
from nmt_pressure.dashboard.app import display_problem
from nmt_pressure.dashboard.controller import Session
from nmt_pressure.dashboard.drill_panel import band_state
from nmt_pressure.dashboard.holdstable import col, hold_row
from nmt_pressure.dashboard.model import SampleRing, band_of
from nmt_pressure.dashboard.window import DashboardWindow
from nmt_pressure.io.recording import read_recording, write_recording
from nmt_pressure.link.calibration import DeviceInfo, Samples
from nmt_pressure.link.listeners import Listener

PY = sys.executable
SUMMARY_KEYS = {"samples", "dropped", "crc_errors", "reconnects", "latency_p99_ms", "events", "fps"}


# --------------------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def drift_file(tmp_path_factory: pytest.TempPathFactory, trace: Any) -> Path:
    """Two holds that drift slowly out of their bands: the first too high (and back after a second
    there: too short to be a slow step onto a new barrier), the second too low; at 500 Hz with noise
    and tremor, written as another device's plain recording."""
    tr = (trace(rate=500.0).rest(1.0).ramp(30.0, 1.0).hold(4.0)
          .drift(0.25, 5.0).hold(1.0).drift(-0.2, 4.0).hold(2.5).release(0.4).rest(1.5)
          .ramp(20.0, 0.8).hold(4.0).drift(-0.25, 5.0).hold(2.0).release(0.4).rest(1.0))
    t, f = tr.build(noise=0.05, tremor=0.01, seed=3)
    path = tmp_path_factory.mktemp("dash") / "drift.csv"
    write_recording(path, t, f, {"device": "synthetic"})
    return path


def analyze_cli(path: Path, tmp: Path, *flags: str) -> dict[str, Any]:
    out = tmp / f"{path.stem}.analysis.json"
    assert cli_main(["analyze", str(path), "--json", str(out), *flags]) == 0
    return json.loads(out.read_text())


def as_events(dicts: list[dict[str, Any]]) -> list[Event]:
    return [Event(**d) for d in dicts]


def as_holds(dicts: list[dict[str, Any]]) -> list[Hold]:
    return [Hold(**d) for d in dicts]


@pytest.fixture(autouse=True)
def _no_user_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever runs here (in-process or as a child) keeps its settings in a temporary file."""
    monkeypatch.setenv("NMT_PRESSURE_SETTINGS", str(tmp_path / "settings.ini"))


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return dash_settings(tmp_path)


@pytest.fixture
def window(qtbot: Any, settings: QSettings) -> Any:
    yield from shown_window(qtbot, settings)


# --------------------------------------------------------------------------------------------------
# the replayer (no Qt)
# --------------------------------------------------------------------------------------------------
class Collect(Listener):
    def __init__(self) -> None:
        self.events: list[Event] = []
        self.samples = 0
        self.markers: list[float] = []
        self.lock = threading.Lock()

    def on_samples(self, block: Any, filtered: float, state: int) -> None:
        self.samples += int(block.t.size)
        assert block.filtered is not None and block.filtered.shape == block.t.shape

    def on_event(self, event: Event) -> None:
        self.events.append(event)

    def on_marker(self, t: float) -> None:
        self.markers.append(t)


@pytest.mark.parametrize("block_s", [0.01, 0.0037, 0.25])
def test_replay_gives_exactly_the_events_of_analyze(drift_file, tmp_path, block_s):
    expected = analyze_cli(drift_file, tmp_path)
    got = Collect()
    rep = Replayer(drift_file, got, speed=None, block_s=block_s)
    rep.start()
    rep.join(30)
    assert not rep.running and rep.fatal is None and rep.finished
    assert [e.to_dict() for e in rep.finish()] == expected["events"]
    assert got.events == as_events(expected["events"])
    assert [h.to_dict() for h in rep.detector.holds] == expected["holds"]
    kinds = [e["kind"] for e in expected["events"]]
    assert kinds.count("band_exit") == 2 and kinds.count("band_enter") >= 1
    assert got.samples == len(read_recording(drift_file))
    summary = rep.summary()
    assert summary["events"] == expected["events"] and summary["samples"] == got.samples


def test_replay_uses_the_recordings_own_settings_and_markers(drift_file, tmp_path):
    """A live recording carries its detector configuration (here a fixed band) and its markers."""
    rec = read_recording(drift_file)
    cfg = DetectorConfig(sample_rate=500.0, target=26.0, tolerance=0.12, alert_debounce=0.3)
    live = tmp_path / "live.csv"
    write_recording(live, rec.t, rec.force_n, {"detector_config": json.dumps(cfg.to_dict())})
    Path(str(live) + ".events.jsonl").write_text(
        '{"kind": "marker", "t": 3.5}\n{"kind": "hold_start", "t": 1}\n{"kind": "marker", "t": 12.25}\n{"ki')
    expected = analyze_cli(live, tmp_path)
    assert expected["events"] != analyze_cli(drift_file, tmp_path)["events"]  # the settings matter
    got = Collect()
    rep = Replayer(live, got, speed=None)
    assert rep.cfg.target == 26.0 and rep.cfg.alert_debounce == 0.3
    rep.start()
    rep.join(30)
    rep.finish()
    assert [e.to_dict() for e in rep.events] == expected["events"]
    assert got.markers == [3.5, 12.25]


def test_replay_paces_holds_and_moves_on(tmp_path, trace):
    t, f = trace(rate=200.0).rest(0.5).ramp(10.0, 0.5).hold(1.0).release(0.3).rest(0.2).build(seed=1)
    path = tmp_path / "short.csv"
    write_recording(path, t, f)
    got = Collect()
    rep = Replayer(path, got, speed=parse_speed("4"), until=1.0)
    t0 = time.monotonic()
    rep.start()
    deadline = time.monotonic() + 5
    while not rep.paused and time.monotonic() < deadline:
        time.sleep(0.01)
    assert rep.paused and rep.position is not None and 0.99 <= rep.position <= 1.0
    assert time.monotonic() - t0 >= 0.2  # 1 s of device time at 4x
    rep.advance(None)
    rep.join(10)
    elapsed = time.monotonic() - t0
    assert rep.finished and got.samples == t.size
    assert elapsed >= 0.9 * (t[-1] - t[0]) / 4.0
    assert parse_speed("max") is None and parse_speed("1x") == 1.0
    with pytest.raises(ValueError):
        parse_speed("2")


def test_sample_ring_wraps_and_stays_contiguous():
    ring = SampleRing(capacity=50)
    t = np.arange(0, 137, dtype=np.float64) * 0.01
    for i in range(0, t.size, 9):  # blocks that straddle the wrap
        ring.append(t[i:i + 9], -t[i:i + 9], 2 * t[i:i + 9])
    tt, raw, filt = ring.latest(10.0)
    assert np.array_equal(tt, t[-50:]) and np.array_equal(raw, -t[-50:]) and np.array_equal(filt, 2 * t[-50:])
    tt, _, _ = ring.latest(0.1)
    assert np.allclose(tt, t[-11:])
    ts, fs = ring.since(1.30)
    assert np.allclose(ts, t[130:]) and np.allclose(fs, 2 * t[130:])
    ring.append(np.arange(200.0), np.zeros(200), np.zeros(200))  # more than the capacity at once
    assert np.array_equal(ring.latest(1e9)[0], np.arange(150.0, 200.0)) and ring.last_t == 199.0


# --------------------------------------------------------------------------------------------------
# the window
# --------------------------------------------------------------------------------------------------
def test_band_alert_appears_clears_and_the_hold_table_matches_analyze(window, qtbot, drift_file, tmp_path):
    expected = analyze_cli(drift_file, tmp_path)
    events = as_events(expected["events"])
    exits = [e for e in events if e.kind == "band_exit"]
    high = next(e for e in exits if e.direction == "high")
    back = next(e for e in events if e.kind == "band_enter" and e.t_detected > high.t_detected)
    low = next(e for e in exits if e.direction == "low")
    win = window
    win.set_muted(False)

    win.open_replay(str(drift_file), speed=None, until=high.t_detected + 0.05)
    qtbot.waitUntil(lambda: win.alert_direction == "high", timeout=10000)
    ro = win.readouts
    assert ro.alert == "high" and ro.property("alert") == "high"
    assert ro.alert_value.text() == "TOO MUCH"
    assert win.flashing
    qtbot.waitUntil(lambda: ro.flash, timeout=2000)  # the readout flashes
    band = win.band_colour
    assert band is not None and band.red() > 2 * band.green()  # the band turned red
    assert win.sound.played == 1
    # The band on the plot is the one that alerted: centred on the settled level the exit carries.
    assert win.plot.open_band is not None and high.level is not None
    edges = (win.plot.open_band.lo, win.plot.open_band.hi)
    assert edges == pytest.approx(band_of(win.session.cfg, high.level))
    held = ro.timer_value.text()
    # the hold's time so far; it stops where the core began classifying the drift (issue 14, item 3)
    assert held.endswith(" s") and \
        events[1].t_detected - events[1].t - 0.1 <= float(held[:-2]) <= high.t_detected - events[1].t + 0.1

    win.session.source.advance(back.t_detected + 0.05)
    qtbot.waitUntil(lambda: win.alert_direction == "", timeout=10000)
    # The core may still be classifying the drift when the band enter is told (the averaged force
    # it also watches comes back a little after the force): "moving" until it has, then "in band".
    qtbot.waitUntil(lambda: ro.alert_value.text() == "in band", timeout=5000)
    assert ro.alert == "" and not win.flashing
    band = win.band_colour
    assert band is not None and band.green() > band.red()

    win.session.source.advance(low.t_detected + 0.05)
    qtbot.waitUntil(lambda: win.alert_direction == "low", timeout=10000)
    assert ro.alert_value.text() == "TOO LITTLE" and ro.property("alert") == "low"
    assert win.sound.played == 2

    win.session.source.resume()
    holds = as_holds(expected["holds"])
    qtbot.waitUntil(lambda: win.session.source.finished and len(win.table.holds) == len(holds),
                    timeout=10000)
    qtbot.waitUntil(lambda: len(win.events_seen) == len(events), timeout=5000)
    assert win.events_seen == events
    assert win.table.holds == holds  # the core's own Hold objects, as analyze gives them
    t0 = float(read_recording(drift_file).t[0])  # the table counts session seconds from the first sample
    assert win.table.rows_text() == [  # each hold's band exits are the core's, from analyze
        hold_row(i + 1, h, t0=t0, band=band_of(win.session.cfg, h.level),
                 exits=sum(1 for e in exits if h.start <= e.t <= h.end)) for i, h in enumerate(holds)]
    assert [r[col("ended by")] for r in win.table.rows_text()] == ["release", "release"]
    assert win.alert_direction == "" and win.alerts_raised == 2  # one per band exit, no storm

    win.set_unit("lb")  # a display option: the table and readouts speak pounds-force
    assert win.table.rows_text()[0][3] == f"{holds[0].level / 4.4482216152605:.2f}"  # the readouts' decimals


def test_live_simulator_marker_key_recording_and_clean_exit(qtbot, settings, tmp_path):
    script = tmp_path / "press.txt"
    script.write_text("idle 0.5\nramp 0.8 to 25\nhold 30\nrelease 0.4\nidle 2\n")
    win = DashboardWindow(settings=settings)
    qtbot.addWidget(win)
    win.show()
    win.start_sim(rate=500, script=str(script))
    qtbot.waitUntil(lambda: win.session is not None and win.session.connected, timeout=15000)
    sim = win.sim
    assert sim is not None and sim.alive
    rec_path = tmp_path / "live.csv"
    assert win.start_recording(str(rec_path))
    qtbot.waitUntil(lambda: any(e.kind == "hold_start" for e in win.events_seen), timeout=15000)
    qtbot.keyClick(win, Qt.Key.Key_Space)  # the client says "too much": MARK goes to the device
    qtbot.waitUntil(lambda: len(win.markers_seen) == 1, timeout=5000)
    assert win.readouts.state_value.text() in ("holding", "stepping")
    assert win.readouts.alert_value.text() == "in band"
    qtbot.keyClick(win, Qt.Key.Key_R)  # stops the recording
    assert win.session.recorder is None and "recording saved" in win.message
    rec = read_recording(rec_path)
    assert len(rec) > 500 and rec.metadata["device"].startswith("nmt-sim")
    sidecar = [json.loads(x) for x in Path(str(rec_path) + ".events.jsonl").read_text().splitlines()]
    assert any(e["kind"] == "marker" for e in sidecar)  # it came back through the stream
    summary = win.summary()
    assert summary["samples"] > 500 and summary["dropped"] == 0 and summary["fps"] > 0
    proc = sim.proc
    proc.kill()  # the device vanishes: a banner says so while the reader tries again
    qtbot.waitUntil(lambda: win.banner.isVisible(), timeout=10000)
    assert win.banner.text().startswith("Device lost") and "Reconnecting" in win.banner.text()
    assert win.alert_direction == "" and win.session is not None and not win.session.stopping
    win.start_sim(rate=500, script=str(script))  # a new simulator: the banner goes
    qtbot.waitUntil(lambda: win.session is not None and win.session.connected, timeout=15000)
    assert not win.banner.isVisible()
    proc = win.sim.proc
    win.close()
    assert proc.poll() is not None  # the simulator went with the window


def test_a_simulator_that_cannot_start_says_why_and_goes(qtbot, settings, tmp_path):
    win = DashboardWindow(settings=settings)
    qtbot.addWidget(win)
    win.show()
    win.start_sim(rate=500, script=str(tmp_path / "no-such-hand.txt"))
    assert win.sim is not None and win.tools.act_sim.text() == "Stop simulator"
    qtbot.waitUntil(lambda: win.sim is None, timeout=15000)
    assert win.message.startswith("the simulator did not start (") and "cannot read script" in win.message
    assert win.session is None and win.tools.act_sim.text() == "Simulator"
    qtbot.keyClick(win, Qt.Key.Key_S)  # the S key starts the built-in one, which does start
    qtbot.waitUntil(lambda: win.session is not None and win.session.connected, timeout=15000)
    proc = win.sim.proc
    qtbot.keyClick(win, Qt.Key.Key_S)  # and stops it
    qtbot.waitUntil(lambda: win.sim is None and win.session is None, timeout=15000)
    assert proc.poll() is not None
    win.close()


def test_settings_are_remembered_in_the_given_place(qtbot, settings, tmp_path):
    win = DashboardWindow(settings=settings)
    qtbot.addWidget(win)
    win.tools.goal_spin.setValue(15)
    win.set_unit("kg")
    win.set_muted(True)
    assert win.set_band(40.0, 0.05)
    win.close()
    again = DashboardWindow(settings=QSettings(settings.fileName(), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    assert again.goal_s == 15 and again.unit == "kg" and again.sound.muted
    assert again.cfg.target == 40.0 and again.cfg.tolerance == 0.05
    assert again.plot.plot_item.getAxis("left").labelText == "force (kg)"
    assert "goal 15 s" in again.readouts.goal_value.text()
    again.close()
    assert Path(settings.fileName()).is_file()


# --------------------------------------------------------------------------------------------------
# the command
# --------------------------------------------------------------------------------------------------
def dash(tmp_path: Path, *args: str, env: dict[str, str] | None = None,
         timeout: float = 60) -> subprocess.CompletedProcess[str]:
    e = dict(os.environ if env is None else env)
    e.setdefault("NMT_PRESSURE_SETTINGS", str(tmp_path / "settings.ini"))
    return subprocess.run([PY, "-m", "nmt_pressure", "dash", *args], capture_output=True, text=True,
                          timeout=timeout, check=False, env=e)


def test_unattended_run_against_the_simulator(tmp_path):
    png, js = tmp_path / "d.png", tmp_path / "d.json"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    p = dash(tmp_path, "--sim", "--duration", "3", "--screenshot", str(png), "--summary-json", str(js),
             env=env)
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    s = json.loads(js.read_text())
    assert set(s) >= SUMMARY_KEYS
    assert s["fps"] > 0 and s["samples"] > 500 and s["dropped"] == 0
    assert s["device"].startswith("nmt-sim")


def test_unattended_replay_reproduces_analyze(tmp_path, drift_file):
    js = tmp_path / "r.json"
    p = dash(tmp_path, "--replay", str(drift_file), "--speed", "max", "--duration", "2.5",
             "--summary-json", str(js), "--target", "27", "--tolerance", "15%")
    assert p.returncode == 0, p.stderr
    s = json.loads(js.read_text())
    expected = analyze_cli(drift_file, tmp_path, "--target", "27", "--tolerance", "15%")
    assert s["events"] == expected["events"] and s["holds"] == expected["holds"]
    assert len(s["hold_table"]) == len(expected["holds"])


def test_without_a_display_it_says_so_in_one_sentence(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    p = dash(tmp_path, "--sim", env=env, timeout=30)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert "no display" in lines[0] and "nmt-pressure monitor" in lines[0]
    assert "QT_QPA_PLATFORM=offscreen" in lines[0]
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert display_problem({"DISPLAY": ":0"}, "darwin") is None
    assert display_problem({}, "linux") is not None


@pytest.mark.parametrize(("args", "needle"), [
    (["--port", "/dev/nmt-no-such-port"], "no device at /dev/nmt-no-such-port"),
    (["--replay", "no-such-recording.csv"], "does not exist"),
    (["--sim", "--rate", "0"], "--rate"),
    (["--sim", "--target", "1"], "--target"),
])
def test_user_errors_are_one_sentence(args, needle, capsys, qapp):
    assert cli_main(["dash", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0], err


def test_alert_cue_uses_a_system_player_without_qtmultimedia(qtbot, tmp_path, monkeypatch):
    """Without QtMultimedia the cue is a WAV played by the platform's player, never waited for."""
    import os
    import stat
    import time as _time

    from nmt_pressure.dashboard import sound

    played = tmp_path / "played"
    fake = tmp_path / "aplay"
    # Written aside and renamed: the test must never read the file between its creation and its line.
    fake.write_text(f"#!/bin/sh\necho \"$@\" > {played}.part && mv {played}.part {played}\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setattr(sound, "PLAYERS", (("aplay", "-q"),))
    cue = sound.AlertSound()
    if cue.backend == "qsoundeffect":
        pytest.skip("QtMultimedia is installed here: the player fallback is not used")
    assert cue.backend == "aplay"
    cue.play()
    deadline = _time.monotonic() + 30  # a player started on a busy machine
    while not played.exists() and _time.monotonic() < deadline:
        _time.sleep(0.05)
    args = played.read_text().split()
    assert args[0] == "-q" and args[1].endswith("alert.wav") and os.path.getsize(args[1]) > 1000
    cue.muted = True
    cue.play()
    assert cue.played == 1
    cue.close()


# --------------------------------------------------------------------------------------------------
# the window, fed the core's newer news directly: "moving", holds that end "left", releases that keep
# light contact, steps the band follows
# --------------------------------------------------------------------------------------------------
class QuietSource:
    """A source whose thread never runs: the test plays the reader, the detector is a list of holds."""

    def __init__(self) -> None:
        self.detector = SimpleNamespace(holds=[])
        self.info = DeviceInfo(name="synthetic", fmt="test", rate=100.0)
        self.fatal: str | None = None
        self.events: list[Event] = []

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def join(self, timeout: float | None = None) -> None: ...
    def send(self, command: str) -> None: ...

    def finish(self) -> list[Event]:
        return self.events

    def summary(self) -> dict[str, Any]:
        return {"events": [e.to_dict() for e in self.events],
                "holds": [h.to_dict() for h in self.detector.holds]}

    @property
    def running(self) -> bool:
        return False


class Feed:
    """Plays the reader thread for a window: samples, then the block's events, then finished holds."""

    def __init__(self, win: Any, cfg: DetectorConfig) -> None:
        c = win.controller
        c.gen += 1
        self.src = QuietSource()
        listener, fan = c.new_listener(c.gen, cfg)
        listener.source = self.src
        c.begin(Session(c.gen, "replay", self.src, listener, fan, cfg))
        self.listener = listener
        self.t = 0.0  # device time of the next sample

    def samples(self, t0: float, t1: float, force: float, state: int) -> None:
        t = np.arange(round(t0 * 100), round(t1 * 100)) / 100.0
        f = np.full(t.size, float(force))
        self.listener.on_samples(Samples(t=t, force=f, raw=f, flags=np.zeros(t.size, dtype=np.int64),
                                         device_t_last=float(t[-1]), filtered=f), float(force), state)
        self.t = t1

    def flow(self, qtbot: Any, force: float, state: int, until: Any) -> None:
        """Go on streaming (the readouts refresh as data come) until ``until()`` holds."""
        def more() -> bool:
            self.samples(self.t, self.t + 0.02, force, state)
            return bool(until())
        qtbot.waitUntil(more, timeout=5000)

    def event(self, kind: str, t: float, t_detected: float, direction: str | None = None,
              level: float | None = None) -> None:
        e = Event(kind, t, t_detected, direction, level)
        self.src.events.append(e)
        self.listener.on_event(e)

    def hold(self, start: float, end: float, level: float, ended_by: str, tell: bool = True,
             confirmed: float | None = None) -> Hold:
        """A finished hold, told at ``confirmed`` (min_hold after its start by default)."""
        h = Hold(start=start, end=end, level=level, mean=level, sd=0.1, cv=0.1 / level,
                 duration=end - start, time_in_band=end - start, drift_per_s=0.0, ended_by=ended_by,
                 confirmed=start + 1.5 if confirmed is None else confirmed)
        self.src.detector.holds.append(h)
        if tell:
            self.listener.on_hold(h)
        return h


def test_moving_left_and_light_contact_on_the_window(window, qtbot):
    win, ro = window, window.readouts
    feed = Feed(win, DetectorConfig(sample_rate=100.0))
    feed.samples(0.0, 1.0, 10.0, STATE_CONTACT)
    feed.event("contact", 0.5, 0.55, None, 2.1)
    feed.samples(1.0, 3.0, 20.0, STATE_HOLD)
    feed.event("hold_start", 1.0, 2.5, None, 20.0)
    feed.flow(qtbot, 20.0, STATE_HOLD, lambda: win.vm.hold_event is not None and
              ro.state_value.text() == "holding")
    assert ro.alert_value.text() == "in band" and win.plot.open_band is not None
    assert (win.plot.open_band.lo, win.plot.open_band.hi) == pytest.approx((18.0, 22.0))

    # A change inside the hold is being classified: "moving", never "in band" meanwhile.
    feed.flow(qtbot, 23.0, STATE_MOVING, lambda: ro.state_value.text() == "moving")
    assert ro.alert_value.text() == "moving" and ro.moving and not win.flashing
    assert win.vm.hold_event is not None and win.table.open is not None  # the hold is not over yet

    # Back at the level: holding, in band again. Then an alert, which stays while moving.
    feed.flow(qtbot, 20.0, STATE_HOLD, lambda: ro.alert_value.text() == "in band")
    feed.samples(feed.t, feed.t + 0.5, 23.0, STATE_HOLD)
    feed.event("band_exit", feed.t - 0.3, feed.t - 0.15, "high", 20.0)
    qtbot.waitUntil(lambda: win.alert_direction == "high", timeout=5000)
    feed.flow(qtbot, 28.0, STATE_MOVING, lambda: ro.state_value.text() == "moving")
    assert ro.alert_value.text() == "TOO MUCH" and win.flashing

    # The force left and neither came back nor settled: the core closes the hold "left" at the
    # departure's onset (4.6 s), with no event. Band, alert and open row end there. (Its start was
    # dated again once its level had settled, failure mode 65: the window knows it as the hold on
    # show by when it was told.)
    feed.samples(feed.t, feed.t + 1.0, 8.0, STATE_CONTACT)
    feed.hold(1.3, 4.6, 20.0, "left", confirmed=2.5)
    qtbot.waitUntil(lambda: win.vm.hold_event is None, timeout=5000)
    assert win.alert_direction == "" and not win.flashing and ro.alert_value.text() == ""
    assert win.plot.open_band is None and win.plot.bands[-1].t_end == 4.6
    assert win.plot.annotations[-1].t == 4.6 and win.plot.annotations[-1].line.label.format == "left"
    assert feed.listener.open_hold() is None and win.table.open is None
    assert win.table.rows_text()[0][:4] == hold_row(1, win.table.holds[0])[:4]
    assert win.table.rows_text()[0][-1] == "left"
    feed.flow(qtbot, 8.0, STATE_CONTACT, lambda: ro.state_value.text() == "contact")
    assert ro.timer_value.text() == "last 3.3 s" and ro.alert_value.text() == ""

    # A new hold later in the same contact: just hold_start, its own band.
    t0 = feed.t
    feed.samples(t0, t0 + 2.0, 12.0, STATE_HOLD)
    onset = t0 + 0.2
    feed.event("hold_start", onset, t0 + 1.7, None, 12.0)
    feed.flow(qtbot, 12.0, STATE_HOLD,
              lambda: win.plot.open_band is not None and ro.state_value.text() == "holding")
    assert win.plot.open_band.lo == pytest.approx(10.8) and ro.alert_value.text() == "in band"

    # A release that leaves the hand resting at 3 N (above the 2 N threshold): released, then contact.
    t0 = feed.t
    feed.samples(t0, t0 + 1.5, 3.0, STATE_CONTACT)
    feed.hold(onset, t0 + 0.1, 12.0, "release", tell=False)
    feed.event("release", t0 + 0.1, t0 + 1.4, None, 12.0)
    feed.listener.on_hold(feed.src.detector.holds[-1])
    feed.flow(qtbot, 3.0, STATE_CONTACT, lambda: win.vm.hold_event is None and len(win.table.holds) == 2 and
              ro.state_value.text() == "released")
    feed.flow(qtbot, 3.0, STATE_CONTACT, lambda: ro.state_value.text() == "contact")
    assert [r[-1] for r in win.table.rows_text()] == ["left", "release"]
    assert [m.line.label.format for m in win.plot.annotations] == ["left", "release"]


@pytest.mark.parametrize("target", [None, 20.0])
def test_the_band_follows_a_slow_step_in_relative_mode_only(window, qtbot, target):
    win = window
    feed = Feed(win, DetectorConfig(sample_rate=100.0, target=target))
    feed.samples(0.0, 3.0, 20.0, STATE_HOLD)
    feed.event("hold_start", 1.0, 2.5, None, 20.0)
    qtbot.waitUntil(lambda: win.plot.open_band is not None, timeout=5000)
    if target is not None:  # a fixed target: the slow change is drift, the band stays the goal
        feed.samples(3.0, 12.0, 26.0, STATE_HOLD)
        feed.event("band_exit", 6.0, 6.15, "high", 20.0)
        qtbot.waitUntil(lambda: win.alert_direction == "high", timeout=5000)
        assert (win.plot.open_band.lo, win.plot.open_band.hi) == pytest.approx((18.0, 22.0))
        return
    feed.samples(3.0, 12.0, 26.0, STATE_MOVING)
    feed.event("band_exit", 6.0, 6.15, "high", 20.0)  # the old band, during the change
    qtbot.waitUntil(lambda: win.alert_direction == "high", timeout=5000)
    # step (at the change's onset) then band_enter and hold_start at the new level, one sample
    feed.event("step", 4.0, 12.0, "up", 26.0)
    feed.event("band_enter", 11.9, 12.0, None, 20.0)
    feed.event("hold_start", 9.0, 12.0, None, 26.0)
    feed.hold(1.0, 4.0, 20.0, "step")
    feed.samples(12.0, 13.0, 26.0, STATE_HOLD)
    qtbot.waitUntil(lambda: win.vm.hold_event is not None and win.vm.hold_event.level == 26.0, timeout=5000)
    # "stepping" for a moment after the step, then the new hold's state
    feed.flow(qtbot, 26.0, STATE_HOLD, lambda: win.readouts.state_value.text() == "holding")
    assert win.alert_direction == "" and win.readouts.alert_value.text() == "in band"
    assert (win.plot.open_band.lo, win.plot.open_band.hi) == pytest.approx((23.4, 28.6))
    assert win.plot.bands[0].t_end == 4.0 and win.plot.open_band.t0 == 12.0
    assert "band 23.4–28.6 N" in win.readouts.level_value.text()
    assert [m.line.label.format for m in win.plot.annotations] == ["step ↑"]


def test_the_drill_band_says_moving_not_in_band_during_a_hold():
    band = (18.0, 22.0)
    assert band_state("hold", 20.0, band) == "in"
    assert band_state("hold", 20.0, band, moving=True) == "moving"
    assert band_state("hold", 25.0, band, moving=True) == "high"  # out is out
    assert band_state("step", 20.0, band, moving=True) == "in"  # the step's goal, not the old level


def test_the_session_layer_has_no_widgets():
    """The controller, the presenter and the view-model say what happened; only the views draw (issue 14)."""
    import ast

    import nmt_pressure.dashboard as dash

    folder = Path(dash.__file__).parent
    for name in ("controller", "presenter", "viewmodel", "model"):
        tree = ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))
        imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not {m for m in imported if "QtWidgets" in m or "QtGui" in m or m.startswith("pyqtgraph")
                    or m in {f"nmt_pressure.dashboard.{v}" for v in
                             ("window", "plotview", "readouts", "holdstable", "statusbar", "toolbar",
                              "drill_panel")}}, name


def test_qts_own_events_reach_the_presenter_and_its_window_safely():
    # Qt delivers its own events (a deferred delete at shutdown, a property change) through
    # QObject.event; a presenter that took that name for the core's events crashed the process on
    # the first one. Run apart: the failure was a segfault, not an exception.
    code = (
        "from PySide6.QtCore import QCoreApplication, QEvent\n"
        "from nmt_pressure.dashboard.presenter import Presenter\n"
        "from nmt_pressure.dashboard.viewmodel import ViewModel\n"
        "app = QCoreApplication([])\n"
        "p = Presenter(ViewModel())\n"
        "QCoreApplication.sendEvent(p, QEvent(QEvent.Type.User))\n"
        "p.setProperty('probe', 1)\n"
        "p.deleteLater()\n"
        "QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)\n"
        "print('ok')\n")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0 and r.stdout.strip() == "ok", (r.returncode, r.stderr[-2000:])


def test_the_presenter_turns_the_cores_news_into_the_view_model(qtbot):
    from nmt_pressure.dashboard.presenter import Presenter
    from nmt_pressure.dashboard.viewmodel import ViewModel

    vm = ViewModel()
    p = Presenter(vm)
    said: list[tuple[Any, ...]] = []
    p.hold_started.connect(lambda t, lo, hi: said.append(("band", t, lo, hi)))
    p.hold_ended.connect(lambda t: said.append(("end", t)))
    p.alert.connect(lambda d: said.append(("alert", d)))
    p.annotation.connect(lambda t, kind, text: said.append(("mark", t, kind, text)))
    p.band_moved.connect(lambda lo, hi: said.append(("moved", lo, hi)))
    cfg = DetectorConfig()
    p.begin(cfg)
    p.core_event(Event("hold_start", 1.0, 2.5, None, 20.0), cfg)
    assert vm.watching and said[-2][:2] == ("band", 2.5) and said[-1] == ("alert", "")
    p.core_event(Event("band_exit", 3.0, 3.2, "high", None), cfg)
    assert vm.alert_direction == "high" and vm.alerts_raised == 1
    # An exit carries the settled level its band was drawn around (refined since the hold_start's
    # first estimate): the band on show moves to the edges that alerted.
    p.core_event(Event("band_exit", 3.5, 3.7, "low", 20.2), cfg)
    assert said[-2] == ("alert", "low") and said[-1] == pytest.approx(("moved", 18.18, 22.22))
    p.core_event(Event("step", 4.0, 5.0, "up", 20.0), cfg)
    assert not vm.watching and vm.alert_direction == "" and vm.stepped_at == 5.0
    assert said[-3:] == [("end", 4.0), ("alert", ""), ("mark", 4.0, "step", "step ↑")]
    p.refresh(None)
    assert vm.state_text == "not connected" and vm.force is None and not vm.has_session
    p.begin(cfg)  # a new session forgets the old one's news
    assert vm.alerts_raised == 0 and vm.events_seen == [] and vm.hold_event is None
