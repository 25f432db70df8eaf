from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from ..core.problems import Problem
from ..db.models import JobRow
from ..services.jobs import cancel
from ..deps import CurrentUser, SessionDep
from ..schemas import JobOut
from ..services.scope import Principal, visible_centers

router = APIRouter(prefix="/jobs", tags=["jobs"])


def _aware(t: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands timestamps back without their zone; every stored time is UTC.
    return t.replace(tzinfo=dt.timezone.utc) if t is not None and t.tzinfo is None else t


def job_out(j: JobRow) -> JobOut:
    return JobOut(id=j.id, kind=j.kind, status=j.status, progress=j.progress, result_id=j.result_id, error=j.error,  # type: ignore[arg-type]
                  center_id=j.center_id, created_at=_aware(j.created_at), finished_at=_aware(j.finished_at))


def _scoped_job(db, who: Principal, job_id: str) -> JobRow:  # type: ignore[no-untyped-def]
    job = db.get(JobRow, job_id)
    if job is None:
        raise Problem(404, f"job {job_id!r} not found")
    if who.is_admin or job.created_by == who.user_id:
        return job
    area = visible_centers(db, who)
    if who.role == "coordinator" and area is not None and job.center_id in area:
        return job
    raise Problem(404, f"job {job_id!r} not found")


@router.get("/{job_id}", response_model=JobOut)
def get_job(job_id: str, db: SessionDep, who: CurrentUser) -> JobOut:
    return job_out(_scoped_job(db, who, job_id))


@router.delete("/{job_id}", response_model=JobOut)
def cancel_job(job_id: str, db: SessionDep, who: CurrentUser) -> JobOut:
    """Cancel a queued or running job: its result, if it still comes, is discarded."""
    job = _scoped_job(db, who, job_id)
    if not cancel(db, job_id):
        db.rollback()
        db.refresh(job)
        raise Problem(409, f"job {job_id!r} is already {job.status}")
    db.commit()
    db.refresh(job)
    return job_out(job)
