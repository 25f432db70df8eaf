"""One Recommender per process, rebuilt only when the stored data changed.

Every write that can change a recommendation (cases, leave, announced lines) bumps the ``version``
row in ``meta`` in its own transaction; a query compares it with the version the cached index was
built from (one indexed read), so answers are never stale and usually take milliseconds."""

from __future__ import annotations

import gc
import threading

from sqlalchemy.orm import Session

from matcher.domain import AssignmentLine
from matcher.recommend import Recommender

from ..db.models import Meta
from .store import announced_lines, current_scenario

VERSION_KEY = "version"


def bump_version(db: Session) -> None:
    row = db.get(Meta, VERSION_KEY)
    if row is None:
        db.add(Meta(key=VERSION_KEY, value=1))
    else:
        row.value = int(row.value) + 1


def stored_version(db: Session) -> int:
    row = db.get(Meta, VERSION_KEY)
    return int(row.value) if row is not None else 0


class RecommenderCache:
    def __init__(self, horizon_days: int) -> None:
        self._horizon_days = horizon_days
        self._lock = threading.Lock()
        self._version: int | None = None
        self._recommender: Recommender | None = None

    def get(self, db: Session) -> Recommender:
        version = stored_version(db)
        with self._lock:
            if self._recommender is None or self._version != version:
                scenario = current_scenario(db)
                lines = [AssignmentLine.model_validate(x) for x in announced_lines(db)]
                self._recommender = Recommender(scenario, tuple(lines), horizon_days=self._horizon_days)
                self._version = version
                # The index holds thousands of long-lived objects; without this every full
                # garbage collection walks them all and stalls requests for hundreds of ms.
                gc.collect()
                gc.freeze()
            return self._recommender
