"""Command-line pieces the tools share: a user's error as one sentence, never argparse's usage dump
or a traceback (the brief: bad input ends in one clear sentence naming the fix)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn


class UsageError(Exception):
    """A bad argument or an unusable file or folder; the message says what to do."""


class OneSentenceParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are a :class:`UsageError` ending in the tool's usage line
    (``usage``), for ``main`` to print as one sentence and return 2."""

    def __init__(self, *args: Any, usage_line: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.usage_line = usage_line

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (usage: {self.usage_line})")


def whole(least: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``least`` (argparse names the option)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = least - 1
        if value < least:
            raise argparse.ArgumentTypeError(f"must be a whole number of at least {least}, not {text!r}")
        return value
    return parse


def generator_main(argv: Sequence[str] | None, *, tool: str, doc: str | None, default_sessions: int,
                   seed_default: int | None, generate: Callable[[Path, int, int], object],
                   run_check: Callable[[Path, int, int | None], int]) -> int:
    """A labelled-session generator's command line, ``tool OUT [--seed S] [--sessions N] [--check]``:
    write ``default_sessions`` (or N) sessions of seed S into OUT, or with ``--check`` regenerate
    and check what OUT holds (N: as many as it holds unless given). ``seed_default`` None makes
    ``--seed`` required. Returns the exit status: 0, ``run_check``'s, or 2 with one sentence."""
    seed = "--seed S" if seed_default is None else "[--seed N]"
    p = OneSentenceParser(description=(doc or "").splitlines()[0],
                          usage_line=f"{tool} OUT {seed} [--sessions N] [--check]")
    p.add_argument("out", type=Path, metavar="OUT",
                   help="the folder the sessions are written to (or checked in)")
    p.add_argument("--sessions", type=whole(1), default=None,
                   help=f"sessions per seed [{default_sessions}; with --check: as many as OUT holds]")
    if seed_default is None:
        p.add_argument("--seed", type=whole(0), required=True, help="the seed")
    else:
        p.add_argument("--seed", type=whole(0), default=seed_default, help=f"the seed [{seed_default}]")
    p.add_argument("--check", action="store_true",
                   help="regenerate OUT's sessions and check their labels and files instead of writing")
    try:
        args = p.parse_args(argv)
        if args.check:
            return run_check(args.out, args.seed, args.sessions)
        generate(args.out, args.seed, default_sessions if args.sessions is None else args.sessions)
    except UsageError as exc:
        print(f"{tool.removesuffix('.py')}: {exc}", file=sys.stderr)
        return 2
    return 0
