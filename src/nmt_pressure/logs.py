"""Messages of the library modules: they log, the command line prints.

Modules that run on their own threads (the recorder, the listeners, LSL, the monitor loop) report
what went wrong through ``logging.getLogger(__name__)``, children of the ``nmt_pressure`` logger, and
never print: a program or notebook using the library decides where its messages go, with the standard
logging configuration. Nothing configured, Python's last-resort handler still shows warnings and
errors on stderr.

The ``nmt-pressure`` command (:func:`cli_logging`) prints them as its own sentences on stderr, exactly
as it always has: ``nmt-pressure: error: ...`` (ERROR), ``nmt-pressure: warning: ...`` (WARNING) and
the bare line for INFO (the monitor's closing summary).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

__all__ = ["LOGGER", "CliHandler", "cli_logging"]

#: The package's logger; every module logs to a child of it.
LOGGER = "nmt_pressure"


class CliHandler(logging.Handler):
    """One line per record on the *current* ``sys.stderr``, worded as the command's messages.

    The stream is looked up at each record, not kept: tests (and programs) replace ``sys.stderr``.
    A traceback attached to a record is not printed: the command shows sentences, never tracebacks.
    """

    def __init__(self, prog: str) -> None:
        super().__init__(logging.INFO)
        self.prog = prog

    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if record.levelno >= logging.ERROR:
            return f"{self.prog}: error: {text}"
        if record.levelno >= logging.WARNING:
            return f"{self.prog}: warning: {text}"
        return text

    def emit(self, record: logging.LogRecord) -> None:
        try:
            stream = sys.stderr
            stream.write(self.format(record) + "\n")
            stream.flush()
        except Exception:  # a closed or broken stderr must not end monitoring
            self.handleError(record)


def cli_logging(prog: str) -> Callable[[], None]:
    """Print the package's log records (INFO and up) on stderr as ``prog``'s sentences; returns the undo.

    Records stop at the package's logger while the command runs (no double lines where a program
    configured the root logger). Nested calls (``demo`` runs ``main``) leave the outer one in charge.
    """
    logger = logging.getLogger(LOGGER)
    if any(isinstance(h, CliHandler) for h in logger.handlers):
        return lambda: None
    handler = CliHandler(prog)
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False

    def undo() -> None:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate

    return undo
