"""Variants side by side (方案比较): the same seeds for every variant, paired differences with CIs.

Every variant runs replications ``0..R-1`` of the same seed, so replication ``r`` of each variant
sees the same random numbers wherever the variants agree (common random numbers, see
:class:`~matcher.simulation.arrivals.RandomStreams`). A difference is then estimated from the
per-replication differences (a paired t-interval), which is much tighter than comparing two
independent intervals. All (variant, replication) runs go to the runner at once, so a sweep spreads
over every Dask worker.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from matcher.assignment import ObjectiveWeights

from .kpis import Estimate, estimate
from .params import SimulationParams
from .parallel import Progress, Runner
from .run import SimulationReport, _fmt, check_run, kpi_doc, simulate_many
from .variants import ScenarioVariant, apply_variant, base_scenario

#: KPIs that measure the machine, not the centers: shown, never differenced.
MACHINE_KPIS = ("solve_seconds",)


class VariantResult(BaseModel):
    model_config = ConfigDict(frozen=True, ser_json_inf_nan="strings")  # JSON without NaN (PostgreSQL refuses it)

    name: str
    description: str
    report: SimulationReport


class ComparisonReport(BaseModel):
    """Each variant's report, and each variant's paired differences to the first (the base)."""

    model_config = ConfigDict(frozen=True, ser_json_inf_nan="strings")  # JSON without NaN (PostgreSQL refuses it)

    days: int
    replications: int
    seed: int
    warmup_days: int
    variants: list[VariantResult]
    differences: dict[str, dict[str, Estimate]]  # variant name -> KPI -> (variant − base) estimate
    wall_seconds: float
    workers: int

    @property
    def base(self) -> VariantResult:
        return self.variants[0]


def paired_differences(base: SimulationReport, other: SimulationReport) -> dict[str, Estimate]:
    """Per KPI, the mean of (other − base) over paired replications with its 95% t-interval."""
    out = {}
    for k in base.summary:
        if k in MACHINE_KPIS:
            continue
        d = [o.get(k, math.nan) - b.get(k, math.nan) for b, o in zip(base.per_replication, other.per_replication)]
        out[k] = estimate(d)
    return out


def compare_scenarios(
    variants: Sequence[ScenarioVariant],
    days: int,
    replications: int,
    seed: int,
    params: SimulationParams | None = None,
    weights: ObjectiveWeights | None = None,
    *,
    assigner: str = "engine",
    warmup_days: int = 0,
    runner: Runner | None = None,
    progress: Progress | None = None,
) -> ComparisonReport:
    """Simulate every variant (the first is the base) with the same seeds; differences to the base."""
    if not variants:
        raise ValueError("variants must name at least the base")
    names = [v.name for v in variants]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"variant names must be unique, got {dupes[0]!r} twice")
    check_run(days, replications, warmup_days, seed)
    bases: dict[tuple[str | None, str], object] = {}
    applied = []
    for v in variants:
        key = (v.source, v.base)
        if key not in bases:
            bases[key] = base_scenario(v)
        applied.append(apply_variant(v, params, bases[key]))  # type: ignore[arg-type]
    reports = simulate_many(applied, days, replications, seed, weights, assigner=assigner, warmup_days=warmup_days,
                            runner=runner, progress=progress)
    wall = reports[0].wall_seconds
    out = [VariantResult(name=v.name, description=v.describe(), report=rep) for v, rep in zip(variants, reports)]
    diffs = {v.name: paired_differences(out[0].report, v.report) for v in out[1:]}
    return ComparisonReport(days=days, replications=replications, seed=seed, warmup_days=warmup_days,
                            variants=out, differences=diffs, wall_seconds=wall, workers=getattr(runner, "workers", 1))


def as_comparison(report: SimulationReport, name: str, description: str = "", workers: int = 1) -> ComparisonReport:
    """One simulation shown as a one-variant comparison (the same report and table code)."""
    return ComparisonReport(days=report.days, replications=report.replications, seed=report.seed,
                            warmup_days=report.warmup_days, variants=[VariantResult(name=name, description=description or "(as given)", report=report)],
                            differences={}, wall_seconds=report.wall_seconds, workers=workers)


def significant(e: Estimate) -> bool:
    """The 95% interval of a difference excludes zero."""
    return e.n > 1 and not math.isnan(e.half_width) and (e.low > 0 or e.high < 0)


def comparison_table(report: ComparisonReport) -> str:
    """KPI rows; per variant its mean, and for the others the difference to the base ± half-width
    (``*``: the interval excludes zero)."""
    names = [v.name for v in report.variants]
    head = f"{'KPI':<30}" + "".join(f"{n[:24]:>26}" for n in names)
    rows = [head, f"{'':<30}" + "".join(f"{'mean' if i == 0 else 'mean (Δ vs base ± 95%)':>26}" for i in range(len(names)))]
    for k, base in report.base.report.summary.items():
        cells = [f"{_fmt(base.mean):>26}"]
        for v in report.variants[1:]:
            est = v.report.summary.get(k)
            d = report.differences[v.name].get(k)
            mean = _fmt(est.mean) if est else "-"
            if d is None or d.n < 2 or math.isnan(d.mean):
                cells.append(f"{mean:>26}")
            else:
                star = "*" if significant(d) else " "
                cells.append(f"{mean + f' ({d.mean:+.3g}±{d.half_width:.2g}){star}':>26}")
        rows.append(f"{k:<30}" + "".join(cells))
    rows.append("")
    rows.append("Δ: paired difference to the base over replications with the same seeds; * its 95% interval excludes 0.")
    for v in report.variants:
        rows.append(f"  {v.name}: {v.description}")
    for k in report.base.report.summary:
        if kpi_doc(k):
            rows.append(f"  {k}: {kpi_doc(k)}")
    return "\n".join(rows)
