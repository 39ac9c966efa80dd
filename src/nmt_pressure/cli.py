"""The ``nmt-pressure`` command.

Each subcommand is a :class:`Command`: a function that adds its arguments to a parser and a function
that runs it and returns the exit status. Options several commands share (the band, the columns of a
recording) come from the ``add_*_arguments`` helpers, so ``monitor`` and ``dash`` spell them the same
way ``analyze`` does. Errors a user can cause end in one line on stderr and exit status 2, never a
traceback; Ctrl-C ends with 130.

``main(argv)`` returns the exit status instead of exiting, so tests call it in-process.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nmt_pressure import __version__
from nmt_pressure.config import ConfigError, DetectorConfig
from nmt_pressure.recording import UNITS, RecordingError, read_recording
from nmt_pressure.report import analysis_dict, format_report, to_json

__all__ = ["PROG", "Command", "CommandError", "add_band_arguments", "add_column_arguments",
           "build_parser", "config_from_args", "main"]

PROG = "nmt-pressure"

#: Exit statuses.
EXIT_OK = 0
EXIT_USAGE = 2  # argparse's own status for bad arguments; also every other user error
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a C tool piped into `head` would report


class CommandError(Exception):
    """A user error found by a command (not by the recording reader or the config): one sentence."""


@dataclass(frozen=True)
class Command:
    """A subcommand: its one-line help, how to add its arguments, and how to run it."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    description: str = ""


# --------------------------------------------------------------------------------------------------
# argument helpers shared by the subcommands
# --------------------------------------------------------------------------------------------------

def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (value > 0 and value != float("inf")):
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number")
    return value


def _fraction(text: str) -> float:
    """A fraction such as 0.1, or a percentage such as 10% (range checks are DetectorConfig's)."""
    t = text.strip()
    scale = 1.0
    if t.endswith("%"):
        t, scale = t[:-1].strip(), 0.01
    try:
        return float(t) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a fraction such as 0.1 or a percentage such "
                                         "as 10%") from None


def add_band_arguments(parser: argparse.ArgumentParser) -> None:
    """``--target`` and ``--tolerance``: the alert band, as the contract defines it."""
    default_tol = DetectorConfig.tolerance
    group = parser.add_argument_group("alert band")
    group.add_argument("--target", type=_positive_float, metavar="N", default=None,
                       help="fixed band centre in newtons (training to a set pressure); without it the "
                            "band follows each hold's own settled level")
    group.add_argument("--tolerance", type=_fraction, metavar="F", default=None,
                       help=f"band half-width as a fraction of its centre, e.g. 0.1 or 10%% "
                            f"[{default_tol:g}]")


def add_column_arguments(parser: argparse.ArgumentParser) -> None:
    """``--time-col``, ``--force-col`` and ``--unit``: reading other devices' CSV files."""
    group = parser.add_argument_group("recording columns (for other devices' files)")
    group.add_argument("--time-col", metavar="NAME", default=None,
                       help="name of the time column, in seconds [t_s]")
    group.add_argument("--force-col", metavar="NAME", default=None,
                       help="name of the force column [force_n]")
    group.add_argument("--unit", metavar="U", default=None,
                       help=f"unit of the force column: {'|'.join(UNITS)} (kg, g, lb: kilogram-, gram-, "
                            "pound-force; kgf and lbs also work) [N]")


def config_from_args(args: argparse.Namespace, sample_rate: float | None = None,
                     base: dict[str, Any] | None = None) -> DetectorConfig:
    """A validated DetectorConfig from the shared arguments over ``base`` (e.g. the configuration a
    recording was made with); raises CommandError naming the flag."""
    kwargs: dict[str, Any] = {k: v for k, v in (base or {}).items() if k in DetectorConfig.field_names()}
    if args.target is not None:
        kwargs["target"] = args.target
    if args.tolerance is not None:
        kwargs["tolerance"] = args.tolerance
    if sample_rate is not None:
        kwargs["sample_rate"] = sample_rate
    try:
        return DetectorConfig(**kwargs)
    except ConfigError as exc:
        raise CommandError(_flag_hint(str(exc))) from None


_FLAGS = {"tolerance": "--tolerance", "target": "--target", "sample_rate": "--rate"}


def _flag_hint(message: str) -> str:
    """Prefix a config message with the flag that sets the field it complains about."""
    for field, flag in _FLAGS.items():
        if message.startswith(field + " "):
            return f"invalid {flag}: {message}"
    return message


# --------------------------------------------------------------------------------------------------
# analyze
# --------------------------------------------------------------------------------------------------

def _configure_analyze(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="CSV recording (header row; '#' lines are metadata)")
    p.add_argument("--json", metavar="OUT", default=None,
                   help="write events and holds as JSON to OUT ('-' for standard output) instead of "
                        "printing the table")
    p.add_argument("--rate", type=_positive_float, metavar="HZ", default=None,
                   help="nominal sample rate [estimated from the timestamps]")
    add_band_arguments(p)
    add_column_arguments(p)


def _run_analyze(args: argparse.Namespace) -> int:
    from nmt_pressure.core import IMPLEMENTATION, analyze, estimate_sample_rate

    config_from_args(args, args.rate)  # bad flags fail before a large file is read
    if args.json not in (None, "-") and _same_file(args.json, args.file):
        raise CommandError(f"--json {args.json} would overwrite the recording being analysed; "
                           "choose another output file.")
    rec = read_recording(args.file, time_col=args.time_col, force_col=args.force_col, unit=args.unit)
    rate = args.rate if args.rate is not None else estimate_sample_rate(rec.t)
    # A live recording carries the detector configuration it was monitored with: replaying it with
    # the same settings gives exactly the live events. Flags given here still win.
    cfg = config_from_args(args, rate, _recorded_config(rec.metadata))
    result = analyze(rec.t, rec.force_n, cfg)

    if args.json is None:
        sys.stdout.write(format_report(
            source=args.file, samples=len(rec), duration=rec.duration, rate=rate,
            rate_note="given" if args.rate is not None else "estimated", cfg=cfg,
            events=result.events, holds=result.holds,
            peak_force=float(rec.force_n.max()) if len(rec) else None))
        return EXIT_OK

    meta = {
        "file": str(args.file),
        "samples": len(rec),
        "duration_s": rec.duration,
        "sample_rate_hz": rate,
        "sample_rate_source": "given" if args.rate is not None else "estimated",
        "time_col": rec.time_col,
        "force_col": rec.force_col,
        "unit": rec.unit,
        "implementation": IMPLEMENTATION,
        "version": __version__,
        "config": cfg.to_dict(),
    }
    text = to_json(analysis_dict(result.events, result.holds, meta))
    if args.json == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        _write_text(args.json, text)
        print(f"wrote {len(result.events)} events and {len(result.holds)} holds to {args.json}")
    return EXIT_OK


def _recorded_config(metadata: dict[str, str]) -> dict[str, Any] | None:
    from nmt_pressure.replay import recorded_config  # one definition, shared with the replayer

    return recorded_config(metadata)


def _same_file(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def _write_text(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot write {path} ({exc.strerror or exc}); check that its folder exists "
                           "and is writable.") from None


ANALYZE = Command(
    name="analyze",
    help="find holds, steps, releases and band alerts in a recording",
    description="Read a CSV recording and report its holds and events: a table, or JSON with --json.",
    configure=_configure_analyze,
    run=_run_analyze,
)

# --------------------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------------------

#: Files `report` picks up from a folder given as input (its own outputs are left out).
_REPORT_SUFFIXES = (".csv", ".json", ".txt", ".tsv")
_REPORT_OUTPUTS = (".holds.csv", ".holds.json", "holds_all.csv", "summary.json", ".events.jsonl")


def _configure_report(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", metavar="FILE", nargs="+",
                   help="recordings (our CSV, other devices' CSV, Tindeq and Grip-Connect exports); a folder "
                        "stands for the recordings in it")
    p.add_argument("--out", metavar="DIR", required=True,
                   help="folder for the tables, figures and index.html (created if missing)")
    p.add_argument("-j", "--jobs", type=int, metavar="N", default=None,
                   help=f"files analysed in parallel [{os.cpu_count() or 1}, the number of CPUs]")
    p.add_argument("--no-figures", action="store_true", help="tables only (faster)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--rate", type=_positive_float, metavar="HZ", default=None,
                   help="nominal sample rate [estimated from each file's timestamps]")
    add_band_arguments(p)
    add_column_arguments(p)


def _report_inputs(items: Sequence[str]) -> list[str]:
    files: list[str] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found = sorted(str(c) for c in path.iterdir()
                           if c.is_file() and c.suffix.lower() in _REPORT_SUFFIXES
                           and not c.name.endswith(_REPORT_OUTPUTS))
            if not found:
                raise CommandError(f"the folder {item} holds no recordings (.csv, .json, .txt, .tsv); "
                                   "give the files themselves or another folder.")
            files += found
        else:
            files.append(item)  # a missing or unreadable file is reported by name with the others
    return files


def _run_report(args: argparse.Namespace) -> int:
    from nmt_pressure.batch import Progress, ReportOptions, run_batch
    from nmt_pressure.batchpage import write_batch_outputs

    config_from_args(args, args.rate)  # bad flags fail before any file is read
    if args.jobs is not None and args.jobs < 1:
        raise CommandError(f"--jobs must be 1 or more, got {args.jobs}.")
    if args.unit is not None:
        from nmt_pressure.recording import unit_factor

        unit_factor(args.unit)
    files = _report_inputs(args.files)
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise CommandError(f"--out {args.out} is a file, not a folder; choose a folder for the "
                           "report.") from None
    except OSError as exc:
        raise CommandError(f"cannot create the folder {args.out} ({exc.strerror or exc}); choose a folder "
                           "you can write to.") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise CommandError(f"the folder {args.out} is not writable; choose a folder you can write to.")

    opts = ReportOptions(out_dir=str(out), time_col=args.time_col, force_col=args.force_col,
                         unit=args.unit, target=args.target, tolerance=args.tolerance, rate=args.rate,
                         figures=not args.no_figures)
    progress = Progress(len(files), enabled=not args.quiet)
    results = run_batch(files, opts, jobs=args.jobs or os.cpu_count() or 1, on_done=progress.update)
    try:
        summary = write_batch_outputs(out, results, figures=not args.no_figures)
    except OSError as exc:
        raise CommandError(f"cannot write the batch page into {args.out} ({exc.strerror or exc}); check that "
                           "the folder is writable and the disk has room.") from None
    failed = [r for r in results if not r.ok]
    print(f"reported {summary['files_reported']} of {len(results)} files ({summary['holds']} holds) into "
          f"{out / 'index.html'}")
    if failed:
        print(f"{PROG}: {len(failed)} of {len(results)} files could not be reported:", file=sys.stderr)
        for r in failed:
            print(f"  {r.source}: {' '.join((r.error or '').split())}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


REPORT = Command(
    name="report",
    help="per-hold tables, figures and an HTML page for many recordings",
    description="Analyse recordings in parallel and write, for each, a per-hold table (CSV and JSON) and a "
                "figure (PNG), plus index.html, summary.json and holds_all.csv for the whole batch. Files "
                "that cannot be read are reported by name; the others are reported all the same "
                "(exit status 2 if any failed).",
    configure=_configure_report,
    run=_run_report,
)

# --------------------------------------------------------------------------------------------------
# monitor, ports, sim
# --------------------------------------------------------------------------------------------------

def _configure_monitor(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", required=True, metavar="PORT",
                   help="device path (/dev/ttyUSB0, COM3) or pyserial URL (socket://127.0.0.1:5555)")
    p.add_argument("--format", dest="fmt", choices=("auto", "nmtp", "ascii"), default="auto",
                   help="wire format: nmtp (our devices), ascii (one reading a line) or auto [auto]")
    p.add_argument("--baud", type=int, default=115200, metavar="N", help="baud rate [115200]")
    p.add_argument("--duration", type=_positive_float, metavar="S", default=None,
                   help="stop after S seconds (exit 0); default: until Ctrl-C")
    p.add_argument("--record", metavar="FILE", default=None,
                   help="record to FILE (CSV that `analyze` reads; events in FILE.events.jsonl)")
    p.add_argument("--overwrite", action="store_true", help="let --record replace an existing file")
    p.add_argument("--summary-json", metavar="FILE", default=None,
                   help="write counters, latency and all events as JSON at exit")
    p.add_argument("--poll", metavar="QUERY", default=None,
                   help="send QUERY (e.g. '?') ten times a second, for gauges that answer one reading "
                        "per query")
    p.add_argument("--unit", metavar="U", default="N",
                   help=f"unit of ASCII readings that carry none: {'|'.join(UNITS)} [N]")
    add_band_arguments(p)
    _add_lsl_arguments(p)


def _add_lsl_arguments(parser: argparse.ArgumentParser) -> None:
    """``--lsl`` and ``--lsl-name`` (monitor and dash): Lab Streaming Layer output, off by default."""
    group = parser.add_argument_group("lab streaming layer (docs/LSL.md)")
    group.add_argument("--lsl", action="store_true",
                       help="publish the force and the events as LSL streams, for LabRecorder and other "
                            "LSL tools (opens network sockets; off by default)")
    group.add_argument("--lsl-name", metavar="NAME", default="nmt_pressure",
                       help="stream name prefix: NAME force, NAME events [nmt_pressure]")


def _lsl_name(args: argparse.Namespace) -> str | None:
    """The LSL stream name prefix if ``--lsl`` is on, else None; a bad name is a CommandError."""
    if not args.lsl:
        return None
    name = str(args.lsl_name).strip()
    if not name or not name.isprintable():
        raise CommandError(f"--lsl-name must be a printable name such as nmt_pressure, got "
                           f"{args.lsl_name!r}.")
    return name


def _run_monitor(args: argparse.Namespace) -> int:
    from nmt_pressure.live import MonitorError, run_monitor
    from nmt_pressure.recording import unit_factor
    from nmt_pressure.terminal_view import TerminalView

    cfg = config_from_args(args)
    if args.baud <= 0:
        raise CommandError(f"--baud must be a positive number, got {args.baud}.")
    try:
        unit_factor(args.unit)
    except RecordingError as exc:
        raise CommandError(f"invalid --unit: {exc}") from None
    try:
        return run_monitor(args.port, cfg, [TerminalView()], fmt=args.fmt, baud=args.baud,
                           duration=args.duration, record=args.record, overwrite=args.overwrite,
                           summary_json=args.summary_json, poll=args.poll, unit=args.unit,
                           lsl_name=_lsl_name(args))
    except MonitorError as exc:
        raise CommandError(str(exc)) from None


MONITOR = Command(
    name="monitor",
    help="watch a device live: force, holds, steps, releases and band alerts in the terminal",
    description="Read a load cell over a serial port or pyserial URL and report holds and alerts live.",
    configure=_configure_monitor,
    run=_run_monitor,
)


def _configure_ports(p: argparse.ArgumentParser) -> None:
    pass


def _run_ports(args: argparse.Namespace) -> int:
    from nmt_pressure.transport import list_ports

    ports = list_ports()
    if not ports:
        print("no serial ports found (a USB device may need its cable plugged in, or a driver); the "
              "simulator is at hand with `nmt-pressure sim`.")
    for dev, desc, hwid in ports:
        print(f"{dev:20s} {desc}  [{hwid}]")
    return EXIT_OK


PORTS = Command(name="ports", help="list serial ports", configure=_configure_ports, run=_run_ports)


def _configure_sim(p: argparse.ArgumentParser) -> None:
    pass  # main() hands `sim …` to the simulator's own parser before this one sees it


def _run_sim(args: argparse.Namespace) -> int:  # pragma: no cover - main() intercepts `sim`
    return EXIT_USAGE


SIM = Command(name="sim", help="start the simulated device (same as python -m firmware_sim)",
              configure=_configure_sim, run=_run_sim, description="Start the simulated load-cell device.")

# --------------------------------------------------------------------------------------------------
# dash
# --------------------------------------------------------------------------------------------------

def _configure_dash(p: argparse.ArgumentParser) -> None:
    src = p.add_argument_group("source (one of; none: choose in the window)")
    ex = src.add_mutually_exclusive_group()
    ex.add_argument("--port", metavar="PORT", default=None,
                    help="device path (/dev/ttyUSB0, COM3) or pyserial URL (socket://127.0.0.1:5555)")
    ex.add_argument("--sim", action="store_true",
                    help="start the built-in simulated device (python -m firmware_sim) and watch it")
    ex.add_argument("--replay", metavar="FILE", default=None,
                    help="replay a recording through the same core (as `analyze` reads it)")
    src.add_argument("--rate", type=int, metavar="HZ", default=1000,
                     help="the simulator's sample rate, 1 to 4000 [1000]")
    src.add_argument("--scenario", metavar="NAME", default="session",
                     help="the simulator's scenario (session, tppr, steady, drift, idle) [session]")
    src.add_argument("--script", metavar="FILE", default=None,
                     help="play a firmware_sim script on the simulator instead of a scenario")
    src.add_argument("--seed", type=int, default=0, help="the simulator's seed [0]")
    src.add_argument("--speed", choices=("1", "4", "max"), default="1",
                     help="replay speed: real time, four times, or as fast as the core runs [1]")
    src.add_argument("--format", dest="fmt", choices=("auto", "nmtp", "ascii"), default="auto",
                     help="wire format of --port [auto]")
    src.add_argument("--baud", type=int, default=115200, metavar="N", help="baud rate of --port [115200]")
    add_band_arguments(p)
    view = p.add_argument_group("display")
    view.add_argument("--window", type=_positive_float, metavar="S", default=30.0,
                      help="seconds of force the plot shows, 5 to 60 [30]")
    view.add_argument("--goal", type=_positive_float, metavar="S", default=None,
                      help="hold goal duration marked on the hold timer [remembered; 20]")
    view.add_argument("--display-unit", choices=("N", "kg", "lb"), default=None,
                      help="unit of the readouts and the force axis [remembered; N]")
    view.add_argument("--mute", action="store_true", help="start with the alert sound muted")
    run = p.add_argument_group("recording and unattended runs")
    run.add_argument("--record", metavar="FILE", default=None,
                     help="record the live session from the start (CSV that `analyze` reads)")
    run.add_argument("--overwrite", action="store_true", help="let --record replace an existing file")
    run.add_argument("--duration", type=_positive_float, metavar="S", default=None,
                     help="close after S seconds (exit 0), e.g. with --screenshot and --summary-json")
    run.add_argument("--screenshot", metavar="PNG", default=None,
                     help="at the end of --duration, save the window as a PNG image")
    run.add_argument("--summary-json", metavar="FILE", default=None,
                     help="at the end of --duration, write fps, CPU, the link's counters and all events")
    _add_lsl_arguments(p)


def _run_dash(args: argparse.Namespace) -> int:
    from nmt_pressure.dashboard.app import DashError, screen_problem

    problem = screen_problem()  # before anything else: without a display Qt would abort
    if problem:
        raise CommandError(problem)
    if args.sim and not 1 <= args.rate <= 4000:
        raise CommandError(f"--rate must be a whole number from 1 to 4000 Hz, got {args.rate}.")
    if args.baud <= 0:
        raise CommandError(f"--baud must be a positive number, got {args.baud}.")
    if not 5.0 <= args.window <= 60.0:
        raise CommandError(f"--window must be from 5 to 60 seconds, got {args.window:g}.")
    if args.script and not Path(args.script).is_file():
        raise CommandError(f"--script {args.script} does not exist; give a firmware_sim script file.")
    if args.record and args.replay:
        raise CommandError("--record records a live device; a replay is a recording already.")
    if args.lsl and args.replay:
        raise CommandError("--lsl publishes a live device (or --sim); a replay is not streamed to LSL.")
    args.lsl_name = _lsl_name(args) or args.lsl_name
    for flag, path in (("--screenshot", args.screenshot), ("--summary-json", args.summary_json)):
        if path and not Path(path).resolve().parent.is_dir():
            raise CommandError(f"cannot write {flag} {path}: its folder does not exist.")
    if args.record and Path(args.record).exists() and not args.overwrite:
        raise CommandError(f"{args.record} already exists; choose another file name or pass "
                           "--overwrite to replace it.")
    band: dict[str, Any] | None = None
    if args.target is not None or args.tolerance is not None:
        band = {}
        if args.target is not None:
            band["target"] = args.target
        if args.tolerance is not None:
            band["tolerance"] = args.tolerance
    rec = rcfg = None
    if args.replay:
        from nmt_pressure.core import estimate_sample_rate

        rec = read_recording(args.replay)
        # exactly what `analyze FILE` would use: the recording's own settings, the flags over them
        rcfg = config_from_args(args, estimate_sample_rate(rec.t), _recorded_config(rec.metadata))
    cfg = config_from_args(args, float(args.rate) if args.sim else None)
    from nmt_pressure.dashboard.app import run_dash

    try:
        return run_dash(args, cfg, band, rec, rcfg)
    except DashError as exc:
        raise CommandError(str(exc)) from None


DASH = Command(
    name="dash",
    help="the dashboard: live force, target band, hold timer, alerts and hold table in a window",
    description="Watch a device, the built-in simulator or a recording in a window: the force with its "
                "target band, large readouts, a hold timer, loud band alerts and a table of holds.",
    configure=_configure_dash,
    run=_run_dash,
)

#: Every subcommand, in the order `--help` lists them.
COMMANDS: tuple[Command, ...] = (ANALYZE, REPORT, MONITOR, DASH, PORTS, SIM)


# --------------------------------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------------------------------

def build_parser(commands: Sequence[Command] = COMMANDS) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Pressure-hold monitor for neuromuscular therapy: holds, steps, releases and band "
                    "alerts from a load cell.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for cmd in commands:
        p = sub.add_parser(cmd.name, help=cmd.help, description=cmd.description or cmd.help)
        cmd.configure(p)
        p.set_defaults(_run=cmd.run)
    return parser


def _error(message: str) -> None:
    text = " ".join(str(message).split())  # always one line
    print(f"{PROG}: error: {text}", file=sys.stderr)


def _quiet_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the interpreter's final flush stays silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout replaced (tests) or already closed
        pass


def main(argv: list[str] | None = None) -> int:
    """Run ``nmt-pressure`` with ``argv`` (default: the process's arguments); return the exit status."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        if argv[:1] == ["sim"]:  # every option belongs to the simulator: hand them over untouched
            from firmware_sim.__main__ import main as sim_main

            return int(sim_main(argv[1:]) or 0)
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help, --version, or a usage error argparse already printed
            return exc.code if isinstance(exc.code, int) else (EXIT_OK if exc.code is None else EXIT_USAGE)
        run: Callable[[argparse.Namespace], int] | None = getattr(args, "_run", None)
        if run is None:
            parser.print_usage(sys.stderr)
            _error(f"choose a command: {', '.join(c.name for c in COMMANDS)} (see {PROG} --help).")
            return EXIT_USAGE
        return run(args)
    except (RecordingError, ConfigError, CommandError) as exc:
        _error(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
