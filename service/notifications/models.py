from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.clock import utcnow


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    BUNDLED = "bundled"
    """A daily item, now part of a digest row."""
    FAILED = "failed"
    """Refused for good by the mail server (a bad address); not retried."""
    SKIPPED = "skipped"
    """Not wanted any more: the person chose no e-mail before it went out."""


class Delivery(StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    DIGEST = "digest"


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


class MailOutbox(SQLModel, table=True):
    """One e-mail to send, written in the same transaction as the notification it
    carries (or, for a daily digest, by the daily round). ``key`` makes it once only.

    ``immediate`` rows are sent by the outbox drainer; ``daily`` rows wait for the daily
    round, which bundles them into one ``digest`` row per person and marks them
    ``bundled``. A row being sent is leased (``lease_token``, ``leased_until``) so two
    drainers never send it both.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (
        UniqueConstraint("key", name="uq_mail_outbox_key"),
        Index("ix_mail_outbox_status_delivery", "status", "delivery"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200)
    user_id: int = Field(foreign_key="users.id", index=True)
    notification_id: int | None = Field(default=None, foreign_key="notifications.id")
    delivery: str = Field(max_length=20)
    status: str = Field(default="pending", max_length=20)
    digest_day: str | None = Field(default=None, max_length=10)
    bundled_into_id: int | None = Field(default=None, foreign_key="mail_outbox.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    attempts: int = 0
    last_error: str | None = None
    lease_token: str | None = Field(default=None, max_length=40)
    leased_until: datetime | None = None
    sent_at: datetime | None = None
