#!/usr/bin/env python3
"""Speed and memory of the signal core, measured side by side with baselines in one run.

Prints, for the same input:
  * ``Detector.process`` on N samples against ``scipy.signal.sosfilt`` with one second-order section
    (sosfilt only filters; the core filters and detects) — goal: ratio <= 2;
  * ``Detector.push`` from a Python loop, ns per sample — goal: <= 300 ns;
  * the compiled core against the pure-Python golden model on the same input — goal: >= 100x;
  * the memory ``process`` allocates while it runs (tracemalloc peak), which must not grow with N.

``--pattern slow`` replaces the session's fast step and 4-s ease by two slow barrier steps (an 8-s
ease up, a 6-s ease down): a dear input (a step candidate is judged tick after tick while an ease goes
on, and each slow step fits a line to its ramp). ``--rate`` moves the tick rate's share: detection
runs once per 10-ms tick, so at 100 Hz and below every sample is a tick. ``--stamps`` gives the same
samples the timestamps of a host that repeats them: ``batch`` stamps each 20-ms batch with its
arrival, ``ms`` reads a clock in whole milliseconds (two samples a stamp at 2 kHz), ``stuck``
repeats the stamp before in one sample of ten; the core spreads each run evenly up to the next stamp.

sosfilt and ``process`` are timed in alternation, one of each per repeat, and the best of each is
kept: on a shared host a slow spell then slows both rather than only the one that ran through it.

Usage: python tools/bench_core.py [--samples 10000000] [--rate 1000] [--repeat 3] [--pattern session]
                                 [--stamps own]
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc

import numpy as np
import scipy.signal

from nmt_pressure import DetectorConfig
from nmt_pressure.buildinfo import describe
from nmt_pressure.core import golden as _core_py
from nmt_pressure.core.detector import IMPLEMENTATION, Detector


def session_like(n: int, rate: float, seed: int = 0, slow: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """A repeating therapy pattern (ramp, hold, step, drift, release, rest) with noise and tremor;
    ``slow``: its changes are slow barrier steps."""
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=np.float64) / rate
    period = 40.0
    ph = t % period

    def mj(x: np.ndarray) -> np.ndarray:
        x = np.clip(x, 0.0, 1.0)
        return x * x * x * (10.0 - 15.0 * x + 6.0 * x * x)

    if slow:  # two slow barrier steps: 25 -> 31 N eased over 8 s, 31 -> 26 N over 6 s
        f = 25.0 * mj((ph - 2.0) / 1.0) + 6.0 * mj((ph - 9.0) / 8.0) - 5.0 * mj((ph - 23.0) / 6.0)
    else:
        f = 25.0 * mj((ph - 2.0) / 1.0) + 8.0 * mj((ph - 14.0) / 0.7) - 5.0 * mj((ph - 24.0) / 4.0)
    f *= 1.0 - mj((ph - 33.0) / 0.4)
    f += 0.01 * f * np.sin(2 * np.pi * 9.0 * t) + rng.normal(0.0, 0.1, n)
    return t, f


def restamp(t: np.ndarray, stamps: str, seed: int = 1) -> np.ndarray:
    """The timestamps a host would give these samples (see the module's docstring); ``own``: as they are."""
    if stamps == "batch":
        return t[0] + np.ceil((t - t[0]) / 0.02) * 0.02
    if stamps == "ms":  # (a hair added: k/1000 s times 1000 may fall a last bit short of k)
        return np.floor(t * 1000.0 + 1e-6) / 1000.0
    if stamps == "stuck":
        stuck = np.random.default_rng(seed).random(t.size) < 0.1
        stuck[0] = False
        return t[np.maximum.accumulate(np.where(stuck, 0, np.arange(t.size)))]
    return t


def best_of(repeat: int, fn) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=10_000_000)
    ap.add_argument("--rate", type=float, default=1000.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pattern", choices=("session", "slow"), default="session",
                    help="session: a step, an ease and a drift per 40 s; slow: two slow barrier steps")
    ap.add_argument("--stamps", choices=("own", "batch", "ms", "stuck"), default="own",
                    help="own: every sample its own stamp; batch, ms, stuck: stamps that repeat")
    ap.add_argument("--model-samples", type=int, default=200_000,
                    help="samples for the (slow) golden-model comparison")
    ap.add_argument("--push-samples", type=int, default=1_000_000)
    a = ap.parse_args(argv)
    print(describe())  # the installed package, and which of its implementations runs
    if IMPLEMENTATION != "cython":
        print("the compiled core is not in use (NMT_PRESSURE_PUREPYTHON set, or built without a "
              "compiler): nothing to benchmark", file=sys.stderr)
        return 1
    cfg = DetectorConfig(sample_rate=a.rate)
    t, f = session_like(a.samples, a.rate, slow=a.pattern == "slow")
    t = restamp(t, a.stamps)
    sos = scipy.signal.butter(2, cfg.lowpass_hz, fs=a.rate, output="sos")
    repeated = f", {np.mean(np.diff(t) == 0.0):.0%} of stamps repeated" if a.stamps != "own" else ""
    print(f"input: {a.samples:,} samples at {a.rate:g} Hz ({a.samples / a.rate / 3600:.2f} h, "
          f"pattern {a.pattern}, stamps {a.stamps}{repeated}), best of {a.repeat}; numpy {np.__version__}, "
          f"scipy {scipy.__version__}")

    n_events = 0

    def run_core() -> None:
        nonlocal n_events
        d = Detector(cfg)
        n_events = len(d.process(t, f)) + len(d.finish())

    t_sos = t_core = float("inf")
    for _ in range(a.repeat):  # alternated: see the module's docstring
        t_sos = min(t_sos, best_of(1, lambda: scipy.signal.sosfilt(sos, f)))
        t_core = min(t_core, best_of(1, run_core))
    print(f"sosfilt (1 section)       {t_sos:8.3f} s   {t_sos / a.samples * 1e9:7.1f} ns/sample")
    print(f"Detector.process          {t_core:8.3f} s   {t_core / a.samples * 1e9:7.1f} ns/sample"
          f"   ratio to sosfilt {t_core / t_sos:5.2f}  (goal <= 2)   events {n_events}")

    # push from Python: the cost a live reader pays per sample.
    m = min(a.push_samples, a.samples)
    tl = t[:m].tolist()
    fl = f[:m].tolist()

    def run_push() -> None:
        d = Detector(cfg)
        push = d.push
        for i in range(m):
            push(tl[i], fl[i])

    t_push = best_of(a.repeat, run_push)
    print(f"Detector.push (Python loop) {t_push / m * 1e9:6.1f} ns/sample   (goal <= 300)")

    # Against the golden model, same input.
    k = min(a.model_samples, a.samples)
    t_model = best_of(1, lambda: _core_py.Detector(cfg).process(t[:k], f[:k]))
    t_c_k = best_of(a.repeat, lambda: Detector(cfg).process(t[:k], f[:k]))
    print(f"golden model              {t_model / k * 1e9:9.1f} ns/sample   compiled is "
          f"{t_model / t_c_k:6.0f}x faster  (goal >= 100x)")

    # Memory: what process() allocates beyond its input, for N and for N/10.
    peaks = []
    for size in (a.samples // 10, a.samples):
        d = Detector(cfg)
        tracemalloc.start()
        ev = d.process(t[:size], f[:size])
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peaks.append((size, peak, len(ev)))
    for size, peak, ne in peaks:
        print(f"process({size:>11,}) peak allocation {peak / 1024:8.1f} KiB   "
              f"({ne} events, {peak / max(ne, 1):.0f} B/event)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
