"""What a solve returns: the plan, what could not be served and why, and how good the plan is."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from matcher.domain import AssignmentLine, AssignmentRequest
from matcher.domain.models import Id

from .core import SolveStatus


class UnassignedCase(BaseModel):
    """A case left without a line, with the hard constraints that left it without a team or slot."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    case: Id
    reasons: tuple[str, ...] = Field(min_length=1)


class AssignmentResult(BaseModel):
    """The outcome of :func:`matcher.assignment.solve_assignment`.

    ``objective`` is the weighted total of ``terms`` (unweighted values by term name, see
    :class:`~matcher.assignment.config.ObjectiveWeights`); ``bound`` is a proven lower bound on the
    objective (``gap`` = (objective − bound) / objective, 0 when optimal).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    scenario: str
    request: AssignmentRequest
    lines: tuple[AssignmentLine, ...]
    unassigned: tuple[UnassignedCase, ...] = ()
    status: SolveStatus
    reason: str = Field(default="", description="Why the status is not optimal, or what was infeasible")
    objective: float | None = None
    terms: dict[str, float] = Field(default_factory=dict, description="Unweighted value of each named term")
    weighted_terms: dict[str, float] = Field(default_factory=dict, description="Weight × value of each term")
    bound: float | None = None
    gap: float | None = None
    solve_seconds: float
    seed: int
    solver: str = Field(
        description="Who produced the plan: 'flow', 'cp-sat', 'greedy', with '+lns' when neighbourhood search "
        "improved it, 'cp-sat+repair' when a plan was repaired, or 'none'"
    )
    details: dict[str, float | int | str] = Field(default_factory=dict, description="Model size, rounds, ...")

    @property
    def ok(self) -> bool:
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
