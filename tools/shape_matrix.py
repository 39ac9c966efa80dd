#!/usr/bin/env python
"""The robustness matrix with another hand: the movements' shapes swapped.

``tools/nuisance.py`` moves its hand with minimum-jerk pieces (arrivals, fast steps, bursts, touches,
releases) and eased constant-rate ramps (slow steps, drifts). A detector tuned on it may have learned
those shapes. This runs ``tools/score_detection.py`` unchanged (same rows, seeds, labels' rules and
report) with either kind of piece replaced by another progress curve, so the labels' times stay the
generator's own (a movement starts and ends where it did) while the force between them differs:

  mj     minimum jerk (nuisance's own)        cos    raised cosine (a smooth sway)
  lin    constant rate, abrupt corners        exp    first-order approach (abrupt start, long tail)
  early  minimum jerk on a fast-start warp    late   minimum jerk on a slow-start warp (abrupt end)

Usage: python tools/shape_matrix.py --move SHAPE [--ramp SHAPE] [score_detection options...]
e.g.   python tools/shape_matrix.py --move lin --matrix --quick --jobs 2 --json lin.json

It always exits 0, like score_detection (a report, not a gate).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nuisance as nz
import score_detection as sd

Curve = Callable[[np.ndarray], np.ndarray]


def _mj(x: np.ndarray) -> np.ndarray:
    return x**3 * (10.0 - 15.0 * x + 6.0 * x * x)


def _exp(x: np.ndarray) -> np.ndarray:
    # Five time constants in the piece: 99.3 % of the way at its end, rescaled to end exactly there.
    return (1.0 - np.exp(-5.0 * x)) / (1.0 - np.exp(-5.0))


CURVES: dict[str, Curve] = {
    "mj": _mj,
    "cos": lambda x: 0.5 - 0.5 * np.cos(np.pi * x),
    "lin": lambda x: x,
    "exp": _exp,
    "early": lambda x: _mj(1.0 - (1.0 - x) ** 2),
    "late": lambda x: _mj(x * x),
}


def install(move: Curve, ramp: Curve | None) -> None:
    """Minimum-jerk pieces follow ``move``, ramps ``ramp`` (or stay nuisance's eased ramps when None);
    constants and sines are nuisance's own."""

    def moved(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
        return a + (b - a) * move(x)

    def ramped(a: np.ndarray, b: np.ndarray, u: np.ndarray, dur: np.ndarray, corner: np.ndarray
               ) -> np.ndarray:
        assert ramp is not None
        return a + (b - a) * ramp(u / dur)

    nz.MOVE = nz.minimum_jerk if move is _mj else moved
    nz.RAMP = ramped if ramp is not None else nz.eased_ramp


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], add_help=False)
    ap.add_argument("--move", choices=sorted(CURVES), default="mj")
    ap.add_argument("--ramp", choices=sorted(CURVES), default=None)
    ap.add_argument("-h", "--help", action="store_true")
    own, rest = ap.parse_known_args(argv)
    if own.help:
        print(__doc__)
        return 0
    install(CURVES[own.move], CURVES[own.ramp] if own.ramp else None)
    print(f"Movement shapes: moves {own.move}, ramps {own.ramp or 'trapezoid (nuisance)'}")
    return sd.main(rest)


if __name__ == "__main__":
    sys.exit(main())
