"""Starting the standing workflows (one mail drainer, one daily round per deployment)
when a worker starts; starting them again is a no-op, or, for the daily round, hands it
the current configuration."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy

from schemas.standing import DailyRoundConfig, DailyRoundInput, DrainOutboxInput, MailOutboxInput
from schemas.workflow_names import (
    CONFIGURE_DAILY_ROUND,
    DAILY_ROUND_WORKFLOW_ID,
    MAIL_OUTBOX_WORKFLOW_ID,
)
from service.settings import Settings
from workflows.daily_round import DailyRoundWorkflow
from workflows.mail_outbox import MailOutboxWorkflow


async def ensure_standing_workflows(client: Client, settings: Settings) -> None:
    await client.start_workflow(
        MailOutboxWorkflow.run,
        MailOutboxInput(drain=DrainOutboxInput(poll_seconds=settings.mail_poll_seconds)),
        id=MAIL_OUTBOX_WORKFLOW_ID,
        task_queue=settings.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    config = DailyRoundConfig(hour_utc=settings.daily_round_hour_utc)
    await client.start_workflow(
        DailyRoundWorkflow.run,
        DailyRoundInput(config=config),
        id=DAILY_ROUND_WORKFLOW_ID,
        task_queue=settings.task_queue,
        start_signal=CONFIGURE_DAILY_ROUND,
        start_signal_args=[config],
    )
