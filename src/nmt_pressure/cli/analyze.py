"""``nmt-pressure analyze FILE``: the holds and events of one recording, as a table or as JSON."""

from __future__ import annotations

import argparse
import sys

from nmt_pressure._version import __version__
from nmt_pressure.analysis.report import analysis_dict, format_report, to_json
from nmt_pressure.cli.common import (
    EXIT_OK,
    PROG,
    Command,
    CommandError,
    add_band_arguments,
    add_column_arguments,
    check_output,
    check_unit,
    config_from_args,
    nominal_rate,
    same_file,
    write_text,
)
from nmt_pressure.io.recording import read_recording
from nmt_pressure.io.rectypes import TIME_ORIGIN, recorded_config

__all__ = ["COMMAND", "configure", "run"]


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="CSV recording (header row; '#' lines are metadata)")
    p.add_argument("--json", metavar="OUT", default=None,
                   help="write events and holds as JSON to OUT ('-' for standard output) instead of "
                        "printing the table")
    p.add_argument("--rate", type=nominal_rate, metavar="HZ", default=None,
                   help="nominal sample rate [estimated from the timestamps]")
    add_band_arguments(p)
    add_column_arguments(p)


def run(args: argparse.Namespace) -> int:
    from nmt_pressure.core.detector import IMPLEMENTATION, analyze, estimate_sample_rate

    config_from_args(args, args.rate)  # bad flags fail before a large file is read
    check_unit(args.unit)
    if args.json not in (None, "-"):
        if same_file(args.json, args.file):
            raise CommandError(f"--json {args.json} would overwrite the recording being analysed; "
                               "choose another output file.")
        check_output("--json", args.json)  # nor does an unwritable folder wait for the analysis
    rec = read_recording(args.file, time_col=args.time_col, force_col=args.force_col, unit=args.unit,
                         time_unit=args.time_unit)
    rate = args.rate if args.rate is not None else estimate_sample_rate(rec.t)
    # A live recording carries the detector configuration it was monitored with: replaying it with
    # the same settings gives exactly the live events. Flags given here still win.
    cfg = config_from_args(args, rate, recorded_config(rec.metadata), args.file)
    result = analyze(rec.t, rec.force_n, cfg)

    if args.json is None:
        sys.stdout.write(format_report(
            source=args.file, samples=len(rec), duration=rec.duration, rate=rate,
            rate_note="given" if args.rate is not None else "estimated", cfg=cfg,
            events=result.events, holds=result.holds,
            peak_force=float(rec.force_n.max()) if len(rec) else None, unit_note=rec.unit_note(),
            time_note=rec.time_note()))
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
        "time_unit": rec.time_unit,
        "time_unit_source": rec.time_unit_source,
        "implementation": IMPLEMENTATION,
        "version": __version__,
        "config": cfg.to_dict(),
    }
    if TIME_ORIGIN in rec.metadata:  # date-times in the file: the times are seconds since this
        meta["time_origin"] = rec.metadata[TIME_ORIGIN]
    text = to_json(analysis_dict(result.events, result.holds, meta))
    if args.json == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_text(args.json, text)
        print(f"wrote {len(result.events)} events and {len(result.holds)} holds to {args.json}")
    return EXIT_OK


COMMAND = Command(
    name="analyze",
    help="find holds, steps, releases and band alerts in a recording",
    description="Read a CSV recording and report its holds and events: a table, or JSON with --json.",
    configure=configure,
    run=run,
)
