"""The worker: runs the workflows and their activities on one task queue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client
from temporalio.worker import Worker

import service.tables  # noqa: F401  (every table known before the first query)
from service.db.engine import with_time_zone
from service.request_trace import RequestIdWorkerInterceptor
from service.settings import Settings, get_settings
from service.telemetry import temporal_interceptors
from workflows.activities.errors import RefusalsInterceptor
from workflows.activities.housekeeping import HousekeepingActivities
from workflows.activities.mail import MailActivities
from workflows.activities.phases import PhaseActivities
from workflows.activities.pilots import PilotActivities
from workflows.activities.residents import ResponseTargetActivities
from workflows.activities.review import ReviewActivities
from workflows.audit import AuditInterceptor
from workflows.challenge import ChallengeWorkflow
from workflows.daily_round import DailyRoundWorkflow
from workflows.mail_outbox import MailOutboxWorkflow
from workflows.pilot import PilotWorkflow

WORKFLOWS: Sequence[type] = (
    ChallengeWorkflow,
    PilotWorkflow,
    MailOutboxWorkflow,
    DailyRoundWorkflow,
)


def build_activities(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings | None = None
) -> list[Any]:
    """Every activity, bound to the session factory (and settings) of this process."""
    settings = settings or get_settings()
    session_factory = with_time_zone(session_factory, settings.time_zone)
    holders = [
        PhaseActivities(session_factory),
        ReviewActivities(session_factory),
        PilotActivities(session_factory),
        MailActivities(session_factory, settings),
        ResponseTargetActivities(session_factory, settings),
        HousekeepingActivities(session_factory),
    ]
    return [
        getattr(holder, name)
        for holder in holders
        for name in dir(type(holder))
        if activity_defined(getattr(type(holder), name))
    ]


def activity_defined(attribute: Any) -> bool:
    return callable(attribute) and hasattr(attribute, "__temporal_activity_definition")


def create_worker(
    client: Client,
    task_queue: str,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings | None = None,
    **kwargs: Any,
) -> Worker:
    """``settings`` give the mail activities their SMTP server, links and secret. Whatever
    ``interceptors`` are given, the request id of the API's calls reaches the workflows
    and activities (service/request_trace.py, outermost, so the audit interceptor finds
    it), the workflows and activities are traced when ``PROEFTUIN_OTEL_ENDPOINT`` is set
    (service/telemetry.py), and the domain's refusals become non-retryable errors."""
    settings = settings or get_settings()
    interceptors = kwargs.pop("interceptors", [AuditInterceptor()])
    kwargs["interceptors"] = [
        RequestIdWorkerInterceptor(),
        *temporal_interceptors(settings),
        *interceptors,
        RefusalsInterceptor(),
    ]
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(WORKFLOWS),
        activities=build_activities(session_factory, settings),
        **kwargs,
    )
