"""A fast constructive plan used to hint CP-SAT (and as the fallback when the search finds nothing).

Cases are served most urgent first (high risk, then earliest deadline); each takes, for its in-person
and its online mode, the earliest slot where every seat has a free expert, cheapest first, and keeps
the cheaper of the two. Every hard rule is respected, so the plan is feasible on its own.
"""

from __future__ import annotations

from collections import Counter

from .candidates import IN_PERSON, MODES, ONLINE, Problem
from .config import ObjectiveWeights
from .objective import Choice, seat_terms, slot_terms, weighted


def greedy_plan(p: Problem, w: ObjectiveWeights, fixed: dict[int, Choice] | None = None) -> dict[int, Choice]:
    load: Counter[int] = Counter()
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
            if ch.slot is not None and pc.pin is None:
                busy.add((e, ch.slot))
                weekly[e, int(p.week_of_slot[ch.slot])] += 1
        if ch.slot is not None and ch.mode == IN_PERSON and pc.pin is None:
            rooms[pc.case.center, ch.slot] += 1

    order = sorted(p.cases, key=lambda pc: (pc.pin is None, -pc.case.risk.rank, pc.case.deadline, pc.index))
    for pc in order:
        k = pc.index
        if fixed and k in fixed:
            take(k, fixed[k])
            continue
        if any(not seat.options for seat in pc.seats):
            continue
        ranked = [
            sorted(range(len(seat.options)), key=lambda o, seat=seat: weighted(seat_terms(seat.options[o]), w))
            for seat in pc.seats
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
        if not pc.needs_session:
            t = team(IN_PERSON, None)
            if t is not None:
                best = (0.0, Choice(k, IN_PERSON, None, t))
        else:
            for mode in MODES:
                for s in pc.slots[mode]:
                    s = int(s)
                    if mode == IN_PERSON and pc.pin is None and rooms[pc.case.center, s] >= p.room_capacity[pc.case.center, s]:
                        continue
                    t = team(mode, s)
                    if t is None:
                        continue
                    cost = weighted(slot_terms(pc, p, s), w) + sum(
                        weighted(seat_terms(pc.seats[j].options[o]), w) for j, o in enumerate(t)
                    )
                    if best is None or cost < best[0]:
                        best = (cost, Choice(k, mode, s, t))
                    break  # the earliest feasible slot of this mode
        if best is not None:
            take(k, best[1])
    return out


__all__ = ["greedy_plan", "IN_PERSON", "ONLINE"]
