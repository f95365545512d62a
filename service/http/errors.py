"""How the API answers errors: the domain's refusals (``service/errors.py``) mapped to
their HTTP status in one place, and Litestar's own, the database's and the JSON
decoder's shaped alike.

Every client error has the same body: ``{"status_code", "detail", "extra"}``; for bad input
``extra`` lists each field (``key``) with its reason (``message``).
"""

from __future__ import annotations

import errno
import socket
import sqlite3
import sys
from typing import Any

import asyncpg
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.serialization import decode_json
from litestar.types import ExceptionHandlersMap, Scope
from litestar.types.protocols import Logger
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from service.errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    NotAuthenticated,
    NotFound,
    PhaseConflict,
    RateLimited,
    Unavailable,
)

BAD_REQUEST = 400
UNPROCESSABLE = 422
UNAVAILABLE = 503
RETRY_AFTER_SECONDS = 5

# -- the domain's refusals -------------------------------------------------------------

STATUS_OF: dict[type[DomainError], int] = {
    NotAuthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    PhaseConflict: 409,
    FieldError: UNPROCESSABLE,
    RateLimited: 429,
}
"""Each refusal of the domain and the status the API answers it with (a subclass as its
nearest listed class)."""


def status_of(exc: DomainError) -> int:
    return next((STATUS_OF[cls] for cls in type(exc).__mro__ if cls in STATUS_OF), BAD_REQUEST)


def domain_error_handler(_: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    """A refusal of the domain: its status, and the body every client error has (the
    same Litestar gives its own exceptions); a rate limit says when to try again
    (Retry-After). The pages show this answer as a page."""
    status_code = status_of(exc)
    body: dict[str, Any] = {"status_code": status_code, "detail": exc.detail}
    if exc.extra is not None:
        body["extra"] = exc.extra
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    return Response(body, status_code=status_code, media_type=MediaType.JSON, headers=headers)


def unavailable_handler(_: Request[Any, Any, Any], exc: Unavailable) -> Response[Any]:
    """What the request needs (the workflows) is out of reach: 503 with Retry-After, and
    the common body, so the client tries again later."""
    return Response(
        {"status_code": UNAVAILABLE, "detail": exc.detail},
        status_code=UNAVAILABLE,
        media_type=MediaType.JSON,
        headers={"Retry-After": str(exc.retry_after)},
    )


# -- Litestar's own refusals -----------------------------------------------------------


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


# -- a body nested too deeply -------------------------------------------------------

TOO_DEEP = "nested too deeply"


def _decoding_json(exc: RecursionError) -> bool:
    """Whether ``exc`` was raised while Litestar decoded a JSON body (msgspec, in C, gives
    up past Python's recursion limit), rather than by a bug of ours."""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code is decode_json.__code__:
            return True
        tb = tb.tb_next
    return False


def recursion_handler(_: Request[Any, Any, Any], exc: RecursionError) -> Response[Any]:
    """A JSON body nested deeper than the decoder goes (``[[[[...``) is the client's
    error, on every endpoint that reads one: 400 naming the body. Any other
    RecursionError stays the 500 it is."""
    if not _decoding_json(exc):
        return Response(
            {"status_code": 500, "detail": "Internal Server Error"},
            status_code=500,
            media_type=MediaType.JSON,
        )
    return Response(
        {
            "status_code": BAD_REQUEST,
            "detail": f"request body: {TOO_DEEP}",
            "extra": [{"key": "body", "message": TOO_DEEP, "source": "body"}],
        },
        status_code=BAD_REQUEST,
        media_type=MediaType.JSON,
    )


# -- the database out of reach ---------------------------------------------------------

# What the server says while it shuts down, starts up or has no room for another session.
_POSTGRES_GOING_OR_COMING = (
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08: the connection itself failed
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
)
_SQLITE_BUSY_OR_MISSING = {"SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN"}
# Refused, reset, timed out, no route: the network, not a file we could not open.
_NETWORK_ERRORS = (ConnectionError, TimeoutError, socket.gaierror)
_NETWORK_ERRNOS = {
    errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.ETIMEDOUT,
    errno.EHOSTUNREACH, errno.EHOSTDOWN, errno.ENETUNREACH, errno.ENETDOWN,
}  # fmt: skip


def database_unreachable(exc: BaseException) -> bool:
    """Whether ``exc``, or an error that caused it, says the database cannot be reached
    right now (refused, dropped, shutting down, starting up, pool exhausted), rather
    than that it refused a query. Only the former is worth a retry by the client."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        error = pending.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, (PoolTimeout, *_NETWORK_ERRORS, *_POSTGRES_GOING_OR_COMING)):
            return True
        if isinstance(error, OSError) and error.errno in _NETWORK_ERRNOS:
            return True
        if getattr(error, "sqlite_errorname", None) in _SQLITE_BUSY_OR_MISSING:
            return True
        pending += [getattr(error, "orig", None), error.__cause__, error.__context__]
    return False


def database_error_handler(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """503 with Retry-After while the database is out of reach (the client may try
    again, and will succeed once it is back); any other database error stays a 500."""
    if not database_unreachable(exc):
        return Response(
            {"status_code": 500, "detail": "Internal Server Error"},
            status_code=500,
            media_type=MediaType.JSON,
        )
    return Response(
        {
            "status_code": UNAVAILABLE,
            "detail": "the database cannot be reached right now; try again shortly",
        },
        status_code=UNAVAILABLE,
        media_type=MediaType.JSON,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def log_exception(logger: Logger, scope: Scope, _: list[str]) -> None:
    """Litestar's log line for an unexpected error, with its traceback; but one line
    without for the database out of reach, or an outage writes a traceback a request.
    A refusal of the domain is a 4xx like those in ``disable_stack_trace``, which
    Litestar matches by status code alone, and the domain's errors carry none: none
    is logged, as before."""
    error = sys.exc_info()[1]
    if isinstance(error, DomainError):
        return
    if isinstance(error, Unavailable):
        logger.warning("unavailable (%s %s): %s", scope.get("method"), scope["path"], error)
        return
    if isinstance(error, RecursionError) and _decoding_json(error):
        logger.info("request body %s (%s %s)", TOO_DEEP, scope.get("method"), scope["path"])
        return
    if error is not None and database_unreachable(error):
        logger.warning(
            "database unreachable (%s %s): %s",
            scope.get("method"),
            scope["path"],
            type(error).__name__,
        )
        return
    logger.exception(
        "Uncaught exception (connection_type=%s, path=%r):", scope["type"], scope["path"]
    )


exception_handlers: ExceptionHandlersMap = {
    DomainError: domain_error_handler,
    Unavailable: unavailable_handler,
    ValidationException: validation_handler,
    RecursionError: recursion_handler,
    DBAPIError: database_error_handler,  # OperationalError, InterfaceError, ... too
    PoolTimeout: database_error_handler,
    OSError: database_error_handler,  # refused, reset, timed out (any other: a 500)
    asyncpg.PostgresError: database_error_handler,
    asyncpg.InterfaceError: database_error_handler,
    sqlite3.Error: database_error_handler,
}
