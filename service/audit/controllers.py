from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery, QueryParameter
from pydantic import TypeAdapter, ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.audit import AuditEntryPublic
from schemas.common import Moment, Page, plain_text
from service.audit.queries import AuditService
from service.auth.guards import requires_city
from service.errors import FieldError
from service.http.ids import QueryId
from service.pagination import DEFAULT_LIMIT, MAX_LIMIT

# A filter compared with a text column: no longer than any value the column holds, and
# plain text (PostgreSQL refuses NUL in text), checked by _plain.
FilterText = Annotated[str | None, QueryParameter(max_length=50)]

_MOMENT: TypeAdapter[datetime] = TypeAdapter(Moment)


def provide_audit_service(db_session: NamedDependency[AsyncSession]) -> AuditService:
    return AuditService(db_session)


def _plain(name: str, value: str | None) -> str | None:
    try:
        return None if value is None else plain_text(value)
    except ValueError as exc:
        raise FieldError(name, str(exc), source="query") from None


def _moment(name: str, value: datetime | None) -> datetime | None:
    """A time from the query string, held to the rules of a time in a body (``Moment``:
    with a time zone, its UTC form in the calendar); else a 422 naming it."""
    if value is None:
        return None
    try:
        return _MOMENT.validate_python(value)
    except ValidationError as exc:
        raise FieldError(name, exc.errors(include_url=False)[0]["msg"], source="query") from None


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
        resource_type: FilterText = None,
        resource_id: FilterText = None,
        actor_id: QueryId = None,
        request_id: FilterText = None,
        since: Annotated[
            datetime | None, QueryParameter(description="ISO 8601 with a time zone")
        ] = None,
        cursor: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    ) -> Page[AuditEntryPublic]:
        return await audit.page(
            kind=kind,
            resource_type=_plain("resource_type", resource_type),
            resource_id=_plain("resource_id", resource_id),
            actor_id=actor_id,
            request_id=_plain("request_id", request_id),
            since=_moment("since", since),
            cursor=cursor,
            limit=limit,
        )
