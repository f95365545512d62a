"""Reads of the pilots domain that the API, the pages and the workflows' activities
share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import PilotStatus
from service.pilots.models import Pilot, PilotEvaluation, PilotEvaluator
from service.review.models import ChallengeEvaluator
from service.review.queries import evaluator_pool


async def pilot_evaluators(session: AsyncSession, pilot: Pilot) -> list[int]:
    """Who evaluates the pilot: the evaluators the city chose for it, else its
    challenge's pool (the rule both the API's check and the workflow's invitation use)."""
    assert pilot.id is not None
    chosen = (
        await session.exec(
            select(PilotEvaluator.evaluator_id)
            .where(PilotEvaluator.pilot_id == pilot.id)
            .order_by(col(PilotEvaluator.evaluator_id))
        )
    ).all()
    return list(chosen) or await evaluator_pool(session, pilot.challenge_id)


@dataclass(frozen=True)
class OwnPilotEvaluation:
    """A pilot as one of its evaluators sees their own part in it: whether they evaluate
    it, and their own score of the current round (None until they give one). Never
    another evaluator's."""

    pilot_id: int
    challenge_id: int
    proposal_id: int
    status: PilotStatus
    ends_at: datetime | None
    evaluates: bool
    round: int
    score: int | None = None
    comment: str = ""
    updated_at: datetime | None = None


async def _own(session: AsyncSession, pilot: Pilot, evaluator_id: int) -> OwnPilotEvaluation:
    assert pilot.id is not None
    evaluates = evaluator_id in await pilot_evaluators(session, pilot)
    row = (
        await session.exec(
            select(PilotEvaluation).where(
                PilotEvaluation.pilot_id == pilot.id,
                PilotEvaluation.evaluator_id == evaluator_id,
                PilotEvaluation.round == pilot.extensions,
            )
        )
    ).first()
    return OwnPilotEvaluation(
        pilot_id=pilot.id,
        challenge_id=pilot.challenge_id,
        proposal_id=pilot.proposal_id,
        status=PilotStatus(pilot.status),
        ends_at=pilot.ends_at,
        evaluates=evaluates,
        round=pilot.extensions,
        score=row.score if row else None,
        comment=row.comment if row else "",
        updated_at=row.updated_at if row else None,
    )


async def own_pilot_evaluation(
    session: AsyncSession, pilot_id: int, evaluator_id: int
) -> OwnPilotEvaluation | None:
    """The evaluator's part in one pilot; None if there is no such pilot."""
    pilot = await session.get(Pilot, pilot_id)
    return None if pilot is None else await _own(session, pilot, evaluator_id)


async def pilots_to_evaluate(session: AsyncSession, evaluator_id: int) -> list[OwnPilotEvaluation]:
    """The pilots being evaluated (ended, no decision yet) that this evaluator evaluates,
    by ``pilot_evaluators``' rule, with their own score of the current round."""
    candidates = (
        await session.exec(
            select(Pilot)
            .where(
                Pilot.status == PilotStatus.EVALUATION,
                or_(
                    col(Pilot.id).in_(
                        select(PilotEvaluator.pilot_id).where(
                            PilotEvaluator.evaluator_id == evaluator_id
                        )
                    ),
                    col(Pilot.challenge_id).in_(
                        select(ChallengeEvaluator.challenge_id).where(
                            ChallengeEvaluator.evaluator_id == evaluator_id
                        )
                    ),
                ),
            )
            .order_by(col(Pilot.ends_at), col(Pilot.id))
        )
    ).all()
    found = [await _own(session, pilot, evaluator_id) for pilot in candidates]
    return [own for own in found if own.evaluates]
