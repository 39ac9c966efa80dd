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
    """Replace the script's evaluation: minimum-jerk pieces follow ``move``, ramps ``ramp`` (or stay
    nuisance's trapezoidal ramps when None). Constants and sines are as nuisance computes them."""

    def evaluate(self: nz.Script, t: np.ndarray) -> np.ndarray:
        t0 = np.asarray(self._t0)
        dur = np.asarray(self._dur)
        kind = np.asarray(self._kind)
        p = np.asarray(self._p)
        i = np.clip(np.searchsorted(t0, t, side="right") - 1, 0, t0.size - 1)
        u = np.clip(t - t0[i], 0.0, dur[i])
        a, b, c, d = p[i, 0], p[i, 1], p[i, 2], p[i, 3]
        k = kind[i]
        out = a.copy()
        m = k == nz._MJ
        out[m] = a[m] + (b[m] - a[m]) * move(u[m] / dur[i][m])
        m = k == nz._TRAP
        prog = ramp(u[m] / dur[i][m]) if ramp is not None else nz._trapezoid(u[m], dur[i][m], c[m])
        out[m] = a[m] + (b[m] - a[m]) * prog
        m = k == nz._SINE
        out[m] = a[m] + b[m] * np.sin(2 * np.pi * c[m] * u[m] + d[m])
        return out

    nz.Script.__call__ = evaluate  # type: ignore[method-assign]


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
