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

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.auth.links import PASSWORD_RESET
from service.auth.mail import compose, password_reset_mail
from service.auth.mailed_links import account_of_link, choose_password, mailed_link
from service.auth.models import User
from service.auth.services import normalise_email
from service.auth.throttle import PasswordResetThrottle
from service.clock import utcnow
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
        expires_at = now + timedelta(minutes=minutes)
        url = mailed_link(self.settings, PASSWORD_RESET, PASSWORD_RESET_PATH, user, expires_at)
        mail = password_reset_mail(language, user.email, user.display_name, url, minutes)
        return compose(self.settings, mail, now)

    async def account_of(self, token: str) -> User:
        """The account a reset link is for; ``FieldError`` on ``token`` when the link is
        not ours, has expired, was used, or its account is switched off."""
        return await account_of_link(
            self.session, self.settings, PASSWORD_RESET, token, LINK_NOT_VALID
        )

    async def confirm(self, token: str, password: str) -> User:
        """Set the new password (the sign-up rules apply); the link and every earlier
        sign-in stop working."""
        return await choose_password(self.session, await self.account_of(token), password)
