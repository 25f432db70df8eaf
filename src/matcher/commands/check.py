"""`matcher check SCENARIO ASSIGNMENT.json`: run the independent checker on a saved plan.

The JSON holds ``{"request": {...}, "lines": [...]}``; other keys (the engine's objective, status,
...) are ignored, so the file ``matcher assign --out`` writes can be checked as it is.
Exit 0 when every rule holds, 1 with one line per violation, 2 when the input cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from matcher.domain import AssignmentLine, AssignmentRequest, Scenario


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "check",
        help="independently check an assignment against its scenario",
        description="Check the plan in ASSIGNMENT (JSON with 'request' and 'lines') against every assignment "
        "rule, for SCENARIO (a bundled name or a .json/.yaml file). Exit 0 if it holds, 1 listing violations.",
    )
    p.add_argument("scenario", help="bundled scenario name (e.g. baoan) or path to a scenario file")
    p.add_argument("assignment", type=Path, help="JSON file with 'request' and 'lines' (e.g. from matcher assign --out)")
    p.set_defaults(handler=run)


def load_scenario(name_or_path: str) -> Scenario:
    """A bundled scenario by name or a scenario file (JSON or YAML)."""
    from matcher.scenarios import load_scenario as load_any

    return load_any(name_or_path)


def load_plan(path: Path) -> tuple[AssignmentRequest, list[AssignmentLine]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "lines" not in data:
        raise ValueError(f"{path}: expected a JSON object with 'request' and 'lines'")
    request = AssignmentRequest.model_validate(data.get("request") or {})
    lines = TypeAdapter(list[AssignmentLine]).validate_python(data["lines"])
    return request, lines


def run(args: argparse.Namespace) -> int:
    from matcher.checker import check_assignment

    try:
        scenario = load_scenario(args.scenario)
        request, lines = load_plan(args.assignment)
    except (ValidationError, ValueError, OSError, KeyError, ModuleNotFoundError) as exc:
        print(f"matcher check: {exc}", file=sys.stderr)
        return 2
    report = check_assignment(scenario, request, lines)
    if report.ok:
        print(f"ok: {len(lines)} lines hold every assignment rule")
        return 0
    for v in report.violations:
        print(v)
    print(f"{len(report.violations)} violations in {len(lines)} lines", file=sys.stderr)
    return 1
