"""The public outcome report: what was tried, what residents said, how the city
answered, and what was decided."""

from __future__ import annotations

from datetime import datetime

from schemas.challenges import TimelineEntry
from schemas.common import Money, PublicSchema
from schemas.pilots import DecisionPublic, KpiResult
from schemas.residents import EngagementPublic, RatingSummary


class ReportCriterion(PublicSchema):
    name: str
    weight: int


class ReportKpi(PublicSchema):
    name: str
    unit: str
    target: float
    direction: str


class ReportChallenge(PublicSchema):
    id: int
    title: str
    problem_statement: str
    test_bed: str
    pilot_budget_cap_eur: Money
    max_pilots: int
    criteria: list[ReportCriterion]
    kpis: list[ReportKpi]
    phase: str
    published_at: datetime | None
    ended_at: datetime | None
    cancel_reason: str | None


class ProposalCounts(PublicSchema):
    received: int
    withdrawn: int
    eligible: int
    ineligible: int
    selected: int
    not_selected: int


class ListedProposal(PublicSchema):
    """Selected proposals always; others only where the startup agreed to be named."""

    title: str
    startup_name: str | None
    outcome: str


class PilotEvaluationOutcome(PublicSchema):
    evaluators: int
    scored: int
    mean_score: float | None


class PilotOutcome(PublicSchema):
    pilot_id: int
    proposal_title: str
    startup_name: str | None
    status: str
    starts_at: datetime | None
    ends_at: datetime | None
    original_ends_at: datetime | None
    extensions: int
    budget_eur: Money | None
    milestones_total: int
    milestones_completed: int
    kpi_results: list[KpiResult]
    evaluation: PilotEvaluationOutcome
    residents: RatingSummary | None
    """What residents said about this pilot: input count and ratings."""
    decisions: list[DecisionPublic]
    final_decision: DecisionPublic | None


class YouSaidWeDid(PublicSchema):
    input_id: int
    about: str
    """"the problem", "the outcome", or "pilot: <title>"."""
    said: str
    said_at: datetime
    endorsements: int
    status: str
    answer: str | None
    answered_at: datetime | None


class OutcomeReport(PublicSchema):
    challenge: ReportChallenge
    timeline: list[TimelineEntry]
    proposals: ProposalCounts
    listed_proposals: list[ListedProposal]
    pilots: list[PilotOutcome]
    residents: EngagementPublic
    you_said_we_did: list[YouSaidWeDid]
    generated_at: datetime
