"""The API needs Temporal only for what drives a workflow: it starts, signs people in,
serves reads and reports healthy with no Temporal server, and refuses to publish (503,
come back later) while none can be reached, the draft left a draft."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from service.app import create_app
from tests.actors import Actors
from tests.builders import create_challenge
from tests.conftest import NO_TEMPORAL


async def test_without_a_temporal_server_the_api_serves_and_publishing_waits(settings, sessions):
    assert settings.temporal_address == NO_TEMPORAL  # nothing listens there
    async with AsyncTestClient(app=create_app(settings)) as api:
        assert (await api.get("/api/health")).json() == {"status": "ok"}
        assert (await api.get("/api/ready")).json()["extra"]["temporal"] == "unreachable"
        city = await Actors(api, sessions).city()
        draft = await create_challenge(api, city)

        for _ in range(2):  # each attempt tries to connect again, and fails the same way
            refused = await api.post(f"/api/challenges/{draft['id']}/publish", headers=city.headers)
            assert refused.status_code == 503, refused.text
            assert int(refused.headers["retry-after"]) > 0

        page = await api.get(f"/api/challenges/{draft['id']}", headers=city.headers)
        assert page.json()["phase"] == "draft"
        edited = await api.patch(
            f"/api/challenges/{draft['id']}", json={"title": "Still ours"}, headers=city.headers
        )
        assert edited.status_code == 200, edited.text
