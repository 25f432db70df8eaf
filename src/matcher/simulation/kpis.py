"""KPIs of one replication, and their means with t-based confidence intervals across replications.

Every KPI is a plain float named in :data:`KPI_DOCS` (units in brackets), so replications, variants
and differences between variants are handled by the same code.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict

from matcher.domain import Role

from .engine import ReplicationTrace

KPI_DOCS: dict[str, str] = {
    "cases_arrived": "disputes arriving during the run [cases]",
    "first_session_p50": "time from arrival to the first session, median [days]",
    "first_session_p90": "time from arrival to the first session, 90th percentile [days]",
    "mean_wait": "time from arrival to the first session (or service start), mean [days]",
    "resolved_in_time": "share of disputes whose time limit fell inside the run resolved by it [0-1]",
    "resolved": "share of closed disputes resolved [0-1]",
    "backlog_mean": "open disputes at the end of a day, mean over days [cases]",
    "backlog_end": "open disputes at the end of the run [cases]",
    "escalated": "escalations to a parent center [attempts]",
    "unassigned_days": "days disputes spent without a line after the morning batch [case-days]",
    "travel_minutes": "travel per in-person seat of a held session, judges excluded, mean [minutes]",
    "load_spread": "coefficient of variation of cases per mediator (full-time and industry) [ratio]",
    "industry_share": "industry disputes whose lead seat was an industry mediator [0-1]",
    "judge_halfdays_used": "judge rotation half-days that hosted a session [half-days]",
    "judge_halfdays_scheduled": "judge rotation half-days on the repeated calendar [half-days]",
    "judge_halfdays_needed": "judge half-days the centers ask for (judge_halfdays_per_week) [half-days]",
    "solve_seconds": "engine wall time per simulated day, mean [s]",
}
#: utilization_<role> KPIs are added per role present: the time-average number of cases on an
#: expert's docket (from the batch that assigned the case to its closure) over max_open_cases,
#: averaged over the role's experts, after the warm-up.


def replication_kpis(trace: ReplicationTrace, warmup_days: int = 0) -> dict[str, float]:
    """The KPIs of one replication; disputes arriving before ``warmup_days`` are left out of the
    per-dispute figures (the run starts empty)."""
    recs = [r for r in trace.records if r.arrived >= warmup_days]
    waits = np.array([r.first_session - r.arrived for r in recs if r.first_session is not None])
    known = [r for r in recs if r.deadline_t <= trace.days]
    closed = [r for r in recs if r.closed is not None]
    industry = [r for r in recs if r.industry and r.first_lead_role is not None]
    out: dict[str, float] = {
        "cases_arrived": float(len(recs)),
        "first_session_p50": _q(waits, 0.5),
        "first_session_p90": _q(waits, 0.9),
        "mean_wait": float(waits.mean()) if len(waits) else math.nan,
        "resolved_in_time": _share([r.resolved and r.closed is not None and r.closed <= r.deadline_t for r in known]),
        "resolved": _share([r.resolved for r in closed]),
        "backlog_mean": float(np.mean(trace.backlog[warmup_days:])) if trace.backlog[warmup_days:] else math.nan,
        "backlog_end": float(trace.backlog[-1]) if trace.backlog else 0.0,
        "escalated": float(sum(r.escalations for r in recs)),
        "unassigned_days": float(sum(r.unassigned_days for r in recs)),
        "travel_minutes": float(np.mean(trace.travel_minutes)) if trace.travel_minutes else math.nan,
        "load_spread": _cv(trace.mediator_loads),
        "industry_share": _share([r.first_lead_role == Role.INDUSTRY_MEDIATOR for r in industry]),
        "judge_halfdays_used": float(trace.judge_halfdays_used),
        "judge_halfdays_scheduled": float(trace.judge_halfdays_scheduled),
        "judge_halfdays_needed": float(trace.judge_halfdays_needed),
        "solve_seconds": trace.solve_seconds / max(trace.solves, 1),
    }
    u = expert_utilization(trace, warmup_days)
    roles = np.array(trace.expert_roles)
    for role in sorted(set(trace.expert_roles)):
        out[f"utilization_{role}"] = float(u[roles == role].mean())
    return out


def expert_utilization(trace: ReplicationTrace, warmup_days: int = 0) -> np.ndarray:
    """Per expert: time-average docket size over [warmup, end) divided by max_open_cases."""
    n = len(trace.expert_roles)
    span = max(trace.days - warmup_days, 1e-9)
    if len(trace.docket) == 0:
        return np.zeros(n)
    d = trace.docket
    busy = np.clip(np.minimum(d[:, 2], trace.days) - np.maximum(d[:, 1], warmup_days), 0, None)
    per_expert = np.bincount(d[:, 0].astype(np.int64), weights=busy, minlength=n)
    return per_expert / span / trace.expert_capacity


def utilization_grid(trace: ReplicationTrace, warmup_days: int = 0) -> dict[str, dict[str, float]]:
    """Mean utilization by home center and role (the planner's heatmap)."""
    u = expert_utilization(trace, warmup_days)
    cells: dict[tuple[str, str], list[float]] = {}
    for c, r, x in zip(trace.expert_centers, trace.expert_roles, u):
        cells.setdefault((c, r), []).append(float(x))
    out: dict[str, dict[str, float]] = {}
    for (c, r), xs in sorted(cells.items()):
        out.setdefault(c, {})[r] = float(np.mean(xs))
    return out


def _q(x: np.ndarray, q: float) -> float:
    return float(np.quantile(x, q)) if len(x) else math.nan


def _share(flags: Sequence[bool]) -> float:
    return float(np.mean(flags)) if len(flags) else math.nan


def _cv(x: Sequence[int]) -> float:
    a = np.asarray(x, dtype=float)
    return float(a.std() / a.mean()) if len(a) and a.mean() > 0 else math.nan


# -- confidence intervals ---------------------------------------------------------------------------

#: Two-sided 95% Student t quantiles t_{0.975, df} for df = 1..30 (standard table values).
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
         2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
         2.045, 2.042)


def t975(df: int) -> float:
    """t_{0.975, df}: the table up to 30, then the Cornish-Fisher expansion around z = 1.96."""
    if df < 1:
        return math.inf
    if df <= 30:
        return _T975[df - 1]
    z = 1.959964
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


class Estimate(BaseModel):
    """Mean across replications with its 95% t-interval (half_width NaN with one replication)."""

    model_config = ConfigDict(frozen=True, ser_json_inf_nan="strings")  # JSON without NaN (PostgreSQL refuses it)

    mean: float
    half_width: float
    n: int

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width


def estimate(values: Sequence[float]) -> Estimate:
    a = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
    if len(a) == 0:
        return Estimate(mean=math.nan, half_width=math.nan, n=0)
    if len(a) == 1:
        return Estimate(mean=float(a[0]), half_width=math.nan, n=1)
    return Estimate(mean=float(a.mean()), half_width=float(t975(len(a) - 1) * a.std(ddof=1) / math.sqrt(len(a))),
                    n=len(a))


def summarise(per_replication: Sequence[Mapping[str, float]]) -> dict[str, Estimate]:
    """Mean and CI of every KPI across replications (KPIs missing in some replications use the rest)."""
    names: list[str] = []
    for r in per_replication:
        names.extend(k for k in r if k not in names)
    return {k: estimate([r.get(k, math.nan) for r in per_replication]) for k in names}
