"""In production mode ``proeftuin api`` writes its logs as JSON lines, the access log
among them, with no secret in them (the redaction stays)."""

from __future__ import annotations

import json
import secrets
import signal

import httpx

from tests.processes import ServiceProcess, free_port


async def test_production_logs_are_json_lines_without_secrets(database_url, tmp_path):
    port = free_port()
    env = {
        "PROEFTUIN_MODE": "production",
        "PROEFTUIN_JWT_SECRET": secrets.token_urlsafe(48),
        "PROEFTUIN_DATA_DIR": str(tmp_path / "data"),
        "PROEFTUIN_DATABASE_URL": database_url,
        "PROEFTUIN_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
        "PROEFTUIN_HTTP_PORT": str(port),
        "PROEFTUIN_PUBLIC_URL": "https://proeftuin.example.city",
    }
    api = await ServiceProcess(["api"], env, tmp_path / "api.log").start()
    secret = "a-very-secret-unsubscribe-token-value"
    try:
        await api.wait_healthy(port)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await client.get("/api/ready")).status_code == 503  # no Temporal there
            await client.get(f"/api/unsubscribe?token={secret}")
    finally:
        assert await api.stop(signal.SIGTERM) == 0
    lines = [line for line in api.output().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    access = [e for e in entries if e["logger"] == "uvicorn.access"]
    assert any(e["path"] == "/api/ready" and e["status"] == 503 for e in access), access
    assert any(e["path"].startswith("/api/unsubscribe") for e in access)
    assert secret not in api.output()


async def test_a_production_worker_without_a_mail_server_says_so(database_url, tmp_path):
    env = {
        "PROEFTUIN_MODE": "production",
        "PROEFTUIN_JWT_SECRET": secrets.token_urlsafe(48),
        "PROEFTUIN_DATA_DIR": str(tmp_path / "data"),
        "PROEFTUIN_DATABASE_URL": database_url,
        "PROEFTUIN_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
    }
    worker = await ServiceProcess(["worker"], env, tmp_path / "worker.log").start()
    try:
        await worker.wait_for_output("PROEFTUIN_SMTP_HOST", timeout=60)
    finally:
        await worker.kill()
    [warning] = [json.loads(line) for line in worker.output().splitlines() if "SMTP_HOST" in line]
    assert warning["level"] == "warning"
    assert "production mode without PROEFTUIN_SMTP_HOST" in warning["message"]
