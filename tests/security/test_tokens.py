"""Access tokens: they expire, they are signed with our secret only, and an account that
is switched off loses its tokens at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from tests.actors import PASSWORD
from tests.conftest import TEST_JWT_SECRET
from tests.processes import ServiceProcess


def claims(token: str) -> dict:
    return jwt.decode(token, TEST_JWT_SECRET, algorithms=["HS256"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_token_lives_as_long_as_the_setting_says(api, actors, settings):
    resident = await actors.resident()
    response = await api.post(
        "/api/auth/login", json={"email": resident.email, "password": PASSWORD}
    )
    body = response.json()
    ttl = timedelta(minutes=settings.token_ttl_minutes)
    assert body["expires_in"] == ttl.total_seconds()
    issued = claims(body["access_token"])
    assert issued["exp"] - issued["iat"] == ttl.total_seconds()


async def test_an_expired_token_is_refused(api, actors, settings):
    resident = await actors.resident()
    assert (await api.get("/api/me", headers=resident.headers)).status_code == 200
    # The same token as issued a day ago: signed with our secret, past its expiry.
    issued = claims(resident.token)
    day_ago = datetime.now(UTC) - timedelta(days=1)
    issued["iat"] = int(day_ago.timestamp())
    issued["exp"] = int((day_ago + timedelta(minutes=settings.token_ttl_minutes)).timestamp())
    expired = jwt.encode(issued, TEST_JWT_SECRET, algorithm="HS256")
    response = await api.get("/api/me", headers=bearer(expired))
    assert response.status_code == 401, response.text
    # Refused on public pages too, so a client learns to sign in again.
    assert (await api.get("/api/challenges", headers=bearer(expired))).status_code == 401


async def test_forged_tokens_are_refused(api, actors):
    city = await actors.city()
    resident = await actors.resident()
    as_city = {**claims(resident.token), "sub": str(city.id), "extras": {"role": "city"}}
    forgeries = {
        "another secret": jwt.encode(as_city, "an attacker's secret " * 3, algorithm="HS256"),
        "no signature": jwt.encode(as_city, key=None, algorithm="none"),  # type: ignore[arg-type]
        "garbage": "not.a.token",
    }
    for name, token in forgeries.items():
        response = await api.post("/api/challenges", json={}, headers=bearer(token))
        assert response.status_code == 401, f"{name}: {response.status_code} {response.text}"


async def users_command(settings, tmp_path, *args: str) -> str:
    command = ServiceProcess(
        ["users", *args],
        {
            "PROEFTUIN_DATABASE_URL": settings.resolved_database_url,
            "PROEFTUIN_DATA_DIR": str(settings.data_dir),
        },
        tmp_path / "users.log",
    )
    await command.start()
    assert await command.process.wait() == 0, command.output()
    return command.output()


async def test_a_deactivated_account_loses_its_tokens_at_once(api, actors, settings, tmp_path):
    startup = await actors.startup()
    assert (await api.get("/api/me", headers=startup.headers)).status_code == 200
    await users_command(settings, tmp_path, "deactivate", "--email", startup.email)
    assert (await api.get("/api/me", headers=startup.headers)).status_code == 401
    login = await api.post("/api/auth/login", json={"email": startup.email, "password": PASSWORD})
    assert login.status_code == 401
    assert "access_token" not in login.text

    await users_command(settings, tmp_path, "activate", "--email", startup.email)
    assert (await api.get("/api/me", headers=startup.headers)).status_code == 200
