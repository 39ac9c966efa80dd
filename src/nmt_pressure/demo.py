"""``python -m nmt_pressure.demo`` (what ``make demo`` runs): analyse the bundled example session.

The live demo (simulated device → live terminal monitor or dashboard) needs the device link, which is
not built yet; until then the demo shows what the signal core finds in a recorded session. Extra
arguments go to ``nmt-pressure analyze`` (e.g. ``--target 40 --tolerance 10%`` or ``--json -``).
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from importlib import resources
from pathlib import Path

from nmt_pressure.cli import PROG
from nmt_pressure.cli import main as cli_main

EXAMPLE_NAME = "example_session.csv"

INTRO = """\
nmt_pressure demo: offline analysis of the bundled example session
  ({path})
  a therapy session from the simulated device (firmware_sim, made by tools/make_example.py): holds,
  steps, drift, releases, brief touches and gliding strokes.
  The live monitor (simulated device -> live terminal view or dashboard) arrives with the device link,
  which is not built yet; until then `make demo` shows this analysis of a recording.
  Same as: {prog} analyze {path}
"""

MISSING = """\
{prog} demo: the bundled example recording {name} is missing from this installation
  (looked in {path}). From a checkout, make it with `.venv/bin/python tools/make_example.py` and reinstall
  (`make install`); meanwhile any recording can be analysed with `{prog} analyze FILE`.
"""


def example_path(stack: ExitStack) -> Path | None:
    """Filesystem path of the bundled example, or None if this installation lacks it."""
    ref = resources.files("nmt_pressure").joinpath("data", EXAMPLE_NAME)
    if not ref.is_file():
        return None
    return Path(stack.enter_context(resources.as_file(ref)))


def main(argv: list[str] | None = None) -> int:
    extra = list(sys.argv[1:] if argv is None else argv)
    with ExitStack() as stack:
        path = example_path(stack)
        if path is None:
            where = resources.files("nmt_pressure").joinpath("data", EXAMPLE_NAME)
            sys.stderr.write(MISSING.format(prog=PROG, name=EXAMPLE_NAME, path=where))
            return 1
        if "--json" not in extra:
            print(INTRO.format(path=path, prog=PROG), flush=True)
        return cli_main(["analyze", str(path), *extra])


if __name__ == "__main__":
    sys.exit(main())
