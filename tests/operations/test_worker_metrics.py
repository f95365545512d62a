"""The worker's Temporal SDK metrics, on its own port (PROEFTUIN_WORKER_METRICS_PORT):
a real ``proeftuin worker`` on a Temporal dev server, scraped as Prometheus would."""

from __future__ import annotations

import asyncio
import signal

import httpx
from temporalio.testing import WorkflowEnvironment

from service.temporal import find_executable
from tests.processes import ServiceProcess, free_port

SERIES = [
    "temporal_workflow_task_execution_latency_seconds_count",
    "temporal_workflow_task_schedule_to_start_latency_seconds_count",
    "temporal_activity_schedule_to_start_latency_seconds_count",
    "temporal_worker_task_slots_used",
]


def series(text: str) -> set[str]:
    return {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line[:1] not in "#"}


async def test_the_worker_serves_the_sdk_metrics_on_its_own_port(database_url, tmp_path):
    server = await WorkflowEnvironment.start_local(
        dev_server_existing_path=find_executable("temporal"), port=free_port()
    )
    port = free_port()
    env = {
        "PROEFTUIN_DATA_DIR": str(tmp_path / "data"),
        "PROEFTUIN_DATABASE_URL": database_url,
        "PROEFTUIN_TEMPORAL_ADDRESS": server.client.service_client.config.target_host,
        "PROEFTUIN_WORKER_METRICS_PORT": str(port),
    }
    worker = await ServiceProcess(["worker"], env, tmp_path / "worker.log").start()
    try:
        found: set[str] = set()
        async with httpx.AsyncClient() as client:
            for _ in range(600):  # the standing workflows (the mail drainer) soon run
                try:
                    found = series((await client.get(f"http://127.0.0.1:{port}/metrics")).text)
                except httpx.TransportError:
                    found = set()
                if set(SERIES) <= found:
                    break
                await asyncio.sleep(0.1)
        assert set(SERIES) <= found, (sorted(found), worker.output())
    finally:
        assert await worker.stop(signal.SIGTERM) == 0
        await server.shutdown()
