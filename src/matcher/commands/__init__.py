"""One module per CLI sub-command; each exposes ``register(subparsers)``."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def whole_number(what: str, low: int = 1, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number of `what` in [low, high], or an error naming the value."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of {what}") from None
        if value < low or high is not None and value > high:
            span = f"at least {low}" if high is None else f"{low} to {high}"
            raise argparse.ArgumentTypeError(f"{value} {what}: {span}")
        return value

    return parse
