"""Proeftuin deployed in real processes for the fault tests: a Temporal dev server,
``proeftuin api``, ``worker`` and ``up`` processes, all against one database, each one
stopped when the test ends however it ends."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from temporalio.api.enums.v1 import PendingActivityState
from temporalio.client import Client

from service.runner import EmbeddedTemporal
from service.settings import Settings
from service.temporal import connect
from tests.processes import ServiceProcess, free_port

JWT_SECRET = "fault-tests-" + "s" * 40
# Generous: a process on a loaded two-core machine may take a while to start.
START_TIMEOUT = 120


@dataclass
class Api:
    process: ServiceProcess
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class Deployment:
    """One test's processes. Each API and worker has a log file under ``root``."""

    def __init__(self, root: Path, database_url: str) -> None:
        self.root = root
        self.database_url = database_url
        self.task_queue = f"fault-{uuid.uuid4().hex[:8]}"
        self.temporal_port = free_port()
        self.temporal_ui_port = free_port()
        self.temporal: EmbeddedTemporal | None = None
        self.processes: list[ServiceProcess] = []
        self._client: Client | None = None

    # -- Temporal --------------------------------------------------------------------

    @property
    def temporal_address(self) -> str:
        return f"127.0.0.1:{self.temporal_port}"

    def temporal_settings(self) -> Settings:
        return Settings(
            data_dir=self.root / "temporal",
            temporal_port=self.temporal_port,
            temporal_ui_port=self.temporal_ui_port,
            jwt_secret=JWT_SECRET,
        )

    async def start_temporal(self) -> EmbeddedTemporal:
        """The embedded dev server (``temporal server start-dev``), persisting to a
        SQLite file under ``root/temporal`` that outlives a stop."""
        if self.temporal is None:
            self.temporal = EmbeddedTemporal(self.temporal_settings())
        await self.temporal.start()
        return self.temporal

    async def stop_temporal(self) -> None:
        assert self.temporal is not None
        await self.temporal.stop()
        self._client = None

    async def client(self) -> Client:
        """The test's own Temporal client, to read workflow histories."""
        if self._client is None:
            self._client = await connect(self.temporal_address, "default", attempts=30)
        return self._client

    # -- the service's processes -----------------------------------------------------

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            "PROEFTUIN_DATA_DIR": str(self.root / "data"),
            "PROEFTUIN_DATABASE_URL": self.database_url,
            "PROEFTUIN_TEMPORAL_ADDRESS": self.temporal_address,
            "PROEFTUIN_TASK_QUEUE": self.task_queue,
            "PROEFTUIN_JWT_SECRET": JWT_SECRET,
            "PROEFTUIN_LOG_LEVEL": "info",
        }
        env.update(extra)
        return env

    async def _start(self, command: list[str], env: dict[str, str]) -> ServiceProcess:
        name = f"{len(self.processes) + 1:02d}-{command[0]}"
        process = ServiceProcess(command, env, self.root / f"{name}.log")
        self.processes.append(process)
        return await process.start()

    async def start_worker(self) -> ServiceProcess:
        worker = await self._start(["worker"], self.env())
        await worker.wait_for_output("worker polling task queue", timeout=START_TIMEOUT)
        return worker

    async def start_api(self) -> Api:
        port = free_port()
        process = await self._start(["api"], self.env(PROEFTUIN_HTTP_PORT=str(port)))
        await process.wait_healthy(port, timeout=START_TIMEOUT)
        return Api(process, port)

    async def start_up(self) -> Api:
        """``proeftuin up``: its own embedded Temporal on ``temporal_port``, a worker and
        the API, in one process."""
        port = free_port()
        env = self.env(
            PROEFTUIN_HTTP_PORT=str(port),
            PROEFTUIN_TEMPORAL_PORT=str(self.temporal_port),
            PROEFTUIN_TEMPORAL_UI_PORT=str(self.temporal_ui_port),
        )
        del env["PROEFTUIN_TEMPORAL_ADDRESS"]
        process = await self._start(["up"], env)
        await process.wait_for_output("Stop with Ctrl-C.", timeout=START_TIMEOUT)
        await process.wait_healthy(port, timeout=START_TIMEOUT)
        return Api(process, port)

    async def settled(self, workflow_id: str) -> None:
        """Until the workflow waits (a timer, a person): no activity or workflow task
        in flight. A kill then finds it in its phase, not between two steps."""
        handle = (await self.client()).get_workflow_handle(workflow_id)

        async def in_flight() -> int:
            description = (await handle.describe()).raw_description
            return len(description.pending_activities) + description.HasField(
                "pending_workflow_task"
            )

        await until(in_flight, lambda busy: busy == 0, what=f"{workflow_id} waiting")

    async def activity_running(self, workflow_id: str, activity: str) -> None:
        """Until a worker has started ``activity`` for the workflow (and not finished)."""
        handle = (await self.client()).get_workflow_handle(workflow_id)

        async def running() -> list[str]:
            description = (await handle.describe()).raw_description
            return [
                pending.activity_type.name
                for pending in description.pending_activities
                if pending.state == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
            ]

        await until(running, lambda names: activity in names, what=f"{activity} running")

    async def activity_attempts(self, workflow_id: str, activity: str) -> list[int]:
        """The attempt that completed each run of ``activity``, from the history."""
        handle = (await self.client()).get_workflow_handle(workflow_id)
        names: dict[int, str] = {}
        attempts = []
        async for event in handle.fetch_history_events():
            if event.HasField("activity_task_scheduled_event_attributes"):
                attributes = event.activity_task_scheduled_event_attributes
                names[event.event_id] = attributes.activity_type.name
            elif event.HasField("activity_task_started_event_attributes"):
                started = event.activity_task_started_event_attributes
                if names.get(started.scheduled_event_id) == activity:
                    attempts.append(started.attempt)
        return attempts

    @staticmethod
    async def kill(process: ServiceProcess) -> None:
        """SIGKILL: no shutdown, no goodbye to Temporal, whatever was in flight is lost."""
        await process.kill()
        assert process.process is not None and process.process.returncode == -signal.SIGKILL

    @contextlib.asynccontextmanager
    async def http(self, api: Api) -> AsyncIterator[httpx.AsyncClient]:
        async with httpx.AsyncClient(base_url=api.url, timeout=60) as client:
            yield client

    async def close(self) -> None:
        """Stop everything still running, forcefully if it will not stop; print the end
        of every log (pytest shows it when the test failed)."""
        for process in reversed(self.processes):
            if process.process is None:
                continue
            if process.process.returncode is None:
                orphans = descendants(process.process.pid)
                with contextlib.suppress(AssertionError):
                    await process.stop(signal.SIGTERM, timeout=30)
                for pid in orphans:  # e.g. the Temporal server of an ``up`` killed by force
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
            else:
                with contextlib.suppress(Exception):
                    process._log.close()
        if self.temporal is not None:
            await self.temporal.stop()
        for log in sorted(self.root.glob("*.log")):
            lines = log.read_text(errors="replace").splitlines()
            print(f"---- {log.name} (last 40 of {len(lines)} lines)")
            print("\n".join(lines[-40:]))


def temporal_server_of(process: ServiceProcess) -> int:
    """The pid of the Temporal dev server that ``proeftuin up`` started."""
    assert process.process is not None
    for pid in descendants(process.process.pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"start-dev" in command:
            return pid
    raise AssertionError("no Temporal server below the `up` process")


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (read from /proc; empty where there is none)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


# -- waiting and reading back ---------------------------------------------------------


async def until(
    probe: Any, accept: Any, *, timeout: float = 120, interval: float = 0.2, what: str = ""
) -> Any:
    """Poll ``probe`` until ``accept`` holds, and fail naming ``what`` if it never does."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await probe()
        if accept(value):
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what or 'condition'} not reached within {timeout}s: {value!r}")
        await asyncio.sleep(interval)


async def phase(http: httpx.AsyncClient, challenge_id: int) -> str:
    response = await http.get(f"/api/challenges/{challenge_id}")
    assert response.status_code == 200, response.text
    return response.json()["phase"]


async def wait_for_phase(http: httpx.AsyncClient, challenge_id: int, wanted: str) -> None:
    await until(lambda: phase(http, challenge_id), lambda p: p == wanted, what=f"phase {wanted!r}")


async def pilot_status(http: httpx.AsyncClient, pilot_id: int) -> str:
    response = await http.get(f"/api/pilots/{pilot_id}")
    assert response.status_code == 200, response.text
    return response.json()["status"]


async def wait_for_pilot(http: httpx.AsyncClient, pilot_id: int, wanted: str) -> None:
    await until(
        lambda: pilot_status(http, pilot_id), lambda s: s == wanted, what=f"pilot {wanted!r}"
    )


async def wait_past(moment: datetime) -> None:
    """Until the wall clock has passed ``moment`` (a deadline we want behind us)."""

    async def now() -> datetime:
        return datetime.now(UTC)

    await until(now, lambda at: at > moment, timeout=600, what=f"the clock past {moment}")


def seconds_from_now(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)
