from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from ..core.problems import Problem
from ..db.models import CenterRow
from ..deps import CurrentUser, SessionDep

router = APIRouter(prefix="/centers", tags=["centers"])


@router.get("")
def list_centers(db: SessionDep, _: CurrentUser) -> list[dict[str, Any]]:
    """The center tree is not personal data: every signed-in role may read it."""
    return [r.data for r in db.scalars(select(CenterRow).order_by(CenterRow.id))]


@router.get("/{center_id}")
def get_center(center_id: str, db: SessionDep, _: CurrentUser) -> dict[str, Any]:
    row = db.get(CenterRow, center_id)
    if row is None:
        raise Problem(404, f"center {center_id!r} not found")
    return row.data
