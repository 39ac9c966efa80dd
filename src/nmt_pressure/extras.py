"""Optional dependencies (the package's extras), imported only where a feature needs them.

``pip install nmt-pressure`` brings only what ``analyze`` and ``report --no-figures`` need (numpy and
pyserial); the dashboard, report figures, Lab Streaming Layer and DataFrames come with the extras
``gui``, ``report``, ``lsl`` and ``data`` (``all`` for everything). Code that needs one of them calls
:func:`require` at the point of use, never at module import, so the lean install keeps working::

    mpl = require("matplotlib", "report", "`report` with figures", instead="use --no-figures")

A missing module raises :class:`MissingExtraError`, whose text is one sentence naming the extra to
install; the command line prints it as a user error (exit status 2), never a traceback.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["EXTRAS", "MissingExtraError", "require"]

#: The extras of pyproject.toml and the modules each brings (import names).
EXTRAS: dict[str, tuple[str, ...]] = {
    "gui": ("PySide6", "pyqtgraph"),
    "report": ("matplotlib",),
    "lsl": ("pylsl",),
    "data": ("pandas", "pyarrow"),
}

DIST = "nmt-pressure"


class MissingExtraError(Exception):
    """A feature's optional dependency is not installed (or does not load): one sentence naming the fix.

    ``module`` is the import name that failed, ``extra`` the extra that installs it.
    """

    def __init__(self, message: str, module: str, extra: str) -> None:
        super().__init__(message)
        self.module = module
        self.extra = extra


def install_hint(extra: str) -> str:
    """The pip command that installs ``extra`` (quoted: the brackets are a glob pattern to a shell)."""
    return f"pip install '{DIST}[{extra}]'"


def require(module: str, extra: str, what: str | None = None, *, instead: str | None = None) -> ModuleType:
    """Import ``module`` (installed by the extra ``extra``) and return it, or raise MissingExtraError.

    ``what`` names the feature as the subject of "needs" (e.g. "`dash`", "`report` with figures",
    "`Recording.to_pandas()`"); ``instead`` is what the user can do without the extra (e.g. "use
    --no-figures"). The message reads: "`report` with figures needs matplotlib: pip install
    'nmt-pressure[report]' (or use --no-figures)."
    """
    if extra not in EXTRAS:  # a typo here would send users to install an extra that does not exist
        raise ValueError(f"unknown extra {extra!r}; one of {', '.join(EXTRAS)}")
    subject = what or f"this feature of {DIST}"
    alternative = f" (or {instead})" if instead else ""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        # Only the module itself (or its own package) missing is a missing extra; a module that is
        # installed but lacks one of ITS dependencies is a broken installation, reported below.
        if exc.name is None or exc.name.split(".")[0] == module.split(".")[0]:
            raise MissingExtraError(f"{subject} needs {module}: {install_hint(extra)}{alternative}.",
                                    module, extra) from None
        reason: str = str(exc)
    except ImportError as exc:  # installed, but a shared library or a dependency of it fails to load
        reason = str(exc)
    reason = " ".join(reason.split()).rstrip(".") or "ImportError"
    # Not `pip install --force-reinstall 'nmt-pressure[...]'`: that would fetch nmt-pressure itself
    # from the index, where a checkout's build may not exist. The reason usually names the culprit (a
    # system library such as libEGL, or a dependency of the module).
    raise MissingExtraError(f"{subject} needs {module}, which is installed but fails to import ({reason}); "
                            f"install what that names, or reinstall {module}{alternative}.",
                            module, extra) from None
