"""Objective weights and solver parameters: validated, immutable, passed in (never hidden constants)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ObjectiveWeights(BaseModel):
    """Weights of the named objective terms (all >= 0; a zero weight removes the term).

    The objective is minimised and is the weighted sum of these terms (units in brackets):

    - ``proficiency``: Σ over seats of ``5 - proficiency(expert, case.category)`` [proficiency points
      short of the maximum 5; an expert not listing the category counts as proficiency 1].
    - ``travel``: Σ over seats of an in-person session (or a case without session) of the member's
      travel minutes home center → case center (judges excluded: they sit where rotated);
      an online seat counts ``online_minutes`` instead [minutes].
    - ``urgency``: Σ over cases with a session of ``risk_factor(case) × d`` where ``d`` is the number
      of half-days between the horizon start and the chosen slot; risk_factor is 1 for low, 3 for
      medium and 10 for high risk (high covers 民转刑 risk in family disputes) [risk-weighted half-days].
    - ``waiting``: Σ over cases with a session of ``age_days(case) × d / 10`` with ``age_days`` =
      days from ``received`` to the horizon start (at least 0) — cases waiting longer
      since ``received`` are seen earlier [day·half-days / 10].
    - ``balance``: the largest number of lines naming any one expert (min-max load, pins included):
      ``max_e lines(e)`` [cases].
    - ``continuity``: Σ over seats of cases naming preferred or previous experts, whose expert is
      neither [seats] (a case naming nobody never counts).
    - ``disruption``: Σ over cases of ``request.previous`` whose new line differs from the previous one
      (another team, slot, or mode; dropping the case counts too) [changed lines].
    - ``unassigned``: Σ over cases left without a line [cases] — the large penalty that makes leaving a
      case unserved the last resort.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    proficiency: float = Field(default=10.0, ge=0)
    travel: float = Field(default=1.0, ge=0)
    urgency: float = Field(default=5.0, ge=0)
    waiting: float = Field(default=1.0, ge=0)
    balance: float = Field(default=20.0, ge=0)
    continuity: float = Field(default=15.0, ge=0)
    disruption: float = Field(default=100.0, ge=0)
    unassigned: float = Field(default=100_000.0, ge=0)
    online_minutes: float = Field(default=40.0, ge=0, description="Travel-equivalent minutes of one online seat")

    @model_validator(mode="after")
    def _unassigned_dominates(self) -> ObjectiveWeights:
        if self.unassigned <= 0:
            raise ValueError(f"unassigned must be > 0 so that serving a case is always preferred, got {self.unassigned}")
        return self


class SolveParams(BaseModel):
    """How to solve: limits, parallelism, seed and model-size controls."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    time_limit_s: float = Field(default=10.0, gt=0, description="Wall-clock limit for the whole solve")
    workers: int = Field(default=2, ge=1, le=64, description="CP-SAT search workers")
    seed: int = Field(default=0, ge=0, description="CP-SAT random seed (same seed, same result)")
    initial_experts_per_seat: int = Field(
        default=6, ge=1, description="Cheapest options per seat and mode in the first, small model"
    )
    max_experts_per_seat: int | None = Field(
        default=None,
        ge=1,
        description="Cap on options per seat and mode in every model (None: initial_experts_per_seat in the "
        "CP-SAT model, 4× that in the neighbourhood search). The bound covers the options left out.",
    )
    full_model_cases: int = Field(
        default=200,
        ge=0,
        description="Above this many cases skip the CP-SAT model over all cases (it does not close within seconds "
        "there) and spend the time on neighbourhood search; the bound then comes from the relaxations",
    )
    pool_per_seat: int | None = Field(
        default=100,
        ge=1,
        description="Options per seat and mode remembered after pruning (smallest bound increment first); "
        "the bound still covers the rest. None remembers all.",
    )
    relaxation_cases: int = Field(
        default=1000,
        ge=0,
        description="Up to this many cases, solve the time-indexed LP relaxation first (matcher.assignment."
        "relaxation): its Lagrangian bound sees the experts' coupling, and its optimum is often the optimal plan",
    )
    relaxation_min_cases: int = Field(
        default=0,
        ge=0,
        description="Below this many cases skip the LP relaxation: CP-SAT alone (the model widened until proven) "
        "closes very small problems in less time than the LP with its integer fallback",
    )
    relaxation_experts_per_slot: int = Field(
        default=6, ge=1, description="Cheapest free experts per seat, mode and half-day in the LP's first round "
        "(column generation brings in any other that could lower it)",
    )
    max_rounds: int = Field(
        default=8, ge=1, description="Rounds of adding violated expert-slot constraints before repairing"
    )
    use_flow: bool = Field(default=True, description="Try the min-cost-flow fast path when it is exact")
    log: bool = Field(default=False, description="Print the CP-SAT search log")
