"""The day loop: what the engine plans each morning is valid, and the dispute life cycle holds."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from matcher.assignment import ObjectiveWeights
from matcher.checker import check_assignment
from matcher.domain import Role, Scenario
from matcher.scenarios import load_scenario
from matcher.simulation import SimulationParams, simulate
from matcher.simulation.arrivals import RandomStreams
from matcher.simulation.engine import CaseRecord, DaySimulator, ReplicationTrace
from matcher.simulation.kpis import expert_utilization, replication_kpis, utilization_grid

from .conftest import WEEK


class CheckedDays(DaySimulator):
    """The simulator with every daily plan run through the independent checker, and the sick-leave
    invariant checked after each day's leave is drawn."""

    def __init__(self, *a, **k) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*a, **k)
        self.checked, self.lines_by_role, self.announced = 0, {r: 0 for r in Role}, 0

    def assign(self, scen, request):  # type: ignore[no-untyped-def]
        lines, status = super().assign(scen, request)
        report = check_assignment(scen, request, lines)
        assert report.ok, (scen.today, [v.message for v in report.violations[:5]])
        announced = request.pins + request.reserved
        assert set(announced) <= set(lines)  # announced sessions kept, unchanged
        self.announced += len(announced)
        self.checked += 1
        for line in lines:
            for seat in line.team:
                self.lines_by_role[seat.role] += 1
        return lines, status

    def _sick_leave(self, t, day):  # type: ignore[no-untyped-def]
        super()._sick_leave(t, day)
        for act in self.active.values():
            if act.line is None or act.line.slot is None:
                continue
            for x in act.line.experts:
                assert not any(r.contains(act.line.slot.date) for r in self.leave.get(x, ())), (x, act.line.slot)


@pytest.mark.parametrize("announced", ["reserved", "pinned"])
def test_every_morning_plan_passes_the_independent_checker(announced) -> None:
    params = SimulationParams(time_limit_s=1.0, sick_leave_rate=0.03, judge_share=0.3, judge_load_cap=None,
                              arrival_scale=2.0)
    sim = CheckedDays(load_scenario("sajin"), params, RandomStreams(4, 0), announced=announced)
    trace = sim.run(12)
    assert sim.checked >= 10 and sim.announced > 0  # later mornings planned around announced sessions
    assert sim.lines_by_role[Role.JUDGE] > 0  # judges' rotation half-days were exercised
    assert sum(len(v) for v in sim.leave.values()) > 0  # and sick leave
    # Judges only sat on half-days of the repeated rotation calendar.
    assert trace.judge_halfdays_used <= trace.judge_halfdays_scheduled


class SessionLog(DaySimulator):
    """The simulator, remembering every distinct session line the morning batches announced."""

    def __init__(self, *a, **k) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*a, **k)
        self.sessions: set[tuple[str, object, tuple[str, ...]]] = set()

    def assign(self, scen, request):  # type: ignore[no-untyped-def]
        lines, status = super().assign(scen, request)
        assert check_assignment(scen, request, lines).ok
        self.sessions.update((ln.case, ln.slot, ln.experts) for ln in lines if ln.slot is not None)
        return lines, status


def test_sessions_held_earlier_in_the_week_count_against_the_weekly_limit() -> None:
    # One mediator, at most 3 sessions a week, more cases than that. Each morning's plan no longer
    # holds the sessions already held this week, so the batch must be told of them: over three weeks
    # no ISO week may carry more than 3 sessions (without the count, later mornings refill the week).
    world = escalation_world()
    world = world.model_copy(update={"experts": (world.experts[1].model_copy(update={"max_sessions_per_week": 3}),),
                                     "arrivals": world.arrivals})
    params = SimulationParams(weekly_pattern=(1,) * 7, peaks=(), resolution={"neighbor": 1.0}, sick_leave_rate=0.0,
                              service_days={"neighbor": 0.5}, horizon_days=5, time_limit_s=1.0)
    sim = SessionLog(world, params, RandomStreams(3, 0), assigner="engine")
    sim.run(21)
    per_week: dict[tuple[int, int], int] = {}
    for _case, slot, _team in sim.sessions:
        week = tuple(slot.date.isocalendar())[:2]
        per_week[week] = per_week.get(week, 0) + 1
    assert per_week and max(per_week.values()) <= 3, per_week
    assert sum(per_week.values()) >= 6  # the limit was reached, not avoided by an idle mediator


def escalation_world() -> Scenario:
    """A street under a district, one mediator at each, always available, no travel."""
    centers = [dict(id="d", name="D", level="district", lat=22.5, lon=113.9, rooms=20, opening=WEEK),
               dict(id="s", name="S", level="street", parent="d", lat=22.5, lon=113.9, rooms=20, opening=WEEK)]
    experts = [dict(id=f"m{c}", name=f"M{c}", role="mediator", categories={"neighbor": 3}, home_center=c,
                    max_open_cases=50, max_sessions_per_week=100, availability=WEEK) for c in "ds"]
    return Scenario.model_validate(dict(name="esc", today=dt.date(2024, 1, 1), centers=centers, experts=experts,
                                        arrivals=[dict(center="s", category="neighbor", per_day=2.0)]))


def test_a_failed_attempt_escalates_to_the_parent_then_closes_unresolved() -> None:
    params = SimulationParams(weekly_pattern=(1,) * 7, peaks=(), resolution={"neighbor": 0.0}, sessions=False,
                              sick_leave_rate=0.0, max_escalations=1, service_days={"neighbor": 0.5}, horizon_days=1)
    sim = DaySimulator(escalation_world(), params, RandomStreams(2, 0), assigner="engine")
    trace = sim.run(20)
    closed = [r for r in trace.records if r.closed is not None]
    assert len(closed) > 10
    for r in closed:
        assert not r.resolved and r.escalations == 1  # one attempt at the street, one at the district
        assert r.case.center == "d" and r.case.id == f"{r.first_id}-e1"
    k = replication_kpis(trace)
    assert k["resolved"] == 0.0 and k["escalated"] == sum(r.escalations for r in trace.records)


def test_every_attempt_resolves_when_the_probability_is_one() -> None:
    params = SimulationParams(weekly_pattern=(1,) * 7, peaks=(), resolution={"neighbor": 1.0}, sessions=False,
                              sick_leave_rate=0.0, service_days={"neighbor": 0.5}, horizon_days=1)
    trace = DaySimulator(escalation_world(), params, RandomStreams(2, 0)).run(20)
    closed = [r for r in trace.records if r.closed is not None]
    assert closed and all(r.resolved and r.escalations == 0 and r.case.center == "s" for r in closed)


def test_same_seed_same_kpis() -> None:
    params = SimulationParams(time_limit_s=1.0)
    a = simulate(load_scenario("sajin"), days=15, replications=2, seed=12, params=params)
    b = simulate(load_scenario("sajin"), days=15, replications=2, seed=12, params=params)
    strip = lambda r: [{k: v for k, v in x.items() if k != "solve_seconds"} for x in r.per_replication]  # noqa: E731
    assert strip(a) == strip(b) and a.backlog_by_day == b.backlog_by_day
    c = simulate(load_scenario("sajin"), days=15, replications=2, seed=13, params=params)
    assert strip(c) != strip(a)


def record(arrived: float, first: float | None, closed: float | None, deadline: float, resolved: bool) -> CaseRecord:
    from matcher.domain import Case, Category

    case = Case(id=f"c{arrived}", category=Category.NEIGHBOR, center="s", received=dt.datetime(2024, 1, 1),
                deadline=dt.date(2024, 1, 31))
    return CaseRecord(first_id=case.id, category=Category.NEIGHBOR, arrived=arrived, deadline_t=deadline, industry=False,
                      case=case, first_session=first, closed=closed, resolved=resolved)


def test_kpis_by_hand() -> None:
    recs = [record(0.5, 1.0, 3.0, 5.0, True),     # warm-up: left out of per-dispute KPIs below
            record(2.0, 3.0, 4.0, 6.0, True),     # wait 1.0, resolved in time
            record(2.5, 5.5, 9.5, 9.0, True),     # wait 3.0, resolved after its deadline
            record(3.0, 4.0, 6.0, 8.0, False),    # wait 1.0, closed unresolved
            record(9.0, None, None, 12.0, False)]  # still waiting, deadline after the run
    docket = np.array([[0, 1.0, 3.0], [0, 3.0, 6.0], [1, 2.0, 20.0]])  # expert, from, to
    trace = ReplicationTrace(days=10, records=recs, backlog=[1] * 10, waiting=[0] * 10, travel_minutes=[10.0, 20.0],
                             expert_cases={"a": 2, "b": 1}, mediator_loads=[2, 1, 0], docket=docket,
                             expert_roles=["mediator", "mediator", "judge"], expert_centers=["s", "s", "d"],
                             expert_capacity=np.array([2.0, 1.0, 1.0]), judge_halfdays_used=1, judge_halfdays_scheduled=4,
                             judge_halfdays_needed=3.0, solve_seconds=1.0, solves=10)
    k = replication_kpis(trace, warmup_days=2)
    assert k["cases_arrived"] == 4
    assert k["mean_wait"] == pytest.approx(5 / 3)  # (1 + 3 + 1) / 3
    assert k["first_session_p50"] == pytest.approx(1.0)
    assert k["resolved_in_time"] == pytest.approx(1 / 3)  # deadlines inside the run: 6, 9, 8 → one in time
    assert k["resolved"] == pytest.approx(2 / 3)
    assert k["travel_minutes"] == 15.0
    assert k["load_spread"] == pytest.approx(np.std([2, 1, 0]) / 1.0)
    # Utilization over [2, 10): expert 0 holds 1 case on [2, 3) and 1 on [3, 6) → 4 case-days / 8 / capacity 2;
    # expert 1 holds 1 case on [2, 10) (clipped at the run's end) → 8 / 8 / 1.
    u = expert_utilization(trace, warmup_days=2)
    assert u.tolist() == pytest.approx([4 / 8 / 2, 1.0, 0.0])
    assert k["utilization_mediator"] == pytest.approx((0.25 + 1.0) / 2) and k["utilization_judge"] == 0.0
    assert utilization_grid(trace, 2) == {"d": {"judge": 0.0}, "s": {"mediator": pytest.approx(0.625)}}
