"""The independent checker: does a plan obey every rule of :mod:`matcher.domain.assignment`?

Written straight from the rules' wording in that module's docstring, with plain loops over the
domain objects and :func:`matcher.network.travel_minutes`. It deliberately shares no code with the
engine (:mod:`matcher.assignment`): a bug in the engine's model builder cannot hide itself here, so
tests and benchmarks trust a solution only once this module accepts it.

Each violation names its rule with one of the :data:`RULES` identifiers (numbered as in the
specification), the case and (when one is to blame) the expert.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from matcher.domain import AssignmentLine, AssignmentRequest, Role, Scenario, TimeSlot
from matcher.network import travel_minutes

#: Rule identifiers, in the order of the specification (1–9).
ONE_LINE = "one_line"  # 1. at most one line per case of the problem
TEAM = "team"  # 2. expertise and language
CONFLICT = "conflict_of_interest"  # 3.
LOCATION = "location"  # 4. online or within travel
SLOT = "slot"  # 5. horizon, deadline, opening, room
AVAILABILITY = "availability"  # 6. weekly availability, leave, judge rotation
ONE_PLACE = "one_place_at_a_time"  # 7. expert and room double bookings
WORKLOAD = "workload"  # 8. open cases and sessions per week
PINS = "pins"  # 9. pinned lines kept exactly
RULES: tuple[str, ...] = (ONE_LINE, TEAM, CONFLICT, LOCATION, SLOT, AVAILABILITY, ONE_PLACE, WORKLOAD, PINS)

#: Travel limits are compared in float minutes; allow rounding noise, nothing more.
_TRAVEL_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Violation:
    """One broken rule: which rule, on which case, because of which expert (if one is to blame)."""

    rule: str
    case: str | None
    expert: str | None
    message: str

    def __str__(self) -> str:
        where = " ".join(x for x in (f"case {self.case}" if self.case else "", f"expert {self.expert}" if self.expert else "") if x)
        return f"{self.rule}: {where}: {self.message}" if where else f"{self.rule}: {self.message}"


@dataclass
class CheckReport:
    """The verdict on a plan: ``ok`` when no rule is broken."""

    violations: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def rules(self) -> set[str]:
        """The identifiers of the rules broken (handy in tests)."""
        return {v.rule for v in self.violations}

    def __str__(self) -> str:
        if self.ok:
            return "ok"
        return "\n".join(str(v) for v in self.violations)


def check_assignment(scenario: Scenario, request: AssignmentRequest, lines: Sequence[AssignmentLine]) -> CheckReport:
    """Check ``lines`` (a plan for ``request`` on ``scenario``) against rules 1–9; list every violation."""
    report = CheckReport()

    def violate(rule: str, case: str | None, expert: str | None, message: str) -> None:
        report.violations.append(Violation(rule, case, expert, message))

    _check_one_line_per_case(scenario, request, lines, violate)
    horizon = set(request.slots(scenario.today))
    for line in lines:
        case = scenario.case_by_id.get(line.case)
        if case is None:
            continue  # reported by rule 1; nothing else can be judged without the case
        _check_team(scenario, case, line, violate)
        _check_conflict_of_interest(scenario, case, line, violate)
        _check_location(scenario, case, line, violate)
        _check_slot(scenario, case, line, horizon, violate)
        _check_availability(scenario, case, line, violate)
    _check_one_place_at_a_time(scenario, lines, violate)
    _check_workload(scenario, lines, violate)
    _check_pins(request, lines, violate)
    return report


# -- rule 1 -----------------------------------------------------------------------------------------


def _check_one_line_per_case(scenario, request, lines, violate) -> None:
    """Every case of the problem (the requested cases and the pinned ones) gets at most one line."""
    if request.cases is None:
        problem = {c.id for c in scenario.cases}
    else:
        problem = set(request.cases)
    problem |= {p.case for p in request.pins} | {p.case for p in request.reserved}
    count: dict[str, int] = defaultdict(int)
    for line in lines:
        count[line.case] += 1
        if line.case not in scenario.case_by_id:
            violate(ONE_LINE, line.case, None, "no such case in the scenario")
        elif line.case not in problem:
            violate(ONE_LINE, line.case, None, "the case is not part of the request (neither requested nor pinned)")
    for case_id, n in count.items():
        if n > 1:
            violate(ONE_LINE, case_id, None, f"{n} lines for one case")


# -- rules 2–6: one line at a time ------------------------------------------------------------------


def _check_team(scenario, case, line, violate) -> None:
    """One distinct expert per needed role, each able to fill it and speaking the case's language."""
    seat_roles = [s.role for s in line.team]
    for role in case.needs_roles:
        n = seat_roles.count(role)
        if n == 0:
            violate(TEAM, case.id, None, f"no expert in the {role.value} seat the case needs")
        elif n > 1:
            violate(TEAM, case.id, None, f"{n} seats for the {role.value} role (one is needed)")
    for role in set(seat_roles):
        if role not in case.needs_roles:
            violate(TEAM, case.id, None, f"a {role.value} seat the case does not need")
    members = [s.expert for s in line.team]
    for expert_id in set(members):
        if members.count(expert_id) > 1:
            violate(TEAM, case.id, expert_id, "one expert takes several seats of the team")
    for seat in line.team:
        expert = scenario.expert_by_id.get(seat.expert)
        if expert is None:
            violate(TEAM, case.id, seat.expert, "no such expert in the scenario")
            continue
        if not expert.can_fill(seat.role, case.category):
            violate(
                TEAM, case.id, expert.id,
                f"a {expert.role.value} cannot fill the {seat.role.value} seat of a {case.category.value} case",
            )
        if case.language not in expert.languages:
            violate(TEAM, case.id, expert.id, f"does not speak the case's language {case.language!r}")


def _check_conflict_of_interest(scenario, case, line, violate) -> None:
    """No excluded expert; nobody affiliated with an organization of a party."""
    for expert_id in line.experts:
        if expert_id in case.excluded_experts:
            violate(CONFLICT, case.id, expert_id, "is excluded from the case")
        expert = scenario.expert_by_id.get(expert_id)
        if expert is None:
            continue
        shared = set(expert.affiliations) & case.organizations
        if shared:
            violate(CONFLICT, case.id, expert_id, f"is affiliated with a party's organization {sorted(shared)}")


def _check_location(scenario, case, line, violate) -> None:
    """Online needs the case to allow it and every member online-capable; otherwise everyone but a
    judge must reach the case's center within their travel limit."""
    members = [scenario.expert_by_id[x] for x in line.experts if x in scenario.expert_by_id]
    if line.online:
        if not case.online_allowed:
            violate(LOCATION, case.id, None, "online session but the case does not allow online")
        for expert in members:
            if not expert.online_capable:
                violate(LOCATION, case.id, expert.id, "online session but the expert is not online-capable")
        return
    for expert in members:
        if expert.role == Role.JUDGE:
            continue  # judges sit where the rotation puts them (rule 6)
        minutes = travel_minutes(scenario, expert.home_center, case.center)
        if minutes > expert.max_travel_minutes + _TRAVEL_TOLERANCE:
            violate(
                LOCATION, case.id, expert.id,
                f"{minutes:.1f} min from {expert.home_center} to {case.center} exceeds the limit "
                f"{expert.max_travel_minutes} min",
            )


def _check_slot(scenario, case, line, horizon: set[TimeSlot], violate) -> None:
    """A session case: a slot in the horizon, from the planning day to the deadline; in person, an
    open center and a real room. A case without session: no slot, no room."""
    if not case.needs_session:
        if line.slot is not None or line.room is not None or line.online:
            violate(SLOT, case.id, None, "the case needs no session but the line gives it a slot, room or online")
        return
    slot = line.slot
    if slot is None:
        violate(SLOT, case.id, None, "the case needs a session but the line has no slot")
        return
    if slot not in horizon:
        violate(SLOT, case.id, None, f"slot {slot} is outside the planning horizon")
    if slot.date < scenario.today:
        violate(SLOT, case.id, None, f"slot {slot} is before the planning day {scenario.today.isoformat()}")
    if slot.date > case.deadline:
        violate(SLOT, case.id, None, f"slot {slot} is after the deadline {case.deadline.isoformat()}")
    if line.online:
        return
    center = scenario.center_by_id[case.center]
    if slot.weekly not in center.opening:
        violate(SLOT, case.id, None, f"center {center.id} is closed on {slot.weekly}")
    if line.room is None:
        violate(SLOT, case.id, None, "an in-person session without a room")
    elif not 0 <= line.room < center.rooms:
        violate(SLOT, case.id, None, f"room {line.room} does not exist at {center.id} ({center.rooms} rooms)")


def _check_availability(scenario, case, line, violate) -> None:
    """Every member available in the slot's weekly half-day and not on leave; a judge rotated to the
    case's center in that slot."""
    slot = line.slot
    if slot is None:
        return
    rotated = {(r.judge, r.center, r.slot) for r in scenario.rotation}
    for expert_id in line.experts:
        expert = scenario.expert_by_id.get(expert_id)
        if expert is None:
            continue
        if slot.weekly not in expert.availability:
            violate(AVAILABILITY, case.id, expert.id, f"not available on {slot.weekly}")
        if expert.on_leave(slot.date):
            violate(AVAILABILITY, case.id, expert.id, f"on leave on {slot.date.isoformat()}")
        if expert.role == Role.JUDGE and (expert.id, case.center, slot) not in rotated:
            violate(AVAILABILITY, case.id, expert.id, f"the rotation does not place the judge at {case.center} on {slot}")


# -- rules 7–9: across lines ------------------------------------------------------------------------


def _check_one_place_at_a_time(scenario, lines, violate) -> None:
    """No expert in two sessions of one slot; no room of a center hosting two in-person sessions."""
    sessions_of: dict[tuple[str, TimeSlot], list[str]] = defaultdict(list)
    room_users: dict[tuple[str, TimeSlot, int], list[str]] = defaultdict(list)
    for line in lines:
        if line.slot is None:
            continue
        for expert_id in set(line.experts):
            sessions_of[expert_id, line.slot].append(line.case)
        case = scenario.case_by_id.get(line.case)
        if case is not None and not line.online and line.room is not None:
            room_users[case.center, line.slot, line.room].append(line.case)
    for (expert_id, slot), cases in sessions_of.items():
        if len(cases) > 1:
            for case_id in cases:
                violate(ONE_PLACE, case_id, expert_id, f"in {len(cases)} sessions at {slot}: {sorted(cases)}")
    for (center_id, slot, room), cases in room_users.items():
        if len(cases) > 1:
            for case_id in cases:
                violate(ONE_PLACE, case_id, None, f"room {room} of {center_id} hosts {len(cases)} sessions at {slot}: {sorted(cases)}")


def _check_workload(scenario, lines, violate) -> None:
    """Open cases plus new lines within ``max_open_cases``; sessions per ISO week (plus those held
    earlier in today's week) within ``max_sessions_per_week``."""
    cases_of: dict[str, list[str]] = defaultdict(list)
    sessions_in_week: dict[tuple[str, tuple[int, int]], list[str]] = defaultdict(list)
    for line in lines:
        for expert_id in set(line.experts):
            cases_of[expert_id].append(line.case)
            if line.slot is not None:
                year, week, _ = line.slot.date.isocalendar()
                sessions_in_week[expert_id, (year, week)].append(line.case)
    for expert_id, cases in cases_of.items():
        expert = scenario.expert_by_id.get(expert_id)
        if expert is None:
            continue
        if expert.open_cases + len(cases) > expert.max_open_cases:
            violate(
                WORKLOAD, None, expert_id,
                f"{expert.open_cases} open + {len(cases)} new cases exceed max_open_cases {expert.max_open_cases}",
            )
    today_week = tuple(scenario.today.isocalendar())[:2]
    for (expert_id, (year, week)), cases in sessions_in_week.items():
        expert = scenario.expert_by_id.get(expert_id)
        if expert is None:
            continue
        held = expert.sessions_this_week if (year, week) == today_week else 0
        if held + len(cases) > max(expert.max_sessions_per_week, held):
            violate(
                WORKLOAD, None, expert_id,
                f"{held} held + {len(cases)} planned sessions in ISO week {year}-W{week:02d} exceed "
                f"max_sessions_per_week {expert.max_sessions_per_week}" if held else
                f"{len(cases)} sessions in ISO week {year}-W{week:02d} exceed max_sessions_per_week "
                f"{expert.max_sessions_per_week}",
            )


def _same_line(a: AssignmentLine, b: AssignmentLine) -> bool:
    # The team is a set of seats: listing the same seats in another order is the same team.
    return (a.case, set(a.team), a.slot, a.room, a.online) == (b.case, set(b.team), b.slot, b.room, b.online)


def _check_pins(request, lines, violate) -> None:
    """Every pinned line (pins and reserved lines alike) appears exactly as pinned."""
    for pin in request.pins + request.reserved:
        mine = [line for line in lines if line.case == pin.case]
        if not mine:
            violate(PINS, pin.case, None, "the pinned case has no line")
        elif not any(_same_line(pin, line) for line in mine):
            violate(PINS, pin.case, None, "the line differs from the pin (team, slot, room or online)")


__all__ = ["RULES", "CheckReport", "Violation", "check_assignment"]
