"""Accounts: registration, login, the current user."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import EmailStr, Field, ValidationInfo, field_validator

from schemas.common import PublicSchema, Role, Schema
from schemas.passwords import MIN_PASSWORD_LENGTH, weak_password_reason


class RegisterRequest(Schema):
    email: EmailStr = Field(examples=["hello@coolstreets.example"])
    # Before the password, so the password check can refuse one made of the name.
    display_name: str = Field(min_length=1, max_length=120, examples=["CoolStreets B.V."])
    password: str = Field(
        min_length=MIN_PASSWORD_LENGTH,
        max_length=256,
        description="At least 10 characters, and not a common or easily guessed password "
        "(a few unusual words make a good one).",
        examples=["mist over the market at noon"],
    )
    role: Literal["startup", "resident"] = Field(
        description="Self-service accounts are startups or residents; city staff and "
        "evaluators are created by the city."
    )

    @field_validator("password")
    @classmethod
    def _not_guessable(cls, password: str, info: ValidationInfo) -> str:
        reason = weak_password_reason(
            password, [info.data.get("email", ""), info.data.get("display_name", "")]
        )
        if reason:
            raise ValueError(reason)
        return password


class LoginRequest(Schema):
    email: EmailStr = Field(examples=["hello@coolstreets.example"])
    password: str = Field(min_length=1, max_length=256, examples=["mist over the market at noon"])


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
