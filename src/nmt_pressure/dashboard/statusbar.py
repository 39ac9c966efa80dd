"""The status bar: the device and its outputs, the link's counters, one message line, and the frame rate.

For a replayed file it shows the file's facts instead (name, rate, length and where the replay is):
dropped frames, CRC errors and latency are a link's, and a file has none.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from nmt_pressure.dashboard.elide import ElidedLabel
from nmt_pressure.dashboard.navigation import clock
from nmt_pressure.dashboard.style import TEXT
from nmt_pressure.dashboard.viewmodel import LinkStatus, ViewModel

#: The message line's colour for an error.
ERROR_TEXT = "#ff8a80"


class StatusBar(QStatusBar):
    """Shows the view-model's :class:`LinkStatus` and the messages it is given; decides nothing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.device = QLabel("no device")
        self.link = QLabel("")
        self.fps = QLabel("")
        self.msg = ElidedLabel("")  # a long message is elided, whole in its tooltip, never cut
        self.message = ""
        self.addWidget(self.device)
        self.addWidget(self.link)
        self.addWidget(self.msg, 1)
        self.addPermanentWidget(self.fps)

    def show_message(self, text: str, error: bool = False) -> None:
        self.message = text
        self.msg.setText(text)
        self.msg.setStyleSheet(f"color: {ERROR_TEXT if error else TEXT};")

    def show_fps(self, fps: float) -> None:
        self.fps.setText(f"{fps:.0f} fps")

    def show_view(self, vm: ViewModel) -> None:
        st = vm.status
        if st is None:
            self.device.setText("no device")
            self.link.setText("")
            return
        if st.file is not None:
            self.device.setText(file_text(st))
            self.device.setToolTip(st.lsl_detail)
            self.link.setText(replay_text(st))
            return
        self.device.setText(device_text(st))
        self.device.setToolTip(st.lsl_detail)
        if st.dropped is not None:  # a source without counters leaves the line as it was
            lat = f"{st.latency_p99_ms:.1f} ms" if st.latency_p99_ms is not None else "–"
            now = f"session {clock(st.session_s)} · " if st.session_s is not None else ""
            self.link.setText(f"{now}dropped {st.dropped} · CRC errors {st.crc_errors} · reconnects "
                              f"{st.reconnects} · latency p99 {lat}")


def device_text(st: LinkStatus) -> str:
    """"name · format · rate", then the recording and LSL states when there are any."""
    rate = f"{st.rate:g} Hz" if st.rate else "rate ?"
    rec = ""
    if st.recording_stopped:
        rec = " · REC stopped"
    elif st.recording is not None:
        rec = f" · ● REC {st.recording}"
    lsl = {"stopped": " · LSL stopped", "on": " · LSL on", "waiting": " · LSL waiting for the device"}
    return f"{st.name} · {st.fmt} · {rate}{rec}{lsl.get(st.lsl, '')}"


def file_text(st: LinkStatus) -> str:
    """"file name · rate · length" (and LSL, which a replay may publish)."""
    rate = f"{st.rate:g} Hz" if st.rate else "rate ?"
    length = f"{clock(st.file_length_s)} long" if st.file_length_s is not None else ""
    lsl = {"stopped": " · LSL stopped", "on": " · LSL on", "waiting": " · LSL waiting"}
    return " · ".join(x for x in (f"file {st.file}", rate, length) if x) + lsl.get(st.lsl, "")


def replay_text(st: LinkStatus) -> str:
    """"replay 1:23 / 4:10" (session time of the file), then its speed, pause or end."""
    pos = clock(st.position_s or 0.0)
    length = clock(st.file_length_s or 0.0)
    if st.finished:
        return f"replay ended · {length} / {length}"
    speed = "max speed" if st.speed is None else f"{st.speed:g}×"
    return f"replay {pos} / {length} · {'paused' if st.paused else speed}"
