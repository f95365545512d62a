"""Keyset pagination: ``{"items": [...], "next_cursor": ...}``, newest first by id."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select, SelectOfScalar

from service.errors import FieldError

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return int(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        raise FieldError("cursor", "not a cursor this API handed out") from None


async def paginate(
    session: AsyncSession,
    statement: Select[*tuple[Any, ...]] | SelectOfScalar[Any],
    id_column: ColumnElement[int] | Any,
    cursor: str | None,
    limit: int,
    *,
    newest_first: bool = True,
) -> tuple[Sequence[Any], str | None]:
    """Run ``statement`` one page at a time; returns the rows and the next cursor."""
    if cursor:
        last_id = decode_cursor(cursor)
        statement = statement.where(id_column < last_id if newest_first else id_column > last_id)
    order = id_column.desc() if newest_first else id_column.asc()
    rows: Sequence[Any] = (await session.exec(statement.order_by(order).limit(limit + 1))).all()
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        last_id = last.id if hasattr(last, "id") else last[0].id
        return rows, encode_cursor(last_id)
    return rows, None
