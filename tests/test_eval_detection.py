"""``tools/eval_detection.py``: the whole A/B in one command - the totals it reports are the scorer's
own, a run compared with itself names no file, a changed output is named by file, and what cannot be
scored ends in one sentence. Its runs here are two-session blind seeds (a second each)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from toolmods import load_tool

ev = load_tool("eval_detection")
sd = load_tool("score_detection")


def _run(runs: Path, *extra: str) -> tuple[int, Path]:
    out = runs / f"run{len(list(runs.glob('run*.json')))}.json"
    code = ev.main(["--blind", "3", "--blind", "4-5", "--blind-dir", str(runs / "blind"), "--sessions", "2",
                    "--json", str(out), *extra])
    return code, out


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder whose first run generated the seeds (sets are checked before any work is done)."""
    folder = tmp_path_factory.mktemp("eval")
    assert _run(folder)[0] == 0
    return folder


def test_the_totals_are_the_scorers_own_and_seeds_are_generated_once(runs: Path,
                                                                     capsys: pytest.CaptureFixture[str]):
    written = sorted((runs / "blind" / "seed3_n2").iterdir())
    stamps = [p.stat().st_mtime_ns for p in written]
    code, out = _run(runs, "--set", f"again={runs / 'blind' / 'seed3_n2'}")
    assert code == 0
    data = json.loads(out.read_text())
    for seeds, name in (([3], "blind 3"), ([4, 5], "blind 4-5")):
        want: dict[str, list[int]] = {}
        for s in seeds:
            _, scored = sd.realdata_report(runs / "blind" / f"seed{s}_n2", "nmt")
            for kind, v in scored["total"].items():
                acc = want.setdefault(kind, [0, 0, 0])
                for i, key in enumerate(("tp", "fp", "fn")):
                    acc[i] += v[key]
        assert data["rows"][name] == want
        assert len(data["files"][name]) == 2 * len(seeds)
    assert data["rows"]["again"] == data["rows"]["blind 3"]  # the same folder named as a set
    text = capsys.readouterr().out
    first = text.splitlines()[0]
    assert "blind 4-5" in text and first.startswith("detector: nmt_pressure") and " core (" in first
    # reused, not written again
    assert [p.stat().st_mtime_ns for p in sorted((runs / "blind" / "seed3_n2").iterdir())] == stamps


def test_a_run_compared_with_itself_names_no_file_and_a_changed_output_is_named(
        runs: Path, capsys: pytest.CaptureFixture[str]):
    code, first = _run(runs)
    assert code == 0
    capsys.readouterr()
    assert _run(runs, "--compare", str(first))[0] == 0
    text = capsys.readouterr().out
    assert "all 2 files' output identical" in text and "all 4 files' output identical" in text
    assert "differs" not in text
    old = json.loads(first.read_text())
    name = sorted(old["files"]["blind 4-5"])[1]
    old["files"]["blind 4-5"][name] = "0" * 16  # as if that file's events had been other
    old["rows"]["blind 4-5"]["hold"][1] += 1
    doctored = first.with_name("doctored.json")
    doctored.write_text(json.dumps(old))
    assert _run(runs, "--compare", str(doctored))[0] == 0
    text = capsys.readouterr().out
    line = next(x for x in text.splitlines() if x.startswith("blind 4-5:"))
    assert "1 of 4 files' output differs" in line and name in line and "hold" in line
    assert next(x for x in text.splitlines() if x.startswith("blind 3:")).endswith("output identical")


def test_blind2_rows_are_the_second_generators_seeds_scored_beside_the_first_ones(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """``--blind2 SEEDS``: blind_generator2.py's seeds, generated once into g2seedN beside the first
    generator's seedN (the same seed number, other files), one row each, compared file by file."""
    blind = tmp_path / "blind"
    args = ["--blind", "3", "--blind2", "3", "--blind-dir", str(blind), "--sessions", "2"]
    first = tmp_path / "first.json"
    assert ev.main([*args, "--json", str(first)]) == 0
    folder = blind / "g2seed3_n2"
    assert sorted(p.name for p in folder.glob("*.csv")) == ["bg2_s3_000.csv", "bg2_s3_001.csv"]
    data = json.loads(first.read_text())
    want: dict[str, list[int]] = {}
    _, scored = sd.realdata_report(folder, "nmt")
    for kind, v in scored["total"].items():
        want[kind] = [v["tp"], v["fp"], v["fn"]]
    assert data["rows"]["blind2 3"] == want
    assert sorted(data["files"]["blind2 3"]) == ["g2seed3/bg2_s3_000.csv", "g2seed3/bg2_s3_001.csv"]
    assert sorted(f.split("/")[0] for f in data["files"]["blind 3"]) == ["seed3", "seed3"]
    assert "\nblind2 3 " in capsys.readouterr().out
    stamps = [p.stat().st_mtime_ns for p in sorted(folder.iterdir())]
    assert ev.main([*args, "--compare", str(first)]) == 0
    text = capsys.readouterr().out
    assert "blind2 3: every F1 and count equal; all 2 files' output identical" in text
    assert "blind 3: every F1 and count equal; all 2 files' output identical" in text
    assert [p.stat().st_mtime_ns for p in sorted(folder.iterdir())] == stamps  # reused, not written again


@pytest.mark.parametrize(("option", "folder", "prefix"), [("--blind3", "g3seed", "bg3"),
                                                      ("--blind4", "g4seed", "bg4"),
                                                      ("--blind5", "g5seed", "bg5"),
                                                      ("--blind6", "g6seed", "bg6"),
                                                      ("--blind7", "g7seed", "bg7"),
                                                      ("--blind8", "g8seed", "bg8"),
                                                      ("--blind9", "g9seed", "bg9")])
def test_later_generators_rows_are_their_seeds_scored_beside_the_first_ones(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, folder: str, prefix: str):
    """``--blind3`` to ``--blind9 SEEDS``: the later generators' seeds (blind_generator3.py to 9),
    generated once into g3seedN to g9seedN beside the first generator's seedN (the same seed number,
    other files), one row each, compared file by file."""
    blind = tmp_path / "blind"
    row = f"{option.removeprefix('--')} 3"
    args = ["--blind", "3", option, "3", "--blind-dir", str(blind), "--sessions", "2"]
    first = tmp_path / "first.json"
    assert ev.main([*args, "--json", str(first)]) == 0
    seeds = blind / f"{folder}3_n2"
    assert sorted(p.name for p in seeds.glob("*.csv")) == [f"{prefix}_s3_000.csv", f"{prefix}_s3_001.csv"]
    data = json.loads(first.read_text())
    want: dict[str, list[int]] = {}
    _, scored = sd.realdata_report(seeds, "nmt")
    for kind, v in scored["total"].items():
        want[kind] = [v["tp"], v["fp"], v["fn"]]
    assert data["rows"][row] == want
    assert sorted(data["files"][row]) == [f"{folder}3/{prefix}_s3_000.csv", f"{folder}3/{prefix}_s3_001.csv"]
    assert sorted(f.split("/")[0] for f in data["files"]["blind 3"]) == ["seed3", "seed3"]
    assert f"\n{row} " in capsys.readouterr().out
    stamps = [p.stat().st_mtime_ns for p in sorted(seeds.iterdir())]
    assert ev.main([*args, "--compare", str(first)]) == 0
    text = capsys.readouterr().out
    assert f"{row}: every F1 and count equal; all 2 files' output identical" in text
    assert "blind 3: every F1 and count equal; all 2 files' output identical" in text
    assert [p.stat().st_mtime_ns for p in sorted(seeds.iterdir())] == stamps  # reused, not written again


@pytest.mark.parametrize(("args", "says"), [
    (["--set", "x=/nonexistent/folder"], "does not exist"),
    (["--blind", "1-3"], "--blind needs --blind-dir"),
    (["--blind2", "1-3"], "--blind2 needs --blind-dir"),
    (["--blind", "8-2", "--blind-dir", "."], "no seed range"),
    (["--blind2", "8-2", "--blind-dir", "."], "--blind2 '8-2' is no seed range"),
    (["--blind3", "1-3"], "--blind3 needs --blind-dir"),
    (["--blind3", "8-2", "--blind-dir", "."], "--blind3 '8-2' is no seed range"),
    (["--blind3", "x", "--blind-dir", "."], "--blind3 'x' is no seed range"),
    (["--blind4", "1-3"], "--blind4 needs --blind-dir"),
    (["--blind4", "8-2", "--blind-dir", "."], "--blind4 '8-2' is no seed range"),
    (["--blind5", "1-3"], "--blind5 needs --blind-dir"),
    (["--blind5", "8-2", "--blind-dir", "."], "--blind5 '8-2' is no seed range"),
    (["--blind6", "1-3"], "--blind6 needs --blind-dir"),
    (["--blind6", "8-2", "--blind-dir", "."], "--blind6 '8-2' is no seed range"),
    (["--blind7", "1-3"], "--blind7 needs --blind-dir"),
    (["--blind7", "8-2", "--blind-dir", "."], "--blind7 '8-2' is no seed range"),
    (["--blind8", "1-3"], "--blind8 needs --blind-dir"),
    (["--blind8", "8-2", "--blind-dir", "."], "--blind8 '8-2' is no seed range"),
    (["--blind9", "1-3"], "--blind9 needs --blind-dir"),
    (["--blind9", "8-2", "--blind-dir", "."], "--blind9 '8-2' is no seed range"),
    (["--set", "nameonly"], "NAME=FOLDER"),
    ([], "nothing to score"),
    ([], "--blind9 SEEDS"),
    (["--set", "x=.", "--core", "/nonexistent"], "no nmt_pressure package"),
    (["--set", "x=.", "--json", "/nonexistent/folder/run.json"], "cannot be written"),
    (["--set", "x=.", "--json", "."], "cannot be written"),
])
def test_what_cannot_be_scored_ends_in_one_sentence(args: list[str], says: str,
                                                    capsys: pytest.CaptureFixture[str]):
    assert ev.main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and says in err and "Traceback" not in err


def test_a_compare_file_that_is_no_run_and_a_json_that_fails_at_the_end_end_in_one_sentence(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    empty = tmp_path / "empty"
    empty.mkdir()
    other = tmp_path / "other.json"
    other.write_text("[]")
    assert ev.main(["--set", f"x={empty}", "--compare", str(other)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no earlier run's --json" in err
    # A path that passes the check up front and fails when written (a link to a folder that is not
    # there): the report is printed first, and the one sentence says so.
    link = tmp_path / "run.json"
    link.symlink_to(tmp_path / "gone" / "run.json")
    assert ev.main(["--set", f"x={empty}", "--json", str(link)]) == 2
    out, err = capsys.readouterr()
    assert out.startswith("detector: ") and "\nx " in out
    assert len(err.strip().splitlines()) == 1 and "could not be written" in err and "above" in err


def test_the_matrix_row_is_the_scorers_pooled_counts_and_a_changed_session_is_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    quick = ["--matrix", "--matrix-quick", "--matrix-family", "baseline", "--jobs", "1"]
    first = tmp_path / "first.json"
    assert ev.main([*quick, "--json", str(first)]) == 0
    data = json.loads(first.read_text())
    sessions = data["files"]["matrix"]
    assert len(sessions) == 10 and all(k.startswith("baseline mild/") for k in sessions)
    assert all(sum(data["rows"]["matrix"][k]) > 0 for k in ("hold", "step", "release", "band_exit"))
    capsys.readouterr()
    assert ev.main([*quick, "--compare", str(first)]) == 0
    assert "all 10 sessions' output identical" in capsys.readouterr().out
    name = sorted(sessions)[3]
    data["files"]["matrix"][name] = "f" * 16
    doctored = tmp_path / "doctored.json"
    doctored.write_text(json.dumps(data))
    assert ev.main([*quick, "--compare", str(doctored)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("matrix:"))
    assert "every F1 and count equal; 1 of 10 sessions' output differs" in line and name in line
