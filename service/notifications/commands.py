"""Telling people things: one notification per person per event, and its e-mail.

Both are written in the caller's transaction and never committed here, so an event,
its notifications and their mail land together (or not at all). The words come from
the message catalogue (``service.notifications.messages``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.notifications import EmailPreference
from service.auth.models import User
from service.clock import utcnow
from service.db.engine import TIME_ZONE
from service.db.upsert import insert_missing, table_of
from service.notifications.messages import Message
from service.notifications.models import MailOutbox, Notification, OutboxStatus


async def notify(session: AsyncSession, recipients: Iterable[int], message: Message) -> int:
    """Add ``message`` for each recipient in the caller's transaction, in their language
    with dates in the city's time zone and the link to the page where their role acts;
    returns how many were new. The caller commits, so the event, its notifications and their e-mail
    (as each recipient prefers it) land together."""
    return await notify_each(session, [(recipient, message) for recipient in recipients])


async def notify_each(session: AsyncSession, messages: Iterable[tuple[int, Message]]) -> int:
    """``notify`` for many recipients at once, each with a message of their own (every
    startup its own outcome): three statements however many there are, the recipients
    read, their notifications and their e-mail written, where a ``notify`` per
    recipient asked three each."""
    now = utcnow()
    # One per recipient and message key, in a fixed order (of recipient): concurrent
    # writers then take the rows' locks in the same order.
    unique = {(user_id, message.key): message for user_id, message in messages}
    pairs = sorted(unique.items(), key=lambda item: item[0])
    if not pairs:
        return 0
    people: dict[int | None, tuple[str | None, str | None]] = {}
    preferences: dict[int | None, str] = {}  # read here too: queue_mail asks nothing again
    for person, person_role, person_language, preference in (
        await session.exec(
            select(User.id, User.role, User.language, User.email_preference).where(
                col(User.id).in_(sorted({user_id for (user_id, _), _ in pairs}))
            )
        )
    ).all():
        people[person] = (person_role, person_language)
        preferences[person] = preference
    zone = ZoneInfo(str(session.info.get(TIME_ZONE, "UTC")))
    texts: dict[tuple[int, str | None], Any] = {}  # each message rendered once per language
    rows = []
    for (user_id, _), message in pairs:
        role, language = people.get(user_id, (None, None))
        text = texts.get((id(message), language))
        if text is None:
            text = texts[(id(message), language)] = message.text(language, zone)
        rows.append(
            {
                "user_id": user_id,
                "key": message.key,
                "kind": message.kind,
                "title": text.title,
                "body": text.body,
                "challenge_id": message.challenge_id,
                "pilot_id": message.pilot_id,
                "link": message.link_for(role),
                "created_at": now,
            }
        )
    table = table_of(Notification)
    statement = (
        _insert_for(session)(table)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(table.c.id, table.c.user_id)
    )
    created = (await session.exec(statement)).all()
    await queue_mail(session, [(row.id, row.user_id) for row in created], now, preferences)
    return len(created)


def _insert_for(session: AsyncSession) -> Any:
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def queue_mail(
    session: AsyncSession,
    notifications: Sequence[tuple[int, int]],
    now: datetime,
    preferences: dict[int | None, str] | None = None,
) -> int:
    """One outbox row per new notification, as its recipient wants mail: sent soon
    (immediate), in tomorrow's digest (daily), or not at all (none). ``preferences``:
    each recipient's, when the caller has read them already."""
    if not notifications:
        return 0
    if preferences is None:
        user_ids = sorted({user_id for _, user_id in notifications})
        found = (
            await session.exec(
                select(User.id, User.email_preference).where(col(User.id).in_(user_ids))
            )
        ).all()
        preferences = {user_id: preference for user_id, preference in found}
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
