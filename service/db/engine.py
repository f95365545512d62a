"""The database engine and its sessions, the same for the API, the worker and the CLI.

Nothing here knows about HTTP or Temporal: the API's per-request session is wired in
``service/deps.py``, the worker's in its activities.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

# PostgreSQL out of reach must not hold a request or an activity for long: connecting
# gives up after CONNECT_TIMEOUT and any statement (the pool's pre-ping included) after
# STATEMENT_TIMEOUT, and the caller sees a TimeoutError (a 503 from the API, a retried
# activity in the worker). Without them a network that drops packets holds a request
# for as long as TCP keeps trying (minutes). The URL's query may set either
# (``?timeout=5&command_timeout=60``, asyncpg's names).
CONNECT_TIMEOUT_SECONDS = 10.0
STATEMENT_TIMEOUT_SECONDS = 30.0


def create_engine(url: str, *, statement_timeout: bool = True, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout so the API and
    the worker can share one file; PostgreSQL time limits (``statement_timeout=False``
    for migrations, whose statements may rightly run long)."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL is safe from corruption and loses nothing on a process
            # crash; only a power cut may lose the last transactions before a checkpoint.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    # At most 30 connections per process, as before, but 20 of them kept: with 10 kept, a
    # burst of 32 concurrent requests (each may hold two a moment: the sign-in's user,
    # then its own) opened and closed a PostgreSQL backend per request past the tenth
    # (docs/performance.md).
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("connect_args", _postgres_time_limits(url, statement_timeout))
    return create_async_engine(url, **kwargs)


def _postgres_time_limits(url: str, statement_timeout: bool) -> dict[str, float | None]:
    query = make_url(url).query
    connect = float(str(query.get("timeout", CONNECT_TIMEOUT_SECONDS)))
    statements = float(str(query.get("command_timeout", STATEMENT_TIMEOUT_SECONDS)))
    return {"timeout": connect, "command_timeout": statements if statement_timeout else None}


TIME_ZONE = "time_zone"
"""``session.info`` key: the city's time zone, in which notifications tell dates."""


def create_session_factory(
    engine: AsyncEngine, time_zone: str = "UTC"
) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        engine, class_=AsyncSession, expire_on_commit=False, info={TIME_ZONE: time_zone}
    )


def with_time_zone(
    factory: async_sessionmaker[AsyncSession], time_zone: str
) -> async_sessionmaker[AsyncSession]:
    """The same sessions, telling dates in ``time_zone`` (the city's)."""
    options = {**factory.kw, "info": {TIME_ZONE: time_zone}}
    return async_sessionmaker(class_=factory.class_, **options)
