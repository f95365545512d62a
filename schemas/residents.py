"""Residents in the loop: following, input, endorsements, moderation and answers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from schemas.common import PlainText, PublicSchema, Schema

INPUT_BODY_MAX = 4000
RESPONSE_BODY_MAX = 8000
REASON_MAX = 1000


class InputStage(StrEnum):
    PROBLEM = "problem"
    """On the problem itself, while the call is open."""
    PILOT = "pilot"
    """On a pilot while it runs in the test bed (with an optional rating)."""
    OUTCOME = "outcome"
    """On the outcome, once the challenge is closed."""


class InputStatus(StrEnum):
    RECEIVED = "received"
    UNDER_CONSIDERATION = "under_consideration"
    ANSWERED = "answered"
    HIDDEN = "hidden"


OPEN_INPUT_STATUSES = (InputStatus.RECEIVED, InputStatus.UNDER_CONSIDERATION)
"""Statuses of input still waiting for the city's answer."""


class InputCreate(Schema):
    body: PlainText = Field(
        min_length=1,
        max_length=INPUT_BODY_MAX,
        examples=["Please keep the pavement free for wheelchairs."],
    )
    rating: int | None = Field(
        default=None, ge=1, le=5, description="1 to 5; only on a running pilot", examples=[4]
    )


class ResponseCreate(Schema):
    body: PlainText = Field(
        min_length=1,
        max_length=RESPONSE_BODY_MAX,
        examples=["Every pole stands in the parking lane, not on the pavement."],
    )


class HideRequest(Schema):
    reason: PlainText = Field(
        min_length=3, max_length=REASON_MAX, description="Shown to the input's author"
    )


class ReportCreate(Schema):
    reason: PlainText = Field(min_length=3, max_length=REASON_MAX)


class InputResponse(PublicSchema):
    body: str
    answered_at: datetime
    updated_at: datetime


class InputPublic(PublicSchema):
    id: int
    challenge_id: int
    pilot_id: int | None
    stage: InputStage
    body: str
    rating: int | None
    status: InputStatus
    endorsement_count: int
    created_at: datetime
    respond_by: datetime = Field(description="The city's response target for this input")
    response: InputResponse | None = None
    mine: bool = Field(default=False, description="Written by the signed-in resident")
    endorsed_by_me: bool = False
    hidden_reason: str | None = Field(
        default=None, description="Why the city hid it: shown to its author and the city only"
    )
    author_id: int | None = Field(default=None, description="Shown to the city only")
    report_count: int | None = Field(default=None, description="Shown to the city only")


class EndorsementPublic(PublicSchema):
    input_id: int
    endorsed: bool
    endorsement_count: int


class ReportPublic(PublicSchema):
    input_id: int
    reported: bool


class FollowPublic(PublicSchema):
    challenge_id: int
    following: bool
    followed_at: datetime | None = None


class FollowedChallenge(PublicSchema):
    challenge_id: int
    title: str
    phase: str
    followed_at: datetime


class RatingSummary(PublicSchema):
    pilot_id: int
    status: str
    inputs: int
    ratings: int
    average_rating: float | None
    distribution: dict[str, int] = Field(description='Count per rating, "1" to "5"')


class EngagementPublic(PublicSchema):
    """A challenge's public engagement figures (hidden input counts only as hidden)."""

    challenge_id: int
    followers: int
    inputs: int = Field(description="Visible input, every stage")
    inputs_by_stage: dict[str, int]
    inputs_by_status: dict[str, int]
    hidden: int
    endorsements: int
    answered_share: float | None = Field(description="Answered / visible input, 0 to 1")
    answered_on_time_share: float | None = Field(
        description="Share of answered input answered by its response target"
    )
    median_hours_to_answer: float | None
    overdue: int = Field(description="Unanswered input past its response target now")
    response_target_working_days: int
    pilots: list[RatingSummary]
