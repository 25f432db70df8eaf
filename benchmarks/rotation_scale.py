"""Judge rotation at Bao'an scale: ~60 judges, the centers that need judges, 13 weeks of half-days.

    python benchmarks/rotation_scale.py --scenario baoan --weeks 13 --limits 10 60 --seed 0
    python benchmarks/rotation_scale.py --scenario baoan --weeks 13 --limits 10 --seed 0 --replan 4:2

For each time limit: wall time of the whole plan (model building, aggregate relaxation, greedy start,
solve), the time to the first proven-feasible calendar, status, objective, best bound (and the
time-aggregated relaxation's part of it), gap, the objective by term, the independent checker's
verdict on the hard rules and the objective re-scored from the entries alone (checker.score_rotation).
With ``--replan W:N``, each plan is then re-planned with the judge of its first entry absent for N
weeks from week W (0-based): a row "replan" with the same columns, the changes among the terms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from matcher.domain import DateRange
from matcher.rotation import RotationConfig, RotationParams, RotationResult, plan_rotation, replan_rotation
from matcher.rotation.checker import check_rotation, score_rotation
from matcher.scenarios import load_scenario


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", default="baoan")
    ap.add_argument("--weeks", type=int, default=13)
    ap.add_argument("--limits", type=float, nargs="+", default=[10.0, 60.0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--replan", default=None, metavar="W:N", help="then re-plan with one judge absent N weeks from week W")
    args = ap.parse_args()
    s = load_scenario(args.scenario)
    centers = sum(1 for c in s.centers if c.judge_halfdays_per_week)
    print(f"{args.scenario}: {len(s.judges)} judges, {centers} centers needing judges, {args.weeks} weeks x 14 half-days")
    print(f"seed {args.seed}, {args.workers} workers")
    print("| time limit (s) | wall (s) | first feasible (s) | status | objective | bound | aggregate bound (s) | gap | terms | entries | checker | re-scored |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for limit in args.limits:
        params = RotationParams(time_limit_s=limit, workers=args.workers, seed=args.seed)
        t0 = time.perf_counter()
        r = plan_rotation(s, args.weeks, None, params=params)
        wall = time.perf_counter() - t0
        ok = check_rotation(s, r.entries, r.start, args.weeks).ok if r.ok else False
        rescored = score_rotation(s, r.entries, r.start, args.weeks)["objective"] if r.ok else None
        row(f"{limit:g}", wall, r, ok, rescored)
        if args.replan and r.ok:
            w, n = (int(x) for x in args.replan.split(":"))
            judge = r.entries[0].judge
            absent = DateRange(start=r.start + dt.timedelta(weeks=w), end=r.start + dt.timedelta(weeks=w + n, days=-1))
            t0 = time.perf_counter()
            rr = replan_rotation(s, r.entries, judge, absent, weeks=args.weeks, start=r.start, params=params)
            wall = time.perf_counter() - t0
            kept = [e for e in r.entries if e.slot.date < absent.start]
            ok = check_rotation(s, rr.entries, rr.start, args.weeks, absences=[(judge, absent)], pinned=kept).ok if rr.ok else False
            rescored = None
            if rr.ok:  # the score has no changes term: add the published half-days changed in the window
                changed = sum(1 for e in set(r.entries) ^ set(rr.entries) if e.slot.date >= absent.start)
                rescored = score_rotation(s, rr.entries, rr.start, args.weeks, absences=[(judge, absent)])["objective"] \
                    + RotationConfig().changes * changed
            row(f"{limit:g} replan {judge} absent {absent.start}..{absent.end}", wall, rr, ok, rescored)
    return 0


def row(label: str, wall: float, r: RotationResult, ok: bool, rescored: float | None) -> None:
    fmt = lambda v, f="{:.1f}": "NA" if v is None else f.format(v)  # noqa: E731
    agg = "NA" if r.aggregate_bound is None else f"{r.aggregate_bound:.1f} ({r.aggregate_seconds:.1f})"
    terms = ", ".join(f"{k} {v:g}" for k, v in r.terms.items())
    print(f"| {label} | {wall:.1f} | {fmt(r.first_feasible_seconds)} | {r.status.value} | {fmt(r.objective)} | {fmt(r.bound)} | {agg} "
          f"| {fmt(None if r.gap is None else 100 * r.gap, '{:.2f}%')} | {terms} | {len(r.entries)} | {'ok' if ok else 'FAIL'} | {fmt(rescored)} |",
          flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
