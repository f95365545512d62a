"""The domain's refusals: plain exceptions, raised by the core and known to neither
door. The HTTP side answers each with its status (``service/http/errors.py``); the
worker turns each into a non-retryable ``ApplicationError``
(``workflows/activities/errors.py``).

Each carries what a client is told: ``detail``, one sentence, and ``extra``, the
structured part (the phase, or the fields and why each was refused).

``Unavailable`` is not a refusal: what a request needs (the workflows) cannot be
reached right now, and the same request may succeed in ``retry_after`` seconds. The
API answers it 503; an activity that met one would stay retryable.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import ValidationError


class DomainError(Exception):
    """A request the domain refuses: the caller's mistake, never worth a retry."""

    def __init__(self, detail: str, extra: dict[str, Any] | list[Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def __str__(self) -> str:
        return self.detail


class NotAuthenticated(DomainError):
    """Who is asking is not known (a wrong password, a disabled or deleted account)."""


class Forbidden(DomainError):
    """Who is asking is known, and may not do this."""


class NotFound(DomainError):
    """The record does not exist, or is not this caller's to know of."""


class Conflict(DomainError):
    """The records as they stand refuse this (a duplicate, a decision already made)."""


class PhaseConflict(DomainError):
    """A write the current phase does not allow."""

    def __init__(self, what: str, phase: str, why: str) -> None:
        super().__init__(f"{what} is in phase '{phase}': {why}", extra={"phase": phase})


class FieldError(DomainError):
    """Bad input that only the service can see (it needs the database or the clock), or
    that a type cannot check; ``source`` says where the field was: body, query, ..."""

    def __init__(self, field: str, message: str, source: str = "body") -> None:
        super().__init__(
            f"invalid {field}: {message}",
            extra=[{"key": field, "message": message, "source": source}],
        )


class RateLimited(DomainError):
    """Someone did this too often; they may again in ``retry_after`` seconds."""

    def __init__(
        self, what: str, limit: int, retry_after: int, window: timedelta = timedelta(hours=1)
    ) -> None:
        super().__init__(
            f"too many {what}: at most {limit} {_per(window)}; try again in {retry_after} s",
            extra={"retry_after": retry_after, "limit": limit},
        )
        self.retry_after = retry_after


def _per(window: timedelta) -> str:
    if window == timedelta(hours=1):
        return "an hour"
    minutes = int(window.total_seconds() // 60)
    return f"in {minutes} minutes" if minutes != 1 else "a minute"


class Unavailable(Exception):
    """Something the request needs cannot be reached right now; the same request may
    succeed in ``retry_after`` seconds. Not a refusal: worth a retry."""

    def __init__(self, detail: str, retry_after: int = 5) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.detail


def field_errors(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {
            "key": ".".join(str(part) for part in error["loc"]) or "body",
            "message": error["msg"],
            "source": "body",
        }
        for error in exc.errors(include_url=False)
    ]


def invalid_model(exc: ValidationError) -> FieldError:
    errors = field_errors(exc)
    error = FieldError(errors[0]["key"], errors[0]["message"])
    error.extra = errors
    error.detail = "; ".join(f"{e['key']}: {e['message']}" for e in errors)
    return error
