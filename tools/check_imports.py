#!/usr/bin/env python3
"""The package's module import graph, checked: no circle, no upward import.

Reads every module of ``src/nmt_pressure`` (and ``firmware_sim``) as text, with the standard library's
``ast``: every import counts, at module level or inside a function (a lazy import is still a
dependency), and so do imports under ``if TYPE_CHECKING:`` (a type is a dependency too). Each module
belongs to a stage (its folder); stages are stacked, and a module may import only from its own folder
or from a stage below it (docs/ARCHITECTURE.md):

    top        __init__, __main__, demo                    (the package's faces and entry points)
    cli        cli/                                        (the command line: starts the dashboard too)
    dashboard  dashboard/     buildinfo                    (the window; what is installed, for --version)
    practice   practice/                                   (drills, history, the user's data folder)
    analysis   analysis/                                   (statistics, replay, reports, frames)
    outputs    outputs/                                    (recorder, LSL, terminal view, monitor loop)
    link       link/                                       (ports, reader, calibration, listeners)
    io         io/            protocol   protocol/         (files; the wire formats)
    core       core/, _core                                (the kernel and its golden model)
    base       _version, extras, logs, argtypes            (import nothing of the project)

``firmware_sim`` (the simulated device, beside the package) may import the wire format and the base
helpers only; of the package only ``cli`` may import it (``nmt-pressure sim`` is its front door).

Usage: python tools/check_imports.py [--graph] [--root DIR]    exit status 1 on a circle or an upward import
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Stage of each folder (or root module), bottom up. Equal numbers are side by side: they may not
#: import each other.
STAGES: dict[str, int] = {
    "_version": 0, "extras": 0, "logs": 0, "argtypes": 0,
    "core": 1, "_core": 1,
    "protocol": 2, "io": 2,
    "link": 3,
    "outputs": 4,
    "analysis": 5,
    "practice": 6,
    "dashboard": 7, "buildinfo": 7,
    "cli": 8,
    "__init__": 9, "__main__": 9, "demo": 9,
}
#: Root modules that belong to a folder's stage (the compiled kernel sits beside the package's face,
#: where its build fixes it, but is the core).
SAME_AS = {"_core": "core"}
#: What firmware_sim may import of the package.
SIM_MAY_IMPORT = ("protocol", "argtypes", "_version")


def module_name(path: Path, top: Path, prefix: str) -> str:
    parts = list(path.relative_to(top).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([prefix, *parts])


def modules(root: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for top, prefix in ((root / "src" / "nmt_pressure", "nmt_pressure"),
                        (root / "firmware_sim", "firmware_sim")):
        for p in sorted(top.rglob("*.py")):
            found[module_name(p, top, prefix)] = p
        for p in sorted(top.rglob("*.pyx")):
            found[module_name(p, top, prefix)] = p
    return found


def _pyx_imports(text: str) -> Iterator[tuple[str, list[str], int]]:
    """The Python imports of a Cython file (its ``cimport`` lines name C, not modules)."""
    for i, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if s.startswith("from ") and " cimport " not in s and " import " in s:
            mod, names = s[5:].split(" import ", 1)
            yield mod.strip(), [n.split(" as ")[0].strip() for n in names.split(",")], i
        elif s.startswith("import ") and not s.startswith("import cython"):
            for n in s[7:].split(","):
                yield n.split(" as ")[0].strip(), [], i


def imports(name: str, path: Path, known: dict[str, Path]) -> list[tuple[str, int]]:
    """(module imported, line) for every import of ``name`` that names a project module."""
    text = path.read_text(encoding="utf-8")
    raw: list[tuple[str, list[str], int]] = []
    if path.suffix == ".pyx":
        raw = list(_pyx_imports(text))
    else:
        is_pkg = path.name == "__init__.py"
        for node in ast.walk(ast.parse(text, str(path))):
            if isinstance(node, ast.ImportFrom):
                mod = node.module or ""
                if node.level:  # relative: from the module's package upwards
                    base = name.split(".") if is_pkg else name.split(".")[:-1]
                    base = base[:len(base) - (node.level - 1)]
                    mod = ".".join(base + ([mod] if mod else []))
                raw.append((mod, [a.name for a in node.names], node.lineno))
            elif isinstance(node, ast.Import):
                raw.extend((a.name, [], node.lineno) for a in node.names)
    out: list[tuple[str, int]] = []
    for mod, names, line in raw:
        if not mod.startswith(("nmt_pressure", "firmware_sim")):
            continue
        subs = [f"{mod}.{n}" for n in names if f"{mod}.{n}" in known]
        if subs:  # `from pkg import module`: the module is the dependency
            out.extend((s, line) for s in subs)
            if len(subs) == len(names):
                continue
        # the longest known module the dotted name lies in
        while mod and mod not in known:
            mod = mod.rpartition(".")[0]
        if mod:
            out.append((mod, line))
    return [(m, ln) for m, ln in out if m != name]


def stage_of(module: str) -> tuple[str, int]:
    """The stage's key and rank of a package module."""
    parts = module.split(".")
    key = parts[1] if len(parts) > 1 else "__init__"
    key = SAME_AS.get(key, key)
    if key not in STAGES:
        raise SystemExit(f"check_imports: {module} is in no stage; add its folder to STAGES in {__file__}")
    return key, STAGES[key]


def check(graph: dict[str, list[tuple[str, int]]], paths: dict[str, Path], root: Path) -> list[str]:
    problems: list[str] = []
    for mod, deps in graph.items():
        for dep, line in deps:
            where = f"{paths[mod].relative_to(root)}:{line}"
            if mod.startswith("firmware_sim"):
                if dep.startswith("nmt_pressure") and dep.split(".")[1:2] and \
                        dep.split(".")[1] not in SIM_MAY_IMPORT:
                    problems.append(f"{where}: firmware_sim imports {dep}; it may import only "
                                    f"{', '.join(SIM_MAY_IMPORT)} of the package")
                continue
            if dep.startswith("firmware_sim"):
                if stage_of(mod)[0] != "cli":
                    problems.append(f"{where}: {mod} imports {dep}; only cli may use the simulator's code")
                continue
            (k1, r1), (k2, r2) = stage_of(mod), stage_of(dep)
            if k1 == k2 and k1 not in ("__init__",):
                continue
            if dep == "nmt_pressure":
                problems.append(f"{where}: {mod} imports the package's face (nmt_pressure/__init__): "
                                f"import the module that defines the name")
            elif r2 >= r1:
                problems.append(f"{where}: {mod} ({k1}) imports {dep} ({k2}): "
                                f"{'sideways' if r2 == r1 else 'upwards'}")
    problems += [f"circle: {' -> '.join(c)}" for c in cycles(graph)]
    return problems


def cycles(graph: dict[str, list[tuple[str, int]]]) -> list[list[str]]:
    """Every strongly connected group of two or more modules, as one circle through it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(10_000)

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w, _ in graph.get(v, []):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append([*sorted(group), sorted(group)[0]])

    for v in graph:
        if v not in index:
            visit(v)
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--graph", action="store_true", help="print every module and what it imports")
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout to read [this one]")
    a = ap.parse_args(argv)
    paths = modules(a.root)
    graph = {m: sorted(set(imports(m, p, paths))) for m, p in paths.items()}
    if a.graph:
        for m in sorted(graph, key=lambda m: (-stage_of(m)[1] if m.startswith("nmt_pressure") else 99, m)):
            deps = sorted({d for d, _ in graph[m]})
            stage = stage_of(m)[0] if m.startswith("nmt_pressure") else "firmware_sim"
            print(f"{stage:>10}  {m}" + (f" -> {', '.join(deps)}" if deps else ""))
    problems = check(graph, paths, a.root)
    edges = sum(len(v) for v in graph.values())
    for p in problems:
        print(p)
    print(f"check_imports: {len(graph)} modules, {edges} imports: "
          + ("no circle, no upward import" if not problems else f"{len(problems)} problem(s)"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
