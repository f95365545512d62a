"""Managing an account by e-mail link: asking for a password reset, and choosing the
new password with the link's token."""

from __future__ import annotations

from typing import Literal

from pydantic import EmailStr, Field

from schemas.common import PublicSchema, Schema
from schemas.passwords import MIN_PASSWORD_LENGTH

RESET_REQUESTED = (
    "If there is an account with this e-mail address, a link to choose a new password is "
    "on its way to it."
)


class PasswordResetRequest(Schema):
    email: EmailStr = Field(examples=["ann@example.org"])


class PasswordResetRequested(PublicSchema):
    """The same answer whether the address has an account or not."""

    detail: str = Field(default=RESET_REQUESTED, examples=[RESET_REQUESTED])


class PasswordResetConfirm(Schema):
    token: str = Field(
        min_length=1,
        max_length=200,
        description="The `token` query parameter of the link in the mail.",
        examples=["17.1796660000.Qk3l0d2Jm4xV8pWcR1sT9aYe"],
    )
    password: str = Field(
        min_length=MIN_PASSWORD_LENGTH,
        max_length=256,
        description="The new password: at least 10 characters, and not a common or easily "
        "guessed one (nor the account's name or e-mail address).",
        examples=["mist over the market at noon"],
    )


class InvitationRequest(Schema):
    """The city invites city staff or an evaluator."""

    display_name: str = Field(min_length=1, max_length=120, examples=["Sanne de Vries"])
    email: EmailStr = Field(examples=["s.devries@gemeente.example"])
    role: Literal["city", "evaluator"]


class InvitationAccept(PasswordResetConfirm):
    """Taking up an invitation: the link's token and the first password, as a reset's."""


SIGNED_UP = (
    "Your account is ready: sign in with this e-mail address and password. If the address "
    "already had an account, its owner has been sent an e-mail instead."
)


class RegistrationAnswer(PublicSchema):
    """The answer to a sign-up, the same whether the address was new or already had an
    account (whose owner is mailed instead): nothing in it tells the two apart."""

    email: str = Field(examples=["hello@coolstreets.example"])
    role: Literal["startup", "resident"]
    display_name: str = Field(examples=["CoolStreets B.V."])
    detail: str = Field(default=SIGNED_UP, examples=[SIGNED_UP])
