"""Record ids in request paths: a number the database cannot hold names no record."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import NotFoundException

from schemas.common import DB_INT_MAX, DB_INT_MIN


async def ids_fit_the_database(request: Request[Any, Any, Any]) -> None:
    """A ``before_request`` hook: 404 for an id in the path past the database's integer
    range (which PostgreSQL and SQLite would otherwise refuse with an error)."""
    for name, value in request.path_params.items():
        if isinstance(value, int) and not DB_INT_MIN <= value <= DB_INT_MAX:
            raise NotFoundException(f"there is no record with {name} {value}")
