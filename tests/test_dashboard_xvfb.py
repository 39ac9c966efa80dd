"""The dashboard in a real window: an X server (Xvfb), Qt's xcb platform, the real simulator child.

Offscreen Qt tests the widgets; here the window is drawn by X as on a desk, so what the screenshot
shows is what a therapist sees. Skips, saying why, where Xvfb is not installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("no Xvfb on this machine (apt-get install xvfb; .ci/run does): real-screen test skipped")
    read, write = os.pipe()
    # -displayfd: the server picks a free display and writes its number once it accepts connections.
    proc = subprocess.Popen([xvfb, "-displayfd", str(write), "-screen", "0", "1600x1000x24", "-nolisten",
                             "tcp"], pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    os.close(write)
    try:
        with os.fdopen(read) as f:
            number = f.readline().strip()
        if not number.isdigit():
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            pytest.skip(f"Xvfb did not start: {err.strip()[-300:]}")
        yield f":{number}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_dash_on_a_real_screen_draws_the_live_force(display: str, tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "NMT_PRESSURE_HOME": str(tmp_path / "data")}
    env.pop("WAYLAND_DISPLAY", None)
    shot, summary = tmp_path / "dash.png", tmp_path / "dash.json"
    p = subprocess.run([sys.executable, "-m", "nmt_pressure", "dash", "--sim", "--duration", "5",
                        "--screenshot", str(shot), "--summary-json", str(summary)],
                       env=env, capture_output=True, text=True, timeout=180, check=False)
    assert p.returncode == 0, p.stderr
    s = json.loads(summary.read_text())
    assert s["samples"] > 0 and s["dropped"] == 0 and s["frames"] > 0 and s["fps"] > 0
    img = QImage(str(shot))
    assert (img.width(), img.height()) == (1440, 900)  # the default size: unattended runs restore none
    # The plot's dark background fills its middle, and the force trace (yellow) is drawn on it: at
    # least its resting line, whenever in the session the screenshot came (the plot spans x 50-1010).
    bg = img.pixelColor(300, 300)
    assert bg.lightness() < 40, bg.name()
    yellow = 0
    for x in range(60, 1010, 2):
        for y in range(70, 650):
            c = img.pixelColor(x, y)
            if c.red() > 180 and c.green() > 150 and c.blue() < 120:
                yellow += 1
    assert yellow > 20, "no force trace drawn"
