from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from schemas.common import ChallengePhase
from service.clock import utcnow


class Challenge(SQLModel, table=True):
    __tablename__ = "challenges"
    # The list by phase, newest first, a page at a time (keyset on id).
    __table_args__ = (Index("ix_challenges_phase_id", "phase", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    problem_statement: str
    test_bed: str
    pilot_budget_cap_eur: Decimal = Field(sa_column=Column(Numeric(14, 2), nullable=False))
    max_pilots: int
    proposals_close_at: datetime
    review_deadline: datetime
    response_target_working_days: int = 10
    review_reminder_days: list[int] = Field(default_factory=list, sa_column=Column(JSON))
    phase: str = Field(default=ChallengePhase.DRAFT, max_length=20)
    created_by_id: int = Field(foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None
    published_by_id: int | None = Field(default=None, foreign_key="users.id")
    cancel_reason: str | None = None


class Criterion(SQLModel, table=True):
    __tablename__ = "criteria"

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenges.id", index=True)
    position: int
    name: str = Field(max_length=200)
    description: str = ""
    weight: int


class Kpi(SQLModel, table=True):
    __tablename__ = "kpis"

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenges.id", index=True)
    position: int
    name: str = Field(max_length=200)
    unit: str = Field(max_length=50)
    target: float
    direction: str = Field(default="at_least", max_length=20)


class PhaseTransition(SQLModel, table=True):
    """One entry of a challenge's (or one of its pilots') timeline.

    Written only by ``service.challenges.commands.record_transition``, which the
    workflows' activities call (and the API, for a draft, which has no workflow yet);
    ``key`` makes a retried activity write nothing new.
    """

    __tablename__ = "phase_transitions"
    __table_args__ = (UniqueConstraint("key", name="uq_phase_transitions_key"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200)
    challenge_id: int = Field(foreign_key="challenges.id", index=True)
    pilot_id: int | None = Field(default=None, index=True)
    from_phase: str | None = Field(default=None, max_length=20)
    to_phase: str = Field(max_length=20)
    at: datetime
    actor_kind: str = Field(max_length=10)
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    reason: str | None = None
