"""CSRF protection for the HTML forms, on Litestar's ``CSRFConfig``.

The JSON API under /api is authenticated by a bearer token that a browser never adds
to a request by itself, so a forged cross-site request carries no credentials: it is
left out (and it never reads the pages' session cookie: service/web/session.py).
Everything else is protected: every path outside /api (the web interface, service/web,
whose browser session is a cookie) and the unsubscribe forms under /api. A page sets a
signed token in a cookie and in a hidden field (``_csrf_token``; templates call
``csrf_token()``), and a POST, PUT, PATCH or DELETE is refused (403) unless both are
there and match. The RFC 8058 one-click unsubscribe, which mail providers POST without
cookies, opts out on its handler (``exclude_from_csrf``).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from litestar import Request
from litestar.config.csrf import CSRFConfig
from litestar.utils.scope.state import ScopeState

from service.paths import UNSUBSCRIBE_PATH
from service.settings import Settings

# Paths under /api that serve HTML forms to browsers; the rest of /api is the JSON API.
# Every path outside /api is checked.
FORM_PATHS = (UNSUBSCRIBE_PATH,)
CSRF_FIELD = "_csrf_token"
EXCLUDE_FROM_CSRF = {"exclude_from_csrf": True}


def _exclude_pattern() -> str:
    forms = "|".join(p.removeprefix("/api/") for p in FORM_PATHS)
    # Matches /api/<anything but a form path> and the OpenAPI docs: nothing else is left
    # out, so a page added anywhere outside /api is protected without a line here.
    return rf"^/api/(?!(?:{forms})(?:/|$))|^/schema(?:/|$)"


def csrf_config(settings: Settings) -> CSRFConfig:
    # A key of its own, derived from the signing secret, so a CSRF token is never a
    # valid signature of anything else.
    secret = hmac.new(settings.signing_secret().encode(), b"csrf", hashlib.sha256).hexdigest()
    return CSRFConfig(
        secret=secret,
        cookie_name="proeftuin_csrf",
        cookie_path="/",
        cookie_httponly=True,  # the page puts the token in the form; no script needs it
        cookie_samesite="strict",
        cookie_secure=settings.https,
        exclude=_exclude_pattern(),
    )


def csrf_token(request: Request[Any, Any, Any]) -> str:
    """The token the CSRF middleware set for this request, for a form's hidden field."""
    token = ScopeState.from_scope(request.scope).csrf_token
    return token if isinstance(token, str) else ""
