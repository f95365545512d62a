"""A short micro-cache of the public reads, and ETags on them.

What it caches: the ``200`` answer to an anonymous ``GET`` of a challenge
(``/api/challenges/{id}``) or of the challenge list (``/api/challenges?...``), keyed by
the path and the query string exactly as sent. Anonymous means what the handlers see:
no signed-in user in the request (no valid bearer token, no page session). Everyone
signed in goes to the handler every time, because what they see may be theirs alone (a
draft is the city's; the city sees more than the public).

What a reader may see: an anonymous reader may be served an answer computed up to
``ttl`` seconds earlier (one second by default) by the same API process. Nothing is
shared between processes, so nothing needs invalidating across them: every process
forgets every entry after ``ttl``, whoever wrote what. A change (a new phase recorded
by the worker, a new input, an edited draft once published) is therefore seen by every
anonymous reader of every process at most ``ttl`` after its commit. Answers that set a
cookie, or are not ``200``, are never cached.

Refreshing: once an entry is half its ``ttl`` old, the next request for it computes a
new answer (and is served that), while the others go on being served the entry, which
is still within its ``ttl``; so under steady traffic nobody waits for a computation and
nobody is served an answer older than ``ttl``. An entry that expired (no traffic) is
computed by one request while the others asking for the same key wait for it, rather
than all computing it.

ETags: every answer on these paths, anonymous or not, carries ``ETag`` (a hash of its
body), and a ``GET`` whose ``If-None-Match`` names it gets ``304 Not Modified`` without
a body. For a signed-in reader the ETag is of the answer just computed for them, so a
304 only ever tells a client that its own copy is current.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from service.auth.identity import CurrentUser

DEFAULT_TTL_SECONDS = 1.0
MAX_ENTRIES = 1024
MAX_BODY_BYTES = 512 * 1024
CACHED_PATHS = re.compile(r"^/api/challenges(/[0-9]+)?/?$")


@dataclass(slots=True)
class Entry:
    refresh_at: float
    expires_at: float
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes


@dataclass
class PublicCache:
    """The entries of one API process; ``clock`` is injectable for the tests."""

    ttl: float = DEFAULT_TTL_SECONDS
    clock: Callable[[], float] = time.monotonic
    entries: dict[str, Entry] = field(default_factory=dict)
    computing: dict[str, asyncio.Future[Entry | None]] = field(default_factory=dict)

    def get(self, key: str) -> tuple[Entry | None, bool]:
        """The entry, if still within its ``ttl``, and whether it is time to refresh it."""
        entry = self.entries.get(key)
        if entry is None:
            return None, True
        now = self.clock()
        if entry.expires_at <= now:
            del self.entries[key]
            return None, True
        return entry, entry.refresh_at <= now

    def put(self, key: str, entry: Entry) -> None:
        if len(self.entries) >= MAX_ENTRIES:
            now = self.clock()
            for stale in [k for k, e in self.entries.items() if e.expires_at <= now]:
                del self.entries[stale]
            if len(self.entries) >= MAX_ENTRIES:
                self.entries.clear()
        self.entries[key] = entry

    def clear(self) -> None:
        self.entries.clear()


def etag_of(body: bytes) -> bytes:
    return b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"'


def _if_none_match(scope: HTTPScope) -> bytes | None:
    for key, value in scope["headers"]:
        if key == b"if-none-match":
            return value
    return None


def matches(if_none_match: bytes | None, etag: bytes) -> bool:
    if not if_none_match:
        return False
    for candidate in if_none_match.split(b","):
        candidate = candidate.strip()
        if candidate.startswith(b"W/"):
            candidate = candidate[2:]
        if candidate == etag or candidate == b"*":
            return True
    return False


class PublicCacheMiddleware(ASGIMiddleware):
    """Inside the authentication, page-session and audit middleware: it sees the user
    they found, and every answer still gets its own request id and security headers."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, cache: PublicCache | None = None) -> None:
        self.cache = cache if cache is not None else PublicCache()

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        scope = cast("HTTPScope", scope)
        if scope["method"] != "GET" or not CACHED_PATHS.match(scope["path"]):
            await next_app(scope, receive, send)
            return
        if_none_match = _if_none_match(scope)
        if isinstance(scope.get("user"), CurrentUser):
            await self._with_etag(scope, receive, send, next_app, if_none_match)
            return
        key = scope["path"] + "?" + scope["query_string"].decode("latin-1")
        entry, refresh = self.cache.get(key)
        if entry is not None and refresh and key not in self.cache.computing:
            # Half its ttl old: this request computes the next one; the rest are served
            # this one meanwhile.
            await self._compute(key, scope, receive, send, next_app, if_none_match)
            return
        while entry is None:
            pending = self.cache.computing.get(key)
            if pending is None:
                await self._compute(key, scope, receive, send, next_app, if_none_match)
                return
            entry = await asyncio.shield(pending)
            if entry is None:  # not cacheable after all: compute our own
                await self._with_etag(scope, receive, send, next_app, if_none_match)
                return
        await _replay(entry, send, if_none_match)

    async def _compute(
        self,
        key: str,
        scope: HTTPScope,
        receive: Receive,
        send: Send,
        next_app: ASGIApp,
        if_none_match: bytes | None,
    ) -> None:
        future: asyncio.Future[Entry | None] = asyncio.get_running_loop().create_future()
        self.cache.computing[key] = future
        entry: Entry | None = None
        try:
            start, body = await _capture(scope, receive, next_app)
            if start is None:
                return
            now = self.cache.clock()
            entry = _entry(start, body, now + self.cache.ttl / 2, now + self.cache.ttl)
            cacheable = (
                entry.status == 200
                and len(body) <= MAX_BODY_BYTES
                and not any(k == b"set-cookie" for k, _ in entry.headers)
            )
            if cacheable:
                self.cache.put(key, entry)
            else:
                self.cache.entries.pop(key, None)
            await _replay(entry, send, if_none_match)
            if not cacheable:
                entry = None
        finally:
            del self.cache.computing[key]
            if not future.done():
                future.set_result(entry)

    async def _with_etag(
        self,
        scope: HTTPScope,
        receive: Receive,
        send: Send,
        next_app: ASGIApp,
        if_none_match: bytes | None,
    ) -> None:
        start, body = await _capture(scope, receive, next_app)
        if start is not None:
            await _replay(_entry(start, body, 0.0, 0.0), send, if_none_match)


async def _capture(
    scope: HTTPScope, receive: Receive, next_app: ASGIApp
) -> tuple[dict[str, Any] | None, bytes]:
    start: dict[str, Any] | None = None
    chunks: list[bytes] = []

    async def collect(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = dict(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await next_app(scope, receive, collect)
    return start, b"".join(chunks)


def _entry(start: dict[str, Any], body: bytes, refresh_at: float, expires_at: float) -> Entry:
    headers = [
        (k, v) for k, v in start.get("headers", []) if k.lower() not in (b"etag", b"content-length")
    ]
    return Entry(refresh_at, expires_at, start["status"], headers, body, etag_of(body))


async def _replay(entry: Entry, send: Send, if_none_match: bytes | None) -> None:
    if entry.status == 200 and matches(if_none_match, entry.etag):
        headers = [(k, v) for k, v in entry.headers if k.lower() != b"content-type"]
        headers.append((b"etag", entry.etag))
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return
    headers = list(entry.headers)
    headers.append((b"content-length", str(len(entry.body)).encode()))
    if entry.status == 200:
        headers.append((b"etag", entry.etag))
    await send({"type": "http.response.start", "status": entry.status, "headers": headers})
    await send({"type": "http.response.body", "body": entry.body, "more_body": False})
