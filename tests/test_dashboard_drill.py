"""The dashboard's Drill panel: whole drills against the simulator process, driven as a user drives them.

A user drill in ``NMT_PRESSURE_HOME/drills`` (press to 12 N, hold 3 s, release) is played against a
simulated hand scripted to follow it; the simulator's device clock runs ten times faster than the wall
clock (``--speed``), and the drill keeps device time, so it plays exactly as at 1x. Everything the user
sees is read from the real widgets (offscreen); what is stored is read back from the history file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import pytest
from dashwin import dash_settings, shown_window
from PySide6.QtCore import Qt

from nmt_pressure.cli.main import main as cli_main
from nmt_pressure.dashboard.drill_panel import band_state
from nmt_pressure.io.recording import write_recording
from nmt_pressure.link.simproc import SimulatorProcess
from nmt_pressure.practice import load_drill
from nmt_pressure.practice.history import History
from nmt_pressure.practice.userdata import history_path

PY = sys.executable
QUICK = """name = "quick"
title = "Quick: 12 N for 3 s"
description = "Press to 12 N, hold it 3 s, release."

[[phase]]
kind = "press"
target = 12.0
max_ramp_rate = 30.0

[[phase]]
kind = "hold"
duration = 3.0

[[phase]]
kind = "release"
"""
#: A hand that follows the quick drill (the simulator repeats it for ever).
HAND = "idle 1\nramp 1 to 12\nhold 4.5\nrelease 0.5\nidle 2\n"
PROMPTS = ["press slowly to 12 N", "hold 3 s", "release"]
SPEED = 10.0
RATE = 200


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's data folder (history and drills) and the dashboard's settings, all in tmp_path."""
    home = tmp_path / "home"
    (home / "drills").mkdir(parents=True)
    (home / "drills" / "quick.toml").write_text(QUICK)
    monkeypatch.setenv("NMT_PRESSURE_HOME", str(home))
    monkeypatch.setenv("NMT_PRESSURE_SETTINGS", str(tmp_path / "settings.ini"))
    return home


@pytest.fixture
def hand(tmp_path: Path) -> Path:
    path = tmp_path / "hand.txt"
    path.write_text(HAND)
    return path


@pytest.fixture
def window(qtbot: Any, tmp_path: Path, home: Path) -> Any:
    yield from shown_window(qtbot, dash_settings(tmp_path))


def combo_items(combo: Any) -> list[tuple[str, Any]]:
    return [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]


def results(practitioner: str, drill: str = "quick") -> list[Any]:
    with History(history_path()) as h:
        return h.results(practitioner, drill)


def status_text(win: Any) -> str:
    return str(win.status.msg.text())


# --------------------------------------------------------------------------------------------------
# the panel in the window
# --------------------------------------------------------------------------------------------------
def test_a_whole_drill_on_the_built_in_simulator(window: Any, qtbot: Any, hand: Path, tmp_path: Path) -> None:
    win = window
    win.start_sim(rate=RATE, script=str(hand), speed=SPEED)
    qtbot.waitUntil(lambda: win.session is not None and win.session.connected, timeout=15000)

    assert not win.drill_dock.isVisible()  # hidden until asked for
    qtbot.keyClick(win, Qt.Key.Key_D)
    assert win.drill_dock.isVisible() and win.tools.act_drill.isChecked()
    panel = win.drill_panel
    items = combo_items(panel.drill_combo)
    assert ("Quick: 12 N for 3 s  (yours)", "quick") in items  # the user's own, beside the bundled ones
    assert {"consistency", "tppr", "alternating"} <= {name for _, name in items}
    panel.drill_combo.setCurrentIndex(panel.drill_combo.findData("quick"))
    assert panel.description.text() == "Press to 12 N, hold it 3 s, release."
    assert "3 phases, 1 holds" in panel.drill_info.text()
    panel.set_practitioner("Ann")

    shown: list[dict[str, Any]] = []

    def on_prompt(p: Any) -> None:  # what the user sees the moment each prompt is up
        shown.append({"text": p.text, "label": panel.prompt_label.text(), "phase": panel.phase_label.text(),
                      "countdown": panel.countdown_label.text(), "band": p.band,
                      "band_label": panel.band_label.text(), "plot_band": win.plot.drill_band.isVisible(),
                      "region": tuple(win.plot.drill_band.getRegion()),
                      # the main panel and the plot agree with the drill (issue 14, item 1)
                      "main_timer": win.readouts.timer_value.text(), "bands": win.plot.visible_bands()})

    panel.prompt_shown.connect(on_prompt)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert panel.state == "running" and win.session.drill is panel.run
    assert panel.run in win.session.fan.listeners
    assert not panel.start_button.isEnabled() and panel.stop_button.isEnabled()
    assert not panel.card_box.isVisible()
    session = win.session
    assert win.set_band(20.0, 0.10)  # restarting the core now would end the drill: it waits
    assert "(a drill is running)" in status_text(win) and win.session is session and not session.stopping

    qtbot.waitUntil(lambda: panel.result_id is not None or panel.error is not None, timeout=60000)
    assert panel.error is None, panel.error
    assert panel.state == "completed"

    # the prompts, in order, large and with their phase number
    assert [s["text"] for s in shown] == PROMPTS
    assert [s["label"] for s in shown] == [t.upper() for t in PROMPTS]
    assert [s["phase"] for s in shown] == ["phase 1 / 3 · press", "phase 2 / 3 · hold",
                                           "phase 3 / 3 · release"]
    press, hold, release = shown
    # the band: the target's on the way there, the same kept during the hold, none for the release
    assert press["band"] == pytest.approx((10.8, 13.2)) and press["plot_band"]
    assert hold["band"] == pytest.approx((10.8, 13.2))
    assert hold["plot_band"] and hold["region"] == pytest.approx((10.8, 13.2))
    assert hold["band_label"] == "band 10.8–13.2 N (target 12.0 N)"
    # (0.0 when a busy GUI thread shows the prompt after the sped-up hold is already over)
    assert hold["countdown"].endswith(" s") and 0.0 <= float(hold["countdown"][:-2]) <= 3.0
    # one timer and one band on screen: the drill's count-down, the drill's band
    assert hold["main_timer"].endswith(" s left") and hold["bands"] == [pytest.approx((10.8, 13.2))]
    assert press["countdown"] == "" and release["band"] is None and not release["plot_band"]
    assert not win.plot.drill_band.isVisible()  # gone with the drill

    # the score card
    card = panel.card
    assert card is not None and card.completed and panel.card_box.isVisible()
    assert panel.overall_label.text() == f"{card.overall:.0f}" and card.overall >= 70
    for key, bar in panel.component_bars.items():
        v = card.components[key]
        assert v is not None and bar.text() == f"{v:.0f} %"
    (row,) = panel.hold_rows()
    assert row[0] == "2" and row[1] == "12.0" and row[3] == "3" and row[-1] == "done"
    assert panel.work_on_label.text().startswith("Work on:\n• ")
    assert "saved for Ann" in panel.saved_label.text() and "saved for Ann" in status_text(win)

    # the history row, and the trend drawn from it
    (stored,) = results("Ann")
    assert stored.result_id == panel.result_id and stored.completed
    assert stored.score == pytest.approx(card.overall) and stored.device.startswith("nmt-sim")
    assert stored.recording is None
    assert panel.trend_points() == ([1.0], [pytest.approx(card.overall)])
    assert "Ann · quick: 1 result" in panel.trend_caption.text()
    assert win.session.drill is None and panel.run not in win.session.fan.listeners

    # again, recording, and stopped once the hand touched the cell (with no touch at all it would be
    # abandoned, not scored): a second point, linked to the recording
    first_id = panel.result_id
    rec = tmp_path / "practice.csv"
    assert win.start_recording(str(rec))
    shown.clear()
    assert panel.start()
    qtbot.waitUntil(lambda: any(e.kind == "contact" for e in list(panel.run.events)), timeout=30000)
    qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.result_id not in (None, first_id) or panel.error is not None, timeout=30000)
    assert panel.state == "stopped" and panel.card is not None and not panel.card.completed
    assert "not completed" in panel.card_note.text()
    first, second = results("Ann")
    assert first.result_id == first_id and not second.completed
    assert second.recording == str(rec.resolve())
    xs, ys = panel.trend_points()
    assert xs == [1.0, 2.0] and ys == [pytest.approx(first.score), pytest.approx(second.score)]
    assert panel.practitioner_combo.findText("Ann") >= 0  # names come from the history

    # the practitioner's trend follows the name typed
    panel.set_practitioner("Nobody")
    qtbot.waitUntil(lambda: panel.trend_points() == ([], []), timeout=10000)
    panel.set_practitioner("ann")  # names are matched without case, as the history keeps them
    qtbot.waitUntil(lambda: len(panel.trend_points()[0]) == 2, timeout=10000)


def test_a_broken_drill_file_and_an_unwritable_history_are_one_sentence(
        window: Any, qtbot: Any, hand: Path, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    win = window
    (home / "drills" / "broken.toml").write_text("name = \n[[phase]\n")
    win.show_drill_panel(True)
    panel = win.drill_panel
    msg = status_text(win)
    assert "broken.toml" in msg and "not valid TOML" in msg and "\n" not in msg
    assert "quick" in [name for _, name in combo_items(panel.drill_combo)]  # the others stay

    # a live device (the simulator process, on its own) and a history folder that cannot be made
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("NMT_PRESSURE_HOME", str(blocker / "home"))
    drill = load_drill(home / "drills" / "quick.toml")
    with SimulatorProcess(["--rate", str(RATE), "--script", str(hand), "--speed", f"{SPEED:g}"]) as sim:
        win.connect_port(sim.port)
        qtbot.waitUntil(lambda: win.session is not None and win.session.connected, timeout=15000)
        assert panel.start(drill, "Cy")
        qtbot.waitUntil(lambda: panel.error is not None or panel.result_id is not None, timeout=60000)
    assert panel.result_id is None and panel.card is not None and panel.card_box.isVisible()
    err = panel.error
    assert err is not None and err.startswith("cannot open the practice history") and "\n" not in err
    assert status_text(win) == err and panel.saved_label.text() == f"not saved: {err}"
    assert "Traceback" not in capfd.readouterr().err


def test_a_replay_is_refused(window: Any, qtbot: Any, tmp_path: Path, trace: Any) -> None:
    t, f = trace(rate=200.0).rest(0.5).ramp(12.0, 1.0).hold(4.0).release(0.4).rest(0.5).build(seed=2)
    path = tmp_path / "earlier.csv"
    write_recording(path, t, f)
    win = window
    win.open_replay(str(path), speed=1.0)
    qtbot.waitUntil(lambda: win.session is not None and win.session.kind == "replay", timeout=10000)
    win.show_drill_panel(True)
    panel = win.drill_panel
    panel.drill_combo.setCurrentIndex(panel.drill_combo.findData("quick"))
    assert not panel.start(practitioner="Ann")
    assert status_text(win).startswith("a drill needs a live source") and "replay" in status_text(win)
    assert panel.state == "idle" and win.session.drill is None and panel.start_button.isEnabled()


def test_band_state() -> None:
    band = (10.8, 13.2)
    assert band_state("hold", 12.0, band) == "in"
    assert band_state("hold", 14.0, band) == "high" and band_state("hold", 9.0, band) == "low"
    assert band_state("press", 5.0, band) == ""  # on the way there: nothing wrong yet
    assert band_state("press", 14.0, band) == "high"  # overshot
    assert band_state("rest", 0.0, None) == "" and band_state("hold", float("nan"), band) == ""


# --------------------------------------------------------------------------------------------------
# the command
# --------------------------------------------------------------------------------------------------
def dash(tmp_path: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([PY, "-m", "nmt_pressure", "dash", *args], capture_output=True, text=True,
                          timeout=timeout, check=False, env=env)


def test_unattended_drill_ends_with_its_score_card(home: Path, hand: Path, tmp_path: Path) -> None:
    png, js = tmp_path / "drill.png", tmp_path / "drill.json"
    # --duration is only the limit: the run ends when the drill is over
    p = dash(tmp_path, "--sim", "--rate", str(RATE), "--script", str(hand), "--sim-speed", f"{SPEED:g}",
             "--drill", "quick", "--practitioner", "Bo", "--duration", "90", "--screenshot", str(png),
             "--summary-json", str(js))
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    assert "dash: drill quick completed: " in p.stderr and "saved for Bo" in p.stderr
    s = json.loads(js.read_text())
    assert s["fps"] > 0 and s["samples"] > 0  # the dashboard's own summary is all there
    d = s["drill"]
    assert d["name"] == "quick" and d["practitioner"] == "Bo" and d["state"] == "completed"
    assert [x["text"] for x in d["prompts"]] == PROMPTS
    assert d["prompts"][1]["band"] == pytest.approx([10.8, 13.2])
    card = d["card"]
    assert card["completed"] and set(card["components"]) == {"time_in_band", "steadiness", "ramp_rate",
                                                               "hold_duration"}
    assert len(card["holds"]) == 1 and card["overall"] >= 70 and isinstance(card["work_on"], list)
    (row,) = results("Bo")
    assert d["result_id"] == row.result_id and row.score == pytest.approx(card["overall"])
    assert d["trend"] == [{"finished": row.finished, "score": pytest.approx(row.score)}]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # the clock runs out first (real time: the hold alone takes 3 s): stopped, scored and saved as such
    p = dash(tmp_path, "--sim", "--rate", str(RATE), "--script", str(hand), "--drill", "quick",
             "--practitioner", "Bo", "--duration", "2", "--summary-json", str(js))
    assert p.returncode == 0, p.stderr
    d = json.loads(js.read_text())["drill"]
    assert d["state"] == "stopped" and d["card"]["completed"] is False
    assert [r.completed for r in results("Bo")] == [True, False]


def test_dash_sim_drill_plays_the_drills_own_hand(home: Path, tmp_path: Path) -> None:
    """`dash --sim --drill NAME` (no --script, no --scenario): the simulated hand follows the drill's
    prompts, as `nmt-pressure drill NAME --sim` does, not the session scenario (issue 14)."""
    js = tmp_path / "hand.json"
    p = dash(tmp_path, "--sim", "--rate", str(RATE), "--drill", "quick", "--practitioner", "Cy",
             "--duration", "90", "--summary-json", str(js))
    assert p.returncode == 0, p.stderr
    d = json.loads(js.read_text())["drill"]
    assert d["state"] == "completed" and [x["text"] for x in d["prompts"]] == PROMPTS
    assert d["card"]["completed"] and d["card"]["overall"] >= 70


@pytest.mark.parametrize(("args", "needle"), [
    (["--replay", "earlier.csv", "--drill", "quick"], "a drill needs a live source"),
    (["--drill", "quick"], "--drill plays on a live source: add --port PORT or --sim"),
    (["--sim", "--drill", "nope"], "there is no drill 'nope'"),
    (["--sim", "--drill", "broken"], "is not valid TOML"),
    (["--sim", "--drill", "quick", "--practitioner", " "], "--practitioner is empty"),
    (["--port", "/dev/null", "--sim-speed", "10"], "--sim-speed sets up the built-in simulator"),
])
def test_drill_usage_errors_are_one_sentence(home: Path, capsys: pytest.CaptureFixture[str], qapp: Any,
                                             args: list[str], needle: str) -> None:
    (home / "drills" / "broken.toml").write_text("name = \n")
    assert cli_main(["dash", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0], err
