from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.auth import LoginRequest, RegisterRequest, TokenResponse, UserPublic
from service.auth.guards import requires_login
from service.auth.identity import CurrentUser
from service.auth.services import AccountService


def provide_account_service(db_session: NamedDependency[AsyncSession]) -> AccountService:
    return AccountService(db_session)


class AuthController(Controller):
    path = "/api"
    tags = ["accounts"]
    dependencies = {"accounts": Provide(provide_account_service, sync_to_thread=False)}

    @post("/auth/register", summary="Create a startup or resident account")
    async def register(
        self, data: JSONBody[RegisterRequest], accounts: NamedDependency[AccountService]
    ) -> UserPublic:
        return await accounts.register(data)

    @post("/auth/login", status_code=200, summary="Exchange e-mail and password for a token")
    async def login(
        self,
        data: JSONBody[LoginRequest],
        accounts: NamedDependency[AccountService],
        request: Request[Any, Any, Any],
    ) -> TokenResponse:
        user = await accounts.authenticate(data.email, data.password)
        jwt_auth = request.app.state.jwt_auth
        token = jwt_auth.create_token(identifier=str(user.id), token_extras={"role": user.role})
        return TokenResponse(
            access_token=token,
            expires_in=int(jwt_auth.default_token_expiration.total_seconds()),
        )

    @get("/me", guards=[requires_login], summary="The signed-in account")
    async def me(
        self, accounts: NamedDependency[AccountService], user: NamedDependency[CurrentUser]
    ) -> UserPublic:
        return await accounts.get(user.id)
