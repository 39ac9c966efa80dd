"""Child processes the end-to-end tests share: the simulated device, and a process whose output lines
are watched as they come."""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any


class Sim:
    """``python -m firmware_sim ARGS`` until stopped; ``port`` is what it printed first."""

    def __init__(self, *args: str) -> None:
        # Standard error goes to a file, read only when the device did not start: it says why.
        self._err = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - lives as long as the device
        self.proc = subprocess.Popen([sys.executable, "-m", "firmware_sim", *args], stdout=subprocess.PIPE,
                                     stderr=self._err, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("port: "):
            self.proc.wait(10)
            self._err.seek(0)
            raise AssertionError(f"the device did not say its port (first line {line!r}); its stderr:\n"
                                 + self._err.read()[-2000:])
        self.port = line[len("port: "):]

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """End it with ``sig`` (SIGTERM: a clean stop), killing it if it does not go within 5 s."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def kill(self) -> None:
        """Gone at once, as a pulled cable or a crashed device: no goodbye on the line."""
        self.stop(signal.SIGKILL)


class Watched:
    """A process whose stdout and stderr lines are collected as they come, so a test can wait for a
    line (an event, a reconnect) instead of sleeping."""

    def __init__(self, argv: list[str], **kwargs: Any) -> None:
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     **kwargs)
        self.out: list[str] = []
        self.err: list[str] = []
        self._cv = threading.Condition()
        self._threads = [threading.Thread(target=self._pump, args=(s, lines), daemon=True)
                         for s, lines in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
        for t in self._threads:
            t.start()

    def _pump(self, stream: Any, lines: list[str]) -> None:
        for line in stream:
            with self._cv:
                lines.append(line.rstrip("\n"))
                self._cv.notify_all()
        with self._cv:
            self._cv.notify_all()

    def wait_for(self, needle: str, after: int = 0, timeout: float = 30.0) -> int:
        """Index of the first stdout line from ``after`` on that contains ``needle``."""
        deadline = time.monotonic() + timeout
        with self._cv:
            while True:
                for i in range(after, len(self.out)):
                    if needle in self.out[i]:
                        return i
                left = deadline - time.monotonic()
                ended = self.proc.poll() is not None and not any(t.is_alive() for t in self._threads)
                if left <= 0 or ended:
                    raise AssertionError(f"no line with {needle!r} after line {after}; stdout:\n"
                                         + "\n".join(self.out) + "\nstderr:\n" + "\n".join(self.err))
                self._cv.wait(min(left, 0.2))

    def stop(self, sig: int | None = signal.SIGTERM, timeout: float = 30.0) -> int:
        """Send ``sig`` (None: none, wait for it to end by itself) and return the exit status."""
        if sig is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
        rc = self.proc.wait(timeout)
        for t in self._threads:
            t.join(5)
        return rc

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
