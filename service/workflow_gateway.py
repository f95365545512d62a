"""The API's one door into Temporal: starting workflows and handing them decisions."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from litestar.datastructures import State
from litestar.exceptions import ServiceUnavailableException
from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from schemas.workflows import (
    AcceptPilotInput,
    AddPilotInput,
    AwaitPhaseInput,
    CancelChallengeInput,
    ChallengeWorkflowInput,
    DeclinePilotInput,
    PilotDecisionInput,
    PilotRef,
    ReviewChangedInput,
    ShortlistInput,
    ShortlistResult,
)
from service.errors import Conflict
from workflows.challenge import ChallengeWorkflow, challenge_workflow_id
from workflows.pilot import PilotWorkflow, pilot_workflow_id

log = logging.getLogger(__name__)

UPDATE_TIMEOUT = timedelta(seconds=20)


class WorkflowUnavailable(ServiceUnavailableException):
    def __init__(self, detail: str, *, surely_not_started: bool = False) -> None:
        super().__init__(detail=detail, headers={"Retry-After": "5"})
        self.surely_not_started = surely_not_started
        """Temporal could not be reached at all, so nothing was started."""


class WorkflowGateway:
    def __init__(self, client: Client, task_queue: str) -> None:
        self._client = client
        self._task_queue = task_queue

    async def start_challenge(self, input: ChallengeWorkflowInput) -> None:
        """Start the challenge's workflow; starting it again is a no-op."""
        try:
            await self._client.start_workflow(
                ChallengeWorkflow.run,
                input,
                id=challenge_workflow_id(input.challenge_id),
                task_queue=self._task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            )
        except RPCError as exc:
            raise WorkflowUnavailable(
                f"could not start the challenge's workflow: {exc}",
                surely_not_started=exc.status == RPCStatusCode.UNAVAILABLE,
            ) from exc

    async def await_phase_change(
        self, challenge_id: int, not_phase: str, timeout: timedelta
    ) -> str | None:
        """The new phase once the workflow has left ``not_phase``; None if it takes longer."""
        handle = self._client.get_workflow_handle(challenge_workflow_id(challenge_id))
        try:
            async with asyncio.timeout(timeout.total_seconds()):
                result = await handle.execute_update(
                    ChallengeWorkflow.await_phase_change,
                    AwaitPhaseInput(not_phase=not_phase),
                    rpc_timeout=timeout,
                )
        except (
            TimeoutError,
            RPCError,
            WorkflowUpdateFailedError,
            WorkflowUpdateRPCTimeoutOrCancelledError,
        ) as exc:
            log.info("challenge %s not past %s yet: %s", challenge_id, not_phase, exc)
            return None
        return result.phase

    async def review_changed(
        self, challenge_id: int, info_deadline: datetime | None = None
    ) -> None:
        """Tell the workflow a review record changed. Fire and forget: the record is
        already committed, and the workflow re-checks the review daily anyway."""
        handle = self._client.get_workflow_handle(challenge_workflow_id(challenge_id))
        try:
            await handle.signal(
                ChallengeWorkflow.review_changed, ReviewChangedInput(info_deadline=info_deadline)
            )
        except RPCError as exc:
            log.warning("challenge %s: review change not signalled: %s", challenge_id, exc)

    async def approve_shortlist(
        self, challenge_id: int, request: ShortlistInput
    ) -> ShortlistResult:
        return await self._update(challenge_id, ChallengeWorkflow.approve_shortlist, request)

    async def cancel_challenge(self, challenge_id: int, request: CancelChallengeInput) -> str:
        return (await self._update(challenge_id, ChallengeWorkflow.cancel, request)).phase

    async def add_pilot(self, challenge_id: int, request: AddPilotInput) -> PilotRef:
        return await self._update(challenge_id, ChallengeWorkflow.add_pilot, request)

    async def accept_pilot(self, pilot_id: int, request: AcceptPilotInput) -> str:
        workflow_id = pilot_workflow_id(pilot_id)
        return (await self._update_workflow(workflow_id, PilotWorkflow.accept, request)).status

    async def decline_pilot(self, pilot_id: int, request: DeclinePilotInput) -> str:
        workflow_id = pilot_workflow_id(pilot_id)
        return (await self._update_workflow(workflow_id, PilotWorkflow.decline, request)).status

    async def decide_pilot(self, pilot_id: int, request: PilotDecisionInput) -> str:
        workflow_id = pilot_workflow_id(pilot_id)
        return (await self._update_workflow(workflow_id, PilotWorkflow.decide, request)).status

    async def _update(self, challenge_id: int, update: Any, request: Any) -> Any:
        return await self._update_workflow(challenge_workflow_id(challenge_id), update, request)

    async def _update_workflow(self, workflow_id: str, update: Any, request: Any) -> Any:
        """Hand a decision to a workflow and wait for its answer; a refusal is a 409."""
        handle = self._client.get_workflow_handle(workflow_id)
        try:
            async with asyncio.timeout(UPDATE_TIMEOUT.total_seconds()):
                return await handle.execute_update(update, request, rpc_timeout=UPDATE_TIMEOUT)
        except WorkflowUpdateFailedError as exc:
            cause = exc.cause
            if isinstance(cause, ApplicationError):
                raise Conflict(cause.message) from exc
            raise
        except (RPCError, TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError) as exc:
            raise WorkflowUnavailable(f"the workflow {workflow_id} did not answer: {exc}") from exc


def provide_workflow_gateway(state: State) -> WorkflowGateway:
    return state.workflow_gateway
