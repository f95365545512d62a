"""The service's parts, run for tests the way they run in production: the API and the
worker each on an event loop of their own, against a real database and Temporal.

Litestar's test client serves the app from a thread of its own and blocks the test's
loop while a request runs, so a worker on the test's loop would stall behind any
request that waits for a workflow; the worker therefore gets its own thread too.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from temporalio.worker import Worker

from service.db import create_engine, create_session_factory
from service.settings import Settings
from service.temporal import connect
from workflows.worker import create_worker

T = TypeVar("T")


class ThreadedWorker:
    """A worker process stand-in: own thread, own loop, own client and engine."""

    def __init__(self, settings: Settings, **worker_options: Any) -> None:
        self.settings = settings
        # No sticky cache: a stopped worker leaves no sticky queue that the time-skipping
        # server would wait on, and every workflow task replays the history from the
        # start, so nondeterminism shows up in any test.
        worker_options.setdefault("max_cached_workflows", 0)
        self.worker_options = worker_options
        self._loop: asyncio.AbstractEventLoop | None = None
        self._worker: Worker | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="test-worker", daemon=True)

    def start(self) -> ThreadedWorker:
        self._thread.start()
        if not self._ready.wait(timeout=30):
            raise RuntimeError("the worker did not start within 30 s")
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        """Shut the worker down (its workflows stay on the server, waiting for another)."""
        if self._loop is None or self._worker is None or not self._thread.is_alive():
            return
        future = asyncio.run_coroutine_threadsafe(self._worker.shutdown(), self._loop)
        future.result(timeout=30)
        self._thread.join(timeout=30)

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except BaseException as exc:  # noqa: BLE001 - surfaced to the test by start()
            self._error = exc
            self._ready.set()

    async def _run(self) -> None:
        engine = create_engine(self.settings.resolved_database_url)
        client = await connect(
            self.settings.resolved_temporal_address, self.settings.temporal_namespace
        )
        self._worker = create_worker(
            client,
            self.settings.task_queue,
            create_session_factory(engine),
            self.settings,
            **self.worker_options,
        )
        self._loop = asyncio.get_running_loop()
        self._ready.set()
        try:
            await self._worker.run()
        finally:
            await engine.dispose()


async def eventually(
    probe: Callable[[], Awaitable[T]],
    accept: Callable[[T], bool],
    *,
    timeout: float = 20.0,
    interval: float = 0.05,
) -> T:
    """Poll ``probe`` until ``accept`` holds; a workflow records its step a moment after
    the event that caused it. Returns the last value either way, for the assertion."""
    deadline = asyncio.get_running_loop().time() + timeout
    value = await probe()
    while not accept(value) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(interval)
        value = await probe()
    return value
