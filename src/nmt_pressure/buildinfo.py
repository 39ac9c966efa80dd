"""Which code this installation runs: the compiled core or the pure-Python golden model.

A build without a C compiler still installs (with the golden model, about 100x slower) and pip shows
the build's warning only with ``-v``; so the installed package says it itself: ``nmt-pressure
--version``, the tools' headers (``tools/*.py``) and ``analyze --json``'s ``meta.core``.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from nmt_pressure._version import __version__
from nmt_pressure.core import detector as core
from nmt_pressure.io import csvtable

__all__ = ["describe", "implementation", "summary"]

PUREPYTHON_ENV = "NMT_PRESSURE_PUREPYTHON"


def _missing_reason(module: str) -> str | None:
    """Why ``module`` (a compiled part) does not import, or None if it does."""
    try:
        importlib.import_module(module)
    except ImportError as exc:
        return " ".join(str(exc).split()) or type(exc).__name__
    return None


def implementation() -> dict[str, str]:
    """``core``: ``cython`` or ``python``; ``csv``: ``cython`` or ``numpy``; ``where``: the package's folder;
    ``why``: why the golden model runs (empty when the compiled core does)."""
    why = ""
    if core.IMPLEMENTATION != "cython":
        if os.environ.get(PUREPYTHON_ENV, "") not in ("", "0"):
            why = f"{PUREPYTHON_ENV} is set"
        else:
            reason = _missing_reason("nmt_pressure._core")
            why = f"the compiled core is not built: {reason}" if reason else "the compiled core is not in use"
    return {"core": core.IMPLEMENTATION, "csv": "cython" if csvtable.SCANNER is not None else "numpy",
            "where": str(Path(__file__).resolve().parent), "why": why}


def summary() -> str:
    """The code that runs, in a few words: core, CSV reader and the package's folder."""
    impl = implementation()
    if impl["core"] == "cython":
        what = "compiled core"
    else:
        fix = "" if impl["why"].startswith(PUREPYTHON_ENV) else "; reinstall with a C compiler present"
        what = f"pure-Python golden model, about 100x slower ({impl['why']}{fix})"
    reader = "compiled CSV scanner" if impl["csv"] == "cython" else "numpy CSV reader"
    return f"{what}, {reader}, in {impl['where']}"


def describe() -> str:
    """One line for a benchmark's or a report's header: version and :func:`summary`."""
    return f"nmt_pressure {__version__}: {summary()}"
