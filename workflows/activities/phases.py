"""Recording phase transitions from the workflows: a thin adapter over
``service.challenges.commands.record_transition``, the only writer of
``challenges.phase`` and ``pilots.status`` (followers and the startups involved are
told in the same transaction, once per transition)."""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity

from schemas.workflows import RecordTransitionInput, RecordTransitionResult
from service.challenges.commands import record_transition

log = logging.getLogger(__name__)


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
            if result.recorded:  # one line per transition and decision, once
                subject = f"challenge {input.challenge_id}" + (
                    f" pilot {input.pilot_id}" if input.pilot_id is not None else ""
                )
                log.info(
                    "%s: %s -> %s by %s%s",
                    subject, result.from_phase, input.to_phase, input.actor_kind,
                    f" ({input.reason})" if input.reason else "",
                )  # fmt: skip
            return result
