"""Reading a challenge for someone: the one place that turns ``rules.may_read`` and
``rules.is_public`` into a 404, so a draft never leaks through another domain's route."""

from __future__ import annotations

from litestar.exceptions import NotFoundException
from sqlmodel.ext.asyncio.session import AsyncSession

from service.auth.identity import CurrentUser
from service.challenges.models import Challenge
from service.challenges.rules import is_public, may_read


async def visible_challenge(
    session: AsyncSession, challenge_id: int, viewer: CurrentUser | None
) -> Challenge:
    """The challenge if ``viewer`` may read it (the city reads drafts too); else 404."""
    challenge = await session.get(Challenge, challenge_id)
    if challenge is None or not may_read(challenge, viewer):
        raise NotFoundException(f"no challenge {challenge_id}")
    return challenge


async def published_challenge(session: AsyncSession, challenge_id: int) -> Challenge:
    """The challenge if it has been published, for anyone; a draft is 404 even to the
    city, since it has no review, pilots, questions or report yet."""
    challenge = await session.get(Challenge, challenge_id)
    if challenge is None or not is_public(challenge):
        raise NotFoundException(f"no challenge {challenge_id}")
    return challenge
