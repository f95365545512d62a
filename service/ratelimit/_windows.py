"""Fixed-window counters in the database.

One atomic upsert bumps the count of a subject and action (or starts a new window when
the old one is over) and returns it, so concurrent requests are counted exactly on both
databases. A refused request rolls back with the rest of its transaction, so refusals
do not count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, literal, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from service.db.upsert import table_of
from service.errors import RateLimited
from service.ratelimit.models import RateLimitWindow

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Limit:
    action: str
    what: str
    """How a person would call what they did too often ("inputs")."""
    allowed: int
    """How many times per window."""
    window: timedelta = HOUR


@dataclass(frozen=True)
class Hit:
    """One counted action: the count so far in its window, and when the window began."""

    count: int
    window_start: datetime


async def count_hit(session: AsyncSession, subject: str, limit: Limit, now: datetime) -> Hit:
    """Count one ``limit.action`` by ``subject`` in the caller's transaction; raises
    ``RateLimited`` (429 with Retry-After) past the limit."""
    table = table_of(RateLimitWindow)
    start = table.c.window_start
    hits = table.c.hits
    expired = start <= now - limit.window
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(table)
        .values(subject=subject, action=limit.action, window_start=now, hits=1)
        .on_conflict_do_update(
            index_elements=["subject", "action"],
            set_={
                "hits": case((expired, 1), else_=hits + 1),
                "window_start": case((expired, literal(now, start.type)), else_=start),
            },
        )
        .returning(hits, start)
    )
    count, window_start = (await session.exec(statement)).one()
    if count > limit.allowed:
        retry_after = max(1, math.ceil((window_start + limit.window - now).total_seconds()))
        raise RateLimited(limit.what, limit.allowed, retry_after, limit.window)
    return Hit(count, window_start)


async def refund_hit(session: AsyncSession, subject: str, limit: Limit, hit: Hit) -> None:
    """Take back one counted action, if its window is still the current one."""
    table = table_of(RateLimitWindow)
    columns = table.c
    await session.exec(
        update(table)
        .where(
            columns.subject == subject,
            columns.action == limit.action,
            columns.window_start == hit.window_start,
            columns.hits > 0,
        )
        .values(hits=columns.hits - 1)
    )
