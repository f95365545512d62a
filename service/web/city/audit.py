"""A challenge's audit trail: every phase it went through (who or what moved it, when,
why) and every change to its record, with the values before and after, newest first.

The timeline is the one ``GET /api/challenges/{id}`` gives; the changes are the audit
log's (``AuditService`` as ``GET /api/audit`` calls it, filtered to this challenge).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.audit import AuditEntryPublic
from service.audit.queries import AuditService
from service.auth.identity import CurrentUser
from service.challenges.services import ChallengeService
from service.errors import FieldError
from service.web.city.common import display_names
from service.web.rendering import page, see_other

LIST_SIZE = 50
NOT_SHOWN = {"id", "updated_at"}


@dataclass
class Change:
    at: datetime
    who: int | None
    actor_kind: str
    action: str
    fields: list[tuple[str, Any, Any]]
    """(field, before, after) for each field the change touched."""


def _change(entry: AuditEntryPublic) -> Change:
    before, after = entry.before or {}, entry.after or {}
    names = sorted((set(before) | set(after)) - NOT_SHOWN)
    fields = [
        (n, before.get(n), after.get(n))
        for n in names
        if entry.action != "update" or before.get(n) != after.get(n)
    ]
    return Change(entry.at, entry.actor_id, entry.actor_kind, entry.action, fields)


@get("/challenges/{challenge_id:int}/audit", name="city.audit")
async def audit_trail(
    request: Request[Any, Any, Any],
    challenge_id: FromPath[int],
    city_challenges: NamedDependency[ChallengeService],
    city_audit: NamedDependency[AuditService],
    db_session: NamedDependency[AsyncSession],
    user: NamedDependency[CurrentUser],
    cursor: FromQuery[str | None] = None,
) -> Any:
    challenge = await city_challenges.read(challenge_id, user)
    try:
        found = await city_audit.page(
            kind="change",
            resource_type="challenges",
            resource_id=str(challenge_id),
            actor_id=None,
            request_id=None,
            since=None,
            cursor=cursor or None,
            limit=LIST_SIZE,
        )
    except FieldError:  # a cursor we did not hand out
        return see_other(f"/city/challenges/{challenge_id}/audit")
    changes = [_change(e) for e in found.items]
    people = await display_names(
        db_session, [t.actor_id for t in challenge.timeline] + [c.who for c in changes]
    )
    return _page(request, challenge, changes, people, found.next_cursor)


def _page(
    request: Request[Any, Any, Any],
    challenge: Any,
    changes: list[Change],
    people: dict[int, str],
    next_cursor: str | None,
) -> Template:
    return page(
        request,
        "city/audit.html",
        challenge=challenge,
        timeline=list(reversed(challenge.timeline)),
        changes=changes,
        people=people,
        next_cursor=next_cursor,
    )


audit_handlers = [audit_trail]
