"""How fast recordings are written and read: an hour at 1 kHz (3.6 M rows) by default.

    .venv/bin/python tools/bench_recording.py [--rows N] [--repeat K]

For two layouts -- the plain format ``write_recording`` makes (``t_s,force_n``, 6 and 4 decimals)
and the live monitor's (``t_s,force_n,raw,flags``, time and force written with ``%r``, up to 17
digits) -- it prints rows per second of ``read_recording`` (the compiled scanner), of the same
reader without the scanner (numpy's parser, what runs without a C compiler), and of
``np.loadtxt(usecols=(0, 1))`` on the same file as the baseline, with the ratios to it; then the
live hour read and analysed end to end, against the 2 s budget. Times are the best of K runs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from nmt_pressure.buildinfo import describe
from nmt_pressure.core.detector import analyze

# The installed package, as every tool measures it (``make install``; not the checkout's src/, which
# has no compiled modules after a non-editable install): the header says which code ran.
from nmt_pressure.io import csvtable
from nmt_pressure.io.recording import RecordingWriter, read_recording, write_recording

BUDGET_S = 2.0


def best_of(n: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def write_live(path: Path, t: np.ndarray, f: np.ndarray) -> None:
    """The live recorder's layout, in the blocks it writes."""
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        w = RecordingWriter(fh, {"rate_hz": 1000}, ("raw", "flags"), exact=True)
        for i in range(0, t.size, 100_000):
            tb, fb = t[i:i + 100_000], f[i:i + 100_000]
            w.append(tb, fb, {"raw": (fb * 1000).astype(np.int64), "flags": np.zeros(tb.size, np.int64)})
        w.close()


def head_lines(path: Path) -> int:
    """Lines up to and including the header row (what np.loadtxt must skip)."""
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.startswith("#"):
                return n
    return 0


def loadtxt(path: Path, skip: int) -> np.ndarray:
    return np.loadtxt(path, delimiter=",", skiprows=skip, usecols=(0, 1))


def without_scanner(path: Path) -> object:
    scanner, csvtable.SCANNER = csvtable.SCANNER, None
    try:
        return read_recording(path)
    finally:
        csvtable.SCANNER = scanner


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="time the recording writer and readers")
    ap.add_argument("--rows", type=int, default=3_600_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    n, k = args.rows, args.repeat
    rng = np.random.default_rng(0)
    t = np.arange(n) * 1e-3 + 1234.567
    f = 20.0 + 5.0 * np.sin(t / 3.0) + rng.normal(0.0, 0.05, n)
    scanner = "compiled scanner" if csvtable.SCANNER is not None else "NOT BUILT: numpy fallback"
    print(describe())
    print(f"{n:,} rows at 1 kHz; best of {k}; read_recording uses the {scanner}")
    with tempfile.TemporaryDirectory() as d:
        plain, live = Path(d) / "plain.csv", Path(d) / "live.csv"
        tw_plain = best_of(1, lambda: write_recording(plain, t, f, {"rate_hz": 1000}))
        tw_live = best_of(1, lambda: write_live(live, t, f))
        print(f"  write plain                  {tw_plain:6.2f} s  {n / tw_plain:>12,.0f} rows/s")
        print(f"  write live (%r)              {tw_live:6.2f} s  {n / tw_live:>12,.0f} rows/s")
        print(f"  {'rows/s':<28} {'MB':>5}  {'read_recording':>14}  {'no scanner':>14}  "
              f"{'np.loadtxt':>14}  {'ratio to loadtxt':>16} {'(no scanner)':>12}")
        for name, path in (("plain t_s,force_n", plain), ("live t_s,force_n,raw,flags", live)):
            rec = read_recording(path)
            assert len(rec) == n and rec.format == "nmt_pressure"
            if path is live:  # %r must read back bit-identical (replay = live)
                assert np.array_equal(rec.t, t) and np.array_equal(rec.force_n, f)
            skip = head_lines(path)
            base = loadtxt(path, skip)
            assert np.array_equal(base[:, 0], rec.t) and np.array_equal(base[:, 1], rec.force_n)
            tr = best_of(k, lambda path=path: read_recording(path))
            tf = best_of(k, lambda path=path: without_scanner(path))
            tl = best_of(k, lambda path=path, skip=skip: loadtxt(path, skip))
            mb = path.stat().st_size / 1e6
            print(f"  {name:<28} {mb:5.0f}  {n / tr / 1e6:8.2f} M/s    {n / tf / 1e6:8.2f} M/s    "
                  f"{n / tl / 1e6:8.2f} M/s    {tl / tr:15.1f}x {tl / tf:11.1f}x")

        def read_and_analyze() -> object:
            rec = read_recording(live)
            return analyze(rec.t, rec.force_n)

        tr = best_of(k, lambda: read_recording(live))
        ta = best_of(k, read_and_analyze)
        verdict = "within" if ta < BUDGET_S else "OVER"
        print(f"  live hour: read {tr:.2f} s, read + analyze {ta:.2f} s "
              f"({verdict} the {BUDGET_S:.0f} s budget)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
