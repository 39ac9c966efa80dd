"""A scripted hand: force pieces laid end to end, each a shape over its own span.

Where :mod:`firmware_sim.hand` plays a random therapy session with labels, this lays down exactly
the pieces a test or a fuzzer asks for (hold, minimum-jerk move, straight drift, gliding stroke) and
evaluates the clean force at any times, or samples it with tremor and sensor noise. The tests'
``Trace`` builder is this, and ``tools/fuzz_core.py``'s random hands build on it, so the two make the
same forces from the same pieces.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Self

import numpy as np

from firmware_sim.hand import min_jerk


@dataclass
class Piece:
    t0: float
    t1: float
    shape: Callable[[np.ndarray], np.ndarray]  # normalised time in [0, 1) -> force


@dataclass
class Pieces:
    """A chain of pieces from ``start``; every method returns ``self``. ``marks[name] = (t0, t1)``
    records when a named piece starts and ends."""

    rate: float = 100.0
    start: float = 0.0
    level: float = 0.0
    pieces: list[Piece] = field(default_factory=list)
    marks: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def end(self) -> float:
        return self.pieces[-1].t1 if self.pieces else self.start

    def _add(self, dur: float, to: float, shape: Callable[[np.ndarray], np.ndarray],
             mark: str | None) -> Self:
        t0 = self.end
        self.pieces.append(Piece(t0, t0 + dur, shape))
        if mark:
            self.marks[mark] = (t0, t0 + dur)
        self.level = to
        return self

    def hold(self, dur: float, mark: str | None = None) -> Self:
        lv = self.level
        return self._add(dur, lv, lambda tau: np.full_like(tau, lv), mark)

    def rest(self, dur: float, mark: str | None = None) -> Self:
        self.level = 0.0
        return self.hold(dur, mark)

    def ramp(self, to: float, dur: float, mark: str | None = None) -> Self:
        """Minimum-jerk move from the current level to ``to``."""
        a = self.level
        return self._add(dur, to, lambda tau: a + (to - a) * min_jerk(tau), mark)

    def step(self, frac: float, dur: float, mark: str | None = None) -> Self:
        """Minimum-jerk change of the level by ``frac`` of itself (+0.25: 25 % up)."""
        return self.ramp(self.level * (1.0 + frac), dur, mark)

    def release(self, dur: float = 0.3, mark: str | None = None) -> Self:
        return self.ramp(0.0, dur, mark)

    def drift(self, frac: float, dur: float, mark: str | None = None) -> Self:
        """Straight line from the level to ``level * (1 + frac)``."""
        a = self.level
        to = a * (1.0 + frac)
        return self._add(dur, to, lambda tau: a + (to - a) * tau, mark)

    def stroke(self, amp: float, hz: float, dur: float, mark: str | None = None) -> Self:
        """Gliding stroke: ``level * (1 + amp * sin(2π hz t))`` around the current level."""
        a = self.level
        return self._add(dur, a, lambda tau: a * (1.0 + amp * np.sin(2 * np.pi * hz * dur * tau)), mark)

    def force_at(self, t: np.ndarray) -> np.ndarray:
        """The clean force at times ``t`` (the last level after the end)."""
        t = np.asarray(t, dtype=np.float64)
        f = np.zeros_like(t)
        for p in self.pieces:
            m = (t >= p.t0) & (t < p.t1)
            if m.any():
                f[m] = p.shape((t[m] - p.t0) / (p.t1 - p.t0))
        f[t >= self.end] = self.level
        return f

    def times(self, jitter: float = 0.0, drop: float = 0.0, seed: int = 0) -> np.ndarray:
        """Sample times ``1/rate`` apart, each moved by up to ±jitter/2 of an interval, with a
        fraction ``drop`` of the samples left out (doubled intervals). Strictly increasing while
        ``jitter < 1``."""
        rng = np.random.default_rng(seed + 7919)
        n = math.floor((self.end - self.start) * self.rate + 1e-9) + 1
        t = self.start + np.arange(n) / self.rate
        if jitter:
            t = t + (rng.random(n) - 0.5) * (jitter / self.rate)
        if drop:
            keep = rng.random(n) >= drop
            keep[0] = keep[-1] = True
            t = t[keep]
        return t

    def build(self, noise: float = 0.0, tremor: float = 0.0, tremor_hz: float = 9.0, seed: int = 0,
              jitter: float = 0.0, drop: float = 0.0,
              t: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(t, force)``: the clean force, physiological tremor proportional to it (relative
        amplitude ``tremor`` at ``tremor_hz``) and white sensor noise of ``noise`` N (sd)."""
        if t is None:
            t = self.times(jitter, drop, seed)
        f = self.force_at(t)
        if tremor:
            f = f * (1.0 + tremor * np.sin(2 * np.pi * tremor_hz * t + 0.3))
        if noise:
            f = f + np.random.default_rng(seed).normal(0.0, noise, t.size)
        return t, f
