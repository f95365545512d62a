"""The signed token in every mail's unsubscribe link: whoever holds it may stop that
person's e-mail without signing in."""

from __future__ import annotations

import base64
import hashlib
import hmac

from service.ids import read_record_id
from service.paths import UNSUBSCRIBE_PATH
from service.settings import Settings


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _signature(secret: str, user_id: int) -> str:
    digest = hmac.new(secret.encode(), f"unsubscribe:{user_id}".encode(), hashlib.sha256)
    return _b64(digest.digest()[:18])


def unsubscribe_token(secret: str, user_id: int) -> str:
    """A token that lets whoever holds it stop ``user_id``'s e-mail, without signing in.
    It does not expire: an old mail's link keeps working."""
    return f"{user_id}.{_signature(secret, user_id)}"


def read_unsubscribe_token(secret: str, token: str) -> int | None:
    """The user id the token was made for, or None if it is not one of ours."""
    user_part, _, signature = token.partition(".")
    user_id = read_record_id(user_part)  # ASCII digits in the database's range only
    if user_id is None or not signature:
        return None
    # As bytes: compare_digest refuses str with characters past ASCII.
    if not hmac.compare_digest(signature.encode(), _signature(secret, user_id).encode()):
        return None
    return user_id


def unsubscribe_url(settings: Settings, user_id: int) -> str:
    token = unsubscribe_token(settings.signing_secret(), user_id)
    return f"{settings.base_url}{UNSUBSCRIBE_PATH}?token={token}"
