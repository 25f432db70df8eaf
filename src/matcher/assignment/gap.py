"""Generalized assignment (GAP) on the engine's CP-SAT core: the benchmark adapter.

A GAP instance is a single-role assignment with weighted capacities: every job (a case's one seat)
picks one agent (an expert) whose weighted load stays within capacity. The model is built with the
same helpers the case engine uses (:mod:`matcher.assignment.core`). A Lagrangian relaxation of the
capacities (numpy) gives the LP bound, reduced costs for exact variable fixing and the costs that
guide a strong start; CP-SAT then searches a small core of the instance and the exactly reduced
model (see :func:`solve_gap`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from matcher.io.gap import GapInstance

from .core import SolveStatus, choose_one, run_cp_sat, weighted_capacity


#: CP-SAT parameters for GAP: the defaults. Tried on c20200, c10200, b10200, c20400, c05200 (10 s):
#: linearization_level 2 and dropping the fj/ls/feasibility-pump subsolvers changed nothing measurable.
CP_SAT_GAP_PARAMS: dict[str, object] = {}


@dataclass(frozen=True)
class GapSolution:
    """Best assignment found: ``agent_of_job[j]`` is job j's agent (-1 when none was found)."""

    agent_of_job: np.ndarray
    objective: float | None
    bound: float | None
    status: SolveStatus
    seconds: float


def _regret_greedy(cost: np.ndarray, usage: np.ndarray, capacity: np.ndarray, desirability: np.ndarray,
                   overload_ok: bool = False) -> np.ndarray | None:
    """Martello–Toth style: repeatedly place the job whose best and second-best agents differ most.

    ``desirability`` is minimised (lower = better). When a job finds no agent with room: None, or
    with ``overload_ok`` the job goes where it overloads least (for :func:`_repair` to fix).
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
            if not overload_ok:
                return None
            k = int(np.argmax(best >= big))
            j = int(idx[k])
            i = int(np.argmax(residual - usage[:, j]))
            agent[j] = i
            residual[i] -= usage[i, j]
            open_jobs[j] = False
            continue
        regret = np.where(second >= big, big, second - best)
        k = int(np.argmax(regret))
        j = int(idx[k])
        i = int(np.argmin(d[:, k]))
        agent[j] = i
        residual[i] -= usage[i, j]
        open_jobs[j] = False
    return agent


def _repair(usage: np.ndarray, capacity: np.ndarray, lagrangian_cost: np.ndarray, agent: np.ndarray) -> np.ndarray | None:
    """An assignment that may overload agents (e.g. the relaxed optimum) made feasible: while an agent is
    over capacity, move one of its jobs elsewhere, the move that costs least per unit of capacity
    freed among those with room; when none has room, the move that most reduces the total overload.
    With good multipliers the overloads are few, so few moves are needed. None when it gets stuck."""
    m, n = usage.shape
    jobs = np.arange(n)
    agent = agent.copy()
    load = np.bincount(agent, weights=usage[agent, jobs], minlength=m).astype(np.int64)
    for _ in range(4 * n):
        over = load - capacity
        i = int(np.argmax(over))
        if over[i] <= 0:
            return agent
        mine = np.flatnonzero(agent == i)
        new_load = load[:, None] + usage[:, mine]
        room = (new_load <= capacity[:, None]) & (usage[i, mine] > 0)[None, :]  # moving a 0 frees nothing
        room[i] = False
        if room.any():
            price = (lagrangian_cost[:, mine] - lagrangian_cost[i, mine]) / np.maximum(usage[i, mine], 1)
            k, col = np.unravel_index(int(np.argmin(np.where(room, price, np.inf))), price.shape)
        else:
            # Overload removed from i minus overload added at the target: must be positive.
            relief = np.minimum(over[i], usage[i, mine])[None, :] - (
                np.maximum(new_load - capacity[:, None], 0) - np.maximum(over, 0)[:, None])
            relief[i] = 0
            k, col = np.unravel_index(int(np.argmax(relief)), relief.shape)
            if relief[k, col] <= 0:
                return None
        j = int(mine[col])
        load[i] -= usage[i, j]
        load[k] += usage[k, j]
        agent[j] = k
    return None


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


#: Usage surcharges (in average cost per average usage) tried by :func:`construct`: they break the
#: many ties of the Lagrangian costs towards agents the job loads least (c801600 has multipliers 0,
#: so without them the cheapest agents are overloaded many times over).
TIE_BREAKS: tuple[float, ...] = (0.0, 0.01, 0.02, 0.05)


def construct(cost: np.ndarray, usage: np.ndarray, capacity: np.ndarray, budget_s: float,
              lam: np.ndarray) -> np.ndarray | None:
    """A good feasible start (cost minimised) from the Lagrangian costs c + lam·a, which price the
    scarce capacity that plain costs ignore, plus a small usage surcharge per :data:`TIE_BREAKS`:
    the relaxed optimum repaired (cheap) for every surcharge, then the regret greedy (repaired where
    it overloads) while the budget lasts; the cheapest, improved by shift/swap local search. None
    when no start could be repaired."""
    deadline = time.perf_counter() + budget_s
    scale = float(np.abs(cost).mean()) / max(1.0, float(usage.mean()))
    jobs = np.arange(cost.shape[1])
    desirabilities = [cost + lam[:, None] * usage + eps * scale * usage for eps in TIE_BREAKS]
    starts = [lambda d=d: d.argmin(axis=0) for d in desirabilities]
    starts += [lambda d=d: _regret_greedy(cost, usage, capacity, d, overload_ok=True) for d in desirabilities]
    best: np.ndarray | None = None
    for k, start in enumerate(starts):
        if time.perf_counter() >= deadline and best is not None:
            break
        a = _repair(usage, capacity, desirabilities[k % len(desirabilities)], start())
        if a is not None and (best is None or cost[a, jobs].sum() < cost[best, jobs].sum()):
            best = a
    if best is None:
        return None
    return _local_search(cost, usage, capacity, best, max(deadline, time.perf_counter() + 0.1 * budget_s))


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
              core_share: float = 0.5, core_per_job: float = 3.0,
              cp_sat_params: dict[str, object] | None = None, log: bool = False) -> GapSolution:
    """Solve a GAP instance (minimise or maximise Σ cost), within ``time_limit_s`` wall-clock seconds.

    1. Lagrangian bound (capacities relaxed, subgradient): a lower bound equal to the LP bound, and a
       reduced cost for every (agent, job) pair.
    2. Relaxed optimum and regret greedy on Lagrangian costs, repaired, + shift/swap local search:
       the first incumbent UB (see :func:`construct`).
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
                         seed=seed, log=log, **(CP_SAT_GAP_PARAMS if cp_sat_params is None else cp_sat_params))
        cand = None
        if out.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
            cand = _read(out.solver, x, np.full(n, -1, dtype=np.int64))
        return out, cand

    def exact_keep(ub: float) -> np.ndarray:
        return fits & (lag.value + lag.reduced <= ub + 1e-6 * max(1.0, abs(ub)))

    # Without a start, the relaxed optimum (capacities ignored) is the hint: CP-SAT repairs it.
    hint = best if best is not None else lag.reduced.argmin(axis=0)
    if core_share > 0 and (best is None or exact_keep(value(best)).sum() > core_per_job * n):
        core = core_mask(lag.reduced, fits, core_per_job, hint)
        _, cand = search(core, time.perf_counter() + core_share * (end - time.perf_counter()), hint)
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
