"""One simulated year of a scenario, one replication, the real engine every day: wall time and peak memory.

    python benchmarks/simulation_year.py baoan --days 365 --time-limit 0.5
    python benchmarks/simulation_year.py scenarios/variants/baoan-more-rooms.yaml --days 365 --time-limit 0.5
    python benchmarks/simulation_year.py scenarios/variants/baoan-more-rooms.yaml --days 365 --announced pinned

Prints the wall time, the peak resident memory of the process, the disputes simulated, the engine's
time per day (median and p90 of the daily batches) and the main KPIs. ``--announced pinned`` passes
the announced sessions as pins (each re-derived by the engine) instead of reserved lines, for comparison. Issue #6 target: under 5
minutes for one replication of Bao'an on this 2-core machine.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

from matcher.simulation import SimulationParams
from matcher.simulation.engine import ANNOUNCED, DaySimulator
from matcher.simulation.arrivals import RandomStreams
from matcher.simulation.kpis import replication_kpis
from matcher.simulation.variants import apply_variant, load_variant


class TimedDays(DaySimulator):
    """The simulator, remembering each daily batch's size and engine time."""

    def __init__(self, *a, **k) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*a, **k)
        self.batches: list[tuple[int, int, float]] = []

    def _batch(self, day, horizon_end, waiting, pinned, rotation):  # type: ignore[no-untyped-def]
        out = super()._batch(day, horizon_end, waiting, pinned, rotation)
        self.batches.append((len(waiting), len(pinned), out[2]))
        return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="baoan", help="bundled scenario, scenario file or variant file")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--time-limit", type=float, default=0.5, help="engine seconds per simulated day")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--assigner", choices=("engine", "greedy"), default="engine")
    ap.add_argument("--announced", choices=ANNOUNCED, default="reserved",
                    help="how announced sessions enter the next batch")
    args = ap.parse_args()
    scenario, params = apply_variant(load_variant(args.scenario), SimulationParams(time_limit_s=args.time_limit))
    t0 = time.perf_counter()
    sim = TimedDays(scenario, params, RandomStreams(args.seed, 0), assigner=args.assigner, announced=args.announced)
    trace = sim.run(args.days, lambda d, n, o: print(f"\rday {d + 1}/{n}, {o:,} open, {time.perf_counter() - t0:,.0f} s",
                                                     end="", flush=True))
    wall = time.perf_counter() - t0
    print()
    k = replication_kpis(trace)
    secs = sorted(b[2] for b in sim.batches)
    waiting = [b[0] for b in sim.batches]
    print(f"scenario {scenario.name}: {len(scenario.experts):,} experts, {args.days} days, seed {args.seed}, "
          f"assigner {args.assigner}, time limit {args.time_limit} s/day, announced sessions {args.announced}")
    print(f"disputes arrived: {int(k['cases_arrived']):,}; escalations {int(k['escalated']):,}")
    print(f"wall time: {wall:,.1f} s ({wall / 60:.2f} min); peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    print(f"engine per day: median {statistics.median(secs):.2f} s, p90 {secs[int(0.9 * (len(secs) - 1))]:.2f} s, "
          f"total {sum(secs):,.1f} s over {len(secs)} batches; statuses {trace.solver_status}")
    print(f"waiting after the batch: first week {statistics.mean(waiting[:7]):,.0f}, last week {statistics.mean(waiting[-7:]):,.0f}")
    planned = sorted(b[0] for b in sim.batches)
    print(f"cases planned per batch: median {statistics.median(planned):,.0f}, max {planned[-1]:,}; "
          f"announced sessions kept per batch: median {statistics.median(b[1] for b in sim.batches):,.0f}")
    for lo, hi in ((0, 1000), (1000, 2000), (2000, 10**9)):
        band = [b[2] for b in sim.batches if lo <= b[0] < hi]
        if band:
            print(f"  batches of {lo:,}{'+' if hi > 10**8 else f'–{hi - 1:,}'} cases: {len(band)}, engine median "
                  f"{statistics.median(band):.2f} s, max {max(band):.2f} s")
    for day, status, reason in sim.failures:
        print(f"  no plan on {day} ({status}): {reason[:300]}")
    for name in ("first_session_p50", "first_session_p90", "resolved_in_time", "backlog_mean", "utilization_mediator"):
        print(f"  {name}: {k[name]:.3f}")


if __name__ == "__main__":
    main()
