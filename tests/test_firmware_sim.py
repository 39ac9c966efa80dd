"""The simulated device as a process: real pseudo-terminals and sockets, read with pyserial.

Every test starts ``python -m firmware_sim`` through the ``sim`` fixture, which always kills the
child (and asserts that SIGTERM ends it with status 0). Frames are decoded with the project's own
``NmtpDecoder``. The unit tests at the end need no process.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import serial

from firmware_sim.scenarios import (
    PLANNERS,
    Player,
    ScriptError,
    build_script,
    label_segments,
    load_script,
    plan_session_scenario,
    script_planner,
)
from firmware_sim.traces import generate
from nmt_pressure.protocol.frames import FLAG_MARKER, FLAG_OVERLOAD, FLAG_TARED, Banner, Response, SampleBlock
from nmt_pressure.protocol.nmtp import NmtpDecoder, encode_command

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 15.0


@dataclass
class Sim:
    """A running simulator: its process, the port it printed, and where its stderr goes."""

    proc: subprocess.Popen[bytes]
    port: str
    stderr_path: Path
    ports: list[serial.SerialBase] = field(default_factory=list)

    def open(self, timeout: float = 0.05) -> serial.SerialBase:
        s = serial.serial_for_url(self.port, timeout=timeout)
        self.ports.append(s)
        return s

    def stop(self) -> int:
        for s in self.ports:
            s.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return -9
        return self.proc.returncode


def _env() -> dict[str, str]:
    env = dict(os.environ)
    paths = [str(ROOT), str(ROOT / "src")]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def _start(args: list[str], tmp_path: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    err = tmp_path / f"sim-stderr-{time.monotonic_ns()}.txt"
    with open(err, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "firmware_sim", *args], stdout=subprocess.PIPE,
                                stderr=fh, env=_env(), cwd=ROOT)
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT)
    line = proc.stdout.readline().decode() if ready else ""
    return proc, line.rstrip("\n"), err


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[Callable[..., Sim]]:
    """``sim(*args)`` starts a simulator; all are stopped (SIGTERM → status 0) at teardown."""
    started: list[Sim] = []

    def start(*args: str) -> Sim:
        proc, line, err = _start(list(args), tmp_path)
        s = Sim(proc, "", err)
        started.append(s)
        assert line.startswith("port: "), f"first line {line!r}; stderr: {err.read_text()}"
        s.port = line.split(" ", 1)[1]
        return s

    yield start
    codes = [s.stop() for s in started]
    assert all(c == 0 for c in codes), f"exit statuses {codes} (SIGTERM must end the simulator cleanly)"


def read_frames(port: serial.SerialBase, seconds: float, dec: NmtpDecoder | None = None,
                until: Callable[[list[Any]], bool] | None = None) -> list[Any]:
    """Frames read for ``seconds`` (or until ``until(frames)`` is true), each stamped with ``.host_t``."""
    dec = dec or NmtpDecoder()
    out: list[Any] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        data = port.read(max(1, port.in_waiting))
        if data:
            now = time.monotonic()
            out.extend((now, f) for f in dec.feed(data))
            if until is not None and until([f for _, f in out]):
                break
    return out


def blocks_of(stamped: list[Any]) -> list[SampleBlock]:
    return [f for _, f in stamped if isinstance(f, SampleBlock)]


def command(port: serial.SerialBase, text: str, dec: NmtpDecoder | None = None,
            framed: bool = True, timeout: float = 2.0) -> tuple[str, list[Any]]:
    """Send a command; return its reply and the frames that arrived after it in the same read."""
    port.write(encode_command(text) if framed else (text + "\n").encode())
    frames = [f for _, f in read_frames(port, timeout, dec,
                                        until=lambda fs: any(isinstance(f, Response) for f in fs))]
    at = next((i for i, f in enumerate(frames) if isinstance(f, Response)), None)
    assert at is not None, f"no reply to {text!r}"
    return frames[at].text, frames[at + 1:]


def blocks_after(port: serial.SerialBase, after: list[Any], seconds: float,
                 dec: NmtpDecoder) -> list[SampleBlock]:
    """The blocks that followed a reply: those read with it, then ``seconds`` more."""
    return [f for f in after if isinstance(f, SampleBlock)] + blocks_of(read_frames(port, seconds, dec))


def check_continuity(blocks: list[SampleBlock]) -> None:
    """Sequence numbers and device times follow on from block to block without gaps."""
    for a, b in itertools.pairwise(blocks):
        assert b.seq == (a.seq + len(a.counts)) & 0xFFFF, (a, b)
        dt = a.dt_us or (b.t0_us - a.t0_us) & 0xFFFFFFFF
        assert (b.t0_us - a.t0_us) & 0xFFFFFFFF == len(a.counts) * dt, (a, b)


# --------------------------------------------------------------------------------------------------
# The process on a pseudo-terminal
# --------------------------------------------------------------------------------------------------
def test_pty_streams_valid_frames_at_the_requested_rate(sim: Callable[..., Sim]) -> None:
    s = sim("--rate", "1000", "--scenario", "session", "--seed", "3")
    assert re.fullmatch(r"/dev/pts/\d+", s.port)
    port = s.open()
    dec = NmtpDecoder()
    stamped = read_frames(port, 2.2, dec)
    assert dec.stats.crc_errors == 0 and dec.stats.framing_errors == 0
    blocks = blocks_of(stamped)
    assert len(blocks) > 150
    assert all(b.dt_us == 1000 and 1 <= len(b.counts) <= 10 for b in blocks)
    check_continuity(blocks)
    # Device time against the host's clock over ~2 s: the rate as asked, within 2 %.
    times = [t for t, f in stamped if isinstance(f, SampleBlock)]
    first, last = blocks[5], blocks[-1]
    device_s = ((last.t0_us - first.t0_us) & 0xFFFFFFFF) / 1e6
    host_s = times[-1] - times[5]
    assert device_s == pytest.approx(host_s, rel=0.02)
    n = sum(len(b.counts) for b in blocks[5:-1])
    assert n / device_s == pytest.approx(1000, rel=0.02)


def test_commands(sim: Callable[..., Sim], tmp_path: Path) -> None:
    script = tmp_path / "press.txt"
    script.write_text("idle 0.2\nramp 0.3 to 50\nhold 600\nrelease 0.5\n")
    s = sim("--rate", "1000", "--script", str(script), "--noise", "0", "--seed", "1")
    port = s.open()
    dec = NmtpDecoder()
    read_frames(port, 0.8, dec)  # past the ramp: 50 N on the cell

    reply, _ = command(port, "ID", dec)
    m = re.fullmatch(r"id name=nmt-sim fw=(\S+) serial=(\S+) adc=ads1256-like rate=1000 "
                     r"scale=([\d.]+) offset=(-?\d+)", reply)
    assert m, reply
    scale0, offset0 = float(m.group(3)), int(m.group(4))
    assert 2**23 / 300 * 0.95 < scale0 < 2**23 / 300 * 1.05

    reply, _ = command(port, "CAL 50", dec)
    m = re.fullmatch(r"ok cal scale=([\d.]+)", reply)
    assert m, reply
    assert float(m.group(1)) == pytest.approx(scale0, rel=0.04)  # tremor ±3 %, gain known to 0.2 %
    assert command(port, "CAL -3", dec)[0].startswith("err cal")

    reply, after = command(port, "TARE", dec)
    m = re.fullmatch(r"ok tare offset=(-?\d+)", reply)
    assert m, reply
    assert int(m.group(1)) - offset0 == pytest.approx(50 * scale0, rel=0.05)
    later = blocks_after(port, after, 0.1, dec)
    assert later[0].flags & FLAG_TARED and not any(b.flags & FLAG_TARED for b in later[1:])

    reply, after = command(port, "MARK", dec)
    assert reply == "ok mark"
    later = blocks_after(port, after, 0.1, dec)
    assert later[0].flags & FLAG_MARKER and not any(b.flags & FLAG_MARKER for b in later[1:])

    reply, after = command(port, "RATE 80", dec)
    assert reply == "ok rate=80"
    later = blocks_after(port, after, 0.5, dec)
    assert len(later) >= 30 and all(b.dt_us == 12500 and len(b.counts) == 1 for b in later)
    check_continuity(later)
    assert command(port, "RATE 12.5", dec)[0] == "err rate unsupported"
    assert command(port, "RATE 5000", dec)[0] == "err rate unsupported"
    assert command(port, "RATE", dec)[0] == "err rate unsupported"

    reply, after = command(port, "STOP", dec)
    assert reply == "ok streaming=0"
    assert blocks_after(port, after, 0.4, dec) == []
    reply, _ = command(port, "STATUS", dec, framed=False)  # a person typing at a terminal
    m = re.match(r"status streaming=0 rate=80 seq=(\d+) uptime_us=(\d+) overload=0 temp_c=([\d.]+)", reply)
    assert m, reply
    seq_stopped = int(m.group(1))
    reply, after = command(port, "START", dec)
    assert reply == "ok streaming=1"
    again = blocks_after(port, after, 0.4, dec)
    assert again and again[0].seq == seq_stopped
    assert command(port, "FROBNICATE", dec)[0] == "err unknown command"
    assert command(port, "id", dec, framed=False)[0].startswith("id name=nmt-sim")


def test_wait_for_host_starts_the_stream_and_the_hand_at_the_first_command(sim: Callable[..., Sim],
                                                                           tmp_path: Path) -> None:
    script = tmp_path / "press.txt"
    script.write_text("idle 0.3\nramp 0.2 to 50\nhold 600\nrelease 0.5\n")
    s = sim("--rate", "200", "--script", str(script), "--noise", "0", "--wait-for-host")
    port = s.open()
    dec = NmtpDecoder()
    # Silent while nobody asks, however long: a hand started at boot would be on the cell by now.
    assert blocks_of(read_frames(port, 1.0, dec)) == []
    reply, after = command(port, "ID", dec)
    m = re.search(r"scale=([\d.]+) offset=(-?\d+)", reply)
    assert m, reply
    scale, offset = float(m.group(1)), int(m.group(2))

    def force(b: SampleBlock) -> float:
        return (max(b.counts) - offset) / scale

    blocks = blocks_after(port, after, 0.0, dec)
    blocks += blocks_of(read_frames(port, 10.0, dec, until=lambda fs: any(
        isinstance(f, SampleBlock) and force(f) > 40 for f in fs)))
    assert blocks and force(blocks[0]) < 1.0  # the script's idle lead-in, from the command on
    pressed = next(b for b in blocks if force(b) > 40)
    # The ramp begins 0.3 s of device time after the stream does: the script started with it.
    assert (pressed.t0_us - blocks[0].t0_us) / 1e6 == pytest.approx(0.45, abs=0.1)
    check_continuity(blocks)


def test_hx711_rate_sends_each_sample_alone(sim: Callable[..., Sim]) -> None:
    s = sim("--rate", "10", "--scenario", "idle")
    port = s.open()
    dec = NmtpDecoder()
    blocks = blocks_of(read_frames(port, 1.05, dec))
    assert len(blocks) >= 8
    assert all(len(b.counts) == 1 and b.dt_us == 0 for b in blocks)  # 100 ms does not fit in u16
    assert {(b.t0_us - a.t0_us) & 0xFFFFFFFF for a, b in itertools.pairwise(blocks)} == {100_000}
    check_continuity(blocks)
    assert re.search(r" adc=hx711 rate=10 ", command(port, "ID", dec)[0])


def test_overload_flag(sim: Callable[..., Sim], tmp_path: Path) -> None:
    script = tmp_path / "crush.txt"
    script.write_text("ramp 0.2 to 500\nhold 60\nrelease 0.2\n")
    s = sim("--rate", "500", "--script", str(script))
    port = s.open()
    blocks = blocks_of(read_frames(port, 0.8))
    assert blocks[-1].flags & FLAG_OVERLOAD and max(blocks[-1].counts) == 2**23 - 1
    assert command(port, "STATUS")[0].split()[5] == "overload=1"


def test_pty_reader_can_leave_and_come_back(sim: Callable[..., Sim]) -> None:
    s = sim("--rate", "2000", "--scenario", "steady")
    port = s.open()
    first = blocks_of(read_frames(port, 0.5))
    assert first
    port.close()
    time.sleep(1.5)  # nobody reads: the device drops its output (and must not block or die)
    port = s.open()
    dec = NmtpDecoder()
    second = blocks_of(read_frames(port, 0.5, dec))
    assert len(second) > 50
    check_continuity(second[1:])
    assert (second[-1].t0_us - first[-1].t0_us) & 0xFFFFFFFF > 1_900_000
    assert command(port, "STATUS", dec)[0].startswith("status streaming=1")
    assert s.proc.poll() is None


def test_tcp_serves_clients_one_after_another(sim: Callable[..., Sim]) -> None:
    s = sim("--tcp", "0", "--rate", "250", "--scenario", "tppr")
    m = re.fullmatch(r"socket://127\.0\.0\.1:(\d+)", s.port)
    assert m and int(m.group(1)) > 0
    # A bare socket first: pyserial's open() discards what arrived while it connected (the banner).
    with socket.create_connection(("127.0.0.1", int(m.group(1))), timeout=2) as raw:
        dec = NmtpDecoder()
        frames: list[Any] = []
        while len(frames) < 5:
            frames += dec.feed(raw.recv(4096))
        assert isinstance(frames[0], Banner) and frames[0].text.startswith("nmt-sim fw 1.0 ready")
        assert all(isinstance(f, SampleBlock) for f in frames[1:])
    for _ in range(2):
        port = s.open()
        dec = NmtpDecoder()
        blocks = blocks_of(read_frames(port, 0.6, dec))
        assert len(blocks) > 40 and all(b.dt_us == 4000 and len(b.counts) <= 2 for b in blocks)
        check_continuity(blocks)
        assert command(port, "ID", dec)[0].startswith("id name=nmt-sim")
        port.close()
        time.sleep(0.2)


def test_labels_file_deterministic_and_first_release_within_20_s(sim: Callable[..., Sim],
                                                                  tmp_path: Path) -> None:
    paths = [tmp_path / f"labels{i}.json" for i in range(3)]
    sim("--scenario", "session", "--seed", "7", "--labels", str(paths[0]), "--rate", "80")
    sim("--scenario", "session", "--seed", "7", "--labels", str(paths[1]), "--rate", "2000", "--tcp", "0")
    sim("--scenario", "session", "--seed", "8", "--labels", str(paths[2]), "--rate", "80")
    docs = [json.loads(p.read_text()) for p in paths]  # written before the port line
    labels = [d["labels"] for d in docs]
    assert labels[0] == labels[1]  # same seed, any rate or link: the same hand
    assert labels[0] != labels[2]
    assert docs[0]["meta"]["scenario"] == "session" and docs[0]["meta"]["seed"] == 7
    kinds = {lab["kind"] for lab in labels[0]}
    assert {"contact", "hold", "release"} <= kinds
    first_release = min(lab["t"] for lab in labels[0] if lab["kind"] == "release")
    first_hold = min((lab for lab in labels[0] if lab["kind"] == "hold"), key=lambda lab: lab["start"])
    assert first_release < 20.0 and first_hold["end"] <= first_release
    # The same session as the offline traces draw for this seed.
    offline = generate(7, 100.0, 0.1, first_release_within=20.0).labels
    assert [{k: v for k, v in lab.items() if k != "session"} for lab in labels[0]] == offline
    # The file is kept up to date while the device runs.
    t_now = docs[0]["meta"]["t_now"]
    time.sleep(1.3)
    assert json.loads(paths[0].read_text())["meta"]["t_now"] > t_now + 0.5


def test_clock_wraps_at_32_bits(sim: Callable[..., Sim], tmp_path: Path) -> None:
    labels = tmp_path / "wrap.json"
    start = 2**32 - 300_000
    s = sim("--rate", "1000", "--clock-start-us", str(start), "--labels", str(labels))
    blocks = blocks_of(read_frames(s.open(), 0.8))
    t0 = [b.t0_us for b in blocks]
    assert any(b < a for a, b in itertools.pairwise(t0)), "no wrap seen"
    check_continuity(blocks)
    doc = json.loads(labels.read_text())
    assert doc["meta"]["clock_start_us"] == start
    assert min(lab.get("t", lab.get("start")) for lab in doc["labels"]) > start / 1e6


def test_fault_injection(sim: Callable[..., Sim]) -> None:
    dropping = sim("--rate", "1000", "--drop", "0.2", "--seed", "2")
    corrupt = sim("--rate", "1000", "--corrupt", "0.002", "--garbage-every", "0.3", "--seed", "2")
    stalling = sim("--rate", "1000", "--stall-after", "1.2")
    ports = [dropping.open(), corrupt.open(), stalling.open()]
    decs = [NmtpDecoder() for _ in ports]
    got: list[list[Any]] = [[], [], []]
    end = time.monotonic() + 2.0
    while time.monotonic() < end:
        for i, (p, d) in enumerate(zip(ports, decs, strict=True)):
            data = p.read(max(1, p.in_waiting))
            got[i].extend((time.monotonic(), f) for f in d.feed(data))
    # --drop: sequence gaps, every block that arrives intact.
    blocks = blocks_of(got[0])
    gaps = sum(b.seq != (a.seq + len(a.counts)) & 0xFFFF for a, b in itertools.pairwise(blocks))
    assert 0.1 * len(blocks) < gaps < 0.35 * len(blocks) and decs[0].stats.crc_errors == 0
    # --corrupt / --garbage-every: the decoder sees bad frames and garbage, and still most blocks.
    st = decs[1].stats
    assert st.crc_errors + st.framing_errors > 0 and st.garbage_bytes > 0
    assert len(blocks_of(got[1])) > 100
    # --stall-after: data stops, the link stays open and the process alive.
    stamped = [t for t, f in got[2] if isinstance(f, SampleBlock)]
    assert stamped and stamped[-1] < end - 0.5
    ports[2].write(encode_command("ID"))
    assert read_frames(ports[2], 0.3, decs[2]) == []
    assert stalling.proc.poll() is None


@pytest.mark.parametrize("fmt", ["ascii", "ascii-unit"])
def test_ascii_formats(sim: Callable[..., Sim], tmp_path: Path, fmt: str) -> None:
    script = tmp_path / "s.txt"
    script.write_text("ramp 0.1 to 20\nhold 100\nrelease 0.2\n")
    s = sim("--format", fmt, "--rate", "250", "--script", str(script), "--noise", "0")
    port = s.open(timeout=0.5)
    port.reset_input_buffer()
    time.sleep(0.5)
    lines = port.read(port.in_waiting).decode().splitlines()[1:-1]
    assert len(lines) > 50
    if fmt == "ascii":  # "t,value": device seconds and newtons
        rows = [tuple(map(float, line.split(","))) for line in lines]
        assert np.allclose(np.diff([r[0] for r in rows]), 0.004)
        values = [r[1] for r in rows]
    else:  # "value N"
        assert all(re.fullmatch(r"-?\d+\.\d{3} N", line) for line in lines), lines[:3]
        values = [float(line.split()[0]) for line in lines]
    assert np.median(values) == pytest.approx(20.0, rel=0.05)
    port.write(b"STATUS\n")  # replies are text lines too
    end = time.monotonic() + 2.0
    while time.monotonic() < end:
        line = port.readline().decode()
        if line.startswith("status "):
            break
    assert line.startswith("status streaming=1 rate=250 ")


def test_sigint_ends_cleanly(tmp_path: Path) -> None:
    proc, line, _ = _start(["--rate", "500"], tmp_path)
    try:
        assert line.startswith("port: /dev/pts/")
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_usage_errors(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "firmware_sim", *args], capture_output=True, text=True,
                              env=_env(), cwd=ROOT, timeout=20)

    r = run("--rate", "5000")
    assert r.returncode == 2 and "'5000' is not a sample rate" in r.stderr and r.stdout == ""
    r = run("--scenario", "nap")
    assert r.returncode == 2 and "unknown scenario 'nap'" in r.stderr
    bad = tmp_path / "bad.txt"
    bad.write_text("ramp 1 to 10\nwobble 3\n")
    r = run("--script", str(bad))
    assert r.returncode == 2 and "bad.txt line 2: unknown segment 'wobble'" in r.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        r = run("--tcp", str(busy.getsockname()[1]))
    assert r.returncode == 2 and "is in use" in r.stderr
    for r in (run("--rate", "5000"), run("--scenario", "nap"), run("--script", str(bad))):
        assert len(r.stderr.strip().splitlines()[-1]) < 200 and "Traceback" not in r.stderr


# --------------------------------------------------------------------------------------------------
# Without a process
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(8))
def test_generic_labels_equal_the_hand_models(seed: int) -> None:
    plan = plan_session_scenario(seed)
    assert label_segments(plan.hand.segments) == plan.labels


def test_planned_scenarios_are_deterministic_and_labelled() -> None:
    for name, planner in PLANNERS.items():
        a, b = planner(4), planner(4)
        assert a.labels == b.labels and a.hand == b.hand, name
        assert a.duration > 10, name
        if name == "idle":
            assert a.labels == []
            continue
        holds = [lab for lab in a.labels if lab["kind"] == "hold"]
        assert holds and all(h["end"] > h["start"] for h in holds), name
    for seed in range(6):
        tppr = PLANNERS["tppr"](seed).labels
        steps = [lab for lab in tppr if lab["kind"] == "step"]
        assert [s["direction"] for s in steps] == ["up"] * 3
        assert sorted(s["slow"] for s in steps) == [False, True, True]  # two eased, one quick
        # The tissue gives inside the band; only the slow steps cross it before they settle.
        exits = [lab for lab in tppr if lab["kind"] == "band_exit"]
        assert [e["during"] for e in exits] == ["step", "step"]
        assert all(any(s["t"] < e["t"] < s["t_end"] for s in steps if s["slow"]) for e in exits)
    drift = PLANNERS["drift"](1).labels
    assert len([lab for lab in drift if lab["kind"] == "band_exit"]) == 3


def test_player_loops_sessions_with_the_next_seed() -> None:
    player = Player(PLANNERS["steady"], seed=10, t0=5.0)
    d0 = PLANNERS["steady"](10).duration
    t = np.arange(5.0, 5.0 + d0 + 10.0, 0.01)
    f = player.force(t)
    assert f[t < 7.0].max() == 0.0 and f.max() > 15.0
    assert player.sessions_started == 2
    assert [lab["session"] for lab in player.labels] == [0, 0, 0, 1, 1, 1]
    second = [lab for lab in player.labels if lab["session"] == 1]
    expected = PLANNERS["steady"](11).labels
    assert second[0]["t"] == pytest.approx(expected[0]["t"] + 5.0 + d0)


def test_a_waiting_player_is_idle_until_it_begins() -> None:
    player = Player(PLANNERS["steady"], seed=10, t0=5.0, waiting=True)
    t = np.arange(5.0, 30.0, 0.01)
    assert not player.force(t).any() and player.labels == [] and player.sessions_started == 0
    player.begin(40.0)
    t2 = np.arange(30.0, 40.0 + PLANNERS["steady"](10).duration, 0.01)
    f = player.force(t2)
    assert f[t2 < 42.0].max() == 0.0 and f.max() > 15.0  # the session's 2 s idle, from 40 s on
    assert player.labels[0]["t"] == pytest.approx(PLANNERS["steady"](10).labels[0]["t"] + 40.0)
    player.begin(99.0)  # only the first call starts it
    assert player.current_start == 40.0


def test_scripts(tmp_path: Path) -> None:
    good = tmp_path / "ok.txt"
    good.write_text("idle 1  # rest\nramp 1 to 30\nhold 3\nmark\ndrift 3 by -20%\nstep 0.5 to 40\n"
                    "hold 2\nrelease 0.4\nidle 1\ntouch 0.5 peak 8\nidle 0.5\n"
                    "stroke 3 mean 15 swing 0.4 freq 1\nidle 1\n")
    steps = load_script(good)
    plan = script_planner(steps)(0)
    kinds = [lab["kind"] for lab in plan.labels]
    assert kinds == ["contact", "hold", "mark", "band_exit", "step", "hold", "release", "touch", "contact",
                     "stroke", "contact"]
    assert plan.marks == (5.0,)
    js = tmp_path / "ok.json"
    js.write_text(json.dumps([{"kind": "ramp", "duration": 1, "to": 30}, {"kind": "hold", "duration": 3},
                              {"kind": "mark"}, {"kind": "release", "duration": 0.5}]))
    assert script_planner(load_script(js))(0).marks == (4.0,)
    for text, msg in [("hold 3\n", "nothing applied"), ("ramp 1 to 10\n", "ends pressing"),
                      ("ramp 1 to 10\nidle 2\n", "add a 'release' first"), ("ramp x to 3\n", "not a number"),
                      ("ramp 1\n", "needs the new level"), ("touch 1\n", "peak")]:
        bad = tmp_path / "bad.txt"
        bad.write_text(text)
        with pytest.raises(ScriptError, match=msg):
            load_script(bad)
    assert build_script(steps).t == pytest.approx(1 + 1 + 3 + 3 + 0.5 + 2 + 0.4 + 1 + 0.5 + 0.5 + 3 + 1)


def test_pty_link_drops_instead_of_blocking(monkeypatch: pytest.MonkeyPatch) -> None:
    from firmware_sim import link as link_mod

    monkeypatch.setattr(link_mod, "STALE_AFTER_S", 0.05)
    pty = link_mod.PtyLink()
    try:
        frame = bytes(range(1, 47)) + b"\x00"
        t0 = time.monotonic()
        accepted = 0
        for _ in range(3000):  # 141 kB with nobody reading: far beyond what the pty holds
            accepted += pty.write(frame)
            if pty.stats.writes_dropped and pty.stats.bytes_flushed:
                break
            time.sleep(0.0002)
        assert time.monotonic() - t0 < 5.0
        assert pty.stats.writes_dropped > 0 and pty.stats.bytes_flushed > 0 and accepted > 100
        # A reader arriving now gets whole frames (the queue is dropped by frame, never mid-frame).
        port = serial.serial_for_url(pty.url, timeout=0.05)
        try:
            pty.write(frame)
            pty.poll(0.01)
            data = port.read(4096)
            assert data.endswith(frame)
        finally:
            port.close()
    finally:
        pty.close()


def test_adc_model() -> None:
    from firmware_sim.adc import Adc, AdcConfig

    def force(t: np.ndarray) -> np.ndarray:
        return np.where(t < 1.0, 0.0, 400.0)

    adc = Adc(force, np.random.default_rng(0), AdcConfig(noise_n=0.1, spike_rate_per_s=0.0))
    t = np.arange(1, 1001) / 1000.0
    counts, over = adc.convert(t, 1000)
    assert not over.any()
    sigma = counts.std() / adc.gain
    assert sigma == pytest.approx(0.1, rel=0.15)
    slow = Adc(force, np.random.default_rng(0), AdcConfig(noise_n=0.1))
    assert slow.noise_sigma_n(10) == pytest.approx(0.01)
    counts, over = adc.convert(1.0 + np.arange(1, 101) / 1000.0, 1000)
    assert over.all() and (counts == 2**23 - 1).all()
