"""The coordinator's batch proposal: a solve over a center's subtree, with every announced line pinned."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.assignment import ObjectiveWeights, SolveParams, solve_assignment
from matcher.domain import AssignmentLine, AssignmentRequest, Scenario
from matcher.network import travel_minutes

from ..db.models import CaseRow, JobRow, ProposalLineRow, ProposalRow
from .scope import subtree_ids
from .store import announced_lines, current_scenario


#: Proposals up to this many lines also get each line's best alternatives (a few ms per line): beyond
#: it the job would spend longer explaining than solving; the score breakdown is always given.
ALTERNATIVES_UP_TO_LINES = 500
#: Unassigned cases diagnosed per proposal (20–50 ms each on the Jinzhou pool).
DIAGNOSE_UP_TO_CASES = 100


def explain(scenario: Scenario, line: AssignmentLine, explainer: Any = None, k: int = 2) -> dict[str, Any]:
    """Why this team: each seat's proficiency in the category and travel, and the session.

    With an :class:`matcher.explain.Explainer` over the proposal's plan, also the line's score by
    objective term and (``k`` > 0) the best alternatives with the reason each lost."""
    case = scenario.case_by_id[line.case]
    seats = []
    for seat in line.team:
        e = scenario.expert_by_id[seat.expert]
        seats.append(
            {
                "role": seat.role.value,
                "expert": e.id,
                "expert_role": e.role.value,
                "proficiency": e.categories.get(case.category),
                "travel_minutes": None if line.online else round(travel_minutes(scenario, e.home_center, case.center), 1),
                "max_travel_minutes": e.max_travel_minutes,
                "preferred": e.id in case.preferred_experts,
                "previous": e.id in case.previous_experts,
            }
        )
    out: dict[str, Any] = {
        "seats": seats,
        "slot": str(line.slot) if line.slot else None,
        "online": line.online,
        "deadline": case.deadline.isoformat(),
        "risk": case.risk.value,
    }
    if explainer is not None:
        if k > 0:
            e = explainer.explain(line.case, k=k, excluded_per_seat=1)
        else:
            terms = explainer.line_terms(case, line)
            e = None
        terms = e.terms if e is not None else terms
        out["score"] = {"terms": terms, "weighted": {t: round(getattr(explainer.weights, t) * v, 6) for t, v in terms.items()}}
        if e is not None:
            out["alternatives"] = [
                {"team": [s.model_dump(mode="json") for s in a.line.team], "slot": str(a.line.slot) if a.line.slot else None,
                 "online": a.line.online, "objective_change": a.weighted_delta, "reason": a.reason}
                for a in e.alternatives
            ]
            out["excluded"] = [{"role": x.role, "expert": x.expert, "rules": list(x.rules), "reason": x.reason}
                               for x in e.excluded]
    return out


def run_assign_job(db: Session, job: JobRow) -> Callable[[Session], str | None]:
    params = dict(job.params)
    center = params["center"]
    scenario = current_scenario(db)
    area = subtree_ids(db, center)
    pins = [AssignmentLine.model_validate(x) for x in announced_lines(db)]
    pinned = {p.case for p in pins}
    to_plan = [c.id for c in scenario.cases if c.center in area and c.id not in pinned]
    request = AssignmentRequest(cases=tuple(to_plan) + tuple(sorted(pinned)), horizon_days=params["horizon_days"], pins=tuple(pins))
    result = solve_assignment(
        scenario,
        request,
        ObjectiveWeights(),
        SolveParams(time_limit_s=params["time_limit_s"], workers=params["workers"], seed=params["seed"]),
    )

    from matcher.diagnose import diagnose_case, minimal_conflicting_pins
    from matcher.explain import Explainer

    explainer = Explainer(scenario, result.lines, request.horizon_start, request.horizon_days) if result.ok else None
    k = 2 if len(result.lines) <= ALTERNATIVES_UP_TO_LINES else 0
    wanted = set(to_plan)
    explanations = {ln.case: explain(scenario, ln, explainer, k) for ln in result.lines if ln.case in wanted}
    # Why each unassigned case has no team on top of the plan: the smallest set of rules, from the masks.
    unassigned = []
    for n, u in enumerate(x for x in result.unassigned if x.case in wanted):
        entry = u.model_dump(mode="json")
        if explainer is not None and n < DIAGNOSE_UP_TO_CASES:
            entry["diagnosis"] = list(diagnose_case(explainer.rec, scenario.case_by_id[u.case]).reasons)
        unassigned.append(entry)
    conflict = minimal_conflicting_pins(scenario, request) if result.status.value == "infeasible" and pins else None

    def write(tx: Session) -> str:
        proposal_id = str(uuid.uuid4())
        tx.add(
            ProposalRow(
                id=proposal_id,
                job_id=job.id,
                center_id=center,
                created_by=job.created_by,
                status=result.status.value if hasattr(result.status, "value") else str(result.status),
                summary={
                    "reason": result.reason,
                    "objective": result.objective,
                    "terms": result.terms,
                    "weighted_terms": result.weighted_terms,
                    "bound": result.bound,
                    "gap": result.gap,
                    "solve_seconds": result.solve_seconds,
                    "seed": result.seed,
                    "solver": result.solver,
                    "cases_planned": len(to_plan),
                    "pinned": len(pins),
                    **({"conflicting_pins": {"pins": list(conflict.pins), "rules": list(conflict.rules)}} if conflict else {}),
                },
                unassigned=unassigned,
            )
        )
        tx.flush()
        planned = set(to_plan)
        for line in result.lines:
            if line.case in planned:
                tx.add(
                    ProposalLineRow(
                        proposal_id=proposal_id,
                        case_id=line.case,
                        line=line.model_dump(mode="json"),
                        explanation=explanations[line.case],
                    )
                )
        return proposal_id

    return write


def case_center(db: Session, case_id: str) -> str | None:
    return db.scalar(select(CaseRow.center_id).where(CaseRow.id == case_id))
