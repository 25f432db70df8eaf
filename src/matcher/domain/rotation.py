"""Judge rotation (轮驻): which judge is stationed at which center on which half-day."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .models import Id
from .time import TimeSlot


class RotationSlot(BaseModel):
    """One judge (or judging team) stationed at one center for one half-day."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    judge: Id
    center: Id
    slot: TimeSlot
