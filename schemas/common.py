"""Enumerations and building blocks used across the contracts."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

T = TypeVar("T")


class Role(StrEnum):
    CITY = "city"
    STARTUP = "startup"
    EVALUATOR = "evaluator"
    RESIDENT = "resident"


class ChallengePhase(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    REVIEW = "review"
    SELECTION = "selection"
    PILOTING = "piloting"
    CLOSED = "closed"
    CANCELLED = "cancelled"


TERMINAL_CHALLENGE_PHASES = frozenset({ChallengePhase.CLOSED, ChallengePhase.CANCELLED})


class PilotStatus(StrEnum):
    AGREEMENT = "agreement"
    RUNNING = "running"
    EVALUATION = "evaluation"
    SCALE_UP = "scale_up"
    STOPPED = "stopped"


class ActorKind(StrEnum):
    USER = "user"
    TIMER = "timer"
    SYSTEM = "system"


Money = Annotated[
    Decimal,
    Field(ge=0, max_digits=14, decimal_places=2),
    PlainSerializer(float, return_type=float, when_used="json"),
]
"""An amount in euros: exact in storage, a JSON number on the wire."""


class Schema(BaseModel):
    """Base of every request model; unknown fields are ignored so richer clients still work."""

    model_config = ConfigDict(str_strip_whitespace=True)


class PublicSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(PublicSchema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None
