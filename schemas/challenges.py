"""Challenges: the problem, its rules (criteria, KPIs, budget) and its timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, field_validator, model_validator

from schemas.common import ChallengePhase, Moment, Money, PilotStatus, PublicSchema, Schema
from schemas.residents import EngagementPublic

WEIGHT_TOTAL = 100


class CriterionIn(Schema):
    name: str = Field(min_length=1, max_length=200, examples=["Cooling effect"])
    description: str = Field(
        default="",
        max_length=4000,
        examples=["How much cooler the street gets on a hot afternoon"],
    )
    weight: int = Field(
        ge=1, le=100, description="Share of the total score, in percent", examples=[40]
    )


class KpiIn(Schema):
    name: str = Field(min_length=1, max_length=200, examples=["Surface temperature drop"])
    unit: str = Field(min_length=1, max_length=50, examples=["°C"])
    target: float = Field(examples=[2.5])
    direction: Literal["at_least", "at_most"] = Field(
        default="at_least",
        description="at_least: the pilot meets the target when its value is >= target",
    )


def _check_criteria(criteria: list[CriterionIn]) -> list[CriterionIn]:
    total = sum(c.weight for c in criteria)
    if total != WEIGHT_TOTAL:
        raise ValueError(f"criteria weights must sum to {WEIGHT_TOTAL}, they sum to {total}")
    names = [c.name.casefold() for c in criteria]
    if len(set(names)) != len(names):
        raise ValueError("criteria names must be unique")
    return criteria


def _check_kpis(kpis: list[KpiIn]) -> list[KpiIn]:
    names = [k.name.casefold() for k in kpis]
    if len(set(names)) != len(names):
        raise ValueError("KPI names must be unique")
    return kpis


class ChallengeFields(Schema):
    """What the city edits while the challenge is a draft."""

    title: str = Field(min_length=3, max_length=200, examples=["Cooler streets in Noord"])
    problem_statement: str = Field(
        min_length=1,
        max_length=20000,
        examples=[
            "On summer afternoons the squares of Noord are among the hottest places in the "
            "city. We look for ways to cool them that residents can feel."
        ],
    )
    test_bed: str = Field(
        min_length=1,
        max_length=10000,
        examples=["The Buikslotermeerplein and the streets around it, from May to September"],
    )
    pilot_budget_cap_eur: Money = Field(examples=[50000])
    max_pilots: int = Field(ge=1, le=50, examples=[2])
    criteria: list[CriterionIn] = Field(min_length=1, max_length=20)
    kpis: list[KpiIn] = Field(default_factory=list, max_length=30)
    proposals_close_at: Moment = Field(examples=["2027-03-01T17:00:00+01:00"])
    review_deadline: Moment = Field(examples=["2027-04-15T17:00:00+02:00"])
    response_target_working_days: int = Field(
        default=10, ge=1, le=60, description="How soon the city answers resident input"
    )
    review_reminder_days: list[int] = Field(
        default_factory=lambda: [3, 1],
        max_length=5,
        description="Days before the review deadline when evaluators with open work are reminded",
    )


class ChallengeCreate(ChallengeFields):
    @field_validator("criteria")
    @classmethod
    def _criteria(cls, criteria: list[CriterionIn]) -> list[CriterionIn]:
        return _check_criteria(criteria)

    @field_validator("kpis")
    @classmethod
    def _kpis(cls, kpis: list[KpiIn]) -> list[KpiIn]:
        return _check_kpis(kpis)

    @field_validator("review_reminder_days")
    @classmethod
    def _reminders(cls, days: list[int]) -> list[int]:
        if any(d < 1 or d > 60 for d in days):
            raise ValueError("each reminder is 1 to 60 days before the deadline")
        return sorted(set(days), reverse=True)

    @model_validator(mode="after")
    def _timeline_in_order(self) -> ChallengeCreate:
        if self.review_deadline <= self.proposals_close_at:
            raise ValueError("review_deadline must be after proposals_close_at")
        return self


class ChallengeUpdate(Schema):
    """A partial edit of a draft; the merged result is validated like a new challenge."""

    title: str | None = None
    problem_statement: str | None = None
    test_bed: str | None = None
    pilot_budget_cap_eur: Money | None = None
    max_pilots: int | None = None
    criteria: list[CriterionIn] | None = Field(default=None, min_length=1, max_length=20)
    kpis: list[KpiIn] | None = Field(default=None, max_length=30)
    proposals_close_at: Moment | None = None
    review_deadline: Moment | None = None
    response_target_working_days: int | None = None
    review_reminder_days: list[int] | None = Field(default=None, max_length=5)


class CancelRequest(Schema):
    reason: str = Field(
        min_length=3, max_length=2000, examples=["The budget moved to the 2028 plan"]
    )


class CriterionPublic(PublicSchema):
    id: int
    name: str
    description: str
    weight: int


class KpiPublic(PublicSchema):
    id: int
    name: str
    unit: str
    target: float
    direction: str


class TimelineEntry(PublicSchema):
    phase: str
    from_phase: str | None
    at: datetime
    actor: str = Field(
        description='"timer", "system", or who acted: "user:<id>" to the city\'s staff; to '
        'anyone else the role that acted ("city", "startup"), never an account id'
    )
    actor_id: int | None = Field(description="The account that acted; the city's staff only")
    actor_name: str | None = Field(
        default=None,
        description='Who acted, for people: "the innovation office", "the startup"; null for '
        "the timer or the system",
    )
    reason: str | None
    pilot_id: int | None = None


class PilotSummary(PublicSchema):
    id: int
    proposal_id: int
    status: PilotStatus


class ChallengePublic(PublicSchema):
    id: int
    title: str
    problem_statement: str
    test_bed: str
    pilot_budget_cap_eur: Money
    max_pilots: int
    criteria: list[CriterionPublic]
    kpis: list[KpiPublic]
    proposals_close_at: datetime
    review_deadline: datetime
    response_target_working_days: int
    review_reminder_days: list[int]
    phase: ChallengePhase
    created_at: datetime
    published_at: datetime | None
    cancel_reason: str | None = None
    timeline: list[TimelineEntry] = Field(default_factory=list)
    pilots: list[PilotSummary] = Field(default_factory=list)
    engagement: EngagementPublic | None = None
    """Residents' input: counts, share answered, median time to answer, pilot ratings."""


class ChallengeListItem(PublicSchema):
    id: int
    title: str
    phase: ChallengePhase
    proposals_close_at: datetime
    review_deadline: datetime
    published_at: datetime | None
    created_at: datetime
