"""Chunk invariance and ``finish()``, for both implementations.

A live monitor feeds the core whatever the serial port delivered since the last read; replaying a
recording feeds it one big array. Both must give the same events and holds, wherever the cuts fall
(between a spike and the sample that exposes it, inside a gap, on a bad sample ...).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HYPO = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def feed_chunks(cls: Any, t: np.ndarray, f: np.ndarray, cuts: list[int]) -> tuple[list[Any], list[Any]]:
    det = cls(None)
    events: list[Any] = []
    bounds = [0, *sorted(cuts), t.size]
    for a, b in itertools.pairwise(bounds):
        events += det.process(t[a:b], f[a:b])
    events += det.finish()
    return events, list(det.holds)


def messy(t: np.ndarray, f: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A copy with bad samples (NaN, inf, repeated and decreasing times), a single-sample spike on
    the hold, and a silence longer than ``max_gap``."""
    rng = np.random.default_rng(seed)
    t = np.array(t)
    f = np.array(f)
    f[rng.integers(0, f.size, 5)] = np.nan
    t[rng.integers(1, t.size, 5)] = np.inf
    i = rng.integers(1, t.size, 5)
    t[i] = t[i - 1]
    hold = np.flatnonzero(f > 10.0)
    f[hold[len(hold) // 3]] += 8.0
    f[hold[len(hold) // 2]] -= 8.0
    t[t.size // 2:] += 1.7
    return t, f


TRACES = ["therapy_10", "therapy_100", "therapy_1000", "messy_100", "messy_10"]


def get_trace(name: str, therapy: Any) -> tuple[np.ndarray, np.ndarray]:
    kind, rate = name.split("_")
    t, f = therapy(float(rate), seed=1)
    if kind == "messy":
        t, f = messy(t, f, seed=int(rate))
    return t, f


@HYPO
@given(name=st.sampled_from(TRACES),
       fractions=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=25),
       small=st.lists(st.integers(0, 5), max_size=6))
def test_chunk_invariance(impl, therapy, run_trace, same_events, same_holds, name, fractions, small):
    t, f = get_trace(name, therapy)
    ev_ref, holds_ref, _ = run_trace(impl, t, f)
    cuts = [int(x * t.size) for x in fractions]
    # A few cuts in quick succession (chunks of 0 to 5 samples) after the first drawn cut.
    pos = cuts[0]
    for k in small:
        pos = min(t.size, pos + k)
        cuts.append(pos)
    ev, holds = feed_chunks(impl, t, f, cuts)
    same_events(ev_ref, ev, f"{name} cuts {sorted(cuts)}")
    same_holds(holds_ref, holds, 0.0, name)
    assert any(e.kind == "hold_start" for e in ev_ref)


@pytest.mark.parametrize("rate", [10.0, 1000.0])
def test_cut_between_spike_and_its_successor(impl, trace, run_trace, same_events, same_holds, rate):
    """A suspicious sample is held back until the next one decides; a cut right there must not
    change the decision."""
    tr = trace(rate=rate).rest(2.0).ramp(20.0, 1.0).hold(4.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.05, seed=2)
    f = f.copy()
    spikes = [int(np.searchsorted(t, x)) for x in (1.7, 4.5, 5.5)]
    f[spikes] += [3.0, -6.0, 6.0]
    ev_ref, holds_ref, _ = run_trace(impl, t, f)
    for k in spikes:
        for cut in (k, k + 1):
            ev, holds = feed_chunks(impl, t, f, [cut])
            same_events(ev_ref, ev, f"cut at {cut}")
            same_holds(holds_ref, holds, 0.0, f"cut at {cut}")
    # One chunk per sample is the extreme case.
    ev, holds = feed_chunks(impl, t, f, list(range(1, t.size)))
    same_events(ev_ref, ev, "one sample per chunk")
    same_holds(holds_ref, holds, 0.0, "one sample per chunk")


# --------------------------------------------------------------------------------------------------
# finish()
# --------------------------------------------------------------------------------------------------
def open_hold(trace: Any, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Contact, ramp to 20 N, and a hold still going when the data ends."""
    return trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(4.0).build(noise=0.03, seed=5)


@pytest.mark.parametrize("rate", [10.0, 100.0, 2000.0])
def test_finish_closes_open_hold_once(impl, trace, rate):
    t, f = open_hold(trace, rate)
    det = impl(None)
    events = det.process(t, f)
    assert [e.kind for e in events] == ["contact", "hold_start"]
    assert det.holds == []
    closing = det.finish()
    assert not [e for e in closing if e.kind in ("release", "step", "hold_start", "contact")]
    assert len(det.holds) == 1
    hold = det.holds[0]
    assert hold.ended_by == "end_of_data"
    assert hold.start == events[1].t
    assert hold.end == t[-1], "an open hold ends at the last sample"
    assert hold.duration == pytest.approx(t[-1] - hold.start, abs=1e-12)
    assert hold.level == pytest.approx(20.0, rel=0.03)
    assert hold.mean == pytest.approx(20.0, rel=0.03)
    # A second finish() adds nothing, and neither does a third.
    assert det.finish() == []
    assert det.finish() == []
    assert len(det.holds) == 1


@pytest.mark.parametrize("rate", [10.0, 1000.0])
def test_finish_without_open_hold_adds_nothing(impl, trace, rate):
    t, f = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(4.0).release(0.3).rest(1.0).build(
        noise=0.03, seed=6)
    det = impl(None)
    events = det.process(t, f)
    assert [e.kind for e in events] == ["contact", "hold_start", "release"]
    assert [h.ended_by for h in det.holds] == ["release"]
    assert det.finish() == []
    assert [h.ended_by for h in det.holds] == ["release"]


def test_finish_on_fresh_detector(impl):
    det = impl(None)
    assert det.finish() == []
    assert det.holds == []
    det.process(np.array([0.0, 0.1]), np.array([math.nan, math.nan]))
    assert det.finish() == []
    assert det.holds == [] and det.ignored == 2


def test_finish_ignores_held_back_sample(impl, trace):
    """If the data ends on a suspect (held-back) sample, the open hold still closes at the last
    sample's time and only once."""
    t, f = open_hold(trace, 100.0)
    f = f.copy()
    f[-1] += 15.0
    det = impl(None)
    det.process(t, f)
    det.finish()
    det.finish()
    assert [h.ended_by for h in det.holds] == ["end_of_data"]
    assert det.holds[0].end in (t[-2], t[-1])
