"""`matcher assign SCENARIO`: plan a day's queue of cases (a thin translator over the engine)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from pydantic import ValidationError

from matcher.domain import AssignmentRequest, Scenario


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "assign",
        help="assign a day's queue of cases to expert teams and session slots",
        description="Assign every open case of SCENARIO (a bundled name or a .json/.yaml file) to a team of "
        "experts and a session slot; print a summary and optionally write the plan as JSON.",
    )
    p.add_argument("scenario", help="bundled scenario name (e.g. baoan) or path to a scenario file")
    p.add_argument("--date", type=dt.date.fromisoformat, default=None, help="first day of the horizon (default: the scenario's today)")
    p.add_argument("--days", type=int, default=10, help="horizon length in days (default 10)")
    p.add_argument("--time-limit", type=float, default=10.0, help="wall-clock limit in seconds (default 10)")
    p.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--max-experts-per-seat", type=int, default=None,
                   help="keep only the N cheapest feasible experts per seat (default: all, exact)")
    p.add_argument("--out", type=Path, default=None, help="write {scenario, request, lines, ...} as JSON here")
    p.add_argument("--show", type=int, default=10, help="plan lines to print (default 10)")
    p.add_argument("--pins", type=Path, default=None,
                   help="announced lines to keep exactly: JSON list of lines, or a plan JSON whose lines are taken")
    p.add_argument("--explain", action="store_true",
                   help="diagnose unassigned cases (smallest set of rules leaving no team) and, if the pins "
                   "cannot hold, name a minimal set of conflicting pins")
    p.set_defaults(handler=run)


def load(name_or_path: str) -> Scenario:
    """A bundled scenario by name or a scenario file (JSON or YAML)."""
    from matcher.scenarios import load_scenario as load_any

    return load_any(name_or_path)


def run(args: argparse.Namespace) -> int:
    from matcher.assignment import ObjectiveWeights, SolveParams, solve_assignment

    try:
        scenario = load(args.scenario)
        pins: tuple = ()
        if getattr(args, "pins", None) is not None:
            from matcher.domain import AssignmentLine

            raw = json.loads(args.pins.read_text(encoding="utf-8"))
            pins = tuple(AssignmentLine.model_validate(x) for x in (raw.get("lines", []) if isinstance(raw, dict) else raw))
        request = AssignmentRequest(horizon_start=args.date, horizon_days=args.days, pins=pins)
        params = SolveParams(time_limit_s=args.time_limit, workers=args.workers, seed=args.seed,
                             max_experts_per_seat=args.max_experts_per_seat)
    except (ValidationError, ValueError, FileNotFoundError, KeyError, ModuleNotFoundError) as exc:
        print(f"matcher assign: {exc}", file=sys.stderr)
        return 2
    result = solve_assignment(scenario, request, ObjectiveWeights(), params)
    print(summary(result, show=args.show))
    if getattr(args, "explain", False):
        print(explanation(scenario, result, show=args.show))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"plan written to {args.out}")
    return 0 if result.ok else 1


def explanation(scenario: Scenario, r, show: int = 10) -> str:
    """Diagnoses found from the rules (see :mod:`matcher.diagnose`), for `assign --explain`."""
    from matcher.assignment import SolveStatus
    from matcher.diagnose import diagnose_result, minimal_conflicting_pins

    out = []
    if r.status == SolveStatus.INFEASIBLE and r.request.pins:
        conflict = minimal_conflicting_pins(scenario, r.request)
        if conflict is not None:
            out.append(f"  minimal conflicting pins ({len(conflict.pins)} of {len(r.request.pins)}): " + ", ".join(conflict.pins))
            out.extend(f"    - {why}" for why in conflict.rules)
    if r.unassigned:
        out.append("  diagnosis of unassigned cases (given the plan):")
        for d in diagnose_result(scenario, r.model_copy(update={"unassigned": r.unassigned[:show]})):
            if d.feasible and d.team is not None:
                out.append(f"    {d.case}: feasible on top of the plan ({', '.join(d.team.experts)} at {d.team.slot}); "
                           "the solve stopped before finding it")
            for reason in d.reasons:
                out.append(f"    {d.case}: {reason}")
    return "\n".join(out) if out else "  nothing to diagnose: every case is planned"


def summary(r, show: int = 10) -> str:
    out = [f"scenario {r.scenario}: {r.status.value} via {r.solver} in {r.solve_seconds:.2f} s (seed {r.seed})"]
    if r.reason:
        out.append(f"  reason: {r.reason}")
    if r.objective is not None:
        gap = f"{100 * r.gap:.3f}%" if r.gap is not None else "n/a"
        bound = f"{r.bound:.2f}" if r.bound is not None else "n/a"
        out.append(f"  objective {r.objective:.2f}   bound {bound}   gap {gap}")
        for name, value in r.terms.items():
            out.append(f"    {name:<12} {value:>12.2f}  (weighted {r.weighted_terms[name]:.2f})")
    served = len(r.lines)
    online = sum(1 for line in r.lines if line.online)
    out.append(f"  cases planned {served}, online {online}, unassigned {len(r.unassigned)}")
    for u in r.unassigned[:show]:
        out.append(f"    unassigned {u.case}: {'; '.join(u.reasons)}")
    for line in r.lines[:show]:
        where = "online" if line.online else (f"room {line.room}" if line.room is not None else "no session")
        slot = str(line.slot) if line.slot is not None else "-"
        team = ", ".join(f"{s.role.value}={s.expert}" for s in line.team)
        out.append(f"    {line.case}: {slot} {where}: {team}")
    if len(r.lines) > show:
        out.append(f"    ... {len(r.lines) - show} more lines")
    return "\n".join(out)
