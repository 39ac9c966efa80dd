"""An X server of our own (Xvfb) on a free display: the real-screen tests and tools/bench_dash.py."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager


class XvfbUnavailable(RuntimeError):
    """Xvfb is not installed or did not start; the message says which."""


@contextmanager
def xvfb_display(screen: str = "1600x1000x24") -> Iterator[str]:
    """Start Xvfb on a display it picks itself, yield that DISPLAY (":N"), stop it afterwards."""
    exe = shutil.which("Xvfb")
    if exe is None:
        raise XvfbUnavailable("no Xvfb on this machine (apt-get install xvfb; .ci/run does)")
    read, write = os.pipe()
    # -displayfd: the server picks a free display and writes its number once it accepts connections.
    proc = subprocess.Popen([exe, "-displayfd", str(write), "-screen", "0", screen, "-nolisten", "tcp"],
                            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    os.close(write)
    try:
        with os.fdopen(read) as f:
            number = f.readline().strip()
        if not number.isdigit():
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise XvfbUnavailable(f"Xvfb did not start: {err.strip()[-300:]}")
        yield f":{number}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
