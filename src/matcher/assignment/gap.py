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


@dataclass(frozen=True)
class LagrangianBound:
    """Capacities relaxed with multipliers ``lam`` >= 0 (cost minimised).

    ``value`` = Σ_j min_i (c_ij + lam_i·a_ij) − lam·capacity is a lower bound on every feasible
    assignment, and any assignment giving job j to agent i costs at least ``value + reduced[i, j]``
    (``reduced`` >= 0; +inf where the job cannot fit). The best multipliers reach the LP bound,
    because without capacities the problem is an assignment with an integral LP.
    """

    value: float
    lam: np.ndarray
    reduced: np.ndarray


def lagrangian_bound(cost: np.ndarray, usage: np.ndarray, capacity: np.ndarray, fits: np.ndarray,
                     iterations: int, deadline: float) -> LagrangianBound:
    """Projected subgradient ascent on the capacity multipliers (numpy, one m×n pass per step).

    The step aims at a target a little above the best bound so far and halves when the bound stalls,
    so it needs no upper bound from elsewhere."""
    m, n = cost.shape
    jobs = np.arange(n)
    c = np.where(fits, cost, np.inf).astype(np.float64)
    lam = np.zeros(m)
    best_value, best_lam = -np.inf, lam.copy()
    theta, stall = 1.0, 0
    for _ in range(iterations):
        if time.perf_counter() >= deadline:
            break
        red = c + lam[:, None] * usage
        a = red.argmin(axis=0)
        value = float(red[a, jobs].sum() - lam @ capacity)
        if value > best_value + 1e-9:
            best_value, best_lam, stall = value, lam.copy(), 0
        else:
            stall += 1
            if stall >= 15:
                theta, stall = theta / 2, 0
                if theta < 1e-4:
                    break
        g = np.bincount(a, weights=usage[a, jobs], minlength=m) - capacity
        g = np.where((lam <= 0) & (g < 0), 0.0, g)  # projection onto lam >= 0
        norm = float(g @ g)
        if norm == 0:  # relaxed optimum is feasible: it is optimal, bound is exact
            best_value, best_lam = value, lam.copy()
            break
        target = best_value + max(1.0, 0.01 * abs(best_value))
        lam = np.maximum(0.0, lam + theta * (target - value) / norm * g)
    red = c + best_lam[:, None] * usage
    value = float(red.min(axis=0).sum() - best_lam @ capacity)
    return LagrangianBound(value, best_lam, red - red.min(axis=0))


def construct(cost: np.ndarray, usage: np.ndarray, capacity: np.ndarray, budget_s: float,
              lam: np.ndarray | None = None) -> np.ndarray | None:
    """A good feasible start (cost minimised): the best of a few regret-greedy criteria, then local
    search. With Lagrangian multipliers ``lam``, the first criteria are the Lagrangian costs
    c + θ·lam·a (they price the scarce capacity, which plain costs ignore)."""
    deadline = time.perf_counter() + budget_s
    best: np.ndarray | None = None
    best_cost = None
    rel = usage / np.maximum(capacity, 1)[:, None]
    criteria = []
    if lam is not None:
        criteria += [cost + theta * lam[:, None] * usage for theta in (1.0, 1.5, 2.5, 4.0)]
    criteria += [cost.astype(np.float64), rel, cost * rel, usage.astype(np.float64)]
    for desirability in criteria:
        if time.perf_counter() >= deadline:
            break
        a = _regret_greedy(cost, usage, capacity, desirability)
        if a is None:
            continue
        c = int(cost[a, np.arange(cost.shape[1])].sum())
        if best_cost is None or c < best_cost:
            best, best_cost = a, c
        if lam is not None and best is not None:
            break  # the Lagrangian criterion worked: the weaker ones rarely beat it
    if best is None:
        return None
    return _local_search(cost, usage, capacity, best, deadline)


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


def core_mask(reduced: np.ndarray, fits: np.ndarray, per_job: float, hint: np.ndarray | None) -> np.ndarray:
    """The "core" of the instance: the (agent, job) pairs cheapest in Lagrangian reduced cost, about
    ``per_job`` per job on average (one global price threshold), at least two per job where two fit,
    and the hint's own pairs. A heuristic restriction: the core's optimum need not be the instance's."""
    m, n = reduced.shape
    r = np.where(fits, reduced, np.inf)
    finite = np.sort(r[np.isfinite(r)])
    k = min(len(finite) - 1, max(0, int(per_job * n) - 1))
    keep = r <= finite[k]
    order = np.argsort(r, axis=0)[: min(2, m)]
    keep[order, np.arange(n)] = True
    if hint is not None:
        keep[hint, np.arange(n)] = True
    return keep & fits


def solve_gap(instance: GapInstance, *, maximize: bool, time_limit_s: float, workers: int, seed: int,
              core_share: float = 0.5, core_per_job: float = 4.0) -> GapSolution:
    """Solve a GAP instance (minimise or maximise Σ cost), within ``time_limit_s`` wall-clock seconds.

    1. Lagrangian bound (capacities relaxed, subgradient): a lower bound equal to the LP bound, and a
       reduced cost for every (agent, job) pair.
    2. Regret greedy on Lagrangian costs + shift/swap local search: the first incumbent UB.
    3. CP-SAT on the core (``core_per_job`` cheapest pairs per job in reduced cost) for
       ``core_share`` of the remaining time, hinted with the incumbent: a small model that finds
       good assignments fast. Skipped when the exact model below is already that small.
    4. CP-SAT on the exact reduced model, hinted with the best assignment: every pair whose
       Lagrangian lower bound exceeds UB is removed (reduced-cost fixing), so every assignment at
       least as good as UB is still in it, and its bound is a bound for the whole instance.
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
    jobs_all, agents_all = np.arange(n), np.arange(m)
    # Agent i can take job j at all only if the job fits alone: the rest is a hard-constraint prune.
    fits = usage <= capacity[:, None]
    if not fits.any(axis=0).all():
        return GapSolution(np.full(n, -1), None, None, SolveStatus.INFEASIBLE, time.perf_counter() - t0)

    def value(a: np.ndarray | None) -> float:
        return float("inf") if a is None else float(min_cost[a, jobs_all].sum())

    def done(best: np.ndarray | None, bound: float | None, status: SolveStatus) -> GapSolution:
        if best is not None and bound is not None and value(best) <= bound + 1e-9:
            status = SolveStatus.OPTIMAL  # integer costs: objective meets the bound
        objective = None if best is None else float(instance.objective(best))
        return GapSolution(best if best is not None else np.full(n, -1), objective,
                           None if bound is None else sign * bound, status, time.perf_counter() - t0)

    lag = lagrangian_bound(min_cost, usage, capacity, fits, iterations=2000, deadline=t0 + 0.05 * time_limit_s)
    bound = float(np.ceil(lag.value - 1e-6))  # integer costs
    best = construct(np.where(fits, min_cost, min_cost.max() + 1), usage, capacity,
                     budget_s=min(0.05 * time_limit_s, 3.0), lam=lag.lam)
    if best is not None and value(best) <= bound:
        return done(best, bound, SolveStatus.OPTIMAL)

    def search(keep: np.ndarray, until: float, hint: np.ndarray | None):
        built = build_gap_model(min_cost, usage, capacity, keep, agents_all, jobs_all, hint)
        if built is None:
            return None, None
        model, x = built
        out = run_cp_sat(model, time_limit_s=max(0.05, until - time.perf_counter()), workers=workers,
                         seed=seed, **CP_SAT_GAP_PARAMS)
        cand = None
        if out.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
            cand = _read(out.solver, x, np.full(n, -1, dtype=np.int64))
        return out, cand

    def exact_keep(ub: float) -> np.ndarray:
        return fits & (lag.value + lag.reduced <= ub + 1e-6 * max(1.0, abs(ub)))

    if best is not None and core_share > 0 and exact_keep(value(best)).sum() > core_per_job * n:
        core = core_mask(lag.reduced, fits, core_per_job, best)
        _, cand = search(core, time.perf_counter() + core_share * (end - time.perf_counter()), best)
        if value(cand) < value(best):
            best = cand
    keep = fits if best is None else exact_keep(value(best))
    out, cand = search(keep, end - 0.02 * time_limit_s, best)
    if out is None:  # no job lost all its options unless UB is wrong; the bound still stands
        return done(best, bound, SolveStatus.FEASIBLE if best is not None else SolveStatus.UNKNOWN)
    if value(cand) < value(best):
        best = cand
    if out.status == SolveStatus.INFEASIBLE and best is None:
        return GapSolution(np.full(n, -1), None, None, SolveStatus.INFEASIBLE, time.perf_counter() - t0)
    if out.bound is not None and np.isfinite(out.bound):
        # Every assignment at most UB is in the reduced model, so min(UB, its bound) bounds them all.
        bound = max(bound, min(out.bound, value(best)))
    status = SolveStatus.OPTIMAL if out.status == SolveStatus.OPTIMAL else (
        SolveStatus.FEASIBLE if best is not None else out.status)
    return done(best, bound, status)
