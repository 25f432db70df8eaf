"""One test per hard rule, on the smallest case where it binds (penalised / unpenalised pairs).

Weights: only the named terms count (see helpers.weights); optima are derived in the comments.
Planning day Monday 2024-03-04; slot index 0 = Mon am, 1 = Mon pm, 2 = Tue am, ...
"""

from __future__ import annotations

import datetime as dt

import pytest

from builders import case, center, expert, scenario
from helpers import solve, team, weights
from matcher.assignment import SolveStatus
from matcher.domain import AssignmentLine, AssignmentRequest, HalfDay, Seat, TimeSlot

MON_AM = TimeSlot(date=dt.date(2024, 3, 4), half=HalfDay.AM)
FAR = dict(lat=23.55, lon=113.88)  # ~111 km north: ~290 min at 30 km/h × 1.3


# -- expertise ----------------------------------------------------------------------------------


def test_expertise_mediator_must_cover_the_category():
    # m_best is a proficiency-5 neighbor mediator (shortfall 0) but does not cover labor: the labor
    # case must go to m_labor (proficiency 2, shortfall 3): objective = 10 × 3 = 30.
    s = scenario(experts=[expert("m_best", cats={"neighbor": 5}), expert("m_labor", cats={"labor": 2})],
                 cases=[case("k", "labor")])
    r = solve(s, w=weights(proficiency=10))
    assert team(r) == {"k": ("m_labor",)}
    assert r.objective == pytest.approx(30)


def test_expertise_unbound_when_the_better_mediator_covers_it():
    s = scenario(experts=[expert("m_best", cats={"labor": 5}), expert("m_labor", cats={"labor": 2})],
                 cases=[case("k", "labor")])
    r = solve(s, w=weights(proficiency=10))
    assert team(r) == {"k": ("m_best",)}
    assert r.objective == pytest.approx(0)  # shortfall 0


def test_industry_seat_only_to_industry_mediators_of_that_industry():
    # Industry seat for a medical dispute: the labor industry mediator (proficiency 5 in labor) may
    # not take it; the medical one (proficiency 3, shortfall 2) does: 10 × 2 = 20.
    s = scenario(
        experts=[
            expert("i_labor", "industry_mediator", {"labor": 5, "medical": 5}, industry="labor"),
            expert("i_med", "industry_mediator", {"medical": 3}, industry="medical"),
            expert("m", cats={"medical": 5}),
        ],
        cases=[case("k", "medical", needs_roles=("industry_mediator",))],
    )
    r = solve(s, w=weights(proficiency=10))
    assert team(r) == {"k": ("i_med",)}
    assert r.objective == pytest.approx(20)


def test_ordinary_mediator_seat_may_go_to_full_time_mediator():
    # An ordinary mediator seat on a labor case: the full-time mediator (5) beats the labor industry
    # mediator (2): objective 0.
    s = scenario(
        experts=[expert("i_labor", "industry_mediator", {"labor": 2}, industry="labor"), expert("m", cats={"labor": 5})],
        cases=[case("k", "labor")],
    )
    r = solve(s, w=weights(proficiency=10))
    assert team(r) == {"k": ("m",)}


def test_required_language_binds():
    # m_zh is better (5) but the case is in Cantonese: m_yue (1, shortfall 4) takes it: 10 × 4 = 40.
    s = scenario(experts=[expert("m_zh", cats={"labor": 5}), expert("m_yue", cats={"labor": 1}, languages=("zh", "yue"))],
                 cases=[case("k", language="yue")])
    r = solve(s, w=weights(proficiency=10))
    assert team(r) == {"k": ("m_yue",)}
    assert r.objective == pytest.approx(40)


def test_team_needs_distinct_experts_per_role():
    # Labor case needing mediator + industry mediator: i (industry labor, 5) could fill both seats but
    # may hold only one; the other goes to m (3, shortfall 2): 10 × 2 = 20.
    s = scenario(
        experts=[expert("i", "industry_mediator", {"labor": 5}, industry="labor"),
                 expert("i2", "industry_mediator", {"labor": 4}, industry="labor"),
                 expert("m", cats={"labor": 3})],
        cases=[case("k", needs_roles=("mediator", "industry_mediator"))],
    )
    r = solve(s, w=weights(proficiency=10))
    (line,) = r.lines
    assert len(set(line.experts)) == 2
    assert r.objective == pytest.approx(10)  # i in one seat (0) + i2 (shortfall 1) in the other


# -- conflict of interest -----------------------------------------------------------------------


def test_conflict_excluded_expert_is_not_used():
    s = scenario(experts=[expert("a", cats={"labor": 5}), expert("b", cats={"labor": 2})],
                 cases=[case("k", excluded_experts=("a",))])
    r = solve(s, w=weights(proficiency=10))
    assert team(r) == {"k": ("b",)}
    assert r.objective == pytest.approx(30)


def test_conflict_affiliation_with_a_party_organization():
    s = scenario(experts=[expert("a", cats={"labor": 5}, affiliations=("Foxconn",)), expert("b", cats={"labor": 2})],
                 cases=[case("k", parties=[{"name": "P", "organization": "Foxconn"}])])
    r = solve(s, w=weights(proficiency=10))
    assert team(r) == {"k": ("b",)}


def test_conflict_unbound_without_shared_organization():
    s = scenario(experts=[expert("a", cats={"labor": 5}, affiliations=("Foxconn",)), expert("b", cats={"labor": 2})],
                 cases=[case("k", parties=[{"name": "P", "organization": "BYD"}])])
    assert team(solve(s, w=weights(proficiency=10))) == {"k": ("a",)}


# -- location -----------------------------------------------------------------------------------


def test_location_far_expert_only_online():
    # far (5) lives ~290 min away, beyond 60: in person impossible, online not allowed → near (2):
    # 10 × 3 = 30.
    s = scenario(centers=[center("d"), center("f", **FAR, level="street", parent="d")],
                 experts=[expert("far", cats={"labor": 5}, home="f"), expert("near", cats={"labor": 2})],
                 cases=[case("k", online_allowed=False)])
    r = solve(s, w=weights(proficiency=10))
    assert team(r) == {"k": ("near",)}
    assert r.objective == pytest.approx(30)


def test_location_online_lets_the_far_expert_serve():
    # Online allowed: far (shortfall 0) + online seat valued online_minutes 5 × travel 1 = 5, better
    # than near (30).
    s = scenario(centers=[center("d"), center("f", **FAR, level="street", parent="d")],
                 experts=[expert("far", cats={"labor": 5}, home="f"), expert("near", cats={"labor": 2})],
                 cases=[case("k", online_allowed=True)])
    r = solve(s, w=weights(proficiency=10, travel=1, online_minutes=5))
    (line,) = r.lines
    assert line.experts == ("far",) and line.online and line.room is None
    assert r.objective == pytest.approx(5)


def test_location_no_one_in_reach_leaves_case_unassigned_with_reason():
    s = scenario(centers=[center("d"), center("f", **FAR, level="street", parent="d")],
                 experts=[expert("far", cats={"labor": 5}, home="f")],
                 cases=[case("k", online_allowed=False)])
    r = solve(s)
    assert r.lines == ()
    (u,) = r.unassigned
    assert "within travel of center d" in u.reasons[0] and "online not allowed" in u.reasons[0]
    assert r.objective == pytest.approx(1000)


# -- workload -----------------------------------------------------------------------------------


def test_workload_open_cases_count_cases_already_held():
    # a (5) already holds 19 of 20: it takes one case, b (2, shortfall 3) the other: 10 × 3 = 30.
    s = scenario(experts=[expert("a", cats={"labor": 5}, open_cases=19), expert("b", cats={"labor": 2})],
                 cases=[case("k1"), case("k2")])
    r = solve(s, w=weights(proficiency=10))
    assert sorted(e for t in team(r).values() for e in t) == ["a", "b"]
    assert r.objective == pytest.approx(30)


def test_workload_unbound_with_room():
    s = scenario(experts=[expert("a", cats={"labor": 5}, open_cases=18), expert("b", cats={"labor": 2})],
                 cases=[case("k1"), case("k2")])
    r = solve(s, w=weights(proficiency=10))
    assert team(r) == {"k1": ("a",), "k2": ("a",)}


def test_workload_sessions_per_week():
    # One mediator, max 1 session a week, two cases, horizon Mon–next Mon (8 days): one session this
    # week, the other next Monday (slot 14). Urgency 1 per half-day: 0 + 14 = 14.
    s = scenario(experts=[expert("a", max_sessions_per_week=1)], cases=[case("k1"), case("k2")])
    req = AssignmentRequest(horizon_days=8)
    r = solve(s, req, w=weights(urgency=1))
    slots = sorted(line.slot.date for line in r.lines)
    assert slots == [dt.date(2024, 3, 4), dt.date(2024, 3, 11)]
    assert r.objective == pytest.approx(14)


def test_workload_sessions_held_earlier_this_week_count():
    # The same mediator with max 2 sessions a week who already held 1 this week (before the plan):
    # only one session fits this week, the other goes to next Monday (slot 14): 0 + 14 = 14.
    s = scenario(experts=[expert("a", max_sessions_per_week=2, sessions_this_week=1)], cases=[case("k1"), case("k2")])
    r = solve(s, AssignmentRequest(horizon_days=8), w=weights(urgency=1))
    assert sorted(line.slot.date for line in r.lines) == [dt.date(2024, 3, 4), dt.date(2024, 3, 11)]
    assert r.objective == pytest.approx(14)


def test_workload_sessions_held_earlier_unbound_with_room():
    # None held yet: both sessions this week, Mon am and Mon pm: 0 + 1 = 1.
    s = scenario(experts=[expert("a", max_sessions_per_week=2)], cases=[case("k1"), case("k2")])
    r = solve(s, AssignmentRequest(horizon_days=8), w=weights(urgency=1))
    assert r.objective == pytest.approx(1)


def test_workload_week_already_full_leaves_only_next_week():
    # Held 3 of at most 2 (history over the limit): nothing more this week, and no error either.
    s = scenario(experts=[expert("a", max_sessions_per_week=2, sessions_this_week=3)], cases=[case("k1")])
    r = solve(s, AssignmentRequest(horizon_days=8), w=weights(urgency=1))
    assert [line.slot.date for line in r.lines] == [dt.date(2024, 3, 11)]


# -- availability -------------------------------------------------------------------------------


def test_availability_weekly_half_day():
    # a works only Tuesday pm (slot 3): urgency 1 × 3 = 3.
    s = scenario(experts=[expert("a", availability=[{"weekday": 1, "half": "pm"}])], cases=[case("k")])
    r = solve(s, AssignmentRequest(horizon_days=3), w=weights(urgency=1))
    (line,) = r.lines
    assert line.slot == TimeSlot(date=dt.date(2024, 3, 5), half=HalfDay.PM)
    assert r.objective == pytest.approx(3)


def test_availability_leave():
    # a is on leave Mon–Tue: first slot Wed am (slot 4).
    s = scenario(experts=[expert("a", leave=[{"start": "2024-03-04", "end": "2024-03-05"}])], cases=[case("k")])
    r = solve(s, AssignmentRequest(horizon_days=3), w=weights(urgency=1))
    (line,) = r.lines
    assert line.slot.date == dt.date(2024, 3, 6) and r.objective == pytest.approx(4)


def test_judge_only_where_the_rotation_places_them():
    # The judge is rotated to d on Wed pm (slot 5) and to another center Mon am: only slot 5 counts.
    rot = [
        {"judge": "j", "center": "d", "slot": {"date": "2024-03-06", "half": "pm"}},
        {"judge": "j", "center": "s", "slot": {"date": "2024-03-04", "half": "am"}},
    ]
    s = scenario(centers=[center("d"), center("s", level="street", parent="d")],
                 experts=[expert("m"), expert("j", "judge")],
                 cases=[case("k", needs_roles=("mediator", "judge"))], rotation=rot)
    r = solve(s, AssignmentRequest(horizon_days=3), w=weights(urgency=1))
    (line,) = r.lines
    assert line.slot == TimeSlot(date=dt.date(2024, 3, 6), half=HalfDay.PM)
    assert r.objective == pytest.approx(5)


def test_judge_without_rotation_leaves_case_unassigned():
    s = scenario(experts=[expert("m"), expert("j", "judge")], cases=[case("k", needs_roles=("mediator", "judge"))])
    r = solve(s, AssignmentRequest(horizon_days=3))
    (u,) = r.unassigned
    assert "no judge is rotated to center d" in u.reasons[0]


# -- one place at a time ------------------------------------------------------------------------


def test_one_place_at_a_time_expert():
    # One mediator, two cases, horizon Monday only: am and pm (urgency 0 + 1 = 1), never both am.
    s = scenario(experts=[expert("a")], cases=[case("k1"), case("k2")])
    r = solve(s, AssignmentRequest(horizon_days=1), w=weights(urgency=1))
    assert sorted(line.slot.half for line in r.lines) == [HalfDay.AM, HalfDay.PM]
    assert r.objective == pytest.approx(1)


def test_one_place_at_a_time_expert_binds_to_unassigned():
    # Only Monday am available: the second case cannot be served: 1000.
    s = scenario(experts=[expert("a", availability=[{"weekday": 0, "half": "am"}])], cases=[case("k1"), case("k2")])
    r = solve(s, AssignmentRequest(horizon_days=1))
    assert len(r.lines) == 1 and len(r.unassigned) == 1
    assert r.objective == pytest.approx(1000)
    assert "taken by other cases" in r.unassigned[0].reasons[0]


def test_one_room_hosts_one_session_per_slot():
    # One room, no online, two cases with different mediators, Monday only: am + pm → urgency 1.
    s = scenario(centers=[center("d", rooms=1)], experts=[expert("a"), expert("b")],
                 cases=[case("k1", online_allowed=False), case("k2", online_allowed=False)])
    r = solve(s, AssignmentRequest(horizon_days=1), w=weights(urgency=1))
    assert sorted(line.slot.half for line in r.lines) == [HalfDay.AM, HalfDay.PM]
    assert {line.room for line in r.lines} == {0}
    assert r.objective == pytest.approx(1)


def test_two_rooms_host_two_sessions():
    s = scenario(centers=[center("d", rooms=2)], experts=[expert("a"), expert("b")],
                 cases=[case("k1", online_allowed=False), case("k2", online_allowed=False)])
    r = solve(s, AssignmentRequest(horizon_days=1), w=weights(urgency=1))
    assert {line.slot.half for line in r.lines} == {HalfDay.AM}
    assert sorted(line.room for line in r.lines) == [0, 1]
    assert r.objective == pytest.approx(0)


# -- deadlines ----------------------------------------------------------------------------------


def test_deadline_before_the_only_free_slot():
    # a is free only Tuesday; the case is due Monday: unassigned with a reason naming the date.
    s = scenario(experts=[expert("a", availability=[{"weekday": 1, "half": "am"}])],
                 cases=[case("k", deadline="2024-03-04")])
    r = solve(s, AssignmentRequest(horizon_days=3))
    (u,) = r.unassigned
    assert "2024-03-04" in u.reasons[0]


def test_deadline_unbound_when_later():
    s = scenario(experts=[expert("a", availability=[{"weekday": 1, "half": "am"}])],
                 cases=[case("k", deadline="2024-03-05")])
    r = solve(s, AssignmentRequest(horizon_days=3))
    assert len(r.lines) == 1 and r.lines[0].slot.date == dt.date(2024, 3, 5)


def test_deadline_already_passed_is_reported():
    s = scenario(experts=[expert("a")], cases=[case("k", received="2024-02-01T09:00", deadline="2024-03-01")])
    r = solve(s)
    assert "before the planning day" in r.unassigned[0].reasons[0]


# -- pins ---------------------------------------------------------------------------------------


def test_pinned_line_stays_exactly_as_pinned():
    # b (shortfall 3) is pinned at Monday pm, room 0, though a (0) Monday am is cheaper: 30 + 1 = 31.
    pin = AssignmentLine(case="k", team=(Seat(role="mediator", expert="b"),),
                         slot=TimeSlot(date=dt.date(2024, 3, 4), half=HalfDay.PM), room=0)
    s = scenario(experts=[expert("a", cats={"labor": 5}), expert("b", cats={"labor": 2})], cases=[case("k")])
    r = solve(s, AssignmentRequest(horizon_days=2, pins=(pin,)), w=weights(proficiency=10, urgency=1))
    assert r.lines == (pin,)
    assert r.objective == pytest.approx(31)


def test_pin_holds_the_expert_and_the_room():
    # Pin a on k1 Monday am room 0 (the only room); k2 (no online) must go elsewhere in time: Mon pm.
    pin = AssignmentLine(case="k1", team=(Seat(role="mediator", expert="a"),), slot=MON_AM, room=0)
    s = scenario(centers=[center("d", rooms=1)], experts=[expert("a"), expert("b")],
                 cases=[case("k1"), case("k2", online_allowed=False)])
    r = solve(s, AssignmentRequest(horizon_days=1, pins=(pin,)), w=weights(urgency=1))
    k2 = next(line for line in r.lines if line.case == "k2")
    assert k2.slot.half == HalfDay.PM


def test_infeasible_pins_give_status_with_reason_not_exception():
    # Two pins put a in two sessions on Monday am.
    pins = tuple(AssignmentLine(case=k, team=(Seat(role="mediator", expert="a"),), slot=MON_AM, online=True)
                 for k in ("k1", "k2"))
    s = scenario(experts=[expert("a")], cases=[case("k1"), case("k2")])
    r = solve(s, AssignmentRequest(horizon_days=1, pins=pins))
    assert r.status == SolveStatus.INFEASIBLE
    assert "a is pinned to two sessions" in r.reason


def test_pin_breaking_a_rule_is_infeasible_with_reason():
    pin = AssignmentLine(case="k", team=(Seat(role="mediator", expert="n"),), slot=MON_AM, online=True)
    s = scenario(experts=[expert("a"), expert("n", cats={"neighbor": 4})], cases=[case("k")])
    r = solve(s, AssignmentRequest(horizon_days=1, pins=(pin,)))
    assert r.status == SolveStatus.INFEASIBLE
    assert "pinned mediator n breaks expertise" in r.reason


def test_pins_over_workload_are_infeasible():
    pins = tuple(AssignmentLine(case=k, team=(Seat(role="mediator", expert="a"),)) for k in ("k1", "k2"))
    s = scenario(experts=[expert("a", max_open_cases=1)],
                 cases=[case("k1", needs_session=False), case("k2", needs_session=False)])
    r = solve(s, AssignmentRequest(horizon_days=1, pins=pins))
    assert r.status == SolveStatus.INFEASIBLE and "max_open_cases 1" in r.reason
