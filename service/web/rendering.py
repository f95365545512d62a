"""Rendering a page: the template context every page has (language, viewer, flash,
language-switch links), the language cookie, and the pages' own error answers.

A page handler returns ``page(request, "name.html", status_code=..., **context)``; after
a successful form it returns ``see_other(url)`` (post/redirect/get).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.exceptions.responses import create_exception_response
from litestar.response import Redirect, Template
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandler

from service.auth.guards import WrongRole, current_user
from service.web.i18n import (
    LANGUAGE_COOKIE,
    LANGUAGE_COOKIE_MAX_AGE,
    LANGUAGES,
    Gettext,
    chosen_language,
    request_language,
    translator,
)
from service.web.session import is_page_path, take_flash


def gettext_for(request: Request[Any, Any, Any]) -> Gettext:
    """``gettext`` in this request's language, for messages a handler makes."""
    return translator(request.app.state.catalogues, request_language(request))


def language_links(request: Request[Any, Any, Any]) -> dict[str, str]:
    """This page in each language: its own path and query, with ``lang`` set."""
    others = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return {
        language: f"{request.url.path}?{urlencode([*others, ('lang', language)])}"
        for language in LANGUAGES
    }


def page(
    request: Request[Any, Any, Any],
    template: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> Template:
    language = request_language(request)
    cookies = []
    if chosen_language(request):
        cookies.append(
            Cookie(
                key=LANGUAGE_COOKIE,
                value=language,
                max_age=LANGUAGE_COOKIE_MAX_AGE,
                httponly=True,
                samesite="lax",
                secure=request.app.state.settings.https,
            )
        )
    common = {
        "language": language,
        "viewer": current_user(request),
        "flash": take_flash(request),
        "language_links": language_links(request),
        "current_path": request.url.path,
    }
    return Template(
        template_name=template,
        context={**common, **context},
        status_code=status_code,
        cookies=cookies,
        headers={"vary": "Accept-Language, Cookie"},
    )


def safe_next(target: str | None, default: str = "/") -> str:
    """Where to go after signing in: only a path of this site (no ``//host`` or
    ``/\\host`` that a browser would take as another site)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ch in target for ch in "\r\n\t") or "\\" in target:
        return default
    return target


def see_other(url: str) -> Redirect:
    """The answer to a successful form: 303, so a reload does not post it again."""
    return Redirect(path=url, status_code=303)


def _page_at_or_above(request: Request[Any, Any, Any], path: str) -> str:
    """The nearest address at or above ``path`` that a browser can open (a page's GET
    route): a form's action often takes only POST."""
    pages = [
        re.compile(re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(route.path)))
        for route in request.app.routes
        if isinstance(route, HTTPRoute) and "GET" in route.methods and is_page_path(route.path)
    ]
    segments = path.rstrip("/").split("/")
    while len(segments) > 1:
        candidate = "/".join(segments)
        if any(pattern.fullmatch(candidate) for pattern in pages):
            return candidate
        segments.pop()
    return "/"


def login_redirect(request: Request[Any, Any, Any]) -> Redirect:
    """To sign in, then back: to this page, or, after a form posted without a session
    (it ran out while the form was open), to the page the form belongs to."""
    if request.method == "GET":
        target = request.url.path
        if request.url.query:
            target += f"?{request.url.query}"
    else:
        target = _page_at_or_above(request, request.url.path)
    return see_other(f"/login?{urlencode({'next': target})}")


# -- errors on pages ---------------------------------------------------------------------
# A page's error is a page: in the visitor's language, with the site's header and a way
# on. The JSON API keeps its JSON bodies: the handlers below are the pages' router's,
# and the app's own (for URLs no route matches) answer a page only outside /api.


def _error_page(
    request: Request[Any, Any, Any], status_code: int, detail: str, **context: Any
) -> Response[Any]:
    return page(
        request,
        "error.html",
        status_code=status_code,
        status=status_code,
        detail=detail,
        **{"allowed_roles": [], **context},
    )


def not_signed_in(request: Request[Any, Any, Any], _: NotAuthorizedException) -> Response[Any]:
    return login_redirect(request)


def forbidden(request: Request[Any, Any, Any], exc: PermissionDeniedException) -> Response[Any]:
    allowed = [role.value for role in exc.allowed] if isinstance(exc, WrongRole) else []
    return _error_page(request, 403, str(exc.detail), allowed_roles=allowed)


def not_found(request: Request[Any, Any, Any], exc: NotFoundException) -> Response[Any]:
    return _error_page(request, 404, str(exc.detail))


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    response = _error_page(request, exc.status_code, str(exc.detail))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def server_error(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    """Anything unexpected (logged with its traceback by the app): a page that says so,
    and nothing of the error itself."""
    return _error_page(request, 500, "")


def as_page(api_handler: ExceptionHandler) -> ExceptionHandler:
    """The API's answer to an error (its status, detail and headers such as
    ``Retry-After``), shown as a page: so an error the domain raises reads the same on a
    page as through the API, whatever new errors the API learns to answer."""

    def handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        answer = api_handler(request, exc)
        status = answer.status_code or HTTP_500_INTERNAL_SERVER_ERROR
        if status == 401:
            return login_redirect(request)
        content = answer.content if isinstance(answer.content, dict) else {}
        detail = str(content.get("detail") or "") if status < 500 else ""
        response = _error_page(request, status, detail)
        response.headers.update(
            {k: v for k, v in answer.headers.items() if k.lower() == "retry-after"}
        )
        return response

    return handler


def page_exception_handlers(api_handlers: Mapping[Any, ExceptionHandler]) -> dict[Any, Any]:
    """The pages' router's error handlers: every error the API answers, as a page, and
    the pages' own for sign-in, roles, missing records and anything unexpected."""
    return {
        **{key: as_page(handler) for key, handler in api_handlers.items()},
        NotAuthorizedException: not_signed_in,
        PermissionDeniedException: forbidden,
        NotFoundException: not_found,
        ValidationException: http_error,  # the app's own answers it as JSON
        HTTPException: http_error,
        HTTP_500_INTERNAL_SERVER_ERROR: server_error,
    }


def _page_or_json(page_handler: ExceptionHandler) -> ExceptionHandler:
    def handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        if is_page_path(request.url.path):
            return page_handler(request, exc)
        return create_exception_response(request, exc)  # Litestar's own JSON body

    return handler


# The app's handlers for what reaches no route (a URL nothing serves, a method it does
# not take). Inside a route, the router's handlers above (or the API's) answer first.
unmatched_route_handlers: dict[Any, Any] = {
    NotFoundException: _page_or_json(not_found),
    MethodNotAllowedException: _page_or_json(http_error),
}
