"""Dependencies every controller can ask for by name."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException

from service.auth.identity import CurrentUser
from service.db.engine import provide_db_session
from service.workflow_gateway import provide_workflow_gateway


def provide_viewer(request: Request[Any, Any, Any]) -> CurrentUser | None:
    """The signed-in user, or None for an anonymous reader."""
    user = request.scope.get("user")
    return user if isinstance(user, CurrentUser) else None


def provide_user(request: Request[Any, Any, Any]) -> CurrentUser:
    """The signed-in user; routes that ask for it also carry a guard."""
    user = provide_viewer(request)
    if user is None:
        raise NotAuthorizedException("sign in first: this needs an account")
    return user


app_dependencies = {
    "db_session": Provide(provide_db_session),
    "workflow_gateway": Provide(provide_workflow_gateway, sync_to_thread=False),
    "viewer": Provide(provide_viewer, sync_to_thread=False),
    "user": Provide(provide_user, sync_to_thread=False),
}
