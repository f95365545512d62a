"""The API's one door into Temporal: starting workflows and handing them decisions.

Workflows are addressed by name (``schemas.workflow_names``) with the typed inputs and
results of ``schemas.workflows``: the API never imports the workflow code, nor, through
it, the activities; nor does it know HTTP. A workflow's refusal (an ``ApplicationError``)
becomes a ``Conflict`` (409); a workflow that cannot be reached, ``WorkflowUnavailable``
(503 with Retry-After). ``service.deps`` hands it to the controllers.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import TypeVar

from pydantic import BaseModel
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from schemas.common import ChallengePhase, PilotStatus
from schemas.workflow_names import (
    ACCEPT_PILOT,
    ADD_PILOT,
    APPROVE_SHORTLIST,
    AWAIT_PHASE_CHANGE,
    CANCEL_CHALLENGE,
    CHALLENGE_WORKFLOW,
    DECIDE_PILOT,
    DECLINE_PILOT,
    REVIEW_CHANGED,
    challenge_workflow_id,
    pilot_workflow_id,
)
from schemas.workflows import (
    AcceptPilotInput,
    AddPilotInput,
    AwaitPhaseInput,
    CancelChallengeInput,
    ChallengeWorkflowInput,
    ChallengeWorkflowResult,
    DeclinePilotInput,
    PhaseResult,
    PilotDecisionInput,
    PilotRef,
    PilotStatusResult,
    ReviewChangedInput,
    ShortlistInput,
    ShortlistResult,
)
from service.errors import Conflict, Unavailable

log = logging.getLogger(__name__)

UPDATE_TIMEOUT = timedelta(seconds=20)

ResultT = TypeVar("ResultT", bound=BaseModel)


class WorkflowUnavailable(Unavailable):
    """Temporal, or the workflow, did not answer: a 503 with Retry-After."""

    def __init__(self, detail: str, *, surely_not_started: bool = False) -> None:
        super().__init__(detail, retry_after=5)
        self.surely_not_started = surely_not_started
        """Temporal could not be reached at all, so nothing was started."""


class WorkflowGateway:
    def __init__(self, client: Client, task_queue: str) -> None:
        self._client = client
        self._task_queue = task_queue

    async def reachable(self, timeout: timedelta = timedelta(seconds=3)) -> bool:
        """Whether the Temporal server answers (``/api/ready``)."""
        try:
            await self._client.workflow_service.get_system_info(
                GetSystemInfoRequest(), timeout=timeout
            )
            return True
        except Exception:  # noqa: BLE001 - unreachable, refused, timed out: not ready
            return False

    async def start_challenge(self, input: ChallengeWorkflowInput) -> None:
        """Start the challenge's workflow; starting it again is a no-op."""
        try:
            await self._client.start_workflow(
                CHALLENGE_WORKFLOW,
                input,
                id=challenge_workflow_id(input.challenge_id),
                task_queue=self._task_queue,
                result_type=ChallengeWorkflowResult,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            )
        except RPCError as exc:
            raise WorkflowUnavailable(
                f"could not start the challenge's workflow: {exc}",
                surely_not_started=exc.status == RPCStatusCode.UNAVAILABLE,
            ) from exc

    async def await_phase_change(
        self, challenge_id: int, not_phase: ChallengePhase, timeout: timedelta
    ) -> ChallengePhase | None:
        """The new phase once the workflow has left ``not_phase``; None if it takes longer."""
        handle = self._client.get_workflow_handle(challenge_workflow_id(challenge_id))
        try:
            async with asyncio.timeout(timeout.total_seconds()):
                result: PhaseResult = await handle.execute_update(
                    AWAIT_PHASE_CHANGE,
                    AwaitPhaseInput(not_phase=not_phase),
                    result_type=PhaseResult,
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
            await handle.signal(REVIEW_CHANGED, ReviewChangedInput(info_deadline=info_deadline))
        except RPCError as exc:
            log.warning("challenge %s: review change not signalled: %s", challenge_id, exc)

    async def approve_shortlist(
        self, challenge_id: int, request: ShortlistInput
    ) -> ShortlistResult:
        workflow_id = challenge_workflow_id(challenge_id)
        return await self._update(workflow_id, APPROVE_SHORTLIST, request, ShortlistResult)

    async def cancel_challenge(
        self, challenge_id: int, request: CancelChallengeInput
    ) -> ChallengePhase:
        workflow_id = challenge_workflow_id(challenge_id)
        return (await self._update(workflow_id, CANCEL_CHALLENGE, request, PhaseResult)).phase

    async def add_pilot(self, challenge_id: int, request: AddPilotInput) -> PilotRef:
        workflow_id = challenge_workflow_id(challenge_id)
        return await self._update(workflow_id, ADD_PILOT, request, PilotRef)

    async def accept_pilot(self, pilot_id: int, request: AcceptPilotInput) -> PilotStatus:
        return await self._update_pilot(pilot_id, ACCEPT_PILOT, request)

    async def decline_pilot(self, pilot_id: int, request: DeclinePilotInput) -> PilotStatus:
        return await self._update_pilot(pilot_id, DECLINE_PILOT, request)

    async def decide_pilot(self, pilot_id: int, request: PilotDecisionInput) -> PilotStatus:
        return await self._update_pilot(pilot_id, DECIDE_PILOT, request)

    async def _update_pilot(self, pilot_id: int, update: str, request: BaseModel) -> PilotStatus:
        workflow_id = pilot_workflow_id(pilot_id)
        return (await self._update(workflow_id, update, request, PilotStatusResult)).status

    async def _update(
        self, workflow_id: str, update: str, request: BaseModel, result_type: type[ResultT]
    ) -> ResultT:
        """Hand a decision to a workflow and wait for its answer; a refusal is a 409."""
        handle = self._client.get_workflow_handle(workflow_id)
        try:
            async with asyncio.timeout(UPDATE_TIMEOUT.total_seconds()):
                result: ResultT = await handle.execute_update(
                    update, request, result_type=result_type, rpc_timeout=UPDATE_TIMEOUT
                )
                return result
        except WorkflowUpdateFailedError as exc:
            cause = exc.cause
            if isinstance(cause, ApplicationError):
                raise Conflict(cause.message) from exc
            raise
        except (RPCError, TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError) as exc:
            raise WorkflowUnavailable(f"the workflow {workflow_id} did not answer: {exc}") from exc
