"""Notifications: what a person is told, and when they read it."""

from __future__ import annotations

from datetime import datetime

from schemas.common import Page, PublicSchema


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
