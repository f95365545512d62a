"""The audit log, as the city reads it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from schemas.common import PublicSchema


class AuditEntryPublic(PublicSchema):
    id: int
    at: datetime
    kind: str
    actor_kind: str
    actor_id: int | None
    actor_role: str | None
    workflow_id: str | None
    request_id: str | None
    client_ip: str | None
    user_agent: str | None
    action: str
    path: str | None
    status_code: int | None
    resource_type: str | None
    resource_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
