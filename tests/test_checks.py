"""The one number check (nmt_pressure.core.checks) behind detector settings and drill files: its bounds,
its sentences, and that both callers say the same thing about the same mistake."""

from __future__ import annotations

import math

import pytest

from nmt_pressure.core.checks import check_number, is_number, range_text
from nmt_pressure.core.config import ConfigError, DetectorConfig
from nmt_pressure.practice.spec import DrillError, parse_drill


@pytest.mark.parametrize(("kw", "text"), [
    (dict(lo=0.0), "be a positive number"),
    (dict(lo=2.0), "be above 2"),
    (dict(lo=2.0, lo_open=False), "be at least 2"),
    (dict(hi=300.0, unit="s"), "be at most 300 s"),
    (dict(hi=1.0, hi_open=True), "be below 1"),
    (dict(lo=0.0, hi=0.5, hi_open=True), "lie between 0 and 0.5"),
    (dict(lo=0.0, hi=600.0), "lie above 0 up to 600"),
    (dict(lo=0.0, hi=10.0, lo_open=False, unit="s"), "lie from 0 up to 10 s"),
    (dict(lo=0.0, hi=1.0, lo_open=False, hi_open=True), "lie from 0 up to but not including 1"),
    (dict(lo=1.0, hi=100.0, lo_open=False, whole=True), "be a whole number from 1 up to 100"),
    (dict(lo=0.0, hi=1e6, unit="N"), "lie above 0 up to 1000000 N"),  # whole bounds in full, not 1e+06
    (dict(lo=0.001, hi=0.1, lo_open=False), "lie from 0.001 up to 0.1"),
    (dict(), "be a finite number"),
])
def test_range_text(kw, text):
    assert range_text(**kw) == text


@pytest.mark.parametrize(("value", "kw", "ok"), [
    (0.5, dict(lo=0.0, hi=1.0), True),
    (1.0, dict(lo=0.0, hi=1.0), True),  # hi included by default
    (1.0, dict(lo=0.0, hi=1.0, hi_open=True), False),
    (0.0, dict(lo=0.0, hi=1.0), False),  # lo excluded by default
    (0.0, dict(lo=0.0, hi=1.0, lo_open=False), True),
    (3, dict(lo=0.0), True),  # an int is a number
    (math.nan, dict(), False),
    (math.inf, dict(lo=0.0), False),
    (-math.inf, dict(hi=0.0), False),
    (10**400, dict(lo=0.0), False),  # beyond any float: out of range, not an OverflowError
])
def test_bounds(value, kw, ok):
    if ok:
        assert check_number(value, "x", **kw) == float(value)
    else:
        with pytest.raises(ValueError, match=r"^x must .*, got "):
            check_number(value, "x", **kw)


@pytest.mark.parametrize("value", [True, False, "1", None, [1.0], 1.5])
def test_not_a_number_says_so(value):
    whole = value == 1.5
    assert is_number(value) is (value == 1.5)
    with pytest.raises(ValueError) as err:
        check_number(value, "x", 0.0, whole=whole)
    assert str(err.value) == f"x must be a {'whole number' if whole else 'number'}, got {value!r}."


def test_error_class_and_where():
    with pytest.raises(DrillError) as err:
        check_number(-3, "target", 0.0, 1000.0, where="my.toml phase 1", error=DrillError)
    assert str(err.value) == "my.toml phase 1: target must lie above 0 up to 1000, got -3."


def test_config_and_drill_word_the_same_mistake_alike():
    """A tolerance above its range, a non-number: the same words from DetectorConfig and a drill file."""
    with pytest.raises(ConfigError) as cfg_err:
        DetectorConfig(tolerance="0.1")
    doc = {"name": "x", "phase": [{"kind": "press", "tolerance": "0.1"}, {"kind": "release"}]}
    with pytest.raises(DrillError) as drill_err:
        parse_drill(doc, "x", "my.toml")
    assert str(cfg_err.value) == "tolerance must be a number, got '0.1'."
    assert str(drill_err.value) == "my.toml phase 1: tolerance must be a number, got '0.1'."


@pytest.mark.parametrize(("kwargs", "message"), [
    # Messages that the shared check reworded (issue 13); each still names the setting, the accepted
    # range and what was given, in one sentence.
    (dict(release_fraction=1.0), "release_fraction must lie from 0 up to but not including 1, got 1.0."),
    (dict(alert_debounce=10.5), "alert_debounce must lie from 0 up to 10 s, got 10.5."),
    (dict(tick=0.2), "tick must lie from 0.001 up to 0.1 s, got 0.2."),
    (dict(target=-20.0), "target must lie above 0 up to 1000000 N, got -20.0."),
    (dict(slow_step_max=61.0), "slow_step_max must be at most 60 s, got 61.0."),
    # ... and ones it kept word for word.
    (dict(min_hold=-1), "min_hold must be a positive number, got -1."),
    (dict(min_hold=1e6), "min_hold must be at most 300 s, got 1000000.0."),
    (dict(hold_band=0.5), "hold_band must lie between 0 and 0.5, got 0.5."),
    (dict(release_time=61.0), "release_time must be at most 60 s, got 61.0."),
])
def test_config_messages(kwargs, message):
    with pytest.raises(ConfigError) as err:
        DetectorConfig(**kwargs)
    assert str(err.value) == message


@pytest.mark.parametrize(("change", "message"), [
    ({"repeat": 0}, "my.toml: repeat must be a whole number from 1 up to 100, got 0."),
    ({"repeat": 2.0}, "my.toml: repeat must be a whole number, got 2.0."),
    ({"phase": [{"kind": "press", "timeout": math.inf}, {"kind": "release"}]},
     "my.toml phase 1: timeout must lie above 0 up to 600, got inf."),
    ({"phase": [{"kind": "press"}, {"kind": "step", "by": -0.95}, {"kind": "release"}]},
     "my.toml phase 2: by must lie from -0.9 up to 5, got -0.95."),
])
def test_drill_messages(change, message):
    doc = {"name": "x", "phase": [{"kind": "press"}, {"kind": "release"}], **change}
    with pytest.raises(DrillError) as err:
        parse_drill(doc, "x", "my.toml")
    assert str(err.value) == message
