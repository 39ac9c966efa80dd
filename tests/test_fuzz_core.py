"""``tools/fuzz_core.py``: its rule checker catches each kind of broken output, and a bounded run
of it (every variant, the golden model on some) passes as a real process. The long run is
``python tools/fuzz_core.py --cases 60000``; ``test_core_rules`` runs its hands on both cores."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from toolmods import load_tool

from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.core.events import Event, Hold

FUZZ = load_tool("fuzz_core")
CFG = DetectorConfig()
TOOL = Path(__file__).resolve().parent.parent / "tools" / "fuzz_core.py"
T = np.arange(0.0, 20.0, 0.01)


def hold(start: float, end: float, ended_by: str = "release") -> Hold:
    return Hold(start=start, end=end, level=20.0, mean=20.0, sd=0.1, cv=0.005, duration=end - start,
                time_in_band=end - start, drift_per_s=0.0, ended_by=ended_by, confirmed=start + 1.5)


def ev(kind: str, t: float, told: float, direction: str | None = None) -> Event:
    return Event(kind, t, told, direction, 20.0)


GOOD = ([ev("contact", 1.0, 1.01), ev("hold_start", 1.5, 3.0), ev("band_exit", 4.0, 4.2, "high"),
         ev("step", 6.0, 8.0, "up"), ev("hold_start", 6.5, 8.0), ev("release", 12.0, 12.3)],
        [hold(1.5, 6.0, "step"), hold(6.5, 12.0)])


def test_a_sound_output_breaks_no_rule():
    assert FUZZ.broken_rules(T, *GOOD, CFG) == []


@pytest.mark.parametrize("events_at, holds_at, expect", [
    # which events and holds of GOOD to replace, with what -> the words of the complaint
    ({5: ev("release", 12.5, 12.3)}, {}, "dated 12.500 s, told at 12.300 s"),
    ({2: ev("band_exit", 4.0, 13.0, "high")}, {}, "out of order"),
    ({5: ev("band_exit", 12.1, 12.2, "high")}, {}, "outside its hold"),
    ({}, {1: hold(5.5, 12.0)}, "holds overlap"),
    ({3: ev("step", 2.5, 8.0, "up")}, {0: hold(1.5, 2.5, "step")}, "a 1.000-s hold"),  # step and end move
    ({}, {1: replace(hold(6.5, 12.0), time_in_band=6.0)}, "6.000 s in band of 5.500 s"),
])
def test_each_broken_rule_is_named(events_at, holds_at, expect):
    events = [events_at.get(i, e) for i, e in enumerate(GOOD[0])]
    holds = [holds_at.get(i, h) for i, h in enumerate(GOOD[1])]
    broke = FUZZ.broken_rules(T, events, holds, CFG)
    assert any(expect in b for b in broke), broke


def test_a_band_enter_dated_before_the_exit_it_clears_is_named():
    """An excursion of negative length (the stop-53 cores: a drift's exit told where its trend
    crossed the edge, after the moment the force came back in, or a slow step's enter dated at the
    new hold's start before the exit raised while easing onto it)."""
    before = [*GOOD[0][:3], ev("band_enter", 3.9, 4.8), *GOOD[0][3:]]
    broke = FUZZ.broken_rules(T, before, GOOD[1], CFG)
    assert any("before the band_exit it clears (4.000 s)" in b for b in broke), broke
    after = [*GOOD[0][:3], ev("band_enter", 4.1, 4.8), *GOOD[0][3:]]
    assert FUZZ.broken_rules(T, after, GOOD[1], CFG) == []


def test_a_hold_short_only_because_of_a_silence_is_allowed():
    t = np.concatenate([np.arange(0.0, 7.0, 0.01), np.arange(9.0, 20.0, 0.01)])  # 2 s missing
    events, holds = list(GOOD[0]), [hold(1.5, 6.0, "step"), hold(6.5, 7.5)]
    events[5] = ev("release", 7.5, 12.3)
    assert FUZZ.broken_rules(t, events, holds, CFG) == []
    assert FUZZ.broken_rules(T, events, holds, CFG) != []  # the same without the silence is not


def test_cases_are_made_from_their_index_alone():
    a, b = FUZZ.make_case(7), FUZZ.make_case(7)
    assert a[0] == b[0] and np.array_equal(a[1], b[1]) and np.array_equal(a[2], b[2]) and a[3] == b[3]
    assert {FUZZ.make_case(i)[0] for i in range(12)} == set(FUZZ.VARIANTS)


def test_a_bounded_run_passes():
    done = subprocess.run([sys.executable, str(TOOL), "--cases", "60", "--golden", "6", "--jobs", "1"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "60 cases (plain 10, silence 10, target 10" in done.stdout, done.stdout
    assert "10 also on the golden model" in done.stdout and "0 case(s) broke a rule" in done.stdout


def test_one_case_prints_its_events_and_verdict():
    done = subprocess.run([sys.executable, str(TOOL), "--case", "3"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "case 3 (irregular)" in done.stdout and "all rules hold" in done.stdout
    assert "hold_start" in done.stdout


def test_a_release_of_a_contact_that_never_held_is_named():
    events = [ev("contact", 1.0, 1.01), ev("release", 3.0, 3.2)]
    assert any("ends no contact that held" in b for b in FUZZ.broken_rules(T, events, [], CFG))
    twice = [*GOOD[0], ev("release", 12.5, 12.8)]
    assert any("ends no contact that held" in b for b in FUZZ.broken_rules(T, twice, GOOD[1], CFG))


def test_an_event_dated_before_the_history_is_named():
    """The core dates onsets back over its history: one told later than that after its onset was
    dated from what the history no longer held."""
    cfg = DetectorConfig(slow_step_max=2.0, slow_step_hold=1.0, min_hold=0.1, leave_time=0.5)
    assert cfg.history_seconds == pytest.approx(10.6)
    events = [*GOOD[0][:5], ev("release", 6.6, 18.2)]
    holds = [GOOD[1][0], hold(6.5, 6.6)]
    broke = FUZZ.broken_rules(T, events, holds, cfg)
    assert any("release dated 6.600 s, told 11.6 s later: past the 10.6-s history" in b for b in broke), broke
    assert not FUZZ.broken_rules(T, [*events[:5], ev("release", 6.6, 17.0)], holds, cfg)
