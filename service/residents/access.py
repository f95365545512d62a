"""Who may see what of the residents' domain."""

from __future__ import annotations

from litestar.exceptions import NotFoundException
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import ChallengePhase, Role
from service.auth.identity import CurrentUser
from service.challenges.models import Challenge


def is_city(viewer: CurrentUser | None) -> bool:
    return viewer is not None and viewer.role == Role.CITY


async def public_challenge(
    session: AsyncSession, challenge_id: int, viewer: CurrentUser | None = None
) -> Challenge:
    """The challenge, unless it is a draft and ``viewer`` is not the city (404)."""
    challenge = await session.get(Challenge, challenge_id)
    if challenge is None or (challenge.phase == ChallengePhase.DRAFT and not is_city(viewer)):
        raise NotFoundException(f"no challenge {challenge_id}")
    return challenge
