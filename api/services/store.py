"""Moving domain objects in and out of the database: seeding from a scenario, and rebuilding the
:class:`~matcher.domain.Scenario` a solve needs from what is stored now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.domain import Case, Category, RiskLevel, Scenario

from ..db.models import AssignmentRow, CaseRow, CenterRow, ExpertRow, Meta

_META_FIELDS = ("name", "description", "seed", "today", "travel_speed_kmh", "sources", "courts", "travel_times", "arrivals", "rotation")


def is_sensitive(case: Case) -> bool:
    """Family disputes and high-risk cases (民转刑 risk) are sensitive: every read is audited."""
    return case.category == Category.MARRIAGE_FAMILY or case.risk == RiskLevel.HIGH


def case_row(case: Case, status: str = "open") -> CaseRow:
    return CaseRow(
        id=case.id,
        center_id=case.center,
        status=status,
        category=case.category.value,
        sensitive=is_sensitive(case),
        data=case.model_dump(mode="json"),
    )


def seed_from_scenario(db: Session, scenario: Scenario) -> None:
    """Load a scenario into an empty database (one transaction)."""
    dump = scenario.model_dump(mode="json")
    for key in _META_FIELDS:
        db.add(Meta(key=key, value=dump[key]))
    # Parents before children so foreign keys hold at every insert.
    by_id = {c.id: c for c in scenario.centers}
    depth = {}
    for c in scenario.centers:
        d, cur = 0, c
        while cur.parent is not None:
            d, cur = d + 1, by_id[cur.parent]
        depth[c.id] = d
    for c in sorted(scenario.centers, key=lambda c: depth[c.id]):
        db.add(CenterRow(id=c.id, parent_id=c.parent, level=c.level.value, name=c.name, data=c.model_dump(mode="json")))
        db.flush()
    for e in scenario.experts:
        db.add(ExpertRow(id=e.id, home_center=e.home_center, role=e.role.value, data=e.model_dump(mode="json")))
    for k in scenario.cases:
        db.add(case_row(k))


def meta(db: Session) -> dict[str, Any]:
    return {m.key: m.value for m in db.scalars(select(Meta))}


def current_scenario(db: Session, *, open_cases_only: bool = True) -> Scenario:
    """The scenario as stored now: every center and expert, and the open cases.

    Experts' ``open_cases`` count the announced assignments of open cases (they are pinned in every
    solve, so counting them here as well would count them twice)."""
    stored = meta(db)
    data = {k: stored[k] for k in _META_FIELDS if k in stored}
    data["centers"] = [r.data for r in db.scalars(select(CenterRow))]
    data["experts"] = [r.data for r in db.scalars(select(ExpertRow))]
    q = select(CaseRow)
    if open_cases_only:
        q = q.where(CaseRow.status == "open")
    data["cases"] = [r.data for r in db.scalars(q)]
    return Scenario.model_validate(data)


def announced_lines(db: Session, case_ids: set[str] | None = None) -> list[dict[str, Any]]:
    q = select(AssignmentRow.line).join(CaseRow, CaseRow.id == AssignmentRow.case_id).where(CaseRow.status == "open")
    lines = list(db.scalars(q))
    if case_ids is not None:
        lines = [ln for ln in lines if ln["case"] in case_ids]
    return lines


def today(db: Session) -> dt.date:
    return dt.date.fromisoformat(meta(db)["today"])
