"""The signed links of account mail (a password reset, an invitation), and the key that
ties a sign-in to the password it was made with.

A link's token names the account, what it is for, when it expires, and a fingerprint of
the account's password hash at the time it was made: setting a password changes the
hash, so a used link (and every other link sent before) stops working. Nothing is
stored; the signature is an HMAC with the service's signing secret.

The same fingerprint goes into every access token (``session_key``): a token made
before the password changed no longer lets anyone in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from service.ids import read_record_id

PASSWORD_RESET = "password-reset"
INVITATION = "invitation"
VERIFY_EMAIL = "verify-email"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def session_key(secret: str, password_hash: str) -> str:
    """A short digest of the password hash (never the hash itself, which a token would
    carry where anyone holding it can read it)."""
    digest = hmac.new(secret.encode(), f"password:{password_hash}".encode(), hashlib.sha256)
    return _b64(digest.digest()[:12])


def _signature(secret: str, purpose: str, user_id: int, expires: int, key: str) -> str:
    message = f"{purpose}:{user_id}:{expires}:{key}".encode()
    return _b64(hmac.new(secret.encode(), message, hashlib.sha256).digest()[:18])


def account_link_token(
    secret: str, purpose: str, user_id: int, password_hash: str, expires_at: datetime
) -> str:
    expires = int(expires_at.timestamp())
    key = session_key(secret, password_hash)
    return f"{user_id}.{expires}.{_signature(secret, purpose, user_id, expires, key)}"


@dataclass(frozen=True)
class AccountLink:
    user_id: int
    expires: int
    signature: str

    def expired(self, now: datetime) -> bool:
        return now.timestamp() >= self.expires

    def matches(self, secret: str, purpose: str, password_hash: str) -> bool:
        """Made by us for this purpose and the account's current password."""
        key = session_key(secret, password_hash)
        expected = _signature(secret, purpose, self.user_id, self.expires, key)
        # As bytes: compare_digest refuses str with characters past ASCII.
        return hmac.compare_digest(self.signature.encode(), expected.encode())


def read_account_link_token(token: str) -> AccountLink | None:
    """The parts of a token, or None if it cannot be one of ours (checked further by
    ``AccountLink.matches`` against the account it names)."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[2] or len(token) > 200:
        return None
    user_id = read_record_id(parts[0])
    expires = parts[1]
    if user_id is None or not (expires.isascii() and expires.isdigit()) or len(expires) > 12:
        return None
    return AccountLink(user_id, int(expires), parts[2])
