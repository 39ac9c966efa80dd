"""What the converters of recordings that are not ours to copy share (``gdx_realdata.py``,
``tindeq_realdata.py``, ``more_realdata.py``, ``extra_realdata.py``): reading a source file from the
user's clone of its repository, and writing each converted recording with its hand labels as
``score_detection.py --realdata`` reads them.

The output is a plain ``t_s,force_N`` table (time to the microsecond, force exactly as read) and
``NAME.labels.json`` beside it. Not the package's ``write_recording``: that adds its format line and
names the force column ``force_n``, and the labels name ``force_N``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from nmt_pressure.io.recording import Recording, RecordingError, read_recording

#: A converted recording: its (seconds, newtons) rows, where it came from, and its labels.
Converted = tuple[list[tuple[float, float]], str, Mapping[str, Any]]


class SourceError(Exception):
    """A source cannot be found, read or recognised; the message says which and what to do."""


def git(repo: Path, repository: str, commit: str, *args: str) -> bytes:
    """The output of ``git ARGS`` in the clone ``repo`` (a work tree or a bare/mirror git directory)
    of ``repository``, whose files are wanted as they were at ``commit``."""
    git_dir = repo if (repo / "HEAD").is_file() else repo / ".git"
    try:
        return subprocess.run(["git", "--git-dir", str(git_dir), *args], check=True,
                              capture_output=True).stdout
    except FileNotFoundError:
        raise SourceError("git is not installed; give a work tree that holds the files") from None
    except subprocess.CalledProcessError as exc:
        said = exc.stderr.decode(errors="replace").strip().splitlines()
        raise SourceError(f"{repo} is no clone of {repository} with commit {commit} (git: "
                          f"{said[0] if said else exc.returncode})") from None


def source(repo: Path, path: str, repository: str, commit: str) -> bytes:
    """The bytes of ``path``: from the work tree where it is there, else as committed at ``commit``."""
    f = repo / path
    if f.is_file():
        return f.read_bytes()
    return git(repo, repository, commit, "show", f"{commit}:{path}")


def blob_sha(data: bytes) -> str:
    """Git's blob SHA-1 of a file's bytes (what ``git ls-tree`` lists): a source pinned by it fails
    loudly when other data are given than those labelled."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def work_tree_files(repo: Path) -> list[str]:
    """The files of a work tree, ``.git`` aside ([] for a bare/mirror git directory)."""
    if (repo / "HEAD").is_file() or not repo.is_dir():
        return []
    found: list[str] = []
    for root, dirs, names in os.walk(repo):
        dirs[:] = [d for d in dirs if d != ".git"]
        found += [Path(root, n).relative_to(repo).as_posix() for n in names]
    return found


def find_source(repo: Path, pattern: str, repository: str, commit: str, work_tree: list[str]) -> str:
    """The one file matching ``pattern`` (``*`` stands for a part of a path that names a person and
    stays out of this project): in the work tree if it has any, else at ``commit`` (``git ls-tree``)."""
    matches = [p for p in work_tree if fnmatchcase(p, pattern)]
    if not matches:
        listed = git(repo, repository, commit, "ls-tree", "-r", "-z", "--name-only", commit)
        matches = [p for p in listed.decode().split("\0") if fnmatchcase(p, pattern)]
    if len(matches) != 1:
        raise SourceError(f"{len(matches)} files match {pattern} in {repo} (or at commit {commit[:8]}), "
                          f"not one; give a clone of {repository}")
    return matches[0]


def pinned_source(repo: Path, pattern: str, repository: str, commit: str, work_tree: list[str],
                  sha: str | tuple[str, ...]) -> bytes:
    """The bytes of the one file matching ``pattern`` (:func:`find_source`, :func:`source`), which must
    be git blob ``sha`` (or one of them: a file labelled from a copy that kept no line endings): other
    data than those labelled fail here rather than score against the labels."""
    data = source(repo, find_source(repo, pattern, repository, commit, work_tree), repository, commit)
    shas = (sha,) if isinstance(sha, str) else sha
    if blob_sha(data) not in shas:
        raise SourceError(f"{pattern} in {repo} is git blob {blob_sha(data)}, not {' or '.join(shas)}: not "
                          f"the data that were labelled; give a clone of {repository} with commit {commit}")
    return data


#: A labelled file: (repository, path pattern, blob SHA-1(s), converter of its bytes and path, labels).
Pinned = tuple[str, str, "str | tuple[str, ...]", Callable[[bytes, str], list[tuple[float, float]]],
               Mapping[str, Any]]


def convert_pinned(clones: Mapping[str, Path], commits: Mapping[str, str],
                   files: Mapping[str, Pinned]) -> dict[str, Converted]:
    """Every file of ``files`` (name -> :data:`Pinned`), from the clone of its repository in ``clones``
    (repository -> clone) at its commit in ``commits``, checked to be the bytes that were labelled
    (:func:`pinned_source`), converted; the work trees are listed once per repository."""
    converted: dict[str, Converted] = {}
    work_trees = {repository: work_tree_files(repo) for repository, repo in clones.items()}
    for name, (repository, path, sha, convert, labels) in files.items():
        repo, commit = clones[repository], commits[repository]
        data = pinned_source(repo, path, repository, commit, work_trees[repository], sha)
        converted[name] = (convert(data, path), f"{repository}@{commit}:{path}", labels)
    return converted


def read_rows(data: bytes, what: str, fix: str = "", **options: Any
              ) -> tuple[list[tuple[float, float]], Recording]:
    """The (seconds, newtons) rows of a source file's bytes, and the recording, as the package's own
    reader reads them (``options`` as :func:`read_recording`'s); a refusal is a ``SourceError``:
    ``what``, then the reader's sentence - or, given a ``fix``, the reader's cause without its own fix
    (a command-line option, no use here) and then ``fix``."""
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp, "export.csv")
        f.write_bytes(data)
        try:
            rec = read_recording(f, **options)
        except RecordingError as exc:
            said = str(exc).replace(str(f), "the file")
            if not fix:
                raise SourceError(f"{what}: {said}") from None
            raise SourceError(f"{what} ({said.rsplit('; ', 1)[0].rstrip('.')}); {fix}") from None
    return [(float(t), float(v)) for t, v in zip(rec.t, rec.force_n, strict=True)], rec


def main_for(prog: str, usage: str | None, argv: list[str] | None,
             convert_all: Callable[[Path], dict[str, Converted]]) -> int:
    """A converter's command line, ``PROG CLONE OUT``: every recording is converted from the clone
    first (a ``SourceError`` is one line on stderr and exit status 2, with nothing written), then
    written to ``OUT`` (:func:`main_for_clones` with one clone)."""
    return main_for_clones(prog, usage, argv, ["clone"], lambda clones: convert_all(clones["clone"]))


def main_for_clones(prog: str, usage: str | None, argv: list[str] | None, repositories: list[str],
                    convert_all: Callable[[Mapping[str, Path]], dict[str, Converted]]) -> int:
    """A converter's command line with a clone of each of ``repositories``, ``PROG CLONE... OUT`` (in
    their order): every recording is converted from the clones first (a ``SourceError`` is one line
    on stderr and exit status 2, with nothing written), then written to ``OUT``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != len(repositories) + 1:
        print(usage)
        return 2
    try:
        converted = convert_all(dict(zip(repositories, map(Path, args[:-1]), strict=True)))
    except SourceError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    out = Path(args[-1])
    out.mkdir(parents=True, exist_ok=True)
    for name, (rows, src, labels) in converted.items():
        write_labelled(out, name, rows, src, labels)
    return 0


def write_labelled(out: Path, name: str, rows: Iterable[tuple[float, float]], source: str,
                   labels: Mapping[str, Any]) -> None:
    """``OUT/NAME.csv`` from (seconds, newtons) rows and ``OUT/NAME.labels.json`` naming ``source``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["t_s", "force_N"])
    w.writerows((f"{t:.6f}", repr(f)) for t, f in rows)
    (out / f"{name}.csv").write_text(buf.getvalue(), encoding="utf-8")
    meta = {"unit": "N", "force_column": "force_N", "source": source, **labels}
    (out / f"{name}.labels.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out / name}.csv and its labels")
