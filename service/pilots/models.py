from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from schemas.common import PilotStatus
from service.db.engine import utcnow


class Pilot(SQLModel, table=True):
    """A selected proposal running in the test bed. Its ``status`` is written only by
    its workflow (through the transition activity)."""

    __tablename__ = "pilots"

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenges.id", index=True)
    proposal_id: int = Field(foreign_key="proposals.id", unique=True)
    startup_id: int = Field(foreign_key="users.id", index=True)
    status: str = Field(default=PilotStatus.AGREEMENT, max_length=20, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
