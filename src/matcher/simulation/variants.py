"""Scenario changes: a small declarative file over a base scenario (方案变更), kept in a planner's library.

A variant file (YAML or JSON)::

    name: xixiang-counselors
    base: baoan                 # a bundled scenario, or a path (relative to this file)
    description: Two more counselors at Xixiang
    changes:
      - add_experts: {role: counselor, center: xixiang, count: 2}
      - scale_arrivals: {factor: 1.3, categories: [labor], months: [1]}
      - judge_rotation: {halfdays_per_week: 2}
      - add_rooms: {level: street, count: 1}
      - params: {sick_leave_rate: 0.01}

Each change is one small model with its own rule; :func:`apply_variant` applies them in order and
returns the scenario and simulation parameters to run. Errors name the change and the offending
value (``changes.0.add_experts.center = 'atlantis': unknown center id``). A change to the judges'
rotation re-plans the calendar with the real rotation planner (:func:`matcher.rotation.plan_rotation`).
"""

from __future__ import annotations

import calendar
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from matcher.domain import Category, Expert, Role, Scenario
from matcher.network import travel_times
from matcher.scenarios import load_scenario

from .params import SeasonalPeak, SimulationParams


class VariantError(ValueError):
    """A variant that cannot be applied: ``loc`` names the field, ``value`` the offending input."""

    def __init__(self, loc: str, value: object, message: str) -> None:
        super().__init__(f"{loc} = {value!r}: {message}")
        self.loc, self.value, self.message = loc, value, message


class _Change(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AddExperts(_Change):
    """``count`` more experts of ``role`` based at ``center``, each a copy of a template expert (one of
    that role at the center, else the nearest one of that role) with a new id."""

    role: Role
    center: str
    count: int = Field(ge=1, le=10_000)
    like: str | None = Field(default=None, description="Id of the expert to copy (default: nearest of the role)")

    def describe(self) -> str:
        return f"+{self.count} {self.role.value} at {self.center}"


class RemoveExperts(_Change):
    """``count`` fewer experts of ``role`` (at ``center``, or anywhere), the last listed first."""

    role: Role
    center: str | None = None
    count: int = Field(ge=1, le=100_000)

    def describe(self) -> str:
        return f"-{self.count} {self.role.value}" + (f" at {self.center}" if self.center else "")


class ScaleArrivals(_Change):
    """Arrivals ×``factor`` for some categories and centers, all year or in some months."""

    factor: float = Field(gt=0, le=100)
    categories: tuple[Category, ...] = Field(default=(), description="Empty: every category")
    centers: tuple[str, ...] = Field(default=(), description="Empty: every center")
    months: tuple[int, ...] = Field(default=(), description="1-12; empty: all year")

    @model_validator(mode="after")
    def _months(self) -> ScaleArrivals:
        for m in self.months:
            if not 1 <= m <= 12:
                raise ValueError(f"months must be 1-12, got {m}")
        return self

    def describe(self) -> str:
        what = "/".join(c.value for c in self.categories) or "all"
        where = f" at {','.join(self.centers)}" if self.centers else ""
        when = f" in {','.join(calendar.month_abbr[m] for m in self.months)}" if self.months else ""
        return f"{what} arrivals ×{self.factor:g}{where}{when}"


class JudgeRotation(_Change):
    """Judges sit ``halfdays_per_week`` half-days a week at each of ``centers`` (default: every
    center that has judges now); the rotation calendar is re-planned for ``weeks`` weeks and
    repeated by the simulation."""

    halfdays_per_week: int = Field(ge=0, le=14)
    centers: tuple[str, ...] = ()
    weeks: int = Field(default=4, ge=1, le=13)
    time_limit_s: float = Field(default=10.0, gt=0)
    seed: int = Field(default=0, ge=0)

    def describe(self) -> str:
        where = ",".join(self.centers) if self.centers else "every judge center"
        return f"judges {self.halfdays_per_week} half-days/week at {where}"


class AddRooms(_Change):
    """``count`` more session rooms (调解室) at ``center``, or at every center of a ``level``."""

    count: int = Field(ge=-1000, le=1000, description="Negative: fewer rooms (never below 0)")
    center: str | None = None
    level: Literal["district", "street", "community"] | None = None

    @model_validator(mode="after")
    def _one_target(self) -> AddRooms:
        if (self.center is None) == (self.level is None):
            raise ValueError("give exactly one of center or level")
        return self

    def describe(self) -> str:
        return f"{self.count:+d} room(s) at " + (self.center or f"every {self.level} center")


class SetParams(_Change):
    """Simulation parameters to override (any field of :class:`SimulationParams`)."""

    values: dict[str, Any]

    def describe(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.values.items())


_KINDS: dict[str, type[_Change]] = {
    "add_experts": AddExperts, "remove_experts": RemoveExperts, "scale_arrivals": ScaleArrivals,
    "judge_rotation": JudgeRotation, "add_rooms": AddRooms, "params": SetParams,
}
Change = AddExperts | RemoveExperts | ScaleArrivals | JudgeRotation | AddRooms | SetParams


class ScenarioVariant(BaseModel):
    """A base scenario and the changes to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    base: str = Field(min_length=1, description="Bundled scenario name, or a path to a scenario file")
    description: str = ""
    changes: tuple[Change, ...] = ()
    source: str | None = Field(default=None, description="The file it was read from (paths resolve against it)")

    @model_validator(mode="before")
    @classmethod
    def _tagged_changes(cls, data: Any) -> Any:
        """``- add_experts: {...}`` in the file → the AddExperts model (one key per change)."""
        if not isinstance(data, dict) or "changes" not in data:
            return data
        raw = data["changes"] or ()
        if not isinstance(raw, list | tuple):
            raise ValueError(f"changes must be a list, got {raw!r}")
        parsed = []
        for i, item in enumerate(raw):
            if isinstance(item, _Change):
                parsed.append(item)
                continue
            if not isinstance(item, dict) or len(item) != 1:
                raise ValueError(f"changes.{i} = {item!r}: each change is one of {sorted(_KINDS)} with its fields")
            (kind, body), = item.items()
            if kind not in _KINDS:
                raise ValueError(f"changes.{i} = {kind!r}: unknown change, expected one of {sorted(_KINDS)}")
            if kind == "params" and isinstance(body, dict) and "values" not in body:
                body = {"values": body}
            try:
                parsed.append(_KINDS[kind].model_validate(body))
            except ValidationError as e:
                err = e.errors()[0]
                loc = "".join(f".{x}" for x in err["loc"])
                msg = err["msg"].removeprefix("Value error, ")
                raise ValueError(f"changes.{i}.{kind}{loc} = {err.get('input')!r}: {msg}") from None
        return {**data, "changes": tuple(parsed)}

    def describe(self) -> str:
        return "; ".join(c.describe() for c in self.changes) or "(no change)"


def load_variant(path: str | Path) -> ScenarioVariant:
    """Read a variant file (YAML or JSON). A plain scenario name is the unchanged bundled scenario."""
    p = Path(path)
    if not p.exists() and not p.suffix:
        return ScenarioVariant(name=str(path), base=str(path))
    if not p.exists():
        raise FileNotFoundError(f"variant file not found: {p}")
    text = p.read_text(encoding="utf-8")
    data = json.loads(text) if p.suffix == ".json" else yaml.safe_load(text)
    if not isinstance(data, dict):
        raise VariantError(str(p), type(data).__name__, "a variant file is a mapping with name, base and changes")
    if "base" not in data and "centers" in data:  # a scenario file itself: the unchanged scenario
        return ScenarioVariant(name=p.stem, base=str(p.resolve()))
    data.setdefault("name", p.stem)
    try:
        return ScenarioVariant.model_validate({**data, "source": str(p)})
    except ValidationError as e:
        err = e.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if not loc:  # a change's own error, which already names its field and value
            raise ValueError(f"{p}: {msg}") from None
        raise VariantError(f"{p}: {loc}", err.get("input"), msg) from None


def base_scenario(variant: ScenarioVariant) -> Scenario:
    base = variant.base
    if variant.source:
        candidate = Path(variant.source).parent / base
        if candidate.is_file():
            return load_scenario(candidate)
    return load_scenario(base)


def apply_variant(
    variant: ScenarioVariant, params: SimulationParams | None = None, scenario: Scenario | None = None,
) -> tuple[Scenario, SimulationParams]:
    """The scenario and parameters the variant describes (``scenario``: its base, if already loaded)."""
    scen = scenario if scenario is not None else base_scenario(variant)
    params = params or SimulationParams()
    for i, change in enumerate(variant.changes):
        kind = next(k for k, v in _KINDS.items() if isinstance(change, v))
        loc = f"changes.{i}.{kind}"
        if isinstance(change, AddExperts):
            scen = _add_experts(scen, change, loc)
        elif isinstance(change, RemoveExperts):
            scen = _remove_experts(scen, change, loc)
        elif isinstance(change, ScaleArrivals):
            params = _scale_arrivals(scen, params, change, loc)
        elif isinstance(change, JudgeRotation):
            scen = _judge_rotation(scen, change, loc)
        elif isinstance(change, AddRooms):
            scen = _add_rooms(scen, change, loc)
        elif isinstance(change, SetParams):
            try:
                params = SimulationParams.model_validate({**params.model_dump(), **change.values})
            except ValidationError as e:
                err = e.errors()[0]
                raise VariantError(f"{loc}.{'.'.join(str(x) for x in err['loc'])}", err.get("input"), err["msg"]) from None
    name = scen.name if variant.name == variant.base else f"{scen.name}+{variant.name}"
    if variant.changes:  # the changed scenario must still pass every cross-reference rule
        try:
            scen = Scenario.model_validate({**scen.model_dump(), "name": name})
        except ValidationError as e:
            err = e.errors()[0]
            loc = ".".join(str(x) for x in err["loc"])
            raise VariantError(f"{variant.name}: scenario.{loc}", err.get("input"), err["msg"]) from None
    return scen, params


def _center(scen: Scenario, center: str, loc: str) -> None:
    if center not in scen.center_by_id:
        raise VariantError(f"{loc}.center", center, "unknown center id")


def _add_experts(scen: Scenario, ch: AddExperts, loc: str) -> Scenario:
    _center(scen, ch.center, loc)
    if ch.like is not None:
        template = next((e for e in scen.experts if e.id == ch.like), None)
        if template is None:
            raise VariantError(f"{loc}.like", ch.like, "unknown expert id")
        if template.role != ch.role:
            raise VariantError(f"{loc}.like", ch.like, f"is a {template.role.value}, not a {ch.role.value}")
    else:
        same = [e for e in scen.experts if e.role == ch.role]
        if not same:
            raise VariantError(f"{loc}.role", ch.role.value, "no expert of this role to copy; name one with 'like'")
        tt = travel_times(scen)
        template = min(same, key=lambda e: (tt.minutes(e.home_center, ch.center), e.id))
    taken = {e.id for e in scen.experts}
    new: list[Expert] = []
    k = 0
    while len(new) < ch.count:
        k += 1
        eid = f"new.{ch.role.value}.{ch.center}.{k}"
        if eid in taken:
            continue
        new.append(template.model_copy(update={
            "id": eid, "name": f"New {ch.role.value} {k} ({ch.center})", "home_center": ch.center,
            "open_cases": 0, "leave": (), "affiliations": ()}))
    return scen.model_copy(update={"experts": scen.experts + tuple(new)})


def _remove_experts(scen: Scenario, ch: RemoveExperts, loc: str) -> Scenario:
    if ch.center is not None:
        _center(scen, ch.center, loc)
    pool = [e.id for e in scen.experts if e.role == ch.role and (ch.center is None or e.home_center == ch.center)]
    if len(pool) < ch.count:
        where = f" at {ch.center}" if ch.center else ""
        raise VariantError(f"{loc}.count", ch.count, f"only {len(pool)} {ch.role.value}(s){where} to remove")
    gone = set(pool[-ch.count:])
    return scen.model_copy(update={
        "experts": tuple(e for e in scen.experts if e.id not in gone),
        "rotation": tuple(r for r in scen.rotation if r.judge not in gone),
    })


def _add_rooms(scen: Scenario, ch: AddRooms, loc: str) -> Scenario:
    if ch.center is not None:
        _center(scen, ch.center, loc)
    hit = [c.id for c in scen.centers if c.id == ch.center or (ch.level is not None and c.level.value == ch.level)]
    if not hit:
        raise VariantError(f"{loc}.level", ch.level, "no center of this level")
    centers = tuple(c.model_copy(update={"rooms": max(0, c.rooms + ch.count)}) if c.id in hit else c for c in scen.centers)
    return scen.model_copy(update={"centers": centers})


def _scale_arrivals(scen: Scenario, params: SimulationParams, ch: ScaleArrivals, loc: str) -> SimulationParams:
    for c in ch.centers:
        if c not in scen.center_by_id:
            raise VariantError(f"{loc}.centers", c, "unknown center id")
    if not ch.months:
        if ch.categories or ch.centers:
            peaks = (SeasonalPeak(start=(1, 1), end=(12, 31), factor=ch.factor, categories=ch.categories, centers=ch.centers),)
            return params.model_copy(update={"peaks": params.peaks + peaks})
        return params.model_copy(update={"arrival_scale": params.arrival_scale * ch.factor})
    peaks = tuple(
        SeasonalPeak(start=(m, 1), end=(m, calendar.monthrange(2024, m)[1]), factor=ch.factor,
                     categories=ch.categories, centers=ch.centers)
        for m in sorted(set(ch.months))
    )
    return params.model_copy(update={"peaks": params.peaks + peaks})


def _judge_rotation(scen: Scenario, ch: JudgeRotation, loc: str) -> Scenario:
    from matcher.rotation import RotationParams, plan_rotation

    for c in ch.centers:
        if c not in scen.center_by_id:
            raise VariantError(f"{loc}.centers", c, "unknown center id")
    targets = set(ch.centers) or {c.id for c in scen.centers if c.judge_halfdays_per_week > 0}
    if not targets:
        raise VariantError(f"{loc}.centers", list(ch.centers), "no center has judges; name the centers")
    centers = tuple(c.model_copy(update={"judge_halfdays_per_week": ch.halfdays_per_week}) if c.id in targets else c
                    for c in scen.centers)
    changed = scen.model_copy(update={"centers": centers, "rotation": ()})
    result = plan_rotation(changed, weeks=ch.weeks, start=scen.today,
                           params=RotationParams(time_limit_s=ch.time_limit_s, workers=1, seed=ch.seed))
    if not result.ok:
        raise VariantError(f"{loc}.halfdays_per_week", ch.halfdays_per_week,
                           f"the rotation planner found no calendar: {result.reason or result.status.value}")
    return changed.model_copy(update={"rotation": result.entries})

