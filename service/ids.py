"""Record ids from outside: in request paths, in query parameters, and written in tokens,
links and cursors. A number the database cannot hold names no record, and is never sent
to the database (PostgreSQL and SQLite would refuse it with an error, a 500)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from litestar import Request
from litestar.exceptions import NotFoundException
from litestar.params import QueryParameter

from schemas.common import DB_INT_MAX, DB_INT_MIN

QueryId = Annotated[int | None, QueryParameter(ge=1, le=DB_INT_MAX)]
"""An optional record id in the query string: past the database's integers it is a 422
naming the parameter."""

# How this API writes an id: ASCII digits, no sign, no leading zero, no spaces or
# underscores (which int() would take), no other scripts' digits (int() takes '٣').
_WRITTEN_ID = re.compile(r"[1-9][0-9]{0,9}")


def read_record_id(text: str) -> int | None:
    """The record id ``text`` writes (as in a token's subject, a link or a cursor), or
    None if it is not one: not plain ASCII digits, zero, or past the database's range."""
    if not _WRITTEN_ID.fullmatch(text):
        return None
    value = int(text)
    return value if value <= DB_INT_MAX else None


def _written(request: Request[Any, Any, Any]) -> dict[str, str]:
    """Each path parameter as the client wrote it, by the route's template."""
    template = str(request.scope.get("path_template") or "").split("/")
    path = request.scope["path"].split("/")
    if len(template) != len(path):
        return {}
    return {t[1:-1]: p for t, p in zip(template, path, strict=True) if t.startswith("{")}


async def ids_fit_the_database(request: Request[Any, Any, Any]) -> None:
    """A ``before_request`` hook: 404 for an id in the path past the database's integer
    range (which PostgreSQL and SQLite would otherwise refuse with an error), or not
    written as this API writes ids: the path's int converter takes what int() takes,
    so ``/api/challenges/٣`` or ``/api/challenges/%201`` would be challenge 3 or 1."""
    written = _written(request)
    for name, value in request.path_params.items():
        if not isinstance(value, int):
            continue
        as_written = written.get(name, str(value))
        if not DB_INT_MIN <= value <= DB_INT_MAX or as_written != str(value):
            raise NotFoundException(f"there is no record with {name} {as_written}")
