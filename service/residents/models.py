from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from schemas.residents import InputStatus
from service.clock import utcnow


class Follow(SQLModel, table=True):
    """A person follows a challenge: told of every phase change, pilot and decision."""

    __tablename__ = "follows"
    __table_args__ = (
        UniqueConstraint("user_id", "challenge_id", name="uq_follows_user_challenge"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    challenge_id: int = Field(foreign_key="challenges.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class ResidentInput(SQLModel, table=True):
    """What a resident said on a challenge's problem, a running pilot or the outcome,
    and the city's public answer. Bodies are plain text, stored as written."""

    __tablename__ = "resident_inputs"
    __table_args__ = (
        Index("ix_resident_inputs_status_respond_by", "status", "respond_by"),
        # A challenge's input, newest first, a page at a time (keyset on id).
        Index("ix_resident_inputs_challenge_id_id", "challenge_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenges.id")
    pilot_id: int | None = Field(default=None, foreign_key="pilots.id", index=True)
    author_id: int = Field(foreign_key="users.id", index=True)
    stage: str = Field(max_length=20)
    body: str
    rating: int | None = None
    status: str = Field(default=InputStatus.RECEIVED, max_length=30)
    endorsement_count: int = 0
    report_count: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    respond_by: datetime
    considered_at: datetime | None = None
    response_body: str | None = None
    answered_at: datetime | None = None
    """When the city first answered (what the response target is measured against)."""
    response_updated_at: datetime | None = None
    answered_by_id: int | None = Field(default=None, foreign_key="users.id")
    hidden_reason: str | None = None
    hidden_at: datetime | None = None
    hidden_by_id: int | None = Field(default=None, foreign_key="users.id")


class Endorsement(SQLModel, table=True):
    __tablename__ = "endorsements"
    __table_args__ = (UniqueConstraint("input_id", "user_id", name="uq_endorsements_input_user"),)

    id: int | None = Field(default=None, primary_key=True)
    input_id: int = Field(foreign_key="resident_inputs.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class InputReport(SQLModel, table=True):
    """A resident tells the city an input breaks the rules; the city decides."""

    __tablename__ = "input_reports"
    __table_args__ = (UniqueConstraint("input_id", "user_id", name="uq_input_reports_input_user"),)

    id: int | None = Field(default=None, primary_key=True)
    input_id: int = Field(foreign_key="resident_inputs.id", index=True)
    user_id: int = Field(foreign_key="users.id")
    reason: str
    created_at: datetime = Field(default_factory=utcnow)
