"""Inputs and results of workflows, activities, updates and queries.

Only these models cross into Temporal. None has a default that reads the clock or
draws randomness: workflow code must replay identically.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from schemas.common import ActorKind


class ChallengeWorkflowInput(BaseModel):
    challenge_id: int
    published_by: int
    proposals_close_at: datetime
    review_deadline: datetime


class ChallengeWorkflowResult(BaseModel):
    challenge_id: int
    final_phase: str


class RecordTransitionInput(BaseModel):
    challenge_id: int
    to_phase: str
    at: datetime
    actor_kind: ActorKind
    actor_id: int | None = None
    reason: str | None = None
    pilot_id: int | None = None
    key: str
    """Deterministic key of this transition: a retry with the same key writes nothing."""


class RecordTransitionResult(BaseModel):
    recorded: bool
    from_phase: str | None


class CancelChallengeInput(BaseModel):
    actor_id: int
    reason: str


class PhaseResult(BaseModel):
    phase: str


class AwaitPhaseInput(BaseModel):
    not_phase: str
    """Return once the workflow's phase differs from this one."""
