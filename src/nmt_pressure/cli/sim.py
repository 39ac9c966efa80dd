"""``nmt-pressure sim ...``: the simulated device, listed in ``--help`` like the other commands.

``main()`` hands every argument after ``sim`` to ``python -m firmware_sim``'s own parser untouched, so
this Command only names it; its runner is never reached.
"""

from __future__ import annotations

import argparse

from nmt_pressure.cli.common import EXIT_USAGE, Command

__all__ = ["COMMAND"]


def configure(p: argparse.ArgumentParser) -> None:
    pass  # main() hands `sim …` to the simulator's own parser before this one sees it


def run(args: argparse.Namespace) -> int:  # pragma: no cover - main() intercepts `sim`
    return EXIT_USAGE


COMMAND = Command(name="sim", help="start the simulated device (same as python -m firmware_sim)",
                  configure=configure, run=run, description="Start the simulated load-cell device.")
