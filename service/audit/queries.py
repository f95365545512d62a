"""Reading the audit log (the city's)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.audit import AuditEntryPublic
from schemas.common import Page
from service.audit.models import AuditEntry
from service.pagination import paginate


class AuditService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page(
        self,
        *,
        kind: str | None,
        resource_type: str | None,
        resource_id: str | None,
        actor_id: int | None,
        request_id: str | None,
        since: datetime | None,
        cursor: str | None,
        limit: int,
    ) -> Page[AuditEntryPublic]:
        statement = select(AuditEntry)
        for column, value in (
            (AuditEntry.kind, kind),
            (AuditEntry.resource_type, resource_type),
            (AuditEntry.resource_id, resource_id),
            (AuditEntry.actor_id, actor_id),
            (AuditEntry.request_id, request_id),
        ):
            if value is not None:
                statement = statement.where(column == value)
        if since is not None:
            statement = statement.where(AuditEntry.at >= since)
        rows, next_cursor = await paginate(self.session, statement, AuditEntry.id, cursor, limit)
        return Page(
            items=[AuditEntryPublic.model_validate(r) for r in rows], next_cursor=next_cursor
        )
