"""An independent checker of a rotation calendar: every hard rule, from the scenario and config
alone (no code shared with the model builder)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from matcher.domain import DateRange, RotationSlot, Scenario
from matcher.network import haversine_km, travel_minutes

from .config import RotationConfig


@dataclass
class RotationViolation:
    rule: str
    message: str


@dataclass
class RotationCheck:
    violations: list[RotationViolation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations


def check_rotation(
    scenario: Scenario,
    entries: Sequence[RotationSlot],
    start: dt.date,
    weeks: int,
    config: RotationConfig = RotationConfig(),
    *,
    absences: Sequence[tuple[str, DateRange]] = (),
    pinned: Sequence[RotationSlot] = (),
) -> RotationCheck:
    out = RotationCheck()

    def bad(rule: str, msg: str) -> None:
        out.violations.append(RotationViolation(rule, msg))

    judges = {j.id: j for j in scenario.judges}
    centers = scenario.center_by_id
    end = start + dt.timedelta(weeks=weeks)
    extra_leave = defaultdict(list)
    for j, r in absences:
        extra_leave[j].append(r)
    at: dict[tuple[str, object], list[str]] = defaultdict(list)
    per_center_slot: dict[tuple[str, object], int] = defaultdict(int)
    for e in entries:
        j, c = judges.get(e.judge), centers.get(e.center)
        if j is None or c is None:
            bad("unknown", f"{e.judge} at {e.center}: unknown judge or center")
            continue
        if not start <= e.slot.date < end:
            bad("horizon", f"{e.judge} on {e.slot}: outside the planned weeks")
        at[e.judge, e.slot].append(e.center)
        per_center_slot[e.center, e.slot] += 1
        w = e.slot.weekly
        if w in j.court_days:
            bad("court_day", f"{e.judge} sits in court on {e.slot} but is placed at {e.center}")
        if w not in j.availability:
            bad("availability", f"{e.judge} is not available on {w} ({e.slot})")
        if any(r.contains(e.slot.date) for r in list(j.leave) + extra_leave[e.judge]):
            bad("leave", f"{e.judge} is on leave on {e.slot.date}")
        if j.serves_centers and e.center not in j.serves_centers:
            bad("serves", f"{e.judge} may not serve {e.center}")
        if w not in c.opening:
            bad("opening", f"{e.center} is closed on {w} ({e.slot})")
        if _court_minutes(scenario, j, c) > config.max_court_travel_minutes + 1e-6:
            bad("reach", f"{e.center} is beyond {config.max_court_travel_minutes:g} min of {e.judge}'s court")
    for (judge, slot), cs in at.items():
        if len(cs) > 1:
            bad("one_place", f"{judge} is at {cs} on {slot}")
    for (center, slot), n in per_center_slot.items():
        if n > config.max_judges_per_center_slot:
            bad("one_judge_per_center", f"{center} has {n} judges on {slot}")
    # Coverage per center and week, and the fixed weekly slots.
    for c in scenario.centers:
        if not c.judge_halfdays_per_week:
            continue
        for w in range(weeks):
            monday = start + dt.timedelta(weeks=w)
            got = sum(n for (cid, slot), n in per_center_slot.items() if cid == c.id and monday <= slot.date < monday + dt.timedelta(days=7))
            if got < c.judge_halfdays_per_week:
                bad("coverage", f"{c.id} has {got} judge half-days in the week of {monday}, needs {c.judge_halfdays_per_week}")
            for ws in c.fixed_judge_slots:
                day = monday + dt.timedelta(days=ws.weekday)
                if not any(cid == c.id and slot.date == day and slot.half == ws.half for (cid, slot) in per_center_slot):
                    bad("fixed_slot", f"{c.id} has no judge on its fixed slot {day} {ws.half.value}")
    # Per judge: weekly and monthly limits, same-day distance, consecutive days (minimum rest).
    by_judge: dict[str, list[RotationSlot]] = defaultdict(list)
    for e in entries:
        if e.judge in judges:
            by_judge[e.judge].append(e)
    for jid, es in by_judge.items():
        j = judges[jid]
        weekly = defaultdict(int)
        monthly = defaultdict(int)
        days = defaultdict(list)
        for e in es:
            weekly[(e.slot.date - start).days // 7] += 1
            monthly[(e.slot.date.year, e.slot.date.month)] += 1
            days[e.slot.date].append(e.center)
        for w, n in weekly.items():
            if n > j.max_rotation_halfdays_per_week:
                bad("weekly_limit", f"{jid} has {n} rotation half-days in week {w + 1} (max {j.max_rotation_halfdays_per_week})")
        for m, n in monthly.items():
            if n > j.max_rotation_halfdays_per_month:
                bad("monthly_limit", f"{jid} has {n} rotation half-days in {m[0]}-{m[1]:02d} (max {j.max_rotation_halfdays_per_month})")
        for day, cs in days.items():
            for i, a in enumerate(cs):
                for b in cs[i + 1:]:
                    if travel_minutes(scenario, a, b) > config.max_same_day_travel_minutes + 1e-6:
                        bad("same_day_distance", f"{jid} is at {a} and {b} on {day}, too far apart for one day")
        run, prev = 0, None
        for day in sorted(days):
            run = run + 1 if prev is not None and (day - prev).days == 1 else 1
            prev = day
            if run > config.max_consecutive_rotation_days:
                bad("rest", f"{jid} rotates {run} days in a row up to {day} (max {config.max_consecutive_rotation_days})")
    pinned_set = {(p.judge, p.slot, p.center) for p in pinned}
    have = {(e.judge, e.slot, e.center) for e in entries}
    for p in pinned_set - have:
        bad("pinned", f"published {p[0]} at {p[2]} on {p[1]} was changed")
    return out


def _court_minutes(scenario: Scenario, judge, center) -> float:  # type: ignore[no-untyped-def]
    court = scenario.court_by_id.get(judge.court or "")
    if court is None:
        return travel_minutes(scenario, judge.home_center, center.id)
    if court.center:
        return travel_minutes(scenario, court.center, center.id)
    return haversine_km(court.lat, court.lon, center.lat, center.lon) * 1.3 / scenario.travel_speed_kmh * 60.0


def score_rotation(
    scenario: Scenario,
    entries: Sequence[RotationSlot],
    start: dt.date,
    weeks: int,
    config: RotationConfig = RotationConfig(),
    *,
    absences: Sequence[tuple[str, DateRange]] = (),
) -> dict[str, float]:
    """The soft terms of a calendar (as `RotationConfig` defines them) and their weighted sum under
    "objective", recomputed from the entries alone, so a reported objective can be checked. The
    re-planning ``changes`` term is not scored. Under ``variety`` the repeats replace stability."""
    judges = {j.id: j for j in scenario.judges}
    centers = [c for c in scenario.centers if c.judge_halfdays_per_week]
    end = start + dt.timedelta(weeks=weeks)
    extra_leave = defaultdict(list)
    for j, r in absences:
        extra_leave[j].append(r)

    def can_rotate(j) -> bool:  # type: ignore[no-untyped-def]
        """Some half-day of the horizon at some center needing judges is open to this judge."""
        for d in range((end - start).days):
            day = start + dt.timedelta(days=d)
            if any(r.contains(day) for r in list(j.leave) + extra_leave[j.id]):
                continue
            for w in j.availability:
                if w.weekday != day.weekday() or w in j.court_days:
                    continue
                for c in centers:
                    if w in c.opening and (not j.serves_centers or c.id in j.serves_centers) \
                            and _court_minutes(scenario, j, c) <= config.max_court_travel_minutes + 1e-6:
                        return True
        return False

    load: dict[str, int] = defaultdict(int)
    per_center_week: dict[tuple[str, int], int] = defaultdict(int)
    weeks_at: dict[tuple[str, str], set[int]] = defaultdict(set)
    travel = preference = 0.0
    for e in entries:
        j, c = judges[e.judge], scenario.center_by_id[e.center]
        w = (e.slot.date - start).days // 7
        load[e.judge] += 1
        per_center_week[e.center, w] += 1
        weeks_at[e.judge, e.center].add(w)
        travel += round(_court_minutes(scenario, j, c))
        if j.preferred_centers and e.center not in j.preferred_centers:
            preference += 1
    rotating = [jid for jid, j in judges.items() if load[jid] or can_rotate(j)]
    loads = [load[jid] for jid in rotating]
    terms = {
        "fairness": float(max(loads) - min(loads)) if loads else 0.0,
        "excess": float(sum(max(0, per_center_week[c.id, w] - c.judge_halfdays_per_week) for c in centers for w in range(weeks))),
        "travel": travel,
        "preference": preference,
    }
    if config.variety:
        terms["repeats"] = float(sum(1 for ws in weeks_at.values() for w in ws if w - 1 in ws))
    else:
        terms["stability"] = float(len(weeks_at))
    weight = {"fairness": config.fairness, "excess": config.excess, "travel": config.travel, "preference": config.preference,
              "repeats": config.repeats, "stability": config.stability}
    terms["objective"] = sum(weight[name] * v for name, v in terms.items())
    return terms
