from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from matcher.domain import DateRange, Expert, Role

from ..core.problems import Problem
from ..db.models import ExpertRow
from ..deps import SessionDep, StaffReader
from ..schemas import LeaveAdd
from ..services.audit import record
from ..services.recommend_cache import bump_version
from ..services.scope import visible_centers

router = APIRouter(prefix="/experts", tags=["experts"])


@router.get("")
def list_experts(
    db: SessionDep, _: StaffReader, role: Role | None = None, limit: int = Query(200, ge=1, le=5000), offset: int = Query(0, ge=0, le=1_000_000)
) -> list[dict[str, Any]]:
    q = select(ExpertRow).order_by(ExpertRow.id).limit(limit).offset(offset)
    if role:
        q = q.where(ExpertRow.role == role.value)
    return [r.data for r in db.scalars(q)]


@router.get("/{expert_id}")
def get_expert(expert_id: str, db: SessionDep, _: StaffReader) -> dict[str, Any]:
    row = db.get(ExpertRow, expert_id)
    if row is None:
        raise Problem(404, f"expert {expert_id!r} not found")
    return row.data


@router.post("/{expert_id}/leave")
def add_leave(expert_id: str, body: LeaveAdd, db: SessionDep, who: StaffReader) -> dict[str, Any]:
    """Record leave (an expert called in sick): later solves see them unavailable."""
    row = db.get(ExpertRow, expert_id)
    if row is None:
        raise Problem(404, f"expert {expert_id!r} not found")
    area = visible_centers(db, who)
    if who.role == "court_staff" and row.role != "judge":
        raise Problem(403, "court staff record leave for judges only")
    if who.role == "coordinator" and area is not None and row.home_center not in area:
        raise Problem(403, f"expert {expert_id!r} is not based in your centers")
    expert = Expert.model_validate(row.data)
    leave = DateRange(start=body.start, end=body.end)
    updated = Expert.model_validate({**expert.model_dump(mode="json"), "leave": [*expert.model_dump(mode="json")["leave"], leave.model_dump(mode="json")]})
    row.data = updated.model_dump(mode="json")
    row.version += 1
    bump_version(db)
    record(db, who, "add_leave", "expert", expert_id, row.home_center, start=body.start.isoformat(), end=body.end.isoformat())
    db.commit()
    return row.data
