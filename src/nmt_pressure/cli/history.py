"""``nmt-pressure history``: list the practice history's drill results, show one, or export them."""

from __future__ import annotations

import argparse
import sys

from nmt_pressure.analysis.report import to_json
from nmt_pressure.argtypes import number_type
from nmt_pressure.cli.common import Command, CommandError, write_text

__all__ = ["COMMAND", "configure", "run"]

card_id = number_type("a result id", "a whole number", 1, lo_in=True, whole=True,
                      example="an id that `nmt-pressure history` lists")


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--practitioner", metavar="NAME", default=None, help="only this practitioner's results")
    p.add_argument("--drill", metavar="NAME", default=None, help="only this drill's results")
    p.add_argument("--export", metavar="FILE", default=None,
                   help="write the results to FILE: .csv or .json ('-' for CSV on standard output)")
    p.add_argument("--card", type=card_id, metavar="ID", default=None,
                   help="show one result's whole score card")


def run(args: argparse.Namespace) -> int:
    from nmt_pressure.practice.history import History, HistoryError
    from nmt_pressure.practice.userdata import history_path

    path = history_path()
    if not path.exists():
        print(f"no practice history yet ({path}); `nmt-pressure drill NAME` makes one.")
        return 0
    try:
        with History(path) as h:
            if args.card is not None:
                sys.stdout.write(to_json(h.card(args.card)))
                return 0
            rows = h.results(args.practitioner, args.drill)
    except HistoryError as exc:
        raise CommandError(str(exc)) from None
    if args.export is not None:
        if args.export == "-" or args.export.lower().endswith(".csv"):
            text = History.export_csv(rows)
        elif args.export.lower().endswith(".json"):
            text = History.export_json(rows)
        else:
            raise CommandError(f"--export {args.export}: name a .csv or .json file (or '-' for CSV).")
        if args.export == "-":
            sys.stdout.write(text)
        else:
            write_text(args.export, text)
            print(f"wrote {len(rows)} results to {args.export}")
        return 0
    if not rows:
        print("no results match.")
        return 0
    print(f"{'id':>4}  {'finished (UTC)':20s} {'practitioner':14s} {'drill':12s} {'score':>5}  "
          f"{'band':>4} {'steady':>6} {'ramp':>4} {'dur':>4}  work on")
    for r in rows:
        def pct(x: float | None) -> str:
            return "   -" if x is None else f"{x:4.0f}"
        done = "" if r.status == "completed" else f" ({r.status})"
        score = "    -" if r.score is None else f"{r.score:5.0f}"
        print(f"{r.result_id:4d}  {r.finished[:19]:20s} {r.practitioner[:14]:14s} {r.drill[:12]:12s} "
              f"{score}  {pct(r.time_in_band)} {pct(r.steadiness):>6} {pct(r.ramp_rate)} "
              f"{pct(r.hold_duration)}  {r.work_on or '-'}{done}")
    return 0


COMMAND = Command(
    name="history",
    help="list and export practice results",
    description="List the drill results in the practice history, or export them as CSV or JSON.",
    configure=configure,
    run=run,
)
