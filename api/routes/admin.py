"""Users and API keys (admin), the audit trail (admin), aggregates (planners), the rotation calendar."""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from ..core.problems import Problem
from ..core.security import hash_token, new_token
from ..db.models import ApiKeyRow, AssignmentRow, AuditRow, CaseRow, CenterRow, UserRow
from ..deps import Admin, CurrentUser, Planner, SessionDep, SettingsDep, StaffReader
from ..schemas import TokenOut, UserCreate
from ..services.audit import record
from ..services.scope import visible_centers
from ..services.store import meta

router = APIRouter(tags=["admin"])


@router.get("/users/me")
def me(who: CurrentUser) -> dict[str, Any]:
    return {"id": who.user_id, "role": who.role, "center_id": who.center_id}


@router.post("/users", status_code=201)
def create_user(body: UserCreate, db: SessionDep, who: Admin) -> dict[str, Any]:
    if body.role == "coordinator" and body.center_id is None:
        raise Problem(422, "center_id = None: a coordinator needs a center", errors=[{"field": "center_id", "value": None, "message": "required for a coordinator"}])
    if body.center_id is not None and db.get(CenterRow, body.center_id) is None:
        raise Problem(422, f"center_id = {body.center_id!r}: unknown center id", errors=[{"field": "center_id", "value": body.center_id, "message": "unknown center id"}])
    if db.get(UserRow, body.id) is not None:
        raise Problem(409, f"user {body.id!r} already exists")
    db.add(UserRow(id=body.id, name=body.name, role=body.role, center_id=body.center_id))
    record(db, who, "create_user", "user", body.id, body.center_id, role=body.role)
    db.commit()
    return {"id": body.id, "role": body.role, "center_id": body.center_id}


@router.post("/users/{user_id}/keys", status_code=201, response_model=TokenOut)
def create_key(user_id: str, db: SessionDep, who: Admin, settings: SettingsDep) -> TokenOut:
    if db.get(UserRow, user_id) is None:
        raise Problem(404, f"user {user_id!r} not found")
    token = new_token()
    db.add(ApiKeyRow(user_id=user_id, key_hash=hash_token(token, settings.secret_key)))
    record(db, who, "create_key", "user", user_id)
    db.commit()
    return TokenOut(user_id=user_id, token=token)


@router.get("/audit")
def audit_log(db: SessionDep, _: Admin, limit: int = Query(200, ge=1, le=5000), offset: int = Query(0, ge=0, le=1_000_000)) -> list[dict[str, Any]]:
    rows = db.scalars(select(AuditRow).order_by(AuditRow.id.desc()).limit(limit).offset(offset))
    return [{"id": r.id, "at": r.at.isoformat(), "actor": r.actor, "action": r.action, "object_type": r.object_type,
             "object_id": r.object_id, "center_id": r.center_id, "detail": r.detail} for r in rows]


@router.get("/stats")
def stats(db: SessionDep, _: Planner) -> dict[str, Any]:
    """Aggregates only (no case ids, no names): what planners may see."""
    by_center: dict[str, Counter[str]] = {}
    for center, status, category, n in db.execute(
        select(CaseRow.center_id, CaseRow.status, CaseRow.category, func.count()).group_by(CaseRow.center_id, CaseRow.status, CaseRow.category)
    ):
        c = by_center.setdefault(center, Counter())
        c[f"{status}"] += n
        c[f"{status}:{category}"] += n
    return {
        "cases_by_center": {k: dict(v) for k, v in sorted(by_center.items())},
        "announced_assignments": db.scalar(select(func.count()).select_from(AssignmentRow)),
    }


@router.get("/rotation")
def rotation(db: SessionDep, who: StaffReader, center: str | None = None) -> list[dict[str, Any]]:
    """The published judge rotation calendar (轮驻); coordinators see their own centers' entries."""
    entries = meta(db).get("rotation") or []
    area = visible_centers(db, who) if who.role == "coordinator" else None
    return [e for e in entries if (area is None or e["center"] in area) and (center is None or e["center"] == center)]
