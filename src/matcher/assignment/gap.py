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


#: CP-SAT parameters for GAP, chosen on c10400 / c801600 (see benchmarks/RESULTS.md).
CP_SAT_GAP_PARAMS: dict[str, object] = {}


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


def lp_reduced_costs(cost: np.ndarray, usage: np.ndarray, capacity: np.ndarray, fits: np.ndarray) -> tuple[float, np.ndarray] | None:
    """LP relaxation (GLOP): its value and the reduced cost of every allowed (agent, job) pair.

    Any integer solution that gives job j to agent i costs at least ``lp + rc[i, j]``, so pairs with
    ``lp + rc > UB`` can be removed without losing any solution as good as UB (reduced-cost fixing).
    """
    from ortools.linear_solver import pywraplp

    lp = pywraplp.Solver.CreateSolver("GLOP")
    if lp is None:
        return None
    m, n = cost.shape
    idx = np.argwhere(fits)
    xs = [lp.NumVar(0.0, 1.0, "") for _ in range(len(idx))]
    by_job: list[list] = [[] for _ in range(n)]
    by_agent: list[list] = [[] for _ in range(m)]
    for v, (i, j) in zip(xs, idx):
        by_job[j].append(v)
        by_agent[i].append((v, float(usage[i, j])))
    for j in range(n):
        c = lp.Constraint(1.0, 1.0)
        for v in by_job[j]:
            c.SetCoefficient(v, 1.0)
    for i in range(m):
        c = lp.Constraint(-lp.infinity(), float(capacity[i]))
        for v, a in by_agent[i]:
            c.SetCoefficient(v, a)
    obj = lp.Objective()
    for v, (i, j) in zip(xs, idx):
        obj.SetCoefficient(v, float(cost[i, j]))
    obj.SetMinimization()
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    rc = np.full(cost.shape, np.inf)
    for v, (i, j) in zip(xs, idx):
        rc[i, j] = v.reduced_cost()
    return lp.Objective().Value(), rc


def build_gap_model(
    min_cost: np.ndarray, usage: np.ndarray, capacity: np.ndarray, fits: np.ndarray,
    agents: np.ndarray, jobs: np.ndarray, hint: np.ndarray | None,
) -> tuple[cp_model.CpModel, dict[tuple[int, int], cp_model.IntVar]] | None:
    """GAP over a subset of agents and jobs on the shared core: one agent per job, weighted capacity
    per agent, minimise cost. None when a job has no agent of the subset it fits."""
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    per_agent: dict[int, list[tuple[cp_model.IntVar, int]]] = {int(i): [] for i in agents}
    for j in jobs:
        j = int(j)
        options = []
        for i in agents[fits[agents, j]]:
            i = int(i)
            v = model.new_bool_var(f"x{i}_{j}")
            x[i, j] = v
            options.append(v)
            per_agent[i].append((v, int(usage[i, j])))
        if not options:
            return None
        choose_one(model, options)
    for i, terms in per_agent.items():
        weighted_capacity(model, terms, int(capacity[i]))
    keys = list(x)
    model.minimize(cp_model.LinearExpr.weighted_sum([x[k] for k in keys], [int(min_cost[k]) for k in keys]))
    if hint is not None:
        for (i, j), v in x.items():
            model.add_hint(v, int(hint[j] == i))
    return model, x


def _read(solver: cp_model.CpSolver, x: dict[tuple[int, int], cp_model.IntVar], agent: np.ndarray) -> np.ndarray:
    agent = agent.copy()
    for (i, j), v in x.items():
        if solver.boolean_value(v):
            agent[j] = i
    return agent


def agent_lns(
    min_cost: np.ndarray, usage: np.ndarray, capacity: np.ndarray, fits: np.ndarray, agent: np.ndarray,
    deadline: float, rng: np.random.Generator, workers: int, seed: int,
) -> np.ndarray:
    """Large-neighbourhood search: free every job of a few agents and re-solve that sub-GAP exactly
    with CP-SAT (the same model builder), keep it if cheaper. The neighbourhood grows while the
    sub-problems solve quickly and shrinks when they time out."""
    m, n = min_cost.shape
    size = min(m, 6)
    jobs_all = np.arange(n)
    while time.perf_counter() < deadline - 0.05:
        # Agents related through cheap alternatives: a random agent, then agents where its jobs are cheap.
        first = int(rng.integers(m))
        mine = np.flatnonzero(agent == first)
        if len(mine):
            affinity = np.bincount(np.argsort(min_cost[:, mine], axis=0)[:3].ravel(), minlength=m).astype(float)
        else:
            affinity = np.ones(m)
        affinity[first] = 0
        affinity += 0.5
        others = rng.choice(m, size=min(size - 1, m - 1), replace=False, p=affinity / affinity.sum())
        agents = np.unique(np.concatenate([[first], others[others != first]]))[:size]
        jobs = jobs_all[np.isin(agent, agents)]
        if not len(jobs):
            continue
        built = build_gap_model(min_cost, usage, capacity, fits, agents, jobs, agent)
        if built is None:
            continue
        model, x = built
        before = int(min_cost[agent, jobs_all].sum())
        limit = min(1.0, deadline - time.perf_counter())
        out = run_cp_sat(model, time_limit_s=max(0.05, limit), workers=workers, seed=seed, **CP_SAT_GAP_PARAMS)
        if out.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
            cand = _read(out.solver, x, agent)
            if int(min_cost[cand, jobs_all].sum()) < before:
                agent = cand
        size = min(m, size + 1) if out.status == SolveStatus.OPTIMAL and out.seconds < 0.3 else max(3, size - 1)
    return agent


def solve_gap(instance: GapInstance, *, maximize: bool, time_limit_s: float, workers: int, seed: int) -> GapSolution:
    """Solve a GAP instance (minimise or maximise Σ cost), within ``time_limit_s`` wall-clock seconds.

    Construction (regret greedy + local search) → CP-SAT on the full model (proves small instances
    optimal) → agent-subset LNS on the same model builder → CP-SAT on the full model again, hinted
    with the best assignment, for the final bound.
    """
    t0 = time.perf_counter()
    end = t0 + time_limit_s
    m, n = instance.agents, instance.jobs
    cost = np.asarray(instance.cost, dtype=np.int64)
    usage = np.asarray(instance.usage, dtype=np.int64)
    capacity = np.asarray(instance.capacity, dtype=np.int64)
    # Internally always minimise; a maximisation is a minimisation of -profit.
    min_cost = -cost if maximize else cost
    sign = -1 if maximize else 1
    # Agent i can take job j at all only if the job fits alone: the rest is a hard-constraint prune.
    fits = usage <= capacity[:, None]
    if not fits.any(axis=0).all():
        return GapSolution(np.full(n, -1), None, None, SolveStatus.INFEASIBLE, time.perf_counter() - t0)
    best = construct(np.where(fits, min_cost, min_cost.max() + 1), usage, capacity,
                     budget_s=min(0.1 * time_limit_s, 5.0))
    agents_all, jobs_all = np.arange(m), np.arange(n)

    build_s = [0.0]

    def full_solve(until: float, hint: np.ndarray | None):
        t = time.perf_counter()
        model, x = build_gap_model(min_cost, usage, capacity, fits, agents_all, jobs_all, hint)
        build_s[0] = time.perf_counter() - t
        budget = until - time.perf_counter()
        return run_cp_sat(model, time_limit_s=max(0.05, budget), workers=workers, seed=seed, **CP_SAT_GAP_PARAMS), x

    def value(a: np.ndarray | None) -> float:
        return float("inf") if a is None else float(min_cost[a, jobs_all].sum())

    bound: float | None = None
    out, x = full_solve(time.perf_counter() + 0.3 * (end - time.perf_counter()), best)
    if out.status == SolveStatus.INFEASIBLE:
        return GapSolution(np.full(n, -1), None, None, SolveStatus.INFEASIBLE, time.perf_counter() - t0)
    if out.bound is not None:
        bound = out.bound
    if out.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        cand = _read(out.solver, x, np.full(n, -1, dtype=np.int64))
        if value(cand) < value(best):
            best = cand
    status = out.status
    if status != SolveStatus.OPTIMAL and best is not None:
        rng = np.random.default_rng(seed)
        # The last full solve needs its model built again (same time as the first) before searching.
        lns_end = end - 0.2 * (end - time.perf_counter()) - 1.5 * build_s[0]
        best = agent_lns(min_cost, usage, capacity, fits, best, lns_end, rng, workers, seed)
        out, x = full_solve(end - 0.02 * time_limit_s, best)
        if out.bound is not None:
            bound = out.bound if bound is None else max(bound, out.bound)
        if out.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
            cand = _read(out.solver, x, np.full(n, -1, dtype=np.int64))
            if value(cand) < value(best):
                best = cand
        status = SolveStatus.OPTIMAL if out.status == SolveStatus.OPTIMAL else SolveStatus.FEASIBLE
    if best is None:
        return GapSolution(np.full(n, -1), None, None if bound is None else sign * bound, status,
                           time.perf_counter() - t0)
    objective = float(instance.objective(best))
    if bound is not None and value(best) <= bound + 1e-9:
        status = SolveStatus.OPTIMAL  # integer costs: objective meets the bound
    return GapSolution(best, objective, None if bound is None else sign * bound, status, time.perf_counter() - t0)
