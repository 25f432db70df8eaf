"""The entities: centers, courts, experts, parties and cases. Immutable and validated on construction.

Field-level rules live here; rules that need more than one entity (an unknown center id, a parent
cycle, a category no expert can serve) live in :mod:`matcher.domain.scenario`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_serializer, model_validator

from .enums import INDUSTRY_CATEGORIES, Category, CenterLevel, Qualification, RiskLevel, Role
from .time import DateRange, WeeklySlot, working_week

Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")]
Proficiency = Annotated[int, Field(ge=1, le=5)]
LanguageCode = Annotated[str, StringConstraints(min_length=2, max_length=16)]

#: Roles whose seat must be filled by someone who covers the case's category. Counselors, judges,
#: police and the like serve every category (their proficiency, if listed, still scores).
CATEGORY_BOUND_ROLES: frozenset[Role] = frozenset(
    {Role.MEDIATOR, Role.INDUSTRY_MEDIATOR, Role.LAWYER, Role.ARBITRATOR}
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Center(_Frozen):
    """A place where disputes are received and sessions held (调处中心 / 分中心 / 调处站)."""

    id: Id
    name: str = Field(min_length=1)
    level: CenterLevel
    parent: Id | None = None
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    rooms: int = Field(default=1, ge=0, description="Mediation rooms that can host a session at once")
    opening: tuple[WeeklySlot, ...] = Field(default_factory=working_week)
    platforms: tuple[Category, ...] = Field(
        default=(), description="Industry platforms hosted here (e.g. Bao'an's six professional platforms)"
    )
    judge_halfdays_per_week: int = Field(
        default=0, ge=0, le=14, description="Judge half-days the center needs each week (轮驻 coverage)"
    )
    fixed_judge_slots: tuple[WeeklySlot, ...] = Field(
        default=(), description="Weekly half-days on which the center asks for its judge (fixed rotation day)"
    )

    @model_validator(mode="after")
    def _fixed_slots_are_open(self) -> Center:
        closed = [str(s) for s in self.fixed_judge_slots if s not in self.opening]
        if closed:
            raise ValueError(f"fixed_judge_slots {closed} fall outside the center's opening hours")
        if len(self.fixed_judge_slots) > self.judge_halfdays_per_week:
            raise ValueError(
                f"fixed_judge_slots has {len(self.fixed_judge_slots)} slots but judge_halfdays_per_week "
                f"is {self.judge_halfdays_per_week}"
            )
        return self


class Court(_Frozen):
    """A court or people's tribunal (人民法庭) that sends judges out on rotation."""

    id: Id
    name: str = Field(min_length=1)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    center: Id | None = Field(default=None, description="The sub-center housed at this court, if any")


class Expert(_Frozen):
    """Someone who can take a seat in a case's team: mediator, lawyer, counselor, judge, ..."""

    id: Id
    name: str = Field(min_length=1)
    role: Role
    categories: dict[Category, Proficiency] = Field(
        default_factory=dict, description="Dispute categories covered, with proficiency 1 (novice) to 5 (expert)"
    )
    industry: Category | None = Field(default=None, description="For industry mediators: their industry")
    languages: tuple[LanguageCode, ...] = ("zh",)
    home_center: Id
    max_travel_minutes: int = Field(default=60, ge=0, le=24 * 60)
    online_capable: bool = True
    max_open_cases: int = Field(default=20, ge=1)
    open_cases: int = Field(default=0, ge=0, description="Cases already held before this plan")
    max_sessions_per_week: int = Field(default=10, ge=1)
    sessions_this_week: int = Field(
        default=0, ge=0,
        description="Sessions already held earlier in the ISO week of the scenario's `today` (before the plan); "
        "they count against max_sessions_per_week in that week",
    )
    availability: tuple[WeeklySlot, ...] = Field(default_factory=working_week)
    leave: tuple[DateRange, ...] = ()
    affiliations: tuple[str, ...] = Field(default=(), description="Organizations: conflict of interest")
    qualifications: frozenset[Qualification] = frozenset()
    # Judges only (轮驻).
    court: Id | None = None
    court_days: tuple[WeeklySlot, ...] = Field(default=(), description="Half-days sitting in court")
    serves_centers: tuple[Id, ...] = Field(default=(), description="Centers the judge may rotate to; empty = any")
    max_rotation_halfdays_per_week: int = Field(default=4, ge=0, le=14)
    max_rotation_halfdays_per_month: int = Field(default=12, ge=0, le=62)
    preferred_centers: tuple[Id, ...] = ()

    @field_serializer("qualifications")
    def _sorted_qualifications(self, value: frozenset[Qualification]) -> list[str]:
        # A set has no order; files and API answers must not depend on the process's hash seed.
        return sorted(q.value for q in value)

    @model_validator(mode="after")
    def _role_specific_fields(self) -> Expert:
        if self.open_cases > self.max_open_cases:
            raise ValueError(f"open_cases {self.open_cases} exceeds max_open_cases {self.max_open_cases}")
        if self.role == Role.INDUSTRY_MEDIATOR:
            if self.industry is None:
                raise ValueError("industry is required for an industry_mediator")
            if self.industry not in INDUSTRY_CATEGORIES:
                raise ValueError(f"industry {self.industry.value!r} is not an industry category")
            if self.industry not in self.categories:
                raise ValueError(f"industry {self.industry.value!r} must be among categories")
        elif self.industry is not None:
            raise ValueError(f"industry {self.industry.value!r} is only for industry_mediator, not {self.role.value}")
        if self.role == Role.JUDGE:
            if self.court is None:
                raise ValueError("court is required for a judge")
        elif self.court is not None or self.court_days:
            raise ValueError(f"court and court_days are only for judges, not {self.role.value}")
        if self.role in CATEGORY_BOUND_ROLES and not self.categories:
            raise ValueError(f"categories must not be empty for a {self.role.value}")
        if self.max_rotation_halfdays_per_week > self.max_rotation_halfdays_per_month:
            raise ValueError(
                f"max_rotation_halfdays_per_week {self.max_rotation_halfdays_per_week} exceeds "
                f"max_rotation_halfdays_per_month {self.max_rotation_halfdays_per_month}"
            )
        return self

    def on_leave(self, day: dt.date) -> bool:
        return any(r.contains(day) for r in self.leave)

    def can_fill(self, role: Role, category: Category) -> bool:
        """Expertise rule: can this expert take the seat `role` on a case of `category`?

        Industry disputes go to industry mediators of that industry; an ordinary mediator seat may be
        taken by a full-time mediator covering the category or by an industry mediator of it.
        """
        if role == Role.MEDIATOR:
            if self.role == Role.MEDIATOR:
                return category in self.categories
            return self.role == Role.INDUSTRY_MEDIATOR and self.industry == category
        if role == Role.INDUSTRY_MEDIATOR:
            return self.role == Role.INDUSTRY_MEDIATOR and self.industry == category
        if self.role != role:
            return False
        return role not in CATEGORY_BOUND_ROLES or category in self.categories


class Party(_Frozen):
    """A party to a dispute. Names and phones are sensitive: never logged."""

    name: str = Field(min_length=1)
    organization: str | None = Field(default=None, description="Employer / company / institution")
    phone: str | None = None


class Case(_Frozen):
    """A dispute received at a center, waiting for a team of experts and a session (案件)."""

    id: Id
    category: Category
    center: Id
    parties: tuple[Party, ...] = Field(default=(), max_length=50)
    received: dt.datetime
    deadline: dt.date = Field(description="Time limit for closing (限时办结)")
    risk: RiskLevel = RiskLevel.LOW
    needs_roles: tuple[Role, ...] = Field(default=(Role.MEDIATOR,), min_length=1, max_length=8)
    needs_session: bool = True
    language: LanguageCode = "zh"
    online_allowed: bool = True
    preferred_experts: tuple[Id, ...] = ()
    excluded_experts: tuple[Id, ...] = ()
    previous_experts: tuple[Id, ...] = Field(default=(), description="Experts who handled it before (continuity)")

    @model_validator(mode="after")
    def _consistent(self) -> Case:
        if self.deadline < self.received.date():
            raise ValueError(
                f"deadline {self.deadline.isoformat()} is before received {self.received.date().isoformat()}"
            )
        if len(set(self.needs_roles)) != len(self.needs_roles):
            raise ValueError(f"needs_roles {[r.value for r in self.needs_roles]} lists a role twice")
        both = set(self.preferred_experts) & set(self.excluded_experts)
        if both:
            raise ValueError(f"experts {sorted(both)} are both preferred_experts and excluded_experts")
        return self

    @property
    def organizations(self) -> frozenset[str]:
        return frozenset(p.organization for p in self.parties if p.organization)

    @property
    def needs_judicial_confirmation(self) -> bool:
        return Role.JUDGE in self.needs_roles
