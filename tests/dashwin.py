"""The dashboard window the offscreen dashboard tests share: its settings in the test's own folder,
shown, and closed at the test's end whatever happened. (Imported after each test module has set
QT_QPA_PLATFORM, so Qt starts offscreen.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from nmt_pressure.dashboard.window import DashboardWindow


def dash_settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "dash.ini"), QSettings.Format.IniFormat)


def shown_window(qtbot: Any, settings: QSettings, *, muted: bool = False,
                 exposed: bool = False) -> Iterator[DashboardWindow]:
    """For a fixture's ``yield from``: the window (muted: no alert sound; exposed: waited until drawn)."""
    win = DashboardWindow(settings=settings)
    qtbot.addWidget(win)
    if muted:
        win.set_muted(True)
    win.show()
    if exposed:
        qtbot.waitExposed(win)
    yield win
    win.close()
