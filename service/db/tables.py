"""Imports every table model so ``SQLModel.metadata`` is complete (Alembic, tests)."""

from sqlmodel import SQLModel

from service.auth.models import User
from service.challenges.models import Challenge, Criterion, Kpi, PhaseTransition
from service.notifications.models import MailOutbox, Notification
from service.pilots.models import Pilot
from service.proposals.models import Proposal
from service.questions.models import Question
from service.ratelimit.models import RateLimitWindow
from service.residents.models import Endorsement, Follow, InputReport, ResidentInput
from service.review.models import (
    Assignment,
    ChallengeEvaluator,
    InfoRequest,
    ProposalEvent,
    Score,
)

metadata = SQLModel.metadata

__all__ = [
    "Assignment",
    "ChallengeEvaluator",
    "InfoRequest",
    "ProposalEvent",
    "Score",
    "Challenge",
    "Criterion",
    "Endorsement",
    "Follow",
    "InputReport",
    "Kpi",
    "MailOutbox",
    "Notification",
    "PhaseTransition",
    "Pilot",
    "Proposal",
    "Question",
    "RateLimitWindow",
    "ResidentInput",
    "User",
    "metadata",
]
