from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import ValidationError
from sqlalchemy import select

from matcher.domain import Case, Expert

from ..core.problems import Problem
from ..db.models import AssignmentRow, CaseRow, CenterRow, ExpertRow, utcnow
from ..deps import Coordinator, SessionDep
from ..schemas import CaseCreate, CaseOut, CaseUpdate
from ..services.audit import record
from ..services.recommend_cache import bump_version
from ..services.proposals import explain
from ..services.scope import Principal, visible_centers
from ..services.store import case_row, is_sensitive

router = APIRouter(prefix="/cases", tags=["cases"])


def _out(row: CaseRow) -> CaseOut:
    return CaseOut(id=row.id, center=row.center_id, status=row.status, category=row.category, sensitive=row.sensitive, version=row.version, case=row.data)  # type: ignore[arg-type]


def scoped_case(db, who: Principal, case_id: str) -> CaseRow:  # type: ignore[no-untyped-def]
    """The case, if it exists and lies in the caller's area. Outside the area it is 404 like a missing
    one (no probing of other towns' case ids) for coordinators."""
    row = db.get(CaseRow, case_id)
    area = visible_centers(db, who)
    if row is None or (area is not None and row.center_id not in area):
        raise Problem(404, f"case {case_id!r} not found")
    return row


def _check_references(db, case: Case) -> None:  # type: ignore[no-untyped-def]
    if db.get(CenterRow, case.center) is None:
        raise Problem(422, f"center = {case.center!r}: unknown center id", errors=[{"field": "center", "value": case.center, "message": "unknown center id"}])
    for field in ("preferred_experts", "excluded_experts", "previous_experts"):
        for i, ident in enumerate(getattr(case, field)):
            if db.get(ExpertRow, ident) is None:
                raise Problem(422, f"{field}.{i} = {ident!r}: unknown expert id", errors=[{"field": f"{field}.{i}", "value": ident, "message": "unknown expert id"}])
    for i, role in enumerate(case.needs_roles):
        candidates = (Expert.model_validate(d) for d in db.scalars(select(ExpertRow.data)))
        if not any(e.can_fill(role, case.category) for e in candidates):
            raise Problem(
                422,
                f"category = {case.category.value!r}: no expert can fill the {role.value} seat (needs_roles.{i})",
                errors=[{"field": "category", "value": case.category.value, "message": f"no expert can fill the {role.value} seat"}],
            )


@router.get("", response_model=list[CaseOut])
def list_cases(
    db: SessionDep, who: Coordinator, status: str | None = Query(None, pattern="^(open|closed)$"),
    limit: int = Query(200, ge=1, le=5000), offset: int = Query(0, ge=0, le=1_000_000),
) -> list[CaseOut]:
    """Cases of the caller's center and its subtree. Party details stay in the single-case view."""
    area = visible_centers(db, who)
    q = select(CaseRow).order_by(CaseRow.id).limit(limit).offset(offset)
    if area is not None:
        q = q.where(CaseRow.center_id.in_(area))
    if status:
        q = q.where(CaseRow.status == status)
    out = []
    for row in db.scalars(q):
        o = _out(row)
        o.case = {k: v for k, v in row.data.items() if k != "parties"}
        out.append(o)
    return out


@router.post("", status_code=201, response_model=CaseOut)
def create_case(body: CaseCreate, db: SessionDep, who: Coordinator, response: Response) -> CaseOut:
    area = visible_centers(db, who)
    if area is not None and body.center not in area:
        raise Problem(403, f"center {body.center!r} is outside your area")
    case = Case.model_validate(body.model_dump(mode="json"))
    if db.get(CaseRow, case.id) is not None:
        raise Problem(409, f"case {case.id!r} already exists")
    _check_references(db, case)
    row = case_row(case)
    db.add(row)
    bump_version(db)
    record(db, who, "create_case", "case", case.id, case.center)
    db.commit()
    response.headers["Location"] = f"/cases/{case.id}"
    return _out(row)


@router.get("/{case_id}", response_model=CaseOut)
def get_case(case_id: str, db: SessionDep, who: Coordinator) -> CaseOut:
    row = scoped_case(db, who, case_id)
    if row.sensitive:
        record(db, who, "view_sensitive_case", "case", row.id, row.center_id)
        db.commit()
    return _out(row)


@router.patch("/{case_id}", response_model=CaseOut)
def update_case(case_id: str, body: CaseUpdate, db: SessionDep, who: Coordinator) -> CaseOut:
    row = scoped_case(db, who, case_id)
    if row.status != "open":
        raise Problem(409, f"case {case_id!r} is closed")
    changes = body.model_dump(mode="json", exclude_none=True)
    try:
        case = Case.model_validate({**row.data, **changes})
    except ValidationError:
        raise
    _check_references(db, case)
    row.data, row.sensitive, row.version, row.updated_at = case.model_dump(mode="json"), is_sensitive(case), row.version + 1, utcnow()
    bump_version(db)
    record(db, who, "update_case", "case", row.id, row.center_id, fields=sorted(changes))
    db.commit()
    return _out(row)


@router.post("/{case_id}/close", response_model=CaseOut)
def close_case(case_id: str, db: SessionDep, who: Coordinator) -> CaseOut:
    row = scoped_case(db, who, case_id)
    if row.status == "closed":
        raise Problem(409, f"case {case_id!r} is already closed")
    row.status, row.version, row.updated_at = "closed", row.version + 1, utcnow()
    bump_version(db)
    record(db, who, "close_case", "case", row.id, row.center_id)
    db.commit()
    return _out(row)


@router.get("/{case_id}/recommendations")
async def recommend_for_case(case_id: str, request: Request, db: SessionDep, who: Coordinator, k: int = Query(5, ge=1, le=20)) -> dict[str, Any]:
    """The best `k` teams for one open case, each at its earliest feasible slot, given every
    announced assignment (synchronous: answered from an index of the current plan).

    Runs on the event loop: a few indexed reads and about a millisecond of numpy, cheaper than a
    thread-pool hop; the index rebuild after a data change is the one slow call."""
    row = scoped_case(db, who, case_id)
    if row.status != "open":
        raise Problem(409, f"case {case_id!r} is closed")
    if db.get(AssignmentRow, case_id) is not None:
        raise Problem(409, f"case {case_id!r} already has an announced assignment")
    recommender = request.app.state.recommender.get(db)
    result = recommender.recommend(Case.model_validate(row.data), k)
    return {
        "case": case_id,
        "recommendations": [
            {"line": r.line.model_dump(mode="json"), "cost": r.cost, "terms": r.terms,
             "explanation": explain(recommender.scenario, r.line)}
            for r in result.recommendations
        ],
        "reasons": list(result.reasons),
        "seconds": round(result.seconds, 6),
    }
