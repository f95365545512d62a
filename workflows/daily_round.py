"""The daily round: once a day, at a set hour (UTC), input past its response target is
escalated to the city in one digest per person, the day's e-mail digests are bundled
for the people who chose them, and expired counters and idempotency keys are pruned.

One for the deployment; it continues as new every few weeks and keeps nothing in its
state but its configuration. Which input is overdue is the database's to say.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.standing import (
        BundleDigestsInput,
        DailyRoundConfig,
        DailyRoundInput,
        EscalateOverdueInput,
        PruneInput,
    )
    from schemas.workflow_names import CONFIGURE_DAILY_ROUND, DAILY_ROUND_WORKFLOW
    from workflows.activities.housekeeping import HousekeepingActivities
    from workflows.activities.mail import MailActivities
    from workflows.activities.residents import ResponseTargetActivities
    from workflows.options import DB_ACTIVITY


def next_round(after: datetime, hour_utc: int) -> datetime:
    """The first moment at ``hour_utc``:00 UTC strictly after ``after``."""
    candidate = after.replace(hour=hour_utc, minute=0, second=0, microsecond=0)
    return candidate if candidate > after else candidate + timedelta(days=1)


@workflow.defn(name=DAILY_ROUND_WORKFLOW)
class DailyRoundWorkflow:
    @workflow.init
    def __init__(self, input: DailyRoundInput) -> None:
        self._config = input.config

    @workflow.run
    async def run(self, input: DailyRoundInput) -> None:
        for _ in range(input.runs_before_continue):
            at = await self._sleep_until_round()
            day = at.date().isoformat()
            await workflow.execute_activity_method(
                ResponseTargetActivities.escalate_overdue_inputs,
                EscalateOverdueInput(as_of=workflow.now(), day=day),
                **DB_ACTIVITY,
            )
            await workflow.execute_activity_method(
                MailActivities.bundle_daily_digests, BundleDigestsInput(day=day), **DB_ACTIVITY
            )
            # Added after daily rounds were already running: they replay without it.
            if workflow.patched("prune-expired-records"):
                await workflow.execute_activity_method(
                    HousekeepingActivities.prune_expired_records,
                    PruneInput(as_of=workflow.now()),
                    **DB_ACTIVITY,
                )
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(
            DailyRoundInput(config=self._config, runs_before_continue=input.runs_before_continue)
        )

    async def _sleep_until_round(self) -> datetime:
        """Sleep until the next round; a new configuration moves the alarm."""
        while True:
            config = self._config
            at = next_round(workflow.now(), config.hour_utc)
            try:
                await workflow.wait_condition(
                    lambda config=config: self._config is not config,  # type: ignore[misc]
                    timeout=(at - workflow.now()).total_seconds(),
                )
            except TimeoutError:
                return at

    @workflow.signal(name=CONFIGURE_DAILY_ROUND)
    def configure(self, config: DailyRoundConfig) -> None:
        self._config = config
