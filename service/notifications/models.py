from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from service.db.engine import utcnow


class Notification(SQLModel, table=True):
    """One message to one person. ``key`` names the event it reports, so the same event
    reported twice (an activity retried, a second worker) stays one notification."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_notifications_user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    key: str = Field(max_length=200)
    kind: str = Field(max_length=50)
    title: str = Field(max_length=300)
    body: str
    challenge_id: int | None = Field(default=None, foreign_key="challenges.id", index=True)
    pilot_id: int | None = Field(default=None, index=True)
    link: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None
