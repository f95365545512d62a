"""Per-account rate limits, counted in the database so that every API process sees the
same count.

Each account and action has one row: the start of its current window and how many
times the action was done in it. One atomic upsert bumps the count (or starts a new
window when the old one is over) and returns it, so concurrent requests of one account
are counted exactly on both databases. A refused request rolls back with the rest of
its transaction, so refusals do not count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from litestar.exceptions import ClientException
from sqlalchemy import case, literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from service.residents.models import RateLimitWindow
from service.settings import Settings

HOUR = timedelta(hours=1)


class RateLimited(ClientException):
    status_code = 429

    def __init__(self, what: str, limit: int, retry_after: int) -> None:
        super().__init__(
            detail=f"too many {what}: at most {limit} an hour; try again in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
            extra={"retry_after": retry_after, "limit": limit},
        )


@dataclass(frozen=True)
class Limit:
    action: str
    what: str
    """How a person would call what they did too often ("inputs")."""
    per_hour: int


@dataclass(frozen=True)
class Limits:
    input: Limit
    endorsement: Limit
    report: Limit

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            input=Limit("input", "inputs", settings.input_limit_per_hour),
            endorsement=Limit("endorsement", "endorsements", settings.endorsement_limit_per_hour),
            report=Limit("report", "reports", settings.report_limit_per_hour),
        )


async def count_action(
    session: AsyncSession, user_id: int, limit: Limit, now: datetime, window: timedelta = HOUR
) -> int:
    """Count one ``limit.action`` by ``user_id`` in the caller's transaction; raises
    ``RateLimited`` (429 with Retry-After) past the limit. Returns the count so far."""
    table = RateLimitWindow.__table__
    start = table.c.window_start  # type: ignore[attr-defined]
    hits = table.c.hits  # type: ignore[attr-defined]
    expired = start <= now - window
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(table)
        .values(user_id=user_id, action=limit.action, window_start=now, hits=1)
        .on_conflict_do_update(
            index_elements=["user_id", "action"],
            set_={
                "hits": case((expired, 1), else_=hits + 1),
                "window_start": case((expired, literal(now, start.type)), else_=start),
            },
        )
        .returning(hits, start)
    )
    count, window_start = (await session.exec(statement)).one()  # type: ignore[call-overload]
    if count > limit.per_hour:
        retry_after = max(1, math.ceil((window_start + window - now).total_seconds()))
        raise RateLimited(limit.what, limit.per_hour, retry_after)
    return count
