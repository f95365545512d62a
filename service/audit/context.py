"""Who is acting, for the audit log: set by the request middleware or by the worker's
activity interceptor, read when records change."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    kind: str  # "user", "anonymous", "workflow", "system"
    id: int | None = None
    role: str | None = None
    workflow_id: str | None = None
    request_id: str | None = None
    client_ip: str | None = None
    user_agent: str | None = None


SYSTEM = Actor(kind="system")

current_actor: ContextVar[Actor] = ContextVar("current_actor", default=SYSTEM)
