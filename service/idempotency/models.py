from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.clock import utcnow

KEY_TTL = timedelta(hours=24)
"""How long a key is kept: a retry within a day gets the first response again; the
daily round deletes older keys."""


class IdempotencyKey(SQLModel, table=True):
    """The first response to a POST sent with an ``Idempotency-Key`` header, so that a
    retry of the same request gets it again instead of creating something twice."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("owner", "key", name="uq_idempotency_keys_owner_key"),)

    id: int | None = Field(default=None, primary_key=True)
    owner: str = Field(max_length=40)
    """"user:<id>", or "anonymous:<digest of the request>": a key is private to whoever
    sent it, and an anonymous one to the one request it was sent with."""
    key: str = Field(max_length=200)
    method: str = Field(max_length=10)
    path: str = Field(max_length=500)
    request_hash: str = Field(max_length=64)
    status_code: int | None = None
    content_type: str | None = Field(default=None, max_length=100)
    response_body: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    completed_at: datetime | None = None
