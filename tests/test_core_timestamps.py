"""Repeated timestamps: samples that share one stamp are real samples whose time is not yet known.

A host that stamps a whole batch with its arrival time (a USB or Bluetooth bridge that delivers 100-250 ms
at once), a millisecond clock read faster than 1 kHz, a CSV whose time column is rounded: the core keeps
such a run and spreads it evenly up to the next stamp, so nothing is dropped and the detection sees the
true rate, one batch late.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.core.golden import constants as spec


def of(events, kind):
    return [e for e in events if e.kind == kind]


def session(trace, rate: float):
    tr = trace(rate=rate).rest(1.0).ramp(20.0, 1.0).hold(6.0).step(0.3, 0.8, mark="step").hold(6.0)
    tr = tr.step(-0.15, 1.0).hold(4.0).release(0.3, mark="drop").rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.01, seed=21)
    return tr, t, f


def batched(t: np.ndarray, batch: float) -> np.ndarray:
    """Every sample stamped with the end of the batch it arrived in."""
    return t[0] + np.ceil((t - t[0]) / batch - 1e-9) * batch


@pytest.mark.parametrize("batch", [0.1, 0.25])
def test_batch_stamped_stream_gives_the_same_holds_one_batch_late(impl, trace, run_trace, invariants,
                                                                   batch):
    tr, t, f = session(trace, 100.0)
    tb = batched(t, batch)
    assert np.unique(tb).size < t.size / 5  # the test really repeats stamps
    cfg = DetectorConfig(sample_rate=100.0, target=20.0)
    ref_events, ref_holds, _ = run_trace(impl, t, f, cfg)
    events, holds, det = run_trace(impl, tb, f, cfg)
    invariants(events, holds, tb)
    # Only the last batch, which no later stamp places, is not fed.
    assert det.samples + det.ignored == t.size and det.ignored == np.sum(tb == tb[-1]) - 1
    assert [e.kind for e in events] == [e.kind for e in ref_events]
    assert [h.ended_by for h in holds] == [h.ended_by for h in ref_holds] == ["step", "step", "release"]
    for a, b in zip(holds, ref_holds, strict=True):
        assert abs(a.start - b.start) <= batch + 0.05 and abs(a.end - b.end) <= batch + 0.05
        assert a.mean == pytest.approx(b.mean, rel=0.01)
    step = of(events, "step")[0]
    assert abs(step.t - tr.marks["step"][0]) <= 0.5 + batch


def packets(t: np.ndarray, size: int, apart: float = 1.5e-5) -> np.ndarray:
    """Every packet of ``size`` samples stamped as a host parses it on arrival: its lines a few
    microseconds apart, from when its last sample arrived."""
    idx = np.arange(t.size)
    first = idx - idx % size
    last = np.minimum(first + size - 1, t.size - 1)
    return t[last] + (idx - first) * apart


def eased(trace, rate: float):
    """A hold, an ease of 40 % over 3 s held 5 s (a slow step), a fast step back, a release."""
    tr = trace(rate=rate).rest(1.0).ramp(40.0, 1.0).hold(6.0).step(0.4, 3.0, mark="ease").hold(5.0)
    tr = tr.step(-0.28, 0.5, mark="back").hold(4.0).release(0.3).rest(1.0)
    t, f = tr.build(noise=0.03, tremor=0.005, seed=5)
    return tr, t, f


@pytest.mark.parametrize(("rate", "size"), [(138.0, 12), (100.0, 10), (250.0, 25), (1000.0, 120)])
def test_a_packet_stamped_line_by_line_on_arrival_is_a_batch(impl, trace, run_trace, invariants,
                                                           rate, size):
    # A host that stamps each line of a packet as it parses it (time.time() per line) gives a packet
    # stamps microseconds apart, then nothing for the packet's length. Taken at those stamps, ticks
    # lay a packet apart and no slow step's 3-s window was ever judged steady (failure mode 58):
    # the same samples spread over the packet find the same events as the device's own clock.
    tr, t, f = eased(trace, rate)
    tp = packets(t, size)
    assert np.all(np.diff(tp) > 0.0)  # no stamp repeats: these are not equal-stamp runs
    events, holds, det = run_trace(impl, tp, f)
    ref_events, ref_holds, _ = run_trace(impl, t, f)
    invariants(events, holds, tp)
    assert det.samples + det.ignored == t.size and det.ignored < size
    assert [(e.kind, e.direction) for e in events] == [(e.kind, e.direction) for e in ref_events]
    assert [h.ended_by for h in holds] == ["step", "step", "release"]
    up, down = of(events, "step")
    assert up.direction == "up" and abs(up.t - tr.marks["ease"][0]) <= 1.0
    assert down.direction == "down" and abs(down.t - tr.marks["back"][0]) <= 0.5
    # ... and is told as soon, a packet late at most: it is judged on the same ticks.
    packet = size / rate
    assert abs(up.t_detected - of(ref_events, "step")[0].t_detected) <= packet + 0.1
    for a, b in zip(holds, ref_holds, strict=True):
        assert abs(a.start - b.start) <= packet + 0.05 and abs(a.end - b.end) <= packet + 0.05
        assert a.level == pytest.approx(b.level, rel=0.01)


def test_a_millisecond_clock_at_2_khz_loses_nothing(impl, trace, run_trace, invariants):
    _, t, f = session(trace, 2000.0)
    tm = np.floor(t * 1000.0) / 1000.0
    assert np.unique(tm).size < 0.6 * t.size
    events, holds, det = run_trace(impl, tm, f)
    ref_events, ref_holds, _ = run_trace(impl, t, f)
    invariants(events, holds, tm)
    assert det.samples + det.ignored == t.size and det.ignored <= 1
    assert [e.kind for e in events] == [e.kind for e in ref_events]
    for a, b in zip(holds, ref_holds, strict=True):
        assert abs(a.start - b.start) <= 0.01 and abs(a.end - b.end) <= 0.01


@pytest.mark.parametrize("stamps", ["batched", "packets"])
def test_both_cores_agree_and_chunks_may_cut_a_run(golden, compiled, trace, run_trace, same_events,
                                                 same_holds, stamps):
    _, t, f = session(trace, 100.0)
    tb = batched(t, 0.25) if stamps == "batched" else packets(t, 12)
    g_events, g_holds, _ = run_trace(golden, tb, f)
    c_events, c_holds, _ = run_trace(compiled, tb, f)
    same_events(g_events, c_events)
    same_holds(g_holds, c_holds)
    # Cut inside runs, and feed some samples one at a time through push.
    det = compiled(DetectorConfig())
    out = []
    cuts = [0, 7, 13, 500, 501, 1111, t.size]
    for a, b in itertools.pairwise(cuts):
        if b - a == 1:
            out += det.push(tb[a], f[a])
        else:
            out += det.process(tb[a:b], f[a:b])
    out += det.finish()
    same_events(g_events, out)
    same_holds(g_holds, det.holds)


def test_a_run_beyond_its_cap_or_before_a_silence_is_counted_not_fed(impl):
    det = impl(DetectorConfig(sample_rate=100.0))
    det.process(np.arange(20) * 0.01, np.full(20, 10.0))
    t_run = np.full(spec.REPEAT_CAP + 5, 0.2)
    det.process(t_run, np.full(t_run.size, 10.0))
    det.process(np.array([0.21]), np.array([10.0]))
    assert det.ignored == 4  # the first of the run was fed at its own stamp, REPEAT_CAP waited, 4 over
    assert det.samples == 20 + 1 + spec.REPEAT_CAP + 1
    # A run whose next stamp comes after a silence longer than REPEAT_SPAN has no time to be spread over.
    det.process(np.full(4, 0.22), np.full(4, 10.0))
    det.process(np.array([0.22 + spec.REPEAT_SPAN + 0.5]), np.array([10.0]))
    assert det.ignored == 4 + 3


@pytest.mark.parametrize(("rate", "batch"), [(100.0, 0.1), (1000.0, 0.25), (2000.0, 0.001)])
def test_the_rate_estimate_counts_samples_that_share_a_stamp(rate, batch):
    from nmt_pressure.core.detector import estimate_sample_rate

    t = np.arange(0.0, 30.0, 1.0 / rate)
    stamped = batched(t, batch)
    assert np.unique(stamped).size < t.size  # the runs are really there
    assert estimate_sample_rate(t) == pytest.approx(rate, rel=1e-6)
    # The batch rate (1/batch) is what counting only distinct stamps gave.
    assert estimate_sample_rate(stamped) == pytest.approx(rate, rel=0.02)


def test_the_filtered_noise_factor_is_taken_once_per_rate_and_follows_a_new_one():
    """Times a host or a CSV rounds (k / 1000 s) jitter the tick's mean interval in its last bits on
    every tick; the filtered noise's bandwidth factor (a square root) is taken again only when that
    interval has moved by more than a millionth, as the filter's gain is - and it still follows the
    stream to a new rate. (Golden model: the compiled twin does the same arithmetic, which the
    equivalence tests hold it to.)"""
    from nmt_pressure.core.golden import Detector

    det = Detector(DetectorConfig(sample_rate=1000.0))
    t = np.concatenate([np.arange(20_000) / 1000.0, 20.0 + np.arange(1, 10_001) / 500.0])
    f = 10.0 + 0.5 * np.sin(2.0 * np.pi * 0.3 * t)  # smooth: no sample held back as a spike
    ticks = 0
    taken: list[float] = []  # the times the factor was taken again
    for ti, fi in zip(t, f, strict=True):
        before_c, before_n = det.dt_avg_c, det.n
        det.push(float(ti), float(fi))
        ticks += det.n != before_n
        if det.dt_avg_c != before_c:
            taken.append(float(ti))
    # (Before, nearly every tick took it: the mean interval converges but keeps moving in its last
    # bits.) A tick every tick period, over the 40 s:
    assert ticks > 0.95 * 40.0 / DetectorConfig().tick
    assert 0 < len(taken) < 0.1 * ticks
    assert any(ti > 20.0 for ti in taken)  # ... and it followed the new rate
    tau = spec.TAU_PER_CUTOFF / DetectorConfig().lowpass_hz
    assert det.sqrt_c == pytest.approx(np.sqrt(min(0.002 / (4.0 * tau), 1.0)), rel=1e-5)
