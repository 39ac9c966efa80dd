"""``nmt-pressure report FILE...``: per-hold tables, figures and an HTML page for many recordings.

The files are analysed in parallel (analysis.batch); this module checks the options and the output
folder first, so that nothing is written when the command is going to fail.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from nmt_pressure.argtypes import number_type
from nmt_pressure.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    Command,
    CommandError,
    add_band_arguments,
    add_column_arguments,
    check_unit,
    config_from_args,
    nominal_rate,
)
from nmt_pressure.extras import require

__all__ = ["COMMAND", "configure", "run"]

jobs = number_type("a number of parallel jobs", "a whole number", 1, lo_in=True, whole=True)


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", metavar="FILE", nargs="+",
                   help="recordings (our CSV, other devices' CSV, Tindeq and Grip-Connect exports); a folder "
                        "stands for the recordings in it")
    p.add_argument("--out", metavar="DIR", required=True,
                   help="folder for the tables, figures and index.html (created if missing)")
    p.add_argument("-j", "--jobs", type=jobs, metavar="N", default=None,
                   help=f"files analysed in parallel [{os.cpu_count() or 1}, the number of CPUs]")
    p.add_argument("--no-figures", action="store_true", help="tables only (faster)")
    p.add_argument("--format", dest="table_format", choices=("csv", "parquet"), default="csv",
                   help="csv, or parquet to write every table also as Parquet beside its CSV "
                        "(STEM.holds.parquet, holds_all.parquet: the exact doubles; needs the data "
                        "extra) [csv]")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--rate", type=nominal_rate, metavar="HZ", default=None,
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


def run(args: argparse.Namespace) -> int:
    from nmt_pressure.analysis.batch import Progress, ReportOptions, run_batch
    from nmt_pressure.analysis.batchpage import write_batch_outputs

    config_from_args(args, args.rate)  # bad flags fail before any file is read
    check_unit(args.unit)
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
                         unit=args.unit, time_unit=args.time_unit, target=args.target,
                         tolerance=args.tolerance, rate=args.rate,
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


COMMAND = Command(
    name="report",
    help="per-hold tables, figures and an HTML page for many recordings",
    description="Analyse recordings in parallel and write, for each, a per-hold table (CSV and JSON) and a "
                "figure (PNG), plus index.html, summary.json and holds_all.csv for the whole batch. Files "
                "that cannot be read are reported by name; the others are reported all the same "
                "(exit status 2 if any failed).",
    configure=configure,
    run=run,
)
