"""The time-indexed relaxation of the whole model: a bound that sees the experts' coupling, and on
a Bao'an day the optimal plan itself.

The rooms flow bound (:func:`bounds.room_flow_bound`) lets every case take its cheapest team in its
slot as if no other case wanted those experts; on a Bao'an day that leaves a 7% gap, because the
few cheapest mediators of a street are wanted by every case there in the same half-days. This
linear program keeps them coupled. Columns:

- ``x[k, j, r, s]``: pool row ``r`` (an expert in a mode) takes seat ``j`` of case ``k`` in slot ``s``
  (a case without session: just takes the seat);
- ``y[k, m, s]``: case ``k`` meets in mode ``m`` in slot ``s``; ``u[k]``: case ``k`` stays unassigned;
- ``L``: the busiest expert's line count (the balance term).

Rows: one choice per case (Σ y + u = 1); every seat filled in the session's mode and slot
(Σ_r x = y); an expert in at most one session per half-day; weekly session limits; open-case limits;
rooms per center and half-day; ``L ≥`` lines of every expert; distinct experts in a team without
session (with one, the half-day rows see to it). An integer point is a plan obeying every rule and
costing exactly what :func:`objective.evaluate` says, disruption aside (below).

Only the ``per_slot`` cheapest free rows of each (seat, mode, slot) become columns, so the LP alone
bounds only plans made of them. The bound for the *whole* problem comes from Lagrangian duality:
price the expert rows (half-day, week, open cases, balance) with the LP's duals, and each case
independently picks its mode and slot and each seat its cheapest expert at the priced cost, over
*every* pool row (experts not remembered count at their ``dropped_min``, prices being ≥ 0), while
the rooms stay exact in the flow of :func:`bounds.room_flow_bound`. That value bounds the optimum
for any nonnegative prices (weak duality), and equals the LP over every column when the duals price
every left-out column at ≥ 0 (otherwise those columns are added and the LP solved again).

Disruption (re-plans): an earlier line held in the pool gets a column ``keep[k] ≤`` its session and
each of its experts, worth −disruption on top of a constant disruption per earlier line; in the
Lagrangian the case pays the disruption in every other session and team. An earlier line the pool
does not hold (an expert not remembered) is not charged in the bound: still valid, only weaker.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import linear_solver_pb2 as pb
from ortools.linear_solver import pywraplp

from .bounds import INF, CaseBound, room_flow_bound, session_slot_costs
from .candidates import IN_PERSON, MODES, ONLINE, Problem, option_slot_matrix
from .config import ObjectiveWeights
from .objective import previous_fits

#: Cost scale of the Lagrangian rooms flow (its arc costs are rounded down to 1/FLOW_SCALE): fine
#: enough that rounding costs under 0.001 over a Bao'an day.
FLOW_SCALE = 100_000

#: A column whose reduced cost is below −PRICE_TOL would lower the LP: it joins the next round.
PRICE_TOL = 1e-6

#: Time estimate only (never a limit): the first LP of a Bao'an day (about 63,000 x columns) was
#: built and solved in about 1 s on this 2-core machine, growing as columns^1.6 (a 1,000-case day,
#: 178,000 columns: about 5 s). A first LP expected to overrun the time it has is not started.
BAOAN_COLUMNS, BAOAN_SECONDS = 63_000, 1.0


@dataclass
class _Seat:
    """One (case, seat): its priced-in availability and the columns it has in the LP."""

    case: int
    seat: int
    free: np.ndarray  # (pool rows × slots): the row may sit in that slot (mode and case rules applied)
    in_lp: np.ndarray  # (pool rows × slots): the column is in the LP


@dataclass
class Prices:
    """Lagrange multipliers (all ≥ 0) of the expert rows."""

    place: np.ndarray  # (experts × slots): one place at a time
    week: np.ndarray  # (experts × weeks): sessions per week
    line: np.ndarray  # (experts,): open cases
    balance: np.ndarray  # (experts,): L ≥ lines; scaled down to Σ ≤ the balance weight when used


@dataclass
class Outcome:
    """What the relaxation gives: a valid bound for the whole problem, and a plan when it found one."""

    bound: float | None  # Lagrangian bound over every option (None if the LP was not solved)
    lp_value: float | None  # the LP's value over its columns
    plan: dict[int, tuple[int, int | None, tuple[str, ...]]] | None  # by expert id, as lns.Key
    integral: bool  # the LP's own optimum was a plan (no integer search needed)
    columns: int
    rounds: int
    sessions: dict[int, tuple[int, int]] = field(default_factory=dict)  # (mode, slot) the LP gives ≥ ½ a case


class TimeIndexedLP:
    """The LP over a growing set of columns (see the module docstring)."""

    def __init__(self, p: Problem, w: ObjectiveWeights, per_slot: int):
        self.p, self.w = p, w
        self.n_slots = len(p.slots)
        self.weeks = np.unique(p.week_of_slot)
        self.week_idx = np.searchsorted(self.weeks, p.week_of_slot)
        self.week_caps = np.array([[max(0, p.session_capacity[e, int(wk)]) for wk in self.weeks]
                                   for e in range(len(p.experts))], float).reshape(len(p.experts), len(self.weeks))
        self.seats: list[_Seat] = []
        for pc in p.cases:
            for j, seat in enumerate(pc.seats):
                free = option_slot_matrix(p, pc, seat, np.arange(len(seat.pool)))
                in_lp = np.zeros_like(free)
                if pc.needs_session:
                    # The per_slot cheapest rows of each mode free in each slot.
                    for m in MODES:
                        rows = np.flatnonzero(seat.pool.mode == m)
                        order = rows[np.argsort(seat.pool.cost[rows], kind="stable")]
                        f = free[order]
                        in_lp[order] = f & (np.cumsum(f, axis=0) <= per_slot)
                else:
                    order = np.argsort(seat.pool.cost, kind="stable")[:per_slot]
                    in_lp[order, 0] = True  # slot column 0 stands for "no slot"
                self.seats.append(_Seat(pc.index, j, free, in_lp))
        self.seat_of = {(s.case, s.seat): s for s in self.seats}
        self.n_cols = self.n_rows = 0  # of the last model built
        # Earlier lines that could be kept as they are: (mode, slot or -1, pool row per seat). Their
        # columns are always in the LP.
        self.previous: dict[int, tuple[int, int, list[int]]] = {}
        if w.disruption > 0:
            index = p.expert_index
            for pc in p.cases:
                kept = self._keepable(pc, index)
                if kept is not None:
                    self.previous[pc.index] = kept
                    for j, r in enumerate(kept[2]):
                        self.seat_of[pc.index, j].in_lp[r, max(kept[1], 0)] = True

    def _keepable(self, pc, index: dict[str, int]) -> tuple[int, int, list[int]] | None:
        """The previous line of ``pc`` as (mode, slot or -1, pool row per seat), if the pool holds it."""
        prev = pc.previous
        if prev is None or not previous_fits(pc):
            return None
        mode = ONLINE if prev.online else IN_PERSON
        if pc.needs_session:
            if prev.slot is None or prev.slot not in self.p.slots:
                return None
            slot = self.p.slots.index(prev.slot)
        elif prev.slot is not None:
            return None
        else:
            slot = -1
        rows = []
        for j, seat in enumerate(pc.seats):
            who = index.get(prev.expert_for(seat.role) or "", -1)
            ok = (seat.pool.expert == who) & ((seat.pool.mode == mode) if pc.needs_session else True)
            if slot >= 0:
                ok &= self.seat_of[pc.index, j].free[:, slot]
            hits = np.flatnonzero(ok)
            if not len(hits):
                return None
            rows.append(int(hits[0]))
        return mode, slot, rows

    # -- the model ------------------------------------------------------------------------------------

    def _build(self, integer: bool) -> pb.MPModelProto:
        p, w = self.p, self.w
        n_s = self.n_slots
        cols = _Blocks()  # columns: objective coefficient, upper bound
        rows = _Blocks()  # rows: lower and upper bound
        ent = _Blocks()  # entries: row, column, coefficient
        ys = _Blocks()  # per y column: case, mode, slot, column
        xs = _Blocks()  # per x column: case, seat, pool row, slot, expert, pinned, column
        links = _Blocks()  # per link row: case, seat, mode, slot, row
        room_ys = []  # (center, slot columns, y columns) of in-person sessions of unpinned cases
        offset = 0.0
        for pc in p.cases:
            k = pc.index
            case_row = rows.add(np.ones(1), np.ones(1))
            if pc.pin is None:
                u = cols.add(np.array([w.unassigned]), np.ones(1))
                ent.add(case_row, u, np.ones(1))
            if pc.previous is not None:
                offset += w.disruption  # every earlier line counts as changed unless kept (below)
            seats = [self.seat_of[k, j] for j in range(len(pc.seats))]
            if any(not len(seat.pool) for seat in pc.seats):
                continue
            if pc.needs_session:
                costs = session_slot_costs(pc, p.start, w)
                table = np.stack([costs[m] for m in MODES])  # (mode, slot)
                ok = np.isfinite(table)
                for sd in seats:
                    mode = pc.seats[sd.seat].pool.mode
                    ok &= np.stack([sd.free[mode == m].any(axis=0) for m in MODES])
                ms, ss = np.nonzero(ok)
                y_cost = table[ms, ss]
            else:
                ms, ss, y_cost = np.zeros(1, np.int64), np.full(1, -1), np.zeros(1)
            n_y = len(ms)
            y_cols = cols.add(y_cost, np.ones(n_y))
            ent.add(np.full(n_y, case_row[0]), y_cols, np.ones(n_y))
            ys.add(np.full(n_y, k), ms, ss, y_cols)
            if pc.needs_session and pc.pin is None:
                inp = ms == IN_PERSON
                room_ys.append((pc.case.center, ss[inp], y_cols[inp]))
            session_of = np.full((len(MODES), n_s), -1)
            session_of[ms, np.maximum(ss, 0)] = np.arange(n_y)
            kept = self.previous.get(k)
            keep = None
            if kept is not None and session_of[kept[0], max(kept[1], 0)] >= 0:
                # keep ≤ the previous session and ≤ each previous expert: −disruption when all hold.
                keep = int(cols.add(np.array([-w.disruption]), np.ones(1))[0])
                r_keep = rows.add(np.array([-np.inf]), np.zeros(1))
                ent.add(np.repeat(r_keep, 2), [keep, y_cols[session_of[kept[0], max(kept[1], 0)]]], [1.0, -1.0])
            for sd in seats:
                pool = pc.seats[sd.seat].pool
                link_rows = rows.add(np.zeros(n_y), np.zeros(n_y))
                ent.add(link_rows, y_cols, -np.ones(n_y))
                links.add(np.full(n_y, k), np.full(n_y, sd.seat), ms, ss, link_rows)
                r, s = np.nonzero(sd.in_lp)
                t = session_of[pool.mode[r], s]
                r, s, t = r[t >= 0], s[t >= 0], t[t >= 0]
                if not pc.needs_session:
                    s = np.full(len(r), -1)
                x_cols = cols.add(pool.cost[r], np.ones(len(r)))
                ent.add(link_rows[t], x_cols, np.ones(len(r)))
                xs.add(np.full(len(r), k), np.full(len(r), sd.seat), r, s, pool.expert[r],
                       np.full(len(r), pc.pin is not None), x_cols)
                if keep is not None:
                    mine = np.flatnonzero((r == kept[2][sd.seat]) & (s == kept[1]))
                    r_keep = rows.add(np.array([-np.inf]), np.zeros(1))
                    ent.add(np.repeat(r_keep, 2), [keep, int(x_cols[mine[0]])], [1.0, -1.0])
        self.y_meta = list(zip(*[a.tolist() for a in ys.arrays(4)]))
        self.link_meta = np.stack(links.arrays(5), axis=1) if links.n else np.zeros((0, 5), np.int64)
        (self.x_case, self.x_seat, self.x_row, self.x_slot, self.x_expert, x_pinned, self.x_col) = xs.arrays(7)
        x_pinned = x_pinned.astype(bool)
        xc = self.x_col
        # An expert in at most one session per half-day; weekly sessions (pinned sessions are
        # already out of the free slots and the capacities); open cases.
        timed = (self.x_slot >= 0) & ~x_pinned
        n_w = len(self.weeks)
        self.rows_place = _capacity_rows(rows, ent, self.x_expert[timed] * n_s + self.x_slot[timed], xc[timed],
                                         np.ones(len(p.experts) * n_s))
        self.rows_week = _capacity_rows(rows, ent, self.x_expert[timed] * n_w + self.week_idx[self.x_slot[timed]],
                                        xc[timed], self.week_caps.ravel())
        self.rows_open = _capacity_rows(rows, ent, self.x_expert, xc, np.maximum(0, p.open_capacity).astype(float))
        # Distinct experts in a team: for sessions the half-day rows see to it; a case without
        # session (or a pinned one, outside those rows) needs its own row per expert.
        untimed = ~timed
        n_e = len(p.experts)
        _capacity_rows(rows, ent, self.x_case[untimed] * n_e + self.x_expert[untimed], xc[untimed],
                       np.ones(len(p.cases) * n_e))
        by_room: dict[tuple[str, int], list[np.ndarray]] = {}
        for center, ss, y_cols in room_ys:  # rooms per (center, half-day)
            for s, c in zip(ss.tolist(), y_cols.tolist()):
                by_room.setdefault((center, s), []).append(c)
        for (center, s), members in by_room.items():
            cap = max(0, p.room_capacity[center, s])
            if len(members) > cap:
                r = rows.add(np.full(1, -np.inf), np.full(1, float(cap)))
                ent.add(np.full(len(members), r[0]), np.array(members), np.ones(len(members)))
        # Balance: L ≥ base + lines, for every expert with a column.
        self.rows_balance = (np.empty(0, np.int64), np.empty(0, np.int64))
        self.l_col = None
        if w.balance > 0 and len(xc):
            base = p.base_load if p.base_load is not None else np.zeros(len(p.experts), np.int64)
            experts = np.unique(self.x_expert)
            self.l_floor = float(base.max())
            self.l_col = int(cols.add(np.array([w.balance]), np.array([float(len(p.cases) + base.max())]))[0])
            b_rows = rows.add(base[experts].astype(float), np.full(len(experts), np.inf))
            ent.add(b_rows, np.full(len(experts), self.l_col), np.ones(len(experts)))
            row_of = np.full(len(p.experts), -1)
            row_of[experts] = b_rows
            ent.add(row_of[self.x_expert], xc, -np.ones(len(xc)))
            self.rows_balance = (experts, b_rows)
        obj, ub = cols.arrays(2)
        lo, hi = rows.arrays(2)
        r_all, c_all, v_all = ent.arrays(3)
        model = pb.MPModelProto(objective_offset=offset)
        lb = np.zeros(len(obj))
        if self.l_col is not None:
            lb[self.l_col] = self.l_floor
        for i, (a, b, c) in enumerate(zip(lb.tolist(), ub.tolist(), obj.tolist())):
            model.variable.add(lower_bound=a, upper_bound=b, objective_coefficient=c,
                               is_integer=integer and i != self.l_col)
        order = np.argsort(r_all, kind="stable")
        c_all, v_all = c_all[order].astype(np.int64), v_all[order]
        cuts = np.searchsorted(r_all[order], np.arange(len(lo) + 1)).tolist()
        c_list, v_list = c_all.tolist(), v_all.tolist()
        for i, (a, b) in enumerate(zip(lo.tolist(), hi.tolist())):
            ct = model.constraint.add(lower_bound=a, upper_bound=b)
            ct.var_index.extend(c_list[cuts[i]:cuts[i + 1]])
            ct.coefficient.extend(v_list[cuts[i]:cuts[i + 1]])
        self.n_rows = len(lo)
        self.n_cols = len(obj)
        return model

    # -- solving ----------------------------------------------------------------------------------------

    def solve(self, integer: bool, deadline: float) -> pb.MPSolutionResponse | None:
        """Solve the LP with CLP (dual values included; GLOP was 2–4× slower here, HiGHS through this
        interface returns no duals), or, ``integer``, the model over the same columns with HiGHS.
        ``deadline`` is wall-clock (time.perf_counter); the solvers measure their limit in CPU time,
        so on a machine shared beyond its cores a solve may end later."""
        model = self._build(integer)
        left = deadline - time.perf_counter()
        if left < 0.05:
            return None
        request = pb.MPModelRequest(
            model=model,
            solver_type=(pb.MPModelRequest.HIGHS_MIXED_INTEGER_PROGRAMMING if integer
                         else pb.MPModelRequest.CLP_LINEAR_PROGRAMMING),
            solver_time_limit_seconds=left,
            solver_specific_parameters="output_flag=false" if integer else "",  # no HiGHS banner on stdout
        )
        response = pb.MPSolutionResponse()
        pywraplp.Solver.SolveWithProto(request, response)
        if response.status not in (pb.MPSOLVER_OPTIMAL, pb.MPSOLVER_FEASIBLE) or not len(response.variable_value):
            return None
        return response

    def prices(self, duals: np.ndarray) -> Prices:
        """Lagrange prices from the LP's duals, clipped to their valid signs (a ≤ row's dual is ≤ 0 in
        a minimisation, the balance rows' ≥ 0)."""
        n_e, n_s, n_w = len(self.p.experts), self.n_slots, len(self.weeks)
        out = Prices(np.zeros(n_e * n_s), np.zeros(n_e * n_w), np.zeros(n_e), np.zeros(n_e))
        for target, (keys, rows), sign in ((out.place, self.rows_place, -1), (out.week, self.rows_week, -1),
                                           (out.line, self.rows_open, -1), (out.balance, self.rows_balance, 1)):
            target[keys] = np.maximum(0.0, sign * duals[rows])
        out.place = out.place.reshape(n_e, n_s)
        out.week = out.week.reshape(n_e, n_w)
        return out

    def _priced(self, prices: Prices) -> tuple[np.ndarray, np.ndarray, float]:
        """Per (expert, slot) the price of a session, per expert the price of a line, and the constant
        the priced rows give back: − Σ price × capacity, + the balance rows' share (below)."""
        p, w = self.p, self.w
        n_e = len(p.experts)
        balance = prices.balance
        if balance.sum() > w.balance:  # w·L + Σ β (base + lines − L) is bounded below only if Σ β ≤ w
            balance = balance * (w.balance / balance.sum())
        base = p.base_load if p.base_load is not None else np.zeros(n_e, np.int64)
        constant = (-float(prices.place.sum()) - float((prices.week * self.week_caps).sum())
                    - float((prices.line * np.maximum(0, p.open_capacity)).sum()) + float((balance * base).sum()))
        # L ≥ the largest base load in every plan; its coefficient w − Σ β is ≥ 0.
        constant += (w.balance - balance.sum()) * (float(base.max()) if n_e else 0.0)
        per_session = prices.place + prices.week[:, self.week_idx]
        return per_session, prices.line + balance, constant

    def priced_costs(self, sd: _Seat, per_session: np.ndarray, per_line: np.ndarray) -> np.ndarray:
        """(pool rows × slots) seat cost plus prices, ∞ where the row cannot sit."""
        pc = self.p.cases[sd.case]
        pool = pc.seats[sd.seat].pool
        c = pool.cost + per_line[pool.expert]
        if not pc.needs_session:
            out = np.full(sd.free.shape, INF)
            out[:, 0] = c
            return out
        add = per_session[pool.expert] if pc.pin is None else 0.0  # pinned sessions are not priced
        return np.where(sd.free, c[:, None] + add, INF)

    def lagrangian_bound(self, prices: Prices, bounds: list[CaseBound]) -> float | None:
        """The priced relaxation over every pool row (rooms kept): a lower bound of the whole problem
        for any nonnegative ``prices``."""
        p = self.p
        per_session, per_line, constant = self._priced(prices)
        priced: list[CaseBound] = []
        for pc, b in zip(p.cases, bounds):
            seats = [self.seat_of[pc.index, j] for j in range(len(pc.seats))]
            mins = []  # per seat: per mode the cheapest priced row in each slot
            for sd in seats:
                seat = pc.seats[sd.seat]
                costs = self.priced_costs(sd, per_session, per_line)
                by_mode = {}
                for m in MODES:
                    rows = seat.pool.mode == m
                    best = costs[rows].min(axis=0) if rows.any() else np.full(self.n_slots, INF)
                    by_mode[m] = np.minimum(best, seat.dropped_min.get(m, INF))
                mins.append(by_mode)
            kept = self.previous.get(pc.index)
            if not pc.needs_session:
                served = self._distinct_team_cost(pc, seats, per_session, per_line)
                if kept is not None:  # another team pays the disruption; the earlier one does not
                    served = min(served + self.w.disruption, self._kept_cost(pc, kept, per_session, per_line))
                floor = served if pc.pin is not None else min(served, b.drop)
                priced.append(CaseBound(floor, b.drop, []))
                continue
            costs = session_slot_costs(pc, p.start, self.w)
            total = {m: costs[m] + (np.sum([mm[m] for mm in mins], axis=0) if mins else 0.0) for m in MODES}
            if kept is not None:
                mode, slot, _ = kept
                total = {m: t + self.w.disruption for m, t in total.items()}
                total[mode][slot] = min(total[mode][slot], costs[mode][slot]
                                        + self._kept_cost(pc, kept, per_session, per_line))
            served = min(float(total[m].min()) for m in MODES)
            floor = served if pc.pin is not None else min(served, b.drop)
            priced.append(CaseBound(floor, b.drop, [], slot_floor=total))
        flow = room_flow_bound(p, priced, scale=FLOW_SCALE)
        return None if flow is None else flow + constant

    def _kept_cost(self, pc, kept, per_session: np.ndarray, per_line: np.ndarray) -> float:
        """Priced seat costs of the earlier line's team in its own slot."""
        _mode, slot, rows = kept
        return float(sum(self.priced_costs(self.seat_of[pc.index, j], per_session, per_line)[r, max(slot, 0)]
                         for j, r in enumerate(rows)))

    def _distinct_team_cost(self, pc, seats: list[_Seat], per_session: np.ndarray, per_line: np.ndarray) -> float:
        """The cheapest priced team of a case without session, experts distinct (no half-day row
        keeps them apart there). Some cheapest team is made of each seat's ``len(seats)`` cheapest
        experts; an expert not remembered counts at ``dropped_min`` as one more, distinct, expert."""
        n = len(seats)
        shortlists = []
        for j, sd in enumerate(seats):
            seat = pc.seats[sd.seat]
            costs = self.priced_costs(sd, per_session, per_line)[:, 0]
            top = np.argsort(costs, kind="stable")[:n]
            entries = [(float(costs[r]), int(seat.pool.expert[r])) for r in top if np.isfinite(costs[r])]
            dropped = seat.dropped_min.get(IN_PERSON, INF)
            if np.isfinite(dropped):
                entries.append((dropped, -1 - j))
            if not entries:
                return INF
            shortlists.append(entries)
        best = INF
        for team in itertools.product(*shortlists):
            if len({e for _, e in team}) == n:
                best = min(best, sum(c for c, _ in team))
        return best

    def add_priced_out(self, duals: np.ndarray, prices: Prices, limit: int) -> int:
        """Column generation: bring in the rows whose reduced cost is negative (up to ``limit`` per
        seat, mode and slot, cheapest first). Returns how many were added. Seats of cases without
        session keep their ``per_slot`` cheapest experts (the bound still covers the others)."""
        per_session, per_line, _ = self._priced(prices)
        link = {(int(k), int(j), int(m), int(s)): float(duals[r]) for k, j, m, s, r in self.link_meta}
        added = 0
        for sd in self.seats:
            pc = self.p.cases[sd.case]
            if not pc.needs_session:
                continue
            costs = self.priced_costs(sd, per_session, per_line)
            modes = pc.seats[sd.seat].pool.mode
            for s in range(self.n_slots):
                for m in MODES:
                    sigma = link.get((sd.case, sd.seat, m, s))
                    if sigma is None:
                        continue
                    rows = np.flatnonzero((modes == m) & ~sd.in_lp[:, s])
                    if not len(rows):
                        continue
                    rc = costs[rows, s] - sigma
                    bad = rows[rc < -PRICE_TOL]
                    if len(bad):
                        bad = bad[np.argsort(costs[bad, s], kind="stable")[:limit]]
                        sd.in_lp[bad, s] = True
                        added += len(bad)
        return added

    def plan(self, values: np.ndarray) -> tuple[dict, bool]:
        """The plan a solution describes (by expert id), and whether every column is 0 or 1."""
        p = self.p
        x = values[self.x_col]
        integral = bool(np.all(np.minimum(np.abs(values[:len(values) - (self.l_col is not None)]),
                                          np.abs(1 - values[:len(values) - (self.l_col is not None)])) < 1e-6))
        chosen = {}
        for k, m, s, col in self.y_meta:
            if values[col] > 0.5:
                chosen[k] = (m, None if s < 0 else s)
        picked = x > 0.5
        team: dict[tuple[int, int], str] = {}
        for k, j, e, s in zip(self.x_case[picked], self.x_seat[picked], self.x_expert[picked], self.x_slot[picked]):
            if k in chosen and (chosen[k][1] if chosen[k][1] is not None else -1) == s:
                team[int(k), int(j)] = p.experts[int(e)].id
        out = {}
        for k, (m, s) in chosen.items():
            ids = tuple(team.get((k, j)) for j in range(len(p.cases[k].seats)))
            if None not in ids:
                out[k] = (m, s, ids)
        return out, integral


def expected_seconds(lp: TimeIndexedLP) -> float:
    """Rough time to build and solve the first LP (see BAOAN_SECONDS)."""
    columns = sum(int(sd.in_lp.sum()) for sd in lp.seats)
    return BAOAN_SECONDS * (columns / BAOAN_COLUMNS) ** 1.6


def solve_relaxation(p: Problem, w: ObjectiveWeights, bounds: list[CaseBound], deadline: float,
                     per_slot: int = 6, max_rounds: int = 4) -> Outcome:
    """LP with column generation until no column prices out (or ``deadline``), its Lagrangian bound,
    and a plan: the LP's own optimum when integral, else the integer model over the same columns."""
    started = time.perf_counter()
    lp = TimeIndexedLP(p, w, per_slot)
    best_bound = lp_value = plan = None
    integral = False
    sessions: dict[int, tuple[int, int]] = {}
    rounds = 0
    while rounds < max_rounds and time.perf_counter() < deadline:
        if rounds == 0 and expected_seconds(lp) > deadline - time.perf_counter():
            break  # would not finish: leave the time to the search
        rounds += 1
        response = lp.solve(False, deadline)
        if response is None:
            break
        duals = np.asarray(response.dual_value)
        prices = lp.prices(duals)
        bound = lp.lagrangian_bound(prices, bounds)
        if bound is not None and (best_bound is None or bound > best_bound):
            best_bound = bound
        if response.status != pb.MPSOLVER_OPTIMAL:
            break  # stopped by the limit: its prices still bound, its point is not trusted as a plan
        lp_value = response.objective_value
        values = np.asarray(response.variable_value)
        plan, integral = lp.plan(values)
        sessions = {k: (m, s) for k, m, s, col in lp.y_meta if s >= 0 and values[col] >= 0.5}
        if bound is not None and bound >= lp_value - 1e-6 * max(1.0, abs(lp_value)):
            break  # the bound meets the LP: no column left out can lower it
        if not lp.add_priced_out(duals, prices, limit=per_slot):
            break
    if lp_value is not None and not integral:
        plan = None
        # The integer model over the columns, only when the LPs left time for it (its build and
        # presolve are not interrupted by the limit).
        if deadline - time.perf_counter() > 2.0 * (time.perf_counter() - started) / rounds:
            mip = lp.solve(True, deadline)
            plan = lp.plan(np.asarray(mip.variable_value))[0] if mip is not None else None
    return Outcome(best_bound, lp_value, plan, integral, lp.n_cols, rounds, sessions)


class _Blocks:
    """Parallel arrays grown block by block; ``add`` returns the new items' positions."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []
        self.n = 0

    def add(self, *arrays) -> np.ndarray:
        size = len(arrays[0])
        if any(len(a) != size for a in arrays):
            raise ValueError("parallel arrays of one block differ in length")
        self.parts.append(tuple(np.asarray(a) for a in arrays))
        self.n += size
        return np.arange(self.n - size, self.n)

    def arrays(self, width: int) -> tuple[np.ndarray, ...]:
        if not self.parts:
            return tuple(np.empty(0, np.int64) for _ in range(width))
        return tuple(np.concatenate([part[i] for part in self.parts]) for i in range(width))


def _capacity_rows(rows: _Blocks, ent: _Blocks, keys: np.ndarray, columns: np.ndarray,
                   capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Σ columns of one key <= capacity[key], for the keys whose columns could exceed it.
    Returns (keys, rows) of the rows written."""
    if not len(keys):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    uniq, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    kept = np.flatnonzero(counts > capacity[uniq])
    new = rows.add(np.full(len(kept), -np.inf), capacity[uniq[kept]].astype(float))
    row_of = np.full(len(uniq), -1)
    row_of[kept] = new
    sel = row_of[inverse] >= 0
    ent.add(row_of[inverse][sel], columns[sel], np.ones(int(sel.sum())))
    return uniq[kept], new
