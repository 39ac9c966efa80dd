"""How fast recordings are written and read: an hour at 1 kHz (3.6 M rows) by default.

    .venv/bin/python tools/bench_recording.py [--rows N]

Prints rows per second for the writer, the reader's fast path (numpy's C parser straight from the
file), and the path taken when numpy's parser stumbles on whitespace-only lines (parsed again in memory).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from nmt_pressure.recording import read_recording, write_recording  # noqa: E402


def best_of(n: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="time the recording writer and reader")
    ap.add_argument("--rows", type=int, default=3_600_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    n = args.rows
    t = np.arange(n) / 1000.0
    f = 20.0 + 5.0 * np.sin(t) + np.random.default_rng(0).normal(0.0, 0.05, n)
    with tempfile.TemporaryDirectory() as d:
        plain = Path(d) / "hour.csv"
        tw = best_of(1, lambda: write_recording(plain, t, f, {"rate_hz": 1000}))
        size_mb = plain.stat().st_size / 1e6
        tr = best_of(args.repeat, lambda: read_recording(plain))
        rec = read_recording(plain)
        assert len(rec) == n and np.allclose(rec.t, t, atol=1e-6) and np.allclose(rec.force_n, f, atol=1e-4)
        spaced = Path(d) / "spaced.csv"
        spaced.write_text(plain.read_text() + "   \n")
        ts = best_of(args.repeat, lambda: read_recording(spaced))
    print(f"{n:,} rows, {size_mb:.0f} MB (best of {args.repeat} for reads)")
    print(f"  write                       {tw:6.2f} s  {n / tw:>12,.0f} rows/s")
    print(f"  read (fast path)            {tr:6.2f} s  {n / tr:>12,.0f} rows/s")
    print(f"  read (whitespace lines)     {ts:6.2f} s  {n / ts:>12,.0f} rows/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
