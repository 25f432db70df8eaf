"""The simulator (real engine each day) against queueing theory: M/M/c with a once-a-day batch.

    python benchmarks/erlang_check.py --c 3 --lam 0.8 --mu 0.5 --days 1500 --replications 20 --seed 11

Prints the simulated mean wait with its 95% interval, the exact mean wait of the once-a-day system
(a Markov chain, :func:`matcher.simulation.erlang.batch_queue_wait`), the Erlang-C value it tends to
as the decision step shrinks, and the utilization against ρ = λ/(cμ). The same check with a tolerance
from the interval is the test tests/simulation/test_erlang_c.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from matcher.assignment import ObjectiveWeights
from matcher.simulation import SimulationParams, simulate
from matcher.simulation.erlang import batch_queue_wait, erlang_c_wait

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from simulation.conftest import mmc_world  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--c", type=int, default=3)
    ap.add_argument("--lam", type=float, default=0.8)
    ap.add_argument("--mu", type=float, default=0.5)
    ap.add_argument("--days", type=int, default=1500)
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()
    params = SimulationParams(weekly_pattern=(1,) * 7, peaks=(), service_days={"neighbor": 1 / a.mu},
                              resolution={"neighbor": 1.0}, sick_leave_rate=0.0, sessions=False, horizon_days=1,
                              time_limit_s=2.0, workers=1, judge_share=0.0, high_risk_family_share=0.0)
    rep = simulate(mmc_world(a.c, a.lam), days=a.days, replications=a.replications, seed=a.seed, params=params,
                   weights=ObjectiveWeights(balance=0), warmup_days=100)
    w, u = rep.summary["mean_wait"], rep.summary["utilization_mediator"]
    exact, ec = batch_queue_wait(a.c, a.lam, a.mu), erlang_c_wait(a.c, a.lam, a.mu)
    print(f"M/M/{a.c}, λ={a.lam}/day, μ={a.mu}/day, {a.replications} replications × {a.days} days (100 warm-up), seed {a.seed}, "
          f"{rep.wall_seconds:.1f} s")
    print(f"simulated mean wait: {w.mean:.3f} days, 95% CI [{w.low:.3f}, {w.high:.3f}]")
    print(f"once-a-day queue, exact: {exact:.3f} days -> {'inside' if w.low <= exact <= w.high else 'OUTSIDE'} the interval")
    print(f"Erlang-C (continuous decisions): {ec:.3f} days; discretisation {exact - ec:.3f} days")
    print(f"utilization: {u.mean:.3f} [{u.low:.3f}, {u.high:.3f}] vs ρ = {a.lam / (a.c * a.mu):.3f}")


if __name__ == "__main__":
    main()
