"""Following a challenge: told of every phase change, pilot and decision."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import Page
from schemas.residents import FollowedChallenge, FollowPublic
from service.auth.identity import CurrentUser
from service.challenges.models import Challenge
from service.challenges.rules import is_public
from service.clock import utcnow
from service.db.upsert import insert_missing, table_of
from service.errors import PhaseConflict
from service.pagination import paginate
from service.residents.access import public_challenge
from service.residents.models import Follow


async def follow(session: AsyncSession, challenge_id: int, user_id: int) -> None:
    """Follow in the caller's transaction; following twice is following once."""
    await insert_missing(
        session,
        table_of(Follow),
        [{"user_id": user_id, "challenge_id": challenge_id, "created_at": utcnow()}],
        unique=("user_id", "challenge_id"),
    )


async def unfollow(session: AsyncSession, challenge_id: int, user_id: int) -> None:
    """Stop following in the caller's transaction; not following is a no-op."""
    await session.exec(
        delete(Follow).where(
            col(Follow.challenge_id) == challenge_id, col(Follow.user_id) == user_id
        )
    )


async def followed_challenges(session: AsyncSession, user_id: int) -> list[Challenge]:
    """The challenges ``user_id`` follows, the most recently followed first."""
    rows = await session.exec(
        select(Challenge)
        .join(Follow, col(Follow.challenge_id) == Challenge.id)
        .where(Follow.user_id == user_id)
        .order_by(col(Follow.id).desc())
    )
    return list(rows.all())


class FollowService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def follow(self, challenge_id: int, user: CurrentUser) -> FollowPublic:
        challenge = await public_challenge(self.session, challenge_id)
        if not is_public(challenge):
            raise PhaseConflict("the challenge", challenge.phase, "a draft cannot be followed")
        await follow(self.session, challenge_id, user.id)
        await self.session.commit()
        return await self.status(challenge_id, user)

    async def unfollow(self, challenge_id: int, user: CurrentUser) -> FollowPublic:
        await public_challenge(self.session, challenge_id)
        await unfollow(self.session, challenge_id, user.id)
        await self.session.commit()
        return FollowPublic(challenge_id=challenge_id, following=False)

    async def status(self, challenge_id: int, user: CurrentUser) -> FollowPublic:
        row = (
            await self.session.exec(
                select(Follow).where(Follow.challenge_id == challenge_id, Follow.user_id == user.id)
            )
        ).first()
        return FollowPublic(
            challenge_id=challenge_id,
            following=row is not None,
            followed_at=row.created_at if row else None,
        )

    async def mine(
        self, user: CurrentUser, cursor: str | None, limit: int
    ) -> Page[FollowedChallenge]:
        statement = (
            select(Follow, Challenge)
            .join(Challenge, col(Challenge.id) == Follow.challenge_id)
            .where(Follow.user_id == user.id)
        )
        rows, next_cursor = await paginate(self.session, statement, Follow.id, cursor, limit)
        return Page(
            items=[
                FollowedChallenge(
                    challenge_id=challenge.id,
                    title=challenge.title,
                    phase=challenge.phase,
                    followed_at=row.created_at,
                )
                for row, challenge in rows
            ],
            next_cursor=next_cursor,
        )
