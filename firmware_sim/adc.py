"""The load cell's ADC: force (N) in, signed 24-bit counts out, as an HX711 or an ADS1256-class part.

An HX711 converts at 10 or 80 samples/s; fast modes (250-2000 samples/s) behave like an ADS1256-class
converter. Either way the model is the same, only the rate changes what it adds:

* **conversion window**: a sigma-delta converter integrates over its conversion period, so each
  reading is the mean force over the window that ends at its timestamp (up to 16 points at slow rates,
  which is why 10 Hz tremor does not alias into a 10 Hz stream);
* **gain and offset**: ``counts = zero + gain·force``, the gain about 2²³ / full scale (counts per
  newton) within the cell's ±2 % tolerance, the zero an arbitrary bridge imbalance;
* **noise**: white, its sigma growing with the square root of the rate (faster conversions average
  less): ``noise_n`` at 1 kHz, a tenth of it at 10 Hz; rare single-sample spikes (a bumped cable);
* **creep**: under load the reading creeps towards ``creep_fraction`` more, time constant
  ``creep_tau_s``, and recovers after the release;
* **temperature**: the electronics warm up from ambient after power-on (about 6 °C over ten minutes),
  moving the zero (``offset_tc``) and the gain (``gain_tc``);
* **quantisation and saturation**: integer counts, clipped to the 24-bit range; a reading at either
  rail is an overload (the firmware sets ``FLAG_OVERLOAD`` on its block).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from firmware_sim.sensor import CellNoise, check_limits, window_points
from nmt_pressure.protocol.nmtp import COUNTS_MAX, COUNTS_MIN

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: The HX711's two rates (samples/s); the firmware's other rates are the fast converter's.
HX711_RATES = (10, 80)


def adc_name(rate: int) -> str:
    """The converter that offers this rate: ``hx711`` or ``ads1256-like``."""
    return "hx711" if rate in HX711_RATES else "ads1256-like"


@dataclass(frozen=True, kw_only=True)
class AdcConfig(CellNoise):
    """The converter and the cell. Forces in newtons, times in seconds; ``noise_n`` is the sigma at
    1 kHz (sigma ∝ √rate)."""

    #: Force at which the counts reach the 24-bit rail (about; the gain has a tolerance).
    full_scale_n: float = 300.0
    #: Relative tolerance of the cell's sensitivity (the true gain is drawn within it).
    gain_tolerance: float = 0.02
    #: Bridge imbalance: the zero is drawn within ± this many counts.
    zero_range_counts: int = 60_000
    creep_fraction: float = 0.002
    creep_tau_s: float = 120.0
    ambient_c: float = 22.0
    warmup_c: float = 6.0
    warmup_tau_s: float = 600.0
    #: Zero drift (N per °C) and gain drift (per °C).
    offset_tc: float = 0.02
    gain_tc: float = 5e-5
    #: The live device bumps half as often as an offline trace: one spike a minute.
    spike_rate_per_s: float = 1.0 / 60.0

    def __post_init__(self) -> None:
        super().__post_init__()
        check_limits(self, positive=("full_scale_n",))


class Adc:
    """A converter reading the force ``force(t)`` (t in device seconds since boot).

    ``convert(t_end, rate)`` must be called with increasing times (one chunk after another): creep
    is carried from chunk to chunk.
    """

    def __init__(self, force: Callable[[FloatArray], FloatArray], rng: np.random.Generator,
                 cfg: AdcConfig | None = None) -> None:
        self.cfg = cfg = cfg or AdcConfig()
        self.force = force
        self.rng = rng
        nominal = COUNTS_MAX / cfg.full_scale_n
        self.gain = nominal * (1.0 + float(rng.uniform(-cfg.gain_tolerance, cfg.gain_tolerance)))
        self.zero = int(rng.integers(-cfg.zero_range_counts, cfg.zero_range_counts + 1))
        self.creep_n = 0.0
        self._last_t: float | None = None
        self.last_force_n = 0.0

    def temperature(self, t: float) -> float:
        """Temperature of the electronics (°C) at ``t`` s after power-on."""
        c = self.cfg
        return c.ambient_c + c.warmup_c * (1.0 - math.exp(-max(t, 0.0) / c.warmup_tau_s)) \
            + 0.05 * math.sin(2.0 * math.pi * t / 97.0)

    def noise_sigma_n(self, rate: float) -> float:
        return self.cfg.noise_n * math.sqrt(rate / 1000.0)

    def convert(self, t_end: FloatArray, rate: float) -> tuple[IntArray, npt.NDArray[np.bool_]]:
        """Counts of conversions ending at ``t_end`` (s), and which of them are at a rail."""
        c = self.cfg
        n = t_end.size
        if n == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
        dt = 1.0 / rate
        m = window_points(rate)
        if m == 1:
            f = self.force(t_end - 0.5 * dt)
        else:
            offs = (np.arange(m) + 0.5) * (dt / m)
            f = self.force((t_end[:, None] - offs[None, :]).ravel()).reshape(n, m).mean(axis=1)
        # Creep follows the load with a first-order lag, stepped once per chunk (chunks are short).
        span = float(t_end[-1] - (self._last_t if self._last_t is not None else t_end[0] - dt))
        alpha = 1.0 - math.exp(-max(span, 0.0) / c.creep_tau_s)
        self.creep_n += (c.creep_fraction * float(f.mean()) - self.creep_n) * alpha
        self._last_t = float(t_end[-1])
        self.last_force_n = float(f[-1])
        d_temp = self.temperature(float(t_end[-1])) - c.ambient_c
        gain = self.gain * (1.0 + c.gain_tc * d_temp)
        x = self.zero + gain * (f + self.creep_n + c.offset_tc * d_temp)
        sigma = gain * self.noise_sigma_n(rate)
        if sigma > 0:
            x += self.rng.normal(0.0, sigma, size=n)
            if c.spike_rate_per_s > 0:
                k = int(self.rng.poisson(c.spike_rate_per_s * n * dt))
                if k:
                    idx = self.rng.integers(0, n, size=k)
                    sign = self.rng.choice([-1.0, 1.0], size=k)
                    x[idx] += sign * self.rng.uniform(*c.spike_sigmas, size=k) * sigma
        counts = np.clip(np.rint(x), COUNTS_MIN, COUNTS_MAX).astype(np.int64)
        over = (counts >= COUNTS_MAX) | (counts <= COUNTS_MIN)
        return counts, over
