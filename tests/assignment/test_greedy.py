"""The coordinator's greedy baseline: first come first served, nearest specialist, earliest slot —
always accepted by the independent checker, and provably beaten by the engine where it matters.

Planning day Monday 2024-03-04; center ``d`` (1 room); ``near`` ~11 km away (~28 min at 30 km/h ×
1.3), ``far`` ~100 km away (beyond the default 60-minute limit).
"""

from __future__ import annotations

import datetime as dt

import pytest

from builders import TODAY, case, center, expert, scenario

from matcher.assignment import ObjectiveWeights, SolveParams, solve_assignment
from matcher.assignment.greedy import greedy_assignment, plan_objective, plan_terms
from matcher.checker import check_assignment
from matcher.domain import AssignmentLine, AssignmentRequest, RotationSlot, Scenario, Seat, TimeSlot

NEAR = center("near", lat=22.65, lon=113.88, level="street", parent="d")
FAR = center("far", lat=23.45, lon=113.88, level="street", parent="d")
REQ = AssignmentRequest(horizon_days=5)
MON_AM = TimeSlot(date=TODAY, half="am")
MON_PM = TimeSlot(date=TODAY, half="pm")


def planned(s: Scenario, request: AssignmentRequest = REQ):
    plan = greedy_assignment(s, request)
    report = check_assignment(s, request, plan.lines)
    assert report.ok, report.violations
    return plan


def by_case(plan) -> dict[str, AssignmentLine]:
    return {line.case: line for line in plan.lines}


def test_nearest_specialist_then_earliest_slot():
    s = scenario(centers=[center(), NEAR], experts=[expert("m_near", home="near"), expert("m_home"), expert("l1", "lawyer")],
                 cases=[case("c1")])
    line = by_case(planned(s))["c1"]
    assert line.experts == ("m_home",)  # 0 min beats ~28 min
    assert (line.slot, line.room, line.online) == (MON_AM, 0, False)


def test_first_come_first_served():
    # One mediator, one room, one half-day of availability: whoever was received first gets it.
    s = scenario(experts=[expert("m1", availability=[dict(weekday=0, half="am")])],
                 cases=[case("late", received="2024-03-02T09:00"), case("early", received="2024-03-01T09:00")])
    plan = planned(s)
    assert list(by_case(plan)) == ["early"]
    assert [u.case for u in plan.unassigned] == ["late"]
    assert plan.unassigned[0].reasons[0].startswith("no free mediator")


def test_room_taken_means_online_or_nothing():
    # Both mediators work Monday mornings only; the center has one room.
    monday_am = [dict(weekday=0, half="am")]
    s = scenario(experts=[expert("m1", availability=monday_am), expert("m2", availability=monday_am)],
                 cases=[case("c1", received="2024-03-01T09:00"), case("c2", received="2024-03-01T10:00"),
                        case("c3", received="2024-03-01T11:00", online_allowed=False)])
    plan = planned(s)
    lines = by_case(plan)
    assert (lines["c1"].slot, lines["c1"].room, lines["c1"].experts) == (MON_AM, 0, ("m1",))
    # c2: m1 is booked, m2 is free but the only room is taken; online is allowed.
    assert (lines["c2"].slot, lines["c2"].online, lines["c2"].experts) == (MON_AM, True, ("m2",))
    # c3 may not go online and nobody has another half-day.
    assert [u.case for u in plan.unassigned] == ["c3"]


def test_nearest_expert_is_kept_even_if_another_could_meet_sooner():
    # m1 and m2 are equally near (tie broken by id): m1 is chosen, and meets at its earliest free
    # slot (Monday afternoon) although m2 was free on Monday morning — the coordinator's habit.
    s = scenario(experts=[expert("m1"), expert("m2")],
                 cases=[case("c1", received="2024-03-01T09:00"), case("c2", received="2024-03-01T10:00")])
    lines = by_case(planned(s))
    assert (lines["c2"].experts, lines["c2"].slot, lines["c2"].room) == (("m1",), MON_PM, 0)


def test_far_expert_only_online():
    s = scenario(centers=[center(), FAR], experts=[expert("m1", home="far")],
                 cases=[case("c1"), case("c2", online_allowed=False)])
    plan = planned(s)
    assert by_case(plan)["c1"].online
    assert [u.case for u in plan.unassigned] == ["c2"]


def test_team_with_a_rotated_judge_and_no_session_case():
    s = scenario(experts=[expert("m1"), expert("j1", "judge")],
                 cases=[case("c1", needs_roles=["mediator", "judge"]), case("c2", needs_session=False)],
                 rotation=[RotationSlot(judge="j1", center="d", slot=MON_PM)])
    lines = by_case(planned(s))
    assert lines["c1"].slot == MON_PM  # the judge is only there on Monday afternoon
    assert lines["c2"].slot is None and lines["c2"].experts == ("m1",)


@pytest.mark.parametrize("kind", ["pins", "reserved"])
def test_pins_are_kept_and_their_resources_respected(kind):
    s = scenario(experts=[expert("m1"), expert("m2")], cases=[case("c1"), case("c2")])
    pin = AssignmentLine(case="c2", team=(Seat(role="mediator", expert="m1"),), slot=MON_AM, room=0)
    request = AssignmentRequest(horizon_days=5, cases=("c1",) if kind == "reserved" else None, **{kind: (pin,)})
    lines = by_case(planned(s, request))
    assert lines["c2"] == pin
    # m1 and the room are held by the pin on Monday morning: c1 gets m1 on Monday afternoon.
    assert (lines["c1"].experts, lines["c1"].slot, lines["c1"].room) == (("m1",), MON_PM, 0)


def test_greedy_is_provably_worse_than_the_optimum():
    """c1 arrives first and takes the nearest mediator m1, who can hold one more case; c2 (m2 is
    excluded) then has nobody. Optimum by hand: c1 → m2, c2 → m1, both served (unassigned 0 vs 1)."""
    s = scenario(centers=[center(), NEAR],
                 experts=[expert("m1", max_open_cases=1), expert("m2", home="near")],
                 cases=[case("c1", received="2024-03-01T09:00"), case("c2", received="2024-03-01T10:00", excluded_experts=["m2"])])
    plan = planned(s)
    assert [u.case for u in plan.unassigned] == ["c2"]

    weights = ObjectiveWeights()
    result = solve_assignment(s, REQ, weights, SolveParams(time_limit_s=10, workers=2, seed=0))
    assert check_assignment(s, REQ, result.lines).ok
    assert result.unassigned == () and {line.case: line.experts for line in result.lines} == {"c1": ("m2",), "c2": ("m1",)}
    greedy_cost = plan_objective(plan_terms(s, REQ, plan.lines, weights), weights)
    engine_cost = plan_objective(plan_terms(s, REQ, result.lines, weights), weights)
    assert engine_cost < greedy_cost - weights.unassigned / 2


def test_plan_terms_by_hand():
    """One case, received 3 days before Monday, medium risk, lawyer at ``near`` (~27.8 min) and a
    mediator at home of proficiency 3, seen Monday afternoon (d = 1 half-day)."""
    s = scenario(centers=[center(), NEAR], experts=[expert("m1"), expert("l1", "lawyer", home="near")],
                 cases=[case("c1", needs_roles=["mediator", "lawyer"], risk="medium", preferred_experts=["m1"])])
    line = AssignmentLine(case="c1", team=(Seat(role="mediator", expert="m1"), Seat(role="lawyer", expert="l1")),
                          slot=MON_PM, room=0)
    t = plan_terms(s, REQ, [line], ObjectiveWeights())
    assert t["proficiency"] == 4  # (5-3) + (5-3)
    assert 27 < t["travel"] < 29  # only the lawyer travels
    assert t["urgency"] == 3  # medium risk × 1 half-day
    assert t["waiting"] == 0.3  # 3 days × 1 / 10
    assert t["balance"] == 1 and t["continuity"] == 1 and t["unassigned"] == 0 and t["disruption"] == 0
    assert plan_terms(s, REQ, [], ObjectiveWeights())["unassigned"] == 1


def test_a_day_of_many_cases_is_checker_clean():
    experts = [expert(f"m{i}", home=("d", "near")[i % 2], max_sessions_per_week=3, max_open_cases=4 + i % 3) for i in range(6)]
    experts += [expert("l1", "lawyer"), expert("j1", "judge")]
    rotation = [RotationSlot(judge="j1", center="d", slot=TimeSlot(date=TODAY + dt.timedelta(days=k), half="am"))
                for k in range(3)]
    cases = [case(f"c{k}", at=("d", "near")[k % 2], received=f"2024-03-01T{8 + k % 10:02d}:{k:02d}",
                  needs_roles=[["mediator"], ["mediator", "lawyer"], ["mediator", "judge"]][k % 3],
                  online_allowed=k % 4 != 0)
             for k in range(24)]
    s = scenario(centers=[center(rooms=2), NEAR], experts=experts, cases=cases, rotation=rotation)
    plan = planned(s)
    assert len(plan.lines) + len(plan.unassigned) == 24
    assert plan.lines  # served some
