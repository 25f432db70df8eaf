"""Service settings, read from the environment (prefix ``MATCHER_``) and validated at start-up."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHER_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./matcher.sqlite"
    secret_key: str = Field(
        default=PLACEHOLDER_SECRET, description="Pepper for API-key hashes; must be set outside development"
    )
    scenario: str = Field(default="baoan", description="Scenario loaded into an empty database")
    bootstrap_admin_token: str | None = Field(
        default=None, description="If set, an admin API key with this token is created on an empty database"
    )
    max_request_bytes: int = Field(default=1_000_000, ge=1024)
    job_workers: int = Field(default=1, ge=1, le=16, description="Jobs run at once (bounded concurrency)")
    job_queue_limit: int = Field(default=32, ge=1, description="Queued jobs beyond which new ones get 429")
    solve_time_limit_s: float = Field(default=10.0, gt=0)
    solve_workers: int = Field(default=2, ge=1, le=64)
    solve_seed: int = Field(default=0, ge=0)
    horizon_days: int = Field(default=10, ge=1, le=92)

    @model_validator(mode="after")
    def _no_placeholder_secret_outside_development(self) -> Settings:
        if self.environment == "production" and (self.secret_key == PLACEHOLDER_SECRET or len(self.secret_key) < 16):
            raise ValueError(
                "MATCHER_SECRET_KEY must be set to a real secret (16+ characters) when MATCHER_ENVIRONMENT=production"
            )
        return self
