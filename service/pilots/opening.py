"""Selecting proposals and opening their pilots: written by the activities that apply
the shortlist and fill a freed slot, each idempotent so a retried activity writes once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import ActorKind, PilotStatus
from service.db.upsert import insert_missing, table_of
from service.pilots.models import Pilot
from service.proposals.models import Proposal, ProposalStatus
from service.review.models import ProposalEvent


def record_outcome(
    session: AsyncSession,
    proposal: Proposal,
    outcome: ProposalStatus,
    at: datetime,
    actor_id: int | None,
    note: str | None = None,
) -> None:
    """Give ``proposal`` its selection outcome, with an event in its history; a proposal
    that has it already is left as it is."""
    if proposal.status == outcome:
        return
    assert proposal.id is not None
    proposal.status = outcome
    proposal.updated_at = at
    session.add(proposal)
    session.add(
        ProposalEvent(
            proposal_id=proposal.id,
            kind=outcome.value,
            at=at,
            actor_kind=ActorKind.USER,
            actor_id=actor_id,
            body=note,
        )
    )


async def open_pilots(
    session: AsyncSession, challenge_id: int, proposals: Sequence[Proposal], at: datetime
) -> None:
    """A pilot in ``agreement`` for each of ``proposals`` that has none yet."""
    await insert_missing(
        session,
        table_of(Pilot),
        [
            {
                "challenge_id": challenge_id,
                "proposal_id": p.id,
                "startup_id": p.startup_id,
                "status": PilotStatus.AGREEMENT.value,
                "created_at": at,
                "updated_at": at,
                "extensions": 0,
            }
            for p in proposals
        ],
        unique=("proposal_id",),
    )
