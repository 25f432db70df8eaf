"""The time-indexed LP relaxation (matcher.assignment.relaxation): each mechanism on the smallest case
where it matters — the bound that sees expert coupling, column generation, the integer fallback when
the LP is fractional — and weak duality under arbitrary prices (checked against brute force in
test_property.py)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from builders import case, center, expert, scenario
from helpers import solve, weights
from matcher.assignment import SolveStatus
from matcher.assignment.bounds import case_bound
from matcher.assignment.candidates import build_problem
from matcher.assignment.relaxation import Prices, TimeIndexedLP, solve_relaxation
from matcher.domain import AssignmentRequest

MONDAY = AssignmentRequest(horizon_days=1)  # two half-days: am (0) and pm (1)


def problem(s, w, request=MONDAY, pool_limit=None):
    def attach(pc, start, seat_free):
        pc.bound = case_bound(pc, start, w, seat_free)

    return build_problem(s, request, weights=w, on_case=attach, pool_limit=pool_limit)


def two_cases_one_good_mediator(prof_b: int):
    """Two cases at a center with two rooms; mediator a is the best, b (proficiency ``prof_b``) the other."""
    return scenario(
        centers=[center("d", rooms=2)],
        experts=[expert("a", cats={"labor": 5}), expert("b", cats={"labor": prof_b})],
        cases=[case("k1", online_allowed=False), case("k2", online_allowed=False)],
    )


def test_the_bound_sees_that_an_expert_sits_in_one_session_per_half_day():
    # Both cases want a in the morning; a cannot be in two sessions at once: the optimum moves one
    # case to the afternoon (urgency 5) rather than give it b (proficiency shortfall 4 × 10 = 40).
    # The rooms flow bound lets both have a in the morning (0); the LP's bound is the optimum.
    s = two_cases_one_good_mediator(prof_b=1)
    w = weights(proficiency=10, urgency=5)
    r = solve(s, MONDAY, w=w)
    assert r.status == SolveStatus.OPTIMAL and r.solver == "lp"
    assert r.objective == pytest.approx(5)
    assert r.bound == pytest.approx(5, abs=1e-3)
    assert r.details["rooms_flow_bound"] == pytest.approx(0)  # what the LP adds is the whole gap


def test_column_generation_brings_in_the_expert_the_first_lp_left_out():
    # One column per seat, mode and half-day: only a. The LP's duals price b in the morning below
    # zero for the second case (b costs 4, waiting for a costs 5), so a second round adds it.
    s = two_cases_one_good_mediator(prof_b=4)
    w = weights(proficiency=4, urgency=5)
    p = problem(s, w)
    bounds = [pc.bound for pc in p.cases]
    out = solve_relaxation(p, w, bounds, time.perf_counter() + 10, per_slot=1)
    assert out.rounds >= 2 and out.integral
    assert out.lp_value == pytest.approx(4)  # k1: a am (0); k2: b am (4 × (5 − 4))
    assert out.bound == pytest.approx(4, abs=1e-3)
    assert sorted(out.plan[k][2][0] for k in out.plan) == ["a", "b"]


def triangle():
    """Three cases, each needing two of three experts who are all free only on Monday morning:
    any two cases share an expert, so one case can be served — but the LP serves each half."""
    am = [{"weekday": 0, "half": "am"}]
    return scenario(
        centers=[center("d", rooms=3)],
        experts=[expert("a", availability=am), expert("b", "lawyer", availability=am),
                 expert("c", "counselor", availability=am)],
        cases=[case("k1", needs_roles=("mediator", "lawyer"), online_allowed=False),
               case("k2", needs_roles=("lawyer", "counselor"), online_allowed=False),
               case("k3", needs_roles=("mediator", "counselor"), online_allowed=False)],
    )


def test_a_fractional_lp_falls_back_to_the_integer_model_and_the_search_proves_it():
    s = triangle()
    w = weights()  # unassigned 1000 only
    p = problem(s, w)
    out = solve_relaxation(p, w, [pc.bound for pc in p.cases], time.perf_counter() + 10)
    assert not out.integral
    assert out.lp_value == pytest.approx(1500)  # every case half served
    assert len(out.plan) == 1  # the integer model over the same columns: one case
    assert out.bound <= 2000 + 1e-6  # the true optimum: two cases unassigned
    r = solve(s, MONDAY, w=w)  # the LP does not prove it; CP-SAT on the full model does
    assert r.status == SolveStatus.OPTIMAL and r.objective == pytest.approx(2000)
    assert len(r.lines) == 1


def test_balance_prices_never_exceed_the_balance_weight():
    # Prices far above the weight are scaled down: the bound stays below the optimum (one expert,
    # two cases: both lines on a, balance 2 × 20).
    s = scenario(centers=[center("d", rooms=2)], experts=[expert("a")],
                 cases=[case("k1"), case("k2")])
    w = weights(balance=20)
    p = problem(s, w)
    lp = TimeIndexedLP(p, w, per_slot=6)
    lp.solve(False, time.perf_counter() + 5)
    n_e, n_s, n_w = len(p.experts), len(p.slots), len(lp.weeks)
    huge = Prices(np.zeros((n_e, n_s)), np.zeros((n_e, n_w)), np.zeros(n_e), np.full(n_e, 1000.0))
    assert lp.lagrangian_bound(huge, [pc.bound for pc in p.cases]) <= 40 + 1e-6
    r = solve(s, MONDAY, w=w)
    assert r.status == SolveStatus.OPTIMAL and r.objective == pytest.approx(40)


def test_a_case_without_session_never_gets_one_expert_in_two_seats():
    # The industry mediator i can take both the mediator and the industry-mediator seat and is the
    # cheapest for each; without a session no half-day row keeps the team distinct, so the LP has
    # its own row for it. The other seat goes to the full-time mediator m.
    s = scenario(experts=[expert("i", "industry_mediator", industry="labor", cats={"labor": 5}),
                          expert("m", cats={"labor": 1})],
                 cases=[case("k", needs_roles=("mediator", "industry_mediator"), needs_session=False)])
    w = weights(proficiency=10)
    r = solve(s, MONDAY, w=w)  # the helper runs the independent checker
    assert r.status == SolveStatus.OPTIMAL and r.solver == "lp"
    assert sorted(seat.expert for seat in r.lines[0].team) == ["i", "m"]
    assert r.objective == pytest.approx(40)


def _replan_k1_from_b():
    """Re-plan k1 alone, whose earlier (unannounced) line had mediator b on Monday morning."""
    from matcher.domain import AssignmentLine, Seat, TimeSlot

    s = two_cases_one_good_mediator(prof_b=4)
    earlier = AssignmentLine(case="k1", team=(Seat(role="mediator", expert="b"),),
                             slot=TimeSlot(date=s.today, half="am"), room=0)
    return s, AssignmentRequest(horizon_days=1, cases=("k1",), previous=(earlier,))


def test_a_re_plan_keeps_the_earlier_line_when_moving_costs_more():
    # The earlier line has b (shortfall 1 × 10 = 10); a would cost 0 but changing the line costs
    # 100. The LP keeps b and its bound — charging the disruption to every other team — proves it.
    s, request = _replan_k1_from_b()
    r = solve(s, request, w=weights(proficiency=10, disruption=100))
    assert r.status == SolveStatus.OPTIMAL and r.solver == "lp"
    assert r.lines[0].team[0].expert == "b" and r.objective == pytest.approx(10)
    assert r.bound == pytest.approx(10, abs=1e-3)
    moved = solve(s, request, w=weights(proficiency=10, disruption=5))  # now a is worth the change
    assert moved.status == SolveStatus.OPTIMAL and moved.lines[0].team[0].expert == "a"
    assert moved.objective == pytest.approx(5)


def test_the_lagrangian_charges_a_changed_line_its_disruption_once():
    # The earlier line of k1 has b (shortfall 1 × 10 = 10); moving to a costs the disruption 5 and
    # nothing else: the optimum is 5. The priced problem lets k1 keep b or take any other team
    # plus one disruption; a bound above 5 would let a worse plan be called optimal.
    s, request = _replan_k1_from_b()
    w = weights(proficiency=10, disruption=5)
    p = problem(s, w, request)
    out = solve_relaxation(p, w, [pc.bound for pc in p.cases], time.perf_counter() + 10)
    assert out.bound == pytest.approx(5, abs=1e-3)
    assert out.lp_value == pytest.approx(5)
