"""``nmt-pressure drill NAME``: play a practice drill (prompts, countdown, band) and print its score card.

The source is a device (--port), the built-in simulator with a simulated hand that follows the
prompts (--sim), or a recording scored as if played live (--replay); a live result is stored in the
practice history. The drill engine, scoring and history are practice/'s; this module wires them to
the command line.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path
from typing import Any

from nmt_pressure.analysis.report import to_json
from nmt_pressure.argtypes import baud, seconds, seed
from nmt_pressure.cli.common import (
    Command,
    CommandError,
    add_band_arguments,
    check_unit,
    config_from_args,
    sim_rate,
    sim_speed,
    write_text,
)
from nmt_pressure.io.recording import read_recording
from nmt_pressure.io.rectypes import recorded_config
from nmt_pressure.practice.spec import DrillError
from nmt_pressure.practice.userdata import DEFAULT_PRACTITIONER_ENV, default_practitioner

__all__ = ["COMMAND", "configure", "run"]

#: ``--sim`` without --sim-speed: a drill longer than this (s) is sped up to take about this long.
SIM_WALL_S = 60.0


def configure(p: argparse.ArgumentParser) -> None:
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
    src.add_argument("--rate", type=sim_rate, metavar="HZ", default=200,
                     help="the simulator's sample rate [200]")
    src.add_argument("--script", metavar="FILE", default=None,
                     help="the simulator plays this firmware_sim script (a practice run done for you)")
    src.add_argument("--seed", type=seed, default=0, help="the simulator's seed [0]")
    src.add_argument("--sim-speed", type=sim_speed, metavar="X", default=None,
                     help="run the simulated device and the drill X times faster than real time [1; a "
                          f"drill longer than {SIM_WALL_S:g} s: what plays it in about {SIM_WALL_S:g} s]")
    src.add_argument("--format", dest="fmt", choices=("auto", "nmtp", "ascii"), default="auto",
                     help="wire format of --port [auto]")
    src.add_argument("--baud", type=baud, default=115200, metavar="N", help="baud rate of --port [115200]")
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
    who.add_argument("--timeout", type=seconds, metavar="S", default=60.0,
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


def run(args: argparse.Namespace) -> int:
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
    check_unit(args.unit)  # else the reader thread would meet it at the first bare reading
    practitioner = " ".join((args.practitioner or default_practitioner()).split())
    if not practitioner:
        raise CommandError("--practitioner is empty; give a name.")

    if args.replay is not None:
        return _replay_drill(args, drill)
    return _live_drill(args, drill, practitioner)


def _default_sim_speed(duration: float) -> float:
    """Real time for a short drill; a long one sped up to take about SIM_WALL_S (one decimal)."""
    return 1.0 if duration <= SIM_WALL_S else math.ceil(duration / SIM_WALL_S * 10.0) / 10.0


def _sim_args(args: argparse.Namespace, drill: Any, folder: Path) -> list[str]:
    """The simulator's arguments for a drill: its hand (the user's script, or one generated from the
    drill that follows its prompts), started when the drill starts; says what it plays, and how fast."""
    from nmt_pressure.link.simproc import simulator_args
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
    return [*simulator_args(args.rate, seed=args.seed, script=script, speed=speed), "--wait-for-host"]


def _replay_drill(args: argparse.Namespace, drill: Any) -> int:
    from nmt_pressure.core.detector import estimate_sample_rate
    from nmt_pressure.practice.engine import play_offline
    from nmt_pressure.practice.live import DrillView
    from nmt_pressure.practice.score import score_run

    rec = read_recording(args.replay)
    cfg = config_from_args(args, estimate_sample_rate(rec.t), recorded_config(rec.metadata))
    view: DrillView | None = None

    def prompt(p: Any) -> None:
        if view is not None:
            view.prompt(p)

    played = play_offline(drill, rec.t, rec.force_n, cfg, on_prompt=prompt)
    card = score_run(played)
    print(card.format())
    _write_card_json(args.json, card)
    return 0


def _live_drill(args: argparse.Namespace, drill: Any, practitioner: str) -> int:
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
        played, summary = play_live(drill, port, cfg, extra=extra, fmt=fmt, baud=args.baud, unit=args.unit,
                                    idle_timeout=args.timeout)
        card = score_run(played)
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
    if path == "-":
        sys.stdout.write(to_json(card.to_dict()))
    else:
        write_text(path, to_json(card.to_dict()))


COMMAND = Command(
    name="drill",
    help="practise: play a drill (prompts, countdown, band) and get a score card",
    description="Play a practice drill on a device (--port), the simulator (--sim) or a recording "
                "(--replay): a prompt for each phase, a countdown, the band, and at the end a score card "
                "(time in band, CV per hold, ramp rate, hold duration, overall, what to work on), stored "
                "in the practice history.",
    configure=configure,
    run=run,
)
