"""Recommendation latency for one urgent case against the Jinzhou pool, with a realistic day assigned.

Target (issue #4): p99 under 20 ms in-process over at least 1,000 cases.

The day: ``--day-cases`` cases drawn by ``generate_cases`` (seed ``--seed``) and solved by the engine
(``solve_assignment``, ``--time-limit`` s, 2 workers); its lines are the plan the recommender indexes.
The queries: ``--queries`` further generated cases (seed ``--seed + 1``), each answered with the best
``--k`` teams. Indexing the plan is timed separately (done once per plan, not per query).

Usage::

    .venv/bin/python benchmarks/recommend_latency.py --day-cases 1500 --queries 1000 --time-limit 20
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter

import numpy as np

from matcher.assignment import SolveParams, solve_assignment
from matcher.diagnose import diagnose_case
from matcher.domain import AssignmentRequest, Scenario
from matcher.recommend import Recommender
from matcher.scenarios import load_scenario
from matcher.scenarios.generator import generate_cases


def day_plan(name: str, n: int, seed: int, time_limit: float):  # type: ignore[no-untyped-def]
    base = load_scenario(name)
    day = generate_cases(base, n, seed=seed)
    data = base.model_dump(mode="json")
    data["cases"] = [c.model_dump(mode="json") for c in day]
    world = Scenario.model_validate(data)
    result = solve_assignment(world, AssignmentRequest(), params=SolveParams(time_limit_s=time_limit, workers=2, seed=seed))
    return base, world, result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="jinzhou")
    ap.add_argument("--day-cases", type=int, default=1500)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=20.0)
    args = ap.parse_args()

    t0 = time.perf_counter()
    base, world, result = day_plan(args.scenario, args.day_cases, args.seed, args.time_limit)
    print(f"scenario {args.scenario}: {len(world.experts)} experts ({sum(e.role.value == 'mediator' for e in world.experts)} "
          f"mediators); day of {args.day_cases} cases solved: {result.status.value} via {result.solver}, "
          f"{len(result.lines)} lines, {len(result.unassigned)} unassigned ({time.perf_counter() - t0:.1f} s)")
    t0 = time.perf_counter()
    rec = Recommender(world, result.lines)
    print(f"index the plan: {1000 * (time.perf_counter() - t0):.0f} ms (once per plan)")
    queries = generate_cases(base, args.queries, seed=args.seed + 1)
    for case in queries[:20]:  # warm the per-category / per-language caches as a running service would
        rec.recommend(case, args.k)
    times, empty = [], []
    for case in queries:
        t = time.perf_counter()
        out = rec.recommend(case, args.k)
        times.append(1000 * (time.perf_counter() - t))
        if not out.recommendations:
            empty.append(case)
    a = np.array(times)
    print(f"{len(a)} queries, k={args.k}: p50 {np.percentile(a, 50):.2f} ms, p90 {np.percentile(a, 90):.2f} ms, "
          f"p99 {np.percentile(a, 99):.2f} ms, max {a.max():.2f} ms, mean {statistics.fmean(times):.2f} ms; "
          f"{len(empty)} with no feasible team")
    print(f"target p99 < 20 ms: {'met' if np.percentile(a, 99) < 20 else 'MISSED'}")
    if empty:  # why none: the smallest blocking rule sets, found from the masks
        cores: Counter[str] = Counter()
        took = []
        for case in empty:
            t = time.perf_counter()
            d = diagnose_case(rec, case)
            took.append(1000 * (time.perf_counter() - t))
            cores.update("{" + ", ".join(s.core) + "}" for s in d.seats if s.core)
            if not any(s.core for s in d.seats):
                cores["team level (no common half-day)" if not d.feasible else "feasible (beyond the shortlist)"] += 1
        b = np.array(took)
        print(f"diagnosis of the {len(empty)} cases without a team: p50 {np.percentile(b, 50):.1f} ms, "
              f"max {b.max():.1f} ms; smallest blocking rule sets: "
              + "; ".join(f"{n} × {c}" for c, n in cores.most_common(6)))
        print(f"  e.g. {empty[0].id}: {diagnose_case(rec, empty[0]).reasons[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
