"""What every page of the city console shares: times typed in the city's zone, a write
the phase refuses worded for a person, checkboxes read from a form, and the names of
the people a page mentions.

Nothing here decides a rule: the domain services the JSON API calls do, and a page
shows their refusals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import ChallengePhase, PilotStatus, Role
from service.auth.models import User
from service.errors import PhaseConflict
from service.web.i18n import Gettext
from service.web.labels import PHASE_NAMES, PILOT_STATUS_NAMES

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"
_PHASE_IN_DETAIL = re.compile(r"^.*? is in phase '[^']*': ")


def time_zone(request: Request[Any, Any, Any]) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.time_zone)


def local_input(value: datetime | None, zone: ZoneInfo) -> str:
    """A stored time as a ``datetime-local`` field shows it: the city's wall clock."""
    return value.astimezone(zone).strftime(LOCAL_MINUTE) if value else ""


def from_local(text: str, zone: ZoneInfo) -> str:
    """What a ``datetime-local`` field sent ("2027-03-01T12:00"), as the API's ISO 8601
    time with the city's offset; anything else as typed, for the API's model to refuse
    (or accept, when it already names its zone)."""
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.isoformat()


def phase_refusal(exc: PhaseConflict, gettext: Gettext, instead: str | None = None) -> str:
    """A ``PhaseConflict`` as a person reads it: which phase, why, what to do instead."""
    phase = (exc.extra or {}).get("phase", "") if isinstance(exc.extra, dict) else ""
    names: dict[str, str] = {
        **{p.value: n for p, n in PHASE_NAMES.items()},
        **{p.value: n for p, n in PILOT_STATUS_NAMES.items()},
    }
    shown = gettext(names[phase]) if phase in names else phase
    why = _PHASE_IN_DETAIL.sub("", str(exc.detail))
    message = gettext("Not possible in the phase “%(phase)s”: %(why)s.") % {
        "phase": shown,
        "why": gettext(why),
    }
    return f"{message} {gettext(instead)}" if instead else message


def checked(values: Iterable[tuple[str, Any]], name: str) -> list[str]:
    """Every value sent for the checkboxes ``name`` (a form's ``multi_items()``)."""
    return [v for k, v in values if k == name and isinstance(v, str)]


async def display_names(session: AsyncSession, ids: Iterable[int | None]) -> dict[int, str]:
    """User id -> display name, in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.exec(select(User.id, User.display_name).where(col(User.id).in_(wanted)))
    return {i: name for i, name in rows.all() if i is not None}


async def evaluator_accounts(session: AsyncSession) -> list[tuple[int, str, str]]:
    """The active evaluator accounts the city may assign: (id, name, e-mail), by name."""
    rows = await session.exec(
        select(User.id, User.display_name, User.email)
        .where(User.role == Role.EVALUATOR, col(User.is_active).is_(True))
        .order_by(col(User.display_name), col(User.id))
    )
    return [(i, name, email) for i, name, email in rows.all() if i is not None]


DRAFT = ChallengePhase.DRAFT
PILOT_WAITS_FOR_CITY = {PilotStatus.AGREEMENT, PilotStatus.EVALUATION}
