"""The names workflows are known by on the wire never change: running workflows, the
recorded histories and the API (which calls them by name only) all depend on them.
Spelled out here once more, literally, so that a changed constant fails a test even
where no recorded history exercises it (queries, the daily round's signal)."""

from __future__ import annotations

from temporalio.workflow import _Definition

from workflows.worker import WORKFLOWS

WIRE_NAMES = {
    "ChallengeWorkflow": {
        "updates": {"await_phase_change", "approve_shortlist", "add_pilot", "cancel"},
        "signals": {"review_changed"},
        "queries": {"phase"},
    },
    "PilotWorkflow": {
        "updates": {"accept", "decline", "decide"},
        "signals": {"stop"},
        "queries": {"status"},
    },
    "MailOutboxWorkflow": {"updates": set(), "signals": set(), "queries": set()},
    "DailyRoundWorkflow": {"updates": set(), "signals": {"configure"}, "queries": set()},
}


def test_every_workflow_answers_to_the_names_it_always_had():
    definitions = [_Definition.must_from_class(w) for w in WORKFLOWS]
    registered = {
        d.name: {
            "updates": set(d.updates),
            "signals": set(d.signals),
            "queries": set(d.queries),
        }
        for d in definitions
    }
    assert registered == WIRE_NAMES
