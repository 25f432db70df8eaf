"""What an assignment *is*: the data exchanged between the engine, the checker, the CLI and the API.

The rules an assignment must satisfy are stated once here, in words, so that the model builder
(:mod:`matcher.assignment`) and the independent checker (:mod:`matcher.checker`) implement them
separately from the same specification:

1. Every case of the problem gets at most one line; a case without one is *unassigned*.
2. Team (expertise): one distinct expert per role in ``case.needs_roles``, each with
   ``expert.can_fill(role, case.category)`` and speaking ``case.language``.
3. Conflict of interest: no team member in ``case.excluded_experts``; no team member whose
   ``affiliations`` intersect the organizations of the case's parties.
4. Location: the session is online (``case.online_allowed`` and every member ``online_capable``), or
   every member other than a judge can travel from their home center to ``case.center`` within
   ``max_travel_minutes`` (travel times from :func:`matcher.network.travel_minutes`).
5. Slot: a case with ``needs_session`` gets a slot inside the planning horizon, on or after the
   planning day and on or before ``case.deadline``; an in-person session also needs the center open
   in that weekly half-day and a room ``0 <= room < center.rooms``. A case without ``needs_session``
   has no slot and no room.
6. Availability: each member has the slot's weekly half-day in ``availability`` and is not on leave
   that date; a judge additionally has a :class:`RotationSlot` placing them at ``case.center`` in that
   slot (judicial confirmation happens where the judge is stationed).
7. One place at a time: no expert in two sessions in the same slot; no room of a center hosts two
   in-person sessions in the same slot.
8. Workload: for every expert, ``open_cases`` + lines naming them <= ``max_open_cases``; sessions
   in any ISO week <= ``max_sessions_per_week``.
9. Pins: every pinned line (``pins`` and ``reserved``) appears in the solution exactly as pinned.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .enums import HalfDay, Role
from .models import Id
from .time import TimeSlot


class Seat(BaseModel):
    """One role of a case's team, filled by one expert."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Role
    expert: Id


class AssignmentLine(BaseModel):
    """A case's team and (if it needs one) its session: slot, room or online."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    case: Id
    team: tuple[Seat, ...] = Field(min_length=1)
    slot: TimeSlot | None = None
    room: int | None = Field(default=None, ge=0)
    online: bool = False

    @model_validator(mode="after")
    def _shape(self) -> AssignmentLine:
        if self.online and self.room is not None:
            raise ValueError(f"an online session has no room (got room {self.room})")
        if self.slot is None and (self.room is not None or self.online):
            raise ValueError("room and online describe a session: slot is required")
        return self

    @property
    def experts(self) -> tuple[str, ...]:
        return tuple(s.expert for s in self.team)

    def expert_for(self, role: Role) -> str | None:
        return next((s.expert for s in self.team if s.role == role), None)


class AssignmentRequest(BaseModel):
    """What a coordinator asks for: which open cases to plan, over which horizon, keeping which pins.

    The planning horizon is ``horizon_days`` calendar days from ``horizon_start`` (default: the
    scenario's ``today``), two half-day slots a day. ``pins`` are lines already announced to the
    parties (kept exactly); ``previous`` is an earlier, unannounced plan whose changes a re-solve keeps
    few (the disruption term).

    ``reserved`` are announced lines too, kept exactly and returned in the plan like pins, but the
    engine takes them as resource reservations only (their experts busy in their slots, their rooms
    taken, their lines counted in the experts' workload and the balance, their own terms added to
    the objective as a constant) instead of re-deriving each one's options: the caller vouches that
    each line keeps the one-case rules 2–6 (a day loop passing back yesterday's plan does; the
    checker still checks them). Much cheaper than pins when most of the problem is already announced.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    cases: tuple[Id, ...] | None = Field(default=None, description="Case ids to plan; None = every case")
    horizon_start: dt.date | None = None
    horizon_days: int = Field(default=10, ge=1, le=92)
    pins: tuple[AssignmentLine, ...] = ()
    previous: tuple[AssignmentLine, ...] = ()
    reserved: tuple[AssignmentLine, ...] = ()

    @model_validator(mode="after")
    def _pins_unique(self) -> AssignmentRequest:
        seen: set[str] = set()
        for name, lines in (("pins", self.pins), ("reserved", self.reserved)):
            for i, p in enumerate(lines):
                if p.case in seen:
                    raise ValueError(f"{name}[{i}].case {p.case!r} is pinned twice")
                seen.add(p.case)
        if self.reserved:
            both = {p.case for p in self.reserved} & set(self.cases or ())
            if both:
                raise ValueError(f"reserved cases are already planned, not to be planned again: {sorted(both)[:5]}")
        return self

    def slots(self, today: dt.date) -> tuple[TimeSlot, ...]:
        """Every half-day of the horizon, in order."""
        start = self.horizon_start or today
        return tuple(
            TimeSlot(date=start + dt.timedelta(days=d), half=h) for d in range(self.horizon_days) for h in HalfDay
        )
