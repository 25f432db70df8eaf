"""The independent checker: for every rule, a tiny plan breaking exactly that rule (the checker must
name it and nothing else) and a clean counterpart it accepts.

Planning day Monday 2024-03-04 (ISO week 10); center ``d`` has 1 room unless a test says otherwise;
center ``far`` is ~100 km away (far beyond the default 60-minute travel limit).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from builders import TODAY, case, center, expert, scenario

from matcher.checker import RULES, check_assignment
from matcher.cli import main
from matcher.domain import AssignmentLine, AssignmentRequest, RotationSlot, Scenario, Seat, TimeSlot

MON_AM = TimeSlot(date=TODAY, half="am")
MON_PM = TimeSlot(date=TODAY, half="pm")
TUE_AM = TimeSlot(date=TODAY + dt.timedelta(days=1), half="am")
NEXT_MON_AM = TimeSlot(date=TODAY + dt.timedelta(days=7), half="am")  # ISO week 11
SAT_AM = TimeSlot(date=TODAY + dt.timedelta(days=5), half="am")
FAR = center("far", lat=23.45, lon=113.88, level="street", parent="d")
EVERY_DAY = [dict(weekday=d, half=h) for d in range(7) for h in ("am", "pm")]
WEEK = AssignmentRequest(horizon_days=7)


def line(case_id: str = "c1", slot: TimeSlot | None = MON_AM, room: int | None = 0, online: bool = False,
         **seats: str) -> AssignmentLine:
    team = tuple(Seat(role=role, expert=e) for role, e in (seats or {"mediator": "m1"}).items())
    return AssignmentLine(case=case_id, team=team, slot=slot, room=room, online=online)


def rules(s: Scenario, lines: list[AssignmentLine], request: AssignmentRequest = WEEK) -> set[str]:
    return check_assignment(s, request, lines).rules()


def basic(experts: list[dict] | None = None, cases: list[dict] | None = None, **kw) -> Scenario:
    return scenario(experts=experts or [expert("m1"), expert("m2")], cases=cases or [case("c1")], **kw)


def test_the_clean_plan_is_accepted():
    s = basic()
    report = check_assignment(s, WEEK, [line()])
    assert report.ok, report.violations
    assert str(report) == "ok"


def test_every_rule_has_a_name():
    assert len(RULES) == len(set(RULES)) == 9


# -- 1. at most one line per case of the problem -----------------------------------------------------


def test_two_lines_for_one_case():
    s = basic()
    assert rules(s, [line(slot=MON_AM), line(slot=MON_PM, mediator="m2")]) == {"one_line"}
    assert rules(s, [line(slot=MON_AM)]) == set()


def test_line_for_an_unknown_case():
    s = basic()
    assert rules(s, [line("nope")]) == {"one_line"}


def test_line_for_a_case_outside_the_request():
    s = basic(cases=[case("c1"), case("c2")])
    only_c2 = AssignmentRequest(cases=("c2",), horizon_days=7)
    assert rules(s, [line("c1")], only_c2) == {"one_line"}
    assert rules(s, [line("c2")], only_c2) == set()
    # A pinned case is part of the problem even when not requested.
    pin = line("c1")
    assert rules(s, [line("c1")], AssignmentRequest(cases=("c2",), horizon_days=7, pins=(pin,))) == set()


# -- 2. team: one distinct expert per role, able to fill it, speaking the language ---------------------


def test_missing_seat():
    s = basic(experts=[expert("m1"), expert("l1", "lawyer")], cases=[case("c1", needs_roles=["mediator", "lawyer"])])
    assert rules(s, [line(mediator="m1")]) == {"team"}
    assert rules(s, [line(mediator="m1", lawyer="l1")]) == set()


def test_seat_the_case_does_not_need():
    s = basic(experts=[expert("m1"), expert("l1", "lawyer")])
    assert rules(s, [line(mediator="m1", lawyer="l1")]) == {"team"}


def test_one_expert_in_two_seats():
    # An industry mediator of labor can fill both the mediator and the industry_mediator seat, but
    # the team needs two distinct people.
    im = dict(cats={"labor": 4}, industry="labor")
    s = basic(experts=[expert("i1", "industry_mediator", **im), expert("i2", "industry_mediator", **im)],
              cases=[case("c1", needs_roles=["mediator", "industry_mediator"])])
    assert rules(s, [line(mediator="i1", industry_mediator="i1")]) == {"team"}
    assert rules(s, [line(mediator="i1", industry_mediator="i2")]) == set()


def test_expert_who_cannot_fill_the_seat():
    s = basic(experts=[expert("m1"), expert("n1", cats={"neighbor": 5})])
    assert rules(s, [line(mediator="n1")]) == {"team"}  # covers neighbor disputes, not labor
    assert rules(s, [line(mediator="m1")]) == set()


def test_expert_who_does_not_speak_the_language():
    s = basic(experts=[expert("m1"), expert("y1", languages=["yue", "zh"])], cases=[case("c1", language="yue")])
    assert rules(s, [line(mediator="m1")]) == {"team"}
    assert rules(s, [line(mediator="y1")]) == set()


def test_unknown_expert():
    s = basic()
    report = check_assignment(s, WEEK, [line(mediator="ghost")])
    assert report.rules() == {"team"}
    assert report.violations[0].expert == "ghost"


# -- 3. conflict of interest ----------------------------------------------------------------------------


def test_excluded_expert():
    s = basic(cases=[case("c1", excluded_experts=["m1"])])
    report = check_assignment(s, WEEK, [line(mediator="m1")])
    assert report.rules() == {"conflict_of_interest"}
    assert (report.violations[0].case, report.violations[0].expert) == ("c1", "m1")
    assert rules(s, [line(mediator="m2")]) == set()


def test_expert_affiliated_with_a_party():
    s = basic(experts=[expert("m1", affiliations=["Acme"]), expert("m2", affiliations=["Other"])],
              cases=[case("c1", parties=[dict(name="Li", organization="Acme"), dict(name="Wang")])])
    assert rules(s, [line(mediator="m1")]) == {"conflict_of_interest"}
    assert rules(s, [line(mediator="m2")]) == set()


# -- 4. location -------------------------------------------------------------------------------------------


def test_in_person_beyond_the_travel_limit():
    s = basic(centers=[center(), FAR], experts=[expert("m1", home="far"), expert("m2")])
    report = check_assignment(s, WEEK, [line(mediator="m1")])
    assert report.rules() == {"location"}
    assert report.violations[0].expert == "m1"
    # Online the distance does not matter; in person from the case's own center is fine too.
    assert rules(s, [line(mediator="m1", room=None, online=True)]) == set()
    assert rules(s, [line(mediator="m2")]) == set()


def test_travel_limit_also_binds_a_case_without_session():
    s = basic(centers=[center(), FAR], experts=[expert("m1", home="far"), expert("m2")],
              cases=[case("c1", needs_session=False)])
    assert rules(s, [line(mediator="m1", slot=None, room=None)]) == {"location"}
    assert rules(s, [line(mediator="m2", slot=None, room=None)]) == set()


def test_a_judge_is_not_bound_by_travel():
    s = basic(centers=[center(), FAR],
              experts=[expert("m1"), expert("j1", "judge", home="far")],
              cases=[case("c1", needs_roles=["mediator", "judge"])],
              rotation=[RotationSlot(judge="j1", center="d", slot=MON_AM)])
    assert rules(s, [line(mediator="m1", judge="j1")]) == set()


def test_online_when_the_case_does_not_allow_it():
    s = basic(cases=[case("c1", online_allowed=False)])
    assert rules(s, [line(room=None, online=True)]) == {"location"}
    assert rules(s, [line()]) == set()


def test_online_with_an_expert_who_cannot_go_online():
    s = basic(experts=[expert("m1", online_capable=False), expert("m2")])
    assert rules(s, [line(mediator="m1", room=None, online=True)]) == {"location"}
    assert rules(s, [line(mediator="m2", room=None, online=True)]) == set()


# -- 5. slot -------------------------------------------------------------------------------------------------


def test_session_case_without_slot():
    s = basic()
    assert rules(s, [line(slot=None, room=None)]) == {"slot"}


def test_case_without_session_given_a_slot():
    s = basic(cases=[case("c1", needs_session=False)])
    assert rules(s, [line()]) == {"slot"}
    assert rules(s, [line(slot=None, room=None)]) == set()


def test_slot_outside_the_horizon():
    s = basic()
    two_days = AssignmentRequest(horizon_days=2)
    wed = TimeSlot(date=TODAY + dt.timedelta(days=2), half="am")
    assert rules(s, [line(slot=wed)], two_days) == {"slot"}
    assert rules(s, [line(slot=TUE_AM)], two_days) == set()


def test_slot_before_the_planning_day():
    # A horizon starting yesterday (Sunday... pick last Friday) still may not plan before today.
    s = basic(experts=[expert("m1", availability=EVERY_DAY)])
    friday = TODAY - dt.timedelta(days=3)
    from_friday = AssignmentRequest(horizon_start=friday, horizon_days=7)
    assert rules(s, [line(slot=TimeSlot(date=friday, half="am"))], from_friday) == {"slot"}
    assert rules(s, [line(slot=MON_AM)], from_friday) == set()


def test_slot_after_the_deadline():
    s = basic(cases=[case("c1", deadline="2024-03-04")])
    assert rules(s, [line(slot=TUE_AM)]) == {"slot"}
    assert rules(s, [line(slot=MON_PM)]) == set()


def test_in_person_when_the_center_is_closed():
    # The expert works Saturdays; the center does not (default opening Monday–Friday).
    s = basic(experts=[expert("m1", availability=EVERY_DAY)])
    assert rules(s, [line(slot=SAT_AM)]) == {"slot"}
    assert rules(s, [line(slot=SAT_AM, room=None, online=True)]) == set()


def test_in_person_without_a_room():
    s = basic()
    assert rules(s, [line(room=None)]) == {"slot"}


def test_room_that_does_not_exist():
    s = basic(centers=[center(rooms=2)])
    assert rules(s, [line(room=2)]) == {"slot"}
    assert rules(s, [line(room=1)]) == set()


# -- 6. availability --------------------------------------------------------------------------------------------


def test_expert_not_available_that_half_day():
    s = basic(experts=[expert("m1", availability=[dict(weekday=0, half="am")]), expert("m2")])
    assert rules(s, [line(slot=MON_PM)]) == {"availability"}
    assert rules(s, [line(slot=MON_AM)]) == set()


def test_expert_on_leave():
    s = basic(experts=[expert("m1", leave=[dict(start="2024-03-05", end="2024-03-06")])])
    assert rules(s, [line(slot=TUE_AM)]) == {"availability"}
    assert rules(s, [line(slot=MON_PM)]) == set()


def test_judge_without_rotation_there_and_then():
    def with_rotation(*rotation: RotationSlot) -> Scenario:
        return basic(centers=[center(), center("s1", lat=22.56, level="street", parent="d")],
                     experts=[expert("m1"), expert("j1", "judge")],
                     cases=[case("c1", needs_roles=["mediator", "judge"])], rotation=list(rotation))

    plan = [line(mediator="m1", judge="j1")]
    assert rules(with_rotation(), plan) == {"availability"}
    assert rules(with_rotation(RotationSlot(judge="j1", center="s1", slot=MON_AM)), plan) == {"availability"}
    assert rules(with_rotation(RotationSlot(judge="j1", center="d", slot=MON_PM)), plan) == {"availability"}
    assert rules(with_rotation(RotationSlot(judge="j1", center="d", slot=MON_AM)), plan) == set()


# -- 7. one place at a time -------------------------------------------------------------------------------------


def test_expert_in_two_sessions_at_once():
    s = basic(centers=[center(rooms=2)], cases=[case("c1"), case("c2")])
    report = check_assignment(s, WEEK, [line("c1", room=0), line("c2", room=1)])
    assert report.rules() == {"one_place_at_a_time"}
    assert {v.expert for v in report.violations} == {"m1"}
    assert rules(s, [line("c1", room=0), line("c2", room=1, slot=MON_PM)]) == set()
    assert rules(s, [line("c1", room=0), line("c2", room=1, mediator="m2")]) == set()


def test_online_sessions_also_occupy_the_expert():
    s = basic(cases=[case("c1"), case("c2")])
    assert rules(s, [line("c1"), line("c2", room=None, online=True)]) == {"one_place_at_a_time"}


def test_room_hosting_two_sessions_at_once():
    s = basic(centers=[center(rooms=2)], cases=[case("c1"), case("c2")])
    assert rules(s, [line("c1", room=0), line("c2", room=0, mediator="m2")]) == {"one_place_at_a_time"}
    # Online sessions use no room.
    assert rules(s, [line("c1", room=0), line("c2", room=None, online=True, mediator="m2")]) == set()


# -- 8. workload ----------------------------------------------------------------------------------------------------


def test_open_cases_over_the_limit():
    s = basic(experts=[expert("m1", open_cases=1, max_open_cases=2), expert("m2")],
              cases=[case("c1", needs_session=False), case("c2", needs_session=False)])
    no_session = dict(slot=None, room=None)
    report = check_assignment(s, WEEK, [line("c1", **no_session), line("c2", **no_session)])
    assert report.rules() == {"workload"}
    assert report.violations[0].expert == "m1"
    assert rules(s, [line("c1", **no_session), line("c2", mediator="m2", **no_session)]) == set()


def test_sessions_per_week_over_the_limit():
    s = basic(experts=[expert("m1", max_sessions_per_week=1), expert("m2")], cases=[case("c1"), case("c2")])
    ten_days = AssignmentRequest(horizon_days=10)
    assert rules(s, [line("c1", slot=MON_AM), line("c2", slot=TUE_AM)], ten_days) == {"workload"}
    # One session in ISO week 10, one in week 11: within the limit.
    assert rules(s, [line("c1", slot=MON_AM), line("c2", slot=NEXT_MON_AM)], ten_days) == set()


def test_sessions_held_earlier_in_the_week_count_against_the_limit():
    # m1 may hold 2 sessions a week and already held 1 in today's week (ISO week 10).
    s = basic(experts=[expert("m1", max_sessions_per_week=2, sessions_this_week=1), expert("m2")],
              cases=[case("c1"), case("c2")])
    ten_days = AssignmentRequest(horizon_days=10)
    assert rules(s, [line("c1", slot=MON_AM), line("c2", slot=TUE_AM)], ten_days) == {"workload"}
    # The held session belongs to week 10 only: week 11 has both of its sessions left.
    assert rules(s, [line("c1", slot=MON_AM), line("c2", slot=NEXT_MON_AM)], ten_days) == set()


# -- 9. pins ----------------------------------------------------------------------------------------------------------


def test_pinned_line_changed():
    s = basic()
    pinned = AssignmentRequest(horizon_days=7, pins=(line(slot=MON_AM),))
    assert rules(s, [line(slot=MON_PM)], pinned) == {"pins"}
    assert rules(s, [line(slot=MON_AM, mediator="m2")], pinned) == {"pins"}
    assert rules(s, [line(slot=MON_AM)], pinned) == set()


def test_pinned_case_dropped():
    s = basic(cases=[case("c1"), case("c2")])
    pinned = AssignmentRequest(horizon_days=7, pins=(line("c1"),))
    assert rules(s, [line("c2", mediator="m2")], pinned) == {"pins"}


def test_pin_team_order_does_not_matter():
    s = basic(experts=[expert("m1"), expert("l1", "lawyer")], cases=[case("c1", needs_roles=["mediator", "lawyer"])])
    pin = AssignmentLine(case="c1", team=(Seat(role="lawyer", expert="l1"), Seat(role="mediator", expert="m1")),
                         slot=MON_AM, room=0)
    pinned = AssignmentRequest(horizon_days=7, pins=(pin,))
    assert rules(s, [line(mediator="m1", lawyer="l1")], pinned) == set()


# -- several rules at once, and the CLI ------------------------------------------------------------------------------


def test_every_violation_is_listed():
    s = basic(experts=[expert("m1", leave=[dict(start="2024-03-04", end="2024-03-04")])],
              cases=[case("c1", excluded_experts=["m1"])])
    assert rules(s, [line(room=None)]) == {"conflict_of_interest", "slot", "availability"}


@pytest.fixture
def files(tmp_path):
    s = basic(cases=[case("c1"), case("c2")])
    scenario_path = tmp_path / "s.json"
    scenario_path.write_text(s.model_dump_json())

    def plan(*lines: AssignmentLine) -> str:
        path = tmp_path / "plan.json"
        body = {"request": WEEK.model_dump(mode="json"), "lines": [x.model_dump(mode="json") for x in lines],
                "objective": 1.0, "status": "optimal"}  # extra keys, as in the engine's result
        path.write_text(json.dumps(body))
        return str(path)

    return str(scenario_path), plan


def test_cli_accepts_a_clean_plan(files, capsys):
    scenario_path, plan = files
    assert main(["check", scenario_path, plan(line("c1"), line("c2", slot=MON_PM, mediator="m2"))]) == 0
    assert capsys.readouterr().out.startswith("ok")


def test_cli_lists_each_violation(files, capsys):
    scenario_path, plan = files
    assert main(["check", scenario_path, plan(line("c1"), line("c2"))]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    # m1 twice in Monday morning, and room 0 twice: one line per (case, violation).
    assert len(out) == 4 and all(x.startswith("one_place_at_a_time: case c") for x in out)


def test_cli_rejects_unreadable_input(files, tmp_path, capsys):
    scenario_path, _ = files
    bad = tmp_path / "bad.json"
    bad.write_text('{"request": {}, "lines": [{"case": "c1"}]}')
    assert main(["check", scenario_path, str(bad)]) == 2
    assert "team" in capsys.readouterr().err


def test_cli_checks_the_engines_own_output(tmp_path, capsys):
    """The file the engine's result dumps to (as `matcher assign --out` writes it) is checkable as is."""
    from matcher.assignment import ObjectiveWeights, SolveParams, solve_assignment

    s = basic(centers=[center(rooms=2)], cases=[case("c1"), case("c2"), case("c3", needs_session=False)])
    result = solve_assignment(s, WEEK, ObjectiveWeights(), SolveParams(time_limit_s=5, workers=1, seed=0))
    assert result.lines
    scenario_path, plan_path = tmp_path / "s.json", tmp_path / "plan.json"
    scenario_path.write_text(s.model_dump_json())
    plan_path.write_text(json.dumps(result.model_dump(mode="json")))
    assert main(["check", str(scenario_path), str(plan_path)]) == 0, capsys.readouterr().out
