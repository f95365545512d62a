"""Every change to a record, with its values before and after, written as audit log
entries in the same transaction as the change itself (a SQLAlchemy flush hook)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from service.audit.context import current_actor
from service.audit.models import AuditEntry

# Records too numerous or too private to mirror; the requests that cause them are logged.
UNTRACKED = {
    "audit_log",
    "notifications",
    "mail_outbox",
    "rate_limit_windows",
    "idempotency_keys",
    "proposal_drafts",  # a startup's unsubmitted text: its own until it submits
}
REDACTED = {"password_hash"}
_PENDING = "audit_pending"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return str(value)


def _values(obj: SQLModel, names: list[str]) -> dict[str, Any]:
    return {n: "***" if n in REDACTED else _plain(getattr(obj, n)) for n in names}


def _entry(action: str, obj: SQLModel, before: dict | None, after: dict | None) -> AuditEntry:
    actor = current_actor.get()
    identity = inspect(obj).identity
    return AuditEntry(
        kind="change",
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_role=actor.role,
        workflow_id=actor.workflow_id,
        request_id=actor.request_id,
        client_ip=actor.client_ip,
        user_agent=actor.user_agent,
        action=action,
        resource_type=str(obj.__tablename__),
        resource_id=",".join(map(str, identity)) if identity else None,
        before=before,
        after=after,
    )


def _tracked(obj: object) -> bool:
    return isinstance(obj, SQLModel) and getattr(obj, "__tablename__", None) not in UNTRACKED


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: Any) -> None:
    """Ids are assigned and attribute histories still hold the old values here."""
    pending: list[AuditEntry] = session.info.setdefault(_PENDING, [])
    for obj in session.new:
        if _tracked(obj):
            columns = [c.key for c in inspect(obj).mapper.column_attrs]
            pending.append(_entry("insert", obj, None, _values(obj, columns)))
    for obj in session.dirty:
        if not _tracked(obj) or not session.is_modified(obj, include_collections=False):
            continue
        before, after = {}, {}
        state = inspect(obj)
        for attribute in state.mapper.column_attrs:
            history = state.attrs[attribute.key].history
            if history.has_changes():
                key = attribute.key
                old = history.deleted[0] if history.deleted else None
                redact = key in REDACTED
                before[key] = "***" if redact else _plain(old)
                after[key] = "***" if redact else _plain(getattr(obj, key))
        if after:
            pending.append(_entry("update", obj, before, after))
    for obj in session.deleted:
        if _tracked(obj):
            columns = [c.key for c in inspect(obj).mapper.column_attrs]
            pending.append(_entry("delete", obj, _values(obj, columns), None))


@event.listens_for(Session, "after_flush_postexec")
def _write(session: Session, _context: Any) -> None:
    """Added now, the entries are flushed by the same commit (it flushes until clean)."""
    pending = session.info.pop(_PENDING, [])
    if pending:
        session.add_all(pending)
