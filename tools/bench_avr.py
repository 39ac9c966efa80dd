#!/usr/bin/env python3
"""The emulated board, measured: the firmware binary on simavr (``--board avr``) read over its pty.

For each rate (80 and 10 samples/s) in one run: the firmware's size, the emulator's CPU use (its own
/proc utime+stime over the wall time), how much device time passed per wall second (1.00 = real
time), the conversion interval on the device's own clock (median and spread) against the nominal one,
and the samples and frames the host received (CRC and framing errors, sequence gaps).

Usage: python tools/bench_avr.py [--seconds 20]
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import serial  # noqa: E402

from firmware_sim import avr  # noqa: E402
from nmt_pressure.protocol import nmtp  # noqa: E402
from nmt_pressure.protocol.frames import SampleBlock  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def run(rate: int, seconds: float) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    sim = subprocess.Popen([sys.executable, "-m", "firmware_sim", "--board", "avr", "--rate", str(rate),
                            "--scenario", "session", "--seed", "1"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        assert sim.stdout is not None
        port = sim.stdout.readline().split("port: ", 1)[1].strip()
        emu = int(Path(f"/proc/{sim.pid}/task/{sim.pid}/children").read_text().split()[0])
        ser = serial.Serial(port, 115200, timeout=0.05)
        dec = nmtp.NmtpDecoder()
        blocks: list[SampleBlock] = []
        while not blocks:  # from the first block on: boot and the power-on tare are not measured
            blocks += [f for f in dec.feed(ser.read(ser.in_waiting or 1)) if isinstance(f, SampleBlock)]
        blocks = blocks[-1:]
        c0, f0, t0 = cpu_s(emu), cpu_s(sim.pid), time.monotonic()
        while time.monotonic() - t0 < seconds:
            blocks += [f for f in dec.feed(ser.read(ser.in_waiting or 1)) if isinstance(f, SampleBlock)]
        wall = time.monotonic() - t0
        c1, f1 = cpu_s(emu), cpu_s(sim.pid)
        ser.close()
    finally:
        sim.terminate()
        sim.wait(10)
    t = np.array([b.t0_us for b in blocks], dtype=np.float64)
    steps = np.diff(t)
    gaps = sum(((b.seq - a.seq) & 0xFFFF) - 1 for a, b in itertools.pairwise(blocks))
    return {"rate": rate, "wall_s": wall, "emu_cpu": (c1 - c0) / wall, "feeder_cpu": (f1 - f0) / wall,
            "device_per_wall": (t[-1] - t[0]) / 1e6 / wall, "median_us": float(np.median(steps)),
            "p1_us": float(np.percentile(steps, 1)), "p99_us": float(np.percentile(steps, 99)),
            "samples": len(blocks), "gaps": gaps, "crc": dec.stats.crc_errors,
            "framing": dec.stats.framing_errors}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    args = ap.parse_args()
    why = avr.missing_tools()
    if why:
        print(f"cannot run the emulated board: {why} missing (apt-get install {avr.PACKAGES})")
        return 2
    elf, _ = avr.build()
    size = subprocess.run(["make", "-s", "-C", str(avr.FIRMWARE_DIR), "size"], capture_output=True, text=True)
    print(size.stdout.strip() or f"{elf}")
    print(f"{'rate':>5} {'emulator CPU':>13} {'feeder CPU':>11} {'device s/wall s':>16} "
          f"{'interval median (p1-p99) us':>30} {'samples':>8} {'gaps':>5} {'crc':>4} {'framing':>8}")
    for rate in (80, 10):
        r = run(rate, args.seconds)
        nominal = 1e6 / rate
        print(f"{rate:>5} {100 * r['emu_cpu']:>12.1f}% {100 * r['feeder_cpu']:>10.1f}% "
              f"{r['device_per_wall']:>16.3f} {r['median_us']:>9.0f} ({r['p1_us']:.0f}-{r['p99_us']:.0f}; "
              f"nominal {nominal:.0f}) {r['samples']:>8} {r['gaps']:>5} {r['crc']:>4} {r['framing']:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
