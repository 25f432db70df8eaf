"""Pricing one staff member's roster by dynamic programming over days (the Curtois rule set).

Why: column generation prices every member at every iteration; as a CP-SAT solve that costs about
22 ms (Instance8), almost all of a 60-s budget. The rules of one member are a path through the days
whose state is small: the last day's type, the length of the current run of work (or of days
off), the days worked so far, the weekends worked so far, and a count for each type whose maximum
can bind. The DP is exact for the local rules (successions, maximum and minimum runs, minimum days
off, weekends, days off) and for the counted types and total minutes; the measured cost is 2-5 ms a
member on Instances 5-10.

What does not fit the state (a type's count when the product of the counter axes would exceed
`max_counter_states`; minutes of an uncounted type longer than the shortest) is relaxed: days
worked are bounded by what the minutes allow, and the result is checked. The DP's minimum is then a
lower bound of the true pricing minimum (valid for the Lagrangian bound) and its cheapest roster is
exact only if it keeps those rules; `DayPricingResult.exact` says which, and the caller prices with
CP-SAT when it does not.

States per day: `off[i, c..., n, w]` (an off-run of i+1 days, capped at the minimum days off;
counts c; n days worked; w weekends worked) and `work[k, r, f, c..., n, w]` (type k today, a run of
r+1 days; f=1: the run began on the first day, so it is free of the minimum run when the format says
so). Each day's tensors are kept, and a roster is read back from a final state by following the
cheapest predecessors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .core import RosterProblem

INF = np.inf


@dataclass
class DayPricingResult:
    value: float  # the DP's minimum: a lower bound of the pricing minimum (exact when `exact`)
    rows: list[np.ndarray]  # rosters keeping every rule (type per day, -1 = off), cheapest last
    exact: bool  # the cheapest DP roster keeps every rule, so `value` is the pricing minimum


def day_pricing_applies(p: RosterProblem) -> bool:
    """The DP models one period a day, no pins, windows or same-day pairs, and two-day weekends."""
    return (p.n_staff == 1 and p.n_periods == p.n_days and bool(np.all(p.day_of_period == np.arange(p.n_periods)))
            and not p.pins and not p.windows and not p.forbidden_same_day
            and all(len(w) == 2 and w[1] == w[0] + 1 for w in p.weekends))


class DayPricer:
    """The DP for staff member 0 of a one-member problem (see `colgen.staff_slice`).

    `max_counter_states`: types whose maximum count can bind (or whose length differs from the
    shortest, for the minutes) get a counter axis, cheapest first, while the product of the
    counter axes stays within this; the others are checked on the result."""

    def __init__(self, p: RosterProblem, max_counter_states: int = 64) -> None:
        if not day_pricing_applies(p):
            raise ValueError("day pricing needs one period a day, no pins/windows/same-day pairs, two-day weekends")
        H, K = p.n_periods, p.n_types
        self.H, self.K = H, K
        self.allowed = p.allowed[0]  # (H, K)
        mins = None if p.type_minutes is None or not K else np.asarray(p.type_minutes, dtype=np.int64)
        self.minutes = mins
        self.base_len = int(mins.min()) if mins is not None else 1
        self.max_minutes = None if p.max_minutes is None or mins is None else int(p.max_minutes[0])
        self.min_minutes = 0 if p.min_minutes is None or mins is None else int(p.min_minutes[0])
        self.d_max = H if self.max_minutes is None else min(H, self.max_minutes // max(self.base_len, 1))
        max_cons = 0 if p.max_consecutive_days is None else int(p.max_consecutive_days[0])
        self.min_cons = 1 if p.min_consecutive_days is None else max(1, int(p.min_consecutive_days[0]))
        self.capped_runs = not (0 < max_cons < H)  # no maximum: the top run length means "at least"
        # Run lengths 1..R: the maximum, or (no maximum) the minimum, the top state meaning "at least".
        self.R = max(self.min_cons, 1) if self.capped_runs else max_cons
        self.binds_at_ends = p.min_work_run_binds_at_ends
        self.F = 2 if self.min_cons > 1 and not self.binds_at_ends else 1
        self.start_flag = self.F - 1
        self.O = 1 if p.min_days_off is None else max(1, int(p.min_days_off[0]))
        max_w = None if p.max_weekends is None else int(p.max_weekends[0])
        self.track_weekends = max_w is not None and max_w < len(p.weekends)
        self.W = max_w + 1 if self.track_weekends else 1
        self.first_weekend_day = np.zeros(H, dtype=bool)
        self.second_weekend_day = np.zeros(H, dtype=bool)
        if self.track_weekends:
            for a, b in p.weekends:
                if a < H:
                    self.first_weekend_day[a] = True
                if b < H:
                    self.second_weekend_day[b] = True
        forbidden = set(p.forbidden_next_day)
        self.preds = [np.array([k2 for k2 in range(K) if (k2, k) not in forbidden], dtype=np.int64) for k in range(K)]
        self.max_per_type = {k: v for (_s, k), v in p.max_per_type.items()}
        # Counter axes: types whose count matters (a binding maximum, or a longer shift for the minutes).
        days_k = self.allowed.sum(axis=0)
        wanted = []
        for k in range(K):
            cap = int(min(self.d_max, days_k[k], self.max_per_type.get(k, H)))
            longer = mins is not None and int(mins[k]) != self.base_len and self.max_minutes is not None
            binding = self.max_per_type.get(k, H) < min(self.d_max, days_k[k])
            if cap > 0 and (binding or longer):
                wanted.append((cap, k))
        self.tracked: list[int] = []
        self.caps: list[int] = []
        size = 1
        for cap, k in sorted(wanted):
            if size * (cap + 1) <= max_counter_states:
                self.tracked.append(k)
                self.caps.append(cap)
                size *= cap + 1
        self.m = len(self.tracked)
        self.axis_of = {k: j for j, k in enumerate(self.tracked)}
        # Minutes are exact when every type not counted lasts the base length.
        self.minutes_exact = mins is None or all(int(mins[k]) == self.base_len or k in self.axis_of for k in range(K))
        self.counts_exact = all(k in self.axis_of or v >= min(self.d_max, days_k[k]) for k, v in self.max_per_type.items())
        # (target, source) index tuples over (counters..., days worked, weekends) for working type k
        # with or without a new weekend: one more day worked, one more k if counted.
        self._moves = [[self._move(k, ws) for ws in (0, 1)] for k in range(K)]
        r_idx = np.arange(self.R)[None, :, None]
        f_idx = np.arange(self.F)[None, None, :]
        self._may_end = np.broadcast_to((r_idx >= self.min_cons - 1) | (f_idx == 1), (K, self.R, self.F))
        self._valid_end = self._totals_allowed()[..., None]  # weekends: any count

    def _move(self, k: int, new_weekend: int) -> tuple[tuple, tuple]:
        dst: list[slice] = [slice(None)] * (self.m + 2)
        src: list[slice] = [slice(None)] * (self.m + 2)
        if k in self.axis_of:
            dst[self.axis_of[k]], src[self.axis_of[k]] = slice(1, None), slice(None, -1)
        dst[self.m], src[self.m] = slice(1, None), slice(None, -1)
        if new_weekend and self.track_weekends:
            dst[self.m + 1], src[self.m + 1] = slice(1, None), slice(None, -1)
        return tuple(dst), tuple(src)

    def _from_off_weekend(self, d: int) -> bool:
        """Working day d after a day off (or on day 0) starts a new weekend worked."""
        return bool(self.first_weekend_day[d] or self.second_weekend_day[d])

    def _endable(self, work: np.ndarray) -> np.ndarray:
        """Min over the work states whose run may end here: at least the minimum, or begun on day 0."""
        c = self.min_cons
        # (a minimum above the maximum: only a run begun on day 0 may end)
        m = work[:, c - 1:].min(axis=(0, 1, 2)) if c - 1 < self.R else np.full(work.shape[3:], INF)
        if self.F == 2 and c > 1:
            m = np.minimum(m, work[:, :c - 1, 1].min(axis=(0, 1)))
        return m

    def solve(self, cost: np.ndarray, extra: int = 2, off_forbidden: np.ndarray | None = None) -> DayPricingResult:
        """`cost[d, k]`: what working type k on day d adds (request costs less cover duals; inf: not
        allowed). `off_forbidden[d]`: the member must work on day d (a branching decision)."""
        offs, works = self._forward(cost, off_forbidden)
        return self._paths(offs, works, extra, cost)

    def _forward(self, cost: np.ndarray, off_forbidden: np.ndarray | None = None) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The cheapest cost of reaching every state, day by day."""
        H, K, R, F, O, W, N = self.H, self.K, self.R, self.F, self.O, self.W, self.d_max + 1
        cshape = tuple(c + 1 for c in self.caps)
        offs, works = [], []
        off = np.full((O, *cshape, N, W), INF)
        work = np.full((K, R, F, *cshape, N, W), INF)
        zero_c = (0,) * self.m
        if off_forbidden is None or not off_forbidden[0]:
            off[(O - 1, *zero_c, 0, 0)] = 0.0  # an off-run touching the start is free of the minimum
        w0 = 1 if self.track_weekends and self._from_off_weekend(0) else 0
        if N > 1 and w0 < W:
            for k in range(K):
                if self.allowed[0, k]:
                    cs = tuple(1 if kk == k else 0 for kk in self.tracked)
                    if all(c <= cap for c, cap in zip(cs, self.caps)):
                        work[(k, 0, self.start_flag, *cs, 1, w0)] = cost[0, k]
        offs.append(off)
        works.append(work)
        for d in range(1, H):
            new_off = np.full_like(off, INF)
            new_off[0] = self._endable(work)
            if O == 1:
                new_off[0] = np.minimum(new_off[0], off[0])
            else:
                new_off[1:] = off[:-1]
                new_off[O - 1] = np.minimum(new_off[O - 1], off[O - 1])
            new_work = np.full_like(work, INF)
            ws_off = 1 if self._from_off_weekend(d) else 0
            ws_run = 1 if self.first_weekend_day[d] else 0
            start = off[O - 1]
            pred_min: dict[bytes, np.ndarray] = {}  # members with the same predecessors share the min
            for k in range(K):
                if not self.allowed[d, k]:
                    continue
                c = cost[d, k]
                dst, src = self._moves[k][ws_off]
                new_work[k, 0, 0][dst] = start[src] + c
                preds = self.preds[k]
                if not len(preds):
                    continue
                key = preds.tobytes()
                if key not in pred_min:
                    pred_min[key] = work.min(axis=0) if len(preds) == K else work[preds].min(axis=0)
                pm = pred_min[key]
                dst, src = self._moves[k][ws_run]
                if R > 1:
                    new_work[k, 1:][(Ellipsis, *dst)] = pm[:R - 1][(Ellipsis, *src)] + c
                if self.capped_runs:
                    top = np.full(pm.shape[1:], INF)
                    top[(Ellipsis, *dst)] = pm[R - 1][(Ellipsis, *src)] + c
                    np.minimum(new_work[k, R - 1], top, out=new_work[k, R - 1])
            if off_forbidden is not None and off_forbidden[d]:
                new_off.fill(INF)
            off, work = new_off, new_work
            offs.append(off)
            works.append(work)
        return offs, works

    def _totals_allowed(self) -> np.ndarray:
        """(counters..., days worked) -> the totals keep the minutes and days rules."""
        grids = np.meshgrid(*[np.arange(c + 1) for c in self.caps], np.arange(self.d_max + 1), indexing="ij")
        n = grids[-1]
        if self.minutes is None or self.max_minutes is None and not self.min_minutes:
            return np.ones(n.shape, dtype=bool)
        total = self.base_len * n  # exact when every uncounted type lasts the base length, else a floor
        for j, k in enumerate(self.tracked):
            total = total + (int(self.minutes[k]) - self.base_len) * grids[j]
        # untracked longer types: the most the days can hold is what the minimum is checked against
        most = total if self.minutes_exact else n * int(self.minutes.max())
        ok = most >= self.min_minutes
        if self.max_minutes is not None:
            ok &= total <= self.max_minutes
        return ok

    def _paths(self, offs: list[np.ndarray], works: list[np.ndarray], extra: int, cost: np.ndarray) -> DayPricingResult:
        """The cheapest final states (at most `extra` + 1 distinct rosters), read back."""
        off, work, valid = offs[-1], works[-1], self._valid_end
        end_work = work if not self.binds_at_ends else work[:, self.min_cons - 1:]
        shift = 0 if not self.binds_at_ends else self.min_cons - 1
        o = np.where(valid, off, INF)
        w = np.where(valid, end_work, INF)
        flat = np.concatenate([o.ravel(), w.ravel()])
        take = min(flat.size, 4 * (extra + 1))
        if not take:
            return DayPricingResult(INF, [], True)
        idx = np.argpartition(flat, take - 1)[:take]
        idx = idx[np.argsort(flat[idx], kind="stable")]
        value = float(flat[idx[0]])
        if value == INF:
            return DayPricingResult(INF, [], True)
        rows: list[np.ndarray] = []
        seen: set[bytes] = set()
        exact = True
        for rank, i in enumerate(idx):
            if flat[i] == INF or len(rows) > extra:
                break
            if i < o.size:
                state = ("off", *map(int, np.unravel_index(int(i), o.shape)))
            else:
                t = list(map(int, np.unravel_index(int(i) - o.size, w.shape)))
                t[1] += shift
                state = ("work", *t)
            row = self._backtrack(tuple(state), offs, works)
            # A roster must cost what its final state says; anything else would be a DP bug, and
            # the caller then prices with CP-SAT instead of trusting it.
            keeps = self._keeps_unmodelled_rules(row) and abs(
                sum(cost[d, k] for d, k in enumerate(row) if k >= 0) - float(flat[i])) <= 1e-6 * max(1.0, abs(float(flat[i])))
            if rank == 0:
                exact = keeps
            if keeps and row.tobytes() not in seen:
                seen.add(row.tobytes())
                rows.insert(0, row)
        return DayPricingResult(value, rows, exact)

    def _predecessors(self, d: int, state: tuple, offs: list[np.ndarray], works: list[np.ndarray]) -> list[tuple[float, tuple]]:
        """(value on day d-1, state) of every state that leads to `state` on day d."""
        prev_off, prev_work = offs[d - 1], works[d - 1]
        O, R, c, m = self.O, self.R, self.min_cons, self.m
        if state[0] == "work":
            k, r, f = state[1:4]
            cs, n, w = list(state[4:4 + m]), state[4 + m], state[5 + m]
            if k in self.axis_of:
                cs[self.axis_of[k]] -= 1
            cands = []
            ws = 1 if self.track_weekends and self._from_off_weekend(d) else 0
            if r == 0 and f == 0 and w - ws >= 0:  # a run starting today, after a day off
                cands.append((prev_off[(O - 1, *cs, n - 1, w - ws)], ("off", O - 1, *cs, n - 1, w - ws)))
            ws = 1 if self.track_weekends and self.first_weekend_day[d] else 0
            # the run goes on from yesterday (at the top length, a capped run may also stay there)
            rs = ([r - 1] if r > 0 else []) + ([R - 1] if self.capped_runs and r == R - 1 else [])
            cands += [(prev_work[(k2, r2, f, *cs, n - 1, w - ws)], ("work", int(k2), r2, f, *cs, n - 1, w - ws))
                      for k2 in self.preds[k] for r2 in rs if w - ws >= 0 and n >= 1]
        else:
            i, rest = state[1], tuple(state[2:])
            if i == 0:  # yesterday ended a run that may end: the cheapest such (type, run, flag)
                ends = np.where(self._may_end, prev_work[(Ellipsis, *rest)], INF)
                j = np.unravel_index(int(np.argmin(ends)), ends.shape)
                cands = [(ends[j], ("work", int(j[0]), int(j[1]), int(j[2]), *rest))]
                if O == 1:
                    cands.append((prev_off[(0, *rest)], ("off", 0, *rest)))
            else:
                cands = [(prev_off[(i - 1, *rest)], ("off", i - 1, *rest))]
                if i == O - 1:
                    cands.append((prev_off[(i, *rest)], ("off", i, *rest)))
        return [(float(v), st) for v, st in cands if v < INF]

    def _backtrack(self, state: tuple, offs: list[np.ndarray], works: list[np.ndarray]) -> np.ndarray:
        """Follow the cheapest predecessors from a final state: the roster, type per day."""
        row = np.full(self.H, -1, dtype=np.int64)
        for d in range(self.H - 1, 0, -1):
            if state[0] == "work":
                row[d] = state[1]
            state = min(self._predecessors(d, state, offs, works), key=lambda t: t[0])[1]
        if state[0] == "work":
            row[0] = state[1]
        return row

    def _keeps_unmodelled_rules(self, row: np.ndarray) -> bool:
        """The rules the DP may have relaxed: counts of untracked types, minutes of untracked lengths."""
        worked = row[row >= 0]
        if not self.counts_exact:
            for k, limit in self.max_per_type.items():
                if int(np.sum(worked == k)) > limit:
                    return False
        if not self.minutes_exact and self.minutes is not None:
            total = int(self.minutes[worked].sum()) if worked.size else 0
            if self.max_minutes is not None and total > self.max_minutes:
                return False
            if total < self.min_minutes:
                return False
        return True

    def enumerate(self, cost: np.ndarray, threshold: float, limit: int,
                  off_forbidden: np.ndarray | None = None) -> list[np.ndarray] | None:
        """Every roster keeping every rule whose cost is at most `threshold`, or None if there are more
        than `limit` (counted before the rules the DP relaxes are checked).

        Why: with a Lagrangian bound L and a target T, a roster costing at most T uses, for every
        member, a roster within T - L of that member's pricing minimum; when the gap is small these
        are few, and choosing among them is an exact search. A walk back from the final states,
        pruned by the forward values (the cheapest way to reach each state), visits only prefixes
        that can still end within the threshold. `cost` and `off_forbidden` as in `solve`."""
        offs, works = self._forward(cost, off_forbidden)
        off, work, valid = offs[-1], works[-1], self._valid_end
        shift = 0 if not self.binds_at_ends else self.min_cons - 1
        end_work = work if not self.binds_at_ends else work[:, shift:]
        eps = 1e-9 * max(1.0, abs(threshold))
        stack: list[tuple[int, tuple, float, tuple]] = []  # (day, state, cost of later days, later types)
        for i in np.argwhere(np.where(valid, off, INF) <= threshold + eps):
            stack.append((self.H - 1, ("off", *map(int, i)), 0.0, ()))
        for i in np.argwhere(np.where(valid, end_work, INF) <= threshold + eps):
            t = list(map(int, i))
            t[1] += shift
            stack.append((self.H - 1, ("work", *t), 0.0, ()))
        out: list[np.ndarray] = []
        found = 0
        # The walk reaches the same (day, state) once per suffix; its predecessors depend on neither,
        # so they are read once (Instance7's nodes: ~30 walks per state).
        memo: dict[tuple[int, tuple], list[tuple[float, tuple]]] = {}
        while stack:
            d, state, later, tail = stack.pop()
            k = state[1] if state[0] == "work" else -1
            here = float(cost[d, k]) if k >= 0 else 0.0
            tail = (k, *tail)
            if d == 0:
                found += 1
                if found > limit:
                    return None
                row = np.array(tail, dtype=np.int64)
                if self._keeps_unmodelled_rules(row):
                    out.append(row)
                continue
            preds = memo.get((d, state))
            if preds is None:
                preds = memo[d, state] = self._all_predecessors(d, state, offs, works)
            for value, prev in preds:
                if value + here + later <= threshold + eps:
                    stack.append((d - 1, prev, later + here, tail))
        return out

    def _all_predecessors(self, d: int, state: tuple, offs: list[np.ndarray], works: list[np.ndarray]) -> list[tuple[float, tuple]]:
        """`_predecessors`, with every run that may end yesterday before a first day off (not only
        the cheapest)."""
        if state[0] == "work" or state[1] != 0:
            return self._predecessors(d, state, offs, works)
        rest = tuple(state[2:])
        ends = np.where(self._may_end, works[d - 1][(Ellipsis, *rest)], INF)
        cands = [(float(ends[tuple(j)]), ("work", *map(int, j), *rest)) for j in np.argwhere(ends < INF)]
        if self.O == 1 and offs[d - 1][(0, *rest)] < INF:
            cands.append((float(offs[d - 1][(0, *rest)]), ("off", 0, *rest)))
        return cands
