"""Proposals: startups submit, edit and withdraw their own while the call is open."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import ChallengePhase, Page, Role
from schemas.proposals import ProposalCreate, ProposalPublic, ProposalUpdate
from schemas.review import ProposalEvaluation
from service.auth.identity import CurrentUser
from service.auth.models import User
from service.challenges.models import Challenge
from service.challenges.queries import visible_challenge
from service.clock import utcnow
from service.errors import Conflict, FieldError, Forbidden, NotFound, PhaseConflict
from service.pagination import paginate
from service.proposals.models import Proposal, ProposalStatus
from service.review.models import Assignment, AssignmentStatus
from service.review.queries import evaluations_of


def require_call_open(challenge: Challenge) -> None:
    """Proposals change only while the challenge is open and its deadline not passed.

    The deadline is checked too: the workflow records ``review`` a moment after the
    timer fires, and nothing may slip in during that moment.
    """
    if challenge.phase != ChallengePhase.OPEN:
        raise PhaseConflict(
            "the challenge",
            challenge.phase,
            "proposals can be submitted, edited or withdrawn only while the call is open",
        )
    if utcnow() >= challenge.proposals_close_at:
        raise PhaseConflict(
            "the challenge",
            challenge.phase,
            f"the call for proposals closed at {challenge.proposals_close_at.isoformat()}",
        )


class ProposalService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _challenge(self, challenge_id: int, viewer: CurrentUser | None) -> Challenge:
        return await visible_challenge(self.session, challenge_id, viewer)

    async def _readable(self, proposal_id: int, viewer: CurrentUser) -> Proposal:
        proposal = await self.session.get(Proposal, proposal_id)
        if proposal is None:
            raise NotFound(f"no proposal {proposal_id}")
        if not await self.can_read(proposal, viewer):
            raise Forbidden("this proposal is not yours to read")
        return proposal

    async def can_read(self, proposal: Proposal, viewer: CurrentUser) -> bool:
        """The city, the author, and the evaluators assigned to it (conflicts excluded)."""
        if viewer.role == Role.CITY:
            return True
        if viewer.role == Role.STARTUP:
            return proposal.startup_id == viewer.id
        if viewer.role == Role.EVALUATOR:
            assigned = await self.session.exec(
                select(Assignment.id).where(
                    Assignment.proposal_id == proposal.id,
                    Assignment.evaluator_id == viewer.id,
                    Assignment.status == AssignmentStatus.ACTIVE,
                )
            )
            return assigned.first() is not None
        return False

    async def _own(self, proposal_id: int, startup: CurrentUser) -> tuple[Proposal, Challenge]:
        proposal = await self.session.get(Proposal, proposal_id)
        if proposal is None:
            raise NotFound(f"no proposal {proposal_id}")
        if proposal.startup_id != startup.id:
            raise Forbidden("only the startup that submitted a proposal can change it")
        challenge = await self.session.get(Challenge, proposal.challenge_id)
        assert challenge is not None
        return proposal, challenge

    async def to_public(
        self, proposal: Proposal, viewer: CurrentUser | None = None
    ) -> ProposalPublic:
        [public] = await self.to_public_many([proposal], viewer)
        return public

    async def to_public_many(
        self, proposals: Sequence[Proposal], viewer: CurrentUser | None = None
    ) -> list[ProposalPublic]:
        """The proposals as the viewer sees them, with a fixed number of queries however
        many there are: the startups' names in one, each challenge's evaluations in
        three (service/review/queries.py), for the city and for each proposal's author."""
        others = {p.startup_id for p in proposals if viewer is None or p.startup_id != viewer.id}
        names: dict[int, str] = {}
        if others:
            found = await self.session.exec(
                select(User.id, User.display_name).where(col(User.id).in_(others))
            )
            names = {user_id: name for user_id, name in found.all() if user_id is not None}
        evaluated = [
            p
            for p in proposals
            if viewer is not None and (viewer.role == Role.CITY or viewer.id == p.startup_id)
        ]
        evaluations: dict[int, ProposalEvaluation | None] = {}
        for challenge_id in sorted({p.challenge_id for p in evaluated}):
            of_challenge = [p for p in evaluated if p.challenge_id == challenge_id]
            evaluations |= await evaluations_of(self.session, challenge_id, of_challenge)
        answers = []
        for proposal in proposals:
            public = ProposalPublic.model_validate(proposal)
            if viewer is not None and viewer.id == proposal.startup_id:
                public.startup_name = viewer.display_name  # read with the sign-in: no query
            else:
                public.startup_name = names.get(proposal.startup_id)
            public.evaluation = evaluations.get(proposal.id)  # type: ignore[arg-type]
            answers.append(public)
        return answers

    async def submit(
        self, challenge_id: int, data: ProposalCreate, startup: CurrentUser
    ) -> ProposalPublic:
        challenge = await self._challenge(challenge_id, startup)
        require_call_open(challenge)
        _check_budget(data.budget_eur, challenge)
        proposal = Proposal(challenge_id=challenge_id, startup_id=startup.id, **data.model_dump())
        self.session.add(proposal)
        await self.session.commit()
        return await self.to_public(proposal, startup)

    async def read(self, proposal_id: int, viewer: CurrentUser) -> ProposalPublic:
        return await self.to_public(await self._readable(proposal_id, viewer), viewer)

    async def update(
        self, proposal_id: int, patch: ProposalUpdate, startup: CurrentUser
    ) -> ProposalPublic:
        proposal, challenge = await self._own(proposal_id, startup)
        require_call_open(challenge)
        _require_active(proposal)
        changes = patch.model_dump(exclude_unset=True, exclude_none=True)
        if "budget_eur" in changes:
            _check_budget(changes["budget_eur"], challenge)
        for field, value in changes.items():
            setattr(proposal, field, value)
        proposal.updated_at = utcnow()
        self.session.add(proposal)
        await self.session.commit()
        return await self.to_public(proposal)

    async def withdraw(self, proposal_id: int, startup: CurrentUser) -> ProposalPublic:
        proposal, challenge = await self._own(proposal_id, startup)
        require_call_open(challenge)
        _require_active(proposal)
        proposal.status = ProposalStatus.WITHDRAWN
        proposal.withdrawn_at = proposal.updated_at = utcnow()
        self.session.add(proposal)
        await self.session.commit()
        return await self.to_public(proposal)

    async def list_for_challenge(
        self, challenge_id: int, viewer: CurrentUser, cursor: str | None, limit: int
    ) -> Page[ProposalPublic]:
        await self._challenge(challenge_id, viewer)
        statement = select(Proposal).where(Proposal.challenge_id == challenge_id)
        if viewer.role == Role.STARTUP:
            statement = statement.where(Proposal.startup_id == viewer.id)
        elif viewer.role == Role.EVALUATOR:
            statement = statement.where(
                col(Proposal.id).in_(
                    select(Assignment.proposal_id).where(
                        Assignment.evaluator_id == viewer.id,
                        Assignment.status == AssignmentStatus.ACTIVE,
                    )
                )
            )
        elif viewer.role != Role.CITY:
            raise Forbidden("proposals are visible to the city and their authors")
        rows, next_cursor = await paginate(self.session, statement, Proposal.id, cursor, limit)
        return Page(items=await self.to_public_many(rows, viewer), next_cursor=next_cursor)

    async def list_mine(
        self, startup: CurrentUser, cursor: str | None, limit: int
    ) -> Page[ProposalPublic]:
        statement = select(Proposal).where(Proposal.startup_id == startup.id)
        rows, next_cursor = await paginate(self.session, statement, Proposal.id, cursor, limit)
        return Page(items=await self.to_public_many(rows, startup), next_cursor=next_cursor)


def _check_budget(budget: object, challenge: Challenge) -> None:
    if budget > challenge.pilot_budget_cap_eur:  # type: ignore[operator]
        raise FieldError(
            "budget_eur",
            f"exceeds the challenge's pilot budget cap of {challenge.pilot_budget_cap_eur} EUR",
        )


def _require_active(proposal: Proposal) -> None:
    if proposal.status == ProposalStatus.WITHDRAWN:
        raise Conflict("this proposal was withdrawn")
