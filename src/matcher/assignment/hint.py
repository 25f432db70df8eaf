"""A fast constructive plan used to hint CP-SAT (and as the fallback when the search finds nothing).

Cases are served most urgent first (high risk, then earliest deadline); each tries, in its in-person
and its online mode, the first few slots where every seat has a free expert (cheapest expert first)
and keeps the cheapest. Every hard rule is respected, so the plan is feasible on its own.
"""

from __future__ import annotations

import time
from collections import Counter

import numpy as np

from .candidates import IN_PERSON, MODES, ONLINE, PlannedCase, Problem, keep_options
from .config import ObjectiveWeights
from .lns import from_keys, to_keys
from .objective import Choice, evaluate, seat_terms, slot_terms, total, weighted


def greedy_plan(p: Problem, w: ObjectiveWeights, budget_s: float = float("inf"),
                preferred: dict[int, tuple[int, int]] | None = None, widen_until: float = float("inf")) -> dict[int, Choice]:
    """The best of a few greedy passes that differ in the load an expert may reach before the balance
    weight is charged (charging it from the first extra case is myopic: it spreads cases onto worse
    experts to avoid a one-off cost).

    The best pass is remembered by expert id: a later pass may widen a seat's options (see
    ``_greedy_pass``), which renumbers them, so option indices kept from an earlier pass would name
    other experts (seen as double bookings and overloads in simulated Bao'an days)."""
    best, best_value = {}, float("inf")
    stop = time.perf_counter() + budget_s
    passes = [(2, preferred), (2, None), (1, None), (3, None), (5, None), (10**9, None)] if preferred else \
        [(2, None), (1, None), (3, None), (5, None), (10**9, None)]
    for free_load, pref in passes:
        if best and time.perf_counter() > stop:
            break
        plan = _greedy_pass(p, w, free_load, preferred=pref, widen_until=widen_until)
        value = total(evaluate(p, plan, w), w)
        if value < best_value - 1e-9:
            best, best_value = to_keys(p, plan), value
    return from_keys(p, best)


def _greedy_pass(p: Problem, w: ObjectiveWeights, free_load: int, fixed: dict[int, Choice] | None = None,
                 slots_per_mode: int = 6, preferred: dict[int, tuple[int, int]] | None = None,
                 widen: bool = True, widen_until: float = float("inf")) -> dict[int, Choice]:
    load: Counter[int] = Counter()  # lines this plan gives (the capacities already exclude held ones)
    held = p.base_load if p.base_load is not None else np.zeros(len(p.experts), np.int64)
    busiest = [int(held.max(initial=0))]  # the balance term's load so far (held lines included)
    busy: set[tuple[int, int]] = set()
    weekly: Counter[tuple[int, int]] = Counter()
    rooms: Counter[tuple[str, int]] = Counter()
    out: dict[int, Choice] = {}

    def take(k: int, ch: Choice) -> None:
        pc = p.cases[k]
        out[k] = ch
        for j, o in enumerate(ch.options):
            e = pc.seats[j].options[o].expert
            load[e] += 1
            busiest[0] = max(busiest[0], load[e] + int(held[e]))
            if ch.slot is not None and pc.pin is None:
                busy.add((e, ch.slot))
                weekly[e, int(p.week_of_slot[ch.slot])] += 1
        if ch.slot is not None and ch.mode == IN_PERSON and pc.pin is None:
            rooms[pc.case.center, ch.slot] += 1

    def fits(k: int, ch: Choice) -> bool:
        pc = p.cases[k]
        for j, o in enumerate(ch.options):
            e = pc.seats[j].options[o].expert
            if load[e] >= p.open_capacity[e]:
                return False
            if ch.slot is not None and pc.pin is None:
                wk = int(p.week_of_slot[ch.slot])
                if (e, ch.slot) in busy or weekly[e, wk] >= p.session_capacity[e, wk]:
                    return False
        if ch.slot is not None and ch.mode == IN_PERSON and pc.pin is None:
            return rooms[pc.case.center, ch.slot] < p.room_capacity[pc.case.center, ch.slot]
        return True

    order = sorted(p.cases, key=lambda pc: (pc.pin is None, -pc.case.risk.rank, pc.case.deadline, pc.index))
    if fixed:
        # Keep every choice of the given plan that still fits, then place the rest greedily.
        for pc in order:
            ch = fixed.get(pc.index)
            if ch is not None and fits(pc.index, ch):
                take(pc.index, ch)
    option_costs: dict[int, tuple[list, list[float]]] = {}  # by options list (alike cases share one)

    def costs_of(seat) -> list[float]:  # type: ignore[no-untyped-def]
        hit = option_costs.get(id(seat.options))
        if hit is None or hit[0] is not seat.options:  # the list is kept alive here: its id is not reused
            hit = option_costs[id(seat.options)] = (seat.options, [weighted(seat_terms(o), w) for o in seat.options])
        return hit[1]

    def place(pc: PlannedCase) -> Choice | None:
        k = pc.index
        if any(not seat.options for seat in pc.seats):
            return None
        # Cheapest first, with the balance weight charged when the expert would become the busiest.
        top = max(busiest[0], free_load)
        costs = [costs_of(seat) for seat in pc.seats]
        ranked = [
            sorted(range(len(seat.options)), key=lambda o, seat=seat, c=c: c[o]
                   + w.balance * max(0, load[seat.options[o].expert] + int(held[seat.options[o].expert]) + 1 - top))
            for seat, c in zip(pc.seats, costs)
        ]
        slot_sets = [[set(opt.slots.tolist()) for opt in seat.options] for seat in pc.seats]

        def team(mode: int, s: int | None) -> tuple[int, ...] | None:
            chosen: list[int] = []
            used: set[int] = set()
            for j, seat in enumerate(pc.seats):
                pick = None
                for o in ranked[j]:
                    opt = seat.options[o]
                    e = opt.expert
                    if opt.mode != mode or e in used or load[e] >= p.open_capacity[e]:
                        continue
                    if s is not None:
                        if s not in slot_sets[j][o] or (e, s) in busy:
                            continue
                        if pc.pin is None and weekly[e, int(p.week_of_slot[s])] >= p.session_capacity[e, int(p.week_of_slot[s])]:
                            continue
                    pick = o
                    break
                if pick is None:
                    return None
                chosen.append(pick)
                used.add(seat.options[pick].expert)
            return tuple(chosen)

        best: tuple[float, Choice] | None = None
        if preferred and k in preferred:
            mode, s = preferred[k]
            t = team(mode, s)
            if t is not None and not (mode == IN_PERSON and pc.pin is None
                                      and rooms[pc.case.center, s] >= p.room_capacity[pc.case.center, s]):
                return Choice(k, mode, s, t)
        if not pc.needs_session:
            t = team(IN_PERSON, None)
            if t is not None:
                best = (0.0, Choice(k, IN_PERSON, None, t))
        else:
            for mode in MODES:
                tried = 0
                for s in pc.slots[mode]:
                    s = int(s)
                    if tried >= slots_per_mode:
                        break
                    if mode == IN_PERSON and pc.pin is None and rooms[pc.case.center, s] >= p.room_capacity[pc.case.center, s]:
                        continue
                    t = team(mode, s)
                    if t is None:
                        continue
                    cost = weighted(slot_terms(pc, p, s), w) + sum(costs[j][o] for j, o in enumerate(t))
                    if best is None or cost < best[0]:
                        best = (cost, Choice(k, mode, s, t))
                    tried += 1  # a few of the earliest feasible slots of this mode
        return best[1] if best is not None else None

    for pc in order:
        if pc.index in out:
            continue
        choice = place(pc)
        if (choice is None and widen and time.perf_counter() < widen_until
                and any(len(seat.options) < len(seat.pool) for seat in pc.seats)):
            # The cheapest experts are taken: let this case look at every expert remembered for it.
            for seat in pc.seats:
                keep_options(p, pc, seat, np.arange(len(seat.pool)))
            choice = place(pc)
        if choice is not None:
            take(pc.index, choice)
    return out


__all__ = ["greedy_plan", "IN_PERSON", "ONLINE"]


def repair_plan(p: Problem, w: ObjectiveWeights, plan: dict[int, Choice]) -> dict[int, Choice]:
    """Make a plan that breaks coupling rules feasible: keep what fits, re-place the rest greedily."""
    return _greedy_pass(p, w, free_load=2, fixed=plan, widen=False)  # the model owns the options now
