"""tools/gdx_realdata.py: a lab script's dynamometer files become scoreable recordings, preamble dropped."""

from __future__ import annotations

import json

import numpy as np
import pytest
from toolmods import load_tool

gdx = load_tool("gdx_realdata")
sd = load_tool("score_detection")

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


def test_a_work_tree_becomes_labelled_recordings_the_scorer_reads(tmp_path):
    repo, out = tmp_path / "repo", tmp_path / "out"
    force = np.concatenate([np.zeros(20), np.full(60, 30.0), np.zeros(20)])
    for path, _ in gdx.FILES.values():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(SOURCE.format(rows=_rows("2025-02-03 09:00:39.479447", force)))
    assert gdx.main([str(repo), str(out)]) == 0
    for name, (path, labels) in gdx.FILES.items():
        text = (out / f"{name}.csv").read_text()
        assert "Somebody" not in text and text.startswith("t_s,force_N\n")
        meta = json.loads((out / f"{name}.labels.json").read_text())
        assert meta["holds"] == labels["holds"] and meta["source"].endswith(path)
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
            (repo / path).write_text("time,force\n0.0,1.0\n")
    assert gdx.main([str(repo), str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gdx_realdata: ") and said in err and "Traceback" not in err
    assert not out.exists()


def test_without_two_arguments_it_prints_its_usage(capsys):
    assert gdx.main([]) == 2
    assert "Usage" in capsys.readouterr().out
