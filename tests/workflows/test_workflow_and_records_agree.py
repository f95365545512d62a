"""A workflow and the records it keeps agree whenever the API acts on either.

The API checks the records, then hands a decision to the workflow; the workflow decides,
then records. Two windows, each held open here on purpose by an activity that waits
until the test lets it go:

- between a recording activity's commit and the workflow seeing it complete (a worker
  that dies there stretches it to a timeout, and the new worker then validates an
  update in the same workflow task as the completion, before the workflow resumes).
  Found by the fault tests (tests/fault/test_worker_killed.py): a shortlist refused with
  "the challenge is in phase 'review'" while the API showed 'selection'. The workflow
  now takes the phase it enters before recording it;
- between a startup's acceptance being taken and being recorded: the API answered at
  once, and the city could still change the agreement just accepted (tests/workflows/
  test_pilots.py failed so on a loaded machine). The acceptance is now answered once
  it is recorded.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from temporalio import activity
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import UpdateWorkflowExecutionLifecycleStage
from temporalio.api.update.v1 import UpdateRef, WaitPolicy
from temporalio.api.workflowservice.v1 import PollWorkflowExecutionUpdateRequest
from temporalio.client import WorkflowUpdateHandle, WorkflowUpdateStage
from temporalio.testing import WorkflowEnvironment

import workflows.worker
from schemas.workflows import (
    AcceptPilotInput,
    CountResult,
    PilotDecisionInput,
    RecordAcceptanceInput,
    RecordTransitionInput,
    RecordTransitionResult,
    ShortlistInput,
)
from service.pilots.models import Pilot
from service.settings import Settings
from tests.builders import (
    agree,
    assign,
    challenge_in_piloting,
    challenge_in_review,
    iso,
    my_assignments,
    score,
    screen,
    wait_for_phase,
    wait_for_pilot,
)
from tests.stack import ThreadedWorker
from workflows.activities.phases import PhaseActivities
from workflows.activities.pilots import PilotActivities
from workflows.challenge import ChallengeWorkflow
from workflows.pilot import PilotWorkflow


class Gate:
    """Holds the activity named ``activity``: a recording one after its commit when its
    key ends with ``suffix``; ``record_acceptance`` before it records anything."""

    def __init__(self) -> None:
        self.activity: str | None = None
        self.suffix = ""
        self.holding = threading.Event()
        self.released = threading.Event()

    def hold(self, activity: str, suffix: str = "") -> None:
        self.activity, self.suffix = activity, suffix

    async def wait_if_holding(self, activity: str, key: str = "") -> None:
        if self.activity == activity and key.endswith(self.suffix):
            self.holding.set()
            await asyncio.to_thread(self.released.wait, 60)


@pytest.fixture
def gate() -> Gate:
    return Gate()


class HoldingPhaseActivities(PhaseActivities):
    gate = Gate()

    @activity.defn(name="record_transition")
    async def record_transition(self, input: RecordTransitionInput) -> RecordTransitionResult:
        result = await super().record_transition(input)
        await self.gate.wait_if_holding("record_transition", input.key)
        return result


class HoldingPilotActivities(PilotActivities):
    gate = Gate()

    @activity.defn(name="record_acceptance")
    async def record_acceptance(self, input: RecordAcceptanceInput) -> CountResult:
        await self.gate.wait_if_holding("record_acceptance")
        return await super().record_acceptance(input)


@pytest.fixture
def worker(
    settings: Settings, gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ThreadedWorker]:
    for holding, replaced in (
        (HoldingPhaseActivities, "PhaseActivities"),
        (HoldingPilotActivities, "PilotActivities"),
    ):
        monkeypatch.setattr(holding, "gate", gate)
        monkeypatch.setattr(workflows.worker, replaced, holding)
    running = ThreadedWorker(settings).start()
    yield running
    gate.released.set()
    running.stop()


async def test_a_shortlist_is_accepted_once_selection_is_recorded(
    api, actors, temporal: WorkflowEnvironment, gate: Gate
):
    city, startup, evaluator = await actors.city(), await actors.startup(), await actors.evaluator()
    challenge, [pid] = await challenge_in_review(api, city, [startup], temporal)
    gate.hold("record_transition", "-selection")
    await screen(api, city, pid)
    await assign(api, city, challenge["id"], [evaluator])
    [assignment] = await my_assignments(api, evaluator)
    await score(api, evaluator, assignment, (7, 7, 7))
    assert await wait_for_phase(api, challenge["id"], "selection") == "selection"
    assert await asyncio.to_thread(gate.holding.wait, 30)

    handle = temporal.client.get_workflow_handle(f"challenge-{challenge['id']}")
    update = await handle.start_update(
        ChallengeWorkflow.approve_shortlist,
        ShortlistInput(actor_id=city.id, proposal_ids=[pid]),
        wait_for_stage=WorkflowUpdateStage.ACCEPTED,
    )
    gate.released.set()
    result = await update.result()
    assert [p.proposal_id for p in result.pilots] == [pid]
    assert await wait_for_phase(api, challenge["id"], "piloting") == "piloting"


async def test_a_decision_is_accepted_once_evaluation_is_recorded(
    api, actors, temporal: WorkflowEnvironment, gate: Gate
):
    city, startup, evaluator = await actors.city(), await actors.startup(), await actors.evaluator()
    _, _, pilots, t0 = await challenge_in_piloting(api, city, [startup], [evaluator], temporal)
    [pilot_id] = pilots.values()
    await agree(api, city, startup, pilot_id, t0 + timedelta(days=1), days=10)
    gate.hold("record_transition", f"pilot-{pilot_id}-evaluation-0")
    # Time stands still while an activity runs: the sleep ends once the gate opens.
    sleeping = asyncio.create_task(temporal.sleep(timedelta(days=12)))
    assert await wait_for_pilot(api, pilot_id, "evaluation") == "evaluation"
    assert await asyncio.to_thread(gate.holding.wait, 30)

    handle = temporal.client.get_workflow_handle(f"pilot-{pilot_id}")
    update = await handle.start_update(
        PilotWorkflow.decide,
        PilotDecisionInput(actor_id=city.id, decision="stop", reason="Not cool enough"),
        wait_for_stage=WorkflowUpdateStage.ACCEPTED,
    )
    gate.released.set()
    await sleeping
    assert (await update.result()).status == "stopped"


async def test_an_acceptance_is_answered_once_it_is_recorded(
    api, actors, temporal: WorkflowEnvironment, gate: Gate, sessions
):
    city, startup, evaluator = await actors.city(), await actors.startup(), await actors.evaluator()
    _, _, pilots, t0 = await challenge_in_piloting(api, city, [startup], [evaluator], temporal)
    [pilot_id] = pilots.values()
    start = t0 + timedelta(days=1)
    agreement = await api.post(
        f"/api/pilots/{pilot_id}/agreement",
        json={"starts_at": iso(start), "ends_at": iso(start + timedelta(days=10)),
              "budget_eur": 30000, "milestones": []},
        headers=city.headers,
    )  # fmt: skip
    assert agreement.status_code == 200, agreement.text
    gate.hold("record_acceptance")

    handle = temporal.client.get_workflow_handle(f"pilot-{pilot_id}")
    update = await handle.start_update(
        PilotWorkflow.accept,
        AcceptPilotInput(actor_id=startup.id),
        wait_for_stage=WorkflowUpdateStage.ACCEPTED,
    )
    assert await asyncio.to_thread(gate.holding.wait, 30)
    # Taken, but not answered while the acceptance is not recorded.
    assert await update_stage(temporal, update) == WORKFLOW_UPDATE_ACCEPTED
    async with sessions() as session:
        assert (await session.get(Pilot, pilot_id)).accepted_at is None  # type: ignore[union-attr]
    gate.released.set()
    assert (await update.result()).status == "agreement"
    async with sessions() as session:
        assert (await session.get(Pilot, pilot_id)).accepted_at is not None  # type: ignore[union-attr]


WORKFLOW_UPDATE_ACCEPTED = (
    UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED
)


async def update_stage(temporal: WorkflowEnvironment, update: WorkflowUpdateHandle) -> int:
    """How far the update has got (accepted, or completed), without waiting for more."""
    response = await temporal.client.workflow_service.poll_workflow_execution_update(
        PollWorkflowExecutionUpdateRequest(
            namespace=temporal.client.namespace,
            update_ref=UpdateRef(
                workflow_execution=WorkflowExecution(workflow_id=update.workflow_id),
                update_id=update.id,
            ),
            wait_policy=WaitPolicy(lifecycle_stage=WORKFLOW_UPDATE_ACCEPTED),
        )
    )
    return response.stage
