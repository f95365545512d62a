"""``proeftuin up``: one command runs everything, stops cleanly, and resumes every
running challenge when started again on the same data folder."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime, timedelta

import httpx
from temporalio.testing import WorkflowEnvironment

from service.temporal import find_executable
from tests.actors import PASSWORD
from tests.builders import challenge_body, iso
from tests.processes import ServiceProcess, free_port, port_open


async def create_city_account(env, tmp_path):
    users = ServiceProcess(
        ["users", "create", "--email", "office@city.example.org", "--password", PASSWORD,
         "--role", "city"],
        env, tmp_path / "users.log",
    )  # fmt: skip
    await users.start()
    assert await users.process.wait() == 0, users.output()


async def sign_in(client: httpx.AsyncClient) -> dict[str, str]:
    login = await client.post(
        "/api/auth/login", json={"email": "office@city.example.org", "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def test_up_runs_everything_stops_cleanly_and_resumes_a_running_challenge(up_env, tmp_path):
    await create_city_account(up_env, tmp_path)
    http_port = int(up_env["PROEFTUIN_HTTP_PORT"])
    temporal_port = int(up_env["PROEFTUIN_TEMPORAL_PORT"])
    ui_port = up_env["PROEFTUIN_TEMPORAL_UI_PORT"]

    first = await ServiceProcess(["up"], up_env, tmp_path / "up1.log").start()
    await first.wait_for_output("Stop with Ctrl-C.")
    banner = first.output()
    assert f"http://127.0.0.1:{http_port}/api" in banner
    assert f"http://127.0.0.1:{http_port}/schema" in banner
    assert f"Temporal UI    http://127.0.0.1:{ui_port}" in banner
    await first.wait_healthy(http_port)

    base = f"http://127.0.0.1:{http_port}"
    close_at = datetime.now(UTC) + timedelta(seconds=8)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        assert (await client.get("/schema/openapi.json")).status_code == 200
        headers = await sign_in(client)
        body = challenge_body(proposals_close_at=iso(close_at))
        created = (await client.post("/api/challenges", json=body, headers=headers)).json()
        published = await client.post(f"/api/challenges/{created['id']}/publish", headers=headers)
        assert published.json()["phase"] == "open"

    assert await first.stop(signal.SIGTERM) == 0
    assert "Stopped." in first.output()
    assert not port_open(temporal_port), "the embedded Temporal server outlived `up`"
    assert not port_open(http_port)

    # The deadline passes while nothing runs at all.
    await asyncio.sleep(max((close_at - datetime.now(UTC)).total_seconds() + 1, 0))

    second = await ServiceProcess(["up"], up_env, tmp_path / "up2.log").start()
    try:
        await second.wait_healthy(http_port)
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            for _ in range(300):
                detail = (await client.get(f"/api/challenges/{created['id']}")).json()
                if detail["phase"] != "open":
                    break
                await asyncio.sleep(0.1)
        assert detail["phase"] == "review"
        # Read anonymously: who published is named by role, never by account id.
        assert [(e["phase"], e["actor"]) for e in detail["timeline"]] == [
            ("open", "city"),
            ("review", "timer"),
        ]
        assert datetime.fromisoformat(detail["timeline"][1]["at"]) >= close_at
    finally:
        assert await second.stop(signal.SIGINT) == 0


async def test_up_uses_an_external_temporal_when_given_one(up_env, tmp_path):
    external = await WorkflowEnvironment.start_local(
        dev_server_existing_path=find_executable("temporal"), port=free_port()
    )
    try:
        up_env["PROEFTUIN_TEMPORAL_ADDRESS"] = external.client.service_client.config.target_host
        await create_city_account(up_env, tmp_path)
        http_port = int(up_env["PROEFTUIN_HTTP_PORT"])
        service = await ServiceProcess(["up"], up_env, tmp_path / "up.log").start()
        try:
            await service.wait_healthy(http_port)
            assert "Temporal UI" not in service.output()
            assert not (tmp_path / "data" / "temporal.db").exists()
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{http_port}") as client:
                headers = await sign_in(client)
                created = (
                    await client.post("/api/challenges", json=challenge_body(), headers=headers)
                ).json()
                published = await client.post(
                    f"/api/challenges/{created['id']}/publish", headers=headers, timeout=30
                )
                assert published.json()["phase"] == "open"
            description = await external.client.get_workflow_handle(
                f"challenge-{created['id']}"
            ).describe()
            assert description.workflow_type == "ChallengeWorkflow"
        finally:
            assert await service.stop() == 0
    finally:
        await external.shutdown()
