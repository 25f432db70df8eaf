"""Small worlds for the simulation tests."""

from __future__ import annotations

import datetime as dt

from matcher.domain import Scenario

WEEK = [dict(weekday=d, half=h) for d in range(7) for h in ("am", "pm")]


def mmc_world(c: int, lam: float) -> Scenario:
    """One center open every half-day with ample rooms, one category, ``c`` identical mediators each
    holding one case at a time, always available, no travel: an M/M/c queue once service is exponential."""
    return Scenario.model_validate(dict(
        name="mmc", today=dt.date(2024, 1, 1),
        centers=[dict(id="c", name="C", level="street", lat=22.5, lon=113.9, rooms=50, opening=WEEK)],
        experts=[dict(id=f"m{i}", name=f"M{i}", role="mediator", categories={"neighbor": 3}, home_center="c",
                      max_open_cases=1, max_sessions_per_week=100, availability=WEEK) for i in range(c)],
        arrivals=[dict(center="c", category="neighbor", per_day=lam)],
    ))
