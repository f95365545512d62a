"""The pilot workflow: one child per selected proposal, from agreement to decision.

agreement --startup accepts--> (starts_at) running --ends_at--> evaluation
evaluation --city decides--> scale_up | stopped | extend: running (new ends_at)
agreement --startup declines--> stopped       any: challenge cancelled -> stopped
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from schemas.common import ActorKind, PilotDecisionKind, PilotStatus
    from schemas.pilots import ScaleUpPlan, extension_refusal
    from schemas.workflow_names import (
        ACCEPT_PILOT,
        DECIDE_PILOT,
        DECLINE_PILOT,
        PILOT_STATUS,
        PILOT_WORKFLOW,
        STOP_PILOT,
    )
    from schemas.workflows import (
        AcceptPilotInput,
        ApplyPilotDecisionInput,
        DeclinePilotInput,
        MilestoneCheckInput,
        PilotDecisionInput,
        PilotRefInput,
        PilotStatusResult,
        PilotWorkflowInput,
        PilotWorkflowResult,
        RecordAcceptanceInput,
        RecordTransitionInput,
        StopPilotInput,
    )
    from workflows.activities.phases import PhaseActivities
    from workflows.activities.pilots import PilotActivities
    from workflows.options import DB_ACTIVITY
    from workflows.waiting import Interrupted, wait_for

FINAL = frozenset({PilotStatus.SCALE_UP, PilotStatus.STOPPED})
# Histories from before this patch answered an acceptance at once (see ``accept``).
ACCEPT_ANSWERED_ONCE_RECORDED = "accept-answered-once-recorded"


@workflow.defn(name=PILOT_WORKFLOW)
class PilotWorkflow:
    def __init__(self) -> None:
        self._input: PilotWorkflowInput | None = None
        self._status = PilotStatus.AGREEMENT
        self._accepted: AcceptPilotInput | None = None
        self._acceptance_recorded = False
        self._declined: DeclinePilotInput | None = None
        self._decision: PilotDecisionInput | None = None
        self._stop: StopPilotInput | None = None
        self._decisions = 0
        self._round = 0

    @workflow.run
    async def run(self, input: PilotWorkflowInput) -> PilotWorkflowResult:
        self._input = input
        final = PilotDecisionKind.DECLINED
        try:
            await self._wait(lambda: self._accepted is not None or self._declined is not None)
            if self._declined is not None:
                await self._decide(
                    PilotDecisionKind.DECLINED, self._declined.reason, ActorKind.USER,
                    self._declined.actor_id, PilotStatus.STOPPED,
                )  # fmt: skip
            else:
                final = await self._run_accepted_pilot(input)
        except Interrupted:  # the challenge was cancelled
            assert self._stop is not None
            final = PilotDecisionKind.CANCELLED
            await self._decide(
                PilotDecisionKind.CANCELLED, self._stop.reason, ActorKind.USER, self._stop.actor_id,
                PilotStatus.STOPPED,
            )  # fmt: skip
        await workflow.wait_condition(workflow.all_handlers_finished)
        return PilotWorkflowResult(
            pilot_id=input.pilot_id, final_status=self._status, decision=final
        )

    async def _run_accepted_pilot(self, input: PilotWorkflowInput) -> PilotDecisionKind:
        assert self._accepted is not None
        await workflow.execute_activity_method(
            PilotActivities.record_acceptance,
            RecordAcceptanceInput(
                pilot_id=input.pilot_id, actor_id=self._accepted.actor_id, at=workflow.now()
            ),
            **DB_ACTIVITY,
        )
        self._acceptance_recorded = True
        agreement = await workflow.execute_activity_method(
            PilotActivities.load_agreement, PilotRefInput(pilot_id=input.pilot_id), **DB_ACTIVITY
        )
        await self._wait(lambda: False, until=agreement.starts_at)
        ends_at = agreement.ends_at
        await self._enter(PilotStatus.RUNNING, ActorKind.TIMER, None, "the pilot started")
        while True:  # an extension records its way back to running with the decision
            await self._run_until(ends_at, input)
            await self._enter(PilotStatus.EVALUATION, ActorKind.TIMER, None, "the pilot ended")
            await workflow.execute_activity_method(
                PilotActivities.open_evaluation, PilotRefInput(pilot_id=input.pilot_id),
                **DB_ACTIVITY,
            )  # fmt: skip
            await self._wait(lambda: self._decision is not None)
            decision = self._decision
            assert decision is not None
            if decision.decision == PilotDecisionKind.EXTEND:
                assert decision.new_end_at is not None
                self._round += 1
                await self._decide(
                    PilotDecisionKind.EXTEND, decision.reason, ActorKind.USER, decision.actor_id,
                    PilotStatus.RUNNING, new_end_at=decision.new_end_at,
                )  # fmt: skip
                ends_at = decision.new_end_at
                self._decision = None
                continue
            status = (
                PilotStatus.SCALE_UP
                if decision.decision == PilotDecisionKind.SCALE_UP
                else PilotStatus.STOPPED
            )
            await self._decide(
                decision.decision, decision.reason, ActorKind.USER, decision.actor_id, status,
                plan=decision.plan,
            )  # fmt: skip
            return decision.decision

    async def _run_until(self, ends_at: datetime, input: PilotWorkflowInput) -> None:
        """The running pilot: remind about overdue milestones until the end date."""
        while workflow.now() < ends_at:
            check = await workflow.execute_activity_method(
                PilotActivities.check_milestones,
                MilestoneCheckInput(
                    pilot_id=input.pilot_id,
                    now=workflow.now(),
                    reminder_days=input.milestone_reminder_days,
                ),
                **DB_ACTIVITY,
            )
            wake = ends_at if check.next_check is None else min(ends_at, check.next_check)
            # Never spin: a milestone due "now" is looked at again a moment later.
            wake = max(wake, workflow.now() + timedelta(seconds=1))
            await self._wait(lambda: False, until=min(wake, ends_at))

    # -- decisions from people -------------------------------------------------------

    @workflow.update(name=ACCEPT_PILOT)
    async def accept(self, request: AcceptPilotInput) -> PilotStatusResult:
        self._accepted = request
        if workflow.patched(ACCEPT_ANSWERED_ONCE_RECORDED):
            # Answer once the acceptance is recorded: until then the API, which reads the
            # database, would still let the city change the agreement just accepted.
            await workflow.wait_condition(
                lambda: self._acceptance_recorded or self._stop is not None
            )
        return PilotStatusResult(status=self._status)

    @accept.validator
    def _validate_accept(self, request: AcceptPilotInput) -> None:
        self._require_open_agreement()

    @workflow.update(name=DECLINE_PILOT)
    async def decline(self, request: DeclinePilotInput) -> PilotStatusResult:
        self._declined = request
        await workflow.wait_condition(lambda: self._status == PilotStatus.STOPPED)
        return PilotStatusResult(status=self._status)

    @decline.validator
    def _validate_decline(self, request: DeclinePilotInput) -> None:
        self._require_open_agreement()

    def _require_open_agreement(self) -> None:
        if self._accepted is not None or self._declined is not None or self._stop is not None:
            raise ApplicationError(
                f"the pilot is in phase '{self._status.value}': the agreement was already answered",
                type="PhaseConflict",
            )

    @workflow.update(name=DECIDE_PILOT)
    async def decide(self, request: PilotDecisionInput) -> PilotStatusResult:
        self._decision = request
        expected = self._decisions + 1
        await workflow.wait_condition(lambda: self._decisions >= expected)
        return PilotStatusResult(status=self._status)

    @decide.validator
    def _validate_decide(self, request: PilotDecisionInput) -> None:
        if self._status != PilotStatus.EVALUATION or self._decision is not None:
            raise ApplicationError(
                f"the pilot is in phase '{self._status.value}': the city decides once the "
                "pilot is in evaluation",
                type="PhaseConflict",
            )
        assert self._input is not None
        if request.decision == PilotDecisionKind.EXTEND:
            refusal = extension_refusal(self._round, self._input.max_extensions)
            if refusal is not None:
                raise ApplicationError(refusal, type="ExtensionLimit")

    @workflow.signal(name=STOP_PILOT)
    def stop(self, request: StopPilotInput) -> None:
        if self._stop is None and self._status not in FINAL:
            self._stop = request

    @workflow.query(name=PILOT_STATUS)
    def status(self) -> PilotStatusResult:
        return PilotStatusResult(status=self._status)

    # -- helpers -----------------------------------------------------------------------

    async def _enter(
        self, status: PilotStatus, actor_kind: ActorKind, actor_id: int | None, reason: str
    ) -> None:
        assert self._input is not None
        # Ours before it is recorded: a decision the API accepts because the database
        # shows the new status must pass the validator even in the workflow task that
        # brings the activity's completion (see ChallengeWorkflow._enter).
        self._status = status
        await workflow.execute_activity_method(
            PhaseActivities.record_transition,
            RecordTransitionInput(
                challenge_id=self._input.challenge_id,
                pilot_id=self._input.pilot_id,
                to_phase=status,
                at=workflow.now(),
                actor_kind=actor_kind,
                actor_id=actor_id,
                reason=reason,
                key=f"pilot-{self._input.pilot_id}-{status.value}-{self._round}",
            ),
            **DB_ACTIVITY,
        )

    async def _decide(
        self,
        decision: PilotDecisionKind,
        reason: str,
        actor_kind: ActorKind,
        actor_id: int | None,
        status: PilotStatus,
        *,
        new_end_at: datetime | None = None,
        plan: ScaleUpPlan | None = None,
    ) -> None:
        assert self._input is not None
        sequence = self._decisions + 1
        await workflow.execute_activity_method(
            PilotActivities.apply_pilot_decision,
            ApplyPilotDecisionInput(
                pilot_id=self._input.pilot_id,
                sequence=sequence,
                decision=decision,
                reason=reason,
                actor_kind=actor_kind,
                actor_id=actor_id,
                at=workflow.now(),
                to_status=status,
                transition_key=f"pilot-{self._input.pilot_id}-decision-{sequence}",
                new_end_at=new_end_at,
                plan=plan,
            ),
            **DB_ACTIVITY,
        )
        self._status = status
        self._decisions = sequence

    async def _wait(self, condition: Callable[[], bool], until: datetime | None = None) -> bool:
        return await wait_for(condition, interrupt=lambda: self._stop is not None, until=until)
