"""The public micro-cache and ETags (service/http/public_cache.py): an anonymous reader
may be served a challenge computed up to ``ttl`` earlier by the same API process and
never longer; a signed-in reader never from it; nothing private ever reaches anyone
else. Two apps over one database stand for two API processes; their clocks are the
tests' own (no test waits on time)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.http.public_cache import matches
from service.settings import Settings
from tests.builders import create_challenge, open_challenge

TTL = 1.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def other_process(settings: Settings) -> AsyncIterator[tuple[AsyncTestClient, FakeClock]]:
    """A second API process on the same database, its public cache on (as in
    production), on a clock the test moves."""
    app = create_app(settings.model_copy(update={"public_cache_seconds": TTL}))
    clock = FakeClock()
    app.state.public_cache.clock = clock
    async with AsyncTestClient(app=app) as client:
        yield client, clock


def engagement_inputs(body: dict) -> int:
    return body["engagement"]["inputs"]


async def test_a_change_reaches_anonymous_readers_of_another_process_within_the_ttl(
    api, actors, worker, other_process
):
    reader, clock = other_process
    city = await actors.city()
    resident = await actors.resident()
    challenge = await open_challenge(api, city)
    url = f"/api/challenges/{challenge['id']}"

    first = await reader.get(url)
    assert first.status_code == 200
    etag = first.headers["etag"]
    count = engagement_inputs(first.json())

    said = await api.post(f"{url}/inputs", json={"body": "Keep the tap"}, headers=resident.headers)
    assert said.status_code == 201, said.text

    # Within the ttl an anonymous reader may still get the answer computed before ...
    clock.now += TTL / 4
    cached = await reader.get(url)
    assert cached.content == first.content
    assert cached.headers["etag"] == etag
    # ... while the signed-in see the change at once, from the same process.
    fresh = await reader.get(url, headers=resident.headers)
    assert engagement_inputs(fresh.json()) == count + 1

    # Past the ttl, never the old answer.
    clock.now += TTL
    later = await reader.get(url)
    assert engagement_inputs(later.json()) == count + 1
    assert later.headers["etag"] != etag
    assert (await reader.get(url, headers={"If-None-Match": etag})).status_code == 200


async def test_an_entry_half_its_ttl_old_is_refreshed_by_the_next_reader(
    api, actors, worker, other_process
):
    reader, clock = other_process
    city = await actors.city()
    resident = await actors.resident()
    challenge = await open_challenge(api, city)
    url = f"/api/challenges/{challenge['id']}"
    count = engagement_inputs((await reader.get(url)).json())
    said = await api.post(f"{url}/inputs", json={"body": "Keep the tap"}, headers=resident.headers)
    assert said.status_code == 201, said.text

    clock.now += TTL / 2  # still within the ttl, but due for a refresh: computed anew
    assert engagement_inputs((await reader.get(url)).json()) == count + 1
    clock.now += TTL * 0.9  # the refreshed entry is kept for a full ttl of its own
    assert engagement_inputs((await reader.get(url)).json()) == count + 1


async def test_a_conditional_read_gets_304_while_the_body_is_the_same(api, actors, worker):
    city = await actors.city()
    challenge = await open_challenge(api, city)
    url = f"/api/challenges/{challenge['id']}"
    for headers in ({}, city.headers):
        response = await api.get(url, headers=headers)
        etag = response.headers["etag"]
        again = await api.get(url, headers={**headers, "If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == etag
        assert (await api.get(url, headers={**headers, "If-None-Match": '"x"'})).status_code == 200
    # The city's answer is not the public's (the timeline names the account): its ETag
    # is of its own body, and the public's ETag does not validate the city's copy.
    public_etag = (await api.get(url)).headers["etag"]
    city_response = await api.get(url, headers={**city.headers, "If-None-Match": public_etag})
    assert city_response.status_code == 200
    assert city_response.headers["etag"] != public_etag


async def test_nothing_private_is_cached_for_anyone_else(api, actors, worker, other_process):
    reader, _clock = other_process
    city = await actors.city()
    published = await open_challenge(api, city, title="Public call")
    draft = await create_challenge(api, city, title="Secret plans")

    # The city reads its draft and the list with the draft, on the caching process ...
    assert (
        await reader.get(f"/api/challenges/{draft['id']}", headers=city.headers)
    ).status_code == 200
    city_list = (await reader.get("/api/challenges", headers=city.headers)).json()["items"]
    assert draft["id"] in {c["id"] for c in city_list}
    city_read = (
        await reader.get(f"/api/challenges/{published['id']}", headers=city.headers)
    ).json()

    # ... and the public, on the same process, sees none of it.
    assert (await reader.get(f"/api/challenges/{draft['id']}")).status_code == 404
    public_list = (await reader.get("/api/challenges")).json()["items"]
    assert [c["id"] for c in public_list] == [published["id"]]
    public_read = (await reader.get(f"/api/challenges/{published['id']}")).json()
    assert public_read["timeline"][0]["actor"] == "city"

    # Nor the other way round: the public's cached answer never reaches the city.
    assert city_read["timeline"][0]["actor"] != "city"
    again = (await reader.get(f"/api/challenges/{published['id']}", headers=city.headers)).json()
    assert again["timeline"] == city_read["timeline"]
    assert (await reader.get(f"/api/challenges/{draft['id']}")).status_code == 404


async def test_a_refusal_is_not_cached(api, actors, worker, other_process):
    reader, _clock = other_process
    city = await actors.city()
    draft = await create_challenge(api, city)
    url = f"/api/challenges/{draft['id']}"
    assert (await reader.get(url)).status_code == 404
    published = await api.post(f"{url}/publish", headers=city.headers)
    assert published.status_code == 200, published.text
    assert (await reader.get(url)).status_code == 200  # the 404 was not kept


def test_if_none_match_lists_and_weak_validators():
    etag = b'"abc"'
    assert matches(b'"abc"', etag)
    assert matches(b'W/"abc"', etag)
    assert matches(b'"zzz", "abc"', etag)
    assert matches(b"*", etag)
    assert not matches(b'"abd"', etag)
    assert not matches(None, etag)
