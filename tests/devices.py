"""The simulated device as a test's child process (the one copy the end-to-end tests share)."""

from __future__ import annotations

import signal
import subprocess
import sys


class Sim:
    """``python -m firmware_sim ARGS`` until stopped; ``port`` is what it printed first."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "firmware_sim", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        assert line.startswith("port: "), line
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
