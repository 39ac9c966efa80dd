"""tools/extra_realdata.py: three more sources' files at pinned commits become recordings in newtons."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from realdata_labels import assert_well_formed
from scipy.io import savemat
from toolmods import load_tool

xr = load_tool("extra_realdata")
ro = load_tool("realdata_out")  # the converters' shared source helpers
sd = load_tool("score_detection")

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

G = 9.80665
NAMES = ["labchart_mvc_twitch_acnoise_1000hz", "labchart_mvc_twitch_1000hz",
         "tindeq_critical_force_3reps_88hz", "tindeq_repeaters_two_reps_88hz", "tindeq_rfd_pull_88hz",
         "futek_press_staircase_100hz", "futek_grip_pulses_100hz"]
# The converted recordings' last sample times (s), so that the labels can be checked against the spans
# without the repositories.
SPANS = {"labchart_mvc_twitch_acnoise_1000hz": 16.699, "labchart_mvc_twitch_1000hz": 13.149,
         "tindeq_critical_force_3reps_88hz": 27.717519, "tindeq_repeaters_two_reps_88hz": 31.786819,
         "tindeq_rfd_pull_88hz": 2.518502, "futek_press_staircase_100hz": 50.008,
         "futek_grip_pulses_100hz": 25.003}

# A LabChart export: one channel in kg at 1000 Hz, resting at 0.74 kg (not zeroed) for 3 s with one
# spike the median ignores, then 20 kg for a second.
KG = [0.74] * 3000 + [20.74] * 1000
KG[1500] = 5.0


def _labchart(kg: list[float] = KG, unit: str = "Kg", rate: float = 1000.0) -> bytes:
    buf = io.BytesIO()
    savemat(buf, {"data": np.array([kg], dtype=np.float32), "datastart": np.array([[1.0]]),
                  "dataend": np.array([[float(len(kg))]]), "titles": np.array(["Force"]),
                  "unittext": np.array([unit]), "samplerate": np.array([[rate]])})
    return buf.getvalue()


# A Tindeq app export: summary lines, then time,weight at ~88 Hz; CRLF, no newline at the end.
TQ_HEAD = ",Overall Avg\r\nAvg,0.0\r\nPeak,0.0\r\n,\r\ntime,weight\r\n"
TQ = [(0.054143 + 0.011356 * i, 0.42 + (10.0 if 20 <= i < 200 else 0.0)) for i in range(240)]


def _tindeq(head: str = TQ_HEAD, rows: list[tuple[float, float]] = TQ) -> bytes:
    return (head + "\r\n".join(f"{t:.6f},{kg!r}" for t, kg in rows)).encode()


# The grip-load device's log: a 0 line, a tab-separated header, five numbers a row, CRLF; F3 the cell.
FT_HEAD = "0\r\nF1\tF2\tF3\tF4\ttime\r\n"
FT = [(0.013 + 0.01 * i, -1.5 if 50 <= i < 250 else -0.02) for i in range(300)]


def _futek(head: str = FT_HEAD, rows: list[tuple[float, float]] = FT) -> bytes:
    return (head + "".join(f"0.000\t0.000\t{kg:.3f}\t{kg:.3f}\t{t:.3f}\r\n" for t, kg in rows)).encode()


FAKE = {xr.LABCHART: _labchart(), xr.TINDEQ: _tindeq(), xr.FUTEK: _futek()}


def test_a_labchart_export_is_timed_by_its_rate_and_zeroed_by_its_first_seconds():
    rows = xr.convert_labchart(_labchart())
    assert [t for t, _ in rows] == [i / 1000.0 for i in range(len(KG))]
    # the rest (0.74 kg, the spike aside) is the zero: the load reads 20 kg, the rest 0
    expected = [(float(np.float32(kg)) - float(np.float32(0.74))) * G for kg in KG]
    assert [f for _, f in rows] == pytest.approx(expected, abs=1e-9)
    assert rows[3500][1] == pytest.approx(20.0 * G, rel=1e-6) and rows[0][1] == 0.0


def test_a_tindeq_export_is_read_below_its_header_in_newtons_by_the_packages_reader():
    rows = xr.convert_tindeq(_tindeq())
    assert rows == [(pytest.approx(float(f"{t:.6f}")), pytest.approx(kg * G)) for t, kg in TQ]


@pytest.mark.parametrize(("convert", "sign"), [("convert_futek", 1.0), ("convert_futek_pushes", -1.0)])
def test_a_grip_load_log_is_its_third_channel_in_newtons_pulls_or_pushes(convert, sign):
    rows = getattr(xr, convert)(_futek())
    assert [t for t, _ in rows] == pytest.approx([float(f"{t:.3f}") for t, _ in FT])
    assert [f for _, f in rows] == pytest.approx([sign * float(f"{kg:.3f}") * G for _, kg in FT])
    assert rows[100][1] == pytest.approx(-sign * 1.5 * G)


@pytest.mark.parametrize(("convert", "data", "said"), [
    ("convert_labchart", b"not a MATLAB file", "x.mat is no MATLAB file scipy reads"),
    ("convert_labchart", _labchart(unit="mV"), "x.mat is no one-block LabChart channel in kg"),
    ("convert_tindeq", _tindeq(head="time;weight\r\n"), "x.mat: the file line 2 has 1 cell"),
    ("convert_tindeq", _tindeq(rows=[]), "x.mat: the file has 0 rows of data below its header"),
    ("convert_futek", _futek(head="0\r\nA\tB\r\n"), "x.mat is no grip-load device log"),
    ("convert_futek_pushes", _futek() + b"0.1\t0.2\r\n", "x.mat: line 303 ('0.1\\t0.2') is no row of five"),
])
def test_bytes_of_another_layout_are_refused_in_one_sentence(convert, data, said):
    with pytest.raises(xr.SourceError, match=r"^[^\n]+$") as exc:
        getattr(xr, convert)(data, "x.mat")
    assert said in str(exc.value)


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org",
                           "-c", "commit.gpgsign=false", *args],
                          check=True, capture_output=True, text=True).stdout


def _repositories(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, shas: str = "synthetic") -> list[Path]:
    """A git work tree per repository, in the command line's order, with hand-made bytes of its layout
    at each labelled path, committed; the tool's COMMITS and (``shas`` "synthetic") its blob SHA-1s
    patched to those commits'."""
    repos: list[Path] = []
    for repository in list(xr.COMMITS):
        repo = tmp_path / repository.replace("/", "+")
        repo.mkdir()
        for _, (owner, path, _, _, _) in xr.FILES.items():
            if owner == repository:
                (repo / path).parent.mkdir(parents=True, exist_ok=True)
                (repo / path).write_bytes(FAKE[repository])
        _git(repo, "init", "-q")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", "files")
        monkeypatch.setitem(xr.COMMITS, repository, _git(repo, "rev-parse", "HEAD").strip())
        repos.append(repo)
    if shas == "synthetic":
        monkeypatch.setattr(xr, "FILES", {
            name: (owner, path, (ro.blob_sha(FAKE[owner]),), convert, labels)
            for name, (owner, path, _, convert, labels) in xr.FILES.items()})
    return repos


@pytest.mark.parametrize("where", ["work tree", "git directory"])
def test_clones_become_labelled_recordings_the_scorer_reads(tmp_path, monkeypatch, capsys, where):
    repos = _repositories(tmp_path, monkeypatch)
    out = tmp_path / "out"
    assert xr.main([*(str(r / ".git" if where == "git directory" else r) for r in repos), str(out)]) == 0
    assert capsys.readouterr().out.count("wrote ") == len(xr.FILES)
    for name, (repository, path, _, convert, labels) in xr.FILES.items():
        meta = json.loads((out / f"{name}.labels.json").read_text())
        assert meta == {"unit": "N", "force_column": "force_N",
                        "source": f"{repository}@{xr.COMMITS[repository]}:{path}", **labels}
        t, f, lab, rec = sd.read_real(out / f"{name}.csv")
        assert lab == meta and rec.unit == "N"
        rows = convert(FAKE[repository], path)
        np.testing.assert_allclose(f, [v for _, v in rows], rtol=1e-12, atol=1e-12)  # force as repr
        np.testing.assert_allclose(t, [s for s, _ in rows], atol=5e-7)  # time to the microsecond


def test_other_data_than_labelled_fail_in_one_sentence_and_write_nothing(tmp_path, monkeypatch, capsys):
    repos = _repositories(tmp_path, monkeypatch, shas="real")
    out = tmp_path / "out"
    assert xr.main([*map(str, repos), str(out)]) == 2
    err = capsys.readouterr().err
    first = xr.FILES[NAMES[0]]
    assert err == (f"extra_realdata: {first[1]} in {repos[0]} is git blob {ro.blob_sha(FAKE[xr.LABCHART])}, "
                   f"not {first[2][0]}: not the data that were labelled; give a clone of {xr.LABCHART} with "
                   f"commit {xr.COMMITS[xr.LABCHART]}\n")
    assert not out.exists()


def test_without_four_arguments_it_prints_its_usage(capsys):
    assert xr.main([]) == 2
    assert "Usage" in capsys.readouterr().out


def test_the_real_sources_are_pinned():
    assert list(xr.FILES) == NAMES
    assert list(xr.COMMITS) == [xr.LABCHART, xr.TINDEQ, xr.FUTEK]  # the command line's order
    assert len({(r, p) for r, p, _, _, _ in xr.FILES.values()}) == len(xr.FILES)
    for name, (repository, _, shas, _, labels) in xr.FILES.items():
        assert shas and all(len(sha) == 40 and int(sha, 16) >= 0 for sha in shas)
        assert set(labels) == {"holds", "steps", "releases", "notes"}
        prefix = {xr.LABCHART: "labchart_", xr.TINDEQ: "tindeq_", xr.FUTEK: "futek_"}[repository]
        assert name.startswith(prefix)


@pytest.mark.parametrize("name", NAMES)
def test_the_labels_are_well_formed(name):
    # every hold lasts 1.5 s but one, whose note says it is shorter; the RFD pull's runs to the end of
    # its file, 2 ms after its last sample
    assert_well_formed(xr.FILES[name][4], SPANS[name], slack=0.01,
                       short=(15.45, "15.45-16.93 s") if name == "futek_grip_pulses_100hz" else None)
