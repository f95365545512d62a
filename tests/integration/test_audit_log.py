"""The audit log: every state-changing request and every workflow decision, who, what,
when, from where, with before and after; readable by the city, append-only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.builders import create_challenge, open_challenge, wait_for_phase


async def entries(api, city, **filters) -> list[dict]:
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    response = await api.get(f"/api/audit?limit=100&{query}", headers=city.headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_a_request_and_its_changes_are_logged_with_before_and_after(api, actors):
    city = await actors.city()
    draft = await create_challenge(api, city, max_pilots=2)
    edited = await api.patch(
        f"/api/challenges/{draft['id']}",
        json={"max_pilots": 3},
        headers={**city.headers, "User-Agent": "office-laptop", "X-Forwarded-For": "10.1.2.3"},
    )
    request_id = edited.headers["x-request-id"]

    [request] = await entries(api, city, kind="request", request_id=request_id)
    assert request["action"] == "PATCH /api/challenges/{challenge_id}"
    assert (request["actor_kind"], request["actor_id"], request["actor_role"]) == (
        "user", city.id, "city",
    )  # fmt: skip
    assert request["status_code"] == 200
    assert (request["resource_type"], request["resource_id"]) == ("challenge", str(draft["id"]))
    # The peer's address as the server resolved it; the header is the caller's word
    # (tests/security/test_client_address.py covers trusted proxies).
    assert request["client_ip"] == "testclient"
    assert request["user_agent"] == "office-laptop"

    changes = await entries(api, city, kind="change", request_id=request_id)
    [change] = [c for c in changes if c["resource_type"] == "challenges"]
    assert change["action"] == "update"
    assert change["before"]["max_pilots"] == 2 and change["after"]["max_pilots"] == 3
    assert change["actor_id"] == city.id


async def test_refused_requests_are_logged_and_passwords_never(api, actors):
    city, startup = await actors.city(), await actors.startup()
    draft = await create_challenge(api, city)
    refused = await api.post(f"/api/challenges/{draft['id']}/publish", headers=startup.headers)
    assert refused.status_code == 403
    [entry] = await entries(api, city, request_id=refused.headers["x-request-id"])
    assert (entry["status_code"], entry["actor_id"]) == (403, startup.id)

    everything = await entries(api, city)
    assert "correct horse battery" not in str(everything)
    registered = [
        e for e in everything if e["resource_type"] == "users" and e["action"] == "insert"
    ]
    assert registered and all(e["after"]["password_hash"] == "***" for e in registered)


async def test_workflow_decisions_are_attributed_to_the_workflow(api, actors, temporal):
    city = await actors.city()
    challenge = await open_challenge(api, city, close_in=timedelta(days=5))
    await temporal.sleep(timedelta(days=6))
    await wait_for_phase(api, challenge["id"], "review")
    changes = await entries(api, city, kind="change", resource_type="challenges",
                            resource_id=challenge["id"])  # fmt: skip
    by_workflow = [c for c in changes if c["actor_kind"] == "workflow"]
    assert {(c["before"]["phase"], c["after"]["phase"]) for c in by_workflow} == {
        ("draft", "open"),
        ("open", "review"),
    }
    assert {c["workflow_id"] for c in by_workflow} == {f"challenge-{challenge['id']}"}


async def test_only_the_city_reads_it_and_nobody_rewrites_it(api, actors, sessions):
    city = await actors.city()
    await create_challenge(api, city)
    for outsider in (await actors.startup(), await actors.evaluator(), await actors.resident()):
        assert (await api.get("/api/audit", headers=outsider.headers)).status_code == 403
    assert (await api.get("/api/audit")).status_code == 401

    async with sessions() as session:
        with pytest.raises(DBAPIError, match="append-only"):
            await session.exec(text("UPDATE audit_log SET actor_id = NULL"))
    async with sessions() as session:
        with pytest.raises(DBAPIError, match="append-only"):
            await session.exec(text("DELETE FROM audit_log"))
    assert await entries(api, city)
