"""Idempotent inserts: the rows that are new are written, the others left as they are."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a SQLModel table class (SQLModel leaves ``__table__`` untyped)."""
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


async def insert_missing(
    session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]], unique: Sequence[str]
) -> int:
    """INSERT ... ON CONFLICT (unique) DO NOTHING; returns how many rows were new.

    Activities use it so that a retry, or a second worker doing the same step, writes
    nothing twice.
    """
    if not rows:
        return 0
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).values(list(rows)).on_conflict_do_nothing(index_elements=unique)
    result = await session.exec(statement)
    return result.rowcount or 0
