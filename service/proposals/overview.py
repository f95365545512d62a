"""What a startup's overview of its proposals reads beside them, in one query each: the
challenges they were sent to (phase, deadline) and the pilots they became."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.challenges.models import Challenge
from service.pilots.models import Pilot


async def challenges_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Challenge]:
    """The challenges of the startup's own proposals and drafts (published ones: a
    proposal is sent, and a draft saved, only while the call is open)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await session.exec(select(Challenge).where(col(Challenge.id).in_(wanted)))
    return {c.id: c for c in rows.all() if c.id is not None}


async def pilots_by_proposal(
    session: AsyncSession, proposal_ids: Iterable[int]
) -> dict[int, Pilot]:
    """The pilot each selected proposal became (a pilot's existence and status are
    public: ``GET /api/challenges/{id}`` lists them)."""
    wanted = sorted(set(proposal_ids))
    if not wanted:
        return {}
    rows = await session.exec(select(Pilot).where(col(Pilot.proposal_id).in_(wanted)))
    return {p.proposal_id: p for p in rows.all()}
