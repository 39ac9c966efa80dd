"""The simulator as a child process: its port, why it did not start, its pipes always read, its end.

Real children throughout: the simulator itself, and for what the simulator never does (a flood of
messages, silence) a small Python child put in its place through ``args``.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

import pytest
import serial

from nmt_pressure.link.simproc import SimulatorError, SimulatorProcess, simulator_args


def child(tmp_path: Path, code: str) -> SimulatorProcess:
    """A SimulatorProcess that runs ``code`` in place of the simulator."""
    script = tmp_path / "child.py"
    script.write_text(code)
    sim = SimulatorProcess([])
    sim.args = [sys.executable, str(script)]
    return sim


def test_simulator_args_say_the_script_or_the_scenario_and_a_speed_only_when_asked() -> None:
    assert simulator_args(500) == ["--rate", "500", "--seed", "0", "--scenario", "session"]
    assert simulator_args(200, scenario="idle", seed=3, speed=50.0) == \
        ["--rate", "200", "--seed", "3", "--scenario", "idle", "--speed", "50"]
    assert simulator_args(80, script="hand.txt", speed=1.0) == ["--rate", "80", "--seed", "0", "--script",
                                                                "hand.txt"]


def test_start_gives_the_port_and_stop_ends_it_in_its_own_process_group() -> None:
    with SimulatorProcess(simulator_args(200, scenario="idle")) as sim:
        assert sim.port.startswith("/dev/") and sim.alive and sim.failure is None
        assert sim.proc is not None
        # Its own group: Ctrl-C at the terminal (SIGINT to the parent's group) does not reach it.
        assert os.getpgid(sim.proc.pid) == sim.proc.pid != os.getpgrp()
        with serial.serial_for_url(sim.port, timeout=2) as port:
            assert port.read(64)  # it streams
        assert sim.exit_reason() is None
    assert not sim.alive and sim.exit_reason() == "stopped"
    sim.stop()  # again: nothing to do


def test_a_simulator_that_cannot_start_says_why_in_its_own_words(tmp_path: Path) -> None:
    sim = SimulatorProcess(simulator_args(500, script=str(tmp_path / "no-such-hand.txt")))
    with pytest.raises(SimulatorError) as err:
        sim.start()
    assert "cannot read script" in err.value.why and "no-such-hand.txt" in err.value.why
    assert str(err.value).startswith("the simulated device did not start (")
    assert not sim.alive and sim.failure == err.value.why


def test_spawn_tells_the_outcome_once_on_another_thread(tmp_path: Path) -> None:
    heard: list[tuple[str, str | None, bool]] = []
    told = threading.Event()

    def outcome(s: SimulatorProcess) -> None:
        heard.append((s.port, s.failure, threading.current_thread() is threading.main_thread()))
        told.set()

    sim = SimulatorProcess(simulator_args(200, scenario="idle"))
    try:
        sim.spawn(on_outcome=outcome)
        assert sim.wait_port(30) == sim.port
        assert told.wait(30)
        assert len(heard) == 1 and heard[0][0] == sim.port and heard[0][1] is None and not heard[0][2]
    finally:
        sim.stop()
    bad = SimulatorProcess(["--rate", "abc"])
    told.clear()
    bad.spawn(on_outcome=outcome)
    assert told.wait(30)
    assert heard[1][0] == "" and "--rate" in (heard[1][1] or "")
    bad.stop()


def test_its_messages_never_stall_it_and_say_why_it_ended(tmp_path: Path) -> None:
    """A child that writes far more to standard error than a pipe holds (64 KiB on Linux): it would
    hang for ever in its write if nobody read the pipe."""
    sim = child(tmp_path, "import sys\n"
                          "print('port: /dev/fake', flush=True)\n"
                          "for i in range(20000):\n"
                          "    sys.stderr.write(f'message {i} ' + 'x' * 60 + '\\n')\n"
                          "print('and a stray line on standard output', flush=True)\n"
                          "sys.stderr.write('the sensor caught fire\\n')\n"
                          "sys.exit(3)\n")
    try:
        assert sim.start() == "/dev/fake"
        assert sim.proc is not None
        assert sim.proc.wait(60) == 3  # it finished its writes
        assert sim.exit_reason() == "exited with status 3: the sensor caught fire"
        assert sim.stderr_tail()[-1] == "the sensor caught fire" and len(sim.stderr_tail()) <= 20
    finally:
        sim.stop()


def test_a_killed_child_says_so(tmp_path: Path) -> None:
    with SimulatorProcess(simulator_args(200, scenario="idle")) as sim:
        assert sim.proc is not None
        sim.proc.send_signal(signal.SIGKILL)
        sim.proc.wait(10)
        assert not sim.alive
        assert (sim.exit_reason() or "").startswith("killed by signal 9")


def test_a_silent_child_is_given_up_on_and_ended(tmp_path: Path) -> None:
    sim = child(tmp_path, "import time\ntime.sleep(120)\n")
    with pytest.raises(SimulatorError, match=r"did not say its port within 0\.5 s"):
        sim.start(timeout=0.5)
    assert not sim.alive


def test_a_child_that_prints_something_else_is_not_taken_for_a_device(tmp_path: Path) -> None:
    sim = child(tmp_path, "print('hello', flush=True)\n")
    with pytest.raises(SimulatorError, match=r"\(hello\)"):
        sim.start()
    assert not sim.alive


def test_a_stopped_simulator_tells_no_one(tmp_path: Path) -> None:
    heard: list[SimulatorProcess] = []
    sim = child(tmp_path, "import time\ntime.sleep(120)\n")
    sim.spawn(on_outcome=heard.append)
    sim.stop()
    assert not sim.alive and heard == []
    with pytest.raises(RuntimeError):
        sim.spawn()  # one child per object
