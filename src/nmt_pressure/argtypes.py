"""argparse types for numbers in a range: one factory, so every number option says its range one way.

Shared by the ``nmt-pressure`` command and the simulator beside the package (``python -m firmware_sim``),
which is why this module imports nothing of the project: the simulator may import it without pulling
in the detector. A refused value gets one sentence that quotes what was typed and says what is
accepted, e.g. ``'3' is not a plot window; use a number of seconds from 5 to 60``.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any

__all__ = ["BAUD_MAX", "BAUD_MIN", "baud", "integral", "number_type", "range_text", "seconds", "seed"]

#: Baud rates a flag accepts: from the slowest teletype rates to the fastest USB-serial chips.
BAUD_MIN, BAUD_MAX = 50, 12_000_000


def _num(x: float) -> str:
    """A range limit as a person writes it: 1000000, not 1e+06."""
    return f"{x:.0f}" if float(x).is_integer() else f"{x:g}"


def range_text(lo: float, hi: float, lo_in: bool, hi_in: bool) -> str:
    """``from 5 to 60``, ``above 0 and at most 1000000``, ``above 0``, ``of 1 or more`` (or '')."""
    low = "" if lo == -math.inf else (f"from {_num(lo)}" if lo_in else f"above {_num(lo)}")
    if hi == math.inf:
        return f"of {_num(lo)} or more" if lo_in and lo != -math.inf else low
    if lo_in and hi_in:
        return f"from {_num(lo)} to {_num(hi)}"
    high = f"at most {_num(hi)}" if hi_in else f"below {_num(hi)}"
    return f"{low} and {high}" if low else high


def integral(text: str) -> int:
    """A whole number however it is written (``1000``, ``1000.0``, ``1e3``); ValueError if it is not."""
    value = float(text)
    if not value.is_integer():  # also refuses inf and nan
        raise ValueError(f"not a whole number: {text!r}")
    return int(value)


def number_type(noun: str, kind: str, lo: float = -math.inf, hi: float = math.inf, *, lo_in: bool = False,
                hi_in: bool = True, whole: bool = False, example: str = "",
                convert: Callable[[str], float] | None = None) -> Callable[[str], Any]:
    """An argparse type for a number in a range whose error quotes what was typed and says the range,
    e.g. ``'3' is not a plot window; use a number of seconds from 5 to 60``.

    ``noun`` is what the value should have been, ``kind`` how to write one; ``whole`` takes only
    integers as written (``12``, not ``12.0``); ``convert`` reads the text otherwise (e.g. ``int(t, 0)``
    for hexadecimal too), raising ValueError for what is not a number.
    """
    span = range_text(lo, hi, lo_in, hi_in)
    accepted = " ".join(x for x in (kind, span) if x) + (f", such as {example}" if example else "")
    read: Callable[[str], float] = convert or ((lambda t: int(t.strip())) if whole else float)

    def parse(text: str) -> Any:
        value: float
        try:
            value = read(text)
        except ValueError:
            value = math.nan
        inside = math.isfinite(value) and (value >= lo if lo_in else value > lo) and \
            (value <= hi if hi_in else value < hi)  # NaN fails every comparison
        if not inside:
            raise argparse.ArgumentTypeError(f"{text!r} is not {noun}; use {accepted}")
        return value

    parse.__name__ = noun  # what argparse would call the type in its own messages
    return parse


#: Number types that mean the same in every command.
seconds = number_type("a length of time", "a number of seconds", 0.0)
seed = number_type("a seed", "a whole number", whole=True, example="0")


def baud(text: str) -> int:
    """A serial port's baud rate; its message names the common rates before the range."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not BAUD_MIN <= value <= BAUD_MAX:
        raise argparse.ArgumentTypeError(f"{text!r} is not a baud rate; use a whole number such as 9600 or "
                                         f"115200 (from {BAUD_MIN} to {BAUD_MAX})")
    return value
