"""Writes that race safely: the unique key, not a read before the write, decides what
is new. Two requests (or two workers) writing the same row at the same moment both
succeed, on PostgreSQL and SQLite alike, and the row is written once.

``insert_missing`` writes the rows that are new and leaves the others as they are;
``upsert`` writes the new rows and updates the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a SQLModel table class (SQLModel leaves ``__table__`` untyped)."""
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def _insert(session: AsyncSession, table: Table) -> Any:
    """The dialect's INSERT (both have ON CONFLICT, with the same API)."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


async def insert_missing(
    session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]], unique: Sequence[str]
) -> int:
    """INSERT ... ON CONFLICT (unique) DO NOTHING; returns how many rows were new.

    A row a concurrent transaction is inserting is waited for (PostgreSQL) or written
    after it (SQLite serialises writers), then counts as existing. Requests use it so
    that the same request sent twice at once writes once; activities so that a retry,
    or a second worker doing the same step, writes nothing twice.
    """
    if not rows:
        return 0
    statement = (
        _insert(session, table).values(list(rows)).on_conflict_do_nothing(index_elements=unique)
    )
    result = await session.exec(statement)
    return result.rowcount or 0


async def upsert(
    session: AsyncSession,
    table: Table,
    rows: Sequence[dict[str, Any]],
    unique: Sequence[str],
    update: Sequence[str],
    when_changed: Sequence[str] = (),
) -> None:
    """INSERT ... ON CONFLICT (unique) DO UPDATE SET each of ``update`` to the new value.

    With ``when_changed``, an existing row is updated only if one of those columns
    differs, so writing the same values again changes nothing (a timestamp among
    ``update`` keeps the time of the last real change). Give the rows in a fixed order
    (by key): concurrent writers then lock them in the same order and cannot deadlock.
    """
    if not rows:
        return
    statement = _insert(session, table).values(list(rows))
    changed = [table.c[name].is_distinct_from(statement.excluded[name]) for name in when_changed]
    statement = statement.on_conflict_do_update(
        index_elements=unique,
        set_={name: statement.excluded[name] for name in update},
        where=or_(*changed) if changed else None,
    )
    await session.exec(statement)
