"""Min-cost-flow fast path: exact for single-role problems without sessions.

When every case needs one seat and no session, the only coupling rule is the experts' open-case
limit, and the problem is a transportation problem: source → case (1) → expert (cost of the seat) →
sink (open-case room), with a case → sink arc at the unassigned penalty. Min-cost flow solves it to
optimality in polynomial time. The min-max balance term is not a flow cost, so the path is exact only
when that weight is 0; otherwise its plan still serves as a CP-SAT hint.
"""

from __future__ import annotations

from ortools.graph.python import min_cost_flow

from .candidates import Problem
from .config import ObjectiveWeights
from .objective import Choice, same_as_previous, scaled, seat_terms, weighted


def flow_applies(p: Problem) -> bool:
    """The flow model covers the problem's structure (single seat, no session)."""
    return all(len(pc.seats) == 1 and not pc.needs_session for pc in p.cases)


def flow_is_exact(p: Problem, w: ObjectiveWeights) -> bool:
    return flow_applies(p) and w.balance == 0


def solve_flow(p: Problem, w: ObjectiveWeights) -> dict[int, Choice] | None:
    """Optimal plan of a single-seat, session-free problem (balance ignored); None if pins clash."""
    f = min_cost_flow.SimpleMinCostFlow()
    n_cases = len(p.cases)
    source, sink = 0, 1
    case_node = {pc.index: 2 + i for i, pc in enumerate(p.cases)}
    expert_node: dict[int, int] = {}
    arcs: dict[int, tuple[int, int]] = {}
    for pc in p.cases:
        k = pc.index
        f.add_arc_with_capacity_and_unit_cost(source, case_node[k], 1, 0)
        for o, opt in enumerate(pc.seats[0].options):
            node = expert_node.setdefault(opt.expert, 2 + n_cases + len(expert_node))
            cost = weighted(seat_terms(opt), w)
            if pc.previous is not None and not same_as_previous(pc, p, Choice(k, 0, None, (o,))):
                cost += w.disruption
            a = f.add_arc_with_capacity_and_unit_cost(case_node[k], node, 1, scaled(cost))
            arcs[a] = (k, o)
        if pc.pin is None:
            drop = w.unassigned + (w.disruption if pc.previous is not None else 0.0)
            f.add_arc_with_capacity_and_unit_cost(case_node[k], sink, 1, scaled(drop))
    for e, node in expert_node.items():
        f.add_arc_with_capacity_and_unit_cost(node, sink, int(max(0, p.open_capacity[e])), 0)
    f.set_node_supply(source, n_cases)
    f.set_node_supply(sink, -n_cases)
    if f.solve() != f.OPTIMAL:
        return None
    out: dict[int, Choice] = {}
    for a, (k, o) in arcs.items():
        if f.flow(a) > 0:
            out[k] = Choice(k, 0, None, (o,))
    return out
