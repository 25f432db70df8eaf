"""Random small worlds: the engine's and the greedy's plans must pass the independent checker, and on
tiny ones (≤ 4 cases, ≤ 4 experts, 4 half-days) the engine's objective must equal a brute-force
optimum computed here — every combination of checker-valid lines, scored with the engine's weights by
the lines-only evaluator :func:`matcher.assignment.greedy.plan_terms`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections import Counter

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from matcher.assignment import ObjectiveWeights, SolveParams, SolveStatus, solve_assignment
from matcher.assignment.bounds import case_bound
from matcher.assignment.candidates import build_problem
from matcher.assignment.relaxation import Prices, TimeIndexedLP, solve_relaxation
from matcher.assignment.greedy import greedy_assignment, plan_objective, plan_terms
from matcher.checker import check_assignment
from matcher.domain import AssignmentLine, AssignmentRequest, Scenario, Seat, TimeSlot

TODAY = dt.date(2024, 3, 4)  # Monday
HALF_DAYS = [dict(weekday=d, half=h) for d in (0, 1) for h in ("am", "pm")]  # Monday, Tuesday
WEIGHTS = ObjectiveWeights()  # the engine's own default weights
#: CP-SAT sees costs scaled by 100 and rounded; a plan optimal for the rounded costs may differ from
#: the true optimum by at most half a unit per rounded coefficient.
ROUNDING = 0.05


@st.composite
def small_worlds(draw, max_experts: int = 4, max_cases: int = 4) -> tuple[Scenario, AssignmentRequest]:
    far = draw(st.sampled_from([0.05, 0.3, 0.6]))  # ~14, ~72, ~145 travel minutes from d
    centers = [
        dict(id="d", name="D", level="district", lat=22.5, lon=113.9, rooms=draw(st.integers(0, 2))),
        dict(id="s", name="S", level="street", parent="d", lat=22.5 + far, lon=113.9, rooms=draw(st.integers(1, 2))),
    ]
    n_experts = draw(st.integers(1, max_experts))
    experts = []
    for i in range(n_experts):
        role = "mediator" if i == 0 else draw(st.sampled_from(["mediator", "lawyer", "judge"]))
        e = dict(id=f"e{i}", name=f"e{i}", role=role, home_center=draw(st.sampled_from(["d", "s"])),
                 max_travel_minutes=draw(st.sampled_from([30, 60, 120])),
                 online_capable=draw(st.sampled_from([True, True, False])),
                 max_open_cases=draw(st.sampled_from([1, 2, 3, 4, 4])),
                 max_sessions_per_week=draw(st.integers(1, 3)),
                 availability=draw(st.lists(st.sampled_from(HALF_DAYS), min_size=2, max_size=4, unique_by=str)),
                 affiliations=draw(st.sampled_from([[], [], [], ["Acme"]])))
        e["open_cases"] = draw(st.sampled_from([0, 0, e["max_open_cases"] - 1]))
        if draw(st.integers(0, 3)) == 0:
            e["leave"] = [dict(start=TODAY + dt.timedelta(days=1), end=TODAY + dt.timedelta(days=1))]
        if role == "judge":
            e["court"] = "court1"
        else:
            cats = {"labor": draw(st.integers(1, 5))}
            if i > 0 and draw(st.booleans()):
                cats["neighbor"] = draw(st.integers(1, 5))
            e["categories"] = cats
        experts.append(e)
    ids = [e["id"] for e in experts]
    slots = [TimeSlot(date=TODAY + dt.timedelta(days=d), half=h) for d in (0, 1) for h in ("am", "pm")]
    rotation = [
        dict(judge=e["id"], center=c, slot=s.model_dump())
        for e in experts if e["role"] == "judge"
        for c in ("d", "s") for s in slots if draw(st.booleans())
    ]
    has_lawyer = any(e["role"] == "lawyer" for e in experts)
    has_judge = any(e["role"] == "judge" for e in experts)
    cases = []
    for k in range(draw(st.integers(1, max_cases))):
        roles = ["mediator"]
        if has_lawyer and draw(st.booleans()):
            roles.append("lawyer")
        if has_judge and draw(st.booleans()):
            roles.append("judge")
        excluded = draw(st.lists(st.sampled_from(ids), max_size=1, unique=True)) if draw(st.integers(0, 2)) == 0 else []
        preferred = draw(st.lists(st.sampled_from([x for x in ids if x not in excluded] or ["e0"]), max_size=1, unique=True))
        cases.append(dict(
            id=f"c{k}", category="labor", center=draw(st.sampled_from(["d", "s"])),
            received=dt.datetime(2024, 3, 1, 8) + dt.timedelta(hours=draw(st.integers(-72, 72))),
            deadline=TODAY + dt.timedelta(days=draw(st.sampled_from([0, 1, 3, 3]))),
            risk=draw(st.sampled_from(["low", "medium", "high"])),
            needs_roles=roles,
            needs_session=draw(st.sampled_from([True, True, True, False])),
            online_allowed=draw(st.sampled_from([True, True, False])),
            excluded_experts=[x for x in excluded if x not in preferred],
            preferred_experts=preferred if draw(st.booleans()) else [],
            parties=[dict(name="p", organization=draw(st.sampled_from([None, None, "Acme"])))],
        ))
    data = dict(name="prop", today=TODAY, centers=centers, experts=experts, cases=cases, rotation=rotation,
                courts=[dict(id="court1", name="Court", lat=22.5, lon=113.9)] if has_judge else [])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError:
        assume(False)
    return scenario, AssignmentRequest(horizon_days=2)


def solve(s: Scenario, request: AssignmentRequest):
    return solve_assignment(s, request, WEIGHTS, SolveParams(time_limit_s=20, workers=2, seed=0))


def candidate_lines(s: Scenario, request: AssignmentRequest, case) -> list[AssignmentLine]:
    """Every line for ``case`` the checker accepts on its own. Rooms are interchangeable for the
    objective, so in person is enumerated with room 0 and room counts are checked in the search."""
    pools = [[e.id for e in s.experts if e.can_fill(role, case.category)] for role in case.needs_roles]
    sessions: list[tuple[TimeSlot | None, int | None, bool]] = [(None, None, False)]
    if case.needs_session:
        sessions = [(slot, room, online) for slot in request.slots(s.today) for room, online in ((0, False), (None, True))]
    out = []
    for team in itertools.product(*pools):
        if len(set(team)) < len(team):
            continue
        seats = tuple(Seat(role=r, expert=e) for r, e in zip(case.needs_roles, team))
        for slot, room, online in sessions:
            line = AssignmentLine(case=case.id, team=seats, slot=slot, room=room, online=online)
            if check_assignment(s, request, [line]).ok:
                out.append(line)
    return out


def bare(request: AssignmentRequest) -> AssignmentRequest:
    """The request's horizon alone: candidate lines are judged one at a time, without pins."""
    return AssignmentRequest(horizon_start=request.horizon_start, horizon_days=request.horizon_days)


def problem_cases(s: Scenario, request: AssignmentRequest) -> list:
    wanted = set(request.cases) if request.cases is not None else {c.id for c in s.cases}
    wanted |= {p.case for p in request.pins}
    return [c for c in s.cases if c.id in wanted]


def same_as(line: AssignmentLine | None, previous: AssignmentLine | None) -> bool:
    """The disruption term's notion of an unchanged line: same seats, slot and mode."""
    if previous is None:
        return True
    if line is None:
        return False
    return ({x.role: x.expert for x in line.team} == {x.role: x.expert for x in previous.team}
            and line.slot == previous.slot and line.online == previous.online)


def brute_force(s: Scenario, request: AssignmentRequest, weights: ObjectiveWeights = WEIGHTS) -> tuple[float, int]:
    """(optimal objective, most cases servable) over every compatible choice of lines, under ``weights``."""
    cases = problem_cases(s, request)
    pins = {p.case: p for p in request.pins}
    previous = {p.case: p for p in request.previous}
    options = [[pins[c.id]] if c.id in pins else candidate_lines(s, bare(request), c) for c in cases]
    separable = ("proficiency", "travel", "urgency", "waiting", "continuity")
    cost = [[plan_objective({k: v for k, v in plan_terms(s, bare(request), [line], weights).items() if k in separable},
                            weights) + (0.0 if same_as(line, previous.get(c.id)) else weights.disruption)
             for line in opts] for c, opts in zip(cases, options)]
    dropped = [None if c.id in pins else weights.unassigned + (weights.disruption if c.id in previous else 0.0)
               for c in cases]
    experts = s.expert_by_id
    best = [float("inf"), 0]
    load: Counter[str] = Counter()
    busy: set = set()
    week: Counter = Counter()
    rooms: Counter = Counter()

    def fits(line: AssignmentLine) -> bool:
        for x in line.experts:
            e = experts[x]
            if e.open_cases + load[x] + 1 > e.max_open_cases:
                return False
            if line.slot is not None:
                if (x, line.slot) in busy or week[x, line.slot.date.isocalendar()[1]] + 1 > e.max_sessions_per_week:
                    return False
        if line.slot is not None and not line.online:
            center = s.case_by_id[line.case].center
            if rooms[center, line.slot] + 1 > s.center_by_id[center].rooms:
                return False
        return True

    def book(line: AssignmentLine, sign: int) -> None:
        for x in line.experts:
            load[x] += sign
            if line.slot is not None:
                week[x, line.slot.date.isocalendar()[1]] += sign
                (busy.add if sign > 0 else busy.discard)((x, line.slot))
        if line.slot is not None and not line.online:
            rooms[s.case_by_id[line.case].center, line.slot] += sign

    # Branch and bound: a case costs at least its cheapest line (or the unassigned penalty).
    floor = [min([x for x in (d,) if x is not None] + c) for c, d in zip(cost, dropped)]
    rest = [sum(floor[k:]) for k in range(len(floor) + 1)]

    def search(k: int, so_far: float, served: int) -> None:
        if k == len(options):
            total = so_far + weights.balance * max(load.values(), default=0)
            best[0] = min(best[0], total)
            best[1] = max(best[1], served)
            return
        if so_far + rest[k] + weights.balance * max(load.values(), default=0) > best[0] + 1e-9 \
                and served + len(options) - k <= best[1]:
            return  # can neither lower the objective nor serve more cases
        if dropped[k] is not None:
            search(k + 1, so_far + dropped[k], served)
        for line, c in zip(options[k], cost[k]):
            if fits(line):
                book(line, +1)
                search(k + 1, so_far + c, served + 1)
                book(line, -1)

    search(0, 0.0, 0)
    return best[0], best[1]


@st.composite
def requests(draw, s: Scenario, horizon_days: int = 2) -> AssignmentRequest:
    """``horizon_days`` from the planning day; sometimes a subset of the cases, a pin, an earlier plan."""
    horizon = AssignmentRequest(horizon_days=horizon_days)
    ids = [c.id for c in s.cases]
    cases = None
    if len(ids) > 1 and draw(st.integers(0, 3)) == 0:
        cases = tuple(draw(st.lists(st.sampled_from(ids), min_size=1, max_size=len(ids) - 1, unique=True)))
    valid = {c.id: candidate_lines(s, horizon, c) for c in s.cases}
    pins: tuple[AssignmentLine, ...] = ()
    pinnable = [cid for cid in ids if valid[cid]]
    if pinnable and draw(st.booleans()):
        cid = draw(st.sampled_from(pinnable))
        pins = (draw(st.sampled_from(valid[cid])),)
    previous = tuple(draw(st.sampled_from(valid[cid])) for cid in pinnable if draw(st.integers(0, 2)) == 0)
    return AssignmentRequest(cases=cases, horizon_days=horizon_days, pins=pins, previous=previous)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(small_worlds(), st.data())
def test_engine_and_greedy_plans_pass_the_checker_and_the_engine_is_optimal(world, data):
    s, _ = world
    request = data.draw(requests(s))
    result = solve(s, request)
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE), result.reason
    report = check_assignment(s, request, result.lines)
    assert report.ok, report.violations
    greedy = greedy_assignment(s, request)
    greedy_report = check_assignment(s, request, greedy.lines)
    assert greedy_report.ok, greedy_report.violations

    # The engine's reported objective is what its lines are worth, evaluated independently.
    mine = plan_objective(plan_terms(s, request, result.lines, WEIGHTS), WEIGHTS)
    assert abs(mine - result.objective) < 1e-6 * max(1.0, abs(mine)), (mine, result.objective, result.terms)

    optimum, most_served = brute_force(s, request)
    assert len(result.lines) == most_served  # serving a case dominates every other term
    assert len(greedy.lines) <= most_served
    n_coefficients = sum(len(c.needs_roles) + 3 for c in problem_cases(s, request))
    assert abs(result.objective - optimum) <= ROUNDING * n_coefficients, (result.objective, optimum)
    assert result.objective >= optimum - 1e-6  # nothing beats the exhaustive optimum
    if result.bound is not None:  # a proven bound may never exceed the true optimum
        assert result.bound <= optimum + ROUNDING * n_coefficients, (result.bound, optimum)
    assert plan_objective(plan_terms(s, request, greedy.lines, WEIGHTS), WEIGHTS) >= optimum - 1e-6


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(small_worlds(max_experts=8, max_cases=12))
def test_on_larger_worlds_the_engine_is_checker_clean_and_never_worse_than_greedy(world):
    s, request = world
    result = solve(s, request)
    assert result.ok, result.reason
    report = check_assignment(s, request, result.lines)
    assert report.ok, report.violations
    greedy = greedy_assignment(s, request)
    assert check_assignment(s, request, greedy.lines).ok
    engine_cost = plan_objective(plan_terms(s, request, result.lines, WEIGHTS), WEIGHTS)
    greedy_cost = plan_objective(plan_terms(s, request, greedy.lines, WEIGHTS), WEIGHTS)
    if result.status == SolveStatus.OPTIMAL:
        assert engine_cost <= greedy_cost + ROUNDING * sum(len(c.needs_roles) + 3 for c in s.cases)
        assert len(result.lines) >= len(greedy.lines)
    if result.bound is not None:  # the greedy plan is a feasible plan: no valid bound lies above it
        assert result.bound <= greedy_cost + ROUNDING * sum(len(c.needs_roles) + 3 for c in s.cases)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(small_worlds(), st.data())
def test_the_lagrangian_bound_never_exceeds_the_brute_force_optimum(world, data):
    # Weak duality, checked: the time-indexed relaxation's bound under the LP's own prices (one
    # column per seat, mode and half-day; every expert remembered or only one) and under random
    # nonnegative prices is never above the exhaustive optimum; nor is the column-generation result.
    s, _ = world
    request = data.draw(requests(s))
    pool_limit = data.draw(st.sampled_from([None, 1]))

    def attach(pc, start, seat_free):
        pc.bound = case_bound(pc, start, WEIGHTS, seat_free)

    p = build_problem(s, request, weights=WEIGHTS, on_case=attach, pool_limit=pool_limit)
    assume(not p.infeasible_reasons)
    optimum, _ = brute_force(s, request)
    assume(optimum < float("inf"))
    bounds = [pc.bound for pc in p.cases]
    lp = TimeIndexedLP(p, WEIGHTS, per_slot=1)
    response = lp.solve(False, time.perf_counter() + 5)
    prices = [lp.prices(np.asarray(response.dual_value))] if response is not None else []
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    n_e, n_s, n_w = len(p.experts), len(p.slots), len(lp.weeks)

    def some(shape, scale):  # sparse, sometimes large prices
        return rng.exponential(scale, shape) * (rng.random(shape) < 0.5)

    for scale in (1.0, 50.0, 5000.0):
        prices.append(Prices(some((n_e, n_s), scale), some((n_e, n_w), scale), some(n_e, scale), some(n_e, scale)))
    for price in prices:
        bound = lp.lagrangian_bound(price, bounds)
        assert bound is None or bound <= optimum + 1e-6, (bound, optimum)
    out = solve_relaxation(p, WEIGHTS, bounds, time.perf_counter() + 5, per_slot=1)
    assert out.bound is None or out.bound <= optimum + 1e-6, (out.bound, optimum)


@st.composite
def any_weights(draw) -> ObjectiveWeights:
    """Weights far from the defaults: terms switched off (0), tiny, default or dominant (1000); the
    unassigned penalty sometimes below a single term, so leaving a case out can be optimal."""
    def term(default: float) -> float:
        return draw(st.sampled_from([0.0, 0.5, default, 1000.0]))

    return ObjectiveWeights(proficiency=term(10.0), travel=term(1.0), urgency=term(5.0), waiting=term(1.0),
                            balance=term(20.0), continuity=term(15.0), disruption=term(100.0),
                            unassigned=draw(st.sampled_from([1.0, 30.0, 100_000.0])),
                            online_minutes=draw(st.sampled_from([0.0, 40.0, 500.0])))


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(small_worlds(), st.data(), any_weights(), st.sampled_from([None, 1]), st.sampled_from([1, 6]))
def test_under_any_weights_the_lp_bound_is_valid_and_an_optimal_claim_is_the_brute_force_optimum(world, data, w,
                                                                                                  pool_limit, per_slot):
    # The LP's Lagrangian bound and the OPTIMAL status it grants must hold for every weight setting,
    # over one week or across two (weekly session limits in two weeks: deadlines pushed out, 9 days),
    # with experts not remembered (pool_limit 1) and a first LP of one column per seat, mode and slot.
    s, _ = world
    if data.draw(st.booleans()):
        s = Scenario.model_validate({**s.model_dump(), "cases": [
            {**c.model_dump(), "deadline": c.deadline + dt.timedelta(days=data.draw(st.sampled_from([0, 7, 8])))}
            for c in s.cases]})
        request = data.draw(requests(s, horizon_days=9))
    else:
        request = data.draw(requests(s))
    optimum, _ = brute_force(s, request, w)

    def attach(pc, start, seat_free):
        pc.bound = case_bound(pc, start, w, seat_free)

    p = build_problem(s, request, weights=w, on_case=attach, pool_limit=pool_limit)
    if not p.infeasible_reasons and optimum < float("inf"):
        out = solve_relaxation(p, w, [pc.bound for pc in p.cases], time.perf_counter() + 5, per_slot=per_slot)
        assert out.bound is None or out.bound <= optimum + 1e-6 * max(1.0, optimum), (out.bound, optimum)

    result = solve_assignment(s, request, w, SolveParams(time_limit_s=20, workers=1, seed=0, pool_per_seat=pool_limit,
                                                         relaxation_experts_per_slot=per_slot))
    if optimum == float("inf"):
        assert result.status == SolveStatus.INFEASIBLE
        return
    assert result.ok, result.reason
    report = check_assignment(s, request, result.lines)
    assert report.ok, report.violations
    mine = plan_objective(plan_terms(s, request, result.lines, w), w)
    assert abs(mine - result.objective) <= 1e-6 * max(1.0, abs(mine)), (mine, result.objective)
    assert result.objective >= optimum - 1e-6 * max(1.0, optimum)
    # CP-SAT sees costs rounded to 1/100; the LP's claims come from float costs and must be exact.
    slack = 1e-6 * max(1.0, optimum) + (0 if result.solver.startswith("lp") else 0.005 * sum(
        len(c.needs_roles) + 1 for c in problem_cases(s, request)))
    if result.status == SolveStatus.OPTIMAL:
        assert abs(result.objective - optimum) <= slack, (result.objective, optimum, result.solver)
    if result.bound is not None:
        assert result.bound <= optimum + slack, (result.bound, optimum, result.solver)
