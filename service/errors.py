"""Errors the API answers with, and the handlers that shape them.

Every client error has the same body: ``{"status_code", "detail", "extra"}``; for bad input
``extra`` lists each field (``key``) with its reason (``message``).
"""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import ClientException, HTTPException, ValidationException
from pydantic import ValidationError

UNPROCESSABLE = 422


class PhaseConflict(ClientException):
    """A write the current phase does not allow."""

    status_code = 409

    def __init__(self, what: str, phase: str, why: str) -> None:
        super().__init__(detail=f"{what} is in phase '{phase}': {why}", extra={"phase": phase})


class Conflict(ClientException):
    status_code = 409


class FieldError(ValidationException):
    """Bad input that only the service can see (it needs the database or the clock)."""

    status_code = UNPROCESSABLE

    def __init__(self, field: str, message: str) -> None:
        super().__init__(
            detail=f"invalid {field}: {message}",
            extra=[{"key": field, "message": message, "source": "body"}],
        )


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


def _body(exc: HTTPException, status_code: int) -> dict[str, Any]:
    body: dict[str, Any] = {"status_code": status_code, "detail": exc.detail}
    if exc.extra:
        body["extra"] = exc.extra
    return body


def validation_handler(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """Litestar reports bad bodies as 400; the contract prefers 422 naming each field."""
    status_code = UNPROCESSABLE if exc.status_code == 400 else exc.status_code
    return Response(
        _body(exc, status_code),
        status_code=status_code,
        media_type=MediaType.JSON,
        headers=exc.headers,
    )


exception_handlers = {ValidationException: validation_handler}
