"""Exactness: the engine's optimum equals a brute-force enumeration of every plan of tiny problems;
the flow fast path and CP-SAT agree; the same seed gives the same result."""

from __future__ import annotations

import itertools
import random

import pytest

from builders import TODAY, case, center, expert, scenario
from helpers import solve
from matcher.assignment import ObjectiveWeights, SolveParams, SolveStatus, solve_assignment
from matcher.domain import AssignmentRequest, Role
from matcher.network import TravelTimes

RISK = {"low": 1, "medium": 3, "high": 10}
W = ObjectiveWeights(proficiency=7, travel=1, urgency=5, waiting=2, balance=11, continuity=13, disruption=0,
                     unassigned=500, online_minutes=9)


def _random_scenario(seed: int):
    rng = random.Random(seed)
    centers = [center("d", rooms=1), center("s", lat=22.60, lon=113.90, level="street", parent="d", rooms=1)]
    experts = []
    for i in range(3):
        experts.append(expert(f"m{i}", cats={"labor": rng.randint(1, 5), "neighbor": rng.randint(1, 5)},
                              home=rng.choice("ds"), online_capable=rng.random() < 0.7,
                              max_open_cases=rng.choice([1, 2, 20]),
                              availability=rng.sample([{"weekday": 0, "half": "am"}, {"weekday": 0, "half": "pm"}],
                                                      rng.choice([1, 2]))))
    experts.append(expert("l0", "lawyer", cats={"labor": rng.randint(1, 5), "neighbor": 2}, home="d"))
    cases = []
    for k in range(rng.choice([3, 4])):
        roles = ("mediator", "lawyer") if rng.random() < 0.3 else ("mediator",)
        cases.append(case(f"k{k}", rng.choice(["labor", "neighbor"]), rng.choice("ds"), needs_roles=roles,
                          risk=rng.choice(["low", "medium", "high"]), online_allowed=rng.random() < 0.6,
                          received=f"2024-03-0{rng.randint(1, 3)}T09:00",
                          needs_session=rng.random() < 0.8,
                          preferred_experts=(f"m{rng.randint(0, 2)}",) if rng.random() < 0.3 else ()))
    return scenario(centers=centers, experts=experts, cases=cases)


def _brute_force(s) -> float:
    """Enumerate every plan of a Monday-only horizon (slot 0 = am, 1 = pm) straight from the rules."""
    tt = TravelTimes(s)
    halves = ["am", "pm"]
    per_case = []
    for c in s.cases:
        seats = []
        for role in c.needs_roles:
            seats.append([e for e in s.experts if e.can_fill(role, c.category) and c.language in e.languages])
        opts = [None]
        for team in itertools.product(*seats):
            if len({e.id for e in team}) < len(team):
                continue
            sessions = [(slot, online) for slot in (0, 1) for online in (False, True)] if c.needs_session else [(None, False)]
            for slot, online in sessions:
                ok = True
                for e in team:
                    if online:
                        ok &= c.online_allowed and e.online_capable
                    else:
                        ok &= e.role == Role.JUDGE or tt.minutes(e.home_center, c.center) <= e.max_travel_minutes
                    if slot is not None:
                        ok &= any(a.weekday == 0 and a.half.value == halves[slot] for a in e.availability)
                if ok:
                    opts.append((team, slot, online))
        per_case.append(opts)
    best = float("inf")
    for plan in itertools.product(*per_case):
        load, at, room = {}, set(), set()
        feasible = True
        value = 0.0
        for c, line in zip(s.cases, plan):
            if line is None:
                value += W.unassigned
                continue
            team, slot, online = line
            if slot is not None and not online:
                if (c.center, slot) in room:  # one room per center
                    feasible = False
                room.add((c.center, slot))
            for e in team:
                load[e.id] = load.get(e.id, 0) + 1
                if slot is not None:
                    if (e.id, slot) in at:
                        feasible = False
                    at.add((e.id, slot))
                value += W.proficiency * (5 - e.categories.get(c.category, 1))
                if slot is not None and online:
                    value += W.travel * W.online_minutes
                elif e.role != Role.JUDGE:
                    value += W.travel * tt.minutes(e.home_center, c.center)
                if c.preferred_experts or c.previous_experts:
                    value += W.continuity * (e.id not in c.preferred_experts and e.id not in c.previous_experts)
            if slot is not None:
                age = (TODAY - c.received.date()).days
                value += W.urgency * RISK[c.risk.value] * slot + W.waiting * age * slot / 10
        if not feasible or any(n > s.expert_by_id[e].max_open_cases for e, n in load.items()):
            continue
        value += W.balance * max(load.values(), default=0)
        best = min(best, value)
    return best


@pytest.mark.parametrize("relaxation_cases", [0, 1000], ids=["cp-sat", "lp-first"])
@pytest.mark.parametrize("seed", range(12))
def test_optimum_matches_brute_force(seed, relaxation_cases):
    # Both paths: CP-SAT on the full model, and the time-indexed LP with its Lagrangian bound first.
    s = _random_scenario(seed)
    r = solve(s, AssignmentRequest(horizon_days=1), w=W, relaxation_cases=relaxation_cases)
    assert r.status == SolveStatus.OPTIMAL
    expected = _brute_force(s)
    assert r.objective == pytest.approx(expected, abs=0.05)
    assert r.bound == pytest.approx(expected, abs=0.05)


def _single_role_scenario(seed: int):
    rng = random.Random(100 + seed)
    experts = [expert(f"m{i}", cats={"labor": rng.randint(1, 5)}, max_open_cases=rng.randint(1, 3),
                      home=rng.choice("ds")) for i in range(5)]
    cases = [case(f"k{k}", at=rng.choice("ds"), needs_session=False,
                  preferred_experts=(f"m{rng.randint(0, 4)}",) if rng.random() < 0.4 else ()) for k in range(12)]
    return scenario(centers=[center("d"), center("s", lat=22.62, lon=113.92, level="street", parent="d")],
                    experts=experts, cases=cases)


@pytest.mark.parametrize("seed", range(5))
def test_flow_and_cp_sat_agree_on_single_role_problems(seed):
    # 12 cases, 5 mediators of capacity 1–3: capacity binds, some cases stay unassigned.
    s = _single_role_scenario(seed)
    w = ObjectiveWeights(proficiency=10, travel=1, continuity=15, balance=0, unassigned=1000)
    flow = solve(s, w=w, use_flow=True)
    cp = solve(s, w=w, use_flow=False, relaxation_cases=0)
    lp = solve(s, w=w, use_flow=False)
    assert flow.solver == "flow" and cp.solver == "cp-sat" and lp.solver.startswith("lp")
    assert flow.status == cp.status == lp.status == SolveStatus.OPTIMAL
    assert flow.objective == pytest.approx(cp.objective, abs=0.05)
    assert lp.objective == pytest.approx(flow.objective, abs=0.05)


def test_same_seed_same_result():
    s = _random_scenario(3)
    runs = [solve_assignment(s, AssignmentRequest(horizon_days=1), W, SolveParams(seed=7, workers=2)) for _ in range(2)]
    assert runs[0].lines == runs[1].lines
    assert runs[0].objective == runs[1].objective and runs[0].seed == 7


def test_result_dump_has_lines_and_request_for_the_checker_cli():
    s = _random_scenario(1)
    r = solve(s, AssignmentRequest(horizon_days=1), w=W)
    dumped = r.model_dump(mode="json")
    assert {"scenario", "request", "lines", "status", "objective", "terms", "bound", "gap", "seed"} <= set(dumped)
    assert set(dumped["terms"]) == {"proficiency", "travel", "urgency", "waiting", "balance", "continuity",
                                    "disruption", "unassigned"}


def test_flow_with_experts_left_out_does_not_claim_optimality():
    # One expert remembered per seat: the flow is optimal over those only, so the result must say
    # feasible, with a bound no higher than the true optimum (the run that remembers everyone).
    s = _single_role_scenario(0)
    w = ObjectiveWeights(proficiency=10, travel=1, continuity=15, balance=0, unassigned=1000)
    exact = solve(s, w=w)
    cut = solve(s, w=w, pool_per_seat=1)
    assert exact.status == SolveStatus.OPTIMAL
    assert cut.status == SolveStatus.FEASIBLE and cut.objective > exact.objective
    assert cut.bound <= exact.objective + 1e-6


def test_a_small_problem_widens_its_model_until_it_is_proven_optimal():
    # Sajin's 8 cases with the LP off and one option per seat and mode in the first CP-SAT model:
    # that model is solved to optimality over its options, yet cheaper left-out options keep the
    # bound below the plan. The engine widens the model (4× a round) until the proof closes, and
    # reaches the optimum a model over every option finds. Capping the options per seat forbids it.
    from matcher.checker import check_assignment
    from matcher.scenarios import load_scenario

    s, req = load_scenario("sajin"), AssignmentRequest(horizon_days=10)
    narrow = solve_assignment(s, req, ObjectiveWeights(), SolveParams(time_limit_s=20, relaxation_cases=0,
                                                                      initial_experts_per_seat=1))
    wide = solve_assignment(s, req, ObjectiveWeights(), SolveParams(time_limit_s=20, relaxation_cases=0,
                                                                    initial_experts_per_seat=1000))
    capped = solve_assignment(s, req, ObjectiveWeights(), SolveParams(time_limit_s=2, relaxation_cases=0,
                                                                      initial_experts_per_seat=1,
                                                                      max_experts_per_seat=1))
    assert wide.status == SolveStatus.OPTIMAL
    assert narrow.status == SolveStatus.OPTIMAL and narrow.details.get("model_widened", 0) >= 1
    assert narrow.objective == pytest.approx(wide.objective, abs=0.02)
    assert "model_widened" not in capped.details and capped.status == SolveStatus.FEASIBLE
    for r in (narrow, wide, capped):
        assert check_assignment(s, req, r.lines).ok


def test_relaxation_min_cases_skips_the_lp_on_small_problems_with_the_same_optimum():
    from matcher.scenarios import load_scenario

    s, req = load_scenario("jinwan"), AssignmentRequest(horizon_days=10)  # 12 cases: the LP proves it
    with_lp = solve_assignment(s, req, ObjectiveWeights(), SolveParams(time_limit_s=20))
    without = solve_assignment(s, req, ObjectiveWeights(), SolveParams(time_limit_s=20, relaxation_min_cases=13))
    assert "relaxation_plan" in with_lp.details and "relaxation_plan" not in without.details
    assert with_lp.status == without.status == SolveStatus.OPTIMAL
    assert without.objective == pytest.approx(with_lp.objective, abs=0.02)
