"""Every consumer of the core follows its newer news: holds that end ``left`` (no event marks them), the
``moving`` state, releases that leave light contact, and steps whose new hold the band follows.

The core is not needed here: the listeners are driven directly with the Event and Hold objects (and
states) the core hands them, in the order the reader delivers them (samples, then the block's events,
then the holds the block finished). The dashboard's share is in tests/test_dashboard.py.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nmt_pressure import DetectorConfig
from nmt_pressure.analysis.batch import FileResult
from nmt_pressure.analysis.batchpage import render_html, summarize
from nmt_pressure.analysis.holdstats import hold_stats
from nmt_pressure.analysis.replay import Replayer
from nmt_pressure.analysis.report import format_holds, format_summary
from nmt_pressure.core.events import (
    ENDED_BY,
    STATE_CONTACT,
    STATE_HOLD,
    STATE_IDLE,
    STATE_MOVING,
    STATE_NAMES,
    Event,
    Hold,
)
from nmt_pressure.io.recording import write_recording
from nmt_pressure.link.calibration import Samples
from nmt_pressure.link.listeners import FanOut, Listener
from nmt_pressure.outputs.terminal_view import TerminalView
from nmt_pressure.practice.engine import DrillRun
from nmt_pressure.practice.live import DrillView
from nmt_pressure.practice.score import score_run
from nmt_pressure.practice.spec import parse_drill

RATE = 100.0


def block(t0: float, t1: float, force: float) -> Samples:
    """Samples from t0 (inclusive) to t1 (exclusive) at RATE, all at ``force``."""
    t = np.arange(round(t0 * RATE), round(t1 * RATE)) / RATE
    f = np.full(t.size, float(force))
    return Samples(t=t, force=f, raw=f, flags=np.zeros(t.size, dtype=np.int64), device_t_last=float(t[-1]),
                   filtered=f)


def hold(start: float, end: float, level: float, ended_by: str, confirmed: float | None = None) -> Hold:
    """A finished hold, told (its hold_start's ``t_detected``) at ``confirmed``: by default min_hold
    after its start, as the fakes' hold_start events are."""
    return Hold(start=start, end=end, level=level, mean=level, sd=0.1, cv=0.1 / level, duration=end - start,
                time_in_band=end - start, drift_per_s=0.0, ended_by=ended_by,
                confirmed=start + 1.5 if confirmed is None else confirmed)


def test_the_shared_state_names_cover_moving() -> None:
    assert STATE_NAMES == {STATE_IDLE: "idle", STATE_CONTACT: "contact", STATE_HOLD: "holding",
                           STATE_MOVING: "moving"}
    assert "left" in ENDED_BY


# --------------------------------------------------------------------------------------------------
# the terminal view
# --------------------------------------------------------------------------------------------------
def test_terminal_view_moving_left_and_a_release_that_keeps_light_contact() -> None:
    out = io.StringIO()
    view = TerminalView(out, live=False)
    view.on_samples(block(0.0, 1.0, 10.0), 10.0, STATE_CONTACT)
    view.on_event(Event("contact", 0.2, 0.25, None, 2.1))
    view.on_samples(block(1.0, 3.0, 20.0), 20.0, STATE_HOLD)
    view.on_event(Event("hold_start", 1.0, 2.5, None, 20.0))
    status = view.status_text()
    assert "holding" in status and "level 20.0 N" in status and status.endswith("in band")

    # A change inside the hold is being classified: no "in band" on the old level's terms.
    view.on_samples(block(3.0, 3.5, 24.0), 24.0, STATE_MOVING)
    status = view.status_text()
    assert "moving" in status.split()[2] and "hold" in status  # the hold goes on meanwhile
    assert "in band" not in status and status.endswith("moving")

    # An alert raised before stays while moving (until band_enter or the hold's end).
    view.on_samples(block(3.5, 4.0, 23.0), 23.0, STATE_HOLD)
    view.on_event(Event("band_exit", 3.6, 3.75, "high", 20.0))
    view.on_samples(block(4.0, 4.5, 28.0), 28.0, STATE_MOVING)
    assert view.status_text().endswith("TOO MUCH")

    # The force left the level and did not come back: the hold ended at the departure's onset, with
    # no event. The view drops the hold and says so in a line of its own. (Its start was dated again
    # once its level had settled, failure mode 65: it is the hold on show by when it was told.)
    view.on_samples(block(4.5, 5.5, 8.0), 8.0, STATE_CONTACT)
    view.on_hold(hold(1.3, 4.1, 20.0, "left", confirmed=2.5))
    status = view.status_text()
    assert "contact" in status and "hold" not in status and "TOO MUCH" not in status
    line = out.getvalue().splitlines()[-1]
    assert line.split()[:4] == ["4.100", "s", "hold_end", "left"] and "20.00 N" in line
    assert "(known +1.39 s later)" in line

    # A new hold later (no step), then a release that leaves the hand resting above the threshold.
    view.on_samples(block(5.5, 8.0, 12.0), 12.0, STATE_HOLD)
    view.on_event(Event("hold_start", 6.0, 7.5, None, 12.0))
    assert "level 12.0 N" in view.status_text() and view.status_text().endswith("in band")
    view.on_samples(block(8.0, 9.5, 3.0), 3.0, STATE_CONTACT)  # 3 N: above the 2 N threshold
    view.on_event(Event("release", 8.1, 9.4, None, 12.0))
    view.on_hold(hold(6.0, 8.1, 12.0, "release"))
    status = view.status_text()
    assert "contact" in status and "hold" not in status
    assert "hold_end" not in out.getvalue().splitlines()[-1]  # the release said it: no second line


def test_terminal_view_ends_the_hold_on_show_by_when_it_was_told() -> None:
    """A hold handed over while the state still says moving (its departure's block): the one on
    show is over if it is that hold, named by ``confirmed`` (its hold_start's ``t_detected``), even
    where its start was dated again later than the event's ``t`` (failure mode 65); another hold
    (the one a step or a departure ended before it) leaves it on show."""
    view = TerminalView(io.StringIO(), live=False)
    view.on_samples(block(0.0, 3.0, 20.0), 20.0, STATE_HOLD)
    view.on_event(Event("hold_start", 1.0, 2.5, None, 20.0))
    view.on_samples(block(3.0, 4.5, 28.0), 28.0, STATE_MOVING)
    view.on_hold(hold(0.2, 0.9, 15.0, "left", confirmed=0.8))  # an earlier hold: not this one
    assert view.hold_start == 1.0 and "hold" in view.status_text()
    view.on_hold(hold(1.3, 4.1, 20.0, "left", confirmed=2.5))
    assert view.hold_start is None and "hold " not in view.status_text()


def test_terminal_view_follows_the_new_level_after_a_slow_step() -> None:
    view = TerminalView(io.StringIO(), live=False)
    view.on_samples(block(0.0, 3.0, 20.0), 20.0, STATE_HOLD)
    view.on_event(Event("hold_start", 1.0, 2.5, None, 20.0))
    view.on_samples(block(3.0, 12.0, 26.0), 26.0, STATE_HOLD)
    view.on_event(Event("band_exit", 6.0, 6.15, "high", 20.0))  # the old band, during the change
    assert view.status_text().endswith("TOO MUCH")
    # step (onset of the change), band_enter, hold_start at the new level, all at one sample
    view.on_event(Event("step", 4.0, 12.0, "up", 26.0))
    view.on_event(Event("band_enter", 11.9, 12.0, None, 20.0))
    view.on_event(Event("hold_start", 9.0, 12.0, None, 26.0))
    view.on_hold(hold(1.0, 4.0, 20.0, "step"))  # the old hold: not the one on show any more
    view.on_samples(block(12.0, 13.0, 26.0), 26.0, STATE_HOLD)
    status = view.status_text()
    assert "level 26.0 N" in status and status.endswith("in band")
    assert "hold   4.0 s" in status  # counted from the new hold's onset (9 s)


def test_drill_view_says_moving_instead_of_in_band_during_a_hold() -> None:
    drill = parse_drill({"name": "x", "phase": [{"kind": "press", "target": 20.0},
                                                {"kind": "hold", "duration": 10.0},
                                                {"kind": "release"}]}, "x")
    run = DrillRun(drill)
    view = DrillView(run, io.StringIO(), live=False)
    fan = FanOut([view, run])
    fan.on_samples(block(0.0, 1.0, 0.5), 0.5, STATE_IDLE)
    assert "no contact" in view.status_text()
    fan.on_samples(block(1.0, 3.0, 20.0), 20.0, STATE_CONTACT)
    fan.on_event(Event("contact", 1.0, 1.05, None, 2.1))
    assert view.status_text().endswith("in band")  # pressing: the band is where to go
    fan.on_event(Event("hold_start", 2.0, 3.0, None, 20.0))
    fan.on_samples(block(3.0, 4.0, 20.0), 20.0, STATE_HOLD)
    assert run.prompt is not None and run.prompt.kind == "hold"
    assert "holding" in view.status_text() and view.status_text().endswith("in band")
    fan.on_samples(block(4.0, 4.5, 20.5), 20.5, STATE_MOVING)
    status = view.status_text()
    assert "moving" in status and "in band" not in status and status.endswith("moving")
    fan.on_samples(block(4.5, 5.0, 25.0), 25.0, STATE_MOVING)
    assert view.status_text().endswith("TOO MUCH")  # out of the band is out of the band
    run.abort()


# --------------------------------------------------------------------------------------------------
# the drill engine
# --------------------------------------------------------------------------------------------------
def play(run: DrillRun, *steps: tuple[Any, ...]) -> None:
    """Feed the run: ("s", t0, t1, force, state), ("e", Event), ("h", Hold)."""
    for s in steps:
        if s[0] == "s":
            run.on_samples(block(s[1], s[2], s[3]), s[3], s[4])
        elif s[0] == "e":
            run.on_event(s[1])
        else:
            run.on_hold(s[1])


PRESS_HOLD_RELEASE = {"name": "phr", "phase": [{"kind": "press", "target": 20.0},
                                               {"kind": "hold", "duration": 10.0},
                                               {"kind": "release"}]}


def test_a_hold_that_left_ends_its_hold_phase_short_and_the_hand_coming_off_releases() -> None:
    """A fixed-duration hold whose hold ends "left" after 4 s is short (like an early step or
    release), at the departure's onset; the drill goes on to the release, which is done when the hand
    comes off (a contact that lost its hold ends without a release event)."""
    run = DrillRun(parse_drill(PRESS_HOLD_RELEASE, "phr"))
    play(run,
         ("s", 0.0, 1.0, 0.0, STATE_IDLE),
         ("s", 1.0, 2.0, 15.0, STATE_CONTACT), ("e", Event("contact", 1.1, 1.15, None, 2.1)),
         ("s", 2.0, 3.5, 20.0, STATE_HOLD), ("e", Event("hold_start", 2.0, 3.5, None, 20.0)),
         ("s", 3.5, 6.0, 20.0, STATE_HOLD),
         ("s", 6.0, 7.2, 9.0, STATE_MOVING))  # left the level at 6.0 s
    hold_rec = run.records[1]
    assert hold_rec.phase.kind == "hold" and hold_rec.status == "open"  # moving decides nothing yet
    # (its start dated again once its level had settled, failure mode 65: the hold of the phase by
    # when it was told, its time held from the onset the drill timed)
    play(run, ("s", 7.2, 7.5, 9.0, STATE_CONTACT), ("h", hold(2.3, 6.0, 20.0, "left", confirmed=3.5)))
    assert (hold_rec.status, hold_rec.end, hold_rec.note) == ("short", 6.0, "left the level after 4.0 s")
    rel = run.records[2]
    assert rel.phase.kind == "release" and rel.status == "open" and rel.start == 6.0
    assert run.prompt is not None and run.prompt.kind == "release"
    play(run, ("s", 7.5, 9.0, 5.0, STATE_CONTACT))  # light contact: not off the cell yet
    assert rel.status == "open"
    play(run, ("s", 9.0, 10.0, 0.5, STATE_IDLE))
    assert (rel.status, rel.note) == ("done", "off the cell") and run.completed
    card = score_run(run)
    assert card.holds[0].status == "short" and card.holds[0].achieved_s == pytest.approx(4.0)
    assert card.components["hold_duration"] == pytest.approx(40.0)


def test_a_hold_until_it_gives_that_left_after_its_minimum_is_done_and_the_step_follows() -> None:
    """TPPR-style: a min/max hold that ends "left" after its minimum is done; the step phase that follows
    is completed by the next hold that forms (no step event), its approach dated from the departure."""
    doc = {"name": "t", "phase": [{"kind": "press"},
                                  {"kind": "hold", "min_duration": 3.0, "max_duration": 30.0},
                                  {"kind": "step"}, {"kind": "hold", "duration": 2.0}, {"kind": "release"}]}
    run = DrillRun(parse_drill(doc, "t"))
    play(run,
         ("s", 0.0, 1.0, 0.0, STATE_IDLE),
         ("s", 1.0, 2.0, 15.0, STATE_CONTACT), ("e", Event("contact", 1.1, 1.15, None, 2.1)),
         ("s", 2.0, 3.5, 20.0, STATE_HOLD), ("e", Event("hold_start", 2.0, 3.5, None, 20.0)),
         ("s", 3.5, 7.0, 20.0, STATE_HOLD),
         ("s", 7.0, 8.5, 30.0, STATE_CONTACT), ("h", hold(2.0, 7.0, 20.0, "left")))
    first, step = run.records[1], run.records[2]
    assert (first.status, first.end, first.note) == ("done", 7.0, "")
    assert step.phase.kind == "step" and step.status == "open"
    play(run, ("s", 8.5, 10.5, 27.0, STATE_HOLD), ("e", Event("hold_start", 9.0, 10.5, None, 27.0)))
    assert (step.status, step.end, step.ramp_start) == ("done", 9.0, 7.0)
    second = run.records[3]
    assert second.phase.kind == "hold" and second.hold_onset == 9.0 and second.level == 27.0
    run.abort()


def test_holds_already_told_by_their_event_change_nothing() -> None:
    """on_hold of a hold that ended in a step (after the new hold's hold_start) or a release leaves
    the run alone: only a hold still in progress can end "left"."""
    doc = {"name": "s", "phase": [{"kind": "press", "target": 20.0}, {"kind": "hold", "duration": 3.0},
                                  {"kind": "step", "target": 26.0}, {"kind": "hold", "duration": 5.0},
                                  {"kind": "release"}]}
    run = DrillRun(parse_drill(doc, "s"))
    play(run,
         ("s", 0.0, 1.0, 0.0, STATE_IDLE),
         ("s", 1.0, 2.0, 15.0, STATE_CONTACT), ("e", Event("contact", 1.1, 1.15, None, 2.1)),
         ("s", 2.0, 3.5, 20.0, STATE_HOLD), ("e", Event("hold_start", 2.0, 3.5, None, 20.0)),
         ("s", 3.5, 12.0, 26.0, STATE_HOLD),  # a slow step: the hold phase was done at 5 s
         ("e", Event("step", 6.0, 12.0, "up", 26.0)), ("e", Event("hold_start", 9.0, 12.0, None, 26.0)),
         ("h", hold(2.0, 6.0, 20.0, "step")))
    kinds = [(r.phase.kind, r.status) for r in run.records]
    assert kinds == [("press", "done"), ("hold", "done"), ("step", "done"), ("hold", "open")]
    assert run.records[2].ramp_start == 6.0 and run.records[3].hold_onset == 9.0
    play(run, ("s", 12.0, 12.5, 26.0, STATE_HOLD))
    assert run.records[3].status == "open"
    play(run, ("s", 12.5, 13.3, 2.5, STATE_CONTACT), ("e", Event("release", 12.5, 13.2, None, 26.0)),
         ("h", hold(9.0, 12.5, 26.0, "release", confirmed=12.0)))
    assert [(r.phase.kind, r.status) for r in run.records[3:]] == [("hold", "short"), ("release", "done")]
    assert run.records[3].note == "release after 3.5 s" and run.completed


# --------------------------------------------------------------------------------------------------
# the sources hand every finished hold to their listeners
# --------------------------------------------------------------------------------------------------
class Order(Listener):
    def __init__(self) -> None:
        self.seen: list[tuple[str, Any]] = []

    def on_event(self, event: Event) -> None:
        self.seen.append(("event", event))

    def on_hold(self, hold: Hold) -> None:
        self.seen.append(("hold", hold))


def test_a_replay_hands_each_finished_hold_once_after_its_events(tmp_path: Path, trace: Any) -> None:
    t, f = (trace(rate=200.0).rest(1.0).ramp(20.0, 1.0).hold(4.0).step(0.4, 0.5).hold(4.0)
            .release(0.4).rest(1.0).ramp(15.0, 1.0).hold(3.0).build(seed=2))
    path = tmp_path / "r.csv"
    write_recording(path, t, f)
    got = Order()
    rep = Replayer(path, got, speed=None)
    rep.start()
    rep.join(30)
    rep.finish()
    rep.finish()  # twice: nothing more
    holds = [x for k, x in got.seen if k == "hold"]
    assert holds == rep.detector.holds and len(holds) >= 3 and holds[-1].ended_by == "end_of_data"
    for i, (kind, x) in enumerate(got.seen):
        if kind == "hold":  # after the event that began it, and after the one that ended it if any
            before = [e for k, e in got.seen[:i] if k == "event"]
            assert any(e.kind == "hold_start" and e.t_detected == x.confirmed for e in before)
            if x.ended_by in ("step", "release"):
                assert any(e.kind == x.ended_by and e.t == x.end for e in before)


# --------------------------------------------------------------------------------------------------
# reports
# --------------------------------------------------------------------------------------------------
LEFT_HOLDS = [hold(3.0, 9.0, 20.0, "left"), hold(12.0, 16.0, 14.0, "release")]


def test_the_report_tables_list_left() -> None:
    rows = format_holds(LEFT_HOLDS)
    assert rows[0].split()[-2:] == ["ended", "by"]
    assert rows[1].split()[-1] == "left" and rows[2].split()[-1] == "release"
    events = [Event("contact", 2.0, 2.05, None, 2.1), Event("hold_start", 3.0, 4.5, None, 20.0),
              Event("hold_start", 12.0, 13.5, None, 14.0), Event("release", 16.0, 16.6, None, 14.0)]
    line = format_summary(events, LEFT_HOLDS)
    assert line.startswith("summary: 2 holds (10.0 s held)") and "1 release, 1 hold left," in line
    assert "left" not in format_summary(events, LEFT_HOLDS[1:])  # named only when there are any


def test_a_hold_after_a_departure_in_the_same_contact_has_no_ramp() -> None:
    t = np.arange(0.0, 18.0, 0.01)
    y = np.interp(t, [0, 2, 3, 9, 10, 12, 16, 16.5], [0, 0, 20, 20, 8, 14, 14, 0])
    events = [Event("contact", 2.1, 2.15, None, 2.1), Event("hold_start", 3.0, 4.5, None, 20.0),
              Event("hold_start", 12.0, 13.5, None, 14.0), Event("release", 16.0, 16.6, None, 14.0)]
    first, second = hold_stats(t, y, events, LEFT_HOLDS, DetectorConfig(sample_rate=100.0))
    assert first.ramp_start == 2.1 and first.hold.ended_by == "left"
    assert math.isnan(second.ramp_start) and math.isnan(second.loading_rate_n_per_s)
    assert second.to_dict()["ended_by"] == "release"


def test_the_batch_page_counts_holds_that_left() -> None:
    rows = [{"ended_by": h.ended_by, "duration": h.duration, "time_in_band": h.time_in_band, "cv": h.cv,
             "time_in_band_pct": 100.0, "rmse_n": 0.1, "excursions": 0, "loading_rate_n_per_s": 5.0}
            for h in LEFT_HOLDS]
    res = FileResult(source="a.csv", stem="a", ok=True, format="nmt_pressure", holds=rows,
                     event_counts={"release": 1, "hold_start": 2}, config=DetectorConfig().to_dict())
    summary = summarize([res])
    assert summary["holds_ended_by"] == {"step": 0, "release": 1, "left": 1, "end_of_data": 0}
    page = render_html([res], summary, None)
    assert "2 holds in all (ended 1 by release, 1 by left)" in page
    table = page[page.index("<th class=\"name\">file</th>"):]
    heads = table[:table.index("</tr>")].split("</th>")
    row = table[table.index("a.csv"):]
    cells = row[:row.index("</tr>")].split("</td>")
    assert heads[-5:-3] == ["<th>steps", "<th>releases"] and heads[-3].endswith(">left")
    assert cells[-5:-2] == ["<td>0", "<td>1", "<td>1"]  # steps, releases, left


def test_the_figure_marks_where_a_hold_left(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nmt_pressure.analysis import figures

    made: list[Any] = []
    new_figure = figures._new_figure

    def keep(*a: Any, **k: Any) -> Any:
        made.append(new_figure(*a, **k))
        return made[-1]

    monkeypatch.setattr(figures, "_new_figure", keep)
    t = np.arange(0.0, 18.0, 0.01)
    y = np.interp(t, [0, 2, 3, 9, 10, 12, 16, 16.5], [0, 0, 20, 20, 8, 14, 14, 0])
    out = figures.draw_recording(tmp_path / "f.png", t, y, y, [], LEFT_HOLDS,
                                 DetectorConfig(sample_rate=100.0), "x")
    assert out.stat().st_size > 0
    ax = made[0].axes[0]
    labels = [x.get_text() for x in ax.get_legend().get_texts()]
    assert "hold left its level" in labels and labels.count("hold") == 1
    left_lines = [ln for ln in ax.get_lines() if ln.get_label() == "hold left its level"]
    assert len(left_lines) == 1 and list(left_lines[0].get_xdata()) == [9.0, 9.0]
