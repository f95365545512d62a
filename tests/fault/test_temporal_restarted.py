"""The embedded Temporal server stopped while a call for proposals runs, its deadline
passing while it is down, then started again on the same SQLite file: the call still
closes, once, and the worker and the API find the server again by themselves."""

from __future__ import annotations

import os
import signal
from datetime import timedelta

import pytest

from tests.actors import Actors
from tests.builders import create_challenge, iso, publish
from tests.builders import submit as submit_proposal
from tests.fault.deployment import (
    Deployment,
    phase,
    seconds_from_now,
    temporal_server_of,
    wait_for_phase,
    wait_past,
)
from tests.fault.records import (
    assert_on_time,
    assert_timeline_matches,
    notifications,
    one,
    repeated,
    steps,
    transition_notices,
    transitions,
)

pytestmark = pytest.mark.fault

CALL_OPEN_FOR = 10


async def test_the_call_closes_once_after_temporal_was_stopped_and_restarted_meanwhile(
    deployment: Deployment, sessions
):
    await deployment.start_temporal()
    api = await deployment.start_api()
    worker = await deployment.start_worker()
    async with deployment.http(api) as http:
        actors = Actors(http, sessions)  # type: ignore[arg-type]  # httpx, not the test client
        city, startup, follower = (
            await actors.city(),
            await actors.startup(),
            await actors.resident(),
        )
        later = await create_challenge(http, city)  # published while Temporal is down
        close_at = seconds_from_now(CALL_OPEN_FOR)
        challenge = await create_challenge(
            http, city, proposals_close_at=iso(close_at),
            review_deadline=iso(close_at + timedelta(days=1)),
        )  # fmt: skip
        cid = challenge["id"]
        assert (await publish(http, city, cid))["phase"] == "open"
        followed = await http.post(f"/api/challenges/{cid}/follow", headers=follower.headers)
        assert followed.status_code in (200, 201), followed.text
        submitted = await submit_proposal(http, startup, cid)
        assert submitted.status_code == 201, submitted.text

        await deployment.stop_temporal()
        # What needs only the database goes on; what needs Temporal asks to come back.
        assert await phase(http, cid) == "open"
        refused = await http.post(f"/api/challenges/{later['id']}/publish", headers=city.headers)
        assert refused.status_code == 503, refused.text
        assert int(refused.headers["retry-after"]) > 0
        await wait_past(close_at)  # the deadline passes while no server keeps time
        assert await phase(http, cid) == "open"
        assert worker.process is not None and worker.process.returncode is None, worker.output()
        assert api.process.process is not None and api.process.process.returncode is None

        await deployment.start_temporal()  # same data folder, same SQLite file, same port
        await wait_for_phase(http, cid, "review")
        republished = await http.post(
            f"/api/challenges/{later['id']}/publish", headers=city.headers
        )
        assert republished.status_code == 200, republished.text
        assert republished.json()["phase"] == "open"

        rows = await transitions(sessions, cid)
        assert steps(rows) == ["open", "review"]
        assert_on_time(one(rows, "review"), close_at)
        await assert_timeline_matches(http, cid, rows, city.headers)

    told = await notifications(sessions)
    assert repeated(told) == []
    assert transition_notices(told, follower.id) == {f"challenge-{cid}-review": 1}
    assert transition_notices(told, startup.id) == {f"challenge-{cid}-review": 1}
    assert worker.process.returncode is None, "the worker outlived the outage"


async def test_up_starts_its_temporal_server_again_when_it_dies_mid_call(
    deployment: Deployment, sessions
):
    up = await deployment.start_up()
    async with deployment.http(up) as http:
        actors = Actors(http, sessions)  # type: ignore[arg-type]  # httpx, not the test client
        city, startup = await actors.city(), await actors.startup()
        close_at = seconds_from_now(CALL_OPEN_FOR)
        challenge = await create_challenge(
            http, city, proposals_close_at=iso(close_at),
            review_deadline=iso(close_at + timedelta(days=1)),
        )  # fmt: skip
        cid = challenge["id"]
        assert (await publish(http, city, cid))["phase"] == "open"
        submitted = await submit_proposal(http, startup, cid)
        assert submitted.status_code == 201, submitted.text

        server = temporal_server_of(up.process)
        os.kill(server, signal.SIGKILL)
        await up.process.wait_for_output("the embedded Temporal server is running again")
        assert temporal_server_of(up.process) != server
        await wait_for_phase(http, cid, "review")

        rows = await transitions(sessions, cid)
        assert steps(rows) == ["open", "review"]
        assert_on_time(one(rows, "review"), close_at)
        await assert_timeline_matches(http, cid, rows, city.headers)
    told = await notifications(sessions)
    assert transition_notices(told, startup.id) == {f"challenge-{cid}-review": 1}
    assert await up.process.stop() == 0, up.process.output()
