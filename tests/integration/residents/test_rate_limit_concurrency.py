"""The per-account count is exact under concurrency: many requests of one account at
the same moment, each in its own transaction, and exactly the limit get through."""

from __future__ import annotations

import asyncio

from service.clock import utcnow
from service.residents.ratelimit import Limit, RateLimited, count_action


async def test_concurrent_requests_of_one_account_are_counted_exactly(actors, sessions):
    resident = await actors.resident()
    limit = Limit("input", "inputs", 3)

    async def attempt() -> bool:
        async with sessions() as session:
            try:
                await count_action(session, resident.id, limit, utcnow())
            except RateLimited:
                await session.rollback()
                return False
            await asyncio.sleep(0.01)  # the rest of the request's transaction
            await session.commit()
            return True

    results = await asyncio.gather(*(attempt() for _ in range(12)))
    assert sum(results) == 3
