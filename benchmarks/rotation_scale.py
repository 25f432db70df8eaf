"""Judge rotation at Bao'an scale: ~60 judges, the centers that need judges, 13 weeks of half-days.

    python benchmarks/rotation_scale.py --scenario baoan --weeks 13 --limits 10 60 --seed 0

For each time limit: wall time of the whole plan (model building, greedy start, solve), status,
objective, best bound, gap, and the independent checker's verdict.
"""

from __future__ import annotations

import argparse
import time

from matcher.rotation import RotationParams, plan_rotation
from matcher.rotation.checker import check_rotation
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
    print("| time limit (s) | wall (s) | status | objective | bound | gap | entries | checker |")
    print("|---|---|---|---|---|---|---|---|")
    for limit in args.limits:
        t0 = time.perf_counter()
        r = plan_rotation(s, args.weeks, None, params=RotationParams(time_limit_s=limit, workers=args.workers, seed=args.seed))
        wall = time.perf_counter() - t0
        ok = check_rotation(s, r.entries, r.start, args.weeks).ok if r.ok else False
        gap = "NA" if r.gap is None else f"{100 * r.gap:.1f}%"
        obj = "NA" if r.objective is None else f"{r.objective:.1f}"
        bound = "NA" if r.bound is None else f"{r.bound:.1f}"
        print(f"| {limit:g} | {wall:.1f} | {r.status.value} | {obj} | {bound} | {gap} | {len(r.entries)} | {'ok' if ok else 'FAIL'} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
