"""Rendering a page: the template context every page has (language, viewer, flash,
language-switch links), the language cookie, and the pages' own error answers.

A page handler returns ``page(request, "name.html", status_code=..., **context)``; after
a successful form it returns ``see_other(url)`` (post/redirect/get).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template

from service.auth.guards import current_user
from service.web.i18n import (
    LANGUAGE_COOKIE,
    LANGUAGE_COOKIE_MAX_AGE,
    LANGUAGES,
    Gettext,
    chosen_language,
    request_language,
    translator,
)
from service.web.session import take_flash


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


def login_redirect(request: Request[Any, Any, Any]) -> Redirect:
    target = request.url.path
    if request.method == "GET" and request.url.query:
        target += f"?{request.url.query}"
    return see_other(f"/login?{urlencode({'next': target})}")


# -- errors on pages ---------------------------------------------------------------------


def _error_page(request: Request[Any, Any, Any], status_code: int, detail: str) -> Response[Any]:
    return page(request, "error.html", status_code=status_code, status=status_code, detail=detail)


def not_signed_in(request: Request[Any, Any, Any], _: NotAuthorizedException) -> Response[Any]:
    return login_redirect(request)


def forbidden(request: Request[Any, Any, Any], exc: PermissionDeniedException) -> Response[Any]:
    return _error_page(request, 403, str(exc.detail))


def not_found(request: Request[Any, Any, Any], exc: NotFoundException) -> Response[Any]:
    return _error_page(request, 404, str(exc.detail))


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    response = _error_page(request, exc.status_code, str(exc.detail))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


page_exception_handlers = {
    NotAuthorizedException: not_signed_in,
    PermissionDeniedException: forbidden,
    NotFoundException: not_found,
    ValidationException: http_error,  # the app's own answers it as JSON
    HTTPException: http_error,
}
