"""The Litestar application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from litestar import Litestar
from litestar.datastructures import State
from litestar.logging.config import LoggingConfig
from litestar.openapi import OpenAPIConfig

import service.tables  # noqa: F401  (every table known before the first query)
from service.audit.controllers import AuditController
from service.audit.middleware import AuditMiddleware
from service.auth.controllers import AuthController
from service.auth.jwt import create_jwt_auth
from service.auth.reset_controllers import PasswordResetController
from service.challenges.controllers import ChallengeController
from service.db.engine import create_engine, create_session_factory
from service.deps import app_dependencies
from service.http.errors import exception_handlers, log_exception
from service.http.health import health, ready
from service.http.ids import ids_fit_the_database
from service.http.metrics import PROMETHEUS, metrics
from service.http.openapi import DocumentedRefusals, MoneySchema
from service.http.public_cache import PublicCache, PublicCacheMiddleware
from service.http.request_session import outermost_request_session
from service.http.telemetry import tracing_middleware
from service.idempotency.middleware import IdempotencyMiddleware
from service.notifications.controllers import (
    EmailPreferenceController,
    NotificationController,
    UnsubscribeController,
)
from service.openapi_docs import DOCS_PATH, asset_routes, render_plugins
from service.pilots.controllers import PilotController
from service.proposals.controllers import ProposalController
from service.questions.controllers import QuestionController
from service.reports.controllers import ReportController
from service.residents.controllers import InputModerationController, ResidentController
from service.review.controllers import (
    AssignmentController,
    ScreeningController,
    SelectionController,
)
from service.security import csrf_config, security_headers
from service.security.body_limit import BodyLimitMiddleware
from service.settings import Settings
from service.telemetry import temporal_interceptors
from service.temporal import connect_on_first_call
from service.web import WebInterface
from service.workflow_gateway import WorkflowGateway

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> Litestar:
    """Build the app; its engine and Temporal client are made in the lifespan, one each
    per process, on the event loop that serves the requests (the client connects when
    first used)."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        # The settings in the app's state: those it was built with, unless a test that
        # reuses a built app gave it its own database and Temporal server.
        current: Settings = app.state.settings
        engine = create_engine(current.resolved_database_url)
        app.state.session_factory = create_session_factory(engine, current.time_zone)
        # Connects on the first request that needs a workflow: sign-ins, reads and health
        # work (and the API starts) without a Temporal server.
        client = await connect_on_first_call(
            current.resolved_temporal_address,
            current.temporal_namespace,
            # With PROEFTUIN_OTEL_ENDPOINT: each workflow call a span of its request.
            interceptors=temporal_interceptors(current),
        )
        app.state.workflow_gateway = WorkflowGateway(client, current.task_queue)
        try:
            yield
        finally:
            await engine.dispose()

    jwt_auth = create_jwt_auth(
        settings.signing_secret(), timedelta(minutes=settings.token_ttl_minutes)
    )
    web = WebInterface(settings, api_errors=exception_handlers)  # the pages: service/web
    # Anonymous challenge reads: a second at most in production (http/public_cache.py).
    public_cache = PublicCache(ttl=settings.public_cache_ttl)
    return Litestar(
        route_handlers=[
            health,
            ready,
            metrics,
            AuthController,
            PasswordResetController,
            ChallengeController,
            ProposalController,
            QuestionController,
            NotificationController,
            ScreeningController,
            AssignmentController,
            SelectionController,
            PilotController,
            ReportController,
            EmailPreferenceController,
            UnsubscribeController,
            ResidentController,
            InputModerationController,
            AuditController,
            *web.route_handlers,
            *asset_routes(),  # the OpenAPI docs' scripts and styles
        ],
        # Inside the authentication middleware (which Litestar puts first): both see the
        # user. The audit log is outermost, so replays are logged too, and refusals of
        # bodies past the cap, which come before anything reads (or buffers) a body.
        middleware=[
            *tracing_middleware(settings),  # a span per request, if tracing is on
            PROMETHEUS.middleware,  # every request, with its route and status (/metrics)
            *web.middleware,  # the pages' session and signed-in user, before the audit log
            AuditMiddleware(),
            PublicCacheMiddleware(public_cache),  # inside: its answers get request ids
            BodyLimitMiddleware(settings.max_request_body_bytes),
            IdempotencyMiddleware(),
        ],
        dependencies=app_dependencies,
        exception_handlers={**exception_handlers, **web.exception_handlers},
        before_request=ids_fit_the_database,
        lifespan=[lifespan],
        on_app_init=[jwt_auth.on_app_init, outermost_request_session],
        # The OpenAPI document: each operation's refusals, amounts as numbers.
        plugins=[DocumentedRefusals(), MoneySchema()],
        state=State(
            {"settings": settings, "jwt_auth": jwt_auth, "public_cache": public_cache, **web.state}
        ),
        template_config=web.template_config,
        # Unexpected errors are logged with their traceback; the client gets a bare 500.
        logging_config=LoggingConfig(
            log_exceptions="always",
            exception_logging_handler=log_exception,  # the database out of reach: one line
            disable_stack_trace={400, 401, 403, 404, 405, 409, 413, 422, 429, 503},
            configure_root_logger=False,
        ),
        openapi_config=OpenAPIConfig(
            title="Proeftuin",
            version="0.1.0",
            description="Open innovation challenges for cities. Times are ISO 8601 with a "
            "time zone; lists are {items, next_cursor}; errors name each bad field.",
            path=DOCS_PATH,
            render_plugins=render_plugins(),  # offline: service/openapi_docs.py
        ),
        # Security (service/security): headers on every response, CSRF for the HTML
        # forms, and a cap on request bodies (413 past it: BodyLimitMiddleware for every
        # request, and Litestar again where a handler reads the body).
        before_send=[security_headers(settings, docs_path=DOCS_PATH)],
        csrf_config=csrf_config(settings),
        request_max_body_size=settings.max_request_body_bytes,
    )
