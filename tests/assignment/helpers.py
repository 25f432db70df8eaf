"""Solve-and-check helper: every solution a test sees goes through the independent checker."""

from __future__ import annotations

from matcher.assignment import ObjectiveWeights, SolveParams, solve_assignment
from matcher.assignment.result import AssignmentResult
from matcher.domain import AssignmentRequest, Scenario

try:  # the independent checker is written by another engineer, in parallel
    from matcher.checker import check_assignment
except ImportError:  # pragma: no cover - until it lands
    check_assignment = None

#: Only what a test names counts; unassigned stays the dominant penalty.
ONLY_UNASSIGNED = dict(proficiency=0, travel=0, urgency=0, waiting=0, balance=0, continuity=0, disruption=0,
                       unassigned=1000, online_minutes=0)


def weights(**kw) -> ObjectiveWeights:
    return ObjectiveWeights(**{**ONLY_UNASSIGNED, **kw})


def solve(s: Scenario, request: AssignmentRequest | None = None, w: ObjectiveWeights | None = None,
          check: bool = True, **params) -> AssignmentResult:
    request = request or AssignmentRequest(horizon_days=2)
    r = solve_assignment(s, request, w or weights(), SolveParams(**{"time_limit_s": 10, "workers": 2, **params}))
    if check and r.ok:
        assert_checked(s, request, r)
    return r


def assert_checked(s: Scenario, request: AssignmentRequest, r: AssignmentResult) -> None:
    if check_assignment is None:
        return
    report = check_assignment(s, request, r.lines)
    assert report.ok, report.violations


def team(r: AssignmentResult) -> dict[str, tuple[str, ...]]:
    return {line.case: line.experts for line in r.lines}
