"""The mail outbox drainer: one for the deployment, for as long as it runs.

Each run of its activity polls the outbox for a few minutes, sending what it finds;
a mail server that cannot take mail fails the activity, and Temporal retries it with
backoff until the server is back. The workflow holds nothing but its loop count.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from schemas.standing import MailOutboxInput
    from schemas.workflow_names import MAIL_OUTBOX_WORKFLOW
    from workflows.activities.mail import MailActivities

# A mail server down is retried for ever, at most a minute apart once it has been down
# a while; the heartbeat lets a dead worker's attempt be taken over within 90 s.
MAIL_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    maximum_attempts=0,
)
MAIL_HEARTBEAT = timedelta(seconds=90)


@workflow.defn(name=MAIL_OUTBOX_WORKFLOW)
class MailOutboxWorkflow:
    @workflow.run
    async def run(self, input: MailOutboxInput) -> None:
        for _ in range(input.runs_before_continue):
            await workflow.execute_activity_method(
                MailActivities.drain_outbox,
                input.drain,
                start_to_close_timeout=timedelta(seconds=input.drain.run_for_seconds + 300),
                heartbeat_timeout=MAIL_HEARTBEAT,
                retry_policy=MAIL_RETRY,
            )
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(input)
