"""Proposals from startups, and the public questions about a challenge."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from schemas.common import Money, PublicSchema, Schema
from schemas.review import ProposalEvaluation


class ProposalCreate(Schema):
    title: str = Field(min_length=3, max_length=200, examples=["Misting poles fed by rain water"])
    summary: str = Field(
        min_length=1,
        max_length=20000,
        examples=[
            "Twelve poles spray a fine mist when the air is above 27 °C, fed by a tank "
            "that collects rain water from the roofs around the square."
        ],
    )
    budget_eur: Money = Field(examples=[48500])
    public_title_consent: bool = Field(
        default=False,
        description="The startup agrees that its title may appear in the public outcome "
        "report even if it is not selected",
    )


class ProposalUpdate(Schema):
    title: str | None = Field(default=None, min_length=3, max_length=200)
    summary: str | None = Field(default=None, min_length=1, max_length=20000)
    budget_eur: Money | None = None
    public_title_consent: bool | None = None


class ProposalPublic(PublicSchema):
    id: int
    challenge_id: int
    startup_id: int
    startup_name: str | None = None
    title: str
    summary: str
    budget_eur: Money
    status: str
    public_title_consent: bool
    created_at: datetime
    updated_at: datetime
    withdrawn_at: datetime | None = None
    screening_reason: str | None = None
    screened_at: datetime | None = None
    evaluation: ProposalEvaluation | None = None
    """The startup's own scores and comments, once the selection is announced."""


class QuestionCreate(Schema):
    body: str = Field(
        min_length=3, max_length=4000, examples=["May the installation work at night?"]
    )


class AnswerCreate(Schema):
    body: str = Field(
        min_length=1, max_length=8000, examples=["Until 22:00; the square has residents."]
    )


class QuestionPublic(PublicSchema):
    id: int
    challenge_id: int
    body: str
    asked_at: datetime
    answer: str | None = None
    answered_at: datetime | None = None
