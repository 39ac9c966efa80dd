"""The one number check behind every setting a user writes: detector settings (:mod:`.config`) and
drill files (:mod:`nmt_pressure.practice.spec`).

It lives in ``core``, the bottom stage, so that every stage above can use it. Each caller keeps its own
error class (``ConfigError``, ``DrillError``: what the user is told to fix differs), but a bad number
reads the same everywhere, in one sentence naming the setting, the accepted range and what was given::

    min_hold must be a positive number, got -1.
    tolerance must lie between 0 and 1, got 1.5.
    alert_debounce must lie from 0 up to 10 s, got 10.5.
    my.toml phase 2: target must lie above 0 up to 1000, got -3.
    my.toml: repeat must be a whole number from 1 up to 100, got 0.
"""

from __future__ import annotations

import math

__all__ = ["check_number", "is_number", "range_text"]


def is_number(value: object) -> bool:
    """A real number, not a bool (``True`` would silently be 1)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _show(x: float) -> str:
    # Whole bounds in full (a limit of 1000000 N, not 1e+06), the rest as short as %g makes them.
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


def range_text(lo: float | None = None, hi: float | None = None, *, lo_open: bool = True,
               hi_open: bool = False, whole: bool = False, unit: str = "") -> str:
    """What a setting must be, as the words after "must": ``lie above 0 up to 600 s``.

    ``None`` leaves a side unbounded; ``unit`` (a symbol such as ``s`` or ``N``) follows the last bound.
    """
    u = f" {unit}" if unit else ""
    if lo is None and hi is None:
        return f"be a finite {'whole number' if whole else 'number'}"
    if hi is None and lo == 0 and lo_open:
        return f"be a positive {'whole number' if whole else 'number'}"
    if lo is not None and hi is not None:
        a, b = _show(lo), _show(hi)
        if lo_open:
            span = f"between {a} and {b}" if hi_open else f"above {a} up to {b}"
        else:
            span = f"from {a} up to {'but not including ' if hi_open else ''}{b}"
    elif lo is not None:
        span = f"{'above' if lo_open else 'at least'} {_show(lo)}"
    else:
        assert hi is not None
        span = f"{'below' if hi_open else 'at most'} {_show(hi)}"
    if whole:
        return f"be a whole number {span}{u}"
    # "lie" reads well before a range, "be" before a single limit ("be at most 300 s").
    return f"{'lie' if lo is not None and hi is not None else 'be'} {span}{u}"


def check_number(value: object, name: str, lo: float | None = None, hi: float | None = None, *,
                 lo_open: bool = True, hi_open: bool = False, whole: bool = False, unit: str = "",
                 where: str = "", error: type[Exception] = ValueError) -> float:
    """``value`` as a float if it is a finite real number (a whole one if ``whole``) within the bounds,
    else raise ``error`` with one sentence naming ``name``, the range and what was given.

    Bounds: ``lo`` excluded unless ``lo_open=False``, ``hi`` included unless ``hi_open=True`` (so the
    defaults read "above lo, up to hi"); ``None`` leaves that side open. ``where`` (a file, a phase)
    starts the sentence. NaN and infinities are numbers out of every range; bools are not numbers.
    """
    lead = f"{where}: " if where else ""
    if not is_number(value) or (whole and not isinstance(value, int)):
        raise error(f"{lead}{name} must be a {'whole number' if whole else 'number'}, got {value!r}.")
    assert isinstance(value, (int, float))  # for mypy: is_number said so
    try:
        v = float(value)
    except OverflowError:  # an int beyond any float: out of every range, not a crash
        v = math.inf
    inside = math.isfinite(v) \
        and (lo is None or (v > lo if lo_open else v >= lo)) \
        and (hi is None or (v < hi if hi_open else v <= hi))
    if not inside:
        expect = range_text(lo, hi, lo_open=lo_open, hi_open=hi_open, whole=whole, unit=unit)
        raise error(f"{lead}{name} must {expect}, got {value!r}.")
    return v
