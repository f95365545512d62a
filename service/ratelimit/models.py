from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class RateLimitWindow(SQLModel, table=True):
    """How often one subject (an account, an e-mail address tried at sign-in, a client
    address) did one action in its current window. One row per subject and action,
    updated atomically, so every API process counts the same."""

    __tablename__ = "rate_limit_windows"

    subject: str = Field(max_length=100, primary_key=True)
    action: str = Field(max_length=30, primary_key=True)
    window_start: datetime
    hits: int
