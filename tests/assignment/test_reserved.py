"""Announced lines as reservations (``AssignmentRequest.reserved``): resources held, not re-planned.

A reserved line must leave the rest of the plan exactly as a pin would: the same optimum, and a plan
that the independent checker accepts together with the announced lines.
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest
from builders import TODAY, case, center, expert, scenario
from helpers import solve, weights

from matcher.assignment import ObjectiveWeights, SolveStatus
from matcher.assignment.candidates import availability_matrix
from matcher.checker import check_assignment
from matcher.domain import AssignmentLine, AssignmentRequest, DateRange, HalfDay, Seat, TimeSlot

MON_AM = TimeSlot(date=TODAY, half=HalfDay.AM)
W = ObjectiveWeights(proficiency=7, travel=1, urgency=5, waiting=2, balance=11, continuity=13, disruption=0,
                     unassigned=500, online_minutes=9)
#: Another taste: the announced lines it gives are not what W would choose, so they constrain W's plan.
W_OTHER = ObjectiveWeights(proficiency=0, travel=5, urgency=1, waiting=0, balance=0, continuity=0, disruption=0,
                           unassigned=500, online_minutes=30)


def _tight_scenario(seed: int):
    """Two centers of one room each, four mediators and a lawyer with small caseloads and sessions a
    week, eight cases over two days: workload, rooms and one place at a time all bind."""
    rng = random.Random(seed)
    days = [{"weekday": d, "half": h} for d in (0, 1) for h in ("am", "pm")]
    centers = [center("d", rooms=1), center("s", lat=22.60, lon=113.90, level="street", parent="d", rooms=1)]
    experts = [expert(f"m{i}", cats={"labor": rng.randint(1, 5), "neighbor": rng.randint(1, 5)},
                      home=rng.choice("ds"), online_capable=rng.random() < 0.6,
                      max_open_cases=rng.choice([1, 2, 3]), max_sessions_per_week=rng.choice([1, 2, 5]),
                      availability=rng.sample(days, rng.randint(2, 4))) for i in range(4)]
    experts.append(expert("l0", "lawyer", cats={"labor": 3, "neighbor": 2}, home="d", max_open_cases=2))
    cases = [case(f"k{k}", rng.choice(["labor", "neighbor"]), rng.choice("ds"),
                  needs_roles=("mediator", "lawyer") if rng.random() < 0.25 else ("mediator",),
                  risk=rng.choice(["low", "medium", "high"]), online_allowed=rng.random() < 0.5,
                  received=f"2024-03-0{rng.randint(1, 3)}T09:00", needs_session=rng.random() < 0.85,
                  preferred_experts=(f"m{rng.randint(0, 3)}",) if rng.random() < 0.3 else ())
             for k in range(8)]
    return scenario(centers=centers, experts=experts, cases=cases)


def _announced_and_both_solves(s, w: ObjectiveWeights, **params):
    """Announce about half of another plan's lines, then solve the rest with them pinned and with them
    reserved."""
    other = solve(s, AssignmentRequest(horizon_days=2), w=W_OTHER, **params)
    assert other.ok
    announced = tuple(line for i, line in enumerate(other.lines) if i % 2 == 0)
    held = {line.case for line in announced}
    rest = tuple(c.id for c in s.cases if c.id not in held)
    pinned = AssignmentRequest(horizon_days=2, pins=announced)
    reserved = AssignmentRequest(horizon_days=2, cases=rest, reserved=announced)
    return announced, (pinned, solve(s, pinned, w=w, **params)), (reserved, solve(s, reserved, w=w, **params))


@pytest.mark.parametrize("seed", range(8))
def test_reserved_lines_give_the_same_optimum_as_pins(seed):
    s = _tight_scenario(seed)
    announced, (pinned, by_pins), (reserved, by_reservation) = _announced_and_both_solves(s, W)
    assert announced
    assert by_pins.status == by_reservation.status == SolveStatus.OPTIMAL
    assert by_reservation.objective == pytest.approx(by_pins.objective, abs=0.05)
    assert by_reservation.bound == pytest.approx(by_reservation.objective, abs=0.05)
    # The plan names every announced line unchanged and passes the checker, whether the announced
    # lines are read as reserved or as pins.
    assert set(announced) <= set(by_reservation.lines)
    assert check_assignment(s, reserved, by_reservation.lines).ok
    assert check_assignment(s, pinned, by_reservation.lines).ok


@pytest.mark.parametrize("seed", range(3))
def test_reserved_lines_on_the_flow_path(seed):
    # Single seat, no session, no balance: the min-cost flow solves both ways, to the same optimum.
    rng = random.Random(200 + seed)
    experts = [expert(f"m{i}", cats={"labor": rng.randint(1, 5)}, max_open_cases=rng.randint(1, 3),
                      home=rng.choice("ds")) for i in range(4)]
    cases = [case(f"k{k}", at=rng.choice("ds"), needs_session=False) for k in range(9)]
    s = scenario(centers=[center("d"), center("s", lat=22.62, lon=113.92, level="street", parent="d")],
                 experts=experts, cases=cases)
    w = ObjectiveWeights(proficiency=10, travel=1, continuity=15, balance=0, unassigned=1000)
    _, (_, by_pins), (reserved, by_reservation) = _announced_and_both_solves(s, w)
    assert by_pins.solver == by_reservation.solver == "flow"
    assert by_reservation.objective == pytest.approx(by_pins.objective, abs=0.05)
    assert check_assignment(s, reserved, by_reservation.lines).ok


def _reserved_am(expert_id: str = "a", room: int | None = 0) -> AssignmentLine:
    return AssignmentLine(case="k1", team=(Seat(role="mediator", expert=expert_id),), slot=MON_AM, room=room,
                          online=room is None)


def test_a_reserved_line_holds_its_expert_in_its_half_day():
    # a is the only mediator; k1 holds a on Monday am (online): k2 must take Monday pm.
    s = scenario(experts=[expert("a")], cases=[case("k1"), case("k2")])
    request = AssignmentRequest(horizon_days=1, cases=("k2",), reserved=(_reserved_am(room=None),))
    r = solve(s, request, w=weights(urgency=1))
    k2 = next(line for line in r.lines if line.case == "k2")
    assert k2.slot.half == HalfDay.PM


@pytest.mark.parametrize("rooms, slot, room", [(1, HalfDay.PM, 0), (2, HalfDay.AM, 1)])
def test_a_reserved_line_holds_its_room(rooms, slot, room):
    # k1 holds room 0 on Monday am with a; k2 (in person only, earliest is cheapest) goes with b to
    # the other room that morning, or to Monday pm when there is no other room.
    s = scenario(centers=[center("d", rooms=rooms)], experts=[expert("a"), expert("b")],
                 cases=[case("k1"), case("k2", online_allowed=False)])
    request = AssignmentRequest(horizon_days=1, cases=("k2",), reserved=(_reserved_am(),))
    r = solve(s, request, w=weights(urgency=1))
    k2 = next(line for line in r.lines if line.case == "k2")
    assert (k2.slot.half, k2.room) == (slot, room)


def test_a_reserved_line_counts_in_the_workload():
    s = scenario(experts=[expert("a", max_open_cases=1)], cases=[case("k1"), case("k2")])
    r = solve(s, AssignmentRequest(horizon_days=1, cases=("k2",), reserved=(_reserved_am(),)))
    assert [line.case for line in r.lines] == ["k1"]
    assert [u.case for u in r.unassigned] == ["k2"]
    assert "max_open_cases" in r.unassigned[0].reasons[0]


def test_a_reserved_line_counts_in_the_balance():
    # a and b cost the same; a already holds k1, so the balance term sends k2 to b (load 1, not 2).
    s = scenario(experts=[expert("a"), expert("b")], cases=[case("k1"), case("k2", needs_session=False)])
    r = solve(s, AssignmentRequest(horizon_days=1, cases=("k2",), reserved=(_reserved_am(),)), w=weights(balance=5))
    assert r.status == SolveStatus.OPTIMAL
    assert next(line for line in r.lines if line.case == "k2").experts == ("b",)
    assert r.terms["balance"] == 1 and r.objective == pytest.approx(5)


def test_reserved_lines_that_clash_are_infeasible_with_reason():
    lines = tuple(AssignmentLine(case=k, team=(Seat(role="mediator", expert="a"),), slot=MON_AM, online=True)
                  for k in ("k1", "k2"))
    s = scenario(experts=[expert("a")], cases=[case("k1"), case("k2"), case("k3")])
    r = solve(s, AssignmentRequest(horizon_days=1, cases=("k3",), reserved=lines))
    assert r.status == SolveStatus.INFEASIBLE and "a is pinned to two sessions" in r.reason


def test_a_case_is_either_reserved_or_planned():
    with pytest.raises(ValueError, match="already planned"):
        AssignmentRequest(cases=("k1",), reserved=(_reserved_am(),))
    with pytest.raises(ValueError, match="pinned twice"):
        AssignmentRequest(pins=(_reserved_am(),), reserved=(_reserved_am(),))


def test_the_checker_wants_every_reserved_line_kept():
    s = scenario(experts=[expert("a")], cases=[case("k1")])
    request = AssignmentRequest(horizon_days=1, cases=(), reserved=(_reserved_am(),))
    assert check_assignment(s, request, [_reserved_am()]).ok
    assert check_assignment(s, request, []).rules() == {"pins"}
    moved = _reserved_am().model_copy(update={"slot": TimeSlot(date=TODAY, half=HalfDay.PM)})
    assert "pins" in check_assignment(s, request, [moved]).rules()


def test_availability_matrix_follows_weekly_half_days_and_leave():
    # Straight from the rule, slot by slot, on the bundled Bao'an experts (some sent on leave).
    from matcher.scenarios import load_scenario

    base = load_scenario("baoan")
    experts = tuple(e.model_copy(update={"leave": (DateRange(start=TODAY + dt.timedelta(days=i % 5),
                                                             end=TODAY + dt.timedelta(days=i % 5 + i % 3)),)})
                    if i % 4 == 0 else e for i, e in enumerate(base.experts))
    slots = AssignmentRequest(horizon_days=9).slots(TODAY)
    expected = np.array([[s.weekly in set(e.availability) and not e.on_leave(s.date) for s in slots] for e in experts])
    got = availability_matrix(experts, slots)
    assert got.any() and not got.all()
    assert (got == expected).all()

