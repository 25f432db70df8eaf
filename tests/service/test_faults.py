"""Faults: the server SIGKILLed in the middle of a batch job, then restarted."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
import sqlalchemy as sa

from api.db.session import make_engine, migrate, session_factory
from api.db.models import ApiKeyRow, UserRow
from api.core.security import hash_token
from api.services.store import seed_from_scenario

from .conftest import SECRET, USERS
from worlds import medium_world


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(url: str, port: int) -> subprocess.Popen:  # type: ignore[type-arg]
    env = {**os.environ, "MATCHER_DATABASE_URL": url, "MATCHER_SECRET_KEY": SECRET, "MATCHER_ENVIRONMENT": "test",
           "MATCHER_SOLVE_TIME_LIMIT_S": "60", "MATCHER_SOLVE_WORKERS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "api.main:create_app", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    end = time.monotonic() + 60
    while time.monotonic() < end:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
        if proc.poll() is not None:
            raise AssertionError(proc.stderr.read().decode() if proc.stderr else "server exited")
    proc.kill()
    raise AssertionError("server did not start")


@pytest.mark.slow
def test_sigkill_mid_job_leaves_no_half_written_proposal(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    with session_factory(engine).begin() as db:
        seed_from_scenario(db, medium_world())
        db.add(UserRow(id="coordA", name="c", role="coordinator", center_id="dist"))  # district coordinator
        db.flush()
        db.add(ApiKeyRow(user_id="coordA", key_hash=hash_token(USERS["coordA"][2], SECRET)))
    engine.dispose()
    port = _free_port()
    auth = {"Authorization": f"Bearer {USERS['coordA'][2]}"}
    server = _start(database_url, port)
    try:
        r = httpx.post(f"http://127.0.0.1:{port}/centers/dist/proposals", headers=auth, json={"time_limit_s": 60}, timeout=10)
        assert r.status_code == 202, r.text
        job_id = r.json()["id"]
        end = time.monotonic() + 30
        while httpx.get(f"http://127.0.0.1:{port}/jobs/{job_id}", headers=auth).json()["status"] != "running":
            assert time.monotonic() < end, "job never started"
            time.sleep(0.02)
        time.sleep(0.5)  # inside the solve
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
    finally:
        if server.poll() is None:
            server.kill()
    server = _start(database_url, port)
    try:
        job = httpx.get(f"http://127.0.0.1:{port}/jobs/{job_id}", headers=auth).json()
        assert job["status"] == "failed" and "interrupted" in job["error"] and job["result_id"] is None
    finally:
        server.terminate()
        server.wait(timeout=10)
    engine = make_engine(database_url)
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM proposals")).scalar() == 0
        assert c.execute(sa.text("SELECT count(*) FROM proposal_lines")).scalar() == 0
        assert c.execute(sa.text("SELECT count(*) FROM assignments")).scalar() == 0
        if engine.dialect.name == "sqlite":
            assert c.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
            assert c.execute(sa.text("PRAGMA foreign_key_check")).fetchall() == []
        else:
            # Every proposal line belongs to a proposal, every proposal to a finished job.
            orphans = c.execute(sa.text(
                "SELECT count(*) FROM proposal_lines l LEFT JOIN proposals p ON p.id = l.proposal_id WHERE p.id IS NULL"
            )).scalar()
            assert orphans == 0
        assert c.execute(sa.text("SELECT count(*) FROM cases")).scalar() == 404  # nothing stored was lost
    engine.dispose()
