"""The same request sent many times at the same moment, over real HTTP to the app
served by uvicorn (Litestar's test client runs one request at a time, so it cannot
show a race between two of them)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from service.settings import Settings
from tests.security.served import ThreadedApi


@contextmanager
def serve(settings: Settings) -> Iterator[ThreadedApi]:
    """The app over real HTTP for the length of the block."""
    server = ThreadedApi(settings).start()
    try:
        yield server
    finally:
        server.stop()


async def at_once(
    server: ThreadedApi, times: int, method: str, url: str, **kwargs: Any
) -> list[httpx.Response]:
    """``times`` identical requests, each on its own connection, all let go together."""
    limits = httpx.Limits(max_connections=times, max_keepalive_connections=times)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=60, limits=limits) as client:
        # Open every connection first, so the requests themselves start together.
        await asyncio.gather(*(client.get("/api/health") for _ in range(times)))
        start = asyncio.Event()

        async def send() -> httpx.Response:
            await start.wait()
            return await client.request(method, url, **kwargs)

        pending = [asyncio.create_task(send()) for _ in range(times)]
        await asyncio.sleep(0)
        start.set()
        return list(await asyncio.gather(*pending))


def statuses(responses: list[httpx.Response]) -> list[int]:
    return sorted(r.status_code for r in responses)
