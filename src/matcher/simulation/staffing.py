"""Staffing search (编制测算): the smallest — or cheapest — roster that meets a service target.

The decision is a head count per *staff group* (a role, optionally at one center). A roster is
evaluated by simulating it (same days, replications and seeds for every roster: common random
numbers, so rosters are compared on the same arrivals) and it *meets the target* when the KPI's
mean is on the right side of the target (``>=`` for shares such as ``resolved_in_time``, ``<=`` for
waits), or, with ``confident=True``, when its whole 95% interval is.

Search (a monotone coordinate descent, assuming more staff never hurts the KPI):
1. from the current roster, double every group's count until the target is met (or the caps);
2. with a step of half the largest count, try lowering each group by the step — all candidates of a
   round are simulated together, so they spread over the Dask workers — and keep the cheapest
   candidate that still meets the target; when none does, halve the step; stop after step 1.
Every roster simulated is reported (the frontier explored): head counts, cost, KPI estimate, met.
With one group this is a bisection and returns the smallest head count that meets the target.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from matcher.assignment import ObjectiveWeights
from matcher.domain import Role, Scenario

from .kpis import Estimate
from .params import SimulationParams
from .parallel import Progress, Runner, SerialRunner
from .run import check_run, simulate_many
from .variants import AddExperts, RemoveExperts, ScenarioVariant, apply_variant


class StaffGroup(BaseModel):
    """Experts of ``role`` (based at ``center``, or anywhere), their cost each, and count bounds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Role
    center: str | None = None
    cost: float = Field(default=1.0, gt=0, description="Cost of one expert of the group (e.g. yearly, in 10k CNY)")
    min_count: int = Field(default=0, ge=0)
    max_count: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _bounds(self) -> StaffGroup:
        if self.max_count is not None and self.max_count < self.min_count:
            raise ValueError(f"max_count {self.max_count} is below min_count {self.min_count}")
        return self

    @property
    def label(self) -> str:
        return self.role.value + (f"@{self.center}" if self.center else "")


class StaffingTarget(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kpi: str = Field(default="resolved_in_time", description="A KPI name of the simulation report")
    sense: Literal[">=", "<="] = ">="
    value: float = 0.95
    confident: bool = Field(default=False, description="Require the whole 95% interval on the right side")

    def met(self, e: Estimate) -> bool:
        if math.isnan(e.mean):
            return False
        x = (e.low if self.sense == ">=" else e.high) if self.confident and e.n > 1 else e.mean
        return x >= self.value if self.sense == ">=" else x <= self.value

    def describe(self) -> str:
        return f"{self.kpi} {self.sense} {self.value:g}" + (" (95% interval)" if self.confident else " (mean)")


class StaffingPoint(BaseModel):
    model_config = ConfigDict(frozen=True, ser_json_inf_nan="strings")  # JSON without NaN (PostgreSQL refuses it)

    counts: dict[str, int]
    cost: float
    kpi: Estimate
    met: bool


class StaffingResult(BaseModel):
    model_config = ConfigDict(frozen=True, ser_json_inf_nan="strings")  # JSON without NaN (PostgreSQL refuses it)

    scenario: str
    target: StaffingTarget
    groups: list[StaffGroup]
    current: dict[str, int]
    best: StaffingPoint | None = Field(description="The cheapest roster found meeting the target (None: none did)")
    explored: list[StaffingPoint]
    reason: str = ""
    days: int
    replications: int
    seed: int
    wall_seconds: float

    @property
    def frontier(self) -> list[StaffingPoint]:
        """Explored rosters meeting the target that no other meeting roster beats on every group."""
        ok = [p for p in self.explored if p.met]
        return [p for p in ok if not any(q is not p and all(q.counts[k] <= p.counts[k] for k in p.counts)
                                         and q.counts != p.counts for q in ok)]


def current_counts(scenario: Scenario, groups: Sequence[StaffGroup]) -> dict[str, int]:
    return {g.label: sum(1 for e in scenario.experts if e.role == g.role and (g.center is None or e.home_center == g.center))
            for g in groups}


def _home_for_additions(scenario: Scenario, g: StaffGroup) -> str:
    if g.center:
        return g.center
    homes: dict[str, int] = {}
    for e in scenario.experts:
        if e.role == g.role:
            homes[e.home_center] = homes.get(e.home_center, 0) + 1
    return max(homes, key=lambda c: (homes[c], c)) if homes else scenario.centers[0].id


def roster_variant(scenario: Scenario, groups: Sequence[StaffGroup], counts: dict[str, int]) -> ScenarioVariant:
    """The variant that sets each group's head count (removing the last listed, adding copies)."""
    now = current_counts(scenario, groups)
    changes: list = []
    for g in groups:
        delta = counts[g.label] - now[g.label]
        if delta < 0:
            changes.append(RemoveExperts(role=g.role, center=g.center, count=-delta))
        elif delta > 0:
            changes.append(AddExperts(role=g.role, center=_home_for_additions(scenario, g), count=delta))
    name = ",".join(f"{k}={v}" for k, v in counts.items())
    return ScenarioVariant(name=name, base=scenario.name, changes=tuple(changes))


def search_staffing(
    scenario: Scenario,
    groups: Sequence[StaffGroup],
    target: StaffingTarget,
    days: int,
    replications: int,
    seed: int,
    params: SimulationParams | None = None,
    weights: ObjectiveWeights | None = None,
    *,
    assigner: str = "engine",
    warmup_days: int = 0,
    runner: Runner | None = None,
    max_evaluations: int = 60,
    progress: Progress | None = None,
) -> StaffingResult:
    if not groups:
        raise ValueError("groups must name at least one staff group")
    labels = [g.label for g in groups]
    if len(set(labels)) != len(labels):
        raise ValueError(f"staff groups must differ, got {labels}")
    for g in groups:
        if g.center is not None and g.center not in scenario.center_by_id:
            raise ValueError(f"groups.{g.label}.center = {g.center!r}: unknown center id")
    check_run(days, replications, warmup_days, seed)
    params = params or SimulationParams()
    runner = runner or SerialRunner()
    t0 = time.perf_counter()
    now = current_counts(scenario, groups)
    for g in groups:
        if now[g.label] == 0 and g.max_count == 0:
            raise ValueError(f"groups.{g.label}: no expert now and max_count 0")
    cost = {g.label: g.cost for g in groups}
    lo = {g.label: g.min_count for g in groups}
    hi = {g.label: g.max_count if g.max_count is not None else max(4 * now[g.label], now[g.label] + 8) for g in groups}
    seen: dict[tuple[int, ...], StaffingPoint] = {}
    explored: list[StaffingPoint] = []

    def key(c: dict[str, int]) -> tuple[int, ...]:
        return tuple(c[k] for k in labels)

    def evaluate(batch: list[dict[str, int]]) -> list[StaffingPoint]:
        todo = [c for c in {key(c): c for c in batch}.values() if key(c) not in seen]
        if todo:
            prepared = [apply_variant(roster_variant(scenario, groups, c), params, scenario) for c in todo]
            reports = simulate_many(prepared, days, replications, seed, weights, assigner=assigner,
                                    warmup_days=warmup_days, runner=runner, progress=progress)
            for c, rep in zip(todo, reports):
                est = rep.summary.get(target.kpi)
                if est is None:
                    raise ValueError(f"target.kpi = {target.kpi!r}: not a KPI of the simulation ({', '.join(rep.summary)})")
                pt = StaffingPoint(counts=dict(c), cost=sum(cost[k] * c[k] for k in labels), kpi=est, met=target.met(est))
                seen[key(c)] = pt
                explored.append(pt)
        return [seen[key(c)] for c in batch]

    def result(best: StaffingPoint | None, reason: str = "") -> StaffingResult:
        return StaffingResult(scenario=scenario.name, target=target, groups=list(groups), current=now, best=best,
                              explored=explored, reason=reason, days=days, replications=replications, seed=seed,
                              wall_seconds=time.perf_counter() - t0)

    # 1. grow until the target holds
    counts = {k: min(max(now[k], lo[k]), hi[k]) for k in labels}
    (point,) = evaluate([counts])
    while not point.met:
        if all(counts[k] >= hi[k] for k in labels) or len(explored) >= max_evaluations:
            return result(None, f"target {target.describe()} not met even with {counts} (the caps); "
                                f"best {target.kpi} seen {point.kpi.mean:.3f}")
        counts = {k: min(hi[k], max(2 * counts[k], counts[k] + 1)) for k in labels}
        (point,) = evaluate([counts])
    best = point
    # 2. shrink by halving steps
    step = max(1, max(best.counts[k] - lo[k] for k in labels) // 2)
    while len(explored) < max_evaluations:
        candidates = []
        for k in labels:
            s = min(step, best.counts[k] - lo[k])
            if s > 0:
                candidates.append({**best.counts, k: best.counts[k] - s})
        points = [p for p in evaluate(candidates) if p.met] if candidates else []
        if points:
            best = min(points, key=lambda p: (p.cost, key(p.counts)))
            continue
        if step == 1:
            break
        step = max(1, step // 2)
    reason = "" if len(explored) < max_evaluations else f"stopped after max_evaluations={max_evaluations}"
    return result(best, reason)


def staffing_table(res: StaffingResult) -> str:
    labels = [g.label for g in res.groups]
    rows = [f"target: {res.target.describe()}; current roster: " + ", ".join(f"{k}={v}" for k, v in res.current.items())]
    rows.append(f"{'#':>3} " + "".join(f"{k[:18]:>19}" for k in labels) + f"{'cost':>10}{res.target.kpi[:22]:>24}  met")
    for i, p in enumerate(res.explored, 1):
        ci = f"{p.kpi.mean:.3f}" + (f"±{p.kpi.half_width:.3f}" if p.kpi.n > 1 else "")
        mark = "  <- best" if res.best is not None and p.counts == res.best.counts else ""
        rows.append(f"{i:>3} " + "".join(f"{p.counts[k]:>19}" for k in labels) + f"{p.cost:>10.1f}{ci:>24}  "
                    f"{'yes' if p.met else 'no '}{mark}")
    if res.best is None:
        rows.append(f"no roster met the target: {res.reason}")
    else:
        rows.append("best: " + ", ".join(f"{k}={v}" for k, v in res.best.counts.items()) + f" (cost {res.best.cost:g})"
                    + (f"; {res.reason}" if res.reason else ""))
    return "\n".join(rows)

