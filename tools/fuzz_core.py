#!/usr/bin/env python3
"""Fuzz the detection core with random hand sessions: the contract's rules on every output.

Each case is built from its index alone (rerun one with ``--case N``): a contact strung from 3-9
random pieces - minimum-jerk moves of up to ±30 % over 0.2-3 s, holds of 0.3-4 s, straight drifts of
up to ±20 % over 1-6 s, gliding strokes of ±10-40 % at 0.5-2 Hz - between a rest and a release, at
10, 100 or 1000 Hz, with white noise and tremor. By turns (index modulo 6) it is taken as it is, with
0.3-4 s of it missing (a wireless sensor's silence), against a fixed target, with irregular and
dropped timestamps, under a random valid configuration, or both of the last two. Checked on the
compiled core:

* events told in order, each dated within the data and no later than the sample that told it, nor
  earlier than the history it was dated from (``history_seconds`` before);
* one ``hold_start`` per hold, told at its ``confirmed`` and not before its start; holds in order and
  not overlapping; none shorter than ``min_hold`` unless the data ended, or a silence lay in its
  first ``min_hold`` (the only way one can be); its time in band between 0 and its duration, sd and
  cv not negative;
* a step wherever a hold ended by one, at its end; a release only to end a contact that held, once;
* band events inside their hold, from when it was told to its end (a step's: to the next hold's
  telling, as a slow ease may carry the old band's exits past its onset); a ``band_enter`` dated no
  earlier than the ``band_exit`` it clears;
* the same events and holds pushed in random chunks as all at once;
* with ``--golden N``, every Nth case: the golden model gives the same events and holds.

Stop 27's core broke one of these on 676 of the first 20,000 cases: band events outside their hold
(427), holds shorter than min_hold (181), releases dated after the sample that told them (63),
events dated from beyond the history (51), more time in band than the hold lasted (6).

Usage: python tools/fuzz_core.py [--cases 20000] [--first 0] [--golden 10] [--case N] [--jobs 2]
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from multiprocessing import Pool
from typing import Any

import numpy as np

from firmware_sim.pieces import Pieces  # the tests' traces are laid down by it too
from nmt_pressure import IMPLEMENTATION, Detector, DetectorConfig
from nmt_pressure.core import golden

VARIANTS = ("plain", "silence", "target", "irregular", "config", "config+irregular")


def random_hand(seed: int, silence: bool = False) -> tuple[float, np.ndarray, np.ndarray]:
    """``(rate, t, force)`` of one random contact (the module docstring's pieces), from ``seed``;
    with ``silence``, 0.3-4 s of it missing wherever it falls."""
    rng = np.random.default_rng(1000 + seed)
    rate = float(rng.choice([10.0, 100.0, 1000.0]))
    h = Pieces(rate)
    h.hold(1.0)
    h.ramp(float(rng.uniform(5, 100)), float(rng.uniform(0.2, 1.5)))
    for _ in range(int(rng.integers(3, 10))):
        kind = int(rng.integers(0, 4))
        if kind == 0:
            h.ramp(max(1.0, h.level * (1 + rng.uniform(-0.3, 0.3))), float(rng.uniform(0.2, 3.0)))
        elif kind == 1:
            h.hold(float(rng.uniform(0.3, 4.0)))
        elif kind == 2:
            h.drift(float(rng.uniform(-0.2, 0.2)), float(rng.uniform(1.0, 6.0)))
        else:
            h.stroke(float(rng.uniform(0.1, 0.4)), float(rng.uniform(0.5, 2.0)), float(rng.uniform(0.5, 3.0)))
    h.hold(1.0)
    h.ramp(0.0, float(rng.uniform(0.1, 1.0)))
    h.hold(1.0)
    noise, tremor, hz = float(rng.uniform(0.01, 0.3)), float(rng.uniform(0, 0.03)), float(rng.uniform(3, 12))
    t, f = h.build(noise=noise, tremor=tremor, tremor_hz=hz, seed=seed)
    if silence:
        cut = np.random.default_rng(seed + 555)
        a = cut.uniform(t[0] + 3.0, max(t[0] + 3.1, t[-1] - 3.0))
        keep = (t < a) | (t > a + cut.uniform(0.3, 4.0))
        t, f = t[keep], f[keep]
    return rate, t, f


def random_config(rng: np.random.Generator, rate: float) -> DetectorConfig:
    """A valid configuration with every timing and tolerance the contract names moved."""
    def pick(*xs: float) -> float:
        return float(rng.choice(xs))

    return DetectorConfig(
        sample_rate=rate, min_hold=pick(0.5, 1.0, 1.5, 2.0, 3.0), step_min=pick(0.05, 0.1, 0.2),
        step_max_duration=pick(1.0, 2.0, 3.0), hold_band=pick(0.05, 0.08, 0.12),
        tolerance=pick(0.05, 0.1, 0.2), leave_time=pick(0.5, 1.0, 2.0), release_time=pick(0.5, 1.0, 2.0),
        slow_step_hold=pick(2.0, 3.0, 5.0), slow_step_max=pick(4.0, 8.0, 12.0),
        alert_debounce=pick(0.05, 0.15, 0.5), band_enter_debounce=pick(0.2, 0.5, 1.0),
        lowpass_hz=pick(2.0, 4.0, 8.0), contact_threshold=pick(0.5, 2.0, 5.0))


def make_case(index: int) -> tuple[str, np.ndarray, np.ndarray, DetectorConfig]:
    """The variant, stream and configuration of case ``index``."""
    variant = VARIANTS[index % len(VARIANTS)]
    rate, t, f = random_hand(index, silence=variant == "silence")
    rng = np.random.default_rng(index + 99)
    cfg = DetectorConfig(sample_rate=rate)
    if variant == "target":
        cfg = DetectorConfig(sample_rate=rate, target=float(rng.uniform(10, 100)))
    if variant.startswith("config"):
        cfg = random_config(rng, rate)
    if variant.endswith("irregular"):
        keep = rng.random(t.size) >= 0.1
        keep[0] = keep[-1] = True
        t = (t + (rng.random(t.size) - 0.5) * 0.5 / rate)[keep]
        f = f[keep]
    return variant, t, f, cfg


def _run(det: Any, t: np.ndarray, f: np.ndarray, chunks: Sequence[int] | None = None) -> tuple[list, list]:
    if chunks is None:
        events = det.process(t, f)
    else:
        events = []
        i = 0
        for n in chunks:
            events += det.process(t[i:i + n], f[i:i + n])
            i += n
    return events + det.finish(), list(det.holds)


def broken_rules(t: np.ndarray, events: Sequence[Any], holds: Sequence[Any],
                 cfg: DetectorConfig) -> list[str]:
    """Which of the module docstring's rules the output breaks (empty: none)."""
    out: list[str] = []
    min_hold = cfg.min_hold
    told = [e.t_detected for e in events]
    if told != sorted(told):
        out.append("events told out of order")
    for e in events:
        if not t[0] <= e.t <= e.t_detected <= t[-1]:
            out.append(f"{e.kind} dated {e.t:.3f} s, told at {e.t_detected:.3f} s")
        elif e.t_detected - e.t > cfg.history_seconds:
            out.append(f"{e.kind} dated {e.t:.3f} s, told {e.t_detected - e.t:.1f} s later: past the "
                       f"{cfg.history_seconds:g}-s history")
    starts = [e for e in events if e.kind == "hold_start"]
    if len(starts) != len(holds):
        return [*out, f"{len(starts)} hold_start events for {len(holds)} holds"]
    for e, h in zip(starts, holds, strict=True):
        # Each hold is the one its hold_start told (its start may be dated again, never after that).
        if h.confirmed != e.t_detected or h.start > e.t_detected:
            out.append(f"a hold ({h.start:.3f}-{h.end:.3f} s, confirmed {h.confirmed:.3f} s) for the "
                       f"hold_start dated {e.t:.3f} s, told at {e.t_detected:.3f} s")
    for a, b in itertools.pairwise(holds):
        if a.end > b.start + 1e-9:
            out.append(f"holds overlap: {a.start:.3f}-{a.end:.3f} s and {b.start:.3f}-{b.end:.3f} s")
    silences = np.diff(t) > 0.25
    for h in holds:
        silent = bool(np.any(silences & (t[1:] > h.start) & (t[:-1] < h.start + min_hold)))
        if h.ended_by != "end_of_data" and not silent and h.duration < min_hold - 1e-9:
            out.append(f"a {h.duration:.3f}-s hold ({h.start:.3f}-{h.end:.3f} s, {h.ended_by})")
        if not (-1e-9 <= h.time_in_band <= h.duration + 1e-9 and h.sd >= 0.0 and h.cv >= 0.0):
            out.append(f"a hold's statistics: {h.time_in_band:.3f} s in band of {h.duration:.3f} s, "
                       f"sd {h.sd:.3g}, cv {h.cv:.3g}")
    held = released = False  # a release ends a contact that held, once
    for e in events:
        if e.kind == "contact":
            held = released = False
        elif e.kind == "hold_start":
            held = True
        elif e.kind == "release":
            if not held or released:
                out.append(f"a release at {e.t:.3f} s ends no contact that held")
            released = True
    steps = [e.t for e in events if e.kind == "step"]
    if [h.end for h in holds if h.ended_by == "step"] != steps:
        out.append("steps and step-ended holds disagree")
    spans = [(e.t_detected, starts[i + 1].t_detected if h.ended_by == "step" and i + 1 < len(starts)
              else h.end) for i, (e, h) in enumerate(zip(starts, holds, strict=True))]
    for e in events:
        if e.kind in ("band_exit", "band_enter") and \
                not any(a <= e.t_detected and e.t <= b + 1e-9 for a, b in spans):
            out.append(f"{e.kind} at {e.t:.3f} s (told {e.t_detected:.3f} s) outside its hold")
    exited: float | None = None  # an excursion has no negative length: enter not before exit
    for e in events:
        if e.kind == "band_exit":
            exited = e.t
        elif e.kind == "band_enter":
            if exited is not None and e.t < exited - 1e-9:
                out.append(f"a band_enter at {e.t:.3f} s before the band_exit it clears ({exited:.3f} s)")
            exited = None
    return out


def _key(events: Sequence[Any], holds: Sequence[Any]) -> tuple:
    return ([(e.kind, e.t, e.t_detected, e.direction, e.level) for e in events],
            [(h.start, h.end, h.ended_by, h.level, h.mean) for h in holds])


def run_case(index: int, with_golden: bool) -> tuple[int, str, list[str]]:
    """One case: ``(index, variant, what broke)``."""
    variant, t, f, cfg = make_case(index)
    events, holds = _run(Detector(cfg), t, f)
    broke = broken_rules(t, events, holds, cfg)
    rng = np.random.default_rng(index + 7)
    chunks = list(rng.integers(1, 400, size=t.size // 2 + 1))
    if _key(*_run(Detector(cfg), t, f, chunks)) != _key(events, holds):
        broke.append("chunked pushes told other events")
    if with_golden and _key(*_run(golden.Detector(cfg), t, f)) != _key(events, holds):
        broke.append("the golden model told other events")
    return index, variant, broke


def _job(args: tuple[int, bool]) -> tuple[int, str, list[str]]:
    return run_case(*args)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=20000)
    ap.add_argument("--first", type=int, default=0, help="index of the first case [0]")
    ap.add_argument("--golden", type=int, default=10, metavar="N",
                    help="compare the golden model on every Nth case (0: never) [10]")
    ap.add_argument("--case", type=int, help="run this one case and print what it gives")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    print(f"core: {IMPLEMENTATION}")
    if args.case is not None:
        variant, t, f, cfg = make_case(args.case)
        events, holds = _run(Detector(cfg), t, f)
        print(f"case {args.case} ({variant}): {t.size} samples, {t[-1] - t[0]:.1f} s, {cfg}")
        for e in events:
            print(f"  {e.kind:<10} t={e.t:9.3f}  told={e.t_detected:9.3f}  {e.direction or ''} {e.level}")
        for h in holds:
            print(f"  hold {h.start:.3f}-{h.end:.3f} s  level {h.level:.2f}  {h.ended_by}")
        broke = run_case(args.case, True)[2]
        print("\n".join(f"BROKEN: {b}" for b in broke) or "all rules hold")
        return 1 if broke else 0
    jobs = [(i, args.golden > 0 and i % args.golden == 0) for i in range(args.first, args.first + args.cases)]
    t0 = time.perf_counter()
    with Pool(args.jobs) as pool:
        results = pool.map(_job, jobs, chunksize=50)
    per = Counter(v for _, v, _ in results)
    bad = [(i, v, b) for i, v, b in results if b]
    print(f"{len(results)} cases ({', '.join(f'{v} {per[v]}' for v in VARIANTS)}), "
          f"{sum(g for _, g in jobs)} also on the golden model, {time.perf_counter() - t0:.0f} s")
    for i, v, b in bad[:50]:
        print(f"case {i} ({v}): {'; '.join(b)}")
    kinds = Counter(re.sub(r"\d+(\.\d+)?", "#", x) for _, _, b in bad for x in set(b))
    for k, n in kinds.most_common():
        print(f"{n:7d} x {k}")
    print(f"{len(bad)} case(s) broke a rule" + (" (rerun one with --case N)" if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
