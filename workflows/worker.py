"""The worker: runs the workflows and their activities on one task queue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client
from temporalio.worker import Worker

import service.db.tables  # noqa: F401  (every table known before the first query)
from service.settings import Settings, get_settings
from workflows.activities.mail import MailActivities
from workflows.activities.phases import PhaseActivities
from workflows.activities.residents import ResponseTargetActivities
from workflows.challenge import ChallengeWorkflow
from workflows.daily_round import DailyRoundWorkflow
from workflows.mail_outbox import MailOutboxWorkflow

WORKFLOWS: Sequence[type] = (ChallengeWorkflow, MailOutboxWorkflow, DailyRoundWorkflow)


def build_activities(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings | None = None
) -> list[Any]:
    settings = settings or get_settings()
    phases = PhaseActivities(session_factory)
    mail = MailActivities(session_factory, settings)
    response_target = ResponseTargetActivities(session_factory, settings)
    return [
        phases.record_transition,
        mail.drain_outbox,
        mail.bundle_daily_digests,
        response_target.escalate_overdue_inputs,
    ]


def create_worker(
    client: Client,
    task_queue: str,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings | None = None,
    **kwargs: Any,
) -> Worker:
    """``settings`` give the mail activities their SMTP server, links and secret."""
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(WORKFLOWS),
        activities=build_activities(session_factory, settings),
        **kwargs,
    )
