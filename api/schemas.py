"""API schemas: what crosses HTTP. Kept apart from the solver's and the domain's objects."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from matcher.domain import Category, Party, RiskLevel, Role, TimeSlot
from matcher.domain.assignment import Seat
from matcher.domain.models import Id


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseCreate(_In):
    """Intake of a new dispute (首问负责: the receiving center)."""

    id: Id
    category: Category
    center: Id
    parties: list[Party] = Field(default_factory=list, max_length=50)
    received: dt.datetime
    deadline: dt.date
    risk: RiskLevel = RiskLevel.LOW
    needs_roles: list[Role] = Field(default_factory=lambda: [Role.MEDIATOR], min_length=1, max_length=8)
    needs_session: bool = True
    language: str = Field(default="zh", min_length=2, max_length=16)
    online_allowed: bool = True
    preferred_experts: list[Id] = Field(default_factory=list, max_length=20)
    excluded_experts: list[Id] = Field(default_factory=list, max_length=20)
    previous_experts: list[Id] = Field(default_factory=list, max_length=20)


class CaseUpdate(_In):
    deadline: dt.date | None = None
    risk: RiskLevel | None = None
    needs_roles: list[Role] | None = Field(default=None, min_length=1, max_length=8)
    online_allowed: bool | None = None
    excluded_experts: list[Id] | None = Field(default=None, max_length=20)


class CaseOut(BaseModel):
    id: str
    center: str
    status: Literal["open", "closed"]
    category: str
    sensitive: bool
    version: int
    case: dict[str, Any]


class LeaveAdd(_In):
    start: dt.date
    end: dt.date


class ProposalCreate(_In):
    horizon_days: int | None = Field(default=None, ge=1, le=92)
    time_limit_s: float | None = Field(default=None, gt=0, le=600)
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)


class JobOut(BaseModel):
    id: str
    kind: str
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    progress: float
    result_id: str | None
    error: str | None
    center_id: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None


class OverrideIn(_In):
    team: list[Seat] = Field(min_length=1, max_length=8)
    slot: TimeSlot | None = None
    room: int | None = Field(default=None, ge=0)
    online: bool = False
    reason: str = Field(min_length=3, max_length=2000, description="Why the proposal is overridden (required)")


class UserCreate(_In):
    id: Id
    name: str = Field(min_length=1, max_length=200)
    role: Literal["coordinator", "court_staff", "planner", "admin"]
    center_id: Id | None = None


class TokenOut(BaseModel):
    user_id: str
    token: str = Field(description="Shown once; only its hash is stored")
