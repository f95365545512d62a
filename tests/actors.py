"""The people in a test: accounts created the way each role really gets one."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import Role
from service.auth.services import AccountService

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


@dataclass
class Account:
    id: int
    email: str
    role: Role
    display_name: str
    token: str
    headers: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.headers = {"Authorization": f"Bearer {self.token}"}


class Actors:
    def __init__(self, api: AsyncTestClient, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.api = api
        self.sessions = sessions

    async def login(self, email: str, password: str = PASSWORD) -> str:
        response = await self.api.post(
            "/api/auth/login", json={"email": email, "password": password}
        )
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    async def _staff(self, role: Role, name: str | None) -> Account:
        """City staff and evaluators are created by the city (the CLI's path)."""
        n = next(_numbers)
        email = f"{role.value}{n}@example.org"
        display_name = name or f"{role.value.title()} {n}"
        async with self.sessions() as session:
            user = await AccountService(session).create(email, PASSWORD, role, display_name)
        assert user.id is not None
        return Account(user.id, email, role, display_name, await self.login(email))

    async def _self_registered(self, role: Role, name: str | None) -> Account:
        n = next(_numbers)
        email = f"{role.value}{n}@example.org"
        display_name = name or f"{role.value.title()} {n}"
        response = await self.api.post(
            "/api/auth/register",
            json={
                "email": email,
                "password": PASSWORD,
                "role": role.value,
                "display_name": display_name,
            },
        )
        assert response.status_code == 201, response.text
        token = await self.login(email)
        # The sign-up's answer names no account (it is the same for a taken address).
        me = await self.api.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        return Account(me.json()["id"], email, role, display_name, token)

    async def city(self, name: str | None = None) -> Account:
        return await self._staff(Role.CITY, name)

    async def evaluator(self, name: str | None = None) -> Account:
        return await self._staff(Role.EVALUATOR, name)

    async def startup(self, name: str | None = None) -> Account:
        return await self._self_registered(Role.STARTUP, name)

    async def resident(self, name: str | None = None) -> Account:
        return await self._self_registered(Role.RESIDENT, name)

    async def everyone(self) -> dict[str, Account | None]:
        """One account per role, and None for an anonymous caller."""
        return {
            "city": await self.city(),
            "startup": await self.startup(),
            "evaluator": await self.evaluator(),
            "resident": await self.resident(),
            "anonymous": None,
        }
