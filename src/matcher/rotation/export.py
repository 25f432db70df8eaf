"""What court and center staff use: iCalendar per judge and per center, CSV, a terminal table, and a
coverage report (required vs planned judge half-days)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from matcher.domain import HalfDay, RotationSlot, Scenario

TZ = ZoneInfo("Asia/Shanghai")
#: Half-day session hours (ASSUMPTION: 09:00–12:00 and 14:00–17:30, local time).
HOURS = {HalfDay.AM: (dt.time(9, 0), dt.time(12, 0)), HalfDay.PM: (dt.time(14, 0), dt.time(17, 30))}


def ical(scenario: Scenario, entries: Sequence[RotationSlot], *, judge: str | None = None, center: str | None = None) -> bytes:
    """An RFC 5545 calendar of the entries for one judge or one center (or all)."""
    cal = Calendar()
    cal.add("prodid", "-//matcher//judge rotation//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    name = f"轮驻 {judge or center or scenario.name}"
    cal.add("x-wr-calname", name)
    experts = scenario.expert_by_id
    centers = scenario.center_by_id
    stamp = dt.datetime.combine(scenario.today, dt.time(0, 0), tzinfo=dt.UTC)
    for e in entries:
        if (judge and e.judge != judge) or (center and e.center != center):
            continue
        begin, end = HOURS[e.slot.half]
        ev = Event()
        ev.add("uid", f"{e.judge}-{e.center}-{e.slot.date.isoformat()}-{e.slot.half.value}@{scenario.name}.matcher")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", dt.datetime.combine(e.slot.date, begin, tzinfo=TZ))
        ev.add("dtend", dt.datetime.combine(e.slot.date, end, tzinfo=TZ))
        ev.add("summary", f"{experts[e.judge].name} 轮驻 {centers[e.center].name}")
        ev.add("location", centers[e.center].name)
        ev.add("description", f"Judge {e.judge} stationed at {e.center} ({e.slot.half.value})")
        cal.add_component(ev)
    return cal.to_ical()


def to_csv(entries: Sequence[RotationSlot]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["date", "half", "center", "judge"])
    for e in sorted(entries, key=lambda e: (e.slot.ordinal, e.center, e.judge)):
        w.writerow([e.slot.date.isoformat(), e.slot.half.value, e.center, e.judge])
    return buf.getvalue()


def coverage(scenario: Scenario, entries: Sequence[RotationSlot], start: dt.date, weeks: int) -> list[dict]:
    """Per center and week: judge half-days required and planned."""
    planned: dict[tuple[str, int], int] = defaultdict(int)
    for e in entries:
        planned[e.center, (e.slot.date - start).days // 7] += 1
    return [
        {"center": c.id, "week": w + 1, "monday": (start + dt.timedelta(weeks=w)).isoformat(),
         "required": c.judge_halfdays_per_week, "planned": planned[c.id, w]}
        for c in scenario.centers if c.judge_halfdays_per_week for w in range(weeks)
    ]


def table(scenario: Scenario, entries: Sequence[RotationSlot], start: dt.date, weeks: int, max_weeks: int = 8) -> str:
    """Center × week: the judges stationed there (planned/required), readable in a terminal."""
    cells: dict[tuple[str, int], set[str]] = defaultdict(set)
    for e in entries:
        cells[e.center, (e.slot.date - start).days // 7].add(e.judge)
    cov = {(r["center"], r["week"] - 1): r for r in coverage(scenario, entries, start, weeks)}
    shown = min(weeks, max_weeks)
    header = ["center".ljust(14)] + [f"wk{w + 1} {(start + dt.timedelta(weeks=w)).strftime('%m-%d')}".ljust(18) for w in range(shown)]
    lines = [" ".join(header)]
    for c in scenario.centers:
        if not c.judge_halfdays_per_week:
            continue
        row = [c.id[:14].ljust(14)]
        for w in range(shown):
            r = cov[c.id, w]
            mark = "!" if r["planned"] < r["required"] else " "
            judges = ",".join(sorted(cells[c.id, w]))
            row.append(f"{mark}{r['planned']}/{r['required']} {judges}"[:18].ljust(18))
        lines.append(" ".join(row))
    if weeks > shown:
        lines.append(f"... {weeks - shown} more weeks (see --csv)")
    return "\n".join(lines)
