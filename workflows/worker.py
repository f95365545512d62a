"""The worker: runs the workflows and their activities on one task queue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client
from temporalio.worker import Worker

import service.db.tables  # noqa: F401  (every table known before the first query)
from workflows.activities.phases import PhaseActivities
from workflows.challenge import ChallengeWorkflow

WORKFLOWS: Sequence[type] = (ChallengeWorkflow,)


def build_activities(session_factory: async_sessionmaker[AsyncSession]) -> list[Any]:
    phases = PhaseActivities(session_factory)
    return [phases.record_transition]


def create_worker(
    client: Client,
    task_queue: str,
    session_factory: async_sessionmaker[AsyncSession],
    **kwargs: Any,
) -> Worker:
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(WORKFLOWS),
        activities=build_activities(session_factory),
        **kwargs,
    )
