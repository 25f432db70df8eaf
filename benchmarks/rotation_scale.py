"""Judge rotation at Bao'an scale: ~60 judges, the centers that need judges, 13 weeks of half-days.

    python benchmarks/rotation_scale.py --scenario baoan --weeks 13 --limits 10 60 --seed 0

For each time limit: wall time of the whole plan (model building, aggregate relaxation, greedy start,
solve), the time to the first proven-feasible calendar, status, objective, best bound (and the
time-aggregated relaxation's part of it), gap, the objective by term, the independent checker's
verdict on the hard rules and the objective re-scored from the entries alone (checker.score_rotation).
"""

from __future__ import annotations

import argparse
import time

from matcher.rotation import RotationParams, plan_rotation
from matcher.rotation.checker import check_rotation, score_rotation
from matcher.scenarios import load_scenario


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", default="baoan")
    ap.add_argument("--weeks", type=int, default=13)
    ap.add_argument("--limits", type=float, nargs="+", default=[10.0, 60.0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    s = load_scenario(args.scenario)
    centers = sum(1 for c in s.centers if c.judge_halfdays_per_week)
    print(f"{args.scenario}: {len(s.judges)} judges, {centers} centers needing judges, {args.weeks} weeks x 14 half-days")
    print(f"seed {args.seed}, {args.workers} workers")
    print("| time limit (s) | wall (s) | first feasible (s) | status | objective | bound | aggregate bound (s) | gap | terms | entries | checker | re-scored |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for limit in args.limits:
        t0 = time.perf_counter()
        r = plan_rotation(s, args.weeks, None, params=RotationParams(time_limit_s=limit, workers=args.workers, seed=args.seed))
        wall = time.perf_counter() - t0
        ok = check_rotation(s, r.entries, r.start, args.weeks).ok if r.ok else False
        rescored = score_rotation(s, r.entries, r.start, args.weeks)["objective"] if r.ok else None
        fmt = lambda v, f="{:.1f}": "NA" if v is None else f.format(v)  # noqa: E731
        agg = "NA" if r.aggregate_bound is None else f"{r.aggregate_bound:.1f} ({r.aggregate_seconds:.1f})"
        terms = ", ".join(f"{k} {v:g}" for k, v in r.terms.items())
        print(f"| {limit:g} | {wall:.1f} | {fmt(r.first_feasible_seconds)} | {r.status.value} | {fmt(r.objective)} | {fmt(r.bound)} | {agg} "
              f"| {fmt(None if r.gap is None else 100 * r.gap, '{:.2f}%')} | {terms} | {len(r.entries)} | {'ok' if ok else 'FAIL'} | {fmt(rescored)} |",
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
