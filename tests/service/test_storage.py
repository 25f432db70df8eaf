"""Migrations match the models; settings refuse placeholder secrets outside development."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pydantic import ValidationError

from api.core.config import Settings
from api.db.models import Base
from api.db.session import make_engine, migrate


def test_migrations_produce_exactly_the_models_schema(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    migrate(engine)  # idempotent: a second start changes nothing
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_placeholder_secret_is_refused_in_production():
    with pytest.raises(ValidationError, match="MATCHER_SECRET_KEY must be set"):
        Settings(environment="production")
    with pytest.raises(ValidationError, match="MATCHER_SECRET_KEY must be set"):
        Settings(environment="production", secret_key="short")
    assert Settings(environment="production", secret_key="a-real-secret-of-32-characters!!").environment == "production"
    assert Settings(environment="development").secret_key == "change-me"  # allowed for local use


def test_settings_name_the_bad_field():
    with pytest.raises(ValidationError) as err:
        Settings(job_workers=0)
    assert err.value.errors()[0]["loc"] == ("job_workers",)
