"""Review records: requests for information, the evaluator pool, assignments, scores,
and each proposal's history. Written by the API (and, for expiries and selection, by
the challenge workflow's activities); the workflow itself holds none of them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from service.clock import utcnow


class InfoRequestStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"


class InfoRequest(SQLModel, table=True):
    """The city asks a startup for more information, with a reply deadline."""

    __tablename__ = "info_requests"

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenges.id", index=True)
    proposal_id: int = Field(foreign_key="proposals.id", index=True)
    question: str
    reply_deadline: datetime = Field(index=True)
    status: str = Field(default=InfoRequestStatus.OPEN, max_length=20, index=True)
    requested_by_id: int = Field(foreign_key="users.id")
    requested_at: datetime = Field(default_factory=utcnow)
    answer: str | None = None
    answered_at: datetime | None = None


class ProposalEvent(SQLModel, table=True):
    """One line of a proposal's history: screening, requests, replies, outcome."""

    __tablename__ = "proposal_events"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposals.id", index=True)
    kind: str = Field(max_length=40)
    at: datetime = Field(default_factory=utcnow)
    actor_kind: str = Field(max_length=10)
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    body: str | None = None
    info_request_id: int | None = Field(default=None, foreign_key="info_requests.id")


class ChallengeEvaluator(SQLModel, table=True):
    """The challenge's evaluator pool (reassignments and pilot evaluation draw on it)."""

    __tablename__ = "challenge_evaluators"
    __table_args__ = (
        UniqueConstraint("challenge_id", "evaluator_id", name="uq_challenge_evaluators"),
    )

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenges.id", index=True)
    evaluator_id: int = Field(foreign_key="users.id", index=True)
    added_by_id: int = Field(foreign_key="users.id")
    added_at: datetime = Field(default_factory=utcnow)


class AssignmentStatus(StrEnum):
    ACTIVE = "active"
    CONFLICT = "conflict"


class Assignment(SQLModel, table=True):
    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("proposal_id", "evaluator_id", name="uq_assignments_proposal_evaluator"),
    )

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenges.id", index=True)
    proposal_id: int = Field(foreign_key="proposals.id", index=True)
    evaluator_id: int = Field(foreign_key="users.id", index=True)
    status: str = Field(default=AssignmentStatus.ACTIVE, max_length=20, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None
    conflict_reason: str | None = None
    conflict_declared_at: datetime | None = None
    replaces_id: int | None = Field(default=None, foreign_key="assignments.id")


class Score(SQLModel, table=True):
    __tablename__ = "scores"
    __table_args__ = (
        UniqueConstraint("assignment_id", "criterion_id", name="uq_scores_assignment_criterion"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignments.id", index=True)
    criterion_id: int = Field(foreign_key="criteria.id")
    score: int
    comment: str = ""
    updated_at: datetime = Field(default_factory=utcnow)
