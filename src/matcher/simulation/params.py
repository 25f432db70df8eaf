"""Simulation parameters: validated, immutable, every figure documented with its source.

None of the figures below appear in the source reports (``shared/DOMAIN.md``) except where marked
REPORT; every other default is an ASSUMPTION of ours, chosen to be plausible and easy to change in a
scenario-change file. The unit of time is the calendar day.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from matcher.domain import Category, Role

#: ASSUMPTION: days a case stays open after its session (drafting the agreement, judicial
#: confirmation, 回访 follow-up), by category. Exponentially distributed with this mean.
DEFAULT_SERVICE_DAYS: dict[Category, float] = {
    Category.NEIGHBOR: 2.0,
    Category.MARRIAGE_FAMILY: 4.0,
    Category.LABOR: 5.0,
    Category.PROPERTY_MANAGEMENT: 3.0,
    Category.EDUCATION: 3.0,
    Category.COMMERCIAL: 6.0,
    Category.MEDICAL: 8.0,
    Category.INTELLECTUAL_PROPERTY: 8.0,
    Category.ROAD_TRAFFIC: 4.0,
    Category.LAND: 6.0,
    Category.DEBT: 4.0,
    Category.OTHER: 3.0,
}

#: Probability that one attempt resolves the dispute, by category. REPORT-anchored: Jinwan reports
#: 96% resolved and Jinzhou 98.94% success overall, which includes escalations; a per-attempt rate
#: of ~0.85-0.9 with one or two escalations reproduces those totals (ASSUMPTION).
DEFAULT_RESOLUTION: dict[Category, float] = {
    Category.NEIGHBOR: 0.92,
    Category.MARRIAGE_FAMILY: 0.85,
    Category.LABOR: 0.85,
    Category.PROPERTY_MANAGEMENT: 0.88,
    Category.EDUCATION: 0.9,
    Category.COMMERCIAL: 0.8,
    Category.MEDICAL: 0.78,
    Category.INTELLECTUAL_PROPERTY: 0.78,
    Category.ROAD_TRAFFIC: 0.88,
    Category.LAND: 0.8,
    Category.DEBT: 0.85,
    Category.OTHER: 0.88,
}

#: ASSUMPTION: multiplier of the resolution probability by the role leading the team (the first seat):
#: "industry disputes go to industry mediators" because they settle more of them.
DEFAULT_ROLE_RESOLUTION_FACTOR: dict[Role, float] = {
    Role.INDUSTRY_MEDIATOR: 1.05,
    Role.MEDIATOR: 1.0,
}

#: ASSUMPTION: relative arrival intensity Monday..Sunday (people come on working days; weekend
#: arrivals are online requests), normalised by the arrival process so the weekly mean is kept.
DEFAULT_WEEKLY_PATTERN: tuple[float, ...] = (1.25, 1.1, 1.05, 1.05, 1.15, 0.25, 0.15)


class SeasonalPeak(BaseModel):
    """A multiplier on arrivals between two days of the year (month, day), e.g. labor disputes over
    unpaid wages before the Spring Festival (春节前欠薪纠纷)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: tuple[int, int] = Field(description="(month, day) the peak starts, inclusive")
    end: tuple[int, int] = Field(description="(month, day) the peak ends, inclusive; may wrap over New Year")
    factor: float = Field(gt=0)
    categories: tuple[Category, ...] = Field(default=(), description="Empty: every category")
    centers: tuple[str, ...] = Field(default=(), description="Empty: every center")

    @model_validator(mode="after")
    def _valid_days(self) -> SeasonalPeak:
        for name in ("start", "end"):
            m, d = getattr(self, name)
            if not (1 <= m <= 12 and 1 <= d <= 31):
                raise ValueError(f"{name} must be (month 1-12, day 1-31), got {(m, d)}")
        return self


#: ASSUMPTION: wage disputes rise in the weeks before the Spring Festival (×1.5 for labor from
#: 10 January to 10 February) and family disputes right after it (×1.2, 10-28 February).
DEFAULT_PEAKS: tuple[SeasonalPeak, ...] = (
    SeasonalPeak(start=(1, 10), end=(2, 10), factor=1.5, categories=(Category.LABOR,)),
    SeasonalPeak(start=(2, 10), end=(2, 28), factor=1.2, categories=(Category.MARRIAGE_FAMILY,)),
)


class SimulationParams(BaseModel):
    """Everything a simulation needs besides the scenario, days, replications and seed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # -- arrivals ------------------------------------------------------------------------------------
    weekly_pattern: tuple[float, ...] = Field(
        default=DEFAULT_WEEKLY_PATTERN, description="Relative arrivals Monday..Sunday (ASSUMPTION), mean-normalised"
    )
    peaks: tuple[SeasonalPeak, ...] = Field(default=DEFAULT_PEAKS, description="Seasonal multipliers (ASSUMPTION)")
    arrival_scale: float = Field(default=1.0, gt=0, description="Multiplier on every scenario arrival rate")
    # -- service and outcomes ------------------------------------------------------------------------
    service_days: dict[Category, float] = Field(
        default_factory=lambda: dict(DEFAULT_SERVICE_DAYS),
        description="Mean days a case stays open after its session (exponential; ASSUMPTION)",
    )
    resolution: dict[Category, float] = Field(
        default_factory=lambda: dict(DEFAULT_RESOLUTION), description="P(resolved) per attempt (ASSUMPTION)"
    )
    role_resolution_factor: dict[Role, float] = Field(
        default_factory=lambda: dict(DEFAULT_ROLE_RESOLUTION_FACTOR),
        description="Multiplier of P(resolved) by the lead role (ASSUMPTION); capped at 1",
    )
    max_escalations: int = Field(
        default=2, ge=0, description="ASSUMPTION: attempts after the first, each at the parent center (上下贯通)"
    )
    sessions: bool = Field(default=True, description="Cases need a session (False: service starts on assignment)")
    # -- experts -------------------------------------------------------------------------------------
    sick_leave_rate: float = Field(
        default=0.004, ge=0, le=1, description="ASSUMPTION: P(an expert starts a sick leave on a given day)"
    )
    sick_leave_days: float = Field(default=3.0, gt=0, description="ASSUMPTION: mean sick-leave length (geometric)")
    # -- case shape (as the bundled generator draws them; ASSUMPTION) --------------------------------
    industry_share: float = Field(default=0.7, ge=0, le=1, description="Industry cases asking for an industry mediator")
    industry_load_cap: float | None = Field(
        default=0.8, gt=0, le=1,
        description="ASSUMPTION: coordinators ask for an industry mediator only as often as the industry's pool can "
        "sustain — at most this share of its weekly session capacity (None: always industry_share)",
    )
    judge_share: float = Field(default=0.07, ge=0, le=1, description="Cases needing judicial confirmation (司法确认)")
    judge_load_cap: float | None = Field(
        default=0.8, gt=0, le=1,
        description="ASSUMPTION: cases are sent for judicial confirmation only as often as the judges' rotation can "
        "host — at most this share of the judge half-days a week the centers get (one session each; None: always judge_share)",
    )
    high_risk_family_share: float = Field(default=0.12, ge=0, le=1, description="Family cases at 民转刑 risk")
    online_share: float = Field(default=0.7, ge=0, le=1, description="Cases whose parties accept an online session")
    deadline_days: dict[str, int] = Field(
        default_factory=lambda: {"high": 7, "community": 15, "other": 30},
        description="限时办结 time limits as in the bundled generator (ASSUMPTION)",
    )
    # -- the coordinator's daily batch ---------------------------------------------------------------
    horizon_days: int = Field(default=7, ge=1, le=92, description="Days each daily batch plans ahead")
    time_limit_s: float = Field(default=1.0, gt=0, description="Engine wall-clock limit per simulated day")
    workers: int = Field(default=1, ge=1, le=64, description="CP-SAT workers per daily solve")
    relaxation_min_cases: int = Field(
        default=50, ge=0,
        description="ASSUMPTION (speed only): daily batches below this many cases skip the engine's LP relaxation "
        "(SolveParams.relaxation_min_cases); CP-SAT alone proves such small days faster — 3 replications of "
        "90 Sajin days took 2.1 s instead of 4.1 s (benchmarks/RESULTS.md, staffing planner (c))",
    )
    judge_rotation_weeks: int | None = Field(
        default=None, ge=1, description="Period of the published rotation calendar, repeated (None: its span)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> SimulationParams:
        if len(self.weekly_pattern) != 7:
            raise ValueError(f"weekly_pattern must have 7 values (Monday..Sunday), got {len(self.weekly_pattern)}")
        if any(x < 0 for x in self.weekly_pattern) or sum(self.weekly_pattern) <= 0:
            raise ValueError(f"weekly_pattern must be non-negative with a positive sum, got {self.weekly_pattern}")
        for cat, p in self.resolution.items():
            if not 0 <= p <= 1:
                raise ValueError(f"resolution[{cat.value}] must be in [0, 1], got {p}")
        for cat, d in self.service_days.items():
            if d <= 0:
                raise ValueError(f"service_days[{cat.value}] must be > 0, got {d}")
        for role, f in self.role_resolution_factor.items():
            if f < 0:
                raise ValueError(f"role_resolution_factor[{role.value}] must be >= 0, got {f}")
        return self

    def p_resolve(self, category: Category, lead: Role) -> float:
        p = self.resolution.get(category, DEFAULT_RESOLUTION.get(category, 0.85))
        return min(1.0, p * self.role_resolution_factor.get(lead, 1.0))

    def mean_service_days(self, category: Category) -> float:
        return self.service_days.get(category, DEFAULT_SERVICE_DAYS.get(category, 3.0))
