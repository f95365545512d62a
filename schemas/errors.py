"""The one body of every error the API answers (service/http/errors.py builds it; the
OpenAPI document declares it on every refusal an operation can give)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class FieldProblem(BaseModel):
    """One bad field of a request: where it was and why it was refused."""

    key: str | None = Field(default=None, examples=["budget_eur"])
    """The field, dotted into nested bodies (``milestones.0.due_at``); ``body`` for the
    whole body. Absent where a rule across fields refused the body (``ends_at must be
    after starts_at``)."""
    message: str = Field(examples=["Input should be greater than or equal to 0"])
    source: str | None = Field(default=None, examples=["body"])
    """Where the field was: ``body``, ``query``, ``path``, ``header``, ``cookie``."""


class ErrorBody(BaseModel):
    """What every 4xx and 5xx says: the status again, one sentence, and the structured
    part: for bad input each field and why (a list); for a phase conflict the phase, for a
    rate limit the seconds to wait (an object)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status_code": 409,
                    "detail": "challenge 12 is in phase 'review': proposals can only be "
                    "submitted while the call is open",
                    "extra": {"phase": "review"},
                }
            ]
        }
    )

    status_code: int = Field(examples=[409])
    detail: str = Field(examples=["proposal 31 not found"])
    extra: list[FieldProblem] | dict[str, Any] | None = None
