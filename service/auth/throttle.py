"""Sign-in throttling against password guessing.

Every sign-in attempt is counted, before its password is checked, for the e-mail address
it names and for the client address it comes from; past either limit within the window
the answer is 429 with Retry-After, whatever the password. So at most that many
passwords are ever checked per address and window, also when an attacker sends them
all at once, and a throttled account cannot be probed: the right password is refused
too until the window ends. A successful sign-in takes back only its own count; it does
not clear the failures before it, so an attacker who owns an account cannot reset the
count of the address they guess from by signing in between guesses.

Unknown and known e-mail addresses are counted alike, so a 429 says nothing about
whether an account exists. The counts live in the database (``service.ratelimit``), so
they hold across every API process.

Sign-ups are counted per client address too (``SignUpThrottle``), before the password
is hashed: each hash takes 64 MiB for its while, and anyone may sign up.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from service.ratelimit import HOUR, Hit, Limit, count_hit, refund_hit
from service.settings import Settings


@dataclass(frozen=True)
class SignInAttempt:
    email_subject: str
    email_hit: Hit
    address_subject: str
    address_hit: Hit


def email_subject(email: str) -> str:
    """The key an e-mail address is counted under: a digest, so the table keeps no
    addresses that people (or attackers) typed."""
    return "email:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


def address_subject(address: str | None) -> str:
    return f"ip:{(address or 'unknown')[:90]}"


@dataclass(frozen=True)
class LoginThrottle:
    per_email: Limit
    per_address: Limit

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginThrottle:
        window = timedelta(minutes=settings.login_throttle_minutes)
        return cls(
            per_email=Limit(
                "login-email",
                "failed sign-ins for this e-mail address",
                settings.login_failures_per_email,
                window,
            ),
            per_address=Limit(
                "login-address",
                "failed sign-ins from your address",
                settings.login_failures_per_ip,
                window,
            ),
        )

    async def attempt(
        self, session: AsyncSession, email: str, address: str | None, now: datetime
    ) -> SignInAttempt:
        """Count an attempt and commit the count before the password is checked; raises
        ``RateLimited`` (counting nothing) when either limit is reached."""
        by_email, by_address = email_subject(email), address_subject(address)
        email_hit = await count_hit(session, by_email, self.per_email, now)
        address_hit = await count_hit(session, by_address, self.per_address, now)
        await session.commit()
        return SignInAttempt(by_email, email_hit, by_address, address_hit)

    async def succeeded(self, session: AsyncSession, attempt: SignInAttempt) -> None:
        """A sign-in that succeeded is not a failure: take back its own count."""
        await refund_hit(session, attempt.email_subject, self.per_email, attempt.email_hit)
        await refund_hit(session, attempt.address_subject, self.per_address, attempt.address_hit)
        await session.commit()


@dataclass(frozen=True)
class SignUpThrottle:
    per_address: Limit

    @classmethod
    def from_settings(cls, settings: Settings) -> SignUpThrottle:
        return cls(
            Limit("signup-address", "sign-ups from your address", settings.signups_per_ip, HOUR)
        )

    async def attempt(self, session: AsyncSession, address: str | None, now: datetime) -> None:
        """Count a sign-up from ``address`` and commit the count before its password is
        hashed; raises ``RateLimited`` (counting nothing) past the limit. Every attempt
        that gets this far counts, a refused one (the address is taken) too."""
        await count_hit(session, address_subject(address), self.per_address, now)
        await session.commit()


@dataclass(frozen=True)
class PasswordResetThrottle:
    """Reset mails asked for, per e-mail address (so nobody floods one inbox) and per
    client address; unknown addresses count alike, so a 429 says nothing of who has an
    account."""

    per_email: Limit
    per_address: Limit

    @classmethod
    def from_settings(cls, settings: Settings) -> PasswordResetThrottle:
        return cls(
            per_email=Limit(
                "reset-email",
                "password resets for this e-mail address",
                settings.password_resets_per_email,
                HOUR,
            ),
            per_address=Limit(
                "reset-address",
                "password resets from your address",
                settings.password_resets_per_ip,
                HOUR,
            ),
        )

    async def attempt(
        self, session: AsyncSession, email: str, address: str | None, now: datetime
    ) -> None:
        await count_hit(session, email_subject(email), self.per_email, now)
        await count_hit(session, address_subject(address), self.per_address, now)
        await session.commit()
