"""Practice drills offline: definitions, playing them through the core over scripted hands, score cards,
and the practice history database (migrations, export).

The hands are firmware_sim scripts rendered offline (the same hand model the simulator process plays);
tests/test_drills_live.py plays drills against the simulator process itself.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import numpy as np
import pytest

from firmware_sim.scenarios import build_script, load_script, script_planner
from nmt_pressure.practice import (
    DrillError,
    available_drills,
    find_drill,
    load_drill,
    play_offline,
    score_run,
)
from nmt_pressure.practice.history import MIGRATIONS, SCHEMA_VERSION, History, HistoryError
from nmt_pressure.practice.spec import parse_drill


def hand(tmp_path: Path, text: str, rate: float = 200.0, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Force of a scripted hand read by a quiet sensor."""
    path = tmp_path / "hand.txt"
    path.write_text(text)
    steps = load_script(path)
    build_script(steps)  # raises for impossible scripts
    plan = script_planner(steps)(seed)
    t = np.arange(0.0, plan.duration, 1.0 / rate)
    return t, plan.hand.force(t) + np.random.default_rng(seed).normal(0.0, 0.05, t.size)


GOOD_CONSISTENCY = "idle 2\n" + "ramp 2.8 to 30\nhold 16\nrelease 1\nidle 11\n" * 5
#: Too fast, too hard, too short.
BAD_CONSISTENCY = "idle 2\n" + "ramp 0.6 to 36\nhold 9\nrelease 0.3\nidle 11\n" * 5
GOOD_ALTERNATING = ("idle 2\nramp 1.5 to 20\nhold 11.5\nstep 1.2 to 40\nhold 11.5\nstep 1.2 to 20\n"
                    "hold 11.5\nstep 1.2 to 40\nhold 11.5\nrelease 1\nidle 3\n")
#: Slow loading (6 s to the first barrier), steps of about 1 s when the tissue gives.
GOOD_TPPR = ("idle 2\nramp 6 to 25\nhold 14\nstep 1.2 to 31\nhold 12\nstep 1.2 to 38\nhold 16\n"
             "release 2\nidle 3\n")


# --------------------------------------------------------------------------------------------------
# definitions
# --------------------------------------------------------------------------------------------------

def test_bundled_drills_load_and_unroll() -> None:
    drills, problems = available_drills()
    assert problems == []
    assert {"consistency", "tppr", "alternating"} <= set(drills)
    c = drills["consistency"]
    assert c.repeat == 5 and len(c.plan) == 20
    assert [p.kind for p in c.phases] == ["press", "hold", "release", "rest"]
    assert c.phases[0].target == 30.0 and c.phases[1].duration == 15.0 and c.phases[0].tolerance == 0.10
    assert drills["tppr"].phases[1].min_duration == 10.0 and drills["tppr"].phases[0].target is None


VALID = {"name": "x", "phase": [{"kind": "press", "target": 20.0}, {"kind": "hold", "duration": 5.0},
                                 {"kind": "release"}]}


@pytest.mark.parametrize("change, needle", [
    ({"repeat": 0}, "repeat must be a whole number"),
    ({"name": "two words"}, "name must be one word"),
    ({"phase": []}, "at least one [[phase]]"),
    ({"color": "red"}, "unknown key 'color'"),
    ({"phase": [{"kind": "jump"}]}, "kind must be one of"),
    ({"phase": [{"kind": "press", "target": -3}, {"kind": "release"}]}, "target must lie above 0"),
    ({"phase": [{"kind": "press", "target": 20, "tolerance": 0.9}, {"kind": "release"}]}, "tolerance"),
    ({"phase": [{"kind": "press"}, {"kind": "hold"}, {"kind": "release"}]}, "either duration"),
    ({"phase": [{"kind": "press"}, {"kind": "hold", "min_duration": 9, "max_duration": 5},
                {"kind": "release"}]}, "below min_duration"),
    ({"phase": [{"kind": "hold", "duration": 5}, {"kind": "release"}]}, "needs contact"),
    ({"phase": [{"kind": "press"}, {"kind": "press"}, {"kind": "release"}]}, "needs the hand off"),
    ({"phase": [{"kind": "press"}, {"kind": "hold", "duration": 5}]}, "ends in contact"),
    ({"phase": [{"kind": "press"}, {"kind": "step", "by": 0.2, "target": 30}, {"kind": "release"}]},
     "not both"),
    ({"phase": [{"kind": "press", "duration": "long"}, {"kind": "release"}]}, "duration must be a number"),
    ({"phase": [{"kind": "press"}, {"kind": "release"}, {"kind": "rest"}]}, "rest needs a duration"),
    ({"defaults": {"kind": "hold"}}, "cannot set kind"),
])
def test_bad_drills_are_one_sentence(change: dict, needle: str) -> None:
    doc = {**VALID, **change}
    with pytest.raises(DrillError) as err:
        parse_drill(doc, "x", "my.toml")
    msg = str(err.value)
    assert needle in msg and msg.startswith("my.toml") and "\n" not in msg


def test_toml_errors_and_user_drills(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("name = \n")
    with pytest.raises(DrillError, match="not valid TOML"):
        load_drill(broken)
    (tmp_path / "consistency.toml").write_text(
        'title = "Mine"\nrepeat = 2\n[[phase]]\nkind = "press"\ntarget = 12\n[[phase]]\nkind = "hold"\n'
        'duration = 3\n[[phase]]\nkind = "release"\n')
    drills, problems = available_drills(tmp_path)
    assert drills["consistency"].title == "Mine" and len(drills["consistency"].plan) == 6
    assert len(problems) == 1 and "broken.toml" in problems[0]
    with pytest.raises(DrillError, match="there is no drill 'nope'"):
        find_drill("nope", tmp_path)
    assert find_drill(str(tmp_path / "consistency.toml")).title == "Mine"


# --------------------------------------------------------------------------------------------------
# playing and scoring
# --------------------------------------------------------------------------------------------------

def test_a_good_consistency_run_scores_high(tmp_path: Path) -> None:
    t, f = hand(tmp_path, GOOD_CONSISTENCY)
    prompts: list[str] = []
    run = play_offline(find_drill("consistency"), t, f, on_prompt=lambda p: prompts.append(p.text))
    assert run.completed
    assert prompts[:4] == ["press slowly to 30 N", "hold 15 s", "release", "rest 10 s"]
    assert len(prompts) == 20
    card = score_run(run)
    assert card.overall >= 95 and card.completed and card.missed == 0
    assert len(card.holds) == 5 and all(h.status == "done" for h in card.holds)
    assert all(h.achieved_s == pytest.approx(15.0) for h in card.holds)
    assert all(h.time_in_band_pct > 95 and h.cv_pct < 2 for h in card.holds)
    assert all(r.score_pct == 100 for r in card.ramps)
    assert card.work_on == []


def test_a_bad_consistency_run_scores_low_and_says_why(tmp_path: Path) -> None:
    t, f = hand(tmp_path, BAD_CONSISTENCY)
    card = score_run(play_offline(find_drill("consistency"), t, f))
    assert card.completed and card.overall < 60
    c = card.components
    assert c["time_in_band"] is not None and c["time_in_band"] < 20  # 36 N against 27-33 N
    assert c["ramp_rate"] is not None and c["ramp_rate"] < 40  # ~90 N/s against 20 N/s
    assert c["hold_duration"] == pytest.approx(60.0, abs=3)  # 9 of 15 s
    assert all(h.status == "short" and h.above_pct > 90 for h in card.holds)
    text = " ".join(card.work_on)
    assert "too much pressure" in text and "more slowly" in text and "full time" in text
    assert card.work_on[0].startswith("staying in the band")  # the weakest first


def test_alternating_levels_and_prompts(tmp_path: Path) -> None:
    t, f = hand(tmp_path, GOOD_ALTERNATING)
    prompts: list[str] = []
    run = play_offline(find_drill("alternating"), t, f, on_prompt=lambda p: prompts.append(p.text))
    card = score_run(run)
    assert prompts == ["press slowly to 20 N", "hold 10 s", "step up to 40 N", "hold 10 s",
                       "step down to 20 N", "hold 10 s", "step up to 40 N", "hold 10 s", "release"]
    assert [h.target for h in card.holds] == [20.0, 40.0, 20.0, 40.0]
    assert card.overall >= 90 and all(h.time_in_band_pct > 95 for h in card.holds)


def test_tppr_holds_until_the_user_steps(tmp_path: Path) -> None:
    t, f = hand(tmp_path, GOOD_TPPR)
    run = play_offline(find_drill("tppr"), t, f)
    card = score_run(run)
    assert run.completed and card.missed == 0
    holds = card.holds
    assert [h.status for h in holds] == ["done", "done", "done"]
    # Relative bands: each hold's target is the level the hand settled at.
    assert [round(h.target or 0) for h in holds] == [25, 31, 38]
    # Each held until the hand moved on: the step (the script's 14 s and 12 s, plus the end of the
    # approach the core counts as arrived), the last until the release (16 s).
    assert holds[0].achieved_s == pytest.approx(15.0, abs=1.5)
    assert holds[1].achieved_s == pytest.approx(12.5, abs=1.5)
    assert holds[2].achieved_s == pytest.approx(16.5, abs=1.5)
    assert card.components["hold_duration"] == 100.0


def test_missing_the_press_skips_to_the_next_repetition(tmp_path: Path) -> None:
    # The hand does nothing for 25 s (press times out after 20 s), then does one good repetition.
    text = "idle 25\n" + "ramp 2.5 to 30\nhold 16\nrelease 1\nidle 11\n" * 4
    t, f = hand(tmp_path, text)
    run = play_offline(find_drill("consistency"), t, f)
    card = score_run(run)
    statuses = [(r.phase.kind, r.status) for r in run.records[:4]]
    assert statuses == [("press", "missed"), ("hold", "missed"), ("release", "done"), ("rest", "done")]
    assert card.missed >= 2 and card.holds[0].status == "missed"
    assert card.overall < 90


def test_a_stopped_drill_is_not_completed(tmp_path: Path) -> None:
    t, f = hand(tmp_path, GOOD_CONSISTENCY)
    half = t.size // 3
    run = play_offline(find_drill("consistency"), t[:half], f[:half])
    card = score_run(run)
    assert not run.completed and not card.completed
    assert len(card.holds) == 5  # the holds never reached count, as missed
    assert sum(h.status == "missed" for h in card.holds) >= 3


# --------------------------------------------------------------------------------------------------
# history
# --------------------------------------------------------------------------------------------------

def card_for(tmp_path: Path, text: str = GOOD_ALTERNATING):  # type: ignore[no-untyped-def]
    t, f = hand(tmp_path, text)
    return score_run(play_offline(find_drill("alternating"), t, f))


def test_history_stores_and_exports(tmp_path: Path) -> None:
    card = card_for(tmp_path)
    with History(tmp_path / "h.sqlite3") as h:
        assert h.version == SCHEMA_VERSION
        sid = h.start_session("Ann  Smith", device="sim", recording="/r.csv")
        rid = h.add_result(sid, card)
        h.end_session(sid)
        sid2 = h.start_session("ann smith")  # the same practitioner (names compare without case)
        h.add_result(sid2, card)
        rows = h.results()
        assert [r.practitioner for r in rows] == ["Ann Smith", "Ann Smith"]
        assert h.practitioners() == ["Ann Smith"]
        assert rows[0].score == pytest.approx(card.overall) and rows[0].recording == "/r.csv"
        assert h.card(rid)["components"] == card.components
        assert h.results(drill="consistency") == []
        lines = History.export_csv(rows).splitlines()
        assert lines[0].startswith("result_id,practitioner,session_id") and len(lines) == 3
        assert json.loads(History.export_json(rows))[1]["drill"] == "alternating"
    con = sqlite3.connect(tmp_path / "h.sqlite3")
    assert con.execute("SELECT ended IS NOT NULL FROM sessions ORDER BY id").fetchall() == [(1,), (0,)]


def test_an_old_database_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    con = sqlite3.connect(path)
    con.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    con.execute("INSERT INTO practitioners(name, created) VALUES ('Bo', '2026-01-01T00:00:00+00:00')")
    con.execute("INSERT INTO sessions(practitioner_id, started) VALUES (1, '2026-01-01T00:00:00+00:00')")
    con.execute("INSERT INTO drill_results(session_id, drill, title, finished, completed, score, card) "
                "VALUES (1, 'consistency', 'C', '2026-01-01T00:10:00+00:00', 1, 71.5, '{}')")
    con.execute("INSERT INTO drill_results(session_id, drill, title, finished, completed, score, card) "
                "VALUES (1, 'consistency', 'C', '2026-01-01T00:20:00+00:00', 0, 12.0, '{}')")
    con.commit()
    con.close()
    with History(path) as h:
        assert h.version == SCHEMA_VERSION == 3
        done, stopped = h.results("Bo")
        assert done.score == 71.5 and done.drill == "consistency" and done.status == "completed"
        assert stopped.score == 12.0 and stopped.status == "stopped" and not stopped.completed
        cols = [r[1] for r in h.db.execute("PRAGMA table_info(sessions)")]
        assert "ended" in cols and "note" in cols
        # the rebuilt table keeps its index, and a result without a score can now be stored
        index = "SELECT name FROM sqlite_master WHERE name = 'drill_results_by_session'"
        assert h.db.execute(index).fetchone()
        sid = h.start_session("Bo")
        h.add_result(sid, score_run(play_offline(find_drill("consistency"), np.arange(0, 60, 0.01),
                                                 np.zeros(6000))))
        assert [(r.status, r.score) for r in h.results("Bo")][2] == ("abandoned", None)


def test_a_future_or_foreign_file_is_refused(tmp_path: Path) -> None:
    future = tmp_path / "future.sqlite3"
    con = sqlite3.connect(future)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(HistoryError, match="newer nmt-pressure"):
        History(future)
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(HistoryError, match="not a practice history database"):
        History(junk)


def test_a_locked_history_is_told_as_locked_not_as_foreign(tmp_path: Path) -> None:
    """A history another program holds locked (a second dashboard mid-write) is a good file: telling
    the user it is "not a practice history database" and to move it away would lose every card in
    it. Both a new file and one with the whole schema, locked while they open."""
    made = tmp_path / "made.sqlite3"
    History(made).close()
    for path in (tmp_path / "new.sqlite3", made):
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(HistoryError) as caught:
                History(path, timeout=0.05)
        finally:
            other.execute("ROLLBACK")
            other.close()
        message = str(caught.value)
        assert "is locked by another program" in message and "not a practice history" not in message
        assert message.count(".") >= 1 and "\n" not in message
        with History(path) as h:  # unlocked, it opens as it is
            assert h.version == SCHEMA_VERSION


def test_a_history_in_use_tells_a_lock_a_read_only_file_and_damage_apart(tmp_path: Path) -> None:
    """Once open, a history another program holds locked (a second dashboard writing a card), one
    that cannot be written, and one SQLite finds damaged each get their own sentence: the old one
    told all three "check that its folder is writable and no other program holds the file", and
    only a damaged file is one to move away."""
    path = tmp_path / "h.sqlite3"
    with History(path, timeout=0.05) as h:
        h.practitioner_id("Ann")
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(HistoryError) as locked:
                h.practitioner_id("Bo")
        finally:
            other.execute("ROLLBACK")
            other.close()
        h.db.execute("PRAGMA query_only = ON")  # SQLite's own read-only refusal, on the real file
        with pytest.raises(HistoryError) as readonly:
            h.practitioner_id("Cy")
        h.db.execute("PRAGMA query_only = OFF")
        assert [r[0] for r in h.db.execute("SELECT name FROM practitioners")] == ["Ann"]
    told = {"locked": str(locked.value), "read-only": str(readonly.value)}
    assert "is locked by another program" in told["locked"] and "writable" not in told["locked"]
    assert "cannot write to" in told["read-only"] and "writable and has space" in told["read-only"]
    assert all("move it away" not in m and "\n" not in m for m in told.values()), told
    # Damage found in use: the pages of its tables overwritten after it opened.
    with History(path) as h:
        size = path.stat().st_size
        with path.open("r+b") as f:
            f.seek(1024)  # past the header page's first kilobyte: the schema and table pages
            f.write(b"\xff" * (size - 1024))
        with pytest.raises(HistoryError) as damaged:
            h.practitioner_id("Di")
    assert "it is damaged" in str(damaged.value) and "move it away" in str(damaged.value)


def test_a_history_made_by_another_connection_meanwhile_opens(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The dashboard opens the history from its drill panel and from the session that stores the
    card, at once on a first run: one read version 0, the other then made every table, and the
    first's own step 1 failed ("table practitioners already exists"), which was told as "not a
    practice history database" (a whole drill's card lost, seen once in CI under load). The
    interleaving made exact: this opening's first read of the version is the one from before the
    other connection's."""
    path = tmp_path / "h.sqlite3"
    real = History.version.fget
    assert real is not None
    reads: list[int] = []

    def stale(self: History) -> int:
        reads.append(1)
        if len(reads) == 1:
            History(path).close()  # the other connection makes the whole schema in between
            return 0  # ... after this one had read the version of the empty file
        return int(real(self))

    monkeypatch.setattr(History, "version", property(stale))
    with History(path) as h:
        assert h.version == SCHEMA_VERSION
        h.add_result(h.start_session("Ann"), score_run(play_offline(
            find_drill("consistency"), np.arange(0, 60, 0.01), np.zeros(6000))))
        assert [r.status for r in h.results("Ann")] == ["abandoned"]


def test_many_connections_opening_a_new_history_at_once_all_open_it(tmp_path: Path) -> None:
    """The same with real threads, each its own connection, released together on a new file."""

    def open_it(path: Path, start: threading.Barrier, errors: list[str]) -> None:
        start.wait()
        try:
            with History(path) as h:
                assert h.version == SCHEMA_VERSION
        except HistoryError as exc:
            errors.append(str(exc))

    for n in range(8):
        start = threading.Barrier(6)
        errors: list[str] = []
        threads = [threading.Thread(target=open_it, args=(tmp_path / f"h{n}.sqlite3", start, errors))
                   for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []


def test_the_readme_example_drill_is_valid(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "example.toml").write_text(block)
    d = load_drill(tmp_path / "example.toml")
    assert d.name == "light-heavy" and len(d.plan) == 18
    assert [p.kind for p in d.phases] == ["press", "hold", "step", "hold", "release", "rest"]
