"""firmware_sim: a simulated load-cell device and labelled force traces for testing nmt_pressure.

Offline: :mod:`firmware_sim.hand` models the therapist's hand (intended force plus tremor, with
ground-truth labels), :mod:`firmware_sim.sensor` the load cell and ADC, and :mod:`firmware_sim.traces`
puts the two together: ``generate(seed, rate_hz, noise_n)`` gives a :class:`Trace` of samples and labels.
:mod:`firmware_sim.pieces` is a scripted hand instead: exactly the pieces asked for (the core tests'
traces and ``tools/fuzz_core.py``'s random hands).

Live: ``python -m firmware_sim`` is the device as a process on a pseudo-terminal or a TCP port.
:mod:`firmware_sim.scenarios` plays hands (named scenarios or a script) for ever,
:mod:`firmware_sim.adc` converts their force to 24-bit counts as an HX711 or a fast converter would,
:mod:`firmware_sim.firmware` is the firmware (nmtp frames, commands, pacing, fault injection) and
:mod:`firmware_sim.link` the cable (pty or TCP, readers coming and going).
"""

from __future__ import annotations

from typing import Any

__all__ = ["Trace", "generate", "read_csv", "read_labels", "write_csv", "write_labels"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so that ``python -m firmware_sim.traces`` (and a light ``python -m
    # firmware_sim``) do not pull in numpy-heavy modules they may not need, nor import them twice.
    if name in __all__:
        from firmware_sim import traces

        return getattr(traces, name)
    raise AttributeError(f"module 'firmware_sim' has no attribute {name!r}")
