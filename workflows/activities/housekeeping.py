"""Housekeeping in the daily round: records that have served their purpose go."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity

from schemas.standing import PruneInput, PruneResult
from service.idempotency.models import KEY_TTL, IdempotencyKey
from service.ratelimit.models import RateLimitWindow

# Every rate-limit window is far shorter than this (an hour at most).
RATE_LIMIT_KEEP = timedelta(days=1)


class HousekeepingActivities:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    @activity.defn
    async def prune_expired_records(self, input: PruneInput) -> PruneResult:
        """Counters of windows long closed, and idempotency keys past their day: each
        would otherwise stay for ever (every address a password guesser tries leaves
        one). Deleting what is already gone is a no-op, so a retry is harmless."""
        async with self._sessions() as session:
            windows = await session.exec(
                delete(RateLimitWindow).where(
                    col(RateLimitWindow.window_start) < input.as_of - RATE_LIMIT_KEEP
                )
            )
            keys = await session.exec(
                delete(IdempotencyKey).where(col(IdempotencyKey.created_at) < input.as_of - KEY_TTL)
            )
            await session.commit()
        return PruneResult(
            rate_limit_windows=windows.rowcount or 0, idempotency_keys=keys.rowcount or 0
        )
