"""Notifications: what a person is told, and when they read it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from schemas.common import Page, PublicSchema, Schema


class NotificationPublic(PublicSchema):
    id: int
    kind: str
    title: str
    body: str
    challenge_id: int | None
    pilot_id: int | None
    link: str | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Page[NotificationPublic]):
    unread_count: int


class MarkedRead(PublicSchema):
    marked: int


class EmailPreference(StrEnum):
    """How a person wants their notifications by e-mail."""

    IMMEDIATE = "immediate"
    DAILY = "daily"
    """One digest a day with everything since the last one."""
    NONE = "none"


class EmailPreferencePublic(PublicSchema):
    email_preference: EmailPreference


class EmailPreferenceUpdate(Schema):
    email_preference: EmailPreference


class UnsubscribeResult(PublicSchema):
    email: str
    email_preference: EmailPreference
