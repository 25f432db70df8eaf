"""Re-solve after the world changed: an expert called in sick, or new cases arrived.

Announced lines stay pinned (unless they name the sick expert during their absence: those cannot
hold and are re-planned); every other line of the previous plan is the engine's ``previous`` plan, so
the disruption term keeps changes few. Each change is reported with its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matcher.assignment import AssignmentResult, ObjectiveWeights, SolveParams, solve_assignment
from matcher.domain import AssignmentLine, AssignmentRequest, Case, DateRange, Scenario


@dataclass(frozen=True)
class Change:
    case: str
    before: AssignmentLine | None
    after: AssignmentLine | None
    reason: str


def _affected(line: AssignmentLine, expert: str, absent: DateRange) -> bool:
    return expert in line.experts and (line.slot is None or absent.contains(line.slot.date))


def _world_after(scenario: Scenario, sick: tuple[str, DateRange] | None, new_cases: Sequence[Case]) -> Scenario:
    data = scenario.model_dump(mode="json")
    if sick is not None:
        expert, absent = sick
        found = next((e for e in data["experts"] if e["id"] == expert), None)
        if found is None:
            raise ValueError(f"sick expert {expert!r} is not in scenario {scenario.name!r}")
        found["leave"] = [*found.get("leave", []), absent.model_dump(mode="json")]
    if new_cases:
        data["cases"] = [*data["cases"], *(c.model_dump(mode="json") for c in new_cases)]
    return Scenario.model_validate(data)


def repair_after(
    scenario: Scenario,
    plan: Sequence[AssignmentLine],
    *,
    sick: tuple[str, DateRange] | None = None,
    new_cases: Sequence[Case] = (),
    horizon_days: int = 10,
    weights: ObjectiveWeights = ObjectiveWeights(),
) -> tuple[list[AssignmentLine], list[Change]]:
    """The fast re-plan: keep every line that still holds, and give each broken line's case (and each
    new case) the best team on top of the rest, most urgent first (:class:`~matcher.recommend.Recommender`).

    Changes only what must change, in milliseconds; :func:`resolve_after` may also move other lines
    when that lowers the plan's cost by more than the disruption. A case with no team left is dropped,
    with the smallest set of rules that leaves it none (:func:`matcher.diagnose.diagnose_case`)."""
    from matcher.diagnose import diagnose_case
    from matcher.recommend import Recommender

    world = _world_after(scenario, sick, new_cases)
    broken = [ln for ln in plan if sick and _affected(ln, *sick)]
    kept = [ln for ln in plan if ln not in broken]
    rec = Recommender(world, tuple(kept), horizon_days=horizon_days, weights=weights)
    todo = [world.case_by_id[ln.case] for ln in broken] + list(new_cases)
    risk = {"high": 0, "medium": 1, "low": 2}
    todo.sort(key=lambda c: (c.deadline, risk[c.risk.value], c.received))
    before = {ln.case: ln for ln in broken}
    lines, changes = list(kept), []
    for case in todo:
        found = rec.recommend(case, 1).recommendations
        why = f"{sick[0]} is absent {sick[1].start}..{sick[1].end}" if case.id in before and sick else "new case"
        if found:
            line = found[0].line
            rec.add(line)
            lines.append(line)
            changes.append(Change(case.id, before.get(case.id), line, why + ": best team on top of the rest of the plan"))
        else:
            reasons = diagnose_case(rec, case).reasons or ("no feasible team",)
            changes.append(Change(case.id, before.get(case.id), None, why + "; left unassigned: " + "; ".join(reasons)))
    return lines, changes


def resolve_after(
    scenario: Scenario,
    plan: Sequence[AssignmentLine],
    *,
    announced: Sequence[AssignmentLine] = (),
    sick: tuple[str, DateRange] | None = None,
    new_cases: Sequence[Case] = (),
    horizon_days: int = 10,
    weights: ObjectiveWeights = ObjectiveWeights(),
    params: SolveParams = SolveParams(),
) -> tuple[AssignmentResult, list[Change]]:
    data = scenario.model_dump(mode="json")
    if sick is not None:
        expert, absent = sick
        found = next((e for e in data["experts"] if e["id"] == expert), None)
        if found is None:
            raise ValueError(f"sick expert {expert!r} is not in scenario {scenario.name!r}")
        found["leave"] = [*found.get("leave", []), absent.model_dump(mode="json")]
    if new_cases:
        data["cases"] = [*data["cases"], *(c.model_dump(mode="json") for c in new_cases)]
    world = Scenario.model_validate(data)
    broken = {ln.case for ln in announced if sick and _affected(ln, *sick)}
    pins = tuple(ln for ln in announced if ln.case not in broken)
    pinned = {ln.case for ln in pins}
    previous = tuple(ln for ln in plan if ln.case not in pinned)
    request = AssignmentRequest(horizon_days=horizon_days, pins=pins, previous=previous)
    result = solve_assignment(world, request, weights, params)
    before = {ln.case: ln for ln in plan}
    after = {ln.case: ln for ln in result.lines}
    why_unassigned = {u.case: "; ".join(u.reasons) for u in result.unassigned}
    new_ids = {c.id for c in new_cases}
    changes = []
    for case in sorted(set(before) | set(after)):
        b, a = before.get(case), after.get(case)
        if b == a:
            continue
        if case in new_ids:
            reason = "new case"
        elif b is not None and sick and _affected(b, *sick):
            reason = f"{sick[0]} is absent {sick[1].start}..{sick[1].end}" + (" (an announced line that could not hold)" if case in broken else "")
        elif a is None:
            reason = f"left unassigned: {why_unassigned.get(case, 'no feasible team')}"
        else:
            reason = "moved to make room for the changes at the lowest total cost"
        changes.append(Change(case, b, a, reason))
    return result, changes
