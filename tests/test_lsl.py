"""Lab Streaming Layer output: real pylsl outlets and inlets on this machine, the real simulator
process, the `nmt-pressure` command as a user runs it, and the dashboard's toggle (offscreen).

Every test names its streams or its device uniquely, so that streams of one test (or of another
process on the machine) are never mistaken for those of another.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import numpy as np
import pytest
from devices import Sim

from nmt_pressure.cli.main import main as cli_main
from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.core.events import ENDED_BY, EVENT_KINDS, Event, Hold
from nmt_pressure.io.recording import read_recording
from nmt_pressure.link.calibration import DeviceInfo, Samples
from nmt_pressure.outputs.lsl import (
    DETAILS_CHANNELS,
    DETAILS_TYPE,
    MARKER_KEYS,
    MARKER_KINDS,
    QUIET_LOG,
    ClockMap,
    LslPublisher,
    Marker,
    event_marker,
    hold_end_marker,
    load_pylsl,
    marker,
    parse_details,
    quiet_config,
)

PY = sys.executable
#: A press the detector sees as contact → hold → (marker) → release, after a quiet start long enough
#: for the monitor to start and a test's inlet to connect before the first event.
PRESS = "idle 2.5\nramp 0.4 to 20\nhold 2\nmark\nhold 0.3\nrelease 0.3\nidle 30\n"


@pytest.fixture(scope="module")
def lsl() -> Any:
    """pylsl, loaded the way the program loads it (liblsl's INFO lines silenced)."""
    return load_pylsl()


def uid() -> str:
    return uuid.uuid4().hex[:10]


def resolve(lsl: Any, prop: str, value: str, timeout: float = 5.0) -> list[Any]:
    """Streams with ``prop == value``: at once when one answers, else after ``timeout`` (at least 1 s:
    liblsl 1.18 lets a shorter fruitless resolve run 5 s longer)."""
    return list(lsl.resolve_byprop(prop, value, 1, max(timeout, 1.0)))


def inlet(lsl: Any, prop: str, value: str) -> Any:
    found = resolve(lsl, prop, value)
    assert found, f"no LSL stream with {prop} {value!r}"
    inl = lsl.StreamInlet(found[0], max_buflen=60)
    inl.open_stream(5.0)
    return inl


def pull(inl: Any, until: Any, timeout: float = 15.0) -> tuple[list[Any], list[float]]:
    """Pull chunks until ``until(data, stamps)`` holds (or the timeout passes)."""
    data: list[Any] = []
    stamps: list[float] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not until(data, stamps):
        d, t = inl.pull_chunk(timeout=0.1, max_samples=100_000)
        data += d
        stamps += t
    return data, stamps


def sim_info(serial: str, rate: float = 200.0) -> DeviceInfo:
    return DeviceInfo(name=f"nmt-sim {serial}", fields={"name": "nmt-sim", "serial": serial, "fw": "1.0",
                                                        "scale": "1000.0", "offset": "0"},
                      scale=1000.0, offset=0.0, rate=rate, fmt="nmtp")


def block(t: np.ndarray, force: np.ndarray) -> Samples:
    return Samples(t=t, force=force, raw=force * 1000.0, flags=np.zeros(t.size, dtype=np.int64),
                   device_t_last=float(t[-1]), filtered=force * 0.5)


# --------------------------------------------------------------------------------------------------
# the parts
# --------------------------------------------------------------------------------------------------
def test_liblsl_stays_quiet_unless_the_users_config_says_otherwise(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "lsl_api").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LSLAPICFG", raising=False)
    if Path("/etc/lsl_api/lsl_api.cfg").exists():
        pytest.skip("this machine has a system-wide /etc/lsl_api/lsl_api.cfg")
    assert quiet_config() == QUIET_LOG  # no config of the user's: just quiet
    mine = home / "lsl_api" / "lsl_api.cfg"
    mine.write_text("; lab settings\n[lab]\nKnownPeers = {10.0.0.2}\nSessionID = lab7\n")
    merged = quiet_config()
    assert merged is not None and "KnownPeers = {10.0.0.2}" in merged and "SessionID = lab7" in merged
    assert merged.endswith(QUIET_LOG)  # their settings kept, the log level added
    assert mine.read_text().count("[log]") == 0  # their file is only read
    env_cfg = tmp_path / "env.cfg"
    env_cfg.write_text("[log]\nlevel = 0\n")  # LSLAPICFG comes first; it asks for INFO lines
    monkeypatch.setenv("LSLAPICFG", str(env_cfg))
    assert quiet_config() is None
    env_cfg.write_text("[lab]\nSessionID\n")  # liblsl would reject it: leave liblsl to say so
    assert quiet_config() is None


def test_clock_map_keeps_the_transit_floor_and_stamps_increase():
    cm = ClockMap(window_s=10.0, settle_s=0.5)
    rng = np.random.default_rng(1)
    floor = 100.0  # local clock = device time + 100 s + transit (0.3 ms floor + jitter up to 8 ms)
    stamps: list[np.ndarray] = []
    for k in range(2000):  # 20 s of 10-sample blocks at 1 kHz
        t = (k * 10 + np.arange(10)) / 1000.0
        cm.observe(float(t[-1]), float(t[-1]) + floor + 0.0003 + rng.exponential(0.002))
        if cm.settled(float(t[-1]) + floor):
            stamps.append(cm.stamp(t))
    s = np.concatenate(stamps)
    assert (np.diff(s) > 0).all()
    assert cm.offset is not None and floor + 0.0003 <= cm.offset < floor + 0.0005
    cm.reset()  # a reconnection: a fresh estimate, and the stamps still go on increasing
    t = np.arange(20.0, 20.01, 0.001)
    cm.observe(float(t[-1]), float(t[-1]) + floor - 0.5)
    assert cm.stamp(t)[0] > s[-1]


def test_publisher_streams_force_and_events(lsl):
    sid = f"test-{uid()}"
    cfg = DetectorConfig(sample_rate=200.0, target=25.0)
    pub = LslPublisher(cfg, port="/dev/null", source_id=sid, news=lambda text: None)
    info = sim_info(sid)
    pub.on_connect(info)
    assert pub.active
    force_in = inlet(lsl, "source_id", sid)
    marks_in = inlet(lsl, "source_id", f"{sid}:events")
    details_in = inlet(lsl, "source_id", f"{sid}:event-details")
    meta = force_in.info()
    assert (meta.name(), meta.type(), meta.nominal_srate()) == ("nmt_pressure force", "Force", 200.0)
    assert meta.get_channel_labels() == ["force", "force_filtered", "device_time"]
    assert meta.get_channel_units() == ["newtons", "newtons", "seconds"]
    desc = meta.desc()
    assert desc.child("acquisition").child_value("serial_number") == sid
    assert desc.child("detector").child_value("target") == "25.0"
    assert desc.child("detector").child_value("lowpass_hz") == repr(cfg.lowpass_hz)
    assert desc.child("software").child_value("name") == "nmt_pressure"
    # what XDF importers make events of: one string channel, the plain kind
    minfo = marks_in.info()
    assert (minfo.name(), minfo.type(), minfo.channel_count(), minfo.channel_format()) == (
        "nmt_pressure events", "Markers", 1, lsl.cf_string)
    assert minfo.get_channel_labels() == ["kind"]
    assert minfo.desc().child_value("details_stream") == "nmt_pressure event details"
    dinfo = details_in.info()
    assert (dinfo.name(), dinfo.type(), dinfo.channel_count(), dinfo.nominal_srate()) == (
        "nmt_pressure event details", DETAILS_TYPE, 2, 0.0)
    assert tuple(dinfo.get_channel_labels()) == DETAILS_CHANNELS
    assert dinfo.desc().child_value("keys") == ",".join(MARKER_KEYS)

    t_all, f_all, events = [], [], []
    t0 = 0.0
    for k in range(60):  # 1.2 s of 4-sample blocks at 200 Hz, paced like a device
        t = t0 + np.arange(4) / 200.0
        t0 = float(t[-1]) + 1 / 200.0
        f = 10.0 + np.sin(t * 3.0) + k
        pub.on_samples(block(t, f), float(f[-1] * 0.5), 1)
        t_all.append(t)
        f_all.append(f)
        if k in (10, 40):
            e = Event("hold_start" if k == 10 else "step", float(t[0]) - 0.3, float(t[-1]),
                      None if k == 10 else "up", float(f[0]))
            events.append(e)
            pub.on_event(e)
        time.sleep(0.02)
    pub.on_marker(float(t_all[50][1]))
    t_in, f_in = np.concatenate(t_all), np.concatenate(f_all)

    data, stamps = pull(force_in, lambda d, s: len(d) >= t_in.size)
    got = np.asarray(data)
    assert got.shape == (t_in.size, 3)
    assert np.array_equal(got[:, 0], f_in)  # exactly what went in (double64)
    assert np.array_equal(got[:, 1], f_in * 0.5)
    assert np.array_equal(got[:, 2], t_in)
    ts = np.asarray(stamps)
    assert (np.diff(ts) > 0).all()
    assert np.allclose(np.diff(ts), 1 / 200.0, atol=0.1 / 200.0)  # the device's spacing
    offset = ts - t_in
    kinds, mstamps = pull(marks_in, lambda d, s: len(d) >= 3)
    assert kinds == [["hold_start"], ["step"], ["marker"]]  # one plain string a marker
    rows, dstamps = pull(details_in, lambda d, s: len(d) >= 3)
    assert dstamps == mstamps  # the very same timestamps: joined by time as well as by order
    assert [r[0] for r in rows] == ["hold_start", "step", "marker"]
    objs = [parse_details(r[1]) for r in rows]
    assert objs == [e.to_dict() for e in events] + [
        {"kind": "marker", "t": float(t_all[50][1]), "t_detected": float(t_all[50][1]),
         "direction": None, "level": None}]
    assert all(tuple(o) == MARKER_KEYS for o in objs)
    # each marker is stamped at its onset t, mapped like the samples around it
    for o, ms in zip(objs, mstamps, strict=True):
        assert offset.min() - 1e-3 <= ms - o["t"] <= offset.max() + 1e-3
    assert pub.counts()["force_samples"] == t_in.size and pub.counts()["markers"] == 3

    force_in.close_stream()
    marks_in.close_stream()
    details_in.close_stream()
    pub.close()
    assert not pub.active
    assert resolve(lsl, "source_id", sid, timeout=1.0) == []
    assert resolve(lsl, "source_id", f"{sid}:event-details", timeout=1.0) == []


def test_same_device_keeps_its_streams_another_gets_its_own(lsl):
    name = f"test-{uid()}"
    pub = LslPublisher(DetectorConfig(), port="/dev/ttyUSB9", name=name, news=lambda text: None)
    a = sim_info(f"A{uid()}")
    pub.on_connect(a)
    sid_a = pub.source_id
    assert sid_a == f"nmt_pressure:nmt-sim:{a.fields['serial']}"  # from the device, not the port
    outlet = pub._force
    pub.on_disconnect("lost /dev/ttyUSB9")
    pub.on_connect(sim_info(a.fields["serial"]))  # replugged: same streams, LabRecorder stays on
    assert pub._force is outlet
    b = sim_info(f"B{uid()}")
    pub.on_connect(b)  # another device on the same port: its own streams, the old ones go
    assert pub.source_id != sid_a and pub._force is not outlet
    del outlet
    assert resolve(lsl, "source_id", pub.source_id)
    deadline = time.monotonic() + 10.0
    while resolve(lsl, "source_id", sid_a, timeout=1.0) and time.monotonic() < deadline:
        pass
    assert resolve(lsl, "source_id", sid_a, timeout=1.0) == []
    pub.close()


def test_a_marker_is_its_plain_kind_with_compact_json_details():
    e = Event("band_exit", 12.5, 12.75, "high", 31.25)
    assert event_marker(e) == Marker("band_exit", '{"kind":"band_exit","t":12.5,"t_detected":12.75,'
                                                  '"direction":"high","level":31.25}')
    assert parse_details(event_marker(e).details) == e.to_dict()
    assert marker("marker", 3.5) == Marker("marker", '{"kind":"marker","t":3.5,"t_detected":3.5,'
                                                     '"direction":null,"level":null}')
    with pytest.raises(ValueError, match="not the details"):
        parse_details('{"kind":"x"}')


def test_every_event_kind_passes_and_a_hold_end_says_how_it_ended():
    for kind in EVENT_KINDS:
        e = Event(kind, 1.0, 1.5, None, 20.0)
        m = event_marker(e)
        assert m.kind == kind and parse_details(m.details) == e.to_dict() and kind in MARKER_KINDS
    assert "hold_end" in MARKER_KINDS
    for how in ENDED_BY:
        h = Hold(start=3.0, end=9.5, level=20.0, mean=20.1, sd=0.2, cv=0.01, duration=6.5, time_in_band=6.5,
                 drift_per_s=float("nan"), ended_by=how, confirmed=4.5)
        m = hold_end_marker(h, 10.75)
        assert m.kind == "hold_end"
        assert parse_details(m.details) == {"kind": "hold_end", "t": 9.5, "t_detected": 10.75,
                                            "direction": how, "level": 20.0,
                                            "hold": {**h.to_dict(), "drift_per_s": None}}


def test_publisher_marks_a_hold_that_left_its_level(lsl):
    """A hold that ends "left" has no event: the marker stream still shows where it ended."""
    sid = f"test-{uid()}"
    pub = LslPublisher(DetectorConfig(sample_rate=200.0), port="/dev/null", source_id=sid,
                       news=lambda text: None)
    pub.on_connect(sim_info(sid))
    marks_in = inlet(lsl, "source_id", f"{sid}:events")
    details_in = inlet(lsl, "source_id", f"{sid}:event-details")
    t0, t_all = 0.0, []
    for k in range(40):  # 0.8 s of 4-sample blocks at 200 Hz, paced like a device
        t = t0 + np.arange(4) / 200.0
        t0 = float(t[-1]) + 1 / 200.0
        pub.on_samples(block(t, np.full(4, 20.0)), 10.0, 2)
        t_all.append(t)
        if k == 10:
            told = float(t[-1])
            pub.on_event(Event("hold_start", 0.01, told, None, 20.0))
        time.sleep(0.02)
    left = Hold(start=0.01, end=0.5, level=20.0, mean=20.0, sd=0.1, cv=0.005, duration=0.49,
                time_in_band=0.49, drift_per_s=0.0, ended_by="left", confirmed=told)
    pub.on_hold(left)
    kinds, stamps = pull(marks_in, lambda d, s: len(d) >= 2)
    assert kinds == [["hold_start"], ["hold_end"]]
    rows, _ = pull(details_in, lambda d, s: len(d) >= 2)
    objs = [parse_details(r[1]) for r in rows]
    assert objs[1] == {"kind": "hold_end", "t": 0.5, "t_detected": float(t_all[-1][-1]), "direction": "left",
                       "level": 20.0, "hold": left.to_dict()}
    assert stamps[1] - stamps[0] == pytest.approx(0.5 - 0.01, abs=1e-3)  # stamped at the hold's end
    marks_in.close_stream()
    details_in.close_stream()
    pub.close()


# --------------------------------------------------------------------------------------------------
# the monitor command
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def press(tmp_path: Path) -> Path:
    p = tmp_path / "press.txt"
    p.write_text(PRESS)
    return p


def test_monitor_lsl_publishes_samples_and_events(lsl, sims, press, tmp_path):
    serial = f"T{uid()}"
    sim = Sim("--rate", "200", "--script", str(press), "--seed", "1", "--serial", serial)
    sims.append(sim)
    rec, js = tmp_path / "r.csv", tmp_path / "s.json"
    mon = subprocess.Popen([PY, "-m", "nmt_pressure", "monitor", "--port", sim.port, "--lsl",
                            "--duration", "30", "--record", str(rec), "--summary-json", str(js)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sid = f"nmt_pressure:nmt-sim:{serial}"
    force_in = inlet(lsl, "source_id", sid)
    marks_in = inlet(lsl, "source_id", f"{sid}:events")
    details_in = inlet(lsl, "source_id", f"{sid}:event-details")
    kinds: list[str] = []
    rows: list[Any] = []

    def until_release(d: list[Any], s: list[float]) -> bool:
        got, _ = marks_in.pull_chunk(timeout=0.0)
        kinds.extend(x[0] for x in got)
        got, _ = details_in.pull_chunk(timeout=0.0)
        rows.extend(got)
        return "release" in kinds and len(rows) >= len(kinds)

    data, stamps = pull(force_in, until_release, timeout=20.0)
    mon.send_signal(signal.SIGTERM)  # stops cleanly (exit 0, summary written), like --duration
    out, err = mon.communicate(timeout=30)
    force_in.close_stream()
    marks_in.close_stream()
    details_in.close_stream()
    assert mon.returncode == 0, err
    assert "Traceback" not in err and "INFO|" not in err and "INFO|" not in out  # liblsl kept quiet
    assert "LSL: publishing" in out and sid in out
    assert kinds[:2] == ["contact", "hold_start"] and "marker" in kinds and "release" in kinds
    summary = json.loads(js.read_text())
    assert summary["lsl"]["force_samples"] == summary["samples"] > 0
    assert summary["lsl"]["markers"] >= len(kinds)
    assert [r[0] for r in rows[:len(kinds)]] == kinds  # the details, marker for marker
    objs = [parse_details(r[1]) for r in rows if r[0] not in ("marker", "hold_end")]
    assert objs == summary["events"][:len(objs)]  # the details are the contract's event objects
    assert summary["lsl"]["details_stream"] == "nmt_pressure event details"
    # the samples are the recording's, sample for sample (by device time)
    got = np.asarray(data)
    r = read_recording(rec)
    idx = np.searchsorted(r.t, got[:, 2])
    assert len(got) > 200 and np.array_equal(r.t[idx], got[:, 2])
    assert np.array_equal(r.force_n[idx], got[:, 0])
    assert (np.diff(np.asarray(stamps)) > 0).all()


def test_monitor_without_lsl_opens_no_stream(lsl, sims, press):
    serial = f"N{uid()}"
    sim = Sim("--rate", "200", "--script", str(press), "--seed", "1", "--serial", serial)
    sims.append(sim)
    code = ("import sys\nfrom nmt_pressure.cli.main import main\n"
            f"rc = main(['monitor', '--port', {sim.port!r}, '--duration', '3'])\n"
            "assert 'pylsl' not in sys.modules, 'pylsl imported without --lsl'\nsys.exit(rc)\n")
    mon = subprocess.Popen([PY, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)  # connected by now
    assert resolve(lsl, "source_id", f"nmt_pressure:nmt-sim:{serial}", timeout=1.5) == []
    out, err = mon.communicate(timeout=30)
    assert mon.returncode == 0, err
    assert "LSL" not in out


def test_lsl_user_errors_are_one_sentence(tmp_path, capsys):
    broken = tmp_path / "liblsl.so"
    broken.write_text("not a library")
    env = dict(os.environ, PYLSL_LIB=str(broken))
    p = subprocess.run([PY, "-m", "nmt_pressure", "monitor", "--port", "/dev/nmt-no-such-port", "--lsl"],
                       capture_output=True, text=True, timeout=60, env=env, check=False)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "liblsl" in lines[0] and "PYLSL_LIB" in lines[0], p.stderr
    dash_env = dict(env, QT_QPA_PLATFORM="offscreen", NMT_PRESSURE_SETTINGS=str(tmp_path / "s.ini"))
    p = subprocess.run([PY, "-m", "nmt_pressure", "dash", "--sim", "--lsl"], capture_output=True, text=True,
                       timeout=60, check=False, env=dash_env)
    assert p.returncode == 2  # before the window (and the simulator) start
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "PYLSL_LIB" in lines[0], p.stderr
    assert cli_main(["monitor", "--port", "/dev/null", "--lsl", "--lsl-name", " "]) == 2
    assert "--lsl-name" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------------
# the dashboard
# --------------------------------------------------------------------------------------------------
def test_dashboard_toggle_attaches_and_detaches_the_streams(lsl, qtbot, tmp_path, press):
    from PySide6.QtCore import QSettings

    from nmt_pressure.dashboard.window import DashboardWindow

    name = f"test-{uid()}"
    win = DashboardWindow(settings=QSettings(str(tmp_path / "dash.ini"), QSettings.Format.IniFormat),
                          lsl_name=name)
    qtbot.addWidget(win)
    win.show()
    assert not win.tools.act_lsl.isChecked() and "Lab Streaming Layer" in win.tools.act_lsl.toolTip()
    win.start_sim(rate=200, script=str(press))
    qtbot.waitUntil(lambda: win.session is not None and win.session.connected, timeout=15000)
    assert resolve(lsl, "name", f"{name} force", timeout=1.0) == []  # off by default

    win.tools.act_lsl.trigger()  # the toolbar button: on
    assert win.lsl_on and win.tools.act_lsl.isChecked() and win.session.lsl is not None
    force_in = inlet(lsl, "name", f"{name} force")
    data, _ = pull(force_in, lambda d, s: len(d) >= 50)
    assert len(data) >= 50
    force_in.close_stream()
    qtbot.waitUntil(lambda: "LSL" in win.status.device.text(), timeout=3000)
    assert f"{name} force" in win.tools.act_lsl.toolTip() and f"{name} force" in win.status.device.toolTip()
    assert win.summary()["lsl"]["force_samples"] > 0

    win.tools.act_lsl.trigger()  # off: the streams go
    assert not win.lsl_on and win.session.lsl is None
    assert resolve(lsl, "name", f"{name} force", timeout=1.0) == []
    win.close()


def test_dash_lsl_starts_with_the_streams_on(lsl, tmp_path):
    name = f"test-{uid()}"
    js = tmp_path / "d.json"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NMT_PRESSURE_SETTINGS=str(tmp_path / "s.ini"))
    p = subprocess.run([PY, "-m", "nmt_pressure", "dash", "--sim", "--rate", "200", "--lsl", "--lsl-name",
                        name, "--duration", "2.5", "--summary-json", str(js)],
                       capture_output=True, text=True, timeout=60, env=env, check=False)
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr and "INFO|" not in p.stderr
    s = json.loads(js.read_text())
    assert s["lsl"]["force_stream"] == f"{name} force" and s["lsl"]["force_samples"] > 0


def test_dash_lsl_with_a_replay_is_a_user_error(capsys, qapp):
    assert cli_main(["dash", "--replay", "whatever.csv", "--lsl"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--lsl" in err[0], err
