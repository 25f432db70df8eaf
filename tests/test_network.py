"""The center network: tree, escalation, travel times (estimated and explicit)."""

from __future__ import annotations

import pytest

from matcher.domain import Scenario
from matcher.network import (
    center_tree,
    escalation_path,
    haversine_km,
    shortest_travel_path,
    subtree,
    travel_minutes,
    travel_times,
)

BASE = dict(
    name="n", today="2024-03-04",
    centers=[
        dict(id="d", name="D", level="district", lat=22.50, lon=113.90),
        dict(id="s1", name="S1", level="street", parent="d", lat=22.60, lon=113.90),
        dict(id="s2", name="S2", level="street", parent="d", lat=22.50, lon=114.00),
        dict(id="c1", name="C1", level="community", parent="s1", lat=22.61, lon=113.91),
    ],
)


def test_haversine_one_degree_of_latitude():
    assert haversine_km(0, 0, 1, 0) == pytest.approx(111.19, abs=0.05)


def test_estimated_travel_is_distance_at_road_speed_with_detour():
    s = Scenario.model_validate(BASE)
    km = haversine_km(22.50, 113.90, 22.60, 113.90)
    assert travel_minutes(s, "d", "s1") == pytest.approx(km * 1.3 / 30 * 60)
    assert travel_minutes(s, "s1", "s1") == 0
    assert travel_minutes(s, "d", "s1") == pytest.approx(travel_minutes(s, "s1", "d"))


def test_explicit_travel_overrides_both_ways_and_vectorised_agrees():
    s = Scenario.model_validate({**BASE, "travel_times": [dict(origin="d", destination="s2", minutes=7)]})
    assert travel_minutes(s, "d", "s2") == 7 and travel_minutes(s, "s2", "d") == 7
    tt = travel_times(s)
    vec = tt.from_center("d")
    for c in s.centers:
        assert vec[tt.index[c.id]] == pytest.approx(travel_minutes(s, "d", c.id))


def test_tree_escalation_and_subtree():
    s = Scenario.model_validate(BASE)
    g = center_tree(s)
    assert set(g.successors("d")) == {"s1", "s2"}
    assert escalation_path(s, "c1") == ["c1", "s1", "d"]
    assert subtree(s, "s1") == {"s1", "c1"} and subtree(s, "d") == {"d", "s1", "s2", "c1"}


def test_shortest_path_takes_an_explicit_shortcut():
    s = Scenario.model_validate(BASE)
    path, minutes = shortest_travel_path(s, "c1", "s2")
    assert path == ["c1", "s1", "d", "s2"]  # up the tree and down
    assert minutes == pytest.approx(travel_minutes(s, "c1", "s1") + travel_minutes(s, "s1", "d") + travel_minutes(s, "d", "s2"))
    fast = Scenario.model_validate({**BASE, "travel_times": [dict(origin="c1", destination="s2", minutes=3)]})
    assert shortest_travel_path(fast, "c1", "s2") == (["c1", "s2"], 3.0)
