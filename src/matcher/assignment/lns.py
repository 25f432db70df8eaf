"""Large-neighbourhood search over cases, on the same model builder as the full CP-SAT model.

A neighbourhood is a few dozen cases that compete for the same experts or rooms (a random case, the
cases at its center, the cases whose candidate experts overlap its own). Every other case keeps its
line; what they hold (expert loads, busy half-days, weekly sessions, rooms) is taken out of the
capacities, and the neighbourhood is re-solved with CP-SAT exactly as the full problem is. A better
plan replaces the incumbent. Used when the full model is too large to improve within the time limit.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter, defaultdict

import numpy as np

from .candidates import IN_PERSON, PlannedCase, Problem, Seat
from .config import ObjectiveWeights, SolveParams
from .core import SolveStatus
from .objective import Choice, evaluate, seat_terms, slot_terms, total, weighted

Key = tuple[int, int | None, tuple[str, ...]]  # (mode, slot, expert ids per seat)


def sub_problem(p: Problem, plan: dict[int, Key], free: list[int]) -> tuple[Problem, list[int]]:
    """The problem restricted to cases ``free``, with the rest of ``plan`` fixed (its resources taken)."""
    index = p.expert_index
    fixed_set = set(free)
    load = np.zeros(len(p.experts), np.int64)
    busy: set[tuple[int, int]] = set()
    weekly: Counter[tuple[int, int]] = Counter()
    rooms: Counter[tuple[str, int]] = Counter()
    for k, (mode, slot, experts) in plan.items():
        if k in fixed_set:
            continue
        pc = p.cases[k]
        for eid in experts:
            e = index[eid]
            load[e] += 1
            if slot is not None and pc.pin is None:
                busy.add((e, slot))
                weekly[e, int(p.week_of_slot[slot])] += 1
        if slot is not None and mode == IN_PERSON and pc.pin is None:
            rooms[pc.case.center, slot] += 1
    cases: list[PlannedCase] = []
    for i, k in enumerate(free):
        pc = p.cases[k]
        seats = []
        for seat in pc.seats:
            opts = []
            for o in seat.options:
                slots = o.slots
                if pc.needs_session and pc.pin is None:
                    slots = np.array([s for s in slots.tolist() if (o.expert, s) not in busy], dtype=np.int64)
                    if not len(slots):
                        continue
                opts.append(dataclasses.replace(o, slots=slots))
            seats.append(Seat(seat.role, seat.pool, opts))
        cases.append(dataclasses.replace(pc, index=i, seats=seats))
    session_capacity = {key: cap - weekly.get(key, 0) for key, cap in p.session_capacity.items()}
    room_capacity = {key: cap - rooms.get(key, 0) for key, cap in p.room_capacity.items()}
    base = (p.base_load if p.base_load is not None else 0) + load
    sub = dataclasses.replace(p, cases=cases, open_capacity=p.open_capacity - load, session_capacity=session_capacity,
                              room_capacity=room_capacity, base_load=base)
    return sub, free


def to_keys(p: Problem, choices: dict[int, Choice]) -> dict[int, Key]:
    return {
        k: (ch.mode, ch.slot, tuple(p.experts[p.cases[k].seats[j].options[o].expert].id for j, o in enumerate(ch.options)))
        for k, ch in choices.items()
    }


def from_keys(p: Problem, keys: dict[int, Key]) -> dict[int, Choice]:
    """Plans by expert id back to option indices in ``p``.

    A key records the session's mode, not each seat's, and a seat may sit in another mode than the
    session (a judge is in person at an online session): such a seat matches the expert's option of
    the other mode. A case whose expert has no option left in ``p`` is left out of the plan
    (unassigned) rather than raising — a worse but valid plan; the search then improves on it."""
    out = {}
    index = p.expert_index
    for k, (mode, slot, experts) in keys.items():
        pc = p.cases[k]
        opts = []
        for seat, eid in zip(pc.seats, experts):
            e = index[eid]
            same = [o for o, opt in enumerate(seat.options) if opt.expert == e]
            exact = [o for o in same if seat.options[o].mode == mode]
            if not same:
                break
            opts.append((exact or same)[0])
        if len(opts) == len(pc.seats):
            out[k] = Choice(k, mode, slot, tuple(opts))
    return out


def excess(p: Problem, w: ObjectiveWeights, plan: dict[int, Choice]) -> np.ndarray:
    """How much each case costs above its floor in ``plan`` (where improvement can come from)."""
    out = np.zeros(len(p.cases))
    for pc in p.cases:
        ch = plan.get(pc.index)
        if ch is None:
            cost = pc.bound.drop if pc.bound is not None else w.unassigned
        else:
            cost = sum(weighted(seat_terms(pc.seats[j].options[o]), w) for j, o in enumerate(ch.options))
            if ch.slot is not None:
                cost += weighted(slot_terms(pc, p, ch.slot), w)
        out[pc.index] = max(0.0, cost - (pc.bound.floor if pc.bound is not None else 0.0))
    return out


def neighbourhood(p: Problem, plan: dict[int, Key], rng: np.random.Generator, size: int,
                  by_center: dict[str, list[int]], by_expert: dict[int, list[int]],
                  weight: np.ndarray | None = None) -> list[int]:
    if size >= len(p.cases):
        return list(range(len(p.cases)))
    if weight is not None and weight.sum() > 0 and rng.random() < 0.7:
        # Mostly start from a case that costs well above its floor; sometimes anywhere.
        seed = int(rng.choice(len(p.cases), p=weight / weight.sum()))
    else:
        seed = int(rng.integers(len(p.cases)))
    chosen = {seed}
    frontier = [seed]
    while frontier and len(chosen) < size:
        k = frontier.pop(0)
        pc = p.cases[k]
        related = list(by_center.get(pc.case.center, ()))
        for seat in pc.seats:
            for o in seat.options[:6]:
                related.extend(by_expert.get(o.expert, ())[:8])
        rng.shuffle(related)
        for r in related:
            if r not in chosen and p.cases[r].pin is None:
                chosen.add(r)
                frontier.append(r)
                if len(chosen) >= size:
                    break
    return sorted(chosen)


def improve(p: Problem, w: ObjectiveWeights, params: SolveParams, plan: dict[int, Key], deadline: float,
            details: dict) -> dict[int, Key]:
    """Re-solve neighbourhoods until ``deadline``; return the best plan found (never worse)."""
    from .cpsat import solve_cpsat  # cpsat imports this module's users; keep the import local

    rng = np.random.default_rng(params.seed)
    value = total(evaluate(p, from_keys(p, plan), w), w)
    by_center: dict[str, list[int]] = defaultdict(list)
    by_expert: dict[int, list[int]] = defaultdict(list)
    for pc in p.cases:
        by_center[pc.case.center].append(pc.index)
        for seat in pc.seats:
            for o in seat.options[:6]:
                by_expert[o.expert].append(pc.index)
    size, tries, wins = 30, 0, 0
    while time.perf_counter() < deadline - 0.1 and len(p.cases) > 1:
        tries += 1
        if tries % 5 == 1:
            weight = excess(p, w, from_keys(p, plan))
        free = neighbourhood(p, plan, rng, min(size, len(p.cases)), by_center, by_expert, weight)
        sub, mapping = sub_problem(p, plan, free)
        sub_plan = {i: plan[k] for i, k in enumerate(mapping) if k in plan}
        try:
            hint = from_keys(sub, sub_plan)
        except StopIteration:  # an option of the plan fell out of the sub-problem: skip it
            continue
        stop = min(deadline, time.perf_counter() + 0.5)
        out = solve_cpsat(sub, w, params.model_copy(update={"max_rounds": 3}), hint, stop)
        if out.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE) and out.choices is not None:
            new_keys = to_keys(sub, out.choices)
            candidate = {k: v for k, v in plan.items() if k not in set(mapping)}
            candidate.update({mapping[i]: key for i, key in new_keys.items()})
            new_value = total(evaluate(p, from_keys(p, candidate), w), w)
            if new_value < value - 1e-9:
                plan, value, wins = candidate, new_value, wins + 1
            if out.status == SolveStatus.OPTIMAL and len(free) == len(p.cases):
                break  # the whole problem (over these options) is solved: nothing left to search
            size = min(size + 5, 120) if out.status == SolveStatus.OPTIMAL else max(10, size - 5)
    details["lns_neighbourhoods"] = tries
    details["lns_improvements"] = wins
    return plan
