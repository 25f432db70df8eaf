"""Consistency of single-case recommendations with the batch solve (issue #4).

A day of cases (the bundled Bao'an scenario, or ``--cases`` generated ones) is solved by the engine.
Then ``--sample`` random cases of that day are taken out of the plan one at a time and asked for the
best ``--k`` teams on top of the rest of the plan. For each case:

- every recommended line is added to the rest of the plan and checked by the independent checker
  (:func:`matcher.checker.check_assignment`): all must be accepted;
- the batch's own line for the case is classified as: *in the top k* (same team, slot and mode);
  *explained* — not offered, but no worse for the engine's objective than
  every offered line (each offered line's change of the plan objective, by term, from
  :class:`matcher.explain.Explainer`, is >= 0: the recommender's order differs by its load-share
  tie-break or its per-seat shortlist); *batch improvable* — an offered line would lower the plan's
  objective (the batch solve was not proven optimal); or *unexplained* — the batch line breaks one of
  the recommender's masks (this would be a disagreement between the two on feasibility).

Usage::

    .venv/bin/python benchmarks/recommend_consistency.py --sample 200 --k 5 --time-limit 10
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter

import numpy as np

from matcher.assignment import SolveParams, solve_assignment
from matcher.checker import check_assignment
from matcher.diagnose import seat_rules
from matcher.domain import AssignmentRequest, Scenario
from matcher.explain import Explainer
from matcher.scenarios import load_scenario
from matcher.scenarios.generator import generate_cases


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="baoan")
    ap.add_argument("--cases", type=int, default=0, help="generate this many cases for the day (0: the bundled ones)")
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-limit", type=float, default=10.0)
    args = ap.parse_args()

    world = load_scenario(args.scenario)
    if args.cases:
        data = world.model_dump(mode="json")
        data["cases"] = [c.model_dump(mode="json") for c in generate_cases(world, args.cases, seed=args.seed)]
        world = Scenario.model_validate(data)
    t0 = time.perf_counter()
    result = solve_assignment(world, AssignmentRequest(), params=SolveParams(time_limit_s=args.time_limit, workers=2, seed=args.seed))
    plan = list(result.lines)
    print(f"{world.name}: {len(world.experts)} experts, {len(world.cases)} cases; batch {result.status.value} via "
          f"{result.solver}, {len(plan)} lines, {len(result.unassigned)} unassigned, gap {result.gap} "
          f"({time.perf_counter() - t0:.1f} s)")
    request = AssignmentRequest()
    ex = Explainer(world, plan)
    rng = random.Random(args.seed)
    sample = rng.sample(plan, min(args.sample, len(plan)))
    counts: Counter[str] = Counter()
    offered = accepted = 0
    rejected: list[str] = []
    t_rec, t_check = [], 0.0
    for line in sample:
        case = world.case_by_id[line.case]
        rest = [ln for ln in plan if ln.case != line.case]
        ex.rec.remove(line)
        try:
            t = time.perf_counter()
            recs = ex.rec.recommend(case, args.k).recommendations
            t_rec.append(1000 * (time.perf_counter() - t))
            t = time.perf_counter()
            for r in recs:
                offered += 1
                report = check_assignment(world, request, [*rest, r.line])
                if report.ok:
                    accepted += 1
                else:
                    rejected.append(f"{line.case}: {report}")
            t_check += time.perf_counter() - t
            same = [r for r in recs if r.line.experts == line.experts]
            if any(r.line.slot == line.slot and r.line.online == line.online for r in same):
                counts["in top k"] += 1
                continue
            mode = 1 if line.online else 0
            k_slot = ex.rec.slot_pos[line.slot] if line.slot is not None else 0
            masks_ok = all(
                seat_rules(ex.rec, case, s.role).allowed()[ex.rec.index[s.expert], mode, k_slot] for s in line.team)
        finally:
            ex.rec.add(line)
        if not masks_ok:
            counts["unexplained (batch line breaks a recommender mask)"] += 1
            continue
        terms = ex.line_terms(case, line)
        deltas = [ex._alternative(case, line, terms, r.line) for r in recs]
        note = ", same team offered at another slot" if same else ""
        if all(d.weighted_delta >= -1e-6 for d in deltas):
            counts[f"explained (no offered line beats it on the plan objective{note})"] += 1
        else:
            counts[f"batch improvable (an offered line lowers the plan objective{note})"] += 1
    n = len(sample)
    print(f"{n} cases sampled, k={args.k}: {offered} lines offered, {accepted} accepted by the checker "
          f"({'all' if accepted == offered else 'NOT ALL'})")
    for name, c in counts.most_common():
        print(f"  {name}: {c} ({100 * c / n:.1f}%)")
    a = np.array(t_rec)
    print(f"recommend on top of the plan: p50 {np.percentile(a, 50):.2f} ms, p99 {np.percentile(a, 99):.2f} ms; "
          f"checker {1000 * t_check / max(1, offered):.1f} ms per line checked")
    for r in rejected[:5]:
        print("  rejected:", r)
    return 0 if accepted == offered else 1


if __name__ == "__main__":
    raise SystemExit(main())
