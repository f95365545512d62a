"""Which database errors mean "out of reach, try again" (503) and which are a fault of
ours or of the query (500). The fault tests cover the real outages end to end."""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from service.http.errors import database_unreachable


def wrapped(error_class, orig: BaseException, *, invalidated: bool = False):
    return error_class("SELECT 1", {}, orig, connection_invalidated=invalidated)


def caused_by(cause: BaseException) -> Exception:
    try:
        raise RuntimeError("while talking to the database") from cause
    except RuntimeError as exc:
        return exc


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed"),
        ConnectionResetError(104, "reset by peer"),
        TimeoutError(),  # asyncpg's connect timeout, a statement timeout
        PoolTimeout("QueuePool limit of size 10 overflow 20 reached"),
        wrapped(InterfaceError, Exception("connection is closed"), invalidated=True),
        wrapped(OperationalError, asyncpg.CannotConnectNowError("the database is starting up")),
        wrapped(OperationalError, caused_by(asyncpg.AdminShutdownError("terminating"))),
        wrapped(OperationalError, asyncpg.TooManyConnectionsError("too many clients")),
        wrapped(OperationalError, asyncpg.ConnectionDoesNotExistError("closed mid-operation")),
        OSError(113, "Connect call failed"),  # no route to host
        caused_by(OSError(101, "Network is unreachable")),
    ],
    ids=lambda error: type(error).__name__,
)
def test_out_of_reach(error: BaseException) -> None:
    assert database_unreachable(error)


def test_sqlite_busy_is_out_of_reach_for_now() -> None:
    busy = sqlite3.OperationalError("database is locked")
    busy.sqlite_errorname = "SQLITE_BUSY"  # type: ignore[attr-defined]
    assert database_unreachable(wrapped(OperationalError, busy))


@pytest.mark.parametrize(
    "error",
    [
        wrapped(IntegrityError, asyncpg.UniqueViolationError("duplicate key")),
        wrapped(ProgrammingError, asyncpg.UndefinedTableError("no such table")),
        wrapped(OperationalError, sqlite3.OperationalError("no such table: users")),
        ValueError("not a database error at all"),
        FileNotFoundError(2, "No such file or directory"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_a_refused_query_is_not(error: BaseException) -> None:
    assert not database_unreachable(error)
