"""The load cell and its ADC: turns the hand's continuous force into timestamped samples.

Everything here is what the *instrument* adds, never what the hand does:

* sampling at a nominal rate, each reading the mean force over one conversion window (sigma-delta
  ADCs such as the HX711 integrate, which is why 10 Hz tremor does not alias into a 10 Hz stream);
* optionally irregular timing: jittered intervals, dropped samples (a doubled interval) and a few
  short gaps, as a USB/serial link and a busy microcontroller produce;
* additive white noise, a tare offset with slow creep, rare single-sample spikes (a bumped cable, an
  ESD hit) of 10-40 noise sigmas, and quantisation to the reported resolution.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

#: Above this rate one point per conversion window is enough; below it up to 16 points are averaged
#: (enough for 12 Hz tremor at 10 Hz). Shared with :mod:`firmware_sim.adc`: one converter model.
_AVERAGING_POINTS_HZ = 2000.0
_MAX_AVERAGING_POINTS = 16


def window_points(rate: float) -> int:
    """How many points the midpoint rule averages over one conversion window at ``rate`` (Hz)."""
    return int(min(_MAX_AVERAGING_POINTS, max(1, round(_AVERAGING_POINTS_HZ / rate))))


def check_limits(cfg: object, positive: tuple[str, ...] = (), non_negative: tuple[str, ...] = ()) -> None:
    """Raise ValueError naming the first of these fields of ``cfg`` that is not a finite number
    above zero (``positive``) or at least zero (``non_negative``)."""
    for name in (*positive, *non_negative):
        v = getattr(cfg, name)
        if not (math.isfinite(v) and (v > 0 if name in positive else v >= 0)):
            raise ValueError(f"{name} must be finite and {'above' if name in positive else 'at least'} 0, "
                             f"got {v!r}")


@dataclass(frozen=True, kw_only=True)
class CellNoise:
    """What every model of the cell and its converter adds to the force: white noise and rare
    single-sample spikes (a bumped cable, an ESD hit). :class:`SensorConfig` (offline traces, in
    newtons) and :class:`firmware_sim.adc.AdcConfig` (the live device, in counts) both extend it, so the
    two models share one definition of these knobs and of their checks."""

    #: Noise sigma (N) of one reading; the ADC model takes it at 1 kHz and scales it with √rate.
    noise_n: float = 0.1
    #: Mean number of single-sample spikes per second, and their size in noise sigmas.
    spike_rate_per_s: float = 1.0 / 30.0
    spike_sigmas: tuple[float, float] = (10.0, 40.0)

    def __post_init__(self) -> None:
        check_limits(self, non_negative=("noise_n",))


@dataclass(frozen=True, kw_only=True)
class SensorConfig(CellNoise):
    """What the cell and ADC do to an offline trace. Amplitudes in newtons, times in seconds."""

    rate_hz: float = 1000.0
    #: Reported resolution (N).
    quantum: float = 0.01
    #: Reading with nothing on the cell (an imperfect tare).
    tare_offset: float = 0.0
    #: Slow zero creep (N/s): thermal drift of the bridge, at most a tenth of a newton per minute.
    creep_per_s: float = 0.0
    #: Irregular timing: interval jitter (fraction of the interval, 1 sigma), probability of a
    #: dropped sample, number of gaps and their length range.
    jitter: float = 0.0
    drop_prob: float = 0.0
    n_gaps: int = 0
    gap_range_s: tuple[float, float] = (0.1, 0.5)
    #: Average over the conversion window (True) or sample the force at an instant (False).
    integrate: bool = True

    def __post_init__(self) -> None:
        super().__post_init__()
        check_limits(self, positive=("rate_hz",), non_negative=("quantum",))

    @classmethod
    def draw(cls, rng: np.random.Generator, rate_hz: float, noise_n: float,
             irregular: bool = False, spikes: bool = True) -> SensorConfig:
        """A plausible instrument: random tare offset (±0.5 N) and creep; irregular timing if asked."""
        return cls(
            rate_hz=rate_hz,
            noise_n=noise_n,
            tare_offset=float(rng.uniform(-0.5, 0.5)),
            creep_per_s=float(rng.uniform(-0.1, 0.1)) / 60.0,
            spike_rate_per_s=(1.0 / 30.0) if spikes else 0.0,
            jitter=0.1 if irregular else 0.0,
            drop_prob=0.01 if irregular else 0.0,
            n_gaps=int(rng.integers(1, 3)) if irregular else 0,
        )


def sample_times(rng: np.random.Generator, duration: float, cfg: SensorConfig) -> FloatArray:
    """Timestamps (s) of the samples in [0, duration]: regular, or jittered with drops and gaps.

    A timestamp marks the end of its conversion window, as a device stamps a reading when it is ready.
    """
    dt = 1.0 / cfg.rate_hz
    n = math.floor(duration * cfg.rate_hz)
    if cfg.jitter <= 0 and cfg.drop_prob <= 0 and cfg.n_gaps <= 0:
        return (np.arange(1, n + 1, dtype=np.float64)) * dt
    # Jittered intervals, bounded so that time always moves forward by at least half an interval.
    steps = dt * (1.0 + np.clip(rng.normal(0.0, cfg.jitter, size=n + n // 4 + 8), -0.5, 0.5))
    t = np.cumsum(steps)
    t = t[t <= duration]
    keep = rng.random(t.size) >= cfg.drop_prob  # a dropped sample leaves a doubled interval
    for _ in range(cfg.n_gaps):
        length = float(rng.uniform(*cfg.gap_range_s))
        start = float(rng.uniform(0.1 * duration, 0.9 * duration))
        keep &= ~((t >= start) & (t < start + length))
    return t[keep]


def read(rng: np.random.Generator, force: Callable[[FloatArray], FloatArray], t: FloatArray,
         cfg: SensorConfig) -> FloatArray:
    """Readings (N) at timestamps ``t`` of a cell loaded by ``force`` (a function of time)."""
    dt = 1.0 / cfg.rate_hz
    m = window_points(cfg.rate_hz) if cfg.integrate else 1
    # Midpoint rule over the window [t − dt, t]: exact for ramps, close for 12 Hz tremor at 16 points.
    true = np.zeros_like(t)
    for j in range(m):
        true += force(t - (j + 0.5) * dt / m)
    true /= m
    reading = true + cfg.tare_offset + cfg.creep_per_s * t
    if cfg.noise_n > 0:
        reading += rng.normal(0.0, cfg.noise_n, size=t.size)
    reading += spikes(rng, t, cfg)
    if cfg.quantum > 0:
        reading = np.round(reading / cfg.quantum) * cfg.quantum
    return reading


def spikes(rng: np.random.Generator, t: FloatArray, cfg: SensorConfig) -> FloatArray:
    """Rare isolated one-sample spikes of either sign (zero everywhere else)."""
    out = np.zeros_like(t)
    if t.size < 3 or cfg.spike_rate_per_s <= 0 or cfg.noise_n <= 0:
        return out
    span = float(t[-1] - t[0])
    count = min(int(rng.poisson(cfg.spike_rate_per_s * span)), t.size // 3)
    if count == 0:
        return out
    # Keep spikes apart (every other index at least) so each one is a single-sample event.
    idx = rng.choice(np.arange(1, t.size - 1, 2), size=count, replace=False)
    sign = rng.choice([-1.0, 1.0], size=count)
    out[idx] = sign * rng.uniform(*cfg.spike_sigmas, size=count) * cfg.noise_n
    return out
