"""The engine against the coordinator's greedy, on the bundled scenarios.

Usage::

    python benchmarks/greedy_vs_engine.py [SCENARIO...] [--days D] [--time-limit S] [--workers W] [--seed N]
                                          [--generate N] [--generate-from NAME] [--generate-day YYYY-MM-DD]

Default scenarios: ``baoan`` (a day's queue), ``jinwan``, ``sajin``, and a generated larger batch of
``--generate`` cases on ``--generate-from`` (``matcher.scenarios.generate_cases``). Per scenario and
solver it prints:

- objective: the weighted objective with the engine's default weights, evaluated for both plans by
  the same lines-only evaluator (:func:`matcher.assignment.greedy.plan_terms`);
- unassigned: cases of the request left without a line;
- deadline misses: unassigned cases whose deadline falls inside the horizon (no session can be held
  in time any more; a served case always meets its deadline — a hard rule);
- load std / max: standard deviation and maximum of the number of plan lines per expert, over the
  whole expert pool;
- seconds; and whether the independent checker accepts the plan.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from matcher.assignment import ObjectiveWeights, SolveParams, solve_assignment
from matcher.assignment.greedy import greedy_assignment, plan_objective, plan_terms
from matcher.checker import check_assignment
from matcher.domain import AssignmentRequest, Scenario

DEFAULT_SCENARIOS = ("baoan", "jinwan", "sajin")


def load(name_or_path: str) -> Scenario:
    path = Path(name_or_path)
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            return Scenario.model_validate_json(text)
        import yaml

        return Scenario.model_validate(yaml.safe_load(text))
    from matcher.scenarios import load_scenario

    return load_scenario(name_or_path)


def generated(base: str, n: int, seed: int, day: dt.date | None) -> Scenario:
    """``base`` with its queue replaced by ``n`` generated cases (whatever form the generator returns)."""
    from matcher.scenarios import generate_cases

    s = load(base)
    out = generate_cases(s, n, seed, day or s.today)
    if isinstance(out, Scenario):
        return out
    changes = {"cases": tuple(out), "name": f"{s.name}+{n}gen"}
    if day is not None:
        changes["today"] = day
    return s.replace(**changes)


def measure(s: Scenario, request: AssignmentRequest, lines, seconds: float, weights: ObjectiveWeights) -> dict:
    terms = plan_terms(s, request, lines, weights)
    served = {line.case for line in lines}
    wanted = [c for c in s.cases if request.cases is None or c.id in request.cases]
    last_day = request.slots(s.today)[-1].date
    misses = sum(1 for c in wanted if c.id not in served and c.deadline <= last_day)
    per_expert = Counter(x for line in lines for x in set(line.experts))
    loads = [per_expert.get(e.id, 0) for e in s.experts]
    return dict(
        objective=plan_objective(terms, weights),
        served=len(lines),
        unassigned=int(terms["unassigned"]),
        misses=misses,
        load_std=statistics.pstdev(loads) if loads else 0.0,
        load_max=max(loads, default=0),
        seconds=seconds,
        checked="ok" if check_assignment(s, request, lines).ok else "VIOLATIONS",
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenarios", nargs="*", default=list(DEFAULT_SCENARIOS), help="bundled names or scenario files")
    ap.add_argument("--days", type=int, default=10, help="horizon in days (default 10)")
    ap.add_argument("--time-limit", type=float, default=10.0, help="engine wall-clock limit (default 10 s)")
    ap.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
    ap.add_argument("--seed", type=int, default=0, help="engine and generator seed (default 0)")
    ap.add_argument("--generate", type=int, default=300, help="cases in the generated batch (0: none; default 300)")
    ap.add_argument("--generate-from", default="baoan", help="scenario the batch is generated on (default baoan)")
    ap.add_argument("--generate-day", type=dt.date.fromisoformat, default=None, help="day of the generated batch")
    args = ap.parse_args(argv)

    weights = ObjectiveWeights()
    params = SolveParams(time_limit_s=args.time_limit, workers=args.workers, seed=args.seed)
    worlds: list[tuple[str, callable]] = [(name, lambda name=name: load(name)) for name in args.scenarios]
    if args.generate > 0:
        worlds.append((f"{args.generate_from}+{args.generate} generated",
                       lambda: generated(args.generate_from, args.generate, args.seed, args.generate_day)))

    print(f"# greedy_vs_engine days={args.days} time_limit={args.time_limit}s workers={args.workers} seed={args.seed}")
    print(f"# {'scenario':<24} {'solver':<7} {'cases':>5} {'experts':>7} {'objective':>13} {'served':>6} "
          f"{'unassigned':>10} {'misses':>6} {'load std':>8} {'load max':>8} {'seconds':>8} {'checker':>8}  engine status")
    failures = 0
    for name, make in worlds:
        try:
            s = make()
        except Exception as exc:  # a scenario not bundled yet must not stop the others
            print(f"# {name}: cannot load ({type(exc).__name__}: {exc})")
            continue
        request = AssignmentRequest(horizon_days=args.days)
        t0 = time.perf_counter()
        result = solve_assignment(s, request, weights, params)
        engine = measure(s, request, result.lines, time.perf_counter() - t0, weights)
        t0 = time.perf_counter()
        plan = greedy_assignment(s, request)
        greedy = measure(s, request, plan.lines, time.perf_counter() - t0, weights)
        for solver, m in (("engine", engine), ("greedy", greedy)):
            status = f"{result.status.value} via {result.solver}, gap {pct(result.gap)}" if solver == "engine" else ""
            print(f"  {name:<24} {solver:<7} {len(s.cases):>5} {len(s.experts):>7} {m['objective']:>13.1f} "
                  f"{m['served']:>6} {m['unassigned']:>10} {m['misses']:>6} {m['load_std']:>8.2f} {m['load_max']:>8} "
                  f"{m['seconds']:>8.2f} {m['checked']:>8}  {status}", flush=True)
            failures += m["checked"] != "ok"
        if result.objective is not None and abs(result.objective - engine["objective"]) > 1e-6 * max(1.0, abs(engine["objective"])):
            print(f"# NOTE {name}: engine reports objective {result.objective:.3f}, its lines evaluate to "
                  f"{engine['objective']:.3f}")
    return 1 if failures else 0


def pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.3f}%"


if __name__ == "__main__":
    sys.exit(main())
