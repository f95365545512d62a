"""Optional OpenTelemetry tracing, on when ``PROEFTUIN_OTEL_ENDPOINT`` is set.

Each request gets a span (the ASGI middleware, service/http/telemetry.py); the Temporal
calls it makes, the workflow runs and activities they cause get theirs through Temporal's
``TracingInterceptor`` on the API's client and on the worker, all in one trace, sent in
batches over OTLP/HTTP to ``<endpoint>/v1/traces``.

The OpenTelemetry packages are the ``otel`` extra (``pip install 'proeftuin[otel]'``):
nothing here imports them unless the setting is set, so a service without it neither
needs them nor pays for them. Each process keeps one tracer provider per endpoint (the
API and the worker of ``proeftuin up`` share it); the global OpenTelemetry provider is
left alone.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Tracer

    from service.settings import Settings

SERVICE_NAME = "proeftuin"

_providers: dict[str, TracerProvider] = {}
_lock = threading.Lock()


def traces_url(endpoint: str) -> str:
    return f"{endpoint.rstrip('/')}/v1/traces"


def tracer_provider(endpoint: str) -> TracerProvider:
    """This process's provider for ``endpoint``: spans exported in batches (and the rest
    when the process exits)."""
    with _lock:
        provider = _providers.get(endpoint)
        if provider is None:
            try:
                from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
                    OTLPSpanExporter,
                )
                from opentelemetry.sdk import trace as sdk_trace
                from opentelemetry.sdk.resources import Resource
                from opentelemetry.sdk.trace.export import BatchSpanProcessor
            except ImportError as exc:
                raise RuntimeError(
                    f"PROEFTUIN_OTEL_ENDPOINT is set but the OpenTelemetry packages are "
                    f"missing ({exc.name}): pip install 'proeftuin[otel]', or unset it"
                ) from exc

            resource = Resource.create({"service.name": SERVICE_NAME})
            provider = sdk_trace.TracerProvider(resource=resource)
            exporter = OTLPSpanExporter(endpoint=traces_url(endpoint))
            provider.add_span_processor(BatchSpanProcessor(exporter))
            _providers[endpoint] = provider
        return provider


def tracer(settings: Settings) -> Tracer | None:
    """The tracer for these settings; None when tracing is off."""
    if not settings.otel_endpoint:
        return None
    return tracer_provider(settings.otel_endpoint).get_tracer(SERVICE_NAME)


def temporal_interceptors(settings: Settings) -> list[Any]:
    """Temporal's tracing interceptor (for a client and a worker alike), or none."""
    traced = tracer(settings)
    if traced is None:
        return []
    from temporalio.contrib.opentelemetry import TracingInterceptor

    return [TracingInterceptor(traced)]


def flush(timeout_millis: int = 10_000) -> bool:
    """Export every span ended so far (tests; a process exports the rest at exit)."""
    with _lock:
        providers = list(_providers.values())
    return all(provider.force_flush(timeout_millis) for provider in providers)
