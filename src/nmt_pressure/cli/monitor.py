"""``nmt-pressure monitor --port PORT``: watch a device live in the terminal (outputs.live runs it)."""

from __future__ import annotations

import argparse

from nmt_pressure.argtypes import baud, seconds
from nmt_pressure.cli.common import (
    Command,
    CommandError,
    add_band_arguments,
    add_lsl_arguments,
    check_output,
    check_unit,
    config_from_args,
    lsl_name,
    same_output,
)
from nmt_pressure.io.recording import UNITS

__all__ = ["COMMAND", "configure", "run"]


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", required=True, metavar="PORT",
                   help="device path (/dev/ttyUSB0, COM3) or pyserial URL (socket://127.0.0.1:5555)")
    p.add_argument("--format", dest="fmt", choices=("auto", "nmtp", "ascii"), default="auto",
                   help="wire format: nmtp (our devices), ascii (one reading a line) or auto [auto]")
    p.add_argument("--baud", type=baud, default=115200, metavar="N", help="baud rate [115200]")
    p.add_argument("--duration", type=seconds, metavar="S", default=None,
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
    add_lsl_arguments(p)


def run(args: argparse.Namespace) -> int:
    from nmt_pressure.outputs.live import MonitorError, run_monitor
    from nmt_pressure.outputs.terminal_view import TerminalView

    cfg = config_from_args(args)
    check_unit(args.unit)
    if args.poll is not None:
        if not args.poll.strip() or not args.poll.isprintable():
            raise CommandError(f"--poll needs the query the gauge answers, such as '?', got {args.poll!r}.")
        if args.fmt == "nmtp":
            raise CommandError("--poll is for ASCII gauges that answer queries; our devices (--format nmtp) "
                               "stream by themselves.")
    if args.record:
        check_output("--record", args.record)
    if args.summary_json:
        if args.record and same_output(args.summary_json, args.record):
            raise CommandError(f"--summary-json {args.summary_json} would overwrite the recording "
                               f"(--record {args.record}); choose another file name.")
        check_output("--summary-json", args.summary_json)
    try:
        return run_monitor(args.port, cfg, [TerminalView(cfg=cfg)], fmt=args.fmt, baud=args.baud,
                           duration=args.duration, record=args.record, overwrite=args.overwrite,
                           summary_json=args.summary_json, poll=args.poll, unit=args.unit,
                           lsl_name=lsl_name(args))
    except MonitorError as exc:
        raise CommandError(str(exc)) from None


COMMAND = Command(
    name="monitor",
    help="watch a device live: force, holds, steps, releases and band alerts in the terminal",
    description="Read a load cell over a serial port or pyserial URL and report holds and alerts live.",
    configure=configure,
    run=run,
)
