"""The simulated device as a child process: start it, learn its port, and always make it go away.

The child runs in a process group of its own, so Ctrl-C at the terminal (SIGINT to the foreground
group) reaches only the parent, which then stops its monitor first and the device last, in order:
a device that died first would be reported as a lost link just before the summary. On Linux the
child also gets SIGTERM should the parent die without stopping it (PR_SET_PDEATHSIG; strictly, when
the thread that started it ends, so start it from the thread that lives as long as it should).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import IO, Any

__all__ = ["SimulatorError", "SimulatorProcess"]


def _find_prctl() -> Any:
    if sys.platform != "linux":
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _find_prctl()  # looked up here: the forked child should do as little as it can


def _die_with_parent() -> None:
    """In the child, before it runs: SIGTERM (15) when the parent dies (PR_SET_PDEATHSIG, 1)."""
    if _PRCTL is not None:
        _PRCTL(1, 15)


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
        preexec: Callable[[], None] | None = _die_with_parent if _PRCTL is not None else None
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=self._err, text=True,
                                     process_group=0, preexec_fn=preexec)
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
