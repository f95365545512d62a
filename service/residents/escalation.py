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
from service.notifications import messages
from service.notifications.commands import notify
from service.notifications.messages import Message, OverdueChallenge, OverdueInput
from service.residents.models import ResidentInput


@dataclass
class _Overdue:
    challenge: Challenge
    inputs: list[ResidentInput] = field(default_factory=list)


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
    return messages.inputs_overdue(
        day=day,
        challenges=[
            OverdueChallenge(
                id=o.challenge.id,
                title=o.challenge.title,
                response_target_working_days=o.challenge.response_target_working_days,
                inputs=[
                    OverdueInput(id=i.id, respond_by=i.respond_by, body=i.body) for i in o.inputs
                ],
            )
            for o in overdues
        ],
        as_of=as_of,
        base_url=base_url,
    )
