"""Bad configuration: DetectorConfig's defaults and a ConfigError naming the field for every bad value;
every option of every command (analyze, report, monitor, dash, the simulator) refused in one sentence
that names the flag, with exit status 2."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from nmt_pressure.core.config import ConfigError, DetectorConfig


def test_defaults_match_the_contract():
    cfg = DetectorConfig()
    assert cfg.contact_threshold == 2.0
    assert cfg.min_hold == 1.5
    assert cfg.hold_band == 0.08
    assert cfg.step_min == 0.10
    assert cfg.step_max_duration == 2.0
    assert cfg.tolerance == 0.10
    assert cfg.target is None


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)


NAN, INF = math.nan, math.inf

BAD = [
    ("sample_rate", [0.0, -100.0, NAN, INF, "1000", None]),
    ("contact_threshold", [0.0, -2.0, NAN, INF, "2"]),
    ("contact_release_ratio", [0.0, -0.5, 1.5, NAN, INF]),
    ("min_hold", [0.0, -1.5, NAN, INF, 0.07]),  # 0.07 s < 4 ticks of the default 20 ms
    ("hold_band", [0.0, -0.08, 0.5, 0.9, NAN, INF]),
    ("step_min", [0.0, -0.1, 1.0, 2.0, NAN, INF]),
    ("step_max_duration", [0.0, -2.0, NAN, INF]),
    ("step_rate", [0.0, -0.12, NAN, INF]),
    ("release_fraction", [1.0, -0.4, NAN, INF]),
    ("target", [0.0, -20.0, NAN, INF, "20", 2.1]),  # 2.1 N: band's lower edge under the threshold
    ("tolerance", [0.0, -0.1, 1.0, NAN, INF]),
    ("alert_debounce", [-0.01, 10.5, NAN, INF, "0.15"]),
    ("lowpass_hz", [0.0, -4.0, NAN, INF, 1e5]),
    ("spike_k", [0.0, -4.0, NAN, INF]),
    ("max_gap", [0.0, -1.0, NAN, INF, 0.01]),  # 0.01 s: not longer than the tick
    ("tick", [0.0, -0.01, NAN, INF, 0.2, 1e-9]),  # 1e-9 s: a history ring of billions of ticks
    ("min_hold", [1e6]),  # likewise: hours of history
    ("step_max_duration", [1e9]),
    ("target", [1e300, 2e6]),  # beyond any load cell: a typo
]


@pytest.mark.parametrize(("name", "value"), [(n, v) for n, vs in BAD for v in vs],
                         ids=[f"{n}={v!r}" for n, vs in BAD for v in vs])
def test_bad_value_raises_config_error_naming_the_field(name, value):
    with pytest.raises(ConfigError) as info:
        DetectorConfig(**{name: value})
    assert name in str(info.value) or (name == "target" and "--target" in str(info.value)), str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("name", ["min_hold", "sample_rate", "max_gap"])
def test_bool_is_not_a_number(name):
    with pytest.raises(ConfigError, match=name):
        DetectorConfig(**{name: True})


@pytest.mark.parametrize("kwargs", [
    dict(target=25.0),
    dict(target=3.0, tolerance=0.2),  # lower edge 2.4 N > threshold
    dict(contact_release_ratio=1.0),
    dict(alert_debounce=0.0),
    dict(alert_debounce=10.0),
    dict(min_hold=0.08),  # four ticks of the default 20 ms
    dict(tick=0.1, max_gap=0.2, min_hold=0.4),
    dict(hold_band=0.49, step_min=0.99, tolerance=0.99, release_fraction=0.99),
    dict(sample_rate=10.0),
    dict(sample_rate=2000.0, lowpass_hz=10.0),
    dict(target=20),  # an int is a number of newtons
])
def test_good_values_are_accepted(kwargs):
    cfg = DetectorConfig(**kwargs)
    for k, v in kwargs.items():
        assert getattr(cfg, k) == v


def test_target_must_clear_the_contact_threshold_with_its_tolerance():
    # 2.5 N with ±10 % reaches down to 2.25 N: fine; with ±25 % to 1.875 N: below 2 N.
    DetectorConfig(target=2.5)
    with pytest.raises(ConfigError, match="target"):
        DetectorConfig(target=2.5, tolerance=0.25)
    with pytest.raises(ConfigError, match="contact threshold"):
        DetectorConfig(target=10.0, contact_threshold=9.5)


def test_frozen_and_round_trips():
    cfg = DetectorConfig(target=30.0, tolerance=0.05, min_hold=2.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.min_hold = 1.0  # type: ignore[misc]
    assert DetectorConfig(**cfg.to_dict()) == cfg
    assert set(DetectorConfig.field_names()) == set(cfg.to_dict())
    with pytest.raises(ConfigError, match="min_hold"):
        dataclasses.replace(cfg, min_hold=-1.0)


def test_history_capacity_covers_the_back_dating_horizon():
    for cfg in (DetectorConfig(), DetectorConfig(tick=0.1, max_gap=0.5),
                DetectorConfig(min_hold=5.0, step_max_duration=4.0, tick=0.002)):
        assert cfg.history_seconds >= cfg.min_hold + cfg.step_max_duration
        assert cfg.history_capacity * cfg.tick >= cfg.history_seconds


def test_detectors_default_to_default_config(impl):
    assert impl().cfg == DetectorConfig()
    assert impl(None).cfg == DetectorConfig()
    cfg = DetectorConfig(target=25.0)
    assert impl(cfg).cfg is cfg


def test_accepted_extremes_keep_the_history_small():
    """Whatever passes validation allocates a history ring of at most half a million ticks."""
    from nmt_pressure.core.config import MIN_HOLD_MAX, STEP_MAX_DURATION_MAX, TICK_MIN

    cfg = DetectorConfig(min_hold=MIN_HOLD_MAX, step_max_duration=STEP_MAX_DURATION_MAX, tick=TICK_MIN)
    assert cfg.history_capacity <= 1 << 19
    cfg = DetectorConfig(min_hold=MIN_HOLD_MAX, step_max_duration=STEP_MAX_DURATION_MAX, tick=TICK_MIN,
                         slow_step_max=STEP_MAX_DURATION_MAX, slow_step_hold=60.0, leave_time=60.0)
    assert cfg.history_capacity <= 1 << 19


def test_target_below_contact_names_both_values():
    with pytest.raises(ConfigError) as info:
        DetectorConfig(target=2.1)
    text = str(info.value)
    assert "target 2.1 N" in text and "contact threshold of 2 N" in text and "1.89 N" in text


# --------------------------------------------------------------------------------------------------
# every command's options: exit 2, one line on stderr naming the flag, no traceback
# --------------------------------------------------------------------------------------------------
# {rec}: a small recording, {file}: another existing file, {dir}: an existing folder, {tmp}: a folder
# to write into. Each case fails before any device is opened, window shown or file written.
ANALYZE_BAD = [
    (["analyze"], "FILE"),
    (["analyze", "{rec}", "--frobnicate"], "--frobnicate"),
    *[(["analyze", "{rec}", f"--rate={v}"], "--rate") for v in ("0", "-5", "nan", "inf", "1e9", "abc", "")],
    *[(["analyze", "{rec}", f"--target={v}"], "--target")
      for v in ("0", "-20", "nan", "inf", "1e9", "abc", "1", "2.1")],
    *[(["analyze", "{rec}", f"--tolerance={v}"], "--tolerance")
      for v in ("0", "-0.1", "1", "10", "150%", "nan", "inf", "abc", "%")],
    (["analyze", "{rec}", "--unit", "stone"], "--unit"),
    (["analyze", "{rec}", "--json", "{tmp}/no/such/x.json"], "--json"),
    (["analyze", "{rec}", "--json", "{dir}"], "--json"),
    (["analyze", "{rec}", "--json", "{rec}"], "--json"),
    (["analyze", "{rec}", "--time-col", ""], "--time-col"),
    (["analyze", "{rec}", "--force-col", "nope"], "--force-col"),
]
REPORT_BAD = [
    (["report", "{rec}"], "--out"),
    (["report", "{rec}", "--out", "{file}"], "--out"),
    *[(["report", "{rec}", "--out", "{tmp}/r", f"--jobs={v}"], "--jobs") for v in ("0", "-2", "abc")],
    (["report", "{rec}", "--out", "{tmp}/r", "--rate", "0"], "--rate"),
    (["report", "{rec}", "--out", "{tmp}/r", "--tolerance", "2"], "--tolerance"),
    (["report", "{rec}", "--out", "{tmp}/r", "--target", "1"], "--target"),
    (["report", "{rec}", "--out", "{tmp}/r", "--unit", "stone"], "--unit"),
]
MONITOR_BAD = [
    (["monitor"], "--port"),
    *[(["monitor", "--port", "/dev/null", f"--baud={v}"], "--baud")
      for v in ("0", "-9600", "abc", "9600.5", "1e12", "99999999")],
    (["monitor", "--port", "/dev/null", "--format", "xml"], "--format"),
    *[(["monitor", "--port", "/dev/null", f"--duration={v}"], "--duration")
      for v in ("0", "-1", "nan", "inf", "abc")],
    (["monitor", "--port", "/dev/null", "--unit", "stone"], "--unit"),
    (["monitor", "--port", "/dev/null", "--poll", " "], "--poll"),
    (["monitor", "--port", "/dev/null", "--poll", "?", "--format", "nmtp"], "--poll"),
    (["monitor", "--port", "/dev/null", "--summary-json", "{tmp}/no/s.json"], "--summary-json"),
    (["monitor", "--port", "/dev/null", "--summary-json", "{dir}"], "--summary-json"),
    (["monitor", "--port", "/dev/null", "--record", "{tmp}/r.csv", "--summary-json", "{tmp}/r.csv"],
     "--summary-json"),
    (["monitor", "--port", "/dev/null", "--record", "{file}"], "--overwrite"),
    (["monitor", "--port", "/dev/null", "--record", "{dir}"], "--record"),
    (["monitor", "--port", "/dev/null", "--record", "{tmp}/no/r.csv"], "--record"),
    (["monitor", "--port", "/dev/null", "--target", "1"], "--target"),
    (["monitor", "--port", "/dev/null", "--tolerance", "1"], "--tolerance"),
    (["monitor", "--port", "/dev/null", "--lsl", "--lsl-name", " "], "--lsl-name"),
    (["monitor", "--port", "/dev/nmt-no-such-port"], "/dev/nmt-no-such-port"),
    (["monitor", "--port", "bogus://x"], "bogus://x"),
    (["monitor", "--port", "{file}"], "not a serial device"),
]
DASH_BAD = [
    *[(["dash", "--sim", f"--rate={v}"], "--rate") for v in ("0", "5000", "12.5", "abc")],
    (["dash", "--rate", "80"], "--rate"),
    (["dash", "--port", "/dev/null", "--seed", "3"], "--seed"),
    (["dash", "--replay", "{rec}", "--scenario", "steady"], "--scenario"),
    (["dash", "--script", "{file}"], "--script"),
    (["dash", "--sim", "--scenario", "nap"], "--scenario"),
    (["dash", "--sim", "--scenario", "steady", "--script", "{file}"], "--script"),
    (["dash", "--sim", "--script", "{tmp}/none.txt"], "--script"),
    (["dash", "--sim", "--speed", "4"], "--speed"),
    (["dash", "--replay", "{rec}", "--speed", "2"], "--speed"),
    (["dash", "--sim", "--format", "nmtp"], "--format"),
    (["dash", "--replay", "{rec}", "--baud", "9600"], "--baud"),
    (["dash", "--port", "/dev/null", "--baud", "0"], "--baud"),
    *[(["dash", f"--window={v}"], "--window") for v in ("2", "100", "nan")],
    *[(["dash", f"--goal={v}"], "--goal") for v in ("0", "1", "500")],
    (["dash", "--replay", "{rec}", "--record", "{tmp}/r.csv"], "--record"),
    (["dash", "--record", "{tmp}/r.csv"], "--record"),
    (["dash", "--sim", "--screenshot", "{tmp}/x.png"], "--screenshot"),
    (["dash", "--sim", "--summary-json", "{tmp}/x.json"], "--summary-json"),
    (["dash", "--sim", "--duration", "2", "--summary-json", "{tmp}/no/x.json"], "--summary-json"),
    (["dash", "--sim", "--duration", "2", "--screenshot", "{tmp}/x", "--summary-json", "{tmp}/x"],
     "--summary-json"),
    (["dash", "--sim", "--record", "{file}"], "--overwrite"),
    (["dash", "--sim", "--target", "1"], "--target"),
    (["dash", "--sim", "--tolerance", "1.5"], "--tolerance"),
    (["dash", "--display-unit", "stone"], "--display-unit"),
    (["dash", "--port", "/dev/null", "--sim"], "--sim"),
    (["dash", "--replay", "{rec}", "--lsl"], "--lsl"),
    (["dash", "--duration", "0"], "--duration"),
]
SIM_BAD = [
    *[([f"--rate={v}"], "--rate") for v in ("0", "5000", "12.5", "abc")],
    (["--scenario", "nap"], "--scenario"),
    (["--seed", "abc"], "--seed"),
    *[([f"--tcp={v}"], "--tcp") for v in ("70000", "-1", "abc")],
    *[([f"--clock-start-us={v}"], "--clock-start-us") for v in ("-1", "4294967296", "abc")],
    (["--format", "xml"], "--format"),
    (["--unit", "stone"], "--unit"),
    *[([f"--noise={v}"], "--noise") for v in ("-1", "nan", "inf")],
    *[([f"--full-scale={v}"], "--full-scale") for v in ("0", "-5")],
    *[([f"--corrupt={v}"], "--corrupt") for v in ("2", "nan", "-0.1")],
    (["--drop=-0.1"], "--drop"),
    (["--garbage-every", "0"], "--garbage-every"),
    (["--stall-after=-1"], "--stall-after"),
    (["--stall-for", "2"], "--stall-for"),
    *[([f"--burst-ms={v}"], "--burst-ms") for v in ("0", "5000", "nan")],
    *[([f"--serial={v}"], "--serial") for v in ("A B", "", "a=b")],
    (["--scenario", "steady", "--script", "{file}"], "--script"),
    (["--script", "{tmp}/none.txt"], "--script"),
    (["--speed", "0"], "--speed"),
    (["--labels", "{tmp}/no/labels.json", "--rate", "80"], "--labels"),
]


@pytest.fixture
def places(tmp_path):
    from nmt_pressure.io.recording import write_recording

    t = [i / 100 for i in range(300)]
    rec = write_recording(tmp_path / "rec.csv", t, [5.0 if 1 < x < 2.5 else 0.0 for x in t], {})
    (tmp_path / "other.txt").write_text("not a recording")
    (tmp_path / "folder").mkdir()
    return {"rec": str(rec), "file": str(tmp_path / "other.txt"), "dir": str(tmp_path / "folder"),
            "tmp": str(tmp_path)}


def _fill(argv, places):
    return [a.format(**places) for a in argv]


def _one_sentence(err: str, needle: str) -> str:
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert needle in lines[0], lines[0]
    return lines[0]


def _ids(table):
    return [" ".join(argv) for argv, _ in table]


@pytest.mark.parametrize(("argv", "needle"), ANALYZE_BAD + REPORT_BAD + MONITOR_BAD + DASH_BAD,
                         ids=_ids(ANALYZE_BAD + REPORT_BAD + MONITOR_BAD + DASH_BAD))
def test_bad_option_is_one_sentence_and_exit_2(argv, needle, places, capsys, monkeypatch):
    from nmt_pressure.cli.main import main

    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")  # dash: its options are checked, not the screen
    monkeypatch.setenv("NMT_PRESSURE_SETTINGS", places["tmp"] + "/settings.ini")
    before = sorted(p.name for p in Path(places["tmp"]).iterdir())
    assert main(_fill(argv, places)) == 2
    line = _one_sentence(capsys.readouterr().err, needle)
    assert line.startswith("nmt-pressure")
    after = sorted(p.name for p in Path(places["tmp"]).iterdir())
    assert after == before  # nothing left behind (no empty recording, no half a report)


@pytest.mark.parametrize(("argv", "needle"), SIM_BAD, ids=_ids(SIM_BAD))
def test_bad_simulator_option_is_one_sentence_and_exit_2(argv, needle, places, capsys):
    from firmware_sim.__main__ import main as sim_main
    from nmt_pressure.cli.main import main

    assert sim_main(_fill(argv, places)) == 2
    _one_sentence(capsys.readouterr().err, needle)
    assert main(["sim", *_fill(argv, places)]) == 2  # the same through nmt-pressure sim
    _one_sentence(capsys.readouterr().err, needle)


def test_unusable_recorded_settings_name_the_recording(places, tmp_path, capsys):
    """analyze uses the detector settings a recording carries; bad ones are the file's fault, and the
    message says so rather than naming a field the user never set."""
    from nmt_pressure.cli.main import main

    bad = tmp_path / "tampered.csv"
    bad.write_text('# detector_config: {"min_hold": -1}\nt_s,force_n\n0,1\n0.01,1\n0.02,1\n')
    assert main(["analyze", str(bad)]) == 2
    line = _one_sentence(capsys.readouterr().err, "min_hold")
    assert "recorded in" in line and "tampered.csv" in line and "detector_config" in line
