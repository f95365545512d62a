"""``/metrics`` in Prometheus' format, with Litestar's Prometheus plugin (built on
``prometheus-client``): requests and their latency per route template, method and status
(``proeftuin_requests_total``, ``proeftuin_request_duration_seconds``, ...), the database
pool, and the business figures, read from the database at each scrape.

Not public in production mode: there it answers only a request that carries
``Authorization: Bearer <PROEFTUIN_METRICS_TOKEN>`` (404 to anyone else, and to everyone
when no token is set). In the embedded default it is open, like the rest of localhost.
"""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Request, Response, get
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.plugins.prometheus import PrometheusConfig
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Gauge, generate_latest

from service.clock import utcnow
from service.operations.figures import read_figures
from service.settings import Settings

PROMETHEUS = PrometheusConfig(
    app_name="proeftuin",
    prefix="proeftuin",
    group_path=True,  # the route's template, not each id: a bounded number of series
    exclude_unhandled_paths=True,  # a scan of made-up addresses makes no series either
    exclude=["^/metrics$"],
)

CHALLENGES = Gauge("proeftuin_challenges", "Challenges per phase", ["phase"])
PILOTS = Gauge("proeftuin_pilots", "Pilots per status", ["status"])
INPUTS_AWAITING = Gauge(
    "proeftuin_inputs_awaiting_answer", "Resident input the city has not answered yet"
)
INPUTS_OVERDUE = Gauge(
    "proeftuin_inputs_overdue", "Resident input unanswered past its response target"
)
OUTBOX_PENDING = Gauge("proeftuin_mail_outbox_pending", "Mails waiting to be sent")
POOL_IN_USE = Gauge("proeftuin_db_pool_in_use", "Database connections checked out")
POOL_IDLE = Gauge("proeftuin_db_pool_idle", "Database connections idle in the pool")
POOL_OVERFLOW = Gauge(
    "proeftuin_db_pool_overflow",
    "Connections beyond the pool's size; at its limit further requests wait",
)


def _allowed(request: Request[Any, Any, Any], settings: Settings) -> bool:
    token = settings.metrics_token
    if token is None:
        return settings.mode != "production"
    given = request.headers.get("authorization", "")
    expected = f"Bearer {token.get_secret_value()}"
    return hmac.compare_digest(given.encode(), expected.encode())


@get("/metrics", include_in_schema=False)
async def metrics(request: Request[Any, Any, Any], state: State) -> Response[bytes]:
    if not _allowed(request, state.settings):
        raise NotFoundException()
    async with state.session_factory() as session:
        figures = await read_figures(session, utcnow())
        pool = (await session.connection()).engine.pool
    for phase, count in figures.challenges.items():
        CHALLENGES.labels(phase=phase).set(count)
    for status, count in figures.pilots.items():
        PILOTS.labels(status=status).set(count)
    INPUTS_AWAITING.set(figures.inputs_awaiting_answer)
    INPUTS_OVERDUE.set(figures.inputs_overdue)
    OUTBOX_PENDING.set(figures.mail_outbox_pending)
    for gauge, reading in (
        (POOL_IN_USE, "checkedout"),
        (POOL_IDLE, "checkedin"),
        (POOL_OVERFLOW, "overflow"),
    ):
        if hasattr(pool, reading):  # a queue pool (PostgreSQL); SQLite's has none
            gauge.set(getattr(pool, reading)())
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
