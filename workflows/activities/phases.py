"""Recording phase transitions: the only writer of ``challenges.phase`` and
``pilots.status``. Followers (and the startups involved) are told in the same
transaction, once per transition."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity
from temporalio.exceptions import ApplicationError

from schemas.workflows import RecordTransitionInput, RecordTransitionResult
from service.challenges.models import Challenge, PhaseTransition
from service.clock import utcnow
from service.pilots.models import Pilot
from service.residents.announcements import announce_transition


async def write_transition(
    session: AsyncSession, input: RecordTransitionInput
) -> RecordTransitionResult:
    """Add the transition (and the new phase or status) to the session, unless a
    transition with the same key is already recorded. The caller commits."""
    existing = (
        await session.exec(select(PhaseTransition).where(PhaseTransition.key == input.key))
    ).first()
    if existing is not None:
        return RecordTransitionResult(recorded=False, from_phase=existing.from_phase)
    challenge = await session.get(Challenge, input.challenge_id)
    if challenge is None:
        raise ApplicationError(f"challenge {input.challenge_id} does not exist", non_retryable=True)
    if input.pilot_id is None:
        from_phase = challenge.phase
        challenge.phase = input.to_phase
        challenge.updated_at = utcnow()
        if input.to_phase == "cancelled":
            challenge.cancel_reason = input.reason
        session.add(challenge)
    else:
        pilot = await session.get(Pilot, input.pilot_id)
        if pilot is None:
            raise ApplicationError(f"pilot {input.pilot_id} does not exist", non_retryable=True)
        from_phase = pilot.status
        pilot.status = input.to_phase
        pilot.updated_at = utcnow()
        session.add(pilot)
    session.add(
        PhaseTransition(
            key=input.key,
            challenge_id=input.challenge_id,
            pilot_id=input.pilot_id,
            from_phase=from_phase,
            to_phase=input.to_phase,
            at=input.at,
            actor_kind=input.actor_kind,
            actor_id=input.actor_id,
            reason=input.reason,
        )
    )
    with session.no_autoflush:  # the transition is flushed at commit
        await announce_transition(session, input)
    return RecordTransitionResult(recorded=True, from_phase=from_phase)


class PhaseActivities:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    @activity.defn
    async def record_transition(self, input: RecordTransitionInput) -> RecordTransitionResult:
        async with self._sessions() as session:
            result = await write_transition(session, input)
            try:
                await session.commit()
            except IntegrityError:
                # A concurrent attempt of this same activity won the race: nothing to do.
                await session.rollback()
                return RecordTransitionResult(recorded=False, from_phase=result.from_phase)
            return result
