"""What waits for the city in each challenge, for the dashboard: proposals to screen,
eligible proposals without an evaluator, resident input to answer (and how much of it
is past its response target), pilot agreements to set and decisions to take.

One grouped count per kind for a whole page of challenges (never a query per row). The
conditions are the domain's own statuses (``ProposalStatus.SUBMITTED`` is what the
screening takes, ``OPEN_INPUT_STATUSES`` what still waits for an answer); the phase
each needs is the phase the domain service accepts that write in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, exists, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import ChallengePhase, PilotStatus
from schemas.residents import OPEN_INPUT_STATUSES
from service.challenges.models import Challenge
from service.clock import utcnow
from service.pilots.models import Pilot
from service.proposals.models import Proposal, ProposalStatus
from service.residents.models import ResidentInput
from service.review.models import Assignment, AssignmentStatus


@dataclass
class Waiting:
    to_screen: int = 0
    without_evaluators: int = 0
    overdue_input: int = 0
    input_to_answer: int = 0
    """Open input still within its response target (the overdue is counted apart)."""
    agreements_to_set: int = 0
    decisions_to_take: int = 0
    shortlist_to_approve: bool = False

    @property
    def anything(self) -> bool:
        return bool(
            self.to_screen
            or self.without_evaluators
            or self.overdue_input
            or self.input_to_answer
            or self.agreements_to_set
            or self.decisions_to_take
            or self.shortlist_to_approve
        )


async def waiting_for_city(
    session: AsyncSession, challenges: Sequence[tuple[int, ChallengePhase]]
) -> dict[int, Waiting]:
    """Challenge id -> what waits for the city in it, for these (id, phase) pairs."""
    waiting = {cid: Waiting() for cid, _ in challenges}
    if not waiting:
        return waiting
    ids = list(waiting)
    for cid, phase in challenges:
        waiting[cid].shortlist_to_approve = phase == ChallengePhase.SELECTION
    in_review = (
        col(Proposal.challenge_id).in_(ids),
        col(Proposal.challenge_id) == col(Challenge.id),
        col(Challenge.phase) == ChallengePhase.REVIEW,
    )
    to_screen = await session.exec(
        select(Proposal.challenge_id, func.count())
        .where(*in_review, col(Proposal.status) == ProposalStatus.SUBMITTED)
        .group_by(col(Proposal.challenge_id))
    )
    for cid, count in to_screen.all():
        waiting[cid].to_screen = count
    assigned = exists().where(
        col(Assignment.proposal_id) == col(Proposal.id),
        col(Assignment.status) == AssignmentStatus.ACTIVE,
    )
    unassigned = await session.exec(
        select(Proposal.challenge_id, func.count())
        .where(*in_review, col(Proposal.status) == ProposalStatus.ELIGIBLE, ~assigned)
        .group_by(col(Proposal.challenge_id))
    )
    for cid, count in unassigned.all():
        waiting[cid].without_evaluators = count
    now = utcnow()
    late = case((col(ResidentInput.respond_by) < now, 1), else_=0)
    open_input = await session.exec(
        select(ResidentInput.challenge_id, func.count(), func.sum(late))
        .where(
            col(ResidentInput.challenge_id).in_(ids),
            col(ResidentInput.status).in_(OPEN_INPUT_STATUSES),
        )
        .group_by(col(ResidentInput.challenge_id))
    )
    for cid, count, overdue in open_input.all():
        waiting[cid].overdue_input = int(overdue or 0)
        waiting[cid].input_to_answer = count - waiting[cid].overdue_input
    pilots = await session.exec(
        select(Pilot.challenge_id, Pilot.status, func.count())
        .where(
            col(Pilot.challenge_id).in_(ids),
            col(Pilot.declined_at).is_(None),
            ((col(Pilot.status) == PilotStatus.AGREEMENT) & col(Pilot.agreement_set_at).is_(None))
            | (col(Pilot.status) == PilotStatus.EVALUATION),
        )
        .group_by(col(Pilot.challenge_id), col(Pilot.status))
    )
    for cid, status, count in pilots.all():
        if status == PilotStatus.AGREEMENT:
            waiting[cid].agreements_to_set = count
        else:
            waiting[cid].decisions_to_take = count
    return waiting
