"""The append-only audit trail: who proposed, accepted, overrode (with reason), viewed a sensitive case.

Details hold ids, counts and reasons only — never party names or phone numbers."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..db.models import AuditRow
from .scope import Principal


def record(db: Session, who: Principal, action: str, object_type: str, object_id: str, center_id: str | None = None, **detail: Any) -> None:
    db.add(AuditRow(actor=who.user_id, action=action, object_type=object_type, object_id=object_id, center_id=center_id, detail=detail))
