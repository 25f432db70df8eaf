"""A tiny two-town world for the service tests: small enough that a solve takes well under a second."""

from __future__ import annotations

import datetime as dt

from matcher.domain import Scenario

TODAY = dt.date(2024, 3, 4)  # a Monday


def tiny_world() -> Scenario:
    centers = [
        dict(id="dist", name="District", level="district", lat=22.55, lon=113.88, rooms=2),
        dict(id="townA", name="Town A", level="street", parent="dist", lat=22.56, lon=113.89, rooms=1,
             judge_halfdays_per_week=1),
        dict(id="townB", name="Town B", level="street", parent="dist", lat=22.60, lon=113.80, rooms=1),
        dict(id="commA1", name="Community A1", level="community", parent="townA", lat=22.565, lon=113.895, rooms=1),
    ]
    experts = [
        dict(id="medA", name="Mediator A", role="mediator", categories={"labor": 4, "neighbor": 3, "marriage_family": 3},
             home_center="townA", max_open_cases=5, max_sessions_per_week=5),
        dict(id="medA2", name="Mediator A2", role="mediator", categories={"labor": 2, "neighbor": 4, "marriage_family": 2},
             home_center="commA1", max_open_cases=5, max_sessions_per_week=5, affiliations=["Acme Ltd"]),
        dict(id="medB", name="Mediator B", role="mediator", categories={"labor": 3, "neighbor": 3, "marriage_family": 3},
             home_center="townB", max_open_cases=5, max_sessions_per_week=5),
        dict(id="couns", name="Counselor", role="counselor", home_center="townA"),
        dict(id="judge1", name="Judge One", role="judge", home_center="dist", court="court1"),
    ]
    cases = [
        dict(id="caseA1", category="labor", center="townA", received="2024-03-01T09:00", deadline="2024-03-20",
             parties=[dict(name="Zhang San", organization="Acme Ltd", phone="13800000000")]),
        dict(id="caseA2", category="neighbor", center="commA1", received="2024-03-02T10:00", deadline="2024-03-25"),
        dict(id="caseA3", category="marriage_family", center="townA", received="2024-03-03T11:00", deadline="2024-03-15",
             risk="high", needs_roles=["mediator", "counselor"], parties=[dict(name="Li Si", phone="13900000000")]),
        dict(id="caseB1", category="labor", center="townB", received="2024-03-01T08:00", deadline="2024-03-22"),
    ]
    return Scenario.model_validate(
        dict(
            name="tiny", today=TODAY, centers=centers, experts=experts, cases=cases,
            courts=[dict(id="court1", name="Tribunal", lat=22.55, lon=113.88, center="dist")],
            rotation=[dict(judge="judge1", center="townA", slot=dict(date="2024-03-06", half="am"))],
        )
    )


def medium_world(n_cases: int = 400, n_mediators: int = 40, seed: int = 7) -> Scenario:
    """A seeded world big enough that a solve takes seconds (for fault and load tests)."""
    import random

    rng = random.Random(seed)
    base = tiny_world()
    cats = ["labor", "neighbor", "marriage_family", "debt", "property_management"]
    experts = [e.model_dump(mode="json") for e in base.experts]
    towns = ["townA", "townB", "commA1"]
    for i in range(n_mediators):
        experts.append(dict(id=f"m{i}", name=f"Mediator {i}", role="mediator", home_center=rng.choice(towns),
                            categories={c: rng.randint(1, 5) for c in rng.sample(cats, 3)},
                            max_open_cases=rng.randint(5, 12), max_sessions_per_week=rng.randint(4, 8)))
    cases = [c.model_dump(mode="json") for c in base.cases]
    for i in range(n_cases):
        day = rng.randint(1, 3)
        cases.append(dict(id=f"k{i}", category=rng.choice(cats), center=rng.choice(towns),
                          received=f"2024-03-0{day}T09:00", deadline=f"2024-03-{rng.randint(8, 28):02d}"))
    data = base.model_dump(mode="json")
    data.update(experts=experts, cases=cases, name="medium")
    return Scenario.model_validate(data)
