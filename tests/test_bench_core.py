"""tools/bench_core.py: the inputs it times are the ones it names (a benchmark, so no timings here)."""

from __future__ import annotations

import numpy as np
import pytest
from toolmods import load_tool

from nmt_pressure.core.detector import IMPLEMENTATION

bench = load_tool("bench_core")


@pytest.mark.parametrize(("stamps", "rate", "run", "lag"),
                         [("batch", 1000.0, 20, (0.0, 0.02)), ("ms", 2000.0, 2, (-0.001, 0.0))])
def test_batched_and_millisecond_stamps_repeat_in_runs_of_the_samples_they_hold(stamps, rate, run, lag):
    t, _ = bench.session_like(20_000, rate)
    s = bench.restamp(t, stamps)
    # in order; a batch stamped at its end (late), a millisecond clock truncated (early)
    assert np.all(np.diff(s) >= 0.0) and np.all((s - t >= lag[0] - 1e-12) & (s - t <= lag[1] + 1e-12))
    _, counts = np.unique(s, return_counts=True)
    assert np.median(counts) == run


def test_a_millisecond_clock_repeats_no_stamp_at_1_khz():
    t, _ = bench.session_like(100_000, 1000.0)
    assert np.all(np.diff(bench.restamp(t, "ms")) > 0.0)


def test_stuck_stamps_repeat_the_one_before_in_one_sample_of_ten():
    t, _ = bench.session_like(50_000, 1000.0)
    s = bench.restamp(t, "stuck")
    same = np.diff(s) == 0.0
    assert 0.08 < same.mean() < 0.12
    assert np.array_equal(s[1:][~same], t[1:][~same])  # the others keep their own
    assert bench.restamp(t, "own") is t


@pytest.mark.skipif(IMPLEMENTATION != "cython", reason="the benchmark needs the compiled core")
def test_the_benchmark_runs_on_repeated_stamps_and_says_so(capsys):
    assert bench.main(["--samples", "20000", "--repeat", "1", "--stamps", "batch", "--model-samples",
                       "2000", "--push-samples", "2000"]) == 0
    out = capsys.readouterr().out
    assert "stamps batch, 95% of stamps repeated" in out and "ratio to sosfilt" in out
