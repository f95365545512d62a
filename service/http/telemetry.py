"""A span for each request when tracing is on (``PROEFTUIN_OTEL_ENDPOINT``,
service/telemetry.py): Litestar's OpenTelemetry middleware, which is OpenTelemetry's
ASGI instrumentation, named after the route's template. The workflow calls a request
makes are its children (Temporal's tracing interceptor on the API's client).

Secrets stay out of the spans as they stay out of the logs: the query parameters that
carry tokens (an unsubscribe link's) are redacted in the span's attributes, and no
header is recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from service.security.logs import redact_url_secrets
from service.settings import Settings
from service.telemetry import tracer_provider

if TYPE_CHECKING:
    from litestar.middleware.base import DefineMiddleware


PROBES = [r"^/api/health$", r"^/api/ready$", r"^/metrics$"]


def tracing_middleware(settings: Settings) -> list[DefineMiddleware]:
    """The middleware to put outermost, or none when tracing is off."""
    if not settings.otel_endpoint:
        return []
    from litestar.plugins.opentelemetry import OpenTelemetryConfig

    config = OpenTelemetryConfig(
        tracer_provider=tracer_provider(settings.otel_endpoint),
        exclude_spans=["receive", "send"],  # one span a request, not one per message
        exclude=PROBES,  # the probes and scrapes every few seconds would drown the rest
        server_request_hook_handler=redact_secrets,
    )
    return [config.middleware]


def redact_secrets(span: Any, _scope: dict[str, Any]) -> None:
    """Redact tokens in the URL attributes the instrumentation has just set."""
    for name, value in dict(getattr(span, "attributes", None) or {}).items():
        if not isinstance(value, str):
            continue
        if name.endswith("query"):  # url.query has no leading "?"
            redacted = redact_url_secrets(f"?{value}")[1:]
        else:
            redacted = redact_url_secrets(value)
        if redacted != value:
            span.set_attribute(name, redacted)
