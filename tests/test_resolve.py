"""Re-solve after an expert falls sick: announced lines kept, the sick expert's lines re-planned,
every change explained, and no more changes than a solve from scratch would make."""

from __future__ import annotations

import datetime as dt

from matcher.assignment import SolveParams, solve_assignment
from matcher.checker import check_assignment
from matcher.domain import AssignmentRequest, DateRange, Scenario
from matcher.resolve import resolve_after

from worlds import medium_world

PARAMS = SolveParams(time_limit_s=5, workers=1, seed=0)


def with_leave(s: Scenario, expert: str, absent: DateRange) -> Scenario:
    experts = [e.model_dump(mode="json") for e in s.experts]
    for e in experts:
        if e["id"] == expert:
            e["leave"] = [absent.model_dump(mode="json")]
    return s.replace(experts=experts)


def test_sick_expert_is_replanned_announced_lines_kept_and_changes_explained():
    s = medium_world(n_cases=40, n_mediators=12)
    plan = solve_assignment(s, AssignmentRequest(horizon_days=10), params=PARAMS)
    busiest = max({e for ln in plan.lines for e in ln.experts}, key=lambda e: sum(e in ln.experts for ln in plan.lines))
    announced = [ln for ln in plan.lines if busiest not in ln.experts][:5]
    absent = DateRange(start=s.today, end=s.today + dt.timedelta(days=30))
    result, changes = resolve_after(s, plan.lines, announced=announced, sick=(busiest, absent), params=PARAMS)
    assert result.ok
    assert all(busiest not in ln.experts for ln in result.lines)  # the sick expert holds nothing now
    assert all(ln in result.lines for ln in announced)  # announced lines are kept exactly
    sick_world = with_leave(s, busiest, absent)
    pinned = AssignmentRequest(horizon_days=10, pins=tuple(announced))
    report = check_assignment(sick_world, pinned, result.lines)
    assert report.ok, report.violations[:3]
    sick_cases = {ln.case for ln in plan.lines if busiest in ln.experts}
    assert sick_cases <= {c.case for c in changes}
    assert all(c.reason for c in changes) and any("absent" in c.reason for c in changes)
    # Keeping the old plan as 'previous' moves no more lines than re-planning from scratch.
    scratch = solve_assignment(sick_world, pinned, params=PARAMS)
    before = {ln.case: ln for ln in plan.lines}
    moved_from_scratch = sum(1 for ln in scratch.lines if before.get(ln.case) != ln)
    assert len(changes) <= moved_from_scratch
