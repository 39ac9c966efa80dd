"""What the subcommands of ``nmt-pressure`` share: the Command record, user errors, shared options.

Options several commands take (the band, the columns of a recording, LSL output) are added by the
``add_*_arguments`` helpers here, so ``monitor`` and ``dash`` spell them the same way ``analyze`` does;
``config_from_args`` turns them into a checked DetectorConfig, and the output checks refuse a file
that could not be written before any work starts. Every subcommand module imports this one; this one
imports none of them.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from firmware_sim.__main__ import RATE_MAX as SIM_RATE_MAX
from firmware_sim.__main__ import RATE_MIN as SIM_RATE_MIN
from firmware_sim.__main__ import speed_factor as sim_speed  # --sim-speed is the simulator's --speed
from nmt_pressure.argtypes import number_type
from nmt_pressure.core.config import TARGET_MAX, ConfigError, DetectorConfig
from nmt_pressure.io.recording import TIME_UNITS, UNITS, RecordingError, time_unit_factor

__all__ = ["EXIT_OK", "EXIT_USAGE", "PROG", "Command", "CommandError", "add_band_arguments",
           "add_column_arguments", "add_lsl_arguments", "check_output", "check_unit", "config_from_args",
           "lsl_name", "nominal_rate", "same_file", "same_output", "sim_rate", "sim_speed", "write_text"]

PROG = "nmt-pressure"

#: Exit statuses a subcommand returns.
EXIT_OK = 0
EXIT_USAGE = 2  # argparse's own status for bad arguments; also every other user error

#: Highest nominal sample rate a flag accepts (Hz): far above any load cell, low enough to be a typo.
RATE_MAX_HZ = 1e6


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
# number options several commands take (the generic ones are in nmt_pressure.argtypes)
# --------------------------------------------------------------------------------------------------

#: ``--rate`` of analyze and report: the nominal rate of a recording.
nominal_rate = number_type("a load cell's sample rate", "a number of Hz", 0.0, RATE_MAX_HZ, example="1000")
#: The built-in simulator's rate (dash --sim, drill --sim): written as a whole number, as it was typed.
sim_rate = number_type("a rate the simulator runs at", "a whole number of Hz", SIM_RATE_MIN, SIM_RATE_MAX,
                       lo_in=True, whole=True, example="1000 (an HX711 does 10 or 80)")
_target = number_type("a target force", "a force in newtons", 0.0, TARGET_MAX, example="30")


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


# --------------------------------------------------------------------------------------------------
# option groups
# --------------------------------------------------------------------------------------------------

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


def _time_unit_arg(text: str) -> str:
    """``--time-unit``: a time unit we read (s, ms, us, ns, min, or another name of one such as msec or
    µs), as its canonical name; refused while the arguments are parsed, before any file is read."""
    try:
        return time_unit_factor(text)[0]
    except RecordingError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_column_arguments(parser: argparse.ArgumentParser) -> None:
    """``--time-col``, ``--time-unit``, ``--force-col`` and ``--unit``: reading other devices' CSV files."""
    group = parser.add_argument_group("recording columns (for other devices' files)")
    group.add_argument("--time-col", metavar="NAME", default=None,
                       help="name of the time column [t_s]")
    group.add_argument("--time-unit", type=_time_unit_arg, metavar="U", default=None,
                       help=f"unit of the time column when its name states none: {'|'.join(TIME_UNITS)} "
                            "(a name such as time_ms or 'Time (ms)' states its own; msec, usec, µs also "
                            "work) [s; a column naming no unit whose rows are 1 or more apart is refused "
                            "without it]")
    group.add_argument("--force-col", metavar="NAME", default=None,
                       help="name of the force column [force_n]")
    group.add_argument("--unit", metavar="U", default=None,
                       help=f"unit of the force column: {'|'.join(UNITS)} (kg, g, lb: kilogram-, gram-, "
                            "pound-force; kgf and lbs also work) [N]")


def add_lsl_arguments(parser: argparse.ArgumentParser) -> None:
    """``--lsl`` and ``--lsl-name`` (monitor and dash): Lab Streaming Layer output, off by default."""
    group = parser.add_argument_group("lab streaming layer (docs/LSL.md)")
    group.add_argument("--lsl", action="store_true",
                       help="publish the force and the events as LSL streams, for LabRecorder and other "
                            "LSL tools (opens network sockets; off by default)")
    group.add_argument("--lsl-name", metavar="NAME", default="nmt_pressure",
                       help="stream name prefix: NAME force, NAME events [nmt_pressure]")


def lsl_name(args: argparse.Namespace) -> str | None:
    """The LSL stream name prefix if ``--lsl`` is on, else None; a bad name is a CommandError."""
    if not args.lsl:
        return None
    name = str(args.lsl_name).strip()
    if not name or not name.isprintable():
        raise CommandError(f"--lsl-name must be a printable name such as nmt_pressure, got "
                           f"{args.lsl_name!r}.")
    return name


# --------------------------------------------------------------------------------------------------
# checks before the work starts
# --------------------------------------------------------------------------------------------------

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


def check_unit(unit: str | None) -> None:
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


def same_file(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def same_output(path: str, record: str) -> bool:
    """``path`` is the recording ``record`` or its events sidecar (``FILE.events.jsonl``)."""
    return same_file(path, record) or same_file(path, record + ".events.jsonl")


def write_text(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot write {path} ({exc.strerror or exc}); check that its folder exists "
                           "and is writable.") from None
