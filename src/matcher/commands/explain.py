"""`matcher explain SCENARIO --plan PLAN.json`: why each line, why cases are unassigned, which pins conflict.

A thin translator over :mod:`matcher.explain` and :mod:`matcher.diagnose`. The plan is the JSON that
`matcher assign --out` writes (its ``request`` gives the horizon and the pins).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explain",
        help="why each line, why cases are unassigned, which pins conflict",
        description="For each line of a plan: its score by term and the best alternatives with the reason each "
        "lost, and cheaper experts a hard rule excludes. For each unassigned case: the smallest set of rules "
        "leaving it without a team. For an infeasible plan with pins: a minimal set of conflicting pins.",
    )
    p.add_argument("scenario", help="bundled name (baoan) or scenario file")
    p.add_argument("--plan", type=Path, required=True, help="the plan (JSON from `matcher assign --out`)")
    p.add_argument("--case", action="append", default=None, help="explain only this case (repeatable)")
    p.add_argument("--k", type=int, default=3, help="alternatives per line (default 3)")
    p.add_argument("--show", type=int, default=10, help="lines to explain when --case is not given (default 10)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from matcher.diagnose import minimal_conflicting_pins
    from matcher.domain import AssignmentLine, AssignmentRequest
    from matcher.explain import Explainer
    from matcher.scenarios import load_scenario

    try:
        scenario = load_scenario(args.scenario)
        data = json.loads(args.plan.read_text(encoding="utf-8"))
        lines = [AssignmentLine.model_validate(x) for x in data.get("lines", [])]
        request = AssignmentRequest.model_validate(data.get("request", {}))
    except (ValidationError, ValueError, FileNotFoundError, KeyError) as exc:
        print(f"matcher explain: {exc}", file=sys.stderr)
        return 2
    if data.get("status") == "infeasible" and request.pins:
        conflict = minimal_conflicting_pins(scenario, request)
        if conflict is not None:
            print(f"infeasible: a minimal set of conflicting pins ({len(conflict.pins)} of {len(request.pins)}): "
                  + ", ".join(conflict.pins))
            for why in conflict.rules:
                print(f"  - {why}")
            return 1
    ex = Explainer(scenario, lines, request.horizon_start, request.horizon_days)
    planned = {ln.case for ln in lines}
    wanted = args.case or [ln.case for ln in lines[: args.show]] + [u["case"] for u in data.get("unassigned", [])]
    for cid in wanted:
        if cid in planned:
            print(ex.explain(cid, args.k).text())
        elif cid in scenario.case_by_id:
            d = ex.diagnose(cid)
            if d.feasible and d.team is not None:
                team = ", ".join(f"{s.role.value}={s.expert}" for s in d.team.team)
                print(f"{cid}: unassigned, yet feasible on top of this plan: {team} at {d.team.slot or '-'}")
            else:
                print(f"{cid}: unassigned")
                for reason in d.reasons:
                    print(f"  - {reason}")
        else:
            print(f"matcher explain: case {cid!r} is not in scenario {scenario.name}", file=sys.stderr)
            return 2
    return 0
