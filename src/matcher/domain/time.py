"""Time units: half-day slots on a calendar and weekly recurring half-days."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, model_validator

from .enums import HalfDay

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class TimeSlot(BaseModel):
    """One half-day on the calendar (e.g. 2024-03-05 am). Ordered by date then half."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: dt.date
    half: HalfDay

    @property
    def weekly(self) -> WeeklySlot:
        return WeeklySlot(weekday=self.date.weekday(), half=self.half)

    @property
    def ordinal(self) -> int:
        """A total order: two slots per day."""
        return self.date.toordinal() * 2 + (0 if self.half == HalfDay.AM else 1)

    def __lt__(self, other: TimeSlot) -> bool:
        return self.ordinal < other.ordinal

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.half.value}"

    @classmethod
    def from_ordinal(cls, ordinal: int) -> TimeSlot:
        return cls(date=dt.date.fromordinal(ordinal // 2), half=HalfDay.AM if ordinal % 2 == 0 else HalfDay.PM)


class WeeklySlot(BaseModel):
    """A recurring half-day of the week: weekday 0 = Monday … 6 = Sunday."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weekday: int
    half: HalfDay

    @model_validator(mode="after")
    def _weekday_in_range(self) -> WeeklySlot:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {self.weekday}")
        return self

    def __str__(self) -> str:
        return f"{_WEEKDAYS[self.weekday]} {self.half.value}"


def working_week() -> tuple[WeeklySlot, ...]:
    """Monday to Friday, morning and afternoon: the default opening hours."""
    return tuple(WeeklySlot(weekday=d, half=h) for d in range(5) for h in HalfDay)


class DateRange(BaseModel):
    """An inclusive range of dates, e.g. a leave period."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _end_not_before_start(self) -> DateRange:
        if self.end < self.start:
            raise ValueError(f"end {self.end.isoformat()} is before start {self.start.isoformat()}")
        return self

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end
