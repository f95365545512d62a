"""The challenge workflow: one per published challenge, from ``open`` to its end.

It decides when each phase begins and ends, and records every transition through an
activity; the records themselves (proposals, scores, input) never pass through it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from schemas.common import TERMINAL_CHALLENGE_PHASES, ActorKind, ChallengePhase
    from schemas.workflows import (
        AwaitPhaseInput,
        CancelChallengeInput,
        ChallengeWorkflowInput,
        ChallengeWorkflowResult,
        PhaseResult,
        RecordTransitionInput,
    )
    from workflows.activities.phases import PhaseActivities
    from workflows.options import DB_ACTIVITY


def challenge_workflow_id(challenge_id: int) -> str:
    return f"challenge-{challenge_id}"


class _Cancelled(Exception):
    """Unwinds the run to its cancellation branch; never leaves the workflow."""


@workflow.defn
class ChallengeWorkflow:
    def __init__(self) -> None:
        self._challenge_id = 0
        self._phase = ChallengePhase.DRAFT
        self._cancel: CancelChallengeInput | None = None

    @workflow.run
    async def run(self, input: ChallengeWorkflowInput) -> ChallengeWorkflowResult:
        self._challenge_id = input.challenge_id
        try:
            await self._enter(ChallengePhase.OPEN, ActorKind.USER, input.published_by, "published")
            await self._sleep_until(input.proposals_close_at)
            await self._enter(
                ChallengePhase.REVIEW, ActorKind.TIMER, None, "the call for proposals closed"
            )
            await self._wait(lambda: False)
        except _Cancelled:
            assert self._cancel is not None
            await self._enter(
                ChallengePhase.CANCELLED, ActorKind.USER, self._cancel.actor_id, self._cancel.reason
            )
        await workflow.wait_condition(workflow.all_handlers_finished)
        return ChallengeWorkflowResult(challenge_id=input.challenge_id, final_phase=self._phase)

    # -- decisions from people -------------------------------------------------------

    @workflow.update
    async def cancel(self, request: CancelChallengeInput) -> PhaseResult:
        self._cancel = request
        await workflow.wait_condition(lambda: self._phase == ChallengePhase.CANCELLED)
        return PhaseResult(phase=self._phase)

    @cancel.validator
    def _validate_cancel(self, request: CancelChallengeInput) -> None:
        if self._phase in TERMINAL_CHALLENGE_PHASES or self._cancel is not None:
            raise ApplicationError(
                f"the challenge is already {self._phase.value}", type="PhaseConflict"
            )

    @workflow.update
    async def await_phase_change(self, request: AwaitPhaseInput) -> PhaseResult:
        """Returns once the recorded phase differs from ``request.not_phase``."""
        await workflow.wait_condition(lambda: self._phase != request.not_phase)
        return PhaseResult(phase=self._phase)

    @workflow.query
    def phase(self) -> PhaseResult:
        return PhaseResult(phase=self._phase)

    # -- helpers -----------------------------------------------------------------------

    async def _enter(
        self, phase: ChallengePhase, actor_kind: ActorKind, actor_id: int | None, reason: str
    ) -> None:
        await workflow.execute_activity_method(
            PhaseActivities.record_transition,
            RecordTransitionInput(
                challenge_id=self._challenge_id,
                to_phase=phase,
                at=workflow.now(),
                actor_kind=actor_kind,
                actor_id=actor_id,
                reason=reason,
                key=f"challenge-{self._challenge_id}-{phase.value}",
            ),
            **DB_ACTIVITY,
        )
        self._phase = phase

    async def _wait(self, condition: Callable[[], bool], until: datetime | None = None) -> bool:
        """Wait for ``condition`` (or ``until``); True if the condition came first.

        Raises ``_Cancelled`` as soon as the city cancels, whatever is awaited.
        """
        timeout = None if until is None else (until - workflow.now()).total_seconds()
        if timeout is None or timeout > 0:
            try:
                await workflow.wait_condition(
                    lambda: self._cancel is not None or condition(), timeout=timeout
                )
            except TimeoutError:
                pass
        if self._cancel is not None:
            raise _Cancelled
        return bool(condition())

    async def _sleep_until(self, moment: datetime) -> None:
        await self._wait(lambda: False, until=moment)
