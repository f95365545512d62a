"""Who did what, when, from where: one audit entry per state-changing request,
refused ones included; the changes it made are logged beside it under its request id."""

from __future__ import annotations

import logging
import uuid
from typing import Any, cast

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send
from sqlalchemy import insert

from service.audit.context import Actor, current_actor
from service.audit.models import AuditEntry
from service.auth.identity import CurrentUser
from service.http.request_session import release_request_session

log = logging.getLogger(__name__)

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def client_ip(scope: Scope) -> str | None:
    """The client's address as the sign-in throttle sees it. The server (uvicorn with
    ``PROEFTUIN_FORWARDED_ALLOW_IPS``) has already replaced the peer by the rightmost
    hop of ``X-Forwarded-For`` that is not a trusted proxy; the header itself is the
    caller's word and is never read here."""
    client = scope.get("client")
    return client[0][:64] if client else None


def actor_for(scope: Scope, request_id: str) -> Actor:
    user = scope.get("user")
    common: dict[str, Any] = {
        "request_id": request_id,
        "client_ip": client_ip(scope),
        "user_agent": (_header(scope, b"user-agent") or "")[:300] or None,
    }
    if isinstance(user, CurrentUser):
        return Actor(kind="user", id=user.id, role=user.role.value, **common)
    return Actor(kind="anonymous", **common)


class AuditMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        scope = cast("HTTPScope", scope)  # scopes = HTTP only
        request_id = uuid.uuid4().hex
        if scope["method"] not in STATE_CHANGING:
            await next_app(scope, receive, self._with_request_id(send, request_id, {}))
            return
        actor = actor_for(scope, request_id)
        token = current_actor.set(actor)
        outcome: dict[str, int] = {}
        try:
            await next_app(scope, receive, self._with_request_id(send, request_id, outcome))
        finally:
            current_actor.reset(token)
            await release_request_session(scope)  # one connection at a time
            await self._record(scope, actor, outcome.get("status", 500))

    @staticmethod
    def _with_request_id(send: Send, request_id: str, outcome: dict[str, int]) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                outcome["status"] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        return wrapped

    async def _record(self, scope: HTTPScope, actor: Actor, status: int) -> None:
        params = scope.get("path_params") or {}
        name, value = next(iter(params.items()), (None, None))
        entry = AuditEntry(
            kind="request",
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_role=actor.role,
            request_id=actor.request_id,
            client_ip=actor.client_ip,
            user_agent=actor.user_agent,
            action=f"{scope['method']} {scope.get('path_template') or scope['path']}",
            path=scope["path"][:500],
            status_code=status,
            resource_type=name.removesuffix("_id") if name else None,
            resource_id=str(value) if value is not None else None,
        )
        # One statement, committed by itself (autocommit): the same row, durable at once,
        # without the BEGIN and COMMIT round trips of a session's transaction.
        values = {k: v for k, v in entry.model_dump(exclude={"id"}).items() if v is not None}
        try:
            engine = scope["app"].state.session_factory.kw["bind"]
            async with engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(insert(AuditEntry).values(**values))
        except Exception:  # noqa: BLE001 - the response is sent; never fail it for the log
            log.warning("audit entry for request %s not written", actor.request_id, exc_info=True)
