"""The detector's two implementations are cut into the same stages, and calls run down the stages only.

``core/golden/<stage>.py`` (the specification) and ``core/kernel/<stage>.pxi`` (what ``_core.pyx``
includes) must name the same stages in the same order, so a reader finds a function's twin by its file.
In the golden model mypy already rejects a call upwards (each stage's class only inherits the stages
below it); in the compiled core nothing would, since the included files make one module, so this test
reads the calls. These read the source tree, not the installed package.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "nmt_pressure"
GOLDEN = SRC / "core" / "golden"
KERNEL = SRC / "core" / "kernel"
PACKAGE = "nmt_pressure.core.golden."
CDEF = re.compile(r"^cdef (?:inline )?[\w*]+ (\w+)\(")

pytestmark = pytest.mark.skipif(not (SRC / "_core.pyx").exists(), reason="needs the source tree")


def included_stages(pyx: str) -> list[str]:
    """The stage files ``_core.pyx`` includes, in order."""
    return re.findall(r'^include "core/kernel/(\w+)\.pxi"$', pyx, flags=re.M)


def golden_stages() -> list[str]:
    """The golden stage modules, bottom up, by following each class to the one it extends."""
    bases: dict[str, str | None] = {}
    for p in GOLDEN.glob("*.py"):
        if p.stem in ("__init__", "constants"):
            continue
        tree = ast.parse(p.read_text(encoding="utf-8"))
        (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef)]
        stage_of = {a.asname or a.name: (node.module or "").rsplit(".", 1)[1] for node in tree.body
                    if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE)
                    for a in node.names}
        extends = [b.id for b in cls.bases if isinstance(b, ast.Name)]
        bases[p.stem] = stage_of[extends[0]] if extends else None
    (bottom,) = [m for m, b in bases.items() if b is None]
    order = [bottom]
    while len(order) < len(bases):
        (nxt,) = [m for m, b in bases.items() if b == order[-1]]
        order.append(nxt)
    return order


def kernel_calls(stages: list[str]) -> list[str]:
    """Every call from a compiled stage to a function defined in a later one: ``stage.f -> stage.g``."""
    where: dict[str, int] = {}
    bodies: list[tuple[int, str, str]] = []
    for i, stage in enumerate(stages):
        name = ""
        for line in (KERNEL / f"{stage}.pxi").read_text(encoding="utf-8").splitlines():
            m = CDEF.match(line)
            if m:
                name = m.group(1)
                where[name] = i
                bodies.append((i, name, ""))
            elif name:
                i0, n0, body = bodies[-1]
                bodies[-1] = (i0, n0, body + line.split("#", 1)[0] + "\n")
    bad = []
    for i, name, body in bodies:
        for callee in set(re.findall(r"\b(\w+)\(", body)):
            if where.get(callee, -1) > i:
                bad.append(f"{stages[i]}.{name} -> {stages[where[callee]]}.{callee}")
    return bad


def test_the_golden_model_and_the_compiled_core_have_the_same_stages_in_the_same_order() -> None:
    pyx = (SRC / "_core.pyx").read_text(encoding="utf-8")
    stages = included_stages(pyx)
    assert stages == golden_stages()
    assert sorted(p.stem for p in KERNEL.glob("*.pxi")) == sorted(stages)
    # The functions live in the stages; _core.pyx keeps only the constants, the struct and the boundary.
    assert not [line for line in pyx.splitlines() if CDEF.match(line)]


def test_no_compiled_stage_calls_a_later_one() -> None:
    stages = included_stages((SRC / "_core.pyx").read_text(encoding="utf-8"))
    assert kernel_calls(stages) == []


def test_the_call_check_finds_a_call_upwards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: the same stages with ``history`` calling ``moving`` are caught."""
    stages = included_stages((SRC / "_core.pyx").read_text(encoding="utf-8"))
    for stage in stages:
        text = (KERNEL / f"{stage}.pxi").read_text(encoding="utf-8")
        if stage == "history":
            text += "\n\ncdef void probe(Core* s) noexcept nogil:\n    moving(s, 0.0, 0.0, 0, 0.0, 0)\n"
        (tmp_path / f"{stage}.pxi").write_text(text, encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "KERNEL", tmp_path)
    assert kernel_calls(stages) == ["history.probe -> moving.moving"]
