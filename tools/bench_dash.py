#!/usr/bin/env python3
"""The dashboard's cost in a real X window, beside the plain terminal monitor on the same stream.

One simulated device (``python -m firmware_sim``, scenario ``session``, its own process: its CPU is
counted separately) streams for the whole run; on it, one after the other, each as its own process
with ``--duration``, ``--repeat`` times:
  1. ``nmt-pressure monitor --port P``: the baseline (reader thread, core, terminal view);
  2. ``nmt-pressure dash --port P`` in a real window: an Xvfb server started here (``-displayfd``,
     1600x1000x24) and Qt's xcb platform, software-rendered as on a laptop without GL; ``--offscreen``
     uses Qt's offscreen platform instead (no X server: what the unit tests see).

Reported per run, then as median and spread: the dashboard's CPU in steady state (its own rusage from
the moment its window was shown, whole process: GUI, reader thread, everything), the plot's real
repaints per second overall and while the force moves, the reader's latency p99 with the window up
(the link's own figure: block fully processed vs. the device's clock), start to first frame (process
start, imports included, to the first paint showing samples; the dash's ``--summary-json``), and the
simulator's CPU during the dashboard run.

Goals (issue 14): CPU <= 20 % of one core, >= 30 fps while the force moves, latency p99 <= 10 ms, first
frame <= 1.5 s.

Usage: python tools/bench_dash.py [--seconds 20] [--rate 1000] [--window 30] [--repeat 3] [--offscreen]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from nmt_pressure.buildinfo import describe

# xvfb.py beside this file (the tests' Xvfb starter too)
_TOOLS = Path(__file__).resolve().parent
if str(_TOOLS) not in sys.path:
    sys.path.insert(0, str(_TOOLS))

from xvfb import XvfbUnavailable, xvfb_display  # noqa: E402

PY = sys.executable
GOALS = {"cpu": 20.0, "fps_moving": 30.0, "p99": 10.0, "first_frame": 1.5}


def start_sim(rate: int) -> tuple[subprocess.Popen[str], str]:
    p = subprocess.Popen([PY, "-m", "firmware_sim", "--rate", str(rate), "--scenario", "session",
                          "--seed", "1"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert p.stdout is not None
    line = p.stdout.readline().strip()
    if not line.startswith("port: "):
        p.kill()
        raise SystemExit(f"the simulator did not print its port (got {line!r})")
    return p, line[len("port: "):]


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a running process used so far, from /proc."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # fields 14, 15


@contextmanager
def xvfb() -> Iterator[str]:
    """An X server of our own (tools/xvfb.py, as the real-screen tests start one); yields its DISPLAY."""
    try:
        with xvfb_display() as name:
            yield name
    except XvfbUnavailable as exc:
        raise SystemExit(f"{exc}; or run with --offscreen") from None


def run(cmd: list[str], env: dict[str, str], sim_pid: int) -> tuple[float, float, float]:
    """Run a child to its end; (its CPU seconds, its wall seconds, the simulator's CPU meanwhile)."""
    sim0 = cpu_of(sim_pid)
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    sim_cpu = cpu_of(sim_pid) - sim0
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(cmd[2:5])} failed ({code}): {p.stderr.read() if p.stderr else ''}")
    return ru.ru_utime + ru.ru_stime, wall, sim_cpu


def spread(values: list[float | None], fmt: str = "{:.1f}") -> str:
    """``median [min–max]`` of the runs that gave a value."""
    vs = [v for v in values if v is not None]
    if not vs:
        return "–"
    if len(vs) == 1:
        return fmt.format(vs[0])
    return f"{fmt.format(statistics.median(vs))} [{fmt.format(min(vs))}–{fmt.format(max(vs))}]"


def one_round(args: argparse.Namespace, env: dict[str, str], port: str, sim_pid: int, out: Path,
              i: int) -> dict[str, Any]:
    mon_cpu, mon_wall, sim_m = run([PY, "-m", "nmt_pressure", "monitor", "--port", port, "--duration",
                                    str(args.seconds), "--summary-json", str(out / f"m{i}.json")],
                                   env, sim_pid)
    mon = json.loads((out / f"m{i}.json").read_text())
    dash_cpu, dash_wall, sim_d = run([PY, "-m", "nmt_pressure", "dash", "--port", port, "--duration",
                                      str(args.seconds), "--window", str(args.window), "--mute",
                                      "--summary-json", str(out / f"d{i}.json")], env, sim_pid)
    dash: dict[str, Any] = json.loads((out / f"d{i}.json").read_text())
    r = {
        "mon_cpu": 100 * mon_cpu / mon_wall, "mon_p99": mon.get("latency_p99_ms"),
        "mon_samples": mon["samples"], "mon_dropped": mon["dropped"], "sim_cpu_mon": 100 * sim_m / mon_wall,
        "dash_cpu_all": 100 * dash_cpu / dash_wall, "cpu": dash["cpu_percent"], "fps": dash["fps"],
        "fps_moving": dash.get("fps_moving"), "moving_s": dash.get("moving_s"),
        "redraws": dash["redraws_per_s"], "timer_hz": dash["timer_hz"], "p99": dash.get("latency_p99_ms"),
        "first_frame": dash.get("first_frame_s"), "samples": dash["samples"], "dropped": dash["dropped"],
        "sim_cpu_dash": 100 * sim_d / dash_wall, "wall": dash["wall_s"],
    }
    print(f"  run {i + 1}: dash CPU {r['cpu']:.1f} %, fps {r['fps']:.1f} (moving "
          f"{r['fps_moving'] or float('nan'):.1f} over {r['moving_s']} s), p99 "
          f"{r['p99'] or float('nan'):.2f} ms, first frame {r['first_frame'] or float('nan'):.2f} s; "
          f"monitor CPU {r['mon_cpu']:.1f} %, p99 {r['mon_p99'] or float('nan'):.2f} ms; "
          f"load {os.getloadavg()[0]:.2f}", flush=True)
    return r


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=20.0, help="each run's --duration [20]")
    ap.add_argument("--rate", type=int, default=1000)
    ap.add_argument("--window", type=float, default=30.0, help="the plot's window (s) [30]")
    ap.add_argument("--repeat", type=int, default=3, help="monitor + dash rounds [3]")
    ap.add_argument("--offscreen", action="store_true", help="Qt's offscreen platform, no X server")
    args = ap.parse_args(argv)
    print(describe(), flush=True)  # the installed package, and which of its implementations runs
    load0 = os.getloadavg()

    with tempfile.TemporaryDirectory() as tmp, \
            (nullcontext_display() if args.offscreen else xvfb()) as display:
        out = Path(tmp)
        env = dict(os.environ, NMT_PRESSURE_SETTINGS=str(out / "s.ini"))
        if args.offscreen:
            env["QT_QPA_PLATFORM"] = "offscreen"
        else:
            env.update(QT_QPA_PLATFORM="xcb", DISPLAY=display)
            env.pop("WAYLAND_DISPLAY", None)
        sim, port = start_sim(args.rate)
        try:
            time.sleep(0.5)
            rounds = [one_round(args, env, port, sim.pid, out, i) for i in range(args.repeat)]
        finally:
            sim.terminate()
            sim.wait(5)

    where = "offscreen (QT_QPA_PLATFORM=offscreen)" if args.offscreen else "Xvfb 1600x1000x24, xcb"
    print(f"stream: firmware_sim session at {args.rate} Hz; {args.seconds:g} s per run, {args.repeat} "
          f"rounds; plot window {args.window:g} s; {where}; Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs; load average {load0[0]:.2f} at start, {os.getloadavg()[0]:.2f} at end")
    print("median [min–max] over the rounds")

    def col(key: str, fmt: str = "{:.1f}") -> str:
        return spread([r[key] for r in rounds], fmt)

    rows = [
        ("dash CPU, window up (% of a core)", col("cpu"), f"goal <= {GOALS['cpu']:g}"),
        ("dash CPU, start-up included", col("dash_cpu_all"), f"monitor: {col('mon_cpu')}"),
        ("simulator CPU (its own process)", col("sim_cpu_dash"), f"during the monitor: {col('sim_cpu_mon')}"),
        ("plot repaints per second (fps)", col("fps"), f"timer {rounds[0]['timer_hz']:g} Hz; redraws "
                                                       f"{col('redraws')}/s"),
        ("fps while the force moves", col("fps_moving"), f"goal >= {GOALS['fps_moving']:g}; "
                                                         f"moving {col('moving_s')} s a run"),
        ("reader latency p99 (ms)", col("p99", "{:.2f}"), f"goal <= {GOALS['p99']:g}; monitor: "
                                                          f"{col('mon_p99', '{:.2f}')}"),
        ("start to first frame (s)", col("first_frame", "{:.2f}"), f"goal <= {GOALS['first_frame']:g}"),
        ("samples / dropped", f"{col('samples', '{:.0f}')} / {col('dropped', '{:.0f}')}",
         f"monitor: {col('mon_samples', '{:.0f}')} / {col('mon_dropped', '{:.0f}')}"),
    ]
    for name, value, note in rows:
        print(f"  {name:36s}{value:>26s}   {note}")
    return 0


@contextmanager
def nullcontext_display() -> Iterator[str]:
    yield ""


if __name__ == "__main__":
    sys.exit(main())
