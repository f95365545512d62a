"""Review and selection: screening, requests for information, assignments, blind
scores, the ranking and the shortlist."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, ValidationInfo, field_validator

from schemas.common import Moment, Money, PublicSchema, Schema

SCORE_MIN, SCORE_MAX = 0, 10


class ScreeningRequest(Schema):
    eligible: bool
    reason: str = Field(default="", max_length=4000, validate_default=True)

    @field_validator("reason")
    @classmethod
    def _reason_for_exclusion(cls, reason: str, info: ValidationInfo) -> str:
        if info.data.get("eligible") is False and len(reason) < 3:
            raise ValueError("the startup is told why it was excluded: give a reason")
        return reason


class InfoRequestCreate(Schema):
    question: str = Field(min_length=3, max_length=4000)
    reply_deadline: Moment


class InfoAnswerCreate(Schema):
    body: str = Field(min_length=1, max_length=20000)


class InfoRequestPublic(PublicSchema):
    id: int
    proposal_id: int
    question: str
    reply_deadline: datetime
    status: str
    requested_at: datetime
    answer: str | None
    answered_at: datetime | None


class ProposalEventPublic(PublicSchema):
    kind: str
    at: datetime
    actor: str
    body: str | None
    info_request_id: int | None


class AssignEvaluatorsRequest(Schema):
    evaluator_ids: list[int] = Field(min_length=1, max_length=200)
    per_proposal: int | None = Field(
        default=None,
        ge=1,
        description="Evaluators per eligible proposal, balanced across the pool; "
        "all of them when omitted",
    )

    @field_validator("evaluator_ids")
    @classmethod
    def _distinct(cls, ids: list[int]) -> list[int]:
        return sorted(set(ids))


class AssignmentPublic(PublicSchema):
    """An assignment as the city sees it: who reviews what, and how far along."""

    id: int
    challenge_id: int
    proposal_id: int
    evaluator_id: int
    status: str
    complete: bool
    created_at: datetime
    completed_at: datetime | None
    conflict_reason: str | None = None


class ConflictRequest(Schema):
    reason: str = Field(min_length=3, max_length=2000)


class ScoreIn(Schema):
    criterion_id: int
    score: int = Field(ge=SCORE_MIN, le=SCORE_MAX, examples=[7])
    comment: str = Field(
        default="", max_length=4000, examples=["Convincing cooling, the water use is unclear"]
    )


class ScoresRequest(Schema):
    scores: list[ScoreIn] = Field(min_length=1, max_length=50)

    @field_validator("scores")
    @classmethod
    def _one_per_criterion(cls, scores: list[ScoreIn]) -> list[ScoreIn]:
        ids = [s.criterion_id for s in scores]
        if len(set(ids)) != len(ids):
            raise ValueError("each criterion can be scored once per request")
        return scores


class ScorePublic(PublicSchema):
    criterion_id: int
    score: int
    comment: str
    updated_at: datetime


class CriterionRef(PublicSchema):
    id: int
    name: str
    description: str
    weight: int


class ProposalForReview(PublicSchema):
    id: int
    title: str
    summary: str
    budget_eur: Money
    startup_name: str | None


class MyAssignment(PublicSchema):
    """An assignment as its evaluator sees it: the proposal, the criteria, and only
    their own scores."""

    id: int
    challenge_id: int
    challenge_title: str
    review_deadline: datetime
    proposal_id: int
    proposal: ProposalForReview
    status: str
    criteria: list[CriterionRef]
    scores: list[ScorePublic]
    complete: bool
    can_score: bool


class RankingItem(PublicSchema):
    proposal_id: int
    title: str
    startup_name: str | None
    rank: int
    rank_by_weighted: int
    weighted_score: float
    normalised_score: float
    evaluators: int
    spread: float
    """Standard deviation of the evaluators' weighted scores (0-10 scale)."""
    score_range: float
    disagreement: bool
    criteria_means: dict[str, float]
    published_rank: int | None = None
    """In a what-if ranking: the rank under the published weights."""


class Ranking(PublicSchema):
    challenge_id: int
    weights: dict[str, int]
    """Criterion name -> weight used for this ranking."""
    what_if: bool
    preliminary: bool
    """True while the review is still running: scores may change."""
    items: list[RankingItem]
    unranked_proposal_ids: list[int]
    """Eligible proposals no evaluator has completely scored."""
    tie_break_rule: str
    disagreement_rule: str


class ShortlistRequest(Schema):
    proposal_ids: list[int] = Field(max_length=50)
    reason: str = Field(default="", max_length=4000)

    @field_validator("proposal_ids")
    @classmethod
    def _distinct(cls, ids: list[int]) -> list[int]:
        if len(set(ids)) != len(ids):
            raise ValueError("a proposal appears more than once")
        return ids


class CriterionOutcome(PublicSchema):
    criterion_id: int
    name: str
    weight: int
    mean_score: float | None


class EvaluatorComment(PublicSchema):
    evaluator: str
    """Anonymised: "Evaluator 1", "Evaluator 2"... never a name."""
    criterion: str
    score: int
    comment: str


class ProposalEvaluation(PublicSchema):
    """What a startup learns once selection is over: its own scores, never others'."""

    outcome: str
    weighted_score: float | None
    normalised_score: float | None
    rank: int | None
    ranked_count: int
    criteria: list[CriterionOutcome]
    comments: list[EvaluatorComment]
