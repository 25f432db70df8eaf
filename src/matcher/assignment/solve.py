"""The entry point: ``solve_assignment(scenario, request, weights, params) -> AssignmentResult``.

1. Exact pruning (:mod:`candidates`): every (case, seat) keeps only the experts and modes the
   one-case rules allow; per-case floors and option increments are computed (:mod:`bounds`).
2. Single seat, no session, no balance term: min-cost flow, optimal (:mod:`flow`).
3. Otherwise, from ``relaxation_min_cases`` up to ``relaxation_cases`` cases: the time-indexed LP (:mod:`relaxation`) with
   column generation. Its Lagrangian bound keeps every expert's coupling (one session per
   half-day, weekly and open-case limits, balance) and the rooms; when its optimum is integral and
   meets that bound (a Bao'an day), that plan is returned as optimal and nothing else runs.
4. Otherwise: a greedy plan (:mod:`hint`, staffing the LP's or the rooms flow's sessions first);
   up to ``full_model_cases`` cases, CP-SAT on the full model over the cheapest options
   (:mod:`cpsat`, rules in :mod:`constraints`, terms in :mod:`objective`), hinted with the best plan
   so far; then neighbourhood search (:mod:`lns`) for the rest of the time.
5. Bound = the best of: per-case floors (+ room shortage, balance floor), the rooms-keeping flow
   relaxation, the LP's Lagrangian bound, and the CP-SAT bound where it covers every option that
   could improve the plan. Status OPTIMAL only when the plan meets that bound; otherwise FEASIBLE
   with the gap and a reason.
"""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np

from matcher.domain import AssignmentLine, AssignmentRequest, Scenario, Seat

from .bounds import INF, balance_floor, case_bound, room_flow_bound, room_shortage
from .candidates import IN_PERSON, MODES, ONLINE, Problem, build_problem, keep_options
from .config import ObjectiveWeights, SolveParams
from .core import SolveStatus, relative_gap
from .cpsat import solve_cpsat
from .flow import flow_is_exact, solve_flow
from .hint import greedy_plan
from .lns import from_keys as _from_keys
from .lns import improve as lns_improve
from .lns import to_keys as _keys
from .objective import Choice, evaluate, reserved_terms, total
from .relaxation import FLOW_SCALE, solve_relaxation
from .result import AssignmentResult, UnassignedCase


def solve_assignment(
    scenario: Scenario,
    request: AssignmentRequest = AssignmentRequest(),
    weights: ObjectiveWeights = ObjectiveWeights(),
    params: SolveParams = SolveParams(),
) -> AssignmentResult:
    """Assign every open case of ``request`` to a team (and a session slot), minimising ``weights``.

    Never raises on an infeasible problem: pins that cannot hold give status INFEASIBLE with reasons.
    """
    t0 = time.perf_counter()
    deadline = t0 + params.time_limit_s
    shared_by_pool: dict = {}  # what alike cases (one shared pool) have in common, for this build

    def attach_bound(pc, start, seat_free):
        pc.bound = case_bound(pc, start, weights, seat_free, shared_by_pool)

    p = build_problem(scenario, request, weights=weights, on_case=attach_bound, pool_limit=params.pool_per_seat)
    details: dict[str, float | int | str] = {
        "cases": len(p.cases),
        "reserved": len(request.reserved),
        "experts": len(p.experts),
        "slots": len(p.slots),
        "pool_options": int(sum(len(s.pool) for pc in p.cases for s in pc.seats)),
        "build_seconds": round(time.perf_counter() - t0, 3),
    }

    def finish(**kw) -> AssignmentResult:
        return AssignmentResult(scenario=scenario.name, request=request, solve_seconds=time.perf_counter() - t0,
                                seed=params.seed, details=details, **kw)

    if p.infeasible_reasons:
        return finish(lines=(), status=SolveStatus.INFEASIBLE, reason="; ".join(dict.fromkeys(p.infeasible_reasons)),
                      solver="none")

    if params.use_flow and flow_is_exact(p, weights):
        for pc in p.cases:
            for seat in pc.seats:
                keep_options(p, pc, seat, np.arange(len(seat.pool)))
        choices = solve_flow(p, weights)
        if choices is not None:
            terms = evaluate(p, choices, weights)
            value = total(terms, weights)
            # Optimal over the remembered experts; experts not remembered (pool_per_seat) could only
            # help a plan costing at least Σ floor + their increment.
            left = min((min(pc.bound.left_out) for pc in p.cases if pc.seats), default=INF)
            bound = min(value, sum(pc.bound.floor for pc in p.cases) + left)
            status = SolveStatus.OPTIMAL if _proven(value, bound, p) else SolveStatus.FEASIBLE
            reason = "" if status == SolveStatus.OPTIMAL else "experts beyond pool_per_seat could still improve the plan"
            return _result(finish, p, weights, choices, terms, status, reason, bound, "flow")

    status, reason, bound, choices, solver = _bounded_search(p, weights, params, deadline, details)
    missing = [pc.case.id for pc in p.cases if pc.pin is not None and pc.index not in choices]
    if missing and status not in (SolveStatus.INFEASIBLE, SolveStatus.UNKNOWN):
        status, reason = SolveStatus.INFEASIBLE, f"no plan found that keeps the pins of cases {missing}"
    if status in (SolveStatus.INFEASIBLE, SolveStatus.UNKNOWN):
        if status == SolveStatus.INFEASIBLE:
            reason = "the pins cannot all hold together (workload, one place at a time or rooms): " + reason
        return finish(lines=(), status=status, reason=reason, bound=bound, solver=solver)
    terms = evaluate(p, choices, weights)
    return _result(finish, p, weights, choices, terms, status, reason, bound, solver)


def _result(finish, p, weights, choices, terms, status, reason, bound, solver) -> AssignmentResult:
    # The reserved lines are part of the plan: their own terms are a constant the search left out.
    fixed = reserved_terms(p)
    terms = {k: v + fixed[k] for k, v in terms.items()}
    bound = None if bound is None else bound + total(fixed, weights)
    objective = total(terms, weights)
    gap = 0.0 if status == SolveStatus.OPTIMAL else relative_gap(objective, bound)
    return finish(
        lines=tuple(to_lines(p, choices)),
        unassigned=tuple(unassigned_reasons(p, choices)),
        status=status,
        reason=reason,
        objective=round(objective, 6),
        terms={k: round(v, 6) for k, v in terms.items()},
        weighted_terms={k: round(getattr(weights, k) * v, 6) for k, v in terms.items()},
        bound=None if bound is None else round(bound, 6),
        gap=gap,
        solver=solver,
    )


#: The greedy plan and the neighbourhood search see WIDE × initial_experts_per_seat options per seat
#: and mode: wider gives the greedy more choice but makes each neighbourhood slower to solve.
WIDE = 1


def _bounded_search(p: Problem, w: ObjectiveWeights, params: SolveParams, deadline: float, details: dict):
    """LP relaxation → greedy plan → CP-SAT on the cheapest options → neighbourhood search → bound
    and status (each step only while the plan is not proven optimal).

    The CP-SAT model holds the cheapest ``initial_experts_per_seat`` options per seat and mode (plus
    the greedy plan's), never an option whose increment shows it cannot beat the plan (see
    :mod:`matcher.assignment.bounds`). Its proven bound covers plans inside the model; ``LB0 + inc``
    covers plans using an option left out; the smaller of the two bounds the full problem, and so
    does the rooms flow relaxation. When the best of these meets the plan's cost the plan is optimal.
    """
    bounds = [pc.bound for pc in p.cases]
    lb0 = sum(b.floor for b in bounds)
    per_seat = params.initial_experts_per_seat
    wide = max(WIDE * per_seat, params.max_experts_per_seat or 0)
    # The greedy plan and the neighbourhood search see a wider set than the exact model.
    _keep_cheapest(p, bounds, wide, None)
    # The rooms relaxation (a min-cost flow) picks each case's slot knowing the rooms; the greedy
    # then staffs those slots first.
    preferred: dict[int, tuple[int, int]] = {}
    rooms_bound = room_flow_bound(p, bounds, preferred)
    if rooms_bound is not None:
        details["rooms_flow_bound"] = round(rooms_bound, 3)
    joint_bound, joint_key = None, None
    if params.relaxation_min_cases <= len(p.cases) <= params.relaxation_cases:
        # The time-indexed LP first: on a Bao'an day its plan meets its bound and nothing else runs.
        joint_bound, joint_key, value = _relax(p, w, params, bounds, deadline, wide, details, preferred)
        if joint_key is not None and _meets_lagrangian(value, joint_bound, p):
            return SolveStatus.OPTIMAL, "", min(joint_bound, value), _from_keys(p, joint_key), _lp_solver(details)
    widen_until = time.perf_counter() + 0.5 * (deadline - time.perf_counter())
    best_key = _keys(p, greedy_plan(p, w, budget_s=0.1 * params.time_limit_s, preferred=preferred,
                                    widen_until=widen_until))
    upper = total(evaluate(p, _from_keys(p, best_key), w), w)
    details["hint_objective"] = round(upper, 3)
    solver = "greedy"
    if joint_key is not None:
        # Both plans' experts stay among the options, whichever is kept.
        _keep_cheapest(p, bounds, wide, [best_key, joint_key])
        value = total(evaluate(p, _from_keys(p, joint_key), w), w)
        if value < upper - 1e-9:
            best_key, upper, solver = joint_key, value, _lp_solver(details)
    balance = balance_floor(p, w, upper, bounds)
    lb0 += balance + room_shortage(p, bounds)
    details["relaxation_bound_per_case"] = round(lb0, 3)
    if rooms_bound is not None:
        # A second, independent bound that keeps the rooms (plus the same balance floor).
        details["rooms_flow_bound"] = round(rooms_bound + balance, 3)
    details["relaxation_bound"] = round(lb0, 3)
    restricted = lb0
    slack = upper - lb0
    cap = per_seat if params.max_experts_per_seat is None else min(per_seat, params.max_experts_per_seat)

    def choose(pc, j, inc, mode_rows):
        useful = inc < slack - 1e-9  # an option with lb0 + inc >= upper cannot beat the best plan
        return _cheapest_rows(inc, [r[useful[r]] for r in mode_rows], cap)

    out_status = None
    left_out = INF
    t_model = time.perf_counter()
    full_model = len(p.cases) <= params.full_model_cases
    if _meets_lagrangian(upper, joint_bound, p):
        full_model = False  # the plan meets the LP's bound: nothing left to search
    while full_model:
        left_out = lb0 + _keep(p, bounds, choose, best_key)
        details["model_options"] = int(sum(len(s.options) for pc in p.cases for s in pc.seats))
        share = 1.0 if left_out >= upper else 0.5
        out = solve_cpsat(p, w, params, _from_keys(p, best_key),
                          time.perf_counter() + share * (deadline - time.perf_counter()))
        out_status = out.status
        details["model_status"] = out.status.value
        details["lazy_rows"] = out.lazy_rows
        if out.status == SolveStatus.INFEASIBLE:
            return SolveStatus.INFEASIBLE, out.reason, None, {}, "cp-sat"
        if out.choices:
            value = total(evaluate(p, out.choices, w), w)
            if value <= upper + 1e-9:
                best_key, upper = _keys(p, out.choices), value
                solver = "cp-sat"
        if out.bound is not None:
            restricted = out.bound
        # Solved to optimality over its options, but a left-out option could still beat the plan:
        # widen the model (4× the options per seat and mode) while time is left, so a small problem
        # ends proven optimal instead of "options left out could improve the plan". Not when the
        # caller capped the options per seat.
        widen = (out.status == SolveStatus.OPTIMAL and left_out < upper - 1e-6 * max(1.0, abs(upper))
                 and params.max_experts_per_seat is None and cap < _largest_pool(p)
                 and time.perf_counter() < deadline - 0.25 * (deadline - t_model))
        if not widen:
            break
        cap, slack = 4 * cap, upper - lb0
        details["model_widened"] = details.get("model_widened", 0) + 1
    # Without the model, only the relaxations bound the problem.
    bound = max(lb0, min(restricted, left_out)) if full_model else lb0
    if rooms_bound is not None:
        bound = max(bound, rooms_bound + balance_floor(p, w, upper, bounds))
    # The LP's bound is reported with the others but met only within its own tolerance: the
    # rounding slack of _proven belongs to bounds from CP-SAT's scaled costs.
    slack_bound = bound  # met within _proven's slack
    bound = max(bound, joint_bound) if joint_bound is not None else bound
    if _proven(upper, slack_bound, p) or _meets_lagrangian(upper, joint_bound, p):
        return SolveStatus.OPTIMAL, "", min(bound, upper), _from_keys(p, best_key), solver
    if time.perf_counter() < deadline - 0.2:
        if full_model:  # the neighbourhoods see the wider option set the greedy plan saw
            _keep_cheapest(p, bounds, wide, best_key)
        # Keep back time to write the lines and reasons (≈ 1–2 s per 20,000 cases).
        improved = lns_improve(p, w, params, best_key, deadline - 0.05 - 1e-4 * len(p.cases), details)
        value = total(evaluate(p, _from_keys(p, improved), w), w)
        if value < upper - 1e-9:
            best_key, upper, solver = improved, value, solver + "+lns"
    if _proven(upper, slack_bound, p) or _meets_lagrangian(upper, joint_bound, p):
        return SolveStatus.OPTIMAL, "", min(bound, upper), _from_keys(p, best_key), solver
    if out_status is None:
        reason = (f"{len(p.cases)} cases exceed full_model_cases={params.full_model_cases}: no CP-SAT model over all "
                  "cases, bound from the relaxations")
    elif out_status != SolveStatus.OPTIMAL:
        reason = "time limit reached before the model was solved to optimality"
    else:
        reason = "options left out of the model could still improve the plan"
    return SolveStatus.FEASIBLE, reason, bound, _from_keys(p, best_key), solver


def _relax(p: Problem, w: ObjectiveWeights, params: SolveParams, bounds, deadline: float, wide: int,
           details: dict, preferred: dict) -> tuple[float | None, dict | None, float]:
    """The time-indexed LP (:mod:`relaxation`), given at most 60% of the time left: its Lagrangian
    bound, its plan (by expert id; its experts are put among the options) and that plan's cost.
    ``preferred`` receives the LP's session of each case it mostly places."""
    t0 = time.perf_counter()
    out = solve_relaxation(p, w, bounds, t0 + 0.6 * (deadline - t0), per_slot=params.relaxation_experts_per_slot)
    details.update(relaxation_plan="none" if not out.plan else "lp" if out.integral else "lp+mip",
                   relaxation_columns=out.columns, relaxation_rounds=out.rounds,
                   relaxation_seconds=round(time.perf_counter() - t0, 3))
    if out.lp_value is not None:
        details["relaxation_lp"] = round(out.lp_value, 3)
    if out.bound is not None:
        details["lagrangian_bound"] = round(out.bound, 3)
    preferred.update(out.sessions)  # the greedy staffs the LP's sessions first (it knows the experts)
    if not out.plan:
        return out.bound, None, INF
    _keep_cheapest(p, bounds, wide, out.plan)
    return out.bound, out.plan, total(evaluate(p, _from_keys(p, out.plan), w), w)


def _meets_lagrangian(value: float, bound: float | None, p: Problem) -> bool:
    """Does a plan meet the LP's Lagrangian bound? That bound is computed in floats, not from
    CP-SAT's rounded costs: only float error and the flow's rounding (1/FLOW_SCALE per case) may
    separate an optimal plan from it."""
    return bound is not None and value <= bound + 1e-6 * max(1.0, abs(value)) + len(p.cases) / FLOW_SCALE


def _lp_solver(details: dict) -> str:
    return str(details.get("relaxation_plan", "lp"))


def _largest_pool(p: Problem) -> int:
    """Options of the largest seat pool in one mode (widening past it keeps nothing more)."""
    return max((int(np.bincount(s.pool.mode, minlength=len(MODES)).max()) for pc in p.cases for s in pc.seats
                if len(s.pool)), default=0)


def _proven(upper: float, bound: float, p: Problem) -> bool:
    return upper <= bound + 1e-6 * max(1.0, abs(upper)) + 0.005 * _rounding_slack(p)


def _rounding_slack(p: Problem) -> int:
    """CP-SAT sees costs rounded to 1/SCALE: allow that much per seat and session."""
    return sum(len(pc.seats) + 1 for pc in p.cases)


def _cheapest_rows(inc: np.ndarray, mode_rows: list[np.ndarray], n: int | None) -> np.ndarray:
    out = []
    for rows in mode_rows:
        if n is not None and len(rows) > n:
            rows = rows[np.argsort(inc[rows], kind="stable")[:n]]
        out.append(rows)
    return np.concatenate(out) if out else np.empty(0, np.int64)


def _keep_cheapest(p: Problem, bounds, n: int, must: dict | list[dict] | None) -> float:
    """:func:`_keep` with the ``n`` cheapest options per seat and mode."""
    return _keep(p, bounds, lambda pc, j, inc, mode_rows: _cheapest_rows(inc, mode_rows, n), must)


def _keep(p: Problem, bounds, choose, must: dict | list[dict] | None) -> float:
    """Put each seat's chosen rows (plus those of plan ``must``, or of each plan in a list) in the
    model; return the smallest increment among the rows left out (∞ if none is)."""
    left_out = INF
    index = p.expert_index
    plans = [] if must is None else must if isinstance(must, list) else [must]
    rows_by_mode: dict[int, list[np.ndarray]] = {}  # per pool (alike cases share one)
    shared: dict = {}
    for pc, b in zip(p.cases, bounds):
        for j, seat in enumerate(pc.seats):
            inc = b.row_inc[j]
            mode_rows = rows_by_mode.get(id(seat.pool))
            if mode_rows is None:
                mode_rows = rows_by_mode[id(seat.pool)] = [np.flatnonzero(seat.pool.mode == m) for m in MODES]
            rows = choose(pc, j, inc, mode_rows)
            for plan in plans:
                if pc.index not in plan:
                    continue
                mode, _slot, experts = plan[pc.index]
                e = index[experts[j]]
                rows = np.concatenate([rows, np.flatnonzero((seat.pool.expert == e) & (seat.pool.mode == mode))])
            rows = np.unique(rows.astype(np.int64))
            left_out = min(left_out, b.left_out[j])
            if len(rows) < len(seat.pool):
                mask = np.ones(len(seat.pool), bool)
                mask[rows] = False
                left_out = min(left_out, float(inc[mask].min()))
            keep_options(p, pc, seat, rows, shared)
    return left_out


def to_lines(p: Problem, choices: dict[int, Choice]) -> list[AssignmentLine]:
    """Lines of the plan (reserved lines last, unchanged); rooms numbered per (center, slot) around
    the pinned and reserved rooms."""
    taken: dict[tuple[str, int], set[int]] = defaultdict(set)
    slot_pos = {s: k for k, s in enumerate(p.slots)}
    for pin in p.request.pins + p.request.reserved:
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
    return lines + list(p.request.reserved)


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


__all__ = ["solve_assignment"]
