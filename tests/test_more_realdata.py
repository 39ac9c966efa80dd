"""tools/more_realdata.py: three other devices' files at pinned commits become recordings in newtons."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from realdata_labels import assert_well_formed
from toolmods import load_tool

mr = load_tool("more_realdata")
ro = load_tool("realdata_out")  # the converters' shared source helpers
sd = load_tool("score_detection")

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

G = 9.80665
NAMES = [f"hg_{kind}_0{i}" for kind in ("fastmax", "ramphold", "sustained") for i in (1, 2, 3)]
NAMES += ["ls3_rope_01", "fes_dyn_01"]
# The converted recordings' last sample times (s), so that the labels can be checked against the spans
# without the repositories.
SPANS = {"hg_fastmax_01": 18.985, "hg_fastmax_02": 11.09, "hg_fastmax_03": 31.115, "hg_ramphold_01": 30.68,
         "hg_ramphold_02": 18.57, "hg_ramphold_03": 18.475, "hg_sustained_01": 38.615,
         "hg_sustained_02": 18.52, "hg_sustained_03": 25.74, "ls3_rope_01": 17.9992, "fes_dyn_01": 92.281}

# The hand-grip logger's layout: nine columns, the last the device's own line, quoted (commas in it);
# the device clock in microseconds, 10 ms apart. Its unloaded offset wobbles around -197000 counts
# (with one touch at 0.5 s the median ignores) for 1.5 s, then 5 kg (5 x 27790 counts) for 1 s.
HG_HEADER = ("host_unix_time_ns,lsl_timestamp_s,seq,device_clock_us,target_raw_count,target_current_units,"
             "target_filtered_units,target_status,raw_line\n")
OFFSET = [-197010.0, -197000.0, -196990.0, -197000.0] * 37 + [-197000.0, -197000.0]
OFFSET[50] = -150000.0
COUNTS = OFFSET + [-197000.0 + 5 * 27790.0] * 100 + [-197000.0] * 50


def _handgrip(counts: list[float] = COUNTS, us0: int = 540104) -> bytes:
    rows = [f'{1775220264001872828 + i * 10_000_000},{73798.790182011 + i * 0.01:.9f},{44 + i},'
            f'{us0 + i * 10_000},{c!r},{c!r},0.0,2,"D,{44 + i},{us0 + i * 10_000},{c:.2f}"\n'
            for i, c in enumerate(counts)]
    return (HG_HEADER + "".join(rows)).encode()


# A LineScale 3 log: device, date and time, the settings, then one reading in kN a line, no time.
LS_HEADER = ("6B:6C:05\n15.05.22\n16:14:25\nLogNo=002\nUnit=kN\nMode=REL\nRelZero=0.02\nSpeed=1280\n"
             "Trig=0.70\nStop=0.00\nPre=3\nCatch=15\nTotal=18\n")
KN = [0.0, -0.01] * 320 + [3.63, 1.25] * 640 + [0.97] * 640


def _linescale(header: str = LS_HEADER, kn: list[float] = KN) -> bytes:
    return (header + "".join(f"{v:.2f}\n" for v in kn)).encode()


# The FES loop's log: ;-separated, CRLF, a row only when the value changes (irregular, gaps of seconds).
FES_HEADER = "UnixTimestamp;Microseconds;MilliAmpere;CurrentKG;TargetMin;TargetMax;TargetKG\r\n"
FES_T = [1770048075.497, 1770048076.06, 1770048076.186, 1770048076.441, 1770048079.981, 1770048080.05]
FES_KG = [3.74, 3.64, 8.9, 9.0, 9.1, 2.13]


def _fes(sep: str = ";") -> bytes:
    rows = [sep.join([f"{t:.3f}", "200", "0.00", f"{kg:.2f}", "8.12", "10.98", "9.55"]) + "\r\n"
            for t, kg in zip(FES_T, FES_KG, strict=True)]
    return (FES_HEADER.replace(";", sep) + "".join(rows)).encode()


FAKE = {mr.HANDGRIP: _handgrip(), mr.LINESCALE: _linescale(), mr.FES: _fes()}


def test_a_hand_grip_log_is_its_counts_less_the_first_second_s_median_in_newtons():
    rows = mr.convert_handgrip(_handgrip())
    assert len(rows) == len(COUNTS)
    assert [t for t, _ in rows] == pytest.approx([i * 0.01 for i in range(len(COUNTS))], abs=1e-9)
    # the median of the first second is -197000 counts, whatever the touch at 0.5 s
    assert [f for _, f in rows] == pytest.approx([(c + 197000.0) / 27790.0 * G for c in COUNTS], rel=1e-12)
    assert rows[200][1] == pytest.approx(5 * G)


@pytest.mark.parametrize(("us0", "zero"), [(530104, 10.0), (532604, 5.0)])
def test_the_first_second_is_cut_as_the_labelled_set_was(us0, zero):
    # Clock readings as seconds, then the first's subtracted: a sample exactly 1 s after the first is
    # then just inside the first second from 530104 us (as in 20260402_stage4_sustained_hold_trial01)
    # and just outside from 532604 us (as in three of the 20260512 files). 50 samples at 0 counts and 50
    # at 10 before 1 s, and the one at 1 s at 10: a median of 10 counts with it, 5 without.
    counts = [0.0, 10.0] * 50 + [10.0, 10.0]
    rows = mr.convert_handgrip(_handgrip(counts, us0))
    assert rows[0][1] == pytest.approx(-zero / 27790.0 * G, abs=1e-15)


def test_a_linescale_log_is_timed_by_its_index_at_its_rate_and_read_in_newtons():
    rows = mr.convert_linescale(_linescale())
    assert len(rows) == len(KN)  # the thirteen header lines dropped, every reading kept
    assert [t for t, _ in rows] == [i / 1280 for i in range(len(KN))]
    assert [f for _, f in rows] == pytest.approx([v * 1000.0 for v in KN], rel=1e-12, abs=1e-9)
    assert rows[1] == (1 / 1280, pytest.approx(-10.0))


def test_the_fes_log_is_read_at_its_semicolons_from_its_first_timestamp():
    rows = mr.convert_fes(_fes())
    assert [t for t, _ in rows] == pytest.approx([t - FES_T[0] for t in FES_T], abs=1e-9)
    assert [f for _, f in rows] == pytest.approx([kg * G for kg in FES_KG], rel=1e-12)
    assert rows[0] == (0.0, pytest.approx(36.676871))


@pytest.mark.parametrize(("convert", "data", "said"), [
    ("convert_fes", _fes(sep=","), "x.csv has no column UnixTimestamp"),
    ("convert_handgrip", HG_HEADER.encode(), "x.csv has no rows below its header line"),
    ("convert_handgrip", _handgrip().replace(b",-197010.0,", b",n/a,", 1), "x.csv: line 2 has no number"),
    ("convert_linescale", _linescale(LS_HEADER.replace("Unit=kN", "Unit=kgf")), "is no LineScale log in kN"),
    ("convert_linescale", _linescale(kn=[]), "is no LineScale log in kN"),
    ("convert_linescale", _linescale() + b"Err\n", "x.csv: reading 2560 ('Err') is no number"),
])
def test_bytes_of_another_layout_are_refused_in_one_sentence(convert, data, said):
    with pytest.raises(mr.SourceError, match=r"^[^\n]+$") as exc:
        getattr(mr, convert)(data, "x.csv")
    assert said in str(exc.value)


def test_blob_sha_is_gits(tmp_path):
    (tmp_path / "x.csv").write_bytes(_fes())
    assert ro.blob_sha(_fes()) == subprocess.run(["git", "hash-object", str(tmp_path / "x.csv")],
                                                 check=True, capture_output=True, text=True).stdout.strip()


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org",
                           "-c", "commit.gpgsign=false", *args],
                          check=True, capture_output=True, text=True).stdout


def _repositories(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, shas: str = "synthetic",
                  skip: str | None = None, bytes_for: dict[str, bytes] | None = None) -> list[Path]:
    """A git work tree per repository, in the command line's order, with hand-made bytes of its layout
    at each labelled path (``bytes_for`` a name's own), committed; the tool's COMMITS and (``shas``
    "synthetic") its blob SHA-1s patched to those commits'."""
    repos: list[Path] = []
    blobs: dict[tuple[str, str], str] = {}
    for repository in list(mr.COMMITS):
        repo = tmp_path / repository.replace("/", "+")
        repo.mkdir()
        (repo / "README.md").write_text("not the data\n")
        for name, (owner, path, _, _) in mr.FILES.items():
            if owner == repository and name != skip:
                (repo / path).parent.mkdir(parents=True, exist_ok=True)
                (repo / path).write_bytes((bytes_for or {}).get(name, FAKE[repository]))
        _git(repo, "init", "-q")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", "files")
        commit = _git(repo, "rev-parse", "HEAD").strip()
        blobs |= {(repository, ln.split("\t")[1]): ln.split()[2]
                  for ln in _git(repo, "ls-tree", "-r", commit).splitlines()}
        monkeypatch.setitem(mr.COMMITS, repository, commit)
        repos.append(repo)
    if shas == "synthetic":
        monkeypatch.setattr(mr, "FILES", {name: (owner, path, blobs.get((owner, path), "0" * 40), labels)
                                          for name, (owner, path, _, labels) in mr.FILES.items()})
    return repos


@pytest.mark.parametrize("where", ["work tree", "git directory"])
def test_clones_become_labelled_recordings_the_scorer_reads(tmp_path, monkeypatch, capsys, where):
    repos = _repositories(tmp_path, monkeypatch)
    out = tmp_path / "out"
    assert mr.main([*(str(r / ".git" if where == "git directory" else r) for r in repos), str(out)]) == 0
    assert capsys.readouterr().out.count("wrote ") == len(mr.FILES)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{name}{ext}" for name in mr.FILES for ext in (".csv", ".labels.json"))
    expected = {mr.HANDGRIP: mr.convert_handgrip(_handgrip()),
                mr.LINESCALE: mr.convert_linescale(_linescale()), mr.FES: mr.convert_fes(_fes())}
    for name, (repository, path, _, labels) in mr.FILES.items():
        assert (out / f"{name}.csv").read_text().startswith("t_s,force_N\n")
        meta = json.loads((out / f"{name}.labels.json").read_text())
        assert meta == {"unit": "N", "force_column": "force_N",
                        "source": f"{repository}@{mr.COMMITS[repository]}:{path}", **labels}
        t, f, lab, rec = sd.read_real(out / f"{name}.csv")
        assert lab == meta and rec.unit == "N"
        rows = expected[repository]
        np.testing.assert_allclose(f, [v for _, v in rows], rtol=1e-12, atol=1e-12)  # force as repr
        np.testing.assert_allclose(t, [s for s, _ in rows], atol=5e-7)  # time to the microsecond
        assert {d["kind"] for d in sd.truth_from_labels(meta)} <= {"hold", "step", "release"}


@pytest.mark.parametrize(("case", "said"), [
    ("other data", "not the data that were labelled; give a clone of MadHuslista/madhus.project.handgrip"),
    ("missing", "0 files match tests/inputFiles/logfile_long.csv"),
    ("unreadable", "csv/received_values_20260202_170103.csv has no column UnixTimestamp"),
    ("no clone", "is no clone of MadHuslista/madhus.project.handgrip with commit"),
])
def test_sources_not_as_labelled_fail_in_one_sentence_and_write_nothing(tmp_path, monkeypatch, capsys,
                                                                       case, said):
    if case == "no clone":
        repos = [tmp_path / "empty"] * 3
        repos[0].mkdir()
    else:
        repos = _repositories(tmp_path, monkeypatch, shas="real" if case == "other data" else "synthetic",
                              skip="ls3_rope_01" if case == "missing" else None,
                              bytes_for={"fes_dyn_01": _fes(sep=",")} if case == "unreadable" else None)
    out = tmp_path / "out"
    assert mr.main([*map(str, repos), str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("more_realdata: ") and said in err and "Traceback" not in err
    assert err.count("\n") == 1  # one line
    if case == "other data":  # the first source checked, its bytes and the labelled ones named
        assert (f"{mr.FILES['hg_fastmax_01'][1]} in {repos[0]} is git blob {ro.blob_sha(FAKE[mr.HANDGRIP])}, "
                f"not {mr.FILES['hg_fastmax_01'][2]}:") in err
    assert not out.exists()


def test_without_four_arguments_it_prints_its_usage(capsys):
    assert mr.main([]) == 2
    assert mr.main(["a", "b"]) == 2
    assert "Usage" in capsys.readouterr().out


def test_the_real_sources_are_pinned_and_named_in_their_notes():
    assert list(mr.FILES) == NAMES
    assert list(mr.COMMITS) == [mr.HANDGRIP, mr.LINESCALE, mr.FES]  # the command line's order
    assert len({(r, p) for r, p, _, _ in mr.FILES.values()}) == len(mr.FILES)
    assert len({sha for _, _, sha, _ in mr.FILES.values()}) == len(mr.FILES)
    for name, (repository, path, sha, labels) in mr.FILES.items():
        assert len(sha) == 40 and int(sha, 16) >= 0
        assert set(labels) == {"holds", "steps", "releases", "notes"}
        # each note names what was labelled: the repository at the pinned commit, and the path
        assert f"{repository} @ {mr.COMMITS[repository]}" in labels["notes"] and path in labels["notes"]
        assert name.startswith({mr.HANDGRIP: "hg_", mr.LINESCALE: "ls3_", mr.FES: "fes_"}[repository])


@pytest.mark.parametrize("name", NAMES)
def test_the_labels_are_well_formed(name):
    # every hold lasts 1.5 s but one, whose note says why it is labelled shorter
    short = (14.17, "the labelled interval is only 1.1 s") if name == "hg_sustained_01" else None
    assert_well_formed(mr.FILES[name][3], SPANS[name], short=short)
