"""Reading a challenge for someone: the one place that turns ``rules.may_read`` and
``rules.is_public`` into a 404, so a draft never leaks through another domain's route;
and the parts of a challenge that its views show (criteria, KPIs, timeline)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.challenges import TimelineEntry
from schemas.common import actor_label
from service.auth.identity import CurrentUser
from service.challenges.models import Challenge, Criterion, Kpi, PhaseTransition
from service.challenges.rules import is_public, may_read
from service.errors import NotFound


async def visible_challenge(
    session: AsyncSession, challenge_id: int, viewer: CurrentUser | None
) -> Challenge:
    """The challenge if ``viewer`` may read it (the city reads drafts too); else 404."""
    challenge = await session.get(Challenge, challenge_id)
    if challenge is None or not may_read(challenge, viewer):
        raise NotFound(f"no challenge {challenge_id}")
    return challenge


async def published_challenge(session: AsyncSession, challenge_id: int) -> Challenge:
    """The challenge if it has been published, for anyone; a draft is 404 even to the
    city, since it has no review, pilots, questions or report yet."""
    challenge = await session.get(Challenge, challenge_id)
    if challenge is None or not is_public(challenge):
        raise NotFound(f"no challenge {challenge_id}")
    return challenge


def timeline_entry(row: PhaseTransition) -> TimelineEntry:
    return TimelineEntry(
        phase=row.to_phase,
        from_phase=row.from_phase,
        at=row.at,
        actor=actor_label(row.actor_kind, row.actor_id),
        actor_id=row.actor_id,
        reason=row.reason,
        pilot_id=row.pilot_id,
    )


async def timeline(session: AsyncSession, challenge_id: int) -> Sequence[PhaseTransition]:
    statement = (
        select(PhaseTransition)
        .where(PhaseTransition.challenge_id == challenge_id)
        .order_by(col(PhaseTransition.at), col(PhaseTransition.id))
    )
    return (await session.exec(statement)).all()


async def criteria(session: AsyncSession, challenge_id: int) -> Sequence[Criterion]:
    statement = (
        select(Criterion)
        .where(Criterion.challenge_id == challenge_id)
        .order_by(col(Criterion.position))
    )
    return (await session.exec(statement)).all()


async def kpis(session: AsyncSession, challenge_id: int) -> Sequence[Kpi]:
    statement = select(Kpi).where(Kpi.challenge_id == challenge_id).order_by(col(Kpi.position))
    return (await session.exec(statement)).all()
