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
import math
import os
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from firmware_sim.__main__ import RATE_MAX as SIM_RATE_MAX
from firmware_sim.__main__ import RATE_MIN as SIM_RATE_MIN
from firmware_sim.__main__ import SPEED_MAX as SIM_SPEED_MAX
from nmt_pressure._version import __version__
from nmt_pressure.analysis.report import analysis_dict, format_report, to_json
from nmt_pressure.cli import practice as cli_practice
from nmt_pressure.core.config import TARGET_MAX, ConfigError, DetectorConfig
from nmt_pressure.extras import MissingExtraError, require
from nmt_pressure.io.recording import UNITS, RecordingError, read_recording
from nmt_pressure.logs import cli_logging

__all__ = ["PROG", "Command", "CommandError", "add_band_arguments", "add_column_arguments",
           "build_parser", "config_from_args", "main"]

PROG = "nmt-pressure"

#: Exit statuses.
EXIT_OK = 0
EXIT_USAGE = 2  # argparse's own status for bad arguments; also every other user error
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a C tool piped into `head` would report


#: Highest nominal sample rate a flag accepts (Hz): far above any load cell, low enough to be a typo.
RATE_MAX_HZ = 1e6
#: Baud rates a flag accepts: from the slowest teletype rates to the fastest USB-serial chips.
BAUD_MIN, BAUD_MAX = 50, 12_000_000
#: Plot window and hold goal of the dashboard (s).
WINDOW_MIN_S, WINDOW_MAX_S = 5.0, 60.0
GOAL_MIN_S, GOAL_MAX_S = 3.0, 120.0


class CommandError(Exception):
    """A user error found by a command (not by the recording reader or the config): one sentence."""


#: What argparse should take for a (negative) number rather than an option: -5, -.5, -1e3, -10%.
_NEGATIVE_NUMBER = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?%?$")


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: its usage block would make every typo several lines long.

    Subparsers inherit the class, so ``nmt-pressure monitor --baud x`` answers in one line too.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A negative value such as -10% or -1e3 after a number option is the user's value, for the
        # option's type to refuse with its range; argparse itself only takes -5 and -.5 for numbers
        # and would call -10% an option ("expected one argument"), hiding what was typed.
        self._negative_number_matcher = _NEGATIVE_NUMBER

    def error(self, message: str) -> NoReturn:
        text = " ".join(message.split()).rstrip(".")
        self.exit(EXIT_USAGE, f"{self.prog}: error: {text}; see {self.prog} --help.\n")


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

def _num(x: float) -> str:
    """A range limit as a person writes it: 1000000, not 1e+06."""
    return f"{x:.0f}" if float(x).is_integer() else f"{x:g}"


def _range_text(lo: float, hi: float, lo_in: bool, hi_in: bool) -> str:
    """``from 5 to 60``, ``above 0 and at most 1000000``, ``above 0``, ``of 1 or more`` (or '')."""
    low = "" if lo == -math.inf else (f"from {_num(lo)}" if lo_in else f"above {_num(lo)}")
    if hi == math.inf:
        return f"of {_num(lo)} or more" if lo_in and lo != -math.inf else low
    if lo_in and hi_in:
        return f"from {_num(lo)} to {_num(hi)}"
    high = f"at most {_num(hi)}" if hi_in else f"below {_num(hi)}"
    return f"{low} and {high}" if low else high


def number_type(noun: str, kind: str, lo: float = -math.inf, hi: float = math.inf, *, lo_in: bool = False,
                hi_in: bool = True, whole: bool = False, example: str = "") -> Callable[[str], Any]:
    """An argparse type for a number in a range whose error quotes what was typed and says the range,
    e.g. ``'3' is not a plot window; use a number of seconds from 5 to 60``."""
    span = _range_text(lo, hi, lo_in, hi_in)
    accepted = " ".join(x for x in (kind, span) if x) + (f", such as {example}" if example else "")

    def parse(text: str) -> Any:
        value: float
        try:
            value = int(text.strip()) if whole else float(text)
        except ValueError:
            value = math.nan
        inside = math.isfinite(value) and (value >= lo if lo_in else value > lo) and \
            (value <= hi if hi_in else value < hi)  # NaN fails every comparison
        if not inside:
            raise argparse.ArgumentTypeError(f"{text!r} is not {noun}; use {accepted}")
        return value

    parse.__name__ = noun  # what argparse would call the type in its own messages
    return parse


#: The number options, each with the range it accepts (what its error says when a value is outside).
_positive_float = number_type("a number above 0", "a number", 0.0)
_seconds = number_type("a length of time", "a number of seconds", 0.0)
_sample_rate = number_type("a load cell's sample rate", "a number of Hz", 0.0, RATE_MAX_HZ, example="1000")
_target = number_type("a target force", "a force in newtons", 0.0, TARGET_MAX, example="30")
_sim_rate = number_type("a rate the simulator runs at", "a whole number of Hz", SIM_RATE_MIN, SIM_RATE_MAX,
                        lo_in=True, whole=True, example="1000 (an HX711 does 10 or 80)")
_seed = number_type("a seed", "a whole number", whole=True, example="0")
_jobs = number_type("a number of parallel jobs", "a whole number", 1, lo_in=True, whole=True)
_sim_speed = number_type("a speed-up of the simulator's clock", "a factor", 0.0, SIM_SPEED_MAX, example="10")
_window = number_type("a plot window", "a number of seconds", WINDOW_MIN_S, WINDOW_MAX_S, lo_in=True)
_goal = number_type("a hold goal", "a number of seconds", GOAL_MIN_S, GOAL_MAX_S, lo_in=True)


def _baud(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not BAUD_MIN <= value <= BAUD_MAX:
        raise argparse.ArgumentTypeError(f"{text!r} is not a baud rate; use a whole number such as 9600 or "
                                         f"115200 (from {BAUD_MIN} to {BAUD_MAX})")
    return value


def _fraction(text: str) -> float:
    """A band half-width: a fraction above 0 and below 1 such as 0.1, or a percentage such as 10%."""
    t = text.strip()
    scale = 1.0
    if t.endswith("%"):
        t, scale = t[:-1].strip(), 0.01
    try:
        value = float(t) * scale
    except ValueError:
        value = math.nan
    if 0.0 < value < 1.0:
        return value
    if scale == 1.0 and 1.0 <= value < 100.0:  # "10" meant as ten percent
        raise argparse.ArgumentTypeError(f"{text!r} is not a band half-width (a fraction is below 1); for "
                                         f"{value:g} percent write {value / 100:g} or {value:g}%")
    raise argparse.ArgumentTypeError(f"{text!r} is not a band half-width; use a fraction above 0 and below 1 "
                                     "such as 0.1, or a percentage above 0 and below 100 such as 10%")


def add_band_arguments(parser: argparse.ArgumentParser) -> None:
    """``--target`` and ``--tolerance``: the alert band, as the contract defines it."""
    default_tol = DetectorConfig.tolerance
    group = parser.add_argument_group("alert band")
    group.add_argument("--target", type=_target, metavar="N", default=None,
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
                     base: dict[str, Any] | None = None, base_source: str = "the recording"
                     ) -> DetectorConfig:
    """A validated DetectorConfig from the shared arguments over ``base`` (e.g. the configuration a
    recording was made with, read from ``base_source``); raises CommandError naming the flag, or the
    recording when its own settings are part of the problem."""
    kwargs: dict[str, Any] = {k: v for k, v in (base or {}).items() if k in DetectorConfig.field_names()}
    if args.tolerance is not None and args.tolerance >= 1.0:  # "10" meant as ten percent
        raise CommandError(f"invalid --tolerance: {args.tolerance:g} is not a fraction below 1; for ten "
                           "percent write 0.1 or 10%.")
    if args.target is not None:
        kwargs["target"] = args.target
    if args.tolerance is not None:
        kwargs["tolerance"] = args.tolerance
    if sample_rate is not None:
        kwargs["sample_rate"] = sample_rate
    try:
        return DetectorConfig(**kwargs)
    except ConfigError as exc:
        message = _flag_hint(str(exc))
        if base:
            # The user gave no such field: without this the message would name a mystery.
            message = (f"{message.rstrip('.')} (with the detector settings recorded in {base_source}; "
                       "fix or delete its '# detector_config:' line to use the defaults).")
        raise CommandError(message) from None


_FLAGS = {"tolerance": "--tolerance", "target": "--target", "sample_rate": "--rate"}


def _flag_hint(message: str) -> str:
    """Prefix a config message with the flag that sets the field it complains about."""
    for field, flag in _FLAGS.items():
        if message.startswith(field + " "):
            return f"invalid {flag}: {message}"
    return message


def _check_unit(unit: str | None) -> None:
    """``--unit`` names a force unit we know (before any file is read or port opened)."""
    if unit is None:
        return
    from nmt_pressure.io.recording import unit_factor

    try:
        unit_factor(unit)
    except RecordingError as exc:
        raise CommandError(f"invalid --unit: {exc}") from None


def check_output(flag: str, path: str | os.PathLike[str]) -> None:
    """Fail before the work starts if ``flag path`` could not be written at the end of it.

    A folder that is missing, read-only (a read-only mount; permission bits do not stop root) or not a
    folder would otherwise cost a whole session before anyone noticed. The probe is a nameless
    temporary file, so nothing is left behind, and it asks the file system itself rather than
    ``os.access`` (which root passes whatever the mode bits say).
    """
    p = Path(path)
    if p.is_dir():
        raise CommandError(f"{flag} {path} is a folder; give a file name in it.")
    folder = p.parent
    if not folder.is_dir():
        raise CommandError(f"cannot write {flag} {path}: its folder {folder} does not exist.")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise CommandError(f"cannot write {flag} {path}: its folder is not writable ({exc.strerror or exc}); "
                           "choose another folder.") from None
    if p.exists() and not os.access(p, os.W_OK):
        raise CommandError(f"cannot write {flag} {path}: the file is read-only; choose another name.")


# --------------------------------------------------------------------------------------------------
# analyze
# --------------------------------------------------------------------------------------------------

def _configure_analyze(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="CSV recording (header row; '#' lines are metadata)")
    p.add_argument("--json", metavar="OUT", default=None,
                   help="write events and holds as JSON to OUT ('-' for standard output) instead of "
                        "printing the table")
    p.add_argument("--rate", type=_sample_rate, metavar="HZ", default=None,
                   help="nominal sample rate [estimated from the timestamps]")
    add_band_arguments(p)
    add_column_arguments(p)


def _run_analyze(args: argparse.Namespace) -> int:
    from nmt_pressure.core.detector import IMPLEMENTATION, analyze, estimate_sample_rate

    config_from_args(args, args.rate)  # bad flags fail before a large file is read
    _check_unit(args.unit)
    if args.json not in (None, "-"):
        if _same_file(args.json, args.file):
            raise CommandError(f"--json {args.json} would overwrite the recording being analysed; "
                               "choose another output file.")
        check_output("--json", args.json)  # nor does an unwritable folder wait for the analysis
    rec = read_recording(args.file, time_col=args.time_col, force_col=args.force_col, unit=args.unit)
    rate = args.rate if args.rate is not None else estimate_sample_rate(rec.t)
    # A live recording carries the detector configuration it was monitored with: replaying it with
    # the same settings gives exactly the live events. Flags given here still win.
    cfg = config_from_args(args, rate, _recorded_config(rec.metadata), args.file)
    result = analyze(rec.t, rec.force_n, cfg)

    if args.json is None:
        sys.stdout.write(format_report(
            source=args.file, samples=len(rec), duration=rec.duration, rate=rate,
            rate_note="given" if args.rate is not None else "estimated", cfg=cfg,
            events=result.events, holds=result.holds,
            peak_force=float(rec.force_n.max()) if len(rec) else None, unit_note=rec.unit_note()))
        return EXIT_OK
    if rec.unit_assumed:  # the JSON says so too, but a person reads the terminal
        print(f"{PROG}: note: {args.file}: force in {rec.unit_note()}.", file=sys.stderr)

    meta = {
        "file": str(args.file),
        "samples": len(rec),
        "duration_s": rec.duration,
        "sample_rate_hz": rate,
        "sample_rate_source": "given" if args.rate is not None else "estimated",
        "time_col": rec.time_col,
        "force_col": rec.force_col,
        "unit": rec.unit,
        "unit_source": rec.unit_source,
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
    from nmt_pressure.io.rectypes import recorded_config  # one definition, shared with the replayer

    return recorded_config(metadata)


def _same_file(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def _same_output(path: str, record: str) -> bool:
    """``path`` is the recording ``record`` or its events sidecar (``FILE.events.jsonl``)."""
    return _same_file(path, record) or _same_file(path, record + ".events.jsonl")


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

def _configure_report(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", metavar="FILE", nargs="+",
                   help="recordings (our CSV, other devices' CSV, Tindeq and Grip-Connect exports); a folder "
                        "stands for the recordings in it")
    p.add_argument("--out", metavar="DIR", required=True,
                   help="folder for the tables, figures and index.html (created if missing)")
    p.add_argument("-j", "--jobs", type=_jobs, metavar="N", default=None,
                   help=f"files analysed in parallel [{os.cpu_count() or 1}, the number of CPUs]")
    p.add_argument("--no-figures", action="store_true", help="tables only (faster)")
    p.add_argument("--format", dest="table_format", choices=("csv", "parquet"), default="csv",
                   help="csv, or parquet to write every table also as Parquet beside its CSV "
                        "(STEM.holds.parquet, holds_all.parquet: the exact doubles; needs the data "
                        "extra) [csv]")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--rate", type=_sample_rate, metavar="HZ", default=None,
                   help="nominal sample rate [estimated from each file's timestamps]")
    add_band_arguments(p)
    add_column_arguments(p)


def _report_inputs(items: Sequence[str], time_col: str | None, force_col: str | None) -> list[str]:
    from nmt_pressure.analysis.batch import no_recordings_message, scan_folder, skipped_note

    files: list[str] = []
    scans = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            # A folder stands for the recordings in it: sidecars beside them (labels, summaries, this
            # report's outputs) are skipped and counted, not reported as broken recordings.
            scan = scan_folder(path, time_col, force_col)
            if not scan.recordings:
                raise CommandError(no_recordings_message(scan))
            scans.append(scan)
            files += scan.recordings
        else:
            files.append(item)  # a missing or unreadable file is reported by name with the others
    note = skipped_note(scans)
    if note:
        print(f"{PROG}: {note}", file=sys.stderr)
    return files


def _refuse_overwriting_inputs(files: Sequence[str], out: Path, out_arg: str) -> None:
    """The report's files are derived and refreshed on every run; a recording never is.

    An input that sits in ``--out`` under one of the names the report writes (``summary.json``,
    ``STEM.holds.csv``, ...) would be replaced by its own report: refuse before anything is written.
    """
    from nmt_pressure.analysis.batch import output_stems

    names = ["index.html", "summary.json", "holds_all.csv", "holds_all.parquet", "distributions.png"]
    for stem in output_stems(files):
        names += [f"{stem}.holds.csv", f"{stem}.holds.json", f"{stem}.holds.parquet", f"{stem}.png"]
    written = {(out / n).resolve() for n in names}
    for f in files:
        if Path(f).resolve() in written:
            raise CommandError(f"the report would overwrite its input {f} (it writes a file of that name "
                               f"into {out_arg}); choose another --out folder.")


def _run_report(args: argparse.Namespace) -> int:
    from nmt_pressure.analysis.batch import Progress, ReportOptions, run_batch
    from nmt_pressure.analysis.batchpage import write_batch_outputs

    config_from_args(args, args.rate)  # bad flags fail before any file is read
    _check_unit(args.unit)
    # The extras a report needs are checked here, before any file is read or written, not once per file
    # in the workers.
    if not args.no_figures:
        require("matplotlib", "report", "`report` with figures", instead="use --no-figures")
    parquet = args.table_format == "parquet"
    if parquet:
        require("pyarrow.parquet", "data", "`report --format parquet`")
    files = _report_inputs(args.files, args.time_col, args.force_col)
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
    _refuse_overwriting_inputs(files, out, args.out)

    opts = ReportOptions(out_dir=str(out), time_col=args.time_col, force_col=args.force_col,
                         unit=args.unit, target=args.target, tolerance=args.tolerance, rate=args.rate,
                         figures=not args.no_figures, parquet=parquet)
    progress = Progress(len(files), enabled=not args.quiet)
    results = run_batch(files, opts, jobs=args.jobs or os.cpu_count() or 1, on_done=progress.update)
    try:
        summary = write_batch_outputs(out, results, figures=not args.no_figures, parquet=parquet)
    except OSError as exc:
        raise CommandError(f"cannot write the batch page into {args.out} ({exc.strerror or exc}); check that "
                           "the folder is writable and the disk has room.") from None
    for r in results:
        if r.unit_assumed:  # in index.html too, but a person reads the terminal
            print(f"{PROG}: note: {r.source}: force in {r.unit_assumed}.", file=sys.stderr)
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
    p.add_argument("--baud", type=_baud, default=115200, metavar="N", help="baud rate [115200]")
    p.add_argument("--duration", type=_seconds, metavar="S", default=None,
                   help="stop after S seconds (exit 0); default: until Ctrl-C")
    p.add_argument("--record", metavar="FILE", default=None,
                   help="record to FILE (CSV that `analyze` reads; events in FILE.events.jsonl)")
    p.add_argument("--overwrite", action="store_true", help="let --record replace an existing file")
    p.add_argument("--summary-json", metavar="FILE", default=None,
                   help="write counters, latency and all events as JSON at exit")
    p.add_argument("--poll", metavar="QUERY", default=None,
                   help="send QUERY (e.g. '?') ten times a second, for gauges that answer one reading "
                        "per query")
    p.add_argument("--unit", metavar="U", default=None,
                   help=f"unit of ASCII readings that carry none: {'|'.join(UNITS)} [N, said when such "
                        "readings arrive]")
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
    from nmt_pressure.outputs.live import MonitorError, run_monitor
    from nmt_pressure.outputs.terminal_view import TerminalView

    cfg = config_from_args(args)
    _check_unit(args.unit)
    if args.poll is not None:
        if not args.poll.strip() or not args.poll.isprintable():
            raise CommandError(f"--poll needs the query the gauge answers, such as '?', got {args.poll!r}.")
        if args.fmt == "nmtp":
            raise CommandError("--poll is for ASCII gauges that answer queries; our devices (--format nmtp) "
                               "stream by themselves.")
    if args.record:
        check_output("--record", args.record)
    if args.summary_json:
        if args.record and _same_output(args.summary_json, args.record):
            raise CommandError(f"--summary-json {args.summary_json} would overwrite the recording "
                               f"(--record {args.record}); choose another file name.")
        check_output("--summary-json", args.summary_json)
    try:
        return run_monitor(args.port, cfg, [TerminalView(cfg=cfg)], fmt=args.fmt, baud=args.baud,
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
    from nmt_pressure.link.transport import list_ports

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
    # Defaults of the source-specific options are None here and filled in by _run_dash, so that an
    # option given for another source (--rate with --port) is told apart from the default.
    src.add_argument("--rate", type=_sim_rate, metavar="HZ", default=None,
                     help="the simulator's sample rate, 1 to 4000 [1000]")
    src.add_argument("--scenario", metavar="NAME", default=None,
                     help="the simulator's scenario (session, tppr, steady, drift, idle) [session]")
    src.add_argument("--script", metavar="FILE", default=None,
                     help="play a firmware_sim script on the simulator instead of a scenario")
    src.add_argument("--seed", type=_seed, default=None, help="the simulator's seed [0]")
    src.add_argument("--sim-speed", type=_sim_speed, metavar="X", default=None,
                     help="run the simulator's device clock X times faster than real time (demos of "
                          "long drills, tests) [1]")
    src.add_argument("--speed", choices=("1", "4", "max"), default=None,
                     help="replay speed: real time, four times, or as fast as the core runs [1]")
    src.add_argument("--format", dest="fmt", choices=("auto", "nmtp", "ascii"), default=None,
                     help="wire format of --port [auto]")
    src.add_argument("--baud", type=_baud, default=None, metavar="N", help="baud rate of --port [115200]")
    add_band_arguments(p)
    view = p.add_argument_group("display")
    view.add_argument("--window", type=_window, metavar="S", default=30.0,
                      help="seconds of force the plot shows, 5 to 60 [30]")
    view.add_argument("--goal", type=_goal, metavar="S", default=None,
                      help="hold goal duration marked on the hold timer [remembered; 20]")
    view.add_argument("--display-unit", choices=("N", "kg", "lb"), default=None,
                      help="unit of the readouts and the force axis [remembered; N]")
    view.add_argument("--mute", action="store_true", help="start with the alert sound muted")
    run = p.add_argument_group("recording and unattended runs")
    run.add_argument("--record", metavar="FILE", default=None,
                     help="record the live session from the start (CSV that `analyze` reads)")
    run.add_argument("--overwrite", action="store_true", help="let --record replace an existing file")
    run.add_argument("--duration", type=_seconds, metavar="S", default=None,
                     help="close after S seconds (exit 0), e.g. with --screenshot and --summary-json")
    run.add_argument("--screenshot", metavar="PNG", default=None,
                     help="at the end of --duration, save the window as a PNG image")
    run.add_argument("--summary-json", metavar="FILE", default=None,
                     help="at the end of --duration, write fps, CPU, the link's counters and all events")
    practice = p.add_argument_group("practice (the Drill panel, D)")
    practice.add_argument("--drill", metavar="NAME", default=None,
                          help="open the Drill panel and start this drill (a bundled or your own drill's "
                               "name, or a .toml file) on the live source; with --duration the run ends "
                               "when the drill is over, its score card in --summary-json")
    practice.add_argument("--practitioner", metavar="NAME", default=None,
                          help="who is practising [remembered; else $NMT_PRESSURE_PRACTITIONER or your "
                               "login name]")
    _add_lsl_arguments(p)


def _run_dash(args: argparse.Namespace) -> int:
    from nmt_pressure.dashboard.app import DashError, screen_problem

    problem = screen_problem()  # before anything else: without a display Qt would abort
    if problem:
        raise CommandError(problem)
    for module in ("PySide6", "pyqtgraph"):
        require(module, "gui", "`dash`", instead="use `nmt-pressure monitor`")
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
        rcfg = config_from_args(args, estimate_sample_rate(rec.t), _recorded_config(rec.metadata),
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
    args.lsl_name = _lsl_name(args) or args.lsl_name
    _check_dash_drill(args)
    outputs = [(flag, path) for flag, path in (("--record", args.record), ("--screenshot", args.screenshot),
                                               ("--summary-json", args.summary_json)) if path]
    for i, (flag, path) in enumerate(outputs):
        for other, opath in outputs[:i]:
            if _same_file(path, opath) or (other == "--record" and _same_output(path, opath)):
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


DASH = Command(
    name="dash",
    help="the dashboard: live force, target band, hold timer, alerts and hold table in a window",
    description="Watch a device, the built-in simulator or a recording in a window: the force with its "
                "target band, large readouts, a hold timer, loud band alerts and a table of holds.",
    configure=_configure_dash,
    run=_run_dash,
)

#: Every subcommand, in the order `--help` lists them.
DRILL = Command(name="drill", help=cli_practice.DRILL_HELP[0], description=cli_practice.DRILL_HELP[1],
                configure=cli_practice.configure_drill, run=cli_practice.run_drill)
HISTORY = Command(name="history", help=cli_practice.HISTORY_HELP[0], description=cli_practice.HISTORY_HELP[1],
                  configure=cli_practice.configure_history, run=cli_practice.run_history)

COMMANDS: tuple[Command, ...] = (ANALYZE, REPORT, MONITOR, DASH, DRILL, HISTORY, PORTS, SIM)


# --------------------------------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------------------------------

class _Version(argparse.Action):
    """``--version``: the version and the code that runs (a build without a C compiler says so), one line
    (argparse's own version action would wrap the path)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        from nmt_pressure.buildinfo import summary

        sys.stdout.write(f"{parser.prog} {__version__}: {summary()}\n")  # on stdout, as argparse does
        parser.exit(EXIT_OK)


def build_parser(commands: Sequence[Command] = COMMANDS) -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Pressure-hold monitor for neuromuscular therapy: holds, steps, releases and band "
                    "alerts from a load cell.")
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and which core runs, "
                        "then exit")
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
    undo_logging = cli_logging(PROG)  # the library's log records become this command's sentences
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
            _error(f"choose a command: {', '.join(c.name for c in COMMANDS)} (see {PROG} --help).")
            return EXIT_USAGE
        return run(args)
    except (RecordingError, ConfigError, CommandError, MissingExtraError) as exc:
        _error(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    finally:
        undo_logging()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
