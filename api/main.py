"""The application factory: settings → database (migrated, seeded) → job runner → routers."""

from __future__ import annotations

import logging
from collections import OrderedDict
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from sqlalchemy import func, select
from starlette.types import ASGIApp, Receive, Scope, Send

from .core import problems
from .core.config import Settings
from .core.problems import problem_response
from .core.security import hash_token
from .db.models import ApiKeyRow, CenterRow, UserRow
from .db.session import make_engine, migrate, session_factory
from .routes import admin, cases, centers, experts, jobs, proposals, rotation, simulations
from .services.jobs import JobRunner
from .services.proposals import run_assign_job
from .services.recommend_cache import RecommenderCache
from .services.rotation_plans import run_rotate_job
from .services.simulations import run_compare_job
from .services.store import seed_from_scenario
from .web import mount as mount_web_pages, run_replan_job

log = logging.getLogger("matcher.api")


class BodyLimit:
    """413 for bodies over the limit, by Content-Length or by counting a streamed body."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                return await problem_response(413, f"request body over {self.limit} bytes")(scope, receive, send)
        seen = 0

        async def limited() -> dict:  # type: ignore[type-arg]
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return msg

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await problem_response(413, f"request body over {self.limit} bytes")(scope, receive, send)


class _TooLarge(Exception):
    pass


def bootstrap(settings: Settings):  # type: ignore[no-untyped-def]
    """Migrate the database; on an empty one, load the default scenario and the admin key."""
    engine = make_engine(settings.database_url)
    migrate(engine)
    sessions = session_factory(engine)
    with sessions.begin() as db:
        if db.scalar(select(func.count()).select_from(CenterRow)) == 0:
            from matcher.scenarios import load_scenario

            seed_from_scenario(db, load_scenario(settings.scenario))
        if settings.bootstrap_admin_token and db.get(UserRow, "admin") is None:
            db.add(UserRow(id="admin", name="Administrator", role="admin", center_id=None))
            db.flush()
            db.add(ApiKeyRow(user_id="admin", key_hash=hash_token(settings.bootstrap_admin_token, settings.secret_key)))
    return engine, sessions


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine, sessions = bootstrap(settings)
    runner = JobRunner(sessions, {"assign": run_assign_job, "rotate": run_rotate_job, "compare": run_compare_job, "replan": run_replan_job}, workers=settings.job_workers, queue_limit=settings.job_queue_limit)
    recovered = runner.recover()
    if recovered:
        log.warning("%d unfinished job(s) from a previous run marked failed", recovered)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        yield
        runner.shutdown()
        engine.dispose()

    app = FastAPI(title="matcher", version="0.1.0", lifespan=lifespan,
                  description="Expert matching and judge rotation for dispute-resolution centers (多元调处中心).")
    app.state.settings, app.state.engine, app.state.sessions, app.state.jobs = settings, engine, sessions, runner
    app.state.recommender = RecommenderCache(settings.horizon_days)
    app.state.proposal_bodies = OrderedDict()  # serialised proposals by (id, data version)
    problems.install(app)
    for r in (centers.router, experts.router, cases.router, proposals.router, jobs.router, admin.router, rotation.router,
              simulations.router):
        app.include_router(r)

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    mount_web_pages(app)  # the pages for coordinators, court staff and planners (/web)

    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    return app


