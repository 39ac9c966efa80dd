"""tools/blind_generator9.py: its files load with the project's reader and their labels are well formed,
a session is a deterministic function of (seed, session), ``--check`` passes on a fresh run and names a
changed file, the second reader catches a wrong label, and user errors exit 2 with one sentence."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from toolmods import load_tool

g = load_tool("blind_generator9")
sd = load_tool("score_detection")
TOOL = Path(__file__).resolve().parent.parent / "tools" / "blind_generator9.py"
SEED = 3
N_WRITTEN = 4


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOOL), *args], capture_output=True, text=True, timeout=180, check=False
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bg9") / "out"
    res = run_tool(str(out), "--seed", str(SEED), "--sessions", str(N_WRITTEN), "--jobs", "1")
    assert res.returncode == 0, res.stderr
    return out


def test_files_load_with_the_project_reader_and_their_labels_are_well_formed(written: Path) -> None:
    csvs = sorted(written.glob("bg9_s3_*.csv"))
    assert [p.name for p in csvs] == [f"bg9_s3_{i:03d}.csv" for i in range(N_WRITTEN)]
    kinds_seen: set[str] = set()
    for path in csvs:
        t, f, labels, _ = sd.read_real(path)
        assert labels is not None and labels["unit"] in g.N_PER_UNIT
        assert t.size > 100 and np.all(np.diff(t) > 0) and np.all(np.isfinite(f))
        holds, ended = labels["holds"], labels["holds_ended_by"]
        assert len(ended) == len(holds) >= 1
        assert set(ended) <= {"step", "release", "left", "end_of_data"}
        starts = [h[0] for h in holds]
        assert starts == sorted(starts)
        per_n = g.N_PER_UNIT[labels["unit"]]
        for (a, b, lv), (a2, _b2, _lv2) in zip(holds, [*holds[1:], [np.inf, np.inf, 0]], strict=True):
            assert t[0] <= a < b <= a2 and b - a >= 1.5 and lv > 0
            # the labelled level is where the recorded force sits over the hold (tremor and noise aside)
            seg = f[(t >= a + 0.3) & (t <= b - 0.3)]
            assert abs(np.median(seg) / (lv * per_n) - 1) < 0.06, (path.name, a, b, lv)
        ends = {round(h[1], 3) for h, e in zip(holds, ended, strict=True) if e == "step"}
        assert {round(s[0], 3) for s in labels["steps"]} <= ends
        assert all(d in ("up", "down") for _, d in labels["steps"])
        for x, d in labels["band_exits"]:
            assert d in ("high", "low")
            assert any(a + 1.5 <= x <= b for a, b, _ in holds), (path.name, x)
        truth = sd.truth_from_labels(labels)
        kinds_seen |= {x["kind"] for x in truth}
    assert {"hold", "release"} <= kinds_seen


def test_a_session_is_a_function_of_seed_and_session() -> None:
    a, b, c = g.build(SEED, 1), g.build(SEED, 1), g.build(SEED + 1, 1)
    assert a.csv == b.csv and a.labels == b.labels
    assert a.csv != c.csv


def test_check_passes_on_a_fresh_run_and_names_a_changed_file(written: Path, tmp_path: Path) -> None:
    res = run_tool(str(written), "--seed", str(SEED), "--sessions", str(N_WRITTEN), "--check", "--jobs", "1")
    assert res.returncode == 0, res.stderr
    changed = tmp_path / "changed"
    changed.mkdir()
    for p in written.iterdir():
        (changed / p.name).write_bytes(p.read_bytes())
    victim = changed / "bg9_s3_002.csv"
    lines = victim.read_text().splitlines(keepends=True)
    lines[-1] = lines[-1].replace(",", ",9", 1)
    victim.write_text("".join(lines))
    res = run_tool(str(changed), "--seed", str(SEED), "--sessions", str(N_WRITTEN), "--check", "--jobs", "1")
    assert res.returncode == 1
    assert "bg9_s3_002.csv" in res.stderr and "bg9_s3_001" not in res.stderr


def test_the_second_reader_catches_a_wrong_label() -> None:
    ses = g.build(SEED, 0)
    lab: dict[str, Any] = json.loads(ses.labels)
    reading = g.second_reading(ses.t_dev, ses.s_samples)
    assert g.compare(lab, reading, "s0") == []
    moved = copy.deepcopy(lab)
    moved["holds"][0][0] += 0.6
    assert any("hold 0" in e for e in g.compare(moved, reading, "s0"))
    fewer = copy.deepcopy(lab)
    fewer["releases"] = fewer["releases"][1:] if fewer["releases"] else [1.0]
    assert any("releases" in e for e in g.compare(fewer, reading, "s0"))


@pytest.mark.parametrize(("args", "says"), [
    (["--seed", "-1"], "--seed must be >= 0"),
    (["--seed", "1", "--sessions", "0"], "--sessions and --jobs >= 1"),
    (["--seed", "x"], "invalid int value"),
])
def test_user_errors_exit_2_with_one_sentence(tmp_path: Path, args: list[str], says: str) -> None:
    res = run_tool(str(tmp_path / "out"), *args)
    assert res.returncode == 2 and res.stdout == ""
    err = res.stderr.strip()
    assert says in err and "\n" not in err and "Traceback" not in err


def test_an_out_that_cannot_be_used_exits_2_with_one_sentence(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for args in ([str(blocker / "out"), "--seed", "1", "--sessions", "1"],
                 [str(tmp_path / "nowhere"), "--seed", "1", "--check"]):
        res = run_tool(*args)
        err = res.stderr.strip()
        assert res.returncode == 2 and "\n" not in err and "Traceback" not in err, res.stderr
        assert "blind_generator9:" in err
