"""`matcher recommend SCENARIO --case ID`: the best teams for one urgent case, with earliest slots."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import whole_number


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("recommend", help="best experts (teams) for one urgent case, with their earliest slot")
    p.add_argument("scenario", help="bundled name (baoan) or scenario file")
    p.add_argument("--case", required=True, help="id of an open case in the scenario")
    p.add_argument("--plan", type=Path, help="the current plan (JSON from `matcher assign --out`); its other lines are taken as decided")
    p.add_argument("--k", type=whole_number("teams"), default=5, help="how many teams (default 5)")
    p.add_argument("--days", type=whole_number("days"), default=10, help="horizon in days (default 10)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from matcher.domain import AssignmentLine
    from matcher.recommend import Recommender
    from matcher.scenarios import load_scenario

    try:
        scenario = load_scenario(args.scenario)
    except (ValueError, OSError) as exc:
        print(f"matcher recommend: {exc}", file=sys.stderr)
        return 2
    case = scenario.case_by_id.get(args.case)
    if case is None:
        print(f"matcher recommend: case {args.case!r} is not an open case of {scenario.name}", file=sys.stderr)
        return 2
    lines: list[AssignmentLine] = []
    if args.plan:
        try:
            data = json.loads(args.plan.read_text(encoding="utf-8"))
            lines = [AssignmentLine.model_validate(x) for x in data.get("lines", []) if x.get("case") != case.id]
        except (ValueError, OSError, AttributeError, TypeError) as exc:  # (JSON and pydantic errors are ValueErrors)
            print(f"matcher recommend: --plan {args.plan}: {exc}", file=sys.stderr)
            return 2
    rec = Recommender(scenario, tuple(lines), horizon_days=args.days)
    result = rec.recommend(case, args.k)
    roles = "+".join(r.value for r in case.needs_roles)
    print(f"case {case.id}: {case.category.value}, {roles}, at {case.center}, risk {case.risk.value}, deadline {case.deadline}"
          f" — {len(lines)} decided line(s) taken into account, answered in {1000 * result.seconds:.1f} ms")
    if not result.recommendations:
        print("no feasible team:")
        for reason in result.reasons:
            print(f"  - {reason}")
        from matcher.diagnose import diagnose_case

        diagnosis = diagnose_case(rec, case)
        if diagnosis.reasons:
            print("smallest set of rules that leaves no team:")
            for reason in diagnosis.reasons:
                print(f"  - {reason}")
        return 1
    for rank, r in enumerate(result.recommendations, 1):
        where = "online" if r.line.online else (f"room {r.line.room}" if r.line.slot else "no session")
        team = ", ".join(f"{s.role.value}={s.expert}" for s in r.line.team)
        terms = ", ".join(f"{k} {v:g}" for k, v in r.terms.items() if v)
        print(f"{rank}. {team} — {r.line.slot or '-'} {where} — cost {r.cost:.1f} ({terms or 'no penalty'})")
    return 0
