"""Is the process alive, and can it serve: ``/api/health`` and ``/api/ready``.

``/api/health`` is the liveness check (the container's health check, Kubernetes'
liveness probe): it answers 200 as long as the process serves HTTP at all and touches
nothing else, so a database outage never restarts the API's processes. ``/api/ready`` is
the readiness check (Kubernetes' readiness probe, the load balancer): the database
answers, its schema is the one this code expects, and Temporal answers. Both are
anonymous; their answers name what is wrong and nothing more (no address, no error
text), and each check is bounded in time (a probe that hangs is no answer). Nothing is
reused between calls: a readiness answer is never older than the request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from litestar import MediaType, Response, get
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from pydantic import BaseModel
from sqlalchemy import text

from schemas.errors import ErrorBody
from service.db.migrate import migrations_current

log = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 3.0
RETRY_AFTER = "5"


class Alive(BaseModel):
    status: str = "ok"


class Ready(BaseModel):
    status: str
    checks: dict[str, str]


@get(
    "/api/health",
    tags=["operations"],
    summary="Alive: 200 while the process serves (touches no database)",
)
async def health() -> Alive:
    return Alive()


@get(
    "/api/ready",
    tags=["operations"],
    summary="Ready: the database reachable and migrated, Temporal reachable",
    description="200 with each check `ok`; otherwise 503 with `Retry-After`, the detail "
    "naming what is wrong and `extra` each check's result: `database` `ok`|`unreachable`, "
    "`migrations` `ok`|`behind`|`unknown`, `temporal` `ok`|`unreachable`.",
    responses={
        503: ResponseSpec(
            data_container=ErrorBody,
            description="Not ready: what is wrong (Retry-After)",
            generate_examples=False,
            examples=[
                Example(
                    value={
                        "status_code": 503,
                        "detail": "not ready: temporal unreachable",
                        "extra": {"database": "ok", "migrations": "ok", "temporal": "unreachable"},
                    }
                )
            ],
        )
    },
)
async def ready(state: State) -> Response[Any]:
    checks = await _checks(state)
    wrong = [f"{name} {result}" for name, result in checks.items() if result != "ok"]
    if not wrong:
        return Response(Ready(status="ready", checks=checks), media_type=MediaType.JSON)
    return Response(
        {"status_code": 503, "detail": "not ready: " + ", ".join(wrong), "extra": checks},
        status_code=503,
        headers={"Retry-After": RETRY_AFTER},
        media_type=MediaType.JSON,
    )


async def _checks(state: State) -> dict[str, str]:
    database, temporal = await asyncio.gather(_database(state), _temporal(state))
    return {**database, "temporal": temporal}


async def _bounded(check: Awaitable[Any]) -> Any:
    return await asyncio.wait_for(check, CHECK_TIMEOUT_SECONDS)


async def _database(state: State) -> dict[str, str]:
    try:
        async with state.session_factory() as session:
            connection = await session.connection()
            await _bounded(connection.execute(text("SELECT 1")))
            try:
                current = await _bounded(migrations_current(connection))
            except Exception as exc:  # noqa: BLE001 - reachable, but the version unread
                log.warning("readiness: the migrations could not be read: %s", exc)
                return {"database": "ok", "migrations": "unknown"}
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        log.warning("readiness: database unavailable: %s", exc)
        return {"database": "unreachable", "migrations": "unknown"}
    return {"database": "ok", "migrations": "ok" if current else "behind"}


async def _temporal(state: State) -> str:
    gateway = state.get("workflow_gateway")
    if gateway is None:
        return "unreachable"
    reachable = await gateway.reachable()
    return "ok" if reachable else "unreachable"
