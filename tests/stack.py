"""The service's parts, run for tests the way they run in production: the API and the
worker each on an event loop of their own, against a real database and Temporal.

Litestar's test client serves the app from a thread of its own and blocks the test's
loop while a request runs, so a worker on the test's loop would stall behind any
request that waits for a workflow; the worker therefore gets its own thread too.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn, TypeVar

from temporalio.client import Interceptor, OutboundInterceptor
from temporalio.service import RPCError, RPCStatusCode
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


class NoTemporal(Interceptor):
    """The Temporal client interceptor of an app whose test asked for no Temporal server.
    It refuses every call at once, as an unreachable server does (``RPCError``
    UNAVAILABLE, which the gateway answers with a 503, or logs), and remembers the calls,
    so the test fails saying what it lacks instead of passing or waiting without one."""

    def __init__(self) -> None:
        self.refused: list[str] = []

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _RefuseEveryCall(next, self)

    def refuse(self, call: str, input: Any) -> NoReturn:
        workflow_id = getattr(input, "id", None)
        self.refused.append(f"{call} {workflow_id}" if workflow_id else call)
        raise RPCError(self.explanation(), RPCStatusCode.UNAVAILABLE, b"")

    def explanation(self) -> str:
        return (
            f"this test started no Temporal server, yet its requests called Temporal "
            f"({', '.join(dict.fromkeys(self.refused))}). A test that drives a workflow "
            f"(publishing a challenge starts one) asks for the `worker` fixture, or for "
            f"`temporal` when it moves the clock too."
        )


class _RefuseEveryCall(OutboundInterceptor):
    def __init__(self, next: OutboundInterceptor, no_temporal: NoTemporal) -> None:
        super().__init__(next)
        self.no_temporal = no_temporal


def _refusing(call: str) -> Callable[[_RefuseEveryCall, Any], Awaitable[Any]]:
    async def refuse(self: _RefuseEveryCall, input: Any) -> Any:
        self.no_temporal.refuse(call, input)

    return refuse


for _call, _ in inspect.getmembers(OutboundInterceptor, inspect.iscoroutinefunction):
    if not _call.startswith("_"):
        setattr(_RefuseEveryCall, _call, _refusing(_call))


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
