"""The practice commands of ``nmt-pressure``: ``drill`` (play a drill, get a score card) and ``history``.

:mod:`nmt_pressure.cli.main` makes them :class:`~nmt_pressure.cli.main.Command` objects like the others; the
shared argument helpers are taken from it when the parser is built, so importing this module never
imports the command line (no import cycle).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path
from typing import Any

from nmt_pressure.practice.spec import DrillError
from nmt_pressure.practice.userdata import DEFAULT_PRACTITIONER_ENV, default_practitioner

__all__ = ["DRILL_HELP", "HISTORY_HELP", "configure_drill", "configure_history", "run_drill", "run_history"]

#: ``--sim`` without --sim-speed: a drill longer than this (s) is sped up to take about this long.
SIM_WALL_S = 60.0

#: Who practised, when --practitioner is not given.


# --------------------------------------------------------------------------------------------------
# drill
# --------------------------------------------------------------------------------------------------

def configure_drill(p: argparse.ArgumentParser) -> None:
    from nmt_pressure.cli.main import _baud, _seconds, _seed, _sim_rate, _sim_speed, add_band_arguments

    p.add_argument("name", metavar="NAME", nargs="?", default=None,
                   help="the drill: a bundled or your own drill's name, or the path of a .toml file")
    p.add_argument("--list", action="store_true", help="list the drills there are and what they ask")
    src = p.add_argument_group("source (one of)")
    ex = src.add_mutually_exclusive_group()
    ex.add_argument("--port", metavar="PORT", default=None, help="device path or pyserial URL")
    ex.add_argument("--sim", action="store_true",
                    help="play the drill on the built-in simulated device: a simulated hand follows its "
                         "prompts (or, with --script, your firmware_sim script)")
    ex.add_argument("--replay", metavar="FILE", default=None,
                    help="score a recording as if it had been played live (not stored in the history)")
    src.add_argument("--rate", type=_sim_rate, metavar="HZ", default=200,
                     help="the simulator's sample rate [200]")
    src.add_argument("--script", metavar="FILE", default=None,
                     help="the simulator plays this firmware_sim script (a practice run done for you)")
    src.add_argument("--seed", type=_seed, default=0, help="the simulator's seed [0]")
    src.add_argument("--sim-speed", type=_sim_speed, metavar="X", default=None,
                     help="run the simulated device and the drill X times faster than real time [1; a "
                          f"drill longer than {SIM_WALL_S:g} s: what plays it in about {SIM_WALL_S:g} s]")
    src.add_argument("--format", dest="fmt", choices=("auto", "nmtp", "ascii"), default="auto",
                     help="wire format of --port [auto]")
    src.add_argument("--baud", type=_baud, default=115200, metavar="N", help="baud rate of --port [115200]")
    src.add_argument("--unit", metavar="U", default=None,
                     help="unit of ASCII readings that carry none [N, said when such readings arrive]")
    who = p.add_argument_group("history")
    who.add_argument("--practitioner", metavar="NAME", default=None,
                     help=f"who is practising [${DEFAULT_PRACTITIONER_ENV}, else your login name]")
    who.add_argument("--no-history", action="store_true", help="do not store the result")
    who.add_argument("--record", metavar="FILE", default=None,
                     help="record the session (linked from the history)")
    who.add_argument("--overwrite", action="store_true", help="let --record replace an existing file")
    who.add_argument("--json", metavar="OUT", default=None, help="also write the score card as JSON")
    who.add_argument("--timeout", type=_seconds, metavar="S", default=60.0,
                     help="give up when the device sends nothing for S seconds [60]")
    add_band_arguments(p)


def _list_drills() -> int:
    from nmt_pressure.practice.spec import available_drills
    from nmt_pressure.practice.userdata import drills_dir

    drills, problems = available_drills(drills_dir())
    for d in drills.values():
        where = "" if d.source.startswith("bundled/") else f"  ({d.source})"
        print(f"{d.name:14s} {d.title}{where}")
        if d.description:
            print(f"{'':14s} {d.description}")
    print(f"\nyour own drills: {drills_dir()}/*.toml (the README's practice section shows the format)")
    for msg in problems:
        print(f"nmt-pressure: warning: {msg}", file=sys.stderr)
    return 0


def run_drill(args: argparse.Namespace) -> int:
    from nmt_pressure.cli.main import CommandError, config_from_args
    from nmt_pressure.practice.spec import find_drill
    from nmt_pressure.practice.userdata import drills_dir

    if args.list:
        return _list_drills()
    if args.name is None:
        raise CommandError("name a drill (e.g. `nmt-pressure drill consistency --sim`), or --list them.")
    try:
        drill = find_drill(args.name, drills_dir())
    except DrillError as exc:
        raise CommandError(str(exc)) from None
    if args.port is None and not args.sim and args.replay is None:
        raise CommandError("say where the force comes from: --port PORT, --sim, or --replay FILE.")
    if args.script is not None and not args.sim:
        raise CommandError("--script plays on the simulator; add --sim.")
    if args.sim_speed is not None and not args.sim:
        raise CommandError("--sim-speed sets up the built-in simulator: add --sim, or leave --sim-speed out.")
    if args.unit is not None:
        from nmt_pressure.cli.main import _check_unit

        _check_unit(args.unit)  # else the reader thread would meet it at the first bare reading
    practitioner = " ".join((args.practitioner or default_practitioner()).split())
    if not practitioner:
        raise CommandError("--practitioner is empty; give a name.")

    if args.replay is not None:
        return _replay_drill(args, drill)
    return _live_drill(args, drill, practitioner, config_from_args)


def _default_sim_speed(seconds: float) -> float:
    """Real time for a short drill; a long one sped up to take about SIM_WALL_S (one decimal)."""
    return 1.0 if seconds <= SIM_WALL_S else math.ceil(seconds / SIM_WALL_S * 10.0) / 10.0


def _sim_args(args: argparse.Namespace, drill: Any, folder: Path) -> list[str]:
    """The simulator's arguments for a drill: its hand (the user's script, or one generated from the
    drill that follows its prompts), started when the drill starts; says what it plays, and how fast."""
    from nmt_pressure.practice.simhand import hand_script

    if args.script:
        script, speed = args.script, args.sim_speed or 1.0
        what = f"the simulated hand plays {args.script}"
    else:
        hand = hand_script(drill, args.seed)
        script = str(folder / f"{drill.name}-hand.txt")
        Path(script).write_text(hand.text, encoding="utf-8")
        speed = args.sim_speed or _default_sim_speed(hand.duration)
        what = (f"a simulated hand follows the prompts (seed {args.seed}); the drill takes about "
                f"{hand.duration / speed:.0f} s")
    print(f"{what} at {speed:g}x real time (--sim-speed X to change).", flush=True)
    # --wait-for-host: the hand starts when the reader is connected, so script time is drill time.
    return ["--rate", str(args.rate), "--seed", str(args.seed), "--speed", f"{speed:g}", "--script", script,
            "--wait-for-host"]


def _replay_drill(args: argparse.Namespace, drill: Any) -> int:
    from nmt_pressure.cli.main import config_from_args
    from nmt_pressure.core.detector import estimate_sample_rate
    from nmt_pressure.io.recording import read_recording
    from nmt_pressure.io.rectypes import recorded_config
    from nmt_pressure.practice.engine import play_offline
    from nmt_pressure.practice.live import DrillView
    from nmt_pressure.practice.score import score_run

    rec = read_recording(args.replay)
    cfg = config_from_args(args, estimate_sample_rate(rec.t), recorded_config(rec.metadata))
    view: DrillView | None = None

    def prompt(p: Any) -> None:
        if view is not None:
            view.prompt(p)

    run = play_offline(drill, rec.t, rec.force_n, cfg, on_prompt=prompt)
    card = score_run(run)
    print(card.format())
    _write_card_json(args.json, card)
    return 0


def _live_drill(args: argparse.Namespace, drill: Any, practitioner: str, config_from_args: Any) -> int:
    from nmt_pressure.cli.main import CommandError
    from nmt_pressure.link.listeners import Listener
    from nmt_pressure.link.simproc import SimulatorError, SimulatorProcess
    from nmt_pressure.outputs.recorder import LiveRecorder, RecorderError
    from nmt_pressure.practice.history import History, HistoryError, now_iso
    from nmt_pressure.practice.live import play_live
    from nmt_pressure.practice.score import score_run
    from nmt_pressure.practice.userdata import history_path

    cfg = config_from_args(args, float(args.rate) if args.sim else None)
    history: History | None = None
    if not args.no_history:
        try:
            history = History(history_path())
        except HistoryError as exc:
            raise CommandError(str(exc)) from None
    sim: SimulatorProcess | None = None
    scratch = tempfile.TemporaryDirectory(prefix="nmt-drill-")
    try:
        port, fmt = args.port, args.fmt
        if args.sim:
            print(f"{drill.title}\n{drill.description}\n" if drill.description else drill.title, flush=True)
            sim = SimulatorProcess(_sim_args(args, drill, Path(scratch.name)))
            fmt = "nmtp"  # the simulator's own; its hand waits for the ID that an nmtp reader sends
            try:
                port = sim.start()
            except SimulatorError as exc:
                raise CommandError(str(exc)) from None
        extra: list[Listener] = []
        recorder = None
        if args.record:
            try:
                recorder = LiveRecorder(args.record, cfg, overwrite=args.overwrite, source=port)
            except RecorderError as exc:
                raise CommandError(str(exc)) from None
            extra.append(recorder)
        if not args.sim:
            print(f"{drill.title}\n{drill.description}\n" if drill.description else drill.title, flush=True)
        started = now_iso()
        run, summary = play_live(drill, port, cfg, extra=extra, fmt=fmt, baud=args.baud, unit=args.unit,
                                 idle_timeout=args.timeout)
        card = score_run(run)
        print()
        print(card.format())
        _write_card_json(args.json, card)
        if history is not None:
            device = summary.get("device") or ("simulator" if args.sim else str(port))
            sid = history.start_session(practitioner, device=str(device), started=started,
                                        recording=str(Path(args.record).resolve()) if args.record else None)
            history.add_result(sid, card)
            history.end_session(sid)
            print(f"saved for {practitioner} in {history.path}")
        return 0 if card.completed else 1
    finally:
        if sim is not None:
            sim.stop()
        scratch.cleanup()
        if history is not None:
            history.close()


def _write_card_json(path: str | None, card: Any) -> None:
    if path is None:
        return
    from nmt_pressure.analysis.report import to_json
    from nmt_pressure.cli.main import _write_text

    if path == "-":
        sys.stdout.write(to_json(card.to_dict()))
    else:
        _write_text(path, to_json(card.to_dict()))


# --------------------------------------------------------------------------------------------------
# history
# --------------------------------------------------------------------------------------------------

def configure_history(p: argparse.ArgumentParser) -> None:
    from nmt_pressure.cli.main import number_type

    p.add_argument("--practitioner", metavar="NAME", default=None, help="only this practitioner's results")
    p.add_argument("--drill", metavar="NAME", default=None, help="only this drill's results")
    p.add_argument("--export", metavar="FILE", default=None,
                   help="write the results to FILE: .csv or .json ('-' for CSV on standard output)")
    card_id = number_type("a result id", "a whole number", 1, lo_in=True, whole=True,
                          example="an id that `nmt-pressure history` lists")
    p.add_argument("--card", type=card_id, metavar="ID", default=None,
                   help="show one result's whole score card")


def run_history(args: argparse.Namespace) -> int:
    from nmt_pressure.analysis.report import to_json
    from nmt_pressure.cli.main import CommandError, _write_text
    from nmt_pressure.practice.history import History, HistoryError
    from nmt_pressure.practice.userdata import history_path

    path = history_path()
    if not path.exists():
        print(f"no practice history yet ({path}); `nmt-pressure drill NAME` makes one.")
        return 0
    try:
        with History(path) as h:
            if args.card is not None:
                sys.stdout.write(to_json(h.card(args.card)))
                return 0
            rows = h.results(args.practitioner, args.drill)
    except HistoryError as exc:
        raise CommandError(str(exc)) from None
    if args.export is not None:
        if args.export == "-" or args.export.lower().endswith(".csv"):
            text = History.export_csv(rows)
        elif args.export.lower().endswith(".json"):
            text = History.export_json(rows)
        else:
            raise CommandError(f"--export {args.export}: name a .csv or .json file (or '-' for CSV).")
        if args.export == "-":
            sys.stdout.write(text)
        else:
            _write_text(args.export, text)
            print(f"wrote {len(rows)} results to {args.export}")
        return 0
    if not rows:
        print("no results match.")
        return 0
    print(f"{'id':>4}  {'finished (UTC)':20s} {'practitioner':14s} {'drill':12s} {'score':>5}  "
          f"{'band':>4} {'steady':>6} {'ramp':>4} {'dur':>4}  work on")
    for r in rows:
        def pct(x: float | None) -> str:
            return "   -" if x is None else f"{x:4.0f}"
        done = "" if r.status == "completed" else f" ({r.status})"
        score = "    -" if r.score is None else f"{r.score:5.0f}"
        print(f"{r.result_id:4d}  {r.finished[:19]:20s} {r.practitioner[:14]:14s} {r.drill[:12]:12s} "
              f"{score}  {pct(r.time_in_band)} {pct(r.steadiness):>6} {pct(r.ramp_rate)} "
              f"{pct(r.hold_duration)}  {r.work_on or '-'}{done}")
    return 0


DRILL_HELP = ("practise: play a drill (prompts, countdown, band) and get a score card",
              "Play a practice drill on a device (--port), the simulator (--sim) or a recording "
              "(--replay): a prompt for each phase, a countdown, the band, and at the end a score card "
              "(time in band, CV per hold, ramp rate, hold duration, overall, what to work on), stored "
              "in the practice history.")
HISTORY_HELP = ("list and export practice results",
                "List the drill results in the practice history, or export them as CSV or JSON.")
