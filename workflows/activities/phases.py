"""Recording phase transitions from the workflows: a thin adapter over
``service.challenges.commands.record_transition``, the only writer of
``challenges.phase`` and ``pilots.status`` (followers and the startups involved are
told in the same transaction, once per transition)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity

from schemas.workflows import RecordTransitionInput, RecordTransitionResult
from service.challenges.commands import record_transition


class PhaseActivities:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    @activity.defn
    async def record_transition(self, input: RecordTransitionInput) -> RecordTransitionResult:
        async with self._sessions() as session:
            result = await record_transition(session, input)
            try:
                await session.commit()
            except IntegrityError:
                # A concurrent attempt of this same activity won the race: nothing to do.
                await session.rollback()
                return RecordTransitionResult(recorded=False, from_phase=result.from_phase)
            return result
