"""`matcher staffing SCENARIO --group mediator --group counselor@xixiang:cost=1.5 --target 0.95`:
the smallest (or, with costs, the cheapest) roster meeting a service target, found by simulation.

Each ``--group ROLE[@CENTER][:cost=X][:min=N][:max=N]`` is a head count the search may change (the
role everywhere, or the role at one center). The target is a KPI of `matcher simulate`
(``--kpi resolved_in_time --sense '>=' --target 0.95`` by default; ``--confident`` asks for the
whole 95% interval). Prints every roster simulated (the frontier explored) and the best one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic import ValidationError

from .simulate import add_run_options, params_from, progress_printer, write_outputs


def parse_group(text: str):  # type: ignore[no-untyped-def]
    from matcher.simulation.staffing import StaffGroup

    head, *opts = text.split(":")
    role, _, center = head.partition("@")
    data: dict = {"role": role, "center": center or None}
    names = {"cost": "cost", "min": "min_count", "max": "max_count"}
    for opt in opts:
        k, _, v = opt.partition("=")
        if k not in names or not v:
            raise ValueError(f"--group {text!r}: option {opt!r} must be cost=X, min=N or max=N")
        data[names[k]] = v
    try:
        return StaffGroup.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        raise ValueError(f"--group {text!r}: {'.'.join(map(str, err['loc']))} = {err.get('input')!r}: {err['msg']}") from None


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "staffing", help="the smallest staff that meets a deadline target",
        description="Search head counts of the given staff groups for the smallest (cheapest) roster whose "
        "simulated KPI meets the target; every roster simulated is listed.",
    )
    p.add_argument("scenario", help="bundled scenario, scenario file or variant file")
    p.add_argument("--group", action="append", required=True, metavar="ROLE[@CENTER][:cost=X][:min=N][:max=N]",
                   help="a staff group whose head count may change (repeat)")
    p.add_argument("--kpi", default="resolved_in_time", help="the KPI the target is on (default resolved_in_time)")
    p.add_argument("--sense", choices=(">=", "<="), default=">=", help="KPI >= target (shares) or <= (waits)")
    p.add_argument("--target", type=float, default=0.95, help="target value (default 0.95)")
    p.add_argument("--confident", action="store_true", help="require the whole 95%% interval to meet the target")
    p.add_argument("--max-evaluations", type=int, default=60, help="rosters to simulate at most (default 60)")
    add_run_options(p, days=120, replications=3)
    p.add_argument("--out", type=Path, default=None, help="write the search as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from matcher.simulation import make_runner
    from matcher.simulation.staffing import StaffingTarget, search_staffing, staffing_table
    from matcher.simulation.variants import apply_variant, load_variant

    try:
        groups = [parse_group(g) for g in args.group]
        target = StaffingTarget(kpi=args.kpi, sense=args.sense, value=args.target, confident=args.confident)
        scenario, params = apply_variant(load_variant(args.scenario), params_from(args))
        with make_runner(args.workers, args.scheduler) as runner:
            res = search_staffing(scenario, groups, target, args.days, args.replications, args.seed, params,
                                  assigner=args.assigner, warmup_days=args.warmup, runner=runner,
                                  max_evaluations=args.max_evaluations, progress=progress_printer(args, "runs"))
    except (ValueError, ValidationError, FileNotFoundError) as e:
        print(f"matcher staffing: {e}", file=sys.stderr)
        return 2
    print(f"{res.scenario}: {len(res.explored)} rosters simulated ({args.days} days × {args.replications} replications, "
          f"seed {args.seed}) in {res.wall_seconds:,.1f} s")
    print(staffing_table(res))
    write_outputs(args, res)
    return 0 if res.best is not None else 1
