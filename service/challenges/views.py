"""A challenge as the API shows it: the read side, which needs a session only (no
Temporal), so the public outcome report and the pages can use it as the API does."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.challenges import ChallengePublic, CriterionPublic, KpiPublic, PilotSummary
from schemas.common import ChallengePhase
from service.challenges.models import Challenge
from service.challenges.queries import actor_roles, criteria, kpis, timeline, timeline_entry
from service.pilots.models import Pilot
from service.residents.engagement import engagement


async def challenge_public(
    session: AsyncSession, challenge: Challenge, public: bool = False
) -> ChallengePublic:
    """The challenge with its criteria, KPIs, timeline, pilots and (once published) its
    residents' engagement; whether the reader may see it is the caller's check. For the
    ``public`` (anyone but the city's staff) the timeline names who acted by role."""
    assert challenge.id is not None
    data = challenge.model_dump()
    data["criteria"] = [
        CriterionPublic.model_validate(c) for c in await criteria(session, challenge.id)
    ]
    data["kpis"] = [KpiPublic.model_validate(k) for k in await kpis(session, challenge.id)]
    rows = await timeline(session, challenge.id)
    roles = await actor_roles(session, rows) if public else None
    data["timeline"] = [timeline_entry(t, roles) for t in rows]
    pilots = (
        await session.exec(
            select(Pilot).where(Pilot.challenge_id == challenge.id).order_by(col(Pilot.id))
        )
    ).all()
    data["pilots"] = [PilotSummary.model_validate(p) for p in pilots]
    if challenge.phase != ChallengePhase.DRAFT:
        data["engagement"] = await engagement(session, challenge, pilots=pilots)
    return ChallengePublic.model_validate(data)
