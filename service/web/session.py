"""Browser sign-in: the session cookie and who a page request comes from.

The session is Litestar's cookie backend: encrypted and authenticated (AES-GCM) with a
key of its own derived from the signing secret, HttpOnly, SameSite=Lax, Secure when the
service is reached over HTTPS. It holds the same signed token the JSON API hands out at
sign-in, so a page request is let in by exactly the API's rule: the token's signature
and expiry, then ``service.auth.jwt.retrieve_user`` (an active account only).

Only pages read it. The session middleware and ``PageUserMiddleware`` skip the JSON
API (``/api``), the docs and static files: the API accepts its bearer token and nothing
else, so a browser's cookie never authenticates a cross-site request to it, and CSRF
tokens stay a matter of the pages alone.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.security.jwt import JWTAuth, Token
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy import update
from sqlmodel import col

from service.auth.identity import CurrentUser
from service.auth.jwt import access_token, retrieve_user
from service.auth.models import User
from service.http.request_session import request_session
from service.settings import Settings
from service.web.i18n import chosen_language

SESSION_COOKIE = "proeftuin_session"
NOT_PAGES = r"^/api(?:/|$)|^/schema(?:/|$)|^/static(?:/|$)"
_TOKEN = "token"
_FLASH = "flash"


def is_page_path(path: str) -> bool:
    return not (
        path == "/api"
        or path.startswith(("/api/", "/schema/", "/static/"))
        or path in ("/schema", "/static", "/metrics")  # /metrics: service/http/metrics.py
    )


def session_config(settings: Settings) -> CookieBackendConfig:
    key = hmac.new(settings.signing_secret().encode(), b"page-session", hashlib.sha256).digest()
    return CookieBackendConfig(
        secret=key,
        key=SESSION_COOKIE,
        max_age=settings.token_ttl_minutes * 60,
        httponly=True,
        samesite="lax",  # sent when a link from a mail opens a page; never on a cross-site POST
        secure=settings.https,
        exclude=NOT_PAGES,
    )


async def _session_user(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser | None:
    session = connection.scope.get("session")
    encoded = session.get(_TOKEN) if isinstance(session, dict) else None
    if not isinstance(encoded, str):
        return None
    jwt_auth: JWTAuth[Any, Token] = connection.app.state.jwt_auth
    try:
        token = Token.decode(encoded, secret=jwt_auth.token_secret, algorithm=jwt_auth.algorithm)
    except Exception:  # noqa: BLE001 - expired, tampered with or from an older key: signed out
        return None
    user = await retrieve_user(token, connection)
    return user if isinstance(user, CurrentUser) else None


class PageUserMiddleware(ASGIMiddleware):
    """Puts the session's user (or None) in ``scope["user"]`` for page requests, before
    the audit log and the guards look at it; pages know nothing of bearer tokens."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if is_page_path(scope.get("path", "")):
            connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
            user = await _session_user(connection)
            if user is not None:
                user = await _remember_language(connection, user)
            scope["user"] = user
        await next_app(scope, receive, send)


async def _remember_language(
    connection: ASGIConnection[Any, Any, Any, Any], user: CurrentUser
) -> CurrentUser:
    """The language we write to someone in (set at sign-up and invitation) follows the
    site's language switch (``?lang=``) when they use it signed in."""
    chosen = chosen_language(connection)  # type: ignore[arg-type]
    if chosen is None or chosen == user.language or connection.scope.get("method") != "GET":
        return user
    language = chosen
    session = request_session(connection.scope)  # where the user was just read
    await session.exec(update(User).where(col(User.id) == user.id).values(language=language))
    await session.commit()
    return CurrentUser(
        id=user.id,
        email=user.email,
        role=user.role,
        display_name=user.display_name,
        language=language,
    )


def sign_in(request: Request[Any, Any, Any], user: User) -> None:
    """Start a browser session for the account (anything of an earlier one is dropped),
    with the token the API's sign-in would give it."""
    request.set_session({_TOKEN: access_token(request.app.state.jwt_auth, user)})


def sign_out(request: Request[Any, Any, Any]) -> None:
    request.clear_session()


def flash(request: Request[Any, Any, Any], message: str) -> None:
    """A one-line confirmation shown on the next page (after a redirect)."""
    current = request.scope.get("session")
    session = dict(current) if isinstance(current, dict) else {}
    session[_FLASH] = message
    request.set_session(session)


def take_flash(request: Request[Any, Any, Any]) -> str | None:
    session = request.scope.get("session")
    if not isinstance(session, dict) or _FLASH not in session:
        return None
    remaining = {k: v for k, v in session.items() if k != _FLASH}
    message = session[_FLASH]
    if remaining:
        request.set_session(remaining)
    else:
        request.clear_session()
    return message if isinstance(message, str) else None
