from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery, QueryParameter
from pydantic import AwareDatetime
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.audit import AuditEntryPublic
from schemas.common import Page
from service.audit.queries import AuditService
from service.auth.guards import requires_city
from service.pagination import DEFAULT_LIMIT, MAX_LIMIT


def provide_audit_service(db_session: NamedDependency[AsyncSession]) -> AuditService:
    return AuditService(db_session)


class AuditController(Controller):
    path = "/api/audit"
    tags = ["audit"]
    guards = [requires_city]
    dependencies = {"audit": Provide(provide_audit_service, sync_to_thread=False)}

    @get("/", summary="The audit log, newest first: requests and the changes they made")
    async def list_entries(
        self,
        audit: NamedDependency[AuditService],
        kind: FromQuery[Literal["request", "change"] | None] = None,
        resource_type: FromQuery[str | None] = None,
        resource_id: FromQuery[str | None] = None,
        actor_id: FromQuery[int | None] = None,
        request_id: FromQuery[str | None] = None,
        since: FromQuery[AwareDatetime | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    ) -> Page[AuditEntryPublic]:
        return await audit.page(
            kind=kind,
            resource_type=resource_type,
            resource_id=resource_id,
            actor_id=actor_id,
            request_id=request_id,
            since=since,
            cursor=cursor,
            limit=limit,
        )
