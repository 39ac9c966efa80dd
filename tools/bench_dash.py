#!/usr/bin/env python3
"""The dashboard's redraw rate and CPU use, beside the plain terminal monitor on the same stream.

One simulated device (``firmware_sim``, scenario ``session``) streams for the whole run; on it, one
after the other, each as its own process with ``--duration``:
  1. ``nmt-pressure monitor --port P``: the baseline (reader thread, core, terminal view);
  2. ``nmt-pressure dash --port P`` under QT_QPA_PLATFORM=offscreen (30 s window, 60 Hz timer).

For each: the process's CPU (its rusage from wait4, user + system, over its wall time, start-up
included) and, for the dashboard, what it measured itself from the moment its window was shown: the
plot's real repaints per second (fps), redraws the timer asked for, and its CPU over that time.
Goals (issue 4): fps >= 50 with the timer at 60 Hz; CPU <= 30 % of one core.

Usage: python tools/bench_dash.py [--seconds 20] [--rate 1000] [--window 30]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from nmt_pressure.buildinfo import describe

PY = sys.executable


def start_sim(rate: int) -> tuple[subprocess.Popen[str], str]:
    p = subprocess.Popen([PY, "-m", "firmware_sim", "--rate", str(rate), "--scenario", "session",
                          "--seed", "1"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert p.stdout is not None
    line = p.stdout.readline().strip()
    if not line.startswith("port: "):
        p.kill()
        raise SystemExit(f"the simulator did not print its port (got {line!r})")
    return p, line[len("port: "):]


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a child to its end; (CPU seconds, wall seconds) from its rusage."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(cmd[2:5])} failed ({code}): {p.stderr.read() if p.stderr else ''}")
    return ru.ru_utime + ru.ru_stime, wall


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--rate", type=int, default=1000)
    ap.add_argument("--window", type=float, default=30.0)
    args = ap.parse_args(argv)
    print(describe())  # the installed package, and which of its implementations runs

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NMT_PRESSURE_SETTINGS=str(out / "s.ini"))
        sim, port = start_sim(args.rate)
        try:
            time.sleep(0.5)
            mon_cpu, mon_wall = run([PY, "-m", "nmt_pressure", "monitor", "--port", port, "--duration",
                                     str(args.seconds), "--summary-json", str(out / "m.json")], env)
            mon = json.loads((out / "m.json").read_text())
            dash_cpu, dash_wall = run([PY, "-m", "nmt_pressure", "dash", "--port", port, "--duration",
                                       str(args.seconds), "--window", str(args.window), "--mute",
                                       "--summary-json", str(out / "d.json")], env)
            dash: dict[str, Any] = json.loads((out / "d.json").read_text())
        finally:
            sim.terminate()
            sim.wait(5)

    print(f"stream: firmware_sim session at {args.rate} Hz; {args.seconds:g} s per run; plot window "
          f"{args.window:g} s; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(f"{'':34s}{'monitor':>12s}{'dash':>12s}")
    print(f"{'samples':34s}{mon['samples']:>12d}{dash['samples']:>12d}")
    print(f"{'process CPU, start-up included':34s}{100 * mon_cpu / mon_wall:>11.1f}%"
          f"{100 * dash_cpu / dash_wall:>11.1f}%   (wall {mon_wall:.1f} / {dash_wall:.1f} s)")
    print(f"{'dash CPU while its window is up':34s}{'':>12s}{dash['cpu_percent']:>11.1f}%   "
          f"(goal <= 30 %; over {dash['wall_s']:.1f} s)")
    print(f"{'plot repaints per second (fps)':34s}{'':>12s}{dash['fps']:>12.1f}   (goal >= 50; timer asks "
          f"{dash['timer_hz']:g} Hz, redraws with new data {dash['redraws_per_s']:.1f}/s)")
    p99 = dash.get("latency_p99_ms")
    mp99 = mon.get("latency_p99_ms")
    print(f"{'latency p99 (ms)':34s}{mp99 or float('nan'):>12.2f}{p99 or float('nan'):>12.2f}")
    print(f"{'dropped frames':34s}{mon['dropped']:>12d}{dash['dropped']:>12d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
