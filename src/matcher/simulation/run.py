"""``simulate(scenario, days, replications, seed, params) -> SimulationReport``: the public entry point.

Replication ``r`` of a run seeded ``seed`` draws only from generators keyed by ``(seed, r, …)`` (see
:class:`~matcher.simulation.arrivals.RandomStreams`), so its result does not depend on how many
replications run, in which order, or on how many workers: :func:`simulate` hands replications to a
:class:`~matcher.simulation.parallel.Runner` (in-process by default, or Dask) and puts the results
back in replication order. The engine itself is seeded; a daily solve that hits its time limit
before closing its gap can depend on machine speed — ``assigner="greedy"``, or solves that finish
inside their limit, are fully deterministic.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from matcher.assignment import ObjectiveWeights
from matcher.domain import Scenario

from .arrivals import RandomStreams
from .engine import DaySimulator, ReplicationTrace
from .kpis import KPI_DOCS, Estimate, replication_kpis, summarise, utilization_grid
from .params import SimulationParams
from .parallel import Runner, SerialRunner

#: Bins (days) of the waiting-time histogram kept per replication: half-days up to 60 days, then one
#: open bin. Enough for the planner's distribution plots without shipping every wait between workers.
WAIT_BIN_EDGES: tuple[float, ...] = tuple(x / 2 for x in range(121)) + (math.inf,)

Progress = Callable[[int, int], None]  # (tasks done, tasks in all)


class ReplicationResult(BaseModel):
    """What one replication reports: small, picklable, the same whichever worker ran it."""

    model_config = ConfigDict(frozen=True, ser_json_inf_nan="strings")  # JSON without NaN (PostgreSQL refuses it)

    replication: int
    kpis: dict[str, float]
    backlog: list[int] = Field(description="Open disputes at the end of each day")
    wait_histogram: list[int] = Field(description="Disputes by time to first session, bins WAIT_BIN_EDGES")
    utilization: dict[str, dict[str, float]] = Field(description="Mean utilization by home center and role")
    solver_status: dict[str, int]


class SimulationReport(BaseModel):
    """KPIs of every replication, their means with 95% t-intervals, and the mean backlog by day."""

    model_config = ConfigDict(frozen=True, ser_json_inf_nan="strings")  # JSON without NaN (PostgreSQL refuses it)

    scenario: str
    start: dt.date
    days: int
    replications: int
    seed: int
    warmup_days: int
    assigner: str
    params: SimulationParams
    per_replication: list[dict[str, float]]
    summary: dict[str, Estimate]
    backlog_by_day: list[float] = Field(description="Open disputes at the end of each day, mean over replications")
    wait_histogram: list[int] = Field(description="Disputes by time to first session over all replications")
    utilization: dict[str, dict[str, float]] = Field(description="Utilization by center and role, mean over replications")
    wall_seconds: float


def run_replication(
    scenario: Scenario,
    days: int,
    seed: int,
    replication: int,
    params: SimulationParams,
    weights: ObjectiveWeights | None = None,
    *,
    assigner: str = "engine",
    start: dt.date | None = None,
    progress: Callable[[int, int, int], None] | None = None,
) -> ReplicationTrace:
    """Replication ``replication`` of a run seeded ``seed`` (independent of the other replications)."""
    sim = DaySimulator(scenario, params, RandomStreams(seed, replication), weights, start=start, assigner=assigner,
                       solve_seed=seed % (2**31))
    return sim.run(days, progress)


def replicate(
    scenario: Scenario,
    days: int,
    seed: int,
    replication: int,
    params: SimulationParams,
    weights: ObjectiveWeights | None = None,
    assigner: str = "engine",
    warmup_days: int = 0,
    start: dt.date | None = None,
) -> ReplicationResult:
    """One replication reduced to what reports need (the unit of work a Dask worker runs)."""
    trace = run_replication(scenario, days, seed, replication, params, weights, assigner=assigner, start=start)
    waits = [r.first_session - r.arrived for r in trace.records if r.arrived >= warmup_days and r.first_session is not None]
    hist, _ = np.histogram(np.asarray(waits, dtype=float), bins=np.asarray(WAIT_BIN_EDGES))
    return ReplicationResult(
        replication=replication, kpis=replication_kpis(trace, warmup_days), backlog=trace.backlog,
        wait_histogram=[int(x) for x in hist], utilization=utilization_grid(trace, warmup_days),
        solver_status=trace.solver_status,
    )


def check_run(days: int, replications: int, warmup_days: int, seed: int) -> None:
    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")
    if replications < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    if not 0 <= warmup_days < days:
        raise ValueError(f"warmup_days must be in [0, days={days}), got {warmup_days}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")


def report_from(
    scenario: Scenario, results: Sequence[ReplicationResult], *, days: int, seed: int, warmup_days: int,
    assigner: str, params: SimulationParams, start: dt.date | None, wall_seconds: float,
) -> SimulationReport:
    """Combine replication results (in replication order) into a report."""
    results = sorted(results, key=lambda r: r.replication)
    per_rep = [r.kpis for r in results]
    grid: dict[str, dict[str, list[float]]] = {}
    for r in results:
        for center, roles in r.utilization.items():
            for role, u in roles.items():
                grid.setdefault(center, {}).setdefault(role, []).append(u)
    return SimulationReport(
        scenario=scenario.name, start=start or scenario.today, days=days, replications=len(results), seed=seed,
        warmup_days=warmup_days, assigner=assigner, params=params, per_replication=per_rep,
        summary=summarise(per_rep),
        backlog_by_day=[float(x) for x in np.mean(np.array([r.backlog for r in results], dtype=float), axis=0)],
        wait_histogram=[int(x) for x in np.sum(np.array([r.wait_histogram for r in results]), axis=0)],
        utilization={c: {k: float(np.mean(v)) for k, v in roles.items()} for c, roles in grid.items()},
        wall_seconds=wall_seconds,
    )


def simulate_many(
    prepared: Sequence[tuple[Scenario, SimulationParams]],
    days: int,
    replications: int,
    seed: int,
    weights: ObjectiveWeights | None = None,
    *,
    assigner: str = "engine",
    warmup_days: int = 0,
    start: dt.date | None = None,
    runner: Runner | None = None,
    progress: Progress | None = None,
) -> list[SimulationReport]:
    """Simulate several (scenario, parameters) pairs with the same seeds, every (pair, replication)
    handed to the runner at once so a sweep spreads over all its workers; one report per pair."""
    check_run(days, replications, warmup_days, seed)
    runner = runner or SerialRunner()
    t0 = time.perf_counter()
    tasks = [(scen, days, seed, r, p, weights, assigner, warmup_days, start) for scen, p in prepared for r in range(replications)]
    results = runner.map(replicate, tasks, progress)
    wall = time.perf_counter() - t0
    return [report_from(scen, results[i * replications:(i + 1) * replications], days=days, seed=seed,
                        warmup_days=warmup_days, assigner=assigner, params=p, start=start, wall_seconds=wall)
            for i, (scen, p) in enumerate(prepared)]


def simulate(
    scenario: Scenario,
    days: int,
    replications: int,
    seed: int,
    params: SimulationParams | None = None,
    weights: ObjectiveWeights | None = None,
    *,
    assigner: str = "engine",
    warmup_days: int = 0,
    start: dt.date | None = None,
    runner: Runner | None = None,
    progress: Progress | None = None,
) -> SimulationReport:
    """Simulate ``days`` days of ``scenario`` ``replications`` times (see :mod:`.engine`)."""
    (report,) = simulate_many([(scenario, params or SimulationParams())], days, replications, seed, weights,
                              assigner=assigner, warmup_days=warmup_days, start=start, runner=runner, progress=progress)
    return report


def _fmt(x: float, digits: int = 3) -> str:
    if x != x:  # NaN
        return "-"
    return f"{x:,.{digits}f}" if abs(x) < 1e6 else f"{x:,.0f}"


def kpi_doc(name: str) -> str:
    if name.startswith("utilization_"):
        return f"time-average docket / capacity of the {name.removeprefix('utilization_')}s [0-1]"
    return KPI_DOCS.get(name, "")


def kpi_table(report: SimulationReport) -> str:
    """A plain-text table: KPI, mean, 95% CI, what it measures."""
    rows = [f"{'KPI':<30} {'mean':>12} {'95% CI':>26}  meaning"]
    for name, est in report.summary.items():
        ci = f"[{_fmt(est.low)}, {_fmt(est.high)}]" if est.n > 1 else "(one replication)"
        rows.append(f"{name:<30} {_fmt(est.mean):>12} {ci:>26}  {kpi_doc(name)}")
    return "\n".join(rows)
