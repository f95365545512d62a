"""``Idempotency-Key`` on POST: a retried request returns the first result and creates
nothing new.

The first request with a key claims it (a unique row), runs, and stores its response;
a repeat with the same key and the same request gets that response again, marked
``Idempotent-Replayed: true``; the same key with a different request is refused (422),
and a repeat while the first is still running gets 409 with Retry-After. Responses
of 5xx are not kept, so a retry after a server error runs again. Keys expire after a day.

"The same request" is the whole of it: method, path, query string, content type and
body. A signed-in caller's keys are theirs alone. An anonymous caller has no identity to
keep keys apart, so an anonymous key is scoped by the request itself: it replays only
the identical request (which anyone who could send it could have sent anyway), and a
different anonymous request with a key someone else used simply runs, with no sign
that the key was in use.

The body is read whole (to fingerprint and replay it), but never more of it than
``PROEFTUIN_MAX_REQUEST_BODY_BYTES``: past that, 413 before anything is kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any, cast

from litestar.enums import ScopeType
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.middleware import ASGIMiddleware
from litestar.types import (
    ASGIApp,
    HTTPDisconnectEvent,
    HTTPRequestEvent,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    HTTPScope,
    Message,
    Receive,
    Scope,
    Send,
)
from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.auth.identity import CurrentUser
from service.clock import utcnow
from service.db.upsert import insert_missing, table_of
from service.http.request_session import release_request_session
from service.idempotency.models import KEY_TTL, IdempotencyKey
from service.security.body_limit import announced_length

log = logging.getLogger(__name__)

HEADER = b"idempotency-key"
MAX_KEY_LENGTH = 200
# A token must never be stored and handed out again.
NOT_IDEMPOTENT = ("/api/auth/login",)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def _send_json(send: Send, status: int, body: dict[str, Any], headers: list) -> None:
    payload = json.dumps(body).encode()
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"), *headers],
    }
    await send(start)
    await send(_body_event(payload))


def _body_event(body: bytes) -> HTTPResponseBodyEvent:
    return {"type": "http.response.body", "body": body, "more_body": False}


class IdempotencyMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        scope = cast("HTTPScope", scope)  # scopes = HTTP only
        key = _header(scope, HEADER)
        if scope["method"] != "POST" or key is None or scope["path"] in NOT_IDEMPOTENT:
            await next_app(scope, receive, send)
            return
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            await _send_json(send, 422, _bad_key("must be 1 to 200 printable characters"), [])
            return

        body = await _read_body(scope, receive)
        fingerprint = request_fingerprint(scope, body)
        owner = key_owner(scope, fingerprint)
        sessions = scope["app"].state.session_factory
        await release_request_session(scope)  # one connection at a time

        async with sessions() as session:
            claimed = await _claim(session, owner, key, scope, fingerprint)
            if not claimed:
                earlier = (
                    await session.exec(
                        select(IdempotencyKey).where(
                            IdempotencyKey.owner == owner, IdempotencyKey.key == key
                        )
                    )
                ).one()
        if not claimed:
            await _answer_repeat(send, earlier, fingerprint)
            return

        captured: dict[str, Any] = {"body": bytearray()}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = message.get("headers", [])
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
            await send(message)

        try:
            await next_app(scope, _replay(body), capture)
        finally:
            await release_request_session(scope)
            await _store(sessions, owner, key, captured)


def _bad_key(message: str) -> dict[str, Any]:
    return {
        "status_code": 422,
        "detail": f"invalid Idempotency-Key: {message}",
        "extra": [{"key": "Idempotency-Key", "message": message, "source": "header"}],
    }


def request_fingerprint(scope: HTTPScope, body: bytes) -> str:
    """A digest of the whole request: method, path, query string, content type, body."""
    digest = hashlib.sha256()
    for part in (
        scope["method"].encode(),
        scope["path"].encode("utf-8", "surrogateescape"),
        scope.get("query_string", b""),
        (_header(scope, b"content-type") or "").encode("latin-1"),
        body,
    ):
        digest.update(len(part).to_bytes(8, "big"))  # no two requests run together
        digest.update(part)
    return digest.hexdigest()


def key_owner(scope: HTTPScope, fingerprint: str) -> str:
    """Whose key it is: the signed-in user's, or, for an anonymous caller, the request's
    own (so an anonymous key matches only the identical request)."""
    user = scope.get("user")
    if isinstance(user, CurrentUser):
        return f"user:{user.id}"
    return f"anonymous:{fingerprint[:30]}"  # 120 bits; the column holds 40 characters


async def _read_body(scope: HTTPScope, receive: Receive) -> bytes:
    """The whole body, refused (413) as soon as it is known to be past the cap."""
    max_bytes = scope["app"].state.settings.max_request_body_bytes
    announced = announced_length(scope)
    if announced is not None and announced > max_bytes:
        raise RequestEntityTooLarge
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            raise RequestEntityTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> HTTPRequestEvent | HTTPDisconnectEvent:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _claim(
    session: AsyncSession, owner: str, key: str, scope: HTTPScope, fingerprint: str
) -> bool:
    """Take the key for this request; an expired claim by anyone is cleared first."""
    await session.exec(
        delete(IdempotencyKey).where(
            col(IdempotencyKey.owner) == owner,
            col(IdempotencyKey.key) == key,
            col(IdempotencyKey.created_at) < utcnow() - KEY_TTL,
        )
    )
    claimed = await insert_missing(
        session,
        table_of(IdempotencyKey),
        [
            {
                "owner": owner,
                "key": key,
                "method": scope["method"],
                "path": scope["path"][:500],
                "request_hash": fingerprint,
                "created_at": utcnow(),
            }
        ],
        unique=("owner", "key"),
    )
    await session.commit()
    return claimed == 1


async def _answer_repeat(send: Send, earlier: IdempotencyKey, fingerprint: str) -> None:
    if earlier.request_hash != fingerprint:
        await _send_json(
            send, 422, _bad_key("already used for a different request; use a new key"), []
        )
    elif earlier.completed_at is None or earlier.status_code is None:
        await _send_json(
            send,
            409,
            {"status_code": 409, "detail": "a request with this Idempotency-Key is in progress"},
            [(b"retry-after", b"1")],
        )
    else:
        headers = [(b"idempotent-replayed", b"true")]
        if earlier.content_type:
            headers.append((b"content-type", earlier.content_type.encode()))
        start: HTTPResponseStartEvent = {
            "type": "http.response.start",
            "status": earlier.status_code,
            "headers": headers,
        }
        await send(start)
        await send(_body_event(earlier.response_body or b""))


async def _store(sessions: Any, owner: str, key: str, captured: dict[str, Any]) -> None:
    """Keep the response, or release the key if there is nothing worth replaying."""
    status = captured.get("status", 500)
    where = (col(IdempotencyKey.owner) == owner, col(IdempotencyKey.key) == key)
    try:
        async with sessions() as session:
            if status >= 500:
                await session.exec(delete(IdempotencyKey).where(*where))
            else:
                content_type = next(
                    (
                        v.decode("latin-1")
                        for k, v in captured.get("headers", [])
                        if k.lower() == b"content-type"
                    ),
                    None,
                )
                await session.exec(
                    update(IdempotencyKey)
                    .where(*where)
                    .values(
                        status_code=status,
                        content_type=content_type,
                        response_body=bytes(captured["body"]),
                        completed_at=utcnow(),
                    )
                )
            await session.commit()
    except Exception:  # noqa: BLE001 - the response went out; a stuck key expires in a day
        log.warning("idempotency key %s of %s not stored", key, owner, exc_info=True)
