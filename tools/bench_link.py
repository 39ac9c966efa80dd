#!/usr/bin/env python3
"""The device link, measured end to end with real processes: simulator → pty/TCP → monitor.

Three runs, each against its own expectation measured in the same run:
  1. clean: 1 kHz over a pseudo-terminal for --seconds (default 60): samples received against the
     samples the device sent, dropped frames, latency p99 (frame written → events emitted), and the
     monitor process's CPU use (its own rusage over its wall time);
  2. hostile line: 0.3 % of bytes flipped plus garbage bursts: share of samples kept, CRC and framing
     errors counted, samples that passed but look corrupt (a jump of more than 5 N off both
     neighbours, which no hand makes in 1 ms);
  3. device killed and restarted mid-run (TCP, same port): reconnects, how long after the device was
     back the samples flowed again, and that the recording went on in the same file.

Usage: python tools/bench_link.py [--seconds 60] [--rate 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from nmt_pressure.buildinfo import describe

PY = sys.executable


def start_sim(*args: str) -> tuple[subprocess.Popen[str], str]:
    p = subprocess.Popen([PY, "-m", "firmware_sim", *args], stdout=subprocess.PIPE, text=True)
    assert p.stdout is not None
    line = p.stdout.readline().strip()
    if not line.startswith("port: "):
        p.kill()
        raise SystemExit(f"the simulator did not print its port (got {line!r})")
    return p, line[len("port: "):]


def run_monitor(port: str, seconds: float, out: Path, name: str) -> tuple[dict[str, Any], float, float]:
    """Run the monitor as a child; returns its summary, its CPU seconds and its wall seconds."""
    summary = out / f"{name}.json"
    t0 = time.monotonic()
    p = subprocess.Popen([PY, "-m", "nmt_pressure", "monitor", "--port", port, "--duration", str(seconds),
                          "--record", str(out / f"{name}.csv"), "--summary-json", str(summary)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit(f"monitor failed ({p.returncode}): {p.stderr.read() if p.stderr else ''}")
    return json.loads(summary.read_text()), ru.ru_utime + ru.ru_stime, wall


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def implausible(path: Path) -> int:
    from nmt_pressure.io.recording import read_recording

    f = read_recording(path).force_n
    if f.size < 3:
        return 0
    d1 = f[1:-1] - f[:-2]
    d2 = f[1:-1] - f[2:]
    return int(np.sum((np.abs(d1) > 5) & (np.abs(d2) > 5) & (np.sign(d1) == np.sign(d2))))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--rate", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    print(describe())  # the installed package, and which of its implementations runs
    out = Path(tempfile.mkdtemp(prefix="bench_link_"))
    print(f"bench_link: {a.rate} Hz, {a.seconds:g} s per run, results in {out}")

    # 1. clean
    sim, port = start_sim("--rate", str(a.rate), "--scenario", "session", "--seed", str(a.seed))
    try:
        s, cpu, wall = run_monitor(port, a.seconds, out, "clean")
    finally:
        sim.terminate()
        sim.wait(5)
    expected = a.rate * a.seconds
    print("\n1. clean line (pty)")
    print(f"   samples {s['samples']:,} of ~{expected:,.0f} sent while monitoring "
          f"({s['samples'] / expected:.1%}); dropped frames {s['dropped']}; CRC errors {s['crc_errors']}")
    print(f"   latency frame written -> events emitted: p99 {s['latency_p99_ms']:.2f} ms (goal <= 5)")
    print(f"   monitor CPU {cpu:.2f} s over {wall:.1f} s = {cpu / wall:.1%} of one core (goal <= 10 %)")

    # 2. hostile line
    sim, port = start_sim("--rate", str(a.rate), "--scenario", "session", "--seed", str(a.seed),
                          "--corrupt", "0.003", "--garbage-every", "2")
    try:
        s2, _, _ = run_monitor(port, a.seconds, out, "hostile")
    finally:
        sim.terminate()
        sim.wait(5)
    kept = s2["samples"] / max(s["samples"], 1)
    print("\n2. hostile line: 0.3 % of bytes flipped, a garbage burst every 2 s")
    print(f"   samples kept {s2['samples']:,} ({kept:.1%} of the clean run's; goal >= 95 %); "
          f"dropped {s2['dropped']}; repaired frames {s2['corrected_frames']}; CRC errors "
          f"{s2['crc_errors']}; framing errors "
          f"{s2['framing_errors']}; garbage bytes {s2['garbage_bytes']}")
    print(f"   corrupt-looking samples passed on: {implausible(out / 'hostile.csv')} "
          f"(clean run: {implausible(out / 'clean.csv')})")

    # 3. killed and restarted
    tcp = free_port()
    sim, port = start_sim("--rate", str(a.rate), "--scenario", "session", "--seed", str(a.seed),
                          "--tcp", str(tcp))
    mon = subprocess.Popen([PY, "-m", "nmt_pressure", "monitor", "--port", port, "--duration",
                            str(a.seconds), "--record", str(out / "restart.csv"), "--summary-json",
                            str(out / "restart.json")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True)
    time.sleep(a.seconds / 3)
    sim.kill()
    sim.wait(5)
    t_kill = time.monotonic()
    time.sleep(2.0)
    sim, port = start_sim("--rate", str(a.rate), "--scenario", "session", "--seed", str(a.seed + 1),
                          "--tcp", str(tcp))
    t_back = time.monotonic()
    mon.wait(a.seconds + 30)
    sim.terminate()
    sim.wait(5)
    s3 = json.loads((out / "restart.json").read_text())
    from nmt_pressure.io.recording import read_recording

    rec = read_recording(out / "restart.csv")
    gaps = np.diff(rec.t)
    biggest = float(gaps.max())
    down = t_back - t_kill
    print("\n3. device killed, back 2 s later (TCP, same port)")
    print(f"   reconnects {s3['reconnects']}; recording one file, {rec.t.size:,} samples, time always "
          f"increasing: {bool(np.all(gaps > 0))}")
    print(f"   samples flowed again {biggest - down:.2f} s after the device was back (goal <= 1 s; the "
          f"timeline gap {biggest:.2f} s minus the {down:.2f} s the device was away)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
