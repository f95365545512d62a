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
    created_at: datetime = Field(default_factory=utcnow)
