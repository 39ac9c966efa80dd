"""The audible alert: a short two-tone cue through QtMultimedia when it exists, else the system beep.

PySide6-Essentials has no QtMultimedia; the full PySide6 (or PySide6-Addons) does. Either way the
cue is one call per band exit (the core debounces exits, so there are no alert storms), with a mute.
"""

from __future__ import annotations

import struct
import tempfile
import wave
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QApplication

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
        try:
            from PySide6.QtMultimedia import QSoundEffect  # type: ignore[attr-defined,unused-ignore]
        except ImportError:
            return
        try:
            self._tmp = tempfile.TemporaryDirectory(prefix="nmt-dash-")
            path = Path(self._tmp.name) / "alert.wav"
            _write_cue(path)
            effect = QSoundEffect()
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effect.setVolume(0.8)
            self._effect = effect
            self.backend = "qsoundeffect"
        except Exception:  # no audio device: the beep is still there
            self._effect = None

    def play(self) -> None:
        if self.muted:
            return
        self.played += 1
        if self._effect is not None:
            self._effect.play()
        else:
            QApplication.beep()

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
