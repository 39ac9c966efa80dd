"""Drill definitions: TOML files of phases, validated once, with every mistake named in one sentence.

A drill is a list of phases played ``repeat`` times. Example (``consistency.toml``, bundled)::

    name = "consistency"
    title = "Consistency: 5 holds of 15 s at 30 N"
    description = "Press slowly to 30 N, hold it steady for 15 s, release, rest 10 s. Five times."
    repeat = 5

    [defaults]                 # every phase gets these unless it says otherwise
    tolerance = 0.10           # band half-width, fraction of the target
    max_ramp_rate = 15.0       # N/s while pressing or stepping (max_ramp_pct: %/s of the target)

    [[phase]]
    kind = "press"             # press | hold | step | release | rest
    target = 30.0              # N; leave it out to find a barrier ("press slowly until it resists")
    [[phase]]
    kind = "hold"
    duration = 15.0            # s; or min_duration/max_duration: "hold until it gives"
    [[phase]]
    kind = "release"
    [[phase]]
    kind = "rest"
    duration = 10.0

Phase kinds: **press** (from no contact to a level: done when the core confirms a hold), **step**
(from one hold to a new level: ``target`` N, or ``by`` a fraction such as 0.2 for +20 %, or neither to
find the next barrier; done when the new hold is confirmed), **hold** (``duration``, or ``min_duration``
and ``max_duration`` — it then ends when the user steps on after the minimum, or at the maximum), **release**
(done when the core reports the release) and **rest** (``duration`` without contact). A hold's band is
its target ± tolerance; without a target, the level the user settled at ± tolerance.

Bundled drills live in this package's ``bundled/`` folder; a user's own go into
``<data folder>/drills/*.toml`` (see :mod:`nmt_pressure.practice.userdata`) and may replace a bundled
one by name.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from nmt_pressure.core.checks import check_number

__all__ = ["KINDS", "Drill", "DrillError", "Phase", "available_drills", "find_drill", "load_drill",
           "parse_drill"]

KINDS = ("press", "hold", "step", "release", "rest")
#: Keys a phase (or [defaults]) may have.
PHASE_KEYS = ("kind", "target", "by", "tolerance", "duration", "min_duration", "max_duration",
              "max_ramp_rate", "max_ramp_pct", "timeout", "prompt")
#: How long a press/step/release may take before the drill moves on without it (s).
DEFAULT_TIMEOUT = 20.0
DEFAULT_TOLERANCE = 0.10
MAX_REPEAT = 100
MAX_PHASES = 200
#: Longest duration a phase may ask for (s): a therapist's hold is 10-30 s; ten minutes is surely a typo.
MAX_SECONDS = 600.0
#: Forces above this (N) are no hand's (a kilonewton is a hundred kilograms on a thumb).
MAX_FORCE = 1000.0
#: The numbers a phase may have, in the order they are checked, each with its accepted range for
#: :func:`nmt_pressure.core.checks.check_number` (the detector settings' check): (low, high, low
#: itself allowed). The high end is always allowed.
PHASE_NUMBERS: dict[str, tuple[float, float, bool]] = {
    "target": (0.0, MAX_FORCE, False),
    "by": (-0.9, 5.0, True),  # a fraction of the level: -90 % up to +500 %
    "tolerance": (0.0, 0.5, False),
    "duration": (0.0, MAX_SECONDS, False),
    "min_duration": (0.0, MAX_SECONDS, False),
    "max_duration": (0.0, MAX_SECONDS, False),
    "timeout": (0.0, MAX_SECONDS, False),
    "max_ramp_rate": (0.0, 10 * MAX_FORCE, False),
    "max_ramp_pct": (0.0, 10000.0, False),
}


class DrillError(ValueError):
    """A drill file that cannot be used, or a drill that does not exist (one sentence, naming the fix)."""


@dataclass(frozen=True)
class Phase:
    """One step of a drill (see the module docstring for what each kind does)."""

    kind: str
    target: float | None = None
    by: float | None = None
    tolerance: float = DEFAULT_TOLERANCE
    duration: float | None = None
    min_duration: float | None = None
    max_duration: float | None = None
    max_ramp_rate: float | None = None
    max_ramp_pct: float | None = None
    timeout: float = DEFAULT_TIMEOUT
    prompt: str | None = None

    @property
    def required_hold(self) -> float | None:
        """Seconds a hold phase asks for (its ``duration``, else its ``min_duration``)."""
        return self.duration if self.duration is not None else self.min_duration

    def ramp_limit(self, level: float) -> float | None:
        """Fastest allowed approach (N/s) to ``level``; None if the phase sets no limit."""
        limits = [x for x in (self.max_ramp_rate,
                              None if self.max_ramp_pct is None else self.max_ramp_pct / 100.0 * level)
                  if x is not None]
        return min(limits) if limits else None

    def describe(self, target: float | None, previous: float | None = None) -> str:
        """The prompt shown when the phase begins (``previous``: the level held before a step)."""
        if self.prompt:
            return self.prompt
        if self.kind == "press":
            return f"press slowly to {target:g} N" if target is not None else \
                "press slowly until the tissue resists, then hold"
        if self.kind == "step":
            if target is not None:
                up = self.by > 0 if self.by is not None else previous is None or target > previous
                return f"step {'up' if up else 'down'} to {target:.3g} N"
            return "step deeper, to the next barrier"
        if self.kind == "hold":
            if self.duration is not None:
                return f"hold {self.duration:g} s"
            return f"hold until it gives ({self.min_duration:g}-{self.max_duration:g} s)"
        if self.kind == "release":
            return "release"
        return f"rest {self.duration:g} s"


@dataclass(frozen=True)
class Drill:
    """A validated drill: its phases in playing order (``repeat`` already unrolled in :attr:`plan`)."""

    name: str
    title: str
    description: str
    phases: tuple[Phase, ...]
    repeat: int = 1
    source: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def plan(self) -> tuple[Phase, ...]:
        return self.phases * self.repeat


def _phase(raw: Mapping[str, Any], defaults: Mapping[str, Any], where: str) -> Phase:
    merged = {**defaults, **raw}
    unknown = sorted(set(merged) - set(PHASE_KEYS))
    if unknown:
        raise DrillError(f"{where}: unknown key {unknown[0]!r}; a phase may have {', '.join(PHASE_KEYS)}.")
    kind = merged.get("kind")
    if kind not in KINDS:
        raise DrillError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}.")
    kw: dict[str, Any] = {"kind": kind}
    for key, (lo, hi, lo_allowed) in PHASE_NUMBERS.items():
        if key in merged:
            kw[key] = check_number(merged[key], key, lo, hi, lo_open=not lo_allowed, where=where,
                                   error=DrillError)
            if key == "by" and kw["by"] == 0.0:  # by's range has a hole: no change is no step
                raise DrillError(f"{where}: by must not be 0 (a step changes the level, e.g. by = 0.2 for "
                                 "+20 %).")
    if "prompt" in merged:
        if not isinstance(merged["prompt"], str) or not merged["prompt"].strip():
            raise DrillError(f"{where}: prompt must be a short text.")
        kw["prompt"] = merged["prompt"].strip()
    phase = Phase(**kw)

    if kind == "hold":
        has_d = phase.duration is not None
        has_range = phase.min_duration is not None or phase.max_duration is not None
        if has_d == has_range:
            raise DrillError(f"{where}: a hold needs either duration, or min_duration and max_duration.")
        if has_range:
            if phase.min_duration is None or phase.max_duration is None:
                raise DrillError(f"{where}: give both min_duration and max_duration (or just duration).")
            if phase.max_duration < phase.min_duration:
                raise DrillError(f"{where}: max_duration ({phase.max_duration:g} s) is below min_duration "
                                 f"({phase.min_duration:g} s).")
    elif kind == "rest" and phase.duration is None:
        raise DrillError(f"{where}: a rest needs a duration in seconds.")
    if kind != "step" and phase.by is not None:
        raise DrillError(f"{where}: only a step may have 'by'.")
    if kind == "step" and phase.by is not None and phase.target is not None:
        raise DrillError(f"{where}: a step has either target (N) or by (a fraction), not both.")
    return phase


def parse_drill(doc: Mapping[str, Any], name: str, source: str = "") -> Drill:
    """A :class:`Drill` from a parsed TOML document; ``name`` is the fallback (the file's stem)."""
    where = source or name
    known = {"name", "title", "description", "repeat", "defaults", "phase"}
    unknown = sorted(set(doc) - known)
    if unknown:
        raise DrillError(f"{where}: unknown key {unknown[0]!r}; a drill has {', '.join(sorted(known))}.")
    dname = doc.get("name", name)
    if not isinstance(dname, str) or not dname.strip() or any(c.isspace() for c in dname.strip()):
        raise DrillError(f"{where}: name must be one word (it is what `nmt-pressure drill NAME` takes).")
    repeat = int(check_number(doc.get("repeat", 1), "repeat", 1, MAX_REPEAT, lo_open=False, whole=True,
                              where=where, error=DrillError))
    defaults = doc.get("defaults", {})
    if not isinstance(defaults, dict):
        raise DrillError(f"{where}: [defaults] must be a table of phase settings.")
    if "kind" in defaults:
        raise DrillError(f"{where}: [defaults] cannot set kind; give each [[phase]] its kind.")
    raw_phases = doc.get("phase")
    if not isinstance(raw_phases, list) or not raw_phases:
        raise DrillError(f"{where}: a drill needs at least one [[phase]].")
    if len(raw_phases) * repeat > MAX_PHASES:
        raise DrillError(f"{where}: {len(raw_phases) * repeat} phases in all is too many (at most "
                         f"{MAX_PHASES}).")
    phases = []
    for i, rp in enumerate(raw_phases, start=1):
        if not isinstance(rp, dict):
            raise DrillError(f"{where}: phase {i} must be a [[phase]] table.")
        phases.append(_phase(rp, defaults, f"{where} phase {i}"))
    _check_sequence(phases, where)
    title = doc.get("title", dname)
    description = doc.get("description", "")
    if not isinstance(title, str) or not isinstance(description, str):
        raise DrillError(f"{where}: title and description must be text.")
    return Drill(name=dname.strip(), title=title.strip(), description=" ".join(description.split()),
                 phases=tuple(phases), repeat=repeat, source=source, raw=dict(doc))


def _check_sequence(phases: list[Phase], where: str) -> None:
    """Phases must make physical sense in order: a hold needs contact, a press needs none, and so on.
    A drill must end hands off, which also makes each repetition start as the first did."""
    contact = False
    for n, p in enumerate(phases, start=1):
        if p.kind == "press" and contact:
            raise DrillError(f"{where} phase {n}: a press needs the hand off the cell; put a release "
                             "before it (or make it a step).")
        if p.kind in ("hold", "step", "release") and not contact:
            raise DrillError(f"{where} phase {n}: a {p.kind} needs contact; put a press before it.")
        if p.kind == "rest" and contact:
            raise DrillError(f"{where} phase {n}: a rest needs the hand off the cell; put a release "
                             "before it.")
        contact = p.kind in ("press", "hold", "step")
    if contact:
        raise DrillError(f"{where}: the drill ends in contact; finish with a release.")


def load_drill(path: str | Path) -> Drill:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise DrillError(f"cannot read the drill {p} ({exc.strerror or exc}); check the path.") from None
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise DrillError(f"{p} is not UTF-8 text; save it as UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        raise DrillError(f"{p} is not valid TOML ({exc}); fix that line.") from None
    return parse_drill(doc, p.stem, str(p))


def _bundled() -> dict[str, Drill]:
    out: dict[str, Drill] = {}
    folder = resources.files("nmt_pressure.practice") / "bundled"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            doc = tomllib.loads(entry.read_text(encoding="utf-8"))
            d = parse_drill(doc, entry.name[:-5], f"bundled/{entry.name}")
            out[d.name] = d
    return out


def available_drills(user_dir: Path | None = None) -> tuple[dict[str, Drill], list[str]]:
    """Every drill by name (a user's own replace bundled ones of the same name), and the problems of
    user files that could not be loaded (each one sentence; they do not stop the others)."""
    drills = _bundled()
    problems: list[str] = []
    if user_dir is not None and user_dir.is_dir():
        for p in sorted(user_dir.glob("*.toml")):
            try:
                d = load_drill(p)
            except DrillError as exc:
                problems.append(str(exc))
                continue
            drills[d.name] = d
    return drills, problems


def find_drill(name: str, user_dir: Path | None = None) -> Drill:
    """A drill by name, or from a path to a TOML file."""
    if name.endswith(".toml") or "/" in name or "\\" in name:
        return load_drill(name)
    drills, _ = available_drills(user_dir)
    if name in drills:
        return drills[name]
    if user_dir is not None and (user_dir / f"{name}.toml").is_file():
        # The user's file of that name is there but broken: say what is wrong with it, not "no drill".
        load_drill(user_dir / f"{name}.toml")
    raise DrillError(f"there is no drill {name!r}; choose one of {', '.join(sorted(drills))} "
                     "(`nmt-pressure drill --list` describes them) or give the path of a .toml file.")


def with_target(phase: Phase, target: float | None) -> Phase:
    """The phase with its target filled in (from the level reached before, for a hold)."""
    return replace(phase, target=target)
