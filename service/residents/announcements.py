"""What followers, startups and authors are told, and who they are.

Every function here adds notifications in the caller's transaction (through
``notify``, so e-mail is queued with them) and commits nothing.
"""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.workflows import RecordTransitionInput
from service.challenges.models import Challenge
from service.challenges.rules import city_contacts
from service.notifications import messages
from service.notifications.commands import notify
from service.pilots.models import Pilot
from service.proposals.models import Proposal, ProposalStatus
from service.residents.models import Follow, ResidentInput
from service.review.queries import evaluator_pool


async def followers(session: AsyncSession, challenge_id: int) -> list[int]:
    rows = await session.exec(select(Follow.user_id).where(Follow.challenge_id == challenge_id))
    return list(rows.all())


async def startups_with_proposals(session: AsyncSession, challenge_id: int) -> list[int]:
    rows = await session.exec(
        select(Proposal.startup_id)
        .where(
            Proposal.challenge_id == challenge_id,
            Proposal.status != ProposalStatus.WITHDRAWN,
        )
        .distinct()
    )
    return list(rows.all())


# -- phase changes ---------------------------------------------------------------------


async def announce_transition(session: AsyncSession, transition: RecordTransitionInput) -> int:
    """Tell the followers of the challenge (and the startups with proposals in it and
    its evaluators, or the pilot's own startup) about a newly recorded transition. Keyed by the
    transition's key, so it is told once whatever retries."""
    challenge = await session.get(Challenge, transition.challenge_id)
    if challenge is None:
        return 0
    recipients = set(await followers(session, transition.challenge_id))
    told = 0
    if transition.pilot_id is None:
        # First the city, when the new phase waits for it (its own words and link; the
        # same key, so a city contact who also follows hears it once).
        for_city = messages.city_must_act(
            transition_key=transition.key,
            challenge_id=transition.challenge_id,
            phase=transition.to_phase,
            challenge=challenge.title,
        )
        if for_city is not None:
            told += await notify(session, city_contacts(challenge), for_city)
        recipients |= set(await startups_with_proposals(session, transition.challenge_id))
        recipients |= set(await evaluator_pool(session, transition.challenge_id))
        message = messages.phase_changed(
            transition_key=transition.key,
            challenge_id=transition.challenge_id,
            phase=transition.to_phase,
            challenge=challenge.title,
            proposals_close_at=challenge.proposals_close_at,
            reason=transition.reason,
        )
    else:
        pilot = await session.get(Pilot, transition.pilot_id)
        if pilot is None:
            return 0
        proposal = await session.get(Proposal, pilot.proposal_id)
        recipients.add(pilot.startup_id)
        message = messages.pilot_changed(
            transition_key=transition.key,
            challenge_id=transition.challenge_id,
            pilot_id=transition.pilot_id,
            status=transition.to_phase,
            pilot=proposal.title if proposal else f"#{pilot.id}",
            challenge=challenge.title,
            proposals_close_at=challenge.proposals_close_at,
            reason=transition.reason,
        )
    return told + await notify(session, recipients, message)


# -- input events ----------------------------------------------------------------------


async def tell_city_of_input(
    session: AsyncSession, resident_input: ResidentInput, challenge: Challenge
) -> int:
    """New input waits for the city's answer: its contacts are told at once."""
    return await notify(
        session,
        city_contacts(challenge),
        messages.input_received(
            input_id=resident_input.id,
            challenge_id=resident_input.challenge_id,
            pilot_id=resident_input.pilot_id,
            challenge=challenge.title,
            said=resident_input.body,
        ),
    )


async def tell_city_of_report(
    session: AsyncSession, resident_input: ResidentInput, challenge: Challenge, reason: str
) -> int:
    return await notify(
        session,
        city_contacts(challenge),
        messages.input_reported(
            input_id=resident_input.id,
            challenge_id=challenge.id,
            pilot_id=resident_input.pilot_id,
            challenge=challenge.title,
            said=resident_input.body,
            reason=reason,
        ),
    )
