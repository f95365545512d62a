"""The pilot extension limit: one rule, asked by the API before it hands a decision to
the pilot's workflow and by the workflow's own validator."""

from __future__ import annotations

from schemas.pilots import MAX_EXTENSIONS, extension_refusal, extensions_left
from schemas.workflows import PilotWorkflowInput


def test_a_pilot_may_be_extended_until_the_limit():
    assert MAX_EXTENSIONS == 2
    assert [extensions_left(n) for n in range(4)] == [2, 1, 0, 0]
    assert extension_refusal(0) is None
    assert extension_refusal(1) is None
    assert extension_refusal(2) == "the pilot was already extended 2 times, the most allowed"


def test_the_workflow_counts_against_the_same_limit():
    assert PilotWorkflowInput(pilot_id=1, challenge_id=1).max_extensions == MAX_EXTENSIONS
    assert extension_refusal(1, limit=1) is not None
