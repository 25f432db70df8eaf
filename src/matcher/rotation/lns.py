"""Fix-and-optimize large-neighbourhood search over a built `RosterModel`, CP-SAT as the subroutine.

Why: the LP relaxation of rostering models is weak (fractional staff satisfy every request a
little), so a plain CP-SAT run has almost no bound to steer by and spends most of its time on
generic neighbourhoods. Rosters decompose naturally: re-optimising a few staff members' whole
rosters, or every roster over a window of days, with everything else fixed, is a small model that
CP-SAT solves to optimality in a fraction of a second, and the best of those moves is exact.

The loop: a start (CP-SAT on the full model for a slice of the budget, or a given hint), then
repeatedly pick a neighbourhood — a random set of staff, a window of days, or staff who share a
cover row with a violated request — fix every other assignment variable to the incumbent, solve
the copy hinted with the incumbent, and keep the result when it is no worse. The neighbourhood
grows while its subproblems are proven optimal without improvement and shrinks when they time out.
The bound reported is the one proved by the full-model start (valid for the whole problem).
"""

from __future__ import annotations

import random
import time

import numpy as np
from ortools.sat.python import cp_model

from matcher.assignment.core import SolveStatus, relative_gap

from .core import RosterModel, RosterOutcome


def _values(solver: cp_model.CpSolver) -> list[int]:
    return list(solver.response_proto.solution)


def solve_with_lns(
    m: RosterModel,
    *,
    time_limit_s: float,
    workers: int,
    seed: int,
    start_fraction: float = 0.2,
    sub_time_limit_s: float = 1.0,
    targeted: float = 0.7,
    hint: np.ndarray | None = None,
    log: bool = False,
) -> RosterOutcome:
    """Best roster found by LNS within `time_limit_s` (wall clock, the start included)."""
    t0 = time.perf_counter()
    deadline = t0 + time_limit_s
    rng = random.Random(seed)
    # Start: the plain solve for a slice of the budget (it also proves what bound it can).
    start = m.solve(time_limit_s=max(0.5, start_fraction * time_limit_s), workers=workers, seed=seed, hint=hint)
    if start.objective is None or start.status in (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE):
        start.seconds = time.perf_counter() - t0
        return start
    scale = m.objective_scale
    base = m.model
    n_vars = len(base.proto.variables)
    values = m.last_values
    if values is None or len(values) != n_vars:  # the start came from the fallback roster: no full values
        start.seconds = time.perf_counter() - t0
        return start
    best = int(round(start.objective * scale))
    bound = start.bound

    p = m.p
    staff_vars: dict[int, list[int]] = {}
    day_vars: dict[int, list[int]] = {}
    for (s, per, _k), v in m.x.items():
        staff_vars.setdefault(s, []).append(v.index)
        day_vars.setdefault(int(p.day_of_period[per]), []).append(v.index)
    x_index = sorted(v.index for v in m.x.values())
    S, H = p.n_staff, p.n_days
    # Where the incumbent pays: cover rows short of their requirement, and unmet requests. Targeted
    # neighbourhoods are centred on one of them (a random one otherwise).
    cover_cols: list[tuple[int, int, list[int]]] = []  # (day, requirement, x indices)
    col: dict[tuple[int, int], list[int]] = {}
    for (s, per, k), v in m.x.items():
        col.setdefault((per, k), []).append(v.index)
    for c in p.covers:
        if c.weight_under and c.requirement:
            cover_cols.append((int(p.day_of_period[c.period]), c.requirement, col.get((c.period, c.kind), [])))
    request_cells = [(s, int(p.day_of_period[per]), m.x.get((s, per, k))) for s, per, k, _w in p.requests_on]

    def hot_spot(vals: list[int]) -> tuple[int | None, int]:
        """(staff or None, day) of a random costly cell of the incumbent."""
        short = [d for d, req, idx in cover_cols if sum(vals[i] for i in idx) < req]
        unmet = [(s, d) for s, d, v in request_cells if v is None or not vals[v.index]]
        if short and (not unmet or rng.random() < 0.7):
            return None, rng.choice(short)
        if unmet:
            return rng.choice(unmet)
        return None, rng.randrange(H)

    size = {"staff": min(S, 3), "window": min(H, 7), "mixed": min(S, 6)}
    kinds = list(size)
    iteration = improvements = 0
    while time.perf_counter() < deadline - 0.05:
        iteration += 1
        kind = kinds[iteration % len(kinds)]
        who, day = hot_spot(values) if rng.random() < targeted else (None, rng.randrange(H))
        free: set[int] = set()
        if kind == "staff":
            chosen = set(rng.sample(range(S), size["staff"]))
            if who is not None and who not in chosen:
                chosen.pop()
                chosen.add(who)
            for s in chosen:
                free.update(staff_vars.get(s, []))
        elif kind == "window":
            w = size["window"]
            d0 = min(max(0, day - rng.randrange(w)), max(0, H - w))
            for d in range(d0, d0 + w):
                free.update(day_vars.get(d, []))
        else:  # a group of staff over twice the window: longer-range swaps between them
            chosen = set(rng.sample(range(S), size["mixed"]))
            if who is not None and who not in chosen:
                chosen.pop()
                chosen.add(who)
            w = max(1, min(H, 2 * size["window"]))
            d0 = min(max(0, day - rng.randrange(w)), max(0, H - w))
            days = set(range(d0, d0 + w))
            free = {v.index for (s, per, _k), v in m.x.items() if s in chosen and int(p.day_of_period[per]) in days}
        sub = base.clone()
        proto = sub.proto
        for i in x_index:
            if i not in free:
                val = values[i]
                dom = proto.variables[i].domain
                dom.clear()
                dom.extend([val, val])
        proto.solution_hint.vars.clear()
        proto.solution_hint.values.clear()
        proto.solution_hint.vars.extend(range(n_vars))
        proto.solution_hint.values.extend(values)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, min(sub_time_limit_s, deadline - time.perf_counter()))
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = rng.randrange(1 << 30)
        code = solver.solve(sub)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            obj = int(round(solver.objective_value))
            if obj <= best:
                if obj < best:
                    improvements += 1
                    if log:
                        print(f"lns {time.perf_counter() - t0:6.2f}s it {iteration} {kind} size {size[kind]} -> {obj / scale:g}")
                best = obj
                values = _values(solver)
        # Adapt: proven optimal quickly means the neighbourhood is too small to hold a better move.
        if code == cp_model.OPTIMAL and solver.wall_time < 0.5 * sub_time_limit_s:
            limit = S if kind != "window" else H
            size[kind] = min(limit, size[kind] + 1) if rng.random() < 0.5 else size[kind]
        elif code != cp_model.OPTIMAL:
            size[kind] = max(1, size[kind] - 1)
    m.last_values = values
    assignment = np.full((p.n_staff, p.n_periods), -1, dtype=np.int64)
    for (s, per, k), v in m.x.items():
        if values[v.index]:
            assignment[s, per] = k
    terms = m.term_values(values)
    objective = m.objective_value(values)
    if bound is not None:
        bound = min(bound, objective)
    status = SolveStatus.OPTIMAL if bound is not None and bound >= objective - 1e-9 else SolveStatus.FEASIBLE
    reason = "" if status == SolveStatus.OPTIMAL else (
        f"time limit reached before optimality was proved ({iteration} neighbourhoods, {improvements} improvements)")
    return RosterOutcome(status, reason, assignment, objective, bound, relative_gap(objective, bound), terms,
                         time.perf_counter() - t0)
