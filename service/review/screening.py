"""Screening: the city marks proposals eligible or not, or asks the startup for more
information first; every step lands in the proposal's history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import ActorKind, ChallengePhase, Role, actor_label
from schemas.review import InfoRequestPublic, ProposalEventPublic
from service.auth.identity import CurrentUser
from service.challenges.models import Challenge
from service.challenges.rules import city_contacts, require_phase
from service.clock import utcnow
from service.errors import Conflict, FieldError, Forbidden, NotFound
from service.notifications import messages
from service.notifications.commands import notify
from service.proposals.models import Proposal, ProposalStatus
from service.review.models import InfoRequest, InfoRequestStatus, ProposalEvent
from service.workflow_gateway import WorkflowGateway

SCREENABLE = {
    ProposalStatus.SUBMITTED,
    ProposalStatus.INFO_REQUESTED,
    ProposalStatus.ELIGIBLE,
    ProposalStatus.INELIGIBLE,
}


class ScreeningService:
    def __init__(self, session: AsyncSession, gateway: WorkflowGateway) -> None:
        self.session = session
        self.gateway = gateway

    async def _proposal_in_review(self, proposal_id: int) -> tuple[Proposal, Challenge]:
        proposal = await self.session.get(Proposal, proposal_id)
        if proposal is None:
            raise NotFound(f"no proposal {proposal_id}")
        challenge = await self.session.get(Challenge, proposal.challenge_id)
        assert challenge is not None
        require_phase(
            challenge, {ChallengePhase.REVIEW}, "proposals are screened during the review"
        )
        if proposal.status not in SCREENABLE:
            raise Conflict(f"a {proposal.status} proposal cannot be screened")
        return proposal, challenge

    async def _close_open_requests(self, proposal_id: int) -> None:
        await self.session.exec(
            update(InfoRequest)
            .where(
                col(InfoRequest.proposal_id) == proposal_id,
                col(InfoRequest.status) == InfoRequestStatus.OPEN,
            )
            .values(status=InfoRequestStatus.SUPERSEDED)
        )

    async def screen(
        self, proposal_id: int, eligible: bool, reason: str, city: CurrentUser
    ) -> Proposal:
        """Record the verdict, once: the same verdict with the same reason again (the
        same request sent twice, even at the same moment) changes nothing, adds nothing
        to the history and tells the startup nothing new."""
        proposal, challenge = await self._proposal_in_review(proposal_id)
        now = utcnow()
        status = ProposalStatus.ELIGIBLE if eligible else ProposalStatus.INELIGIBLE
        # The database decides whether this is news (not the proposal read above, which
        # a concurrent request may have screened since).
        screened = await self.session.exec(
            update(Proposal)
            .where(
                col(Proposal.id) == proposal_id,
                col(Proposal.status).in_(SCREENABLE),
                or_(
                    col(Proposal.status) != status,
                    col(Proposal.screening_reason).is_distinct_from(reason or None),
                ),
            )
            .values(
                status=status,
                screening_reason=reason or None,
                screened_at=now,
                updated_at=now,
                screened_by_id=city.id,
            )
            .execution_options(synchronize_session=False)
        )
        if not screened.rowcount:
            await self.session.commit()
            await self.session.refresh(proposal)
            if proposal.status not in SCREENABLE:
                raise Conflict(f"a {proposal.status} proposal cannot be screened")
            return proposal
        await self._close_open_requests(proposal_id)
        await self.session.refresh(proposal)
        event = ProposalEvent(
            proposal_id=proposal_id,
            kind="screened_eligible" if eligible else "screened_ineligible",
            at=now,
            actor_kind=ActorKind.USER,
            actor_id=city.id,
            body=reason or None,
        )
        self.session.add(event)
        await self.session.flush()
        await notify(
            self.session,
            [proposal.startup_id],
            messages.proposal_screened(
                event_id=event.id,
                proposal_id=proposal.id,
                challenge_id=challenge.id,
                proposal=proposal.title,
                challenge=challenge.title,
                eligible=eligible,
                reason=reason,
            ),
        )
        await self.session.commit()
        await self.gateway.review_changed(challenge.id)  # type: ignore[arg-type]
        return proposal

    async def request_information(
        self, proposal_id: int, question: str, reply_deadline: datetime, city: CurrentUser
    ) -> InfoRequestPublic:
        proposal, challenge = await self._proposal_in_review(proposal_id)
        if reply_deadline <= utcnow():
            raise FieldError("reply_deadline", "must be in the future")
        if reply_deadline >= challenge.review_deadline:
            raise FieldError(
                "reply_deadline",
                f"must be before the review deadline ({challenge.review_deadline.isoformat()})",
            )
        await self._close_open_requests(proposal_id)
        request = InfoRequest(
            challenge_id=challenge.id,  # type: ignore[arg-type]
            proposal_id=proposal_id,
            question=question,
            reply_deadline=reply_deadline,
            requested_by_id=city.id,
        )
        self.session.add(request)
        await self.session.flush()
        proposal.status = ProposalStatus.INFO_REQUESTED
        proposal.updated_at = request.requested_at
        self.session.add(proposal)
        self.session.add(
            ProposalEvent(
                proposal_id=proposal_id,
                kind="info_requested",
                actor_kind=ActorKind.USER,
                actor_id=city.id,
                body=question,
                info_request_id=request.id,
            )
        )
        await notify(
            self.session,
            [proposal.startup_id],
            messages.info_requested(
                request_id=request.id,
                proposal_id=proposal.id,
                challenge_id=challenge.id,
                proposal=proposal.title,
                question=question,
                reply_deadline=reply_deadline,
            ),
        )
        await self.session.commit()
        await self.gateway.review_changed(challenge.id, info_deadline=reply_deadline)  # type: ignore[arg-type]
        return InfoRequestPublic.model_validate(request)

    async def answer_information(
        self, request_id: int, body: str, startup: CurrentUser
    ) -> InfoRequestPublic:
        request = await self.session.get(InfoRequest, request_id)
        if request is None:
            raise NotFound(f"no request for information {request_id}")
        proposal = await self.session.get(Proposal, request.proposal_id)
        assert proposal is not None
        if proposal.startup_id != startup.id:
            raise Forbidden("only the startup asked can answer")
        challenge = await self.session.get(Challenge, request.challenge_id)
        assert challenge is not None
        require_phase(challenge, {ChallengePhase.REVIEW}, "answers are taken during the review")
        now = utcnow()
        if request.status != InfoRequestStatus.OPEN or now >= request.reply_deadline:
            raise Conflict(
                f"this request is {request.status}"
                if request.status != InfoRequestStatus.OPEN
                else f"the reply deadline passed at {request.reply_deadline.isoformat()}"
            )
        request.status = InfoRequestStatus.ANSWERED
        request.answer, request.answered_at = body, now
        proposal.status = ProposalStatus.SUBMITTED  # back in the screening queue
        proposal.updated_at = now
        self.session.add_all([request, proposal])
        self.session.add(
            ProposalEvent(
                proposal_id=proposal.id,  # type: ignore[arg-type]
                kind="info_answered",
                at=now,
                actor_kind=ActorKind.USER,
                actor_id=startup.id,
                body=body,
                info_request_id=request.id,
            )
        )
        await notify(
            self.session,
            city_contacts(challenge),
            messages.info_answered(
                request_id=request.id,
                proposal_id=proposal.id,
                challenge_id=challenge.id,
                proposal=proposal.title,
                question=request.question,
                answer=body,
            ),
        )
        await self.session.commit()
        await self.gateway.review_changed(challenge.id)  # type: ignore[arg-type]
        return InfoRequestPublic.model_validate(request)

    async def history(
        self, proposal_id: int, viewer: CurrentUser
    ) -> tuple[list[ProposalEventPublic], list[InfoRequestPublic]]:
        proposal = await self.session.get(Proposal, proposal_id)
        if proposal is None:
            raise NotFound(f"no proposal {proposal_id}")
        if viewer.role != Role.CITY and proposal.startup_id != viewer.id:
            raise Forbidden("a proposal's history is for the city and its author")
        events = (
            await self.session.exec(
                select(ProposalEvent)
                .where(ProposalEvent.proposal_id == proposal_id)
                .order_by(col(ProposalEvent.at), col(ProposalEvent.id))
            )
        ).all()
        requests = (
            await self.session.exec(
                select(InfoRequest)
                .where(InfoRequest.proposal_id == proposal_id)
                .order_by(col(InfoRequest.id))
            )
        ).all()
        return (
            [
                ProposalEventPublic(
                    kind=e.kind,
                    at=e.at,
                    actor=actor_label(e.actor_kind, e.actor_id),
                    body=e.body,
                    info_request_id=e.info_request_id,
                )
                for e in events
            ],
            [InfoRequestPublic.model_validate(r) for r in requests],
        )
