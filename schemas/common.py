"""Enumerations and building blocks used across the contracts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
)

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


class PilotDecisionKind(StrEnum):
    """Every decision a pilot can end a stage with: the city's three after an
    evaluation, the startup declining its agreement, and the stop when the challenge is
    cancelled. Stored in ``pilot_decisions.decision`` and carried by the pilot workflow."""

    SCALE_UP = "scale_up"
    EXTEND = "extend"
    STOP = "stop"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class ActorKind(StrEnum):
    USER = "user"
    TIMER = "timer"
    SYSTEM = "system"


def actor_label(kind: str, actor_id: int | None) -> str:
    """Who did it, as histories show it: ``user:<id>``, ``timer`` or ``system``."""
    return f"user:{actor_id}" if kind == ActorKind.USER else kind


Money = Annotated[
    Decimal,
    Field(ge=0, max_digits=14, decimal_places=2),
    PlainSerializer(float, return_type=float, when_used="json"),
]
"""An amount in euros: exact in storage, a JSON number on the wire."""


# Plain text only: line breaks and tabs are kept, other control characters (NUL above
# all, which PostgreSQL refuses in text) are refused with a 422 naming the field.
_ALLOWED_CONTROL = {"\n", "\r", "\t"}


def plain_text(value: str) -> str:
    if any((ord(c) < 32 and c not in _ALLOWED_CONTROL) or ord(c) == 127 for c in value):
        raise ValueError("must be plain text without control characters")
    return value


PlainText = Annotated[str, AfterValidator(plain_text)]

# Every integer column is a 32-bit INTEGER on PostgreSQL (and SQLite refuses numbers past
# 64 bits): a number outside this range in a request is refused with a 422 naming the
# field, not left to fail in the database.
DB_INT_MIN, DB_INT_MAX = -(2**31), 2**31 - 1


def fits_the_database(value: int) -> int:
    if not DB_INT_MIN <= value <= DB_INT_MAX:
        raise ValueError(f"must be between {DB_INT_MIN} and {DB_INT_MAX}")
    return value


def in_the_calendar(value: datetime) -> datetime:
    """``value`` if its UTC form is a date of the calendar (years 1 to 9999): the service
    stores and compares times in UTC, and 9999-12-31T23:59:59-14:00 has none."""
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("must be a time whose UTC form is within the years 1 to 9999") from None
    return value


Moment = Annotated[AwareDatetime, AfterValidator(in_the_calendar)]
"""Every time in a request: ISO 8601 with a time zone, whose UTC form is in the calendar
(else a 422 naming the field)."""


class Schema(BaseModel):
    """Base of every request model; unknown fields are ignored so richer clients still
    work, and every text field is plain text."""

    model_config = ConfigDict(str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _plain_text_everywhere(cls, value: Any) -> Any:
        if isinstance(value, str):
            return plain_text(value)
        if isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    plain_text(item)
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _integers_fit_the_database(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return fits_the_database(value)
        if isinstance(value, list):
            for item in value:
                if isinstance(item, int) and not isinstance(item, bool):
                    fits_the_database(item)
        return value


class PublicSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(PublicSchema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None
