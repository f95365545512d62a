"""Contracts of the standing workflows: the mail outbox drainer and the daily round.

Both run for the life of the deployment (continuing as new), one of each, and keep
nothing that grows with participation in their state: the database holds the mail and
the input, the workflows hold only when to look again.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class DrainOutboxInput(BaseModel):
    run_for_seconds: float = Field(default=300, gt=0)
    """How long one activity run keeps polling the outbox before it returns."""
    poll_seconds: float = Field(default=2, gt=0)
    batch_size: int = Field(default=50, ge=1)


class MailOutboxInput(BaseModel):
    drain: DrainOutboxInput = Field(default_factory=DrainOutboxInput)
    runs_before_continue: int = Field(default=50, ge=1)
    """Drain runs per workflow run before it continues as new (keeps history short)."""


class DrainOutboxResult(BaseModel):
    sent: int
    refused: int
    """Mails the server refused for good (a bad address): marked failed, not retried."""
    skipped: int
    """Mails no longer wanted (the person unsubscribed meanwhile)."""


class DailyRoundConfig(BaseModel):
    hour_utc: int = Field(default=7, ge=0, le=23)
    """The hour (UTC) of the daily round: escalations and e-mail digests go out then."""


class DailyRoundInput(BaseModel):
    config: DailyRoundConfig = Field(default_factory=DailyRoundConfig)
    runs_before_continue: int = Field(default=30, ge=1)


class EscalateOverdueInput(BaseModel):
    as_of: datetime
    day: str
    """The round's date (YYYY-MM-DD): one digest per person per day, whatever retries."""


class EscalateOverdueResult(BaseModel):
    overdue_inputs: int
    digests: int


class BundleDigestsInput(BaseModel):
    day: str


class BundleDigestsResult(BaseModel):
    digests: int
    notifications: int


class PruneInput(BaseModel):
    as_of: datetime


class PruneResult(BaseModel):
    rate_limit_windows: int
    idempotency_keys: int
