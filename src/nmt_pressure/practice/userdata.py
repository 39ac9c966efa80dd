"""The user's data folder (the practice history database, the user's own drills) and who is practising.

``NMT_PRESSURE_HOME`` names it outright (tests, a clinic's shared folder); otherwise it follows each
platform's convention: ``$XDG_DATA_HOME/nmt_pressure`` (default ``~/.local/share/nmt_pressure``) on
Linux, ``~/Library/Application Support/nmt_pressure`` on macOS, ``%APPDATA%\\nmt_pressure`` on Windows.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["DEFAULT_PRACTITIONER_ENV", "data_dir", "default_practitioner", "drills_dir", "history_path"]

APP = "nmt_pressure"
#: Names the practitioner when a command or the drill panel is given none.
DEFAULT_PRACTITIONER_ENV = "NMT_PRESSURE_PRACTITIONER"


def data_dir() -> Path:
    home = os.environ.get("NMT_PRESSURE_HOME")
    if home:
        return Path(home).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(base) / APP
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / APP


def drills_dir() -> Path:
    """Where a user's own drills (``*.toml``) are looked for."""
    return data_dir() / "drills"


def history_path() -> Path:
    """The practice history database."""
    return data_dir() / "history.sqlite3"


def default_practitioner() -> str:
    """Who practises when nobody says: ``$NMT_PRESSURE_PRACTITIONER``, else the login name."""
    return os.environ.get(DEFAULT_PRACTITIONER_ENV) or os.environ.get("USER") or \
        os.environ.get("USERNAME") or "me"
