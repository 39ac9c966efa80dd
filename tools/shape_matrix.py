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

Usage: python tools/shape_matrix.py --move SHAPE [--ramp SHAPE] [--ease SHAPE] [score_detection options...]
e.g.   python tools/shape_matrix.py --move lin --matrix --quick --jobs 2 --json lin.json

``--ramp`` reshapes drifts and slow barrier steps, ``--ease`` the slow steps alone (overriding
``--ramp`` for them). A reshaped slow step keeps valid labels: it still starts and ends where it did
and settles on its new level. A reshaped drift may not: a smooth excursion comes to rest at its
turn (a 15 % drift at 1 %/s shaped by minimum jerk stays within 1 % of its top for ~5 s), which the
contract calls a hold or a slow step while the generator still labels it drift.

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


def install(move: Curve, ramp: Curve | None, ease: Curve | None = None) -> None:
    """Minimum-jerk pieces follow ``move``; drifts ``ramp`` and slow barrier steps ``ease`` (``ramp``
    when None), each staying nuisance's eased ramps when None; constants and sines are nuisance's own."""

    def moved(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
        return a + (b - a) * move(x)

    def ramped(curve: Curve | None) -> nz.Ramp:
        if curve is None:
            return nz.eased_ramp

        def shaped(a: np.ndarray, b: np.ndarray, u: np.ndarray, dur: np.ndarray, corner: np.ndarray
                   ) -> np.ndarray:
            return a + (b - a) * curve(u / dur)
        return shaped

    nz.MOVE = nz.minimum_jerk if move is _mj else moved
    nz.RAMP = ramped(ramp)
    nz.EASE = ramped(ease if ease is not None else ramp)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], add_help=False)
    ap.add_argument("--move", choices=sorted(CURVES), default="mj")
    ap.add_argument("--ramp", choices=sorted(CURVES), default=None)
    ap.add_argument("--ease", choices=sorted(CURVES), default=None)
    ap.add_argument("-h", "--help", action="store_true")
    own, rest = ap.parse_known_args(argv)
    if own.help:
        print(__doc__)
        return 0
    ramp = CURVES[own.ramp] if own.ramp else None
    install(CURVES[own.move], ramp, CURVES[own.ease] if own.ease else None)
    print(f"Movement shapes: moves {own.move}, drifts {own.ramp or 'trapezoid (nuisance)'}, "
          f"slow steps {own.ease or own.ramp or 'trapezoid (nuisance)'}")
    return sd.main(rest)


if __name__ == "__main__":
    sys.exit(main())
