"""The signed links we mail: an invitation's (choose a first password), a reset's
(choose a new one) and a sign-up's (confirm the address). One way to make such a link,
to find the account it is for, and to set the password it lets its holder choose
(``service.auth.links`` signs and reads the token)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import quote

from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.passwords import weak_password_reason
from service.auth.links import account_link_token, read_account_link_token
from service.auth.models import User
from service.auth.passwords import hash_password
from service.clock import utcnow
from service.errors import FieldError
from service.settings import Settings


def mailed_link(
    settings: Settings, purpose: str, path: str, user: User, expires_at: datetime
) -> str:
    """The address a mail gives, valid until ``expires_at`` and while the account's
    password stays what it is now (so once)."""
    assert user.id is not None
    token = account_link_token(
        settings.signing_secret(), purpose, user.id, user.password_hash, expires_at
    )
    return f"{settings.base_url}{path}?token={quote(token)}"


async def account_of_link(
    session: AsyncSession,
    settings: Settings,
    purpose: str,
    token: str,
    not_valid: str,
    also: Callable[[User], bool] = lambda user: user.is_active,
) -> User:
    """The account a link is for; ``FieldError`` on ``token`` (with ``not_valid``) when
    the link is not ours or not for ``purpose``, has expired, was used (the password
    changed since), or ``also`` says no (by default: the account is switched off)."""
    link = read_account_link_token(token)
    user = await session.get(User, link.user_id) if link else None
    if (
        link is None
        or user is None
        or not also(user)
        or link.expired(utcnow())
        or not link.matches(settings.signing_secret(), purpose, user.password_hash)
    ):
        raise FieldError("token", not_valid)
    return user


async def choose_password(session: AsyncSession, user: User, password: str) -> User:
    """Set the password (the sign-up rules apply). The link that led here, every other
    link sent before, and every earlier sign-in stop working; the address is confirmed,
    since the link came by mail to it."""
    reason = weak_password_reason(password, (user.email, user.display_name))
    if reason is not None:
        raise FieldError("password", reason)
    user.password_hash = await hash_password(password)
    user.email_verified_at = user.email_verified_at or utcnow()
    session.add(user)
    await session.commit()
    return user
