"""A general rostering core on CP-SAT: staff × periods × assignment types.

Both front ends use it: judge rotation (periods = half-day slots, types = centers) and the published
Curtois shift-scheduling instances (periods = days, types = shifts). Each constraint family is one
method named after the rule; soft terms are collected by name so results report them one by one.

Days group periods (two half-days make a day for judges, one shift-day for Curtois). At the ends of
the horizon the days outside count as days off for the maximum run of work, and an off-run touching
either end is not bound by the minimum days off. Whether a run of WORK touching an end must still
meet the minimum run length is a problem setting (`RosterProblem.min_work_run_binds_at_ends`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model
from ortools.sat.python.cp_model_helper import FlatIntExpr

from matcher.assignment.core import SolveStatus, relative_gap


def apply_solver_params(solver: cp_model.CpSolver, params: dict | None) -> None:
    """Set CP-SAT parameters by name; a list value extends a repeated field (e.g. subsolvers)."""
    for name, value in (params or {}).items():
        if isinstance(value, (list, tuple)):
            getattr(solver.parameters, name).extend(value)
        else:
            setattr(solver.parameters, name, value)


@dataclass
class Cover:
    """Staff wanted on type `kind` in `period`: under/over counted against `requirement` with
    weights; `hard_min` is a floor that must hold."""

    period: int
    kind: int
    requirement: int = 0
    weight_under: float = 0.0
    weight_over: float = 0.0
    hard_min: int = 0


@dataclass
class WindowLimit:
    """Staff member `staff` works at most `limit` periods among `periods` (per week, per month)."""

    staff: int
    periods: list[int]
    limit: int


@dataclass
class RosterProblem:
    n_staff: int
    n_periods: int
    n_types: int
    allowed: np.ndarray  # (S, P, K) bool: staff may work type k in period p
    day_of_period: np.ndarray  # (P,) day index of each period
    type_minutes: np.ndarray | None = None  # (K,) for min/max total minutes
    max_per_type: dict[tuple[int, int], int] = field(default_factory=dict)  # (s, k) -> max count
    min_minutes: np.ndarray | None = None  # (S,)
    max_minutes: np.ndarray | None = None  # (S,)
    max_consecutive_days: np.ndarray | None = None  # (S,) max days worked in a row (0 = no limit)
    min_consecutive_days: np.ndarray | None = None  # (S,) min length of a run of worked days
    min_days_off: np.ndarray | None = None  # (S,) min length of an off-run between two runs of work
    # True: days outside the horizon are off, so a run of work touching either end must still last
    # the minimum. False: such a run may continue outside the horizon and is free of the minimum.
    min_work_run_binds_at_ends: bool = True
    weekends: list[list[int]] = field(default_factory=list)  # day indices of each weekend
    max_weekends: np.ndarray | None = None  # (S,)
    forbidden_next_day: list[tuple[int, int]] = field(default_factory=list)  # type k on day d, then k2 on d+1
    forbidden_same_day: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # staff -> (k, k2) never on one day
    windows: list[WindowLimit] = field(default_factory=list)
    covers: list[Cover] = field(default_factory=list)
    requests_on: list[tuple[int, int, int, float]] = field(default_factory=list)  # (s, p, k, weight)
    requests_off: list[tuple[int, int, int, float]] = field(default_factory=list)
    pins: dict[tuple[int, int], int | None] = field(default_factory=dict)  # (s, p) -> type, or None = off

    @property
    def n_days(self) -> int:
        return int(self.day_of_period.max()) + 1 if self.n_periods else 0


@dataclass
class RosterOutcome:
    status: SolveStatus
    reason: str
    assignment: np.ndarray  # (S, P) type index, -1 = off
    objective: float | None
    bound: float | None
    gap: float | None
    terms: dict[str, float]
    seconds: float


def cost_units(weight: float, scale: int) -> int:
    """A weight in CP-SAT's integer units, rounded down: every term it multiplies is >= 0, so the
    optimum of the scaled objective stays at or below the true cost and CP-SAT's bound stays a bound
    (rounding to nearest let a travel weight of 0.0015 cost 0.002 a minute: a bound above the optimum).
    The 1e-6 absorbs float error in weight x scale (a cost of 7.4 may be 7399.999... units)."""
    return math.floor(weight * scale + 1e-6)


OBJECTIVE_SCALE = 1000  # CP-SAT units per unit of cost: weights may be fractional, CP-SAT needs integers


def add_cover_rule(model: cp_model.CpModel, c: Cover, n: cp_model.LinearExprT, most: int) -> list[tuple[str, float, cp_model.IntVar]]:
    """Cover `c` on `n`, a count of at most `most` staff: its hard floor as a constraint, and its
    under and over cover as slack variables, returned as (term name, weight, variable) to be priced."""
    if c.hard_min:
        if most < c.hard_min:
            model.add_bool_or([])  # cannot be met: infeasible, reported by the solver
        else:
            model.add(n >= c.hard_min)
    priced = []
    if c.weight_under and c.requirement:
        under = model.new_int_var(0, c.requirement, f"under{c.period}_{c.kind}")
        model.add(under >= c.requirement - n)
        priced.append(("cover_under", c.weight_under, under))
    if c.weight_over:
        over = model.new_int_var(0, max(most, 1), f"over{c.period}_{c.kind}")
        model.add(over >= n - c.requirement)
        priced.append(("cover_over", c.weight_over, over))
    return priced


class _Progress(cp_model.CpSolverSolutionCallback):
    """Notes when the first roster is found; stops the search at a known lower bound."""

    def __init__(self, model: "RosterModel", stop_at: float | None) -> None:
        super().__init__()
        self._model = model
        self._stop_at = None if stop_at is None else stop_at * model.objective_scale + 1e-6

    def on_solution_callback(self) -> None:
        self._model._first_feasible()
        if self._stop_at is not None and self.objective_value <= self._stop_at:
            self.stop_search()


class RosterModel:
    """Builds the CP-SAT model; front ends may add constraints and named terms before `solve`."""

    def __init__(self, problem: RosterProblem) -> None:
        self.p = problem
        self._fallback: tuple[cp_model.CpSolver, np.ndarray] | None = None  # a proven-feasible hint
        self.model = cp_model.CpModel()
        self.terms: dict[str, list[tuple[float, cp_model.LinearExprT]]] = {}
        S, P, K = problem.n_staff, problem.n_periods, problem.n_types
        self.x: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self._cells: tuple[np.ndarray, np.ndarray] | None = None  # x's keys and proto indices, for reading solutions
        self._flat_terms: tuple | None = None  # `_term_items`, built on demand
        for s, per, k in zip(*np.nonzero(problem.allowed)):
            self.x[int(s), int(per), int(k)] = self.model.new_bool_var(f"x{s}_{per}_{k}")
        self.by_sp: dict[tuple[int, int], list[tuple[int, cp_model.IntVar]]] = {}
        for (s, per, k), v in self.x.items():
            self.by_sp.setdefault((s, per), []).append((k, v))
        self.periods_of_day: dict[int, list[int]] = {}
        for per in range(P):
            self.periods_of_day.setdefault(int(problem.day_of_period[per]), []).append(per)
        self.work_day: dict[tuple[int, int], cp_model.LinearExprT] = {}
        self.objective_scale = OBJECTIVE_SCALE
        self.last_values: list[int] | None = None  # every variable's value in the last solution, by proto index
        self.first_feasible_at: float | None = None  # perf_counter() when the first proven-feasible roster was in hand
        del S, K

    # -- helpers -----------------------------------------------------------------------------------
    def add_term(self, name: str, weight: float, expr: cp_model.LinearExprT) -> None:
        if weight:
            self.terms.setdefault(name, []).append((weight, expr))
            self._flat_terms = None

    def worked(self, s: int, day: int) -> cp_model.LinearExprT:
        """1 if staff `s` works any period of `day` (0 if they cannot)."""
        key = (s, day)
        if key not in self.work_day:
            vs = [v for per in self.periods_of_day.get(day, []) for _k, v in self.by_sp.get((s, per), [])]
            if not vs:
                self.work_day[key] = 0
            elif len(vs) == 1:
                self.work_day[key] = vs[0]
            else:
                w = self.model.new_bool_var(f"w{s}_{day}")
                if len(self.periods_of_day[day]) == 1:
                    # One period a day holds at most one type: an exact sum, stronger in the LP than a max.
                    self.model.add(w == sum(vs))
                else:
                    self.model.add_max_equality(w, vs)
                self.work_day[key] = w
        return self.work_day[key]

    # -- hard constraint families --------------------------------------------------------------------
    def one_assignment_per_period(self) -> None:
        """Nobody is in two places (or shifts) in one period."""
        for vs in self.by_sp.values():
            if len(vs) > 1:
                self.model.add_at_most_one(v for _k, v in vs)

    def pinned_periods(self) -> None:
        """Pinned periods keep their published assignment exactly (None = must be off)."""
        for (s, per), kind in self.p.pins.items():
            for k, v in self.by_sp.get((s, per), []):
                self.model.add(v == (1 if k == kind else 0))
            if kind is not None and (s, per, kind) not in self.x:
                raise ValueError(f"pin (staff {s}, period {per}) -> type {kind} is not allowed by the problem")

    def max_count_per_type(self) -> None:
        for (s, k), limit in self.p.max_per_type.items():
            vs = [self.x[s, per, k] for per in range(self.p.n_periods) if (s, per, k) in self.x]
            if len(vs) > limit:
                self.model.add(sum(vs) <= limit)

    def total_minutes_range(self) -> None:
        p = self.p
        if p.type_minutes is None:
            return
        per_staff: dict[int, list[tuple[int, cp_model.IntVar]]] = {}
        for (s, _per, k), v in self.x.items():
            per_staff.setdefault(s, []).append((int(p.type_minutes[k]), v))
        for s in range(p.n_staff):
            expr = sum(m * v for m, v in per_staff.get(s, []))
            if p.max_minutes is not None:
                self.model.add(expr <= int(p.max_minutes[s]))
            if p.min_minutes is not None and p.min_minutes[s] > 0:
                self.model.add(expr >= int(p.min_minutes[s]))

    def max_consecutive_worked_days(self) -> None:
        p = self.p
        if p.max_consecutive_days is None:
            return
        for s in range(p.n_staff):
            c = int(p.max_consecutive_days[s])
            if c <= 0 or c >= p.n_days:
                continue
            for d in range(p.n_days - c):
                self.model.add(sum(self.worked(s, d + i) for i in range(c + 1)) <= c)

    def min_consecutive_worked_days(self) -> None:
        """A run of worked days lasts at least the minimum; at the ends of the horizon according to
        `min_work_run_binds_at_ends`."""
        p = self.p
        if p.min_consecutive_days is None:
            return
        for s in range(p.n_staff):
            self._runs_last_at_least(s, int(p.min_consecutive_days[s]), work=True, bind_at_ends=p.min_work_run_binds_at_ends)

    def min_consecutive_days_off(self) -> None:
        """An off-run between two runs of work lasts at least the minimum (ends of the horizon: free)."""
        p = self.p
        if p.min_days_off is None:
            return
        for s in range(p.n_staff):
            self._runs_last_at_least(s, int(p.min_days_off[s]), work=False, bind_at_ends=False)

    def _runs_last_at_least(self, s: int, m: int, *, work: bool, bind_at_ends: bool) -> None:
        """A run (of work, or of days off) starting on day d covers days d..d+m-1: one short clause
        per (start, offset), "run starts at d => day d+i is in it". Far stronger in the LP than
        forbidding each short run pattern by one long clause.

        `bind_at_ends`: the days outside the horizon are outside the run (a run may start on day 0,
        and one that would need days past the end is forbidden). Otherwise a run starting on day 0
        or reaching the last day is free (it may continue outside the horizon)."""
        H = self.p.n_days
        if m <= 1:
            return

        def lit(day: int, in_run: bool):  # literal "day is (in_run ? part of : outside) a run of this kind"
            if not 0 <= day < H:
                return not in_run  # outside the horizon: outside every run
            w = self.worked(s, day)
            if isinstance(w, int):
                return bool(w) == (work == in_run)  # a constant truth value
            return w if work == in_run else w.Not()

        for d in range(0 if bind_at_ends else 1, H):
            starts = [lit(d - 1, False), lit(d, True)]  # the run starts on d: day d-1 outside, day d inside
            if starts[0] is False or starts[1] is False:
                continue  # no run of this kind can start on d
            for i in range(1, m):
                if d + i >= H and not bind_at_ends:
                    break  # the run reaches the end of the horizon: free
                follow = lit(d + i, True)
                if follow is True:
                    continue
                clause = [x.Not() for x in starts if x is not True]
                if follow is not False:
                    clause.append(follow)
                self.model.add_bool_or(clause)  # an empty clause: the start is forced and the run too short
                if follow is False:
                    break  # the start itself is forbidden: later offsets add nothing

    def max_weekends_worked(self) -> None:
        p = self.p
        if p.max_weekends is None or not p.weekends:
            return
        for s in range(p.n_staff):
            limit = int(p.max_weekends[s])
            if limit >= len(p.weekends):
                continue
            flags = []
            for wk, days in enumerate(p.weekends):
                ws = [self.worked(s, d) for d in days]
                ws = [w for w in ws if not isinstance(w, int)]
                if not ws:
                    continue
                f = self.model.new_bool_var(f"wk{s}_{wk}")
                self.model.add_max_equality(f, ws)
                flags.append(f)
            if len(flags) > limit:
                self.model.add(sum(flags) <= limit)

    def forbidden_successions(self) -> None:
        """Type k on one day may not be followed by type k2 on the next (Curtois), for every staff."""
        p = self.p
        if not p.forbidden_next_day:
            return
        forbidden = set(p.forbidden_next_day)
        for (s, per, k), v in self.x.items():
            d = int(p.day_of_period[per])
            for nper in self.periods_of_day.get(d + 1, []):
                for k2, v2 in self.by_sp.get((s, nper), []):
                    if (k, k2) in forbidden:
                        self.model.add_bool_or([v.Not(), v2.Not()])

    def forbidden_same_day_pairs(self) -> None:
        """Two types that cannot share a day for this staff member (e.g. centers too far apart).

        A period holds at most one type, so "k in one period excludes every bad partner of k in a
        later period of the day" is a single inequality per (staff, period, k)."""
        for s, pairs in self.p.forbidden_same_day.items():
            partners: dict[int, set[int]] = {}
            for a, b in pairs:
                partners.setdefault(a, set()).add(b)
                partners.setdefault(b, set()).add(a)
            for periods in self.periods_of_day.values():
                for i, p1 in enumerate(periods):
                    for p2 in periods[i + 1:]:
                        later = dict(self.by_sp.get((s, p2), []))
                        for k1, v1 in self.by_sp.get((s, p1), []):
                            bad = [later[k2] for k2 in partners.get(k1, ()) if k2 in later]
                            if bad:
                                self.model.add(v1 + sum(bad) <= 1)

    def window_limits(self) -> None:
        for w in self.p.windows:
            vs = [v for per in w.periods for _k, v in self.by_sp.get((w.staff, per), [])]
            if len(vs) > w.limit:
                self.model.add(sum(vs) <= w.limit)

    def cover_requirements(self) -> None:
        """Hard floors, and soft under/over cover against the requirement (weighted)."""
        p = self.p
        col: dict[tuple[int, int], list[cp_model.IntVar]] = {}
        for (s, per, k), v in self.x.items():
            col.setdefault((per, k), []).append(v)
        for c in p.covers:
            vs = col.get((c.period, c.kind), [])
            for name, weight, slack in add_cover_rule(self.model, c, sum(vs) if vs else 0, len(vs)):
                self.add_term(name, weight, slack)

    def requests(self) -> None:
        for s, per, k, w in self.p.requests_on:
            v = self.x.get((s, per, k))
            self.add_term("requests_on", w, 1 if v is None else 1 - v)
        for s, per, k, w in self.p.requests_off:
            v = self.x.get((s, per, k))
            if v is not None:
                self.add_term("requests_off", w, v)

    def add_core_constraints(self) -> None:
        """Every family, in a fixed order."""
        self.one_assignment_per_period()
        self.pinned_periods()
        self.max_count_per_type()
        self.total_minutes_range()
        self.max_consecutive_worked_days()
        self.min_consecutive_worked_days()
        self.min_consecutive_days_off()
        self.max_weekends_worked()
        self.forbidden_successions()
        self.forbidden_same_day_pairs()
        self.window_limits()
        self.cover_requirements()
        self.requests()

    # -- solving -----------------------------------------------------------------------------------
    def objective_units(self) -> list[cp_model.LinearExprT]:
        """The weighted named terms, scaled to integers (rounded down: every term is >= 0, so
        CP-SAT's bound stays a bound of the true objective)."""
        return [cost_units(w, self.objective_scale) * e for items in self.terms.values() for w, e in items]

    def set_objective(self) -> bool:
        """Minimise the weighted named terms (`objective_units`); False if there are none."""
        objective = self.objective_units()
        if objective:
            self.model.minimize(sum(objective))
        return bool(objective)

    def _cell_index(self) -> tuple[np.ndarray, np.ndarray]:
        """x's keys (member, period, type) and their proto indices, as arrays (x never changes)."""
        if self._cells is None:
            keys = np.array(list(self.x), dtype=np.int64).reshape(-1, 3)
            self._cells = keys, np.array([v.index for v in self.x.values()], dtype=np.int64)
        return self._cells

    def assignment_from(self, values: np.ndarray) -> np.ndarray:
        """The roster (type per member and period, -1 = off) of a full solution `values` (by proto index)."""
        keys, index = self._cell_index()
        out = np.full((self.p.n_staff, self.p.n_periods), -1, dtype=np.int64)
        on = values[index] == 1
        out[keys[on, 0], keys[on, 1]] = keys[on, 2]
        return out

    def _term_items(self) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The terms flattened once for reading solutions with numpy: (names, per item its name's
        position, weight and offset; per variable occurrence its item, proto index, coefficient).
        Rebuilt after `add_term`."""
        if self._flat_terms is None:
            names = list(self.terms)
            name_of, weight, offset, item, index, coef = [], [], [], [], [], []
            for ni, name in enumerate(names):
                for w, e in self.terms[name]:
                    i = len(offset)
                    name_of.append(ni)
                    weight.append(w)
                    if isinstance(e, (int, float)):
                        offset.append(float(e))
                        continue
                    f = FlatIntExpr(e)
                    offset.append(float(f.offset))
                    item.extend([i] * len(f.vars))
                    index.extend(v.index for v in f.vars)
                    coef.extend(f.coeffs)
            self._flat_terms = (names, np.array(name_of, dtype=np.int64), np.array(weight, dtype=float),
                                np.array(offset, dtype=float), np.array(item, dtype=np.int64),
                                np.array(index, dtype=np.int64), np.array(coef, dtype=float))
        return self._flat_terms

    def term_values(self, values: np.ndarray) -> tuple[dict[str, float], float]:
        """Each named term's (unweighted) value and the weighted objective (unscaled) under a full
        solution `values` (by proto index)."""
        names, name_of, weight, offset, item, index, coef = self._term_items()
        items = offset + np.bincount(item, weights=coef * values[index], minlength=len(offset))
        sums = np.bincount(name_of, weights=items, minlength=len(names))
        return {name: float(sums[i]) for i, name in enumerate(names)}, float(weight @ items)

    def _complete_hint(self, hint: np.ndarray, *, time_limit_s: float, workers: int, seed: int) -> None:
        """Hint every variable, not just the assignments: solve a copy with the assignments fixed to
        `hint` (propagation sets the auxiliaries), then hint the whole solution. CP-SAT starts from a
        complete hint; a partial one it may not use. If the hinted roster breaks a hard rule, only the
        assignments are hinted."""
        probe = self.model.clone()
        for (s, per, k), v in self.x.items():
            probe.add(probe.get_bool_var_from_proto_index(v.index) == int(hint[s, per] == k))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_limit_s
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        # The assignments are fixed, so this is quick; optimising (not stopping at the first solution)
        # sets auxiliaries such as excess counts to their true values.
        code = solver.solve(probe)
        self.model.clear_hints()
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self._fallback = (solver, hint.copy())
            self._first_feasible()
            for i in range(len(self.model.proto.variables)):
                var = self.model.get_int_var_from_proto_index(i)
                self.model.add_hint(var, solver.value(probe.get_int_var_from_proto_index(i)))
        else:
            for (s, per, k), v in self.x.items():
                self.model.add_hint(v, int(hint[s, per] == k))

    def _first_feasible(self) -> None:
        if self.first_feasible_at is None:
            self.first_feasible_at = time.perf_counter()

    def solve(self, *, time_limit_s: float, workers: int, seed: int, hint: np.ndarray | None = None, log: bool = False,
              presolve: bool = True, solver_params: dict | None = None, stop_at: float | None = None) -> RosterOutcome:
        """`presolve=False` suits large hinted models whose presolve costs more than it saves;
        `solver_params`: further CP-SAT parameters by name (lists extend repeated fields);
        `stop_at`: a lower bound known from elsewhere (e.g. a relaxation): the search stops as soon as
        a roster costs no more, since none can cost less."""
        t0 = time.perf_counter()
        deadline = t0 + time_limit_s  # the limit covers the objective, the hint and reading the result
        scale = self.objective_scale
        objective = self.set_objective()
        if hint is not None:
            # At least 2 s: a completed hint is what guarantees a roster when time is short.
            self._complete_hint(hint, time_limit_s=min(5.0, max(2.0, time_limit_s / 3)), workers=workers, seed=seed)
        self._term_items()  # (both built now, so that reading the result takes no time after the limit)
        self._cell_index()
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.5, deadline - time.perf_counter())
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        solver.parameters.log_search_progress = log
        solver.parameters.cp_model_presolve = presolve
        apply_solver_params(solver, solver_params)
        code = solver.solve(self.model, _Progress(self, stop_at))
        seconds = time.perf_counter() - t0
        assignment = np.full((self.p.n_staff, self.p.n_periods), -1, dtype=np.int64)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.last_values = list(solver.response_proto.solution)
            # read from the solution vector with arrays built before the search: a solver call per
            # cell and term took 0.25 s on Bao'an (68,000 cells), after the time limit
            values = np.asarray(self.last_values, dtype=np.int64)
            assignment = self.assignment_from(values)
            terms, obj = self.term_values(values)
            bound = solver.best_objective_bound / scale if objective else 0.0
            status = SolveStatus.OPTIMAL if code == cp_model.OPTIMAL else SolveStatus.FEASIBLE
            reason = "" if status == SolveStatus.OPTIMAL else "time limit reached before optimality was proved"
            if status == SolveStatus.OPTIMAL and obj > bound + 1e-9 * max(1.0, abs(obj)):
                # A weight finer than 1/scale: CP-SAT proved the rounded-down objective, under which
                # another roster may tie with this one yet cost less at the true weights.
                status = SolveStatus.FEASIBLE
                reason = f"optimal for the weights rounded down to 1/{scale}, not proved for the exact weights"
            return RosterOutcome(status, reason, assignment, float(obj), float(min(bound, obj)), relative_gap(obj, bound), terms, seconds)
        if code not in (cp_model.INFEASIBLE,) and self._fallback is not None:
            # Out of time before the search reported anything: the hinted roster is proven feasible.
            fb, hint = self._fallback
            terms = {name: float(sum(fb.value(e) if not isinstance(e, (int, float)) else e for _w, e in items)) for name, items in self.terms.items()}
            obj = sum(w * (fb.value(e) if not isinstance(e, (int, float)) else e) for items in self.terms.values() for w, e in items)
            return RosterOutcome(SolveStatus.FEASIBLE, "time limit reached before the search improved the starting roster",
                                 hint, float(obj), None, None, terms, seconds)
        if code == cp_model.INFEASIBLE:
            return RosterOutcome(SolveStatus.INFEASIBLE, "the hard rules cannot all hold (see the coverage report and pins)",
                                 assignment, None, None, None, {}, seconds)
        return RosterOutcome(SolveStatus.UNKNOWN, "no feasible roster found within the time limit", assignment, None, None, None, {}, seconds)

