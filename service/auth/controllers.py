from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.accounts import RegistrationAnswer
from schemas.auth import LoginRequest, RegisterRequest, TokenResponse, UserPublic
from service.auth.guards import requires_login
from service.auth.identity import CurrentUser
from service.auth.jwt import access_token
from service.auth.mail import deliver, language_of
from service.auth.services import AccountService, normalise_email
from service.auth.throttle import LoginThrottle, SignUpThrottle
from service.http.openapi import refusals


def provide_account_service(
    db_session: NamedDependency[AsyncSession], state: State
) -> AccountService:
    return AccountService(
        db_session,
        LoginThrottle.from_settings(state.settings),
        SignUpThrottle.from_settings(state.settings),
        state.settings,
    )


class AuthController(Controller):
    path = "/api"
    tags = ["accounts"]
    dependencies = {"accounts": Provide(provide_account_service, sync_to_thread=False)}

    @post(
        "/auth/register",
        summary="Create a startup or resident account",
        description="The answer is the same (201, the same body) whether the address is new "
        "or already has an account: then nothing is made, and the account's owner is mailed "
        "(sign in, or choose a new password) instead. Sign in with /api/auth/login to get a "
        "token and the account's id (GET /api/me). Sign-ups are limited per client address "
        "(PROEFTUIN_SIGNUPS_PER_IP an hour): past the limit the answer is 429 with "
        "Retry-After.",
        responses=refusals(429),
    )
    async def register(
        self,
        data: JSONBody[RegisterRequest],
        accounts: NamedDependency[AccountService],
        request: Request[Any, Any, Any],
        state: State,
    ) -> Response[RegistrationAnswer]:
        address = request.client.host if request.client else None
        language = language_of(request.headers.get("accept-language"))
        signed_up = await accounts.sign_up(data, address, language)
        answer = RegistrationAnswer(
            email=normalise_email(data.email), role=data.role, display_name=data.display_name
        )
        # The owner's mail goes after the answer, so both answers take as long.
        mail = signed_up.mail
        background = BackgroundTask(deliver, state.settings, mail) if mail else None
        return Response(answer, status_code=201, background=background)

    @post(
        "/auth/login",
        status_code=200,
        summary="Exchange e-mail and password for a token",
        description="Failed sign-ins are limited per e-mail address and per client address: "
        "past the limit the answer is 429 with Retry-After, even for the right password.",
        responses=refusals(401, 429),  # a wrong e-mail address or password
    )
    async def login(
        self,
        data: JSONBody[LoginRequest],
        accounts: NamedDependency[AccountService],
        request: Request[Any, Any, Any],
    ) -> TokenResponse:
        address = request.client.host if request.client else None
        user = await accounts.sign_in(data.email, data.password, address)
        jwt_auth = request.app.state.jwt_auth
        token = access_token(jwt_auth, user)
        return TokenResponse(
            access_token=token,
            expires_in=int(jwt_auth.default_token_expiration.total_seconds()),
        )

    @get("/me", guards=[requires_login], summary="The signed-in account")
    async def me(
        self, accounts: NamedDependency[AccountService], user: NamedDependency[CurrentUser]
    ) -> UserPublic:
        return await accounts.get(user.id)
