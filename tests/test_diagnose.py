"""Diagnosis: scenarios made infeasible on purpose, and the reported reasons name the rule that was broken.

Each test breaks one thing in the tiny two-town world (tests/worlds.py) and derives by hand which
rules are the smallest set leaving the seat without a candidate; the diagnosis must find exactly that
set from the masks. Conflicting pins: the reported set is minimal (dropping any one pin makes the rest
feasible — verified by the independent checker and by the engine) and names the rule row broken.
"""

from __future__ import annotations

import pytest

from matcher.assignment import SolveParams, SolveStatus, solve_assignment
from matcher.checker import check_assignment
from matcher.diagnose import (
    AVAILABILITY,
    DEADLINE,
    EXPERTISE,
    LOCATION,
    ROTATION,
    WORKLOAD,
    diagnose_case,
    diagnose_result,
    minimal_conflicting_pins,
    seat_rules,
    smallest_cores,
)
from matcher.domain import AssignmentLine, AssignmentRequest, Scenario, Seat, TimeSlot
from matcher.recommend import Recommender

from worlds import tiny_world

FAST = SolveParams(time_limit_s=2, workers=1, seed=0)


def _world(experts: dict[str, dict] | None = None, cases: dict[str, dict] | None = None, extra_experts=(), extra_cases=()) -> Scenario:
    data = tiny_world().model_dump(mode="json")
    for e in data["experts"]:
        e.update((experts or {}).get(e["id"], {}))
    for c in data["cases"]:
        c.update((cases or {}).get(c["id"], {}))
    data["experts"] += list(extra_experts)
    data["cases"] += list(extra_cases)
    return Scenario.model_validate(data)


def test_a_feasible_case_gets_a_team_and_no_reason():
    s = tiny_world()
    d = diagnose_case(Recommender(s), s.case_by_id["caseA2"])
    assert d.feasible and d.team is not None and d.reasons == () and d.rules == set()


def test_capacity_cut_names_workload():
    # Three mediators with room for one case each (max_open_cases 1), four cases needing a mediator:
    # the engine serves three; on top of that plan every mediator is full. The smallest rule set
    # emptying the mediator seat is {expertise, workload}: without expertise the counselor and the
    # judge still have room; without workload the three mediators reappear.
    s = _world(experts={x: {"max_open_cases": 1} for x in ("medA", "medA2", "medB")})
    result = solve_assignment(s, AssignmentRequest(), params=FAST)
    assert len(result.lines) == 3 and len(result.unassigned) == 1
    [d] = diagnose_result(s, result)
    assert not d.feasible
    seat = next(x for x in d.seats if x.role == "mediator")
    assert seat.core == (EXPERTISE, WORKLOAD)
    assert seat.relax[WORKLOAD] >= 1  # relaxing the load cap brings mediators back
    assert "max_open_cases" in d.reasons[0]


def test_a_category_with_no_expert_in_reach_names_location():
    # One medical industry mediator, at Town A with a 5-minute travel limit; the medical case is at
    # Town B (about 10 km away) and does not allow online: {expertise, location} is the smallest core.
    medic = dict(id="medic", name="Medic", role="industry_mediator", industry="medical", categories={"medical": 5},
                 home_center="townA", max_travel_minutes=5)
    case = dict(id="caseMed", category="medical", center="townB", received="2024-03-01T09:00", deadline="2024-03-20",
                needs_roles=["industry_mediator"], online_allowed=False)
    s = _world(extra_experts=[medic], extra_cases=[case])
    d = diagnose_case(Recommender(s), s.case_by_id["caseMed"])
    assert not d.feasible
    assert d.seats[0].core == (EXPERTISE, LOCATION)
    assert d.seats[0].relax[LOCATION] == 1  # only the one medic, if travel did not bind
    text = d.reasons[0]
    assert "medical industry_mediator" in text and "Town B" in text and "limit 5 min" in text and "online" in text
    # The engine agrees that it cannot be served.
    result = solve_assignment(s, AssignmentRequest(), params=FAST)
    assert "caseMed" in {u.case for u in result.unassigned}


def test_deadline_and_leave_together_name_both():
    # caseA2 (neighbor, at community A1) is due on Tuesday 5 March; every mediator is on leave on
    # Monday and Tuesday. Without the deadline they are free later; without leave they are free now;
    # without expertise the counselor is free: the core is {expertise, deadline, availability}.
    away = {"leave": [{"start": "2024-03-04", "end": "2024-03-05"}]}
    s = _world(experts={x: away for x in ("medA", "medA2", "medB")}, cases={"caseA2": {"deadline": "2024-03-05"}})
    rec = Recommender(s)
    d = diagnose_case(rec, s.case_by_id["caseA2"])
    assert d.seats[0].core == (EXPERTISE, DEADLINE, AVAILABILITY)
    assert "2024-03-05" in d.reasons[0] and "not on leave" in d.reasons[0]
    # The deletion-filter fallback (subset search capped at size 1) still returns a minimal core.
    rules = seat_rules(rec, s.case_by_id["caseA2"], s.case_by_id["caseA2"].needs_roles[0])
    [core] = smallest_cores(rules, max_size=1)
    assert not rules.allowed(core).any()
    assert all(rules.allowed([r for r in core if r != drop]).any() for drop in core)


def test_a_judge_seat_names_the_rotation():
    # judge1 is rotated to Town A only; a case needing a judge at Town B finds none: {expertise,
    # judge_rotation} (every non-judge passes the rotation rule; without it judge1 could sit).
    case = dict(id="caseJ", category="labor", center="townB", received="2024-03-01T09:00", deadline="2024-03-20",
                needs_roles=["mediator", "judge"])
    s = _world(extra_cases=[case])
    d = diagnose_case(Recommender(s), s.case_by_id["caseJ"])
    judge = next(x for x in d.seats if x.role == "judge")
    assert judge.core == (EXPERTISE, ROTATION)
    mediator = next(x for x in d.seats if x.role == "mediator")
    assert mediator.candidates > 0 and mediator.core == ()


def test_no_common_half_day_is_a_team_level_reason():
    # The mediator seat can only be held on Monday morning, the counselor only on Monday afternoon.
    mon_am = [{"weekday": 0, "half": "am"}]
    mon_pm = [{"weekday": 0, "half": "pm"}]
    s = _world(experts={"medA": {"availability": mon_am}, "medA2": {"availability": mon_am},
                        "medB": {"availability": mon_am}, "couns": {"availability": mon_pm}})
    d = diagnose_case(Recommender(s), s.case_by_id["caseA3"])
    assert not d.feasible and all(x.candidates for x in d.seats)
    assert "every seat" in d.reasons[0] and "counselor free in" in d.reasons[0]


# -- conflicting pins ---------------------------------------------------------------------------------

MON_AM = TimeSlot(date="2024-03-04", half="am")


def _pin(case: str, expert: str, slot: TimeSlot, room: int = 0, online: bool = False) -> AssignmentLine:
    return AssignmentLine(case=case, team=(Seat(role="mediator", expert=expert),), slot=slot,
                          room=None if online else room, online=online)


def _feasible_by_checker(s: Scenario, pins: list[AssignmentLine]) -> bool:
    request = AssignmentRequest(cases=tuple(p.case for p in pins), pins=tuple(pins))
    return check_assignment(s, request, pins).ok


def _assert_minimal(s: Scenario, pins: list[AssignmentLine], core: tuple[str, ...]) -> None:
    chosen = [p for p in pins if p.case in core]
    assert not _feasible_by_checker(s, chosen)
    for drop in core:
        rest = [p for p in chosen if p.case != drop]
        assert _feasible_by_checker(s, rest), drop
        assert minimal_conflicting_pins(s, AssignmentRequest(pins=tuple(rest))) is None
        out = solve_assignment(s, AssignmentRequest(cases=tuple(p.case for p in rest), pins=tuple(rest)), params=FAST)
        assert out.status != SolveStatus.INFEASIBLE, (drop, out.reason)


def test_compatible_pins_report_nothing():
    s = tiny_world()
    pins = [_pin("caseA1", "medA", MON_AM), _pin("caseB1", "medB", MON_AM)]
    assert minimal_conflicting_pins(s, AssignmentRequest(pins=tuple(pins))) is None


def test_two_sessions_at_once_is_the_minimal_conflict():
    # medA pinned to two online sessions on Monday morning; the other two pins are fine.
    # Minimal conflict: exactly {caseA1, caseA2}, rule one place at a time.
    s = tiny_world()
    pins = [_pin("caseA1", "medA", MON_AM, online=True), _pin("caseA2", "medA", MON_AM, online=True),
            _pin("caseB1", "medB", MON_AM, room=0)]
    conflict = minimal_conflicting_pins(s, AssignmentRequest(pins=tuple(pins)))
    assert conflict is not None and set(conflict.pins) == {"caseA1", "caseA2"}
    assert any(r.startswith("one place at a time: medA") for r in conflict.rules)
    _assert_minimal(s, pins, conflict.pins)
    # The engine itself refuses the full set.
    assert solve_assignment(s, AssignmentRequest(pins=tuple(pins)), params=FAST).status == SolveStatus.INFEASIBLE


def test_workload_conflict_needs_three_of_four_pins():
    # medB may take 2 more cases (max_open_cases 3, open_cases 1) and is pinned to four, in four
    # different half-days: any three conflict, no two do; the deletion filter must leave exactly 3.
    s = _world(experts={"medB": {"max_open_cases": 3, "open_cases": 1}})
    slots = [TimeSlot(date=f"2024-03-0{d}", half=h) for d in (4, 5) for h in ("am", "pm")]
    pins = [_pin(c, "medB", sl, online=True) for c, sl in zip(("caseA1", "caseA2", "caseA3x", "caseB1"), slots)]
    pins[2] = AssignmentLine(case="caseA3", team=(Seat(role="mediator", expert="medB"), Seat(role="counselor", expert="couns")),
                             slot=slots[2], online=True)
    for solver_core in (True, False):  # from CP-SAT's sufficient subset, or the deletion filter alone
        conflict = minimal_conflicting_pins(s, AssignmentRequest(pins=tuple(pins)), solver_core=solver_core)
        assert conflict is not None and len(conflict.pins) == 3
        assert any("workload: medB may take 2" in r for r in conflict.rules)
        _assert_minimal(s, pins, conflict.pins)


def test_a_pin_breaking_a_rule_alone_is_a_conflict_of_one():
    # caseA1's parties include Acme Ltd; medA2 is affiliated with it (conflict of interest).
    s = tiny_world()
    pins = [_pin("caseA1", "medA2", MON_AM, online=True), _pin("caseB1", "medB", MON_AM)]
    conflict = minimal_conflicting_pins(s, AssignmentRequest(pins=tuple(pins)))
    assert conflict is not None and conflict.pins == ("caseA1",)
    assert any("conflict_of_interest" in r for r in conflict.rules)
    assert _feasible_by_checker(s, pins[1:])


@pytest.mark.parametrize("rooms", [1])
def test_room_twice_is_named(rooms):
    # Town A has one room: two in-person sessions there on Monday morning in room 0 conflict.
    s = tiny_world()
    pins = [_pin("caseA1", "medA", MON_AM, room=0), _pin("caseB1", "medB", TimeSlot(date="2024-03-04", half="pm"))]
    pins.append(AssignmentLine(case="caseA3", team=(Seat(role="mediator", expert="medB"), Seat(role="counselor", expert="couns")),
                               slot=MON_AM, room=0))
    conflict = minimal_conflicting_pins(s, AssignmentRequest(pins=tuple(pins)))
    assert conflict is not None and set(conflict.pins) == {"caseA1", "caseA3"}
    assert any(r.startswith("rooms: room 0 of townA") for r in conflict.rules)
    _assert_minimal(s, pins, conflict.pins)


# -- the command line ---------------------------------------------------------------------------------


def test_cli_assign_explain_names_the_conflicting_pins_and_explain_reads_the_plan(tmp_path, capsys):
    import json

    from matcher.cli import main
    from matcher.scenarios import save_scenario

    s = tiny_world()
    world = save_scenario(s, tmp_path / "tiny.json")
    pins = [_pin("caseA1", "medA", MON_AM, online=True), _pin("caseA2", "medA", MON_AM, online=True)]
    (tmp_path / "pins.json").write_text(json.dumps([p.model_dump(mode="json") for p in pins]))
    code = main(["assign", str(world), "--pins", str(tmp_path / "pins.json"), "--explain", "--time-limit", "2",
                 "--workers", "1", "--out", str(tmp_path / "bad.json")])
    out = capsys.readouterr().out
    assert code == 1 and "minimal conflicting pins (2 of 2): caseA1, caseA2" in out and "one place at a time: medA" in out
    assert main(["explain", str(world), "--plan", str(tmp_path / "bad.json")]) == 1
    assert "caseA1, caseA2" in capsys.readouterr().out
    # A feasible plan: every line explained with its score and alternatives.
    assert main(["assign", str(world), "--time-limit", "2", "--workers", "1", "--out", str(tmp_path / "ok.json")]) == 0
    capsys.readouterr()
    assert main(["explain", str(world), "--plan", str(tmp_path / "ok.json"), "--case", "caseA3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("caseA3: ") and "score:" in out and "alt " in out


# -- the fast repair after a drop-out (matcher.resolve.repair_after) ---------------------------------


def test_repair_after_a_dropout_changes_only_the_broken_lines_and_passes_the_checker():
    import datetime as dt

    from matcher.domain import DateRange
    from matcher.resolve import repair_after

    from worlds import medium_world

    s = medium_world(n_cases=40, n_mediators=12)
    plan = solve_assignment(s, AssignmentRequest(), params=FAST).lines
    busiest = max({e for ln in plan for e in ln.experts}, key=lambda e: sum(e in ln.experts for ln in plan))
    absent = DateRange(start=s.today, end=s.today + dt.timedelta(days=30))
    lines, changes = repair_after(s, plan, sick=(busiest, absent))
    hit = {ln.case for ln in plan if busiest in ln.experts}
    assert hit and {c.case for c in changes} == hit  # only what had to change
    assert all(busiest not in ln.experts for ln in lines)
    assert {ln.case for ln in plan} - hit <= {ln.case for ln in lines}
    sick_world = s.replace(experts=[e.model_copy(update={"leave": (absent,)}) if e.id == busiest else e for e in s.experts])
    report = check_assignment(sick_world, AssignmentRequest(), lines)
    assert report.ok, str(report)
    assert all("absent" in c.reason for c in changes)
