"""How fast `nmt-pressure report` is: an hour at 1 kHz analysed, CSV read included (goal ≤ 2 s).

    .venv/bin/python tools/bench_report.py [--minutes 60] [--rate 1000] [--repeat 3] [--files 4]

Writes an hour of simulated therapy in the format the live recorder writes (time and force with
exact repr digits plus the raw and flags columns), then times, best of ``--repeat``:

* reading it with ``read_recording`` against ``np.loadtxt`` on the same file (the baseline);
* the core over the whole trace (``analyze``) and the per-hold statistics;
* one whole ``report_file`` (read, analyse, statistics, CSV/JSON tables and the PNG figure);
* a batch of ``--files`` such files with one worker and with two (the machine has 2 cores).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

# The installed packages, as every tool measures them (``make install``; not the checkout's src/, which
# has no compiled modules after a non-editable install): the header says which code ran.
from firmware_sim import generate
from nmt_pressure.analysis.batch import ReportOptions, report_file, run_batch
from nmt_pressure.analysis.holdstats import hold_stats
from nmt_pressure.buildinfo import describe
from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.core.detector import IMPLEMENTATION, analyze
from nmt_pressure.io.recording import RecordingWriter, read_recording

GOAL_S = 2.0


def best_of(n: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(n):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def write_session(path: Path, minutes: float, rate: float) -> int:
    """Simulated sessions of two minutes back to back, written as the live recorder writes them."""
    n_total = 0
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        w = RecordingWriter(fh, {"rate_hz": rate, "source": "tools/bench_report.py"}, ("raw", "flags"),
                            exact=True)
        blocks = max(1, round(minutes / 2))
        for k in range(blocks):
            tr = generate(k, rate_hz=rate, noise_n=0.1, duration_s=120.0, t0=120.0 * k)
            n = tr.t.size
            w.append(tr.t, tr.force, {"raw": np.round(tr.force * 1000).astype(np.int64),
                                      "flags": np.zeros(n, dtype=np.int64)})
            n_total += n
        w.close()
    return n_total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--rate", type=float, default=1000.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--files", type=int, default=4, help="files in the batch measurement [4]")
    args = ap.parse_args(argv)

    print(describe())
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "hour.csv"
        n = write_session(path, args.minutes, args.rate)
        size_mb = path.stat().st_size / 1e6
        print(f"{n:,} samples ({args.minutes:g} min at {args.rate:g} Hz), {size_mb:.0f} MB, core: "
              f"{IMPLEMENTATION}, best of {args.repeat}")

        t_read, rec = best_of(args.repeat, lambda: read_recording(path))
        with open(path, encoding="utf-8") as fh:
            head = next(i for i, line in enumerate(fh) if not line.startswith("#")) + 1
        t_base, _ = best_of(args.repeat, lambda: np.loadtxt(path, delimiter=",", skiprows=head,
                                                            usecols=(0, 1)))
        cfg = DetectorConfig(sample_rate=args.rate)
        t_an, res = best_of(args.repeat, lambda: analyze(rec.t, rec.force_n, cfg, keep_filtered=True))
        t_st, stats = best_of(args.repeat,
                              lambda: hold_stats(rec.t, res.filtered, res.events, res.holds, cfg))
        out = Path(d) / "out"
        out.mkdir()
        t_tab, _ = best_of(args.repeat, lambda: report_file(str(path), "tables",
                                                            ReportOptions(str(out), figures=False)))
        t_all, r = best_of(args.repeat, lambda: report_file(str(path), "full", ReportOptions(str(out))))
        assert r.ok, r.error
        total = t_read + t_an + t_st
        print(f"  read_recording              {t_read:6.3f} s  {n / t_read / 1e6:5.1f} M rows/s")
        print(f"  np.loadtxt (baseline)       {t_base:6.3f} s  {n / t_base / 1e6:5.1f} M rows/s  "
              f"-> reader {t_base / t_read:.1f}x the baseline's speed")
        print(f"  analyze (core, filtered)    {t_an:6.3f} s  {len(res.holds)} holds, "
              f"{len(res.events)} events")
        print(f"  hold statistics             {t_st:6.3f} s  {len(stats)} rows")
        print(f"  read + analyse + statistics {total:6.3f} s  (goal <= {GOAL_S:g} s: "
              f"{'met' if total <= GOAL_S else 'MISSED'})")
        print(f"  report_file, tables only    {t_tab:6.3f} s")
        print(f"  report_file, with figure    {t_all:6.3f} s")

        if args.files > 0:
            files = []
            for k in range(args.files):
                p = Path(d) / f"batch{k}.csv"
                os.link(path, p)  # same content, distinct names: the work is what is measured
                files.append(str(p))
            bout = Path(d) / "batch"
            bout.mkdir()
            opts = ReportOptions(str(bout))
            t1, _ = best_of(1, lambda: run_batch(files, opts, jobs=1))
            t2, _ = best_of(1, lambda: run_batch(files, opts, jobs=2))
            print(f"  batch of {args.files} files, 1 worker  {t1:6.2f} s")
            print(f"  batch of {args.files} files, 2 workers {t2:6.2f} s  -> {t1 / t2:.2f}x "
                  f"({os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
