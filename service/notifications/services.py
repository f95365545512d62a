"""Telling people things: one notification per person per event, listed newest first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from litestar.exceptions import NotFoundException
from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.notifications import NotificationPage, NotificationPublic
from service.db.engine import utcnow
from service.db.upsert import insert_missing
from service.notifications.models import Notification
from service.pagination import paginate


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
    were new. The caller commits, so the event and its notifications land together."""
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
    return await insert_missing(
        session,
        Notification.__table__,
        rows,
        unique=("user_id", "key"),  # type: ignore[arg-type]
    )


class NotificationService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list(
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
        )  # type: ignore[call-overload]
        await self.session.commit()
        return result.rowcount or 0
