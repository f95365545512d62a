"""Record ids in request paths and query parameters. A number the database cannot hold
names no record, and is never sent to the database (PostgreSQL and SQLite would refuse
it with an error, a 500). How an id is written is ``service/ids.py``'s."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request
from litestar.exceptions import NotFoundException
from litestar.params import QueryParameter

from schemas.common import DB_INT_MAX, DB_INT_MIN

QueryId = Annotated[int | None, QueryParameter(ge=1, le=DB_INT_MAX)]
"""An optional record id in the query string: past the database's integers it is a 422
naming the parameter."""


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
