"""The web interface: server-rendered pages for residents, startups, evaluators and the
city, on the same app and the same domain services as the JSON API.

``WebInterface(settings)`` gives the app what the pages need: their routes (one
``Router`` whose errors are pages, and the static files), the Jinja template engine
with English and Dutch, the session middleware, and the catalogues in the app's state.

For page authors (see the modules for details):
- ``rendering.page(request, "x.html", **context)`` renders a page; ``see_other(url)``
  answers a successful form (303); ``gettext_for(request)`` translates in a handler.
- The viewer: the usual ``viewer`` / ``user`` dependencies and ``requires_*`` guards work
  on pages (``session.PageUserMiddleware`` sets ``scope["user"]`` from the session);
  a guard refusing an anonymous visitor sends them to ``/login?next=...``.
- ``forms``: ``read_form``, ``validate(Model, values, gettext)``, ``errors_from(exc)``,
  ``Form(values, errors)``; macros in ``templates/macros/forms.html``.
- ``session.flash(request, "message id")`` shows a confirmation on the next page.
- Templates: ``{{ _("...") }}``, ``|datetime``, ``|date``, ``|euros``, ``|number``,
  ``{{ csrf_field() }}`` in every form that posts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.middleware.base import DefineMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ControllerRouterHandler, ExceptionHandler, Middleware

from service.settings import Settings
from service.web.accounts import account_dependencies, account_handlers
from service.web.city import city_router
from service.web.evaluator import evaluator_dependencies, evaluator_handlers
from service.web.evaluator_pilots import evaluator_pilot_dependencies, evaluator_pilot_handlers
from service.web.forms import field_id
from service.web.i18n import Formats, install, load_catalogues
from service.web.invitation import invitation_dependencies, invitation_handlers
from service.web.labels import LABELS
from service.web.me import me_dependencies, me_handlers
from service.web.password_reset import password_reset_dependencies, password_reset_handlers
from service.web.public import public_dependencies, public_handlers
from service.web.rendering import page_exception_handlers, unmatched_route_handlers
from service.web.reports import report_handlers
from service.web.residents import resident_dependencies, resident_handlers
from service.web.session import PageUserMiddleware, session_config
from service.web.startup import startup_handlers
from service.web.startup_pilot_reports import pilot_report_handlers
from service.web.startup_pilots import pilot_handlers
from service.web.startup_proposal_form import proposal_form_handlers
from service.web.startup_proposals import proposal_handlers
from service.web.verify_email import verify_email_handlers

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


@cache
def asset_version(name: str) -> str:
    """A short hash of a static file, so a changed file gets a new URL (cached for long)."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]


def static_url(name: str) -> str:
    return f"/static/{name}?v={asset_version(name)}"


def template_environment(catalogues: Any, formats: Formats) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    install(env, catalogues, formats)
    env.globals["static_url"] = static_url
    env.globals["field_id"] = field_id
    env.globals["labels"] = LABELS
    return env


class WebInterface:
    def __init__(
        self, settings: Settings, api_errors: Mapping[Any, ExceptionHandler] | None = None
    ) -> None:
        """``api_errors``: the app's exception handlers; a page shows each of those
        errors as a page with the API's status and words."""
        self.catalogues = load_catalogues()
        env = template_environment(self.catalogues, Formats(settings.time_zone))
        self.template_config = TemplateConfig(instance=JinjaTemplateEngine.from_environment(env))
        # The stylesheet's URL also styles the unsubscribe page, which the API serves.
        self.state: dict[str, Any] = {
            "catalogues": self.catalogues,
            "stylesheet": static_url("style.css"),
        }
        pages = Router(
            path="/",
            route_handlers=[
                *account_handlers,
                *password_reset_handlers,
                *invitation_handlers,
                *verify_email_handlers,
                *public_handlers,
                *me_handlers,
                *resident_handlers,
                *report_handlers,
                *startup_handlers,
                *proposal_form_handlers,
                *proposal_handlers,
                *pilot_handlers,
                *pilot_report_handlers,
                *evaluator_handlers,
                *evaluator_pilot_handlers,
            ],
            dependencies={
                **account_dependencies,
                **password_reset_dependencies,
                **invitation_dependencies,
                **public_dependencies,
                **me_dependencies,
                **resident_dependencies,
                **evaluator_dependencies,
                **evaluator_pilot_dependencies,
            },
            exception_handlers=page_exception_handlers(api_errors or {}),
            include_in_schema=False,
        )
        pages.register(city_router())
        static = create_static_files_router(
            path="/static",
            directories=[STATIC],
            name="static",
            cache_control=CacheControlHeader(max_age=7 * 24 * 3600),
            include_in_schema=False,
        )
        self.route_handlers: list[ControllerRouterHandler] = [pages, static]
        # For the app: a URL no route serves gets a page outside /api (JSON inside).
        self.exception_handlers: dict[Any, Any] = unmatched_route_handlers
        # After the authentication middleware (Litestar puts it first), before the audit
        # log: the audit entry of a page's POST names the signed-in person.
        self.middleware: list[Middleware | DefineMiddleware] = [
            session_config(settings).middleware,
            PageUserMiddleware(),
        ]
