"""Per-account limits on input, endorsements and reports: 429 with Retry-After, counted
in the database so that they hold across API processes."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from service.app import create_app
from tests.builders import open_challenge
from tests.feedback import give_input, running_pilot
from tests.integration.residents.conftest import LIMITS


def assert_limited(response) -> None:
    assert response.status_code == 429, response.text
    retry_after = int(response.headers["retry-after"])
    assert 0 < retry_after <= 3600
    assert response.json()["extra"]["retry_after"] == retry_after


async def test_input_is_limited_per_account_across_api_processes(api, actors, settings, worker):
    city, resident, other = await actors.city(), await actors.resident(), await actors.resident()
    challenge = await open_challenge(api, city)
    url = f"/api/challenges/{challenge['id']}/inputs"
    limit = LIMITS["input_limit_per_hour"]

    # A second API process on the same database: the count is shared.
    async with AsyncTestClient(app=create_app(settings)) as second_api:
        for n in range(limit):
            client = api if n % 2 == 0 else second_api
            response = await client.post(url, json={"body": f"Idea {n}"}, headers=resident.headers)
            assert response.status_code == 201, response.text
        assert_limited(
            await second_api.post(url, json={"body": "One more"}, headers=resident.headers)
        )
    assert_limited(await api.post(url, json={"body": "And more"}, headers=resident.headers))

    # Refused input is not stored and not counted; other accounts are not affected.
    assert len((await api.get(url)).json()["items"]) == limit
    assert (await api.post(url, json={"body": "Mine"}, headers=other.headers)).status_code == 201


async def test_pilot_input_shares_the_input_limit(api, actors, sessions, worker):
    city, resident, startup = await actors.city(), await actors.resident(), await actors.startup()
    challenge = await open_challenge(api, city)
    pilot_id = await running_pilot(api, sessions, challenge["id"], startup)
    url = f"/api/pilots/{pilot_id}/inputs"
    for n in range(LIMITS["input_limit_per_hour"]):
        response = await api.post(
            url, json={"body": f"Day {n}", "rating": 3}, headers=resident.headers
        )
        assert response.status_code == 201
    assert_limited(await api.post(url, json={"body": "Again"}, headers=resident.headers))


async def test_endorsements_and_reports_are_limited(api, actors, worker):
    city, fan = await actors.city(), await actors.resident()
    authors = [await actors.resident() for _ in range(2)]
    challenge = await open_challenge(api, city)
    inputs = []
    for author in authors:
        for n in range(3):
            inputs.append(await give_input(api, author, challenge["id"], f"Idea {n}"))

    limit = LIMITS["endorsement_limit_per_hour"]
    for given in inputs[:limit]:
        response = await api.post(f"/api/inputs/{given['id']}/endorse", headers=fan.headers)
        assert response.status_code == 200
    # Endorsing again what one endorsed already is not a new endorsement: not limited.
    again = await api.post(f"/api/inputs/{inputs[0]['id']}/endorse", headers=fan.headers)
    assert again.status_code == 200
    assert_limited(
        await api.post(f"/api/inputs/{inputs[limit]['id']}/endorse", headers=fan.headers)
    )
    refused = (await api.get(f"/api/inputs/{inputs[limit]['id']}")).json()
    assert refused["endorsement_count"] == 0

    limit = LIMITS["report_limit_per_hour"]
    for given in inputs[:limit]:
        response = await api.post(
            f"/api/inputs/{given['id']}/report", json={"reason": "Spam"}, headers=fan.headers
        )
        assert response.status_code == 200
    assert_limited(
        await api.post(
            f"/api/inputs/{inputs[limit]['id']}/report", json={"reason": "Spam"},
            headers=fan.headers,
        )
    )  # fmt: skip
