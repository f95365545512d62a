"""The business figures ``/metrics`` exports: counts read from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import ChallengePhase, PilotStatus
from schemas.residents import OPEN_INPUT_STATUSES
from service.challenges.models import Challenge
from service.notifications.models import MailOutbox, OutboxStatus
from service.pilots.models import Pilot
from service.residents.models import ResidentInput


@dataclass(frozen=True)
class Figures:
    challenges: dict[str, int]
    """Every phase, zero included, so each series exists from the start."""
    pilots: dict[str, int]
    inputs_awaiting_answer: int
    inputs_overdue: int
    mail_outbox_pending: int


async def read_figures(session: AsyncSession, as_of: datetime) -> Figures:
    challenges = {phase.value: 0 for phase in ChallengePhase}
    for phase, count in (
        await session.exec(select(Challenge.phase, func.count()).group_by(col(Challenge.phase)))
    ).all():
        challenges[phase] = count
    pilots = {status.value: 0 for status in PilotStatus}
    for status, count in (
        await session.exec(select(Pilot.status, func.count()).group_by(col(Pilot.status)))
    ).all():
        pilots[status] = count
    awaiting = select(func.count()).where(col(ResidentInput.status).in_(OPEN_INPUT_STATUSES))
    overdue = awaiting.where(col(ResidentInput.respond_by) < as_of)
    pending = select(func.count()).where(col(MailOutbox.status) == OutboxStatus.PENDING)
    return Figures(
        challenges=challenges,
        pilots=pilots,
        inputs_awaiting_answer=(await session.exec(awaiting)).one(),
        inputs_overdue=(await session.exec(overdue)).one(),
        mail_outbox_pending=(await session.exec(pending)).one(),
    )
