"""Labelled traces: a random hand (:mod:`firmware_sim.hand`) read by a sensor (:mod:`firmware_sim.sensor`).

``generate(seed, rate_hz, noise_n)`` is deterministic: the same arguments give the same samples and
labels, bit for bit. The hand depends only on the seed and the noise level (which sets the lowest
sensible hold level), so one seed gives the same session at every sample rate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from firmware_sim.hand import FloatArray, Hand, SessionSpec, holding_time, plan_session
from firmware_sim.sensor import SensorConfig, read, sample_times

#: Lowest hold level as a multiple of the noise sigma: noise stays ≤ 2 % of the force, as with a
#: real cell whose capacity matches the pressures it is used for.
LEVEL_PER_NOISE = 50.0


@dataclass
class Trace:
    """Samples (``t`` in s, ``force`` in N), ground-truth labels and the parameters that made them."""

    t: FloatArray
    force: FloatArray
    labels: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)
    hand: Hand | None = None

    @property
    def holding_time(self) -> float:
        """Total true holding time (s)."""
        return holding_time(self.labels)

    def labels_of(self, kind: str) -> list[dict[str, Any]]:
        return [lab for lab in self.labels if lab["kind"] == kind]

    def write_csv(self, path: str | Path) -> None:
        write_csv(path, self.t, self.force, self.meta)

    def write_labels(self, path: str | Path) -> None:
        write_labels(path, self.labels, self.meta)


def generate(seed: int, rate_hz: float = 1000.0, noise_n: float = 0.1, duration_s: float = 120.0,
             irregular: bool = False, *, spikes: bool = True, t0: float = 0.0,
             first_release_within: float | None = None, spec: SessionSpec | None = None) -> Trace:
    """A random labelled therapy session.

    ``irregular`` adds timestamp jitter, dropped samples and one or two short gaps. ``t0`` shifts the
    device time base (samples and labels alike). ``first_release_within`` makes the first hold end
    in a release before that time (s, before ``t0``). ``spec`` overrides all session knobs; its
    ``duration_s`` and ``min_level`` are then taken as given.
    """
    if spec is None:
        min_level = max(SessionSpec.min_level, LEVEL_PER_NOISE * noise_n)
        spec = SessionSpec(duration_s=duration_s, min_level=min_level,
                           first_release_within=first_release_within)
    # Separate streams for hand and sensor: the session does not change with the sample rate.
    hand_ss, sensor_ss = np.random.SeedSequence([int(seed), 0x4E4D54]).spawn(2)
    hand, labels = plan_session(np.random.default_rng(hand_ss), spec)
    rng_s = np.random.default_rng([*sensor_ss.generate_state(2), round(rate_hz * 1000), int(irregular)])
    sensor = SensorConfig.draw(rng_s, rate_hz, noise_n, irregular=irregular, spikes=spikes)
    t = sample_times(rng_s, spec.duration_s, sensor)
    force = read(rng_s, hand.force, t, sensor)
    if t0:
        t = t + t0
        labels = [_shift(lab, t0) for lab in labels]
    meta: dict[str, Any] = {
        "seed": int(seed), "rate_hz": float(rate_hz), "noise_n": float(noise_n),
        "duration_s": float(spec.duration_s), "irregular": bool(irregular), "t0": float(t0),
        "tare_offset_n": sensor.tare_offset, "creep_n_per_min": sensor.creep_per_s * 60.0,
        "tremor_peak": hand.tremor.tremor_amp, "wander_peak": hand.tremor.wander_amp,
        "min_level_n": spec.min_level, "holding_time_s": holding_time(labels),
        "samples": int(t.size),
    }
    return Trace(t=t, force=force, labels=labels, meta=meta, hand=hand)


_TIME_KEYS = ("t", "t_end", "start", "end", "move_start", "in_band")


def _shift(label: dict[str, Any], dt: float) -> dict[str, Any]:
    return {k: (v + dt if k in _TIME_KEYS and v is not None else v) for k, v in label.items()}


def trace_id(meta: dict[str, Any]) -> str:
    """A short readable name for a trace, e.g. ``s7-100Hz-n0.1-irr``."""
    irr = "-irr" if meta.get("irregular") else ""
    return f"s{meta['seed']}-{meta['rate_hz']:g}Hz-n{meta['noise_n']:g}{irr}"


# --------------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------------
def write_csv(path: str | Path, t: FloatArray, force: FloatArray, meta: dict[str, Any] | None = None) -> None:
    """CSV with ``# key: value`` metadata lines, a ``t_s,force_n`` header and one row per sample."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        for k, v in (meta or {}).items():
            fh.write(f"# {k}: {v}\n")
        fh.write("t_s,force_n\n")
        np.savetxt(fh, np.column_stack([t, force]), fmt=["%.6f", "%.3f"], delimiter=",")


def read_csv(path: str | Path) -> tuple[FloatArray, FloatArray]:
    """Read back a CSV written by :func:`write_csv` (``#`` lines skipped)."""
    # The metadata lines come first, then the header: skip up to and including the header.
    with open(path, encoding="utf-8") as fh:
        skip = next((i + 1 for i, line in enumerate(fh) if not line.startswith("#")), 0)
    data = np.loadtxt(path, delimiter=",", skiprows=skip, ndmin=2, dtype=np.float64, usecols=(0, 1))
    return data[:, 0].copy(), data[:, 1].copy()


def write_labels(path: str | Path, labels: list[dict[str, Any]], meta: dict[str, Any] | None = None) -> None:
    """Labels as JSON: ``{"meta": {...}, "labels": [...]}``."""
    Path(path).write_text(json.dumps({"meta": meta or {}, "labels": labels}, indent=1), encoding="utf-8")


def read_labels(path: str | Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    return list(doc["labels"]), dict(doc.get("meta", {}))


def main(argv: list[str] | None = None) -> int:
    """``python -m firmware_sim.traces --seed 3 --rate 100 --noise 0.1 --out s3.csv --labels s3.json``"""
    import argparse

    p = argparse.ArgumentParser(description="Write a labelled synthetic therapy session.")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--rate", type=float, default=1000.0, help="sample rate (Hz)")
    p.add_argument("--noise", type=float, default=0.1, help="sensor noise sigma (N)")
    p.add_argument("--duration", type=float, default=120.0, help="session length (s)")
    p.add_argument("--irregular", action="store_true", help="jittered timestamps, drops and gaps")
    p.add_argument("--out", required=True, help="CSV file (t_s,force_n)")
    p.add_argument("--labels", help="JSON file for the ground-truth labels")
    a = p.parse_args(argv)
    tr = generate(a.seed, a.rate, a.noise, duration_s=a.duration, irregular=a.irregular)
    tr.write_csv(a.out)
    if a.labels:
        tr.write_labels(a.labels)
    print(f"{a.out}: {tr.t.size} samples, {len(tr.labels_of('hold'))} holds, "
          f"{tr.holding_time:.1f} s holding")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
