"""The scorer's matching rules on hand-made cases, and its oracle self-test."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from firmware_sim import generate

_PATH = Path(__file__).resolve().parent.parent / "tools" / "score_detection.py"


def _load():
    spec = importlib.util.spec_from_file_location("score_detection", _PATH)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["score_detection"] = mod
    spec.loader.exec_module(mod)
    return mod


sd = _load()


@pytest.fixture(scope="module")
def trace():
    # Seed 7 has steps, drifts (band exits), a touch and a stroke.
    tr = generate(7, 100.0, 0.1, duration_s=120.0)
    kinds = {lab["kind"] for lab in tr.labels}
    assert {"hold", "step", "release", "band_exit", "touch", "stroke"} <= kinds
    return tr


def test_match_events_is_one_to_one_and_closest_first():
    assert sd.match_events([0.0, 1.0], [0.45, 0.9], 0.5) == [(0, 0), (1, 1)]
    assert sd.match_events([1.0], [0.9, 1.05], 0.5) == [(0, 1)]
    assert sd.match_events([1.0, 1.5], [1.25], 0.5) == [(0, 0)]  # tie → first true wins, once
    assert sd.match_events([1.0], [1.6], 0.5) == []
    assert sd.match_events([1.0], [1.1], 0.5, ["up"], ["down"]) == []
    assert sd.match_events([1.0], [1.1], 0.5, ["up"], ["up"]) == [(0, 0)]


def test_match_holds_needs_both_ends():
    truth = [{"start": 1.0, "end": 10.0}]
    assert sd.match_holds(truth, [{"start": 1.4, "end": 9.6}]) == [(0, 0)]
    assert sd.match_holds(truth, [{"start": 1.0, "end": 10.6}]) == []
    assert sd.match_holds(truth, [{"start": 0.4, "end": 10.0}]) == []


def test_oracle_scores_perfectly(trace):
    events, holds = sd.oracle_detection(trace.labels)
    s = sd.score_trace(trace.labels, events, holds, "oracle")
    for kind in sd.SCORED_KINDS:
        assert s[kind]["fn"] == 0 and s[kind]["fp"] == 0 and s[kind]["tp"] > 0, kind
    assert s["holds_in_touches"] == 0 and s["misses"] == []
    agg = sd.aggregate([s])
    for kind in sd.SCORED_KINDS:
        assert agg[kind]["f1"] == 1.0
    assert agg["release"]["latency_median"] == pytest.approx(0.05)
    assert agg["band_exit"]["latency_median"] == pytest.approx(0.15)
    assert agg["false_band_alerts_per_min"] == 0.0
    assert set(sd.goal_status(agg).values()) == {"PASS"}


def test_oracle_shifted_by_0_6_s_matches_nothing(trace):
    events, holds = sd.oracle_detection(trace.labels, shift=0.6)
    s = sd.score_trace(trace.labels, events, holds)
    for kind in sd.SCORED_KINDS:
        assert s[kind]["tp"] == 0, kind
    agg = sd.aggregate([s])
    assert agg["false_band_alerts_per_min"] > 0.1
    assert sd.goal_status(agg)["hold.f1"] == "MISS"


def test_release_tolerance_is_0_3_s(trace):
    events, holds = sd.oracle_detection(trace.labels)
    moved = [dict(e, t=e["t"] + 0.35) if e["kind"] == "release" else e for e in events]
    s = sd.score_trace(trace.labels, moved, holds)
    assert s["release"]["tp"] == 0 and s["step"]["fn"] == 0


def test_wrong_direction_fails(trace):
    flip = {"up": "down", "down": "up", "high": "low", "low": "high"}
    events, holds = sd.oracle_detection(trace.labels)
    wrong = [dict(e, direction=flip.get(e["direction"])) for e in events]
    s = sd.score_trace(trace.labels, wrong, holds)
    assert s["step"]["tp"] == 0 and s["band_exit"]["tp"] == 0
    assert s["release"]["fn"] == 0 and s["hold"]["fn"] == 0


def test_holds_in_touches_are_counted(trace):
    events, holds = sd.oracle_detection(trace.labels)
    stroke = next(lab for lab in trace.labels if lab["kind"] == "stroke")
    extra = [*holds, {"start": stroke["start"] + 0.2, "end": stroke["end"] - 0.2, "level": 10.0}]
    s = sd.score_trace(trace.labels, events, extra)
    assert s["holds_in_touches"] == 1 and s["hold"]["fp"] == 1


def test_false_alerts_per_minute_of_holding():
    labels = [{"kind": "hold", "start": 0.0, "end": 60.0, "level": 10.0, "ended_by": "release"},
              {"kind": "release", "t": 60.0, "t_end": 60.5}]
    events = [{"kind": "band_exit", "t": 30.0, "t_detected": 30.2, "direction": "high", "level": 10.0},
              {"kind": "release", "t": 60.1, "t_detected": 60.2, "direction": None, "level": None}]
    holds = [{"start": 0.1, "end": 60.1, "level": 10.0}]
    agg = sd.aggregate([sd.score_trace(labels, events, holds)])
    assert agg["false_band_alerts_per_min"] == pytest.approx(1.0)
    assert agg["band_exit"]["f1"] == 0.0 and agg["band_exit"]["precision"] == 0.0
    assert agg["band_exit"]["recall"] is None
    assert agg["release"]["latency_median"] == pytest.approx(0.2)


def test_baseline_runs_and_finds_holds(trace):
    events, holds = sd.baseline_threshold(trace.t, trace.force)
    s = sd.score_trace(trace.labels, events, holds)
    assert s["hold"]["tp"] >= 1
    assert s["holds_in_touches"] == 0


def test_report_renders_goals(trace):
    job = sd.Job(7, 100.0, 0.1, False, 120.0, "oracle")
    text, summary = sd.report([sd.run_job(job)], "self-test")
    assert "PASS" in text and "MISS" not in text
    assert set(summary["status"].values()) == {"PASS"}
    # Nothing to score is "n/a", not a miss.
    empty = sd.aggregate([sd.score_trace([], [], [])])
    assert sd.goal_status(empty)["band_exit.f1"] == "n/a"


def test_realdata_loader_converts_kgf(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("time,weight\n26.5,0.0\n26.6,10.0\n")
    t, f = sd.load_realdata(p)
    np.testing.assert_allclose(t, [26.5, 26.6])
    np.testing.assert_allclose(f, [0.0, 98.0665])
