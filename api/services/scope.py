"""Who may see what: a coordinator's area is their center and everything below it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import CenterRow


@dataclass(frozen=True)
class Principal:
    user_id: str
    role: str  # coordinator | court_staff | planner | admin
    center_id: str | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def subtree_ids(db: Session, root: str) -> set[str]:
    children: dict[str | None, list[str]] = {}
    for cid, parent in db.execute(select(CenterRow.id, CenterRow.parent_id)):
        children.setdefault(parent, []).append(cid)
    out, stack = set(), [root]
    while stack:
        c = stack.pop()
        if c in out:
            continue
        out.add(c)
        stack.extend(children.get(c, ()))
    return out


def visible_centers(db: Session, who: Principal) -> set[str] | None:
    """Centers whose cases `who` may read and assign; None means all (admin)."""
    if who.is_admin:
        return None
    if who.role == "coordinator" and who.center_id:
        return subtree_ids(db, who.center_id)
    return set()
