"""The judge rotation calendar (轮驻) on the rostering core: which judge sits at which center on which
half-day, for a horizon of whole weeks.

Hard rules (one function each below, or a core family): coverage (each center's weekly judge
half-days, and its fixed weekly slot), one place per slot, court days / leave / availability /
centers the judge may serve / the center's opening hours, at most N rotation half-days per judge
per week and per month, no two centers too far apart on one day, minimum rest (a day off rotation
after ``max_consecutive_rotation_days``), one judge per center and half-day, and on re-planning the
published past kept exactly.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from matcher.assignment.core import SolveStatus, relative_gap
from matcher.domain import Center, DateRange, Expert, HalfDay, RotationSlot, Scenario, TimeSlot
from matcher.network import estimated_minutes, haversine_km, ROAD_FACTOR, travel_minutes

from .aggregate import AggregateInput, AggregateResult, solve_aggregate
from .config import RotationConfig, RotationParams
from .core import RosterModel, RosterOutcome, RosterProblem, WindowLimit


class RotationChange(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    slot: TimeSlot
    judge: str
    before: str | None  # center, or None = not rotating
    after: str | None


class RotationResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    scenario: str
    start: dt.date
    weeks: int
    entries: tuple[RotationSlot, ...]
    status: SolveStatus
    reason: str = ""
    objective: float | None = None
    terms: dict[str, float] = Field(default_factory=dict)
    bound: float | None = None
    gap: float | None = None
    solve_seconds: float
    first_feasible_seconds: float | None = None  # from the start of the plan to the first proven-feasible calendar
    aggregate_bound: float | None = None  # the time-aggregated relaxation's bound (see aggregate.py)
    aggregate_seconds: float | None = None
    seed: int
    changes: tuple[RotationChange, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass
class _Horizon:
    start: dt.date
    weeks: int
    judges: list[Expert]
    centers: list[Center]
    slots: list[TimeSlot] = field(init=False)

    def __post_init__(self) -> None:
        self.slots = [TimeSlot(date=self.start + dt.timedelta(days=d), half=h) for d in range(7 * self.weeks) for h in HalfDay]
        self.slot_index = {s: i for i, s in enumerate(self.slots)}

    def week_of(self, p: int) -> int:
        return p // 14


def court_minutes(scenario: Scenario, judge: Expert, center: Center) -> float:
    """Travel from the judge's court (or home center) to a center."""
    court = scenario.court_by_id.get(judge.court or "")
    if court is None:
        return travel_minutes(scenario, judge.home_center, center.id)
    if court.center:
        return travel_minutes(scenario, court.center, center.id)
    return haversine_km(court.lat, court.lon, center.lat, center.lon) * ROAD_FACTOR / scenario.travel_speed_kmh * 60.0


def _allowed(scenario: Scenario, h: _Horizon, extra_leave: dict[str, list[DateRange]], config: RotationConfig) -> np.ndarray:
    """Who may sit where when: open center, not a court day, available, not on leave, may serve it
    (listed in ``serves_centers`` if the judge has a list, and within reach of the judge's court)."""
    allowed = np.zeros((len(h.judges), len(h.slots), len(h.centers)), dtype=bool)
    for s, j in enumerate(h.judges):
        reach = {c.id for c in h.centers if court_minutes(scenario, j, c) <= config.max_court_travel_minutes}
        court_days = set(j.court_days)
        avail = set(j.availability)
        serves = set(j.serves_centers)
        leave = list(j.leave) + extra_leave.get(j.id, [])
        for p, slot in enumerate(h.slots):
            w = slot.weekly
            if w in court_days or w not in avail or any(r.contains(slot.date) for r in leave):
                continue
            for k, c in enumerate(h.centers):
                if w in c.opening and (not serves or c.id in serves) and c.id in reach:
                    allowed[s, p, k] = True
    return allowed


def _allowed_with_pins(scenario: Scenario, h: _Horizon, config: RotationConfig, pins: dict[tuple[int, int], int | None],
                       extra_leave: dict[str, list[DateRange]]) -> np.ndarray:
    allowed = _allowed(scenario, h, extra_leave, config)
    for (s, p), k in pins.items():  # the published past holds even if the data changed since
        if k is not None:
            allowed[s, p, k] = True
    return allowed


def _build(scenario: Scenario, h: _Horizon, config: RotationConfig, pins: dict[tuple[int, int], int | None],
           extra_leave: dict[str, list[DateRange]], allowed: np.ndarray | None = None) -> tuple[RosterModel, RosterProblem]:
    """The calendar model; `allowed` (default: every rule's verdict, pins included) may be narrowed,
    e.g. to the (judge, center) pairs of the aggregate plan."""
    if allowed is None:
        allowed = _allowed_with_pins(scenario, h, config, pins, extra_leave)
    windows = []
    for s, j in enumerate(h.judges):
        for w in range(h.weeks):
            windows.append(WindowLimit(s, list(range(14 * w, 14 * w + 14)), j.max_rotation_halfdays_per_week))
        months: dict[tuple[int, int], list[int]] = {}
        for p, slot in enumerate(h.slots):
            months.setdefault((slot.date.year, slot.date.month), []).append(p)
        for periods in months.values():
            windows.append(WindowLimit(s, periods, j.max_rotation_halfdays_per_month))
    far = [(a, b) for a in range(len(h.centers)) for b in range(a + 1, len(h.centers))
           if travel_minutes(scenario, h.centers[a].id, h.centers[b].id) > config.max_same_day_travel_minutes]
    problem = RosterProblem(
        n_staff=len(h.judges), n_periods=len(h.slots), n_types=len(h.centers), allowed=allowed,
        day_of_period=np.arange(len(h.slots)) // 2,
        max_consecutive_days=np.full(len(h.judges), config.max_consecutive_rotation_days),
        forbidden_same_day={s: far for s in range(len(h.judges))} if far else {},
        windows=windows, pins=pins,
    )
    m = RosterModel(problem)
    m.add_core_constraints()
    return m, problem


def fixed_slot_periods(h: _Horizon, center: Center) -> list[list[int]]:
    """Per distinct weekly fixed slot of `center`: its period in every week of the horizon."""
    return [[h.slot_index[TimeSlot(date=h.start + dt.timedelta(weeks=w, days=ws.weekday), half=ws.half)] for w in range(h.weeks)]
            for ws in dict.fromkeys(center.fixed_judge_slots)]


def aggregate_input(h: _Horizon, allowed: np.ndarray, config: RotationConfig, minutes: dict[tuple[int, int], float]) -> AggregateInput:
    """The calendar's data for the time-aggregated relaxation (see `aggregate.py`)."""
    cost = {}
    for s, j in enumerate(h.judges):
        for k, c in enumerate(h.centers):
            pref = config.preference if j.preferred_centers and c.id not in j.preferred_centers else 0.0
            cost[s, k] = config.travel * minutes[s, k] + pref
    triples = [(int(s), int(p), int(k)) for s, p, k in zip(*np.nonzero(allowed))]
    return AggregateInput(
        n_staff=len(h.judges), n_centers=len(h.centers), allowed=triples,
        week_of=[h.week_of(p) for p in range(len(h.slots))], month_of=[(x.date.year, x.date.month) for x in h.slots],
        week_limit=[j.max_rotation_halfdays_per_week for j in h.judges], month_limit=[j.max_rotation_halfdays_per_month for j in h.judges],
        need=[c.judge_halfdays_per_week for c in h.centers], fixed=[fixed_slot_periods(h, c) for c in h.centers],
        cost=cost, rotating=sorted({s for s, _p, _k in triples}), max_per_slot=config.max_judges_per_center_slot,
        stability=0.0 if config.variety else config.stability, fairness=config.fairness, excess=config.excess,
    )


# -- judge-specific families -------------------------------------------------------------------------

def weekly_coverage(m: RosterModel, h: _Horizon) -> list[str]:
    """Hard: each center gets its judge half-days every week, one of them on each fixed weekly slot.
    Returns the shortfalls that make this impossible before solving (diagnosis)."""
    reasons = []
    for k, c in enumerate(h.centers):
        for w in range(h.weeks):
            vs = [v for p in range(14 * w, 14 * w + 14) for s in range(len(h.judges)) if (v := m.x.get((s, p, k))) is not None]
            if len(vs) < c.judge_halfdays_per_week:
                reasons.append(f"center {c.id}: week of {h.start + dt.timedelta(weeks=w)} has {len(vs)} judge half-days possible, needs {c.judge_halfdays_per_week}")
            m.model.add(sum(vs) >= c.judge_halfdays_per_week)
            for ws in c.fixed_judge_slots:
                p = h.slot_index[TimeSlot(date=h.start + dt.timedelta(weeks=w, days=ws.weekday), half=ws.half)]
                fvs = [v for s in range(len(h.judges)) if (v := m.x.get((s, p, k))) is not None]
                if not fvs:
                    reasons.append(f"center {c.id}: no judge can sit its fixed slot {h.slots[p]}")
                m.model.add(sum(fvs) >= 1)
    return reasons


def one_judge_per_center_slot(m: RosterModel, h: _Horizon, limit: int) -> None:
    col: dict[tuple[int, int], list] = {}
    for (s, p, k), v in m.x.items():
        col.setdefault((p, k), []).append(v)
    for vs in col.values():
        if len(vs) > limit:
            m.model.add(sum(vs) <= limit)


def fairness_spread(m: RosterModel, h: _Horizon, weight: float, rotating: Sequence[int] | None = None) -> None:
    """The spread of the loads over the judges who can rotate at all (`rotating`, default: those with
    an allowed half-day in `m`; a model narrowed to some pairs passes the full list, so a judge left
    out still counts with load 0)."""
    if rotating is None:
        rotating = sorted({s for (s, _p, _k) in m.x})
    if not rotating or not weight:
        return
    total = 14 * h.weeks
    hi = m.model.new_int_var(0, total, "load_max")
    lo = m.model.new_int_var(0, total, "load_min")
    for s in rotating:
        load = sum(v for (ss, _p, _k), v in m.x.items() if ss == s)
        m.model.add(hi >= load)
        m.model.add(lo <= load)
    spread = m.model.new_int_var(0, total, "load_spread")  # never negative, so neither is its bound
    m.model.add(spread == hi - lo)
    m.add_term("fairness", weight, spread)


def excess_halfdays(m: RosterModel, h: _Horizon, weight: float) -> None:
    """Half-days beyond each center's weekly need, counted per center and week (never negative, so
    the term's bound is too)."""
    if not weight:
        return
    for k, c in enumerate(h.centers):
        for w in range(h.weeks):
            vs = [v for (s, p, kk), v in m.x.items() if kk == k and h.week_of(p) == w]
            if len(vs) <= c.judge_halfdays_per_week:
                continue
            ex = m.model.new_int_var(0, len(vs), f"excess{k}_{w}")
            m.model.add(ex >= sum(vs) - c.judge_halfdays_per_week)
            m.add_term("excess", weight, ex)


def stability_or_variety(m: RosterModel, h: _Horizon, config: RotationConfig) -> None:
    y: dict[tuple[int, int, int], object] = {}
    per_week: dict[tuple[int, int, int], list] = {}
    for (s, p, k), v in m.x.items():
        per_week.setdefault((s, k, h.week_of(p)), []).append(v)
    for key, vs in per_week.items():
        b = m.model.new_bool_var(f"y{key}")
        m.model.add_max_equality(b, vs)
        y[key] = b
    if not config.variety:
        used: dict[tuple[int, int], list] = {}
        for (s, k, _w), b in y.items():
            used.setdefault((s, k), []).append(b)
        for (s, k), bs in used.items():
            u = m.model.new_bool_var(f"used{s}_{k}")
            m.model.add_max_equality(u, bs)
            m.add_term("stability", config.stability, u)
    else:
        for (s, k, w), b in y.items():
            prev = y.get((s, k, w - 1))
            if prev is not None:
                r = m.model.new_bool_var(f"rep{s}_{k}_{w}")
                m.model.add(r >= b + prev - 1)
                m.add_term("repeats", config.repeats, r)


def travel_and_preferences(scenario: Scenario, m: RosterModel, h: _Horizon, config: RotationConfig) -> None:
    minutes = {(s, k): court_minutes(scenario, j, c) for s, j in enumerate(h.judges) for k, c in enumerate(h.centers)}
    for (s, p, k), v in m.x.items():
        m.add_term("travel", config.travel, int(round(minutes[s, k])) * v)  # whole minutes: CP-SAT is integral
        pref = h.judges[s].preferred_centers
        if pref and h.centers[k].id not in pref:
            m.add_term("preference", config.preference, v)


def changes_to_published(m: RosterModel, published: dict[tuple[int, int], int], window: range, weight: float) -> None:
    for (s, p, k), v in m.x.items():
        if p in window:
            m.add_term("changes", weight, (1 - v) if published.get((s, p)) == k else v)
    for (s, p), k in published.items():
        if p in window and (s, p, k) not in m.x:
            m.add_term("changes", weight, 1)  # published, now impossible (e.g. the judge fell ill)


def coverage_lower_bound(scenario: Scenario, allowed: Iterable[tuple[int, int, int]], h: _Horizon, config: RotationConfig) -> float:
    """A valid lower bound on the objective from the coverage relaxation, computed outside the solver
    (CP-SAT's LP bound on this model stays near zero: 60 interchangeable judges make the distinct
    pairs and the load spread relax to fractions).

    - travel + preference: each center-week needs at least max(required, fixed slots) half-days, each
      costing at least the cheapest (judge, half-day) allowed there;
    - stability + fairness + excess, jointly: with D half-days in all over N judges who can rotate,
      if n < N judges rotate, one sits idle, so spread = max load >= ceil(D / n) while distinct pairs
      >= n; if all N rotate, pairs >= N, and equal loads (spread 0) need N * ceil(D / N) half-days,
      the surplus being excess; either way pairs >= the number of centers.

    `allowed`: every (judge, half-day, center) the full calendar model allows (not a narrowed one).
    """
    allowed = list(allowed)
    minutes = {(s, k): int(round(court_minutes(scenario, j, c))) for s, j in enumerate(h.judges) for k, c in enumerate(h.centers)}
    cheapest: dict[tuple[int, int], float] = {}
    for s, p, k in allowed:
        pref = h.judges[s].preferred_centers
        c = config.travel * minutes[s, k] + (config.preference if pref and h.centers[k].id not in pref else 0.0)
        key = (k, h.week_of(p))
        cheapest[key] = min(cheapest.get(key, c), c)
    bound = 0.0
    demand = 0
    for k, c in enumerate(h.centers):
        need = max(c.judge_halfdays_per_week, len(c.fixed_judge_slots))
        for w in range(h.weeks):
            if need and (k, w) in cheapest:
                bound += need * cheapest[k, w]
                demand += need
    n_judges = len({s for (s, _p, _k) in allowed})
    n_centers = sum(1 for c in h.centers if c.judge_halfdays_per_week > 0)
    if demand and n_judges:
        ws = 0.0 if config.variety else config.stability
        surplus = n_judges * math.ceil(demand / n_judges) - demand
        all_rotate = ws * max(n_judges, n_centers) + (min(config.fairness, config.excess * surplus) if surplus else 0.0)
        some_idle = min((ws * max(n, n_centers) + config.fairness * math.ceil(demand / n) for n in range(1, n_judges)),
                        default=math.inf)
        bound += min(all_rotate, some_idle)
    return bound


def changes_lower_bound(h: _Horizon, allowed: np.ndarray, published: dict[tuple[int, int], int], cut: int) -> int:
    """At least this many published half-days change when re-planning from period `cut` on: each
    published half-day of the window that is no longer allowed (e.g. the judge fell ill), plus, per
    center and week, the half-days its need (and fixed slots) still lacks after the pinned past and
    the published half-days that remain allowed: each must be one not published."""
    lost = sum(1 for (s, p), k in published.items() if p >= cut and not allowed[s, p, k])
    added = 0
    for k, c in enumerate(h.centers):
        fixed = fixed_slot_periods(h, c)
        for w in range(h.weeks):
            periods = range(14 * w, 14 * w + 14)
            if periods[-1] < cut:
                continue
            held = [p for (s, p), kk in published.items() if kk == k and p in periods and (p < cut or allowed[s, p, k])]
            open_fixed = sum(1 for group in fixed if group[w] >= cut and group[w] not in held)
            added += max(max(c.judge_halfdays_per_week, len(fixed)) - len(held), open_fixed, 0)
    return lost + added


def greedy_calendar(m: RosterModel, h: _Horizon, config: RotationConfig, pins: dict[tuple[int, int], int | None],
                    minutes: dict[tuple[int, int], float] | None = None,
                    targets: dict[tuple[int, int], int] | None = None) -> np.ndarray:
    """A quick calendar that tries to respect every hard rule: week by week, each center's fixed slots
    first, then its other open half-days, to the allowed judge of least marginal cost — a new
    (judge, center) pair costs `stability`, travel costs by the minute, raising the top load costs
    `fairness` — so a center keeps its judges week after week (the rotation is weekly by nature).
    Without `minutes`: the least-loaded judge. With `targets` ((judge, center) -> half-days over the
    horizon, e.g. the aggregate plan's counts), a judge still short of the target is preferred, the
    one furthest below it first. Used as the solver's starting point (hint)."""
    S, P = len(h.judges), len(h.slots)
    cal = np.full((S, P), -1, dtype=np.int64)
    for (s_, p_), k in pins.items():
        if k is not None:
            cal[s_, p_] = k
    load = (cal >= 0).sum(axis=1)
    far = {}
    for s_, pairs in m.p.forbidden_same_day.items():
        for a, b in pairs:
            far.setdefault(s_, set()).update({(a, b), (b, a)})
    month_of = [(x.date.year, x.date.month) for x in h.slots]
    taken: dict[tuple[int, int], int] = {}
    paired: set[tuple[int, int]] = set()
    for s_ in range(S):
        for p_ in range(P):
            if cal[s_, p_] >= 0:
                paired.add((s_, int(cal[s_, p_])))
                taken[p_, int(cal[s_, p_])] = taken.get((p_, int(cal[s_, p_])), 0) + 1

    def ok(s_: int, p_: int, k: int) -> bool:
        j = h.judges[s_]
        if cal[s_, p_] >= 0 or (s_, p_, k) not in m.x or (s_, p_) in pins:
            return False
        if taken.get((p_, k), 0) >= config.max_judges_per_center_slot:
            return False
        w = p_ // 14
        if (cal[s_, 14 * w:14 * w + 14] >= 0).sum() >= j.max_rotation_halfdays_per_week:
            return False
        if sum(1 for q in range(P) if month_of[q] == month_of[p_] and cal[s_, q] >= 0) >= j.max_rotation_halfdays_per_month:
            return False
        day = p_ // 2
        other = cal[s_, 2 * day + (1 - p_ % 2)]
        if other >= 0 and (k, int(other)) in far.get(s_, ()):
            return False
        worked = [(cal[s_, 2 * d:2 * d + 2] >= 0).any() or d == day for d in range(max(0, day - config.max_consecutive_rotation_days), min(P // 2, day + config.max_consecutive_rotation_days + 1))]
        run = best = 0
        for x in worked:
            run = run + 1 if x else 0
            best = max(best, run)
        return best <= config.max_consecutive_rotation_days

    def place(s_: int, p_: int, k: int) -> None:
        cal[s_, p_] = k
        paired.add((s_, k))
        load[s_] += 1
        taken[p_, k] = taken.get((p_, k), 0) + 1

    def shortfall(k: int) -> dict[int, int]:  # half-days each judge still lacks at center k (targets)
        return {s_: targets.get((s_, k), 0) - int((cal[s_] == k).sum()) for s_ in range(S)}  # type: ignore[union-attr]

    fixed_periods = [fixed_slot_periods(h, c) for c in h.centers]
    for w in range(h.weeks):
        for k, c in enumerate(h.centers):
            fixed = [group[w] for group in fixed_periods[k]]
            have = sum(taken.get((p_, k), 0) for p_ in range(14 * w, 14 * w + 14))
            order = fixed + [p_ for p_ in range(14 * w, 14 * w + 14) if p_ not in fixed]
            if targets is not None:
                order = fixed  # the other half-days below: the judge furthest below target first, then the slot
            for p_ in order:
                if have >= c.judge_halfdays_per_week and p_ not in fixed:
                    break
                if p_ in fixed and taken.get((p_, k), 0) >= 1:
                    continue
                if targets is not None:
                    short = shortfall(k)
                    cands = sorted((s_ for s_ in range(S) if ok(s_, p_, k)), key=lambda s_: (short[s_] <= 0, -short[s_], s_))
                elif minutes is None:
                    cands = sorted((s_ for s_ in range(S) if ok(s_, p_, k)), key=lambda s_: (load[s_], s_))
                else:
                    top = int(load.max()) if S else 0
                    new_pair = 0.0 if config.variety else config.stability
                    cands = sorted((s_ for s_ in range(S) if ok(s_, p_, k)), key=lambda s_: (
                        new_pair * ((s_, k) not in paired) + config.travel * minutes[s_, k]
                        + config.fairness * max(0, int(load[s_]) + 1 - top), load[s_], s_))
                if cands:
                    place(cands[0], p_, k)
                    have += 1
            while targets is not None and have < c.judge_halfdays_per_week:
                short = shortfall(k)
                fits = [(short[s_] <= 0, -short[s_], p_, s_) for s_ in range(S) for p_ in range(14 * w, 14 * w + 14) if ok(s_, p_, k)]
                if not fits:
                    break
                *_, p_, s_ = min(fits)
                place(s_, p_, k)
                have += 1
    return cal


# -- entry points -------------------------------------------------------------------------------------

def plan_rotation(
    scenario: Scenario,
    weeks: int = 13,
    start: dt.date | None = None,
    config: RotationConfig = RotationConfig(),
    params: RotationParams = RotationParams(),
    *,
    published: Sequence[RotationSlot] = (),
    keep_before: dt.date | None = None,
    absences: Sequence[tuple[str, DateRange]] = (),
) -> RotationResult:
    """Plan `weeks` whole weeks from the Monday of `start` (default: the scenario's today).

    On re-planning, `published` entries dated before `keep_before` are pinned exactly, `absences`
    (judge, dates) are added to leave, and changes to the rest of `published` are kept few."""
    t0 = time.perf_counter()  # the time limit covers the whole plan: model, greedy start, solve
    start = monday_of(start or scenario.today)
    judges = list(scenario.judges)
    centers = [c for c in scenario.centers if c.judge_halfdays_per_week > 0]
    h = _Horizon(start, weeks, judges, centers)
    if not judges or not centers:
        return RotationResult(scenario=scenario.name, start=start, weeks=weeks, entries=(), status=SolveStatus.INFEASIBLE if centers else SolveStatus.OPTIMAL,
                              reason="no judges" if centers else "no center needs judges", solve_seconds=0.0, seed=params.seed)
    jix = {j.id: i for i, j in enumerate(judges)}
    kix = {c.id: i for i, c in enumerate(centers)}
    pub: dict[tuple[int, int], int] = {}
    for r in published:
        if r.slot in h.slot_index and r.judge in jix and r.center in kix:
            pub[jix[r.judge], h.slot_index[r.slot]] = kix[r.center]
    cut = h.slot_index.get(TimeSlot(date=keep_before, half=HalfDay.AM), 0) if keep_before else 0
    if keep_before and keep_before >= start + dt.timedelta(weeks=weeks):
        cut = len(h.slots)
    pins: dict[tuple[int, int], int | None] = {}
    for s in range(len(judges)):
        for p in range(cut):
            pins[s, p] = pub.get((s, p))
    leave: dict[str, list[DateRange]] = {}
    for judge, dates in absences:
        leave.setdefault(judge, []).append(dates)
    allowed = _allowed_with_pins(scenario, h, config, pins, leave)
    triples = list(zip(*(a.tolist() for a in np.nonzero(allowed))))
    rotating = sorted({s for s, _p, _k in triples})
    minutes = {(s, k): float(round(court_minutes(scenario, j, c))) for s, j in enumerate(judges) for k, c in enumerate(centers)}
    # 1. The time-aggregated relaxation: a valid bound, and the (judge, center) pairs to plan with.
    #    (Under `variety` its pairs carry no cost, so they say nothing about a good calendar.)
    agg: AggregateResult | None = None
    if not config.variety and params.aggregate_share > 0:
        agg = solve_aggregate(aggregate_input(h, allowed, config, minutes),
                              time_limit_s=params.aggregate_share * params.time_limit_s, workers=params.workers, seed=params.seed)
    floor = max(coverage_lower_bound(scenario, triples, h, config), agg.bound if agg else 0.0)
    if published:  # both bounds leave the changes term out; it has a bound of its own
        floor += config.changes * changes_lower_bound(h, allowed, pub, cut)
    narrowed = None
    if agg is not None and agg.counts:
        pairs = np.zeros((len(judges), len(centers)), dtype=bool)
        for s, k in agg.counts:
            pairs[s, k] = True
        for (s, _p), k in list(pins.items()) + list(pub.items()):  # re-planning: the published pairs stay possible
            if k is not None:
                pairs[s, k] = True
        narrowed = allowed & pairs[:, None, :]
    # 2. The calendar on the aggregate's pairs; if they admit none, on every pair.
    out, m, reasons = _solve_calendar(scenario, h, config, params, t0, narrowed if narrowed is not None else allowed, rotating,
                                      pins, pub, cut, minutes, floor, published=bool(published),
                                      targets=agg.counts if narrowed is not None and agg is not None else None)
    first = None if m.first_feasible_at is None else m.first_feasible_at - t0
    if narrowed is not None:
        # The narrowed model's own bound and "optimal" hold for the aggregate's pairs only.
        narrow_out = out
        if out.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
            out = dataclasses.replace(out, status=SolveStatus.FEASIBLE, bound=None, gap=None,
                                      reason="best calendar found on the aggregate plan's (judge, center) pairs")
        left = params.time_limit_s - (time.perf_counter() - t0)
        unproven = out.objective is None or out.objective > floor + 1e-9
        if narrow_out.status == SolveStatus.INFEASIBLE or (unproven and left >= 1.0):
            # Every pair, starting from the narrowed calendar if there is one.
            start_from = out.assignment if out.objective is not None else None
            full, m_full, reasons = _solve_calendar(scenario, h, config, params, t0, allowed, rotating, pins, pub, cut, minutes,
                                                    floor, published=bool(published), start_from=start_from)
            if narrow_out.status == SolveStatus.INFEASIBLE or (
                    full.objective is not None and (out.objective is None or full.objective <= out.objective + 1e-9)):
                out = full  # (infeasible on the narrowed pairs says nothing about every pair)
            elif full.bound is not None and out.objective is not None:
                out = dataclasses.replace(out, bound=full.bound)
            if first is None and m_full.first_feasible_at is not None:
                first = m_full.first_feasible_at - t0
    bound, gap, status, reason = out.bound, out.gap, out.status, out.reason
    if out.objective is not None:  # pins only restrict, so the relaxation bounds hold on re-planning too
        bound = min(out.objective, max(bound if bound is not None else 0.0, floor))
        gap = relative_gap(out.objective, bound)
        if out.objective <= bound + 1e-9:
            status, reason = SolveStatus.OPTIMAL, ""
    entries = tuple(
        RotationSlot(judge=judges[s].id, center=centers[k].id, slot=h.slots[p])
        for s in range(len(judges)) for p in range(len(h.slots)) if (k := int(out.assignment[s, p])) >= 0
    )
    if out.status in (SolveStatus.INFEASIBLE, SolveStatus.UNKNOWN) and reasons:
        reason = "; ".join(reasons[:10])
    changes: list[RotationChange] = []
    if published and out.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        for s in range(len(judges)):
            for p in range(cut, len(h.slots)):
                before, after = pub.get((s, p)), int(out.assignment[s, p])
                after_c = centers[after].id if after >= 0 else None
                before_c = centers[before].id if before is not None else None
                if before_c != after_c:
                    changes.append(RotationChange(slot=h.slots[p], judge=judges[s].id, before=before_c, after=after_c))
    return RotationResult(
        scenario=scenario.name, start=start, weeks=weeks, entries=entries, status=status, reason=reason,
        objective=out.objective, terms=out.terms, bound=bound, gap=gap, solve_seconds=time.perf_counter() - t0,
        first_feasible_seconds=first, seed=params.seed, changes=tuple(changes),
        aggregate_bound=None if agg is None else agg.bound, aggregate_seconds=None if agg is None else agg.seconds,
    )


def _solve_calendar(scenario: Scenario, h: _Horizon, config: RotationConfig, params: RotationParams, t0: float,
                    allowed: np.ndarray, rotating: list[int], pins: dict[tuple[int, int], int | None],
                    pub: dict[tuple[int, int], int], cut: int, minutes: dict[tuple[int, int], float], floor: float,
                    *, published: bool, targets: dict[tuple[int, int], int] | None = None,
                    start_from: np.ndarray | None = None) -> tuple[RosterOutcome, RosterModel, list[str]]:
    """Build the calendar model on `allowed`, start from `start_from` or else the greedy calendar,
    search until the time limit or until the calendar costs `floor` (a valid lower bound: nothing
    can cost less)."""
    m, _problem = _build(scenario, h, config, pins, {}, allowed)
    reasons = weekly_coverage(m, h)
    one_judge_per_center_slot(m, h, config.max_judges_per_center_slot)
    fairness_spread(m, h, config.fairness, rotating)
    excess_halfdays(m, h, config.excess)
    stability_or_variety(m, h, config)
    travel_and_preferences(scenario, m, h, config)
    if published:
        changes_to_published(m, pub, range(cut, len(h.slots)), config.changes)
    hint = start_from.copy() if start_from is not None else greedy_calendar(m, h, config, pins, minutes, targets)
    for (s, p), k in pub.items():  # re-planning: start from the published calendar where it still holds
        if p >= cut and (s, p, k) in m.x and hint[s, p] < 0:
            hint[s, p] = k
    # Presolve on this model (tens of thousands of hinted Booleans) costs seconds and, measured on
    # Bao'an, weakens the bound; the greedy hint gives the first calendar at once.
    remaining = max(1.0, params.time_limit_s - (time.perf_counter() - t0))
    out = m.solve(time_limit_s=remaining, workers=params.workers, seed=params.seed, hint=hint, presolve=False,
                  stop_at=floor if floor > 0 else None)
    return out, m, reasons


def replan_rotation(
    scenario: Scenario,
    published: Sequence[RotationSlot],
    absent_judge: str,
    absent: DateRange,
    *,
    weeks: int = 13,
    start: dt.date | None = None,
    config: RotationConfig = RotationConfig(),
    params: RotationParams = RotationParams(),
) -> RotationResult:
    """A judge falls ill for `absent`: keep everything before it, re-plan the rest, change little."""
    if absent_judge not in {j.id for j in scenario.judges}:
        raise ValueError(f"absent_judge {absent_judge!r} is not a judge of scenario {scenario.name!r}")
    return plan_rotation(scenario, weeks, start, config, params, published=published, keep_before=absent.start,
                         absences=[(absent_judge, absent)])


__all__ = ["RotationChange", "RotationResult", "plan_rotation", "replan_rotation", "court_minutes", "coverage_lower_bound",
           "monday_of", "estimated_minutes"]
