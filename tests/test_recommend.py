"""Single-case recommendations: every offered team is one the checker accepts on top of the plan."""

from __future__ import annotations

import datetime as dt

import pytest

from matcher.assignment import SolveParams, solve_assignment
from matcher.checker import check_assignment
from matcher.domain import AssignmentLine, AssignmentRequest, Case, Scenario, Seat, TimeSlot
from matcher.recommend import Recommender

from worlds import medium_world, tiny_world


def _accepted(scenario: Scenario, lines: list[AssignmentLine], line: AssignmentLine, days: int = 10) -> list[str]:
    cases = tuple({ln.case for ln in lines} | {line.case})
    report = check_assignment(scenario, AssignmentRequest(cases=cases, horizon_days=days), [*lines, line])
    return [f"{v.rule}: {v.message}" for v in report.violations]


def test_every_recommendation_passes_the_checker_on_an_empty_plan():
    s = tiny_world()
    rec = Recommender(s)
    for case in s.cases:
        result = rec.recommend(case, k=5)
        assert result.recommendations, (case.id, result.reasons)
        for r in result.recommendations:
            assert _accepted(s, [], r.line) == []
        costs = [r.cost for r in result.recommendations]
        assert costs == sorted(costs)


def test_conflict_of_interest_binds():
    s = tiny_world()
    a1 = s.case_by_id["caseA1"]  # a party works for Acme Ltd; medA2 is affiliated with Acme Ltd
    teams = [r.line.experts for r in Recommender(s).recommend(a1, k=10).recommendations]
    assert teams and all("medA2" not in t for t in teams)


def test_a_booked_slot_moves_the_earliest_session():
    s = tiny_world()
    a2 = s.case_by_id["caseA2"]
    first = Recommender(s).recommend(a2, k=10).recommendations
    best = next(r for r in first if r.line.experts == ("medA2",) and not r.line.online)
    busy = AssignmentLine(case="caseA1", team=(Seat(role="mediator", expert="medA2"),), slot=best.line.slot, online=True)
    after = Recommender(s, [busy]).recommend(a2, k=10).recommendations
    again = next(r for r in after if r.line.experts == ("medA2",) and not r.line.online)
    assert again.line.slot.ordinal > best.line.slot.ordinal


def test_capacity_binds_and_the_reason_names_it():
    s = tiny_world()
    data = s.model_dump(mode="json")
    for e in data["experts"]:
        if e["role"] == "mediator":
            e["open_cases"] = e["max_open_cases"]
    full = Scenario.model_validate(data)
    result = Recommender(full).recommend(full.case_by_id["caseA2"])
    assert result.recommendations == ()
    assert any("max_open_cases" in r for r in result.reasons)


def test_a_judge_is_offered_only_where_rotated():
    s = tiny_world()
    case = Case(id="conf1", category="labor", center="townA", received=dt.datetime(2024, 3, 1, 9), deadline=dt.date(2024, 3, 20),
                needs_roles=("mediator", "judge"))
    s = s.replace(cases=[*s.model_dump(mode="json")["cases"], case.model_dump(mode="json")])
    result = Recommender(s).recommend(s.case_by_id["conf1"], k=5)
    assert result.recommendations
    for r in result.recommendations:
        assert r.line.slot == TimeSlot(date=dt.date(2024, 3, 6), half="am")  # judge1's only rotation at townA
        assert _accepted(s, [], r.line) == []
    elsewhere = s.case_by_id["conf1"].model_copy(update={"center": "townB"})
    none = Recommender(s).recommend(elsewhere)
    assert none.recommendations == () and any("rotated there if a judge" in r for r in none.reasons)


def test_language_nobody_speaks_is_the_reason():
    s = tiny_world()
    case = s.case_by_id["caseA2"].model_copy(update={"language": "yue"})
    result = Recommender(s).recommend(case)
    assert result.recommendations == () and any("speaks yue" in r for r in result.reasons)


@pytest.mark.slow
def test_recommendations_on_top_of_a_batch_plan_pass_the_checker():
    s = medium_world(n_cases=60, n_mediators=20)
    plan = solve_assignment(s, AssignmentRequest(horizon_days=10), params=SolveParams(time_limit_s=10, workers=1))
    lines = list(plan.lines)
    checked = 0
    for line in lines[:25]:
        others = [ln for ln in lines if ln.case != line.case]
        result = Recommender(s, others).recommend(s.case_by_id[line.case], k=5)
        # The batch solve found a feasible team for this case, so the recommender must find one too.
        assert result.recommendations, (line.case, result.reasons)
        for r in result.recommendations:
            assert _accepted(s, others, r.line) == [], r.line
            checked += 1
    assert checked >= 25


def test_recommend_cli_prints_teams_and_reasons(capsys):
    from matcher.cli import main
    from matcher.scenarios import load_scenario

    s = load_scenario("sajin")
    case = s.cases[0]
    assert main(["recommend", "sajin", "--case", case.id, "--k", "3"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n1. ") + out.startswith("1. ") >= 1 and "cost" in out
    assert main(["recommend", "sajin", "--case", "nope"]) == 2


def test_recommend_cli_reports_bad_input_in_one_line(capsys, tmp_path):
    from matcher.cli import main
    from matcher.scenarios import load_scenario

    assert main(["recommend", "nosuch", "--case", "x"]) == 2
    assert "no scenario 'nosuch'" in capsys.readouterr().err
    for flag in ("--k", "--days"):
        with pytest.raises(SystemExit) as exc:
            main(["recommend", "sajin", "--case", "x", flag, "0"])
        assert exc.value.code == 2 and f"argument {flag}: 0" in capsys.readouterr().err
    plan = tmp_path / "lines-not-a-list.json"
    plan.write_text('{"lines": 5}', encoding="utf-8")
    case0 = load_scenario("sajin").cases[0].id
    assert main(["recommend", "sajin", "--case", case0, "--plan", str(plan)]) == 2
    assert "--plan" in capsys.readouterr().err
    bad = tmp_path / "plan.json"
    bad.write_text('{"lines": [{"case": "c1", "team": "not a team"}]}', encoding="utf-8")
    case = load_scenario("sajin").cases[0]
    assert main(["recommend", "sajin", "--case", case.id, "--plan", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "--plan" in err and "team" in err and "Traceback" not in err
