"""The ``nmt-pressure`` command: the parser made from the subcommands, and ``main()``.

Each subcommand is a :class:`~nmt_pressure.cli.common.Command` in a module of its own (``analyze``,
``report``, ``monitor``, ``dash``, ``drill``, ``history``, ``ports``, ``sim``): a function that adds its
arguments to a parser and a function that runs it and returns the exit status; options several commands
share come from :mod:`nmt_pressure.cli.common`. This module lists them, builds the parser, sets up
logging and turns errors into exit statuses: errors a user can cause end in one line on stderr and exit
status 2, never a traceback; Ctrl-C ends with 130. Imports run one way: this module imports the
subcommands, they import ``common``, and nothing imports this one but the entry points.

``main(argv)`` returns the exit status instead of exiting, so tests call it in-process.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from nmt_pressure._version import __version__
from nmt_pressure.cli import analyze, dash, drill, history, monitor, ports, report, sim
from nmt_pressure.cli.common import EXIT_OK, EXIT_USAGE, PROG, Command, CommandError
from nmt_pressure.core.config import ConfigError
from nmt_pressure.extras import MissingExtraError
from nmt_pressure.io.recording import RecordingError
from nmt_pressure.logs import cli_logging

__all__ = ["COMMANDS", "PROG", "build_parser", "main"]

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a C tool piped into `head` would report

#: Every subcommand, in the order `--help` lists them.
COMMANDS: tuple[Command, ...] = (analyze.COMMAND, report.COMMAND, monitor.COMMAND, dash.COMMAND,
                                 drill.COMMAND, history.COMMAND, ports.COMMAND, sim.COMMAND)

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

