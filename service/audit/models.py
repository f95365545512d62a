from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from service.clock import utcnow


class AuditEntry(SQLModel, table=True):
    """One line of the audit log: a state-changing request, or a change to a record
    (by a request, a workflow's activity, or the command line). Append-only: the
    database refuses updates and deletes (see the migration's triggers)."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    kind: str = Field(max_length=10)
    """"request" or "change"."""
    actor_kind: str = Field(max_length=12)
    """"user", "anonymous", "workflow" or "system"."""
    actor_id: int | None = Field(default=None, index=True)
    actor_role: str | None = Field(default=None, max_length=20)
    workflow_id: str | None = Field(default=None, max_length=100)
    request_id: str | None = Field(default=None, max_length=40, index=True)
    client_ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=300)
    action: str = Field(max_length=200)
    """A request's "METHOD /route/{template}", or a change's "insert|update|delete"."""
    path: str | None = Field(default=None, max_length=500)
    status_code: int | None = None
    resource_type: str | None = Field(default=None, max_length=50, index=True)
    resource_id: str | None = Field(default=None, max_length=50, index=True)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
