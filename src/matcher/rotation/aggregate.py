"""The judge rotation aggregated over time: how many half-days each judge sits at each center over
the whole horizon, without saying when. Used twice:

- as a **lower bound**: every calendar maps to an aggregate solution of the same cost in the stability,
  fairness, excess, travel and preference terms (they depend on the per-(judge, center) counts only),
  and every constraint below is implied by a hard rule of the calendar, so the aggregate optimum (and
  CP-SAT's proven bound on it) never exceeds the calendar optimum. The re-planning ``changes`` term
  and ``variety``'s repeats are left out (both >= 0), which keeps the bound valid but weaker there.
- as a **plan**: the aggregate optimum says which (judge, center) pairs to use; the calendar model
  restricted to those pairs is a fraction of the full one and usually reaches the aggregate cost.

The full model's LP bound stays far below this one: 60 interchangeable judges let the distinct-pairs
and load-spread terms relax to fractions. Here they are a small integer program (one count and one
pair flag per judge and center), and one CP-SAT model over it still relaxes badly (measured on
Bao'an: bound 543 after 10 s, best 1,635) because "count <= capacity x pair used" with a capacity of
a whole quarter lets a pair be used a fraction. So the search branches on the top load L outside
the solver: with every load at most L, a pair carries at most L half-days, each center needs
ceil(demand / L) distinct judges, and the spread is L (some judge idles) or at most L - 1 (all
rotate). Each case has a cheap closed-form bound; cases are solved in the order of that bound and
the rest are dropped once it reaches the best case solved (Bao'an: 1 case of ~80 solved, 0.4 s).
"""

from __future__ import annotations

import math
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .core import cost_units


@dataclass
class AggregateInput:
    """What the aggregate needs, in the calendar model's indices.

    ``allowed``: the (staff, period, center) triples the calendar model may use; ``week_of`` and
    ``month_of``: each period's week and month; ``week_limit`` / ``month_limit``: per staff member;
    ``need``: per center, the half-days required every week; ``fixed``: per center, groups of periods
    (one group per weekly fixed slot, one period per week) each needing a judge; ``cost``: per
    (staff, center), the travel + preference cost of one half-day; ``rotating``: the staff the load
    spread is measured over; ``max_per_slot``: judges per center and half-day."""

    n_staff: int
    n_centers: int
    allowed: Sequence[tuple[int, int, int]]
    week_of: Sequence[int]
    month_of: Sequence[Hashable]
    week_limit: Sequence[int]
    month_limit: Sequence[int]
    need: Sequence[int]
    fixed: Sequence[Sequence[Sequence[int]]]
    cost: dict[tuple[int, int], float]
    rotating: Sequence[int]
    max_per_slot: int
    stability: float  # 0 under ``variety``
    fairness: float
    excess: float


@dataclass
class AggregateResult:
    status: str  # "optimal", "feasible", "infeasible", "unknown"
    bound: float  # valid lower bound on the calendar objective (0.0 if nothing was proved)
    objective: float | None
    counts: dict[tuple[int, int], int]  # (staff, center) -> half-days over the horizon, > 0 only
    seconds: float


def _capped(periods: dict[Hashable, int], limit: int) -> int:
    """At most `limit` of the periods in each group (week or month) can be worked."""
    return sum(min(n, limit) for n in periods.values())


class _Data:
    """What every case shares: capacities, per-center demand, the cheapest half-day per center-week."""

    def __init__(self, a: AggregateInput) -> None:
        self.a = a
        any_p: dict[int, set[int]] = {}
        pair_p: dict[tuple[int, int], set[int]] = {}
        center_p: dict[int, dict[int, set[int]]] = {}  # center -> week -> periods some judge may sit
        for s, p, k in a.allowed:
            any_p.setdefault(s, set()).add(p)
            pair_p.setdefault((s, k), set()).add(p)
            center_p.setdefault(k, {}).setdefault(a.week_of[p], set()).add(p)
        self.pair_cap = {key: c for key, ps in sorted(pair_p.items()) if (c := self._cap(key[0], ps)) > 0}
        self.staff_cap = {s: self._cap(s, ps) for s, ps in any_p.items()}
        self.weeks = sorted(set(a.week_of))
        self.centers = [k for k in range(a.n_centers) if a.need[k] or a.fixed[k]]
        # Every week: at least the need and one judge per fixed slot; at most the open half-days.
        self.low = {k: len(self.weeks) * max(a.need[k], len(a.fixed[k])) for k in self.centers}
        self.high = {k: sum(len(ps) for ps in center_p.get(k, {}).values()) * a.max_per_slot for k in self.centers}
        self.able = {}  # (center, fixed group) -> the judges who can sit that fixed slot in some week
        for k in self.centers:
            for g, group in enumerate(a.fixed[k]):
                periods = set(group)
                self.able[k, g] = sorted(s for (s, kk), ps in pair_p.items() if kk == k and ps & periods and (s, kk) in self.pair_cap)
        # Week by week (leave, pins): the judges who can sit each fixed slot, and how many half-days
        # each can give the center that week (its periods there, at most its weekly limit).
        self.week_able: list[tuple[int, list[int]]] = []  # (center, judges who can sit one fixed period)
        self.week_supply: list[tuple[int, int, dict[int, int]]] = []  # (center, need, judge -> half-days)
        for k in self.centers:
            for group in a.fixed[k]:
                for p in group:
                    self.week_able.append((k, sorted(s for s in range(a.n_staff) if p in pair_p.get((s, k), ()) and (s, k) in self.pair_cap)))
            for w, ps in sorted(center_p.get(k, {}).items()):
                supply = {s: min(len(pair_p[s, k] & ps), a.week_limit[s]) for s in range(a.n_staff) if (s, k) in self.pair_cap}
                self.week_supply.append((k, max(a.need[k], len(a.fixed[k])), {s: c for s, c in supply.items() if c > 0}))
        cheapest: dict[tuple[int, int], float] = {}
        for s, p, k in a.allowed:
            key = (k, a.week_of[p])
            cheapest[key] = min(cheapest.get(key, math.inf), a.cost[s, k])
        self.travel_floor = sum(max(a.need[k], len(a.fixed[k])) * cheapest.get((k, w), 0.0) for k in self.centers for w in self.weeks)
        with_capacity = {s for (s, _k) in self.pair_cap}
        self.rotating = [s for s in a.rotating if s in with_capacity]  # the others may rotate but never can: they idle
        self.max_load = max(self.staff_cap.values(), default=0)
        # Identical judges (same allowed triples, costs and limits) are interchangeable.
        triples: dict[int, list[tuple[int, int]]] = {}
        for (s, k), ps in pair_p.items():
            triples.setdefault(s, []).extend((p, k) for p in ps)
        signature: dict[tuple, list[int]] = {}
        for s in sorted(with_capacity):  # a judge without capacity has no load variable (always 0)
            sig = (tuple(sorted(triples[s])), tuple(a.cost.get((s, k)) for k in range(a.n_centers)), a.week_limit[s],
                   a.month_limit[s], s in set(a.rotating))
            signature.setdefault(sig, []).append(s)
        self.classes = [g for g in signature.values() if len(g) > 1]

    def _cap(self, s: int, periods: set[int]) -> int:
        a = self.a
        by_w: dict[Hashable, int] = {}
        by_m: dict[Hashable, int] = {}
        for p in periods:
            by_w[a.week_of[p]] = by_w.get(a.week_of[p], 0) + 1
            by_m[a.month_of[p]] = by_m.get(a.month_of[p], 0) + 1
        return min(len(periods), _capped(by_w, a.week_limit[s]), _capped(by_m, a.month_limit[s]))

    def quick_bound(self, top: int, all_rotate: bool) -> float:
        """A lower bound of the case "no load above `top`", with every rotating judge working
        (`all_rotate`) or some idle (then the spread is the top load): each center needs
        ceil(demand / top) distinct judges, each half-day costs at least the cheapest there."""
        a = self.a
        pairs = 0
        for k in self.centers:
            per_judge = min(top, max((c for (s, kk), c in self.pair_cap.items() if kk == k), default=0))
            if per_judge <= 0:
                return math.inf
            pairs += -(-self.low[k] // per_judge)
        spread = 0.0
        if self.rotating and a.fairness:
            if all_rotate:
                pairs = max(pairs, len(self.rotating))
            else:
                spread = float(top)
            if all_rotate and len(self.rotating) < len(a.rotating):
                return math.inf  # someone who may rotate has no capacity at all: they idle
        return a.stability * pairs + a.fairness * spread + self.travel_floor

    def case_model(self, top: int, all_rotate: bool, scale: int) -> tuple[cp_model.CpModel, dict]:
        """The aggregate with every load at most `top` and, if `all_rotate`, every rotating judge
        working at least one half-day (else the spread is counted as top - 0)."""
        a = self.a
        m = cp_model.CpModel()
        n: dict[tuple[int, int], cp_model.IntVar] = {}
        u: dict[tuple[int, int], cp_model.IntVar] = {}
        for (s, k), c in self.pair_cap.items():
            c = min(c, top)
            n[s, k] = m.new_int_var(0, c, f"n{s}_{k}")
            u[s, k] = m.new_bool_var(f"u{s}_{k}")
            m.add(n[s, k] <= c * u[s, k])  # with c <= top, the distinct pairs relax well in the LP
            m.add(n[s, k] >= u[s, k])
        by_staff: dict[int, list[tuple[int, int]]] = {}
        for key in n:
            by_staff.setdefault(key[0], []).append(key)
        load = {s: sum(n[key] for key in keys) for s, keys in by_staff.items()}
        for s, keys in by_staff.items():
            m.add(load[s] <= min(top, self.staff_cap[s]))
        objective = []
        for k in self.centers:
            total = sum(n[s, kk] for (s, kk) in n if kk == k)
            m.add(total >= self.low[k])
            m.add(total <= self.high[k])
            if a.excess:
                objective.append(cost_units(a.excess, scale) * (total - a.need[k] * len(self.weeks)))
            for g, group in enumerate(a.fixed[k]):
                # The judges who can sit this fixed slot sit it every week between them.
                m.add(sum(n[s, k] for s in self.able[k, g]) >= len(group))
        # Each week, the pairs in use can cover the center: someone of them can sit each fixed slot,
        # and between them they can give the week's half-days.
        for k, able in self.week_able:
            m.add(sum(u[s, k] for s in able) >= 1)
        for k, need, supply in self.week_supply:
            m.add(sum(c * u[s, k] for s, c in supply.items()) >= need)
        for group in self.classes:
            for s1, s2 in zip(group, group[1:]):
                m.add(load[s1] >= load[s2])
        objective.extend(cost_units(a.cost[key], scale) * v for key, v in n.items())
        if a.stability:
            objective.extend(cost_units(a.stability, scale) * b for b in u.values())
        if a.fairness and self.rotating:
            if all_rotate:
                lo = m.new_int_var(1, top, "lo")
                for s in self.rotating:
                    m.add(lo <= load[s])
                    m.add(sum(u[key] for key in by_staff[s]) >= 1)
                objective.append(cost_units(a.fairness, scale) * (top - lo))
            else:
                objective.append(cost_units(a.fairness, scale) * top)
        m.minimize(sum(objective))
        return m, n


def solve_aggregate(a: AggregateInput, *, time_limit_s: float, workers: int, seed: int, scale: int = 1000) -> AggregateResult:
    """Branch on the top load: each case ("loads at most L", all judges rotating or some idle) gets
    a quick bound; cases are solved exactly (CP-SAT) in the order of their quick bounds until the
    next quick bound reaches the best aggregate found. The bound returned is the least, over all
    cases, of the solved case's proven bound or the unsolved case's quick bound."""
    t0 = time.perf_counter()
    d = _Data(a)
    if not d.centers:
        return AggregateResult("optimal", 0.0, 0.0, {}, time.perf_counter() - t0)
    if d.rotating and a.fairness:
        cases = sorted((d.quick_bound(L, z), L, z) for L in range(1, d.max_load + 1) for z in (False, True))
    else:  # no spread term: one case, the loosest cap, is the whole relaxation
        cases = [(d.quick_bound(d.max_load, True), d.max_load, True)]
    best_obj, best_counts = math.inf, {}
    case_bounds: list[float] = []  # the bounds of the cases not closed
    for i, (quick, L, z) in enumerate(cases):
        if quick == math.inf:
            break
        left = time_limit_s - (time.perf_counter() - t0)
        if quick >= best_obj - 1e-9:
            case_bounds.append(quick)  # every later case is at least as costly
            break
        if left <= 0.05:
            case_bounds.extend(q for q, _L, _z in cases[i:])
            break
        m, n = d.case_model(L, z, scale)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = left
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        code = solver.solve(m)
        if code == cp_model.INFEASIBLE:
            continue
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            obj = solver.objective_value / scale
            if obj < best_obj:
                best_obj = obj
                best_counts = {key: int(solver.value(v)) for key, v in n.items() if solver.value(v) > 0}
        if code != cp_model.OPTIMAL:
            case_bounds.append(max(quick, solver.best_objective_bound / scale))
    if not best_counts:  # infeasible if every case was proved so (an infinite quick bound is a proof too)
        return AggregateResult("unknown" if case_bounds else "infeasible", 0.0, None, {}, time.perf_counter() - t0)
    bound = min([best_obj, *case_bounds])
    return AggregateResult("optimal" if bound >= best_obj - 1e-9 else "feasible", max(0.0, bound), best_obj, best_counts,
                           time.perf_counter() - t0)
