"""Request size limits: a body past PROEFTUIN_MAX_REQUEST_BODY_BYTES gets 413 before it
is read, lists are capped, and numbers past the database's range get a 422 or a 404,
never a database error."""

from __future__ import annotations

import json

import httpx
from litestar.testing import AsyncTestClient

from service.app import create_app
from tests.builders import challenge_body, challenge_in_review, create_challenge
from tests.security.served import ThreadedApi


async def test_a_body_past_the_limit_gets_413(api, actors, settings):
    city = await actors.city()
    huge = challenge_body(problem_statement="heat " * (settings.max_request_body_bytes // 4))
    response = await api.post("/api/challenges", json=huge, headers=city.headers)
    assert response.status_code == 413, response.text
    # Just under the limit is read as usual (and refused for what it says, not its size).
    fits = challenge_body(problem_statement="heat " * 3000)
    assert (await api.post("/api/challenges", json=fits, headers=city.headers)).status_code == 201


async def test_a_chunked_body_past_the_limit_gets_413(settings, worker):
    """A client that does not say how long its body is (chunked transfer), over real
    HTTP: reading stops at the limit."""
    encoded = json.dumps({"email": "a@example.org", "padding": "x" * (2 * 1024 * 1024)})

    async def chunks():
        for start in range(0, len(encoded), 65536):
            yield encoded[start : start + 65536].encode()

    server = ThreadedApi(settings).start()
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as client:
            response = await client.post(
                "/api/auth/register",
                content=chunks(),
                headers={"content-type": "application/json"},
            )
    finally:
        server.stop()
    assert response.status_code == 413, response.text


async def test_the_limit_is_a_setting(actors, settings):
    small = settings.model_copy(update={"max_request_body_bytes": 2048})
    city = await actors.city()
    async with AsyncTestClient(app=create_app(small)) as api:
        body = challenge_body(problem_statement="x" * 3000)
        response = await api.post("/api/challenges", json=body, headers=city.headers)
    assert response.status_code == 413


async def test_lists_are_capped_on_edits_too(api, actors):
    city = await actors.city()
    draft = await create_challenge(api, city)
    criteria = [{"name": f"C{n}", "description": "", "weight": 1} for n in range(21)]
    response = await api.patch(
        f"/api/challenges/{draft['id']}",
        json={"criteria": criteria, "review_reminder_days": list(range(1, 30))},
        headers=city.headers,
    )
    assert response.status_code == 422, response.text
    keys = {e["key"] for e in response.json()["extra"]}
    assert {"criteria", "review_reminder_days"} <= keys


async def test_numbers_past_the_database_range_are_refused_by_name(api, actors, temporal):
    city, startup, evaluator = await actors.city(), await actors.startup(), await actors.evaluator()
    challenge, _ = await challenge_in_review(api, city, [startup], temporal)
    for too_big in (2**31, 2**63):  # past PostgreSQL's INTEGER, past SQLite's
        response = await api.post(
            f"/api/challenges/{challenge['id']}/evaluators",
            json={"evaluator_ids": [evaluator.id, too_big]},
            headers=city.headers,
        )
        assert response.status_code == 422, response.text
        [error] = response.json()["extra"]
        assert error["key"] == "evaluator_ids" and "between" in error["message"]
    for path in (f"/api/challenges/{2**31}", f"/api/inputs/{2**63}", f"/api/pilots/{-(2**40)}"):
        assert (await api.get(path)).status_code == 404, path
    response = await api.get(f"/api/challenges/{challenge['id']}/inputs?pilot_id={2**33}")
    assert response.status_code == 422
