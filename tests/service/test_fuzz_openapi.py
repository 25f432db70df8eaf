"""Property-based fuzzing of the whole OpenAPI schema (schemathesis): no 500s, responses match it.

Every operation is called with generated inputs as an admin (widest access) and as a town
coordinator (scoped access). The checks: no server error, and every documented response matches
its schema. Undocumented 4xx statuses (401/403/404/409/413/422 as problem details) are expected
answers to random input, so the status-code and content-type conformance checks are left out.
(Schemathesis' pytest plugin does not run under pytest 9, so each operation's Hypothesis strategy
is drawn from directly.)
"""

from __future__ import annotations

import atexit
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.main import create_app

from .conftest import PG_URL, USERS, _drop_postgres_db, _fresh_postgres_db, seed_database, settings_for

_DIR = tempfile.TemporaryDirectory(prefix="matcher-fuzz-")
# PostgreSQL when make test provides it (it rejects what SQLite lets through, e.g. NUL bytes).
_URL = _fresh_postgres_db() if PG_URL else f"sqlite:///{Path(_DIR.name) / 'fuzz.sqlite'}"
seed_database(_URL)
# Short solves: the fuzzer may start many proposal jobs.
_APP = create_app(settings_for(_URL, solve_time_limit_s=1.0, job_queue_limit=1000))
if PG_URL:
    atexit.register(_drop_postgres_db, _URL)
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", _APP)
OPERATIONS = {op.ok().label: op.ok() for op in SCHEMA.get_all_operations()}


@pytest.mark.parametrize("user", ["admin", "coordA"])
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_operation_never_fails_and_matches_schema(label: str, user: str) -> None:
    operation = OPERATIONS[label]

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = data.draw(operation.as_strategy())
        case.call_and_validate(
            headers={"Authorization": f"Bearer {USERS[user][2]}"},
            checks=[not_a_server_error, response_schema_conformance],
        )

    run()


def test_every_route_is_fuzzed() -> None:
    assert len(OPERATIONS) >= 20, sorted(OPERATIONS)
