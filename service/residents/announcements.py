"""What followers, startups and authors are told, and who they are.

Every function here adds notifications in the caller's transaction (through
``notify``, so e-mail is queued with them) and commits nothing.
"""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import ChallengePhase, PilotStatus
from schemas.workflows import RecordTransitionInput
from service.challenges.models import Challenge
from service.challenges.rules import city_contacts
from service.notifications.services import Message, notify
from service.pilots.models import Pilot
from service.proposals.models import Proposal, ProposalStatus
from service.residents.models import Follow, ResidentInput
from service.review.queries import evaluator_pool

EXCERPT = 300


def excerpt(text: str, limit: int = EXCERPT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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

_CHALLENGE_PHASES: dict[str, tuple[str, str]] = {
    ChallengePhase.OPEN: (
        "“{title}” is open for proposals",
        "Startups can propose solutions until {close}. Residents can say what they think "
        "of the problem until then.",
    ),
    ChallengePhase.REVIEW: (
        "The call for “{title}” has closed",
        "The proposals are being reviewed.",
    ),
    ChallengePhase.SELECTION: (
        "“{title}”: the proposals are ranked",
        "The city is choosing which pilots to run.",
    ),
    ChallengePhase.PILOTING: (
        "“{title}”: the pilots are chosen",
        "The selected pilots are being prepared for the test bed.",
    ),
    ChallengePhase.CLOSED: (
        "“{title}” is closed: the outcome is published",
        "See what was tried, what residents said, how the city answered and what it "
        "decided. You can give your input on the outcome.",
    ),
    ChallengePhase.CANCELLED: ("“{title}” was cancelled", "The city cancelled it."),
}

_PILOT_STATUSES: dict[str, tuple[str, str]] = {
    PilotStatus.AGREEMENT: (
        "“{title}”: pilot “{pilot}” was selected",
        "The city and the startup are agreeing on the pilot's terms.",
    ),
    PilotStatus.RUNNING: (
        "Pilot “{pilot}” is running in the test bed",
        "It is part of “{title}”. While it runs you can say what you think of it, with a "
        "rating if you like.",
    ),
    PilotStatus.EVALUATION: (
        "Pilot “{pilot}” has ended and is being evaluated",
        "It is part of “{title}”. The city will decide whether to scale it up, extend it "
        "or stop it.",
    ),
    PilotStatus.SCALE_UP: (
        "Decision: pilot “{pilot}” will be scaled up",
        "It is part of “{title}”.",
    ),
    PilotStatus.STOPPED: (
        "Decision: pilot “{pilot}” is stopped",
        "It is part of “{title}”.",
    ),
}


# The reasons worth repeating: the city's own words on a cancellation or a decision
# (a timer's "the call closed" says nothing the title does not).
_REASON_TOLD = {ChallengePhase.CANCELLED, PilotStatus.SCALE_UP, PilotStatus.STOPPED}


async def announce_transition(session: AsyncSession, transition: RecordTransitionInput) -> int:
    """Tell the followers of the challenge (and the startups with proposals in it and
    its evaluators, or the pilot's own startup) about a newly recorded transition. Keyed by the
    transition's key, so it is told once whatever retries."""
    challenge = await session.get(Challenge, transition.challenge_id)
    if challenge is None:
        return 0
    recipients = set(await followers(session, transition.challenge_id))
    values = {"title": challenge.title, "close": challenge.proposals_close_at.isoformat()}
    if transition.pilot_id is None:
        title, body = _CHALLENGE_PHASES.get(
            transition.to_phase, ("“{title}” is now in phase {phase}", "")
        )
        recipients |= set(await startups_with_proposals(session, transition.challenge_id))
        recipients |= set(await evaluator_pool(session, transition.challenge_id))
        link = f"/api/challenges/{transition.challenge_id}"
    else:
        pilot = await session.get(Pilot, transition.pilot_id)
        if pilot is None:
            return 0
        proposal = await session.get(Proposal, pilot.proposal_id)
        values["pilot"] = proposal.title if proposal else f"#{pilot.id}"
        title, body = _PILOT_STATUSES.get(
            transition.to_phase, ("Pilot “{pilot}” is now {phase}", "It is part of “{title}”.")
        )
        recipients.add(pilot.startup_id)
        link = f"/api/pilots/{transition.pilot_id}"
    values["phase"] = transition.to_phase
    text = body.format(**values)
    if transition.reason and transition.to_phase in _REASON_TOLD:
        text = f"{text}\n\nReason: {transition.reason}".strip()
    return await notify(
        session,
        recipients,
        Message(
            kind="phase_changed" if transition.pilot_id is None else "pilot_changed",
            key=f"transition-{transition.key}",
            title=title.format(**values),
            body=text,
            challenge_id=transition.challenge_id,
            pilot_id=transition.pilot_id,
            link=link,
        ),
    )


# -- input events ----------------------------------------------------------------------


def input_link(resident_input: ResidentInput) -> str:
    return f"/api/inputs/{resident_input.id}"


async def tell_author(
    session: AsyncSession,
    resident_input: ResidentInput,
    challenge: Challenge,
    *,
    kind: str,
    key: str,
    title: str,
    body: str,
) -> int:
    said = f"You said: “{excerpt(resident_input.body)}”"
    return await notify(
        session,
        [resident_input.author_id],
        Message(
            kind=kind,
            key=key,
            title=title.format(title=challenge.title),
            body=f"{body}\n\n{said}",
            challenge_id=challenge.id,
            pilot_id=resident_input.pilot_id,
            link=input_link(resident_input),
        ),
    )


async def tell_city_of_report(
    session: AsyncSession, resident_input: ResidentInput, challenge: Challenge, reason: str
) -> int:
    return await notify(
        session,
        city_contacts(challenge),
        Message(
            kind="input_reported",
            key=f"input-{resident_input.id}-reported",
            title=f"A resident reported an input on “{challenge.title}”",
            body=f"Reason given: {excerpt(reason)}\n\n"
            f"The input: “{excerpt(resident_input.body)}”\n\n"
            "You can hide it with a reason its author will see, or leave it.",
            challenge_id=challenge.id,
            pilot_id=resident_input.pilot_id,
            link=input_link(resident_input),
        ),
    )
