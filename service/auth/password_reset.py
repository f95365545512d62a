"""Password reset by e-mail link: asking for one, and choosing the new password.

Asking answers the same whether the address has an account or not (the caller says "if
there is an account, a mail is on its way"); only an active account is mailed. The link
is signed, expires (``PROEFTUIN_PASSWORD_RESET_MINUTES``) and works once: it is bound to
the password it was made under (``service.auth.links``). Setting the new password also
ends every earlier sign-in, whose tokens carry the old password's key.
"""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import quote

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.passwords import weak_password_reason
from service.auth.links import PASSWORD_RESET, account_link_token, read_account_link_token
from service.auth.mail import compose, password_reset_mail
from service.auth.models import User
from service.auth.passwords import hash_password
from service.auth.services import normalise_email
from service.auth.throttle import PasswordResetThrottle
from service.clock import utcnow
from service.errors import FieldError
from service.paths import PASSWORD_RESET_PATH
from service.settings import Settings

LINK_NOT_VALID = "this link has expired or has been used already; ask for a new one"


class PasswordResetService:
    def __init__(
        self,
        session: AsyncSession,
        settings: Settings,
        throttle: PasswordResetThrottle | None = None,
    ) -> None:
        self.session = session
        self.settings = settings
        self.throttle = throttle

    async def request(self, email: str, address: str | None, language: str) -> EmailMessage | None:
        """The mail to send (None when the address has no active account); limited per
        e-mail address and client address, known or not."""
        now = utcnow()
        if self.throttle is not None:
            await self.throttle.attempt(self.session, email, address, now)
        user = (
            await self.session.exec(select(User).where(User.email == normalise_email(email)))
        ).first()
        if user is None or user.id is None or not user.is_active:
            return None
        minutes = self.settings.password_reset_minutes
        token = account_link_token(
            self.settings.signing_secret(),
            PASSWORD_RESET,
            user.id,
            user.password_hash,
            now + timedelta(minutes=minutes),
        )
        url = f"{self.settings.base_url}{PASSWORD_RESET_PATH}?token={quote(token)}"
        mail = password_reset_mail(language, user.email, user.display_name, url, minutes)
        return compose(self.settings, mail, now)

    async def account_of(self, token: str) -> User:
        """The account a reset link is for; ``FieldError`` on ``token`` when the link is
        not ours, has expired, was used, or its account is switched off."""
        link = read_account_link_token(token)
        user = await self.session.get(User, link.user_id) if link else None
        if (
            link is None
            or user is None
            or not user.is_active
            or link.expired(utcnow())
            or not link.matches(self.settings.signing_secret(), PASSWORD_RESET, user.password_hash)
        ):
            raise FieldError("token", LINK_NOT_VALID)
        return user

    async def confirm(self, token: str, password: str) -> User:
        """Set the new password (the sign-up rules apply); the link and every earlier
        sign-in stop working."""
        user = await self.account_of(token)
        reason = weak_password_reason(password, (user.email, user.display_name))
        if reason is not None:
            raise FieldError("password", reason)
        user.password_hash = await hash_password(password)
        user.email_verified_at = user.email_verified_at or utcnow()  # the link was in the mail
        self.session.add(user)
        await self.session.commit()
        return user
