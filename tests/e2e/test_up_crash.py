"""``proeftuin up`` leaves nothing behind however it dies: killed with SIGKILL, its
embedded Temporal server goes with it, and the next ``up`` on the same data folder resumes
the running challenge. A server that an earlier version left running is found and
stopped; a second ``up`` on a data folder in use is refused; a server that keeps exiting
is restarted with growing pauses and then given up on, with the reason."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from service.runner import EmbeddedTemporal, TemporalDidNotStart, TemporalGaveUp
from service.settings import Settings
from service.temporal import find_executable, process_running
from tests.builders import challenge_body, iso
from tests.e2e.test_up import create_city_account, sign_in
from tests.processes import ServiceProcess, free_port, port_open


def processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line names ``text`` (the data folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in argv and process_running(int(entry.name)):
            found.append(int(entry.name))
    return found


async def until_gone(pid: int, timeout: float = 30) -> None:
    for _ in range(int(timeout * 10)):
        if not process_running(pid):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"process {pid} still runs {timeout}s later")


async def test_up_killed_with_sigkill_leaves_nothing_and_the_next_up_resumes(up_env, tmp_path):
    data_dir = up_env["PROEFTUIN_DATA_DIR"]
    await create_city_account(up_env, tmp_path)
    http_port = int(up_env["PROEFTUIN_HTTP_PORT"])
    temporal_port = int(up_env["PROEFTUIN_TEMPORAL_PORT"])
    base = f"http://127.0.0.1:{http_port}"

    first = await ServiceProcess(["up"], up_env, tmp_path / "up1.log").start()
    await first.wait_healthy(http_port)
    await first.wait_for_output("Stop with Ctrl-C.")
    server_pid = int((Path(data_dir) / "temporal.pid").read_text())
    assert process_running(server_pid)
    close_at = datetime.now(UTC) + timedelta(seconds=10)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        headers = await sign_in(client)
        body = challenge_body(proposals_close_at=iso(close_at))
        created = (await client.post("/api/challenges", json=body, headers=headers)).json()
        published = await client.post(f"/api/challenges/{created['id']}/publish", headers=headers)
        assert published.json()["phase"] == "open"

    await first.kill()  # SIGKILL: no handler runs, nothing is stopped in order
    await until_gone(server_pid)
    assert processes_mentioning(data_dir) == [], "a process of the killed `up` still runs"
    assert not port_open(temporal_port)
    assert not port_open(http_port)

    second = await ServiceProcess(["up"], up_env, tmp_path / "up2.log").start()
    try:
        await second.wait_healthy(http_port)
        assert "left running by an earlier run" not in second.output()  # nothing was left
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            for _ in range(600):
                detail = (await client.get(f"/api/challenges/{created['id']}")).json()
                if detail["phase"] != "open":
                    break
                await asyncio.sleep(0.1)
        assert detail["phase"] == "review"  # the call closed on time after the crash
        assert [(e["phase"], e["actor"]) for e in detail["timeline"]] == [
            ("open", "city"),
            ("review", "timer"),
        ]
        assert datetime.fromisoformat(detail["timeline"][1]["at"]) >= close_at
    finally:
        assert await second.stop(signal.SIGTERM) == 0
    assert processes_mentioning(data_dir) == []
    assert not (Path(data_dir) / "temporal.pid").exists()


async def test_up_stops_a_server_left_running_and_refuses_a_second_up(up_env, tmp_path):
    data_dir = Path(up_env["PROEFTUIN_DATA_DIR"])
    http_port = int(up_env["PROEFTUIN_HTTP_PORT"])
    # What versions before this one left behind when `up` was killed: a server in a
    # session of its own, on the data folder's file and port, with no pid file.
    orphan = await asyncio.create_subprocess_exec(
        find_executable("temporal"), "server", "start-dev",
        "--db-filename", str(data_dir / "temporal.db"), "--ip", "127.0.0.1",
        "--port", up_env["PROEFTUIN_TEMPORAL_PORT"],
        "--ui-port", up_env["PROEFTUIN_TEMPORAL_UI_PORT"], "--headless",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        for _ in range(300):
            if port_open(int(up_env["PROEFTUIN_TEMPORAL_PORT"])):
                break
            await asyncio.sleep(0.1)
        service = await ServiceProcess(["up"], up_env, tmp_path / "up.log").start()
        try:
            await service.wait_healthy(http_port)
            assert f"(pid {orphan.pid}) is being stopped" in service.output()
            await orphan.wait()
            server_pid = int((data_dir / "temporal.pid").read_text())
            assert server_pid != orphan.pid and process_running(server_pid)

            rival = await ServiceProcess(["up"], up_env, tmp_path / "rival.log").start()
            assert await rival.process.wait() != 0  # type: ignore[union-attr]
            assert "another `proeftuin up`" in rival.output()
            assert process_running(server_pid)  # the rival touched nothing
            async with httpx.AsyncClient() as client:
                health = await client.get(f"http://127.0.0.1:{http_port}/api/health")
            assert health.status_code == 200
        finally:
            assert await service.stop(signal.SIGINT) == 0
    finally:
        if orphan.returncode is None:
            orphan.kill()
            await orphan.wait()


async def test_a_server_that_keeps_exiting_is_restarted_with_pauses_then_given_up(tmp_path):
    runs = tmp_path / "runs"
    fake = tmp_path / "temporal"
    fake.write_text(f'#!/bin/sh\necho "run" >> {runs}\necho "no such database" >&2\nexit 3\n')
    fake.chmod(0o755)
    settings = Settings(
        data_dir=tmp_path / "data", temporal_port=free_port(), temporal_ui_port=free_port()
    )
    temporal = EmbeddedTemporal(settings, executable=str(fake), attempts=3, first_delay=0.01)

    with pytest.raises(TemporalDidNotStart, match="exited \\(code 3\\)"):
        await temporal.start()
    with pytest.raises(TemporalGaveUp) as gave_up:
        await temporal.keep_running()
    message = str(gave_up.value)
    assert "gave up after 3 restarts" in message
    assert "no such database" in message  # the server's own last words
    assert str(settings.data_dir / "temporal.log") in message
    assert runs.read_text().count("run") == 1 + 3  # the first start, then three restarts
    await temporal.stop()
