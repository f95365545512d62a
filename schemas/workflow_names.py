"""The names under which the API and the worker know each workflow: its type, its
updates, signals and queries, and the id of each workflow run.

The API starts workflows and hands them decisions by these names alone (it never
imports ``workflows/``); the workflow definitions declare themselves under the same
constants. They are on the wire: running workflows and the recorded histories in
tests/replay carry them, so a name never changes (see docs/workflow-changes.md).
"""

from __future__ import annotations

from typing import Final

# -- the challenge workflow: one per published challenge ---------------------------------

CHALLENGE_WORKFLOW: Final = "ChallengeWorkflow"
AWAIT_PHASE_CHANGE: Final = "await_phase_change"
"""Update: ``AwaitPhaseInput`` -> ``PhaseResult``."""
APPROVE_SHORTLIST: Final = "approve_shortlist"
"""Update: ``ShortlistInput`` -> ``ShortlistResult``."""
ADD_PILOT: Final = "add_pilot"
"""Update: ``AddPilotInput`` -> ``PilotRef``."""
CANCEL_CHALLENGE: Final = "cancel"
"""Update: ``CancelChallengeInput`` -> ``PhaseResult``."""
REVIEW_CHANGED: Final = "review_changed"
"""Signal: ``ReviewChangedInput``."""
CHALLENGE_PHASE: Final = "phase"
"""Query: -> ``PhaseResult``."""


def challenge_workflow_id(challenge_id: int) -> str:
    return f"challenge-{challenge_id}"


# -- the pilot workflow: a child of its challenge's, one per selected proposal ----------

PILOT_WORKFLOW: Final = "PilotWorkflow"
ACCEPT_PILOT: Final = "accept"
"""Update: ``AcceptPilotInput`` -> ``PilotStatusResult``."""
DECLINE_PILOT: Final = "decline"
"""Update: ``DeclinePilotInput`` -> ``PilotStatusResult``."""
DECIDE_PILOT: Final = "decide"
"""Update: ``PilotDecisionInput`` -> ``PilotStatusResult``."""
STOP_PILOT: Final = "stop"
"""Signal: ``StopPilotInput`` (the challenge was cancelled)."""
PILOT_STATUS: Final = "status"
"""Query: -> ``PilotStatusResult``."""


def pilot_workflow_id(pilot_id: int) -> str:
    return f"pilot-{pilot_id}"


# -- the standing workflows: one of each per deployment ----------------------------------

MAIL_OUTBOX_WORKFLOW: Final = "MailOutboxWorkflow"
MAIL_OUTBOX_WORKFLOW_ID: Final = "mail-outbox"

DAILY_ROUND_WORKFLOW: Final = "DailyRoundWorkflow"
DAILY_ROUND_WORKFLOW_ID: Final = "daily-round"
CONFIGURE_DAILY_ROUND: Final = "configure"
"""Signal: ``DailyRoundConfig``."""
