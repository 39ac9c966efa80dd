"""The simulated device as a child process: start it, learn its port, and always make it go away."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Sequence
from types import TracebackType
from typing import IO

__all__ = ["SimulatorError", "SimulatorProcess"]


class SimulatorError(Exception):
    """The simulator did not start (one sentence)."""


class SimulatorProcess:
    """``python -m firmware_sim ARGS`` in a child process; :attr:`port` is what it printed first."""

    def __init__(self, args: Sequence[str]) -> None:
        self.args = [sys.executable, "-m", "firmware_sim", *args]
        self.proc: subprocess.Popen[str] | None = None
        self.port = ""
        self._err: IO[str] | None = None

    def start(self) -> str:
        # Its messages go to a file, not a pipe nobody reads once it runs (a full pipe would stall it).
        self._err = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - lives as long as the child
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=self._err, text=True)
        line = self.proc.stdout.readline().strip() if self.proc.stdout else ""
        if not line.startswith("port: "):
            self._end_process()
            self._err.seek(0)
            err = self._err.read().strip().splitlines()
            self.stop()
            why = err[-1] if err else (line or "no output")
            raise SimulatorError(f"the simulated device did not start ({why}).")
        self.port = line[len("port: "):]
        return self.port

    def stop(self) -> None:
        self._end_process()
        if self._err is not None:
            self._err.close()
            self._err = None

    def _end_process(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.proc = None

    def __enter__(self) -> SimulatorProcess:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
