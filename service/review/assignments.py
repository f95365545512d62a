"""Evaluators: the pool, balanced assignments, conflicts of interest and blind scores.

An evaluator sees only their own assignments and their own scores; nobody sees
individual scores before the ranking, and the ranking is the city's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlmodel import col, select, update
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
from service.db.upsert import insert_missing, table_of, upsert
from service.errors import Conflict, FieldError, Forbidden, NotFound
from service.notifications import messages
from service.notifications.commands import notify
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
            assert proposal.id is not None
            taken = {a.evaluator_id for a in existing if a.proposal_id == proposal.id}
            active = sum(
                1
                for a in existing
                if a.proposal_id == proposal.id and a.status == AssignmentStatus.ACTIVE
            )
            for evaluator_id in _least_loaded(pool, taken, load, wanted - active):
                assignment = await self._new_assignment(challenge_id, proposal.id, evaluator_id)
                if assignment is not None:  # else the same call, a moment earlier, made it
                    created.append(assignment)
                    load[evaluator_id] += 1
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
        now = utcnow()
        await insert_missing(
            self.session,
            table_of(ChallengeEvaluator),
            [
                {
                    "challenge_id": challenge_id,
                    "evaluator_id": evaluator_id,
                    "added_by_id": city.id,
                    "added_at": now,
                }
                for evaluator_id in sorted(set(evaluator_ids))
            ],
            unique=("challenge_id", "evaluator_id"),
        )

    async def _new_assignment(
        self, challenge_id: int, proposal_id: int, evaluator_id: int, replaces_id: int | None = None
    ) -> Assignment | None:
        """Assign the proposal to the evaluator, unless a concurrent request just did:
        the unique key on (proposal, evaluator) decides. None if it was not new."""
        created = await insert_missing(
            self.session,
            table_of(Assignment),
            [
                {
                    "challenge_id": challenge_id,
                    "proposal_id": proposal_id,
                    "evaluator_id": evaluator_id,
                    "status": AssignmentStatus.ACTIVE,
                    "created_at": utcnow(),
                    "replaces_id": replaces_id,
                }
            ],
            unique=("proposal_id", "evaluator_id"),
        )
        if not created:
            return None
        return (
            await self.session.exec(
                select(Assignment).where(
                    Assignment.proposal_id == proposal_id, Assignment.evaluator_id == evaluator_id
                )
            )
        ).one()

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
            messages.assignment(
                assignment_id=assignment.id,
                challenge_id=challenge.id,
                proposal=proposal.title,
                challenge=challenge.title,
                review_deadline=challenge.review_deadline,
            ),
        )

    # -- the evaluator -----------------------------------------------------------------

    async def _own(self, assignment_id: int, evaluator: CurrentUser) -> Assignment:
        assignment = await self.session.get(Assignment, assignment_id)
        if assignment is None:
            raise NotFound(f"no assignment {assignment_id}")
        if assignment.evaluator_id != evaluator.id:
            raise Forbidden("this assignment belongs to another evaluator")
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
        now = utcnow()
        # One row per (assignment, criterion), whoever writes first: the same scores sent
        # many times at once are stored once, and sending them again changes nothing.
        await upsert(
            self.session,
            table_of(Score),
            [
                {
                    "assignment_id": assignment.id,
                    "criterion_id": item.criterion_id,
                    "score": item.score,
                    "comment": item.comment,
                    "updated_at": now,
                }
                for item in sorted(scores, key=lambda item: item.criterion_id)
            ],
            unique=("assignment_id", "criterion_id"),
            update=("score", "comment", "updated_at"),
            when_changed=("score", "comment"),
        )
        scored = (
            await self.session.exec(
                select(Score.criterion_id).where(Score.assignment_id == assignment.id)
            )
        ).all()
        if set(scored) >= set(criteria):
            await self.session.exec(
                update(Assignment)
                .where(col(Assignment.id) == assignment.id, col(Assignment.completed_at).is_(None))
                .values(completed_at=now)
                .execution_options(synchronize_session=False)
            )
        await self.session.commit()
        await self.session.refresh(assignment)
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
        # Only the request that withdraws the assignment goes on to replace it: the same
        # declaration sent again at the same moment finds it withdrawn and changes nothing.
        withdrawn = await self.session.exec(
            update(Assignment)
            .where(
                col(Assignment.id) == assignment.id,
                col(Assignment.status) == AssignmentStatus.ACTIVE,
            )
            .values(
                status=AssignmentStatus.CONFLICT,
                conflict_reason=reason,
                conflict_declared_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
        if not withdrawn.rowcount:
            await self.session.commit()
            await self.session.refresh(assignment)
            return await self._view(assignment)

        existing = await self._assignments(challenge.id)  # type: ignore[arg-type]
        taken = {a.evaluator_id for a in existing if a.proposal_id == assignment.proposal_id}
        load = Counter(a.evaluator_id for a in existing if a.status == AssignmentStatus.ACTIVE)
        pool = await evaluator_pool(self.session, challenge.id)  # type: ignore[arg-type]
        proposal = await self.session.get(Proposal, assignment.proposal_id)
        assert proposal is not None
        new = None
        # The least loaded free evaluator; the next if another withdrawal on the same
        # proposal, at the same moment, just took that one.
        for candidate in _least_loaded(pool, taken, load, len(pool)):
            new = await self._new_assignment(
                challenge.id,  # type: ignore[arg-type]
                assignment.proposal_id,
                candidate,
                replaces_id=assignment.id,
            )
            if new is not None:
                break
        if new is not None:
            await self._tell_evaluator(new, challenge)
        else:
            await notify(
                self.session,
                city_contacts(challenge),
                messages.assignment_unfilled(
                    assignment_id=assignment.id,
                    challenge_id=challenge.id,
                    proposal=proposal.title,
                ),
            )
        await self.session.commit()
        await self.session.refresh(assignment)
        await self.gateway.review_changed(challenge.id)  # type: ignore[arg-type]
        return await self._view(assignment)


def _least_loaded(
    pool: Sequence[int], taken: set[int], load: Counter[int], count: int
) -> list[int]:
    """``count`` evaluators from the pool not yet on the proposal, fewest assignments
    first, then lowest id: balanced, and the same answer every time."""
    free = sorted((load[e], e) for e in pool if e not in taken)
    return [evaluator for _, evaluator in free[: max(count, 0)]]
