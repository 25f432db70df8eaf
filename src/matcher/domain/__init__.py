"""The domain layer: pydantic models and validation only (no solver imports)."""

from .enums import INDUSTRY_CATEGORIES, Category, CenterLevel, HalfDay, Qualification, RiskLevel, Role
from .models import CATEGORY_BOUND_ROLES, Case, Center, Court, Expert, Party
from .scenario import ArrivalRate, Scenario, TravelTime
from .assignment import AssignmentLine, AssignmentRequest, Seat
from .rotation import RotationSlot
from .time import DateRange, TimeSlot, WeeklySlot, working_week

__all__ = [
    "ArrivalRate",
    "AssignmentLine",
    "AssignmentRequest",
    "RotationSlot",
    "Seat",
    "CATEGORY_BOUND_ROLES",
    "Case",
    "Category",
    "Center",
    "CenterLevel",
    "Court",
    "DateRange",
    "Expert",
    "HalfDay",
    "INDUSTRY_CATEGORIES",
    "Party",
    "Qualification",
    "RiskLevel",
    "Role",
    "Scenario",
    "TimeSlot",
    "TravelTime",
    "WeeklySlot",
    "working_week",
]
