"""DetectorConfig: the contract's defaults, and a ConfigError naming the field for every bad value."""

from __future__ import annotations

import dataclasses
import math

import pytest

from nmt_pressure.config import ConfigError, DetectorConfig


def test_defaults_match_the_contract():
    cfg = DetectorConfig()
    assert cfg.contact_threshold == 2.0
    assert cfg.min_hold == 1.5
    assert cfg.hold_band == 0.08
    assert cfg.step_min == 0.10
    assert cfg.step_max_duration == 2.0
    assert cfg.tolerance == 0.10
    assert cfg.target is None


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)


NAN, INF = math.nan, math.inf

BAD = [
    ("sample_rate", [0.0, -100.0, NAN, INF, "1000", None]),
    ("contact_threshold", [0.0, -2.0, NAN, INF, "2"]),
    ("contact_release_ratio", [0.0, -0.5, 1.5, NAN]),
    ("min_hold", [0.0, -1.5, NAN, INF, 0.03]),  # 0.03 s < 4 ticks
    ("hold_band", [0.0, -0.08, 0.5, 0.9, NAN]),
    ("step_min", [0.0, -0.1, 1.0, 2.0, NAN]),
    ("step_max_duration", [0.0, -2.0, NAN, INF]),
    ("step_rate", [0.0, -0.12, NAN]),
    ("release_fraction", [1.0, -0.4, NAN]),
    ("target", [0.0, -20.0, NAN, INF, "20", 2.1]),  # 2.1 N: band's lower edge under the threshold
    ("tolerance", [0.0, -0.1, 1.0, NAN, INF]),
    ("alert_debounce", [-0.01, 10.5, NAN, INF, "0.15"]),
    ("lowpass_hz", [0.0, -4.0, NAN, INF, 1e5]),
    ("spike_k", [0.0, -4.0, NAN]),
    ("max_gap", [0.0, -1.0, NAN, INF, 0.01]),  # 0.01 s: not longer than the tick
    ("tick", [0.0, -0.01, NAN, 0.2]),
]


@pytest.mark.parametrize(("name", "value"), [(n, v) for n, vs in BAD for v in vs],
                         ids=[f"{n}={v!r}" for n, vs in BAD for v in vs])
def test_bad_value_raises_config_error_naming_the_field(name, value):
    with pytest.raises(ConfigError) as info:
        DetectorConfig(**{name: value})
    assert name in str(info.value) or (name == "target" and "--target" in str(info.value)), str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("name", ["min_hold", "sample_rate", "max_gap"])
def test_bool_is_not_a_number(name):
    with pytest.raises(ConfigError, match=name):
        DetectorConfig(**{name: True})


@pytest.mark.parametrize("kwargs", [
    dict(target=25.0),
    dict(target=3.0, tolerance=0.2),  # lower edge 2.4 N > threshold
    dict(contact_release_ratio=1.0),
    dict(alert_debounce=0.0),
    dict(alert_debounce=10.0),
    dict(min_hold=0.04),
    dict(tick=0.1, max_gap=0.2, min_hold=0.4),
    dict(hold_band=0.49, step_min=0.99, tolerance=0.99, release_fraction=0.99),
    dict(sample_rate=10.0),
    dict(sample_rate=2000.0, lowpass_hz=10.0),
    dict(target=20),  # an int is a number of newtons
])
def test_good_values_are_accepted(kwargs):
    cfg = DetectorConfig(**kwargs)
    for k, v in kwargs.items():
        assert getattr(cfg, k) == v


def test_target_must_clear_the_contact_threshold_with_its_tolerance():
    # 2.5 N with ±10 % reaches down to 2.25 N: fine; with ±25 % to 1.875 N: below 2 N.
    DetectorConfig(target=2.5)
    with pytest.raises(ConfigError, match="target"):
        DetectorConfig(target=2.5, tolerance=0.25)
    with pytest.raises(ConfigError, match="contact threshold"):
        DetectorConfig(target=10.0, contact_threshold=9.5)


def test_frozen_and_round_trips():
    cfg = DetectorConfig(target=30.0, tolerance=0.05, min_hold=2.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.min_hold = 1.0  # type: ignore[misc]
    assert DetectorConfig(**cfg.to_dict()) == cfg
    assert set(DetectorConfig.field_names()) == set(cfg.to_dict())
    with pytest.raises(ConfigError, match="min_hold"):
        dataclasses.replace(cfg, min_hold=-1.0)


def test_history_capacity_covers_the_back_dating_horizon():
    for cfg in (DetectorConfig(), DetectorConfig(tick=0.1, max_gap=0.5),
                DetectorConfig(min_hold=5.0, step_max_duration=4.0, tick=0.002)):
        assert cfg.history_seconds >= cfg.min_hold + cfg.step_max_duration
        assert cfg.history_capacity * cfg.tick >= cfg.history_seconds


def test_detectors_default_to_default_config(impl):
    assert impl().cfg == DetectorConfig()
    assert impl(None).cfg == DetectorConfig()
    cfg = DetectorConfig(target=25.0)
    assert impl(cfg).cfg is cfg
