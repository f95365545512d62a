from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from service.clock import utcnow


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=20, index=True)
    display_name: str = Field(max_length=120)
    is_active: bool = True
    email_preference: str = Field(
        default="immediate",
        max_length=20,
        sa_column_kwargs={"server_default": "immediate"},
    )
    language: str | None = Field(default=None, max_length=8)
    """What we write to them in (``en``, ``nl``): from the page or ``Accept-Language``
    they signed up with, changed by the site's language switch; None: English."""
    created_at: datetime = Field(default_factory=utcnow)
    email_verified_at: datetime | None = None
    """When the account proved it reads its e-mail (a link followed, an invitation taken
    up, a password reset); accounts made by the city or the CLI count as proven."""
