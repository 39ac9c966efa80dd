"""`nmt-pressure report`: one recording's tables and figure, and a batch of them in parallel.

:func:`report_file` is the unit of work: read, analyse (the same core as live monitoring), compute the
per-hold research statistics, write ``STEM.holds.csv``, ``STEM.holds.json`` and ``STEM.png``. It never
raises for something a user can cause: a bad file comes back as a :class:`FileResult` with ``ok=False``
and a one-sentence reason, so a batch of a hundred files is not stopped by one broken export.

:func:`run_batch` spreads the files over worker processes (``jobs``), reports each finished file to a
:class:`Progress`, and returns the results in the order the files were given.
"""

from __future__ import annotations

import csv
import io
import math
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from nmt_pressure._version import __version__
from nmt_pressure.analysis.holdstats import HOLD_COLUMNS, HoldStats, finite_median, hold_stats
from nmt_pressure.analysis.report import to_json
from nmt_pressure.core.config import ConfigError, DetectorConfig
from nmt_pressure.extras import MissingExtraError
from nmt_pressure.io import csvtable, formats
from nmt_pressure.io.recording import (
    DEFAULT_FORCE_COL,
    DEFAULT_TIME_COL,
    FORMAT_LINE,
    RecordingError,
    read_recording,
)

__all__ = ["FileResult", "FolderScan", "Progress", "ReportOptions", "no_recordings_message", "output_stems",
           "report_file", "run_batch", "scan_folder", "skipped_note", "write_csv_table"]


@dataclass(frozen=True)
class ReportOptions:
    """What every file of a batch is analysed with (picklable: it travels to the workers)."""

    out_dir: str
    time_col: str | None = None
    force_col: str | None = None
    unit: str | None = None
    time_unit: str | None = None
    target: float | None = None
    tolerance: float | None = None
    rate: float | None = None
    figures: bool = True
    #: Also write each table as Parquet (``STEM.holds.parquet``: the exact doubles; needs pyarrow).
    parquet: bool = False


@dataclass
class FileResult:
    """The outcome for one input file: its statistics and outputs, or why it could not be reported."""

    source: str
    stem: str
    ok: bool
    error: str | None = None
    format: str | None = None
    #: The force column's unit and who named it (:data:`nmt_pressure.io.rectypes.UNIT_SOURCES`).
    unit: str | None = None
    unit_source: str | None = None
    #: What the unit was assumed to be, and how to change it, when nothing named it (else None).
    unit_assumed: str | None = None
    #: The time column's unit (converted to seconds) and who named it, as for the force.
    time_unit: str | None = None
    time_unit_source: str | None = None
    samples: int = 0
    duration_s: float = 0.0
    sample_rate_hz: float = 0.0
    config: dict[str, Any] = field(default_factory=dict)
    holds: list[dict[str, Any]] = field(default_factory=list)
    event_counts: dict[str, int] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def output_stems(paths: Sequence[str]) -> list[str]:
    """A distinct output name for every input: its stem, made unique with ``-2``, ``-3`` … when two
    inputs from different folders share a name (names compared without case, for case-insensitive
    file systems)."""
    taken: set[str] = set()
    stems = []
    for p in paths:
        base = Path(p).stem or "recording"
        stem, k = base, 1
        while stem.casefold() in taken:
            k += 1
            stem = f"{base}-{k}"
        taken.add(stem.casefold())
        stems.append(stem)
    return stems


# --------------------------------------------------------------------------------------------------
# a folder given as input
# --------------------------------------------------------------------------------------------------

#: Files of a folder that may be recordings (by name); their content decides.
FOLDER_SUFFIXES = (".csv", ".json", ".txt", ".tsv")
#: Names of files that live beside recordings and never are one: the report's own outputs and the
#: simulator's ground truth (``--labels``, named ``NAME.labels.json`` by the scoring tools).
_REPORT_TABLES = (".holds.csv", ".holds.json")
_REPORT_FILES = ("holds_all.csv", "summary.json")
_LABELS = ".labels.json"
#: How much of a file is read to tell what it is: the head of a recording fits many times over.
_SNIFF_BYTES = 65536
_BOM = b"\xef\xbb\xbf"

# Why a file was skipped (the keys of FolderScan.skipped), in the order a message lists them.
SKIP_LABELS, SKIP_OUTPUT, SKIP_JSON, SKIP_BINARY, SKIP_COLUMNS = (
    "labels", "output", "json", "binary", "columns")


@dataclass
class FolderScan:
    """What a folder given to ``report`` holds: its recordings, and the files skipped with the reason."""

    folder: str
    recordings: list[str] = field(default_factory=list)
    #: Reason (one of the ``SKIP_*`` keys) -> names of the files skipped for it, in name order.
    skipped: dict[str, list[str]] = field(default_factory=dict)
    time_col: str = DEFAULT_TIME_COL
    force_col: str = DEFAULT_FORCE_COL


def _has_column(header: Sequence[str], wanted: str) -> bool:
    # As the reader finds a column: the exact name, else the same name in another case.
    folded = wanted.strip().casefold()
    return wanted in header or any(name.casefold() == folded for name in header)


def _why_not_a_recording(path: Path, time_col: str, force_col: str) -> str | None:
    """The ``SKIP_*`` reason if ``path`` is positively no recording, else None (it is taken).

    Only what is certain is skipped: a file that looks like a recording but is broken is taken, so
    the batch names it with the reader's own reason and fix.
    """
    name = path.name.casefold()
    if name.endswith(_LABELS):
        return SKIP_LABELS
    if name.endswith(_REPORT_TABLES) or name in _REPORT_FILES:
        return SKIP_OUTPUT
    try:
        with path.open("rb") as f:
            data = f.read(_SNIFF_BYTES)
    except OSError:
        return None  # unreadable: the reader says why, by name
    if b"\x00" in data:
        return SKIP_BINARY
    start = len(_BOM) if data.startswith(_BOM) else 0
    if data[start:].lstrip().startswith(b"{"):
        return SKIP_JSON  # a JSON object (summary, labels, settings): every JSON export is a list
    if data[start:].lstrip().startswith(FORMAT_LINE.encode()) or formats.sniff(data, start) is not None:
        return None  # our own recording, or a Grip-Connect export
    try:
        head = csvtable.parse_head(path, data, start)
        if formats.is_tindeq_header(head.header) or formats.tindeq_summary(path, data, head) is not None:
            return None
    except RecordingError:
        return None  # no header row, or a Tindeq export cut short: the reader says what to fix
    if _has_column(head.header, time_col) and _has_column(head.header, force_col):
        return None
    return SKIP_COLUMNS


def scan_folder(folder: str | os.PathLike[str], time_col: str | None = None,
                force_col: str | None = None) -> FolderScan:
    """The recordings in ``folder`` (sorted by name) and the files skipped there, with the reason.

    A file is a candidate by its suffix (:data:`FOLDER_SUFFIXES`) and then judged by its name and
    head: sidecars (``*.labels.json``), this report's outputs, JSON objects (summaries, settings),
    binary files and tables without the time and force columns (``time_col``/``force_col``, as for
    the reader) are skipped. Other files (figures, pages, ``*.events.jsonl``) are not considered.
    """
    scan = FolderScan(str(folder), time_col=time_col or DEFAULT_TIME_COL,
                      force_col=force_col or DEFAULT_FORCE_COL)
    for child in sorted(Path(folder).iterdir()):
        if not child.is_file() or child.suffix.lower() not in FOLDER_SUFFIXES:
            continue
        why = _why_not_a_recording(child, scan.time_col, scan.force_col)
        if why is None:
            scan.recordings.append(str(child))
        else:
            scan.skipped.setdefault(why, []).append(child.name)
    return scan


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _skip_reasons(scans: Sequence[FolderScan]) -> list[str]:
    """One phrase per reason, with a few of the names (and the fix where there is one)."""
    merged: dict[str, list[str]] = {}
    for scan in scans:
        for why, names in scan.skipped.items():
            merged.setdefault(why, []).extend(names)
    cols = {f"{s.time_col} and {s.force_col}" for s in scans if SKIP_COLUMNS in s.skipped}
    words = {
        SKIP_LABELS: ("labels file", "labels files"),
        SKIP_OUTPUT: ("report output", "report outputs"),
        SKIP_JSON: ("JSON file that is not a recording export", "JSON files that are not recording exports"),
        SKIP_BINARY: ("binary file", "binary files"),
        SKIP_COLUMNS: (f"text file without the columns {' / '.join(sorted(cols))}",
                       f"text files without the columns {' / '.join(sorted(cols))}"),
    }
    out = []
    for why in (SKIP_LABELS, SKIP_OUTPUT, SKIP_JSON, SKIP_BINARY, SKIP_COLUMNS):
        found = merged.get(why)
        if not found:
            continue
        shown = ", ".join(found[:2]) + (", …" if len(found) > 2 else "")
        out.append(f"{_plural(len(found), *words[why])} ({shown})")
    return out


def skipped_note(scans: Sequence[FolderScan]) -> str | None:
    """One line for the user: how many files of the folders were skipped, and why; None if none."""
    n = sum(len(names) for s in scans for names in s.skipped.values())
    if n == 0:
        return None
    fix = ("; to report such a file, name its time and force columns with --time-col and --force-col"
           if any(SKIP_COLUMNS in s.skipped for s in scans) else "")
    return (f"skipped {_plural(n, 'file that is not a recording', 'files that are not recordings')}: "
            f"{', '.join(_skip_reasons(scans))}{fix}.")


def no_recordings_message(scan: FolderScan) -> str:
    """The error for a folder without a single recording: one sentence naming the fix."""
    if not scan.skipped:
        return (f"the folder {scan.folder} holds no recordings (no {', '.join(FOLDER_SUFFIXES)} files); "
                "give the files themselves or another folder.")
    if SKIP_COLUMNS in scan.skipped:
        fix = ("if those text files are recordings, name their time and force columns with --time-col "
               "NAME --force-col NAME, else give another folder.")
    else:
        fix = "give the recordings themselves or another folder."
    return (f"the folder {scan.folder} holds no recordings, only {', '.join(_skip_reasons([scan]))}; "
            f"{fix}")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if not math.isfinite(value) else f"{value:.10g}"
    return str(value)


def write_csv_table(stream: TextIO, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    """Rows as CSV with a header; NaN and None become empty cells, floats 10 significant digits."""
    w = csv.writer(stream, lineterminator="\n")
    w.writerow(columns)
    for row in rows:
        w.writerow([_cell(row.get(c)) for c in columns])


def _config_for(metadata: dict[str, str], opts: ReportOptions, rate: float) -> DetectorConfig:
    from nmt_pressure.io.rectypes import recorded_config

    kwargs: dict[str, Any] = {k: v for k, v in (recorded_config(metadata) or {}).items()
                              if k in DetectorConfig.field_names()}
    if opts.target is not None:
        kwargs["target"] = opts.target
    if opts.tolerance is not None:
        kwargs["tolerance"] = opts.tolerance
    kwargs["sample_rate"] = rate
    return DetectorConfig(**kwargs)


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    os.replace(tmp, path)  # a reader of the folder never sees half a table


def report_file(source: str, stem: str, opts: ReportOptions) -> FileResult:
    """Analyse one recording and write its tables (and figure); never raises for a user's error."""
    from nmt_pressure.core.detector import IMPLEMENTATION, analyze, estimate_sample_rate

    started = time.perf_counter()
    res = FileResult(source=source, stem=stem, ok=False)
    try:
        rec = read_recording(source, time_col=opts.time_col, force_col=opts.force_col, unit=opts.unit,
                             time_unit=opts.time_unit)
        rate = opts.rate if opts.rate is not None else estimate_sample_rate(rec.t)
        cfg = _config_for(rec.metadata, opts, rate)
        result = analyze(rec.t, rec.force_n, cfg, keep_filtered=True)
        assert result.filtered is not None
        stats: list[HoldStats] = hold_stats(rec.t, result.filtered, result.events, result.holds, cfg)
        res.format = getattr(rec, "format", None)
        res.unit, res.unit_source = rec.unit, rec.unit_source
        res.unit_assumed = rec.unit_note() if rec.unit_assumed else None
        res.time_unit, res.time_unit_source = rec.time_unit, rec.time_unit_source
        res.samples, res.duration_s, res.sample_rate_hz = len(rec), rec.duration, rate
        res.config = cfg.to_dict()
        res.holds = [s.to_dict() for s in stats]
        counts: dict[str, int] = {}
        for e in result.events:
            counts[e.kind] = counts.get(e.kind, 0) + 1
        res.event_counts = counts

        out = Path(opts.out_dir)
        table = io.StringIO()
        write_csv_table(table, res.holds, HOLD_COLUMNS)
        _write(out / f"{stem}.holds.csv", table.getvalue())
        res.outputs["csv"] = f"{stem}.holds.csv"
        meta = {
            "file": source, "format": res.format, "samples": res.samples, "duration_s": res.duration_s,
            "sample_rate_hz": rate, "sample_rate_source": "given" if opts.rate is not None else "estimated",
            "time_col": rec.time_col, "force_col": rec.force_col, "unit": rec.unit,
            "unit_source": rec.unit_source, "time_unit": rec.time_unit,
            "time_unit_source": rec.time_unit_source,
            "metadata": rec.metadata, "implementation": IMPLEMENTATION, "version": __version__,
            "config": res.config,
        }
        _write(out / f"{stem}.holds.json", to_json({
            "meta": meta, "holds": res.holds, "events": [e.to_dict() for e in result.events]}))
        res.outputs["json"] = f"{stem}.holds.json"
        if opts.parquet:
            from nmt_pressure.analysis.frames import write_parquet

            write_parquet(out / f"{stem}.holds.parquet", res.holds, meta=meta)
            res.outputs["parquet"] = f"{stem}.holds.parquet"
        if opts.figures:
            from nmt_pressure.analysis.figures import draw_recording

            # The very median the batch page's table shows for this file (its CV column).
            median_cv = finite_median([100.0 * h["cv"] for h in res.holds])
            note = (f"{len(res.holds)} holds, median CV {median_cv:.1f} %" if median_cv is not None
                    else f"{len(res.holds)} holds" if res.holds else "no holds")
            draw_recording(out / f"{stem}.png", rec.t, rec.force_n, result.filtered, result.events,
                           result.holds, cfg, f"{Path(source).name}: {note}")
            res.outputs["png"] = f"{stem}.png"
        res.ok = True
    except (RecordingError, ConfigError, MissingExtraError) as exc:
        res.error = str(exc)
    except OSError as exc:
        res.error = (f"cannot write the report of {source} into {opts.out_dir} ({exc.strerror or exc}); "
                     "check that the folder is writable and the disk has room.")
    except MemoryError:
        res.error = f"{source} is too large to analyse in the memory available; split it into parts."
    except Exception as exc:  # a bug must not cost the rest of the batch: say so and go on
        res.error = (f"internal error while reporting {source} ({type(exc).__name__}: {exc}); please "
                     "report this with the file.")
    res.seconds = time.perf_counter() - started
    return res


class Progress:
    """Progress of a batch on a terminal: a bar redrawn in place on a TTY, else one line per file."""

    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._started = time.perf_counter()

    def update(self, result: FileResult) -> None:
        self.done += 1
        self.failed += 0 if result.ok else 1
        if not self.enabled:
            return
        name = Path(result.source).name
        status = f"{len(result.holds)} holds" if result.ok else "FAILED"
        if self._tty:
            width = 30
            filled = int(width * self.done / max(1, self.total))
            elapsed = time.perf_counter() - self._started
            line = (f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} files "
                    f"{elapsed:5.1f} s  {name[:40]}: {status}")
            self.stream.write(line.ljust(100)[:120])
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(f"report: {self.done}/{self.total} {name}: {status}\n")
        self.stream.flush()


def _worker_init() -> None:
    # Ctrl-C reaches every process of the terminal's group: the parent alone handles it (cancels what
    # has not started, exits 130), so workers do not each print a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _pool_context() -> Any:
    # fork is unsafe once threads exist (the dashboard, pylsl); forkserver starts workers from a
    # clean single-threaded server, and spawn is the only choice where fork does not exist.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def run_batch(paths: Sequence[str], opts: ReportOptions, jobs: int = 1,
              on_done: Callable[[FileResult], None] | None = None) -> list[FileResult]:
    """Report every file; in ``jobs`` worker processes when more than one. Results keep input order."""
    stems = output_stems(paths)
    results: list[FileResult | None] = [None] * len(paths)
    notify = on_done or (lambda r: None)
    workers = max(1, min(jobs, len(paths)))
    if workers == 1:
        for i, (p, s) in enumerate(zip(paths, stems, strict=True)):
            results[i] = report_file(p, s, opts)
            notify(results[i])  # type: ignore[arg-type]
        return [r for r in results if r is not None]

    with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(),
                             initializer=_worker_init) as pool:
        futures: dict[Future[FileResult], int] = {
            pool.submit(report_file, p, s, opts): i
            for i, (p, s) in enumerate(zip(paths, stems, strict=True))}
        try:
            for fut in as_completed(futures):
                i = futures[fut]
                try:
                    r = fut.result()
                except BrokenProcessPool:
                    r = FileResult(source=paths[i], stem=stems[i], ok=False,
                                   error=f"the worker analysing {paths[i]} died (out of memory?); "
                                         "run again with --jobs 1 to see why.")
                results[i] = r
                notify(r)
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return [r for r in results if r is not None]
