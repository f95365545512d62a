"""Bearer-token authentication on Litestar's ``JWTAuth``, with anonymous reads allowed.

Litestar's middleware refuses a request without a token; ours lets it through with
``user=None`` so public pages work, and the guards decide who may do what.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.authentication import AuthenticationResult
from litestar.security.jwt import JWTAuth, JWTAuthenticationMiddleware, Token
from sqlalchemy import select
from sqlmodel import col

from schemas.common import Role
from service.auth.identity import CurrentUser
from service.auth.links import session_key
from service.auth.models import User
from service.http.request_session import request_session
from service.ids import read_record_id


class OptionalJWTAuthenticationMiddleware(JWTAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        if not connection.headers.get(self.auth_header):
            return AuthenticationResult(user=None, auth=None)
        return await super().authenticate_request(connection)


async def retrieve_user(token: Token, connection: ASGIConnection[Any, Any, Any, Any]) -> Any:
    # Signed by us, but its subject must still be an id the database can hold: int()
    # would take "²" or a number past 64 bits, and the database driver would fail on it.
    user_id = read_record_id(token.sub)
    if user_id is None:
        return None
    # Columns, not the entity: the request's own session (service/http/request_session.py)
    # goes on to the handler, whose reads of the account must not find this copy.
    account: Any = select(  # seven columns: more than the typed overloads name
        *(col(c) for c in (User.email, User.role, User.display_name, User.language,
                           User.email_verified_at, User.password_hash, User.is_active))
    ).where(col(User.id) == user_id)  # fmt: skip
    found = await request_session(connection.scope).exec(account)
    row = found.one_or_none()
    if row is None:
        return None
    email, role, display_name, language, verified_at, password_hash, is_active = row
    if not is_active:
        return None
    # Made before the password last changed (a reset): that sign-in has ended.
    key = token.extras.get("key")
    secret = connection.app.state.jwt_auth.token_secret
    if not isinstance(key, str) or key != session_key(secret, password_hash):
        return None
    verifies = connection.app.state.settings.verifies_email
    return CurrentUser(
        id=user_id,
        email=email,
        role=Role(role),
        display_name=display_name,
        language=language,
        email_verified=verified_at is not None or not verifies,
    )


def access_token(jwt_auth: JWTAuth[Any, Token], user: User) -> str:
    """The token a sign-in hands out (the API's bearer token, the page session's
    content): the account, its role, and the key of its current password."""
    key = session_key(jwt_auth.token_secret, user.password_hash)
    return jwt_auth.create_token(
        identifier=str(user.id), token_extras={"role": user.role, "key": key}
    )


def create_jwt_auth(secret: str, ttl: timedelta) -> JWTAuth[Any, Token]:
    return JWTAuth[Any, Token](
        retrieve_user_handler=retrieve_user,
        token_secret=secret,
        default_token_expiration=ttl,
        authentication_middleware_class=OptionalJWTAuthenticationMiddleware,
        # /metrics has its own token; the health checks need no user, and must not hold
        # a connection for one while they take their own (service/http/request_session.py).
        exclude=["^/schema", "^/static", "^/metrics$", "^/api/(health|ready)$"],
    )
