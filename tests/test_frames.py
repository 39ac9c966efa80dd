"""Tables for notebooks: a recording, its events and its holds as DataFrames, and `report --format
parquet`, on a real recording written by the live recorder."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nmt_pressure import DetectorConfig
from nmt_pressure.analysis.frames import (
    EVENT_COLUMNS,
    HOLD_TYPES,
    events_frame,
    holds_frame,
    read_parquet_meta,
)
from nmt_pressure.analysis.holdstats import HOLD_COLUMNS, result_hold_stats
from nmt_pressure.cli.main import main as cli_main
from nmt_pressure.core.detector import Detector, analyze
from nmt_pressure.extras import MissingExtraError
from nmt_pressure.io.recording import RecordingError, read_recording, write_recording
from nmt_pressure.link.calibration import DeviceInfo, Samples
from nmt_pressure.outputs.recorder import LiveRecorder

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

EXAMPLE = Path(__file__).resolve().parent.parent / "src" / "nmt_pressure" / "data" / "example_session.csv"
DEVICE = DeviceInfo(name="nmt-sim T1", fields={"name": "nmt-sim", "serial": "T1", "scale": "1000"},
                    scale=1000.0, offset=12.0, rate=100.0, fmt="nmtp")


def record(path: Path, cfg: DetectorConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The bundled session (9 holds, steps, band exits) through the live recorder, in device-sized
    blocks, with counts and flags as a device sends them (a marker press, a tare)."""
    src = read_recording(EXAMPLE)
    t, x = src.t, src.force_n + 1.0 / 3.0  # digits that need all 17 to read back the same
    raw = np.round(x * 1000.0 + 12.0).astype(np.int64)
    flags = np.zeros(t.size, dtype=np.int64)
    flags[500:510] |= 1
    flags[2000:] |= 4
    rec = LiveRecorder(path, cfg)
    det = Detector(cfg)
    rec.on_connect(DEVICE)
    for i in range(0, t.size, 8):
        blk = Samples(t=t[i:i + 8], force=x[i:i + 8], raw=raw[i:i + 8], flags=flags[i:i + 8],
                      device_t_last=float(t[min(i + 8, t.size) - 1]))
        for e in det.process(blk.t, blk.force):
            rec.on_event(e)
        rec.on_samples(blk, det.filtered, det.state)
    rec.close()
    return t, x, raw, flags


@pytest.fixture
def recorded(tmp_path: Path) -> tuple[Path, DetectorConfig, tuple[np.ndarray, ...]]:
    cfg = DetectorConfig(sample_rate=100.0, tolerance=0.05)
    path = tmp_path / "session.csv"
    return path, cfg, record(path, cfg)


def bits(a: np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=np.float64).view(np.int64)


# --------------------------------------------------------------------------------------------------
# samples
# --------------------------------------------------------------------------------------------------
def test_to_pandas_gives_back_every_column_the_recorder_wrote(recorded):
    path, cfg, (t, x, raw, flags) = recorded
    df = read_recording(path).to_pandas()
    assert list(df.columns) == ["t_s", "force_n", "raw", "flags"]
    assert len(df) == t.size and isinstance(df.index, pd.RangeIndex)
    assert np.array_equal(bits(df["t_s"]), bits(t)) and np.array_equal(bits(df["force_n"]), bits(x))
    assert np.array_equal(df["raw"].to_numpy(), raw)
    assert df["flags"].dtype == np.int64 and np.array_equal(df["flags"].to_numpy(), flags)
    assert (df["flags"] & 1).sum() == 10  # bit operations work on the flags as written
    a = df.attrs
    assert a["units"] == {"t_s": "s", "force_n": "N", "raw": "device counts or value as read",
                          "flags": "bits: 0 marker, 1 overload, 2 tared"}
    assert (a["device"], a["rate_hz"], a["format"], a["unit"]) == ("nmt-sim T1", 100.0, "nmt_pressure", "N")
    assert a["detector_config"] == cfg.to_dict()  # the settings it was recorded with
    assert a["rate_hz_estimated"] == pytest.approx(100.0)
    assert a["metadata"]["calibration"].startswith("force_n = (raw - 12.0)")
    assert a["source"] == str(path) and a["columns_skipped"] == []


def test_to_pandas_filtered_is_the_cores_low_passed_force(recorded):
    path, cfg, (t, x, *_) = recorded
    df = read_recording(path).to_pandas(filtered=True)
    assert list(df.columns) == ["t_s", "force_n", "raw", "flags", "force_filtered_n"]
    own = DetectorConfig(**{**cfg.to_dict(), "sample_rate": df.attrs["rate_hz_estimated"]})
    expected = analyze(t, x, own, keep_filtered=True).filtered
    assert expected is not None and np.array_equal(bits(df["force_filtered_n"]), bits(expected))
    assert df.attrs["units"]["force_filtered_n"] == "N"
    other = read_recording(path).to_pandas(filtered=True, config=DetectorConfig(sample_rate=100.0,
                                                                                 lowpass_hz=1.0))
    assert other.attrs["detector_config"]["lowpass_hz"] == 1.0
    assert not np.array_equal(other["force_filtered_n"], df["force_filtered_n"])


def test_another_devices_csv_keeps_its_numeric_columns_and_names_the_others(tmp_path):
    p = tmp_path / "gauge.csv"
    p.write_text("Time;Load;Temp;Note\n0,0;1,5;21,5;ok\n0,1;2,0;21,6;ok\n0,2;2,5;21,5;hot\n")
    rec = read_recording(p, time_col="Time", force_col="Load", unit="lb")
    df = rec.to_pandas()
    assert list(df.columns) == ["t_s", "force_n", "Temp"]
    assert df["force_n"].tolist() == pytest.approx([1.5 * 4.4482216152605, 2.0 * 4.4482216152605,
                                                    2.5 * 4.4482216152605])
    assert df["Temp"].tolist() == [21.5, 21.6, 21.5]
    assert df.attrs["columns_skipped"] == ["Note"] and df.attrs["unit"] == "lb"
    assert df.attrs["detector_config"] is None and df.attrs["device"] is None


def test_a_recording_whose_file_changed_says_so(tmp_path):
    p = write_recording(tmp_path / "a.csv", [0.0, 0.1, 0.2], [1.0, 2.0, 3.0],
                        extra_columns={"raw": [1, 2, 3]})
    rec = read_recording(p)
    write_recording(p, [5.0, 5.1, 5.2], [1.0, 2.0, 3.0], extra_columns={"raw": [1, 2, 3]})
    with pytest.raises(RecordingError, match="changed since it was read; read it again"):
        rec.to_pandas()


def test_pandas_is_imported_only_when_a_frame_is_asked_for(recorded):
    path = recorded[0]
    code = ("import sys\nfrom nmt_pressure.io.recording import read_recording\n"
            "from nmt_pressure.analysis.holdstats import result_hold_stats\n"
            f"rec = read_recording({str(path)!r})\nres = rec.analyze()\nresult_hold_stats(res)\n"
            "import nmt_pressure.cli.main, nmt_pressure.analysis.batch, nmt_pressure.analysis.frames\n"
            "assert 'pandas' not in sys.modules and 'pyarrow' not in sys.modules, 'imported too early'\n"
            "rec.to_pandas()\nassert 'pandas' in sys.modules\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert p.returncode == 0, p.stderr


def test_without_pandas_one_sentence_names_the_extra(recorded, monkeypatch):
    rec = read_recording(recorded[0])
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now fails as if it were missing
    for call in (rec.to_pandas, lambda: events_frame(rec.analyze()), lambda: holds_frame(rec.analyze())):
        with pytest.raises(MissingExtraError) as info:
            call()
        msg = str(info.value)
        assert info.value.extra == "data" and "pip install 'nmt-pressure[data]'" in msg
        assert msg.count(". ") == 0 and "\n" not in msg and "needs pandas" in msg


# --------------------------------------------------------------------------------------------------
# events and holds
# --------------------------------------------------------------------------------------------------
def test_events_and_holds_frames_are_the_analysis_exactly(recorded):
    rec = read_recording(recorded[0])
    res = rec.analyze()
    ev = events_frame(res)
    assert list(ev.columns) == list(EVENT_COLUMNS) and len(ev) == len(res.events) > 20
    assert ev["kind"].tolist() == [e.kind for e in res.events]
    assert {"step", "band_exit", "release"} <= set(ev["kind"])
    assert np.array_equal(bits(ev["t"]), bits([e.t for e in res.events]))
    assert np.array_equal(bits(ev["t_detected"]), bits([e.t_detected for e in res.events]))
    assert [None if pd.isna(d) else d for d in ev["direction"]] == [e.direction for e in res.events]
    levels = [math.nan if e.level is None else e.level for e in res.events]
    assert np.array_equal(ev["level"].to_numpy(), np.array(levels), equal_nan=True)
    assert ev.groupby("kind").size()["contact"] == sum(e.kind == "contact" for e in res.events)

    holds = holds_frame(res)
    stats = [s.to_dict() for s in result_hold_stats(res)]
    assert list(holds.columns) == list(HOLD_COLUMNS) and len(holds) == len(res.holds) >= 5
    for name, kind in HOLD_TYPES.items():
        col = holds[name]
        if kind == "float64":
            want = np.array([s[name] for s in stats], dtype=np.float64)
            assert col.dtype == np.float64 and np.array_equal(bits(col), bits(want)), name
        elif kind == "int64":
            assert col.dtype == np.int64 and col.tolist() == [s[name] for s in stats], name
        else:
            assert col.tolist() == [s[name] for s in stats], name
    nans = sum(np.isnan(s["loading_rate_n_per_s"]) for s in stats)
    assert holds["loading_rate_n_per_s"].isna().sum() == nans
    # the contract's API works too: a result without the filtered force computes it once more
    plain = analyze(rec.t, rec.force_n, res.config)
    assert plain.filtered is None
    pd.testing.assert_frame_equal(holds_frame(plain), holds, check_exact=True)


def test_no_holds_no_events_still_has_the_columns_and_types(tmp_path):
    p = write_recording(tmp_path / "quiet.csv", np.arange(0, 5, 0.01), np.zeros(500))
    res = read_recording(p).analyze()
    holds, ev = holds_frame(res), events_frame(res)
    assert holds.empty and ev.empty
    assert list(holds.columns) == list(HOLD_COLUMNS) and list(ev.columns) == list(EVENT_COLUMNS)
    assert holds["index"].dtype == np.int64 and holds["cv"].dtype == np.float64
    assert ev["t"].dtype == np.float64


# --------------------------------------------------------------------------------------------------
# report --format parquet
# --------------------------------------------------------------------------------------------------
def test_report_parquet_round_trips_exactly_beside_the_csv(recorded, tmp_path, capsys):
    path = recorded[0]
    out = tmp_path / "out"
    rc = cli_main(["report", str(path), str(EXAMPLE), "--out", str(out), "--format", "parquet",
                   "--no-figures", "--jobs", "1", "--quiet"])
    assert rc == 0, capsys.readouterr().err
    back = pd.read_parquet(out / "session.holds.parquet")
    csv = pd.read_csv(out / "session.holds.csv")
    # the same table as the CSV: columns, dtypes, and every cell the CSV's text of the exact value
    assert list(back.columns) == list(csv.columns) == list(HOLD_COLUMNS)
    assert back.dtypes.to_dict() == csv.dtypes.to_dict()
    for name, kind in HOLD_TYPES.items():
        if kind == "float64":
            assert back[name].isna().tolist() == csv[name].isna().tolist(), name
            text = ["" if np.isnan(v) else f"{v:.10g}" for v in back[name]]
            assert text == ["" if np.isnan(v) else f"{v:.10g}" for v in csv[name]], name
        else:
            assert back[name].tolist() == csv[name].tolist(), name
    # and bit for bit what the analysis computed (the CSV keeps 10 digits)
    pd.testing.assert_frame_equal(back, holds_frame(read_recording(path).analyze()), check_exact=True)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["files"][0]["outputs"]["parquet"] == "session.holds.parquet"
    meta = read_parquet_meta(out / "session.holds.parquet")
    assert meta is not None and meta["file"] == str(path) and meta["config"]["tolerance"] == 0.05
    assert meta["version"] and meta["implementation"] in ("cython", "python")

    both = pd.read_parquet(out / "holds_all.parquet")
    csv_all = pd.read_csv(out / "holds_all.csv")
    assert list(both.columns) == ["file", *HOLD_COLUMNS]
    assert both.dtypes.to_dict() == csv_all.dtypes.to_dict()
    assert both["file"].tolist() == csv_all["file"].tolist()
    assert set(both["file"]) == {str(path), str(EXAMPLE)}
    mine = both[both["file"] == str(path)].drop(columns="file").reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, back, check_exact=True)


def test_report_without_parquet_writes_none_and_without_pyarrow_says_which_extra(recorded, tmp_path, capsys,
                                                                                 monkeypatch):
    path = recorded[0]
    assert cli_main(["report", str(path), "--out", str(tmp_path / "a"), "--no-figures", "--quiet"]) == 0
    assert not list((tmp_path / "a").glob("*.parquet"))
    capsys.readouterr()
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    b = tmp_path / "b"
    assert cli_main(["report", str(path), "--out", str(b), "--format", "parquet", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--format parquet" in err[0], err
    assert "pip install 'nmt-pressure[data]'" in err[0]
    assert not b.exists()  # refused before anything was made
