"""The greedy hint's best pass stays valid when a later pass widens a seat's options."""

from __future__ import annotations

import random

import numpy as np
import pytest
from builders import case, center, expert, scenario

from matcher.assignment import ObjectiveWeights
from matcher.assignment.bounds import case_bound, room_flow_bound
from matcher.assignment.candidates import build_problem, keep_options
from matcher.assignment.hint import greedy_plan
from matcher.assignment.solve import to_lines
from matcher.checker import check_assignment
from matcher.domain import AssignmentRequest


def _small_day(seed: int):
    """One Monday, one center, 3–6 mediators of small caseloads and half-day availability, 4–9 cases."""
    rng = random.Random(seed)
    days = [{"weekday": 0, "half": h} for h in ("am", "pm")]
    experts = [expert(f"m{i}", cats={"labor": rng.randint(1, 5)}, availability=rng.sample(days, rng.randint(1, 2)),
                      max_open_cases=rng.choice([1, 2, 3]), online_capable=rng.random() < 0.5)
               for i in range(rng.randint(3, 6))]
    cases = [case(f"k{k}", risk=rng.choice(["low", "medium", "high"]), online_allowed=rng.random() < 0.5,
                  received=f"2024-03-0{rng.randint(1, 3)}T09:00") for k in range(rng.randint(4, 9))]
    return scenario(centers=[center("d", rooms=rng.choice([1, 2]))], experts=experts, cases=cases)


@pytest.mark.parametrize("seed", range(60))
def test_the_greedy_plan_passes_the_checker_after_later_passes_widened_options(seed):
    s = _small_day(seed)
    request = AssignmentRequest(horizon_days=1)
    w = ObjectiveWeights()

    def attach(pc, start, seat_free):
        pc.bound = case_bound(pc, start, w, seat_free)

    p = build_problem(s, request, weights=w, on_case=attach)
    for pc in p.cases:  # only the cheapest option per seat: the passes must widen to place the rest
        for j, seat in enumerate(pc.seats):
            keep_options(p, pc, seat, np.argsort(pc.bound.row_inc[j], kind="stable")[:1])
    preferred: dict = {}  # the rooms relaxation's slots, as the engine gives them
    room_flow_bound(p, [pc.bound for pc in p.cases], preferred)
    plan = greedy_plan(p, w, preferred=preferred)
    report = check_assignment(s, request, to_lines(p, plan))
    assert report.ok, report.violations
