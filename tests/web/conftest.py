"""Page tests share the app fixtures of tests/conftest.py (``api``, ``actors``,
``sessions``); records a list page only reads are written straight to the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import ChallengePhase
from service.challenges.models import Challenge


async def add_challenge(
    sessions: async_sessionmaker[AsyncSession],
    city_id: int,
    title: str,
    *,
    phase: ChallengePhase = ChallengePhase.OPEN,
    problem: str = "A problem of the city.",
    published: bool = True,
) -> int:
    """A challenge row as the workflow leaves it after publishing (no workflow runs)."""
    now = datetime.now(UTC)
    challenge = Challenge(
        title=title,
        problem_statement=problem,
        test_bed="Two streets.",
        pilot_budget_cap_eur=10000,
        max_pilots=1,
        proposals_close_at=now + timedelta(days=30),
        review_deadline=now + timedelta(days=40),
        phase=phase,
        created_by_id=city_id,
        published_at=now if published else None,
        published_by_id=city_id if published else None,
    )
    async with sessions() as session:
        session.add(challenge)
        await session.commit()
        assert challenge.id is not None
        return challenge.id
