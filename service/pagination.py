"""Keyset pagination: ``{"items": [...], "next_cursor": ...}``, newest first by id."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select, SelectOfScalar

from service.errors import FieldError
from service.ids import read_record_id

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


# What encode_cursor makes: the base64 (URL alphabet, unpadded) of a record id, which is
# 1 to 10 ASCII digits (ids are positive and fit the database's integers). Padding is
# taken back if a client added it.
_ENCODED = re.compile(r"[A-Za-z0-9_-]{2,16}={0,2}")


def decode_cursor(cursor: str) -> int:
    """The record id in a cursor this API handed out. The one place a cursor is read:
    anything else (not base64, not an id, zero, negative, past the database's integers,
    too long, other scripts' digits) is a 422 naming ``cursor``, before any query."""
    if _ENCODED.fullmatch(cursor):
        bare = cursor.rstrip("=")
        try:
            decoded = base64.urlsafe_b64decode(bare + "=" * (-len(bare) % 4)).decode("ascii")
        except (binascii.Error, ValueError):  # UnicodeDecodeError is a ValueError
            decoded = ""
        if (last_id := read_record_id(decoded)) is not None:
            return last_id
    raise FieldError("cursor", "not a cursor this API handed out", source="query")


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
