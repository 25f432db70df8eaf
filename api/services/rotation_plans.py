"""Rotation plans as jobs: plan with the rotation library, store the calendar, publish on request."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session

from matcher.rotation import RotationParams, plan_rotation
from matcher.rotation.checker import check_rotation
from matcher.rotation.export import coverage

from ..db.models import JobRow, RotationPlanRow
from .store import current_scenario


def rotation_summary(scenario, result, entries, check) -> dict:  # type: ignore[no-untyped-def]
    """What a stored rotation plan says about its solve: status figures, checker verdict, coverage.
    Shared by planning and re-planning jobs so both report the same fields."""
    return {
        "start": result.start.isoformat(), "weeks": result.weeks, "reason": result.reason,
        "objective": result.objective, "terms": result.terms, "bound": result.bound, "gap": result.gap,
        "solve_seconds": result.solve_seconds, "first_feasible_seconds": result.first_feasible_seconds,
        "seed": result.seed,
        "checker": None if check is None else ("ok" if check.ok else [v.message for v in check.violations[:20]]),
        "coverage": coverage(scenario, entries, result.start, result.weeks),
    }


def run_rotate_job(db: Session, job: JobRow) -> Callable[[Session], str | None]:
    params = dict(job.params)
    scenario = current_scenario(db)
    result = plan_rotation(
        scenario, params["weeks"], None,
        params=RotationParams(time_limit_s=params["time_limit_s"], workers=params["workers"], seed=params["seed"]),
    )
    check = check_rotation(scenario, result.entries, result.start, result.weeks) if result.ok else None

    def write(tx: Session) -> str:
        plan_id = str(uuid.uuid4())
        tx.add(RotationPlanRow(
            id=plan_id, job_id=job.id, created_by=job.created_by, status=result.status.value,
            summary=rotation_summary(scenario, result, result.entries, check),
            entries=[e.model_dump(mode="json") for e in result.entries],
        ))
        return plan_id

    return write
