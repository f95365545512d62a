"""Password guessing: failed sign-ins are limited per e-mail address and per client
address, counted in the database (so across API processes), answered with 429 and
Retry-After, and a successful sign-in gives an attacker nothing back."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from litestar.testing import AsyncTestClient
from sqlalchemy import update

from service.app import create_app
from service.ratelimit import RateLimitWindow
from tests.actors import PASSWORD

LOGIN = "/api/auth/login"
WINDOW_SECONDS = 15 * 60  # the default PROEFTUIN_LOGIN_THROTTLE_MINUTES


async def sign_in(api, email: str, password: str):
    return await api.post(LOGIN, json={"email": email, "password": password})


def assert_throttled(response) -> None:
    assert response.status_code == 429, response.text
    retry_after = int(response.headers["retry-after"])
    assert 0 < retry_after <= WINDOW_SECONDS
    assert response.json()["extra"]["retry_after"] == retry_after
    assert "access_token" not in response.text


async def test_guessing_one_account_is_stopped_even_for_the_right_password(api, actors, settings):
    victim, bystander = await actors.startup(), await actors.resident()
    limit = settings.login_failures_per_email
    async with AsyncTestClient(app=create_app(settings)) as second_api:
        # Guesses spread over two API processes share one count.
        for n in range(limit):
            client = api if n % 2 == 0 else second_api
            assert (await sign_in(client, victim.email, f"guess {n}")).status_code == 401
        assert_throttled(await sign_in(second_api, victim.email, "one more guess"))
    # Now even the right password is refused until the window ends: a guess that
    # happens to be right cannot be told from a wrong one.
    assert_throttled(await sign_in(api, victim.email, PASSWORD))
    # Other accounts sign in as usual.
    assert (await sign_in(api, bystander.email, PASSWORD)).status_code == 200


async def test_unknown_addresses_are_throttled_like_known_ones(api, settings):
    for n in range(settings.login_failures_per_email):
        response = await sign_in(api, "nobody@example.org", f"guess {n}")
        assert response.status_code == 401
    assert_throttled(await sign_in(api, "Nobody@Example.org ", "guess"))


async def test_a_successful_sign_in_does_not_clear_earlier_failures(api, actors, settings):
    user = await actors.resident()
    limit = settings.login_failures_per_email
    for n in range(limit - 1):
        assert (await sign_in(api, user.email, f"typo {n}")).status_code == 401
    # Successes are not failures: they never use up the allowance ...
    for _ in range(3):
        assert (await sign_in(api, user.email, PASSWORD)).status_code == 200
    # ... and do not reset it either: one more failure and the account is throttled.
    assert (await sign_in(api, user.email, "typo again")).status_code == 401
    assert_throttled(await sign_in(api, user.email, PASSWORD))


async def test_the_throttle_ends_with_its_window(api, actors, settings, sessions):
    user = await actors.resident()
    for n in range(settings.login_failures_per_email):
        await sign_in(api, user.email, f"typo {n}")
    assert_throttled(await sign_in(api, user.email, PASSWORD))
    async with sessions() as session:  # the quarter of an hour passes
        await session.exec(
            update(RateLimitWindow).values(
                window_start=RateLimitWindow.window_start - timedelta(seconds=WINDOW_SECONDS)
            )
        )
        await session.commit()
    assert (await sign_in(api, user.email, PASSWORD)).status_code == 200


async def test_one_client_guessing_many_accounts_is_stopped(actors, settings):
    strict = settings.model_copy(update={"login_failures_per_ip": 4})
    attacker = await actors.startup()  # an account of the attacker's own
    victims = [await actors.resident() for _ in range(3)]
    async with AsyncTestClient(app=create_app(strict)) as api:
        for victim in victims[:2]:
            assert (await sign_in(api, victim.email, "Summer2026!")).status_code == 401
        # Signing in to its own account between guesses does not reset the count.
        assert (await sign_in(api, attacker.email, PASSWORD)).status_code == 200
        assert (await sign_in(api, victims[2].email, "Summer2026!")).status_code == 401
        assert (await sign_in(api, "unknown@example.org", "Summer2026!")).status_code == 401
        response = await sign_in(api, victims[0].email, PASSWORD)
    assert response.status_code == 429, response.text
    assert "from your address" in response.json()["detail"]


async def test_guesses_sent_all_at_once_are_counted_exactly(api, actors, settings):
    user = await actors.resident()
    responses = await asyncio.gather(
        *(sign_in(api, user.email, f"parallel {n}") for n in range(12))
    )
    codes = sorted(r.status_code for r in responses)
    limit = settings.login_failures_per_email
    assert codes == [401] * limit + [429] * (12 - limit)
