"""The full model on CP-SAT: every rule, every term, hinted with a known plan.

Expert-slot coupling (one place at a time, sessions per week) is added *lazily*: the model starts
without those rows, and each round adds the rows a solution violated, then re-solves hinted with the
best plan so far. Each round is a relaxation of the full model, so a round that is optimal *and*
violates nothing is optimal for the full model — the loop is exact, it only avoids writing rows that
never bind. If time or rounds run out first, the violating plan is repaired (what fits is kept, the
rest re-placed greedily) and the best rule-abiding plan is returned as feasible with the last bound.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from .candidates import MODES, Problem
from .config import ObjectiveWeights, SolveParams
from .constraints import EAGER_CONSTRAINTS, CaseVars, one_place_at_a_time, workload_sessions_per_week
from .core import SolveStatus, run_cp_sat
from .hint import repair_plan
from .objective import Choice, evaluate, previous_fits, scaled, seat_terms, slot_terms, total, weighted


@dataclass
class CpSatOutcome:
    choices: dict[int, Choice]
    status: SolveStatus
    bound: float | None  # in objective units (the scaled bound / SCALE)
    objective: float | None  # CP-SAT's own value, same units
    reason: str
    rounds: int
    lazy_rows: int


def build_variables(p: Problem) -> CaseVars:
    v = CaseVars(cp_model.CpModel())
    m = v.model
    for pc in p.cases:
        k = pc.index
        v.served[k] = m.new_bool_var(f"served{k}")
        if pc.needs_session:
            for mode in MODES:
                for s in pc.slots[mode]:
                    v.y[k, mode, int(s)] = m.new_bool_var(f"y{k}_{mode}_{s}")
        for j, seat in enumerate(pc.seats):
            for o, opt in enumerate(seat.options):
                x = m.new_bool_var(f"x{k}_{j}_{o}")
                v.x[k, j, o] = x
                v.uses[k, opt.expert].append(x)
                v.cases_of_expert[opt.expert].add(k)
    return v


def add_objective(v: CaseVars, p: Problem, w: ObjectiveWeights) -> None:
    """Σ weighted terms, scaled to integers. Constant parts (unassigned for all) are folded in."""
    m = v.model
    vars_, coefs = [], []
    constant = 0
    for pc in p.cases:
        k = pc.index
        for j, seat in enumerate(pc.seats):
            for o, opt in enumerate(seat.options):
                c = scaled(weighted(seat_terms(opt), w))
                if c:
                    vars_.append(v.x[k, j, o])
                    coefs.append(c)
        for mode in MODES:
            for s in pc.slots.get(mode, ()):
                c = scaled(weighted(slot_terms(pc, p, int(s)), w))
                if c:
                    vars_.append(v.y[k, mode, int(s)])
                    coefs.append(c)
        # unassigned: w·(1 − served)
        u = scaled(w.unassigned)
        constant += u
        vars_.append(v.served[k])
        coefs.append(-u)
        if pc.previous is not None and w.disruption > 0:
            keep = _keep_previous(v, p, pc)
            d = scaled(w.disruption)
            constant += d
            if keep is not None:
                vars_.append(keep)
                coefs.append(-d)
    if w.balance > 0 and v.uses:
        per_expert: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for (_k, e), lits in v.uses.items():
            per_expert[e].extend(lits)
        base = p.base_load if p.base_load is not None else np.zeros(len(p.experts), np.int64)
        top = int(max(len(lits) + base[e] for e, lits in per_expert.items()))
        floor = int(base.max()) if len(base) else 0
        load_max = m.new_int_var(floor, max(top, floor), "max_load")
        v.load_max = load_max
        for e, lits in per_expert.items():
            if len(lits) + base[e] > floor:
                m.add(load_max >= sum(lits) + int(base[e]))
        vars_.append(load_max)
        coefs.append(scaled(w.balance))
    m.minimize(cp_model.LinearExpr.weighted_sum(vars_, coefs) + constant)


def _keep_previous(v: CaseVars, p: Problem, pc) -> cp_model.IntVar | None:
    """keep ⇒ every literal of the previous line is chosen again (so keep = 1 only if unchanged)."""
    prev = pc.previous
    if not previous_fits(pc):
        return None
    k = pc.index
    lits = [v.served[k]]
    for j, seat in enumerate(pc.seats):
        who = prev.expert_for(seat.role)
        mode = 1 if prev.online else 0
        opts = [o for o, opt in enumerate(seat.options) if p.experts[opt.expert].id == who and (
            not pc.needs_session or opt.mode == mode)]
        if not opts:
            return None
        lits.append(v.x[k, j, opts[0]])
    if pc.needs_session:
        if prev.slot is None or prev.slot not in p.slots:
            return None
        s = p.slots.index(prev.slot)
        y = v.y.get((k, 1 if prev.online else 0, s))
        if y is None:
            return None
        lits.append(y)
    elif prev.slot is not None:
        return None
    keep = v.model.new_bool_var(f"keep{k}")
    for lit in lits:
        v.model.add_implication(keep, lit)
    return keep


def extract(v: CaseVars, p: Problem, solver: cp_model.CpSolver) -> dict[int, Choice]:
    out: dict[int, Choice] = {}
    for pc in p.cases:
        k = pc.index
        if not solver.boolean_value(v.served[k]):
            continue
        mode, slot = 0, None
        if pc.needs_session:
            for md in MODES:
                for s in pc.slots[md]:
                    if solver.boolean_value(v.y[k, md, int(s)]):
                        mode, slot = md, int(s)
        opts = []
        for j, seat in enumerate(pc.seats):
            opts.append(next(o for o in range(len(seat.options)) if solver.boolean_value(v.x[k, j, o])))
        out[k] = Choice(k, mode, slot, tuple(opts))
    return out


def violations(p: Problem, choices: dict[int, Choice]) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """(expert, slot) pairs in two sessions, and (expert, week) pairs over their weekly limit."""
    at: Counter[tuple[int, int]] = Counter()
    per_week: Counter[tuple[int, int]] = Counter()
    for k, ch in choices.items():
        if ch.slot is None or p.cases[k].pin is not None:
            continue
        for j, o in enumerate(ch.options):
            e = p.cases[k].seats[j].options[o].expert
            at[e, ch.slot] += 1
            per_week[e, int(p.week_of_slot[ch.slot])] += 1
    place = {key for key, n in at.items() if n > 1}
    week = {key for key, n in per_week.items() if n > p.session_capacity[key]}
    return place, week


def hint_from(v: CaseVars, p: Problem, choices: dict[int, Choice]) -> None:
    m = v.model
    m.clear_hints()
    for pc in p.cases:
        k = pc.index
        ch = choices.get(k)
        m.add_hint(v.served[k], ch is not None)
        for mode in MODES:
            for s in pc.slots.get(mode, ()):
                m.add_hint(v.y[k, mode, int(s)], ch is not None and ch.mode == mode and ch.slot == int(s))
        for j, seat in enumerate(pc.seats):
            for o in range(len(seat.options)):
                m.add_hint(v.x[k, j, o], ch is not None and ch.options[j] == o)
    if v.load_max is not None:
        load: Counter[int] = Counter()
        for k, ch in choices.items():
            for j, o in enumerate(ch.options):
                load[p.cases[k].seats[j].options[o].expert] += 1
        base = p.base_load if p.base_load is not None else np.zeros(len(p.experts), np.int64)
        for e in range(len(base)):
            if base[e]:
                load[e] += int(base[e])
        m.add_hint(v.load_max, max(load.values(), default=0))


def solve_cpsat(
    p: Problem, w: ObjectiveWeights, params: SolveParams, hint: dict[int, Choice] | None, deadline: float
) -> CpSatOutcome:
    v = build_variables(p)
    for rule in EAGER_CONSTRAINTS:
        rule(v, p)
    add_objective(v, p, w)
    lazy_rows = 0
    if hint is not None:
        hint_from(v, p, hint)
    rounds = 0
    # ``best`` is always a plan that satisfies every rule (the hint does; repaired plans do).
    best: dict[int, Choice] | None = hint
    best_value = total(evaluate(p, hint, w), w) if hint is not None else float("inf")
    bound: float | None = None

    def better(plan: dict[int, Choice]) -> None:
        nonlocal best, best_value
        value = total(evaluate(p, plan, w), w)
        if value < best_value:
            best, best_value = plan, value

    while True:
        rounds += 1
        remaining = deadline - time.perf_counter()
        # Leave time for a round with the rows this one may show to be violated.
        share = remaining if rounds >= params.max_rounds else 0.6 * remaining
        out = run_cp_sat(v.model, time_limit_s=max(0.05, share), workers=params.workers, seed=params.seed,
                         log=params.log)
        if out.status == SolveStatus.INFEASIBLE:
            return CpSatOutcome({}, SolveStatus.INFEASIBLE, None, None, out.reason, rounds, lazy_rows)
        if out.bound is not None:
            bound = out.bound / 100.0
        if out.status == SolveStatus.UNKNOWN:
            if best is not None:
                return CpSatOutcome(best, SolveStatus.FEASIBLE, bound, None, out.reason, rounds, lazy_rows)
            return CpSatOutcome({}, SolveStatus.UNKNOWN, bound, None, out.reason, rounds, lazy_rows)
        choices = extract(v, p, out.solver)
        place, week = violations(p, choices)
        if not place and not week:
            if out.status == SolveStatus.OPTIMAL or best is None or total(evaluate(p, choices, w), w) <= best_value:
                return CpSatOutcome(choices, out.status, bound, out.objective / 100.0, out.reason, rounds, lazy_rows)
            return CpSatOutcome(best, out.status, bound, None, out.reason, rounds, lazy_rows)
        better(repair_plan(p, w, choices))
        if rounds >= params.max_rounds or time.perf_counter() >= deadline - 0.2:
            return CpSatOutcome(best, SolveStatus.FEASIBLE, bound, None,
                                f"stopped after {rounds} rounds of expert-slot rows; best repaired plan kept",
                                rounds, lazy_rows)
        lazy_rows += one_place_at_a_time(v, p, sorted(place))
        lazy_rows += workload_sessions_per_week(v, p, sorted(week))
        hint_from(v, p, best)
