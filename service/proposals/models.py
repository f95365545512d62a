from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.clock import utcnow


class ProposalStatus(StrEnum):
    SUBMITTED = "submitted"
    """Awaiting screening (again, after the startup answered a request)."""
    WITHDRAWN = "withdrawn"
    INFO_REQUESTED = "info_requested"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    SELECTED = "selected"
    NOT_SELECTED = "not_selected"


class Proposal(SQLModel, table=True):
    __tablename__ = "proposals"
    # A challenge's proposals, newest first, a page at a time (keyset on id).
    __table_args__ = (Index("ix_proposals_challenge_id_id", "challenge_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenges.id")
    startup_id: int = Field(foreign_key="users.id", index=True)
    title: str = Field(max_length=200)
    summary: str
    budget_eur: Decimal = Field(sa_column=Column(Numeric(14, 2), nullable=False))
    status: str = Field(default=ProposalStatus.SUBMITTED, max_length=30, index=True)
    public_title_consent: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    withdrawn_at: datetime | None = None
    screening_reason: str | None = None
    screened_at: datetime | None = None
    screened_by_id: int | None = Field(default=None, foreign_key="users.id")


class ProposalDraft(SQLModel, table=True):
    """A startup's saved, unsubmitted proposal form: one per startup and challenge, its
    text as typed, read by that startup alone (``service/proposals/drafts.py``)."""

    __tablename__ = "proposal_drafts"
    __table_args__ = (
        UniqueConstraint("challenge_id", "startup_id", name="uq_proposal_drafts_challenge_startup"),
    )

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenges.id", index=True)
    startup_id: int = Field(foreign_key="users.id", index=True)
    title: str = ""
    summary: str = ""
    budget_eur: str = ""
    """As typed: a draft may hold an amount not finished yet."""
    public_title_consent: bool = False
    updated_at: datetime = Field(default_factory=utcnow)
