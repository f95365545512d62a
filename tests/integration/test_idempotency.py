"""Idempotency-Key: a retried POST returns the first result and creates nothing new."""

from __future__ import annotations

import asyncio

from sqlalchemy import func
from sqlmodel import select

from service.challenges.models import Challenge
from service.notifications.tokens import unsubscribe_token
from service.proposals.models import Proposal
from tests.builders import challenge_body, open_challenge, proposal_body


async def count(sessions, model) -> int:
    async with sessions() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def test_a_retried_post_returns_the_first_result_and_creates_nothing(
    api, actors, sessions, worker
):
    city, startup = await actors.city(), await actors.startup()
    challenge = await open_challenge(api, city)
    url = f"/api/challenges/{challenge['id']}/proposals"
    headers = {**startup.headers, "Idempotency-Key": "submit-7f3a"}

    first = await api.post(url, json=proposal_body(), headers=headers)
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    retry = await api.post(url, json=proposal_body(), headers=headers)
    assert retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json()
    assert await count(sessions, Proposal) == 1

    # Without a key, or with a new one, it is a new request.
    fresh = await api.post(url, json=proposal_body(), headers={**startup.headers,
                           "Idempotency-Key": "submit-other"})  # fmt: skip
    assert fresh.status_code == 201 and fresh.json()["id"] != first.json()["id"]
    assert await count(sessions, Proposal) == 2


async def test_the_same_key_for_another_request_is_refused(api, actors, sessions):
    city = await actors.city()
    headers = {**city.headers, "Idempotency-Key": "draft-1"}
    assert (
        await api.post("/api/challenges", json=challenge_body(), headers=headers)
    ).status_code == 201
    other = await api.post(
        "/api/challenges", json=challenge_body(title="Another problem"), headers=headers
    )
    assert other.status_code == 422
    assert other.json()["extra"][0]["key"] == "Idempotency-Key"
    assert await count(sessions, Challenge) == 1


async def test_keys_are_private_to_their_sender(api, actors, sessions):
    city, colleague = await actors.city(), await actors.city()
    body = challenge_body()
    mine = await api.post("/api/challenges", json=body,
                          headers={**city.headers, "Idempotency-Key": "k"})  # fmt: skip
    theirs = await api.post("/api/challenges", json=body,
                            headers={**colleague.headers, "Idempotency-Key": "k"})  # fmt: skip
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert "idempotent-replayed" not in theirs.headers


async def test_concurrent_retries_create_one_record(api, actors, sessions, worker):
    city, startup = await actors.city(), await actors.startup()
    challenge = await open_challenge(api, city)
    url = f"/api/challenges/{challenge['id']}/proposals"
    headers = {**startup.headers, "Idempotency-Key": "burst"}
    responses = await asyncio.gather(
        *(api.post(url, json=proposal_body(), headers=headers) for _ in range(6))
    )
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}
    created = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created) == 1
    assert await count(sessions, Proposal) == 1
    assert all(r.headers.get("retry-after") for r in responses if r.status_code == 409)


async def test_a_refusal_is_replayed_too_and_bad_keys_are_named(api, actors, worker):
    city, startup = await actors.city(), await actors.startup()
    challenge = await open_challenge(api, city, pilot_budget_cap_eur=100)
    url = f"/api/challenges/{challenge['id']}/proposals"
    headers = {**startup.headers, "Idempotency-Key": "over-budget"}
    first = await api.post(url, json=proposal_body(budget_eur=101), headers=headers)
    again = await api.post(url, json=proposal_body(budget_eur=101), headers=headers)
    assert first.status_code == again.status_code == 422
    assert again.json() == first.json()

    too_long = await api.post(url, json=proposal_body(), headers={**startup.headers,
                              "Idempotency-Key": "x" * 201})  # fmt: skip
    assert too_long.status_code == 422
    assert too_long.json()["extra"][0]["key"] == "Idempotency-Key"


async def test_login_is_never_replayed(api, actors):
    resident = await actors.resident()
    body = {"email": resident.email, "password": "correct horse battery"}
    headers = {"Idempotency-Key": "login"}
    first = await api.post("/api/auth/login", json=body, headers=headers)
    second = await api.post("/api/auth/login", json=body, headers=headers)
    assert first.status_code == second.status_code == 200
    assert "idempotent-replayed" not in second.headers


async def email_preference(api, account) -> str:
    response = await api.get("/api/me/email-preference", headers=account.headers)
    return response.json()["email_preference"]


async def test_an_anonymous_key_never_hands_out_another_request_s_answer(api, actors, settings):
    """Issue 10: anonymous keys were shared by every anonymous caller, and the query
    string was not part of the request, so reader B's one-click unsubscribe with reader
    A's key got A's stored answer: A's e-mail address."""
    a, b = await actors.resident(), await actors.resident()
    secret = settings.signing_secret()
    a_link = f"/api/unsubscribe?token={unsubscribe_token(secret, a.id)}"
    b_link = f"/api/unsubscribe?token={unsubscribe_token(secret, b.id)}"
    key = {"Idempotency-Key": "unsubscribe-1"}

    first = await api.post(a_link, headers=key)
    assert first.status_code == 200 and first.json()["email"] == a.email

    other = await api.post(b_link, headers=key)
    assert other.status_code == 200, other.text  # not a 422 that says the key is taken
    assert "idempotent-replayed" not in other.headers
    assert other.json()["email"] == b.email
    assert a.email not in other.text
    assert await email_preference(api, b) == "none"

    # The identical request is still replayed (it tells nothing its sender did not know).
    again = await api.post(a_link, headers=key)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    # And B's answer, kept under the same key, is B's alone.
    b_again = await api.post(b_link, headers=key)
    assert b_again.json()["email"] == b.email


async def test_an_anonymous_key_with_another_body_just_runs(api):
    """Two people signing up anonymously with the same key each get their own account,
    not the other's answer, nor a 422 that tells them the key is in use."""
    key = {"Idempotency-Key": "sign-up"}
    made = []
    for name in ("ann", "bob"):
        body = {
            "email": f"{name}-idem@example.org",
            "password": "correct horse battery",
            "role": "resident",
            "display_name": name,
        }
        response = await api.post("/api/auth/register", json=body, headers=key)
        assert response.status_code == 201, response.text
        assert "idempotent-replayed" not in response.headers
        made.append(response.json())
    assert [m["email"] for m in made] == ["ann-idem@example.org", "bob-idem@example.org"]


async def test_a_signed_in_key_with_another_query_string_is_refused(api, actors, settings):
    resident, other = await actors.resident(), await actors.resident()
    secret = settings.signing_secret()
    headers = {**resident.headers, "Idempotency-Key": "mine"}
    own = f"/api/unsubscribe?token={unsubscribe_token(secret, resident.id)}"
    first = await api.post(own, headers=headers)
    assert first.status_code == 200 and first.json()["email"] == resident.email

    theirs = f"/api/unsubscribe?token={unsubscribe_token(secret, other.id)}"
    refused = await api.post(theirs, headers=headers)
    assert refused.status_code == 422, refused.text
    assert refused.json()["extra"][0]["key"] == "Idempotency-Key"
    assert resident.email not in refused.text
    assert await email_preference(api, other) == "immediate"  # it did not run either
