"""The dashboard (``nmt-pressure dash``): pyqtgraph on PySide6, a listener like the recorder.

The only package of nmt_pressure that imports Qt. ``model`` holds the ring buffer and the Qt bridge
the reader thread feeds; ``widgets`` the readouts, hold timer and hold table; ``window`` the main
window; ``sound`` the alert cue; ``app`` the command's entry point.
"""

from __future__ import annotations

from nmt_pressure.dashboard._pyside_fix import guard_singletons

#: True when this PySide6 was found dropping references to None/True/False and the guard is on.
SINGLETON_GUARD = guard_singletons()
