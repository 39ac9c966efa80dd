"""Opening the link to a device: a serial port path or any pyserial URL, with errors a user can act on.

``socket://host:port``, ``rfc2217://…``, ``loop://`` and COM ports all go through
``serial.serial_for_url``. Every failure becomes a :class:`LinkError` whose message is one sentence that
names the fix (busy port, permission, wrong kind of file, nothing listening); the reader decides
whether to retry.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from typing import Any

import serial

#: Baud rates worth suggesting when a line looks garbled.
COMMON_BAUDS = (9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600)


class LinkError(OSError):
    """The device link could not be opened or was lost; ``retry`` says whether retrying may help."""

    def __init__(self, message: str, *, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


def is_url(port: str) -> bool:
    return re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", port) is not None


def open_link(port: str, baud: int = 115200, *, timeout: float = 0.05) -> Any:
    """Open ``port`` and return the pyserial object (reads time out after ``timeout`` seconds)."""
    if not is_url(port):
        _check_path(port)
    kwargs: dict[str, Any] = {"baudrate": baud, "timeout": timeout, "write_timeout": 1.0}
    if not is_url(port) and os.name == "posix":
        kwargs["exclusive"] = True  # a second reader on one port garbles both: refuse it instead
    try:
        return serial.serial_for_url(port, **kwargs)
    except ValueError as exc:  # unknown URL scheme, bad parameter
        raise LinkError(f"cannot use port {port!r} ({exc}); give a device path such as /dev/ttyUSB0 "
                        "or a pyserial URL such as socket://127.0.0.1:5555.", retry=False) from None
    except (serial.SerialException, OSError) as exc:
        raise _explain(port, exc) from None


def _check_path(port: str) -> None:
    try:
        st = os.stat(port)
    except FileNotFoundError:
        raise LinkError(f"no device at {port}: check the cable and the name (`nmt-pressure ports` "
                        "lists serial ports).") from None
    except PermissionError:
        raise LinkError(f"no permission to open {port}: add yourself to the port's group "
                        "(e.g. `sudo usermod -aG dialout $USER`, then log in again).",
                        retry=False) from None
    if not stat.S_ISCHR(st.st_mode):
        raise LinkError(f"{port} is not a serial device (it is a regular file or folder); give the "
                        "device path, e.g. /dev/ttyUSB0 (`nmt-pressure ports` lists them). To analyse "
                        "a recording use `nmt-pressure analyze`.", retry=False)
    if not os.access(port, os.R_OK | os.W_OK):
        raise LinkError(f"no permission to open {port}: add yourself to the port's group "
                        "(e.g. `sudo usermod -aG dialout $USER`, then log in again).", retry=False)


def _explain(port: str, exc: BaseException) -> LinkError:
    text = str(exc)
    code = getattr(exc, "errno", None)
    low = text.lower()
    if "exclusively lock" in low or code == errno.EBUSY or "resource busy" in low:
        return LinkError(f"{port} is busy: another program has it open (close the other monitor, "
                         "serial console or Arduino IDE serial monitor).")
    if code == errno.EACCES or "permission denied" in low:
        return LinkError(f"no permission to open {port}: add yourself to the port's group "
                         "(e.g. `sudo usermod -aG dialout $USER`, then log in again).", retry=False)
    if code == errno.ENOENT or "no such file" in low:
        return LinkError(f"no device at {port}: check the cable and the name (`nmt-pressure ports` "
                         "lists serial ports).")
    if "inappropriate ioctl" in low or code == errno.ENOTTY:
        return LinkError(f"{port} is not a serial device; give the device path, e.g. /dev/ttyUSB0 "
                         "(`nmt-pressure ports` lists them).", retry=False)
    if "connection refused" in low or code == errno.ECONNREFUSED:
        return LinkError(f"nothing is listening at {port}: start the device or simulator "
                         "(`nmt-pressure sim --tcp PORT`) first.")
    return LinkError(f"cannot open {port}: {text.rstrip('.')}.")


def list_ports() -> list[tuple[str, str, str]]:
    """(device, description, hardware id) of the serial ports this machine has."""
    from serial.tools import list_ports as lp

    return [(p.device, p.description or "", p.hwid or "") for p in sorted(lp.comports())]
