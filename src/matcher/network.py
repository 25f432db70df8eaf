"""The center network: a tree of centers (district → streets → communities) and travel times.

Travel time between two centers is the explicit scenario value when one is given, otherwise an
estimate from coordinates: great-circle distance × a road-winding factor at the scenario's road speed.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

from .domain import Center, Scenario

#: Roads are longer than the straight line; 1.3 is a common urban detour factor (assumption).
ROAD_FACTOR = 1.3
EARTH_RADIUS_KM = 6371.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def estimated_minutes(a: Center, b: Center, speed_kmh: float) -> float:
    if a.id == b.id:
        return 0.0
    return haversine_km(a.lat, a.lon, b.lat, b.lon) * ROAD_FACTOR / speed_kmh * 60.0


class TravelTimes:
    """Travel minutes between centers of one scenario (explicit values override estimates)."""

    def __init__(self, scenario: Scenario) -> None:
        self._scenario = scenario
        self._explicit = {(t.origin, t.destination): t.minutes for t in scenario.travel_times}
        self._index = {c.id: i for i, c in enumerate(scenario.centers)}
        self._lat = np.radians(np.array([c.lat for c in scenario.centers]))
        self._lon = np.radians(np.array([c.lon for c in scenario.centers]))

    @property
    def index(self) -> dict[str, int]:
        return self._index

    def minutes(self, origin: str, destination: str) -> float:
        if origin == destination:
            return 0.0
        explicit = self._explicit.get((origin, destination))
        if explicit is None:
            explicit = self._explicit.get((destination, origin))
        if explicit is not None:
            return explicit
        c = self._scenario.center_by_id
        return estimated_minutes(c[origin], c[destination], self._scenario.travel_speed_kmh)

    def from_center(self, origin: str) -> np.ndarray:
        """Minutes from `origin` to every center, in scenario order (vectorised)."""
        i = self._index[origin]
        dlat = self._lat - self._lat[i]
        dlon = self._lon - self._lon[i]
        a = np.sin(dlat / 2) ** 2 + np.cos(self._lat[i]) * np.cos(self._lat) * np.sin(dlon / 2) ** 2
        km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, a)))
        out = km * ROAD_FACTOR / self._scenario.travel_speed_kmh * 60.0
        for (o, d), m in self._explicit.items():
            if o == origin:
                out[self._index[d]] = m
            elif d == origin:
                out[self._index[o]] = m
        out[i] = 0.0
        return out


def travel_times(scenario: Scenario) -> TravelTimes:
    """The scenario's travel table, built once per scenario object.

    Cached on the object itself (as ``functools.cached_property`` would): hashing a whole scenario to
    look it up would cost more than the lookup saves, and scenarios hold unhashable dicts."""
    cached = scenario.__dict__.get("_travel_times")
    if cached is None:
        cached = TravelTimes(scenario)
        scenario.__dict__["_travel_times"] = cached
    return cached


def travel_minutes(scenario: Scenario, origin: str, destination: str) -> float:
    """Minutes to travel from center `origin` to center `destination` in `scenario`."""
    return travel_times(scenario).minutes(origin, destination)


def center_tree(scenario: Scenario) -> nx.DiGraph:
    """The center hierarchy as a directed graph parent → child (上下贯通)."""
    g = nx.DiGraph()
    for c in scenario.centers:
        g.add_node(c.id, level=c.level.value, name=c.name)
    for c in scenario.centers:
        if c.parent is not None:
            g.add_edge(c.parent, c.id)
    return g


def escalation_path(scenario: Scenario, center: str) -> list[str]:
    """The chain of centers a case climbs when escalated: the center, its parent, ..., the root."""
    by_id = scenario.center_by_id
    path = [center]
    while by_id[path[-1]].parent is not None:
        path.append(by_id[path[-1]].parent)  # type: ignore[arg-type]
    return path


def subtree(scenario: Scenario, center: str) -> set[str]:
    """A center and every center below it (a coordinator's area of responsibility)."""
    return {center} | nx.descendants(center_tree(scenario), center)


def travel_graph(scenario: Scenario) -> nx.Graph:
    """Roads as the network knows them: tree edges (each center to its parent) and every explicit
    travel time, weighted by minutes."""
    g = nx.Graph()
    tt = travel_times(scenario)
    for c in scenario.centers:
        g.add_node(c.id)
        if c.parent is not None:
            g.add_edge(c.id, c.parent, minutes=tt.minutes(c.id, c.parent))
    for t in scenario.travel_times:
        g.add_edge(t.origin, t.destination, minutes=t.minutes)
    return g


def shortest_travel_path(scenario: Scenario, origin: str, destination: str) -> tuple[list[str], float]:
    """The quickest route through the travel graph, and its minutes (Dijkstra)."""
    g = travel_graph(scenario)
    path = nx.shortest_path(g, origin, destination, weight="minutes")
    return path, float(nx.path_weight(g, path, weight="minutes"))
