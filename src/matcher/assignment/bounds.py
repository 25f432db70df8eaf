"""Per-case lower bounds and the exact option filter they give.

Relax every rule that couples cases (workload, one place at a time, rooms, balance): each case then
costs at least its *floor* — the cheapest way to serve it alone, or its unassigned penalty — and
``LB0 = Σ floor`` is a lower bound of the whole problem. Forcing one option (an expert in a seat, or
a slot) raises case k's floor by that option's *increment* ``inc``, so any plan using the option costs
at least ``LB0 + inc``. Hence:

- an option with ``LB0 + inc >= UB`` (UB: the cost of a known plan) can never improve on that plan
  and is left out of the model — an exact reduction;
- if the model holds only some options and proves bound ``B`` over them, then
  ``min(B, LB0 + min inc of the options left out)`` bounds the full problem. When that meets the best
  plan's cost, the plan is optimal for the full problem; otherwise the gap is reported honestly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .candidates import IN_PERSON, MODES, ONLINE, PlannedCase, Problem
from .config import ObjectiveWeights
from .objective import RISK_FACTOR

INF = float("inf")


@dataclass
class CaseBound:
    floor: float
    drop: float
    row_inc: list[np.ndarray]  # per seat: increment of each pool row
    left_out: list[float] = None  # per seat: smallest increment among rows dropped from the pool
    slot_floor: dict[int, np.ndarray] | None = None  # per mode: cheapest cost of the case in each slot

    def __post_init__(self) -> None:
        if self.left_out is None:
            self.left_out = [INF] * len(self.row_inc)


def case_bound(pc: PlannedCase, start: dt.date, w: ObjectiveWeights, seat_free: list[np.ndarray],
               shared: dict | None = None) -> CaseBound:
    """Floor and increments of one case, exact for the case alone (slot availability of each expert
    included; only the distinct-expert rule inside the team is relaxed).

    ``shared`` (a dict living for one build) keeps what depends on a seat's pool alone — its rows per
    mode, its cheapest expert per slot — for the alike cases sharing that pool (see build_problem),
    and the whole (read-only) bound for alike cases that also share risk and age, without pin or
    previous line: nothing else of the case enters the bound."""
    shared = {} if shared is None else shared
    key = None
    if pc.pin is None and pc.previous is None and pc.seats:
        # The pools outlive the build (ids are not reused); one pool means one slot_ok, seat_free, dropped_min.
        key = ("bound", tuple(id(seat.pool) for seat in pc.seats), pc.case.risk, pc.case.received.date())
        if key in shared:
            return shared[key]
    out = _case_bound(pc, start, w, seat_free, shared)
    if key is not None:
        shared[key] = out
    return out


def session_slot_costs(pc: PlannedCase, start: dt.date, w: ObjectiveWeights) -> dict[int, np.ndarray]:
    """Per mode: the session's weighted cost (urgency + waiting) in each slot, ∞ where the case cannot meet."""
    age = max(0, (start - pc.case.received.date()).days)
    per_slot = w.urgency * RISK_FACTOR[pc.case.risk] + w.waiting * age / 10.0
    n_slots = len(pc.slot_ok[IN_PERSON])
    return {m: np.where(pc.slot_ok[m], per_slot * np.arange(n_slots), INF) for m in MODES}


def _case_bound(pc: PlannedCase, start: dt.date, w: ObjectiveWeights, seat_free: list[np.ndarray],
                shared: dict) -> CaseBound:
    drop = w.unassigned + (w.disruption if pc.previous is not None else 0.0)
    n_seats = len(pc.seats)
    if not pc.needs_session:
        # Experts not remembered (Seat.dropped_min) cost at least that much: mins stay lower bounds.
        mins = [min(float(seat.pool.cost.min()) if len(seat.pool) else INF, seat.dropped_min.get(IN_PERSON, INF))
                for seat in pc.seats]
        served = sum(mins)
        floor = served if pc.pin is not None else min(served, drop)
        row_inc = [seat.pool.cost + (served - mins[j]) - floor for j, seat in enumerate(pc.seats)]
        left = [served - mins[j] + seat.dropped_min.get(IN_PERSON, INF) - floor for j, seat in enumerate(pc.seats)]
        return CaseBound(floor, drop, row_inc, left_out=left)
    n_slots = len(pc.slot_ok[IN_PERSON])
    slot_cost = session_slot_costs(pc, start, w)
    # seat_min[m][j][s]: cheapest expert of seat j free in slot s in mode m
    seat_min = {m: [] for m in MODES}
    for seat, free in zip(pc.seats, seat_free):
        for m in MODES:
            key = ("seat_min", id(seat.pool), m)  # the pools outlive the build: ids are not reused
            if key not in shared:
                rows = seat.pool.mode == m
                if rows.any():
                    c = np.where(free[rows], seat.pool.cost[rows][:, None], INF).min(axis=0)
                else:
                    c = np.full(n_slots, INF)
                # Experts not remembered cost at least dropped_min in any slot: a lower bound.
                shared[key] = np.minimum(c, seat.dropped_min.get(m, INF))
            seat_min[m].append(shared[key])
    total = {m: slot_cost[m] + (np.sum(seat_min[m], axis=0) if n_seats else 0.0) for m in MODES}
    served = min(float(total[m].min()) for m in MODES)
    floor = served if pc.pin is not None else min(served, drop)
    row_inc, left = [], []
    for j, (seat, free) in enumerate(zip(pc.seats, seat_free)):
        inc = np.full(len(seat.pool), INF)
        for m in MODES:
            key = ("rows", id(seat.pool), m)
            if key not in shared:
                shared[key] = np.flatnonzero(seat.pool.mode == m)
            rows = shared[key]
            if not len(rows):
                continue
            others = slot_cost[m] + sum(seat_min[m][i] for i in range(n_seats) if i != j)
            best = np.where(free[rows], others[None, :], INF).min(axis=1)
            inc[rows] = best + seat.pool.cost[rows] - floor
        row_inc.append(inc)
        # Rows not remembered: forced in, they cost at least dropped_min in the case's best slot.
        left.append(min(
            (float((slot_cost[m] + sum(seat_min[m][i] for i in range(n_seats) if i != j)).min())
             + seat.dropped_min.get(m, INF) - floor for m in MODES), default=INF))
    return CaseBound(floor, drop, row_inc, left_out=left, slot_floor=total)


def balance_floor(p: Problem, w: ObjectiveWeights, upper: float, bounds: list[CaseBound]) -> float:
    """A lower bound on the balance term. A case whose unassigned penalty exceeds its floor by more
    than ``upper − Σ floor`` is served in every plan better than ``upper``; its seats of one (role,
    category) can only go to the experts able to fill them, so the busiest of those holds at least
    ⌈seats / experts⌉ lines — or, with lines held outside the problem (``base_load``: reserved lines),
    ⌈(seats + their held lines) / experts⌉, and never fewer than the most any expert already holds."""
    if w.balance <= 0 or not p.cases:
        return 0.0
    held = p.base_load if p.base_load is not None else np.zeros(len(p.experts), np.int64)
    slack = upper - sum(b.floor for b in bounds)
    seats: dict[tuple, int] = {}
    for pc, b in zip(p.cases, bounds):
        if pc.pin is None and b.drop - b.floor <= slack:
            continue  # might be left unassigned by a better plan
        if any(not len(seat.pool) and not seat.options for seat in pc.seats):
            continue
        for seat in pc.seats:
            key = (seat.role, pc.case.category)
            seats[key] = seats.get(key, 0) + 1
    if not seats:
        return w.balance * int(held.max(initial=0))
    best = max(1, int(held.max(initial=0)))
    has_room = p.open_capacity > 0
    for (role, category), n in seats.items():
        able = has_room & np.fromiter((e.can_fill(role, category) for e in p.experts), bool, len(p.experts))
        if able.any():
            best = max(best, -(-(n + int(held[able].sum())) // int(able.sum())))
    return w.balance * best


def room_shortage(p: Problem, bounds: list[CaseBound]) -> float:
    """Cases that can meet only in person at a center compete for its free rooms: when they outnumber
    the room-slots they could use, at least the excess stays unserved, each paying at least
    ``drop − floor`` more than its floor. Adds the cheapest such excess to the bound (valid)."""
    by_center: dict[str, list[int]] = {}
    for pc in p.cases:
        if pc.needs_session and pc.pin is None and not len(pc.slots[ONLINE]) and len(pc.slots[IN_PERSON]):
            by_center.setdefault(pc.case.center, []).append(pc.index)
    extra = 0.0
    for center, ks in by_center.items():
        usable = np.zeros(len(p.slots), bool)
        for k in ks:
            usable[p.cases[k].slots[IN_PERSON]] = True
        room_slots = sum(max(0, p.room_capacity[center, int(s)]) for s in np.flatnonzero(usable))
        excess = len(ks) - room_slots
        if excess > 0:
            extra += float(np.sort([bounds[k].drop - bounds[k].floor for k in ks])[:excess].sum())
    return extra


def room_flow_bound(p: Problem, bounds: list[CaseBound], chosen: dict[int, tuple[int, int]] | None = None,
                    scale: int = 100) -> float | None:
    """A lower bound that keeps the rooms: each case picks a mode and slot at its per-slot floor (its
    cheapest team free then), or stays unassigned; in-person sessions at a center in a slot never
    outnumber its free rooms. Experts' capacities are relaxed. A min-cost flow solves it exactly:
    source → case → (center, slot) room node → sink, online and unassigned arcs straight to the sink.
    Costs are rounded down to 1/``scale``, so the value stays a valid bound. ``chosen`` (if given) receives
    the flow's (mode, slot) per case: a good starting point for a plan."""
    from ortools.graph.python import min_cost_flow

    f = min_cost_flow.SimpleMinCostFlow()
    source, sink = 0, 1
    nodes: dict[tuple[str, int], int] = {}
    next_node = 2
    constant = 0.0
    n = 0
    arcs: list[tuple[int, int, int, int]] = []
    for pc, b in zip(p.cases, bounds):
        if not pc.needs_session or b.slot_floor is None:
            constant += b.floor
            continue
        node = next_node
        next_node += 1
        n += 1
        f.add_arc_with_capacity_and_unit_cost(source, node, 1, 0)
        if pc.pin is None:
            f.add_arc_with_capacity_and_unit_cost(node, sink, 1, int(np.floor(b.drop * scale)))
        for mode in MODES:
            costs = b.slot_floor[mode]
            for s in np.flatnonzero(np.isfinite(costs)):
                c = int(np.floor(costs[s] * scale))
                if mode == ONLINE or pc.pin is not None:
                    a = f.add_arc_with_capacity_and_unit_cost(node, sink, 1, c)
                else:
                    key = (pc.case.center, int(s))
                    if key not in nodes:
                        nodes[key] = next_node
                        next_node += 1
                    a = f.add_arc_with_capacity_and_unit_cost(node, nodes[key], 1, c)
                arcs.append((a, pc.index, mode, int(s)))
    for (center, s), node in nodes.items():
        f.add_arc_with_capacity_and_unit_cost(node, sink, max(0, p.room_capacity[center, s]), 0)
    f.set_node_supply(source, n)
    f.set_node_supply(sink, -n)
    if n == 0:
        return constant
    if f.solve() != f.OPTIMAL:
        return None
    if chosen is not None:
        for a, k, mode, s in arcs:
            if f.flow(a) > 0:
                chosen[k] = (mode, s)
    return constant + f.optimal_cost() / scale
