"""Judge rotation calendars: plan (a job), read, download as iCalendar, publish."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from matcher.domain import RotationSlot
from matcher.rotation.export import ical

from ..core.problems import Problem
from ..db.models import JobRow, Meta, RotationPlanRow, utcnow
from ..deps import CourtStaff, SessionDep, SettingsDep, StaffReader
from ..schemas import JobOut
from ..services.audit import record
from ..services.recommend_cache import bump_version
from ..services.store import current_scenario
from .jobs import job_out

router = APIRouter(tags=["rotation"])


class RotationPlanCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weeks: int = Field(default=13, ge=1, le=26)
    time_limit_s: float | None = Field(default=None, gt=0, le=600)
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)


@router.post("/rotation/plans", status_code=202, response_model=JobOut)
def request_plan(
    request: Request, response: Response, db: SessionDep, who: CourtStaff, settings: SettingsDep,
    body: RotationPlanCreate | None = None, idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> JobOut:
    """Plan the rotation calendar for `weeks` from the planning day's Monday (a job)."""
    if idempotency_key:
        existing = db.scalar(select(JobRow).where(JobRow.created_by == who.user_id, JobRow.idempotency_key == idempotency_key))
        if existing is not None:
            return job_out(existing)
    if not request.app.state.jobs.has_room():
        raise Problem(429, "too many jobs queued; try again later")
    body = body or RotationPlanCreate()
    job = JobRow(id=str(uuid.uuid4()), kind="rotate", status="queued", progress=0.0, created_by=who.user_id, idempotency_key=idempotency_key,
                 params={"weeks": body.weeks, "time_limit_s": body.time_limit_s or settings.solve_time_limit_s,
                         "workers": settings.solve_workers, "seed": settings.solve_seed if body.seed is None else body.seed})
    db.add(job)
    record(db, who, "request_rotation_plan", "job", job.id)
    db.commit()
    request.app.state.jobs.submit(job.id)
    response.headers["Location"] = f"/jobs/{job.id}"
    return job_out(job)


def _plan(db, plan_id: str) -> RotationPlanRow:  # type: ignore[no-untyped-def]
    row = db.get(RotationPlanRow, plan_id)
    if row is None:
        raise Problem(404, f"rotation plan {plan_id!r} not found")
    return row


@router.get("/rotation/plans/{plan_id}")
def get_plan(plan_id: str, db: SessionDep, _: CourtStaff) -> dict[str, Any]:
    row = _plan(db, plan_id)
    return {"id": row.id, "job": row.job_id, "status": row.status, "summary": row.summary, "entries": row.entries,
            "published_at": row.published_at.isoformat() if row.published_at else None}


@router.get("/rotation/plans/{plan_id}/ical")
def plan_ical(plan_id: str, db: SessionDep, _: StaffReader, judge: str | None = Query(None, max_length=64),
              center: str | None = Query(None, max_length=64)) -> Response:
    """The calendar (or one judge's / one center's part of it) as iCalendar (RFC 5545)."""
    row = _plan(db, plan_id)
    entries = [RotationSlot.model_validate(e) for e in row.entries]
    body = ical(current_scenario(db), entries, judge=judge, center=center)
    return Response(body, media_type="text/calendar")


@router.post("/rotation/plans/{plan_id}/publish")
def publish_plan(plan_id: str, db: SessionDep, who: CourtStaff) -> dict[str, Any]:
    """Make this plan the calendar in force: later solves place judges by it (one transaction)."""
    row = _plan(db, plan_id)
    if row.status not in ("optimal", "feasible"):
        raise Problem(409, f"rotation plan {plan_id!r} has no calendar to publish (status {row.status})")
    meta = db.get(Meta, "rotation")
    if meta is None:
        db.add(Meta(key="rotation", value=row.entries))
    else:
        meta.value = row.entries
    row.published_at = utcnow()
    bump_version(db)
    record(db, who, "publish_rotation", "rotation_plan", row.id, entries=len(row.entries))
    db.commit()
    return {"id": row.id, "published_at": row.published_at.isoformat(), "entries": len(row.entries)}
