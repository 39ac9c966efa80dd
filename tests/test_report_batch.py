"""`nmt-pressure report`: per-hold statistics checked against numpy, figures, the batch page, bad files.

The statistics are recomputed here from scratch: the recording read back with ``np.loadtxt``, the
core's filtered force taken from ``Detector.process`` (the statistics are defined on it), and each
figure of the module docstring of ``nmt_pressure.analysis.holdstats`` computed with plain numpy or loops.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from firmware_sim import generate
from nmt_pressure.analysis.batch import ReportOptions, output_stems, report_file, run_batch
from nmt_pressure.analysis.batchpage import render_html, summarize
from nmt_pressure.analysis.holdstats import HOLD_COLUMNS, hold_stats
from nmt_pressure.cli import main as cli
from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.core.detector import Detector
from nmt_pressure.core.events import Event, Hold
from nmt_pressure.io.recording import write_recording

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def simulated(tmp_path: Path, seed: int, rate: float, **kw: Any) -> Path:
    trace = generate(seed, rate_hz=rate, noise_n=0.1, duration_s=90.0, **kw)
    path = tmp_path / f"sim_{seed}_{rate:g}.csv"
    trace.write_csv(path)
    return path


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


# --------------------------------------------------------------------------------------------------
# independent recomputation
# --------------------------------------------------------------------------------------------------

def numpy_stats(t: np.ndarray, y: np.ndarray, hold: dict[str, Any], centre: float) -> dict[str, float]:
    """RMSE and max deviation over [start, end], each sample weighted by its interval; mean/SD over
    the settled part (from where the force first came within 4 % of the level), as the core takes
    them: a hold begins within its ±8 % band, its steadiness is not the tail of the arrival."""
    w = np.append(np.diff(t), t[-1] - t[-2])
    m = (t >= hold["start"]) & (t <= hold["end"])
    seg, ws = y[m], w[m]
    dev = seg - centre
    near = np.flatnonzero(np.abs(seg - hold["level"]) <= 0.04 * hold["level"])
    calm = slice(int(near[0]) if near.size else 0, None)
    mean = np.average(seg[calm], weights=ws[calm])
    return {
        "rmse": float(np.sqrt(np.average(dev ** 2, weights=ws))),
        "maxdev": float(np.max(np.abs(dev))),
        "mean": float(mean),
        "sd": float(np.sqrt(np.average((seg[calm] - mean) ** 2, weights=ws[calm]))),
    }


def loop_loading_rate(t: np.ndarray, y: np.ndarray, t0: float, t1: float) -> float:
    """10-90 % slope of the rise from y(t0) to y(t1), found with a plain loop."""
    idx = [i for i in range(t.size) if t0 <= t[i] <= t1]
    first, last = y[idx[0]], y[idx[-1]]
    rise = last - first
    lo_t = lo_y = hi_t = hi_y = None
    for i in idx:
        frac = (y[i] - first) / rise
        if lo_t is None and frac >= 0.1:
            lo_t, lo_y = t[i], y[i]
        if hi_t is None and frac >= 0.9:
            hi_t, hi_y = t[i], y[i]
    assert lo_t is not None and hi_t is not None and hi_t > lo_t
    return float((hi_y - lo_y) / (hi_t - lo_t))


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], int]:
    src = tmp_path_factory.mktemp("recordings")
    files = [simulated(src, 3, 100.0), simulated(src, 4, 1000.0), simulated(src, 5, 250.0, irregular=True)]
    out = tmp_path_factory.mktemp("report")
    code = cli.main(["report", *map(str, files), "--out", str(out), "--jobs", "2", "--quiet"])
    return out, files, code


def test_batch_succeeds_and_writes_every_output(batch: tuple[Path, list[Path], int]) -> None:
    out, files, code = batch
    assert code == 0
    for f in files:
        for suffix in (".holds.csv", ".holds.json", ".png"):
            assert (out / f"{f.stem}{suffix}").stat().st_size > 0
        assert png_size(out / f"{f.stem}.png") == (1200, 450)
    for name in ("index.html", "summary.json", "holds_all.csv", "distributions.png"):
        assert (out / name).stat().st_size > 0


def test_statistics_match_an_independent_numpy_computation(batch: tuple[Path, list[Path], int]) -> None:
    out, files, _ = batch
    checked = 0
    for f in files:
        doc = json.loads((out / f"{f.stem}.holds.json").read_text())
        cfg = DetectorConfig(**doc["meta"]["config"])
        rows = [ln for ln in f.read_text().splitlines() if ln and not ln.startswith("#")][1:]
        data = np.loadtxt(rows, delimiter=",", usecols=(0, 1))
        t, force = np.ascontiguousarray(data[:, 0]), np.ascontiguousarray(data[:, 1])
        assert t.size == doc["meta"]["samples"]
        y = np.empty_like(t)
        det = Detector(cfg)
        events = det.process(t, force, y) + det.finish()
        assert [e.to_dict() for e in events] == doc["events"]  # the same core, the same events
        assert len(doc["holds"]) == len(det.holds) > 0
        exits = [e["t"] for e in doc["events"] if e["kind"] == "band_exit"]
        for h, core_hold in zip(doc["holds"], det.holds, strict=True):
            assert list(h) == list(HOLD_COLUMNS)
            assert h["start"] == core_hold.start and h["cv"] == core_hold.cv
            ref = numpy_stats(t, y, h, h["level"])
            assert h["centre_n"] == h["level"]  # no --target: the band is the hold's own level
            assert h["rmse_n"] == pytest.approx(ref["rmse"], rel=1e-9)
            assert h["max_deviation_n"] == pytest.approx(ref["maxdev"], rel=1e-12)
            assert h["max_deviation_pct"] == pytest.approx(100 * ref["maxdev"] / h["level"], rel=1e-12)
            # The core's own mean/SD come from its detection ticks over the settled part (its arrival
            # allows for noise too): close to the per-sample ones.
            assert h["mean"] == pytest.approx(ref["mean"], rel=0.01)
            assert h["sd"] == pytest.approx(ref["sd"], rel=0.15, abs=0.02)
            assert h["time_in_band_pct"] == pytest.approx(100 * h["time_in_band"] / h["duration"])
            assert h["excursions"] == sum(1 for x in exits if h["start"] <= x <= h["end"])
            if h["ramp_start"] is not None:
                assert h["time_to_plateau_s"] == pytest.approx(h["start"] - h["ramp_start"])
                if h["loading_rate_n_per_s"] is not None:
                    rate = loop_loading_rate(t, y, h["ramp_start"], h["start"])
                    assert h["loading_rate_n_per_s"] == pytest.approx(rate, rel=1e-9)
                    assert h["loading_rate_pct_per_s"] == pytest.approx(100 * rate / h["level"], rel=1e-9)
                    checked += 1
    assert checked >= 5


def test_csv_table_equals_the_json_table(batch: tuple[Path, list[Path], int]) -> None:
    out, files, _ = batch
    for f in files:
        doc = json.loads((out / f"{f.stem}.holds.json").read_text())
        lines = (out / f"{f.stem}.holds.csv").read_text().splitlines()
        assert lines[0].split(",") == list(HOLD_COLUMNS)
        assert len(lines) == len(doc["holds"]) + 1
        for line, h in zip(lines[1:], doc["holds"], strict=True):
            for name, cell in zip(HOLD_COLUMNS, line.split(","), strict=True):
                v = h[name]
                if v is None:
                    assert cell == ""
                elif isinstance(v, str):
                    assert cell == v
                else:
                    assert float(cell) == pytest.approx(v, rel=1e-9, abs=1e-12)


def test_summary_pools_the_holds_of_every_file(batch: tuple[Path, list[Path], int]) -> None:
    out, files, _ = batch
    doc = json.loads((out / "summary.json").read_text())
    holds = [h for f in files for h in json.loads((out / f"{f.stem}.holds.json").read_text())["holds"]]
    s = doc["summary"]
    assert s["files"] == s["files_reported"] == 3 and s["files_failed"] == 0
    assert s["holds"] == len(holds)
    cvs = np.array([100 * h["cv"] for h in holds])
    assert s["cv_pct"]["median"] == pytest.approx(float(np.median(cvs)))
    assert s["cv_pct"]["p90"] == pytest.approx(float(np.percentile(cvs, 90)))
    per_file = [len(json.loads((out / f"{f.stem}.holds.json").read_text())["holds"]) for f in files]
    assert s["holds_per_file"]["mean"] == pytest.approx(np.mean(per_file))
    pooled = 100 * sum(h["time_in_band"] for h in holds) / sum(h["duration"] for h in holds)
    assert s["time_in_band_pooled_pct"] == pytest.approx(pooled)
    rows = (out / "holds_all.csv").read_text().splitlines()
    assert rows[0].startswith("file,index,start") and len(rows) == len(holds) + 1
    page = (out / "index.html").read_text()
    for f in files:
        assert f.name in page and f"{f.stem}.png" in page


def test_parallel_and_serial_runs_write_the_same_tables(tmp_path: Path,
                                                        batch: tuple[Path, list[Path], int]) -> None:
    out, files, _ = batch
    serial = tmp_path / "serial"
    assert cli.main(["report", *map(str, files), "--out", str(serial), "-j", "1", "--quiet",
                     "--no-figures"]) == 0
    for f in files:
        assert (serial / f"{f.stem}.holds.csv").read_text() == (out / f"{f.stem}.holds.csv").read_text()
        assert not (serial / f"{f.stem}.png").exists()


# --------------------------------------------------------------------------------------------------
# the definitions, on traces whose answers are known
# --------------------------------------------------------------------------------------------------

def test_hold_stats_definitions_on_a_known_trace() -> None:
    rate = 100.0
    t = np.arange(0.0, 14.0, 1.0 / rate)
    y = np.zeros_like(t)
    ramp = (t >= 1.0) & (t < 3.0)
    y[ramp] = 10.0 * (t[ramp] - 1.0)  # 0 → 20 N at exactly 10 N/s
    hold = (t >= 3.0) & (t <= 13.0)
    y[hold] = 20.0 + np.sin(2 * np.pi * (t[hold] - 3.0))  # whole periods of ±1 N around 20 N
    cfg = DetectorConfig(sample_rate=rate)
    events = [Event("contact", 1.2, 1.25), Event("hold_start", 3.0, 4.5, None, 20.0),
              Event("band_exit", 5.0, 5.2, "high", 20.0), Event("band_exit", 9.0, 9.2, "low", 20.0),
              Event("band_exit", 13.5, 13.6, "low", 20.0)]
    h = Hold(start=3.0, end=13.0, level=20.0, mean=20.0, sd=0.7, cv=0.035, duration=10.0,
             time_in_band=9.0, drift_per_s=0.0, ended_by="release", confirmed=4.5)
    (s,) = hold_stats(t, y, events, [h], cfg)
    assert s.rmse_n == pytest.approx(1 / math.sqrt(2), rel=1e-3)
    assert s.max_deviation_n == pytest.approx(1.0, abs=1e-3)
    assert s.max_deviation_pct == pytest.approx(5.0, abs=0.01)
    assert s.excursions == 2  # the third exit lies after the hold
    assert s.ramp_start == 1.2 and s.time_to_plateau_s == pytest.approx(1.8)
    assert s.loading_rate_n_per_s == pytest.approx(10.0, rel=1e-6)
    assert s.loading_rate_pct_per_s == pytest.approx(50.0, rel=1e-6)
    assert s.time_in_band_pct == pytest.approx(90.0)

    fixed = hold_stats(t, y, events, [h], DetectorConfig(sample_rate=rate, target=25.0))[0]
    assert fixed.centre_n == 25.0 and fixed.max_deviation_n == pytest.approx(6.0, abs=1e-3)
    assert fixed.rmse_n == pytest.approx(math.sqrt(25.0 + 0.5), rel=1e-3)


def test_a_hold_under_way_when_the_recording_starts_has_no_ramp() -> None:
    t = np.arange(0.0, 5.0, 0.01)
    y = np.full_like(t, 30.0)
    h = Hold(start=0.0, end=5.0, level=30.0, mean=30.0, sd=0.0, cv=0.0, duration=5.0, time_in_band=5.0,
             drift_per_s=0.0, ended_by="end_of_data", confirmed=1.5)
    cfg = DetectorConfig(sample_rate=100.0)
    (s,) = hold_stats(t, y, [Event("hold_start", 0.0, 1.5, None, 30.0)], [h], cfg)
    assert math.isnan(s.ramp_start) and math.isnan(s.loading_rate_n_per_s) and s.rmse_n == 0.0


# --------------------------------------------------------------------------------------------------
# bad input, names, the page
# --------------------------------------------------------------------------------------------------

def test_bad_files_are_named_and_the_rest_is_reported(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    good = simulated(tmp_path, 6, 100.0)
    broken = tmp_path / "broken.csv"
    broken.write_text("t_s,force_n\n0,1\n0.01,abc\n")
    missing = tmp_path / "missing.csv"
    out = tmp_path / "out"
    code = cli.main(["report", str(broken), str(good), str(missing), "--out", str(out), "-j", "2"])
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err
    assert "2 of 3 files could not be reported" in captured.err
    assert f"{broken}: {broken} line 3" in captured.err
    assert f"{missing}: {missing} does not exist" in captured.err
    assert "report: 3/3" in captured.err  # progress, one line per file when not on a terminal
    assert (out / f"{good.stem}.holds.json").exists()
    page = (out / "index.html").read_text()
    assert "could not be reported (2)" in page and "missing.csv" in page
    summary = json.loads((out / "summary.json").read_text())["summary"]
    assert summary["files_failed"] == 2 and summary["files_reported"] == 1


def test_a_folder_stands_for_its_recordings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "day1"
    folder.mkdir()
    simulated(folder, 7, 100.0)
    t = np.arange(0, 12, 0.01)
    write_recording(folder / "plain.csv", t, np.interp(t, [0, 1, 2, 9, 9.5, 12], [0, 0, 25, 25, 0, 0]))
    out = tmp_path / "out"
    assert cli.main(["report", str(folder), "--out", str(out), "--quiet"]) == 0
    assert cli.main(["report", str(out), "--out", str(tmp_path / "again"), "--quiet"]) == 2  # only outputs
    err = capsys.readouterr().err
    assert "holds no recordings" in err


@pytest.mark.parametrize("args, needle", [
    (["--tolerance", "-1"], "--tolerance"),
    (["--jobs", "0"], "--jobs"),
    (["--unit", "stone"], "unknown force unit"),
])
def test_bad_options_fail_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          args: list[str], needle: str) -> None:
    rec = simulated(tmp_path, 8, 100.0)
    assert cli.main(["report", str(rec), "--out", str(tmp_path / "o"), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0] and not (tmp_path / "o").exists()


def test_out_must_be_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rec = simulated(tmp_path, 9, 100.0)
    target = tmp_path / "file.txt"
    target.write_text("x")
    assert cli.main(["report", str(rec), "--out", str(target)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


def test_output_names_are_unique() -> None:
    assert output_stems(["a/s.csv", "b/s.csv", "c/S.json", "t.csv"]) == ["s", "s-2", "S-3", "t"]


def test_the_page_escapes_names(tmp_path: Path) -> None:
    odd = tmp_path / "<b>&x.csv"
    t = np.arange(0, 12, 0.01)
    write_recording(odd, t, np.interp(t, [0, 1, 2, 9, 9.5, 12], [0, 0, 25, 25, 0, 0]))
    results = run_batch([str(odd)], ReportOptions(out_dir=str(tmp_path), figures=False))
    page = render_html(results, summarize(results), None)
    assert "<b>&x" not in page and "&lt;b&gt;&amp;x.csv" in page


def test_report_file_never_raises_for_user_errors(tmp_path: Path) -> None:
    r = report_file(str(tmp_path / "nope.csv"), "nope", ReportOptions(out_dir=str(tmp_path)))
    assert not r.ok and r.error is not None and "does not exist" in r.error
