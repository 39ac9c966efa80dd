"""What is on a port: the device an nmtp ``ID`` reply names, and a short probe of a port for it.

The monitor says who connected from the reply it gets anyway (:func:`describe`); ``nmt-pressure ports
--probe`` opens each port, asks ``ID`` and says what answered (:func:`probe`). USB-serial chips are
named from their USB ids (:func:`usb_hint`), without opening anything.
"""

from __future__ import annotations

import contextlib
import time

from nmt_pressure.link.transport import LinkError, open_link
from nmt_pressure.protocol import Reading, Response, SampleBlock, encode_command, make_decoder, parse_kv

__all__ = ["PROBE_S", "describe", "probe", "uncalibrated_hint", "usb_hint"]

#: How long a probe waits for an answer: an Uno or Nano restarts when its port opens (its bootloader
#: waits about 1.5 s) and the firmware tares before it speaks (1 s at 10 SPS).
PROBE_S = 4.0
#: ID is asked again this often while no answer has come (the first may reach a booting board).
ASK_EVERY_S = 0.5

#: USB vendor:product ids of the boards and USB-serial chips an HX711 build is usually plugged in with.
_USB = {
    "2341:0043": "Arduino Uno (ATmega16U2)", "2341:0001": "Arduino Uno", "2a03:0043": "Arduino Uno",
    "2341:0010": "Arduino Mega 2560", "1a86:7523": "CH340 USB-serial (Nano clones)",
    "0403:6001": "FTDI FT232R USB-serial (Nano)", "10c4:ea60": "CP210x USB-serial",
}


def describe(fields: dict[str, str]) -> str:
    """A sentence about the device an ``ID`` reply's fields name."""
    name = fields.get("name", "device")
    fw = f" fw {fields['fw']}" if "fw" in fields else ""
    serial = f" serial={fields['serial']}" if "serial" in fields else ""
    rate = f", {fields['rate']} samples/s" if "rate" in fields else ""
    if name == "nmt-avr":
        cal = ("calibrated" if fields.get("cal") == "eeprom" else
               "NOT calibrated yet (put a known mass on it and send CAL, see docs/HARDWARE.md)")
        return f"nmt-avr{fw}{serial}: the project's open firmware, ATmega328P + HX711{rate}, {cal}"
    if name == "nmt-sim":
        return f"nmt-sim{fw}{serial}: the simulated device (python -m firmware_sim){rate}"
    return f"{name}{fw}{serial}: an nmtp device{rate}"


def uncalibrated_hint(fields: dict[str, str]) -> str | None:
    """The sentence to say when a board reports that its scale is only the default guess."""
    if fields.get("cal") != "default":
        return None
    who = f"{fields.get('name', 'the device')} {fields.get('serial', '')}".strip()
    return (f"{who} is not calibrated: its forces use a default scale; put a known mass on the cell and "
            "send CAL <newtons> (docs/HARDWARE.md).")


def usb_hint(hwid: str) -> str:
    """The board or chip a port's USB ids say, or ''."""
    low = hwid.lower()
    for ids, what in _USB.items():
        if ids in low:
            return what
    return ""


def probe(port: str, baud: int = 115200, wait_s: float = PROBE_S) -> str:
    """Open ``port``, ask ``ID`` and say in one line what answered (never raises for a bad port)."""
    try:
        ser = open_link(port, baud, timeout=0.05)
    except LinkError as exc:
        return str(exc)
    decoder = make_decoder("auto")
    readings = 0
    first_line = ""
    try:
        deadline = time.monotonic() + wait_s
        asked = 0.0
        while time.monotonic() < deadline:
            now = time.monotonic()
            if now - asked >= ASK_EVERY_S and getattr(decoder, "decided", None) != "ascii":
                with contextlib.suppress(Exception):
                    ser.write(encode_command("ID"))
                asked = now
            try:
                data = ser.read(ser.in_waiting or 1)
            except Exception as exc:  # the device went away while we asked
                return f"lost while asking ({exc})"
            for fr in decoder.feed(data):
                if isinstance(fr, Response):
                    kind, kv = parse_kv(fr.text)
                    if kind == "id":
                        return describe(kv)
                elif isinstance(fr, Reading):
                    readings += 1
                    first_line = first_line or f"{fr.value:g}{(' ' + fr.unit) if fr.unit else ''}"
                    if readings >= 3:
                        return (f"a device sending ASCII readings (e.g. {first_line}); use --format ascii "
                                "or auto")
                elif isinstance(fr, SampleBlock) and time.monotonic() > deadline - 0.5:
                    return "an nmtp device streaming samples that does not answer ID (check its RX line)"
    finally:
        with contextlib.suppress(Exception):
            ser.close()
    return f"nothing answered ID within {wait_s:g} s (not an nmtp device, or not switched on)"
