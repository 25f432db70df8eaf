"""Scale of the case-assignment engine: a Bao'an day and a Jinzhou-scale batch.

Targets (issue #3): a Bao'an day (about 370 cases, 1,200 experts) solved to proven optimality in
under 5 s; a Jinzhou-scale batch (20,000 cases, 6,749 experts) feasible in under 60 s with the gap to
the bound reported, peak memory under 4 GB.

Usage::

    .venv/bin/python benchmarks/assign_scale.py baoan --runs 3 --time-limit 5
    .venv/bin/python benchmarks/assign_scale.py jinzhou --cases 20000 --time-limit 60

Scenarios come from ``matcher.scenarios`` (``load_scenario``; ``generate_cases`` when ``--cases`` is
given). ``--synthetic`` uses the stand-in generator below instead (for use before the bundled
scenarios exist; its figures are labelled as such). Each run prints status, objective, bound, gap,
solve time, lines, unassigned, the independent checker's verdict and the peak RSS of the process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import statistics
import sys
import time

from matcher.assignment import ObjectiveWeights, SolveParams, solve_assignment
from matcher.domain import INDUSTRY_CATEGORIES, AssignmentRequest, Category, Role, Scenario


def synthetic(n_cases: int, n_experts: int, seed: int = 0, n_streets: int = 10, n_communities: int = 124,
              judges: int = 20) -> Scenario:
    """A Bao'an-shaped stand-in: 1 district, streets, communities; mediators, industry mediators,
    lawyers, counselors, judges on rotation; cases with 1–4 roles, 85% needing a session."""
    rng = random.Random(seed)
    today = dt.date(2024, 3, 4)
    centers = [dict(id="dist", name="District", level="district", lat=22.55, lon=113.88, rooms=8)]
    for i in range(n_streets):
        centers.append(dict(id=f"st{i}", name=f"St{i}", level="street", parent="dist",
                            lat=22.55 + rng.uniform(-0.15, 0.15), lon=113.88 + rng.uniform(-0.15, 0.15), rooms=3))
    for i in range(n_communities):
        parent = centers[1 + rng.randrange(n_streets)]
        centers.append(dict(id=f"cm{i}", name=f"Cm{i}", level="community", parent=parent["id"],
                            lat=parent["lat"] + rng.uniform(-0.03, 0.03), lon=parent["lon"] + rng.uniform(-0.03, 0.03),
                            rooms=1))
    cats = list(Category)
    industries = sorted(INDUSTRY_CATEGORIES)
    roles = [Role.MEDIATOR] * 50 + [Role.INDUSTRY_MEDIATOR] * 20 + [Role.LAWYER] * 12 + [Role.COUNSELOR] * 8 \
        + [Role.SOCIAL_WORKER] * 5 + [Role.POLICE] * 5
    experts = []
    for i in range(n_experts - judges):
        role = rng.choice(roles)
        d = dict(id=f"e{i}", name=f"E{i}", role=role.value, home_center=rng.choice(centers)["id"],
                 max_travel_minutes=rng.choice([30, 45, 60, 90]), open_cases=rng.randint(0, 10), max_open_cases=20,
                 max_sessions_per_week=rng.choice([4, 6, 10]), online_capable=rng.random() < 0.8)
        if role == Role.INDUSTRY_MEDIATOR:
            k = rng.choice(industries)
            d["industry"] = k.value
            d["categories"] = {k.value: rng.randint(2, 5)}
        elif role in (Role.MEDIATOR, Role.LAWYER):
            d["categories"] = {c.value: rng.randint(1, 5) for c in rng.sample(cats, 5)}
        if rng.random() < 0.3:
            week = [dict(weekday=w, half=h) for w in range(5) for h in ("am", "pm") if rng.random() < 0.6]
            if week:
                d["availability"] = week
        experts.append(d)
    rotation = []
    for j in range(judges):
        experts.append(dict(id=f"j{j}", name=f"J{j}", role="judge", court="court0", home_center="dist"))
        for day in range(14):
            date = today + dt.timedelta(days=day)
            if date.weekday() < 5 and rng.random() < 0.4:
                rotation.append(dict(judge=f"j{j}", center=f"st{rng.randrange(n_streets)}",
                                     slot=dict(date=date.isoformat(), half=rng.choice(["am", "pm"]))))
    cases = []
    for k in range(n_cases):
        cat = rng.choice(cats)
        c = rng.choice(centers[: 1 + n_streets] * 3 + centers)
        need = [Role.INDUSTRY_MEDIATOR if cat in INDUSTRY_CATEGORIES and rng.random() < 0.5 else Role.MEDIATOR]
        if rng.random() < 0.2:
            need.append(Role.LAWYER)
        if rng.random() < 0.1:
            need.append(Role.COUNSELOR)
        if rng.random() < 0.05 and c["level"] == "street":
            need.append(Role.JUDGE)
        risk = "high" if cat == Category.MARRIAGE_FAMILY and rng.random() < 0.2 else rng.choice(["low", "low", "medium"])
        received = dt.datetime(2024, 3, 4, 8) - dt.timedelta(days=rng.randint(0, 10))
        cases.append(dict(id=f"k{k}", category=cat.value, center=c["id"], received=received.isoformat(),
                          deadline=(today + dt.timedelta(days=rng.randint(2, 20))).isoformat(), risk=risk,
                          needs_roles=[r.value for r in need], needs_session=rng.random() < 0.85,
                          online_allowed=rng.random() < 0.6))
    return Scenario.model_validate(dict(
        name=f"synthetic-{n_cases}x{n_experts}", today=today, centers=centers,
        courts=[dict(id="court0", name="Court", lat=22.55, lon=113.88, center="st0")],
        experts=experts, cases=cases, rotation=rotation))


def load(args: argparse.Namespace) -> Scenario:
    if args.synthetic:
        experts = args.experts or (1200 if args.scenario == "baoan" else 6749)
        return synthetic(args.cases or (370 if args.scenario == "baoan" else 20000), experts, seed=args.seed)
    from matcher.scenarios import generate_cases, load_scenario

    scenario = load_scenario(args.scenario)
    if args.cases:
        cases = generate_cases(scenario, args.cases, args.seed, scenario.today)
        # A validated copy: model_copy would carry the original's cached lookups.
        scenario = scenario.replace(cases=[c.model_dump() for c in cases])
    return scenario


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", help="bundled scenario name (baoan, jinzhou, ...)")
    ap.add_argument("--cases", type=int, default=None, help="generate this many cases (generate_cases)")
    ap.add_argument("--experts", type=int, default=None, help="--synthetic only: pool size")
    ap.add_argument("--synthetic", action="store_true", help="use the stand-in generator of this script")
    ap.add_argument("--days", type=int, default=10)
    ap.add_argument("--time-limit", type=float, default=5.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--runs", type=int, default=1, help="runs (seeds seed, seed+1, ...); medians are printed")
    ap.add_argument("--no-check", action="store_true", help="skip the independent checker")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    scenario = load(args)
    print(f"scenario {scenario.name}: {len(scenario.cases)} cases, {len(scenario.experts)} experts, "
          f"{len(scenario.centers)} centers (loaded in {time.perf_counter() - t0:.1f} s)")
    request = AssignmentRequest(horizon_days=args.days)
    times, gaps = [], []
    for run in range(args.runs):
        params = SolveParams(time_limit_s=args.time_limit, workers=args.workers, seed=args.seed + run)
        r = solve_assignment(scenario, request, ObjectiveWeights(), params)
        verdict = "skipped"
        if not args.no_check and r.ok:
            from matcher.checker import check_assignment

            report = check_assignment(scenario, request, r.lines)
            verdict = "ok" if report.ok else f"{len(report.violations)} violations"
        gap = f"{100 * r.gap:.3f}%" if r.gap is not None else "n/a"
        print(f"run {run}: seed {r.seed} status {r.status.value} via {r.solver}; objective {r.objective} "
              f"bound {r.bound} gap {gap}; {r.solve_seconds:.2f} s; lines {len(r.lines)} unassigned "
              f"{len(r.unassigned)}; checker {verdict}")
        print(f"        terms {r.terms}")
        print(f"        details {r.details}")
        times.append(r.solve_seconds)
        if r.gap is not None:
            gaps.append(r.gap)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"median solve time {statistics.median(times):.2f} s over {len(times)} run(s); "
          f"median gap {100 * statistics.median(gaps):.3f}%" if gaps else "no gap")
    print(f"peak RSS {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
