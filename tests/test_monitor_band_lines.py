"""What the monitor shows about the band, as a user sees it on a terminal: the status line gives the
band's limits, and a band exit line gives the force at the exit with the band beside it.

Real parts: the simulated device as its own process, the `nmt-pressure monitor` command with a real
pseudo-terminal as its standard output (so it draws its live status line, as on a user's terminal).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest
from devices import Sim

PY = sys.executable
DRIFT_UP = ("idle 0.5", "ramp 0.6 to 30", "hold 2.5", "drift 3 to 35", "hold 1", "release 0.5", "idle 60")


class TerminalRun:
    """``nmt-pressure monitor ARGS`` writing to a real terminal (a pty) whose screen text is collected."""

    def __init__(self, *args: str) -> None:
        self.master, slave = os.openpty()
        tty.setraw(slave)  # the text as written, without the terminal's newline translation
        self.proc = subprocess.Popen([PY, "-m", "nmt_pressure", "monitor", *args], stdout=slave,
                                     stderr=subprocess.PIPE, text=True)
        os.close(slave)
        self.text = ""
        self._cv = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 4096)
            except OSError:  # the monitor ended and closed its side
                data = b""
            with self._cv:
                self.text += data.decode("utf-8", "replace")
                self._cv.notify_all()
            if not data:
                return

    def wait_for(self, pattern: str, timeout: float = 60.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        with self._cv:
            while True:
                m = re.search(pattern, self.text)
                if m:
                    return m
                left = deadline - time.monotonic()
                if left <= 0 or not self._reader.is_alive():
                    raise AssertionError(f"nothing matches {pattern!r} on the terminal:\n{self.text}")
                self._cv.wait(min(left, 0.2))

    def stop(self) -> tuple[int, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        rc = self.proc.wait(60)
        err = self.proc.stderr.read() if self.proc.stderr else ""
        self._reader.join(5)
        return rc, err

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        with contextlib.suppress(OSError):
            os.close(self.master)

    def status_lines(self) -> list[str]:
        """Every drawing of the status line (each starts by clearing the line)."""
        return [part.split("\n")[0] for part in self.text.split("\r\x1b[2K")[1:] if part.strip()]


@pytest.fixture
def cleanup() -> Iterator[list[Sim | TerminalRun]]:
    things: list[Sim | TerminalRun] = []
    yield things
    for x in things:
        x.kill()


def start(cleanup: list[Sim | TerminalRun], tmp_path: Path, *args: str) -> TerminalRun:
    script = tmp_path / "drift.txt"
    script.write_text("\n".join(DRIFT_UP) + "\n")
    dev = Sim("--rate", "500", "--script", str(script), "--seed", "2")
    cleanup.append(dev)
    run = TerminalRun("--port", dev.port, *args)
    cleanup.append(run)
    return run


def test_fixed_band_shows_its_limits_and_an_exit_quotes_the_force(cleanup, tmp_path):
    run = start(cleanup, tmp_path, "--target", "30", "--tolerance", "10%")
    exit_line = run.wait_for(r"band_exit\s+high (\d+\.\d+) N\s+too much, band 27\.00–33\.00 N \(known")
    assert float(exit_line.group(1)) > 33.0  # the force out of the band, not the band's centre (30)
    run.wait_for(r"release")
    rc, err = run.stop()
    assert rc == 0, err
    status = run.status_lines()
    holding = [s for s in status if "holding" in s]
    assert holding and all("band 27.0–33.0 N" in s for s in holding), holding
    assert any("TOO MUCH" in s for s in holding)
    # A fixed band is the goal from the start: shown before any hold too.
    assert any("band 27.0–33.0 N" in s and "hold " not in s for s in status), status


def test_relative_band_follows_the_hold_level(cleanup, tmp_path):
    run = start(cleanup, tmp_path)
    level = float(run.wait_for(r"hold_start\s+(\d+\.\d+) N").group(1))
    m = run.wait_for(r"band_exit\s+high (\d+\.\d+) N\s+too much, band (\d+\.\d+)–(\d+\.\d+) N \(known")
    force, low, high = (float(x) for x in m.groups())
    # The band is centred on the hold's settled level, which the hold_start's estimate (told at
    # confirmation) lies within a fraction of a percent of.
    assert low == pytest.approx(0.9 * level, rel=0.01) and high == pytest.approx(1.1 * level, rel=0.01)
    assert high / low == pytest.approx(1.1 / 0.9, abs=0.002)
    assert force > high
    run.wait_for(r"release")
    rc, err = run.stop()
    assert rc == 0, err
    lines = run.status_lines()
    first_alert = next((i for i, s in enumerate(lines) if "TOO MUCH" in s), len(lines))
    shown = [s for s in lines[:first_alert] if "holding" in s and f"level {level:.1f} N" in s]
    assert shown, run.status_lines()
    assert all(f"band {0.9 * level:.1f}–{1.1 * level:.1f} N" in s for s in shown), shown
    # Once it has alerted, the status line shows the band it alerted on (the settled level's).
    alerted = [re.search(r"band (\d+\.\d)–(\d+\.\d) N", s) for s in lines if "TOO MUCH" in s]
    assert alerted and all(m is not None for m in alerted), lines
    edges = [(float(m.group(1)), float(m.group(2))) for m in alerted if m is not None]
    assert all(e == pytest.approx((low, high), abs=0.051) for e in edges), edges
    # Without a hold there is no band: the status line says nothing of one.
    assert all("band" not in s for s in run.status_lines() if "idle" in s)
