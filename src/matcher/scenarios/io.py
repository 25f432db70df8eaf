"""Loading and saving scenario files (JSON, defaults left out to keep them small)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from matcher.domain import Scenario


def scenario_dir() -> Path:
    """The bundled scenarios: ``$MATCHER_SCENARIO_DIR`` or the repository's ``scenarios/``."""
    env = os.environ.get("MATCHER_SCENARIO_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "scenarios"


def bundled_scenarios() -> list[str]:
    return sorted(p.stem for p in scenario_dir().glob("*.json"))


def scenario_path(name_or_path: str | Path) -> Path:
    p = Path(name_or_path)
    if p.suffix in (".json", ".yaml", ".yml") or p.exists():
        return p
    return scenario_dir() / f"{name_or_path}.json"


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A bundled scenario by name (``"baoan"``) or any scenario file (JSON or YAML) by path, validated."""
    path = scenario_path(name_or_path)
    if not path.exists():
        known = ", ".join(bundled_scenarios()) or "none"
        raise FileNotFoundError(f"no scenario {str(name_or_path)!r} (bundled: {known})")
    if path.is_dir():
        raise ValueError(f"scenario {str(path)!r} is a directory, not a scenario file")
    if path.suffix in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:  # (a ValueError, as JSON's errors are, for every caller to report)
            raise ValueError(f"scenario {str(path)!r} is not valid YAML: {exc}") from None
        return Scenario.model_validate(data)
    return Scenario.model_validate_json(path.read_bytes())


def dumps(scenario: Scenario) -> str:
    return json.dumps(scenario.model_dump(mode="json", exclude_defaults=True), ensure_ascii=False, separators=(",", ":")) + "\n"


def save_scenario(scenario: Scenario, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(scenario), encoding="utf-8")
    return path


def json_schema() -> dict:  # type: ignore[type-arg]
    """The published JSON Schema of a scenario file."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://matcher.example/scenario.schema.json"
    return schema
