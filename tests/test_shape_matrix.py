"""tools/shape_matrix.py: another hand's movement shapes laid on the matrix generator's script."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from toolmods import load_tool

sm = load_tool("shape_matrix")
nz = sm.nz


@pytest.fixture
def shaped():
    """Install a shape for one test, then put nuisance's own shapes back."""
    move, ramp, ease = nz.MOVE, nz.RAMP, nz.EASE
    yield sm.install
    nz.MOVE, nz.RAMP, nz.EASE = move, ramp, ease


@pytest.mark.parametrize("name", sorted(sm.CURVES))
def test_every_curve_goes_from_0_to_1_without_turning_back(name):
    x = np.linspace(0.0, 1.0, 2001)
    y = sm.CURVES[name](x)
    assert y[0] == pytest.approx(0.0, abs=1e-12) and y[-1] == pytest.approx(1.0, abs=1e-12)
    assert np.all(np.diff(y) >= -1e-12)


def test_the_minimum_jerk_curve_reproduces_the_generator_exactly(shaped):
    p = dataclasses.replace(nz.FAMILIES[0].params, duration=60.0)
    own = nz.generate_session(p, 2)
    shaped(sm.CURVES["mj"], None)
    again = nz.generate_session(p, 2)
    np.testing.assert_array_equal(again.force, own.force)
    assert again.labels == own.labels


def test_another_shape_changes_the_force_inside_movements_only(shaped):
    s = nz.Script(0.0)
    s.const(1.0)
    s.minjerk(10.0, 2.0)
    s.const(1.0)
    s.ramp(5.0, 4.0)
    t = np.array([0.5, 1.0, 2.0, 3.0, 3.5, 4.0, 6.0, 8.0, 8.5])
    own = s(t)
    shaped(sm.CURVES["lin"], sm.CURVES["lin"])
    lin = s(t)
    # the ends of every piece and the constants are where they were; the middles follow the new shape
    for k in (0, 1, 3, 4, 5, 7, 8):
        assert lin[k] == pytest.approx(own[k], abs=1e-9), t[k]
    assert lin[2] == pytest.approx(5.0) and own[2] == pytest.approx(5.0)  # symmetric curves agree at 1/2
    q = np.array([1.5])
    assert s(q)[0] == pytest.approx(2.5)  # a quarter of the way, at constant rate
    assert lin[6] == pytest.approx(7.5)


def test_ease_reshapes_the_slow_barrier_steps_and_leaves_drifts_alone(shaped):
    s = nz.Script(0.0)
    s.const(1.0)
    s.ramp(20.0, 4.0, corner=0.2)             # a drift's ramp
    s.const(1.0)
    s.ramp(10.0, 4.0, corner=0.25, ease=True)  # a slow barrier step
    s.const(1.0)
    t = np.array([1.5, 2.0, 7.0, 7.5, 8.0])
    own = s(t)
    shaped(sm.CURVES["mj"], None, sm.CURVES["lin"])
    eased = s(t)
    np.testing.assert_array_equal(eased[:2], own[:2])   # the drift keeps the generator's ramp
    assert eased[4] == pytest.approx(15.0) == own[4]    # the step's midpoint, either way
    assert eased[2] == pytest.approx(17.5) and own[2] != pytest.approx(17.5)  # a quarter, at constant rate
    shaped(sm.CURVES["mj"], sm.CURVES["lin"])           # --ramp alone shapes both
    both = s(t)
    assert both[0] == pytest.approx(2.5) and both[2] == pytest.approx(17.5)
