"""The workflow is never behind the phase it has recorded in the database.

The API checks the recorded phase, then hands the decision to the workflow. Between the
activity's commit and the workflow seeing it complete there is a window (a worker that
dies there stretches it to a timeout, and the new worker then validates the update in
the same workflow task as the completion, before the workflow resumes). Found by the
fault tests (tests/fault/test_worker_killed.py): a shortlist refused with "the challenge
is in phase 'review'" while the API showed 'selection'. Here the window is held open on
purpose: the recording activity waits, after its commit, until the test lets it go.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from temporalio import activity
from temporalio.client import WorkflowUpdateStage
from temporalio.testing import WorkflowEnvironment

import workflows.worker
from schemas.workflows import (
    PilotDecisionInput,
    RecordTransitionInput,
    RecordTransitionResult,
    ShortlistInput,
)
from service.settings import Settings
from tests.builders import (
    agree,
    assign,
    challenge_in_piloting,
    challenge_in_review,
    my_assignments,
    score,
    screen,
    wait_for_phase,
    wait_for_pilot,
)
from tests.stack import ThreadedWorker
from workflows.activities.phases import PhaseActivities
from workflows.challenge import ChallengeWorkflow
from workflows.pilot import PilotWorkflow


class Gate:
    """Holds the recording activity of transitions whose key ends with ``suffix``."""

    def __init__(self) -> None:
        self.suffix: str | None = None
        self.holding = threading.Event()
        self.released = threading.Event()


@pytest.fixture
def gate() -> Gate:
    return Gate()


class HoldingPhaseActivities(PhaseActivities):
    gate = Gate()

    @activity.defn(name="record_transition")
    async def record_transition(self, input: RecordTransitionInput) -> RecordTransitionResult:
        result = await super().record_transition(input)
        gate = self.gate
        if gate.suffix and input.key.endswith(gate.suffix):
            gate.holding.set()
            await asyncio.to_thread(gate.released.wait, 60)
        return result


@pytest.fixture
def worker(
    settings: Settings, gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ThreadedWorker]:
    monkeypatch.setattr(HoldingPhaseActivities, "gate", gate)
    monkeypatch.setattr(workflows.worker, "PhaseActivities", HoldingPhaseActivities)
    running = ThreadedWorker(settings).start()
    yield running
    gate.released.set()
    running.stop()


async def test_a_shortlist_is_accepted_once_selection_is_recorded(
    api, actors, temporal: WorkflowEnvironment, gate: Gate
):
    city, startup, evaluator = await actors.city(), await actors.startup(), await actors.evaluator()
    challenge, [pid] = await challenge_in_review(api, city, [startup], temporal)
    gate.suffix = "-selection"
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
    gate.suffix = f"pilot-{pilot_id}-evaluation-0"
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
