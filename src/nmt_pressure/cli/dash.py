"""``nmt-pressure dash``: the dashboard window on a device, the built-in simulator or a recording.

Every user error that can be found before a window opens is found here, one sentence each; the
window itself is dashboard.app's (imported only when the command runs, as Qt is an optional extra).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nmt_pressure.argtypes import baud, number_type, seconds, seed
from nmt_pressure.cli.common import (
    Command,
    CommandError,
    add_band_arguments,
    add_lsl_arguments,
    check_output,
    config_from_args,
    lsl_name,
    same_file,
    same_output,
    sim_rate,
    sim_speed,
)
from nmt_pressure.extras import require
from nmt_pressure.io.recording import read_recording
from nmt_pressure.io.rectypes import recorded_config

__all__ = ["COMMAND", "configure", "run"]

#: Plot window and hold goal of the dashboard (s).
WINDOW_MIN_S, WINDOW_MAX_S = 5.0, 60.0
GOAL_MIN_S, GOAL_MAX_S = 3.0, 120.0

plot_window = number_type("a plot window", "a number of seconds", WINDOW_MIN_S, WINDOW_MAX_S, lo_in=True)
hold_goal = number_type("a hold goal", "a number of seconds", GOAL_MIN_S, GOAL_MAX_S, lo_in=True)


def configure(p: argparse.ArgumentParser) -> None:
    src = p.add_argument_group("source (one of; none: choose in the window)")
    ex = src.add_mutually_exclusive_group()
    ex.add_argument("--port", metavar="PORT", default=None,
                    help="device path (/dev/ttyUSB0, COM3) or pyserial URL (socket://127.0.0.1:5555)")
    ex.add_argument("--sim", action="store_true",
                    help="start the built-in simulated device (python -m firmware_sim) and watch it")
    ex.add_argument("--replay", metavar="FILE", default=None,
                    help="replay a recording through the same core (as `analyze` reads it)")
    # Defaults of the source-specific options are None here and filled in by run(), so that an
    # option given for another source (--rate with --port) is told apart from the default.
    src.add_argument("--rate", type=sim_rate, metavar="HZ", default=None,
                     help="the simulator's sample rate, 1 to 4000 [1000]")
    src.add_argument("--scenario", metavar="NAME", default=None,
                     help="the simulator's scenario (session, tppr, steady, drift, idle) [session]")
    src.add_argument("--script", metavar="FILE", default=None,
                     help="play a firmware_sim script on the simulator instead of a scenario")
    src.add_argument("--seed", type=seed, default=None, help="the simulator's seed [0]")
    src.add_argument("--sim-speed", type=sim_speed, metavar="X", default=None,
                     help="run the simulator's device clock X times faster than real time (demos of "
                          "long drills, tests) [1]")
    src.add_argument("--speed", choices=("1", "4", "max"), default=None,
                     help="replay speed: real time, four times, or as fast as the core runs [1]")
    src.add_argument("--format", dest="fmt", choices=("auto", "nmtp", "ascii"), default=None,
                     help="wire format of --port [auto]")
    src.add_argument("--baud", type=baud, default=None, metavar="N", help="baud rate of --port [115200]")
    add_band_arguments(p)
    view = p.add_argument_group("display")
    view.add_argument("--window", type=plot_window, metavar="S", default=30.0,
                      help="seconds of force the plot shows, 5 to 60 [30]")
    view.add_argument("--goal", type=hold_goal, metavar="S", default=None,
                      help="hold goal duration marked on the hold timer [remembered; 20]")
    view.add_argument("--display-unit", choices=("N", "kg", "lb"), default=None,
                      help="unit of the readouts and the force axis [remembered; N]")
    view.add_argument("--mute", action="store_true", help="start with the alert sound muted")
    unattended = p.add_argument_group("recording and unattended runs")
    unattended.add_argument("--record", metavar="FILE", default=None,
                     help="record the live session from the start (CSV that `analyze` reads)")
    unattended.add_argument("--overwrite", action="store_true", help="let --record replace an existing file")
    unattended.add_argument("--duration", type=seconds, metavar="S", default=None,
                     help="close after S seconds (exit 0), e.g. with --screenshot and --summary-json")
    unattended.add_argument("--screenshot", metavar="PNG", default=None,
                     help="at the end of --duration, save the window as a PNG image")
    unattended.add_argument("--summary-json", metavar="FILE", default=None,
                     help="at the end of --duration, write fps, CPU, the link's counters and all events")
    practice = p.add_argument_group("practice (the Drill panel, D)")
    practice.add_argument("--drill", metavar="NAME", default=None,
                          help="open the Drill panel and start this drill (a bundled or your own drill's "
                               "name, or a .toml file) on the live source; with --duration the run ends "
                               "when the drill is over, its score card in --summary-json")
    practice.add_argument("--practitioner", metavar="NAME", default=None,
                          help="who is practising [remembered; else $NMT_PRESSURE_PRACTITIONER or your "
                               "login name]")
    add_lsl_arguments(p)


def run(args: argparse.Namespace) -> int:
    from nmt_pressure.dashboard.app import DashError, screen_problem

    # The missing extra first (it is needed on any screen), then the display: without one Qt would
    # abort. Importing the modules opens no display.
    for module in ("PySide6", "pyqtgraph"):
        require(module, "gui", "`dash`", instead="use `nmt-pressure monitor`")
    problem = screen_problem()
    if problem:
        raise CommandError(problem)
    _check_dash_options(args)
    cfg = config_from_args(args, float(args.rate) if args.sim else None)  # bad flags before a file is read
    band: dict[str, Any] | None = None
    if args.target is not None or args.tolerance is not None:
        band = {}
        if args.target is not None:
            band["target"] = args.target
        if args.tolerance is not None:
            band["tolerance"] = args.tolerance
    rec = rcfg = None
    if args.replay:
        from nmt_pressure.core.detector import estimate_sample_rate

        rec = read_recording(args.replay)
        # exactly what `analyze FILE` would use: the recording's own settings, the flags over them
        rcfg = config_from_args(args, estimate_sample_rate(rec.t), recorded_config(rec.metadata),
                                args.replay)
    from nmt_pressure.dashboard.app import run_dash

    try:
        return run_dash(args, cfg, band, rec, rcfg)
    except DashError as exc:
        raise CommandError(str(exc)) from None


def _check_dash_options(args: argparse.Namespace) -> None:
    """Every user error of ``dash`` that can be found before a window opens, one sentence each; then
    the source-specific defaults are filled in."""
    from firmware_sim.__main__ import SCENARIOS

    given = {flag: value is not None for flag, value in (
        ("--rate", args.rate), ("--scenario", args.scenario), ("--script", args.script),
        ("--seed", args.seed), ("--speed", args.speed), ("--format", args.fmt), ("--baud", args.baud),
        ("--sim-speed", args.sim_speed))}
    for flag in ("--rate", "--scenario", "--script", "--seed", "--sim-speed"):
        if given[flag] and not args.sim:
            raise CommandError(f"{flag} sets up the built-in simulator: add --sim, or leave {flag} out.")
    if given["--speed"] and not args.replay:
        raise CommandError("--speed is the pace of a replay: add --replay FILE, or leave --speed out.")
    for flag in ("--format", "--baud"):
        if given[flag] and (args.sim or args.replay):
            raise CommandError(f"{flag} applies to a device port (--port), not to "
                               f"{'--sim' if args.sim else '--replay'}.")
    args.rate = 1000 if args.rate is None else args.rate
    args.seed = 0 if args.seed is None else args.seed
    args.speed = args.speed or "1"
    args.fmt = args.fmt or "auto"
    args.baud = 115200 if args.baud is None else args.baud
    if args.scenario is not None and args.script:
        raise CommandError("--scenario and --script both say what the simulated hand does; give one.")
    if args.scenario is not None and args.scenario not in SCENARIOS:
        raise CommandError(f"unknown --scenario {args.scenario!r}; use one of {', '.join(SCENARIOS)} or "
                           "--script FILE.")
    # a drill on the simulator plays the drill's own hand unless a scenario or script was asked for
    args.scenario_given = args.scenario is not None
    args.scenario = args.scenario or "session"
    if args.script and not Path(args.script).is_file():
        raise CommandError(f"--script {args.script} does not exist; give a firmware_sim script file.")
    if args.record and args.replay:
        raise CommandError("--record records a live device; a replay is a recording already.")
    if args.record and not (args.sim or args.port):
        raise CommandError("--record records a live device: add --port PORT or --sim (or press R in the "
                           "window to choose a file).")
    if args.lsl and args.replay:
        raise CommandError("--lsl publishes a live device (or --sim); a replay is not streamed to LSL.")
    for flag in ("--screenshot", "--summary-json"):
        if getattr(args, flag[2:].replace("-", "_")) and args.duration is None:
            raise CommandError(f"{flag} is written at the end of an unattended run: add --duration S.")
    args.lsl_name = lsl_name(args) or args.lsl_name
    _check_dash_drill(args)
    outputs = [(flag, path) for flag, path in (("--record", args.record), ("--screenshot", args.screenshot),
                                               ("--summary-json", args.summary_json)) if path]
    for i, (flag, path) in enumerate(outputs):
        for other, opath in outputs[:i]:
            if same_file(path, opath) or (other == "--record" and same_output(path, opath)):
                raise CommandError(f"{flag} and {other} name the same file {path}; give each its own.")
        check_output(flag, path)
    if args.record and not args.overwrite:
        for p in (args.record, args.record + ".events.jsonl"):
            if Path(p).exists():
                raise CommandError(f"{p} already exists; choose another file name or pass --overwrite to "
                                   "replace it.")


def _check_dash_drill(args: argparse.Namespace) -> None:
    """``--drill`` and ``--practitioner``: the drill is found (and a broken file named) before the window
    opens; ``args.drill_def`` is the Drill to play."""
    args.sim_speed = 1.0 if args.sim_speed is None else args.sim_speed
    args.drill_def = None
    if args.practitioner is not None and not " ".join(args.practitioner.split()):
        raise CommandError("--practitioner is empty; give a name.")
    if args.drill is None:
        return
    if args.replay:
        raise CommandError("a drill needs a live source: use --port PORT or --sim instead of --replay (to "
                           "score a recording, use `nmt-pressure drill NAME --replay FILE`).")
    if not (args.sim or args.port):
        raise CommandError("--drill plays on a live source: add --port PORT or --sim.")
    from nmt_pressure.practice.spec import DrillError, find_drill
    from nmt_pressure.practice.userdata import drills_dir

    try:
        args.drill_def = find_drill(args.drill, drills_dir())
    except DrillError as exc:
        raise CommandError(str(exc)) from None


COMMAND = Command(
    name="dash",
    help="the dashboard: live force, target band, hold timer, alerts and hold table in a window",
    description="Watch a device, the built-in simulator or a recording in a window: the force with its "
                "target band, large readouts, a hold timer, loud band alerts and a table of holds.",
    configure=configure,
    run=run,
)
