"""Escalating input past its response target: one digest a day to each person who
answers for a challenge (its creator and its publisher), listing what waits."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.residents import OPEN_INPUT_STATUSES
from service.challenges.models import Challenge
from service.challenges.rules import city_contacts
from service.notifications.services import Message, notify
from service.residents.announcements import excerpt
from service.residents.models import ResidentInput

LISTED_PER_CHALLENGE = 10


@dataclass
class _Overdue:
    challenge: Challenge
    inputs: list[ResidentInput] = field(default_factory=list)


def overdue_key(day: str) -> str:
    return f"inputs-overdue-{day}"


async def escalate_overdue(
    session: AsyncSession, as_of: datetime, day: str, base_url: str
) -> tuple[int, int]:
    """Adds today's digests in the caller's transaction; returns (overdue inputs,
    digests). Keyed by day, so a second run the same day adds nothing."""
    rows = (
        await session.exec(
            select(ResidentInput, Challenge)
            .join(Challenge, col(Challenge.id) == ResidentInput.challenge_id)
            .where(
                col(ResidentInput.status).in_(OPEN_INPUT_STATUSES),
                col(ResidentInput.respond_by) < as_of,
            )
            .order_by(col(ResidentInput.challenge_id), col(ResidentInput.respond_by))
        )
    ).all()
    by_challenge: dict[int, _Overdue] = {}
    for resident_input, challenge in rows:
        assert challenge.id is not None
        by_challenge.setdefault(challenge.id, _Overdue(challenge)).inputs.append(resident_input)
    per_person: dict[int, list[_Overdue]] = defaultdict(list)
    for overdue in by_challenge.values():
        for person in sorted(city_contacts(overdue.challenge)):
            per_person[person].append(overdue)
    digests = 0
    for person, overdues in sorted(per_person.items()):
        digests += await notify(session, [person], _digest(overdues, day, as_of, base_url))
    return len(rows), digests


def _digest(overdues: list[_Overdue], day: str, as_of: datetime, base_url: str) -> Message:
    total = sum(len(o.inputs) for o in overdues)
    lines = [
        f"{total} input{'' if total == 1 else 's'} from residents "
        f"{'is' if total == 1 else 'are'} waiting for the city's answer past the response "
        f"target, as of {as_of:%Y-%m-%d %H:%M} UTC.",
    ]
    for overdue in overdues:
        challenge = overdue.challenge
        count = len(overdue.inputs)
        lines.append("")
        lines.append(
            f"“{challenge.title}”: {count} overdue (target "
            f"{challenge.response_target_working_days} working days)"
        )
        for resident_input in overdue.inputs[:LISTED_PER_CHALLENGE]:
            lines.append(
                f"  - #{resident_input.id}, due {resident_input.respond_by:%Y-%m-%d}: "
                f"“{excerpt(resident_input.body, 160)}”"
            )
        if count > LISTED_PER_CHALLENGE:
            lines.append(f"  … and {count - LISTED_PER_CHALLENGE} more")
        lines.append(f"  Answer them: {base_url}/api/challenges/{challenge.id}/inputs?overdue=true")
    single = overdues[0].challenge.id if len(overdues) == 1 else None
    return Message(
        kind="inputs_overdue",
        key=overdue_key(day),
        title=f"{total} resident input{'' if total == 1 else 's'} past the response target",
        body="\n".join(lines),
        challenge_id=single,
        link=f"/api/challenges/{single}/inputs?overdue=true" if single else None,
    )
