"""tools/tindeq_realdata.py: Tindeq app exports at a pinned commit become scoreable recordings in newtons."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from toolmods import load_tool

td = load_tool("tindeq_realdata")
ro = load_tool("realdata_out")  # the converters' shared source helpers
sd = load_tool("score_detection")

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

G = 9.80665
TOP = "subject"  # the made-up folder standing for the one the patterns leave out

# The app's layout, CRLF and no newline at the end: an endurance or rfd test has the summary block
# first (date YEAR-DAY-MONTH, the tag, the unit "SI" meaning kg), a data set only the time,weight table.
SUMMARY = ('date,tag,comment,unit,max,avg,duration,mvc,"Target Zone, lower(% of mvc)",'
           '"Target Zone, upper (% of mvc)"\r\n'
           f"2023-30-04 18:48:28,{TOP}_balanza,,SI,3.0,1.8,30,-,-,-\r\n"
           "\r\n")
KG = np.concatenate([np.full(20, 0.1), np.full(60, 3.0), np.full(20, 0.1)])
T0, DT = 0.054304, 0.011406
# A repeaters data set (rot-int-der) opening with its rep summary, and what the package's reader does
# not take as it is, and the tool puts right: an export (09_05_2023/cfd) whose clock restarts after its
# first rows (there 19 rows at 5.76-5.98 s, then 0.054 s).
REPS = ",Avg,Rep 1\r\nAvg,1.8,1.8\r\nPeak,3.0,3.0\r\n,\r\n"
RESTART = "".join(f"{5.760871 + i * DT:.6f},16.5\r\n" for i in range(19))


def _export(summary: bool = False, reps: bool = False, restart: bool = False) -> bytes:
    rows = [f"{T0 + i * DT:.6f},{kg!r}" for i, kg in enumerate(KG.tolist())]
    return ((SUMMARY if summary else "") + (REPS if reps else "") + "time,weight\r\n"
            + (RESTART if restart else "") + "\r\n".join(rows)).encode()


def _export_at(path: str) -> bytes:
    """A synthetic export shaped as the real one at ``path`` is."""
    return _export(summary="endurance_test" in path or "rfd_test" in path, reps="rot-int-der" in path,
                   restart="09_05_2023/cfd/" in path)


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org",
                           "-c", "commit.gpgsign=false", *args],
                          check=True, capture_output=True, text=True).stdout


def _repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, shas: str = "synthetic",
                skip: str | None = None, extra: str | None = None) -> Path:
    """A git work tree with a synthetic export at each pattern (with TOP for ``*``), committed; the
    tool's COMMIT and (``shas`` "synthetic") its blob SHA-1s patched to that commit's."""
    repo = tmp_path / "repo"
    paths = {name: pattern.replace("*", TOP) for name, (pattern, _, _) in td.FILES.items()}
    if extra is not None:
        paths["extra"] = extra
    for name, path in paths.items():
        if name != skip:
            (repo / path).parent.mkdir(parents=True, exist_ok=True)
            (repo / path).write_bytes(_export_at(path))
    _git(tmp_path, "init", "-q", str(repo))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "exports")
    commit = _git(repo, "rev-parse", "HEAD").strip()
    blobs = {ln.split("\t")[1]: ln.split()[2] for ln in _git(repo, "ls-tree", "-r", commit).splitlines()}
    monkeypatch.setattr(td, "COMMIT", commit)
    if shas == "synthetic":
        monkeypatch.setattr(td, "FILES", {name: (pattern, blobs.get(paths[name], "0" * 40), labels)
                                          for name, (pattern, _, labels) in td.FILES.items()})
    return repo


@pytest.mark.parametrize("where", ["work tree", "git directory", "work tree without the data"])
def test_a_clone_becomes_labelled_recordings_the_scorer_reads(tmp_path, monkeypatch, capsys, where):
    repo = _repository(tmp_path, monkeypatch)
    if where == "work tree without the data":  # as the repository's later commits are
        _git(repo, "rm", "-q", "-r", TOP)
        _git(repo, "commit", "-q", "-m", "data removed")
    out = tmp_path / "out"
    assert td.main([str(repo / ".git" if where == "git directory" else repo), str(out)]) == 0
    assert capsys.readouterr().out.count("wrote ") == len(td.FILES)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{name}{ext}" for name in td.FILES for ext in (".csv", ".labels.json"))
    for name, (pattern, _, labels) in td.FILES.items():
        text = (out / f"{name}.csv").read_text()
        assert text.startswith("t_s,force_N\n") and text.count("\n") == KG.size + 1
        assert f"{T0:.6f},{float(KG[0]) * G!r}\n" in text  # time as written, force as repr of the float
        meta = json.loads((out / f"{name}.labels.json").read_text())
        assert meta == {"unit": "N", "force_column": "force_N",
                        "source": f"{td.REPOSITORY}@{td.COMMIT}:{pattern}", **labels}
        assert TOP not in (out / f"{name}.labels.json").read_text() + text  # nor the summary's tag
        t, f, lab, rec = sd.read_real(out / f"{name}.csv")
        assert lab == meta and rec.unit == "N"
        np.testing.assert_allclose(f, KG * G, rtol=1e-12)
        np.testing.assert_allclose(t, T0 + DT * np.arange(KG.size), atol=1e-6)


STOP_26 = ["tindeq_cfd_24x7s_8kg_88hz", "tindeq_3x7s_60srest_88hz", "tindeq_3reps_timegap_88hz",
           "tindeq_30s_endurance_wobbly_88hz", "tindeq_3reps_slowrise_88hz"]
STOP_29 = ["tindeq_3x7s_60srest_left_88hz", "tindeq_cfd_0905_88hz", "tindeq_cfd_3004_88hz",
           "tindeq_endurance_10s_2405_88hz", "tindeq_endurance_8s_2904_88hz", "tindeq_rfd_2405_88hz",
           "tindeq_rfd_2904_88hz", "tindeq_rotint_der_2405_set1_88hz", "tindeq_rotint_der_2405_set2_88hz",
           "tindeq_rotint_der_2405_set3_88hz"]


def test_the_real_sources_are_named_by_patterns_that_leave_out_the_top_folder():
    assert list(td.FILES) == STOP_26 + STOP_29  # the hand-edited constant file is no recording: left out
    assert len({pattern for pattern, _, _ in td.FILES.values()}) == len(td.FILES)
    assert len({sha for _, sha, _ in td.FILES.values()}) == len(td.FILES)
    for name, (pattern, sha, labels) in td.FILES.items():
        assert pattern.startswith("*/") and len(sha) == 40 and int(sha, 16) >= 0
        assert re.search(r"[0-9]{8}", pattern + str(labels)) is None  # nothing like the ID
        assert set(labels) == {"holds", "steps", "releases", "notes"} and labels["notes"]
        assert name.startswith("tindeq_")


@pytest.mark.parametrize("name", list(td.FILES))
def test_the_labels_are_well_formed(name):
    labels = td.FILES[name][2]
    holds = labels["holds"]
    for start, end, level in holds:
        assert 0 <= start < end and level > 0
    assert all(a[1] <= b[0] for a, b in pairwise(holds))  # in order, apart
    assert [t for t, _ in labels["steps"]] == sorted(t for t, _ in labels["steps"])
    assert {d for _, d in labels["steps"]} <= {"up", "down"}
    assert labels["releases"] == sorted(labels["releases"]) and all(t > 0 for t in labels["releases"])


def _reader_refuses(data: bytes, said: str) -> None:
    with pytest.raises(td.SourceError, match=said):
        td.read_rows(data, "x.csv")


def test_a_rep_summary_block_is_read_as_it_is():
    # (the tool cut it up to the time,weight line until the package's reader learnt it)
    assert td.convert(_export(reps=True), "x.csv") == td.convert(_export(), "x.csv")


def test_the_rows_before_a_restart_of_the_clock_are_dropped():
    data = _export(restart=True)
    _reader_refuses(data, "time goes backwards")
    assert td.from_clock_restart(data) == _export()
    assert td.from_clock_restart(_export(summary=True, restart=True)) == _export(summary=True)
    rows = td.convert(data, "x.csv")
    assert len(rows) == KG.size and rows[0] == (T0, float(KG[0]) * G)
    assert td.from_clock_restart(_export()) == _export()
    twice = _export(restart=True).replace(b"time,weight\r\n", b"time,weight\r\n9.0,0.1\r\n")
    assert td.from_clock_restart(twice) == twice  # time going back more than once: the reader's to say
    with pytest.raises(td.SourceError, match="time goes backwards"):
        td.convert(twice, "x.csv")
    assert "This converter drops them" in td.FILES["tindeq_cfd_0905_88hz"][2]["notes"]


def test_blob_sha_is_gits(tmp_path):
    (tmp_path / "x.csv").write_bytes(_export(summary=True))
    assert ro.blob_sha(_export(summary=True)) == subprocess.run(
        ["git", "hash-object", str(tmp_path / "x.csv")], check=True, capture_output=True,
        text=True).stdout.strip()


@pytest.mark.parametrize(("case", "said"), [
    ("other data", "not the data that were labelled"),
    ("missing", "0 files match */29_04_2023/cfd/data_set_1.csv"),
    ("twice", "2 files match */24_05_2023/cfd/data_set_1.csv"),
    ("no clone", "is no clone of SantiCiri/climbers_tindeq_asessment"),
])
def test_sources_not_as_labelled_fail_with_a_message_and_write_nothing(tmp_path, monkeypatch, capsys,
                                                                       case, said):
    if case == "no clone":
        repo = tmp_path / "empty"
        repo.mkdir()
    else:
        repo = _repository(
            tmp_path, monkeypatch, shas="real" if case == "other data" else "synthetic",
            skip="tindeq_3reps_slowrise_88hz" if case == "missing" else None,
            extra=f"other/{TOP}/24_05_2023/cfd/data_set_1.csv" if case == "twice" else None)
    out = tmp_path / "out"
    assert td.main([str(repo), str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tindeq_realdata: ") and said in err and "Traceback" not in err
    assert not out.exists()


def test_without_two_arguments_it_prints_its_usage(capsys):
    assert td.main([]) == 2
    assert "Usage" in capsys.readouterr().out
