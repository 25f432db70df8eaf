"""Service test fixtures: a fresh database per test, on SQLite and (when available) PostgreSQL.

`make test` starts a throwaway PostgreSQL (scripts/postgres.sh) and sets MATCHER_TEST_POSTGRES_URL;
without it the PostgreSQL half is skipped with a reason, never silently passed.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.core.config import Settings
from api.core.security import hash_token
from api.db.models import ApiKeyRow, UserRow
from api.db.session import make_engine, migrate, session_factory
from api.main import create_app
from api.services.store import seed_from_scenario

from worlds import tiny_world

SECRET = "test-secret-key-0123456789"
PG_URL = os.environ.get("MATCHER_TEST_POSTGRES_URL")

USERS = {
    # user id: (role, center, token)
    "admin": ("admin", None, "tok-admin"),
    "coordA": ("coordinator", "townA", "tok-coordA"),
    "coordA2": ("coordinator", "townA", "tok-coordA2"),
    "coordB": ("coordinator", "townB", "tok-coordB"),
    "court": ("court_staff", None, "tok-court"),
    "planner": ("planner", None, "tok-planner"),
}


def _fresh_postgres_db() -> str:
    name = f"matcher_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")  # type: ignore[arg-type]
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + "/" + name  # type: ignore[union-attr]


def _drop_postgres_db(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")  # type: ignore[arg-type]
    with admin.connect() as c:
        c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'matcher.sqlite'}"
        return
    if not PG_URL:
        pytest.skip("MATCHER_TEST_POSTGRES_URL not set (make test starts PostgreSQL and sets it)")
    url = _fresh_postgres_db()
    yield url
    _drop_postgres_db(url)


def seed_database(url: str) -> None:
    engine = make_engine(url)
    migrate(engine)
    sessions = session_factory(engine)
    with sessions.begin() as db:
        seed_from_scenario(db, tiny_world())
        for uid, (role, center, _tok) in USERS.items():
            db.add(UserRow(id=uid, name=uid, role=role, center_id=center))
        db.flush()
        for uid, (_r, _c, tok) in USERS.items():
            db.add(ApiKeyRow(user_id=uid, key_hash=hash_token(tok, SECRET)))
    engine.dispose()


def settings_for(url: str, **overrides) -> Settings:  # type: ignore[no-untyped-def]
    values = dict(environment="test", database_url=url, secret_key=SECRET, solve_time_limit_s=5.0, solve_workers=1)
    return Settings(**{**values, **overrides})


@dataclass
class Api:
    client: TestClient
    url: str

    def h(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {USERS[user][2]}"}

    def get(self, path: str, user: str, **kw):  # type: ignore[no-untyped-def]
        return self.client.get(path, headers=self.h(user), **kw)

    def post(self, path: str, user: str, **kw):  # type: ignore[no-untyped-def]
        headers = {**self.h(user), **kw.pop("headers", {})}
        return self.client.post(path, headers=headers, **kw)

    def wait_job(self, job_id: str, user: str, timeout: float = 60.0) -> dict:  # type: ignore[type-arg]
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            job = self.get(f"/jobs/{job_id}", user).json()
            if job["status"] not in ("queued", "running"):
                return job
            time.sleep(0.05)
        raise AssertionError(f"job {job_id} still {job['status']} after {timeout}s")

    def proposal(self, center: str = "townA", user: str = "coordA", **body) -> dict:  # type: ignore[no-untyped-def, type-arg]
        r = self.post(f"/centers/{center}/proposals", user, json=body or None)
        assert r.status_code == 202, r.text
        job = self.wait_job(r.json()["id"], user)
        assert job["status"] == "succeeded", job
        return self.get(f"/proposals/{job['result_id']}", user).json()


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    seed_database(database_url)
    app = create_app(settings_for(database_url))
    with TestClient(app) as client:
        yield Api(client, database_url)
