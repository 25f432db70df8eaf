"""Validated settings of the judge rotation model: limits (hard) and weights (soft terms)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RotationConfig(BaseModel):
    """Hard limits not carried by the scenario, and the weights of the soft terms.

    Soft terms (minimised; units in brackets):

    - ``fairness``: largest minus smallest rotation load among the judges who can rotate at all
      (spread, not total) [half-days].
    - ``excess``: rotation half-days beyond what the centers need [half-days].
    - ``stability``: number of distinct (judge, center) pairs over the horizon, so the same judge
      returns to the same center week after week [pairs]. With ``variety=True`` it is replaced by
      ``repeats``: weeks in which a judge serves the same center as the week before [judge-weeks].
    - ``travel``: minutes from the judge's court to the center, per rotation half-day [minutes].
    - ``preference``: half-days at a center outside the judge's ``preferred_centers`` (judges who
      state preferences only) [half-days].
    - ``changes``: on re-planning, published half-days in the re-planned window that change
      (lost or added) [half-days].

    The solvers see each weight in whole thousandths, rounded down (a valid bound); with a weight
    finer than that (travel 0.0015) the plan is still scored exactly, but is called optimal only
    when it meets a bound, never on the rounded objective's proof alone.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_same_day_travel_minutes: float = Field(
        default=45.0, ge=0, description="Two centers farther apart than this are never served on the same day"
    )
    max_consecutive_rotation_days: int = Field(
        default=3, ge=1, le=14, description="Minimum rest: after this many rotation days in a row, a day without rotation"
    )
    max_court_travel_minutes: float = Field(
        default=90.0, ge=0, description="A judge rotates only to centers within this many minutes of their court"
    )
    max_judges_per_center_slot: int = Field(default=1, ge=1, description="One judge (or team) per center and half-day")
    variety: bool = Field(default=False, description="Rotate judges deliberately instead of keeping them on one center")
    fairness: float = Field(default=20.0, ge=0)
    excess: float = Field(default=50.0, ge=0)
    stability: float = Field(default=10.0, ge=0)
    repeats: float = Field(default=10.0, ge=0)
    travel: float = Field(default=0.2, ge=0)
    preference: float = Field(default=5.0, ge=0)
    changes: float = Field(default=100.0, ge=0)


class RotationParams(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    time_limit_s: float = Field(default=10.0, gt=0, description="Wall-clock limit for the whole plan (model, greedy start, solve)")
    workers: int = Field(default=2, ge=1, le=64)
    seed: int = Field(default=0, ge=0)
    aggregate_share: float = Field(
        default=0.3, ge=0, le=0.9,
        description="At most this share of the time limit goes to the time-aggregated relaxation (bound and pairs); "
                    "0 = none: the calendar model on every pair, as before it")
