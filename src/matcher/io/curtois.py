"""Curtois' shift-scheduling benchmark instances (Instance1..24) and their mapping onto the rostering
core: staff → judges' rows, shift types → assignment types, days → periods (one per day).

Hard rules of the format (Curtois & Qu): one shift a day, max shifts per type, min/max total minutes,
max/min consecutive shifts, min consecutive days off, max weekends, days off, forbidden successions.
At the horizon's ends the days outside are off for the maximum run, while runs of work or of days
off touching an end are free of their minimum length.
Soft: shift-on/off requests and under/over cover, each with its weight.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from matcher.rotation.core import Cover, RosterProblem


@dataclass
class CurtoisStaff:
    id: str
    max_shifts: dict[str, int]
    max_minutes: int
    min_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int


@dataclass
class CurtoisInstance:
    name: str
    horizon: int
    shifts: dict[str, tuple[int, list[str]]]  # id -> (minutes, shifts that may not follow it)
    staff: list[CurtoisStaff]
    days_off: dict[str, list[int]] = field(default_factory=dict)
    on_requests: list[tuple[str, int, str, int]] = field(default_factory=list)
    off_requests: list[tuple[str, int, str, int]] = field(default_factory=list)
    cover: list[tuple[int, str, int, int, int]] = field(default_factory=list)  # day, shift, req, under, over


def read_curtois(path: str | Path) -> CurtoisInstance:
    path = Path(path)
    sections: dict[str, list[list[str]]] = {}
    current = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            current = line
            sections[current] = []
            continue
        if current is None:
            raise ValueError(f"{path}: data before the first SECTION_ line: {line!r}")
        sections[current].append([t.strip() for t in line.split(",")])
    horizon = int(sections["SECTION_HORIZON"][0][0])
    shifts = {r[0]: (int(r[1]), [x for x in r[2].split("|") if x] if len(r) > 2 else []) for r in sections["SECTION_SHIFTS"]}
    staff = []
    for r in sections["SECTION_STAFF"]:
        maxs = {}
        for item in r[1].split("|"):
            if item:
                k, v = item.split("=")
                maxs[k] = int(v)
        staff.append(CurtoisStaff(r[0], maxs, int(r[2]), int(r[3]), int(r[4]), int(r[5]), int(r[6]), int(r[7])))
    inst = CurtoisInstance(path.stem, horizon, shifts, staff)
    for r in sections.get("SECTION_DAYS_OFF", []):
        inst.days_off[r[0]] = [int(x) for x in r[1:] if x != ""]
    inst.on_requests = [(r[0], int(r[1]), r[2], int(r[3])) for r in sections.get("SECTION_SHIFT_ON_REQUESTS", [])]
    inst.off_requests = [(r[0], int(r[1]), r[2], int(r[3])) for r in sections.get("SECTION_SHIFT_OFF_REQUESTS", [])]
    inst.cover = [(int(r[0]), r[1], int(r[2]), int(r[3]), int(r[4])) for r in sections.get("SECTION_COVER", [])]
    return inst


def to_roster_problem(inst: CurtoisInstance) -> RosterProblem:
    """The instance as a rostering-core problem (periods = days; weekends = Sat+Sun of each week)."""
    S, H = len(inst.staff), inst.horizon
    types = list(inst.shifts)
    tix = {t: i for i, t in enumerate(types)}
    six = {s.id: i for i, s in enumerate(inst.staff)}
    allowed = np.ones((S, H, len(types)), dtype=bool)
    for sid, days in inst.days_off.items():
        allowed[six[sid], days, :] = False
    for i, st in enumerate(inst.staff):
        for t, m in st.max_shifts.items():
            if m == 0:
                allowed[i, :, tix[t]] = False
    p = RosterProblem(
        n_staff=S, n_periods=H, n_types=len(types), allowed=allowed, day_of_period=np.arange(H),
        type_minutes=np.array([inst.shifts[t][0] for t in types]),
        max_per_type={(i, tix[t]): m for i, st in enumerate(inst.staff) for t, m in st.max_shifts.items() if m > 0},
        min_minutes=np.array([s.min_minutes for s in inst.staff]), max_minutes=np.array([s.max_minutes for s in inst.staff]),
        max_consecutive_days=np.array([s.max_consecutive for s in inst.staff]),
        min_consecutive_days=np.array([s.min_consecutive for s in inst.staff]),
        min_days_off=np.array([s.min_days_off for s in inst.staff]),
        # The format's rule: a run of work may continue outside the horizon, so one touching either
        # end is free of the minimum ("an infinite number of consecutive shifts" before and after).
        min_work_run_binds_at_ends=False,
        weekends=[[7 * w + 5, 7 * w + 6] for w in range(H // 7)],
        max_weekends=np.array([s.max_weekends for s in inst.staff]),
        forbidden_next_day=[(tix[a], tix[b]) for a, (_m, nxt) in inst.shifts.items() for b in nxt],
        covers=[Cover(day, tix[t], req, under, over) for day, t, req, under, over in inst.cover],
        requests_on=[(six[s], d, tix[t], w) for s, d, t, w in inst.on_requests],
        requests_off=[(six[s], d, tix[t], w) for s, d, t, w in inst.off_requests],
    )
    return p


def roster_rows(inst: CurtoisInstance, assignment: np.ndarray) -> list[tuple[str, int, str]]:
    """(employee, day, shift) for every worked day; days off have no row."""
    types = list(inst.shifts)
    return [(inst.staff[s].id, d, types[k]) for s in range(len(inst.staff)) for d in range(inst.horizon) if (k := assignment[s, d]) >= 0]
