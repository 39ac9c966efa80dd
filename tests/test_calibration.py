"""Calibration stage: counts and units to newtons on one continuous, increasing device timeline."""

from __future__ import annotations

import time

import numpy as np
import pytest

from nmt_pressure.link.calibration import Calibrator, DeviceInfo
from nmt_pressure.protocol.frames import FLAG_MARKER, Reading, SampleBlock


def info(scale: float = 1000.0, offset: float = 500.0) -> DeviceInfo:
    return DeviceInfo(name="t", fields={"scale": str(scale)}, scale=scale, offset=offset)


def test_counts_become_newtons_and_seconds():
    cal = Calibrator()
    s = cal.samples(SampleBlock(seq=0, t0_us=1_000_000, dt_us=1000, counts=(500, 1500, 10500)), info())
    np.testing.assert_allclose(s.force, [0.0, 1.0, 10.0])
    np.testing.assert_allclose(s.t, [1.0, 1.001, 1.002])
    assert s.device_t_last == pytest.approx(1.002)


def test_clock_wrap_keeps_time_increasing():
    cal = Calibrator()
    top = 2**32
    a = cal.samples(SampleBlock(0, top - 2000, 1000, (0, 0)), info())
    b = cal.samples(SampleBlock(2, (top - 2000 + 2000) % top, 1000, (0, 0)), info())
    t = np.concatenate([a.t, b.t])
    assert np.all(np.diff(t) > 0)
    np.testing.assert_allclose(np.diff(t), 0.001, rtol=1e-6)


def test_restarted_device_continues_the_timeline():
    cal = Calibrator()
    cal.samples(SampleBlock(0, 50_000_000, 1000, (0,) * 10), info())  # device at 50 s
    cal.link_lost()
    time.sleep(0.2)
    s = cal.samples(SampleBlock(0, 1000, 1000, (0,) * 10), info())  # restarted: clock near zero
    assert s.t[0] > 50.009
    assert s.t[0] == pytest.approx(50.009 + 0.2, abs=0.1)  # the real time that passed
    more = cal.samples(SampleBlock(10, 11000, 1000, (0,) * 5), info())
    assert more.t[0] > s.t[-1]
    np.testing.assert_allclose(np.diff(np.concatenate([s.t, more.t])), 0.001, rtol=1e-6)


def test_same_device_after_a_short_dropout_keeps_its_clock():
    cal = Calibrator()
    cal.samples(SampleBlock(0, 1_000_000, 1000, (0,) * 10), info())
    cal.link_lost()
    s = cal.samples(SampleBlock(500, 1_500_000, 1000, (0,) * 10), info())
    assert s.t[0] == pytest.approx(1.5)  # device time is trusted: the gap is real


def test_ascii_readings_in_units_and_host_time():
    cal = Calibrator(default_unit="kg")
    a = cal.reading(Reading(2.0))  # no unit on the line: the default (kg-force)
    b = cal.reading(Reading(1.0, "lbf"))
    c = cal.reading(Reading(3.0, "N", t=100.0))
    assert a.force[0] == pytest.approx(2 * 9.80665)
    assert b.force[0] == pytest.approx(4.4482216152605)
    assert c.force[0] == pytest.approx(3.0)
    assert b.t[0] >= a.t[0]


def test_marker_flag_is_reported_once_with_its_time():
    cal = Calibrator()
    cal.samples(SampleBlock(0, 0, 1000, (0, 0), flags=FLAG_MARKER), info())
    assert cal.markers == [0.0]


def test_a_repeated_line_time_is_kept_for_the_core_to_place():
    """A millisecond clock printed at 2 kHz repeats each stamp: both readings reach the core, which
    spreads them (a clock that goes back is a restarted device: see above)."""
    cal = Calibrator(default_unit="N")
    times = [cal.reading(Reading(1.0, "N", t=t)).t for t in (5.000, 5.000, 5.001, 5.001)]
    assert [x.size for x in times] == [1, 1, 1, 1]
    assert [float(x[0]) for x in times[:4]] == [5.0, 5.0, 5.001, 5.001]
