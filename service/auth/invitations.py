"""City staff and evaluators, invited by the city from its console: the account is made
at once, with no password (nobody can sign in to it), and the invited person chooses
one from the link in the mail, which works for ``PROEFTUIN_INVITATION_DAYS`` and once.
The console lists every account and switches accounts off and on again.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import Role
from service.auth.identity import CurrentUser
from service.auth.links import INVITATION
from service.auth.mail import compose, invitation_mail
from service.auth.mailed_links import account_of_link, choose_password, mailed_link
from service.auth.models import User
from service.auth.services import normalise_email
from service.clock import utcnow
from service.errors import FieldError, Forbidden, NotFound
from service.paths import INVITATION_PATH
from service.settings import Settings

INVITED_ROLES = (Role.CITY, Role.EVALUATOR)
NO_PASSWORD_YET = "!invited:"
"""The password hash of an account whose invitation is not taken up yet: no argon2 hash
(nothing verifies against it), and a nonce of its own, so each invitation's link is
bound to it."""
LINK_NOT_VALID = "this invitation has expired or has been used already; ask for a new one"


def is_invited(user: User) -> bool:
    return user.password_hash.startswith(NO_PASSWORD_YET)


def _waiting(user: User) -> bool:
    """An invitation still to be taken up, on an account not switched off."""
    return user.is_active and is_invited(user)


@dataclass(frozen=True)
class AccountSummary:
    id: int
    display_name: str
    email: str
    role: str
    status: str
    """``active``, ``invited`` (no password chosen yet) or ``deactivated``."""


class InvitationService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    async def invite(
        self, inviter: CurrentUser, email: str, display_name: str, role: Role, language: str
    ) -> EmailMessage:
        """Make the account and return its invitation mail (to send after the commit)."""
        if role not in INVITED_ROLES:
            raise FieldError("role", "the city invites city staff and evaluators")
        user = User(
            email=normalise_email(email),
            password_hash=NO_PASSWORD_YET + secrets.token_urlsafe(12),
            email_verified_at=None,
            role=role.value,
            display_name=display_name.strip() or email,
            language=language,  # notifications follow the invitation's language
        )
        self.session.add(user)
        try:
            await self.session.commit()
        except IntegrityError:
            await self.session.rollback()
            raise FieldError(
                "email", "there is already an account with this e-mail address"
            ) from None
        assert user.id is not None
        days = self.settings.invitation_days
        now = utcnow()
        url = mailed_link(
            self.settings, INVITATION, INVITATION_PATH, user, now + timedelta(days=days)
        )
        mail = invitation_mail(
            language, user.email, user.display_name, role.value, inviter.display_name, url, days
        )
        return compose(self.settings, mail, now)

    async def account_of(self, token: str) -> User:
        """The invited account a link is for; ``FieldError`` on ``token`` otherwise."""
        return await account_of_link(
            self.session, self.settings, INVITATION, token, LINK_NOT_VALID, also=_waiting
        )

    async def accept(self, token: str, password: str) -> User:
        """Set the invited person's first password (the sign-up rules apply)."""
        return await choose_password(self.session, await self.account_of(token), password)

    async def accounts(self) -> list[AccountSummary]:
        """Every account, city staff and evaluators first, then by name."""
        users = (await self.session.exec(select(User).order_by(col(User.display_name)))).all()
        order = {Role.CITY.value: 0, Role.EVALUATOR.value: 1, Role.STARTUP.value: 2}
        summaries = [
            AccountSummary(
                id=u.id,
                display_name=u.display_name,
                email=u.email,
                role=u.role,
                status="deactivated"
                if not u.is_active
                else ("invited" if is_invited(u) else "active"),
            )
            for u in users
            if u.id is not None
        ]
        return sorted(summaries, key=lambda s: order.get(s.role, 3))

    async def set_active(self, actor: CurrentUser, user_id: int, active: bool) -> User:
        """Switch an account off (it cannot sign in, its tokens stop working at once)
        or on again; nobody switches off their own."""
        user = await self.session.get(User, user_id)
        if user is None:
            raise NotFound("no such account")
        if user.id == actor.id and not active:
            raise Forbidden("you cannot switch off your own account")
        if user.is_active != active:
            user.is_active = active
            self.session.add(user)
            await self.session.commit()
        return user
