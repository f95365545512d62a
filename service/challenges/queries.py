"""Reading a challenge for someone: the one place that turns ``rules.may_read`` and
``rules.is_public`` into a 404, so a draft never leaks through another domain's route;
and the parts of a challenge that its views show (criteria, KPIs, timeline)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.challenges import TimelineEntry
from schemas.common import ActorKind, Role, actor_label
from service.auth.identity import CurrentUser
from service.auth.models import User
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


ACTOR_NAMES = {
    Role.CITY: "the innovation office",
    Role.STARTUP: "the startup",
    Role.EVALUATOR: "an evaluator",
    Role.RESIDENT: "a resident",
}
"""Who acted, as public pages and reports name them: by role, never by account."""


def timeline_entry(row: PhaseTransition, roles: Mapping[int, str] | None = None) -> TimelineEntry:
    """An entry of the timeline. With ``roles`` (the actors' roles) it is the public
    form: the acting role, no account id; without, the city staff's (``user:<id>``)."""
    role = roles.get(row.actor_id) if roles is not None and row.actor_id is not None else None
    if row.actor_kind != ActorKind.USER:
        name = None
    else:
        name = ACTOR_NAMES.get(Role(role), "the city") if role else "the city"
    public = roles is not None and row.actor_kind == ActorKind.USER
    return TimelineEntry(
        phase=row.to_phase,
        from_phase=row.from_phase,
        at=row.at,
        actor=(role or "city") if public else actor_label(row.actor_kind, row.actor_id),
        actor_id=None if roles is not None else row.actor_id,
        actor_name=name,
        reason=row.reason,
        pilot_id=row.pilot_id,
    )


async def actor_roles(session: AsyncSession, rows: Sequence[PhaseTransition]) -> dict[int, str]:
    ids = {row.actor_id for row in rows if row.actor_id is not None}
    if not ids:
        return {}
    found = await session.exec(select(User.id, User.role).where(col(User.id).in_(ids)))
    return {user_id: role for user_id, role in found.all() if user_id is not None}


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
