"""Pilots in the test bed and everything recorded about them: the agreement and its
milestones, KPI reports, the evaluators' scores and every decision."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from schemas.common import PilotStatus
from service.clock import utcnow


class Pilot(SQLModel, table=True):
    """A selected proposal running in the test bed. Its ``status`` is written only by
    its workflow (through the transition activity and its command,
    ``service.challenges.commands.record_transition``)."""

    __tablename__ = "pilots"

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenges.id", index=True)
    proposal_id: int = Field(foreign_key="proposals.id", unique=True)
    startup_id: int = Field(foreign_key="users.id", index=True)
    status: str = Field(default=PilotStatus.AGREEMENT, max_length=20, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # The agreement, set by the city and accepted (or declined) by the startup.
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    original_ends_at: datetime | None = None
    budget_eur: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 2)))
    agreement_set_at: datetime | None = None
    agreement_set_by_id: int | None = Field(default=None, foreign_key="users.id")
    accepted_at: datetime | None = None
    declined_at: datetime | None = None
    decline_reason: str | None = None
    extensions: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Milestone(SQLModel, table=True):
    __tablename__ = "milestones"

    id: int | None = Field(default=None, primary_key=True)
    pilot_id: int = Field(foreign_key="pilots.id", index=True)
    position: int
    title: str = Field(max_length=200)
    due_at: datetime
    completed_at: datetime | None = None
    completion_note: str | None = None


class KpiReport(SQLModel, table=True):
    """A startup's report on its pilot: a value per KPI, and a note."""

    __tablename__ = "kpi_reports"

    id: int | None = Field(default=None, primary_key=True)
    pilot_id: int = Field(foreign_key="pilots.id", index=True)
    note: str = ""
    submitted_by_id: int = Field(foreign_key="users.id")
    submitted_at: datetime = Field(default_factory=utcnow)


class KpiReportValue(SQLModel, table=True):
    __tablename__ = "kpi_report_values"
    __table_args__ = (UniqueConstraint("report_id", "kpi_id", name="uq_kpi_report_values"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="kpi_reports.id", index=True)
    kpi_id: int = Field(foreign_key="kpis.id")
    value: float


class PilotEvaluator(SQLModel, table=True):
    """Who evaluates a pilot: the challenge's evaluators, unless the city chose others."""

    __tablename__ = "pilot_evaluators"
    __table_args__ = (UniqueConstraint("pilot_id", "evaluator_id", name="uq_pilot_evaluators"),)

    id: int | None = Field(default=None, primary_key=True)
    pilot_id: int = Field(foreign_key="pilots.id", index=True)
    evaluator_id: int = Field(foreign_key="users.id", index=True)


class PilotEvaluation(SQLModel, table=True):
    __tablename__ = "pilot_evaluations"
    __table_args__ = (
        UniqueConstraint("pilot_id", "evaluator_id", "round", name="uq_pilot_evaluations"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pilot_id: int = Field(foreign_key="pilots.id", index=True)
    evaluator_id: int = Field(foreign_key="users.id")
    round: int = 0
    """0 for the first evaluation, n after the n-th extension."""
    score: int
    comment: str = ""
    updated_at: datetime = Field(default_factory=utcnow)


class PilotDecision(SQLModel, table=True):
    """Every decision on a pilot: who, when, what and why (written by its workflow)."""

    __tablename__ = "pilot_decisions"
    __table_args__ = (UniqueConstraint("pilot_id", "sequence", name="uq_pilot_decisions"),)

    id: int | None = Field(default=None, primary_key=True)
    pilot_id: int = Field(foreign_key="pilots.id", index=True)
    sequence: int
    decision: str = Field(max_length=20)
    reason: str
    new_end_at: datetime | None = None
    plan: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    decided_by_id: int | None = Field(default=None, foreign_key="users.id")
    decided_at: datetime
