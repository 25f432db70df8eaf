"""Bundled scenarios and their seeded generator."""

from .generator import DEFAULT_SEEDS, generate_cases, generate_scenario
from .io import bundled_scenarios, json_schema, load_scenario, save_scenario, scenario_dir

__all__ = [
    "DEFAULT_SEEDS",
    "bundled_scenarios",
    "generate_cases",
    "generate_scenario",
    "json_schema",
    "load_scenario",
    "save_scenario",
    "scenario_dir",
]
