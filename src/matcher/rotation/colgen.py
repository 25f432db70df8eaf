"""Column generation (price-and-branch) for rosters whose staff are linked only by cover rows.

Why: the compact model's LP relaxation is nearly useless (fractional staff meet every request and
cover a little), so CP-SAT proves almost nothing and searches blind. The classic remedy for
rostering (Curtois & Qu solved their instances this way, by branch and price) is to choose whole
rosters: a master problem picks one roster per staff member, with cover shortfalls and surpluses
priced, and its LP is as strong as the convex hull of each member's feasible rosters.

- Pricing, per staff member: minimise request costs minus the cover rows' dual values over the
  member's feasible rosters. A dynamic program over days (`pricing_dp.DayPricer`, 2-5 ms) when the
  member's rules fit it (the Curtois rule set); otherwise, or when its roster breaks a rule it
  only checks, the rostering core on that one member (every individual rule: runs, minutes,
  weekends, successions, days off, pins) solved exactly by CP-SAT (~20-50 ms).
- Master LP (GLOP, kept between iterations): convexity row per member, one equality per cover row
  with shortfall/surplus.
- Lower bound (Lagrangian): LP value + the sum of each member's most negative reduced cost; valid
  at every iteration, equal to the LP value at convergence. Weights integer -> rounded up.
- Integer master: CP-SAT over the generated rosters (exactly one per member), hinted with the best
  known roster; its solution is a full roster of the original problem.
- Improvement: large-neighbourhood search on the compact model with a Lagrangian cut per member
  (`WindowSearch`): a window of days, a few whole members, or the cells where the root LP
  disagrees with the incumbent (RINS); two at a time on one worker each, sizes adapting; and now
  and then a few members re-priced (price and branch).
- Probe: near the bound, the whole compact model under a budget derived from the Lagrangian bound
  (`WindowSearch.add_budget`), looking for a roster within the bound + 1, on one core in the
  background (`FullSearch`); its proof that there is none raises the bound.

Any `RosterProblem` fits: among the core families only cover rows link staff. Rules a front end adds
to a `RosterModel` afterwards (the judges' one-judge-per-center-slot, spread, pairs) are not seen.
"""

from __future__ import annotations

import math
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from matcher.assignment.core import SolveStatus, relative_gap

from .core import OBJECTIVE_SCALE, Cover, RosterModel, RosterOutcome, RosterProblem, WindowLimit, add_cover_rule, cost_units
from .pricing_dp import DayPricer, day_pricing_applies


def staff_slice(p: RosterProblem, s: int) -> RosterProblem:
    """The problem restricted to staff member `s` (as staff 0), without covers and requests."""
    one = lambda a: None if a is None else a[s:s + 1]  # noqa: E731
    return replace(
        p, n_staff=1, allowed=p.allowed[s:s + 1],
        max_per_type={(0, k): v for (ss, k), v in p.max_per_type.items() if ss == s},
        min_minutes=one(p.min_minutes), max_minutes=one(p.max_minutes),
        max_consecutive_days=one(p.max_consecutive_days), min_consecutive_days=one(p.min_consecutive_days),
        min_days_off=one(p.min_days_off), max_weekends=one(p.max_weekends),
        forbidden_same_day={0: p.forbidden_same_day[s]} if s in p.forbidden_same_day else {},
        windows=[WindowLimit(0, w.periods, w.limit) for w in p.windows if w.staff == s],
        covers=[], requests_on=[], requests_off=[],
        pins={(0, per): k for (ss, per), k in p.pins.items() if ss == s},
    )


@dataclass
class ColumnGenerationResult:
    assignment: np.ndarray | None  # (S, P), -1 = off; None if the integer master found nothing
    terms: dict[str, float]
    objective: float | None
    lower_bound: float  # valid for the whole problem
    lp_value: float
    iterations: int
    columns: int
    converged: bool
    seconds: float


def reduced_cost_matrix(cell_cost: dict[tuple[int, int], float], duals: dict[tuple[int, int], float],
                        n_periods: int, n_types: int) -> np.ndarray:
    """(periods, types): what working each cell costs a member (its request costs) less the cover duals."""
    cost = np.zeros((n_periods, n_types))
    for (per, k), c in cell_cost.items():
        cost[per, k] += c
    for (per, k), d in duals.items():
        cost[per, k] -= d
    return cost


class _Pricer:
    """One member's pricing model, built once; only the objective changes between calls."""

    def __init__(self, p: RosterProblem, s: int, cell_cost: dict[tuple[int, int], float], constant: float, *,
                 day_pricing: bool = True) -> None:
        one = staff_slice(p, s)
        self.model = RosterModel(one)
        self.model.add_core_constraints()
        self.cells = [(per, k, v) for (_z, per, k), v in self.model.x.items()]
        # The day DP prices in a few ms what CP-SAT prices in ~20; CP-SAT remains for rule sets the
        # DP does not model and for the rare roster that breaks a rule the DP only checks.
        self.dp = DayPricer(one) if day_pricing and day_pricing_applies(one) else None
        self.cell_cost = cell_cost  # request cost of working (per, k) for this member
        self.gap = 1.0  # pricing stops within this of the proved minimum
        self.constant = constant  # request cost of working nothing (unmet on-requests)

    def price(self, duals: dict[tuple[int, int], float], time_limit_s: float, seed: int,
              scale: float = 1000.0, restrict: list[tuple[int, int, bool]] | None = None,
              ) -> tuple[float, np.ndarray, list[np.ndarray]] | None:
        """(bound on the reduced cost without the convexity dual, the cheapest roster, every roster
        the search improved through — good columns too), or None. `restrict`: branching decisions
        (period, value, equal): the roster takes (or avoids) that value (a type, -1 = off) there."""
        if self.dp is not None:
            cost = reduced_cost_matrix(self.cell_cost, duals, self.model.p.n_periods, self.model.p.n_types)
            off_forbidden = None
            if restrict:
                cost, off_forbidden = restricted_costs(cost, restrict)
            r = self.dp.solve(cost, off_forbidden=off_forbidden)
            if r.value == np.inf:
                return None
            if r.exact:
                return r.value, r.rows[-1], r.rows
        return self.price_cp_sat(duals, time_limit_s, seed, scale, restrict=restrict)

    def price_cp_sat(self, duals: dict[tuple[int, int], float], time_limit_s: float, seed: int,
                     scale: float = 1000.0, gap: float | None = None,
                     restrict: list[tuple[int, int, bool]] | None = None) -> tuple[float, np.ndarray, list[np.ndarray]] | None:
        """`price` by CP-SAT alone, stopping within `gap` (default: `self.gap`) of the minimum."""
        m = self.model.model
        if restrict:  # branching decisions hold in a copy; the member's own model stays as built
            m = m.clone()
            for per, value, equal in restrict:
                here = [m.get_bool_var_from_proto_index(v.index) for pp, k, v in self.cells if pp == per and (value < 0 or k == value)]
                if value >= 0 and equal or value < 0 and not equal:
                    m.add_bool_or(here)  # works that type (any type); no variable: infeasible
                else:
                    for v in here:
                        m.add(v == 0)
        coeffs = []
        for per, k, v in self.cells:
            c = self.cell_cost.get((per, k), 0.0) - duals.get((per, k), 0.0)
            ci = int(round(c * scale))
            if ci:
                coeffs.append(ci * m.get_bool_var_from_proto_index(v.index))
        m.minimize(sum(coeffs) if coeffs else 0)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_limit_s
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        # Within `gap` of the cheapest roster is good enough for a column, and the proved bound
        # (used for the Lagrangian bound) stays valid whatever the gap.
        solver.parameters.absolute_gap_limit = (self.gap if gap is None else gap) * scale
        seen: list[np.ndarray] = []
        cells, n_periods = self.cells, self.model.p.n_periods

        class Collect(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(self) -> None:
                row = np.full(n_periods, -1, dtype=np.int64)
                for per, k, v in cells:
                    if self.boolean_value(v):
                        row[per] = k
                seen.append(row)

        code = solver.solve(m, Collect())
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or not seen:
            return None
        # The true minimum is at least the proved bound (scaled back, less the rounding slack).
        bound = solver.best_objective_bound / scale - 0.5 * len(coeffs) / scale
        return bound, seen[-1], seen


def restricted_costs(cost: np.ndarray, restrict: list[tuple[int, int, bool]]) -> tuple[np.ndarray, np.ndarray]:
    """The day DP's inputs under branching decisions (period, value, equal; value -1 = off): the
    cost matrix with the excluded types at inf, and the periods where a day off is excluded."""
    cost = cost.copy()
    off_forbidden = np.zeros(cost.shape[0], dtype=bool)
    for per, value, equal in restrict:
        if value >= 0 and equal:
            keep = cost[per, value]
            cost[per] = np.inf
            cost[per, value] = keep
            off_forbidden[per] = True
        elif value >= 0:
            cost[per, value] = np.inf
        elif equal:
            cost[per] = np.inf
        else:
            off_forbidden[per] = True
    return cost, off_forbidden


def _roster_cost(row: np.ndarray, cell_cost: dict[tuple[int, int], float], constant: float) -> float:
    return constant + sum(cell_cost.get((per, int(k)), 0.0) for per, k in enumerate(row) if k >= 0)


def _master_rows(lp: pywraplp.Solver, obj, covers: list[Cover], budget=None) -> list[tuple]:  # noqa: ANN001
    """The cover rows of a master over rosters: count + under - over = requirement, the slacks
    priced by the cover weights (and counted in `budget`, a constraint, if given); a hard floor is a
    row of its own whose shortfall is priced high, so an LP stays feasible. [(row, floor or None)]."""
    rows = []
    for c in covers:
        under, over = lp.NumVar(0, lp.infinity(), ""), lp.NumVar(0, lp.infinity(), "")
        priced = [(under, c.weight_under if c.requirement else 0.0), (over, c.weight_over)]
        ct = lp.Constraint(c.requirement, c.requirement)
        ct.SetCoefficient(under, 1)
        ct.SetCoefficient(over, -1)
        floor = None
        if c.hard_min:
            short = lp.NumVar(0, lp.infinity(), "")
            priced.append((short, 1e6))
            floor = lp.Constraint(c.hard_min, lp.infinity())
            floor.SetCoefficient(short, 1)
        for v, w in priced:
            obj.SetCoefficient(v, w)
            if budget is not None:
                budget.SetCoefficient(v, w)
        rows.append((ct, floor))
    return rows


def _master_column(v, row: np.ndarray, cover_of: dict[tuple[int, int], int], rows: list[tuple]) -> None:  # noqa: ANN001
    """Roster `row`'s variable counts in the cover rows (and floors) of the cells it works."""
    for per, k in enumerate(row):
        i = cover_of.get((per, int(k))) if k >= 0 else None
        if i is not None:
            ct, floor = rows[i]
            ct.SetCoefficient(v, 1)
            if floor is not None:
                floor.SetCoefficient(v, 1)


class _MasterLP:
    """The master LP (GLOP), kept between iterations: new columns are added to it and a dive's
    fixings only set column upper bounds, so an iteration no longer rebuilds thousands of columns
    in Python (0.05-0.2 s on Instances 7-8)."""

    def __init__(self, cg: ColumnGeneration) -> None:
        self.cg = cg
        lp = self.lp = pywraplp.Solver.CreateSolver("GLOP")
        S = cg.p.n_staff
        self.conv = [lp.Constraint(1, 1) for _ in range(S)]
        self.obj = lp.Objective()
        self.rows = _master_rows(lp, self.obj, cg.covers)
        self.obj.SetMinimization()
        self.vars: list[list] = [[] for _ in range(S)]
        self.upper: list[np.ndarray] = [np.zeros(0, dtype=bool) for _ in range(S)]
        for s in range(S):
            for j in range(len(cg.columns[s])):
                self.add(s, j)

    def add(self, s: int, j: int) -> None:
        v = self.lp.NumVar(0, 1, "")
        self.obj.SetCoefficient(v, self.cg.costs[s][j])
        self.conv[s].SetCoefficient(v, 1)
        _master_column(v, self.cg.columns[s][j], self.cg.cover_of, self.rows)
        self.vars[s].append(v)
        self.upper[s] = np.append(self.upper[s], True)

    def solve(self, allowed: list[np.ndarray]) -> tuple[float, dict[tuple[int, int], float], list[float], list[list[float]]] | None:
        for s, a in enumerate(allowed):
            for j in np.flatnonzero(a != self.upper[s]):
                self.vars[s][j].SetUb(1.0 if a[j] else 0.0)
            self.upper[s] = a.copy()
        if self.lp.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        duals = {}
        for (per, k), i in self.cg.cover_of.items():
            ct, floor = self.rows[i]
            duals[per, k] = ct.dual_value() + (floor.dual_value() if floor is not None else 0.0)
        lams = [[v.solution_value() for v in vs] for vs in self.vars]
        return self.obj.Value(), duals, [c.dual_value() for c in self.conv], lams


class ColumnGeneration:
    """State of one price-and-branch run: the generated rosters per member and which are fixed."""

    def __init__(self, p: RosterProblem, *, workers: int, seed: int, log: bool = False, smoothing: float = 0.5,
                 dive_step_divisor: int = 3, day_pricing: bool = True) -> None:
        self.p, self.workers, self.seed, self.log, self.smoothing = p, workers, seed, log, smoothing
        self.dive_step_divisor = dive_step_divisor  # each dive step fixes at least 1/divisor of the free members
        # While diving, stop re-converging once 5 iterations gained less than this (relative); 0 = converge.
        self.dive_tail_off = 1e-3
        # A dive step that raises the LP by more than this (relative) is undone, and the dive goes
        # on one member at a time; math.inf = never.
        self.dive_backtrack = 5e-3
        self.dive_retries = 3  # members tried one after another before a jump is accepted
        # branch_and_price: a node's LP stops once 5 iterations gained less than this (relative; its
        # bound is the Lagrangian value, valid whatever the LP)
        self.branch_tail_off = 1e-4
        # branch_and_price: a node within this of the incumbent (Lagrangian) is settled by enumerating
        # its rosters, if they are at most `enumerate_limit`, by `select_rosters` within `enumerate_time_s`
        self.enumerate_gap = 0.5
        self.enumerate_limit = 4000
        self.enumerate_time_s = 3.0
        # improve(): branch and price runs when the incumbent is at most this above the bound (5:
        # Instance7's neighbourhoods can stall at 1059 against a bound of 1055)
        self.branch_gap = 5.0
        self.branch_slice_s = 5.0  # ... in slices of this long, alternating with the neighbourhoods,
        self.branch_after = 0  # ... once this many rounds in a row improved nothing
        # The dives end early once the incumbent is within `branch_gap` of the bound and this many
        # dives in a row gained nothing: near the bound, branch and price and the probe use the time
        # better (0 = dive until `dive_share`)
        self.dive_patience = 2
        self.enumerate_solver = "CP-SAT"  # or a pywraplp MIP solver: "HIGHS", "SCIP" (`select_rosters`)
        S = p.n_staff
        # Request costs per member and cell; the constant is what the member pays working nothing.
        self.cell_cost: list[dict[tuple[int, int], float]] = [{} for _ in range(S)]
        self.constant = [0.0] * S
        for s, per, k, w in p.requests_on:
            self.constant[s] += w
            self.cell_cost[s][per, k] = self.cell_cost[s].get((per, k), 0.0) - w
        for s, per, k, w in p.requests_off:
            self.cell_cost[s][per, k] = self.cell_cost[s].get((per, k), 0.0) + w
        self.covers = list(p.covers)
        self.cover_of = {(c.period, c.kind): i for i, c in enumerate(self.covers)}
        # day_pricing=False prices with CP-SAT only (the path of rule sets the day DP does not model)
        self.pricers = [_Pricer(p, s, self.cell_cost[s], self.constant[s], day_pricing=day_pricing) for s in range(S)]
        self.columns: list[list[np.ndarray]] = [[] for _ in range(S)]
        self.costs: list[list[float]] = [[] for _ in range(S)]
        self._seen: list[dict[bytes, int]] = [{} for _ in range(S)]
        self._master: _MasterLP | None = None  # built at the first LP, then grown column by column
        self.root_values: np.ndarray | None = None  # the converged root LP's cell values (RINS)
        self.member_round_every = 3  # improve(): one price-and-branch round in this many
        self.probe_gap = 3.0  # the bottom-up whole-model probe runs this near the bound
        self.full: FullSearch | None = None  # the probe, once started
        self._windows: WindowSearch | None = None
        self.fixed: dict[int, int] = {}  # member -> column index (diving)
        self._branch_stack: list[list[tuple[int, int, int, bool]]] | None = None  # branch_and_price's open nodes
        self._branch_complete = True  # no node was left on a heuristic ground (the tree can prove)
        # member -> branching decisions (period, value, equal): cell branching (`branch_and_price`)
        self.restrict: dict[int, list[tuple[int, int, bool]]] = {}
        self._arrays: list[np.ndarray | None] = [None] * S  # each member's columns stacked, built on demand
        self.lower_bound = -math.inf
        self.best_duals: dict[tuple[int, int], float] | None = None  # the duals that gave `lower_bound`
        self.iterations = 0
        self.integer_weights = all(float(w).is_integer() for c in self.covers for w in (c.weight_under, c.weight_over)) and all(
            float(w).is_integer() for *_r, w in p.requests_on + p.requests_off)
        self.t0 = time.perf_counter()

    def add(self, s: int, row: np.ndarray) -> int:
        key = row.tobytes()
        if key not in self._seen[s]:
            self._seen[s][key] = len(self.columns[s])
            self.columns[s].append(row.copy())
            self.costs[s].append(_roster_cost(row, self.cell_cost[s], self.constant[s]))
            self._arrays[s] = None
            if self._master is not None:
                self._master.add(s, len(self.columns[s]) - 1)
        return self._seen[s][key]

    def cover_cost(self, assignment: np.ndarray) -> float:
        return sum(self._cover_penalty(assignment, c) for c in self.covers)

    @staticmethod
    def _cover_penalty(assignment: np.ndarray, c: Cover) -> float:
        n = int(np.sum(assignment[:, c.period] == c.kind))
        return c.weight_under * max(0, c.requirement - n) + c.weight_over * max(0, n - c.requirement)

    def terms(self, assignment: np.ndarray) -> dict[str, float]:
        """The core's named terms (unweighted) for a full roster."""
        under = over = 0.0
        for c in self.covers:
            n = int(np.sum(assignment[:, c.period] == c.kind))
            if c.weight_under and c.requirement:
                under += max(0, c.requirement - n)
            if c.weight_over:
                over += max(0, n - c.requirement)
        on = sum(1.0 for s, per, k, w in self.p.requests_on if w and assignment[s, per] != k)
        off = sum(1.0 for s, per, k, w in self.p.requests_off if w and assignment[s, per] == k)
        return {"cover_under": under, "cover_over": over, "requests_on": on, "requests_off": off}

    def cost(self, assignment: np.ndarray) -> float:
        return sum(_roster_cost(assignment[s], self.cell_cost[s], self.constant[s]) for s in range(self.p.n_staff)) + self.cover_cost(assignment)

    def _price(self, jobs: list[tuple[int, dict]], deadline: float) -> list:
        def run(job):  # noqa: ANN001, ANN202
            s, duals = job
            return self.pricers[s].price(duals, time_limit_s=max(0.05, min(2.0, deadline - time.perf_counter())), seed=self.seed,
                                         restrict=self.restrict.get(s))
        if self.workers > 1 and len(jobs) > 1:
            with ThreadPoolExecutor(self.workers) as pool:  # CP-SAT releases the GIL while solving
                return list(pool.map(run, jobs))
        return [run(j) for j in jobs]

    def initial_columns(self, initial: np.ndarray | None, deadline: float) -> bool:
        if initial is not None:
            for s in range(self.p.n_staff):
                self.add(s, initial[s])
        # Every member needs a column: their own cheapest roster (zero duals).
        outs = self._price([(s, {}) for s in range(self.p.n_staff)], deadline)
        if any(o is None for o in outs):
            return False
        for s, o in enumerate(outs):
            self.add(s, o[1])
        return True

    def allowed_columns(self, s: int) -> np.ndarray:
        """Which of member `s`'s columns the master may use: the fixed one, or all that keep the
        member's branching decisions."""
        n = len(self.columns[s])
        if s in self.fixed:
            out = np.zeros(n, dtype=bool)
            out[self.fixed[s]] = True
            return out
        out = np.ones(n, dtype=bool)
        if self.restrict.get(s):
            arr = self.column_array(s)
            for per, value, equal in self.restrict[s]:
                out &= (arr[:, per] == value) if equal else (arr[:, per] != value)
        return out

    def column_array(self, s: int) -> np.ndarray:
        """(columns, periods): member `s`'s rosters stacked."""
        if self._arrays[s] is None:
            self._arrays[s] = np.stack(self.columns[s])
        return self._arrays[s]

    def cell_values(self, lams: list[list[float]]) -> np.ndarray:
        """(members, periods, values): the LP's weight on each member taking each value (a type,
        or the number of types for a day off) on each period."""
        S, P, K = self.p.n_staff, self.p.n_periods, self.p.n_types
        x = np.zeros((S, P, K + 1))
        periods = np.arange(P)
        for s in range(S):
            lam = np.asarray(lams[s])
            used = np.flatnonzero(lam > 1e-9)
            if not len(used):
                continue
            arr = np.stack([self.columns[s][j] for j in used])
            values = np.where(arr < 0, K, arr)
            np.add.at(x[s], (np.broadcast_to(periods, values.shape), values), lam[used, None])
        return x

    def solve_lp(self) -> tuple[float, dict[tuple[int, int], float], list[float], list[list[float]]] | None:
        """(value, cover duals, convexity duals, lambda per member and column) of the master LP over
        the columns the restrictions allow (None if a member has none, or GLOP fails)."""
        if self._master is None:
            self._master = _MasterLP(self)
        allowed = [self.allowed_columns(s) for s in range(self.p.n_staff)]
        if not all(a.any() for a in allowed):
            return None
        out = self._master.solve(allowed)
        if out is None:
            # GLOP ends ABNORMAL now and then on the grown master (Instance7, in 2 of 3 runs of a
            # variant that ended the dives early); the same columns in a fresh LP solve. Before,
            # branch and price took the failed root for a closed node and "proved" 1057 optimal
            # (the optimum is 1056).
            self._master = _MasterLP(self)
            out = self._master.solve(allowed)
        return out

    def converge(self, deadline: float, *, close_enough_after: float = math.inf,
                 tolerance: float = 2.5e-3) -> tuple[float, list[list[float]]] | None:
        gaps = [pr.gap for pr in self.pricers]
        try:
            return self._converge(deadline, close_enough_after, tolerance, gaps)
        finally:
            for pr, gap in zip(self.pricers, gaps):  # the confirmation round set them to 0
                pr.gap = gap

    def _converge(self, deadline: float, close_enough_after: float, tolerance: float,
                  gaps: list[float]) -> tuple[float, list[list[float]]] | None:
        """Column generation until no member has a negative reduced cost (or the deadline).

        Duals are smoothed (Wentges): pricing uses a mix of the LP duals and the duals that gave the
        best Lagrangian bound so far, which damps the LP's oscillating duals; when the mix yields no
        improving column, the LP duals themselves are priced before declaring convergence. After
        `close_enough_after`, an LP within `tolerance` (relative) of the Lagrangian bound is
        treated as converged: the slow tail rarely changes the dive.

        Pricing stops within the pricer's `gap` of each member's minimum, so "no column found" does
        not make the LP value a bound (a column of reduced cost between -gap and 0 may exist:
        measured on Instance3, -2.0 at the LP value 1001.0). Before declaring convergence the
        LP duals are priced once more exactly, and the bound kept is that round's Lagrangian value."""
        lp_value, lams = math.inf, None
        history: list[float] = []
        alpha = 0.0 if any(c.hard_min for c in self.covers) else self.smoothing
        center: dict[tuple[int, int], float] | None = None
        center_value = -math.inf
        exact_round = False  # the confirmation round: LP duals, every member priced to optimality
        while time.perf_counter() < deadline:
            self.iterations += 1
            t_lp = time.perf_counter()
            res = self.solve_lp()
            t_lp = time.perf_counter() - t_lp
            if res is None:
                return None
            lp_value, duals, conv, lams = res
            free = [s for s in range(self.p.n_staff) if s not in self.fixed]
            a = alpha if center is not None and not exact_round else 0.0
            for pr, gap in zip(self.pricers, gaps):
                pr.gap = 0.0 if exact_round else gap
            while True:
                at = duals if not a else {key: a * center[key] + (1 - a) * d for key, d in duals.items()}  # type: ignore[index]
                outs = self._price([(s, at) for s in free], deadline)
                added, exact = 0, all(o is not None for o in outs)
                if exact and not self.fixed and not self.restrict:  # a Lagrangian bound holds for the unrestricted problem only
                    value = self.lagrangian(at, [o[0] for o in outs])  # (every member is free)
                    if value > self.lower_bound:
                        self.lower_bound, self.best_duals = value, dict(at)
                    if value > center_value:
                        center_value, center = value, at
                for s, o in zip(free, outs):
                    if o is None:
                        continue
                    for row in o[2][-3:]:  # the cheapest roster and the two the search found before it
                        real = _roster_cost(row, self.cell_cost[s], self.constant[s]) - sum(
                            duals.get((per, int(k)), 0.0) for per, k in enumerate(row) if k >= 0) - conv[s]
                        if real < -1e-6 and row.tobytes() not in self._seen[s]:
                            self.add(s, row)
                            added += 1
                if added or not a or time.perf_counter() >= deadline:
                    break
                a = 0.0  # mispricing: the smoothed duals found nothing, so ask at the LP duals
            if self.log:
                print(f"cg {time.perf_counter() - self.t0:6.2f}s it {self.iterations} fixed {len(self.fixed)} lp {lp_value:.2f}"
                      f" lb {self.lower_bound:.2f} +{added} (LP {t_lp:.2f}s)")
            if added == 0 and exact:
                if not self.fixed and not self.restrict and not exact_round and any(gaps):
                    exact_round = True  # confirm with exact pricing; its Lagrangian value is the bound
                    continue
                return lp_value, lams
            exact_round = False
            if (not self.fixed and not self.restrict and time.perf_counter() > close_enough_after
                    and lp_value - self.lower_bound <= tolerance * max(1.0, abs(lp_value))):
                return lp_value, lams
            history.append(lp_value)
            tail_off = self.dive_tail_off if self.fixed else self.branch_tail_off if self.restrict else 0.0
            if tail_off and len(history) > 4 and history[-5] - lp_value < tail_off * max(1.0, abs(lp_value)):
                return lp_value, lams  # tailing off while diving: near enough to decide the next fix
        return (lp_value, lams) if lams is not None else None

    def lagrangian(self, duals: dict[tuple[int, int], float], minima: list[float]) -> float:
        """The Lagrangian value at cover `duals`, given every member's minimum reduced cost there:
        a lower bound for any duals within the cover weights."""
        return sum(duals.get((c.period, c.kind), 0.0) * c.requirement for c in self.covers) + sum(
            m + self.constant[s] for s, m in enumerate(minima))

    def bound(self) -> float:
        return self.rounded(self.lower_bound)

    def rounded(self, value: float) -> float:
        """A bound on an objective of integer weights rounds up."""
        return math.ceil(value - 1e-6) if self.integer_weights and math.isfinite(value) else value

    def keep_diving(self, n_dives: int, gained_at: int, best_cost: float, until: float) -> bool:
        """Whether the dive phase goes on after `n_dives` dives, the last gain at dive `gained_at`:
        always a first dive; then until `until`, unless the incumbent is optimal, or is within
        `branch_gap` of the bound and `dive_patience` dives in a row gained nothing."""
        if best_cost <= self.bound() + 1e-6:
            return False
        if not n_dives:
            return True
        if (self.dive_patience and best_cost <= self.bound() + self.branch_gap
                and n_dives - gained_at >= self.dive_patience):
            return False
        return time.perf_counter() < until

    def dive(self, deadline: float, incumbent: float = math.inf, *, divisor: int | None = None,
             rng: random.Random | None = None, backtrack: bool = True) -> np.ndarray | None:
        """Fix the members whose LP roster is (nearly) integral, the likeliest one at least, re-price,
        repeat until every member is fixed: a full roster. Stops early if the LP cannot beat the
        incumbent. `rng` perturbs which members are fixed first (a different dive each time). With
        `backtrack`, a step that raises the LP by more than `dive_backtrack` is undone."""
        S = self.p.n_staff
        divisor = divisor or self.dive_step_divisor
        last_step: list[int] = []
        last_value = -math.inf
        single = False
        rejected: set[int] = set()  # members whose single fixing jumped, at this depth
        while time.perf_counter() < deadline:
            res = self.converge(deadline)  # (with every member fixed, one LP: the roster's cost)
            if res is None:
                break
            lp_value, lams = res
            others = any(s not in self.fixed and s not in rejected for s in range(S))  # (besides the last step)
            if (backtrack and last_step and len(rejected) < self.dive_retries and (others or not single)
                    and lp_value > last_value + self.dive_backtrack * max(1.0, abs(last_value))):
                # the step's fixings cost more than the LP had them at: undo them and fix one
                # member at a time from here, another one if a single fixing jumps too (Instance8:
                # 1308 -> 1384 -> 1506 on two steps of 4 and 3 members; that dive ended at 1409,
                # ~100 = one more short cover than the optimum)
                for s in last_step:
                    del self.fixed[s]
                if len(last_step) == 1:
                    rejected.update(last_step)
                last_step, single = [], True
                continue
            if last_step:
                rejected.clear()  # the last step held
            if len(self.fixed) == S:
                break
            if self.rounded(lp_value) >= incumbent - 1e-6:
                break
            free = [s for s in range(S) if s not in self.fixed and s not in rejected]
            noise = (lambda: rng.uniform(0.0, 0.3)) if rng is not None else (lambda: 0.0)  # noqa: E731
            best = sorted(((max(lams[s]) + noise(), s) for s in free), reverse=True)
            step = 1 if single else max(1, len(free) // divisor)
            last_step, last_value = [], lp_value
            for i, (_val, s) in enumerate(best):
                if i < step or (not single and max(lams[s]) > 0.9):
                    self.fixed[s] = int(np.argmax(lams[s]))
                    last_step.append(s)
        if len(self.fixed) < S:
            return None  # the fixings stay: the caller may finish them with the integer master
        out = np.stack([self.columns[s][self.fixed[s]] for s in range(S)])
        self.fixed.clear()
        return out

    def branch_and_price(self, best: np.ndarray, deadline: float, rng: random.Random) -> tuple[np.ndarray, bool]:
        """Depth-first branch and price on cells, from the roster `best`, until the deadline or the
        tree is exhausted. (The best roster, True if exhausted: nothing beats it.)

        At each node the LP is converged under the node's decisions and the node's Lagrangian
        bound computed; a node that cannot beat the incumbent is closed, one near it is settled by
        enumeration (`_settle_by_enumeration`), an integral LP is a roster, and otherwise the most
        fractional cell (member, period, value) is branched on: "takes that value" first, "avoids
        it" after. The probe, if running, is read at every node.

        Why: Instance7's LP is 1054.08 and every dive and neighbourhood ends at 1057 or above;
        rosters at 1056 differ from them in many cells (fixing 20% of the cells where a 1057
        roster and the LP agree raises the LP to 1057), so local search does not reach them,
        while this search finds one at depth 8. Branching on the most fractional cell moves the
        bound in both children (branching where the LP is nearly integral left it flat for
        hundreds of levels), and exhausting the tree proves Instance5's 1143 optimal."""
        S = self.p.n_staff
        incumbent = self.cost(best)
        if self._branch_stack is None:
            self._branch_stack, self._branch_complete = [[]], True
        stack = self._branch_stack  # resumed where the last call stopped (a better incumbent only prunes more)
        nodes = 0
        workers = self.workers
        if self.full is not None:  # the probe has the other core
            self.workers = 1
        try:
            while stack:
                if time.perf_counter() >= deadline:
                    break
                if self.full is not None:
                    best = self.adopt_probe(best)
                    incumbent = self.cost(best)
                    if incumbent <= self.bound() + 1e-6:
                        return best, True
                node = stack.pop()
                nodes += 1
                self.restrict = {}
                for s, per, value, equal in node:
                    self.restrict.setdefault(s, []).append((per, value, equal))
                columns = self._columns_for_restrictions(deadline)
                if columns is None:  # a pricer gave up: the node is left, and the tree proves nothing
                    self._branch_complete = False
                    continue
                if not columns:
                    continue  # proved: a member has no roster keeping the node's decisions
                res = self.converge(deadline)
                if time.perf_counter() >= deadline:
                    stack.append(node)  # unfinished: the next call takes it up again
                    break
                if res is None:  # (no LP: not a proof that the node holds nothing better)
                    self._branch_complete = False
                    continue
                lp_value, lams = res
                bound = self.node_bound()
                if bound is None:  # (no day DP: the LP value, not a proof)
                    self._branch_complete = False
                    bound = (lp_value, None, [], [])
                if self.log:
                    print(f"node {nodes} {time.perf_counter() - self.t0:6.2f}s depth {len(node)} lp {lp_value:.3f} bound {bound[0]:.3f}")
                if self.rounded(bound[0]) >= incumbent - 1e-6:
                    continue
                if all(max(lams[s]) >= 1 - 1e-6 for s in range(S)):
                    roster = np.stack([self.columns[s][int(np.argmax(lams[s]))] for s in range(S)])
                    if self.cost(roster) < incumbent - 1e-9:
                        best, incumbent = self._branch_improved(roster, nodes, node, deadline, rng)
                    if self.rounded(bound[0]) < incumbent - 1e-6:
                        self._branch_complete = False  # the LP tailed off above the node's bound: left unproved
                    continue
                settled = self._settle_by_enumeration(bound, incumbent, deadline)
                if settled is not None:
                    if settled is not True:
                        best, incumbent = self._branch_improved(settled, nodes, node, deadline, rng)
                    continue
                if time.perf_counter() >= deadline and nodes > 1:
                    # the slice ended during the settling: the next slice settles the node again
                    # rather than branch on it (Instance7: 3 of ~8 settlings a run were cut so; the
                    # first node of a call had the whole slice, so it branches)
                    stack.append(node)
                    break
                x = self.cell_values(lams)
                x = np.where((x > 1e-6) & (x < 1 - 1e-6), np.abs(x - 0.5), np.inf)
                s, per, v = map(int, np.unravel_index(int(np.argmin(x)), x.shape))
                value = -1 if v == self.p.n_types else v
                stack.append(node + [(s, per, value, False)])
                stack.append(node + [(s, per, value, True)])
        finally:
            self.restrict = {}
            self.workers = workers
        if self.log:
            print(f"b&p {time.perf_counter() - self.t0:6.2f}s {nodes} nodes, {len(stack)} open")
        return best, self._branch_complete and not stack

    def _branch_improved(self, roster: np.ndarray, nodes: int, node: list, deadline: float,
                         rng: random.Random) -> tuple[np.ndarray, float]:
        self.add_roster(roster)
        cost = self.cost(roster)
        if self.log:
            print(f"b&p {time.perf_counter() - self.t0:6.2f}s node {nodes} depth {len(node)} -> {cost:g}")
        self.retarget_probe(roster, cost, deadline, rng)
        return roster, cost

    def node_bound(self) -> tuple[float, dict, list, list] | None:
        """The Lagrangian bound of the current node (its decisions in `restrict`) at the LP's
        duals: every member priced exactly by the day DP under the decisions. (bound, duals, the
        DP inputs and minimum per member), or None without the day DP or an LP (or with hard
        cover floors, which the Lagrangian value here leaves out)."""
        if any(pr.dp is None for pr in self.pricers) or any(c.hard_min for c in self.covers):
            return None
        res = self.solve_lp()
        if res is None:
            return None
        duals = res[1]
        inputs, minima = [], []
        for s, pr in enumerate(self.pricers):
            cost, off_forbidden = restricted_costs(self.reduced_costs(s, duals), self.restrict.get(s, []))
            inputs.append((cost, off_forbidden))
            minima.append(pr.dp.solve(cost, extra=0, off_forbidden=off_forbidden).value)
        return self.lagrangian(duals, minima), duals, inputs, minima

    def _settle_by_enumeration(self, bound: tuple[float, dict, list, list], incumbent: float,
                               deadline: float) -> np.ndarray | bool | None:
        """Settle a node exactly when its Lagrangian bound L is near the incumbent: with integer
        weights a better roster costs at most T = incumbent - 1 and uses, for every member, a
        roster within T - L of their minimum. When that gap is at most `enumerate_gap` and those
        rosters number at most `enumerate_limit`, choosing among them (`select_rosters`, cost at most T)
        finds the node's best roster or proves there is none. A roster, True (nothing better
        here), or None (not settled: branch)."""
        value, _duals, inputs, minima = bound
        if not self.integer_weights or not inputs:
            return None
        target = math.floor(incumbent + 1e-6) - 1
        gap = target - value
        if gap > self.enumerate_gap:
            return None
        pool: list[list[np.ndarray]] = []
        left = self.enumerate_limit
        for s, pr in enumerate(self.pricers):
            rows = pr.dp.enumerate(inputs[s][0], minima[s] + gap + 1e-6, left, off_forbidden=inputs[s][1])
            if rows is None:
                return None
            if not rows:
                return True
            left -= len(rows)
            pool.append(rows)
        code, out = self.select_rosters(pool, min(deadline, time.perf_counter() + self.enumerate_time_s), budget=target)
        if self.log:
            print(f"enum {time.perf_counter() - self.t0:6.2f}s gap {gap:.3f} cols {self.enumerate_limit - left} {code}")
        if out is not None:
            return out
        return True if code == "INFEASIBLE" else None

    def select_rosters(self, pool: list[list[np.ndarray]], deadline: float, budget: float) -> tuple[str, np.ndarray | None]:
        """The cheapest choice of one roster per member from `pool`, covers priced, costing at most
        `budget`: (status name, roster or None), by `enumerate_solver`: "CP-SAT" (a table of allowed
        rosters per member, `_select_rosters_table`) or any pywraplp MIP solver ("HIGHS", "SCIP"),
        a MIP whose LP bound is the column-generation bound."""
        if self.enumerate_solver == "CP-SAT":
            return self._select_rosters_table(pool, deadline, budget)
        S = self.p.n_staff
        lp = pywraplp.Solver.CreateSolver(self.enumerate_solver)
        pick = [[lp.BoolVar("") for _ in pool[s]] for s in range(S)]
        obj = lp.Objective()
        limit = lp.Constraint(-lp.infinity(), budget + 1e-6)
        for s in range(S):
            one = lp.Constraint(1, 1)
            for v in pick[s]:
                one.SetCoefficient(v, 1)
        rows = _master_rows(lp, obj, self.covers, budget=limit)
        for s in range(S):
            for j, row in enumerate(pool[s]):
                cost = _roster_cost(row, self.cell_cost[s], self.constant[s])
                obj.SetCoefficient(pick[s][j], cost)
                limit.SetCoefficient(pick[s][j], cost)
                _master_column(pick[s][j], row, self.cover_of, rows)
        obj.SetMinimization()
        lp.SetTimeLimit(int(1000 * max(0.1, deadline - time.perf_counter())))
        lp.SetNumThreads(self.workers)
        code = lp.Solve()
        names = {pywraplp.Solver.OPTIMAL: "OPTIMAL", pywraplp.Solver.FEASIBLE: "FEASIBLE", pywraplp.Solver.INFEASIBLE: "INFEASIBLE"}
        if code not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return names.get(code, "UNKNOWN"), None
        out = np.full((S, self.p.n_periods), -1, dtype=np.int64)
        for s in range(S):
            j = max(range(len(pool[s])), key=lambda jj: pick[s][jj].solution_value())
            out[s] = pool[s][j]
        return names[code], out

    def _select_rosters_table(self, pool: list[list[np.ndarray]], deadline: float,
                              budget: float) -> tuple[str, np.ndarray | None]:
        """`select_rosters` on CP-SAT: each member's days are integer variables (a type, or
        n_types = off) constrained to the rows of its pool by a table, with the roster's cost as
        one more column; cover counts and penalties as in the compact model. Costs are in
        thousandths (exact for the weights the compact model takes).

        Why a table: the pools near the bound are degenerate (Instance7: ~3,000 rosters, many at
        the same reduced cost), and the MIP's LP bound does not separate them. Measured on the 24
        nodes a 90-s branch and price from a 1057 roster settled (`/tmp` script, both solvers on
        each pool, 5 s each): CP-SAT closed all 24 in 0.3-2.4 s (median 0.9 s); HiGHS left 4 open
        at 5 s and took 3-5 s on 4 more; the two agreed wherever both answered."""
        S, P, K = self.p.n_staff, self.p.n_periods, self.p.n_types
        scale = OBJECTIVE_SCALE
        m = cp_model.CpModel()
        days = [[m.new_int_var(0, K, "") for _ in range(P)] for _ in range(S)]
        rows = [np.asarray(pool[s], dtype=np.int64).reshape(-1, P) for s in range(S)]
        terms: list = []
        for s in range(S):
            costs = [cost_units(_roster_cost(row, self.cell_cost[s], self.constant[s]), scale) for row in pool[s]]
            cost = m.new_int_var(min(costs), max(costs), "")
            table = np.column_stack([np.where(rows[s] < 0, K, rows[s]), costs])
            m.add_allowed_assignments(days[s] + [cost], table.tolist())
            terms.append(cost)
        for c in self.covers:
            works = []
            for s in range(S):
                if (rows[s][:, c.period] == c.kind).any():
                    b = m.new_bool_var("")
                    m.add(days[s][c.period] == c.kind).only_enforce_if(b)
                    m.add(days[s][c.period] != c.kind).only_enforce_if(~b)
                    works.append(b)
            for _name, weight, slack in add_cover_rule(m, c, sum(works), len(works)):
                terms.append(cost_units(weight, scale) * slack)
        m.add(sum(terms) <= math.floor(budget * scale + 1e-6))
        m.minimize(sum(terms))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.1, deadline - time.perf_counter())
        solver.parameters.num_workers = self.workers
        solver.parameters.random_seed = self.seed
        code = solver.solve(m)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return ("INFEASIBLE" if code == cp_model.INFEASIBLE else "UNKNOWN"), None
        out = np.array([[solver.value(v) for v in row] for row in days], dtype=np.int64)
        return solver.status_name(code), np.where(out == K, -1, out)

    def _columns_for_restrictions(self, deadline: float) -> bool | None:
        """Every restricted member gets a column keeping their decisions. False: one has none,
        proved (the day DP, a relaxation, has no roster under them); None: a pricer gave up (the
        CP-SAT fallback out of time) without proving it — not a reason to close the node."""
        for s in self.restrict:
            if not self.allowed_columns(s).any():
                out = self._price([(s, self.best_duals or {})], deadline)[0]
                if out is None:
                    dp = self.pricers[s].dp
                    if dp is None:
                        return None
                    cost, off_forbidden = restricted_costs(self.reduced_costs(s, self.best_duals or {}), self.restrict[s])
                    return False if dp.solve(cost, extra=0, off_forbidden=off_forbidden).value == np.inf else None
                self.add(s, out[1])
        return True

    def improve(self, incumbent: np.ndarray, deadline: float, rng: random.Random) -> np.ndarray:
        """Large-neighbourhood search until the deadline or the lower bound, keeping strict
        improvements: rounds of compact-model neighbourhoods (`WindowSearch.search`) and, one round
        in `member_round_every`, price and branch (a few members, the costliest rosters likelier,
        freed, their LP re-converged and their integer master solved). Near the bound the probe
        (`FullSearch`) runs on the other core; price-and-branch rounds then wait, as they would
        starve it. Within `branch_gap` of the bound, once `branch_after` rounds in a row gained
        nothing, every other round is a slice of `branch_and_price` instead."""
        S = self.p.n_staff
        best, best_cost = incumbent, self.cost(incumbent)
        k = min(S, 4)
        tries = 0
        windows = self.window_search()
        target = (lambda c: c - 1 if self.integer_weights else c - 1e-6)  # noqa: E731 - strictly better
        if self.full is None:
            self.full = self.start_probe(best, best_cost, deadline, rng)
        last_cost, gained_at = best_cost, 0  # the round of the last improvement
        while time.perf_counter() < deadline - 0.1 and best_cost > self.bound() + 1e-6:
            tries += 1
            if best_cost < last_cost:
                last_cost, gained_at = best_cost, tries
            full = self.full
            if full is not None:
                best = self.adopt_probe(best)
                if self.cost(best) < best_cost - 1e-9:
                    best_cost = self.cost(best)
                    if self.log:
                        print(f"probe {time.perf_counter() - self.t0:6.2f}s -> {best_cost:g}")
                    if self.retarget_probe(best, best_cost, deadline, rng):
                        continue
                if full.done():
                    if self.log:
                        print(f"probe {time.perf_counter() - self.t0:6.2f}s {full.solver.status_name(full.code)}: bound {self.bound():g}")
                    self.full = self.start_probe(best, best_cost, deadline, rng) if best_cost > self.bound() + 1e-6 else None
                    continue
            if (self.integer_weights and best_cost <= self.bound() + self.branch_gap and tries % 2
                    and tries - gained_at > self.branch_after):
                # near the bound and once the neighbourhoods stall, every other round is a slice of
                # branch and price (resumed each time)
                best, proved = self.branch_and_price(best, min(deadline, time.perf_counter() + self.branch_slice_s), rng)
                if proved:
                    self.lower_bound = max(self.lower_bound, self.cost(best))
                if self.cost(best) < best_cost - 1e-9:
                    best_cost = self.cost(best)
                    self.retarget_probe(best, best_cost, deadline, rng)
                continue
            if windows is not None and tries % self.member_round_every != 0:  # compact neighbourhoods
                focus = sorted({c.period for c in self.covers if self._cover_penalty(best, c) > 0})
                best, won = windows.search(best, deadline, rng, self.cost, self.root_values, focus, self._member_weights(best),
                                           target=target(best_cost), parallel=self.full is None)
                if won:
                    best_cost = self.cost(best)
                    self.add_roster(best)
                    self.retarget_probe(best, best_cost, deadline, rng)
                    if self.log:
                        print(f"{'+'.join(won)} {time.perf_counter() - self.t0:6.2f}s try {tries} -> {best_cost:g} (days {windows.days:g}, extra {windows.extra:.2f}, k {windows.k:g})")
                continue
            if self.full is not None:
                continue  # (a price-and-branch round would starve the probe of its core)
            weights = self._member_weights(best)
            free: set[int] = set()
            short = [c for c in self.covers if c.weight_under and int(np.sum(best[:, c.period] == c.kind)) < c.requirement]
            if short and rng.random() < 0.5:  # members who could fill a short cover row, not filling it
                c = rng.choice(short)
                able = [s for s in range(S) if self.p.allowed[s, c.period, c.kind] and best[s, c.period] != c.kind]
                free.update(rng.sample(able, min(len(able), max(1, k // 2))))
            while len(free) < k:  # costly rosters are likelier to be freed
                free.add(rng.choices(range(S), weights)[0])
            self.fixed = {s: self.add(s, best[s]) for s in range(S) if s not in free}
            step_deadline = min(deadline, time.perf_counter() + 3.0)
            res = self.converge(step_deadline)
            improved = False
            if res is not None and self.rounded(res[0]) < best_cost - 1e-6:
                out = self.integer_master(min(deadline, time.perf_counter() + 2.0), hint=best)
                if out is not None and self.cost(out) < best_cost - 1e-9:
                    best, best_cost, improved = out, self.cost(out), True
                    if self.log:
                        print(f"improve {time.perf_counter() - self.t0:6.2f}s try {tries} k {k} -> {best_cost:g}")
            self.fixed.clear()
            k = max(2, k - 1) if improved else min(S, k + (1 if rng.random() < 0.3 else 0))
        return self.adopt_probe(best, stop=True)

    def _member_weights(self, best: np.ndarray) -> list[float]:
        """How likely each member is to be freed: 1 + what their roster pays in requests."""
        return [1.0 + _roster_cost(best[s], self.cell_cost[s], self.constant[s]) for s in range(self.p.n_staff)]

    def retarget_probe(self, best: np.ndarray, best_cost: float, deadline: float, rng: random.Random) -> bool:
        """After the incumbent improved: a running probe whose target the new incumbent tightens
        is restarted under the tighter budget, and with no probe one starts if the incumbent is
        now near the bound. A probe already at the bound + 1 keeps running: it minimizes under its
        budget, so it would find the cheaper roster anyway, and a restart loses its search
        (Instance10, seed 1: restarted at 4631 on 36 s, it ended unproved; at 4632 kept, ...).
        A probe that has finished is left for the caller to read (its proof raises the bound).
        True if the probe was replaced."""
        goal = self._probe_target(best_cost)
        if self.full is None:
            self.full = self.start_probe(best, best_cost, deadline, rng)
            return False
        if (goal is None or self.full.target <= max(goal, self.bound() + 1) + 1e-9
                or self.full.done()):
            return False
        self.full.stop()
        self.full = self.start_probe(best, best_cost, deadline, rng)
        return True

    def _probe_target(self, best_cost: float) -> float | None:
        """Near the bound (integer weights), one core probes the whole model while the dives or
        neighbourhoods run on the other. Within `probe_gap` of the bound it probes bottom up: is
        there a roster costing at most the bound + 1? That is the tightest budget
        (`WindowSearch.add_budget`), so the quickest search (Instance6: 1950 found and proved
        optimal; Instance10: 4631 proved); when it proves there is none, the bound rises and it
        probes again. Within 1% it looks for anything better than the incumbent (Instance5's
        bound 1141 is 2 below the optimum, and a probe at 1142 would never end). Further away the
        budget is loose (Instance9: 406 against 439): None, no probe."""
        if not self.integer_weights:
            return None
        gap = best_cost - self.bound()
        if gap <= self.probe_gap:
            return min(best_cost - 1, self.bound() + 1)
        return best_cost - 1 if gap <= 0.01 * abs(self.bound()) else None

    def start_probe(self, best: np.ndarray, best_cost: float, deadline: float, rng: random.Random) -> FullSearch | None:
        goal = self._probe_target(best_cost)
        windows = self.window_search()
        if windows is None or self.workers < 2 or goal is None or time.perf_counter() > deadline - 0.5:
            return None
        return FullSearch(windows, best, goal, deadline, rng.randint(0, 2**31 - 1))

    def adopt_probe(self, best: np.ndarray, stop: bool = False) -> np.ndarray:
        """The probe's roster if it beats `best`; a finished probe's proof raises the bound."""
        full = self.full
        if full is None:
            return best
        if stop:
            full.stop()
            self.full = None
        found = full.found
        if found is not None and self.cost(found) < self.cost(best) - 1e-9:
            best = found
            self.add_roster(best)
            if self.log:
                print(f"probe {time.perf_counter() - self.t0:6.2f}s adopted -> {self.cost(best):g}")
        if full.done() and full.code in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
            # nothing cheaper than the roster it ended with, or than its target + 1
            proved = self.cost(best) if full.code == cp_model.OPTIMAL else full.target + 1
            self.lower_bound = max(self.lower_bound, min(self.cost(best), proved))
        return best

    def add_roster(self, assignment: np.ndarray) -> None:
        """Every member's row of a full roster joins the pool (the integer master can reuse it)."""
        for s in range(self.p.n_staff):
            self.add(s, assignment[s])

    def window_search(self) -> WindowSearch | None:
        """The compact-model neighbourhoods, with a Lagrangian cut per member at the duals of the best
        bound (the DP's minimum is a valid right-hand side); None without the day DP or a bound.
        Built once, at the duals of the bound when first asked."""
        if self._windows is None:
            self._windows = self._window_search()
        return self._windows

    def _window_search(self) -> WindowSearch | None:
        if self.best_duals is None or any(pr.dp is None for pr in self.pricers):
            return None
        floors = []
        for s, pr in enumerate(self.pricers):
            reduced = self.reduced_costs(s, self.best_duals)
            floors.append((reduced, pr.dp.solve(reduced, extra=0).value))
        # the Lagrangian value at these duals, from the same minima as the cuts
        lagrangian = self.lagrangian(self.best_duals, [f for _r, f in floors])
        return WindowSearch(self.p, floors, workers=self.workers, seed=self.seed, duals=self.best_duals, lagrangian=lagrangian)

    def reduced_costs(self, s: int, duals: dict[tuple[int, int], float]) -> np.ndarray:
        """(periods, types): what working each cell costs member `s` less the cover duals."""
        return reduced_cost_matrix(self.cell_cost[s], duals, self.p.n_periods, self.p.n_types)

    def integer_master(self, deadline: float, hint: np.ndarray | None = None) -> np.ndarray | None:
        """CP-SAT over every generated roster: exactly one per member, covers priced."""
        S = self.p.n_staff
        mm = cp_model.CpModel()
        pick = [[mm.new_bool_var("") for _ in self.columns[s]] for s in range(S)]
        for s, j in self.fixed.items():  # a partial dive: its fixings hold
            mm.add(pick[s][j] == 1)
        for s in range(S):
            mm.add_exactly_one(pick[s])
        terms = []
        cover_terms: dict[int, list] = {i: [] for i in range(len(self.covers))}
        for s in range(S):
            for j, row in enumerate(self.columns[s]):
                if self.costs[s][j]:
                    terms.append(int(round(self.costs[s][j] * 1000)) * pick[s][j])
                for per, k in enumerate(row):
                    i = self.cover_of.get((per, int(k))) if k >= 0 else None
                    if i is not None:
                        cover_terms[i].append(pick[s][j])
        for i, c in enumerate(self.covers):
            n = sum(cover_terms[i]) if cover_terms[i] else 0
            if c.hard_min:
                mm.add(n >= c.hard_min)
            if c.weight_under and c.requirement:
                under = mm.new_int_var(0, c.requirement, "")
                mm.add(under >= c.requirement - n)
                terms.append(int(round(c.weight_under * 1000)) * under)
            if c.weight_over:
                over = mm.new_int_var(0, max(len(cover_terms[i]), 1), "")
                mm.add(over >= n - c.requirement)
                terms.append(int(round(c.weight_over * 1000)) * over)
        mm.minimize(sum(terms))
        if hint is not None:
            for s in range(S):
                j = self._seen[s].get(hint[s].tobytes())
                for jj, v in enumerate(pick[s]):
                    mm.add_hint(v, int(jj == j))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.1, deadline - time.perf_counter())
        solver.parameters.num_workers = self.workers
        solver.parameters.random_seed = self.seed
        if self.lower_bound > -math.inf:  # stop as soon as the bound is reached
            solver.parameters.absolute_gap_limit = 0.5 * 1000 if self.integer_weights else 0.0
        code = solver.solve(mm)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        out = np.full((S, self.p.n_periods), -1, dtype=np.int64)
        for s in range(S):
            for j, row in enumerate(self.columns[s]):
                if solver.boolean_value(pick[s][j]):
                    out[s] = row
        if self.log:
            print(f"master {time.perf_counter() - self.t0:6.2f}s {solver.status_name(code)} {self.cost(out)} cols {sum(map(len, self.columns))}")
        return out


class WindowSearch:
    """Large-neighbourhood search on the compact model: a window of days, a few whole members, or
    the cells where the LP disagrees with the incumbent are free, everything else stays as in the
    incumbent. Price and branch frees whole rosters (a column is one), so "every member, a few
    days" is out of its reach; the two alternate.

    Each member gets a Lagrangian cut, sum((cost - dual) x) >= the member's pricing minimum at the
    duals of the best bound (true of every roster the member can work), which gives CP-SAT's LP in
    the sub-solves the column generation's bound instead of the compact model's near-zero one."""

    def __init__(self, p: RosterProblem, floors: list[tuple[np.ndarray, float]], *, workers: int, seed: int,
                 duals: dict[tuple[int, int], float] | None = None, lagrangian: float = -math.inf,
                 days: float = 7.0, extra: float = 0.1, step_seconds: float = 3.0) -> None:
        self.p, self.workers, self.seed = p, workers, seed
        self.days, self.extra, self.step_seconds = days, extra, step_seconds  # the sizes adapt
        self.k = 3.0
        self.round = 0
        self.model = RosterModel(p)
        self.model.add_core_constraints()
        self.model.set_objective()
        self.floors, self.duals, self.lagrangian = floors, duals or {}, lagrangian
        scale = self.scale = self.model.objective_scale
        cells: dict[int, list[tuple[int, int, cp_model.IntVar]]] = {}
        for (s, per, k), v in self.model.x.items():
            cells.setdefault(s, []).append((per, k, v))
        for s, (reduced, floor) in enumerate(floors):
            if not math.isfinite(floor):
                continue
            # coefficients rounded up and the floor down: the cut stays true of every roster
            terms = [math.ceil(reduced[per, k] * scale - 1e-9) * v for per, k, v in cells.get(s, [])]
            self.model.model.add(sum(terms) >= math.floor(floor * scale + 1e-9))
        # What `add_budget` states, built once (only the right-hand sides depend on the target).
        self.objective = self.model.objective_units()
        # coefficients rounded down: the budget stays true
        self.member_reduced = {s: sum(math.floor(reduced[per, k] * scale + 1e-9) * v for per, k, v in cells.get(s, []))
                               for s, (reduced, floor) in enumerate(floors) if math.isfinite(floor)}
        counts: dict[tuple[int, int], list] = {}
        for (_s, per, k), v in self.model.x.items():
            counts.setdefault((per, k), []).append(v)
        self.cover_count = {(c.period, c.kind): sum(counts.get((c.period, c.kind), [])) for c in p.covers}
        # (a cover part is non-negative only for a dual between -weight_over and weight_under)
        self.parts_nonnegative = not any(
            c.hard_min or not -c.weight_over - 1e-9 <= self.duals.get((c.period, c.kind), 0.0)
            <= (c.weight_under if c.requirement else 0.0) + 1e-9 for c in p.covers)

    def add_budget(self, sub: cp_model.CpModel, target: float) -> None:
        """Constraints that every roster of cost at most `target` keeps, from the Lagrangian bound L
        at the duals d of the cuts. Any roster's cost minus L is a sum of non-negative parts: each
        member's reduced cost above its pricing minimum, and each cover row's penalty plus d times
        its count less d times its requirement. So with delta = target - L, no member's reduced
        cost exceeds its minimum by more than delta, and no cover count strays further from the
        requirement than delta allows at its price. Every part is far from tight on the
        compact model's own relaxation; stated per member and per row they let CP-SAT prune
        what the objective bound alone cannot (Instance6, delta = 1: 1950 found and proved
        optimal from scratch in 35-39 s on one worker)."""
        delta = target - self.lagrangian
        if not math.isfinite(delta):
            return
        scale = self.scale
        if self.objective:
            sub.add(sum(self.objective) <= math.floor(target * scale + 1e-6))
        if not self.parts_nonnegative:
            return
        for s, expr in self.member_reduced.items():
            sub.add(expr <= math.floor((self.floors[s][1] + delta) * scale + 1e-6))
        for c in self.p.covers:
            d = self.duals.get((c.period, c.kind), 0.0)
            n = self.cover_count[c.period, c.kind]
            under = (c.weight_under if c.requirement else 0.0) - d  # what one staff short costs here
            over = c.weight_over + d
            if under > 1e-9 and c.requirement:
                sub.add(n >= c.requirement - math.floor(delta / under + 1e-9))
            if over > 1e-9:
                sub.add(n <= c.requirement + math.floor(delta / over + 1e-9))

    @staticmethod
    def solver(deadline: float, seed: int) -> cp_model.CpSolver:
        """The solver of the neighbourhoods and the probe: one worker with the full linear
        relaxation, constraints not lazy. The LP then carries the Lagrangian cuts' bound and a
        neighbourhood is often proved optimal (Instance7, a 212-cell guided neighbourhood: optimal
        in 4 s; two default workers ended at bound 540). Two searches run side by side instead
        (`search`, or a neighbourhood beside the probe)."""
        solver = cp_model.CpSolver()
        prm = solver.parameters
        prm.max_time_in_seconds = max(0.1, deadline - time.perf_counter())
        prm.num_workers, prm.linearization_level, prm.add_lp_constraints_lazily = 1, 2, False
        prm.random_seed = seed
        return solver

    def _solve(self, sub: cp_model.CpModel, deadline: float, seed: int) -> tuple[np.ndarray | None, bool]:
        """(the sub-problem's best roster or None, whether it was proved optimal)."""
        solver = self.solver(deadline, seed)
        code = solver.solve(sub)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, code == cp_model.INFEASIBLE
        return self.read_roster(solver.boolean_value), code == cp_model.OPTIMAL

    def read_roster(self, boolean_value) -> np.ndarray:  # noqa: ANN001 - a solver's or a callback's
        """The roster a solution sets (type per member and period, -1 = off). A sub-model is a clone,
        so the compact model's variables name the same indices in it."""
        out = np.full((self.p.n_staff, self.p.n_periods), -1, dtype=np.int64)
        for (s, per, k), v in self.model.x.items():
            if boolean_value(v):
                out[s, per] = k
        return out

    def window(self, best: np.ndarray, rng: random.Random, focus: list[int] | None = None) -> np.ndarray:
        """Free cells (members x periods): a window of days chosen at random, for every member or
        (half the time) for a random half of them over a window twice as long. With `focus`
        (periods where the incumbent pays for cover), half the windows contain one of them."""
        P, S = self.p.n_periods, self.p.n_staff
        length = int(round(self.days))
        members = np.ones(S, dtype=bool)
        if rng.random() < 0.5:
            members[:] = False
            members[rng.sample(range(S), max(1, S // 2))] = True
            length *= 2
        length = max(1, min(P, length))
        first = rng.randint(0, P - length)
        if focus and rng.random() < 0.5:
            day = rng.choice(focus)
            first = rng.randint(max(0, day - length + 1), min(day, P - length))
        free = np.zeros((S, P), dtype=bool)
        free[:, first:first + length] = True
        return free & members[:, None]

    def guided(self, best: np.ndarray, values: np.ndarray, rng: random.Random) -> np.ndarray:
        """Free cells of the LP-guided neighbourhood (RINS): a cell stays as in the incumbent where
        the master LP (`values`: members x periods x values, `ColumnGeneration.cell_values`) agrees
        with it fully; cells where the LP is split or disagrees are free, and a random share
        (`extra`) of the others too, so that repeated steps differ. Measured on Instance7 from a
        1159 dive: 1057, proved optimal in the neighbourhood, in 4 s (212 of 560 cells free)."""
        S, P = best.shape
        taken = np.where(best < 0, self.p.n_types, best)
        agree = values[np.arange(S)[:, None], np.arange(P)[None, :], taken] > 1 - 1e-6
        return ~agree | (np.array([[rng.random() for _ in range(P)] for _ in range(S)]) < self.extra)

    def members(self, best: np.ndarray, rng: random.Random, weights: list[float]) -> np.ndarray:
        """Free cells: every day of a few members (`self.k` of them, costlier rosters likelier),
        solved exactly on the compact model (price and branch's member neighbourhood only
        chooses among generated rosters)."""
        S, P = best.shape
        chosen: set[int] = set()
        k = max(1, min(S, int(round(self.k))))
        while len(chosen) < k:
            chosen.add(rng.choices(range(S), weights)[0])
        free = np.zeros((S, P), dtype=bool)
        free[sorted(chosen)] = True
        return free

    def search(self, best: np.ndarray, deadline: float, rng: random.Random, cost, values: np.ndarray | None = None,
               focus: list[int] | None = None, weights: list[float] | None = None, target: float = math.inf,
               parallel: bool = True) -> tuple[np.ndarray, list[str]]:
        """One round: two of the neighbourhoods (window, members, and with LP values guided), in
        turn, side by side on one worker each (or one after the other with one worker). Sizes
        adapt: a neighbourhood proved optimal within half its time grows, one that ran out of time
        shrinks. Returns the best roster (the incumbent if nothing beat it) and the kinds that
        improved it."""
        kinds = ["window", "members"] + (["guided"] if values is not None else [])
        self.round += 1
        pair = [kinds[self.round % len(kinds)], kinds[(self.round + 1) % len(kinds)]]
        jobs = []
        for kind in pair:
            if kind == "window":
                jobs.append((kind, self.window(best, rng, focus)))
            elif kind == "members":
                jobs.append((kind, self.members(best, rng, weights or [1.0] * len(best))))
            else:
                jobs.append((kind, self.guided(best, values, rng)))
        seeds = [rng.randint(0, 2**31 - 1) for _ in jobs]
        step_deadline = min(deadline, time.perf_counter() + self.step_seconds)

        def run(i: int) -> tuple[np.ndarray | None, bool, float]:
            t = time.perf_counter()
            out, proved = self._solve(self.sub_model(best, jobs[i][1], target), step_deadline, seeds[i])
            return out, proved, time.perf_counter() - t

        if parallel and self.workers > 1 and len(jobs) > 1:
            with ThreadPoolExecutor(len(jobs)) as pool:  # CP-SAT releases the GIL while solving
                results = list(pool.map(run, range(len(jobs))))
        else:
            results = [run(i) for i in range(len(jobs))]
        best_cost, won = cost(best), []
        for (kind, _free), (out, proved, seconds) in zip(jobs, results):
            grow = proved and seconds < 0.5 * self.step_seconds
            if kind == "window":
                self.days = min(self.p.n_periods, self.days + 1) if grow else max(2.0, self.days - (0 if proved else 1))
            elif kind == "members":
                self.k = min(self.p.n_staff, self.k + 1) if grow else max(1.0, self.k - (0 if proved else 1))
            else:
                self.extra = min(0.5, self.extra + 0.05) if grow else max(0.0, self.extra - (0 if proved else 0.05))
            if out is not None and cost(out) < best_cost - 1e-9:
                best, best_cost = out, cost(out)
                won.append(kind)
        return best, won

    def sub_model(self, best: np.ndarray, free: np.ndarray, target: float = math.inf) -> cp_model.CpModel:
        """The compact model with every cell outside `free` (members x periods) fixed to the
        incumbent, hinted with it; with a finite `target`, only rosters costing at most that
        (`add_budget`)."""
        sub = self.model.model.clone()
        if math.isfinite(target):
            self.add_budget(sub, target)
        for (s, per, k), v in self.model.x.items():
            var = sub.get_bool_var_from_proto_index(v.index)
            value = int(best[s, per] == k)
            if not free[s, per]:
                sub.add(var == value)
            sub.add_hint(var, value)
        return sub


class FullSearch:
    """The whole compact model under the budget of `target` (`WindowSearch.add_budget`), solved on
    one worker in a background thread while the neighbourhoods run on the other core. Its
    rosters cost at most `target`; if it ends OPTIMAL its last roster is optimal, and if it ends
    INFEASIBLE nothing costs `target` or less."""

    def __init__(self, ws: WindowSearch, best: np.ndarray, target: float, deadline: float, seed: int) -> None:
        self.ws, self.target = ws, target
        self.sub = ws.sub_model(best, np.ones(best.shape, dtype=bool), target)
        self.solver = ws.solver(deadline, seed)
        self.found: np.ndarray | None = None
        self.code: int | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        outer = self

        class Keep(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(self) -> None:
                outer.found = outer.ws.read_roster(self.boolean_value)

        self.code = self.solver.solve(self.sub, Keep())

    def done(self) -> bool:
        return not self.thread.is_alive()

    def stop(self) -> None:
        self.solver.stop_search()
        self.thread.join()


def solve_by_column_generation(
    p: RosterProblem, *, time_limit_s: float, workers: int, seed: int,
    initial: np.ndarray | None = None, lp_share: float = 0.6, dive_share: float = 0.35, master_share: float = 0.05,
    log: bool = False,
) -> ColumnGenerationResult:
    """Price and branch within `time_limit_s`: column generation to convergence (lower bound, by
    `lp_share`); dives to full rosters until `dive_share` (the first as planned, later ones perturbed
    and cut short by the incumbent; fewer near the bound, `ColumnGeneration.keep_diving`); the integer master over every generated roster, hinted with the
    best so far (`master_share`); then large-neighbourhood search for the rest (`improve`)."""
    cg = ColumnGeneration(p, workers=workers, seed=seed, log=log)
    t0 = cg.t0
    deadline = t0 + time_limit_s
    if not cg.initial_columns(initial, deadline):
        return ColumnGenerationResult(None, {}, None, -math.inf, math.inf, 0, 0, False, time.perf_counter() - t0)
    res = cg.converge(t0 + lp_share * time_limit_s, close_enough_after=t0 + 0.3 * time_limit_s)
    converged = res is not None and cg.lower_bound > -math.inf
    if res is not None:
        cg.root_values = cg.cell_values(res[1])
    lp_value = res[0] if res else math.inf
    best = initial
    best_cost = cg.cost(initial) if initial is not None else math.inf
    # Dives until `dive_share` of the budget: the first as planned, then perturbed ones with other
    # step sizes; each stops as soon as its LP cannot beat the best roster so far.
    rng = random.Random(seed)
    divisors = [cg.dive_step_divisor, 2 * cg.dive_step_divisor, cg.dive_step_divisor + 1]
    n_dives = 0
    gained_at = 0  # the dive that last improved the incumbent
    while cg.keep_diving(n_dives, gained_at, best_cost, t0 + dive_share * time_limit_s):
        # The first dive may run late (it is what gives a good roster); later ones stop at `dive_share`.
        dive_deadline = t0 + (0.85 if not n_dives else dive_share) * time_limit_s
        # every other dive backtracks: Instance8's first dive ends ~100 lower with it, Instance9's
        # second one only found 439 without it (seed 0)
        dived = cg.dive(dive_deadline, incumbent=best_cost, divisor=divisors[n_dives % len(divisors)],
                        rng=rng if n_dives else None, backtrack=n_dives % 2 == 0)
        n_dives += 1
        if dived is None and cg.fixed:
            if n_dives > 1:
                cg.fixed.clear()  # pruned by the incumbent, or out of time: the incumbent stands
                continue
            # out of time in the first dive: finish the fixed part with the integer master
            dived = cg.integer_master(t0 + 0.92 * time_limit_s, hint=None)
            cg.fixed.clear()
        if dived is not None and cg.cost(dived) < best_cost:
            best, best_cost = dived, cg.cost(dived)
            gained_at = n_dives
            if log:
                print(f"dive {n_dives} {time.perf_counter() - t0:6.2f}s -> {best_cost:g}")
        if best is not None:  # the probe runs on the other core while the dives go on
            # retargeted as the dives improve: Instance6's dives reach 1952 at 6 s, and a probe left
            # at the first dive's looser target (1954) was only replaced by the one at 1950 at 38 s
            cg.retarget_probe(best, best_cost, deadline, rng)
            best = cg.adopt_probe(best)
            best_cost = cg.cost(best)
    if best is None or best_cost > cg.bound() + 1e-6:
        out = cg.integer_master(min(deadline, time.perf_counter() + master_share * time_limit_s), hint=best)
        if out is not None and cg.cost(out) < best_cost:
            best, best_cost = out, cg.cost(out)
    if best is not None and best_cost > cg.bound() + 1e-6:
        best = cg.improve(best, deadline, random.Random(seed))
        best_cost = cg.cost(best)
    if best is not None:
        best = cg.adopt_probe(best, stop=True)
        best_cost = cg.cost(best)
    return ColumnGenerationResult(best, {} if best is None else cg.terms(best), None if best is None else best_cost, cg.bound(), lp_value, cg.iterations,
                                  sum(map(len, cg.columns)), converged, time.perf_counter() - t0)


def solve_with_column_generation(m: RosterModel, *, time_limit_s: float, workers: int, seed: int,
                                 start_fraction: float = 0.05, log: bool = False) -> RosterOutcome:
    """The whole pipeline on a built core model (core families only): a plain CP-SAT start for a
    slice of the budget (a feasible roster, and the first columns), then price and branch. The
    bound is the better of CP-SAT's and the column-generation lower bound."""
    t0 = time.perf_counter()
    start = m.solve(time_limit_s=max(1.0, start_fraction * time_limit_s), workers=workers, seed=seed)
    if start.objective is None or start.status in (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE):
        return start
    remaining = max(0.5, time_limit_s - (time.perf_counter() - t0))
    r = solve_by_column_generation(m.p, time_limit_s=remaining, workers=workers, seed=seed, initial=start.assignment, log=log)
    if r.assignment is None or r.objective is None or r.objective > start.objective:
        return start
    bound = max(start.bound if start.bound is not None else -math.inf, r.lower_bound)
    bound = min(bound, r.objective) if bound > -math.inf else None
    status = SolveStatus.OPTIMAL if bound is not None and bound >= r.objective - 1e-9 else SolveStatus.FEASIBLE
    reason = "" if status == SolveStatus.OPTIMAL else (
        f"time limit reached before optimality was proved (column generation: {r.iterations} LP iterations,"
        f" {r.columns} rosters, LP {'converged' if r.converged else 'not converged'})")
    return RosterOutcome(status, reason, r.assignment, r.objective, bound, relative_gap(r.objective, bound), r.terms,
                         time.perf_counter() - t0)
