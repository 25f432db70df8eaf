"""The baseline: what a coordinator does by hand, to measure the engine against.

First come, first served by ``received`` time; for each seat of the case (in ``needs_roles`` order)
the nearest free specialist — the feasible expert with the least travel to the case's center who
still leaves the team a common slot — then the earliest slot the whole team can make, in person if
the members can travel there and a room is free, otherwise online. Pins are kept as announced and
placed first. Every hard rule of :mod:`matcher.domain.assignment` is respected (the independent
checker accepts the plan); nothing is ever revisited, which is what the engine improves on.

:func:`plan_terms` evaluates any plan (the engine's or this one) term by term from its lines alone,
following the formulas of :class:`~matcher.assignment.config.ObjectiveWeights`, so that plans from
different solvers are compared with one yardstick.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np

from matcher.domain import AssignmentLine, AssignmentRequest, Case, Expert, RiskLevel, Role, Scenario, Seat, TimeSlot
from matcher.network import TravelTimes

from .config import ObjectiveWeights
from .result import UnassignedCase

#: Urgency weight per risk level (as documented on ObjectiveWeights.urgency).
RISK_FACTOR = {RiskLevel.LOW: 1, RiskLevel.MEDIUM: 3, RiskLevel.HIGH: 10}


@dataclass(frozen=True)
class GreedyPlan:
    """The coordinator's plan: lines (pins first, then in order of receipt) and the cases left over."""

    lines: tuple[AssignmentLine, ...]
    unassigned: tuple[UnassignedCase, ...]
    seconds: float


@dataclass(frozen=True)
class _Option:
    """Where and how a (partial) team can meet: slot (None without session), online or room."""

    slot: TimeSlot | None
    online: bool
    room: int | None


class _Ledger:
    """What the plan so far holds: experts' slots, sessions per week, cases, and rooms."""

    def __init__(self, scenario: Scenario) -> None:
        self.busy: set[tuple[str, TimeSlot]] = set()
        self.week_sessions: Counter[tuple[str, tuple[int, int]]] = Counter()
        self.new_cases: Counter[str] = Counter()
        self.rooms_used: dict[tuple[str, TimeSlot], set[int]] = defaultdict(set)
        self.rotation = {(r.judge, r.center, r.slot) for r in scenario.rotation}
        self.weekly: dict[str, frozenset] = {}  # an expert's availability as a set, built on first use
        today_week = tuple(scenario.today.isocalendar())[:2]
        for e in scenario.experts:  # sessions held earlier in today's week use up its limit
            if e.sessions_this_week:
                self.week_sessions[e.id, today_week] = e.sessions_this_week

    def book(self, scenario: Scenario, line: AssignmentLine) -> None:
        for expert_id in set(line.experts):
            self.new_cases[expert_id] += 1
            if line.slot is not None:
                self.busy.add((expert_id, line.slot))
                self.week_sessions[expert_id, _iso_week(line.slot)] += 1
        if line.slot is not None and not line.online and line.room is not None:
            self.rooms_used[scenario.case_by_id[line.case].center, line.slot].add(line.room)

    def has_case_room(self, e: Expert) -> bool:
        return e.open_cases + self.new_cases[e.id] < e.max_open_cases

    def free(self, e: Expert, case: Case, slot: TimeSlot) -> bool:
        """Rule 6–8 for one member in one slot: available, off leave, not booked, week not full, and
        (a judge) rotated to the case's center then."""
        if e.id not in self.weekly:
            self.weekly[e.id] = frozenset(e.availability)
        if slot.weekly not in self.weekly[e.id] or e.on_leave(slot.date) or (e.id, slot) in self.busy:
            return False
        if self.week_sessions[e.id, _iso_week(slot)] >= e.max_sessions_per_week:
            return False
        return e.role != Role.JUDGE or (e.id, case.center, slot) in self.rotation

    def free_room(self, scenario: Scenario, case: Case, slot: TimeSlot) -> int | None:
        center = scenario.center_by_id[case.center]
        if slot.weekly not in center.opening:
            return None
        used = self.rooms_used[case.center, slot]
        return next((r for r in range(center.rooms) if r not in used), None)


def _iso_week(slot: TimeSlot) -> tuple[int, int]:
    year, week, _ = slot.date.isocalendar()
    return year, week


def greedy_assignment(scenario: Scenario, request: AssignmentRequest) -> GreedyPlan:
    """Plan ``request`` the way a coordinator would by hand (see the module docstring)."""
    t0 = time.perf_counter()
    travel = TravelTimes(scenario)
    ledger = _Ledger(scenario)
    pools = _Pools(scenario, travel)
    slots = [s for s in request.slots(scenario.today) if s.date >= scenario.today]
    lines: list[AssignmentLine] = []
    for pin in request.pins + request.reserved:  # a coordinator keeps both kinds of announced line
        if pin.case in scenario.case_by_id:
            lines.append(pin)
            ledger.book(scenario, pin)
    pinned = {p.case for p in request.pins + request.reserved}
    wanted = set(request.cases) if request.cases is not None else {c.id for c in scenario.cases}
    queue = sorted((c for c in scenario.cases if c.id in wanted and c.id not in pinned), key=lambda c: (c.received, c.id))
    unassigned: list[UnassignedCase] = []
    for case in queue:
        line, reason = _plan_case(scenario, travel, pools, ledger, slots, case)
        if line is None:
            unassigned.append(UnassignedCase(case=case.id, reasons=(reason,)))
        else:
            lines.append(line)
            ledger.book(scenario, line)
    return GreedyPlan(tuple(lines), tuple(unassigned), time.perf_counter() - t0)


class _Pool:
    """The experts able to take one kind of seat (rule 2's expertise, per seat role and category), in
    id order, with what the distance test needs as arrays."""

    def __init__(self, experts: list[Expert], center_index: dict[str, int]) -> None:
        self.experts = sorted(experts, key=lambda e: e.id)
        self.home = np.array([center_index[e.home_center] for e in self.experts], dtype=np.int64)
        self.judge = np.array([e.role == Role.JUDGE for e in self.experts], dtype=bool)
        self.max_travel = np.array([e.max_travel_minutes for e in self.experts], dtype=float)
        self.online = np.array([e.online_capable for e in self.experts], dtype=bool)


class _Pools:
    """The coordinator's lists of specialists, built on first use, and travel to a case's center from
    every home center at once (so each seat scans the relevant experts only, nearest first)."""

    def __init__(self, scenario: Scenario, travel: TravelTimes) -> None:
        self._scenario = scenario
        self._travel = travel
        self.center_index = {c.id: i for i, c in enumerate(scenario.centers)}
        self._pools: dict[tuple[Role, object], _Pool] = {}
        # Centers with an explicit travel time to or from a center: those entries are looked up one
        # by one, exactly as the checker does, rather than trusting the vectorised override order.
        self._explicit: dict[str, set[str]] = defaultdict(set)
        for t in scenario.travel_times:
            self._explicit[t.origin].add(t.destination)
            self._explicit[t.destination].add(t.origin)

    def able(self, role: Role, case: Case) -> _Pool:
        key = (role, case.category)
        if key not in self._pools:
            able = [e for e in self._scenario.experts if e.can_fill(role, case.category)]
            self._pools[key] = _Pool(able, self.center_index)
        return self._pools[key]

    def minutes_to(self, center: str) -> np.ndarray:
        """Travel minutes from every center (scenario order) to ``center``."""
        out = self._travel.from_center(center).copy()
        for other in self._explicit.get(center, ()):
            out[self.center_index[other]] = self._travel.minutes(other, center)
        return out


def _plan_case(scenario, travel: TravelTimes, pools: _Pools, ledger: _Ledger, slots: list[TimeSlot], case: Case):
    """The case's team, seat by seat (nearest expert who keeps a common slot), then its earliest slot."""
    candidate_slots: list[TimeSlot | None] = [s for s in slots if s.date <= case.deadline] if case.needs_session else [None]
    if not candidate_slots:
        return None, f"no slot of the horizon on or before the deadline {case.deadline.isoformat()}"

    to_case = pools.minutes_to(case.center)

    def minutes(e: Expert) -> float:
        return 0.0 if e.role == Role.JUDGE else float(to_case[pools.center_index[e.home_center]])

    online_possible = case.needs_session and case.online_allowed
    team: list[tuple[Role, Expert]] = []
    for role in case.needs_roles:
        taken = {e.id for _, e in team}
        pool = pools.able(role, case)
        # Rule 4 for the whole pool at once: within reach in person, or able to meet online.
        far = np.where(pool.judge, 0.0, to_case[pool.home])
        reachable = np.flatnonzero((far <= pool.max_travel) | (online_possible & pool.online))
        nearest_first = reachable[np.argsort(far[reachable], kind="stable")]  # ties: by id (pool order)
        candidates = (
            e for e in (pool.experts[k] for k in nearest_first)
            if e.id not in taken and ledger.has_case_room(e) and _eligible(e, role, case)
        )
        chosen = next((e for e in candidates if _options(scenario, ledger, case, team + [(role, e)], candidate_slots, minutes)), None)
        if chosen is None:
            return None, f"no free {role.value} for the {case.category.value} case at {case.center} alongside the team so far"
        team.append((role, chosen))
    option = _options(scenario, ledger, case, team, candidate_slots, minutes)[0]
    seats = tuple(Seat(role=role, expert=e.id) for role, e in team)
    return AssignmentLine(case=case.id, team=seats, slot=option.slot, room=option.room, online=option.online), ""


def _eligible(e: Expert, role: Role, case: Case) -> bool:
    """Rules 2–3 for one expert and one seat: expertise, language, no conflict of interest."""
    return (
        e.can_fill(role, case.category)
        and case.language in e.languages
        and e.id not in case.excluded_experts
        and not set(e.affiliations) & case.organizations
    )


def _options(scenario, ledger: _Ledger, case: Case, team, candidate_slots, minutes) -> list[_Option]:
    """Every way the (partial) team can meet, earliest first; in person preferred within a slot."""
    members = [e for _, e in team]
    within_travel = all(minutes(e) <= e.max_travel_minutes for e in members)
    if not case.needs_session:
        return [_Option(None, False, None)] if within_travel else []
    can_online = case.online_allowed and all(e.online_capable for e in members)
    out = []
    for slot in candidate_slots:
        if not all(ledger.free(e, case, slot) for e in members):
            continue
        room = ledger.free_room(scenario, case, slot) if within_travel else None
        if room is not None:
            out.append(_Option(slot, False, room))
        elif can_online:
            out.append(_Option(slot, True, None))
    return out


# -- one yardstick for every plan -----------------------------------------------------------------------


TERMS = ("proficiency", "travel", "urgency", "waiting", "balance", "continuity", "disruption", "unassigned")


def plan_terms(scenario: Scenario, request: AssignmentRequest, lines: list[AssignmentLine] | tuple[AssignmentLine, ...],
               weights: ObjectiveWeights) -> dict[str, float]:
    """Each objective term's unweighted value for a plan, computed from its lines alone.

    The problem's cases are the requested ones plus the pinned ones. Continuity counts a seat only on
    cases that name preferred or previous experts (a case without any has no continuity to keep);
    disruption counts only previous lines of the problem's cases; unassigned counts the problem's
    cases without a line.
    """
    travel = TravelTimes(scenario)
    start = request.horizon_start or scenario.today
    first = TimeSlot(date=start, half="am").ordinal
    out = dict.fromkeys(TERMS, 0.0)
    load: Counter[str] = Counter()
    by_case = {line.case: line for line in lines}
    for line in lines:
        case = scenario.case_by_id[line.case]
        liked = set(case.preferred_experts) | set(case.previous_experts)
        for seat in line.team:
            e = scenario.expert_by_id[seat.expert]
            load[e.id] += 1
            out["proficiency"] += 5 - e.categories.get(case.category, 1)
            if line.online:
                out["travel"] += weights.online_minutes
            elif e.role != Role.JUDGE:
                out["travel"] += travel.minutes(e.home_center, case.center)
            if liked and e.id not in liked:
                out["continuity"] += 1
        if line.slot is not None:
            d = line.slot.ordinal - first
            age = max(0, (start - case.received.date()).days)
            out["urgency"] += RISK_FACTOR[case.risk] * d
            out["waiting"] += age * d / 10.0
    out["balance"] = float(max(load.values(), default=0))
    wanted = set(request.cases) if request.cases is not None else {c.id for c in scenario.cases}
    wanted |= {p.case for p in request.pins + request.reserved}
    for prev in request.previous:
        if prev.case not in wanted:
            continue  # a case outside this problem is not re-planned, so it cannot change
        new = by_case.get(prev.case)
        same = new is not None and {s.role: s.expert for s in new.team} == {s.role: s.expert for s in prev.team} \
            and new.slot == prev.slot and new.online == prev.online
        out["disruption"] += 0.0 if same else 1.0
    out["unassigned"] = float(sum(1 for cid in wanted if cid in scenario.case_by_id and cid not in by_case))
    return out


def plan_objective(terms: dict[str, float], weights: ObjectiveWeights) -> float:
    """The weighted total of :func:`plan_terms`."""
    return sum(getattr(weights, name) * value for name, value in terms.items())


__all__ = ["GreedyPlan", "greedy_assignment", "plan_objective", "plan_terms"]
