"""Recorded histories of whole lifecycles replay against the current workflow code:
a change that would break challenges already running fails here, in CI."""

from __future__ import annotations

import json

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from tests.replay.recording import HISTORIES
from workflows.worker import WORKFLOWS

FIXTURES = sorted(HISTORIES.glob("*.json"))


def test_there_are_recorded_histories_of_every_workflow_type():
    types = set()
    for path in FIXTURES:
        events = json.loads(path.read_text())["events"]
        started = events[0]["workflowExecutionStartedEventAttributes"]
        types.add(started["workflowType"]["name"])
    assert {"ChallengeWorkflow", "PilotWorkflow"} <= types


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
async def test_recorded_history_replays_on_the_current_code(path):
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(workflows=list(WORKFLOWS), data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"
