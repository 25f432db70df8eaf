"""Staffing scenario planner: simulate months of case arrivals against a roster (issue #6).

Public API::

    from matcher.simulation import SimulationParams, simulate
    report = simulate(load_scenario("baoan"), days=30, replications=5, seed=7, params=SimulationParams())
    print(kpi_table(report))

Modules: :mod:`.params` (validated parameters, each figure an ASSUMPTION unless marked REPORT),
:mod:`.arrivals` (seeded Poisson arrivals, case shapes), :mod:`.engine` (the day loop around the
real assignment engine), :mod:`.kpis` (per-replication KPIs, t-intervals), :mod:`.run`,
:mod:`.erlang` (the M/M/c reference the simulator is validated against), :mod:`.parallel`
(in-process or Dask runners), :mod:`.variants` (declarative scenario changes), :mod:`.compare`
(variants side by side with common random numbers), :mod:`.report` (the HTML report),
:mod:`.staffing` (the smallest staff meeting a deadline target).
"""

from .kpis import KPI_DOCS, Estimate, estimate, replication_kpis, summarise
from .params import SeasonalPeak, SimulationParams
from .parallel import DaskRunner, SerialRunner, make_runner
from .run import ReplicationResult, SimulationReport, kpi_table, replicate, run_replication, simulate

__all__ = [
    "KPI_DOCS",
    "DaskRunner",
    "ReplicationResult",
    "SerialRunner",
    "make_runner",
    "replicate",
    "Estimate",
    "SeasonalPeak",
    "SimulationParams",
    "SimulationReport",
    "estimate",
    "kpi_table",
    "replication_kpis",
    "run_replication",
    "simulate",
    "summarise",
]
