"""The simulator's two instrument models (offline ``sensor``, live ``adc``) share one definition of the
cell's noise and spikes (``sensor.CellNoise``), of their checks and of the conversion window."""

from __future__ import annotations

import dataclasses
import math

import pytest

from firmware_sim.adc import AdcConfig
from firmware_sim.sensor import CellNoise, SensorConfig, window_points


def test_both_configs_extend_the_shared_noise():
    shared = {f.name for f in dataclasses.fields(CellNoise)}
    assert shared == {"noise_n", "spike_rate_per_s", "spike_sigmas"}
    for cls in (AdcConfig, SensorConfig):
        assert issubclass(cls, CellNoise)
        assert shared <= {f.name for f in dataclasses.fields(cls)}


def test_defaults_kept():
    # The live device bumps once a minute, an offline trace twice: what each model did before the merge.
    assert AdcConfig().spike_rate_per_s == 1.0 / 60.0
    assert SensorConfig().spike_rate_per_s == 1.0 / 30.0
    for cfg in (AdcConfig(), SensorConfig()):
        assert cfg.noise_n == 0.1 and cfg.spike_sigmas == (10.0, 40.0)
    assert AdcConfig().full_scale_n == 300.0 and SensorConfig().rate_hz == 1000.0


@pytest.mark.parametrize("cls", [AdcConfig, SensorConfig])
@pytest.mark.parametrize("bad", [-0.1, math.nan, math.inf])
def test_noise_is_checked_once_for_both(cls, bad):
    with pytest.raises(ValueError, match="noise_n must be finite and at least 0"):
        cls(noise_n=bad)


@pytest.mark.parametrize(("cls", "name"), [(AdcConfig, "full_scale_n"), (SensorConfig, "rate_hz")])
def test_own_fields_still_checked(cls, name):
    with pytest.raises(ValueError, match=f"{name} must be finite and above 0"):
        cls(**{name: 0.0})


def test_keyword_only():
    # Fields moved into the base class: positional arguments would now land in the wrong field.
    with pytest.raises(TypeError):
        SensorConfig(1000.0)  # type: ignore[misc]


@pytest.mark.parametrize(("rate", "points"), [(10, 16), (80, 16), (250, 8), (1000, 2), (2000, 1), (4000, 1)])
def test_window_points(rate, points):
    assert window_points(rate) == points
