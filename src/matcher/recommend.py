"""Single-case recommendations: the best few teams for one urgent case, each with its earliest slot.

A coordinator asks "who can take this case, and when?" while the day's plan already exists. The
:class:`Recommender` indexes that plan once (every expert's load, busy half-days, sessions per week,
rooms in use, the judges' rotation) and answers each case with vectorised masks over the whole pool,
so a query against thousands of experts takes milliseconds.

Feasibility uses the engine's own named masks (:mod:`matcher.assignment.candidates`): a team the
recommender offers is one the batch solve could choose for that case given the plan (tested with the
independent checker). Costs use the engine's objective formulas per line (proficiency, travel,
urgency, waiting, continuity; see :class:`~matcher.assignment.config.ObjectiveWeights`) plus the
balance weight times each member's load share, so lightly loaded experts come first on ties.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from matcher.assignment.candidates import (
    availability_matrix,
    conflict_of_interest_mask,
    deadline_slots,
    judge_rotation_slots,
    location_modes,
    opening_slots,
)
from matcher.assignment.config import ObjectiveWeights
from matcher.domain import AssignmentLine, AssignmentRequest, Case, Role, Scenario, Seat, TimeSlot
from matcher.network import travel_times

_RISK_FACTOR = {"low": 1, "medium": 3, "high": 10}


@dataclass(frozen=True)
class Recommendation:
    """One team for the case with its earliest feasible session, and its cost broken down by term."""

    line: AssignmentLine
    cost: float
    terms: dict[str, float]


@dataclass(frozen=True)
class RecommendResult:
    case: str
    recommendations: tuple[Recommendation, ...]
    reasons: tuple[str, ...] = ()  # why there is none (empty when there are recommendations)
    seconds: float = 0.0


@dataclass
class _SeatPool:
    role: Role
    experts: np.ndarray  # pool indices
    cost: np.ndarray  # seat cost per expert in `experts`
    slots: np.ndarray  # (len(experts), n_slots) bool: this expert can sit in the session at that slot
    travel: np.ndarray
    short: np.ndarray  # proficiency points short of 5
    miss: np.ndarray  # continuity misses (0/1)


@dataclass
class Recommender:
    """An index of the current plan that answers single-case queries quickly.

    ``lines`` are everything already decided (announced pins and proposed lines); the horizon is
    ``horizon_days`` from ``horizon_start`` (default: the scenario's today), as in a batch request.
    """

    scenario: Scenario
    lines: Sequence[AssignmentLine] = ()
    horizon_start: dt.date | None = None
    horizon_days: int = 10
    weights: ObjectiveWeights = field(default_factory=ObjectiveWeights)
    team_candidates_per_seat: int = 6

    def __post_init__(self) -> None:
        s = self.scenario
        self.request = AssignmentRequest(horizon_start=self.horizon_start, horizon_days=self.horizon_days)
        self.start = self.horizon_start or s.today
        self.slots: tuple[TimeSlot, ...] = self.request.slots(s.today)
        self.slot_pos = {slot: k for k, slot in enumerate(self.slots)}
        self.slot_days = np.fromiter((x.date.toordinal() for x in self.slots), np.int64, len(self.slots))
        self.experts = s.experts
        self.index = {e.id: i for i, e in enumerate(self.experts)}
        n = len(self.experts)
        self.is_judge = np.fromiter((e.role == Role.JUDGE for e in self.experts), bool, n)
        self.online_capable = np.fromiter((e.online_capable for e in self.experts), bool, n)
        self.max_travel = np.fromiter((e.max_travel_minutes for e in self.experts), np.float64, n)
        self.max_open = np.fromiter((e.max_open_cases for e in self.experts), np.int64, n)
        self.load = np.fromiter((e.open_cases for e in self.experts), np.int64, n)
        self.travel = travel_times(s)
        self.home = np.fromiter((self.travel.index[e.home_center] for e in self.experts), np.int64, n)
        self.available = availability_matrix(self.experts, self.slots)
        self.busy = np.zeros_like(self.available)
        weeks = [x.date.isocalendar()[:2] for x in self.slots]
        self.week_ids = sorted(set(weeks))
        self.week_of_slot = np.array([self.week_ids.index(w) for w in weeks], np.int64)
        self.sessions_left = np.repeat(
            np.fromiter((e.max_sessions_per_week for e in self.experts), np.int64, n)[:, None], len(self.week_ids), axis=1
        )
        today_week = tuple(s.today.isocalendar())[:2]
        if today_week in self.week_ids:  # sessions held earlier in today's week use up its limit
            held = np.fromiter((e.sessions_this_week for e in self.experts), np.int64, n)
            col = self.week_ids.index(today_week)
            self.sessions_left[:, col] = np.maximum(self.sessions_left[:, col] - held, 0)
        self.rooms_used: dict[tuple[str, int], set[int]] = defaultdict(set)
        self.rotation = judge_rotation_slots(s, self.slots, self.index)
        self.affiliated: dict[str, list[int]] = defaultdict(list)
        for i, e in enumerate(self.experts):
            for org in e.affiliations:
                self.affiliated[org].append(i)
        self._fill: dict[tuple[Role, str], np.ndarray] = {}
        self._speaks: dict[str, np.ndarray] = {}
        self._proficiency: dict[str, np.ndarray] = {}
        self._opening: dict[str, np.ndarray] = {}
        for line in self.lines:
            self.add(line)

    # -- the plan -------------------------------------------------------------------------------
    def add(self, line: AssignmentLine) -> None:
        """Record a decided line: its members' loads, busy slots, sessions and room."""
        members = [self.index[x] for x in line.experts]
        self.load[members] += 1
        if line.slot is not None and line.slot in self.slot_pos:
            k = self.slot_pos[line.slot]
            self.busy[members, k] = True
            self.sessions_left[members, self.week_of_slot[k]] -= 1
            if not line.online and line.room is not None:
                self.rooms_used[self.scenario.case_by_id[line.case].center, k].add(line.room)

    def remove(self, line: AssignmentLine) -> None:
        """Undo :meth:`add` for a line of the plan (to ask "what else could this case have had?")."""
        members = [self.index[x] for x in line.experts]
        self.load[members] -= 1
        if line.slot is not None and line.slot in self.slot_pos:
            k = self.slot_pos[line.slot]
            self.busy[members, k] = False
            self.sessions_left[members, self.week_of_slot[k]] += 1
            if not line.online and line.room is not None:
                self.rooms_used[self.scenario.case_by_id[line.case].center, k].discard(line.room)

    # -- cached per-category / per-language masks --------------------------------------------------
    def _can_fill(self, role: Role, case: Case) -> np.ndarray:
        key = (role, case.category.value)
        if key not in self._fill:
            self._fill[key] = np.fromiter((e.can_fill(role, case.category) for e in self.experts), bool, len(self.experts))
        return self._fill[key]

    def _speaks_language(self, language: str) -> np.ndarray:
        if language not in self._speaks:
            self._speaks[language] = np.fromiter((language in e.languages for e in self.experts), bool, len(self.experts))
        return self._speaks[language]

    def _shortfall(self, case: Case) -> np.ndarray:
        cat = case.category.value
        if cat not in self._proficiency:
            self._proficiency[cat] = np.fromiter(
                (5 - int(e.categories.get(case.category, 1)) for e in self.experts), np.float64, len(self.experts)
            )
        return self._proficiency[cat]

    def _open_slots(self, center: str) -> np.ndarray:
        if center not in self._opening:
            self._opening[center] = opening_slots(self.scenario, self.slots, center)
        return self._opening[center]

    # -- queries ----------------------------------------------------------------------------------
    def recommend(self, case: Case, k: int = 5) -> RecommendResult:
        """The best `k` teams for `case` (cheapest first), each at its earliest feasible slot."""
        import time

        t0 = time.perf_counter()
        if case.center not in self.scenario.center_by_id:
            return RecommendResult(case.id, (), (f"unknown center {case.center!r}",), time.perf_counter() - t0)
        reasons: list[str] = []
        options: list[Recommendation] = []
        minutes = self.travel.from_center(case.center)[self.home]
        in_person, online = location_modes(minutes, self.max_travel, self.is_judge, self.online_capable, case)
        window = deadline_slots(self.slot_days, self.start, case)
        rooms_total = self.scenario.center_by_id[case.center].rooms
        room_free = np.fromiter(
            (len(self.rooms_used.get((case.center, s), ())) < rooms_total for s in range(len(self.slots))), bool, len(self.slots)
        )
        modes = [(False, in_person, window & self._open_slots(case.center) & room_free)]
        if case.needs_session and case.online_allowed:
            modes.append((True, online, window))
        for is_online, reach, slot_mask in modes:
            pools = []
            for role in case.needs_roles:
                pool, why = self._seat_pool(case, role, reach, slot_mask, is_online, minutes)
                if pool is None:
                    reasons.append(f"{'online' if is_online else 'in person'}: {why}")
                    break
                pools.append(pool)
            else:
                found = self._teams(case, pools, is_online, k)
                if not found:
                    reasons.append(f"{'online' if is_online else 'in person'}: no common free slot for a full team before {case.deadline}")
                options.extend(found)
        options.sort(key=lambda r: (r.cost, r.line.slot.ordinal if r.line.slot else 0))
        seen: set[tuple[str, ...]] = set()
        best: list[Recommendation] = []
        for r in options:  # one entry per team: its cheapest mode/slot
            key = tuple(sorted(r.line.experts))
            if key not in seen:
                seen.add(key)
                best.append(r)
            if len(best) == k:
                break
        return RecommendResult(case.id, tuple(best), () if best else tuple(reasons), time.perf_counter() - t0)

    def _seat_pool(self, case: Case, role: Role, reach: np.ndarray, slot_mask: np.ndarray, is_online: bool, minutes: np.ndarray):  # type: ignore[no-untyped-def]
        """Every expert who could take this seat, each with the slots they could sit in; or why none."""
        n = len(self.experts)
        steps = [
            (self._can_fill(role, case), f"no {role.value} covers {case.category.value}"),
            (self._speaks_language(case.language), f"no {role.value} for {case.category.value} speaks {case.language}"),
            (conflict_of_interest_mask(n, self.index, self.affiliated, case), f"every {role.value} left is excluded or affiliated with a party"),
            (self.load < self.max_open, f"every {role.value} left is at max_open_cases"),
            (reach, f"no {role.value} left within travel reach" + ("" if case.online_allowed else " (case does not allow online)")),
        ]
        mask = np.ones(n, bool)
        for m, why in steps:
            mask &= m
            if not mask.any():
                return None, why
        pool = np.flatnonzero(mask)
        if case.needs_session:
            slots = self.available[pool] & ~self.busy[pool] & slot_mask[None, :]
            slots &= self.sessions_left[pool][:, self.week_of_slot] > 0
            judges = self.is_judge[pool]
            if judges.any():
                for row in np.flatnonzero(judges):
                    slots[row] &= self.rotation.get((int(pool[row]), case.center), np.zeros(len(self.slots), bool))
            has_slot = slots.any(axis=1)
            if not has_slot.any():
                return None, f"no {role.value} left is free (available, not booked, rotated there if a judge) in a slot before {case.deadline}"
            pool, slots = pool[has_slot], slots[has_slot]
        else:
            slots = np.zeros((len(pool), 0), bool)
        w = self.weights
        travel = np.where(self.is_judge[pool], 0.0, w.online_minutes if is_online else minutes[pool])
        short = self._shortfall(case)[pool]
        preferred = [self.index[x] for x in (*case.preferred_experts, *case.previous_experts) if x in self.index]
        # Continuity counts only on cases naming someone (as in the engine); vectorised, it is on the hot path.
        miss = (~np.isin(pool, preferred)).astype(np.float64) if preferred else np.zeros(len(pool))
        load_share = self.load[pool] / self.max_open[pool]
        cost = w.proficiency * short + w.travel * travel + w.continuity * miss + w.balance * load_share
        return _SeatPool(role, pool, cost, slots, travel, short, miss), ""

    def _teams(self, case: Case, pools: list[_SeatPool], is_online: bool, k: int) -> list[Recommendation]:
        """The ``k`` cheapest teams of this mode. Each seat offers its ``team_candidates_per_seat``
        cheapest experts, ranked by seat cost plus the slot cost of their own earliest free half-day (a
        lower bound of what they add to a team, exact for one-seat cases)."""
        m = max(self.team_candidates_per_seat, k)
        age = max(0, (self.start - case.received.date()).days)  # as the engine's waiting term
        risk = _RISK_FACTOR[case.risk.value]
        w = self.weights
        per_half_day = w.urgency * risk + w.waiting * age / 10
        tops = []
        for p in pools:
            key = p.cost + (per_half_day * np.argmax(p.slots, axis=1) if case.needs_session else 0.0)
            tops.append(np.argsort(key, kind="stable")[:m])
        found = []  # (cost, slot, members, combo) — lines are built for the k cheapest only
        for combo in itertools.product(*tops):
            members = tuple(int(p.experts[r]) for p, r in zip(pools, combo))
            if len(set(members)) < len(members):
                continue
            slot_idx = None
            if case.needs_session:
                common = pools[0].slots[combo[0]]
                for p, r in zip(pools[1:], combo[1:]):
                    common = common & p.slots[r]
                slot_idx = int(np.argmax(common))
                if not common[slot_idx]:
                    continue
            cost = sum(float(p.cost[r]) for p, r in zip(pools, combo)) + (per_half_day * slot_idx if slot_idx else 0.0)
            found.append((round(cost, 6), slot_idx or 0, members, combo, slot_idx))
        found.sort(key=lambda f: (f[0], f[1]))
        out = []
        for cost, _, members, combo, slot_idx in found[:k]:
            terms = {
                "proficiency": float(sum(p.short[r] for p, r in zip(pools, combo))),
                "travel": float(sum(p.travel[r] for p, r in zip(pools, combo))),
                "continuity": float(sum(p.miss[r] for p, r in zip(pools, combo))),
                "urgency": float(risk * slot_idx) if slot_idx is not None else 0.0,
                "waiting": float(age * slot_idx / 10) if slot_idx is not None else 0.0,
                "load_share": float(sum(self.load[i] / self.max_open[i] for i in members)),
            }
            room = None
            if slot_idx is not None and not is_online:
                used = self.rooms_used.get((case.center, slot_idx), set())
                room = next(r for r in range(self.scenario.center_by_id[case.center].rooms) if r not in used)
            line = AssignmentLine(
                case=case.id,
                team=tuple(Seat(role=p.role, expert=self.experts[i].id) for p, i in zip(pools, members)),
                slot=self.slots[slot_idx] if slot_idx is not None else None,
                room=room,
                online=is_online and slot_idx is not None,
            )
            out.append(Recommendation(line, cost, terms))
        return out


def recommend(scenario: Scenario, case: Case, lines: Iterable[AssignmentLine] = (), k: int = 5, **kwargs) -> RecommendResult:  # type: ignore[no-untyped-def]
    """One-shot convenience: index `lines` and recommend for `case` (build a Recommender to reuse)."""
    return Recommender(scenario, tuple(lines), **kwargs).recommend(case, k)
