"""A scenario: the whole world a solve or simulation sees, with every cross-reference checked.

Cross-reference errors are raised as one pydantic ``ValidationError`` whose entries carry the exact
location (e.g. ``experts.12.home_center``) and the offending value, so the CLI and the API can name
the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from .enums import Category, Role
from .models import Case, Center, Court, Expert, Id
from .rotation import RotationSlot


class TravelTime(BaseModel):
    """An explicit travel time between two centers, overriding the estimate from coordinates."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    origin: Id
    destination: Id
    minutes: float = Field(ge=0)


class ArrivalRate(BaseModel):
    """Expected new cases a day of one category at one center (for generators and simulation)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    center: Id
    category: Category
    per_day: float = Field(ge=0)


class Scenario(BaseModel):
    """Centers, courts, experts and open cases of one dispute-resolution network."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    description: str = ""
    seed: int | None = Field(default=None, description="Seed of the generator that produced this scenario")
    today: dt.date = Field(description="The planning day: open cases are queued as of this morning")
    travel_speed_kmh: float = Field(default=30.0, gt=0, description="Road speed for travel estimates")
    sources: dict[str, str] = Field(default_factory=dict, description="Figure -> report or 'assumption'")
    centers: tuple[Center, ...] = Field(min_length=1)
    courts: tuple[Court, ...] = ()
    experts: tuple[Expert, ...] = ()
    cases: tuple[Case, ...] = ()
    travel_times: tuple[TravelTime, ...] = ()
    arrivals: tuple[ArrivalRate, ...] = ()
    rotation: tuple[RotationSlot, ...] = Field(default=(), description="The published judge rotation calendar")

    @model_validator(mode="after")
    def _cross_references(self) -> Scenario:
        errors = list(_cross_reference_errors(self))
        if errors:
            raise ValidationError.from_exception_data("Scenario", errors)
        return self

    # -- lookups (cached: the model is immutable) -------------------------------------------------
    @cached_property
    def center_by_id(self) -> dict[str, Center]:
        return {c.id: c for c in self.centers}

    @cached_property
    def expert_by_id(self) -> dict[str, Expert]:
        return {e.id: e for e in self.experts}

    @cached_property
    def case_by_id(self) -> dict[str, Case]:
        return {c.id: c for c in self.cases}

    @cached_property
    def court_by_id(self) -> dict[str, Court]:
        return {c.id: c for c in self.courts}

    @property
    def judges(self) -> tuple[Expert, ...]:
        return tuple(e for e in self.experts if e.role == Role.JUDGE)

    def replace(self, **changes: Any) -> Scenario:
        """A validated copy with some fields changed (the model itself never changes)."""
        data = self.model_dump()
        data.update(changes)
        return Scenario.model_validate(data)


def _error(loc: tuple[str | int, ...], value: Any, kind: str, message: str) -> InitErrorDetails:
    return InitErrorDetails(
        type=PydanticCustomError(kind, message.replace("{", "(").replace("}", ")") + ": '{value}'", {"value": value}),
        loc=loc,
        input=value,
    )


def _duplicates(field: str, ids: Iterable[str]) -> Iterable[InitErrorDetails]:
    seen: set[str] = set()
    for i, ident in enumerate(ids):
        if ident in seen:
            yield _error((field, i, "id"), ident, "duplicate_id", f"duplicate id in {field}")
        seen.add(ident)


def _cross_reference_errors(s: Scenario) -> Iterable[InitErrorDetails]:
    yield from _duplicates("centers", (c.id for c in s.centers))
    yield from _duplicates("courts", (c.id for c in s.courts))
    yield from _duplicates("experts", (e.id for e in s.experts))
    yield from _duplicates("cases", (c.id for c in s.cases))
    yield from _center_tree_errors(s)
    centers = {c.id for c in s.centers}
    courts = {c.id for c in s.courts}
    experts = {e.id for e in s.experts}

    def unknown(loc: tuple[str | int, ...], value: str, known: set[str], what: str) -> Iterable[InitErrorDetails]:
        if value not in known:
            yield _error(loc, value, "unknown_reference", f"unknown {what} id")

    for i, court in enumerate(s.courts):
        if court.center is not None:
            yield from unknown(("courts", i, "center"), court.center, centers, "center")
    for i, e in enumerate(s.experts):
        yield from unknown(("experts", i, "home_center"), e.home_center, centers, "center")
        if e.court is not None:
            yield from unknown(("experts", i, "court"), e.court, courts, "court")
        for j, c in enumerate(e.serves_centers):
            yield from unknown(("experts", i, "serves_centers", j), c, centers, "center")
        for j, c in enumerate(e.preferred_centers):
            yield from unknown(("experts", i, "preferred_centers", j), c, centers, "center")
    for i, t in enumerate(s.travel_times):
        yield from unknown(("travel_times", i, "origin"), t.origin, centers, "center")
        yield from unknown(("travel_times", i, "destination"), t.destination, centers, "center")
    judges = {e.id for e in s.experts if e.role == Role.JUDGE}
    for i, r in enumerate(s.rotation):
        yield from unknown(("rotation", i, "judge"), r.judge, judges, "judge")
        yield from unknown(("rotation", i, "center"), r.center, centers, "center")
    for i, a in enumerate(s.arrivals):
        yield from unknown(("arrivals", i, "center"), a.center, centers, "center")

    # What the pool can serve at all: a case asking for a seat nobody could ever fill is an input
    # error, not something to discover at solve time.
    servable: set[tuple[Role, Category]] = set()
    speaks: set[tuple[Role, str]] = set()
    fills_by_signature: dict[tuple, frozenset[tuple[Role, Category]]] = {}
    for e in s.experts:
        # Experts sharing role, industry and categories fill the same seats: compute once per kind
        # (Jinzhou has thousands of experts but a few hundred kinds).
        signature = (e.role, e.industry, frozenset(e.categories))
        fills = fills_by_signature.get(signature)
        if fills is None:
            fills = frozenset((role, cat) for role in Role for cat in Category if e.can_fill(role, cat))
            fills_by_signature[signature] = fills
        servable.update(fills)
        for role in {r for r, _ in fills}:
            speaks.update((role, lang) for lang in e.languages)
    for i, case in enumerate(s.cases):
        yield from unknown(("cases", i, "center"), case.center, centers, "center")
        for field in ("preferred_experts", "excluded_experts", "previous_experts"):
            for j, ident in enumerate(getattr(case, field)):
                yield from unknown(("cases", i, field, j), ident, experts, "expert")
        for j, role in enumerate(case.needs_roles):
            if (role, case.category) not in servable:
                yield _error(
                    ("cases", i, "category"),
                    case.category.value,
                    "unservable_category",
                    f"no expert in the scenario can fill the {role.value} seat (needs_roles.{j}) for this category",
                )
            elif (role, case.language) not in speaks:
                yield _error(
                    ("cases", i, "language"),
                    case.language,
                    "unservable_language",
                    f"no {role.value} in the scenario speaks this language",
                )


def _center_tree_errors(s: Scenario) -> Iterable[InitErrorDetails]:
    by_id = {c.id: c for c in s.centers}
    for i, c in enumerate(s.centers):
        if c.parent is None:
            continue
        parent = by_id.get(c.parent)
        if parent is None:
            yield _error(("centers", i, "parent"), c.parent, "unknown_reference", "unknown center id")
        elif parent.level.depth >= c.level.depth:
            yield _error(
                ("centers", i, "level"),
                c.level.value,
                "level_order",
                f"a center must sit below its parent {parent.id!r} (level {parent.level.value})",
            )
    # Cycle check independent of levels: walk up from each center.
    for i, c in enumerate(s.centers):
        seen = {c.id}
        cur = by_id.get(c.parent) if c.parent else None
        while cur is not None:
            if cur.id in seen:
                yield _error(("centers", i, "parent"), c.parent, "parent_cycle", "parent chain forms a cycle")
                break
            seen.add(cur.id)
            cur = by_id.get(cur.parent) if cur.parent else None
