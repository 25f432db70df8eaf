"""The day loop: arrivals, the coordinator's daily batch (the REAL engine), sessions, closures,
escalations and sick leave, for one replication.

Timeline of simulated day ``t`` (date ``start + t``), in this order:

1. Sick leave starts (drawn per expert); sessions it cancels send their cases back to the queue.
2. The coordinator's batch: :func:`matcher.assignment.solve_assignment` (or the greedy baseline) on
   the waiting cases, with every announced future session kept as it is (a reserved line), over
   ``horizon_days`` from today.
   Experts' ``open_cases`` are the cases they hold after a session and before closing, so capacity
   is freed exactly when a case closes. Judges sit where the (repeated) rotation calendar puts them.
3. Sessions dated today happen: service starts (at ``t`` for a morning, ``t + 0.5`` for an
   afternoon, or at the batch when cases need no session) and lasts an exponential time.
4. Cases whose service ends before ``t + 1`` close: resolved with the category's probability,
   otherwise escalated to the parent center (上下贯通) as a new attempt, or closed unresolved.
5. Today's arrivals join the queue (the next morning's batch sees them).

A waiting case past its time limit stays servable: the solver sees its deadline moved to the end of
the horizon (the real deadline is kept for the KPIs).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from matcher.assignment import ObjectiveWeights, SolveParams, solve_assignment
from matcher.domain import AssignmentLine, AssignmentRequest, Case, DateRange, HalfDay, Role, RotationSlot, Scenario, TimeSlot
from matcher.network import travel_times

from .arrivals import ArrivalProcess, CaseFactory, RandomStreams
from .params import SimulationParams

ASSIGNERS = ("engine", "greedy")
#: How announced sessions enter the next morning's batch: as reserved lines (resources held, the
#: default: same plans, a much smaller model) or as pins (each re-derived through the pruning).
ANNOUNCED = ("reserved", "pinned")


@dataclass
class CaseRecord:
    """One dispute through all its attempts (the case id of the current attempt changes on escalation)."""

    first_id: str
    category: object
    arrived: float  # simulation time (days from start) of arrival
    deadline_t: float  # end of the deadline day, in simulation time
    industry: bool
    case: Case  # the current attempt
    attempt: int = 0
    first_session: float | None = None
    first_lead_role: Role | None = None
    closed: float | None = None
    resolved: bool = False
    escalations: int = 0
    unassigned_days: int = 0
    key: tuple[int, int] = (0, 0)  # (arrival day, index among that day's arrivals): its random numbers


@dataclass
class _Active:
    record: CaseRecord
    line: AssignmentLine | None = None  # announced, session not yet held
    experts: tuple[str, ...] = ()
    close_at: float | None = None  # in service until then
    assigned_t: float | None = None  # when the current team took the case onto its docket
    u_resolve: float = 0.0  # this attempt's outcome draw (resolved if below the resolution probability)


@dataclass
class ReplicationTrace:
    """Everything a replication produced that the KPIs are computed from."""

    days: int
    records: list[CaseRecord]
    backlog: list[int]  # open cases (waiting + scheduled + in service) at the end of each day
    waiting: list[int]  # cases without a line after each day's batch
    travel_minutes: list[float]  # per in-person seat of a held session (judges excluded)
    expert_cases: dict[str, int]  # lines per expert over the run
    mediator_loads: list[int]  # lines per full-time or industry mediator (zeros included)
    docket: np.ndarray  # (n, 3) float rows (expert index, from, to): a case on the expert's docket
    expert_roles: list[str]
    expert_centers: list[str]
    expert_capacity: np.ndarray  # max_open_cases per expert
    judge_halfdays_used: int
    judge_halfdays_scheduled: int
    judge_halfdays_needed: float
    solve_seconds: float
    solves: int
    solver_status: dict[str, int] = field(default_factory=dict)


def repeated_rotation(scenario: Scenario, start: dt.date, days: int, weeks: int | None) -> dict[dt.date, list[RotationSlot]]:
    """The published calendar repeated every ``weeks`` weeks (default: its own span) over the run
    (ASSUMPTION: the court keeps its published pattern)."""
    if not scenario.rotation:
        return {}
    first = min(r.slot.date for r in scenario.rotation)
    monday = first - dt.timedelta(days=first.weekday())
    span = weeks or ((max(r.slot.date for r in scenario.rotation) - monday).days // 7 + 1)
    pattern = [(r, (r.slot.date - monday).days % (7 * span)) for r in scenario.rotation
               if (r.slot.date - monday).days < 7 * span]
    out: dict[dt.date, list[RotationSlot]] = defaultdict(list)
    period = 7 * span
    base = start - dt.timedelta(days=start.weekday())
    for k in range(-1, days // period + 2):
        for r, offset in pattern:
            d = base + dt.timedelta(days=k * period + offset)
            if start <= d < start + dt.timedelta(days=days + 92):
                out[d].append(RotationSlot(judge=r.judge, center=r.center, slot=TimeSlot(date=d, half=r.slot.half)))
    return out


class DaySimulator:
    """One replication of the day loop (see the module docstring)."""

    def __init__(
        self,
        scenario: Scenario,
        params: SimulationParams,
        streams: RandomStreams,
        weights: ObjectiveWeights | None = None,
        *,
        start: dt.date | None = None,
        assigner: str = "engine",
        solve_seed: int = 0,
        warm_cases: int = 0,
        announced: str = "reserved",
    ) -> None:
        if assigner not in ASSIGNERS:
            raise ValueError(f"assigner must be one of {ASSIGNERS}, got {assigner!r}")
        if announced not in ANNOUNCED:
            raise ValueError(f"announced must be one of {ANNOUNCED}, got {announced!r}")
        self.announced = announced
        self.base = scenario.model_copy(update={"cases": ()}) if scenario.cases else scenario
        self.params = params
        self.rng = streams
        self.weights = weights or ObjectiveWeights()
        self.start = start or scenario.today
        self.assigner = assigner
        self.solve_params = SolveParams(time_limit_s=params.time_limit_s, workers=params.workers, seed=solve_seed,
                                        relaxation_min_cases=params.relaxation_min_cases)
        self.arrivals = ArrivalProcess(scenario, params)
        self.factory = CaseFactory(scenario, params)
        self.experts = list(scenario.experts)
        self.expert_index = {e.id: i for i, e in enumerate(self.experts)}
        self.held = np.zeros(len(self.experts), dtype=np.int64)  # cases after session, before closing
        # Sessions each expert held earlier in the current ISO week: the morning batch must count them
        # against max_sessions_per_week (they are no longer in the plan it is given).
        self.week_sessions = np.zeros(len(self.experts), dtype=np.int64)
        self._week: tuple[int, int] | None = None
        self.leave: dict[str, list[DateRange]] = defaultdict(list)
        self.leave_until = np.full(len(self.experts), -1, dtype=np.int64)  # last leave day (sim day index)
        self.active: dict[str, _Active] = {}  # by current case id
        self.docket: list[tuple[int, float, float]] = []
        self.records: list[CaseRecord] = []
        self.travel = travel_times(scenario)
        self._expert_cache: dict[tuple[int, int, int, int], object] = {}
        self.warm_cases = warm_cases
        self.failures: list[tuple[dt.date, str, str]] = []  # (day, status, reason) of batches without a plan

    # -- helpers -------------------------------------------------------------------------------------
    def _t(self, day: dt.date) -> int:
        return (day - self.start).days

    def _date(self, t: int) -> dt.date:
        return self.start + dt.timedelta(days=t)

    def _add_case(self, case: Case, arrived: float, record: CaseRecord | None = None, key: tuple[int, int] = (0, 0)) -> None:
        if record is None:
            deadline_t = self._t(case.deadline) + 1.0
            record = CaseRecord(first_id=case.id, category=case.category, arrived=arrived, deadline_t=deadline_t,
                                industry=case.category.value in _INDUSTRY, case=case, key=key)
            self.records.append(record)
        record.case = case
        self.active[case.id] = _Active(record)

    def _expert_view(self, i: int, day: dt.date, horizon_end: dt.date):
        e = self.experts[i]
        leave = tuple(r for r in self.leave.get(e.id, ()) if r.end >= day and r.start <= horizon_end)
        key = (i, int(self.held[i]), int(self.week_sessions[i]), hash(leave))
        cached = self._expert_cache.get(key)
        if cached is None:
            cached = e.model_copy(update={"open_cases": min(int(self.held[i]), e.max_open_cases),
                                          "sessions_this_week": int(self.week_sessions[i]),
                                          "leave": e.leave + leave})
            self._expert_cache[key] = cached
        return cached

    # -- the day ---------------------------------------------------------------------------------------
    def run(self, days: int, progress=None) -> ReplicationTrace:  # type: ignore[no-untyped-def]
        p = self.params
        rotation = repeated_rotation(self.base, self.start, days, p.judge_rotation_weeks)
        backlog, waiting_series, travel = [], [], []
        expert_cases: dict[str, int] = defaultdict(int)
        judge_used: set[tuple[str, dt.date, HalfDay]] = set()
        solve_seconds, solves = 0.0, 0
        status: dict[str, int] = defaultdict(int)
        if self.warm_cases:
            self._arrive(-1, limit=self.warm_cases)
        for t in range(days):
            day = self._date(t)
            horizon_end = day + dt.timedelta(days=p.horizon_days - 1)
            week = tuple(day.isocalendar())[:2]
            if week != self._week:
                self._week = week
                self.week_sessions[:] = 0
            self._sick_leave(t, day)
            # 2. the coordinator's batch
            waiting = [a for a in self.active.values() if a.line is None and a.close_at is None]
            pinned = [a for a in self.active.values() if a.line is not None]
            if waiting:
                lines, st, secs = self._batch(day, horizon_end, waiting, pinned, rotation)
                solves += 1
                solve_seconds += secs
                status[st] += 1
                for line in lines:
                    act = self.active[line.case]
                    if act.line is None:
                        act.line = line
                        if act.assigned_t is None:
                            act.assigned_t = float(t)
                        for x in line.experts:
                            expert_cases[x] += 1
            unassigned_now = 0
            for act in self.active.values():
                if act.line is None and act.close_at is None:
                    act.record.unassigned_days += 1
                    unassigned_now += 1
            waiting_series.append(unassigned_now)
            # 3. sessions today
            for act in list(self.active.values()):
                line = act.line
                if line is None:
                    continue
                if line.slot is not None and line.slot.date != day:
                    continue
                start_t = float(t) + (0.5 if line.slot is not None and line.slot.half == HalfDay.PM else 0.0)
                rec = act.record
                if rec.first_session is None:
                    rec.first_session = start_t
                    rec.first_lead_role = self.experts[self.expert_index[line.team[0].expert]].role
                case = rec.case
                for seat in line.team:
                    e = self.experts[self.expert_index[seat.expert]]
                    if line.slot is not None and not line.online and e.role != Role.JUDGE:
                        travel.append(self.travel.minutes(e.home_center, case.center))
                    if e.role == Role.JUDGE and line.slot is not None:
                        judge_used.add((e.id, day, line.slot.half))
                    self.held[self.expert_index[seat.expert]] += 1
                    if line.slot is not None:
                        self.week_sessions[self.expert_index[seat.expert]] += 1
                act.experts = line.experts
                g = self.rng.case(rec.key[0], rec.key[1], rec.attempt)
                act.close_at = start_t + float(g.exponential(p.mean_service_days(case.category)))
                act.u_resolve = float(g.random())
                act.line = None
            # 4. closures
            self._close(t)
            # 5. arrivals
            self._arrive(t)
            backlog.append(len(self.active))
            if progress is not None:
                progress(t, days, len(self.active))
        for act in self.active.values():  # still on a docket when the run ends
            team = act.experts if act.close_at is not None else (act.line.experts if act.line else ())
            if act.assigned_t is not None:
                self.docket.extend((self.expert_index[x], act.assigned_t, float(days)) for x in team)
        sched = sum(len(v) for d, v in rotation.items() if self.start <= d < self._date(days))
        needed = sum(c.judge_halfdays_per_week for c in self.base.centers) * days / 7.0
        return ReplicationTrace(
            days=days, records=self.records, backlog=backlog, waiting=waiting_series, travel_minutes=travel,
            expert_cases=dict(expert_cases),
            mediator_loads=[expert_cases.get(e.id, 0) for e in self.experts
                            if e.role in (Role.MEDIATOR, Role.INDUSTRY_MEDIATOR)],
            docket=np.array(self.docket, dtype=float).reshape(-1, 3),
            expert_roles=[e.role.value for e in self.experts], expert_centers=[e.home_center for e in self.experts],
            expert_capacity=np.array([e.max_open_cases for e in self.experts], dtype=float),
            judge_halfdays_used=len(judge_used), judge_halfdays_scheduled=sched, judge_halfdays_needed=needed,
            solve_seconds=solve_seconds, solves=solves, solver_status=dict(status),
        )

    def _arrive(self, t: int, limit: int | None = None) -> None:
        day = self._date(t)
        shapes = self.rng.day("cases", t)
        for i, a in enumerate(self.arrivals.draw(day, self.rng.day("arrivals", t))[:limit]):
            self._add_case(self.factory.make(a, day, shapes), t + a.time, key=(t, i))

    def _sick_leave(self, t: int, day: dt.date) -> None:
        p = self.params
        n = len(self.experts)
        # Fixed draws per day whatever the state: the leave stream stays aligned across variants of
        # the same size.
        u = self.rng.day("leave", t).random(n)
        length = (self.rng.day("leave_length", t).geometric(1.0 / p.sick_leave_days, n)
                  if p.sick_leave_days >= 1 else np.ones(n, int))
        starts = np.flatnonzero((u < p.sick_leave_rate) & (self.leave_until < t))
        if len(starts) == 0:
            return
        sick: dict[str, DateRange] = {}
        for i in starts:
            end = day + dt.timedelta(days=int(length[i]) - 1)
            r = DateRange(start=day, end=end)
            self.leave[self.experts[i].id].append(r)
            self.leave_until[i] = t + int(length[i]) - 1
            sick[self.experts[i].id] = r
        # Announced sessions the sick expert cannot attend go back to the queue.
        for act in self.active.values():
            line = act.line
            if line is None or line.slot is None:
                continue
            if any(x in sick and sick[x].contains(line.slot.date) for x in line.experts):
                self.docket.extend((self.expert_index[x], act.assigned_t, float(t)) for x in line.experts)
                act.line, act.assigned_t = None, None

    def _batch(self, day, horizon_end, waiting, pinned, rotation):  # type: ignore[no-untyped-def]
        scen, request = self.snapshot(day, horizon_end, waiting, pinned, rotation)
        t0 = time.perf_counter()
        lines, status = self.assign(scen, request)
        return lines, status, time.perf_counter() - t0

    def snapshot(self, day, horizon_end, waiting, pinned, rotation) -> tuple[Scenario, AssignmentRequest]:  # type: ignore[no-untyped-def]
        """The world as the coordinator sees it this morning, and the batch request (announced
        sessions kept as they are: reserved lines, or pins)."""
        p = self.params
        cases = []
        for act in waiting + pinned:
            case = act.record.case
            if case.deadline < horizon_end:
                case = case.model_copy(update={"deadline": horizon_end})
            cases.append(case)
        experts = tuple(self._expert_view(i, day, horizon_end) for i in range(len(self.experts)))
        rot = tuple(r for k in range(p.horizon_days) for r in rotation.get(day + dt.timedelta(days=k), ()))
        scen = Scenario.model_construct(**{**{k: getattr(self.base, k) for k in Scenario.model_fields}, "today": day,
                                           "cases": tuple(cases), "experts": experts, "rotation": rot})
        # Reserved lines' cases stay in the scenario (for the checker) but not among the cases to plan.
        reserved = self.announced == "reserved"
        planned = cases[:len(waiting)] if reserved else cases
        request = AssignmentRequest(cases=tuple(c.id for c in planned), horizon_start=day, horizon_days=p.horizon_days,
                                    **{"reserved" if reserved else "pins": tuple(a.line for a in pinned)})
        return scen, request

    def assign(self, scen: Scenario, request: AssignmentRequest) -> tuple[tuple[AssignmentLine, ...], str]:
        """The coordinator's batch: the real engine (or the greedy baseline) → lines and a status."""
        if self.assigner == "greedy":
            from matcher.assignment.greedy import greedy_assignment

            return tuple(greedy_assignment(scen, request).lines), "greedy"
        result = solve_assignment(scen, request, self.weights, self.solve_params)
        if not result.ok:
            # Pins that no longer hold together (should not happen): keep the announced lines.
            self.failures.append((scen.today, result.status.value, result.reason))
            return (), result.status.value
        return result.lines, result.status.value

    def _close(self, t: int) -> None:
        p = self.params
        by_center = self.base.center_by_id
        for cid, act in list(self.active.items()):
            if act.close_at is None or act.close_at >= t + 1:
                continue
            rec = act.record
            for x in act.experts:
                self.held[self.expert_index[x]] -= 1
                self.docket.append((self.expert_index[x], act.assigned_t, act.close_at))
            del self.active[cid]
            lead = rec.first_lead_role or Role.MEDIATOR
            if act.u_resolve < p.p_resolve(rec.case.category, lead):
                rec.closed, rec.resolved = act.close_at, True
                continue
            parent = by_center[rec.case.center].parent
            if rec.escalations >= p.max_escalations or parent is None:
                rec.closed = act.close_at
                continue
            rec.escalations += 1
            rec.attempt += 1
            roles = rec.case.needs_roles
            if Role.JUDGE in roles and by_center[parent].judge_halfdays_per_week == 0:
                roles = tuple(r for r in roles if r != Role.JUDGE)
            new = rec.case.model_copy(update={"id": f"{rec.first_id}-e{rec.escalations}", "center": parent,
                                              "needs_roles": roles, "excluded_experts": (),
                                              "previous_experts": ()})
            self._add_case(new, rec.arrived, rec)


_INDUSTRY = {"commercial", "medical", "intellectual_property", "marriage_family", "road_traffic", "labor"}
