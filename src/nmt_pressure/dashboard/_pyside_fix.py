"""A guard against a reference-counting bug of some PySide6 builds on CPython 3.10 and 3.11.

PySide6(-Essentials) 6.12.0 returns ``None`` from every void method (``QLabel.setText``,
``QPainter.setPen``, …) and ``True``/``False`` from some others without taking a new reference. On
CPython 3.12+ these objects are immortal and nothing happens; on 3.11 every call takes one reference
away, and a pyqtgraph plot redrawn at 60 Hz (about 8 000 such calls a second) brings ``None``'s count
to zero within seconds: the interpreter aborts with "Fatal Python error: none_dealloc".

The guard measures the bug (64 calls of a void method) and, only if it is there, does what CPython
3.12 does: it gives ``None``, ``True`` and ``False`` a reference count so large (2**60) that no run
can use it up. These objects are never freed in a healthy process anyway, so nothing else changes.
"""

from __future__ import annotations

import ctypes
import sys

_HUGE = 1 << 60
_PROBES = 64


def guard_singletons() -> bool:
    """Detect the bug and make the singletons effectively immortal; True if the guard was needed."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False
    try:
        from PySide6.QtCore import QObject
    except ImportError:  # no Qt: the dashboard says so when it starts
        return False

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(_PROBES):
        probe.setObjectName("probe")
    lost = before - sys.getrefcount(None)
    del probe
    if lost < _PROBES // 2:
        return False
    for obj in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(obj))
        if count.value < _HUGE:
            count.value += _HUGE
    return True
