"""Staffing-scenario comparisons as jobs: the library's compare, run on the planner's variant library.

Variants are named from the catalogue (bundled scenarios and ``scenarios/variants/*.yaml``) or given
inline with a bundled base — never as file paths, so a request cannot read other files.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from matcher.scenarios import bundled_scenarios, scenario_dir
from matcher.simulation import SimulationParams
from matcher.simulation.compare import compare_scenarios, comparison_table
from matcher.simulation.variants import ScenarioVariant, load_variant

from ..db.models import JobRow, SimulationRunRow


def variant_dir() -> Path:
    return scenario_dir() / "variants"


def catalogue() -> list[dict[str, str]]:
    """What a planner can compare: bundled scenarios and the variant library."""
    out = [{"name": n, "kind": "scenario", "base": n, "description": "bundled scenario, unchanged"} for n in bundled_scenarios()]
    for path in sorted(variant_dir().glob("*.yaml")):
        v = load_variant(path)
        out.append({"name": path.stem, "kind": "variant", "base": v.base, "description": v.description or v.describe()})
    return out


def resolve(ref: str | dict[str, Any], index: int) -> ScenarioVariant:
    """A catalogue name or an inline variant (base must be a bundled scenario) → the variant."""
    if isinstance(ref, str):
        if ref in bundled_scenarios():
            return ScenarioVariant(name=ref, base=ref)
        path = variant_dir() / f"{ref}.yaml"
        if "/" in ref or "\\" in ref or ref.startswith(".") or not path.is_file():
            raise ValueError(f"variants.{index} = {ref!r}: not in the catalogue (GET /simulations/catalogue)")
        return load_variant(path)
    variant = ScenarioVariant.model_validate({k: v for k, v in ref.items() if k != "source"})
    if variant.base not in bundled_scenarios():
        raise ValueError(f"variants.{index}.base = {variant.base!r}: an inline variant's base must be a bundled scenario "
                         f"({', '.join(bundled_scenarios())})")
    return variant


def run_compare_job(db: Session, job: JobRow) -> Callable[[Session], str | None]:
    params = dict(job.params)
    variants = [resolve(v, i) for i, v in enumerate(params["variants"])]

    def progress(done: int, total: int) -> None:
        # Progress between 0.1 (started) and 0.95; only while the job is still running.
        db.execute(update(JobRow).where(JobRow.id == job.id, JobRow.status == "running")
                   .values(progress=round(0.1 + 0.85 * done / total, 3), message=f"{done}/{total} runs"))
        db.commit()

    report = compare_scenarios(
        variants, params["days"], params["replications"], params["seed"],
        SimulationParams(time_limit_s=params["time_limit_s"], workers=1), assigner=params["assigner"],
        warmup_days=params["warmup_days"], progress=progress,
    )

    def write(tx: Session) -> str:
        run_id = str(uuid.uuid4())
        tx.add(SimulationRunRow(
            id=run_id, job_id=job.id, created_by=job.created_by,
            summary={"variants": [v.name for v in report.variants], "days": report.days,
                     "replications": report.replications, "seed": report.seed, "warmup_days": report.warmup_days,
                     "wall_seconds": round(report.wall_seconds, 3), "table": comparison_table(report)},
            # Through JSON text: undefined KPIs (NaN) become "NaN" strings, which PostgreSQL's json accepts.
            report=json.loads(report.model_dump_json()),
        ))
        return run_id

    return write
