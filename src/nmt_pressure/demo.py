"""``python -m nmt_pressure.demo`` (what ``make demo`` runs): the simulated device, watched live.

It starts the simulated device (``firmware_sim``, a mixed therapy session at 1 kHz on a
pseudo-terminal) and watches it until Ctrl-C: in the dashboard where there is a display to show it
on, else with the terminal monitor (saying so). ``--duration S`` stops after S seconds;
``--offline`` analyses the bundled example recording instead (extra arguments then go to
``nmt-pressure analyze``, e.g. ``--target 40 --tolerance 10%`` or ``--json -``).
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from importlib import resources
from pathlib import Path

from nmt_pressure.cli.common import PROG
from nmt_pressure.cli.main import main as cli_main

EXAMPLE_NAME = "example_session.csv"

INTRO = """\
nmt_pressure demo: offline analysis of the bundled example session
  ({path})
  a therapy session from the simulated device (firmware_sim, made by tools/make_example.py): holds,
  steps, drift, releases, brief touches and gliding strokes.
  Same as: {prog} analyze {path}
"""

LIVE_INTRO = """\
nmt_pressure demo: the live terminal monitor on the simulated device ({port}, {rate} Hz, scenario
  'session'). {why}, so this is the terminal view.
  Ctrl-C stops. Same as: {prog} sim --rate {rate} & {prog} monitor --port {port}
"""

DASH_INTRO = """\
nmt_pressure demo: the dashboard on the simulated device ({rate} Hz, scenario 'session').
  Close the window or press Ctrl-C to stop. Same as: {prog} dash --sim --rate {rate} --seed 1
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
    from nmt_pressure.logs import cli_logging

    undo_logging = cli_logging(PROG)  # live() runs the monitor without cli.main: its sentences, too
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    finally:
        undo_logging()


def _main(extra: list[str]) -> int:
    if "--offline" in extra:
        extra.remove("--offline")
        return offline(extra)
    duration = None
    if "--duration" in extra:
        i = extra.index("--duration")
        duration = float(extra[i + 1])
    from nmt_pressure.dashboard.app import has_screen
    from nmt_pressure.extras import MissingExtraError, require

    if not has_screen():
        return live(duration)
    try:
        for module in ("PySide6", "pyqtgraph"):
            require(module, "gui")
    except MissingExtraError:  # installed without the `gui` extra: the terminal view, saying why
        return live(duration, why="The dashboard needs the gui extra (pip install 'nmt-pressure[gui]')")
    return dashboard(duration)


def dashboard(duration: float | None, rate: int = 1000) -> int:
    """The dashboard with its built-in simulator (it starts and ends the simulator itself)."""
    print(DASH_INTRO.format(rate=rate, prog=PROG), flush=True)
    args = ["dash", "--sim", "--rate", str(rate), "--seed", "1"]
    if duration is not None:
        args += ["--duration", str(duration)]
    return cli_main(args)


def live(duration: float | None, rate: int = 1000,
         why: str = "The dashboard cannot open a window here") -> int:
    """Simulated device in a child process, the live monitor here; the child always goes away."""
    from nmt_pressure.core.config import DetectorConfig
    from nmt_pressure.link.simproc import SimulatorError, SimulatorProcess
    from nmt_pressure.outputs.live import MonitorError, run_monitor
    from nmt_pressure.outputs.terminal_view import TerminalView

    sim = SimulatorProcess(["--rate", str(rate), "--scenario", "session", "--seed", "1"])
    try:
        port = sim.start()
        print(LIVE_INTRO.format(port=port, rate=rate, prog=PROG, why=why), flush=True)
        cfg = DetectorConfig(sample_rate=rate)
        return run_monitor(port, cfg, [TerminalView(cfg=cfg)], duration=duration)
    except (SimulatorError, MonitorError) as exc:
        sys.stderr.write(f"{PROG} demo: {exc}\n")
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        sim.stop()


def offline(extra: list[str]) -> int:
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
