"""Evaluators: the pool, balanced assignments, conflicts of interest and blind scores.

An evaluator sees only their own assignments and their own scores; nobody sees
individual scores before the ranking, and the ranking is the city's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from litestar.exceptions import NotFoundException, PermissionDeniedException
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import ChallengePhase, Role
from schemas.review import (
    AssignmentPublic,
    CriterionRef,
    MyAssignment,
    ProposalForReview,
    ScoreIn,
    ScorePublic,
)
from service.auth.identity import CurrentUser
from service.auth.models import User
from service.challenges.models import Challenge, Criterion
from service.challenges.queries import published_challenge
from service.challenges.rules import city_contacts, require_phase
from service.clock import utcnow
from service.errors import Conflict, FieldError
from service.notifications.services import Message, notify
from service.proposals.models import Proposal, ProposalStatus
from service.review.models import Assignment, AssignmentStatus, ChallengeEvaluator, Score
from service.review.queries import evaluator_pool
from service.workflow_gateway import WorkflowGateway

IN_REVIEW = {ChallengePhase.REVIEW}


class AssignmentService:
    def __init__(self, session: AsyncSession, gateway: WorkflowGateway) -> None:
        self.session = session
        self.gateway = gateway

    # -- the city ----------------------------------------------------------------------

    async def assign(
        self,
        challenge_id: int,
        evaluator_ids: Sequence[int],
        per_proposal: int | None,
        city: CurrentUser,
    ) -> list[AssignmentPublic]:
        """Add evaluators to the pool and give every eligible proposal its evaluators.

        Idempotent top-up: existing assignments stay; a proposal screened eligible later
        gets its evaluators when this is called again.
        """
        challenge = await published_challenge(self.session, challenge_id)
        require_phase(challenge, IN_REVIEW, "evaluators are assigned during the review")
        await self._add_to_pool(challenge_id, evaluator_ids, city)
        pool = await evaluator_pool(self.session, challenge_id)
        if per_proposal is not None and per_proposal > len(pool):
            raise FieldError(
                "per_proposal", f"the pool has {len(pool)} evaluators; ask for at most that many"
            )
        wanted = per_proposal or len(pool)
        proposals = (
            await self.session.exec(
                select(Proposal)
                .where(
                    Proposal.challenge_id == challenge_id,
                    Proposal.status == ProposalStatus.ELIGIBLE,
                )
                .order_by(col(Proposal.id))
            )
        ).all()
        existing = await self._assignments(challenge_id)
        load = Counter(a.evaluator_id for a in existing if a.status == AssignmentStatus.ACTIVE)
        created: list[Assignment] = []
        for proposal in proposals:
            taken = {a.evaluator_id for a in existing if a.proposal_id == proposal.id}
            active = sum(
                1
                for a in existing
                if a.proposal_id == proposal.id and a.status == AssignmentStatus.ACTIVE
            )
            for evaluator_id in _least_loaded(pool, taken, load, wanted - active):
                assignment = Assignment(
                    challenge_id=challenge_id,
                    proposal_id=proposal.id,  # type: ignore[arg-type]
                    evaluator_id=evaluator_id,
                )
                self.session.add(assignment)
                created.append(assignment)
                load[evaluator_id] += 1
        await self.session.flush()
        for assignment in created:
            await self._tell_evaluator(assignment, challenge)
        await self.session.commit()
        await self.gateway.review_changed(challenge_id)
        return await self.list_for_city(challenge_id)

    async def _add_to_pool(
        self, challenge_id: int, evaluator_ids: Sequence[int], city: CurrentUser
    ) -> None:
        users = (await self.session.exec(select(User).where(col(User.id).in_(evaluator_ids)))).all()
        evaluators = {u.id for u in users if u.role == Role.EVALUATOR and u.is_active}
        unknown = [i for i in evaluator_ids if i not in evaluators]
        if unknown:
            raise FieldError(
                "evaluator_ids", f"not evaluator accounts: {', '.join(map(str, unknown))}"
            )
        pool = set(await evaluator_pool(self.session, challenge_id))
        for evaluator_id in evaluator_ids:
            if evaluator_id not in pool:
                self.session.add(
                    ChallengeEvaluator(
                        challenge_id=challenge_id, evaluator_id=evaluator_id, added_by_id=city.id
                    )
                )
        await self.session.flush()

    async def _assignments(self, challenge_id: int) -> Sequence[Assignment]:
        return (
            await self.session.exec(
                select(Assignment)
                .where(Assignment.challenge_id == challenge_id)
                .order_by(col(Assignment.id))
            )
        ).all()

    async def list_for_city(self, challenge_id: int) -> list[AssignmentPublic]:
        """Progress per assignment, without the scores (those show in the ranking)."""
        return [
            AssignmentPublic(
                id=a.id,  # type: ignore[arg-type]
                challenge_id=a.challenge_id,
                proposal_id=a.proposal_id,
                evaluator_id=a.evaluator_id,
                status=a.status,
                complete=a.completed_at is not None,
                created_at=a.created_at,
                completed_at=a.completed_at,
                conflict_reason=a.conflict_reason,
            )
            for a in await self._assignments(challenge_id)
        ]

    async def _tell_evaluator(self, assignment: Assignment, challenge: Challenge) -> None:
        proposal = await self.session.get(Proposal, assignment.proposal_id)
        assert proposal is not None
        await notify(
            self.session,
            [assignment.evaluator_id],
            Message(
                kind="assignment",
                key=f"assignment-{assignment.id}",
                title=f"Please review \u201c{proposal.title}\u201d",
                body=f"You were asked to score a proposal for \u201c{challenge.title}\u201d "
                f"before {challenge.review_deadline.isoformat()}. If you have a conflict "
                "of interest, declare it on the assignment.",
                challenge_id=challenge.id,
            ),
        )

    # -- the evaluator -----------------------------------------------------------------

    async def _own(self, assignment_id: int, evaluator: CurrentUser) -> Assignment:
        assignment = await self.session.get(Assignment, assignment_id)
        if assignment is None:
            raise NotFoundException(f"no assignment {assignment_id}")
        if assignment.evaluator_id != evaluator.id:
            raise PermissionDeniedException("this assignment belongs to another evaluator")
        return assignment

    async def mine(self, evaluator: CurrentUser) -> list[MyAssignment]:
        assignments = (
            await self.session.exec(
                select(Assignment)
                .where(Assignment.evaluator_id == evaluator.id)
                .order_by(col(Assignment.id).desc())
            )
        ).all()
        return [await self._view(a) for a in assignments]

    async def read(self, assignment_id: int, evaluator: CurrentUser) -> MyAssignment:
        return await self._view(await self._own(assignment_id, evaluator))

    async def _view(self, assignment: Assignment) -> MyAssignment:
        challenge = await self.session.get(Challenge, assignment.challenge_id)
        proposal = await self.session.get(Proposal, assignment.proposal_id)
        assert challenge is not None and proposal is not None
        startup = await self.session.get(User, proposal.startup_id)
        criteria = await self._criteria(challenge.id)  # type: ignore[arg-type]
        scores = (
            await self.session.exec(
                select(Score)
                .where(Score.assignment_id == assignment.id)
                .order_by(col(Score.criterion_id))
            )
        ).all()
        return MyAssignment(
            id=assignment.id,  # type: ignore[arg-type]
            challenge_id=challenge.id,  # type: ignore[arg-type]
            challenge_title=challenge.title,
            review_deadline=challenge.review_deadline,
            proposal_id=proposal.id,  # type: ignore[arg-type]
            proposal=ProposalForReview(
                id=proposal.id,  # type: ignore[arg-type]
                title=proposal.title,
                summary=proposal.summary,
                budget_eur=proposal.budget_eur,
                startup_name=startup.display_name if startup else None,
            ),
            status=assignment.status,
            criteria=[CriterionRef.model_validate(c) for c in criteria],
            scores=[ScorePublic.model_validate(s) for s in scores],
            complete=assignment.completed_at is not None,
            can_score=assignment.status == AssignmentStatus.ACTIVE
            and challenge.phase == ChallengePhase.REVIEW,
        )

    async def _criteria(self, challenge_id: int) -> Sequence[Criterion]:
        return (
            await self.session.exec(
                select(Criterion)
                .where(Criterion.challenge_id == challenge_id)
                .order_by(col(Criterion.position))
            )
        ).all()

    async def score(
        self, assignment_id: int, scores: Sequence[ScoreIn], evaluator: CurrentUser
    ) -> MyAssignment:
        """Record or revise scores; revisions are allowed until the review closes."""
        assignment = await self._own(assignment_id, evaluator)
        challenge = await self.session.get(Challenge, assignment.challenge_id)
        assert challenge is not None
        require_phase(challenge, IN_REVIEW, "scores are given and revised during the review")
        if assignment.status != AssignmentStatus.ACTIVE:
            raise Conflict("you declared a conflict of interest on this assignment")
        criteria = {c.id: c for c in await self._criteria(challenge.id)}  # type: ignore[arg-type]
        for index, item in enumerate(scores):
            if item.criterion_id not in criteria:
                raise FieldError(
                    f"scores.{index}.criterion_id", "is not a criterion of this challenge"
                )
        existing = {
            s.criterion_id: s
            for s in (
                await self.session.exec(select(Score).where(Score.assignment_id == assignment.id))
            ).all()
        }
        now = utcnow()
        for item in scores:
            row = existing.get(item.criterion_id) or Score(
                assignment_id=assignment.id,  # type: ignore[arg-type]
                criterion_id=item.criterion_id,
                score=item.score,
            )
            row.score, row.comment, row.updated_at = item.score, item.comment, now
            existing[item.criterion_id] = row
            self.session.add(row)
        if set(existing) >= set(criteria) and assignment.completed_at is None:
            assignment.completed_at = now
            self.session.add(assignment)
        await self.session.commit()
        await self.gateway.review_changed(challenge.id)  # type: ignore[arg-type]
        return await self._view(assignment)

    async def declare_conflict(
        self, assignment_id: int, reason: str, evaluator: CurrentUser
    ) -> MyAssignment:
        """Withdraw the assignment and hand the proposal to a free evaluator, if any."""
        assignment = await self._own(assignment_id, evaluator)
        challenge = await self.session.get(Challenge, assignment.challenge_id)
        assert challenge is not None
        require_phase(challenge, IN_REVIEW, "conflicts are declared during the review")
        if assignment.status == AssignmentStatus.CONFLICT:
            return await self._view(assignment)
        assignment.status = AssignmentStatus.CONFLICT
        assignment.conflict_reason = reason
        assignment.conflict_declared_at = utcnow()
        self.session.add(assignment)

        existing = await self._assignments(challenge.id)  # type: ignore[arg-type]
        taken = {a.evaluator_id for a in existing if a.proposal_id == assignment.proposal_id}
        load = Counter(a.evaluator_id for a in existing if a.status == AssignmentStatus.ACTIVE)
        pool = await evaluator_pool(self.session, challenge.id)  # type: ignore[arg-type]
        replacement = _least_loaded(pool, taken, load, 1)
        proposal = await self.session.get(Proposal, assignment.proposal_id)
        assert proposal is not None
        if replacement:
            new = Assignment(
                challenge_id=challenge.id,  # type: ignore[arg-type]
                proposal_id=assignment.proposal_id,
                evaluator_id=replacement[0],
                replaces_id=assignment.id,
            )
            self.session.add(new)
            await self.session.flush()
            await self._tell_evaluator(new, challenge)
        else:
            await notify(
                self.session,
                city_contacts(challenge),
                Message(
                    kind="assignment_unfilled",
                    key=f"assignment-{assignment.id}-unfilled",
                    title=f"No free evaluator for \u201c{proposal.title}\u201d",
                    body="An evaluator declared a conflict of interest and everyone else in "
                    "the pool is already on this proposal. Add an evaluator to the pool.",
                    challenge_id=challenge.id,
                ),
            )
        await self.session.commit()
        await self.gateway.review_changed(challenge.id)  # type: ignore[arg-type]
        return await self._view(assignment)


def _least_loaded(
    pool: Sequence[int], taken: set[int], load: Counter[int], count: int
) -> list[int]:
    """``count`` evaluators from the pool not yet on the proposal, fewest assignments
    first, then lowest id: balanced, and the same answer every time."""
    free = sorted((load[e], e) for e in pool if e not in taken)
    return [evaluator for _, evaluator in free[: max(count, 0)]]
