"""Confirming an e-mail address (``PROEFTUIN_VERIFY_EMAIL``): a self-service sign-up is
mailed a signed link; until it is followed, the account's public contributions (input,
endorsements, questions) are refused. Taking up an invitation or resetting the password
by mail proves the address too; accounts the city or the CLI made need no proof.
"""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

from sqlmodel.ext.asyncio.session import AsyncSession

from service.auth.identity import CurrentUser
from service.auth.links import VERIFY_EMAIL
from service.auth.mail import compose, verification_mail
from service.auth.mailed_links import account_of_link, mailed_link
from service.auth.models import User
from service.clock import utcnow
from service.errors import Forbidden
from service.paths import VERIFY_EMAIL_PATH
from service.settings import Settings

LINK_DAYS = 7
NOT_CONFIRMED = (
    "confirm your e-mail address first: follow the link in the mail we sent when you signed up"
)


def require_confirmed_email(user: CurrentUser) -> None:
    """Refuses (403) a public contribution from an account that must still confirm."""
    if not user.email_verified:
        raise Forbidden(NOT_CONFIRMED)


def verification_mail_for(settings: Settings, user: User, language: str) -> EmailMessage:
    now = utcnow()
    expires_at = now + timedelta(days=LINK_DAYS)
    url = mailed_link(settings, VERIFY_EMAIL, VERIFY_EMAIL_PATH, user, expires_at)
    mail = verification_mail(language, user.email, user.display_name, url, LINK_DAYS)
    return compose(settings, mail, now)


async def confirm_email(session: AsyncSession, settings: Settings, token: str) -> User:
    """Record that the account reads its mail; ``FieldError`` on ``token`` when the link
    is not ours or has expired. Following it again changes nothing."""
    user = await account_of_link(
        session,
        settings,
        VERIFY_EMAIL,
        token,
        "this link has expired; sign in and ask for a new one",
        also=lambda user: True,  # a switched-off account may still confirm its address
    )
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        session.add(user)
        await session.commit()
    return user
