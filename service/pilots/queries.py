"""Reads of the pilots domain that the API and the workflows' activities share."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.pilots.models import Pilot, PilotEvaluator
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
