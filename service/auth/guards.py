"""Role guards. Anonymous requests carry ``user=None``; a guard turns that into 401."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from schemas.common import Role
from service.auth.identity import CurrentUser


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser | None:
    user = connection.scope.get("user")
    return user if isinstance(user, CurrentUser) else None


SyncCheck = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def _guard(check: SyncCheck) -> Guard:
    """The check as an ``async`` guard: Litestar runs a plain function guard in a worker
    thread, a hand-off that cost a few percent of every guarded request
    (docs/performance.md). The check stays readable as ``guard.check`` for the OpenAPI
    document's list of refusals (service/http/openapi.py)."""

    async def guard(
        connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
    ) -> None:
        check(connection, handler)

    guard.check = check  # type: ignore[attr-defined]
    guard.__name__ = check.__name__
    return guard


def _login(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if current_user(connection) is None:
        raise NotAuthorizedException("sign in first: this needs an account")


requires_login = _guard(_login)


class WrongRole(PermissionDeniedException):
    """A signed-in account of a role the route is not for; ``allowed`` names the roles
    it is for, so a page can say whose page it is (the JSON body is the same as any 403)."""

    def __init__(self, detail: str, allowed: tuple[Role, ...]) -> None:
        super().__init__(detail)
        self.allowed = allowed


def requires_role(*roles: Role) -> Guard:
    allowed = ", ".join(r.value for r in roles)

    def check(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = current_user(connection)
        if user is None:
            raise NotAuthorizedException("sign in first: this needs an account")
        if user.role not in roles:
            raise WrongRole(
                f"only {allowed} accounts can do this; you are signed in as {user.role.value}",
                roles,
            )

    check.__name__ = f"requires_role({allowed})"
    return _guard(check)


requires_city = requires_role(Role.CITY)
requires_startup = requires_role(Role.STARTUP)
requires_evaluator = requires_role(Role.EVALUATOR)
requires_resident = requires_role(Role.RESIDENT)
