"""Generalized assignment (GAP) on the engine's CP-SAT core: the benchmark adapter.

A GAP instance is a single-role assignment with weighted capacities: every job (a case's one seat)
picks one agent (an expert) whose weighted load stays within capacity. The model is built with the
same helpers the case engine uses (:mod:`matcher.assignment.core`), hinted by a regret-greedy
construction improved by shift/swap local search (numpy), then searched by CP-SAT.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from matcher.io.gap import GapInstance

from .core import SolveStatus, choose_one, run_cp_sat, weighted_capacity


@dataclass(frozen=True)
class GapSolution:
    """Best assignment found: ``agent_of_job[j]`` is job j's agent (-1 when none was found)."""

    agent_of_job: np.ndarray
    objective: float | None
    bound: float | None
    status: SolveStatus
    seconds: float


def _regret_greedy(cost: np.ndarray, usage: np.ndarray, capacity: np.ndarray, desirability: np.ndarray) -> np.ndarray | None:
    """Martello–Toth style: repeatedly place the job whose best and second-best agents differ most.

    ``desirability`` is minimised (lower = better). Returns None when a job finds no agent with room.
    """
    m, n = cost.shape
    residual = capacity.astype(np.int64).copy()
    agent = np.full(n, -1, dtype=np.int64)
    open_jobs = np.ones(n, dtype=bool)
    big = np.float64(1e18)
    for _ in range(n):
        idx = np.flatnonzero(open_jobs)
        fits = usage[:, idx] <= residual[:, None]
        d = np.where(fits, desirability[:, idx], big)
        if d.shape[0] >= 2:
            two = np.partition(d, 1, axis=0)[:2]
            best, second = two[0], two[1]
        else:
            best, second = d[0], np.full(d.shape[1], big)
        if (best >= big).any():
            return None
        regret = np.where(second >= big, big, second - best)
        k = int(np.argmax(regret))
        j = int(idx[k])
        i = int(np.argmin(d[:, k]))
        agent[j] = i
        residual[i] -= usage[i, j]
        open_jobs[j] = False
    return agent


def _local_search(cost: np.ndarray, usage: np.ndarray, capacity: np.ndarray, agent: np.ndarray, deadline: float) -> np.ndarray:
    """First-improvement shift and swap moves on a feasible assignment (cost minimised)."""
    m, n = cost.shape
    jobs = np.arange(n)
    load = np.bincount(agent, weights=usage[agent, jobs], minlength=m).astype(np.int64)
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        # Shift: move one job to an agent with room, if cheaper.
        for j in range(n):
            a = agent[j]
            gain = cost[a, j] - cost[:, j]
            ok = (load + usage[:, j] <= capacity) & (gain > 0)
            ok[a] = False
            if ok.any():
                b = int(np.argmax(np.where(ok, gain, -1)))
                load[a] -= usage[a, j]
                load[b] += usage[b, j]
                agent[j] = b
                improved = True
        if time.perf_counter() >= deadline:
            break
        # Swap: exchange the agents of two jobs, if cheaper and both loads stay feasible.
        cur = cost[agent, jobs]
        for j in range(n):
            a = agent[j]
            bs = agent  # partner job k currently at agent b
            delta = cost[bs, j] + cost[a, jobs] - cur[j] - cur
            new_a = load[a] - usage[a, j] + usage[a, jobs]
            new_b = load[bs] - usage[bs, jobs] + usage[bs, j]
            ok = (delta < 0) & (bs != a) & (new_a <= capacity[a]) & (new_b <= capacity[bs])
            if ok.any():
                k = int(np.argmin(np.where(ok, delta, 0)))
                b = int(agent[k])
                load[a] += usage[a, k] - usage[a, j]
                load[b] += usage[b, j] - usage[b, k]
                agent[j], agent[k] = b, a
                cur[j], cur[k] = cost[b, j], cost[a, k]
                improved = True
            if time.perf_counter() >= deadline:
                break
    return agent


def construct(cost: np.ndarray, usage: np.ndarray, capacity: np.ndarray, budget_s: float) -> np.ndarray | None:
    """A good feasible start (cost minimised): best of a few regret-greedy criteria, then local search."""
    deadline = time.perf_counter() + budget_s
    best: np.ndarray | None = None
    best_cost = None
    rel = usage / np.maximum(capacity, 1)[:, None]
    for desirability in (cost.astype(np.float64), rel, cost * rel, usage.astype(np.float64)):
        if time.perf_counter() >= deadline:
            break
        a = _regret_greedy(cost, usage, capacity, desirability)
        if a is None:
            continue
        c = int(cost[a, np.arange(cost.shape[1])].sum())
        if best_cost is None or c < best_cost:
            best, best_cost = a, c
    if best is None:
        return None
    return _local_search(cost, usage, capacity, best, deadline)


def solve_gap(instance: GapInstance, *, maximize: bool, time_limit_s: float, workers: int, seed: int) -> GapSolution:
    """Solve a GAP instance (minimise or maximise Σ cost), within ``time_limit_s`` wall-clock seconds."""
    t0 = time.perf_counter()
    m, n = instance.agents, instance.jobs
    cost = np.asarray(instance.cost, dtype=np.int64)
    usage = np.asarray(instance.usage, dtype=np.int64)
    capacity = np.asarray(instance.capacity, dtype=np.int64)
    # Internally always minimise; a maximisation is a minimisation of -profit.
    min_cost = -cost if maximize else cost

    # Agent i can take job j at all only if the job fits alone: the rest is a hard-constraint prune.
    fits = usage <= capacity[:, None]
    hint = construct(np.where(fits, min_cost, min_cost.max() + 1), usage, capacity, budget_s=min(0.15 * time_limit_s, 5.0))

    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for j in range(n):
        agents = np.flatnonzero(fits[:, j])
        options = []
        for i in agents:
            v = model.new_bool_var(f"x{i}_{j}")
            x[int(i), j] = v
            options.append(v)
        if not options:
            return GapSolution(np.full(n, -1), None, None, SolveStatus.INFEASIBLE, time.perf_counter() - t0)
        choose_one(model, options)
    for i in range(m):
        weighted_capacity(model, ((x[i, j], int(usage[i, j])) for j in range(n) if (i, j) in x), int(capacity[i]))
    keys = list(x)
    model.minimize(cp_model.LinearExpr.weighted_sum([x[k] for k in keys], [int(min_cost[k]) for k in keys]))
    if hint is not None:
        for (i, j), v in x.items():
            model.add_hint(v, int(hint[j] == i))

    remaining = time_limit_s - (time.perf_counter() - t0)
    out = run_cp_sat(model, time_limit_s=max(0.05, remaining), workers=workers, seed=seed)
    sign = -1 if maximize else 1
    if out.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        agent = np.full(n, -1, dtype=np.int64)
        for (i, j), v in x.items():
            if out.solver.boolean_value(v):
                agent[j] = i
        objective = float(instance.objective(agent))
        bound = sign * out.bound if out.bound is not None else None
        # Integer costs: a bound within 1 of the objective is a proof.
        status = out.status
    elif hint is not None:
        agent = hint
        objective = float(instance.objective(agent))
        bound = sign * out.bound if out.bound is not None else None
        status = SolveStatus.FEASIBLE
    else:
        agent = np.full(n, -1, dtype=np.int64)
        objective, bound, status = None, (sign * out.bound if out.bound is not None else None), out.status
    return GapSolution(agent, objective, bound, status, time.perf_counter() - t0)
