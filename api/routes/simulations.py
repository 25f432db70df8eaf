"""Staffing scenarios for planners: the variant catalogue, comparisons as jobs, their reports."""

from __future__ import annotations

import math
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select

from matcher.simulation.compare import ComparisonReport, significant
from matcher.simulation.report import render_html
from matcher.simulation.variants import JudgeRotation, ScenarioVariant, apply_variant

from ..core.problems import Problem
from ..db.models import JobRow, SimulationRunRow
from ..deps import Planner, SessionDep
from ..schemas import JobOut
from ..services.audit import record
from ..services.simulations import catalogue, resolve
from .jobs import job_out

router = APIRouter(prefix="/simulations", tags=["simulations"])

#: days × replications × variants above this is refused: one request must not hold the job pool for hours.
MAX_SIMULATED_DAYS = 20_000


class SimulationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    variants: list[str | dict[str, Any]] = Field(min_length=1, max_length=8,
                                                 description="Catalogue names or inline variants; the first is the base")
    days: int = Field(default=90, ge=1, le=730)
    replications: int = Field(default=3, ge=1, le=20)
    seed: int = Field(default=7, ge=0, le=2**31 - 1)
    warmup_days: int = Field(default=0, ge=0, le=365)
    time_limit_s: float = Field(default=0.5, gt=0, le=30, description="Engine seconds per simulated day")
    assigner: Literal["engine", "greedy"] = "engine"


@router.get("/catalogue")
def list_catalogue(_: Planner) -> list[dict[str, str]]:
    """Bundled scenarios and the variant library a comparison can name."""
    return catalogue()


@router.post("", status_code=202, response_model=JobOut)
def request_comparison(
    request: Request, response: Response, db: SessionDep, who: Planner, body: SimulationCreate,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> JobOut:
    """Compare the variants (the first is the base) with the same seeds (a job)."""
    if idempotency_key:
        existing = db.scalar(select(JobRow).where(JobRow.created_by == who.user_id, JobRow.idempotency_key == idempotency_key))
        if existing is not None:
            return job_out(existing)
    if body.warmup_days >= body.days:
        raise Problem(422, f"warmup_days = {body.warmup_days}: must be below days = {body.days}")
    load = body.days * body.replications * len(body.variants)
    if load > MAX_SIMULATED_DAYS:
        raise Problem(422, f"days × replications × variants = {load}: at most {MAX_SIMULATED_DAYS} per request")
    names = []
    for i, ref in enumerate(body.variants):
        try:
            variant = resolve(ref, i)
            dry_run(variant)
            names.append(variant.name)
        except ValidationError as e:
            err = e.errors()[0]
            raise Problem(422, f"variants.{i}.{'.'.join(map(str, err['loc']))} = {err.get('input')!r}: {err['msg']}") from None
        except (ValueError, FileNotFoundError) as e:
            raise Problem(422, str(e)) from None
    if len(set(names)) != len(names):
        raise Problem(422, f"variants: names must be unique, got {names}")
    if not request.app.state.jobs.has_room():
        raise Problem(429, "too many jobs queued; try again later")
    job = JobRow(id=str(uuid.uuid4()), kind="compare", status="queued", progress=0.0, created_by=who.user_id,
                 idempotency_key=idempotency_key, params=body.model_dump(mode="json"))
    db.add(job)
    record(db, who, "request_simulation", "job", job.id)
    db.commit()
    request.app.state.jobs.submit(job.id)
    response.headers["Location"] = f"/jobs/{job.id}"
    return job_out(job)


def dry_run(variant: ScenarioVariant) -> None:
    """Apply the variant's changes now (all but a rotation re-plan, which is the job's work), so
    a bad change is a 422 naming it rather than a failed job."""
    quick = variant.model_copy(update={"changes": tuple(c for c in variant.changes if not isinstance(c, JudgeRotation))})
    apply_variant(quick)


def _run(db, run_id: str, who) -> SimulationRunRow:  # type: ignore[no-untyped-def]
    row = db.get(SimulationRunRow, run_id)
    if row is None or (not who.is_admin and row.created_by != who.user_id and who.role != "planner"):
        raise Problem(404, f"simulation {run_id!r} not found")
    return row


def _clean(x: float) -> float | None:
    return None if isinstance(x, float) and math.isnan(x) else x


@router.get("/{run_id}")
def get_comparison(run_id: str, db: SessionDep, who: Planner) -> dict[str, Any]:
    """KPIs per variant (mean, 95% interval) and each variant's paired difference to the base."""
    row = _run(db, run_id, who)
    rep = ComparisonReport.model_validate(row.report)
    kpis = {}
    for k, base in rep.base.report.summary.items():
        entry: dict[str, Any] = {}
        for v in rep.variants:
            e = v.report.summary.get(k)
            if e is None:
                continue
            item: dict[str, Any] = {"mean": _clean(e.mean), "half_width": _clean(e.half_width)}
            d = rep.differences.get(v.name, {}).get(k)
            if d is not None:
                item["difference"] = {"mean": _clean(d.mean), "half_width": _clean(d.half_width), "significant": significant(d)}
            entry[v.name] = item
        kpis[k] = entry
    return {"id": row.id, "job": row.job_id, "summary": row.summary,
            "variants": [{"name": v.name, "description": v.description} for v in rep.variants], "kpis": kpis}


@router.get("/{run_id}/report.html", response_class=HTMLResponse)
def comparison_report(run_id: str, db: SessionDep, who: Planner) -> HTMLResponse:
    """The planner's self-contained HTML report (plots and side-by-side table)."""
    row = _run(db, run_id, who)
    return HTMLResponse(render_html(ComparisonReport.model_validate(row.report)))

