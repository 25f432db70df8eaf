"""Staffing search against brute force on a world where more staff can only help."""

from __future__ import annotations

import pytest

from matcher.simulation import SimulationParams, simulate
from matcher.simulation.staffing import StaffGroup, StaffingTarget, search_staffing, staffing_table
from matcher.simulation.variants import apply_variant

from .conftest import mmc_world

PARAMS = SimulationParams(
    weekly_pattern=(1,) * 7, peaks=(), service_days={"neighbor": 2.0}, resolution={"neighbor": 1.0},
    sick_leave_rate=0.0, sessions=False, horizon_days=1, time_limit_s=2.0, workers=1, judge_share=0.0,
    high_risk_family_share=0.0,
)
RUN = dict(days=120, replications=2, seed=1, params=PARAMS, assigner="greedy", warmup_days=20)
TARGET = StaffingTarget(kpi="mean_wait", sense="<=", value=0.8)


def mean_wait_with(n: int) -> float:
    from matcher.simulation.staffing import roster_variant

    world = mmc_world(3, 2.0)
    groups = [StaffGroup(role="mediator")]
    scen, p = apply_variant(roster_variant(world, groups, {"mediator": n}), PARAMS, world)
    return simulate(scen, **{**RUN, "params": p}).summary["mean_wait"].mean


def test_single_group_search_finds_the_brute_force_minimum() -> None:
    res = search_staffing(mmc_world(3, 2.0), [StaffGroup(role="mediator", max_count=12)], TARGET, **RUN)
    waits = {n: mean_wait_with(n) for n in range(1, 13)}
    meets = {n: w <= TARGET.value for n, w in waits.items()}
    smallest = min(n for n in meets if all(meets[m] for m in meets if m >= n))
    assert res.best is not None and res.best.counts == {"mediator": smallest}, (waits, staffing_table(res))
    # Every roster the search reports is what a direct simulation of it gives.
    for p in res.explored:
        assert p.kpi.mean == pytest.approx(waits[p.counts["mediator"]])
        assert p.met == meets[p.counts["mediator"]]
    assert res.frontier == [res.best]


def two_towns(n: int = 3):  # type: ignore[no-untyped-def]
    """Two centers 100 km apart, each with its own arrivals and mediators who do not travel."""
    import datetime as dt

    from matcher.domain import Scenario

    from .conftest import WEEK

    centers = [dict(id=c, name=c, level="street", lat=22.5 + k, lon=113.9, rooms=50, opening=WEEK) for k, c in enumerate("ab")]
    experts = [dict(id=f"{c}{i}", name=f"{c}{i}", role="mediator", categories={"neighbor": 3}, home_center=c,
                    max_open_cases=1, max_sessions_per_week=100, availability=WEEK, max_travel_minutes=0, online_capable=False)
               for c in "ab" for i in range(n)]
    return Scenario.model_validate(dict(
        name="towns", today=dt.date(2024, 1, 1), centers=centers, experts=experts,
        arrivals=[dict(center="a", category="neighbor", per_day=2.0), dict(center="b", category="neighbor", per_day=1.0)]))


def test_two_groups_with_costs_end_where_no_single_cut_meets_the_target() -> None:
    world = two_towns()
    groups = [StaffGroup(role="mediator", center="a", cost=1.0, max_count=10),
              StaffGroup(role="mediator", center="b", cost=2.0, max_count=10)]
    res = search_staffing(world, groups, TARGET, **RUN)
    assert res.best is not None and res.best.met
    assert res.best.cost == res.best.counts["mediator@a"] + 2 * res.best.counts["mediator@b"]
    by_counts = {tuple(p.counts.values()): p for p in res.explored}
    a, b = res.best.counts["mediator@a"], res.best.counts["mediator@b"]
    for cut in ((a - 1, b), (a, b - 1)):
        if min(cut) >= 0:
            assert cut in by_counts and not by_counts[cut].met, staffing_table(res)
    # Busier town a needs more mediators than town b (twice the arrivals, same service).
    assert a > b
    assert res.best in res.frontier


def test_unreachable_target_is_reported_with_the_reason() -> None:
    impossible = StaffingTarget(kpi="mean_wait", sense="<=", value=0.0)
    res = search_staffing(mmc_world(2, 1.0), [StaffGroup(role="mediator", max_count=4)], impossible, **RUN)
    assert res.best is None
    assert "not met even with {'mediator': 4}" in res.reason
    assert "no roster met the target" in staffing_table(res)


def test_bad_input_names_the_field() -> None:
    with pytest.raises(ValueError, match="groups.mediator@mars.center = 'mars': unknown center id"):
        search_staffing(mmc_world(2, 1.0), [StaffGroup(role="mediator", center="mars")], TARGET, **RUN)
    with pytest.raises(ValueError, match="target.kpi = 'happiness'"):
        search_staffing(mmc_world(2, 1.0), [StaffGroup(role="mediator")], StaffingTarget(kpi="happiness"), **RUN)
    with pytest.raises(ValueError, match="max_count 1 is below min_count 2"):
        StaffGroup(role="mediator", min_count=2, max_count=1)
