"""Shared fixtures for the core's tests: both implementations, a tiny trace builder, comparisons.

``impl`` runs a test once per implementation of the signal core: the pure-Python golden model
(``nmt_pressure.core.golden.Detector``) and its compiled twin (``nmt_pressure._core.Detector``). If the
compiled core cannot be imported its runs are *skipped* with a reason that ``pytest -ra`` lists, never
silently dropped.

``trace`` is the :class:`Trace` builder: force traces from named pieces (min-jerk ramps, holds, steps,
drifts, releases, strokes) plus white noise and tremor, on regular or irregular timestamps. It is
deliberately independent of ``firmware_sim`` so that the core's tests do not move when the simulator
does. Every fixture here is session-scoped, so Hypothesis tests may use them.
"""

from __future__ import annotations

import functools
import math
import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from devices import Sim
from toolmods import load_tool

# A test run started in the background by a shell without job control (`make test &` in a script)
# inherits SIGINT ignored, and so would every monitor the tests start and then stop with Ctrl-C's
# signal. A handled signal is reset to the default at exec, an ignored one is not: handle it here.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

from firmware_sim.pieces import Pieces  # minimum-jerk moves, as the simulator's hand makes
from nmt_pressure.core import golden as _core_py
from nmt_pressure.core.config import DetectorConfig
from nmt_pressure.core.events import ENDED_BY, EVENT_KINDS

try:
    from nmt_pressure import _core as _core_c  # type: ignore[attr-defined]

    COMPILED_ERROR: str | None = None
except ImportError as exc:  # pragma: no cover - depends on the build
    _core_c = None
    COMPILED_ERROR = f"{exc.__class__.__name__}: {exc}"

PY_DETECTOR: Any = _core_py.Detector
C_DETECTOR: Any = _core_c.Detector if _core_c is not None else None

#: Why the compiled runs are skipped (listed by ``pytest -ra``).
SKIP_COMPILED = (
    f"compiled core nmt_pressure._core is not importable ({COMPILED_ERROR}); build it with "
    "`python setup.py build_ext --inplace` (or `pip install .`) to test it against the golden model"
)


def pytest_report_header(config: pytest.Config) -> list[str]:
    if C_DETECTOR is None:
        return [f"nmt_pressure compiled core: MISSING ({COMPILED_ERROR}); its tests are skipped"]
    so = Path(_core_c.__file__)  # type: ignore[union-attr]
    line = f"nmt_pressure compiled core: {so}"
    # _core.pyx and the stage files it includes (core/kernel/*.pxi): a change to any is a change to it.
    pyx = so.with_name("_core.pyx")
    sources = [pyx, *so.parent.glob("core/kernel/*.pxi")] if pyx.exists() else []
    if any(p.stat().st_mtime > so.stat().st_mtime for p in sources):
        line += " (STALE: older than its sources - rebuild before trusting equivalence results)"
    return [line]


def _detector_class(name: str) -> Any:
    if name == "python":
        return PY_DETECTOR
    if C_DETECTOR is None:
        pytest.skip(SKIP_COMPILED)
    return C_DETECTOR


@pytest.fixture(scope="session", params=["python", "cython"])
def impl(request: pytest.FixtureRequest) -> Any:
    """The ``Detector`` class of one implementation."""
    return _detector_class(request.param)


@pytest.fixture(scope="session")
def golden() -> Any:
    """The golden model's ``Detector`` class."""
    return PY_DETECTOR


@pytest.fixture(scope="session")
def compiled() -> Any:
    """The compiled ``Detector`` class (skips, visibly, when it is not built)."""
    return _detector_class("cython")


# --------------------------------------------------------------------------------------------------
# Synthetic traces
# --------------------------------------------------------------------------------------------------
#: A chain of pieces laid end to end, sampled and noised (:class:`firmware_sim.pieces.Pieces`); every
#: method returns it, and ``marks[name] = (t0, t1)`` records when a named piece starts and ends::
#:
#:     tr = Trace(rate=100).rest(1).ramp(20, 1, mark="ramp").hold(5).release(0.3, mark="drop")
#:     t, f = tr.rest(1).build(noise=0.02, seed=1)
Trace = Pieces


def _frozen(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    for a in arrays:
        a.flags.writeable = False  # shared between tests: nobody may change them
    return arrays


@functools.lru_cache(maxsize=64)
def therapy_trace(rate: float, seed: int = 0, jitter: float = 0.0, drop: float = 0.0,
                  noise: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """A ~40 s mixed session: holds, steps up and down, a slow drift, a brief touch, a gliding
    stroke, releases. Cached and read-only."""
    tr = (Trace(rate=rate).rest(0.7)
          .ramp(18.0, 1.0).hold(3.0).step(0.25, 0.8).hold(3.0).step(-0.3, 0.8).hold(2.5)
          .drift(-0.2, 4.0).hold(1.0).release(0.3).rest(1.0)
          .ramp(6.0, 0.3).hold(0.3).release(0.2).rest(1.0)                 # brief touch
          .ramp(30.0, 1.2).hold(2.5).release(0.4).rest(0.8)
          .ramp(12.0, 0.6).stroke(0.35, 1.0, 4.0).release(0.3).rest(0.5)  # gliding stroke
          .ramp(45.0, 1.0).hold(4.0).step(0.15, 1.0).hold(2.0).release(0.4).rest(0.5))
    t, f = tr.build(noise=noise, tremor=0.01, seed=seed, jitter=jitter, drop=drop)
    return _frozen(t, f)  # type: ignore[return-value]


def run(cls: Any, t: Any, f: Any, cfg: Any = None) -> tuple[list[Any], list[Any], Any]:
    """A whole trace through a fresh detector: ``(events incl. finish(), holds, detector)``."""
    det = cls(cfg)
    events = list(det.process(t, f))
    events += det.finish()
    return events, list(det.holds), det


# --------------------------------------------------------------------------------------------------
# Comparisons and invariants
# --------------------------------------------------------------------------------------------------
def _same_float(a: Any, b: Any, rel: float) -> bool:
    if a is None or b is None or isinstance(a, str) or isinstance(b, str):
        return a == b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if rel == 0.0:
        return a == b
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


def assert_same_events(expected: Sequence[Any], got: Sequence[Any], what: str = "") -> None:
    """Identical event lists (``Event`` equality; NaN equal to NaN should one ever appear)."""
    if list(expected) == list(got):
        return
    for i, (a, b) in enumerate(zip(expected, got, strict=False)):
        same = all(_same_float(getattr(a, f.name), getattr(b, f.name), 0.0) for f in fields(a))
        assert same, f"{what}: event {i} differs:\n  expected {a}\n  got      {b}"
    assert len(expected) == len(got), (
        f"{what}: {len(expected)} events expected, got {len(got)}; first extra: "
        f"{(list(expected) + list(got))[min(len(expected), len(got))]}")


def assert_same_holds(expected: Sequence[Any], got: Sequence[Any], rel: float = 1e-9,
                      what: str = "") -> None:
    """Same holds: times and ``ended_by`` exactly, statistics within ``rel`` (relative)."""
    assert len(expected) == len(got), f"{what}: {len(expected)} holds expected, got {len(got)}"
    for i, (a, b) in enumerate(zip(expected, got, strict=True)):
        for f in fields(a):
            exact = f.name in ("start", "end", "ended_by")
            va, vb = getattr(a, f.name), getattr(b, f.name)
            assert _same_float(va, vb, 0.0 if exact else rel), (
                f"{what}: hold {i} field {f.name}: expected {va!r}, got {vb!r}\n  {a}\n  {b}")


DIRECTIONS = {"step": {"up", "down"}, "band_exit": {"high", "low"}}


def check_invariants(events: Sequence[Any], holds: Sequence[Any], t: np.ndarray,
                     cfg: DetectorConfig | None = None) -> None:
    """What holds for every trace, whatever it contains (after ``finish()``): the contract's rules as
    ``tools/fuzz_core.py`` checks them on random hands (event dating, holds in order and never under
    ``min_hold``, statistics, releases, band events inside their hold), then what these tests' traces
    also let one check (kinds and directions, levels, the hold record against its events)."""
    broken = load_tool("fuzz_core").broken_rules(np.asarray(t, dtype=np.float64), events, holds,
                                                 cfg or DetectorConfig())
    assert not broken, broken
    times = set(np.asarray(t, dtype=np.float64)[np.isfinite(t)].tolist())
    for e in events:
        assert e.kind in EVENT_KINDS, e
        assert e.direction in DIRECTIONS.get(e.kind, {None}), e
        assert e.t_detected in times, f"t_detected is not the time of a sample: {e}"
        assert e.level is not None and math.isfinite(e.level) and e.level > 0, e
    for h in holds:
        assert h.ended_by in ENDED_BY, h
        assert h.start <= h.end, h
        assert h.duration == pytest.approx(h.end - h.start, abs=1e-9), h
    starts = [e for e in events if e.kind == "hold_start"]
    # A hold begins where its hold_start event dated it, unless its level settled outside the
    # settled part (ARRIVAL, 4 %, plus noise) of the one that event told: then the record's start may
    # be dated again, later, against the settled level (failure mode 65).
    for h, e in zip(holds, starts, strict=True):
        assert h.start == e.t or (h.start > e.t and abs(h.level - e.level) > 0.04 * h.level), (h, e)
    # A hold's level is the settled level: the hold_start event tells the estimate at confirmation,
    # which the record refines over the min_hold after a close arrival (golden._refine), within the
    # settled part (ARRIVAL, 4 %, plus noise) of it, or measured again once an arrival still settling
    # has settled (LEVEL_SETTLED), within the default hold band (8 %) of it, or where an excursion
    # that cut that measurement short settled in the same hold: within a step (10 %) of it.
    for h, e in zip(holds, starts, strict=True):
        assert abs(h.level - e.level) <= 0.10 * e.level + 0.1, (h, e)
    # A release ends the hold then open at its onset, unless the hold had already ended because the
    # force left it ("left"), in which case the release comes later, never before.
    releases = [e for e in events if e.kind == "release"]
    released = [h for h in holds if h.ended_by in ("release", "left")]
    ri = 0
    for h in released:
        if h.ended_by == "release":
            assert ri < len(releases) and releases[ri].t == h.end, (h, releases[ri:ri + 1])
            ri += 1
        elif ri < len(releases) and releases[ri].t >= h.end and \
                not any(g is not h and h.end <= g.start < releases[ri].t for g in holds):
            ri += 1
    assert ri == len(releases), ("a release that ends no contact that held", releases[ri:])
    # Every step is followed at once by the hold_start of the new level.
    for i, e in enumerate(events):
        if e.kind == "step":
            nxt = events[i + 1]
            assert nxt.kind == "hold_start" and nxt.t_detected == e.t_detected, (e, nxt)
            assert nxt.level == e.level, (e, nxt)


@pytest.fixture(scope="session")
def trace() -> type[Trace]:
    """The :class:`Trace` builder class."""
    return Trace


@pytest.fixture(scope="session")
def therapy() -> Callable[..., tuple[np.ndarray, np.ndarray]]:
    """``therapy(rate, seed=0, jitter=0.0, drop=0.0, noise=0.05) -> (t, f)``, cached, read-only."""
    return therapy_trace


@pytest.fixture(scope="session")
def run_trace() -> Callable[..., tuple[list[Any], list[Any], Any]]:
    """``run_trace(cls, t, f, cfg=None) -> (events incl. finish(), holds, detector)``."""
    return run


@pytest.fixture(scope="session")
def same_events() -> Callable[..., None]:
    return assert_same_events


@pytest.fixture(scope="session")
def same_holds() -> Callable[..., None]:
    return assert_same_holds


@pytest.fixture(scope="session")
def invariants() -> Callable[..., None]:
    return check_invariants


@pytest.fixture
def sims() -> Iterator[list[Sim]]:
    """Simulated devices a test starts (append them), killed at its end whatever happened."""
    started: list[Sim] = []
    yield started
    for s in started:
        s.kill()


def _xvfb_module() -> Any:
    """tools/xvfb.py, the one Xvfb starter (the bench uses it too)."""
    return load_tool("xvfb")


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """An X server (Xvfb) on a free display for the module's tests, or a skip saying why not."""
    xvfb = _xvfb_module()
    try:
        with xvfb.xvfb_display() as name:
            yield name
    except xvfb.XvfbUnavailable as exc:
        pytest.skip(f"{exc}: real-screen test skipped")
