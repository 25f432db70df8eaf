"""The `matcher` command line: a thin translator over the library (no solver logic here).

Each sub-command lives in its own module under :mod:`matcher.commands`, exposing
``register(subparsers)`` that adds its parser and sets ``handler`` to a function
``(argparse.Namespace) -> int`` (the exit code).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

#: (module under matcher.commands, command name, one-line help) in the order shown by --help.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("scenario", "scenario", "list, show, generate and validate scenario files"),
    ("assign", "assign", "assign a day's queue of cases to expert teams and session slots"),
    ("check", "check", "independently check an assignment against its scenario"),
    ("recommend", "recommend", "best experts for one urgent case"),
    ("explain", "explain", "why each line, why cases are unassigned, which pins conflict"),
    ("rotate", "rotate", "plan the judges' rotation calendar (轮驻)"),
    ("simulate", "simulate", "simulate months of case arrivals against a roster"),
    ("compare", "compare", "compare staffing scenarios side by side"),
    ("staffing", "staffing", "find the smallest staff that meets a deadline target"),
    ("serve", "serve", "start the HTTP API"),
)


def _placeholder(name: str, help_text: str, sub: argparse._SubParsersAction) -> None:
    def run(_: argparse.Namespace) -> int:
        print(f"matcher {name}: not available in this build yet", file=sys.stderr)
        return 2

    p = sub.add_parser(name, help=f"{help_text} (not yet available)")
    p.set_defaults(handler=run)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="matcher",
        description="Expert matching and judge-rotation scheduling for dispute-resolution centers (多元调处中心).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module, name, help_text in COMMANDS:
        try:
            mod = importlib.import_module(f"matcher.commands.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"matcher.commands.{module}":
                raise
            _placeholder(name, help_text, sub)
            continue
        mod.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
