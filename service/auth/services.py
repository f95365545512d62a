"""Accounts: creating them (self-service and from the command line) and signing in."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.auth import RegisterRequest, UserPublic
from schemas.common import Role
from service.auth.mail import address_taken_mail, compose
from service.auth.models import User
from service.auth.passwords import hash_password, verify_password
from service.auth.throttle import LoginThrottle, SignUpThrottle
from service.auth.verification import verification_mail_for
from service.clock import utcnow
from service.errors import Conflict, NotAuthenticated
from service.settings import Settings


def normalise_email(email: str) -> str:
    return email.strip().lower()


@dataclass(frozen=True)
class SignUp:
    """What a sign-up did: the new account, or (the address had one) the mail to send
    its owner. Callers answer both alike."""

    user: User | None
    mail: EmailMessage | None
    """To the owner of a taken address, or to a new account to confirm its address."""


class AccountService:
    def __init__(
        self,
        session: AsyncSession,
        throttle: LoginThrottle | None = None,
        signups: SignUpThrottle | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.session = session
        self.throttle = throttle
        self.signups = signups
        self.settings = settings

    async def create(
        self,
        email: str,
        password: str,
        role: Role,
        display_name: str,
        language: str | None = None,
        verified: bool = True,
    ) -> User:
        """An account. ``language``: what notifications are written in (the sign-up's
        language); ``verified``: made by someone who vouches for the address (the city,
        the CLI), so it need not confirm it."""
        user = User(
            email=normalise_email(email),
            password_hash=await hash_password(password),
            role=role.value,
            display_name=display_name.strip() or email,
            language=language,
            email_verified_at=utcnow() if verified else None,
        )
        self.session.add(user)
        try:
            await self.session.commit()
        except IntegrityError:
            await self.session.rollback()
            raise Conflict("an account with this e-mail address already exists") from None
        return user

    async def register(self, data: RegisterRequest, address: str | None = None) -> UserPublic:
        """Self-service sign-up, limited per client address (when throttled)."""
        return UserPublic.model_validate(await self.register_user(data, address))

    async def register_user(
        self, data: RegisterRequest, address: str | None = None, language: str | None = None
    ) -> User:
        if self.signups is not None:
            await self.signups.attempt(self.session, address, utcnow())
        return await self.create(
            data.email,
            data.password,
            Role(data.role),
            data.display_name,
            language,
            verified=False,
        )

    async def sign_up(
        self, data: RegisterRequest, address: str | None, language: str = "en"
    ) -> SignUp:
        """Self-service sign-up that never tells whether the address has an account:
        taken, nothing is made, and the owner gets a mail (sign in, or reset the
        password) to send after the answer. The password is hashed either way, so both
        take as long."""
        try:
            user = await self.register_user(data, address, language)
        except Conflict:
            user = None
        if user is not None:
            if self.settings is not None and self.settings.verifies_email:
                return SignUp(user, verification_mail_for(self.settings, user, language))
            return SignUp(user, None)
        owner = (
            await self.session.exec(select(User).where(User.email == normalise_email(data.email)))
        ).first()
        if owner is None or not owner.is_active or self.settings is None:
            return SignUp(None, None)
        base = self.settings.base_url
        taken = address_taken_mail(
            language, owner.email, owner.display_name, f"{base}/login", f"{base}/password-reset"
        )
        return SignUp(None, compose(self.settings, taken, utcnow()))

    async def sign_in(self, email: str, password: str, address: str | None) -> User:
        """``authenticate``, throttled per e-mail address and client address."""
        if self.throttle is None:
            return await self.authenticate(email, password)
        attempt = await self.throttle.attempt(self.session, email, address, utcnow())
        user = await self.authenticate(email, password)
        await self.throttle.succeeded(self.session, attempt)
        return user

    async def authenticate(self, email: str, password: str) -> User:
        user = (
            await self.session.exec(select(User).where(User.email == normalise_email(email)))
        ).first()
        if not await verify_password(user.password_hash if user else None, password):
            raise NotAuthenticated("wrong e-mail address or password")
        assert user is not None
        if not user.is_active:
            raise NotAuthenticated("this account is disabled")
        return user

    async def set_active(self, email: str, active: bool) -> bool:
        """Switch an account on or off; False when there is no such account. Tokens of an
        account that is off are refused at once (the user is looked up per request)."""
        result = await self.session.exec(
            update(User).where(col(User.email) == normalise_email(email)).values(is_active=active)
        )
        await self.session.commit()
        return bool(result.rowcount)

    async def get(self, user_id: int) -> UserPublic:
        user = await self.session.get(User, user_id)
        if user is None:
            raise NotAuthenticated("this account no longer exists")
        return UserPublic.model_validate(user)
