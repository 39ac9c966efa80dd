"""``nmt-pressure ports``: the serial ports there are, one a line, and with ``--probe`` what is on them."""

from __future__ import annotations

import argparse

from nmt_pressure.argtypes import baud
from nmt_pressure.cli.common import EXIT_OK, Command

__all__ = ["COMMAND"]


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("port", nargs="*", metavar="PORT",
                   help="ports to probe (e.g. /dev/pts/3, which no listing shows); implies --probe")
    p.add_argument("--probe", action="store_true",
                   help="open each port and ask it ID: says which device answers (an Uno or Nano restarts "
                        "when opened: a few seconds each)")
    p.add_argument("--baud", type=baud, default=115200, metavar="N", help="baud rate for --probe [115200]")


def run(args: argparse.Namespace) -> int:
    from nmt_pressure.link.identify import probe, usb_hint
    from nmt_pressure.link.transport import list_ports

    if args.port:
        for port in args.port:
            print(f"{port:20s} {probe(port, args.baud)}", flush=True)
        return EXIT_OK
    ports = list_ports()
    if not ports:
        print("no serial ports found (a USB device may need its cable plugged in, or a driver); the "
              "simulator is at hand with `nmt-pressure sim`.")
    for dev, desc, hwid in ports:
        hint = usb_hint(hwid)
        print(f"{dev:20s} {desc}  [{hwid}]" + (f"  {hint}" if hint and hint not in desc else ""), flush=True)
        if args.probe:
            print(f"{'':20s} -> {probe(dev, args.baud)}", flush=True)
    return EXIT_OK


COMMAND = Command(name="ports", help="list serial ports (--probe: say which device is on each)",
                  configure=configure, run=run)
