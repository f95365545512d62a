"""Security headers on every response, the API's errors and 404s included.

Litestar has no middleware for these; its ``before_send`` hook sees every response the
app sends, so the headers are set there. A header a handler set itself is kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from service.settings import Settings

# The API answers JSON and a few plain HTML pages (the unsubscribe page): nothing may
# load from anywhere, inline style attributes aside, and forms post only to us.
PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)

# The web interface (every path outside /api, the docs and static files): our own
# stylesheet and script from our own origin, no inline script or style at all.
WEB_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

# The OpenAPI docs (Swagger UI) are pages Litestar renders with an inline script
# (the schema and the UI's settings); their scripts, styles and icon are ours, from our
# own origin (service/openapi_docs.py), so nothing loads from anywhere else.
DOCS_POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; "
    "font-src 'self' data:; "
    "img-src 'self' data:; "
    "connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

HSTS = "max-age=31536000; includeSubDomains"

BeforeSend = Callable[[Message, Scope], Awaitable[None]]


def security_headers(settings: Settings, docs_path: str) -> BeforeSend:
    """A ``before_send`` hook adding the headers; HSTS only in production mode, where
    the service is reached over HTTPS (a browser would otherwise pin a local port)."""
    common = {
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "no-referrer",  # the unsubscribe link's token stays ours
        "cross-origin-opener-policy": "same-origin",
    }
    if settings.mode == "production":
        common["strict-transport-security"] = HSTS
    docs_prefix = docs_path.rstrip("/")

    async def add_security_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        path = scope.get("path", "")
        is_docs = path == docs_prefix or path.startswith(docs_prefix + "/")
        is_api = path == "/api" or path.startswith("/api/")
        policy = DOCS_POLICY if is_docs else PAGE_POLICY if is_api else WEB_POLICY
        wanted = {**common, "content-security-policy": policy}
        if _signed_in_or_signing_in(scope, path):
            wanted["cache-control"] = "no-store"  # tokens and private data stay out of caches
        for name, value in wanted.items():
            if name not in headers:
                headers[name] = value

    return add_security_headers


# Pages that take a password, or that the browser session may have made private.
_SIGN_IN_PAGES = ("/login", "/register")


def _signed_in_or_signing_in(scope: Scope, path: str) -> bool:
    if path.startswith("/api/auth/") or path in _SIGN_IN_PAGES:
        return True
    if scope.get("user") is not None and not path.startswith("/static/"):
        return True  # a signed-in person's page (the session's user, service/web)
    return any(name == b"authorization" for name, _ in scope.get("headers", ()))
