"""Pilots: the agreement, milestones, KPI reports, the evaluation and the decision."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from schemas.challenges import TimelineEntry
from schemas.common import Moment, Money, PilotStatus, PublicSchema, Schema
from schemas.residents import RatingSummary

MAX_EXTENSIONS = 2
"""How often the city may extend a pilot, across all its evaluations."""


def extensions_left(extensions: int, limit: int = MAX_EXTENSIONS) -> int:
    """How many more times a pilot extended ``extensions`` times may be extended."""
    return max(limit - extensions, 0)


def extension_refusal(extensions: int, limit: int = MAX_EXTENSIONS) -> str | None:
    """Why a pilot extended ``extensions`` times may not be extended again; None if it
    may. The one rule for the API (a 409) and the pilot workflow (which counts its own
    rounds, and refuses the update)."""
    if extensions_left(extensions, limit) > 0:
        return None
    return f"the pilot was already extended {extensions} times, the most allowed"


class MilestoneIn(Schema):
    title: str = Field(min_length=1, max_length=200, examples=["Poles installed"])
    due_at: Moment = Field(examples=["2027-06-15T12:00:00+02:00"])


class AgreementRequest(Schema):
    starts_at: Moment = Field(examples=["2027-06-01T09:00:00+02:00"])
    ends_at: Moment = Field(examples=["2027-09-30T17:00:00+02:00"])
    budget_eur: Money = Field(examples=[45000])
    milestones: list[MilestoneIn] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _in_order(self) -> AgreementRequest:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self

    @field_validator("milestones")
    @classmethod
    def _within_the_pilot(cls, milestones: list[MilestoneIn], info: ValidationInfo) -> list:
        starts, ends = info.data.get("starts_at"), info.data.get("ends_at")
        for milestone in milestones:
            if starts and ends and not starts <= milestone.due_at <= ends:
                raise ValueError(f"'{milestone.title}' is due outside the pilot's dates")
        return sorted(milestones, key=lambda m: m.due_at)


class DeclineRequest(Schema):
    reason: str = Field(min_length=3, max_length=4000)


class MilestoneCompletion(Schema):
    note: str = Field(default="", max_length=4000)


class KpiValueIn(Schema):
    kpi_id: int
    value: float = Field(allow_inf_nan=False)


class KpiReportCreate(Schema):
    values: list[KpiValueIn] = Field(min_length=1, max_length=50)
    note: str = Field(default="", max_length=10000)

    @field_validator("values")
    @classmethod
    def _one_per_kpi(cls, values: list[KpiValueIn]) -> list[KpiValueIn]:
        ids = [v.kpi_id for v in values]
        if len(set(ids)) != len(ids):
            raise ValueError("each KPI once per report")
        return values


class PilotEvaluatorsRequest(Schema):
    evaluator_ids: list[int] = Field(min_length=1, max_length=50)


class PilotEvaluationRequest(Schema):
    score: int = Field(ge=0, le=10, examples=[8])
    comment: str = Field(
        default="", max_length=8000, examples=["The square was 3 °C cooler on hot days"]
    )


ProcurementRoute = Literal[
    "open_tender",
    "restricted_tender",
    "competitive_dialogue",
    "innovation_partnership",
    "framework_agreement",
    "direct_award",
    "other",
]


class ScaleUpPlan(Schema):
    budget_eur: Money = Field(examples=[400000])
    procurement_route: ProcurementRoute
    areas: list[str] = Field(min_length=1, max_length=100, examples=[["Noord", "Nieuw-West"]])
    starts_at: Moment = Field(examples=["2028-05-01T09:00:00+02:00"])
    ends_at: Moment | None = None
    notes: str = Field(default="", max_length=10000)

    @field_validator("areas")
    @classmethod
    def _named(cls, areas: list[str]) -> list[str]:
        cleaned = [a.strip() for a in areas]
        if any(not a or len(a) > 200 for a in cleaned):
            raise ValueError("each area is a name of 1 to 200 characters")
        return cleaned


class DecisionRequest(Schema):
    decision: Literal["scale_up", "extend", "stop"]
    reason: str = Field(
        min_length=3, max_length=10000, examples=["Every KPI met; residents want more"]
    )
    new_end_at: Moment | None = Field(default=None, validate_default=True)
    plan: ScaleUpPlan | None = Field(default=None, validate_default=True)

    @field_validator("new_end_at")
    @classmethod
    def _extension_needs_a_date(
        cls, new_end_at: datetime | None, info: ValidationInfo
    ) -> datetime | None:
        if info.data.get("decision") == "extend" and new_end_at is None:
            raise ValueError("an extension needs the new end date")
        return new_end_at

    @field_validator("plan")
    @classmethod
    def _scale_up_needs_a_plan(cls, plan: ScaleUpPlan | None, info: ValidationInfo) -> object:
        if info.data.get("decision") == "scale_up" and plan is None:
            raise ValueError("scaling up needs a plan: budget, procurement route, areas, start")
        return plan


class AddPilotRequest(Schema):
    proposal_id: int


class MilestonePublic(PublicSchema):
    id: int
    title: str
    due_at: datetime
    completed_at: datetime | None
    completion_note: str | None = None
    """The startup's own words: null unless the reader may see them, as a KPI note."""
    overdue: bool = False


class KpiValuePublic(PublicSchema):
    kpi_id: int
    value: float


class KpiReportPublic(PublicSchema):
    id: int
    submitted_at: datetime
    note: str | None
    """The startup's own words: for the city, the startup and the pilot's evaluators;
    null for everyone else (service/pilots/rules.py)."""
    values: list[KpiValuePublic]


class KpiResult(PublicSchema):
    """A KPI's latest reported value against the challenge's target."""

    kpi_id: int
    name: str
    unit: str
    target: float
    direction: str
    value: float | None
    met: bool | None
    reports: int


class PilotEvaluationPublic(PublicSchema):
    evaluator: str
    score: int
    comment: str
    round: int


class EvaluationSummary(PublicSchema):
    evaluators: int
    scored: int
    mean_score: float | None
    scores: list[PilotEvaluationPublic] | None = None
    """Each evaluator's score: for the city only, and anonymised."""


class DecisionPublic(PublicSchema):
    sequence: int
    decision: str
    reason: str
    new_end_at: datetime | None
    plan: dict | None
    decided_at: datetime


class PilotPublic(PublicSchema):
    id: int
    challenge_id: int
    proposal_id: int
    proposal_title: str
    startup_id: int
    startup_name: str | None
    status: PilotStatus
    starts_at: datetime | None
    ends_at: datetime | None
    original_ends_at: datetime | None
    budget_eur: Money | None
    agreement_set_at: datetime | None
    accepted_at: datetime | None
    declined_at: datetime | None
    decline_reason: str | None
    extensions: int
    extensions_left: int
    milestones: list[MilestonePublic]
    kpi_results: list[KpiResult]
    kpi_reports: list[KpiReportPublic]
    evaluation: EvaluationSummary
    decisions: list[DecisionPublic]
    timeline: list[TimelineEntry] = Field(default_factory=list)
    residents: RatingSummary | None = None
    """What residents said about this pilot: input count and ratings."""
