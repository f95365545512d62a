"""Accounts: registration, login, the current user."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import EmailStr, Field

from schemas.common import PublicSchema, Role, Schema


class RegisterRequest(Schema):
    email: EmailStr
    password: str = Field(min_length=10, max_length=256)
    role: Literal["startup", "resident"] = Field(
        description="Self-service accounts are startups or residents; city staff and "
        "evaluators are created by the city."
    )
    display_name: str = Field(min_length=1, max_length=120)


class LoginRequest(Schema):
    email: EmailStr
    password: str = Field(min_length=1, max_length=256)


class TokenResponse(PublicSchema):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int


class UserPublic(PublicSchema):
    id: int
    email: str
    role: Role
    display_name: str
    created_at: datetime
