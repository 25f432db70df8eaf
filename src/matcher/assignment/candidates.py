"""Candidate pruning: which experts can take which seat, and which slots each case can use.

Every hard rule that concerns one case and one expert (or one case and one slot) is applied here, as
a named vectorised mask over the expert pool, before any model is built: expertise, language,
conflict of interest, location (travel limit or online), availability and leave, judge rotation,
deadline and opening hours, pins. What survives is exactly the set of options the rules allow for
that case in isolation — the pruning is exact, not heuristic. Rules that couple cases (workload, one
place at a time, rooms) are left to the model (:mod:`matcher.assignment.constraints`).

When a seat or a case has no option left, :func:`build_problem` records *why*, naming the rule that
removed the last candidate, e.g. "no labor mediator within travel of center bj-1 (nearest 75 min) and
online not allowed".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from matcher.domain import AssignmentLine, AssignmentRequest, Case, Expert, Role, Scenario, TimeSlot
from matcher.network import TravelTimes

from .config import ObjectiveWeights

IN_PERSON, ONLINE = 0, 1
INF = float("inf")
MODES = (IN_PERSON, ONLINE)


@dataclass
class SeatOption:
    """Expert ``expert`` (pool index) may take the seat in ``mode``, in any slot of ``slots``."""

    expert: int
    mode: int
    slots: np.ndarray  # slot indices (for a case without session: empty)
    proficiency: int
    travel: float  # minutes counted by the travel term (0 for judges; online_minutes applied later)
    continuity_miss: bool


@dataclass
class SeatPool:
    """Every feasible (expert, mode) of a seat, as arrays (the exact pruning result)."""

    expert: np.ndarray  # pool index of the expert
    mode: np.ndarray  # IN_PERSON / ONLINE
    proficiency: np.ndarray
    travel: np.ndarray  # travel-term minutes (online seats: online_minutes; judges: 0)
    miss: np.ndarray  # continuity miss
    cost: np.ndarray  # weighted seat cost (proficiency + travel + continuity terms)

    def __len__(self) -> int:
        return len(self.expert)


@dataclass
class Seat:
    """One role of a case: its full pool, and the options the model currently uses (a subset)."""

    role: Role
    pool: SeatPool
    options: list[SeatOption] = field(default_factory=list)
    kept: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))  # pool rows in ``options``
    dropped_min: dict[int, float] = field(default_factory=dict)  # per mode: cheapest seat cost not remembered


@dataclass
class PlannedCase:
    """One case of the problem with everything the model needs about it."""

    index: int
    case: Case
    seats: list[Seat]
    slots: dict[int, np.ndarray]  # mode -> slot indices the case itself allows (deadline, opening, rooms)
    pin: AssignmentLine | None = None
    previous: AssignmentLine | None = None
    reasons: list[str] = field(default_factory=list)  # why it cannot be served (empty = it can)
    slot_ok: dict[int, np.ndarray] = field(default_factory=dict)  # mode -> bool per slot
    bound: object = None  # the case's CaseBound (matcher.assignment.bounds), set while building

    @property
    def needs_session(self) -> bool:
        return self.case.needs_session


@dataclass
class Problem:
    """The pruned problem: indices over experts and slots, per-case options, pinned resource use."""

    scenario: Scenario
    request: AssignmentRequest
    start: dt.date
    slots: tuple[TimeSlot, ...]
    experts: tuple[Expert, ...]
    cases: list[PlannedCase]
    open_capacity: np.ndarray  # per expert: lines this plan may still give (max_open - open_cases)
    week_of_slot: np.ndarray  # ISO (year*100 + week) per slot
    session_capacity: dict[tuple[int, int], int]  # (expert, week) -> sessions allowed this plan
    room_capacity: dict[tuple[str, int], int]  # (center, slot) -> rooms free
    infeasible_reasons: list[str] = field(default_factory=list)  # pins that can never hold
    free: np.ndarray | None = None  # (expert, slot): available, off leave, not in a pinned session
    avail: np.ndarray | None = None  # (expert, slot): available and off leave (pins ignored)
    rotation: dict[tuple[int, str], np.ndarray] = field(default_factory=dict)
    is_judge: np.ndarray | None = None
    base_load: np.ndarray | None = None  # lines per expert held by cases outside this (sub-)problem
    #: request.reserved as priced seats: (case, slot index or None, one option per seat); their terms
    #: are a constant of the objective (see objective.reserved_terms)
    reserved: list[tuple[Case, int | None, list[SeatOption]]] = field(default_factory=list)

    @property
    def expert_index(self) -> dict[str, int]:
        return {e.id: i for i, e in enumerate(self.experts)}


# -- named masks: one per hard rule --------------------------------------------------------------


def expertise_mask(experts: tuple[Expert, ...], role: Role, case: Case) -> np.ndarray:
    """Expertise: the expert can fill ``role`` for the case's category (industry disputes only to
    industry mediators of that industry; ordinary mediator seats also to full-time mediators)."""
    return np.fromiter((e.can_fill(role, case.category) for e in experts), bool, len(experts))


def language_mask(experts: tuple[Expert, ...], case: Case) -> np.ndarray:
    """Required language: the expert speaks ``case.language``."""
    return np.fromiter((case.language in e.languages for e in experts), bool, len(experts))


def conflict_of_interest_mask(n_experts: int, index: dict[str, int], affiliated: dict[str, list[int]], case: Case) -> np.ndarray:
    """Conflict of interest: not excluded on the case, no affiliation with a party's organization."""
    ok = np.ones(n_experts, bool)
    for org in case.organizations:
        ok[affiliated.get(org, [])] = False
    ok[[index[x] for x in case.excluded_experts if x in index]] = False
    return ok


def location_modes(
    minutes: np.ndarray, max_travel: np.ndarray, is_judge: np.ndarray, online_capable: np.ndarray, case: Case
) -> tuple[np.ndarray, np.ndarray]:
    """Location: (in person allowed, online allowed) per expert. In person: within the travel limit
    (judges sit where rotated, so travel does not bind them). Online: the case has a session, allows
    online, and the expert is online-capable."""
    in_person = is_judge | (minutes <= max_travel + 1e-9)
    online = online_capable & bool(case.needs_session and case.online_allowed)
    return in_person, online


def deadline_slots(slot_days: np.ndarray, start: dt.date, case: Case) -> np.ndarray:
    """Deadline: slots (given as date ordinals) on or after the planning day and on or before
    ``case.deadline``."""
    return (slot_days >= start.toordinal()) & (slot_days <= case.deadline.toordinal())


def opening_slots(scenario: Scenario, slots: tuple[TimeSlot, ...], center: str) -> np.ndarray:
    """An in-person session needs the center open in that weekly half-day and at least one room."""
    c = scenario.center_by_id[center]
    opening = set(c.opening)
    return np.fromiter((c.rooms > 0 and s.weekly in opening for s in slots), bool, len(slots))


def availability_matrix(experts: tuple[Expert, ...], slots: tuple[TimeSlot, ...]) -> np.ndarray:
    """Availability: (expert, slot) → the weekly half-day is in ``availability`` and not on leave."""
    out = np.zeros((len(experts), len(slots)), dtype=bool)
    # Each slot's weekly half-day and date are computed once (not once per expert): a day loop
    # builds this matrix for every expert every morning.
    weekly = [(s.date.weekday(), s.half) for s in slots]
    codes = {w: k for k, w in enumerate(dict.fromkeys(weekly))}
    slot_code = np.fromiter((codes[w] for w in weekly), np.int64, len(slots))
    dates = [s.date for s in slots]
    for i, e in enumerate(experts):
        mine = np.zeros(len(codes) + 1, bool)  # the last entry: a weekly half-day outside the horizon
        mine[[codes.get((w.weekday, w.half), len(codes)) for w in e.availability]] = True
        out[i] = mine[slot_code]
        if e.leave:
            out[i] &= [not e.on_leave(d) for d in dates]
    return out


def judge_rotation_slots(scenario: Scenario, slots: tuple[TimeSlot, ...], index: dict[str, int]) -> dict[tuple[int, str], np.ndarray]:
    """Judge rotation: (judge, center) → slots where the rotation calendar places the judge there."""
    pos = {s: k for k, s in enumerate(slots)}
    out: dict[tuple[int, str], np.ndarray] = defaultdict(lambda: np.zeros(len(slots), dtype=bool))
    for r in scenario.rotation:
        k = pos.get(r.slot)
        if k is not None and r.judge in index:
            out[index[r.judge], r.center][k] = True
    return out


# -- building the problem -------------------------------------------------------------------------


def _proficiency(e: Expert, case: Case) -> int:
    return int(e.categories.get(case.category, 1))


def build_problem(
    scenario: Scenario,
    request: AssignmentRequest,
    *,
    weights: ObjectiveWeights | None = None,
    on_case: Callable[[PlannedCase, dt.date, list[np.ndarray]], None] | None = None,
    pool_limit: int | None = None,
) -> Problem:
    """Prune every (case, role) to its feasible experts and every case to its feasible slots.

    The seats' pools hold every feasible option; no option is in the model yet (see
    :func:`keep_options`)."""
    weights = weights or ObjectiveWeights()
    online_minutes = weights.online_minutes
    start = request.horizon_start or scenario.today
    slots = request.slots(scenario.today)
    experts = scenario.experts
    idx = {e.id: i for i, e in enumerate(experts)}
    n_e = len(experts)
    tt = TravelTimes(scenario)
    center_pos = tt.index
    home = np.fromiter((center_pos[e.home_center] for e in experts), np.int64, n_e)
    max_travel = np.fromiter((e.max_travel_minutes for e in experts), np.float64, n_e)
    is_judge = np.fromiter((e.role == Role.JUDGE for e in experts), bool, n_e)
    avail = availability_matrix(experts, slots)
    fill_cache: dict[tuple[Role, str], np.ndarray] = {}
    lang_cache: dict[str, np.ndarray] = {}
    prof_cache: dict[str, np.ndarray] = {}
    affiliated: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(experts):
        for org in e.affiliations:
            affiliated[org].append(i)
    online_capable = np.fromiter((e.online_capable for e in experts), bool, n_e)
    slot_days = np.fromiter((s.date.toordinal() for s in slots), np.int64, len(slots))
    center_cache: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    seat_memo: dict[tuple, tuple[SeatPool, np.ndarray, dict[int, float]]] = {}  # see "alike" below
    location_cache: dict[tuple[str, bool], tuple[np.ndarray, np.ndarray]] = {}
    no_conflict = np.ones(n_e, bool)
    rotation = judge_rotation_slots(scenario, slots, idx)
    slot_pos = {s: k for k, s in enumerate(slots)}
    week = np.fromiter((s.date.isocalendar()[0] * 100 + s.date.isocalendar()[1] for s in slots), np.int64, len(slots))

    infeasible: list[str] = []
    pins = {p.case: p for p in request.pins}
    previous = {p.case: p for p in request.previous}
    for cid in pins:
        if cid not in scenario.case_by_id:
            infeasible.append(f"pin for case {cid!r}: no such case in the scenario")
    wanted = list(request.cases) if request.cases is not None else [c.id for c in scenario.cases]
    for cid in wanted:
        if cid not in scenario.case_by_id:
            infeasible.append(f"request.cases names {cid!r}: no such case in the scenario")
    wanted_set = set(wanted)
    reserved_ids = {p.case for p in request.reserved}
    case_ids = [c.id for c in scenario.cases if (c.id in wanted_set or c.id in pins) and c.id not in reserved_ids]

    # Resources the pins and reserved lines already hold: they shrink what the rest of the plan may use.
    open_capacity = np.fromiter((e.max_open_cases - e.open_cases for e in experts), np.int64, n_e)
    busy = np.zeros((n_e, len(slots)), dtype=bool)  # expert sits in a pinned session then
    session_capacity: dict[tuple[int, int], int] = {}
    room_used: dict[tuple[str, int], set[int]] = defaultdict(set)
    reserved_load = np.zeros(n_e, np.int64)  # lines per expert held by reserved lines
    reserved: list[tuple[Case, int | None, list[SeatOption]]] = []
    reserved_minutes: dict[str, np.ndarray] = {}  # per center: travel minutes from each expert's home
    for p in request.pins + request.reserved:
        if p.case not in scenario.case_by_id:
            if p.case in reserved_ids:
                infeasible.append(f"reserved line for case {p.case!r}: no such case in the scenario")
            continue
        case = scenario.case_by_id[p.case]
        k = slot_pos.get(p.slot) if p.slot is not None else None
        if k is not None and not p.online and p.room is not None:
            if p.room in room_used[case.center, k]:
                infeasible.append(f"pins: room {p.room} of {case.center} at {p.slot} is pinned twice")
            room_used[case.center, k].add(p.room)
        for s in p.team:
            if s.expert not in idx:
                if p.case in reserved_ids:
                    infeasible.append(f"reserved line for case {p.case}: expert {s.expert!r} does not exist")
                continue  # a pin's is reported by the pin's own analysis below
            i = idx[s.expert]
            if k is not None:
                if busy[i, k]:
                    infeasible.append(f"pins: expert {s.expert} is pinned to two sessions at {p.slot}")
                busy[i, k] = True
        if p.case in reserved_ids:
            if case.center not in reserved_minutes:
                reserved_minutes[case.center] = tt.from_center(case.center)[home]
            reserved.append((case, k, _reserved_options(p, case, experts, idx, reserved_minutes[case.center], is_judge,
                                                        online_minutes)))
            for x in set(p.experts):
                if x in idx:
                    reserved_load[idx[x]] += 1
    # A reserved line's case is not in the model: its workload is taken out of the capacity here
    # (and counted in the balance through base_load), where a pin's is counted by its own variables.
    open_capacity_before = open_capacity
    open_capacity = open_capacity - reserved_load
    room_capacity: dict[tuple[str, int], int] = {}
    for c in scenario.centers:
        for k in range(len(slots)):
            used = room_used.get((c.id, k), set())
            room_capacity[c.id, k] = c.rooms - len(used)

    planned: list[PlannedCase] = []
    has_room = open_capacity > 0
    free_all = avail & ~busy
    for ci, cid in enumerate(case_ids):
        case = scenario.case_by_id[cid]
        pin = pins.get(cid)
        pc = PlannedCase(index=ci, case=case, seats=[], slots={}, pin=pin, previous=previous.get(cid))
        if case.center not in center_cache:
            open_here = opening_slots(scenario, slots, case.center)
            rooms_free = np.fromiter((room_capacity[case.center, k] > 0 for k in range(len(slots))), bool, len(slots))
            center_cache[case.center] = (tt.from_center(case.center)[home], open_here, rooms_free)
        minutes, open_here, rooms_free = center_cache[case.center]
        # The location rule reads only the case's center and whether it may meet online.
        where = (case.center, bool(case.needs_session and case.online_allowed))
        if where not in location_cache:
            location_cache[where] = location_modes(minutes, max_travel, is_judge, online_capable, case)
        in_person_ok, online_ok = location_cache[where]
        coi = conflict_of_interest_mask(n_e, idx, affiliated, case) if (
            case.organizations or case.excluded_experts) else no_conflict
        if case.language not in lang_cache:
            lang_cache[case.language] = language_mask(experts, case)
        lang = lang_cache[case.language]
        in_window = deadline_slots(slot_days, start, case)
        if case.needs_session:
            rule_ok = {IN_PERSON: in_window & open_here, ONLINE: in_window & bool(case.online_allowed)}
            slot_ok = {IN_PERSON: rule_ok[IN_PERSON] & rooms_free, ONLINE: rule_ok[ONLINE]}
        else:
            rule_ok = slot_ok = {IN_PERSON: np.zeros(len(slots), bool), ONLINE: np.zeros(len(slots), bool)}
        if pin is not None:
            slot_ok = _restrict_to_pin(scenario, pc, pin, rule_ok, slot_pos, len(slots), infeasible)
        pc.slot_ok = slot_ok
        pc.slots = {m: np.flatnonzero(slot_ok[m]) for m in MODES}
        if case.needs_session and not any(len(v) for v in pc.slots.values()):
            pc.reasons.append(_no_slot_reason(scenario, case, start, slots, in_window))
        cat = case.category.value
        if cat not in prof_cache:
            prof_cache[cat] = np.fromiter((e.categories.get(case.category, 1) for e in experts), np.int64, n_e)
        prof_all = prof_cache[cat]
        liked = set(case.preferred_experts) | set(case.previous_experts)
        seat_free: list[np.ndarray] = []
        # Cases alike in everything a seat's pool depends on share that pool (read-only after the
        # build): a day's queue holds many cases of one category at one center.
        alike = pin is None and not liked and coi is no_conflict
        for role in case.needs_roles:
            if (role, cat) not in fill_cache:
                fill_cache[role, cat] = expertise_mask(experts, role, case)
            fill = fill_cache[role, cat]
            key = (case.center, role, cat, case.language, case.needs_session, bool(case.online_allowed),
                   slot_ok[IN_PERSON].tobytes(), slot_ok[ONLINE].tobytes()) if alike else None
            if key in seat_memo:  # (an empty pool is not remembered: its reason names the case's deadline)
                pool, free, dropped = seat_memo[key]
                seat_free.append(free)
                pc.seats.append(Seat(role, pool, dropped_min=dropped))
                continue
            base = fill & lang & coi & has_room
            if pin is not None:
                pinned = pin.expert_for(role)
                only = np.zeros(n_e, bool)
                if pinned is not None and pinned in idx:
                    only[idx[pinned]] = True
                base &= only
            cand = np.flatnonzero(base)
            parts = []
            frees = []  # per part: (rows × slots) usable slots of each option
            dropped = {IN_PERSON: INF, ONLINE: INF}

            def cheapest(sel: np.ndarray, mode: int) -> np.ndarray:
                """Remember only the ``pool_limit`` cheapest experts of a mode (seat cost alone);
                the cheapest cost left out is kept so that bounds still cover the rest."""
                if pool_limit is None or pin is not None or len(sel) <= pool_limit:
                    return sel
                travel = online_minutes if mode == ONLINE else np.where(is_judge[sel], 0.0, minutes[sel])
                c = weights.proficiency * (5 - prof_all[sel]) + weights.travel * travel
                order = np.argpartition(c, pool_limit - 1)
                keep = np.zeros(len(sel), bool)
                keep[order[:pool_limit]] = True
                if liked:  # preferred and previous experts are always remembered (continuity)
                    keep |= np.fromiter((experts[i].id in liked for i in sel), bool, len(sel))
                if keep.all():
                    return sel
                dropped[mode] = float(c[~keep].min())  # the continuity term only adds: still a bound
                return sel[keep]

            if not case.needs_session:
                sel = cheapest(cand[in_person_ok[cand]], IN_PERSON)
                parts.append((sel, IN_PERSON))
                frees.append(np.zeros((len(sel), len(slots)), bool))
            else:
                for mode, ok in ((IN_PERSON, in_person_ok), (ONLINE, online_ok)):
                    sel = cheapest(cand[ok[cand]], mode)
                    # A pinned case keeps its own session; other cases must avoid pinned sessions.
                    free = avail[sel] if pin is not None else free_all[sel]
                    for r in np.flatnonzero(is_judge[sel]):
                        free[r] &= rotation[int(sel[r]), case.center]
                    f = free & slot_ok[mode]
                    usable = f.any(axis=1)
                    parts.append((sel[usable], mode))
                    frees.append(f[usable])
            seat_free.append(np.concatenate(frees))
            ex = np.concatenate([c for c, _ in parts]).astype(np.int64)
            md = np.concatenate([np.full(len(c), m, np.int8) for c, m in parts])
            prof = prof_all[ex]
            travel, miss = _travel_and_miss(ex, md, minutes, is_judge, online_minutes, experts, liked)
            cost = weights.proficiency * (5 - prof) + weights.travel * travel + weights.continuity * miss
            pool = SeatPool(ex, md, prof, travel, miss, cost)
            if not len(pool):
                pc.reasons.append(
                    _no_expert_reason(scenario, case, role, pin, experts, fill, lang, coi, open_capacity,
                                      in_person_ok, online_ok, avail & ~busy, rotation, slot_ok, is_judge, minutes)
                )
            pc.seats.append(Seat(role, pool, dropped_min=dropped))
            if key is not None and len(pool):
                seat_memo[key] = (pool, seat_free[-1], dropped)
        if on_case is not None:
            on_case(pc, start, seat_free)
        if pin is not None and pc.reasons:
            infeasible.append(f"pin for case {cid}: " + "; ".join(pc.reasons))
        planned.append(pc)

    max_sessions = np.fromiter((e.max_sessions_per_week for e in experts), np.int64, n_e)
    # Sessions held earlier in today's week are history: they use up that week's limit (never below 0:
    # a week already over its limit only means no further session, not an infeasible plan).
    today_week = scenario.today.isocalendar()[0] * 100 + scenario.today.isocalendar()[1]
    held_before = np.fromiter((e.sessions_this_week for e in experts), np.int64, n_e)
    for w in sorted(set(week.tolist())):
        pinned_sessions = busy[:, week == w].sum(axis=1)
        limit = np.maximum(max_sessions - held_before, 0) if w == today_week else max_sessions
        capacity = (limit - pinned_sessions).tolist()
        session_capacity.update(((i, int(w)), c) for i, c in enumerate(capacity))
        for i in np.flatnonzero(limit < pinned_sessions):
            held = f" after {held_before[i]} held earlier this week" if w == today_week and held_before[i] else ""
            infeasible.append(
                f"pins: expert {experts[i].id} has {pinned_sessions[i]} pinned sessions in week {w % 100}, "
                f"over max_sessions_per_week {experts[i].max_sessions_per_week}{held}"
            )
    pinned_lines = defaultdict(int)
    for p in request.pins + request.reserved:
        for s in p.team:
            if s.expert in idx:
                pinned_lines[idx[s.expert]] += 1
    for i, n in pinned_lines.items():
        if n > open_capacity_before[i]:
            infeasible.append(
                f"pins: expert {experts[i].id} is pinned to {n} cases but has room for {open_capacity_before[i]} "
                f"(max_open_cases {experts[i].max_open_cases}, open_cases {experts[i].open_cases})"
            )
    return Problem(scenario, request, start, slots, experts, planned, open_capacity, week, session_capacity,
                   room_capacity, infeasible, free=avail & ~busy, avail=avail, rotation=rotation, is_judge=is_judge,
                   base_load=reserved_load if request.reserved else None, reserved=reserved)


def option_slot_matrix(p: Problem, pc: PlannedCase, seat: Seat, rows: np.ndarray) -> np.ndarray:
    """(rows × slots): pool row may take the seat in that slot — the expert is free (a pinned case:
    available), a judge is rotated to the case's center, and the case may meet then in the row's mode.
    All False for a case without session."""
    experts = seat.pool.expert[rows]
    if not pc.needs_session:
        return np.zeros((len(rows), len(p.slots)), bool)
    modes = seat.pool.mode[rows]
    free = p.avail[experts] if pc.pin is not None else p.free[experts]
    for r in np.flatnonzero(p.is_judge[experts]):
        free[r] &= p.rotation[int(experts[r]), pc.case.center]
    free &= np.where(modes[:, None] == ONLINE, pc.slot_ok[ONLINE][None, :], pc.slot_ok[IN_PERSON][None, :])
    return free


def _travel_and_miss(ex: np.ndarray, md: np.ndarray, minutes: np.ndarray, is_judge: np.ndarray, online_minutes: float,
                     experts: tuple[Expert, ...], liked: set[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per option (expert ``ex``, mode ``md``): the minutes the travel term counts (online: online_minutes;
    judges: 0, the rotation brings them) and whether it misses the case's preferred or previous experts."""
    travel = np.where(md == ONLINE, online_minutes, np.where(is_judge[ex], 0.0, minutes[ex]))
    miss = np.fromiter((experts[i].id not in liked for i in ex), bool, len(ex)) if liked else np.zeros(len(ex), bool)
    return travel, miss


def _reserved_options(line: AssignmentLine, case: Case, experts: tuple[Expert, ...], idx: dict[str, int],
                      minutes: np.ndarray, is_judge: np.ndarray, online_minutes: float) -> list[SeatOption]:
    """A reserved line's seats priced as the pool prices options (proficiency, travel-term minutes,
    continuity miss), without re-deriving whether the rules allow them."""
    mode = ONLINE if line.online else IN_PERSON
    ex = np.array([idx[s.expert] for s in line.team if s.expert in idx], np.int64)  # a missing one: infeasible
    travel, miss = _travel_and_miss(ex, np.full(len(ex), mode, np.int8), minutes, is_judge, online_minutes, experts,
                                    set(case.preferred_experts) | set(case.previous_experts))
    return [SeatOption(int(i), mode, np.empty(0, np.int64), int(experts[i].categories.get(case.category, 1)), float(t),
                       bool(m)) for i, t, m in zip(ex, travel, miss)]


def keep_options(p: Problem, pc: PlannedCase, seat: Seat, rows: np.ndarray, shared: dict | None = None) -> None:
    """Put pool rows ``rows`` (sorted, unique) into the model as the seat's options.

    With ``shared`` (a dict living for one pass over the cases), seats of alike cases (one shared
    pool, see build_problem) given the same rows share one read-only options list."""
    rows = np.unique(rows)
    if shared is not None:
        key = (id(seat.pool), rows.tobytes())  # the pools outlive the pass: ids are not reused
        if key in shared:
            seat.options, seat.kept = shared[key], rows
            return
    experts = seat.pool.expert[rows]
    modes = seat.pool.mode[rows]
    if pc.needs_session and len(rows):
        free = option_slot_matrix(p, pc, seat, rows)
        r_idx, cols = np.nonzero(free)
        slot_lists = np.split(cols.astype(np.int64), np.cumsum(np.bincount(r_idx, minlength=len(rows)))[:-1])
    else:
        slot_lists = [np.empty(0, np.int64)] * len(rows)
    pool = seat.pool
    opts = [
        SeatOption(int(e), int(m), sl, int(pr), float(t), bool(mi))
        for e, m, sl, pr, t, mi in zip(experts, modes, slot_lists, pool.proficiency[rows], pool.travel[rows],
                                       pool.miss[rows])
    ]
    seat.options = opts
    seat.kept = rows
    if shared is not None:
        shared[key] = opts


def _restrict_to_pin(
    scenario: Scenario, pc: PlannedCase, pin: AssignmentLine, rule_ok: dict[int, np.ndarray],
    slot_pos: dict[TimeSlot, int], n_slots: int, infeasible: list[str],
) -> dict[int, np.ndarray]:
    """Pins stay exactly as they are: only the pinned slot and mode remain (if the rules allow them)."""
    case = pc.case
    roles = sorted(s.role.value for s in pin.team)
    if roles != sorted(r.value for r in case.needs_roles):
        infeasible.append(
            f"pin for case {case.id}: team roles {roles} differ from needs_roles {sorted(r.value for r in case.needs_roles)}"
        )
    if len(set(pin.experts)) != len(pin.experts):
        infeasible.append(f"pin for case {case.id}: one expert holds two seats")
    out = {m: np.zeros(n_slots, bool) for m in MODES}
    if not case.needs_session:
        if pin.slot is not None:
            infeasible.append(f"pin for case {case.id}: the case needs no session but the pin has slot {pin.slot}")
        return out
    if pin.slot is None:
        infeasible.append(f"pin for case {case.id}: the case needs a session but the pin has no slot")
        return out
    k = slot_pos.get(pin.slot)
    if k is None:
        infeasible.append(f"pin for case {case.id}: slot {pin.slot} is outside the planning horizon")
        return out
    mode = ONLINE if pin.online else IN_PERSON
    if not rule_ok[mode][k]:
        why = "online is not allowed" if mode == ONLINE and not case.online_allowed else (
            f"past the deadline {case.deadline.isoformat()}" if pin.slot.date > case.deadline else
            f"center {case.center} is closed then")
        infeasible.append(f"pin for case {case.id}: slot {pin.slot} breaks the slot rule ({why})")
        return out
    if mode == IN_PERSON:
        rooms = scenario.center_by_id[case.center].rooms
        if pin.room is None or pin.room >= rooms:
            infeasible.append(f"pin for case {case.id}: room {pin.room} is not a room of {case.center} (rooms 0..{rooms - 1})")
            return out
    out[mode][k] = True
    return out


def _no_slot_reason(scenario: Scenario, case: Case, start: dt.date, slots: tuple[TimeSlot, ...], in_window: np.ndarray) -> str:
    if case.deadline < start:
        return f"deadline {case.deadline.isoformat()} is before the planning day {start.isoformat()}"
    if not in_window.any():
        return f"no half-day of the horizon falls on or before the deadline {case.deadline.isoformat()}"
    return (
        f"center {case.center} is closed or has no free room in every half-day before "
        f"{case.deadline.isoformat()}" + ("" if case.online_allowed else ", and the case does not allow online")
    )


def _no_expert_reason(
    scenario, case, role, pin, experts, fill, lang, coi, open_capacity, in_person_ok, online_ok, free, rotation,
    slot_ok, is_judge, minutes,
) -> str:
    """Name the rule that removed the last candidate for this seat (filters applied in order)."""
    what = f"{case.category.value} {role.value}"
    if pin is not None:
        who = pin.expert_for(role)
        if who is None:
            return f"the pin names no {role.value}"
        if who not in {e.id for e in experts}:
            return f"pinned expert {who!r} does not exist"
        i = next(k for k, e in enumerate(experts) if e.id == who)
        for ok, rule in ((fill[i], "expertise"), (lang[i], f"language {case.language}"), (coi[i], "conflict of interest"),
                         (open_capacity[i] > 0, "workload (max_open_cases)")):
            if not ok:
                return f"pinned {role.value} {who} breaks {rule}"
        return f"pinned {role.value} {who} is not available (location, leave, rotation or deadline) in the pinned slot"
    m = fill
    if not m.any():
        return f"no {what} in the pool"
    if not (m := m & lang).any():
        return f"no {what} speaks {case.language}"
    if not (m := m & coi).any():
        return f"every {what} speaking {case.language} has a conflict of interest"
    if not (m := m & (open_capacity > 0)).any():
        return f"every eligible {what} already holds max_open_cases"
    reach = m & (in_person_ok | online_ok)
    if not reach.any():
        nearest = float(minutes[m].min())
        online = "online not allowed" if not case.online_allowed or not case.needs_session else "none is online-capable"
        return f"no {what} within travel of center {case.center} (nearest {nearest:.0f} min) and {online}"
    if not case.needs_session:
        return f"no {what} can reach center {case.center}"
    any_slot = slot_ok[IN_PERSON] | slot_ok[ONLINE]
    if role == Role.JUDGE:
        return (
            f"no judge is rotated to center {case.center} in a free half-day on or before "
            f"{case.deadline.isoformat()}"
        )
    if not any_slot.any():
        return f"no usable half-day on or before {case.deadline.isoformat()}"
    return f"no {what} within reach of center {case.center} is free on or before {case.deadline.isoformat()}"
