"""A sweep of scenario variants × replications on Dask: speed-up of 2 workers over 1.

    python benchmarks/simulation_sweep.py --base sajin --variants 20 --replications 5 --days 90

The variants are generated: the base, and staffing / demand changes around it (more or fewer
mediators at a center, arrivals ×0.8 … ×1.5). The same sweep runs on a LocalCluster of 1 and of 2
worker processes (and in-process for reference); it prints each wall time, the speed-up, and checks
that the results are identical whatever the number of workers. Issue #6 target: ≥ 1.8× on 2 workers.
"""

from __future__ import annotations

import argparse
import time

from matcher.scenarios import load_scenario
from matcher.simulation import DaskRunner, SerialRunner, SimulationParams
from matcher.simulation.compare import compare_scenarios
from matcher.simulation.variants import ScenarioVariant


def variants(base: str, n: int) -> list[ScenarioVariant]:
    scen = load_scenario(base)
    centers = [c.id for c in scen.centers]
    out = [ScenarioVariant(name="base", base=base)]
    k = 0
    while len(out) < n:
        k += 1
        c = centers[k % len(centers)]
        kind = k % 3
        if kind == 0:
            ch = {"add_experts": {"role": "mediator", "center": c, "count": 1 + k % 4}}
        elif kind == 1:
            ch = {"scale_arrivals": {"factor": round(0.8 + 0.05 * (k % 15), 2)}}
        else:
            ch = {"remove_experts": {"role": "mediator", "count": 1 + k % 3}}
        out.append(ScenarioVariant.model_validate(dict(name=f"v{k:02d}", base=base, changes=[ch])))
    return out


def strip(report) -> list:  # type: ignore[no-untyped-def]
    return [[{m: x for m, x in r.items() if m != "solve_seconds"} for r in v.report.per_replication] for v in report.variants]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="sajin")
    ap.add_argument("--variants", type=int, default=20)
    ap.add_argument("--replications", type=int, default=5)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--time-limit", type=float, default=1.0)
    ap.add_argument("--skip-serial", action="store_true")
    args = ap.parse_args()
    vs = variants(args.base, args.variants)
    params = SimulationParams(time_limit_s=args.time_limit)
    run = dict(days=args.days, replications=args.replications, seed=args.seed, params=params, warmup_days=10)
    tasks = len(vs) * args.replications
    print(f"{len(vs)} variants × {args.replications} replications = {tasks} runs of {args.days} days of {args.base}")
    times, results = {}, {}
    if not args.skip_serial:
        t = time.perf_counter()
        results["in-process"] = compare_scenarios(vs, runner=SerialRunner(), **run)
        times["in-process"] = time.perf_counter() - t
        print(f"in-process: {times['in-process']:,.1f} s")
    for w in (1, 2):
        with DaskRunner(n_workers=w) as runner:  # cluster start-up is outside the timing
            t = time.perf_counter()
            results[f"dask-{w}"] = compare_scenarios(vs, runner=runner, **run)
            times[f"dask-{w}"] = time.perf_counter() - t
        print(f"Dask, {w} worker(s): {times[f'dask-{w}']:,.1f} s")
    print(f"speed-up, 2 workers vs 1: {times['dask-1'] / times['dask-2']:.2f}×")
    if "in-process" in times:
        print(f"speed-up, 2 workers vs in-process: {times['in-process'] / times['dask-2']:.2f}×")
    same = len({repr(strip(r)) for r in results.values()}) == 1
    print(f"identical KPIs for every runner: {same}")


if __name__ == "__main__":
    main()
