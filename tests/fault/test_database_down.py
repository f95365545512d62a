"""PostgreSQL down while the workflows need it: once restarted (every session ended,
then connections refused for a while), once unreachable (a network that drops every
packet: no answer, no reset, just silence). The activities that fall in the outage fail
and are retried until they complete; the API answers 503 with Retry-After meanwhile,
never 500 and never hanging, and serves again by itself once the database is back.
``proeftuin up`` runs throughout."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from service.db import create_engine, create_session_factory
from service.settings import Settings
from tests.actors import Account, Actors
from tests.builders import create_challenge, iso, publish
from tests.builders import submit as submit_proposal
from tests.fault.deployment import (
    Deployment,
    seconds_from_now,
    until,
    wait_for_phase,
    wait_past,
)
from tests.fault.postgres import PostgresCluster, TcpProxy, find_postgres_bindir
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
REVIEW_FOR = 20  # after the call closes; the second outage falls on this deadline


@pytest.fixture
async def postgres() -> AsyncIterator[PostgresCluster]:
    bindir = find_postgres_bindir()
    if bindir is None:
        pytest.skip("no initdb/pg_ctl on this machine to run a PostgreSQL of the test's own")
    cluster = PostgresCluster(bindir)
    try:
        await cluster.create()
        yield cluster
    finally:
        await cluster.destroy()


@pytest.fixture
async def proxy(postgres: PostgresCluster) -> AsyncIterator[TcpProxy]:
    running = TcpProxy(postgres.port)
    await running.start()
    try:
        yield running
    finally:
        await running.close()


@pytest.fixture
async def own_sessions(postgres: PostgresCluster):
    """The test's view of the database, straight to the server, not through the proxy."""
    engine = create_engine(Settings(database_url=postgres.url).resolved_database_url)
    yield create_session_factory(engine)
    await engine.dispose()


async def assert_unavailable(http: httpx.AsyncClient, cid: int, startup: Account) -> None:
    """Reads, writes, sign-in and the readiness check, all at once: 503 with Retry-After,
    not 500, and not a request left hanging (the client gives up after a minute); the
    liveness check still answers 200, so no probe restarts the API for it."""
    proposal = {"title": "Late", "summary": "Sent while the database is down.", "budget_eur": 1}
    login = {"email": startup.email, "password": "whatever12"}
    alive, health, *responses = await asyncio.gather(
        http.get("/api/health"),
        http.get("/api/ready"),
        http.get(f"/api/challenges/{cid}"),
        http.get("/api/challenges"),
        http.get("/api/me", headers=startup.headers),
        http.post(f"/api/challenges/{cid}/proposals", json=proposal, headers=startup.headers),
        http.post("/api/auth/login", json=login),
    )
    assert alive.status_code == 200, alive.text
    assert health.status_code == 503, health.text
    assert health.json()["extra"]["database"] == "unreachable", health.text
    assert int(health.headers["retry-after"]) > 0
    for response in responses:
        assert response.status_code == 503, (response.request.url, response.text)
        assert int(response.headers["retry-after"]) > 0, response.headers
        assert response.json()["status_code"] == 503, response.text


async def retried_while_down(deployment: Deployment, cid: int) -> None:
    """Until one of the challenge workflow's activities has failed and is being retried."""
    handle = (await deployment.client()).get_workflow_handle(f"challenge-{cid}")

    async def attempts() -> list[tuple[str, int]]:
        description = await handle.describe()
        return [
            (pending.activity_type.name, pending.attempt)
            for pending in description.raw_description.pending_activities
        ]

    await until(
        attempts,
        lambda pending: any(attempt >= 2 for _, attempt in pending),
        what="an activity failing on the missing database and retried",
    )


async def test_activities_retry_through_a_restart_and_a_silent_network_and_the_api_says_503(
    deployment: Deployment, postgres: PostgresCluster, proxy: TcpProxy, own_sessions
):
    # Time limits shorter than the defaults, so that a silent network answers sooner.
    deployment.database_url = (
        f"postgresql://postgres@127.0.0.1:{proxy.port}/postgres?timeout=5&command_timeout=5"
    )
    up = await deployment.start_up()
    async with deployment.http(up) as http:
        actors = Actors(http, own_sessions)  # type: ignore[arg-type]  # httpx, not the test client
        city, startup, follower = (
            await actors.city(),
            await actors.startup(),
            await actors.resident(),
        )
        close_at = seconds_from_now(CALL_OPEN_FOR)
        review_deadline = close_at + timedelta(seconds=REVIEW_FOR)
        challenge = await create_challenge(
            http, city, proposals_close_at=iso(close_at), review_deadline=iso(review_deadline)
        )
        cid = challenge["id"]
        assert (await publish(http, city, cid))["phase"] == "open"
        followed = await http.post(f"/api/challenges/{cid}/follow", headers=follower.headers)
        assert followed.status_code in (200, 201), followed.text
        submitted = await submit_proposal(http, startup, cid)
        assert submitted.status_code == 201, submitted.text

        # -- restarted: every session ended, connections refused until it is back -------
        await postgres.stop("fast")
        await assert_unavailable(http, cid, startup)
        await wait_past(close_at)
        await retried_while_down(deployment, cid)  # closing the call failed, and again
        await assert_unavailable(http, cid, startup)
        await postgres.start()
        await wait_for_phase(http, cid, "review")  # the API serves again, the call closed
        assert (await http.get("/api/ready")).status_code == 200

        # -- unreachable: the network drops every packet, the connections fall silent ----
        proxy.stall()
        await assert_unavailable(http, cid, startup)
        await wait_past(review_deadline)
        await retried_while_down(deployment, cid)  # ending the review failed, and again
        await assert_unavailable(http, cid, startup)
        proxy.restore()
        await wait_for_phase(http, cid, "selection")
        assert (await http.get("/api/ready")).status_code == 200

        rows = await transitions(own_sessions, cid)
        assert steps(rows) == ["open", "review", "selection"]
        assert_on_time(one(rows, "review"), close_at)
        assert_on_time(one(rows, "selection"), review_deadline)
        await assert_timeline_matches(http, cid, rows, city.headers)

    told = await notifications(own_sessions)
    assert repeated(told) == []
    assert transition_notices(told, follower.id) == {
        f"challenge-{cid}-review": 1,
        f"challenge-{cid}-selection": 1,
    }
    assert up.process.process is not None and up.process.process.returncode is None
    assert await up.process.stop() == 0, up.process.output()
