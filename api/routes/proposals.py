"""The coordinator's workflow: request a proposal (a job) → read it → accept or override lines."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import json
from collections import OrderedDict

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from matcher.checker import check_assignment
from matcher.domain import AssignmentLine, AssignmentRequest

from ..core.problems import Problem
from ..db.models import AssignmentRow, CaseRow, CenterRow, JobRow, ProposalLineRow, ProposalRow
from ..deps import Coordinator, SessionDep, SettingsDep
from ..schemas import JobOut, OverrideIn, ProposalCreate
from ..services.audit import record
from ..services.recommend_cache import bump_version, stored_version
from ..services.scope import Principal, visible_centers
from ..services.store import announced_lines, current_scenario
from .jobs import job_out

router = APIRouter(tags=["proposals"])
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


@router.post("/centers/{center_id}/proposals", status_code=202, response_model=JobOut)
def request_proposal(
    center_id: str, request: Request, response: Response, db: SessionDep, who: Coordinator, settings: SettingsDep,
    body: ProposalCreate | None = None, idempotency_key: IdempotencyKey = None,
) -> JobOut:
    """Start a batch assignment for the center and its subtree. Returns the job (202)."""
    if db.get(CenterRow, center_id) is None:
        raise Problem(404, f"center {center_id!r} not found")
    area = visible_centers(db, who)
    if area is not None and center_id not in area:
        raise Problem(403, f"center {center_id!r} is outside your area")
    if idempotency_key:
        existing = db.scalar(select(JobRow).where(JobRow.created_by == who.user_id, JobRow.idempotency_key == idempotency_key))
        if existing is not None:
            response.headers["Location"] = f"/jobs/{existing.id}"
            return job_out(existing)
    runner = request.app.state.jobs
    if not runner.has_room():
        raise Problem(429, "too many jobs queued; try again later")
    body = body or ProposalCreate()
    job = JobRow(
        id=str(uuid.uuid4()), kind="assign", status="queued", progress=0.0, center_id=center_id, created_by=who.user_id,
        idempotency_key=idempotency_key,
        params={
            "center": center_id,
            "horizon_days": body.horizon_days or settings.horizon_days,
            "time_limit_s": body.time_limit_s or settings.solve_time_limit_s,
            "workers": settings.solve_workers,
            "seed": settings.solve_seed if body.seed is None else body.seed,
        },
    )
    db.add(job)
    record(db, who, "request_proposal", "job", job.id, center_id)
    try:
        db.commit()
    except IntegrityError:  # the same key raced in from a retry: answer with the first job
        db.rollback()
        existing = db.scalar(select(JobRow).where(JobRow.created_by == who.user_id, JobRow.idempotency_key == idempotency_key))
        if existing is None:
            raise
        return job_out(existing)
    runner.submit(job.id)
    response.headers["Location"] = f"/jobs/{job.id}"
    return job_out(job)


def _scoped_proposal(db, who: Principal, proposal_id: str) -> ProposalRow:  # type: ignore[no-untyped-def]
    row = db.get(ProposalRow, proposal_id)
    area = visible_centers(db, who)
    if row is None or (area is not None and row.center_id not in area):
        raise Problem(404, f"proposal {proposal_id!r} not found")
    return row


@router.get("/proposals/{proposal_id}", response_class=JSONResponse)
async def get_proposal(proposal_id: str, request: Request, db: SessionDep, who: Coordinator) -> Response:
    """The proposal with every line's explanation and acceptance, and the unassigned cases' reasons.

    A proposal changes only when one of its lines is accepted, which bumps the data version, so the
    serialised body is cached per (proposal, version) and a coordinator's page reloads cost no more
    than the access checks."""
    p = _scoped_proposal(db, who, proposal_id)
    key = (p.id, stored_version(db))
    cache: OrderedDict[tuple[str, int], bytes] = request.app.state.proposal_bodies
    body = cache.get(key)
    if body is None:
        accepted = {r.case_id for r in db.scalars(select(AssignmentRow).where(AssignmentRow.proposal_id == p.id))}
        lines = [
            {"case": ln.case_id, "line": ln.line, "explanation": ln.explanation, "accepted": ln.case_id in accepted}
            for ln in db.scalars(select(ProposalLineRow).where(ProposalLineRow.proposal_id == p.id).order_by(ProposalLineRow.case_id))
        ]
        body = json.dumps({
            "id": p.id, "center": p.center_id, "job": p.job_id, "status": p.status, "created_at": p.created_at.isoformat(),
            "summary": p.summary, "lines": lines, "unassigned": p.unassigned,
        }, ensure_ascii=False, separators=(",", ":")).encode()
        cache[key] = body
        while len(cache) > 64:
            cache.popitem(last=False)
    return Response(body, media_type="application/json")


def _violations_against_announced(db, line: AssignmentLine) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Does `line`, added to everything already announced, break a hard rule? (independent checker)"""
    scenario = current_scenario(db)
    announced = [AssignmentLine.model_validate(x) for x in announced_lines(db) if x["case"] != line.case]
    cases = tuple({ln.case for ln in announced} | {line.case})
    req = AssignmentRequest(cases=cases, horizon_start=scenario.today, horizon_days=92)
    report = check_assignment(scenario, req, [*announced, line])
    return [
        {"rule": v.rule, "case": v.case, "expert": v.expert, "message": v.message}
        for v in report.violations
        if v.case == line.case or (v.expert is not None and v.expert in line.experts)
    ]


def _announce(db, who: Principal, proposal: ProposalRow | None, line: AssignmentLine, *, reason: str | None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    case = db.get(CaseRow, line.case)
    if case is None or case.status != "open":
        raise Problem(409, f"case {line.case!r} is not open")
    existing = db.get(AssignmentRow, line.case)
    if existing is not None:
        if existing.accepted_by == who.user_id and existing.line == line.model_dump(mode="json"):
            return _assignment_out(existing)  # a retried accept: same answer, nothing new
        raise Problem(409, f"case {line.case!r} already has an announced assignment")
    violations = _violations_against_announced(db, line)
    if violations:
        raise Problem(422, f"the line breaks {len(violations)} hard rule(s): {violations[0]['message']}", violations=violations)
    row = AssignmentRow(case_id=line.case, proposal_id=proposal.id if proposal else None, line=line.model_dump(mode="json"),
                        accepted_by=who.user_id, overridden=reason is not None, reason=reason)
    bump_version(db)  # before the insert: its read must not autoflush the new row early
    db.add(row)
    if reason is None:
        record(db, who, "accept", "case", line.case, case.center_id, proposal=proposal.id if proposal else None)
    else:
        record(db, who, "override", "case", line.case, case.center_id, proposal=proposal.id if proposal else None, reason=reason)
    try:
        db.commit()  # the accepted line and its audit entry: one transaction
    except IntegrityError:
        db.rollback()
        raise Problem(409, f"case {line.case!r} already has an announced assignment") from None
    return _assignment_out(row)


def _assignment_out(row: AssignmentRow) -> dict[str, Any]:
    return {"case": row.case_id, "line": row.line, "proposal": row.proposal_id, "accepted_by": row.accepted_by,
            "overridden": row.overridden, "reason": row.reason}


@router.post("/proposals/{proposal_id}/lines/{case_id}/accept")
def accept_line(proposal_id: str, case_id: str, db: SessionDep, who: Coordinator) -> dict[str, Any]:
    """Announce the proposed line: it becomes pinned for every later solve."""
    p = _scoped_proposal(db, who, proposal_id)
    ln = db.get(ProposalLineRow, (p.id, case_id))
    if ln is None:
        raise Problem(404, f"proposal {proposal_id!r} has no line for case {case_id!r}")
    return _announce(db, who, p, AssignmentLine.model_validate(ln.line), reason=None)


@router.post("/proposals/{proposal_id}/lines/{case_id}/override")
def override_line(proposal_id: str, case_id: str, body: OverrideIn, db: SessionDep, who: Coordinator) -> dict[str, Any]:
    """Announce a different team/slot than proposed, with a required reason (audited)."""
    p = _scoped_proposal(db, who, proposal_id)
    in_proposal = db.get(ProposalLineRow, (p.id, case_id)) is not None or any(u.get("case") == case_id for u in p.unassigned)
    if not in_proposal:
        raise Problem(404, f"proposal {proposal_id!r} has no line for case {case_id!r}")
    line = AssignmentLine(case=case_id, team=tuple(body.team), slot=body.slot, room=body.room, online=body.online)
    return _announce(db, who, p, line, reason=body.reason)


@router.get("/assignments")
def list_assignments(db: SessionDep, who: Coordinator) -> list[dict[str, Any]]:
    area = visible_centers(db, who)
    q = select(AssignmentRow, CaseRow.center_id).join(CaseRow, CaseRow.id == AssignmentRow.case_id).order_by(AssignmentRow.case_id)
    if area is not None:
        q = q.where(CaseRow.center_id.in_(area))
    return [_assignment_out(a) for a, _ in db.execute(q)]


@router.get("/assignments/{case_id}")
def get_assignment(case_id: str, db: SessionDep, who: Coordinator) -> dict[str, Any]:
    row = db.get(AssignmentRow, case_id)
    case = db.get(CaseRow, case_id)
    area = visible_centers(db, who)
    if row is None or case is None or (area is not None and case.center_id not in area):
        raise Problem(404, f"no announced assignment for case {case_id!r}")
    return _assignment_out(row)
