"""Judge rotation calendars (轮驻) on a general rostering core."""

from .config import RotationConfig, RotationParams
from .judges import RotationChange, RotationResult, plan_rotation, replan_rotation

__all__ = ["RotationChange", "RotationConfig", "RotationParams", "RotationResult", "plan_rotation", "replan_rotation"]
