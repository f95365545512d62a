"""Inputs and results of workflows, activities, updates and queries.

Only these models cross into Temporal. None has a default that reads the clock or
draws randomness: workflow code must replay identically. Phases, statuses and
decisions are the API's enums: pydantic writes a ``StrEnum`` as its value, so the wire
strings (and every recorded history) stay what they were. The names the models are
sent under are in ``schemas.workflow_names``.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from schemas.common import ActorKind, ChallengePhase, PilotDecisionKind, PilotStatus
from schemas.pilots import MAX_EXTENSIONS, ScaleUpPlan

PhaseOrStatus = ChallengePhase | PilotStatus
"""What a transition leads to: a challenge's phase, or (with a pilot) a pilot's status."""


class ChallengeState(BaseModel):
    """A challenge workflow's own state: where it is and what it has already done. The
    workflow keeps it in this one model, and continuing as new carries it whole."""

    phase: ChallengePhase
    reminders_sent: list[int] = []
    """The review reminders sent, by days before the deadline."""
    city_reminders_sent: int = 0
    info_deadline: datetime | None = None
    """The earliest reply deadline of an open request for information."""


class ChallengeWorkflowInput(BaseModel):
    challenge_id: int
    published_by: int
    proposals_close_at: datetime
    review_deadline: datetime
    review_reminder_days: list[int] = [3, 1]
    selection_reminder_days: int = 7
    history_limit: int = 10_000
    """Continue as new past this many history events (or when the server suggests it)."""
    resume: ChallengeState | None = None
    """Set when the workflow continued as new: the state it picks up again."""


class ChallengeWorkflowResult(BaseModel):
    challenge_id: int
    final_phase: ChallengePhase


class RecordTransitionInput(BaseModel):
    challenge_id: int
    to_phase: PhaseOrStatus
    at: datetime
    actor_kind: ActorKind
    actor_id: int | None = None
    reason: str | None = None
    pilot_id: int | None = None
    key: str
    """Deterministic key of this transition: a retry with the same key writes nothing."""


class RecordTransitionResult(BaseModel):
    recorded: bool
    from_phase: PhaseOrStatus | None


class CancelChallengeInput(BaseModel):
    actor_id: int
    reason: str


class PhaseResult(BaseModel):
    phase: ChallengePhase


class AwaitPhaseInput(BaseModel):
    not_phase: ChallengePhase
    """Return once the workflow's phase differs from this one."""


class ChallengeRef(BaseModel):
    challenge_id: int


class CountResult(BaseModel):
    count: int


# -- review ------------------------------------------------------------------------------


class ReviewChangedInput(BaseModel):
    """Sent by the API after a review record changed (a score, a screening...)."""

    info_deadline: datetime | None = None
    """Set when a request for information with this reply deadline was made."""


class ReviewProgress(BaseModel):
    proposals: int
    unscreened: int
    awaiting_information: int
    eligible_without_evaluator: int
    assignments: int
    complete_assignments: int

    @property
    def all_scored(self) -> bool:
        """Every eligible proposal has evaluators and every assignment is scored."""
        return (
            self.assignments > 0
            and self.complete_assignments == self.assignments
            and self.unscreened == 0
            and self.awaiting_information == 0
            and self.eligible_without_evaluator == 0
        )


class ExpireInfoRequestsInput(BaseModel):
    challenge_id: int
    now: datetime
    expire_all: bool = False
    """At the end of the review every request still open expires."""


class ExpireInfoRequestsResult(BaseModel):
    expired: int
    next_deadline: datetime | None


class EvaluatorReminderInput(BaseModel):
    challenge_id: int
    days_before: int
    review_deadline: datetime


class CityReminderInput(BaseModel):
    challenge_id: int
    number: int
    waiting_since: datetime


# -- selection ---------------------------------------------------------------------------


class ShortlistInput(BaseModel):
    actor_id: int
    proposal_ids: list[int]
    reason: str = ""


class ApplyShortlistInput(BaseModel):
    challenge_id: int
    actor_id: int
    proposal_ids: list[int]
    at: datetime


class PilotRef(BaseModel):
    id: int
    proposal_id: int
    startup_id: int


class ShortlistResult(BaseModel):
    pilots: list[PilotRef]


# -- pilots ------------------------------------------------------------------------------


class PilotWorkflowInput(BaseModel):
    pilot_id: int
    challenge_id: int
    max_extensions: int = MAX_EXTENSIONS
    milestone_reminder_days: int = 7
    """An overdue milestone is brought up again this often."""


class PilotWorkflowResult(BaseModel):
    pilot_id: int
    final_status: PilotStatus
    decision: PilotDecisionKind


class PilotRefInput(BaseModel):
    pilot_id: int


class AgreementTimes(BaseModel):
    starts_at: datetime
    ends_at: datetime


class AcceptPilotInput(BaseModel):
    actor_id: int


class RecordAcceptanceInput(BaseModel):
    pilot_id: int
    actor_id: int
    at: datetime


class DeclinePilotInput(BaseModel):
    actor_id: int
    reason: str


class PilotDecisionInput(BaseModel):
    actor_id: int
    decision: PilotDecisionKind
    reason: str
    new_end_at: datetime | None = None
    plan: ScaleUpPlan | None = None


class StopPilotInput(BaseModel):
    """The challenge was cancelled: the pilot stops too."""

    actor_id: int
    reason: str


class PilotStatusResult(BaseModel):
    status: PilotStatus


class ApplyPilotDecisionInput(BaseModel):
    pilot_id: int
    sequence: int
    decision: PilotDecisionKind
    reason: str
    actor_kind: ActorKind
    actor_id: int | None
    at: datetime
    to_status: PilotStatus
    transition_key: str
    new_end_at: datetime | None = None
    plan: ScaleUpPlan | None = None


class MilestoneCheckInput(BaseModel):
    pilot_id: int
    now: datetime
    reminder_days: int


class MilestoneCheckResult(BaseModel):
    reminded: int
    next_check: datetime | None
    """When the next milestone falls due, or an overdue one is brought up again."""


class AddPilotInput(BaseModel):
    actor_id: int
    proposal_id: int


class CreatePilotInput(BaseModel):
    challenge_id: int
    proposal_id: int
    actor_id: int
    at: datetime
