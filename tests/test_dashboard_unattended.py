"""Unattended dashboard runs leave the user's remembered window state alone.

A remembered small geometry is written by a real window (offscreen) into a settings store in tmp_path;
then the real command runs unattended (``--screenshot``, offscreen) with HOME and XDG_CONFIG_HOME in
tmp_path, so the "user's" store is the temporary one and the real user's is never touched. The
screenshot's size tells whether the remembered geometry was read; the store's bytes whether anything
was written.
"""

from __future__ import annotations

import argparse
import os
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import pytest
from PySide6.QtCore import QSettings

from nmt_pressure.dashboard.app import unattended
from nmt_pressure.dashboard.window import DEFAULT_SIZE, DashboardWindow

PY = sys.executable
EXAMPLE = Path(__file__).resolve().parents[1] / "src" / "nmt_pressure" / "data" / "example_session.csv"
SMALL = (700, 640)  # what a window shrunk onto Qt's 800x800 offscreen screen comes back as


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder``: its bytes and modification time."""
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def user_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose home and config folders are in tmp_path (no explicit settings file)."""
    env = {k: v for k, v in os.environ.items() if k != "NMT_PRESSURE_SETTINGS"}
    env.update(HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               QT_QPA_PLATFORM="offscreen")
    (tmp_path / "home").mkdir()
    return env


def remember_small_window(qtbot: Any, path: Path) -> None:
    """What an earlier run leaves behind: a small window, in kg, muted."""
    path.parent.mkdir(parents=True, exist_ok=True)
    win = DashboardWindow(settings=QSettings(str(path), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    win.resize(*SMALL)
    win.set_unit("kg")
    win.set_muted(True)
    qtbot.waitUntil(lambda: (win.width(), win.height()) == SMALL)
    win.close()
    stored = QSettings(str(path), QSettings.Format.IniFormat)
    assert stored.value("geometry") is not None and stored.value("unit") == "kg"


@pytest.mark.parametrize("store", ["user", "NMT_PRESSURE_SETTINGS"])
def test_a_screenshot_run_neither_reads_nor_writes_the_remembered_state(
        qtbot: Any, tmp_path: Path, user_env: dict[str, str], store: str) -> None:
    if store == "user":
        # where QSettings("nmt_pressure", "dashboard") lives on Linux: $XDG_CONFIG_HOME/ORG/APP.conf
        path = tmp_path / "config" / "nmt_pressure" / "dashboard.conf"
    else:
        path = tmp_path / "config" / "dash.ini"
        user_env["NMT_PRESSURE_SETTINGS"] = str(path)
    remember_small_window(qtbot, path)
    before = snapshot(tmp_path / "config"), snapshot(tmp_path / "home")

    png = tmp_path / "shot.png"
    p = subprocess.run([PY, "-m", "nmt_pressure", "dash", "--replay", str(EXAMPLE), "--speed", "max",
                        "--duration", "1.5", "--screenshot", str(png)],
                       capture_output=True, text=True, timeout=120, check=False, env=user_env)
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    assert png_size(png) == DEFAULT_SIZE  # the remembered 700x640 was not restored
    assert (snapshot(tmp_path / "config"), snapshot(tmp_path / "home")) == before  # nothing written


@pytest.mark.parametrize(("screenshot", "qpa", "expected"), [
    ("shot.png", "xcb", True),          # a screenshot is taken unattended, whatever the screen
    (None, "offscreen", True),          # nobody can see or touch an offscreen window
    (None, "minimal", True),
    (None, "offscreen:fontengine=freetype", True),
    (None, "xcb", False),               # a person at the window: their settings are theirs
    (None, "", False),
    (None, "vnc", False),               # a VNC viewer shows it to someone
])
def test_what_counts_as_unattended(screenshot: str | None, qpa: str, expected: bool) -> None:
    args = argparse.Namespace(screenshot=screenshot, duration=2.0 if screenshot else None)
    assert unattended(args, {"QT_QPA_PLATFORM": qpa, "DISPLAY": ":0"}) is expected
