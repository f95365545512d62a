"""The audit log names the client the way the sign-in throttle does: the address the
server resolved (the rightmost hop of X-Forwarded-For that is not a trusted proxy),
never what the caller wrote into the header.

Served by the production runner's own uvicorn configuration over real HTTP, since the
proxy handling is the server's."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlmodel import select

from service.audit.models import AuditEntry
from service.ratelimit.models import RateLimitWindow
from service.runner import _uvicorn_server
from service.settings import Settings
from tests.processes import free_port
from tests.stack import eventually


def serve(settings: Settings, trusted: str) -> Iterator[str]:
    port = free_port()
    server = _uvicorn_server(
        settings.model_copy(update={"http_port": port, "forwarded_allow_ips": trusted})
    )
    thread = threading.Thread(target=server.run, name="test-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the API did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def untrusting_api(settings: Settings) -> Iterator[str]:
    """No proxy is trusted: the peer's address is the client's."""
    yield from serve(settings, trusted="192.0.2.1")


@pytest.fixture
def api_behind_proxy(settings: Settings) -> Iterator[str]:
    """The loopback address is a trusted proxy that appends to X-Forwarded-For."""
    yield from serve(settings, trusted="127.0.0.1")


async def sign_in_as_anyone(base_url: str, forwarded: str) -> str:
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await client.post(
            "/api/auth/login",
            json={"email": "nobody@example.org", "password": "not the password"},
            headers={"X-Forwarded-For": forwarded},
        )
    assert response.status_code == 401
    return response.headers["x-request-id"]


async def logged_address(sessions, request_id: str) -> str | None:
    """The address the request's audit entry names. The entry is written once the answer
    has gone out, so the client may ask a moment before it is there."""

    async def entries() -> list[AuditEntry]:
        async with sessions() as session:
            query = select(AuditEntry).where(AuditEntry.request_id == request_id)
            return list((await session.exec(query)).all())

    [entry] = await eventually(entries, lambda found: len(found) > 0)
    return entry.client_ip


async def throttled_addresses(sessions) -> set[str]:
    async with sessions() as session:
        rows = (await session.exec(select(RateLimitWindow))).all()
    return {row.subject.removeprefix("ip:") for row in rows if row.subject.startswith("ip:")}


async def test_a_client_cannot_choose_the_address_it_is_logged_under(untrusting_api, sessions):
    request_id = await sign_in_as_anyone(untrusting_api, forwarded="203.0.113.99")
    assert await logged_address(sessions, request_id) == "127.0.0.1"
    assert await throttled_addresses(sessions) == {"127.0.0.1"}


async def test_behind_a_proxy_the_rightmost_untrusted_hop_is_logged(api_behind_proxy, sessions):
    # The client wrote 203.0.113.99 itself; the proxy appended the address it saw.
    request_id = await sign_in_as_anyone(api_behind_proxy, forwarded="203.0.113.99, 198.51.100.7")
    assert await logged_address(sessions, request_id) == "198.51.100.7"
    assert await throttled_addresses(sessions) == {"198.51.100.7"}
