#!/usr/bin/env python
"""Every labelled evaluation of recordings in one command, and what changed against an earlier run.

The A/B a core change needs (``docs/DETECTION.md``, *Evaluation*): the blind generators' seeds and
any folders of labelled recordings (``../shared/realdata``, and those ``gdx_realdata.py``,
``tindeq_realdata.py``, ``more_realdata.py`` and ``extra_realdata.py`` convert), each scored by
``score_detection.py --realdata`` in a process of its own - on the installed package, or with
``--core SRC`` on the build in a work tree's ``src`` (compiled in place; put first on
``PYTHONPATH``), the implementation that ran named in the output. One row per set or group of seeds:
F1 and true/false/missed counts of holds, steps, releases and band exits; ``--matrix`` adds the
robustness matrix's row, pooled, each of its sessions compared by its event counts, matches, misses
and timing errors. ``--json OUT`` writes those totals and a digest of every file's events and holds;
``--compare OLD.json`` then names, per set, the F1 that moved and every file whose output differs in
any way: a change meant to keep the output is checked file by file, not by totals.

``--blind SEEDS`` is a group of the blind generator's seeds (one row, "blind 1-8"); ``--blind2 SEEDS``
one of the second blind generator's (``blind_generator2.py``: other hands, sensors and protocols,
another helper's; one row, "blind2 1-6"); ``--blind3 SEEDS`` one of the third's
(``blind_generator3.py``: a third helper's models, written from the contract alone; one row,
"blind3 1-6"); ``--blind4 SEEDS`` one of the fourth's (``blind_generator4.py``: a fourth helper's,
from the contract alone: a patient who breathes, twitches and flinches, a therapist's nudges and
lean, an ESP32 ADC, a 4-5 kHz DAQ, a phone app's export in ms, an epoch-stamped logger; one row,
"blind4 1-4"); ``--blind5 SEEDS`` one of the fifth's (``blind_generator5.py``: a fifth helper's, from
the contract alone: muscle-energy technique, pin-and-stretch, a tool switch, a novice's hunting,
repositioning, cross-fibre friction, a slipping thumb; a thin-film sensor, a pressure mat, a 10-Hz
gauge with PC-poll stamps, a 1200 Hz plate, an amplifier with supply ripple and cable artefacts, a
module that auto-zeros and reaches the host in packets; one row, "blind5 1-4"); ``--blind6 SEEDS``
one of the sixth's (``blind_generator6.py``: a sixth helper's, from the contract alone: an actuator
that rings, an elderly hand's 4-6 Hz tremor, attention pulses, constant-speed presses, pumping,
vibration assistance, 60-120-s holds that creep; a sensor that reports only on change, a display gauge that
averages, an LSL-like stream, a 16-bit ADC with EMI spikes, a load cell whose zero warms; one row,
"blind6 1-4"); ``--blind7 SEEDS`` one of the seventh's (``blind_generator7.py``: a seventh helper's,
from the contract alone: a patient's local twitch response and jump sign, a straight-arm body-weight
lean, ischemic compression's deepening steps, a ratchet ease, re-check probes, drifts corrected back,
a foam pad; a sensor that clips at full scale, an AC-coupled piezo, a 10-SPS sinc3 ADC, a cell with
hysteresis, USB batches stamped once, a wall clock stepped forward, grams; one row, "blind7 1-4");
``--blind8 SEEDS`` one of the eighth's (``blind_generator8.py``: an eighth helper's, from the contract
alone: myofascial release, strain-counterstrain, deep stroking, a reinforced thumb, a pause to
reposition the patient; a tiring therapist, an overdamped hand, a dip before the lift, a T-bar tip
that rocks; a load cell that rings, an HX711 polled faster than it converts, a rate that changes, a
serial gauge stamped in bursts, lost packets repeated, float32 time, grams and pounds with a tare
offset; one row, "blind8 1-4"); ``--blind9 SEEDS`` one of the ninth's (``blind_generator9.py``: a
ninth helper's, from the contract alone: a force servo limited in its rate of force development, a
hand correcting on a delayed percept, a thumb controlling depth into relaxing tissue; pain-feedback
titration, exhale-paced sinking, a shiatsu point walk that half-unloads between points, cross-fibre
friction, reflexology thumb-walking; a piezo force link, a sigma-delta ADC on a real-time clock, an
SD-card logger with stalls, a hand-held gauge on an RC clock; one row, "blind9 1-4").
Seeds are generated into ``--blind-dir`` once (``blind_generator.py DIR/seedN --seed
N``, ``blind_generator2.py DIR/g2seedN --seed N``, ``blind_generator3.py DIR/g3seedN --seed N``,
``blind_generator4.py DIR/g4seedN --seed N``, ``blind_generator5.py DIR/g5seedN --seed N``,
``blind_generator6.py DIR/g6seedN --seed N``, ``blind_generator7.py DIR/g7seedN --seed N``,
``blind_generator8.py DIR/g8seedN --seed N``, ``blind_generator9.py DIR/g9seedN --seed N``; with
``--sessions K`` the folders end in ``_nK``) and
reused while their folder is there (delete it to generate it again).

Usage::

    python tools/eval_detection.py --blind 1-8 --blind 9-12 --blind2 1-6 --blind3 1-6 \\
        --blind-dir ~/nmt-eval --set realdata=../shared/realdata --set gdx=~/nmt-eval/gdx --matrix \\
        --json new.json [--core ../wt/src]
    python tools/eval_detection.py ... --json new.json --compare old.json

Exits 0 once everything asked for was scored; 2, with one sentence saying what to fix, when something
could not be (a folder missing, a bad range, a scorer that failed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOOLS = Path(__file__).resolve().parent
KINDS = ("hold", "step", "release", "band_exit")


class EvalError(Exception):
    """Something asked for cannot be scored; the message says what to do."""


def parse_seeds(text: str, option: str = "--blind") -> list[int]:
    """``"1-8"``, ``"3"`` or ``"1,4,9"`` (given to ``option``) as a list of seeds."""
    seeds: list[int] = []
    try:
        for part in text.split(","):
            lo, _, hi = part.strip().partition("-")
            a = int(lo)
            b = int(hi) if hi else a
            if b < a:
                raise ValueError
            seeds.extend(range(a, b + 1))
    except ValueError:
        raise EvalError(f"{option} {text!r} is no seed range: give one like 1-8, 3 or 1,4,9") from None
    return seeds


def parse_set(text: str) -> tuple[str, Path]:
    """``NAME=FOLDER`` (a folder of CSVs with ``.labels.json`` beside them, or one such CSV)."""
    name, eq, folder = text.partition("=")
    if not eq or not name or not folder:
        raise EvalError(f"--set {text!r} needs the form NAME=FOLDER, e.g. realdata=../shared/realdata")
    path = Path(folder).expanduser()
    if not path.exists():
        raise EvalError(f"--set {name}: {path} does not exist; convert the recordings first "
                        "(tools/gdx_realdata.py, tindeq_realdata.py, more_realdata.py, "
                        "extra_realdata.py) or fix the path")
    return name, path


def _last_line(done: subprocess.CompletedProcess[str]) -> str:
    """What a child that failed said last (its error, else its output, else its exit status)."""
    return (done.stderr.strip().splitlines() or done.stdout.strip().splitlines()
            or [f"exit {done.returncode}"])[-1]


@dataclass(frozen=True)
class Generator:
    """A blind generator: the option that asks for its seeds, its tool, the prefix of its seeds'
    folders under ``--blind-dir`` (and of their files' names in ``--json``) and of its rows."""

    option: str
    tool: str
    folder: str
    row: str
    what: str


BLIND = Generator("--blind", "blind_generator.py", "seed", "blind", "the blind generator")
BLIND2 = Generator("--blind2", "blind_generator2.py", "g2seed", "blind2", "the second blind generator")
BLIND3 = Generator("--blind3", "blind_generator3.py", "g3seed", "blind3", "the third blind generator")
BLIND4 = Generator("--blind4", "blind_generator4.py", "g4seed", "blind4", "the fourth blind generator")
BLIND5 = Generator("--blind5", "blind_generator5.py", "g5seed", "blind5", "the fifth blind generator")
BLIND6 = Generator("--blind6", "blind_generator6.py", "g6seed", "blind6", "the sixth blind generator")
BLIND7 = Generator("--blind7", "blind_generator7.py", "g7seed", "blind7", "the seventh blind generator")
BLIND8 = Generator("--blind8", "blind_generator8.py", "g8seed", "blind8", "the eighth blind generator")
BLIND9 = Generator("--blind9", "blind_generator9.py", "g9seed", "blind9", "the ninth blind generator")
#: Every generator, in the order their options are listed and their rows scored.
GENERATORS = (BLIND, BLIND2, BLIND3, BLIND4, BLIND5, BLIND6, BLIND7, BLIND8, BLIND9)


def ensure_seed(blind_dir: Path, seed: int, sessions: int | None, generator: Generator = BLIND) -> Path:
    """The generator's run for ``seed`` under ``blind_dir``, generated if it is not there."""
    name = f"{generator.folder}{seed}"
    folder = blind_dir / (name if sessions is None else f"{name}_n{sessions}")
    if folder.is_dir() and any(folder.glob("*.labels.json")):
        return folder
    cmd = [sys.executable, str(TOOLS / generator.tool), str(folder), "--seed", str(seed)]
    if sessions is not None:
        cmd += ["--sessions", str(sessions)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        said = _last_line(done)
        raise EvalError(f"{generator.what} could not write seed {seed} to {folder} ({said}); "
                        "check that --blind-dir is writable")
    return folder


def _digest(obj: Any) -> str:
    """A short digest of a JSON-able value: equal exactly when the value is."""
    return hashlib.sha1(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:16]


def digest(file_result: dict[str, Any]) -> str:
    """A digest of one file's events and holds: equal exactly when the detector's output is."""
    return _digest({"events": file_result.get("events"), "holds": file_result.get("holds")})


def _run_scorer(args: Sequence[str], core: Path | None, what: str) -> dict[str, Any]:
    """``score_detection.py ARGS --json TMP`` in its own process (the core at ``core`` first on the
    path): what it wrote."""
    env = dict(os.environ)
    if core is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(core), *filter(None, [env.get("PYTHONPATH")])])
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "score.json"
        done = subprocess.run([sys.executable, str(TOOLS / "score_detection.py"), *args, "--json", str(out)],
                              capture_output=True, text=True, env=env)
        if done.returncode != 0 or not out.exists():
            raise EvalError(f"score_detection.py could not score {what} ({_last_line(done)})")
        data: dict[str, Any] = json.loads(out.read_text())
    return data


def score(folder: Path, core: Path | None) -> dict[str, Any]:
    """``score_detection.py --realdata folder`` in its own process: the totals, the implementation
    that ran and each file's digest."""
    data = _run_scorer(["--realdata", str(folder)], core, str(folder))
    total = {k: [v["tp"], v["fp"], v["fn"]] for k, v in data.get("total", {}).items() if k in KINDS}
    files = {Path(f["file"]).name: digest(f) for f in data.get("files", [])}
    return {"implementation": data.get("implementation", "?"), "total": total, "files": files}


#: What a matrix session's result says about the detector's output (its timings left out).
MATRIX_FIELDS = ("detected", "misses", "hold", "step", "release", "band_exit", "holds_in_touches")


def score_matrix(core: Path | None, jobs: int, quick: bool, families: Sequence[str]) -> dict[str, Any]:
    """``score_detection.py --matrix`` in its own process: the pooled counts and each session's
    digest (its events' counts, matches, misses and their timing errors)."""
    args = ["--matrix", "--jobs", str(max(1, jobs))] + (["--quick"] if quick else [])
    for family in families:
        args += ["--family", family]
    data = _run_scorer(args, core, "the robustness matrix")
    pooled_counts = data.get("pooled", {})
    total = {k: [pooled_counts[k]["tp"], pooled_counts[k]["fp"], pooled_counts[k]["fn"]]
             for k in KINDS if k in pooled_counts}
    files = {f"{session.get('row')}/{session.get('name')}":
             _digest({k: session.get(k) for k in MATRIX_FIELDS}) for session in data.get("sessions", [])}
    return {"implementation": data.get("settings", {}).get("implementation", "?"), "total": total,
            "files": files}


def pooled(results: Sequence[dict[str, Any]]) -> dict[str, list[int]]:
    """Counts summed over several sets (a group of seeds)."""
    out: dict[str, list[int]] = {}
    for r in results:
        for kind, counts in r["total"].items():
            acc = out.setdefault(kind, [0, 0, 0])
            for i in range(3):
                acc[i] += counts[i]
    return out


def f1(counts: Sequence[int] | None) -> float | None:
    if not counts:
        return None
    tp, fp, fn = counts
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None


def _cell(counts: Sequence[int] | None) -> str:
    value = f1(counts)
    if value is None or counts is None:
        return "-"
    return f"{value:.4f} ({counts[0]}/{counts[1]}/{counts[2]})"


def table(rows: dict[str, dict[str, list[int]]]) -> str:
    """One line per set: F1 (tp/fp/fn) of each kind."""
    width = max([len(n) for n in rows] + [4])
    lines = [f"{'set':{width}}  " + "  ".join(f"{k:24}" for k in KINDS)]
    for name, total in rows.items():
        lines.append(f"{name:{width}}  " + "  ".join(f"{_cell(total.get(k)):24}" for k in KINDS))
    return "\n".join(lines)


def compare(old: dict[str, Any], new: dict[str, Any], limit: int = 12) -> str:
    """What moved between two runs: F1 per set and kind, and the files whose output differs."""
    lines: list[str] = []
    for name, row in new["rows"].items():
        before = old.get("rows", {}).get(name)
        if before is None:
            lines.append(f"{name}: not in the earlier run")
            continue
        moved = [f"{k} {f1(before.get(k)):.4f} -> {f1(row.get(k)):.4f}" for k in KINDS
                 if f1(row.get(k)) is not None and f1(before.get(k)) is not None
                 and tuple(row.get(k, ())) != tuple(before.get(k, ()))]
        old_files = old.get("files", {}).get(name, {})
        new_files = new["files"].get(name, {})
        differ = sorted(f for f in new_files.keys() | old_files.keys()
                        if new_files.get(f) != old_files.get(f))
        what = "; ".join(moved) if moved else "every F1 and count equal"
        unit = "sessions'" if name == "matrix" else "files'"
        if differ:
            more = f" and {len(differ) - limit} more" if len(differ) > limit else ""
            shown = ", ".join(differ[:limit]) + more
            lines.append(f"{name}: {what}; {len(differ)} of {len(new_files)} {unit} output differs: {shown}")
        else:
            lines.append(f"{name}: {what}; all {len(new_files)} {unit} output identical")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--blind", action="append", default=[], metavar="SEEDS",
                   help="a group of blind-generator seeds (1-8, 3 or 1,4,9), pooled in one row; repeatable")
    for gen in GENERATORS[1:]:
        p.add_argument(gen.option, action="append", default=[], metavar="SEEDS",
                       help=f"a group of {gen.what}'s seeds ({gen.tool}), pooled in one row; repeatable")
    p.add_argument("--blind-dir", type=Path, default=None, help="where seeds are generated and reused")
    p.add_argument("--sessions", type=int, default=None,
                   help="sessions per seed (the generator's default unless given: a quick look)")
    p.add_argument("--set", action="append", default=[], metavar="NAME=FOLDER",
                   help="a folder of labelled recordings, one row; repeatable")
    p.add_argument("--matrix", action="store_true",
                   help="the robustness matrix too: one row, compared session by session")
    p.add_argument("--matrix-quick", action="store_true", help="its small fast run (score_detection --quick)")
    p.add_argument("--matrix-family", action="append", default=[], metavar="TEXT",
                   help="only the matrix's families containing TEXT; repeatable")
    p.add_argument("--core", type=Path, default=None,
                   help="a work tree's src folder with the core built in place (else the installed one)")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="scorers at once [2]")
    p.add_argument("--json", type=Path, default=None, metavar="OUT", help="write totals and digests here")
    p.add_argument("--compare", type=Path, default=None, metavar="OLD",
                   help="an earlier --json: say what moved")
    return p.parse_args(argv)


def run(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """Score everything asked for: the report's text and what ``--json`` writes."""
    asked_for = tuple((gen, getattr(args, gen.option.removeprefix("--"))) for gen in GENERATORS)
    if not any(asked for _, asked in asked_for) and not args.set and not args.matrix:
        options = [f"{gen.option} SEEDS" for gen in GENERATORS]
        raise EvalError(f"nothing to score: give {', '.join(options[:-1])} or {options[-1]} (with "
                        "--blind-dir), --set NAME=FOLDER or --matrix")
    for generator, asked in asked_for:
        if asked and args.blind_dir is None:
            raise EvalError(f"{generator.option} needs --blind-dir, the folder its seeds are generated into "
                            "and reused from")
    if args.core is not None and not (args.core / "nmt_pressure").is_dir():
        raise EvalError(f"--core {args.core} holds no nmt_pressure package: give a work tree's src folder")
    if args.json is not None and (args.json.is_dir() or not args.json.parent.is_dir()):
        # (Checked before the scoring: a path that cannot be written would lose a long run's totals.)
        raise EvalError(f"--json {args.json} cannot be written: give a file in an existing folder")
    old = None
    if args.compare is not None:
        try:
            old = json.loads(args.compare.read_text())
        except (OSError, ValueError) as exc:
            raise EvalError(f"--compare {args.compare} is no earlier run's --json ({exc})") from None
        if not (isinstance(old, dict) and isinstance(old.get("rows"), dict)
                and isinstance(old.get("files"), dict)):
            raise EvalError(f"--compare {args.compare} is no earlier run's --json (it has no rows and files)")
    # Each seed is scored under its generator's folder name (seedN, g2seedN, ..., g5seedN): they do not
    # collide.
    groups = [(f"{gen.row} {text}", gen, parse_seeds(text, gen.option))
              for gen, texts in asked_for for text in texts]
    sets = [parse_set(text) for text in args.set]
    jobs: list[tuple[str, Path]] = []
    for _, gen, seeds in groups:
        for s in seeds:
            jobs.append((f"{gen.folder}{s}", ensure_seed(args.blind_dir.expanduser(), s, args.sessions, gen)))
    jobs += sets
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = pool.map(lambda job: score(job[1], args.core), jobs)
        scored = dict(zip([name for name, _ in jobs], results, strict=True))
    rows: dict[str, dict[str, list[int]]] = {}
    files: dict[str, dict[str, str]] = {}
    for name, gen, seeds in groups:
        rows[name] = pooled([scored[f"{gen.folder}{s}"] for s in seeds])
        files[name] = {f"{gen.folder}{s}/{f}": d
                       for s in seeds for f, d in scored[f"{gen.folder}{s}"]["files"].items()}
    for name, _ in sets:
        rows[name] = scored[name]["total"]
        files[name] = scored[name]["files"]
    if args.matrix:
        scored["matrix"] = score_matrix(args.core, args.jobs, args.matrix_quick, args.matrix_family)
        rows["matrix"] = scored["matrix"]["total"]
        files["matrix"] = scored["matrix"]["files"]
    impls = sorted({r["implementation"] for r in scored.values()})
    result = {"implementation": impls, "rows": rows, "files": files}
    text = f"detector: {'; '.join(impls)}\n\n{table(rows)}"
    if old is not None:
        text += f"\n\nagainst {args.compare}:\n{compare(old, result)}"
    return text, result


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        text, result = run(args)
        print(text)  # first: a --json that fails now loses nothing the report says
        if args.json is not None:
            try:
                args.json.write_text(json.dumps(result, indent=1, sort_keys=True))
            except OSError as exc:
                raise EvalError(f"--json {args.json} could not be written ({exc.strerror}); the report "
                                "above is this run's: give a writable file to keep it for --compare"
                                ) from None
    except EvalError as exc:
        print(f"eval_detection: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
