"""tools/gdx_realdata.py: a lab script's dynamometer files become scoreable recordings, preamble dropped."""

from __future__ import annotations

import json
from itertools import pairwise

import numpy as np
import pytest
from toolmods import load_tool

gdx = load_tool("gdx_realdata")
sd = load_tool("score_detection")

STOP_25 = [f"gdx_{c}" for c in "abcdefghijk"]
STOP_29 = [f"gdx_{c}" for c in "lmnopq"]  # the repository's other files with force on them

# The lab script's layout: a preamble with personal data, a blank line, then Force,Timestamp rows.
SOURCE = """Participant Information
Name,Somebody
Age,20
Sex,M
Dominant Hand,R
Date,2025-01-27_15h02.35.883

Force,Timestamp
{rows}
"""


def _rows(t0: str, force: np.ndarray, dt: float = 0.1) -> str:
    from datetime import datetime, timedelta

    start = datetime.fromisoformat(t0)
    return "\n".join(f"{float(f)!r},{(start + timedelta(seconds=i * dt)).isoformat(sep=' ')}"
                     for i, f in enumerate(force))


def test_convert_drops_the_preamble_and_counts_seconds_from_the_first_timestamp():
    rows = gdx.convert(SOURCE.format(rows=_rows("2025-01-27 23:59:59.950000",
                                                np.array([0.5, 1.25, 2.0]))).encode())
    assert [f for _, f in rows] == [0.5, 1.25, 2.0]
    assert [t for t, _ in rows] == pytest.approx([0.0, 0.1, 0.2])  # across midnight too


def test_convert_takes_a_2_hz_export_and_a_burst_of_rows_before_the_10_hz_ones():
    # gdx_m was read at 2 Hz; several files open with rows milliseconds apart, then ~10 Hz.
    slow = gdx.convert(SOURCE.format(rows=_rows("2025-01-27 15:09:22.013633", np.array([-0.4, 18.2, 7.2]),
                                                dt=0.5)).encode())
    assert [t for t, _ in slow] == pytest.approx([0.0, 0.5, 1.0])
    burst = _rows("2025-01-23 12:15:04.703237", np.arange(5.0), dt=0.007)
    then = _rows("2025-01-23 12:15:04.803237", np.arange(5.0, 8.0))
    rows = gdx.convert(SOURCE.format(rows=f"{burst}\n{then}").encode())
    assert [f for _, f in rows] == list(np.arange(8.0))
    assert [t for t, _ in rows] == pytest.approx([0.0, 0.007, 0.014, 0.021, 0.028, 0.1, 0.2, 0.3])


def test_the_sources_are_the_lab_script_s_data_files_each_once():
    assert list(gdx.FILES) == STOP_25 + STOP_29
    paths = [path for path, _ in gdx.FILES.values()]
    assert len(set(paths)) == len(paths)
    assert all(path.startswith("data/") and path.endswith(".csv") for path in paths)
    assert "data/2025-02-12_14h09.08.394.csv" not in paths  # no rows below its header: left out
    # One source's name begins with a person's first name: its pattern has * there, and is the only one.
    assert [p for p in paths if "*" in p] == ["data/*test2025-01-27_17h15.19.521.csv"]
    for _, labels in gdx.FILES.values():
        assert set(labels) == {"holds", "steps", "releases", "notes"} and labels["notes"]


@pytest.mark.parametrize("name", list(gdx.FILES))
def test_the_labels_are_well_formed(name):
    labels = gdx.FILES[name][1]
    holds = labels["holds"]
    for start, end, level in holds:
        assert start >= 0 and end - start >= 1.5 and level > 0  # no hold is shorter than 1.5 s
    assert all(a[1] <= b[0] for a, b in pairwise(holds))  # in order, apart
    assert [t for t, _ in labels["steps"]] == sorted(t for t, _ in labels["steps"])
    assert {d for _, d in labels["steps"]} <= {"up", "down"}
    assert len(labels["steps"]) < max(len(holds), 1)  # a step joins two holds
    assert labels["releases"] == sorted(labels["releases"]) and all(t > 0 for t in labels["releases"])
    assert len(labels["releases"]) <= len(holds)  # only a contact that held is released


@pytest.mark.parametrize("name", STOP_29)
def test_the_later_files_hold_nothing_and_say_why(name):
    # Squeezes, pumping and a cut-off rise: never 1.5 s near one level, so no step and no release.
    labels = gdx.FILES[name][1]
    assert labels["holds"] == labels["steps"] == labels["releases"] == []
    assert "hold" in labels["notes"] or "held" in labels["notes"]


def test_a_work_tree_becomes_labelled_recordings_the_scorer_reads(tmp_path):
    repo, out = tmp_path / "repo", tmp_path / "out"
    force = np.concatenate([np.zeros(20), np.full(60, 30.0), np.zeros(20)])
    for path, _ in gdx.FILES.values():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        rows = _rows("2025-02-03 09:00:39.479447", force)
        (repo / path.replace("*", "somebody")).write_text(SOURCE.format(rows=rows))
    assert gdx.main([str(repo), str(out)]) == 0
    for name, (path, labels) in gdx.FILES.items():
        text = (out / f"{name}.csv").read_text()
        assert "Somebody" not in text and text.startswith("t_s,force_N\n")
        meta = json.loads((out / f"{name}.labels.json").read_text())
        assert meta["holds"] == labels["holds"] and meta["source"].endswith(path)
        assert "somebody" not in meta["source"]  # the pattern is written, not the name it matched
        t, f, lab, _ = sd.read_real(out / f"{name}.csv")
        assert lab is not None and t.size == force.size
        np.testing.assert_allclose(f, force)
        np.testing.assert_allclose(np.diff(t), 0.1, atol=1e-6)


@pytest.mark.parametrize(("case", "said"), [
    ("no clone", "is no clone of LIMB-UCF/Force-Measurement with commit"),
    ("not the export", "is not the lab script's export that was labelled"),
])
def test_sources_not_as_labelled_fail_with_a_message_and_write_nothing(tmp_path, capsys, case, said):
    # A folder that is no clone once ended in git's CalledProcessError traceback.
    repo, out = tmp_path / "repo", tmp_path / "out"
    repo.mkdir()
    if case == "not the export":
        for path, _ in gdx.FILES.values():
            (repo / path).parent.mkdir(parents=True, exist_ok=True)
            (repo / path.replace("*", "somebody")).write_text("time,force\n0.0,1.0\n")
    assert gdx.main([str(repo), str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gdx_realdata: ") and said in err and "Traceback" not in err
    assert not out.exists()


def test_without_two_arguments_it_prints_its_usage(capsys):
    assert gdx.main([]) == 2
    assert "Usage" in capsys.readouterr().out
