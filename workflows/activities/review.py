"""Activities of the review and selection: reading progress, expiring requests for
information, reminders, applying the shortlist and telling every startup its outcome.

Each is idempotent: conditional updates, unique keys, ``insert_missing``.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity

from schemas.common import ActorKind
from schemas.workflows import (
    ApplyShortlistInput,
    ChallengeRef,
    CityReminderInput,
    CountResult,
    EvaluatorReminderInput,
    ExpireInfoRequestsInput,
    ExpireInfoRequestsResult,
    PilotRef,
    ReviewProgress,
    ShortlistResult,
)
from service.challenges.models import Challenge
from service.challenges.rules import city_contacts
from service.errors import NotFound
from service.notifications import messages
from service.notifications.commands import notify, notify_each
from service.pilots.models import Pilot
from service.pilots.opening import open_pilots, record_outcome
from service.proposals.models import Proposal, ProposalStatus
from service.review.models import (
    Assignment,
    AssignmentStatus,
    InfoRequest,
    InfoRequestStatus,
    ProposalEvent,
)
from service.review.queries import criteria_of, evaluations_of


class ReviewActivities:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    async def _challenge(self, session: AsyncSession, challenge_id: int) -> Challenge:
        challenge = await session.get(Challenge, challenge_id)
        if challenge is None:
            raise NotFound(f"challenge {challenge_id} does not exist")
        return challenge

    @activity.defn
    async def review_progress(self, input: ChallengeRef) -> ReviewProgress:
        async with self._sessions() as session:
            statuses = dict(
                (
                    await session.exec(
                        select(Proposal.status, func.count())
                        .where(Proposal.challenge_id == input.challenge_id)
                        .group_by(Proposal.status)
                    )
                ).all()
            )
            active = (
                await session.exec(
                    select(Assignment).where(
                        Assignment.challenge_id == input.challenge_id,
                        Assignment.status == AssignmentStatus.ACTIVE,
                    )
                )
            ).all()
            eligible = (
                await session.exec(
                    select(Proposal.id).where(
                        Proposal.challenge_id == input.challenge_id,
                        Proposal.status == ProposalStatus.ELIGIBLE,
                    )
                )
            ).all()
        covered = {a.proposal_id for a in active}
        return ReviewProgress(
            proposals=sum(n for s, n in statuses.items() if s != ProposalStatus.WITHDRAWN),
            unscreened=statuses.get(ProposalStatus.SUBMITTED, 0),
            awaiting_information=statuses.get(ProposalStatus.INFO_REQUESTED, 0),
            eligible_without_evaluator=sum(1 for p in eligible if p not in covered),
            assignments=len(active),
            complete_assignments=sum(1 for a in active if a.completed_at is not None),
        )

    @activity.defn
    async def expire_info_requests(
        self, input: ExpireInfoRequestsInput
    ) -> ExpireInfoRequestsResult:
        """Screen out every proposal whose request for information went unanswered."""
        async with self._sessions() as session:
            statement = select(InfoRequest).where(
                InfoRequest.challenge_id == input.challenge_id,
                InfoRequest.status == InfoRequestStatus.OPEN,
            )
            if not input.expire_all:
                statement = statement.where(col(InfoRequest.reply_deadline) <= input.now)
            expired = 0
            for request in (await session.exec(statement)).all():
                claimed = await session.exec(
                    update(InfoRequest)
                    .where(
                        col(InfoRequest.id) == request.id,
                        col(InfoRequest.status) == InfoRequestStatus.OPEN,
                    )
                    .values(status=InfoRequestStatus.EXPIRED)
                )
                if not claimed.rowcount:
                    continue  # answered meanwhile, or another attempt got here first
                proposal = await session.get(Proposal, request.proposal_id)
                assert proposal is not None
                reason = messages.no_reply_reason(
                    reply_deadline=request.reply_deadline, question=request.question
                )
                proposal.status = ProposalStatus.INELIGIBLE
                proposal.screening_reason = reason
                proposal.screened_at = proposal.updated_at = input.now
                proposal.screened_by_id = None
                session.add(proposal)
                session.add(
                    ProposalEvent(
                        proposal_id=proposal.id,  # type: ignore[arg-type]
                        kind="screened_out_no_reply",
                        at=input.now,
                        actor_kind=ActorKind.TIMER,
                        body=reason,
                        info_request_id=request.id,
                    )
                )
                await notify(
                    session,
                    [proposal.startup_id],
                    messages.screened_out_no_reply(
                        request_id=request.id,
                        proposal_id=proposal.id,
                        challenge_id=input.challenge_id,
                        proposal=proposal.title,
                        reason=reason,
                    ),
                )
                expired += 1
            await session.commit()
            next_deadline = (
                await session.exec(
                    select(func.min(InfoRequest.reply_deadline)).where(
                        InfoRequest.challenge_id == input.challenge_id,
                        InfoRequest.status == InfoRequestStatus.OPEN,
                    )
                )
            ).one()
        return ExpireInfoRequestsResult(expired=expired, next_deadline=next_deadline)

    @activity.defn
    async def remind_evaluators(self, input: EvaluatorReminderInput) -> CountResult:
        async with self._sessions() as session:
            challenge = await self._challenge(session, input.challenge_id)
            open_work = (
                await session.exec(
                    select(Assignment.evaluator_id, func.count())
                    .where(
                        Assignment.challenge_id == input.challenge_id,
                        Assignment.status == AssignmentStatus.ACTIVE,
                        col(Assignment.completed_at).is_(None),
                    )
                    .group_by(col(Assignment.evaluator_id))
                )
            ).all()
            sent = 0
            for evaluator_id, count in open_work:
                sent += await notify(
                    session,
                    [evaluator_id],
                    messages.review_reminder(
                        challenge_id=input.challenge_id,
                        challenge=challenge.title,
                        days_before=input.days_before,
                        to_score=count,
                        review_deadline=input.review_deadline,
                    ),
                )
            await session.commit()
        return CountResult(count=sent)

    @activity.defn
    async def remind_city_to_select(self, input: CityReminderInput) -> CountResult:
        async with self._sessions() as session:
            challenge = await self._challenge(session, input.challenge_id)
            sent = await notify(
                session,
                city_contacts(challenge),
                messages.selection_reminder(
                    challenge_id=input.challenge_id,
                    number=input.number,
                    challenge=challenge.title,
                    waiting_since=input.waiting_since,
                ),
            )
            await session.commit()
        return CountResult(count=sent)

    @activity.defn
    async def apply_shortlist(self, input: ApplyShortlistInput) -> ShortlistResult:
        """Mark each proposal selected or not, and create a pilot per selected one."""
        async with self._sessions() as session:
            proposals = (
                await session.exec(
                    select(Proposal).where(
                        Proposal.challenge_id == input.challenge_id,
                        # Unscreened proposals are not selected either: the review is over.
                        col(Proposal.status).in_(
                            [
                                ProposalStatus.SUBMITTED,
                                ProposalStatus.ELIGIBLE,
                                ProposalStatus.SELECTED,
                                ProposalStatus.NOT_SELECTED,
                            ]
                        ),
                    )
                )
            ).all()
            chosen = set(input.proposal_ids)
            for proposal in proposals:
                outcome = (
                    ProposalStatus.SELECTED
                    if proposal.id in chosen
                    else ProposalStatus.NOT_SELECTED
                )
                record_outcome(session, proposal, outcome, input.at, input.actor_id)
            selected = [p for p in proposals if p.id in chosen]
            await open_pilots(session, input.challenge_id, selected, input.at)
            await session.commit()
            pilots = (
                await session.exec(
                    select(Pilot)
                    .where(Pilot.challenge_id == input.challenge_id)
                    .order_by(col(Pilot.id))
                )
            ).all()
        return ShortlistResult(
            pilots=[
                PilotRef(id=p.id, proposal_id=p.proposal_id, startup_id=p.startup_id)  # type: ignore[arg-type]
                for p in pilots
            ]
        )

    @activity.defn
    async def announce_selection(self, input: ChallengeRef) -> CountResult:
        """Tell every startup its outcome: selected or not, with its own scores per
        criterion and the evaluators' comments; or why it was found ineligible."""
        async with self._sessions() as session:
            challenge = await self._challenge(session, input.challenge_id)
            proposals = (
                await session.exec(
                    select(Proposal).where(
                        Proposal.challenge_id == input.challenge_id,
                        col(Proposal.status) != ProposalStatus.WITHDRAWN,
                    )
                )
            ).all()
            criteria = await criteria_of(session, input.challenge_id)
            evaluations = await evaluations_of(session, input.challenge_id, proposals)
            outcomes = []
            for proposal in proposals:
                evaluation = evaluations[proposal.id]  # type: ignore[index]
                outcome = messages.selection_outcome(
                    challenge_id=input.challenge_id,
                    proposal_id=proposal.id,
                    proposal=proposal.title,
                    selected=evaluation is not None
                    and evaluation.outcome == ProposalStatus.SELECTED,
                    evaluation=evaluation,
                    screening_reason=proposal.screening_reason,
                    challenge=challenge.title,
                    criteria=len(criteria),
                )
                outcomes.append((proposal.startup_id, outcome))
            sent = await notify_each(session, outcomes)
            await session.commit()
        return CountResult(count=sent)
