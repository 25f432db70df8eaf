"""The case-assignment engine: teams of experts and session slots for a day's queue of cases.

Public API::

    from matcher.assignment import solve_assignment, ObjectiveWeights, SolveParams
    result = solve_assignment(scenario, AssignmentRequest(), ObjectiveWeights(), SolveParams(seed=1))

and the GAP benchmark adapter :func:`matcher.assignment.gap.solve_gap` on the same CP-SAT core.
"""

from .config import ObjectiveWeights, SolveParams
from .core import SolveStatus
from .result import AssignmentResult, UnassignedCase
from .solve import solve_assignment

__all__ = ["AssignmentResult", "ObjectiveWeights", "SolveParams", "SolveStatus", "UnassignedCase", "solve_assignment"]
