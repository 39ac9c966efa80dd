"""Make the example recording bundled with the package (``src/nmt_pressure/data/example_session.csv``).

It is a simulated therapy session from :mod:`firmware_sim` (random hand with holds, steps, drift,
releases, touches and strokes, read by a simulated load cell), written in the project's own recording
format so that ``nmt-pressure analyze`` and the demo read it with no options. Deterministic: the same
arguments give the same file. It uses the installed simulator and writer (``make install`` first after
changing them; it prints which it used), and writes into the checkout: reinstall to bundle the new file.
Run from the project root::

    .venv/bin/python tools/make_example.py [--seed 7] [--rate 100] [--out PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import firmware_sim
from firmware_sim import generate
from nmt_pressure.buildinfo import describe
from nmt_pressure.io.recording import write_recording

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "src" / "nmt_pressure" / "data" / "example_session.csv"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rate", type=float, default=100.0, help="sample rate in Hz [100]")
    ap.add_argument("--noise", type=float, default=0.1, help="sensor noise SD in newtons [0.1]")
    ap.add_argument("--duration", type=float, default=120.0, help="session length in seconds [120]")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    print(f"{describe()}; firmware_sim from {Path(firmware_sim.__file__).parent}")

    trace = generate(args.seed, rate_hz=args.rate, noise_n=args.noise, duration_s=args.duration)
    meta = {"source": "firmware_sim (simulated device; not a real recording)",
            "made_by": "tools/make_example.py",
            **trace.meta}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_recording(args.out, trace.t, trace.force, meta)
    kinds = [lab["kind"] for lab in trace.labels]
    print(f"wrote {args.out} ({trace.t.size} samples, {args.duration:g} s at {args.rate:g} Hz; true labels: "
          f"{kinds.count('hold')} holds, {kinds.count('step')} steps, {kinds.count('release')} releases, "
          f"{kinds.count('touch')} touches, {kinds.count('stroke')} strokes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
