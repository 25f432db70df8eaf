"""The entry point: ``solve_assignment(scenario, request, weights, params) -> AssignmentResult``.

Path: exact candidate pruning → (min-cost flow when it is exact) or (fast constructive plan → CP-SAT
full model with lazily added expert-slot rows) → lines with rooms → objective by term, bound, gap.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict

from matcher.domain import AssignmentLine, AssignmentRequest, Scenario, Seat

from .candidates import IN_PERSON, MODES, ONLINE, PlannedCase, Problem, build_problem
from .config import ObjectiveWeights, SolveParams
from .core import SolveStatus, relative_gap
from .cpsat import solve_cpsat
from .flow import flow_applies, flow_is_exact, solve_flow
from .hint import greedy_plan
from .objective import RISK_FACTOR, Choice, evaluate, seat_terms, slot_terms, total, weighted
from .result import AssignmentResult, UnassignedCase


def solve_assignment(
    scenario: Scenario,
    request: AssignmentRequest = AssignmentRequest(),
    weights: ObjectiveWeights = ObjectiveWeights(),
    params: SolveParams = SolveParams(),
) -> AssignmentResult:
    """Assign every open case of ``request`` to a team (and a session slot), minimising ``weights``."""
    t0 = time.perf_counter()
    deadline = t0 + params.time_limit_s
    p = build_problem(scenario, request, online_minutes=weights.online_minutes,
                      max_experts_per_seat=params.max_experts_per_seat,
                      floor=lambda pc: case_floor(pc, request.horizon_start or scenario.today, weights))
    details: dict[str, float | int | str] = {
        "cases": len(p.cases),
        "experts": len(p.experts),
        "slots": len(p.slots),
        "seat_options": sum(len(s.options) for pc in p.cases for s in pc.seats),
        "pruned": int(p.pruned),
        "build_seconds": round(time.perf_counter() - t0, 3),
    }
    if p.infeasible_reasons:
        return AssignmentResult(
            scenario=scenario.name, request=request, lines=(), status=SolveStatus.INFEASIBLE,
            reason="; ".join(dict.fromkeys(p.infeasible_reasons)), solve_seconds=time.perf_counter() - t0,
            seed=params.seed, solver="none", details=details,
        )

    bound: float | None
    reason = ""
    if params.use_flow and flow_is_exact(p, weights) and (choices := solve_flow(p, weights)) is not None:
        status, solver = SolveStatus.OPTIMAL, "flow"
        bound = total(evaluate(p, choices, weights), weights)
    else:
        hint = solve_flow(p, weights) if params.use_flow and flow_applies(p) else None
        if hint is None:
            hint = greedy_plan(p, weights)
        details["hint_objective"] = round(total(evaluate(p, hint, weights), weights), 3)
        out = solve_cpsat(p, weights, params, hint, deadline)
        details["rounds"] = out.rounds
        details["lazy_rows"] = out.lazy_rows
        status, bound, reason, choices = out.status, out.bound, out.reason, out.choices
        solver = "cp-sat+repair" if out.objective is None else "cp-sat"
        if status == SolveStatus.INFEASIBLE:
            return AssignmentResult(
                scenario=scenario.name, request=request, lines=(), status=status,
                reason="the pins cannot all hold together (workload, one place at a time or rooms): " + out.reason,
                bound=None, solve_seconds=time.perf_counter() - t0, seed=params.seed, solver=solver, details=details,
            )
        if status == SolveStatus.UNKNOWN:
            return AssignmentResult(
                scenario=scenario.name, request=request, lines=(), status=status, reason=out.reason, bound=bound,
                solve_seconds=time.perf_counter() - t0, seed=params.seed, solver=solver, details=details,
            )

    terms = evaluate(p, choices, weights)
    objective = total(terms, weights)
    if p.pruned:
        # The model saw only the cheapest experts per seat: its bound is not a bound of the full
        # problem. The coupling-free relaxation over all feasible experts is.
        bound = relaxation_bound(p, weights)
        reason = (reason + "; " if reason else "") + "experts per seat were capped: bound is the relaxation bound"
        if status == SolveStatus.OPTIMAL and relative_gap(objective, bound) > 1e-6:
            status = SolveStatus.FEASIBLE
    gap = relative_gap(objective, bound)
    if status == SolveStatus.OPTIMAL:
        gap = 0.0 if not p.pruned else gap
    return AssignmentResult(
        scenario=scenario.name,
        request=request,
        lines=tuple(to_lines(p, choices)),
        unassigned=tuple(unassigned_reasons(p, choices)),
        status=status,
        reason=reason,
        objective=round(objective, 6),
        terms={k: round(v, 6) for k, v in terms.items()},
        weighted_terms={k: round(getattr(weights, k) * v, 6) for k, v in terms.items()},
        bound=None if bound is None else round(bound, 6),
        gap=gap,
        solve_seconds=time.perf_counter() - t0,
        seed=params.seed,
        solver=solver,
        details=details,
    )


def relaxation_bound(p: Problem, w: ObjectiveWeights) -> float:
    """Σ over cases of the cheapest way to treat the case alone (coupling rules dropped): a valid
    lower bound of the full problem, computed over every feasible expert (``PlannedCase.floor``)."""
    return sum(pc.floor for pc in p.cases)


def case_floor(pc: PlannedCase, start: dt.date, w: ObjectiveWeights) -> float:
    """The cheapest objective this case can contribute on its own (coupling rules and distinct-expert
    rule dropped, disruption counted as 0 unless the case is dropped): a per-case lower bound."""
    drop = w.unassigned + (w.disruption if pc.previous is not None else 0.0)
    if any(not seat.options for seat in pc.seats):
        return drop
    best = float("inf")
    for mode in (MODES if pc.needs_session else (IN_PERSON,)):
        seat_min = [
            min((weighted(seat_terms(o), w) for o in seat.options if o.mode == mode), default=None) for seat in pc.seats
        ]
        if any(c is None for c in seat_min):
            continue
        if pc.needs_session:
            if not len(pc.slots[mode]):
                continue
            s = int(pc.slots[mode][0])
            age = max(0, (start - pc.case.received.date()).days)
            slot_cost = w.urgency * RISK_FACTOR[pc.case.risk] * s + w.waiting * age * s / 10.0
        else:
            slot_cost = 0.0
        best = min(best, slot_cost + sum(seat_min))
    return best if pc.pin is not None else min(best, drop)


def to_lines(p: Problem, choices: dict[int, Choice]) -> list[AssignmentLine]:
    """Lines of the plan; rooms numbered per (center, slot) around the pinned rooms."""
    taken: dict[tuple[str, int], set[int]] = defaultdict(set)
    slot_pos = {s: k for k, s in enumerate(p.slots)}
    for pin in p.request.pins:
        if pin.slot is not None and pin.room is not None and pin.slot in slot_pos:
            taken[p.scenario.case_by_id[pin.case].center, slot_pos[pin.slot]].add(pin.room)
    lines = []
    for pc in p.cases:
        ch = choices.get(pc.index)
        if ch is None:
            continue
        if pc.pin is not None:
            lines.append(pc.pin)
            continue
        team = tuple(
            Seat(role=seat.role, expert=p.experts[seat.options[o].expert].id) for seat, o in zip(pc.seats, ch.options)
        )
        room = None
        if ch.slot is not None and ch.mode == IN_PERSON:
            used = taken[pc.case.center, ch.slot]
            prev = pc.previous.room if pc.previous is not None and pc.previous.slot == p.slots[ch.slot] else None
            room = prev if prev is not None and prev not in used else next(r for r in range(10**6) if r not in used)
            used.add(room)
        lines.append(AssignmentLine(
            case=pc.case.id, team=team, slot=p.slots[ch.slot] if ch.slot is not None else None, room=room,
            online=ch.mode == ONLINE and ch.slot is not None,
        ))
    return lines


def unassigned_reasons(p: Problem, choices: dict[int, Choice]) -> list[UnassignedCase]:
    out = []
    for pc in p.cases:
        if pc.index in choices:
            continue
        reasons = list(pc.reasons)
        if not reasons:
            n = {seat.role.value: len({o.expert for o in seat.options}) for seat in pc.seats}
            reasons.append(
                f"every feasible team ({', '.join(f'{c} {r}' for r, c in n.items())} candidates) is taken by other "
                f"cases before {pc.case.deadline.isoformat()}: workload, one place at a time or rooms"
            )
        out.append(UnassignedCase(case=pc.case.id, reasons=tuple(reasons)))
    return out


__all__ = ["solve_assignment", "relaxation_bound", "MODES", "seat_terms", "slot_terms", "weighted"]
