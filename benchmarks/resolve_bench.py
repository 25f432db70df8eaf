"""Re-solve after one expert of a Bao'an day drops out, against a solve from scratch (issue #4).

1. Solve the bundled Bao'an day (``--time-limit`` s, 2 workers): the plan.
2. The expert holding the most lines (``--expert`` to choose another) is absent for the whole
   horizon. The lines of the first ``--announced-days`` days that do not name them are announced
   (pinned).
3. Repair with :func:`matcher.resolve.repair_after` (the broken lines only, each given the best team
   on top of the rest by the recommender); re-solve with :func:`matcher.resolve.resolve_after` (pins kept, the rest of the old plan as
   ``previous`` so the disruption term keeps changes few) and, for comparison, solve the changed world
   from scratch with the same pins and no previous plan. Both get the same time limit.

Printed: each solve's time, status, objective (the disruption term excluded, so the two are
comparable), the number of lines that differ from the original plan, and the checker's verdict.

Usage::

    .venv/bin/python benchmarks/resolve_bench.py --time-limit 10 --announced-days 1 --resolve-limits 1,3
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections import Counter

from matcher.assignment import ObjectiveWeights, SolveParams, solve_assignment
from matcher.checker import check_assignment
from matcher.domain import AssignmentRequest, DateRange
from matcher.assignment.greedy import plan_terms
from matcher.resolve import repair_after, resolve_after
from matcher.scenarios import load_scenario


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="baoan")
    ap.add_argument("--expert", default=None, help="who drops out (default: the expert with the most lines)")
    ap.add_argument("--announced-days", type=int, default=1)
    ap.add_argument("--days", type=int, default=10)
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--resolve-limits", default="",
                    help="comma-separated extra time limits (s) for the re-solve alone, e.g. 2,5")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    s = load_scenario(args.scenario)
    params = SolveParams(time_limit_s=args.time_limit, workers=2, seed=args.seed)
    w = ObjectiveWeights()
    t0 = time.perf_counter()
    base = solve_assignment(s, AssignmentRequest(horizon_days=args.days), w, params)
    plan = list(base.lines)
    print(f"{s.name}: {len(s.experts)} experts, {len(s.cases)} cases; plan {base.status.value} via {base.solver} in "
          f"{time.perf_counter() - t0:.1f} s, {len(plan)} lines, objective {base.objective:.1f}")
    load = Counter(e for ln in plan for e in ln.experts)
    expert = args.expert or load.most_common(1)[0][0]
    absent = DateRange(start=s.today, end=s.today + dt.timedelta(days=args.days))
    last_announced = s.today + dt.timedelta(days=args.announced_days - 1)
    announced = [ln for ln in plan if expert not in ln.experts and ln.slot is not None and ln.slot.date <= last_announced]
    hit = [ln.case for ln in plan if expert in ln.experts]
    print(f"{expert} drops out for {absent.start}..{absent.end}: {len(hit)} line(s) name them; "
          f"{len(announced)} lines of the first {args.announced_days} day(s) announced (pinned)")

    t0 = time.perf_counter()
    result, changes = resolve_after(s, plan, announced=announced, sick=(expert, absent), horizon_days=args.days,
                                    weights=w, params=params)
    t_resolve = time.perf_counter() - t0
    sick_world = s.replace(experts=[
        e.model_copy(update={"leave": (*e.leave, absent)}) if e.id == expert else e for e in s.experts])
    pinned = AssignmentRequest(horizon_days=args.days, pins=tuple(announced))
    t0 = time.perf_counter()
    scratch = solve_assignment(sick_world, pinned, w, params)
    t_scratch = time.perf_counter() - t0

    before = {ln.case: ln for ln in plan}

    def moved(lines) -> int:  # type: ignore[no-untyped-def]
        after = {ln.case: ln for ln in lines}
        return sum(1 for c in set(before) | set(after) if before.get(c) != after.get(c))

    def objective(r) -> float:  # type: ignore[no-untyped-def]
        return sum(v for k, v in r.weighted_terms.items() if k != "disruption")

    for name, r, t in (("re-solve (previous plan kept)", result, t_resolve), ("from scratch", scratch, t_scratch)):
        report = check_assignment(sick_world, pinned, r.lines)
        print(f"{name}: {t:.1f} s, {r.status.value} via {r.solver}, {len(r.lines)} lines, {len(r.unassigned)} unassigned, "
              f"objective without disruption {objective(r):.1f}, changed lines vs the plan {moved(r.lines)}, "
              f"checker {'ok' if report.ok else 'VIOLATIONS: ' + str(report)[:200]}")
    for limit in [float(x) for x in args.resolve_limits.split(",") if x]:
        t0 = time.perf_counter()
        quick, quick_changes = resolve_after(s, plan, announced=announced, sick=(expert, absent), horizon_days=args.days,
                                             weights=w, params=params.model_copy(update={"time_limit_s": limit}))
        t = time.perf_counter() - t0
        report = check_assignment(sick_world, pinned, quick.lines)
        print(f"re-solve with a {limit:g} s limit: {t:.1f} s, {quick.status.value} via {quick.solver}, "
              f"{len(quick.unassigned)} unassigned, objective without disruption {objective(quick):.1f}, "
              f"changed lines vs the plan {moved(quick.lines)}, checker {'ok' if report.ok else 'VIOLATIONS'}")
    t0 = time.perf_counter()
    repaired, repair_changes = repair_after(s, plan, sick=(expert, absent), horizon_days=args.days, weights=w)
    t = time.perf_counter() - t0
    report = check_assignment(sick_world, pinned, repaired)
    terms = plan_terms(sick_world, pinned, repaired, w)
    value = sum(getattr(w, k) * v for k, v in terms.items() if k != "disruption")
    print(f"repair (recommender, broken lines only): {1000 * t:.0f} ms, {len(repaired)} lines, "
          f"{sum(c.after is None for c in repair_changes)} unassigned, objective without disruption {value:.1f}, "
          f"changed lines vs the plan {moved(repaired)}, checker {'ok' if report.ok else 'VIOLATIONS: ' + str(report)[:200]}")
    reasons = Counter(c.reason.split(" (")[0] if "absent" in c.reason else c.reason for c in changes)
    print(f"changes reported by resolve_after: {len(changes)}; by reason: "
          + "; ".join(f"{n} × {why}" for why, n in reasons.most_common()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
