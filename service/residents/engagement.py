"""Public engagement figures of a challenge, and the "you said, we did" list.

Both are plain functions over a session so the outcome report can call them as well as
the engagement endpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from statistics import median

from sqlalchemy import case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.residents import (
    OPEN_INPUT_STATUSES,
    EngagementPublic,
    InputPublic,
    InputStage,
    InputStatus,
    RatingSummary,
)
from service.auth.identity import CurrentUser
from service.challenges.models import Challenge
from service.clock import utcnow
from service.pilots.models import Pilot
from service.residents.access import public_challenge
from service.residents.models import Follow, ResidentInput
from service.residents.services import to_public

RATINGS = ("1", "2", "3", "4", "5")


async def challenge_engagement(
    session: AsyncSession, challenge_id: int, viewer: CurrentUser | None = None
) -> EngagementPublic:
    """The engagement figures of a challenge ``viewer`` may see (404 otherwise)."""
    return await engagement(session, await public_challenge(session, challenge_id, viewer))


async def engagement(
    session: AsyncSession,
    challenge: Challenge,
    now: datetime | None = None,
    pilots: Sequence[Pilot] | None = None,
) -> EngagementPublic:
    """Input counts, the share answered (and answered on time), the median time to
    answer, followers, and a rating summary per pilot (of ``pilots`` when the caller
    has them already). Hidden input is counted only as hidden.

    It is part of every read of a challenge, so it asks the database as little as it
    can: one grouped query for the counts and overdue input, one for the answer times,
    one for the followers and endorsements, one for the ratings.
    """
    assert challenge.id is not None
    now = now or utcnow()
    is_overdue = col(ResidentInput.status).in_(OPEN_INPUT_STATUSES) & (
        col(ResidentInput.respond_by) < now
    )
    groups = (
        await session.exec(
            select(
                ResidentInput.status,
                ResidentInput.stage,
                func.count(),
                func.coalesce(func.sum(case((is_overdue, 1), else_=0)), 0),
            )
            .where(ResidentInput.challenge_id == challenge.id)
            .group_by(col(ResidentInput.status), col(ResidentInput.stage))
        )
    ).all()
    by_status = {status.value: 0 for status in InputStatus if status != InputStatus.HIDDEN}
    by_stage = {stage.value: 0 for stage in InputStage}
    hidden = overdue = 0
    for status, stage, count, late in groups:
        if status == InputStatus.HIDDEN:
            hidden += count
            continue
        by_status[status] = by_status.get(status, 0) + count
        by_stage[stage] = by_stage.get(stage, 0) + count
        overdue += int(late)
    visible = sum(by_status.values())
    visible_only = col(ResidentInput.status) != InputStatus.HIDDEN

    answered = (
        await session.exec(
            select(ResidentInput.created_at, ResidentInput.answered_at, ResidentInput.respond_by)
            .where(ResidentInput.challenge_id == challenge.id, visible_only)
            .where(col(ResidentInput.answered_at).is_not(None))
        )
    ).all()
    # answered_at is never None here: the query asks for answered input only.
    hours = [
        (answered_at - created).total_seconds() / 3600
        for created, answered_at, _ in answered
        if answered_at is not None
    ]
    on_time = sum(
        1 for _, answered_at, due in answered if answered_at is not None and answered_at <= due
    )

    endorsed = (
        select(func.coalesce(func.sum(ResidentInput.endorsement_count), 0))
        .where(ResidentInput.challenge_id == challenge.id, visible_only)
        .scalar_subquery()
    )
    followers, endorsements = (
        await session.exec(
            select(func.count(), endorsed)
            .select_from(Follow)
            .where(Follow.challenge_id == challenge.id)
        )
    ).one()
    return EngagementPublic(
        challenge_id=challenge.id,
        followers=followers,
        inputs=visible,
        inputs_by_stage=by_stage,
        inputs_by_status=by_status,
        hidden=hidden,
        endorsements=int(endorsements),
        answered_share=round(len(answered) / visible, 4) if visible else None,
        answered_on_time_share=round(on_time / len(answered), 4) if answered else None,
        median_hours_to_answer=round(median(hours), 2) if hours else None,
        overdue=overdue,
        response_target_working_days=challenge.response_target_working_days,
        pilots=await rating_summaries(session, challenge.id, pilots),
    )


async def rating_summaries(
    session: AsyncSession, challenge_id: int, pilots: Sequence[Pilot] | None = None
) -> list[RatingSummary]:
    """A rating summary per pilot of the challenge (``pilots``, if the caller has them)."""
    if pilots is None:
        pilots = (
            await session.exec(
                select(Pilot).where(Pilot.challenge_id == challenge_id).order_by(col(Pilot.id))
            )
        ).all()
    rows = (
        await session.exec(
            select(ResidentInput.pilot_id, ResidentInput.rating, func.count())
            .where(
                ResidentInput.challenge_id == challenge_id,
                col(ResidentInput.pilot_id).is_not(None),
                col(ResidentInput.status) != InputStatus.HIDDEN,
            )
            .group_by(col(ResidentInput.pilot_id), col(ResidentInput.rating))
        )
    ).all()
    summaries = []
    for pilot in pilots:
        assert pilot.id is not None
        counts = {rating: count for pilot_id, rating, count in rows if pilot_id == pilot.id}
        distribution = {r: counts.get(int(r), 0) for r in RATINGS}
        rated = sum(distribution.values())
        total = sum(counts.values())
        average = sum(int(r) * n for r, n in distribution.items()) / rated if rated else None
        summaries.append(
            RatingSummary(
                pilot_id=pilot.id,
                status=pilot.status,
                inputs=total,
                ratings=rated,
                average_rating=round(average, 2) if average is not None else None,
                distribution=distribution,
            )
        )
    return summaries


async def you_said_we_did(session: AsyncSession, challenge_id: int) -> list[InputPublic]:
    """Every visible input the city answered, oldest first, with its answer: the
    outcome report's "you said, we did" list."""
    rows = (
        await session.exec(
            select(ResidentInput)
            .where(
                ResidentInput.challenge_id == challenge_id,
                ResidentInput.status == InputStatus.ANSWERED,
            )
            .order_by(col(ResidentInput.created_at), col(ResidentInput.id))
        )
    ).all()
    return [to_public(row, None) for row in rows]
