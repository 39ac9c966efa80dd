"""Command-line pieces the tools share: a user's error as one sentence, never argparse's usage dump
or a traceback (the brief: bad input ends in one clear sentence naming the fix)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
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
