"""The soft objective: named terms (formulas and units in :class:`ObjectiveWeights`).

Each term is written twice on purpose: as coefficients on model variables (for the solvers) and as a
plain evaluation of a finished plan (for reporting by term, whichever solver produced the plan).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from matcher.domain import Case, RiskLevel

from .candidates import ONLINE, PlannedCase, Problem, SeatOption
from .config import ObjectiveWeights

#: Integer scale of the CP-SAT objective (weights are floats; CP-SAT wants integers).
SCALE = 100

RISK_FACTOR = {RiskLevel.LOW: 1, RiskLevel.MEDIUM: 3, RiskLevel.HIGH: 10}

TERMS = ("proficiency", "travel", "urgency", "waiting", "balance", "continuity", "disruption", "unassigned")


@dataclass(frozen=True)
class Choice:
    """A served case in solver terms: mode, slot index (None without session), option per seat."""

    case: int
    mode: int
    slot: int | None
    options: tuple[int, ...]  # option index per seat


def seat_terms(opt: SeatOption) -> dict[str, float]:
    """Per-seat terms: proficiency shortfall, travel minutes (online_minutes already applied), continuity."""
    return {"proficiency": 5 - opt.proficiency, "travel": opt.travel, "continuity": float(opt.continuity_miss)}


def slot_terms(pc: PlannedCase, p: Problem, slot: int) -> dict[str, float]:
    """Per-session terms: risk-weighted and waiting-weighted half-days from the horizon start."""
    return _case_slot_terms(pc.case, p, slot)


def _case_slot_terms(case: Case, p: Problem, slot: int) -> dict[str, float]:
    age = max(0, (p.start - case.received.date()).days)
    return {"urgency": RISK_FACTOR[case.risk] * slot, "waiting": age * slot / 10.0}


def reserved_terms(p: Problem) -> dict[str, float]:
    """The terms of ``request.reserved`` (seats and sessions; their load is in the balance through
    ``base_load``): a constant of the objective, added to the plan's terms when it is reported."""
    out = dict.fromkeys(TERMS, 0.0)
    for case, slot, options in p.reserved:
        for opt in options:
            for name, value in seat_terms(opt).items():
                out[name] += value
        if slot is not None:
            for name, value in _case_slot_terms(case, p, slot).items():
                out[name] += value
    return out


def weighted(terms: dict[str, float], w: ObjectiveWeights) -> float:
    return sum(getattr(w, name) * value for name, value in terms.items())


def scaled(value: float) -> int:
    return int(round(value * SCALE))


def previous_fits(pc: PlannedCase) -> bool:
    """Can the previous line be kept at all? Only if its team has exactly the roles the case needs
    now: a seat the case no longer needs (a lawyer dropped) makes every new line another team."""
    return pc.previous is not None and sorted(s.role for s in pc.previous.team) == sorted(seat.role for seat in pc.seats)


def same_as_previous(pc: PlannedCase, p: Problem, choice: Choice | None) -> bool:
    """Disruption: is the new line the previous (unannounced) line again — same team, slot and mode?"""
    prev = pc.previous
    if prev is None:
        return True
    if choice is None or not previous_fits(pc):
        return False
    experts = [p.experts[pc.seats[j].options[o].expert].id for j, o in enumerate(choice.options)]
    if any(prev.expert_for(seat.role) != e for seat, e in zip(pc.seats, experts)):
        return False
    slot = p.slots[choice.slot] if choice.slot is not None else None
    return prev.slot == slot and prev.online == (choice.mode == ONLINE)


def evaluate(p: Problem, choices: dict[int, Choice], w: ObjectiveWeights) -> dict[str, float]:
    """Every term's unweighted value for a plan (``choices``: served cases by case index)."""
    out = dict.fromkeys(TERMS, 0.0)
    load: Counter[int] = Counter()
    for pc in p.cases:
        ch = choices.get(pc.index)
        if pc.previous is not None and not same_as_previous(pc, p, ch):
            out["disruption"] += 1
        if ch is None:
            out["unassigned"] += 1
            continue
        for j, o in enumerate(ch.options):
            opt = pc.seats[j].options[o]
            for name, value in seat_terms(opt).items():
                out[name] += value
            load[opt.expert] += 1
        if ch.slot is not None:
            for name, value in slot_terms(pc, p, ch.slot).items():
                out[name] += value
    if p.base_load is not None:  # a sub-problem: cases outside it hold lines too
        for e in np.flatnonzero(p.base_load):
            load[int(e)] += int(p.base_load[e])
    out["balance"] = float(max(load.values(), default=0))
    return out


def total(terms: dict[str, float], w: ObjectiveWeights) -> float:
    return sum(getattr(w, name) * value for name, value in terms.items())
