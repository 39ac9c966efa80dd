"""``tools/blind_generator5.py``, the fifth blind generator (written from the contract alone): its
sessions are the same for a seed whatever the interpreter, every sensor's file reads with the
scorer's reader, its labels follow the contract's definitions on the label signal (checked here by a
third, plainer reading), its ``--check`` passes a fresh run and names a changed file, its second
reader catches wrong labels, and every model it claims shows in a seed's sessions - and in the data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from toolmods import TOOLS, load_tool

bg = load_tool("blind_generator5")
sd = load_tool("score_detection")

SEED = 7


def _first(**want: object) -> int:
    """The first session of SEED whose spec has these fields."""
    return next(i for i in range(48)
                if all(getattr(bg.session_spec(SEED, i), k) == v for k, v in want.items()))


@pytest.fixture(scope="module")
def one_per_sensor(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, object]]:
    """A session of each sensor, written where the scorer can read it: sensor -> (CSV, Session)."""
    folder = tmp_path_factory.mktemp("bg5")
    out = {}
    for sensor in bg.SENSORS:
        s = bg.build(SEED, _first(sensor=sensor))
        (folder / f"{s.name}.csv").write_bytes(s.csv)
        (folder / f"{s.name}.labels.json").write_bytes(s.labels)
        out[sensor] = (folder / f"{s.name}.csv", s)
    return out


def test_a_session_is_the_same_for_its_seed_and_index_in_any_interpreter(tmp_path: Path):
    a = bg.build(SEED, 2)
    assert a.csv == bg.build(SEED, 2).csv and a.labels == bg.build(SEED, 2).labels
    assert a.csv != bg.build(SEED + 1, 2).csv and a.csv != bg.build(SEED, 3).csv
    # Another process with another hash seed (a set's order must not reach the draws).
    env = dict(os.environ, PYTHONHASHSEED="12345")
    done = subprocess.run([sys.executable, str(TOOLS / "blind_generator5.py"), str(tmp_path), "--seed",
                           str(SEED), "--sessions", "3"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / f"bg5_s{SEED}_002.csv").read_bytes() == a.csv
    assert (tmp_path / f"bg5_s{SEED}_002.labels.json").read_bytes() == a.labels


def test_every_sensors_file_reads_with_the_scorers_reader_at_its_labelled_levels(one_per_sensor):
    units = set()
    for sensor, (csv, _) in one_per_sensor.items():
        t, f, labels, _ = sd.read_real(csv)
        units.add(labels["unit"])
        assert labels["time_column"] == csv.read_text().splitlines()[len(_meta(csv))].split(",")[0]
        assert t.size > 500 and np.all(np.diff(t) >= 0), sensor
        truth = sd.truth_from_labels(labels)
        holds = [x for x in truth if x["kind"] == "hold"]
        assert holds and any(x["kind"] == "release" for x in truth)
        for h in holds:
            # The recording agrees with the label signal's level (sensor error and noise aside).
            m = (t >= h["start"] + 0.3) & (t <= h["start"] + 1.5)
            assert abs(np.median(f[m]) / h["level"] - 1) < 0.04, (sensor, h)
    assert units == {"g", "N", "kg", "lbf", "lb"}


def _meta(csv: Path) -> list[str]:
    return [line for line in csv.read_text().splitlines() if line.startswith("#")]


def test_the_sensors_show_their_models_in_the_data(one_per_sensor):
    def table(sensor: str) -> tuple[list[str], np.ndarray]:
        csv = one_per_sensor[sensor][0]
        lines = [x for x in csv.read_text().splitlines() if not x.startswith("#")]
        return lines[0].split(","), np.array([[float(v) for v in x.split(",")] for x in lines[1:]])

    _, gauge = table("force_gauge")
    assert np.any(np.diff(gauge[:, 0]) == 0)                                  # two readings, one poll
    assert np.allclose(gauge[:, 1] * 100, np.round(gauge[:, 1] * 100))       # 0.01 kgf
    _, batch = table("batched_host")
    dt = np.diff(batch[:, 0])
    assert np.mean(dt < 1e-4) > 0.8 and np.max(dt) > 0.03                   # packets stamped on arrival
    head, plate = table("force_plate")
    assert head == ["time_s", "Fx_N", "Fy_N", "Fz_N"]
    assert np.allclose(np.diff(plate[:200, 0]), 1 / 1200, atol=2e-6)
    _, film = table("thin_film")
    counts, at = np.unique(film[:, 1], return_index=True)
    quantum = np.diff(film[at, 2]) / np.diff(counts)                          # grams a count
    top, bottom = counts[1:] > 0.8 * counts.max(), counts[1:] < 0.3 * counts.max()
    assert np.median(quantum[top]) > 2 * np.median(quantum[bottom])
    _, mat = table("pressure_mat")
    assert np.any(np.diff(mat[:, 1]) > 1)                                     # a dropped frame
    assert table("strain_amp")[0] == ["t", "force_lbf"]


def _third_reading(labels: dict, ts: np.ndarray, ys: np.ndarray) -> None:
    """The contract's definitions, read plainly on the label signal at the rows' stamps."""
    per = sd.LABEL_UNITS[labels["unit"].casefold()]
    holds = [(s, e, v * per) for s, e, v in labels["holds"]]
    ends = [e for _, e, _ in holds]
    at = {round(t, 3): d for t, d in labels["steps"]}
    for k, (s, e, lv) in enumerate(holds):
        assert e - s >= 1.5 and lv > 2.0
        # (From 5 ms in: a packet's rows share a stamp, rounded to the ms in the labels.)
        first = ys[(ts >= s + 0.005) & (ts <= s + 1.5)]
        assert np.all(np.abs(first / lv - 1) <= 0.09)                         # near one level
        if round(e, 3) in at:                                                  # a step to the next hold
            s2, _, l2 = holds[k + 1]
            assert abs(l2 / lv - 1) >= 0.10 and at[round(e, 3)] == ("up" if l2 > lv else "down")
            assert ys[(ts >= e) & (ts <= s2)].min() > 2.0                      # without losing contact
    for (t,) in labels["releases"]:
        lv = next(v for _, e, v in holds if e == t)
        after = ys[(ts > t) & (ts < t + 4.0)]
        assert t in ends and np.any(after < 0.15 * lv)
    for t, d in labels["band_exits"]:
        s, e, lv = next(h for h in holds if h[0] + 1.5 <= t < h[1])            # inside a confirmed hold
        out = ys[(ts >= t + 0.02) & (ts <= t + 0.17)] / lv - 1
        assert np.all(out > 0.10) if d == "high" else np.all(out < -0.10)     # out for 0.15 s
    for t, _ in labels["band_exits_optional"]:
        assert any(e <= t and round(e, 3) in at for e in ends)


@pytest.mark.parametrize("protocol", ["met", "pin_stretch", "trigger_point", "tool_switch"])
def test_labels_follow_the_contracts_definitions_on_the_label_signal(protocol: str):
    s = bg.build(SEED, _first(protocol=protocol, novice=True))
    labels = json.loads(s.labels)
    _third_reading(labels, s.stamps, s.seen)
    assert bg.verify(labels, s.stamps, s.seen) == []
    assert protocol in labels["models"] and labels["notes"]


def test_the_second_reader_catches_labels_that_disagree_with_the_signal():
    s = bg.build(SEED, _first(protocol="pin_stretch"))
    good = json.loads(s.labels)
    assert good["steps"] and good["band_exits_optional"] and bg.verify(good, s.stamps, s.seen) == []

    def spoilt(change) -> list[str]:
        labels = json.loads(s.labels)
        change(labels)
        return bg.verify(labels, s.stamps, s.seen)

    assert spoilt(lambda lb: lb["steps"].pop(0))                          # a step left out
    assert spoilt(lambda lb: lb["steps"][0].__setitem__(1, "down" if lb["steps"][0][1] == "up" else "up"))
    assert spoilt(lambda lb: lb["holds"][0].__setitem__(2, lb["holds"][0][2] * 1.2))   # a wrong level
    assert spoilt(lambda lb: lb["holds"].pop(1))                           # a hold left out
    assert spoilt(lambda lb: lb["releases"].append([lb["holds"][0][0] + 1.0]))
    assert spoilt(lambda lb: lb["band_exits"].append([lb["holds"][0][0] + 2.0, "high"]))
    models = {i: bg.session_models(SEED, i)[1] for i in range(12)}
    with_exits = bg.build(SEED, next(i for i, m in models.items() if "reposition" in m))
    labels = json.loads(with_exits.labels)
    assert labels["band_exits"] and bg.verify(labels, with_exits.stamps, with_exits.seen) == []
    labels["band_exits"].pop()                                             # an exit the monitor sees
    assert bg.verify(labels, with_exits.stamps, with_exits.seen)


def test_check_passes_a_fresh_run_and_fails_on_a_changed_or_missing_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    out = tmp_path / "run"
    assert bg.main([str(out), "--seed", str(SEED), "--sessions", "3"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [f"bg5_s{SEED}_00{i}.{x}" for i in range(3)
                                                      for x in ("csv", "labels.json")]
    capsys.readouterr()
    assert bg.main([str(out), "--seed", str(SEED), "--check"]) == 0
    assert "checked 3 sessions of seed 7: 3 agree, 0 fail" in capsys.readouterr().out
    csv = out / f"bg5_s{SEED}_001.csv"
    text = csv.read_bytes()
    csv.write_bytes(text[:-3] + (b"9" if text[-3:-2] != b"9" else b"8") + text[-2:])
    assert bg.main([str(out), "--seed", str(SEED), "--check"]) == 1
    said = capsys.readouterr().out
    assert f"bg5_s{SEED}_001: the CSV differs" in said and "2 agree, 1 fail" in said
    csv.write_bytes(text)
    (out / f"bg5_s{SEED}_002.labels.json").unlink()
    assert bg.main([str(out), "--seed", str(SEED), "--sessions", "3", "--check"]) == 1
    assert f"bg5_s{SEED}_002: missing" in capsys.readouterr().out


def test_every_claimed_model_shows_over_a_seeds_sessions():
    """Each protocol x sensor x hand once in 48 sessions, and every model of MODELS in some session."""
    seen: set[str] = set()
    combos = set()
    for i in range(48):
        spec, models = bg.session_models(SEED, i)
        combos.add((spec.protocol, spec.sensor, spec.novice))
        assert set(models) <= set(bg.MODELS) and spec.protocol in models and spec.sensor in models
        assert ("hunting" in models) <= spec.novice
        seen |= set(models)
    assert len(combos) == 48
    assert seen == set(bg.MODELS)


def test_the_hands_models_show_in_the_labels():
    """A slip ends a hold with neither a step nor a release; a repositioning is a low band exit; a
    novice's hunting overshoots the level it then holds; an MET push is a step up, then down."""
    models = {i: set(bg.session_models(SEED, i)[1]) for i in range(48)}

    def labelled(model: str) -> tuple[dict, object]:
        s = bg.build(SEED, next(i for i in range(48) if model in models[i]))
        return json.loads(s.labels), s

    lab, _ = labelled("slip")
    marked = {t for t, _ in lab["steps"]} | {t for (t,) in lab["releases"]}
    assert any(e not in marked for _, e, _ in lab["holds"])
    lab, _ = labelled("reposition")
    assert any(d == "low" for _, d in lab["band_exits"])
    lab, s = labelled("hunting")
    per = sd.LABEL_UNITS[lab["unit"].casefold()]
    assert any(s.seen[(s.stamps >= a - 1.5) & (s.stamps < a)].max() > 1.1 * lv * per
               for a, _, lv in lab["holds"])
    lab, _ = labelled("met")
    assert [d for _, d in lab["steps"]][:2] == ["up", "down"]
