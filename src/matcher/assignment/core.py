"""The CP-SAT core shared by the domain engine and the GAP adapter.

Both problems are "choose one option per item, subject to weighted capacities on agents": a GAP job
picks an agent; a case's seat picks an expert. The helpers here build exactly that, and run the solver
with the caller's limits, so the GAP benchmark measures the very code that plans cases.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ortools.sat.python import cp_model


class SolveStatus(StrEnum):
    """Outcome of a solve."""

    OPTIMAL = "optimal"  # proven optimal (objective == bound)
    FEASIBLE = "feasible"  # a solution, optimality not proven: see bound and gap
    INFEASIBLE = "infeasible"  # proven: no solution satisfies the hard constraints (e.g. the pins)
    UNKNOWN = "unknown"  # no solution found within the limits, and no proof either


def choose_one(
    model: cp_model.CpModel, options: Sequence[cp_model.IntVar], selected: cp_model.IntVar | int = 1
) -> None:
    """Exactly one option when ``selected`` (an item that is served), none otherwise."""
    if isinstance(selected, int):
        if selected == 1:
            model.add_exactly_one(options)
        else:
            for v in options:
                model.add(v == 0)
        return
    model.add(sum(options) == selected)


def weighted_capacity(
    model: cp_model.CpModel, terms: Iterable[tuple[cp_model.IntVar, int]], capacity: int
) -> None:
    """Σ weight·var <= capacity (an agent's resource, an expert's open-case limit)."""
    terms = [(v, w) for v, w in terms if w != 0]
    if not terms:
        return
    if sum(w for _, w in terms) <= capacity:
        return  # cannot bind: keep the model small
    if all(w == 1 for _, w in terms) and capacity == 1:
        model.add_at_most_one([v for v, _ in terms])
        return
    model.add(cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [w for _, w in terms]) <= capacity)


@dataclass
class CoreOutcome:
    status: SolveStatus
    objective: float | None
    bound: float | None
    seconds: float
    solver: cp_model.CpSolver
    reason: str = ""


def run_cp_sat(
    model: cp_model.CpModel, *, time_limit_s: float, workers: int, seed: int, log: bool = False, **extra: object
) -> CoreOutcome:
    """Solve with the caller's limits; every CP-SAT parameter is explicit here or passed in ``extra``."""
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.max_time_in_seconds = max(0.01, float(time_limit_s))
    p.num_workers = int(workers)
    p.random_seed = int(seed)
    p.log_search_progress = bool(log)
    for k, v in extra.items():
        if isinstance(v, (list, tuple)):  # repeated fields (e.g. ignore_subsolvers) cannot be assigned
            getattr(p, k).extend(v)
        else:
            setattr(p, k, v)
    t0 = time.perf_counter()
    code = solver.solve(model)
    seconds = time.perf_counter() - t0
    if code == cp_model.OPTIMAL:
        status = SolveStatus.OPTIMAL
    elif code == cp_model.FEASIBLE:
        status = SolveStatus.FEASIBLE
    elif code == cp_model.INFEASIBLE:
        status = SolveStatus.INFEASIBLE
    else:
        status = SolveStatus.UNKNOWN
    has_solution = status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    objective = solver.objective_value if has_solution else None
    bound = solver.best_objective_bound if status != SolveStatus.INFEASIBLE else None
    reason = {
        SolveStatus.INFEASIBLE: "CP-SAT proved the hard constraints cannot all hold",
        SolveStatus.UNKNOWN: f"no solution found within {time_limit_s:.1f} s",
        SolveStatus.FEASIBLE: f"time limit {time_limit_s:.1f} s reached before optimality was proven",
        SolveStatus.OPTIMAL: "",
    }[status]
    if code == cp_model.MODEL_INVALID:
        reason = f"model invalid: {model.validate()}"
    return CoreOutcome(status, objective, bound, seconds, solver, reason)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """|objective - bound| / max(1, |objective|): 0 means proven optimal."""
    if objective is None or bound is None:
        return None
    return abs(objective - bound) / max(1.0, abs(objective))
