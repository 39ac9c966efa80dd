"""``nmt-pressure ports``: the serial ports there are, one a line."""

from __future__ import annotations

import argparse

from nmt_pressure.cli.common import EXIT_OK, Command

__all__ = ["COMMAND"]


def configure(p: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from nmt_pressure.link.transport import list_ports

    ports = list_ports()
    if not ports:
        print("no serial ports found (a USB device may need its cable plugged in, or a driver); the "
              "simulator is at hand with `nmt-pressure sim`.")
    for dev, desc, hwid in ports:
        print(f"{dev:20s} {desc}  [{hwid}]")
    return EXIT_OK


COMMAND = Command(name="ports", help="list serial ports", configure=configure, run=run)
