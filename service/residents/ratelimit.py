"""Per-account limits on what residents write (input, endorsements, reports), on the
shared counters of ``service.ratelimit``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from service.ratelimit import Limit, RateLimited, count_hit
from service.settings import Settings

__all__ = ["Limit", "Limits", "RateLimited", "account_subject", "count_action"]


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


def account_subject(user_id: int) -> str:
    return f"user:{user_id}"


async def count_action(session: AsyncSession, user_id: int, limit: Limit, now: datetime) -> int:
    """Count one ``limit.action`` by ``user_id`` in the caller's transaction; raises
    ``RateLimited`` (429 with Retry-After) past the limit. Returns the count so far."""
    return (await count_hit(session, account_subject(user_id), limit, now)).count
