"""Faults end to end: what a user sees and what is kept when the device, the line or the disk misbehaves.

Real parts throughout: the simulated device as its own process (``python -m firmware_sim``) on a real
pseudo-terminal or TCP socket, the `nmt-pressure` command as a user runs it, real files (and, where the
machine allows it, a real full or read-only file system in a private mount namespace). No test waits
for a wall-clock time to pass if it can wait for what the monitor prints instead; none asserts how
long anything took. docs/RELIABILITY.md lists every fault with the test that shows it.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from devices import Sim, Watched

from nmt_pressure import DetectorConfig, analyze
from nmt_pressure.io.recording import read_recording
from nmt_pressure.link.calibration import Calibrator, DeviceInfo, Samples
from nmt_pressure.outputs.recorder import FLUSH_S, LiveRecorder, RecorderError, events_path
from nmt_pressure.protocol.frames import SampleBlock

PY = sys.executable
WRAP_S = 2**32 / 1e6  # the device's 32-bit microsecond clock wraps here (71.6 min)


# --------------------------------------------------------------------------------------------------
# the parts: a simulated device process, a monitor process whose output can be waited for
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def procs() -> Iterator[list[Any]]:
    """Every process a test starts, killed at its end whatever happened."""
    started: list[Any] = []
    yield started
    for p in started:
        p.kill()


def sim(procs: list[Any], *args: str) -> Sim:
    s = Sim(*args)
    procs.append(s)
    return s


def monitor(procs: list[Any], *args: str) -> Watched:
    m = Watched([PY, "-m", "nmt_pressure", "monitor", *args])
    procs.append(m)
    return m


def script(tmp_path: Path, name: str, *lines: str) -> str:
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n")
    return str(p)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def replay(path: Path) -> list[dict[str, Any]]:
    """``analyze`` of a recording with the settings it was recorded with: what the user gets later."""
    rec = read_recording(path)
    cfg = DetectorConfig(**json.loads(rec.metadata["detector_config"]))
    return analyze(rec.t, rec.force_n, cfg).to_dict()["events"]


def sidecar(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in events_path(path).read_text().splitlines()]


def kinds(events: list[dict[str, Any]]) -> list[str]:
    return [e["kind"] for e in events]


def no_traceback(err: str) -> None:
    assert "Traceback" not in err and "Exception ignored" not in err, err


# --------------------------------------------------------------------------------------------------
# the device goes away
# --------------------------------------------------------------------------------------------------
def test_device_unplugged_mid_hold_and_plugged_back(procs, tmp_path):
    """The device dies during a hold and comes back on the same port while the hand still presses.

    The hold open at the loss is closed at the last sample before it (ended_by end_of_data: nobody saw a
    release, so none is invented); after the return the core starts afresh (new contact, new hold,
    its release); the recording keeps everything from before, in one file on one increasing timeline,
    and replays to exactly the events seen live.
    """
    port = free_port()
    press = script(tmp_path, "press.txt", "idle 1", "ramp 1 to 30", "hold 60", "release 0.5")
    dev = sim(procs, "--rate", "250", "--script", press, "--seed", "1", "--tcp", str(port))
    rec, js = tmp_path / "r.csv", tmp_path / "s.json"
    mon = monitor(procs, "--port", dev.port, "--record", str(rec), "--summary-json", str(js))
    first = mon.wait_for("hold_start")
    dev.kill()  # mid-hold
    lost = mon.wait_for("link lost", after=first)
    time.sleep(3.5)  # unplugged for a while: longer than the core bridges (max_gap 3 s)
    back = script(tmp_path, "back.txt", "ramp 0.3 to 28", "hold 2", "release 0.4", "idle 60")
    sim(procs, "--rate", "250", "--script", back, "--seed", "1", "--tcp", str(port))
    mon.wait_for("connected: nmt-sim", after=lost)
    mon.wait_for("release", after=lost)
    assert mon.stop() == 0
    no_traceback("\n".join(mon.err))

    out = json.loads(js.read_text())
    assert out["reconnects"] >= 1
    events = out["events"]
    assert kinds(events) == ["contact", "hold_start", "contact", "hold_start", "release"]
    h1, h2 = out["holds"][:2]
    assert h1["ended_by"] == "end_of_data"  # closed at the loss; no release was seen, none invented
    assert h2["ended_by"] == "release"

    r = read_recording(rec)
    assert len(r.t) == out["samples"]  # every sample the core saw is in the file: nothing lost
    gaps = np.diff(r.t)
    assert np.all(gaps > 0)  # one timeline, always increasing, one file
    i = int(np.argmax(gaps))
    assert gaps[i] > 3.5  # the absence is in the timeline, at the real time it lasted
    assert r.t[i] == pytest.approx(h1["end"], abs=0.01)  # the hold ended at the last sample before it
    assert events[2]["t"] > r.t[i + 1] - 1e-9  # the new contact is after the return
    assert replay(rec) == events  # replay = live, across the loss
    side = sidecar(rec)
    assert "reconnect" in kinds(side)
    assert [e for e in side if e["kind"] != "reconnect"] == events
    assert any("link lost" in line for line in mon.out)


def test_device_replaced_by_another_at_another_rate(procs, tmp_path):
    """A 1 kHz device is pulled and an 80 Hz one (another serial) plugged into the same port: the
    monitor notices the new device and rate, keeps one recording with increasing time, and the core
    goes on working at the new rate with the same settings."""
    port = free_port()
    held = script(tmp_path, "held.txt", "idle 0.5", "ramp 1 to 25", "hold 60", "release 0.5")
    a = sim(procs, "--rate", "1000", "--script", held, "--seed", "1", "--serial", "CELL-A",
            "--tcp", str(port))
    rec, js = tmp_path / "r.csv", tmp_path / "s.json"
    mon = monitor(procs, "--port", a.port, "--record", str(rec), "--summary-json", str(js))
    first = mon.wait_for("hold_start")
    assert "CELL-A (nmtp, 1000 Hz)" in "\n".join(mon.out[:first])
    a.kill()
    lost = mon.wait_for("link lost", after=first)
    time.sleep(3.5)  # a person swapping devices: longer than the core bridges (max_gap 3 s)
    hx = script(tmp_path, "hx.txt", "idle 0.5", "ramp 0.8 to 30", "hold 2", "release 0.5", "idle 60")
    sim(procs, "--rate", "80", "--script", hx, "--seed", "7", "--serial", "CELL-B", "--tcp", str(port))
    again = mon.wait_for("connected: nmt-sim CELL-B (nmtp, 80 Hz)", after=lost)
    mon.wait_for("release", after=again)
    assert mon.stop() == 0
    no_traceback("\n".join(mon.err))

    out = json.loads(js.read_text())
    assert out["reconnects"] >= 1 and out["device"] == "nmt-sim CELL-B"
    assert out["dropped"] == 0
    r = read_recording(rec)
    assert len(r.t) == out["samples"]
    gaps = np.diff(r.t)
    assert np.all(gaps > 0)
    i = int(np.argmax(gaps))
    before, after = gaps[:i], gaps[i + 1:]
    assert np.median(before) == pytest.approx(0.001, rel=1e-6)  # 1 kHz
    assert np.median(after) == pytest.approx(0.0125, rel=1e-6)  # 80 Hz, same file
    switch = r.t[i + 1]
    later = [e["kind"] for e in out["events"] if e["t"] >= switch]
    assert later == ["contact", "hold_start", "release"]  # the core at 80 Hz, same settings
    assert replay(rec) == out["events"]
    reconnect = [e for e in sidecar(rec) if e["kind"] == "reconnect"]
    assert reconnect and reconnect[-1]["device"] == "nmt-sim CELL-B" and reconnect[-1]["rate_hz"] == 80
    assert reconnect[-1]["t_before"] == pytest.approx(r.t[i])


def test_stalled_device_that_recovers_is_monitored_again(procs, tmp_path):
    """A device that stops sending for 2.5 s but stays connected, then recovers by itself: START is
    tried, then the port reopened, and once data flows again monitoring resumes in the same recording
    on the device's own clock (complements test_monitor_e2e.py::test_stalled_device_is_restarted_then_
    reconnected, where the stall never ends). The hand pressed on at the same level: the core bridges
    the silence (under max_gap, 3 s) and the hold goes on through it."""
    press = script(tmp_path, "press.txt", "idle 0.5", "ramp 0.5 to 20", "hold 60", "release 0.5")
    dev = sim(procs, "--rate", "250", "--script", press, "--seed", "2", "--stall-after", "2.5",
              "--stall-for", "2.5")
    rec, js = tmp_path / "r.csv", tmp_path / "s.json"
    mon = monitor(procs, "--port", dev.port, "--record", str(rec), "--summary-json", str(js))
    first = mon.wait_for("connected: nmt-sim")
    stalled = mon.wait_for("no data from", after=first)
    mon.wait_for("connected: nmt-sim", after=stalled)
    deadline = time.monotonic() + 30
    while (not rec.exists() or len(read_recording(rec).t) < 2000) and time.monotonic() < deadline:
        time.sleep(0.2)  # well over a second of samples after the return
    assert mon.stop() == 0
    no_traceback("\n".join(mon.err))

    out = json.loads(js.read_text())
    assert out["reconnects"] >= 1
    r = read_recording(rec)
    assert len(r.t) == out["samples"]
    gaps = np.diff(r.t)
    assert np.all(gaps > 0)
    i = int(np.argmax(gaps))
    assert 2.0 < gaps[i] < 3.5  # the same device: its clock is trusted, the gap is the stall itself
    assert (r.t > r.t[i]).sum() > 250  # monitoring resumed: more than a second of samples after it
    assert kinds(out["events"]) == ["contact", "hold_start"]  # one hold, bridged across the stall
    hold = out["holds"][-1]
    assert hold["start"] < r.t[i] and hold["end"] > r.t[i + 1]
    assert replay(rec) == out["events"]


def test_vanished_pty_is_waited_for_and_the_session_ends_cleanly(procs, tmp_path):
    """A USB port that disappears (its /dev node gone) is waited for without a flood of messages; the
    session still ends cleanly with everything recorded before."""
    dev = sim(procs, "--rate", "250", "--scenario", "steady", "--seed", "3")
    rec, js = tmp_path / "r.csv", tmp_path / "s.json"
    mon = monitor(procs, "--port", dev.port, "--record", str(rec), "--summary-json", str(js))
    first = mon.wait_for("connected: nmt-sim")
    deadline = time.monotonic() + 30
    while (not rec.exists() or rec.stat().st_size < 5000) and time.monotonic() < deadline:
        time.sleep(0.05)  # some samples on disk before the device goes
    dev.kill()
    mon.wait_for("link lost", after=first)
    time.sleep(1.0)  # a few reconnect attempts against a missing device
    assert mon.stop() == 0
    no_traceback("\n".join(mon.err))
    assert sum("link lost" in line for line in mon.out) == 1  # said once, not at every retry
    out = json.loads(js.read_text())
    assert len(read_recording(rec).t) == out["samples"] > 0


# --------------------------------------------------------------------------------------------------
# the device's clock and the line's timing
# --------------------------------------------------------------------------------------------------
def test_clock_wrap_during_a_hold(procs, tmp_path):
    """The device's 32-bit µs clock wraps 3 s after boot, in the middle of a hold: the timeline goes on
    increasing without a step, nothing is dropped, no event appears that the hand did not make, and the
    events sit where the ground truth (the simulator's labels, in unwrapped device time) puts them."""
    labels = tmp_path / "labels.json"
    press = script(tmp_path, "press.txt", "idle 1", "ramp 1 to 30", "hold 5", "release 0.5", "idle 60")
    dev = sim(procs, "--rate", "1000", "--script", press, "--seed", "4", "--labels", str(labels),
              "--clock-start-us", str(2**32 - 3_000_000))
    rec, js = tmp_path / "r.csv", tmp_path / "s.json"
    mon = monitor(procs, "--port", dev.port, "--record", str(rec), "--summary-json", str(js))
    mon.wait_for("release")
    assert mon.stop() == 0
    no_traceback("\n".join(mon.err))

    out = json.loads(js.read_text())
    assert out["dropped"] == 0 and out["reconnects"] == 0 and out["crc_errors"] == 0
    r = read_recording(rec)
    assert r.t[0] < WRAP_S < r.t[-1]  # the wrap is inside the recording
    steps = np.diff(r.t)
    assert np.all(steps > 0) and steps.max() < 0.05  # increasing, no jump at the wrap
    assert np.allclose(steps, 0.001, rtol=1e-6, atol=1e-6)  # and every sample 1 ms apart across it
    events = out["events"]
    assert kinds(events) == ["contact", "hold_start", "release"]  # nothing spurious
    truth = json.loads(labels.read_text())["labels"]
    hold = next(x for x in truth if x["kind"] == "hold")
    release = next(x for x in truth if x["kind"] == "release")
    assert hold["start"] < WRAP_S < hold["end"]  # the wrap is inside the hold
    assert events[1]["t"] == pytest.approx(hold["start"], abs=0.5)
    assert events[2]["t"] == pytest.approx(release["t"], abs=0.2)
    h = out["holds"][0]
    assert h["ended_by"] == "release" and h["duration"] == pytest.approx(5.0, abs=0.6)
    assert replay(rec) == events


def test_frames_in_bursts_like_a_usb_latency_timer(procs, tmp_path):
    """The same device twice, once sending every frame at once and once holding its output and sending
    it every 40 ms (a USB-serial chip's latency timer): in bursts nothing is dropped, the watchdog does
    not fire, the latency's p99 shows the bursts, and the events are those of the steady line."""
    press = script(tmp_path, "press.txt", "idle 1", "ramp 1 to 30", "hold 2.2", "step 0.8 to 40",
                   "hold 2", "release 0.5", "idle 60")
    runs: dict[str, tuple[Watched, Path, Path]] = {}
    for name, extra in (("steady", ()), ("bursts", ("--burst-ms", "40"))):
        dev = sim(procs, "--rate", "1000", "--script", press, "--seed", "5", *extra)
        rec, js = tmp_path / f"{name}.csv", tmp_path / f"{name}.json"
        runs[name] = (monitor(procs, "--port", dev.port, "--record", str(rec), "--summary-json", str(js)),
                      rec, js)
    out: dict[str, dict[str, Any]] = {}
    for name, (mon, rec, js) in runs.items():
        mon.wait_for("release")
        assert mon.stop() == 0
        no_traceback("\n".join(mon.err))
        assert not any("no data from" in line or "link lost" in line for line in mon.out)
        out[name] = json.loads(js.read_text())
        assert out[name]["dropped"] == 0 and out[name]["reconnects"] == 0
        r = read_recording(rec)
        assert np.allclose(np.diff(r.t), 0.001, rtol=1e-6, atol=1e-6)  # every sample, none missing
        assert replay(rec) == out[name]["events"]  # the core does not care how the samples were cut
    steady, bursts = out["steady"], out["bursts"]
    # Bounds that follow from the bursts alone (a busy host only adds to them): of the four 10 ms
    # blocks in a 40 ms burst the first waited about 30 ms, the second 20, the third 10.
    assert bursts["latency_p99_ms"] >= 20.0
    assert bursts["latency_p50_ms"] >= 5.0
    assert kinds(bursts["events"]) == kinds(steady["events"]) == \
        ["contact", "hold_start", "step", "hold_start", "release"]
    for a, b in zip(steady["events"], bursts["events"], strict=True):
        assert a["t"] == pytest.approx(b["t"], abs=0.01) and a["direction"] == b["direction"]
    # Same seed, same device samples: where the two recordings overlap they agree value for value.
    rs, rb = read_recording(runs["steady"][1]), read_recording(runs["bursts"][1])
    common, i_s, i_b = np.intersect1d(np.round(rs.t * 1e6), np.round(rb.t * 1e6), return_indices=True)
    assert common.size > 1000 and np.array_equal(rs.force_n[i_s], rb.force_n[i_b])


# --------------------------------------------------------------------------------------------------
# the disk
# --------------------------------------------------------------------------------------------------
def _private_mount_works() -> str | None:
    """None if this process may mount file systems in a private mount namespace, else why not."""
    if not shutil.which("unshare"):
        return "unshare(1) is not installed"
    p = subprocess.run(["unshare", "--mount", "sh", "-c", "mount -t tmpfs -o size=64k nmt-probe /mnt"],
                       capture_output=True, text=True, timeout=30, check=False)
    if p.returncode != 0:
        return f"cannot mount in a private namespace here ({' '.join(p.stderr.split())[:120]})"
    return None


MOUNT_PROBLEM = _private_mount_works() if sys.platform.startswith("linux") else "not Linux"


@pytest.mark.parametrize("program", ["monitor", "dash"])
def test_disk_fills_up_during_a_recording(program, procs, tmp_path):
    """The recording's file system fills up after a second or two (a 64 kB tmpfs, or for the monitor a
    file-size limit where no file system can be mounted): the recording stops with one sentence,
    monitoring and the summary go on, and what was recorded stays readable and replays to the live
    events. The same for the dashboard's recording."""
    if program == "dash" and MOUNT_PROBLEM is not None:
        pytest.skip(f"the dashboard's case needs a small file system: {MOUNT_PROBLEM}")
    press = script(tmp_path, "press.txt", "idle 0.5", "ramp 0.5 to 20", "hold 1.5", "release 0.3",
                   "idle 0.5", "ramp 0.5 to 25", "hold 60", "release 0.5")
    small, kept = tmp_path / "small", tmp_path / "kept"
    small.mkdir()
    kept.mkdir()
    js = tmp_path / "s.json"
    if program == "monitor":
        dev = sim(procs, "--rate", "1000", "--script", press, "--seed", "6")
        source = ["--port", dev.port]
    else:
        source = ["--sim", "--rate", "1000", "--script", press, "--seed", "6"]
    args = [PY, "-m", "nmt_pressure", program, *source, "--record", str(small / "r.csv"),
            "--summary-json", str(js), "--duration", "5"]
    env = dict(os.environ, KEPT=str(kept), QT_QPA_PLATFORM="offscreen",
               NMT_PRESSURE_SETTINGS=str(tmp_path / "s.ini"))
    if MOUNT_PROBLEM is None:
        # The tmpfs exists only in the program's own mount namespace: copy out what it kept.
        sh = ('mount -t tmpfs -o size=64k nmt-full "$0" || exit 99; "$@"; rc=$?; cp -a "$0/." "$KEPT/"; '
              "exit $rc")
        p = subprocess.run(["unshare", "--mount", "sh", "-c", sh, str(small), *args], capture_output=True,
                           text=True, timeout=60, check=False, env=env)
        reason = "the disk is full"
    else:
        def limit() -> None:  # every file the monitor writes may grow to 64 kB, then EFBIG
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

        p = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False,
                           preexec_fn=limit, env=env)
        for f in small.iterdir():
            shutil.copy(f, kept)
        reason = "File too large"
    assert p.returncode == 0, p.stderr
    no_traceback(p.stderr)
    errors = [line for line in p.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, p.stderr  # one sentence, once
    assert f"stopped: {reason}; monitoring goes on" in errors[0]
    out = json.loads(js.read_text())
    assert out["recording_error"] == errors[0].split("error: ", 1)[1]
    r = read_recording(kept / "r.csv")  # what reached the disk stays readable
    assert 500 < len(r.t) < out["samples"] - 1000  # and monitoring went on for seconds after
    assert np.all(np.diff(r.t) > 0)
    # The core is causal: the partial file replays to exactly the live events it covers.
    assert replay(kept / "r.csv") == [e for e in out["events"] if e["t_detected"] <= r.t[-1]]
    assert out["events"] and out["events"][-1]["t_detected"] > r.t[-1]  # events went on after


def test_full_disk_closes_the_files_without_noise(tmp_path, capsys, caplog):
    """Unit level (complements test_recorder.py::test_full_disk_stops_recording_not_monitoring): after
    the failure both files are closed, so nothing tries to write again when they are collected."""
    caplog.set_level(logging.INFO, logger="nmt_pressure")
    rec = LiveRecorder(tmp_path / "x.csv", DetectorConfig())
    assert rec._f is not None
    rec._f.close()
    rec._f = open("/dev/full", "w", encoding="utf-8")  # noqa: SIM115 - closed by the recorder
    full = rec._f
    t = np.arange(0.0, 5.0, 0.001)
    blk = Samples(t=t, force=np.full(t.size, 3.0), raw=np.zeros(t.size),
                  flags=np.zeros(t.size, dtype=np.int64), device_t_last=5.0)
    rec.on_samples(blk, 3.0, 1)
    rec.on_disconnect("gone")  # flushes: the write fails here at the latest
    assert rec.failed is not None and "disk is full" in rec.failed
    assert full.closed and rec._f is None and rec._ev is None
    rec.on_samples(blk, 3.0, 1)  # later blocks are ignored quietly
    rec.close()
    assert [r.levelno for r in caplog.records if r.name.startswith("nmt_pressure")] == [logging.ERROR]
    assert capsys.readouterr().err == ""  # no noise: the one sentence went to logging


# --------------------------------------------------------------------------------------------------
# read-only folders
# --------------------------------------------------------------------------------------------------
def readonly(ro: Path, argv: list[str]) -> list[str]:
    """``argv`` run with the folder ``ro`` bind-mounted read-only in a private mount namespace: the
    file system says EROFS, which (unlike permission bits) stops root too."""
    sh = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" || exit 99; exec "$@"'
    return ["unshare", "--mount", "sh", "-c", sh, str(ro), *argv]


@pytest.fixture(scope="module")
def idle_device() -> Iterator[Sim]:
    s = Sim("--rate", "80", "--scenario", "idle", "--seed", "9")
    yield s
    s.kill()


@pytest.mark.skipif(MOUNT_PROBLEM is not None, reason=f"a read-only folder needs a read-only mount: "
                                                      f"{MOUNT_PROBLEM}")
@pytest.mark.parametrize(("case", "needles"), [
    ("monitor --record", ("cannot write", "Read-only file system")),
    ("monitor --summary-json", ("--summary-json", "not writable", "Read-only file system")),
    ("analyze --json", ("--json", "not writable", "Read-only file system")),
    ("report --out", ("not writable",)),
    ("report --out (new folder)", ("cannot create the folder", "Read-only file system")),
    ("dash --record", ("--record", "not writable", "Read-only file system")),
])
def test_read_only_output_folder_is_one_sentence_before_any_work(case, needles, idle_device, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    data = tmp_path / "in.csv"
    t = np.arange(0, 3, 0.01)
    data.write_text("t_s,force_n\n" + "".join(f"{a:.2f},{5.0 if 1 < a < 2.5 else 0.0}\n" for a in t))
    base = [PY, "-m", "nmt_pressure"]
    argv = {
        "monitor --record": ["monitor", "--port", idle_device.port, "--record", str(ro / "r.csv")],
        "monitor --summary-json": ["monitor", "--port", idle_device.port, "--summary-json",
                                   str(ro / "s.json"), "--duration", "30"],
        "analyze --json": ["analyze", str(data), "--json", str(ro / "out.json")],
        "report --out": ["report", str(data), "--out", str(ro), "--quiet", "--no-figures"],
        "report --out (new folder)": ["report", str(data), "--out", str(ro / "new"), "--quiet"],
        "dash --record": ["dash", "--sim", "--rate", "80", "--record", str(ro / "r.csv"), "--duration", "30"],
    }[case]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NMT_PRESSURE_SETTINGS=str(tmp_path / "s.ini"))
    p = subprocess.run(readonly(ro, base + argv), capture_output=True, text=True, timeout=60, check=False,
                       env=env)
    assert p.returncode == 2, (p.returncode, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    no_traceback(p.stderr)
    for n in needles:
        assert n in lines[0], lines[0]
    assert list(ro.iterdir()) == []


# --------------------------------------------------------------------------------------------------
# the port
# --------------------------------------------------------------------------------------------------
def test_no_permission_on_the_port_names_the_fix(procs):
    """A user outside the port's group (here: nobody, on a pty only root may open)."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv(1) to run the monitor as an unprivileged user")
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    probe = subprocess.run([*nobody, PY, "-c", "import nmt_pressure"], capture_output=True, text=True,
                           timeout=60, check=False, cwd="/")
    if probe.returncode != 0:
        # A checkout in a private folder (a 0700 home, mktemp -d) is out of nobody's reach: the test
        # needs a second user who can run this Python, which such a machine does not have.
        why = (probe.stderr.strip().splitlines() or [""])[-1][:200]
        pytest.skip("the unprivileged user cannot import the package from this checkout (a private "
                    f"folder?): {why}")
    dev = sim(procs, "--rate", "80", "--scenario", "idle")
    p = subprocess.run([*nobody, PY, "-m", "nmt_pressure", "monitor", "--port", dev.port, "--duration", "5"],
                       capture_output=True, text=True, timeout=60, check=False, cwd="/")
    if "Permission denied" in p.stderr and "nmt_pressure" not in p.stderr:
        pytest.skip(f"the unprivileged user cannot run this Python: {p.stderr.strip()[:200]}")
    assert p.returncode == 2, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "no permission to open" in lines[0] and "dialout" in lines[0], p.stderr


# --------------------------------------------------------------------------------------------------
# the monitor is stopped
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGHUP], ids=["ctrl-c", "hangup"])
def test_stopping_the_monitor_keeps_everything(procs, tmp_path, sig):
    """Ctrl-C (or a closed terminal) ends a session cleanly: exit status 0, the summary written, the
    recording flushed to the last sample, its events complete, and it replays to the live events."""
    press = script(tmp_path, "press.txt", "idle 0.3", "ramp 0.5 to 20", "hold 60", "release 0.5")
    dev = sim(procs, "--rate", "500", "--script", press, "--seed", "1")
    rec, js = tmp_path / "r.csv", tmp_path / "s.json"
    mon = monitor(procs, "--port", dev.port, "--record", str(rec), "--summary-json", str(js))
    mon.wait_for("hold_start")
    assert mon.stop(sig) == 0
    no_traceback("\n".join(mon.err))
    out = json.loads(js.read_text())
    assert "hold_start" in kinds(out["events"])
    r = read_recording(rec)
    assert len(r.t) == out["samples"]  # nothing left in a buffer
    assert replay(rec) == out["events"]
    assert [e for e in sidecar(rec) if e["kind"] != "reconnect"] == out["events"]
    assert any(line.startswith("summary: ") for line in mon.err)


def test_recording_reaches_the_disk_at_least_every_flush_interval(tmp_path, monkeypatch):
    """What a monitor killed outright (SIGKILL, power cut) can lose: at most FLUSH_S (0.2 s) of samples
    (end to end: test_monitor_e2e.py::test_killed_monitor_loses_at_most_half_a_second), and nothing
    while the device is away: the recorder flushes when the link drops."""
    import types

    import nmt_pressure.outputs.recorder as recorder_mod

    now = [100.0]  # the recorder's clock, advanced with the blocks (its own module only)
    monkeypatch.setattr(recorder_mod, "time", types.SimpleNamespace(monotonic=lambda: now[0]))
    path = tmp_path / "r.csv"
    rec = LiveRecorder(path, DetectorConfig())
    rec.on_connect(DeviceInfo(name="sim", fields={"scale": "1"}, rate=1000.0))

    def last_on_disk() -> float:
        try:
            return float(read_recording(path).t[-1])
        except Exception:  # nothing readable yet: as if the last sample before the first were there
            return -0.001

    worst = 0.0
    t0 = 0.0
    for _ in range(200):  # 2 s of 10 ms blocks, the clock advancing with them
        t = t0 + np.arange(10) * 0.001
        rec.on_samples(Samples(t=t, force=np.full(10, 1.0), raw=np.zeros(10),
                               flags=np.zeros(10, dtype=np.int64), device_t_last=t[-1]), 1.0, 0)
        t0 += 0.01
        now[0] += 0.01
        worst = max(worst, float(t[-1]) - last_on_disk())
    assert worst <= FLUSH_S + 0.011
    rec.on_disconnect("cable pulled")  # the device is away: what came before is written now
    assert read_recording(path).t[-1] == pytest.approx(t0 - 0.01 + 0.009)
    rec.close()


# --------------------------------------------------------------------------------------------------
# the recorder and the timeline (unit level)
# --------------------------------------------------------------------------------------------------
def test_recorder_refuses_an_old_events_file_too(tmp_path):
    """The CSV was deleted but its events are still there: they are not replaced without --overwrite,
    and nothing half-made is left behind."""
    path = tmp_path / "s1.csv"
    events_path(path).write_text('{"kind": "contact"}\n')
    with pytest.raises(RecorderError, match=r"s1\.csv\.events\.jsonl already exists.*--overwrite"):
        LiveRecorder(path, DetectorConfig())
    assert not path.exists()
    assert events_path(path).read_text() == '{"kind": "contact"}\n'
    LiveRecorder(path, DetectorConfig(), overwrite=True).close()
    assert events_path(path).read_text() == ""


def test_mistyped_port_leaves_no_files_behind(tmp_path):
    """A monitor that cannot start (a typo in the port) must not leave an empty recording that the
    corrected command then refuses to overwrite."""
    rec = tmp_path / "s1.csv"
    p = subprocess.run([PY, "-m", "nmt_pressure", "monitor", "--port", "/dev/nmt-no-such-port", "--record",
                        str(rec)], capture_output=True, text=True, timeout=60, check=False)
    assert p.returncode == 2 and "no device at" in p.stderr
    assert not rec.exists() and not events_path(rec).exists()


def info(serial: str) -> DeviceInfo:
    return DeviceInfo(name=f"sim {serial}", fields={"scale": "1", "serial": serial}, scale=1.0)


def test_another_device_never_inherits_the_timeline_of_the_last():
    """A replacement device whose clock happens to lie just ahead of the old one's would be trusted as
    the same device after a dropout; its other serial number says it is not: the timeline continues at
    the real time that passed."""
    cal = Calibrator()
    cal.samples(SampleBlock(0, 10_000_000, 1000, (0,) * 10), info("A"))  # device A at 10 s
    cal.link_lost()
    time.sleep(0.1)
    s = cal.samples(SampleBlock(0, 12_000_000, 1000, (0,) * 10), info("B"))  # B's own clock: 12 s
    assert s.t[0] == pytest.approx(10.009 + 0.1, abs=0.08)  # not 12 s: B's clock means nothing here
    cal.link_lost()
    s2 = cal.samples(SampleBlock(10, 12_010_000, 1000, (0,) * 5), info("B"))  # B again, short dropout
    assert s2.t[0] == pytest.approx(s.t[-1] + 0.001)  # the same device keeps its clock


def test_summary_is_not_written_over_the_recording(tmp_path):
    rec = tmp_path / "r.csv"
    for target in (rec, Path(str(rec) + ".events.jsonl")):
        p = subprocess.run([PY, "-m", "nmt_pressure", "monitor", "--port", "/dev/null", "--record", str(rec),
                            "--summary-json", str(target)], capture_output=True, text=True, timeout=60,
                           check=False)
        assert p.returncode == 2 and "would overwrite the recording" in p.stderr, p.stderr
        assert not rec.exists()

