#!/usr/bin/env python3
"""Make docs/dashboard.png: the dashboard in the middle of a hold that has drifted out of its band.

A scripted session from the simulator's hand model (``firmware_sim``: tremor, 0.1 N sensor noise,
1 kHz) is written as a recording with a client marker, replayed through the dashboard (the same core
as live) and held 1.5 s after the core's band exit, so the picture shows the "too much" alert (the force
box's flashing border, the red verdict box), the current hold's red band beside the earlier holds'
own results, the band exit's mark, the hold timer, the step and release annotations, the marker and the
hold table.

Usage (a real X screen, as a therapist sees it; Xvfb will do):
    xvfb-run -a -s "-screen 0 1600x1000x24" env QT_QPA_PLATFORM=xcb python tools/make_screenshot.py
or offscreen: QT_QPA_PLATFORM=offscreen python tools/make_screenshot.py [--out docs/dashboard.png]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np

from firmware_sim.scenarios import Player, load_script, script_planner
from nmt_pressure import DetectorConfig, analyze
from nmt_pressure.buildinfo import describe
from nmt_pressure.io.recording import write_recording

SCRIPT = """\
idle 2
ramp 1.2 to 32        # a first hold, released
hold 6
release 0.5
idle 2
ramp 1.0 to 28        # the next barrier: hold, a step up, then the pressure creeps up
hold 5
step 0.8 to 36
hold 6
drift 5 to 43
hold 4
release 0.5
idle 2
"""
RATE = 1000.0
NOISE_N = 0.1
HOLD_AFTER_EXIT_S = 1.5
MARK_AFTER_EXIT_S = 0.6


def make_recording(folder: Path) -> tuple[Path, float]:
    """The session as a recording with a marker; returns its path and the time to stop at."""
    script = folder / "session.txt"
    script.write_text(SCRIPT)
    planner = script_planner(load_script(script), script.name)
    player = Player(planner, seed=7)
    duration = planner(7).duration
    t = np.arange(0.0, duration, 1.0 / RATE)
    force = player.force(t) + np.random.default_rng(7).normal(0.0, NOISE_N, t.size)
    cfg = DetectorConfig(sample_rate=RATE)
    path = folder / "session.csv"
    write_recording(path, t, force, {"device": "nmt-sim (scripted session)",
                                     "detector_config": json.dumps(cfg.to_dict())})
    events = analyze(t, force, cfg).events
    exit_ = next(e for e in events if e.kind == "band_exit")
    marker = exit_.t_detected + MARK_AFTER_EXIT_S
    Path(str(path) + ".events.jsonl").write_text(json.dumps({"kind": "marker", "t": marker}) + "\n")
    return path, exit_.t_detected + HOLD_AFTER_EXIT_S


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "docs" / "dashboard.png"))
    ap.add_argument("--size", default="1440x900", help="window size WxH [1440x900]")
    args = ap.parse_args(argv)
    print(describe())  # the installed package, and which of its implementations runs
    w, h = (int(v) for v in args.size.lower().split("x"))

    from PySide6.QtCore import QSettings

    from nmt_pressure.dashboard.app import _qt_app, _quiet_qt_messages
    from nmt_pressure.dashboard.window import DashboardWindow

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path, stop_at = make_recording(folder)
        _quiet_qt_messages()
        app = _qt_app()
        win = DashboardWindow(settings=QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat))
        win.sound.muted = True  # quiet, without the "Muted" button lit up in the picture
        win.resize(w, h)
        win.show()
        win.open_replay(str(path), speed=None, until=stop_at)

        def pump(seconds: float) -> None:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                app.processEvents()
                time.sleep(0.005)

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            pump(0.05)
            s = win.session
            # Held at stop_at: its position is the last sample at or before it. (Not `paused`: that
            # wants position >= until, and the last sample's time is a hair below stop_at in floats.)
            pos = getattr(s.source, "position", None) if s is not None else None
            if pos is not None and pos >= stop_at - 0.01 and win.alert_direction:
                break
        else:
            print("the replay did not reach the band exit", file=sys.stderr)
            return 1
        pump(0.6)  # redraws and readouts catch up
        win.flash_timer.stop()
        win.readouts.flash = True
        win._flash()  # the steady (not the bright) shade of the alert
        pump(0.1)
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        if not win.grab().save(args.out, "PNG"):
            print(f"cannot write {args.out}", file=sys.stderr)
            return 1
        print(f"wrote {args.out} ({w}x{h}): {win.readouts.alert_value.text()}, hold "
              f"{win.readouts.timer_value.text()}, {len(win.table.holds)} finished holds")
        win.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
