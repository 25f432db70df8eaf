"""Why a case cannot be served, and which pins cannot hold together — found from the rules, not guessed.

Two questions a coordinator must be able to answer with a reason they can show to others:

1. *Why is this case unassigned?* Each hard rule of :mod:`matcher.domain.assignment` that concerns one
   seat is a named boolean mask over (expert, mode, half-day) — built from the engine's own masks
   (:mod:`matcher.assignment.candidates`) and the current plan as indexed by the
   :class:`~matcher.recommend.Recommender` (loads, booked half-days, sessions per week, rooms in use).
   The seat has no candidate when the conjunction of all masks is empty; :func:`diagnose_case`
   searches the subsets of rules by increasing size for the *smallest* set whose conjunction is
   already empty (a minimal core: dropping any one of its rules leaves a candidate, so every rule
   named is needed for the emptiness), and phrases it ("no labor mediator within travel reach of
   Sanzao is available and not already booked on or before 2024-03-14"). For each rule it also
   counts the candidates left when only that rule is relaxed — what would unblock the case.

2. *Which pins conflict?* :func:`minimal_conflicting_pins` builds a CP-SAT model with one assumption
   literal per pin ("this pin holds") and the rules that couple pins (workload, one place at a time,
   sessions per week, rooms) as rows over those literals; a pin that breaks a one-case rule on its
   own is forced false. CP-SAT's ``sufficient_assumptions_for_infeasibility`` gives a conflicting
   subset, which a deletion filter then makes minimal: removing any one pin of the reported set
   leaves the rest feasible.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from matcher.assignment.candidates import conflict_of_interest_mask, deadline_slots, location_modes
from matcher.domain import AssignmentLine, AssignmentRequest, Case, Role, Scenario
from matcher.recommend import Recommender

#: Rules that concern one seat, in the order used to phrase and to break ties between equal cores.
#: Numbers refer to the rules in :mod:`matcher.domain.assignment`.
EXPERTISE = "expertise"  # 2
LANGUAGE = "language"  # 2
CONFLICT = "conflict_of_interest"  # 3
WORKLOAD = "workload_open_cases"  # 8, given the plan
LOCATION = "location"  # 4: within travel, or online
DEADLINE = "deadline"  # 5
OPENING = "opening_hours"  # 5: in person only
ROOMS = "rooms"  # 5/7: in person only, given the plan
AVAILABILITY = "availability"  # 6: weekly half-days and leave
ROTATION = "judge_rotation"  # 6: judges only
ONE_PLACE = "one_place_at_a_time"  # 7, given the plan
SESSIONS = "sessions_per_week"  # 8, given the plan
SEAT_RULES: tuple[str, ...] = (EXPERTISE, LANGUAGE, CONFLICT, WORKLOAD, LOCATION, DEADLINE, OPENING, ROOMS,
                               AVAILABILITY, ROTATION, ONE_PLACE, SESSIONS)
#: Rules whose mask depends on the plan (what other lines already use).
PLAN_RULES = frozenset({WORKLOAD, ROOMS, ONE_PLACE, SESSIONS})
_TIME_RULES = (DEADLINE, OPENING, ROOMS, AVAILABILITY, ROTATION, ONE_PLACE, SESSIONS)


# -- the rule masks of one seat ---------------------------------------------------------------------


@dataclass
class SeatRules:
    """Every one-seat rule as a boolean mask broadcastable to (expert, mode, slot).

    Mode 0 is in person, 1 online. A case without a session has a single dummy slot and no online
    mode, and its time rules are all true."""

    case: Case
    role: Role
    masks: dict[str, np.ndarray]
    minutes: np.ndarray  # travel minutes home center -> case center, per expert
    shape: tuple[int, int, int]

    def allowed(self, rules: Sequence[str] | None = None) -> np.ndarray:
        """(expert, mode, slot) options allowed by ``rules`` (default: all)."""
        out = np.ones(self.shape, bool)
        for r in SEAT_RULES if rules is None else rules:
            out &= self.masks[r]
        return out

    def candidates(self, rules: Sequence[str] | None = None) -> np.ndarray:
        """Expert indices with at least one (mode, slot) allowed by ``rules``."""
        return np.flatnonzero(self.allowed(rules).any(axis=(1, 2)))


def seat_rules(rec: Recommender, case: Case, role: Role) -> SeatRules:
    """The named masks of one seat of ``case`` on top of the plan indexed by ``rec``."""
    n = len(rec.experts)
    session = case.needs_session
    n_slots = len(rec.slots) if session else 1
    minutes = rec.travel.from_center(case.center)[rec.home]
    in_person, online = location_modes(minutes, rec.max_travel, rec.is_judge, rec.online_capable, case)
    e = lambda m: m.reshape(n, 1, 1)  # noqa: E731 — expert-level mask
    location = np.stack([in_person, online & session], axis=1).reshape(n, 2, 1)
    masks = {
        EXPERTISE: e(rec._can_fill(role, case)),
        LANGUAGE: e(rec._speaks_language(case.language)),
        CONFLICT: e(conflict_of_interest_mask(n, rec.index, rec.affiliated, case)),
        WORKLOAD: e(rec.load < rec.max_open),
        LOCATION: location,
    }
    if session:
        center = rec.scenario.center_by_id[case.center]
        window = deadline_slots(rec.slot_days, rec.start, case)
        opening = rec._open_slots(case.center)
        room_free = np.fromiter((len(rec.rooms_used.get((case.center, k), ())) < center.rooms
                                 for k in range(n_slots)), bool, n_slots)
        rotation = np.ones((n, n_slots), bool)
        for i in np.flatnonzero(rec.is_judge):
            rotation[i] = rec.rotation.get((int(i), case.center), np.zeros(n_slots, bool))
        in_person_only = lambda m: np.stack([m, np.ones(n_slots, bool)]).reshape(1, 2, n_slots)  # noqa: E731
        masks.update({
            DEADLINE: window.reshape(1, 1, n_slots),
            OPENING: in_person_only(opening),
            ROOMS: in_person_only(room_free),
            AVAILABILITY: rec.available.reshape(n, 1, n_slots),
            ROTATION: rotation.reshape(n, 1, n_slots),
            ONE_PLACE: (~rec.busy).reshape(n, 1, n_slots),
            SESSIONS: (rec.sessions_left[:, rec.week_of_slot] > 0).reshape(n, 1, n_slots),
        })
    else:
        for r in _TIME_RULES:
            masks[r] = np.ones((1, 1, 1), bool)
    return SeatRules(case, role, masks, minutes, (n, 2, n_slots))


def smallest_cores(rules: SeatRules, candidates: Sequence[str] = SEAT_RULES, max_size: int = 4) -> list[tuple[str, ...]]:
    """Every smallest set of rules whose masks alone leave no (expert, mode, slot): [] if all rules
    together still leave one. Subsets are tried by increasing size up to ``max_size``, so each core
    returned is the smallest; a larger emptiness (rare) falls back to a deletion filter over all rules,
    which still returns a minimal core (dropping any one of its rules leaves a candidate)."""
    if rules.allowed(candidates).any():
        return []
    names = [r for r in candidates if not rules.masks[r].all()]  # a rule that holds everywhere never helps
    found: list[tuple[str, ...]] = []
    for size in range(1, min(max_size, len(names)) + 1):
        for combo in itertools.combinations(names, size):
            if not rules.allowed(combo).any():
                found.append(combo)
        if found:
            return found
    core = list(names)
    for r in list(core):
        rest = [x for x in core if x != r]
        if not rules.allowed(rest).any():
            core = rest
    return [tuple(core)]


# -- diagnosis of a case ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeatDiagnosis:
    """One seat of a case: its candidates under all rules and, if none, the smallest blocking rules."""

    role: str
    candidates: int  # experts with at least one allowed (mode, slot)
    core: tuple[str, ...] = ()  # a smallest set of rules leaving no candidate (empty: the seat has some)
    other_cores: tuple[tuple[str, ...], ...] = ()  # further cores of the same size
    reason: str = ""  # the core phrased for a coordinator
    relax: dict[str, int] = field(default_factory=dict)  # rule -> candidates if only that rule were relaxed


@dataclass(frozen=True)
class CaseDiagnosis:
    """Why a case has no feasible team (``feasible`` False) on top of a plan, or a team it could have."""

    case: str
    feasible: bool
    seats: tuple[SeatDiagnosis, ...]
    reasons: tuple[str, ...]  # sentences, one per blocked seat (or the team-level reason)
    team: AssignmentLine | None = None  # a feasible line on top of the plan, when there is one

    @property
    def rules(self) -> set[str]:
        """Every rule named by a seat's core (handy in tests)."""
        return {r for s in self.seats for r in s.core}


def _date(d: dt.date) -> str:
    return d.isoformat()


def phrase(rules: SeatRules, core: Sequence[str], rec: Recommender) -> str:
    """A core in words, e.g. "no labor mediator within travel reach of Sanzao is available on or before
    2024-03-14". Counts come from the masks, so the sentence names what was actually checked."""
    case, role = rules.case, rules.role
    center = rec.scenario.center_by_id[case.center]
    core = set(core)
    noun = "expert"  # without the expertise rule, the emptiness holds for any expert
    if EXPERTISE in core:
        mediating = role in (Role.MEDIATOR, Role.INDUSTRY_MEDIATOR)
        noun = f"{case.category.value} {role.value}" if mediating else f"{role.value} for {case.category.value}"
    quals = []
    if LANGUAGE in core:
        quals.append(f"speaking {case.language}")
    if CONFLICT in core:
        orgs = ", ".join(sorted(case.organizations)) or "-"
        quals.append(f"free of conflicts of interest (parties' organizations: {orgs}; excluded: "
                     f"{', '.join(case.excluded_experts) or '-'})")
    if WORKLOAD in core:
        quals.append("below max_open_cases given the plan")
    if LOCATION in core:
        before = [r for r in (EXPERTISE, LANGUAGE, CONFLICT, WORKLOAD) if r in core]
        pool = rules.candidates(before) if before else np.arange(len(rec.experts))
        where = f"within travel reach of {center.name} ({case.center})"
        if len(pool):
            m = rules.minutes[pool]
            j = int(np.argmin(m))
            where += f" (nearest {m[j]:.0f} min, limit {int(rec.max_travel[pool[j]])} min)"
        if case.needs_session and case.online_allowed:
            where += " or able to sit online"
        quals.append(where)
    preds = []
    if AVAILABILITY in core:
        preds.append("available (weekly half-days, not on leave)")
    if ROTATION in core:
        preds.append(f"rotated to {case.center}")
    if ONE_PLACE in core:
        preds.append("not already booked")
    if SESSIONS in core:
        preds.append("under max_sessions_per_week")
    when = []
    if OPENING in core:
        when.append(f"while {case.center} is open" + (" (or online)" if case.online_allowed else ""))
    if ROOMS in core:
        when.append(f"with a free room at {case.center}" + (" (or online)" if case.online_allowed else ""))
    if DEADLINE in core:
        when.append(f"in a half-day from {_date(rec.start)} to the deadline {_date(case.deadline)}")
    text = f"no {noun}"
    if quals:
        text += " " + ", ".join(quals)
    if preds or when:
        text += " is " + (" and ".join(preds) if preds else "free") + (" " + " ".join(when) if when else "")
    elif not quals:
        text += " exists"
    if LOCATION in core and case.needs_session and not case.online_allowed:
        text += ", and the case does not allow online"
    return text


def diagnose_case(rec: Recommender, case: Case, *, k: int = 1) -> CaseDiagnosis:
    """Why ``case`` has no feasible team on top of the plan indexed by ``rec`` (or the team it has).

    Each seat's rules are applied one at a time as masks; a seat with no candidate gets the smallest
    set of rules that empties it. When every seat has candidates but no full team fits (no common
    free half-day, or one expert needed twice), the team-level reason says so."""
    seats = []
    reasons = []
    for role in case.needs_roles:
        rules = seat_rules(rec, case, role)
        n = len(rules.candidates())
        if n:
            seats.append(SeatDiagnosis(role.value, n))
            continue
        cores = smallest_cores(rules)
        core = cores[0]
        relax = {r: int(len(rules.candidates([x for x in SEAT_RULES if x != r]))) for r in core}
        text = f"{role.value} seat: " + phrase(rules, core, rec)
        # Relaxing expertise is never a fix a coordinator can make: leave it out of the sentence.
        fixes = [f"{r} ({n} candidates)" for r, n in relax.items() if n and r != EXPERTISE]
        if fixes:
            text += "; relaxing any one of " + ", ".join(fixes) + " would leave candidates"
        seats.append(SeatDiagnosis(role.value, 0, core, tuple(cores[1:]), text, relax))
        reasons.append(text)
    if reasons:
        return CaseDiagnosis(case.id, False, tuple(seats), tuple(reasons))
    found = rec.recommend(case, k)
    if found.recommendations:
        return CaseDiagnosis(case.id, True, tuple(seats), (), found.recommendations[0].line)
    # Every seat has candidates, but never all at once: name the half-days each seat could use.
    per_seat = []
    for role in case.needs_roles:
        ok = seat_rules(rec, case, role).allowed().any(axis=0)  # (mode, slot)
        days = sorted({str(rec.slots[s]) for s in np.flatnonzero(ok.any(axis=0))}) if case.needs_session else []
        per_seat.append(f"{role.value} free in {len(days)} half-day(s)" + (f" ({', '.join(days[:4])}{'…' if len(days) > 4 else ''})" if days else ""))
    text = ("no half-day on or before " + _date(case.deadline) + " where every seat has a free candidate at once "
            "(one place at a time, availability): " + "; ".join(per_seat)) if case.needs_session else (
        "every seat has candidates but no team of distinct experts fills them all")
    return CaseDiagnosis(case.id, False, tuple(seats), (text,))


def diagnose_unassigned(scenario: Scenario, lines: Sequence[AssignmentLine], cases: Sequence[str], *,
                        horizon_start: dt.date | None = None, horizon_days: int = 10,
                        recommender: Recommender | None = None) -> list[CaseDiagnosis]:
    """Diagnose each case of ``cases`` on top of ``lines`` (e.g. a solve's lines and its unassigned ids)."""
    rec = recommender or Recommender(scenario, tuple(lines), horizon_start=horizon_start, horizon_days=horizon_days)
    return [diagnose_case(rec, scenario.case_by_id[c]) for c in cases]


def diagnose_result(scenario: Scenario, result) -> list[CaseDiagnosis]:  # type: ignore[no-untyped-def]
    """Diagnose every unassigned case of an :class:`~matcher.assignment.AssignmentResult`."""
    req = result.request
    return diagnose_unassigned(scenario, result.lines, [u.case for u in result.unassigned],
                               horizon_start=req.horizon_start, horizon_days=req.horizon_days)


# -- infeasible pins ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PinConflict:
    """A minimal set of pins that cannot hold together, and the rules they break together."""

    pins: tuple[str, ...]  # case ids of the pinned lines
    rules: tuple[str, ...]  # what breaks, one sentence per rule row (or one-pin rule) involved
    solver_calls: int = 0

    def __str__(self) -> str:
        return f"pins {', '.join(self.pins)} cannot all hold: " + "; ".join(self.rules)


def _pin_alone(rec: Recommender, scenario: Scenario, pin: AssignmentLine) -> list[str]:
    """One-case rules the pin breaks on its own (empty when it is fine alone)."""
    case = scenario.case_by_id.get(pin.case)
    if case is None:
        return [f"pin {pin.case}: no such case"]
    out = []
    roles = sorted(s.role.value for s in pin.team)
    if roles != sorted(r.value for r in case.needs_roles):
        out.append(f"pin {pin.case}: team roles {roles} differ from needs_roles")
    if len(set(pin.experts)) != len(pin.experts):
        out.append(f"pin {pin.case}: one expert holds two seats")
    if case.needs_session != (pin.slot is not None):
        out.append(f"pin {pin.case}: " + ("needs a session slot" if case.needs_session else "needs no session"))
        return out
    k = 0
    if pin.slot is not None:
        if pin.slot not in rec.slot_pos:
            return [*out, f"pin {pin.case}: slot {pin.slot} is outside the horizon"]
        k = rec.slot_pos[pin.slot]
        rooms = scenario.center_by_id[case.center].rooms
        if not pin.online and (pin.room is None or pin.room >= rooms):
            out.append(f"pin {pin.case}: room {pin.room} is not a room of {case.center} (rooms 0..{rooms - 1})")
    mode = 1 if pin.online else 0
    for seat in pin.team:
        if seat.expert not in rec.index:
            out.append(f"pin {pin.case}: expert {seat.expert} does not exist")
            continue
        i = rec.index[seat.expert]
        rules = seat_rules(rec, case, seat.role)
        for r in SEAT_RULES:
            if r in PLAN_RULES:
                continue  # rows of the coupling model below (they depend on the other pins)
            m = np.broadcast_to(rules.masks[r], rules.shape)
            if not m[i, mode, k]:
                out.append(f"pin {pin.case}: {seat.role.value} {seat.expert} breaks {r}")
    return out


def minimal_conflicting_pins(scenario: Scenario, request: AssignmentRequest, *, seed: int = 0,
                             time_limit_s: float = 10.0, solver_core: bool = True) -> PinConflict | None:
    """A minimal set of ``request.pins`` that cannot all hold (None when the pins are compatible).

    Model: one Boolean per pin (the assumption "this pin holds"); per expert Σ pins naming them <=
    max_open_cases − open_cases; per (expert, half-day) at most one pinned session; per (expert, ISO
    week) pinned sessions <= max_sessions_per_week; per (center, half-day, room) at most one pinned
    in-person session; a pin breaking a one-case rule alone is false. CP-SAT returns a sufficient
    subset of assumptions; a deletion filter (drop one pin, re-solve, keep it dropped if still
    infeasible) makes it minimal. ``solver_core=False`` starts the filter from every pin instead (slower;
    the result is minimal either way)."""
    pins = list(request.pins)
    if not pins:
        return None
    rec = Recommender(scenario, (), horizon_start=request.horizon_start, horizon_days=request.horizon_days)
    model = cp_model.CpModel()
    holds = [model.new_bool_var(f"pin_{p.case}") for p in pins]
    alone: dict[int, list[str]] = {}
    for j, p in enumerate(pins):
        why = _pin_alone(rec, scenario, p)
        if why:
            alone[j] = why
            model.add_bool_or([holds[j].Not()])
    rows: list[tuple[list[int], int, str]] = []  # (pin indices, capacity, what it is)
    by_expert: dict[str, list[int]] = defaultdict(list)
    by_place: dict[tuple[str, object], list[int]] = defaultdict(list)
    by_week: dict[tuple[str, tuple[int, int]], list[int]] = defaultdict(list)
    by_room: dict[tuple[str, object, int], list[int]] = defaultdict(list)
    for j, p in enumerate(pins):
        for x in set(p.experts):
            by_expert[x].append(j)
            if p.slot is not None:
                by_place[x, p.slot].append(j)
                by_week[x, p.slot.date.isocalendar()[:2]].append(j)
        if p.slot is not None and not p.online and p.room is not None and p.case in scenario.case_by_id:
            by_room[scenario.case_by_id[p.case].center, p.slot, p.room].append(j)
    experts = scenario.expert_by_id
    for x, js in by_expert.items():
        if x in experts:
            e = experts[x]
            rows.append((js, e.max_open_cases - e.open_cases,
                         f"workload: {x} may take {e.max_open_cases - e.open_cases} more case(s) "
                         f"(max_open_cases {e.max_open_cases}, open_cases {e.open_cases})"))
    for (x, slot), js in by_place.items():
        rows.append((js, 1, f"one place at a time: {x} in two sessions at {slot}"))
    today_week = tuple(scenario.today.isocalendar())[:2]
    for (x, week), js in by_week.items():
        if x in experts:
            cap = experts[x].max_sessions_per_week
            held = experts[x].sessions_this_week if tuple(week) == today_week else 0
            rows.append((js, max(cap - held, 0), f"sessions per week: {x} over max_sessions_per_week {cap} in ISO week "
                         f"{week[1]}" + (f" ({held} held earlier that week)" if held else "")))
    for (center, slot, room), js in by_room.items():
        rows.append((js, 1, f"rooms: room {room} of {center} twice at {slot}"))
    for js, cap, _ in rows:
        if len(js) > cap:
            model.add(sum(holds[j] for j in js) <= max(cap, 0))

    calls = 0

    def infeasible(subset: list[int]) -> tuple[bool, list[int]]:
        nonlocal calls
        calls += 1
        model.clear_assumptions()
        model.add_assumptions([holds[j] for j in subset])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1  # assumption cores come from the sequential search
        solver.parameters.random_seed = seed
        solver.parameters.max_time_in_seconds = time_limit_s
        status = solver.solve(model)
        if status != cp_model.INFEASIBLE:
            return False, []
        core_vars = set(solver.sufficient_assumptions_for_infeasibility())
        return True, [j for j in subset if holds[j].index in core_vars]

    bad, core = infeasible(list(range(len(pins))))
    if not bad:
        return None
    if not solver_core or not core:
        core = list(range(len(pins)))
    for j in list(core):  # deletion filter: drop j if the rest still conflicts
        rest = [i for i in core if i != j]
        if rest and infeasible(rest)[0]:
            core = rest
    chosen = set(core)
    why = [w for j in core for w in alone.get(j, [])]
    for js, cap, text in rows:
        if len([j for j in js if j in chosen]) > cap:
            why.append(text)
    return PinConflict(tuple(pins[j].case for j in core), tuple(why), calls)


__all__ = [
    "SEAT_RULES", "CaseDiagnosis", "PinConflict", "SeatDiagnosis", "SeatRules", "diagnose_case", "diagnose_result",
    "diagnose_unassigned", "minimal_conflicting_pins", "phrase", "seat_rules", "smallest_cores",
]
