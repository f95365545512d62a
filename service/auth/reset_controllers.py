"""Password reset through the JSON API: ask for a link by e-mail, then set the new
password with the link's token (the pages do the same at /password-reset)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.accounts import PasswordResetConfirm, PasswordResetRequest, PasswordResetRequested
from schemas.auth import TokenResponse
from service.auth.jwt import access_token
from service.auth.mail import deliver, language_of
from service.auth.password_reset import PasswordResetService
from service.auth.throttle import PasswordResetThrottle
from service.http.openapi import refusals


def provide_password_resets(
    db_session: NamedDependency[AsyncSession], state: State
) -> PasswordResetService:
    return PasswordResetService(
        db_session, state.settings, PasswordResetThrottle.from_settings(state.settings)
    )


class PasswordResetController(Controller):
    path = "/api/auth/password-reset"
    tags = ["accounts"]
    dependencies = {"resets": Provide(provide_password_resets, sync_to_thread=False)}

    @post(
        "/",
        status_code=202,
        summary="Ask for a link to choose a new password",
        description="Answers 202 with the same body whether or not the address has an "
        "account; only an active account is mailed (in the language of Accept-Language, "
        "English or Dutch), with a link to /password-reset/new that works once, for "
        "PROEFTUIN_PASSWORD_RESET_MINUTES. Limited per e-mail address "
        "(PROEFTUIN_PASSWORD_RESETS_PER_EMAIL an hour) and per client address "
        "(PROEFTUIN_PASSWORD_RESETS_PER_IP): past either, 429 with Retry-After.",
        responses=refusals(429),
    )
    async def request_reset(
        self,
        data: JSONBody[PasswordResetRequest],
        resets: NamedDependency[PasswordResetService],
        request: Request[Any, Any, Any],
        state: State,
    ) -> Response[PasswordResetRequested]:
        address = request.client.host if request.client else None
        language = language_of(request.headers.get("accept-language"))
        message = await resets.request(data.email, address, language)
        # Sent after the answer, so the answer takes as long for an unknown address.
        background = BackgroundTask(deliver, state.settings, message) if message else None
        return Response(PasswordResetRequested(), status_code=202, background=background)

    @post(
        "/confirm",
        status_code=200,
        summary="Choose a new password with the token from the mail",
        description="Sets the password (the sign-up rules apply: 422 on `password`) and "
        "signs in: the answer is a token, as from /api/auth/login. The link then stops "
        "working, and so does every token handed out before. An expired, used or unknown "
        "token is refused with 422 on `token`.",
    )
    async def confirm_reset(
        self,
        data: JSONBody[PasswordResetConfirm],
        resets: NamedDependency[PasswordResetService],
        request: Request[Any, Any, Any],
    ) -> TokenResponse:
        user = await resets.confirm(data.token, data.password)
        jwt_auth = request.app.state.jwt_auth
        return TokenResponse(
            access_token=access_token(jwt_auth, user),
            expires_in=int(jwt_auth.default_token_expiration.total_seconds()),
        )
