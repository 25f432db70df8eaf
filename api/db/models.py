"""Tables. Domain objects are stored as validated JSON beside the columns the service filters on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Meta(Base):
    """Scenario-wide data that is not a center, expert or case (courts, rotation, travel, today)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class CenterRow(Base):
    __tablename__ = "centers"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    parent_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("centers.id"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class ExpertRow(Base):
    __tablename__ = "experts"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    home_center: Mapped[str] = mapped_column(String(64), ForeignKey("centers.id"), index=True)
    role: Mapped[str] = mapped_column(String(32), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)


class CaseRow(Base):
    __tablename__ = "cases"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    center_id: Mapped[str] = mapped_column(String(64), ForeignKey("centers.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open | closed
    category: Mapped[str] = mapped_column(String(32))
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # coordinator | court_staff | planner | admin
    center_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("centers.id"))


class ApiKeyRow(Base):
    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(64), ForeignKey("users.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class JobRow(Base):
    __tablename__ = "jobs"
    __table_args__ = (UniqueConstraint("created_by", "idempotency_key", name="uq_jobs_idempotency"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)  # queued|running|succeeded|failed|cancelled
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    result_id: Mapped[str | None] = mapped_column(String(36))
    error: Mapped[str | None] = mapped_column(Text)
    center_id: Mapped[str | None] = mapped_column(String(64), ForeignKey("centers.id"))
    created_by: Mapped[str] = mapped_column(String(64), ForeignKey("users.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ProposalRow(Base):
    __tablename__ = "proposals"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    job_id: Mapped[str] = mapped_column(String(36), ForeignKey("jobs.id"), unique=True)
    center_id: Mapped[str] = mapped_column(String(64), ForeignKey("centers.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(64), ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(16))  # optimal | feasible | infeasible | unknown
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)  # objective by term, bound, gap, time, seed, reason
    unassigned: Mapped[list[Any]] = mapped_column(JSON)  # [{case, reasons}]


class ProposalLineRow(Base):
    __tablename__ = "proposal_lines"
    proposal_id: Mapped[str] = mapped_column(String(36), ForeignKey("proposals.id"), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), ForeignKey("cases.id"), primary_key=True)
    line: Mapped[dict[str, Any]] = mapped_column(JSON)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)


class AssignmentRow(Base):
    """An accepted (announced) line. One per case: the primary key makes a second accept a conflict."""

    __tablename__ = "assignments"
    case_id: Mapped[str] = mapped_column(String(64), ForeignKey("cases.id"), primary_key=True)
    proposal_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("proposals.id"))
    line: Mapped[dict[str, Any]] = mapped_column(JSON)
    accepted_by: Mapped[str] = mapped_column(String(64), ForeignKey("users.id"))
    accepted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(Text)


class AuditRow(Base):
    """Append-only (triggers refuse UPDATE and DELETE). Never holds party names or phones."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    center_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class RotationPlanRow(Base):
    """A planned judge rotation calendar (a job's result); publishing makes it the calendar in force."""

    __tablename__ = "rotation_plans"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    job_id: Mapped[str] = mapped_column(String(36), ForeignKey("jobs.id"), unique=True)
    created_by: Mapped[str] = mapped_column(String(64), ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(16))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)  # start, weeks, objective by term, bound, gap, time, seed
    entries: Mapped[list[Any]] = mapped_column(JSON)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class SimulationRunRow(Base):
    """A staffing-scenario comparison (a job's result): the planner's report, kept as it was computed."""

    __tablename__ = "simulation_runs"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    job_id: Mapped[str] = mapped_column(String(36), ForeignKey("jobs.id"), unique=True)
    created_by: Mapped[str] = mapped_column(String(64), ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)  # variants, days, replications, seed, wall time
    report: Mapped[dict[str, Any]] = mapped_column(JSON)  # matcher.simulation.compare.ComparisonReport
