"""The audible alert: a short two-tone cue, through the best way this machine has to play it.

QtMultimedia when it exists (the full PySide6 or PySide6-Addons; PySide6-Essentials has none), else the
platform's own player for a WAV file (``winsound`` on Windows, ``afplay`` on macOS, ``pw-play``,
``paplay`` or ``aplay`` on Linux, started without waiting for it), else the system beep. Either way the
cue is one call per band exit (the core debounces exits, so there are no alert storms), with a mute.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import tempfile
import wave
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QApplication

#: Command-line players tried in order when QtMultimedia is missing (the WAV path is appended).
PLAYERS = (("afplay",), ("pw-play",), ("paplay",), ("aplay", "-q"))
#: The cue: two tones (Hz) of this many seconds each.
TONES = (880.0, 660.0)
TONE_S = 0.12
RATE = 22050


def _write_cue(path: Path) -> None:
    parts = []
    for f in TONES:
        t = np.arange(int(TONE_S * RATE)) / RATE
        env = np.minimum(1.0, np.minimum(t, TONE_S - t) / 0.01)  # 10 ms ramps: no clicks
        parts.append(0.6 * env * np.sin(2 * np.pi * f * t))
    pcm = (np.concatenate(parts) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(struct.pack(f"<{pcm.size}h", *pcm.tolist()))


class AlertSound:
    """``play()`` sounds the cue unless ``muted``; ``backend`` says how (``qsoundeffect`` or ``beep``)."""

    def __init__(self, muted: bool = False) -> None:
        self.muted = muted
        self.played = 0  # cues sounded (not counting muted ones)
        self._effect: Any = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.backend = "beep"
        self._player: list[str] | None = None
        self._path: Path | None = None
        try:
            from PySide6.QtMultimedia import QSoundEffect  # type: ignore[attr-defined,unused-ignore]
        except ImportError:
            self._use_player()
            return
        try:
            path = self._cue_file()
            effect = QSoundEffect()
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effect.setVolume(0.8)
            self._effect = effect
            self.backend = "qsoundeffect"
        except Exception:  # no audio device: the beep is still there
            self._effect = None

    def _cue_file(self) -> Path:
        if self._path is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="nmt-dash-")
            self._path = Path(self._tmp.name) / "alert.wav"
            _write_cue(self._path)
        return self._path

    def _use_player(self) -> None:
        if sys.platform == "win32":
            self._cue_file()
            self.backend = "winsound"
            return
        for cmd in PLAYERS:
            exe = shutil.which(cmd[0])
            if exe:
                self._player = [exe, *cmd[1:], str(self._cue_file())]
                self.backend = cmd[0]
                return

    def play(self) -> None:
        if self.muted:
            return
        self.played += 1
        if self._effect is not None:
            self._effect.play()
        elif self._player is not None:
            try:  # never wait: the GUI thread plays the cue and moves on
                subprocess.Popen(self._player, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            except OSError:
                QApplication.beep()
        elif self.backend == "winsound" and self._path is not None:
            import winsound  # type: ignore[import-not-found,unused-ignore]

            flags = winsound.SND_FILENAME | winsound.SND_ASYNC  # type: ignore[attr-defined,unused-ignore]
            winsound.PlaySound(str(self._path), flags)  # type: ignore[attr-defined,unused-ignore]
        else:
            QApplication.beep()

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
