"""Every table of every domain, so ``SQLModel.metadata`` is complete before the first
query (the app, the worker, Alembic, tests).

Part of the composition root: it knows every domain, so nothing below the domains
(``service/db``, settings, security) may import it.
"""

from sqlmodel import SQLModel

import service.audit.changes  # noqa: E402,F401  (the audit log's flush hooks)
from service.audit.models import AuditEntry
from service.auth.models import User
from service.challenges.models import Challenge, Criterion, Kpi, PhaseTransition
from service.idempotency.models import IdempotencyKey
from service.notifications.models import MailOutbox, Notification
from service.pilots.models import Pilot
from service.proposals.models import Proposal, ProposalDraft
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
    "AuditEntry",
    "IdempotencyKey",
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
    "ProposalDraft",
    "Question",
    "RateLimitWindow",
    "ResidentInput",
    "User",
    "metadata",
]
