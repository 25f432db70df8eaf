"""Long work runs as jobs outside the request: a bounded pool of worker threads.

A job's row is the source of truth. Its result is written in the same transaction that marks it
succeeded, and only if it is still running then (a cancelled job never gets a result). Jobs left
queued or running by a crash are marked failed on the next start (:meth:`JobRunner.recover`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ..db.models import JobRow, utcnow

log = logging.getLogger("matcher.api.jobs")

#: A job handler computes in its own session and returns a function that writes the result inside
#: the finishing transaction (returning the result id).
Handler = Callable[[Session, JobRow], Callable[[Session], str | None]]

ACTIVE = ("queued", "running")


class JobRunner:
    def __init__(self, sessions: sessionmaker[Session], handlers: dict[str, Handler], workers: int, queue_limit: int) -> None:
        self._sessions = sessions
        self._handlers = handlers
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._queue_limit = queue_limit
        self._pending = 0
        self._lock = threading.Lock()

    def recover(self) -> int:
        """Fail the jobs a previous process left unfinished (it was killed mid-way)."""
        with self._sessions.begin() as db:
            res = db.execute(
                update(JobRow)
                .where(JobRow.status.in_(ACTIVE))
                .values(status="failed", error="interrupted: the server stopped before the job finished", finished_at=utcnow())
            )
            return int(res.rowcount or 0)

    def has_room(self) -> bool:
        with self._lock:
            return self._pending < self._queue_limit

    def submit(self, job_id: str) -> None:
        with self._lock:
            self._pending += 1
            if self._pool is None:  # first use, or the app was shut down and started again
                self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="matcher-job")
            pool = self._pool
        pool.submit(self._run, job_id)

    def shutdown(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, job_id: str) -> None:
        try:
            self._execute(job_id)
        finally:
            with self._lock:
                self._pending -= 1

    def _execute(self, job_id: str) -> None:
        # Every status change is a compare-and-set UPDATE, so a cancel that lands between two steps
        # is never overwritten (no read-then-write races, on SQLite or PostgreSQL).
        with self._sessions.begin() as db:
            if not _transition(db, job_id, "queued", status="running", started_at=utcnow(), progress=0.1):
                return
        try:
            with self._sessions() as db:
                job = db.get(JobRow, job_id)
                assert job is not None
                write = self._handlers[job.kind](db, job)
            with self._sessions.begin() as db:
                # Claim the finish first: if the job was cancelled meanwhile, nothing is written.
                if not _transition(db, job_id, "running", status="succeeded", progress=1.0, finished_at=utcnow()):
                    return
                result_id = write(db)
                db.execute(update(JobRow).where(JobRow.id == job_id).values(result_id=result_id))
        except Exception as exc:  # a failed job is reported, never lost
            log.warning("job %s failed: %s", job_id, type(exc).__name__, exc_info=True)
            with self._sessions.begin() as db:
                _transition(db, job_id, "running", status="failed", error=f"{type(exc).__name__}: {_safe(exc)}", finished_at=utcnow())


def _transition(db: Session, job_id: str, expected: str | tuple[str, ...], **values: Any) -> bool:
    """Set `values` on the job only if its status is still `expected`; True if it was."""
    states = (expected,) if isinstance(expected, str) else expected
    res = db.execute(update(JobRow).where(JobRow.id == job_id, JobRow.status.in_(states)).values(**values))
    return bool(res.rowcount)


def cancel(db: Session, job_id: str) -> bool:
    """Cancel a queued or running job; False if it had already finished."""
    return _transition(db, job_id, ACTIVE, status="cancelled", finished_at=utcnow())


def _safe(exc: Exception) -> str:
    # Exception text from the library names fields and ids, never party names; keep it short.
    return str(exc).splitlines()[0][:500] if str(exc) else ""


def active_jobs(db: Session) -> list[JobRow]:
    return list(db.scalars(select(JobRow).where(JobRow.status.in_(ACTIVE))))


def job_params(job: JobRow) -> dict[str, Any]:
    return dict(job.params or {})
