from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from service.clock import utcnow


class Question(SQLModel, table=True):
    """A public question about a challenge and the city's public answer."""

    __tablename__ = "questions"

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenges.id", index=True)
    asked_by_id: int = Field(foreign_key="users.id")
    body: str
    asked_at: datetime = Field(default_factory=utcnow)
    answer: str | None = None
    answered_by_id: int | None = Field(default=None, foreign_key="users.id")
    answered_at: datetime | None = None
