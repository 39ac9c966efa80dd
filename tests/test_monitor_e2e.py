"""The monitor end to end: the simulated device as a separate process, real pseudo-terminals and TCP
sockets, the `nmt-pressure` command as a user runs it, and the files it leaves behind."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from devices import Sim

from nmt_pressure import DetectorConfig, analyze
from nmt_pressure.io.recording import read_recording

PY = sys.executable
SUMMARY_KEYS = {"samples", "dropped", "crc_errors", "reconnects", "latency_p99_ms", "events"}


def sim(sims: list[Sim], *args: str) -> Sim:
    s = Sim(*args)
    sims.append(s)
    return s


def monitor(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PY, "-m", "nmt_pressure", "monitor", *args], capture_output=True, text=True,
                          timeout=timeout, check=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def summary(path: Path) -> dict[str, Any]:
    s = json.loads(path.read_text())
    assert set(s) >= SUMMARY_KEYS
    return s


def replay(path: Path) -> list[dict[str, Any]]:
    rec = read_recording(path)
    cfg = DetectorConfig(**json.loads(rec.metadata["detector_config"]))
    return analyze(rec.t, rec.force_n, cfg).to_dict()["events"]


def test_pty_monitor_records_and_replays_exactly(sims, tmp_path):
    s = sim(sims, "--rate", "500", "--scenario", "session", "--seed", "1")  # first release at 9.7 s
    assert s.port.startswith("/dev/pts/")
    rec, js = tmp_path / "r.csv", tmp_path / "s.json"
    p = monitor("--port", s.port, "--duration", "12", "--record", str(rec), "--summary-json", str(js))
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    out = summary(js)
    assert out["samples"] > 0.8 * 500 * 11
    assert out["dropped"] == 0 and out["crc_errors"] == 0 and out["reconnects"] == 0
    assert out["latency_p99_ms"] is not None and out["latency_p99_ms"] < 100
    kinds = [e["kind"] for e in out["events"]]
    assert "hold_start" in kinds and "release" in kinds  # the session releases its first hold < 20 s
    assert replay(rec) == out["events"]  # replay = live, event for event
    sidecar = [json.loads(x) for x in (tmp_path / "r.csv.events.jsonl").read_text().splitlines()]
    assert [e["kind"] for e in sidecar if e["kind"] in kinds] == kinds
    assert "connected: nmt-sim" in p.stdout


def test_tcp_link_and_a_device_that_is_killed_and_comes_back(sims, tmp_path):
    port = free_port()
    s = sim(sims, "--rate", "250", "--scenario", "steady", "--seed", "1", "--tcp", str(port))
    assert s.port == f"socket://127.0.0.1:{port}"
    rec, js = tmp_path / "r.csv", tmp_path / "s.json"
    mon = subprocess.Popen([PY, "-m", "nmt_pressure", "monitor", "--port", s.port, "--duration", "9",
                            "--record", str(rec), "--summary-json", str(js)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3.0)
    s.stop(signal.SIGKILL)
    time.sleep(1.5)
    sim(sims, "--rate", "250", "--scenario", "steady", "--seed", "2", "--tcp", str(port))
    out_s, err = mon.communicate(timeout=60)
    assert mon.returncode == 0, err
    assert "Traceback" not in err
    out = summary(js)
    assert out["reconnects"] >= 1
    r = read_recording(rec)
    gaps = np.diff(r.t)
    assert np.all(gaps > 0)  # one timeline, always increasing, in one file
    big = gaps.max()
    assert 1.4 < big < 1.5 + 1.5  # the device's absence, plus at most about a second to reconnect
    after = r.t[r.t > r.t[np.argmax(gaps)]]
    assert after.size > 250 * 2  # samples kept coming after the return
    assert "link lost" in out_s


def test_corrupted_line_is_counted_and_survived(sims, tmp_path):
    s = sim(sims, "--rate", "1000", "--scenario", "steady", "--seed", "4", "--corrupt", "0.003",
            "--garbage-every", "1")
    js = tmp_path / "s.json"
    p = monitor("--port", s.port, "--duration", "5", "--summary-json", str(js))
    assert p.returncode == 0, p.stderr
    out = summary(js)
    assert out["crc_errors"] + out["framing_errors"] > 0
    assert out["samples"] > 0.8 * 1000 * 4.5


def test_ascii_device_is_recognised_automatically(sims, tmp_path):
    s = sim(sims, "--rate", "80", "--scenario", "steady", "--seed", "5", "--format", "ascii")
    js = tmp_path / "s.json"
    p = monitor("--port", s.port, "--duration", "4", "--summary-json", str(js))
    assert p.returncode == 0, p.stderr
    out = summary(js)
    assert out["format"] == "ascii"
    assert out["samples"] > 80 * 2


def test_killed_monitor_loses_at_most_half_a_second(sims, tmp_path):
    s = sim(sims, "--rate", "1000", "--scenario", "steady", "--seed", "6")
    rec = tmp_path / "r.csv"
    mon = subprocess.Popen([PY, "-m", "nmt_pressure", "monitor", "--port", s.port, "--record", str(rec)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if rec.exists() and rec.stat().st_size > 20_000:
                break
            time.sleep(0.1)
        t_a = read_recording(rec).t[-1]
        time.sleep(1.0)
        mon.send_signal(signal.SIGKILL)
        mon.wait(5)
    finally:
        if mon.poll() is None:
            mon.kill()
    r = read_recording(rec)  # still readable after SIGKILL
    assert r.t[-1] >= t_a + 1.0 - 0.5


@pytest.mark.parametrize(("make_port", "needle"), [
    (lambda tmp: str(tmp / "regular_file"), "not a serial device"),
    (lambda tmp: "/dev/nmt_no_such_device", "no device at"),
    (lambda tmp: "bogus://device", "cannot use port"),
    (lambda tmp: f"socket://127.0.0.1:{free_port()}", "nothing is listening"),
])
def test_bad_ports_end_in_one_sentence(tmp_path, make_port, needle):
    (tmp_path / "regular_file").write_text("not a tty")
    p = monitor("--port", make_port(tmp_path), "--duration", "2")
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in p.stderr


def test_busy_port_is_refused_with_a_hint(sims, tmp_path):
    s = sim(sims, "--rate", "80", "--scenario", "idle", "--seed", "1")
    first = subprocess.Popen([PY, "-m", "nmt_pressure", "monitor", "--port", s.port, "--duration", "6"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(2.0)
        p = monitor("--port", s.port, "--duration", "1")
        assert p.returncode == 2
        assert "busy" in p.stderr and "Traceback" not in p.stderr
    finally:
        first.kill()
        first.wait(5)


def test_existing_recording_is_not_overwritten(sims, tmp_path):
    rec = tmp_path / "keep.csv"
    rec.write_text("precious")
    s = sim(sims, "--rate", "80", "--scenario", "idle", "--seed", "1")
    p = monitor("--port", s.port, "--duration", "1", "--record", str(rec))
    assert p.returncode == 2 and "--overwrite" in p.stderr
    assert rec.read_text() == "precious"


def test_ports_lists_without_error():
    p = subprocess.run([PY, "-m", "nmt_pressure", "ports"], capture_output=True, text=True, timeout=60,
                       check=False)
    assert p.returncode == 0 and p.stdout.strip()


def test_demo_runs_the_live_monitor_on_the_simulator():
    env = dict(os.environ)
    p = subprocess.run([PY, "-m", "nmt_pressure.demo", "--duration", "4"], capture_output=True, text=True,
                       timeout=60, check=False, env=env)
    assert p.returncode == 0, p.stderr
    assert "live terminal monitor" in p.stdout and "connected: nmt-sim" in p.stdout


def test_polled_gauge_answers_each_query(tmp_path):
    """A gauge that sends one reading per '?' (Mark-10/Imada style), over a real TCP socket."""
    import threading

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    queries = []

    def gauge() -> None:
        conn, _ = srv.accept()
        conn.settimeout(5)
        buf = b""
        with conn:
            while True:
                try:
                    data = conn.recv(100)
                except OSError:
                    return
                if not data:
                    return
                buf += data
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    if line.strip() == b"?":
                        queries.append(time.monotonic())
                        conn.sendall(b"  12.34 lbF\r\n")

    threading.Thread(target=gauge, daemon=True).start()
    js = tmp_path / "s.json"
    p = monitor("--port", f"socket://127.0.0.1:{srv.getsockname()[1]}", "--poll", "?", "--duration", "3",
                "--summary-json", str(js))
    srv.close()
    assert p.returncode == 0, p.stderr
    out = summary(js)
    assert out["format"] == "ascii"
    assert 15 <= len(queries) <= 35  # ten queries a second
    assert out["samples"] >= len(queries) - 3
    assert "contact" in [e["kind"] for e in out["events"]]  # 12.34 lbf = 54.9 N


def test_stalled_device_is_restarted_then_reconnected(sims, tmp_path):
    s = sim(sims, "--rate", "250", "--scenario", "steady", "--seed", "1", "--stall-after", "2")
    js = tmp_path / "s.json"
    p = monitor("--port", s.port, "--duration", "6", "--summary-json", str(js))
    assert p.returncode == 0, p.stderr
    out = summary(js)
    assert out["samples"] > 250 * 1.0
    assert out["reconnects"] >= 1  # START did not help: the watchdog reopened the port
    assert "no data from" in p.stdout


def test_wrong_format_gets_a_baud_and_format_hint(sims, tmp_path):
    s = sim(sims, "--rate", "1000", "--scenario", "steady", "--seed", "1", "--format", "ascii")
    p = monitor("--port", s.port, "--format", "nmtp", "--duration", "3")
    assert p.returncode == 0, p.stderr
    assert "no valid data" in p.stdout and "--baud" in p.stdout and "--format" in p.stdout


def test_nmt_pressure_sim_is_the_simulator():
    proc = subprocess.Popen([PY, "-m", "nmt_pressure", "sim", "--rate", "80", "--scenario", "idle"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("port: /dev/pts/")
    finally:
        proc.terminate()
        assert proc.wait(5) == 0
