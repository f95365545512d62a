"""Accounts: self-service registration, login, the current user, and the CLI."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from service.settings import Settings
from tests.actors import PASSWORD


async def register(api, **overrides):
    body = {
        "email": "ada@example.org",
        "password": PASSWORD,
        "role": "startup",
        "display_name": "Ada's Shades BV",
    }
    body.update(overrides)
    return await api.post("/api/auth/register", json=body)


@pytest.mark.parametrize("role", ["startup", "resident"])
async def test_a_startup_or_resident_registers_signs_in_and_sees_itself(api, role):
    created = await register(api, role=role, email=f"{role}@example.org")
    assert created.status_code == 201, created.text
    assert created.json()["role"] == role
    assert created.json()["email"] == f"{role}@example.org"
    assert PASSWORD not in created.text and "password_hash" not in created.text

    login = await api.post(
        "/api/auth/login", json={"email": f"{role.upper()}@Example.org", "password": PASSWORD}
    )
    assert login.status_code == 200
    assert login.json()["token_type"] == "Bearer"

    me = await api.get(
        "/api/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["email"] == f"{role}@example.org"
    assert me.json()["role"] == role
    assert me.json()["display_name"] == created.json()["display_name"]


@pytest.mark.parametrize("role", ["city", "evaluator", "admin"])
async def test_self_service_never_grants_city_or_evaluator(api, role):
    response = await register(api, role=role)
    assert response.status_code == 422
    assert [e["key"] for e in response.json()["extra"]] == ["role"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "not-an-address"), ("password", "short"), ("display_name", "")],
)
async def test_bad_registration_names_the_field(api, field, value):
    response = await register(api, **{field: value})
    assert response.status_code == 422
    assert field in [e["key"] for e in response.json()["extra"]]


@pytest.mark.parametrize(
    "password",
    ["1234567890", "password12", "aaaaaaaaaa", "qwertyuiop", "ada@example.org", "Ada's Shades BV"],
)
async def test_common_and_guessable_passwords_are_refused_with_a_reason(api, password):
    response = await register(api, password=password)
    assert response.status_code == 422
    [error] = response.json()["extra"]
    assert error["key"] == "password"
    assert "too easy to guess" in error["message"]
    # Nothing was created: the right e-mail address can still register.
    assert (await register(api)).status_code == 201


async def test_an_email_address_registers_once_and_a_second_try_answers_alike(api):
    """A taken address is answered exactly as a new one (its owner is mailed instead:
    tests/integration/mail/test_sign_up_known_address.py); the first password stays."""
    first = await register(api)
    again = await register(api, email="ADA@example.org", password="another long passphrase")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    kept = await api.post(
        "/api/auth/login", json={"email": "ada@example.org", "password": PASSWORD}
    )
    assert kept.status_code == 200
    other = await api.post(
        "/api/auth/login",
        json={"email": "ada@example.org", "password": "another long passphrase"},
    )
    assert other.status_code == 401


async def test_wrong_password_and_unknown_address_are_refused_alike(api):
    await register(api)
    wrong = await api.post(
        "/api/auth/login", json={"email": "ada@example.org", "password": "wrong password"}
    )
    unknown = await api.post(
        "/api/auth/login", json={"email": "nobody@example.org", "password": PASSWORD}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]


async def test_me_needs_a_valid_token(api):
    assert (await api.get("/api/me")).status_code == 401
    forged = await api.get("/api/me", headers={"Authorization": "Bearer not.a.token"})
    assert forged.status_code == 401


async def test_users_create_on_the_command_line_makes_any_role(api, settings: Settings):
    env = {
        **os.environ,
        "PROEFTUIN_DATABASE_URL": settings.resolved_database_url,
        "PROEFTUIN_DATA_DIR": str(settings.data_dir),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service.cli", "users", "create",
        "--email", "officer@city.example.org", "--password", PASSWORD,
        "--role", "city", "--display-name", "Innovation Office",
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()
    assert "created city account" in output.decode()

    login = await api.post(
        "/api/auth/login", json={"email": "officer@city.example.org", "password": PASSWORD}
    )
    token = login.json()["access_token"]
    me = await api.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["role"] == "city"

    bad = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service.cli", "users", "create",
        "--email", "x@example.org", "--password", PASSWORD, "--role", "mayor",
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    bad_output, _ = await bad.communicate()
    assert bad.returncode != 0
    assert "--role" in bad_output.decode()


async def test_users_create_asks_for_the_password_and_users_list_prints_the_accounts(
    api, settings: Settings
):
    env = {
        **os.environ,
        "PROEFTUIN_DATABASE_URL": settings.resolved_database_url,
        "PROEFTUIN_DATA_DIR": str(settings.data_dir),
    }

    async def cli(*args: str, typed: str = "") -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "service.cli", "users", *args,
            env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # no terminal: getpass reads the typed lines from stdin
        )  # fmt: skip
        output, _ = await process.communicate(typed.encode())
        assert process.returncode is not None
        return process.returncode, output.decode()

    create = ("create", "--email", "first@city.example.org", "--role", "city")
    code, output = await cli(
        *create, "--display-name", "First Officer", typed=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert code == 0, output
    assert "created city account" in output and PASSWORD not in output
    login = await api.post(
        "/api/auth/login", json={"email": "first@city.example.org", "password": PASSWORD}
    )
    assert login.status_code == 200

    # The two answers must match.
    code, output = await cli(
        "create", "--email", "second@city.example.org", "--role", "city",
        typed=f"{PASSWORD}\nsomething else entirely\n",
    )  # fmt: skip
    assert code != 0

    code, output = await cli("list")
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].split() == ["ID", "ROLE", "STATUS", "E-MAIL", "NAME"]
    assert any(
        line.split()[1:] == ["city", "active", "first@city.example.org", "First", "Officer"]
        for line in lines[1:]
    )
    assert "second@city.example.org" not in output
