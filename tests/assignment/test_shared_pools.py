"""Cases alike in everything a seat's pool depends on share one pool (and, with the same risk and day
of receipt, one bound); pools and bounds are exactly those each case gets alone."""

from __future__ import annotations

import numpy as np
from builders import case, center, expert, scenario

from matcher.assignment import ObjectiveWeights
from matcher.assignment.bounds import case_bound
from matcher.assignment.candidates import build_problem
from matcher.domain import AssignmentRequest


def test_alike_cases_share_a_pool_equal_to_their_own():
    s = scenario(centers=[center("d"), center("s", lat=22.60, lon=113.90, level="street", parent="d")],
                 experts=[expert("a", cats={"labor": 5}), expert("b", cats={"labor": 2}, home="s"),
                          expert("c", cats={"labor": 3}, online_capable=False)],
                 cases=[case("k1"), case("k2", received="2024-02-01T09:00", risk="high"),  # alike: k1
                        case("k3", preferred_experts=("b",)),  # a continuity term of its own
                        case("k4", at="s"), case("k5", deadline="2024-03-04")])  # another center; deadline
    request = AssignmentRequest(horizon_days=3)
    w = ObjectiveWeights()
    together = {pc.case.id: pc.seats[0].pool for pc in build_problem(s, request, weights=w).cases}
    assert together["k1"] is together["k2"]
    assert len({id(together[k]) for k in ("k1", "k3", "k4", "k5")}) == 4
    for k, pool in together.items():
        alone = build_problem(s, AssignmentRequest(horizon_days=3, cases=(k,)), weights=w).cases[0].seats[0].pool
        for field in ("expert", "mode", "proficiency", "travel", "miss", "cost"):
            assert np.array_equal(getattr(pool, field), getattr(alone, field)), (k, field)


def _with_bounds(s, request, w):
    shared: dict = {}

    def attach(pc, start, seat_free):  # as solve_assignment does: one dict for the build
        pc.bound = case_bound(pc, start, w, seat_free, shared)

    return {pc.case.id: pc.bound for pc in build_problem(s, request, weights=w, on_case=attach).cases}


def test_alike_cases_of_one_risk_and_day_share_a_bound_equal_to_their_own():
    later = [{"weekday": 0, "half": "pm"}, {"weekday": 1, "half": "am"}]  # not Monday am: slots cost
    s = scenario(experts=[expert("a", cats={"labor": 5}, availability=later), expert("b", cats={"labor": 2}),
                          expert("c", cats={"labor": 4}, availability=[{"weekday": 1, "half": "pm"}])],
                 cases=[case("k1"), case("k2"), case("k3", risk="high"), case("k4", received="2024-02-01T09:00")])
    w = ObjectiveWeights()
    together = _with_bounds(s, AssignmentRequest(horizon_days=3), w)
    assert together["k1"] is together["k2"]
    assert len({id(together[k]) for k in ("k1", "k3", "k4")}) == 3
    assert together["k3"].floor != together["k1"].floor != together["k4"].floor  # risk and age count
    for k, b in together.items():
        alone = _with_bounds(s, AssignmentRequest(horizon_days=3, cases=(k,)), w)[k]
        assert (b.floor, b.drop, b.left_out) == (alone.floor, alone.drop, alone.left_out), k
        assert all(np.array_equal(x, y) for x, y in zip(b.row_inc, alone.row_inc)), k
        assert all(np.array_equal(b.slot_floor[m], alone.slot_floor[m]) for m in b.slot_floor), k
