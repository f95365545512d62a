"""A request holds at most one pooled database connection at a time: the sign-in's
user is read in the request's own session (service/http/request_session.py), which is
released before anything else in the request takes a connection of its own. So more
signed-in requests at once than the pool has connections, each of which also needs a
second one (an idempotent replay, the audit entry of a refusal, a readiness check sent
with a token), are all answered, none left waiting for a connection until it fails."""

from __future__ import annotations

from tests.at_once import at_once, serve, statuses
from tests.builders import challenge_body

# More than either pool holds: SQLite's 5 + 10 overflow, PostgreSQL's 20 + 10.
AT_ONCE = 40


async def test_more_replays_at_once_than_the_pool_has_connections_are_all_answered(
    api, actors, settings, sessions
):
    city = await actors.city()
    headers = {**city.headers, "Idempotency-Key": "one-draft"}
    with serve(settings) as server:
        responses = await at_once(
            server, AT_ONCE, "POST", "/api/challenges", json=challenge_body(), headers=headers
        )
    # One creates the draft; the others get its answer, or 409 while it is in flight.
    assert set(statuses(responses)) <= {201, 409}, [r.text for r in responses][:3]
    created = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created) == 1
    drafts = (await api.get("/api/challenges?phase=draft", headers=city.headers)).json()
    assert [c["id"] for c in drafts["items"]] == list(created)


async def test_more_refused_writes_and_checks_at_once_than_connections_are_all_answered(
    api, actors, settings
):
    startup = await actors.startup()
    with serve(settings) as server:
        refused = await at_once(
            server, AT_ONCE, "POST", "/api/challenges", json=challenge_body(),
            headers=startup.headers,
        )  # fmt: skip
        ready = await at_once(server, AT_ONCE, "GET", "/api/ready", headers=startup.headers)
    assert statuses(refused) == [403] * AT_ONCE
    # No Temporal in this test, so "not ready"; what counts is the database's answer.
    assert {r.json()["extra"]["database"] for r in ready} == {"ok"}, ready[0].text
