"""``simulate(scenario, days, replications, seed, params) -> SimulationReport``: the public entry point.

Replication ``r`` draws from child ``r`` of ``SeedSequence(seed)`` (see :mod:`.arrivals`), so a
replication's result does not depend on how many replications run or in which order, and the same
seed gives the same KPIs (the engine itself is seeded; with a time-limited solve that has not closed
its gap, the plan can depend on machine speed — ``assigner="greedy"`` or solves that finish inside
their limit are fully deterministic).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from matcher.assignment import ObjectiveWeights
from matcher.domain import Scenario

from .arrivals import replication_streams
from .engine import DaySimulator, ReplicationTrace
from .kpis import KPI_DOCS, Estimate, replication_kpis, summarise
from .params import SimulationParams

Progress = Callable[[int, int, int, int], None]  # (replication, day, days, open cases)


class SimulationReport(BaseModel):
    """KPIs of every replication, their means with 95% t-intervals, and the mean backlog by day."""

    model_config = ConfigDict(frozen=True)

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
    wall_seconds: float


def run_replication(
    scenario: Scenario,
    days: int,
    seed: int,
    replication: int,
    params: SimulationParams,
    weights: ObjectiveWeights | None = None,
    *,
    replications: int | None = None,
    assigner: str = "engine",
    start: dt.date | None = None,
    progress: Callable[[int, int, int], None] | None = None,
) -> ReplicationTrace:
    """Replication ``replication`` of a run seeded ``seed`` (independent of the other replications)."""
    streams = replication_streams(seed, max(replications or 0, replication + 1))[replication]
    sim = DaySimulator(scenario, params, streams, weights, start=start, assigner=assigner, solve_seed=seed % (2**31))
    return sim.run(days, progress)


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
    progress: Progress | None = None,
) -> SimulationReport:
    """Simulate ``days`` days of ``scenario`` ``replications`` times (see :mod:`.engine`)."""
    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")
    if replications < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    if not 0 <= warmup_days < days:
        raise ValueError(f"warmup_days must be in [0, days), got {warmup_days}")
    params = params or SimulationParams()
    t0 = time.perf_counter()
    per_rep, backlogs = [], []
    for r in range(replications):
        cb = None
        if progress is not None:
            def cb(day: int, n: int, open_cases: int, r: int = r) -> None:
                progress(r, day, n, open_cases)
        trace = run_replication(scenario, days, seed, r, params, weights, replications=replications,
                                assigner=assigner, start=start, progress=cb)
        per_rep.append(replication_kpis(trace, warmup_days))
        backlogs.append(trace.backlog)
    return SimulationReport(
        scenario=scenario.name, start=start or scenario.today, days=days, replications=replications, seed=seed,
        warmup_days=warmup_days, assigner=assigner, params=params, per_replication=per_rep,
        summary=summarise(per_rep), backlog_by_day=[float(x) for x in np.mean(np.array(backlogs), axis=0)],
        wall_seconds=time.perf_counter() - t0,
    )


def _fmt(x: float, digits: int = 3) -> str:
    if x != x:  # NaN
        return "-"
    return f"{x:,.{digits}f}" if abs(x) < 1e6 else f"{x:,.0f}"


def kpi_table(report: SimulationReport) -> str:
    """A plain-text table: KPI, mean, 95% CI, what it measures."""
    rows = [f"{'KPI':<28} {'mean':>12} {'95% CI':>26}  meaning"]
    for name, est in report.summary.items():
        ci = f"[{_fmt(est.low)}, {_fmt(est.high)}]" if est.n > 1 else "(one replication)"
        doc = KPI_DOCS.get(name) or ("expert load / capacity, mean over days and experts of the role [0-1]"
                                     if name.startswith("utilization_") else "")
        rows.append(f"{name:<28} {_fmt(est.mean):>12} {ci:>26}  {doc}")
    return "\n".join(rows)
