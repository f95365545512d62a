"""Finding public challenges by words in their title or problem, for the public list
page; and the public names of the pilots a challenge runs.

Both read only what ``rules.is_public`` already lets anyone read: the list is limited
by ``public_condition`` (drafts, and drafts cancelled before publication, never show),
and a pilot's name is its proposal's title, which the pilot's public view shows too.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import ChallengePhase, Page, PublicSchema
from service.challenges.models import Challenge
from service.challenges.rules import public_condition
from service.pagination import paginate
from service.proposals.models import Proposal

EXCERPT_CHARACTERS = 240
MAX_SEARCH_CHARACTERS = 200


class ChallengeCard(PublicSchema):
    """A public challenge as a list shows it: enough to choose one to read."""

    id: int
    title: str
    phase: ChallengePhase
    excerpt: str
    proposals_close_at: datetime
    published_at: datetime | None


def excerpt(text: str, length: int = EXCERPT_CHARACTERS) -> str:
    """The first ``length`` characters of ``text`` on one line, cut at a word."""
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat
    return flat[:length].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def _like_pattern(words: str) -> str:
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search_public(
    session: AsyncSession,
    *,
    text: str | None,
    phase: ChallengePhase | None,
    cursor: str | None,
    limit: int,
) -> Page[ChallengeCard]:
    """Public challenges, newest first, whose title or problem statement contains
    ``text`` (any case), in ``phase`` when given."""
    statement = select(Challenge).where(public_condition())
    if phase is not None:
        statement = statement.where(col(Challenge.phase) == phase)
    words = " ".join((text or "").split())[:MAX_SEARCH_CHARACTERS]
    if words:
        pattern = _like_pattern(words)
        statement = statement.where(
            or_(
                col(Challenge.title).ilike(pattern, escape="\\"),
                col(Challenge.problem_statement).ilike(pattern, escape="\\"),
            )
        )
    rows, next_cursor = await paginate(session, statement, Challenge.id, cursor, limit)
    return Page(
        items=[
            ChallengeCard(
                id=row.id,
                title=row.title,
                phase=ChallengePhase(row.phase),
                excerpt=excerpt(row.problem_statement),
                proposals_close_at=row.proposals_close_at,
                published_at=row.published_at,
            )
            for row in rows
        ],
        next_cursor=next_cursor,
    )


async def proposal_titles(session: AsyncSession, proposal_ids: Iterable[int]) -> dict[int, str]:
    """The titles of the given proposals, in one query. Callers pass only proposals that
    became pilots, whose titles are public (``PilotPublic.proposal_title``)."""
    ids = sorted(set(proposal_ids))
    if not ids:
        return {}
    rows = await session.exec(select(Proposal.id, Proposal.title).where(col(Proposal.id).in_(ids)))
    return {proposal_id: title for proposal_id, title in rows.all() if proposal_id is not None}


async def challenge_titles(session: AsyncSession, challenge_ids: Iterable[int]) -> dict[int, str]:
    """The titles of the given challenges, in one query, for lists of what a person
    wrote or was told about (callers pass only challenges the person may read)."""
    ids = sorted(set(challenge_ids))
    if not ids:
        return {}
    rows = await session.exec(
        select(Challenge.id, Challenge.title).where(col(Challenge.id).in_(ids))
    )
    return {challenge_id: title for challenge_id, title in rows.all() if challenge_id is not None}
