"""Hard constraints of the CP-SAT model: one function per rule family, named after the rule.

Rules about one case and one expert or slot (expertise, language, conflict of interest, travel limit,
leave, judge rotation, deadline, opening hours) are already applied by the exact pruning in
:mod:`matcher.assignment.candidates`: a variable exists only for an allowed option. The functions here
add the rules that couple variables. Numbers refer to the rules in :mod:`matcher.domain.assignment`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .candidates import IN_PERSON, MODES, Problem
from .core import choose_one, weighted_capacity


@dataclass
class CaseVars:
    """The decision variables. Keys use the problem's indices (case, seat, option, mode, slot)."""

    model: cp_model.CpModel
    served: dict[int, cp_model.IntVar] = field(default_factory=dict)
    y: dict[tuple[int, int, int], cp_model.IntVar] = field(default_factory=dict)  # (case, mode, slot)
    x: dict[tuple[int, int, int], cp_model.IntVar] = field(default_factory=dict)  # (case, seat, option)
    mode_on: dict[tuple[int, int], cp_model.LinearExprT] = field(default_factory=dict)  # (case, mode)
    uses: dict[tuple[int, int], list[cp_model.IntVar]] = field(default_factory=lambda: defaultdict(list))  # (case, expert)
    cases_of_expert: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    load_max: cp_model.IntVar | None = None  # the balance term's variable, when weighted


def location_in_person_or_online(v: CaseVars, p: Problem) -> None:
    """Rules 4–5: a case with a session is held in exactly one slot, either in person or online (a
    served case without session has no slot). ``mode_on[k, mode]`` is 1 for the chosen mode."""
    for pc in p.cases:
        k = pc.index
        if not pc.needs_session:
            v.mode_on[k, IN_PERSON] = v.served[k]
            continue
        total = []
        for mode in MODES:
            ys = [v.y[k, mode, s] for s in pc.slots[mode]]
            v.mode_on[k, mode] = sum(ys) if ys else 0
            total.extend(ys)
        choose_one(v.model, total, v.served[k]) if total else v.model.add(v.served[k] == 0)


def team_one_expert_per_role(v: CaseVars, p: Problem) -> None:
    """Rule 2: one expert per role of a served case, in the case's mode; distinct experts per case."""
    for pc in p.cases:
        k = pc.index
        for j, seat in enumerate(pc.seats):
            for mode in MODES if pc.needs_session else (IN_PERSON,):
                opts = [v.x[k, j, o] for o, opt in enumerate(seat.options) if opt.mode == mode]
                on = v.mode_on[k, mode]
                if opts:
                    v.model.add(sum(opts) == on)
                elif not isinstance(on, int):
                    v.model.add(on == 0)
    for lits in v.uses.values():
        if len(lits) > 1:  # the same expert could fill two seats of one case (e.g. mediator + industry)
            v.model.add_at_most_one(lits)


def availability_in_chosen_slot(v: CaseVars, p: Problem) -> None:
    """Rule 6: an expert sits only in a slot where they are available, off leave, not in a pinned
    session, and (a judge) rotated to the case's center: x + Σ y[forbidden slots] <= 1."""
    for pc in p.cases:
        k = pc.index
        for j, seat in enumerate(pc.seats):
            for o, opt in enumerate(seat.options):
                if not pc.needs_session:
                    continue
                allowed = set(opt.slots.tolist())
                bad = [v.y[k, opt.mode, s] for s in pc.slots[opt.mode] if s not in allowed]
                if bad:
                    v.model.add(v.x[k, j, o] + sum(bad) <= 1)


def rooms_one_session_per_room(v: CaseVars, p: Problem) -> None:
    """Rule 7 (rooms): in-person sessions at a center in one slot never outnumber its free rooms."""
    by_room: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
    for pc in p.cases:
        if pc.pin is not None or not pc.needs_session:
            continue  # a pin's room is already taken out of the free rooms
        for s in pc.slots[IN_PERSON]:
            by_room[pc.case.center, int(s)].append(v.y[pc.index, IN_PERSON, s])
    for (center, s), ys in by_room.items():
        weighted_capacity(v.model, ((y, 1) for y in ys), max(0, p.room_capacity[center, s]))


def workload_open_cases(v: CaseVars, p: Problem) -> None:
    """Rule 8 (cases): open_cases + lines naming the expert <= max_open_cases (pins included)."""
    per_expert: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for (_k, e), lits in v.uses.items():
        per_expert[e].extend(lits)
    for e, lits in per_expert.items():
        weighted_capacity(v.model, ((x, 1) for x in lits), int(p.open_capacity[e]))


def pins_kept(v: CaseVars, p: Problem) -> None:
    """Rule 9: a pinned case is served, by exactly its pinned options (the pruning left no others)."""
    for pc in p.cases:
        if pc.pin is not None:
            v.model.add(v.served[pc.index] == 1)


def _in_slot(v: CaseVars, k: int, s: int) -> list[cp_model.IntVar]:
    return [v.y[k, m, s] for m in MODES if (k, m, s) in v.y]


def one_place_at_a_time(v: CaseVars, p: Problem, pairs: Iterable[tuple[int, int]]) -> int:
    """Rule 7 (experts): for each (expert, slot) given, at most one session of the plan has the expert
    in that slot. ``a ≥ uses(k, e) + in_slot(k, s) − 1`` marks case k's session; Σ a <= 1.
    Added for the pairs that a solution violated (exact once no pair is violated). Returns rows added."""
    added = 0
    for e, s in pairs:
        marks = []
        for k in sorted(v.cases_of_expert[e]):
            if p.cases[k].pin is not None:
                continue  # pinned sessions are already removed from the expert's free slots
            ys = _in_slot(v, k, s)
            if not ys:
                continue
            a = v.model.new_bool_var(f"place_e{e}_s{s}_k{k}")
            v.model.add(a >= sum(v.uses[k, e]) + sum(ys) - 1)
            marks.append(a)
        if len(marks) > 1:
            v.model.add_at_most_one(marks)
            added += 1
    return added


def workload_sessions_per_week(v: CaseVars, p: Problem, pairs: Iterable[tuple[int, int]]) -> int:
    """Rule 8 (sessions): for each (expert, ISO week) given, sessions <= max_sessions_per_week minus
    pinned sessions that week. Added lazily like :func:`one_place_at_a_time`. Returns rows added."""
    added = 0
    for e, w in pairs:
        in_week = [int(s) for s in range(len(p.slots)) if p.week_of_slot[s] == w]
        marks = []
        for k in sorted(v.cases_of_expert[e]):
            if p.cases[k].pin is not None:
                continue
            ys = [y for s in in_week for y in _in_slot(v, k, s)]
            if not ys:
                continue
            a = v.model.new_bool_var(f"week_e{e}_w{w}_k{k}")
            v.model.add(a >= sum(v.uses[k, e]) + sum(ys) - 1)
            marks.append(a)
        weighted_capacity(v.model, ((a, 1) for a in marks), max(0, p.session_capacity[e, w]))
        added += 1
    return added


#: The order in which the eager families are added (the lazy ones follow from violations).
EAGER_CONSTRAINTS = (
    location_in_person_or_online,
    team_one_expert_per_role,
    availability_in_chosen_slot,
    rooms_one_session_per_room,
    workload_open_cases,
    pins_kept,
)
