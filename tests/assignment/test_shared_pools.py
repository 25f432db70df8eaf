"""Cases alike in everything a seat's pool depends on share one pool; the pools are exactly those
each case gets alone."""

from __future__ import annotations

import numpy as np
from builders import case, center, expert, scenario

from matcher.assignment import ObjectiveWeights
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
