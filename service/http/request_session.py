"""One database session per request, shared by everything that reads or writes in it.

The sign-in's user lookup (``service/auth/jwt.py``, and the pages' in
``service/web/session.py``) and the handler's own work (the ``db_session``
dependency) share one session, so a write is one checkout of the pool and one
transaction, whose first statement reads the signed-in user's row. Before, the lookup
took a connection of its own: a pre-ping, a ``BEGIN`` and a ``ROLLBACK`` more per
request (docs/performance.md).

The session is made when first asked for (a public read that needs no database makes
none) and closed, rolling back whatever was not committed, as soon as the handler is
done with it (the ``db_session`` dependency's cleanup), or before anything else in the
request takes a connection of its own (:func:`release_request_session`), or at the
latest when the request ends (:class:`RequestSessionMiddleware`, the outermost
middleware).
"""

from __future__ import annotations

from typing import Any

from litestar.config.app import AppConfig
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlmodel.ext.asyncio.session import AsyncSession

_KEY = "proeftuin.db_session"


def request_session(scope: Scope | Any) -> AsyncSession:
    """The request's session, made on first use."""
    state = scope.setdefault("state", {})
    session = state.get(_KEY)
    if session is None:
        session = scope["app"].state.session_factory()
        state[_KEY] = session
    return session


async def release_request_session(scope: Scope | Any) -> None:
    """Close the request's session now, if it has one (rolling back what was not
    committed). Called when the handler is done with it, and by every part of a
    request that needs a connection of its own (the idempotency keys, the audit
    entry): a request holds at most one pooled connection at a time, so no number of
    concurrent requests can leave each holding one while waiting for a second."""
    session = scope.get("state", {}).pop(_KEY, None)
    if session is not None:
        await session.close()


class RequestSessionMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        try:
            await next_app(scope, receive, send)
        finally:
            await release_request_session(scope)


def outermost_request_session(app_config: AppConfig) -> AppConfig:
    """``on_app_init`` hook, after the authentication's own: Litestar puts that one
    first, and the session must outlive it."""
    app_config.middleware.insert(0, RequestSessionMiddleware())
    return app_config
