"""Dependencies every controller can ask for by name."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException
from sqlmodel.ext.asyncio.session import AsyncSession

from service.auth.identity import CurrentUser
from service.http.request_session import release_request_session, request_session
from service.workflow_gateway import WorkflowGateway


async def provide_db_session(request: Request[Any, Any, Any]) -> AsyncGenerator[AsyncSession, None]:
    """The request's one session (service/http/request_session.py), in which the
    sign-in's user was read; closed when the handler is done, rolling back what it did
    not commit."""
    try:
        yield request_session(request.scope)
    finally:
        await release_request_session(request.scope)


def provide_workflow_gateway(state: State) -> WorkflowGateway:
    """The app's one gateway into Temporal (made in the lifespan)."""
    return state.workflow_gateway


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
