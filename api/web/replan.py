"""Re-plan a rotation calendar after a judge is marked absent (a job, like planning one).

The rotation library's ``replan_rotation`` keeps everything before the absence, re-plans the rest and
changes little; the result is stored as a new rotation plan whose summary lists the changes."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session

from matcher.domain import DateRange, RotationSlot
from matcher.rotation import RotationParams
from matcher.rotation.checker import check_rotation
from matcher.rotation.judges import replan_rotation

from ..core.config import Settings
from ..core.problems import Problem
from ..db.models import JobRow, RotationPlanRow
from ..services.audit import record
from ..services.rotation_plans import rotation_summary
from ..services.scope import Principal
from ..services.store import current_scenario


def request_replan(db: Session, who: Principal, runner, settings: Settings, plan_id: str, judge: str,  # type: ignore[no-untyped-def]
                   start: dt.date, end: dt.date) -> JobRow:
    """Queue the re-plan of `plan_id` with `judge` absent from `start` to `end` (inclusive)."""
    base = db.get(RotationPlanRow, plan_id)
    if base is None:
        raise Problem(404, f"rotation plan {plan_id!r} not found")
    if end < start:
        raise Problem(422, f"end = {end.isoformat()}: before start = {start.isoformat()}")
    if judge not in {e.id for e in current_scenario(db).judges}:
        raise Problem(422, f"judge = {judge!r}: not a judge")
    if not runner.has_room():
        raise Problem(429, "too many jobs queued; try again later")
    job = JobRow(id=str(uuid.uuid4()), kind="replan", status="queued", progress=0.0, created_by=who.user_id,
                 params={"plan": plan_id, "judge": judge, "start": start.isoformat(), "end": end.isoformat(),
                         "time_limit_s": settings.solve_time_limit_s, "workers": settings.solve_workers, "seed": settings.solve_seed})
    db.add(job)
    record(db, who, "request_rotation_replan", "job", job.id, plan=plan_id, judge=judge)
    db.commit()
    runner.submit(job.id)
    return job


def run_replan_job(db: Session, job: JobRow) -> Callable[[Session], str | None]:
    params = dict(job.params)
    base = db.get(RotationPlanRow, params["plan"])
    assert base is not None
    scenario = current_scenario(db)
    start, weeks = dt.date.fromisoformat(base.summary["start"]), int(base.summary["weeks"])
    absent = DateRange(start=dt.date.fromisoformat(params["start"]), end=dt.date.fromisoformat(params["end"]))
    result = replan_rotation(
        scenario, [RotationSlot.model_validate(e) for e in base.entries], params["judge"], absent, weeks=weeks, start=start,
        params=RotationParams(time_limit_s=params["time_limit_s"], workers=params["workers"], seed=params["seed"]),
    )
    check = check_rotation(scenario, result.entries, result.start, result.weeks, absences=[(params["judge"], absent)]) if result.ok else None

    entries, changes = list(result.entries), [c.model_dump(mode="json") for c in result.changes]
    if not result.ok:
        # No calendar meets every rule without the judge: show the one in force minus the absence,
        # so the uncovered weeks stand out (and the reason says why), rather than an empty grid.
        base_entries = [RotationSlot.model_validate(e) for e in base.entries]
        gone = [e for e in base_entries if e.judge == params["judge"] and absent.start <= e.slot.date <= absent.end]
        entries = [e for e in base_entries if e not in gone]
        changes = [{"slot": e.slot.model_dump(mode="json"), "judge": e.judge, "before": e.center, "after": None} for e in gone]

    def write(tx: Session) -> str:
        plan_id = str(uuid.uuid4())
        tx.add(RotationPlanRow(
            id=plan_id, job_id=job.id, created_by=job.created_by, status=result.status.value,
            summary={
                **rotation_summary(scenario, result, entries, check),
                "replanned_from": base.id,
                "absence": {"judge": params["judge"], "start": params["start"], "end": params["end"]},
                "changes": changes,
                "unresolved": not result.ok,
            },
            entries=[e.model_dump(mode="json") for e in entries],
        ))
        return plan_id

    return write

