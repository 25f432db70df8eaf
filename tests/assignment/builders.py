"""Tiny hand-built scenarios for the engine tests (Monday 2024-03-04 is the planning day)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from matcher.domain import Scenario

TODAY = dt.date(2024, 3, 4)  # a Monday


def center(cid: str = "d", lat: float = 22.55, lon: float = 113.88, **kw: Any) -> dict:
    return dict(id=cid, name=cid.upper(), level=kw.pop("level", "district"), lat=lat, lon=lon, **kw)


def expert(eid: str, role: str = "mediator", cats: dict | None = None, home: str = "d", **kw: Any) -> dict:
    d = dict(id=eid, name=eid, role=role, home_center=home, **kw)
    if cats is None and role in ("mediator", "lawyer", "arbitrator"):
        cats = {"labor": 3}
    if cats is not None:
        d["categories"] = cats
    if role == "judge":
        d.setdefault("court", "court1")
    return d


def case(cid: str, cat: str = "labor", at: str = "d", **kw: Any) -> dict:
    return dict(id=cid, category=cat, center=at, received=kw.pop("received", "2024-03-01T09:00"),
                deadline=kw.pop("deadline", "2024-03-20"), **kw)


def scenario(centers: list[dict] | None = None, experts: list[dict] | None = None, cases: list[dict] | None = None,
             **kw: Any) -> Scenario:
    data: dict[str, Any] = dict(name="t", today=TODAY, centers=centers or [center()], experts=experts or [],
                                cases=cases or [])
    if any(e.get("role") == "judge" for e in data["experts"]):
        data["courts"] = [dict(id="court1", name="Court", lat=22.55, lon=113.88)]
    data.update(kw)
    return Scenario.model_validate(data)
