"""The live recorder: exact replay, events sidecar, no silent overwrite, a full disk ends cleanly."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from nmt_pressure import DetectorConfig, analyze
from nmt_pressure.core.detector import Detector
from nmt_pressure.io.recording import read_recording
from nmt_pressure.link.calibration import DeviceInfo, Samples
from nmt_pressure.outputs.recorder import LiveRecorder, RecorderError, events_path


def trace(rate: float = 500.0):
    t = np.arange(0, 12, 1 / rate) + 3.0
    x = np.clip((t - 4.0) / 0.8, 0, 1) * 25.0 * (t < 11.0)
    x = x + np.random.default_rng(1).normal(0, 0.05, t.size) + 1.0 / 3.0  # digits that need all 17
    return t, x


def feed(rec: LiveRecorder, t: np.ndarray, x: np.ndarray, cfg: DetectorConfig) -> list:
    det = Detector(cfg)
    rec.on_connect(DeviceInfo(name="sim 1", fields={"scale": "100"}, scale=100.0, offset=3.0, rate=500))
    events = []
    for i in range(0, t.size, 7):  # blocks of 7, like a device's frames
        blk = Samples(t=t[i:i + 7], force=x[i:i + 7], raw=np.round(x[i:i + 7] * 100 + 3),
                      flags=np.zeros(min(7, t.size - i), dtype=np.int64), device_t_last=0.0)
        ev = det.process(blk.t, blk.force)
        rec.on_samples(blk, det.filtered, det.state)
        for e in ev:
            rec.on_event(e)
        events += ev
    events += det.finish()
    rec.close()
    return events


def test_recording_replays_to_exactly_the_live_events(tmp_path):
    cfg = DetectorConfig(sample_rate=500.0, tolerance=0.07)
    t, x = trace()
    path = tmp_path / "live.csv"
    live = feed(LiveRecorder(path, cfg), t, x, cfg)
    rec = read_recording(path)
    assert np.array_equal(rec.t, t) and np.array_equal(rec.force_n, x)  # bit for bit
    assert json.loads(rec.metadata["detector_config"])["tolerance"] == 0.07
    assert rec.metadata["device"] == "sim 1"
    replay = analyze(rec.t, rec.force_n, DetectorConfig(**json.loads(rec.metadata["detector_config"])))
    assert replay.events == live
    assert [e.kind for e in live] == ["contact", "hold_start", "release"]
    lines = events_path(path).read_text().splitlines()
    assert [json.loads(s)["kind"] for s in lines] == ["contact", "hold_start", "release"]


def test_refuses_to_overwrite(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("keep me")
    with pytest.raises(RecorderError, match="--overwrite"):
        LiveRecorder(path, DetectorConfig())
    assert path.read_text() == "keep me"
    LiveRecorder(path, DetectorConfig(), overwrite=True).close()


def test_unwritable_folder_is_one_sentence(tmp_path):
    with pytest.raises(RecorderError, match="folder exists"):
        LiveRecorder(tmp_path / "no" / "such" / "x.csv", DetectorConfig())


def test_full_disk_stops_recording_not_monitoring(tmp_path, capsys, caplog):
    """The library logs the sentence once (the CLI prints it; test_faults checks the command's words)."""
    caplog.set_level(logging.INFO, logger="nmt_pressure")
    rec = LiveRecorder(tmp_path / "x.csv", DetectorConfig())
    rec._f.close()
    with open("/dev/full", "w") as full:  # every write that reaches the disk fails with ENOSPC
        rec._f = full
        t, x = trace()
        feed(rec, t, x, DetectorConfig())  # must not raise
    assert rec.failed is not None and "disk is full" in rec.failed
    errors = [r for r in caplog.records if r.name.startswith("nmt_pressure")]
    assert [r.levelno for r in errors] == [logging.ERROR]
    assert "x.csv stopped: the disk is full" in errors[0].getMessage()
    assert capsys.readouterr().err == ""  # a library logs; it does not print
