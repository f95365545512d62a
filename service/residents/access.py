"""Who may see what of the residents' domain."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import Role
from service.auth.identity import CurrentUser
from service.challenges.models import Challenge
from service.challenges.queries import visible_challenge


def is_city(viewer: CurrentUser | None) -> bool:
    return viewer is not None and viewer.role == Role.CITY


async def public_challenge(
    session: AsyncSession, challenge_id: int, viewer: CurrentUser | None = None
) -> Challenge:
    """The challenge, unless ``viewer`` may not read it (404)."""
    return await visible_challenge(session, challenge_id, viewer)
