"""The status bar: the device and its outputs, the link's counters, one message line, and the frame rate."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from nmt_pressure.dashboard.elide import ElidedLabel
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
        self.device.setText(device_text(st))
        self.device.setToolTip(st.lsl_detail)
        if st.dropped is not None:  # a source without counters leaves the line as it was
            lat = f"{st.latency_p99_ms:.1f} ms" if st.latency_p99_ms is not None else "–"
            self.link.setText(f"dropped {st.dropped} · CRC errors {st.crc_errors} · reconnects "
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
