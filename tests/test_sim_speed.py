"""The simulator's ``--speed``: the same frames, faster.

The soak itself (a simulated day, or ``--quick``'s 20 minutes, through the real parts) needs an idle
machine to keep up at 40-60x, so it is a benchmark: ``python tools/soak.py [--quick]``, figures in
docs/BENCHMARKS.md ("Soak"). What it relies on is checked here without a clock: a faster device sends
byte for byte the frames of real time.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any, cast

from firmware_sim.firmware import PTY_BUFFER_BYTES, Firmware, FirmwareConfig
from firmware_sim.link import OUT_QUEUE_MAX, Link, LinkStats
from firmware_sim.scenarios import Player, planner_for


class _Capture:
    """The firmware's side of a cable that takes everything: the bytes, in order."""

    def __init__(self) -> None:
        self.stats = LinkStats()
        self.out_max = OUT_QUEUE_MAX
        self.on_connect: Any = None
        self.data = bytearray()

    def write(self, data: bytes) -> bool:
        self.data += data
        return True

    def poll(self, timeout: float) -> bytes:
        return b""


def _frames(speed: float, device_s: float, wall_step_ns: int) -> tuple[bytes, Firmware]:
    wall = [10_000_000_000]

    def clock() -> int:
        return wall[0]

    link = _Capture()
    fw = Firmware(FirmwareConfig(rate=1000, seed=5, speed=speed), Player(planner_for("session"), seed=5),
                  cast(Link, link), clock_ns=clock)
    fw.boot()
    while fw.next_us < device_s * 1e6:
        wall[0] += wall_step_ns
        fw.run_once()
    return bytes(link.data), fw


def test_speed_sends_the_same_frames_faster() -> None:
    # Real time, woken every millisecond, against 50x with the same wake-ups: 50 times fewer of them
    # for the same stretch of device time, and the very same bytes (blocks, times, counts, flags).
    slow, fw1 = _frames(1.0, 3.0, 1_000_000)
    fast, fw50 = _frames(50.0, 3.0, 1_000_000)
    n = min(len(slow), len(fast))
    assert n > 3000 * 4
    assert fast[:n] == slow[:n]
    assert fw50.link.out_max == 50 * (OUT_QUEUE_MAX + PTY_BUFFER_BYTES)  # the same wall time buffered
    assert fw1.link.out_max == OUT_QUEUE_MAX
    assert fw50.counters.skipped == fw1.counters.skipped == 0
    assert "rate=1000" in (fw50.handle("ID") or "")  # the nominal rate, whatever the speed


def test_speed_option_is_checked() -> None:
    for bad in ("0", "-2", "nan", "fast", "1e9"):
        r = subprocess.run([sys.executable, "-m", "firmware_sim", "--speed", bad], capture_output=True,
                           text=True, timeout=30, check=False)
        assert r.returncode == 2, (bad, r.stderr)
        assert "--speed" in r.stderr and r.stderr.count("error:") == 1
