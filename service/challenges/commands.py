"""Writes of the challenges domain: plain ``async def f(session, input) -> result``
functions, called alike by the API's services and by the workflows' activities. None
commits: the caller owns the transaction (and its retry)."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import ChallengePhase, PilotStatus
from schemas.workflows import RecordTransitionInput, RecordTransitionResult
from service.challenges.models import Challenge, PhaseTransition
from service.challenges.rules import is_public
from service.clock import utcnow
from service.errors import NotFound
from service.pilots.models import Pilot
from service.residents.announcements import announce_transition


async def record_transition(
    session: AsyncSession, input: RecordTransitionInput
) -> RecordTransitionResult:
    """Record a challenge's new phase, or one of its pilots' new status: the entry in
    the timeline, the phase or status itself and, once the challenge is public, the
    announcement to who follows it (told once, by the transition's key). A transition
    whose key is already recorded writes nothing. The caller commits.

    The only writer of ``challenges.phase`` and ``pilots.status``: the workflows record
    every transition through it, and the API the end of a draft, which has no workflow
    yet (and, being private, is announced to no one).
    """
    existing = (
        await session.exec(select(PhaseTransition).where(PhaseTransition.key == input.key))
    ).first()
    if existing is not None:
        return RecordTransitionResult(
            recorded=False, from_phase=_phase_or_status(existing.from_phase, input.pilot_id)
        )
    challenge = await session.get(Challenge, input.challenge_id)
    if challenge is None:
        raise NotFound(f"challenge {input.challenge_id} does not exist")
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
            raise NotFound(f"pilot {input.pilot_id} does not exist")
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
    if is_public(challenge):
        with session.no_autoflush:  # the transition is flushed at commit
            await announce_transition(session, input)
    return RecordTransitionResult(
        recorded=True, from_phase=_phase_or_status(from_phase, input.pilot_id)
    )


def _phase_or_status(
    stored: str | None, pilot_id: int | None
) -> ChallengePhase | PilotStatus | None:
    """A phase (or, for a pilot's transition, a status) as the database stores it."""
    if stored is None:
        return None
    return ChallengePhase(stored) if pilot_id is None else PilotStatus(stored)
