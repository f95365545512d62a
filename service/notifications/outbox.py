"""The mail outbox: claiming rows to send, composing them, recording the outcome, and
bundling a day's ``daily`` rows into one digest per person.

Sending is at-most-once per row as far as a database can make it: a row is leased
before it is sent and marked sent, under that lease, right after the server took it,
each in its own short transaction. Only a crash between the server's "250 OK" and that
commit can send a mail twice, and then with the same Message-ID.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.notifications import EmailPreference
from service.auth.models import User
from service.clock import utcnow
from service.db.upsert import insert_missing, table_of
from service.notifications.compose import (
    MailItem,
    Recipient,
    absolute_url,
    digest_mail,
    notification_mail,
)
from service.notifications.models import Delivery, MailOutbox, Notification, OutboxStatus
from service.settings import Settings

log = logging.getLogger(__name__)

SENDABLE = (Delivery.IMMEDIATE, Delivery.DIGEST)
ERROR_MAX = 1000


@dataclass(frozen=True)
class Lease:
    token: str
    row_ids: list[int]


@dataclass(frozen=True)
class ComposedMail:
    row_id: int
    name: str
    """File name (without .eml) when mail goes to the data folder."""
    message: EmailMessage | None
    """None: nothing to send any more (the person chose no e-mail)."""


class Outbox:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self._sessions = sessions
        self.settings = settings

    def lease_duration(self) -> timedelta:
        # Long enough for a batch to be sent over a slow connection; a drainer that died
        # holding a lease delays those mails by this much, no more.
        return timedelta(seconds=max(120.0, 4 * self.settings.smtp_timeout_seconds))

    async def claim(self, limit: int) -> Lease | None:
        now = utcnow()
        token = uuid.uuid4().hex
        free = or_(col(MailOutbox.leased_until).is_(None), col(MailOutbox.leased_until) < now)
        async with self._sessions() as session:
            candidates = (
                await session.exec(
                    select(MailOutbox.id)
                    .where(
                        MailOutbox.status == OutboxStatus.PENDING,
                        col(MailOutbox.delivery).in_(SENDABLE),
                        free,
                    )
                    .order_by(col(MailOutbox.id))
                    .limit(limit)
                )
            ).all()
            if not candidates:
                return None
            await session.exec(
                update(MailOutbox)
                .where(
                    col(MailOutbox.id).in_(candidates),
                    col(MailOutbox.status) == OutboxStatus.PENDING,
                    free,
                )
                .values(lease_token=token, leased_until=now + self.lease_duration())
            )
            await session.commit()
            owned = (
                await session.exec(
                    select(MailOutbox.id)
                    .where(MailOutbox.lease_token == token)
                    .order_by(col(MailOutbox.id))
                )
            ).all()
        return Lease(token, [row_id for row_id in owned if row_id is not None]) if owned else None

    async def compose(self, row_id: int) -> ComposedMail:
        async with self._sessions() as session:
            row = await session.get(MailOutbox, row_id)
            assert row is not None and row.id is not None
            user = await session.get(User, row.user_id)
            name = f"{row.id:08d}"
            if user is None or user.email_preference == EmailPreference.NONE:
                return ComposedMail(row.id, name, None)
            recipient = Recipient(
                user_id=row.user_id,
                email=user.email,
                display_name=user.display_name,
                preference=user.email_preference,
                language=user.language,
            )
            now = utcnow()
            if row.delivery == Delivery.DIGEST:
                notifications = (
                    await session.exec(
                        select(Notification)
                        .join(MailOutbox, col(MailOutbox.notification_id) == Notification.id)
                        .where(MailOutbox.bundled_into_id == row.id)
                        .order_by(col(Notification.id))
                    )
                ).all()
                items = [self._item(n) for n in notifications]
                if not items:
                    return ComposedMail(row.id, name, None)
                message = digest_mail(
                    self.settings, row.key, recipient, row.digest_day or "", items, now
                )
            else:
                notification = (
                    await session.get(Notification, row.notification_id)
                    if row.notification_id
                    else None
                )
                if notification is None:
                    return ComposedMail(row.id, name, None)
                message = notification_mail(
                    self.settings, row.key, recipient, self._item(notification), now
                )
        return ComposedMail(row_id, name, message)

    def _item(self, notification: Notification) -> MailItem:
        return MailItem(
            title=notification.title,
            body=notification.body,
            url=absolute_url(self.settings, notification.link),
        )

    async def _finish(self, row_id: int, token: str, **values: object) -> None:
        async with self._sessions() as session:
            await session.exec(
                update(MailOutbox)
                .where(col(MailOutbox.id) == row_id, col(MailOutbox.lease_token) == token)
                .values(lease_token=None, leased_until=None, **values)
            )
            await session.commit()

    async def mark_sent(self, row_id: int, token: str) -> None:
        log.info("mail %d sent", row_id)
        await self._finish(
            row_id,
            token,
            status=OutboxStatus.SENT,
            sent_at=utcnow(),
            attempts=MailOutbox.attempts + 1,
            last_error=None,
        )

    async def mark_skipped(self, row_id: int, token: str) -> None:
        await self._finish(row_id, token, status=OutboxStatus.SKIPPED)

    async def mark_refused(self, row_id: int, token: str, error: str) -> None:
        log.warning("mail %d refused for good by the mail server: %s", row_id, error[:200])
        await self._finish(
            row_id,
            token,
            status=OutboxStatus.FAILED,
            attempts=MailOutbox.attempts + 1,
            last_error=error[:ERROR_MAX],
        )

    async def record_failure(self, row_ids: Sequence[int], token: str, error: str) -> None:
        """The server could not take mail now: note it on the rows and free them for
        the next attempt."""
        if not row_ids:
            return
        async with self._sessions() as session:
            await session.exec(
                update(MailOutbox)
                .where(col(MailOutbox.id).in_(row_ids), col(MailOutbox.lease_token) == token)
                .values(
                    lease_token=None,
                    leased_until=None,
                    attempts=MailOutbox.attempts + 1,
                    last_error=error[:ERROR_MAX],
                )
            )
            await session.commit()

    async def release(self, row_ids: Sequence[int], token: str) -> None:
        if not row_ids:
            return
        async with self._sessions() as session:
            await session.exec(
                update(MailOutbox)
                .where(col(MailOutbox.id).in_(row_ids), col(MailOutbox.lease_token) == token)
                .values(lease_token=None, leased_until=None)
            )
            await session.commit()

    # -- daily digests ---------------------------------------------------------------

    async def bundle_daily(self, day: str) -> tuple[int, int]:
        """One digest row per person with ``daily`` rows waiting; returns (digests,
        notifications bundled). Running it again the same day adds nothing twice."""
        async with self._sessions() as session:
            user_ids = (
                await session.exec(
                    select(MailOutbox.user_id)
                    .where(
                        MailOutbox.status == OutboxStatus.PENDING,
                        MailOutbox.delivery == Delivery.DAILY,
                    )
                    .distinct()
                )
            ).all()
        digests = bundled = 0
        for user_id in sorted(user_ids):
            async with self._sessions() as session:
                count = await self._bundle_for(session, user_id, day)
                await session.commit()
            if count:
                digests += 1
                bundled += count
        return digests, bundled

    async def _bundle_for(self, session: AsyncSession, user_id: int, day: str) -> int:
        waiting = (
            col(MailOutbox.user_id) == user_id,
            col(MailOutbox.status) == OutboxStatus.PENDING,
            col(MailOutbox.delivery) == Delivery.DAILY,
        )
        user = await session.get(User, user_id)
        if user is None or user.email_preference == EmailPreference.NONE:
            await session.exec(
                update(MailOutbox).where(*waiting).values(status=OutboxStatus.SKIPPED)
            )
            return 0
        key = f"digest-{user_id}-{day}"
        created = await insert_missing(
            session,
            table_of(MailOutbox),
            [
                {
                    "key": key,
                    "user_id": user_id,
                    "delivery": Delivery.DIGEST,
                    "status": OutboxStatus.PENDING,
                    "digest_day": day,
                    "created_at": utcnow(),
                    "attempts": 0,
                }
            ],
            unique=("key",),
        )
        if not created:
            # Today's digest exists (this round ran before): it may be out already, so
            # what came since waits for tomorrow's rather than joining a sent mail.
            return 0
        # The new digest row is invisible to drainers until this transaction commits,
        # and by then it carries all its items.
        digest = (await session.exec(select(MailOutbox).where(MailOutbox.key == key))).one()
        result = await session.exec(
            update(MailOutbox)
            .where(*waiting)
            .values(status=OutboxStatus.BUNDLED, bundled_into_id=digest.id)
        )
        return result.rowcount or 0
