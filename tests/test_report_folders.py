"""`nmt-pressure report`: a folder's recordings and its sidecars, one median everywhere, whole counts.

Real files in tmp_path, the real command, matplotlib's Agg canvas; the figure's title is read back from
the PNG's own ``Title`` text chunk.
"""

from __future__ import annotations

import csv
import html
import json
import re
import statistics
from pathlib import Path

import numpy as np
import pytest

from firmware_sim import generate
from nmt_pressure.cli import main as cli
from nmt_pressure.io.recording import write_recording

T0_MS = 1_714_000_000_000  # a Grip-Connect timestamp: Unix milliseconds


def two_holds(path: Path) -> Path:
    """A steady hold at 20 N (CV ~0.15 %) and a wobbling one at 30 N (CV ~3.5 %): an even count whose
    upper-middle CV and true median are far apart."""
    t = np.arange(0, 30, 0.01)
    base = np.interp(t, [0, 1, 2, 10, 10.5, 14, 15, 25, 25.5, 30], [0, 0, 20, 20, 0, 0, 30, 30, 0, 0])
    wobble = np.where((t > 15) & (t < 25), 1.5 * np.sin(2 * np.pi * 0.5 * t), 0.0)
    return write_recording(path, t, base + wobble)


def png_title(path: Path) -> str:
    """The PNG's ``Title`` tEXt chunk (what matplotlib writes for ``metadata={"Title": ...}``)."""
    data = path.read_bytes()
    pos = 8
    while pos < len(data):
        size = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + size]
        if kind == b"tEXt" and body.startswith(b"Title\0"):
            return body[len(b"Title\0"):].decode("latin-1")
        pos += 12 + size
    raise AssertionError(f"{path} has no Title")


# --------------------------------------------------------------------------------------------------
# a folder given as input
# --------------------------------------------------------------------------------------------------

def test_a_folder_reports_its_recordings_and_counts_what_it_skipped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    day = tmp_path / "day1"
    day.mkdir()
    trace = generate(11, rate_hz=100.0, noise_n=0.1, duration_s=40.0)
    trace.write_csv(day / "sim.csv")
    trace.write_labels(day / "sim.labels.json")  # the simulator's ground truth beside its recording
    items = [{"current": 2.0 + 0.01 * (k % 7), "unit": "kg", "timestamp": T0_MS + 10 * k,
              "samplingRateHz": 100} for k in range(300)]
    (day / "grip.json").write_text(json.dumps(items))  # a Grip-Connect export: a recording in JSON
    (day / "sim.summary.json").write_text(json.dumps({"samples": 4000, "events": []}))  # monitor's
    (day / "notes.txt").write_text("client reported less pain after the second hold\n")
    (day / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # not a candidate at all: not mentioned

    out = tmp_path / "out"
    assert cli.main(["report", str(day), "--out", str(out), "--quiet", "--no-figures"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    line = err[0]
    assert line.startswith("nmt-pressure: skipped 3 files that are not recordings: ")
    for name in ("sim.labels.json", "sim.summary.json", "notes.txt"):
        assert name in line
    assert "photo.png" not in line and "--time-col" in line  # notes.txt: the fix if it were a table
    summary = json.loads((out / "summary.json").read_text())
    assert summary["summary"]["files_reported"] == 2 and summary["summary"]["files_failed"] == 0
    assert sorted(Path(f["source"]).name for f in summary["files"]) == ["grip.json", "sim.csv"]


def test_a_broken_recording_in_a_folder_is_still_taken_and_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Only what is certainly no recording is skipped: a recording with a bad cell is reported, by name.
    day = tmp_path / "day2"
    day.mkdir()
    two_holds(day / "good.csv")
    (day / "bad.csv").write_text("# nmt_pressure recording\nt_s,force_n\n0,1\n0.01,abc\n")
    assert cli.main(["report", str(day), "--out", str(tmp_path / "out"), "--quiet", "--no-figures"]) == 2
    err = capsys.readouterr().err
    assert "1 of 2 files could not be reported" in err and "bad.csv line 4" in err
    assert "skipped" not in err


def test_a_folder_without_a_recording_is_one_sentence_naming_the_fix(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    day = tmp_path / "gauge"
    day.mkdir()
    t = np.arange(0, 12, 0.01)
    rows = "\n".join(f"{a:.2f},{b:.3f}" for a, b in
                     zip(t, np.interp(t, [0, 1, 2, 9, 9.5, 12], [0, 0, 25, 25, 0, 0]), strict=True))
    (day / "gauge.csv").write_text("Time,Load\n" + rows + "\n")  # another device's columns
    (day / "gauge.labels.json").write_text(json.dumps({"meta": {}, "labels": []}))
    out = tmp_path / "out"
    assert cli.main(["report", str(day), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "holds no recordings" in err[0] and "gauge.csv" in err[0] and "gauge.labels.json" in err[0]
    assert "--time-col NAME --force-col NAME" in err[0] and "Traceback" not in err[0]
    assert not out.exists()  # refused before any work

    # with the columns named, the table is a recording; the labels are still skipped, and said so
    assert cli.main(["report", str(day), "--out", str(out), "--quiet", "--no-figures",
                     "--time-col", "Time", "--force-col", "load", "--unit", "N"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["nmt-pressure: skipped 1 file that is not a recording: 1 labels file (gauge.labels.json)."]
    assert (out / "gauge.holds.csv").exists()


# --------------------------------------------------------------------------------------------------
# one median: the figure's title, the page's table and analyze's summary line agree
# --------------------------------------------------------------------------------------------------

def test_the_figure_and_the_table_quote_the_same_true_median(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "rec").mkdir()
    rec = two_holds(tmp_path / "rec" / "two.csv")
    out = tmp_path / "out"
    assert cli.main(["report", str(rec.parent), "--out", str(out), "--quiet"]) == 0

    with (out / "two.holds.csv").open(newline="") as f:
        cvs = [100.0 * float(row["cv"]) for row in csv.DictReader(f)]
    assert len(cvs) == 2
    median = statistics.median(cvs)
    upper_middle = sorted(cvs)[len(cvs) // 2]
    assert f"{median:.1f}" != f"{upper_middle:.1f}"  # the trace tells the two apart

    title = png_title(out / "two.png")
    assert f"2 holds, median CV {median:.1f} %" in title
    page = html.unescape((out / "index.html").read_text())
    row = re.search(r"<td class=\"name\">two\.csv</td>.*?</tr>", page)
    assert row is not None
    cells = re.findall(r"<td>([^<]*)</td>", row.group(0))
    assert cells[3] == f"{median:.2f}"  # duration, rate, holds, median CV (%)
    capsys.readouterr()
    assert cli.main(["analyze", str(rec)]) == 0
    assert f"median CV {median:.1f} %" in capsys.readouterr().out


# --------------------------------------------------------------------------------------------------
# whole numbers on count axes
# --------------------------------------------------------------------------------------------------

def _ticks_in_view(axis: object, lo: float, hi: float) -> list[float]:
    return [float(v) for v in axis.get_majorticklocs() if lo <= v <= hi]  # type: ignore[attr-defined]


def test_count_axes_are_ticked_at_whole_numbers() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from nmt_pressure.analysis.figures import distributions_figure

    # Two files with two and three holds: counts of one or two, where matplotlib's default ticks
    # are 0, 0.25, 0.5, ... (0.2 files).
    cv, in_band, per_file = [0.4, 1.1, 2.0, 3.5, 0.9], [100.0, 97.0, 88.0, 100.0, 93.0], [2, 3]
    plain = Figure()
    FigureCanvasAgg(plain)
    ax = plain.add_subplot()
    ax.hist(per_file, bins=5)
    plain.canvas.draw()
    assert any(v != round(v) for v in _ticks_in_view(ax.yaxis, *ax.get_ylim()))  # what was wrong

    fig = distributions_figure(cv, in_band, per_file)
    fig.canvas.draw()
    axes = fig.get_axes()
    assert [a.get_ylabel() for a in axes] == ["holds", "holds", "files"]
    for a in axes:
        ticks = _ticks_in_view(a.yaxis, *a.get_ylim())
        assert len(ticks) >= 2 and all(v == round(v) for v in ticks), (a.get_ylabel(), ticks)
    per_file_axis = axes[2]
    ticks = _ticks_in_view(per_file_axis.xaxis, *per_file_axis.get_xlim())
    assert ticks and all(v == round(v) for v in ticks)
    # one bar per whole number of holds: each file counted once, at its own count
    heights = {round(p.get_x() + p.get_width() / 2): p.get_height() for p in per_file_axis.patches}
    assert {k: v for k, v in heights.items() if v} == {2: 1.0, 3: 1.0}
