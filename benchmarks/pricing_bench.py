"""Pricing one employee: the day DP against the CP-SAT pricer, at random cover duals.

    python benchmarks/pricing_bench.py ../shared/benchmarks/rostering/curtois/Instance{5..10}.txt --draws 3 --seed 0

Prints one line per instance: median milliseconds per employee for each pricer, the ratio, how many
DP calls were exact (else the column generation falls back to CP-SAT), and whether the two minima
agreed on every exact call.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

import numpy as np

from matcher.io.curtois import read_curtois, to_roster_problem
from matcher.rotation.colgen import ColumnGeneration


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("instances", nargs="+", type=Path)
    ap.add_argument("--draws", type=int, default=3, help="random dual vectors per instance")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print("instance dp_ms cpsat_ms ratio exact agree")
    for path in args.instances:
        p = to_roster_problem(read_curtois(path))
        cg = ColumnGeneration(p, workers=1, seed=args.seed)
        rng = random.Random(args.seed)
        dp_ms, cp_ms, exact, agree = [], [], 0, True
        for _ in range(args.draws):
            duals = {(c.period, c.kind): rng.uniform(0, 60) for c in cg.covers}
            for s, pricer in enumerate(cg.pricers):
                cost = cg.reduced_costs(s, duals)
                t = time.perf_counter()
                r = pricer.dp.solve(cost)
                dp_ms.append(1000 * (time.perf_counter() - t))
                t = time.perf_counter()
                out = pricer.price_cp_sat(duals, time_limit_s=10, seed=args.seed, gap=0.0)  # to optimality
                cp_ms.append(1000 * (time.perf_counter() - t))
                if r.exact and out is not None:
                    exact += 1
                    cp_value = float(sum(cost[d, k] for d, k in enumerate(out[1]) if k >= 0))
                    agree &= bool(np.isclose(r.value, cp_value, atol=1e-6))
        d, c = statistics.median(dp_ms), statistics.median(cp_ms)
        print(f"{path.stem} {d:.2f} {c:.2f} {c / d:.1f} {exact}/{len(dp_ms)} {agree}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
