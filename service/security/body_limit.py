"""The cap on request bodies (``PROEFTUIN_MAX_REQUEST_BODY_BYTES``), enforced for every
request before anything reads the body.

Litestar's own cap (``request_max_body_size``) applies only where a handler reads the
body; a middleware that reads it earlier (the ``Idempotency-Key`` middleware keeps the
whole body to fingerprint and replay it) would buffer whatever a client sends. So this
middleware runs before every middleware that reads bodies: a body whose
``Content-Length`` is past the cap is refused before a byte of it is read, and a body
without one (chunked) is counted as it arrives and refused as soon as it passes the
cap. Either way the answer is the app's own 413, and the server reads no more of it.
"""

from __future__ import annotations

import json

from litestar.enums import ScopeType
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.middleware import ASGIMiddleware
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Message,
    Receive,
    ReceiveMessage,
    Scope,
    Send,
)


def announced_length(scope: Scope) -> int | None:
    """The request's ``Content-Length``, or None when it names none (or none that
    parses: the server refuses those itself)."""
    for key, value in scope.get("headers", []):
        if key.lower() == b"content-length":
            text = value.strip()
            return int(text) if text.isdigit() else None
    return None


def limited(receive: Receive, max_bytes: int) -> Receive:
    """``receive`` that raises ``RequestEntityTooLarge`` as soon as more than
    ``max_bytes`` of body have arrived, before the chunk that passed the cap is handed
    to anyone."""
    received = 0

    async def receive_within_limit() -> ReceiveMessage:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > max_bytes:
                raise RequestEntityTooLarge
        return message

    return receive_within_limit


async def send_too_large(send: Send) -> None:
    """The 413 the app itself answers (Litestar's shape: status code and detail)."""
    refusal = RequestEntityTooLarge()
    payload = json.dumps({"status_code": refusal.status_code, "detail": refusal.detail}).encode()
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": refusal.status_code,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
        ],
    }
    body: HTTPResponseBodyEvent = {
        "type": "http.response.body",
        "body": payload,
        "more_body": False,
    }
    await send(start)
    await send(body)


class BodyLimitMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        announced = announced_length(scope)
        if announced is not None and announced > self.max_bytes:
            await send_too_large(send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await next_app(scope, limited(receive, self.max_bytes), watched)
        except RequestEntityTooLarge:
            # Raised outside a handler (a handler's own are answered by Litestar): by a
            # middleware that read the body, such as the Idempotency-Key one.
            if started:
                raise
            await send_too_large(send)
