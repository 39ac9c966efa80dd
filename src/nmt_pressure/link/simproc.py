"""The simulated device as a child process: start it, learn its port, and always make it go away.

One class for every caller: the demo and ``drill --sim`` start it and wait for its port
(:meth:`SimulatorProcess.start`); the dashboard must not wait on its GUI thread, so it spawns the
child there and hears the outcome through a callback (:meth:`SimulatorProcess.spawn`).

The child runs in a process group of its own, so Ctrl-C at the terminal (SIGINT to the foreground
group) reaches only the parent, which then stops its monitor first and the device last, in order:
a device that died first would be reported as a lost link just before the summary. On Linux the
child also gets SIGTERM should the parent die without stopping it (PR_SET_PDEATHSIG; strictly, when
the thread that started it ends, which is why :meth:`~SimulatorProcess.spawn` starts the child on the
caller's thread and only the reading happens on threads of its own).

Both of the child's output pipes are read to their end by daemon threads: a pipe that nobody reads
fills up and then stalls the child in its next write. Standard error keeps its last lines, which say
why a child did not start or why it ended.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import IO, Any

__all__ = ["PORT_TIMEOUT_S", "SimulatorError", "SimulatorProcess", "simulator_args"]

#: How long a child may take to say its port (an interpreter start and a pty: about a second).
PORT_TIMEOUT_S = 30.0
#: Lines of the child's standard error kept for telling why it did not start or ended.
STDERR_LINES = 20
#: How long stop() waits for the child after SIGTERM before it sends SIGKILL (s).
STOP_WAIT_S = 5.0
_PORT_PREFIX = "port: "


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
    """The simulator did not start (one sentence); :attr:`why` is the reason alone."""

    def __init__(self, why: str) -> None:
        super().__init__(f"the simulated device did not start ({why.rstrip('.')}).")
        self.why = why


def simulator_args(rate: int, *, scenario: str = "session", seed: int = 0, script: str | None = None,
                   speed: float = 1.0) -> list[str]:
    """``firmware_sim``'s arguments for a device at ``rate`` Hz playing ``script`` (a hand script
    file) or else ``scenario``; ``speed`` runs its device clock that many times faster."""
    args = ["--rate", str(rate), "--seed", str(seed)]
    args += ["--script", script] if script else ["--scenario", scenario]
    if speed != 1.0:  # only when asked: the simulator's default is real time
        args += ["--speed", f"{speed:g}"]
    return args


class SimulatorProcess:
    """``python -m firmware_sim ARGS`` in a child process; :attr:`port` is what it printed first.

    Either :meth:`start` (spawn and wait for the port, raising :class:`SimulatorError`), or
    :meth:`spawn` with a callback and later :meth:`wait_port` or :attr:`port` / :attr:`failure`.
    :meth:`stop` always, or use it as a context manager (which starts it).
    """

    def __init__(self, args: Sequence[str]) -> None:
        self.args = [sys.executable, "-m", "firmware_sim", *args]
        self.proc: subprocess.Popen[str] | None = None
        #: The port it printed ("" until then).
        self.port = ""
        #: Why it did not start (None while it may yet, or once it did).
        self.failure: str | None = None
        self._stderr: deque[str] = deque(maxlen=STDERR_LINES)
        self._outcome = threading.Event()
        self._lock = threading.Lock()
        self._stopping = False
        self._ended_by_stop = False  # stop() found it running and ended it
        self._on_outcome: Callable[[SimulatorProcess], None] | None = None
        self._threads: list[threading.Thread] = []
        self._timer: threading.Timer | None = None

    # ------------------------------------------------------------------------------------------
    # starting
    # ------------------------------------------------------------------------------------------
    def spawn(self, on_outcome: Callable[[SimulatorProcess], None] | None = None,
              timeout: float | None = PORT_TIMEOUT_S) -> None:
        """Start the child now, on this thread (see the module's note on PR_SET_PDEATHSIG), and return
        at once. ``on_outcome(self)`` is called once, on a reader thread, when the child has said its
        port (:attr:`port`) or cannot any more (:attr:`failure`): it could not be run (then at once, on
        this thread), died, printed something else, or said nothing within ``timeout`` seconds (then it
        is killed). Never after :meth:`stop`."""
        if self.proc is not None:
            raise RuntimeError("this simulator was started already")
        self._on_outcome = on_outcome
        preexec: Callable[[], None] | None = _die_with_parent if _PRCTL is not None else None
        try:
            self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         text=True, process_group=0, preexec_fn=preexec)
        except OSError as exc:
            self._settle(failure=exc.strerror or str(exc))
            return
        self._reader(self._read_stdout, self.proc.stdout, "nmt-sim-stdout")
        self._reader(self._read_stderr, self.proc.stderr, "nmt-sim-stderr")
        if timeout is not None:
            self._timer = threading.Timer(timeout, self._give_up, args=(timeout,))
            self._timer.daemon = True
            self._timer.start()

    def wait_port(self, timeout: float | None = None) -> str:
        """Wait for the outcome of :meth:`spawn`: the port, or :class:`SimulatorError` saying why not
        (``timeout`` here only bounds this wait; spawn's own timeout stops a silent child)."""
        if not self._outcome.wait(timeout):
            self._give_up(timeout or 0.0)
        if self.failure is not None:
            raise SimulatorError(self.failure)
        return self.port

    def start(self, timeout: float | None = PORT_TIMEOUT_S) -> str:
        """Start the child and wait for its port; on failure it is stopped and SimulatorError says why."""
        self.spawn(timeout=timeout)
        try:
            return self.wait_port()
        except SimulatorError:
            self.stop()
            raise

    # ------------------------------------------------------------------------------------------
    # state
    # ------------------------------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        """The child is running (it may not have said its port yet)."""
        return self.proc is not None and self.proc.poll() is None

    @property
    def returncode(self) -> int | None:
        """Its exit status once it ended (negative: the signal that ended it), else None."""
        return self.proc.poll() if self.proc is not None else None

    def stderr_tail(self) -> list[str]:
        """The last lines (up to :data:`STDERR_LINES`) it wrote to standard error."""
        return list(self._stderr)

    def exit_reason(self) -> str | None:
        """Why it ended, in a few words (its last line of standard error if any); None while it runs
        or before it was started. One that :meth:`stop` ended says "stopped"."""
        code = self.returncode
        if code is None:
            return None
        how = ("stopped" if self._ended_by_stop else
               f"killed by signal {-code}" if code < 0 else f"exited with status {code}")
        last = self._last_error_line()
        return f"{how}: {last}" if last and not self._ended_by_stop else how

    # ------------------------------------------------------------------------------------------
    # stopping
    # ------------------------------------------------------------------------------------------
    def stop(self, wait: float = STOP_WAIT_S) -> None:
        """End the child (SIGTERM, then SIGKILL after ``wait`` s) and close its pipes; idempotent.
        Whoever stops it hears no outcome any more."""
        with self._lock:
            self._stopping = True
        if self._timer is not None:
            self._timer.cancel()
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            self._ended_by_stop = True
            proc.terminate()
            try:
                proc.wait(wait)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(wait)
        # The child is gone, so its pipes are at their end (unless a grandchild of its own holds
        # them: then the daemon readers are left to it rather than waited for).
        for t in self._threads:
            if t is not threading.current_thread():
                t.join(1.0)

    def __enter__(self) -> SimulatorProcess:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # ------------------------------------------------------------------------------------------
    # the reader threads
    # ------------------------------------------------------------------------------------------
    def _reader(self, target: Callable[[IO[str]], None], pipe: IO[str] | None, name: str) -> None:
        assert pipe is not None
        t = threading.Thread(target=target, args=(pipe,), name=name, daemon=True)
        self._threads.append(t)
        t.start()

    def _read_stdout(self, pipe: IO[str]) -> None:
        try:
            line = pipe.readline().strip()
            if line.startswith(_PORT_PREFIX):
                self._settle(port=line[len(_PORT_PREFIX):])
            else:
                self._settle(failure=self._why_not(line))
            for _ in pipe:  # nothing more is expected; read on so that a stray print never blocks it
                pass
        except (OSError, ValueError):
            self._settle(failure="its output could not be read")
        finally:
            pipe.close()

    def _read_stderr(self, pipe: IO[str]) -> None:
        try:
            for line in pipe:
                if line.strip():
                    self._stderr.append(line.rstrip())
        except (OSError, ValueError):
            pass
        finally:
            pipe.close()

    def _why_not(self, first_line: str) -> str:
        """The child ended its output without a port: wait for it to end, then say why."""
        assert self.proc is not None
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(STOP_WAIT_S)  # one that printed something else may still run: say that
        for t in self._threads:
            if t.name == "nmt-sim-stderr":
                t.join(1.0)  # its last words are on their way
        return self._last_error_line() or first_line or "no output"

    def _last_error_line(self) -> str:
        return self._stderr[-1].strip() if self._stderr else ""

    def _give_up(self, timeout: float) -> None:
        settled = self._settle(failure=f"it did not say its port within {timeout:g} s")
        if settled and self.proc is not None and self.proc.poll() is None:
            self.proc.kill()  # silent and stuck: ended here, so that its readers reach their end

    def _settle(self, *, port: str = "", failure: str | None = None) -> bool:
        """Record the one outcome (the first to come wins) and tell it; True if this was it."""
        with self._lock:
            if self._outcome.is_set():
                return False
            self.port, self.failure = port, failure
            self._outcome.set()
            tell = self._on_outcome if not self._stopping else None
        if self._timer is not None:
            self._timer.cancel()
        if tell is not None:
            tell(self)
        return True
