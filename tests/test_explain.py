"""Explanations: the score by term adds up to the engine's, alternatives are checker-clean when swapped
in and lose for the stated reason, and a cheaper expert excluded by a hard rule is named with that rule."""

from __future__ import annotations

from matcher.assignment import ObjectiveWeights, SolveParams, SolveStatus, solve_assignment
from matcher.checker import check_assignment
from matcher.diagnose import WORKLOAD
from matcher.domain import AssignmentLine, AssignmentRequest, Scenario, Seat, TimeSlot
from matcher.explain import Explainer, explain_line
from matcher.network import travel_minutes

from worlds import medium_world, tiny_world

FAST = SolveParams(time_limit_s=3, workers=1, seed=0)
LINE_TERMS = ("proficiency", "travel", "urgency", "waiting", "continuity")


def test_line_terms_add_up_to_the_engines_terms_and_alternatives_pass_the_checker():
    s = medium_world(n_cases=40, n_mediators=10, seed=3)
    result = solve_assignment(s, AssignmentRequest(), params=FAST)
    assert result.ok and result.lines
    explanations = Explainer(s, result.lines).explain_all(k=3)
    for term in LINE_TERMS:
        assert abs(sum(e.terms[term] for e in explanations) - result.terms[term]) < 1e-3, term
    assert explanations[0].max_load == result.terms["balance"]
    swapped = 0
    for e in explanations:
        assert e.cost == sum(e.weighted.values())
        for alt in e.alternatives:
            assert alt.line.case == e.case and alt.line != e.line
            plan = [ln for ln in result.lines if ln.case != e.case] + [alt.line]
            report = check_assignment(s, AssignmentRequest(), plan)
            assert report.ok, (e.case, str(report))
            swapped += 1
    assert swapped > 20  # the test really swapped alternatives in


def test_on_an_optimal_plan_no_alternative_is_cheaper():
    s = tiny_world()
    result = solve_assignment(s, AssignmentRequest(), params=FAST)
    assert result.status == SolveStatus.OPTIMAL
    for e in Explainer(s, result.lines).explain_all(k=5):
        for alt in e.alternatives:
            assert alt.weighted_delta >= -1e-6, (e.case, alt.reason)
            assert alt.reason.startswith("costs") or alt.reason.startswith("ties")


def test_a_farther_mediator_loses_on_travel_by_the_travel_minutes():
    # caseB1 (labor, at Town B, no online here); the plan holds only its line: medB (Town B, labor 3)
    # in person on Monday am. Alternative medA (Town A, labor 4) on Monday am in person: proficiency 1 point better (−10), travel + minutes(townA→townB) (×1), same slot:
    # Δ = travel_minutes − 10, positive because the towns are ≈ 10 km apart (> 10 min).
    data = tiny_world().model_dump(mode="json")
    for c in data["cases"]:
        if c["id"] == "caseB1":
            c["online_allowed"] = False
    s = Scenario.model_validate(data)
    slot = TimeSlot(date="2024-03-04", half="am")
    chosen = AssignmentLine(case="caseB1", team=(Seat(role="mediator", expert="medB"),), slot=slot, room=0)
    e = explain_line(s, [chosen], "caseB1", k=5)
    assert e.terms["travel"] == 0.0 and e.terms["proficiency"] == 2.0  # medB: labor 3 → 5 − 3
    alt = next(a for a in e.alternatives if a.line.experts == ("medA",) and a.line.slot == slot)
    minutes = travel_minutes(s, "townA", "townB")
    assert minutes > 10
    assert abs(alt.weighted_delta - (minutes - 10.0)) < 1e-6
    assert abs(alt.delta["travel"] - minutes) < 1e-6 and alt.delta["proficiency"] == -1.0
    assert alt.reason.startswith("costs") and "travel" in alt.reason and "despite proficiency" in alt.reason


def test_the_nearest_mediator_at_its_load_cap_is_named_with_the_rule():
    # medA (Town A, labor 4) is the best mediator for caseA1 (labor at Town A) but already holds
    # max_open_cases; the plan gives caseA1 to medB. The explanation must name medA as excluded by
    # the workload rule, with the seat cost it would have saved.
    data = tiny_world().model_dump(mode="json")
    for e in data["experts"]:
        if e["id"] == "medA":
            e["open_cases"] = e["max_open_cases"]
    s = Scenario.model_validate(data)
    result = solve_assignment(s, AssignmentRequest(cases=("caseA1",)), params=FAST)
    [line] = result.lines
    assert "medA" not in line.experts
    e = Explainer(s, result.lines).explain("caseA1")
    medA = next(x for x in e.excluded if x.expert == "medA")
    assert medA.rules == (WORKLOAD,) and "max_open_cases" in medA.reason and medA.saving > 0


def test_alternatives_rank_by_the_plan_objective():
    s = medium_world(n_cases=20, n_mediators=8, seed=5)
    result = solve_assignment(s, AssignmentRequest(), params=FAST)
    ex = Explainer(s, result.lines, weights=ObjectiveWeights())
    for line in result.lines[:10]:
        deltas = [a.weighted_delta for a in ex.explain(line.case, k=4).alternatives]
        assert deltas == sorted(deltas)


def test_api_proposal_explanation_carries_the_score_and_alternatives():
    from api.services.proposals import explain

    s = tiny_world()
    result = solve_assignment(s, AssignmentRequest(), params=FAST)
    ex = Explainer(s, result.lines)
    for line in result.lines:
        plain = explain(s, line)
        assert "score" not in plain  # unchanged without an explainer
        full = explain(s, line, ex)
        assert full["seats"] == plain["seats"]
        assert full["score"]["terms"] == ex.explain(line.case).terms
        assert all(a["objective_change"] >= -1e-6 and a["reason"] for a in full["alternatives"])
    assert any(explain(s, ln, ex)["alternatives"] for ln in result.lines)
