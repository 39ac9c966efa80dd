"""Joining the link: a device already streaming, one that streams but does not answer ID, a port that
never says anything, and Ctrl-C on the demo.

Real parts throughout: real pseudo-terminals opened by the monitor through pyserial, the `nmt-pressure`
command and the demo as a user runs them, the real simulator child, real signals sent to a process
group as a terminal sends them. Where the simulator cannot be made to do one thing for certain (leave a
backlog in its buffer exactly when we join) the test plays the device itself, byte for byte in the real
protocol, on a real pty. No assertion is about how long anything took.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from devices import Sim, Watched

from nmt_pressure.io.recording import read_recording
from nmt_pressure.protocol.nmtp import CommandDecoder, encode_response, encode_samples

PY = sys.executable
RATE = 1000
PER_BLOCK = 10
DT_US = 1_000_000 // RATE


class PlayedDevice:
    """An nmtp device played by the test on a real pty, as a USB device behaves when someone joins.

    Until the monitor opens the port nobody reads, so the device's buffer holds ``backlog`` old samples
    and it dropped the ``gap`` samples after them. When the monitor has opened the port (and pyserial
    has flushed the kernel's buffers: the first command, or half a second, later) the backlog comes
    out at once, then the live stream, one block every 10 ms; an ID is answered after the block then
    due (``answer_id=False``: never). ``lose_after`` live blocks after the ID reply, ``lost`` samples
    are lost while the monitor reads (a real loss, which must count). ``done`` is set 50 blocks later.
    """

    def __init__(self, *, backlog: int = 1000, gap: int = 700, lost: int = 50, lose_after: int = 100,
                 answer_id: bool = True) -> None:
        self.master, slave = os.openpty()
        self.port = os.ttyname(slave)
        os.close(slave)  # nobody has the port open: the master sees a hang-up until the monitor opens it
        os.set_blocking(self.master, False)
        self.backlog, self.gap, self.lost, self.lose_after = backlog, gap, lost, lose_after
        self.answer_id = answer_id
        self.commands: list[str] = []
        self.id_answered = threading.Event()
        self.done = threading.Event()
        self._stop = threading.Event()
        self._seq = 0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view and not self._stop.is_set():
            try:
                n = os.write(self.master, view)
            except BlockingIOError:
                select.select([], [self.master], [], 0.05)
                continue
            except OSError:  # the monitor closed the port
                return
            view = view[n:]

    def _block(self) -> bytes:
        counts = [0] * PER_BLOCK  # nothing on the cell: this is about the link, not the core
        frame = encode_samples(self._seq, self._seq * DT_US, DT_US, counts)
        self._seq += PER_BLOCK
        return frame

    def _commands(self, decoder: CommandDecoder) -> list[str]:
        try:
            data = os.read(self.master, 4096)
        except BlockingIOError:
            return []
        except OSError as exc:
            if exc.errno == errno.EIO:  # no one has the port open (yet, or any more)
                return []
            raise
        got = [f.text for f in decoder.feed(data)]
        self.commands += got
        return got

    def _run(self) -> None:
        poller = select.poll()
        poller.register(self.master, select.POLLHUP)
        while not self._stop.is_set() and any(ev & select.POLLHUP for _, ev in poller.poll(0)):
            time.sleep(0.01)
        decoder = CommandDecoder()
        opened = time.monotonic()
        pending: list[str] = []
        while not self._stop.is_set() and not pending and time.monotonic() - opened < 0.5:
            pending = self._commands(decoder)
            time.sleep(0.01)
        self._write(b"".join(self._block() for _ in range(self.backlog // PER_BLOCK)))
        self._seq += self.gap  # dropped by the device while its buffer was full
        live_after_id = 0
        next_t = time.monotonic()
        while not self._stop.is_set():
            next_t += PER_BLOCK / RATE
            time.sleep(max(0.0, next_t - time.monotonic()))
            self._write(self._block())
            pending += self._commands(decoder)
            if "ID" in pending and self.answer_id and not self.id_answered.is_set():
                self._write(encode_response(f"id name=played-cell serial=P1 rate={RATE} scale=1000 offset=0"))
                self.id_answered.set()
            pending = []
            if self.id_answered.is_set():
                live_after_id += 1
                if live_after_id == self.lose_after:
                    self._seq += self.lost  # lost while the monitor reads
                elif live_after_id == self.lose_after + 50:
                    self.done.set()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        with contextlib.suppress(OSError):
            os.close(self.master)


@pytest.fixture
def cleanup() -> Iterator[list[Any]]:
    things: list[Any] = []
    yield things
    for x in things:
        x.kill() if hasattr(x, "kill") else x.close()


def no_traceback(text: str) -> None:
    assert "Traceback" not in text, text


# --------------------------------------------------------------------------------------------------
# joining a device that is already streaming
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["auto", "nmtp"])
def test_joining_a_streaming_device_counts_only_what_is_lost_while_reading(fmt, cleanup, tmp_path):
    """The backlog the device buffered while nobody read, and the 700 samples it dropped meanwhile,
    are neither "dropped" nor a reason to suspect the baud rate; the 50 lost while the monitor reads
    are counted, exactly."""
    dev = PlayedDevice()
    cleanup.append(dev)
    rec, js = tmp_path / "r.csv", tmp_path / "s.json"
    mon = Watched([PY, "-m", "nmt_pressure", "monitor", "--port", dev.port, "--format", fmt,
                   "--record", str(rec), "--summary-json", str(js)])
    cleanup.append(mon)
    assert dev.done.wait(60), ("the monitor never asked ID", dev.commands, mon.out, mon.err)
    assert mon.stop(signal.SIGINT, timeout=60.0) == 0
    no_traceback("\n".join(mon.err))
    out = json.loads(js.read_text())
    assert out["dropped"] == dev.lost, out["dropped"]
    assert out["device"] == "played-cell P1"
    assert not any("no valid data" in line or "baud" in line for line in mon.out), mon.out
    assert not any("has not answered ID" in line for line in mon.out), mon.out
    # The join really had a backlog and a gap (else the test shows nothing): both are in the recording.
    r = read_recording(rec)
    steps = np.round(np.diff(r.t) * RATE).astype(int)
    assert sorted(set(steps.tolist())) == [1, dev.lost + 1, dev.gap + 1], set(steps.tolist())
    assert len(r.t) == out["samples"] and out["samples"] > dev.backlog


def test_device_streaming_without_answering_id_is_not_a_baud_problem(cleanup):
    """Valid frames but no answer to ID: the monitor says exactly that (once), not "check the baud"."""
    dev = PlayedDevice(answer_id=False)
    cleanup.append(dev)
    mon = Watched([PY, "-m", "nmt_pressure", "monitor", "--port", dev.port])
    cleanup.append(mon)
    i = mon.wait_for("device streaming but has not answered ID yet", timeout=60.0)
    assert "ID" in dev.commands  # it was asked
    assert mon.stop(signal.SIGINT, timeout=60.0) == 0
    no_traceback("\n".join(mon.err))
    assert not any("no valid data" in line or "--baud" in line for line in mon.out), mon.out
    assert sum("has not answered ID" in line for line in mon.out) == 1
    assert dev.port in mon.out[i]


def test_joining_the_simulator_mid_stream_never_suspects_the_baud_rate(cleanup):
    """The real simulator, joined again and again while it streams (it buffers, then drops, while
    nobody reads, as a USB device does; its ID reply comes after that backlog): never a baud hint.
    (Whether a join meets a backlog depends on when it comes; the played device above makes sure.)"""
    dev = Sim("--rate", "1000", "--scenario", "steady", "--seed", "3")
    cleanup.append(dev)
    for k in range(3):
        time.sleep(0.7 * k)  # nobody reads for a while, a different while each time
        p = subprocess.run([PY, "-m", "nmt_pressure", "monitor", "--port", dev.port, "--duration", "1.5"],
                           capture_output=True, text=True, timeout=60, check=False)
        assert p.returncode == 0, p.stderr
        assert "connected: nmt-sim" in p.stdout, p.stdout
        assert "no valid data" not in p.stdout and "link lost" not in p.stdout, p.stdout


# --------------------------------------------------------------------------------------------------
# a port that opens but never delivers anything
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("extra", "needle"), [
    ([], "--poll QUERY"),  # gives up by itself
    (["--duration", "2"], "--poll QUERY"),  # stopped before giving up: the same sentence, not a summary
    (["--format", "nmtp"], "not even an answer to ID and START"),
    (["--poll", "?"], "not even an answer to --poll '?'"),
])
def test_port_that_never_delivers_ends_in_one_sentence_and_exit_2(extra, needle, tmp_path):
    master, slave = os.openpty()  # the other end is held open but nobody ever writes to it
    try:
        port = os.ttyname(slave)
        rec = tmp_path / "r.csv"
        argv = [PY, "-m", "nmt_pressure", "monitor", "--port", port, "--record", str(rec), *extra]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    finally:
        os.close(slave)
        os.close(master)
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    no_traceback(p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith(f"nmt-pressure: error: nothing arrived from {port} in "), lines[0]
    assert needle in lines[0] and "`nmt-pressure ports`" in lines[0], lines[0]
    assert "link lost" not in p.stdout and "summary" not in p.stderr, p.stdout
    assert not rec.exists()  # nothing recorded: the corrected command may use the name


def test_device_that_streamed_and_vanished_is_still_waited_for(cleanup, tmp_path):
    """The silent-port rule is only for a port that never said anything: a device that streamed and
    then went quiet is reconnected to, as before."""
    dev = Sim("--rate", "250", "--scenario", "steady", "--seed", "1", "--stall-after", "1.5")
    cleanup.append(dev)
    js = tmp_path / "s.json"
    mon = Watched([PY, "-m", "nmt_pressure", "monitor", "--port", dev.port, "--summary-json", str(js)])
    cleanup.append(mon)
    connected = mon.wait_for("connected:", timeout=60.0)
    first = mon.wait_for("link lost: no data from", after=connected, timeout=60.0)
    mon.wait_for("link lost: no data from", after=first + 1, timeout=60.0)  # and it goes on trying
    assert mon.stop(signal.SIGINT, timeout=60.0) == 0
    no_traceback("\n".join(mon.err))
    out = json.loads(js.read_text())
    assert out["reconnects"] >= 1 and out["samples"] > 0


# --------------------------------------------------------------------------------------------------
# Ctrl-C on the demo
# --------------------------------------------------------------------------------------------------
def _children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"  # a zombie has ended; only its parent's wait is missing


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc to find the demo's child")
def test_ctrl_c_on_the_demo_reaches_only_the_demo_which_stops_its_device_itself(tmp_path):
    """Ctrl-C at a terminal sends SIGINT to the whole foreground process group. The simulator child
    is in a group of its own, so it is still streaming when the demo stops its monitor: the summary
    comes with no "link lost" before it, and the demo then ends the child."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")  # no screen: the terminal monitor
    demo = Watched([PY, "-m", "nmt_pressure.demo"], env=env, start_new_session=True)  # its own terminal group
    try:
        demo.wait_for("connected: nmt-sim", timeout=60.0)
        kids = _children(demo.proc.pid)
        assert len(kids) == 1, kids
        sim_pid = kids[0]
        assert os.getpgid(sim_pid) != os.getpgid(demo.proc.pid)  # out of reach of the terminal's SIGINT
        os.killpg(demo.proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
        rc = demo.stop(None, timeout=60.0)
    finally:
        demo.kill()
    assert rc == 0, demo.err
    no_traceback("\n".join(demo.err))
    assert not any("link lost" in line for line in demo.out), demo.out
    assert any(line.startswith("summary: ") and "0 reconnects" in line for line in demo.err), demo.err
    deadline = time.monotonic() + 30
    while not _gone(sim_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(sim_pid), "the demo left its simulator running"
