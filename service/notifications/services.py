"""A person's notifications, newest first, and how they want them by e-mail."""

from __future__ import annotations

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.notifications import EmailPreference, NotificationPage, NotificationPublic
from service.auth.models import User
from service.clock import utcnow
from service.errors import NotFound
from service.notifications.models import Notification
from service.pagination import paginate


async def email_preference(session: AsyncSession, user_id: int) -> EmailPreference:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("this account no longer exists")
    return EmailPreference(user.email_preference)


async def set_email_preference(
    session: AsyncSession, user_id: int, preference: EmailPreference
) -> User:
    """Change how ``user_id`` gets mail; mail not yet sent follows the new choice when
    it is none (the drainer and the daily round check it again before sending)."""
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("this account no longer exists")
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
            raise NotFound(f"no notification {notification_id}")
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
