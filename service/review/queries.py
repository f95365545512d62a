"""Reading review back: a challenge's evaluator pool, complete assignments, the ranking,
the startups' own evaluations.

Shared by the API and the workflow activities (so nothing here talks to Temporal).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.review import CriterionOutcome, EvaluatorComment, ProposalEvaluation
from service.challenges.models import Criterion
from service.proposals.models import Proposal, ProposalStatus
from service.review.models import Assignment, AssignmentStatus, ChallengeEvaluator, Score
from service.review.ranking import CompletedScores, RankedProposal, rank_proposals

OUTCOMES = {ProposalStatus.SELECTED, ProposalStatus.NOT_SELECTED}


async def evaluator_pool(session: AsyncSession, challenge_id: int) -> list[int]:
    """The challenge's evaluator pool, by user id: who reviews its proposals, takes over
    an assignment, hears of its phases and, unless the city chose others, evaluates its
    pilots."""
    rows = await session.exec(
        select(ChallengeEvaluator.evaluator_id)
        .where(ChallengeEvaluator.challenge_id == challenge_id)
        .order_by(col(ChallengeEvaluator.evaluator_id))
    )
    return list(rows.all())


async def completed_scores(
    session: AsyncSession, challenge_id: int, proposal_id: int | None = None
) -> tuple[list[CompletedScores], dict[int, list[tuple[Assignment, Score]]]]:
    """Complete, conflict-free assignments with their scores (and the rows, per proposal)."""
    statement = (
        select(Assignment, Score)
        .join(Score, col(Score.assignment_id) == col(Assignment.id))
        .where(
            Assignment.challenge_id == challenge_id,
            Assignment.status == AssignmentStatus.ACTIVE,
            col(Assignment.completed_at).is_not(None),
        )
        .order_by(col(Assignment.id), col(Score.criterion_id))
    )
    if proposal_id is not None:
        statement = statement.where(Assignment.proposal_id == proposal_id)
    rows = (await session.exec(statement)).all()
    per_assignment: dict[int, dict[int, int]] = defaultdict(dict)
    owners: dict[int, Assignment] = {}
    per_proposal: dict[int, list[tuple[Assignment, Score]]] = defaultdict(list)
    for assignment, score in rows:
        per_assignment[assignment.id][score.criterion_id] = score.score  # type: ignore[index]
        owners[assignment.id] = assignment  # type: ignore[index]
        per_proposal[assignment.proposal_id].append((assignment, score))
    completed = [
        CompletedScores(owners[a].evaluator_id, owners[a].proposal_id, scores)
        for a, scores in per_assignment.items()
    ]
    return completed, per_proposal


async def criteria_of(session: AsyncSession, challenge_id: int) -> Sequence[Criterion]:
    return (
        await session.exec(
            select(Criterion)
            .where(Criterion.challenge_id == challenge_id)
            .order_by(col(Criterion.position))
        )
    ).all()


async def rank_challenge(
    session: AsyncSession, challenge_id: int, weights: dict[int, int] | None = None
) -> list[RankedProposal]:
    criteria = await criteria_of(session, challenge_id)
    published = {c.id: c.weight for c in criteria}
    completed, _ = await completed_scores(session, challenge_id)
    return rank_proposals(completed, weights or published)  # type: ignore[arg-type]


async def evaluations_of(
    session: AsyncSession, challenge_id: int, proposals: Sequence[Proposal]
) -> dict[int, ProposalEvaluation | None]:
    """Each startup's own scores and comments, once the selection is announced (None
    before, or for a proposal screened out), for many proposals of one challenge: the
    criteria, the scores and the ranking are read once (three queries, however many
    proposals). Ranking the challenge again for each proposal made announcing a
    selection, and the city's proposal list, grow with the square of the proposals."""
    if not any(p.status in OUTCOMES for p in proposals):
        return {p.id: None for p in proposals}  # type: ignore[misc]
    criteria = await criteria_of(session, challenge_id)
    completed, rows = await completed_scores(session, challenge_id)
    ranked = rank_proposals(completed, {c.id: c.weight for c in criteria})  # type: ignore[misc]
    by_proposal = {r.proposal_id: r for r in ranked}
    return {
        p.id: _evaluation(p, criteria, by_proposal.get(p.id), len(ranked), rows.get(p.id, []))  # type: ignore[arg-type, misc]
        if p.status in OUTCOMES
        else None
        for p in proposals
    }


def _evaluation(
    proposal: Proposal,
    criteria: Sequence[Criterion],
    own: RankedProposal | None,
    ranked_count: int,
    rows: list[tuple[Assignment, Score]],
) -> ProposalEvaluation:
    anonymous: dict[int, str] = {}
    names = {c.id: c.name for c in criteria}
    comments = []
    for assignment, score in rows:
        label = anonymous.setdefault(assignment.id, f"Evaluator {len(anonymous) + 1}")  # type: ignore[arg-type]
        if score.comment:
            comments.append(
                EvaluatorComment(
                    evaluator=label,
                    criterion=names.get(score.criterion_id, "?"),
                    score=score.score,
                    comment=score.comment,
                )
            )
    return ProposalEvaluation(
        outcome=proposal.status,
        weighted_score=round(own.weighted_score, 4) if own else None,
        normalised_score=round(own.normalised_score, 4) if own else None,
        rank=own.rank if own else None,
        ranked_count=ranked_count,
        criteria=[
            CriterionOutcome(
                criterion_id=c.id,  # type: ignore[arg-type]
                name=c.name,
                weight=c.weight,
                mean_score=round(own.criteria_means[c.id], 4)
                if own and c.id in own.criteria_means
                else None,
            )
            for c in criteria
        ],
        comments=comments,
    )
