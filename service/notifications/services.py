"""Telling people things: one notification per person per event, listed newest first."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from litestar.exceptions import NotFoundException
from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.notifications import EmailPreference, NotificationPage, NotificationPublic
from service.auth.models import User
from service.clock import utcnow
from service.db.upsert import insert_missing, table_of
from service.notifications.models import MailOutbox, Notification
from service.pagination import paginate


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


@dataclass(frozen=True)
class Message:
    kind: str
    key: str
    """Names the event: the same key for the same person is written once."""
    title: str
    body: str
    challenge_id: int | None = None
    pilot_id: int | None = None
    link: str | None = None


async def notify(session: AsyncSession, recipients: Iterable[int], message: Message) -> int:
    """Add ``message`` for each recipient in the caller's transaction; returns how many
    were new. The caller commits, so the event, its notifications and their e-mail
    (as each recipient prefers it) land together."""
    now = utcnow()
    rows = [
        {
            "user_id": user_id,
            "key": message.key,
            "kind": message.kind,
            "title": message.title,
            "body": message.body,
            "challenge_id": message.challenge_id,
            "pilot_id": message.pilot_id,
            "link": message.link,
            "created_at": now,
        }
        for user_id in sorted(set(recipients))
    ]
    if not rows:
        return 0
    table = table_of(Notification)
    statement = (
        _insert_for(session)(table)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(table.c.id, table.c.user_id)
    )
    created = (await session.exec(statement)).all()
    await queue_mail(session, [(row.id, row.user_id) for row in created], now)
    return len(created)


def _insert_for(session: AsyncSession) -> Any:
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def queue_mail(
    session: AsyncSession, notifications: Sequence[tuple[int, int]], now: datetime
) -> int:
    """One outbox row per new notification, as its recipient wants mail: sent soon
    (immediate), in tomorrow's digest (daily), or not at all (none)."""
    if not notifications:
        return 0
    user_ids = sorted({user_id for _, user_id in notifications})
    preferences = dict(
        (
            await session.exec(
                select(User.id, User.email_preference).where(col(User.id).in_(user_ids))
            )
        ).all()
    )
    rows = [
        {
            "key": f"notification-{notification_id}",
            "user_id": user_id,
            "notification_id": notification_id,
            "delivery": preferences[user_id],
            "status": OutboxStatus.PENDING,
            "created_at": now,
            "attempts": 0,
        }
        for notification_id, user_id in notifications
        if preferences.get(user_id, EmailPreference.NONE) != EmailPreference.NONE
    ]
    return await insert_missing(
        session,
        table_of(MailOutbox),
        rows,
        unique=("key",),
    )


async def email_preference(session: AsyncSession, user_id: int) -> EmailPreference:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFoundException("this account no longer exists")
    return EmailPreference(user.email_preference)


async def set_email_preference(
    session: AsyncSession, user_id: int, preference: EmailPreference
) -> User:
    """Change how ``user_id`` gets mail; mail not yet sent follows the new choice when
    it is none (the drainer and the daily round check it again before sending)."""
    user = await session.get(User, user_id)
    if user is None:
        raise NotFoundException("this account no longer exists")
    user.email_preference = preference
    session.add(user)
    await session.commit()
    return user


class NotificationService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page(
        self, user_id: int, unread_only: bool, cursor: str | None, limit: int
    ) -> NotificationPage:
        statement = select(Notification).where(Notification.user_id == user_id)
        if unread_only:
            statement = statement.where(col(Notification.read_at).is_(None))
        rows, next_cursor = await paginate(self.session, statement, Notification.id, cursor, limit)
        unread = await self.session.exec(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, col(Notification.read_at).is_(None))
        )
        return NotificationPage(
            items=[NotificationPublic.model_validate(n) for n in rows],
            next_cursor=next_cursor,
            unread_count=unread.one(),
        )

    async def mark_read(self, user_id: int, notification_id: int) -> NotificationPublic:
        notification = await self.session.get(Notification, notification_id)
        if notification is None or notification.user_id != user_id:
            raise NotFoundException(f"no notification {notification_id}")
        if notification.read_at is None:
            notification.read_at = utcnow()
            self.session.add(notification)
            await self.session.commit()
        return NotificationPublic.model_validate(notification)

    async def mark_all_read(self, user_id: int) -> int:
        result = await self.session.exec(
            update(Notification)
            .where(col(Notification.user_id) == user_id, col(Notification.read_at).is_(None))
            .values(read_at=utcnow())
        )
        await self.session.commit()
        return result.rowcount or 0
